#!/usr/bin/env bats
# uoms-user: users, roles, departments, passwords (bcrypt hashes only, never
# the password), and who may manage them: anyone until the store has an
# admin, then admins only.
load helper

# users: name role department disabled, one user per line.
users() {
	sql "SELECT name, role, coalesce(department, '-'), disabled FROM users
	    ORDER BY name" | tr '|' ' '
}

@test "the first user may be added by anyone; list prints it without a hash" {
	run --separate-stderr uoms-user --actor nobody add root --role admin
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	[ "$(echo "$output" | jget name)" = root ]
	[ "$(echo "$output" | jget role)" = admin ]
	[ "$(echo "$output" | jget password_set)" = False ]
	[ "$(users)" = "root admin - 0" ]
	[ "$(sql "SELECT actor || ' ' || type || ' ' || details FROM events")" = \
	    'nobody user_added {"role":"admin","user":"root"}' ]

	run --separate-stderr uoms-user --actor root list
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	[ "${#lines[@]}" -eq 1 ]
	echo "$output" | python3 -c '
import json, sys
u = json.loads(sys.stdin.readline())
assert sorted(u) == ["created_at", "department", "disabled", "name",
    "password_set", "role", "updated_at"], sorted(u)
assert u["name"] == "root" and u["disabled"] is False'
}

@test "until there is an admin anyone may manage users" {
	uoms-user --actor x add kim >/dev/null
	run --separate-stderr uoms-user --actor kim add lee --department east
	[ "$status" -eq 0 ]
	run --separate-stderr uoms-user --actor someone set kim --role admin
	[ "$status" -eq 0 ]
	[ "$(echo "$output" | jget role)" = admin ]
	# Now kim is an admin: the others may not.
	run --separate-stderr uoms-user --actor someone add park
	[ "$status" -eq 1 ]
	[ -z "$output" ]
	[ "$stderr" = "uoms-user: forbidden: managing users needs the admin role; 'someone' is not an admin" ]
	[ "$(users)" = "$(printf 'kim admin - 0\nlee user east 0')" ]
	# A disabled admin does not count: with none left, anyone may again.
	uoms-user --actor kim disable kim >/dev/null
	run --separate-stderr uoms-user --actor someone add park
	[ "$status" -eq 0 ]
}

@test "add, set and disable; the user's line is printed after each change" {
	uoms-user --actor root add root --role admin >/dev/null
	export UOMS_ACTOR=root
	run --separate-stderr uoms-user add kim --department east
	[ "$status" -eq 0 ]
	[ "$(echo "$output" | jget role)" = user ]
	[ "$(echo "$output" | jget department)" = east ]

	run --separate-stderr uoms-user set kim --department west
	[ "$status" -eq 0 ]
	[ "$(echo "$output" | jget department)" = west ]
	[ "$(echo "$output" | jget role)" = user ]
	run --separate-stderr uoms-user set kim --role admin
	[ "$(echo "$output" | jget department)" = west ]
	[ "$(echo "$output" | jget role)" = admin ]
	run --separate-stderr uoms-user set kim --department ''
	[ "$status" -eq 0 ]
	[ "$(echo "$output" | jget department)" = null ]

	run --separate-stderr uoms-user disable kim
	[ "$status" -eq 0 ]
	[ "$(echo "$output" | jget disabled)" = True ]
	[ "$(users)" = "$(printf 'kim admin - 1\nroot admin - 0')" ]
	run --separate-stderr uoms-user list
	[ "$(echo "$output" | jget name | tr '\n' ' ')" = "kim root " ]

	# Refusals change nothing.
	run --separate-stderr uoms-user add kim
	[ "$status" -eq 1 ]
	[ -z "$output" ]
	[ "$stderr" = "uoms-user: invalid: user 'kim' exists already" ]
	run --separate-stderr uoms-user set nobody --role admin
	[ "$status" -eq 1 ]
	[ "$stderr" = "uoms-user: not_found: no user 'nobody'" ]
	run --separate-stderr uoms-user disable nobody
	[ "$status" -eq 1 ]
	run --separate-stderr uoms-user add 'a:b'
	[ "$status" -eq 1 ]
	[[ "$stderr" == "uoms-user: invalid: "* ]]
	[ "$(sql "SELECT count(*) FROM users")" = 2 ]
}

@test "a disabled user cannot act" {
	orders 1 | uoms-upsert >/dev/null
	uoms-user add kim >/dev/null
	uoms-user disable kim >/dev/null
	run --separate-stderr env UOMS_ACTOR=kim uoms-status --to IN_PROGRESS 1
	[ "$status" -eq 3 ]
	[ -z "$output" ]
	[[ "$stderr" == "uoms-status: forbidden: user 'kim' is disabled" ]]
	[ "$(sql "SELECT status FROM orders")" = WAITING ]
	run --separate-stderr uoms-user --actor kim list
	[ "$status" -eq 3 ]
	[[ "$stderr" == *"forbidden"* ]]
}

