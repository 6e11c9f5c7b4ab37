#!/usr/bin/env bats
# kind woocommerce end to end, through uoms-channel, uoms-fetch and
# uoms-upsert, against t/fake/woocommerce_server.py (plain http on
# 127.0.0.1, so every request is signed with OAuth 1.0a, which the server
# checks as WooCommerce does; basic auth over https is in
# t/7015-woocommerce-oauth.bats). The server answers 401 like WooCommerce
# when the key or secret is wrong, and pages with X-WP-Total /
# X-WP-TotalPages. Order 702 has a coupon: its unit price is after it.
load helper

export UOMS_SECRET_KEY=00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff
KEY=ck_test_key
SECRET=cs_test_secret

# start_woo [ARGS...]: the fake server, its port in PORT, its requests in
# server.log; teardown stops it.
start_woo() {
	python3 "$SRC/t/fake/woocommerce_server.py" --log "$BATS_TEST_TMPDIR/server.log" \
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

# add_woo NAME KEY SECRET [ARGS...]: the channel on the fake server, four
# orders a page.
add_woo() {
	local name=$1 key=$2 secret=$3
	shift 3
	printf '%s\n%s\n' "$key" "$secret" | uoms-channel add "$name" \
	    --kind woocommerce --base-url "http://127.0.0.1:$PORT" \
	    --set per_page=4 --secret consumer_key --secret consumer_secret \
	    "$@" >/dev/null
}

# The ten orders the server makes, every status (one refunded after it was
# completed, one with a coupon: 50000 for 3 is 16667 each, the line's
# 50000 kept), as the kind must map them (dispatch).
want_dispatch() {
	cat <<'EOF'
{"channel":"woo1","channel_status":"cancelled","channel_updated_at":"2026-11-21T00:34:00Z","currency":"KRW","customer":{"name":"영희 이","phone":"010-2222-0004"},"external_order_id":"704","items":[{"external_item_id":"9004","name":"사과 2kg","quantity":2,"sku":"SKU-0","unit_price":19000}],"order_no":"704","placed_at":"2026-11-21T00:04:00Z","shipping":{"address":"테헤란로 5, 3층, 서울, KR","postal_code":"06240"},"status":"CANCEL","total_amount":38000,"workflow":"dispatch"}
{"channel":"woo1","channel_status":"completed","channel_updated_at":"2026-11-21T00:33:00Z","complete_time":"2026-11-21T00:33:00Z","currency":"USD","customer":{"name":"영희 이","phone_raw":"(555) 555-5555"},"external_order_id":"703","items":[{"external_item_id":"9003","name":"사과 1kg","quantity":1,"sku":"SKU-3","unit_price":2935}],"order_no":"703","placed_at":"2026-11-21T00:03:00Z","shipping":{"address":"테헤란로 4, 3층, 서울, US","postal_code_raw":"94103-1234"},"status":"COMPLETE","total_amount":2935,"workflow":"dispatch"}
{"channel":"woo1","channel_status":"failed","channel_updated_at":"2026-11-21T00:37:00Z","currency":"KRW","customer":{"name":"영희 이","phone":"010-2222-0007"},"external_order_id":"707","items":[{"external_item_id":"9007","name":"사과 2kg","quantity":2,"sku":"SKU-3","unit_price":19000}],"order_no":"707","placed_at":"2026-11-21T00:07:00Z","shipping":{"address":"테헤란로 8, 3층, 서울, KR","postal_code":"06243"},"status":"WAITING","total_amount":38000,"workflow":"dispatch"}
{"channel":"woo1","channel_status":"on-hold","channel_updated_at":"2026-11-21T00:32:00Z","currency":"KRW","customer":{"name":"영희 이","phone":"010-2222-0002"},"external_order_id":"702","items":[{"external_item_id":"9002","line_total":50000,"name":"사과 3kg","quantity":3,"sku":"SKU-2","unit_price":16667}],"order_no":"702","placed_at":"2026-11-21T00:02:00Z","shipping":{"address":"테헤란로 3, 3층, 서울, KR","postal_code":"06238"},"status":"WAITING","total_amount":50000,"workflow":"dispatch"}
{"channel":"woo1","channel_status":"pending","channel_updated_at":"2026-11-21T00:30:00Z","currency":"KRW","customer":{"name":"영희 이","phone":"010-2222-0000"},"external_order_id":"700","items":[{"external_item_id":"9000","name":"사과 1kg","quantity":1,"sku":"SKU-0","unit_price":19000}],"order_no":"700","placed_at":"2026-11-21T00:00:00Z","shipping":{"address":"테헤란로 1, 3층, 서울, KR","postal_code":"06236"},"status":"WAITING","total_amount":19000,"workflow":"dispatch"}
{"channel":"woo1","channel_status":"processing","channel_updated_at":"2026-11-21T00:31:00Z","currency":"KRW","customer":{"name":"영희 이","phone":"010-2222-0001"},"external_order_id":"701","items":[{"external_item_id":"9001","name":"사과 2kg","quantity":2,"sku":"SKU-1","unit_price":19000}],"order_no":"701","placed_at":"2026-11-21T00:01:00Z","shipping":{"address":"테헤란로 2, 3층, 서울, KR","postal_code":"06237"},"status":"WAITING","total_amount":38000,"workflow":"dispatch"}
{"channel":"woo1","channel_status":"processing","channel_updated_at":"2026-11-21T00:39:00Z","currency":"KRW","customer":{"name":"영희 이","phone":"010-2222-0009"},"external_order_id":"709","items":[{"external_item_id":"9009","name":"사과 1kg","quantity":1,"sku":"SKU-1","unit_price":19000}],"order_no":"709","placed_at":"2026-11-21T00:09:00Z","shipping":{"address":"테헤란로 10, 3층, 서울, KR","postal_code":"06245"},"status":"WAITING","total_amount":19000,"workflow":"dispatch"}
{"channel":"woo1","channel_status":"refunded","channel_updated_at":"2026-11-21T00:35:00Z","currency":"KRW","customer":{"name":"영희 이","phone":"010-2222-0005"},"external_order_id":"705","items":[{"external_item_id":"9005","name":"사과 3kg","quantity":3,"sku":"SKU-1","unit_price":19000}],"order_no":"705","placed_at":"2026-11-21T00:05:00Z","refunded_amount":57000,"shipping":{"address":"테헤란로 6, 3층, 서울, KR","postal_code":"06241"},"status":"CANCEL","total_amount":57000,"workflow":"dispatch"}
{"channel":"woo1","channel_status":"refunded","channel_updated_at":"2026-11-21T00:36:00Z","complete_time":"2026-11-21T00:36:00Z","currency":"KRW","customer":{"name":"영희 이","phone":"010-2222-0006"},"external_order_id":"706","items":[{"external_item_id":"9006","name":"사과 1kg","quantity":1,"sku":"SKU-2","unit_price":19000}],"order_no":"706","placed_at":"2026-11-21T00:06:00Z","refunded_amount":19000,"shipping":{"address":"테헤란로 7, 3층, 서울, KR","postal_code":"06242"},"status":"ISSUE","total_amount":19000,"workflow":"dispatch"}
{"channel":"woo1","channel_status":"trash","channel_updated_at":"2026-11-21T00:38:00Z","currency":"KRW","customer":{"name":"영희 이","phone":"010-2222-0008"},"external_order_id":"708","items":[{"external_item_id":"9008","name":"사과 3kg","quantity":3,"sku":"SKU-0","unit_price":19000}],"order_no":"708","placed_at":"2026-11-21T00:08:00Z","shipping":{"address":"테헤란로 9, 3층, 서울, KR","postal_code":"06244"},"status":"CANCEL","total_amount":57000,"workflow":"dispatch"}
EOF
}

@test "woocommerce: a fetch over three pages and the trash maps every field and status" {
	start_woo
	add_woo woo1 "$KEY" "$SECRET"
	run --separate-stderr uoms-fetch --channel woo1 --since 2026-11-01
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 10 ]
	printf '%s\n' "$output" | norm >got
	want_dispatch >want
	diff -u want got

	# Pages 1 to 3 of 9 orders (oldest change first, GMT), then the trash.
	sed 's/modified_after=[^&]*&/modified_after=T\&/' server.log >requests
	cat >want <<'EOF'
GET /wp-json/wc/v3/orders?modified_after=T&dates_are_gmt=true&per_page=4&page=1&orderby=modified&order=asc -> 200
GET /wp-json/wc/v3/orders?modified_after=T&dates_are_gmt=true&per_page=4&page=2&orderby=modified&order=asc -> 200
GET /wp-json/wc/v3/orders?modified_after=T&dates_are_gmt=true&per_page=4&page=3&orderby=modified&order=asc -> 200
GET /wp-json/wc/v3/orders?modified_after=T&dates_are_gmt=true&per_page=4&page=1&orderby=modified&order=asc&status=trash -> 200
EOF
	diff -u want requests
	# GMT without an offset, as the API writes its own times
	head -1 server.log | grep -q 'modified_after=2026-1.-..T..%3A..%3A..&'

	printf '%s\n' "$output" | uoms-upsert --summary >/dev/null 2>summary
	[ "$(cat summary)" = "uoms-upsert: read 10, created 10, updated 0, unchanged 0, rejected 0" ]
}

