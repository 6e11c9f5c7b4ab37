#!/bin/sh
# make bench (reports): each uoms-report over 1 000 000 orders and their
# events against the best SQL we could write by hand for the same figures,
# run by the sqlite3 CLI on the same store, as ratios (target <= 1.5).
#   sh t/bench/reports.sh [--quick]        (--quick: 100 000 orders)
# Needs build/bin and build/t on PATH, sqlite3, perl and python3.
# REPORTS_DB=PATH reuses a store made by an earlier run (kept, not removed).
# A SHORT row is reported, not a failure; figures that differ are.
set -u

case "${1-}" in
"")		n=1000000 ;;
--quick)	n=100000 ;;
*)		echo "usage: reports.sh [--quick]" >&2; exit 2 ;;
esac
runs=5

dir=$(mktemp -d "${TMPDIR:-/tmp}/uoms-reports.XXXXXX") || exit 3
trap 'rm -rf "$dir"' EXIT
trap 'exit 130' INT TERM
calc() { awk "BEGIN { printf \"%.${2:-2}f\", ($1) }"; }

# median N CMD...: median wall seconds of N runs of CMD.
median() {
	perl -MTime::HiRes=time -e '
		my $n = shift; my @t;
		open my $out, ">&", \*STDOUT or die;
		open STDOUT, ">", "/dev/null" or die;
		for (1 .. $n) {
			my $t0 = time;
			system(@ARGV) == 0 or die "@ARGV: failed\n";
			push @t, time - $t0;
		}
		@t = sort { $a <=> $b } @t; printf $out "%.6f", $t[$n / 2];
	' "$@"
}

# The store: generated orders and catalog, then a share moved on by
# uoms-status (the event log): coupang departs, the part of it placed
# before the 19th completes, woocommerce is cancelled; 1% get a hold.
db=${REPORTS_DB:-$dir/r.db}
if [ ! -s "$db" ]; then
	echo "making $n orders and their events in $db ..." >&2
	gen-orders --count "$n" | uoms-upsert -d "$db" >/dev/null || exit 3
	gen-orders --products | uoms-upsert -d "$db" --products >/dev/null ||
	    exit 3
	uoms-query -d "$db" --channel coupang |
	    uoms-status -d "$db" --to IN_PROGRESS >/dev/null
	uoms-query -d "$db" --channel coupang --placed-to 2026-11-19 |
	    uoms-status -d "$db" --action complete >/dev/null
	uoms-query -d "$db" --channel woocommerce |
	    uoms-status -d "$db" --to CANCEL >/dev/null
	sqlite3 "$db" "INSERT INTO holds (order_id, reason, placed_by,
	    placed_at, state, updated_at) SELECT id, 'other', 'bench',
	    placed_at, CASE id % 3 WHEN 0 THEN 'open' WHEN 1 THEN
	    'acknowledged' ELSE 'resolved' END, placed_at FROM orders
	    WHERE id % 100 = 0" || exit 3
fi
count=$(sqlite3 "$db" 'SELECT count(*) FROM orders')
events=$(sqlite3 "$db" "SELECT count(*) FROM events WHERE type = 'status'")

# The hand-written SQL. Days and hours in Asia/Seoul (no DST: +9 hours);
# totals from the grouped rows (a materialized CTE), as the reports have.
status_sql="WITH g AS MATERIALIZED (SELECT department AS k, status AS s,
  count(*) AS n FROM orders GROUP BY 1, 2)
SELECT k, s, n FROM g UNION ALL SELECT 'TOTAL', s, sum(n) FROM g GROUP BY s
UNION ALL SELECT 'TOTAL', NULL, sum(n) FROM g;"

hourly_sql="WITH g AS MATERIALIZED (SELECT (substr(placed_at, 12, 2) + 9) % 24
  AS h, count(*) AS n FROM orders WHERE placed_at IS NOT NULL GROUP BY 1)
SELECT h, n FROM g UNION ALL SELECT 'TOTAL', sum(n) FROM g;"

# The units sold of an item, an order's refund, and the cost of an item
# at the time of sale (uoms-report(1): the history of the order's
# channel, else the shared one; the latest at or before placed_at, else
# the earliest; else the catalog's cost). The generated store is of one
# currency, so the totals of the SQL are the report's one totals row.
sold="(i.quantity - coalesce(json_extract(i.extra, '\$.cancelled_quantity'), 0))"
refund="coalesce(json_extract(o.extra, '\$.refunded_amount'), 0)"
cost_ch="coalesce((SELECT h.channel FROM product_costs h
    WHERE h.channel = o.channel AND h.sku = i.sku LIMIT 1), '')"
