#!/usr/bin/env bats
# uoms-report daily, sales and settlement add money in checked 64-bit
# arithmetic: a product or a sum that does not fit stops the report with
# exit 3 and a message naming the figure, in every format, before any
# row is printed; never a wrapped number (issue 8, break 4). Figures up
# to INT64_MAX print exactly, and so does a margin of such figures.
# Values beyond what upsert may accept are written into the store file
# directly: the report must be safe whatever the file holds. A cost is
# set in the catalog and in its history alike, whichever the report
# reads (issue 9: the history, else the catalog's cost).
load helper

# big_order EXT DAY QTY PRICE: one order placed on DAY with one item;
# QTY and PRICE go into the file, past the ranges upsert accepts.
big_order() {
	order "$1" placed_at="\"${2}T09:00:00Z\"" \
	    items="[{\"external_item_id\":\"i$1\",\"sku\":\"SKU-BIG\",\"quantity\":1,\"unit_price\":1}]" |
	    uoms-upsert >/dev/null
	sql "UPDATE order_items SET quantity = $3, unit_price = $4 WHERE external_item_id = 'i$1'"
}

# every_report: each sales report over 2026-11-21 in each format must
# exit 3 with a message matching $1 on stderr and print nothing.
every_report() {
	local rep fmt
	for rep in daily sales settlement; do
		for fmt in jsonl csv table svg; do
			run --separate-stderr uoms-report "$rep" \
			    --from 2026-11-21 --format "$fmt"
			echo "# $rep $fmt: $status: $stderr"
			[ "$status" -eq 3 ]
			[[ "$stderr" =~ $1 ]]
			[ -z "$output" ]
		done
	done
}

@test "quantity 4e9 x unit_price 4e9 is out of range, not -2446744073709551616" {
	big_order 1 2026-11-21 1 1
	sql "UPDATE order_items SET quantity = 4000000000, unit_price = 4000000000"
	every_report "^uoms-report: revenue of '.*' is out of range"
}

@test "a sum of orders that each fit overflows on the same day" {
	# 1024 x 2^52 = 2^62 per order: both values within +-2^53
	big_order 1 2026-11-21 1024 4503599627370496
	big_order 2 2026-11-21 1024 4503599627370496
	every_report "^uoms-report: revenue of '.*' is out of range"
}

@test "days that each fit overflow in the totals row" {
	big_order 1 2026-11-21 1024 4503599627370496
	big_order 2 2026-11-22 1024 4503599627370496
	run --separate-stderr uoms-report daily --from 2026-11-21 --to 2026-11-23
	[ "$status" -eq 3 ]
	[ "$stderr" = "uoms-report: revenue of 'total' is out of range: beyond 9223372036854775807, it can't be added up exactly" ]
	[ -z "$output" ]
	# each day alone is exact
	run --separate-stderr uoms-report daily --from 2026-11-22 --to 2026-11-23
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = '{"day":"2026-11-22","currency":"KRW","orders":1,"cancelled":0,"items":1024,"revenue":4611686018427387904,"cost":null,"profit":null,"margin":null,"uncosted":1024,"cancelled_amount":0,"refunded_amount":0}' ]
}

@test "a cost beyond 64 bits is out of range too" {
	big_order 1 2026-11-21 1 1
	echo '{"sku":"SKU-BIG","name":"big","cost":1}' | uoms-upsert --products >/dev/null
	sql "UPDATE order_items SET quantity = 3000000000000"
	sql "UPDATE products SET cost = 4000000000000000; UPDATE product_costs SET cost = 4000000000000000"
	run --separate-stderr uoms-report sales --by item --from 2026-11-21
	[ "$status" -eq 3 ]
	[[ "$stderr" =~ ^uoms-report:\ cost\ of\ \'SKU-BIG\'\ is\ out\ of\ range ]]
	[ -z "$output" ]
}

@test "INT64_MAX itself prints exactly, one more is out of range" {
	# 7 x 1317624576693539401 = 9223372036854775807
	big_order 1 2026-11-21 1 1
	sql "UPDATE order_items SET quantity = 7, unit_price = 1317624576693539401"
	run --separate-stderr uoms-report sales --by channel --from 2026-11-21
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = '{"channel":"coupang","currency":"KRW","orders":1,"cancelled":0,"items":7,"revenue":9223372036854775807,"cost":null,"profit":null,"margin":null,"uncosted":7,"cancelled_amount":0,"refunded_amount":0}' ]
	run --separate-stderr uoms-report sales --by channel --from 2026-11-21 --format table
	[ "$status" -eq 0 ]
	[[ "${lines[1]}" == *"9,223,372,036,854,775,807"* ]]
	big_order 2 2026-11-21 1 1
	run --separate-stderr uoms-report sales --by channel --from 2026-11-21
	[ "$status" -eq 3 ]
	[[ "$stderr" =~ "revenue of 'coupang' is out of range" ]]
}

@test "a margin of figures near 2^62 is exact (no overflow in the ratio)" {
	# revenue 2^62, cost 2^61: profit 2^61, margin 50.0 %
	big_order 1 2026-11-21 1024 4503599627370496
	echo '{"sku":"SKU-BIG","name":"big","cost":1}' | uoms-upsert --products >/dev/null
	sql "UPDATE products SET cost = 2251799813685248; UPDATE product_costs SET cost = 2251799813685248"
	run --separate-stderr uoms-report sales --by channel --from 2026-11-21
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = '{"channel":"coupang","currency":"KRW","orders":1,"cancelled":0,"items":1024,"revenue":4611686018427387904,"cost":2305843009213693952,"profit":2305843009213693952,"margin":50.0,"uncosted":0,"cancelled_amount":0,"refunded_amount":0}' ]
	run --separate-stderr uoms-report sales --by channel --from 2026-11-21 --format svg
	[ "$status" -eq 0 ]
	[[ "$output" == *"</svg>"* ]]
}

@test "cancelled amounts and refunds are added in checked arithmetic too" {
	# 4e9 units cancelled of 4e9 at 4e9: nothing sold, 1.6e19 cancelled
	big_order 1 2026-11-21 4000000000 4000000000
	sql "UPDATE order_items SET extra = '{\"cancelled_quantity\":4000000000}'"
	every_report "^uoms-report: cancelled_amount of '.*' is out of range"
	# two refunds of 2^62 on one day: 2^63 refunded does not fit
	store_reset
	big_order 2 2026-11-21 1 1
	big_order 3 2026-11-21 1 1
	sql "UPDATE orders SET extra = '{\"refunded_amount\":4611686018427387904}'"
	every_report "^uoms-report: refunded_amount of '.*' is out of range"
}
