#!/usr/bin/env bats
# uoms-lock run ties its command's life to its own (issue 8, break 5): the
# command must never run on without the lock. Killed with SIGKILL, uoms-lock
# cannot release or renew, so its command is killed with it, long before the
# lock expires; a lock lost while uoms-lock was stopped stops the command.
# Every wait here is for a condition, bounded; none is a sleep that hopes.
load helper

# start_run TTL [ARG...]: uoms-lock --actor a run --type EDIT --ttl TTL 1 --
# a shell loop that writes a heartbeat to hb and its pid to cmd.pid, in the
# background, with any ARGs before the loop (a trap, say). Sets $pid (of
# uoms-lock) and $cmdpid (of the command) once the loop beats.
start_run() {
	local ttl=$1
	shift
	uoms-lock --actor a run --type EDIT --ttl "$ttl" 1 -- sh -c "$*"'
	    echo $$ >cmd.pid
	    while :; do echo beat >>hb; sleep 0.05; done' 3>&- &
	pid=$!
	wait_for -t 10 test -s hb
	cmdpid=$(cat cmd.pid)
}

# wait_rc STATUS: uoms-lock (in $pid) ends, within 20 s, with STATUS.
wait_rc() {
	local rc=0
	wait_for -t 20 proc_gone "$pid" || return 1
	wait "$pid" || rc=$?
	[ "$rc" -eq "$1" ] || { echo "uoms-lock exited $rc, not $1" >&2; return 1; }
}

# Nothing started here outlives its test, whatever failed.
teardown() {
	local p
	for p in ${gcpid:-} ${cmdpid:-} ${pid:-}; do
		kill -9 "$p" 2>/dev/null || true
	done
}

setup_order() {
	orders 1 | uoms-upsert >/dev/null
}

@test "kill -9 of uoms-lock run kills its command while the lock is still live" {
	setup_order
	start_run 60
	expires=$(sql "SELECT expires_at FROM locks WHERE owner = 'a'")
	[ -n "$expires" ]
	run ! proc_gone "$cmdpid"
	kill -9 "$pid"
	wait_rc 137
	wait_for -t 10 proc_gone "$cmdpid"
	# Gone before the lock expired: it never ran without it.
	[[ "$(now_ms)" < "$expires" ]]
	[ "$(sql "SELECT expires_at FROM locks WHERE owner = 'a'")" = "$expires" ]
}

@test "kill -9 of uoms-lock run kills what the command started too (a pipeline's tools)" {
	setup_order
	# The command starts a grandchild and waits for it, as sh does for
	# uoms-query | uoms-status: the grandchild has no uoms-lock parent.
	start_run 60 "sh -c 'echo \$\$ >gc.pid; while :; do echo beat >>gc.hb; sleep 0.05; done' &"
	wait_for -t 10 test -s gc.hb
	gcpid=$(cat gc.pid)
	run ! proc_gone "$gcpid"
	kill -9 "$pid"
	wait_rc 137
	wait_for -t 10 proc_gone "$cmdpid"
	wait_for -t 10 proc_gone "$gcpid"
	[ "$(sql "SELECT count(*) FROM locks WHERE owner = 'a'")" = 1 ]
}

@test "kill -9 of uoms-lock run kills a command that ignores SIGTERM, SIGINT and SIGHUP" {
	setup_order
	start_run 60 "trap '' TERM INT HUP;"
	kill -9 "$pid"
	wait_rc 137
	wait_for -t 10 proc_gone "$cmdpid"
	[ "$(sql "SELECT count(*) FROM locks WHERE owner = 'a'")" = 1 ]
}

@test "SIGTERM to uoms-lock run reaches the command; the lock is released after it ends" {
	setup_order
	start_run 60
	[ "$(sql "SELECT count(*) FROM locks")" = 1 ]
	kill -TERM "$pid"
	wait_rc 143
	wait_for -t 10 proc_gone "$cmdpid"
	[ "$(sql "SELECT count(*) FROM locks")" = 0 ]
	[ "$(sql "SELECT type FROM events ORDER BY id DESC LIMIT 1")" = lock_released ]
}

@test "run passes the command's exit status through and releases the lock" {
	setup_order
	for rc in 0 1 3 42 255; do
		run -$rc --separate-stderr uoms-lock --actor a run --type EDIT 1 -- sh -c "exit $rc"
		[ -z "$stderr" ]
		[ "$(sql "SELECT count(*) FROM locks")" = 0 ]
	done
}

# stop_until_expired: SIGSTOP uoms-lock (not its command) until its lock has
# expired by the system clock, as when a machine stalls past the TTL. The
# stop may catch a renewal before its commit, which sets the expiry at most
# one TTL (1 s here) past the one stored: wait that out too.
stop_until_expired() {
	local expires
	kill -STOP "$pid"
	expires=$(sql "SELECT expires_at FROM locks WHERE owner = 'a'")
	[ -n "$expires" ]
	expires=$(( $(date -u -d "$expires" +%s%3N) + 1000 ))
	wait_for -t 10 eval '[ "$(date -u +%s%3N)" -gt "$expires" ]'
}

@test "a lock lost to another actor stops the command" {
	setup_order
	# uoms-lock's clock stands still at T0 (UOMS_NOW): every renewal sets
	# the expiry to T0 + 3 s. b comes at T0 + 3 s, when it has expired,
	# and takes the lock; a's next renewal, a second later, finds it b's.
	export UOMS_NOW=2030-01-01T00:00:00Z
	start_run 3
	run --separate-stderr env UOMS_NOW=2030-01-01T00:00:03Z uoms-lock --actor b acquire --type EDIT --ttl 60 1
	[ "$status" -eq 0 ]
	wait_rc 3
	wait_for -t 10 proc_gone "$cmdpid"
	# b's lock is b's: uoms-lock released nothing of it.
	[ "$(sql "SELECT owner FROM locks")" = b ]
}

@test "a lock that expired while uoms-lock was stopped is not silently retaken: the command stops" {
	setup_order
	start_run 1
	stop_until_expired
	kill -CONT "$pid"
	wait_rc 3
	wait_for -t 10 proc_gone "$cmdpid"
	[ "$(sql "SELECT count(*) FROM locks WHERE expires_at > '$(now_ms)'")" = 0 ]
}

@test "a lost lock is reported, and a command deaf to SIGTERM is killed" {
	setup_order
	uoms-lock --actor a run --type EDIT --ttl 1 1 -- sh -c "trap '' TERM
	    echo \$\$ >cmd.pid
	    while :; do echo beat >>hb; sleep 0.05; done" 2>lock.err 3>&- &
	pid=$!
	wait_for -t 10 test -s hb
	cmdpid=$(cat cmd.pid)
	stop_until_expired
	kill -CONT "$pid"
	wait_rc 3
	wait_for -t 10 proc_gone "$cmdpid"
	cat lock.err
	grep -q "^uoms-lock: order 1: not_found: EDIT lock of 'a' expired at 20.*; stopping the command$" lock.err
}
