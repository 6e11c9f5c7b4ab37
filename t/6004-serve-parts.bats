#!/usr/bin/env bats
# uoms-serve (issue 12 item 3): an order's remarks, locks, holds and push
# over HTTP (lib/serve-parts.c), the same library calls as uoms-remark,
# uoms-lock, uoms-hold and uoms-push: a lock taken over HTTP binds the
# tools and the reverse; remark and hold changes go through the one
# mutation path (If-Match, departments); a push is told once.
load helper

export UOMS_SECRET_KEY=00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff
# The token key: on PostgreSQL there is no store file to make one beside.
export UOMS_JWT_KEY=6004-parts-6004-parts-6004-parts-6004

# helper.bash's setup (the test's folder and store), as helper_setup.
eval "helper_$(declare -f setup)"

# Order 1 of department east, order 2 of west; root an admin, kim and lee
# users of east, park a user of west (added by root once it is there);
# the server started, kim signed in.
setup() {
	helper_setup || return 1
	{
		order 100001
		order 100002 department='"west"'
	} | uoms-upsert >/dev/null
	serve_user root admin
	serve_user kim user east
	serve_user lee user east
	serve_user park user west
	serve_start
	login kim
}

teardown() {
	serve_stop
	fake_stop_all
}

version() {
	sql "SELECT version FROM orders WHERE id = ${1:-1}"
}

# count PATH: how many elements the array at PATH of the last answer has.
count() {
	jget "$1" <resp.body | python3 -c 'import json, sys; print(len(json.load(sys.stdin)))'
}

# code: the error code of the last answer.
code() {
	jget error.code <resp.body
}

@test "remarks: add (201 the remark), list, edit (a revision), each a change of the order" {
	run api POST /orders/1/remarks '{"text":"문 앞에 두세요"}'
	[ "$output" = 201 ]
	[ "$(jget text <resp.body)" = "문 앞에 두세요" ]
	[ "$(jget author <resp.body)" = kim ]
	[ "$(jget revision <resp.body)" = 1 ]
	rid=$(jget id <resp.body)
	[ "$(resp_header ETag)" = '"1-v2"' ]
	[ "$(version)" = 2 ]
	run api GET /orders/1/remarks
	[ "$output" = 200 ]
	[ "$(jget 'remarks[0].id' <resp.body)" = "$rid" ]
	[ "$(count remarks)" = 1 ]
	run api PATCH "/remarks/$rid" '{"text":"경비실에 맡겨 주세요"}'
	[ "$output" = 200 ]
	[ "$(jget id <resp.body)" = "$rid" ]
	[ "$(jget revision <resp.body)" = 2 ]
	[ "$(jget text <resp.body)" = "경비실에 맡겨 주세요" ]
	[ "$(version)" = 3 ]
	# the tool sees what HTTP wrote
	run --separate-stderr uoms-remark list 1 --history
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 2 ]
	[ "$(sql "SELECT count(*) FROM events WHERE order_id = 1 AND type IN ('remark_added', 'remark_edited')")" = 2 ]
}