cost="coalesce((SELECT pc.cost FROM product_costs pc WHERE pc.sku = i.sku
    AND pc.channel = $cost_ch AND rtrim(pc.valid_from, 'Z') <=
    rtrim(o.placed_at, 'Z') ORDER BY rtrim(pc.valid_from, 'Z') DESC LIMIT 1),
  (SELECT pc.cost FROM product_costs pc WHERE pc.sku = i.sku
    AND pc.channel = $cost_ch ORDER BY rtrim(pc.valid_from, 'Z') LIMIT 1),
  (SELECT p.cost FROM products p WHERE p.sku = i.sku
    AND p.channel IN (o.channel, '') ORDER BY p.channel = '' LIMIT 1))"

# The orders and their items, one row an item (or an order without
# items), with the units sold, the refund and the cost at the time of
# sale; alias o.
lines_sql() {
	cat <<EOF
(SELECT o.id, o.channel, o.department, o.placed_at,
  o.status IN ('CANCEL', 'cancelled') AS cx, $refund AS refund,
  coalesce(i.seq, 0) = 0 AS first, i.order_id IS NOT NULL AS has_item,
  i.sku, i.name, $sold AS sold, i.unit_price, $cost AS cost
FROM orders o $1 JOIN order_items i ON i.order_id = o.id
WHERE o.placed_at IS NOT NULL $2) o
EOF
}

# sales KEY WHERE: one pass over orders and their items; an order's first
# item (seq 0) counts the order once, and takes its refund.
sales_sql() {
	cat <<EOF
WITH g AS MATERIALIZED (
SELECT $1 AS k,
  sum(first AND NOT cx) AS orders,
  sum(first AND cx) AS cancelled,
  sum(iif(cx, 0, sold)) AS items,
  sum(iif(cx, 0, sold * unit_price)) -
    sum(iif(first AND NOT cx, refund, 0)) AS revenue,
  sum(iif(cx, 0, sold * cost)) AS cost,
  sum(iif(cx, 0, iif(has_item AND cost IS NULL, sold, 0))) AS uncosted,
  sum(NOT cx AND has_item AND unit_price IS NULL) AS unpriced
FROM $(lines_sql LEFT "$2") GROUP BY 1)
SELECT k, orders, cancelled, items, iif(unpriced, NULL, revenue),
  iif(uncosted, NULL, cost), iif(unpriced OR uncosted, NULL, revenue - cost),
  iif(unpriced OR uncosted OR revenue = 0, NULL,
    round(100.0 * (revenue - cost) / revenue, 1)), uncosted FROM g
UNION ALL SELECT 'TOTAL', sum(orders), sum(cancelled), sum(items),
  iif(sum(unpriced), NULL, sum(revenue)), iif(sum(uncosted), NULL, sum(cost)),
  iif(sum(unpriced) OR sum(uncosted), NULL, sum(revenue) - sum(cost)), NULL,
  sum(uncosted) FROM g;
EOF
}

# By item an order counts once per item it holds, and once in the totals;
# the refunds come off the totals' revenue (the report shares each among
# the order's items).
item_sql="WITH g AS MATERIALIZED (
SELECT sku AS k, max(name) AS name,
  count(DISTINCT id) FILTER (WHERE NOT cx) AS orders,
  count(DISTINCT id) FILTER (WHERE cx) AS cancelled,
  sum(iif(cx, 0, sold)) AS items,
  sum(iif(cx, 0, sold * unit_price)) AS revenue,
  sum(iif(first AND NOT cx, refund, 0)) AS refunds,
  sum(iif(cx, 0, sold * cost)) AS cost,
  sum(iif(cx, 0, iif(cost IS NULL, sold, 0))) AS uncosted,
  sum(NOT cx AND unit_price IS NULL) AS unpriced
FROM $(lines_sql "" "") GROUP BY 1)
SELECT k, name, orders, cancelled, items, iif(unpriced, NULL, revenue),
  iif(uncosted, NULL, cost), iif(unpriced OR uncosted, NULL, revenue - cost),
  iif(unpriced OR uncosted OR revenue = 0, NULL,
    round(100.0 * (revenue - cost) / revenue, 1)), uncosted FROM g
UNION ALL SELECT 'TOTAL', NULL, c.orders, c.cancelled, sum(items),
  iif(sum(unpriced), NULL, sum(revenue) - sum(refunds)),
  iif(sum(uncosted), NULL, sum(cost)),
  iif(sum(unpriced) OR sum(uncosted), NULL, sum(revenue) - sum(refunds) -
  sum(cost)), NULL,
  sum(uncosted) FROM g, (SELECT count(*) FILTER (WHERE NOT cx) AS orders,
  count(*) FILTER (WHERE cx) AS cancelled FROM (SELECT status IN ('CANCEL',
  'cancelled') AS cx FROM orders o WHERE placed_at IS NOT NULL AND EXISTS
  (SELECT 1 FROM order_items i WHERE i.order_id = o.id))) c;"

