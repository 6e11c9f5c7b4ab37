#!/usr/bin/env bats
# kind naver end to end, through uoms-channel, uoms-fetch and uoms-upsert,
# against t/fake/naver_server.py serving t/data/kind-naver.json (eleven
# orders, every product order status, a partial cancel, an order with a
# product order that changed long ago), four changes a page. The server
# checks the bcrypt client_secret_sign and the bearer token like the real
# API and answers 401 when they are wrong.
load helper

export UOMS_SECRET_KEY=00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff
CLIENT_ID=naver-test-client
CLIENT_SECRET='$2a$04$abcdefghijklmnopqrstuu'

# The data is dated around 2026-11-20 (KST); the server moves it SHIFT days
# so that it is yesterday's, and want() moves the expected times alike.
SHIFT=$(python3 -c 'import datetime as d
print((d.datetime.now(d.timezone(d.timedelta(hours=9))).date() - d.date(2026, 11, 21)).days)')
# Since a KST midnight: the 24-hour spans of the change list start at
# midnights, so yesterday's changes are one span whatever the hour.
SINCE=$(date -u -d "$(TZ=Asia/Seoul date -d '3 days ago' +%F) 00:00 +0900" +%Y-%m-%dT%H:%M:%SZ)

# start_naver [ARGS...]: the fake server on a copy of the data (data.json,
# which a test may change), its port in PORT, its requests in server.log.
start_naver() {
	cp "$SRC/t/data/kind-naver.json" data.json
	python3 "$SRC/t/fake/naver_server.py" --data data.json --page-size 4 \
	    --shift-days "$SHIFT" --client-id "$CLIENT_ID" \
	    --client-secret "$CLIENT_SECRET" --log server.log "$@" >port &
	SERVER_PID=$!
	for _ in $(seq 100); do
		[ -s port ] && break
		sleep 0.05
	done
	PORT=$(head -1 port)
	[ -n "$PORT" ]
}

teardown() {
	if [ -n "${SERVER_PID:-}" ]; then
		kill "$SERVER_PID" 2>/dev/null || true
		wait "$SERVER_PID" 2>/dev/null || true
	fi
}

# add_naver NAME [ARGS...]: the channel on the fake server, with the right
# secrets unless SECRETS says otherwise; fast (max_rate 50).
add_naver() {
	local name=$1
	shift
	printf '%s\n' "${SECRETS:-$CLIENT_ID
$CLIENT_SECRET}" | uoms-channel add "$name" --kind naver \
	    --base-url "http://127.0.0.1:$PORT" --set max_rate=50 \
	    --secret client_id --secret client_secret "$@" >/dev/null
}

# requests: what the server got, "METHOD PATH?QUERY" a line.
requests() {
	python3 -c '
import json, sys
for line in open(sys.argv[1]):
    r = json.loads(line)
    print(r["method"], r["path"])
' server.log
}