@test "woocommerce: on the fulfillment workflow every status has its state" {
	start_woo
	add_woo woof "$KEY" "$SECRET" --workflow fulfillment
	run --separate-stderr uoms-fetch --channel woof --since 2026-11-01
	[ "$status" -eq 0 ]
	printf '%s\n' "$output" | python3 -c '
import json, sys
for line in sys.stdin:
    o = json.loads(line)
    print(o["external_order_id"], o["channel_status"], o["workflow"], o["status"])
' | sort >got
	cat >want <<'EOF'
700 pending fulfillment created
701 processing fulfillment paid
702 on-hold fulfillment created
703 completed fulfillment delivered
704 cancelled fulfillment cancelled
705 refunded fulfillment cancelled
706 refunded fulfillment returned
707 failed fulfillment created
708 trash fulfillment cancelled
709 processing fulfillment paid
EOF
	diff -u want got
	printf '%s\n' "$output" | uoms-upsert >/dev/null
}

@test "woocommerce: a wrong secret fails naming the channel, without the secret" {
	start_woo
	add_woo woo1 "$KEY" cs_WRONG_0123456789
	run --separate-stderr uoms-fetch --channel woo1 --since 2026-11-01
	[ "$status" -ne 0 ]
	[ -z "$output" ]
	[[ "$stderr" == *woo1* ]]
	[[ "$stderr" != *cs_WRONG_0123456789* ]]
	# nor its base64 form (the Authorization header)
	[[ "$stderr" != *"$(printf '%s:%s' "$KEY" cs_WRONG_0123456789 | base64)"* ]]
	grep -q ' -> 401$' server.log
	[ "$(in_store cs_WRONG_0123456789)" -eq 0 ]
}