range_sql="WITH g AS MATERIALIZED (SELECT channel AS c,
  date(placed_at, '+9 hours') AS d, count(*) AS n FROM orders
  WHERE placed_at IS NOT NULL GROUP BY 1, 2)
SELECT c, min(d), max(d), count(*), sum(n) FROM g GROUP BY c
UNION ALL SELECT 'TOTAL', min(d), max(d), count(DISTINCT d), sum(n) FROM g;"

# metrics_sql FROM TO WINDOW NOW FROM-TEXT TO-TEXT: the windows' figures.
# The orders once (materialized), their moves in and out of the backlog
# and of lateness as +1/-1 at a time, summed per window and run along.
metrics_sql() {
	f=$1 t=$2 w=$3 now=$4 ft=$5 tt=$6
	cancel_at="(SELECT max(e.at) FROM events e WHERE e.order_id = orders.id
	    AND e.type = 'status' AND e.to_state = orders.status)"
	cat <<EOF
WITH o AS MATERIALIZED (
  SELECT unixepoch(placed_at) AS p, unixepoch(eta) AS eta,
    CASE WHEN status IN ('WAITING', 'pending_payment', 'pending_acceptance',
        'preparing', 'ready_for_pickup', 'created', 'paid', 'picking', 'packed')
      THEN NULL
      ELSE unixepoch(coalesce(depart_time, complete_time,
        CASE WHEN status IN ('CANCEL', 'cancelled') THEN $cancel_at END,
        updated_at)) END AS l,
    CASE WHEN status IN ('COMPLETE', 'ISSUE', 'CANCEL', 'delivered',
        'cancelled', 'returned')
      THEN unixepoch(coalesce(complete_time, CASE WHEN status IN ('CANCEL',
        'cancelled') THEN $cancel_at END, updated_at)) END AS d,
    workflow = 'dispatch' AS np
  FROM orders WHERE +placed_at < '$tt' AND placed_at IS NOT NULL),
s AS (SELECT l, d, max(eta, p) AS s FROM o WHERE eta IS NOT NULL
  AND max(eta, p) < $now AND (d IS NULL OR d > max(eta, p))),
x AS (
  SELECT p AS t, 1 AS din, np AS dpaid, iif(l IS NULL OR l > p, 1, 0) AS dbl,
    0 AS dlate FROM o
  UNION ALL SELECT l, 0, 0, -1, 0 FROM o WHERE l > p
  UNION ALL SELECT s, 0, 0, 0, 1 FROM s
  UNION ALL SELECT d, 0, 0, 0, -1 FROM s WHERE d IS NOT NULL),
b AS (SELECT iif(t < $f, -1, (t - $f) / $w) AS b, sum(din) AS din,
  sum(dpaid) AS dpaid, sum(dbl) AS dbl, sum(dlate) AS dlate
  FROM x WHERE t < $t GROUP BY 1)
SELECT b, iif(b < 0, 0, din), iif(b < 0, 0, dpaid),
  sum(dbl) OVER (ORDER BY b), sum(dlate) OVER (ORDER BY b) FROM b;
SELECT (unixepoch(e.at) - $f) / $w AS b,
  count(*) FILTER (WHERE e.to_state IN ('IN_PROGRESS', 'in_transit',
    'shipped')),
  count(*) FILTER (WHERE e.to_state IN ('pending_acceptance', 'paid'))
FROM events e JOIN orders o ON o.id = e.order_id WHERE e.type = 'status'
  AND e.at >= '$ft' AND e.at < '$tt' AND e.to_state IN ('IN_PROGRESS',
  'in_transit', 'shipped', 'pending_acceptance', 'paid') GROUP BY 1;
WITH d AS MATERIALIZED (SELECT (unixepoch(e.at) - $f) / $w AS b,
  unixepoch(e.at) - unixepoch(o.placed_at) AS d
  FROM events e JOIN orders o ON o.id = e.order_id WHERE e.type = 'status'
  AND e.at >= '$ft' AND e.at < '$tt' AND o.placed_at IS NOT NULL
  AND e.to_state IN ('IN_PROGRESS', 'in_transit', 'shipped')),
r AS (SELECT b, d, row_number() OVER (PARTITION BY b ORDER BY d) AS rn,
  count(*) OVER (PARTITION BY b) AS n, row_number() OVER (ORDER BY d) AS arn,
  count(*) OVER () AS an FROM d)
