#!/usr/bin/env bats
# uoms-report's money adds up (issue 9, item 4): revenue is what the
# customers paid and were not given back (units cancelled and refunds are
# not revenue, and have columns of their own), rows and totals are per
# currency, and an item costs what its sku cost on its order's channel
# (else in the shared catalog) when the order was placed. Every figure
# below is worked out by hand in the comments, and checked in jsonl, csv
# and table.
#
# The store (all dispatch, placed on 2026-11-21 and 22, UTC; C1 is
# external order 101, C2 102, S1 201, N1 301):
#   C1 coupang KRW 01:00  SKU-A 3 @1000, 1 cancelled; SKU-B 1 @4000;
#                         refunded 500
#   C2 coupang KRW 05:00  SKU-A 2 @1000; the order is cancelled (CANCEL)
#   S1 shopify USD 03:00  SKU-A 2 @1250 (12.50 USD); SKU-B 1 @3000, 1
#                         cancelled; refunded 300
#   N1 naver   KRW 22nd   SKU-A 1 @1000
# The cost history (product_costs; minor units):
#   ('', SKU-A)        600 from 2026-11-01, 900 from 2026-11-25
#   (naver, SKU-A)     700 from 2026-11-01
#   (shopify, SKU-A)   400 from 2026-11-01 (4.00 USD)
#   ('', SKU-B)        2500 from 2026-12-01 (after every order: the
#                      earliest cost is taken)
# The catalog (products) holds today's costs (SKU-A 900), which no past
# order may take, and the names: ('', SKU-A) 사과 1kg, (shopify, SKU-A)
# Apple 1kg, ('', SKU-B) 이어폰.
#
# The catalog rows are written with sqlite3: uoms-upsert --products does
# not yet write a channel's catalog or the cost history (another part of
# issue 9 teaches it); once it does, these rows are what it writes.
load helper
source "$BATS_TEST_DIRNAME/data/report-fixture.sh"

money_store() {
	{
		order 101 placed_at='"2026-11-21T01:00:00Z"' refunded_amount=500 \
		    items='[{"external_item_id":"c1-a","sku":"SKU-A","quantity":3,"cancelled_quantity":1,"unit_price":1000},
			{"external_item_id":"c1-b","sku":"SKU-B","quantity":1,"unit_price":4000}]'
		order 102 placed_at='"2026-11-21T05:00:00Z"' \
		    items='[{"external_item_id":"c2-a","sku":"SKU-A","quantity":2,"unit_price":1000}]'
		order 201 channel='"shopify"' currency='"USD"' \
		    placed_at='"2026-11-21T03:00:00Z"' refunded_amount=300 \
		    items='[{"external_item_id":"s1-a","sku":"SKU-A","quantity":2,"unit_price":1250},
			{"external_item_id":"s1-b","sku":"SKU-B","quantity":1,"cancelled_quantity":1,"unit_price":3000}]'
		order 301 channel='"naver"' placed_at='"2026-11-22T02:00:00Z"' \
		    items='[{"external_item_id":"n1-a","sku":"SKU-A","quantity":1,"unit_price":1000}]'
	} | uoms-upsert >/dev/null
	uoms-status --to CANCEL coupang:102 >/dev/null
	sql "INSERT INTO products (channel, sku, name, price, cost, currency,
	    version, created_at, updated_at) VALUES
	    ('', 'SKU-A', '사과 1kg', 1000, 900, 'KRW', 1,
	     '2026-11-01T00:00:00Z', '2026-11-25T00:00:00Z'),
	    ('shopify', 'SKU-A', 'Apple 1kg', 1250, 400, 'USD', 1,
	     '2026-11-01T00:00:00Z', '2026-11-01T00:00:00Z'),
	    ('', 'SKU-B', '이어폰', 4000, 2500, 'KRW', 1,
	     '2026-12-01T00:00:00Z', '2026-12-01T00:00:00Z');
	INSERT INTO product_costs (channel, sku, valid_from, cost) VALUES
	    ('', 'SKU-A', '2026-11-01T00:00:00Z', 600),
	    ('', 'SKU-A', '2026-11-25T00:00:00Z', 900),
	    ('naver', 'SKU-A', '2026-11-01T00:00:00Z', 700),
	    ('shopify', 'SKU-A', '2026-11-01T00:00:00Z', 400),
	    ('', 'SKU-B', '2026-12-01T00:00:00Z', 2500);"
}

