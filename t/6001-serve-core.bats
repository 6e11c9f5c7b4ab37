#!/usr/bin/env bats
# uoms-serve's core: listening, routing (404, 405), limits (body, header,
# slow clients), the access log, static files kept in their folder, the
# signing key's sources, and a clean stop on SIGTERM.
load helper

teardown() {
	serve_stop
}

@test "it listens where it says, answers /healthz, and stops on SIGTERM with 0" {
	serve_start
	[ "$(api GET /healthz)" = 200 ]
	[ "$(cat resp.body)" = '{"status":"ok","store":"ok"}' ]
	[ "$(resp_header Content-Type)" = application/json ]
	[ "$(resp_header X-Content-Type-Options)" = nosniff ]
	[[ "$(resp_header Content-Security-Policy)" == *"default-src 'self'"* ]]
	kill -TERM "$SERVE_PID"
	st=0
	wait "$SERVE_PID" || st=$?
	SERVE_PID=
	[ "$st" -eq 0 ]
	grep -q 'stopping (SIGTERM)' serve.log
	grep -q 'uoms-serve: stopped' serve.log
}

@test "an unknown path is 404 'no such route', a known path with another method 405 with Allow" {
	serve_start
	[ "$(api GET /nowhere)" = 404 ]
	[ "$(jget error.code <resp.body)" = not_found ]
	[ "$(jget error.message <resp.body)" = "no such route: GET /nowhere" ]
	[ "$(api DELETE /healthz)" = 405 ]
	[ "$(jget error.code <resp.body)" = method_not_allowed ]
	[ "$(resp_header Allow)" = GET ]
	# it still serves
	[ "$(api GET /healthz)" = 200 ]
}

@test "every answer is in the access log: address, method, path without its query, status, bytes, time, actor" {
	serve_start
	api GET '/healthz?secret=x' >/dev/null
	api GET /nowhere >/dev/null
	wait_for grep -q ' GET /nowhere 404 ' serve.log
	grep -Eq '^uoms-serve: 127\.0\.0\.1 GET /healthz 200 28 [0-9.]+ms -$' serve.log
	run ! grep -q 'secret=x' serve.log
}

@test "access log lines of concurrent requests never mix: each is written whole" {
	UOMS_JWT_KEY=uoms-test-signing-key-0123456789abcdef serve_start \
	    --threads 4
	# 8 clients, 4 connections each, 40 requests of a long path of one
	# letter each: a line written a byte at a time mixed with others'.
	pids=()
	for c in a b c d e f g h; do
		p=$(printf "%01000d" 0 | tr 0 "$c")
		args=()
		for i in $(seq 40); do
			args+=(-o /dev/null "$SERVE_URL/nx/$p")
		done
		curl -s --no-progress-meter -Z --parallel-max 4 "${args[@]}" &
		pids+=($!)
	done
	wait "${pids[@]}"
	# Each line ends in one newline however it was written: 320 of them
	# after the listening line.
	wait_for sh -c '[ "$(wc -l <serve.log)" -ge 321 ]'
	run grep -vE '^uoms-serve: (listening on .*|127\.0\.0\.1 GET /nx/(a+|b+|c+|d+|e+|f+|g+|h+) 404 [0-9]+ [0-9.]+ms -)$' serve.log
	[ "$status" -eq 1 ]
	[ "$output" = "" ]
}

@test "a body over serve.max_body is 413 at once, by Content-Length or chunked, and the server goes on" {
	printf 'serve:\n  max_body: 2048\n' >uoms.yaml
	export UOMS_CONFIG=$PWD/uoms.yaml
	serve_start
	head -c 5000 /dev/zero | tr '\0' x >big
	[ "$(api POST /healthz @big)" = 413 ]
	[ "$(jget error.code <resp.body)" = too_large ]
	[ "$(api POST /healthz @big -H 'Transfer-Encoding: chunked')" = 413 ]
	head -c 100 /dev/zero | tr '\0' x >small
	[ "$(api POST /healthz @small)" = 405 ]
	[ "$(api GET /healthz)" = 200 ]
}

@test "a request head over serve.max_header is refused and the server goes on" {
	printf 'serve:\n  max_header: 4096\n' >uoms.yaml
	export UOMS_CONFIG=$PWD/uoms.yaml
	serve_start
	long=$(head -c 8000 /dev/zero | tr '\0' a)
	code=$(api GET /healthz '' -H "X-Long: $long")
	[[ "$code" == 4* ]]
	[ "$(api GET /healthz)" = 200 ]
}

