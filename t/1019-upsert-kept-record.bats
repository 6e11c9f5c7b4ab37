#!/usr/bin/env bats
# A line that changes nothing prints the record kept as last printed
# (issue 14 item 2, lib/record.h), not one rebuilt: byte for byte what
# uoms-query --id prints. A record is kept when upsert prints it, at the
# version it shows, and printed only while the order is at that version:
# each change that alters the record (a status move, an assignment, an
# edit, a hold set, acknowledged or resolved, a remark, the channel's
# changed line, a cancelled item, a stock shortage) is followed, the next
# time the same line comes, by the record as it is now, never the one
# kept before it.
load helper

setup_file() {
	plain_orders
}

# again_is_query LINE-FILE: LINE-FILE upserted twice more (changing nothing:
# the record is rebuilt and kept, then the kept one printed) prints what
# uoms-query --id 1 prints, both times.
again_is_query() {
	uoms-query --id 1 >want
	uoms-upsert "$1" >again.1
	uoms-upsert "$1" >again.2
	diff -u want again.1
	diff -u want again.2
	[ "$(uoms-query --id 1)" = "$(cat want)" ]
}

# stored_kept LINE-FILE: order 1 stored from LINE-FILE, then LINE-FILE again
# (changing nothing), which keeps its record: the one a change must not
# have printed after it.
stored_kept() {
	uoms-upsert "$1" >/dev/null
	uoms-upsert "$1" >/dev/null
	[ "$(kept)" = "1 1" ]
}

# kept: "VERSION" of the record kept for order 1, with the order's own.
kept() {
	sql "SELECT r.version || ' ' || o.version FROM order_renderings r
	    JOIN orders o ON o.id = r.order_id WHERE o.id = 1"
}

@test "a created line's record is kept as printed; the same line again prints it, changing nothing" {
	plain 100001 >in.jsonl
	uoms-upsert in.jsonl >created
	[ "$(kept)" = "1 1" ]
	[ "$(sql "SELECT rendering FROM order_renderings")" = "$(cat created)" ]
	run --separate-stderr uoms-upsert --summary in.jsonl
	[ "$status" -eq 0 ]
	[ "$stderr" = "uoms-upsert: read 1, created 0, updated 0, unchanged 1, rejected 0" ]
	[ "$output" = "$(cat created)" ]
	again_is_query in.jsonl
	[ "$(kept)" = "1 1" ]
	[ "$(sql "SELECT count(*) FROM events")" -eq 1 ]
	[ "$(uoms-query --id 1 | jget updated_at)" = "$(jget updated_at <created)" ]
}

@test "the kept record is what is printed, and only at the order's version" {
	plain 100001 >in.jsonl
	uoms-upsert in.jsonl >created
	uoms-upsert in.jsonl >/dev/null
	# What the store keeps is printed as it is...
	sql "UPDATE order_renderings SET rendering = '{\"kept\":1}'"
	run --separate-stderr uoms-upsert in.jsonl
	[ "$status" -eq 0 ]
	[ "$output" = '{"kept":1}' ]
	# ...but not at another version than the order's: rebuilt then,
	# and kept again at the order's.
	sql "UPDATE order_renderings SET version = 0"
	run --separate-stderr uoms-upsert in.jsonl
	[ "$status" -eq 0 ]
	[ "$output" = "$(cat created)" ]
	[ "$(kept)" = "1 1" ]
	# None kept (a store from before migration 16): rebuilt, and kept.
	sql "DELETE FROM order_renderings"
	run --separate-stderr uoms-upsert in.jsonl
	[ "$output" = "$(cat created)" ]
	[ "$(kept)" = "1 1" ]
}

@test "after a status move, the same line prints the moved record" {
	plain 100001 >in.jsonl
	stored_kept in.jsonl
	uoms-status --to IN_PROGRESS 1 >/dev/null
	again_is_query in.jsonl
	[ "$(uoms-query --id 1 | jget status)" = IN_PROGRESS ]
	[ "$(kept)" = "2 2" ]
}

@test "after an assignment and an unassignment, the same line prints the record with its driver, then without" {
	plain 100001 >in.jsonl
	stored_kept in.jsonl
	uoms-assign --driver Kim --phone 010-2222-3333 1 >/dev/null
	again_is_query in.jsonl
	[ "$(uoms-query --id 1 | jget driver.name)" = Kim ]
	uoms-assign --unassign 1 >/dev/null
	again_is_query in.jsonl
	[ "$(uoms-query --id 1 | jget driver)" = null ]
}

@test "after an edit, the same line prints the edited record" {
	plain 100001 >in.jsonl
	stored_kept in.jsonl
	uoms-edit --set eta=2030-12-01T00:00:00Z --set customer.name=Lee 1 \
	    >/dev/null
	again_is_query in.jsonl
	[ "$(uoms-query --id 1 | jget customer.name)" = Lee ]
}

@test "a hold set, acknowledged and resolved: each time the same line prints the record's holds as they are" {
	plain 100001 >in.jsonl
	stored_kept in.jsonl
	uoms-hold set --reason missing_info --note "no door code" 1 >/dev/null
	again_is_query in.jsonl
	[ "$(uoms-query --id 1 | jget 'holds[0].state')" = open ]
	uoms-hold ack --all 1 >/dev/null
	again_is_query in.jsonl
	[ "$(uoms-query --id 1 | jget 'holds[0].state')" = acknowledged ]
	uoms-hold resolve --all 1 >/dev/null
	again_is_query in.jsonl
	[ "$(uoms-query --id 1 | jget holds)" = "[]" ]
}

