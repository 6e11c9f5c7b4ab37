#!/bin/bash
# make bench (PostgreSQL): uoms on a throwaway PostgreSQL (t/pg.sh, on a
# Unix socket, fsync off as in make check) against psql and plain SQL on
# the same rows, as ratios beside their goals: the same rows as the
# SQLite table (t/bench/run.sh), the peers being the engine's own routes.
#   bash t/bench/pg.sh [--quick | --large | --size N]
# The default: the table at 100 000 orders, then the scale table (100 000
# against 1 000 000). --quick: 20 000, and 20 000 against 200 000.
# --large: the table at 1 000 000 alone. --size N: N, and N against 10 N.
# UOMS_BENCH_ROUNDS and UOMS_BENCH_REPS: fewer rounds and runs (t/0016).
#
# Every row is a comparison run as rounds, A B A B ... (t/bench/pairs.sh):
# each side that writes does so in a database of its own, made untimed
# before it from a template (CREATE DATABASE ... TEMPLATE, the engine's
# file copy), so every round starts from the same state.
# Needs build/bin and build/t on PATH, bash, psql, the Debian postgresql
# server and GNU time. Prints nothing but a note when there is no server.
set -u
set -f

rounds=5	# rounds a row: at least 5 (issue 14); odd, for a plain median
reps=10		# runs a sample of a one-shot tool (a connection each)
rounds=${UOMS_BENCH_ROUNDS:-$rounds} reps=${UOMS_BENCH_REPS:-$reps}
max_reps=$reps
scale=
case "${1-}" in
"")		sizes=100000; scale=100000 ;;
--quick)	sizes=20000; scale=20000 ;;
--large)	sizes=1000000 ;;
--size)		[ "${2-}" -gt 0 ] 2>/dev/null || {
			echo "usage: pg.sh --size N" >&2; exit 2; }
		sizes=$2; scale=$2 ;;
*)		echo "usage: pg.sh [--quick | --large | --size N]" >&2
		exit 2 ;;
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

. "$src/t/bench/pairs.sh"

if ! command -v psql >/dev/null ||
    ! url=$(sh "$src/t/pg.sh" start "$dir/pg" 2>"$dir/pg.err"); then
	url=
	echo
	echo "PostgreSQL: no table ($(cat "$dir/pg.err" 2>/dev/null))"
	exit 0
fi

# db NAME: the store URL of database NAME on the server
db() { echo "postgresql:///$1?host=$dir/pg&user=uoms"; }
# sql NAME ARGS...: psql on database NAME, quiet, stopping at an error
sql() {
	local d=$1
	shift
	PGOPTIONS='-c client_min_messages=warning' \
	    psql -qAtX -v ON_ERROR_STOP=1 "$(db "$d")" "$@"
}
# mkdb NAME TEMPLATE: NAME afresh as a file copy of TEMPLATE, written out
# (the copy's checkpoints) before a side is timed in it
mkdb() {
	sql uoms -c "DROP DATABASE IF EXISTS $1" \
	    -c "CREATE DATABASE $1 TEMPLATE $2 STRATEGY FILE_COPY" || exit 3
}
count() { sql "$1" -c "SELECT count(*) FROM ${2:-orders}"; }
expect() {
	local c
	c=$(count "$1" "$2")
	[ "$c" = "$3" ] || fail "$1: $c rows in $2, not $3"
}
stamp="to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"

# The sides. $in is the input, $n its orders; database empty has the
# schema and no orders; $dir/T.copy each table uoms wrote (in $tables),
# as a first untimed uoms-upsert stored it.
ing_uoms_prep() { mkdb u empty; }
ing_uoms() {
	/usr/bin/time -f %M -a -o "$dir/rss-u" \
	    uoms-upsert -d "$(db u)" <"$in" >/dev/null
}
# psql's \copy of the same rows, in one transaction, and the sequences
# set past them as a load that others insert after must.
ing_copy_prep() { mkdb c empty; }
ing_copy() {
	local tb
	{
		for tb in $tables; do
			echo "\\copy $tb FROM '$dir/$tb.copy'"
		done
		for tb in $serials; do
			echo "SELECT setval(pg_get_serial_sequence('$tb', 'id'),
			    max(id)) FROM $tb;"
		done
	} | sql c -1 >/dev/null
}
# The unchanged re-run: uoms-upsert again on the store the last round
# left; against it the engine's own no-op upsert of the same orders:
# staged by \copy, then INSERT ... ON CONFLICT DO NOTHING.
re_uoms() { uoms-upsert -d "$(db u)" <"$in" >/dev/null; }
re_copy() {
	sql c -1 -c "CREATE TEMP TABLE stage (LIKE orders)" \
	    -c "\\copy stage FROM '$dir/orders.copy'" \
	    -c "INSERT INTO orders SELECT * FROM stage ON CONFLICT DO NOTHING" \
	    >/dev/null
}

