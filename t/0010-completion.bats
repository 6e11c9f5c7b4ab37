#!/usr/bin/env bats
# Bash completion (share/bash-completion/completions/uoms): every tool in
# cmd/ has it; options, verbs and values come from the tool's --help.
# (t/0009 checks that make install puts it where bash-completion's loader
# looks, under each tool's name.)
load helper

# completes WORD...: the completions of the command line WORD..., the last
# word the one being completed, sorted, on one line.
completes() {
	# shellcheck source=/dev/null
	source "$SRC/share/bash-completion/completions/uoms"
	COMP_WORDS=("$@")
	COMP_CWORD=$(($# - 1))
	COMPREPLY=()
	_uoms
	printf '%s\n' "${COMPREPLY[@]}" | sed '/^$/d' | sort | tr '\n' ' ' |
	    sed 's/ $//'
}

@test "every tool in cmd/ has completion, by its own name" {
	source "$SRC/share/bash-completion/completions/uoms"
	n=0
	for c in "$SRC"/cmd/*.c; do
		t=$(basename "$c" .c)
		run complete -p "$t"
		echo "$t: $output"
		[ "$status" -eq 0 ]
		[[ "$output" == "complete -F _uoms $t" ]]
		n=$((n + 1))
	done
	[ "$n" -ge 16 ]
}

@test "every long option of every tool's --help completes" {
	for c in "$SRC"/cmd/uoms-*.c; do
		t=$(basename "$c" .c)
		want=$("$t" --help | grep -o -- '--[a-z][a-z-]*' | sort -u)
		[ -n "$want" ]
		got=$(completes "$t" -- | tr ' ' '\n')
		# a subcommand tool's verbs take their options once typed
		for v in $(completes "$t" ''); do
			[[ $v == -* ]] && continue
			[ -e "$v" ] && continue
			got="$got"$'\n'$(completes "$t" "$v" -- | tr ' ' '\n')
		done
		missing=$(comm -23 <(echo "$want") <(echo "$got" | sort -u))
		echo "$t: missing '$missing'"
		[ -z "$missing" ]
	done
}

@test "an option's prefix completes to the option" {
	[ "$(completes uoms-query --st)" = --status ]
	[ "$(completes uoms-query --format=t)" = table ]
	# as bash splits --format=t (= is in COMP_WORDBREAKS)
	[ "$(completes uoms-query --format = t)" = table ]
	[ "$(completes uoms-query --format =)" = "csv jsonl table" ]
	[ "$(completes uoms query --li)" = --limit ]
}

@test "the subcommand tools complete their verbs, then the verb's options" {
	[ "$(completes uoms-lock '')" = "acquire cleanup list release renew run" ]
	[ "$(completes uoms lock '')" = "acquire cleanup list release renew run" ]
	[ "$(completes uoms-hold '')" = "ack list resolve set" ]
	[ "$(completes uoms-lock list --)" = "--actor --all --help --version" ]
	[ "$(completes uoms-lock -d x.db acquire --t)" = "--ttl --type" ]
	[ "$(completes uoms-report '')" = \
	    "daily hourly metrics range sales settlement status stock" ]
}

@test "an option's listed values, files, zones and channels complete" {
	[ "$(completes uoms-query --format '')" = "csv jsonl table" ]
	[ "$(completes uoms-report status --by c)" = channel ]
	[ "$(completes uoms-user add kim --role '')" = "admin user" ]
	[ "$(completes uoms-hold list --state a)" = acknowledged ]
	: >orders.jsonl
	mkdir stores
	[ "$(completes uoms-query -d ord)" = orders.jsonl ]
	[ "$(completes uoms-upsert --summary or)" = orders.jsonl ]
	[ "$(completes uoms-assign --reject st)" = stores ]
	[ "$(completes uoms-query --tz Asia/Seo)" = Asia/Seoul ]
	uoms-channel -d stores/x.db add demo --kind demo >/dev/null
	uoms-channel -d stores/x.db add market --kind demo >/dev/null
	[ "$(completes uoms-fetch -d stores/x.db --channel '')" = "demo market" ]
	[ "$(completes uoms-channel -d stores/x.db show m)" = market ]
	# no store, no names, no error
	[ "$(completes uoms-fetch -d none.db --channel '')" = "" ]
}

@test "uoms completes the tools its --help lists" {
	[ "$(completes uoms q)" = query ]
	for c in "$SRC"/cmd/uoms-*.c; do
		t=$(basename "$c" .c)
		[ "$(completes uoms "${t#uoms-}")" = "${t#uoms-}" ] || {
			echo "uoms does not complete ${t#uoms-}"
			false
		}
	done
}
