#!/usr/bin/env bats
# kind shopify end to end, through uoms-channel, uoms-fetch and uoms-upsert,
# against t/fake/shopify_server.py (plain http on 127.0.0.1; real shops are
# https only, and the kind accepts http:// only for a loopback address).
# The server speaks the GraphQL Admin API (graphql.json): pages by the
# cursor of pageInfo, checks the token like the real API and answers 401
# when it is wrong. t/7014 covers the cost throttle, a run stopped
# half-way, the variants and what Shopify redacts; the legacy REST API
# (setting api=rest) keeps one test here.
load helper

export UOMS_SECRET_KEY=00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff
TOKEN=shpat_test_token

# start_shop [ARGS...]: the fake server, its port in PORT, its requests in
# server.log; teardown stops it.
start_shop() {
	python3 "$SRC/t/fake/shopify_server.py" --log "$BATS_TEST_TMPDIR/server.log" \
	    "$@" >"$BATS_TEST_TMPDIR/port" &
	SERVER_PID=$!
	for _ in $(seq 100); do
		[ -s "$BATS_TEST_TMPDIR/port" ] && break
		sleep 0.05
	done
	PORT=$(head -1 "$BATS_TEST_TMPDIR/port")
	[ -n "$PORT" ]
}

teardown() {
	if [ -n "${SERVER_PID:-}" ]; then
		kill "$SERVER_PID" 2>/dev/null || true
		wait "$SERVER_PID" 2>/dev/null || true
	fi
}

# add_shop NAME SECRET-LINES [ARGS...]: the channel, on the fake server,
# four orders a page; SECRET-LINES are fed to the --secret options in ARGS.
add_shop() {
	local name=$1 secrets=$2
	shift 2
	printf '%s\n' "$secrets" | uoms-channel add "$name" --kind shopify \
	    --base-url "http://127.0.0.1:$PORT" --set limit=4 "$@" >/dev/null
}

