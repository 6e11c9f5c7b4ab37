#!/usr/bin/env bats
# uoms-upsert reads lines ahead (issue 11, speed): on PostgreSQL the
# orders of the next lines of a batch are asked about in one statement,
# so a new order needs no lookup of its own. What was asked holds for
# the first line of each order in that transaction alone: an order given
# twice, a line refused, a batch ending or redone among them all store
# what one line at a time stores. The same on SQLite, where nothing is
# asked ahead.
load helper

# external ids in the store, by id (the order the lines created them in)
by_id() {
	sql "select external_order_id from orders order by id" | tr '\n' ' '
}

@test "an order given twice among new ones: created by its first line, updated by its second" {
	{
		order 300001
		order 300002
		order 300001 'department="west"'
		order 300003
	} >in.jsonl
	run --separate-stderr uoms-upsert --summary in.jsonl
	[ "$status" -eq 0 ]
	[ "$stderr" = "uoms-upsert: read 4, created 3, updated 1, unchanged 0, rejected 0" ]
	[ "${#lines[@]}" -eq 4 ]
	[ "$(echo "${lines[2]}" | jget department)" = west ]
	[ "$(echo "${lines[2]}" | jget version)" = 2 ]
	[ "$(by_id)" = "300001 300002 300003 " ]
	[ "$(sql "select e.type || ':' || e.version from events e join orders o on o.id = e.order_id where external_order_id = '300001' order by e.id" | tr '\n' ' ')" = "created:1 updated:2 " ]
}

@test "an order written two ways (an escape, the plain text) is one order" {
	{
		order 300001 | sed 's/"300001"/"30000\\u0031"/'
		order 300001 'department="west"'
	} >in.jsonl
	grep -q 'u0031' in.jsonl
	run --separate-stderr uoms-upsert --summary in.jsonl
	[ "$status" -eq 0 ]
	[ "$stderr" = "uoms-upsert: read 2, created 1, updated 1, unchanged 0, rejected 0" ]
	[ "$(uoms-query | jget department)" = west ]
}

@test "a new order refused, then given again: the second line stores it, ids in the lines' order" {
	{
		order 300001
		order 300002 'status="NOT_A_STATE"'
		echo '{"channel": '
		order 300003
		order 300002
	} >in.jsonl
	run --separate-stderr uoms-upsert --summary in.jsonl
	[ "$status" -eq 1 ]
	[ "${stderr_lines[0]}" = "uoms-upsert: in.jsonl: line 2: invalid: status 'NOT_A_STATE' is not a state of workflow dispatch" ]
	[ "$(printf '%s\n' "${stderr_lines[@]}" | grep -c '^uoms-upsert: in.jsonl: line 3: invalid: ')" -eq 1 ]
	[ "${stderr_lines[2]}" = "uoms-upsert: read 5, created 3, updated 0, unchanged 0, rejected 2" ]
	[ "$(by_id)" = "300001 300003 300002 " ]
	[ "$(sql "select count(*) from events e join orders o on o.id = e.order_id where o.version = e.version")" -eq 3 ]
}

@test "stored orders and new ones mixed, an order given again across batches: as one line at a time" {
	orders 3 >first.jsonl
	uoms-upsert first.jsonl >/dev/null
	{
		orders 1 2 | sed 's/"department":"[a-z]*"/"department":"north"/'
		order 300001
		orders 1 4
		order 300001 'department="west"'
		order 300002
		order 300001 'department="south"'
		orders 1 5
		orders 1 3
	} >in.jsonl
	run --separate-stderr uoms-upsert --batch 2 --summary in.jsonl
	[ "$status" -eq 0 ]
	[ "$stderr" = "uoms-upsert: read 8, created 4, updated 3, unchanged 1, rejected 0" ]
	[ "$(by_id)" = "1 2 3 300001 4 300002 5 " ]
	[ "$(sql "select department from orders order by id" | tr '\n' ' ')" = "west north west south east east west " ]
	[ "$(sql "select version from orders where external_order_id = '300001'")" -eq 3 ]
	[ "$(sql "select count(*) from events e join orders o on o.id = e.order_id where o.version = e.version")" -eq 7 ]
}

# More lines than are asked about at once in a batch: the failure of the
# last line's write before them is found by the statement that asks, and
# the batch is redone to refuse that line alone.
@test "a write refused just before the lines read ahead: that line alone, under its own number" {
	uoms-upsert </dev/null
	if engine_is pg; then
		sql "CREATE FUNCTION boom() RETURNS trigger LANGUAGE plpgsql AS
		    \$\$BEGIN RAISE EXCEPTION 'boom' USING ERRCODE =
		    'check_violation'; END\$\$;
		    CREATE TRIGGER boom BEFORE INSERT ON order_items FOR EACH ROW
		    WHEN (NEW.sku = 'boom') EXECUTE FUNCTION boom()"
	else
		sql "CREATE TRIGGER boom BEFORE INSERT ON order_items
		    WHEN NEW.sku = 'boom' BEGIN SELECT RAISE(ABORT, 'boom'); END"
	fi
	orders 1205 | sed '1000s/"sku":"[^"]*"/"sku":"boom"/' >in.jsonl
	grep -c '"sku":"boom"' in.jsonl | grep -qx 1
	run --separate-stderr uoms-upsert --batch 5000 --summary in.jsonl
	[ "$status" -eq 1 ]
	[ "${stderr_lines[0]}" = "uoms-upsert: in.jsonl: line 1000: invalid: the store refused a value: writing items: boom" ]
	[ "${stderr_lines[1]}" = "uoms-upsert: read 1205, created 1204, updated 0, unchanged 0, rejected 1" ]
	[ "${#stderr_lines[@]}" -eq 2 ]
	[ "${#lines[@]}" -eq 1204 ]
	[ "$(sql "select count(*) from orders where external_order_id = '1000'")" -eq 0 ]
	[ "$(sql "select count(*) from events where type = 'created'")" -eq 1204 ]
	[ "$(sql "select count(*) from channel_words")" -eq 1204 ]
}
