#!/usr/bin/env bats
# kind coupang end to end, through uoms-channel, uoms-fetch and uoms-upsert,
# against t/fake/coupang_server.py serving t/data/kind-coupang.json (ten
# shipment boxes, every status, one order split into two boxes), two boxes
# a page. The server checks the CEA HMAC signature like the real API and
# answers 401 when it is wrong.
load helper

export UOMS_SECRET_KEY=00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff
AK=ak-coupang-test
SK=sk-coupang-0123456789abcdef

# The data is dated around 2026-11-20 (KST); the server moves it SHIFT days
# so that it is yesterday's, and want() moves the expected times alike.
SHIFT=$(python3 -c 'import datetime as d
print((d.datetime.now(d.timezone(d.timedelta(hours=9))).date() - d.date(2026, 11, 21)).days)')
SINCE=$(date -u -d '3 days ago' +%Y-%m-%dT%H:%M:%SZ)

# start_coupang [ARGS...]: the fake server on a copy of the data (data.json,
# which a test may change), its port in PORT, its requests in server.log.
start_coupang() {
	cp "$SRC/t/data/kind-coupang.json" data.json
	python3 "$SRC/t/fake/coupang_server.py" --data data.json --page-size 2 \
	    --shift-days "$SHIFT" --access-key "$AK" --secret-key "$SK" \
	    --vendor-id A00012345 --log server.log "$@" >port &
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

# add_coupang NAME [ARGS...]: the channel on the fake server, with the
# right secrets unless SECRETS says otherwise; fast (max_rate 50) so the
# tests do not wait on the kind's 5 requests a second.
add_coupang() {
	local name=$1
	shift
	printf '%s\n' "${SECRETS:-$AK
$SK}" | uoms-channel add "$name" --kind coupang \
	    --base-url "http://127.0.0.1:$PORT" --set vendor_id=A00012345 \
	    --set max_rate=50 --secret access_key --secret secret_key "$@" \
	    >/dev/null
}

# The ten boxes as the kind must map them (dispatch), times unshifted.
want_dispatch() {
	shifted <<'EOF'
{"channel":"cp1","channel_holds":[],"channel_order_id":"9100000000001","channel_status":"ACCEPT","channel_updated_at":"2026-11-20T00:10:30Z","currency":"KRW","customer":{"email":"ho*****@na","name":"홍길동","phone":"010-1111-0001"},"external_order_id":"100001","items":[{"external_item_id":"3242596358","name":"사과 3kg, 대","option":"대","quantity":2,"seller_product_id":"80240831","sku":"APL-3-L","unit_price":19000}],"paid_at":"2026-11-20T00:10:30Z","placed_at":"2026-11-20T00:10:00Z","shipping":{"address":"서울특별시 강남구 테헤란로 1 101동 1001호","memo":"문 앞","name":"홍길동","phone_raw":"0502-1234-5678","postal_code":"06236"},"shipping_fee":0,"status":"WAITING","total_amount":38000,"workflow":"dispatch"}
{"channel":"cp1","channel_holds":[],"channel_order_id":"9100000000002","channel_status":"INSTRUCT","channel_updated_at":"2026-11-20T01:00:45Z","currency":"KRW","customer":{"name":"김철수","phone":"010-2222-0002"},"external_order_id":"100002","items":[{"external_item_id":"70000001","name":"배 1kg","option":"1kg","quantity":1,"seller_product_id":"80000001","sku":"PEAR-1","unit_price":7000},{"discount_price":1000,"external_item_id":"70000002","name":"귤 2kg","quantity":3,"seller_product_id":"80000002","sku":"TNG-2","unit_price":5000}],"paid_at":"2026-11-20T01:00:45Z","placed_at":"2026-11-20T01:00:00Z","shipping":{"address":"부산광역시 해운대구 해운대로 2","name":"김철수","phone":"02-555-0002","postal_code":"48094"},"shipping_fee":2500,"status":"WAITING","total_amount":22000,"workflow":"dispatch"}
{"channel":"cp1","channel_holds":[],"channel_order_id":"9100000000003","channel_status":"DEPARTURE","channel_updated_at":"2026-11-20T09:30:00Z","currency":"KRW","customer":{"name":"이영희","phone":"010-3333-0003"},"delivery_company":"CJ 대한통운","depart_time":"2026-11-20T09:30:00Z","external_order_id":"100003","invoice_number":"340010913001","items":[{"external_item_id":"70000003","name":"감 5kg","quantity":1,"sku":"PSM-5","unit_price":25000}],"paid_at":"2026-11-20T02:01:00Z","placed_at":"2026-11-20T02:00:00Z","shipping":{"address":"대구광역시 중구 동성로 3 3층","name":"이영희","phone":"010-3333-0003","postal_code":"41940"},"shipping_fee":0,"status":"IN_PROGRESS","total_amount":25000,"workflow":"dispatch"}
{"channel":"cp1","channel_holds":[],"channel_order_id":"9100000000003","channel_status":"INSTRUCT","channel_updated_at":"2026-11-20T02:01:00Z","currency":"KRW","customer":{"name":"이영희","phone":"010-3333-0003"},"external_order_id":"100004","items":[{"external_item_id":"70000004","name":"냉동 만두","quantity":2,"sku":"DMP-1","unit_price":8900}],"paid_at":"2026-11-20T02:01:00Z","placed_at":"2026-11-20T02:00:00Z","shipping":{"address":"대구광역시 중구 동성로 3 3층","name":"이영희","phone":"010-3333-0003","postal_code":"41940"},"shipping_fee":3000,"status":"WAITING","total_amount":17800,"workflow":"dispatch"}
{"channel":"cp1","channel_holds":[],"channel_order_id":"9100000000005","channel_status":"DELIVERING","channel_updated_at":"2026-11-20T10:00:00Z","currency":"KRW","customer":{"name":"박민수","phone":"010-5555-0005"},"delivery_company":"한진택배","depart_time":"2026-11-20T10:00:00Z","external_order_id":"100005","invoice_number":"512345670005","items":[{"external_item_id":"70000005","name":"생수 2L x 6","quantity":4,"sku":"WTR-6","unit_price":6000}],"paid_at":"2026-11-20T03:00:10Z","placed_at":"2026-11-20T03:00:00Z","shipping":{"address":"인천광역시 연수구 송도동 5","name":"박민수","phone":"010-5555-0005","postal_code":"21984"},"shipping_fee":0,"status":"IN_PROGRESS","total_amount":24000,"workflow":"dispatch"}
{"channel":"cp1","channel_holds":[],"channel_order_id":"9100000000006","channel_status":"FINAL_DELIVERY","channel_updated_at":"2026-11-20T13:10:00Z","complete_time":"2026-11-20T11:45:00Z","currency":"KRW","customer":{"name":"최지우","phone":"010-6666-0006"},"delivery_company":"CJ 대한통운","depart_time":"2026-11-20T04:00:00Z","external_order_id":"100006","invoice_number":"340010913006","items":[{"external_item_id":"70000006","name":"쌀 10kg","quantity":1,"sku":"RICE-10","unit_price":32000}],"paid_at":"2026-11-19T23:00:20Z","placed_at":"2026-11-19T23:00:00Z","shipping":{"address":"광주광역시 서구 상무대로 6 6호","name":"최지우","phone":"010-6666-0006","postal_code":"61949"},"shipping_fee":2500,"status":"COMPLETE","total_amount":32000,"workflow":"dispatch"}
{"channel":"cp1","channel_holds":[],"channel_order_id":"9100000000007","channel_status":"NONE_TRACKING","channel_updated_at":"2026-11-20T06:00:00Z","currency":"KRW","customer":{"name":"정우성","phone":"010-7777-0007"},"depart_time":"2026-11-20T06:00:00Z","external_order_id":"100007","items":[{"external_item_id":"70000007","name":"꽃다발","quantity":1,"unit_price":45000}],"paid_at":"2026-11-20T04:00:05Z","placed_at":"2026-11-20T04:00:00Z","shipping":{"address":"경기도 성남시 분당구 판교역로 7","name":"정우성","phone":"010-7777-0007","postal_code":"13529"},"shipping_fee":0,"status":"IN_PROGRESS","total_amount":45000,"workflow":"dispatch"}
{"channel":"cp1","channel_holds":[],"channel_order_id":"9100000000008","channel_status":"ACCEPT","channel_updated_at":"2026-11-20T05:00:30Z","currency":"KRW","customer":{"name":"강*희","phone_raw":"0503-**-5464"},"external_order_id":"100008","items":[{"external_item_id":"70000008","name":"한라봉 3kg","quantity":1,"sku":"HLB-3","unit_price":30000}],"paid_at":"2026-11-20T05:00:30Z","placed_at":"2026-11-20T05:00:00Z","shipping":{"address":"제주특별자치도 제주시 8 8호","name":"강*희","phone_raw":"0503-**-5464","postal_code_raw":"690-700"},"shipping_fee":8000,"status":"WAITING","total_amount":30000,"workflow":"dispatch"}
{"channel":"cp1","channel_holds":[],"channel_order_id":"9100000000009","channel_status":"ACCEPT","channel_updated_at":"2026-11-20T06:00:40Z","currency":"KRW","customer":{"name":"윤서연","phone":"010-9999-0009"},"external_order_id":"100009","items":[{"external_item_id":"70000009","name":"우유 1L","quantity":2,"sku":"MLK-1","unit_price":2500},{"canceled":true,"cancelled_quantity":1,"external_item_id":"70000010","name":"치즈","quantity":1,"sku":"CHZ-1","unit_price":4000}],"paid_at":"2026-11-20T06:00:40Z","placed_at":"2026-11-20T06:00:00Z","shipping":{"address":"세종특별자치시 한누리대로 9","name":"윤서연","phone":"010-9999-0009","postal_code":"30151"},"shipping_fee":0,"status":"WAITING","total_amount":5000,"workflow":"dispatch"}
{"channel":"cp1","channel_holds":[],"channel_order_id":"9100000000010","channel_status":"FINAL_DELIVERY","channel_updated_at":"2026-11-20T08:00:00Z","complete_time":"2026-11-20T08:00:00Z","currency":"KRW","customer":{"name":"한가인","phone":"010-1010-0010"},"delivery_company":"롯데택배","depart_time":"2026-11-20T00:00:00Z","external_order_id":"100010","invoice_number":"230010913010","items":[{"external_item_id":"70000011","name":"커피 원두 1kg","quantity":1,"sku":"COF-1","unit_price":28000}],"paid_at":"2026-11-19T11:01:00Z","placed_at":"2026-11-19T11:00:00Z","shipping":{"address":"울산광역시 남구 삼산로 10 10층","name":"한가인","phone":"010-1010-0010","postal_code":"44719"},"shipping_fee":2500,"status":"COMPLETE","total_amount":28000,"workflow":"dispatch"}
EOF
}

# http_code URL [HEADER]: the HTTP status of a GET of URL (python3, not
# curl: curl is no test dependency).
http_code() {
	python3 -c '
import sys, urllib.error, urllib.request
r = urllib.request.Request(sys.argv[1])
if len(sys.argv) > 2:
    k, v = sys.argv[2].split(": ", 1)
    r.add_header(k, v)
try:
    print(urllib.request.urlopen(r).status)
except urllib.error.HTTPError as e:
    print(e.code)
' "$@"
}

# paths: the requests the server got, one "METHOD PATH?QUERY" a line.
paths() {
	python3 -c '
import json, sys
for line in open(sys.argv[1]):
    r = json.loads(line)
    print(r["method"], r["path"])
' server.log
}

@test "coupang: a fetch over several pages maps every field and status" {
	start_coupang
	add_coupang cp1
	run --separate-stderr uoms-fetch --channel cp1 --since "$SINCE"
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 10 ]
	printf '%s\n' "$output" | norm >got
	want_dispatch >want
	diff -u want got

	# The return requests first (cancels, then returns by status), then
	# the exchange requests 7 days a query, then every status in turn,
	# ACCEPT over two pages (nextToken), each query over KST days from a
	# week before since to today.
	paths >requests
	[ "$(wc -l <requests)" -eq 14 ]
	from=$(TZ=Asia/Seoul date -d "$SINCE 7 days ago" +%Y-%m-%d)
	to=$(TZ=Asia/Seoul date +%Y-%m-%d)
	x="GET /v2/providers/openapi/apis/api/v4/vendors/A00012345/exchangeRequests"
	x1="$x?createdAtFrom=$from&createdAtTo=$(date -d "$from 6 days" +%Y-%m-%d)&maxPerPage=50"
	x2="$x?createdAtFrom=$(date -d "$from 7 days" +%Y-%m-%d)&createdAtTo=$to&maxPerPage=50"
	r="GET /v2/providers/openapi/apis/api/v4/vendors/A00012345/returnRequests?createdAtFrom=$from&createdAtTo=$to"
	q="GET /v2/providers/openapi/apis/api/v4/vendors/A00012345/ordersheets?createdAtFrom=$from&createdAtTo=$to&maxPerPage=50"
	cat >want <<EOF
$r&cancelType=CANCEL&maxPerPage=50
$r&cancelType=RETURN&maxPerPage=50&status=RU
$r&cancelType=RETURN&maxPerPage=50&status=UC
$r&cancelType=RETURN&maxPerPage=50&status=PR
$r&cancelType=RETURN&maxPerPage=50&status=CC
$x1
$x2
$q&status=ACCEPT
$q&nextToken=100008&status=ACCEPT
$q&status=INSTRUCT
$q&status=DEPARTURE
$q&status=DELIVERING
$q&status=FINAL_DELIVERY
$q&status=NONE_TRACKING
EOF
	diff -u want requests

	printf '%s\n' "$output" | uoms-upsert --summary >/dev/null 2>summary
	[ "$(cat summary)" = "uoms-upsert: read 10, created 10, updated 0, unchanged 0, rejected 0" ]
}

