#!/usr/bin/env bats
# uoms-push to a WooCommerce shop (issue 10 item 5): no acknowledgement; a
# shipment reads the order, adds a customer note with the carrier and the
# tracking number, then sets the order completed, against
# t/fake/woocommerce_server.py (each accepted write in push.log, every
# request in server.log), the orders fetched from it first so that the
# records are exactly what the kind maps.
load helper

export UOMS_SECRET_KEY=00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff
KEY=ck_test_key
SECRET=cs_test_secret

teardown() {
	fake_stop_all
}

# shop_data FILE N: N processing orders (ids 700...) as the shop lists
# them, in FILE (the fake reads it again on every request).
shop_data() {
	python3 - "$SRC/t/fake" "$1" "$2" <<'PY'
import json, sys
sys.path.insert(0, sys.argv[1])
import woocommerce_server as w
orders = w.generated(int(sys.argv[3]))
for o in orders:
    o.update(status="processing", date_completed=None,
             date_completed_gmt=None, refunds=[])
json.dump(orders, open(sys.argv[2], "w"), ensure_ascii=False)
PY
}

# shop_status FILE ID STATUS: the shop changes order ID (a person on the
# shop's admin), or removes it when STATUS is "gone".
shop_status() {
	python3 - "$@" <<'PY'
import json, sys
path, oid, status = sys.argv[1], int(sys.argv[2]), sys.argv[3]
orders = json.load(open(path))
if status == "gone":
    orders = [o for o in orders if o["id"] != oid]
for o in orders:
    if o["id"] == oid:
        o["status"] = status
json.dump(orders, open(path, "w"), ensure_ascii=False)
PY
}

# start_shop N [ARGS...]: the fake shop with N processing orders, the
# channel woo on it (plain http: OAuth 1.0a; https, basic auth, when ARGS
# give the fake the certificate cert.pem, the channel's ca_bundle), the
# orders fetched.
start_shop() {
	local n=$1 scheme=http tls=
	shift
	case " $* " in
	*" --tls-cert cert.pem "*)
		scheme=https
		tls=ca_bundle=$PWD/cert.pem
		;;
	esac
	shop_data shop.json "$n"
	fake_start woocommerce_server.py --data shop.json --log server.log \
	    --auth-log auth.log --push-log push.log "$@"
	printf '%s\n%s\n' "$KEY" "$SECRET" | uoms-channel add woo \
	    --kind woocommerce --base-url "$scheme://127.0.0.1:$PORT" \
	    ${tls:+--set "$tls"} \
	    --secret consumer_key --secret consumer_secret >/dev/null
	uoms-fetch --channel woo --since 2026-11-01 | uoms-upsert >/dev/null
}

# shipped CARRIER REF...: moved to IN_PROGRESS (ships: true in dispatch)
# with a tracking number.
shipped() {
	local carrier=$1
	shift
	uoms-status --to IN_PROGRESS "$@" >/dev/null
	uoms-edit --set shipment.carrier="$carrier" \
	    --set shipment.tracking_number=640012345678 "$@" >/dev/null
}

# writes METHOD PATH: how many writes the shop accepted there.
writes() {
	python3 - "$1" "$2" <<'PY'
import json, sys
n = 0
try:
    for line in open("push.log"):
        r = json.loads(line)
        n += r["method"] == sys.argv[1] and r["path"] == sys.argv[2]
except FileNotFoundError:
    pass
print(n)
PY
}

