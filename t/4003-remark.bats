#!/usr/bin/env bats
# uoms-remark: remarks are added and edited as revisions, each a change of
# the order (version + 1, one event), guarded by the REMARK and EDIT locks,
# editable only by their author or an admin.
load helper

# One stored order, id 1, version 1.
setup_order() {
	order 100001 | uoms-upsert >/dev/null
}

# version: the stored version of order 1.
version() {
	sql "SELECT version FROM orders WHERE id = 1"
}

events() {
	sql "SELECT count(*) FROM events WHERE order_id = 1"
}

# no_times: drop the members holding times from JSON lines, keys sorted.
no_times() {
	python3 -c '
import json, sys
for line in sys.stdin:
    v = json.loads(line)
    for k in ("at", "created_at", "updated_at"):
        v.pop(k, None)
    print(json.dumps(v, ensure_ascii=False, sort_keys=True))
'
}

# lock TYPE OWNER: OWNER holds a live TYPE lock on order 1.
lock() {
	sql "INSERT INTO locks (order_id, type, owner, acquired_at, expires_at)
	    VALUES (1, '$1', '$2', '2026-01-01T00:00:00Z', '2099-01-01T00:00:00Z')"
}

@test "add then edit: list shows the latest revision, --history every one" {
	setup_order
	run --separate-stderr uoms-remark --actor kim add 1 '문 앞에 놓아 주세요'
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	[ "$(echo "$output" | jget id)" = 1 ]
	run --separate-stderr uoms-remark --actor kim edit 1 '경비실에 맡겨 주세요'
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	uoms-remark --actor lee add no:2611-100001 'second remark' >/dev/null

	run --separate-stderr uoms-remark list coupang:100001
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	echo "$output" | no_times >got
	cat >want <<'EOF'
{"author": "kim", "id": 1, "order_id": 1, "revision": 2, "text": "경비실에 맡겨 주세요"}
{"author": "lee", "id": 2, "order_id": 1, "revision": 1, "text": "second remark"}
EOF
	diff -u want got
	# Times are the store's: RFC 3339 UTC.
	[[ "$(echo "$output" | head -1 | jget updated_at)" =~ ^20[0-9-]+T[0-9:]+Z$ ]]

	run --separate-stderr uoms-remark list 1 --history
	[ "$status" -eq 0 ]
	echo "$output" | no_times >got
	cat >want <<'EOF'
{"author": "kim", "remark_id": 1, "revision": 1, "text": "문 앞에 놓아 주세요"}
{"author": "kim", "remark_id": 1, "revision": 2, "text": "경비실에 맡겨 주세요"}
{"author": "lee", "remark_id": 2, "revision": 1, "text": "second remark"}
EOF
	diff -u want got
	# --history may come first too.
	run --separate-stderr uoms-remark list --history 1
	[ "$(echo "$output" | no_times)" = "$(cat got)" ]
}

@test "each add and edit bumps the version by exactly 1 and appends one event" {
	setup_order
	[ "$(version)" = 1 ]
	[ "$(events)" = 1 ]
	run --separate-stderr uoms-remark add 1 'first'
	[ "$status" -eq 0 ]
	[ "$(echo "$output" | jget version)" = 2 ]
	[ "$(version)" = 2 ]
	[ "$(events)" = 2 ]
	run sql "SELECT type, version, actor, details FROM events ORDER BY id DESC LIMIT 1"
	[ "$output" = 'remark_added|2|tester|{"remark_id":1,"text":"first"}' ]

	run --separate-stderr uoms-remark edit 1 'first, "quoted"'
	[ "$status" -eq 0 ]
	[ "$(echo "$output" | jget version)" = 3 ]
	[ "$(version)" = 3 ]
	[ "$(events)" = 3 ]
	run sql "SELECT type, version, details FROM events ORDER BY id DESC LIMIT 1"
	[ "$output" = 'remark_edited|3|{"remark_id":1,"revision":2,"text":"first, \"quoted\""}' ]
	# The printed record is the stored one.
	[ "$(uoms-remark edit 1 third)" = "$(uoms-query --id 1)" ]
}

