#!/usr/bin/env bats
# kind woocommerce, issue 10 item 4: a shop on plain http is reached with
# OAuth 1.0a signatures (HMAC-SHA256, or HMAC-SHA1 by setting), which
# t/fake/woocommerce_server.py checks as WooCommerce does (signature,
# 15-minute timestamp, nonce used once), answering 401 with WooCommerce's
# error JSON; https keeps basic auth. And a discounted line's unit price
# is its total (after the coupon) over its quantity, in the currency's
# minor unit, never the subtotal.
load helper

export UOMS_SECRET_KEY=00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff
KEY=ck_test_key
SECRET=cs_test_secret

teardown() {
	fake_stop_all
}

# add_woo NAME KEY SECRET URL [ARGS...]: a WooCommerce channel at URL.
add_woo() {
	local name=$1 key=$2 secret=$3 url=$4
	shift 4
	printf '%s\n%s\n' "$key" "$secret" | uoms-channel add "$name" \
	    --kind woocommerce --base-url "$url" --set per_page=4 \
	    --secret consumer_key --secret consumer_secret "$@" >/dev/null
}

# start_shop [ARGS...]: the fake shop, its requests in server.log and how
# each authenticated in auth.log.
start_shop() {
	fake_start woocommerce_server.py --log server.log --auth-log auth.log "$@"
}

@test "woocommerce oauth: a plain-http shop is fetched with signed requests the shop verifies" {
	start_shop
	add_woo woo "$KEY" "$SECRET" "http://127.0.0.1:$PORT/"
	run --separate-stderr uoms-fetch --channel woo --since 2026-11-01
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 10 ]
	# Four requests (three pages, the trash), each one signed and good.
	printf 'oauth1 HMAC-SHA256 200\n%.0s' 1 2 3 4 >want
	diff -u want auth.log
	printf '%s\n' "$output" | uoms-upsert --summary >/dev/null 2>summary
	[ "$(cat summary)" = "uoms-upsert: read 10, created 10, updated 0, unchanged 0, rejected 0" ]
	# Nothing of the credentials is logged or said.
	[[ "$stderr" != *"$SECRET"* && "$stderr" != *"$KEY"* ]]
	run ! grep -e "$KEY" -e "$SECRET" -e oauth_ server.log

	# HMAC-SHA1 when the setting says so; the catalog too.
	uoms-channel update woo --set signature_method=HMAC-SHA1 \
	    --set currency=KRW >/dev/null
	: >auth.log
	run --separate-stderr uoms-fetch --channel woo --products --since 2026-11-01
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 5 ]
	printf 'oauth1 HMAC-SHA1 200\n%.0s' 1 2 >want
	diff -u want auth.log
}

@test "woocommerce oauth: a wrong secret is refused with the shop's message, no secret shown" {
	start_shop
	add_woo woo "$KEY" cs_WRONG_0123456789 "http://127.0.0.1:$PORT"
	run --separate-stderr uoms-fetch --channel woo --since 2026-11-01
	[ "$status" -eq 3 ]
	[ -z "$output" ]
	[ "$stderr" = "uoms-fetch: channel woo: authentication failed (HTTP 401): Invalid signature - provided signature does not match. (woocommerce_rest_authentication_error)" ]
	[ "$(cat auth.log)" = "oauth1 HMAC-SHA256 401" ]

	add_woo woo2 ck_WRONG_key "$SECRET" "http://127.0.0.1:$PORT"
	run --separate-stderr uoms-fetch --channel woo2 --since 2026-11-01
	[ "$status" -eq 3 ]
	[ "$stderr" = "uoms-fetch: channel woo2: authentication failed (HTTP 401): Consumer key is invalid. (woocommerce_rest_authentication_error)" ]
}

@test "woocommerce oauth: a shop whose clock is 20 minutes ahead refuses the timestamp" {
	start_shop --skew 1200
	add_woo woo "$KEY" "$SECRET" "http://127.0.0.1:$PORT"
	run --separate-stderr uoms-fetch --channel woo --since 2026-11-01
	[ "$status" -eq 3 ]
	[[ "$stderr" == *"authentication failed (HTTP 401): Invalid timestamp. (woocommerce_rest_authentication_error)" ]]
}

# A request signed here, in Python (an implementation apart from
# lib/oauth1), sent twice with the same nonce: the shop takes it once.
@test "woocommerce oauth: the shop takes a nonce once; a second signer agrees with it" {
	start_shop
	run python3 - "$PORT" "$KEY" "$SECRET" <<'EOF'
import base64, hashlib, hmac, json, sys, time, urllib.error, urllib.parse, urllib.request
port, key, secret = sys.argv[1:]
url = "http://127.0.0.1:%s/wp-json/wc/v3/orders" % port
p = {"per_page": "2", "oauth_consumer_key": key, "oauth_nonce": "n" * 32,
     "oauth_signature_method": "HMAC-SHA256",
     "oauth_timestamp": str(int(time.time()))}
enc = lambda s: urllib.parse.quote(s, safe="~")
norm = "&".join("%s=%s" % kv for kv in sorted((enc(k), enc(v)) for k, v in p.items()))
base = "GET&%s&%s" % (enc(url), enc(norm))
p["oauth_signature"] = base64.b64encode(hmac.new((secret + "&").encode(),
    base.encode(), hashlib.sha256).digest()).decode()
full = url + "?" + urllib.parse.urlencode(p)
for _ in range(2):
    try:
        with urllib.request.urlopen(full) as r:
            print(r.status, len(json.load(r)))
    except urllib.error.HTTPError as e:
        print(e.code, json.load(e)["message"])
EOF
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "200 2" ]
	[ "${lines[1]}" = "401 Invalid nonce - nonce has already been used." ]
}