# The eleven orders as the kind must map them (dispatch), times unshifted.
want_dispatch() {
	shifted <<'EOF'
{"channel":"nv1","channel_holds":[],"channel_order_no":"2026112010000001","channel_status":"PAYED","channel_updated_at":"2026-11-20T01:00:00Z","currency":"KRW","customer":{"name":"홍길동","orderer_id":"홍***","phone":"010-1234-0001"},"external_order_id":"2026112010000001","items":[{"channel_status":"PAYED","external_item_id":"2026112099000101","name":"사과 3kg","option":"크기: 대","place_order_status":"OK","product_id":"5000101","quantity":2,"sku":"APL-3-L","unit_price":20000},{"channel_status":"PAYED","external_item_id":"2026112099000102","name":"배 1kg","place_order_status":"OK","product_id":"5000102","quantity":1,"sku":"PEAR-1","unit_price":7000}],"paid_at":"2026-11-20T00:51:00Z","payment_means":"신용카드","placed_at":"2026-11-20T00:50:00Z","shipping":{"address":"서울특별시 강남구 테헤란로 1 101동 1001호","memo":"문 앞","name":"홍길동","phone":"010-1234-0001","postal_code":"06236"},"shipping_fee":3000,"status":"WAITING","total_amount":47000,"workflow":"dispatch"}
{"channel":"nv1","channel_holds":[],"channel_order_no":"2026112010000002","channel_status":"PAYMENT_WAITING","channel_updated_at":"2026-11-19T23:00:00Z","currency":"KRW","customer":{"name":"김철수","orderer_id":"김***","phone_raw":"01022220002"},"external_order_id":"2026112010000002","items":[{"channel_status":"PAYMENT_WAITING","external_item_id":"2026112099000201","name":"귤 2kg","place_order_status":"NOT_YET","product_id":"5000201","quantity":1,"sku":"TNG-2","unit_price":15000}],"payment_means":"무통장입금","placed_at":"2026-11-19T22:55:00Z","shipping":{"address":"부산광역시 해운대구 해운대로 2","name":"김철수","phone":"010-2222-0002","postal_code":"48094"},"shipping_fee":0,"status":"WAITING","total_amount":15000,"workflow":"dispatch"}
{"channel":"nv1","channel_holds":[],"channel_order_no":"2026112010000003","channel_status":"DELIVERING","channel_updated_at":"2026-11-20T00:00:00Z","currency":"KRW","customer":{"name":"이영희","orderer_id":"이***","phone":"010-3333-0003"},"depart_time":"2026-11-19T23:55:00Z","external_order_id":"2026112010000003","items":[{"channel_status":"DELIVERING","delivery":{"company":"CJGLS","shipped_at":"2026-11-19T23:55:00Z","status":"DELIVERING","tracking_number":"612345670301"},"external_item_id":"2026112099000301","name":"감 5kg","place_order_status":"OK","product_id":"5000301","quantity":1,"sku":"PSM-5","unit_price":25000}],"paid_at":"2026-11-19T21:01:00Z","payment_means":"신용카드","placed_at":"2026-11-19T21:00:00Z","shipping":{"address":"대구광역시 중구 동성로 3 3층","name":"이영희","phone":"010-3333-0003","postal_code":"41940"},"shipping_fee":0,"status":"IN_PROGRESS","total_amount":25000,"workflow":"dispatch"}
{"channel":"nv1","channel_holds":[],"channel_order_no":"2026112010000004","channel_status":"DELIVERED","channel_updated_at":"2026-11-20T02:00:00Z","complete_time":"2026-11-20T02:00:00Z","currency":"KRW","customer":{"name":"박민수","orderer_id":"박***","phone":"010-4444-0004"},"depart_time":"2026-11-19T09:00:00Z","external_order_id":"2026112010000004","items":[{"channel_status":"DELIVERED","delivery":{"company":"HANJIN","delivered_at":"2026-11-20T02:00:00Z","shipped_at":"2026-11-19T09:00:00Z","status":"DELIVERY_COMPLETION","tracking_number":"512345670401"},"external_item_id":"2026112099000401","name":"생수 2L x 6","place_order_status":"OK","product_id":"5000401","quantity":4,"sku":"WTR-6","unit_price":6000}],"paid_at":"2026-11-19T01:00:30Z","payment_means":"신용카드","placed_at":"2026-11-19T01:00:00Z","shipping":{"address":"인천광역시 연수구 송도동 5","name":"박민수","phone":"010-4444-0004","postal_code":"21984"},"shipping_fee":0,"status":"COMPLETE","total_amount":24000,"workflow":"dispatch"}
{"channel":"nv1","channel_holds":[],"channel_order_no":"2026112010000005","channel_status":"PURCHASE_DECIDED","channel_updated_at":"2026-11-20T03:00:00Z","complete_time":"2026-11-19T02:00:00Z","currency":"KRW","customer":{"name":"최지우","orderer_id":"최***","phone":"010-5555-0005"},"depart_time":"2026-11-18T04:00:00Z","external_order_id":"2026112010000005","items":[{"channel_status":"PURCHASE_DECIDED","delivery":{"company":"CJGLS","delivered_at":"2026-11-19T02:00:00Z","shipped_at":"2026-11-18T04:00:00Z","status":"DELIVERY_COMPLETION","tracking_number":"612345670501"},"external_item_id":"2026112099000501","name":"쌀 10kg","place_order_status":"OK","product_id":"5000501","quantity":1,"sku":"RICE-10","unit_price":32000}],"paid_at":"2026-11-17T23:00:20Z","payment_means":"신용카드","placed_at":"2026-11-17T23:00:00Z","shipping":{"address":"광주광역시 서구 상무대로 6 6호","name":"최지우","phone":"010-5555-0005","postal_code":"61949"},"shipping_fee":0,"status":"COMPLETE","total_amount":32000,"workflow":"dispatch"}
{"channel":"nv1","channel_holds":[],"channel_order_no":"2026112010000006","channel_status":"EXCHANGED","channel_updated_at":"2026-11-20T04:00:00Z","currency":"KRW","customer":{"name":"정우성","orderer_id":"정***","phone":"010-6666-0006"},"external_order_id":"2026112010000006","items":[{"channel_status":"EXCHANGED","claim":{"id":"EX-601","status":"EXCHANGE_DONE","type":"EXCHANGE"},"external_item_id":"2026112099000601","name":"운동화 270","option":"사이즈: 270","place_order_status":"OK","product_id":"5000601","quantity":1,"sku":"SHOE-270","unit_price":89000}],"paid_at":"2026-11-15T04:00:05Z","payment_means":"신용카드","placed_at":"2026-11-15T04:00:00Z","shipping":{"address":"경기도 성남시 분당구 판교역로 7","name":"정우성","phone":"010-6666-0006","postal_code":"13529"},"shipping_fee":0,"status":"COMPLETE","total_amount":89000,"workflow":"dispatch"}
{"channel":"nv1","channel_holds":[],"channel_order_no":"2026112010000007","channel_status":"CANCELED","channel_updated_at":"2026-11-20T05:00:00Z","currency":"KRW","customer":{"name":"강*희","orderer_id":"강***","phone":"010-7777-0007"},"external_order_id":"2026112010000007","items":[{"cancelled_quantity":1,"channel_status":"CANCELED","claim":{"id":"CA-701","status":"CANCEL_DONE","type":"CANCEL"},"external_item_id":"2026112099000701","name":"한라봉 3kg","place_order_status":"OK","product_id":"5000701","quantity":1,"sku":"HLB-3","unit_price":30000}],"paid_at":"2026-11-20T04:31:00Z","payment_means":"신용카드","placed_at":"2026-11-20T04:30:00Z","shipping":{"address":"제주특별자치도 제주시 8 8호","name":"강*희","phone":"050-1234-5678","postal_code":"63122"},"shipping_fee":0,"status":"CANCEL","total_amount":0,"workflow":"dispatch"}
{"channel":"nv1","channel_holds":[],"channel_order_no":"2026112010000008","channel_status":"RETURNED","channel_updated_at":"2026-11-20T06:00:00Z","currency":"KRW","customer":{"name":"윤서연","orderer_id":"윤***","phone":"010-8888-0008"},"external_order_id":"2026112010000008","items":[{"cancelled_quantity":2,"channel_status":"RETURNED","claim":{"id":"RT-801","status":"RETURN_DONE","type":"RETURN"},"external_item_id":"2026112099000801","name":"우유 1L","place_order_status":"OK","product_id":"5000801","quantity":2,"sku":"MLK-1","unit_price":2500}],"paid_at":"2026-11-10T06:00:40Z","payment_means":"신용카드","placed_at":"2026-11-10T06:00:00Z","shipping":{"address":"세종특별자치시 한누리대로 9","name":"윤서연","phone":"010-8888-0008","postal_code":"30151"},"shipping_fee":0,"status":"ISSUE","total_amount":0,"workflow":"dispatch"}
{"channel":"nv1","channel_holds":[],"channel_order_no":"2026112010000009","channel_status":"CANCELED_BY_NOPAYMENT","channel_updated_at":"2026-11-19T23:30:00Z","currency":"KRW","customer":{"name":"한가인","orderer_id":"한***","phone":"010-9999-0009"},"external_order_id":"2026112010000009","items":[{"cancelled_quantity":1,"channel_status":"CANCELED_BY_NOPAYMENT","external_item_id":"2026112099000901","name":"커피 원두 1kg","place_order_status":"NOT_YET","product_id":"5000901","quantity":1,"sku":"COF-1","unit_price":28000}],"payment_means":"무통장입금","placed_at":"2026-11-16T23:00:00Z","shipping":{"address":"울산광역시 남구 삼산로 10 10층","name":"한가인","phone":"010-9999-0009","postal_code":"44719"},"shipping_fee":0,"status":"CANCEL","total_amount":0,"workflow":"dispatch"}
{"channel":"nv1","channel_holds":[],"channel_order_no":"2026112010000010","channel_status":"DELIVERED","channel_updated_at":"2026-11-20T08:00:00Z","complete_time":"2026-11-20T07:00:00Z","currency":"KRW","customer":{"name":"서강준","orderer_id":"서***","phone":"010-1010-0010"},"depart_time":"2026-11-19T00:00:00Z","external_order_id":"2026112010000010","items":[{"channel_status":"DELIVERED","delivery":{"company":"EPOST","delivered_at":"2026-11-20T07:00:00Z","shipped_at":"2026-11-19T00:00:00Z","status":"DELIVERY_COMPLETION","tracking_number":"6012345671001"},"external_item_id":"2026112099001001","name":"책 A","place_order_status":"OK","product_id":"5001001","quantity":1,"sku":"BOOK-A","unit_price":18000},{"cancelled_quantity":1,"channel_status":"CANCELED","claim":{"id":"CA-1002","status":"CANCEL_DONE","type":"CANCEL"},"external_item_id":"2026112099001002","name":"책 B","place_order_status":"OK","product_id":"5001002","quantity":1,"sku":"BOOK-B","unit_price":12000}],"paid_at":"2026-11-18T07:00:10Z","payment_means":"신용카드","placed_at":"2026-11-18T07:00:00Z","shipping":{"address":"서울특별시 종로구 세종대로 10","name":"서강준","phone":"02-555-0010","postal_code":"03187"},"shipping_fee":2500,"status":"COMPLETE","total_amount":18000,"workflow":"dispatch"}
{"channel":"nv1","channel_holds":[],"channel_order_no":"2026112010000011","channel_status":"PAYED","channel_updated_at":"2026-11-20T09:00:00Z","currency":"KRW","customer":{"name":"조인성","orderer_id":"조***","phone":"010-1111-0011"},"depart_time":"2026-11-20T08:30:00Z","external_order_id":"2026112010000011","items":[{"channel_status":"PAYED","external_item_id":"2026112099001101","name":"예약 상품","place_order_status":"OK","product_id":"5001101","quantity":1,"sku":"PRE-1","unit_price":50000},{"channel_status":"DELIVERING","delivery":{"company":"CJGLS","shipped_at":"2026-11-20T08:30:00Z","status":"DELIVERING","tracking_number":"612345671102"},"external_item_id":"2026112099001102","name":"즉시 상품","place_order_status":"OK","product_id":"5001102","quantity":1,"sku":"NOW-1","unit_price":9000}],"paid_at":"2026-11-10T09:00:30Z","payment_means":"신용카드","placed_at":"2026-11-10T09:00:00Z","shipping":{"address":"강원특별자치도 춘천시 11","name":"조인성","phone":"010-1111-0011","postal_code_raw":"1234"},"shipping_fee":0,"status":"WAITING","total_amount":59000,"workflow":"dispatch"}
EOF
}

