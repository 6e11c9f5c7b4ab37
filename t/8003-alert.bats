#!/usr/bin/env bats
# uoms-alert (issue 13 item 5): alerts from the rules file's alerts:
# section open once on a threshold, are acknowledged, resolve when the
# figure recovers and open anew on a later breach; a stale channel and
# one failing authentication alert; each change reaches a webhook once
# through uoms-notify --key. The checks run at a clock set by UOMS_NOW,
# ahead of what the tools wrote, so no figure depends on the second.
load helper

export UOMS_SECRET_KEY=00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff
TOKEN=tok-8003-Zq4r

teardown() {
	fake_stop_all
}

# rules YAML: uoms.yaml names a rules file holding YAML (an intake:
# section before it, which alerts ignore); check gives it to uoms-alert.
rules() {
	printf 'rules: rules.yaml\n' >uoms.yaml
	{ printf 'intake:\n  amount_over: 1000000\nalerts:\n'; cat; } >rules.yaml
}

# at MINUTES: the time MINUTES from now, RFC 3339 UTC.
at() {
	date -u -d "+$1 min" +%Y-%m-%dT%H:%M:%SZ
}

# check MINUTES: uoms-alert at the clock MINUTES from now, with uoms.yaml.
check() {
	UOMS_NOW=$(at "$1") uoms-alert -c uoms.yaml "${@:2}"
}

# backlog N [FIRST]: N open orders placed in the past (orders' ids).
backlog() {
	orders "$@" | uoms-upsert >/dev/null
}

@test "an alert opens on a threshold, not again while open, resolves when the figure recovers, and a later breach opens a new one" {
	rules <<'EOF'
  - name: backlog-high
    figure: backlog
    above: 2
EOF
	backlog 2
	run --separate-stderr check 10
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	[ -z "$stderr" ]
	backlog 1 3
	run --separate-stderr check 20
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	[ "$(echo "$output" | wc -l)" = 1 ]
	[ "$(echo "$output" | jget key)" = 1-opened ]
	[ "$(echo "$output" | jget name)" = backlog-high ]
	[ "$(echo "$output" | jget change)" = opened ]
	[ "$(echo "$output" | jget value)" = 3 ]
	[ "$(echo "$output" | jget threshold)" = 2 ]
	[ "$(echo "$output" | jget text)" = ":rotating_light: alert backlog-high opened: backlog is 3 (above 2)" ]
	# still over: nothing new, and one alert in the store
	backlog 1 4
	run --separate-stderr check 30 check
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	[ "$(uoms-alert list | wc -l)" = 1 ]
	[ "$(uoms-alert list | jget value)" = 4 ]
	# the figure recovers: resolved, once
	uoms-status --to CANCEL 1 2 3 >/dev/null
	run --separate-stderr check 40
	[ "$status" -eq 0 ]
	[ "$(echo "$output" | jget key)" = 1-resolved ]
	[ "$(echo "$output" | jget state)" = resolved ]
	[ "$(echo "$output" | jget value)" = 1 ]
	[ -z "$(check 50)" ]
	[ "$(uoms-alert list --state resolved | jget resolved_at)" != null ]
	# a later breach is a new alert
	backlog 2 5
	[ "$(check 60 | jget key)" = 2-opened ]
	[ "$(uoms-alert list | jget state | tr '\n' ' ')" = "resolved open " ]
	[ "$(uoms-alert list --state open | jget id)" = 2 ]
}

@test "checks running at once open an alert once" {
	rules <<'EOF'
  - name: backlog-high
    figure: backlog
    above: 0
EOF
	backlog 1
	pids=()
	for i in 1 2 3 4 5 6; do
		check 1 >out.$i 2>err.$i &
		pids+=($!)
	done
	for p in "${pids[@]}"; do
		wait "$p"
	done
	[ "$(cat err.* | wc -c)" = 0 ]
	[ "$(cat out.* | wc -l)" = 1 ]
	[ "$(uoms-alert list | wc -l)" = 1 ]
}

