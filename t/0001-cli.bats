#!/usr/bin/env bats
# The command line every tool shares: --help (the same words as the man
# page SYNOPSIS), --version, misuse; and the front door, uoms.
load helper

# The tools under test: every program beside uoms-query (build/bin).
tools() {
	local bin
	bin=$(dirname "$(command -v uoms-query)")
	for t in "$bin"/uoms "$bin"/uoms-*; do
		[ -x "$t" ] && basename "$t"
	done
}

# squash: whitespace runs to one space, no space at either end.
squash() {
	tr -s ' \t\n' '   ' | sed 's/^ //; s/ $//'
}

# render PAGE: the page as plain text, by mandoc or man-db, one line per
# paragraph (wide enough that nothing wraps), overstrike removed.
render() {
	if command -v mandoc >/dev/null; then
		mandoc -T ascii -O width=1000 "$1"
	else
		LC_ALL=C MANWIDTH=1000 MAN_KEEP_FORMATTING= man -l "$1" 2>/dev/null
	fi | sed 's/.\x08//g'
}

# synopsis PAGE: the SYNOPSIS section of PAGE, whitespace squashed.
synopsis() {
	render "$1" | awk '/^SYNOPSIS$/ { on = 1; next } /^[A-Z]/ { on = 0 } on' |
	    squash
}

# usage_text TOOL: what --help prints up to its first blank line (the
# usage proper; uoms adds a list of tools after it), without "usage: ".
usage_text() {
	"$1" --help | awk '/^$/ { exit } { print }' | sed '1s/^usage: //' | squash
}

@test "the tools are there to test" {
	run tools
	[ "$status" -eq 0 ]
	[[ " ${lines[*]} " == *" uoms "* ]]
	[[ " ${lines[*]} " == *" uoms-upsert "* ]]
	[[ " ${lines[*]} " == *" uoms-query "* ]]
}

@test "every tool answers --help and -h with its usage on stdout, exit 0" {
	for t in $(tools); do
		for h in --help -h; do
			run --separate-stderr "$t" "$h"
			echo "$t $h: status $status, stderr '$stderr'"
			[ "$status" -eq 0 ]
			[ -z "$stderr" ]
			[[ "${lines[0]}" == "usage: $t "* ]]
		done
	done
}

@test "every tool answers --version with its name and the same version" {
	local want
	want=$(uoms version | awk '{ print $2 }')
	[[ "$want" =~ ^[0-9]+\.[0-9]+\.[0-9]+ ]]
	for t in $(tools); do
		run --separate-stderr "$t" --version
		echo "$t --version: status $status, output '$output'"
		[ "$status" -eq 0 ]
		[ -z "$stderr" ]
		[ "$output" = "$t $want" ]
	done
}

@test "an unknown option is a usage error: exit 2, why and usage on stderr, nothing on stdout" {
	for t in $(tools); do
		run --separate-stderr "$t" --no-such-option
		echo "$t: status $status, stdout '$output', stderr '$stderr'"
		[ "$status" -eq 2 ]
		[ -z "$output" ]
		[[ "$stderr" == *"no-such-option"* ]]
		[[ "$stderr" == *"usage: $t "* ]]
	done
}

@test "an unknown option after a command names the tool, not the command or a path" {
	local bin
	bin=$(dirname "$(command -v uoms-query)")
	for args in "uoms-hold set --reject" "uoms-hold list -x" \
	    "uoms-lock acquire --reject" "uoms-user add --reject" \
	    "uoms-channel add --reject" "uoms-remark --reject list 1" \
	    "uoms-hold set --reason" "uoms-query --reject" \
	    "uoms-assign --nope" "uoms-edit --nope" "uoms-events --nope" \
	    "uoms-fetch --nope" "uoms-report status --nope" \
	    "uoms-status --nope" "uoms-upsert --nope"; do
		read -ra a <<<"$args"
		for t in "${a[0]}" "$bin/${a[0]}"; do
			run --separate-stderr "$t" "${a[@]:1}"
			echo "$t ${a[*]:1}: status $status, stderr '$stderr'"
			[ "$status" -eq 2 ]
			[ -z "$output" ]
			[[ "${stderr%%$'\n'*}" == "${a[0]}: "*"option"* ]]
		done
	done
}

