#!/usr/bin/env bats
# The store file (issue 8, break 11): a uoms store carries its mark
# (application_id 0x756f6d73, "uoms"); anything else is refused with exit
# 3 and left byte for byte as it was; a store made before the mark still
# opens and a writer marks it; readers open read-only, so a store one may
# read but not write can be queried; new stores and their -wal/-shm are
# 0600 whatever the umask, or store_mode; a config path naming a folder
# says so.
load helper

teardown() {
	teardown_public
}

# refused_by_all FILE PATTERN: every tool, reader or writer, exits 3 with
# PATTERN on stderr, prints nothing, and FILE stays as it was.
refused_by_all() {
	local file=$1 pattern=$2 t
	cp "$file" "$file.before"
	for t in "uoms-query" "uoms-report status" "uoms-events" \
	    "uoms-upsert" "uoms-status --to CANCEL 1" "uoms-lock list"; do
		run --separate-stderr $t -d "$file" < <(order 1)
		echo "# $t: $status: $stderr"
		[ "$status" -eq 3 ]
		[ -z "$output" ]
		[[ "$stderr" =~ $pattern ]]
		[[ "$stderr" != *internal* ]]
		cmp "$file" "$file.before"
	done
	[ ! -e "$file-wal" ]
	[ ! -e "$file-journal" ]
}

@test "a store carries the mark application_id 0x756f6d73" {
	engine_only sqlite "the mark is a SQLite file header's"
	order 1 | uoms-upsert >/dev/null
	[ "$(sql 'pragma application_id')" = $((0x756f6d73)) ]
}

@test "another program's SQLite file is refused and left untouched" {
	engine_only sqlite "a SQLite file of another program (the PostgreSQL twin: its own test)"
	sqlite3 other.db "create table notes (t text); insert into notes values ('mine')"
	refused_by_all other.db "^uoms-[a-z]+: 'other.db' is not a uoms store: an SQLite database of another program"
	[ "$(sqlite3 other.db "select count(*) from sqlite_schema")" = 1 ]
}

@test "another program's SQLite file in WAL mode is left untouched too" {
	engine_only sqlite "a SQLite file in WAL mode"
	sqlite3 other.db "pragma journal_mode = wal; create table notes (t text); insert into notes values ('mine')" >/dev/null
	cp other.db before.db
	for t in uoms-query uoms-upsert; do
		run --separate-stderr "$t" -d other.db </dev/null
		[ "$status" -eq 3 ]
		[[ "$stderr" == *"is not a uoms store"* ]]
		cmp other.db before.db
	done
}

# A hot rollback journal (another program crashed mid-write) is played
# back by any read-write connection that reads the file: a writer asks
# whether the file is a store through a read-only one then, as readers do.
@test "another program's file with a hot journal is refused and left untouched by a writer" {
	engine_only sqlite "a SQLite rollback journal"
	python3 - <<'PY'
import shutil, sqlite3
db = sqlite3.connect("live.db", isolation_level=None)
db.execute("pragma cache_size = 1")
db.execute("create table notes (t text)")
db.execute("insert into notes values ('mine')")
db.execute("begin")
# more pages than the cache holds: they spill into the file mid-transaction
db.execute("insert into notes select hex(randomblob(500)) from (with r(i) as (select 1 union all select i + 1 from r limit 200) select i from r)")
shutil.copy("live.db", "other.db")
shutil.copy("live.db-journal", "other.db-journal")
db.execute("rollback")
PY
	[ -s other.db-journal ]
	cp other.db before.db
	cp other.db-journal before.db-journal
	run --separate-stderr uoms-upsert -d other.db < <(order 1)
	echo "# $status: $stderr"
	[ "$status" -eq 3 ]
	[ -z "$output" ]
	cmp other.db before.db
	cmp other.db-journal before.db-journal
}

# The writer's connection is the one that asks whether the file is a
# store: a second one, opened and closed before it, set up the -wal and
# -shm twice (a fifth of a one-shot uoms-status's system calls).
@test "a writer opens the store file once" {
	engine_only sqlite "the store's file"
	command -v strace >/dev/null || skip "strace is not installed"
	order 1 | uoms-upsert >/dev/null
	# LeakSanitizer can't run under ptrace (make SAN=1).
	ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 \
	    strace -f -e trace=open,openat -o trace uoms-status \
	    --to IN_PROGRESS 1 >/dev/null
	grep "\"$UOMS_DB\"" trace || true
	[ "$(grep -c "\"$UOMS_DB\"" trace)" -eq 1 ]
}

