#!/bin/bash
# soak.sh: mixed traffic from many processes on one store for a while, then
# the invariants. `make soak` runs it for SOAK_SECONDS (default 1800);
# t/9006-soak.bats runs it for 10 seconds in `make check`.
#
# SOAK_WORKERS processes (default 8), each its own actor (w0, w1, ...),
# each picking at random, until the time is up:
#   edit    a version-checked read-modify-write of a counter: read one of
#           the counter orders, edit its warehouse "w-N" to "w-N+1" from
#           the version read; a refusal (version_conflict, locked) is
#           retried later; half of them under `uoms-lock run --type EDIT`;
#   remark  a remark on a counter order;
#   status  the next step (WAITING to IN_PROGRESS to COMPLETE) of a few
#           orders, from what was read (version-checked);
#   assign  a driver for a few orders, from what was read;
#   upsert  new orders (gen-orders) and new revisions of older ones;
#   fetch   the demo channel into uoms-upsert;
#   report  a report in each format.
# At the end: no tool ever failed (exit 3, busy, internal); every counter
# equals the number of increments its workers saw succeed (no lost
# update); every remark seen added is there; every order's status agrees
# with its status events and their sum with the steps the workers printed
# (no double step); t/invariants.py holds (integrity, whole orders, every
# version matched by its event).
#
# SOAK_DEMO_RATE is the demo channel's orders per hour (default 60): a
# first fetch brings a day of them, some 1600 orders upserted at once.
#
# SOAK_DIR keeps the store and logs there (default: a fresh temporary
# directory, removed when all is well). SOAK_DB names another store to
# soak instead of SOAK_DIR/uoms.db: an empty PostgreSQL one (a URL; the
# checks read it with psql). SOAK_SEED replays a run's choices
# (its timing is the machine's).
set -u
SRC=$(cd "$(dirname "$0")/.." && pwd)
SECS=${SOAK_SECONDS:-1800}
P=${SOAK_WORKERS:-8}
SEED=${SOAK_SEED:-$$}
C=8		# counter orders: ids 1..C
S=400		# soak-status orders to start with

# incr ID: one version-checked increment of counter order ID. Exit 0 done,
# 1 refused (retry), 3 broken. Also run under uoms-lock run, as
# `soak.sh --incr ID`.
incr() {
	local q n st=0
	q=$(uoms-query --id "$1" 2>>"err.$W") || return 3
	n=$(printf '%s\n' "$q" | sed -n 's/.*"warehouse":"w-\([0-9]*\)".*/\1/p')
	[ -n "$n" ] || { echo "counter $1: no w-N in $q" >>"err.$W"; return 3; }
	printf '%s\n' "$q" | uoms-edit --set "warehouse=w-$((n + 1))" \
	    >/dev/null 2>>"err.$W" || st=$?
	return "$st"
}

if [ "${1:-}" = --incr ]; then
	incr "$2"
	exit
fi

# ok WHAT STATUS: a tool's exit status is 0 or 1 (refused lines), never
# usage (2) or cannot run (3).
ok() {
	case $2 in
	0 | 1) ;;
	*) echo "$1: exit $2" >>"fail.$W" ;;
	esac
}