# woo_call METHOD PATH [JSON]: one request to the fake shop signed here,
# in Python (OAuth 1.0a apart from lib/oauth1: a JSON body is not in the
# base string), printing the status and the answer's JSON.
woo_call() {
	python3 - "$PORT" "$KEY" "$SECRET" "$@" <<'PY'
import base64, hashlib, hmac, json, secrets, sys, time
import urllib.error, urllib.parse, urllib.request
port, key, secret, method, path = sys.argv[1:6]
body = sys.argv[6].encode() if len(sys.argv) > 6 else None
url = "http://127.0.0.1:%s%s" % (port, path)
p = {"oauth_consumer_key": key, "oauth_nonce": secrets.token_hex(16),
     "oauth_signature_method": "HMAC-SHA256",
     "oauth_timestamp": str(int(time.time()))}
enc = lambda s: urllib.parse.quote(s, safe="~")
norm = "&".join("%s=%s" % kv for kv in sorted((enc(k), enc(v)) for k, v in p.items()))
base = "%s&%s&%s" % (method, enc(url), enc(norm))
p["oauth_signature"] = base64.b64encode(hmac.new((secret + "&").encode(),
    base.encode(), hashlib.sha256).digest()).decode()
req = urllib.request.Request(url + "?" + urllib.parse.urlencode(p), data=body,
    method=method, headers={"Content-Type": "application/json"})
try:
    with urllib.request.urlopen(req) as r:
        print(r.status, json.dumps(json.load(r), ensure_ascii=False, sort_keys=True))
except urllib.error.HTTPError as e:
    print(e.code, json.dumps(json.load(e), ensure_ascii=False, sort_keys=True))
PY
}

@test "woocommerce push: a shipment is the order read, the documented note, then completed; no ack" {
	start_shop 3
	shipped cj 2
	: >server.log
	run --separate-stderr uoms-push 1 2 3
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	[ "${#lines[@]}" -eq 1 ]
	# the exact bodies the shop took, all members, in order
	python3 - <<'PY'
import json
got = [json.loads(l) for l in open("push.log")]
want = [
    {"method": "POST", "path": "/wp-json/wc/v3/orders/701/notes",
     "body": {"note": "Shipped with CJ대한통운, tracking number 640012345678",
              "customer_note": True}},
    {"method": "PUT", "path": "/wp-json/wc/v3/orders/701",
     "body": {"status": "completed"}},
]
assert got == want, got
PY
	printf '%s\n' "GET /wp-json/wc/v3/orders/701 -> 200" \
	    "POST /wp-json/wc/v3/orders/701/notes -> 201" \
	    "PUT /wp-json/wc/v3/orders/701 -> 200" >want
	diff -u want server.log
	# each signed (OAuth 1.0a over plain http), POST and PUT too
	[ "$(tail -3 auth.log | sort -u)" = "$(printf 'oauth1 HMAC-SHA256 200\noauth1 HMAC-SHA256 201')" ]
	[ "$(echo "${lines[0]}" | jget state)" = sent ]
	[ "$(echo "${lines[0]}" | jget answer.order.status)" = completed ]
	[ "$(echo "${lines[0]}" | jget answer.note.customer_note)" = True ]
	# nothing is acknowledged: a paid WooCommerce order is processing
	[ "$(sql "SELECT what || ':' || state FROM pushes")" = ship:sent ]
	run uoms-events --order 2 --type pushed
	[ "${#lines[@]}" -eq 1 ]
	[ "$(echo "${lines[0]}" | jget details.answer.order.id)" = 701 ]
	# the next fetch shows the order completed, the note on the shop
	uoms-fetch --channel woo | uoms-upsert >/dev/null
	[ "$(uoms-query --channel woo --status COMPLETE | jget external_order_id)" = 701 ]
	run woo_call GET /wp-json/wc/v3/orders/701/notes
	[[ "$output" == "200 "*'"customer_note": true'*'"note": "Shipped with CJ대한통운, tracking number 640012345678"'* ]]
}

@test "woocommerce push: over https with basic auth, the carrier's name from carriers.tsv" {
	command -v openssl >/dev/null || skip "no openssl(1) to make a certificate"
	openssl req -x509 -newkey rsa:2048 -nodes -keyout key.pem -out cert.pem \
	    -days 1 -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 \
	    2>/dev/null
	# the channel made on https from the start: a fetch over plain http
	# from a TLS server only waits for its timeout
	start_shop 2 --tls-cert cert.pem --tls-key key.pem
	[ "$(uoms-query --channel woo | wc -l)" -eq 2 ]
	shipped logen 2
	: >auth.log
	run --separate-stderr uoms-push 2
	[ "$status" -eq 0 ]
	printf 'basic 200\nbasic 201\nbasic 200\n' >want
	diff -u want auth.log
	[ "$(head -1 push.log | jget body.note)" = "Shipped with 로젠택배, tracking number 640012345678" ]
}

