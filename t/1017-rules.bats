#!/usr/bin/env bats
# Intake rules (uoms-rules(5)): each rule holds a crafted order once, with
# its reason and the values that fired it in the note, and leaves a clean
# order alone; a held order refuses a transition (on_hold); the same or a
# changed line never holds again; a bad rules file stops the tool (exit 3)
# naming file and line.
load helper

teardown() {
	serve_stop
}

# rules_conf [RULES-YAML]: a configuration naming rules.yaml (and a zones
# table) beside it; the rules are the sample below unless given.
rules_conf() {
	mkdir -p conf
	printf 'zones: zones.csv\nrules: rules.yaml\n' > conf/uoms.yaml
	printf 'match,zone,department\n06000-06999,gangnam,south\n' \
	    > conf/zones.csv
	if [ $# -gt 0 ]; then
		printf '%s\n' "$1" > conf/rules.yaml
	else
		cat > conf/rules.yaml <<'YAML'
# the intake section only; alerts are uoms-alert's
intake:
  missing_info:
    fields: [customer.name, customer.phone, shipping.address, shipping.postal_code]
  address_invalid: true
  fraud_suspected:
    amount_over: 3000000
    repeat: {orders: 2, within: 24h, by: [phone, address]}
    blocklist:
      phones: ["010 9999 9999"]
      emails: [" Bad@Example.COM "]
      addresses: ["  서울 강남구 Blocked 1 "]
alerts:
  hold_rate: {over: 0.2}
YAML
	fi
	export UOMS_CONFIG=$PWD/conf/uoms.yaml
}

# clean EXT [KEY=JSON...]: a complete order, its own phone and address.
clean() {
	local ext=$1
	shift
	order "$ext" "customer={\"name\":\"김\",\"phone\":\"010-5555-$((1000 + ext))\"}" \
	    "shipping={\"postal_code\":\"06236\",\"address\":\"서울 $ext\"}" "$@"
}

# holds_of REF: the order's holds, "reason|note|state|placed_by" a line.
holds_of() {
	uoms-query --id "$1" | python3 -c '
import json, sys
for h in json.loads(sys.stdin.readline())["holds"] or []:
    print("|".join([h["reason"], h["note"], h["state"], h["placed_by"]]))'
}

@test "a clean order: stored unheld; the line printed shows no holds" {
	rules_conf
	run --separate-stderr uoms-upsert <<<"$(clean 1)"
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	[ "$(jget holds <<<"$output")" = "[]" ]
	[ "$(jget version <<<"$output")" = 1 ]
	[ "$(sql "SELECT count(*) FROM holds")" = 0 ]
}

@test "missing_info: the members missing named in the hold's note" {
	rules_conf
	run --separate-stderr uoms-upsert <<<"$(clean 1 \
	    'customer={"name":"김"}' 'shipping={"postal_code":"06236","address":" "}')"
	[ "$status" -eq 0 ]
	[ "$(jget 'holds[0].reason' <<<"$output")" = missing_info ]
	[ "$(jget 'holds[0].note' <<<"$output")" = "missing: customer.phone; shipping.address" ]
	[ "$(jget 'holds[0].placed_by' <<<"$output")" = uoms-rules ]
	[ "$(jget holds <<<"$output" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')" = 1 ]
	[ "$(jget version <<<"$output")" = 2 ]
	# The hold, one version and one event by uoms-rules.
	[ "$(sql "SELECT type || ' ' || actor || ' ' || version FROM events
	    WHERE order_id = 1 ORDER BY id")" = "created tester 1
hold_placed uoms-rules 2" ]
	# No shipping at all: every member of it is missing.
	run uoms-upsert <<<"$(clean 2 shipping=absent)"
	[ "$(jget 'holds[0].note' <<<"$output")" = "missing: shipping.address; shipping.postal_code" ]
}

@test "missing_info with no list: the four members by default" {
	rules_conf $'intake:\n  missing_info:'
	run uoms-upsert <<<"$(clean 1 customer=absent)"
	[ "$(jget 'holds[0].note' <<<"$output")" = "missing: customer.name; customer.phone" ]
	run uoms-upsert <<<"$(clean 2)"
	[ "$(jget holds <<<"$output")" = "[]" ]
	# true is the same; false turns it off.
	rules_conf $'intake:\n  missing_info: true'
	run uoms-upsert <<<"$(clean 3 customer=absent)"
	[ "$(jget 'holds[0].note' <<<"$output")" = "missing: customer.name; customer.phone" ]
	rules_conf $'intake:\n  missing_info: false'
	run uoms-upsert <<<"$(clean 4 customer=absent)"
	[ "$(jget holds <<<"$output")" = "[]" ]
}

@test "address_invalid: a postal code in no zone; none at all is missing_info's" {
	rules_conf
	run uoms-upsert <<<"$(clean 1 'shipping={"postal_code":"99999","address":"어딘가"}')"
	[ "$(holds_of 1)" = "address_invalid|address: postal code '99999' is in no zone|open|uoms-rules" ]
	run uoms-upsert <<<"$(clean 2 'shipping={"address":"저기"}')"
	[ "$(holds_of 2)" = "missing_info|missing: shipping.postal_code|open|uoms-rules" ]
	run uoms-upsert <<<"$(clean 3 'shipping={"postal_code":"06999","address":"여기"}')"
	[ "$(holds_of 3)" = "" ]
}

@test "fraud_suspected: an amount over the threshold, not one at it" {
	rules_conf
	run uoms-upsert <<<"$(clean 1 total_amount=3500000)"
	[ "$(holds_of 1)" = "fraud_suspected|fraud: amount 3500000 > 3000000|open|uoms-rules" ]
	run uoms-upsert <<<"$(clean 2 total_amount=3000000)"
	[ "$(holds_of 2)" = "" ]
}

@test "fraud_suspected: blocklisted phone, e-mail and address, compared normalized" {
	rules_conf
	uoms-upsert <<<"$(clean 1 'customer={"name":"a","phone":"010-9999-9999"}')" >/dev/null
	[ "$(holds_of 1)" = "fraud_suspected|fraud: phone 010-9999-9999 is blocklisted|open|uoms-rules" ]
	uoms-upsert <<<"$(clean 2 'customer={"name":"a","phone":"010-5555-0002","email":"bad@example.com"}')" >/dev/null
	[ "$(holds_of 2)" = "fraud_suspected|fraud: email bad@example.com is blocklisted|open|uoms-rules" ]
	uoms-upsert <<<"$(clean 3 'shipping={"postal_code":"06236","address":"서울 강남구 BLOCKED 1"}')" >/dev/null
	[ "$(holds_of 3)" = "fraud_suspected|fraud: address '서울 강남구 BLOCKED 1' is blocklisted|open|uoms-rules" ]
	# Two heuristics at once: one hold naming both.
	uoms-upsert <<<"$(clean 4 total_amount=4000000 \
	    'customer={"name":"a","phone":"010-9999-9999"}')" >/dev/null
	[ "$(holds_of 4)" = "fraud_suspected|fraud: amount 4000000 > 3000000; phone 010-9999-9999 is blocklisted|open|uoms-rules" ]
	uoms-upsert <<<"$(clean 5 'customer={"name":"a","phone":"010-9999-9998","email":"good@example.com"}')" >/dev/null
	[ "$(holds_of 5)" = "" ]
}

@test "fraud_suspected: more than N orders to one phone or address within the window" {
	rules_conf
	uoms-upsert <<<"$(clean 1 'customer={"name":"a","phone":"010-7777-0000"}')" >/dev/null
	uoms-upsert <<<"$(clean 2 'customer={"name":"a","phone":"010-7777-0000"}')" >/dev/null
	[ "$(holds_of 1)$(holds_of 2)" = "" ]
	uoms-upsert <<<"$(clean 3 'customer={"name":"a","phone":"010-7777-0000"}')" >/dev/null
	[ "$(holds_of 3)" = "fraud_suspected|fraud: phone 010-7777-0000: 3 orders within 24h > 2|open|uoms-rules" ]
	# The address, in other case and spacing, is the same address.
	uoms-upsert <<<"$(clean 4 'shipping={"postal_code":"06236","address":"Seoul Tower 1"}')" >/dev/null
	uoms-upsert <<<"$(clean 5 'shipping={"postal_code":"06236","address":" seoul tower 1"}')" >/dev/null
	[ "$(holds_of 5)" = "" ]
	uoms-upsert <<<"$(clean 6 'shipping={"postal_code":"06236","address":"SEOUL TOWER 1 "}')" >/dev/null
	[ "$(holds_of 6)" = "fraud_suspected|fraud: address 'SEOUL TOWER 1 ': 3 orders within 24h > 2|open|uoms-rules" ]
	# Orders older than the window do not count.
	sql "UPDATE orders SET created_at = '2020-01-01T00:00:00Z'" >/dev/null
	uoms-upsert <<<"$(clean 7 'customer={"name":"a","phone":"010-7777-0000"}')" >/dev/null
	[ "$(holds_of 7)" = "" ]
}

@test "a held order refuses a transition with on_hold until its hold is resolved" {
	rules_conf
	uoms-upsert <<<"$(clean 1 total_amount=3500000)" >/dev/null
	run --separate-stderr uoms-status --to IN_PROGRESS 1
	[ "$status" -eq 1 ]
	[[ "$stderr" == *"on_hold"* ]]
	[ "$(sql "SELECT status FROM orders")" = WAITING ]
	# fraud_suspected: an admin's to resolve (uoms-hold(1)). Without the
	# configuration: uoms-hold reads it twice and leaks the first (ASan).
	admin boss
	UOMS_CONFIG= UOMS_ACTOR=boss uoms-hold resolve --all 1 >/dev/null
	run --separate-stderr uoms-status --to IN_PROGRESS 1
	[ "$status" -eq 0 ]
}

@test "the same line, or a changed one, never holds the order again" {
	rules_conf
	clean 1 total_amount=3500000 'customer={"name":"a","phone":"010-9999-9999"}' > line
	uoms-upsert < line >/dev/null
	run --separate-stderr uoms-upsert < line
	[ "$status" -eq 0 ]
	[ "$(jget version <<<"$output")" = 2 ]
	# Changed, still over: re-checked only when first stored.
	uoms-upsert <<<"$(clean 1 total_amount=3600000 channel_updated_at='"2026-11-21T10:00:00Z"' \
	    'customer={"name":"a","phone":"010-9999-9999"}')" >/dev/null
	[ "$(sql "SELECT count(*) FROM holds")" = 1 ]
	# Resolved, then the line again: still one hold, resolved.
	admin boss
	UOMS_CONFIG= UOMS_ACTOR=boss uoms-hold resolve --all 1 >/dev/null
	uoms-upsert < line >/dev/null
	[ "$(sql "SELECT count(*) || ' ' || min(state) FROM holds")" = "1 resolved" ]
}

@test "actor: the name holds are placed by; no rules file: no holds" {
	rules_conf $'intake:\n  actor: rules-bot\n  fraud_suspected:\n    amount_over: 10'
	run uoms-upsert <<<"$(clean 1)"
	[ "$(holds_of 1)" = "fraud_suspected|fraud: amount 38000 > 10|open|rules-bot" ]
	# A file with no intake: section holds nothing.
	rules_conf $'alerts:\n  backlog: 5'
	run uoms-upsert <<<"$(clean 2 total_amount=9999999 customer=absent)"
	[ "$(jget holds <<<"$output")" = "[]" ]
	printf 'zones: zones.csv\n' > conf/uoms.yaml
	run uoms-upsert <<<"$(clean 3 total_amount=9999999 customer=absent)"
	[ "$(jget holds <<<"$output")" = "[]" ]
}

@test "a rules file that does not parse, or says what no rule knows: exit 3 with file:line" {
	local cases=(
		$'intake:\n  - [|line 3, column 1: did not find expected node content'
		$'intake:\n  fraud_suspected:\n    amount_ovr: 3|line 3, column 5: fraud_suspected: no setting \'amount_ovr\''
		$'intake:\n  fraud_suspected:\n    amount_over: lots|line 3, column 18: amount_over: \'lots\' is not a whole number'
		$'intake:\n  stock: true|line 2, column 3: intake: no rule \'stock\''
		$'intake:\n  missing_info:\n    fields: [customer.shoe_size.left]|line 3, column 13: missing_info: \'customer.shoe_size.left\' is not'
		$'intake:\n  fraud_suspected:\n    repeat: {orders: 2, within: 1 week}|line 3, column 33: repeat.within: \'1 week\' is not a duration'
		$'intake:\n  fraud_suspected:\n    repeat: {orders: 2}|line 3, column 13: repeat: needs orders and within'
		$'intake:\n  address_invalid: maybe|line 2, column 20: address_invalid: not true or false'
		$'- just\n- a list|line 1, column 1: not a mapping'
	)
	local c
	for c in "${cases[@]}"; do
		rules_conf "${c%%|*}"
		run --separate-stderr uoms-upsert <<<"$(clean 1)"
		[ "$status" -eq 3 ]
		[ -z "$output" ]
		[[ "$stderr" == "uoms-upsert: $PWD/conf/rules.yaml: ${c#*|}"* ]] ||
		    { echo "case ${c%%|*}: $stderr"; false; }
	done
	no_store || [ "$(sql "SELECT count(*) FROM orders")" = 0 ]
	# address_invalid needs the zones table.
	rules_conf $'intake:\n  address_invalid: true'
	printf 'rules: rules.yaml\n' > conf/uoms.yaml
	run --separate-stderr uoms-upsert <<<"$(clean 1)"
	[ "$status" -eq 3 ]
	[[ "$stderr" == *"rules.yaml: line 2, column 3: address_invalid: needs a zones table"* ]]
	# uoms-serve (its webhooks store orders) reads it too.
	run --separate-stderr uoms-serve --listen 127.0.0.1:0
	[ "$status" -eq 3 ]
	[[ "$stderr" == *"address_invalid: needs a zones table"* ]]
}

@test "uoms-rules(5) EXAMPLES run" {
	engine_only sqlite "the examples' store is the file beside them"
	unset UOMS_DB
	man_examples uoms-rules.5
	local f
	for f in $(ls ex*.sh | sort -V); do
		sh "$f"
	done
	[ -s uoms.db ]
}

@test "the shipped etc/rules.yaml holds nothing; uncommented, every rule reads" {
	rules_conf
	cp "$SRC/etc/rules.yaml" conf/rules.yaml
	run --separate-stderr uoms-upsert <<<"$(clean 1 total_amount=9999999 customer=absent)"
	[ "$status" -eq 0 ]
	[ "$(jget holds <<<"$output")" = "[]" ]
	sed -E 's/^  #([a-z_]+:|  )/  \1/' "$SRC/etc/rules.yaml" > conf/rules.yaml
	run --separate-stderr uoms-upsert <<<"$(clean 2 total_amount=9999999 customer=absent)"
	[ "$status" -eq 0 ]
	[ "$(holds_of 2)" = "missing_info|missing: customer.name; customer.phone|open|uoms-rules
fraud_suspected|fraud: amount 9999999 > 3000000|open|uoms-rules" ]
}

@test "a channel's webhook stores its order held, as uoms-upsert would" {
	export UOMS_SECRET_KEY=00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff
	export UOMS_JWT_KEY=1017abcdef0123456789abcdef0123456789
	rules_conf $'intake:\n  fraud_suspected:\n    amount_over: 100'
	# The fake Shopify's first order, as its webhook carries it.
	python3 - "$SRC/t/fake" >1.json <<'PY'
import importlib, json, sys
sys.path.insert(0, sys.argv[1])
o = importlib.import_module("shopify_server").generated(1)[0]
print(json.dumps(o, ensure_ascii=False))
PY
	printf '%s\n%s\n' shpat_1017 whsec_1017 | uoms-channel add shop1 \
	    --kind shopify --base-url http://127.0.0.1:9 \
	    --secret access_token --secret webhook_secret >/dev/null
	serve_start
	run curl -s -o resp.body -w '%{http_code}' -X POST \
	    -H 'Content-Type: application/json' -H 'X-Shopify-Topic: orders/updated' \
	    -H "X-Shopify-Hmac-Sha256: $(openssl dgst -sha256 -hmac whsec_1017 \
	    -binary <1.json | base64 -w0)" --data-binary @1.json \
	    "$SERVE_URL/hooks/shopify/shop1"
	[ "$output" = 200 ] || { cat resp.body; false; }
	[ "$(holds_of "$(jget id <resp.body)")" = "fraud_suspected|fraud: amount 19000 > 100|open|uoms-rules" ]
}

@test "an order whose JSON jsonb and jansson refuse (a lone surrogate) is stored, not held on a guess" {
	rules_conf
	run --separate-stderr uoms-upsert <<<'{"channel":"coupang","external_order_id":"1","customer":{"name":"a\ud800b","phone":"010-7777-0001"},"shipping":{"postal_code":"06236","address":"서울 1"}}'
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	[ "$(jget holds <<<"$output")" = "[]" ]
}

# rules_indexes: the names of the repeat counts' indexes the store has.
rules_indexes() {
	if engine_is pg; then
		sql "SELECT indexname FROM pg_indexes WHERE tablename = 'orders'
		    AND schemaname = current_schema()
		    AND indexname LIKE 'orders_rules_%' ORDER BY 1"
	else
		sql "SELECT name FROM sqlite_master WHERE type = 'index'
		    AND name LIKE 'orders_rules_%' ORDER BY 1"
	fi
}

# Issue 14 (a fresh ingest): every new order paid for the repeat counts'
# two indexes, rules or none; they are made when a repeat rule first counts.
@test "the repeat counts' indexes: none in a store without a repeat rule, made by the first count, and counted by after a rollback" {
	orders 3 | uoms-upsert >/dev/null
	[ -z "$(rules_indexes)" ]
	rules_conf 'intake:
  fraud_suspected:
    amount_over: 3000000'
	clean 10 | uoms-upsert >/dev/null
	[ -z "$(rules_indexes)" ]
	rules_conf
	# All or nothing, refused: what the count made goes with the rest.
	{
		clean 11 'customer={"name":"a","phone":"010-7777-0001"}'
		echo '{"channel":"coupang"}'
	} >atomic.jsonl
	run --separate-stderr uoms-upsert --atomic atomic.jsonl
	[ "$status" -eq 1 ]
	[ -z "$(rules_indexes)" ]
	for i in 12 13 14; do
		clean "$i" 'customer={"name":"a","phone":"010-7777-0002"}'
	done | uoms-upsert >out.jsonl
	[ "$(rules_indexes | tr '\n' ' ')" = "orders_rules_address orders_rules_phone " ]
	[ "$(holds_of "$(tail -n 1 out.jsonl | jget id)")" = "fraud_suspected|fraud: phone 010-7777-0002: 3 orders within 24h > 2|open|uoms-rules" ]
}
