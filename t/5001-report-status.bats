#!/usr/bin/env bats
# uoms-report status: the operations board (department or channel by
# status, with totals) in every format, and what the tool refuses.
# The store: t/data/report-fixture.sh; expected figures: t/data/report-*.
load helper
source "$BATS_TEST_DIRNAME/data/report-fixture.sh"

setup_file() {
	report_build
}

@test "status: department by status, in workflow order, null department last, totals" {
	report_store
	report_all report-status department status
}

@test "status --by channel" {
	report_store
	report_all report-status-channel channel status --by channel
}

@test "status --from/--to counts the orders placed in the range" {
	report_store
	run --separate-stderr uoms-report status --from 2025-03-11 --to 2025-03-12
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	# placed 2025-03-11 (UTC): order 4 (west, WAITING), order 5 (no department)
	printf '%s\n' "$output" | python3 -c '
import json, sys
rows = [json.loads(l) for l in sys.stdin]
got = [(r["department"], r["total"], {k: v for k, v in r["statuses"].items() if v}) for r in rows]
want = [("west", 1, {"WAITING": 1}), (None, 1, {"pending_acceptance": 1}),
        (None, 2, {"WAITING": 1, "pending_acceptance": 1})]
assert got == want, got
assert rows[-1].get("totals") is True and "totals" not in rows[0]'
}

@test "status --format svg: valid SVG, a mark per department and status" {
	report_store
	run --separate-stderr uoms-report status --format svg
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	printf '%s\n' "$output" >board.svg
	# 3 departments (east, west, none) x 6 states
	report_check svg 18 board.svg
	grep -q '<text[^>]*>WAITING</text>' board.svg
}

@test "a report reads: a missing store is refused, exit 3, nothing made" {
	run --separate-stderr uoms-report -d "$PWD/none.db" status
	[ "$status" -eq 3 ]
	[ -z "$output" ]
	[[ "$stderr" == "uoms-report: "* ]]
	[ ! -e none.db ]
}

@test "an empty store: the board is its totals row, zero" {
	uoms-upsert </dev/null
	run --separate-stderr uoms-report status
	[ "$status" -eq 0 ]
	[ "$output" = '{"department":null,"total":0,"totals":true}' ]
	run --separate-stderr uoms-report status --format table
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "DEPARTMENT  TOTAL" ]
	[ "${lines[2]}" = "TOTAL           0" ]
}

@test "misuse is a usage error: exit 2, why and usage on stderr" {
	report_store
	for args in "" "nosuch" "status extra" "status --by item" \
	    "hourly --by channel" "status --window 1h" "metrics --window 0" \
	    "metrics --window 5x" "status --format xml" "status --from yesterday" \
	    "status --from 2025-03-12 --to 2025-03-11" "settlement --to 2025-03-11" \
	    "status --tz Nowhere/Else" "range --by department"; do
		run --separate-stderr uoms-report $args
		echo "uoms-report $args: status $status, stderr $stderr"
		[ "$status" -eq 2 ]
		[ -z "$output" ]
		[[ "$stderr" == "uoms-report: "* ]]
		[[ "$stderr" == *"usage: uoms-report "* ]]
	done
}

@test "a failed write to stdout is a failure" {
	report_store
	[ -w /dev/full ] || skip "no /dev/full"
	run --separate-stderr sh -c 'uoms-report sales --by item >/dev/full'
	[ "$status" -eq 3 ]
	[[ "$stderr" == "uoms-report: "*"write"* ]]
}

@test "uoms-report(1) EXAMPLES run as written" {
	engine_only sqlite "the EXAMPLES make and read the store file they name"
	unset UOMS_DB
	man_examples uoms-report.1
	st=
	for f in $(ls ex*.sh | sort -V); do
		sh "$f" >"$f.out" 2>"$f.err" </dev/null && s=0 || s=$?
		st="$st $s"
	done
	echo "statuses:$st"
	[ "$st" = " 0 0 0 0 0 0 0 0" ]
	# the board and the day in Seoul the page describes
	grep -q '^TOTAL  *2  *2$' ex2.sh.out
	grep -q '^2026-11-22  *KRW  *1  *0  *6  *12,000  *?  *?  *?  *6  *0  *0$' ex3.sh.out
	grep -q '^2026-11-21  *KRW  *1  *0  *2  *38,000  *22,000  *16,000  *42.1%  *0  *0  *0$' ex3.sh.out
	report_check svg 24 hourly.svg
	grep -q '^coupang 2026-11-21 (KRW): 1 order, 2 items, revenue 38,000' ex7.sh.out
	[ "$(head -1 items.csv)" = $'sku,name,currency,orders,cancelled,items,revenue,cost,profit,margin,uncosted,cancelled_amount,refunded_amount\r' ]
}
