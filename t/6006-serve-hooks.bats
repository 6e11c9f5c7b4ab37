#!/usr/bin/env bats
# uoms-serve's channel webhooks (POST /hooks/shopify/{channel},
# POST /hooks/woocommerce/{channel}): no token, the body signed with the
# channel's webhook_secret (base64 HMAC-SHA256 in X-Shopify-Hmac-Sha256 /
# X-WC-Webhook-Signature); a delivery is stored as uoms-fetch | uoms-upsert
# stores the same order, so a replay or a later fetch changes nothing.
# The payloads are the fake servers' own orders (t/fake), the REST order
# each channel's webhook carries, and the same orders are then fetched
# from those servers (Shopify over GraphQL, WooCommerce over REST).
load helper

export UOMS_SECRET_KEY=00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff
# Tokens are not used here, but a server of a PostgreSQL store needs a key.
export UOMS_JWT_KEY=6006abcdef0123456789abcdef0123456789
HOOK_SECRET=whsec_6006_d41d8cd98f00b204
SHOP_TOKEN=shpat_test_token
WOO_KEY=ck_test_key
WOO_SECRET=cs_test_secret

teardown() {
	serve_stop
	fake_stop_all
}

# payloads KIND N DIR: the fake KIND server's first N generated orders,
# one webhook body a file (DIR/1.json ...), and all of them as the
# server's --data file (DIR/orders.json).
payloads() {
	mkdir -p "$3"
	python3 - "$SRC/t/fake" "$1" "$2" "$3" <<'PY'
import importlib, json, sys
sys.path.insert(0, sys.argv[1])
fake = importlib.import_module(sys.argv[2] + "_server")
orders = fake.generated(int(sys.argv[3]))
for i, o in enumerate(orders, 1):
    with open("%s/%d.json" % (sys.argv[4], i), "w", encoding="utf-8") as f:
        json.dump(o, f, ensure_ascii=False)
with open(sys.argv[4] + "/orders.json", "w", encoding="utf-8") as f:
    json.dump(orders, f, ensure_ascii=False)
PY
}

# sign SECRET FILE: base64(HMAC-SHA256(FILE's bytes, SECRET)).
sign() {
	openssl dgst -sha256 -hmac "$1" -binary <"$2" | base64 -w0
}

# deliver KIND CHANNEL FILE [CURL-ARG...]: POSTs FILE's bytes as they are
# to /hooks/KIND/CHANNEL; prints the status (body in resp.body).
deliver() {
	local kind=$1 channel=$2 file=$3
	shift 3
	curl -s -o resp.body -D resp.head -w '%{http_code}' -X POST \
	    -H 'Content-Type: application/json' --data-binary "@$file" "$@" \
	    "$SERVE_URL/hooks/$kind/$channel"
}

# deliver_shop CHANNEL FILE [SECRET]: a signed Shopify orders/updated.
deliver_shop() {
	deliver shopify "$1" "$2" -H "X-Shopify-Topic: orders/updated" \
	    -H "X-Shopify-Hmac-Sha256: $(sign "${3:-$HOOK_SECRET}" "$2")"
}

# deliver_woo CHANNEL FILE [SECRET]: a signed WooCommerce order.updated.
deliver_woo() {
	deliver woocommerce "$1" "$2" -H "X-WC-Webhook-Topic: order.updated" \
	    -H "X-WC-Webhook-Signature: $(sign "${3:-$HOOK_SECRET}" "$2")"
}

# add_shop NAME: a Shopify channel on the fake server (PORT), with its
# token and webhook secret.
add_shop() {
	printf '%s\n%s\n' "$SHOP_TOKEN" "$HOOK_SECRET" | uoms-channel add "$1" \
	    --kind shopify --base-url "http://127.0.0.1:${PORT:-9}" \
	    --secret access_token --secret webhook_secret >/dev/null
}

# add_woo NAME: a WooCommerce channel on the fake server (PORT).
add_woo() {
	printf '%s\n%s\n%s\n' "$WOO_KEY" "$WOO_SECRET" "$HOOK_SECRET" |
	    uoms-channel add "$1" --kind woocommerce \
	    --base-url "http://127.0.0.1:${PORT:-9}" --secret consumer_key \
	    --secret consumer_secret --secret webhook_secret >/dev/null
}

# stored: how many orders the store holds; events: how many events.
stored() {
	uoms-query | wc -l
}

events() {
	uoms-events | wc -l
}