@test "a REMARK lock held by another actor refuses add and edit, naming the owner" {
	setup_order
	uoms-remark add 1 'before the lock' >/dev/null
	lock REMARK lee
	run --separate-stderr uoms-remark add 1 'blocked'
	[ "$status" -eq 1 ]
	[ -z "$output" ]
	[ "$stderr" = "uoms-remark: order 1: locked: REMARK lock held by 'lee' until 2099-01-01T00:00:00Z" ]
	run --separate-stderr uoms-remark edit 1 'blocked too'
	[ "$status" -eq 1 ]
	[ -z "$output" ]
	[[ "$stderr" == "uoms-remark: order 1: locked: "*"'lee'"* ]]
	# Nothing was written.
	[ "$(version)" = 2 ]
	[ "$(events)" = 2 ]
	[ "$(sql "SELECT count(*) FROM remark_revisions")" = 1 ]
	# The owner of the lock may; an expired lock blocks nobody.
	run --separate-stderr uoms-remark --actor lee add 1 'by the owner'
	[ "$status" -eq 0 ]
	sql "UPDATE locks SET expires_at = '2000-01-01T00:00:00Z'"
	run --separate-stderr uoms-remark add 1 'after expiry'
	[ "$status" -eq 0 ]
}

@test "an EDIT lock blocks remarks too; a STATUS lock and holds do not" {
	setup_order
	lock STATUS lee
	sql "INSERT INTO holds (order_id, reason, placed_by, placed_at, updated_at)
	    VALUES (1, 'other', 'lee', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')"
	run --separate-stderr uoms-remark add 1 'fine'
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	lock EDIT park
	run --separate-stderr uoms-remark add 1 'blocked'
	[ "$status" -eq 1 ]
	[ -z "$output" ]
	[ "$stderr" = "uoms-remark: order 1: locked: EDIT lock held by 'park' until 2099-01-01T00:00:00Z" ]
	run --separate-stderr uoms-remark edit 1 'blocked'
	[ "$status" -eq 1 ]
	[[ "$stderr" == *"locked: EDIT lock held by 'park'"* ]]
	[ "$(version)" = 2 ]
}

@test "someone else's remark: a user is forbidden, an admin may edit it" {
	setup_order
	uoms-remark --actor kim add 1 'by kim' >/dev/null
	run --separate-stderr uoms-remark --actor lee edit 1 'by lee'
	[ "$status" -eq 1 ]
	[ -z "$output" ]
	[ "$stderr" = "uoms-remark: order 1: forbidden: remark 1 is by 'kim'; only its author or an admin may edit it" ]
	[ "$(version)" = 2 ]
	[ "$(events)" = 2 ]

	sql "INSERT INTO users (name, role, created_at, updated_at)
	    VALUES ('boss', 'admin', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')"
	run --separate-stderr uoms-remark --actor boss edit 1 'fixed by boss'
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	[ "$(version)" = 3 ]
	run sql "SELECT revision, author, text FROM remark_revisions ORDER BY revision"
	[ "${lines[0]}" = "1|kim|by kim" ]
	[ "${lines[1]}" = "2|boss|fixed by boss" ]
	# The remark stays kim's.
	[ "$(uoms-remark list 1 | jget author)" = kim ]
	[ "$(uoms-remark list 1 | jget revision)" = 2 ]
}

@test "text must be non-empty, at most 2000 characters, UTF-8; it may start with -" {
	setup_order
	for text in '' '   ' "$(printf '\t\n')"; do
		run --separate-stderr uoms-remark add 1 "$text"
		[ "$status" -eq 1 ]
		[ -z "$output" ]
		[ "$stderr" = "uoms-remark: order 1: invalid: remark text is empty" ]
	done
	run --separate-stderr uoms-remark add 1 "$(printf 'bad \377 byte')"
	[ "$status" -eq 1 ]
	[ "$stderr" = "uoms-remark: order 1: invalid: remark text is not valid UTF-8" ]
	run --separate-stderr uoms-remark add 1 "$(python3 -c 'print("가" * 2001)')"
	[ "$status" -eq 1 ]
	[ "$stderr" = "uoms-remark: order 1: invalid: remark text is longer than 2000 characters" ]
	uoms-remark add 1 'ok' >/dev/null
	run --separate-stderr uoms-remark edit 1 ''
	[ "$status" -eq 1 ]
	[[ "$stderr" == *"invalid: remark text is empty" ]]
	[ "$(version)" = 2 ]
	[ "$(events)" = 2 ]
	# 2000 characters of three bytes each are fine, and so is a leading dash.
	run --separate-stderr uoms-remark add 1 "$(python3 -c 'print("가" * 2000)')"
	[ "$status" -eq 0 ]
	run --separate-stderr uoms-remark edit 1 '-5 degrees, keep frozen'
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	[ "$(uoms-remark list 1 | head -1 | jget text)" = '-5 degrees, keep frozen' ]
	[ "$(version)" = 4 ]
}

@test "no such order, no such remark: refused with exit 1; a missing store for list: exit 3" {
	setup_order
	run --separate-stderr uoms-remark add 9 'x'
	[ "$status" -eq 1 ]
	[ -z "$output" ]
	[ "$stderr" = "uoms-remark: order 9: not_found: no such order" ]
	run --separate-stderr uoms-remark add coupang:nope 'x'
	[ "$stderr" = "uoms-remark: order coupang:nope: not_found: no such order" ]
	run --separate-stderr uoms-remark edit 5 'x'
	[ "$status" -eq 1 ]
	[ "$stderr" = "uoms-remark: remark 5: not_found: no such remark" ]
	run --separate-stderr uoms-remark list no:0000
	[ "$status" -eq 1 ]
	[ "$stderr" = "uoms-remark: order no:0000: not_found: no such order" ]
	# An order without remarks lists nothing.
	run --separate-stderr uoms-remark list 1
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	[ -z "$stderr" ]
	run --separate-stderr uoms-remark -d "$PWD/none.db" list 1
	[ "$status" -eq 3 ]
	[[ "$stderr" == "uoms-remark: no store at '$PWD/none.db'"* ]]
	[ ! -e none.db ]
}

@test "usage errors: exit 2 with why and usage on stderr" {
	for args in "" "frob 1" "add 1" "add 1 a b" "edit x text" "edit 0 text" \
	    "list" "list 1 2" "list 1 --all" "add :x text"; do
		run --separate-stderr uoms-remark $args
		echo "args '$args': status $status, stderr '$stderr'"
		[ "$status" -eq 2 ]
		[ -z "$output" ]
		[[ "$stderr" == "uoms-remark: "* ]]
		[[ "$stderr" == *"usage: uoms-remark "* ]]
	done
	[ ! -e uoms.db ]
}

@test "the man page's examples run" {
	man_examples uoms-remark.1
	[ -f ex1.sh ] && [ -f ex3.sh ]
	run --separate-stderr sh -e ex1.sh
	echo "$output $stderr"
	[ "$status" -eq 0 ]
	[ "$(echo "$output" | jget version | tr '\n' ' ')" = "2 3 " ]
	run --separate-stderr sh -e ex2.sh
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 3 ]
	[ "$(echo "${lines[0]}" | jget text)" = '문 앞에 놓아 주세요 (경비실 X)' ]
	sql "INSERT INTO holds (order_id, reason, placed_by, placed_at, updated_at)
	    VALUES (1, 'other', 'lee', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')"
	run --separate-stderr sh -e ex3.sh
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	[ "$(uoms-remark list 1 | tail -1 | jget text)" = 'called the customer' ]
}
