#!/usr/bin/env bats
# uoms-push to kind naver (issue 10 item 5): the ack as 발주 확인 (POST
# .../product-orders/confirm) and the shipment as 발송 처리 (POST
# .../product-orders/dispatch) against t/fake/naver_server.py, which checks
# the request shapes, the token and the product orders' states like the
# real API and logs each push it answered 200 (push.log). The orders are
# fetched from the fake first, so records are what the kind maps.
load helper

export UOMS_SECRET_KEY=00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff
CLIENT_ID=naver-push-client
CLIENT_SECRET='$2a$04$abcdefghijklmnopqrstuu'
TRACK=640012345678

teardown() {
	fake_stop_all
}

# push_data: data.json, four orders changed an hour ago, every product
# order PAYED and not confirmed (placeOrderStatus NOT_YET):
#   2026120610000001  product orders ...0101 and ...0102
#   2026120610000002  ...0201
#   2026120610000003  ...0301, and ...0302 cancelled whole (CANCEL_DONE)
#   2026120610000004  ...0401, confirmed already (placeOrderStatus OK)
# built on the first product order of t/data/kind-naver.json.
push_data() {
	python3 - "$SRC/t/data/kind-naver.json" <<'PY'
import copy, datetime, json, sys
kst = datetime.timezone(datetime.timedelta(hours=9))
now = datetime.datetime.now(kst)
def t(h):
    return (now - datetime.timedelta(hours=h)).isoformat(timespec="milliseconds")
base = json.load(open(sys.argv[1]))["productOrders"][0]
rows = []
def po(order, n, **kw):
    r = copy.deepcopy(base)
    r["order"].update(orderId="202612061000000%d" % order, orderDate=t(3), paymentDate=t(3))
    r["productOrder"].update(productOrderId="2026120699000%d%02d" % (order, n),
                             placeOrderStatus="NOT_YET")
    r["productOrder"].update(kw)
    r["lastChangedDate"], r["lastChangedType"] = t(1), "PAYED"
    rows.append(r)
po(1, 1); po(1, 2)
po(2, 1)
po(3, 1); po(3, 2, productOrderStatus="CANCELED", claimType="CANCEL",
             claimStatus="CANCEL_DONE", claimId="CA-1")
po(4, 1, placeOrderStatus="OK")
json.dump({"productOrders": rows}, open("data.json", "w"), ensure_ascii=False)
PY
}

# start_naver [ARGS...]: the fake on data.json (push_data first).
start_naver() {
	[ -e data.json ] || push_data
	fake_start naver_server.py --data data.json --client-id "$CLIENT_ID" \
	    --client-secret "$CLIENT_SECRET" --log server.log \
	    --answers answers.log --push-log push.log "$@"
}

# nv [ARGS...]: channel nv on the fake; its orders fetched and stored
# (order ids 1 to 4 as above); the token it got is kept.
nv() {
	printf '%s\n%s\n' "$CLIENT_ID" "$CLIENT_SECRET" | uoms-channel add nv \
	    --kind naver --base-url "http://127.0.0.1:$PORT" --set max_rate=50 \
	    --secret client_id --secret client_secret "$@" >/dev/null
	uoms-fetch --channel nv --since "$(date -u -d '1 day ago' +%FT%TZ)" |
	    uoms-upsert >/dev/null
	[ "$(sql "SELECT count(*) FROM orders")" -eq 4 ]
}

# shipped REF... [CARRIER]: moved to IN_PROGRESS (ships: true in dispatch)
# with tracking number TRACK and carrier cj.
shipped() {
	uoms-status --to IN_PROGRESS "$@" >/dev/null
	uoms-edit --set shipment.carrier="${CARRIER:-cj}" \
	    --set shipment.tracking_number="$TRACK" "$@" >/dev/null
}

# pushed PATH-TAIL ID: how many times the fake took product order ID in a
# push to .../product-orders/PATH-TAIL.
pushed() {
	python3 - "$1" "$2" <<'PY'
import json, sys
n = 0
try:
    for line in open("push.log"):
        b = json.loads(line)
        n += b["path"].endswith("/" + sys.argv[1]) and sys.argv[2] in b["success"]
except FileNotFoundError:
    pass
print(n)
PY
}