@test "remarks: 401, 403 on another department's order, 404, 400 and 422 on bad bodies" {
	TOKEN_SAVED=$TOKEN
	TOKEN=
	run api GET /orders/1/remarks
	[ "$output" = 401 ]
	run api POST /orders/1/remarks '{"text":"x"}'
	[ "$output" = 401 ]
	TOKEN=not.a.token
	run api POST /orders/1/remarks '{"text":"x"}'
	[ "$output" = 401 ]
	TOKEN=$TOKEN_SAVED
	run api GET /orders/2/remarks
	[ "$output" = 403 ]
	[ "$(code)" = forbidden ]
	run api POST /orders/2/remarks '{"text":"x"}'
	[ "$output" = 403 ]
	run api GET /orders/999/remarks
	[ "$output" = 404 ]
	[ "$(code)" = not_found ]
	run api POST /orders/999/remarks '{"text":"x"}'
	[ "$output" = 404 ]
	run api PATCH /remarks/999 '{"text":"x"}'
	[ "$output" = 404 ]
	[ "$(code)" = not_found ]
	run api POST /orders/1/remarks '{"text":"   "}'
	[ "$output" = 422 ]
	[ "$(code)" = invalid ]
	run api POST /orders/1/remarks '{"text":""}'
	[ "$output" = 422 ]
	run api POST /orders/1/remarks '{"note":"no text"}'
	[ "$output" = 422 ]
	run api POST /orders/1/remarks '{"text":42}'
	[ "$output" = 422 ]
	run api POST /orders/1/remarks '{"text":'
	[ "$output" = 400 ]
	[ "$(version)" = 1 ]
	# a remark of east's order, edited by park of west: 403
	run api POST /orders/1/remarks '{"text":"x"}'
	rid=$(jget id <resp.body)
	login park
	run api PATCH "/remarks/$rid" '{"text":"y"}'
	[ "$output" = 403 ]
	# lee, of the department, is not its author: 403 too
	login lee
	run api PATCH "/remarks/$rid" '{"text":"y"}'
	[ "$output" = 403 ]
	[ "$(version)" = 2 ]
}

@test "remarks and holds: If-Match stale is 412 with current_version and changes nothing" {
	run api POST /orders/1/remarks '{"text":"first"}'
	rid=$(jget id <resp.body)
	run api PATCH "/remarks/$rid" '{"text":"second"}' -H 'If-Match: "1-v1"'
	[ "$output" = 412 ]
	[ "$(code)" = version_conflict ]
	[ "$(jget error.current_version <resp.body)" = 2 ]
	[ "$(uoms-remark list 1 | jget text)" = first ]
	run api PATCH "/remarks/$rid" '{"text":"second"}' -H 'If-Match: "1-v2"'
	[ "$output" = 200 ]
	[ "$(uoms-remark list 1 | jget text)" = second ]
	run api POST /orders/1/holds '{"reason":"missing_info"}' -H 'If-Match: "1-v1"'
	[ "$output" = 412 ]
	[ "$(jget error.current_version <resp.body)" = 3 ]
	[ "$(uoms-hold list | wc -l)" -eq 0 ]
	run api POST /orders/1/holds '{"reason":"missing_info"}' -H 'If-Match: "1-v3"'
	[ "$output" = 201 ]
	hid=$(uoms-hold list | jget id)
	run api POST "/orders/1/holds/$hid/ack" '' -H 'If-Match: "1-v3"'
	[ "$output" = 412 ]
	[ "$(uoms-hold list | jget state)" = open ]
	# "version" in the body: 409
	run api POST "/orders/1/holds/$hid/ack" '{"version":3}'
	[ "$output" = 409 ]
	[ "$(code)" = version_conflict ]
	[ "$(version)" = 4 ]
}

@test "locks: take (201), list, renew, release (204); GET /locks" {
	run api POST /orders/1/locks '{"type":"edit","ttl":60}'
	[ "$output" = 201 ]
	[ "$(jget type <resp.body)" = EDIT ]
	[ "$(jget owner <resp.body)" = kim ]
	exp1=$(jget expires_at <resp.body)
	[ -n "$exp1" ]
	run api GET /orders/1/locks
	[ "$output" = 200 ]
	[ "$(jget 'locks[0].type' <resp.body)" = EDIT ]
	[ "$(jget 'locks[0].owner' <resp.body)" = kim ]
	[ "$(jget 'locks[0].expires_at' <resp.body)" = "$exp1" ]
	[ "$(count locks)" = 1 ]
	run api PUT /orders/1/locks/EDIT '{"ttl":600}'
	[ "$output" = 200 ]
	[[ "$(jget expires_at <resp.body)" > "$exp1" ]]
	# the tool sees the lock HTTP took, under kim's name
	[ "$(uoms-lock --actor kim list | jget lock_type)" = EDIT ]
	run api GET /locks
	[ "$output" = 200 ]
	[ "$(jget 'locks[0].order_id' <resp.body)" = 1 ]
	[ "$(jget 'locks[0].type' <resp.body)" = EDIT ]
	# park, of west, does not see east's locks
	login park
	run api GET /locks
	[ "$output" = 200 ]
	[ "$(jget locks <resp.body)" = "[]" ]
	login kim
	run api DELETE /orders/1/locks/edit
	[ "$output" = 204 ]
	[ ! -s resp.body ]
	run api GET /orders/1/locks
	[ "$(jget locks <resp.body)" = "[]" ]
	# renewing or releasing a lock one does not hold: 404
	run api PUT /orders/1/locks/EDIT
	[ "$output" = 404 ]
	run api DELETE /orders/1/locks/EDIT
	[ "$output" = 404 ]
	# locks do not change the order
	[ "$(version)" = 1 ]
}

