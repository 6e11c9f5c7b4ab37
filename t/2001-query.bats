#!/usr/bin/env bats
# uoms-query: every filter, newest first, csv and table output, time zones,
# and what it refuses.
load helper

# Six orders, ids 1..6 in this order, each filter telling some apart.
#   id ext    channel  order_no     status       dept   placed_at (UTC)       eta (UTC)
#   1  100001 coupang  2611-000001  WAITING      east   2026-11-20T00:00:00Z  2030-11-22T01:00:00Z
#   2  100002 naver    2611-000002  IN_PROGRESS  west   2026-11-21T09:12:00Z  2030-11-23T00:00:00Z
#   3  100003 coupang  2612-000003  COMPLETE     east   2026-11-21T23:59:59Z  2030-11-23T12:00:00Z
#   4  100004 naver    2612-000004  CANCEL       west   2026-11-22T00:00:00Z  null
#   5  100005 coupang  2611-100005  WAITING      south  2026-11-22T15:30:00Z  2030-11-24T00:00:00Z
#   6  100006 shopify  21-7         WAITING      -      2026-11-23T00:00:00Z  2030-11-22T01:00:00Z
setup_file() {
	cd "$BATS_FILE_TMPDIR" || return 1
	{
		order 100001 order_no='"2611-000001"' placed_at='"2026-11-20T00:00:00Z"'
		order 100002 channel='"naver"' order_no='"2611-000002"' status='"IN_PROGRESS"' \
		    department='"west"' placed_at='"2026-11-21T18:12:00+09:00"' \
		    eta='"2030-11-23T00:00:00Z"' \
		    'customer={"name":"김, 철수","phone":"02-123-4567"}'
		order 100003 order_no='"2612-000003"' status='"COMPLETE"' \
		    placed_at='"2026-11-21T23:59:59Z"' eta='"2030-11-23T21:00:00+09:00"' \
		    'customer={"name":"Bob \"B\" Lee","phone":"010-9999-0000"}' \
		    'items=[{"external_item_id":"a","quantity":1},{"external_item_id":"b","quantity":3}]'
		order 100004 channel='"naver"' order_no='"2612-000004"' status='"CANCEL"' \
		    department='"west"' placed_at='"2026-11-22T09:00:00+09:00"' eta=null
		order 100005 order_no='"2611-100005"' department='"south"' \
		    placed_at='"2026-11-22T15:30:00Z"' eta='"2030-11-24T00:00:00Z"' \
		    'customer={"name":"김수한무거북이와두루미","phone":"010-5555-6666"}' \
		    'shipping={"postal_code":"48060","address":"부산 해운대구 우동","zone":"해운대"}'
		order 100006 channel='"shopify"' order_no='"21-7"' department=absent \
		    placed_at='"2026-11-23T00:00:00Z"'
	} >fixtures.jsonl
}

fixtures() {
	uoms-upsert "$BATS_FILE_TMPDIR/fixtures.jsonl" >/dev/null
}

# ids [ARG...]: the ids uoms-query prints, in its order, on one line.
ids() {
	uoms-query "$@" | jget id | tr '\n' ' ' | sed 's/ $//'
}

# is "ARGS" "IDS": uoms-query ARGS succeeds, silently, printing orders IDS.
is() {
	local args
	read -ra args <<<"$1"
	run --separate-stderr uoms-query "${args[@]}"
	echo "uoms-query $1: status $status, stderr '$stderr'"
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	got=$(printf '%s\n' "$output" | sed '/^$/d' | jget id | tr '\n' ' ' | sed 's/ $//')
	echo "uoms-query $1: want '$2', got '$got'"
	[ "$got" = "$2" ]
}

# usage_error ARG...: uoms-query ARG... is a usage error.
usage_error() {
	run --separate-stderr uoms-query "$@"
	echo "uoms-query $*: status $status, stderr '$stderr'"
	[ "$status" -eq 2 ]
	[ -z "$output" ]
	[[ "$stderr" == "uoms-query: "* ]]
	[[ "$stderr" == *"usage: uoms-query "* ]]
}

@test "newest first: ids descending, whatever was updated last" {
	fixtures
	is "" "6 5 4 3 2 1"
	order 100001 order_no='"2611-000001"' placed_at='"2026-11-20T00:00:00Z"' \
	    warehouse='"pus-1"' | uoms-upsert >/dev/null
	[ "$(uoms-query --id 1 | jget version)" = 2 ]
	is "" "6 5 4 3 2 1"
}

