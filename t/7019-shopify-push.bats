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