@test "a file that is not SQLite, or too short to be, is refused and left untouched" {
	engine_only sqlite "files that are not SQLite"
	printf 'order,amount\n1,2\n' >orders.csv
	refused_by_all orders.csv "^uoms-[a-z]+: 'orders.csv' is not a uoms store: not an SQLite database"
	printf 'SQLite format 3\0' >short.db
	refused_by_all short.db "not an SQLite database"
}

@test "a 0-byte file is not an empty store: refused, still 0 bytes" {
	engine_only sqlite "an empty file"
	: >empty.db
	refused_by_all empty.db "^uoms-[a-z]+: 'empty.db' is an empty file, not a uoms store"
	[ ! -s empty.db ]
}

@test "a store made before the mark: readers read it as it is, a writer marks it" {
	engine_only sqlite "the mark is a SQLite file header's"
	order 1 | uoms-upsert >/dev/null
	sql 'pragma application_id = 0'
	cp "$UOMS_DB" before.db
	run --separate-stderr uoms-query
	[ "$status" -eq 0 ]
	[ "$(echo "$output" | jget external_order_id)" = 1 ]
	cmp "$UOMS_DB" before.db
	order 2 | uoms-upsert >/dev/null
	[ "$(sql 'pragma application_id')" = $((0x756f6d73)) ]
	[ "$(sql 'select count(*) from orders')" = 2 ]
}

@test "the uoms schema without user_version is not taken for a store" {
	engine_only sqlite "user_version is SQLite's"
	order 1 | uoms-upsert >/dev/null
	sql 'pragma application_id = 0; pragma user_version = 0'
	run --separate-stderr uoms-query
	[ "$status" -eq 3 ]
	[[ "$stderr" == *"is not a uoms store"* ]]
}

@test "new store files are 0600 under umask 022, -wal and -shm too" {
	engine_only sqlite "file modes"
	umask 022
	order 1 | uoms-upsert >/dev/null
	[ "$(stat -c %a "$UOMS_DB")" = 600 ]
	run uoms-lock run --type EDIT 1 -- stat -c '%n %a' "$UOMS_DB" "$UOMS_DB-wal" "$UOMS_DB-shm"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "$UOMS_DB 600" ]
	[ "${lines[1]}" = "$UOMS_DB-wal 600" ]
	[ "${lines[2]}" = "$UOMS_DB-shm 600" ]
	# no temporary file is left beside it
	[ "$(ls -A "$(dirname "$UOMS_DB")" | grep -c '\.new-')" = 0 ]
}

@test "store_mode in the configuration names another mode; an existing store keeps its own" {
	engine_only sqlite "store_mode is a store file's mode"
	umask 077
	printf 'store_mode: 0640\n' >conf.yaml
	order 1 | uoms-upsert -c conf.yaml >/dev/null
	[ "$(stat -c %a "$UOMS_DB")" = 640 ]
	run uoms-lock -c conf.yaml run --type EDIT 1 -- stat -c '%a' "$UOMS_DB-wal" "$UOMS_DB-shm"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = 640 ]
	[ "${lines[1]}" = 640 ]
	chmod 600 "$UOMS_DB"
	order 2 | uoms-upsert -c conf.yaml >/dev/null
	[ "$(stat -c %a "$UOMS_DB")" = 600 ]
}

@test "a store_mode that is not a mode: exit 3, named, no store made" {
	engine_only sqlite "store_mode is a store file's mode"
	for m in 0999 rw-r----- 0040 12345; do
		printf 'store_mode: %s\n' "$m" >conf.yaml
		run --separate-stderr uoms-upsert -c conf.yaml </dev/null
		[ "$status" -eq 3 ]
		[[ "$stderr" == "uoms-upsert: config: store_mode must be"*"'$m'" ]]
		[ ! -e "$UOMS_DB" ]
	done
}

