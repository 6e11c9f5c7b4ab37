#!/usr/bin/env bats
# Many short processes on one SQLite store, each opening it, writing or
# reading, and closing it, while others do the same: the last to close
# checkpoints the WAL into the file and deletes it, the next to open
# finds it gone or recovers it, writers wait for each other through the
# store's busy handler (lib/store.c: looks again every 0.1-1 ms). None
# may fail busy, lose a move, or leave the file broken. Bounded: P
# workers of R rounds each.
load helper

P=4
R=12

@test "$P workers opening, moving, reading and closing the store at once, $R rounds each: every move stored once" {
	engine_only sqlite "the WAL, its checkpoint at close and the busy handler are SQLite's"
	orders $((P * R)) >base.jsonl
	uoms-upsert base.jsonl >/dev/null
	# Bigger writes beside them (400 other orders, their zone changed each
	# round), so that closes have a WAL to fold in.
	orders 400 1001 | sed 's/"zone":"[^"]*"/"zone":"churn-0"/' >churn.0
	sed 's/"zone":"churn-0"/"zone":"churn-1"/' churn.0 >churn.1
	pids=()
	for ((p = 0; p < P; p++)); do
		(
			for ((i = 1; i <= R; i++)); do
				id=$((p * R + i))
				uoms-status --to IN_PROGRESS "$id" >/dev/null || exit 10
				[ "$(uoms-query --id "$id" | jget status)" = IN_PROGRESS ] || exit 11
				uoms-query --id $(((id % (P * R)) + 1)) >/dev/null || exit 12
			done
		) 2>"err.$p" &
		pids+=($!)
	done
	(
		for ((i = 0; i < R / 2; i++)); do
			uoms-upsert "churn.$((i % 2))" >/dev/null || exit 13
		done
	) 2>err.churn &
	pids+=($!)
	failed=0
	for pid in "${pids[@]}"; do
		st=0
		wait "$pid" || st=$?
		[ "$st" -eq 0 ] || { echo "a worker exited $st"; failed=1; }
	done
	for f in err.*; do
		[ -s "$f" ] && { echo "$f: $(cat "$f")"; failed=1; }
	done
	[ "$failed" -eq 0 ]
	[ "$(sql "SELECT count(*) FROM orders WHERE status = 'IN_PROGRESS' AND
	    version = 2")" = $((P * R)) ]
	[ "$(sql "SELECT count(*) FROM events WHERE type = 'status'")" = $((P * R)) ]
	[ "$(sql "SELECT count(*) FROM orders WHERE version = $((R / 2))")" = 400 ]
	store_invariants
	[ "$(sql 'PRAGMA integrity_check')" = ok ]
}
