#!/usr/bin/env bats
# uoms-upsert of new orders (issue 11): on PostgreSQL a new order's items,
# event and channel's word are sent without waiting for each (libpq's
# pipeline mode), their failure told when the line's writes are waited
# for. The line that failed is still the one refused, with its own
# words, its neighbours in the batch stored; and many orders come out as
# one at a time would store them. The same on SQLite, where each waits.
load helper

# new_lines: five new orders; the third's item has sku boom.
new_lines() {
	order 200001
	order 200002
	order 200003 'items=[{"external_item_id":"x","sku":"boom","quantity":1}]'
	order 200004
	order 200005
}

@test "a new order's item refused after it was sent refuses that line alone" {
	uoms-upsert </dev/null
	refuse_rows "INSERT ON order_items" "NEW.sku = 'boom'"
	new_lines >in.jsonl
	run --separate-stderr uoms-upsert --summary --reject rej.jsonl in.jsonl
	[ "$status" -eq 1 ]
	[ "${stderr_lines[0]}" = "uoms-upsert: in.jsonl: line 3: invalid: the store refused a value: writing items: boom" ]
	[ "${stderr_lines[1]}" = "uoms-upsert: read 5, created 4, updated 0, unchanged 0, rejected 1" ]
	[ "${#lines[@]}" -eq 4 ]
	[ "$(jget error.line <rej.jsonl)" = 3 ]
	[ "$(uoms-query | jget external_order_id | sort | tr '\n' ' ')" = "200001 200002 200004 200005 " ]
	# Nothing of the refused line: no order, no item, no event, no word.
	[ "$(sql "select count(*) from order_items")" -eq 4 ]
	[ "$(sql "select count(*) from events where type = 'created'")" -eq 4 ]
	[ "$(sql "select count(*) from channel_words")" -eq 4 ]
	[ "$(sql "select count(*) from events e join orders o on o.id = e.order_id where o.version = e.version")" -eq 4 ]
}

@test "with --atomic, the same line stores nothing and nothing else is kept" {
	uoms-upsert </dev/null
	refuse_rows "INSERT ON order_items" "NEW.sku = 'boom'"
	new_lines >in.jsonl
	run --separate-stderr uoms-upsert --atomic --summary in.jsonl
	[ "$status" -eq 1 ]
	[ "${stderr_lines[0]}" = "uoms-upsert: in.jsonl: line 3: invalid: the store refused a value: writing items: boom" ]
	[ -z "$output" ]
	[ "$(sql "select count(*) from orders")" -eq 0 ]
	[ "$(sql "select count(*) from events")" -eq 0 ]
}

@test "a new order's event refused after it was sent names the event" {
	uoms-upsert </dev/null
	refuse_rows "INSERT ON events" "NEW.to_state = 'IN_PROGRESS'"
	{
		order 200001
		order 200002 'status="IN_PROGRESS"'
		order 200004
		order 200005
	} >in.jsonl
	run --separate-stderr uoms-upsert in.jsonl
	[ "$status" -eq 1 ]
	[ "${stderr_lines[0]}" = "uoms-upsert: in.jsonl: line 2: invalid: the store refused a value: appending an event: boom" ]
	[ "${#lines[@]}" -eq 3 ]
	[ "$(uoms-query | jget external_order_id | sort | tr '\n' ' ')" = "200001 200004 200005 " ]
	[ "$(sql "select count(*) from order_items")" -eq 3 ]
	[ "$(sql "select count(*) from channel_words")" -eq 3 ]
}

@test "many new orders over batches: every item, event and word, and a second load changes nothing" {
	orders 2500 >in.jsonl
	run --separate-stderr uoms-upsert --batch 1000 --summary in.jsonl
	[ "$status" -eq 0 ]
	[ "$stderr" = "uoms-upsert: read 2500, created 2500, updated 0, unchanged 0, rejected 0" ]
	[ "${#lines[@]}" -eq 2500 ]
	# Each line's record is the order as stored.
	uoms-query | sort >stored.jsonl
	printf '%s\n' "${lines[@]}" | sort | diff -u stored.jsonl -
	[ "$(sql "select count(*) from order_items")" -eq "$(sql "select count(*) from orders o, order_items i where i.order_id = o.id")" ]
	[ "$(sql "select count(*) from orders o where not exists (select 1 from order_items i where i.order_id = o.id)")" -eq 0 ]
	[ "$(sql "select count(*) from events where type = 'created' and version = 1")" -eq 2500 ]
	[ "$(sql "select count(*) from channel_words")" -eq 2500 ]
	run --separate-stderr uoms-upsert --summary in.jsonl
	[ "$status" -eq 0 ]
	[ "$stderr" = "uoms-upsert: read 2500, created 0, updated 0, unchanged 2500, rejected 0" ]
	[ "$(sql "select count(*) from events")" -eq 2500 ]
}

