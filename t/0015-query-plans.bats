#!/usr/bin/env bats
# No full scan where an index is meant (issue 14): every filter of
# uoms-query and the lookups of the tools that change an order, as SQLite
# plans the tools' own statements: UOMS_EXPLAIN=1 writes the plan of each
# statement prepared to standard error (lib/db.c), so the test follows
# the real statements, not copies of them. And --order-no's prefix as a
# range, its characters literal.
load helper

teardown() { serve_stop; }

# The tables whose full scan grows with the store, by name and by the
# aliases the statements give them.
HOT='o|orders|i|order_items|e|events|h|holds|l|locks'

# plans CMD...: run CMD (it must succeed) with UOMS_EXPLAIN=1; the plans
# in plans.txt.
plans() {
	UOMS_EXPLAIN=1 "$@" >/dev/null 2>plans.err || {
		cat plans.err >&2
		return 1
	}
	grep '^uoms-explain: ' plans.err >plans.txt || {
		echo "no plan written: is UOMS_EXPLAIN read?" >&2
		return 1
	}
}

# scans: the full scans of a hot table in plans.txt: a table read whole,
# or through a whole index (a partial index, of the few rows that
# matter, is read whole by design: holds_open, orders_deleted).
scans() {
	grep -E "^uoms-explain: SCAN ($HOT)( USING (COVERING )?INDEX [a-z_0-9]+)? <- " \
	    plans.txt | grep -vE ' USING (COVERING )?INDEX (holds_open|orders_deleted) <- ' ||
	    true
}

# no_scan CMD...: CMD plans no full scan of a hot table.
no_scan() {
	plans "$@" || return 1
	local s
	s=$(scans)
	if [ -n "$s" ]; then
		echo "full scan in: $*" >&2
		echo "$s" >&2
		return 1
	fi
}

# Orders enough for each filter to find some: 1..40, 2611-000001...,
# departments east and west; order 3 held, order 4 deleted.
fixture() {
	orders 40 | uoms-upsert >/dev/null
	uoms-hold set --reason other 3 >/dev/null
	admin boss
	uoms-edit --actor boss --delete 4 >/dev/null
}

@test "uoms-query: every filter reads through an index" {
	engine_only sqlite "EXPLAIN QUERY PLAN is SQLite's; PostgreSQL plans by its statistics"
	fixture
	T=2026-11-21T00:00:00Z U=2026-11-22T00:00:00Z
	# The filters of cmd/uoms-query.c, one at a time, alone and as a page.
	for f in "--id 7" "--order-no 2611-000007" "--order-no 2611-00001" \
	    "--channel coupang" "--status WAITING" "--status WAITING,COMPLETE" \
	    "--department east" "--on-hold" "--deleted" \
	    "--placed-from $T" "--placed-from $T --placed-to $U" \
	    "--eta-from $T" "--eta-from $T --eta-to $U"; do
		# shellcheck disable=SC2086 # a filter is words
		no_scan uoms-query $f
		# shellcheck disable=SC2086
		no_scan uoms-query $f --limit 5
	done
}

@test "uoms-query --channel, --department, --status: a page is read in id order, not sorted" {
	engine_only sqlite "EXPLAIN QUERY PLAN is SQLite's"
	fixture
	# A page of the newest stops after its rows only when the index
	# keeps them in id order; a sort reads every order that matches.
	for f in "--channel coupang" "--department east" "--status WAITING"; do
		# shellcheck disable=SC2086 # a filter is words
		plans uoms-query $f --limit 5
		grep -q 'SEARCH o USING INDEX orders_' plans.txt
		run ! grep -E "USE TEMP B-TREE FOR ORDER BY <- SELECT o\.id" plans.txt
	done
}

@test "uoms-query --order-no: a range of orders_order_no, as the plan shows" {
	engine_only sqlite "EXPLAIN QUERY PLAN is SQLite's"
	fixture
	plans uoms-query --order-no 2611-00001
	grep -q 'SEARCH o USING INDEX orders_order_no (order_no>? AND order_no<?)' plans.txt
}

# PostgreSQL plans by cost, from its statistics: on a store of a few
# thousand orders, analysed, a lookup by number reads orders_order_no
# and one of the deleted orders_deleted (it read every order). The
# auto_explain module logs the plan of each statement the tool runs to
# the server's log.
@test "PostgreSQL: --order-no and --deleted read their indexes" {
	engine_only pg "SQLite's plans are the tests above"
	orders 3000 | uoms-upsert >/dev/null
	admin boss
	uoms-edit --actor boss --delete 7 >/dev/null
	sql "ANALYZE" >/dev/null
	explained="$UOMS_DB%20-csession_preload_libraries%3Dauto_explain%20-cauto_explain.log_min_duration%3D0"
	# plan_of ARG...: the plan of uoms-query ARG...'s orders.
	plan_of() {
		local from
		from=$(($(stat -c %s "$PG_DIR/server.log") + 1))
		uoms-query -d "$explained" "$@" >/dev/null || return 1
		tail -c "+$from" "$PG_DIR/server.log" |
		    awk '/Query Text: DECLARE/ { p = 1; next } /Query Text:/ { p = 0 } p'
	}
	plan_of --order-no 2611-001234 >plan.txt
	grep -q 'Index Scan using orders_order_no on orders o' plan.txt ||
	    { cat plan.txt; false; }
	plan_of --order-no 2611-00123 --limit 5 >plan.txt
	grep -q 'Index Scan using orders_order_no on orders o' plan.txt ||
	    { cat plan.txt; false; }
	plan_of --deleted >plan.txt
	grep -q 'using orders_deleted on orders o' plan.txt ||
	    { cat plan.txt; false; }
	[ "$(uoms-query --order-no 2611-00123 | wc -l)" = 10 ]
}