@test "woocommerce: fetch | upsert twice creates nothing the second time" {
	start_woo
	add_woo woo1 "$KEY" "$SECRET"
	uoms-fetch --channel woo1 --since 2026-11-01 |
	    uoms-upsert --summary >/dev/null 2>first
	[ "$(cat first)" = "uoms-upsert: read 10, created 10, updated 0, unchanged 0, rejected 0" ]
	run --separate-stderr sh -c 'uoms-fetch --channel woo1 | uoms-upsert --summary'
	[ "$status" -eq 0 ]
	[[ "$stderr" == *"created 0, updated 0,"* ]]
	[ "$(sql 'select count(*) from orders')" -eq 10 ]
	[ "$(sql 'select max(version) from orders')" -eq 1 ]
	# The second run asked only for what changed since (with a margin).
	grep -q 'modified_after=2026-11-2.T.*&page=1&orderby=modified&order=asc -> 200$' \
	    server.log
}

@test "woocommerce: a 500 and a 429 are retried, then the fetch completes" {
	start_woo --fail 1:500 --fail 3:429
	add_woo woo1 "$KEY" "$SECRET"
	run --separate-stderr uoms-fetch --channel woo1 --since 2026-11-01
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 10 ]
	[ "$(grep -c ' -> 500$' server.log)" -eq 1 ]
	[ "$(grep -c ' -> 429$' server.log)" -eq 1 ]
	[ "$(grep -c ' -> 200$' server.log)" -eq 4 ]
}

