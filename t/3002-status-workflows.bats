#!/usr/bin/env bats
# The three shipped workflows, edge by edge: every allowed move by --to and
# by --action, every other move refused with invalid_transition, the
# timestamps each state sets or clears, an admin's --force between any two
# states, and a workflow of one's own with admin-only steps.
load helper

SEED=2026-01-01T00:00:00Z

# rows FILE WORKFLOW: the rows of t/data/FILE for WORKFLOW.
rows() {
	grep -v '^#' "$SRC/t/data/$1" | awk -F'\t' -v w="$2" '$1 == w'
}

# force_rows WORKFLOW: every ordered pair of the workflow's states as a
# row of status-transitions.tsv for an admin's --force: to another state
# it goes, with that state's timestamps; to the state it is in, it does not.
force_rows() {
	rows status-states.tsv "$1" >states
	awk -F'\t' -v OFS='\t' 'NR == FNR { s[++n] = $2; d[$2] = $3; c[$2] = $4; next }
	    { for (i = 1; i <= n; i++)
		if (s[i] == $2)
		    print $1, $2, "--to " s[i], "invalid_transition", "keep", "keep"
		else
		    print $1, $2, "--to " s[i], "ok:" s[i], d[s[i]], c[s[i]] }' states states
}

# moves ACTOR [OPTION...] < ROWS: row N (workflow, from, request, ...) gets
# order coupang:100000+N in its from-state with both timestamps at $SEED,
# and `uoms-status --actor ACTOR OPTION... REQUEST coupang:EXT`. Prints the
# rows as they turned out: the result (ok:STATUS or the code of the
# refusal), what became of each timestamp (set, clear or keep), and, after
# them, anything else that went wrong (stdout, stderr, reject file,
# version, events).
moves() {
	local actor=$1 i=0 st request
	shift
	cat >want
	python3 - "$SEED" >orders.jsonl <<'PY'
import json, sys
seed = sys.argv[1]
for i, row in enumerate(open("want", encoding="utf-8").read().splitlines(), 1):
    wf, frm = row.split("\t")[:2]
    n = 100000 + i
    print(json.dumps({"channel": "coupang", "external_order_id": str(n), "order_no": "2611-%06d" % n,
        "workflow": wf, "status": frm, "depart_time": seed, "complete_time": seed,
        "customer": {"name": "김철수", "phone": "010-2222-3333"},
        "items": [{"external_item_id": "a", "sku": "SKU-1", "quantity": 1, "unit_price": 1000}]}))
PY
	uoms-upsert orders.jsonl >/dev/null
	start=$(date -u +%Y-%m-%dT%H:%M:%SZ)
	while IFS=$'\t' read -r _ _ request _; do
		i=$((i + 1))
		st=0
		# shellcheck disable=SC2086 # the request is two words
		uoms-status --actor "$actor" "$@" $request --reject "rej.$i" \
		    "coupang:$((100000 + i))" </dev/null >"out.$i" 2>"err.$i" ||
		    st=$?
		echo "$st" >"st.$i"
	done <want
	uoms-query >final.jsonl
	uoms-events --type status >events.jsonl
	python3 - "$SEED" "$start" "$actor" "$*" <<'PY'
import json, os, re, sys
seed, start, actor, opts = sys.argv[1:5]
forced = "--force" in opts.split()
final = {o["external_order_id"]: o for o in map(json.loads, open("final.jsonl", encoding="utf-8"))}
# Each order's status events, read through the tool: (from, to, version,
# actor, details as JSON text).
status_events = {}
for e in map(json.loads, open("events.jsonl", encoding="utf-8")):
    status_events.setdefault(e["order_id"], []).append(
        (e["from"], e["to"], e["version"], e["actor"], json.dumps(e["details"])))

def lines(path):
    return open(path, encoding="utf-8").read().splitlines() if os.path.exists(path) else []

def stamp(v):
    if v is None:
        return "clear"
    if v == seed:
        return "keep"
    if re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", v) and v >= start:
        return "set"
    return "odd:" + v

for i, row in enumerate(open("want", encoding="utf-8").read().splitlines(), 1):
    wf, frm, req = row.split("\t")[:3]
    ext = str(100000 + i)
    st = int(open("st.%d" % i).read())
    out, err, rej = lines("out.%d" % i), lines("err.%d" % i), lines("rej.%d" % i)
    o = final[ext]
    evs = status_events.get(o["id"], [])
    bad = []
    if st == 0:
        res = "ok:" + o["status"]
        if len(out) != 1 or json.loads(out[0]) != o:
            bad.append("stdout is not the stored record: %r" % out)
        if err or rej:
            bad.append("stderr %r, reject %r" % (err, rej))
        if o["version"] != 2:
            bad.append("version %d" % o["version"])
        if len(evs) != 1 or evs[0][:4] != (frm, o["status"], 2, actor):
            bad.append("events %r" % evs)
        elif json.loads(evs[0][4]).get("forced") is not forced:
            bad.append("details %s" % evs[0][4])
        if "--action" in req and json.loads(evs[0][4]).get("action") != req.split()[1]:
            bad.append("details %s" % evs[0][4])
    elif st == 1:
        res = json.loads(rej[0])["error"]["code"] if len(rej) == 1 else "reject %r" % rej
        if out:
            bad.append("stdout %r" % out)
        if len(err) != 1 or not err[0].startswith("uoms-status: order coupang:%s: %s: " % (ext, res)):
            bad.append("stderr %r" % err)
        if o["version"] != 1 or o["status"] != frm or evs:
            bad.append("changed: %s v%d, events %r" % (o["status"], o["version"], evs))
    else:
        res = "exit %d" % st
        bad.append("stderr %r" % err)
    print("\t".join([wf, frm, req, res, stamp(o["depart_time"]), stamp(o["complete_time"])] + bad))
PY
}

