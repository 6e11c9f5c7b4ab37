#!/usr/bin/env bats
# The money members each kind fills (issue 9, item 4), end to end through
# uoms-channel, uoms-fetch and uoms-upsert against the fake servers of
# t/fake/: items[].cancelled_quantity and refunded_amount from each
# channel's cancels, claims and refunds, every amount in the minor units of
# its own currency (ISO 4217, lib/currency), and an order whose currency is
# not ISO 4217 refused by name while the rest of its page goes on. Figures
# are worked out by hand in the comments.
load helper

export UOMS_SECRET_KEY=00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff
TOKEN=shpat_test_token
KEY=ck_test_key
SECRET=cs_test_secret

teardown() {
	fake_stop_all
}

# pick FILE EXT_ID: the fetched line (in FILE) of order EXT_ID, keys sorted.
pick() {
	python3 -c '
import json, sys
for line in open(sys.argv[1]):
    o = json.loads(line)
    if o["external_order_id"] == sys.argv[2]:
        print(json.dumps(o, ensure_ascii=False, sort_keys=True, separators=(",", ":")))
' "$1" "$2"
}

# money FILE EXT_ID: "currency total refunded | item:qty:cancelled:price ..."
# of order EXT_ID in FILE (one JSON record a line: fetched or queried);
# "-" for a member left out.
money() {
	python3 -c '
import json, sys
for line in open(sys.argv[1]):
    o = json.loads(line)
    if o["external_order_id"] != sys.argv[2]:
        continue
    g = lambda d, k: str(d.get(k, "-"))
    print(g(o, "currency"), g(o, "total_amount"), g(o, "refunded_amount"), "|",
          " ".join("%s:%s:%s:%s" % (i["external_item_id"], g(i, "quantity"),
                   g(i, "cancelled_quantity"), g(i, "unit_price"))
                   for i in sorted(o["items"], key=lambda i: i["external_item_id"])))
' "$1" "$2"
}

# woo_orders FILE SPEC...: WooCommerce orders (as the REST API v3 lists
# them) into FILE, changed MIN minutes ago; SPEC is ID:CURRENCY:TOTAL:
# PRICE:REFUND (CURRENCY "" leaves it out; REFUND "" no refund).
woo_orders() {
	python3 - "$@" <<'EOF'
import datetime, json, sys
now = datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)
out = []
for n, spec in enumerate(sys.argv[2:]):
    oid, cur, total, price, refund = spec.split(":")
    t = (now - datetime.timedelta(minutes=60 - n)).strftime("%Y-%m-%dT%H:%M:%S")
    o = {"id": int(oid), "number": oid, "status": "processing",
         "date_created": t, "date_created_gmt": t,
         "date_modified": t, "date_modified_gmt": t,
         "total": total,
         "line_items": [{"id": int(oid) * 10, "name": "사과", "quantity": 1,
                         "sku": "APL", "subtotal": price, "total": price,
                         # a JSON number in v3: the total is read
                         "price": float(price)}],
         "refunds": [{"id": int(oid) * 100, "reason": "",
                      "total": "-" + refund}] if refund else []}
    if cur:
        o["currency"] = cur
    out.append(o)
json.dump(out, open(sys.argv[1], "w"))
EOF
}

# add_woo NAME [ARGS...]: a WooCommerce channel on the fake server at PORT.
add_woo() {
	local name=$1
	shift
	printf '%s\n%s\n' "$KEY" "$SECRET" | uoms-channel add "$name" \
	    --kind woocommerce --base-url "http://127.0.0.1:$PORT" \
	    --secret consumer_key --secret consumer_secret "$@" >/dev/null
}