one_psql() { rep "$reps" sql g -c 'select 1' >/dev/null; }
one_query() { rep "$reps" uoms-query -d "$(db g)" --limit 1 >/dev/null; }
one_status() {
	local i
	for ((i = 0; i < reps; i++)); do
		moved=$((moved + 1))
		uoms-status -d "$(db g)" --to IN_PROGRESS "$moved" \
		    >/dev/null || return
	done
}

# The status pipeline on $m WAITING orders (the newest, as uoms-query
# --limit takes them) and the same change in plain SQL, in one
# transaction: the events by one INSERT ... SELECT, then one UPDATE.
pipe_uoms_prep() { mkdb p u; }
pipe_uoms() {
	uoms-query -d "$(db p)" --status WAITING --limit "$m" |
	    uoms-status -d "$(db p)" --to IN_PROGRESS >/dev/null
}
pipe_sql_prep() { mkdb v u; }
pipe_sql() {
	local w="id IN (SELECT id FROM orders WHERE status = 'WAITING'
	    ORDER BY id DESC LIMIT $m)"
	sql v -1 -c "INSERT INTO events (order_id, type, from_state, to_state,
	    actor, at, version, details)
	SELECT id, 'status', status, 'IN_PROGRESS', 'bench', $stamp,
	    version + 1, '{}' FROM orders WHERE $w" \
	    -c "UPDATE orders SET status = 'IN_PROGRESS', version = version + 1,
	    depart_time = $stamp, updated_at = $stamp WHERE $w" >/dev/null
}

