#!/usr/bin/env bats
# uoms-status on dispatch orders: references from arguments and from
# stdin, the record it prints, the events it writes, timestamps, notes,
# misuse, and the EXAMPLES of its man page.
load helper

# Five plain dispatch orders (WAITING), made once per file: python3 is
# slow to start.
setup_file() {
	orders 5 >"$BATS_FILE_TMPDIR/five.jsonl"
}

# status_events: every status event, one per line.
status_events() {
	sql "SELECT order_id, from_state, to_state, version, actor, details
	    FROM events WHERE type = 'status' ORDER BY id"
}

@test "--to moves an order and prints its whole stored record, version + 1" {
	five
	uoms-query --id 2 >before
	run --separate-stderr uoms-status --to IN_PROGRESS 2
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	[ "${#lines[@]}" -eq 1 ]
	[ "$output" = "$(uoms-query --id 2)" ]
	echo "$output" | fields id status version complete_time >got
	printf '2\tIN_PROGRESS\t2\tNone\n' >want
	diff -u want got
	# everything else is as it was
	python3 - "$output" <<-'PY'
	import json, sys
	a = json.load(open("before")); b = json.loads(sys.argv[1])
	# updated_at changes too, unless within the same second
	changed = sorted(k for k in a if a[k] != b[k] and k != "updated_at")
	assert changed == ["depart_time", "status", "version"], changed
	assert b["updated_at"] >= a["updated_at"], b
	PY
	# the others did not move
	[ "$(uoms-query --status WAITING | wc -l)" -eq 4 ]
}

@test "--action depart takes the step of that name" {
	five
	run --separate-stderr uoms-status --action depart 3
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	[ "$(echo "$output" | fields status version)" = "$(printf 'IN_PROGRESS\t2')" ]
	[ "$(status_events)" = '3|WAITING|IN_PROGRESS|2|tester|{"action":"depart","forced":false}' ]
}

@test "references by id, no:ORDER_NO and CHANNEL:EXTERNAL_ID, printed in the order given" {
	five
	run --separate-stderr uoms-status --to CANCEL coupang:4 2 no:2611-000005
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	echo "$output" | fields id external_order_id order_no status >got
	printf '%s\t%s\t%s\tCANCEL\n' 4 4 2611-000004 2 2 2611-000002 5 5 2611-000005 >want
	diff -u want got
	[ "$(uoms-query --status CANCEL | wc -l)" -eq 3 ]
}

@test "records from uoms-query on stdin are references: the pipeline moves what it selects" {
	five
	uoms-status --to IN_PROGRESS 1 2 >/dev/null
	run --separate-stderr sh -c 'uoms-query --status WAITING | uoms-status --to IN_PROGRESS'
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	echo "$output" | fields id status version >got
	printf '%s\tIN_PROGRESS\t2\n' 5 4 3 >want
	diff -u want got
	[ "$(uoms-query --status WAITING | wc -l)" -eq 0 ]
	[ "$(sql "SELECT count(*) FROM events WHERE type = 'status'")" -eq 5 ]
}

@test "small reference objects on stdin: id, order_no, channel and external_order_id; blank lines skipped" {
	five
	printf '%s\n' '{"id":1}' '' '{"order_no":"2611-000002"}' '   ' \
	    '{"channel":"coupang","external_order_id":"3"}' '{"channel":"coupang","external_order_id":3}' >refs
	run --separate-stderr uoms-status --to CANCEL --reject rej <refs
	echo "$stderr"
	[ "$status" -eq 1 ]
	[ "$(echo "$output" | fields id status)" = "$(printf '1\tCANCEL\n2\tCANCEL\n3\tCANCEL')" ]
	# the last line names order 3 again (a number is taken as its digits,
	# as uoms-upsert takes it): by then it is cancelled
	[ "${#stderr_lines[@]}" -eq 1 ]
	[ "${stderr_lines[0]}" = "uoms-status: line 6: invalid_transition: order coupang:3: dispatch allows no move from CANCEL to CANCEL" ]
	[ "$(jget error.line <rej)" = 6 ]
}

