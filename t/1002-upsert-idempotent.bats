#!/usr/bin/env bats
# uoms-upsert by natural key: the same input twice changes nothing; a change
# bumps the version once and logs one event; partial lines merge; a stale
# version is refused.
load helper

setup_file() {
	plain_orders
}

# versions: "channel:external_order_id version" for every order, by id.
versions() {
	sql "select channel || ':' || external_order_id || ' ' || version from orders order by id"
}

@test "the same file upserted twice: second run all unchanged, nothing written" {
	{ order 100001 'extra_member={"a":1}'; orders 20; } >in.jsonl
	run --separate-stderr uoms-upsert --summary in.jsonl
	[ "$status" -eq 0 ]
	[ "$stderr" = "uoms-upsert: read 21, created 21, updated 0, unchanged 0, rejected 0" ]
	printf '%s\n' "$output" >first.jsonl
	versions >versions-1
	[ "$(sql 'select count(*) from events')" -eq 21 ]
	[ "$(sql "select count(*) from events where type = 'created'")" -eq 21 ]

	run --separate-stderr uoms-upsert --summary in.jsonl
	[ "$status" -eq 0 ]
	[ "$stderr" = "uoms-upsert: read 21, created 0, updated 0, unchanged 21, rejected 0" ]
	printf '%s\n' "$output" >second.jsonl
	diff -u first.jsonl second.jsonl
	versions >versions-2
	diff -u versions-1 versions-2
	[ "$(sql 'select count(*) from events')" -eq 21 ]
	[ "$(sql 'select count(*) from orders')" -eq 21 ]
	[ "$(sql 'select max(version) from orders')" -eq 1 ]
}

@test "an unchanged re-run takes no write lock: it answers while another writer holds the store" {
	engine_only sqlite "the holder is the sqlite3 program; on PostgreSQL every line is looked at in the write transaction"
	orders 5 >in.jsonl
	uoms-upsert in.jsonl >first.jsonl
	printf 'busy_timeout: 200\n' >conf.yaml
	hold_sqlite_store
	run --separate-stderr uoms-upsert -c conf.yaml --summary in.jsonl
	printf '%s\n' "$output" >second.jsonl
	# a changed line still needs the lock, and waits for it as before
	run --separate-stderr uoms-upsert -c conf.yaml < <(order 1 'department="west"')
	changed=$status
	free_sqlite_store
	diff -u first.jsonl second.jsonl
	[ "$changed" -eq 3 ]
	[ "$(sql 'select max(version) from orders')" -eq 1 ]
}

@test "unchanged lines around changed ones: every record printed in input order, each counted once" {
	orders 4 >in.jsonl
	uoms-upsert in.jsonl >/dev/null
	{ sed -n 1p in.jsonl; order 2 'department="west"'; sed -n 3p in.jsonl;
	    order 4 'department="west"'; order 5; sed -n 1p in.jsonl; } >mixed.jsonl
	run --separate-stderr uoms-upsert --summary mixed.jsonl
	[ "$status" -eq 0 ]
	[ "$stderr" = "uoms-upsert: read 6, created 1, updated 2, unchanged 3, rejected 0" ]
	[ "$(printf '%s\n' "$output" | jget external_order_id | tr '\n' ' ')" = "1 2 3 4 5 1 " ]
	[ "$(printf '%s\n' "$output" | jget version | tr '\n' ' ')" = "1 2 1 2 1 1 " ]
	for i in 1 2 3 4 5; do
		uoms-query --id "$(sql "select id from orders where external_order_id = '$i'")"
	done >want
	printf '%s\n' "$output" | head -n 5 >got
	diff -u want got
}

