#!/usr/bin/env bats
# The catalog per channel: the same SKU on two channels and in the shared
# catalog keeps each one's name, price and currency; each product's cost
# history (a later cost adds a row, a cost dated back leaves today's);
# prices, costs and unit prices below 0 refused; uoms-catalog's listings;
# fetched products filed under the channel they came from.
load helper

export UOMS_SECRET_KEY=00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff
TOKEN=tok-Catalog-5e1d

teardown() {
	fake_stop_all
}

# plain [ARGS...]: uoms-catalog ARGS as JSON lines, without the store's
# times (created_at, updated_at), which differ from run to run.
plain() {
	uoms-catalog "$@" | python3 -c '
import json, sys
for line in sys.stdin:
    v = json.loads(line)
    for k in ("created_at", "updated_at"):
        v.pop(k, None)
    print(json.dumps(v, ensure_ascii=False, separators=(",", ":")))'
}

# two_channels: SKU-1 in the shared catalog and on coupang and shop.
two_channels() {
	cat <<'EOF'
{"sku":"SKU-1","name":"사과","price":19000,"cost":12000,"currency":"KRW"}
{"channel":"coupang","sku":"SKU-1","name":"사과 1kg","price":18500,"cost":12500,"currency":"KRW"}
{"channel":"shop","sku":"SKU-1","name":"Apple","price":1500,"cost":900,"currency":"USD","origin":"Korea"}
EOF
}

@test "the same SKU on two channels keeps each one's name, price and currency, and the shared one" {
	two_channels >in.jsonl
	run --separate-stderr uoms-upsert --products --summary in.jsonl
	[ "$status" -eq 0 ]
	[ "$stderr" = "uoms-upsert: read 3, created 3, updated 0, unchanged 0, rejected 0" ]
	[ "$(printf '%s\n' "$output" | jget channel | tr '\n' ' ')" = ' coupang shop ' ]
	# Again: nothing overwrote anything, so nothing changes.
	run --separate-stderr uoms-upsert --products --summary in.jsonl
	[ "$stderr" = "uoms-upsert: read 3, created 0, updated 0, unchanged 3, rejected 0" ]
	plain >got
	cat >want <<'EOF'
{"channel":"","sku":"SKU-1","name":"사과","category":null,"price":19000,"cost":12000,"currency":"KRW","stock":null,"reserved":null,"available":null,"version":1}
{"channel":"coupang","sku":"SKU-1","name":"사과 1kg","category":null,"price":18500,"cost":12500,"currency":"KRW","stock":null,"reserved":null,"available":null,"version":1}
{"channel":"shop","sku":"SKU-1","name":"Apple","category":null,"price":1500,"cost":900,"currency":"USD","stock":null,"reserved":null,"available":null,"version":1,"origin":"Korea"}
EOF
	diff -u want got
	# One channel's change leaves the others as they were.
	echo '{"channel":"shop","sku":"SKU-1","price":1600}' |
	    uoms-upsert --products >/dev/null
	[ "$(uoms-catalog --channel shop | jget price)" = 1600 ]
	[ "$(uoms-catalog --shared | jget price)" = 19000 ]
	[ "$(uoms-catalog --channel '' | jget price)" = 19000 ]
	[ "$(uoms-catalog --channel coupang | jget price)" = 18500 ]
	# The events name the channel (the shared catalog's none).
	uoms-events | jget details >got
	printf '%s\n' '{"sku": "SKU-1"}' \
	    '{"channel": "coupang", "sku": "SKU-1"}' \
	    '{"channel": "shop", "sku": "SKU-1"}' \
	    '{"channel": "shop", "sku": "SKU-1", "changed": ["price"]}' >want
	diff -u want got
	# A record fed back is the same product, unchanged.
	run --separate-stderr sh -c 'uoms-catalog | uoms-upsert --products --summary'
	[ "$status" -eq 0 ]
	[[ "$stderr" == *"created 0, updated 0, unchanged 3, rejected 0" ]]
}

@test "a currency that is not ISO 4217's form is refused like an order's" {
	printf '%s\n' '{"sku":"A","currency":"usd"}' '{"sku":"B","currency":"USD"}' >in.jsonl
	run --separate-stderr uoms-upsert --products in.jsonl
	[ "$status" -eq 1 ]
	[ "$stderr" = "uoms-upsert: in.jsonl: line 1: invalid: currency 'usd' is not a 3-letter ISO 4217 code" ]
	[ "$(uoms-catalog | jget sku)" = B ]
}

