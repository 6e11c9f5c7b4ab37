#!/usr/bin/env bats
# uoms-serve's orders routes through real HTTP (api.md "Orders"): the
# list, one order with its ETag, and every change, which must agree with
# what the tools see (uoms-query, uoms-events) and honour If-Match,
# --require-if-match, a body's version and Idempotency-Key.
load helper

teardown() { serve_stop; }

# A PostgreSQL store has no folder for a key file: every server of it
# takes the key from the environment.
export UOMS_JWT_KEY=orders-test-key-0123456789abcdef0123

# fixture [N [SERVE-ARG...]]: N orders (default 4; odd ids of department
# west, even ones east), an admin boss, kim of east and lee of west, and
# the server started with SERVE-ARGs.
fixture() {
	orders "${1:-4}" | uoms-upsert >/dev/null
	serve_user boss admin
	serve_user kim user east
	serve_user lee user west
	serve_start "${@:2}"
}

# events_of ID TYPE: how many TYPE events order ID has.
events_of() {
	uoms-events --order "$1" --type "$2" | wc -l
}

# token NAME ROLE [DEPT]: an access token signed here with the test's
# key, as POST /auth/login would give it, without a request.
token() {
	python3 - "$UOMS_JWT_KEY" "$1" "$2" "${3:-}" <<'PY'
import base64, hashlib, hmac, json, sys, time
key, sub, role, dept = sys.argv[1:5]
b64 = lambda b: base64.urlsafe_b64encode(b).rstrip(b"=").decode()
now = int(time.time())
head = b64(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
body = b64(json.dumps({"sub": sub, "role": role, "dept": dept or None,
    "iat": now, "nbf": now, "exp": now + 600}).encode())
sig = hmac.new(key.encode(), (head + "." + body).encode(), hashlib.sha256).digest()
print(head + "." + body + "." + b64(sig))
PY
}

@test "GET /orders/{id}: a worker's first request reads the order with its holds" {
	orders 2 | uoms-upsert >/dev/null
	uoms-hold set --reason address_invalid --note 'gate code' 1 >/dev/null
	serve_user boss admin
	serve_start --threads 4
	# Signing in writes, and a write told its worker whether any hold
	# exists: this token is made here, so every worker starts fresh.
	TOKEN=$(token boss admin)
	for i in 1 2 3 4 5 6 7 8; do
		[ "$(api GET /orders/1)" = 200 ]
		[ "$(jget holds[0].reason <resp.body)" = address_invalid ] || {
			cat resp.body
			false
		}
	done
}

@test "GET /orders/{id}: the record as uoms-query prints it, its ETag, If-None-Match 304" {
	fixture
	login kim
	[ "$(api GET /orders/2)" = 200 ]
	uoms-query --id 2 >want
	printf '\n' >>resp.body
	diff -u want resp.body
	[ "$(resp_header ETag)" = '"2-v1"' ]
	rm resp.body	# curl writes no file for an empty body
	[ "$(api GET /orders/2 '' -H 'If-None-Match: "2-v1"')" = 304 ]
	[ ! -s resp.body ]
	[ "$(resp_header ETag)" = '"2-v1"' ]
	# If-None-Match compares weakly, and a list may name it anywhere
	[ "$(api GET /orders/2 '' -H 'If-None-Match: "9-v1", W/"2-v1"')" = 304 ]
	[ "$(api GET /orders/2 '' -H 'If-None-Match: "2-v0"')" = 200 ]
	[ "$(jget id <resp.body)" = 2 ]
}

@test "GET /orders/{id}?include=remarks,events side-loads them beside the record" {
	fixture
	uoms-remark add 2 '문 앞에 두세요' >/dev/null
	login kim
	[ "$(api GET '/orders/2?include=remarks,events')" = 200 ]
	[ "$(jget included.remarks[0].text <resp.body)" = '문 앞에 두세요' ]
	[ "$(jget included.remarks[0].order_id <resp.body)" = 2 ]
	[ "$(jget included.events[0].type <resp.body)" = created ]
	[ "$(jget included.events[1].type <resp.body)" = remark_added ]
	[ "$(jget included.items <resp.body)" = null ]
	[ "$(jget version <resp.body)" = 2 ]
	[ "$(api GET '/orders/2?include=nonsense')" = 400 ]
	[ "$(jget error.code <resp.body)" = invalid ]
}

@test "every orders route answers 401 without a token, or with a bad one" {
	fixture
	for r in "GET /orders" "GET /orders/2" "PATCH /orders/2" \
	    "POST /orders/2/status" "POST /orders/2/actions/depart" \
	    "POST /orders/assign"; do
		set -- $r
		[ "$(TOKEN= api "$1" "$2" '{}')" = 401 ] || { echo "$r" >&2; false; }
		[ "$(jget error.code <resp.body)" = unauthorized ]
		[ "$(TOKEN=not.a.token api "$1" "$2" '{}')" = 401 ] || { echo "$r" >&2; false; }
	done
	[ "$(uoms-query --id 2 | jget version)" = 1 ]
}

@test "a user gets 403 for another department's order, on every route, and changes nothing" {
	fixture
	login kim	# east; order 1 is west's
	[ "$(api GET /orders/1)" = 403 ]
	[ "$(jget error.code <resp.body)" = forbidden ]
	[ "$(api PATCH /orders/1 '{"warehouse":"icn-9"}')" = 403 ]
	[ "$(api POST /orders/1/status '{"to":"IN_PROGRESS"}')" = 403 ]
	[ "$(api POST /orders/1/actions/depart)" = 403 ]
	[ "$(api POST /orders/assign '{"orders":[{"id":2},{"id":1}],"driver":{"name":"Kim"}}')" = 403 ]
	[ "$(jget error.order_id <resp.body)" = 1 ]
	[ "$(uoms-query --id 1 | jget version)" = 1 ]
	[ "$(uoms-query --id 2 | jget version)" = 1 ]
	# an admin sees and moves it
	login boss
	[ "$(api GET /orders/1)" = 200 ]
	[ "$(api POST /orders/1/actions/depart)" = 200 ]
}

@test "404 for an order that isn't there or an id that is not one" {
	fixture
	login boss
	for p in /orders/99 /orders/0 /orders/abc /orders/-1 /orders/01; do
		[ "$(api GET "$p")" = 404 ] || { echo "$p" >&2; false; }
		[ "$(jget error.code <resp.body)" = not_found ]
	done
	[ "$(api POST /orders/99/status '{"to":"IN_PROGRESS"}')" = 404 ]
	[ "$(api PATCH /orders/99 '{"warehouse":"x"}')" = 404 ]
	[ "$(api POST /orders/99/actions/depart)" = 404 ]
	[ "$(api POST /orders/assign '{"orders":[{"id":99}],"driver":{"name":"Kim"}}')" = 404 ]
	[ "$(jget error.order_id <resp.body)" = 99 ]
}

@test "bad bodies: broken JSON and wrong types 400, an unknown state or field 422; nothing changes" {
	fixture
	login boss
	bad() {	# WANT-STATUS METHOD PATH BODY
		local got
		got=$(api "$2" "$3" "$4")
		[ "$got" = "$1" ] || { echo "$2 $3 $4: $got $(cat resp.body)" >&2; return 1; }
	}
	bad 400 POST /orders/2/status '{"to":'
	bad 400 POST /orders/2/status '["to"]'
	bad 400 POST /orders/2/status '{"to":5}'
	bad 400 POST /orders/2/status '{}'
	bad 400 POST /orders/2/status '{"to":"IN_PROGRESS","version":"1"}'
	bad 400 POST /orders/2/status '{"to":"IN_PROGRESS","force":"yes"}'
	bad 400 POST /orders/2/status '{"to":"IN_PROGRESS","note":7}'
	bad 422 POST /orders/2/status '{"to":"FLYING"}'
	[ "$(jget error.code <resp.body)" = invalid ]
	bad 409 POST /orders/2/actions/fly ''
	[ "$(jget error.code <resp.body)" = invalid_transition ]
	bad 400 PATCH /orders/2 '{"eta":5}'
	bad 422 PATCH /orders/2 '{"status":"COMPLETE"}'
	bad 422 PATCH /orders/2 '{"colour":"red"}'
	bad 422 PATCH /orders/2 '{}'
	bad 422 PATCH /orders/2 '{"shipping":{"postal_code":"123"}}'
	bad 422 PATCH /orders/2 '{"eta":"2001-01-01T00:00:00Z"}'
	bad 400 POST /orders/assign '{"orders":[],"driver":{"name":"Kim"}}'
	bad 400 POST /orders/assign '{"orders":[{"id":"2"}],"driver":{"name":"Kim"}}'
	bad 400 POST /orders/assign '{"orders":[{"id":2},{"id":2}],"driver":{"name":"Kim"}}'
	bad 400 POST /orders/assign '{"orders":[{"id":2}]}'
	bad 400 POST /orders/assign '{"orders":[{"id":2}],"driver":{"name":"Kim"},"unassign":true}'
	bad 400 POST /orders/assign '{"orders":[{"id":2}],"driver":"Kim"}'
	bad 422 POST /orders/assign '{"orders":[{"id":2}],"driver":{"name":"Kim","phone":"12"}}'
	[ "$(uoms-query --id 2 | jget version)" = 1 ]
	[ "$(events_of 2 status)" = 0 ]
}

@test "POST /orders/{id}/status moves it as uoms-status would: the record, its ETag, one event by the caller" {
	fixture
	login kim
	[ "$(api POST /orders/2/status '{"to":"IN_PROGRESS","note":"출발"}')" = 200 ]
	[ "$(jget status <resp.body)" = IN_PROGRESS ]
	[ "$(jget version <resp.body)" = 2 ]
	[ "$(resp_header ETag)" = '"2-v2"' ]
	uoms-query --id 2 >want
	printf '\n' >>resp.body
	diff -u want resp.body
	uoms-events --order 2 --type status >ev
	[ "$(wc -l <ev)" = 1 ]
	[ "$(jget actor <ev)" = kim ]
	[ "$(jget to <ev)" = IN_PROGRESS ]
	# a user may not force; the workflow refuses a move back
	[ "$(api POST /orders/2/status '{"to":"WAITING","force":true}')" = 403 ]
	[ "$(api POST /orders/2/status '{"to":"WAITING"}')" = 409 ]
	[ "$(jget error.code <resp.body)" = invalid_transition ]
	login boss
	[ "$(api POST /orders/2/status '{"to":"WAITING","force":true}')" = 200 ]
	[ "$(jget status <resp.body)" = WAITING ]
}

@test "PATCH /orders/{id} edits the fields uoms-edit --set takes, flat or nested" {
	fixture
	login kim
	[ "$(api PATCH /orders/2 '{"warehouse":"icn-2","customer":{"phone":"010-9999-8888"},"shipment.carrier":"cj"}')" = 200 ]
	[ "$(jget version <resp.body)" = 2 ]
	uoms-query --id 2 >rec
	[ "$(jget warehouse <rec)" = icn-2 ]
	[ "$(jget customer.phone <rec)" = 010-9999-8888 ]
	[ "$(jget shipment.carrier <rec)" = cj ]
	[ "$(events_of 2 edited)" = 1 ]
	# null clears a field
	[ "$(api PATCH /orders/2 '{"warehouse":null}')" = 200 ]
	[ "$(uoms-query --id 2 | jget warehouse)" = null ]
}

@test "a food-delivery order from payment to delivered by actions, each answer its next ETag" {
	fixture
	order 500001 workflow='"food-delivery"' status=absent | uoms-upsert >/dev/null
	id=$(uoms-query --order-no 2611-500001 | jget id)
	login kim
	v=1
	for a in payment acceptance preparation-complete pickup delivery; do
		code=$(api POST "/orders/$id/actions/$a" "" -H "If-Match: \"$id-v$v\"")
		[ "$code" = 200 ] || { echo "$a: $code $(cat resp.body)" >&2; false; }
		v=$((v + 1))
		[ "$(resp_header ETag)" = "\"$id-v$v\"" ]
		jget status <resp.body >>walked
	done
	printf '%s\n' pending_acceptance preparing ready_for_pickup in_transit delivered >want
	diff -u want walked
	uoms-query --id "$id" >rec
	[ "$(jget status <rec)" = delivered ]
	[ "$(jget version <rec)" = 6 ]
	[ "$(jget depart_time <rec)" != null ]
	[ "$(jget complete_time <rec)" != null ]
	[ "$(events_of "$id" status)" = 5 ]
}

@test "a stale If-Match is 412 with current_version and the order unchanged; strong comparison, lists, *" {
	fixture
	login kim
	uoms-status --to IN_PROGRESS 2 >/dev/null	# behind the client's back
	uoms-query --id 2 >before
	[ "$(api POST /orders/2/status '{"to":"COMPLETE"}' -H 'If-Match: "2-v1"')" = 412 ]
	[ "$(jget error.code <resp.body)" = version_conflict ]
	[ "$(jget error.current_version <resp.body)" = 2 ]
	uoms-query --id 2 >after
	diff -u before after
	# a weak tag never matches, even with the current version
	[ "$(api POST /orders/2/status '{"to":"COMPLETE"}' -H 'If-Match: W/"2-v2"')" = 412 ]
	# another order's tag does not match
	[ "$(api POST /orders/2/status '{"to":"COMPLETE"}' -H 'If-Match: "4-v2"')" = 412 ]
	[ "$(api PATCH /orders/2 '{"warehouse":"x"}' -H 'If-Match: "2-v1"')" = 412 ]
	diff -u before <(uoms-query --id 2)
	[ "$(events_of 2 status)" = 1 ]
	# one of a list matching is enough
	[ "$(api POST /orders/2/status '{"to":"COMPLETE"}' -H 'If-Match: "2-v1", "2-v2"')" = 200 ]
	[ "$(jget version <resp.body)" = 3 ]
	[ "$(api PATCH /orders/2 '{"warehouse":"icn-7"}' -H 'If-Match: *')" = 200 ]
	[ "$(jget version <resp.body)" = 4 ]
}

@test "a version in the body is checked: 409 version_conflict with current_version" {
	fixture
	login kim
	[ "$(api POST /orders/2/status '{"to":"IN_PROGRESS","version":3}')" = 409 ]
	[ "$(jget error.code <resp.body)" = version_conflict ]
	[ "$(jget error.current_version <resp.body)" = 1 ]
	[ "$(uoms-query --id 2 | jget status)" = WAITING ]
	[ "$(api POST /orders/2/status '{"to":"IN_PROGRESS","version":1}')" = 200 ]
}

@test "--require-if-match: a change without If-Match is 428, with one it goes" {
	fixture 4 --require-if-match
	login kim
	[ "$(api POST /orders/2/status '{"to":"IN_PROGRESS"}')" = 428 ]
	[ "$(jget error.code <resp.body)" = precondition_required ]
	[ "$(api PATCH /orders/2 '{"warehouse":"x"}')" = 428 ]
	[ "$(api POST /orders/assign '{"orders":[{"id":2}],"driver":{"name":"Kim"}}')" = 428 ]
	[ "$(uoms-query --id 2 | jget version)" = 1 ]
	[ "$(api POST /orders/2/status '{"to":"IN_PROGRESS"}' -H 'If-Match: "2-v1"')" = 200 ]
	[ "$(api POST /orders/assign '{"orders":[{"id":4,"version":1}],"driver":{"name":"Kim"}}')" = 200 ]
	# reads need nothing
	[ "$(api GET /orders/2)" = 200 ]
}

@test "the same POST with the same Idempotency-Key twice: the same status and body, replayed, one change" {
	fixture
	login kim
	[ "$(api POST /orders/2/actions/depart '' -H 'Idempotency-Key: k-1' -H 'If-Match: "2-v1"')" = 200 ]
	cp resp.body first
	[ -z "$(resp_header Idempotent-Replayed)" ]
	# the retry's If-Match is stale now: the stored answer wins over 412
	[ "$(api POST /orders/2/actions/depart '' -H 'Idempotency-Key: k-1' -H 'If-Match: "2-v1"')" = 200 ]
	diff -u first resp.body
	[ "$(resp_header Idempotent-Replayed)" = true ]
	[ "$(resp_header ETag)" = '"2-v2"' ]
	# the key as a quoted string (the IETF draft's form) is the same key
	[ "$(api POST /orders/2/actions/depart '' -H 'Idempotency-Key: "k-1"')" = 200 ]
	diff -u first resp.body
	[ "$(events_of 2 status)" = 1 ]
	[ "$(uoms-query --id 2 | jget version)" = 2 ]
	# another request under the key
	[ "$(api POST /orders/2/actions/complete '' -H 'Idempotency-Key: k-1')" = 422 ]
	[ "$(jget error.code <resp.body)" = idempotency_mismatch ]
	[ "$(uoms-query --id 2 | jget status)" = IN_PROGRESS ]
	# too long a key
	[ "$(api POST /orders/2/actions/complete '' -H "Idempotency-Key: $(printf 'k%.0s' {1..256})")" = 400 ]
	[ "$(uoms-query --id 2 | jget version)" = 2 ]
}

@test "pagination: 120 orders, limit 50: 3 pages, every order once, stable while orders are added" {
	fixture 120
	login boss
	cursor= page=0
	: >ids
	while :; do
		page=$((page + 1))
		[ "$(api GET "/orders?limit=50${cursor:+&cursor=$cursor}")" = 200 ]
		python3 -c 'import json, sys
d = json.load(open("resp.body"))
for o in d["orders"]:
    assert "items" not in o and "holds" not in o, o
    print(o["id"])' >>ids
		cursor=$(jget next_cursor <resp.body)
		[ "$cursor" != null ] || break
		# an order added between pages comes before the cursor: no shift
		[ "$page" != 1 ] || orders 1 9001 | uoms-upsert >/dev/null
		[ "$page" -lt 5 ] || false
	done
	[ "$page" = 3 ]
	[ "$(wc -l <ids)" = 120 ]
	seq 120 -1 1 >want
	diff -u want ids
	[ "$(api GET '/orders?limit=501')" = 400 ]
	[ "$(api GET '/orders?cursor=xyz')" = 400 ]
	[ "$(api GET '/orders?limit=0')" = 400 ]
}

@test "include=items,holds,remarks,events: each entity once, with its order_id, the records without theirs" {
	fixture 3
	uoms-hold set --reason address_invalid 3 >/dev/null
	uoms-remark add 2 'ring twice' >/dev/null
	login boss
	[ "$(api GET '/orders?include=items,holds,remarks,events')" = 200 ]
	python3 - <<'PY'
import json
d = json.load(open("resp.body"))
inc = d["included"]
assert sorted(inc) == ["events", "holds", "items", "remarks"], inc.keys()
assert [o["id"] for o in d["orders"]] == [3, 2, 1]
for o in d["orders"]:
    assert "items" not in o and "holds" not in o
assert sorted(i["order_id"] for i in inc["items"]) == [1, 2, 3], inc["items"]
assert [(h["order_id"], h["reason"]) for h in inc["holds"]] == [(3, "address_invalid")], inc["holds"]
assert [(r["order_id"], r["text"]) for r in inc["remarks"]] == [(2, "ring twice")]
ids = [e["id"] for e in inc["events"]]
assert len(ids) == len(set(ids)) == 5, inc["events"]
assert sorted(e["order_id"] for e in inc["events"]) == [1, 2, 2, 3, 3]
PY
	# only what is asked for
	[ "$(api GET '/orders?include=remarks')" = 200 ]
	[ "$(python3 -c 'import json; print(sorted(json.load(open("resp.body"))["included"]))')" = "['remarks']" ]
	[ "$(api GET '/orders')" = 200 ]
	[ "$(jget included <resp.body)" = '{}' ]
}

@test "GET /orders filters as uoms-query does; a user sees only their department" {
	fixture 6
	uoms-status --to IN_PROGRESS 2 3 >/dev/null
	uoms-hold set --reason address_invalid 4 >/dev/null
	login boss
	ids() { python3 -c 'import json; print(*[o["id"] for o in json.load(open("resp.body"))["orders"]])'; }
	[ "$(api GET '/orders?status=IN_PROGRESS')" = 200 ]
	[ "$(ids)" = "3 2" ]
	[ "$(api GET '/orders?status=WAITING,IN_PROGRESS&department=east')" = 200 ]
	[ "$(ids)" = "6 4 2" ]
	[ "$(api GET '/orders?on_hold=true')" = 200 ]
	[ "$(ids)" = 4 ]
	[ "$(api GET '/orders?order_no=2611-00000&on_hold=false&limit=2')" = 200 ]
	[ "$(ids)" = "6 5" ]
	[ "$(api GET '/orders?placed_from=2026-11-21&placed_to=2026-11-22')" = 200 ]
	[ "$(ids)" = "6 5 4 3 2 1" ]
	[ "$(api GET '/orders?placed_from=2026-11-22')" = 200 ]
	[ "$(ids)" = "" ]
	[ "$(api GET '/orders?placed_from=yesterday')" = 400 ]
	[ "$(api GET '/orders?on_hold=maybe')" = 400 ]
	login kim
	[ "$(api GET /orders)" = 200 ]
	[ "$(ids)" = "6 4 2" ]
	[ "$(api GET '/orders?department=west')" = 200 ]
	[ "$(ids)" = "" ]
	login lee
	[ "$(api GET '/orders?status=IN_PROGRESS')" = 200 ]
	[ "$(ids)" = 3 ]
}

@test "POST /orders/assign: many orders with their versions, all or nothing" {
	fixture
	login boss
	[ "$(api POST /orders/assign '{"orders":[{"id":1,"version":1},{"id":2,"version":1}],"driver":{"name":"Kim","phone":"010-2222-3333"}}')" = 200 ]
	[ "$(python3 -c 'import json; print(*[(o["id"], o["version"], o["driver"]["name"]) for o in json.load(open("resp.body"))["orders"]])')" = "(1, 2, 'Kim') (2, 2, 'Kim')" ]
	[ "$(uoms-query --id 2 | jget driver.name)" = Kim ]
	# order 4 is current, order 1 stale: the first refusal answers, nothing is stored
	[ "$(api POST /orders/assign '{"orders":[{"id":4,"version":1},{"id":1,"version":1}],"driver":{"name":"Lee"}}')" = 409 ]
	[ "$(jget error.code <resp.body)" = version_conflict ]
	[ "$(jget error.order_id <resp.body)" = 1 ]
	[ "$(jget error.current_version <resp.body)" = 2 ]
	[ "$(uoms-query --id 4 | jget driver)" = null ]
	[ "$(uoms-query --id 4 | jget version)" = 1 ]
	[ "$(events_of 4 assigned)" = 0 ]
	[ "$(api POST /orders/assign '{"orders":[{"id":1},{"id":2}],"unassign":true}')" = 200 ]
	[ "$(uoms-query --id 1 | jget driver)" = null ]
	[ "$(uoms-query --id 2 | jget version)" = 3 ]
}

# hold_store: another session holds the store's write lock (SQLite: a
# write transaction; PostgreSQL: the orders table) until free_store;
# returns once it is held.
hold_store() {
	mkfifo hold
	if engine_is pg; then
		psql -qXA -v ON_ERROR_STOP=1 "$UOMS_DB" <hold >/dev/null 2>&1 &
	else
		sqlite3 "$UOMS_DB" <hold >/dev/null 2>&1 &
	fi
	locker=$!
	exec {w}>hold
	if engine_is pg; then
		echo "BEGIN; LOCK TABLE orders IN ACCESS EXCLUSIVE MODE;" >&"$w"
	else
		echo "BEGIN IMMEDIATE; UPDATE orders SET version = version WHERE id = 0;" >&"$w"
	fi
	wait_for store_held
}

store_held() {
	if engine_is pg; then
		[ "$(sql "SELECT count(*) FROM pg_locks WHERE relation = 'orders'::regclass
		    AND mode = 'AccessExclusiveLock' AND granted")" = 1 ]
	else
		if sqlite3 -cmd '.timeout 0' "$UOMS_DB" 'BEGIN IMMEDIATE; ROLLBACK;' 2>/dev/null; then
			return 1
		fi
	fi
}

free_store() {
	echo "ROLLBACK;" >&"$w"
	exec {w}>&-
	wait "$locker"
}

@test "a store busy past busy_timeout: 503 busy with Retry-After: 1, nothing changed; then it goes" {
	printf 'busy_timeout: 200\n' >conf.yaml
	UOMS_CONFIG=$PWD/conf.yaml fixture
	login kim
	hold_store
	code=$(api POST /orders/2/status '{"to":"IN_PROGRESS"}')
	free_store
	[ "$code" = 503 ] || { echo "$code $(cat resp.body)" >&2; false; }
	[ "$(jget error.code <resp.body)" = busy ]
	[ "$(resp_header Retry-After)" = 1 ]
	[ "$(uoms-query --id 2 | jget version)" = 1 ]
	[ "$(api POST /orders/2/status '{"to":"IN_PROGRESS"}')" = 200 ]
}

@test "POST /orders/assign with an Idempotency-Key: a retry answers the same orders, replayed, one change each" {
	fixture
	login kim
	body='{"orders":[{"id":2,"version":1},{"id":4,"version":1}],"driver":{"name":"Kim"}}'
	[ "$(api POST /orders/assign "$body" -H 'Idempotency-Key: as-1')" = 200 ]
	cp resp.body first
	[ -z "$(resp_header Idempotent-Replayed)" ]
	[ "$(api POST /orders/assign "$body" -H 'Idempotency-Key: as-1')" = 200 ]
	diff -u first resp.body
	[ "$(resp_header Idempotent-Replayed)" = true ]
	[ "$(events_of 2 assigned)" = 1 ]
	[ "$(events_of 4 assigned)" = 1 ]
	[ "$(uoms-query --id 4 | jget version)" = 2 ]
}
