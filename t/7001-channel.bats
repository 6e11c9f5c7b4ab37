#!/usr/bin/env bats
# uoms-channel: the channel registry (add, list, show, update, enable,
# disable, remove) and its secrets, sealed with AES-256-GCM under a key
# from $UOMS_SECRET_KEY or a 0600 key file: never in the store in clear,
# never printed, a wrong key refused clearly, rekey re-seals them all.
load helper

SECRET=S3cr3t-VALUE-42
OTHER=an0ther-S3CRET-x9

# key NAME: a fresh key file NAME (mode 0600); its key id in NAME.id.
key() {
	uoms-channel keygen "$1" | jget key_id >"$1.id"
}

# use_key FILE: the configuration points at key file FILE.
use_key() {
	printf 'secret_key_file: %s\n' "$PWD/$1" >uoms.yaml
	export UOMS_CONFIG=$PWD/uoms.yaml
}

# key_id_of HEX: a key's id, computed here independently of the tool:
# the first 16 hex digits of the SHA-256 of the key's 32 bytes.
key_id_of() {
	python3 -c 'import hashlib, sys
print(hashlib.sha256(bytes.fromhex(sys.argv[1])).hexdigest()[:16])' "$1"
}

# key_ids: the distinct key ids the store's secrets are sealed under.
key_ids() {
	sql "SELECT DISTINCT key_id FROM channel_secrets ORDER BY 1"
}

# add_cp NAME: a coupang channel with two secrets, $SECRET and $OTHER.
add_cp() {
	printf '%s\n%s\n' "$SECRET" "$OTHER" | uoms-channel add "$1" \
	    --kind coupang --set vendor_id=A00012345 \
	    --secret access_key --secret secret_key
}

teardown() {
	if [ -n "${HOLDER_PID:-}" ]; then
		kill "$HOLDER_PID" 2>/dev/null || true
		wait "$HOLDER_PID" 2>/dev/null || true
	fi
}

@test "add, list and show: settings plain, secrets by name only" {
	key k
	use_key k
	run --separate-stderr add_cp cp1
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	[ "${#lines[@]}" -eq 1 ]
	echo "$output" | python3 -c '
import json, sys
c = json.loads(sys.stdin.readline())
assert list(c) == ["name", "kind", "base_url", "workflow", "enabled",
    "settings", "secrets", "created_at", "updated_at"], list(c)
assert c["name"] == "cp1" and c["kind"] == "coupang", c
assert c["base_url"] is None and c["workflow"] is None, c
assert c["enabled"] is True, c
assert c["settings"] == {"vendor_id": "A00012345"}, c
assert c["secrets"] == ["access_key", "secret_key"], c'
	uoms-channel add shop1 --kind shopify --base-url https://shop1.example.com \
	    --workflow fulfillment >/dev/null

	run --separate-stderr uoms-channel list
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	[ "$(echo "$output" | jget name | tr '\n' ' ')" = "cp1 shop1 " ]
	[ "$(echo "$output" | jget secrets | tr '\n' ' ')" = '["access_key", "secret_key"] [] ' ]
	[ "$(echo "$output" | jget workflow | tr '\n' ' ')" = "null fulfillment " ]
	[[ "$output" != *"$SECRET"* && "$output" != *"$OTHER"* ]]

	run --separate-stderr uoms-channel --actor someone show cp1
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	[ "$output" = "$(uoms-channel list | head -1)" ]
	[[ "$output" != *"$SECRET"* && "$output" != *"$OTHER"* ]]

	[ "$(sql "SELECT type || ' ' || coalesce(CAST(order_id AS TEXT), '-') || ' ' || actor FROM events ORDER BY id" | tr '\n' ,)" = \
	    "channel_added - tester,channel_secret_set - tester,channel_secret_set - tester,channel_added - tester," ]
	[ "$(sql "SELECT details FROM events WHERE id = 2")" = \
	    "{\"channel\":\"cp1\",\"secret\":\"access_key\",\"key_id\":\"$(cat k.id)\"}" ]
	[ "$(sql "SELECT count(*) FROM events WHERE details LIKE '%$SECRET%'")" = 0 ]

	# A name taken, a name not allowed, an unknown kind or workflow.
	run --separate-stderr uoms-channel add cp1 --kind demo
	[ "$status" -eq 1 ]
	[ -z "$output" ]
	[ "$stderr" = "uoms-channel: invalid: channel 'cp1' exists already" ]
	run --separate-stderr uoms-channel add 'bad:name' --kind demo
	[ "$status" -eq 1 ]
	[[ "$stderr" == "uoms-channel: invalid: channel name 'bad:name' is not"* ]]
	run --separate-stderr uoms-channel add x --kind amazon
	[ "$status" -eq 2 ]
	[[ "$stderr" == "uoms-channel: --kind: 'amazon' is not demo, "* ]]
	[[ "$stderr" == *"usage: uoms-channel "* ]]
	run --separate-stderr uoms-channel add x --kind demo --workflow nosuch
	[ "$status" -eq 2 ]
	[[ "$stderr" == "uoms-channel: --workflow: "*nosuch* ]]
	run --separate-stderr uoms-channel show nosuch
	[ "$status" -eq 1 ]
	[ -z "$output" ]
	[ "$stderr" = "uoms-channel: not_found: no channel 'nosuch'" ]
	[ "$(sql "SELECT count(*) FROM channels")" = 2 ]
}

