#!/usr/bin/env bats
# Many operators moving the same orders at once, each from what they read
# a moment ago: every order moves exactly once, nobody's move is lost or
# applied twice, and every loser is told why.
load helper

N=500
P=8

# Transactions of 1 to 1000 references: the racers' moves interleave
# order by order, and big batches hold the store for long.
BATCHES=(1 1000 3 50 1 200 7 1)

# race CMD: runs CMD (a shell command line; $p is the process number) in
# $P processes at once, process p as actor op$p with its reject file
# rej.$p, stdout out.$p, stderr err.$p and exit status st.$p, and its
# configuration cfg.$p (batch: ${BATCHES[p]}) in UOMS_CONFIG.
race() {
	local pids=() p
	for ((p = 0; p < P; p++)); do
		echo "batch: ${BATCHES[p]}" >"cfg.$p"
		(
			export p UOMS_CONFIG=$PWD/cfg.$p
			st=0
			sh -c "$1" >"out.$p" 2>"err.$p" || st=$?
			echo "$st" >"st.$p"
		) &
		pids+=($!)
	done
	for pid in "${pids[@]}"; do
		wait "$pid"
	done
}

# check REFUSAL [SOME]: what $P racers did adds up; every refusal is
# REFUSAL. Each racer was given all $N orders, unless SOME.
check() {
	local p moved=0 refused=0
	for ((p = 0; p < P; p++)); do
		echo "racer $p: exit $(cat "st.$p"), moved $(wc -l <"out.$p"), refused $(cat "rej.$p" 2>/dev/null | wc -l)"
		# exit 0 when nothing was refused, else 1; never 3 (busy, broken)
		[ "$(cat "st.$p")" -eq "$([ -s "rej.$p" ] && echo 1 || echo 0)" ]
		! grep -qi busy "err.$p" || false
		# one line on stderr per refusal, none other
		[ "$(wc -l <"err.$p")" -eq "$(cat "rej.$p" 2>/dev/null | wc -l)" ]
		moved=$((moved + $(wc -l <"out.$p")))
		refused=$((refused + $(cat "rej.$p" 2>/dev/null | wc -l)))
	done
	# every order moved exactly once
	[ "$moved" -eq "$N" ]
	[ -n "$2" ] || [ "$((moved + refused))" -eq $((N * P)) ]
	[ "$(sql "SELECT count(*) FROM events WHERE type = 'status'")" -eq "$moved" ]
	[ "$(sql "SELECT count(*) FROM orders o WHERE (SELECT count(*) FROM events e
	    WHERE e.order_id = o.id AND e.type = 'status') <> 1")" -eq 0 ]
	[ "$(sql "SELECT count(*) FROM orders WHERE status = 'IN_PROGRESS' AND version = 2
	    AND depart_time IS NOT NULL")" -eq "$N" ]
	# each move is the one its winner printed: same order, same actor
	cat out.* | python3 -c '
import json, sys
for l in sys.stdin:
    o = json.loads(l)
    print(o["id"], o["version"], o["status"])' | sort -n >printed
	sql "SELECT order_id, version, to_state FROM events WHERE type = 'status'" | tr '|' ' ' | sort -n >logged
	diff -u logged printed
	for ((p = 0; p < P; p++)); do
		[ "$(sql "SELECT count(*) FROM events WHERE type = 'status' AND actor = 'op$p'")" -eq "$(wc -l <"out.$p")" ]
	done
	# every refusal is the one expected
	cat rej.* 2>/dev/null | jget error.code | sort | uniq -c | awk '{ print $2 }' >codes
	[ "$refused" -eq 0 ] || [ "$(cat codes)" = "$1" ]
}

@test "$P processes move the same $N records read once: each order moves once, the rest are version_conflict" {
	orders "$N" | uoms-upsert >/dev/null
	uoms-query --status WAITING >waiting
	[ "$(wc -l <waiting)" -eq "$N" ]
	# half of them take the list backwards, so they collide all the way
	tac waiting >waiting.rev
	SECONDS=0
	race 'f=waiting; [ $((p % 2)) -eq 1 ] && f=waiting.rev
	    exec uoms-status --actor op$p --to IN_PROGRESS --reject rej.$p <$f'
	echo "took $SECONDS s"
	check version_conflict
	# the refused lines carry the version that won
	[ "$(cat rej.* | jget error.current_version | sort -u)" = 2 ]
}

@test "$P processes, each reading for itself: a record read before another's move is a version_conflict" {
	orders "$N" | uoms-upsert >/dev/null
	race 'uoms-query --status WAITING >read.$p
	    exec uoms-status --actor op$p --to IN_PROGRESS --reject rej.$p <read.$p'
	check version_conflict some
	# what each read and what became of it add up
	for ((p = 0; p < P; p++)); do
		[ "$(wc -l <"read.$p")" -eq $(($(wc -l <"out.$p") + $(cat "rej.$p" 2>/dev/null | wc -l))) ]
	done
}

@test "$P processes move the same $N orders by id (no version): each order moves once, the rest are invalid_transition" {
	orders "$N" | uoms-upsert >/dev/null
	race 'exec uoms-status --actor op$p --to IN_PROGRESS --reject rej.$p $(seq 1 '"$N"')'
	check invalid_transition
}
