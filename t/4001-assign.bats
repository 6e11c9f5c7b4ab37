#!/usr/bin/env bats
# uoms-assign: drivers on many orders, all or nothing unless --partial;
# the workflow's assignable states for users, any state for admins; locks,
# versions, events, idempotency; holds do not block it.
load helper

setup() {
	cd "$BATS_TEST_TMPDIR" || return 1
	store_fresh || return 1
	export UOMS_ACTOR=tester
	unset UOMS_CONFIG
	SRC=${UOMS_SRC:-$BATS_TEST_DIRNAME/..}
	# Orders 1, 2, 3 in dispatch, WAITING, with no driver.
	orders 3 | uoms-upsert >/dev/null
}

@test "assigns the driver to every order named, one version and one event each" {
	run --separate-stderr uoms-assign --driver Kim --phone 010-2222-3333 1 2
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	[ "${#lines[@]}" -eq 2 ]
	[ "$(jget id <<<"$output" | tr '\n' ' ')" = "1 2 " ]
	[ "$(jget driver <<<"${lines[0]}")" = '{"name": "Kim", "phone": "010-2222-3333"}' ]
	[ "$(jget version <<<"${lines[1]}")" = 2 ]
	[ "$(count "SELECT group_concat(version) FROM (SELECT version FROM orders ORDER BY id) AS o")" = "2,2,1" ]
	[ "$(count "SELECT count(*) FROM events WHERE type = 'assigned'")" = 2 ]
	[ "$(count "SELECT details FROM events WHERE type = 'assigned' AND order_id = 1")" = \
	    '{"driver":{"name":"Kim","phone":"010-2222-3333"},"previous":null}' ]
	[ "$(count "SELECT actor || ' ' || version FROM events WHERE type = 'assigned' AND order_id = 2")" = "tester 2" ]
	# The stored record is what was printed.
	[ "$(uoms-query --id 1)" = "${lines[0]}" ]
}

@test "without --phone the driver's phone is null; a new driver records the previous one" {
	uoms-assign --driver Kim --phone 010-2222-3333 1 >/dev/null
	run --separate-stderr uoms-assign --driver 이순신 1
	[ "$status" -eq 0 ]
	[ "$(jget driver <<<"$output")" = '{"name": "이순신", "phone": null}' ]
	[ "$(count "SELECT details FROM events WHERE order_id = 1 ORDER BY id DESC LIMIT 1")" = \
	    '{"driver":{"name":"이순신","phone":null},"previous":{"name":"Kim","phone":"010-2222-3333"}}' ]
	[ "$(count "SELECT version FROM orders WHERE id = 1")" = 3 ]
}

@test "all or nothing: one order not assignable and none is assigned" {
	uoms-status --to IN_PROGRESS 3 >/dev/null
	run --separate-stderr uoms-assign --driver Kim 1 2 3
	[ "$status" -eq 1 ]
	[ -z "$output" ]
	[[ "$stderr" == *"uoms-assign: order 3: invalid_transition: driver can't be assigned in state IN_PROGRESS"* ]]
	[[ "$stderr" == *"nothing stored: 1 refused"* ]]
	[[ "$stderr" != *"order 1"* && "$stderr" != *"order 2"* ]]
	[ "$(count "SELECT count(*) FROM orders WHERE driver IS NOT NULL")" = 0 ]
	[ "$(count "SELECT group_concat(version) FROM (SELECT version FROM orders ORDER BY id) AS o")" = "1,1,2" ]
	[ "$(count "SELECT count(*) FROM events WHERE type = 'assigned'")" = 0 ]
	[ "$(uoms-query --status WAITING | jget driver | sort -u)" = null ]
}

@test "all or nothing holds for references read from stdin too, and the refusal goes to --reject" {
	uoms-status --to IN_PROGRESS 2 >/dev/null
	run --separate-stderr sh -c 'uoms-query | uoms-assign --driver Kim --reject rej.jsonl'
	[ "$status" -eq 1 ]
	[ -z "$output" ]
	[[ "$stderr" == *"line 2: invalid_transition: order 2: driver can't be assigned in state IN_PROGRESS"* ]]
	[ "$(count "SELECT count(*) FROM orders WHERE driver IS NOT NULL")" = 0 ]
	[ "$(wc -l <rej.jsonl)" -eq 1 ]
	[ "$(jget id <rej.jsonl)" = 2 ]
	[ "$(jget error.code <rej.jsonl)" = invalid_transition ]
}

