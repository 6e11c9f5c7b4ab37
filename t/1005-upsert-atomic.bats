#!/usr/bin/env bats
# uoms-upsert --atomic is all or nothing; --batch does not change what is
# stored; a fixed reject file feeds back.
load helper

setup_file() {
	plain_orders
}

# store_dump: everything about the stored orders except the clock: records
# with id and version (not created_at/updated_at), items, events.
store_dump() {
	uoms-query | python3 -c '
import json, sys
for line in sys.stdin:
    v = json.loads(line)
    v.pop("created_at"); v.pop("updated_at")
    print(json.dumps(v, ensure_ascii=False, sort_keys=True))'
	sql 'select order_id, external_item_id, seq, sku, name, quantity, unit_price, extra from order_items order by order_id, seq'
	sql 'select id, order_id, type, from_state, to_state, actor, version, details from events order by id'
}

@test "--atomic with one bad line stores nothing and prints nothing" {
	{ orders 2; order 100003 'shipping={"postal_code":"123"}'; orders 2 4; } >in.jsonl
	run --separate-stderr uoms-upsert --atomic --summary --reject rej.jsonl in.jsonl
	[ "$status" -eq 1 ]
	[ -z "$output" ]
	[[ "${stderr_lines[0]}" == "uoms-upsert: in.jsonl: line 3: invalid: postal code '123' is not 5 digits" ]]
	[[ "$stderr" == *"nothing stored"* ]]
	[[ "${stderr_lines[-1]}" == "uoms-upsert: read 5, created 0, updated 0, unchanged 0, rejected 1" ]]
	[ "$(sql 'select count(*) from orders')" -eq 0 ]
	[ "$(sql 'select count(*) from order_items')" -eq 0 ]
	[ "$(sql 'select count(*) from events')" -eq 0 ]
	[ "$(jget error.line <rej.jsonl)" = 3 ]
}

@test "--atomic with a bad line leaves earlier orders as they were" {
	orders 3 | uoms-upsert >/dev/null
	store_dump >before
	{
		orders 3 | sed 's/"department":"[a-z]*"/"department":"north"/'
		orders 1 10
		echo 'not json'
	} >in.jsonl
	run --separate-stderr uoms-upsert --atomic in.jsonl
	[ "$status" -eq 1 ]
	[ -z "$output" ]
	[[ "$stderr" == *"line 5: invalid"* ]]
	[[ "$stderr" == *"nothing stored"* ]]
	store_dump >after
	diff -u before after
}

@test "--atomic with a malformed last line refuses the whole file" {
	{ orders 3; printf '{"channel":"coupang"'; } >in.jsonl
	run --separate-stderr uoms-upsert --atomic in.jsonl
	[ "$status" -eq 1 ]
	[ -z "$output" ]
	[ "$(sql 'select count(*) from orders')" -eq 0 ]
}

@test "--atomic with all lines good stores and prints them all" {
	{ orders 5; plain 100001; } >in.jsonl
	run --separate-stderr uoms-upsert --atomic --summary in.jsonl
	[ "$status" -eq 0 ]
	[ "$stderr" = "uoms-upsert: read 6, created 6, updated 0, unchanged 0, rejected 0" ]
	[ "${#lines[@]}" -eq 6 ]
	[ "$(printf '%s\n' "$output" | jget external_order_id | tr '\n' ' ')" = "1 2 3 4 5 100001 " ]
	[ "$(sql 'select count(*) from orders')" -eq 6 ]
	uoms-query | tac >query.jsonl
	printf '%s\n' "$output" >out.jsonl
	diff -u query.jsonl out.jsonl
}

@test "--atomic with many lines (more than one batch) is still one transaction" {
	orders 2500 >in.jsonl
	printf '[]\n' >>in.jsonl
	run --separate-stderr uoms-upsert --atomic --batch 100 in.jsonl
	[ "$status" -eq 1 ]
	[ -z "$output" ]
	[ "$(sql 'select count(*) from orders')" -eq 0 ]
	head -2500 in.jsonl >good.jsonl
	run --separate-stderr uoms-upsert --atomic --batch 100 good.jsonl
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 2500 ]
	[ "$(sql 'select count(*) from orders')" -eq 2500 ]
}

