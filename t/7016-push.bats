#!/usr/bin/env bats
# uoms-push (issue 10 item 5): acknowledgement and shipment told to the
# channel once, through the fetch engine: http-jsonl against
# t/fake/jsonl_server.py (POST /push, each accepted push in push.log),
# demo with no network, and a channel that can't push refused per order.
load helper

export UOMS_SECRET_KEY=00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff
TOKEN=tok-Push-5e1d77

teardown() {
	fake_stop_all
}

# shop [ARGS...]: an http-jsonl channel "shop" on the last fake started.
shop() {
	echo "$TOKEN" | uoms-channel add shop --kind http-jsonl \
	    --base-url "http://127.0.0.1:$PORT" --secret token "$@" >/dev/null
}

# shop_orders N: N WAITING orders of channel shop, external ids E1..EN.
shop_orders() {
	local i
	for ((i = 1; i <= $1; i++)); do
		order "E$i" channel='"shop"' order_no="\"2611-00000$i\""
	done | uoms-upsert >/dev/null
}

# shipped REF...: moved to IN_PROGRESS (ships: true in dispatch) with a
# CJ tracking number.
shipped() {
	uoms-status --to IN_PROGRESS "$@" >/dev/null
	uoms-edit --set shipment.carrier=cj \
	    --set shipment.tracking_number=640012345678 "$@" >/dev/null
}

# pushed EXT WHAT: how many times the fake accepted that push.
pushed() {
	python3 - "$1" "$2" <<'PY'
import json, sys
n = 0
try:
    for line in open("push.log"):
        b = json.loads(line)
        n += b["external_order_id"] == sys.argv[1] and b["push"] == sys.argv[2]
except FileNotFoundError:
    pass
print(n)
PY
}

@test "ack and ship are accepted with the documented body, recorded with an event" {
	fake_start jsonl_server.py --token "$TOKEN" --push-log push.log
	shop
	shop_orders 2
	shipped 1
	run --separate-stderr uoms-push 1 2
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 2 ]
	[ "${lines[0]}" = '{"id":1,"channel":"shop","push":"ack","state":"sent","answer":{"accepted":"ack"}}' ]
	[ "${lines[1]}" = '{"id":1,"channel":"shop","push":"ship","state":"sent","answer":{"accepted":"ship"}}' ]
	# order 2 is still WAITING, its workflow's first state: nothing owed
	[ "$(sed -n 1p push.log)" = '{"external_order_id": "E1", "push": "ack"}' ]
	[ "$(sed -n 2p push.log)" = '{"carrier": "cj", "carrier_code": "cj", "external_order_id": "E1", "push": "ship", "tracking_number": "640012345678"}' ]
	[ "$(wc -l < push.log)" -eq 2 ]
	[ "$(sql "SELECT what || ':' || state FROM pushes ORDER BY what")" = "$(printf 'ack:sent\nship:sent')" ]
	run uoms-events --order 1 --type pushed
	[ "${#lines[@]}" -eq 2 ]
	[ "$(echo "${lines[1]}" | jget details.answer.accepted)" = ship ]
}

@test "reruns push nothing twice" {
	fake_start jsonl_server.py --token "$TOKEN" --push-log push.log
	shop
	shop_orders 3
	shipped 1 2
	uoms-status --to IN_PROGRESS 3 >/dev/null
	uoms-status --to COMPLETE 3 >/dev/null
	uoms-edit --set shipment.carrier=hanjin --set shipment.tracking_number=9 3 >/dev/null
	for run in 1 2 3 4; do
		uoms-query --channel shop | uoms-push > out.$run
	done
	[ "$(wc -l < out.1)" -eq 6 ]
	[ ! -s out.2 ] && [ ! -s out.4 ]
	for e in E1 E2 E3; do
		[ "$(pushed $e ack)" -eq 1 ]
		[ "$(pushed $e ship)" -eq 1 ]
	done
	# E3 moved on to COMPLETE: its events say it went through IN_PROGRESS
	grep -q '"id":3,"channel":"shop","push":"ship","state":"sent"' out.1
}

