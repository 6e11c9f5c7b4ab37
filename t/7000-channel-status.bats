#!/usr/bin/env bats
# A status in an upsert line is the channel's word: the store follows it as
# a transition by channel:NAME when the workflow allows it, and records a
# drift (event + open hold) when it does not. Nothing is lost either way.
load helper

line() {	# line STATUS CHANNEL_UPDATED_AT
	printf '{"channel":"coupang","external_order_id":"7","status":"%s","channel_updated_at":"%s"}\n' "$1" "$2"
}

@test "a move the workflow allows is a transition by channel:NAME, with its timestamps" {
	line WAITING 2026-11-21T01:00:00Z | UOMS_ACTOR=cron uoms-upsert >/dev/null
	run --separate-stderr uoms-upsert --summary < <(line IN_PROGRESS 2026-11-21T02:00:00Z)
	[ "$status" -eq 0 ]
	[ "$stderr" = "uoms-upsert: read 1, created 0, updated 1, unchanged 0, rejected 0" ]
	[ "$(echo "$output" | jget status)" = IN_PROGRESS ]
	[ "$(echo "$output" | jget depart_time)" != null ]
	[ "$(sql "SELECT type, from_state, to_state, actor, version FROM events WHERE id = 2")" = \
	    "status|WAITING|IN_PROGRESS|channel:coupang|2" ]
	[ "$(sql "SELECT count(*) FROM events")" = 2 ]
}

@test "a move the workflow refuses is a drift: status kept, one event, one open hold" {
	line WAITING 2026-11-21T01:00:00Z | uoms-upsert >/dev/null
	UOMS_ACTOR=kim uoms-status --to CANCEL 1 >/dev/null
	run --separate-stderr uoms-upsert --summary < <(line COMPLETE 2026-11-21T03:00:00Z)
	[ "$status" -eq 0 ]
	[ "$(echo "$output" | jget status)" = CANCEL ]
	[ "$(echo "$output" | jget channel_updated_at)" = 2026-11-21T03:00:00Z ]
	[ "$(echo "$output" | jget 'holds[0].reason')" = other ]
	[ "$(sql "SELECT type, actor, json_extract(details, '$.channel_state'), json_extract(details, '$.local_state') FROM events ORDER BY id DESC LIMIT 1")" = \
	    "channel_drift|channel:coupang|COMPLETE|CANCEL" ]
	[ "$(sql "SELECT count(*) FROM holds WHERE state = 'open'")" = 1 ]
	# The same word again is not a second drift, and changes nothing.
	run --separate-stderr uoms-upsert --summary < <(line COMPLETE 2026-11-21T03:00:00Z)
	[ "$stderr" = "uoms-upsert: read 1, created 0, updated 0, unchanged 1, rejected 0" ]
	[ "$(sql "SELECT count(*) FROM events WHERE type = 'channel_drift'")" = 1 ]
	[ "$(sql "SELECT count(*) FROM holds")" = 1 ]
	[ "$(sql "SELECT version FROM orders")" = 3 ]
}

@test "an open hold or another actor's STATUS lock turns the channel's move into a drift" {
	line WAITING 2026-11-21T01:00:00Z | uoms-upsert >/dev/null
	sql "INSERT INTO locks (order_id, type, owner, acquired_at, expires_at) VALUES (1, 'STATUS', 'kim', 'x', '2099-01-01T00:00:00Z')"
	run --separate-stderr uoms-upsert < <(line IN_PROGRESS 2026-11-21T02:00:00Z)
	[ "$status" -eq 0 ]
	[ "$(echo "$output" | jget status)" = WAITING ]
	[ "$(sql "SELECT count(*) FROM events WHERE type = 'channel_drift'")" = 1 ]
	# Once the lock is gone and the hold resolved, the channel's repeated
	# IN_PROGRESS is old news: no move, no second hold (uoms(7), channel
	# sync); a later different status of the channel is followed.
	sql "DELETE FROM locks"
	uoms-hold resolve --all 1 >/dev/null
	run --separate-stderr uoms-upsert --summary < <(line IN_PROGRESS 2026-11-21T02:30:00Z)
	[ "$status" -eq 0 ]
	[ "$(echo "$output" | jget status)" = WAITING ]
	[ "$(sql "SELECT count(*) FROM holds")" = 1 ]
	run --separate-stderr uoms-upsert < <(line CANCEL 2026-11-21T03:00:00Z)
	[ "$(echo "$output" | jget status)" = CANCEL ]
}

@test "another actor's EDIT lock refuses a changing line with locked; an unchanged one passes" {
	line WAITING 2026-11-21T01:00:00Z | uoms-upsert >/dev/null
	sql "INSERT INTO locks (order_id, type, owner, acquired_at, expires_at) VALUES (1, 'EDIT', 'kim', 'x', '2099-01-01T00:00:00Z')"
	run --separate-stderr uoms-upsert < <(line WAITING 2026-11-21T01:00:00Z)
	[ "$status" -eq 0 ]
	run --separate-stderr uoms-upsert < <(line WAITING 2026-11-21T05:00:00Z)
	[ "$status" -eq 1 ]
	[[ "$stderr" == *"line 1: locked: EDIT lock held by 'kim'"* ]]
	[ "$(sql "SELECT channel_updated_at FROM orders")" = 2026-11-21T01:00:00Z ]
}

@test "a disabled user can't upsert" {
	line WAITING 2026-11-21T01:00:00Z | uoms-upsert >/dev/null
	sql "INSERT INTO users (name, role, disabled, created_at, updated_at) VALUES ('gone', 'user', 1, 'x', 'x')"
	run --separate-stderr env UOMS_ACTOR=gone uoms-upsert < <(line WAITING 2026-11-21T09:00:00Z)
	[ "$status" -eq 3 ]
	[[ "$stderr" == *"forbidden: user 'gone' is disabled"* ]]
}

@test "a channel that skips states moves the order along the workflow's shortest way" {
	printf '%s\n' '{"channel":"shop","external_order_id":"1","workflow":"fulfillment","status":"paid"}' |
	    uoms-upsert >/dev/null
	run --separate-stderr uoms-upsert < <(printf '%s\n' '{"channel":"shop","external_order_id":"1","workflow":"fulfillment","status":"delivered"}')
	[ "$status" -eq 0 ]
	[ "$(echo "$output" | jget status)" = delivered ]
	[ "$(echo "$output" | jget depart_time)" != null ]	# shipped was passed
	[ "$(echo "$output" | jget complete_time)" != null ]
	[ "$(echo "$output" | jget version)" = 2 ]
	run --separate-stderr uoms-events --type status
	[ "$(echo "$output" | fields from to)" = "paid	delivered" ]
	[ "$(echo "$output" | jget details.via)" = '["picking", "packed", "shipped"]' ]
	# Backwards is no way forward: a drift.
	run --separate-stderr uoms-upsert < <(printf '%s\n' '{"channel":"shop","external_order_id":"1","workflow":"fulfillment","status":"paid"}')
	[ "$(echo "$output" | jget status)" = delivered ]
	[ "$(sql "SELECT count(*) FROM events WHERE type = 'channel_drift'")" = 1 ]
}