@test "shopify: refunded units are cancelled, money back beyond them refunded, each in its currency" {
	cat >shop.json <<'EOF'
{"orders": [
 {"id": 1, "name": "#1001", "order_number": 1001, "currency": "USD",
  "created_at": "2026-11-21T09:00:00+09:00", "updated_at": "2026-11-21T10:00:00+09:00",
  "financial_status": "partially_refunded", "fulfillment_status": "fulfilled",
  "total_price": "50.99",
  "line_items": [
   {"id": 11, "title": "Mug", "name": "Mug", "sku": "MUG", "quantity": 2, "price": "20.00"},
   {"id": 12, "title": "Tea", "name": "Tea", "sku": "TEA", "quantity": 1, "price": "5.99"}],
  "refunds": [{"id": 901, "order_id": 1, "created_at": "2026-11-21T10:00:00+09:00",
   "refund_line_items": [{"id": 9011, "line_item_id": 11, "quantity": 1,
     "restock_type": "return", "subtotal": "20.00", "total_tax": "0.00"}],
   "transactions": [
    {"id": 71, "order_id": 1, "kind": "refund", "status": "failure", "amount": "25.00", "currency": "USD"},
    {"id": 72, "order_id": 1, "kind": "refund", "status": "success", "amount": "25.00", "currency": "USD"},
    {"id": 73, "order_id": 1, "kind": "sale", "status": "success", "amount": "50.99", "currency": "USD"}]}]},
 {"id": 2, "name": "#1002", "order_number": 1002, "currency": "JPY",
  "created_at": "2026-11-21T09:01:00+09:00", "updated_at": "2026-11-21T10:01:00+09:00",
  "financial_status": "paid", "fulfillment_status": null, "total_price": "3000",
  "line_items": [{"id": 21, "title": "Cup", "name": "Cup", "sku": "CUP", "quantity": 2, "price": "1500"}],
  "refunds": []},
 {"id": 3, "name": "#1003", "order_number": 1003, "currency": "KRW",
  "created_at": "2026-11-21T09:02:00+09:00", "updated_at": "2026-11-21T10:02:00+09:00",
  "financial_status": "refunded", "fulfillment_status": null, "total_price": "38000.00",
  "line_items": [{"id": 31, "title": "Pear", "name": "Pear", "sku": "PEAR", "quantity": 2, "price": "19000.00"}],
  "refunds": [{"id": 902, "order_id": 3, "created_at": "2026-11-21T10:02:00+09:00",
   "refund_line_items": [{"id": 9021, "line_item_id": 31, "quantity": 2,
     "restock_type": "cancel", "subtotal": "38000.00", "total_tax": "0.00"}],
   "transactions": [{"id": 74, "order_id": 3, "kind": "refund", "status": "success",
     "amount": "38000.00", "currency": "KRW"}]}]}
]}
EOF
	fake_start shopify_server.py --data shop.json --log server.log
	printf '%s\n' "$TOKEN" | uoms-channel add shop1 --kind shopify \
	    --base-url "http://127.0.0.1:$PORT" --secret access_token >/dev/null
	run --separate-stderr uoms-fetch --channel shop1 --since 2026-11-01
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	printf '%s\n' "$output" >got
	# #1001 in USD (2 decimals): the mugs 2000, one of the two refunded;
	# 25.00 back of which 20.00 was that mug: 500 (the shipping) is
	# refunded_amount; the failed transaction and the sale count nothing.
	[ "$(money got 1)" = "USD 5099 500 | 11:2:1:2000 12:1:-:599" ]
	# #1002 in JPY (no decimals): "1500" is 1500, not 150000.
	[ "$(money got 2)" = "JPY 3000 - | 21:2:-:1500" ]
	# #1003 in KRW refunded whole: both units cancelled, 38000 back is
	# theirs, nothing more to take off.
	[ "$(money got 3)" = "KRW 38000 - | 31:2:2:19000" ]

	# The store keeps them; the query gives them back (0s left out).
	printf '%s\n' "$output" | uoms-upsert >/dev/null
	uoms-query --channel shop1 >stored
	[ "$(money stored 1)" = "USD 5099 500 | 11:2:1:2000 12:1:-:599" ]
	[ "$(money stored 3)" = "KRW 38000 - | 31:2:2:19000" ]
}

@test "shopify: the catalog is priced in the shop's currency, asked of the shop when not set" {
	cat >products.json <<'EOF'
[{"id": 7, "title": "Cup", "product_type": "Kitchen", "status": "active",
  "updated_at": "2026-11-20T10:00:00+09:00",
  "variants": [{"id": 71, "title": "Default Title", "sku": "CUP",
                "price": "1500.00", "inventory_quantity": 3}]}]
EOF
	fake_start shopify_server.py --product-data products.json \
	    --currency JPY --log server.log
	printf '%s\n' "$TOKEN" | uoms-channel add shopjp --kind shopify \
	    --base-url "http://127.0.0.1:$PORT" --secret access_token >/dev/null
	run --separate-stderr uoms-fetch --channel shopjp --products \
	    --since 2026-11-01
	[ "$status" -eq 0 ]
	# JPY has no minor unit: "1500.00" is 1500 (as USD it was 150000).
	[ "$(python3 -c 'import json,sys; p=json.loads(sys.argv[1]); print(p["currency"], p["price"])' "$output")" = "JPY 1500" ]
	head -1 server.log | grep -q '^POST /admin/api/2026-10/graphql.json shop .* -> 200$'

	# A shop that names no currency: nothing is assumed, nothing printed.
	fake_stop_all
	fake_start shopify_server.py --product-data products.json \
	    --currency '' --log server2.log
	printf '%s\n' "$TOKEN" | uoms-channel add shopnone --kind shopify \
	    --base-url "http://127.0.0.1:$PORT" --secret access_token >/dev/null
	run --separate-stderr uoms-fetch --channel shopnone --products \
	    --since 2026-11-01
	[ "$status" -eq 3 ]
	[ -z "$output" ]
	[[ "$stderr" == *"channel shopnone: the shop's currency '' is not an ISO 4217 code"* ]]
}