@test "ack: an open alert is acknowledged once, by the actor with a note; it then resolves as any other" {
	rules <<'EOF'
  - name: late
    figure: late
    above: 0
EOF
	order 1 eta='"2026-11-21T10:00:00Z"' | uoms-upsert >/dev/null
	check 1 >/dev/null
	run --separate-stderr env UOMS_ACTOR=kim uoms-alert ack 1 --note 'on it'
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	[ "$(echo "$output" | jget state)" = acknowledged ]
	[ "$(echo "$output" | jget acknowledged_by)" = kim ]
	[ "$(echo "$output" | jget note)" = "on it" ]
	run --separate-stderr uoms-alert ack 1
	[ "$status" -eq 1 ]
	[ "$stderr" = "uoms-alert: alert 1: invalid: alert 1 is acknowledged, not open" ]
	run --separate-stderr uoms-alert ack 7
	[ "$status" -eq 1 ]
	[ "$stderr" = "uoms-alert: alert 7: not_found: no alert 7" ]
	# acknowledged is still firing: not opened again
	[ -z "$(check 2)" ]
	[ "$(uoms-report metrics --to "$(at 5)" | tail -1 | jget alerts_firing)" = 1 ]
	uoms-status --to CANCEL 1 >/dev/null
	[ "$(check 3 | jget change)" = resolved ]
	[ "$(uoms-alert list | jget state)" = resolved ]
}

@test "a stale channel alerts, per channel, from its last fetch that went to the end; a channel never fetched counts from when it was added" {
	rules <<'EOF'
  - name: stale
    figure: fetch_age
    above: 30
EOF
	uoms-channel add shop --kind demo --set clock=2026-11-22T00:00:00Z >/dev/null
	uoms-channel add idle --kind demo --set clock=2026-11-22T00:00:00Z >/dev/null
	uoms-fetch --channel shop >/dev/null
	[ -z "$(check 20)" ]
	# shop last read to the end 45 minutes ago; idle, never fetched,
	# added a day ago
	sql "UPDATE channel_fetches SET ok_at = '$(at -45)' WHERE channel = 'shop'"
	sql "UPDATE channels SET created_at = '$(at -1440)' WHERE name = 'idle'"
	run --separate-stderr check 0
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	[ "$(echo "$output" | jget subject | tr '\n' ' ')" = "idle shop " ]
	[ "$(echo "$output" | jget value | tr '\n' ' ')" = "1440 45 " ]
	[ "$(echo "$output" | tail -1 | jget text)" = ":rotating_light: alert stale for shop opened: fetch_age is 45 (above 30)" ]
	# shop fetched again: its alert resolves, idle's stays
	uoms-fetch --channel shop >/dev/null
	run --separate-stderr check 1
	[ "$(echo "$output" | jget subject)" = shop ]
	[ "$(echo "$output" | jget change)" = resolved ]
	[ "$(uoms-alert list --state open | jget subject)" = idle ]
	# a channel disabled is no longer watched: its alert resolves
	uoms-channel disable idle >/dev/null
	[ "$(check 2 | jget key)" = 1-resolved ]
}

@test "a channel failing authentication alerts; a fetch that fails keeps the time of the last good one" {
	rules <<'EOF'
  - name: auth
    figure: auth_failed
  - name: stale-good
    figure: fetch_age
    channel: good
    above: 30
EOF
	fake_start jsonl_server.py --token "$TOKEN" --orders 3
	echo "$TOKEN" | uoms-channel add good --kind http-jsonl \
	    --base-url "http://127.0.0.1:$PORT" --set path=/orders --secret token >/dev/null
	echo wrong-token | uoms-channel add bad --kind http-jsonl \
	    --base-url "http://127.0.0.1:$PORT" --set path=/orders --secret token >/dev/null
	run --separate-stderr uoms-fetch
	[ "$status" -ne 0 ]
	[[ "$stderr" == *"channel bad: authentication failed (HTTP 401)"* ]]
	run --separate-stderr check 1
	[ "$status" -eq 0 ]
	[ "$(echo "$output" | jget subject)" = bad ]
	[ "$(echo "$output" | jget name)" = auth ]
	[ "$(sql "SELECT channel, CASE WHEN ok_at IS NULL THEN 'never' ELSE 'ok' END,
	    auth_failed FROM channel_fetches ORDER BY channel")" = "$(printf 'bad|never|1\ngood|ok|0')" ]
	# good's server gone: its fetch fails, its last good fetch stays
	fake_stop_all
	run uoms-fetch --channel good
	[ "$status" -ne 0 ]
	[ "$(sql "SELECT CASE WHEN failed_at IS NULL THEN 'never' ELSE 'failed' END,
	    auth_failed FROM channel_fetches WHERE channel = 'good'")" = "failed|0" ]
	[ "$(check 40 | jget subject)" = good ]
}

