#!/usr/bin/env bats
# uoms-status on PostgreSQL writes a batch with set statements (issue 14
# item 1, issue 11 row j): each line decided in C as on its own, the
# moves of the lines read ahead staged and written by one UPDATE, their
# events by one INSERT, their records read back by one SELECT (change.h,
# uoms_change_later). What each line prints, refuses and leaves in the
# store is what it did when each was written on its own; the same
# answers on SQLite, where each line is written when stepped.
load helper

# six: orders 1 to 6, WAITING
six() {
	orders 6 >in.jsonl
	uoms-upsert in.jsonl >/dev/null
}

@test "a batch's events are in line order, each with its actor, note and version" {
	six
	run --separate-stderr uoms-status --actor ops --to IN_PROGRESS \
	    --note 'kerb "side" 문' < <(printf '{"id":%s}\n' 4 1 6 2)
	[ "$status" -eq 0 ]
	[ "$(jget id <<<"$output" | tr '\n' ' ')" = "4 1 6 2 " ]
	[ "$(sql "SELECT order_id FROM events WHERE type = 'status' ORDER BY id" | tr '\n' ' ')" = "4 1 6 2 " ]
	[ "$(sql "SELECT DISTINCT actor || '|' || from_state || '|' || to_state || '|' || version FROM events WHERE type = 'status'")" = "ops|WAITING|IN_PROGRESS|2" ]
	[ "$(sql "SELECT DISTINCT details FROM events WHERE type = 'status'")" = '{"note":"kerb \"side\" 문","forced":false}' ]
	# The move stamps depart_time with its own time (dispatch.yaml).
	[ "$(sql "SELECT count(*) FROM orders WHERE depart_time = updated_at")" = 4 ]
	uoms-query --status IN_PROGRESS | sort >stored.jsonl
	sort <<<"$output" | diff -u stored.jsonl -
}

@test "a move refused by the store after its batch was staged: that line alone, its own words" {
	six
	refuse_rows "UPDATE ON orders" "NEW.id = 3 AND NEW.status = 'IN_PROGRESS'"
	run --separate-stderr uoms-status --to IN_PROGRESS --reject rej.jsonl < <(printf '{"id":%s}\n' 1 2 3 4)
	[ "$status" -eq 1 ]
	[ "$stderr" = "uoms-status: line 3: invalid: order 3: the store refused a value: changing a status: boom" ]
	[ "$(jget id <<<"$output" | tr '\n' ' ')" = "1 2 4 " ]
	[ "$(jget id <rej.jsonl)" = 3 ]
	[ "$(sql "SELECT id || status || version FROM orders WHERE id <= 4 ORDER BY id" | tr '\n' ' ')" = "1IN_PROGRESS2 2IN_PROGRESS2 3WAITING1 4IN_PROGRESS2 " ]
	[ "$(sql "SELECT order_id FROM events WHERE type = 'status' ORDER BY id" | tr '\n' ' ')" = "1 2 4 " ]
}

@test "lines written on their own among staged ones keep the output and events in line order" {
	six
	{
		echo '{"id":1}'
		echo '{"id":2,"idempotency_key":"k-2"}'
		echo '{"id":3}'
		echo '{"channel":"coupang","external_order_id":"4"}'
		echo '{"id":5}'
		echo '{"id":1}'
		echo '{"id":6}'
	} >refs.jsonl
	run --separate-stderr uoms-status --to IN_PROGRESS <refs.jsonl
	[ "$status" -eq 1 ]
	[ "$stderr" = "uoms-status: line 6: invalid_transition: order 1: dispatch allows no move from IN_PROGRESS to IN_PROGRESS" ]
	[ "$(jget id <<<"$output" | tr '\n' ' ')" = "1 2 3 4 5 6 " ]
	[ "$(jget version <<<"$output" | sort -u)" = 2 ]
	[ "$(sql "SELECT order_id FROM events WHERE type = 'status' ORDER BY id" | tr '\n' ' ')" = "1 2 3 4 5 6 " ]
	# The key's stored answer is the record printed.
	run --separate-stderr uoms-status --to IN_PROGRESS < <(echo '{"id":2,"idempotency_key":"k-2"}')
	[ "$status" -eq 0 ]
	[ "$(jget version <<<"$output")" = 2 ]
}