@test "one changed line: its version goes up by one, one updated event names the member" {
	{ plain 100001; plain 100002; plain 100003; } >in.jsonl
	uoms-upsert in.jsonl >/dev/null
	{ plain 100001; order 100002 'department="west"'; plain 100003; } >changed.jsonl
	run --separate-stderr uoms-upsert --summary changed.jsonl
	[ "$status" -eq 0 ]
	[ "$stderr" = "uoms-upsert: read 3, created 0, updated 1, unchanged 2, rejected 0" ]
	[ "$(printf '%s\n' "$output" | jget version | tr '\n' ' ')" = "1 2 1 " ]
	[ "$(printf '%s\n' "$output" | jget department | tr '\n' ' ')" = "east west east " ]
	printf 'coupang:100001 1\ncoupang:100002 2\ncoupang:100003 1\n' >want
	versions >got
	diff -u want got
	[ "$(sql 'select count(*) from events')" -eq 4 ]
	run sql "select e.type, e.version, o.external_order_id, e.actor from events e join orders o on o.id = e.order_id where e.id = 4"
	[ "$output" = "updated|2|100002|tester" ]
	sql 'select details from events where id = 4' | jget changed >got
	echo '["department"]' >want
	diff -u want got
	# the status did not move, so the event records no transition
	[ "$(sql 'select from_state is null and to_state is null from events where id = 4')" = 1 ]
}

@test "each kind of change is named in the event details" {
	order 100001 'x_unknown=1' | uoms-upsert >/dev/null
	order 100001 'x_unknown=1' 'eta="2030-12-01T00:00:00Z"' 'total_amount=40000' | uoms-upsert >/dev/null
	order 100001 'x_unknown=1' 'eta="2030-12-01T00:00:00Z"' 'total_amount=40000' \
	    'items=[{"external_item_id":"v-991","sku":"SKU-1","name":"사과","quantity":3,"unit_price":19000}]' | uoms-upsert >/dev/null
	order 100001 'x_unknown=2' 'eta="2030-12-01T00:00:00Z"' 'total_amount=40000' \
	    'items=[{"external_item_id":"v-991","sku":"SKU-1","name":"사과","quantity":3,"unit_price":19000}]' | uoms-upsert >/dev/null
	order 100001 'x_unknown=2' 'eta="2030-12-01T00:00:00Z"' 'total_amount=40000' \
	    'customer={"name":"홍길동","phone":"010-1234-0000"}' \
	    'items=[{"external_item_id":"v-991","sku":"SKU-1","name":"사과","quantity":3,"unit_price":19000}]' | uoms-upsert >/dev/null
	sql "select details from events where type = 'updated' order by id" | jget changed | tr -d ' ' >got
	printf '%s\n' '["eta","total_amount"]' '["items"]' '["extra"]' '["customer"]' >want
	diff -u want got
	[ "$(sql 'select group_concat(version) from (select version from events order by id) as e')" = 1,2,3,4,5 ]
	[ "$(uoms-query | jget version)" = 5 ]
}

@test "the same record with its members in another order is unchanged" {
	order 100001 'x_a=1' 'x_b={"p":1,"q":[1,2]}' \
	    'customer={"name":"홍길동","phone":"010-1234-5678","email":"h@example.com"}' >in.jsonl
	uoms-upsert in.jsonl >/dev/null
	# JSON object members have no order (RFC 8259): reverse them all
	python3 -c '
import json, sys
def rev(v):
    if isinstance(v, dict):
        return {k: rev(v[k]) for k in reversed(list(v))}
    if isinstance(v, list):
        return [rev(x) for x in v]
    return v
print(json.dumps(rev(json.loads(sys.stdin.readline())), ensure_ascii=False))' <in.jsonl >reversed.jsonl
	run --separate-stderr uoms-upsert --summary reversed.jsonl
	[ "$status" -eq 0 ]
	[ "$stderr" = "uoms-upsert: read 1, created 0, updated 0, unchanged 1, rejected 0" ]
	[ "$(printf '%s\n' "$output" | jget version)" = 1 ]
	[ "$(sql 'select count(*) from events')" -eq 1 ]
}

@test "the same string written with JSON escapes is unchanged" {
	order 100001 'x_note="a/b"' >in.jsonl
	uoms-upsert in.jsonl >/dev/null
	sed -e 's|"홍길동"|"\\ud64d\\uae38\\ub3d9"|' -e 's|"a/b"|"a\\/b"|' in.jsonl >escaped.jsonl
	[ "$(cat in.jsonl)" != "$(cat escaped.jsonl)" ]
	run --separate-stderr uoms-upsert --summary escaped.jsonl
	[ "$status" -eq 0 ]
	[ "$stderr" = "uoms-upsert: read 1, created 0, updated 0, unchanged 1, rejected 0" ]
	[ "$(sql 'select count(*) from events')" -eq 1 ]
}

