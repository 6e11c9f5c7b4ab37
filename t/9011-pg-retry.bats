#!/usr/bin/env bats
# PostgreSQL gives up on a transaction now and then: a serialization
# failure (40001), a deadlock (40P01), a connection lost with its answer.
# The tools run such a transaction again, a bounded number of times, and
# never store it twice: a line tool's batch (lib/run.c), a subcommand
# tool's transaction (uoms_verb_tx), uoms-push's and uoms-fetch's
# (uoms_db_transact); a COMMIT whose answer was lost is asked about
# (txid_status) before it is run again. The failures are made to
# happen, deterministically: a trigger that fails the first N times (a
# sequence counts them: it is not rolled back with the transaction),
# and t/pg-proxy.py between a tool and the server, which drops the
# connection at its COMMIT or inside the transaction. A server of the
# file's own, as
# t/9010's, on either pass of make check: the proxy reaches it by its
# socket folder.
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
	export UOMS_ACTOR=tester UOMS_PASSWORD_COST=4
	unset UOMS_CONFIG
	pg_need
	# A database per test: the server is this file's alone.
	DBNAME=t$BATS_TEST_NUMBER
	UOMS_DB=$(pg_db "$DBNAME") || return 1
	export UOMS_DB
	uoms-upsert </dev/null
}

teardown() {
	[ -n "${proxy:-}" ] && kill "$proxy" 2>/dev/null
	fake_stop_all
	return 0
}

# flaky NAME "OP ON TABLE" N SQLSTATE: the next N rows written so fail
# with SQLSTATE, the rows after them pass (trigger NAME counts them in a
# sequence of its own: a sequence is not rolled back with the
# transaction).
flaky() {
	pg_sql "$UOMS_DB" "CREATE SEQUENCE $1_n;
	    CREATE FUNCTION $1() RETURNS trigger LANGUAGE plpgsql AS
	    \$\$BEGIN IF nextval('$1_n') <= $3 THEN RAISE EXCEPTION
	    '$1: try again' USING ERRCODE = '$4'; END IF;
	    RETURN NEW; END\$\$;
	    CREATE TRIGGER $1 BEFORE $2 FOR EACH ROW EXECUTE FUNCTION $1()"
}

# tries NAME: how many rows trigger NAME has seen.
tries() {
	pg_sql "$UOMS_DB" "SELECT CASE WHEN is_called THEN last_value ELSE 0
	    END FROM $1_n"
}

# proxy MODE: t/pg-proxy.py before the server, losing the COMMIT of the
# first transaction that appends an event as MODE says (mid: the
# connection at that event); PROXY_DB is the test's database through it.
proxy() {
	python3 "$SRC/t/pg-proxy.py" "$PG_DIR/.s.PGSQL.5432" port proxy.log \
	    "$1" "INSERT INTO events" 3>&- &
	proxy=$!
	wait_for test -s port
	PROXY_DB="postgresql://uoms@127.0.0.1:$(cat port)/$DBNAME?sslmode=disable&gssencmode=disable"
}

# q QUERY: one query's rows on the test's database.
q() {
	pg_sql "$UOMS_DB" "$1"
}

@test "uoms-status: a serialization failure in the batch runs it again, each order moved once" {
	orders 3 | uoms-upsert >/dev/null
	flaky f "INSERT ON events" 1 40001
	run --separate-stderr uoms-status --to IN_PROGRESS 1 2 3
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	[ "$(grep -c '"status":"IN_PROGRESS"' <<<"$output")" = 3 ]
	[ "$(tries f)" -ge 2 ]
	[ "$(q "SELECT string_agg(status || ' ' || version, ',' ORDER BY id)
	    FROM orders")" = "IN_PROGRESS 2,IN_PROGRESS 2,IN_PROGRESS 2" ]
	[ "$(q "SELECT count(*) FROM events WHERE type = 'status'")" = 3 ]
}

