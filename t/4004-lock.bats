#!/usr/bin/env bats
# uoms-lock: pessimistic locks (SPEC 5). A lock blocks other actors'
# changes of its type (EDIT blocks all) until it is released or expires;
# acquire is all or nothing; run holds locks for a command, like flock(1),
# and releases them however the command ends.
load helper

# Orders 1, 2 and 3, all WAITING.
setup_orders() {
	orders 3 | uoms-upsert >/dev/null
}

status_of() {
	sql "SELECT status FROM orders WHERE id = $1"
}

@test "a STATUS lock blocks another actor's status change, naming owner and expiry; not the owner's" {
	setup_orders
	run --separate-stderr uoms-lock --actor a acquire --type STATUS 1
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	[ "${#lines[@]}" -eq 1 ]
	[ "$(echo "$output" | jget order_id)" = 1 ]
	[ "$(echo "$output" | jget lock_type)" = STATUS ]
	[ "$(echo "$output" | jget owner)" = a ]
	expires=$(echo "$output" | jget expires_at)
	[[ "$expires" =~ ^20[0-9-]+T[0-9:]+\.[0-9]{3}Z$ ]]
	[ "$(sql "SELECT expires_at FROM locks WHERE order_id = 1")" = "$expires" ]

	run --separate-stderr env UOMS_ACTOR=b uoms-status --to IN_PROGRESS 1
	echo "$stderr"
	[ "$status" -eq 1 ]
	[ -z "$output" ]
	[ "$stderr" = "uoms-status: order 1: locked: STATUS lock held by 'a' until $expires" ]
	[ "$(status_of 1)" = WAITING ]
	[ "$(sql "SELECT version FROM orders WHERE id = 1")" = 1 ]

	# The owner itself is not blocked by its own lock.
	run --separate-stderr env UOMS_ACTOR=a uoms-status --to IN_PROGRESS 1
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	[ "$(status_of 1)" = IN_PROGRESS ]
}

# The lock clock is set (UOMS_NOW, uoms(7)): times are checked exactly.
T0=2030-01-01T00:00:00.000Z

@test "a lock expires exactly TTL after it is taken: held 1 ms before, gone at expires_at" {
	setup_orders
	run --separate-stderr env UOMS_NOW=$T0 uoms-lock --actor a acquire --type STATUS --ttl 60 1
	[ "$status" -eq 0 ]
	[ "$output" = '{"order_id":1,"lock_type":"STATUS","owner":"a","expires_at":"2030-01-01T00:01:00.000Z"}' ]
	[ "$(sql "SELECT acquired_at || ' ' || expires_at FROM locks")" = \
	    "$T0 2030-01-01T00:01:00.000Z" ]
	for now in 2030-01-01T00:00:59.999Z 2030-01-01T09:00:59.999+09:00; do
		run --separate-stderr env UOMS_NOW=$now UOMS_ACTOR=b uoms-status --to IN_PROGRESS 1
		[ "$status" -eq 1 ]
		[ "$stderr" = "uoms-status: order 1: locked: STATUS lock held by 'a' until 2030-01-01T00:01:00.000Z" ]
		run --separate-stderr env UOMS_NOW=$now uoms-lock --actor a list
		[ "$(echo "$output" | jget expires_at)" = 2030-01-01T00:01:00.000Z ]
		run --separate-stderr env UOMS_NOW=$now uoms-lock --actor b acquire --type STATUS 1
		[ "$status" -eq 1 ]
	done
	[ "$(status_of 1)" = WAITING ]
	# At expires_at it is expired: listed no more, blocks nothing.
	run --separate-stderr env UOMS_NOW=2030-01-01T00:01:00Z uoms-lock --actor a list
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	run --separate-stderr env UOMS_NOW=2030-01-01T00:01:00Z UOMS_ACTOR=b uoms-status --to IN_PROGRESS 1
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	[ "$(status_of 1)" = IN_PROGRESS ]
	# And another actor may take the order's lock then, for its own TTL.
	run --separate-stderr env UOMS_NOW=2030-01-01T00:01:00.000Z uoms-lock --actor b acquire --type STATUS --ttl 1 1
	[ "$status" -eq 0 ]
	[ "$(echo "$output" | jget owner)" = b ]
	[ "$(echo "$output" | jget expires_at)" = 2030-01-01T00:01:01.000Z ]
	[ "$(sql "SELECT acquired_at FROM locks")" = 2030-01-01T00:01:00.000Z ]
}