@test "hooks: signed Shopify deliveries are stored; a replay and a later fetch change nothing" {
	payloads shopify 9 shop
	fake_start shopify_server.py --data shop/orders.json
	add_shop shop1
	serve_start

	for i in $(seq 9); do
		code=$(deliver_shop shop1 "shop/$i.json")
		[ "$code" = 200 ] || { cat resp.body; false; }
		[ "$(jget stored <resp.body)" = 1 ]
	done
	[ "$(stored)" -eq 9 ]
	# The ninth: partly refunded (one unit back, a failed refund
	# first), fulfilled; money in minor units, as a fetch maps it.
	uoms-query --id "$(jget id <resp.body)" >rec
	[ "$(jget external_order_id <rec)" = 5000000009 ]
	[ "$(jget status <rec)" = COMPLETE ]
	[ "$(jget total_amount <rec)" = 57000 ]
	[ "$(jget 'items[0].cancelled_quantity' <rec)" = 1 ]
	[ "$(jget 'items[0].unit_price' <rec)" = 19000 ]
	[ "$(jget channel_status <rec)" = partially_refunded/fulfilled ]
	version=$(jget version <rec)
	before=$(events)

	# The same delivery again: nothing stored, no event, same version.
	[ "$(deliver_shop shop1 shop/9.json)" = 200 ]
	[ "$(cat resp.body)" = '{"stored":0}' ]
	[ "$(events)" -eq "$before" ]
	[ "$(uoms-query --id "$(jget id <rec)" | jget version)" = "$version" ]

	# The same orders fetched (GraphQL): every line unchanged.
	uoms-fetch --channel shop1 --since 2026-11-01 >fetched
	[ "$(wc -l <fetched)" -eq 9 ]
	uoms-upsert --summary <fetched >/dev/null 2>summary
	[ "$(cat summary)" = "uoms-upsert: read 9, created 0, updated 0, unchanged 9, rejected 0" ]
	[ "$(events)" -eq "$before" ]
}

@test "hooks: a Shopify order delivered again once changed is updated, the same order" {
	payloads shopify 2 shop
	add_shop shop1
	serve_start
	[ "$(deliver_shop shop1 shop/2.json)" = 200 ]
	id=$(jget id <resp.body)
	[ "$(uoms-query --id "$id" | jget status)" = WAITING ]

	# orders/fulfilled: the shop shipped it, later.
	python3 - shop/2.json <<'PY'
import json, sys
o = json.load(open(sys.argv[1]))
o["fulfillment_status"] = "fulfilled"
o["updated_at"] = "2026-11-21T12:00:00+09:00"
o["fulfillments"] = [{"id": 1, "created_at": "2026-11-21T11:30:00+09:00"}]
json.dump(o, open(sys.argv[1], "w"), ensure_ascii=False)
PY
	[ "$(deliver_shop shop1 shop/2.json)" = 200 ]
	[ "$(jget stored <resp.body)" = 1 ]
	[ "$(jget id <resp.body)" = "$id" ]
	[ "$(stored)" -eq 1 ]
	uoms-query --id "$id" >rec
	[ "$(jget status <rec)" = COMPLETE ]
	[ "$(jget depart_time <rec)" = 2026-11-21T02:30:00Z ]
	[ "$(jget version <rec)" = 2 ]
	# The move is the channel's, as in a fetch.
	uoms-events --type status >ev
	grep -q '"actor":"channel:shop1"' ev
}

@test "hooks: signed WooCommerce deliveries are stored; a replay and a later fetch change nothing" {
	payloads woocommerce 10 woo
	fake_start woocommerce_server.py --key "$WOO_KEY" --secret "$WOO_SECRET" \
	    --data woo/orders.json
	add_woo woo1
	serve_start

	for i in $(seq 10); do
		code=$(deliver_woo woo1 "woo/$i.json")
		[ "$code" = 200 ] || { cat resp.body; false; }
		[ "$(jget stored <resp.body)" = 1 ]
	done
	[ "$(stored)" -eq 10 ]
	# The third: a coupon, so 50000 for 3 (16667 each, the line's
	# 50000 kept); the fourth in USD cents.
	uoms-query --channel woo1 >all
	grep '"external_order_id":"702"' all >rec
	[ "$(jget 'items[0].unit_price' <rec)" = 16667 ]
	[ "$(jget 'items[0].line_total' <rec)" = 50000 ]
	[ "$(jget status <rec)" = WAITING ]
	grep '"external_order_id":"703"' all >rec
	[ "$(jget total_amount <rec)" = 2935 ]
	[ "$(jget currency <rec)" = USD ]
	[ "$(jget status <rec)" = COMPLETE ]
	before=$(events)

	[ "$(deliver_woo woo1 woo/3.json)" = 200 ]
	[ "$(cat resp.body)" = '{"stored":0}' ]
	[ "$(events)" -eq "$before" ]

	# The same orders fetched (the trash pass too): nothing changes.
	uoms-fetch --channel woo1 --since 2026-11-01 >fetched
	[ "$(wc -l <fetched)" -eq 10 ]
	uoms-upsert --summary <fetched >/dev/null 2>summary
	[ "$(cat summary)" = "uoms-upsert: read 10, created 0, updated 0, unchanged 10, rejected 0" ]
	[ "$(events)" -eq "$before" ]
}

