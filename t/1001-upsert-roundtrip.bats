#!/usr/bin/env bats
# uoms-upsert: what goes in comes out equal, unknown members included;
# times are normalised to UTC; the tools' own output feeds back unchanged.
load helper

# A complete order carrying unknown members at every level that keeps them.
rich() {
	order 100001 \
	    'customer={"name":"홍길동","phone":"010-1234-5678","email":"hong@example.com","prefs":{"sms":true,"langs":["ko","en"]}}' \
	    'shipping={"postal_code":"06236","address":"서울 강남구 테헤란로 1","zone":"gangnam","memo":"문 앞에 \"놓아\" 주세요","floor":12}' \
	    'driver={"name":"Kim","phone":"02-123-4567","vehicle":"12가3456"}' \
	    'items=[{"external_item_id":"v-991","sku":"SKU-1","name":"사과","quantity":2,"unit_price":19000,"options":[{"color":"red"}],"gift":true},{"external_item_id":"v-992","sku":"SKU-2","name":"배","quantity":1,"unit_price":0,"note":null}]' \
	    'tags=["vip",1,null,{"k":"v"}]' \
	    'meta={"source":{"api":"v2","ids":[1,2,3]},"empty":{}}' \
	    'score=12.5' 'big=12345678901234' 'neg=-3' \
	    'remark="줄바꿈\n탭\t역슬래시\\ 끝"' 'flag=false' 'nothing=null'
}

@test "a complete record with unknown members round-trips through upsert and query" {
	rich >in.jsonl
	run --separate-stderr uoms-upsert in.jsonl
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	printf '%s\n' "$output" >out.jsonl
	[ "$(wc -l <out.jsonl)" -eq 1 ]
	strip_store <in.jsonl >want
	strip_store <out.jsonl >got
	diff -u want got
	[ "$(jget version <out.jsonl)" = 1 ]
	[ "$(jget id <out.jsonl)" = 1 ]
	[ "$(jget holds <out.jsonl)" = '[]' ]
	[[ "$(jget created_at <out.jsonl)" =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z$ ]]

	uoms-query >query.jsonl
	strip_store <query.jsonl >got-query
	diff -u want got-query
	diff -u out.jsonl query.jsonl
}

@test "the store-assigned members come first, unknown members after the known ones" {
	rich | uoms-upsert >out.jsonl
	python3 - out.jsonl <<'PY'
import json, sys
keys = list(json.loads(open(sys.argv[1]).readline()))
known = ["id", "channel", "external_order_id", "order_no", "kind", "workflow", "status",
         "version", "department", "warehouse", "customer", "shipping", "eta", "driver",
         "placed_at", "channel_updated_at", "depart_time", "complete_time", "total_amount",
         "currency", "items", "holds", "created_at", "updated_at"]
assert keys[:len(known)] == known, keys
assert sorted(keys[len(known):]) == sorted(["tags", "meta", "score", "big", "neg", "remark", "flag", "nothing"]), keys
PY
}

@test "unknown members inside items, customer and shipping are kept member for member" {
	rich | uoms-upsert >/dev/null
	uoms-query | python3 -c '
import json, sys
o = json.loads(sys.stdin.readline())
checks = [
    (o["items"][0]["options"], [{"color": "red"}]),
    (o["items"][0]["gift"], True),
    (o["items"][1], {"external_item_id": "v-992", "sku": "SKU-2", "name": "배", "quantity": 1, "unit_price": 0, "note": None}),
    (o["customer"]["prefs"], {"sms": True, "langs": ["ko", "en"]}),
    (o["shipping"]["memo"], "문 앞에 \"놓아\" 주세요"),
    (o["shipping"]["floor"], 12),
    (o["driver"]["vehicle"], "12가3456"),
    (o["big"], 12345678901234),
    (o["score"], 12.5),
    (o["neg"], -3),
    (o["remark"], "줄바꿈\n탭\t역슬래시\\ 끝"),
    (o["flag"], False),
    ("nothing" in o and o["nothing"] is None, True),  # kept, not dropped
    (o["meta"]["empty"], {}),
]
bad = [(i, got, want) for i, (got, want) in enumerate(checks) if got != want or type(got) != type(want)]
assert not bad, bad'
}

