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

@test "every t/*.bats is in exactly one of t/pg-files, t/pg-skip (t/pg-pending)" {
	# make check runs each file of t/pg-files on PostgreSQL as well; a
	# new test file must say which it is, or it stays SQLite-only unseen.
	run --separate-stderr python3 "$SRC/t/pg-lists.py" "$SRC"
	printf '%s\n' "$output" "$stderr"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	[ -z "$stderr" ]
	# Both lists hold files, and every line of t/pg-skip gives a reason.
	[ "$(grep -c '^t/' "$SRC/t/pg-files")" -ge 40 ]
	[ "$(grep -c '^t/.*\.bats[[:space:]]\+[^[:space:]]' "$SRC/t/pg-skip")" = \
	    "$(grep -c '^t/' "$SRC/t/pg-skip")" ]
}

@test "the lists' check names a file in none, one in two lists, one twice, one gone, a skip without why" {
	mkdir t
	touch t/0001-a.bats t/0002-b.bats t/0003-c.bats t/0004-d.bats t/0005-e.bats
	printf '# comment\nt/0001-a.bats\nt/0002-b.bats\nt/0001-a.bats\nt/0009-gone.bats\n' >t/pg-files
	printf 't/0002-b.bats\treads no store\nt/0003-c.bats\n' >t/pg-skip
	printf 't/0004-d.bats  pgt2\n' >t/pg-pending
	run --separate-stderr python3 "$SRC/t/pg-lists.py" .
	printf '%s\n' "$output"
	[ "$status" -eq 1 ]
	[ -z "$stderr" ]
	[ "$output" = "t/pg-files:5: t/0009-gone.bats: no such file
t/pg-skip:2: t/0003-c.bats: no reason given
t/0001-a.bats: listed 2 times (t/pg-files:2, t/pg-files:4)
t/0002-b.bats: listed 2 times (t/pg-files:3, t/pg-skip:1)
t/0005-e.bats: in none of t/pg-files, t/pg-skip, t/pg-pending" ]
	# Without t/pg-pending its files are in none.
	rm t/pg-pending
	run python3 "$SRC/t/pg-lists.py" .
	[[ "$output" == *"t/0004-d.bats: in none of"* ]]
}