@test "coupang: every status has its state on fulfillment and food-delivery" {
	start_coupang
	add_coupang cpf --workflow fulfillment
	add_coupang cpd --workflow food-delivery
	run --separate-stderr uoms-fetch --channel cpf --channel cpd --since "$SINCE"
	[ "$status" -eq 0 ]
	printf '%s\n' "$output" | python3 -c '
import json, sys
for line in sys.stdin:
    o = json.loads(line)
    print(o["channel"], o["external_order_id"], o["channel_status"], o["workflow"], o["status"])
' | sort >got
	cat >want <<'EOF'
cpd 100001 ACCEPT food-delivery pending_acceptance
cpd 100002 INSTRUCT food-delivery preparing
cpd 100003 DEPARTURE food-delivery in_transit
cpd 100004 INSTRUCT food-delivery preparing
cpd 100005 DELIVERING food-delivery in_transit
cpd 100006 FINAL_DELIVERY food-delivery delivered
cpd 100007 NONE_TRACKING food-delivery in_transit
cpd 100008 ACCEPT food-delivery pending_acceptance
cpd 100009 ACCEPT food-delivery pending_acceptance
cpd 100010 FINAL_DELIVERY food-delivery delivered
cpf 100001 ACCEPT fulfillment paid
cpf 100002 INSTRUCT fulfillment picking
cpf 100003 DEPARTURE fulfillment shipped
cpf 100004 INSTRUCT fulfillment picking
cpf 100005 DELIVERING fulfillment shipped
cpf 100006 FINAL_DELIVERY fulfillment delivered
cpf 100007 NONE_TRACKING fulfillment shipped
cpf 100008 ACCEPT fulfillment paid
cpf 100009 ACCEPT fulfillment paid
cpf 100010 FINAL_DELIVERY fulfillment delivered
EOF
	diff -u want got
	printf '%s\n' "$output" | uoms-upsert >/dev/null
}