@test "woocommerce push: reruns and two runs at once send each shipment once" {
	start_shop 12
	ids=$(uoms-query --channel woo | jget id | sort -n | tr '\n' ' ')
	shipped hanjin $ids
	uoms-query --channel woo > refs.jsonl
	uoms-push < refs.jsonl > a.out 2> a.err &
	a=$!
	uoms-push < refs.jsonl > b.out 2> b.err &
	b=$!
	wait "$a"
	wait "$b"
	[ "$(cat a.out b.out | wc -l)" -eq 12 ]
	for run in 1 2 3; do
		uoms-query --channel woo | uoms-push > out.$run
		[ ! -s out.$run ]
	done
	for i in $(seq 700 711); do
		[ "$(writes POST /wp-json/wc/v3/orders/$i/notes)" -eq 1 ]
		[ "$(writes PUT /wp-json/wc/v3/orders/$i)" -eq 1 ]
	done
	[ "$(wc -l < push.log)" -eq 24 ]
	[ "$(sql "SELECT count(*) FROM pushes WHERE state = 'sent'")" -eq 12 ]
}

@test "woocommerce push: kill -9 once the note is sent: the rerun sends nothing, says it is uncertain" {
	start_shop 1 --write-delay 60
	shipped cj 1
	uoms-push 1 >/dev/null 2>&1 &
	pid=$!
	# the shop took the note and has not answered yet
	wait_for grep -q '"POST"' push.log
	kill -9 "$pid"
	wait "$pid" || true
	[ "$(sql "SELECT state FROM pushes WHERE order_id = 1")" = sending ]
	run --separate-stderr uoms-push --reject rej.jsonl 1
	[ "$status" -eq 1 ]
	[ -z "$output" ]
	[[ "$stderr" == *"order 1: invalid: ship to channel woo: pushed or not?"*"uoms-push --resend 1"* ]]
	[ "$(writes POST /wp-json/wc/v3/orders/700/notes)" -eq 1 ]
	[ "$(wc -l < push.log)" -eq 1 ]
	run uoms-push 1
	[ "$status" -eq 1 ]
	[ "$(wc -l < push.log)" -eq 1 ]
}

@test "woocommerce push: an order the shop cancelled, refunded or deleted is refused before anything is written" {
	start_shop 4
	shipped cj 1 2 3 4
	shop_status shop.json 700 cancelled
	shop_status shop.json 701 refunded
	shop_status shop.json 702 gone
	run --separate-stderr uoms-push --reject rej.jsonl 1 2 3 4
	[ "$status" -eq 1 ]
	[[ "$stderr" == *"order 1: invalid: ship refused by channel woo: the shop has the order cancelled: not told it shipped (nothing sent)"* ]]
	[[ "$stderr" == *"order 2: invalid: ship refused by channel woo: the shop has the order refunded: not told it shipped (nothing sent)"* ]]
	[[ "$stderr" == *"order 3: invalid: ship refused by channel woo: HTTP 404: Invalid ID. (woocommerce_rest_shop_order_invalid_id)"* ]]
	[ "$(wc -l < rej.jsonl)" -eq 3 ]
	[ "$(sed -n 3p rej.jsonl | jget id)" = 3 ]
	[ "$(sed -n 3p rej.jsonl | jget error.message)" = "ship refused by channel woo: HTTP 404: Invalid ID. (woocommerce_rest_shop_order_invalid_id)" ]
	# only order 4 was written to
	[ "$(wc -l < push.log)" -eq 2 ]
	[ "$(writes PUT /wp-json/wc/v3/orders/703)" -eq 1 ]
	[ "$(sql "SELECT order_id || ':' || state FROM pushes ORDER BY order_id")" = "$(printf '1:refused\n2:refused\n3:refused\n4:sent')" ]
	echo "$output" | grep -q '"id":3,"channel":"woo","push":"ship","state":"refused","answer":{"code":"woocommerce_rest_shop_order_invalid_id","message":"Invalid ID.","data":{"status":404}}'
	# not asked again
	: >server.log
	run uoms-push 1 2 3 4
	[ "$status" -eq 0 ]
	[ ! -s server.log ]
}

