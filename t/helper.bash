# Shared by every t/*.bats: a fresh store per test, fixtures built with the
# tools themselves, small JSON helpers in python3 (from Debian).
bats_require_minimum_version 1.5.0

setup() {
	cd "$BATS_TEST_TMPDIR" || return 1
	store_fresh || return 1
	export UOMS_ACTOR=tester
	# bcrypt at its least cost: the tests make and check hundreds of
	# passwords, 0.2 s each at the default 12 (t/0004 checks the default)
	export UOMS_PASSWORD_COST=4
	unset UOMS_CONFIG
	SRC=${UOMS_SRC:-$BATS_TEST_DIRNAME/..}
}

# sql QUERY: run QUERY on the test store, rows as sqlite3 lists them
# (columns joined by |), on whichever engine it is (store_fresh).
sql() {
	if [ "${UOMS_TEST_ENGINE:-sqlite}" = pg ]; then
		# sqlite3 prints a truth as 1 or 0, PostgreSQL as t or f.
		pg_sql -b "$UOMS_DB" "$1"
	else
		sqlite3 "$UOMS_DB" "$1"
	fi
}

# order EXT [KEY=JSON...]: a complete, valid order line for
# (coupang, EXT), with members replaced or added (KEY=null removes one
# only if the value is the word 'absent'). build/t/jt prints the same
# line, but for a value it can't hold as python3 does (exit 3).
order() {
	if type -P jt >/dev/null && jt order "$@"; then
		return 0
	fi
	python3 - "$@" <<'PY'
import json, sys
ext = sys.argv[1]
o = {"channel": "coupang", "external_order_id": ext, "order_no": "2611-" + ext[-6:].rjust(6, "0"),
     "kind": "delivery", "workflow": "dispatch", "status": "WAITING", "department": "east",
     "warehouse": "icn-1", "customer": {"name": "홍길동", "phone": "010-1234-5678"},
     "shipping": {"postal_code": "06236", "address": "서울 강남구 테헤란로 1", "zone": "gangnam"},
     "eta": "2030-11-22T01:00:00Z", "driver": None, "placed_at": "2026-11-21T09:12:00Z",
     "channel_updated_at": "2026-11-21T09:15:00Z", "depart_time": None, "complete_time": None,
     "total_amount": 38000, "currency": "KRW",
     "items": [{"external_item_id": "v-991", "sku": "SKU-1", "name": "사과", "quantity": 2, "unit_price": 19000}]}
for kv in sys.argv[2:]:
    k, v = kv.split("=", 1)
    if v == "absent":
        o.pop(k, None)
    else:
        o[k] = json.loads(v)
print(json.dumps(o, ensure_ascii=False, separators=(",", ":")))
PY
}

# orders N [FIRST]: N valid order lines with external ids FIRST, FIRST+1...
orders() {
	python3 - "$1" "${2:-1}" <<'PY'
import json, sys
n, first = int(sys.argv[1]), int(sys.argv[2])
for i in range(first, first + n):
    print(json.dumps({"channel": "coupang", "external_order_id": str(i), "order_no": "2611-%06d" % i,
        "department": ["east", "west"][i % 2], "customer": {"name": "김철수", "phone": "010-2222-3333"},
        "shipping": {"postal_code": "%05d" % (i % 100000), "address": "부산 해운대구", "zone": "haeundae"},
        "placed_at": "2026-11-21T09:12:00Z", "total_amount": 1000 * i, "currency": "KRW",
        "items": [{"external_item_id": "a%d" % i, "sku": "SKU-%d" % (i % 7), "quantity": 1 + i % 3, "unit_price": 1000}]},
        ensure_ascii=False, separators=(",", ":")))
PY
}