# money_all NAME KEYS REPORT-ARGS...: the report in jsonl equals NAME.jsonl
# (written by the test), its csv holds the same rows, and its table
# equals NAME.table.
money_all() {
	local name=$1 keys=$2
	shift 2
	uoms-report "$@" --format jsonl >got.jsonl
	diff -u "$name.jsonl" got.jsonl
	report_check jsonl "$name.jsonl" got.jsonl
	uoms-report "$@" --format csv >got.csv
	report_check csv "$name.jsonl" got.csv "$keys"
	uoms-report "$@" --format table >got.table
	diff -u "$name.table" got.table
}

@test "sales --by channel: cancelled units and refunds are not revenue, per currency" {
	money_store
	# coupang KRW: C1 sold A 3-1=2 and B 1: items 3, paid 2x1000 + 4000
	#   = 6000, less 500 refunded: revenue 5500; cancelled 1x1000 = 1000.
	#   Cost at 2026-11-21 in the shared catalog: A 600 (900 is from the
	#   25th), B 2500 (its history starts later: the earliest): 2x600 +
	#   2500 = 3700. Profit 1800, margin 1800/5500 = 32.73 %: 32.7.
	#   C2 is cancelled: counted, in no money.
	# naver KRW: N1 A 1x1000; naver's own cost 700: profit 300, 30.0 %.
	# shopify USD: S1 sold A 2 and B 0: items 2, paid 2x1250 = 2500, less
	#   300: revenue 2200; cancelled 1x3000. Shopify's cost of A: 400:
	#   2x400 = 800 (B: none sold, 0). Profit 1400, 1400/2200 = 63.6 %.
	# Totals, never across currencies: KRW 5500+1000 = 6500 revenue,
	#   3700+700 = 4400 cost, profit 2100, 2100/6500 = 32.3 %; USD is
	#   shopify's alone.
	cat >want.jsonl <<-'EOF'
	{"channel":"coupang","currency":"KRW","orders":1,"cancelled":1,"items":3,"revenue":5500,"cost":3700,"profit":1800,"margin":32.7,"uncosted":0,"cancelled_amount":1000,"refunded_amount":500}
	{"channel":"naver","currency":"KRW","orders":1,"cancelled":0,"items":1,"revenue":1000,"cost":700,"profit":300,"margin":30.0,"uncosted":0,"cancelled_amount":0,"refunded_amount":0}
	{"channel":"shopify","currency":"USD","orders":1,"cancelled":0,"items":2,"revenue":2200,"cost":800,"profit":1400,"margin":63.6,"uncosted":0,"cancelled_amount":3000,"refunded_amount":300}
	{"channel":null,"currency":"KRW","orders":2,"cancelled":1,"items":4,"revenue":6500,"cost":4400,"profit":2100,"margin":32.3,"uncosted":0,"cancelled_amount":1000,"refunded_amount":500,"totals":true}
	{"channel":null,"currency":"USD","orders":1,"cancelled":0,"items":2,"revenue":2200,"cost":800,"profit":1400,"margin":63.6,"uncosted":0,"cancelled_amount":3000,"refunded_amount":300,"totals":true}
	EOF
	cat >want.table <<-'EOF'
	CHANNEL  CURRENCY  ORDERS  CANCELLED  ITEMS  REVENUE   COST  PROFIT  MARGIN  UNCOSTED  CANCELLED AMT  REFUNDED AMT
	coupang  KRW            1          1      3    5,500  3,700   1,800   32.7%         0          1,000           500
	naver    KRW            1          0      1    1,000    700     300   30.0%         0              0             0
	shopify  USD            1          0      2    2,200    800   1,400   63.6%         0          3,000           300
	------------------------------------------------------------------------------------------------------------------
	TOTAL    KRW            2          1      4    6,500  4,400   2,100   32.3%         0          1,000           500
	TOTAL    USD            1          0      2    2,200    800   1,400   63.6%         0          3,000           300
	EOF
	money_all want channel sales --by channel
}

