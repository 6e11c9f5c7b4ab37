#!/usr/bin/env python3
"""A fake Coupang Open API (WING) order sheet list for the tests: python3
standard library only, on fake_http.py.

It behaves as the public docs describe the real one:
  order sheets, paging by day
    https://developers.coupangcorp.com/hc/en-us/articles/360033919573
  the HMAC signature
    https://developers.coupangcorp.com/hc/en-us/articles/360033461914

GET /v2/providers/openapi/apis/api/v4/vendors/VENDOR/ordersheets
    ?createdAtFrom=yyyy-mm-dd&createdAtTo=yyyy-mm-dd&status=S
    [&maxPerPage=N][&nextToken=T]
checks the Authorization header (CEA algorithm=HmacSHA256, access-key=,
signed-date=yyMMddTHHmmssZ, signature=hex HMAC-SHA256 of signed-date +
method + path + query as sent) and answers 401 when it is missing, wrong
or more than 5 minutes off, 403 for another vendor, 400 for a bad query.
It lists the order sheets of one status whose orderedAt falls on those KST
days (a span of at most 31 days), by shipmentBoxId, maxPerPage at a time
(default 50, at most 50; --page-size makes pages smaller), nextToken being
the last shipmentBoxId of a page and "" on the last page, in the envelope
{code, message, data[], nextToken}.

  coupang_server.py --data FILE [--access-key K] [--secret-key S]
      [--vendor-id V] [--page-size N] [--shift-days N]
      [--fail N:WHAT]... [--hang SECONDS] [--log FILE] [--push-log FILE]
      [--push-delay SECONDS]

The catalog (seller products), signed alike:
  list     https://developers.coupangcorp.com/hc/en-us/articles/360033645034
  one      https://developers.coupangcorp.com/hc/en-us/articles/360033644994
GET /v2/providers/seller_api/apis/api/v1/marketplace/seller-products
    ?vendorId=V[&nextToken=T][&maxPerPage=N]: the seller products (without
    their items) by sellerProductId, maxPerPage at a time (1 to 100, default
    10; --page-size makes pages smaller), nextToken the next page's first
    sellerProductId, "" on the last page; 403 for another vendorId.
GET /v2/providers/seller_api/apis/api/v1/marketplace/seller-products/ID:
    {code, message, data: the product with its items[]}, 404 when unknown.

--data FILE: {"ordersheets": [...], "sellerProducts": [...]} as the API
shows them, read again on every request, so a test can change an order or
a product between fetches. An order item's cancelCount (units cancelled,
left out of shippingCount) and holdCountForCancel (units waiting for a
cancel) are numbers, as one order sheet's fields list them
(https://developers.coupangcorp.com/hc/en-us/articles/360033792854).
--shift-days N moves every date and time in the data N days later, so
fixed data can be served as recent. A box whose items are all cancelled
(shippingCount 0) leaves the lists, as a cancelled box does; it is still
there by its id.

Return requests (cancellations, returns, ship-stop requests):
  https://developers.coupangcorp.com/hc/en-us/articles/360033919613
GET /v2/providers/openapi/apis/api/v4/vendors/VENDOR/returnRequests
    ?createdAtFrom=yyyy-mm-dd&createdAtTo=yyyy-mm-dd&cancelType=T
    [&status=S][&maxPerPage=N][&nextToken=T]
lists the "returnRequests" of the data whose receiptType is T (RETURN,
the default, or CANCEL) and whose createdAt falls on those KST days (at
most 31 days apart, else 400). CANCEL takes no status (400 with one, as
the docs say to leave it out); RETURN needs one: RU (ship-stop requested:
receiptStatus RELEASE_STOP_UNCHECKED), UC (received: RETURNS_UNCHECKED,
VENDOR_WAREHOUSE_CONFIRM, and RELEASE_STOP_UNCHECKED too, as the docs say
a ship-stop request shows under both), PR (REQUEST_COUPANG_CHECK), CC
(RETURNS_COMPLETED). Pages by receiptId, maxPerPage (1 to 50, default 50;
--page-size makes them smaller) at a time; nextToken is opaque (a random
token the server remembers, refused with 400 when unknown or reused with
another query), "" on the last page.

Exchange requests (교환요청 목록 조회), "Query a list of exchange requests"
in Coupang's exchange API section ("a list of exchange requests received
within up to 7 days"):
  https://developers.coupangcorp.com/hc/en-us/sections/360005046554
  (the list's members as Coupang's exchange API shows them: exchangeId,
  orderId, exchangeStatus RECEIPT|PROGRESS|SUCCESS|REJECT|CANCEL,
  exchangeItemDtoV1s[].originalShipmentBoxId, reasonCodeText, createdAt)
GET /v2/providers/openapi/apis/api/v4/vendors/VENDOR/exchangeRequests
    ?createdAtFrom=yyyy-mm-dd&createdAtTo=yyyy-mm-dd[&status=S]
    [&maxPerPage=N][&nextToken=T]
lists the data's "exchangeRequests" whose createdAt falls on those KST
days, 7 days at most, both ends counted (else 400, "최대 조회 기간은 7일입니다";
tighter than the 31 days of return requests), by
exchangeId, maxPerPage (1 to 50, default 10) at a time, the same opaque
nextToken as return requests; status, when given, one of the five.

Pushes (uoms-push), signed alike; each accepted request is appended to
--push-log FILE as a JSON line {method, path, body} before the answer,
which --push-delay SECONDS holds back (a client killed in between):
  PUT /v2/providers/openapi/apis/api/v4/vendors/VENDOR/ordersheets/acknowledgement
    "Changing the status to Product in Preparation":
    https://developers.coupangcorp.com/hc/en-us/articles/360033792994
    body {"vendorId": "VENDOR", "shipmentBoxIds": [N, ...]} (numbers, 1
    to 50; else 400). Each ACCEPT box moves to INSTRUCT; any other box is
    a responseList entry with succeed false. Answer {code: 200, message:
    "OK", data: {responseCode, responseMessage, responseList:
    [{shipmentBoxId, succeed, resultCode, retryRequired, resultMessage}]}}
    (responseCode 0 all taken, 1 some, 2 none).
  POST /v2/providers/openapi/apis/api/v4/vendors/VENDOR/orders/invoices
    "Uploading Waybills":
    https://developers.coupangcorp.com/hc/en-us/articles/360033793014
    body {"vendorId", "orderSheetInvoiceApplyDtos": [{shipmentBoxId
    (number), orderId (number), vendorItemId (number),
    deliveryCompanyCode (string, a courier code the docs list, else
    400), invoiceNumber (string), splitShipping, preSplitShipped
    (booleans), estimatedShippingDate (string)}]}, every member there
    and of its type, else 400. By box: the orderId and vendorItemIds
    must be the box's and the box INSTRUCT (acknowledged), else succeed
    false with a resultMessage; a taken box moves to DEPARTURE with
    invoiceNumber and deliveryCompanyName set, so the next fetch shows
    it. Same answer shape as the acknowledgement.
The box states pushes set live in the server (not in --data) and win
over the data's status.

One order sheet by its box:
  https://developers.coupangcorp.com/hc/en-us/articles/360033792854
GET /v2/providers/openapi/apis/api/v4/vendors/VENDOR/ordersheets/BOXID:
    {code, message, data: the order sheet}, 400 when there is no such box.
--fail and --log: see fake_http.py.
"""
import datetime
import hashlib
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

