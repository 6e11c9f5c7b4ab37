#!/usr/bin/env bats
# The store: a reader refuses a missing one, a writer creates it; WAL and a
# schema version; a newer store is refused; where the store path comes from
# (-d, $UOMS_DB, db: in the config file) and a config file that is wrong.
load helper

@test "uoms-query refuses a missing store, names it, and does not create it" {
	run --separate-stderr uoms-query -d "$PWD/typo.db"
	[ "$status" -eq 3 ]
	[ -z "$output" ]
	[[ "$stderr" == "uoms-query: "*"$PWD/typo.db"* ]]
	[ ! -e typo.db ]
	[ ! -e typo.db-wal ]

	# The same through $UOMS_DB, and in a directory that does not exist.
	run --separate-stderr uoms-query
	[ "$status" -eq 3 ]
	[[ "$stderr" == *"$UOMS_DB"* ]]
	no_store
	run --separate-stderr uoms-query -d "$PWD/no/such/dir/uoms.db"
	[ "$status" -eq 3 ]
	[[ "$stderr" == *"$PWD/no/such/dir/uoms.db"* ]]
	[ ! -e no ]
}

@test "uoms-upsert creates a missing store, even from empty input" {
	no_store
	run --separate-stderr uoms-upsert </dev/null
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	[ -z "$stderr" ]
	have_store
	# ... which a reader then takes for an empty store, not a missing one.
	run --separate-stderr uoms-query
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	[ -z "$stderr" ]

	order 100001 | uoms-upsert -d "$PWD/other.db" >/dev/null
	[ -f other.db ]
	[ "$(sqlite3 other.db 'select count(*) from orders')" = 1 ]
}

# schema_version [N]: the store's schema version (SQLite: user_version;
# PostgreSQL: the one row of uoms_schema), or set it to N.
schema_version() {
	if engine_is pg; then
		sql "${1:+UPDATE uoms_schema SET version = $1; }SELECT version FROM uoms_schema"
	else
		sql "pragma user_version${1:+ = $1}"
	fi
}

@test "the store is in WAL mode with its schema version in user_version" {
	engine_only sqlite "WAL, user_version and integrity_check are SQLite's (the PostgreSQL twin follows)"
	order 100001 | uoms-upsert >/dev/null
	[ "$(sql 'pragma journal_mode')" = wal ]
	v=$(sql 'pragma user_version')
	[[ "$v" =~ ^[0-9]+$ ]]
	[ "$v" -ge 1 ]
	[ "$(sql 'pragma integrity_check')" = ok ]
	# A second run migrates nothing and keeps the version.
	order 100002 | uoms-upsert >/dev/null
	[ "$(sql 'pragma user_version')" = "$v" ]
}

@test "PostgreSQL: the schema version is the one row of uoms_schema" {
	engine_only pg "the twin of the WAL and user_version test"
	order 100001 | uoms-upsert >/dev/null
	[ "$(sql 'SELECT count(*) FROM uoms_schema')" = 1 ]
	v=$(schema_version)
	[[ "$v" =~ ^[0-9]+$ ]]
	[ "$v" -ge 1 ]
	# A second run migrates nothing and keeps the version.
	order 100002 | uoms-upsert >/dev/null
	[ "$(schema_version)" = "$v" ]
	[ "$(sql 'SELECT count(*) FROM uoms_schema')" = 1 ]
}