# The nine orders the server makes, one per status (financial_status /
# fulfillment_status / cancelled), as the kind must map them (dispatch).
want_dispatch() {
	cat <<'EOF'
{"channel":"shop1","channel_order_no":"#1001","channel_status":"pending/unfulfilled","channel_updated_at":"2026-11-21T01:00:30Z","currency":"KRW","customer":{"name":"홍길동0","phone":"010-1234-0000"},"external_order_id":"5000000001","items":[{"external_item_id":"9000000001","name":"사과 - 1kg","quantity":1,"sku":"SKU-0","unit_price":19000}],"order_no":"1001","placed_at":"2026-11-21T00:00:00Z","shipping":{"address":"테헤란로 1, 강남구, 서울, South Korea","postal_code":"06236"},"status":"WAITING","total_amount":19000,"workflow":"dispatch"}
{"channel":"shop1","channel_order_no":"#1002","channel_status":"paid/unfulfilled","channel_updated_at":"2026-11-21T01:01:30Z","currency":"KRW","customer":{"name":"홍길동1","phone":"010-1234-0001"},"external_order_id":"5000000002","items":[{"external_item_id":"9000000002","name":"사과 - 2kg","quantity":2,"sku":"SKU-1","unit_price":19000}],"order_no":"1002","placed_at":"2026-11-21T00:01:00Z","shipping":{"address":"테헤란로 2, 강남구, 서울, South Korea","postal_code":"06237"},"status":"WAITING","total_amount":38000,"workflow":"dispatch"}
{"channel":"shop1","channel_order_no":"#1003","channel_status":"authorized/unfulfilled","channel_updated_at":"2026-11-21T01:02:30Z","currency":"KRW","customer":{"name":"홍길동2","phone":"010-1234-0002"},"external_order_id":"5000000003","items":[{"external_item_id":"9000000003","name":"사과 - 3kg","quantity":3,"sku":"SKU-2","unit_price":19000}],"order_no":"1003","placed_at":"2026-11-21T00:02:00Z","shipping":{"address":"테헤란로 3, 강남구, 서울, South Korea","postal_code":"06238"},"status":"WAITING","total_amount":57000,"workflow":"dispatch"}
{"channel":"shop1","channel_order_no":"#1004","channel_status":"paid/partial","channel_updated_at":"2026-11-21T01:03:30Z","currency":"KRW","customer":{"name":"홍길동3","phone":"010-1234-0003"},"external_order_id":"5000000004","items":[{"external_item_id":"9000000004","name":"사과 - 1kg","quantity":1,"sku":"SKU-3","unit_price":19000}],"order_no":"1004","placed_at":"2026-11-21T00:03:00Z","shipping":{"address":"테헤란로 4, 강남구, 서울, South Korea","postal_code":"06239"},"status":"IN_PROGRESS","total_amount":19000,"workflow":"dispatch"}
{"channel":"shop1","channel_order_no":"#1005","channel_status":"paid/fulfilled","channel_updated_at":"2026-11-21T01:04:30Z","currency":"USD","customer":{"name":"홍길동4","phone_raw":"+1 613 555 0100"},"external_order_id":"5000000005","items":[{"external_item_id":"9000000005","name":"사과 - 2kg","quantity":1,"sku":"SKU-0","unit_price":1234}],"order_no":"1005","placed_at":"2026-11-21T00:04:00Z","shipping":{"address":"테헤란로 5, 강남구, 서울, South Korea","postal_code_raw":"K2P 1L4"},"status":"COMPLETE","total_amount":1234,"workflow":"dispatch"}
{"channel":"shop1","channel_order_no":"#1006","channel_status":"refunded/fulfilled","channel_updated_at":"2026-11-21T01:05:30Z","currency":"KRW","customer":{"name":"홍길동5","phone":"010-1234-0005"},"external_order_id":"5000000006","items":[{"cancelled_quantity":3,"external_item_id":"9000000006","name":"사과 - 3kg","quantity":3,"sku":"SKU-1","unit_price":19000}],"order_no":"1006","placed_at":"2026-11-21T00:05:00Z","shipping":{"address":"테헤란로 6, 강남구, 서울, South Korea","postal_code":"06241"},"status":"ISSUE","total_amount":57000,"workflow":"dispatch"}
{"channel":"shop1","channel_order_no":"#1007","channel_status":"voided/unfulfilled","channel_updated_at":"2026-11-21T01:06:30Z","currency":"KRW","customer":{"name":"홍길동6","phone":"010-1234-0006"},"external_order_id":"5000000007","items":[{"external_item_id":"9000000007","name":"사과 - 1kg","quantity":1,"sku":"SKU-2","unit_price":19000}],"order_no":"1007","placed_at":"2026-11-21T00:06:00Z","shipping":{"address":"테헤란로 7, 강남구, 서울, South Korea","postal_code":"06242"},"status":"CANCEL","total_amount":19000,"workflow":"dispatch"}
{"channel":"shop1","channel_order_no":"#1008","channel_status":"paid/unfulfilled/cancelled","channel_updated_at":"2026-11-21T01:07:30Z","currency":"KRW","customer":{"name":"홍길동7","phone":"010-1234-0007"},"external_order_id":"5000000008","items":[{"external_item_id":"9000000008","name":"사과 - 2kg","quantity":2,"sku":"SKU-3","unit_price":19000}],"order_no":"1008","placed_at":"2026-11-21T00:07:00Z","shipping":{"address":"테헤란로 8, 강남구, 서울, South Korea","postal_code":"06243"},"status":"CANCEL","total_amount":38000,"workflow":"dispatch"}
{"channel":"shop1","channel_order_no":"#1009","channel_status":"partially_refunded/fulfilled","channel_updated_at":"2026-11-21T01:08:30Z","currency":"KRW","customer":{"name":"홍길동8","phone":"010-1234-0008"},"external_order_id":"5000000009","items":[{"cancelled_quantity":1,"external_item_id":"9000000009","name":"사과 - 3kg","quantity":3,"sku":"SKU-0","unit_price":19000}],"order_no":"1009","placed_at":"2026-11-21T00:08:00Z","shipping":{"address":"테헤란로 9, 강남구, 서울, South Korea","postal_code":"06244"},"status":"COMPLETE","total_amount":57000,"workflow":"dispatch"}
EOF
}

@test "shopify: a fetch over three pages maps every field and status" {
	start_shop
	add_shop shop1 "$TOKEN" --secret access_token
	run --separate-stderr uoms-fetch --channel shop1 --since 2026-11-01
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 9 ]
	printf '%s\n' "$output" | norm >got
	want_dispatch >want
	diff -u want got

	# Three pages of the orders query on the default version, sorted by
	# update time, the search query on each, the cursor from the second.
	[ "$(grep -c '^POST /admin/api/2026-10/graphql.json orders ' server.log)" -eq 3 ]
	head -1 server.log | grep -q \
	    " orders first=4 after=- query=updated_at:>='2026-11-01T00:00:00Z' -> 200\$"
	[ "$(sed -n '2,3p' server.log | grep -c " orders first=4 after=[A-Za-z0-9_=-]* query=updated_at:>='2026-11-01T00:00:00Z' -> 200\$")" -eq 2 ]

	printf '%s\n' "$output" | uoms-upsert --summary >/dev/null 2>summary
	[ "$(cat summary)" = "uoms-upsert: read 9, created 9, updated 0, unchanged 0, rejected 0" ]
}

