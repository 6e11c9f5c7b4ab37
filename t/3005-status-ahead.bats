#!/usr/bin/env bats
# uoms-status asks the orders of the lines it has read ahead in one round
# trip on PostgreSQL (change.h, uoms_change_ahead), then moves each with
# no lookup of its own. What it asked must never be stale: an order given
# twice, or changed by a line by key before its line by id, is read again.
# The same answers on SQLite, where each line looks its order up.
load helper

@test "an order given twice in one batch: its second line sees the first's move" {
	orders 3 >in.jsonl
	uoms-upsert in.jsonl >/dev/null
	run --separate-stderr uoms-status --to IN_PROGRESS < <(printf '{"id":%s}\n' 1 2 1 3)
	[ "$status" -eq 1 ]
	[ "$stderr" = "uoms-status: line 3: invalid_transition: order 1: dispatch allows no move from IN_PROGRESS to IN_PROGRESS" ]
	[ "$(jget id <<<"$output" | tr '\n' ' ')" = "1 2 3 " ]
	[ "$(sql "SELECT version FROM orders WHERE id = 1")" = 2 ]
	[ "$(sql "SELECT count(*) FROM events WHERE order_id = 1 AND type = 'status'")" = 1 ]
}

@test "an order moved by key, then named by id with the version read before: a conflict" {
	orders 3 >in.jsonl
	uoms-upsert in.jsonl >/dev/null
	{
		echo '{"id":1}'
		echo '{"channel":"coupang","external_order_id":"2"}'
		echo '{"id":2,"version":1}'
		echo '{"id":3,"version":1}'
	} >refs.jsonl
	run --separate-stderr uoms-status --to IN_PROGRESS <refs.jsonl
	[ "$status" -eq 1 ]
	[ "$stderr" = "uoms-status: line 3: version_conflict: order 2: stored version is 2, not 1" ]
	[ "$(jget id <<<"$output" | tr '\n' ' ')" = "1 2 3 " ]
	[ "$(uoms-query | jget version | tr '\n' ' ')" = "2 2 2 " ]
	[ "$(sql "SELECT count(*) FROM events WHERE type = 'status'")" = 3 ]
}

@test "an order id that is not stored, among stored ones: that line alone refused" {
	orders 2 >in.jsonl
	uoms-upsert in.jsonl >/dev/null
	run --separate-stderr uoms-status --to IN_PROGRESS < <(printf '{"id":%s}\n' 1 99 2)
	[ "$status" -eq 1 ]
	[ "$stderr" = "uoms-status: line 2: not_found: order 99: no such order" ]
	[ "$(jget id <<<"$output" | tr '\n' ' ')" = "1 2 " ]
}

@test "a move on PostgreSQL costs one round trip, not one a statement" {
	engine_only pg "round trips to a server"
	command -v strace >/dev/null || skip "strace is not installed"
	orders 200 >in.jsonl
	uoms-upsert in.jsonl >/dev/null
	uoms-query --status WAITING >waiting.jsonl
	# LeakSanitizer can't run under ptrace (make SAN=1).
	ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 \
	    strace -f -e trace=sendto -o trace uoms-status --to IN_PROGRESS \
	    <waiting.jsonl >moved.jsonl
	[ "$(wc -l <moved.jsonl)" -eq 200 ]
	[ "$(uoms-query --status IN_PROGRESS | wc -l)" -eq 200 ]
	# Before the look-ahead: two a move (the lookup, then the writes
	# with the record read back), 400 and more.
	n=$(grep -c 'sendto(' trace)
	echo "sendto: $n"
	[ "$n" -le 240 ]
}
