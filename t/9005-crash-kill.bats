#!/usr/bin/env bats
# kill -9 at random moments, many times: of an upsert, of a status
# pipeline, of uoms-lock run. After each kill the store is sound (t/
# invariants.py: integrity, every order whole, every version matched by
# its event, none twice), and running the same work again converges to
# what an uncrashed run gives. t/9002-crash.bats kills one large upsert
# once and checks what was stored before the kill is left as it was;
# this one kills often, anywhere, including in the first milliseconds:
# each round starts from the same store, kills the work at a random
# moment, checks the store, reruns the work to the end and compares.
#
# UOMS_CRASH_KILLS kills per test (default 6), UOMS_CRASH_LINES orders
# (default 1000); UOMS_CRASH_SEED replays a run's moments.
#
# On PostgreSQL the kill lands on the client: the server rolls back what
# its connection had begun. Each round's starting store is made once on
# SQLite (base.db) and moved into a fresh schema with uoms-copy; what a
# rerun converges to is compared with the same work done on SQLite.
load helper

KILLS=${UOMS_CRASH_KILLS:-6}
N=${UOMS_CRASH_LINES:-1000}

setup_file() {
	export UOMS_CRASH_SEED=${UOMS_CRASH_SEED:-$$}
}

setup() {
	cd "$BATS_TEST_TMPDIR" || return 1
	store_fresh || return 1
	export UOMS_ACTOR=tester
	SRC=${UOMS_SRC:-$BATS_TEST_DIRNAME/..}
	# Small batches: a run commits many times, so a kill lands between
	# commits as often as inside one.
	echo 'batch: 100' >cfg.yaml
	export UOMS_CONFIG=$PWD/cfg.yaml
	RANDOM=$((UOMS_CRASH_SEED + ${BATS_TEST_NUMBER:-0}))
	echo "seed $UOMS_CRASH_SEED"
}

# input: $N orders in in.jsonl, their item counts in want-items.
input() {
	if command -v gen-orders >/dev/null; then
		gen-orders --count "$N" >in.jsonl
	else
		orders "$N" >in.jsonl
	fi
	python3 - in.jsonl >want-items <<'PY'
import json, sys
for line in open(sys.argv[1], encoding="utf-8"):
    o = json.loads(line)
    print("%s|%s|%d" % (o["channel"], o["external_order_id"], len(o["items"])))
PY
}

# sound: the store's invariants hold.
sound() {
	run --separate-stderr python3 "$SRC/t/invariants.py" "$UOMS_DB" want-items
	if [ "$status" -ne 0 ]; then
		echo "after kill $k (seed $UOMS_CRASH_SEED):"
		echo "$output" "$stderr"
		return 1
	fi
}

# snapshot DB: the store's orders as uoms-query prints them, sorted, with
# the times of day left out (a rerun stamps its own), and on PostgreSQL
# the ids too when IDS=no: a killed insert has drawn numbers from the
# sequence that no rerun gives again (SQLite reuses them).
snapshot() {
	local ids='$^'
	engine_is pg && [ "${IDS:-}" = no ] && ids='"id":[0-9]+,'
	UOMS_DB=$1 uoms-query |
	    sed -E -e 's/"(created_at|updated_at|depart_time|complete_time)":("[^"]*"|null),?//g' \
	    -e "s/$ids//" |
	    sort
}

# moment MS: a random moment within the first MS milliseconds, in $at
# (seconds), drawn in this shell so that the seed replays it.
moment() {
	printf -v at '0.%03d' $((RANDOM % $1))
}

# span_since T0: in $span, the milliseconds since T0 (date +%s%N), 2 to
# 999: the window the kills land in is the time the whole uncrashed work
# took here. A fixed window was longer than the work on an idle machine,
# so every kill could come after it had ended.
span_since() {
	span=$((($(date +%s%N) - $1) / 1000000))
	((span >= 2)) || span=2
	((span <= 999)) || span=999
}

# restore BASE: the store as BASE (a SQLite file) holds it (no WAL left
# beside either); on PostgreSQL, copied into a fresh schema.
restore() {
	if engine_is pg; then
		store_fresh && uoms-copy --quiet -d "$1" "$UOMS_DB" >/dev/null
		return
	fi
	rm -f "$UOMS_DB" "$UOMS_DB-wal" "$UOMS_DB-shm"
	cp "$1" "$UOMS_DB"
}

# converges WANT: the store, once the work is rerun, is WANT.
converges() {
	snapshot "$UOMS_DB" >got
	diff -u "$1" got
}

# gone TOKEN: no process runs with UOMS_CRASH_TOKEN=TOKEN in its
# environment any more: the command and every process it started.
gone() {
	! grep -qsaF -- "UOMS_CRASH_TOKEN=$1" /proc/[0-9]*/environ
}

@test "invariants.py: a sound store passes; each kind of breach is named" {
	orders 3 | uoms-upsert >/dev/null
	uoms-status --to IN_PROGRESS 1 2 >/dev/null
	orders 3 | python3 -c '
import json, sys
for l in sys.stdin:
    o = json.loads(l)
    print("%s|%s|%d" % (o["channel"], o["external_order_id"], len(o["items"])))' >want-items
	run --separate-stderr python3 "$SRC/t/invariants.py" "$UOMS_DB" want-items
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	# A step without its event, a step logged twice, an order without
	# its items, an item count unlike its line.
	sql "DELETE FROM events WHERE order_id = 1 AND version = 2"
	sql "INSERT INTO events(order_id, type, actor, at, version) VALUES (2, 'status', 'x', 'x', 2)"
	sql "DELETE FROM order_items WHERE order_id = 3"
	sed -i 's/|1$/|7/; s/|2$/|7/' want-items
	run --separate-stderr python3 "$SRC/t/invariants.py" "$UOMS_DB" want-items
	[ "$status" -eq 1 ]
	printf '%s\n' "$output"
	[[ "$output" == *"order 1: version 2, event versions [1]"* ]]
	[[ "$output" == *"order 2: version 2, event versions [1, 2, 2]"* ]]
	[[ "$output" == *"order 3 (coupang|3): no items"* ]]
	[[ "$output" == *"items, its line had 7"* ]]
}