@test "shopify: on the fulfillment workflow every status has its state" {
	start_shop
	add_shop shopf "$TOKEN" --secret access_token --workflow fulfillment
	run --separate-stderr uoms-fetch --channel shopf --since 2026-11-01
	[ "$status" -eq 0 ]
	printf '%s\n' "$output" | python3 -c '
import json, sys
for line in sys.stdin:
    o = json.loads(line)
    print(o["external_order_id"], o["channel_status"], o["workflow"], o["status"])
' | sort >got
	cat >want <<'EOF'
5000000001 pending/unfulfilled fulfillment created
5000000002 paid/unfulfilled fulfillment paid
5000000003 authorized/unfulfilled fulfillment paid
5000000004 paid/partial fulfillment picking
5000000005 paid/fulfilled fulfillment shipped
5000000006 refunded/fulfilled fulfillment returned
5000000007 voided/unfulfilled fulfillment cancelled
5000000008 paid/unfulfilled/cancelled fulfillment cancelled
5000000009 partially_refunded/fulfilled fulfillment shipped
EOF
	diff -u want got
	printf '%s\n' "$output" | uoms-upsert >/dev/null
}

@test "shopify: a wrong token fails naming the channel, without the token" {
	start_shop
	add_shop shop1 "shpat_WRONG_0123456789" --secret access_token
	run --separate-stderr uoms-fetch --channel shop1
	[ "$status" -ne 0 ]
	[ -z "$output" ]
	[[ "$stderr" == *shop1* ]]
	[[ "$stderr" != *shpat_WRONG_0123456789* ]]
	grep -q ' -> 401$' server.log
	# nor in the store, in clear
	[ "$(in_store shpat_WRONG_0123456789)" -eq 0 ]
}

@test "shopify: fetch | upsert twice creates nothing the second time" {
	start_shop
	add_shop shop1 "$TOKEN" --secret access_token
	uoms-fetch --channel shop1 --since 2026-11-01 |
	    uoms-upsert --summary >/dev/null 2>first
	[ "$(cat first)" = "uoms-upsert: read 9, created 9, updated 0, unchanged 0, rejected 0" ]
	run --separate-stderr sh -c 'uoms-fetch --channel shop1 | uoms-upsert --summary'
	[ "$status" -eq 0 ]
	[[ "$stderr" == *"created 0, updated 0,"* ]]
	[ "$(sql 'select count(*) from orders')" -eq 9 ]
	[ "$(sql 'select max(version) from orders')" -eq 1 ]
	# The second run asked only for what changed since (with a margin).
	grep -q " orders first=4 after=- query=updated_at:>='2026-11-2.T.*' -> 200\$" \
	    server.log
}

@test "shopify: client credentials: one token, kept sealed and reused" {
	start_shop --client-id app-id --client-secret app-secret-42
	add_shop shopc "$(printf 'app-id\napp-secret-42')" --secret client_id \
	    --secret client_secret
	run --separate-stderr uoms-fetch --channel shopc --since 2026-11-01
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 9 ]
	run --separate-stderr uoms-fetch --channel shopc --since 2026-11-01
	[ "$status" -eq 0 ]
	[ "$(grep -c '^POST /admin/oauth/access_token -> 200$' server.log)" -eq 1 ]
	[ "$(grep -c '^POST .*graphql.json .* -> 200$' server.log)" -eq 6 ]
	[ "$(in_store shpat_cc_1)" -eq 0 ]
	[ "$(in_store app-secret-42)" -eq 0 ]
}

@test "shopify: a 429 from the leaky bucket is waited out (Retry-After)" {
	start_shop --fail 2:429
	add_shop shop1 "$TOKEN" --secret access_token
	run --separate-stderr uoms-fetch --channel shop1 --since 2026-11-01
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 9 ]
	[ "$(grep -c ' -> 429$' server.log)" -eq 1 ]
	[ "$(grep -c ' -> 200$' server.log)" -eq 3 ]
}

@test "shopify: --dry-run shows the request, the token masked" {
	start_shop
	add_shop shop1 "$TOKEN" --secret access_token
	run --separate-stderr uoms-fetch --dry-run --channel shop1 --since 2026-11-01
	[ "$status" -eq 0 ]
	[[ "$output$stderr" == *"POST http://127.0.0.1:$PORT/admin/api/2026-10/graphql.json"* ]]
	[[ "$output" == *"Content-Type: application/json"* ]]
	[[ "$output$stderr" != *"$TOKEN"* ]]
}

