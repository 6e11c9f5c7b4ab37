#!/bin/bash
# make bench: uoms against its peers and its limits on the same generated
# orders (t/bench/gen-orders), as ratios, each beside its goal (issue 14's
# "Speed goals"); then the PostgreSQL, serve, fetch and reports tables.
#   bash t/bench/run.sh [--quick | --large | --size N]
# The default: the table at 100 000 and at 1 000 000 orders, then the
# scale table (100 000 against 1 000 000). --quick: 20 000, and the scale
# table 20 000 against 200 000. --large: 1 000 000 alone. --size N: the
# table at N and the scale table N against 10 N, and no other table (for
# work on the SQLite rows).
#
# Every row is a comparison run as rounds, A B A B ... (pairs below):
# whole processes, each side on a fresh copy where it writes, the ratio
# of the round's two times taken per round, the median of those ratios
# shown with their min-max. A time alone is never a figure here: the
# machine is shared and noisy, so the load (uptime) heads each table.
# Bash, not sh, for EPOCHREALTIME: a clock read without a fork, so a
# few-millisecond tool is not timed with the cost of date(1).
# Needs build/bin and build/t on PATH, bash, sqlite3, sqlite-utils and
# GNU time (/usr/bin/time). A SHORT row is reported, not a failure; a
# side that fails or stores other than it should is (on stderr).
set -u
set -f

rounds=5	# rounds a row: at least 5 (issue 14); odd, for a plain median
reps=20		# runs a sample of a one-shot tool, so a sample is ~0.1 s
# t/0016 runs the tables for their shape, not their figures: fewer.
rounds=${UOMS_BENCH_ROUNDS:-$rounds} reps=${UOMS_BENCH_REPS:-$reps}
max_reps=$reps
scale=		# S: the scale table compares S orders with 10 S
case "${1-}" in
"")		sizes="100000 1000000"; scale=100000 ;;
--quick)	sizes=20000; scale=20000 ;;
--large)	sizes=1000000 ;;
--size)		[ "${2-}" -gt 0 ] 2>/dev/null || {
			echo "usage: run.sh --size N" >&2; exit 2; }
		sizes=$2; scale=$2 ;;
*)		echo "usage: run.sh [--quick | --large | --size N]" >&2
		exit 2 ;;
esac

dir=$(mktemp -d "${TMPDIR:-/tmp}/uoms-bench.XXXXXX") || exit 3
trap 'rm -rf "$dir"' EXIT
trap 'exit 130' INT TERM

. "$(dirname "$0")/pairs.sh"

# store_copy FROM TO: a copy of a store as a fresh side starts from
store_copy() {
	rm -f "$2" "$2-wal" "$2-shm"
	cp "$1" "$2" || exit 3
	if [ -f "$1-wal" ]; then cp "$1-wal" "$2-wal" || exit 3; fi
}
store_rm() { rm -f "$1" "$1-wal" "$1-shm"; }
count() { sqlite3 "$1" "SELECT count(*) FROM ${2:-orders}"; }
# expect STORE TABLE N: a side's store holds what it should, or its
# figures mean nothing
expect() {
	local c
	c=$(count "$1" "$2")
	[ "$c" = "$3" ] || fail "${1##*/}: $c rows in $2, not $3"
}

