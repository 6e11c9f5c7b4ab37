#!/usr/bin/env bats
# uoms-edit --delete: an admin's soft delete (SPEC 4, 5). The order gets
# one version and one "deleted" event, then is gone from every normal
# view and not_found for every tool that takes a reference, its events
# kept; it honours versions, EDIT locks and idempotency keys like any
# change; and the channel's next sync does not bring it back.
load helper

# fixture: orders 1-3 (helper's orders: coupang 1-3) and an admin boss.
fixture() {
	orders 3 | uoms-upsert >/dev/null
	uoms-user add boss --role admin >/dev/null
}

@test "an admin deletes: one version, one deleted event, gone from uoms-query but --deleted, events kept" {
	fixture
	run --separate-stderr uoms-edit --actor boss --delete 2
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	[ "$(jget id <<<"$output")" = 2 ]
	[ "$(jget version <<<"$output")" = 2 ]
	[ "$(uoms-query | jget id | tr '\n' ' ')" = "3 1 " ]
	[ "$(uoms-query --id 2 | wc -l)" = 0 ]
	[ "$(uoms-query --deleted | jget id)" = 2 ]
	[ "$(uoms-query --deleted --channel coupang | jget version)" = 2 ]
	[ "$(uoms-query --deleted --id 1 | wc -l)" = 0 ]
	run --separate-stderr uoms-events --order 2
	[ "$status" -eq 0 ]
	[ "$(jget type <<<"$output" | tr '\n' ' ')" = "created deleted " ]
	[ "$(uoms-events --order 2 --type deleted | jget actor)" = boss ]
	[ "$(uoms-events --order 2 --type deleted | jget version)" = 2 ]
}

@test "a user may not delete: forbidden, nothing written" {
	fixture
	run --separate-stderr uoms-edit --actor kim --delete 1
	[ "$status" -eq 1 ]
	[ -z "$output" ]
	[ "$stderr" = "uoms-edit: order 1: forbidden: deleting an order needs the admin role; 'kim' is a user" ]
	[ "$(uoms-query --id 1 | jget version)" = 1 ]
	[ "$(uoms-events --order 1 --type deleted | wc -l)" = 0 ]
}

@test "a deleted order is not_found for every tool that takes a reference" {
	fixture
	uoms-edit --actor boss --delete 2 >/dev/null
	local cmds=(
		"uoms-edit --set department=north 2"
		"uoms-edit --set department=north coupang:2"
		"uoms-edit --set department=north no:2611-000002"
		"uoms-edit --actor boss --delete 2"
		"uoms-status --to IN_PROGRESS 2"
		"uoms-assign --driver 박기사 2"
		"uoms-remark add 2 hello"
		"uoms-hold set --reason other 2"
		"uoms-lock acquire --type EDIT 2"
	) failed=() c
	for c in "${cmds[@]}"; do
		run --separate-stderr $c
		if [ "$status" -ne 1 ] || [[ "$stderr" != *"not_found"* ]]; then
			failed+=("$c: status $status, stderr '$stderr'")
		fi
	done
	printf '%s\n' "${failed[@]}"
	[ "${#failed[@]}" -eq 0 ]
	# nothing of theirs was written
	[ "$(uoms-events --order 2 | wc -l)" = 2 ]
	# and the others are untouched
	[ "$(uoms-edit --set department=north 1 | jget version)" = 2 ]
}

