#!/usr/bin/env bats
# uoms-events: the event log as JSON lines, from an offset, filtered by
# order and type, and followed while other processes write.
load helper

# Three orders (events 1-3 "created"), order 2 moved twice (events 4, 5
# "status"), order 1 changed by upsert (event 6 "updated").
fixture() {
	orders 3 | uoms-upsert >/dev/null
	uoms-status --to IN_PROGRESS 2 >/dev/null
	uoms-status --to COMPLETE coupang:2 >/dev/null
	orders 1 | sed 's/"total_amount":1000/"total_amount":5000/' |
	    uoms-upsert >/dev/null
}

# brief: id, order_id, type, from, to, version of each event line.
brief() {
	python3 -c '
import json, sys
for line in sys.stdin:
    v = json.loads(line)
    print(v["id"], v["order_id"], v["type"], v["from"], v["to"], v["version"])
'
}

@test "every event as a JSON line, in id order, details an object" {
	fixture
	run --separate-stderr uoms-events
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	echo "$output" | brief >got
	cat >want <<'EOF'
1 1 created None WAITING 1
2 2 created None WAITING 1
3 3 created None WAITING 1
4 2 status WAITING IN_PROGRESS 2
5 2 status IN_PROGRESS COMPLETE 3
6 1 updated None None 2
EOF
	diff -u want got
	echo "$output" | python3 -c '
import json, sys
keys = ["id", "order_id", "type", "from", "to", "actor", "at", "version", "details"]
for line in sys.stdin:
    v = json.loads(line)
    assert list(v) == keys, list(v)
    assert isinstance(v["details"], dict), v
    assert v["actor"] == "tester", v
    assert v["at"].endswith("Z"), v
'
	[ "$(echo "${lines[5]}" | jget details)" = '{"changed": ["total_amount"]}' ]
	[ "$(echo "${lines[3]}" | jget details.forced)" = False ]
	# An event without details has an empty object.
	[ "$(echo "${lines[0]}" | jget details)" = '{}' ]
}

@test "--after OFFSET prints only the later events" {
	fixture
	run --separate-stderr uoms-events --after 4
	[ "$status" -eq 0 ]
	[ "$(echo "$output" | jget id | tr '\n' ' ')" = "5 6 " ]
	run --separate-stderr uoms-events --after 6
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	run --separate-stderr uoms-events --after 0
	[ "${#lines[@]}" -eq 6 ]
	run --separate-stderr uoms-events --after 99
	[ "$status" -eq 0 ]
	[ -z "$output" ]
}

@test "--type and --order filter, alone and together" {
	fixture
	run --separate-stderr uoms-events --type status
	[ "$status" -eq 0 ]
	[ "$(echo "$output" | jget id | tr '\n' ' ')" = "4 5 " ]
	run --separate-stderr uoms-events --type no_such_type
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	for ref in 2 no:2611-000002 coupang:2; do
		run --separate-stderr uoms-events --order "$ref"
		[ "$status" -eq 0 ]
		[ "$(echo "$output" | jget id | tr '\n' ' ')" = "2 4 5 " ]
	done
	run --separate-stderr uoms-events --order 1 --type updated
	[ "$(echo "$output" | jget id | tr '\n' ' ')" = "6 " ]
	run --separate-stderr uoms-events --order 2 --type status --after 4
	[ "$(echo "$output" | jget id | tr '\n' ' ')" = "5 " ]
}

@test "--order names an order that does not exist: exit 1, the order in the message" {
	fixture
	run --separate-stderr uoms-events --order 42
	[ "$status" -eq 1 ]
	[ -z "$output" ]
	[ "$stderr" = "uoms-events: order 42: not_found: no such order" ]
	run --separate-stderr uoms-events --order coupang:nope
	[ "$status" -eq 1 ]
	[ "$stderr" = "uoms-events: order coupang:nope: not_found: no such order" ]
}

@test "--follow prints what exists, then an event another process writes" {
	fixture
	uoms-events --follow --type created >out 2>err 3>&- &
	pid=$!
	for _ in $(seq 20); do
		[ "$(wc -l <out)" -ge 3 ] && break
		sleep 0.1
	done
	[ "$(wc -l <out)" -eq 3 ]
	orders 1 7 | uoms-upsert >/dev/null
	for _ in $(seq 20); do
		[ "$(wc -l <out)" -ge 4 ] && break
		sleep 0.1
	done
	kill "$pid"
	wait "$pid" || true
	cat out
	[ "$(jget id <out | tr '\n' ' ')" = "1 2 3 7 " ]
	[ "$(tail -1 out | jget order_id)" = 4 ]
	[ ! -s err ]
}

@test "a reader that goes away ends it quietly with status 0, --follow or not" {
	# More events than a pipe holds, so writes fail after head is gone.
	orders 1500 | uoms-upsert --batch 1500 >/dev/null
	run --separate-stderr bash -c 'uoms-events | head -1; exit ${PIPESTATUS[0]}'
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 1 ]
	[ -z "$stderr" ]
	run --separate-stderr timeout 5 bash -c \
	    'uoms-events --follow | head -1; exit ${PIPESTATUS[0]}'
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 1 ]
	[ -z "$stderr" ]
	# Whether or not events are ever written, a closed pipe ends it.
	run --separate-stderr timeout 5 bash -c \
	    'uoms-events --follow --type none | true; exit ${PIPESTATUS[0]}'
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
}

@test "a missing store is refused (exit 3) and not created" {
	run --separate-stderr uoms-events -d "$PWD/none.db"
	[ "$status" -eq 3 ]
	[ -z "$output" ]
	[[ "$stderr" == "uoms-events: no store at '$PWD/none.db'"* ]]
	[ ! -e none.db ]
	run --separate-stderr uoms-events --follow
	[ "$status" -eq 3 ]
	[ ! -e uoms.db ]
}

@test "usage errors: exit 2" {
	for args in "--after -1" "--after x" "--order :x" "stray" "--follow extra"; do
		run --separate-stderr uoms-events $args
		echo "args '$args': status $status, stderr '$stderr'"
		[ "$status" -eq 2 ]
		[ -z "$output" ]
		[[ "$stderr" == "uoms-events: "* ]]
		[[ "$stderr" == *"usage: uoms-events "* ]]
	done
}

@test "the man page's examples run" {
	man_examples uoms-events.1
	[ -f ex1.sh ] && [ -f ex3.sh ]
	run --separate-stderr sh -e ex1.sh
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	[ "$(echo "$output" | jget type | tr '\n' ' ')" = "created status " ]
	run --separate-stderr sh -e ex2.sh
	[ "$status" -eq 0 ]
	[ "$(echo "$output" | jget id)" = 2 ]
	# The follower runs until killed: it handles both events, remembers
	# the last offset, and carries on from there when started again.
	run timeout 2 sh ex3.sh
	[ "$status" -eq 124 ]
	[ "$(jget id <handled.jsonl | tr '\n' ' ')" = "1 2 " ]
	[ "$(cat offset)" = 2 ]
	uoms-status --to COMPLETE 1 >/dev/null
	run timeout 2 sh ex3.sh
	[ "$(jget id <handled.jsonl | tr '\n' ' ')" = "1 2 3 " ]
	[ "$(cat offset)" = 3 ]
}
