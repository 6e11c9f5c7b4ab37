#!/usr/bin/env bats
# uoms-notify (issue 13 item 4): lines POSTed to a webhook on 127.0.0.1
# (t/fake/webhook_server.py: 200 "ok", failures injected, each request
# logged with its time and body in req.log), retried with backoff and
# Retry-After, logged in the store, a --key never sent twice, targets
# with their URL sealed.
load helper

export UOMS_SECRET_KEY=00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff
SECRET=T0KEN-8002-xq7Zr9

teardown() {
	fake_stop_all
}

# hook [ARGS...]: a webhook receiver (fake_http options); its URL, with
# the secret in its path, in HOOK.
hook() {
	fake_start webhook_server.py --log req.log "$@"
	HOOK="http://127.0.0.1:$PORT/services/$SECRET"
}

# requests: how many requests the receiver got.
requests() {
	if [ -e req.log ]; then wc -l <req.log; else echo 0; fi
}

# bodies: the body of each request, one a line.
bodies() {
	jget body <req.log
}

# gap N M: seconds between requests N and M (1-based), two decimals.
gap() {
	python3 - "$1" "$2" <<'PY'
import json, sys
t = [json.loads(l)["time"] for l in open("req.log")]
print("%.2f" % (t[int(sys.argv[2]) - 1] - t[int(sys.argv[1]) - 1]))
PY
}

@test "a line is delivered once as Slack's {\"text\": ...}, and logged sent" {
	hook
	run --separate-stderr uoms-notify --webhook "$HOOK" <<<'{"text":"3 orders held","n":3}'
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	[ "$(echo "$output" | jget state)" = sent ]
	[ "$(echo "$output" | jget attempts)" = 1 ]
	[ "$(echo "$output" | jget status)" = 200 ]
	[ "$(requests)" = 1 ]
	[ "$(bodies)" = '{"text":"3 orders held"}' ]
	[ "$(jget headers.Content-Type <req.log)" = application/json ]
	# a line without a text member is the text itself
	uoms-notify --webhook "$HOOK" <<<'{"alert":"backlog"}' >/dev/null
	[ "$(bodies | tail -1 | jget text)" = '{"alert":"backlog"}' ]
	[ "$(sql "SELECT state || '|' || attempts || '|' || status || '|' ||
	    coalesce(last_error, '-') FROM notify_log ORDER BY id")" = "$(printf 'sent|1|200|-\nsent|1|200|-')" ]
}

@test "--template shapes the body from members; a missing one refuses that line only" {
	hook
	run --separate-stderr uoms-notify --webhook "$HOOK" \
	    --template '{"text":"{{order.no}} held: {{reason}} ({{n}})","n":{{n}}}' <<'EOF'
{"order":{"no":"2611-000123"},"reason":"stock \"short\"\nnow","n":2}
{"order":{"no":"2611-000124"},"n":1}
not json
{"order":{"no":"2611-000125"},"reason":"zone","n":3}
EOF
	[ "$status" -eq 1 ]
	[ "${#stderr_lines[@]}" -eq 2 ]
	[ "${stderr_lines[0]}" = "uoms-notify: line 2: invalid: template member 'reason' is missing" ]
	[ "${stderr_lines[1]}" = "uoms-notify: line 3: invalid: not JSON" ]
	[ "$(echo "$output" | jget state | tr '\n' ' ')" = "sent refused refused sent " ]
	[ "$(requests)" = 2 ]
	[ "$(bodies | head -1 | jget text)" = "$(printf '2611-000123 held: stock "short"\nnow (2)')" ]
	[ "$(bodies | tail -1)" = '{"text":"2611-000125 held: zone (3)","n":3}' ]
}

@test "a 500 then a 200: retried and delivered once" {
	hook --fail 1:500
	run --separate-stderr uoms-notify --webhook "$HOOK" --key id <<<'{"id":"a1","text":"x"}'
	[ "$status" -eq 0 ]
	[ "$(echo "$output" | jget state)" = sent ]
	[ "$(echo "$output" | jget attempts)" = 2 ]
	[ "$(requests)" = 2 ]
	[ "$(sql "SELECT state || '|' || attempts FROM notify_log")" = 'sent|2' ]
}