# The sides. $in is the input, $n its orders, $dir/empty.db a store with
# the schema and no orders.
ing_uoms_prep() { store_copy "$dir/empty.db" "$dir/u.db"; }
ing_uoms() {
	/usr/bin/time -f %M -a -o "$dir/rss-u" \
	    uoms-upsert -d "$dir/u.db" <"$in" >/dev/null
}
ing_su_prep() { store_rm "$dir/s.db"; }
ing_su() {
	sqlite-utils upsert --nl --pk channel --pk external_order_id \
	    "$dir/s.db" orders "$in" >/dev/null
}
ing_loader_prep() { store_copy "$dir/empty.db" "$dir/l.db"; }
ing_loader() {
	/usr/bin/time -f %M -a -o "$dir/rss-l" \
	    loader "$dir/l.db" <"$in" 2>/dev/null
}
# a2: the loader as it was, orders, items and events alone
ing_bare_prep() { store_copy "$dir/empty.db" "$dir/l2.db"; }
ing_bare() { loader --bare "$dir/l2.db" <"$in" 2>/dev/null; }
ing_raw_prep() { store_rm "$dir/r.db"; }
ing_raw() { loader --raw "$dir/r.db" <"$in" 2>/dev/null; }
ing_sql_prep() { store_copy "$dir/empty.db" "$dir/q.db"; }
ing_sql() { sqlite3 "$dir/q.db" <"$dir/route.sql" >/dev/null; }
re_uoms() { uoms-upsert -d "$dir/u.db" <"$in" >/dev/null; }
re_su() { ing_su; }
# The floor of a re-run on this schema (t/bench/loader.c --skip): each
# line hashed, looked up by its hash, its kept record printed; no checks.
re_skip() { loader --skip "$dir/u.db" <"$in" >/dev/null 2>&1; }

# route.sql: the sqlite3 program's set-based route into the same schema:
# the lines staged by .import (one field a line: no separator occurs in
# JSON lines), then one INSERT ... SELECT for the orders, one for their
# items and one for their events, in one transaction.
J() { echo "json_extract(line, '\$.$1')"; }
route_sql() {
	local now="strftime('%Y-%m-%dT%H:%M:%SZ', 'now')"
	cat <<EOF
PRAGMA journal_mode = WAL;
PRAGMA synchronous = NORMAL;
PRAGMA foreign_keys = ON;
BEGIN IMMEDIATE;
CREATE TEMP TABLE stage (line TEXT);
.mode ascii
.separator "\037" "\n"
.import $in stage
INSERT INTO orders (channel, external_order_id, order_no, kind, workflow,
    status, version, department, warehouse, customer, shipping, eta,
    driver, placed_at, channel_updated_at, depart_time, complete_time,
    total_amount, currency, created_at, updated_at)
SELECT $(J channel), $(J external_order_id), $(J order_no),
    coalesce($(J kind), 'delivery'), 'dispatch', 'WAITING', 1,
    $(J department), $(J warehouse), $(J customer), $(J shipping), $(J eta),
    $(J driver), $(J placed_at), $(J channel_updated_at), $(J depart_time),
    $(J complete_time), $(J total_amount), $(J currency), $now, $now
FROM temp.stage;
INSERT INTO order_items (order_id, external_item_id, seq, sku, name,
    quantity, unit_price)
SELECT o.id, json_extract(i.value, '\$.external_item_id'), i.key,
    json_extract(i.value, '\$.sku'), json_extract(i.value, '\$.name'),
    json_extract(i.value, '\$.quantity'),
    json_extract(i.value, '\$.unit_price')
FROM temp.stage s, json_each(s.line, '\$.items') i
JOIN orders o ON o.channel = $(J channel)
    AND o.external_order_id = $(J external_order_id);
INSERT INTO events (order_id, type, from_state, to_state, actor, at,
    version, details)
SELECT o.id, 'created', NULL, 'WAITING', 'sqlite3', $now, 1, NULL
FROM temp.stage s JOIN orders o ON o.channel = $(J channel)
    AND o.external_order_id = $(J external_order_id);
COMMIT;
EOF
}