# jget PATH < JSON-LINES: print member PATH (a.b.c, [0] allowed) of each line.
# build/t/jt (t/tools/jt.c) prints the same as jget_py, at a twentieth of
# python3's start-up; for lines it can't read as python3 does (an
# integer past 64 bits) or that python3 raises on, it prints nothing and
# exits 3, and jget_py is given the same lines. jget_py alone without jt.
jget() {
	local in st=0
	if ! type -P jt >/dev/null; then
		jget_py "$1"
		return
	fi
	in=$(cat; echo .)
	in=${in%.}
	[ -n "$in" ] || return 0
	# <<< adds the newline it takes off
	jt get "$1" <<<"${in%$'\n'}" || st=$?
	[ "$st" -eq 3 ] || return "$st"
	jget_py "$1" <<<"${in%$'\n'}"
}
jget_py() {
	python3 -c '
import json, re, sys
path = [p for p in re.split(r"\.|\[(\d+)\]", sys.argv[1]) if p]
for line in sys.stdin:
    v = json.loads(line)
    for p in path:
        v = v[int(p)] if p.isdigit() and isinstance(v, list) else v.get(p) if isinstance(v, dict) else None
    print(json.dumps(v, ensure_ascii=False) if isinstance(v, (dict, list)) or v is None else v)
' "$1"
}

# strip_store: drop the members the store assigns, sort keys, one per line.
strip_store() {
	python3 -c '
import json, sys
for line in sys.stdin:
    v = json.loads(line)
    for k in ("id", "version", "created_at", "updated_at", "holds"):
        v.pop(k, None)
    print(json.dumps(v, ensure_ascii=False, sort_keys=True))
'
}

# ---- store files (t/0007, t/9007) ----
# as_nobody CMD [ARG...]: run CMD as the user nobody, whom file modes
# bind (root's do not); the caller skips when can_be_nobody says no.
as_nobody() {
	setpriv --reuid=nobody --regid=nogroup --clear-groups -- "$@"
}

# can_be_nobody: root, setpriv and a user nobody who can run the built
# tools; else prints why not, for skip.
can_be_nobody() {
	if [ "$(id -u)" != 0 ]; then
		echo "not root: can't become another user"
	elif ! command -v setpriv >/dev/null || ! id nobody >/dev/null 2>&1; then
		echo "no setpriv or no user nobody"
	elif ! as_nobody "$(command -v uoms-query)" --version >/dev/null 2>&1; then
		echo "nobody can't run $(command -v uoms-query)"
	fi
}

# public_dir: a new folder under /tmp that nobody can enter (the test's
# own temp folder may not be); removed by the test's teardown_public.
public_dir() {
	PUBLIC_DIR=$(mktemp -d /tmp/uoms-public.XXXXXX)
	chmod 755 "$PUBLIC_DIR"
	echo "$PUBLIC_DIR" >>"$BATS_TEST_TMPDIR/.public-dirs"
}

teardown_public() {
	[ -f "$BATS_TEST_TMPDIR/.public-dirs" ] || return 0
	while read -r d; do
		case $d in /tmp/uoms-public.*) rm -rf "$d" ;; esac
	done <"$BATS_TEST_TMPDIR/.public-dirs"
}
# ---- end store files ----
# ---- issue 8 (tests): waiting for a condition, not for a time ----------
# A test that waits for another process waits for what it needs (a file, a
# row, a port), never a fixed time: fixed sleeps flake on a loaded machine
# and slow down an idle one. t/0006-test-hygiene.bats enforces it.

# wait_for [-t SECONDS] CMD [ARG...]: run CMD until it succeeds, polling
# every 20 ms for at most SECONDS (default 10); fails, saying what it
# waited for, when the time is up.
wait_for() {
	local limit=10 i
	if [ "$1" = -t ]; then
		limit=$2
		shift 2
	fi
	for ((i = 0; i < limit * 50; i++)); do
		"$@" && return 0
		sleep 0.02
	done
	echo "wait_for: timed out after ${limit}s: $*" >&2
	return 1
}