@test "uoms-upsert: a deadlock in the batch runs it again, each order stored once" {
	flaky f "INSERT ON orders" 1 40P01
	orders 3 >in.jsonl
	run --separate-stderr uoms-upsert <in.jsonl
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	[ "$(grep -c '"version":1,' <<<"$output")" = 3 ]
	[ "$(tries f)" -ge 4 ]
	[ "$(q "SELECT count(*), count(DISTINCT external_order_id),
	    max(version) FROM orders")" = "3|3|1" ]
	[ "$(q "SELECT count(*) FROM events WHERE type = 'created'")" = 3 ]
}

@test "uoms-remark add: a serialization failure in its transaction runs it again, one remark, one version" {
	orders 1 | uoms-upsert >/dev/null
	flaky f "INSERT ON remarks" 1 40001
	run --separate-stderr uoms-remark add 1 'call first'
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	[ "$(jget version <<<"$output")" = 2 ]
	[ "$(tries f)" = 2 ]
	[ "$(q "SELECT count(*) FROM remarks")" = 1 ]
	[ "$(q "SELECT version FROM orders")" = 2 ]
	[ "$(q "SELECT count(*) FROM events WHERE type = 'remark_added'")" = 1 ]
}

@test "uoms-lock acquire: a deadlock in its transaction runs it again, the lock taken once" {
	orders 2 | uoms-upsert >/dev/null
	flaky f "INSERT ON locks" 1 40P01
	run --separate-stderr uoms-lock acquire --type edit 1 2
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	[ "$(grep -c . <<<"$output")" = 2 ]
	[ "$(q "SELECT count(*), count(DISTINCT order_id) FROM locks")" = "2|2" ]
	[ "$(q "SELECT count(*) FROM events WHERE type = 'lock_acquired'")" = 2 ]
}

@test "uoms-user add: a serialization failure in its transaction runs it again, one user, one line" {
	flaky f "INSERT ON users" 1 40001
	run --separate-stderr uoms-user add ann --role admin --password-stdin <<<pw-ann
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	[ "$(grep -c . <<<"$output")" = 1 ]
	[ "$(jget name <<<"$output")" = ann ]
	[ "$(q "SELECT count(*) FROM users")" = 1 ]
	[ "$(q "SELECT count(*) FROM events WHERE type = 'user_added'")" = 1 ]
}

@test "a failure that keeps coming is tried a bounded number of times, then exits 3 with nothing stored" {
	orders 1 | uoms-upsert >/dev/null
	flaky f "INSERT ON remarks" 1000 40001
	run --separate-stderr uoms-remark add 1 'call first'
	[ "$status" -eq 3 ]
	[ -z "$output" ]
	[ "$stderr" = "uoms-remark: order 1: busy: store busy past the timeout while adding a remark" ]
	# The first try and five more.
	[ "$(tries f)" = 6 ]
	[ "$(q "SELECT count(*) FROM remarks")" = 0 ]
	[ "$(q "SELECT version FROM orders")" = 1 ]
	[ "$(q "SELECT count(*) FROM events")" = 1 ]
}

@test "uoms-remark: a COMMIT stored whose answer was lost is asked about, not run again: one remark, one version" {
	orders 1 | uoms-upsert >/dev/null
	proxy after
	run --separate-stderr uoms-remark -d "$PROXY_DB" add 1 'call first'
	[ "$(cat proxy.log)" = "lost after COMMIT" ]
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	[ "$(jget version <<<"$output")" = 2 ]
	[ "$(q "SELECT count(*) FROM remarks")" = 1 ]
	[ "$(q "SELECT version FROM orders")" = 2 ]
	[ "$(q "SELECT count(*) FROM events WHERE type = 'remark_added'")" = 1 ]
}

@test "uoms-remark: a COMMIT lost before it reached the server is run again, once" {
	orders 1 | uoms-upsert >/dev/null
	proxy before
	run --separate-stderr uoms-remark -d "$PROXY_DB" add 1 'call first'
	[ "$(cat proxy.log)" = "lost before COMMIT" ]
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	[ "$(jget version <<<"$output")" = 2 ]
	[ "$(q "SELECT count(*) FROM remarks")" = 1 ]
	[ "$(q "SELECT version FROM orders")" = 2 ]
	[ "$(q "SELECT count(*) FROM events WHERE type = 'remark_added'")" = 1 ]
}

