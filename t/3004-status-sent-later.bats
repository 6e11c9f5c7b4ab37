#!/usr/bin/env bats
# uoms-status in few round trips (issue 11): on PostgreSQL a move's UPDATE
# and event are sent without waiting for each, and the record read back
# (the order and its items, one statement) goes in the same round trip.
# A write refused after it was sent is still told with its own words, on
# the line that sent it; the record printed is the one stored. The same
# on SQLite, where each statement waits.
load helper

@test "an event refused after it was sent names the event, its line alone refused" {
	orders 4 >in.jsonl
	uoms-upsert in.jsonl >/dev/null
	refuse_rows "INSERT ON events" "NEW.order_id = 2 AND NEW.to_state = 'IN_PROGRESS'"
	run --separate-stderr uoms-status --to IN_PROGRESS --reject rej.jsonl < <(printf '{"id":%s}\n' 1 2 3 4)
	[ "$status" -eq 1 ]
	[ "$stderr" = "uoms-status: line 2: invalid: order 2: the store refused a value: appending an event: boom" ]
	[ "$(jget id <<<"$output" | tr '\n' ' ')" = "1 3 4 " ]
	[ "$(jget error.code <rej.jsonl)|$(jget id <rej.jsonl)" = "invalid|2" ]
	[ "$(uoms-query | jget status | tr '\n' ' ')" = "IN_PROGRESS IN_PROGRESS WAITING IN_PROGRESS " ]
	[ "$(sql "SELECT version FROM orders WHERE id = 2")" = 1 ]
	[ "$(sql "SELECT count(*) FROM events WHERE order_id = 2 AND type = 'status'")" = 0 ]
}

@test "a refused move of the first line, before any record was read, names it" {
	orders 2 >in.jsonl
	uoms-upsert in.jsonl >/dev/null
	refuse_rows "UPDATE ON orders" "NEW.id = 1 AND NEW.status = 'IN_PROGRESS'"
	run --separate-stderr uoms-status --to IN_PROGRESS 1 2
	[ "$status" -eq 1 ]
	[ "$stderr" = "uoms-status: order 1: invalid: the store refused a value: changing a status: boom" ]
	[ "$(jget id <<<"$output")" = 2 ]
}

@test "the record a move prints is the stored one, items in order" {
	order 300001 'items=[{"external_item_id":"b","sku":"S-2","name":"배","quantity":1,"unit_price":500},{"external_item_id":"a","sku":"S-1","quantity":3,"unit_price":100,"gift":true}]' >in.jsonl
	order 300002 >>in.jsonl
	uoms-upsert in.jsonl >/dev/null
	uoms-query --status WAITING | uoms-status --to IN_PROGRESS >moved.jsonl
	uoms-query >stored.jsonl
	diff -u stored.jsonl moved.jsonl
	[ "$(grep 300001 moved.jsonl | jget 'items[0].name')" = 배 ]
	[ "$(grep 300001 moved.jsonl | jget 'items[1].external_item_id')" = a ]
}

@test "a listing with --limit reads its page's items at once, the same bytes" {
	order 300001 'items=[{"external_item_id":"b","sku":"S-2","quantity":1},{"external_item_id":"a","sku":"S-1","quantity":3,"unit_price":100}]' >in.jsonl
	order 300002 'items=[]' >>in.jsonl
	orders 3 >>in.jsonl
	order 300003 'status="IN_PROGRESS"' 'items=[{"external_item_id":"c","sku":"S-3","quantity":2},{"external_item_id":"d","sku":"S-4","quantity":1},{"external_item_id":"e","sku":"S-5","quantity":5}]' >>in.jsonl
	uoms-upsert in.jsonl >/dev/null
	uoms-query >all.jsonl
	[ "$(wc -l <all.jsonl)" -eq 6 ]
	uoms-query --limit 6 | diff -u all.jsonl -
	uoms-query --limit 4 | diff -u <(head -n 4 all.jsonl) -
	uoms-query --limit 1 | diff -u <(head -n 1 all.jsonl) -
	uoms-query --status WAITING >waiting.jsonl
	uoms-query --status WAITING --limit 2 | diff -u <(head -n 2 waiting.jsonl) -
	[ "$(grep -o '"external_item_id"' all.jsonl | wc -l)" -eq 8 ]
}