@test "lines that are no references are refused with invalid and their line number; the rest go on" {
	five
	printf '%s\n' '{"id":1}' 'not json' '{"zone":"gangnam"}' '[1,2]' '{"id":"3"}' \
	    '{"id":4,"version":0}' '{"id":2}' >refs
	run --separate-stderr uoms-status --to IN_PROGRESS --reject rej <refs
	[ "$status" -eq 1 ]
	[ "$(echo "$output" | fields id)" = "$(printf '1\n2')" ]
	[ "${#stderr_lines[@]}" -eq 5 ]
	for i in 0 1 2 3 4; do
		[[ "${stderr_lines[i]}" == "uoms-status: line $((i + 2)): invalid: "* ]]
	done
	jget error.code <rej | uniq -c | awk '{ print $1, $2 }' >got
	echo '5 invalid' >want
	diff -u want got
	# the object line comes back verbatim with its error
	grep -q '^{"zone":"gangnam","error":{"code":"invalid",' rej
}

@test "an order that does not exist is not_found, and the others still move" {
	five
	run --separate-stderr uoms-status --to CANCEL 1 99 no:2611-999999 coupang:nope 2
	[ "$status" -eq 1 ]
	[ "$(echo "$output" | fields id)" = "$(printf '1\n2')" ]
	[ "${stderr_lines[0]}" = "uoms-status: order 99: not_found: no such order" ]
	[ "${stderr_lines[1]}" = "uoms-status: order no:2611-999999: not_found: no such order" ]
	[ "${stderr_lines[2]}" = "uoms-status: order coupang:nope: not_found: no such order" ]
	[ "${#stderr_lines[@]}" -eq 3 ]
}

@test "an argument that is no reference is refused with invalid; a bad one never stops the others" {
	five
	run --separate-stderr uoms-status --to CANCEL 0 abc no: :5 1
	[ "$status" -eq 1 ]
	[ "$(echo "$output" | fields id)" = 1 ]
	[ "${#stderr_lines[@]}" -eq 4 ]
	[[ "${stderr_lines[1]}" == "uoms-status: order abc: invalid: 'abc' is not an order id"* ]]
}

@test "usage errors: neither or both of --to and --action, an unknown option; exit 2 and nothing moves" {
	five
	for args in "1" "--to CANCEL --action cancel 1" "--to CANCEL --frobnicate 1" "--to"; do
		# shellcheck disable=SC2086
		run --separate-stderr uoms-status $args
		echo "$args: $status $stderr"
		[ "$status" -eq 2 ]
		[ -z "$output" ]
		[[ "$stderr" == *"usage: uoms-status "* ]]
	done
	[ "$(uoms-query --status WAITING | wc -l)" -eq 5 ]
	[ "$(sql "SELECT count(*) FROM events WHERE type <> 'created'")" -eq 0 ]
}

@test "a missing store is created (uoms-status writes) and the order is not_found" {
	run --separate-stderr uoms-status --to CANCEL 1
	[ "$status" -eq 1 ]
	have_store
	[ "$stderr" = "uoms-status: order 1: not_found: no such order" ]
	run --separate-stderr uoms-status -d "$PWD/no/such/dir/x.db" --to CANCEL 1
	[ "$status" -eq 3 ]
	[ -z "$output" ]
}

@test "dispatch timestamps: IN_PROGRESS sets depart_time, COMPLETE/ISSUE set complete_time, WAITING/CANCEL clear both" {
	five
	sql "INSERT INTO users(name, role, created_at, updated_at) VALUES ('boss','admin','x','x')"
	{
		uoms-status --to IN_PROGRESS 1
		next_second
		uoms-status --to ISSUE 1
		uoms-status --actor boss --force --to WAITING 1
		uoms-status --to IN_PROGRESS 1
		uoms-status --action complete 1
		uoms-status --actor boss --force --to IN_PROGRESS 1
		uoms-status --to CANCEL 1
	} >steps
	python3 <<-'PY'
	import json, re
	steps = [json.loads(l) for l in open("steps")]
	got = [(o["status"], o["version"]) for o in steps]
	assert got == [("IN_PROGRESS", 2), ("ISSUE", 3), ("WAITING", 4), ("IN_PROGRESS", 5),
	    ("COMPLETE", 6), ("IN_PROGRESS", 7), ("CANCEL", 8)], got
	t = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
	d = [o["depart_time"] for o in steps]
	c = [o["complete_time"] for o in steps]
	assert t.match(d[0]) and c[0] is None, steps[0]
	# ISSUE sets complete_time (a second later) and keeps depart_time
	assert d[1] == d[0] and t.match(c[1]) and c[1] > d[0], steps[1]
	assert d[2] is None and c[2] is None, steps[2]
	assert t.match(d[3]) and d[3] > d[0] and c[3] is None, steps[3]
	assert d[4] == d[3] and t.match(c[4]), steps[4]
	# forced into IN_PROGRESS: depart_time set anew, complete_time kept
	assert t.match(d[5]) and c[5] == c[4], steps[5]
	assert d[6] is None and c[6] is None, steps[6]
	PY
}