@test "a lock, which the record does not show, leaves the kept record printed; a remark's version is printed" {
	plain 100001 >in.jsonl
	uoms-upsert in.jsonl >created
	uoms-lock acquire --type EDIT 1 >/dev/null
	again_is_query in.jsonl
	diff -u created again.2
	uoms-lock release --type EDIT 1 >/dev/null
	uoms-remark add 1 "call first" >/dev/null
	again_is_query in.jsonl
	[ "$(jget version <again.2)" = 2 ]
}

@test "the channel's changed line, and the old line again: each prints the record as it is" {
	plain 100001 >in.jsonl
	sed 's/"department":"east"/"department":"west"/' in.jsonl >west.jsonl
	stored_kept in.jsonl
	uoms-upsert west.jsonl >updated
	uoms-query --id 1 >want
	diff -u want updated
	again_is_query west.jsonl
	[ "$(uoms-query --id 1 | jget department)" = west ]
	# The old line is news again (a change back): updated, then kept.
	uoms-upsert in.jsonl >back
	uoms-query --id 1 >want
	diff -u want back
	again_is_query in.jsonl
	[ "$(uoms-query --id 1 | jget department)" = east ]
	[ "$(kept)" = "3 3" ]
}

@test "an item cancelled by the channel's line: the same line again prints the record with it" {
	plain 100001 >in.jsonl
	sed 's/"quantity":2,/"quantity":2,"cancelled_quantity":1,/' in.jsonl \
	    >cancel.jsonl
	grep -q cancelled_quantity cancel.jsonl
	stored_kept in.jsonl
	uoms-upsert cancel.jsonl >/dev/null
	again_is_query cancel.jsonl
	[ "$(uoms-query --id 1 | jget 'items[0].cancelled_quantity')" = 1 ]
}

@test "an order held for a stock shortage when first stored: the same line prints it held, and after the hold is resolved, not" {
	echo '{"sku":"SKU-1","name":"SKU-1","stock":1}' |
	    uoms-upsert --products >/dev/null
	plain 100001 >in.jsonl
	uoms-upsert in.jsonl >created
	[ "$(jget 'holds[0].reason' <created)" = stock_shortage ]
	uoms-query --id 1 >want
	diff -u want created
	again_is_query in.jsonl
	uoms-hold resolve --all 1 >/dev/null
	again_is_query in.jsonl
	[ "$(uoms-query --id 1 | jget holds)" = "[]" ]
}

@test "a deleted order's line is answered as deleted, not with the kept record" {
	plain 100001 >in.jsonl
	stored_kept in.jsonl
	admin boss
	uoms-edit --actor boss --delete 1 >/dev/null
	run --separate-stderr uoms-upsert in.jsonl
	[ "$status" -eq 0 ]
	[ "$(jget skipped <<<"$output")" = deleted ]
	[ "$(jget version <<<"$output")" = null ]
}

@test "in one batch, the old line after a changed one is applied, not answered with the record kept before" {
	plain 100001 >in.jsonl
	sed 's/"department":"east"/"department":"west"/' in.jsonl >west.jsonl
	stored_kept in.jsonl
	uoms-query --id 1 >v1
	# Read ahead together: in.jsonl was the last line applied when the
	# batch began (on a server, asked about with the others), but the
	# west line before it changes the order, so it is news again.
	cat west.jsonl in.jsonl >both.jsonl
	run --separate-stderr uoms-upsert --summary both.jsonl
	[ "$status" -eq 0 ]
	[ "$stderr" = "uoms-upsert: read 2, created 0, updated 2, unchanged 0, rejected 0" ]
	[ "$(sed -n 2p <<<"$output" | jget version)" = 3 ]
	[ "$(sed -n 2p <<<"$output" | jget department)" = east ]
	uoms-query --id 1 >want
	[ "$(sed -n 2p <<<"$output")" = "$(cat want)" ]
	[ "$(jget version <v1)" = 1 ]
	[ "$(sql "SELECT count(*) FROM events")" -eq 3 ]
	again_is_query in.jsonl
}

@test "a re-run of unchanged lines on a server asks about a batch at once, not a line at a time" {
	engine_only pg "SQLite's lookups are local: no round trip to count"
	command -v strace >/dev/null || skip "strace is not installed"
	for n in $(seq 200001 200200); do
		sed "s/100001/$n/g" "$BATS_FILE_TMPDIR/100001"
	done >many.jsonl
	uoms-upsert many.jsonl >first
	uoms-upsert many.jsonl >/dev/null	# keeps the records
	# LeakSanitizer (make check SAN=1) can't run under ptrace.
	ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 \
	    strace -f -e trace=sendto -o trace uoms-upsert --summary many.jsonl \
	    >again 2>summary
	grep -q 'unchanged 200, rejected 0' summary
	[ "$(sed -n 1p again)" = "$(uoms-query --id 1)" ]
	[ "$(sed -n 200p again)" = "$(uoms-query --id 200)" ]
	cmp first again
	# 200 lines: was one round trip each (217); now a few for the batch.
	[ "$(grep -c sendto trace)" -lt 40 ]
}