@test "--partial assigns the orders that can be and refuses the others" {
	uoms-status --to IN_PROGRESS 3 >/dev/null
	run --separate-stderr uoms-assign --driver Kim --partial 1 2 3
	[ "$status" -eq 1 ]
	[ "${#lines[@]}" -eq 2 ]
	[ "$(jget id <<<"$output" | tr '\n' ' ')" = "1 2 " ]
	[[ "$stderr" == *"order 3: invalid_transition: "* ]]
	[[ "$stderr" != *"nothing stored"* ]]
	[ "$(count "SELECT group_concat(id) FROM (SELECT id FROM orders WHERE json_extract(driver, '\$.name') = 'Kim' ORDER BY id) AS o")" = "1,2" ]
	[ "$(count "SELECT driver IS NULL FROM orders WHERE id = 3")" = 1 ]
}

@test "a user may assign only where the workflow says: not_found and forbidden too" {
	uoms-status --to CANCEL 1 >/dev/null
	run --separate-stderr uoms-assign --driver Kim --partial 1 2 99
	[ "$status" -eq 1 ]
	[ "$(jget id <<<"$output")" = 2 ]
	[[ "$stderr" == *"order 1: invalid_transition: driver can't be assigned in state CANCEL"* ]]
	[[ "$stderr" == *"order 99: not_found: "* ]]
	# --force is for admins; it does not lift the workflow's rule either.
	run --separate-stderr uoms-assign --driver Kim --force 3
	[ "$status" -eq 1 ]
	[[ "$stderr" == *"order 3: forbidden: "* ]]
	[ "$(count "SELECT driver IS NULL FROM orders WHERE id = 3")" = 1 ]
}

@test "an admin assigns in any state, without --force" {
	admin boss
	uoms-status --to IN_PROGRESS 1 >/dev/null
	uoms-status --to CANCEL 2 >/dev/null
	run --separate-stderr uoms-assign --actor boss --driver Kim 1 2 3
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	[ "${#lines[@]}" -eq 3 ]
	[ "$(count "SELECT count(*) FROM orders WHERE json_extract(driver, '\$.name') = 'Kim'")" = 3 ]
	[ "$(count "SELECT group_concat(DISTINCT actor) FROM events WHERE type = 'assigned'")" = boss ]
}

@test "other workflows: users assign in their states marked assign" {
	order 900001 workflow='"food-delivery"' status='"preparing"' | uoms-upsert >/dev/null
	order 900002 workflow='"food-delivery"' status='"in_transit"' | uoms-upsert >/dev/null
	run --separate-stderr uoms-assign --driver Kim --partial coupang:900001 coupang:900002
	[ "$status" -eq 1 ]
	[ "$(jget external_order_id <<<"$output")" = 900001 ]
	[[ "$stderr" == *"order coupang:900002: invalid_transition: driver can't be assigned in state in_transit"* ]]
}

@test "a bad phone is refused with invalid and nothing is stored" {
	for p in 12 010-1234-567 010-12345-678 0101-234-5678 "010 1234 5678" \
	    010-1234-5678x 010-abcd-5678; do
		run --separate-stderr uoms-assign --driver Kim --phone "$p" 1 2
		echo "phone '$p': status $status, stderr $stderr"
		[ "$status" -eq 1 ]
		[ -z "$output" ]
		[[ "$stderr" == *"order 1: invalid: driver.phone '$p' is not NNN-NNNN-NNNN or NN-NNN(N)-NNNN"* ]]
	done
	[ "$(count "SELECT count(*) FROM orders WHERE driver IS NOT NULL")" = 0 ]
	[ "$(count "SELECT count(*) FROM events WHERE type = 'assigned'")" = 0 ]
	for p in 010-1234-5678 02-123-4567 02-1234-5678; do
		run --separate-stderr uoms-assign --driver "Kim $p" --phone "$p" 1
		[ "$status" -eq 0 ]
		[ "$(jget driver.phone <<<"$output")" = "$p" ]
	done
}

