#!/usr/bin/env bats
# uoms-serve's admin and tool routes (lib/serve-admin.c): channels and
# users as uoms-channel and uoms-user manage them (secrets write-only),
# reports as JSON, CSV and SVG, /metrics with the store's gauges, and the
# OpenAPI document of every route, each of which is served.
load helper

SECRET=s3cr3t-VALUE-never-shown-4711

setup_file() {
	# The channels' secrets are sealed under this key (uoms-channels(7)).
	export UOMS_SECRET_KEY=00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff
	# Tokens' signing key: a PostgreSQL store has no folder to make one in.
	export UOMS_JWT_KEY=6007-serve-admin-signing-key-0123456789abcdef
}

teardown() { serve_stop; }

# call METHOD PATH [BODY]: api, and every answer kept in answers, to
# look for what must never be in one.
call() {
	local code
	code=$(api "$@")
	cat resp.head resp.body >>answers
	echo >>answers
	echo "$code"
}

# An admin (ada) and a user (uma) signed up, the server started.
start() {
	serve_user ada admin
	serve_user uma user east
	export UOMS_ACTOR=ada
	serve_start
}

@test "channels: add, list, show, update and remove over HTTP; a secret is never in an answer or the log" {
	start
	login ada
	[ "$(call POST /channels "{\"name\":\"shop1\",\"kind\":\"shopify\",\"base_url\":\"https://shop1.example\",\"settings\":{\"shop\":\"s1\"},\"secrets\":{\"access_token\":\"$SECRET\"}}")" = 201 ]
	[ "$(jget name <resp.body)" = shop1 ]
	[ "$(jget secrets <resp.body)" = '["access_token"]' ]
	[ "$(jget settings.shop <resp.body)" = s1 ]
	[ "$(jget enabled <resp.body)" = True ]
	# The same channel the tool sees, its secret sealed in the store.
	[ "$(uoms-channel show shop1 | jget base_url)" = https://shop1.example ]
	[ "$(sql "SELECT count(*) FROM channel_secrets WHERE channel = 'shop1'")" = 1 ]

	[ "$(call GET /channels)" = 200 ]
	[ "$(python3 -c 'import json,sys; print([c["name"] for c in json.load(sys.stdin)["channels"]])' <resp.body)" = "['shop1']" ]
	[ "$(call GET /channels/shop1)" = 200 ]
	[ "$(jget secrets <resp.body)" = '["access_token"]' ]

	[ "$(call PATCH /channels/shop1 "{\"base_url\":\"https://shop1.example/v2\",\"settings\":{\"shop\":null,\"region\":\"kr\"},\"secrets\":{\"webhook_secret\":\"$SECRET-2\"},\"enabled\":false}")" = 200 ]
	[ "$(jget base_url <resp.body)" = https://shop1.example/v2 ]
	[ "$(jget settings <resp.body)" = '{"region": "kr"}' ]
	[ "$(jget secrets <resp.body)" = '["access_token", "webhook_secret"]' ]
	[ "$(jget enabled <resp.body)" = False ]
	[ "$(uoms-channel show shop1 | jget enabled)" = False ]

	[ "$(call DELETE /channels/shop1)" = 204 ]
	[ "$(call GET /channels/shop1)" = 404 ]
	[ "$(jget error.code <resp.body)" = not_found ]
	[ "$(call PATCH /channels/shop1 '{"base_url":"https://x.example"}')" = 404 ]
	[ "$(call DELETE /channels/shop1)" = 404 ]
	run ! uoms-channel show shop1

	serve_stop
	run grep -c . answers
	[ "$output" -gt 10 ]
	run ! grep -F -e "$SECRET" answers serve.log
}

@test "channels: bad bodies are refused whole and store nothing" {
	start
	login ada
	for body in '{"kind":"demo"}' '{"name":"c1"}' '{"name":"c1","kind":"nosuch"}' \
	    '{"name":"c1","kind":"demo","settings":{"api_key":"k"}}' \
	    '{"name":"c1","kind":"demo","settings":{"n":1}}' \
	    '{"name":"c1","kind":"demo","secrets":{"k":1}}' \
	    '{"name":"c1","kind":"demo","workflow":"nosuch"}' \
	    '{"name":"c1","kind":"demo","colour":"red"}' \
	    '{"name":"bad name!","kind":"demo"}' '[1]' 'not json'; do
		code=$(call POST /channels "$body")
		[ "$code" = 400 ] || [ "$code" = 422 ] || { echo "$body: $code" >&2; false; }
		[ "$(jget error.code <resp.body)" = invalid ] || { echo "$body: $(cat resp.body)" >&2; false; }
	done
	[ "$(uoms-channel list | wc -l)" = 0 ]
	[ "$(call POST /channels '{"name":"c1","kind":"demo"}')" = 201 ]
	code=$(call POST /channels '{"name":"c1","kind":"demo"}')
	[ "$code" = 400 ] || [ "$code" = 422 ]
	[ "$(call PATCH /channels/c1 '{}')" = 400 ]
	[ "$(call PATCH /channels/c1 '{"kind":"shopify"}')" = 400 ]
	[ "$(uoms-channel show c1 | jget kind)" = demo ]
	# Refused while orders reference it, unless forced; the orders stay.
	printf '%s\n' "$(order 1 channel='"c1"')" | uoms-upsert >/dev/null
	code=$(call DELETE /channels/c1)
	[ "$code" = 400 ] || [ "$code" = 422 ]
	[ "$(call DELETE '/channels/c1?force=maybe')" = 400 ]
	[ "$(call DELETE '/channels/c1?force=true')" = 204 ]
	[ "$(uoms-query --channel c1 | wc -l)" = 1 ]
}

@test "a user may read reports but not channels or users; no token is 401" {
	start
	login uma
	for route in "GET /channels" "GET /channels/x" "GET /users" "POST /users/ada/disable"; do
		[ "$(call $route)" = 403 ] || { echo "$route" >&2; false; }
		[ "$(jget error.code <resp.body)" = forbidden ]
	done
	[ "$(call POST /channels '{"name":"c1","kind":"demo"}')" = 403 ]
	[ "$(call PATCH /users/uma '{"role":"admin"}')" = 403 ]
	[ "$(uoms-channel list | wc -l)" = 0 ]
	[ "$(uoms-user list | grep -c '"role":"admin"')" = 1 ]
	[ "$(call GET /reports/status)" = 200 ]
	for TOKEN in "" not.a.token "${TOKEN%.*}.c2lnbmVkIGJ5IG5vIG9uZQ"; do
		for route in "GET /channels" "GET /users" "GET /reports/status"; do
			[ "$(call $route)" = 401 ] || { echo "$route" >&2; false; }
			[ "$(jget error.code <resp.body)" = unauthorized ]
		done
	done
}

@test "users: add, list, change and disable; a disabled user's login is 401 and its tokens stop" {
	start
	login uma
	uma_token=$TOKEN
	login ada
	[ "$(call POST /users '{"name":"kim","role":"user","department":"west","password":"pw-kim"}')" = 201 ]
	[ "$(jget name <resp.body)" = kim ]
	[ "$(jget department <resp.body)" = west ]
	run ! grep -q pw-kim resp.body
	[ "$(call GET /users)" = 200 ]
	[ "$(python3 -c 'import json,sys; print(sorted(u["name"] for u in json.load(sys.stdin)["users"]))' <resp.body)" = "['ada', 'kim', 'uma']" ]
	run ! grep -q 'pw-\|\$2b\$' resp.body
	[ "$(uoms-user list | grep -c '"name":"kim"')" = 1 ]

	[ "$(call PATCH /users/kim '{"department":"north","password":"new-pw"}')" = 200 ]
	[ "$(jget department <resp.body)" = north ]
	[ "$(TOKEN= api POST /auth/login '{"username":"kim","password":"pw-kim"}')" = 401 ]
	[ "$(TOKEN= api POST /auth/login '{"username":"kim","password":"new-pw"}')" = 200 ]
	[ "$(call PATCH /users/kim '{"role":"boss"}')" = 400 ]
	[ "$(call PATCH /users/kim '{"colour":"red"}')" = 400 ]
	[ "$(call PATCH /users/nobody '{"role":"admin"}')" = 404 ]
	[ "$(call POST /users '{"name":"kim"}')" != 201 ]
	[ "$(jget error.code <resp.body)" = invalid ]

	[ "$(call POST /users/uma/disable)" = 200 ]
	[ "$(TOKEN= api POST /auth/login '{"username":"uma","password":"pw-uma"}')" = 401 ]
	[ "$(TOKEN=$uma_token api GET /reports/status)" = 401 ]
	[ "$(call POST /users/nobody/disable)" = 404 ]
}

@test "users: the last admin can be neither disabled nor made a user" {
	start
	login ada
	code=$(call POST /users/ada/disable)
	[ "$code" = 400 ] || [ "$code" = 422 ]
	[ "$(jget error.code <resp.body)" = invalid ]
	[[ "$(jget error.message <resp.body)" == *"last admin"* ]]
	code=$(call PATCH /users/ada '{"role":"user"}')
	[ "$code" = 400 ] || [ "$code" = 422 ]
	[ "$(uoms-user list | grep '"name":"ada"' | jget role)" = admin ]
	[ "$(call GET /users)" = 200 ]
	# With a second admin, the first may go.
	[ "$(call POST /users '{"name":"bob","role":"admin","password":"pw-bob"}')" = 201 ]
	[ "$(call PATCH /users/ada '{"role":"user"}')" = 200 ]
	[ "$(jget role <resp.body)" = user ]
	login bob
	[ "$(call POST /users/bob/disable)" != 200 ]
	[ "$(call POST /users/ada/disable)" = 200 ]
}

@test "reports: json rows, csv and svg, as uoms-report prints them" {
	orders 6 | uoms-upsert >/dev/null
	start
	login uma
	[ "$(call GET /reports/status)" = 200 ]
	[[ "$(resp_header Content-Type)" == application/json* ]]
	uoms-report status --format jsonl >want.jsonl
	python3 -c 'import json,sys
for r in json.load(sys.stdin)["rows"]: print(json.dumps(r, sort_keys=True))' <resp.body >got
	python3 -c 'import json,sys
for l in sys.stdin: print(json.dumps(json.loads(l), sort_keys=True))' <want.jsonl | diff -u - got
	[ "$(wc -l <got)" -ge 2 ]

	[ "$(call GET '/reports/status?format=csv&by=channel')" = 200 ]
	[[ "$(resp_header Content-Type)" == text/csv* ]]
	uoms-report status --format csv --by channel | diff -u - resp.body
	head -1 resp.body | grep -q ,

	[ "$(call GET '/reports/hourly?format=svg&from=2026-11-21&to=2026-11-22&tz=Asia/Seoul')" = 200 ]
	[[ "$(resp_header Content-Type)" == image/svg+xml* ]]
	# The chart as uoms-report draws it, without the XML declaration (it
	# goes inline in a page as it is).
	[ "$(head -c 5 resp.body)" = '<svg ' ]
	uoms-report hourly --format svg --from 2026-11-21 --to 2026-11-22 --tz Asia/Seoul >want.svg
	head -1 want.svg | grep -q '^<?xml '
	sed 1d want.svg | diff -u - resp.body

	[ "$(call GET '/reports/daily?from=2026-11-01&to=2026-12-01&by=channel')" = 200 ]
	[ "$(call GET /reports/range)" = 200 ]
	[ "$(call GET '/reports/metrics?window=1d&from=2026-11-20&to=2026-11-23')" = 200 ]

	[ "$(call GET /reports/nosuch)" = 404 ]
	for q in format=table format=pdf by=colour window=soon tz=Mars/Base from=yesterday to=later; do
		[ "$(call GET "/reports/status?$q")" = 400 ] || { echo "$q" >&2; false; }
		[ "$(jget error.code <resp.body)" = invalid ]
	done
}

@test "reports: concurrent reports in different zones each keep their own zone" {
	orders 4 | uoms-upsert >/dev/null
	uoms-report hourly --format csv --from 2026-11-21 --to 2026-11-22 --tz Asia/Seoul >seoul
	uoms-report hourly --format csv --from 2026-11-21 --to 2026-11-22 --tz America/New_York >ny
	! cmp -s seoul ny || false
	start
	login uma
	pids=()
	for i in 1 2 3 4 5 6; do
		curl -s -H "Authorization: Bearer $TOKEN" -o "s$i" "$SERVE_URL/reports/hourly?format=csv&from=2026-11-21&to=2026-11-22&tz=Asia/Seoul" &
		pids+=($!)
		curl -s -H "Authorization: Bearer $TOKEN" -o "n$i" "$SERVE_URL/reports/hourly?format=csv&from=2026-11-21&to=2026-11-22&tz=America/New_York" &
		pids+=($!)
	done
	wait "${pids[@]}"
	for i in 1 2 3 4 5 6; do
		diff -u seoul "s$i"
		diff -u ny "n$i"
	done
}

@test "metrics: no token needed; orders by status, open holds, a channel's last fetch, and a request counted" {
	orders 3 | uoms-upsert >/dev/null
	uoms-hold set --reason stock_shortage 1 >/dev/null
	uoms-status --to CANCEL 2 >/dev/null
	uoms-channel add demo --kind demo --set clock=2026-11-22T00:00:00Z >/dev/null
	uoms-fetch | uoms-upsert >/dev/null
	start
	login ada
	[ "$(call GET /channels)" = 200 ]
	[ "$(TOKEN= call GET /metrics)" = 200 ]
	[[ "$(resp_header Content-Type)" == "text/plain; version=0.0.4"* ]]
	sql "SELECT status, count(*) FROM orders GROUP BY status ORDER BY status" >want
	[ "$(wc -l <want)" -ge 2 ]
	grep -q '^CANCEL|' want
	sed -n 's/^uoms_orders{status="\(.*\)"} \([0-9]*\)$/\1|\2/p' resp.body | diff -u want -
	grep -qx 'uoms_holds_open 1' resp.body
	grep -q '^# TYPE uoms_orders gauge$' resp.body
	grep -q '^# TYPE uoms_holds_open gauge$' resp.body
	grep -q '^# TYPE uoms_channel_last_fetch_seconds gauge$' resp.body
	at=$(sed -n 's/^uoms_channel_last_fetch_seconds{channel="demo"} //p' resp.body)
	now=$(date +%s)
	[ "$at" -gt $((now - 600)) ] && [ "$at" -le "$now" ]
	# The core's series, with the request made above in them.
	grep '^uoms_http_requests_total{' resp.body | grep 'route="/channels"' | grep 'method="GET"' | grep -q 'status="200"'
	grep -q '^uoms_http_request_seconds_bucket{' resp.body
	grep -q '^uoms_store_busy_retries_total' resp.body
	# A hold resolved is open no more.
	hold=$(uoms-hold list | jget id | head -1)
	uoms-hold resolve --hold "$hold" 1 >/dev/null
	[ "$(TOKEN= call GET /metrics)" = 200 ]
	grep -qx 'uoms_holds_open 0' resp.body
}

@test "metrics: alerts not resolved, by state, both always shown" {
	start
	[ "$(TOKEN= call GET /metrics)" = 200 ]
	grep -q '^# TYPE uoms_alerts gauge$' resp.body
	grep -qx 'uoms_alerts{state="open"} 0' resp.body
	grep -qx 'uoms_alerts{state="acknowledged"} 0' resp.body
	for row in "backlog|open" "fetch_age|open" "late|acknowledged" "rejects|resolved"; do
		sql "INSERT INTO alerts (name, figure, state, value, threshold, opened_at) VALUES ('${row%|*}', '${row%|*}', '${row#*|}', '9', '1', '2026-12-07T00:00:00Z')"
	done
	[ "$(TOKEN= call GET /metrics)" = 200 ]
	grep -qx 'uoms_alerts{state="open"} 2' resp.body
	grep -qx 'uoms_alerts{state="acknowledged"} 1' resp.body
}

@test "openapi: a valid OpenAPI 3.1 document of every route, each one served" {
	start
	login ada
	[ "$(TOKEN= call GET /openapi.json)" = 200 ]
	cp resp.body openapi.json
	# Checked against itself: each operation's parameters are its path's
	# {names}, the security it names is defined, the routes this module
	# serves are in it; then one METHOD PATH per line, params filled in.
	python3 - openapi.json >routes <<'PY'
import json, re, sys
doc = json.load(open(sys.argv[1]))
assert doc["openapi"] == "3.1.0", doc["openapi"]
assert doc["info"]["title"] and doc["info"]["version"]
schemes = doc["components"]["securitySchemes"]
assert schemes["bearerAuth"] == {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}
ops = set()
for path, item in doc["paths"].items():
    assert path.startswith("/"), path
    names = re.findall(r"\{([^}]+)\}", path)
    for method, op in item.items():
        assert method in ("get", "post", "put", "patch", "delete"), method
        assert op["summary"], (path, method)
        got = [p["name"] for p in op.get("parameters", []) if p["in"] == "path"]
        assert got == names, (path, method, got)
        assert all(p["required"] for p in op.get("parameters", []))
        for req in op["security"]:
            for name in req:
                assert name in schemes, name
        assert op["responses"]
        ops.add((method.upper(), path))
        print(method.upper(), re.sub(r"\{[^}]+\}", "999999", path))
for want in [("GET", "/channels"), ("POST", "/channels"), ("GET", "/channels/{name}"),
             ("PATCH", "/channels/{name}"), ("DELETE", "/channels/{name}"), ("GET", "/users"),
             ("POST", "/users"), ("PATCH", "/users/{name}"), ("POST", "/users/{name}/disable"),
             ("GET", "/reports/{name}"), ("GET", "/metrics"), ("GET", "/openapi.json")]:
    assert want in ops, want
# The open routes say so; the others need the bearer token.
for path, item in doc["paths"].items():
    for method, op in item.items():
        if path in ("/metrics", "/openapi.json", "/auth/login"):
            assert op["security"] == [], (path, method)
        if path.startswith("/channels") or path.startswith("/users"):
            assert op["security"] == [{"bearerAuth": []}], (path, method)
PY
	[ "$(wc -l <routes)" -ge 12 ]
	# Every documented route is served: never the core's "no such
	# route" 404 or 405. A stream answers its head, then is cut off.
	n=0
	while read -r method path; do
		code=$(curl -s -m 3 -o resp.body -w '%{http_code}' -X "$method" \
		    -H "Authorization: Bearer $TOKEN" "$SERVE_URL$path" || true)
		[ -n "$code" ] && [ "$code" != 000 ] || { echo "$method $path: no answer" >&2; false; }
		if [ "$code" = 404 ] || [ "$code" = 405 ]; then
			msg=$(jget error.message <resp.body 2>/dev/null || true)
			[[ "$msg" != "no such route"* ]] || { echo "$method $path: $code $msg" >&2; false; }
		fi
		n=$((n + 1))
	done <routes
	[ "$n" = "$(wc -l <routes)" ]
	# And a route that is not in it is the core's "no such route".
	[ "$(call GET /no/such/route)" = 404 ]
	[[ "$(jget error.message <resp.body)" == "no such route"* ]]
	run ! grep -qx 'GET /no/such/route' routes
}

@test "channels added and changed over HTTP are kept while tools write the same store" {
	# A tool that closed the store last used to checkpoint and delete the
	# -wal file under the server (a second worker's store opened in the
	# process freed the first's locks, lib/store.c header_read): the
	# server's later commits were answered 200 and lost.
	start
	login ada
	for i in 1 2 3 4 5; do
		[ "$(call POST /channels "{\"name\":\"web$i\",\"kind\":\"demo\"}")" = 201 ]
		[ "$(call GET /channels)" = 200 ]
		uoms-channel add "cli$i" --kind demo >/dev/null
		[ "$(call PATCH "/channels/web$i" '{"enabled":false}')" = 200 ]
		[ "$(call GET /channels)" = 200 ]
		uoms-channel add "cron$i" --kind demo >/dev/null
	done
	uoms-channel list | jget name | sort >got
	printf '%s\n' cli{1..5} cron{1..5} web{1..5} | sort | diff -u - got
	[ "$(uoms-channel list | grep -c '"enabled":false')" = 5 ]
	[ "$(call GET /channels)" = 200 ]
	[ "$(grep -o '"name":' resp.body | wc -l)" = 15 ]
}