# The status pipeline on $m WAITING orders (the newest, as uoms-query
# --limit takes them) and the same change in plain SQL: the events by one
# INSERT ... SELECT, then one UPDATE, in one transaction.
pipe_uoms_prep() { store_copy "$dir/u.db" "$dir/p.db"; }
pipe_uoms() {
	uoms-query -d "$dir/p.db" --status WAITING --limit "$m" |
	    uoms-status -d "$dir/p.db" --to IN_PROGRESS >/dev/null
}
pipe_sql_prep() { store_copy "$dir/u.db" "$dir/v.db"; }
pipe_sql() {
	local now="strftime('%Y-%m-%dT%H:%M:%SZ', 'now')"
	local ids="SELECT id FROM orders WHERE status = 'WAITING'
	    ORDER BY id DESC LIMIT $m"
	sqlite3 "$dir/v.db" "BEGIN IMMEDIATE;
	INSERT INTO events (order_id, type, from_state, to_state, actor, at,
	    version, details)
	SELECT id, 'status', status, 'IN_PROGRESS', 'bench', $now,
	    version + 1, '{}'
	FROM orders WHERE id IN ($ids);
	UPDATE orders SET status = 'IN_PROGRESS', version = version + 1,
	    depart_time = $now, updated_at = $now
	WHERE id IN ($ids);
	COMMIT;"
}

# One-shot tools against the sqlite3 program's least: opening the store
# for `select 1`. uoms-status moves an order no run has moved before (ids
# from 1 up, on a copy of its own), so every run does the same work on
# the same store (a sample is $reps runs: a copy between them would be
# timed).
one_sqlite3() { rep "$reps" sqlite3 "$dir/g.db" 'select 1' >/dev/null; }
one_query() {
	rep "$reps" uoms-query -d "$dir/g.db" --limit 1 >/dev/null
}
one_status() {
	local i
	for ((i = 0; i < reps; i++)); do
		moved=$((moved + 1))
		uoms-status -d "$dir/g.db" --to IN_PROGRESS "$moved" \
		    >/dev/null || return
	done
}
# g2: the sqlite3 program making the same durable change itself (the
# limit of a one-shot write: the WAL's syncs and files are in it): the
# order's UPDATE and its event in one transaction, the row read back,
# with uoms' settings; orders from the last id ($last: pairs has an n of
# its own) down, none moved twice.
one_change() {
	local i id stamp="strftime('%Y-%m-%dT%H:%M:%SZ', 'now')"
	for ((i = 0; i < reps; i++)); do
		id=$((last - changed))
		changed=$((changed + 1))
		sqlite3 "$dir/g.db" "PRAGMA synchronous = NORMAL;
		    PRAGMA foreign_keys = ON; BEGIN IMMEDIATE;
		    UPDATE orders SET status = 'IN_PROGRESS',
		    version = version + 1, depart_time = $stamp,
		    updated_at = $stamp WHERE id = $id;
		    INSERT INTO events (order_id, type, from_state, to_state,
		    actor, at, version, details) SELECT id, 'status', 'WAITING',
		    'IN_PROGRESS', 'bench', $stamp, version, '{}' FROM orders
		    WHERE id = $id; COMMIT; SELECT * FROM orders WHERE id = $id" \
		    >/dev/null || return
	done
}