# On PostgreSQL a line's writes are awaited with the next line's first
# read, or at the commit: the failure shows under another line, and the
# batch is redone to refuse the one whose write it was.
@test "the batch's last line refused after it was sent, at the commit: that line alone" {
	uoms-upsert </dev/null
	refuse_rows "INSERT ON order_items" "NEW.sku = 'boom'"
	{
		order 200001
		order 200002
		order 200003 'items=[{"external_item_id":"x","sku":"boom","quantity":1}]'
		order 200004
	} >in.jsonl
	run --separate-stderr uoms-upsert --batch 3 --summary in.jsonl
	[ "$status" -eq 1 ]
	[ "${stderr_lines[0]}" = "uoms-upsert: in.jsonl: line 3: invalid: the store refused a value: writing items: boom" ]
	[ "${stderr_lines[1]}" = "uoms-upsert: read 4, created 3, updated 0, unchanged 0, rejected 1" ]
	[ "${#stderr_lines[@]}" -eq 2 ]
	[ "${#lines[@]}" -eq 3 ]
	[ "$(uoms-query | jget external_order_id | sort | tr '\n' ' ')" = "200001 200002 200004 " ]
	[ "$(sql "select count(*) from events where type = 'created'")" -eq 3 ]
	[ "$(sql "select count(*) from channel_words")" -eq 3 ]
}

@test "a line refused after it was sent, then a malformed line and an update: each told once, under its own line" {
	uoms-upsert </dev/null
	order 200002 >first.jsonl
	uoms-upsert first.jsonl >/dev/null
	refuse_rows "INSERT ON order_items" "NEW.sku = 'boom'"
	{
		order 200000
		order 200001 'items=[{"external_item_id":"x","sku":"boom","quantity":1}]'
		echo '{"channel": '
		order 200002 'department="west"'
		order 200003
	} >in.jsonl
	run --separate-stderr uoms-upsert --summary --reject rej.jsonl in.jsonl
	[ "$status" -eq 1 ]
	# The malformed line is told as it is read, the other when found.
	[ "$(printf '%s\n' "${stderr_lines[@]}" | grep -c 'line 2: invalid: the store refused a value: writing items: boom$')" -eq 1 ]
	[ "$(printf '%s\n' "${stderr_lines[@]}" | grep -c 'line 3: ')" -eq 1 ]
	[ "${stderr_lines[2]}" = "uoms-upsert: read 5, created 2, updated 1, unchanged 0, rejected 2" ]
	[ "${#stderr_lines[@]}" -eq 3 ]
	[ "$(jget error.line <rej.jsonl | sort | tr '\n' ' ')" = "2 3 " ]
	[ "$(uoms-query | jget external_order_id | sort | tr '\n' ' ')" = "200000 200002 200003 " ]
	[ "$(uoms-query | jget department | sort | tr '\n' ' ')" = "east east west " ]
	[ "$(sql "select count(*) from events e join orders o on o.id = e.order_id where o.version = e.version")" -eq 3 ]
}

@test "a line refused after it was sent, the last line malformed: the commit does not lose the batch" {
	uoms-upsert </dev/null
	refuse_rows "INSERT ON order_items" "NEW.sku = 'boom'"
	{
		order 200001
		order 200002 'items=[{"external_item_id":"x","sku":"boom","quantity":1}]'
		echo '{"channel": '
	} >in.jsonl
	run --separate-stderr uoms-upsert --summary in.jsonl
	[ "$status" -eq 1 ]
	[ "$(printf '%s\n' "${stderr_lines[@]}" | grep -c 'line 2: invalid: the store refused a value: writing items: boom$')" -eq 1 ]
	[ "$(printf '%s\n' "${stderr_lines[@]}" | grep -c 'line 3: ')" -eq 1 ]
	[ "${#stderr_lines[@]}" -eq 3 ]
	[ "${stderr_lines[2]}" = "uoms-upsert: read 3, created 1, updated 0, unchanged 0, rejected 2" ]
	[ "${#lines[@]}" -eq 1 ]
	[ "$(uoms-query | jget external_order_id)" = 200001 ]
}

# A new order with channel holds reads them after its writes were sent
# (the read goes with them): a write's failure is still told in its own
# words, not as the read that came upon it.
@test "a new order with channel holds, its item refused: the item's words, that line alone" {
	uoms-upsert </dev/null
	refuse_rows "INSERT ON order_items" "NEW.sku = 'boom'"
	{
		order 200001
		order 200002 'items=[{"external_item_id":"x","sku":"boom","quantity":1}]' 'channel_holds=[{"key":"coupang:stop:7","note":"stop"}]'
		order 200003
	} >in.jsonl
	run --separate-stderr uoms-upsert --summary in.jsonl
	[ "$status" -eq 1 ]
	[ "${stderr_lines[0]}" = "uoms-upsert: in.jsonl: line 2: invalid: the store refused a value: writing items: boom" ]
	[ "${stderr_lines[1]}" = "uoms-upsert: read 3, created 2, updated 0, unchanged 0, rejected 1" ]
	[ "${#stderr_lines[@]}" -eq 2 ]
	[ "$(uoms-query | jget external_order_id | sort | tr '\n' ' ')" = "200001 200003 " ]
	[ "$(sql "select count(*) from holds")" -eq 0 ]
}