@test "a driver name is 1 to 100 characters of text" {
	run --separate-stderr uoms-assign --driver "" 1
	[ "$status" -eq 1 ]
	[[ "$stderr" == *"order 1: invalid: driver name is empty"* ]]
	run --separate-stderr uoms-assign --driver "   " 1
	[ "$status" -eq 1 ]
	[[ "$stderr" == *"invalid: driver name is empty"* ]]
	run --separate-stderr uoms-assign --driver "$(printf 'a%.0s' $(seq 101))" 1
	[ "$status" -eq 1 ]
	[[ "$stderr" == *"invalid: driver name 'aaaa"*"' is longer than 100 characters"* ]]
	run --separate-stderr uoms-assign --driver "$(printf 'a\tb')" 1
	[ "$status" -eq 1 ]
	[[ "$stderr" == *"holds a control character"* ]]
	run --separate-stderr uoms-assign --driver "$(printf '\377')" 1
	[ "$status" -eq 1 ]
	[[ "$stderr" == *"driver name is not UTF-8"* ]]
	[ "$(count "SELECT count(*) FROM orders WHERE driver IS NOT NULL")" = 0 ]
	# 100 Hangul syllables are 100 characters (300 bytes): accepted.
	name=$(printf '김%.0s' $(seq 100))
	run --separate-stderr uoms-assign --driver "$name" 1
	[ "$status" -eq 0 ]
	[ "$(jget driver.name <<<"$output")" = "$name" ]
}

@test "--unassign takes the driver away; with none it is refused" {
	uoms-assign --driver Kim --phone 010-2222-3333 1 2 >/dev/null
	run --separate-stderr uoms-assign --unassign 1
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	[ "$(jget driver <<<"$output")" = null ]
	[ "$(jget version <<<"$output")" = 3 ]
	[ "$(count "SELECT type || ' ' || details FROM events WHERE order_id = 1 ORDER BY id DESC LIMIT 1")" = \
	    'unassigned {"driver":null,"previous":{"name":"Kim","phone":"010-2222-3333"}}' ]
	# Order 3 has no driver: all or nothing, so order 2 keeps its driver.
	run --separate-stderr uoms-assign --unassign 2 3
	[ "$status" -eq 1 ]
	[ -z "$output" ]
	[[ "$stderr" == *"order 3: invalid: no driver to unassign"* ]]
	[ "$(count "SELECT json_extract(driver, '\$.name') || ' ' || version FROM orders WHERE id = 2")" = "Kim 2" ]
	[ "$(count "SELECT version FROM orders WHERE id = 3")" = 1 ]
}

@test "the same driver again is refused: nothing changes, the version stays" {
	uoms-assign --driver Kim --phone 010-2222-3333 1 >/dev/null
	run --separate-stderr uoms-assign --driver Kim --phone 010-2222-3333 1
	[ "$status" -eq 1 ]
	[ -z "$output" ]
	[[ "$stderr" == *"order 1: invalid: already assigned to 'Kim'"* ]]
	[ "$(count "SELECT version FROM orders WHERE id = 1")" = 2 ]
	[ "$(count "SELECT count(*) FROM events WHERE order_id = 1 AND type = 'assigned'")" = 1 ]
	# Another phone is a change.
	run --separate-stderr uoms-assign --driver Kim --phone 010-9999-8888 1
	[ "$status" -eq 0 ]
	[ "$(jget version <<<"$output")" = 3 ]
}

@test "a piped record carries its version: a stale one is refused with version_conflict" {
	uoms-query --id 1 >seen.jsonl
	uoms-assign --driver Kim 1 >/dev/null
	run --separate-stderr uoms-assign --driver Lee --reject rej.jsonl <seen.jsonl
	[ "$status" -eq 1 ]
	[ -z "$output" ]
	[[ "$stderr" == *"line 1: version_conflict: order 1: stored version is 2, not 1"* ]]
	[ "$(jget error.current_version <rej.jsonl)" = 2 ]
	[ "$(count "SELECT json_extract(driver, '\$.name') FROM orders WHERE id = 1")" = Kim ]
	# An admin's --force skips the check.
	admin boss
	run --separate-stderr uoms-assign --actor boss --force --driver Lee <seen.jsonl
	[ "$status" -eq 0 ]
	[ "$(jget driver.name <<<"$output")" = Lee ]
}