@test "a 429 with Retry-After: the retry waits that long (seconds and HTTP-date)" {
	hook --fail 1:429:2
	run --separate-stderr uoms-notify --webhook "$HOOK" <<<'{"text":"x"}'
	[ "$status" -eq 0 ]
	[ "$(requests)" = 2 ]
	# the backoff alone would have waited under a second
	gap=$(gap 1 2)
	echo "gap $gap"
	python3 -c "import sys; sys.exit(not 1.95 <= $gap < 5)"
	# an HTTP-date 5 s ahead (whole seconds: 4 to 5 s from now, less
	# the receiver's start on a busy machine); the backoff alone would
	# have waited under half a second
	hook --fail 1:429:"$(date -u -d '+5 seconds' '+%a, %d %b %Y %H:%M:%S GMT')"
	run --separate-stderr uoms-notify --webhook "$HOOK" <<<'{"text":"y"}'
	[ "$status" -eq 0 ]
	[ "$(requests)" = 4 ]
	gap=$(gap 3 4)
	echo "gap $gap"
	python3 -c "import sys; sys.exit(not 1.0 <= $gap < 6)"
}

@test "between attempts the log says retrying, with the last error; then sent" {
	hook --fail 1:429:3
	# the store made first (no lines, no request): sqlite3 polling a
	# missing file would make an empty one
	uoms-notify --webhook "$HOOK" </dev/null
	uoms-notify --webhook "$HOOK" --key id <<<'{"id":"r1","text":"x"}' >out 2>err &
	pid=$!
	wait_for -t 20 eval '[ "$(sql "SELECT state || '"'|'"' || attempts || '"'|'"' || status || '"'|'"' || last_error FROM notify_log" 2>/dev/null)" = "retrying|1|429|HTTP 429" ]'
	wait "$pid"
	[ "$(jget state <out)" = sent ]
	[ "$(sql "SELECT state || '|' || attempts || '|' || status FROM notify_log")" = 'sent|2|200' ]
}

@test "an attempt that times out (--timeout) is tried again" {
	hook --fail 1:hang --hang 5
	run --separate-stderr uoms-notify --webhook "$HOOK" --timeout 1 <<<'{"text":"x"}'
	[ "$status" -eq 0 ]
	[ "$(echo "$output" | jget attempts)" = 2 ]
	[ "$(requests)" = 2 ]
	gap=$(gap 1 2)
	echo "gap $gap"
	python3 -c "import sys; sys.exit(not 1.0 <= $gap < 5)"
}

@test "a dead endpoint: given up after the retries, the failure logged, exit 1, no secret said" {
	hook
	fake_stop_all		# nothing listens on the port now
	run --separate-stderr uoms-notify --webhook "$HOOK" --retries 2 --key id \
	    <<<'{"id":7,"text":"x"}'
	[ "$status" -eq 1 ]
	[ "$(echo "$output" | jget state)" = failed ]
	[ "$(echo "$output" | jget attempts)" = 3 ]
	[ "${stderr_lines[0]}" = "uoms-notify: line 1: not delivered after 3 attempts: Couldn't connect to server" ]
	[ "$(sql "SELECT state || '|' || attempts || '|' || last_error FROM notify_log WHERE key = '7'")" = "failed|3|Couldn't connect to server" ]
	[[ "$output$stderr" != *"$SECRET"* ]]
	[[ "$(sql "SELECT target FROM notify_log")" != *"$SECRET"* ]]
	# a failed key may be tried again by a later run, and is sent then
	hook
	HOOK2=$HOOK
	run --separate-stderr uoms-notify --webhook "$HOOK2" --key id <<<'{"id":7,"text":"x"}'
	[ "$status" -eq 0 ]
	[ "$(requests)" = 1 ]
}

@test "a 4xx other than 408 and 429 is not retried" {
	hook --fail '*:400'
	run --separate-stderr uoms-notify --webhook "$HOOK" --retries 3 <<<'{"text":"x"}'
	[ "$status" -eq 1 ]
	[ "$(echo "$output" | jget attempts)" = 1 ]
	[ "$(echo "$output" | jget error)" = 'HTTP 400' ]
	[ "$(requests)" = 1 ]
	[ "$(sql "SELECT state || '|' || status FROM notify_log")" = 'failed|400' ]
}

@test "the same --key is never sent twice, by a rerun or by two runs at once" {
	hook --latency 0.1
	printf '{"id":"k%d","text":"alert %d"}\n' 1 1 2 2 1 1 >in
	run --separate-stderr uoms-notify --webhook "$HOOK" --key id <in
	[ "$status" -eq 0 ]
	[ "$(echo "$output" | jget state | tr '\n' ' ')" = "sent sent skipped " ]
	[ "$(echo "$output" | tail -1 | jget logged)" = sent ]
	run --separate-stderr uoms-notify --webhook "$HOOK" --key id <in
	[ "$status" -eq 0 ]
	[ "$(echo "$output" | jget state | tr '\n' ' ')" = "skipped skipped skipped " ]
	[ "$(requests)" = 2 ]
	# two runs at once over the same 8 keys: each sent once in all
	rm req.log
	for i in 1 2 3 4 5 6 7 8; do printf '{"id":"c%d","text":"%d"}\n' "$i" "$i"; done >in
	uoms-notify --webhook "$HOOK" --key id <in >out1 2>err1 &
	a=$!
	uoms-notify --webhook "$HOOK" --key id <in >out2 2>err2 &
	b=$!
	wait "$a"
	wait "$b"
	cat err1 err2
	[ "$(requests)" = 8 ]
	[ "$(bodies | sort -u | wc -l)" = 8 ]
	[ "$(cat out1 out2 | jget state | grep -c sent)" = 8 ]
	[ "$(cat out1 out2 | jget state | grep -c skipped)" = 8 ]
	[ "$(sql "SELECT count(*) FROM notify_log WHERE key LIKE 'c%' AND state = 'sent'")" = 8 ]
}

