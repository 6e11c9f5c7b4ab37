#!/usr/bin/env bats
# uoms-upsert --products: product lines keyed by (channel, sku), versioned
# like orders; a line without channel is the shared catalog (channel "").
# Channels, currencies and cost history: t/1011-catalog.bats.
load helper

products() {
	cat <<'EOF'
{"sku":"SKU-1","name":"사과","category":"fruit","price":19000,"cost":12000,"stock":40}
{"sku":"SKU-2","name":"배","category":"fruit","price":25000,"cost":15000,"stock":0,"origin":"나주"}
{"sku":"SKU-3","name":"쌀 10kg","category":"grain","price":32000,"cost":null,"stock":7}
EOF
}

# strip_product: drop what the store assigns, and the shared channel and
# no currency that lines without them get; sort keys.
strip_product() {
	python3 -c '
import json, sys
for line in sys.stdin:
    v = json.loads(line)
    for k in ("version", "created_at", "updated_at"):
        v.pop(k, None)
    if v.get("channel", 0) == "":
        del v["channel"]
    if "currency" in v and v["currency"] is None:
        del v["currency"]
    print(json.dumps(v, ensure_ascii=False, sort_keys=True))'
}

@test "product lines are stored by sku and printed back" {
	products >in.jsonl
	run --separate-stderr uoms-upsert --products --summary in.jsonl
	[ "$status" -eq 0 ]
	[ "$stderr" = "uoms-upsert: read 3, created 3, updated 0, unchanged 0, rejected 0" ]
	printf '%s\n' "$output" >out.jsonl
	strip_product <in.jsonl >want
	strip_product <out.jsonl >got
	diff -u want got
	[ "$(jget version <out.jsonl | sort -u)" = 1 ]
	[ "$(sql 'select sku, price, stock, version from products order by sku')" = "$(printf 'SKU-1|19000|40|1\nSKU-2|25000|0|1\nSKU-3|32000|7|1')" ]
	[ "$(sql "select extra from products where sku = 'SKU-2'")" = '{"origin":"나주"}' ]
	[ "$(sql 'select count(*) from orders')" -eq 0 ]
	sql "select type, version, details from events order by id" >got
	printf '%s\n' 'product_created|1|{"sku":"SKU-1"}' 'product_created|1|{"sku":"SKU-2"}' 'product_created|1|{"sku":"SKU-3"}' >want
	diff -u want got
}

@test "the same products again are unchanged: version stays 1, no event" {
	products | uoms-upsert --products >first.jsonl
	run --separate-stderr uoms-upsert --products --summary < <(products)
	[ "$status" -eq 0 ]
	[ "$stderr" = "uoms-upsert: read 3, created 0, updated 0, unchanged 3, rejected 0" ]
	printf '%s\n' "$output" >second.jsonl
	diff -u first.jsonl second.jsonl
	[ "$(sql 'select group_concat(version) from products')" = 1,1,1 ]
	[ "$(sql 'select count(*) from events')" -eq 3 ]
	# and its own output fed back is unchanged too
	run --separate-stderr uoms-upsert --products --summary first.jsonl
	[ "$stderr" = "uoms-upsert: read 3, created 0, updated 0, unchanged 3, rejected 0" ]
	[ "$(sql 'select count(*) from events')" -eq 3 ]
}

@test "a changed price bumps the version and adds one product_updated event" {
	products | uoms-upsert --products >/dev/null
	products | sed 's/"price":25000/"price":27000/' >changed.jsonl
	run --separate-stderr uoms-upsert --products --summary changed.jsonl
	[ "$status" -eq 0 ]
	[ "$stderr" = "uoms-upsert: read 3, created 0, updated 1, unchanged 2, rejected 0" ]
	[ "$(printf '%s\n' "$output" | jget version | tr '\n' ' ')" = "1 2 1 " ]
	[ "$(printf '%s\n' "$output" | jget price | tr '\n' ' ')" = "19000 27000 32000 " ]
	[ "$(sql "select price, version from products where sku = 'SKU-2'")" = "27000|2" ]
	[ "$(sql 'select count(*) from events')" -eq 4 ]
	[ "$(sql 'select type, version from events where id = 4')" = "product_updated|2" ]
	[ "$(sql 'select details from events where id = 4' | jget sku)" = SKU-2 ]
	[ "$(sql 'select details from events where id = 4' | jget changed)" = '["price"]' ]
	[ "$(sql 'select order_id is null from events where id = 4')" = 1 ]
}