@test "woocommerce: --dry-run shows the request, the key and secret masked" {
	start_woo
	add_woo woo1 "$KEY" "$SECRET"
	run --separate-stderr uoms-fetch --dry-run --channel woo1 --since 2026-11-01
	[ "$status" -eq 0 ]
	[[ "$output$stderr" == *"/wp-json/wc/v3/orders?"* ]]
	[[ "$output$stderr" != *"$SECRET"* ]]
	[[ "$output$stderr" != *"$(printf '%s:%s' "$KEY" "$SECRET" | base64)"* ]]
}

# The catalog the server serves since 2026-11-01 with currency=KRW: one
# line per product with a SKU (선물세트 has none; 녹차 changed in 2025),
# cost from meta_data _cost / _wc_cog_cost, no stock when not managed, no
# price when the product has none.
want_products() {
	cat <<'EOF2'
{"category":"과일","channel":"woo1","channel_product_id":"93","channel_status":"publish","cost":12000,"currency":"KRW","name":"사과 1kg","price":19000,"sku":"APL-1","stock":10}
{"category":"과일","channel":"woo1","channel_product_id":"94","channel_status":"publish","currency":"KRW","name":"배","price":25000,"sku":"PEAR"}
{"category":"주방","channel":"woo1","channel_product_id":"98","channel_status":"publish","currency":"KRW","name":"숟가락","price":1500,"sku":"SPN","stock":12}
{"category":"주방","channel":"woo1","channel_product_id":"99","channel_status":"publish","cost":5000,"currency":"KRW","name":"접시","price":8000,"sku":"PLATE","stock":0}
{"channel":"woo1","channel_product_id":"96","channel_status":"draft","currency":"KRW","name":"머그컵","sku":"MUG","stock":3}
EOF2
}

@test "woocommerce: --products fetches the catalog into the store" {
	start_woo
	add_woo woo1 "$KEY" "$SECRET" --set currency=KRW
	run --separate-stderr uoms-fetch --channel woo1 --products --since 2026-11-01
	[ "$status" -eq 0 ]
	printf '%s\n' "$output" | norm >got
	want_products | norm >want
	diff -u want got
	# Two pages of four, no trash pass for the catalog.
	[ "$(grep -c '^GET /wp-json/wc/v3/products?' server.log)" -eq 2 ]
	head -1 server.log | grep -q \
	    'products?modified_after=2026-11-01T00%3A00%3A00&dates_are_gmt=true&per_page=4&page=1&orderby=id&order=asc -> 200$'
	[ "$(grep -c 'status=trash' server.log)" -eq 0 ]

	printf '%s\n' "$output" | uoms-upsert --products --summary >/dev/null 2>summary
	[ "$(cat summary)" = "uoms-upsert: read 5, created 5, updated 0, unchanged 0, rejected 0" ]
	[ "$(sql "select name, category, price, cost, stock from products where sku = 'APL-1'")" = "사과 1kg|과일|19000|12000|10" ]
	[ "$(sql "select count(*) from products")" -eq 5 ]

	run --separate-stderr sh -c 'uoms-fetch --channel woo1 --products --since 2026-11-01 |
	    uoms-upsert --products --summary'
	[ "$status" -eq 0 ]
	[ "$stderr" = "uoms-upsert: read 5, created 0, updated 0, unchanged 5, rejected 0" ]
	[ "$(sql "select max(version) from products")" -eq 1 ]
}

@test "woocommerce: --products with a wrong secret fails like orders" {
	start_woo
	add_woo woo1 "$KEY" "cs_WRONG_secret"
	run --separate-stderr uoms-fetch --channel woo1 --products --since 2026-11-01
	[ "$status" -ne 0 ]
	[ -z "$output" ]
	[[ "$stderr" == *woo1* && "$stderr" != *cs_WRONG_secret* ]]
	# No currency set: the store's is asked first, with the same key.
	grep -q '^GET /wp-json/wc/v3/settings/general -> 401$' server.log
	run ! grep -q '^GET /wp-json/wc/v3/products' server.log
}
