#!/usr/bin/env bats
# Times from the channel: an order that arrives already shipped or
# delivered, or that the channel moves on, gets depart_time /
# complete_time from the channel's own times (a kind's shipped or
# delivered field, else channel_updated_at), never from when it was
# fetched; a line that names them keeps them. uoms-report metrics counts
# open orders only in its backlog.
load helper

export UOMS_SECRET_KEY=00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff

teardown() {
	fake_stop_all
}

# line EXT WORKFLOW STATUS CHANNEL_UPDATED_AT [KEY=JSON...]: an http-jsonl
# style line of the demo's shape.
line() {
	local ext=$1 wf=$2 st=$3 at=$4
	shift 4
	order "$ext" workflow="\"$wf\"" status="\"$st\"" \
	    channel_updated_at="\"$at\"" depart_time=absent \
	    complete_time=absent "$@"
}

@test "a new order already delivered takes both times from channel_updated_at" {
	run --separate-stderr uoms-upsert < <(line 1 fulfillment delivered 2026-11-21T10:00:00Z)
	[ "$status" -eq 0 ]
	[ "$(echo "$output" | jget status)" = delivered ]
	[ "$(echo "$output" | jget depart_time)" = 2026-11-21T10:00:00Z ]
	[ "$(echo "$output" | jget complete_time)" = 2026-11-21T10:00:00Z ]
	[ "$(sql "SELECT depart_time || ' ' || complete_time FROM orders")" = \
	    "2026-11-21T10:00:00Z 2026-11-21T10:00:00Z" ]
}