@test "times with an offset are stored and printed in UTC (Z)" {
	order 100001 'placed_at="2026-11-21T18:12:00+09:00"' \
	    'eta="2030-11-22T10:00:00+09:00"' \
	    'channel_updated_at="2026-11-20T23:30:00-05:00"' \
	    'depart_time="2026-11-21T18:12:00.250+09:00"' \
	    'complete_time="2026-01-01T08:59:59+09:00"' >in.jsonl
	order 100001 'placed_at="2026-11-21T09:12:00Z"' \
	    'eta="2030-11-22T01:00:00Z"' \
	    'channel_updated_at="2026-11-21T04:30:00Z"' \
	    'depart_time="2026-11-21T09:12:00.250Z"' \
	    'complete_time="2025-12-31T23:59:59Z"' | strip_store >want
	run --separate-stderr uoms-upsert in.jsonl
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	printf '%s\n' "$output" | strip_store >got
	diff -u want got
	uoms-query | strip_store >got-query
	diff -u want got-query
	[ "$(sql 'select placed_at, eta from orders')" = '2026-11-21T09:12:00Z|2030-11-22T01:00:00Z' ]
}

@test "the same instant written with another offset is unchanged" {
	order 100001 'placed_at="2026-11-21T18:12:00+09:00"' | uoms-upsert >/dev/null
	order 100001 'placed_at="2026-11-21T09:12:00Z"' >again.jsonl
	run --separate-stderr uoms-upsert --summary again.jsonl
	[ "$status" -eq 0 ]
	[ "$stderr" = "uoms-upsert: read 1, created 0, updated 0, unchanged 1, rejected 0" ]
	[ "$(uoms-query | jget version)" = 1 ]
	[ "$(sql 'select count(*) from events')" = 1 ]
}

@test "uoms-query output fed back into uoms-upsert is all unchanged" {
	{ rich; order 100002 'driver={"name":"Lee","phone":"010-9999-8888"}'; orders 8; } >in.jsonl
	uoms-upsert in.jsonl >/dev/null
	uoms-query >before.jsonl
	[ "$(wc -l <before.jsonl)" -eq 10 ]
	run --separate-stderr uoms-upsert --summary before.jsonl
	[ "$status" -eq 0 ]
	[ "$stderr" = "uoms-upsert: read 10, created 0, updated 0, unchanged 10, rejected 0" ]
	printf '%s\n' "$output" >echo.jsonl
	diff -u before.jsonl echo.jsonl
	uoms-query >after.jsonl
	diff -u before.jsonl after.jsonl
	[ "$(sql 'select count(*) from events')" = 10 ]
	[ "$(sql 'select max(version) from orders')" = 1 ]
}

@test "uoms-upsert output fed back into uoms-upsert is all unchanged" {
	{ rich; orders 3; } | uoms-upsert >first.jsonl
	run --separate-stderr uoms-upsert --summary first.jsonl
	[ "$status" -eq 0 ]
	[ "$stderr" = "uoms-upsert: read 4, created 0, updated 0, unchanged 4, rejected 0" ]
	printf '%s\n' "$output" >second.jsonl
	diff -u first.jsonl second.jsonl
}

@test "a batch of orders opens no temporary file: its statements' journals stay in memory" {
	[ "${UOMS_TEST_ENGINE:-sqlite}" = sqlite ] || skip "SQLite's own files"
	command -v strace >/dev/null || skip "no strace on this machine"
	# 1 000 orders: an insert into orders journals more than the 64 KiB
	# SQLite keeps in memory before it spills to a file of /var/tmp.
	gen-orders --count 1000 >in.jsonl
	# LeakSanitizer (make check SAN=1) can't run under ptrace.
	ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 \
	    strace -f -e trace=openat -o trace uoms-upsert in.jsonl >/dev/null
	[ "$(uoms-query | wc -l)" -eq 1000 ]
	run ! grep etilqs_ trace
}

@test "batches of orders are copied from the WAL into the store once, at the end, not at each commit" {
	[ "${UOMS_TEST_ENGINE:-sqlite}" = sqlite ] || skip "SQLite's own files"
	command -v strace >/dev/null || skip "no strace on this machine"
	uoms-upsert </dev/null
	gen-orders --count 3000 >in.jsonl
	# 15 commits: at SQLite's default, a checkpoint (a sync of the WAL
	# and one of the store) each 4 MiB of WAL, 10 syncs here; now the
	# checkpoint when the store closes, the WAL and the store once.
	ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 \
	    strace -f -e trace=fsync,fdatasync -o trace \
	    uoms-upsert --batch 200 in.jsonl >/dev/null
	[ "$(uoms-query | wc -l)" -eq 3000 ]
	[ "$(grep -c sync trace)" -le 4 ]
}
