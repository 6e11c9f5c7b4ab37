#!/usr/bin/env bats
# Stock that can't be sold twice (issue 13, item 2; lib/stock.h): an order
# first stored reserves its items' units of each tracked product (the
# channel's own with a stock, else the shared one's), all or nothing; when
# short it is held stock_shortage once. $P processes racing for 5 units:
# exactly 5 go through. Cancelling releases, shipping consumes, more
# cancelled units release the difference, each once; a re-run reserves
# nothing twice. uoms-catalog lists reserved and available.
load helper

P=8

# item SKU QTY [CANCELLED]: an items list of one item.
item() {
	printf '[{"external_item_id":"i-%s","sku":"%s","quantity":%s%s}]' \
	    "$1" "$1" "$2" "${3:+,\"cancelled_quantity\":$3}"
}

# product [CHANNEL] SKU STOCK: a product with a stock ("null": untracked).
product() {
	local ch=
	if [ $# -eq 3 ]; then
		ch="\"channel\":\"$1\","
		shift
	fi
	echo "{$ch\"sku\":\"$1\",\"name\":\"$1\",\"stock\":$2}" |
	    uoms-upsert --products >/dev/null
}

# stock_of [CHANNEL] SKU: "stock reserved available" as uoms-catalog lists
# them (the shared product's without CHANNEL).
stock_of() {
	local where=(--shared)
	if [ $# -eq 2 ]; then
		where=(--channel "$1")
		shift
	fi
	uoms-catalog "${where[@]}" --sku "$1" | python3 -c '
import json, sys
v = json.loads(sys.stdin.read())
print(*("null" if v[k] is None else v[k] for k in ("stock", "reserved", "available")))'
}

# open_holds: "ORDER_ID REASON NOTE" per open hold, by order id.
open_holds() {
	uoms-hold list --state open | python3 -c '
import json, sys
for v in sorted((json.loads(l) for l in sys.stdin), key=lambda v: v["order_id"]):
    print(v["order_id"], v["reason"], v["note"])'
}

@test "$P processes race for 5 units: exactly 5 reserve one each, the others are held stock_shortage; cancelling one releases its unit" {
	product SKU-R 5
	local pids=() p
	for ((p = 0; p < P; p++)); do
		order "10$p" items="$(item SKU-R 1)" >"in.$p"
	done
	for ((p = 0; p < P; p++)); do
		(
			: >"ready.$p"
			while [ ! -e go ]; do sleep 0.01; done
			st=0
			uoms-upsert "in.$p" >"out.$p" 2>"err.$p" || st=$?
			echo "$st" >"st.$p"
		) &
		pids+=($!)
	done
	wait_for eval '[ "$(ls ready.* 2>/dev/null | wc -l)" -eq "$P" ]'
	: >go
	for pid in "${pids[@]}"; do
		wait "$pid"
	done
	for ((p = 0; p < P; p++)); do
		echo "racer $p: exit $(cat "st.$p"): $(cat "err.$p")"
		[ "$(cat "st.$p")" -eq 0 ]
		[ ! -s "err.$p" ]
	done
	[ "$(uoms-query | wc -l)" -eq "$P" ]
	[ "$(stock_of SKU-R)" = "5 5 0" ]
	open_holds >holds
	cat holds
	[ "$(wc -l <holds)" -eq $((P - 5)) ]
	[ "$(grep -c ' stock_shortage sku SKU-R: wanted 1, available 0$' holds)" -eq $((P - 5)) ]
	# The held ones reserved nothing: 5 reservations, of the 5 others.
	[ "$(sql "SELECT count(*) FROM stock_reservations WHERE state = 'reserved'")" -eq 5 ]
	[ "$(sql "SELECT count(*) FROM stock_reservations r JOIN holds h ON h.order_id = r.order_id")" -eq 0 ]
	# A held order's record says so (read back after the hold): version 2.
	local held
	held=$(head -1 holds | cut -d' ' -f1)
	for ((p = 0; p < P; p++)); do
		if [ "$(jget id <"out.$p")" = "$held" ]; then
			[ "$(jget version <"out.$p")" = 2 ]
			[ "$(jget 'holds[0].reason' <"out.$p")" = stock_shortage ]
		fi
	done
	# A held order does not move.
	run --separate-stderr uoms-status --to CANCEL "$held"
	[ "$status" -eq 1 ]
	[[ "$stderr" == *"on_hold"* ]]
	# Cancelling one that reserved gives its unit back, once.
	local got
	got=$(sql "SELECT min(order_id) FROM stock_reservations")
	uoms-status --to CANCEL "$got" >/dev/null
	[ "$(stock_of SKU-R)" = "5 4 1" ]
	[ "$(sql "SELECT state FROM stock_reservations WHERE order_id = $got")" = released ]
	run --separate-stderr uoms-status --to CANCEL "$got"
	[ "$status" -eq 1 ]
	[ "$(stock_of SKU-R)" = "5 4 1" ]
	# The unit freed is there for the next order.
	order 199 items="$(item SKU-R 1)" | uoms-upsert >/dev/null
	[ "$(stock_of SKU-R)" = "5 5 0" ]
	[ "$(open_holds | wc -l)" -eq $((P - 5)) ]
}

@test "shipping consumes the reservation: stock and reserved go down once; a cancel after it gives nothing back" {
	product SKU-S 3
	order 201 items="$(item SKU-S 2)" | uoms-upsert >/dev/null
	[ "$(stock_of SKU-S)" = "3 2 1" ]
	uoms-status --to IN_PROGRESS coupang:201 >/dev/null
	[ "$(stock_of SKU-S)" = "1 0 1" ]
	[ "$(sql "SELECT state || ' ' || quantity FROM stock_reservations")" = "consumed 2" ]
	uoms-status --to CANCEL coupang:201 >/dev/null
	[ "$(stock_of SKU-S)" = "1 0 1" ]
	# The channel's word moving a new order along its way consumes too
	# (fulfillment: created ... shipped, ships: true).
	order 202 workflow='"fulfillment"' status='"created"' items="$(item SKU-S 1)" |
	    uoms-upsert >/dev/null
	[ "$(stock_of SKU-S)" = "1 1 0" ]
	order 202 workflow='"fulfillment"' status='"delivered"' items="$(item SKU-S 1)" \
	    channel_updated_at='"2026-11-21T10:00:00Z"' | uoms-upsert >/dev/null
	[ "$(sql "SELECT status FROM orders WHERE external_order_id = '202'")" = delivered ]
	[ "$(stock_of SKU-S)" = "0 0 0" ]
}

@test "a cancelled_quantity that grows releases the difference; the rest goes on the cancel" {
	product SKU-C 5
	order 301 items="$(item SKU-C 3)" | uoms-upsert >/dev/null
	[ "$(stock_of SKU-C)" = "5 3 2" ]
	order 301 items="$(item SKU-C 3 1)" channel_updated_at='"2026-11-21T10:00:00Z"' |
	    uoms-upsert >/dev/null
	[ "$(stock_of SKU-C)" = "5 2 3" ]
	# The same again changes nothing.
	order 301 items="$(item SKU-C 3 1)" channel_updated_at='"2026-11-21T10:00:00Z"' |
	    uoms-upsert >/dev/null
	[ "$(stock_of SKU-C)" = "5 2 3" ]
	# Fewer cancelled again reserves no more (documented).
	order 301 items="$(item SKU-C 3 0)" channel_updated_at='"2026-11-21T10:01:00Z"' |
	    uoms-upsert >/dev/null
	[ "$(stock_of SKU-C)" = "5 2 3" ]
	uoms-status --to CANCEL coupang:301 >/dev/null
	[ "$(stock_of SKU-C)" = "5 0 5" ]
	# All of an item cancelled: released whole.
	order 302 items="$(item SKU-C 2)" | uoms-upsert >/dev/null
	[ "$(stock_of SKU-C)" = "5 2 3" ]
	order 302 items="$(item SKU-C 2 2)" channel_updated_at='"2026-11-21T10:00:00Z"' |
	    uoms-upsert >/dev/null
	[ "$(stock_of SKU-C)" = "5 0 5" ]
	[ "$(sql "SELECT state FROM stock_reservations WHERE order_id = 2")" = released ]
	uoms-status --to CANCEL coupang:302 >/dev/null
	[ "$(stock_of SKU-C)" = "5 0 5" ]
}

@test "an unchanged re-run reserves nothing twice, nor does an update of the order" {
	product SKU-U 4
	order 401 items="$(item SKU-U 2)" >in.jsonl
	uoms-upsert in.jsonl >/dev/null
	run --separate-stderr uoms-upsert --summary in.jsonl
	[ "$status" -eq 0 ]
	[[ "$stderr" == *"unchanged 1"* ]]
	[ "$(stock_of SKU-U)" = "4 2 2" ]
	order 401 items="$(item SKU-U 2)" total_amount=40000 \
	    channel_updated_at='"2026-11-21T10:00:00Z"' | uoms-upsert >/dev/null
	[ "$(stock_of SKU-U)" = "4 2 2" ]
	[ "$(sql "SELECT count(*) FROM stock_reservations")" -eq 1 ]
	[ -z "$(open_holds)" ]
}

@test "all or nothing: one short product reserves none of the order's, and the hold names the sku, wanted and available" {
	product SKU-A 10
	product SKU-B 1
	order 501 items='[{"external_item_id":"x","sku":"SKU-A","quantity":2},{"external_item_id":"y","sku":"SKU-B","quantity":1},{"external_item_id":"z","sku":"SKU-B","quantity":2}]' |
	    uoms-upsert >out.jsonl
	[ "$(stock_of SKU-A)" = "10 0 10" ]
	[ "$(stock_of SKU-B)" = "1 0 1" ]
	[ "$(open_holds)" = "1 stock_shortage sku SKU-B: wanted 3, available 1" ]
	[ "$(jget version <out.jsonl)" = 2 ]
	[ "$(sql "SELECT count(*) FROM stock_reservations")" -eq 0 ]
	[ "$(sql "SELECT count(*) FROM events WHERE type = 'hold_placed'")" -eq 1 ]
	# Two items of one sku are wanted together.
	order 502 items='[{"external_item_id":"x","sku":"SKU-A","quantity":2},{"external_item_id":"y","sku":"SKU-A","quantity":3}]' |
	    uoms-upsert >/dev/null
	[ "$(stock_of SKU-A)" = "10 5 5" ]
}

@test "the channel's own product with a stock first, else the shared pool; no stock, no product: not tracked" {
	product SKU-P 10
	product coupang SKU-P 1
	product shop SKU-P null
	product SKU-N null
	order 601 items="$(item SKU-P 1)" | uoms-upsert >/dev/null
	[ "$(stock_of coupang SKU-P)" = "1 1 0" ]
	[ "$(stock_of SKU-P)" = "10 0 10" ]
	# coupang's own is short now: coupang's next order is held, the
	# shared pool is not its.
	order 602 items="$(item SKU-P 1)" | uoms-upsert >/dev/null
	[ "$(open_holds)" = "2 stock_shortage sku coupang/SKU-P: wanted 1, available 0" ]
	# shop's product has no stock: the shared pool's.
	order 603 channel='"shop"' items="$(item SKU-P 4)" | uoms-upsert >/dev/null
	[ "$(stock_of SKU-P)" = "10 4 6" ]
	[ "$(stock_of shop SKU-P)" = "null null null" ]
	# Untracked: nothing reserved, nothing held.
	order 604 items="$(item SKU-N 100)" | uoms-upsert >/dev/null
	order 605 items="$(item SKU-NONE 100)" | uoms-upsert >/dev/null
	[ "$(stock_of SKU-N)" = "null null null" ]
	[ "$(open_holds | wc -l)" -eq 1 ]
	# An order stored cancelled reserves nothing.
	order 606 status='"CANCEL"' items="$(item SKU-P 1)" channel='"naver"' |
	    uoms-upsert >/dev/null
	[ "$(stock_of SKU-P)" = "10 4 6" ]
}

@test "uoms-catalog lists reserved and available, in csv and the table too" {
	product SKU-T 7
	order 701 items="$(item SKU-T 3)" | uoms-upsert >/dev/null
	uoms-catalog --format csv | tr -d '\r' | cut -d, -f2,8-10 >got
	printf '%s\n' sku,stock,reserved,available SKU-T,7,3,4 >want
	diff -u want got
	run --separate-stderr uoms-catalog --format table
	[[ "${lines[0]}" == *" STOCK "*" RESERVED "*" AVAILABLE" ]]
	[[ "${lines[1]}" == *" 7 "*" 3 "*" 4" ]]
	# A listing fed back is the same product: reserved and available are
	# the listing's, not the product's members.
	run --separate-stderr sh -c 'uoms-catalog | uoms-upsert --products --summary'
	[ "$status" -eq 0 ]
	[[ "$stderr" == *"unchanged 1, rejected 0" ]]
}

@test "uoms-report stock: each tracked product's stock, reserved and available, with totals; now only" {
	product SKU-T 7
	product shop SKU-V 2
	product SKU-X null
	order 801 items="$(item SKU-T 3)" | uoms-upsert >/dev/null
	run --separate-stderr uoms-report stock --format csv
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	printf '%s\n' channel,sku,name,stock,reserved,available ,SKU-T,SKU-T,7,3,4 \
	    shop,SKU-V,SKU-V,2,0,2 TOTAL,,,9,3,6 >want
	printf '%s\n' "$output" | tr -d '\r' >got
	diff -u want got
	[ "$(uoms-report stock | head -1 | jget available)" = 4 ]
	run --separate-stderr uoms-report stock --from 2026-01-01
	[ "$status" -eq 2 ]
	[[ "$stderr" == "uoms-report: --from: stock is as it is now"* ]]
	run --separate-stderr uoms-report stock --by channel
	[ "$status" -eq 2 ]
}

@test "an order an admin deletes gives its units back, once" {
	uoms-user add boss --role admin >/dev/null
	product SKU-D 3
	order 901 items="$(item SKU-D 2)" | uoms-upsert >/dev/null
	[ "$(stock_of SKU-D)" = "3 2 1" ]
	uoms-edit --actor boss --delete coupang:901 >/dev/null
	[ "$(stock_of SKU-D)" = "3 0 3" ]
	[ "$(sql "SELECT state FROM stock_reservations")" = released ]
	# The channel's line again is answered, not stored: nothing taken.
	order 901 items="$(item SKU-D 2)" channel_updated_at='"2026-11-21T10:00:00Z"' |
	    uoms-upsert >/dev/null
	[ "$(stock_of SKU-D)" = "3 0 3" ]
}

# Issue 14 (a fresh ingest): whether any product is tracked is asked once
# a write transaction, not for each order; nobody else can give a product
# a stock while it is open, so the answer holds until it ends.
@test "a product given a stock by another process while uoms-upsert runs is reserved from by its next transaction" {
	mkfifo in
	uoms-upsert <in >out.jsonl 2>err &
	local pid=$! fd
	exec {fd}>in
	# Nothing is tracked yet: the first transaction reserves nothing.
	order 701 items="$(item SKU-L 1)" >&"$fd"
	wait_for eval '[ "$(wc -l <out.jsonl)" -ge 1 ]'
	product SKU-L 1
	order 702 items="$(item SKU-L 1)" >&"$fd"
	order 703 items="$(item SKU-L 1)" >&"$fd"
	exec {fd}>&-
	wait "$pid"
	[ ! -s err ]
	[ "$(wc -l <out.jsonl)" -eq 3 ]
	[ "$(stock_of SKU-L)" = "1 1 0" ]
	[ "$(sql "SELECT o.external_order_id FROM stock_reservations r JOIN orders o ON o.id = r.order_id")" = 702 ]
	[ "$(open_holds)" = "3 stock_shortage sku SKU-L: wanted 1, available 0" ]
}

@test "a store that tracks nothing reserves nothing, in one transaction or many; a product tracked later is honoured by the next run" {
	product SKU-M null
	orders 3 >in.jsonl
	order 801 items="$(item SKU-M 2)" >>in.jsonl
	run --separate-stderr uoms-upsert --atomic in.jsonl
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	[ "$(sql "SELECT count(*) FROM stock_reservations")" -eq 0 ]
	[ -z "$(open_holds)" ]
	product SKU-M 5
	order 802 items="$(item SKU-M 2)" | uoms-upsert --batch 1 >/dev/null
	[ "$(stock_of SKU-M)" = "5 2 3" ]
}
