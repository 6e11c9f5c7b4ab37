#!/usr/bin/env bats
# uoms-fetch, where an incremental fetch starts: a time from the future
# (a channel's clock, a typo) does not move it, and a fetch that failed
# half-way does not move it either, so the next one reads what was missed.
# Channels are http-jsonl against t/fake/jsonl_server.py, whose orders
# change from 2026-11-21T00:06:00Z, one a minute.
load helper

export UOMS_SECRET_KEY=00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff
TOKEN=tok-Secret-7f3a9c

teardown() {
	fake_stop_all
}

# jsonl: the channel 'inhouse' on the last server started; it goes back
# far enough (backfill, in hours) to reach the fake server's orders.
jsonl() {
	echo "$TOKEN" | uoms-channel add inhouse --kind http-jsonl \
	    --base-url "http://127.0.0.1:$PORT" --set path=/orders \
	    --set backfill=100000 --secret token >/dev/null
}

# stored: the external ids of the stored orders, sorted.
stored() {
	sql 'SELECT external_order_id FROM orders ORDER BY 1'
}

@test "a change time from the future does not move the start: the next fetch still reads new orders" {
	fake_start jsonl_server.py --token "$TOKEN" --orders 5
	jsonl
	run --separate-stderr sh -c 'uoms-fetch | uoms-upsert'
	[ "$status" -eq 0 ]
	[ "$(stored | wc -l)" = 5 ]
	# A typo on the channel: an order changed in 2099.
	uoms-fetch --channel inhouse --since 2026-11-21 | head -1 |
	    sed 's/"J000001"/"J999999"/; s/"channel_updated_at":"[^"]*"/"channel_updated_at":"2099-01-01T00:00:00Z"/' |
	    uoms-upsert >/dev/null
	[ "$(sql "SELECT channel_updated_at FROM orders WHERE external_order_id = 'J999999'")" = 2099-01-01T00:00:00Z ]
	# Three new orders on the channel.
	fake_start jsonl_server.py --token "$TOKEN" --orders 8
	uoms-channel update inhouse --base-url "http://127.0.0.1:$PORT" >/dev/null
	run --separate-stderr uoms-fetch
	[ "$status" -eq 0 ]
	[ -n "$output" ]
	echo "$output" | jget external_order_id >got
	grep -qx J000006 got
	grep -qx J000007 got
	grep -qx J000008 got
	# Said on stderr, with the order, as a warning.
	[[ "$stderr" == *"uoms-fetch: channel inhouse: order 'J999999' changed at 2099-01-01T00:00:00Z, more than 300 s ahead of the clock"* ]]
	[ "$(grep -c J999999 <<<"$stderr")" = 1 ]
}

@test "a time within the allowed skew still moves the start" {
	fake_start jsonl_server.py --token "$TOKEN" --orders 5
	jsonl
	uoms-fetch | uoms-upsert >/dev/null
	soon=$(date -u -d '+2 minutes' +%Y-%m-%dT%H:%M:%SZ)
	uoms-fetch --channel inhouse --since 2026-11-21 | head -1 |
	    sed "s/\"J000001\"/\"J999999\"/; s/\"channel_updated_at\":\"[^\"]*\"/\"channel_updated_at\":\"$soon\"/" |
	    uoms-upsert >/dev/null
	run --separate-stderr uoms-fetch
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	[ -z "$output" ]
}

@test "a fetch that fails on page 2 of 3 loses nothing: the next one reads pages 2 and 3" {
	# Newest first, 10 a page: page 1 holds the newest orders, so the
	# store's newest change after the failed run is past pages 2 and 3.
	# Requests 2 and 3 (page 2 and its one retry) fail.
	fake_start jsonl_server.py --token "$TOKEN" --orders 30 --per-page 10 \
	    --newest-first --fail 2-3:500
	jsonl
	printf 'fetch_retries: 1\nfetch_overlap: 60\n' >uoms.yaml
	run --separate-stderr bash -o pipefail -c \
	    'uoms-fetch -c uoms.yaml | uoms-upsert'
	[ "$status" -ne 0 ]
	[[ "$stderr" == *"channel inhouse: HTTP 500"* ]]
	[ "$(stored | wc -l)" = 10 ]
	run --separate-stderr sh -c 'uoms-fetch -c uoms.yaml | uoms-upsert'
	[ "$status" -eq 0 ]
	seq -f 'J%06g' 1 30 >want
	stored | diff -u want -
	# Every page read: the next fetch starts from the newest change,
	# less the overlap, as before.
	run --separate-stderr uoms-fetch -c uoms.yaml
	[ "$status" -eq 0 ]
	[ "$(echo "$output" | jget external_order_id)" = J000030 ]
}

@test "neither --since past the watermark nor --dry-run moves it forward" {
	fake_start jsonl_server.py --token "$TOKEN" --orders 30 --per-page 10 \
	    --newest-first --fail 2-3:500
	jsonl
	printf 'fetch_retries: 1\nfetch_overlap: 60\n' >uoms.yaml
	run --separate-stderr bash -o pipefail -c \
	    'uoms-fetch -c uoms.yaml | uoms-upsert'
	[ "$status" -ne 0 ]
	[ "$(stored | wc -l)" = 10 ]
	# A window after the watermark, read whole: what is before it was
	# still not read.
	run --separate-stderr bash -o pipefail -c \
	    'uoms-fetch -c uoms.yaml --since 2026-11-21T00:30:00Z | uoms-upsert'
	[ "$status" -eq 0 ]
	uoms-fetch -c uoms.yaml --dry-run >/dev/null
	run --separate-stderr bash -o pipefail -c \
	    'uoms-fetch -c uoms.yaml | uoms-upsert'
	[ "$status" -eq 0 ]
	seq -f 'J%06g' 1 30 >want
	stored | diff -u want -
}