# table N: the rows at N orders, each printed as soon as it is measured;
# it keeps its uoms store for the scale table (u-N.db)
table() {
	local s
	n=$1
	in=$dir/orders-$n.jsonl
	gen-orders --count "$n" >"$in" || exit 3
	store_rm "$dir/empty.db"
	uoms-upsert -d "$dir/empty.db" </dev/null || exit 3
	route_sql >"$dir/route.sql"
	rm -f "$dir"/rss-*

	title "$n orders, $(calc "$(wc -c <"$in") / $n" 0) bytes a line"
	head_row
	# Fresh ingest: uoms against every other route, all five a round.
	pairs "$rounds" ing_uoms -- ing_loader -- ing_su -- ing_raw -- \
	    ing_sql -- ing_bare
	for s in u l l2 q; do
		expect "$dir/$s.db" orders "$n"
		expect "$dir/$s.db" events "$n"
	done
	expect "$dir/s.db" orders "$n"
	expect "$dir/r.db" lines "$n"
	items=$(count "$dir/u.db" order_items)
	for s in l l2 q; do expect "$dir/$s.db" order_items "$items"; done
	for s in u l; do
		expect "$dir/$s.db" order_renderings "$n"
		expect "$dir/$s.db" channel_words "$n"
		expect "$dir/$s.db" "orders WHERE line_hash IS NOT NULL" "$n"
	done
	row "a) ingest, orders/s vs loader" "$(per_s "$n" 0)" \
	    "$(per_s "$n" 1)" 1 ">=0.8"
	row "b) ingest, orders/s vs sqlite-utils" "$(per_s "$n" 0)" \
	    "$(per_s "$n" 2)" 2 ">=3.5"
	row "q) ingest, orders/s vs schema-free loader" "$(per_s "$n" 0)" \
	    "$(per_s "$n" 3)" 3 limit
	row "r) ingest, orders/s vs sqlite3 INSERT..SELECT" "$(per_s "$n" 0)" \
	    "$(per_s "$n" 4)" 4 -
	row "a2) ingest vs loader w/o digest, word, record" "$(per_s "$n" 0)" \
	    "$(per_s "$n" 5)" 5 -

	# Unchanged re-run, on the stores the last round left.
	pairs "$rounds" re_uoms -- re_su -- re_skip
	row "c) re-run, orders/s vs sqlite-utils" "$(per_s "$n" 0)" \
	    "$(per_s "$n" 1)" 1 ">=15"
	row "c2) re-run vs minimal hash-skip loader" "$(per_s "$n" 0)" \
	    "$(per_s "$n" 2)" 2 limit

	# Peak RSS, the greatest of the rounds': a size, not a time.
	ukib=$(sort -n "$dir/rss-u" | tail -n 1)
	lkib=$(sort -n "$dir/rss-l" | tail -n 1)
	printf '%-46s %10s %10s %6s %11s %7s  %s\n' \
	    "d) ingest, peak RSS MiB vs loader" "$(calc "$ukib / 1024" 1)" \
	    "$(calc "$lkib / 1024" 1)" "$(calc "$ukib / $lkib")x" "" "<64MiB" \
	    "$(if [ "$ukib" -lt 65536 ]; then echo PASS; else echo SHORT; fi)"

	# One-shot tools: sqlite3 is side A, so the ratios are uoms' times.
	store_copy "$dir/u.db" "$dir/g.db"
	moved=0 changed=0 last=$n
	pairs "$rounds" one_sqlite3 -- one_query -- one_status -- one_change
	expect "$dir/g.db" "orders WHERE status = 'IN_PROGRESS'" \
	    "$((moved + changed))"
	row "e) query --limit 1, ms vs sqlite3 select 1" "$(ms 1 "$reps")" \
	    "$(ms 0 "$reps")" 1 "<=2"
	row "g) one uoms-status, ms vs sqlite3 select 1" "$(ms 2 "$reps")" \
	    "$(ms 0 "$reps")" 2 "<=2"
	row "g2) sqlite3's same change, ms vs its select 1" "$(ms 3 "$reps")" \
	    "$(ms 0 "$reps")" 3 limit

	sqlite3 "$dir/u.db" 'PRAGMA wal_checkpoint(TRUNCATE)' >/dev/null
	m=10000
	[ "$n" -lt $((2 * m)) ] && m=$((n / 2))
	pairs "$rounds" pipe_uoms -- pipe_sql
	for s in p v; do
		expect "$dir/$s.db" "orders WHERE status = 'IN_PROGRESS'" "$m"
	done
	row "f) query|status $m, rows/s vs SQL" "$(per_s "$m" 0)" \
	    "$(per_s "$m" 1)" 1 ">=0.5"
	echo "(load at the end $(uptime | sed 's/.*load average: //'))"

	# The scale table's stores; the rest goes, to keep the disk free.
	store_copy "$dir/u.db" "$dir/u-$n.db"
	for s in u s l r q p v g; do store_rm "$dir/$s.db"; done
	[ "$n" = "${scale:-0}" ] || rm -f "$in"
}

