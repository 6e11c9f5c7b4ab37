#!/usr/bin/env bats
# uoms-push to a coupang channel (issue 10 item 5): the acknowledgement
# (ordersheets/acknowledgement) and the invoice upload (orders/invoices),
# against t/fake/coupang_server.py on t/data/kind-coupang.json: the orders
# are fetched from the fake, so records are what the kind maps; each push
# the fake accepts is a line of push.log (method, path, body).
load helper

export UOMS_SECRET_KEY=00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff
AK=ak-push-test
SK=sk-push-0123456789abcdef
P=/v2/providers/openapi/apis/api/v4/vendors/A00012345

# The data is dated around 2026-11-20 (KST); the server moves it SHIFT
# days so that it is yesterday's.
SHIFT=$(python3 -c 'import datetime as d
print((d.datetime.now(d.timezone(d.timedelta(hours=9))).date() - d.date(2026, 11, 21)).days)')
SINCE=$(date -u -d '3 days ago' +%Y-%m-%dT%H:%M:%SZ)

teardown() {
	fake_stop_all
}

# start [ARGS...]: the fake (push.log), the channel cp1 with its secrets,
# and its orders fetched into the store.
start() {
	cp "$SRC/t/data/kind-coupang.json" data.json
	fake_start coupang_server.py --data data.json --shift-days "$SHIFT" \
	    --access-key "$AK" --secret-key "$SK" --vendor-id A00012345 \
	    --push-log push.log --log server.log "$@"
	printf '%s\n%s\n' "$AK" "$SK" | uoms-channel add cp1 --kind coupang \
	    --base-url "http://127.0.0.1:$PORT" --set vendor_id=A00012345 \
	    --set max_rate=50 --secret access_key --secret secret_key >/dev/null
	uoms-fetch --channel cp1 --since "$SINCE" | uoms-upsert >/dev/null
}

# id BOX: the store's id of the order of shipment box BOX.
id() {
	uoms-query --channel cp1 | python3 -c '
import json, sys
for l in sys.stdin:
    r = json.loads(l)
    if r["external_order_id"] == sys.argv[1]:
        print(r["id"])
' "$1"
}

# shipped ID... [CARRIER]: moved to IN_PROGRESS (ships: true in dispatch)
# with a tracking number (carrier cj unless CARRIER= is set).
shipped() {
	uoms-status --to IN_PROGRESS "$@" >/dev/null
	uoms-edit --set shipment.carrier="${CARRIER:-cj}" \
	    --set shipment.tracking_number=640012345678 "$@" >/dev/null
}

# count PATH_END BOX: how many pushes to the path ending in PATH_END that
# name box BOX the fake accepted.
count() {
	python3 - "$1" "$2" <<'PY'
import json, sys
n = 0
try:
    for line in open("push.log"):
        p = json.loads(line)
        b = p["body"]
        boxes = b.get("shipmentBoxIds") or [d["shipmentBoxId"] for d in
                                            b.get("orderSheetInvoiceApplyDtos", [])]
        n += p["path"].endswith(sys.argv[1]) and int(sys.argv[2]) in boxes
except FileNotFoundError:
    pass
print(n)
PY
}

@test "coupang push: ack and invoice accepted with the exact documented bodies; the next fetch shows the box shipped" {
	start
	a=$(id 100001)
	b=$(id 100009)
	shipped "$a" "$b"
	run --separate-stderr uoms-push "$a" "$b"
	[ "$status" -eq 0 ]
	[ "$(echo "$output" | wc -l)" -eq 4 ]
	[ "$(echo "${lines[0]}" | jget push)" = ack ]
	[ "$(echo "${lines[0]}" | jget state)" = sent ]
	[ "$(echo "${lines[1]}" | jget push)" = ship ]
	[ "$(echo "${lines[1]}" | jget state)" = sent ]
	# Every member, parsed: box 100009's item 70000010 is cancelled
	# whole, so it is not in the invoice.
	python3 - "$P" <<'PY'
import json, sys
P = sys.argv[1]
got = [json.loads(l) for l in open("push.log")]
want = [
    {"method": "PUT", "path": P + "/ordersheets/acknowledgement",
     "body": {"vendorId": "A00012345", "shipmentBoxIds": [100001]}},
    {"method": "POST", "path": P + "/orders/invoices",
     "body": {"vendorId": "A00012345", "orderSheetInvoiceApplyDtos": [
         {"shipmentBoxId": 100001, "orderId": 9100000000001,
          "vendorItemId": 3242596358, "deliveryCompanyCode": "CJGLS",
          "invoiceNumber": "640012345678", "splitShipping": False,
          "preSplitShipped": False, "estimatedShippingDate": ""}]}},
    {"method": "PUT", "path": P + "/ordersheets/acknowledgement",
     "body": {"vendorId": "A00012345", "shipmentBoxIds": [100009]}},
    {"method": "POST", "path": P + "/orders/invoices",
     "body": {"vendorId": "A00012345", "orderSheetInvoiceApplyDtos": [
         {"shipmentBoxId": 100009, "orderId": 9100000000009,
          "vendorItemId": 70000009, "deliveryCompanyCode": "CJGLS",
          "invoiceNumber": "640012345678", "splitShipping": False,
          "preSplitShipped": False, "estimatedShippingDate": ""}]}},
]
assert got == want, json.dumps(got, indent=1)
PY
	# The store and the event log have Coupang's answer.
	uoms-events --order "$a" --type pushed >ev
	grep -q '"succeed":true' ev
	# The next fetch sees the box shipped with the invoice.
	uoms-fetch --channel cp1 --since "$SINCE" >out
	python3 - <<'PY'
import json
r = next(json.loads(l) for l in open("out") if json.loads(l)["external_order_id"] == "100001")
assert r["channel_status"] == "DEPARTURE", r
assert r["invoice_number"] == "640012345678", r
PY
}

@test "coupang push: a box already INSTRUCT on Coupang is not acknowledged again; its invoice goes" {
	start
	a=$(id 100002)
	shipped "$a"
	run --separate-stderr uoms-push "$a"
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == *'"push":"ack","state":"sent","answer":{"acknowledged":"already: shipment box 100002 is INSTRUCT on Coupang"}'* ]]
	[ "$(count /ordersheets/acknowledgement 100002)" -eq 0 ]
	[ "$(count /orders/invoices 100002)" -eq 1 ]
}