# worker W: picks operations at random until the time is up.
worker() {
	export W=$1 UOMS_ACTOR=w$1
	local i=0 op id st n
	RANDOM=$((SEED * 31 + W))
	while [ "$SECONDS" -lt "$SECS" ]; do
		i=$((i + 1))
		op=$((RANDOM % 12))
		id=$((RANDOM % C + 1))
		st=0
		case $op in
		0 | 1 | 2)
			echo edit >>"ops.$W"
			incr "$id" || st=$?
			ok edit "$st"
			[ "$st" -eq 0 ] && echo "$id" >>"inc.$W"
			;;
		3)
			echo lock >>"ops.$W"
			uoms-lock run --type EDIT --ttl 30 --wait 5 "$id" -- \
			    "$SRC/t/soak.sh" --incr "$id" >/dev/null 2>>"err.$W" || st=$?
			ok "lock run" "$st"
			[ "$st" -eq 0 ] && echo "$id" >>"inc.$W"
			;;
		4)
			echo remark >>"ops.$W"
			uoms-remark add "$id" "w$W-$i" >/dev/null 2>>"err.$W" || st=$?
			ok remark "$st"
			[ "$st" -eq 0 ] && echo "$id" >>"rem.$W"
			;;
		5 | 6)
			echo status >>"ops.$W"
			if [ $((RANDOM % 2)) -eq 0 ]; then
				uoms-query --channel soak-status --status WAITING --limit 10 2>>"err.$W" |
				    uoms-status --to IN_PROGRESS >>"moved.$W" 2>>"err.$W" || st=$?
			else
				uoms-query --channel soak-status --status IN_PROGRESS --limit 10 2>>"err.$W" |
				    uoms-status --to COMPLETE >>"moved.$W" 2>>"err.$W" || st=$?
			fi
			ok status "$st"
			;;
		7)
			echo assign >>"ops.$W"
			uoms-query --channel soak-status --status WAITING --limit 5 2>>"err.$W" |
			    uoms-assign --driver "driver-$W" --phone 010-1234-5678 --partial \
			    >/dev/null 2>>"err.$W" || st=$?
			ok assign "$st"
			;;
		8)
			echo upsert >>"ops.$W"
			# New orders for the status workers, and a new revision
			# of some generated earlier (other channels).
			n=$((W * 1000000 + i * 10))
			for ((k = 0; k < 10; k++)); do
				printf '{"channel":"soak-status","external_order_id":"s%d","kind":"delivery","department":"east","customer":{"name":"김","phone":"010-2222-3333"},"shipping":{"postal_code":"06236","address":"서울","zone":"gangnam"},"placed_at":"2026-11-21T09:12:00Z","total_amount":1000,"currency":"KRW","items":[{"external_item_id":"a","sku":"SKU-1","quantity":1,"unit_price":1000}]}\n' $((n + k))
			done | uoms-upsert >/dev/null 2>>"err.$W" || st=$?
			ok upsert "$st"
			st=0
			gen-orders --seed "$W" --start $((W * 1000000 + RANDOM % 500)) --count 20 \
			    --revision $((RANDOM % 3)) | uoms-upsert >/dev/null 2>>"err.$W" || st=$?
			ok "upsert revisions" "$st"
			;;
		9)
			echo fetch >>"ops.$W"
			uoms-fetch --channel demo 2>>"err.$W" | uoms-upsert >/dev/null 2>>"err.$W" || st=$?
			ok fetch "$st"
			;;
		*)
			echo report >>"ops.$W"
			for r in status daily sales metrics; do
				st=0
				uoms-report "$r" --format jsonl >/dev/null 2>>"err.$W" || st=$?
				[ "$st" -eq 0 ] || echo "report $r: exit $st" >>"fail.$W"
			done
			;;
		esac
	done
}

# failed WHAT: says WHAT is wrong and marks the run failed.
bad=0
failed() {
	echo "soak: FAIL: $*"
	bad=1
}

dir=${SOAK_DIR:-}
if [ -z "$dir" ]; then
	dir=$(mktemp -d "${TMPDIR:-/tmp}/uoms-soak.XXXXXX") || exit 3
	keep=0
else
	mkdir -p "$dir" || exit 3
	keep=1