# wait_for_file FILE: wait_for FILE to exist and be non-empty.
wait_for_file() {
	wait_for test -s "$1"
}
# next_second: wait until the UTC clock is in the next second, so that a
# tool run after it stamps a later time than one run before (the store's
# times have whole seconds).
next_second() {
	local t0
	t0=$(date -u +%s)
	wait_for -t 3 eval '[ "$(date -u +%s)" != "$t0" ]'
}
# ---- end issue 8 (tests) ----------------------------------------------
# ---- fake servers in the background (t/fake/), shared by the fetch tests ----
# fake_start SCRIPT [ARGS...]: runs t/fake/SCRIPT; its port in PORT, its pid
# added to FAKE_PIDS (fake_stop_all, in teardown, stops them all). Waits
# for the port line, not for a fixed time.
fake_start() {
	local script=$1 out
	shift
	out=fake-port.$((${#FAKE_PIDS[@]} + 1))
	# the background job truncates it only when it starts: an earlier
	# server's port must not be read as this one's
	rm -f "$out"
	python3 "$SRC/t/fake/$script" "$@" >"$out" 2>>fake.err &
	FAKE_PIDS+=($!)
	wait_for_file "$out"
	PORT=$(head -1 "$out")
	[ -n "$PORT" ]
}

fake_stop_all() {
	stop_pids FAKE_PIDS
}

# mem_count PID TEXT: how many times TEXT is in the memory of process PID
# (its writable mappings, read through /proc/PID/mem a few MiB at a time;
# mappings over 1 GiB, such as AddressSanitizer's shadow, are left out);
# fails when that can't be read.
mem_count() {
	python3 - "$1" "$2" <<'PY'
import sys
pid, needle = sys.argv[1], sys.argv[2].encode()
n, step = 0, 4 << 20
with open("/proc/%s/maps" % pid) as maps, open("/proc/%s/mem" % pid, "rb", 0) as mem:
    for m in maps:
        f = m.split()
        a, b = (int(x, 16) for x in f[0].split("-"))
        if "w" not in f[1] or b - a > 1 << 30:
            continue
        tail = b""
        for at in range(a, b, step):
            try:
                mem.seek(at)
                chunk = tail + mem.read(min(step, b - at))
            except (OSError, ValueError, OverflowError):
                break
            n += chunk.count(needle)
            tail = chunk[-(len(needle) - 1):] if len(needle) > 1 else b""
print(n)
PY
}
# ---- end of fake servers ----
# --- locks (uoms-lock, t/4004, t/4005, t/9008) -----------------------------
# proc_gone PID: PID no longer runs (gone, or a zombie nobody reaped yet:
# PID 1 in a container may never reap the orphans it inherits).
proc_gone() {
	local state
	state=$(awk '{ print $3 }' "/proc/$1/stat" 2>/dev/null) || return 0
	[ -z "$state" ] || [ "$state" = Z ] || [ "$state" = X ]
}

# now_ms: the system clock as lock times are written, to the millisecond.
now_ms() {
	date -u +%Y-%m-%dT%H:%M:%S.%3NZ
}
# --- end locks ---------------------------------------------------------------
# --- query (t/2002) ----------------------------------------------------------
# query_is "ARGS" "IDS": uoms-query ARGS succeeds, silently, printing the
# orders IDS (newest first, on one line).
query_is() {
	local args got
	read -ra args <<<"$1"
	run --separate-stderr uoms-query "${args[@]}"
	echo "uoms-query $1: status $status, stderr '$stderr'"
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	got=$(printf '%s\n' "$output" | sed '/^$/d' | jget id | tr '\n' ' ' |
	    sed 's/ $//')
	echo "uoms-query $1: want '$2', got '$got'"
	[ "$got" = "$2" ]
}
# --- end query ---------------------------------------------------------------
# --- man page examples (t/1011) ----------------------------------------------
# man_examples PAGE: each literal block of man/PAGE's EXAMPLES section, as
# ex1.sh, ex2.sh... in the current folder, mdoc escapes undone.
man_examples() {
	awk '/^\.Sh EXAMPLES/ { on = 1; next } /^\.Sh / { on = 0 }
	    on && /^\.Bd -literal/ { n++; f = "ex" n ".sh"; printf "" > f; next }
	    on && /^\.Ed/ { f = ""; next }
	    f != "" { gsub(/\\e/, "\\"); gsub(/\\&/, ""); gsub(/\\\(dq/, "\""); print >> f }' \
	    "$SRC/man/$1"
}
# --- end man page examples ---------------------------------------------------

# --- PostgreSQL for a test file (t/pg.sh) -------------------------------
# pg_start in setup_file starts a server of the file's own (PG_DIR,
# PG_URL); pg_db NAME makes a fresh database and prints its URL; pg_stop
# in teardown_file stops it. A machine without PostgreSQL skips the file's
# tests that need it, saying so (pg_need).
pg_start() {
	PG_DIR=$(mktemp -d /tmp/uoms-pg.XXXXXX) || return 1
	chmod 755 "$PG_DIR"
	PG_URL=$("${UOMS_SRC:-$BATS_TEST_DIRNAME/..}/t/pg.sh" start "$PG_DIR") ||
	    PG_URL=
	export PG_DIR PG_URL
}

pg_stop() {
	[ -z "${PG_DIR:-}" ] && return 0
	[ -n "${PG_URL:-}" ] &&
	    "${UOMS_SRC:-$BATS_TEST_DIRNAME/..}/t/pg.sh" stop "$PG_DIR"
	rm -rf "$PG_DIR"
}

pg_need() {
	[ -n "${PG_URL:-}" ] || skip "no PostgreSQL server on this machine (t/pg.sh)"
}

pg_db() {
	pg_sql "$PG_URL" "CREATE DATABASE $1" >/dev/null || return 1
	echo "postgresql:///$1?host=$PG_DIR&user=uoms"
}

# pg_sql [-b] URL QUERY: QUERY's rows as psql -qXAt -F'|' -v
# ON_ERROR_STOP=1 prints them, through build/t/pgq (t/tools/pgq.c) when
# it is on PATH: psql's start-up was 36 ms of CPU a call, pgq's is 5.
# -b: a truth as 1 or 0.
pg_sql() {
	local truths=
	[ "$1" != -b ] || { truths=-b; shift; }
	if command -v pgq >/dev/null; then
		pgq $truths "$1" "$2"
	elif [ -n "$truths" ]; then
		psql -qXAt -F'|' -v ON_ERROR_STOP=1 "$1" -c "$2" |
		    sed -E -e ':a' -e 's/(^|\|)t(\||$)/\11\2/' -e 'ta' \
		    -e ':b' -e 's/(^|\|)f(\||$)/\10\2/' -e 'tb'
		return "${PIPESTATUS[0]}"
	else
		psql -qXAt -F'|' -v ON_ERROR_STOP=1 "$1" -c "$2"
	fi
}
# --- end PostgreSQL -------------------------------------------------------
# --- helpers once copied across bats files (issue 11) -----------------------
# Each of these was the same function in two or more t/*.bats files. A file
# that needs another one of the same name defines its own after `load
# helper`, which overrides it (t/3003's admin and lock, t/4003's lock,
# t/1011's plain). The man EXAMPLES extractor is man_examples, above.

# plain_orders: the plain orders most tests of a file use, made once per
# file by its setup_file (python3 is slow to start): `order N` for N in
# 100001..100006, each in $BATS_FILE_TMPDIR/N; they differ only in the id
# digits (t/1002, t/1004, t/1005, t/1007).
plain_orders() {
	order 100001 >"$BATS_FILE_TMPDIR/100001"
	for n in 100002 100003 100004 100005 100006; do
		sed "s/100001/$n/g" "$BATS_FILE_TMPDIR/100001" >"$BATS_FILE_TMPDIR/$n"
	done
}

# plain EXT: the line `order EXT` prints, as plain_orders made it.
plain() {
	cat "$BATS_FILE_TMPDIR/$1"
}

# five: five plain dispatch orders (WAITING), ids 1 to 5, stored from the
# file setup_file wrote once with `orders 5 >"$BATS_FILE_TMPDIR/five.jsonl"`
# (t/3001, t/3003).
five() {
	uoms-upsert "$BATS_FILE_TMPDIR/five.jsonl" >/dev/null
}

# fields MEMBER... < RECORDS: the members of each record, tab-separated.
fields() {
	python3 -c '
import json, sys
for l in sys.stdin:
    o = json.loads(l)
    print("\t".join(str(o.get(k)) for k in sys.argv[1:]))' "$@"
}

# count SQL: the single value a query answers.
count() {
	sql "$1"
}

# admin NAME: a user NAME with the role admin, straight into the store.
admin() {
	sql "INSERT INTO users (name, role, created_at, updated_at)
	    VALUES ('$1', 'admin', 'x', 'x')"
}

# lock ORDER TYPE OWNER [EXPIRES]: a lock taken by someone else.
lock() {
	sql "INSERT INTO locks (order_id, type, owner, acquired_at, expires_at)
	    VALUES ($1, '$2', '$3', '2026-01-01T00:00:00Z', '${4:-2099-01-01T00:00:00Z}')"
}

# nlocks [CONDITION]: how many locks the store holds (those matching the
# SQL CONDITION, if given).
nlocks() {
	sql "SELECT count(*) FROM locks ${1:+WHERE $1}"
}

# in_store TEXT: how many lines of the store's files (the database and its
# WAL; on PostgreSQL, a dump of the test's schema) hold TEXT; 0 when none.
in_store() {
	if [ "${UOMS_TEST_ENGINE:-sqlite}" = pg ]; then
		pg_dump -a -n "$UOMS_TEST_SCHEMA" "$PG_URL" | grep -ac -- "$1" || true
	else
		cat "$UOMS_DB" "$UOMS_DB-wal" 2>/dev/null | grep -ac -- "$1" || true
	fi
}

# norm: each record with its keys sorted, one per line, lines sorted.
norm() {
	python3 -c '
import json, sys
for line in sys.stdin:
    print(json.dumps(json.loads(line), ensure_ascii=False, sort_keys=True, separators=(",", ":")))
' | sort
}

# shifted: the lines on stdin with every RFC 3339 UTC time SHIFT days later.
shifted() {
	python3 -c '
import datetime, re, sys
days = int(sys.argv[1])
def move(m):
    t = datetime.datetime.strptime(m.group(0), "%Y-%m-%dT%H:%M:%SZ")
    return (t + datetime.timedelta(days=days)).strftime("%Y-%m-%dT%H:%M:%SZ")
for line in sys.stdin:
    sys.stdout.write(re.sub(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", move, line))
' "$SHIFT"
}
# --- end helpers once copied across bats files ------------------------------
# --- the engine the tests run on (issue 11) ---------------------------------
# UOMS_TEST_ENGINE=sqlite (the default): each test's store is a new file in
# its own folder. UOMS_TEST_ENGINE=pg: each test's store is a fresh, empty
# schema on the server PG_DIR/PG_URL name (started once for the whole run,
# by make check or t/pg.sh, with t/pg-compat.sql applied), reached through the URL's search_path:
# a schema is made in a few milliseconds, a database in a few hundred.

# store_fresh: point UOMS_DB at a new, empty store on the engine in use.
store_fresh() {
	local schema
	if [ "${UOMS_TEST_ENGINE:-sqlite}" != pg ]; then
		export UOMS_DB="$BATS_TEST_TMPDIR/uoms.db"
		return 0
	fi
	if [ -z "${PG_URL:-}" ]; then
		echo "UOMS_TEST_ENGINE=pg needs PG_URL (t/pg.sh start DIR)" >&2
		return 1
	fi
	schema=t$$_${RANDOM}_$RANDOM
	export UOMS_TEST_SCHEMA=$schema
	pg_sql "$PG_URL" "CREATE SCHEMA $schema" >/dev/null || return 1
	# public last: t/pg-compat.sql's group_concat for the tests' queries.
	export UOMS_DB="$PG_URL&options=-csearch_path%3D$schema%2Cpublic"
}

# have_store, no_store: whether there is a store at $UOMS_DB (a file; a
# schema with the store's tables in it).
have_store() {
	if [ "${UOMS_TEST_ENGINE:-sqlite}" = pg ]; then
		[ "$(sql "SELECT count(*) FROM pg_tables WHERE schemaname =
		    current_schema() AND tablename = 'uoms_schema'")" = 1 ]
	else
		[ -f "$UOMS_DB" ]
	fi
}
no_store() {
	if [ "${UOMS_TEST_ENGINE:-sqlite}" = pg ]; then
		[ "$(sql "SELECT count(*) FROM pg_tables WHERE schemaname =
		    current_schema()")" = 0 ]
	else
		[ ! -e "$UOMS_DB" ]
	fi
}

# store_reset: start again from no store at all (a loop's next case).
store_reset() {
	if [ "${UOMS_TEST_ENGINE:-sqlite}" = pg ]; then
		store_fresh
	else
		rm -f "$UOMS_DB" "$UOMS_DB-wal" "$UOMS_DB-shm"
	fi
}

# engine_is ENGINE: whether the tests run on ENGINE (sqlite or pg), for a
# check of one engine's own inside a test of both.
engine_is() {
	[ "${UOMS_TEST_ENGINE:-sqlite}" = "$1" ]
}

# engine_only ENGINE REASON: skip the test on the other engine, saying why
# it is ENGINE's own (WAL, file modes, integrity_check are SQLite's).
engine_only() {
	[ "${UOMS_TEST_ENGINE:-sqlite}" = "$1" ] ||
	    skip "$1 only: $2"
}
# --- end engine -------------------------------------------------------------
# --- many hosts (t/9009) ------------------------------------------------------
# store_invariants: what must hold of a store whatever raced on it, on
# either engine (t/invariants.py's checks of orders and events, in SQL
# both engines speak): every order has items and exactly one created
# event; the versions of its events are 1..version, each once (no change
# without its event, none applied twice); no event names a missing order.
# Prints each breach (at most 20) and fails if there is any.
store_invariants() {
	local bad
	bad=$(sql "SELECT 'order ' || o.id || ': no items' FROM orders o
	    WHERE NOT EXISTS (SELECT 1 FROM order_items i WHERE i.order_id = o.id)
	  UNION ALL SELECT 'order ' || o.id || ': ' || (SELECT count(*) FROM
	    events e WHERE e.order_id = o.id AND e.type = 'created') ||
	    ' created events' FROM orders o WHERE (SELECT count(*) FROM events e
	    WHERE e.order_id = o.id AND e.type = 'created') <> 1
	  UNION ALL SELECT 'order ' || o.id || ': version ' || o.version || ', '
	    || count(e.version) || ' versioned events, ' ||
	    count(DISTINCT e.version) || ' versions from ' ||
	    coalesce(min(e.version), 0) || ' to ' || coalesce(max(e.version), 0)
	    FROM orders o LEFT JOIN events e ON e.order_id = o.id AND e.version
	    IS NOT NULL GROUP BY o.id, o.version HAVING count(e.version) <>
	    o.version OR count(DISTINCT e.version) <> o.version OR
	    min(e.version) <> 1 OR max(e.version) <> o.version
	  UNION ALL SELECT 'event ' || e.id || ' of order ' || e.order_id ||
	    ', which does not exist' FROM events e WHERE e.order_id IS NOT NULL
	    AND NOT EXISTS (SELECT 1 FROM orders o WHERE o.id = e.order_id)
	  LIMIT 20") || return 1
	[ -z "$bad" ] || { printf 'store_invariants: %s\n' "$bad" >&2; return 1; }
}
# --- end many hosts -----------------------------------------------------------
# --- python3 from Debian (pgt3, issue 11) -----------------------------------
# The tests start python3 hundreds of times a file (jget, the fakes, data
# builders). When PATH names another python3 first, such as a pyenv shim
# (a shell script that runs pyenv before python: 0.3 s a start against
# 0.04 s), take Debian's (DEPS_TEST), which has every module they import
# (the standard library's alone): a folder holding only a python3 link,
# first on PATH. Not a shell function: fake_start's `python3 ... &` must
# be the server itself, for fake_stop_all's kill to reach it.
if [ -x /usr/bin/python3 ] && [ -n "${BATS_RUN_TMPDIR:-}" ] &&
    [ "$(command -v python3)" != /usr/bin/python3 ] &&
    [ "$(command -v python3)" != "$BATS_RUN_TMPDIR/python3-debian/python3" ]; then
	mkdir -p "$BATS_RUN_TMPDIR/python3-debian" &&
	    ln -sf /usr/bin/python3 "$BATS_RUN_TMPDIR/python3-debian/python3" &&
	    PATH=$BATS_RUN_TMPDIR/python3-debian:$PATH
fi
# --- end python3 from Debian ------------------------------------------------
# --- a fault injected into the store (t/1008, t/1014, t/3004) ---------------
# refuse_rows "OP ON TABLE" CONDITION: a trigger that refuses the rows
# matching CONDITION as a constraint would, with the message boom: a fault
# no check in C foresees, on whichever engine the test store is.
refuse_rows() {
	if engine_is pg; then
		sql "CREATE FUNCTION boom() RETURNS trigger LANGUAGE plpgsql AS
		    \$\$BEGIN RAISE EXCEPTION 'boom' USING ERRCODE =
		    'check_violation'; END\$\$;
		    CREATE TRIGGER boom BEFORE $1 FOR EACH ROW WHEN ($2)
		    EXECUTE FUNCTION boom()"
	else
		sql "CREATE TRIGGER boom BEFORE $1 WHEN $2
		    BEGIN SELECT RAISE(ABORT, 'boom'); END"
	fi
}
# --- end fault injection --------------------------------------------------------
# --- uoms-serve (issue 12) ----------------------------------------------------
# serve_start [ARG...]: starts uoms-serve on the test store on a port the
# kernel picks (--listen 127.0.0.1:0), waits for its "listening on URL"
# line and sets SERVE_URL and SERVE_PID; its stderr (the access log) goes
# to serve.log. Stop it with serve_stop (also in a test's teardown). On
# PostgreSQL it signs tokens with a test key unless UOMS_JWT_KEY is set.
serve_start() {
	local key=${UOMS_JWT_KEY:-}
	# a PostgreSQL store has no folder for a key file: give one
	[ -z "$key" ] && engine_is pg && key=uoms-test-signing-key-0123456789abcdef
	: >serve.log
	UOMS_JWT_KEY=$key uoms-serve --listen 127.0.0.1:0 "$@" 2>>serve.log &
	SERVE_PID=$!
	wait_for grep -q 'listening on http://' serve.log || { cat serve.log >&2; return 1; }
	SERVE_URL=$(sed -n 's/.*listening on \(http:[^ ]*\).*/\1/p' serve.log | head -1)
	SERVE_URL=${SERVE_URL%/}
	[ -n "$SERVE_URL" ]
}

serve_stop() {
	[ -n "${SERVE_PID:-}" ] || return 0
	kill -TERM "$SERVE_PID" 2>/dev/null || true
	wait "$SERVE_PID" 2>/dev/null || true
	SERVE_PID=
}

# api METHOD PATH [BODY] [CURL-ARG...]: one request to the server, with
# "Authorization: Bearer $TOKEN" when TOKEN is set; prints the HTTP
# status; the body is in resp.body, the response's headers in resp.head.
api() {
	local method=$1 path=$2 body=${3-} auth=()
	shift 2
	[ $# -gt 0 ] && shift
	[ -n "${TOKEN:-}" ] && auth=(-H "Authorization: Bearer $TOKEN")
	if [ -n "$body" ]; then
		curl -s -o resp.body -D resp.head -w '%{http_code}' -X "$method" \
		    "${auth[@]}" -H 'Content-Type: application/json' \
		    --data-binary "$body" "$@" "$SERVE_URL$path"
	else
		curl -s -o resp.body -D resp.head -w '%{http_code}' -X "$method" \
		    "${auth[@]}" "$@" "$SERVE_URL$path"
	fi
}

# resp_header NAME: the value of a header of the last api answer.
resp_header() {
	tr -d '\r' <resp.head | sed -n "s/^$1: //Ip" | tail -1
}

# serve_user NAME ROLE [DEPARTMENT]: a user with password "pw-NAME",
# added by the store's first admin once there is one (uoms-user takes
# only an admin's word then), else by $UOMS_ACTOR.
serve_user() {
	local admin=
	have_store && admin=$(sql "SELECT name FROM users WHERE role = 'admin'
	    AND CAST(disabled AS INTEGER) = 0 ORDER BY name LIMIT 1")
	printf 'pw-%s\n' "$1" | uoms-user ${admin:+--actor "$admin"} add "$1" \
	    --role "$2" ${3:+--department "$3"} --password-stdin >/dev/null
}

# login NAME: TOKEN set to NAME's access token (password "pw-NAME").
login() {
	local code
	code=$(TOKEN= api POST /auth/login "{\"username\":\"$1\",\"password\":\"pw-$1\"}")
	[ "$code" = 200 ] || { echo "login $1: $code $(cat resp.body)" >&2; return 1; }
	TOKEN=$(jget access_token <resp.body)
	[ -n "$TOKEN" ]
}
# --- end uoms-serve -----------------------------------------------------------
# --- txfold (issue 12): faults the server's transactions must survive -------
# kill_backend_once "OP ON TABLE": on PostgreSQL, a trigger that ends its
# own connection (pg_terminate_backend, as a server restart or a killed
# backend would) the first time OP touches TABLE, inside the writer's
# transaction; a sequence counts, as a rolled-back counter row would not.
kill_backend_once() {
	sql "CREATE SEQUENCE kill_once;
	    CREATE FUNCTION kill_once() RETURNS trigger LANGUAGE plpgsql AS
	    \$\$BEGIN IF nextval('kill_once') = 1 THEN PERFORM
	    pg_terminate_backend(pg_backend_pid()); END IF; RETURN NULL;
	    END\$\$;
	    CREATE TRIGGER kill_once AFTER $1 FOR EACH ROW
	    EXECUTE FUNCTION kill_once()"
}

# kills_done: how many times a kill_backend_once trigger fired.
kills_done() {
	sql "SELECT CASE WHEN is_called THEN last_value ELSE 0 END
	    FROM kill_once"
}
# stop_pids ARRAY: stops and reaps the processes whose pids the array
# named ARRAY holds (background jobs of this shell), then empties it.
stop_pids() {
	local -n stop_pids_ref=$1
	local pid
	for pid in "${stop_pids_ref[@]}"; do
		kill "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	done
	stop_pids_ref=()
}
# --- end txfold ---------------------------------------------------------------

# hold_sqlite_store: the sqlite3 program holds the store's write lock (a
# write transaction it keeps open) until free_sqlite_store; returns once
# it is held (a bounded wait, not a count of tries: on a loaded machine
# the holder starts late).
hold_sqlite_store() {
	mkfifo hold
	sqlite3 "$UOMS_DB" <hold >/dev/null 2>&1 &
	holder=$!
	exec {hold_w}>hold
	echo "BEGIN IMMEDIATE; DELETE FROM rejects;" >&"$hold_w"
	wait_for -t 30 sqlite_store_held
}

sqlite_store_held() {
	! sqlite3 "$UOMS_DB" "BEGIN IMMEDIATE; ROLLBACK;" 2>/dev/null
}

free_sqlite_store() {
	echo "ROLLBACK;" >&"$hold_w"
	exec {hold_w}>&-
	wait "$holder"
}