@test "--id" {
	fixtures
	is "--id 3" "3"
	is "--id 99" ""
	usage_error --id 0
	usage_error --id x
}

@test "--order-no is a prefix" {
	fixtures
	is "--order-no 2612" "4 3"
	is "--order-no 2611-1" "5"
	is "--order-no 2611-00000" "2 1"
	is "--order-no 2611-000002" "2"
	is "--order-no 21-" "6"
	is "--order-no 9" ""
	usage_error --order-no '2611*'
}

@test "--channel and --department" {
	fixtures
	is "--channel naver" "4 2"
	is "--channel shopify" "6"
	is "--channel nope" ""
	is "--department east" "3 1"
	is "--department south" "5"
}

@test "--status takes one state or a list" {
	fixtures
	is "--status WAITING" "6 5 1"
	is "--status WAITING,COMPLETE" "6 5 3 1"
	is "--status CANCEL,IN_PROGRESS,COMPLETE" "4 3 2"
	is "--status NOPE" ""
	is "--status waiting" ""
}

@test "filters combine with and" {
	fixtures
	is "--channel coupang --status WAITING" "5 1"
	is "--channel coupang --status WAITING --department east" "1"
	is "--channel naver --order-no 2612" "4"
	is "--channel naver --department east" ""
}

@test "--placed-from and --placed-to with dates: a date is its 00:00 UTC, -to is exclusive" {
	fixtures
	is "--placed-from 2026-11-22" "6 5 4"
	is "--placed-to 2026-11-22" "3 2 1"
	is "--placed-from 2026-11-21 --placed-to 2026-11-22" "3 2"
	is "--placed-from 2026-11-22 --placed-to 2026-11-22" ""
	is "--placed-from 2026-11-24" ""
	is "--placed-to 2026-11-20" ""
}

@test "--placed-from and --placed-to with times, in any offset" {
	fixtures
	is "--placed-from 2026-11-21T09:12:00Z" "6 5 4 3 2"
	is "--placed-from 2026-11-21T09:12:01Z" "6 5 4 3"
	is "--placed-from 2026-11-21T18:12:00+09:00" "6 5 4 3 2"
	is "--placed-to 2026-11-21T23:59:59Z" "2 1"
	is "--placed-to 2026-11-22T00:00:00Z" "3 2 1"
	is "--placed-to 2026-11-22T09:00:00+09:00" "3 2 1"
	is "--placed-to 2026-11-21T19:00:00-05:00" "3 2 1"
	is "--placed-to 2026-11-21T19:00:01-05:00" "4 3 2 1"
	is "--placed-from 2026-11-21T09:12:00Z --placed-to 2026-11-22T00:00:00Z" "3 2"
}

@test "--placed-from and --placed-to compare fractions of a second as times" {
	order 100001 placed_at='"2026-11-21T10:00:00Z"' | uoms-upsert >/dev/null
	order 100002 placed_at='"2026-11-21T10:00:00.500Z"' | uoms-upsert >/dev/null
	is "--placed-from 2026-11-21T10:00:00.250Z" "2"
	is "--placed-to 2026-11-21T10:00:00.250Z" "1"
	is "--placed-to 2026-11-21T10:00:00Z" ""
	is "--placed-from 2026-11-21T10:00:00.5Z" "2"
	is "--placed-from 2026-11-21T10:00:01Z" ""
}

@test "--eta-from and --eta-to; an order without an eta matches neither" {
	fixtures
	is "--eta-from 2030-11-23" "5 3 2"
	is "--eta-to 2030-11-23" "6 1"
	is "--eta-from 2030-11-23T00:00:01Z --eta-to 2030-11-24T00:00:00Z" "3"
	is "--eta-from 2030-11-23T21:00:00+09:00 --eta-to 2030-11-23T12:00:01Z" "3"
	is "--eta-from 2000-01-01" "6 5 3 2 1"
}

@test "--limit keeps the newest N that match" {
	fixtures
	is "--limit 2" "6 5"
	is "--limit 1 --channel naver" "4"
	is "--limit 2 --channel coupang" "5 3"
	is "--limit 100" "6 5 4 3 2 1"
	usage_error --limit 0
	usage_error --limit -1
	usage_error --limit ten
}

