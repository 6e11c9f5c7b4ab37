#!/bin/sh
# The fetch benchmark: 20 000 orders over 200 pages of 100 from the local
# fake server (t/fake/jsonl_server.py), as four http-jsonl channels of 50
# pages each, fetched by uoms-fetch (concurrently, connections reused)
# against one curl(1) fetching the same 200 page URLs one after the other
# over one kept connection (the stronger baseline: a curl a page, as a
# shell loop does, is some ten times slower). The server holds each answer
# back 5 ms, as a nearby API's network would: what concurrency is for, as
# a local server in python answers one request at a time whoever asks.
# Prints one row in the style of
# t/bench/run.sh (what, uoms, other, ratio, target, PASS or SHORT):
#   sh t/bench/fetch.sh [ORDERS]
# Needs build/bin on PATH, python3 and curl; UOMS_SRC or the current
# directory is the source tree.
set -u

n=${1:-20000}
shards=4
per=100
src=${UOMS_SRC:-.}
dir=$(mktemp -d "${TMPDIR:-/tmp}/uoms-fetch-bench.XXXXXX") || exit 3
pid=
trap 'rm -rf "$dir"; [ -n "$pid" ] && kill "$pid" 2>/dev/null' EXIT
trap 'exit 130' INT TERM

calc() { awk "BEGIN { printf \"%.${2:-2}f\", ($1) }"; }
now() { date +%s.%N; }

python3 "$src/t/fake/jsonl_server.py" --orders "$n" --per-page "$per" \
    --shards "$shards" --latency 0.005 >"$dir/port" 2>"$dir/server.err" &
pid=$!
for _ in $(seq 200); do
	[ -s "$dir/port" ] && break
	sleep 0.05
done
port=$(head -1 "$dir/port")
[ -n "$port" ] || { echo "fetch.sh: the fake server did not start" >&2; exit 3; }

export UOMS_DB="$dir/u.db"
unset UOMS_CONFIG
uoms-upsert </dev/null || exit 3
since=2026-11-20T00:00:00Z
pages=0
: >"$dir/urls"
k=0
while [ "$k" -lt "$shards" ]; do
	uoms-channel add "s$k" --kind http-jsonl \
	    --base-url "http://127.0.0.1:$port/shard/$k/orders" >/dev/null ||
	    exit 3
	# The URLs uoms-fetch asks: page 1 as it writes it, then the Link's.
	p=1
	while [ $(((p - 1) * per)) -lt $(((n + shards - 1 - k) / shards)) ]; do
		if [ "$p" = 1 ]; then q="since=2026-11-20T00%3A00%3A00Z"; else q="since=$since"; fi
		printf 'url = "%s"\noutput = /dev/null\n' \
		    "http://127.0.0.1:$port/shard/$k/orders?$q&page=$p" \
		    >>"$dir/urls"
		p=$((p + 1))
		pages=$((pages + 1))
	done
	k=$((k + 1))
done

# best CMD...: the best wall time of three runs, in seconds.
best() {
	b=
	for _ in 1 2 3; do
		t0=$(now)
		"$@" >/dev/null || echo "fetch.sh: failed ($?): $*" >&2
		t=$(calc "$(now) - $t0" 4)
		if [ -z "$b" ] || [ "$(calc "$t < $b" 0)" = 1 ]; then b=$t; fi
	done
	echo "$b"
}
curl_all() { curl -sf -K "$dir/urls"; }

got=$(uoms-fetch --since "$since" | wc -l)
[ "$got" = "$n" ] || echo "fetch.sh: uoms-fetch printed $got orders, not $n" >&2
u=$(best uoms-fetch --since "$since")
c=$(best curl_all)
r=$(calc "$c / $u")
printf '%-36s %12s %12s %7s %8s  %s\n' \
    "h) fetch $pages pages +5ms, ms vs curl" "$(calc "$u * 1000" 0)" \
    "$(calc "$c * 1000" 0)" "$r" ">=1" \
    "$(if [ "$(calc "$r >= 1" 0)" = 1 ]; then echo PASS; else echo SHORT; fi)"