@test "coupang push: a box Coupang does not know: the ack is refused with its message, in --reject, the store says refused" {
	start
	a=$(id 100008)
	shipped "$a"
	python3 -c '
import json
d = json.load(open("data.json"))
d["ordersheets"] = [s for s in d["ordersheets"] if s["shipmentBoxId"] != 100008]
json.dump(d, open("data.json", "w"))'
	run --separate-stderr uoms-push --reject rej.jsonl "$a"
	[ "$status" -eq 1 ]
	[[ "$stderr" == *"ack refused by channel cp1: shipment box 100008: shipmentBoxId 100008 is not this vendor's (FAIL)"* ]]
	[[ "$(jget error.message < rej.jsonl)" == *"shipmentBoxId 100008 is not this vendor's"* ]]
	[ "$(echo "${lines[0]}" | jget state)" = refused ]
	[ ! -s push.log ]
}

@test "coupang push: the invoice of a box Coupang has not acknowledged is refused, naming the box" {
	start
	a=$(id 100001)
	# The store saw box 100001 INSTRUCT (acknowledged in WING), but
	# Coupang has it back at ACCEPT: the fake refuses its invoice.
	setstatus() {
		python3 -c '
import json, sys
d = json.load(open("data.json"))
for s in d["ordersheets"]:
    if s["shipmentBoxId"] == 100001:
        s["status"] = sys.argv[1]
json.dump(d, open("data.json", "w"))' "$1"
	}
	setstatus INSTRUCT
	uoms-fetch --channel cp1 --since "$SINCE" | uoms-upsert >/dev/null
	setstatus ACCEPT
	shipped "$a"
	run --separate-stderr uoms-push --reject rej.jsonl "$a"
	[ "$status" -eq 1 ]
	[[ "$stderr" == *"ship refused by channel cp1: shipment box 100001: 상품준비중 상태가 아닙니다 (status ACCEPT): acknowledge it first (FAIL)"* ]]
	[ "$(jget error.code < rej.jsonl)" = invalid ]
	[ "$(count /orders/invoices 100001)" -eq 0 ]
	uoms-events --order "$a" --type pushed | grep -q '"state":"refused"'
}