@test "PostgreSQL: text sorts byte by byte as on SQLite, whatever the database's locale" {
	engine_only pg "SQLite compares text byte by byte already"
	# A database whose default collation puts "a" before "B" (ICU en).
	db=uoms_coll_$$_$BATS_TEST_NUMBER
	psql -qX "$PG_URL" -c "CREATE DATABASE $db LOCALE_PROVIDER icu ICU_LOCALE 'en' LOCALE 'C.UTF-8' TEMPLATE template0" >/dev/null
	export UOMS_DB="postgresql:///$db?host=$PG_DIR&user=uoms"
	[ "$(pg_sql "$UOMS_DB" "SELECT string_agg(x, ',' ORDER BY x) FROM (VALUES ('a'), ('B')) v(x)")" = a,B ]
	for name in b a B 9x; do
		uoms-channel add "$name" --kind demo >/dev/null
	done
	run --separate-stderr uoms-channel list
	# Every text column of every table is so (migration 11), and
	# there are some; but a kept record (order_renderings), bytes
	# printed again and never compared, which step 16 made without it.
	text_columns=$(pg_sql "$UOMS_DB" "SELECT count(*) FILTER (WHERE
	    a.attcollation <> 'pg_catalog.\"C\"'::regcollation) || ' ' ||
	    count(*) FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
	    WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'r'
	    AND a.attnum > 0 AND NOT a.attisdropped
	    AND a.atttypid = 'text'::regtype
	    AND (c.relname, a.attname) <> ('order_renderings', 'rendering')")
	psql -qX "$PG_URL" -c "DROP DATABASE $db" >/dev/null
	[ "$status" -eq 0 ]
	echo "text columns not C, all: $text_columns"
	[ "${text_columns% *}" = 0 ]
	[ "${text_columns#* }" -gt 100 ]
	printf '%s\n' "${lines[@]}" | python3 -c '
import json, sys
names = [json.loads(l)["name"] for l in sys.stdin]
assert names == ["9x", "B", "a", "b"], names
'
}

@test "a store from a newer uoms is refused by both tools, and left alone" {
	order 100001 | uoms-upsert >/dev/null
	v=$(schema_version)
	newer=$((v + 1))
	schema_version "$newer" >/dev/null
	sum=$(sql "select group_concat(id || '.' || version) from orders")

	run --separate-stderr uoms-query
	[ "$status" -eq 3 ]
	[ -z "$output" ]
	[[ "$stderr" == "uoms-query: "*"$newer"* ]]
	[[ "$stderr" == *newer* ]]

	run --separate-stderr uoms-upsert < <(order 100002)
	[ "$status" -eq 3 ]
	[ -z "$output" ]
	[[ "$stderr" == "uoms-upsert: "*"$newer"* ]]
	[[ "$stderr" == *newer* ]]

	[ "$(schema_version)" = "$newer" ]
	[ "$(sql "select group_concat(id || '.' || version) from orders")" = "$sum" ]
	[ "$(sql "select count(*) from orders where external_order_id = '100002'")" = 0 ]
}

# Three stores, each holding one order of its own, to tell them apart.
three_stores() {
	for s in flag env conf; do
		order "$s" order_no=absent | uoms-upsert -d "$PWD/$s.db" >/dev/null
	done
	printf 'db: %s\n' "$PWD/conf.db" >conf.yaml
}

# which [ARG...]: the store uoms-query read, by the order it found.
which_store() {
	uoms-query --format csv "$@" | sed 1d | cut -d, -f3 | tr -d '\r'
}

@test "the store: -d beats \$UOMS_DB beats db: in the config file" {
	three_stores
	export UOMS_DB=$PWD/env.db
	[ "$(which_store -d "$PWD/flag.db" -c conf.yaml)" = flag ]
	[ "$(which_store --db "$PWD/flag.db" -c conf.yaml)" = flag ]
	[ "$(which_store -c conf.yaml)" = env ]
	UOMS_CONFIG=conf.yaml
	export UOMS_CONFIG
	[ "$(which_store)" = env ]
	[ "$(which_store -d "$PWD/flag.db")" = flag ]
	unset UOMS_DB
	[ "$(which_store)" = conf ]
	unset UOMS_CONFIG
	[ "$(which_store -c conf.yaml)" = conf ]
	[ "$(which_store --config conf.yaml)" = conf ]
}

@test "the config file: -c beats \$UOMS_CONFIG" {
	three_stores
	unset UOMS_DB
	printf 'db: %s\n' "$PWD/env.db" >env.yaml
	export UOMS_CONFIG=$PWD/env.yaml
	[ "$(which_store)" = env ]
	[ "$(which_store -c conf.yaml)" = conf ]
}

@test "a writer follows the same precedence" {
	three_stores
	export UOMS_DB=$PWD/env.db UOMS_CONFIG=$PWD/conf.yaml
	order new1 order_no=absent | uoms-upsert -d "$PWD/flag.db" >/dev/null
	order new2 order_no=absent | uoms-upsert >/dev/null
	unset UOMS_DB
	order new3 order_no=absent | uoms-upsert >/dev/null
	[ "$(which_store -d "$PWD/flag.db" | sort | tr '\n' ' ')" = "flag new1 " ]
	[ "$(which_store -d "$PWD/env.db" | sort | tr '\n' ' ')" = "env new2 " ]
	[ "$(which_store -d "$PWD/conf.db" | sort | tr '\n' ' ')" = "conf new3 " ]
}