@test "uoms-status: a batch's COMMIT stored whose answer was lost is not run again: each order moved once" {
	orders 3 | uoms-upsert >/dev/null
	proxy after
	run --separate-stderr uoms-status -d "$PROXY_DB" --to IN_PROGRESS 1 2 3
	[ "$(cat proxy.log)" = "lost after COMMIT" ]
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	[ "$(grep -c '"version":2,' <<<"$output")" = 3 ]
	[ "$(q "SELECT string_agg(status || ' ' || version, ',' ORDER BY id)
	    FROM orders")" = "IN_PROGRESS 2,IN_PROGRESS 2,IN_PROGRESS 2" ]
	[ "$(q "SELECT count(*) FROM events WHERE type = 'status'")" = 3 ]
}

@test "uoms-status: a batch's COMMIT lost before it reached the server is run again, each order moved once" {
	orders 3 | uoms-upsert >/dev/null
	proxy before
	run --separate-stderr uoms-status -d "$PROXY_DB" --to IN_PROGRESS 1 2 3
	[ "$(cat proxy.log)" = "lost before COMMIT" ]
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	[ "$(grep -c '"version":2,' <<<"$output")" = 3 ]
	[ "$(q "SELECT string_agg(status || ' ' || version, ',' ORDER BY id)
	    FROM orders")" = "IN_PROGRESS 2,IN_PROGRESS 2,IN_PROGRESS 2" ]
	[ "$(q "SELECT count(*) FROM events WHERE type = 'status'")" = 3 ]
}

@test "a COMMIT whose answer was lost, and no server to ask: exit 3, saying its outcome is unknown, never run again" {
	orders 1 | uoms-upsert >/dev/null
	printf 'busy_timeout: 500\n' >uoms.yaml
	proxy refuse
	run --separate-stderr uoms-remark -c uoms.yaml -d "$PROXY_DB" add 1 'call first'
	[ "$(cat proxy.log)" = "lost refuse COMMIT" ]
	[ "$status" -eq 3 ]
	[ -z "$output" ]
	[ "$stderr" = "uoms-remark: order 1: the store's answer was lost while committing: lost the connection while committing, and whether the transaction was stored is unknown" ]
	# The server did commit it: once.
	[ "$(q "SELECT count(*) FROM remarks")" = 1 ]
	[ "$(q "SELECT count(*) FROM events WHERE type = 'remark_added'")" = 1 ]
}

@test "uoms-push: a serialization failure at the claim and a deadlock at the record are run again: pushed once, recorded once" {
	export UOMS_SECRET_KEY=00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff
	fake_start jsonl_server.py --token tok-9011 --push-log push.log
	echo tok-9011 | uoms-channel add shop --kind http-jsonl \
	    --base-url "http://127.0.0.1:$PORT" --secret token >/dev/null
	order E1 channel='"shop"' order_no='"2611-000001"' | uoms-upsert >/dev/null
	# Shipped: an ack and a ship are owed.
	uoms-status --to IN_PROGRESS 1 >/dev/null
	uoms-edit --set shipment.carrier=cj \
	    --set shipment.tracking_number=640012345678 1 >/dev/null
	flaky claim "INSERT ON pushes" 1 40001
	flaky rec "UPDATE ON pushes" 1 40P01
	run --separate-stderr uoms-push 1
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	[ "${lines[0]}" = '{"id":1,"channel":"shop","push":"ack","state":"sent","answer":{"accepted":"ack"}}' ]
	[ "${lines[1]}" = '{"id":1,"channel":"shop","push":"ship","state":"sent","answer":{"accepted":"ship"}}' ]
	# Each failed once and passed after: ack's claim and record again.
	[ "$(tries claim)" = 3 ]
	[ "$(tries rec)" = 3 ]
	[ "$(grep -c . push.log)" = 2 ]
	[ "$(q "SELECT string_agg(what || ' ' || state || ' ' || attempts, ','
	    ORDER BY what) FROM pushes")" = "ack sent 1,ship sent 1" ]
	[ "$(q "SELECT count(*) FROM events WHERE type = 'pushed'")" = 2 ]
}