@test "coupang push: a bad signature is an authentication failure, nothing taken" {
	start
	a=$(id 100001)
	shipped "$a"
	printf 'ak-push-test\nsk-wrong\n' | uoms-channel update cp1 --secret access_key --secret secret_key >/dev/null
	run --separate-stderr uoms-push --reject rej.jsonl "$a"
	[ "$status" -eq 1 ]
	[[ "$stderr" == *"authentication failed (HTTP 401)"* ]]
	[[ "$stderr" != *"sk-wrong"* ]]
	[ ! -s push.log ]
}

@test "coupang push: reruns send nothing again; two uoms-push at once push each box exactly once" {
	start
	a=$(id 100001)
	b=$(id 100008)
	c=$(id 100009)
	shipped "$a" "$b" "$c"
	uoms-push "$a" "$b" >/dev/null 2>err1 &
	p1=$!
	uoms-push "$b" "$c" "$a" >/dev/null 2>err2 &
	p2=$!
	wait "$p1" || true
	wait "$p2" || true
	# A box the other run was sending is left to it: run again until
	# each is through (bounded).
	for i in 1 2 3; do
		uoms-push "$a" "$b" "$c" >/dev/null 2>>err3 || true
	done
	for box in 100001 100008 100009; do
		[ "$(count /ordersheets/acknowledgement $box)" -eq 1 ]
		[ "$(count /orders/invoices $box)" -eq 1 ]
	done
	run uoms-push "$a" "$b" "$c"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	[ "$(wc -l < push.log)" -eq 6 ]
}

@test "coupang push: --dry-run prints the signed requests, the keys masked, and writes nothing" {
	start
	a=$(id 100001)
	shipped "$a"
	run --separate-stderr uoms-push --dry-run "$a"
	[ "$status" -eq 0 ]
	[[ "$output" == *"PUT http://127.0.0.1:$PORT$P/ordersheets/acknowledgement"* ]]
	[[ "$output" == *"Authorization: ****"* ]]
	[[ "$output" != *"$AK"* && "$stderr" != *"$AK"* ]]
	[[ "$output" != *"$SK"* && "$stderr" != *"$SK"* ]]
	[[ "$output" != *"signature="[0-9a-f]* ]]
	[ ! -s push.log ]
	run uoms-events --order "$a" --type pushed
	[ -z "$output" ]
}

@test "coupang push: a carrier with no Coupang code is a per-order reject naming it, nothing sent" {
	# A data dir whose carriers.tsv knows 'nosuch' but has no Coupang
	# code for it ("-").
	cp -r "$SRC/share/uoms" data
	printf 'nosuch\tNo Such\t-\t-\t-\t-\n' >>data/carriers.tsv
	export UOMS_DATA=$PWD/data
	start
	a=$(id 100002)
	CARRIER=nosuch shipped "$a"
	run --separate-stderr uoms-push --reject rej.jsonl "$a"
	[ "$status" -eq 1 ]
	[[ "$stderr" == *"carrier 'nosuch' has no Coupang deliveryCompanyCode in carriers.tsv"* ]]
	[[ "$(jget error.message < rej.jsonl)" == *"carrier 'nosuch'"* ]]
	[ "$(count /orders/invoices 100002)" -eq 0 ]
}