@test "a new order already shipped gets depart_time only; a waiting one neither" {
	{
		line 1 fulfillment shipped 2026-11-21T10:00:00Z
		line 2 fulfillment paid 2026-11-21T10:00:00Z
		line 3 dispatch IN_PROGRESS 2026-11-21T11:00:00Z
	} | uoms-upsert >/dev/null
	[ "$(sql "SELECT id, depart_time, complete_time FROM orders ORDER BY id")" = \
	    "1|2026-11-21T10:00:00Z|
2||
3|2026-11-21T11:00:00Z|" ]
}

@test "a line's own depart_time / complete_time are kept; a departure is never after the delivery" {
	{
		line 1 dispatch COMPLETE 2026-11-21T12:00:00Z \
		    depart_time='"2026-11-21T09:30:00Z"' \
		    complete_time='"2026-11-21T11:00:00Z"'
		line 2 dispatch COMPLETE 2026-11-21T12:00:00Z \
		    complete_time='"2026-11-21T11:00:00Z"'
	} | uoms-upsert >/dev/null
	[ "$(sql "SELECT id, depart_time, complete_time FROM orders ORDER BY id")" = \
	    "1|2026-11-21T09:30:00Z|2026-11-21T11:00:00Z
2|2026-11-21T11:00:00Z|2026-11-21T11:00:00Z" ]
}

@test "a channel's status move stamps the channel's time, not now" {
	line 1 dispatch WAITING 2026-11-21T01:00:00Z | uoms-upsert >/dev/null
	# WAITING -> COMPLETE goes through IN_PROGRESS: both stamps
	run --separate-stderr uoms-upsert < <(line 1 dispatch COMPLETE 2026-11-21T05:00:00Z)
	[ "$status" -eq 0 ]
	[ "$(echo "$output" | jget status)" = COMPLETE ]
	[ "$(echo "$output" | jget depart_time)" = 2026-11-21T05:00:00Z ]
	[ "$(echo "$output" | jget complete_time)" = 2026-11-21T05:00:00Z ]
	# a move with the channel's own delivery time uses it
	line 2 fulfillment shipped 2026-11-21T01:00:00Z | uoms-upsert >/dev/null
	run --separate-stderr uoms-upsert < <(line 2 fulfillment delivered \
	    2026-11-21T08:00:00Z complete_time='"2026-11-21T07:45:00Z"')
	[ "$(echo "$output" | jget depart_time)" = 2026-11-21T01:00:00Z ]
	[ "$(echo "$output" | jget complete_time)" = 2026-11-21T07:45:00Z ]
}

@test "a move by a person is still stamped now" {
	line 1 dispatch WAITING 2026-11-21T01:00:00Z | uoms-upsert >/dev/null
	uoms-status --to IN_PROGRESS 1 >/dev/null
	[ "$(sql "SELECT depart_time > '2026-11-22' FROM orders")" = 1 ]
}

@test "woocommerce: a completed order imported takes date_completed_gmt" {
	python3 - >orders.json <<'PY'
import json
def o(i, status, completed):
    return {"id": i, "number": str(i), "status": status, "currency": "KRW",
            "date_created_gmt": "2026-11-20T01:00:00",
            "date_modified_gmt": "2026-11-21T09:00:00",
            "date_completed_gmt": completed, "total": "19000",
            "billing": {"first_name": "철수", "last_name": "김",
                        "address_1": "해운대로 1", "city": "부산",
                        "postcode": "48094", "phone": "010-2222-3333"},
            "line_items": [{"id": 9000 + i, "name": "사과", "quantity": 1,
                            "subtotal": "19000", "sku": "APPLE", "price": 19000}]}
print(json.dumps([o(801, "completed", "2026-11-20T06:30:00"),
                  o(802, "processing", None)]))
PY
	fake_start woocommerce_server.py --data orders.json
	printf 'ck_test_key\ncs_test_secret\n' | uoms-channel add woo \
	    --kind woocommerce --base-url "http://127.0.0.1:$PORT" \
	    --secret consumer_key --secret consumer_secret >/dev/null
	uoms-fetch --channel woo --since 2026-11-01 | uoms-upsert >/dev/null
	[ "$(sql "SELECT external_order_id, status, depart_time, complete_time FROM orders ORDER BY id")" = \
	    "801|COMPLETE|2026-11-20T06:30:00Z|2026-11-20T06:30:00Z
802|WAITING||" ]
}

@test "metrics: orders imported done are out of the backlog from the channel's time" {
	{
		line 1 dispatch COMPLETE 2026-11-21T12:00:00Z placed_at='"2026-11-21T09:00:00Z"'
		line 2 dispatch CANCEL 2026-11-21T12:00:00Z placed_at='"2026-11-21T09:00:00Z"'
		line 3 dispatch WAITING 2026-11-21T12:00:00Z placed_at='"2026-11-21T09:00:00Z"'
	} | uoms-upsert >/dev/null
	run --separate-stderr uoms-report metrics --from 2026-11-21T00:00:00Z \
	    --to 2026-11-23T00:00:00Z --window 1d
	[ "$status" -eq 0 ]
	# day 1 ends after all three left or not: only the waiting one
	[ "$(echo "${lines[0]}" | jget backlog)" = 1 ]
	[ "$(echo "${lines[1]}" | jget backlog)" = 1 ]
}

@test "metrics: a done state that is not terminal and not shipped is not backlog" {
	mkdir -p conf/workflows
	cat >conf/workflows/pickup.yaml <<'EOF'
name: pickup
initial: waiting
states:
  waiting: {}
  collected: { set: [complete_time] }
  archived: { terminal: true }
transitions:
  - { from: waiting, to: collected, action: collect }
  - { from: collected, to: archived, action: archive }
EOF
	export UOMS_CONFIG=$PWD/conf/uoms.conf
	: >conf/uoms.conf
	{
		line 1 pickup collected 2026-11-21T12:00:00Z placed_at='"2026-11-21T09:00:00Z"'
		line 2 pickup waiting 2026-11-21T12:00:00Z placed_at='"2026-11-21T09:00:00Z"'
	} | uoms-upsert >/dev/null
	[ "$(sql "SELECT complete_time FROM orders WHERE id = 1")" = 2026-11-21T12:00:00Z ]
	run --separate-stderr uoms-report metrics --from 2026-11-22T00:00:00Z \
	    --to 2026-11-23T00:00:00Z --window 1d
	[ "$status" -eq 0 ]
	[ "$(echo "${lines[0]}" | jget backlog)" = 1 ]
}

@test "coupang: a box imported delivered takes inTrasitDateTime and deliveredDate" {
	# the data is of 2026-11-20 (KST); moved to yesterday so the fetch's
	# default window takes it
	local shift since
	shift=$(python3 -c 'import datetime as d
print((d.datetime.now(d.timezone(d.timedelta(hours=9))).date() - d.date(2026, 11, 21)).days)')
	since=$(date -u -d '3 days ago' +%Y-%m-%dT%H:%M:%SZ)
	fake_start coupang_server.py --data "$SRC/t/data/kind-coupang.json" \
	    --shift-days "$shift" --access-key ak --secret-key sk \
	    --vendor-id A00012345
	printf 'ak\nsk\n' | uoms-channel add cp --kind coupang \
	    --base-url "http://127.0.0.1:$PORT" --set vendor_id=A00012345 \
	    --set max_rate=50 --secret access_key --secret secret_key >/dev/null
	uoms-fetch --channel cp --since "$since" >lines
	uoms-upsert <lines >/dev/null
	# box 100006: FINAL_DELIVERY, left at 04:00, delivered at 11:45, last
	# changed (confirmed) at 13:10 of the shifted day
	grep '"external_order_id":"100006"' lines >box
	{ jget depart_time <box; jget complete_time <box; } >want
	sql "SELECT depart_time, complete_time FROM orders WHERE external_order_id = '100006'" |
	    tr '|' '\n' >got
	diff -u want got
	[ "$(sed -n 1p got | cut -c12-)" = 04:00:00Z ]
	[ "$(sed -n 2p got | cut -c12-)" = 11:45:00Z ]
}

@test "a null depart_time / complete_time on a delivered line is filled like an absent one" {
	order 1 workflow='"fulfillment"' status='"delivered"' \
	    channel_updated_at='"2026-11-21T10:00:00Z"' | uoms-upsert >/dev/null
	[ "$(sql "SELECT depart_time || ' ' || complete_time FROM orders")" = \
	    "2026-11-21T10:00:00Z 2026-11-21T10:00:00Z" ]
}

@test "demo: a delivered order carries the shop's shipped and delivered times" {
	uoms-channel add demo --kind demo --set clock=2026-11-22T00:00:00Z >/dev/null
	uoms-fetch --channel demo --since 2026-11-20T00:00:00Z >lines
	uoms-upsert <lines >/dev/null
	# every delivered order: left before it was delivered, both from
	# the shop (none stamped at the fetch, which is years later)
	grep '"channel_status":"DELIVERED"' lines >delivered
	[ -s delivered ]
	[ "$(jget complete_time <delivered | grep -vc '^2026-11-2')" -eq 0 ]
	[ "$(sql "SELECT count(*) FROM orders WHERE complete_time IS NOT NULL
	    AND (depart_time > complete_time OR complete_time >= '2026-11-22')")" -eq 0 ]
	[ "$(sql "SELECT count(*) FROM orders WHERE complete_time IS NOT NULL")" -eq \
	    "$(wc -l <delivered)" ]
}
