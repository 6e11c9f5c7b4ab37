#!/usr/bin/env bats
# Channel sync (uoms(7)): a channel line is merged against what the
# channel said last, not against the record. What people changed here
# survives any number of re-fetches; only what the channel changed is
# applied; a status is followed only when the channel's changes; a drift
# holds an order once per channel status; an older line changes nothing.
# Each case replays the channel's line three times.
load helper

# ch [KEY=JSON...]: the channel's line for coupang:100001 at 09:15.
ch() {
	order 100001 "$@"
}

# replay3 LINE: upsert LINE three times; each must be unchanged.
replay3() {
	local i
	for i in 1 2 3; do
		run --separate-stderr uoms-upsert --summary <<<"$1"
		[ "$status" -eq 0 ]
		[ "$stderr" = "uoms-upsert: read 1, created 0, updated 0, unchanged 1, rejected 0" ]
	done
}

# version: the order's version, through uoms-query.
version() {
	uoms-query --id 1 | jget version
}

@test "an operator's edit survives re-fetches of an order the channel has not changed" {
	line=$(ch)
	uoms-upsert <<<"$line" >/dev/null
	uoms-edit --set department=west --set shipping.address='서울 서초구 2' 1 >/dev/null
	[ "$(version)" = 2 ]
	replay3 "$line"
	[ "$(uoms-query --id 1 | jget department)" = west ]
	[ "$(uoms-query --id 1 | jget shipping.address)" = '서울 서초구 2' ]
	[ "$(version)" = 2 ]
	[ "$(uoms-events --order 1 | wc -l)" = 2 ]
}

@test "a member the channel changed is applied, once" {
	uoms-upsert <<<"$(ch)" >/dev/null
	uoms-edit --set department=west 1 >/dev/null
	line=$(ch total_amount=40000 channel_updated_at='"2026-11-21T10:00:00Z"')
	run --separate-stderr uoms-upsert --summary <<<"$line"
	[ "$status" -eq 0 ]
	[ "$stderr" = "uoms-upsert: read 1, created 0, updated 1, unchanged 0, rejected 0" ]
	[ "$(jget total_amount <<<"$output")" = 40000 ]
	[ "$(jget department <<<"$output")" = west ]	# the edit stands
	[ "$(jget version <<<"$output")" = 3 ]
	uoms-events --order 1 --type updated | tail -1 >ev
	[ "$(jget details.changed <ev)" = '["channel_updated_at", "total_amount"]' ]
	[ "$(jget details.replaced <ev)" = null ]
	replay3 "$line"
	[ "$(version)" = 3 ]
	[ "$(uoms-query --id 1 | jget total_amount)" = 40000 ]
}

@test "a member changed on both sides takes the channel's value; the event keeps the one replaced" {
	uoms-upsert <<<"$(ch)" >/dev/null
	uoms-edit --set shipping.address='operator street 9' 1 >/dev/null
	line=$(ch shipping='{"postal_code":"06236","address":"customer road 7","zone":"gangnam"}' channel_updated_at='"2026-11-21T10:00:00Z"')
	run --separate-stderr uoms-upsert --summary <<<"$line"
	[ "$status" -eq 0 ]
	[ "$stderr" = "uoms-upsert: read 1, created 0, updated 1, unchanged 0, rejected 0" ]
	[ "$(jget shipping.address <<<"$output")" = 'customer road 7' ]
	uoms-events --order 1 --type updated >ev
	[ "$(wc -l <ev)" = 1 ]
	[ "$(jget details.replaced.shipping.address <ev)" = 'operator street 9' ]
	replay3 "$line"
	[ "$(version)" = 3 ]
	[ "$(uoms-query --id 1 | jget shipping.address)" = 'customer road 7' ]
}

@test "an old channel status repeated moves nothing and holds nothing" {
	line=$(ch)
	uoms-upsert <<<"$line" >/dev/null
	uoms-status --to IN_PROGRESS 1 >/dev/null
	replay3 "$line"
	uoms-query --id 1 >rec
	[ "$(jget status <rec)" = IN_PROGRESS ]
	[ "$(jget holds <rec)" = '[]' ]
	[ "$(jget version <rec)" = 2 ]
	[ "$(uoms-events --type channel_drift | wc -l)" = 0 ]
	# Even when the channel's line changes something else.
	run --separate-stderr uoms-upsert --summary <<<"$(ch eta='"2030-11-23T01:00:00Z"' channel_updated_at='"2026-11-21T11:00:00Z"')"
	[ "$stderr" = "uoms-upsert: read 1, created 0, updated 1, unchanged 0, rejected 0" ]
	[ "$(jget status <<<"$output")" = IN_PROGRESS ]
	[ "$(jget holds <<<"$output")" = '[]' ]
}

