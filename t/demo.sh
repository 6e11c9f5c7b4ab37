#!/bin/sh
# make demo: sample orders into a fresh store, shown as people see them.
set -e
dir=$(mktemp -d "${TMPDIR:-/tmp}/uoms-demo.XXXXXX")
export UOMS_DB="$dir/uoms.db" UOMS_ACTOR=demo
step() { printf '\n== %s\n' "$*"; }

step "uoms-channel add demo --kind demo   (the built-in channel: no network)"
uoms-channel add demo --kind demo > /dev/null
echo "   store: $UOMS_DB"

step "uoms-fetch --channel demo | uoms-upsert --summary   (a day of orders)"
uoms-fetch --channel demo | uoms-upsert --summary > /dev/null
gen-orders --products | uoms-upsert --products > /dev/null

step "uoms-query --limit 12 --format table --tz Asia/Seoul"
uoms-query --limit 12 --format table --tz Asia/Seoul

step "uoms-query --department east --status COMPLETE --format csv | head -4"
uoms-query --department east --status COMPLETE --format csv | head -4

step "fetch again, as cron would: the overlap is re-read, nothing changes"
uoms-fetch --channel demo | uoms-upsert --summary > /dev/null

step "a channel's own file of orders, then the same file again"
gen-orders --count 300 > "$dir/orders.jsonl"
uoms-upsert --summary "$dir/orders.jsonl" > /dev/null
uoms-upsert --summary "$dir/orders.jsonl" > /dev/null
sqlite3 "$UOMS_DB" "SELECT type, count(*) FROM events GROUP BY type" |
	sed 's/^/   events: /'

step "move orders through the dispatch workflow"
uoms-query --status WAITING --department east --not-on-hold --limit 5 |
	uoms-status --to IN_PROGRESS --note "left the depot" > "$dir/moved.jsonl"
echo "   $(wc -l < "$dir/moved.jsonl") east orders are IN_PROGRESS"
first=$(head -1 "$dir/moved.jsonl" | sed 's/^{"id":\([0-9]*\).*/\1/')
uoms-status --action complete "$first" > /dev/null
uoms-query --status WAITING --limit 2 | uoms-assign --driver 김기사 --phone 010-2222-3333 > /dev/null
uoms-remark add "$first" "고객 부재, 경비실에 맡김" > /dev/null
uoms-query --status IN_PROGRESS,COMPLETE --limit 8 --format table

step "the round trip: a demo order confirmed, shipped with a tracking number, the channel told (uoms-push)"
demo_id=$(uoms-query --channel demo --status WAITING --not-on-hold --limit 1 --format csv |
	sed -n 2p | cut -d, -f1)
uoms-status --to IN_PROGRESS --note "picked up by CJ" "$demo_id" > /dev/null
uoms-edit --set shipment.carrier=cj --set shipment.tracking_number=640012345678 \
	"$demo_id" > /dev/null
uoms-push "$demo_id"
echo "   pushed again (cron does it every few minutes): nothing is sent twice"
uoms-push "$demo_id"

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

step "uoms-report status --format table   (the operations board)"
uoms-report status --format table

step "uoms-report sales --by channel --format table --tz Asia/Seoul"
uoms-report sales --by channel --format table --tz Asia/Seoul


# --- alerts (issue 13 item 5) -------------------------------------------------
step "alerts: uoms-alert | uoms-notify to a local webhook receiver, each change once"
cat > "$dir/rules.yaml" <<'RULES'
alerts:
  - name: backlog
    figure: backlog
    above: 20
  - name: stale-fetch
    figure: fetch_age
    above: 30
RULES
printf 'rules: rules.yaml\n' > "$dir/uoms.yaml"
python3 "$(dirname "$0")/fake/webhook_server.py" --log "$dir/hook.log" \
	> "$dir/hook.port" 2> "$dir/hook.err" &
hook_pid=$!
n=0
until [ -s "$dir/hook.port" ] || [ "$n" -ge 100 ]; do
	sleep 0.05	# the receiver's port, not a synchronisation of ours
	n=$((n + 1))