# The catalog the server serves since 2026-11-01, one line per variant with
# a SKU (Apple's "Sample" has none; Tea was last updated in 2025), prices
# in cents of the default currency USD, no cost (Shopify keeps it on the
# inventory item).
want_products() {
	cat <<'EOF2'
{"category":"Fruit","channel":"shop1","channel_product_id":"632910391","channel_status":"active","channel_variant_id":"808950811","currency":"USD","name":"Apple / 1kg","price":1234,"sku":"APL-1","stock":10}
{"category":"Fruit","channel":"shop1","channel_product_id":"632910391","channel_status":"active","channel_variant_id":"808950812","currency":"USD","name":"Apple / 3kg","price":3000,"sku":"APL-3","stock":0}
{"category":"Fruit","channel":"shop1","channel_product_id":"632910392","channel_status":"active","channel_variant_id":"808950821","currency":"USD","name":"Pear","price":550,"sku":"PEAR","stock":7}
{"category":"Kitchen","channel":"shop1","channel_product_id":"632910394","channel_status":"active","channel_variant_id":"808950841","currency":"USD","name":"Mug / Red","price":899,"sku":"MUG-R","stock":3}
{"category":"Kitchen","channel":"shop1","channel_product_id":"632910394","channel_status":"active","channel_variant_id":"808950842","currency":"USD","name":"Mug / Blue","price":899,"sku":"MUG-B","stock":4}
{"category":"Kitchen","channel":"shop1","channel_product_id":"632910396","channel_status":"active","channel_variant_id":"808950861","currency":"USD","name":"Spoon","price":125,"sku":"SPN","stock":12}
{"channel":"shop1","channel_product_id":"632910393","channel_status":"draft","channel_variant_id":"808950831","currency":"USD","name":"Gift box","price":10000,"sku":"GIFT","stock":-2}
EOF2
}

@test "shopify: --products fetches the catalog, a line per variant, into the store" {
	start_shop
	add_shop shop1 "$TOKEN" --secret access_token
	run --separate-stderr uoms-fetch --channel shop1 --products --since 2026-11-01
	[ "$status" -eq 0 ]
	printf '%s\n' "$output" | norm >got
	want_products | norm >want
	diff -u want got
	# No currency set: the shop's first (USD), then two pages of four
	# variants (eight since 2026-11-01, Apple's "Sample" without a SKU).
	head -1 server.log | grep -q '^POST /admin/api/2026-10/graphql.json shop .* -> 200$'
	[ "$(grep -c '^POST /admin/api/2026-10/graphql.json productVariants ' server.log)" -eq 2 ]
	sed -n 2p server.log | grep -q \
	    " productVariants first=4 after=- query=updated_at:>='2026-11-01T00:00:00Z' -> 200\$"
	sed -n 3p server.log | grep -q \
	    " productVariants first=4 after=[A-Za-z0-9_=-]* query=.* -> 200\$"

	printf '%s\n' "$output" | uoms-upsert --products --summary >/dev/null 2>summary
	[ "$(cat summary)" = "uoms-upsert: read 7, created 7, updated 0, unchanged 0, rejected 0" ]
	[ "$(sql "select name, category, price, cost, stock from products where sku = 'APL-1'")" = "Apple / 1kg|Fruit|1234||10" ]
	[ "$(sql "select count(*) from products")" -eq 7 ]

	run --separate-stderr sh -c 'uoms-fetch --channel shop1 --products --since 2026-11-01 |
	    uoms-upsert --products --summary'
	[ "$status" -eq 0 ]
	[ "$stderr" = "uoms-upsert: read 7, created 0, updated 0, unchanged 7, rejected 0" ]
	[ "$(sql "select max(version) from products")" -eq 1 ]
}

@test "shopify: --products prices in the setting currency (KRW: no minor unit)" {
	start_shop
	add_shop shopk "$TOKEN" --secret access_token --set currency=KRW
	run --separate-stderr uoms-fetch --channel shopk --products --since 2026-11-01
	[ "$status" -ne 0 ]
	# 12.34 is not an amount of KRW: the channel fails, naming the product.
	[[ "$stderr" == *shopk* && "$stderr" == *"not an amount of KRW"* ]]
}

@test "shopify: api=rest keeps the legacy REST API, paged by the Link header" {
	start_shop
	add_shop shopr "$TOKEN" --secret access_token --set api=rest \
	    --set api_version=2026-10
	run --separate-stderr uoms-fetch --channel shopr --since 2026-11-01
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 9 ]
	printf '%s\n' "$output" | sed 's/"shopr"/"shop1"/' | norm >got
	want_dispatch >want
	diff -u want got
	head -1 server.log | grep -q \
	    '^GET /admin/api/2026-10/orders.json?status=any&updated_at_min=2026-11-01T00%3A00%3A00Z&limit=4 -> 200$'
	[ "$(sed -n '2,3p' server.log | grep -c '^GET /admin/api/2026-10/orders.json?limit=4&page_info=[A-Za-z0-9_-]* -> 200$')" -eq 2 ]
}