@test "coupang: a wrong secret fails naming the channel, without the secret" {
	start_coupang
	SECRETS="$AK
sk-wrong-secret-value" add_coupang cpbad
	run --separate-stderr uoms-fetch --channel cpbad --since "$SINCE"
	[ "$status" -eq 3 ]
	[ -z "$output" ]
	[ "$stderr" = "uoms-fetch: channel cpbad: authentication failed (HTTP 401)" ]
	! grep -q -- sk-wrong-secret-value <<<"$output$stderr" || false
	! grep -q -- "$AK" <<<"$output$stderr" || false
	# One request, answered 401: no retrying a wrong secret.
	[ "$(wc -l <server.log)" -eq 1 ]

	# The other channel still completes.
	add_coupang cpgood
	run --separate-stderr uoms-fetch --channel cpbad --channel cpgood --since "$SINCE"
	[ "$status" -eq 1 ]
	[ "${#lines[@]}" -eq 10 ]
	[ "$stderr" = "uoms-fetch: channel cpbad: authentication failed (HTTP 401)" ]
}

@test "coupang: the server checks the real signature" {
	start_coupang
	url="http://127.0.0.1:$PORT/v2/providers/openapi/apis/api/v4/vendors/A00012345/ordersheets?createdAtFrom=2026-11-20&createdAtTo=2026-11-21&status=ACCEPT"
	run http_code "$url"
	[ "$output" = 401 ]
	date=$(date -u +%y%m%dT%H%M%SZ)
	sig=$(printf '%s' "${date}GET/v2/providers/openapi/apis/api/v4/vendors/A00012345/ordersheetscreatedAtFrom=2026-11-20&createdAtTo=2026-11-21&status=ACCEPT" |
	    openssl dgst -sha256 -hmac "$SK" -r | cut -d' ' -f1)
	run http_code "$url" "Authorization: CEA algorithm=HmacSHA256, access-key=$AK, signed-date=$date, signature=$sig"
	[ "$output" = 200 ]
	# Signed for another query: refused.
	run http_code "${url/ACCEPT/INSTRUCT}" "Authorization: CEA algorithm=HmacSHA256, access-key=$AK, signed-date=$date, signature=$sig"
	[ "$output" = 401 ]
}

