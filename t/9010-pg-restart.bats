#!/usr/bin/env bats
# PostgreSQL's connection life: a server restart under long-running tools
# (uoms-events --follow, uoms-upsert reading a pipe) is survived, nothing
# lost and nothing stored twice; a connection killed inside a batch's
# transaction has the batch run again; a tool run while the server is
# down fails at once, clearly; --follow sleeps on LISTEN/NOTIFY instead of
# polling. A server of the file's own (pg_start), on either pass of make
# check: restarting the PG pass's shared server would break the files
# running beside this one.
load helper

setup_file() {
	pg_start
}

teardown_file() {
	pg_stop
}

setup() {
	cd "$BATS_TEST_TMPDIR" || return 1
	SRC=${UOMS_SRC:-$BATS_TEST_DIRNAME/..}
	export UOMS_ACTOR=tester
	unset UOMS_CONFIG
	pg_need
	# A database per test: the server is this file's alone.
	UOMS_DB=$(pg_db "t$BATS_TEST_NUMBER") || return 1
	export UOMS_DB
	uoms-upsert </dev/null
}

teardown() {
	# Whatever a test left running, and the server up for the next.
	[ -n "${bg:-}" ] && kill $bg 2>/dev/null
	[ -n "${PG_URL:-}" ] || return 0
	pg_server start
	return 0
}