@test "hooks: a bad, missing or foreign signature is 401 and stores nothing" {
	payloads shopify 1 shop
	payloads woocommerce 1 woo
	add_shop shop1
	add_woo woo1
	serve_start
	before=$(events)

	# Signed with another secret.
	run deliver_shop shop1 shop/1.json not-the-secret
	[ "$output" = 401 ]
	[ "$(jget error.code <resp.body)" = unauthorized ]
	run deliver_woo woo1 woo/1.json not-the-secret
	[ "$output" = 401 ]
	# No signature.
	run deliver shopify shop1 shop/1.json -H "X-Shopify-Topic: orders/create"
	[ "$output" = 401 ]
	run deliver woocommerce woo1 woo/1.json -H "X-WC-Webhook-Topic: order.created"
	[ "$output" = 401 ]
	# Signed right, then the body changed on the way.
	sig=$(sign "$HOOK_SECRET" shop/1.json)
	sed 's/"total_price": "[0-9.]*"/"total_price": "1"/' shop/1.json >tampered
	! cmp -s shop/1.json tampered || false
	run deliver shopify shop1 tampered -H "X-Shopify-Hmac-Sha256: $sig"
	[ "$output" = 401 ]
	# Shopify's signature header on WooCommerce's route: not its own.
	run deliver woocommerce woo1 woo/1.json \
	    -H "X-Shopify-Hmac-Sha256: $(sign "$HOOK_SECRET" woo/1.json)"
	[ "$output" = 401 ]
	# A hex digest of the right HMAC is not its base64.
	run deliver shopify shop1 shop/1.json -H "X-Shopify-Hmac-Sha256: $(openssl dgst -sha256 -hmac "$HOOK_SECRET" -r <shop/1.json | cut -d' ' -f1)"
	[ "$output" = 401 ]

	[ "$(stored)" -eq 0 ]
	[ "$(events)" -eq "$before" ]
}

@test "hooks: a channel without a webhook_secret refuses every delivery; the secret is never said" {
	payloads shopify 1 shop
	printf '%s\n' "$SHOP_TOKEN" | uoms-channel add bare --kind shopify \
	    --base-url http://127.0.0.1:9 --secret access_token >/dev/null
	add_shop shop1
	serve_start
	run deliver_shop bare shop/1.json
	[ "$output" = 401 ]
	cp resp.body bare.body
	grep -q "webhook_secret" serve.log
	[ "$(stored)" -eq 0 ]

	[ "$(deliver_shop shop1 shop/1.json)" = 200 ]
	run deliver_shop shop1 shop/1.json wrong
	[ "$output" = 401 ]
	# No secret or a wrong signature: the same answer.
	diff -u bare.body resp.body
	! grep -rq "$HOOK_SECRET" serve.log resp.body resp.head || false
}

@test "hooks: an unknown, disabled or other-kind channel is 404, alike" {
	payloads shopify 1 shop
	payloads woocommerce 1 woo
	add_shop shop1
	add_woo woo1
	add_shop off
	uoms-channel disable off >/dev/null
	serve_start

	run deliver_shop nosuch shop/1.json
	[ "$output" = 404 ]
	cp resp.body unknown.body
	run deliver_shop off shop/1.json
	[ "$output" = 404 ]
	diff -u unknown.body resp.body
	# A WooCommerce channel on Shopify's route, and the other way.
	run deliver_shop woo1 shop/1.json
	[ "$output" = 404 ]
	diff -u unknown.body resp.body
	run deliver_woo shop1 woo/1.json
	[ "$output" = 404 ]
	diff -u unknown.body resp.body
	[ "$(jget error.code <resp.body)" = not_found ]
	[ "$(stored)" -eq 0 ]
}

@test "hooks: WooCommerce's unsigned ping answers 200 and stores nothing" {
	add_woo woo1
	add_shop shop1
	serve_start
	before=$(events)
	printf 'webhook_id=42' >ping
	run deliver woocommerce woo1 ping -H 'Content-Type: application/x-www-form-urlencoded'
	[ "$output" = 200 ]
	[ "$(cat resp.body)" = '{"stored":0}' ]
	# Only the ping itself goes unsigned; Shopify sends none.
	printf 'webhook_id=42&x=1' >notping
	run deliver woocommerce woo1 notping
	[ "$output" = 401 ]
	run deliver shopify shop1 ping
	[ "$output" = 401 ]
	# A ping to a channel that is not there is 404 like anything else.
	run deliver woocommerce nosuch ping
	[ "$output" = 404 ]
	[ "$(stored)" -eq 0 ]
	[ "$(events)" -eq "$before" ]
}