@test "a new channel status that can't be followed holds once; resolved, never again for it" {
	uoms-upsert <<<"$(ch)" >/dev/null
	uoms-status --to CANCEL 1 >/dev/null
	complete=$(ch status='"COMPLETE"' channel_updated_at='"2026-11-21T10:00:00Z"')
	run --separate-stderr uoms-upsert --summary <<<"$complete"
	[ "$status" -eq 0 ]
	[ "$stderr" = "uoms-upsert: read 1, created 0, updated 1, unchanged 0, rejected 0" ]
	[ "$(jget status <<<"$output")" = CANCEL ]
	[ "$(uoms-hold list --state open | wc -l)" = 1 ]
	[ "$(uoms-events --type channel_drift | jget details.channel_state)" = COMPLETE ]
	replay3 "$complete"
	[ "$(uoms-hold list | wc -l)" = 1 ]
	uoms-hold resolve --all --note 'cancelled here on purpose' 1 >/dev/null
	replay3 "$complete"
	[ "$(uoms-hold list --state open | wc -l)" = 0 ]
	[ "$(uoms-events --type channel_drift | wc -l)" = 1 ]
	[ "$(uoms-query --id 1 | jget status)" = CANCEL ]
	# A later, different channel status may hold it again ...
	progress=$(ch status='"IN_PROGRESS"' channel_updated_at='"2026-11-21T11:00:00Z"')
	uoms-upsert <<<"$progress" >/dev/null
	[ "$(uoms-hold list --state open | jget note)" = "channel drift: the channel says IN_PROGRESS, the store has CANCEL" ]
	uoms-hold resolve --all 1 >/dev/null
	# ... but back and forth, COMPLETE and IN_PROGRESS never again.
	uoms-upsert <<<"$(ch status='"COMPLETE"' channel_updated_at='"2026-11-21T12:00:00Z"')" >/dev/null
	uoms-upsert <<<"$(ch status='"IN_PROGRESS"' channel_updated_at='"2026-11-21T13:00:00Z"')" >/dev/null
	last=$(ch status='"COMPLETE"' channel_updated_at='"2026-11-21T14:00:00Z"')
	uoms-upsert <<<"$last" >/dev/null
	replay3 "$last"
	[ "$(uoms-hold list --state open | wc -l)" = 0 ]
	[ "$(uoms-events --type channel_drift | wc -l)" = 2 ]
	[ "$(uoms-query --id 1 | jget status)" = CANCEL ]
}

@test "--summary counts what each line did to the order, honestly" {
	uoms-upsert <<<"$(ch)" >/dev/null
	uoms-edit --set department=west 1 >/dev/null
	{
		ch				# the same word: unchanged
		ch total_amount=41000 channel_updated_at='"2026-11-21T10:00:00Z"'
		ch total_amount=41000 channel_updated_at='"2026-11-21T10:00:00Z"'
		order 100002			# a new order
	} >in.jsonl
	run --separate-stderr uoms-upsert --summary in.jsonl
	[ "$status" -eq 0 ]
	[ "$stderr" = "uoms-upsert: read 4, created 1, updated 1, unchanged 2, rejected 0" ]
	for i in 1 2 3; do
		run --separate-stderr uoms-upsert --summary in.jsonl
		[ "$stderr" = "uoms-upsert: read 4, created 0, updated 0, unchanged 4, rejected 0" ]
	done
	[ "$(version)" = 3 ]
}

@test "a channel line older than the channel's last word changes nothing" {
	uoms-upsert <<<"$(ch total_amount=50000 channel_updated_at='"2026-11-21T12:00:00.5Z"')" >/dev/null
	old=$(ch total_amount=10 status='"CANCEL"' channel_updated_at='"2026-11-21T12:00:00Z"')
	replay3 "$old"
	uoms-query --id 1 >rec
	[ "$(jget total_amount <rec)" = 50000 ]
	[ "$(jget status <rec)" = WAITING ]
	[ "$(jget channel_updated_at <rec)" = 2026-11-21T12:00:00.5Z ]
	[ "$(jget version <rec)" = 1 ]
	# Equal times are a normal line.
	run --separate-stderr uoms-upsert --summary <<<"$(ch total_amount=50001 channel_updated_at='"2026-11-21T12:00:00.500Z"')"
	[ "$stderr" = "uoms-upsert: read 1, created 0, updated 1, unchanged 0, rejected 0" ]
}

