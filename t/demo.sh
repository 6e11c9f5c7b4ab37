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

step "move orders through the dispatch workflow"
uoms-query --status WAITING --department east --limit 5 |
	uoms-status --to IN_PROGRESS --note "left the depot" > "$dir/moved.jsonl"
echo "   $(wc -l < "$dir/moved.jsonl") east orders are IN_PROGRESS"
first=$(head -1 "$dir/moved.jsonl" | sed 's/^{"id":\([0-9]*\).*/\1/')
uoms-status --action complete "$first" > /dev/null
uoms-query --status WAITING --limit 2 | uoms-assign --driver 김기사 --phone 010-2222-3333 > /dev/null
uoms-remark add "$first" "고객 부재, 경비실에 맡김" > /dev/null
uoms-query --limit 300 --format table | head -1
uoms-query --status IN_PROGRESS,COMPLETE --format table | sed 1d

step "a stale version is refused, not lost: the order moved meanwhile"
uoms-query --id "$first" | sed 's/"version":[0-9]*/"version":1/' |
	uoms-status --to CANCEL || true

step "uoms-events --order $first: every change, in order"
uoms-events --order "$first"

step "a bad line is refused with where and why; the rest goes through"
{ gen-orders --start 300 --count 2
  echo '{"channel":"naver","external_order_id":"x1","shipping":{"postal_code":"1234"}}'
} | uoms-upsert --summary --reject "$dir/rejects.jsonl" > /dev/null || true
cat "$dir/rejects.jsonl"

printf '\nThe store is %s; try: UOMS_DB=%s uoms-query --format table\n' \
	"$UOMS_DB" "$UOMS_DB"
