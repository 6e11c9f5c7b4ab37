#!/usr/bin/env bats
# uoms-fetch, the engine: incremental fetches that upsert can take twice,
# retries (500, 429 with Retry-After, a hang past the timeout), one channel
# failing while the others complete, secrets masked in --dry-run, verified
# TLS, and flat memory over 200 pages. Channels are the built-in demo kind
# (no network) and http-jsonl against t/fake/jsonl_server.py.
load helper

export UOMS_SECRET_KEY=00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff
TOKEN=tok-Secret-7f3a9c
# The demo stands still at CLOCK; the jsonl server's orders change from
# 2026-11-21T00:06:00Z, one a minute.
CLOCK=2026-11-22T00:00:00Z

# serve [ARGS...]: a jsonl server in the background; its port in PORT, its
# requests in server.log. Several may run; teardown stops them all.
serve() {
	local out=port.$((${#PIDS[@]} + 1))
	python3 "$SRC/t/fake/jsonl_server.py" --log server.log "$@" >"$out" \
	    2>>server.err &
	PIDS+=($!)
	for _ in $(seq 100); do
		[ -s "$out" ] && break
		sleep 0.05
	done
	PORT=$(head -1 "$out")
	[ -n "$PORT" ]
}

teardown() {
	for pid in "${PIDS[@]}"; do
		kill "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	done
}

# jsonl NAME [ARGS...]: an http-jsonl channel on the last server started,
# with the bearer token.
jsonl() {
	local name=$1
	shift
	echo "$TOKEN" | uoms-channel add "$name" --kind http-jsonl \
	    --base-url "http://127.0.0.1:$PORT" --set path=/orders \
	    --secret token "$@" >/dev/null
}

# demo [ARGS...]: the demo channel, standing at CLOCK.
demo() {
	uoms-channel add demo --kind demo --set clock=$CLOCK "$@" >/dev/null
}

# requests: how many requests the servers were asked.
requests() {
	if [ -f server.log ]; then wc -l <server.log; else echo 0; fi
}

# summary FILE: what uoms-upsert --summary said of FILE.
summary() {
	uoms-upsert --summary <"$1" 2>&1 >/dev/null
}

@test "demo: fetch | upsert twice, the second run creates nothing and the overlap duplicates nothing" {
	demo
	run --separate-stderr uoms-fetch --since 2026-11-21T12:00:00Z
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	echo "$output" >first
	n=$(wc -l <first)
	[ "$n" -gt 600 ]
	[ "$(jget channel <first | sort -u)" = demo ]
	[ "$(jget workflow <first | sort -u)" = dispatch ]
	[ "$(summary first)" = "uoms-upsert: read $n, created $n, updated 0, unchanged 0, rejected 0" ]
	# The same window gives the same bytes.
	uoms-fetch --since 2026-11-21T12:00:00Z | cmp - first
	# Without --since: from the high water, less the overlap margin.
	run --separate-stderr uoms-fetch
	[ "$status" -eq 0 ]
	echo "$output" >second
	[ -s second ]
	[ "$(wc -l <second)" -lt "$n" ]
	[ "$(summary second)" = "uoms-upsert: read $(wc -l <second), created 0, updated 0, unchanged $(wc -l <second), rejected 0" ]
	[ "$(sql 'SELECT count(*) FROM orders')" = "$n" ]
	[ "$(sql "SELECT count(*) FROM events WHERE order_id IS NOT NULL AND type <> 'created'")" = 0 ]
}

@test "demo: an order changed on the channel updates once" {
	demo
	uoms-fetch --since 2026-11-21T18:00:00Z | uoms-upsert >/dev/null
	before=$(sql 'SELECT count(*) FROM orders')
	# 25 minutes later on the channel: new orders, and orders moved on
	# (by one step at most: no demo status lasts less than 30 minutes
	# but those the dispatch workflow does not see).
	uoms-channel update demo --set clock=2026-11-22T00:25:00Z >/dev/null
	uoms-fetch >later
	run --separate-stderr uoms-upsert --summary <later
	[ "$status" -eq 0 ]
	[[ "$stderr" =~ created\ ([0-9]+),\ updated\ ([0-9]+) ]]
	[ "${BASH_REMATCH[1]}" -ge 20 ]
	[ "${BASH_REMATCH[2]}" -ge 10 ]
	[ "$(sql 'SELECT count(*) FROM orders')" = $((before + BASH_REMATCH[1])) ]
	# The store follows the channel: every order fetched has its status.
	sql "SELECT external_order_id || ' ' || status FROM orders" | sort >stored
	python3 -c '
import json, sys
for l in open("later"):
    o = json.loads(l)
    print(o["external_order_id"], o["status"])' | sort >want
	[ -z "$(comm -13 stored want)" ]
	[ "$(sql 'SELECT count(*) FROM holds')" = 0 ]
	# A change is applied once: fetching again changes nothing.
	run --separate-stderr sh -c 'uoms-fetch | uoms-upsert --summary >/dev/null'
	[ "$status" -eq 0 ]
	[[ "$stderr" == *"created 0, updated 0, "* ]]
}

@test "demo: --products prints the catalog" {
	demo
	run --separate-stderr uoms-fetch --products
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 200 ]
	echo "$output" >products
	run --separate-stderr uoms-upsert --products --summary <products
	[ "$status" -eq 0 ]
	[[ "$stderr" == *"created 200, "* ]]
}

@test "http-jsonl: every page, the bearer token sent, each line as served with the channel's name" {
	serve --orders 250 --per-page 100 --token "$TOKEN"
	jsonl shop --workflow dispatch
	run --separate-stderr uoms-fetch --since 2026-11-21
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	[ "${#lines[@]}" -eq 250 ]
	echo "$output" >got
	[ "$(jget channel <got | sort -u)" = shop ]
	[ "$(head -1 got | jget external_order_id)" = J000001 ]
	[ "$(tail -1 got | jget external_order_id)" = J000250 ]
	# Pages 1 to 3, each with the token, page 1 asked with since.
	[ "$(jget path <server.log)" = "/orders?since=2026-11-21T00%3A00%3A00Z&page=1
/orders?since=2026-11-21T00:00:00Z&page=2
/orders?since=2026-11-21T00:00:00Z&page=3" ]
	[ "$(jget headers.Authorization <server.log | sort -u)" = "Bearer $TOKEN" ]
	[ "$(summary got)" = "uoms-upsert: read 250, created 250, updated 0, unchanged 0, rejected 0" ]
	# Next time, from the high water less 600 s: ten orders again, unchanged.
	run --separate-stderr sh -c 'uoms-fetch | uoms-upsert --summary >/dev/null'
	[ "$status" -eq 0 ]
	[ "$stderr" = "uoms-upsert: read 10, created 0, updated 0, unchanged 10, rejected 0" ]
	[ "$(tail -1 server.log | jget path)" = "/orders?since=2026-11-21T04%3A05%3A00Z&page=1" ]
}

@test "a wrong token: authentication failed, naming the channel, no secret anywhere" {
	serve --orders 5 --token "$TOKEN"
	TOKEN=not-the-token jsonl shop
	run --separate-stderr uoms-fetch --since 2026-11-21
	[ "$status" -eq 3 ]
	[ -z "$output" ]
	[ "$stderr" = "uoms-fetch: channel shop: authentication failed (HTTP 401)" ]
	[ "$(requests)" -eq 1 ]
}

@test "retries: a 500, then the answer" {
	serve --orders 5 --token "$TOKEN" --fail 1:500
	jsonl shop
	run --separate-stderr uoms-fetch --since 2026-11-21
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	[ "${#lines[@]}" -eq 5 ]
	[ "$(requests)" -eq 2 ]
}

@test "retries: a 429 waits as long as Retry-After says" {
	serve --orders 5 --token "$TOKEN" --fail 1:429:2
	jsonl shop
	start=$(date +%s.%N)
	run --separate-stderr uoms-fetch --since 2026-11-21
	elapsed=$(awk "BEGIN { print $(date +%s.%N) - $start }")
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 5 ]
	[ "$(requests)" -eq 2 ]
	# Measured at the server, between the two requests, and end to end.
	python3 -c '
import json, sys
t = [json.loads(l)["time"] for l in open("server.log")]
sys.exit(0 if t[1] - t[0] >= 2.0 else "waited only %.3f s" % (t[1] - t[0]))'
	[ "$(awk "BEGIN { print ($elapsed >= 2) }")" = 1 ]
}

@test "retries: a hang past the channel's timeout, then the answer; a Retry-After date" {
	serve --orders 5 --token "$TOKEN" --fail 1:hang --hang 20 \
	    --fail "2:429:$(date -u -R -d '+2 seconds' | sed 's/+0000/GMT/')"
	jsonl shop --set timeout=1
	start=$(date +%s)
	run --separate-stderr uoms-fetch --since 2026-11-21
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	[ "${#lines[@]}" -eq 5 ]
	[ "$(requests)" -eq 3 ]
	[ $(($(date +%s) - start)) -lt 10 ]
}

@test "retries run out: the channel fails saying why and after how many tries" {
	serve --orders 5 --token "$TOKEN" --fail '*:503'
	jsonl shop
	printf 'fetch_retries: 2\n' >uoms.yaml
	run --separate-stderr uoms-fetch -c uoms.yaml --since 2026-11-21
	[ "$status" -eq 3 ]
	[ -z "$output" ]
	[ "$stderr" = "uoms-fetch: channel shop: HTTP 503 (gave up after 3 tries)" ]
	[ "$(requests)" -eq 3 ]
}

@test "a truncated answer is retried; an answer that is not JSON fails the channel" {
	serve --orders 5 --token "$TOKEN" --fail 1:truncate --fail 3:badjson
	jsonl shop
	run --separate-stderr uoms-fetch --since 2026-11-21
	[ "$status" -eq 0 ]
	# Lines are printed as they arrive: those of the first, truncated
	# try come again with the retry (upsert takes them twice).
	echo "$output" >got
	[ "${#lines[@]}" -ge 5 ]
	[ "$(sort -u got | wc -l)" -eq 5 ]
	[ "$(summary got | sed 's/read [0-9]*, //')" = "uoms-upsert: created 5, updated 0, unchanged $((${#lines[@]} - 5)), rejected 0" ]
	run --separate-stderr uoms-fetch --since 2026-11-21
	[ "$status" -eq 3 ]
	[ -z "$output" ]
	[ "$stderr" = "uoms-fetch: channel shop: page 1, line 1: not JSON" ]
}

@test "a line that is not an object fails the channel, naming the line; the lines before it stand" {
	serve --orders 5 --token "$TOKEN" --bad-line 4
	jsonl shop
	run --separate-stderr uoms-fetch --since 2026-11-21
	[ "$status" -eq 3 ]
	[ "${#lines[@]}" -eq 3 ]
	[[ "$stderr" == "uoms-fetch: channel shop: page 1, line 4: not a JSON object"$'\n'* ]]
	[[ "$stderr" == *"--channel shop --since 2026-11-21T00:00:00Z"* ]]
}

@test "one channel failing (401) while two others complete: exit 1, their orders printed" {
	serve --orders 30 --per-page 10 --token "$TOKEN"
	jsonl good
	TOKEN=wrong jsonl bad
	demo
	run --separate-stderr uoms-fetch --since 2026-11-21
	[ "$status" -eq 1 ]
	[ "$stderr" = "uoms-fetch: channel bad: authentication failed (HTTP 401)" ]
	echo "$output" >got
	[ "$(grep -c '"channel":"good"' got)" -eq 30 ]
	[ "$(grep -c '"channel":"demo"' got)" -gt 50 ]
	[ "$(grep -c '"channel":"bad"' got)" -eq 0 ]
	[ "$(summary got | sed 's/read [0-9]*, //')" = "uoms-upsert: created $(wc -l <got), updated 0, unchanged 0, rejected 0" ]
}

@test "--dry-run prints the first request of each channel, the token masked, and sends nothing" {
	serve --orders 5 --token "$TOKEN"
	jsonl shop
	demo
	run --separate-stderr uoms-fetch --dry-run --since 2026-11-21
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	[ "$output" = "# channel demo (demo) since 2026-11-21T00:00:00Z
# no request: kind 'demo' makes its orders itself

# channel shop (http-jsonl) since 2026-11-21T00:00:00Z
GET http://127.0.0.1:$PORT/orders?since=2026-11-21T00%3A00%3A00Z&page=1
Accept: application/jsonl, application/x-ndjson, application/json;q=0.5
Authorization: ****" ]
	[[ "$output" != *"$TOKEN"* ]]
	[ "$(requests)" -eq 0 ]
}

@test "a secret that can't be opened fails its channel clearly, never sending without it" {
	serve --orders 5 --token "$TOKEN"
	jsonl shop
	demo
	UOMS_SECRET_KEY=ffeeddccbbaa99887766554433221100ffeeddccbbaa99887766554433221100 \
	    run --separate-stderr uoms-fetch --since 2026-11-21T23:00:00Z
	[ "$status" -eq 1 ]
	[[ "$stderr" == "uoms-fetch: channel shop: can't open secret 'token': "*"wrong key"* ]]
	[[ "$stderr" != *"$TOKEN"* ]]
	[ "$(requests)" -eq 0 ]
	[ "$(echo "$output" | jget channel | sort -u)" = demo ]
}

@test "TLS is verified: a self-signed server is refused, accepted with its ca_bundle" {
	command -v openssl >/dev/null || skip "no openssl(1) to make a certificate"
	openssl req -x509 -newkey rsa:2048 -nodes -keyout key.pem -out cert.pem \
	    -days 1 -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 \
	    2>/dev/null
	serve --orders 5 --token "$TOKEN" --tls-cert cert.pem --tls-key key.pem
	echo "$TOKEN" | uoms-channel add shop --kind http-jsonl --secret token \
	    --base-url "https://127.0.0.1:$PORT/orders" >/dev/null
	run --separate-stderr uoms-fetch --since 2026-11-21
	[ "$status" -eq 3 ]
	[ -z "$output" ]
	[[ "$stderr" == "uoms-fetch: channel shop: "*"(a private CA? set ca_bundle)" ]]
	uoms-channel update shop --set ca_bundle="$PWD/cert.pem" >/dev/null
	run --separate-stderr uoms-fetch --since 2026-11-21
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 5 ]
}

@test "channels: all enabled ones, or those named; unknown, disabled or none is exit 3" {
	demo
	uoms-channel add other --kind demo --set clock=$CLOCK --set seed=2 >/dev/null
	uoms-channel add off --kind demo >/dev/null
	uoms-channel disable off >/dev/null
	run --separate-stderr uoms-fetch --since 2026-11-21T23:00:00Z
	[ "$status" -eq 0 ]
	[ "$(echo "$output" | jget channel | sort -u | tr '\n' ' ')" = "demo other " ]
	run --separate-stderr uoms-fetch --channel other --channel other --since 2026-11-21T23:00:00Z
	[ "$status" -eq 0 ]
	[ "$(echo "$output" | jget channel | sort -u)" = other ]
	run --separate-stderr uoms-fetch --channel nope
	[ "$status" -eq 3 ]
	[ -z "$output" ]
	[ "$stderr" = "uoms-fetch: channel 'nope': no such channel" ]
	run --separate-stderr uoms-fetch --channel off
	[ "$status" -eq 3 ]
	[[ "$stderr" == "uoms-fetch: channel 'off' is disabled"* ]]
	uoms-channel disable demo >/dev/null
	uoms-channel disable other >/dev/null
	run --separate-stderr uoms-fetch
	[ "$status" -eq 3 ]
	[[ "$stderr" == "uoms-fetch: no enabled channels"* ]]
	run --separate-stderr uoms-fetch -d "$PWD/none.db"
	[ "$status" -eq 3 ]
	[ ! -e none.db ]
	run --separate-stderr uoms-fetch --since yesterday
	[ "$status" -eq 2 ]
	[[ "$stderr" == "uoms-fetch: --since: 'yesterday' is not"* ]]
}

@test "at a terminal, a progress line per channel; in a pipe, none" {
	command -v script >/dev/null || skip "no script(1) to make a terminal"
	demo
	uoms-channel add other --kind demo --set clock=$CLOCK >/dev/null
	script -qec "uoms-fetch --since 2026-11-21T23:00:00Z >/dev/null" /dev/null >tty
	grep -q 'uoms-fetch: channel demo: 0 pages, [0-9]* orders, done' tty
	grep -q 'uoms-fetch: channel other: 0 pages, [0-9]* orders, done' tty
	run --separate-stderr uoms-fetch --since 2026-11-21T23:00:00Z
	[ -z "$stderr" ]
}

@test "20 000 orders over 200 pages: memory stays flat" {
	[ -x /usr/bin/time ] || skip "no GNU time (/usr/bin/time)"
	if ldd "$(command -v uoms-fetch)" | grep -q libasan; then
		skip "AddressSanitizer's quarantine is not the tool's memory"
	fi
	serve --orders 2000 --per-page 100
	uoms-channel add small --kind http-jsonl --base-url "http://127.0.0.1:$PORT/orders" >/dev/null
	serve --orders 20000 --per-page 100
	uoms-channel add big --kind http-jsonl --base-url "http://127.0.0.1:$PORT/orders" >/dev/null
	/usr/bin/time -f %M -o small.kib uoms-fetch --channel small --since 2026-11-21 >small
	/usr/bin/time -f %M -o big.kib uoms-fetch --channel big --since 2026-11-21 >big
	[ "$(wc -l <small)" -eq 2000 ]
	[ "$(wc -l <big)" -eq 20000 ]
	[ "$(sort -u big | wc -l)" -eq 20000 ]
	small=$(tail -1 small.kib) big=$(tail -1 big.kib)
	echo "peak RSS: $small KiB for 2 000 orders, $big KiB for 20 000"
	[ $((big - small)) -lt 3072 ]
}

@test "uoms-fetch(1) EXAMPLES run" {
	unset UOMS_DB
	man_examples uoms-fetch.1
	for f in $(ls ex*.sh | sort -V); do
		sh "$f" >"$f.out" 2>"$f.err" </dev/null && st=0 || st=$?
		echo "$f: $st: $(cat "$f.err")"
		[ "$st" -eq 0 ]
	done
	[ "$(ls ex*.sh | wc -l)" -eq 5 ]
	[ "$(sqlite3 uoms.db 'SELECT count(*) FROM products')" -eq 200 ]
	grep -q '^# no request' ex3.sh.out
}