@test "kill -9 of uoms-upsert at random moments: sound after each, the rerun converges" {
	input
	IDS=no
	UOMS_DB=base.db uoms-upsert </dev/null
	t0=$(date +%s%N)
	UOMS_DB=ref.db uoms-upsert in.jsonl >/dev/null
	span_since "$t0"
	snapshot ref.db >want
	[ "$(wc -l <want)" -eq "$N" ]
	killed=0
	for ((k = 1; k <= KILLS; k++)); do
		restore base.db
		uoms-upsert in.jsonl >/dev/null 2>err &
		pid=$!
		moment "$span"
		# not synchronisation: the random moment the kill lands at
		sleep "$at"
		kill -9 "$pid" 2>/dev/null && killed=$((killed + 1))
		wait "$pid" || true
		sound
		uoms-upsert --summary in.jsonl >/dev/null 2>summary
		[[ "$(cat summary)" == "uoms-upsert: read $N, "*", updated 0, "*", rejected 0" ]]
		converges want
	done
	k=last sound
	echo "# upsert: killed $killed of $KILLS runs mid-way, within ${span} ms (seed $UOMS_CRASH_SEED)" >&3
	[ "$killed" -ge 1 ]
	# A rerun after convergence changes nothing.
	uoms-upsert --summary in.jsonl >/dev/null 2>again
	[ "$(cat again)" = "uoms-upsert: read $N, created 0, updated 0, unchanged $N, rejected 0" ]
}

# moved: no order moved twice, each moved one is IN_PROGRESS at version 2.
moved_once() {
	[ "$(sql "SELECT count(*) FROM orders WHERE version > 2 OR (status = 'IN_PROGRESS') <> (version = 2)")" -eq 0 ]
}

@test "kill -9 of uoms-query | uoms-status at random moments: each order moves once, the rerun converges" {
	input
	UOMS_DB=base.db uoms-upsert in.jsonl >/dev/null
	cp base.db ref.db
	t0=$(date +%s%N)
	UOMS_DB=ref.db uoms-query --status WAITING | UOMS_DB=ref.db uoms-status --to IN_PROGRESS >/dev/null
	span_since "$t0"
	snapshot ref.db >want
	killed=0
	for ((k = 1; k <= KILLS; k++)); do
		restore base.db
		rm -f pipe && mkfifo pipe
		uoms-query --status WAITING >pipe 2>/dev/null &
		q=$!
		uoms-status --to IN_PROGRESS <pipe >/dev/null 2>err &
		s=$!
		moment "$span"
		# not synchronisation: the random moment the kill lands at
		sleep "$at"
		kill -9 "$s" 2>/dev/null && killed=$((killed + 1))
		kill -9 "$q" 2>/dev/null || true
		wait "$q" "$s" || true
		sound
		moved_once
		uoms-query --status WAITING | uoms-status --to IN_PROGRESS >/dev/null
		[ "$(sql "SELECT count(*) FROM events WHERE type = 'status'")" -eq "$N" ]
		converges want
	done
	k=last sound
	echo "# status pipeline: killed $killed of $KILLS runs mid-way (seed $UOMS_CRASH_SEED)" >&3
	[ "$killed" -ge 1 ]
}

@test "kill -9 of uoms-lock run at random moments: sound after each, the rerun converges" {
	input
	UOMS_DB=base.db uoms-upsert in.jsonl >/dev/null
	cp base.db ref.db
	ids=$(seq 1 300 | tr '\n' ' ')
	# The command under the lock moves the orders still WAITING.
	cmd='uoms-query --status WAITING | uoms-status --actor a --to IN_PROGRESS >/dev/null 2>&1; :'
	t0=$(date +%s%N)
	UOMS_DB=ref.db uoms-lock --actor a run --type STATUS $ids -- sh -c "$cmd" ref-run >/dev/null
	span_since "$t0"
	snapshot ref.db >want
	killed=0
	for ((k = 1; k <= KILLS; k++)); do
		restore base.db
		token=crash-kill-$$-$k
		UOMS_CRASH_TOKEN=$token uoms-lock --actor a run --type STATUS --ttl 30 $ids -- sh -c "$cmd" >/dev/null 2>err &
		pid=$!
		moment "$span"
		# not synchronisation: the random moment the kill lands at
		sleep "$at"
		kill -9 "$pid" 2>/dev/null && killed=$((killed + 1))
		wait "$pid" || true
		# The command and its pipeline die with uoms-lock (t/9008 shows
		# it); the invariants are checked once every one of them is gone.
		wait_for gone "$token"
		sound
		moved_once
		# The same actor runs it again over its own leftover locks.
		run --separate-stderr uoms-lock --actor a run --type STATUS $ids -- sh -c "$cmd" "$token-rerun"
		[ "$status" -eq 0 ]
		converges want
		# The locks it took are released.
		[ "$(sql "SELECT count(*) FROM locks")" -eq 0 ]
	done
	k=last sound
	echo "# lock run: killed $killed of $KILLS runs mid-way (seed $UOMS_CRASH_SEED)" >&3
	[ "$killed" -ge 1 ]
}
