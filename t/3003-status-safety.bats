#!/usr/bin/env bats
# What keeps uoms-status from doing harm: optimistic versions, roles and
# --force, holds, locks, --atomic, idempotency keys.
load helper

setup_file() {
	orders 5 >"$BATS_FILE_TMPDIR/five.jsonl"
}

admin() {
	sql "INSERT INTO users(name, role, created_at, updated_at) VALUES ('${1:-boss}','admin','x','x')"
}

# state [ID]: every order's (or order ID's) id, status, version,
# timestamps; then its events.
state() {
	local w=${1:+"WHERE id = $1"} e=${1:+"WHERE order_id = $1"}
	sql "SELECT id, status, version, depart_time, complete_time, updated_at FROM orders $w ORDER BY id"
	sql "SELECT * FROM events $e ORDER BY id"
}

hold() {
	sql "INSERT INTO holds(order_id, reason, placed_by, placed_at, state, updated_at)
	    VALUES (${1:-1},'${3:-stock_shortage}','x','x','${2:-open}','x')"
}

lock() {
	sql "INSERT INTO locks(order_id,type,owner,acquired_at,expires_at)
	    VALUES (${1:-1},'${2:-STATUS}','${3:-kim}','x','${4:-2099-01-01T00:00:00Z}')"
}

# --- versions

@test "a stale record is refused with version_conflict: current_version in the reject line, the order unchanged" {
	five
	uoms-query --id 1 >old
	uoms-status --to IN_PROGRESS 1 >/dev/null
	state 1 >before
	{ uoms-query --id 2; cat old; } >in
	run --separate-stderr uoms-status --to CANCEL --reject rej <in
	[ "$status" -eq 1 ]
	[ "$(echo "$output" | fields id status)" = "$(printf '2\tCANCEL')" ]
	[ "$stderr" = "uoms-status: line 2: version_conflict: order 1: stored version is 2, not 1" ]
	[ "$(jget error.code <rej)" = version_conflict ]
	[ "$(jget error.current_version <rej)" = 2 ]
	[ "$(jget error.line <rej)" = 2 ]
	[ "$(jget id <rej)" = 1 ]
	# order 1 is as it was: IN_PROGRESS, version 2, no new event
	state 1 >after
	diff -u before after
	[ "$(uoms-query --id 1 | fields status version)" = "$(printf 'IN_PROGRESS\t2')" ]
}

@test "a reference with the current version goes; without a version there is no check" {
	five
	uoms-status --to IN_PROGRESS 1 2 >/dev/null
	printf '%s\n' '{"id":1,"version":2}' '{"id":2}' >in
	run --separate-stderr uoms-status --to COMPLETE <in
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	[ "$(echo "$output" | fields id status version)" = "$(printf '1\tCOMPLETE\t3\n2\tCOMPLETE\t3')" ]
	run --separate-stderr uoms-status --to CANCEL <<<'{"id":3,"version":7}'
	[ "$status" -eq 1 ]
	[[ "$stderr" == *"version_conflict: order 3: stored version is 1, not 7" ]]
}

@test "a version check goes before the workflow: a stale record of a moved order is a version_conflict" {
	five
	uoms-query --id 1 >old
	uoms-status --to CANCEL 1 >/dev/null
	run --separate-stderr uoms-status --to IN_PROGRESS --reject rej <old
	[ "$status" -eq 1 ]
	[ "$(jget error.code <rej)" = version_conflict ]
	# and without the version, the workflow says no
	run --separate-stderr uoms-status --to IN_PROGRESS 1
	[ "$status" -eq 1 ]
	[[ "$stderr" == *"invalid_transition"* ]]
}

# --- roles and --force

@test "a user's --force is forbidden (exit 1), for every reference, and nothing changes" {
	five
	state >before
	run --separate-stderr uoms-status --force --to IN_PROGRESS --reject rej 1 2
	[ "$status" -eq 1 ]
	[ -z "$output" ]
	[ "${stderr_lines[0]}" = "uoms-status: order 1: forbidden: --force needs the admin role; 'tester' is a user" ]
	[ "${#stderr_lines[@]}" -eq 2 ]
	[ "$(jget error.code <rej | sort -u)" = forbidden ]
	state >after
	diff -u before after
	# an admin's name is not enough when another actor acts
	admin
	run --separate-stderr uoms-status --actor kim --force --to IN_PROGRESS 1
	[ "$status" -eq 1 ]
	[[ "$stderr" == *"forbidden: --force needs the admin role; 'kim' is a user" ]]
	UOMS_ACTOR=boss run --separate-stderr uoms-status --force --to IN_PROGRESS 1
	[ "$status" -eq 0 ]
}

