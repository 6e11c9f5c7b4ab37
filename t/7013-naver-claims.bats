#!/usr/bin/env bats
# kind naver, issue 10: a revoked token is re-issued once; claims under
# way hold the order (channel_holds on the line), a done cancel cancels
# it, a done return refunds; the gateway's GNCP-GW-RateLimit-* bucket
# paces the fetch and its 429 is waited out, bounded. Against
# t/fake/naver_server.py, which counts the token requests (server.log)
# and its answers (answers.log).
load helper

export UOMS_SECRET_KEY=00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff
CLIENT_ID=naver-claims-client
CLIENT_SECRET='$2a$04$abcdefghijklmnopqrstuu'
ORDER=2026112010007001

teardown() {
	fake_stop_all
}

# data [ARGS...]: data.json with one order ($ORDER) of two product
# orders, changed a few minutes ago (later each call, so a refetch sees
# the change), as naver_data below says; extra members of the data
# (revokedTokens, revokeAll) are kept.
data() {
	python3 - "$@" <<'PY'
import datetime, json, os, sys
KST = datetime.timezone(datetime.timedelta(hours=9))
step = 1
if os.path.exists("step"):
    step = int(open("step").read()) + 1
open("step", "w").write(str(step))
changed = (datetime.datetime.now(KST) - datetime.timedelta(minutes=60 - step)
           ).isoformat(timespec="milliseconds")
old = {}
if os.path.exists("data.json"):
    old = json.load(open("data.json"))
# ARGS: PID=STATUS[,claimType,claimStatus[,claimId]][,fee=N][,charged=N]
rows = []
for arg in sys.argv[1:]:
    pid, _, spec = arg.partition("=")
    parts = spec.split(",")
    fee = charged = 0
    for p in list(parts):
        if p.startswith("fee="):
            fee = int(p[4:]); parts.remove(p)
        elif p.startswith("charged="):
            charged = int(p[8:]); parts.remove(p)
    po = {"productOrderId": pid, "productOrderStatus": parts[0],
          "placeOrderStatus": "OK", "productId": "5" + pid[-3:],
          "productName": "상품 " + pid[-1], "quantity": 2,
          "unitPrice": 4000, "optionPrice": 0, "totalProductAmount": 8000,
          "totalPaymentAmount": 8000, "deliveryFeeAmount": fee,
          "shippingAddress": {"baseAddress": "서울특별시 중구 세종대로 1",
                              "detailedAddress": "", "name": "홍길동",
                              "tel1": "010-1234-0001", "zipCode": "04524"},
          "sellerProductCode": "SKU-" + pid[-1]}
    row = {"order": {"orderId": "2026112010007001",
                     "orderDate": "2026-11-20T09:50:00.000+09:00",
                     "ordererName": "홍길동", "ordererTel": "010-1234-0001",
                     "paymentDate": "2026-11-20T09:51:00.000+09:00",
                     "paymentMeans": "신용카드"},
           "productOrder": po, "lastChangedDate": changed,
           "lastChangedType": "CLAIM_REQUESTED" if len(parts) > 1 else "PAYED"}
    if len(parts) > 1:
        po["claimType"], po["claimStatus"] = parts[1], parts[2]
        if len(parts) > 3:
            po["claimId"] = parts[3]
        member = {"CANCEL": "cancel", "RETURN": "return",
                  "EXCHANGE": "exchange"}.get(parts[1])
        if member == "return":
            row["return"] = {"returnReason": "INTENT_CHANGED",
                             "claimDeliveryFeeDemandAmount": charged}
        elif member:
            row[member] = {member + "Reason": "INTENT_CHANGED"}
    rows.append(row)
old["productOrders"] = rows
old.setdefault("products", [])
json.dump(old, open("data.json", "w"), ensure_ascii=False)
PY
}

# start_naver [ARGS...]: the fake on data.json, its port in PORT.
start_naver() {
	fake_start naver_server.py --data data.json --client-id "$CLIENT_ID" \
	    --client-secret "$CLIENT_SECRET" --log server.log \
	    --answers answers.log "$@"
}

# add_naver NAME [ARGS...]: the channel on the fake, at the kind's own
# pace (no max_rate).
add_naver() {
	local name=$1
	shift
	printf '%s\n%s\n' "$CLIENT_ID" "$CLIENT_SECRET" |
	    uoms-channel add "$name" --kind naver \
	    --base-url "http://127.0.0.1:$PORT" --secret client_id \
	    --secret client_secret "$@" >/dev/null
}

SINCE=$(date -u -d '1 day ago' +%Y-%m-%dT%H:%M:%SZ)

fetch() {
	uoms-fetch --channel "${1:-nv1}" --since "$SINCE"
}

# tokens: the token requests the fake was sent.
tokens() {
	grep -c '"path": "/external/v1/oauth2/token"' server.log || true
}

