#!/usr/bin/env bats
# uoms-upsert options: --keep-raw, --summary, FILE arguments and stdin,
# --batch checks, the actor, -d, and the uoms front door.
load helper

setup_file() {
	plain_orders
}

@test "--keep-raw keeps each input line as it came" {
	order 100001 'placed_at="2026-11-21T18:12:00+09:00"' 'x_unknown={"a":[1,2]}' >in.jsonl
	plain 100002 | sed 's/,/, /g' >>in.jsonl
	run --separate-stderr uoms-upsert --keep-raw in.jsonl
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	sql 'select payload from raw_payloads order by id' >got
	diff -u in.jsonl got
	[ "$(sql 'select group_concat(order_id) from raw_payloads')" = 1,2 ]
	[[ "$(sql 'select received_at from raw_payloads where id = 1')" =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z$ ]]
	# the order itself is normalised; the raw line is not
	[ "$(sql 'select placed_at from orders where id = 1')" = 2026-11-21T09:12:00Z ]
}

@test "without --keep-raw nothing goes to raw_payloads; refused lines are never kept" {
	plain 100001 | uoms-upsert >/dev/null
	[ "$(sql 'select count(*) from raw_payloads')" -eq 0 ]
	{ plain 100002; order 100003 'currency="krw"'; } | uoms-upsert --keep-raw >/dev/null || true
	[ "$(sql 'select count(*) from raw_payloads')" -eq 1 ]
	[ "$(sql 'select order_id from raw_payloads')" = 2 ]
}

@test "--summary counts are exact" {
	{ plain 100001; plain 100002; plain 100003; } | uoms-upsert >/dev/null
	{
		plain 100001				# unchanged
		order 100002 'department="west"'	# updated
		plain 100004				# created
		plain 100003				# unchanged
		order 100005 'items=[{"external_item_id":"a","quantity":0}]'	# rejected
		echo '{"channel":"coupang"'		# rejected
		plain 100006				# created
		order 100004 'eta=null'			# updated (created above)
	} >in.jsonl
	run --separate-stderr uoms-upsert --summary in.jsonl
	[ "$status" -eq 1 ]
	[ "${#stderr_lines[@]}" -eq 3 ]
	[ "${stderr_lines[2]}" = "uoms-upsert: read 8, created 2, updated 2, unchanged 2, rejected 2" ]
	[ "${#lines[@]}" -eq 6 ]
}

@test "without --summary nothing is said on stderr when all is well" {
	run --separate-stderr uoms-upsert < <(orders 3)
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	[ "${#lines[@]}" -eq 3 ]
}

@test "several FILE arguments and - for stdin are read in order" {
	orders 2 1 >a.jsonl
	orders 2 3 >b.jsonl
	orders 2 5 >c.jsonl
	run --separate-stderr uoms-upsert --summary a.jsonl - c.jsonl <b.jsonl
	[ "$status" -eq 0 ]
	[ "$stderr" = "uoms-upsert: read 6, created 6, updated 0, unchanged 0, rejected 0" ]
	[ "$(printf '%s\n' "$output" | jget external_order_id | tr '\n' ' ')" = "1 2 3 4 5 6 " ]
	[ "$(sql 'select group_concat(external_order_id) from orders')" = 1,2,3,4,5,6 ]
}

@test "line numbers restart in each file and name the file" {
	{ plain 100001; echo '[]'; } >a.jsonl
	{ echo 'x'; plain 100002; } >b.jsonl
	run --separate-stderr uoms-upsert --reject rej.jsonl a.jsonl b.jsonl
	[ "$status" -eq 1 ]
	[ "${stderr_lines[0]}" = "uoms-upsert: a.jsonl: line 2: invalid: line is a JSON array, not an object" ]
	[[ "${stderr_lines[1]}" == "uoms-upsert: b.jsonl: line 1: invalid: not JSON"* ]]
	[ "$(jget error.line <rej.jsonl | tr '\n' ' ')" = "2 1 " ]
	[ "$(sql 'select count(*) from orders')" -eq 2 ]
}

@test "a missing FILE is exit 3 with the file name" {
	orders 2 >a.jsonl
	run --separate-stderr uoms-upsert a.jsonl no-such-file.jsonl
	[ "$status" -eq 3 ]
	[[ "$stderr" == "uoms-upsert: "*"'no-such-file.jsonl'"* ]]
	[[ "$stderr" == *"No such file or directory"* ]]
	run --separate-stderr uoms-upsert no-such-file.jsonl
	[ "$status" -eq 3 ]
	[[ "$stderr" == *"no-such-file.jsonl"* ]]
	[ -z "$output" ]
}

@test "a FILE that is a directory is exit 3" {
	mkdir dir.jsonl
	run --separate-stderr uoms-upsert dir.jsonl
	[ "$status" -eq 3 ]
	[[ "$stderr" == *"dir.jsonl"* ]]
}