@test "an admin's --force skips the version check and says so in the event" {
	five
	admin
	uoms-query --id 1 >old
	uoms-status --to IN_PROGRESS 1 >/dev/null
	uoms-status --action complete 1 >/dev/null
	run --separate-stderr uoms-status --actor boss --force --to WAITING --note 'driver back' <old
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	[ "$(echo "$output" | fields status version depart_time complete_time)" = "$(printf 'WAITING\t4\tNone\tNone')" ]
	[ "$(sql "SELECT from_state, to_state, actor, version, details FROM events WHERE type = 'status' ORDER BY id DESC LIMIT 1")" = \
	    'COMPLETE|WAITING|boss|4|{"note":"driver back","forced":true}' ]
	# an admin without --force is held to the version like anyone
	run --separate-stderr uoms-status --actor boss --to IN_PROGRESS <old
	[ "$status" -eq 1 ]
	[[ "$stderr" == *"version_conflict"* ]]
}

@test "--force does not make up states: a state the workflow lacks, or the state it is in, is invalid_transition" {
	five
	admin
	run --separate-stderr uoms-status --actor boss --force --to DONE 1
	[ "$status" -eq 1 ]
	[ "$stderr" = "uoms-status: order 1: invalid_transition: workflow dispatch has no state 'DONE'" ]
	run --separate-stderr uoms-status --actor boss --force --to WAITING 1
	[ "$status" -eq 1 ]
	[[ "$stderr" == *"invalid_transition"* ]]
	run --separate-stderr uoms-status --actor boss --force --action return 1
	[ "$status" -eq 1 ]
	[[ "$stderr" == *"invalid_transition"* ]]
	[ "$(sql "SELECT count(*) FROM events WHERE type = 'status'")" -eq 0 ]
}

# --- holds

@test "an open hold refuses the move with on_hold (exit 1); the order is unchanged" {
	five
	hold 1
	state 1 >before
	run --separate-stderr uoms-status --to IN_PROGRESS --reject rej 1 2
	[ "$status" -eq 1 ]
	[ "$(echo "$output" | fields id)" = 2 ]
	[[ "$stderr" == "uoms-status: order 1: on_hold: "*"stock_shortage"* ]]
	[ "$(jget error.code <rej)" = on_hold ]
	state 1 >after
	diff -u before after
}

@test "an acknowledged hold still refuses; a resolved one does not" {
	five
	hold 1 acknowledged missing_info
	hold 2 resolved
	run --separate-stderr uoms-status --to IN_PROGRESS 1 2
	[ "$status" -eq 1 ]
	[ "$(echo "$output" | fields id status)" = "$(printf '2\tIN_PROGRESS')" ]
	[[ "$stderr" == "uoms-status: order 1: on_hold: "*"missing_info"* ]]
	sql "UPDATE holds SET state = 'resolved' WHERE order_id = 1"
	run --separate-stderr uoms-status --to IN_PROGRESS 1
	[ "$status" -eq 0 ]
	[ "$(echo "$output" | fields status version)" = "$(printf 'IN_PROGRESS\t2')" ]
}

@test "one open hold among resolved ones is enough; even an admin's --force waits for it" {
	five
	admin
	hold 1 resolved
	hold 1 open fraud_suspected
	hold 1 resolved
	run --separate-stderr uoms-status --to CANCEL 1
	[ "$status" -eq 1 ]
	[[ "$stderr" == *"on_hold"*"fraud_suspected"* ]]
	run --separate-stderr uoms-status --actor boss --force --to COMPLETE 1
	[ "$status" -eq 1 ]
	[[ "$stderr" == *"on_hold"* ]]
	[ "$(uoms-query --id 1 | fields status version)" = "$(printf 'WAITING\t1')" ]
}

# --- locks