@test "coupang: fetch | upsert twice creates nothing; a change on the channel updates once" {
	start_coupang
	add_coupang cp1
	uoms-fetch --channel cp1 --since "$SINCE" | uoms-upsert --summary >/dev/null 2>first
	[ "$(cat first)" = "uoms-upsert: read 10, created 10, updated 0, unchanged 0, rejected 0" ]
	# Incremental: from the store's high water, less the overlap.
	uoms-fetch --channel cp1 | uoms-upsert --summary >/dev/null 2>second
	[ "$(cat second)" = "uoms-upsert: read 10, created 0, updated 0, unchanged 10, rejected 0" ]

	# Box 100002 leaves the warehouse on the channel.
	python3 - <<'PY'
import json
d = json.load(open("data.json"))
for s in d["ordersheets"]:
    if s["shipmentBoxId"] == 100002:
        s["status"] = "DEPARTURE"
        s["inTrasitDateTime"] = "2026-11-20 16:00:00"
json.dump(d, open("data.json", "w"), ensure_ascii=False)
PY
	uoms-fetch --channel cp1 | uoms-upsert --summary >/dev/null 2>third
	[ "$(cat third)" = "uoms-upsert: read 10, created 0, updated 1, unchanged 9, rejected 0" ]
	run uoms-query --channel cp1 --status IN_PROGRESS
	[ "$(printf '%s\n' "$output" | jget external_order_id | sort | tr '\n' ' ')" = "100002 100003 100005 100007 " ]
	uoms-fetch --channel cp1 | uoms-upsert --summary >/dev/null 2>fourth
	[ "$(cat fourth)" = "uoms-upsert: read 10, created 0, updated 0, unchanged 10, rejected 0" ]
}

