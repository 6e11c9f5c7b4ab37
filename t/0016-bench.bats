#!/usr/bin/env bats
# make bench's SQLite tables (t/bench/run.sh) at a tiny size: every row
# is printed, with a ratio and a goal, and no side fails or stores other
# than it should (run.sh says so on stderr). The figures are not
# checked: make check's machine is busy, and a benchmark's verdicts are
# reported, not enforced. This keeps the benchmark from rotting between
# runs as the tools change under it.
load helper

@test "make bench's SQLite tables run whole at 100 orders, every row there" {
	command -v sqlite-utils >/dev/null ||
	    skip "no sqlite-utils: make deps-bench installs it"
	[ -x /usr/bin/time ] || skip "no GNU time (/usr/bin/time)"
	# One round a row, two runs a one-shot sample: the rows' shape is
	# checked here, and make bench runs them in full.
	TMPDIR=$BATS_TEST_TMPDIR UOMS_BENCH_ROUNDS=1 UOMS_BENCH_REPS=2 \
	    run --separate-stderr \
	    bash "$SRC/t/bench/run.sh" --size 100
	printf '%s\n' "$output" "$stderr"
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	for r in a b q r c c2 d e g f s; do
		grep -q "^$r) .*[0-9]x  *[0-9.]*-[0-9.]* " <<<"$output" ||
		    [ "$r" = d ] || false
	done
	grep -q '^d) ingest, peak RSS MiB vs loader .*<64MiB' <<<"$output"
	# Every filter of uoms-query --help, each in a row of its own.
	for f in id order-no channel status department on-hold not-on-hold \
	    deleted placed-from placed-to eta-from eta-to; do
		uoms-query --help | grep -q -- "--$f\b"
		grep -q "^t) query .*--$f\b.*[0-9]x" <<<"$output"
	done
	# No store, no input is left behind.
	run ls "$BATS_TEST_TMPDIR"
	[[ "$output" != *uoms-bench* ]]
}

@test "loader --raw keeps each line whole under its key, in a store it makes" {
	gen-orders --count 3 >in.jsonl
	run --separate-stderr loader --raw raw.db <in.jsonl
	[ "$status" -eq 0 ]
	[ "$stderr" = "loader: 3 orders" ]
	run sqlite3 raw.db "SELECT count(*), count(DISTINCT external_order_id),
	    sum(json = (SELECT json FROM lines LIMIT 1)) FROM lines"
	[ "$output" = "3|3|1" ]
	run sqlite3 raw.db "SELECT json FROM lines ORDER BY rowid LIMIT 1"
	[ "$output" = "$(head -n 1 in.jsonl)" ]
	run loader --raw
	[ "$status" -eq 2 ]
}

@test "make bench's PostgreSQL tables run whole at 100 orders, every row there" {
	ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 ||
	    skip "no PostgreSQL server: make deps installs it"
	# The server runs as postgres when the tests run as root: a scratch
	# directory it can reach, not bats' own (mode 700).
	tmp=$(mktemp -d /tmp/uoms-0016.XXXXXX)
	chmod 755 "$tmp"
	TMPDIR=$tmp UOMS_BENCH_ROUNDS=1 UOMS_BENCH_REPS=2 \
	    run --separate-stderr bash "$SRC/t/bench/pg.sh" --size 100
	printf '%s\n' "$output" "$stderr"
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	[[ "$output" == *"PostgreSQL 1"*", 100 orders"* ]]
	for r in i c e g j s; do
		grep -q "^$r) .*[0-9]x  *[0-9.]*-[0-9.]* " <<<"$output"
	done
	for r in d k; do
		grep -q "^$r) .*peak RSS MiB .*<64MiB  *\(PASS\|SHORT\)" \
		    <<<"$output"
	done
	for f in id order-no channel status department on-hold not-on-hold \
	    deleted placed-from placed-to eta-from eta-to; do
		grep -q "^t) query .*--$f\b.*[0-9]x" <<<"$output"
	done
	# The server is stopped and its files gone.
	left=$(ls "$tmp")
	rm -rf "$tmp"
	[ -z "$left" ]
}

@test "loader --skip prints the record kept for each line seen before" {
	gen-orders --count 3 >in.jsonl
	uoms-upsert -d s.db <in.jsonl >first.jsonl
	{ head -n 2 in.jsonl; echo '{"not":"seen"}'; } >again.jsonl
	run --separate-stderr loader --skip s.db <again.jsonl
	[ "$status" -eq 0 ]
	[ "$stderr" = "loader: 2 orders" ]
	diff -u <(head -n 2 first.jsonl) <(printf '%s\n' "$output")
	run loader --skip
	[ "$status" -eq 2 ]
}