@test "a partial product line changes only what it carries" {
	products | uoms-upsert --products >/dev/null
	echo '{"sku":"SKU-1","stock":39}' | uoms-upsert --products >out.jsonl
	[ "$(jget stock <out.jsonl)" = 39 ]
	[ "$(jget version <out.jsonl)" = 2 ]
	products | head -1 | sed 's/"stock":40/"stock":39/' | strip_product >want
	strip_product <out.jsonl >got
	diff -u want got
	[ "$(sql 'select details from events where id = 4' | jget changed)" = '["stock"]' ]
}

@test "invalid products are refused with their line numbers, the rest stored" {
	{
		echo '{"sku":"SKU-1","name":"사과","price":19000}'
		echo '{"sku":"SKU-2","name":"배","price":"x"}'
		echo '{"name":"no sku","price":100}'
		echo '{"sku":"SKU-4","cost":1.5}'
		echo '{"sku":"","price":1}'
		echo '["SKU-6"]'
		echo '{"sku":"SKU-7","stock":3}'
	} >in.jsonl
	run --separate-stderr uoms-upsert --products --summary --reject rej.jsonl in.jsonl
	[ "$status" -eq 1 ]
	printf '%s\n' \
	    "uoms-upsert: in.jsonl: line 2: invalid: price must be a whole number, not text" \
	    "uoms-upsert: in.jsonl: line 3: invalid: sku is required" \
	    "uoms-upsert: in.jsonl: line 4: invalid: cost must be a whole number, not real" \
	    "uoms-upsert: in.jsonl: line 5: invalid: sku is empty" \
	    "uoms-upsert: in.jsonl: line 6: invalid: line is a JSON array, not an object" \
	    "uoms-upsert: read 7, created 2, updated 0, unchanged 0, rejected 5" >want
	printf '%s\n' "$stderr" >got
	diff -u want got
	[ "$(printf '%s\n' "$output" | jget sku | tr '\n' ' ')" = "SKU-1 SKU-7 " ]
	[ "$(sql 'select group_concat(sku) from products')" = SKU-1,SKU-7 ]
	[ "$(jget error.line <rej.jsonl | tr '\n' ' ')" = "2 3 4 5 6 " ]
	[ "$(jget error.code <rej.jsonl | sort -u)" = invalid ]
	[ "$(sed -n 1p rej.jsonl | jget price)" = x ]
}

@test "a product line is not an order, an order line is not a product" {
	order 100001 >order.jsonl
	run --separate-stderr uoms-upsert --products order.jsonl
	[ "$status" -eq 1 ]
	[[ "$stderr" == *"line 1: invalid: sku is required"* ]]
	products >p.jsonl
	run --separate-stderr uoms-upsert p.jsonl
	[ "$status" -eq 1 ]
	[ "${#stderr_lines[@]}" -eq 3 ]
	[[ "${stderr_lines[0]}" == *"line 1: invalid: channel is required" ]]
	[ "$(sql 'select count(*) from orders') $(sql 'select count(*) from products')" = "0 0" ]
}

@test "--products --atomic with a bad line stores no product" {
	{ products; echo '{"sku":"SKU-9","price":1.5}'; } >in.jsonl
	run --separate-stderr uoms-upsert --products --atomic in.jsonl
	[ "$status" -eq 1 ]
	[ -z "$output" ]
	[[ "$stderr" == *"nothing stored"* ]]
	[ "$(sql 'select count(*) from products')" -eq 0 ]
	[ "$(sql 'select count(*) from events')" -eq 0 ]
}

@test "--products with --keep-raw is a usage error" {
	run --separate-stderr uoms-upsert --products --keep-raw /dev/null
	[ "$status" -eq 2 ]
	[ -z "$output" ]
	[[ "$stderr" == *"--keep-raw"* ]]
}