@test "another actor's STATUS lock refuses with locked, naming the owner and the expiry" {
	five
	lock 1 STATUS kim
	state 1 >before
	run --separate-stderr uoms-status --to IN_PROGRESS --reject rej 1 2
	[ "$status" -eq 1 ]
	[ "$(echo "$output" | fields id)" = 2 ]
	[ "$stderr" = "uoms-status: order 1: locked: STATUS lock held by 'kim' until 2099-01-01T00:00:00Z" ]
	jget error <rej >got
	echo '{"code": "locked", "message": "STATUS lock held by '"'kim'"' until 2099-01-01T00:00:00Z", "owner": "kim", "lock_type": "STATUS", "expires_at": "2099-01-01T00:00:00Z"}' >want
	diff -u want got
	state 1 >after
	diff -u before after
	# from stdin too, with the line
	run --separate-stderr uoms-status --to IN_PROGRESS --reject rej2 <<<'{"id":1}'
	[ "$status" -eq 1 ]
	[ "$stderr" = "uoms-status: line 1: locked: order 1: STATUS lock held by 'kim' until 2099-01-01T00:00:00Z" ]
	[ "$(jget error.owner <rej2)" = kim ]
}

@test "the lock's owner moves the order through their own lock" {
	five
	lock 1 STATUS tester
	lock 2 EDIT tester
	run --separate-stderr uoms-status --to IN_PROGRESS 1 2
	[ "$status" -eq 0 ]
	[ "$(echo "$output" | fields id status)" = "$(printf '1\tIN_PROGRESS\n2\tIN_PROGRESS')" ]
	# and kim, who does not hold it, is refused
	run --separate-stderr uoms-status --actor kim --to COMPLETE 1
	[ "$status" -eq 1 ]
	[[ "$stderr" == *"locked: STATUS lock held by 'tester'"* ]]
}

@test "an expired lock is as good as none" {
	five
	lock 1 STATUS kim 2020-01-01T00:00:00Z
	lock 2 EDIT kim "$(date -u -d '-2 seconds' +%Y-%m-%dT%H:%M:%SZ)"
	run --separate-stderr uoms-status --to IN_PROGRESS 1 2
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	[ "$(echo "$output" | fields status | sort -u)" = IN_PROGRESS ]
}

@test "an EDIT lock blocks status changes too; ASSIGN and REMARK locks do not" {
	five
	lock 1 EDIT kim
	lock 2 ASSIGN kim
	lock 3 REMARK kim
	run --separate-stderr uoms-status --to IN_PROGRESS 1 2 3
	[ "$status" -eq 1 ]
	[ "$(echo "$output" | fields id)" = "$(printf '2\n3')" ]
	[ "$stderr" = "uoms-status: order 1: locked: EDIT lock held by 'kim' until 2099-01-01T00:00:00Z" ]
}

@test "an admin's --force does not break another's lock" {
	five
	admin
	lock 1 STATUS kim
	run --separate-stderr uoms-status --actor boss --force --to COMPLETE 1
	[ "$status" -eq 1 ]
	[[ "$stderr" == *"locked"*"kim"* ]]
}

# --- --atomic

@test "--atomic: one refused among several and nothing moves, nothing is printed" {
	five
	uoms-status --to CANCEL 3 >/dev/null
	state >before
	run --separate-stderr uoms-status --atomic --to IN_PROGRESS --reject rej 1 2 3 4
	[ "$status" -eq 1 ]
	[ -z "$output" ]
	[ "${stderr_lines[0]}" = "uoms-status: order 3: invalid_transition: dispatch allows no move from CANCEL to IN_PROGRESS" ]
	[[ "${stderr_lines[1]}" == "uoms-status: nothing stored: 1 refused (all or nothing)" ]]
	[ "$(jget error.code <rej)" = invalid_transition ]
	state >after
	diff -u before after
	# from stdin, a stale record among fresh ones
	uoms-query --id 5 >stale
	uoms-status --to IN_PROGRESS 5 >/dev/null
	state >before
	{ uoms-query --id 1; cat stale; uoms-query --id 2; } >in
	run --separate-stderr uoms-status --atomic --to CANCEL <in
	[ "$status" -eq 1 ]
	[ -z "$output" ]
	[[ "$stderr" == *"line 2: version_conflict"*"nothing stored"* ]]
	state >after
	diff -u before after
}

