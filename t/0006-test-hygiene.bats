#!/usr/bin/env bats
# The tests themselves: no assertion that cannot fail (a "! cmd" that
# bash's set -e ignores), no waiting for a time instead of a condition.
# t/hygiene.py does the looking; its own rules are tested here on samples.
load helper

@test "hygiene: no ignored '! cmd' line in t/*.bats" {
	run --separate-stderr sh -c 'cd "$1" && python3 t/hygiene.py t/*.bats' - "$SRC"
	printf '%s\n' "$output" | grep -F ": '! cmd'" >bang || true
	cat bang
	[ ! -s bang ]
	[ -z "$stderr" ]
}

@test "hygiene: no sleep as synchronisation in t/*.bats" {
	run --separate-stderr sh -c 'cd "$1" && python3 t/hygiene.py t/*.bats' - "$SRC"
	[ -z "$stderr" ]
	printf '%s\n' "$output" | grep -F ": 'sleep'" >slept || true
	cat slept
	[ ! -s slept ]
}

@test "hygiene: the guard catches an ignored '!' and a bare sleep, with file:line" {
	# (@TEST for @test: bats would take the sample's tests for its own)
	sed 's/^@TEST /@test /' >sample.bats <<'EOF'
@TEST "one" {
	run foo
	! grep -q x out
	[ "$status" -eq 0 ]
}

@TEST "two: all of these are fine" {
	run ! grep -q x out
	! grep -q x out || false
	! ldd x | grep -q asan ||
		skip "not here"
	for i in $(seq 10); do
		[ -e f ] && break
		sleep 0.1
	done
	while [ ! -e go ]; do sleep 0.01; done
	sh -c 'echo $$ >pid; exec sleep 30' &
	python3 -c 'import time; time.sleep(1)'
	# not synchronisation: the server's latency under test
	sleep 0.5
	cat <<-'PY'
	! this is data
	sleep 3
	PY
	! grep -q x out
}

@TEST "three" {
	uoms-status --to IN_PROGRESS 1 &
	sleep 1
	for f in a b; do
		! grep -q x "$f"
	done
	[ -e x ]
}

f() {
	! grep -q y out
	true
}
EOF
	run --separate-stderr python3 "$SRC/t/hygiene.py" sample.bats
	[ "$status" -eq 1 ]
	[ -z "$stderr" ]
	[ "$output" = "sample.bats:3: '! cmd' is ignored here: use 'run ! cmd' or '|| false'
sample.bats:30: 'sleep' as synchronisation: wait for a condition (wait_for)
sample.bats:32: '! cmd' is ignored here: use 'run ! cmd' or '|| false'
sample.bats:38: '! cmd' is ignored here: use 'run ! cmd' or '|| false'" ]

	# A clean file: nothing said, exit 0.
	sed -n '7,26p' sample.bats >clean.bats
	run --separate-stderr python3 "$SRC/t/hygiene.py" clean.bats
	[ "$status" -eq 0 ]
	[ -z "$output" ]
}

@test "hygiene: wait_for waits for a condition, and says when it gave up" {
	(
		# Another process makes the file a moment later.
		wait_for test -e start
		: >made
	) &
	: >start
	wait_for_file_exists() { test -e made; }
	wait_for wait_for_file_exists
	wait
	run --separate-stderr wait_for -t 1 test -e never
	[ "$status" -eq 1 ]
	[ "$stderr" = "wait_for: timed out after 1s: test -e never" ]
}
