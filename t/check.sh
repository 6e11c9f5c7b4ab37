#!/bin/sh
# check.sh: make check's one prove run over both engines.
#
#   t/check.sh O PG UNITS...
#
# Every bats file runs on SQLite; with PG=1 the files t/pg-files lists
# run again on one throwaway PostgreSQL (t/pg.sh), started here and
# stopped on the way out, pass or fail. One prove run, not two, so its
# summary (the last line, what .ci/run reads) counts both passes and a
# failure on either engine fails it. The second pass names each file
# through O/t-pg, a link to t/: t/prove-exec runs a file by that path
# with UOMS_TEST_ENGINE=pg, and prove keeps the two passes apart.
#
# CHECK_JOBS (default 2) is prove's -j. The run waits as well as
# computes (servers started and polled, timeouts, sleeping fakes, the
# PostgreSQL server's share not in prove's count), so on 2 cores more
# jobs keep them busier than two; make check passes 4. Measured on the
# near-idle machine, t/60*.bats and t/70*.bats (30 files, 86 s of CPU)
# took 113-118 s at -j2, 85-103 s at -j3 and 70 s at -j4; the whole
# run, 589 s at -j3 and 519 s at -j4 (2026-12-07).
set -u

o=$1
pg=$2
shift 2
pgtests=
if [ "$pg" != 0 ]; then
	PG_DIR=$(mktemp -d /tmp/uoms-check-pg.XXXXXX) || exit 3
	chmod 755 "$PG_DIR"
	stop() {
		t/pg.sh stop "$PG_DIR" >/dev/null 2>&1
		rm -rf "$PG_DIR"
	}
	trap stop EXIT
	trap 'exit 130' INT TERM
	if ! PG_URL=$(t/pg.sh start "$PG_DIR"); then
		echo "check.sh: no PostgreSQL for the second pass (make check PG=0 skips it)" >&2
		exit 3
	fi
	if ! psql -qX -v ON_ERROR_STOP=1 "$PG_URL" -f t/pg-compat.sql; then
		echo "check.sh: t/pg-compat.sql failed" >&2
		exit 3
	fi
	export PG_DIR PG_URL
	ln -sfn "$(pwd)/t" "$o/t-pg"
	pgtests=$(sed -e 's/#.*//' -e '/^[[:space:]]*$/d' t/pg-files)
fi
# Every job (a file on an engine, a unit test), longest first as
# t/check-times has them, so that the prove jobs end together rather
# than one running a long file alone at the end. A job t/check-times does
# not know counts as a middling bats file (10 s) or a quick unit (1 s).
jobs=$(
	{
		for f in $pgtests; do
			echo "$o/t-pg/${f#t/} pg $f"
		done
		for u in "$@"; do
			echo "$u unit ${u##*/}"
		done
		for f in t/*.bats; do
			echo "$f sqlite $f"
		done
	} | awk '
	FILENAME == "t/check-times" {
		if ($0 !~ /^#/ && NF >= 3)
			s[$2 " " $3] = $1
		next
	}
	{
		k = $2 " " $3
		t = (k in s) ? s[k] : ($2 == "unit" ? 1 : 10)
		printf "%s %d %s\n", t, NR, $1
	}' t/check-times - | sort -k1,1nr -k2,2n | cut -d' ' -f3
)
# -f -o: a failed test's line and what bats says of it (the command,
# the line, the test's output) are printed with the file, not only
# counted in the summary; .ci/run repeats them at the end of its log.
# shellcheck disable=SC2086
prove -f -o -j"${CHECK_JOBS:-2}" -e t/prove-exec $jobs