done
hook="http://127.0.0.1:$(head -1 "$dir/hook.port")/services/demo"
for run in 1 2; do
	uoms-alert -c "$dir/uoms.yaml" |
		uoms-notify --webhook "$hook" --key key > /dev/null
done
echo "   the receiver got (two runs, one message each change):"
python3 -c 'import json, sys
for l in open(sys.argv[1]): print("   ", json.loads(json.loads(l)["body"])["text"])' "$dir/hook.log"
kill "$hook_pid"
uoms-alert list --state open | sed 's/^/   /'
# --- end alerts ---------------------------------------------------------------
# ---- issue 13, stock (lib/stock.h): stock that can't be sold twice ----
step "stock: 2 units of DEMO-LAST, 3 orders want one each: the third is held stock_shortage"
echo '{"sku":"DEMO-LAST","name":"마지막 사과","stock":2}' |
	uoms-upsert --products > /dev/null
for n in 1 2 3; do
	printf '{"channel":"naver","external_order_id":"99000%s","items":[{"external_item_id":"s%s","sku":"DEMO-LAST","quantity":1}]}\n' "$n" "$n"
done | uoms-upsert > /dev/null
uoms-hold list --state open | grep DEMO-LAST
uoms-catalog --sku DEMO-LAST --format table
echo "   one cancelled: its unit is available again"
uoms-status --to CANCEL naver:990001 > /dev/null
uoms-report stock --format table | grep -e AVAILABLE -e DEMO-LAST
# ---- end issue 13, stock ----


# --- intake rules and zones (issue 13 items 1 and 3) ------------------------
step "zones and intake rules: postal codes fill zone and department; risky orders are held"
mkdir -p "$dir/conf"
cp "$(dirname "$0")/../etc/zones-seoul.csv" "$dir/conf/zones.csv"
printf 'zones: zones.csv\nrules: rules.yaml\n' > "$dir/conf/uoms.yaml"
cat > "$dir/conf/rules.yaml" <<'YAML'
intake:
  missing_info: {fields: [customer.phone, shipping.address]}
  address_invalid: true
  fraud_suspected: {amount_over: 3000000, blocklist: {phones: [010-0000-0000]}}
YAML
sed 's/^/   rules.yaml: /' "$dir/conf/rules.yaml"
for o in \
    '"i-1","customer":{"name":"박","phone":"010-1111-2222"},"shipping":{"postal_code":"06236","address":"테헤란로 152"},"total_amount":38000' \
    '"i-2","customer":{"name":"이"},"shipping":{"postal_code":"04524","address":"세종대로 110"},"total_amount":12000' \
    '"i-3","customer":{"name":"최","phone":"010-3333-4444"},"shipping":{"postal_code":"99999","address":"어딘가 1"},"total_amount":9000' \
    '"i-4","customer":{"name":"정","phone":"010-0000-0000"},"shipping":{"postal_code":"08826","address":"관악로 1"},"total_amount":3500000'
do
	echo "{\"channel\":\"intake\",\"external_order_id\":$o}"
done | UOMS_CONFIG="$dir/conf/uoms.yaml" uoms-upsert > "$dir/intake.jsonl"
sed -e 's/.*"external_order_id":"\([^"]*\)".*"department":\([^,]*\),.*"zone":"\([^"]*\)".*/   \1: zone \3, department \2/' \
    -e 's/.*"external_order_id":"\([^"]*\)".*"department":\([^,]*\),.*/   \1: no zone, department \2/' \
    "$dir/intake.jsonl"
uoms-hold list | grep '"placed_by":"uoms-rules"' | sed -e 's/.*"order_id":\([0-9]*\),"reason":"\([^"]*\)","note":"\([^"]*\)".*/   order \1 held \2: \3/'

printf '\nThe store is %s; try: UOMS_DB=%s uoms-query --format table\n' \
	"$UOMS_DB" "$UOMS_DB"
