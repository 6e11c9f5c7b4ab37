#!/usr/bin/env bats
# uoms-copy: a whole store, SQLite to PostgreSQL and back, verified; a
# target with rows refused; a failed copy leaves nothing behind.
load helper

setup_file() {
	pg_start
}

teardown_file() {
	pg_stop
}

# A store with a bit of everything: orders and items, a status move and
# its events, a hold, a remark, a user, a channel with a sealed secret,
# products with a cost history, a refused line.
fill() {
	orders 30 | uoms-upsert >/dev/null
	printf '%s\n' '{"channel":"coupang"}' |
	    uoms-upsert >/dev/null 2>&1 || true
	uoms-user add alice --role user >/dev/null
	uoms-status --to IN_PROGRESS 1 2 3 >/dev/null
	uoms-hold set --reason address_invalid --note 'check the door code' 4 >/dev/null
	uoms-remark add 5 'call before noon' >/dev/null
	export UOMS_SECRET_KEY=$(openssl rand -hex 32)
	printf 'tok-secret-123\n' | uoms-channel add shop --kind http-jsonl \
	    --base-url http://127.0.0.1:9 --secret token >/dev/null
	printf '%s\n' '{"sku":"SKU-1","name":"apple","price":19000,"cost":12000,"currency":"KRW"}' \
	    '{"sku":"SKU-1","cost":11000,"cost_from":"2026-11-01T00:00:00Z"}' |
	    uoms-upsert --products >/dev/null
}

@test "SQLite to PostgreSQL and back: the same rows, the same sums, the same records" {
	pg_need
	fill
	url=$(pg_db roundtrip)
	run --separate-stderr uoms-copy "$url"
	[ "$status" -eq 0 ]
	echo "$output" > there.jsonl
	[ "$(jget rows < there.jsonl | awk '{ n += $1 } END { print n }')" -gt 60 ]
	[ "$(grep '"table":"orders"' there.jsonl | jget rows)" -eq 30 ]
	run --separate-stderr uoms-copy -d "$url" back.db
	[ "$status" -eq 0 ]
	[ "$output" = "$(cat there.jsonl)" ]
	diff <(sqlite3 "$UOMS_DB" .dump) <(sqlite3 back.db .dump)
	# Records read on PostgreSQL are the bytes read on SQLite.
	diff <(uoms-query) <(uoms-query -d "$url")
	diff <(uoms-query --format csv --status IN_PROGRESS) \
	    <(uoms-query -d "$url" --format csv --status IN_PROGRESS)
	# The secret stays sealed, never in clear in either store.
	run ! grep -q tok-secret-123 back.db
	# Compared as bytes: a sealed value may hold any byte, 0 included.
	[ "$(pg_sql "$url" "SELECT count(*) FROM channel_secrets")" -gt 0 ]
	[ "$(pg_sql "$url" "SELECT count(*) FROM channel_secrets WHERE position(convert_to('tok-secret', 'UTF8') IN ciphertext) > 0")" -eq 0 ]
}

@test "ids given on PostgreSQL after a copy follow the largest copied" {
	pg_need
	fill
	url=$(pg_db ids)
	uoms-copy --quiet "$url" >/dev/null
	max=$(sql "SELECT max(id) FROM events")
	next=$(pg_sql "$url" "INSERT INTO events (type, actor, at) VALUES ('x', 't', 'now') RETURNING id")
	[ "$next" -eq $((max + 1)) ]
}

@test "a target with rows is refused and left as it was; --replace empties it first" {
	orders 3 | uoms-upsert >/dev/null
	orders 5 100 | uoms-upsert -d other.db >/dev/null
	before=$(sqlite3 other.db .dump | md5sum)
	run --separate-stderr uoms-copy other.db
	[ "$status" -eq 3 ]
	[[ "$stderr" == *"uoms-copy: the target store has orders or other rows already"*"--replace"* ]]
	[ -z "$output" ]
	[ "$(sqlite3 other.db .dump | md5sum)" = "$before" ]
	run --separate-stderr uoms-copy --replace other.db
	[ "$status" -eq 0 ]
	diff <(uoms-query) <(uoms-query -d other.db)
}

@test "a copy that fails half-way leaves nothing in the target" {
	pg_need
	fill
	url=$(pg_db failing)
	# The target (its schema made by copying an empty store) refuses
	# the tenth order's events: a copy that stops after orders and
	# items were written.
	uoms-upsert -d empty.db </dev/null
	uoms-copy --quiet -d empty.db "$url" >/dev/null
	pg_sql "$url" "ALTER TABLE events ADD CONSTRAINT no_ten CHECK (order_id <> 10)" >/dev/null
	run --separate-stderr uoms-copy "$url"
	[ "$status" -eq 3 ]
	[[ "$stderr" == *"uoms-copy: "*"copying events"* ]]
	[ -z "$output" ]
	[ "$(pg_sql "$url" "SELECT count(*) FROM orders")" -eq 0 ]
	[ "$(pg_sql "$url" "SELECT count(*) FROM order_items")" -eq 0 ]
}

@test "a store that can't be reached: a clear error, its password never shown" {
	orders 1 | uoms-upsert >/dev/null
	run --separate-stderr uoms-copy 'postgresql://uoms:pw-9c1f@127.0.0.1:1/nowhere?connect_timeout=2'
	[ "$status" -eq 3 ]
	[[ "$stderr" == *"uoms-copy: store 'postgresql://uoms:***@127.0.0.1:1/nowhere"*"can't connect"* ]]
	[[ "$stderr" != *pw-9c1f* ]]
}

@test "usage: a target is needed, one only, and not the store itself" {
	run --separate-stderr uoms-copy
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"the target store is missing"* ]]
	run --separate-stderr uoms-copy a.db b.db
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"one target store, not 2"* ]]
	run --separate-stderr uoms-copy "$UOMS_DB"
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"the target is the store itself"* ]]
	run uoms-copy --help
	[ "$status" -eq 0 ]
	[[ "$output" == *"usage: uoms-copy"* ]]
}

@test "at a terminal it shows how far each table is; piped, it is silent" {
	orders 2500 | uoms-upsert >/dev/null
	script -qec "uoms-copy tty.db > /dev/null" /dev/null > tty.out
	grep -q 'uoms-copy: orders .*2500/2500' tty.out
	grep -q 'uoms-copy: orders .*1000/2500' tty.out
	run --separate-stderr uoms-copy piped.db
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
}

@test "uoms-copy(1) EXAMPLES run" {
	unset UOMS_DB
	awk '/^\.Sh EXAMPLES/ { on = 1; next } /^\.Sh / { on = 0 }
	    on && /^\.Bd -literal/ { n++; f = "ex" n ".sh"; printf "" > f; next }
	    on && /^\.Ed/ { f = ""; next }
	    f != "" { gsub(/\\e/, "\\"); gsub(/\\&/, ""); print >> f }' "$SRC/man/uoms-copy.1"
	for f in ex1.sh ex2.sh ex3.sh; do
		sh "$f" >/dev/null 2>"$f.err" || { cat "$f.err"; false; }
	done
	[ -s backup.db ]
	[ "$(uoms-query -d backup.db | wc -l)" -eq 2 ]
}
