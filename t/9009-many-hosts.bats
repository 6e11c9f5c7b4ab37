#!/usr/bin/env bats
# Many hosts on one PostgreSQL store: writers in separate processes, each
# with its own connection, racing on the same orders with every kind of
# change (status moves, assignments, channel revisions, holds, requests
# under one idempotency key, locks, two channel syncs at once). Nothing
# accepted is lost, nothing is applied twice, every version is matched by
# its event, and no lock is ever held by two.
#
# SQLite has one machine: t/9001, t/9003, t/9004 and t/9006 race its
# writers there; this file runs in make check's PostgreSQL pass.
load helper

P=8	# hosts (processes) at once
K=24	# steps each

ONE_MACHINE="PostgreSQL only: a SQLite store has one machine, whose races t/9001, t/9003, t/9004 and t/9006 cover"

# hosts FUNCTION: runs FUNCTION P in $P processes at once, each as actor
# hP, once all of them are up (the file go), and waits for them all.
hosts() {
	local pids=() p
	rm -f go
	for ((p = 0; p < P; p++)); do
		(
			export UOMS_ACTOR=h$p
			: >"ready.$p"
			while [ ! -e go ]; do sleep 0.01; done
			"$1" "$p"
		) &
		pids+=($!)
	done
	wait_for eval '[ "$(ls ready.* 2>/dev/null | wc -l)" -eq "$P" ]'
	: >go
	for pid in "${pids[@]}"; do
		wait "$pid"
	done
	rm -f ready.*
}

# ran P WHAT STATUS: a tool's exit status is 0 or 1 (refused lines),
# never usage (2) or cannot run (3); else it goes to fail.P.
ran() {
	case $3 in
	0 | 1) ;;
	*) echo "host $1: $2: exit $3" >>"fail.$1" ;;
	esac
}

# no_failure [REFUSAL...]: no host's tool failed, and every message on
# the hosts' stderr (err.*) is one of the refusals named.
no_failure() {
	local f
	f=$(cat fail.* 2>/dev/null || true)
	[ -z "$f" ] || { echo "failed: $f" | head -20; false; }
	if [ $# -eq 0 ]; then
		f=$(cat err.* 2>/dev/null || true)
	else
		f=$(cat err.* 2>/dev/null | grep -v -F "${@/#/-e}" || true)
	fi
	[ -z "$f" ] || { echo "unexpected: $f" | head -20; false; }
}

# mixed P: host P's steps on orders 1-24 (moves, assignments, channel
# revisions, holds read a moment ago; at step i all hosts on one or two
# orders, each doing another thing) and on orders 25-32 (the same
# requests under one idempotency key, as one client, svc, from every host).
mixed() {
	local p=$1 i id k st
	for ((i = 1; i <= K; i++)); do
		id=$(((i * 5 + p % 2) % 24 + 1))
		k=$((25 + (p + i) % 8))
		st=0
		case $(((p + i) % 6)) in
		0)
			uoms-query --id "$id" --status WAITING |
			    uoms-status --to IN_PROGRESS >>"moved.$p" 2>>"err.$p" || st=$?
			;;
		1)
			uoms-query --id "$id" --status IN_PROGRESS |
			    uoms-status --to COMPLETE >>"moved.$p" 2>>"err.$p" || st=$?
			;;
		2)
			uoms-query --id "$id" | uoms-assign --driver "d$p-$i" \
			    --phone 010-1234-5678 >>"assigned.$p" 2>>"err.$p" || st=$?
			;;
		3)
			printf '{"channel":"coupang","external_order_id":"%d","warehouse":"h%d-%d"}\n' \
			    "$id" "$p" "$i" | uoms-upsert --summary >/dev/null 2>>"up.$p" || st=$?
			;;
		4)
			uoms-hold set --reason other --note "h$p-$i" "$id" \
			    >>"held.$p" 2>>"err.$p" || st=$?
			ran "$p" hold "$st"
			st=0
			uoms-hold resolve --all "$id" >/dev/null 2>>"err.$p" || st=$?
			;;
		5)
			# assigned before it moves: a moved order takes no driver
			uoms-assign --actor svc --driver kim --idempotency-key "kim-$k" \
			    "$k" 2>>"err.$p" | sed "s/^/$k /" >>"idem-assign.$p"
			ran "$p" "idempotent assign" "${PIPESTATUS[0]}"
			uoms-status --actor svc --to IN_PROGRESS --idempotency-key "go-$k" \
			    "$k" 2>>"err.$p" | sed "s/^/$k /" >>"idem.$p"
			ran "$p" "idempotent status" "${PIPESTATUS[0]}"
			;;
		esac
		ran "$p" "step $i" "$st"
	done
}