@test "daily: a day sold in two currencies is two rows" {
	money_store
	# 2026-11-21 KRW is C1 and C2 (coupang's figures above), USD is S1;
	# 2026-11-22 KRW is N1.
	cat >want.jsonl <<-'EOF'
	{"day":"2026-11-21","currency":"KRW","orders":1,"cancelled":1,"items":3,"revenue":5500,"cost":3700,"profit":1800,"margin":32.7,"uncosted":0,"cancelled_amount":1000,"refunded_amount":500}
	{"day":"2026-11-21","currency":"USD","orders":1,"cancelled":0,"items":2,"revenue":2200,"cost":800,"profit":1400,"margin":63.6,"uncosted":0,"cancelled_amount":3000,"refunded_amount":300}
	{"day":"2026-11-22","currency":"KRW","orders":1,"cancelled":0,"items":1,"revenue":1000,"cost":700,"profit":300,"margin":30.0,"uncosted":0,"cancelled_amount":0,"refunded_amount":0}
	{"day":null,"currency":"KRW","orders":2,"cancelled":1,"items":4,"revenue":6500,"cost":4400,"profit":2100,"margin":32.3,"uncosted":0,"cancelled_amount":1000,"refunded_amount":500,"totals":true}
	{"day":null,"currency":"USD","orders":1,"cancelled":0,"items":2,"revenue":2200,"cost":800,"profit":1400,"margin":63.6,"uncosted":0,"cancelled_amount":3000,"refunded_amount":300,"totals":true}
	EOF
	cat >want.table <<-'EOF'
	DAY         CURRENCY  ORDERS  CANCELLED  ITEMS  REVENUE   COST  PROFIT  MARGIN  UNCOSTED  CANCELLED AMT  REFUNDED AMT
	2026-11-21  KRW            1          1      3    5,500  3,700   1,800   32.7%         0          1,000           500
	2026-11-21  USD            1          0      2    2,200    800   1,400   63.6%         0          3,000           300
	2026-11-22  KRW            1          0      1    1,000    700     300   30.0%         0              0             0
	---------------------------------------------------------------------------------------------------------------------
	TOTAL       KRW            2          1      4    6,500  4,400   2,100   32.3%         0          1,000           500
	TOTAL       USD            1          0      2    2,200    800   1,400   63.6%         0          3,000           300
	EOF
	money_all want day daily
}

@test "sales --by item: each channel's cost and name, refunds shared by what each line was paid" {
	money_store
	# SKU-A KRW: C1 (2 sold), C2 (cancelled), N1 (1 sold): items 3.
	#   C1's refund of 500 is shared by its lines as they were paid, 2000
	#   and 4000: A 500x2000/6000 = 166.67, B 333.33; rounded down 166
	#   and 333, the unit left over to the first line: A 167, B 333.
	#   Revenue 2000-167 + 1000 = 2833; cost 2x600 (shared) + 1x700
	#   (naver's) = 1900; profit 933, 933/2833 = 32.93 %: 32.9.
	#   Cancelled 1x1000. Name: the shared catalog's (coupang has none).
	# SKU-A USD: S1 2 sold, 2500 less all of its refund (B was paid
	#   nothing): 2200; cost 2x400 (shopify's) = 800; 63.6 %; shopify's
	#   name.
	# SKU-B KRW: C1 1 sold: 4000-333 = 3667, cost 2500, profit 1167,
	#   1167/3667 = 31.82 %: 31.8.
	# SKU-B USD: S1's line, all cancelled: 0 sold, 3000 cancelled; no
	#   revenue, so no margin ('-').
	# The rows add up to the totals: 2833+3667 = 6500, 167+333 = 500.
	cat >want.jsonl <<-'EOF'
	{"sku":"SKU-A","name":"사과 1kg","currency":"KRW","orders":2,"cancelled":1,"items":3,"revenue":2833,"cost":1900,"profit":933,"margin":32.9,"uncosted":0,"cancelled_amount":1000,"refunded_amount":167}
	{"sku":"SKU-A","name":"Apple 1kg","currency":"USD","orders":1,"cancelled":0,"items":2,"revenue":2200,"cost":800,"profit":1400,"margin":63.6,"uncosted":0,"cancelled_amount":0,"refunded_amount":300}
	{"sku":"SKU-B","name":"이어폰","currency":"KRW","orders":1,"cancelled":0,"items":1,"revenue":3667,"cost":2500,"profit":1167,"margin":31.8,"uncosted":0,"cancelled_amount":0,"refunded_amount":333}
	{"sku":"SKU-B","name":"이어폰","currency":"USD","orders":1,"cancelled":0,"items":0,"revenue":0,"cost":0,"profit":0,"margin":null,"uncosted":0,"cancelled_amount":3000,"refunded_amount":0}
	{"sku":null,"name":null,"currency":"KRW","orders":2,"cancelled":1,"items":4,"revenue":6500,"cost":4400,"profit":2100,"margin":32.3,"uncosted":0,"cancelled_amount":1000,"refunded_amount":500,"totals":true}
	{"sku":null,"name":null,"currency":"USD","orders":1,"cancelled":0,"items":2,"revenue":2200,"cost":800,"profit":1400,"margin":63.6,"uncosted":0,"cancelled_amount":3000,"refunded_amount":300,"totals":true}
	EOF
	cat >want.table <<-'EOF'
	SKU    NAME       CURRENCY  ORDERS  CANCELLED  ITEMS  REVENUE   COST  PROFIT  MARGIN  UNCOSTED  CANCELLED AMT  REFUNDED AMT
	SKU-A  사과 1kg   KRW            2          1      3    2,833  1,900     933   32.9%         0          1,000           167
	SKU-A  Apple 1kg  USD            1          0      2    2,200    800   1,400   63.6%         0              0           300
	SKU-B  이어폰     KRW            1          0      1    3,667  2,500   1,167   31.8%         0              0           333
	SKU-B  이어폰     USD            1          0      0        0      0       0       -         0          3,000             0
	---------------------------------------------------------------------------------------------------------------------------
	TOTAL             KRW            2          1      4    6,500  4,400   2,100   32.3%         0          1,000           500
	TOTAL             USD            1          0      2    2,200    800   1,400   63.6%         0          3,000           300
	EOF
	money_all want sku sales --by item
}