SELECT b, min(d) FILTER (WHERE rn >= (n * 50 + 99) / 100),
  min(d) FILTER (WHERE rn >= (n * 95 + 99) / 100) FROM r GROUP BY b
UNION ALL SELECT 'TOTAL', min(d) FILTER (WHERE arn >= (an * 50 + 99) / 100),
  min(d) FILTER (WHERE arn >= (an * 95 + 99) / 100) FROM r;
SELECT (unixepoch(placed_at) - $f) / $w, count(*),
  count(*) FILTER (WHERE state = 'open'),
  count(*) FILTER (WHERE state = 'acknowledged'),
  count(*) FILTER (WHERE state = 'resolved')
FROM holds WHERE placed_at >= '$ft' AND placed_at < '$tt' GROUP BY 1;
SELECT (unixepoch(at) - $f) / $w, count(*) FROM rejects
WHERE at >= '$ft' AND at < '$tt' GROUP BY 1;
EOF
}

# The metrics range: the data's first day (UTC) to tomorrow, by day.
first=$(sqlite3 "$db" "SELECT substr(min(placed_at), 1, 10) FROM orders")
last=$(date -u -d tomorrow +%F)
f=$(date -u -d "$first" +%s)
t=$(date -u -d "$last" +%s)
metrics=$(metrics_sql "$f" "$t" 86400 "$(date +%s)" "${first}T00:00:00" \
    "${last}T00:00:00")
# settlement: one Seoul day, 2026-11-21 (15:00Z the day before on)
settle=$(sales_sql o.channel "AND o.placed_at >= '2026-11-20T15:00:00'
    AND o.placed_at < '2026-11-21T15:00:00'")

# same WHAT REPORT SQL: the totals row of the report (jsonl) and the
# TOTAL row of the SQL agree on their first figures.
same() {
	uoms-report -d "$db" $2 --tz Asia/Seoul >"$dir/r.jsonl" 2>/dev/null
	sqlite3 "$db" "$3" >"$dir/s.txt"
	python3 - "$1" "$dir/r.jsonl" "$dir/s.txt" <<'PY' || echo "reports.sh: $1: figures differ" >&2
import json, sys
what, rep, sql = sys.argv[1:]
tot = [json.loads(l) for l in open(rep)][-1]
row = [l.rstrip("\n").split("|") for l in open(sql) if l.startswith("TOTAL|")]
if what == "status":
    ok = int(row[-1][2]) == tot["total"]
elif what in ("hourly",):
    ok = int(row[0][1]) == tot["orders"]
elif what == "range":
    ok = int(row[0][4]) == tot["orders"] and int(row[0][3]) == tot["days"]
elif what == "sales --by item":
    ok = [int(row[0][i]) for i in (2, 3, 4, 5)] == [tot[k] for k in ("orders", "cancelled", "items", "revenue")]
else:
    ok = [int(row[0][i]) for i in (1, 2, 3, 4)] == [tot[k] for k in ("orders", "cancelled", "items", "revenue")]
sys.exit(0 if ok else 1)
PY
}

row() {
	printf '%-36s %12s %12s %7s %8s  %s\n' "$1" "$2" "$3" "$4" "$5" \
	    "$(if [ "$6" = 1 ]; then echo PASS; else echo SHORT; fi)"
}

echo
echo "$count orders, $events status events ($(uname -m), $(nproc) cpu)"
printf '%-36s %12s %12s %7s %8s  %s\n' "report, median s of $runs" uoms \
    sqlite3 ratio target ""
# bench WHAT REPORT-ARGS SQL
bench() {
	same "$1" "$2" "$3"
	u=$(median "$runs" uoms-report -d "$db" $2 --tz Asia/Seoul)
	s=$(median "$runs" sqlite3 "$db" "$3")
	r=$(calc "$u / $s")
	row "$1" "$(calc "$u" 3)" "$(calc "$s" 3)" "$r" "<=1.5" \
	    "$(calc "$r <= 1.5" 0)"
}
bench status status "$status_sql"
bench hourly hourly "$hourly_sql"
bench daily daily "$(sales_sql "date(o.placed_at, '+9 hours')" "")"
bench "sales --by channel" "sales --by channel" "$(sales_sql o.channel "")"
bench "sales --by item" "sales --by item" "$item_sql"
bench settlement "settlement --from 2026-11-21" "$settle"
bench range range "$range_sql"
u=$(median "$runs" uoms-report -d "$db" metrics --window 1d --from "$first" \
    --to "$last")
s=$(median "$runs" sqlite3 "$db" "$metrics")
r=$(calc "$u / $s")
row "metrics --window 1d" "$(calc "$u" 3)" "$(calc "$s" 3)" "$r" "<=1.5" \
    "$(calc "$r <= 1.5" 0)"