@test "stored and shown, expires_at - acquired_at is exactly the TTL, by the system clock" {
	setup_orders
	uoms-lock --actor a acquire --type EDIT --ttl 1 1 >/dev/null
	uoms-lock --actor a acquire --type STATUS --ttl 7 2 >/dev/null
	uoms-lock --actor a acquire --type ASSIGN 3 >/dev/null
	echo 'lock_ttl: 3600' >uoms.yaml
	uoms-lock -c uoms.yaml --actor a acquire --type REMARK 3 >/dev/null
	run --separate-stderr uoms-lock --actor a list --all
	[ "$status" -eq 0 ]
	# The 1-second lock may have expired (and gone from list) by now.
	[ "$(echo "$output" | python3 -c '
import json, sys, datetime as d
def ms(t):
    return round(d.datetime.strptime(t, "%Y-%m-%dT%H:%M:%S.%fZ").timestamp() * 1000)
for line in sys.stdin:
    l = json.loads(line)
    if l["order_id"] != 1:
        print(l["order_id"], l["lock_type"], ms(l["expires_at"]) - ms(l["acquired_at"]))
' | tr '\n' ' ')" = "2 STATUS 7000 3 ASSIGN 300000 3 REMARK 3600000 " ] || {
		echo "$output"; false; }
	[ "$(sql "SELECT CAST(round((julianday(expires_at) -
	    julianday(acquired_at)) * 86400000) AS INTEGER) FROM locks
	    WHERE order_id = 1")" = 1000 ]
}

@test "EDIT blocks a status change; ASSIGN does not" {
	setup_orders
	uoms-lock --actor a acquire --type EDIT 1 >/dev/null
	uoms-lock --actor a acquire --type ASSIGN 2 >/dev/null
	run --separate-stderr env UOMS_ACTOR=b uoms-status --to IN_PROGRESS 1 2
	[ "$status" -eq 1 ]
	[[ "$stderr" == "uoms-status: order 1: locked: EDIT lock held by 'a' until "* ]]
	[ "$(echo "$output" | jget id)" = 2 ]
	[ "$(status_of 1)" = WAITING ]
	[ "$(status_of 2)" = IN_PROGRESS ]
	# Asking for EDIT conflicts with a lock of any type.
	run --separate-stderr uoms-lock --actor b acquire --type edit 2
	[ "$status" -eq 1 ]
	[[ "$stderr" == "uoms-lock: order 2: locked: ASSIGN lock held by 'a' until "* ]]
}

@test "renew extends expires_at; renewing a lock not held is not_found" {
	setup_orders
	UOMS_NOW=$T0 uoms-lock --actor a acquire --type REMARK --ttl 5 1 >/dev/null
	run --separate-stderr env UOMS_NOW=2030-01-01T00:00:02.5Z uoms-lock --actor a renew --type REMARK 1
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	# lock_ttl from the configuration (300 s), from the renewal's now.
	renewed=2030-01-01T00:05:02.500Z
	[ "$(echo "$output" | jget expires_at)" = $renewed ]
	[ "$(sql "SELECT acquired_at || ' ' || expires_at FROM locks WHERE order_id = 1")" = \
	    "$T0 $renewed" ]

	run --separate-stderr uoms-lock --actor b renew --type REMARK 1 2
	[ "$status" -eq 1 ]
	[ -z "$output" ]
	[ "${#stderr_lines[@]}" -eq 2 ]
	[[ "${stderr_lines[0]}" == "uoms-lock: order 1: not_found: "* ]]
	[[ "${stderr_lines[1]}" == "uoms-lock: order 2: not_found: "* ]]
	[ "$(sql "SELECT owner || ' ' || expires_at FROM locks")" = "a $renewed" ]
}

