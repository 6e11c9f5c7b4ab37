#!/usr/bin/env bats
# uoms-hold: holds placed with each reason, acknowledged and resolved with
# the operator's notes, events and versions; an order on hold does not
# move until every hold is resolved; drift holds from uoms-upsert; list.
load helper

# one: a stored order (coupang:1, id 1), in WAITING.
one() {
	order 1 | uoms-upsert >/dev/null
}

@test "set with each reason: an open hold, version +1, one hold_placed event" {
	local reasons=(stock_shortage missing_info fraud_suspected address_invalid awaiting_payment other)
	local n=0 r
	orders 6 | uoms-upsert >/dev/null
	for r in "${reasons[@]}"; do
		n=$((n + 1))
		run --separate-stderr uoms-hold set --reason "$r" --note "why $n" "coupang:$n"
		[ "$status" -eq 0 ]
		[ -z "$stderr" ]
		[ "$(jget version <<<"$output")" = 2 ]
		[ "$(jget 'holds[0].reason' <<<"$output")" = "$r" ]
		[ "$(jget 'holds[0].state' <<<"$output")" = open ]
		[ "$(jget 'holds[0].placed_by' <<<"$output")" = tester ]
		[ "$(jget 'holds[0].note' <<<"$output")" = "why $n" ]
	done
	[ "$(sql "SELECT count(*) FROM holds WHERE state = 'open'")" = 6 ]
	[ "$(sql "SELECT group_concat(reason, ' ') FROM (SELECT reason FROM holds
	    ORDER BY id) AS h")" = "${reasons[*]}" ]
	run sql "SELECT json_extract(details, '\$.reason') || ' ' || version
	    FROM events WHERE type = 'hold_placed' AND order_id = 3"
	[ "$output" = "fraud_suspected 2" ]
}

@test "a bad reason, or none, is a usage error; nothing is written" {
	one
	run --separate-stderr uoms-hold set --reason lost 1
	[ "$status" -eq 2 ]
	[ -z "$output" ]
	[[ "$stderr" == "uoms-hold: no hold reason 'lost'"* ]]
	run --separate-stderr uoms-hold set 1
	[ "$status" -eq 2 ]
	run --separate-stderr uoms-hold set --reason other --all 1
	[ "$status" -eq 2 ]
	[ "$(sql "SELECT count(*) FROM holds")" = 0 ]
	[ "$(sql "SELECT version FROM orders")" = 1 ]
}

@test "ack and resolve need exactly one of --hold and --all" {
	one
	uoms-hold set --reason other 1 >/dev/null
	for cmd in ack resolve; do
		run --separate-stderr uoms-hold "$cmd" 1
		[ "$status" -eq 2 ]
		[[ "$stderr" == *"give one of --hold and --all"* ]]
		run --separate-stderr uoms-hold "$cmd" --hold 1 --all 1
		[ "$status" -eq 2 ]
		run --separate-stderr uoms-hold "$cmd" --hold x 1
		[ "$status" -eq 2 ]
	done
	run --separate-stderr uoms-hold frobnicate 1
	[ "$status" -eq 2 ]
	[ "$(sql "SELECT state || ' ' || version FROM holds JOIN orders o ON o.id = order_id")" = "open 2" ]
}

@test "an open or acknowledged hold refuses uoms-status; resolve --all releases it" {
	one
	uoms-hold set --reason stock_shortage 1 >/dev/null
	uoms-hold set --reason missing_info 1 >/dev/null
	run --separate-stderr uoms-status --to IN_PROGRESS 1
	[ "$status" -eq 1 ]
	[ -z "$output" ]
	[[ "$stderr" == *"on_hold"* ]]
	run --separate-stderr uoms-hold ack --all 1
	[ "$status" -eq 0 ]
	[ "$(jget 'holds' <<<"$output" | grep -o acknowledged | wc -l)" = 2 ]
	run --separate-stderr uoms-status --to IN_PROGRESS 1
	[ "$status" -eq 1 ]
	[[ "$stderr" == *"on_hold"* ]]
	# One resolved, one left: still held.
	run --separate-stderr uoms-hold resolve --hold 1 1
	[ "$status" -eq 0 ]
	[ "$(jget 'holds[0].id' <<<"$output")" = 2 ]
	run --separate-stderr uoms-status --to IN_PROGRESS 1
	[ "$status" -eq 1 ]
	uoms-hold set --reason fraud_suspected 1 >/dev/null
	# A fraud_suspected hold is the admins' to resolve (t/4006).
	uoms-user add boss --role admin >/dev/null
	run --separate-stderr uoms-hold --actor boss resolve --all 1
	[ "$status" -eq 0 ]
	[ "$(jget holds <<<"$output")" = "[]" ]
	[ "$(sql "SELECT group_concat(state) FROM (SELECT state FROM holds
	    ORDER BY id) AS h")" = resolved,resolved,resolved ]
	run --separate-stderr uoms-status --to IN_PROGRESS 1
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	[ "$(jget status <<<"$output")" = IN_PROGRESS ]
}

