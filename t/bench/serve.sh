#!/bin/sh
# make bench (uoms-serve): requests/s and p99 latency over 127.0.0.1 with
# wrk (-t2 -c32), as ratios of pairs run A B A B (the median of the
# pairs' ratios), on a store of N generated orders:
#   - GET /orders/{id} (a random order each request) and POST
#     /orders/{id}/status with If-Match (a fresh order each request, so
#     every move is allowed), uoms-serve with tokens on, against the stack
#     it replaces: FastAPI + uvicorn (uvloop, httptools, 2 workers, sync
#     endpoints, t/bench/serve_peer.py) on the same store;
#   - GET against the limit: a minimal libmicrohttpd program answering
#     the same record (t/bench/serve-min.c), no token, no checks.
#   sh t/bench/serve.sh [--quick | --large]
# Needs build/bin and build/t on PATH, wrk, curl, python3-fastapi,
# uvicorn, python3-uvloop and python3-httptools (make deps-bench).
set -u

case "${1-}" in
"")		sizes="100000 1000000" ;;
--quick)	sizes=20000 ;;
--large)	sizes=1000000 ;;
*)		echo "usage: serve.sh [--quick | --large]" >&2; exit 2 ;;
esac
here=$(cd "$(dirname "$0")" && pwd)
for c in wrk curl uvicorn; do
	command -v $c >/dev/null || { echo "uoms-serve: no table (no $c: make deps-bench)"; exit 0; }
done

dir=$(mktemp -d "${TMPDIR:-/tmp}/uoms-bench-serve.XXXXXX") || exit 3
pids=
stop() {
	for p in $pids; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	rm -rf "$dir"
}
trap stop EXIT
trap 'exit 130' INT TERM