# The shop answers a 500 after it has authenticated the request (as
# WordPress does, before the handler fails), so the nonce is spent: the
# retry must be signed afresh, not sent again as it was.
@test "woocommerce oauth: a retry after a 500 is signed afresh" {
	start_shop --fail 2:500 --fail 3:429
	add_woo woo "$KEY" "$SECRET" "http://127.0.0.1:$PORT"
	run --separate-stderr uoms-fetch --channel woo --since 2026-11-01
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 10 ]
	run ! grep -q ' 401$' auth.log
	[ "$(grep -c ' -> 500$' server.log)" -eq 1 ]
	[ "$(grep -c ' -> 200$' server.log)" -eq 4 ]
}

@test "woocommerce oauth: basic auth is kept for https, and a shop on plain http ignores it" {
	command -v openssl >/dev/null || skip "no openssl(1) to make a certificate"
	openssl req -x509 -newkey rsa:2048 -nodes -keyout key.pem -out cert.pem \
	    -days 1 -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 \
	    2>/dev/null
	start_shop --tls-cert cert.pem --tls-key key.pem
	add_woo woo "$KEY" "$SECRET" "https://127.0.0.1:$PORT" \
	    --set ca_bundle="$PWD/cert.pem"
	run --separate-stderr uoms-fetch --channel woo --since 2026-11-01
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 10 ]
	printf 'basic 200\n%.0s' 1 2 3 4 >want
	diff -u want auth.log
	fake_stop_all

	# auth=basic over plain http (allowed to this machine only): the
	# shop does not look at it, as WooCommerce does not without TLS.
	rm -f auth.log
	start_shop
	add_woo plain "$KEY" "$SECRET" "http://127.0.0.1:$PORT" --set auth=basic
	run --separate-stderr uoms-fetch --channel plain --since 2026-11-01
	[ "$status" -eq 3 ]
	[[ "$stderr" == *"authentication failed (HTTP 401): Sorry, you cannot list resources. (woocommerce_rest_cannot_view)" ]]
	[ "$(cat auth.log)" = "none 401" ]
}

@test "woocommerce oauth: a shop elsewhere on plain http is signed, never basic; --dry-run masks the signature" {
	add_woo far "$KEY" "$SECRET" "http://shop.example"
	run --separate-stderr uoms-fetch --dry-run --channel far --since 2026-11-01
	[ "$status" -eq 0 ]
	[[ "$output" == *"GET http://shop.example/wp-json/wc/v3/orders?"*"&oauth_consumer_key=****&oauth_nonce="*"&oauth_signature_method=HMAC-SHA256&oauth_timestamp="*"&oauth_signature=****"* ]]
	[[ "$output" != *Authorization* && "$output" != *"$KEY"* ]]
	add_woo farbasic "$KEY" "$SECRET" "http://shop.example" --set auth=basic
	run --separate-stderr uoms-fetch --dry-run --channel farbasic
	[ "$status" -eq 3 ]
	[[ "$stderr" == *"base URL 'http://shop.example' is not https://"* ]]
}

# woo_lines FILE ID:CURRENCY:QTY:SUBTOTAL:TOTAL...: one order each, one
# line with a coupon (subtotal before it, total after), as v3 lists them.
woo_lines() {
	python3 - "$@" <<'EOF'
import datetime, json, sys
now = datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)
t = (now - datetime.timedelta(minutes=30)).strftime("%Y-%m-%dT%H:%M:%S")
out = []
for spec in sys.argv[2:]:
    oid, cur, qty, sub, total = spec.split(":")
    out.append({"id": int(oid), "number": oid, "status": "processing",
        "currency": cur, "date_created_gmt": t, "date_modified_gmt": t,
        "discount_total": "%s" % (float(sub) - float(total)), "total": total,
        "coupon_lines": [{"id": 1, "code": "sale"}],
        "line_items": [{"id": int(oid) * 10, "name": "사과", "sku": "APL",
            "quantity": int(qty), "subtotal": sub, "total": total,
            "price": float(total) / int(qty)}], "refunds": []})
json.dump(out, open(sys.argv[1], "w"))
EOF
}

@test "woocommerce: a discounted line's unit price is its total over its quantity, in KRW and USD" {
	# KRW (no minor unit): 27000 for 3 is 9000 each; 20000 for 3 is
	# 6666.67, so 6667 and the line's 20000 kept. USD (cents): 25.00 for
	# 3 is 833.33 cents, so 833 and 2500 kept; 27.00 for 2 is 1350.
	woo_lines shop.json 1:KRW:3:30000:27000 2:KRW:3:30000:20000 \
	    3:USD:3:30.00:25.00 4:USD:2:30.00:27.00
	start_shop --data shop.json
	add_woo woo "$KEY" "$SECRET" "http://127.0.0.1:$PORT"
	uoms-fetch --channel woo | uoms-upsert >/dev/null
	uoms-query --channel woo | python3 -c '
import json, sys
for line in sys.stdin:
    o = json.loads(line)
    for i in o["items"]:
        print(o["external_order_id"], o["currency"], i["quantity"],
              i["unit_price"], i.get("line_total", "-"), o["total_amount"])
' | sort >got
	cat >want <<'EOF'
1 KRW 3 9000 - 27000
2 KRW 3 6667 20000 20000
3 USD 3 833 2500 2500
4 USD 2 1350 - 2700
EOF
	diff -u want got
}