@test "renewing a lock that has expired is refused: it is gone, not taken again" {
	setup_orders
	UOMS_NOW=$T0 uoms-lock --actor a acquire --type EDIT --ttl 10 1 2 >/dev/null
	# 1 ms before expires_at it renews.
	run --separate-stderr env UOMS_NOW=2030-01-01T00:00:09.999Z uoms-lock --actor a renew --type EDIT 1
	[ "$status" -eq 0 ]
	[ "$(echo "$output" | jget expires_at)" = 2030-01-01T00:05:09.999Z ]
	# At expires_at it is refused, saying when it expired.
	run --separate-stderr env UOMS_NOW=2030-01-01T00:00:10Z uoms-lock --actor a renew --type EDIT 1 2
	[ "$status" -eq 1 ]
	[ "$stderr" = "uoms-lock: order 2: not_found: EDIT lock of 'a' expired at 2030-01-01T00:00:10.000Z" ]
	[ "$(echo "$output" | jget expires_at)" = 2030-01-01T00:05:10.000Z ]
	[ "$(sql "SELECT expires_at FROM locks WHERE order_id = 2")" = 2030-01-01T00:00:10.000Z ]
	# Taken by another actor since: a holds nothing to renew.
	UOMS_NOW=2030-01-01T00:01:00Z uoms-lock --actor b acquire --type EDIT 2 >/dev/null
	run --separate-stderr env UOMS_NOW=2030-01-01T00:01:00Z uoms-lock --actor a renew --type EDIT 2
	[ "$status" -eq 1 ]
	[ -z "$output" ]
	[ "$stderr" = "uoms-lock: order 2: not_found: 'a' holds no EDIT lock" ]
	[ "$(sql "SELECT owner FROM locks WHERE order_id = 2")" = b ]
}

@test "UOMS_NOW that is not an RFC 3339 time is refused, exit 3" {
	setup_orders
	run --separate-stderr env UOMS_NOW=tomorrow uoms-lock --actor a acquire --type EDIT 1
	[ "$status" -eq 3 ]
	[ "$stderr" = "uoms-lock: UOMS_NOW: 'tomorrow' is not an RFC 3339 time" ]
	[ "$(nlocks)" = 0 ]
}

@test "the lock TTL comes from lock_ttl in the configuration" {
	setup_orders
	echo 'lock_ttl: 3600' >uoms.yaml
	run --separate-stderr env UOMS_NOW=$T0 uoms-lock -c uoms.yaml --actor a acquire --type STATUS 1
	[ "$status" -eq 0 ]
	[ "$(echo "$output" | jget expires_at)" = 2030-01-01T01:00:00.000Z ]
	# --ttl wins over it.
	run --separate-stderr env UOMS_NOW=$T0 uoms-lock -c uoms.yaml --actor a acquire --type STATUS --ttl 59 1
	[ "$(echo "$output" | jget expires_at)" = 2030-01-01T00:00:59.000Z ]
}

@test "a lock_ttl out of range is refused, never cut to fit" {
	setup_orders
	for ttl in 0 604801 9300000000000000 -5 soon; do
		echo "lock_ttl: $ttl" >uoms.yaml
		run --separate-stderr uoms-lock -c uoms.yaml --actor a acquire --type STATUS 1
		[ "$status" -eq 3 ]
		[ "$stderr" = "uoms-lock: config: lock_ttl must be a number of seconds from 1 to 604800" ]
		[ "$(nlocks)" = 0 ]
	done
	echo "lock_ttl: 604800" >uoms.yaml
	run --separate-stderr env UOMS_NOW=$T0 uoms-lock -c uoms.yaml --actor a acquire --type STATUS 1
	[ "$status" -eq 0 ]
	[ "$(echo "$output" | jget expires_at)" = 2030-01-08T00:00:00.000Z ]
}

