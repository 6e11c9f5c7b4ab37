#!/bin/sh
# make demo: sample orders into a fresh store, shown as people see them.
set -e
dir=$(mktemp -d "${TMPDIR:-/tmp}/uoms-demo.XXXXXX")
export UOMS_DB="$dir/uoms.db" UOMS_ACTOR=demo
step() { printf '\n== %s\n' "$*"; }

step "generate 300 sample orders (Korean customers, 5 channels, 4 departments)"
gen-orders --count 300 > "$dir/orders.jsonl"
gen-orders --products > "$dir/products.jsonl"
head -c 400 "$dir/orders.jsonl"; echo ...

step "uoms-upsert --summary orders.jsonl   (into a fresh store: $UOMS_DB)"
uoms-upsert --summary "$dir/orders.jsonl" > /dev/null
uoms-upsert --products --summary "$dir/products.jsonl" > /dev/null

step "uoms-query --limit 12 --format table --tz Asia/Seoul"
uoms-query --limit 12 --format table --tz Asia/Seoul

step "uoms-query --department east --channel coupang --format csv | head -4"
uoms-query --department east --channel coupang --format csv | head -4

step "upsert the same file again: nothing changes, no version moves"
uoms-upsert --summary "$dir/orders.jsonl" > /dev/null

step "the channel updated its first 60 orders (revision 1): only those change"
gen-orders --count 60 --revision 1 | uoms-upsert --summary > /dev/null
sqlite3 "$UOMS_DB" "SELECT type, count(*) FROM events GROUP BY type" |
	sed 's/^/   events: /'

step "a bad line is refused with where and why; the rest goes through"
{ gen-orders --start 300 --count 2
  echo '{"channel":"naver","external_order_id":"x1","shipping":{"postal_code":"1234"}}'
} | uoms-upsert --summary --reject "$dir/rejects.jsonl" > /dev/null || true
cat "$dir/rejects.jsonl"

printf '\nThe store is %s; try: UOMS_DB=%s uoms-query --format table\n' \
	"$UOMS_DB" "$UOMS_DB"