@test "--on-hold and --not-on-hold: open or acknowledged holds count, resolved ones do not" {
	fixtures
	hold() {
		sql "insert into holds (order_id, reason, placed_by, placed_at, state, updated_at)
		     values ($1, 'stock_shortage', 'tester', '2026-11-22T01:00:00Z', '$2', '2026-11-22T01:00:00Z')"
	}
	hold 2 open
	hold 4 acknowledged
	hold 3 resolved
	hold 2 resolved
	is "--on-hold" "4 2"
	is "--not-on-hold" "6 5 3 1"
	is "--on-hold --status CANCEL" "4"
	is "--not-on-hold --channel coupang" "5 3 1"
	usage_error --on-hold --not-on-hold
	usage_error --not-on-hold --on-hold
}

@test "--format csv: the header of the contract, one row per order, values quoted as they must be" {
	fixtures
	run --separate-stderr uoms-query --format csv
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	uoms-query --format csv >out.csv
	python3 - out.csv <<'PY'
import csv, sys
raw = open(sys.argv[1], encoding="utf-8", newline="").read()
rows = list(csv.reader(raw.splitlines(keepends=True)))
header = ("id,channel,external_order_id,order_no,kind,workflow,status,version,department,"
          "warehouse,customer_name,customer_phone,postal_code,address,zone,eta,driver_name,"
          "driver_phone,placed_at,channel_updated_at,depart_time,complete_time,total_amount,"
          "currency,items,created_at,updated_at").split(",")
assert rows[0] == header, rows[0]
assert len(rows) == 7, len(rows)
assert all(len(r) == len(header) for r in rows), [len(r) for r in rows]
assert [r[0] for r in rows[1:]] == ["6", "5", "4", "3", "2", "1"]
by = {r[2]: dict(zip(header, r)) for r in rows[1:]}
want = {
    "100002": {"id": "2", "channel": "naver", "order_no": "2611-000002", "kind": "delivery",
               "workflow": "dispatch", "status": "IN_PROGRESS", "version": "1",
               "department": "west", "warehouse": "icn-1", "customer_name": "김, 철수",
               "customer_phone": "02-123-4567", "postal_code": "06236",
               "address": "서울 강남구 테헤란로 1", "zone": "gangnam",
               "eta": "2030-11-23T00:00:00Z", "driver_name": "", "driver_phone": "",
               "placed_at": "2026-11-21T09:12:00Z", "channel_updated_at": "2026-11-21T09:15:00Z",
               # imported IN_PROGRESS: it left when the channel last
               # changed it (uoms-channels(7), Times from the channel)
               "depart_time": "2026-11-21T09:15:00Z", "complete_time": "",
               "total_amount": "38000",
               "currency": "KRW", "items": "1"},
    "100003": {"customer_name": 'Bob "B" Lee', "eta": "2030-11-23T12:00:00Z", "items": "2",
               "status": "COMPLETE"},
    "100004": {"eta": "", "placed_at": "2026-11-22T00:00:00Z"},
    "100005": {"customer_name": "김수한무거북이와두루미", "zone": "해운대", "postal_code": "48060",
               "address": "부산 해운대구 우동"},
    "100006": {"department": "", "channel": "shopify", "order_no": "21-7"},
}
for ext, cols in want.items():
    for k, v in cols.items():
        assert by[ext][k] == v, (ext, k, by[ext][k], v)
for r in by.values():
    for k in ("created_at", "updated_at"):
        assert len(r[k]) == 20 and r[k].endswith("Z"), (k, r[k])
# The comma and the quotes were quoted, the plain values were not.
assert '"김, 철수"' in raw and '"Bob ""B"" Lee"' in raw, raw
assert ",홍길동," in raw and ",naver," in raw
PY
}

@test "--format csv and jsonl ignore --tz: times stay UTC" {
	[ -e /usr/share/zoneinfo/Asia/Seoul ] || skip "no tzdata (Asia/Seoul)"
	fixtures
	diff -u <(uoms-query --format csv) <(uoms-query --format csv --tz Asia/Seoul)
	diff -u <(uoms-query) <(uoms-query --tz Asia/Seoul)
}

# check_table FILE: every line is as wide on a terminal as the first
# (East Asian wide and full-width characters take 2 columns), and the
# values that follow the CUSTOMER column start where its header does.
check_table() {
	python3 - "$1" <<'PY'
import sys, unicodedata
def width(s):
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in s)
lines = open(sys.argv[1], encoding="utf-8").read().split("\n")
assert lines[-1] == "", "no newline at the end"
lines = lines[:-1]
widths = [width(l) for l in lines]
assert len(set(widths)) == 1, list(zip(widths, lines))
head = lines[0]
for title, values in (("PHONE", ["010-1234-5678", "02-123-4567", "010-9999-0000", "010-5555-6666"]),
                      ("ZONE", ["gangnam", "해운대"])):
    col = width(head[:head.index(title)])
    seen = 0
    for l in lines[1:]:
        for v in values:
            if v in l:
                assert width(l[:l.index(v)]) == col, (title, v, l)
                seen += 1
                break
    assert seen == len(lines) - 1, (title, seen)