@test "ack then resolve: operators and notes recorded, events, versions +1 each" {
	one
	uoms-hold set --reason address_invalid --note 'no such street' 1 >/dev/null
	run --separate-stderr uoms-hold --actor kim ack --hold 1 --note 'calling the customer' 1
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	[ "$(jget version <<<"$output")" = 3 ]
	[ "$(jget 'holds[0].state' <<<"$output")" = acknowledged ]
	[ "$(sql "SELECT state || '|' || operator || '|' || operator_note || '|' || note FROM holds")" = \
	    "acknowledged|kim|calling the customer|no such street" ]
	run --separate-stderr uoms-hold --actor lee resolve --hold 1 --note 'address fixed' coupang:1
	[ "$status" -eq 0 ]
	[ "$(jget version <<<"$output")" = 4 ]
	[ "$(sql "SELECT state || '|' || operator || '|' || operator_note FROM holds")" = \
	    "resolved|lee|address fixed" ]
	run sql "SELECT type || ' ' || version || ' ' || actor || ' ' || details FROM events
	    WHERE order_id = 1 AND type LIKE 'hold%' ORDER BY id"
	[ "${lines[0]}" = 'hold_placed 2 tester {"hold_id":1,"reason":"address_invalid","note":"no such street"}' ]
	[ "${lines[1]}" = 'hold_acknowledged 3 kim {"hold_ids":[1],"note":"calling the customer"}' ]
	[ "${lines[2]}" = 'hold_resolved 4 lee {"hold_ids":[1],"note":"address fixed"}' ]
	[ "${#lines[@]}" -eq 3 ]
	[ "$(sql "SELECT count(*) FROM events WHERE order_id = 1")" = 4 ]
	[ "$(sql "SELECT version FROM orders")" = 4 ]
}

@test "a step the hold has taken already is invalid; nothing is written" {
	one
	uoms-hold set --reason other 1 >/dev/null
	uoms-hold ack --hold 1 1 >/dev/null
	run --separate-stderr uoms-hold ack --hold 1 1
	[ "$status" -eq 1 ]
	[ -z "$output" ]
	[ "$stderr" = "uoms-hold: order 1: invalid: hold 1 is acknowledged already" ]
	run --separate-stderr uoms-hold ack --all 1
	[ "$status" -eq 1 ]
	[[ "$stderr" == *"invalid: no open hold to acknowledge"* ]]
	uoms-hold resolve --hold 1 1 >/dev/null
	run --separate-stderr uoms-hold resolve --hold 1 1
	[ "$status" -eq 1 ]
	[ "$stderr" = "uoms-hold: order 1: invalid: hold 1 is resolved already" ]
	run --separate-stderr uoms-hold resolve --all 1
	[ "$status" -eq 1 ]
	[ "$(sql "SELECT version FROM orders")" = 4 ]
	[ "$(sql "SELECT count(*) FROM events")" = 4 ]
}

@test "--hold of another order's hold is refused with not_found" {
	orders 2 | uoms-upsert >/dev/null
	uoms-hold set --reason other 1 >/dev/null
	uoms-hold set --reason other 2 >/dev/null
	for cmd in ack resolve; do
		run --separate-stderr uoms-hold "$cmd" --hold 2 1
		[ "$status" -eq 1 ]
		[ -z "$output" ]
		[ "$stderr" = "uoms-hold: order 1: not_found: no hold 2 on it" ]
	done
	run --separate-stderr uoms-hold resolve --hold 9 1
	[ "$status" -eq 1 ]
	[ "$(sql "SELECT group_concat(state) FROM (SELECT state FROM holds
	    ORDER BY id) AS h")" = open,open ]
	[ "$(sql "SELECT group_concat(version) FROM (SELECT version FROM orders
	    ORDER BY id) AS o")" = 2,2 ]
}