@test "kill -9 between send and record: the rerun does not resend, says it is uncertain; --resend sends it" {
	fake_start jsonl_server.py --token "$TOKEN" --push-log push.log --push-delay 60
	shop --set push_ack=false
	shop_orders 1
	shipped 1
	uoms-push 1 > /dev/null 2>&1 &
	pid=$!
	wait_for grep -q '"push": "ship"' push.log
	kill -9 "$pid"
	wait "$pid" || true
	[ "$(sql "SELECT state FROM pushes WHERE order_id = 1")" = sending ]
	run --separate-stderr uoms-push --reject rej.jsonl 1
	[ "$status" -eq 1 ]
	[ -z "$output" ]
	[[ "$stderr" == *"order 1: invalid: ship to channel shop: pushed or not?"*"uoms-push --resend 1"* ]]
	grep -q 'pushed or not' rej.jsonl
	[ "$(pushed E1 ship)" -eq 1 ]
	# the channel (checked by hand) never got it: resend, to a fake
	# that answers at once
	fake_start jsonl_server.py --token "$TOKEN" --push-log push2.log
	uoms-channel update shop --base-url "http://127.0.0.1:$PORT" >/dev/null
	run --separate-stderr uoms-push --resend 1
	[ "$status" -eq 0 ]
	[ "$(echo "$output" | jget state)" = sent ]
	[ "$(wc -l < push2.log)" -eq 1 ]
	[ "$(pushed E1 ship)" -eq 1 ]
	[ "$(sql "SELECT state || ':' || attempts FROM pushes WHERE order_id = 1")" = sent:2 ]
	run uoms-push 1
	[ "$status" -eq 0 ]
	[ -z "$output" ]
}

@test "two uoms-push at once on the same orders: each push accepted exactly once" {
	fake_start jsonl_server.py --token "$TOKEN" --push-log push.log
	shop
	shop_orders 30
	shipped $(seq 1 30)
	uoms-query --channel shop > refs.jsonl
	uoms-push < refs.jsonl > a.out 2> a.err &
	a=$!
	uoms-push < refs.jsonl > b.out 2> b.err &
	b=$!
	wait "$a"
	wait "$b"
	[ "$(cat a.out b.out | wc -l)" -eq 60 ]
	for i in $(seq 1 30); do
		[ "$(pushed E$i ack)" -eq 1 ]
		[ "$(pushed E$i ship)" -eq 1 ]
	done
	[ "$(sql "SELECT count(*) FROM pushes WHERE state = 'sent'")" -eq 60 ]
	# and each order's shipment after its ack, whichever run sent which
	python3 - <<'PY'
import json
seen = {}
for line in open("push.log"):
    b = json.loads(line)
    seen.setdefault(b["external_order_id"], []).append(b["push"])
assert all(v == ["ack", "ship"] for v in seen.values()), seen
PY
}

@test "a channel's refusal lands in --reject with its message, and is not sent again" {
	fake_start jsonl_server.py --token "$TOKEN" --push-log push.log --refuse-push E2
	shop --set push_ack=false
	shop_orders 2
	shipped 1 2
	run --separate-stderr uoms-push --reject rej.jsonl 1 2
	[ "$status" -eq 1 ]
	[[ "$stderr" == *"order 2: invalid: ship refused by channel shop: HTTP 400: order E2 is closed here"* ]]
	[ "$(jget error.message < rej.jsonl)" = "ship refused by channel shop: HTTP 400: order E2 is closed here" ]
	[ "$(jget id < rej.jsonl)" = 2 ]
	echo "$output" | grep -q '"id":2,"channel":"shop","push":"ship","state":"refused","answer":{"message":"order E2 is closed here"}'
	[ "$(sql "SELECT state FROM pushes WHERE order_id = 2")" = refused ]
	run uoms-push 2
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	[ "$(pushed E1 ship)" -eq 1 ]
}