PY
}

@test "--format table: every line as wide as the header, Korean names aligned" {
	fixtures
	run --separate-stderr uoms-query --format table
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	uoms-query --format table >table
	[ "$(wc -l <table)" -eq 7 ]
	check_table table
	head -1 table | grep -q 'ID.*ORDER_NO.*CHANNEL.*STATUS.*DEPT.*CUSTOMER.*PHONE.*ZONE.*ETA.*PLACED.*TOTAL'
	# A name too wide for its column is cut with an ellipsis.
	grep '2611-100005' table | grep -q '…'
	! grep -q '김수한무거북이와두루미' table || false
	grep -q '홍길동' table
	grep -q '2611-000002 .*김, 철수' table
}

@test "--format table shows times in UTC by default, in --tz when given" {
	[ -e /usr/share/zoneinfo/Asia/Seoul ] || skip "no tzdata (Asia/Seoul)"
	fixtures
	uoms-query --format table --id 2 >utc
	grep -q '2026-11-21 09:12' utc
	! grep -q '18:12' utc || false
	uoms-query --format table --id 2 --tz Asia/Seoul >seoul
	grep -q '2026-11-21 18:12' seoul
	! grep -q '09:12' seoul || false
	# across midnight: 2026-11-21T23:59:59Z is the next morning in Seoul
	uoms-query --format table --id 3 --tz Asia/Seoul | grep -q '2026-11-22 08:59'
	uoms-query --format table --id 3 --tz UTC | grep -q '2026-11-21 23:59'
	uoms-query --format table --tz Asia/Seoul >all
	check_table all
}

@test "the tz setting of the config file is the default zone for tables" {
	[ -e /usr/share/zoneinfo/Asia/Seoul ] || skip "no tzdata (Asia/Seoul)"
	fixtures
	printf 'tz: Asia/Seoul\n' >seoul.yaml
	uoms-query -c seoul.yaml --format table --id 2 | grep -q '2026-11-21 18:12'
	uoms-query -c seoul.yaml --tz UTC --format table --id 2 | grep -q '2026-11-21 09:12'
}

@test "an unknown --tz is a usage error" {
	fixtures
	usage_error --tz Nowhere/Special
	[[ "$stderr" == *"Nowhere/Special"* ]]
	usage_error --tz ../../etc/passwd
	usage_error --tz ''
}

@test "a --placed-from, --placed-to, --eta-from or --eta-to that is not a time is a usage error" {
	fixtures
	for t in yesterday 2026-13-01 2026-02-29 2026-11-31 2026-11-21T25:00:00Z \
	    2026-11-21T09:12:00 2026/11/21 20261121 ''; do
		for opt in --placed-from --placed-to --eta-from --eta-to; do
			usage_error "$opt" "$t"
			[[ "$stderr" == *"$opt"* ]]
		done
	done
	is "--placed-from 2028-02-29" ""
}

@test "a bad --format is a usage error" {
	usage_error --format xml
	usage_error --format
}

@test "an empty store: nothing printed, exit 0; csv and table print their header only" {
	uoms-upsert </dev/null
	run --separate-stderr uoms-query
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	[ -z "$stderr" ]
	run --separate-stderr uoms-query --status WAITING --on-hold --limit 3
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	[ "$(uoms-query --format csv | wc -l)" -eq 1 ]
	uoms-query --format csv | grep -q '^id,channel,external_order_id,'
	[ "$(uoms-query --format table | wc -l)" -eq 1 ]
}

@test "unknown members that are not a JSON object (a store edited by hand) are left out: the record stays JSON" {
	order 7001 'note="kept"' | uoms-upsert >/dev/null
	order 7002 | uoms-upsert >/dev/null
	sql "UPDATE orders SET extra = 'not json' WHERE external_order_id = '7001'"
	sql "UPDATE orders SET extra = '{\"broken\": 1' WHERE external_order_id = '7002'"
	run --separate-stderr uoms-query --channel coupang
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 2 ]
	printf '%s\n' "${lines[@]}" | python3 -c '
import json, sys
for l in sys.stdin:
    o = json.loads(l)
    assert "note" not in o and "broken" not in o, o
    assert o["external_order_id"] in ("7001", "7002")
'
}
