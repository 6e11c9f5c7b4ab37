#!/usr/bin/env bats
# kill -9 in the middle of a large upsert: the store stays sound, no order
# is left half written, and running the same input again completes it
# without touching what was already stored. On PostgreSQL the kill lands
# on the client mid-transaction: the server rolls back what its
# connection began, and the same checks hold.
load helper

# Large enough that the writer is surely still busy when it is killed:
# twenty batches of 1000, killed once two are committed. The rerun
# stores the rest, so N is what this test costs: make soak runs it with
# UOMS_CRASH_ORDERS=100000 (SOAK_CRASH_ORDERS).
N=${UOMS_CRASH_ORDERS:-20000}

# count_orders: orders committed so far, read without disturbing the writer
# (0 while the store or its tables do not exist yet).
count_orders() {
	if engine_is pg; then
		sql 'select count(*) from orders' 2>/dev/null || echo 0
	else
		sqlite3 -readonly "$UOMS_DB" 'select count(*) from orders' 2>/dev/null || echo 0
	fi
}

# sound: the store's own check (SQLite's integrity and foreign key
# checks; PostgreSQL keeps its foreign keys itself), and on either no
# item or event of an order that is not stored.
sound() {
	if engine_is sqlite; then
		[ "$(sql 'pragma integrity_check')" = ok ] || return 1
		[ -z "$(sql 'pragma foreign_key_check')" ] || return 1
	fi
	[ "$(sql 'select count(*) from order_items
	    where order_id not in (select id from orders)')" = 0 ] &&
	[ "$(sql 'select count(*) from events where order_id is not null
	    and order_id not in (select id from orders)')" = 0 ]
}

@test "kill -9 during an upsert of $N orders, then the same upsert again" {
	if command -v gen-orders >/dev/null; then
		gen-orders --count "$N" >in.jsonl
	else
		orders "$N" >in.jsonl
	fi
	[ "$(wc -l <in.jsonl)" -eq "$N" ]
	# Items per order, as the input says.
	python3 - in.jsonl >want-items <<'PY'
import json, sys
for line in open(sys.argv[1], encoding="utf-8"):
    o = json.loads(line)
    print("%s|%s|%d" % (o["channel"], o["external_order_id"], len(o["items"])))
PY
	[ "$(awk -F'|' '$3 < 1' want-items | wc -l)" -eq 0 ]

	uoms-upsert --batch 1000 in.jsonl >/dev/null 2>first.err &
	pid=$!
	# Wait until a batch is committed, then until the next one is: the
	# writer is then surely inside a transaction, and the kill lands there.
	for ((i = 0; i < 600; i++)); do
		[ "$(count_orders)" -gt 0 ] && break
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.05
	done
	first=$(count_orders)
	for ((i = 0; i < 600; i++)); do
		[ "$(count_orders)" -gt "$first" ] && break
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.01
	done
	if ! kill -0 "$pid" 2>/dev/null; then
		echo "uoms-upsert ended before it was killed: raise UOMS_CRASH_ORDERS"
		cat first.err
		false
	fi
	kill -9 "$pid"
	st=0
	wait "$pid" || st=$?
	[ "$st" -eq 137 ]

	# The store is sound and holds a part of the input, each order whole.
	sound
	k=$(sql 'select count(*) from orders')
	echo "stored before the kill: $k of $N"
	[ "$k" -gt 0 ]
	[ "$k" -lt "$N" ]
	sql "select o.channel || '|' || o.external_order_id || '|' || count(i.order_id)
	     from orders o left join order_items i on i.order_id = o.id
	     group by o.id order by o.id" >got-items
	[ "$(wc -l <got-items)" -eq "$k" ]
	# every stored order with exactly the items its line had
	[ "$(sort got-items | comm -23 - <(sort want-items) | wc -l)" -eq 0 ]
	[ "$(sql "select count(*) from events where type = 'created'")" = "$k" ]
	[ "$(sql 'select count(*) from orders where version <> 1')" = 0 ]

	# Snapshot of what is stored, to compare after the second run.
	max=$(sql 'select max(id) from orders')
	sql "select * from orders where id <= $max order by id" >orders.before
	sql "select * from order_items where order_id <= $max order by order_id, seq" >items.before
	sql "select * from events where order_id <= $max order by id" >events.before

	# The same input again completes the store.
	st=0
	uoms-upsert --summary in.jsonl >/dev/null 2>second.err || st=$?
	cat second.err
	[ "$st" -eq 0 ]
	[ "$(cat second.err)" = "uoms-upsert: read $N, created $((N - k)), updated 0, unchanged $k, rejected 0" ]
	[ "$(sql 'select count(*) from orders')" = "$N" ]
	[ "$(sql "select count(*) from (select distinct channel, external_order_id from orders) as o")" = "$N" ]
	[ "$(sql "select count(*) from events where type = 'created'")" = "$N" ]
	[ "$(sql "select count(*) from events where type <> 'created'")" = 0 ]
	sql "select o.channel || '|' || o.external_order_id || '|' || count(i.order_id)
	     from orders o left join order_items i on i.order_id = o.id
	     group by o.id" | sort >got-items
	sort want-items | diff -u - got-items

	# ... and leaves the orders stored before the kill as they were.
	sql "select * from orders where id <= $max order by id" | diff -u orders.before -
	sql "select * from order_items where order_id <= $max order by order_id, seq" | diff -u items.before -
	sql "select * from events where order_id <= $max order by id" | diff -u events.before -
	sound
}