@test "woocommerce push: an order completed on the shop meanwhile gets the note alone" {
	start_shop 1
	shipped epost 1
	shop_status shop.json 700 completed
	run --separate-stderr uoms-push 1
	[ "$status" -eq 0 ]
	[ "$(wc -l < push.log)" -eq 1 ]
	[ "$(writes POST /wp-json/wc/v3/orders/700/notes)" -eq 1 ]
	[ "$(echo "$output" | jget answer.order.status)" = completed ]
}

@test "woocommerce push: a 5xx on the status update is retried, signed afresh, and taken once" {
	# requests 1 and 2 are the fetch (orders, trash), 3 the order, 4 the
	# note, 5 the update: a 500 after WordPress took its nonce
	start_shop 1 --fail 5:500
	shipped cj 1
	run --separate-stderr uoms-push 1
	[ "$status" -eq 0 ]
	[ "$(echo "$output" | jget state)" = sent ]
	[ "$(grep -c '^PUT /wp-json/wc/v3/orders/700 -> 500$' server.log)" -eq 1 ]
	[ "$(grep -c '^PUT /wp-json/wc/v3/orders/700 -> 200$' server.log)" -eq 1 ]
	run ! grep -q ' 401$' auth.log
	[ "$(writes POST /wp-json/wc/v3/orders/700/notes)" -eq 1 ]
	[ "$(writes PUT /wp-json/wc/v3/orders/700)" -eq 1 ]
}

@test "woocommerce push: a wrong secret is an authentication failure; nothing is written" {
	start_shop 1
	shipped cj 1
	printf 'cs_WRONG_0123456789\n' | uoms-channel update woo \
	    --secret consumer_secret >/dev/null
	run --separate-stderr uoms-push --reject rej.jsonl 1
	[ "$status" -eq 1 ]
	[[ "$stderr" == *"authentication failed (HTTP 401): Invalid signature - provided signature does not match. (woocommerce_rest_authentication_error)"* ]]
	[[ "$stderr" != *cs_WRONG* ]]
	[ ! -s push.log ]
	[ -s rej.jsonl ]
}

@test "woocommerce push: an unknown carrier is a reject naming it, nothing sent" {
	start_shop 2
	# a carriers.tsv that knows nosuch (so uoms-edit takes it) with no
	# name for WooCommerce
	cp -r "$SRC/share/uoms" data
	printf 'nosuch\tNo Such\t-\t-\t-\t-\n' >>data/carriers.tsv
	UOMS_DATA=$PWD/data shipped nosuch 1 2
	: >server.log
	run --separate-stderr env UOMS_DATA="$PWD/data" uoms-push --reject rej.jsonl 1
	[ "$status" -eq 1 ]
	[ "$stderr" = "uoms-push: order 1: invalid: ship refused by channel woo: carrier 'nosuch' has no woocommerce name in carriers.tsv" ]
	[ "$(jget error.message < rej.jsonl)" = "ship refused by channel woo: carrier 'nosuch' has no woocommerce name in carriers.tsv" ]
	# the shipped carriers.tsv does not know it at all
	run --separate-stderr uoms-push --reject rej2.jsonl 2
	[ "$status" -eq 1 ]
	[ "$stderr" = "uoms-push: order 2: invalid: ship refused by channel woo: unknown carrier 'nosuch' (carriers.tsv has cj, hanjin, lotte, epost, logen)" ]
	[[ "$(jget error.message < rej2.jsonl)" == *"unknown carrier 'nosuch'"* ]]
	# certainly not sent: refused (--resend after fixing the carrier),
	# not left in doubt
	[ "$(sql "SELECT group_concat(state) FROM pushes")" = refused,refused ]
	[ ! -s server.log ]
	[ ! -s push.log ]
}