@test "the transition table covers every state of every shipped workflow, from and to" {
	for wf in dispatch food-delivery fulfillment; do
		rows status-states.tsv "$wf" | cut -f2 | sort >states
		[ "$(wc -l <states)" -ge 5 ]
		rows status-transitions.tsv "$wf" | cut -f2 | sort -u >from
		diff -u states from
		# every state is some allowed move's target, except the initial one
		rows status-transitions.tsv "$wf" | awk -F'\t' '$4 ~ /^ok:/ { print substr($4, 4) }' |
		    sort -u >to
		[ "$(comm -23 states to | wc -l)" -eq 1 ]
		# each state is refused a move to at least two others (or itself)
		for s in $(cat states); do
			n=$(rows status-transitions.tsv "$wf" |
			    awk -F'\t' -v s="$s" '$2 == s && $3 ~ /^--to / && $4 == "invalid_transition"' | wc -l)
			echo "$wf $s: $n refused targets"
			[ "$n" -ge 2 ]
		done
	done
}

@test "dispatch: every move a user may make goes, by --to and by --action; every other is invalid_transition" {
	rows status-transitions.tsv dispatch | moves tester >got
	diff -u want got
}

@test "food-delivery: every move a user may make goes, by --to and by --action; every other is invalid_transition" {
	rows status-transitions.tsv food-delivery | moves tester >got
	diff -u want got
}

@test "fulfillment: every move a user may make goes, by --to and by --action; every other is invalid_transition" {
	rows status-transitions.tsv fulfillment | moves tester >got
	diff -u want got
}

@test "an admin's --force moves a dispatch order between any two states, with the target's timestamps" {
	uoms-upsert </dev/null
	sql "INSERT INTO users(name, role, created_at, updated_at) VALUES ('boss','admin','x','x')"
	force_rows dispatch >rows
	[ "$(wc -l <rows)" -eq 25 ]
	moves boss --force <rows >got
	diff -u want got
}

@test "an admin's --force moves food-delivery and fulfillment orders between any two states" {
	uoms-upsert </dev/null
	sql "INSERT INTO users(name, role, created_at, updated_at) VALUES ('boss','admin','x','x')"
	{ force_rows food-delivery; force_rows fulfillment; } >rows
	[ "$(wc -l <rows)" -eq $((49 + 64)) ]
	moves boss --force <rows >got
	diff -u want got
}

@test "an admin without --force follows the workflow like anyone" {
	uoms-upsert </dev/null
	sql "INSERT INTO users(name, role, created_at, updated_at) VALUES ('boss','admin','x','x')"
	rows status-transitions.tsv dispatch | moves boss >got
	diff -u want got
}

@test "a user's --force is forbidden, even along an allowed edge, and nothing changes" {
	{ rows status-transitions.tsv dispatch | head -1; force_rows dispatch | sed -n 3p; } |
	    awk -F'\t' -v OFS='\t' '{ $4 = "forbidden"; $5 = $6 = "keep"; print }' >rows
	moves tester --force <rows >got
	diff -u want got
	grep -q "forbidden: --force needs the admin role; 'tester' is a user" err.1
}

# walk WORKFLOW OPTION STEP...: a new order in the workflow's initial
# state, moved by `uoms-status OPTION STEP` for each STEP in turn; prints
# status, version, depart_time and complete_time (set or null) after each.
walk() {
	local wf=$1 opt=$2 id n
	shift 2
	uoms-upsert </dev/null
	# Counted before the pipeline, not in its first member: the uoms-upsert
	# after it starts at once, and while it opens the store (a WAL
	# recovery, the journal mode) sqlite3(1), which has no busy timeout,
	# fails "database is locked" (1 round in 75 under load).
	n=$(sql "SELECT count(*) FROM orders")
	id=$(order $((100001 + n)) workflow="\"$wf\"" status=absent |
	    uoms-upsert | jget id)
	for step in "$@"; do
		uoms-status "$opt" "$step" "$id"
	done >walked
	python3 -c 'import json, sys
for l in sys.stdin:
    o = json.loads(l)
    print(o["status"], o["version"], *["set" if o[k] else "null" for k in ("depart_time", "complete_time")])' <walked
}

