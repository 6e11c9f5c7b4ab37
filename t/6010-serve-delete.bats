#!/usr/bin/env bats
# uoms-serve's DELETE /orders/{id} (admin): uoms-edit --delete over HTTP
# (lib/delete.h), so the two doors agree: 204, the order gone from
# GET /orders and GET /orders/{id} (404), its events kept; refused as
# any change is (401, 403, 404, 412 If-Match, 409 version, 423 locked),
# and a retry under the same Idempotency-Key answered 204 again.
load helper

teardown() { serve_stop; }

export UOMS_JWT_KEY=delete-test-key-0123456789abcdef01234

# fixture: 4 orders (odd ids west, even east), an admin boss, kim of
# east, and the server.
fixture() {
	orders 4 | uoms-upsert >/dev/null
	serve_user boss admin
	UOMS_ACTOR=boss serve_user kim user east
	serve_start
}

@test "DELETE /orders/{id}: 204, then 404 and out of the list; the tools agree; the events stay" {
	fixture
	login boss
	[ "$(api DELETE /orders/2)" = 204 ]
	[ ! -s resp.body ]
	[ "$(api GET /orders/2)" = 404 ]
	[ "$(jget error.code <resp.body)" = not_found ]
	[ "$(api GET /orders)" = 200 ]
	[ "$(python3 -c 'import json, sys; print([o["id"] for o in json.load(sys.stdin)["orders"]])' <resp.body)" = '[4, 3, 1]' ]
	[ "$(uoms-query --id 2 | wc -l)" = 0 ]
	[ "$(uoms-query --deleted | jget version)" = 2 ]
	[ "$(uoms-events --order 2 --type deleted | jget actor)" = boss ]
	[ "$(api GET '/events?order=2')" = 200 ]
	[ "$(python3 -c 'import json, sys; print(*[e["type"] for e in json.load(sys.stdin)["events"]])' <resp.body)" = "created deleted" ]
	# every other route on it is 404 now
	[ "$(api PATCH /orders/2 '{"department":"north"}')" = 404 ]
	[ "$(api POST /orders/2/status '{"to":"IN_PROGRESS"}')" = 404 ]
	[ "$(api DELETE /orders/2)" = 404 ]
}

@test "DELETE /orders/{id}: 401 without a token, 403 for a user, 404 for no such order" {
	fixture
	[ "$(TOKEN= api DELETE /orders/2)" = 401 ]
	login kim
	[ "$(api DELETE /orders/2)" = 403 ]
	[ "$(jget error.code <resp.body)" = forbidden ]
	login boss
	[ "$(api DELETE /orders/99)" = 404 ]
	[ "$(api DELETE /orders/x)" = 404 ]
	[ "$(uoms-query | wc -l)" = 4 ]
	[ "$(uoms-events --type deleted | wc -l)" = 0 ]
}

@test "DELETE /orders/{id}: If-Match stale is 412, a body's old version 409 (force skips it), an EDIT lock 423" {
	fixture
	uoms-edit --set department=north 1 >/dev/null
	login boss
	[ "$(api DELETE /orders/1 '' -H 'If-Match: "1-v1"')" = 412 ]
	[ "$(jget error.current_version <resp.body)" = 2 ]
	[ "$(api DELETE /orders/1 '{"version":1}')" = 409 ]
	[ "$(jget error.code <resp.body)" = version_conflict ]
	[ "$(uoms-query --id 1 | jget version)" = 2 ]
	uoms-lock --actor lee acquire --type EDIT 3 >/dev/null
	[ "$(api DELETE /orders/3)" = 423 ]
	[ "$(jget error.owner <resp.body)" = lee ]
	[ "$(uoms-query --id 3 | jget version)" = 1 ]
	[ "$(api DELETE /orders/1 '{"version":1,"force":true}')" = 204 ]
	[ "$(api DELETE /orders/4 '' -H 'If-Match: "4-v1"')" = 204 ]
	[ "$(uoms-query --deleted | jget id | tr '\n' ' ')" = "4 1 " ]
}

@test "DELETE /orders/{id} with an Idempotency-Key: the retry is 204 again, replayed, one event" {
	fixture
	login boss
	[ "$(api DELETE /orders/2 '' -H 'Idempotency-Key: del-2')" = 204 ]
	[ -z "$(resp_header Idempotent-Replayed)" ]
	[ "$(api DELETE /orders/2 '' -H 'Idempotency-Key: "del-2"')" = 204 ]
	[ "$(resp_header Idempotent-Replayed)" = true ]
	[ "$(uoms-events --order 2 --type deleted | wc -l)" = 1 ]
	# another request under the key finds no order
	[ "$(api PATCH /orders/2 '{"department":"north"}' -H 'Idempotency-Key: del-2')" = 404 ]
	# the CLI's key space is the same actor's
	uoms-edit --actor boss --delete --idempotency-key del-3 3 >/dev/null
	[ "$(api DELETE /orders/3 '' -H 'Idempotency-Key: del-3')" = 204 ]
	[ "$(resp_header Idempotent-Replayed)" = true ]
	[ "$(api DELETE /orders/3 '' -H 'Idempotency-Key: other')" = 404 ]
}

@test "DELETE /orders/{id} is in /openapi.json" {
	fixture
	[ "$(TOKEN= api GET /openapi.json)" = 200 ]
	[ "$(python3 -c 'import json, sys; print("delete" in json.load(sys.stdin)["paths"]["/orders/{id}"])' <resp.body)" = True ]
}

@test "DELETE /orders/{id}: /metrics counts the order no more" {
	fixture
	[ "$(TOKEN= api GET /metrics)" = 200 ]
	grep -qx 'uoms_orders{status="WAITING"} 4' resp.body
	login boss
	[ "$(api DELETE /orders/3)" = 204 ]
	[ "$(TOKEN= api GET /metrics)" = 200 ]
	grep -qx 'uoms_orders{status="WAITING"} 3' resp.body
}