@test "a batch of moves on PostgreSQL costs a few round trips, not one a line" {
	six
	engine_only pg "round trips to a server"
	command -v strace >/dev/null || skip "strace is not installed"
	orders 194 7 >more.jsonl
	uoms-upsert more.jsonl >/dev/null
	uoms-query --status WAITING >waiting.jsonl
	[ "$(wc -l <waiting.jsonl)" -eq 200 ]
	# LeakSanitizer can't run under ptrace (make SAN=1).
	ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 \
	    strace -f -e trace=sendto -o trace uoms-status --to IN_PROGRESS \
	    <waiting.jsonl >moved.jsonl
	[ "$(wc -l <moved.jsonl)" -eq 200 ]
	[ "$(uoms-query --status IN_PROGRESS | wc -l)" -eq 200 ]
	uoms-query --status IN_PROGRESS | diff -u - moved.jsonl
	# A line's writes sent each on their own (before the set
	# statements): 200 and more.
	n=$(grep -c 'sendto(' trace)
	echo "sendto: $n"
	[ "$n" -le 40 ]
}
@test "an open hold refuses its own order in a staged batch and stops no other" {
	six
	orders 194 7 >more.jsonl
	uoms-upsert more.jsonl >/dev/null
	uoms-hold set --reason address_invalid --note 'gate code?' 3 >/dev/null
	uoms-hold set --reason other 150 >/dev/null
	uoms-hold resolve --all 150 >/dev/null
	uoms-query --status WAITING >waiting.jsonl
	[ "$(wc -l <waiting.jsonl)" -eq 200 ]
	# On PostgreSQL, the round trips are counted (see above).
	trace=()
	if [ "$UOMS_TEST_ENGINE" = pg ] && command -v strace >/dev/null; then
		trace=(env "ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"
		    strace -f -e trace=sendto -o trace)
	fi
	run --separate-stderr "${trace[@]}" uoms-status --to IN_PROGRESS \
	    --reject rej.jsonl <waiting.jsonl
	[ "$status" -eq 1 ]
	line=$(grep -n '^{"id":3,' waiting.jsonl | cut -d: -f1)
	[ "$stderr" = "uoms-status: line $line: on_hold: order 3: on hold (1 unresolved, e.g. address_invalid)" ]
	[ "$(jget id <rej.jsonl)" = 3 ]
	[ "$(wc -l <<<"$output")" -eq 199 ]
	# Each record printed is the one stored, its holds with it.
	uoms-query --status IN_PROGRESS | diff -u - <(printf '%s\n' "$output")
	[ "$(uoms-query --id 150 | jget holds)" = "[]" ]
	[ "$(sql "SELECT count(*) FROM events WHERE type = 'status'")" -eq 199 ]
	# The holds are asked with the batch, not a line at a time.
	if [ -f trace ]; then
		n=$(grep -c 'sendto(' trace)
		echo "sendto: $n"
		[ "$n" -le 40 ]
	fi
}

@test "a live lock refuses its own order in a staged batch; the mover's own and an expired one stop nothing" {
	six
	orders 194 7 >more.jsonl
	uoms-upsert more.jsonl >/dev/null
	uoms-lock --actor kim acquire --type STATUS --ttl 600 4 >/dev/null
	uoms-lock --actor ops acquire --type STATUS --ttl 600 7 >/dev/null
	env UOMS_NOW=2026-01-01T00:00:00Z uoms-lock --actor kim acquire --type EDIT --ttl 60 8 >/dev/null
	uoms-query --status WAITING >waiting.jsonl
	trace=()
	if [ "$UOMS_TEST_ENGINE" = pg ] && command -v strace >/dev/null; then
		trace=(env "ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"
		    strace -f -e trace=sendto -o trace)
	fi
	run --separate-stderr "${trace[@]}" uoms-status --actor ops \
	    --to IN_PROGRESS <waiting.jsonl
	[ "$status" -eq 1 ]
	line=$(grep -n '^{"id":4,' waiting.jsonl | cut -d: -f1)
	[[ "$stderr" == "uoms-status: line $line: locked: order 4: STATUS lock held by 'kim' until "* ]]
	[ "$(wc -l <<<"$output")" -eq 199 ]
	uoms-query --status IN_PROGRESS | diff -u - <(printf '%s\n' "$output")
	[ "$(uoms-query --id 4 | jget status)" = WAITING ]
	[ "$(uoms-query --id 7 | jget status)" = IN_PROGRESS ]
	[ "$(uoms-query --id 8 | jget status)" = IN_PROGRESS ]
	if [ -f trace ]; then
		n=$(grep -c 'sendto(' trace)
		echo "sendto: $n"
		[ "$n" -le 40 ]
	fi
}

@test "a producer that pauses between lines does not cut the batch into a transaction a line" {
	engine_only pg "round trips to a server"
	command -v strace >/dev/null || skip "strace is not installed"
	orders 200 | uoms-upsert >/dev/null
	uoms-query --status WAITING >waiting.jsonl
	# Lines as a streaming producer writes them (uoms-query paging from
	# a server): each after a pause of a millisecond.
	mkfifo paced
	python3 -c '
import sys, time
with open(sys.argv[1]) as f, open(sys.argv[2], "w") as out:
    for line in f:
        out.write(line); out.flush(); time.sleep(0.001)
' waiting.jsonl paced &
	ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 \
	    strace -f -e trace=sendto -o trace uoms-status --to IN_PROGRESS \
	    <paced >moved.jsonl
	wait
	[ "$(wc -l <moved.jsonl)" -eq 200 ]
	[ "$(uoms-query --status IN_PROGRESS | wc -l)" -eq 200 ]
	# A commit at every pause: 528 round trips here, against 19.
	n=$(grep -c 'sendto(' trace)
	echo "sendto: $n"
	[ "$n" -le 200 ]
}