PATH = re.compile(r"^/v2/providers/openapi/apis/api/v4/vendors/([^/?]+)/ordersheets$")
STATUSES = ("ACCEPT", "INSTRUCT", "DEPARTURE", "DELIVERING", "FINAL_DELIVERY",
            "NONE_TRACKING")
PRODUCTS = "/v2/providers/seller_api/apis/api/v1/marketplace/seller-products"
PRODUCT = re.compile("^" + PRODUCTS + r"/(\d+)$")
RETURNS = re.compile(r"^/v2/providers/openapi/apis/api/v4/vendors/([^/?]+)/returnRequests$")
SHEET = re.compile(r"^/v2/providers/openapi/apis/api/v4/vendors/([^/?]+)/ordersheets/([^/?]+)$")
ACK = re.compile(r"^/v2/providers/openapi/apis/api/v4/vendors/([^/?]+)/ordersheets/acknowledgement$")
INVOICES = re.compile(r"^/v2/providers/openapi/apis/api/v4/vendors/([^/?]+)/orders/invoices$")
EXCHANGES = re.compile(r"^/v2/providers/openapi/apis/api/v4/vendors/([^/?]+)/exchangeRequests$")
EXCHANGE_STATUS = ("RECEIPT", "PROGRESS", "SUCCESS", "REJECT", "CANCEL")
# Courier codes of Coupang's list ("택배사 코드"); the ones carriers.tsv
# maps, and a few others.
COURIERS = {"CJGLS": "CJ 대한통운", "HANJIN": "한진택배", "HYUNDAI": "롯데택배",
            "EPOST": "우체국", "KGB": "로젠택배", "KDEXP": "경동택배",
            "DIRECT": "업체직송"}
