#!/usr/bin/env bats
# uoms-report and time: hours and days are local to --tz (default: the
# configuration's tz), stored times are UTC; DST days have 23 or 25
# hours; --from/--to dates are local midnights, --to exclusive; range.
load helper
source "$BATS_TEST_DIRNAME/data/report-fixture.sh"

setup_file() {
	report_build
}

# dst: orders around New York's 2025 DST changes (t/data/report-dst.jsonl):
#   ext  placed (UTC)       New York
#   101  2025-03-09 06:30   01:30 EST   (DST starts 07:00Z: 02:00 -> 03:00)
#   102  2025-03-09 07:30   03:30 EDT
#   103  2025-11-02 04:30   00:30 EDT
#   104  2025-11-02 05:30   01:30 EDT   (DST ends 06:00Z: 02:00 -> 01:00)
#   105  2025-11-02 06:30   01:30 EST
#   106  2025-11-03 04:30   23:30 EST on 11-02
#   107  2025-11-03 05:30   00:30 EST on 11-03
dst() {
	uoms-upsert "$SRC/t/data/report-dst.jsonl" >/dev/null
}

# hours: the jsonl of hourly, as "HOUR:ORDERS" for hours with orders.
hours() {
	python3 -c '
import json, sys
print(" ".join("%s:%d" % (r["hour"] if r["hour"] is not None else "total", r["orders"])
               for r in map(json.loads, sys.stdin) if r["orders"]))'
}

@test "hourly in UTC: every hour of the day, each format" {
	report_store
	report_all report-hourly-utc hour hourly
}

@test "hourly --tz Asia/Seoul: the same orders nine hours on" {
	report_store
	report_all report-hourly-seoul hour hourly --tz Asia/Seoul
}

@test "the zone comes from the configuration when --tz is not given" {
	report_store
	printf 'tz: Asia/Seoul\n' >uoms.yaml
	uoms-report -c uoms.yaml hourly >got
	report_check jsonl "$SRC/t/data/report-hourly-seoul.jsonl" got
	# --tz beats it
	uoms-report -c uoms.yaml hourly --tz UTC >got
	report_check jsonl "$SRC/t/data/report-hourly-utc.jsonl" got
}

@test "an order at 23:30 UTC is on the next day in Asia/Seoul" {
	report_store
	report_all report-daily-utc day daily
	report_all report-daily-seoul day daily --tz Asia/Seoul
	# order 2, placed 2025-03-10T23:30:00Z, by itself
	run uoms-report daily --from 2025-03-10T23:00:00Z --to 2025-03-11T00:00:00Z
	[ "$(echo "${lines[0]}" | jget day)" = 2025-03-10 ]
	run uoms-report daily --from 2025-03-10T23:00:00Z --to 2025-03-11T00:00:00Z \
	    --tz Asia/Seoul
	[ "$(echo "${lines[0]}" | jget day)" = 2025-03-11 ]
	[ "$(echo "${lines[0]}" | jget orders)" = 1 ]
}

@test "a --from date is local midnight: 2025-03-11 in Seoul starts 15:00Z the day before" {
	report_store
	run --separate-stderr uoms-report daily --tz Asia/Seoul --from 2025-03-11 \
	    --to 2025-03-12
	[ "$status" -eq 0 ]
	# orders 2 (23:30Z on 03-10), 4, 5 - not 1 or 3 (03-10 in Seoul) nor 6
	[ "${#lines[@]}" -eq 2 ]
	[ "$(echo "${lines[0]}" | jget day)" = 2025-03-11 ]
	[ "$(echo "${lines[0]}" | jget orders)" = 3 ]
	run --separate-stderr uoms-report daily --from 2025-03-11 --to 2025-03-12
	[ "$(echo "${lines[0]}" | jget orders)" = 2 ]
}

@test "DST in America/New_York: hour 01 happens twice in November, 02 never in March" {
	dst
	run --separate-stderr uoms-report hourly --tz America/New_York
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	[ "$(printf '%s\n' "$output" | hours)" = "0:2 1:3 3:1 23:1 total:7" ]
	# in UTC they spread out
	run --separate-stderr uoms-report hourly
	[ "$(printf '%s\n' "$output" | hours)" = "4:2 5:2 6:2 7:1 total:7" ]
	# 2025-11-02 in New York is 25 hours: 04:00Z to 05:00Z next day
	run --separate-stderr uoms-report hourly --tz America/New_York \
	    --from 2025-11-02 --to 2025-11-03
	[ "$(printf '%s\n' "$output" | hours)" = "0:1 1:2 23:1 total:4" ]
	run --separate-stderr uoms-report hourly --tz America/New_York \
	    --from 2025-11-02 --to 2025-11-03 --format table
	[ "${lines[0]}" = "HOUR   ORDERS" ]
	[ "${lines[2]}" = "01          2" ]
	[ "${lines[3]}" = "02          0" ]
	[ "${lines[26]}" = "TOTAL       4" ]
}

@test "DST in America/New_York: days follow local midnights, 23 and 25 hours long" {
	dst
	run --separate-stderr uoms-report daily --tz America/New_York
	[ "$status" -eq 0 ]
	printf '%s\n' "$output" | python3 -c '
import json, sys
got = [(r["day"], r["orders"]) for r in map(json.loads, sys.stdin)]
assert got == [("2025-03-09", 2), ("2025-11-02", 4), ("2025-11-03", 1), (None, 7)], got'
	run --separate-stderr uoms-report range --tz America/New_York --format csv
	[ "${lines[1]}" = $'naver,2025-03-09,2025-11-03,3,7\r' ]
	# in UTC, 106 is on 11-03 with 107
	run --separate-stderr uoms-report daily
	printf '%s\n' "$output" | python3 -c '
import json, sys
got = [(r["day"], r["orders"]) for r in map(json.loads, sys.stdin)]
assert got == [("2025-03-09", 2), ("2025-11-02", 3), ("2025-11-03", 2), (None, 7)], got'
}

@test "range: first and last day with orders per channel, each format" {
	report_store
	report_all report-range-utc channel range
	run --separate-stderr uoms-report range --format svg
	[ "$status" -eq 0 ]
	printf '%s\n' "$output" >range.svg
	report_check svg 3 range.svg
}

@test "times and dates are checked: RFC 3339 with any offset, or a date" {
	report_store
	run --separate-stderr uoms-report daily --from 2025-03-11T09:00:00+09:00 \
	    --to 2025-03-12T00:00:00Z
	[ "$status" -eq 0 ]
	[ "$(echo "${lines[0]}" | jget orders)" = 2 ]
	run --separate-stderr uoms-report daily --from 2025-02-30
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"--from: '2025-02-30'"* ]]
}