@test "passwords are hashed at bcrypt cost 12 by default, UOMS_PASSWORD_COST when set; a cost out of range is refused" {
	echo 'pw-root-123' | UOMS_PASSWORD_COST= uoms-user add root --role admin --password-stdin >/dev/null
	echo 'pw-kim-123' | UOMS_PASSWORD_COST=5 uoms-user --actor root add kim --password-stdin >/dev/null
	[ "$(sql "SELECT substr(password_hash, 1, 7) FROM users ORDER BY name")" = "$(printf '%s\n' '$2b$05$' '$2b$12$')" ]
	for bad in 3 32 x 12x; do
		run --separate-stderr env UOMS_PASSWORD_COST=$bad uoms-user --actor root passwd kim --password-stdin <<<'pw-new-123'
		[ "$status" -eq 1 ]
		[[ "$stderr" == *"UOMS_PASSWORD_COST '$bad' is not a bcrypt cost from 4 to 31"* ]]
	done
	[ "$(sql "SELECT substr(password_hash, 1, 7) FROM users WHERE name = 'kim'")" = '$2b$05$' ]
}

@test "the password is stored as a bcrypt hash, never in the clear" {
	pw='Tr0ub4dor-and-3-horses'
	run --separate-stderr uoms-user add root --role admin --password-stdin <<<"$pw"
	[ "$status" -eq 0 ]
	[[ "$output" != *"$pw"* ]]
	[[ "$output" != *'$2b$'* ]]
	[ "$(echo "$output" | jget password_set)" = True ]
	echo "$pw" | uoms-user --actor root add kim --password-stdin >/dev/null

	hashes=$(sql "SELECT password_hash FROM users ORDER BY name")
	echo "$hashes"
	[ "$(echo "$hashes" | grep -Ec '^\$2b\$[0-9]{2}\$[./A-Za-z0-9]{53}$')" = 2 ]
	# A fresh salt each time: the same password, two hashes.
	[ "$(echo "$hashes" | sort -u | wc -l)" = 2 ]
	have_store
	[ "$(in_store "$pw")" = 0 ]
	[ "$(in_store "$(echo "$hashes" | head -1)")" -ge 1 ]

	# passwd changes the hash; only the first line of stdin is read.
	before=$(sql "SELECT password_hash FROM users WHERE name = 'kim'")
	run --separate-stderr uoms-user --actor root passwd kim --password-stdin \
	    < <(printf 'n3w-pass-phrase\nnot this line\n')
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	after=$(sql "SELECT password_hash FROM users WHERE name = 'kim'")
	[[ "$after" == '$2b$'* ]]
	[ "$after" != "$before" ]
	[ "$(in_store n3w-pass-phrase)" = 0 ]
	[ "$(sql "SELECT count(*) FROM events WHERE details LIKE '%pass-phrase%'
	    OR details LIKE '%Tr0ub4dor%'")" = 0 ]
}

@test "passwords: empty, too long, missing, or asked for off a terminal" {
	run --separate-stderr uoms-user add kim --password-stdin <<<''
	[ "$status" -eq 1 ]
	[ "$stderr" = "uoms-user: invalid: password is empty" ]
	run --separate-stderr uoms-user add kim --password-stdin </dev/null
	[ "$status" -eq 1 ]
	[ "$stderr" = "uoms-user: invalid: no password on standard input" ]
	run --separate-stderr uoms-user add kim --password-stdin <<<"$(printf 'x%.0s' $(seq 73))"
	[ "$status" -eq 1 ]
	[[ "$stderr" == *"longer than 72 bytes"* ]]
	[ "$(sql "SELECT count(*) FROM users")" = 0 ]
	# Not on a terminal, add without --password-stdin sets none...
	run --separate-stderr uoms-user add kim </dev/null
	[ "$status" -eq 0 ]
	[ "$(sql "SELECT password_hash IS NULL FROM users")" = 1 ]
	# ...and passwd needs --password-stdin.
	run --separate-stderr uoms-user passwd kim </dev/null
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"usage: uoms-user "* ]]
	# Never from the command line.
	run --separate-stderr uoms-user passwd kim s3cret
	[ "$status" -eq 2 ]
	run --separate-stderr uoms-user passwd kim --password s3cret
	[ "$status" -eq 2 ]
	[ "$(sql "SELECT password_hash IS NULL FROM users")" = 1 ]
}