@test "an ASSIGN lock by another actor refuses the order, naming the owner" {
	lock 2 ASSIGN kim
	run --separate-stderr uoms-assign --driver Lee --reject rej.jsonl 1 2
	[ "$status" -eq 1 ]
	[ -z "$output" ]
	[[ "$stderr" == *"order 2: locked: ASSIGN lock held by 'kim' until 2099-01-01T00:00:00Z"* ]]
	[ "$(count "SELECT count(*) FROM orders WHERE driver IS NOT NULL")" = 0 ]
	[ "$(jget error.owner <rej.jsonl)" = kim ]
	[ "$(jget error.lock_type <rej.jsonl)" = ASSIGN ]
	# The lock's owner may assign.
	run --separate-stderr uoms-assign --actor kim --driver Lee 2
	[ "$status" -eq 0 ]
	[ "$(jget driver.name <<<"$output")" = Lee ]
}

@test "an EDIT lock blocks assigning too; an expired lock and a STATUS lock do not" {
	lock 1 EDIT kim
	run --separate-stderr uoms-assign --driver Lee 1
	[ "$status" -eq 1 ]
	[[ "$stderr" == *"order 1: locked: EDIT lock held by 'kim'"* ]]
	lock 2 ASSIGN kim 2020-01-01T00:00:00Z
	lock 3 STATUS kim
	run --separate-stderr uoms-assign --driver Lee 2 3
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	[ "${#lines[@]}" -eq 2 ]
}

@test "holds do not block assigning (they block status changes)" {
	sql "INSERT INTO holds (order_id, reason, placed_by, placed_at, updated_at)
	    VALUES (1, 'missing_info', 'kim', '2026-11-21T00:00:00Z', '2026-11-21T00:00:00Z')"
	run --separate-stderr uoms-status --to CANCEL 1
	[ "$status" -eq 1 ]
	[[ "$stderr" == *on_hold* ]]
	run --separate-stderr uoms-assign --driver Kim 1
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	[ "$(jget driver.name <<<"$output")" = Kim ]
	[ "$(jget holds[0].reason <<<"$output")" = missing_info ]
}

@test "an idempotency key applies the assignment once and replays the same output" {
	run --separate-stderr uoms-assign --driver Kim --idempotency-key k-1 1 2
	[ "$status" -eq 0 ]
	first=$output
	run --separate-stderr uoms-assign --driver Kim --idempotency-key k-1 1 2
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	[ "$output" = "$first" ]
	[ "$(count "SELECT group_concat(version) FROM (SELECT version FROM orders ORDER BY id) AS o")" = "2,2,1" ]
	[ "$(count "SELECT count(*) FROM events WHERE type = 'assigned'")" = 2 ]
	# The same key for another driver is a mismatch.
	run --separate-stderr uoms-assign --driver Lee --idempotency-key k-1 1
	[ "$status" -eq 1 ]
	[[ "$stderr" == *"order 1: idempotency_mismatch: "* ]]
	# Another actor's key of the same name is their own.
	run --separate-stderr uoms-assign --actor other --driver Lee --idempotency-key k-1 1
	[ "$status" -eq 0 ]
	[ "$(jget driver.name <<<"$output")" = Lee ]
}

@test "usage errors: exit 2 with why and usage, nothing touched" {
	for args in "1" "--driver Kim --unassign 1" "--unassign --phone 010-1234-5678 1" \
	    "--phone 010-1234-5678 1"; do
		run --separate-stderr uoms-assign $args
		echo "$args: $status $stderr"
		[ "$status" -eq 2 ]
		[ -z "$output" ]
		[[ "$stderr" == *"usage: uoms-assign "* ]]
	done
	[ "$(count "SELECT count(*) FROM events")" = 3 ]
}

@test "the man page's EXAMPLES run" {
	store_reset
	man_examples uoms-assign.1
	[ -f ex5.sh ]
	statuses=
	for f in ex*.sh; do
		sh "$f" >"$f.out" 2>"$f.err" && st=0 || st=$?
		statuses="$statuses $st"
	done
	# The third and fourth try to give Lee an order on its way: exit 1.
	[ "$statuses" = " 0 0 1 1 0" ]
	[ "$(count "SELECT group_concat(d) FROM (SELECT coalesce(json_extract(driver,
	    '\$.name'), '-') AS d FROM orders ORDER BY id) AS o")" = "-,Lee,-" ]
	[ "$(jget error.code <refused.jsonl)" = invalid_transition ]
	[ "$(count "SELECT count(*) FROM events WHERE type = 'unassigned'")" = 1 ]
}