@test "with no -d, \$UOMS_DB or db: the store is ./uoms.db" {
	[ ! -e /etc/uoms/uoms.yaml ] || skip "/etc/uoms/uoms.yaml is present and would be read"
	unset UOMS_DB
	mkdir here
	cd here
	order 100001 | uoms-upsert >/dev/null
	[ -f uoms.db ]
	[ "$(uoms-query | jget external_order_id)" = 100001 ]
	printf 'tz: UTC\n' >nodb.yaml
	[ "$(uoms-query -c nodb.yaml | jget external_order_id)" = 100001 ]
}

@test "a config file that is not YAML: exit 3, the file and the line named" {
	order 100001 | uoms-upsert >/dev/null
	printf 'tz: UTC\ndb: [oops\nbatch: 10\n' >broken.yaml
	for t in uoms-query uoms-upsert; do
		run --separate-stderr "$t" -c broken.yaml </dev/null
		echo "$t: $status: $stderr"
		[ "$status" -eq 3 ]
		[ -z "$output" ]
		[[ "$stderr" == "$t: "*"broken.yaml"* ]]
		[[ "$stderr" =~ line\ [0-9]+ ]]
	done
	# Through $UOMS_CONFIG too.
	UOMS_CONFIG=$PWD/broken.yaml run --separate-stderr uoms-query
	[ "$status" -eq 3 ]
	[[ "$stderr" == *"broken.yaml"* ]]
	[ "$(sql 'select count(*) from orders')" = 1 ]
}

@test "a config file that is YAML but not a mapping: exit 3" {
	printf -- '- db\n- tz\n' >list.yaml
	run --separate-stderr uoms-query -c list.yaml
	[ "$status" -eq 3 ]
	[[ "$stderr" == *"list.yaml"* ]]
}

@test "a config file whose alias holds itself, or expands past reason: exit 3, never a crash" {
	# Found by the fuzzer (t/fuzz/crashes/fuzz-config): the loader
	# followed the alias into itself until the stack ran out.
	printf -- '&a\n key: *a\n' >cycle.yaml
	run --separate-stderr uoms-query -c cycle.yaml
	[ "$status" -eq 3 ]
	[[ "$stderr" == "uoms-query: "*"cycle.yaml"*"deeper than 16 levels"* ]]
	# Six levels of ten aliases each: a million settings from 7 lines.
	printf 'l0: &l0 {a: 1, b: 1, c: 1, d: 1, e: 1, f: 1, g: 1, h: 1, i: 1, j: 1}\n' >laughs.yaml
	for i in 1 2 3 4 5 6; do
		p=l$((i - 1))
		printf 'l%d: &l%d {' "$i" "$i"
		for j in 0 1 2 3 4 5 6 7 8; do printf 'k%d: *%s, ' "$j" "$p"; done
		printf 'k9: *%s}\n' "$p"
	done >>laughs.yaml
	run --separate-stderr uoms-query -c laughs.yaml
	[ "$status" -eq 3 ]
	[[ "$stderr" == *"laughs.yaml"*"more than 100000 settings"* ]]
}

@test "a config file that can't be read: exit 3, named" {
	run --separate-stderr uoms-query -c "$PWD/absent.yaml"
	[ "$status" -eq 3 ]
	[ -z "$output" ]
	[[ "$stderr" == "uoms-query: "*"$PWD/absent.yaml"* ]]
	UOMS_CONFIG=$PWD/absent.yaml run --separate-stderr uoms-upsert </dev/null
	[ "$status" -eq 3 ]
	[[ "$stderr" == *"$PWD/absent.yaml"* ]]
	no_store
}

@test "busy_timeout that is not a number: exit 3, the setting named" {
	order 100001 | uoms-upsert >/dev/null
	printf 'busy_timeout: x\n' >bt.yaml
	for t in uoms-query uoms-upsert; do
		run --separate-stderr "$t" -c bt.yaml </dev/null
		echo "$t: $status: $stderr"
		[ "$status" -eq 3 ]
		[ -z "$output" ]
		[[ "$stderr" == "$t: "*busy_timeout* ]]
	done
}