@test "dispatch from start to end by actions: depart_time stays when complete_time is set" {
	walk dispatch --action depart complete >got
	printf '%s\n' 'IN_PROGRESS 2 set null' 'COMPLETE 3 set set' >want
	diff -u want got
	run --separate-stderr uoms-status --action cancel 1
	[ "$status" -eq 1 ]
	[[ "$stderr" == "uoms-status: order 1: invalid_transition: dispatch allows no action 'cancel' from COMPLETE" ]]
}

@test "food-delivery from payment to delivery by actions, and by states" {
	walk food-delivery --action payment acceptance preparation-complete pickup delivery >got
	cat >want <<-'EOF'
	pending_acceptance 2 null null
	preparing 3 null null
	ready_for_pickup 4 null null
	in_transit 5 set null
	delivered 6 set set
	EOF
	diff -u want got
	[ "$(uoms-query --id 1 | jget workflow)" = food-delivery ]
	walk food-delivery --to pending_acceptance preparing ready_for_pickup in_transit delivered >got
	diff -u want got
}

@test "fulfillment from creation to a return, and the events tell the way" {
	walk fulfillment --action pay pick pack ship deliver return >got
	cat >want <<-'EOF'
	paid 2 null null
	picking 3 null null
	packed 4 null null
	shipped 5 set null
	delivered 6 set set
	returned 7 set set
	EOF
	diff -u want got
	sql "SELECT from_state || '>' || to_state || ' v' || version || ' ' || actor FROM events
	    WHERE order_id = 1 AND type = 'status' ORDER BY id" >got
	cat >want <<-'EOF'
	created>paid v2 tester
	paid>picking v3 tester
	picking>packed v4 tester
	packed>shipped v5 tester
	shipped>delivered v6 tester
	delivered>returned v7 tester
	EOF
	diff -u want got
}

@test "--action cancel moves each order of a mixed lot from wherever it is, in its own workflow" {
	{
		order 100001 workflow='"dispatch"' status='"WAITING"'
		order 100002 workflow='"dispatch"' status='"IN_PROGRESS"'
		order 100003 workflow='"food-delivery"' status='"preparing"'
		order 100004 workflow='"fulfillment"' status='"packed"'
		order 100005 workflow='"fulfillment"' status='"shipped"'
		order 100006 workflow='"food-delivery"' status='"in_transit"'
	} | uoms-upsert >/dev/null
	uoms-query >all
	run --separate-stderr uoms-status --action cancel --reject rej <all
	[ "$status" -eq 1 ]
	# uoms-query prints newest first: line 1 is order 6, line 2 order 5
	[ "${#stderr_lines[@]}" -eq 2 ]
	[ "${stderr_lines[0]}" = "uoms-status: line 1: invalid_transition: order 6: food-delivery allows no action 'cancel' from in_transit" ]
	[ "${stderr_lines[1]}" = "uoms-status: line 2: invalid_transition: order 5: fulfillment allows no action 'cancel' from shipped" ]
	echo "$output" | jget status >got
	printf '%s\n' cancelled cancelled CANCEL CANCEL >want
	diff -u want got
	uoms-query | python3 -c 'import json, sys
for l in sys.stdin: o = json.loads(l); print(o["id"], o["status"], o["version"])' >got
	printf '%s\n' '6 in_transit 1' '5 shipped 1' '4 cancelled 2' '3 cancelled 2' '2 CANCEL 2' '1 CANCEL 2' >want
	diff -u want got
	[ "$(jget error.code <rej | sort | uniq -c | awk '{ print $1, $2 }')" = "2 invalid_transition" ]
}

@test "a workflow of one's own beside the configuration: admin-only steps are forbidden to users" {
	mkdir -p etc/workflows
	cp "$SRC/t/data/workflow-roles.yaml" etc/workflows/
	: >etc/uoms.yaml
	export UOMS_CONFIG=$PWD/etc/uoms.yaml
	order 100001 workflow='"workflow-roles"' status=absent | uoms-upsert | jget status | grep -qx NEW
	sql "INSERT INTO users(name, role, created_at, updated_at) VALUES ('boss','admin','x','x')"
	uoms-status --action open 1 | jget status | grep -qx OPEN
	run --separate-stderr uoms-status --to REVIEW 1
	[ "$status" -eq 1 ]
	[ -z "$output" ]
	[ "$stderr" = "uoms-status: order 1: forbidden: OPEN to REVIEW is for admins; 'tester' is a user" ]
	run --separate-stderr uoms-status --action void 1
	[ "$status" -eq 1 ]
	[[ "$stderr" == *"forbidden: OPEN to VOID is for admins"* ]]
	uoms-status --actor boss --action review 1 >rec
	[ "$(jget status <rec)" = REVIEW ]
	[ -n "$(jget depart_time <rec)" ] && [ "$(jget depart_time <rec)" != null ]
	[ "$(jget complete_time <rec)" = null ]
	# REVIEW back to OPEN is for users too (no action name: by --to only)
	uoms-status --to OPEN 1 | jget status | grep -qx OPEN
	[ "$(uoms-query --id 1 | jget version)" = 4 ]
	[ "$(sql "SELECT count(*) FROM events WHERE type = 'status'")" = 3 ]
}
