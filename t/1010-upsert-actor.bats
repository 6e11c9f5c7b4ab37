#!/usr/bin/env bats
# A person's upsert (uoms(7), channel sync and trust): a registered user
# who is neither an admin nor the line's channel:NAME takes an order no
# further than uoms-status would let them, and the status event names
# them beside the channel. Admins, the channel's own actor and the
# machine's unregistered accounts (cron, the demo) are not limited.
load helper

# ch STATUS TIME [EXT]: the channel coupang's line for order EXT (7).
ch() {
	printf '{"channel":"coupang","external_order_id":"%s","status":"%s","channel_updated_at":"%s"}\n' \
	    "${3:-7}" "$1" "$2"
}


users() {
	uoms-user add alice >/dev/null
	uoms-user add boss --role admin >/dev/null
}

@test "a user's line moves an order one step uoms-status allows; the event names them" {
	users
	ch WAITING 2026-11-21T01:00:00Z | uoms-upsert >/dev/null
	run --separate-stderr uoms-upsert --actor alice < <(ch IN_PROGRESS 2026-11-21T02:00:00Z)
	[ "$status" -eq 0 ]
	[ "$(jget status <<<"$output")" = IN_PROGRESS ]
	uoms-events --type status >ev
	[ "$(jget actor <ev)" = channel:coupang ]
	[ "$(jget details.by <ev)" = alice ]
}

@test "a user's line can't take an order further than uoms-status; the rest of the batch goes on" {
	users
	{ ch WAITING 2026-11-21T01:00:00Z 7; ch WAITING 2026-11-21T01:00:00Z 8; } | uoms-upsert >/dev/null
	{ ch COMPLETE 2026-11-21T02:00:00Z 7; ch IN_PROGRESS 2026-11-21T02:00:00Z 8; } >in.jsonl
	for i in 1 2 3; do
		run --separate-stderr uoms-upsert --actor alice --summary --reject rej.jsonl in.jsonl
		[ "$status" -eq 1 ]
		[[ "$stderr" == *"line 1: invalid_transition: dispatch allows no move from WAITING to COMPLETE for 'alice'"* ]]
	done
	[ "$(uoms-query --id 1 | jget status)" = WAITING ]
	[ "$(uoms-query --id 1 | jget version)" = 1 ]
	[ "$(uoms-query --id 2 | jget status)" = IN_PROGRESS ]
	[ "$(jget error.code <rej.jsonl | sort -u)" = invalid_transition ]
	[ "$(uoms-hold list | wc -l)" = 0 ]
	# uoms-status says the same to her.
	run --separate-stderr uoms-status --actor alice --to COMPLETE 1
	[ "$status" -eq 1 ]
	[[ "$stderr" == *invalid_transition* ]]
}

@test "a user's line is refused on hold and under another's lock, not turned into a drift" {
	users
	ch WAITING 2026-11-21T01:00:00Z | uoms-upsert >/dev/null
	uoms-hold set --reason missing_info 1 >/dev/null
	run --separate-stderr uoms-upsert --actor alice < <(ch IN_PROGRESS 2026-11-21T02:00:00Z)
	[ "$status" -eq 1 ]
	[[ "$stderr" == *"line 1: on_hold: "* ]]
	uoms-hold resolve --all 1 >/dev/null
	uoms-lock acquire --actor kim --type STATUS 1 >/dev/null
	run --separate-stderr uoms-upsert --actor alice < <(ch IN_PROGRESS 2026-11-21T02:00:00Z)
	[ "$status" -eq 1 ]
	[[ "$stderr" == *"line 1: locked: "* ]]
	[ "$(uoms-events --type channel_drift | wc -l)" = 0 ]
	[ "$(uoms-query --id 1 | jget status)" = WAITING ]
}

@test "a user can't create an order past the workflow's first step" {
	users
	run --separate-stderr uoms-upsert --actor alice < <(ch COMPLETE 2026-11-21T01:00:00Z)
	[ "$status" -eq 1 ]
	[[ "$stderr" == *"line 1: invalid_transition: "* ]]
	run uoms-query
	[ -z "$output" ]
	run --separate-stderr uoms-upsert --actor alice < <(ch WAITING 2026-11-21T01:00:00Z)
	[ "$status" -eq 0 ]
}

@test "an admin's line is not limited, and names the admin" {
	users
	ch WAITING 2026-11-21T01:00:00Z | uoms-upsert >/dev/null
	run --separate-stderr uoms-upsert --actor boss < <(ch COMPLETE 2026-11-21T02:00:00Z)
	[ "$status" -eq 0 ]
	[ "$(jget status <<<"$output")" = COMPLETE ]
	uoms-events --type status >ev
	[ "$(jget actor <ev)" = channel:coupang ]
	[ "$(jget details.by <ev)" = boss ]
}

@test "the channel's own actor is not limited and needs no by" {
	users
	ch WAITING 2026-11-21T01:00:00Z | uoms-upsert >/dev/null
	run --separate-stderr uoms-upsert --actor channel:coupang < <(ch COMPLETE 2026-11-21T02:00:00Z)
	[ "$status" -eq 0 ]
	[ "$(jget status <<<"$output")" = COMPLETE ]
	uoms-events --type status >ev
	[ "$(jget actor <ev)" = channel:coupang ]
	[ "$(jget details.by <ev)" = null ]
}

@test "an unregistered account (cron, the demo) follows the channel, named in the event" {
	ch WAITING 2026-11-21T01:00:00Z | UOMS_ACTOR=uoms uoms-upsert >/dev/null
	run --separate-stderr env UOMS_ACTOR=uoms uoms-upsert < <(ch COMPLETE 2026-11-21T02:00:00Z)
	[ "$status" -eq 0 ]
	[ "$(jget status <<<"$output")" = COMPLETE ]
	[ "$(uoms-events --type status | jget details.by)" = uoms ]
}