@test "locks: 401, 403, 404, 422 on unknown types and ttl out of range" {
	for body in '{"type":"DELETE"}' '{}' '{"type":7}' '{"type":"EDIT","ttl":0}' \
	    '{"type":"EDIT","ttl":604801}' '{"type":"EDIT","ttl":"60"}' '{"type":"EDIT","ttl":1.5}'; do
		run api POST /orders/1/locks "$body"
		[ "$output" = 422 ] || { echo "$body: $output $(cat resp.body)"; false; }
		[ "$(code)" = invalid ]
	done
	run api POST /orders/1/locks '{"type":'
	[ "$output" = 400 ]
	run api PUT /orders/1/locks/NOPE
	[ "$output" = 422 ]
	run api DELETE /orders/1/locks/NOPE
	[ "$output" = 422 ]
	run api POST /orders/1/locks '{"type":"EDIT","ttl":604800}'
	[ "$output" = 201 ]
	run api POST /orders/2/locks '{"type":"EDIT"}'
	[ "$output" = 403 ]
	run api GET /orders/2/locks
	[ "$output" = 403 ]
	run api POST /orders/999/locks '{"type":"EDIT"}'
	[ "$output" = 404 ]
	run api GET /orders/abc/locks
	[ "$output" = 404 ]
	TOKEN=
	run api POST /orders/1/locks '{"type":"STATUS"}'
	[ "$output" = 401 ]
	run api GET /locks
	[ "$output" = 401 ]
	run api DELETE /orders/1/locks/EDIT
	[ "$output" = 401 ]
	[ "$(uoms-lock list --all | wc -l)" -eq 1 ]
}

@test "locks: another's lock is 423 with owner, lock_type, expires_at; only an admin's force breaks it" {
	run api POST /orders/1/locks '{"type":"REMARK"}'
	[ "$output" = 201 ]
	exp=$(jget expires_at <resp.body)
	login lee
	run api POST /orders/1/locks '{"type":"REMARK"}'
	[ "$output" = 423 ]
	[ "$(code)" = locked ]
	[ "$(jget error.owner <resp.body)" = kim ]
	[ "$(jget error.lock_type <resp.body)" = REMARK ]
	[ "$(jget error.expires_at <resp.body)" = "$exp" ]
	# EDIT conflicts with every type
	run api POST /orders/1/locks '{"type":"EDIT"}'
	[ "$output" = 423 ]
	# a change guarded by the lock: 423, nothing written
	run api POST /orders/1/remarks '{"text":"lee was here"}'
	[ "$output" = 423 ]
	[ "$(jget error.owner <resp.body)" = kim ]
	[ "$(version)" = 1 ]
	# lee can neither release nor break kim's lock
	run api DELETE /orders/1/locks/REMARK
	[ "$output" = 404 ]
	run api DELETE '/orders/1/locks/REMARK?force=true'
	[ "$output" = 403 ]
	[ "$(code)" = forbidden ]
	[ "$(uoms-lock list --all | jget owner)" = kim ]
	login root
	run api DELETE '/orders/1/locks/REMARK?force=true'
	[ "$output" = 204 ]
	[ "$(uoms-lock list --all | wc -l)" -eq 0 ]
	run uoms-events --order 1 --type lock_broken
	[ "${#lines[@]}" -eq 1 ]
	[ "$(echo "${lines[0]}" | jget actor)" = root ]
	login lee
	run api POST /orders/1/remarks '{"text":"lee was here"}'
	[ "$output" = 201 ]
}