BOXES = {}             # shipmentBoxId -> fields pushes changed
BOXES_LOCK = threading.Lock()
RETURN_STATUS = {
    "RU": ("RELEASE_STOP_UNCHECKED",),
    "UC": ("RETURNS_UNCHECKED", "VENDOR_WAREHOUSE_CONFIRM", "RELEASE_STOP_UNCHECKED"),
    "PR": ("REQUEST_COUPANG_CHECK",),
    "CC": ("RETURNS_COMPLETED",),
}
TOKENS = {}            # opaque nextToken -> (query without it, last receiptId)
TOKENS_LOCK = threading.Lock()
TIME = re.compile(r"^(\d{4}-\d{2}-\d{2})([T ]\d{2}:\d{2}:\d{2}(\.\d+)?)?$")


def shifted(v, days):
    """v with every date and time string in it moved days later."""
    if isinstance(v, dict):
        return {k: shifted(x, days) for k, x in v.items()}
    if isinstance(v, list):
        return [shifted(x, days) for x in v]
    if isinstance(v, str) and days and TIME.match(v):
        m = TIME.match(v)
        d = datetime.date.fromisoformat(m.group(1)) + datetime.timedelta(days=days)
        return d.isoformat() + (m.group(2) or "")
    return v


class Coupang(fake_http.Handler):
    def reply(self, status, obj):
        return status, {"Content-Type": "application/json;charset=UTF-8"}, \
            json.dumps(obj, ensure_ascii=False).encode()

    def error(self, status, message):
        return self.reply(status, {"code": "ERROR", "message": message, "data": None})

    def authorized(self, path, query):
        """None when the signature is right, else why not."""
        a = self.server.args
        h = self.headers.get("Authorization", "")
        if not h.startswith("CEA "):
            return "no CEA Authorization header"
        f = {}
        for part in h[4:].split(","):
            k, _, v = part.strip().partition("=")
            f[k] = v
        if f.get("algorithm") != "HmacSHA256":
            return "algorithm is not HmacSHA256"
        if f.get("access-key") != a.access_key:
            return "Invalid access key"
        date = f.get("signed-date", "")
        try:
            t = datetime.datetime.strptime(date, "%y%m%dT%H%M%SZ").replace(
                tzinfo=datetime.timezone.utc)
        except ValueError:
            return "signed-date is not yyMMddTHHmmssZ"
        if abs((datetime.datetime.now(datetime.timezone.utc) - t).total_seconds()) > 300:
            return "Specified signature is expired"
        want = hmac.new(a.secret_key.encode(), (date + self.command + path + query).encode(),
                        hashlib.sha256).hexdigest()
        if not hmac.compare_digest(want, f.get("signature", "")):
            return "Specified signature is invalid"
        return None

    def products(self, path, query):
        a = self.server.args
        with open(a.data, encoding="utf-8") as f:
            rows = sorted(json.load(f).get("sellerProducts", []),
                          key=lambda p: int(p["sellerProductId"]))
        m = PRODUCT.match(path)
        if m:
            for p in rows:
                if str(p["sellerProductId"]) == m.group(1):
                    return self.reply(200, {"code": "SUCCESS", "message": "", "data": p})
            return self.error(404, "seller product not found")
        q = dict(urllib.parse.parse_qsl(query, keep_blank_values=True))
        if q.get("vendorId") != a.vendor_id:
            return self.error(403, "vendorId is not the access key's")
        try:
            per = int(q.get("maxPerPage") or 10)
        except ValueError:
            return self.error(400, "maxPerPage is not a number")
        if not 1 <= per <= 100:
            return self.error(400, "maxPerPage is 1 to 100")
        per = min(per, a.page_size or per)
        after = q.get("nextToken") or ""
        if after:
            rows = [p for p in rows if int(p["sellerProductId"]) >= int(after)]
        page, rest = rows[:per], rows[per:]
        return self.reply(200, {"code": "SUCCESS", "message": "",
                                "nextToken": str(rest[0]["sellerProductId"]) if rest else "",
                                "data": [{k: v for k, v in p.items() if k != "items"}
                                         for p in page]})

    def data(self):
        with open(self.server.args.data, encoding="utf-8") as f:
            d = shifted(json.load(f), self.server.args.shift_days)
        with BOXES_LOCK:
            for s in d.get("ordersheets", []):
                s.update(BOXES.get(str(s["shipmentBoxId"]), {}))
        return d

    def pushed(self, path, body):
        """Logs an accepted push (--push-log)."""
        if self.server.args.push_log:
            with self.server.lock, open(self.server.args.push_log, "a") as f:
                f.write(json.dumps({"method": self.command, "path": path,
                                    "body": body}, ensure_ascii=False) + "\n")

    def body_json(self):
        try:
            b = json.loads(self.body.decode("utf-8"))
        except ValueError:
            return None
        return b if isinstance(b, dict) else None

    def results(self, results):
        """The answer of a push: {code, message, data} with responseList."""
        ok = sum(1 for r in results if r["succeed"])
        return self.reply(200, {"code": 200, "message": "OK", "data": {
            "responseCode": 0 if ok == len(results) else (1 if ok else 2),
            "responseMessage": "SUCCESS" if ok == len(results) else
            ("PARTIAL_ERROR" if ok else "FAIL"),
            "responseList": results}})

    def acknowledge(self, m, path):
        a = self.server.args
        if urllib.parse.unquote(m.group(1)) != a.vendor_id:
            return self.error(403, "vendorId is not the access key's")
        b = self.body_json()
        if b is None or b.get("vendorId") != a.vendor_id:
            return self.error(400, "vendorId is missing or not the path's")
        ids = b.get("shipmentBoxIds")
        if not isinstance(ids, list) or not 1 <= len(ids) <= 50 or not all(
                isinstance(i, int) and not isinstance(i, bool) for i in ids):
            return self.error(400, "shipmentBoxIds must be 1 to 50 numbers")
        sheets = {s["shipmentBoxId"]: s for s in self.data()["ordersheets"]}
        out = []
        with BOXES_LOCK:
            for i in ids:
                s = sheets.get(i)
                st = BOXES.get(str(i), {}).get("status") or (s or {}).get("status")
                if s is None:
                    out.append({"shipmentBoxId": i, "succeed": False, "resultCode": "FAIL",
                                "retryRequired": False,
                                "resultMessage": "shipmentBoxId %d is not this vendor's" % i})
                elif st != "ACCEPT":
                    out.append({"shipmentBoxId": i, "succeed": False, "resultCode": "FAIL",
                                "retryRequired": False,
                                "resultMessage": "결제완료 상태가 아닙니다 (status %s)" % st})
                else:
                    BOXES.setdefault(str(i), {})["status"] = "INSTRUCT"
                    out.append({"shipmentBoxId": i, "succeed": True, "resultCode": "OK",
                                "retryRequired": False, "resultMessage": ""})
            if all(r["succeed"] for r in out):
                self.pushed(path, b)
        if all(r["succeed"] for r in out):
            time.sleep(a.push_delay)
        return self.results(out)

    def invoices(self, m, path):
        a = self.server.args
        if urllib.parse.unquote(m.group(1)) != a.vendor_id:
            return self.error(403, "vendorId is not the access key's")
        b = self.body_json()
        if b is None or b.get("vendorId") != a.vendor_id:
            return self.error(400, "vendorId is missing or not the path's")
        dtos = b.get("orderSheetInvoiceApplyDtos")
        if not isinstance(dtos, list) or not dtos:
            return self.error(400, "orderSheetInvoiceApplyDtos is missing or empty")
        types = {"shipmentBoxId": int, "orderId": int, "vendorItemId": int,
                 "deliveryCompanyCode": str, "invoiceNumber": str,
                 "splitShipping": bool, "preSplitShipped": bool,
                 "estimatedShippingDate": str}
        for d in dtos:
            if not isinstance(d, dict):
                return self.error(400, "orderSheetInvoiceApplyDtos holds objects")
            for k, t in types.items():
                v = d.get(k)
                if v is None or not isinstance(v, t) or (t is int and isinstance(v, bool)):
                    return self.error(400, "%s is missing or not a %s" %
                                      (k, {int: "number", str: "string", bool: "boolean"}[t]))
            if d["deliveryCompanyCode"] not in COURIERS:
                return self.error(400, "deliveryCompanyCode %s is not a courier code"
                                  % d["deliveryCompanyCode"])
            if not d["splitShipping"] and not d["invoiceNumber"]:
                return self.error(400, "invoiceNumber is required unless splitShipping")
        sheets = {s["shipmentBoxId"]: s for s in self.data()["ordersheets"]}
        out, done = [], set()
        with BOXES_LOCK:
            for d in dtos:
                i = d["shipmentBoxId"]
                if i in done:
                    continue
                done.add(i)
                s = sheets.get(i)
                st = BOXES.get(str(i), {}).get("status") or (s or {}).get("status")
                vids = {x["vendorItemId"] for x in (s or {}).get("orderItems", [])}
                why = None
                if s is None:
                    why = "shipmentBoxId %d is not this vendor's" % i
                elif any(x["orderId"] != s["orderId"] for x in dtos if x["shipmentBoxId"] == i):
                    why = "orderId is not the box's"
                elif any(x["vendorItemId"] not in vids for x in dtos if x["shipmentBoxId"] == i):
                    why = "vendorItemId is not an item of the box"
                elif st != "INSTRUCT":
                    why = "상품준비중 상태가 아닙니다 (status %s): acknowledge it first" % st
                if why:
                    out.append({"shipmentBoxId": i, "succeed": False, "resultCode": "FAIL",
                                "retryRequired": False, "resultMessage": why})
                    continue
                BOXES.setdefault(str(i), {}).update({
                    "status": "DEPARTURE", "invoiceNumber": d["invoiceNumber"],
                    "deliveryCompanyName": COURIERS[d["deliveryCompanyCode"]]})
                out.append({"shipmentBoxId": i, "succeed": True, "resultCode": "OK",
                            "retryRequired": False, "resultMessage": ""})
            if all(r["succeed"] for r in out):
                self.pushed(path, b)
        if all(r["succeed"] for r in out):
            time.sleep(a.push_delay)
        return self.results(out)

    def exchanges(self, m, query):
        a = self.server.args
        if urllib.parse.unquote(m.group(1)) != a.vendor_id:
            return self.error(403, "vendorId is not the access key's")
        q = dict(urllib.parse.parse_qsl(query, keep_blank_values=True))
        try:
            first = datetime.date.fromisoformat(q["createdAtFrom"])
            last = datetime.date.fromisoformat(q["createdAtTo"])
        except (KeyError, ValueError):
            return self.error(400, "createdAtFrom and createdAtTo must be yyyy-mm-dd")
        if last < first or (last - first).days > 6:
            return self.error(400, "최대 조회 기간은 7일입니다 (createdAtFrom..createdAtTo)")
        status = q.get("status")
        if status is not None and status not in EXCHANGE_STATUS:
            return self.error(400, "status is not one of " + ", ".join(EXCHANGE_STATUS))
        try:
            per = int(q.get("maxPerPage") or 10)
        except ValueError:
            return self.error(400, "maxPerPage is not a number")
        if not 1 <= per <= 50:
            return self.error(400, "maxPerPage is 1 to 50")
        per = min(per, a.page_size or per)
        plain = sorted((k, v) for k, v in q.items() if k != "nextToken")
        after = 0
        token = q.get("nextToken") or ""
        if token:
            with TOKENS_LOCK:
                saved = TOKENS.get(token)
            if saved is None or saved[0] != plain:
                return self.error(400, "nextToken is not valid for this query")
            after = saved[1]
        rows = sorted((r for r in self.data().get("exchangeRequests", [])
                       if (status is None or r.get("exchangeStatus") == status) and
                       first <= datetime.date.fromisoformat(r["createdAt"][:10]) <= last and
                       int(r["exchangeId"]) > after),
                      key=lambda r: int(r["exchangeId"]))
        page, rest = rows[:per], rows[per:]
        nxt = ""
        if rest:
            nxt = secrets.token_urlsafe(12)
            with TOKENS_LOCK:
                TOKENS[nxt] = (plain, int(page[-1]["exchangeId"]))
        return self.reply(200, {"code": 200, "message": "OK", "data": page,
                                "nextToken": nxt})

    def sheet(self, m):
        if urllib.parse.unquote(m.group(1)) != self.server.args.vendor_id:
            return self.error(403, "vendorId is not the access key's")
        box = urllib.parse.unquote(m.group(2))
        for s in self.data()["ordersheets"]:
            if str(s["shipmentBoxId"]) == box:
                return self.reply(200, {"code": 200, "message": "OK", "data": s})
        return self.error(400, "shipmentBoxId " + box + " is not this vendor's")

    def returns(self, m, query):
        a = self.server.args
        if urllib.parse.unquote(m.group(1)) != a.vendor_id:
            return self.error(403, "vendorId is not the access key's")
        q = dict(urllib.parse.parse_qsl(query, keep_blank_values=True))
        try:
            first = datetime.date.fromisoformat(q["createdAtFrom"])
            last = datetime.date.fromisoformat(q["createdAtTo"])
        except (KeyError, ValueError):
            return self.error(400, "createdAtFrom and createdAtTo must be yyyy-mm-dd")
        if last < first or (last - first).days > 31:
            return self.error(400, "createdAtFrom..createdAtTo is at most 31 days")
        kind = q.get("cancelType") or "RETURN"
        status = q.get("status")
        if kind == "CANCEL" and status is not None:
            return self.error(400, "cancelType CANCEL takes no status")
        if kind == "RETURN" and status not in RETURN_STATUS:
            return self.error(400, "status is not one of RU, UC, CC, PR")
        if kind not in ("RETURN", "CANCEL"):
            return self.error(400, "cancelType is RETURN or CANCEL")
        try:
            per = int(q.get("maxPerPage") or 50)
        except ValueError:
            return self.error(400, "maxPerPage is not a number")
        if not 1 <= per <= 50:
            return self.error(400, "maxPerPage is 1 to 50")
        per = min(per, a.page_size or per)
        # The token stands for where the last page ended, for this query
        # only: unknown, or used with another query, it is refused.
        plain = sorted((k, v) for k, v in q.items() if k != "nextToken")
        after = 0
        token = q.get("nextToken") or ""
        if token:
            with TOKENS_LOCK:
                saved = TOKENS.get(token)
            if saved is None or saved[0] != plain:
                return self.error(400, "nextToken is not valid for this query")
            after = saved[1]
        rows = sorted((r for r in self.data().get("returnRequests", [])
                       if (r.get("receiptType") or "RETURN") == kind and
                       (kind == "CANCEL" or r.get("receiptStatus") in RETURN_STATUS[status]) and
                       first <= datetime.date.fromisoformat(r["createdAt"][:10]) <= last and
                       int(r["receiptId"]) > after),
                      key=lambda r: int(r["receiptId"]))
        page, rest = rows[:per], rows[per:]
        nxt = ""
        if rest:
            nxt = secrets.token_urlsafe(12)
            with TOKENS_LOCK:
                TOKENS[nxt] = (plain, int(page[-1]["receiptId"]))
        return self.reply(200, {"code": 200, "message": "OK", "data": page,
                                "nextToken": nxt})

    def answer(self):
        a = self.server.args
        path, _, query = self.path.partition("?")
        m = PATH.match(path)
        r = RETURNS.match(path)
        x = EXCHANGES.match(path)
        ack = ACK.match(path)
        inv = INVOICES.match(path)
        one = None if ack else SHEET.match(path)
        if ack or inv:
            if self.command != ("PUT" if ack else "POST"):
                return self.error(405, "Request method '%s' not supported" % self.command)
            why = self.authorized(path, query)
            if why is not None:
                return self.error(401, why)
            return self.acknowledge(ack, path) if ack else self.invoices(inv, path)
        if self.command != "GET" or (m is None and r is None and one is None and x is None and
                                     path != PRODUCTS and not PRODUCT.match(path)):
            return self.error(404, "No API found for the request")
        why = self.authorized(path, query)
        if why is not None:
            return self.error(401, why)
        if x is not None:
            return self.exchanges(x, query)
        if r is not None:
            return self.returns(r, query)
        if one is not None:
            return self.sheet(one)
        if m is None:
            return self.products(path, query)
        if urllib.parse.unquote(m.group(1)) != a.vendor_id:
            return self.error(403, "vendorId is not the access key's")
        q = dict(urllib.parse.parse_qsl(query, keep_blank_values=True))
        try:
            first = datetime.date.fromisoformat(q["createdAtFrom"])
            last = datetime.date.fromisoformat(q["createdAtTo"])
        except (KeyError, ValueError):
            return self.error(400, "createdAtFrom and createdAtTo must be yyyy-mm-dd")
        if last < first or (last - first).days > 31:
            return self.error(400, "createdAtFrom..createdAtTo is at most 31 days")
        status = q.get("status")
        if status not in STATUSES:
            return self.error(400, "status is not one of " + ", ".join(STATUSES))
        try:
            per = int(q.get("maxPerPage") or 50)
        except ValueError:
            return self.error(400, "maxPerPage is not a number")
        if not 1 <= per <= 50:
            return self.error(400, "maxPerPage is 1 to 50")
        per = min(per, a.page_size or per)
        after = q.get("nextToken") or ""

        sheets = self.data()["ordersheets"]

        def day(s):
            return datetime.date.fromisoformat(s["orderedAt"][:10])

        def listed(s):
            return any(int(i.get("shippingCount") or 0) > 0
                       for i in s.get("orderItems", []))

        rows = sorted((s for s in sheets if s.get("status") == status and
                       first <= day(s) <= last and listed(s)),
                      key=lambda s: int(s["shipmentBoxId"]))
        if after:
            rows = [s for s in rows if int(s["shipmentBoxId"]) > int(after)]
        page, rest = rows[:per], rows[per:]
        return self.reply(200, {"code": 200, "message": "OK", "data": page,
                                "nextToken": str(page[-1]["shipmentBoxId"]) if rest else ""})


def main():
    p = fake_http.arguments()
    p.add_argument("--data", required=True)
    p.add_argument("--access-key", default="ak-test")
    p.add_argument("--secret-key", default="sk-test")
    p.add_argument("--vendor-id", default="A00012345")
    p.add_argument("--page-size", type=int, default=0)
    p.add_argument("--shift-days", type=int, default=0)
    p.add_argument("--push-log", help="append each accepted push, one JSON line")
    p.add_argument("--push-delay", type=float, default=0,
                   help="seconds an accepted push waits, logged, before its answer")
    fake_http.main(Coupang, p)


if __name__ == "__main__":
    main()