# pg_server start|stop|restart: the file's server, started as t/pg.sh
# starts it. None of the test's descriptors go to the server: bats waits
# for whoever holds its fd 3, and a server holding a test's pipe open
# would keep its reader from the end of it.
pg_server() (
	local bindir d as=()
	for d in /usr/lib/postgresql/*/bin; do
		[ -x "$d/pg_ctl" ] && bindir=$d
	done
	[ "$(id -u)" -eq 0 ] && as=(runuser -u postgres --)
	# From a folder the server's user may enter.
	cd / || return 1
	case $1 in
	stop)
		"${as[@]}" "$bindir/pg_ctl" -D "$PG_DIR/data" -m fast -w \
		    stop >/dev/null 2>&1 3>&- 5>&- ;;
	start)
		"${as[@]}" "$bindir/pg_ctl" -D "$PG_DIR/data" status \
		    >/dev/null 2>&1 3>&- 5>&- && return 0
		"${as[@]}" "$bindir/pg_ctl" -D "$PG_DIR/data" \
		    -l "$PG_DIR/server.log" -w -t 60 -o "-k $PG_DIR \
		    -c listen_addresses= -c fsync=off -c synchronous_commit=off \
		    -c full_page_writes=off -c max_connections=200" start \
		    >/dev/null 3>&- 5>&- ;;
	restart)
		pg_server stop && pg_server start ;;
	esac
)

# lines FILE N: whether FILE has N lines (for wait_for, which runs it
# anew at each try: a "$(...)" in its arguments would be run once).
lines() {
	[ "$(grep -c . "$1")" = "$2" ]
}

# follower_idle: whether the follower's connection waits, no statement
# running.
follower_idle() {
	[ "$(pg_sql "$UOMS_DB" "SELECT count(*) FROM pg_stat_activity WHERE
	    application_name = 'follower' AND state = 'idle'")" = 1 ]
}

# cpu PID: the clock ticks of CPU the process has used (user + system).
cpu() {
	awk '{ print $14 + $15 }' "/proc/$1/stat"
}

@test "uoms-events --follow goes on printing the events written after the server restarts, each once" {
	order 900001 | uoms-upsert >/dev/null
	uoms-events --follow >follow.out 2>follow.err 3>&- &
	bg=$!
	wait_for grep -q '"order_id":1,' follow.out
	pg_server restart
	order 900002 | uoms-upsert >/dev/null
	wait_for grep -q '"order_id":2,' follow.out
	uoms-status --to IN_PROGRESS 2 >/dev/null
	wait_for grep -q '"to":"IN_PROGRESS"' follow.out
	kill $bg
	bg=
	uoms-events >all
	diff all follow.out
	[ ! -s follow.err ]
}

@test "uoms-upsert reading a pipe stores the lines written before, during and after a restart, each once" {
	mkfifo in
	uoms-upsert <in >up.out 2>up.err 3>&- &
	bg=$!
	exec 5>in
	order 900001 >&5
	wait_for lines up.out 1
	pg_server stop
	# During the gap: they wait for the server and are stored then.
	order 900002 >&5
	order 900003 >&5
	pg_server start
	order 900004 >&5
	exec 5>&-
	status=0
	wait $bg || status=$?
	bg=
	[ "$status" -eq 0 ]
	[ ! -s up.err ]
	[ "$(grep -c . up.out)" = 4 ]
	[ "$(uoms-query | grep -c .)" = 4 ]
	[ "$(uoms-events --type created | grep -c .)" = 4 ]
}

@test "a connection killed inside a batch's transaction: the batch is run again, every line stored once" {
	orders 20000 >in.jsonl
	uoms-upsert -d "$UOMS_DB&application_name=loader" <in.jsonl >up.out \
	    2>up.err 3>&- &
	bg=$!
	# Inside a write transaction: the backend has a transaction id.
	wait_for -t 20 eval '[ "$(pg_sql "$UOMS_DB" "SELECT
	    pg_terminate_backend(pid) FROM pg_stat_activity WHERE
	    application_name = '"'loader'"' AND backend_xid IS NOT NULL")" = t ]'
	status=0
	wait $bg || status=$?
	bg=
	[ "$status" -eq 0 ]
	[ ! -s up.err ]
	[ "$(grep -c . up.out)" = 20000 ]
	[ "$(pg_sql "$UOMS_DB" "SELECT count(*), count(DISTINCT
	    external_order_id) FROM orders")" = "20000|20000" ]
	[ "$(pg_sql "$UOMS_DB" "SELECT count(*) FROM events")" = 20000 ]
}

@test "a connection killed during COMMIT: the server says it was not stored, and the batch is run again, once" {
	# A deferred trigger makes the COMMIT slow enough to be caught.
	pg_sql "$UOMS_DB" "CREATE FUNCTION slow() RETURNS trigger LANGUAGE
	    plpgsql AS \$\$BEGIN PERFORM pg_sleep(1); RETURN NULL; END\$\$;
	    CREATE CONSTRAINT TRIGGER slow AFTER INSERT ON orders DEFERRABLE
	    INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION slow()"
	orders 2 >in.jsonl
	uoms-upsert -d "$UOMS_DB&application_name=loader" <in.jsonl >up.out \
	    2>up.err 3>&- &
	bg=$!
	wait_for eval '[ "$(pg_sql "$UOMS_DB" "SELECT pg_terminate_backend(pid)
	    FROM pg_stat_activity WHERE application_name = '"'loader'"' AND
	    state = '"'active'"' AND query = '"'COMMIT'"'")" = t ]'
	status=0
	wait $bg || status=$?
	bg=
	[ "$status" -eq 0 ]
	[ ! -s up.err ]
	[ "$(grep -c . up.out)" = 2 ]
	[ "$(pg_sql "$UOMS_DB" "SELECT count(*) FROM orders")" = 2 ]
	[ "$(pg_sql "$UOMS_DB" "SELECT count(*) FROM events")" = 2 ]
}

@test "a tool run while the server is down fails at once, naming the store with its password masked (exit 3)" {
	pg_server stop
	run --separate-stderr uoms-query -d "postgresql://uoms:s3cret@/uoms?host=$PG_DIR"
	pg_server start
	[ "$status" -eq 3 ]
	[ -z "$output" ]
	[[ $stderr == "uoms-query: store 'postgresql://uoms:***@/uoms?host=$PG_DIR': can't connect: "* ]]
	[[ $stderr != *s3cret* ]]
}

@test "uoms-events --follow sleeps on LISTEN: no statement and no CPU while idle, and a write wakes it" {
	order 900001 | uoms-upsert >/dev/null
	uoms-events --follow -d "$UOMS_DB&application_name=follower" \
	    >follow.out 3>&- &
	bg=$!
	wait_for grep -q '"order_id":1,' follow.out
	wait_for follower_idle
	q0=$(pg_sql "$UOMS_DB" "SELECT query_start FROM pg_stat_activity WHERE
	    application_name = 'follower'")
	c0=$(cpu $bg)
	# not synchronisation: the idle time whose cost is measured
	sleep 3
	c1=$(cpu $bg)
	q1=$(pg_sql "$UOMS_DB" "SELECT query_start FROM pg_stat_activity WHERE
	    application_name = 'follower'")
	# A poll would have run a statement (150 ms apart on SQLite).
	[ "$q0" = "$q1" ]
	[ $((c1 - c0)) -le 2 ]
	# Woken well before the safety poll (5 s), each time.
	for i in 2 3 4; do
		order 90000$i | uoms-upsert >/dev/null
		wait_for -t 2 grep -q "\"order_id\":$i," follow.out
	done
}
