#!/usr/bin/env bats
# uoms-upsert validation (SPEC 3.1, decisions.md): each invalid line in
# t/data/upsert-invalid.tsv is refused on its own with code invalid, written
# to the reject file as it came plus "error", and takes nothing else with it.
load helper

# The good lines around each bad one, made once per test: python3 starts
# slowly and the table is long.
goods() {
	order 100001 >"$BATS_TEST_TMPDIR/good1"
	order 100003 >"$BATS_TEST_TMPDIR/good3"
	order 100002 >"$BATS_TEST_TMPDIR/good2"
}

# check_row NAME LINE FRAGMENT: run good, bad, good through a fresh store
# (with order 100002 already stored if PRESTORE is set); say what is wrong.
check_row() {
	local name=$1 bad=$2 frag=$3 dir="$BATS_TEST_TMPDIR/$1" want=2 got

	mkdir "$dir" && cd "$dir" || return 1
	export UOMS_DB="$dir/uoms.db"
	if [ -n "${PRESTORE:-}" ]; then
		want=3
		uoms-upsert "$BATS_TEST_TMPDIR/good2" >/dev/null || { echo "$name: can't prestore"; return 1; }
		uoms-query >before.jsonl
	fi
	printf '%s\n' "$bad" >bad.jsonl
	cat "$BATS_TEST_TMPDIR/good1" bad.jsonl "$BATS_TEST_TMPDIR/good3" >in.jsonl
	run --separate-stderr uoms-upsert --reject rej.jsonl in.jsonl
	[ "$status" -eq 1 ] || { echo "$name: exit $status, want 1"; return 1; }
	[ "${#stderr_lines[@]}" -eq 1 ] || { echo "$name: stderr is not one line: $stderr"; return 1; }
	[[ "$stderr" == "uoms-upsert: "*"line 2: invalid: "* ]] ||
	    { echo "$name: stderr does not say line 2: invalid: $stderr"; return 1; }
	[[ "$stderr" == *"$frag"* ]] ||
	    { echo "$name: stderr lacks '$frag': $stderr"; return 1; }
	[[ "${#lines[@]}" -eq 2 && "${lines[0]}" == '{"id":'*'"external_order_id":"100001"'* &&
	    "${lines[1]}" == '{"id":'*'"external_order_id":"100003"'* ]] ||
	    { echo "$name: stdout is not the two good records: $output"; return 1; }
	# One look at the reject file and the store: the reject file is one
	# line, the bad line member for member plus an "error" of code invalid
	# at line 2 naming the fault; the good orders stored, with their
	# events and items, and no version moved.
	got=$(sqlite3 "$UOMS_DB" "
	    with r(j) as (select cast(readfile('rej.jsonl') as text)),
	         b(j) as (select cast(readfile('bad.jsonl') as text))
	    select length(r.j) - length(replace(r.j, char(10), '')),
	        json_remove(r.j, '\$.error') = json(b.j),
	        json_extract(r.j, '\$.error.code'), json_extract(r.j, '\$.error.line'),
	        instr(json_extract(r.j, '\$.error.message'), cast(readfile('$BATS_TEST_TMPDIR/frag') as text)) > 0,
	        (select group_concat(external_order_id, ' ') from
	            (select external_order_id from orders order by external_order_id)),
	        (select count(*) from events), (select count(*) from order_items),
	        (select max(version) from orders)
	    from r, b" 2>&1)
	local ids="100001 100003"
	[ -n "${PRESTORE:-}" ] && ids="100001 100002 100003"
	[ "$got" = "1|1|invalid|2|1|$ids|$want|$want|1" ] ||
	    { echo "$name: want 1|1|invalid|2|1|$ids|$want|$want|1, got $got"; cat rej.jsonl; return 1; }
	if [ -n "${PRESTORE:-}" ]; then
		uoms-query | grep '"external_order_id":"100002"' >after.jsonl
		diff -u before.jsonl after.jsonl || { echo "$name: order 100002 changed"; return 1; }
	fi
}

run_table() {
	local name line frag failed=() n=0

	goods
	while IFS=$'\t' read -r name line frag; do
		case $name in '#'*|'') continue ;; esac
		n=$((n + 1))
		printf '%s' "$frag" >"$BATS_TEST_TMPDIR/frag"
		check_row "$name" "$line" "$frag" || failed+=("$name")
	done <"$SRC/t/data/upsert-invalid.tsv"
	echo "$n rows, ${#failed[@]} failed: ${failed[*]}"
	[ "$n" -ge 50 ]
	[ "${#failed[@]}" -eq 0 ]
}