@test "--atomic with every move allowed moves them all, in one go" {
	five
	run --separate-stderr uoms-status --atomic --to IN_PROGRESS 1 2 3 4 5
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	[ "$(echo "$output" | fields id status version)" = "$(printf '%s\tIN_PROGRESS\t2\n' 1 2 3 4 5)" ]
	[ "$(sql "SELECT count(*) FROM events WHERE type = 'status'")" -eq 5 ]
}

# --- idempotency keys

@test "--idempotency-key: a retry prints the stored result and changes nothing" {
	five
	run --separate-stderr uoms-status --to IN_PROGRESS --idempotency-key K1 1
	[ "$status" -eq 0 ]
	first=$output
	next_second
	state >before
	run --separate-stderr uoms-status --to IN_PROGRESS --idempotency-key K1 1
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	[ "$output" = "$first" ]
	state >after
	diff -u before after
	# even after the order moved on: the result of the first run, as it was
	uoms-status --action complete 1 >/dev/null
	run --separate-stderr uoms-status --to IN_PROGRESS --idempotency-key K1 1
	[ "$status" -eq 0 ]
	[ "$output" = "$first" ]
	[ "$(uoms-query --id 1 | fields status version)" = "$(printf 'COMPLETE\t3')" ]
	[ "$(sql "SELECT count(*) FROM events WHERE type = 'status'")" -eq 2 ]
}

@test "the same key with another request is idempotency_mismatch (exit 1), another note included" {
	five
	uoms-status --to IN_PROGRESS --idempotency-key K 1 >/dev/null
	state >before
	for args in "--to CANCEL" "--action depart" "--to IN_PROGRESS --note why"; do
		# shellcheck disable=SC2086
		run --separate-stderr uoms-status $args --idempotency-key K --reject rej 1
		echo "$args: $status $stderr"
		[ "$status" -eq 1 ]
		[ -z "$output" ]
		[[ "$stderr" == "uoms-status: order 1: idempotency_mismatch: "* ]]
	done
	[ "$(jget error.code <rej | sort -u)" = idempotency_mismatch ]
	state >after
	diff -u before after
}

@test "keys belong to the actor and the order: another actor, another order, start afresh" {
	five
	uoms-status --to IN_PROGRESS --idempotency-key K 1 >/dev/null
	# another order under the same key
	run --separate-stderr uoms-status --to CANCEL --idempotency-key K 2
	[ "$status" -eq 0 ]
	[ "$(echo "$output" | fields id status version)" = "$(printf '2\tCANCEL\t2')" ]
	# another actor, same key, same order, another request
	run --separate-stderr uoms-status --actor kim --to COMPLETE --idempotency-key K 1
	[ "$status" -eq 0 ]
	[ "$(echo "$output" | fields status version)" = "$(printf 'COMPLETE\t3')" ]
	[ "$(sql "SELECT count(*) FROM events WHERE type = 'status'")" -eq 3 ]
}

@test "a key on the reference line wins over --idempotency-key" {
	five
	uoms-status --to IN_PROGRESS --idempotency-key A 1 >first
	run --separate-stderr uoms-status --to IN_PROGRESS --idempotency-key B <<<'{"id":1,"idempotency_key":"A"}'
	[ "$status" -eq 0 ]
	[ "$output" = "$(cat first)" ]
	[ "$(sql "SELECT count(*) FROM events WHERE type = 'status'")" -eq 1 ]
}

@test "a key is at most 255 characters and not empty" {
	five
	k=$(printf '%0255d' 0)
	run --separate-stderr uoms-status --to IN_PROGRESS --idempotency-key "${k}1" 1
	[ "$status" -eq 1 ]
	[[ "$stderr" == "uoms-status: order 1: invalid: "*"255"* ]]
	run --separate-stderr uoms-status --to IN_PROGRESS --idempotency-key "" 1
	[ "$status" -eq 1 ]
	[[ "$stderr" == "uoms-status: order 1: invalid: "* ]]
	run --separate-stderr uoms-status --to IN_PROGRESS --idempotency-key "$k" 1
	[ "$status" -eq 0 ]
}