# The scale table: ingest into a store of 10 S orders against an empty
# one, and every filter of uoms-query (uoms-query --help) at 10 S against
# S, each with --limit 100, so that a filter's time is finding its
# orders, not printing more of them.
sc_empty_prep() { store_copy "$dir/empty.db" "$dir/e.db"; }
sc_empty() { uoms-upsert -d "$dir/e.db" <"$in" >/dev/null; }
sc_big_prep() { store_copy "$big" "$dir/b.db"; }
sc_big() { uoms-upsert -d "$dir/b.db" <"$in" >/dev/null; }
# s2: the same with the minimal loader (the schema's own cost, the limit)
sc_lempty_prep() { sc_empty_prep; }
sc_lempty() { loader "$dir/e.db" <"$in" 2>/dev/null; }
sc_lbig_prep() { sc_big_prep; }
sc_lbig() { loader "$dir/b.db" <"$in" 2>/dev/null; }
q_at() {
	local db=$1
	shift
	rep "$reps" uoms-query -d "$db" --limit 100 "$@" >/dev/null
}
q_small() { q_at "$small" "$@"; }
q_big() { q_at "$big" "$@"; }
# at SQL: a value from the small store's middle order
at() { sqlite3 "$small" "SELECT $1 FROM orders WHERE id = $mid"; }
# plus COLUMN MINUTES: the middle order's time COLUMN, MINUTES later
plus() { at "strftime('%Y-%m-%dT%H:%M:%SZ', $1, '+$2 minutes')"; }

scale_table() {
	local s=$1 b=$(($1 * 10))
	small=$dir/u-$s.db big=$dir/u-$b.db mid=$(($1 / 2))
	if [ ! -f "$big" ]; then
		gen-orders --count "$b" | uoms-upsert -d "$big" >/dev/null ||
		    exit 3
		sqlite3 "$big" 'PRAGMA wal_checkpoint(TRUNCATE)' >/dev/null
	fi
	expect "$big" orders "$b"
	store_rm "$dir/empty.db"
	uoms-upsert -d "$dir/empty.db" </dev/null || exit 3

	title "scale: $s orders against $b"
	printf '%-46s %10s %10s %6s %11s %7s\n' what "at $b" "at $s" ratio \
	    min-max goal
	# s orders more, new ones: a copy of the big store and of the empty
	# one each round.
	in=$dir/new.jsonl
	gen-orders --start "$b" --count "$s" >"$in" || exit 3
	pairs "$rounds" sc_empty -- sc_big
	expect "$dir/b.db" orders $((b + s))
	row "s) ingest $s, orders/s vs into empty" "$(per_s "$s" 1)" \
	    "$(per_s "$s" 0)" 1 "<=1.3"
	# The limit: what the schema itself costs at 10 S, with no
	# validation, lookup or output (t/bench/loader.c, one transaction).
	pairs "$rounds" sc_lempty -- sc_lbig
	expect "$dir/b.db" orders $((b + s))
	row "s2) loader $s into $b vs into empty" "$(per_s "$s" 1)" \
	    "$(per_s "$s" 0)" 1 limit
	store_rm "$dir/b.db"
	store_rm "$dir/e.db"

	filter_rows "$b"
}

for n in $sizes; do
	table "$n"
done
[ -z "$scale" ] || scale_table "$scale"
[ "${1-}" != --size ] || exit 0

# Issue 11: the same on PostgreSQL, against psql's \copy and plain SQL.
bash "$(dirname "$0")/pg.sh" ${1-}

# Issue 12: uoms-serve against FastAPI + uvicorn and a minimal
# libmicrohttpd program, with wrk.
sh "$(dirname "$0")/serve.sh" ${1-}

# Issue 4: fetching pages from a local fake channel against curl.
echo
echo "fetch (http-jsonl, local fake server)"
sh "$(dirname "$0")/fetch.sh"
# Issue 5: each report against hand-written SQL, when the report tool exists.
if [ -f "$(dirname "$0")/reports.sh" ] && command -v uoms-report >/dev/null; then
	echo
	sh "$(dirname "$0")/reports.sh" ${1-}
fi
