#!/usr/bin/env bats
# uoms-report prints the same bytes on PostgreSQL as on SQLite (issue 11):
# a SQLite store filled with the tools (the report fixture of
# t/data/report-fixture.sh, and orders with refunds, units cancelled, a
# second currency and a per-channel cost history, as t/5007's), copied
# onto a throwaway PostgreSQL with uoms-copy; then every report, in every
# format, with a zone, a range and --by, is run on both and compared.
load helper
source "$BATS_TEST_DIRNAME/data/report-fixture.sh"

setup_file() {
	pg_start
	report_build
	db="$BATS_FILE_TMPDIR/report.db"
	{
		order 9101 placed_at='"2025-03-11T01:00:00Z"' refunded_amount=500 \
		    items='[{"external_item_id":"c1-b","sku":"SKU-B","quantity":1,"unit_price":4000},
			{"external_item_id":"c1-a","sku":"SKU-A","quantity":3,"cancelled_quantity":1,"unit_price":1000}]'
		order 9201 channel='"shopify"' currency='"USD"' \
		    placed_at='"2025-03-12T03:00:00.250Z"' refunded_amount=301 \
		    items='[{"external_item_id":"s1-a","sku":"SKU-A","name":"Apple","quantity":2,"unit_price":1250},
			{"external_item_id":"s1-b","sku":"SKU-B","quantity":2,"cancelled_quantity":1,"unit_price":3000}]'
		order 9301 channel='"naver"' placed_at='"2025-03-09T06:59:59Z"' \
		    items='[{"external_item_id":"n1-a","sku":"SKU-A","name":"사과","quantity":1,"unit_price":1000}]'
		# SKU-Z is in no catalog: its row is named by the first order
		order 9401 placed_at='"2025-03-10T07:00:00Z"' \
		    items='[{"external_item_id":"z1","sku":"SKU-Z","name":"Z one","quantity":1,"unit_price":100}]'
		order 9402 placed_at='"2025-03-10T07:00:00Z"' \
		    items='[{"external_item_id":"z2","sku":"SKU-Z","name":"Z two","quantity":1,"unit_price":100}]'
	} | UOMS_DB="$db" UOMS_ACTOR=tester uoms-upsert >/dev/null
	# An extra that is not JSON reads as none (a store edited by hand).
	sqlite3 "$db" "UPDATE orders SET extra = 'not json' WHERE id = 4;
	    INSERT INTO product_costs (channel, sku, valid_from, cost) VALUES
	    ('naver', 'SKU-A', '2025-03-01T00:00:00Z', 700),
	    ('shopify', 'SKU-A', '2025-03-12T03:00:00.5Z', 400),
	    ('shopify', 'SKU-A', '2025-03-01T00:00:00Z', 450);"
	if [ -n "$PG_URL" ]; then
		url=$(pg_db reports) &&
		    uoms-copy --quiet -d "$db" "$url" >/dev/null &&
		    echo "$url" >"$BATS_FILE_TMPDIR/url"
		# Rows kept in another order than they were copied in, as
		# any PostgreSQL may keep them (an update writes a row anew):
		# a report must not depend on it. 9401 comes after 9402 now,
		# item c1-a (whose line gets 9101's spare refund unit) last.
		[ -z "${url:-}" ] || pg_sql "$url" "UPDATE orders SET
		    department = department WHERE external_order_id = '9401';
		    UPDATE order_items SET quantity = quantity
		    WHERE external_item_id = 'c1-a'" >/dev/null
	fi
}

teardown_file() {
	pg_stop
}

# same REPORT-ARGS...: the report on both engines, in each format: the
# same status, the same stderr, the same bytes (and some of them).
same() {
	local url fmt
	url=$(cat "$BATS_FILE_TMPDIR/url")
	for fmt in table jsonl csv svg; do
		run --separate-stderr uoms-report -d "$BATS_FILE_TMPDIR/report.db" \
		    "$@" --format "$fmt"
		local lite_status=$status lite_err=$stderr
		printf '%s\n' "$output" >"lite.$fmt"
		run --separate-stderr uoms-report -d "$url" "$@" --format "$fmt"
		printf '%s\n' "$output" >"pg.$fmt"
		[ "$lite_status" -eq 0 ] || { echo "$*: $lite_err"; return 1; }
		[ "$status" -eq "$lite_status" ] || { echo "$* ($fmt): $stderr"; return 1; }
		[ "$stderr" = "$lite_err" ] || return 1
		[ "$(wc -l <"lite.$fmt")" -gt 1 ] || return 1
		diff -u "lite.$fmt" "pg.$fmt" || { echo "$* --format $fmt"; return 1; }
	done
}

@test "the fixture is on PostgreSQL" {
	pg_need
	url=$(cat "$BATS_FILE_TMPDIR/url")
	[ "$(pg_sql "$url" "SELECT count(*) FROM orders")" -eq 11 ]
	[ "$(pg_sql "$url" "SELECT count(*) FROM holds")" -eq 3 ]
}

@test "status: the same on both engines" {
	pg_need
	same status
	same status --by channel
	same status --from 2025-03-10 --to 2025-03-12
}

@test "hourly: the same on both engines, in a zone across a DST change" {
	pg_need
	same hourly
	same hourly --tz America/New_York
	same hourly --tz Asia/Seoul --from 2025-03-10 --to 2025-03-12
}

@test "daily and sales: the same on both engines, --by each key" {
	pg_need
	same daily
	same daily --by channel --tz Asia/Seoul
	same daily --by item --tz America/New_York
	same sales --by channel
	same sales --by department
	same sales --by item
	# named by the first order by id, and 9101's spare refund unit on
	# its first line by key (c1-a, SKU-A), whatever order PostgreSQL
	# keeps them in
	grep -q '"sku":"SKU-Z","name":"Z one"' lite.jsonl || false
	same sales --by item --from 2025-03-11 --to 2025-03-13
	same sales --by channel --from 2025-03-12T03:00:00.250Z
}

@test "settlement: the same on both engines" {
	pg_need
	same settlement --by channel --from 2025-03-12 --tz Asia/Seoul
	same settlement --by channel --from 2025-03-11
}

@test "metrics: the same on both engines, per window and zone" {
	pg_need
	same metrics --from 2025-03-09 --to 2025-03-13 --window 1d
	same metrics --from 2025-03-09 --to 2025-03-13 --window 1d \
	    --tz America/New_York
	same metrics --from 2025-03-11T01:00:00Z --to 2025-03-11T03:00:01Z \
	    --window 1h
}

@test "range: the same on both engines" {
	pg_need
	same range
	same range --tz America/New_York
	same range --from 2025-03-10 --to 2025-03-12
}
