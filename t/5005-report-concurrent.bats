#!/usr/bin/env bats
# Reports while 4 writers upsert and move orders: each report reads one
# snapshot of committed data (its queries agree with each other), never
# blocks a writer, and what it counts only grows as writers add.
load helper

W=4
RUNS=15
SEED=20000

# writer N: until ./running goes, upserts 20 new orders at a time (east
# and west) and moves up to 10 waiting orders on (two writers may pick
# the same order: the second is refused, that is fine).
writer() {
	local n=0 first st
	while [ -e running ]; do
		first=$(($1 * 1000000 + n * 20 + 1))
		orders 20 "$first" | uoms-upsert >/dev/null || return 1
		st=0
		uoms-query --status WAITING --limit 10 |
		    uoms-status --to IN_PROGRESS >/dev/null 2>"status.$1.err" || st=$?
		[ "$st" -le 1 ] || { cat "status.$1.err"; return 1; }
		n=$((n + 1))
	done
}

@test "reports while $W writers write: totals add up within each, and only grow" {
	# enough orders that a report's passes take a while: a writer's
	# commit between two of them is likely, unless they share a snapshot
	orders "$SEED" | uoms-upsert >/dev/null
	uoms-query --status WAITING --limit 500 | uoms-status --to IN_PROGRESS >/dev/null
	touch running
	pids=()
	for ((w = 1; w <= W; w++)); do
		writer "$w" >"w.$w.log" 2>&1 &
		pids+=($!)
	done
	for ((i = 1; i <= RUNS; i++)); do
		uoms-report status >"status.$i"
		uoms-report status --format csv >"status.$i.csv"
		uoms-report metrics --from 2026-01-01 --to 2027-01-01 --window 30d \
		    >"metrics.$i"
		uoms-report daily --by department >"daily.$i"
	done
	rm running
	for p in "${pids[@]}"; do
		wait "$p" || { tail w.*.log; false; }
	done
	python3 - "$RUNS" "$(sql 'SELECT count(*) FROM orders')" "$SEED" <<-'PY'
	import csv, json, sys
	runs, final, seed = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
	def rows(f):
	    return [json.loads(l) for l in open(f)]
	last = 0
	for i in range(1, runs + 1):
	    board = rows("status.%d" % i)
	    body, tot = board[:-1], board[-1]
	    assert tot["totals"], tot
	    assert sum(r["total"] for r in body) == tot["total"], (i, board)
	    for r in board:
	        assert sum(r["statuses"].values()) == r["total"], (i, r)
	    for s, n in tot["statuses"].items():
	        assert sum(r["statuses"][s] for r in body) == n, (i, s)
	    # committed orders only, and never fewer than a report before
	    assert seed <= last <= tot["total"] <= final or last == 0, (i, last, tot)
	    last = tot["total"]
	    c = list(csv.reader(open("status.%d.csv" % i, newline="")))
	    assert c[-1][0] == "TOTAL" and int(c[-1][-1]) >= tot["total"], (i, c[-1])
	    # one snapshot: the intake (orders pass) less the moves (event
	    # log pass) is the backlog; each writer's commit between the
	    # two would break it
	    m = rows("metrics.%d" % i)[-1]
	    assert m["orders_in"] - m["shipped"] == m["backlog"], (i, m)
	    assert m["orders_in"] >= tot["total"] or m["orders_in"] <= final, (i, m)
	    d = rows("daily.%d" % i)
	    assert sum(r["orders"] for r in d[:-1]) == d[-1]["orders"], (i, d)
	    assert sum(r["items"] for r in d[:-1]) == d[-1]["items"], (i, d)
	assert last > seed, last
	PY
	# the writers were not held up: each wrote many times over
	[ "$(sql "SELECT count(*) FROM orders")" -gt $((SEED + W * 20)) ]
	# and after them, the board counts every order
	uoms-report status >final
	[ "$(tail -1 final | jget total)" = "$(sql 'SELECT count(*) FROM orders')" ]
}