# table N: the rows at N orders; database u keeps its store for the
# scale table
table() {
	local tb	# not t: pairs sets t, the sides' times
	n=$1
	in=$dir/orders-$n.jsonl
	gen-orders --count "$n" >"$in" || exit 3
	mkdb empty template0
	uoms-upsert -d "$(db empty)" </dev/null || exit 3
	# The rows uoms stores for these orders, for psql to load: every
	# table a first run adds rows to (orders first, for the references).
	mkdb ref empty
	uoms-upsert -d "$(db ref)" <"$in" >/dev/null || exit 3
	tables= serials=
	for tb in $(sql ref -c "SELECT tablename FROM pg_tables WHERE
	    schemaname = 'public' ORDER BY tablename = 'orders' DESC,
	    tablename"); do
		[ "$(count ref "$tb")" != "$(count empty "$tb")" ] || continue
		sql ref -c "\\copy $tb TO '$dir/$tb.copy'" || exit 3
		tables="$tables $tb"
		[ -z "$(sql ref -c "SELECT pg_get_serial_sequence('$tb', 'id')" \
		    2>/dev/null)" ] || serials="$serials $tb"
	done
	sql uoms -c "DROP DATABASE ref" || exit 3
	rm -f "$dir"/rss-*

	title "PostgreSQL $(sql uoms -c 'SHOW server_version' |
	    cut -d' ' -f1), $n orders"
	head_row
	pairs "$rounds" ing_uoms -- ing_copy
	for tb in $tables; do
		expect c "$tb" "$(count u "$tb")"
	done
	expect u orders "$n"
	row "i) ingest, orders/s vs psql \\copy" "$(per_s "$n" 0)" \
	    "$(per_s "$n" 1)" 1 ">=0.3"

	pairs "$rounds" re_uoms -- re_copy
	expect u orders "$n"
	expect c orders "$n"
	row "c) re-run, orders/s vs psql ON CONFLICT" "$(per_s "$n" 0)" \
	    "$(per_s "$n" 1)" 1 -

	# Peak RSS: of the ingest, and of a read of every order.
	ukib=$(sort -n "$dir/rss-u" | tail -n 1)
	/usr/bin/time -f %M -o "$dir/rss-q" uoms-query -d "$(db u)" >/dev/null
	qkib=$(tail -n 1 "$dir/rss-q")
	printf '%-46s %10s %10s %6s %11s %7s  %s\n' \
	    "d) ingest, peak RSS MiB" "$(calc "$ukib / 1024" 1)" "" "" "" \
	    "<64MiB" "$(if [ "$ukib" -lt 65536 ]; then echo PASS; else
	    echo SHORT; fi)"
	printf '%-46s %10s %10s %6s %11s %7s  %s\n' \
	    "k) query all, peak RSS MiB" "$(calc "$qkib / 1024" 1)" "" "" "" \
	    "<64MiB" "$(if [ "$qkib" -lt 65536 ]; then echo PASS; else
	    echo SHORT; fi)"

	# The plans of what follows, as autovacuum would have left them.
	sql u -c "VACUUM (ANALYZE)" -c CHECKPOINT || exit 3
	mkdb g u
	moved=0
	pairs "$rounds" one_psql -- one_query -- one_status
	expect g "orders WHERE status = 'IN_PROGRESS'" "$moved"
	row "e) query --limit 1, ms vs psql select 1" "$(ms 1 "$reps")" \
	    "$(ms 0 "$reps")" 1 "<=2"
	row "g) one uoms-status, ms vs psql select 1" "$(ms 2 "$reps")" \
	    "$(ms 0 "$reps")" 2 "<=2"
	sql uoms -c "DROP DATABASE g" || exit 3

	m=10000
	[ "$n" -lt $((2 * m)) ] && m=$((n / 2))
	pairs "$rounds" pipe_uoms -- pipe_sql
	for tb in p v; do
		expect "$tb" "orders WHERE status = 'IN_PROGRESS'" "$m"
	done
	row "j) query|status $m, rows/s vs SQL" "$(per_s "$m" 0)" \
	    "$(per_s "$m" 1)" 1 ">=0.5"
	echo "(load at the end $(uptime | sed 's/.*load average: //'))"
	for tb in c p v; do sql uoms -c "DROP DATABASE $tb" || exit 3; done
	rm -f "$in" "$dir"/*.copy
}

# The scale table: ingest into a store of 10 S orders against an empty
# one, and every filter of uoms-query at 10 S against S, each with
# --limit 100 (as t/bench/run.sh's).
sc_empty_prep() { mkdb e empty; }
sc_empty() { uoms-upsert -d "$(db e)" <"$in" >/dev/null; }
sc_big_prep() { mkdb b big; }
sc_big() { uoms-upsert -d "$(db b)" <"$in" >/dev/null; }
q_at() {
	local d=$1
	shift
	rep "$reps" uoms-query -d "$(db "$d")" --limit 100 "$@" >/dev/null
}
q_small() { q_at small "$@"; }
q_big() { q_at big "$@"; }
# at SQL: a value from the small store's middle order
at() { sql small -c "SELECT $1 FROM orders WHERE id = $mid"; }
# plus COLUMN MINUTES: the middle order's time COLUMN, MINUTES later
plus() {
	at "to_char(($1::timestamptz + interval '$2 minutes') AT TIME ZONE
	    'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"
}

scale_table() {
	local s=$1 b=$(($1 * 10))
	mid=$(($1 / 2))
	# The small store is the table's (database u, vacuumed); the big one
	# is loaded once, untimed, and vacuumed as autovacuum would.
	sql uoms -c "ALTER DATABASE u RENAME TO small" || exit 3
	mkdb big empty
	gen-orders --count "$b" | uoms-upsert -d "$(db big)" >/dev/null ||
	    exit 3
	sql big -c "VACUUM (ANALYZE)" -c CHECKPOINT || exit 3
	expect big orders "$b"

	title "PostgreSQL scale: $s orders against $b"
	printf '%-46s %10s %10s %6s %11s %7s\n' what "at $b" "at $s" ratio \
	    min-max goal
	in=$dir/new.jsonl
	gen-orders --start "$b" --count "$s" >"$in" || exit 3
	pairs "$rounds" sc_empty -- sc_big
	expect b orders $((b + s))
	row "s) ingest $s, orders/s vs into empty" "$(per_s "$s" 1)" \
	    "$(per_s "$s" 0)" 1 "<=1.3"
	sql uoms -c "DROP DATABASE b" -c "DROP DATABASE e" || exit 3

	filter_rows "$b"
}

for n in $sizes; do
	table "$n"
done
[ -z "$scale" ] || scale_table "$scale"