@test "every invalid line is refused alone when it would create an order" {
	run_table
}

@test "every invalid line is refused alone when it would update an order, which stays as it was" {
	PRESTORE=1 run_table
}

@test "valid edge cases are accepted" {
	{
		order 100001 'customer={"name":"서울","phone":"02-123-4567"}'
		order 100002 'customer={"name":"서울","phone":"02-1234-5678"}'
		order 100003 'customer={"name":"경기","phone":"031-1234-5678"}' 'driver={"name":"Kim","phone":"010-2222-3333"}'
		order 100004 'customer={"name":"무명","phone":null}' 'driver=null'
		order 100005 'order_no="2611-0000000005"'	# exactly 15 characters
		order 100006 'order_no="2611100006"'
		order 100007 'shipping={"postal_code":"00000","address":"x"}'
		order 100008 'items=[{"external_item_id":"a","quantity":1},{"external_item_id":"b","quantity":1000000}]'
		order 100009 'items=[]' 'total_amount=0'
		order 100010 'eta="2001-01-01T00:00:00Z"'	# the past: channel data is history
		order 100011 'placed_at="2028-02-29T23:59:59Z"' 'eta=null'
		order 100012 'placed_at="2026-11-21T09:12:00.123456Z"'
		order 100013 'currency="USD"' 'total_amount=1999'
		order 100014 'customer={}' 'shipping={}'
		order 100015 'order_no=absent' 'department=absent' 'warehouse=absent' 'eta=absent' 'items=absent'
		echo '{"channel":"coupang","external_order_id":2000012345}'
	} >in.jsonl
	run --separate-stderr uoms-upsert --summary in.jsonl
	[ "$status" -eq 0 ]
	[ "$stderr" = "uoms-upsert: read 16, created 16, updated 0, unchanged 0, rejected 0" ]
	[ "$(sql 'select count(*) from orders')" -eq 16 ]
	[ "$(sql "select count(*) from orders where external_order_id = '2000012345'")" -eq 1 ]
	[ "$(uoms-query --limit 1 | jget external_order_id)" = 2000012345 ]
	[ "$(uoms-query --limit 1 | jget status)" = WAITING ]
	[ "$(sql "select order_no from orders where external_order_id = '100005'")" = 2611-0000000005 ]
	[ "$(sql "select count(*) from order_items o join orders r on r.id = o.order_id where r.external_order_id = '100009'")" -eq 0 ]
}

@test "a validation message names the file and line, and the value at fault" {
	{ order 100001; order 100002 'shipping={"postal_code":"1234"}'; } >in.jsonl
	run --separate-stderr uoms-upsert in.jsonl
	[ "$status" -eq 1 ]
	[ "$stderr" = "uoms-upsert: in.jsonl: line 2: invalid: postal code '1234' is not 5 digits" ]
}

@test "an invalid line read from stdin is reported by line number" {
	run --separate-stderr uoms-upsert < <(order 100001; order 100002 'items=[{"external_item_id":"a","quantity":0}]')
	[ "$status" -eq 1 ]
	[ "$stderr" = "uoms-upsert: line 2: invalid: items[0].quantity 0 is not positive" ]
	[ "$(sql 'select count(*) from orders')" -eq 1 ]
}