@test "an EDIT lock of another actor refuses holds" {
	one
	sql "INSERT INTO locks (order_id, type, owner, acquired_at, expires_at)
	    VALUES (1, 'EDIT', 'kim', '2026-01-01T00:00:00Z', '2099-01-01T00:00:00Z')"
	run --separate-stderr uoms-hold set --reason other 1
	[ "$status" -eq 1 ]
	[[ "$stderr" == *"locked"* ]]
	[ "$(sql "SELECT count(*) FROM holds")" = 0 ]
	run --separate-stderr uoms-hold --actor kim set --reason other 1
	[ "$status" -eq 0 ]
}

@test "list: every hold newest first, --state filters, a missing store exits 3" {
	orders 3 | uoms-upsert >/dev/null
	uoms-hold set --reason stock_shortage 1 2 3 >/dev/null
	uoms-hold ack --hold 2 2 >/dev/null
	uoms-hold resolve --hold 3 3 >/dev/null
	run --separate-stderr uoms-hold list
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	[ "$(jget id <<<"$output" | tr '\n' ' ')" = "3 2 1 " ]
	[ "$(jget state <<<"$output" | tr '\n' ' ')" = "resolved acknowledged open " ]
	[ "$(head -1 <<<"$output" | python3 -c 'import json,sys; print(",".join(json.loads(sys.stdin.read())))')" = \
	    id,order_id,reason,note,state,placed_by,placed_at,operator,operator_note,updated_at ]
	for st in open acknowledged resolved; do
		run --separate-stderr uoms-hold list --state "$st"
		[ "$status" -eq 0 ]
		[ "${#lines[@]}" -eq 1 ]
		[ "$(jget state <<<"$output")" = "$st" ]
	done
	run --separate-stderr uoms-hold list --state closed
	[ "$status" -eq 2 ]
	run --separate-stderr uoms-hold -d "$BATS_TEST_TMPDIR/nope.db" list
	[ "$status" -eq 3 ]
	[ -z "$output" ]
	[ ! -e "$BATS_TEST_TMPDIR/nope.db" ]
}

@test "a drift hold placed by uoms-upsert is resolved with uoms-hold; the order moves again" {
	uoms-user add boss --role admin >/dev/null
	echo '{"channel":"c","external_order_id":"1"}' | uoms-upsert >/dev/null
	uoms-status --to CANCEL 1 >/dev/null
	echo '{"channel":"c","external_order_id":"1","status":"COMPLETE"}' | uoms-upsert >/dev/null
	run --separate-stderr uoms-hold list --state open
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 1 ]
	[ "$(jget reason <<<"$output")" = other ]
	[ "$(jget placed_by <<<"$output")" = channel:c ]
	run --separate-stderr uoms-status --actor boss --force --to WAITING 1
	[ "$status" -eq 1 ]
	[[ "$stderr" == *"on_hold"* ]]
	run --separate-stderr uoms-hold resolve --all --note 'the channel was wrong' c:1
	[ "$status" -eq 0 ]
	[ "$(jget holds <<<"$output")" = "[]" ]
	run --separate-stderr uoms-status --actor boss --force --to WAITING 1
	[ "$status" -eq 0 ]
	[ "$(jget status <<<"$output")" = WAITING ]
}

@test "references from stdin: records from uoms-query" {
	orders 3 | uoms-upsert >/dev/null
	run --separate-stderr sh -c 'uoms-query | uoms-hold set --reason awaiting_payment'
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 3 ]
	run --separate-stderr sh -c 'uoms-query --on-hold | uoms-hold resolve --all'
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 3 ]
	[ "$(sql "SELECT count(*) FROM holds WHERE state = 'resolved'")" = 3 ]
}

@test "the man page's EXAMPLES run" {
	man_examples uoms-hold.1
	[ -f ex4.sh ]
	statuses=
	for f in ex*.sh; do
		sh "$f" >"$f.out" 2>"$f.err" && st=0 || st=$?
		statuses="$statuses $st"
	done
	# The move while held is refused; after the resolve it goes.
	[ "$statuses" = " 0 1 0 0" ]
	[[ "$(cat ex2.sh.err)" == *"on_hold"* ]]
	[ "$(jget state <ex3.sh.out | head -1)" = open ]
	[ "$(tail -1 ex3.sh.out | jget status)" = IN_PROGRESS ]
	[ "$(sql "SELECT state || '|' || operator || '|' || operator_note FROM holds")" = "resolved|lee|restocked" ]
	[ ! -s ex4.sh.out ]
}