@test "naver: a fetch over several pages maps every field and status" {
	start_naver
	add_naver nv1
	run --separate-stderr uoms-fetch --channel nv1 --since "$SINCE"
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 11 ]
	printf '%s\n' "$output" | norm >got
	want_dispatch >want
	diff -u want got

	requests >requests
	# One token; the changes in spans of 24 hours (the server refuses
	# more) from since, paged with moreSequence; the product orders of
	# every changed order listed once, the order whose other product
	# order changed long ago included; then the details.
	[ "$(grep -c '^POST /external/v1/oauth2/token$' requests)" -eq 1 ]
	grep -q '^GET /external/v1/pay-order/seller/product-orders/last-changed-statuses?lastChangedFrom=.*&lastChangedTo=.*&moreSequence=0000000' requests
	[ "$(grep -c '/product-order-ids$' requests)" -eq 11 ]
	grep -q '^GET /external/v1/pay-order/seller/orders/2026112010000011/product-order-ids$' requests
	# Four spans (three days and today so far); yesterday's 13 changes
	# four to a page; a query after each page that had news.
	[ "$(grep -c last-changed-statuses requests)" -eq 7 ]
	[ "$(grep -c '^POST /external/v1/pay-order/seller/product-orders/query$' requests)" -eq 4 ]
	[ "$(wc -l <requests)" -eq 23 ]
	first=$(grep -m1 last-changed-statuses requests)
	want_from=$(TZ=Asia/Seoul date -d "$SINCE" +%Y-%m-%dT%H%%3A%M%%3A%S.000%%2B09%%3A00)
	[[ "$first" == *"lastChangedFrom=$want_from&"* ]]

	printf '%s\n' "$output" | uoms-upsert --summary >/dev/null 2>summary
	[ "$(cat summary)" = "uoms-upsert: read 11, created 11, updated 0, unchanged 0, rejected 0" ]
}

