#!/usr/bin/env bats
# The five subcommand tools find their command in one table (lib/verb):
# a missing or unknown command is refused in the same words by each.

load helper

@test "no command: the same refusal from each subcommand tool" {
	for t in "uoms-channel:add, list, show, update, enable, disable, remove, keygen or rekey" \
	    "uoms-user:add, passwd, set, disable or list" \
	    "uoms-lock:acquire, renew, release, list, cleanup or run" \
	    "uoms-remark:add, edit or list" \
	    "uoms-hold:set, list, ack or resolve"; do
		tool=${t%%:*} verbs=${t#*:}
		run --separate-stderr "$tool"
		echo "$tool: status $status, stderr '$stderr'"
		[ "$status" -eq 2 ]
		[ -z "$output" ]
		[ "${stderr%%$'\n'*}" = "$tool: no command: $verbs" ]
		[[ "$stderr" == *$'\n'"usage: $tool "* ]]
		run --separate-stderr "$tool" frobnicate
		echo "$tool frobnicate: status $status, stderr '$stderr'"
		[ "$status" -eq 2 ]
		[ -z "$output" ]
		[ "${stderr%%$'\n'*}" = \
		    "$tool: unknown command 'frobnicate': $verbs" ]
		[[ "$stderr" == *$'\n'"usage: $tool "* ]]
	done
	no_store
}