@test "an order that shipped without a tracking number is skipped with the reason" {
	fake_start jsonl_server.py --token "$TOKEN" --push-log push.log
	shop --set push_ack=false
	shop_orders 1
	uoms-status --to IN_PROGRESS 1 >/dev/null
	uoms-edit --set shipment.carrier=cj 1 >/dev/null
	run --separate-stderr uoms-push --reject rej.jsonl shop:E1
	[ "$status" -eq 1 ]
	[ -z "$output" ]
	[[ "$stderr" == *"order 1: invalid: ship: the order has shipped (IN_PROGRESS) but has no shipment.tracking_number: not pushed"* ]]
	[ "$(jget channel < rej.jsonl)" = shop ]
	[ "$(jget external_order_id < rej.jsonl)" = E1 ]
	[ ! -e push.log ]
	[ "$(sql "SELECT count(*) FROM pushes")" -eq 0 ]
}

@test "--dry-run prints the request, the token masked, and writes nothing" {
	fake_start jsonl_server.py --token "$TOKEN" --push-log push.log --log server.log
	shop
	shop_orders 1
	shipped 1
	events=$(sql "SELECT count(*) FROM events")
	run --separate-stderr uoms-push --dry-run 1
	[ "$status" -eq 0 ]
	[[ "$output" == *"# push ack of order 1 to channel shop (http-jsonl)"* ]]
	[[ "$output" == *"POST http://127.0.0.1:$PORT/push"* ]]
	[[ "$output" == *"Authorization: ****"* ]]
	[[ "$output" != *"$TOKEN"* && "$stderr" != *"$TOKEN"* ]]
	[ ! -e server.log ] && [ ! -e push.log ]
	[ "$(sql "SELECT count(*) FROM pushes")" -eq 0 ]
	[ "$(sql "SELECT count(*) FROM events")" -eq "$events" ]
}

@test "a channel that can't push (its credentials missing) gets a per-order reject, the others go on" {
	fake_start jsonl_server.py --token "$TOKEN" --push-log push.log
	shop
	# A coupang channel added without its secrets.
	uoms-channel add coupang --kind coupang --set vendor_id=A00012345 >/dev/null
	shop_orders 1
	order 100001 order_no='"2611-000901"' | uoms-upsert >/dev/null
	shipped 1 2
	run --separate-stderr uoms-push --reject rej.jsonl 2 1
	[ "$status" -eq 1 ]
	[[ "$stderr" == *"order 2: invalid: ack "*"channel coupang"*"secret 'access_key' is not set"* ]]
	[[ "$stderr" != *"order 1:"* ]]
	[ "$(jget error.code < rej.jsonl)" = invalid ]
	[[ "$(jget error.message < rej.jsonl)" == *"secret 'access_key' is not set"* ]]
	# Order 2's ack is refused without a request (said, recorded: after
	# the secrets are set, --resend sends it); order 1's two pushes went.
	[ "$(echo "$output" | wc -l)" -eq 3 ]
	[ "$(echo "$output" | grep -c '"state":"refused"')" -eq 1 ]
	[ "$(echo "$output" | grep '"state":"refused"' | jget id)" -eq 2 ]
	[ "$(sql "SELECT state FROM pushes WHERE order_id = 2")" = refused ]
	[ "$(pushed E1 ship)" -eq 1 ]
}

@test "--channel limits the run to the channels named" {
	fake_start jsonl_server.py --token "$TOKEN" --push-log push.log
	shop
	uoms-channel add coupang --kind coupang >/dev/null
	shop_orders 1
	order C1 order_no='"2611-000901"' | uoms-upsert >/dev/null
	shipped 1 2
	run --separate-stderr uoms-push --channel shop 1 2
	[ "$status" -eq 0 ]
	[ "$(echo "$output" | wc -l)" -eq 2 ]
}