@test "naver: every status has its state on fulfillment and food-delivery" {
	start_naver
	add_naver nvf --workflow fulfillment
	add_naver nvd --workflow food-delivery
	run --separate-stderr uoms-fetch --channel nvf --channel nvd --since "$SINCE"
	[ "$status" -eq 0 ]
	printf '%s\n' "$output" | python3 -c '
import json, sys
for line in sys.stdin:
    o = json.loads(line)
    print(o["channel"], o["external_order_id"][-2:], o["channel_status"], o["workflow"], o["status"])
' | sort >got
	cat >want <<'EOF'
nvd 01 PAYED food-delivery pending_acceptance
nvd 02 PAYMENT_WAITING food-delivery pending_payment
nvd 03 DELIVERING food-delivery in_transit
nvd 04 DELIVERED food-delivery delivered
nvd 05 PURCHASE_DECIDED food-delivery delivered
nvd 06 EXCHANGED food-delivery delivered
nvd 07 CANCELED food-delivery cancelled
nvd 08 RETURNED food-delivery cancelled
nvd 09 CANCELED_BY_NOPAYMENT food-delivery cancelled
nvd 10 DELIVERED food-delivery delivered
nvd 11 PAYED food-delivery pending_acceptance
nvf 01 PAYED fulfillment paid
nvf 02 PAYMENT_WAITING fulfillment created
nvf 03 DELIVERING fulfillment shipped
nvf 04 DELIVERED fulfillment delivered
nvf 05 PURCHASE_DECIDED fulfillment delivered
nvf 06 EXCHANGED fulfillment delivered
nvf 07 CANCELED fulfillment cancelled
nvf 08 RETURNED fulfillment returned
nvf 09 CANCELED_BY_NOPAYMENT fulfillment cancelled
nvf 10 DELIVERED fulfillment delivered
nvf 11 PAYED fulfillment paid
EOF
	diff -u want got
	printf '%s\n' "$output" | uoms-upsert >/dev/null
}