@test "each move appends exactly one status event: from, to, actor, the new version" {
	five
	uoms-status --to IN_PROGRESS 1 2 >/dev/null
	uoms-status --actor kim --action complete 1 >/dev/null
	uoms-status --to ISSUE 2 >/dev/null
	uoms-status --to CANCEL 1 2 3 2>/dev/null >/dev/null || true
	status_events >got
	cat >want <<-'EOF'
	1|WAITING|IN_PROGRESS|2|tester|{"forced":false}
	2|WAITING|IN_PROGRESS|2|tester|{"forced":false}
	1|IN_PROGRESS|COMPLETE|3|kim|{"action":"complete","forced":false}
	2|IN_PROGRESS|ISSUE|3|tester|{"forced":false}
	3|WAITING|CANCEL|2|tester|{"forced":false}
	EOF
	diff -u want got
	# the event's version is the order's
	[ "$(sql "SELECT count(*) FROM orders o WHERE version <>
	    (SELECT max(version) FROM events e WHERE e.order_id = o.id)")" -eq 0 ]
}

@test "--note is kept in the event's details, whatever it holds" {
	five
	note=$'배송 기사 "김" \\ 연락됨\tnew line:\nend'
	run --separate-stderr uoms-status --to CANCEL --note "$note" 1
	[ "$status" -eq 0 ]
	sql "SELECT details FROM events WHERE type = 'status'" >details
	python3 - "$note" <<-'PY'
	import json, sys
	d = json.loads(open("details").read())
	assert d == {"note": sys.argv[1], "forced": False}, d
	PY
	# the note is not part of the order
	[[ "$output" != *"연락됨"* ]]
	# no --note, no note
	uoms-status --action cancel 2 >/dev/null
	[ "$(sql "SELECT details FROM events WHERE type = 'status' AND order_id = 2")" = '{"action":"cancel","forced":false}' ]
}

@test "a refused move writes nothing: no event, no version, the same updated_at" {
	five
	uoms-status --to CANCEL 1 >/dev/null
	sql "SELECT * FROM orders" >before
	sql "SELECT * FROM events" >>before
	run --separate-stderr uoms-status --to IN_PROGRESS 1
	[ "$status" -eq 1 ]
	[ -z "$output" ]
	[ "$stderr" = "uoms-status: order 1: invalid_transition: dispatch allows no move from CANCEL to IN_PROGRESS" ]
	sql "SELECT * FROM orders" >after
	sql "SELECT * FROM events" >>after
	diff -u before after
}

@test "the reject file takes the refused line verbatim plus its error, and can be fed back" {
	five
	uoms-query --id 1 >rec1
	uoms-status --to IN_PROGRESS 1 >/dev/null
	{ cat rec1; uoms-query --id 2; } >in
	run --separate-stderr uoms-status --to CANCEL --reject rej <in
	[ "$status" -eq 1 ]
	[ "$(echo "$output" | fields id)" = 2 ]
	# line 1 as it was, with "error" added
	python3 <<-'PY'
	import json
	r = json.loads(open("rej").read())
	e = r.pop("error")
	assert r == json.loads(open("rec1").read()), r
	assert e["code"] == "version_conflict" and e["line"] == 1 and e["current_version"] == 2, e
	PY
	# Read again and fed back: it goes (the error member is ignored).
	uoms-query --id 1 | sed 's/}$/,"error":{"code":"version_conflict"}}/' >again
	run --separate-stderr uoms-status --to CANCEL <again
	[ "$status" -eq 0 ]
	[ "$(echo "$output" | fields id status version)" = "$(printf '1\tCANCEL\t3')" ]
}

