#!/usr/bin/env python3
"""A fake Naver Commerce API (SmartStore) for the tests: python3 standard
library only (bcrypt through the system's libcrypt, by ctypes), on
fake_http.py.

It behaves as the public docs describe the real one:
  authentication  https://apicenter.commerce.naver.com/docs/auth
  token           https://apicenter.commerce.naver.com/docs/commerce-api/current/exchange-sellers-auth
  changes         https://apicenter.commerce.naver.com/docs/commerce-api/current/seller-get-last-changed-status-pay-order-seller
  details         https://apicenter.commerce.naver.com/docs/commerce-api/current/seller-get-product-orders-pay-order-seller
  order's ids     https://apicenter.commerce.naver.com/docs/commerce-api/current/seller-get-product-order-ids-pay-order-seller

POST /external/v1/oauth2/token (form client_id, timestamp, client_secret_sign,
    grant_type=client_credentials, type=SELF): checks client_secret_sign =
    base64(bcrypt(client_id + "_" + timestamp, salt = client secret)) and a
    timestamp within 5 minutes; answers {access_token, expires_in,
    token_type}, or 401 (GW.AUTHN) when wrong. A token lives --token-ttl
    seconds (3 hours). Like Naver, the same token is handed back, with
    the seconds it has left, while 30 minutes or more remain and it is
    not revoked; else a new one.
Every other call wants "Authorization: Bearer TOKEN" (401 GW.AUTHN without,
    or with a token revoked: see "revokedTokens" below).
Every answer carries the gateway's bucket (--rate requests a second,
    --burst at most): GNCP-GW-RateLimit-Replenish-Rate, -Burst-Capacity
    and -Remaining; a call when it is empty is refused 429 GW.RATE_LIMIT
    (the token request too), as
    https://github.com/commerce-api-naver/commerce-api/discussions/6 says.
GET /external/v1/pay-order/seller/product-orders/last-changed-statuses
    ?lastChangedFrom=T[&lastChangedTo=T][&moreSequence=S][&limitCount=N]:
    the changes in [from, to] (to: 24 hours after from when absent; more
    than 24 hours is a 400), oldest first, at most 300 (--page-size fewer),
    with more {moreFrom, moreSequence} when some are left.
GET /external/v1/pay-order/seller/orders/ORDER/product-order-ids
POST /external/v1/pay-order/seller/product-orders/query {"productOrderIds":
    [...]} (at most 300, else 400).
POST /external/v1/products/search {"page": N, "size": M, ...} (the catalog,
    https://apicenter.commerce.naver.com/docs/commerce-api/current/search-product):
    the origin products (each with channelProducts[]) by originProductNo,
    page N (from 1) of size M (1 to 500, default 50; --product-page-size
    fewer), as {contents, page, size, totalElements, totalPages, first,
    last}.

  naver_server.py --data FILE [--client-id ID] [--client-secret S]
      [--page-size N] [--product-page-size N] [--shift-days N]
      [--token-ttl SECONDS] [--rate N] [--burst N] [--answers FILE]
      [--fail N:WHAT]... [--hang SECONDS] [--log FILE]

--data FILE: {"productOrders": [...], "products": [...]}, each product order as the query answers it ({order,
productOrder, delivery}) plus "lastChangedDate" and "lastChangedType", read
again on every request, so a test can change an order between fetches.
A product order's claim is in productOrder (claimType CANCEL, RETURN,
EXCHANGE, ADMIN_CANCEL; claimStatus such as CANCEL_REQUEST, CANCEL_DONE,
RETURN_DONE; claimId) and, for a claim on part of it, initialQuantity and
remainQuantity beside quantity, as the product order details give them
(details, above); the data says them and the server serves them as is.
--shift-days N moves every date and time in the data N days later.
--answers FILE appends "STATUS METHOD PATH" for each answer (after
--fail), so a test can count the 401s and 429s it was given.
"revokedTokens": [...] in the data: those tokens are refused (401
GW.AUTHN) and never handed out again; "revokeAll": true refuses every
token, new ones too.
--fail and --log: see fake_http.py.

Pushes (uoms-push), each at most 30 product orders, answered 200 with
data {successProductOrderIds or successProductOrderInfos,
failProductOrderInfos [{productOrderId, code, message}]} per product
order, or 400 with {code, message, invalidInputs [{name, type, message}]}
for a request not of the documented shape (a member missing, mistyped or
unknown):
POST /external/v1/pay-order/seller/product-orders/confirm {"productOrderIds":
    [...]} (발주 확인 처리, "POST /v1/pay-order/seller/product-orders/confirm"
    under https://apicenter.commerce.naver.com/docs/commerce-api/current;
    its answer lists successProductOrderInfos [{productOrderId,
    isReceiverAddressChanged}], not ids): a PAYED product order not yet
    confirmed, with no claim open, becomes placeOrderStatus OK; any other
    fails (not PAYED, already dispatched, a claim open, unknown).
POST /external/v1/pay-order/seller/product-orders/dispatch
    {"dispatchProductOrders": [{productOrderId, deliveryMethod,
    deliveryCompanyCode, trackingNumber, dispatchDate}]} (발송 처리,
    https://apicenter.commerce.naver.com/docs/commerce-api/current/seller-dispatch-product-orders-pay-order-seller):
    dispatchDate a time with milliseconds and an offset, deliveryMethod one
    of the documented codes; a product order confirmed (placeOrderStatus
    OK), PAYED, with no claim open becomes DELIVERING with the delivery
    (deliveryCompany, trackingNumber, sendDate, deliveryStatus) and a
    change (lastChangedType DISPATCHED, now), so the next fetch shows it;
    an unknown deliveryCompanyCode fails it (104119, 택배사 코드 확인, the
    docs' error codes), as does any other state.
What a push changed is kept in memory over the data file, which the test
may still change. --push-log FILE appends each push answered 200, as
{"method", "path", "body" (parsed), "success": [productOrderId...]},
before the answer, which --push-delay SECONDS holds back (a test kills
uoms-push between the push and its record).
"""
import base64
import ctypes
import ctypes.util
import datetime
import hmac
import json
import os
import re
import secrets
import sys
import threading
import time
import urllib.parse