@test "a store one may read but not write can be queried and reported (as nobody)" {
	engine_only sqlite "file permissions"
	why=$(can_be_nobody)
	[ -z "$why" ] || skip "$why"
	public_dir
	db=$PUBLIC_DIR/uoms.db
	order 1 | uoms-upsert -d "$db" >/dev/null
	chmod 644 "$db"
	cp "$db" before.db
	# the folder is root's: no -shm can be made there, and none is
	run --separate-stderr as_nobody "$(command -v uoms-query)" -d "$db"
	echo "# $status: $stderr"
	[ "$status" -eq 0 ]
	[ "$(echo "$output" | jget external_order_id)" = 1 ]
	run --separate-stderr as_nobody "$(command -v uoms-report)" -d "$db" status
	[ "$status" -eq 0 ]
	cmp "$db" before.db
	# with the -shm of a live writer there, readable only, too
	run uoms-lock -d "$db" run --type EDIT 1 -- \
	    setpriv --reuid=nobody --regid=nogroup --clear-groups -- \
	    "$(command -v uoms-query)" -d "$db"
	echo "# live: $status: $output"
	[ "$status" -eq 0 ]
	[[ "$output" == *'"external_order_id":"1"'* ]]
	# a writer is refused with the cause, not "internal"
	run --separate-stderr as_nobody "$(command -v uoms-upsert)" -d "$db" < <(order 2)
	echo "# write: $status: $stderr"
	[ "$status" -eq 3 ]
	[[ "$stderr" == *"read-only"* || "$stderr" == *"ermission denied"* ]]
	[[ "$stderr" != *internal* ]]
	[ "$(sqlite3 "$db" "select count(*) from orders")" = 1 ]
}

@test "-c naming a folder says it is a folder: exit 3" {
	mkdir confdir
	for t in uoms-query uoms-upsert; do
		run --separate-stderr "$t" -c confdir </dev/null
		[ "$status" -eq 3 ]
		[ "$stderr" = "$t: config: 'confdir' is a directory, not a configuration file" ]
	done
}

@test "a missing store is still refused to readers, and not made" {
	run --separate-stderr uoms-query -d nothere.db
	[ "$status" -eq 3 ]
	[ ! -e nothere.db ]
	[ "$(ls -A | grep -c '\.new-')" = 0 ]
	# The same for the store the tests use, on either engine.
	run --separate-stderr uoms-query
	[ "$status" -eq 3 ]
	[ -z "$output" ]
	no_store
}

@test "a store held by another writer past busy_timeout: busy, exit 3" {
	engine_only sqlite "the holder is the sqlite3 program (the PostgreSQL twin: its own test)"
	order 1 | uoms-upsert >/dev/null
	printf 'busy_timeout: 200\n' >conf.yaml
	hold_sqlite_store
	run --separate-stderr uoms-upsert -c conf.yaml < <(order 2)
	free_sqlite_store
	echo "# $status: $stderr"
	[ "$status" -eq 3 ]
	[ "$stderr" = "uoms-upsert: busy: store busy past the timeout while beginning a transaction" ]
	order 2 | uoms-upsert -c conf.yaml >/dev/null
}

# lib/err prints every diagnostic: one line, whatever the input it quotes.
@test "a reference with a newline stays on one diagnostic line" {
	order 1 | uoms-upsert >/dev/null
	run --separate-stderr uoms-status --to CANCEL $'no:12\n34' $'no:5\t6\r'
	[ "$status" -eq 1 ]
	[ "${#stderr_lines[@]}" -eq 2 ]
	[ "${stderr_lines[0]}" = 'uoms-status: order no:12\n34: not_found: no such order' ]
	[ "${stderr_lines[1]}" = 'uoms-status: order no:5\t6\r: not_found: no such order' ]
}

@test "PostgreSQL: another program's orders table is refused and left untouched" {
	engine_only pg "the twin of another program's SQLite file"
	sql "CREATE TABLE orders (id integer, note text);
	    INSERT INTO orders VALUES (1, 'mine')"
	for t in "uoms-query" "uoms-report status" "uoms-events" \
	    "uoms-upsert" "uoms-status --to CANCEL 1" "uoms-lock list"; do
		run --separate-stderr $t < <(order 1)
		echo "# $t: $status: $stderr"
		[ "$status" -eq 3 ]
		[ -z "$output" ]
		[[ "$stderr" == "${t%% *}: "* ]]
		[[ "$stderr" != *internal* ]]
		# a writer says why; a reader finds no store there
		[[ "$stderr" == *"is not a uoms store: it has an orders table of another program"* ||
		    "$stderr" == *"no store at"*"has no uoms schema"* ]]
	done
	[ "$(sql "SELECT count(*) FROM pg_tables
	    WHERE schemaname = current_schema()")" = 1 ]
	[ "$(sql "SELECT id || ' ' || note FROM orders")" = "1 mine" ]
}

