#!/usr/bin/env bats
# The channel registry on PostgreSQL: channels with sealed secrets made
# on SQLite and copied over (uoms-copy) read the same there, and their
# secrets open there under the same key and no other.
load helper

setup_file() {
	pg_start
}

teardown_file() {
	pg_stop
}

# Three channels on the SQLite store: one with a token and settings that
# need JSON escapes, one with two secrets, one disabled without any; the
# secret key exported for the tools that open them.
channels() {
	export UOMS_SECRET_KEY=$(openssl rand -hex 32)
	printf 'tok-secret-7021\n' | uoms-channel add shop --kind http-jsonl \
	    --base-url http://127.0.0.1:9 --set 'note=a "quoted" é/x' \
	    --set max_pages=3 --secret token >/dev/null
	printf 'ak-7021\nsk-7021\n' | uoms-channel add cp1 --kind coupang \
	    --set vendor_id=A00012345 --secret access_key \
	    --secret secret_key >/dev/null
	uoms-channel add old --kind demo >/dev/null
	uoms-channel disable old >/dev/null
}

@test "copied onto PostgreSQL, a channel's secret opens there: fetch --dry-run prints the same, masked" {
	pg_need
	channels
	url=$(pg_db dryrun)
	uoms-copy --quiet "$url" >/dev/null
	for c in shop cp1; do
		run --separate-stderr uoms-fetch --dry-run --channel "$c" \
		    --since 2026-11-21
		[ "$status" -eq 0 ]
		[ -z "$stderr" ]
		lite=$output
		run --separate-stderr uoms-fetch -d "$url" --dry-run \
		    --channel "$c" --since 2026-11-21
		[ "$status" -eq 0 ]
		[ -z "$stderr" ]
		[ "$output" = "$lite" ]
		[[ "$output" == *"Authorization: ****"* ]]
		[[ "$output" != *7021* ]]
	done
	# The disabled channel is not fetched on either.
	run --separate-stderr uoms-fetch -d "$url" --dry-run --since 2026-11-21
	[ "$status" -eq 0 ]
	[[ "$output" != *"channel old"* ]]
	[[ "$output" == *"# channel cp1 (coupang)"*"# channel shop (http-jsonl)"* ]]
}

@test "on PostgreSQL a secret does not open under another key: refused, naming both key ids" {
	pg_need
	channels
	url=$(pg_db wrongkey)
	uoms-copy --quiet "$url" >/dev/null
	export UOMS_SECRET_KEY=ffeeddccbbaa99887766554433221100ffeeddccbbaa99887766554433221100
	run --separate-stderr uoms-fetch -d "$url" --dry-run --channel shop \
	    --since 2026-11-21
	[ "$status" -eq 3 ]
	[[ "$stderr" == "uoms-fetch: channel shop: can't open secret 'token': wrong key for channel 'shop' secret 'token' (key id "*", sealed under key id "*")" ]]
	[[ "$stderr" != *tok-secret* ]]
	pg=$stderr
	run --separate-stderr uoms-fetch --dry-run --channel shop \
	    --since 2026-11-21
	[ "$status" -eq 3 ]
	[ "$stderr" = "$pg" ]
}

@test "copied onto PostgreSQL, uoms-channel list and show print the same bytes" {
	pg_need
	channels
	url=$(pg_db listshow)
	uoms-copy --quiet "$url" >/dev/null
	run --separate-stderr uoms-channel -d "$url" list
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	[ "$output" = "$(uoms-channel list)" ]
	[ "$(echo "$output" | wc -l)" -eq 3 ]
	for c in cp1 old shop; do
		[ "$(uoms-channel -d "$url" show "$c")" = "$(uoms-channel show "$c")" ]
	done
	run --separate-stderr uoms-channel -d "$url" show nosuch
	[ "$status" -eq 1 ]
	[ "$stderr" = "uoms-channel: not_found: no channel 'nosuch'" ]
}

@test "the channel verbs on PostgreSQL: update, disable, a secret set, a name taken, remove" {
	pg_need
	channels
	url=$(pg_db verbs)
	uoms-copy --quiet "$url" >/dev/null
	for db in "$UOMS_DB" "$url"; do
		uoms-channel -d "$db" update shop --set max_pages=5 >/dev/null
		uoms-channel -d "$db" disable cp1 >/dev/null
		printf 'tok-2\n' | uoms-channel -d "$db" update old \
		    --secret token >/dev/null
		run --separate-stderr uoms-channel -d "$db" add shop --kind demo
		[ "$status" -ne 0 ]
		[ "$stderr" = "uoms-channel: invalid: channel 'shop' exists already" ]
		uoms-channel -d "$db" remove cp1 >/dev/null
	done
	# The same channels, their times aside.
	notimes() { sed 's/"\(created\|updated\)_at":"[^"]*"/T/g'; }
	[ "$(uoms-channel -d "$url" list | notimes)" = "$(uoms-channel list | notimes)" ]
	[ "$(uoms-channel -d "$url" list | wc -l)" -eq 2 ]
}