@test "list and show refuse a missing store; every kind SPEC names is accepted" {
	run --separate-stderr uoms-channel -d "$PWD/none.db" list
	[ "$status" -eq 3 ]
	[ -z "$output" ]
	[ ! -e none.db ]
	for k in demo http-jsonl coupang naver shopify woocommerce; do
		uoms-channel add "c-$k" --kind "$k" >/dev/null
	done
	[ "$(uoms-channel list | jget kind | tr '\n' ' ')" = \
	    "coupang demo http-jsonl naver shopify woocommerce " ]
}

@test "update changes what is given and keeps the rest; a change that changes nothing writes nothing" {
	uoms-channel add cp1 --kind coupang --set vendor_id=A1 --set region=kr >/dev/null
	run --separate-stderr uoms-channel update cp1 --set vendor_id=A2 --set region= \
	    --set page=10 --workflow fulfillment --base-url http://127.0.0.1:9
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	[ "$(echo "$output" | jget settings)" = '{"vendor_id": "A2", "page": "10"}' ]
	[ "$(echo "$output" | jget workflow)" = fulfillment ]
	[ "$(echo "$output" | jget base_url)" = http://127.0.0.1:9 ]
	[ "$(echo "$output" | jget kind)" = coupang ]
	[ "$(sql "SELECT details FROM events WHERE type = 'channel_updated'")" = \
	    '{"channel":"cp1","changed":["base_url","workflow","settings"]}' ]

	# The same again: nothing changes, no event.
	uoms-channel update cp1 --set vendor_id=A2 >/dev/null
	[ "$(sql "SELECT count(*) FROM events WHERE type = 'channel_updated'")" = 1 ]

	# An empty value clears.
	run --separate-stderr uoms-channel update cp1 --workflow '' --base-url ''
	[ "$status" -eq 0 ]
	[ "$(echo "$output" | jget workflow)" = null ]
	[ "$(echo "$output" | jget base_url)" = null ]

	run --separate-stderr uoms-channel update cp1 --base-url ftp://x
	[ "$status" -eq 1 ]
	[ "$stderr" = "uoms-channel: invalid: base URL 'ftp://x' is not http:// or https://" ]
	run --separate-stderr uoms-channel update nosuch --set a=b
	[ "$status" -eq 1 ]
	[ "$stderr" = "uoms-channel: not_found: no channel 'nosuch'" ]
	run --separate-stderr uoms-channel update cp1
	[ "$status" -eq 2 ]
	[[ "$stderr" == "uoms-channel: update needs "* ]]
	run --separate-stderr uoms-channel update cp1 --kind demo
	[ "$status" -eq 2 ]
	[[ "$stderr" == "uoms-channel: --kind goes with add only"* ]]
	run --separate-stderr uoms-channel update cp1 --set novalue
	[ "$status" -eq 2 ]
	run --separate-stderr uoms-channel update cp1 --set a=1 --set a=2
	[ "$status" -eq 2 ]
	[[ "$stderr" == "uoms-channel: --set: 'a' is set twice"* ]]
}

@test "a setting named like a credential is refused: it goes in with --secret" {
	for k in secret_key access_token client_secret password api_key; do
		run --separate-stderr uoms-channel add cp1 --kind coupang --set "$k=$SECRET"
		echo "$k: $status $stderr"
		[ "$status" -eq 2 ]
		[ -z "$output" ]
		[[ "$stderr" == "uoms-channel: --set: '$k' looks like a credential: give it with --secret $k "* ]]
	done
	no_store || [ "$(sql "SELECT count(*) FROM channels")" = 0 ]
}

@test "enable and disable, with their events; once each" {
	uoms-channel add d1 --kind demo >/dev/null
	run --separate-stderr uoms-channel disable d1
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	[ "$(echo "$output" | jget enabled)" = False ]
	uoms-channel disable d1 >/dev/null
	run --separate-stderr uoms-channel enable d1
	[ "$status" -eq 0 ]
	[ "$(echo "$output" | jget enabled)" = True ]
	[ "$(sql "SELECT group_concat(type || ':' || json_extract(details, '\$.channel')) FROM events WHERE id > 1")" = \
	    "channel_disabled:d1,channel_enabled:d1" ]
	run --separate-stderr uoms-channel enable nosuch
	[ "$status" -eq 1 ]
	[ "$stderr" = "uoms-channel: not_found: no channel 'nosuch'" ]
	run --separate-stderr uoms-channel enable
	[ "$status" -eq 2 ]
	[[ "$stderr" == "uoms-channel: enable takes one NAME"* ]]
}

@test "a secret is never in the store's files in clear, WAL included, nor printed" {
	key k
	use_key k
	uoms-channel add first --kind demo >/dev/null
	if engine_is sqlite; then
		# Another connection keeps the WAL from being folded back on
		# exit, so what the tool wrote is still in uoms.db-wal to look
		# at (SQLite's own: PostgreSQL's store is the schema's dump).
		python3 -c '
import sqlite3, sys, time
c = sqlite3.connect(sys.argv[1])
c.execute("SELECT count(*) FROM channels").fetchall()
open("held", "w").write("1")
time.sleep(60)' "$UOMS_DB" &
		HOLDER_PID=$!
		wait_for_file held
	fi
	run --separate-stderr add_cp cp1
	[ "$status" -eq 0 ]
	[[ "$output" != *"$SECRET"* && "$stderr" != *"$SECRET"* ]]
	if engine_is sqlite; then
		[ -s "$UOMS_DB-wal" ]
		# The plain setting is there (grep does see the files)...
		[ "$(in_store A00012345)" -ge 1 ]
		# ...the secrets are not.
		run grep -c -- "$SECRET" "$UOMS_DB" "$UOMS_DB-wal"
		[ "$output" = "$(printf '%s:0\n%s:0' "$UOMS_DB" "$UOMS_DB-wal")" ]
		run grep -c -- "$OTHER" "$UOMS_DB" "$UOMS_DB-wal"
		[ "$output" = "$(printf '%s:0\n%s:0' "$UOMS_DB" "$UOMS_DB-wal")" ]
		kill "$HOLDER_PID"
		wait "$HOLDER_PID" 2>/dev/null || true
		HOLDER_PID=
		sqlite3 "$UOMS_DB" 'pragma wal_checkpoint(TRUNCATE)' >/dev/null
	fi
	[ "$(in_store A00012345)" -ge 1 ]
	[ "$(in_store "$SECRET")" = 0 ]
	[ "$(in_store "$OTHER")" = 0 ]
	# What is stored: 12-byte nonce, ciphertext as long as the value,
	# 16-byte tag, the key's id.
	[ "$(sql "SELECT length(nonce), length(ciphertext), length(tag), key_id FROM channel_secrets WHERE name = 'access_key'")" = \
	    "12|${#SECRET}|16|$(cat k.id)" ]
	run --separate-stderr uoms-channel list
	[[ "$output" != *"$SECRET"* && "$output" != *"$OTHER"* ]]
	run --separate-stderr uoms-events
	[ "$status" -eq 0 ]
	[[ "$output" != *"$SECRET"* && "$output" != *"$OTHER"* ]]
}

@test "secrets come from stdin, a line each: missing or empty is refused and nothing is added" {
	key k
	use_key k
	run --separate-stderr sh -c "printf '%s\n' '$SECRET' | uoms-channel add cp1 --kind coupang --secret access_key --secret secret_key"
	[ "$status" -eq 1 ]
	[ -z "$output" ]
	[ "$stderr" = "uoms-channel: invalid: no line on standard input for secret 'secret_key'" ]
	run --separate-stderr sh -c "printf '\n' | uoms-channel add cp1 --kind coupang --secret access_key"
	[ "$status" -eq 1 ]
	[ "$stderr" = "uoms-channel: invalid: secret 'access_key' is empty" ]
	run --separate-stderr uoms-channel add cp1 --kind coupang --secret a --secret a </dev/null
	[ "$status" -eq 2 ]
	[[ "$stderr" == "uoms-channel: --secret: 'a' is given twice"* ]]
	[ "$(sql "SELECT count(*) FROM channels") $(sql "SELECT count(*) FROM channel_secrets")" = "0 0" ]
	# update replaces one secret; the other stays.
	add_cp cp1 >/dev/null
	run --separate-stderr sh -c "printf 'new-value\n' | uoms-channel update cp1 --secret secret_key"
	[ "$status" -eq 0 ]
	[ "$(echo "$output" | jget secrets)" = '["access_key", "secret_key"]' ]
	[ "$(sql "SELECT count(*) FROM events WHERE type = 'channel_secret_set'")" = 3 ]
}

@test "keygen: 64 hex digits and a newline, mode 0600, never overwrites, never prints the key" {
	run --separate-stderr uoms-channel keygen k
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	[ "$(echo "$output" | jget key_file)" = k ]
	[[ "$(echo "$output" | jget key_id)" =~ ^[0-9a-f]{16}$ ]]
	[ "$(stat -c %a k)" = 600 ]
	[ "$(wc -c <k)" = 65 ]
	grep -Eqx '[0-9a-f]{64}' k
	[[ "$output" != *"$(cat k)"* ]]
	[ "$(echo "$output" | jget key_id)" = \
	    "$(key_id_of "$(cat k)")" ]
	before=$(cat k)
	run --separate-stderr uoms-channel keygen k
	[ "$status" -eq 3 ]
	[ -z "$output" ]
	[ "$stderr" = "uoms-channel: can't create key file 'k': File exists" ]
	[ "$(cat k)" = "$before" ]
	# Without FILE: the configuration's secret_key_file.
	use_key k2
	run --separate-stderr uoms-channel keygen
	[ "$status" -eq 0 ]
	[ "$(echo "$output" | jget key_file)" = "$PWD/k2" ]
	[ "$(cat k)" != "$(cat k2)" ]
	no_store
}

@test "the key file must be mode 0600 or stricter: 0644 is refused, saying so" {
	key k
	use_key k
	chmod 644 k
	run --separate-stderr add_cp cp1
	[ "$status" -eq 3 ]
	[ -z "$output" ]
	[ "$stderr" = "uoms-channel: key file '$PWD/k' has mode 0644: it must be 0600 or stricter (chmod 600 '$PWD/k')" ]
	[[ "$stderr" != *"$(cat k)"* ]]
	[ "$(sql "SELECT count(*) FROM channels")" = 0 ]
	chmod 640 k
	run --separate-stderr add_cp cp1
	[ "$status" -eq 3 ]
	[[ "$stderr" == *"has mode 0640: it must be 0600 or stricter"* ]]
	chmod 400 k
	run --separate-stderr add_cp cp1
	[ "$status" -eq 0 ]
	# Not a key, not a file, not there.
	printf 'not a key\n' >bad && chmod 600 bad && use_key bad
	run --separate-stderr sh -c 'echo x | uoms-channel update cp1 --secret a'
	[ "$status" -eq 3 ]
	[ "$stderr" = "uoms-channel: key file '$PWD/bad' does not hold a key (64 hex digits)" ]
	mkdir dir && chmod 700 dir && use_key dir
	run --separate-stderr sh -c 'echo x | uoms-channel update cp1 --secret a'
	[ "$status" -eq 3 ]
	[ "$stderr" = "uoms-channel: key file '$PWD/dir' is not a regular file" ]
	use_key none
	run --separate-stderr sh -c 'echo x | uoms-channel update cp1 --secret a'
	[ "$status" -eq 3 ]
	[[ "$stderr" == "uoms-channel: can't open key file '$PWD/none': No such file or directory"* ]]
	# Without secrets no key is needed.
	run --separate-stderr uoms-channel update cp1 --set vendor_id=B
	[ "$status" -eq 0 ]
}

@test "\$UOMS_SECRET_KEY is used before the key file" {
	use_key none
	export UOMS_SECRET_KEY=00112233445566778899aabbccddeeff00112233445566778899AABBCCDDEEFF
	run --separate-stderr add_cp cp1
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	[ "$(key_ids)" = "$(key_id_of 00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff)" ]
	UOMS_SECRET_KEY=0011 run --separate-stderr sh -c 'echo x | uoms-channel update cp1 --secret a'
	[ "$status" -eq 3 ]
	[ "$stderr" = 'uoms-channel: $UOMS_SECRET_KEY is not a key (64 hex digits)' ]
	# Empty is unset: the key file is looked for.
	UOMS_SECRET_KEY= run --separate-stderr sh -c 'echo x | uoms-channel update cp1 --secret a'
	[ "$status" -eq 3 ]
	[[ "$stderr" == "uoms-channel: can't open key file '$PWD/none'"* ]]
}

@test "a wrong key is refused clearly (invalid), naming both key ids, never a key" {
	key a
	key b
	use_key a
	add_cp cp1 >/dev/null
	use_key b
	run --separate-stderr sh -c "printf 'v\n' | uoms-channel update cp1 --secret access_key"
	[ "$status" -eq 1 ]
	[ -z "$output" ]
	[ "$stderr" = "uoms-channel: invalid: wrong key for channel 'cp1' secret 'access_key' (key id $(cat b.id), the store's secrets are sealed under key id $(cat a.id))" ]
	[[ "$stderr" != *"$(cat a)"* && "$stderr" != *"$(cat b)"* ]]
	# Opening under the wrong key: rekey has to open every secret.
	key c
	run --separate-stderr uoms-channel rekey --new-key-file c
	[ "$status" -eq 1 ]
	[ -z "$output" ]
	[ "$stderr" = "uoms-channel: invalid: wrong key for channel 'cp1' secret 'access_key' (key id $(cat b.id), sealed under key id $(cat a.id))" ]
	for f in a b c; do
		[[ "$stderr" != *"$(cat $f)"* ]]
	done
	[ "$(key_ids)" = "$(cat a.id)" ]
	[ "$(sql "SELECT count(*) FROM events WHERE type = 'channels_rekeyed'")" = 0 ]
	# A sealed value moved to another name does not open: changed, not garbage.
	use_key a
	sql "UPDATE channel_secrets SET ciphertext = (SELECT ciphertext FROM channel_secrets WHERE name = 'secret_key'), nonce = (SELECT nonce FROM channel_secrets WHERE name = 'secret_key'), tag = (SELECT tag FROM channel_secrets WHERE name = 'secret_key') WHERE name = 'access_key'"
	run --separate-stderr uoms-channel rekey --new-key-file c
	[ "$status" -eq 1 ]
	[ "$stderr" = "uoms-channel: invalid: channel 'cp1' secret 'access_key' does not open under key id $(cat a.id): it was changed or moved in the store" ]
	[[ "$stderr" != *"$OTHER"* ]]
}

@test "rekey re-seals every secret: the new key opens them, the old one is refused" {
	key old
	key new
	key third
	use_key old
	add_cp cp1 >/dev/null
	printf 'tok\n' | uoms-channel add shop1 --kind shopify --secret access_token >/dev/null
	run --separate-stderr uoms-channel rekey --new-key-file new
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	[ "$output" = "{\"secrets\":3,\"from_key_id\":\"$(cat old.id)\",\"to_key_id\":\"$(cat new.id)\"}" ]
	[ "$(key_ids)" = "$(cat new.id)" ]
	[ "$(sql "SELECT details FROM events WHERE type = 'channels_rekeyed'")" = \
	    "{\"secrets\":3,\"from_key_id\":\"$(cat old.id)\",\"to_key_id\":\"$(cat new.id)\"}" ]
	[ "$(in_store "$SECRET")" = 0 ]
	# The old key: refused, for sealing and for opening.
	run --separate-stderr sh -c "printf 'v\n' | uoms-channel update cp1 --secret access_key"
	[ "$status" -eq 1 ]
	[[ "$stderr" == "uoms-channel: invalid: wrong key for channel 'cp1' secret 'access_key' (key id $(cat old.id), "* ]]
	run --separate-stderr uoms-channel rekey --new-key-file third
	[ "$status" -eq 1 ]
	[[ "$stderr" == *"(key id $(cat old.id), sealed under key id $(cat new.id))" ]]
	# The new key opens every one of them (a rekey opens each), by file
	# or by $UOMS_SECRET_KEY.
	use_key new
	run --separate-stderr uoms-channel rekey --new-key-file third
	[ "$status" -eq 0 ]
	[ "$(echo "$output" | jget secrets)" = 3 ]
	[ "$(key_ids)" = "$(cat third.id)" ]
	UOMS_SECRET_KEY=$(cat third) run --separate-stderr uoms-channel rekey --new-key-file new
	[ "$status" -eq 0 ]
	[ "$(key_ids)" = "$(cat new.id)" ]
	# The same key, a new key file of mode 0644: refused.
	run --separate-stderr uoms-channel rekey --new-key-file new
	[ "$status" -eq 1 ]
	[ "$stderr" = "uoms-channel: invalid: the new key is the key in use (key id $(cat new.id))" ]
	chmod 644 third
	run --separate-stderr uoms-channel rekey --new-key-file third
	[ "$status" -eq 3 ]
	[[ "$stderr" == *"key file 'third' has mode 0644"* ]]
	run --separate-stderr uoms-channel rekey
	[ "$status" -eq 2 ]
	[[ "$stderr" == "uoms-channel: rekey needs --new-key-file"* ]]
}

@test "remove: refused while orders name the channel; --force by an admin removes it and its secrets" {
	key k
	use_key k
	add_cp shop9 >/dev/null
	order 1 channel='"shop9"' | uoms-upsert >/dev/null
	run --separate-stderr uoms-channel remove shop9
	[ "$status" -eq 1 ]
	[ -z "$output" ]
	[ "$stderr" = "uoms-channel: invalid: channel 'shop9' is referenced by 1 order; removing it takes force (an admin's)" ]
	# No admin in the store: anyone manages channels, but only an admin forces.
	run --separate-stderr uoms-channel remove shop9 --force
	[ "$status" -eq 1 ]
	[ "$stderr" = "uoms-channel: forbidden: --force needs the admin role; 'tester' is not an admin" ]
	[ "$(sql "SELECT count(*) FROM channels") $(sql "SELECT count(*) FROM channel_secrets")" = "1 2" ]
	uoms-user --actor root add root --role admin >/dev/null
	run --separate-stderr uoms-channel --actor root remove shop9 --force
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	[ "$(echo "$output" | jget name)" = shop9 ]
	[ "$(sql "SELECT count(*) FROM channels") $(sql "SELECT count(*) FROM channel_secrets")" = "0 0" ]
	[ "$(sql "SELECT channel FROM orders")" = shop9 ]
	[ "$(sql "SELECT actor || ' ' || details FROM events WHERE type = 'channel_removed'")" = \
	    'root {"channel":"shop9","orders":1,"secrets":2,"forced":true}' ]
	# A channel no order names goes without force.
	uoms-channel --actor root add d1 --kind demo >/dev/null
	run --separate-stderr uoms-channel --actor root remove d1
	[ "$status" -eq 0 ]
	run --separate-stderr uoms-channel --actor root remove d1
	[ "$status" -eq 1 ]
	[ "$stderr" = "uoms-channel: not_found: no channel 'd1'" ]
	run --separate-stderr uoms-channel --actor root disable d1 --force
	[ "$status" -eq 2 ]
}

@test "once the store has an admin, only admins manage channels; anyone may look" {
	uoms-channel add d1 --kind demo >/dev/null
	uoms-user --actor root add root --role admin >/dev/null
	for args in "add d2 --kind demo" "update d1 --set a=b" "disable d1" "remove d1"; do
		run --separate-stderr uoms-channel --actor kim $args
		echo "$args: $status $stderr"
		[ "$status" -eq 1 ]
		[ -z "$output" ]
		[ "$stderr" = "uoms-channel: forbidden: managing channels needs the admin role; 'kim' is not an admin" ]
	done
	run --separate-stderr uoms-channel --actor kim list
	[ "$status" -eq 0 ]
	[ "$(echo "$output" | jget name)" = d1 ]
	run --separate-stderr uoms-channel --actor root disable d1
	[ "$status" -eq 0 ]
	[ "$(sql "SELECT count(*) FROM events WHERE type LIKE 'channel%' AND actor = 'kim'")" = 0 ]
}

@test "usage: no command, an unknown one, extra arguments" {
	run --separate-stderr uoms-channel
	[ "$status" -eq 2 ]
	[ -z "$output" ]
	[[ "$stderr" == "uoms-channel: no command: add, list, "* ]]
	run --separate-stderr uoms-channel frobnicate
	[ "$status" -eq 2 ]
	[[ "$stderr" == "uoms-channel: unknown command 'frobnicate': add, "* ]]
	run --separate-stderr uoms-channel list extra
	[ "$status" -eq 2 ]
	run --separate-stderr uoms-channel show a b
	[ "$status" -eq 2 ]
	run --separate-stderr uoms-channel add x
	[ "$status" -eq 2 ]
	[[ "$stderr" == "uoms-channel: add needs --kind"* ]]
	run --separate-stderr uoms-channel enable x --set a=b
	[ "$status" -eq 2 ]
	run --separate-stderr uoms-channel keygen a b
	[ "$status" -eq 2 ]
	[ ! -e a ]
}

@test "the man page's EXAMPLES run" {
	unset UOMS_DB
	man_examples uoms-channel.1
	[ -f ex5.sh ]
	statuses=
	for f in $(ls ex*.sh | sort -V); do
		sh "$f" >"$f.out" 2>"$f.err" </dev/null && st=0 || st=$?
		statuses="$statuses $st"
	done
	cat ex*.sh.err
	[ "$statuses" = " 0 0 0 0 0" ]
	[ "$(jget secrets <ex3.sh.out)" = '["access_key", "secret_key"]' ]
	[ "$(stat -c %a secret.key)" = 600 ]
	[ ! -e secret.key.new ]
	[ "$(sqlite3 uoms.db "SELECT DISTINCT key_id FROM channel_secrets")" = \
	    "$(tail -1 ex5.sh.out | jget to_key_id)" ]
	! grep -q my-secret-key uoms.db
}