@test "a cost changed later adds a second history row and leaves the first" {
	echo '{"channel":"shop","sku":"SKU-1","price":1500,"cost":900,"currency":"USD"}' |
	    uoms-upsert --products >/dev/null
	uoms-catalog --history >first
	[ "$(wc -l <first)" -eq 1 ]
	[ "$(jget cost <first)" = 900 ]
	[[ "$(jget valid_from <first)" =~ ^20[0-9-]+T[0-9:]+\.[0-9]{3}Z$ ]]
	# Neither a price change nor the same cost again adds a row.
	echo '{"channel":"shop","sku":"SKU-1","price":1700,"cost":900}' |
	    uoms-upsert --products >/dev/null
	[ "$(uoms-catalog --history | wc -l)" -eq 1 ]
	echo '{"channel":"shop","sku":"SKU-1","cost":1000}' |
	    uoms-upsert --products >out.jsonl
	[ "$(jget cost <out.jsonl) $(jget version <out.jsonl)" = "1000 3" ]
	uoms-catalog --history --channel shop --sku SKU-1 >history
	[ "$(jget cost <history | tr '\n' ' ')" = "900 1000 " ]
	# The first row is as it was.
	diff -u first <(head -1 history)
	[[ "$(sed -n 2p history | jget valid_from)" > "$(jget valid_from <first)" ]] ||
	    [ "$(sed -n 2p history | jget valid_from)" = "$(jget valid_from <first)" ]
}

@test "cost_from dates a cost back: it joins the history and leaves today's cost" {
	echo '{"sku":"SKU-1","price":19000,"cost":12000,"currency":"KRW"}' |
	    uoms-upsert --products >/dev/null
	printf '%s\n' \
	    '{"sku":"SKU-1","cost":11000,"cost_from":"2026-10-01T09:00:00+09:00"}' \
	    '{"sku":"SKU-1","cost":11500,"cost_from":"2026-11-01T00:00:00.25Z"}' >back.jsonl
	run --separate-stderr uoms-upsert --products --summary back.jsonl
	[ "$status" -eq 0 ]
	[ "$stderr" = "uoms-upsert: read 2, created 0, updated 2, unchanged 0, rejected 0" ]
	[ "$(printf '%s\n' "$output" | jget cost | sort -u)" = 12000 ]
	uoms-catalog --history >got
	[ "$(head -2 got)" = "$(printf '%s\n' \
	    '{"channel":"","sku":"SKU-1","valid_from":"2026-10-01T00:00:00.000Z","cost":11000}' \
	    '{"channel":"","sku":"SKU-1","valid_from":"2026-11-01T00:00:00.250Z","cost":11500}')" ]
	[ "$(sed -n 3p got | jget cost)" = 12000 ]
	[ "$(wc -l <got)" -eq 3 ]
	# The change is named; loading the same file again changes nothing.
	[ "$(uoms-events --type product_updated | jget details.changed | sort -u)" = '["cost_from"]' ]
	run --separate-stderr uoms-upsert --products --summary back.jsonl
	[ "$stderr" = "uoms-upsert: read 2, created 0, updated 0, unchanged 2, rejected 0" ]
	[ "$(uoms-catalog --history | wc -l)" -eq 3 ]
	# A new product loaded with last month's cost has that row only.
	echo '{"sku":"SKU-2","cost":500,"cost_from":"2026-11-01T00:00:00Z"}' |
	    uoms-upsert --products >out.jsonl
	[ "$(jget cost <out.jsonl)" = 500 ]
	[ "$(uoms-catalog --history --sku SKU-2)" = '{"channel":"","sku":"SKU-2","valid_from":"2026-11-01T00:00:00.000Z","cost":500}' ]
}

@test "a cost_from in the future, or without a cost, is refused with its line; the rest stored" {
	printf '%s\n' \
	    '{"sku":"A","cost":10,"cost_from":"2099-01-01T00:00:00Z"}' \
	    '{"sku":"B","cost_from":"2026-11-01T00:00:00Z"}' \
	    '{"sku":"C","cost":null,"cost_from":"2026-11-01T00:00:00Z"}' \
	    '{"sku":"D","cost":10,"cost_from":"yesterday"}' \
	    '{"sku":"E","cost":10}' >in.jsonl
	run --separate-stderr uoms-upsert --products --reject rej.jsonl in.jsonl
	[ "$status" -eq 1 ]
	printf '%s\n' \
	    "uoms-upsert: in.jsonl: line 1: invalid: cost_from '2099-01-01T00:00:00Z' is in the future" \
	    "uoms-upsert: in.jsonl: line 2: invalid: cost_from goes with a cost: the line has none" \
	    "uoms-upsert: in.jsonl: line 3: invalid: cost_from goes with a cost: the line has none" \
	    "uoms-upsert: in.jsonl: line 4: invalid: cost_from 'yesterday' is not an RFC 3339 time" >want
	printf '%s\n' "$stderr" >got
	diff -u want got
	[ "$(uoms-catalog | jget sku)" = E ]
	[ "$(uoms-catalog --history | jget sku)" = E ]
	[ "$(jget error.line <rej.jsonl | tr '\n' ' ')" = "1 2 3 4 " ]
	# A few seconds ahead (another clock) is taken.
	soon=$(date -u -d '+60 seconds' +%Y-%m-%dT%H:%M:%SZ)
	echo "{\"sku\":\"F\",\"cost\":7,\"cost_from\":\"$soon\"}" |
	    uoms-upsert --products >/dev/null
	[ "$(uoms-catalog --sku F | jget cost)" = 7 ]
}

