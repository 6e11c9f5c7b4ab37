#!/usr/bin/env bats
# The daily loop with people in it: the demo channel fetched again, as
# cron does, after operators edited and moved its orders. The channel
# has not changed those orders, so nothing of theirs is undone and no
# order goes on hold (uoms(7), channel sync).
load helper

CLOCK=2026-11-22T00:00:00Z

@test "demo: fetched twice after an operator's edit and move, nothing is undone and nothing held" {
	uoms-channel add demo --kind demo --set clock=$CLOCK >/dev/null
	uoms-fetch --since 2026-11-21T18:00:00Z | uoms-upsert >/dev/null
	uoms-query --status WAITING --limit 3 >waiting
	[ "$(wc -l <waiting)" = 3 ]
	edited=$(sed -n 1p waiting | jget id)
	moved=$(sed -n 2p waiting | jget id)
	both=$(sed -n 3p waiting | jget id)
	UOMS_ACTOR=kim uoms-edit --set department=night-shift --set shipping.zone=north "$edited" >/dev/null
	UOMS_ACTOR=kim uoms-status --to IN_PROGRESS "$moved" >/dev/null
	UOMS_ACTOR=kim uoms-edit --set warehouse=spare "$both" >/dev/null
	UOMS_ACTOR=kim uoms-status --to CANCEL "$both" >/dev/null
	uoms-query --id "$edited" >edited.before
	uoms-query --id "$moved" >moved.before
	uoms-query --id "$both" >both.before
	for run in 1 2; do
		run --separate-stderr sh -c 'uoms-fetch --since 2026-11-21T18:00:00Z | uoms-upsert --summary >/dev/null'
		[ "$status" -eq 0 ]
		[[ "$stderr" == *"created 0, updated 0, "* ]]
	done
	uoms-query --id "$edited" | diff -u edited.before -
	uoms-query --id "$moved" | diff -u moved.before -
	uoms-query --id "$both" | diff -u both.before -
	[ "$(uoms-query --id "$edited" | jget department)" = night-shift ]
	[ "$(uoms-query --id "$moved" | jget status)" = IN_PROGRESS ]
	[ "$(uoms-query --id "$both" | jget status)" = CANCEL ]
	[ "$(uoms-hold list | wc -l)" = 0 ]
	[ "$(uoms-query --on-hold | wc -l)" = 0 ]
	[ "$(uoms-events --type channel_drift | wc -l)" = 0 ]
}

@test "demo: what the channel changes later is applied, beside the operator's edit" {
	uoms-channel add demo --kind demo --set clock=$CLOCK >/dev/null
	uoms-fetch --since 2026-11-21T23:00:00Z | uoms-upsert >/dev/null
	uoms-query --status WAITING >waiting
	[ -s waiting ]
	# Every waiting order edited by an operator, then the channel moves on.
	jget id <waiting >ids
	UOMS_ACTOR=kim uoms-edit --set department=night-shift $(cat ids) >/dev/null
	uoms-channel update demo --set clock=2026-11-22T03:00:00Z >/dev/null
	uoms-fetch --since 2026-11-21T23:00:00Z | uoms-upsert >/dev/null
	uoms-fetch --since 2026-11-21T23:00:00Z >again
	run --separate-stderr uoms-upsert --summary <again
	[[ "$stderr" == *"created 0, updated 0, "* ]]
	# Some moved on the channel, and the store with them; the edit stands.
	[ "$(uoms-query --status IN_PROGRESS,COMPLETE --department night-shift | wc -l)" -gt 0 ]
	# One query, not one per order (about 100 of them): no edited order
	# is missing from the night shift.
	uoms-query --department night-shift | jget id | sort >night
	sort ids | comm -23 - night >lost
	[ ! -s lost ]
	[ "$(uoms-hold list | wc -l)" = 0 ]
}