calc() { awk "BEGIN { printf \"%.${2:-2}f\", ($1) }"; }
median() { sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
# up URL: waits (60 s at most) until URL answers.
up() {
	i=0
	until curl -s -o /dev/null "$1"; do
		i=$((i + 1)); [ $i -lt 1200 ] || { echo "serve.sh: $1 never answered" >&2; exit 3; }
		sleep 0.05
	done
}
row() {
	printf '%-36s %12s %12s %7s %8s  %s\n' "$1" "$2" "$3" "$4" "$5" \
	    "$(if [ "$6" = 1 ]; then echo PASS; else echo SHORT; fi)"
}

# wrk_run NAME URL SCRIPT SECONDS: runs wrk; prints "rps p99ms" where rps
# counts only 2xx/3xx answers (a POST that found no fresh order is not a
# move).
wrk_run() {
	wrk -t2 -c32 -d"$4"s --latency -s "$3" "$2" >"$dir/$1.out" 2>&1 ||
	    { echo "serve.sh: wrk failed: $(tail -1 "$dir/$1.out")" >&2; exit 3; }
	awk '
	/requests in/ { n = $1; s = $4; sub(/s,?$/, "", s) }
	/Non-2xx or 3xx responses:/ { bad = $NF }
	/^ +99%/ { p = $2; u = p; sub(/[a-z]+$/, "", p); sub(/^[0-9.]+/, "", u)
		p99 = u == "us" ? p / 1000 : u == "s" ? p * 1000 : p }
	END { printf "%.0f %.2f\n", (n - bad) / s, p99 }' "$dir/$1.out"
}

cat >"$dir/get.lua" <<'LUA'
math.randomseed(os.time())
local n = tonumber(os.getenv("ORDERS"))
local token = os.getenv("TOKEN")
request = function()
	return wrk.format("GET", "/orders/" .. math.random(1, n),
	    { ["Authorization"] = "Bearer " .. token })
end
LUA
# Each thread takes its own half of [FIRST, FIRST + SPAN): every order
# moved once, from version 1.
cat >"$dir/post.lua" <<'LUA'
local threads = {}
local first, span, token, next_id
setup = function(thread)
	thread:set("tid", #threads)
	table.insert(threads, thread)
end
init = function()
	first = tonumber(os.getenv("FIRST"))
	span = tonumber(os.getenv("SPAN"))
	token = os.getenv("TOKEN")
	next_id = first + tid * math.floor(span / 2)
end
request = function()
	local id = next_id
	next_id = next_id + 1
	return wrk.format("POST", "/orders/" .. id .. "/status",
	    { ["Authorization"] = "Bearer " .. token,
	      ["Content-Type"] = "application/json",
	      ["If-Match"] = '"' .. id .. '-v1"' }, '{"to":"IN_PROGRESS"}')
end
LUA

threads=$(nproc)
for n in $sizes; do
	rm -f "$dir"/*.db*
	db=$dir/u.db
	# GETs read orders 1..n; each POST run moves orders of a slice of its
	# own after them, big enough for 3 s at 10 000 moves a second, so a
	# fast run never reaches into the next run's orders.
	slice=30000
	gen-orders --count "$((n + 6 * slice))" | uoms-upsert -d "$db" >/dev/null || exit 3
	printf 'bench-pass-123\n' | uoms-user -d "$db" add bench --role admin \
	    --password-stdin >/dev/null || exit 3
	us=$(free_port); mn=$(free_port); pe=$(free_port)
	UOMS_JWT_KEY=bench-key-0123456789abcdef0123456789 uoms-serve -d "$db" \
	    --listen 127.0.0.1:$us --threads "$threads" 2>/dev/null &
	pids="$pids $!"
	serve-min "$db" "$mn" "$threads" 2>/dev/null &
	pids="$pids $!"
	UOMS_DB=$db uvicorn --app-dir "$here" serve_peer:app --host 127.0.0.1 \
	    --port "$pe" --workers 2 --loop uvloop --http httptools \
	    --no-access-log --log-level warning 2>"$dir/peer.err" &
	pids="$pids $!"
	up "http://127.0.0.1:$us/healthz"; up "http://127.0.0.1:$mn/orders/1"
	up "http://127.0.0.1:$pe/orders/1"
	TOKEN=$(curl -s "http://127.0.0.1:$us/auth/login" \
	    -d '{"username":"bench","password":"bench-pass-123"}' |
	    python3 -c 'import json, sys; print(json.load(sys.stdin)["access_token"])') ||
	    { echo "serve.sh: no token" >&2; exit 3; }
	export TOKEN ORDERS=$n

	: >"$dir/get"; : >"$dir/min"; : >"$dir/post"
	span=$slice
	for pair in 1 2 3; do
		u=$(wrk_run gu$pair "http://127.0.0.1:$us" "$dir/get.lua" 5)
		p=$(wrk_run gp$pair "http://127.0.0.1:$pe" "$dir/get.lua" 5)
		echo "$u $p" >>"$dir/get"
		u=$(wrk_run mu$pair "http://127.0.0.1:$us" "$dir/get.lua" 5)
		m=$(wrk_run mm$pair "http://127.0.0.1:$mn" "$dir/get.lua" 5)
		echo "$u $m" >>"$dir/min"
		u=$(FIRST=$((n + 1 + (2 * pair - 2) * span)) SPAN=$span \
		    wrk_run pu$pair "http://127.0.0.1:$us" "$dir/post.lua" 3)
		p=$(FIRST=$((n + 1 + (2 * pair - 1) * span)) SPAN=$span \
		    wrk_run pp$pair "http://127.0.0.1:$pe" "$dir/post.lua" 3)
		echo "$u $p" >>"$dir/post"
	done
	for p in $pids; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	pids=

	# columns: uoms rps, uoms p99, other rps, other p99
	ratio() { awk "{ print $2 }" "$dir/$1" | median | awk "{ printf \"%.2f\", \$1 }"; }
	mid() { awk "{ print \$$2 }" "$dir/$1" | median; }
	echo
	echo "uoms-serve, $n orders, wrk -t2 -c32 ($(uname -m), $(nproc) cpu)"
	printf '%-36s %12s %12s %7s %8s  %s\n' what uoms other ratio target ""
	r=$(ratio get '$1 / $3')
	row "l) GET req/s vs FastAPI" "$(mid get 1)" "$(mid get 3)" "$r" ">=4" "$(calc "$r >= 4" 0)"
	r=$(ratio get '$2 / $4')
	row "m) GET p99 ms vs FastAPI" "$(mid get 2)" "$(mid get 4)" "$r" "<=0.2" "$(calc "$r <= 0.2" 0)"
	r=$(ratio post '$1 / $3')
	row "n) POST status req/s vs FastAPI" "$(mid post 1)" "$(mid post 3)" "$r" ">=4" "$(calc "$r >= 4" 0)"
	r=$(ratio post '$2 / $4')
	row "o) POST p99 ms vs FastAPI" "$(mid post 2)" "$(mid post 4)" "$r" "<=0.2" "$(calc "$r <= 0.2" 0)"
	r=$(ratio min '$1 / $3')
	row "p) GET req/s vs minimal MHD" "$(mid min 1)" "$(mid min 3)" "$r" ">=0.8" "$(calc "$r >= 0.8" 0)"
done