@test "settlement: cancelled and refunded in their columns and in the sentence" {
	money_store
	# 2026-11-21 (UTC): coupang's and shopify's figures above; N1 is the
	# next day.
	cat >want.jsonl <<-'EOF'
	{"day":"2026-11-21","channel":"coupang","currency":"KRW","orders":1,"cancelled":1,"items":3,"revenue":5500,"cost":3700,"profit":1800,"margin":32.7,"uncosted":0,"cancelled_amount":1000,"refunded_amount":500,"text":"coupang 2026-11-21 (KRW): 1 order (1 cancelled), 3 items, revenue 5,500 (1,000 cancelled, 500 refunded), cost 3,700, profit 1,800 (32.7%)"}
	{"day":"2026-11-21","channel":"shopify","currency":"USD","orders":1,"cancelled":0,"items":2,"revenue":2200,"cost":800,"profit":1400,"margin":63.6,"uncosted":0,"cancelled_amount":3000,"refunded_amount":300,"text":"shopify 2026-11-21 (USD): 1 order, 2 items, revenue 2,200 (3,000 cancelled, 300 refunded), cost 800, profit 1,400 (63.6%)"}
	{"day":"2026-11-21","channel":null,"currency":"KRW","orders":1,"cancelled":1,"items":3,"revenue":5500,"cost":3700,"profit":1800,"margin":32.7,"uncosted":0,"cancelled_amount":1000,"refunded_amount":500,"text":"all channels 2026-11-21 (KRW): 1 order (1 cancelled), 3 items, revenue 5,500 (1,000 cancelled, 500 refunded), cost 3,700, profit 1,800 (32.7%)","totals":true}
	{"day":"2026-11-21","channel":null,"currency":"USD","orders":1,"cancelled":0,"items":2,"revenue":2200,"cost":800,"profit":1400,"margin":63.6,"uncosted":0,"cancelled_amount":3000,"refunded_amount":300,"text":"all channels 2026-11-21 (USD): 1 order, 2 items, revenue 2,200 (3,000 cancelled, 300 refunded), cost 800, profit 1,400 (63.6%)","totals":true}
	EOF
	cat >want.table <<-'EOF'
	DAY         CHANNEL  CURRENCY  ORDERS  CANCELLED  ITEMS  REVENUE   COST  PROFIT  MARGIN  UNCOSTED  CANCELLED AMT  REFUNDED AMT
	2026-11-21  coupang  KRW            1          1      3    5,500  3,700   1,800   32.7%         0          1,000           500
	2026-11-21  shopify  USD            1          0      2    2,200    800   1,400   63.6%         0          3,000           300
	------------------------------------------------------------------------------------------------------------------------------
	2026-11-21  TOTAL    KRW            1          1      3    5,500  3,700   1,800   32.7%         0          1,000           500
	2026-11-21  TOTAL    USD            1          0      2    2,200    800   1,400   63.6%         0          3,000           300
	EOF
	money_all want channel settlement --from 2026-11-21
}