@test "a price, cost or unit_price below 0 is refused, naming the member and its line; the rest stored" {
	printf '%s\n' \
	    '{"sku":"A","price":100,"cost":60}' \
	    '{"sku":"B","price":-1}' \
	    '{"channel":"shop","sku":"C","cost":-500}' \
	    '{"sku":"D","price":0,"cost":0}' >p.jsonl
	run --separate-stderr uoms-upsert --products p.jsonl
	[ "$status" -eq 1 ]
	printf '%s\n' \
	    "uoms-upsert: p.jsonl: line 2: invalid: price -1 is out of range (0 to 1000000000000000)" \
	    "uoms-upsert: p.jsonl: line 3: invalid: cost -500 is out of range (0 to 1000000000000000)" >want
	printf '%s\n' "$stderr" >got
	diff -u want got
	[ "$(uoms-catalog | jget sku | tr '\n' ' ')" = "A D " ]
	# An existing product's price does not go below 0 either.
	echo '{"sku":"A","price":-100}' | uoms-upsert --products >/dev/null || true
	[ "$(uoms-catalog --sku A | jget price)" = 100 ]
	# An item's unit_price.
	{
		order 100001
		order 100002 'items=[{"external_item_id":"x","sku":"SKU-1","quantity":1,"unit_price":-19000}]'
		order 100003 'items=[{"external_item_id":"x","sku":"SKU-1","quantity":1,"unit_price":0}]'
	} >o.jsonl
	run --separate-stderr uoms-upsert o.jsonl
	[ "$status" -eq 1 ]
	[ "$stderr" = "uoms-upsert: o.jsonl: line 2: invalid: items[0].unit_price -19000 is out of range (0 to 1000000000000000)" ]
	[ "$(uoms-query | jget external_order_id | sort | tr '\n' ' ')" = "100001 100003 " ]
}

@test "uoms-catalog lists by channel, by sku, the history, as jsonl, csv and a table" {
	two_channels | uoms-upsert --products >/dev/null
	printf '%s\n' '{"channel":"shop","sku":"SKU-2","name":"Pear, \"big\"","price":800,"cost":500,"currency":"USD","stock":3}' |
	    uoms-upsert --products >/dev/null
	[ "$(uoms-catalog | jget channel | tr '\n' ' ')" = " coupang shop shop " ]
	[ "$(uoms-catalog --channel shop | jget sku | tr '\n' ' ')" = "SKU-1 SKU-2 " ]
	[ "$(uoms-catalog --sku SKU-1 | jget channel | tr '\n' ' ')" = " coupang shop " ]
	[ "$(uoms-catalog --shared --sku SKU-1 | jget name)" = 사과 ]
	[ -z "$(uoms-catalog --channel nosuch)" ]
	[ "$(uoms-catalog --history --sku SKU-1 | jget cost | tr '\n' ' ')" = "12000 12500 900 " ]
	# csv: a header, then the columns (the times cut off here); unknown
	# members left out
	uoms-catalog --channel shop --format csv | tr -d '\r' |
	    sed 's/,[^,]*,[^,]*$//' >got
	cat >want <<'EOF'
channel,sku,name,category,price,cost,currency,stock,reserved,available,version
shop,SKU-1,Apple,,1500,900,USD,,,,1
shop,SKU-2,"Pear, ""big""",,800,500,USD,3,0,3,1
EOF
	diff -u want got
	[ "$(uoms-catalog --format csv | head -1 | od -c | grep -c '\\r')" -eq 1 ]
	uoms-catalog --history --channel coupang --format csv | tr -d '\r' |
	    sed 's/,20[0-9T:.-]*Z,/,TIME,/' >got
	printf '%s\n' channel,sku,valid_from,cost coupang,SKU-1,TIME,12500 >want
	diff -u want got
	# table: the shared catalog by name, numbers to the right
	run --separate-stderr uoms-catalog --format table
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	[ "${#lines[@]}" -eq 5 ]
	[[ "${lines[0]}" == "CHANNEL "*" SKU "*" NAME "*" PRICE "*" COST "*" STOCK "*" RESERVED "*" AVAILABLE" ]]
	[[ "${lines[1]}" == "(shared)"*"SKU-1"*"사과"*"KRW"*"19000"*"12000" ]]
	[[ "${lines[4]}" == "shop "*"SKU-2"*"USD"*"800"*"500"*" 3 "*" 0 "*" 3" ]]
	run --separate-stderr uoms-catalog --history --format table
	[[ "${lines[0]}" == "CHANNEL "*" SKU "*" VALID_FROM "*" COST" ]]
	[ "${#lines[@]}" -eq 5 ]
}