@test "locks: one taken over HTTP blocks uoms-status for another actor, and one taken by uoms-lock blocks HTTP" {
	run api POST /orders/1/locks '{"type":"STATUS"}'
	[ "$output" = 201 ]
	exp=$(jget expires_at <resp.body)
	run --separate-stderr uoms-status --actor lee --to IN_PROGRESS 1
	[ "$status" -eq 1 ]
	[ "$stderr" = "uoms-status: order 1: locked: STATUS lock held by 'kim' until $exp" ]
	[ "$(sql "SELECT status FROM orders WHERE id = 1")" = WAITING ]
	# the owner itself is not blocked
	run --separate-stderr uoms-status --actor kim --to IN_PROGRESS 1
	[ "$status" -eq 0 ]
	run api DELETE /orders/1/locks/STATUS
	[ "$output" = 204 ]
	# the reverse: lee's lock from the shell
	run --separate-stderr uoms-lock --actor lee acquire --type EDIT 1
	[ "$status" -eq 0 ]
	exp=$(echo "$output" | jget expires_at)
	run api POST /orders/1/locks '{"type":"ASSIGN"}'
	[ "$output" = 423 ]
	[ "$(jget error.owner <resp.body)" = lee ]
	[ "$(jget error.lock_type <resp.body)" = EDIT ]
	[ "$(jget error.expires_at <resp.body)" = "$exp" ]
	run api POST /orders/1/holds '{"reason":"other"}'
	[ "$output" = 423 ]
	run api GET /orders/1/locks
	[ "$(jget 'locks[0].owner' <resp.body)" = lee ]
	v=$(version)
	uoms-lock --actor lee release --type EDIT 1
	run api POST /orders/1/remarks '{"text":"free again"}'
	[ "$output" = 201 ]
	[ "$(version)" = $((v + 1)) ]
}

@test "holds: place (201 the record), list, ack, resolve; the status waits while it is open" {
	run api POST /orders/1/holds '{"reason":"address_invalid","note":"동 호수 없음"}'
	[ "$output" = 201 ]
	[ "$(jget id <resp.body)" = 1 ]
	[ "$(jget 'holds[0].reason' <resp.body)" = address_invalid ]
	[ "$(jget 'holds[0].state' <resp.body)" = open ]
	[ "$(resp_header ETag)" = '"1-v2"' ]
	run api GET /orders/1/holds
	[ "$output" = 200 ]
	hid=$(jget 'holds[0].id' <resp.body)
	[ "$(jget 'holds[0].note' <resp.body)" = "동 호수 없음" ]
	[ "$(jget 'holds[0].placed_by' <resp.body)" = kim ]
	[ "$(count holds)" = 1 ]
	run --separate-stderr uoms-status --actor kim --to IN_PROGRESS 1
	[ "$status" -eq 1 ]
	[[ "$stderr" == *on_hold* ]]
	run api POST "/orders/1/holds/$hid/ack" '{"note":"고객에게 전화"}'
	[ "$output" = 200 ]
	[ "$(jget 'holds[0].state' <resp.body)" = acknowledged ]
	run api POST "/orders/1/holds/$hid/resolve"
	[ "$output" = 200 ]
	# the record lists the holds still in force: none
	[ "$(jget holds <resp.body)" = "[]" ]
	run api GET /orders/1/holds
	[ "$(jget 'holds[0].state' <resp.body)" = resolved ]
	[ "$(jget 'holds[0].operator' <resp.body)" = kim ]
	[ "$(jget 'holds[0].operator_note' <resp.body)" = null ]
	run api GET '/orders/1/holds?state=open'
	[ "$(jget holds <resp.body)" = "[]" ]
	[ "$(version)" = 4 ]
	run --separate-stderr uoms-status --actor kim --to IN_PROGRESS 1
	[ "$status" -eq 0 ]
	run uoms-events --order 1
	[[ "$output" == *hold_placed* && "$output" == *hold_acknowledged* && "$output" == *hold_resolved* ]]
}