sys.dont_write_bytecode = True     # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fake_http  # noqa: E402

BASE = "/external/v1"
IDS = re.compile(r"^/external/v1/pay-order/seller/orders/([^/]+)/product-order-ids$")
TIME = re.compile(r"^(\d{4}-\d{2}-\d{2})(T\d{2}:\d{2}:\d{2}(\.\d+)?([+-]\d{2}:\d{2}|Z)?)?$")
KST = datetime.timezone(datetime.timedelta(hours=9))
DAY = datetime.timedelta(hours=24)


# 발송 처리's deliveryMethod codes, and the deliveryCompanyCode codes of
# share/uoms/carriers.tsv with a few more, as its docs list them
# (seller-dispatch-product-orders-pay-order-seller, above).
DELIVERY_METHODS = {"DELIVERY", "GDFW_ISSUE_SVC", "VISIT_RECEIPT",
                    "DIRECT_DELIVERY", "QUICK_SVC", "NOTHING"}
DELIVERY_COMPANIES = {"CJGLS", "HYUNDAI", "HANJIN", "KGB", "EPOST", "KDEXP",
                      "CHUNIL", "ILYANG", "CUPARCEL", "CVSNET", "CH1"}
DISPATCH_DATE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}[+-]\d\d:\d\d$")

CRYPT = threading.Lock()


def bcrypt(password, salt):
    """crypt(3) of the system's libcrypt (libxcrypt): bcrypt for a $2a$
    salt. The crypt module left the standard library in 3.13. crypt(3)
    answers in a static buffer: one caller at a time."""
    name = ctypes.util.find_library("crypt") or "libcrypt.so.1"
    lib = ctypes.CDLL(name)
    lib.crypt.restype = ctypes.c_char_p
    lib.crypt.argtypes = [ctypes.c_char_p, ctypes.c_char_p]
    with CRYPT:
        out = lib.crypt(password.encode(), salt.encode())
        return out.decode() if out else ""


