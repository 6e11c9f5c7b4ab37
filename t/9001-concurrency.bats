#!/usr/bin/env bats
# Many writers at once on the same orders: nothing is lost, nothing is
# stored twice, every change is one version and one event.
load helper

N=5000
P=8

# Two revisions of the same N orders: a.jsonl as first seen, b.jsonl where
# every third order was changed by its channel (zone, eta, update time,
# an item's quantity).
inputs() {
	if command -v gen-orders >/dev/null; then
		gen-orders --count "$N" >a.jsonl
	else
		orders "$N" >a.jsonl
	fi
	python3 - a.jsonl b.jsonl <<'PY'
import json, sys
out = open(sys.argv[2], "w", encoding="utf-8")
for i, line in enumerate(open(sys.argv[1], encoding="utf-8")):
    o = json.loads(line)
    if i % 3 == 0:
        o["shipping"]["zone"] = "changed-%d" % i
        o["eta"] = "2031-01-01T00:00:00Z"
        o["channel_updated_at"] = "2031-01-01T00:00:00Z"
        o["items"][0]["quantity"] += 1
    out.write(json.dumps(o, ensure_ascii=False, separators=(",", ":")) + "\n")
PY
	# Writer p gets revision a or b, rotated by p * N / P, half of them reversed.
	python3 - "$P" <<'PY'
import sys
p_count = int(sys.argv[1])
revs = [open(f, encoding="utf-8").read().splitlines(keepends=True) for f in ("a.jsonl", "b.jsonl")]
for p in range(p_count):
    lines = revs[p % 2]
    off = p * len(lines) // p_count
    lines = lines[off:] + lines[:off]
    if p >= p_count // 2:
        lines.reverse()
    open("in.%d" % p, "w", encoding="utf-8").writelines(lines)
PY
}

@test "$P writers upserting the same $N orders at once: each stored once, every change one version" {
	inputs
	# The store exists before they start, so the test is about writing.
	uoms-upsert </dev/null
	batches=(1000 7 100 1000 50 1000 13 250)
	pids=()
	for ((p = 0; p < P; p++)); do
		uoms-upsert --batch "${batches[p]}" --summary "in.$p" >"out.$p" 2>"err.$p" &
		pids+=($!)
	done
	failed=0
	for ((p = 0; p < P; p++)); do
		st=0
		wait "${pids[p]}" || st=$?
		if [ "$st" -ne 0 ]; then
			echo "writer $p exited $st: $(cat "err.$p")"
			failed=1
		fi
	done
	[ "$failed" -eq 0 ]
	for ((p = 0; p < P; p++)); do
		echo "writer $p: $(cat "err.$p")"
		! grep -qi busy "err.$p" || false
		# stderr holds the summary line only
		[ "$(grep -cv '^uoms-upsert: read ' "err.$p")" -eq 0 ]
		grep -q "^uoms-upsert: read $N, .*rejected 0" "err.$p"
		# one record out per line in
		[ "$(wc -l <"out.$p")" -eq "$N" ]
	done

	# Each order exactly once, by its natural key.
	[ "$(sql "select count(*) || ' ' || (select count(*) from (select distinct
	    channel, external_order_id from orders) as k) from orders")" = "$N $N" ]
	[ "$(sql "select count(*) from events where type = 'created'")" = "$N" ]
	# version = 1 + the updates it went through, and no version recorded twice.
	[ "$(sql "select count(*) from orders o where version <> 1 +
		(select count(*) from events e where e.order_id = o.id and e.type = 'updated')")" = 0 ]
	[ "$(sql "select count(*) from (select order_id, version from events
		where version is not null group by 1, 2 having count(*) > 1) as d")" = 0 ]
	[ "$(sql "select count(*) from orders o where version <>
		(select max(version) from events e where e.order_id = o.id)")" = 0 ]
	# The created tallies of all writers add up to N.
	[ "$(cat err.* | sed 's/.*created \([0-9]*\),.*/\1/' | awk '{ n += $1 } END { print n }')" -eq "$N" ]

	# Every stored order is one of its two revisions, whole, items included.
	uoms-query >stored.jsonl
	python3 - <<'PY'
import json
revs = [{}, {}]
for r, f in enumerate(("a.jsonl", "b.jsonl")):
    for line in open(f, encoding="utf-8"):
        o = json.loads(line)
        revs[r][(o["channel"], o["external_order_id"])] = o
n = 0
for line in open("stored.jsonl", encoding="utf-8"):
    s = json.loads(line)
    key = (s["channel"], s["external_order_id"])
    def same(o):
        return all(s.get(k) == v for k, v in o.items() if k != "items") and \
            [{k: it.get(k) for k in i} for it, i in zip(s["items"], o["items"])] == o["items"] and \
            len(s["items"]) == len(o["items"])
    assert same(revs[0][key]) or same(revs[1][key]), (key, s)
    n += 1
assert n == len(revs[0]), n
PY
	# SQLite's own check of its file.
	engine_is pg || [ "$(sql 'pragma integrity_check')" = ok ]
}

@test "$P writers, each changing its own field of the same orders: no change is lost" {
	orders 300 >base.jsonl
	uoms-upsert base.jsonl >/dev/null
	# Writer p sets warehouse "w<p>" on every order: partial lines, each a
	# real change, all racing for the same rows.
	pids=()
	for ((p = 0; p < P; p++)); do
		sed 's/^{"channel":"coupang","external_order_id":"\([0-9]*\)".*/{"channel":"coupang","external_order_id":"\1","warehouse":"w'"$p"'"}/' \
		    base.jsonl >"part.$p"
		uoms-upsert --batch $((p * 20 + 1)) "part.$p" >/dev/null 2>"err.$p" &
		pids+=($!)
	done
	for ((p = 0; p < P; p++)); do
		wait "${pids[p]}"
		[ ! -s "err.$p" ]
	done
	# Each writer changed each order once: the warehouse it set was never
	# the one already there (the one before was another writer's).
	[ "$(sql "select count(*) from orders")" = 300 ]
	[ "$(sql "select count(*) from orders where version <> $((P + 1))")" = 0 ]
	[ "$(sql "select count(*) from orders o where version <> 1 +
		(select count(*) from events e where e.order_id = o.id and e.type = 'updated')")" = 0 ]
	[ "$(sql "select count(*) from orders where warehouse not like 'w_'")" = 0 ]
	[ "$(sql "select count(*) from orders o where o.version <>
		(select max(e.version) from events e where e.order_id = o.id)")" = 0 ]
}
