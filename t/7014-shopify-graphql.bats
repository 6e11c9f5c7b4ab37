#!/usr/bin/env bats
# kind shopify on the GraphQL Admin API (issue 10, item 3), end to end
# through uoms-channel, uoms-fetch and uoms-upsert against
# t/fake/shopify_server.py: orders sorted by update time and paged by
# cursor, the query cost bucket (a throttled answer is waited out as its
# cost says, never asked again at once), a run stopped half-way then run
# again missing nothing, the catalog through productVariants past 100
# variants, what Shopify redacts left out, the deprecation header said
# once, and a version Shopify does not serve refused.
load helper

export UOMS_SECRET_KEY=00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff
TOKEN=shpat_test_token

teardown() {
	fake_stop_all
}

# add_shop NAME [ARGS...]: the channel on the fake server, four a page.
add_shop() {
	local name=$1
	shift
	printf '%s\n' "$TOKEN" | uoms-channel add "$name" --kind shopify \
	    --base-url "http://127.0.0.1:$PORT" --secret access_token \
	    --set limit="${LIMIT:-4}" "$@" >/dev/null
}

# orders_json FILE: the fake's nine generated orders, as a --data file.
orders_json() {
	python3 -c '
import json, sys
sys.path.insert(0, sys.argv[1])
import shopify_server
json.dump({"orders": shopify_server.generated(9)}, open(sys.argv[2], "w"))
' "$SRC/t/fake" "$1"
}

# field LOG N NAME: the value of NAME=... on line N of the log.
field() {
	sed -n "$2p" "$1" | tr ' ' '\n' | sed -n "s/^$3=//p"
}

@test "shopify graphql: pages come sorted by update time, each order once" {
	orders_json shop.json
	# Updated in the reverse order of their ids: by id (Shopify's
	# default sort) the first page would hold the oldest ids.
	python3 -c '
import json
d = json.load(open("shop.json"))
for i, o in enumerate(d["orders"]):
    o["updated_at"] = "2026-11-22T%02d:00:00Z" % (20 - i)
json.dump(d, open("shop.json", "w"))
'
	fake_start shopify_server.py --data shop.json --log server.log
	add_shop shop1
	run --separate-stderr uoms-fetch --channel shop1 --since 2026-11-01
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	printf '%s\n' "$output" | python3 -c '
import json, sys
print(" ".join(json.loads(l)["external_order_id"][-1] for l in sys.stdin))
' >got
	[ "$(cat got)" = "9 8 7 6 5 4 3 2 1" ]
	[ "$(grep -c ' orders first=4 ' server.log)" -eq 3 ]
	[ "$(grep -c ' after=- ' server.log)" -eq 1 ]
}

@test "shopify graphql: a throttled answer is waited out as its cost says" {
	# An empty bucket of 60 points filling 40 a second; a page of four
	# asks 2 + 4 x (1 + 3 nested connections) = 18 points, which it
	# holds 0.45 s after the first query (the bucket fills from then).
	fake_start shopify_server.py --log server.log --times \
	    --cost-max 60 --cost-start 0 --restore 40
	add_shop shop1
	run --separate-stderr uoms-fetch --channel shop1 --since 2026-11-01
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 9 ]
	# Refused once, then not asked again before the bucket held the
	# cost: 18 / 40 = 0.45 s after.
	[ "$(grep -c ' -> THROTTLED ' server.log)" -eq 1 ]
	sed -n 1p server.log | grep -q ' after=- .* -> THROTTLED ready=0.450 '
	sed -n 2p server.log | grep -q ' after=- .* -> 200 '
	python3 - "$(field server.log 1 at)" "$(field server.log 2 at)" <<'EOF'
import sys
t1, t2 = map(float, sys.argv[1:])
assert t2 - t1 >= 0.45 - 0.02, "asked again after %.3f s" % (t2 - t1)
EOF
	# After each page the kind waits for what the next one costs when
	# the bucket has less: never a second THROTTLED.
	for n in 2 3; do
		python3 - "$(field server.log $n left)" "$(field server.log $n at)" \
		    "$(field server.log $((n + 1)) at)" <<'EOF'
import sys
left, t1, t2 = map(float, sys.argv[1:])
need = max(0.0, (18 - left) / 40)
assert t2 - t1 >= need - 0.02, "waited %.3f s of %.3f" % (t2 - t1, need)
EOF
	done
}

@test "shopify graphql: THROTTLED again and again fails the channel, bounded" {
	# A bucket that never holds a page (10 points, a page asks 18).
	fake_start shopify_server.py --log server.log --cost-max 10 --restore 50
	add_shop shop1
	run --separate-stderr uoms-fetch --channel shop1 --since 2026-11-01
	[ "$status" -eq 3 ]
	[ -z "$output" ]
	[[ "$stderr" == *"channel shop1: throttled 6 times in a row (query cost 18)"* ]]
	[ "$(grep -c ' -> THROTTLED ' server.log)" -eq 6 ]
}