# hold_orders URL: another session takes the orders table of the store at
# URL (ACCESS EXCLUSIVE, in a transaction it keeps open) and holds it until
# free_orders; returns once the lock is granted, so a writer started after
# it surely waits (without the wait it could be done before the lock was).
hold_orders() {
	mkfifo hold
	psql -qXA -v ON_ERROR_STOP=1 "$1" <hold >/dev/null 2>&1 &
	locker=$!
	exec {w}>hold
	echo "BEGIN; LOCK TABLE orders IN ACCESS EXCLUSIVE MODE;" >&"$w"
	wait_for orders_held "$1"
}

orders_held() {
	[ "$(pg_sql "$1" "SELECT count(*) FROM pg_locks
	    WHERE relation = 'orders'::regclass
	    AND mode = 'AccessExclusiveLock' AND granted")" = 1 ]
}

free_orders() {
	echo "ROLLBACK;" >&"$w"
	exec {w}>&-
	wait "$locker"
}

# writer_waits APP: a session of application APP waits for a lock.
writer_waits() {
	[ "$(sql "SELECT count(*) FROM pg_stat_activity
	    WHERE application_name = '$1' AND wait_event_type = 'Lock'")" = 1 ]
}

@test "PostgreSQL: a store held by another writer past busy_timeout: busy, exit 3" {
	engine_only pg "the twin of the SQLite busy test"
	order 1 | uoms-upsert >/dev/null
	# The other writer is a uoms-upsert held up mid-transaction by a lock
	# on the orders table that a third session takes: it has its turn,
	# and keeps it until that lock goes.
	hold_orders "$UOMS_DB"
	app=uoms-writer-$$
	order 2 | PGAPPNAME=$app uoms-upsert >/dev/null 2>first.err &
	writer=$!
	wait_for writer_waits "$app"
	printf 'busy_timeout: 200\n' >conf.yaml
	run --separate-stderr uoms-upsert -c conf.yaml < <(order 3)
	free_orders
	st=0
	wait "$writer" || st=$?
	echo "# $status: $stderr; the other: $st: $(cat first.err)"
	[ "$status" -eq 3 ]
	[ "$stderr" = "uoms-upsert: busy: store busy past the timeout while beginning a transaction" ]
	[ "$st" -eq 0 ]
	order 3 | uoms-upsert -c conf.yaml >/dev/null
	[ "$(sql 'SELECT count(*) FROM orders')" = 3 ]
}

@test "PostgreSQL: a writer of one store does not hold up another store's in the same database" {
	engine_only pg "stores as schemas of one database are PostgreSQL's"
	# Two stores, each a schema of the same database, as SQLite's are two
	# files: a writer of one, held up mid-transaction, must not make the
	# other's writer wait (the writers' turn was once the database's).
	order 1 | uoms-upsert >/dev/null
	a=$UOMS_DB
	store_fresh
	order 1 | uoms-upsert >/dev/null
	# Store a's writer is held up by a lock on its orders table, taken
	# by another session: it has begun its transaction, and waits.
	hold_orders "$a"
	app=uoms-writer-$$
	order 2 | PGAPPNAME=$app uoms-upsert -d "$a" >/dev/null 2>a.err &
	writer=$!
	wait_for writer_waits "$app"
	# ... and this store's writer goes ahead at once.
	printf 'busy_timeout: 200\n' >conf.yaml
	run --separate-stderr uoms-upsert -c conf.yaml < <(order 3)
	free_orders
	st=0
	wait "$writer" || st=$?
	echo "# b: $status: $stderr; a: $st: $(cat a.err)"
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	[ "$st" -eq 0 ]
	[ "$(sql "SELECT external_order_id FROM orders ORDER BY id" | tr '\n' ' ')" = "1 3 " ]
	[ "$(UOMS_DB=$a sql "SELECT count(*) FROM orders")" = 2 ]
}
