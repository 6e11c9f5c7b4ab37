#!/usr/bin/env bats
# kind coupang: what the return requests say (cancels, returns, ship-stop
# requests) and the exchange requests, old open boxes read one by one, and a 429 that stops the run,
# against t/fake/coupang_server.py on t/data/kind-coupang.json plus the
# requests each test adds (data.json, read again on every request).
load helper

export UOMS_SECRET_KEY=00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff

# The data is dated around 2026-11-20 (KST); the server moves it SHIFT
# days so that it is yesterday's.
SHIFT=$(python3 -c 'import datetime as d
print((d.datetime.now(d.timezone(d.timedelta(hours=9))).date() - d.date(2026, 11, 21)).days)')
SINCE=$(date -u -d '3 days ago' +%Y-%m-%dT%H:%M:%SZ)

teardown() {
	fake_stop_all
}

# start [ARGS...]: the fake on data.json (a copy of the 7003 data unless
# the test made one), two rows a page; the channel cp1 on it (fast).
start() {
	[ -f data.json ] || cp "$SRC/t/data/kind-coupang.json" data.json
	fake_start coupang_server.py --data data.json --page-size 2 \
	    --shift-days "$SHIFT" --access-key ak-claims-test --secret-key sk-claims-0123456789 \
	    --vendor-id A00012345 --log server.log "$@"
	printf 'ak-claims-test\nsk-claims-0123456789\n' | uoms-channel add cp1 --kind coupang \
	    --base-url "http://127.0.0.1:$PORT" --set vendor_id=A00012345 \
	    --set max_rate=50 --secret access_key --secret secret_key >/dev/null
}

# change PYTHON: runs PYTHON on the data (d), written back; box(ID) is the
# order sheet of that shipmentBoxId, request(...) adds a return request
# created yesterday (KST, before the shift).
change() {
	python3 - "$1" <<'EOF'
import json, sys
d = json.load(open("data.json"))
def box(i):
    return next(b for b in d["ordersheets"] if b["shipmentBoxId"] == i)
def request(rid, kind, status, items, reason="고객변심"):
    d.setdefault("returnRequests", []).append({
        "receiptId": rid, "orderId": 9100000000000 + rid % 100,
        "receiptType": kind, "receiptStatus": status,
        "createdAt": "2026-11-20T12:00:00", "modifiedAt": "2026-11-20T12:00:00",
        "cancelReasonCategory1": "고객변심", "cancelReasonCategory2": reason,
        "returnItems": [{"vendorItemId": v, "shipmentBoxId": b,
                         "purchaseCount": n, "cancelCount": n,
                         "releaseStatus": "N"} for b, v, n in items]})
def unrequest(rid):
    d["returnRequests"] = [r for r in d["returnRequests"] if r["receiptId"] != rid]
exec(sys.argv[1])
json.dump(d, open("data.json", "w"), ensure_ascii=False)
EOF
}

# line ID: the fetched line (in out) of shipment box ID.
line() {
	python3 -c '
import json, sys
for l in open("out"):
    r = json.loads(l)
    if r["external_order_id"] == sys.argv[1]:
        print(l, end="")
' "$1"
}

fetch() {
	uoms-fetch --channel cp1 --since "$SINCE" "$@" >out
}

@test "coupang: a box cancelled after it was fetched: the next fetch cancels it" {
	start
	fetch
	uoms-upsert <out >/dev/null
	uoms-query --channel cp1 --status WAITING | jget external_order_id >waiting
	grep -qx 100001 waiting

	# The customer cancels box 100001 (payment complete): it leaves the
	# lists, and a done CANCEL request names it.
	change 'box(100001)["orderItems"][0].update(shippingCount=0, cancelCount=2)
request(5001, "CANCEL", "RETURNS_COMPLETED", [(100001, 3242596358, 2)])'
	fetch
	[ "$(line 100001 | jget status)" = CANCEL ]
	[ "$(line 100001 | jget channel_status)" = CANCEL ]
	[ "$(line 100001 | jget items[0].quantity)" = 2 ]
	[ "$(line 100001 | jget items[0].cancelled_quantity)" = 2 ]
	[ "$(line 100001 | jget channel_holds)" = "[]" ]
	# It was read on its own, by its box id.
	grep -q '"path": "/v2/providers/openapi/apis/api/v4/vendors/A00012345/ordersheets/100001"' server.log
	uoms-upsert <out >/dev/null
	run uoms-query --channel cp1 --status CANCEL
	[ "$(printf '%s\n' "$output" | jget external_order_id)" = 100001 ]
}

@test "coupang: a done cancel the order sheet does not show yet is counted once, not twice" {
	# The sheet still lists the box with both units; the request says 2
	# were cancelled: 2 ordered, 2 cancelled (not 4, not 2 + 2).
	start
	change 'request(5002, "CANCEL", "RETURNS_COMPLETED", [(100001, 3242596358, 2)])'
	fetch
	[ "$(line 100001 | jget items[0].quantity)" = 2 ]
	[ "$(line 100001 | jget items[0].cancelled_quantity)" = 2 ]
	[ "$(line 100001 | jget status)" = CANCEL ]
	# The sheet catches up: the same numbers.
	change 'box(100001)["orderItems"][0].update(shippingCount=0, cancelCount=2)'
	fetch
	[ "$(line 100001 | jget items[0].quantity)" = 2 ]
	[ "$(line 100001 | jget items[0].cancelled_quantity)" = 2 ]
	# One of the two units of box 100009's milk: a partial cancel stays
	# WAITING.
	change 'request(5003, "CANCEL", "RETURNS_COMPLETED", [(100009, 70000009, 1)])'
	fetch
	[ "$(line 100009 | jget items[0].cancelled_quantity)" = 1 ]
	[ "$(line 100009 | jget items[0].quantity)" = 2 ]
	[ "$(line 100009 | jget status)" = WAITING ]
}

@test "coupang: a ship-stop request holds the box: the line carries it until it ends" {
	start
	change 'request(6001, "RETURN", "RELEASE_STOP_UNCHECKED", [(100002, 70000001, 1)], "주문 실수")'
	fetch
	line 100002 | jget channel_holds >got
	echo '[{"key": "coupang:return:6001", "note": "Coupang ship-stop request 6001: 주문 실수"}]' >want
	diff -u want got
	# Listed under RU and UC both, it is one hold.
	[ "$(grep -c returnRequests server.log)" -eq 5 ]
	# Every other box says none, so ended requests end their holds.
	[ "$(python3 -c '
import json
print(sum(1 for l in open("out") if json.loads(l)["channel_holds"] == []))')" -eq 9 ]
	# The seller stopped it: the request is done, the hold gone, the
	# unit cancelled; the box's other item still ships.
	change 'd["returnRequests"][0]["receiptStatus"] = "RETURNS_COMPLETED"'
	fetch
	[ "$(line 100002 | jget channel_holds)" = "[]" ]
	[ "$(line 100002 | jget items[0].cancelled_quantity)" = 1 ]
	[ "$(line 100002 | jget items[1].cancelled_quantity)" = null ]
	[ "$(line 100002 | jget status)" = WAITING ]
}

@test "coupang end to end: a ship-stop request holds the stored order once, and its end resolves it" {
	start
	fetch
	uoms-upsert <out >/dev/null
	id=$(uoms-query --channel cp1 | python3 -c '
import json, sys
for l in sys.stdin:
    o = json.loads(l)
    if o["external_order_id"] == "100002":
        print(o["id"])')
	[ -n "$id" ]
	change 'request(6001, "RETURN", "RELEASE_STOP_UNCHECKED", [(100002, 70000001, 1)], "주문 실수")'
	for i in 1 2 3; do
		fetch
		uoms-upsert <out >/dev/null
	done
	# One hold, by the channel, naming the request, however often read.
	uoms-query --id "$id" | jget holds >holds
	[ "$(python3 -c 'import json, sys; print(len(json.load(sys.stdin)))' <holds)" = 1 ]
	[ "$(jget '[0].placed_by' <holds)" = channel:cp1 ]
	[ "$(jget '[0].state' <holds)" = open ]
	[ "$(jget '[0].note' <holds)" = "Coupang ship-stop request 6001: 주문 실수" ]
	# Nothing ships while it stands.
	run --separate-stderr uoms-status --to IN_PROGRESS "$id"
	[ "$status" -eq 1 ]
	[[ "$stderr" == *on_hold* ]]
	# The seller stopped the box: the request is done, the hold resolved.
	change 'd["returnRequests"][0]["receiptStatus"] = "RETURNS_COMPLETED"'
	fetch
	uoms-upsert <out >/dev/null
	[ "$(uoms-query --id "$id" | jget holds)" = "[]" ]
	uoms-hold list --state resolved >resolved
	[ "$(jget order_id <resolved)" = "$id" ]
	[ "$(jget operator <resolved)" = channel:cp1 ]
	[ "$(uoms-query --id "$id" | jget 'items[0].cancelled_quantity')" = 1 ]
}

@test "coupang: a return under way holds; requests page with an opaque nextToken" {
	start
	change 'request(7001, "RETURN", "RETURNS_UNCHECKED", [(100006, 70000006, 1)])
request(7002, "RETURN", "REQUEST_COUPANG_CHECK", [(100006, 70000006, 1)])
request(7003, "RETURN", "RETURNS_UNCHECKED", [(100005, 70000005, 1)])
request(7004, "RETURN", "VENDOR_WAREHOUSE_CONFIRM", [(100003, 70000003, 1)])'
	run --separate-stderr uoms-fetch --channel cp1 --since "$SINCE"
	[ "$status" -eq 0 ]
	printf '%s\n' "$output" >out
	[ "$(line 100006 | jget channel_holds | jget '[0].key')" = coupang:return:7001 ]
	[ "$(line 100006 | jget channel_holds | jget '[1].note')" = "Coupang return request 7002 (REQUEST_COUPANG_CHECK): 고객변심" ]
	[ "$(line 100005 | jget channel_holds | jget '[0].key')" = coupang:return:7003 ]
	[ "$(line 100003 | jget channel_holds | jget '[0].key')" = coupang:return:7004 ]
	# UC had three, two a page: the second page asked with the token
	# the first gave, which is no receipt id.
	token=$(python3 -c '
import json
for l in open("server.log"):
    r = json.loads(l)
    if "status=UC" in r["path"] and "nextToken=" in r["path"]:
        print(r["path"].split("nextToken=")[1].split("&")[0])')
	[ -n "$token" ]
	[[ "$token" != 700* ]]
	# A delivered box returned: its units are cancelled once the return
	# is done, its status stays delivered.
	change 'd["returnRequests"] = [r for r in d["returnRequests"] if r["receiptId"] != 7002]
d["returnRequests"][0]["receiptStatus"] = "RETURNS_COMPLETED"'
	fetch
	[ "$(line 100006 | jget channel_holds)" = "[]" ]
	[ "$(line 100006 | jget items[0].cancelled_quantity)" = 1 ]
	[ "$(line 100006 | jget status)" = COMPLETE ]
}

@test "coupang: units waiting for a cancel (holdCountForCancel) hold the box" {
	start
	change 'box(100004)["orderItems"][0]["holdCountForCancel"] = 1'
	fetch
	[ "$(line 100004 | jget channel_holds | jget '[0].key')" = coupang:hold-for-cancel:70000004 ]
	[ "$(line 100004 | jget channel_holds | jget '[0].note')" = "Coupang: 1 unit of item 70000004 waits for a cancel (holdCountForCancel)" ]
	[ "$(line 100004 | jget items[0].quantity)" = 2 ]
	[ "$(line 100004 | jget items[0].cancelled_quantity)" = null ]
}

@test "coupang: an open box older than the look-back window is read on its own until it is delivered" {
	# Box 100005, DELIVERING, placed 9 days ago; 100003 too (DEPARTURE).
	cp "$SRC/t/data/kind-coupang.json" data.json
	change 'box(100005)["orderedAt"] = "2026-11-12T12:00:00"
box(100003)["orderedAt"] = "2026-11-12T11:00:00"'
	start
	uoms-fetch --channel cp1 --since "$(date -u -d '12 days ago' +%Y-%m-%dT%H:%M:%SZ)" | uoms-upsert >/dev/null
	[ "$(uoms-query --channel cp1 --status IN_PROGRESS | jget external_order_id | sort | tr '\n' ' ')" = "100003 100005 100007 " ]

	# Delivered today. A fetch of the last day (no look-back) lists it
	# no more: it is read by its box id, one a run (refresh_max 1),
	# oldest first.
	change 'box(100005).update(status="FINAL_DELIVERY", deliveredDate="2026-11-20 18:00:00")'
	uoms-channel update cp1 --set lookback_days=0 --set refresh_max=1 >/dev/null
	: >server.log
	uoms-fetch --channel cp1 --since "$(date -u -d '1 hour ago' +%Y-%m-%dT%H:%M:%SZ)" >out
	[ "$(grep -c '/ordersheets/100' server.log)" -eq 1 ]
	grep -q '/ordersheets/100003"' server.log
	uoms-channel update cp1 --set refresh_max=100 >/dev/null
	: >server.log
	uoms-fetch --channel cp1 --since "$(date -u -d '1 hour ago' +%Y-%m-%dT%H:%M:%SZ)" >out
	grep -q '/ordersheets/100005"' server.log
	[ "$(line 100005 | jget status)" = COMPLETE ]
	uoms-upsert <out >/dev/null
	[ "$(uoms-query --channel cp1 --status COMPLETE | jget external_order_id | sort | tr '\n' ' ')" = "100005 100006 100010 " ]
	# Delivered, it is not read again; 100003 (on its way) still is.
	: >server.log
	uoms-fetch --channel cp1 --since "$(date -u -d '1 hour ago' +%Y-%m-%dT%H:%M:%SZ)" >out
	! grep -q '/ordersheets/100005"' server.log || false
	grep -q '/ordersheets/100003"' server.log
}

@test "coupang: a box Coupang no longer shows is skipped with a warning, the fetch goes on" {
	start
	change 'request(8001, "RETURN", "RETURNS_UNCHECKED", [(999999, 1, 1)])'
	run --separate-stderr uoms-fetch --channel cp1 --since "$SINCE"
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 10 ]
	[ "$stderr" = "uoms-fetch: channel cp1: shipment box '999999' not read: coupang answered HTTP 400" ]
}

@test "coupang: a 429 stops the channel's run at once, saying when to fetch again" {
	start --fail 3:429:120
	run --separate-stderr uoms-fetch --channel cp1 --since "$SINCE"
	[ "$status" -eq 3 ]
	[ "${#lines[@]}" -eq 0 ]
	[[ "$stderr" == "uoms-fetch: channel cp1: coupang is throttling this vendor (HTTP 429): stopped without retrying, since asking again while throttled makes Coupang block for minutes to tens of minutes; fetch again after 20"*Z ]]
	# Not retried: three requests, the last the one refused.
	[ "$(wc -l <server.log)" -eq 3 ]
	# When: about two minutes from now (Retry-After: 120).
	at=$(sed -n 's/.*fetch again after \(.*Z\).*/\1/p' <<<"$stderr")
	d=$(( $(date -u -d "$at" +%s) - $(date -u +%s) ))
	[ "$d" -gt 100 ] && [ "$d" -le 120 ]
}

# signed PATH QUERY: the HTTP status and body of a signed GET to the fake.
signed() {
	python3 - "$PORT" "$1" "$2" <<'EOF'
import datetime, hashlib, hmac, sys, urllib.error, urllib.request
port, path, query = sys.argv[1:]
date = datetime.datetime.now(datetime.timezone.utc).strftime("%y%m%dT%H%M%SZ")
sig = hmac.new(b"sk-claims-0123456789", (date + "GET" + path + query).encode(), hashlib.sha256).hexdigest()
r = urllib.request.Request("http://127.0.0.1:%s%s?%s" % (port, path, query))
r.add_header("Authorization", "CEA algorithm=HmacSHA256, access-key=ak-claims-test, "
             "signed-date=%s, signature=%s" % (date, sig))
try:
    with urllib.request.urlopen(r) as a:
        print(a.status, a.read().decode())
except urllib.error.HTTPError as e:
    print(e.code, e.read().decode())
EOF
}

@test "coupang: spans of at most 31 days for the requests too, as the fake (and Coupang) insist" {
	start
	# The kind cuts 70 days into three spans, requests included.
	uoms-fetch --channel cp1 --since "$(date -u -d '70 days ago' +%Y-%m-%dT%H:%M:%SZ)" >out
	[ "$(wc -l <out)" -eq 10 ]
	[ "$(grep -c 'returnRequests?' server.log)" -eq 15 ]
	# What the fake refuses, as the real API does.
	P=/v2/providers/openapi/apis/api/v4/vendors/A00012345/returnRequests
	run signed $P "createdAtFrom=2026-01-01&createdAtTo=2026-02-05&cancelType=RETURN&status=UC"
	[[ "$output" == "400 "*"at most 31 days"* ]]
	run signed $P "createdAtFrom=2026-01-01&createdAtTo=2026-01-05&cancelType=CANCEL&status=UC"
	[[ "$output" == "400 "*"takes no status"* ]]
	run signed $P "createdAtFrom=2026-01-01&createdAtTo=2026-01-05&cancelType=RETURN&status=UC&nextToken=7001"
	[[ "$output" == "400 "*"nextToken is not valid"* ]]
	run signed $P "createdAtFrom=2026-01-01&createdAtTo=2026-01-05&cancelType=RETURN&status=UC"
	[[ "$output" == "200 "* ]]
}

@test "coupang: an exchange request after fetch holds the box it takes back; when it completes, the hold goes" {
	start
	fetch
	uoms-upsert <out >/dev/null
	id=$(uoms-query --channel cp1 | python3 -c '
import json, sys
for l in sys.stdin:
    o = json.loads(l)
    if o["external_order_id"] == "100004":
        print(o["id"])')
	[ -n "$id" ]
	[ "$(uoms-query --id "$id" | jget holds)" = "[]" ]
	# Three exchanges, two a page (opaque nextToken): one received on
	# box 100004, one being picked up on 100005, one rejected on 100002.
	change '
def exchange(xid, status, box, reason):
    d.setdefault("exchangeRequests", []).append({
        "exchangeId": xid, "orderId": box["orderId"], "vendorId": "A00012345",
        "exchangeStatus": status, "reasonCodeText": reason,
        "createdAt": "2026-11-20T15:00:00", "modifiedAt": "2026-11-20T15:00:00",
        "exchangeItemDtoV1s": [{"exchangeItemId": xid * 10,
                                "originalShipmentBoxId": box["shipmentBoxId"],
                                "quantity": 1}]})
exchange(7001, "RECEIPT", box(100004), "사이즈 교환")
exchange(7002, "PROGRESS", box(100005), "색상 교환")
exchange(7003, "REJECT", box(100002), "품절")'
	fetch
	[ "$(grep -c exchangeRequests server.log)" -ge 3 ]
	line 100004 | jget channel_holds >got
	echo '[{"key": "coupang:exchange:7001", "note": "Coupang exchange request 7001 (RECEIPT): 사이즈 교환"}]' >want
	diff -u want got
	[ "$(line 100005 | jget 'channel_holds[0].key')" = coupang:exchange:7002 ]
	[ "$(line 100002 | jget channel_holds)" = "[]" ]
	uoms-upsert <out >/dev/null
	[ "$(uoms-query --id "$id" | jget 'holds[0].note')" = "Coupang exchange request 7001 (RECEIPT): 사이즈 교환" ]
	# Nothing ships while it stands.
	run --separate-stderr uoms-status --to IN_PROGRESS "$id"
	[ "$status" -eq 1 ]
	[[ "$stderr" == *on_hold* ]]
	# The exchange is done: the next fetch resolves the hold.
	change 'd["exchangeRequests"][0]["exchangeStatus"] = "SUCCESS"'
	fetch
	[ "$(line 100004 | jget channel_holds)" = "[]" ]
	uoms-upsert <out >/dev/null
	[ "$(uoms-query --id "$id" | jget holds)" = "[]" ]
	uoms-status --to IN_PROGRESS "$id" >/dev/null
}
