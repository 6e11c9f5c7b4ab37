#!/usr/bin/env bats
# uoms-fetch against a hostile channel server (t/fake/hostile_server.py,
# issue 8 breaks 6 to 10): the token never goes to another origin or over
# http, links resolve as RFC 3986 says, cycles and endless pages end,
# nothing a server echoes shows a secret, a finished channel's token is
# gone from memory, and memory stays flat however big a page is.
load helper

export UOMS_SECRET_KEY=00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff
TOKEN=tok-Hostile-5b1e0d77

teardown() {
	fake_stop_all
}

# hostile ARGS...: a hostile server in the background, logging to
# server.log; its port in PORT (and HPORT).
hostile() {
	fake_start hostile_server.py --log server.log "$@"
	HPORT=$PORT
}

# channel NAME URL [ARGS...]: an http-jsonl channel with the token.
channel() {
	local name=$1 url=$2
	shift 2
	echo "$TOKEN" | uoms-channel add "$name" --kind http-jsonl \
	    --base-url "$url" --secret token "$@" >/dev/null
}

requests() {
	if [ -f "${1:-server.log}" ]; then wc -l <"${1:-server.log}"; else echo 0; fi
}

# fetch: uoms-fetch under a time bound, status, stdout and stderr kept.
fetch() {
	run --separate-stderr timeout 60 uoms-fetch --since 2026-11-21 "$@"
	echo "status $status"
	echo "stderr: $stderr"
}

# no_token: the token is nowhere in what the fetch printed.
no_token() {
	[[ "$output" != *"$TOKEN"* ]]
	[[ "$stderr" != *"$TOKEN"* ]]
}

@test "an absolute Link to another origin: refused, the other server never asked" {
	fake_start hostile_server.py --mode plain --log other.log
	other=$PORT
	hostile --mode foreign --target "http://127.0.0.1:$other/steal?t={token}"
	channel shop "http://127.0.0.1:$HPORT/orders"
	fetch
	[ "$status" -eq 3 ]
	no_token
	# The page read before it is printed.
	[ "${#lines[@]}" -eq 2 ]
	[[ "$stderr" == "uoms-fetch: channel shop: page 1: its next link is on another origin (http://127.0.0.1:$other), not the channel's (http://127.0.0.1:$HPORT): not followed"$'\n'* ]]
	[ "$(requests other.log)" -eq 0 ]
	[ "$(requests)" -eq 1 ]
}

@test "an https channel's Link to http: refused, nothing sent in clear" {
	command -v openssl >/dev/null || skip "no openssl(1) to make a certificate"
	openssl req -x509 -newkey rsa:2048 -nodes -keyout key.pem -out cert.pem \
	    -days 1 -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 \
	    2>/dev/null
	fake_start hostile_server.py --mode plain --log other.log
	other=$PORT
	hostile --mode foreign --target "http://127.0.0.1:$other/p2" \
	    --tls-cert cert.pem --tls-key key.pem
	channel shop "https://127.0.0.1:$HPORT/orders" --set ca_bundle="$PWD/cert.pem"
	fetch
	[ "$status" -eq 3 ]
	no_token
	[ "${#lines[@]}" -eq 2 ]
	[[ "$stderr" == *"its next link is on another origin (http://127.0.0.1:$other), not the channel's (https://127.0.0.1:$HPORT)"* ]]
	[ "$(requests other.log)" -eq 0 ]
}

@test "relative links resolve as RFC 3986 says, each shape, the token only to the same origin" {
	n=0
	while read -r ref want; do
		rm -f server.log
		store_reset
		hostile --mode relative --target "$ref"
		channel shop "http://127.0.0.1:$HPORT/a/b/orders"
		fetch
		[ "$status" -eq 0 ]
		[ -z "$stderr" ]
		[ "${#lines[@]}" -eq 4 ]
		got=$(jget path <server.log | sed -n 2p)
		echo "$ref -> $got (want $want)"
		[ "$got" = "$want" ]
		[ "$(jget headers.Authorization <server.log | sort -u)" = "Bearer $TOKEN" ]
		fake_stop_all
		n=$((n + 1))
	done <<-'EOF'
	p2 /a/b/p2
	./p2?x=1 /a/b/p2?x=1
	../p2 /a/p2
	../../../../p2 /p2
	/top/p2 /top/p2
	?page=2 /a/b/orders?page=2
	p2#frag /a/b/p2
	.. /a/
	//{host}/net/p2 /net/p2
	EOF
	[ "$n" -eq 9 ]
}