# the token the fake handed out (from what the fetch sent it)
token_of_fetch() {
	python3 - <<'PY'
import json
for line in open("server.log"):
    a = json.loads(line)["headers"].get("Authorization", "")
    if a.startswith("Bearer "):
        print(a[7:])
        break
PY
}

@test "naver push: ack and ship accepted with the documented bodies; the next fetch shows them" {
	start_naver
	nv
	shipped 1 3
	run --separate-stderr uoms-push 1 3
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 4 ]
	[ "$(echo "${lines[0]}" | jget push)" = ack ]
	[ "$(echo "${lines[0]}" | jget state)" = sent ]
	[ "$(echo "${lines[0]}" | jget answer.successProductOrderIds)" = '["2026120699000101", "2026120699000102"]' ]
	[ "$(echo "${lines[1]}" | jget push)" = ship ]
	[ "$(echo "${lines[1]}" | jget state)" = sent ]
	[ "$(echo "${lines[2]}" | jget id)" = 3 ]
	[ "$(sql "SELECT order_id || what || state FROM pushes ORDER BY order_id, what" | paste -sd' ')" = "1acksent 1shipsent 3acksent 3shipsent" ]
	# every member of each body, as Naver documents it; dispatchDate is
	# now, in KST with milliseconds
	python3 - "$PORT" "$TRACK" <<'PY'
import datetime, json, re, sys
log = [json.loads(l) for l in open("push.log")]
assert len(log) == 4, log
assert [(e["method"], e["path"]) for e in log] == [
    ("POST", "/external/v1/pay-order/seller/product-orders/confirm"),
    ("POST", "/external/v1/pay-order/seller/product-orders/dispatch")] * 2, log
assert log[0]["body"] == {"productOrderIds": ["2026120699000101", "2026120699000102"]}, log[0]
# order 3: its product order cancelled whole is neither confirmed nor
# dispatched
assert log[2]["body"] == {"productOrderIds": ["2026120699000301"]}, log[2]
dates = [d.pop("dispatchDate") for e in (log[1], log[3])
         for d in e["body"]["dispatchProductOrders"]]
def one(poid):
    return {"productOrderId": poid, "deliveryMethod": "DELIVERY",
            "deliveryCompanyCode": "CJGLS", "trackingNumber": sys.argv[2]}
assert log[1]["body"] == {"dispatchProductOrders": [
    one("2026120699000101"), one("2026120699000102")]}, log[1]
assert log[3]["body"] == {"dispatchProductOrders": [one("2026120699000301")]}, log[3]
for d in dates:
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+09:00", d), d
    age = datetime.datetime.now(datetime.timezone.utc) - datetime.datetime.fromisoformat(d)
    assert abs(age.total_seconds()) < 120, d
PY
	# the next fetch: confirmed and dispatched with the tracking number.
	# A fetch reads up to the second it starts in: one started in the
	# second the pushes changed the orders would leave them to the next.
	next_second
	uoms-fetch --channel nv --since "$(date -u -d '1 day ago' +%FT%TZ)" >fetched
	python3 - "$TRACK" <<'PY'
import json, sys
recs = {r["external_order_id"]: r for r in map(json.loads, open("fetched"))}
o1 = recs["2026120610000001"]
assert o1["channel_status"] == "DELIVERING" and o1["status"] == "IN_PROGRESS", o1
for it in o1["items"]:
    assert it["place_order_status"] == "OK", it
    assert it["delivery"]["company"] == "CJGLS", it
    assert it["delivery"]["tracking_number"] == sys.argv[1], it
assert [i["place_order_status"] for i in recs["2026120610000003"]["items"]] == ["OK", "NOT_YET"]
PY
	run uoms-events --order 1 --type pushed
	[ "${#lines[@]}" -eq 2 ]
}

