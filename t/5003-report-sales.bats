#!/usr/bin/env bats
# uoms-report daily, sales and settlement: orders, items, revenue, cost
# from the catalog by sku, profit and margin; cancelled orders counted
# apart; a cost that is not known makes cost and profit unknown, never 0.
# The store: t/data/report-fixture.sh; expected figures: t/data/report-*.
#   order  channel  dept  workflow       items (sku x qty @ price)      status
#   1      coupang  east  dispatch       A x2 @1000                     COMPLETE
#   2      coupang  east  dispatch       B x1 @4000                     IN_PROGRESS
#   3      naver    west  dispatch       A x1 @1000, B x2 @4000         CANCEL
#   4      naver    west  dispatch       C x3 @500                      WAITING
#   5      coupang  -     food-delivery  A x1 @1000, D x1 @2000         pending_acceptance
#   6      shopify  east  fulfillment    B x2 @4000                     shipped
#   catalog cost: A 600, B 2500, C none; D is not in the catalog.
load helper
source "$BATS_TEST_DIRNAME/data/report-fixture.sh"

setup_file() {
	report_build
}

@test "daily: per day, each format, totals" {
	report_store
	report_all report-daily-utc day daily
}

@test "sales is daily without --by; with --by it is per channel, department or item" {
	report_store
	report_all report-daily-utc day sales
	report_all report-sales-channel channel sales --by channel
	report_all report-sales-department department sales --by department
	report_all report-sales-item sku sales --by item
}

@test "daily --by channel: a row per day and channel" {
	report_store
	report_all report-daily-channel-seoul day,channel daily --by channel \
	    --tz Asia/Seoul
}

@test "a missing cost is unknown: null in jsonl, empty in csv, ? in a table, never 0" {
	report_store
	# order 4 alone: three pens of unknown cost
	run --separate-stderr uoms-report sales --by channel --from 2025-03-11T02:00:00Z \
	    --to 2025-03-11T03:00:00Z
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = '{"channel":"naver","currency":"KRW","orders":1,"cancelled":0,"items":3,"revenue":1500,"cost":null,"profit":null,"margin":null,"uncosted":3,"cancelled_amount":0,"refunded_amount":0}' ]
	run --separate-stderr uoms-report sales --by channel --from 2025-03-11T02:00:00Z \
	    --to 2025-03-11T03:00:00Z --format csv
	[ "${lines[1]}" = $'naver,KRW,1,0,3,1500,,,,3,0,0\r' ]
	run --separate-stderr uoms-report sales --by channel --from 2025-03-11T02:00:00Z \
	    --to 2025-03-11T03:00:00Z --format table
	[ "${lines[1]}" = "naver    KRW            1          0      3    1,500     ?       ?       ?         3              0             0" ]
	# once the catalog knows the cost, the profit is there
	echo '{"sku":"SKU-C","name":"젤펜","cost":200}' | uoms-upsert --products >/dev/null
	run --separate-stderr uoms-report sales --by channel --from 2025-03-11T02:00:00Z \
	    --to 2025-03-11T03:00:00Z
	[ "${lines[0]}" = '{"channel":"naver","currency":"KRW","orders":1,"cancelled":0,"items":3,"revenue":1500,"cost":600,"profit":900,"margin":60.0,"uncosted":0,"cancelled_amount":0,"refunded_amount":0}' ]
}

@test "a missing price makes revenue unknown too" {
	report_store
	sql "UPDATE order_items SET unit_price = NULL WHERE order_id = 6"
	run --separate-stderr uoms-report sales --by channel --format csv
	[ "$status" -eq 0 ]
	[ "${lines[3]}" = $'shopify,KRW,1,0,2,,5000,,,0,,0\r' ]
	[ "${lines[4]}" = $'TOTAL,KRW,5,1,10,,,,,4,,0\r' ]
}

@test "cancelled orders are counted apart and bring no revenue" {
	report_store
	# order 3 alone, cancelled: 9000 of goods, none of it sold
	run --separate-stderr uoms-report sales --by channel --from 2025-03-10T05:00:00Z \
	    --to 2025-03-10T05:00:01Z
	[ "${lines[0]}" = '{"channel":"naver","currency":"KRW","orders":0,"cancelled":1,"items":0,"revenue":0,"cost":0,"profit":0,"margin":null,"uncosted":0,"cancelled_amount":0,"refunded_amount":0}' ]
	run --separate-stderr uoms-report sales --by channel --from 2025-03-10T05:00:00Z \
	    --to 2025-03-10T05:00:01Z --format table
	# a margin of nothing is not applicable, not unknown
	[ "${lines[1]}" = "naver    KRW            0          1      0        0     0       0       -         0              0             0" ]
}

@test "settlement: one day per channel, a line for uoms-notify each" {
	report_store
	report_all report-settlement channel settlement --from 2025-03-10 --tz Asia/Seoul
	report_all report-settlement-unknown channel settlement --from 2025-03-11
	# a time names its day
	run uoms-report settlement --from 2025-03-10T20:00:00Z --tz Asia/Seoul
	[ "$(echo "${lines[0]}" | jget day)" = 2025-03-11 ]
	[ "$(echo "${lines[0]}" | jget orders)" = 2 ]
	uoms-report settlement --from 2025-03-11T20:00:00Z >got
	report_check jsonl "$SRC/t/data/report-settlement-unknown.jsonl" got
}

@test "settlement without --from is today, in the zone" {
	uoms-upsert </dev/null
	today=$(TZ=Asia/Seoul date +%F)
	run --separate-stderr uoms-report settlement --tz Asia/Seoul
	[ "$status" -eq 0 ]
	[ "$output" = "{\"day\":\"$today\",\"channel\":null,\"currency\":null,\"orders\":0,\"cancelled\":0,\"items\":0,\"revenue\":0,\"cost\":0,\"profit\":0,\"margin\":null,\"uncosted\":0,\"cancelled_amount\":0,\"refunded_amount\":0,\"text\":\"all channels $today: 0 orders, 0 items, revenue 0, cost 0, profit 0\",\"totals\":true}" ]
}

@test "sales --format svg: a bar for each known revenue and profit" {
	report_store
	uoms-report daily --format svg >daily.svg
	# 3 days: 3 revenues, 2 profits (2025-03-11's is unknown)
	report_check svg 5 daily.svg
	uoms-report sales --by item --format svg >items.svg
	report_check svg 6 items.svg
	uoms-report hourly --format svg >hourly.svg
	report_check svg 24 hourly.svg
	# labels and legend are text, escaped
	python3 - items.svg <<-'PY'
	import sys, xml.etree.ElementTree as ET
	ns = "{http://www.w3.org/2000/svg}"
	root = ET.parse(sys.argv[1]).getroot()
	texts = [t.text for t in root.iter(ns + "text")]
	assert "revenue" in texts and "profit" in texts, texts
	assert "SKU-A KRW" in texts and "SKU-D KRW" in texts, texts
	assert root.find(ns + "title") is not None
	PY
}