@test "a cost changed after the sale does not rewrite its profit" {
	money_store
	uoms-report sales --by channel >before.jsonl
	# SKU-A costs 5000 from today everywhere; and from half a second
	# after C1 was placed (01:00:00Z): a time with a fraction is later
	# than the whole second, though "…:00.500Z" sorts before "…:00Z" as
	# text.
	sql "INSERT INTO product_costs (channel, sku, valid_from, cost) VALUES
	    ('', 'SKU-A', '2026-12-06T00:00:00Z', 5000),
	    ('naver', 'SKU-A', '2026-12-06T00:00:00Z', 5000),
	    ('shopify', 'SKU-A', '2026-12-06T00:00:00Z', 5000),
	    ('', 'SKU-A', '2026-11-21T01:00:00.500Z', 5000);
	    UPDATE products SET cost = 5000 WHERE sku = 'SKU-A'"
	uoms-report sales --by channel >after.jsonl
	diff -u before.jsonl after.jsonl
	# a cost from the very second of the sale is the cost of the sale:
	# C1's 2 units of A at 650 instead of 600, 100 more
	sql "INSERT INTO product_costs (channel, sku, valid_from, cost) VALUES
	    ('', 'SKU-A', '2026-11-21T01:00:00Z', 650)"
	run --separate-stderr uoms-report sales --by channel
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = '{"channel":"coupang","currency":"KRW","orders":1,"cancelled":1,"items":3,"revenue":5500,"cost":3800,"profit":1700,"margin":30.9,"uncosted":0,"cancelled_amount":1000,"refunded_amount":500}' ]
}

@test "the same sku on two channels is never counted twice" {
	money_store
	# SKU-A is in two catalogs ('' and shopify) and three histories: each
	# order's item is still one item. 3+2 units of A sold, 1+0 of B.
	run --separate-stderr uoms-report sales --by item --format csv
	[ "$status" -eq 0 ]
	[ "$(printf '%s\n' "${lines[@]}" | grep -c '^SKU-A,')" -eq 2 ]
	uoms-report sales --by item | jget items >items
	[ "$(paste -sd' ' items)" = "3 2 1 0 4 2" ]
}

@test "orders without a currency are a group of their own, after the others" {
	money_store
	order 401 channel='"naver"' currency=absent placed_at='"2026-11-22T03:00:00Z"' \
	    items='[{"external_item_id":"x1","sku":"SKU-Z","quantity":2,"unit_price":700}]' |
	    uoms-upsert >/dev/null
	# naver: KRW's N1 as above, then X1 alone: 2x700 = 1400, SKU-Z has no
	# cost (uncosted 2). Totals: KRW, USD, then none.
	run --separate-stderr uoms-report sales --by channel
	[ "$status" -eq 0 ]
	[ "${lines[2]}" = '{"channel":"naver","currency":null,"orders":1,"cancelled":0,"items":2,"revenue":1400,"cost":null,"profit":null,"margin":null,"uncosted":2,"cancelled_amount":0,"refunded_amount":0}' ]
	[ "${lines[6]}" = '{"channel":null,"currency":null,"orders":1,"cancelled":0,"items":2,"revenue":1400,"cost":null,"profit":null,"margin":null,"uncosted":2,"cancelled_amount":0,"refunded_amount":0,"totals":true}' ]
	[ "${#lines[@]}" -eq 7 ]
	run --separate-stderr uoms-report sales --by channel --format csv
	[ "${lines[3]}" = $'naver,,1,0,2,1400,,,,2,0,0\r' ]
	[ "${lines[7]}" = $'TOTAL,,1,0,2,1400,,,,2,0,0\r' ]
	run --separate-stderr uoms-report sales --by channel --format table
	[ "${lines[3]}" = "naver    -              1          0      2    1,400      ?       ?       ?         2              0             0" ]
	[ "${#lines[@]}" -eq 9 ]
	[ "${lines[8]}" = "TOTAL    -              1          0      2    1,400      ?       ?       ?         2              0             0" ]
}