@test "a file:// Link: refused, no second request" {
	hostile --mode file
	channel shop "http://127.0.0.1:$HPORT/orders"
	fetch
	[ "$status" -eq 3 ]
	no_token
	[ "${#lines[@]}" -eq 2 ]
	[[ "$stderr" == "uoms-fetch: channel shop: page 1: its next link 'file:///etc/passwd' is not http or https: not followed"$'\n'* ]]
	[ "$(requests)" -eq 1 ]
}

@test "a cycle of 2 and of 3 pages ends with an error, each page asked once, its orders printed" {
	for k in 2 3; do
		rm -f server.log
		store_reset
		# /c0 -> /c1 -> ... -> /ck -> /c1
		hostile --mode cycle --cycle "$k"
		channel shop "http://127.0.0.1:$HPORT/c0"
		fetch
		[ "$status" -eq 3 ]
		no_token
		[ "${#lines[@]}" -eq $((2 * (k + 1))) ]
		[ "$(requests)" -eq $((k + 1)) ]
		[[ "$stderr" == "uoms-fetch: channel shop: page $((k + 2)): its URL was already fetched (page 2): a cycle, not followed"$'\n'* ]]
		fake_stop_all
	done
}

@test "the same cursor offered again ends the fetch" {
	hostile --mode cursor
	channel shop "http://127.0.0.1:$HPORT/orders"
	fetch
	[ "$status" -eq 3 ]
	[ "$(requests)" -eq 2 ]
	[ "${#lines[@]}" -eq 2 ]
	[[ "$stderr" == "uoms-fetch: channel shop: page 2: its Link rel=\"next\" points at itself"$'\n'* ]]
}

@test "endless pages stop at max_pages, the orders read printed" {
	hostile --mode endless
	channel shop "http://127.0.0.1:$HPORT/orders" --set max_pages=25
	fetch
	[ "$status" -eq 3 ]
	[ "$(requests)" -eq 25 ]
	[ "${#lines[@]}" -eq 25 ]
	[[ "$stderr" == "uoms-fetch: channel shop: more than 25 pages (max_pages): stopped"$'\n'* ]]
}

@test "max_pages out of range is refused by uoms-channel add and update" {
	for v in 0 -1 abc 1.5 1000001; do
		run --separate-stderr uoms-channel add shop --kind http-jsonl \
		    --base-url http://127.0.0.1:1/ --set max_pages="$v"
		[ "$status" -ne 0 ]
		[[ "$stderr" == *"max_pages"*"1 to 1000000"* ]]
	done
	uoms-channel add shop --kind http-jsonl --base-url http://127.0.0.1:1/ \
	    --set max_pages=1000000 >/dev/null
	run --separate-stderr uoms-channel update shop --set max_pages=0
	[ "$status" -ne 0 ]
	[[ "$stderr" == *"max_pages"* ]]
}

@test "a server echoing the token in an error body: masked in the message" {
	hostile --mode echo
	channel shop "http://127.0.0.1:$HPORT/orders"
	fetch
	[ "$status" -eq 3 ]
	no_token
	[[ "$stderr" == "uoms-fetch: channel shop: HTTP 400: invalid credentials: **** (you asked GET /orders?"* ]]
}

@test "a token cut short where the message quotes the body: no part of it shown" {
	# The message quotes 120 bytes of the body: the token starts at 110.
	hostile --mode echo --pad 82
	channel shop "http://127.0.0.1:$HPORT/orders"
	fetch
	[ "$status" -eq 3 ]
	no_token
	[[ "$stderr" != *"tok-Hos"* ]]
	[[ "$stderr" == "uoms-fetch: channel shop: HTTP 400: xxxx"*"invalid credentials: **** (you asked G" ]]
}

@test "a foreign Link carrying the token in its query: masked in the message" {
	fake_start hostile_server.py --mode plain --log other.log
	other=$PORT
	hostile --mode relative --target "http://127.0.0.1:$other/x?t=$TOKEN"
	channel shop "http://127.0.0.1:$HPORT/orders"
	fetch
	[ "$status" -eq 3 ]
	no_token
	[ "$(requests other.log)" -eq 0 ]
}

