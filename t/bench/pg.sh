#!/bin/sh
# make bench (PostgreSQL): uoms on a throwaway PostgreSQL (t/pg.sh, on a
# Unix socket, fsync off as in make check) against the engine's own limit
# for the same rows, as ratios:
#   - uoms-upsert of N generated orders vs psql's \copy of the rows the
#     same upsert stored (exported with \copy ... TO from its first run:
#     orders, order_items, events, channel_words, each table whole);
#   - the status pipeline (uoms-query | uoms-status) on 10 000 orders vs
#     one UPDATE plus one INSERT ... SELECT of their events;
#   - peak RSS of uoms-query of every order (a big read stays flat);
#   - uoms-report metrics vs its figures in plain SQL.
# Each pair is run A B A B (a fresh schema each) and the median of the
# pairs' ratios is shown.
#   sh t/bench/pg.sh [--quick | --large]
# With UOMS_BENCH_ONLY=j, one load and row j alone (the status pipeline,
# while working on it); with UOMS_BENCH_RAW=1, row j's passes on stderr.
# Needs build/bin and build/t on PATH, psql, the Debian postgresql server
# and GNU time. Prints nothing but a note when there is no server.
set -u

case "${1-}" in
"")		sizes="100000 1000000" ;;
--quick)	sizes=20000 ;;
--large)	sizes=1000000 ;;
*)		echo "usage: pg.sh [--quick | --large]" >&2; exit 2 ;;
esac
src=$(cd "$(dirname "$0")/../.." && pwd)

dir=$(mktemp -d "${TMPDIR:-/tmp}/uoms-bench-pg.XXXXXX") || exit 3
chmod 755 "$dir"	# the server (as postgres, when run as root) reads here
url=
stop() {
	[ -n "$url" ] && sh "$src/t/pg.sh" stop "$dir/pg" 2>/dev/null
	rm -rf "$dir"
}
trap stop EXIT
trap 'exit 130' INT TERM

if ! command -v psql >/dev/null ||
    ! url=$(sh "$src/t/pg.sh" start "$dir/pg" 2>"$dir/pg.err"); then
	url=
	echo "PostgreSQL: no table ($(cat "$dir/pg.err" 2>/dev/null))"
	exit 0
fi

now() { date +%s.%N; }
calc() { awk "BEGIN { printf \"%.${2:-2}f\", ($1) }"; }
ge() { calc "$1 >= $2" 0; }
# median of the numbers on stdin, one a line: of an even count the mean
# of the middle two (of the two pairs a row has, not the lower one)
median() {
	sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]
	    else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
psql_q() { PGOPTIONS='-c client_min_messages=warning' psql -qAtX -v ON_ERROR_STOP=1 "$url" "$@"; }
# at SCHEMA: the store URL of a schema of its own
at() { echo "$url&options=-csearch_path%3D$1"; }
fresh() { psql_q -c "DROP SCHEMA IF EXISTS $1 CASCADE; CREATE SCHEMA $1"; }
row() {
	printf '%-36s %12s %12s %7s %8s  %s\n' "$1" "$2" "$3" "$4" "$5" \
	    "$(if [ "$6" = 1 ]; then echo PASS; else echo SHORT; fi)"
}
tables="orders order_items events channel_words"
stamp="to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"
# move_sql SCHEMA N: uoms-status --to IN_PROGRESS of the N newest WAITING
# orders as plain SQL, in one transaction: the event, then the update.
move_sql() {
	w="id IN (SELECT id FROM $1.orders WHERE status = 'WAITING'
	    ORDER BY id DESC LIMIT $2)"
	echo "BEGIN;
	INSERT INTO $1.events (order_id, type, from_state, to_state, actor,
	    at, version, details)
	SELECT id, 'status', status, 'IN_PROGRESS', 'bench', $stamp,
	    version + 1, '{}' FROM $1.orders WHERE $w;
	UPDATE $1.orders SET status = 'IN_PROGRESS', version = version + 1,
	    depart_time = $stamp, updated_at = $stamp WHERE $w;
	COMMIT;"
}