@test "demo round trip: fetched, confirmed, shipped with a tracking number, pushed" {
	uoms-channel add demo --kind demo --set clock=2026-11-22T00:00:00Z >/dev/null
	uoms-fetch --channel demo --since 2026-11-21T18:00:00Z | uoms-upsert >/dev/null
	id=$(uoms-query --channel demo --status WAITING --limit 1 | jget id)
	[ -n "$id" ]
	uoms-status --to IN_PROGRESS "$id" >/dev/null
	uoms-edit --set shipment.carrier=cj --set shipment.tracking_number=640012345678 "$id" >/dev/null
	run --separate-stderr uoms-push "$id"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "{\"id\":$id,\"channel\":\"demo\",\"push\":\"ack\",\"state\":\"sent\",\"answer\":{\"demo\":\"accepted\",\"push\":\"ack\"}}" ]
	[ "$(echo "${lines[1]}" | jget push)" = ship ]
	[ "$(echo "${lines[1]}" | jget state)" = sent ]
	run uoms-push "$id"
	[ -z "$output" ]
	run uoms-events --order "$id" --type pushed
	[ "${#lines[@]}" -eq 2 ]
}

@test "uoms-push --help shows the synopsis of its man page" {
	run --separate-stderr uoms-push --help
	[ "$status" -eq 0 ]
	[[ "$output" == *"[--channel NAME...]"*"[--dry-run] [--resend] [--reject FILE] [REF...]"* ]]
}

@test "uoms-push(1) EXAMPLES run as written" {
	unset UOMS_DB
	man_examples uoms-push.1
	run --separate-stderr sh -e ex1.sh
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 2 ]
	[ "$(echo "${lines[1]}" | jget state)" = sent ]
	id=$(echo "${lines[0]}" | jget id)
	# the cron line: what was pushed is skipped; the demo's orders that
	# came shipped without a tracking number are each a reject line
	run --separate-stderr sh -e ex2.sh
	[ "$status" -eq 1 ]
	[[ "$output" != *"\"id\":$id,"* ]]
	grep -q 'has no shipment.carrier and shipment.tracking_number' push-rejects.jsonl
	run --separate-stderr sh -e ex3.sh
	[ "$status" -eq 0 ]
	[ -z "$output" ]
}

@test "a push whose answer never comes is not sent again but left uncertain; a 5xx is retried" {
	fake_start jsonl_server.py --token "$TOKEN" --push-log push.log --log server.log --fail 1:hang --hang 5 --fail 2:503
	shop --set push_ack=false --set timeout=1
	shop_orders 2
	shipped 1 2
	run --separate-stderr uoms-push 1
	[ "$status" -eq 1 ]
	[[ "$stderr" == *"order 1: invalid: ship to channel shop: timed out after 1 s: pushed or not?"* ]]
	[ "$(grep -c '"path": "/push"' server.log)" -eq 1 ]
	[ "$(sql "SELECT state FROM pushes WHERE order_id = 1")" = sending ]
	# request 2 is a 503, request 3 the same push again, accepted
	run --separate-stderr uoms-push 2
	[ "$status" -eq 0 ]
	[ "$(echo "$output" | jget state)" = sent ]
	[ "$(pushed E2 ship)" -eq 1 ]
	[ "$(grep -c '"path": "/push"' server.log)" -eq 3 ]
}

@test "a disabled channel is not told: a refused line, nothing sent" {
	fake_start jsonl_server.py --token "$TOKEN" --push-log push.log
	shop
	shop_orders 1
	shipped 1
	uoms-channel disable shop >/dev/null
	run --separate-stderr uoms-push 1
	[ "$status" -eq 1 ]
	[[ "$stderr" == *"order 1: invalid: channel shop is disabled: not told (uoms-channel enable shop)"* ]]
	[ ! -e push.log ]
	uoms-channel enable shop >/dev/null
	run --separate-stderr uoms-push 1
	[ "$status" -eq 0 ]
	[ "$(pushed E1 ship)" -eq 1 ]
}