@test "a partial line updates only the members it carries" {
	order 100001 'driver={"name":"Kim","phone":"010-2222-3333"}' 'x_note="keep me"' >in.jsonl
	uoms-upsert in.jsonl >/dev/null
	uoms-query >before.jsonl
	echo '{"channel":"coupang","external_order_id":"100001","eta":"2030-12-24T09:00:00+09:00"}' >partial.jsonl
	run --separate-stderr uoms-upsert --summary partial.jsonl
	[ "$status" -eq 0 ]
	[ "$stderr" = "uoms-upsert: read 1, created 0, updated 1, unchanged 0, rejected 0" ]
	[ "$(printf '%s\n' "$output" | jget eta)" = 2030-12-24T00:00:00Z ]
	[ "$(printf '%s\n' "$output" | jget version)" = 2 ]
	python3 -c '
import json, sys
o = json.loads(sys.stdin.readline())
o["eta"] = "2030-12-24T00:00:00Z"
print(json.dumps(o, ensure_ascii=False))' <before.jsonl | strip_store >want
	uoms-query | strip_store >got
	diff -u want got
	[ "$(sql "select details from events where type = 'updated'" | jget changed)" = '["eta"]' ]
	[ "$(sql 'select count(*) from order_items')" = 1 ]
}

@test "a partial line with only the key is unchanged" {
	plain 100001 | uoms-upsert >/dev/null
	uoms-query >before.jsonl
	run --separate-stderr uoms-upsert --summary <<<'{"channel":"coupang","external_order_id":"100001"}'
	[ "$status" -eq 0 ]
	[ "$stderr" = "uoms-upsert: read 1, created 0, updated 0, unchanged 1, rejected 0" ]
	printf '%s\n' "$output" >echo.jsonl
	diff -u before.jsonl echo.jsonl
	[ "$(sql 'select count(*) from events')" = 1 ]
}

@test "a line with a stale version is refused with version_conflict, the order unchanged" {
	plain 100001 | uoms-upsert >/dev/null
	order 100001 'department="west"' | uoms-upsert >/dev/null
	uoms-query >before.jsonl
	[ "$(jget version <before.jsonl)" = 2 ]
	order 100001 'version=1' 'department="south"' >stale.jsonl
	run --separate-stderr uoms-upsert --reject rej.jsonl stale.jsonl
	[ "$status" -eq 1 ]
	[ -z "$output" ]
	[[ "$stderr" == *"line 1: version_conflict"* ]]
	[ "$(wc -l <rej.jsonl)" -eq 1 ]
	[ "$(jget error.code <rej.jsonl)" = version_conflict ]
	[ "$(jget error.current_version <rej.jsonl)" = 2 ]
	[ "$(jget error.line <rej.jsonl)" = 1 ]
	[ "$(jget department <rej.jsonl)" = south ]
	uoms-query >after.jsonl
	diff -u before.jsonl after.jsonl
	[ "$(sql 'select count(*) from events')" = 2 ]
}

@test "a line with the current version applies" {
	plain 100001 | uoms-upsert >/dev/null
	order 100001 'department="west"' | uoms-upsert >/dev/null
	order 100001 'version=2' 'department="south"' >fresh.jsonl
	run --separate-stderr uoms-upsert fresh.jsonl
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	[ "$(printf '%s\n' "$output" | jget version)" = 3 ]
	[ "$(printf '%s\n' "$output" | jget department)" = south ]
}

@test "a stale version refuses only its own line" {
	{ plain 100001; plain 100002; } | uoms-upsert >/dev/null
	order 100002 'department="west"' | uoms-upsert >/dev/null
	{ order 100001 'version=1' 'department="north"'; order 100002 'version=1' 'department="south"'; plain 100003; } >in.jsonl
	run --separate-stderr uoms-upsert --summary in.jsonl
	[ "$status" -eq 1 ]
	[[ "$stderr" == *"line 2: version_conflict"* ]]
	[[ "$stderr" == *"read 3, created 1, updated 1, unchanged 0, rejected 1"* ]]
	[ "$(printf '%s\n' "$output" | jget external_order_id | tr '\n' ' ')" = "100001 100003 " ]
	printf 'coupang:100001 2\ncoupang:100002 2\ncoupang:100003 1\n' >want
	versions >got
	diff -u want got
	[ "$(sql "select department from orders where external_order_id = '100002'")" = west ]
}