@test "woocommerce: a KRW store and a USD store, each amount in its own minor units" {
	# Order 501 of the KRW store: "12000.00" is 12000 won; 3000 back.
	woo_orders krw.json 501:KRW:12000.00:12000.00:3000.00
	cat >krw-products.json <<'EOF'
[{"id": 93, "name": "사과", "sku": "APL", "status": "publish", "price": "12000.00",
  "date_modified": "2026-11-20T10:00:00", "date_modified_gmt": "2026-11-20T01:00:00",
  "stock_quantity": 5, "categories": [], "meta_data": [{"id": 1, "key": "_cost", "value": "7000"}]}]
EOF
	fake_start woocommerce_server.py --data krw.json \
	    --product-data krw-products.json --currency KRW --log krw.log
	add_woo wookr

	# Orders 601 and 602 of the USD store: "12.50" is 1250 cents; 602
	# carries no currency: the store's (settings/general), USD.
	woo_orders usd.json 601:USD:12.50:12.50:2.50 602::7.25:7.25:
	sed 's/"12000.00"/"12.50"/; s/"7000"/"7.99"/' krw-products.json \
	    >usd-products.json
	fake_start woocommerce_server.py --data usd.json \
	    --product-data usd-products.json --currency USD --log usd.log
	add_woo woous

	run --separate-stderr uoms-fetch --channel wookr --channel woous
	[ "$status" -eq 0 ]
	printf '%s\n' "$output" >got
	[ "$(money got 501)" = "KRW 12000 3000 | 5010:1:-:12000" ]
	[ "$(money got 601)" = "USD 1250 250 | 6010:1:-:1250" ]
	[ "$(money got 602)" = "USD 725 - | 6020:1:-:725" ]
	# The USD store was asked its currency once, for 602's page; the
	# KRW store, whose orders all say theirs, never.
	[ "$(grep -c '^GET /wp-json/wc/v3/settings/general -> 200$' usd.log)" -eq 1 ]
	run ! grep -q settings krw.log

	# The catalog: no currency set, so each store's own.
	run --separate-stderr uoms-fetch --channel wookr --channel woous \
	    --products --since 2026-11-01
	[ "$status" -eq 0 ]
	printf '%s\n' "$output" | python3 -c '
import json, sys
for line in sys.stdin:
    p = json.loads(line)
    print(p["channel"], p["currency"], p["price"], p["cost"])' | sort >got
	printf '%s\n' "wookr KRW 12000 7000" "woous USD 1250 799" >want
	diff -u want got
	grep -q '^GET /wp-json/wc/v3/settings/general -> 200$' krw.log
}

@test "woocommerce: an order in a currency outside ISO 4217 is refused by name; the page goes on; the next fetch asks again" {
	woo_orders shop.json 700:KRW:19000:19000: 701:XYZ:5:5: 702:KRW:8000:8000:
	fake_start woocommerce_server.py --data shop.json --log server.log
	add_woo wooz
	run --separate-stderr uoms-fetch --channel wooz
	[ "$status" -eq 1 ]
	[[ "$stderr" == *"channel wooz: order 701: currency 'XYZ' is not an ISO 4217 code"* ]]
	[ "$(grep -c . <<<"$stderr")" -eq 1 ]
	printf '%s\n' "$output" >got
	[ "$(python3 -c 'import json,sys; print(" ".join(json.loads(l)["external_order_id"] for l in open("got")))')" = "700 702" ]
	printf '%s\n' "$output" | uoms-upsert >/dev/null

	# The shop fixes it; the next fetch (no --since: the watermark, which
	# did not move past the refused order) gets it.
	sed -i 's/"XYZ"/"USD"/' shop.json
	run --separate-stderr uoms-fetch --channel wooz
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	printf '%s\n' "$output" >again
	[ "$(money again 701)" = "USD 500 - | 7010:1:-:500" ]
}

