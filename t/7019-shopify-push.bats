#!/usr/bin/env bats
# uoms-push to kind shopify (issue 10 item 5): no acknowledgement, a
# shipment is two GraphQL requests (the order's fulfillment orders, then
# fulfillmentCreate with the tracking info), against
# t/fake/shopify_server.py, which logs each fulfillment it takes (method,
# path and JSON body) to --push-log and refuses what Shopify refuses.
load helper

export UOMS_SECRET_KEY=00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff
TOKEN=shpat_push_Token_91c3

teardown() {
	fake_stop_all
}

# shop_setup [FAKE ARGS...]: the fake (its nine generated orders), the
# channel "shop" on it, its orders fetched into the store.
shop_setup() {
	fake_start shopify_server.py --token "$TOKEN" --push-log push.log \
	    --log server.log "$@"
	printf '%s\n' "$TOKEN" | uoms-channel add shop --kind shopify \
	    --base-url "http://127.0.0.1:$PORT" --secret access_token \
	    >/dev/null
	uoms-fetch --channel shop --since 2026-11-01 | uoms-upsert >/dev/null
}

# ref N: the store's id of the fake's order 500000000N.
ref() {
	uoms-query --channel shop | python3 -c '
import json, sys
for l in sys.stdin:
    r = json.loads(l)
    if r["external_order_id"] == "500000000" + sys.argv[1]:
        print(r["id"])
' "$1"
}

# ship ID [CARRIER]: moved to IN_PROGRESS (ships: true in dispatch) with
# a tracking number.
ship() {
	uoms-status --to IN_PROGRESS "$1" >/dev/null
	uoms-edit --set shipment.carrier="${2:-cj}" \
	    --set shipment.tracking_number=6400123456$1 "$1" >/dev/null
}

# fulfilled N: how many fulfillments of order 500000000N the fake took.
fulfilled() {
	python3 - "$1" <<'PY'
import json, sys
n = 0
try:
    for line in open("push.log"):
        v = json.loads(line)["body"]["variables"]["fulfillment"]
        fo = v["lineItemsByFulfillmentOrder"][0]["fulfillmentOrderId"]
        n += fo == "gid://shopify/FulfillmentOrder/500000000%s1" % sys.argv[1]
except FileNotFoundError:
    pass
print(n)
PY
}