# bearers: the distinct bearer tokens sent, in order of first use.
bearers() {
	python3 -c '
import json
seen = []
for l in open("server.log"):
    t = json.loads(l)["headers"].get("Authorization", "")
    if t and t not in seen:
        seen.append(t)
print("\n".join(t[7:] for t in seen))'
}

# member NAME: that member of the one line in $output, compact JSON.
member() {
	printf '%s\n' "$output" | python3 -c '
import json, sys
o = json.loads(sys.stdin.readline())
print(json.dumps(o.get(sys.argv[1], "absent"), ensure_ascii=False, sort_keys=True, separators=(",", ":")))' "$1"
}

# set_data KEY JSON: a member of data.json's top level.
set_data() {
	python3 -c '
import json, sys
d = json.load(open("data.json"))
d[sys.argv[1]] = json.loads(sys.argv[2])
json.dump(d, open("data.json", "w"), ensure_ascii=False)' "$1" "$2"
}

@test "naver claims: a revoked token is dropped, one new one issued, and the fetch succeeds" {
	data 2026112099007001=PAYED 2026112099007002=PAYED
	start_naver
	add_naver nv1
	run --separate-stderr fetch
	[ "$status" -eq 0 ]
	[ "$(tokens)" -eq 1 ]
	first=$(bearers)
	[ -n "$first" ]

	# Revoked (or re-issued to another caller): the kept token is refused.
	set_data revokedTokens "[\"$first\"]"
	run --separate-stderr fetch
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	[ "$(printf '%s\n' "$output" | jget external_order_id)" = "$ORDER" ]
	[ "$(tokens)" -eq 2 ]
	[ "$(grep -c '^401 ' answers.log)" -eq 1 ]
	[ "$(bearers | wc -l)" -eq 2 ]
	second=$(bearers | tail -1)
	[ "$second" != "$first" ]
	# The new one is kept sealed for the next fetch: no third request.
	run --separate-stderr fetch
	[ "$status" -eq 0 ]
	[ "$(tokens)" -eq 2 ]
	[ "$(grep -c '^401 ' answers.log)" -eq 1 ]

	# Naver hands the same token to another caller while 30 minutes or
	# more remain of it, as the fake does.
	add_naver nv2
	run --separate-stderr fetch nv2
	[ "$status" -eq 0 ]
	[ "$(tokens)" -eq 3 ]
	[ "$(bearers | wc -l)" -eq 2 ]
}

@test "naver claims: a 401 to a token issued just now fails the channel clearly" {
	data 2026112099007001=PAYED
	start_naver
	add_naver nv1
	set_data revokeAll true
	run --separate-stderr fetch
	[ "$status" -eq 3 ]
	[ -z "$output" ]
	[ "$stderr" = "uoms-fetch: channel nv1: authentication failed (HTTP 401 GW.AUTHN) with a token issued just now" ]
	# One token, refused; one more, refused: no third.
	[ "$(tokens)" -eq 2 ]
	[ "$(grep -c '^401 ' answers.log)" -eq 2 ]
	# Neither is kept: the next fetch asks for a token first.
	run uoms-channel show nv1
	[ "$status" -eq 0 ]
	[[ "$output" == *'"secrets":["client_id","client_secret"],'* ]]
}

@test "naver claims: a cancel, return or exchange under way is a channel_holds entry until it ends" {
	data 2026112099007001=PAYED,CANCEL,CANCEL_REQUEST,CA-7001 \
	    2026112099007002=PAYED
	start_naver
	add_naver nv1
	run --separate-stderr fetch
	[ "$status" -eq 0 ]
	[ "$(member channel_holds)" = '[{"key":"naver:claim:CANCEL:CA-7001","note":"Naver cancel request CA-7001 (CANCEL_REQUEST) on product order 2026112099007001 상품 1: INTENT_CHANGED"}]' ]
	# Nothing cancelled yet: the order is still to ship, held.
	[ "$(member status)" = '"WAITING"' ]
	[ "$(printf '%s\n' "$output" | jget items | grep -c cancelled_quantity)" -eq 0 ]
	printf '%s\n' "$output" | uoms-upsert --summary >/dev/null 2>summary
	[ "$(cat summary)" = "uoms-upsert: read 1, created 1, updated 0, unchanged 0, rejected 0" ]

	# Being cancelled, and a return asked on the other: two entries.
	data 2026112099007001=PAYED,CANCEL,CANCELING,CA-7001 \
	    2026112099007002=DELIVERED,RETURN,COLLECTING,RT-7002
	run --separate-stderr fetch
	[ "$status" -eq 0 ]
	[ "$(member channel_holds | python3 -c 'import json,sys; print(" ".join(h["key"] for h in json.load(sys.stdin)))')" = "naver:claim:CANCEL:CA-7001 naver:claim:RETURN:RT-7002" ]

	# The cancel rejected, the return withdrawn: [] so the holds end.
	data 2026112099007001=PAYED,CANCEL,CANCEL_REJECT,CA-7001 \
	    2026112099007002=DELIVERED,RETURN,RETURN_REJECT,RT-7002
	run --separate-stderr fetch
	[ "$status" -eq 0 ]
	[ "$(member channel_holds)" = '[]' ]
	printf '%s\n' "$output" | uoms-upsert --summary >/dev/null 2>summary
	[ "$(cat summary)" = "uoms-upsert: read 1, created 0, updated 1, unchanged 0, rejected 0" ]
}

