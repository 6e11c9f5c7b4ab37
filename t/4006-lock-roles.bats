#!/usr/bin/env bats
# Locks and roles that people can live with (issue 9): an admin breaks a
# lock whose owner has left (release --force, logged naming both), a plain
# user may not; disabling a user releases that user's locks.
load helper

setup_orders() {
	orders 3 | uoms-upsert >/dev/null
	uoms-user --actor root add root --role admin >/dev/null
	uoms-user --actor root add lee >/dev/null
	uoms-user --actor root add kim >/dev/null
}

# broken: actor type details of each lock_broken event, one a line.
broken() {
	sql "SELECT order_id, actor, json_extract(details, '$.lock_type'),
	    json_extract(details, '$.owner') FROM events
	    WHERE type = 'lock_broken' ORDER BY id" | tr '|' ' '
}

@test "an admin breaks another's lock with release --force; the event names both" {
	setup_orders
	uoms-lock --actor lee acquire --type EDIT 1 2 >/dev/null
	uoms-lock --actor kim acquire --type STATUS 3 >/dev/null
	run --separate-stderr uoms-lock --actor root release --force --type EDIT 1 2
	echo "$stderr"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	[ -z "$stderr" ]
	[ "$(nlocks "owner = 'lee'")" = 0 ]
	[ "$(nlocks)" = 1 ]
	[ "$(broken)" = "1 root EDIT lee
2 root EDIT lee" ]
	# The order is free for others at once.
	run --separate-stderr uoms-edit --actor kim --set warehouse=w2 1
	[ "$status" -eq 0 ]
	# No such lock: not_found, exit 1, the others still released.
	run --separate-stderr uoms-lock --actor root release --force --type STATUS 1 3
	[ "$status" -eq 1 ]
	[ "$stderr" = "uoms-lock: order 1: not_found: no one holds a STATUS lock" ]
	[ "$(nlocks)" = 0 ]
	[ "$(broken | tail -n 1)" = "3 root STATUS kim" ]
	# An admin's own lock, forced, is a plain release.
	uoms-lock --actor root acquire --type EDIT 1 >/dev/null
	run --separate-stderr uoms-lock --actor root release --force --type EDIT 1
	[ "$status" -eq 0 ]
	[ "$(nlocks)" = 0 ]
	[ "$(broken | wc -l)" = 3 ]
	[ "$(sql "SELECT actor FROM events WHERE type = 'lock_released'")" = root ]
}

@test "release --force by a plain user is forbidden, exit 1, the lock kept" {
	setup_orders
	uoms-lock --actor lee acquire --type EDIT 1 >/dev/null
	for who in kim unregistered; do
		run --separate-stderr uoms-lock --actor $who release --force --type EDIT 1
		echo "$stderr"
		[ "$status" -eq 1 ]
		[ -z "$output" ]
		[ "$stderr" = "uoms-lock: order 1: forbidden: --force needs the admin role; '$who' is a user" ]
	done
	# Not even the owner's own lock: --force is the admin's.
	run --separate-stderr uoms-lock --actor lee release --force --type EDIT 1
	[ "$status" -eq 1 ]
	[ "$(nlocks "owner = 'lee'")" = 1 ]
	[ -z "$(broken)" ]
}

@test "--force with another verb than release is a usage error" {
	setup_orders
	for args in "acquire --type EDIT 1" "renew --type EDIT 1" "list" "cleanup" \
	    "run --type EDIT 1 -- true"; do
		run --separate-stderr uoms-lock --actor root --force $args
		echo "args '$args': status $status, stderr $stderr"
		[ "$status" -eq 2 ]
		[ -z "$output" ]
		[[ "$stderr" == "uoms-lock: --force goes with release only"* ]]
	done
	[ "$(nlocks)" = 0 ]
}

@test "disabling a user releases the user's locks, each logged" {
	setup_orders
	uoms-lock --actor lee acquire --type EDIT 1 >/dev/null
	uoms-lock --actor lee acquire --type STATUS 2 >/dev/null
	uoms-lock --actor kim acquire --type ASSIGN 3 >/dev/null
	run --separate-stderr uoms-user --actor root disable lee
	echo "$stderr"
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	[ "$(nlocks "owner = 'lee'")" = 0 ]
	[ "$(nlocks "owner = 'kim'")" = 1 ]
	[ "$(broken)" = "1 root EDIT lee
2 root STATUS lee" ]
	run --separate-stderr uoms-status --actor kim --to IN_PROGRESS 1 2
	[ "$status" -eq 0 ]
}

@test "a fraud_suspected hold is the admins' to ack or resolve; a plain user is forbidden" {
	setup_orders
	uoms-hold --actor kim set --reason fraud_suspected 1 >/dev/null
	uoms-hold --actor kim set --reason other 2 >/dev/null
	for who in kim unregistered; do
		for verb in ack resolve; do
			run --separate-stderr uoms-hold --actor $who $verb --hold 1 1
			echo "$stderr"
			[ "$status" -eq 1 ]
			[ -z "$output" ]
			[[ "$stderr" == "uoms-hold: order 1: forbidden: hold 1 is fraud_suspected: only an admin may "*" it; '$who' is a user" ]]
			run --separate-stderr uoms-hold --actor $who $verb --all 1
			[ "$status" -eq 1 ]
			[[ "$stderr" == *"forbidden: hold 1 is fraud_suspected"* ]]
		done
	done
	[ "$(sql "SELECT state FROM holds WHERE id = 1")" = open ]
	[ "$(sql "SELECT version FROM orders WHERE id = 1")" = 2 ]
	# Another reason, placed by a user: any user may still resolve it.
	run --separate-stderr uoms-hold --actor lee resolve --hold 2 2
	[ "$status" -eq 0 ]
	# An admin may.
	run --separate-stderr uoms-hold --actor root ack --hold 1 1
	[ "$status" -eq 0 ]
	[ "$(jget 'holds[0].state' <<<"$output")" = acknowledged ]
	run --separate-stderr uoms-hold --actor kim resolve --all 1
	[ "$status" -eq 1 ]
	run --separate-stderr uoms-hold --actor root resolve --all 1
	[ "$status" -eq 0 ]
	[ "$(sql "SELECT state || ' ' || operator FROM holds WHERE id = 1")" = "resolved root" ]
}

@test "a hold an admin placed is the admins' to ack or resolve" {
	setup_orders
	uoms-hold --actor root set --reason missing_info 1 >/dev/null
	for verb in ack resolve; do
		run --separate-stderr uoms-hold --actor lee $verb --hold 1 1
		echo "$stderr"
		[ "$status" -eq 1 ]
		[ "$stderr" = "uoms-hold: order 1: forbidden: hold 1 was placed by admin 'root': only an admin may ${verb/ack/acknowledge} it; 'lee' is a user" ]
	done
	[ "$(sql "SELECT state FROM holds WHERE id = 1")" = open ]
	uoms-user --actor root add ann --role admin >/dev/null
	run --separate-stderr uoms-hold --actor ann resolve --hold 1 1
	[ "$status" -eq 0 ]
	[ "$(sql "SELECT state || ' ' || operator FROM holds WHERE id = 1")" = "resolved ann" ]
}