@test "hooks: a signed topic that is not an order answers 200 and stores nothing" {
	payloads shopify 1 shop
	payloads woocommerce 1 woo
	add_shop shop1
	add_woo woo1
	serve_start
	run deliver shopify shop1 shop/1.json -H "X-Shopify-Topic: products/update" \
	    -H "X-Shopify-Hmac-Sha256: $(sign "$HOOK_SECRET" shop/1.json)"
	[ "$output" = 200 ]
	[ "$(cat resp.body)" = '{"stored":0}' ]
	printf '{"id":700}' >deleted
	run deliver woocommerce woo1 deleted -H "X-WC-Webhook-Topic: order.deleted" \
	    -H "X-WC-Webhook-Signature: $(sign "$HOOK_SECRET" deleted)"
	[ "$output" = 200 ]
	[ "$(cat resp.body)" = '{"stored":0}' ]
	[ "$(stored)" -eq 0 ]

	# An order topic whose body is no order: refused, said why.
	printf '{"id":5,"line_items":"no"' >broken
	run deliver shopify shop1 broken -H "X-Shopify-Topic: orders/create" \
	    -H "X-Shopify-Hmac-Sha256: $(sign "$HOOK_SECRET" broken)"
	[ "$output" = 400 ]
	printf '{"id":5}' >nocurrency
	run deliver shopify shop1 nocurrency -H "X-Shopify-Topic: orders/create" \
	    -H "X-Shopify-Hmac-Sha256: $(sign "$HOOK_SECRET" nocurrency)"
	[ "$output" = 422 ]
	[ "$(jget error.code <resp.body)" = invalid ]
	grep -q 'channel:shop1: webhook refused: invalid: order 5: no currency' serve.log
	[ "$(stored)" -eq 0 ]
}

@test "hooks: the same delivery eight times at once stores the order once" {
	payloads shopify 1 shop
	add_shop shop1
	serve_start
	sig=$(sign "$HOOK_SECRET" shop/1.json)
	pids=()
	for i in $(seq 8); do
		curl -s -o "r.$i" -w '%{http_code}\n' -X POST --data-binary @shop/1.json \
		    -H "X-Shopify-Topic: orders/create" -H "X-Shopify-Hmac-Sha256: $sig" \
		    "$SERVE_URL/hooks/shopify/shop1" >"code.$i" &
		pids+=($!)
	done
	for p in "${pids[@]}"; do
		wait "$p"
	done
	[ "$(cat code.* | sort -u)" = 200 ]
	[ "$(grep -l '"stored":1' r.* | wc -l)" -eq 1 ]
	[ "$(grep -lx '{"stored":0}' r.* | wc -l)" -eq 7 ]
	[ "$(stored)" -eq 1 ]
	[ "$(uoms-query | jget version)" = 1 ]
}

@test "hooks: a delivery over serve.max_body is 413 and stores nothing" {
	payloads shopify 1 shop
	add_shop shop1
	printf 'serve:\n  max_body: 2048\n' >uoms.yaml
	export UOMS_CONFIG=$PWD/uoms.yaml
	# The order with a note that makes it larger than the limit, signed.
	python3 - shop/1.json <<'PY'
import json, sys
o = json.load(open(sys.argv[1]))
o["note"] = "x" * 4096
json.dump(o, open("big.json", "w"), ensure_ascii=False)
PY
	serve_start
	run deliver_shop shop1 big.json
	[ "$output" = 413 ]
	[ "$(stored)" -eq 0 ]
	# One under the limit goes in.
	[ "$(wc -c <shop/1.json)" -lt 2048 ]
	[ "$(deliver_shop shop1 shop/1.json)" = 200 ]
	[ "$(stored)" -eq 1 ]
}

@test "hooks: a delivery while PostgreSQL's connection is killed mid-transaction is stored once" {
	engine_only pg "a connection killed inside a transaction is PostgreSQL's"
	payloads shopify 1 shop
	add_shop shop1
	serve_start
	kill_backend_once "INSERT ON orders"
	code=$(deliver_shop shop1 shop/1.json)
	[ "$code" = 200 ] || { cat resp.body serve.log; false; }
	[ "$(jget stored <resp.body)" = 1 ]
	[ "$(kills_done)" = 2 ]
	[ "$(stored)" -eq 1 ]
	[ "$(uoms-events --type created | wc -l)" -eq 1 ]
	[ "$(uoms-events --type created | jget actor)" = channel:shop1 ]
	# once more: nothing changes
	before=$(events)
	[ "$(deliver_shop shop1 shop/1.json)" = 200 ]
	[ "$(cat resp.body)" = '{"stored":0}' ]
	[ "$(events)" -eq "$before" ]
}
