#!/usr/bin/env bats
# The dashboard at / (issue 12 item 7): share/uoms/www/ in a headless
# Chromium driven over its DevTools protocol (t/cdp.py): sign in, the
# status board's counts, live changes, the order list, an order moved one
# step, the conflict when it was changed behind the page's back (a 412,
# the new state, a retry), the forms' locks and another person's lock,
# a lock renewed while its form is open (at a third of lock_ttl), a
# remark, a hold acknowledged and resolved and a driver assigned from the
# page, an overridden workflow's own buttons (GET /workflows/{name}), and
# a phone's width (375 px) with no sideways scrolling.
# Screenshots are kept in the test's folder (shots/) and copied to
# build/artefacts/6009/ when UOMS_ARTEFACTS is set. SQLite only: the
# routes the page calls are tested on both engines (t/6001-6008, 6011).

load helper

# A key of the test's own: a PostgreSQL store has no folder for the
# server to make one in.
setup_file() {
	export UOMS_JWT_KEY=test-key-6009-0123456789abcdef0123456789
}

teardown() {
	# A failed test shows what the page logged, where it was and the
	# server's last lines (CI prints only what the run printed), and
	# keeps a screenshot.
	if [ -z "${BATS_TEST_COMPLETED:-}" ] && [ -f browser/pid ]; then
		echo "# the page: $(cdp eval 'location.href' 2>&1)"
		cdp console 2>&1 | sed 's/^/# console: /'
		shot failed 2>&1 || true
		[ -f serve.log ] && tail -n 20 serve.log | sed 's/^/# serve.log: /'
	fi
	if [ -n "${UOMS_ARTEFACTS:-}" ] && [ -d shots ]; then
		mkdir -p "$SRC/build/artefacts/6009"
		cp shots/*.png "$SRC/build/artefacts/6009/" 2>/dev/null || true
	fi
	[ -f browser/pid ] && cdp stop
	serve_stop
}

# cdp COMMAND [ARG...]: t/cdp.py on this test's browser.
cdp() {
	python3 "$SRC/t/cdp.py" "$BATS_TEST_TMPDIR/browser" "$@"
}

# page_wait JS [SECONDS]: until JS is true in the page.
page_wait() {
	cdp wait "$@"
}

# shot NAME [W H]: a screenshot kept as shots/NAME.png.
shot() {
	mkdir -p shots
	cdp shot "shots/$BATS_TEST_NUMBER-$1.png" "${@:2}"
}

# dash_serve: the server with the dashboard; skips (saying which) when a
# route the page needs is not served on this branch yet.
dash_serve() {
	local path code
	serve_start
	for path in /auth/login:h-auth /reports/status:h-admin /orders:h-orders \
	    /orders/1/locks:h-parts /events/stream:h-events; do
		code=$(TOKEN= api GET "${path%%:*}")
		if [ "$code" = 404 ] && grep -q '"no such route' resp.body; then
			skip "GET ${path%%:*} is not served here yet (branch ${path#*:} not merged)"
		fi
	done
}

# fixture: users dash (admin) and kim (user, west); orders 1-6 (odd west,
# even east), 2 and 4 IN_PROGRESS, 5 cancelled.
fixture() {
	serve_user dash admin
	export UOMS_ACTOR=dash
	serve_user kim user west
	orders 6 | uoms-upsert >/dev/null
	uoms-status --to IN_PROGRESS 2 4 >/dev/null
	uoms-status --to CANCEL 5 >/dev/null
}

# browser_login NAME: a fresh page, signed in as NAME, the board shown.
browser_login() {
	command -v "${UOMS_CHROMIUM:-chromium}" >/dev/null ||
	    skip "no chromium (DEPS_TEST: make deps installs it)"
	cdp start
	cdp goto "$SERVE_URL/"
	page_wait "!document.getElementById('login-view').hidden"
	cdp type '#login-user' "$1"
	cdp type '#login-pass' "pw-$1"
	cdp click '#login-submit'
	page_wait "document.querySelector('#board td[data-status]')"
}

# board_json: the page's board as {"dept": {"STATUS": n, ...}, ...}, the
# totals row under "*", sorted, one line.
board_json() {
	cdp eval "(function(){var b={};document.querySelectorAll('#board tbody tr').forEach(function(tr){var r={};tr.querySelectorAll('td').forEach(function(td){if(td.dataset.status!=='*')r[td.dataset.status]=Number(td.textContent)});b[tr.dataset.dept]=r});return b})()" |
	    python3 -c 'import json,sys; print(json.dumps(json.load(sys.stdin), sort_keys=True))'
}

# report_json: uoms-report status in the same shape, from the store.
report_json() {
	uoms-report status --format jsonl | python3 -c '
import json, sys
b = {}
for line in sys.stdin:
    r = json.loads(line)
    b["*" if r.get("totals") else (r["department"] or "")] = r["statuses"]
print(json.dumps(b, sort_keys=True))'
}

# no_locks ID: order ID has no lock (asked as TOKEN's user).
no_locks() {
	[ "$(api GET "/orders/$1/locks")" = 200 ] && [ "$(jget locks <resp.body)" = '[]' ]
}

status_of() {
	uoms-query --id "$1" | jget status
}

@test "the page and its files are served under the strict policy, with nothing inline and nothing from elsewhere" {
	# What the policy would block in a browser, looked for in the files
	# themselves: inline script, style attributes or elements, event
	# handler attributes, javascript: URLs, anything fetched from
	# another origin.
	run grep -nE '<script>|<script [^>]*>[^<]|<style|style=|[[:space:]]on[a-z]+=|javascript:|(src|href)="(https?:)?//' \
	    "$SRC/share/uoms/www/index.html"
	[ "$status" = 1 ]
	run grep -nE 'https?://|innerHTML|document\.write|eval\(|new Function' \
	    "$SRC/share/uoms/www/app.js" "$SRC/share/uoms/www/style.css"
	[ "$status" = 1 ]
	grep -q '<meta charset="utf-8">' "$SRC/share/uoms/www/index.html"
	grep -q 'Noto Sans CJK KR' "$SRC/share/uoms/www/style.css"
	grep -q 'Apple SD Gothic Neo' "$SRC/share/uoms/www/style.css"
	grep -q 'Malgun Gothic' "$SRC/share/uoms/www/style.css"

	fixture
	dash_serve
	TOKEN=
	[ "$(api GET /)" = 200 ]
	cmp resp.body "$SRC/share/uoms/www/index.html"
	resp_header Content-Type | grep -qi '^text/html'
	resp_header Content-Security-Policy | grep -q "script-src 'self'"
	resp_header Content-Security-Policy | grep -q "style-src 'self'"
	# Every file the page names is served, byte for byte.
	for f in app.js style.css; do
		grep -q "/static/$f" "$SRC/share/uoms/www/index.html"
		[ "$(api GET "/static/$f")" = 200 ]
		cmp resp.body "$SRC/share/uoms/www/$f"
	done
}

@test "sign in, the board's counts are uoms-report's, the chart is drawn, the board follows the store live, the list filters" {
	fixture
	dash_serve
	command -v "${UOMS_CHROMIUM:-chromium}" >/dev/null ||
	    skip "no chromium (DEPS_TEST: make deps installs it)"
	cdp start
	cdp goto "$SERVE_URL/"
	page_wait "!document.getElementById('login-view').hidden"
	# A wrong password is said, and nothing else is shown.
	cdp type '#login-user' dash
	cdp type '#login-pass' wrong
	cdp click '#login-submit'
	page_wait "!document.getElementById('login-error').hidden"
	run cdp text '#login-error'
	[[ "$output" == *"Wrong user name or password"* ]]
	[ "$(cdp eval "document.getElementById('app-view').hidden")" = true ]
	shot login-refused

	cdp type '#login-pass' pw-dash
	cdp click '#login-submit'
	page_wait "document.querySelector('#board td[data-status]')"
	[[ "$(cdp text '#who-name')" == "dash (admin)"* ]]
	# The token is in this tab's sessionStorage, not in a cookie.
	[ "$(cdp eval "!!sessionStorage.getItem('uoms.tokens') && document.cookie === ''")" = true ]

	# The board: uoms-report's counts, cell for cell.
	report_json >want
	board_json >got
	diff want got
	grep -qF '"east": {"CANCEL": 0, "IN_PROGRESS": 2, "WAITING": 1}' got
	# The hourly chart: the report's SVG, drawn as an image.
	page_wait "document.getElementById('hourly').naturalWidth > 0"
	[[ "$(cdp eval "document.getElementById('hourly').src")" == '"data:image/svg+xml'* ]]
	shot board

	# Live: a change from the shell reaches the board without a reload.
	cdp eval "window.notReloaded = true" >/dev/null
	uoms-status --to IN_PROGRESS 6 >/dev/null
	page_wait "document.querySelector('#board tr[data-dept=east] td[data-status=IN_PROGRESS]').textContent === '3'"
	[ "$(cdp eval "window.notReloaded === true")" = true ]
	report_json >want
	board_json >got
	diff want got
	# So does a new order.
	orders 1 7 | uoms-upsert >/dev/null
	page_wait "document.querySelector('#orders tr[data-id=\"7\"]')"

	# The list: every order, newest first, those on hold marked; the
	# filters narrow it.
	[ "$(cdp eval "[].map.call(document.querySelectorAll('#orders tbody tr'), function(r){return r.dataset.id}).join(' ')")" = '"7 6 5 4 3 2 1"' ]
	uoms-hold set --reason missing_info --note '주소 확인' 1 >/dev/null
	page_wait "document.querySelector('#orders tr[data-id=\"1\"] .held')"
	[ "$(cdp eval "document.querySelectorAll('#orders .held').length")" = 1 ]
	cdp eval "document.getElementById('f-on-hold').value='true'" >/dev/null
	cdp click '#f-apply'
	page_wait "[].map.call(document.querySelectorAll('#orders tbody tr'), function(r){return r.dataset.id}).join(' ') === '1'"
	cdp eval "document.getElementById('f-on-hold').value=''" >/dev/null
	cdp type '#f-department' west
	cdp type '#f-status' WAITING
	cdp click '#f-apply'
	page_wait "[].map.call(document.querySelectorAll('#orders tbody tr'), function(r){return r.dataset.id}).join(' ') === '7 3 1'"
	shot list-filtered
	shot list-phone 375 812
	# A phone's width: nothing wider than the screen but the tables'
	# own scrolling boxes.
	[ "$(cdp size 375 812 "document.documentElement.scrollWidth <= 375")" = true ]
	run cdp console
	[ -z "$output" ]

	# An access token refused (401) is refreshed once, quietly: the page
	# reloaded with a broken one still shows the board, on new tokens.
	cdp eval "var t=JSON.parse(sessionStorage.getItem('uoms.tokens'));window.name=t.refresh;sessionStorage.setItem('uoms.tokens',JSON.stringify({access:'broken',refresh:t.refresh}))" >/dev/null
	cdp goto "$SERVE_URL/"
	page_wait "document.querySelector('#board td[data-status]')"
	[ "$(cdp eval "var t=JSON.parse(sessionStorage.getItem('uoms.tokens'));t.access!=='broken'&&t.refresh!==window.name")" = true ]
	[ "$(cdp eval "document.getElementById('login-view').hidden")" = true ]
}

@test "an order: moved one step with If-Match; changed behind its back, the page says so, shows the new state and retries" {
	fixture
	dash_serve
	browser_login dash
	cdp click '#orders tr[data-id="1"] a'
	page_wait "document.getElementById('o-status').dataset.status === 'WAITING'"
	# Items, the customer's Korean name, the events.
	[[ "$(cdp text '#o-fields')" == *김철수* ]]
	[[ "$(cdp text '#o-items')" == *SKU-1* ]]
	[[ "$(cdp text '#o-events')" == *created* ]]
	# Only what dispatch allows from WAITING.
	[ "$(cdp eval "[].map.call(document.querySelectorAll('#o-actions [data-action]'), function(b){return b.dataset.action}).join(' ')")" = '"depart cancel"' ]
	shot order

	cdp click '#o-actions [data-action=depart]'
	page_wait "document.getElementById('o-status').dataset.status === 'IN_PROGRESS'"
	[ "$(status_of 1)" = IN_PROGRESS ]
	[ "$(uoms-query --id 1 | jget version)" = 2 ]
	uoms-events --order 1 | tail -1 | jget actor | grep -qx dash
	grep -q 'POST /orders/1/actions/depart' serve.log

	# Behind its back: the store moves it on from the shell.
	uoms-status --to COMPLETE 1 >/dev/null
	# The page hears of it at once (the event stream)...
	page_wait "!document.getElementById('o-stale').hidden"
	# ...but still sends what the person saw: version 2, refused.
	cdp click '#o-actions [data-action=cancel]'
	page_wait "!document.getElementById('o-conflict').hidden"
	[[ "$(cdp text '#o-conflict-text')" == *"Someone else changed this order"* ]]
	page_wait "document.getElementById('o-status').dataset.status === 'COMPLETE'"
	# Cancel is not possible from COMPLETE: no retry offered.
	[ "$(cdp eval "document.getElementById('o-retry').hidden")" = true ]
	[ "$(status_of 1)" = COMPLETE ]
	[ "$(uoms-query --id 1 | jget version)" = 3 ]
	shot conflict

	# A change the new state still allows: Retry sends it again.
	cdp goto "$SERVE_URL/#/orders/3"
	page_wait "document.getElementById('o-status').dataset.status === 'WAITING'"
	uoms-edit --set warehouse=icn-9 3 >/dev/null
	cdp click '#o-actions [data-action=depart]'
	page_wait "!document.getElementById('o-conflict').hidden"
	[ "$(status_of 3)" = WAITING ]
	[[ "$(cdp text '#o-fields')" == *icn-9* ]]
	cdp click '#o-retry'
	page_wait "document.getElementById('o-status').dataset.status === 'IN_PROGRESS'"
	page_wait "document.getElementById('o-conflict').hidden"
	[ "$(status_of 3)" = IN_PROGRESS ]
	[ "$(uoms-query --id 3 | jget warehouse)" = icn-9 ]
	shot retried
	run cdp console
	[ -z "$output" ]
}

@test "the edit form holds the order's EDIT lock while open; another person's lock shows live and disables the buttons" {
	fixture
	dash_serve
	browser_login dash
	cdp goto "$SERVE_URL/#/orders/3"
	page_wait "document.getElementById('o-status').dataset.status === 'WAITING'"

	# Opening the form takes the lock; closing it lets go.
	cdp click '#o-edit-open'
	page_wait "!document.getElementById('o-edit').hidden"
	login kim
	[ "$(api GET /orders/3/locks)" = 200 ]
	[ "$(jget 'locks[0].owner' <resp.body)" = dash ]
	[ "$(jget 'locks[0].type' <resp.body)" = EDIT ]
	# While the page holds it, kim can't change the order.
	[ "$(api POST /orders/3/locks '{"type":"EDIT"}')" = 423 ]
	# Saving goes through the lock and closes the form.
	cdp type '#e-warehouse' 'icn-7'
	cdp click '#e-save'
	page_wait "document.getElementById('o-edit').hidden"
	[ "$(uoms-query --id 3 | jget warehouse)" = icn-7 ]
	# The form is closed before its lock's release is answered.
	wait_for no_locks 3

	# Kim opens it elsewhere: the page says so within its poll and
	# disables every change.
	[ "$(api POST /orders/3/locks '{"type":"EDIT"}')" = 201 ]
	page_wait "!document.getElementById('o-lock').hidden"
	[[ "$(cdp text '#o-lock')" == *"Being edited by kim"* ]]
	[ "$(cdp eval "[].every.call(document.querySelectorAll('#order-view button.change'), function(b){return b.disabled})")" = true ]
	shot locked-by-kim
	shot locked-by-kim-phone 375 812
	# Kim lets go: the buttons come back.
	[ "$(api DELETE /orders/3/locks/EDIT)" = 204 ]
	page_wait "document.getElementById('o-lock').hidden"
	page_wait "!document.querySelector('#o-actions [data-action=depart]').disabled"
	run cdp console
	[ -z "$output" ]

	# Leaving the page with the form open lets go of the lock at once,
	# not at its expiry.
	cdp click '#o-edit-open'
	page_wait "!document.getElementById('o-edit').hidden"
	[ "$(api GET /orders/3/locks)" = 200 ]
	[ "$(jget 'locks[0].owner' <resp.body)" = dash ]
	cdp goto "$SERVE_URL/"
	wait_for no_locks 3
}

# lock_expiry ID: the expires_at of order ID's one lock (asked as TOKEN's
# user), empty when it has none.
lock_expiry() {
	[ "$(api GET "/orders/$1/locks")" = 200 ] || return 1
	jget 'locks[0].expires_at' <resp.body | sed 's/^None$//'
}

# lock_renewed_past ID T SECONDS: order ID's lock, still held by dash,
# now expires at least SECONDS after T (so T has passed while it was
# renewed, never let lapse).
lock_renewed_past() {
	local now
	now=$(lock_expiry "$1") && [ -n "$now" ] || return 1
	[ "$(jget 'locks[0].owner' <resp.body)" = dash ] || return 1
	python3 - "$2" "$now" "$3" <<'PY'
import datetime, sys
t = lambda s: datetime.datetime.fromisoformat(s.replace("Z", "+00:00"))
sys.exit(0 if (t(sys.argv[2]) - t(sys.argv[1])).total_seconds() >= float(sys.argv[3]) else 1)
PY
}

# phone_fits: at a phone's width (375 x 812) the page scrolls only down,
# never sideways.
phone_fits() {
	[ "$(cdp size 375 812 "document.documentElement.scrollWidth <= window.innerWidth && window.innerWidth === 375")" = true ]
}

# override_dispatch: the configuration's own dispatch.yaml (SPEC 6): a
# HELD state reached by 'hold-back' (admins only), left by 'release', and
# a step to IN_PROGRESS with no action name; ISSUE gone.
override_dispatch() {
	mkdir -p etc/workflows
	cat >etc/workflows/dispatch.yaml <<'YAML'
name: dispatch
initial: WAITING
states:
  WAITING:     { clear: [depart_time, complete_time], assign: true }
  HELD:        {}
  IN_PROGRESS: { set: [depart_time], ships: true }
  COMPLETE:    { set: [complete_time], terminal: true }
  CANCEL:      { clear: [depart_time, complete_time], terminal: true }
transitions:
  - { from: WAITING, to: IN_PROGRESS, action: depart }
  - { from: WAITING, to: HELD, action: hold-back, roles: [admin] }
  - { from: HELD, to: WAITING, action: release }
  - { from: HELD, to: IN_PROGRESS }
  - { from: IN_PROGRESS, to: COMPLETE, action: complete }
  - { from: [WAITING, HELD, IN_PROGRESS], to: CANCEL, action: cancel }
YAML
	touch etc/uoms.yaml
	export UOMS_CONFIG=$PWD/etc/uoms.yaml
}

# buttons: the open order's step buttons, as "action>to" each, in order.
buttons() {
	cdp eval "[].map.call(document.querySelectorAll('#o-actions button[data-to]'), function(b){return (b.dataset.action||'')+'>'+b.dataset.to}).join(' ')"
}

@test "an open form's lock is renewed a third of the way through the configured lock_ttl, outlives it, and is let go when the form closes" {
	mkdir -p etc
	printf 'lock_ttl: 6\n' >etc/uoms.yaml
	export UOMS_CONFIG=$PWD/etc/uoms.yaml
	fixture
	dash_serve
	browser_login dash
	cdp goto "$SERVE_URL/#/orders/3"
	page_wait "document.getElementById('o-status').dataset.status === 'WAITING'"
	cdp click '#o-edit-open'
	page_wait "!document.getElementById('o-edit').hidden"
	login kim
	first=$(lock_expiry 3)
	[ -n "$first" ]
	[ "$(jget 'locks[0].type' <resp.body)" = EDIT ]
	# The lock's life is lock_ttl (6 s), not the page's own idea of it.
	python3 -c 'import datetime,sys; t=datetime.datetime.fromisoformat(sys.argv[1].replace("Z","+00:00")); d=(t-datetime.datetime.now(datetime.timezone.utc)).total_seconds(); sys.exit(0 if 0 < d <= 6.5 else 1)' "$first"
	# Renewed while open: expires_at moves forward, and the lock is
	# still dash's 6 s after it first would have lapsed (renewed every
	# 2 s or so: a slow browser has 4 s to spare).
	wait_for -t 30 lock_renewed_past 3 "$first" 6
	[ "$(cdp eval "document.getElementById('o-edit').hidden || !document.getElementById('o-error').hidden")" = false ]
	# Kim still can't take it.
	[ "$(api POST /orders/3/locks '{"type":"EDIT"}')" = 423 ]
	shot lock-renewed
	# Closing the form lets go at once, and the renewals stop.
	cdp click '#e-cancel'
	page_wait "document.getElementById('o-edit').hidden"
	wait_for no_locks 3
	[ "$(api POST /orders/3/locks '{"type":"EDIT"}')" = 201 ]
	run cdp console
	[ -z "$output" ]
}

@test "from the page: a remark added, a hold placed, acknowledged and resolved, a driver assigned, each through its lock" {
	fixture
	dash_serve
	browser_login dash
	cdp goto "$SERVE_URL/#/orders/1"
	page_wait "document.getElementById('o-status').dataset.status === 'WAITING'"

	# A remark, in Korean, through the REMARK lock.
	cdp click '#o-remark-open'
	page_wait "!document.getElementById('o-remark').hidden"
	login kim
	[ "$(api GET /orders/1/locks)" = 200 ]
	[ "$(jget 'locks[0].type' <resp.body)" = REMARK ]
	cdp type '#r-text' '문 앞에 두고 벨 눌러 주세요'
	cdp click '#r-save'
	page_wait "document.getElementById('o-remark').hidden"
	page_wait "document.getElementById('o-remarks').textContent.indexOf('문 앞에 두고 벨 눌러 주세요') >= 0"
	[ "$(api GET /orders/1/remarks)" = 200 ]
	[ "$(jget 'remarks[0].text' <resp.body)" = '문 앞에 두고 벨 눌러 주세요' ]
	[ "$(jget 'remarks[0].author' <resp.body)" = dash ]
	wait_for no_locks 1

	# A hold placed from the page, acknowledged, then resolved.
	cdp eval "document.getElementById('h-reason').value='missing_info'" >/dev/null
	cdp type '#h-note' '주소 확인 필요'
	cdp click '#h-add'
	page_wait "document.querySelector('#o-holds li.open [data-hold-action=ack]')"
	[ "$(uoms-query --id 1 | jget 'holds[0].state')" = open ]
	[ "$(uoms-query --id 1 | jget 'holds[0].reason')" = missing_info ]
	[ "$(uoms-query --id 1 | jget 'holds[0].note')" = '주소 확인 필요' ]
	shot hold-open
	cdp click '#o-holds [data-hold-action=ack]'
	page_wait "document.querySelector('#o-holds li.acknowledged [data-hold-action=resolve]')"
	[ "$(uoms-query --id 1 | jget 'holds[0].state')" = acknowledged ]
	[ "$(cdp eval "!!document.querySelector('#o-holds [data-hold-action=ack]')")" = false ]
	cdp click '#o-holds [data-hold-action=resolve]'
	# A resolved hold is no longer the order's: the page shows none.
	page_wait "!document.querySelector('#o-holds li[data-hold]')"
	[ "$(uoms-query --id 1 | jget holds)" = '[]' ]
	uoms-hold list --state resolved >got
	[ "$(jget reason <got)" = missing_info ]
	[ "$(jget order_id <got)" = 1 ]
	uoms-events --order 1 | python3 -c 'import json,sys; print(" ".join(e["type"] for e in map(json.loads, sys.stdin) if e["type"].startswith("hold")))' >got
	grep -q 'hold.*hold.*hold' got

	# A driver assigned through the ASSIGN lock.
	cdp click '#o-assign-open'
	page_wait "!document.getElementById('o-assign').hidden"
	[ "$(api GET /orders/1/locks)" = 200 ]
	[ "$(jget 'locks[0].type' <resp.body)" = ASSIGN ]
	cdp type '#a-name' '박기사'
	cdp type '#a-phone' '010-2222-3333'
	cdp click '#a-save'
	page_wait "document.getElementById('o-assign').hidden"
	page_wait "document.getElementById('o-fields').textContent.indexOf('박기사') >= 0"
	[ "$(uoms-query --id 1 | jget driver.name)" = '박기사' ]
	[ "$(uoms-query --id 1 | jget driver.phone)" = '010-2222-3333' ]
	uoms-events --order 1 | tail -1 | jget actor | grep -qx dash
	wait_for no_locks 1
	shot worked
	run cdp console
	[ -z "$output" ]
}

@test "an overridden workflow's steps are the buttons, for the person's role; a step without an action is a move" {
	override_dispatch
	fixture
	dash_serve
	browser_login dash
	cdp goto "$SERVE_URL/#/orders/1"
	page_wait "document.getElementById('o-status').dataset.status === 'WAITING'"
	[ "$(buttons)" = '"depart>IN_PROGRESS hold-back>HELD cancel>CANCEL"' ]
	shot override-buttons
	cdp click '#o-actions [data-action=hold-back]'
	page_wait "document.getElementById('o-status').dataset.status === 'HELD'"
	[ "$(status_of 1)" = HELD ]
	page_wait "document.querySelectorAll('#o-actions button[data-to]').length === 3"
	[ "$(buttons)" = '"release>WAITING >IN_PROGRESS cancel>CANCEL"' ]
	# HELD is not a state a driver is assigned in: no assign form.
	[ "$(cdp eval "document.getElementById('o-assign-open').hidden")" = true ]
	# The step with no action name is sent as a move to its state.
	cdp click '#o-actions button[data-to=IN_PROGRESS]:not([data-action])'
	page_wait "document.getElementById('o-status').dataset.status === 'IN_PROGRESS'"
	grep -q 'POST /orders/1/status' serve.log
	[ "$(buttons)" = '"complete>COMPLETE cancel>CANCEL"' ]
	run cdp console
	[ -z "$output" ]
	cdp stop

	# Kim, a user: the admins' step is not offered.
	browser_login kim
	cdp goto "$SERVE_URL/#/orders/3"
	page_wait "document.getElementById('o-status').dataset.status === 'WAITING'"
	[ "$(buttons)" = '"depart>IN_PROGRESS cancel>CANCEL"' ]
	[ "$(cdp eval "document.getElementById('o-assign-open').hidden")" = false ]
	shot override-user
}

@test "a phone's width (375 px): the board, the list and a full order page scroll only down" {
	fixture
	uoms-remark add 1 '아주 긴 메모: 배송 기사님께서는 건물 뒤편 주차장 입구를 이용하시고 경비실에 먼저 말씀해 주세요' >/dev/null
	uoms-hold set --reason address_invalid --note '주소가 건물 이름만 있음: 동·호수 확인 필요' 1 >/dev/null
	uoms-assign --driver '김운전' --phone 010-9999-0000 1 >/dev/null
	dash_serve
	browser_login dash
	page_wait "document.querySelectorAll('#orders tbody tr').length === 6"
	phone_fits
	shot board-phone 375 812
	cdp eval "window.scrollTo(0, document.getElementById('orders').getBoundingClientRect().top)" >/dev/null
	shot list-phone 375 812
	cdp goto "$SERVE_URL/#/orders/1"
	page_wait "document.getElementById('o-remarks').textContent.indexOf('아주 긴 메모') >= 0"
	page_wait "document.querySelector('#o-holds li.open')"
	cdp click '#o-edit-open'
	page_wait "!document.getElementById('o-edit').hidden"
	phone_fits
	shot order-phone 375 812
	cdp click '#e-cancel'
	page_wait "document.getElementById('o-edit').hidden"
	run cdp console
	[ -z "$output" ]
}