@test "release frees the order; releasing what you do not hold is not_found" {
	setup_orders
	uoms-lock --actor a acquire --type STATUS 1 2 >/dev/null
	# Another actor cannot release a's lock.
	run --separate-stderr uoms-lock --actor b release --type STATUS 1
	[ "$status" -eq 1 ]
	[[ "$stderr" == "uoms-lock: order 1: not_found: 'b' holds no STATUS lock" ]]
	[ "$(nlocks)" = 2 ]

	run --separate-stderr uoms-lock --actor a release --type STATUS 1
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	[ -z "$stderr" ]
	[ "$(nlocks)" = 1 ]
	run --separate-stderr env UOMS_ACTOR=b uoms-status --to CANCEL 1
	[ "$status" -eq 0 ]

	# Each REF on its own: 1 is no longer held, 2 is released.
	run --separate-stderr uoms-lock --actor a release --type STATUS 1 2
	[ "$status" -eq 1 ]
	[[ "$stderr" == "uoms-lock: order 1: not_found: "* ]]
	[ "$(nlocks)" = 0 ]
	[ "$(sql "SELECT group_concat(type, ' ') FROM (SELECT type FROM events
	    WHERE type LIKE 'lock%' ORDER BY id) AS e")" = \
	    "lock_acquired lock_acquired lock_released lock_released" ]
}

@test "list shows the actor's live locks, --all everyone's" {
	setup_orders
	export UOMS_NOW=$T0
	uoms-lock --actor a acquire --type STATUS 1 >/dev/null
	uoms-lock --actor a acquire --type EDIT --ttl 1 3 >/dev/null
	uoms-lock --actor b acquire --type ASSIGN 2 >/dev/null
	UOMS_NOW=2030-01-01T00:00:01Z
	run --separate-stderr uoms-lock --actor a list
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	[ "$(echo "$output" | jget order_id | tr '\n' ' ')" = "1 " ]
	[ "$(echo "$output" | jget owner)" = a ]
	[ "$(echo "$output" | jget lock_type)" = STATUS ]
	[ "$(echo "$output" | jget acquired_at)" = $T0 ]
	[ "$(echo "$output" | jget expires_at)" = 2030-01-01T00:05:00.000Z ]
	run --separate-stderr uoms-lock --actor a list --all
	[ "$status" -eq 0 ]
	[ "$(echo "$output" | jget order_id | tr '\n' ' ')" = "1 2 " ]
	[ "$(echo "$output" | jget owner | tr '\n' ' ')" = "a b " ]
	run --separate-stderr uoms-lock --actor c list
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	# list only reads: a missing store is refused.
	run --separate-stderr uoms-lock -d "$PWD/none.db" list
	[ "$status" -eq 3 ]
	[ ! -e none.db ]
}

@test "cleanup deletes only expired locks and says how many" {
	setup_orders
	export UOMS_NOW=$T0
	uoms-lock --actor a acquire --type STATUS --ttl 1 1 >/dev/null
	uoms-lock --actor a acquire --type STATUS --ttl 2 2 >/dev/null
	uoms-lock --actor a acquire --type EDIT 3 >/dev/null
	UOMS_NOW=2030-01-01T00:00:01.999Z
	run --separate-stderr uoms-lock cleanup
	[ "$output" = '{"removed":1}' ]
	UOMS_NOW=2030-01-01T00:00:02Z
	run --separate-stderr uoms-lock cleanup
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	[ "$output" = '{"removed":1}' ]
	[ "$(sql "SELECT order_id || type FROM locks")" = 3EDIT ]
	run --separate-stderr uoms-lock cleanup
	[ "$output" = '{"removed":0}' ]
}