@test "shopify push: no ack; the shipment is fulfillmentCreate with the documented body, then the order reads fulfilled" {
	shop_setup
	id=$(ref 2)
	[ -n "$id" ]
	ship "$id"
	run --separate-stderr uoms-push "$id"
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 1 ]
	[ "$(echo "$output" | jget push)" = ship ]
	[ "$(echo "$output" | jget state)" = sent ]
	[ "$(echo "$output" | jget answer.id)" = gid://shopify/Fulfillment/1062533001 ]
	[ "$(sql "SELECT what || ':' || state FROM pushes")" = ship:sent ]
	# the query first (its cost within 1000), then the mutation
	[ "$(grep -c "order id=gid://shopify/Order/5000000002 -> 200" server.log)" -eq 1 ]
	[ "$(grep -c "fulfillmentCreate -> 200" server.log)" -eq 1 ]
	[ "$(wc -l < push.log)" -eq 1 ]
	python3 - "$id" <<'PY'
import json, sys
got = json.loads(open("push.log").readline())
want = {
    "method": "POST",
    "path": "/admin/api/2026-10/graphql.json",
    "body": {
        "query": "mutation fulfillmentCreate($fulfillment: FulfillmentInput!, "
                 "$message: String) { fulfillmentCreate(fulfillment: "
                 "$fulfillment, message: $message) { fulfillment { id status "
                 "trackingInfo { company number } } userErrors { field "
                 "message } } }",
        "variables": {"fulfillment": {
            "lineItemsByFulfillmentOrder": [
                {"fulfillmentOrderId": "gid://shopify/FulfillmentOrder/50000000021"}],
            "trackingInfo": {"company": "CJ Logistics",
                             "number": "6400123456" + sys.argv[1]},
            "notifyCustomer": True}}}}
assert got == want, json.dumps(got, indent=1)
PY
	# Shopify now has it fulfilled: the next fetch says so
	run --separate-stderr uoms-fetch --channel shop --since 2026-11-01
	[ "$status" -eq 0 ]
	echo "$output" | grep '"external_order_id":"5000000002"' | grep -q '"status":"COMPLETE"'
	run uoms-events --order "$id" --type pushed
	[ "${#lines[@]}" -eq 1 ]
	[ "$(echo "${lines[0]}" | jget details.answer.trackingInfo.0.number)" = "6400123456$id" ]
}

@test "shopify push: reruns send nothing again; two uoms-push at once fulfil each order once" {
	shop_setup
	ids=""
	for n in 1 2 3 4; do
		id=$(ref $n)
		# order 4 came partly fulfilled: IN_PROGRESS already
		if [ "$n" -eq 4 ]; then
			uoms-edit --set shipment.carrier=hanjin \
			    --set shipment.tracking_number=9$id "$id" >/dev/null
		else
			ship "$id"
		fi
		ids="$ids $id"
	done
	uoms-query --channel shop > refs.jsonl
	uoms-push < refs.jsonl > a.out 2> a.err &
	a=$!
	uoms-push < refs.jsonl > b.out 2> b.err &
	b=$!
	wait "$a" || true
	wait "$b" || true
	for n in 1 2 3 4; do
		[ "$(fulfilled $n)" -eq 1 ]
	done
	[ "$(wc -l < push.log)" -eq 4 ]
	[ "$(cat a.out b.out | grep -c '"state":"sent"')" -eq 4 ]
	[ "$(sql "SELECT count(*) FROM pushes WHERE state = 'sent'")" -eq 4 ]
	for run in 1 2 3; do
		run --separate-stderr uoms-push $ids
		[ "$status" -eq 0 ]
		[ -z "$output" ]
	done
	[ "$(wc -l < push.log)" -eq 4 ]
	[ "$(grep -c 'fulfillmentCreate -> 200' server.log)" -eq 4 ]
	# Hanjin's name in carriers.tsv's shopify column
	grep -q '"company": "Hanjin"' push.log
}

@test "shopify push: a fulfillment order closed meanwhile is refused with Shopify's userErrors message" {
	shop_setup --close-between
	id=$(ref 2)
	ship "$id"
	run --separate-stderr uoms-push --reject rej.jsonl "$id"
	[ "$status" -eq 1 ]
	msg="ship refused by channel shop: fulfillment: Fulfillment order 50000000021 has an unfulfillable status= closed."
	[[ "$stderr" == *"order $id: invalid: $msg"* ]]
	[ "$(jget error.message < rej.jsonl)" = "$msg" ]
	[ "$(jget id < rej.jsonl)" = "$id" ]
	[ "$(echo "$output" | jget state)" = refused ]
	[ "$(echo "$output" | jget answer.0.message)" = "Fulfillment order 50000000021 has an unfulfillable status= closed." ]
	[ "$(sql "SELECT state FROM pushes")" = refused ]
	[ ! -e push.log ]
	run uoms-push "$id"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	[ "$(grep -c 'fulfillmentCreate' server.log)" -eq 1 ]
}

@test "shopify push: an order with no open fulfillment order is refused before any fulfillment is asked" {
	python3 -c '
import json, sys
sys.path.insert(0, sys.argv[1])
import shopify_server
json.dump({"orders": shopify_server.generated(9)}, open("shop.json", "w"))
' "$SRC/t/fake"
	shop_setup --data shop.json
	id=$(ref 2)
	ship "$id"
	# fulfilled by hand on Shopify since it was fetched
	python3 -c '
import json
d = json.load(open("shop.json"))
o = d["orders"][1]
o["fulfillment_orders"] = [{"id": 50000000021, "status": "CLOSED", "line_items": [{"id": 90000000021, "quantity": 1}]}]
json.dump(d, open("shop.json", "w"))
'
	run --separate-stderr uoms-push --reject rej.jsonl "$id"
	[ "$status" -eq 1 ]
	[[ "$stderr" == *"ship refused by channel shop: no open fulfillment order: fulfilled or closed on Shopify"* ]]
	[ "$(echo "$output" | jget answer.0.status)" = CLOSED ]
	[ "$(sql "SELECT state FROM pushes")" = refused ]
	[ "$(grep -c 'fulfillmentCreate' server.log || true)" -eq 0 ]
	[ ! -e push.log ]
}

@test "shopify push: a token Shopify refuses is a refusal with its message, nothing fulfilled" {
	shop_setup
	id=$(ref 2)
	ship "$id"
	printf 'shpat_wrong\n' | uoms-channel update shop --secret access_token >/dev/null
	run --separate-stderr uoms-push --reject rej.jsonl "$id"
	[ "$status" -eq 1 ]
	[[ "$stderr" == *"ship refused by channel shop: authentication failed (HTTP 401): [API] Invalid API key or access token"* ]]
	[[ "$stderr" != *shpat_wrong* && "$output" != *shpat_wrong* ]]
	[ "$(sql "SELECT state FROM pushes")" = refused ]
	[ ! -e push.log ]
	# the right token again: --resend sends it
	printf '%s\n' "$TOKEN" | uoms-channel update shop --secret access_token >/dev/null
	run --separate-stderr uoms-push --resend "$id"
	[ "$status" -eq 0 ]
	[ "$(echo "$output" | jget state)" = sent ]
	[ "$(fulfilled 2)" -eq 1 ]
}

@test "shopify push: --dry-run prints the first request with the token masked and writes nothing" {
	shop_setup
	id=$(ref 2)
	ship "$id"
	events=$(sql "SELECT count(*) FROM events")
	requests=$(wc -l < server.log)
	run --separate-stderr uoms-push --dry-run "$id"
	[ "$status" -eq 0 ]
	[[ "$output" == *"# push ship of order $id to channel shop (shopify)"* ]]
	[[ "$output" == *"POST http://127.0.0.1:$PORT/admin/api/2026-10/graphql.json"* ]]
	[[ "$output" == *"X-Shopify-Access-Token: ****"* ]]
	[[ "$output" != *"$TOKEN"* && "$stderr" != *"$TOKEN"* ]]
	[ "$(wc -l < server.log)" -eq "$requests" ]
	[ ! -e push.log ]
	[ "$(sql "SELECT count(*) FROM pushes")" -eq 0 ]
	[ "$(sql "SELECT count(*) FROM events")" -eq "$events" ]
}

@test "shopify push: a carrier Shopify has no name for, or one not known at all, is refused by name, nothing sent" {
	shop_setup
	id=$(ref 2)
	cp -R "$SRC/share/uoms" data
	printf 'nosuch\tNo Such\t-\t-\t-\t-\n' >> data/carriers.tsv
	UOMS_DATA=$PWD/data ship "$id" nosuch
	requests=$(wc -l < server.log)
	UOMS_DATA=$PWD/data run --separate-stderr uoms-push --reject rej.jsonl "$id"
	[ "$status" -eq 1 ]
	[[ "$stderr" == *"order $id: invalid: ship refused by channel shop: carrier 'nosuch' has no shopify name in carriers.tsv: not sent"* ]]
	grep -q "carrier 'nosuch' has no shopify name in carriers.tsv" rej.jsonl
	[ "$(sql "SELECT state FROM pushes")" = refused ]
	# the shipped carriers.tsv does not know it at all
	run --separate-stderr uoms-push --resend "$id"
	[ "$status" -eq 1 ]
	[[ "$stderr" == *"unknown carrier 'nosuch' (carriers.tsv has cj, hanjin, lotte, epost, logen): not sent"* ]]
	[ "$(wc -l < server.log)" -eq "$requests" ]
	[ ! -e push.log ]
}

@test "shopify push: a throttled fulfillment-order query waits as its cost says, then the fulfillment goes" {
	shop_setup
	id=$(ref 2)
	ship "$id"
	# a second fake whose bucket is empty at the first query and fills
	# 1000 points a second: the query (533 points) waits 0.533 s
	fake_start shopify_server.py --token "$TOKEN" --push-log push.log \
	    --log server2.log --times --cost-start 0 --restore 1000
	uoms-channel update shop --base-url "http://127.0.0.1:$PORT" >/dev/null
	run --separate-stderr uoms-push "$id"
	[ "$status" -eq 0 ]
	[ "$(echo "$output" | jget state)" = sent ]
	[ "$(grep -c ' order id=.* -> THROTTLED ' server2.log)" -eq 1 ]
	[ "$(grep -c ' order id=.* -> 200 ' server2.log)" -eq 1 ]
	[ "$(fulfilled 2)" -eq 1 ]
	python3 - <<'PY'
import re
lines = open("server2.log").read().splitlines()
t = [l for l in lines if "THROTTLED" in l][0]
ok = [l for l in lines if " order id=" in l and "-> 200" in l][0]
at = lambda l: float(re.search(r" at=([0-9.]+)", l).group(1))
ready = float(re.search(r"ready=([0-9.]+)", t).group(1))
assert 0.5 < ready < 0.6, ready
assert at(ok) - at(t) >= ready - 0.02, (at(ok) - at(t), ready)
PY
}

@test "shopify fake: refuses a FulfillmentInput Shopify's type check refuses, and a fulfillment without a number" {
	fake_start shopify_server.py --token "$TOKEN" --push-log push.log
	python3 - "$PORT" "$TOKEN" <<'PY'
import json, sys, urllib.request
port, token = sys.argv[1], sys.argv[2]
M = ("mutation fulfillmentCreate($fulfillment: FulfillmentInput!, $message: "
     "String) { fulfillmentCreate(fulfillment: $fulfillment, message: "
     "$message) { fulfillment { id } userErrors { field message } } }")
def ask(f):
    req = urllib.request.Request(
        "http://127.0.0.1:%s/admin/api/2026-10/graphql.json" % port,
        json.dumps({"query": M, "variables": {"fulfillment": f}}).encode(),
        {"Content-Type": "application/json",
         "X-Shopify-Access-Token": token})
    return json.load(urllib.request.urlopen(req))
fo = {"fulfillmentOrderId": "gid://shopify/FulfillmentOrder/50000000021"}
r = ask({"trackingInfo": {"number": "1"}})
assert r["errors"][0]["extensions"]["problems"][0]["path"] == \
    ["lineItemsByFulfillmentOrder"], r
r = ask({"lineItemsByFulfillmentOrder": [fo], "tracking": {"number": "1"}})
assert "Field is not defined on FulfillmentInput" in r["errors"][0]["message"], r
r = ask({"lineItemsByFulfillmentOrder": [fo], "trackingInfo": {"number": 1}})
assert r["errors"][0]["extensions"]["problems"][0]["path"] == \
    ["trackingInfo", "number"], r
r = ask({"lineItemsByFulfillmentOrder": [fo], "trackingInfo": {"company": "X"}})
assert r["data"]["fulfillmentCreate"]["userErrors"][0]["field"] == \
    ["fulfillment", "trackingInfo", "number"], r
r = ask({"lineItemsByFulfillmentOrder": [
    {"fulfillmentOrderId": "gid://shopify/FulfillmentOrder/1"}],
    "trackingInfo": {"number": "1"}})
assert r["data"]["fulfillmentCreate"]["userErrors"][0]["message"] == \
    "Fulfillment order does not exist.", r
# order 5 came fulfilled: its fulfillment order is closed
r = ask({"lineItemsByFulfillmentOrder": [
    {"fulfillmentOrderId": "gid://shopify/FulfillmentOrder/50000000051"}],
    "trackingInfo": {"number": "1"}})
assert r["data"]["fulfillmentCreate"]["userErrors"][0]["message"] == \
    "Fulfillment order 50000000051 has an unfulfillable status= closed.", r
PY
	[ ! -e push.log ]
}

@test "shopify push: kill -9 while the fulfillment is out leaves it in doubt; --resend, once checked, fulfils it once" {
	# request 1 is the fetch, 2 the fulfillment orders, 3 the mutation:
	# it hangs unanswered, not taken
	shop_setup --fail 3:hang --hang 30
	id=$(ref 2)
	ship "$id"
	uoms-push "$id" > /dev/null 2>&1 &
	pid=$!
	wait_for grep -q ' -> hang' server.log
	kill -9 "$pid"
	wait "$pid" || true
	[ "$(sql "SELECT state FROM pushes")" = sending ]
	run --separate-stderr uoms-push --reject rej.jsonl "$id"
	[ "$status" -eq 1 ]
	[[ "$stderr" == *"order $id: invalid: ship to channel shop: pushed or not?"*"uoms-push --resend $id"* ]]
	[ "$(fulfilled 2)" -eq 0 ]
	# Shopify's admin shows it unfulfilled: send it again
	run --separate-stderr uoms-push --resend "$id"
	[ "$status" -eq 0 ]
	[ "$(echo "$output" | jget state)" = sent ]
	[ "$(fulfilled 2)" -eq 1 ]
	[ "$(sql "SELECT state || ':' || attempts FROM pushes")" = sent:2 ]
}

@test "shopify push: a fulfillment order on hold refuses the whole shipment, naming it, never half sent" {
	python3 -c '
import json, sys
sys.path.insert(0, sys.argv[1])
import shopify_server
d = {"orders": shopify_server.generated(9)}
d["orders"][1]["fulfillment_orders"] = [
    {"id": 50000000021, "status": "OPEN", "line_items": [{"id": 1, "quantity": 1}]},
    {"id": 50000000022, "status": "ON_HOLD", "line_items": [{"id": 2, "quantity": 1}]}]
json.dump(d, open("shop.json", "w"))
' "$SRC/t/fake"
	shop_setup --data shop.json
	id=$(ref 2)
	ship "$id"
	run --separate-stderr uoms-push "$id"
	[ "$status" -eq 1 ]
	[[ "$stderr" == *"ship refused by channel shop: fulfillment order gid://shopify/FulfillmentOrder/50000000022 is ON_HOLD on Shopify: not all of the order can be fulfilled now"* ]]
	[ "$(sql "SELECT state FROM pushes")" = refused ]
	[ ! -e push.log ]
}