@test "an unwritable --reject FILE is exit 3 before anything is stored" {
	run --separate-stderr uoms-upsert --reject no-such-dir/rej.jsonl < <(orders 2)
	[ "$status" -eq 3 ]
	[[ "$stderr" == *"no-such-dir/rej.jsonl"* ]]
	[ "$(sql 'select count(*) from orders' 2>/dev/null || echo 0)" -eq 0 ]
}

@test "--batch must be a positive number: 0, x, -1, empty are usage errors" {
	for b in 0 x -1 '' 1x; do
		run --separate-stderr uoms-upsert --batch "$b" /dev/null
		[ "$status" -eq 2 ]
		[ -z "$output" ]
		[[ "$stderr" == *"--batch"* ]]
		[[ "$stderr" == *"usage: uoms-upsert"* ]]
	done
	no_store
}

@test "an unknown option is a usage error" {
	run --separate-stderr uoms-upsert --no-such-option /dev/null
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"usage: uoms-upsert"* ]]
	no_store
}

@test "--help prints the usage on stdout and exits 0" {
	run --separate-stderr uoms-upsert --help
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	[[ "$output" == "usage: uoms-upsert"* ]]
	for o in --products --batch --atomic --reject --keep-raw --summary; do
		[[ "$output" == *"$o"* ]]
	done
}

@test "the actor recorded in events is --actor, else \$UOMS_ACTOR" {
	plain 100001 | uoms-upsert >/dev/null
	order 100001 'department="west"' | UOMS_ACTOR=bob uoms-upsert >/dev/null
	order 100001 'department="south"' | UOMS_ACTOR=bob uoms-upsert --actor alice >/dev/null
	echo '{"sku":"SKU-1","price":1}' | uoms-upsert --products --actor carol >/dev/null
	sql 'select type, actor from events order by id' >got
	printf '%s\n' 'created|tester' 'updated|bob' 'updated|alice' 'product_created|carol' >want
	diff -u want got
}

@test "without --actor or \$UOMS_ACTOR the actor is the login name" {
	unset UOMS_ACTOR
	me=$(id -un)
	plain 100001 | uoms-upsert >/dev/null
	[ "$(sql 'select actor from events')" = "$me" ]
}

@test "-d beats \$UOMS_DB" {
	export UOMS_DB="$BATS_TEST_TMPDIR/env.db"
	run --separate-stderr uoms-upsert -d flag.db < <(orders 1)
	[ "$status" -eq 0 ]
	[ -f flag.db ]
	[ ! -e env.db ]
	[ "$(sqlite3 flag.db 'select count(*) from orders')" -eq 1 ]
	run --separate-stderr uoms-upsert --db="$BATS_TEST_TMPDIR/long.db" < <(orders 1)
	[ "$status" -eq 0 ]
	[ -f long.db ]
	[ ! -e env.db ]
	uoms-upsert < <(orders 1) >/dev/null
	[ "$(sqlite3 env.db 'select count(*) from orders')" -eq 1 ]
}

@test "\$UOMS_DB beats the db: of the config file" {
	echo "db: $BATS_TEST_TMPDIR/conf.db" >uoms.yaml
	uoms-upsert -c uoms.yaml < <(orders 1) >/dev/null
	have_store
	[ ! -e conf.db ]
	unset UOMS_DB
	uoms-upsert -c uoms.yaml < <(orders 1) >/dev/null
	[ -f conf.db ]
}

@test "batch: in the config is used; a bad value there is exit 3" {
	echo 'batch: 2' >good.yaml
	run --separate-stderr uoms-upsert -c good.yaml --summary < <(orders 5)
	[ "$status" -eq 0 ]
	[ "$stderr" = "uoms-upsert: read 5, created 5, updated 0, unchanged 0, rejected 0" ]
	echo 'batch: lots' >bad.yaml
	run --separate-stderr uoms-upsert -c bad.yaml < <(orders 5)
	[ "$status" -eq 3 ]
	[[ "$stderr" == *"batch"* ]]
}

@test "uoms upsert via the front door works the same" {
	{ plain 100001; orders 2; } >in.jsonl
	run --separate-stderr uoms upsert --summary --actor door in.jsonl
	[ "$status" -eq 0 ]
	[ "$stderr" = "uoms-upsert: read 3, created 3, updated 0, unchanged 0, rejected 0" ]
	[ "${#lines[@]}" -eq 3 ]
	[ "$(sql 'select distinct actor from events')" = door ]
	printf '%s\n' "$output" >door.jsonl
	uoms-query | tac >query.jsonl
	diff -u query.jsonl door.jsonl
	run --separate-stderr uoms upsert in.jsonl
	[ "$status" -eq 0 ]
	[ "$(printf '%s\n' "$output" | jget version | sort -u)" = 1 ]
	run --separate-stderr uoms upsert --batch 0
	[ "$status" -eq 2 ]
}

@test "a closed stdout is a failure, not a silent success" {
	orders 50 >in.jsonl
	run --separate-stderr bash -c 'uoms-upsert in.jsonl >&-'
	[ "$status" -eq 3 ]
	[[ "$stderr" == *"can't write"* ]]
}