@test "acquire is all or nothing: a conflict on one REF takes neither" {
	setup_orders
	uoms-lock --actor a acquire --type STATUS 2 >/dev/null
	run --separate-stderr uoms-lock --actor b acquire --type STATUS 1 no:2611-000002
	[ "$status" -eq 1 ]
	[ -z "$output" ]
	[[ "$stderr" == "uoms-lock: order no:2611-000002: locked: STATUS lock held by 'a' until "* ]]
	[ "${#stderr_lines[@]}" -eq 1 ]
	[ "$(nlocks "owner = 'b'")" = 0 ]
	# An unknown order refuses the lot too.
	run --separate-stderr uoms-lock --actor b acquire --type STATUS 1 99
	[ "$status" -eq 1 ]
	[ "$stderr" = "uoms-lock: order 99: not_found: no such order" ]
	[ "$(nlocks "owner = 'b'")" = 0 ]
	# Without the conflict both are taken, by any kind of REF.
	run --separate-stderr uoms-lock --actor b acquire --type STATUS 1 coupang:3
	[ "$status" -eq 0 ]
	[ "$(echo "$output" | jget order_id | tr '\n' ' ')" = "1 3 " ]
	[ "$(nlocks "owner = 'b'")" = 2 ]
}

@test "--wait takes the lock once its holder lets go; without it, gives up at once" {
	setup_orders
	uoms-lock --actor a acquire --type STATUS 1 >/dev/null
	SECONDS=0
	run --separate-stderr uoms-lock --actor b acquire --type STATUS 1
	[ "$status" -eq 1 ]
	[ "$SECONDS" -le 1 ]
	run --separate-stderr uoms-lock --actor b acquire --type STATUS --wait 1 1
	[ "$status" -eq 1 ]
	[[ "$stderr" == *"locked"* ]]

	# not synchronisation: the release must come after b's first try, so that b waits
	(sleep 1.5; uoms-lock --actor a release --type STATUS 1) 3>&- &
	SECONDS=0
	run --separate-stderr uoms-lock --actor b acquire --type STATUS --wait 20 1
	wait
	echo "$stderr"
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	[ "$(echo "$output" | jget owner)" = b ]
	[ "$SECONDS" -ge 1 ]
	[ "$SECONDS" -lt 10 ]
	[ "$(sql "SELECT owner FROM locks")" = b ]
}

@test "run holds the lock while the command runs and releases it on success" {
	setup_orders
	run --separate-stderr uoms-lock --actor a run --type EDIT 1 -- \
	    sh -c 'uoms-lock --actor a list; echo "args: $*"' sh x 'y z'
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	[ "${#lines[@]}" -eq 2 ]
	[ "$(echo "${lines[0]}" | jget lock_type)" = EDIT ]
	[ "${lines[1]}" = "args: x y z" ]
	[ "$(nlocks)" = 0 ]
}

@test "while run holds the lock another actor is refused, the owner is not" {
	setup_orders
	run --separate-stderr uoms-lock --actor a run --type STATUS 1 -- sh -c '
	    UOMS_ACTOR=b uoms-status --to CANCEL 1 >/dev/null 2>b.err; echo $? >b.rc
	    UOMS_ACTOR=a uoms-status --to IN_PROGRESS 1 >/dev/null; echo $? >a.rc'
	[ "$status" -eq 0 ]
	[ "$(cat b.rc)" = 1 ]
	[[ "$(cat b.err)" == "uoms-status: order 1: locked: STATUS lock held by 'a' until "* ]]
	[ "$(cat a.rc)" = 0 ]
	[ "$(status_of 1)" = IN_PROGRESS ]
	[ "$(nlocks)" = 0 ]
}