@test "the EXAMPLES of uoms-status(1) run as written" {
	man_examples uoms-status.1
	n=$(ls ex*.sh | wc -l)
	[ "$n" -ge 6 ]
	for ((i = 1; i <= n; i++)); do
		st=0
		bash -e -o pipefail "ex$i.sh" >"out.$i" 2>"err.$i" || st=$?
		echo "example $i: exit $st"; cat "ex$i.sh"; cat "err.$i"
		[ "$st" -eq 0 ]
	done
	# what they did
	uoms-query | fields order_no status version depart_time >got
	python3 <<-'PY'
	rows = [l.rstrip("\n").split("\t") for l in open("got")]
	got = [(r[0], r[1], r[2], r[3] == "None") for r in rows]
	assert got == [("2611-000125", "CANCEL", "3", True), ("2611-000124", "COMPLETE", "3", False),
	    ("2611-000123", "WAITING", "4", True)], got
	PY
	# the key replayed: one cancel, two identical records
	[ "$(sql "SELECT count(*) FROM events WHERE type = 'status' AND to_state = 'CANCEL'")" -eq 1 ]
	grep -l 'cancel-2611-000125' ex*.sh >idem
	[ "$(wc -l <idem)" -eq 1 ]
	i=$(sed 's/^ex//; s/\.sh$//' idem)
	[ "$(wc -l <"out.$i")" -eq 2 ]
	[ "$(sed -n 1p "out.$i")" = "$(sed -n 2p "out.$i")" ]
	# the all-or-nothing example refused, said so, and moved nothing
	grep -q 'nothing cancelled' err.*
	grep -q 'nothing stored' err.*
	[ "$(sql "SELECT details FROM events WHERE to_state = 'COMPLETE' AND order_id = 1")" = '{"action":"complete","note":"handed to the doorman","forced":false}' ]
	[ "$(sql "SELECT actor || ' ' || details FROM events WHERE type = 'status' AND to_state = 'WAITING'")" = 'boss {"note":"came back undelivered","forced":true}' ]
}

@test "an order number that names several orders is refused with invalid: use the id" {
	five
	order 100009 channel='"naver"' order_no='"2611-000003"' | uoms-upsert >/dev/null
	run --separate-stderr uoms-status --to CANCEL no:2611-000003
	[ "$status" -eq 1 ]
	[ -z "$output" ]
	[ "$stderr" = "uoms-status: order no:2611-000003: invalid: the order number names several orders; use the id" ]
	uoms-status --to CANCEL coupang:3 naver:100009 | fields id status >got
	printf '3\tCANCEL\n6\tCANCEL\n' >want
	diff -u want got
}

@test "a slow producer: each record is committed and printed while the next is awaited" {
	five
	mkfifo in
	uoms-status --to CANCEL <in >out 2>err &
	pid=$!
	exec 5>in
	echo '{"id":1}' >&5
	for ((i = 0; i < 100; i++)); do
		[ -s out ] && break
		sleep 0.1
	done
	[ "$(jget id <out)" = 1 ]
	[ "$(sql "SELECT status FROM orders WHERE id = 1")" = CANCEL ]
	# the write lock is not held meanwhile: another writer goes at once
	run --separate-stderr uoms-status --to IN_PROGRESS 3
	[ "$status" -eq 0 ]
	echo '{"id":2}' >&5
	exec 5>&-
	wait "$pid"
	[ ! -s err ]
	[ "$(fields id status <out)" = "$(printf '1\tCANCEL\n2\tCANCEL')" ]
}

@test "no REF and a terminal on stdin: usage on stderr, exit 2, instead of waiting" {
	command -v script >/dev/null || skip "script(1) is not installed to give a terminal"
	five
	run timeout 20 script -qec 'uoms-status --to CANCEL 2>err' /dev/null
	[ "$status" -eq 2 ]
	grep -q '^usage: uoms-status ' err
	[ "$(uoms-query --status WAITING | wc -l)" -eq 5 ]
}