@test "shopify graphql: a fetch stopped half-way, run again, misses nothing" {
	orders_json shop.json
	# The fifth request (the second run's second page) is broken.
	fake_start shopify_server.py --data shop.json --log server.log \
	    --fail 5:badjson
	add_shop shop1
	uoms-fetch --channel shop1 --since 2026-11-01 | uoms-upsert >/dev/null
	[ "$(sql "select count(*) from orders")" -eq 9 ]

	# Every order changes on the channel after that run.
	next_second
	python3 -c '
import datetime, json
now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
d = json.load(open("shop.json"))
for o in d["orders"]:
    o.update(updated_at=now, financial_status="paid",
             fulfillment_status="fulfilled", cancelled_at=None, refunds=[])
json.dump(d, open("shop.json", "w"))
'
	run --separate-stderr bash -c 'set -o pipefail
	    uoms-fetch --channel shop1 | uoms-upsert'
	[ "$status" -eq 3 ]
	[[ "$stderr" == *"channel shop1"* ]]
	# The first page's four changed (#1005 was paid and fulfilled before).
	[ "$(uoms-query --channel shop1 | grep -c '"channel_status":"paid/fulfilled"')" -eq 5 ]

	# The watermark did not move: the rerun asks from the same time and
	# gets every order, the four it had again.
	run --separate-stderr sh -c 'uoms-fetch --channel shop1 | uoms-upsert --summary'
	[ "$status" -eq 0 ]
	[[ "$stderr" == *"read 9,"* ]]
	[ "$(uoms-query --channel shop1 | grep -c '"channel_status":"paid/fulfilled"')" -eq 9 ]
	[ "$(field server.log 4 query)" = "$(field server.log 6 query)" ]
	[ "$(sed -n 6p server.log | grep -c ' after=- ')" -eq 1 ]
}

@test "shopify graphql: the catalog past 100 variants of one product" {
	fake_start shopify_server.py --log server.log --variants 150
	LIMIT=50 add_shop shop1
	run --separate-stderr uoms-fetch --channel shop1 --products --since 2026-11-01
	[ "$status" -eq 0 ]
	# The 8 variants of the default catalog, one without a SKU, and Big's
	# 150: 157 lines over four pages of 50.
	[ "${#lines[@]}" -eq 157 ]
	[ "$(printf '%s\n' "$output" | grep -c '"sku":"BIG-')" -eq 150 ]
	printf '%s\n' "$output" | grep -q '"sku":"BIG-150","name":"Big / V150",.*"price":100,"stock":150'
	[ "$(grep -c ' productVariants first=50 ' server.log)" -eq 4 ]
	printf '%s\n' "$output" | uoms-upsert --products >/dev/null
	[ "$(sql "select count(*) from products where sku like 'BIG-%'")" -eq 150 ]
}

@test "shopify graphql: fields Shopify redacts arrive absent, never as errors" {
	fake_start shopify_server.py --log server.log --redact
	add_shop shop1
	run --separate-stderr uoms-fetch --channel shop1 --since 2026-11-01
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	[ "${#lines[@]}" -eq 9 ]
	[ "$(printf '%s\n' "$output" | grep -c '"customer"\|"shipping"\|"phone')" -eq 0 ]
	printf '%s\n' "$output" | grep -q '"external_order_id":"5000000001",.*"status":"WAITING"'
	run --separate-stderr sh -c 'uoms-fetch --channel shop1 --since 2026-11-01 | uoms-upsert --summary'
	[ "$status" -eq 0 ]
	[[ "$stderr" == *"created 9,"*"rejected 0"* ]]
}

@test "shopify graphql: the deprecated reason is said once a run, masked" {
	fake_start shopify_server.py --log server.log \
	    --deprecated "Order.phone (token $TOKEN)"
	add_shop shop1 --set api_version=2026-07
	run --separate-stderr uoms-fetch --channel shop1 --since 2026-11-01
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 9 ]
	[ "$(grep -c '/admin/api/2026-07/graphql.json' server.log)" -eq 3 ]
	[ "$stderr" = "uoms-fetch: channel shop1: api_version 2026-07: Shopify deprecates what it is asked: Order.phone (token ****)" ]
}

@test "shopify graphql: a version Shopify does not serve is a 404, said" {
	fake_start shopify_server.py --log server.log
	add_shop shop1 --set api_version=2023-01
	run --separate-stderr uoms-fetch --channel shop1 --since 2026-11-01
	[ "$status" -eq 3 ]
	[ -z "$output" ]
	[[ "$stderr" == *"channel shop1: HTTP 404"* ]]
	grep -q '^POST /admin/api/2023-01/graphql.json -> 404$' server.log
}