@test "uoms-catalog only reads: a missing store is refused, misuse is a usage error" {
	run --separate-stderr uoms-catalog -d nosuch.db
	[ "$status" -eq 3 ]
	[ -z "$output" ]
	[[ "$stderr" == "uoms-catalog: "*"nosuch.db"* ]]
	[ ! -e nosuch.db ]
	two_channels | uoms-upsert --products >/dev/null
	run --separate-stderr uoms-catalog --shared --channel shop
	[ "$status" -eq 2 ]
	[ -z "$output" ]
	[[ "${stderr_lines[0]}" == "uoms-catalog: --shared is the channel '', not 'shop'" ]]
	run --separate-stderr uoms-catalog --format svg
	[ "$status" -eq 2 ]
	[[ "${stderr_lines[0]}" == "uoms-catalog: --format: 'svg' is not jsonl, table or csv" ]]
	run --separate-stderr uoms-catalog SKU-1
	[ "$status" -eq 2 ]
	# Read-only: the listing wrote nothing.
	[ "$(uoms-events | wc -l)" -eq 3 ]
	# --shared and --channel '' are the same.
	[ "$(uoms-catalog --shared)" = "$(uoms-catalog --channel '' --shared)" ]
	# The front door knows it.
	run --separate-stderr uoms help
	[[ "$output" == *"  catalog  print each channel's products and their cost history"* ]]
	[ "$(uoms catalog --help)" = "$(uoms-catalog --help)" ]
}

@test "uoms-fetch --products lines carry their channel: the same SKUs on two channels are two catalogs" {
	fake_start jsonl_server.py --token "$TOKEN" --products 3
	for ch in shop inhouse; do
		echo "$TOKEN" | uoms-channel add "$ch" --kind http-jsonl \
		    --base-url "http://127.0.0.1:$PORT" --set path=/orders \
		    --set products_path=/products --secret token >/dev/null
	done
	run --separate-stderr uoms-fetch --products
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 6 ]
	printf '%s\n' "$output" >got
	[ "$(jget channel <got | sort | uniq -c | awk '{ print $1, $2 }' | tr '\n' ' ')" = "3 inhouse 3 shop " ]
	# The channel's name comes first, the line as served after it.
	grep -q '^{"channel":"shop","sku":"SKU-0001","name":"상품 1","price":1000}$' got
	run --separate-stderr uoms-upsert --products --summary got
	[ "$status" -eq 0 ]
	[ "$stderr" = "uoms-upsert: read 6, created 6, updated 0, unchanged 0, rejected 0" ]
	[ "$(uoms-catalog --sku SKU-0002 | jget channel | tr '\n' ' ')" = "inhouse shop " ]
	[ -z "$(uoms-catalog --shared)" ]
}

@test "uoms-fetch --products from the demo kind names the channel too" {
	uoms-channel add market --kind demo --set clock=2026-11-22T00:00:00Z >/dev/null
	uoms-fetch --products >got
	[ "$(wc -l <got)" -eq 200 ]
	[ "$(jget channel <got | sort -u)" = market ]
	uoms-upsert --products <got >/dev/null
	[ "$(uoms-catalog --channel market | wc -l)" -eq 200 ]
}

@test "uoms-catalog(1) EXAMPLES run" {
	unset UOMS_DB
	man_examples uoms-catalog.1
	[ -f ex5.sh ] && [ ! -f ex6.sh ]
	for f in ex1.sh ex2.sh ex3.sh ex4.sh ex5.sh; do
		run --separate-stderr sh -e "$f"
		echo "$f: status $status, stderr '$stderr'"
		[ "$status" -eq 0 ]
		[ -z "$stderr" ]
		printf '%s\n' "$output" >"$f.out"
	done
	grep -q '^shop ' ex2.sh.out
	grep -q '^shop,SKU-1,Apple,,1500,900,USD,' ex2.sh.out
	[ "$(jget cost <ex3.sh.out | tr '\n' ' ')" = "800 900 " ]
	# No product has a stock: none is running short.
	[ -z "$(cat ex4.sh.out)" ]
}