@test "naver claims: a done cancel of the whole order cancels it in the store" {
	data 2026112099007001=PAYED 2026112099007002=PAYED
	start_naver
	add_naver nv1
	fetch | uoms-upsert >/dev/null
	[ "$(uoms-query --channel nv1 | jget status)" = "WAITING" ]

	data 2026112099007001=CANCELED,CANCEL,CANCEL_DONE,CA-7001 \
	    2026112099007002=CANCELED,CANCEL,CANCEL_DONE,CA-7001
	run --separate-stderr fetch
	[ "$status" -eq 0 ]
	[ "$(member channel_holds)" = '[]' ]
	printf '%s\n' "$output" | uoms-upsert --summary >/dev/null 2>summary
	[ "$(cat summary)" = "uoms-upsert: read 1, created 0, updated 1, unchanged 0, rejected 0" ]
	run uoms-query --channel nv1
	[ "$(printf '%s\n' "$output" | jget status)" = "CANCEL" ]
	[ "$(printf '%s\n' "$output" | python3 -c '
import json, sys
o = json.loads(sys.stdin.readline())
print(" ".join("%s:%s" % (i["quantity"], i.get("cancelled_quantity", 0)) for i in o["items"]))')" = "2:2 2:2" ]
}

@test "naver claims: a done return cancels its units and refunds the shipping, less what the buyer was charged" {
	data 2026112099007001=DELIVERED,fee=3000 2026112099007002=DELIVERED
	start_naver
	add_naver nv1
	fetch | uoms-upsert >/dev/null
	[ "$(uoms-query --channel nv1 | jget status)" = "COMPLETE" ]

	data 2026112099007001=RETURNED,RETURN,RETURN_DONE,RT-7001,fee=3000,charged=1000 \
	    2026112099007002=RETURNED,RETURN,RETURN_DONE,RT-7001
	run --separate-stderr fetch
	[ "$status" -eq 0 ]
	[ "$(member refunded_amount)" = 2000 ]
	[ "$(member channel_holds)" = '[]' ]
	printf '%s\n' "$output" | uoms-upsert >/dev/null
	run uoms-query --channel nv1
	[ "$(printf '%s\n' "$output" | jget refunded_amount)" = 2000 ]
	[ "$(printf '%s\n' "$output" | python3 -c '
import json, sys
o = json.loads(sys.stdin.readline())
print(" ".join("%s:%s" % (i["quantity"], i.get("cancelled_quantity", 0)) for i in o["items"]))')" = "2:2 2:2" ]

	# A return of part of the order: its units, no shipping back.
	data 2026112099007001=RETURNED,RETURN,RETURN_DONE,RT-7001,fee=3000 \
	    2026112099007002=DELIVERED
	run --separate-stderr fetch
	[ "$status" -eq 0 ]
	[ "$(member refunded_amount)" = '"absent"' ]
}

@test "naver claims: the gateway's bucket paces the fetch: no 429 when it refills slower than the old pace" {
	# Four requests a second, one at a time: a fixed 5 a second would
	# be refused; waiting for the refill the headers announce is not.
	data 2026112099007001=PAYED
	start_naver --rate 4 --burst 1
	add_naver nv1
	run --separate-stderr fetch
	[ "$status" -eq 0 ]
	[ "$(printf '%s\n' "$output" | jget external_order_id)" = "$ORDER" ]
	[ "$(wc -l <answers.log)" -ge 4 ]
	[ "$(grep -vc '^200 ' answers.log)" -eq 0 ]
}

@test "naver claims: a 429 is waited out as the headers say, a few times, then fails clearly" {
	data 2026112099007001=PAYED
	start_naver --rate 20 --burst 0
	add_naver nv1
	printf 'fetch_retries: 2\n' >uoms.yaml
	run --separate-stderr uoms-fetch -c uoms.yaml --channel nv1 --since "$SINCE"
	[ "$status" -eq 3 ]
	[ "$stderr" = "uoms-fetch: channel nv1: rate limited (HTTP 429 GW.RATE_LIMIT) (gave up after 3 tries)" ]
	[ "$(grep -c '^429 ' answers.log)" -eq 3 ]
	fake_stop_all

	# A wait longer than a minute is not waited: said at once.
	rm -f answers.log
	start_naver --fail 1:429:600
	add_naver nv2
	run --separate-stderr fetch nv2
	[ "$status" -eq 3 ]
	[ "$stderr" = "uoms-fetch: channel nv2: rate limited (HTTP 429): the gateway asks to wait 600 s, more than 60; try again later" ]
	[ "$(wc -l <answers.log)" -eq 1 ]
}