@test "a delete honours the version (--force skips it), EDIT locks, and holds do not block it" {
	fixture
	uoms-edit --set department=north 1 >/dev/null
	run --separate-stderr uoms-edit --actor boss --delete <<<'{"id":1,"version":1}'
	[ "$status" -eq 1 ]
	[[ "$stderr" == *"version_conflict: order 1: stored version is 2, not 1"* ]]
	[ "$(uoms-query --id 1 | wc -l)" = 1 ]
	run --separate-stderr uoms-edit --actor boss --delete --force <<<'{"id":1,"version":1}'
	[ "$status" -eq 0 ]
	[ "$(jget version <<<"$output")" = 3 ]
	uoms-lock --actor lee acquire --type EDIT 2 >/dev/null
	run --separate-stderr uoms-edit --actor boss --delete 2
	[ "$status" -eq 1 ]
	[[ "$stderr" == *"locked"* ]]
	[ "$(uoms-query --id 2 | jget version)" = 1 ]
	uoms-hold set --reason other 3 >/dev/null
	run --separate-stderr uoms-edit --actor boss --delete 3
	[ "$status" -eq 0 ]
	[ "$(uoms-query --deleted | jget id | tr '\n' ' ')" = "3 1 " ]
}

@test "a delete with an idempotency key: the retry gets the first answer, one event" {
	fixture
	uoms-edit --actor boss --delete --idempotency-key k-1 1 >first
	run --separate-stderr uoms-edit --actor boss --delete --idempotency-key k-1 1
	[ "$status" -eq 0 ]
	diff -u first - <<<"$output"
	[ "$(uoms-events --order 1 --type deleted | wc -l)" = 1 ]
	# without the key the order is gone
	run --separate-stderr uoms-edit --actor boss --delete 1
	[ "$status" -eq 1 ]
	[[ "$stderr" == *"not_found"* ]]
}

@test "--delete goes without --set: a usage error" {
	run --separate-stderr uoms-edit --delete --set department=north 1
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"--delete goes without --set"* ]]
}

@test "reports leave a deleted order out" {
	fixture
	[ "$(uoms-report status --format jsonl | jget total | tail -1)" = 3 ]
	uoms-edit --actor boss --delete 1 >/dev/null
	[ "$(uoms-report status --format jsonl | jget total | tail -1)" = 2 ]
	run --separate-stderr uoms-report sales --format jsonl
	[ "$status" -eq 0 ]
	[ "$(jget orders <<<"$output" | tail -1)" = 2 ]
}

@test "the channel's next sync does not bring a deleted order back: answered skipped, exit 0" {
	uoms-user add boss --role admin >/dev/null
	UOMS_ACTOR=boss uoms-channel add demo --kind demo --set clock=2026-11-22T00:00:00Z >/dev/null
	uoms-fetch --since 2026-11-21T18:00:00Z | uoms-upsert >/dev/null
	n=$(uoms-query | wc -l)
	[ "$n" -gt 1 ]
	uoms-edit --actor boss --delete 1 >/dev/null
	ext=$(uoms-query --deleted | jget external_order_id)
	# as cron runs it: the same lines again, and later news of the order
	run --separate-stderr sh -c 'uoms-fetch --since 2026-11-21T18:00:00Z | uoms-upsert --summary'
	[ "$status" -eq 0 ]
	[[ "$stderr" == *"rejected 0" ]]
	grep -F '"skipped":"deleted"' <<<"$output" >skipped
	[ "$(wc -l <skipped)" = 1 ]
	[ "$(jget id <skipped)" = 1 ]
	[ "$(jget channel <skipped)" = demo ]
	[ "$(jget external_order_id <skipped)" = "$ext" ]
	[ "$(jget deleted_at <skipped)" != null ]
	uoms-query --deleted --id 1 | python3 -c '
import json, sys
o = json.load(sys.stdin)
o.update(status="CANCEL", channel_updated_at="2099-01-01T00:00:00Z")
del o["id"], o["version"]
print(json.dumps(o, ensure_ascii=False))' >later
	run --separate-stderr uoms-upsert <later
	[ "$status" -eq 0 ]
	[ "$(jget skipped <<<"$output")" = deleted ]
	[ "$(uoms-query | wc -l)" = $((n - 1)) ]
	[ "$(uoms-query --id 1 | wc -l)" = 0 ]
	[ "$(uoms-events --order 1 | jget type | tail -1)" = deleted ]
}
