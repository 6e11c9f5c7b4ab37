#!/usr/bin/env bats
# The same request under the same idempotency key, sent by several
# processes at once (a client retrying impatiently, a job run twice):
# applied once, every sender gets the same answer.
load helper

P=8

# race ARG...: runs `uoms-status ARG...` in $P processes at once, each
# waiting for the file go to appear so that they really collide; process p's
# stdout, stderr and exit status go to out.$p, err.$p, st.$p.
race() {
	local pids=() p
	for ((p = 0; p < P; p++)); do
		(
			: >"ready.$p"
			while [ ! -e go ]; do sleep 0.01; done
			st=0
			uoms-status "$@" >"out.$p" 2>"err.$p" || st=$?
			echo "$st" >"st.$p"
		) &
		pids+=($!)
	done
	# Every racer is up and waiting before any may go.
	wait_for eval '[ "$(ls ready.* 2>/dev/null | wc -l)" -eq "$P" ]'
	: >go
	for pid in "${pids[@]}"; do
		wait "$pid"
	done
}

@test "$P processes race the same request under one key: one move, version + 1 once, all exit 0 with the same record" {
	orders 3 | uoms-upsert >/dev/null
	race --to IN_PROGRESS --idempotency-key K 1
	for ((p = 0; p < P; p++)); do
		echo "racer $p: exit $(cat "st.$p"): $(cat "err.$p")"
		[ "$(cat "st.$p")" -eq 0 ]
		[ ! -s "err.$p" ]
		[ "$(wc -l <"out.$p")" -eq 1 ]
		cmp out.0 "out.$p"
	done
	[ "$(sql "SELECT count(*) FROM events WHERE type = 'status'")" -eq 1 ]
	[ "$(sql "SELECT version || ' ' || status FROM orders WHERE id = 1")" = "2 IN_PROGRESS" ]
	# what they printed is the order as it is
	[ "$(cat out.0)" = "$(uoms-query --id 1)" ]
	[ "$(sql "SELECT count(*) FROM idempotency")" -eq 1 ]
	# the others were not touched
	[ "$(sql "SELECT count(*) FROM orders WHERE version = 1")" -eq 2 ]
}

@test "$P processes race under one key while one asks for something else: that one is idempotency_mismatch" {
	orders 3 | uoms-upsert >/dev/null
	race --to IN_PROGRESS --idempotency-key K 1
	run --separate-stderr uoms-status --to CANCEL --idempotency-key K 1
	[ "$status" -eq 1 ]
	[ -z "$output" ]
	[[ "$stderr" == "uoms-status: order 1: idempotency_mismatch: "* ]]
	run --separate-stderr uoms-status --action depart --idempotency-key K 1
	[ "$status" -eq 1 ]
	[[ "$stderr" == *"idempotency_mismatch"* ]]
	[ "$(sql "SELECT count(*) FROM events WHERE type = 'status'")" -eq 1 ]
	[ "$(sql "SELECT version || ' ' || status FROM orders WHERE id = 1")" = "2 IN_PROGRESS" ]
}

@test "$P processes race one key over several orders: each order moves once, every racer prints the same records" {
	orders 20 | uoms-upsert >/dev/null
	race --to IN_PROGRESS --idempotency-key batch-7 $(seq 1 20)
	for ((p = 0; p < P; p++)); do
		[ "$(cat "st.$p")" -eq 0 ]
		[ ! -s "err.$p" ]
		cmp out.0 "out.$p"
	done
	[ "$(wc -l <out.0)" -eq 20 ]
	[ "$(sql "SELECT count(*) FROM events WHERE type = 'status'")" -eq 20 ]
	[ "$(sql "SELECT count(*) FROM orders WHERE version = 2 AND status = 'IN_PROGRESS'")" -eq 20 ]
}

@test "$P actors race under the same key: keys are per actor, so one moves and the others are refused by the workflow" {
	orders 1 | uoms-upsert >/dev/null
	pids=()
	for ((p = 0; p < P; p++)); do
		(
			st=0
			uoms-status --actor "op$p" --to IN_PROGRESS --idempotency-key K 1 >"out.$p" 2>"err.$p" || st=$?
			echo "$st" >"st.$p"
		) &
		pids+=($!)
	done
	for pid in "${pids[@]}"; do
		wait "$pid"
	done
	[ "$(cat st.* | sort | uniq -c | awk '{ print $1 ":" $2 }' | paste -sd ' ')" = "1:0 $((P - 1)):1" ]
	[ "$(cat err.* | grep -c invalid_transition)" -eq $((P - 1)) ]
	[ "$(sql "SELECT count(*) FROM events WHERE type = 'status'")" -eq 1 ]
	[ "$(sql "SELECT count(*) FROM idempotency")" -eq 1 ]
}