@test "a 64 MiB page of lines is streamed: peak memory stays small" {
	[ -x /usr/bin/time ] || skip "no GNU time (/usr/bin/time)"
	if ldd "$(command -v uoms-fetch)" | grep -q libasan; then
		skip "AddressSanitizer's quarantine is not the tool's memory"
	fi
	hostile --mode huge --mib 64
	channel shop "http://127.0.0.1:$HPORT/orders"
	run --separate-stderr timeout 120 /usr/bin/time -f %M -o rss.kib \
	    sh -c 'uoms-fetch --since 2026-11-21 | wc -l'
	[ "$status" -eq 0 ]
	rss=$(tail -1 rss.kib)
	echo "lines: $output, peak RSS: $rss KiB"
	[ "$output" -gt 150000 ]
	[ "$rss" -lt 32768 ]
}

@test "a line over 1 MiB fails the channel, naming the line" {
	hostile --mode longline --mib 3
	channel shop "http://127.0.0.1:$HPORT/orders"
	fetch
	[ "$status" -eq 3 ]
	[ "${#lines[@]}" -eq 0 ]
	[[ "$stderr" == "uoms-fetch: channel shop: page 1, line 1: longer than 1048576 bytes"* ]]
}

@test "an answer with 2 MiB of headers fails the channel" {
	hostile --mode headers --mib 2
	channel shop "http://127.0.0.1:$HPORT/orders"
	fetch
	[ "$status" -eq 3 ]
	[ "${#lines[@]}" -eq 0 ]
	[ "$stderr" = "uoms-fetch: channel shop: an answer's headers are larger than 256 KiB" ]
}

@test "a JSON-page kind's page over 16 MiB fails its channel" {
	hostile --mode huge --mib 20
	printf 'ck_key\ncs_secret\n' | uoms-channel add woo --kind woocommerce \
	    --base-url "http://127.0.0.1:$HPORT" --secret consumer_key \
	    --secret consumer_secret >/dev/null
	fetch
	[ "$status" -eq 3 ]
	[[ "$stderr" == "uoms-fetch: channel woo: an answer is larger than 16 MiB"* ]]
}

@test "a slow drip past the channel's timeout ends" {
	hostile --mode drip --drip 0.2
	channel shop "http://127.0.0.1:$HPORT/orders" --set timeout=1
	echo "fetch_retries: 0" >cfg.yaml
	UOMS_CONFIG=$PWD/cfg.yaml fetch
	[ "$status" -eq 3 ]
	[[ "$stderr" == "uoms-fetch: channel shop: timed out after 1 s"* ]]
}

@test "a finished channel's token is wiped from memory while another channel still runs" {
	[ -r /proc/self/mem ] || skip "no /proc/PID/mem to read"
	hostile --mode plain
	channel done "http://127.0.0.1:$HPORT/orders"
	hostile --mode drip --drip 0.1 --release "$PWD/release"
	echo tok-Other-0c4f2a | uoms-channel add slow \
	    --kind http-jsonl --base-url "http://127.0.0.1:$HPORT/orders" \
	    --secret token >/dev/null
	uoms-fetch --since 2026-11-21 >out 2>err &
	pid=$!
	# The finished channel's two orders are out, and the slow one is
	# still dripping.
	for _ in $(seq 200); do
		[ "$(grep -c '"channel":"done"' out)" -eq 2 ] &&
		    [ "$(grep -c '"channel":"slow"' out)" -gt 2 ] && break
		sleep 0.05
	done
	[ "$(grep -c '"channel":"done"' out)" -eq 2 ]
	mem_count "$pid" tok-Other-0c4f2a >/dev/null ||
		skip "can't read the memory of uoms-fetch here"
	# The slow channel's token is there (the check can see a token) ...
	[ "$(mem_count "$pid" tok-Other-0c4f2a)" -gt 0 ]
	# ... the finished one's is not.
	copies=$(mem_count "$pid" "$TOKEN")
	echo "copies of the finished channel's token: $copies"
	kill -0 "$pid"
	touch release
	wait "$pid"
	[ "$copies" -eq 0 ]
}