@test "hostile requests: a broken request line, invalid UTF-8 and control bytes in the path; it keeps serving" {
	serve_start
	port=${SERVE_URL##*:}
	port=${port%/}
	python3 - "$port" <<'PY'
import socket, sys
port = int(sys.argv[1])
for raw in [b"GARBAGE\r\n\r\n", b"GET /\xff\xfe HTTP/1.1\r\nHost: x\r\n\r\n",
            b"GET /a\x01b HTTP/1.1\r\nHost: x\r\n\r\n", b"GET / HTTP/9.9\r\n\r\n",
            b"\x00\x00\x00\x00\r\n\r\n"]:
    s = socket.create_connection(("127.0.0.1", port), timeout=5)
    s.sendall(raw)
    try:
        answer = s.recv(4096)
    except OSError:
        answer = b""
    s.close()
    # a 4xx, or 505 for a version it doesn't speak; never a 2xx or a 500
    assert not answer or answer[:10] in (b"HTTP/1.1 4", b"HTTP/1.1 5") and \
        not answer.startswith(b"HTTP/1.1 500"), (raw, answer[:80])
PY
	[ "$(api GET /healthz)" = 200 ]
	kill -0 "$SERVE_PID"
}

@test "a slow client that never finishes its request is dropped after serve.connection_timeout; others are served meanwhile" {
	printf 'serve:\n  connection_timeout: 1\n' >uoms.yaml
	export UOMS_CONFIG=$PWD/uoms.yaml
	serve_start
	port=${SERVE_URL##*:}
	port=${port%/}
	run python3 - "$port" <<'PY'
import socket, sys, time, urllib.request
port = int(sys.argv[1])
slow = socket.create_connection(("127.0.0.1", port))
slow.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
t0 = time.monotonic()
with urllib.request.urlopen("http://127.0.0.1:%d/healthz" % port, timeout=5) as r:
    assert r.status == 200
slow.settimeout(10)
assert slow.recv(4096) == b"", "the slow client was answered"
print("dropped after %.1f s" % (time.monotonic() - t0))
PY
	echo "$output"
	[ "$status" -eq 0 ]
}

@test "static files come only from the www folder: no traversal, no hidden files" {
	mkdir -p data/www
	echo '<!doctype html><title>board</title>' >data/www/index.html
	echo 'x' >data/www/.hidden
	echo 'TOP-SECRET-CONTENT' >data/secret.txt
	UOMS_DATA=$PWD/data serve_start
	[ "$(api GET /)" = 200 ]
	[ "$(resp_header Content-Type)" = 'text/html; charset=utf-8' ]
	grep -q board resp.body
	[ "$(api GET /static/index.html)" = 200 ]
	[ "$(api GET /static/.hidden)" = 404 ]
	[ "$(api GET /static/../secret.txt '' --path-as-is)" = 404 ]
	[ "$(api GET /static/..%2Fsecret.txt '' --path-as-is)" = 404 ]
	[ "$(api GET /static/%2e%2e%2fsecret.txt '' --path-as-is)" = 404 ]
	run ! grep -q TOP-SECRET-CONTENT resp.body
}

@test "the signing key: made beside a SQLite store (0600) and said so, UOMS_JWT_KEY, a key file, refusals" {
	engine_only sqlite
	serve_start
	[ -f "$UOMS_DB.jwt-key" ]
	[ "$(stat -c %a "$UOMS_DB.jwt-key")" = 600 ]
	grep -q "made a new token signing key" serve.log
	serve_stop
	# the second start uses it and says nothing
	serve_start
	run ! grep -q "made a new token signing key" serve.log
	serve_stop
	UOMS_JWT_KEY=short run --separate-stderr uoms-serve --listen 127.0.0.1:0
	[ "$status" -eq 3 ]
	[[ "$stderr" == *"UOMS_JWT_KEY: the token signing key must be 32 to 64 bytes"* ]]
	head -c 40 /dev/zero | tr '\0' k >key
	chmod 644 key
	printf 'serve:\n  jwt_key_file: %s\n' "$PWD/key" >uoms.yaml
	UOMS_CONFIG=$PWD/uoms.yaml run --separate-stderr uoms-serve --listen 127.0.0.1:0
	[ "$status" -eq 3 ]
	[[ "$stderr" == *"may be read by others"* ]]
	chmod 600 key
	UOMS_CONFIG=$PWD/uoms.yaml serve_start
	run ! grep -q "made a new token signing key" serve.log
}

@test "a PostgreSQL store needs a key given: none is made" {
	engine_only pg
	run --separate-stderr uoms-serve --listen 127.0.0.1:0
	[ "$status" -eq 3 ]
	[[ "$stderr" == *"no token signing key: set UOMS_JWT_KEY or serve.jwt_key_file"* ]]
	UOMS_JWT_KEY=0123456789abcdef0123456789abcdef serve_start
	[ "$(api GET /healthz)" = 200 ]
}

@test "usage errors exit 2: a bad --listen, --threads out of range" {
	run --separate-stderr uoms-serve --listen nowhere
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"listen: 'nowhere' is not ADDRESS:PORT"* ]]
	run --separate-stderr uoms-serve --threads 0
	[ "$status" -eq 2 ]
	run --separate-stderr uoms-serve --threads 1000
	[ "$status" -eq 2 ]
}

@test "a port already taken is a cannot-run error (3)" {
	serve_start
	UOMS_JWT_KEY=0123456789abcdef0123456789abcdef run --separate-stderr \
	    uoms-serve --listen "${SERVE_URL#http://}"
	[ "$status" -eq 3 ]
	[[ "$stderr" == *"can't listen on"* ]]
}

@test "uoms-serve(1) EXAMPLES run" {
	engine_only sqlite
	unset UOMS_DB
	man_examples uoms-serve.1
	port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
	sed -i "s/8080/$port/g" ex1.sh
	run timeout 20 sh ex1.sh
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *'"status":"ok"'* ]]
}