@test "coupang: a 500 is retried, the fetch completes" {
	start_coupang --fail 2:500 --fail 7:500
	add_coupang cp1
	run --separate-stderr uoms-fetch --channel cp1 --since "$SINCE"
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 10 ]
	[ "$(wc -l <server.log)" -eq 16 ]
	printf '%s\n' "$output" | norm >got
	want_dispatch >want
	diff -u want got
}

@test "coupang: an answer that is not JSON fails the channel clearly" {
	start_coupang --fail 7:badjson
	add_coupang cp1
	run --separate-stderr uoms-fetch --channel cp1 --since "$SINCE"
	[ "$status" -eq 3 ]
	[[ "$stderr" == "uoms-fetch: channel cp1: answer is not JSON ("* ]]
	! grep -q -- "$SK" <<<"$stderr" || false
}

@test "coupang: --dry-run shows the signed request, the signature masked" {
	start_coupang
	add_coupang cp1
	run --separate-stderr uoms-fetch --channel cp1 --since "$SINCE" --dry-run
	[ "$status" -eq 0 ]
	grep -q "^GET http://127.0.0.1:$PORT/v2/providers/openapi/apis/api/v4/vendors/A00012345/returnRequests?createdAtFrom=" <<<"$output"
	grep -qx 'Authorization: \*\*\*\*' <<<"$output"
	! grep -q -- "$AK" <<<"$output$stderr" || false
	! grep -q -- "$SK" <<<"$output$stderr" || false
	[ ! -s server.log ]
}