@test "naver push: an order confirmed already is acked without a request" {
	start_naver
	nv
	shipped 4
	run --separate-stderr uoms-push 4
	[ "$status" -eq 0 ]
	[ "$(echo "${lines[0]}" | jget push)" = ack ]
	[ "$(echo "${lines[0]}" | jget state)" = sent ]
	[[ "$(echo "${lines[0]}" | jget answer.note)" == "nothing to confirm: "* ]]
	! grep -q /confirm answers.log || false
	[ "$(pushed dispatch 2026120699000401)" -eq 1 ]
}

@test "naver push: product orders Naver refuses are named in --reject, those done too" {
	start_naver
	nv
	# a cancel request arrived for ...0102 after the fetch
	python3 - <<'PY'
import json
d = json.load(open("data.json"))
for r in d["productOrders"]:
    if r["productOrder"]["productOrderId"] == "2026120699000102":
        r["productOrder"].update(claimType="CANCEL", claimStatus="CANCEL_REQUEST", claimId="CA-9")
json.dump(d, open("data.json", "w"), ensure_ascii=False)
PY
	uoms-status --to IN_PROGRESS 1 >/dev/null
	run --separate-stderr uoms-push --reject rej.jsonl 1
	[ "$status" -eq 1 ]
	msg="ack refused by channel nv: product order 2026120699000102 failed: 9999 클레임(CANCEL_REQUEST)이 진행 중인 상품 주문입니다.; done all the same: 2026120699000101"
	[[ "$stderr" == *"order 1: invalid: $msg"* ]]
	[ "$(jget error.message < rej.jsonl)" = "$msg" ]
	[ "$(echo "$output" | jget state)" = refused ]
	[ "$(echo "$output" | jget 'answer.failProductOrderInfos[0].productOrderId')" = 2026120699000102 ]
	[ "$(sql "SELECT state FROM pushes WHERE order_id = 1")" = refused ]
	# a refusal is not sent again
	run --separate-stderr uoms-push 1
	[ "$status" -eq 1 ]
	[ -z "$output" ]
	[[ "$stderr" == *"ship: waits for the ack channel nv refused"* ]]
	[ "$(pushed confirm 2026120699000101)" -eq 1 ]
	[ "$(wc -l < push.log)" -eq 1 ]
}

@test "naver push: a dispatch of a product order not confirmed on Naver is refused" {
	# the record says confirmed (so no ack is sent); Naver had it
	# un-confirmed since (발주 확인 해제)
	start_naver
	nv
	python3 - <<'PY'
import json
d = json.load(open("data.json"))
for r in d["productOrders"]:
    if r["productOrder"]["productOrderId"] == "2026120699000401":
        r["productOrder"]["placeOrderStatus"] = "CANCEL"
json.dump(d, open("data.json", "w"), ensure_ascii=False)
PY
	shipped 4
	run --separate-stderr uoms-push --reject rej.jsonl 4
	[ "$status" -eq 1 ]
	[ "$(jget error.message < rej.jsonl)" = "ship refused by channel nv: product order 2026120699000401 failed: 9999 발주 확인되지 않은 상품 주문입니다." ]
	[ "$(sql "SELECT what || state FROM pushes WHERE order_id = 4 ORDER BY what")" = "$(printf 'acksent\nshiprefused')" ]
	[ "$(pushed dispatch 2026120699000401)" -eq 0 ]
}

@test "naver push: a carrier code Naver does not know is refused with its message" {
	start_naver
	nv
	# a carriers.tsv whose naver code for cj is wrong
	mkdir data
	cp -r "$SRC/share/uoms/." data/
	sed -i 's/^cj\t\(.*\)\tCJGLS\tCJGLS\t/cj\t\1\tCJGLS\tCJ-GLS\t/' data/carriers.tsv
	grep -q 'CJ-GLS' data/carriers.tsv
	shipped 2
	UOMS_DATA=$PWD/data run --separate-stderr uoms-push --reject rej.jsonl 2
	[ "$status" -eq 1 ]
	[ "$(jget error.message < rej.jsonl)" = "ship refused by channel nv: product order 2026120699000201 failed: 104119 택배사 코드 확인" ]
	[ "$(pushed confirm 2026120699000201)" -eq 1 ]
	[ "$(pushed dispatch 2026120699000201)" -eq 0 ]
}

