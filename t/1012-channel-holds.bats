#!/usr/bin/env bats
# channel_holds (uoms(7), channel sync): the channel's open requests hold
# an order. A new key places one hold by channel:NAME; a key the channel
# stops reporting resolves its hold; a key whose hold an operator
# resolved never holds again; no member changes nothing; [] ends them
# all; an older line changes nothing. Lines are replayed three times.
load helper

# ch TIME [HOLDS] [KEY=JSON...]: the channel's line for coupang:100001 at
# 2026-11-21TTIME:00Z, with channel_holds HOLDS (a JSON array) unless
# HOLDS is 'absent'.
ch() {
	local t=$1 h=${2:-absent}
	shift 2 || shift
	order 100001 channel_updated_at="\"2026-11-21T$t:00Z\"" \
	    channel_holds="$h" "$@"
}

# upsert3 LINE SUMMARY: upsert LINE three times; the first says SUMMARY
# (created C, updated U, unchanged N), the others that nothing changed.
upsert3() {
	local i want=$2
	for i in 1 2 3; do
		run --separate-stderr uoms-upsert --summary <<<"$1"
		[ "$status" -eq 0 ]
		[ "$stderr" = "uoms-upsert: read 1, $want, rejected 0" ]
		want="created 0, updated 0, unchanged 1"
	done
}

# holds STATE: the order's holds in STATE, as "placed_by|note" lines.
holds() {
	uoms-hold list --state "$1" | python3 -c '
import json, sys
for l in sys.stdin:
    h = json.loads(l)
    print("%s|%s|%s" % (h["placed_by"], h["note"], h["operator_note"]))'
}

stop='{"key":"coupang:stop:7","note":"Coupang ship-stop request 7: customer cancelled"}'
ret='{"key":"coupang:return:8","note":"Coupang return request 8"}'

@test "a new request holds the order once, by the channel, with its note" {
	upsert3 "$(ch 09:15 "[$stop]")" "created 1, updated 0, unchanged 0"
	[ "$(holds open)" = "channel:coupang|Coupang ship-stop request 7: customer cancelled|None" ]
	[ "$(uoms-query --id 1 | jget version)" = 2 ]
	uoms-events --order 1 --type hold_placed >ev
	[ "$(wc -l <ev)" = 1 ]
	[ "$(jget actor <ev)" = channel:coupang ]
	[ "$(jget details.key <ev)" = coupang:stop:7 ]
	[ "$(jget details.reason <ev)" = other ]
	# A later line still naming it places nothing more.
	upsert3 "$(ch 10:00 "[$stop]")" "created 0, updated 1, unchanged 0"
	[ "$(uoms-hold list | wc -l)" = 1 ]
}

@test "a request on a stored order holds it; the held order refuses a status move" {
	uoms-upsert <<<"$(ch 09:15 '[]')" >/dev/null
	upsert3 "$(ch 10:00 "[$stop]")" "created 0, updated 1, unchanged 0"
	run --separate-stderr uoms-status --to IN_PROGRESS 1
	[ "$status" -eq 1 ]
	[[ $stderr == *"on_hold"* ]]
	[ "$(uoms-query --id 1 | jget status)" = WAITING ]
	[ "$(uoms-query --on-hold | jget id)" = 1 ]
}

@test "a request that ends resolves its hold, by the channel, and the order moves again" {
	uoms-upsert <<<"$(ch 09:15 "[$stop,$ret]")" >/dev/null
	[ "$(holds open | wc -l)" = 2 ]
	upsert3 "$(ch 10:00 "[$ret]")" "created 0, updated 1, unchanged 0"
	[ "$(holds resolved)" = "channel:coupang|Coupang ship-stop request 7: customer cancelled|the channel's request ended" ]
	[ "$(holds open)" = "channel:coupang|Coupang return request 8|None" ]
	uoms-events --order 1 --type hold_resolved >ev
	[ "$(wc -l <ev)" = 1 ]
	[ "$(jget actor <ev)" = channel:coupang ]
	[ "$(jget details.key <ev)" = coupang:stop:7 ]
	run ! uoms-status --to IN_PROGRESS 1
	upsert3 "$(ch 10:30 '[]')" "created 0, updated 1, unchanged 0"
	[ "$(holds open)" = "" ]
	uoms-status --to IN_PROGRESS 1 >/dev/null
	[ "$(uoms-query --id 1 | jget status)" = IN_PROGRESS ]
}

@test "[] ends every request at once" {
	uoms-upsert <<<"$(ch 09:15 "[$stop,$ret]")" >/dev/null
	upsert3 "$(ch 10:00 '[]')" "created 0, updated 1, unchanged 0"
	[ "$(holds resolved | wc -l)" = 2 ]
	[ "$(holds open | wc -l)" = 0 ]
	[ "$(uoms-events --order 1 --type hold_resolved | wc -l)" = 2 ]
}