# on_tty INPUT ARGS...: run uoms-user ARGS on a pseudo-terminal, typing
# INPUT (\n for Enter); prints what the terminal showed, then the status.
on_tty() {
	python3 - "$@" <<'PY'
import os, pty, sys, time
pid, fd = pty.fork()
if pid == 0:
    os.execvp("uoms-user", ["uoms-user"] + sys.argv[2:])
shown = b""
for line in sys.argv[1].split("\\n")[:-1]:
    time.sleep(0.3)
    os.write(fd, line.encode() + b"\n")
while True:
    try:
        data = os.read(fd, 1024)
    except OSError:
        break
    if not data:
        break
    shown += data
_, st = os.waitpid(pid, 0)
sys.stdout.write(shown.decode(errors="replace"))
print("status", os.waitstatus_to_exitcode(st))
PY
}

@test "on a terminal the password is asked twice, without echo" {
	uoms-user add kim </dev/null >/dev/null
	run on_tty 'tty-Secret-1\ntty-Secret-1\n' passwd kim
	echo "$output"
	[[ "$output" == *"Password for 'kim': "* ]]
	[[ "$output" == *"Again: "* ]]
	[[ "$output" != *tty-Secret-1* ]]
	[[ "$output" == *"status 0"* ]]
	[[ "$(sql "SELECT password_hash FROM users")" == '$2b$'* ]]
	[ "$(in_store tty-Secret-1)" = 0 ]
	# Two different answers: refused, nothing changed.
	before=$(sql "SELECT password_hash FROM users")
	run on_tty 'one-answer\nanother-answer\n' passwd kim
	[[ "$output" == *"invalid: the passwords do not match"* ]]
	[[ "$output" == *"status 1"* ]]
	[ "$(sql "SELECT password_hash FROM users")" = "$before" ]
	# add: an empty answer means no password.
	run on_tty '\n' add lee
	[[ "$output" == *"status 0"* ]]
	[ "$(sql "SELECT password_hash IS NULL FROM users WHERE name = 'lee'")" = 1 ]
}

@test "once there is an admin, non-admins may not manage users, nor make themselves admin" {
	uoms-user --actor root add root --role admin >/dev/null
	uoms-user --actor root add bob >/dev/null
	before=$(sql "SELECT * FROM users ORDER BY name")
	for args in "add eve --role admin" "set bob --role admin" "disable root" \
	    "list" "set root --department x"; do
		for who in bob stranger; do
			run --separate-stderr uoms-user --actor $who $args
			echo "$who $args: $status $stderr"
			[ "$status" -eq 1 ]
			[ -z "$output" ]
			[ "$stderr" = "uoms-user: forbidden: managing users needs the admin role; '$who' is not an admin" ]
		done
	done
	run --separate-stderr uoms-user --actor bob passwd bob --password-stdin <<<'mine-now'
	[ "$status" -eq 1 ]
	[[ "$stderr" == *forbidden* ]]
	[ "$(sql "SELECT * FROM users ORDER BY name")" = "$before" ]
	# An admin may, and a second admin too.
	run --separate-stderr uoms-user --actor root set bob --role admin
	[ "$status" -eq 0 ]
	run --separate-stderr uoms-user --actor bob add eve
	[ "$status" -eq 0 ]
}

@test "usage errors: exit 2, nothing done" {
	for args in "" "remove kim" "add" "add kim extra" "add kim --role boss" \
	    "set kim" "disable kim --role admin" "list kim" "list --department x" \
	    "disable kim --password-stdin" "passwd"; do
		run --separate-stderr uoms-user $args </dev/null
		echo "args '$args': status $status, stderr $stderr"
		[ "$status" -eq 2 ]
		[ -z "$output" ]
		[[ "$stderr" == *"usage: uoms-user "* ]]
	done
	no_store
	# list only reads: a missing store is refused.
	run --separate-stderr uoms-user list
	[ "$status" -eq 3 ]
	no_store
}

@test "the man page EXAMPLES run" {
	man_examples uoms-user.1
	[ -f ex4.sh ]
	for i in 1 2 3 4; do
		run --separate-stderr sh -e ex$i.sh </dev/null
		echo "example $i: $status $stderr"
		[ "$status" -eq 0 ]
		[ -z "$stderr" ]
	done
	[ "$(users)" = "$(printf 'kim admin east 1\nroot admin - 0')" ]
	[ "$(sql "SELECT count(*) FROM users WHERE password_hash LIKE '\$2b\$%'")" = 2 ]
	[ "$(in_store 'kim-s3cret-phrase')" = 0 ]
}