@test "a store with alerts copies to a SQLite file, verified row for row (uoms-copy)" {
	rules <<'EOF'
  - name: hold-rate
    figure: hold_rate
    window: 1000d
    above: 12.5
  - name: backlog
    figure: backlog
    above: 2
EOF
	backlog 3
	uoms-hold set --reason other 1 >/dev/null
	# whole numbers too: a float reads 3.0 on SQLite and 3 on PostgreSQL
	[ "$(check 1 | jget value | tr '\n' ' ')" = "33.3 3 " ]
	[ "$(uoms-alert list | jget threshold | tr '\n' ' ')" = "12.5 2 " ]
	run --separate-stderr uoms-copy --quiet "$BATS_TEST_TMPDIR/copy.db"
	echo "$stderr"
	[ "$status" -eq 0 ]
	[ "$(uoms-alert -d "$BATS_TEST_TMPDIR/copy.db" list | jget value | tr '\n' ' ')" = "33.3 3 " ]
}

@test "orders held longer than held_for alert, as a count of orders" {
	rules <<'EOF'
  - name: long-holds
    figure: held_orders
    held_for: 4h
EOF
	backlog 2
	uoms-hold set --reason other 1 2 >/dev/null
	[ -z "$(check 60)" ]
	[ "$(check 300 | jget value)" = 2 ]
	uoms-hold resolve --all 1 >/dev/null
	[ -z "$(check 301)" ]
	[ "$(uoms-alert list | jget value)" = 1 ]
	uoms-hold resolve --all 2 >/dev/null
	[ "$(check 302 | jget change)" = resolved ]
}

@test "uoms-alert | uoms-notify --key key: each change delivered once, however often both run" {
	rules <<'EOF'
  - name: backlog-high
    figure: backlog
    above: 1
EOF
	fake_start webhook_server.py --log req.log
	hook="http://127.0.0.1:$PORT/services/T0KEN-8003"
	backlog 2
	for m in 1 2 3; do
		check "$m" | uoms-notify --webhook "$hook" --key key >/dev/null
	done
	uoms-alert list >list.before
	# the same change offered again (a rerun after a crash) is not sent
	uoms-alert list | python3 -c 'import json, sys
for l in sys.stdin:
    a = json.loads(l); print(json.dumps({"key": "%d-opened" % a["id"], "text": "again"}))' |
	    uoms-notify --webhook "$hook" --key key >/dev/null
	uoms-status --to CANCEL 1 2 >/dev/null
	for m in 4 5; do
		check "$m" | uoms-notify --webhook "$hook" --key key >/dev/null
	done
	[ "$(wc -l <req.log)" = 2 ]
	[ "$(jget body <req.log | jget text | tr '\n' '/')" = ":rotating_light: alert backlog-high opened: backlog is 2 (above 1)/:white_check_mark: alert backlog-high resolved: backlog is 0 (above 1)/" ]
}

@test "no rules file configured: nothing to check; a bad rules file cannot run; usage" {
	run --separate-stderr uoms-alert
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	[ -z "$stderr" ]
	rules <<'EOF'
  - name: x
    figure: weather
EOF
	run --separate-stderr uoms-alert -c uoms.yaml check
	[ "$status" -eq 3 ]
	[[ "$stderr" == "uoms-alert: "*"rules.yaml: line 4: alert 'x': no figure 'weather'"* ]]
	rules <<'EOF'
  - name: x
    figure: backlog
    above: 1
    below: 2
EOF
	run --separate-stderr uoms-alert -c uoms.yaml check
	[ "$status" -eq 3 ]
	[[ "$stderr" == *"alert 'x': above or below, not both" ]]
	run --separate-stderr uoms-alert list --state firing
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"no alert state 'firing'"* ]]
	run --separate-stderr uoms-alert ack
	[ "$status" -eq 2 ]
	run --separate-stderr uoms-alert frobnicate
	[ "$status" -eq 2 ]
}

@test "uoms-alert(1) EXAMPLES run" {
	fake_start webhook_server.py --log req.log
	export HOOK="http://127.0.0.1:$PORT/services/T0KEN-8003"
	man_examples uoms-alert.1
	for f in $(ls ex*.sh | sort -V); do
		echo "== $f"
		cat "$f"
		sh -e "$f" </dev/null >"$f.out"
		cat "$f.out"
	done
	# opened once, delivered once, acknowledged
	[ "$(jget state <ex2.sh.out)" = sent ]
	[ "$(wc -l <req.log)" = 1 ]
	[ "$(jget body <req.log | jget text)" = ":rotating_light: alert backlog opened: backlog is 1 (above 0)" ]
	[ "$(jget state <ex3.sh.out | tr '\n' ' ')" = "open acknowledged " ]
}

@test "the shipped sample's alerts: section is valid; on an empty store only no-orders fires" {
	f=$SRC/etc/rules.yaml
	grep -q '^alerts:' "$f"
	cp "$f" rules.yaml
	printf 'rules: rules.yaml\n' >uoms.yaml
	run --separate-stderr uoms-alert -c uoms.yaml
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	[ "$(echo "$output" | jget name)" = no-orders ]
}
