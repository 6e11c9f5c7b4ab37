#!/usr/bin/env bats
# zones (uoms-zones(5)): uoms-upsert fills shipping.zone from the postal
# code when the line gives none, and a new order's department when it has
# none; exact beats the longest prefix, which beats the narrowest range;
# a bad row stops the tool (exit 3) naming file and line.
load helper

# zones_conf: a configuration naming zones.csv beside it (with these rows).
zones_conf() {
	mkdir -p conf
	printf 'zones: zones.csv\n' > conf/uoms.yaml
	cat > conf/zones.csv <<'CSV'
# Seoul, a few codes: exact, prefixes, ranges
match,zone,department
06236,teheran,east
062*,gangnam,
0623*,yeoksam,west
06000-06999,seocho-wide,south
06500-06599,banpo,north
CSV
	export UOMS_CONFIG=$PWD/conf/uoms.yaml
}

# at EXT CODE [KEY=JSON...]: an order of coupang:EXT to postal code CODE,
# with no zone and no department unless given.
at() {
	local ext=$1 code=$2
	shift 2
	order "$ext" department=absent \
	    "shipping={\"postal_code\":\"$code\",\"address\":\"서울 1\"}" "$@"
}

@test "exact, then the longest prefix, then the narrowest range" {
	zones_conf
	local cases=(
		"06236 teheran east"		# exact beats 0623* and 062*
		"06237 yeoksam west"		# 0623* beats 062*
		"06200 gangnam null"		# 062*, no department
		"06550 banpo north"		# the narrower range
		"06700 seocho-wide south"	# the wider one only
	)
	# (not i: bats' run counts with it)
	local ext=0 c code zone dept
	for c in "${cases[@]}"; do
		read -r code zone dept <<<"$c"
		ext=$((ext + 1))
		run --separate-stderr uoms-upsert <<<"$(at "$ext" "$code")"
		[ "$status" -eq 0 ]
		[ -z "$stderr" ]
		[ "$(jget shipping.zone <<<"$output")" = "$zone" ]
		[ "$(jget department <<<"$output")" = "$dept" ]
		[ "$(jget shipping.postal_code <<<"$output")" = "$code" ]
	done
	# Read back from the store, the same.
	run uoms-query --id 4
	[ "$(jget shipping.zone <<<"$output")" = banpo ]
}

@test "a code in no zone: no zone, no department, no hold without rules" {
	zones_conf
	run --separate-stderr uoms-upsert <<<"$(at 1 99999)"
	[ "$status" -eq 0 ]
	[ "$(jget shipping.zone <<<"$output")" = null ]
	[ "$(jget department <<<"$output")" = null ]
	[ "$(jget holds <<<"$output")" = "[]" ]
}

@test "a zone the line gives is kept; a department only filled when absent" {
	zones_conf
	run uoms-upsert <<<"$(at 1 06236 \
	    'shipping={"postal_code":"06236","zone":"mine"}' department='"ops"')"
	[ "$(jget shipping.zone <<<"$output")" = mine ]
	[ "$(jget department <<<"$output")" = ops ]
	# Stored without one: the zone's; later lines never replace it.
	run uoms-upsert <<<"$(at 2 06236)"
	[ "$(jget department <<<"$output")" = east ]
	run uoms-upsert <<<"$(at 2 06550 channel_updated_at='"2026-11-21T10:00:00Z"')"
	[ "$(jget shipping.zone <<<"$output")" = banpo ]
	[ "$(jget department <<<"$output")" = east ]
	# A department set since (by the channel here) stays as it is.
	run uoms-upsert <<<"$(at 2 06550 department='"ops"' \
	    channel_updated_at='"2026-11-21T11:00:00Z"')"
	[ "$(jget department <<<"$output")" = ops ]
	run uoms-upsert <<<"$(at 2 06237 channel_updated_at='"2026-11-21T12:00:00Z"')"
	[ "$(jget shipping.zone <<<"$output")" = yeoksam ]
	[ "$(jget department <<<"$output")" = ops ]
}

@test "the same line again changes nothing: the zone it was given is its own" {
	zones_conf
	at 1 06236 > line
	uoms-upsert < line >/dev/null
	run --separate-stderr uoms-upsert < line
	[ "$status" -eq 0 ]
	[ "$(jget version <<<"$output")" = 1 ]
	[ "$(sql "SELECT count(*) FROM events")" = 1 ]
}

@test "no zones: configured, nothing is filled" {
	run uoms-upsert <<<"$(at 1 06236)"
	[ "$(jget shipping.zone <<<"$output")" = null ]
	[ "$(jget department <<<"$output")" = null ]
}

@test "a malformed row stops the tool with exit 3, naming file and line" {
	zones_conf
	local rows=(
		"0623-06299,x,|match '0623-06299' is not a code (06236), a prefix (062*) or a range (06000-06299)"
		"06300-06299,x,|range '06300-06299' is reversed"
		"06300|no zone (columns: match,zone,department)"
		"06300,,east|zone '' is empty"
		"06300,x,east,more|more than 3 columns"
		"abc,x,|match 'abc' is not a code"
		"*,x,|match '*' is not a code"
		"06236,again,|match '06236' is given twice (line 3)"
		"062*,again,|match '062*' is given twice (line 4)"
	)
	local r
	cp conf/zones.csv good.csv
	for r in "${rows[@]}"; do
		cp good.csv conf/zones.csv
		printf '%s\n' "${r%%|*}" >> conf/zones.csv
		run --separate-stderr uoms-upsert <<<"$(at 1 06236)"
		[ "$status" -eq 3 ]
		[ -z "$output" ]
		[[ "$stderr" == "uoms-upsert: $PWD/conf/zones.csv: line 8: ${r#*|}"* ]] ||
		    { echo "row ${r%%|*}: $stderr"; false; }
	done
	no_store || [ "$(sql "SELECT count(*) FROM orders")" = 0 ]
	# uoms-serve (its webhooks store orders) reads it too.
	run --separate-stderr uoms-serve --listen 127.0.0.1:0
	[ "$status" -eq 3 ]
	[[ "$stderr" == *"conf/zones.csv: line 8: "* ]]
	rm conf/zones.csv
	run --separate-stderr uoms-upsert <<<"$(at 1 06236)"
	[ "$status" -eq 3 ]
	[[ "$stderr" == *"conf/zones.csv: No such file or directory"* ]]
}

@test "the shipped Seoul table: its 25 districts, a code of three of them" {
	cp "$SRC/etc/zones-seoul.csv" zones.csv
	printf 'zones: %s\n' "$PWD/zones.csv" > uoms.yaml
	export UOMS_CONFIG=$PWD/uoms.yaml
	[ "$(grep -cv '^#\|^match,' zones.csv)" = 25 ]
	run uoms-upsert <<<"$(at 1 06236)"
	[ "$(jget shipping.zone <<<"$output")" = gangnam ]
	[ "$(jget department <<<"$output")" != null ]
	run uoms-upsert <<<"$(at 2 03187)"
	[ "$(jget shipping.zone <<<"$output")" = jongno ]
	run uoms-upsert <<<"$(at 3 08826)"
	[ "$(jget shipping.zone <<<"$output")" = gwanak ]
}

@test "uoms-zones(5) EXAMPLES run" {
	engine_only sqlite "the examples' store is the file beside them"
	unset UOMS_DB
	man_examples uoms-zones.5
	local f
	for f in ex*.sh; do
		sh "$f"
	done
	[ -s uoms.db ]
}