@test "an expired key is forgotten: the request runs again as new" {
	five
	uoms-status --to IN_PROGRESS --idempotency-key K 1 >/dev/null
	sql "UPDATE idempotency SET expires_at = '2020-01-01T00:00:00Z'"
	run --separate-stderr uoms-status --to IN_PROGRESS --idempotency-key K 1
	[ "$status" -eq 1 ]
	[[ "$stderr" == *"invalid_transition"* ]]
	run --separate-stderr uoms-status --to CANCEL --idempotency-key K 1
	[ "$status" -eq 0 ]
	[ "$(echo "$output" | fields status)" = CANCEL ]
}

@test "a refused move stores no key: after the cause is gone, the retry goes" {
	five
	hold 1
	run --separate-stderr uoms-status --to IN_PROGRESS --idempotency-key K 1
	[ "$status" -eq 1 ]
	[[ "$stderr" == *"on_hold"* ]]
	[ "$(sql "SELECT count(*) FROM idempotency")" -eq 0 ]
	sql "UPDATE holds SET state = 'resolved'"
	run --separate-stderr uoms-status --to IN_PROGRESS --idempotency-key K 1
	[ "$status" -eq 0 ]
	[ "$(echo "$output" | fields status version)" = "$(printf 'IN_PROGRESS\t2')" ]
}

@test "a long note is part of the request: another note under the same key is a mismatch" {
	five
	long=$(printf '%01100d' 0)
	uoms-status --to IN_PROGRESS --idempotency-key K --note "${long}A" 1 >/dev/null
	run --separate-stderr uoms-status --to IN_PROGRESS --idempotency-key K --note "${long}B" 1
	[ "$status" -eq 1 ]
	[[ "$stderr" == *"idempotency_mismatch"* ]]
}

# --- reference lines: read by their top-level members alone, refused as
# an order line would be

@test "reference lines: a record, an escaped key and nested repeats are read; a repeated key, a NUL, a non-object and bad JSON are refused" {
	five
	uoms-query --id 1 >in
	{
		printf '{"\\u0069d":2,"x":{"a":1,"a":2}}\n'
		printf '{"id":3,"note":"a \\\\u0000 is text","id2":[1,{"k":"\\"}"}]}\n'
		printf '{"order_no":"%s","version":1.0}\n' "$(sql "SELECT order_no FROM orders WHERE id = 4")"
		printf '{"id":5,"id":5}\n'
		printf '{"id":5,"s":"a\\u0000b"}\n'
		printf '[{"id":5}]\n'
		printf '{"id":5,\n'
		printf '{"id":5.0}\n'
		printf '{"channel":"c"}\n'
	} >>in
	run --separate-stderr uoms-status --to IN_PROGRESS <in
	[ "$status" -eq 1 ]
	[ "$(echo "$output" | fields id status version)" = "$(printf '1\tIN_PROGRESS\t2\n2\tIN_PROGRESS\t2\n3\tIN_PROGRESS\t2')" ]
	diff -u - <(echo "$stderr") <<'OUT'
uoms-status: line 4: invalid: version must be a positive whole number
uoms-status: line 5: invalid: key 'id' is given twice
uoms-status: line 6: invalid: a string holds \u0000 (NUL)
uoms-status: line 7: invalid: line is a JSON array, not an object
uoms-status: line 8: invalid: not JSON: string or '}' expected near end of file at column 8
uoms-status: line 9: invalid: id must be a positive whole number
uoms-status: line 10: invalid: not a reference: no id, order_no, or channel and external_order_id
OUT
	[ "$(sql "SELECT status FROM orders WHERE id = 5")" = WAITING ]
}

@test "a moved order's items print in their line's order, not their ids', as uoms-query --id prints them" {
	items='[{"external_item_id":"c","quantity":1,"unit_price":1},{"external_item_id":"a","quantity":2,"unit_price":1},{"external_item_id":"d","quantity":3,"unit_price":1},{"external_item_id":"b","quantity":4,"unit_price":1}]'
	order 7001 "items=$items" total_amount=10 | uoms-upsert >/dev/null
	id=$(sql "SELECT id FROM orders WHERE external_order_id = '7001'")
	run --separate-stderr uoms-status --to IN_PROGRESS "$id"
	[ "$status" -eq 0 ]
	[ "$(echo "$output" | jget items | python3 -c 'import json, sys; print(" ".join(i["external_item_id"] for i in json.load(sys.stdin)))')" = "c a d b" ]
	diff -u <(uoms-query --id "$id") - <<<"$output"
}