@test "uoms-fetch: a serialization failure while it keeps a token sealed is run again: kept, and reused by the next run" {
	export UOMS_SECRET_KEY=00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff
	fake_start shopify_server.py --log "$BATS_TEST_TMPDIR/server.log" \
	    --client-id app-id --client-secret app-secret-42
	printf 'app-id\napp-secret-42\n' | uoms-channel add shopc --kind shopify \
	    --base-url "http://127.0.0.1:$PORT" --set limit=4 \
	    --secret client_id --secret client_secret >/dev/null
	flaky f "INSERT ON channel_secrets" 1 40001
	run --separate-stderr uoms-fetch --channel shopc --since 2026-11-01
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	[ "${#lines[@]}" -eq 9 ]
	[ "$(tries f)" = 2 ]
	run --separate-stderr uoms-fetch --channel shopc --since 2026-11-01
	[ "$status" -eq 0 ]
	[ "$(grep -c '^POST /admin/oauth/access_token -> 200$' server.log)" -eq 1 ]
	[ "$(q "SELECT count(*) FROM channel_secrets WHERE name = 'access_token'")" = 1 ]
}

@test "uoms-lock acquire: a connection lost inside its transaction runs it again on a new one: each lock taken once" {
	orders 2 | uoms-upsert >/dev/null
	proxy mid
	run --separate-stderr uoms-lock -d "$PROXY_DB" acquire --type edit 1 2
	[[ $(cat proxy.log) == "lost the connection at INSERT INTO events"* ]]
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	[ "$(grep -c . <<<"$output")" = 2 ]
	[ "$(q "SELECT count(*), count(DISTINCT order_id) FROM locks")" = "2|2" ]
	[ "$(q "SELECT count(*) FROM events WHERE type = 'lock_acquired'")" = 2 ]
}

@test "uoms-hold set: a deadlock in its batch runs it again, one hold and one event per order" {
	orders 2 | uoms-upsert >/dev/null
	flaky f "INSERT ON holds" 1 40P01
	run --separate-stderr uoms-hold set --reason address_invalid 1 2
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	[ "$(grep -c . <<<"$output")" = 2 ]
	[ "$(tries f)" -ge 3 ]
	[ "$(q "SELECT count(*), count(DISTINCT order_id) FROM holds")" = "2|2" ]
	[ "$(q "SELECT count(*) FROM events WHERE type LIKE 'hold%'")" = 2 ]
}

# The set statements of a batch of lines (change.h, uoms_change_later):
# a failure in them runs the batch again as any other.
@test "uoms-status, lines: a serialization failure in a batch's set statements runs it again, each order moved once" {
	orders 3 | uoms-upsert >/dev/null
	flaky f "INSERT ON events" 1 40001
	run --separate-stderr uoms-status --to IN_PROGRESS < <(printf '{"id":%s}\n' 1 2 3)
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	[ "$(jget id <<<"$output" | tr '\n' ' ')" = "1 2 3 " ]
	[ "$(grep -c '"version":2,' <<<"$output")" = 3 ]
	[ "$(tries f)" -ge 2 ]
	[ "$(q "SELECT string_agg(status || ' ' || version, ',' ORDER BY id)
	    FROM orders")" = "IN_PROGRESS 2,IN_PROGRESS 2,IN_PROGRESS 2" ]
	[ "$(q "SELECT string_agg(order_id::text, ' ' ORDER BY id) FROM events
	    WHERE type = 'status'")" = "1 2 3" ]
}

@test "uoms-status, lines: the connection lost at a batch's events runs it again, each order moved once" {
	orders 3 | uoms-upsert >/dev/null
	proxy mid
	run --separate-stderr uoms-status -d "$PROXY_DB" --to IN_PROGRESS < <(printf '{"id":%s}\n' 1 2 3)
	[[ $(cat proxy.log) == "lost the connection at INSERT INTO events"* ]]
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	[ "$(grep -c '"version":2,' <<<"$output")" = 3 ]
	[ "$(q "SELECT string_agg(status || ' ' || version, ',' ORDER BY id)
	    FROM orders")" = "IN_PROGRESS 2,IN_PROGRESS 2,IN_PROGRESS 2" ]
	[ "$(q "SELECT count(*) FROM events WHERE type = 'status'")" = 3 ]
}