@test "coupang fake: refuses what Coupang refuses (mistyped or missing members, an unknown courier, a wrong method) with its envelope" {
	start
	# send METHOD PATH BODY: a request signed as the kind signs, its
	# status and message.
	send() {
		python3 - "$PORT" "$AK" "$SK" "$@" <<'PY'
import datetime, hashlib, hmac, json, sys, urllib.request, urllib.error
port, ak, sk, method, path, body = sys.argv[1:7]
date = datetime.datetime.now(datetime.timezone.utc).strftime("%y%m%dT%H%M%SZ")
sig = hmac.new(sk.encode(), (date + method + path).encode(), hashlib.sha256).hexdigest()
r = urllib.request.Request("http://127.0.0.1:%s%s" % (port, path), data=body.encode(),
                           method=method)
r.add_header("Authorization", "CEA algorithm=HmacSHA256, access-key=%s, signed-date=%s, "
             "signature=%s" % (ak, date, sig))
r.add_header("Content-Type", "application/json;charset=UTF-8")
try:
    with urllib.request.urlopen(r) as a:
        print(a.status, json.load(a)["data"]["responseCode"])
except urllib.error.HTTPError as e:
    print(e.code, json.load(e)["message"])
PY
	}
	dto='{"shipmentBoxId":100002,"orderId":9100000000002,"vendorItemId":70000001,"deliveryCompanyCode":"CJGLS","invoiceNumber":"1","splitShipping":false,"preSplitShipped":false,"estimatedShippingDate":""}'
	run send PUT "$P/ordersheets/acknowledgement" '{"vendorId":"A00012345","shipmentBoxIds":["100001"]}'
	[ "$output" = "400 shipmentBoxIds must be 1 to 50 numbers" ]
	run send PUT "$P/ordersheets/acknowledgement" '{"shipmentBoxIds":[100001]}'
	[ "$output" = "400 vendorId is missing or not the path's" ]
	run send POST "$P/orders/invoices" "{\"vendorId\":\"A00012345\",\"orderSheetInvoiceApplyDtos\":[${dto/\"invoiceNumber\":\"1\",/}]}"
	[ "$output" = "400 invoiceNumber is missing or not a string" ]
	run send POST "$P/orders/invoices" "{\"vendorId\":\"A00012345\",\"orderSheetInvoiceApplyDtos\":[${dto/:100002,/:\"100002\",}]}"
	[ "$output" = "400 shipmentBoxId is missing or not a number" ]
	run send POST "$P/orders/invoices" "{\"vendorId\":\"A00012345\",\"orderSheetInvoiceApplyDtos\":[${dto/CJGLS/CJ}]}"
	[ "$output" = "400 deliveryCompanyCode CJ is not a courier code" ]
	run send PUT "$P/orders/invoices" "{\"vendorId\":\"A00012345\",\"orderSheetInvoiceApplyDtos\":[$dto]}"
	[[ "$output" == "405 "* ]]
	# The same dto, well formed, for an INSTRUCT box: taken.
	run send POST "$P/orders/invoices" "{\"vendorId\":\"A00012345\",\"orderSheetInvoiceApplyDtos\":[$dto]}"
	[ "$output" = "200 0" ]
	[ "$(count /orders/invoices 100002)" -eq 1 ]
}

@test "coupang push: kill -9 between send and record: the rerun sends nothing, says it is uncertain; fetched again, --resend finds the box acknowledged and ships it" {
	start --push-delay 60
	a=$(id 100001)
	shipped "$a"
	uoms-push "$a" >/dev/null 2>&1 &
	pid=$!
	wait_for grep -q acknowledgement push.log
	kill -9 "$pid"
	wait "$pid" || true
	run --separate-stderr uoms-push --reject rej.jsonl "$a"
	[ "$status" -eq 1 ]
	[[ "$stderr" == *"ack to channel cp1: pushed or not?"*"uoms-push --resend $a"* ]]
	[ "$(count /ordersheets/acknowledgement 100001)" -eq 1 ]
	[ "$(count /orders/invoices 100001)" -eq 0 ]
	# Checked on the channel: the next fetch shows the box INSTRUCT, so
	# --resend does not ask Coupang again for the ack, and the invoice
	# goes (to a fake that answers at once: the state is the server's).
	uoms-fetch --channel cp1 --since "$SINCE" | uoms-upsert >/dev/null
	[ "$(uoms-query --id "$a" | jget channel_status)" = INSTRUCT ]
	kill "${FAKE_PIDS[0]}"
	wait "${FAKE_PIDS[0]}" || true
	FAKE_PIDS=()
	python3 -c '
import json
d = json.load(open("data.json"))
for s in d["ordersheets"]:
    if s["shipmentBoxId"] == 100001:
        s["status"] = "INSTRUCT"
json.dump(d, open("data.json", "w"))'
	fake_start coupang_server.py --data data.json --shift-days "$SHIFT" \
	    --access-key "$AK" --secret-key "$SK" --vendor-id A00012345 \
	    --push-log push.log
	uoms-channel update cp1 --base-url "http://127.0.0.1:$PORT" >/dev/null
	run --separate-stderr uoms-push --resend "$a"
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == *'"push":"ack","state":"sent","answer":{"acknowledged":"already: shipment box 100001 is INSTRUCT on Coupang"}'* ]]
	[ "$(echo "${lines[1]}" | jget state)" = sent ]
	[ "$(count /ordersheets/acknowledgement 100001)" -eq 1 ]
	[ "$(count /orders/invoices 100001)" -eq 1 ]
	run uoms-push "$a"
	[ -z "$output" ]
}