@test "holds: 401, 403, 404 (order, hold), 422 on an unknown or missing reason" {
	run api POST /orders/1/holds '{"reason":"tired"}'
	[ "$output" = 422 ]
	[ "$(code)" = invalid ]
	run api POST /orders/1/holds '{"note":"no reason"}'
	[ "$output" = 422 ]
	run api POST /orders/1/holds '{"reason":"other","note":5}'
	[ "$output" = 422 ]
	run api POST /orders/1/holds '[]'
	[ "$output" = 400 ]
	run api GET '/orders/1/holds?state=closed'
	[ "$output" = 422 ]
	run api POST /orders/1/holds/999/ack
	[ "$output" = 404 ]
	[ "$(code)" = not_found ]
	run api POST /orders/1/holds/999/resolve
	[ "$output" = 404 ]
	run api POST /orders/999/holds '{"reason":"other"}'
	[ "$output" = 404 ]
	run api GET /orders/999/holds
	[ "$output" = 404 ]
	run api POST /orders/2/holds '{"reason":"other"}'
	[ "$output" = 403 ]
	run api GET /orders/2/holds
	[ "$output" = 403 ]
	[ "$(version)" = 1 ]
	# a fraud hold placed by the admin: a user may not resolve it
	uoms-hold --actor root set --reason fraud_suspected 1 >/dev/null
	hid=$(uoms-hold list | jget id)
	run api POST "/orders/1/holds/$hid/resolve"
	[ "$output" = 403 ]
	[ "$(code)" = forbidden ]
	TOKEN=
	run api GET /orders/1/holds
	[ "$output" = 401 ]
	run api POST "/orders/1/holds/$hid/ack"
	[ "$output" = 401 ]
	login root
	run api POST "/orders/1/holds/$hid/resolve"
	[ "$output" = 200 ]
}

@test "push: the channel is told once; a rerun records nothing twice" {
	fake_start jsonl_server.py --token tok-6004 --push-log push.log
	echo tok-6004 | uoms-channel --actor root add shop --kind http-jsonl \
	    --base-url "http://127.0.0.1:$PORT" --secret token >/dev/null
	order E1 channel='"shop"' order_no='"2611-000091"' | uoms-upsert >/dev/null
	id=$(sql "SELECT id FROM orders WHERE external_order_id = 'E1'")
	# still WAITING, its workflow's first state: nothing owed
	run api POST "/orders/$id/push"
	[ "$output" = 200 ]
	[ "$(jget pushes <resp.body)" = "[]" ]
	uoms-status --to IN_PROGRESS "$id" >/dev/null
	uoms-edit --set shipment.carrier=cj --set shipment.tracking_number=640012345678 "$id" >/dev/null
	run api POST "/orders/$id/push"
	[ "$output" = 200 ]
	[ "$(jget 'pushes[0]' <resp.body)" = "{\"id\": $id, \"channel\": \"shop\", \"push\": \"ack\", \"state\": \"sent\", \"answer\": {\"accepted\": \"ack\"}}" ]
	[ "$(jget 'pushes[1].push' <resp.body)" = ship ]
	[ "$(jget 'pushes[1].state' <resp.body)" = sent ]
	for i in 1 2; do
		run api POST "/orders/$id/push"
		[ "$output" = 200 ]
		[ "$(jget pushes <resp.body)" = "[]" ]
	done
	# and the tool agrees: nothing left to tell
	run --separate-stderr uoms-push "$id"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	[ "$(wc -l <push.log)" -eq 2 ]
	[ "$(sql "SELECT what || ':' || state FROM pushes ORDER BY what")" = "$(printf 'ack:sent\nship:sent')" ]
	run uoms-events --order "$id" --type pushed
	[ "${#lines[@]}" -eq 2 ]
	[ "$(echo "${lines[0]}" | jget actor)" = kim ]
}