fi
cd "$dir" || exit 3
rm -f uoms.db uoms.db-wal uoms.db-shm ./*.[0-9]* inc.lost
export UOMS_DB=${SOAK_DB:-$dir/uoms.db} UOMS_ACTOR=soak
unset UOMS_CONFIG
W=setup

for ((k = 1; k <= C; k++)); do
	printf '{"channel":"soak-counter","external_order_id":"c%d","kind":"delivery","department":"east","warehouse":"w-0","customer":{"name":"김","phone":"010-2222-3333"},"shipping":{"postal_code":"06236","address":"서울","zone":"gangnam"},"placed_at":"2026-11-21T09:12:00Z","total_amount":1000,"currency":"KRW","items":[{"external_item_id":"a","sku":"SKU-1","quantity":1,"unit_price":1000}]}\n' "$k"
done | uoms-upsert >/dev/null || { echo "soak: can't create the counters"; exit 3; }
for ((k = 1; k <= S; k++)); do
	printf '{"channel":"soak-status","external_order_id":"s%d","kind":"delivery","department":"west","customer":{"name":"김","phone":"010-2222-3333"},"shipping":{"postal_code":"06236","address":"서울","zone":"gangnam"},"placed_at":"2026-11-21T09:12:00Z","total_amount":1000,"currency":"KRW","items":[{"external_item_id":"a","sku":"SKU-1","quantity":1,"unit_price":1000}]}\n' "$k"
done | uoms-upsert >/dev/null || { echo "soak: can't create the orders"; exit 3; }
uoms-channel add demo --kind demo --set rate="${SOAK_DEMO_RATE:-60}" >/dev/null || { echo "soak: can't add the demo channel"; exit 3; }

# SOAK_LOSE (for the test of this script): an increment of counter 1 that
# never happened is recorded, as a lost update would look.
[ -z "${SOAK_LOSE:-}" ] || echo 1 >inc.lost

echo "soak: $P workers for $SECS s in $dir (SOAK_SEED=$SEED)"
SECONDS=0
pids=()
for ((w = 0; w < P; w++)); do
	worker "$w" &
	pids+=($!)
done
for pid in "${pids[@]}"; do
	wait "$pid"
done
took=$SECONDS

# q SQL: the answer of the store, read without writing it.
q() {
	if [ -n "${SOAK_DB:-}" ]; then
		psql -qXAt -v ON_ERROR_STOP=1 "$SOAK_DB" -c "$1"
	else
		sqlite3 -readonly uoms.db "$1"
	fi
}

# What the workers did.
cat ops.* 2>/dev/null | sort | uniq -c | awk '{ printf "%s %s, ", $1, $2 } END { print "" }' |
    sed 's/, $//; s/^/soak: ran /'
total=$(cat ops.* 2>/dev/null | wc -l)
echo "soak: $total operations in $took s"

# No tool failed: no exit 2 or 3, nothing busy or internal.
if [ -n "$(cat fail.* 2>/dev/null)" ]; then
	failed "tools failed: $(sort fail.* | uniq -c | head -10 | tr '\n' ';')"
fi
if grep -hiE 'busy|internal|database is locked|sanitizer|runtime error' err.* 2>/dev/null | head -5 | grep -q .; then
	failed "$(grep -hiE 'busy|internal|database is locked|sanitizer|runtime error' err.* | head -5 | tr '\n' ';')"
fi
# The only refusals are the expected ones.
other=$(grep -hv -e version_conflict -e ': locked: ' -e invalid_transition \
    -e ': already assigned to ' -e 'can.t write records: Broken pipe' err.* 2>/dev/null | sort | uniq -c | sort -rn | head -5)
[ -z "$other" ] || failed "unexpected messages: $other"

# No lost update: each counter is the number of increments seen to succeed,
# and has as many edited events.
for ((k = 1; k <= C; k++)); do
	want=$(cat inc.* 2>/dev/null | grep -cx "$k")
	got=$(uoms-query --id "$k" | sed -n 's/.*"warehouse":"w-\([0-9]*\)".*/\1/p')
	edits=$(q "SELECT count(*) FROM events WHERE order_id = $k AND type = 'edited'")
	[ "$got" = "$want" ] && [ "$edits" = "$want" ] ||
		failed "counter $k: stored w-$got with $edits edit events, $want increments succeeded"
	rwant=$(cat rem.* 2>/dev/null | grep -cx "$k")
	rgot=$(uoms-remark list "$k" | wc -l)
	[ "$rgot" = "$rwant" ] || failed "counter $k: $rgot remarks, $rwant added"
done
incs=$(cat inc.* 2>/dev/null | wc -l)
echo "soak: $incs counter increments, $(cat rem.* 2>/dev/null | wc -l) remarks, none lost"

# No double step: each soak-status order's status agrees with its status
# events, and all of them are the steps the workers were printed.
moved=$(cat moved.* 2>/dev/null | wc -l)
logged=$(q "SELECT count(*) FROM events e JOIN orders o ON o.id = e.order_id
    WHERE o.channel = 'soak-status' AND e.type = 'status'")
[ "$moved" = "$logged" ] || failed "$moved steps printed, $logged status events"
odd=$(q "SELECT o.id || ' ' || o.status || ' ' || count(e.id) FROM orders o
    LEFT JOIN events e ON e.order_id = o.id AND e.type = 'status'
    WHERE o.channel = 'soak-status' GROUP BY o.id
    HAVING count(e.id) <> CASE o.status WHEN 'WAITING' THEN 0 WHEN 'IN_PROGRESS' THEN 1
        WHEN 'COMPLETE' THEN 2 ELSE -1 END LIMIT 5")
[ -z "$odd" ] || failed "orders whose status and status events disagree (id status events): $odd"
echo "soak: $moved status steps, each once"

inv=$(python3 "$SRC/t/invariants.py" "${SOAK_DB:-uoms.db}" 2>&1) || failed "invariants: $inv"
echo "soak: $(q 'SELECT count(*) FROM orders') orders, $(q 'SELECT count(*) FROM events') events, integrity ok: $([ -z "$inv" ] && echo yes || echo no)"

if [ "$bad" -ne 0 ]; then
	echo "soak: FAIL (store and logs kept in $dir; SOAK_SEED=$SEED)"
	exit 1
fi
[ "$keep" -eq 1 ] || rm -rf "$dir"
echo "soak: PASS"