@test "--batch 1 and --batch 1000 store the same content" {
	{
		orders 30
		orders 10 5 | sed 's/"currency":"KRW"/"currency":"USD"/'
		plain 100001
		echo '{"channel":"coupang","external_order_id":"7","eta":"2030-01-01T00:00:00Z"}'
		order 100002 'items=[{"external_item_id":"x","quantity":0}]'
		orders 3 28
	} >in.jsonl
	for b in 1 7 1000; do
		store_reset
		run --separate-stderr uoms-upsert --batch "$b" --summary in.jsonl
		[ "$status" -eq 1 ]
		[ "${stderr_lines[-1]}" = "uoms-upsert: read 46, created 31, updated 11, unchanged 3, rejected 1" ]
		printf '%s\n' "$output" | python3 -c '
import json, sys
for line in sys.stdin:
    v = json.loads(line); v.pop("created_at"); v.pop("updated_at"); print(json.dumps(v))' >out-$b
		store_dump >dump-$b
	done
	diff -u out-1000 out-1
	diff -u out-1000 out-7
	diff -u dump-1000 dump-1
	diff -u dump-1000 dump-7
	[ "$(wc -l <out-1)" -eq 45 ]
}

@test "a reject file fixed with sed is accepted, its error member not stored" {
	{
		plain 100001
		order 100002 'shipping={"postal_code":"6236","address":"서울"}'
		order 100003 'customer={"name":"이","phone":"0101234567"}'
		plain 100004
	} >in.jsonl
	run --separate-stderr uoms-upsert --reject rej.jsonl in.jsonl
	[ "$status" -eq 1 ]
	[ "$(wc -l <rej.jsonl)" -eq 2 ]
	sed -e 's/"postal_code":"6236"/"postal_code":"06236"/' \
	    -e 's/"phone":"0101234567"/"phone":"010-123-4567"/' rej.jsonl >fixed.jsonl
	run --separate-stderr uoms-upsert --summary --reject rej2.jsonl fixed.jsonl
	[ "$status" -eq 1 ]
	# 010-123-4567 is not a valid mobile number: fixed again
	[[ "${stderr_lines[0]}" == "uoms-upsert: fixed.jsonl: line 2: invalid: customer.phone '010-123-4567'"* ]]
	[ "${stderr_lines[1]}" = "uoms-upsert: read 2, created 1, updated 0, unchanged 0, rejected 1" ]
	sed 's/"phone":"010-123-4567"/"phone":"010-1234-5678"/' rej2.jsonl >fixed2.jsonl
	# the second reject line carries the error of its own run, not both
	[ "$(jget error.line <rej2.jsonl)" = 2 ]
	run --separate-stderr uoms-upsert --summary fixed2.jsonl
	[ "$status" -eq 0 ]
	[ "$stderr" = "uoms-upsert: read 1, created 1, updated 0, unchanged 0, rejected 0" ]
	[ "$(sql 'select count(*) from orders')" -eq 4 ]
	[ "$(sql 'select count(*) from orders where extra is not null')" -eq 0 ]
	[ "$(uoms-query | grep -c '"error"')" -eq 0 ]
	{
		order 100002 'shipping={"postal_code":"06236","address":"서울"}'
		order 100003 'customer={"name":"이","phone":"010-1234-5678"}'
	} | strip_store >want
	uoms-query | grep -e '"100002"' -e '"100003"' | tac | strip_store >got
	diff -u want got
}

@test "an error member on an ordinary line is ignored, not stored" {
	order 100001 'error={"code":"invalid","message":"old","line":9}' >in.jsonl
	run --separate-stderr uoms-upsert in.jsonl
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	[[ "$output" != *'"error"'* ]]
	plain 100001 | uoms-upsert --summary 2>summary >/dev/null
	[ "$(cat summary)" = "uoms-upsert: read 1, created 0, updated 0, unchanged 1, rejected 0" ]
}