@test "coupang: --products fetches the catalog, one line per item; upsert stores it, again unchanged" {
	start_coupang
	add_coupang cp1
	run --separate-stderr uoms-fetch --channel cp1 --products
	[ "$status" -eq 0 ]
	printf '%s\n' "$output" | norm >got
	cat >want <<'WANT'
{"brand":"청송농원","category":"59258","channel":"cp1","channel_product_id":"80240831","channel_status":"승인완료","currency":"KRW","name":"사과 3kg, 대","price":19000,"product_name":"청송 사과 3kg","sku":"APL-3-L","stock":120,"vendor_item_id":"3242596358"}
{"brand":"청송농원","category":"59258","channel":"cp1","channel_product_id":"80240831","channel_status":"승인완료","currency":"KRW","name":"사과 3kg, 중","price":16000,"product_name":"청송 사과 3kg","sku":"APL-3-M","stock":0,"vendor_item_id":"3242596359"}
{"category":"59259","channel":"cp1","channel_product_id":"80000001","channel_status":"승인완료","currency":"KRW","name":"배 1kg","price":7000,"product_name":"나주 배","sku":"PEAR-1","stock":35,"vendor_item_id":"70000001"}
{"category":"80301","channel":"cp1","channel_product_id":"80000099","channel_status":"승인완료","currency":"KRW","name":"꽃다발","price":45000,"product_name":"꽃다발","sku":"70000007","stock":5,"vendor_item_id":"70000007"}
WANT
	diff -u want got

	# A page of two products, then each product's items, then the last
	# page (one product) and its items: all signed.
	paths >requests
	p=/v2/providers/seller_api/apis/api/v1/marketplace/seller-products
	cat >want <<WANT
GET $p?vendorId=A00012345&maxPerPage=100
GET $p/80000001
GET $p/80000099
GET $p?vendorId=A00012345&nextToken=80240831&maxPerPage=100
GET $p/80240831
WANT
	diff -u want requests

	printf '%s\n' "$output" | uoms-upsert --products --summary >/dev/null 2>first
	[ "$(cat first)" = "uoms-upsert: read 4, created 4, updated 0, unchanged 0, rejected 0" ]
	[ "$(sql "SELECT sku, name, category, price, stock FROM products ORDER BY sku")" = "70000007|꽃다발|80301|45000|5
APL-3-L|사과 3kg, 대|59258|19000|120
APL-3-M|사과 3kg, 중|59258|16000|0
PEAR-1|배 1kg|59259|7000|35" ]
	uoms-fetch --channel cp1 --products | uoms-upsert --products --summary >/dev/null 2>second
	[ "$(cat second)" = "uoms-upsert: read 4, created 0, updated 0, unchanged 4, rejected 0" ]
}

@test "coupang: --products with a wrong secret fails the channel, without the secret" {
	start_coupang
	SECRETS="$AK
sk-wrong-secret-value" add_coupang cpbad
	run --separate-stderr uoms-fetch --channel cpbad --products
	[ "$status" -eq 3 ]
	[ -z "$output" ]
	[ "$stderr" = "uoms-fetch: channel cpbad: authentication failed (HTTP 401)" ]
	! grep -q -- sk-wrong-secret-value <<<"$stderr" || false
}