@test "run renews the lock while the command outlives its TTL" {
	setup_orders
	# The command waits until its lock's first expiry has passed (bounded),
	# then another actor tries to change the order.
	export -f sql pg_sql
	run --separate-stderr uoms-lock --actor a run --type EDIT --ttl 2 1 -- bash -c '
	    first=$(sql "SELECT expires_at FROM locks")
	    for (( i = 0; i < 200; i++ )); do
		[[ "$(date -u +%Y-%m-%dT%H:%M:%S.%3NZ)" > "$first" ]] && break
		sleep 0.05
	    done
	    [[ "$(sql "SELECT expires_at FROM locks")" > "$first" ]] || exit 9
	    UOMS_ACTOR=b uoms-status --to CANCEL 1 >/dev/null 2>&1; echo $? >b.rc'
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	[ "$(cat b.rc)" = 1 ]
	[ "$(status_of 1)" = WAITING ]
	[ "$(nlocks)" = 0 ]
}

@test "run passes a failing command's exit status through and releases" {
	setup_orders
	run --separate-stderr uoms-lock --actor a run --type EDIT 1 2 -- sh -c 'exit 7'
	[ "$status" -eq 7 ]
	[ "$(nlocks)" = 0 ]
	run -127 --separate-stderr uoms-lock --actor a run --type EDIT 1 -- no-such-command-here
	[ "$status" -eq 127 ]
	[[ "$stderr" == *"no-such-command-here"* ]]
	[ "$(nlocks)" = 0 ]
}

@test "run releases when the command kills itself (128 + signal)" {
	setup_orders
	run --separate-stderr uoms-lock --actor a run --type EDIT 1 -- sh -c 'kill -9 $$'
	[ "$status" -eq 137 ]
	[ "$(nlocks)" = 0 ]
}

@test "run releases when the command is killed with SIGTERM" {
	setup_orders
	uoms-lock --actor a run --type EDIT 1 -- sh -c 'echo $$ >child.pid; exec sleep 30' \
	    3>&- &
	pid=$!
	wait_for_file child.pid
	[ "$(nlocks)" = 1 ]
	kill -TERM "$(cat child.pid)"
	rc=0
	wait "$pid" || rc=$?
	[ "$rc" -eq 143 ]
	[ "$(nlocks)" = 0 ]
}

@test "SIGTERM to run is passed on to the command, then the lock is released" {
	setup_orders
	uoms-lock --actor a run --type EDIT 1 -- sh -c 'echo $$ >child.pid; exec sleep 30' \
	    3>&- &
	pid=$!
	wait_for_file child.pid
	kill -TERM "$pid"
	rc=0
	wait "$pid" || rc=$?
	[ "$rc" -eq 143 ]
	[ "$(nlocks)" = 0 ]
	# The command is gone too.
	! kill -0 "$(cat child.pid)" 2>/dev/null
}

@test "run does not start the command when the lock is taken" {
	setup_orders
	uoms-lock --actor b acquire --type STATUS 1 >/dev/null
	run --separate-stderr uoms-lock --actor a run --type STATUS 1 -- touch ran
	[ "$status" -eq 1 ]
	[[ "$stderr" == "uoms-lock: order 1: locked: STATUS lock held by 'b' until "* ]]
	[ ! -e ran ]
	[ "$(sql "SELECT owner FROM locks")" = b ]
	# With --wait it runs once b lets go.
	# not synchronisation: the release must come after a's first try, so that a waits
	(sleep 1; uoms-lock --actor b release --type STATUS 1) 3>&- &
	run --separate-stderr uoms-lock --actor a run --type STATUS --wait 20 1 -- touch ran
	wait
	[ "$status" -eq 0 ]
	[ -e ran ]
	[ "$(nlocks)" = 0 ]
}