@test "push: 401, 403, 404, and a push the channel cannot take is its error" {
	run api POST /orders/999/push
	[ "$output" = 404 ]
	run api POST /orders/2/push
	[ "$output" = 403 ]
	TOKEN=
	run api POST /orders/1/push
	[ "$output" = 401 ]
	login kim
	# order 1's channel, coupang, is not registered here
	uoms-status --to IN_PROGRESS 1 >/dev/null
	run api POST /orders/1/push
	[ "$output" = 422 ]
	[ "$(code)" = invalid ]
	[[ "$(jget error.message <resp.body)" == *"no such channel"* ]]
	# the server goes on serving
	run api GET /orders/1/holds
	[ "$output" = 200 ]
}

@test "remarks: a POST retried with its Idempotency-Key answers the same, one remark" {
	run api POST /orders/1/remarks '{"text":"한 번만"}' -H 'Idempotency-Key: rk-1'
	[ "$output" = 201 ]
	cp resp.body first.body
	run api POST /orders/1/remarks '{"text":"한 번만"}' -H 'Idempotency-Key: rk-1'
	[ "$output" = 201 ]
	[ "$(resp_header Idempotent-Replayed)" = true ]
	diff -u first.body resp.body
	[ "$(uoms-remark list 1 | wc -l)" -eq 1 ]
	[ "$(version)" = 2 ]
	# the key with another text: 422
	run api POST /orders/1/remarks '{"text":"두 번"}' -H 'Idempotency-Key: rk-1'
	[ "$output" = 422 ]
	[ "$(code)" = idempotency_mismatch ]
}

@test "locks: a lock taken while PostgreSQL's connection is killed mid-transaction is taken once, and the server goes on" {
	engine_only pg "a connection killed inside a transaction is PostgreSQL's"
	kill_backend_once "INSERT ON locks"
	run api POST /orders/1/locks '{"type":"edit","ttl":60}'
	[ "$output" = 201 ] || { cat resp.body serve.log; false; }
	[ "$(jget owner <resp.body)" = kim ]
	# the trigger fired on the first try and let the second through
	[ "$(kills_done)" = 2 ]
	[ "$(sql "SELECT count(*) FROM locks WHERE order_id = 1")" = 1 ]
	run api GET /orders/1/locks
	[ "$output" = 200 ]
	[ "$(count locks)" = 1 ]
	[ "$(version)" = 1 ]
	# counted as a retry of the store
	login root
	run api GET /metrics
	[ "$output" = 200 ]
	grep -q '^uoms_store_busy_retries_total [1-9]' resp.body
}

@test "holds and locks: an order's lists read that order's rows only, not every one in the store" {
	engine_only sqlite "a row no list can read needs bytes that are not UTF-8, which PostgreSQL refuses to store"
	# Order 2's hold and lock hold text that is not UTF-8: a list that
	# reads them fails (500), one that reads only order 1's does not.
	sql "INSERT INTO holds (order_id, reason, note, placed_by, placed_at,
	    updated_at) VALUES (2, 'address_invalid', CAST(X'C328' AS TEXT),
	    'x', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z');
	    INSERT INTO locks VALUES (2, 'EDIT', CAST(X'C328' AS TEXT),
	    '2026-01-01T00:00:00.000Z', '2999-01-01T00:00:00.000Z')"
	[ "$(api POST /orders/1/holds '{"reason":"address_invalid"}')" = 201 ]
	[ "$(api POST /orders/1/locks '{"type":"edit"}')" = 201 ]
	run api GET /orders/1/holds
	[ "$output" = 200 ] || { cat resp.body; false; }
	[ "$(count holds)" = 1 ]
	[ "$(jget 'holds[0].order_id' <resp.body)" = 1 ]
	run api GET '/orders/1/holds?state=open'
	[ "$output" = 200 ]
	[ "$(count holds)" = 1 ]
	run api GET /orders/1/locks
	[ "$output" = 200 ] || { cat resp.body; false; }
	[ "$(count locks)" = 1 ]
	[ "$(jget 'locks[0].owner' <resp.body)" = kim ]
}
