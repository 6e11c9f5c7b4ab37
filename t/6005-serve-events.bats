#!/usr/bin/env bats
# uoms-serve's event log (lib/serve-events.c): GET /events pages it, GET
# /events/stream follows it live as Server-Sent Events, a user sees only
# their department's orders' events; idle streams hold no worker thread,
# and a stop ends them. On SQLite and PostgreSQL (t/pg-files).
load helper

setup_file() {
	export UOMS_JWT_KEY=test-key-6005-0123456789abcdef0123456789
}

teardown() {
	stop_pids STREAMS
	serve_stop
}

# stream_open FILE [PATH [CURL-ARG...]]: a stream (GET PATH, by default
# /events/stream) read by curl in the background into FILE, its headers
# into FILE.head, as $TOKEN; waits until it has started (the retry line).
stream_open() {
	local out=$1 path=${2:-/events/stream}
	shift
	[ $# -gt 0 ] && shift
	curl -sN -D "$out.head" -H "Authorization: Bearer $TOKEN" "$@" \
	    "$SERVE_URL$path" >"$out" 2>"$out.err" &
	STREAMS+=($!)
	wait_for grep -qs '^retry: ' "$out"
}

# ids FILE: the ids of the events a stream has received, on one line.
ids() {
	sed -n 's/^id: //p' "$1" | tr '\n' ' ' | sed 's/ $//'
}

# has_id FILE ID: the stream in FILE has received event ID.
has_id() {
	grep -qx "id: $2" "$1"
}

# A store with orders 1..N (odd ones of department west, even ones east:
# `orders`), an admin "boss" and a user "kim" of east; events 1..N are
# the orders' "created". The tools act as boss from then on.
fixture() {
	orders "${1:-4}" >o.jsonl
	uoms-upsert o.jsonl >/dev/null
	serve_user boss admin
	export UOMS_ACTOR=boss
	serve_user kim user east
}

@test "events: GET /events pages the log after an offset, by order and by type" {
	fixture 4
	uoms-status --to IN_PROGRESS 2 >/dev/null
	serve_start
	login boss
	[ "$(api GET '/events?limit=2')" = 200 ]
	[ "$(jget events <resp.body | python3 -c 'import json,sys; print(" ".join(str(e["id"]) for e in json.load(sys.stdin)))')" = "1 2" ]
	[ "$(jget last <resp.body)" = 2 ]
	[ "$(api GET '/events?after=2')" = 200 ]
	jget 'events[0].id' <resp.body | grep -qx 3
	# the events are the records uoms-events prints
	uoms-events --after 2 >cli.jsonl
	python3 -c 'import json,sys; [print(json.dumps(e, ensure_ascii=False)) for e in json.load(open("resp.body"))["events"]]' >http.jsonl
	python3 -c 'import json,sys; [print(json.dumps(json.loads(l), ensure_ascii=False)) for l in open("cli.jsonl")]' >cli.norm
	diff -u cli.norm http.jsonl
	[ "$(api GET '/events?order=2')" = 200 ]
	[ "$(jget events <resp.body | python3 -c 'import json,sys; print(" ".join(e["type"] for e in json.load(sys.stdin)))')" = "created status" ]
	[ "$(api GET '/events?type=status')" = 200 ]
	[ "$(jget 'events[0].order_id' <resp.body)" = 2 ]
	[ "$(jget last <resp.body)" = "$(jget 'events[0].id' <resp.body)" ]
	# past the end: none, and last stays where the caller was
	[ "$(api GET '/events?after=99')" = 200 ]
	[ "$(jget events <resp.body)" = "[]" ]
	[ "$(jget last <resp.body)" = 99 ]
}

@test "events: GET /events refuses a bad offset, limit or order, and needs a token" {
	fixture 2
	serve_start
	[ "$(api GET /events)" = 401 ]
	login boss
	for q in after=-1 after=x 'after=1.5' limit=0 limit=1001 limit=x order=0 order=abc type=; do
		code=$(api GET "/events?$q")
		echo "$q: $code $(cat resp.body)"
		[ "$code" = 400 ]
		[ "$(jget error.code <resp.body)" = invalid ]
	done
	[ "$(api GET '/events?order=99')" = 404 ]
}

@test "events: a user's page holds only their department's orders' events" {
	fixture 4
	serve_start
	login kim
	[ "$(api GET /events)" = 200 ]
	jget events <resp.body | python3 -c 'import json,sys; print(" ".join(str(e["order_id"]) for e in json.load(sys.stdin)))' >seen
	[ "$(cat seen)" = "2 4" ]
	# the user's own events (user_added, no order) are an admin's to see
	[ "$(jget last <resp.body)" -ge 4 ]
	[ "$(api GET '/events?order=3')" = 403 ]
}

@test "events: a change made with uoms-status reaches a connected stream at once" {
	fixture 2
	serve_start
	login boss
	stream_open s1
	tr -d '\r' <s1.head | grep -qix 'content-type: text/event-stream.*'
	tr -d '\r' <s1.head | grep -qix 'cache-control: no-cache'
	# a stream without an offset starts now: nothing of the past
	[ -z "$(ids s1)" ]
	last=$(uoms-events | tail -1 | jget id)
	uoms-status --to IN_PROGRESS 1 >/dev/null
	# "within a second"; 2 s of slack for a loaded machine and ASan
	wait_for -t 2 has_id s1 $((last + 1))
	# one message: id, event (the type), data (the event as JSON)
	grep -A2 -x "id: $((last + 1))" s1 >msg
	sed -n 2p msg | grep -qx 'event: status'
	sed -n 3p msg | sed 's/^data: //' | jget to | grep -qx IN_PROGRESS
	[ "$(ids s1)" = $((last + 1)) ]
}

@test "events: Last-Event-ID resumes the stream without loss or repeat" {
	fixture 10
	serve_start
	login boss
	stream_open s1 '/events/stream?after=0'
	wait_for has_id s1 10
	fourth=$(sed -n 's/^id: //p' s1 | sed -n 4p)
	[ "$fourth" = 4 ]
	stop_pids STREAMS
	# the header wins over the URL's after (a browser reconnects to the
	# URL it first opened)
	stream_open s2 '/events/stream?after=1' -H "Last-Event-ID: $fourth"
	wait_for has_id s2 10
	last=$(uoms-events | tail -1 | jget id)
	uoms-status --to IN_PROGRESS 2 >/dev/null
	wait_for has_id s2 $((last + 1))
	[ "$(ids s2)" = "5 6 7 8 9 10 $(seq -s ' ' 11 "$((last + 1))")" ]
	# nothing more arrives: each event once
	[ "$(grep -c '^id: ' s2)" = $((last + 1 - 4)) ]
	[ "$(api GET /events/stream '' -H 'Last-Event-ID: x')" = 400 ]
}

@test "events: a user's stream skips other departments' events" {
	fixture 4
	serve_start
	login kim
	stream_open s1 '/events/stream?after=0'
	wait_for has_id s1 4
	[ "$(ids s1)" = "2 4" ]
	last=$(uoms-events | tail -1 | jget id)
	# west's change first, then east's: when east's has come, west's
	# would have come before it
	uoms-status --to IN_PROGRESS 1 >/dev/null
	uoms-status --to IN_PROGRESS 2 >/dev/null
	wait_for has_id s1 $((last + 2))
	[ "$(ids s1)" = "2 4 $((last + 2))" ]
	# an admin's stream has both
	login boss
	stream_open s2 "/events/stream?after=$last"
	wait_for has_id s2 $((last + 2))
	[ "$(ids s2)" = "$((last + 1)) $((last + 2))" ]
}

@test "events: 25 idle streams hold no worker: the server answers at once and each gets the next event" {
	fixture 2
	serve_start
	login boss
	for i in $(seq 25); do
		stream_open "s$i"
	done
	for i in 1 2 3; do
		curl -s -o hz.body -w '%{http_code} %{time_total}\n' \
		    "$SERVE_URL/healthz" >hz
		cat hz
		[ "$(cut -d' ' -f1 hz)" = 200 ]
		# milliseconds; under a second on a loaded machine with ASan
		awk '{ exit !($2 < 1) }' hz
	done
	[ "$(api GET '/events?limit=1')" = 200 ]
	last=$(uoms-events | tail -1 | jget id)
	uoms-status --to IN_PROGRESS 1 >/dev/null
	for i in $(seq 25); do
		wait_for has_id "s$i" $((last + 1))
	done
}

@test "events: SIGTERM with streams open stops the server within seconds, ending each stream" {
	fixture 2
	serve_start
	login boss
	for i in 1 2 3 4 5; do
		stream_open "s$i"
	done
	kill -TERM "$SERVE_PID"
	wait_for -t 5 proc_gone "$SERVE_PID"
	wait "$SERVE_PID" || true
	SERVE_PID=
	# each curl saw its stream end (no reset, no error): exit 0
	for pid in "${STREAMS[@]}"; do
		wait_for -t 5 proc_gone "$pid"
		wait "$pid"
	done
	STREAMS=()
}

@test "events: a keep-alive comment comes when nothing happens (serve.keepalive)" {
	fixture 2
	printf 'serve:\n  keepalive: 1\n' >uoms.yaml
	export UOMS_CONFIG=$PWD/uoms.yaml
	serve_start
	login boss
	stream_open s1
	wait_for -t 4 grep -qx ': keep-alive' s1
	# and the stream still carries events after it
	last=$(uoms-events | tail -1 | jget id)
	uoms-status --to IN_PROGRESS 1 >/dev/null
	wait_for has_id s1 $((last + 1))
}

@test "events: a tool run beside a server of many workers leaves the store's WAL to them" {
	engine_only sqlite "the WAL is SQLite's"
	fixture 2
	serve_start --threads 4
	login boss
	# every worker opens its store (one more connection in the process)
	pids=()
	for i in $(seq 12); do
		curl -s -o /dev/null -H "Authorization: Bearer $TOKEN" \
		    "$SERVE_URL/events?limit=1" &
		pids+=($!)
	done
	wait "${pids[@]}"
	stream_open s1
	[ -e "$UOMS_DB-wal" ]
	last=$(uoms-events | tail -1 | jget id)
	uoms-status --to IN_PROGRESS 1 >/dev/null
	# the tool took itself for the store's last user and deleted the
	# WAL the server's connections still wrote to (lib/store.c's
	# identify closed a descriptor of the store: fcntl(2) locks gone)
	[ -e "$UOMS_DB-wal" ]
	wait_for has_id s1 $((last + 1))
}
