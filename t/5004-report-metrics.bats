#!/usr/bin/env bats
# uoms-report metrics: per window, orders in, paid, shipped, holds placed
# and the hold rate, p50/p95 delay from placed to shipped (event log),
# backlog and late orders at each window's end, refused lines, alerts
# by state. The store: t/data/report-fixture.sh (its header has the
# moves and their times); expected figures: t/data/report-metrics-*.
load helper
source "$BATS_TEST_DIRNAME/data/report-fixture.sh"

setup_file() {
	report_build
}

@test "metrics per day, in UTC: each format" {
	report_store
	report_all report-metrics-1d window metrics --from 2025-03-10 \
	    --to 2025-03-13 --window 1d
}

@test "metrics per day in Asia/Seoul: windows start at local midnight" {
	report_store
	report_all report-metrics-1d-seoul window metrics --from 2025-03-10 \
	    --to 2025-03-13 --window 1d --tz Asia/Seoul
}

@test "a window boundary: a time on it is in the window it starts; --to is exclusive" {
	report_store
	# order 4 placed at 02:00:00 exactly; order 2 shipped 01:30; the
	# hold on order 4 at 03:00:00 is past --to
	report_all report-metrics-1h window metrics --from 2025-03-11T01:00:00Z \
	    --to 2025-03-11T03:00:00Z --window 1h
	run --separate-stderr uoms-report metrics --from 2025-03-11T01:00:00Z \
	    --to 2025-03-11T03:00:01Z --window 1h
	[ "$(echo "${lines[2]}" | jget holds)" = 1 ]
	[ "$(echo "${lines[2]}" | jget window_end)" = 2025-03-11T03:00:01Z ]
}

@test "windows of 5 minutes: the delay is the nearest rank of those shipped in each" {
	report_store
	# three more orders shipped within one window, 1h, 3h and 5h after
	# being placed
	for i in 7 8 9; do
		order "$i" placed_at="\"2025-03-12T0$((2 * i - 13)):00:00Z\""
	done | uoms-upsert >/dev/null
	uoms-status --to IN_PROGRESS 7 8 9 >/dev/null
	sql "UPDATE events SET at = '2025-03-12T06:01:00Z' WHERE type = 'status'
	    AND order_id IN (7, 8, 9)"
	sql "UPDATE orders SET depart_time = '2025-03-12T06:01:00Z' WHERE id IN (7, 8, 9)"
	run --separate-stderr uoms-report metrics --from 2025-03-12T06:00:00Z \
	    --to 2025-03-12T06:10:00Z --window 5m
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 3 ]
	# delays 18060 (5h01m), 10860, 3660 s: p50 is the 2nd, p95 the 3rd
	[ "$(echo "${lines[0]}" | jget shipped)" = 3 ]
	[ "$(echo "${lines[0]}" | jget p50_delay)" = 10860 ]
	[ "$(echo "${lines[0]}" | jget p95_delay)" = 18060 ]
	[ "$(echo "${lines[1]}" | jget shipped)" = 0 ]
	[ "$(echo "${lines[1]}" | jget p50_delay)" = null ]
}

@test "metrics --format svg: lines with a mark per window and figure" {
	report_store
	uoms-report metrics --from 2025-03-10 --to 2025-03-13 --window 1d \
	    --format svg >m.svg
	report_check svg 9 m.svg
	grep -q '<polyline' m.svg
}

@test "metrics without a range: the day before now, in windows of an hour" {
	report_store
	run --separate-stderr uoms-report metrics
	[ "$status" -eq 0 ]
	printf '%s\n' "$output" | python3 -c '
import datetime, json, sys
rows = [json.loads(l) for l in sys.stdin]
assert rows[-1]["totals"] and len(rows) - 1 in (24, 25), len(rows)
now = datetime.datetime.now(datetime.timezone.utc)
end = datetime.datetime.fromisoformat(rows[-2]["window_end"].replace("Z", "+00:00"))
assert abs((now - end).total_seconds()) < 120, end
first = datetime.datetime.fromisoformat(rows[0]["window"].replace("Z", "+00:00"))
assert first.minute == 0 and first.second == 0, first
'
}

@test "too many windows is a usage error" {
	report_store
	run --separate-stderr uoms-report metrics --from 2025-01-01 --to 2026-01-01 \
	    --window 1m
	[ "$status" -eq 2 ]
	[[ "$stderr" == "uoms-report: --window: 525600 windows"* ]]
}