@test "woocommerce push: --dry-run shows the first request, every secret masked, and writes nothing" {
	start_shop 1
	shipped cj 1
	: >server.log
	events=$(sql "SELECT count(*) FROM events")
	run --separate-stderr uoms-push --dry-run 1
	[ "$status" -eq 0 ]
	[[ "$output" == *"# push ship of order 1 to channel woo (woocommerce)"* ]]
	[[ "$output" == *"GET http://127.0.0.1:$PORT/wp-json/wc/v3/orders/700?oauth_consumer_key=****&"*"&oauth_signature=****"* ]]
	[[ "$output" != *"$KEY"* && "$stderr" != *"$KEY"* ]]
	[[ "$output" != *"$SECRET"* && "$stderr" != *"$SECRET"* ]]
	[ ! -s server.log ]
	[ ! -s push.log ]
	[ "$(sql "SELECT count(*) FROM pushes")" -eq 0 ]
	[ "$(sql "SELECT count(*) FROM events")" -eq "$events" ]

	# basic auth (https): the Authorization header masked
	basic=$(printf '%s:%s' "$KEY" "$SECRET" | base64)
	uoms-channel update woo --base-url https://shop.example >/dev/null
	run --separate-stderr uoms-push --dry-run 1
	[ "$status" -eq 0 ]
	[[ "$output" == *"GET https://shop.example/wp-json/wc/v3/orders/700"* ]]
	[[ "$output" == *"Authorization: ****"* ]]
	[[ "$output" != *"$basic"* && "$output" != *"$SECRET"* && "$stderr" != *"$SECRET"* ]]
}

@test "woocommerce fake: refuses what WooCommerce refuses, with its error JSON" {
	start_shop 1
	run woo_call PUT /wp-json/wc/v3/orders/700 '{"status":"shipped"}'
	[[ "$output" == '400 '*'"code": "rest_invalid_param"'*'"message": "Invalid parameter(s): status"'* ]]
	[[ "$output" == *'"status": "status is not one of pending, processing, on-hold, completed, cancelled, refunded, failed, and checkout-draft."'* ]]
	run woo_call PUT /wp-json/wc/v3/orders/999 '{"status":"completed"}'
	[ "$output" = '400 {"code": "woocommerce_rest_shop_order_invalid_id", "data": {"status": 400}, "message": "Invalid ID."}' ]
	run woo_call POST /wp-json/wc/v3/orders/999/notes '{"note":"x"}'
	[ "$output" = '404 {"code": "woocommerce_rest_shop_order_invalid_id", "data": {"status": 404}, "message": "Invalid order ID."}' ]
	run woo_call POST /wp-json/wc/v3/orders/700/notes '{"customer_note":true}'
	[ "$output" = '400 {"code": "rest_missing_callback_param", "data": {"params": ["note"], "status": 400}, "message": "Missing parameter(s): note"}' ]
	run woo_call POST /wp-json/wc/v3/orders/700/notes '{"note":"x","customer_note":"yes"}'
	[[ "$output" == '400 '*'"customer_note": "customer_note is not of type boolean."'* ]]
	run woo_call POST /wp-json/wc/v3/orders/700/notes '{"note":'
	[[ "$output" == '400 '*'"code": "rest_invalid_json"'* ]]
	[ ! -s push.log ]
	# and takes a good one
	run woo_call PUT /wp-json/wc/v3/orders/700 '{"status":"completed"}'
	[[ "$output" == '200 '*'"status": "completed"'* ]]
	[ "$(writes PUT /wp-json/wc/v3/orders/700)" -eq 1 ]
}