@test "UOMS_CONFIG, UOMS_DB and UOMS_ACTOR set to nothing are as good as unset" {
	order 100001 | UOMS_CONFIG= uoms-upsert >/dev/null
	run --separate-stderr env UOMS_CONFIG= uoms-query
	echo "status $status, stderr '$stderr'"
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	[ "$(printf '%s\n' "$output" | jget id)" = 1 ]
	# UOMS_DB= leaves the store to the configuration's db:
	printf 'db: %s\n' "$UOMS_DB" >uoms.yaml
	mkdir elsewhere
	cd elsewhere
	run --separate-stderr env UOMS_CONFIG="$BATS_TEST_TMPDIR/uoms.yaml" \
	    UOMS_DB= uoms-query
	echo "status $status, stderr '$stderr'"
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	[ "$(printf '%s\n' "$output" | jget id)" = 1 ]
	# UOMS_ACTOR= leaves the actor to LOGNAME:
	run --separate-stderr env UOMS_CONFIG= UOMS_ACTOR= LOGNAME=someone \
	    uoms-status --to IN_PROGRESS 1
	echo "status $status, stderr '$stderr'"
	[ "$status" -eq 0 ]
	[ "$(uoms-events --order 1 | jget actor | tail -1)" = someone ]
}

@test "a tool's own option given a bad value is a usage error too" {
	run --separate-stderr uoms-query --limit many
	[ "$status" -eq 2 ]
	[ -z "$output" ]
	[[ "$stderr" == "uoms-query: "*"many"* ]]
	[[ "$stderr" == *"usage: uoms-query "* ]]
	run --separate-stderr uoms-upsert --batch 0
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"usage: uoms-upsert "* ]]
	run --separate-stderr uoms-query stray-argument
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"stray-argument"* ]]
}

@test "every tool's --help is the SYNOPSIS of its man page" {
	local page missing=
	command -v mandoc >/dev/null || command -v man >/dev/null ||
		skip "neither mandoc nor man (man-db) is installed to render man pages"
	for t in $(tools); do
		page=$SRC/man/$t.1
		if [ ! -f "$page" ]; then
			missing="$missing $t"
			continue
		fi
		synopsis "$page" >want
		usage_text "$t" >got
		echo "$t: man SYNOPSIS vs --help:"
		diff -u want got
		[ -s want ]
	done
	[ -z "$missing" ] || skip "no man page (man/TOOL.1) for:$missing"
}

@test "uoms help and uoms version" {
	run --separate-stderr uoms help
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	[[ "${lines[0]}" == "usage: uoms "* ]]
	[[ "$output" == *upsert* && "$output" == *query* ]]
	run --separate-stderr uoms version
	[ "$status" -eq 0 ]
	[[ "$output" =~ ^uoms\ [0-9]+\.[0-9]+\.[0-9]+ ]]
	run --separate-stderr uoms help query
	[ "$status" -eq 0 ]
	[ "$output" = "$(uoms-query --help)" ]
}

@test "uoms with no arguments prints usage on stderr, exit 2" {
	run --separate-stderr uoms
	[ "$status" -eq 2 ]
	[ -z "$output" ]
	[[ "$stderr" == "usage: uoms "* ]]
}

@test "uoms TOOL runs uoms-TOOL with its arguments, stdin, stdout and status" {
	order 100001 | uoms upsert >upserted
	[ "$(jget id <upserted)" = 1 ]
	run --separate-stderr uoms query --id 1
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	[ "$output" = "$(uoms-query --id 1)" ]
	[ "$output" = "$(cat upserted)" ]
	run --separate-stderr uoms query --version
	[ "$output" = "$(uoms-query --version)" ]
	run --separate-stderr uoms query --tz Nowhere/Else
	[ "$status" -eq 2 ]
	[[ "$stderr" == "uoms-query: "* ]]
	run --separate-stderr uoms query -d "$PWD/none.db"
	[ "$status" -eq 3 ]
}

@test "uoms with a tool that does not exist: exit 2, the name in the message" {
	run --separate-stderr uoms no-such-tool --help
	[ "$status" -eq 2 ]
	[ -z "$output" ]
	[[ "$stderr" == "uoms: "*"no-such-tool"* ]]
	run --separate-stderr uoms ../bin/uoms-query
	[ "$status" -eq 2 ]
	[ -z "$output" ]
}