@test "a line without channel_holds changes no hold" {
	uoms-upsert <<<"$(ch 09:15 "[$stop]")" >/dev/null
	upsert3 "$(ch 10:00 absent total_amount=40000)" "created 0, updated 1, unchanged 0"
	[ "$(holds open | wc -l)" = 1 ]
	[ "$(uoms-query --id 1 | jget total_amount)" = 40000 ]
	# The request was still open to the channel: [] later ends it.
	uoms-upsert <<<"$(ch 10:30 '[]')" >/dev/null
	[ "$(holds open | wc -l)" = 0 ]
	# And an order never given any: none placed, none resolved.
	upsert3 "$(order 200002)" "created 1, updated 0, unchanged 0"
	[ "$(uoms-hold list | wc -l)" = 1 ]
}

@test "a request whose hold an operator resolved never holds again" {
	uoms-upsert <<<"$(ch 09:15 "[$stop]")" >/dev/null
	uoms-hold resolve --all --note "called the customer: ship it" 1 >/dev/null
	upsert3 "$(ch 10:00 "[$stop]")" "created 0, updated 1, unchanged 0"
	[ "$(holds open | wc -l)" = 0 ]
	# Its end, later, resolves nothing more; its return neither.
	uoms-upsert <<<"$(ch 10:30 '[]')" >/dev/null
	upsert3 "$(ch 11:00 "[$stop]")" "created 0, updated 1, unchanged 0"
	[ "$(holds open | wc -l)" = 0 ]
	[ "$(holds resolved)" = "channel:coupang|Coupang ship-stop request 7: customer cancelled|called the customer: ship it" ]
	[ "$(uoms-events --order 1 --type hold_placed | wc -l)" = 1 ]
	[ "$(uoms-events --order 1 --type hold_resolved | wc -l)" = 1 ]
	uoms-status --to IN_PROGRESS 1 >/dev/null
}

@test "an older line changes no hold" {
	uoms-upsert <<<"$(ch 10:00 "[$stop]")" >/dev/null
	upsert3 "$(ch 09:00 '[]')" "created 0, updated 0, unchanged 1"
	[ "$(holds open | wc -l)" = 1 ]
	upsert3 "$(ch 09:30 "[$stop,$ret]")" "created 0, updated 0, unchanged 1"
	[ "$(uoms-hold list | wc -l)" = 1 ]
}

@test "the line that ends a cancel request and cancels moves the order; one that brings a request does not" {
	uoms-upsert <<<"$(ch 09:15 "[$stop]")" >/dev/null
	upsert3 "$(ch 10:00 '[]' status='"CANCEL"')" "created 0, updated 1, unchanged 0"
	[ "$(uoms-query --id 1 | jget status)" = CANCEL ]
	[ "$(uoms-events --order 1 --type channel_drift | wc -l)" = 0 ]
	# A new request with a move: held, the move not followed.
	uoms-upsert <<<"$(order 200002 channel_holds='[]')" >/dev/null
	uoms-upsert <<<"$(order 200002 channel_updated_at='"2026-11-21T10:00:00Z"' \
	    status='"IN_PROGRESS"' channel_holds="[$ret]")" >/dev/null
	[ "$(uoms-query --id 2 | jget status)" = WAITING ]
	[ "$(uoms-query --id 2 | jget holds[0].note)" = "Coupang return request 8" ]
}

@test "a request without a note is named by its key; keys and notes count characters" {
	k=$(python3 -c 'print("k" * 128)')
	n=$(python3 -c 'print("가" * 500)')
	upsert3 "$(ch 09:15 "[{\"key\":\"coupang:cancel:9\"},{\"key\":\"$k\",\"note\":\"$n\"}]")" \
	    "created 1, updated 0, unchanged 0"
	holds open | sort >got
	printf '%s\n' "channel:coupang|$n|None" \
	    "channel:coupang|the channel's request coupang:cancel:9|None" | sort >want
	diff -u want got
}

@test "a bad channel_holds refuses its line, naming the member; the other lines go on" {
	while IFS='|' read -r holds why; do
		{
			order 300001
			ch 09:15 "$holds"
			order 300002
		} >in
		run --separate-stderr uoms-upsert --reject rej in
		[ "$status" -eq 1 ] || { echo "$holds: $status"; false; }
		[ "$(grep -c . <<<"$output")" = 2 ]
		[[ $stderr == *"line 2: invalid: $why"* ]] || { echo "$holds: $stderr"; false; }
		[ "$(jget error.message <rej)" = "$why" ]
		store_reset
		rm -f rej
	done <"$SRC/t/data/upsert-channel-holds-invalid.txt"
}