@test "naver: a wrong secret fails naming the channel, without the secret" {
	start_naver
	SECRETS="$CLIENT_ID
\$2a\$04\$zyxwvutsrqponmlkjihgfe" add_naver nvbad
	run --separate-stderr uoms-fetch --channel nvbad --since "$SINCE"
	[ "$status" -eq 3 ]
	[ -z "$output" ]
	[ "$stderr" = "uoms-fetch: channel nvbad: authentication failed (HTTP 401)" ]
	! grep -q -- zyxwvutsrqponmlkjihgfe <<<"$output$stderr" || false
	[ "$(wc -l <server.log)" -eq 1 ]

	# A secret that is no bcrypt salt never leaves: said, not shown.
	SECRETS="$CLIENT_ID
plain-client-secret" add_naver nvplain
	run --separate-stderr uoms-fetch --channel nvplain --since "$SINCE"
	[ "$status" -eq 3 ]
	[[ "$stderr" == "uoms-fetch: channel nvplain: client secret is not a bcrypt salt"* ]]
	! grep -q -- plain-client-secret <<<"$output$stderr" || false
	[ "$(wc -l <server.log)" -eq 1 ]
}

@test "naver: the token is kept sealed and reused" {
	start_naver
	add_naver nv1
	uoms-fetch --channel nv1 --since "$SINCE" >/dev/null
	uoms-fetch --channel nv1 --since "$SINCE" >/dev/null
	requests >requests
	[ "$(grep -c '^POST /external/v1/oauth2/token$' requests)" -eq 1 ]
	# Both fetches used the one token, which the store holds sealed.
	token=$(python3 -c '
import json
toks = {json.loads(l)["headers"].get("Authorization", "") for l in open("server.log")}
toks.discard("")
print(" | ".join(sorted(toks)))')
	[[ "$token" == "Bearer tok-"* ]]
	[[ "$token" != *"|"* ]]
	uoms-channel show nv1 | jget secrets | grep -q '"token"'
	[ "$(in_store "${token#Bearer }")" -eq 0 ]
}

@test "naver: fetch | upsert twice creates nothing; a change on the channel updates once" {
	start_naver
	add_naver nv1
	uoms-fetch --channel nv1 --since "$SINCE" | uoms-upsert --summary >/dev/null 2>first
	[ "$(cat first)" = "uoms-upsert: read 11, created 11, updated 0, unchanged 0, rejected 0" ]
	uoms-fetch --channel nv1 --since "$SINCE" | uoms-upsert --summary >/dev/null 2>second
	[ "$(cat second)" = "uoms-upsert: read 11, created 0, updated 0, unchanged 11, rejected 0" ]

	# Order 03 is delivered on the channel, the latest change of all.
	python3 - <<'PY'
import json
d = json.load(open("data.json"))
for r in d["productOrders"]:
    if r["productOrder"]["productOrderId"] == "2026112099000301":
        r["productOrder"]["productOrderStatus"] = "DELIVERED"
        r["delivery"]["deliveryStatus"] = "DELIVERY_COMPLETION"
        r["delivery"]["deliveredDate"] = "2026-11-20T19:00:00.000+09:00"
        r["lastChangedDate"] = "2026-11-20T19:00:00.000+09:00"
        r["lastChangedType"] = "DISPATCHED"
json.dump(d, open("data.json", "w"), ensure_ascii=False)
PY
	# Incremental: from the store's high water, less the overlap.
	uoms-fetch --channel nv1 | uoms-upsert --summary >/dev/null 2>third
	[ "$(cat third)" = "uoms-upsert: read 2, created 0, updated 1, unchanged 1, rejected 0" ]
	run uoms-query --channel nv1 --status COMPLETE
	[ "$(printf '%s\n' "$output" | jget external_order_id | sort | tr '\n' ' ')" = "2026112010000003 2026112010000004 2026112010000005 2026112010000006 2026112010000010 " ]
	uoms-fetch --channel nv1 | uoms-upsert --summary >/dev/null 2>fourth
	[ "$(cat fourth)" = "uoms-upsert: read 1, created 0, updated 0, unchanged 1, rejected 0" ]
}

@test "naver: a 500 and a 429 are retried, the fetch completes" {
	start_naver --fail 3:500 --fail 6:429:1
	add_naver nv1
	run --separate-stderr uoms-fetch --channel nv1 --since "$SINCE"
	[ "$status" -eq 0 ]
	printf '%s\n' "$output" | norm >got
	want_dispatch >want
	diff -u want got
}

@test "naver: an answer that is not JSON fails the channel clearly" {
	start_naver --fail 2:badjson
	add_naver nv1
	run --separate-stderr uoms-fetch --channel nv1 --since "$SINCE"
	[ "$status" -eq 3 ]
	[[ "$stderr" == "uoms-fetch: channel nv1: answer is not JSON ("* ]]
}

@test "naver: --dry-run shows the token request, not its signed body" {
	start_naver
	add_naver nv1
	run --separate-stderr uoms-fetch --channel nv1 --since "$SINCE" --dry-run
	[ "$status" -eq 0 ]
	grep -qx "POST http://127.0.0.1:$PORT/external/v1/oauth2/token" <<<"$output"
	grep -q '^\[a body of [0-9]* bytes, not shown\]$' <<<"$output"
	! grep -q -- abcdefghijklmnopqrstuu <<<"$output$stderr" || false
	! grep -q -- JDJhJDA0 <<<"$output$stderr" || false
	[ ! -s server.log ]
}

@test "naver: --products fetches the catalog, one line per channel product; upsert stores it, again unchanged" {
	start_naver --product-page-size 2
	add_naver nv1
	run --separate-stderr uoms-fetch --channel nv1 --products
	[ "$status" -eq 0 ]
	printf '%s\n' "$output" | norm >got
	cat >want <<'WANT'
{"category":"디지털/가전>음향가전>이어폰","channel":"nv1","channel_product_id":"6000000004","channel_service":"STOREFARM","channel_status":"SALE","currency":"KRW","name":"무선 이어폰","origin_product_id":"5000000003","price":59000,"sku":"EAR-1","stock":12}
{"category":"식품>농산물>과일>귤","channel":"nv1","channel_product_id":"6000000001","channel_service":"STOREFARM","channel_status":"SALE","currency":"KRW","discounted_price":21000,"name":"제주 감귤 5kg","origin_product_id":"5000000001","price":23000,"sku":"TNG-5","stock":40}
{"category":"식품>축산물>쇠고기","channel":"nv1","channel_product_id":"6000000003","channel_service":"STOREFARM","channel_status":"OUTOFSTOCK","currency":"KRW","name":"한우 불고기 500g","origin_product_id":"5000000002","price":29900,"sku":"6000000003","stock":0}
WANT
	diff -u want got

	# The token, then two pages of the search, the bearer token on each.
	requests >got
	cat >want <<'WANT'
POST /external/v1/oauth2/token
POST /external/v1/products/search
POST /external/v1/products/search
WANT
	diff -u want got
	python3 -c '
import json, sys
pages = [json.loads(json.loads(l)["body"])["page"] for l in open("server.log") if "/products/search" in l]
assert pages == [1, 2], pages
'

	printf '%s\n' "$output" | uoms-upsert --products --summary >/dev/null 2>first
	[ "$(cat first)" = "uoms-upsert: read 3, created 3, updated 0, unchanged 0, rejected 0" ]
	[ "$(sql "SELECT sku, name, category, price, stock FROM products ORDER BY sku")" = "6000000003|한우 불고기 500g|식품>축산물>쇠고기|29900|0
EAR-1|무선 이어폰|디지털/가전>음향가전>이어폰|59000|12
TNG-5|제주 감귤 5kg|식품>농산물>과일>귤|23000|40" ]
	# Again, with the token kept from the first fetch: nothing changes.
	uoms-fetch --channel nv1 --products | uoms-upsert --products --summary >/dev/null 2>second
	[ "$(cat second)" = "uoms-upsert: read 3, created 0, updated 0, unchanged 3, rejected 0" ]
}
