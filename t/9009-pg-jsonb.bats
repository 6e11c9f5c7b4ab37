#!/usr/bin/env bats
# Raw payloads and extra members on PostgreSQL (issue 11): kept as text,
# the bytes as written, so every tool prints what SQLite's store prints;
# the jsonb is in an expression index over uoms_jsonb() (migration 10),
# which containment queries use, and in the one uoms(7) gives for raw
# lines; text jsonb refuses is left out of them,
# never a refused write, and a report reads it as no member at all, as
# SQLite's json_valid() does.
load helper

PG_OWN="PostgreSQL's own: its jsonb indexes (SQLite keeps the same text, unindexed)"

# line: an order whose extra members and item member are written with
# their keys out of order and spaces, as a channel may send them.
line() {
	printf '%s\n' '{"channel":"coupang","external_order_id":"77","order_no":"2611-000077","customer":{"name":"김","phone":"010-2222-3333"},"shipping":{"postal_code":"06236","address":"서울","zone":"gangnam"},"placed_at":"2026-11-21T09:12:00Z","total_amount":1000,"currency":"KRW","items":[{"external_item_id":"a","sku":"SKU-1","quantity":1,"unit_price":1000, "zz": {"y": 1, "x": 2}}], "zeta": {"b": 1, "a": [1, 2]}, "alpha":"x", "channel_status": "ACCEPT"}'
}

@test "extra members and raw payloads keep their bytes: uoms-query prints what it prints on SQLite" {
	engine_only pg "$PG_OWN"
	line | uoms-upsert --keep-raw >pg.out
	line | uoms-upsert -d lite.db --keep-raw >lite.out
	uoms-query --id 1 >>pg.out
	uoms-query -d lite.db --id 1 >>lite.out
	uoms-query --format csv >>pg.out
	uoms-query -d lite.db --format csv >>lite.out
	# the same bytes but for the times the store stamped
	sed -i -E 's/20[0-9-]{8}T[0-9:]{8}Z/T/g' pg.out lite.out
	diff -u lite.out pg.out
	grep -qF '"zz":{"y":1,"x":2}' pg.out
	grep -qF '"zeta":{"b":1,"a":[1,2]},"alpha":"x"' pg.out
	# the raw line is the line, spaces and all
	[ "$(sql "SELECT payload FROM raw_payloads")" = "$(line)" ]
}

@test "containment on an extra member uses migration 10's index, on a raw payload the one uoms(7) gives" {
	engine_only pg "$PG_OWN"
	orders 50 | uoms-upsert --keep-raw >/dev/null
	line | uoms-upsert --keep-raw >/dev/null
	# The index is there, named as the migration names it; the raw
	# lines' is made by hand, as uoms(7) says.
	[ "$(sql "SELECT count(*) FROM pg_indexes WHERE schemaname = current_schema()
	    AND indexname = 'orders_extra'")" -eq 1 ]
	sql "$(sed -n 's/^\.Dl \(CREATE INDEX raw_payloads_payload .*\)/\1/p' "$SRC/man/uoms.7")"
	# Fifty-one rows are read faster whole: the planner is told not to,
	# as it would not on a store of many.
	plan() {
		psql -qXAt "$UOMS_DB" -c "SET enable_seqscan = off" -c "EXPLAIN $1"
	}
	q="SELECT id FROM orders WHERE uoms_jsonb(extra) @> '{\"channel_status\":\"ACCEPT\"}'"
	plan "$q" >plan
	cat plan
	grep -q 'Index Scan on orders_extra' plan
	[ "$(sql "$q")" = 51 ]
	q="SELECT order_id FROM raw_payloads WHERE uoms_jsonb(payload) @> '{\"zeta\":{\"a\":[2]}}'"
	plan "$q" >plan
	cat plan
	grep -q 'Index Scan on raw_payloads_payload' plan
	[ "$(sql "$q")" = 51 ]
	[ "$(sql "SELECT count(*) FROM raw_payloads WHERE uoms_jsonb(payload) @> '{\"external_order_id\":\"7\"}'")" = 1 ]
}

@test "text jsonb refuses (not JSON, a \\u0000) is left out of the index, not a refused write" {
	engine_only pg "$PG_OWN"
	line | uoms-upsert --keep-raw >/dev/null
	sql "$(sed -n 's/^\.Dl \(CREATE INDEX raw_payloads_payload .*\)/\1/p' "$SRC/man/uoms.7")"
	# A store copied from SQLite, or edited by hand, may hold any text;
	# jsonb refuses a \u0000 that json and SQLite take.
	sql "UPDATE raw_payloads SET payload = 'not json'"
	sql "UPDATE orders SET extra = '{\"alpha\":\"x\\u0000y\"}'"
	[ "$(sql "SELECT extra FROM orders")" = '{"alpha":"x\u0000y"}' ]
	[ "$(sql "SELECT count(*) FROM orders WHERE uoms_jsonb(extra) IS NULL")" = 1 ]
	[ "$(sql "SELECT count(*) FROM raw_payloads WHERE uoms_jsonb(payload) IS NULL")" = 1 ]
	# and the tools go on with the order
	uoms-status --to IN_PROGRESS 1 >/dev/null
	[ "$(uoms-query --id 1 | jget status)" = IN_PROGRESS ]
	uoms-query --id 1 | grep -qF '"alpha":"x\u0000y"'
}

# sales EXTRA: uoms-report sales of the order line() makes with its extra
# text replaced by EXTRA, in jsonl.
sales() {
	store_reset
	line | uoms-upsert >/dev/null
	sql "UPDATE orders SET extra = '$1'"
	uoms-report sales --from 2026-11-01T00:00:00Z --to 2026-12-01T00:00:00Z \
	    --format jsonl
}

@test "a report reads a broken extra object as no member, as it reads text that is not JSON (both engines)" {
	sales 'not json' >none
	[ -s none ]
	sales '{"refunded_amount": 500}' >refund
	! cmp -s none refund || false
	# An object cut short is not JSON either: json_valid() on SQLite,
	# uoms_jsonb() on PostgreSQL.
	run --separate-stderr sales '{"refunded_amount": 500'
	echo "$stderr"
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	[ "$output" = "$(cat none)" ]
}