for n in $sizes; do
	in=$dir/orders-$n.jsonl
	gen-orders --count "$n" >"$in" || exit 3
	# Two pairs; one at a million orders (minutes a run).
	pairs=2
	[ "$n" -ge 1000000 ] && pairs=1
	[ "${UOMS_BENCH_ONLY-}" = j ] && pairs=1
	: >"$dir/load" && : >"$dir/pipe"
	for p in $(seq 1 "$pairs"); do
		fresh "u$p" && fresh "c$p" || exit 3
		t0=$(now)
		uoms-upsert -d "$(at "u$p")" <"$in" >/dev/null ||
		    echo "pg.sh: uoms-upsert failed" >&2
		u=$(calc "$(now) - $t0" 3)
		if [ "$p" = 1 ]; then
			for t in $tables; do
				psql_q -c "\\copy u1.$t TO '$dir/$t.copy'" ||
				    exit 3
			done
		fi
		uoms-upsert -d "$(at "c$p")" </dev/null >/dev/null || exit 3
		t0=$(now)
		for t in $tables; do
			printf '%s\n' "\\copy c$p.$t FROM '$dir/$t.copy'"
		done | psql_q -1 >/dev/null || echo "pg.sh: \\copy failed" >&2
		c=$(calc "$(now) - $t0" 3)
		# The ids a copy wrote: the next insert's follow them.
		for t in orders events; do
			psql_q -c "SELECT setval(pg_get_serial_sequence(
			    'c$p.$t', 'id'), max(id)) FROM c$p.$t" >/dev/null
		done
		echo "$u $c" >>"$dir/load"
		for s in u$p c$p; do
			k=$(psql_q -c "SELECT count(*) FROM $s.orders")
			[ "$k" = "$n" ] ||
			    echo "pg.sh: $s holds $k orders, not $n" >&2
		done
	done
	# The pipeline on u1, its SQL on c1 (the same rows), twice.
	m=10000
	[ "$n" -lt $((2 * m)) ] && m=$((n / 2))
	# Both sides from the same settled state, alone (UOMS_BENCH_ONLY=j,
	# right after the loads) as in a whole run (after the second pair's
	# loads): autovacuum's first look comes a minute after the server
	# starts, so without this it visits u1 and c1 in the middle of one
	# run's pipeline and before another's, hint bits are set by whichever
	# side reads a page first, and the loads' dirty pages are written
	# out during the measurement.
	psql_q -c "VACUUM (ANALYZE) u1.orders, u1.events, c1.orders, c1.events" \
	    -c CHECKPOINT >/dev/null || exit 3
	[ -z "${UOMS_BENCH_RAW-}" ] || psql_q -c "SELECT now()::time(0),
	    relname, schemaname, n_live_tup, n_dead_tup, last_autovacuum::time(0),
	    last_autoanalyze::time(0) FROM pg_stat_user_tables
	    WHERE relname IN ('orders', 'events') AND schemaname IN ('u1', 'c1')" >&2
	for p in 1 2; do
		t0=$(now)
		uoms-query -d "$(at u1)" --status WAITING --limit "$m" |
		    uoms-status -d "$(at u1)" --to IN_PROGRESS >/dev/null
		a=$(calc "$(now) - $t0" 3)
		t0=$(now)
		psql_q -c "$(move_sql c1 "$m")" >/dev/null
		b=$(calc "$(now) - $t0" 3)
		echo "$a $b" >>"$dir/pipe"
		[ -z "${UOMS_BENCH_RAW-}" ] ||
		    echo "j) pass $p: uoms $a s, SQL $b s" >&2
	done
	for s in u1 c1; do
		k=$(psql_q -c "SELECT count(*) FROM $s.orders WHERE
		    status = 'IN_PROGRESS'")
		[ "$k" = $((2 * m)) ] ||
		    echo "pg.sh: $s moved $k orders, not $((2 * m))" >&2
	done
	qkib=1 q1kib=1
	if [ "${UOMS_BENCH_ONLY-}" != j ]; then
		/usr/bin/time -f %M -o "$dir/rss" uoms-query -d "$(at u1)" \
		    >/dev/null
		qkib=$(tail -n 1 "$dir/rss")
		/usr/bin/time -f %M -o "$dir/rss" uoms-query -d "$(at u1)" \
		    --limit 1 >/dev/null
		q1kib=$(tail -n 1 "$dir/rss")
	fi

	echo
	echo "PostgreSQL $(psql_q -c 'SHOW server_version'), $n orders" \
	    "($(uname -m), $(nproc) cpu)"
	printf '%-36s %12s %12s %7s %8s  %s\n' what uoms other ratio target ""
	r=$(awk '{ print $2 / $1 }' "$dir/load" | median)
	u=$(awk '{ print $1 }' "$dir/load" | median)
	c=$(awk '{ print $2 }' "$dir/load" | median)
	[ "${UOMS_BENCH_ONLY-}" = j ] ||
	row "i) load, orders/s vs psql \\copy" "$(calc "$n / $u" 0)" \
	    "$(calc "$n / $c" 0)" "$(calc "$r")" ">=0.3" "$(ge "$r" 0.3)"
	r=$(awk '{ print $2 / $1 }' "$dir/pipe" | median)
	a=$(awk '{ print $1 }' "$dir/pipe" | median)
	b=$(awk '{ print $2 }' "$dir/pipe" | median)
	row "j) query|status, rows/s vs SQL" "$(calc "$m / $a" 0)" \
	    "$(calc "$m / $b" 0)" "$(calc "$r")" ">=0.3" "$(ge "$r" 0.3)"
	[ "${UOMS_BENCH_ONLY-}" = j ] ||
	row "k) query all, peak RSS MiB vs 1 row" "$(calc "$qkib / 1024" 1)" \
	    "$(calc "$q1kib / 1024" 1)" "$(calc "$qkib / $q1kib")" "<64MiB" \
	    "$(calc "$qkib < 64 * 1024" 0)"
	# Row j alone made neither schema: nothing to drop is no failure.
	psql_q -c "DROP SCHEMA IF EXISTS u2 CASCADE; DROP SCHEMA IF EXISTS c2 CASCADE" \
	    >/dev/null 2>&1 || true
done