def shifted(v, days):
    if isinstance(v, dict):
        return {k: shifted(x, days) for k, x in v.items()}
    if isinstance(v, list):
        return [shifted(x, days) for x in v]
    if isinstance(v, str) and days and TIME.match(v):
        m = TIME.match(v)
        d = datetime.date.fromisoformat(m.group(1)) + datetime.timedelta(days=days)
        return d.isoformat() + (m.group(2) or "")
    return v


def when(s):
    t = datetime.datetime.fromisoformat(s.replace("Z", "+00:00"))
    return t if t.tzinfo else t.replace(tzinfo=KST)


def kst(t):
    return t.astimezone(KST).isoformat(timespec="milliseconds")


class Naver(fake_http.Handler):
    def reply(self, status, obj):
        return status, {"Content-Type": "application/json"}, \
            json.dumps(obj, ensure_ascii=False).encode()

    def send(self, status, headers, body, length=None):
        a = self.server.args
        headers = dict(headers)
        headers.update(self.server.bucket_headers)
        if a.answers:
            with self.server.lock, open(a.answers, "a") as f:
                f.write("%d %s %s\n" % (status, self.command,
                                        self.path.partition("?")[0]))
        super().send(status, headers, body, length)

    def take_bucket(self):
        """One request from the gateway's token bucket; False when it is
        empty. The headers of the answer say what is left."""
        a = self.server.args
        with self.server.lock:
            now = time.monotonic()
            srv = self.server
            srv.level = min(a.burst, srv.level + (now - srv.filled) * a.rate)
            srv.filled = now
            ok = srv.level >= 1
            if ok:
                srv.level -= 1
            srv.bucket_headers = {
                "GNCP-GW-RateLimit-Replenish-Rate": "%g" % a.rate,
                "GNCP-GW-RateLimit-Burst-Capacity": "%d" % a.burst,
                "GNCP-GW-RateLimit-Remaining": "%d" % int(srv.level)}
            return ok

    def control(self):
        a = self.server.args
        with open(a.data, encoding="utf-8") as f:
            d = json.load(f)
        return set(d.get("revokedTokens", [])), bool(d.get("revokeAll"))

    def envelope(self, data):
        return self.reply(200, {"timestamp": kst(datetime.datetime.now(KST)),
                                "traceId": "fake-%d" % self.n, "data": data})

    def error(self, status, code, message):
        return self.reply(status, {"code": code, "message": message,
                                   "timestamp": kst(datetime.datetime.now(KST)),
                                   "traceId": "fake-%d" % self.n})

    def data(self):
        a = self.server.args
        with open(a.data, encoding="utf-8") as f:
            rows = shifted(json.load(f)["productOrders"], a.shift_days)
        with self.server.lock:
            for r in rows:
                for k, v in self.server.pushed.get(
                        r["productOrder"]["productOrderId"], {}).items():
                    if isinstance(v, dict):
                        r.setdefault(k, {}).update(v)
                    else:
                        r[k] = v
        rows.sort(key=lambda r: (when(r["lastChangedDate"]),
                                 r["productOrder"]["productOrderId"]))
        return rows

    def push_change(self, poid, change):
        with self.server.lock:
            mine = self.server.pushed.setdefault(poid, {})
            for k, v in change.items():
                if isinstance(v, dict):
                    mine.setdefault(k, {}).update(v)
                else:
                    mine[k] = v

    def invalid(self, name, kind, message):
        out = self.error(400, "104133", "요청이 올바르지 않습니다.")
        body = json.loads(out[2])
        body["invalidInputs"] = [{"name": name, "type": kind,
                                  "message": message}]
        return self.reply(400, body)

    def push_body(self, member):
        """The request's list under member, 1 to 30 long, or a 400."""
        try:
            body = json.loads(self.body)
        except ValueError:
            return None, self.invalid("body", "NotReadable", "JSON 본문이 아닙니다.")
        if not isinstance(body, dict) or set(body) != {member}:
            return None, self.invalid(member, "NotNull", "%s 만 보내야 합니다." % member)
        items = body[member]
        if not isinstance(items, list) or not 1 <= len(items) <= 30:
            return None, self.invalid(member, "Size", "1개 이상 30개 이하")
        return items, None

    def push_log(self, success):
        a = self.server.args
        if a.push_log:
            with self.server.lock, open(a.push_log, "a") as f:
                f.write(json.dumps({"method": self.command,
                                    "path": self.path,
                                    "body": json.loads(self.body),
                                    "success": success},
                                   ensure_ascii=False) + "\n")
        if a.push_delay > 0:
            time.sleep(a.push_delay)

    @staticmethod
    def claim_open(po):
        st = po.get("claimStatus") or ""
        return bool(po.get("claimType")) and st and \
            not st.endswith("_DONE") and not st.endswith("_REJECT")

    def confirm(self):
        ids, bad = self.push_body("productOrderIds")
        if bad:
            return bad
        if not all(isinstance(i, str) and i for i in ids):
            return self.invalid("productOrderIds", "Type", "상품 주문 번호는 문자열")
        rows = {r["productOrder"]["productOrderId"]: r for r in self.data()}
        ok, fail = [], []
        for i in ids:
            po = rows[i]["productOrder"] if i in rows else None
            why = None
            if po is None:
                why = ("100001", "상품 주문을 찾을 수 없음")
            elif self.claim_open(po):
                why = ("9999", "클레임(%s)이 진행 중인 상품 주문입니다." % po["claimStatus"])
            elif po["productOrderStatus"] != "PAYED":
                why = ("9999", "발주 확인할 수 없는 상태(%s)입니다." % po["productOrderStatus"])
            elif po.get("placeOrderStatus") == "OK":
                why = ("9999", "이미 발주 확인된 상품 주문입니다.")
            if why:
                fail.append({"productOrderId": i, "code": why[0], "message": why[1]})
                continue
            self.push_change(i, {"productOrder": {
                "placeOrderStatus": "OK",
                "placeOrderDate": kst(datetime.datetime.now(KST))}})
            ok.append(i)
        self.push_log(ok)
        return self.envelope({"successProductOrderInfos": [
            {"productOrderId": i, "isReceiverAddressChanged": False} for i in ok],
            "failProductOrderInfos": fail})

    def dispatch(self):
        items, bad = self.push_body("dispatchProductOrders")
        if bad:
            return bad
        members = {"productOrderId", "deliveryMethod", "deliveryCompanyCode",
                   "trackingNumber", "dispatchDate"}
        for n, d in enumerate(items):
            where = "dispatchProductOrders[%d]" % n
            if not isinstance(d, dict) or set(d) != members:
                return self.invalid(where, "NotNull", "%s 가 모두 있어야 합니다." % ", ".join(sorted(members)))
            if not all(isinstance(d[k], str) and d[k] for k in members):
                return self.invalid(where, "Type", "문자열이어야 합니다.")
            if d["deliveryMethod"] not in DELIVERY_METHODS:
                return self.invalid(where + ".deliveryMethod", "Pattern", "배송 방법 코드")
            if not DISPATCH_DATE.match(d["dispatchDate"]):
                return self.invalid(where + ".dispatchDate", "Pattern",
                                    "yyyy-MM-dd'T'HH:mm:ss.SSSXXX")
        rows = {r["productOrder"]["productOrderId"]: r for r in self.data()}
        ok, fail = [], []
        for d in items:
            i = d["productOrderId"]
            po = rows[i]["productOrder"] if i in rows else None
            why = None
            if po is None:
                why = ("100001", "상품 주문을 찾을 수 없음")
            elif d["deliveryCompanyCode"] not in DELIVERY_COMPANIES:
                why = ("104119", "택배사 코드 확인")
            elif self.claim_open(po):
                why = ("9999", "클레임(%s)이 진행 중인 상품 주문입니다." % po["claimStatus"])
            elif po["productOrderStatus"] != "PAYED":
                why = ("9999", "발송 처리할 수 없는 상태(%s)입니다." % po["productOrderStatus"])
            elif po.get("placeOrderStatus") != "OK":
                why = ("9999", "발주 확인되지 않은 상품 주문입니다.")
            if why:
                fail.append({"productOrderId": i, "code": why[0], "message": why[1]})
                continue
            now = kst(datetime.datetime.now(KST))
            self.push_change(i, {
                "productOrder": {"productOrderStatus": "DELIVERING"},
                "delivery": {"deliveryCompany": d["deliveryCompanyCode"],
                             "trackingNumber": d["trackingNumber"],
                             "deliveryMethod": d["deliveryMethod"],
                             "sendDate": d["dispatchDate"],
                             "deliveryStatus": "DELIVERING"},
                "lastChangedDate": now, "lastChangedType": "DISPATCHED"})
            ok.append(i)
        self.push_log(ok)
        return self.envelope({"successProductOrderIds": ok,
                              "failProductOrderInfos": fail})

    def token(self):
        a = self.server.args
        form = dict(urllib.parse.parse_qsl(self.body.decode("utf-8", "replace")))
        form.update(dict(urllib.parse.parse_qsl(self.path.partition("?")[2])))
        if form.get("grant_type") != "client_credentials" or form.get("type") != "SELF":
            return self.error(400, "BadRequest", "grant_type must be client_credentials, type SELF")
        ts = form.get("timestamp", "")
        if not ts.isdigit() or abs(time.time() * 1000 - int(ts)) > 300000:
            return self.error(401, "GW.AUTHN", "timestamp is not within 5 minutes")
        want = base64.b64encode(bcrypt(form.get("client_id", "") + "_" + ts,
                                       a.client_secret).encode()).decode()
        if form.get("client_id") != a.client_id or \
                not hmac.compare_digest(want, form.get("client_secret_sign", "")):
            return self.error(401, "GW.AUTHN", "요청을 보낼 권한이 없습니다.")
        revoked, _ = self.control()
        now = time.time()
        with self.server.lock:
            # Naver: the token already issued while 30 minutes or more
            # remain of it, else a new one.
            live = [(t, e) for t, e in self.server.tokens.items()
                    if e - now >= 1800 and t not in revoked]
            if live:
                tok, end = max(live, key=lambda te: te[1])
            else:
                tok, end = "tok-" + secrets.token_hex(16), now + a.token_ttl
                self.server.tokens[tok] = end
        return self.reply(200, {"access_token": tok,
                                "expires_in": int(end - now),
                                "token_type": "Bearer"})

    def authorized(self):
        h = self.headers.get("Authorization", "")
        tok = h[7:] if h.startswith("Bearer ") else ""
        revoked, every = self.control()
        if every or tok in revoked:
            return False
        with self.server.lock:
            return self.server.tokens.get(tok, 0) > time.time()

    def changes(self, query):
        a = self.server.args
        q = dict(urllib.parse.parse_qsl(query))
        try:
            first = when(q["lastChangedFrom"])
            last = when(q["lastChangedTo"]) if q.get("lastChangedTo") else first + DAY
        except (KeyError, ValueError):
            return self.error(400, "BadRequest", "lastChangedFrom is a date-time")
        if last < first or last - first > DAY:
            return self.error(400, "104139", "조회 가능한 날짜 범위를 초과")
        limit = min(int(q.get("limitCount") or 300), 300, a.page_size or 300)
        seq = int(q.get("moreSequence") or 0)
        rows = [(i, r) for i, r in enumerate(self.data())
                if first <= when(r["lastChangedDate"]) <= last and i >= seq]
        page, rest = rows[:limit], rows[limit:]
        out = {"count": len(page), "lastChangeStatuses": [{
            "orderId": r["order"]["orderId"],
            "productOrderId": r["productOrder"]["productOrderId"],
            "lastChangedType": r.get("lastChangedType", "PAYED"),
            "paymentDate": r["order"].get("paymentDate"),
            "lastChangedDate": r["lastChangedDate"],
            "productOrderStatus": r["productOrder"]["productOrderStatus"],
            "claimType": r["productOrder"].get("claimType"),
            "claimStatus": r["productOrder"].get("claimStatus"),
            "receiverAddressChanged": False} for _, r in page]}
        if rest:
            out["more"] = {"moreFrom": rest[0][1]["lastChangedDate"],
                           "moreSequence": "%010d" % rest[0][0]}
        return self.envelope(out)

    def product_orders(self):
        try:
            ids = json.loads(self.body)["productOrderIds"]
        except (ValueError, KeyError, TypeError):
            return self.error(400, "BadRequest", "productOrderIds is required")
        if not isinstance(ids, list) or not 1 <= len(ids) <= 300:
            return self.error(400, "BadRequest", "productOrderIds: 1 to 300")
        want = set(str(i) for i in ids)
        return self.envelope([{k: v for k, v in r.items()
                               if k not in ("lastChangedDate", "lastChangedType")}
                              for r in self.data()
                              if r["productOrder"]["productOrderId"] in want])

    def products(self):
        a = self.server.args
        try:
            q = json.loads(self.body or b"{}")
            page = int(q.get("page", 1))
            size = int(q.get("size", 50))
        except (ValueError, TypeError, AttributeError):
            return self.error(400, "BadRequest", "page and size are numbers")
        if page < 1 or not 1 <= size <= 500:
            return self.error(400, "BadRequest", "page >= 1, size 1 to 500")
        size = min(size, a.product_page_size or size)
        with open(a.data, encoding="utf-8") as f:
            rows = sorted(json.load(f).get("products", []),
                          key=lambda p: int(p["originProductNo"]))
        pages = max(1, -(-len(rows) // size))
        part = rows[(page - 1) * size:page * size]
        return self.reply(200, {"contents": part, "page": page, "size": size,
                                "totalElements": len(rows), "totalPages": pages,
                                "first": page == 1, "last": page >= pages})

    def answer(self):
        path, _, query = self.path.partition("?")
        if not self.take_bucket():
            return self.error(429, "GW.RATE_LIMIT", "요청이 많아 처리할 수 없습니다.")
        if self.command == "POST" and path == BASE + "/oauth2/token":
            return self.token()
        if not self.authorized():
            return self.error(401, "GW.AUTHN", "요청을 보낼 권한이 없습니다.")
        if self.command == "GET" and path == BASE + \
                "/pay-order/seller/product-orders/last-changed-statuses":
            return self.changes(query)
        m = IDS.match(path)
        if self.command == "GET" and m:
            oid = urllib.parse.unquote(m.group(1))
            return self.envelope(sorted(set(r["productOrder"]["productOrderId"]
                                            for r in self.data()
                                            if r["order"]["orderId"] == oid)))
        if self.command == "POST" and path == BASE + "/pay-order/seller/product-orders/query":
            return self.product_orders()
        if self.command == "POST" and path == BASE + "/pay-order/seller/product-orders/confirm":
            return self.confirm()
        if self.command == "POST" and path == BASE + "/pay-order/seller/product-orders/dispatch":
            return self.dispatch()
        if self.command == "POST" and path == BASE + "/products/search":
            return self.products()
        return self.error(404, "NotFound", "no such API")


def setup(server, args):
    server.tokens = {}
    server.level = float(args.burst)
    server.filled = time.monotonic()
    server.bucket_headers = {}
    server.pushed = {}


def main():
    p = fake_http.arguments()
    p.add_argument("--data", required=True)
    p.add_argument("--client-id", default="naver-client-id")
    p.add_argument("--client-secret", default="$2a$04$abcdefghijklmnopqrstuu")
    p.add_argument("--page-size", type=int, default=0)
    p.add_argument("--shift-days", type=int, default=0)
    p.add_argument("--product-page-size", type=int, default=0)
    p.add_argument("--token-ttl", type=int, default=10800)
    p.add_argument("--rate", type=float, default=1000,
                   help="the bucket's refill, requests a second")
    p.add_argument("--burst", type=int, default=1000,
                   help="the bucket's size; 0 refuses every call")
    p.add_argument("--answers", help="append STATUS METHOD PATH per answer")
    p.add_argument("--push-log", help="append each push answered 200")
    p.add_argument("--push-delay", type=float, default=0,
                   help="seconds a push's answer waits after it is logged")
    fake_http.main(Naver, p, setup)


if __name__ == "__main__":
    main()