@test "a target by name: its URL sealed, listed by origin only, never in the store in clear" {
	hook
	echo "$HOOK" | uoms-notify target add ops
	run --separate-stderr uoms-notify target list
	[ "$status" -eq 0 ]
	[ "$(echo "$output" | jget name)" = ops ]
	[ "$(echo "$output" | jget origin)" = "http://127.0.0.1:$PORT" ]
	[[ "$output" != *"$SECRET"* ]]
	run --separate-stderr uoms-notify --target ops --key id <<<'{"id":1,"text":"to ops"}'
	[ "$status" -eq 0 ]
	[ "$(echo "$output" | jget target)" = ops ]
	[ "$(bodies)" = '{"text":"to ops"}' ]
	[ "$(jget path <req.log)" = "/services/$SECRET" ]
	# the same name again is refused; the URL on the command line works too
	run --separate-stderr uoms-notify target add ops "$HOOK"
	[ "$status" -eq 1 ]
	[ "$stderr" = "uoms-notify: target ops: invalid: target 'ops' exists (remove it first)" ]
	if engine_is pg; then
		sql "SELECT t::text FROM notify_targets t" >dump
		sql "SELECT l::text FROM notify_log l" >>dump
		[ -s dump ]
		run ! grep -c "$SECRET" dump
	else
		uoms-query >/dev/null	# (the store closed: WAL checkpointed)
		run ! grep -c -a "$SECRET" uoms.db
		[ ! -e uoms.db-wal ] || run ! grep -c -a "$SECRET" uoms.db-wal
	fi
	# sealed under another key, it does not open (a clear refusal)
	run --separate-stderr env UOMS_SECRET_KEY=ff112233445566778899aabbccddeeff00112233445566778899aabbccddeeff \
	    uoms-notify --target ops <<<'{"text":"x"}'
	[ "$status" -eq 3 ]
	[[ "$stderr" == *"sealed under key id"* ]]
	[[ "$stderr" != *"$SECRET"* ]]
	run --separate-stderr uoms-notify target remove ops
	[ "$status" -eq 0 ]
	run --separate-stderr uoms-notify --target ops <<<'{"text":"x"}'
	[ "$status" -eq 3 ]
	[ "$stderr" = "uoms-notify: not_found: no target 'ops'" ]
	run --separate-stderr uoms-notify target remove ops
	[ "$status" -eq 1 ]
}

@test "usage: one of --webhook and --target, a URL and a template checked first" {
	run --separate-stderr uoms-notify <<<'{}'
	[ "$status" -eq 2 ]
	[ "${stderr_lines[0]}" = "uoms-notify: give one of --webhook and --target" ]
	run --separate-stderr uoms-notify --webhook http://127.0.0.1:1/x --target a <<<'{}'
	[ "$status" -eq 2 ]
	run --separate-stderr uoms-notify --webhook "ftp://h/$SECRET" <<<'{}'
	[ "$status" -eq 2 ]
	[ "${stderr_lines[0]}" = "uoms-notify: --webhook: the URL is no http or https URL with a host" ]
	run --separate-stderr uoms-notify --webhook http://127.0.0.1:1/x --template '{"text":"{{a b}}"}' <<<'{}'
	[ "$status" -eq 2 ]
	run --separate-stderr uoms-notify --webhook http://127.0.0.1:1/x --retries -1 <<<'{}'
	[ "$status" -eq 2 ]
	run --separate-stderr uoms-notify target add
	[ "$status" -eq 2 ]
	run --separate-stderr uoms-notify target add 'bad name' http://127.0.0.1:1/x
	[ "$status" -eq 1 ]
	no_store || [ "$(sql "SELECT count(*) FROM notify_targets")" = 0 ]
}

@test "uoms-notify(1) EXAMPLES run" {
	hook
	export HOOK
	man_examples uoms-notify.1
	for f in $(ls ex*.sh | sort -V); do
		echo "== $f"
		cat "$f"
		sh -e "$f" </dev/null
	done
	[ "$(requests)" = 2 ]
}