@test "a disabled actor cannot take locks" {
	setup_orders
	uoms-user add gone >/dev/null
	uoms-user disable gone >/dev/null
	run --separate-stderr uoms-lock --actor gone acquire --type EDIT 1
	[ "$status" -eq 3 ]
	[[ "$stderr" == *"forbidden"* ]]
	[ "$(nlocks)" = 0 ]
}

@test "usage errors: exit 2, nothing done" {
	setup_orders
	for args in "" "grab --type EDIT 1" "acquire 1" "acquire --type EDIT" \
	    "acquire --type LATCH 1" "acquire --type EDIT --ttl 0 1" \
	    "acquire --type EDIT --wait soon 1" "release --type EDIT --ttl 5 1" \
	    "list 1" "list --type EDIT" "cleanup --all" "acquire --all --type EDIT 1" \
	    "run --type EDIT 1" "run --type EDIT 1 --"; do
		run --separate-stderr uoms-lock $args
		echo "args '$args': status $status, stderr $stderr"
		[ "$status" -eq 2 ]
		[ -z "$output" ]
		[[ "$stderr" == *"usage: uoms-lock "* ]]
	done
	[ "$(nlocks)" = 0 ]
	# A REF that is no REF is refused, not a usage error.
	run --separate-stderr uoms-lock acquire --type EDIT :x
	[ "$status" -eq 1 ]
	[[ "$stderr" == "uoms-lock: order :x: invalid: "* ]]
}

@test "the man page EXAMPLES run" {
	man_examples uoms-lock.1
	[ -f ex1.sh ] && [ -f ex3.sh ]
	run --separate-stderr sh -e ex1.sh
	echo "$stderr"
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	[ "${#lines[@]}" -eq 2 ]
	[ "$(echo "${lines[1]}" | jget owner)" = kim ]
	[ "$(nlocks)" = 0 ]
	run --separate-stderr sh -e ex2.sh
	[ "$status" -eq 0 ]
	[ "$(status_of 1)" = IN_PROGRESS ]
	[ "$(nlocks)" = 0 ]
	run --separate-stderr sh -e ex3.sh
	[ "$status" -eq 0 ]
	[ "$output" = '{"removed":0}' ]
}

@test "run gives the command its store, actor and configuration (-d, --actor, -c)" {
	setup_orders
	orders 3 | uoms-upsert -d other.db >/dev/null
	# The command is not told where or who: it takes both from run.
	run --separate-stderr uoms-lock --actor a -d other.db run --type STATUS 1 -- \
	    uoms-status --to IN_PROGRESS 1
	echo "$stderr"
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	[ "$(echo "$output" | jget status)" = IN_PROGRESS ]
	[ "$(sqlite3 other.db "SELECT status FROM orders WHERE id = 1")" = IN_PROGRESS ]
	[ "$(sqlite3 other.db "SELECT actor FROM events WHERE type = 'status'")" = a ]
	[ "$(sqlite3 other.db "SELECT count(*) FROM locks")" = 0 ]
	[ "$(status_of 1)" = WAITING ]

	# -c: the configuration's store, and the file itself, go to the command.
	printf 'db: %s/cfg.db\n' "$PWD" >uoms.yaml
	orders 1 | env -u UOMS_DB uoms-upsert -c uoms.yaml >/dev/null
	run --separate-stderr env -u UOMS_DB uoms-lock -c uoms.yaml --actor b \
	    run --type EDIT 1 -- sh -c 'echo "$UOMS_DB|$UOMS_ACTOR|$UOMS_CONFIG"; uoms-edit --set warehouse=w2 1 >/dev/null'
	echo "$stderr"
	[ "$status" -eq 0 ]
	[ "$output" = "$PWD/cfg.db|b|uoms.yaml" ]
	[ "$(sqlite3 cfg.db "SELECT warehouse FROM orders WHERE id = 1")" = w2 ]
	[ "$(sqlite3 cfg.db "SELECT actor FROM events WHERE type = 'edited'")" = b ]
}