# What may scan, and why: the list of every order (no filter) reads them
# all; --not-on-hold is most of a store; a time range open to the past
# (--placed-to alone) is most of a store too, read in id order with no
# sort. The test holds them to what they are, so that a change shows.
@test "uoms-query: the filters that read every order, and only those" {
	engine_only sqlite "EXPLAIN QUERY PLAN is SQLite's"
	fixture
	for f in "" "--not-on-hold" "--placed-to 2026-11-22T00:00:00Z"; do
		# shellcheck disable=SC2086
		plans uoms-query $f
		[ "$(scans | grep -c ' SCAN o <- ')" -ge 1 ]
	done
}

@test "the tools' lookups of an order read through an index" {
	engine_only sqlite "EXPLAIN QUERY PLAN is SQLite's"
	fixture
	# By id, order_no and channel:external id; with an idempotency key.
	no_scan uoms-status --to IN_PROGRESS 5
	no_scan uoms-status --to IN_PROGRESS no:2611-000006
	no_scan uoms-status --to IN_PROGRESS coupang:7
	no_scan uoms-status --to IN_PROGRESS --idempotency-key k-8 8
	no_scan uoms-assign --driver kim 9
	no_scan uoms-edit --set department=west 10
	no_scan uoms-edit --actor boss --delete 11
	# Holds, locks, remarks and events of one order.
	no_scan uoms-hold set --reason other 12
	no_scan uoms-hold ack --all 12
	no_scan uoms-hold resolve --all 12
	no_scan uoms-lock acquire --type EDIT 13
	no_scan uoms-lock renew --type EDIT 13
	no_scan uoms-lock release --type EDIT 13
	no_scan uoms-remark add 14 hello
	no_scan uoms-remark list 14
	no_scan uoms-events --order 12
	no_scan uoms-events --after 5
}

@test "uoms-upsert: new, changed and unchanged lines read through an index" {
	engine_only sqlite "EXPLAIN QUERY PLAN is SQLite's"
	orders 20 >o.jsonl
	no_scan uoms-upsert o.jsonl
	sed 's/"KRW"/"USD"/' o.jsonl >changed.jsonl
	no_scan uoms-upsert changed.jsonl
	no_scan uoms-upsert changed.jsonl
}

@test "UOMS_EXPLAIN unset or empty: no plan written" {
	fixture
	run --separate-stderr uoms-query --order-no 2611-00001
	[ "$status" -eq 0 ]
	[ "$stderr" = "" ]
	[ "${#lines[@]}" -eq 10 ]
	UOMS_EXPLAIN= run --separate-stderr uoms-query --order-no 2611-00001
	[ "$status" -eq 0 ]
	[ "$stderr" = "" ]
	[ "${#lines[@]}" -eq 10 ]
}

# The range is the prefix's: its bound (the prefix with its last byte
# incremented) lets in no order that does not start with it.
@test "uoms-query --order-no: the orders that start with the prefix, no other" {
	{
		order 1 order_no='"2611-0"'
		order 2 order_no='"2611-09"'
		order 3 order_no='"2611-1"'
		order 4 order_no='"2611"'
		order 5 order_no='"26111"'
		order 6 order_no='"2612-0"'
		order 7 order_no=null
	} | uoms-upsert >/dev/null
	ids() {
		uoms-query --order-no "$1" | jget id | tr '\n' ' '
	}
	[ "$(ids 2611-0)" = "2 1 " ]
	[ "$(ids 2611-09)" = "2 " ]
	[ "$(ids 2611-1)" = "3 " ]
	[ "$(ids 2611-)" = "3 2 1 " ]
	[ "$(ids 2611)" = "5 4 3 2 1 " ]
	[ "$(ids 2611-000)" = "" ]
	[ "$(ids "")" = "6 5 4 3 2 1 " ]
}

# uoms-serve's order_no takes any text: a wildcard in it is a character
# (it was a GLOB pattern: '*' listed every order, '?' any character).
@test "GET /orders?order_no=: wildcards are literal characters" {
	export UOMS_JWT_KEY=plans-test-key-0123456789abcdef0123
	orders 3 | uoms-upsert >/dev/null
	serve_user boss admin
	serve_start
	login boss
	ids() {
		[ "$(api GET "/orders?order_no=$1")" = 200 ] || return 1
		python3 -c 'import json,sys; print(" ".join(str(o["id"]) for o in json.load(sys.stdin)["orders"]))' <resp.body
	}
	[ "$(ids 2611-00000)" = "3 2 1" ]
	[ "$(ids '*')" = "" ]
	[ "$(ids '2611-00000%3F')" = "" ]
	[ "$(ids '2611-00000%5B0-9%5D')" = "" ]
	[ "$(ids '2611-00000*')" = "" ]
	# A prefix past ASCII: its bound drops that tail, and nothing
	# starts with it.
	[ "$(ids '2611-%ED%95%9C')" = "" ]
}