@test "naver push: the fake refuses a request not of the documented shape with Naver's envelope" {
	start_naver
	nv
	tok=$(token_of_fetch)
	[ -n "$tok" ]
	python3 - "$PORT" "$tok" <<'PY'
import json, sys, urllib.request, urllib.error
port, tok = sys.argv[1], sys.argv[2]
def post(path, body):
    req = urllib.request.Request("http://127.0.0.1:%s/external/v1/pay-order/seller/product-orders/%s" % (port, path),
                                 data=json.dumps(body).encode(), method="POST",
                                 headers={"Authorization": "Bearer " + tok, "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req) as r:
            return r.status, json.load(r)
    except urllib.error.HTTPError as e:
        return e.code, json.load(e)
good = {"productOrderId": "2026120699000201", "deliveryMethod": "DELIVERY",
        "deliveryCompanyCode": "CJGLS", "trackingNumber": "1", "dispatchDate": "2026-12-06T10:00:00.000+09:00"}
for path, body, name in [
        ("dispatch", {"dispatchProductOrders": [{k: v for k, v in good.items() if k != "deliveryMethod"}]}, "dispatchProductOrders[0]"),
        ("dispatch", {"dispatchProductOrders": [dict(good, dispatchDate="2026-12-06T10:00:00+09:00")]}, "dispatchProductOrders[0].dispatchDate"),
        ("dispatch", {"dispatchProductOrders": [dict(good, trackingNumber=1)]}, "dispatchProductOrders[0]"),
        ("dispatch", {"dispatchProductOrders": [good] * 31}, "dispatchProductOrders"),
        ("confirm", {"productOrderIds": [2026120699000201]}, "productOrderIds"),
        ("confirm", {"productOrderId": ["2026120699000201"]}, "productOrderIds")]:
    status, b = post(path, body)
    assert status == 400, (status, b)
    assert b["code"] and b["message"] and b["traceId"] and b["timestamp"], b
    assert b["invalidInputs"][0]["name"] == name, (name, b)
# the dispatch of a product order not confirmed: 200, and its failure
status, b = post("dispatch", {"dispatchProductOrders": [good]})
assert status == 200 and b["data"]["successProductOrderIds"] == [], b
assert b["data"]["failProductOrderInfos"][0]["productOrderId"] == "2026120699000201", b
PY
	[ ! -e push.log ] || [ "$(python3 -c 'import json,sys; print(sum(len(json.loads(l)["success"]) for l in open("push.log")))')" -eq 0 ]
}

@test "naver push: reruns send nothing again; two uoms-push at once push each once" {
	start_naver
	nv
	shipped 1 2 3
	uoms-query --channel nv > refs.jsonl
	uoms-push < refs.jsonl > a.out 2> a.err &
	a=$!
	uoms-push < refs.jsonl > b.out 2> b.err &
	b=$!
	wait "$a"
	wait "$b"
	for run in 1 2 3; do
		uoms-push < refs.jsonl > out.$run
		[ ! -s out.$run ]
	done
	# orders 1 to 3: ack and ship each; 4 still WAITING
	[ "$(cat a.out b.out | wc -l)" -eq 6 ]
	for id in 2026120699000101 2026120699000102 2026120699000201 2026120699000301; do
		[ "$(pushed confirm $id)" -eq 1 ]
		[ "$(pushed dispatch $id)" -eq 1 ]
	done
	[ "$(wc -l < push.log)" -eq 6 ]
	[ "$(sql "SELECT count(*) FROM pushes WHERE state = 'sent'")" -eq 6 ]
}

@test "naver push: kill -9 between send and record: the rerun does not send it again" {
	start_naver --push-delay 60
	nv
	uoms-status --to IN_PROGRESS 2 >/dev/null
	uoms-push 2 >/dev/null 2>&1 &
	pid=$!
	wait_for grep -q /confirm push.log
	kill -9 "$pid"
	wait "$pid" || true
	[ "$(sql "SELECT state FROM pushes WHERE order_id = 2")" = sending ]
	run --separate-stderr uoms-push --reject rej.jsonl 2
	[ "$status" -eq 1 ]
	[[ "$stderr" == *"order 2: invalid: ack to channel nv: pushed or not?"* ]]
	[ "$(pushed confirm 2026120699000201)" -eq 1 ]
	[ "$(grep -c /confirm answers.log)" -eq 0 ]
}

@test "naver push: --dry-run prints the request with every secret masked and sends nothing" {
	start_naver
	nv
	shipped 1
	tok=$(token_of_fetch)
	[ -n "$tok" ]
	requests=$(wc -l < server.log)
	run --separate-stderr uoms-push --dry-run 1
	[ "$status" -eq 0 ]
	[[ "$output" == *"# push ack of order 1 to channel nv (naver)"* ]]
	[[ "$output" == *"POST http://127.0.0.1:$PORT/external/v1/pay-order/seller/product-orders/confirm"* ]]
	[[ "$output" == *"Authorization: ****"* ]]
	for s in "$tok" "$CLIENT_SECRET" "$CLIENT_ID"; do
		[[ "$output" != *"$s"* && "$stderr" != *"$s"* ]]
	done
	[ "$(wc -l < server.log)" -eq "$requests" ]
	[ ! -e push.log ]
	[ "$(sql "SELECT count(*) FROM pushes")" -eq 0 ]
}

@test "naver push: an unknown carrier is a reject naming it, nothing sent" {
	# a carrier uoms knows (uoms-edit takes it) that has no naver code
	mkdir data
	cp -r "$SRC/share/uoms/." data/
	printf 'nosuch\tNo Such Express\t-\t-\tNo Such\t-\n' >> data/carriers.tsv
	export UOMS_DATA=$PWD/data
	start_naver
	nv
	CARRIER=nosuch shipped 2
	run --separate-stderr uoms-push --reject rej.jsonl 2
	[ "$status" -eq 1 ]
	[[ "$(jget error.message < rej.jsonl)" == *"carrier 'nosuch' has no naver deliveryCompanyCode in carriers.tsv"* ]]
	[[ "$stderr" == *"order 2: invalid: "*"carrier 'nosuch'"* ]]
	[ "$(pushed confirm 2026120699000201)" -eq 1 ]
	! grep -q /dispatch answers.log || false
	[ "$(sql "SELECT what || state FROM pushes WHERE order_id = 2 ORDER BY what")" = "$(printf 'acksent\nshiprefused')" ]
}

@test "naver push: a revoked token is re-issued once and the push goes through" {
	start_naver
	nv
	shipped 2
	tok=$(token_of_fetch)
	python3 - "$tok" <<'PY'
import json, sys
d = json.load(open("data.json"))
d["revokedTokens"] = [sys.argv[1]]
json.dump(d, open("data.json", "w"), ensure_ascii=False)
PY
	tokens=$(grep -c ' /external/v1/oauth2/token$' answers.log)
	run --separate-stderr uoms-push 2
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 2 ]
	[ "$(sql "SELECT what || state FROM pushes ORDER BY what" | paste -sd' ')" = "acksent shipsent" ]
	# one 401 (the confirm with the revoked token), one new token
	[ "$(grep -c '^401 ' answers.log)" -eq 1 ]
	grep -q '^401 POST /external/v1/pay-order/seller/product-orders/confirm$' answers.log
	[ "$(grep -c ' /external/v1/oauth2/token$' answers.log)" -eq $((tokens + 1)) ]
	[ "$(pushed confirm 2026120699000201)" -eq 1 ]
	[ "$(pushed dispatch 2026120699000201)" -eq 1 ]
}

@test "naver push: a token refused again after the re-issue fails the push as authentication" {
	start_naver
	nv
	uoms-status --to IN_PROGRESS 2 >/dev/null
	python3 - <<'PY'
import json
d = json.load(open("data.json"))
d["revokeAll"] = True
json.dump(d, open("data.json", "w"), ensure_ascii=False)
PY
	run --separate-stderr uoms-push --reject rej.jsonl 2
	[ "$status" -eq 1 ]
	[[ "$stderr" == *"authentication failed (HTTP 401)"* ]]
	[ "$(grep -c '^401 ' answers.log)" -eq 2 ]
	[ ! -e push.log ]
}