@test "an input holding two lines of one order, replayed, changes nothing" {
	{
		ch channel_updated_at='"2026-11-21T09:15:00Z"'
		ch status='"IN_PROGRESS"' channel_updated_at='"2026-11-21T09:30:00Z"'
	} >day.jsonl
	run --separate-stderr uoms-upsert --summary day.jsonl
	[ "$stderr" = "uoms-upsert: read 2, created 1, updated 1, unchanged 0, rejected 0" ]
	[ "$(version)" = 2 ]
	for i in 1 2 3; do
		run --separate-stderr uoms-upsert --summary day.jsonl
		[ "$status" -eq 0 ]
		[ "$stderr" = "uoms-upsert: read 2, created 0, updated 0, unchanged 2, rejected 0" ]
	done
	uoms-query --id 1 >rec
	[ "$(jget status <rec)" = IN_PROGRESS ]
	[ "$(jget version <rec)" = 2 ]
	[ "$(uoms-events --order 1 | wc -l)" = 2 ]
}

@test "a member the line leaves out keeps the channel's last word" {
	uoms-upsert <<<"$(ch)" >/dev/null
	uoms-edit --set department=west 1 >/dev/null
	# A status-only webhook, then the full line again: no change of all.
	printf '%s\n' '{"channel":"coupang","external_order_id":"100001","status":"IN_PROGRESS","channel_updated_at":"2026-11-21T10:00:00Z"}' |
	    uoms-upsert >/dev/null
	[ "$(version)" = 3 ]
	full=$(ch status='"IN_PROGRESS"' channel_updated_at='"2026-11-21T10:00:00Z"')
	replay3 "$full"
	[ "$(uoms-query --id 1 | jget department)" = west ]
	[ "$(version)" = 3 ]
}

@test "an order stored before channel sync is compared with its record once, then with the word" {
	uoms-upsert <<<"$(ch)" >/dev/null
	sql "DELETE FROM channel_words"
	uoms-edit --set department=west 1 >/dev/null
	# No last word: the record is what the line is compared with.
	run --separate-stderr uoms-upsert --summary <<<"$(ch)"
	[ "$stderr" = "uoms-upsert: read 1, created 0, updated 1, unchanged 0, rejected 0" ]
	[ "$(jget department <<<"$output")" = east ]
	uoms-edit --set department=west 1 >/dev/null
	replay3 "$(ch)"
	[ "$(uoms-query --id 1 | jget department)" = west ]
}

@test "a record fed back (uoms-query | uoms-upsert) is not taken for the channel's word" {
	line=$(ch)
	uoms-upsert <<<"$line" >/dev/null
	uoms-edit --set department=west 1 >/dev/null
	uoms-status --to IN_PROGRESS 1 >/dev/null
	run --separate-stderr sh -c 'uoms-query | uoms-upsert --summary'
	[ "$stderr" = "uoms-upsert: read 1, created 0, updated 0, unchanged 1, rejected 0" ]
	replay3 "$line"
	uoms-query --id 1 >rec
	[ "$(jget department <rec)" = west ]
	[ "$(jget status <rec)" = IN_PROGRESS ]
	[ "$(jget version <rec)" = 3 ]
	[ "$(jget holds <rec)" = '[]' ]
}

@test "a store from before channel sync: the drift holds it placed count as held" {
	uoms-upsert <<<"$(ch)" >/dev/null
	uoms-status --to CANCEL 1 >/dev/null
	# The store as schema 5 left it, with a drift hold resolved (and
	# without what migrations 7, 8, 10 and 14 added: 12's orders_deleted
	# is on the column 10 added). Each engine keeps the schema's number
	# its own way.
	if engine_is pg; then
		set_version="UPDATE uoms_schema SET version = 5"
		version="SELECT version FROM uoms_schema"
	else
		set_version="PRAGMA user_version = 5"
		version="PRAGMA user_version"
	fi
	sql "DROP TABLE pushes; DROP TABLE channel_holds; ALTER TABLE orders DROP COLUMN shipment;
	    DROP INDEX orders_deleted; ALTER TABLE orders DROP COLUMN deleted_at;
	    ALTER TABLE products DROP COLUMN reserved;
	    DROP TABLE channel_words; DROP TABLE channel_drifts; $set_version;
	    INSERT INTO holds (order_id, reason, note, placed_by, placed_at, state, updated_at)
	    VALUES (1, 'other', 'channel drift: the channel says COMPLETE, the store has CANCEL',
	    'channel:coupang', '2026-11-21T10:00:00Z', 'resolved', '2026-11-21T10:00:00Z')"
	complete=$(ch status='"COMPLETE"' channel_updated_at='"2026-11-21T10:00:00Z"')
	run --separate-stderr uoms-upsert --summary <<<"$complete"
	[ "$status" -eq 0 ]
	[ "$(sql "$version")" -ge 6 ]
	replay3 "$complete"
	[ "$(uoms-hold list --state open | wc -l)" = 0 ]
	[ "$(uoms-events --type channel_drift | wc -l)" = 0 ]
	[ "$(uoms-query --id 1 | jget status)" = CANCEL ]
}