# The data of t/7003 and t/7004 is dated around 2026-11-20 (KST); their
# servers move it SHIFT days so that it is yesterday's.
SHIFT=$(python3 -c 'import datetime as d
print((d.datetime.now(d.timezone(d.timedelta(hours=9))).date() - d.date(2026, 11, 21)).days)')

@test "coupang: cancelCount is the cancelled part of what was ordered; the order sheet gives no refund" {
	# Box 100009: milk, 2 shipped; cheese, cancelled whole (cancelCount 1).
	# Make the milk a partial cancel too: 2 shipping, 1 cancelled, 3 ordered.
	python3 - "$SRC/t/data/kind-coupang.json" <<'EOF' >data.json
import json, sys
d = json.load(open(sys.argv[1]))
for box in d["ordersheets"]:
    for it in box.get("orderItems", []):
        if it.get("vendorItemId") == 70000009:
            it["cancelCount"] = 1
json.dump(d, sys.stdout, ensure_ascii=False)
EOF
	fake_start coupang_server.py --data data.json --page-size 2 \
	    --shift-days "$SHIFT" --access-key ak --secret-key sk \
	    --vendor-id A00012345 --log server.log
	printf '%s\n%s\n' ak sk | uoms-channel add cp1 --kind coupang \
	    --base-url "http://127.0.0.1:$PORT" --set vendor_id=A00012345 \
	    --set max_rate=50 --secret access_key --secret secret_key >/dev/null
	run --separate-stderr uoms-fetch --channel cp1 \
	    --since "$(date -u -d '3 days ago' +%Y-%m-%dT%H:%M:%SZ)"
	[ "$status" -eq 0 ]
	printf '%s\n' "$output" >got
	# orderPrice 5000 of the milk shipped; KRW, no refund member.
	[ "$(money got 100009)" = "KRW 5000 - | 70000009:3:1:2500 70000010:1:1:4000" ]
	printf '%s\n' "$output" | uoms-upsert >/dev/null
	uoms-query --channel cp1 >stored
	[ "$(money stored 100009)" = "KRW 5000 - | 70000009:3:1:2500 70000010:1:1:4000" ]
}

@test "naver: a done cancel or return claim cancels its units, one under way does not" {
	python3 - <<'EOF' >data.json
import json
def po(pid, status, qty, price, claim=None, **more):
    p = {"productOrderId": pid, "productOrderStatus": status,
         "placeOrderStatus": "OK", "productId": "5" + pid[-3:],
         "productName": "상품 " + pid[-1], "quantity": qty, "unitPrice": price,
         "optionPrice": 0, "totalProductAmount": qty * price,
         "totalPaymentAmount": qty * price, "deliveryFeeAmount": 0,
         "shippingAddress": {"addressType": "DOMESTIC",
                             "baseAddress": "서울특별시 중구 세종대로 1",
                             "detailedAddress": "", "name": "홍길동",
                             "tel1": "010-1234-0001", "zipCode": "04524"},
         "sellerProductCode": "SKU-" + pid[-1]}
    if claim:
        p["claimType"], p["claimStatus"] = claim
        p["claimId"] = "CL-" + pid[-3:]
    p.update(more)
    return {"order": {"orderId": "2026112010009001",
                      "orderDate": "2026-11-20T09:50:00.000+09:00",
                      "ordererName": "홍길동", "ordererTel": "010-1234-0001",
                      "paymentDate": "2026-11-20T09:51:00.000+09:00",
                      "paymentMeans": "신용카드"},
            "productOrder": p,
            "lastChangedDate": "2026-11-20T12:00:00.000+09:00",
            "lastChangedType": "CLAIM_COMPLETED" if claim else "PAYED"}
print(json.dumps({"productOrders": [
    # 3 ordered, 2 cancelled (done), 1 left to ship
    po("2026112099009001", "PAYED", 1, 10000, ("CANCEL", "CANCEL_DONE"),
       initialQuantity=3, remainQuantity=1),
    # a return asked for, not done: nothing cancelled yet
    po("2026112099009002", "DELIVERED", 2, 5000, ("RETURN", "RETURN_REQUEST")),
    # returned whole
    po("2026112099009003", "RETURNED", 2, 3000, ("RETURN", "RETURN_DONE")),
], "products": []}, ensure_ascii=False))
EOF
	fake_start naver_server.py --data data.json --shift-days "$SHIFT" \
	    --client-id nv-client --client-secret '$2a$04$abcdefghijklmnopqrstuu' \
	    --log server.log
	printf '%s\n%s\n' nv-client '$2a$04$abcdefghijklmnopqrstuu' |
	    uoms-channel add nv1 --kind naver --base-url "http://127.0.0.1:$PORT" \
	    --set max_rate=50 --secret client_id --secret client_secret >/dev/null
	run --separate-stderr uoms-fetch --channel nv1 --since "$(date -u -d \
	    "$(TZ=Asia/Seoul date -d '3 days ago' +%F) 00:00 +0900" +%Y-%m-%dT%H:%M:%SZ)"
	[ "$status" -eq 0 ]
	printf '%s\n' "$output" >got
	# total: what is still to be paid: 10000 + 2 x 5000 (the returned
	# product order adds nothing); Naver gives no refund amount apart
	# from the cancelled units.
	[ "$(money got 2026112010009001)" = "KRW 20000 - | 2026112099009001:3:2:10000 2026112099009002:2:-:5000 2026112099009003:2:2:3000" ]
}