@test "$P hosts race moves, assignments, revisions, holds and keyed requests on the same orders: none lost, none twice" {
	engine_only pg "$ONE_MACHINE"
	orders 32 | uoms-upsert >/dev/null
	hosts mixed
	# how often they collided, for the log (a loaded machine may
	# serialise them: not asserted)
	echo "# $(cat err.* | grep -c version_conflict || true) version conflicts, $(cat moved.* | wc -l) moves, $(cat up.* | wc -l) revisions, $(cat held.* | wc -l) holds" >&3
	no_failure version_conflict on_hold invalid_transition \
	    'nothing stored: 1 refused (all or nothing)' \
	    'invalid: no unresolved hold to resolve'

	# Every move printed is one status event, the same order, version and
	# state, by the host that printed it; and each order's state is the
	# number of its moves (WAITING 0, IN_PROGRESS 1, COMPLETE 2).
	cat moved.* | fields id version status | sort -n >printed
	sql "SELECT order_id, version, to_state FROM events WHERE type = 'status'
	    AND order_id <= 24" | tr '|' '\t' | sort -n >logged
	diff -u logged printed
	for ((p = 0; p < P; p++)); do
		[ "$(sql "SELECT count(*) FROM events WHERE type = 'status' AND actor = 'h$p'")" -eq "$(cat "moved.$p" 2>/dev/null | wc -l)" ]
		[ "$(sql "SELECT count(*) FROM events WHERE type = 'assigned' AND actor = 'h$p'")" -eq "$(cat "assigned.$p" 2>/dev/null | wc -l)" ]
		[ "$(sql "SELECT count(*) FROM events WHERE type = 'hold_placed' AND actor = 'h$p'")" -eq "$(cat "held.$p" 2>/dev/null | wc -l)" ]
	done
	[ "$(sql "SELECT count(*) FROM orders o WHERE id <= 24 AND (SELECT count(*)
	    FROM events e WHERE e.order_id = o.id AND e.type = 'status') <> CASE
	    o.status WHEN 'WAITING' THEN 0 WHEN 'IN_PROGRESS' THEN 1
	    WHEN 'COMPLETE' THEN 2 ELSE -1 END")" -eq 0 ]
	# Each channel revision was a change (its warehouse new): one updated
	# event each, none refused, none created again.
	[ "$(cat up.* | grep -cvx 'uoms-upsert: read 1, created 0, updated 1, unchanged 0, rejected 0')" -eq 0 ]
	[ "$(sql "SELECT count(*) FROM events WHERE type = 'updated'")" -eq "$(cat up.* | wc -l)" ]
	[ "$(sql "SELECT count(*) FROM events WHERE type = 'created'")" -eq 32 ]
	# Every hold placed is a hold, every hold resolved at the end.
	[ "$(sql "SELECT count(*) FROM holds")" -eq "$(cat held.* | wc -l)" ]
	[ "$(sql "SELECT count(*) FROM holds WHERE state <> 'resolved'")" -eq 0 ]
	# (a resolve --all resolves what is open then, one event naming them)
	[ "$(uoms-events --type hold_resolved | python3 -c '
import json, sys
ids = [h for l in sys.stdin for h in json.loads(l)["details"]["hold_ids"]]
print(len(ids), len(set(ids)))')" = "$(cat held.* | wc -l) $(cat held.* | wc -l)" ]

	# One request under one key: applied once, the same answer to all.
	[ "$(cat idem.* | wc -l)" -gt 0 ]
	[ "$(cat idem-assign.* | wc -l)" -eq "$(cat idem.* | wc -l)" ]
	[ "$(cat idem.* | sort -u | cut -d' ' -f1 | uniq -d | wc -l)" -eq 0 ]
	[ "$(cat idem-assign.* | sort -u | cut -d' ' -f1 | uniq -d | wc -l)" -eq 0 ]
	[ "$(sql "SELECT count(*) FROM orders WHERE id > 24 AND status <> 'WAITING'")" -eq "$(cat idem.* | cut -d' ' -f1 | sort -u | wc -l)" ]
	[ "$(sql "SELECT count(*) FROM events WHERE order_id > 24 AND type = 'status'")" -eq "$(cat idem.* | cut -d' ' -f1 | sort -u | wc -l)" ]
	[ "$(sql "SELECT count(*) FROM events WHERE order_id > 24 AND type = 'assigned'")" -eq "$(cat idem-assign.* | cut -d' ' -f1 | sort -u | wc -l)" ]
	[ "$(sql "SELECT count(*) FROM idempotency")" -eq "$(($(cat idem.* | cut -d' ' -f1 | sort -u | wc -l) + $(cat idem-assign.* | cut -d' ' -f1 | sort -u | wc -l)))" ]

	store_invariants
}

# locked P: host P adds one to a counter order (its warehouse w-N) K
# times, each from the version it read, under the order's EDIT lock:
# through uoms-lock run (even hosts) or acquire and release (odd ones).
# The folder in.ID is made while the lock is held: a second holder finds
# it there (mkdir fails) and says so in the file overlap.
locked() {
	local p=$1 i id st
	for ((i = 1; i <= K; i++)); do
		id=$(((p + i) % 4 + 1))
		st=0
		if [ $((p % 2)) -eq 0 ]; then
			uoms-lock run --type EDIT --ttl 60 --wait 60 "$id" -- \
			    bash -c "$(declare -f critical); critical $id $p" \
			    2>>"err.$p" || st=$?
		else
			uoms-lock acquire --type EDIT --ttl 60 --wait 60 "$id" \
			    >/dev/null 2>>"err.$p" || st=$?
			[ "$st" -ne 0 ] || critical "$id" "$p" || st=$?
			[ "$st" -ne 0 ] || uoms-lock release --type EDIT "$id" \
			    >/dev/null 2>>"err.$p" || st=$?
		fi
		[ "$st" -eq 0 ] && echo "$id" >>"inc.$p"
		ran "$p" "lock step $i" "$st"
		[ "$st" -eq 0 ] || echo "host $p: lock step $i: exit $st" >>"fail.$p"
	done
}

# critical ID P: inside the lock of order ID: one increment of its counter.
critical() {
	local q n st=0
	mkdir "in.$1" 2>/dev/null || echo "order $1: host $2 in while $(cat "in.$1/who") was" >>overlap
	echo "$2" >"in.$1/who"
	q=$(uoms-query --id "$1") || st=$?
	n=$(printf '%s\n' "$q" | sed -n 's/.*"warehouse":"w-\([0-9]*\)".*/\1/p')
	printf '%s\n' "$q" | uoms-edit --set "warehouse=w-$((n + 1))" >/dev/null || st=$?
	rm -rf "in.$1"
	return "$st"
}

@test "$P hosts take the same EDIT locks to count: never held by two, no increment lost" {
	engine_only pg "$ONE_MACHINE"
	for id in 1 2 3 4; do
		order "$id" 'warehouse="w-0"'
	done | uoms-upsert >/dev/null
	[ "$(uoms-query | grep -c '"warehouse":"w-0"')" -eq 4 ]
	hosts locked
	no_failure
	[ ! -e overlap ] || { cat overlap; false; }
	[ "$(cat inc.* | wc -l)" -eq $((P * K)) ]
	for id in 1 2 3 4; do
		want=$(cat inc.* | grep -cx "$id")
		[ "$(uoms-query --id "$id" | jget warehouse)" = "w-$want" ]
		[ "$(sql "SELECT count(*) FROM events WHERE order_id = $id AND type = 'edited'")" -eq "$want" ]
	done
	[ "$(nlocks)" -eq 0 ]
	store_invariants
}

CLOCK=2026-11-22T00:00:00Z

# synced P: host P syncs the demo channel into the store (fetch | upsert)
# three times, while the odd hosts also move orders between syncs.
synced() {
	local p=$1 r st
	for r in 1 2 3; do
		st=0
		uoms-fetch --channel demo --since 2026-11-21T18:00:00Z 2>>"err.$p" |
		    uoms-upsert --summary >/dev/null 2>>"up.$p" || st=$?
		ran "$p" "sync $r" "$st"
		[ $((p % 2)) -eq 1 ] || continue
		st=0
		uoms-query --channel demo --status WAITING --limit 2 2>>"err.$p" |
		    uoms-status --to IN_PROGRESS >>"moved.$p" 2>>"err.$p" || st=$?
		ran "$p" "move $r" "$st"
	done
}

@test "$P hosts sync the same channel at once while others move its orders: each order once, nothing undone, nothing held" {
	engine_only pg "$ONE_MACHINE"
	uoms-channel add demo --kind demo --set clock=$CLOCK >/dev/null
	uoms-fetch --channel demo --since 2026-11-21T18:00:00Z >want
	[ -s want ]
	hosts synced
	no_failure version_conflict
	# Each of the channel's orders stored once, created once.
	[ "$(sql "SELECT count(*) FROM orders")" -eq "$(wc -l <want)" ]
	[ "$(sql "SELECT count(*) FROM events WHERE type = 'created'")" -eq "$(wc -l <want)" ]
	[ "$(cat up.* | sed 's/.*created \([0-9]*\),.*/\1/' | awk '{ n += $1 } END { print n }')" -eq "$(wc -l <want)" ]
	# The channel said nothing new: no sync updated, undid a move or held.
	[ "$(sql "SELECT count(*) FROM events WHERE type = 'updated'")" -eq 0 ]
	[ "$(uoms-hold list | wc -l)" -eq 0 ]
	[ "$(uoms-events --type channel_drift | wc -l)" -eq 0 ]
	cat moved.* | fields id version status | sort -n >printed
	sql "SELECT order_id, version, to_state FROM events WHERE type = 'status'" |
	    tr '|' '\t' | sort -n >logged
	diff -u logged printed
	# Each move stands after the syncs that came after it.
	for id in $(cat moved.* | fields id); do
		[ "$(uoms-query --id "$id" | jget status)" = IN_PROGRESS ]
	done
	store_invariants
}
