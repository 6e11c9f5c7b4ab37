#!/usr/bin/env python3
"""A fake Shopify Admin API (GraphQL, and the legacy REST) for the tests:
python3 standard library only.

POST /admin/api/VERSION/graphql.json speaks GraphQL enough for the kind's
queries, as the public docs describe the real API:
  endpoint   https://shopify.dev/docs/api/admin-graphql
  orders     https://shopify.dev/docs/api/admin-graphql/latest/queries/orders
  variants   https://shopify.dev/docs/api/admin-graphql/latest/queries/productVariants
  paging     https://shopify.dev/docs/api/usage/pagination-graphql
  cost       https://shopify.dev/docs/apps/build/apis/graphql-admin/rate-limits
  versions   https://shopify.dev/docs/api/usage/versioning
The query text is parsed minimally: its top field (orders, productVariants
or shop), sortKey (orders are sorted by ID unless sortKey: UPDATED_AT, as
the real default is), the nested connections' first; the variables first,
after and query (updated_at:>='TIME' or updated_at:>TIME). X-Shopify-
Access-Token is checked (401 when wrong). Nodes are the REST data put in
GraphQL shape (GIDs gid://shopify/Order/ID, camelCase, MoneyBag
shopMoney, enums upper case, times in UTC); every field is given, whatever
the selection. Cost: requestedQueryCost = 2 + first x (1 + nested
connections) (1 for shop), actualQueryCost the same with the nodes
returned; a leaky bucket of --cost-max points refilled at --restore
points/s answers THROTTLED (HTTP 200, errors[0].extensions.code, and
extensions.cost with actualQueryCost null) when it holds less than the
requested cost, and takes the actual cost otherwise; every answer carries
extensions.cost.throttleStatus. A version Shopify does not serve (not in
VERSIONS) is a 404 on every path, as the real one answers. --deprecated
TEXT sends X-Shopify-API-Deprecated-Reason: TEXT with every GraphQL answer.
--redact leaves out (null) what an app without protected customer data
access does not get: addresses, phones. --variants N adds a product
"Big" with N variants (SKU BIG-1 ...).

Shipments (uoms-push): order(id:) { fulfillmentOrders { ... } } answers the
order's fulfillment orders (one per order unless the data gives
"fulfillment_orders"; CLOSED once fulfilled or cancelled, IN_PROGRESS when
partly fulfilled, else OPEN), at a requested cost over which a single query
is MAX_COST_EXCEEDED (1000); the mutation fulfillmentCreate type-checks its
FulfillmentInput, refuses with userErrors what Shopify refuses (a
fulfillment order not OPEN or IN_PROGRESS, unknown, of another order; no
tracking number), and once taken closes the fulfillment orders: the order
reads fulfilled (updated then) on the next fetch. --push-log FILE: one JSON
line per fulfillment taken, {"method", "path", "body"}. --close-between
closes the fulfillment orders a query answered (fulfilled by hand meanwhile).

The legacy REST API behaves as its docs describe it:
  orders     https://shopify.dev/docs/api/admin-rest/2024-01/resources/order
  products   https://shopify.dev/docs/api/admin-rest/2024-01/resources/product
  paging     https://shopify.dev/docs/api/admin-rest/usage/pagination
  rate limit https://shopify.dev/docs/api/admin-rest/usage/rate-limits
  token      https://shopify.dev/docs/apps/build/authentication-authorization/access-tokens/client-credentials-grant

GET /admin/api/VERSION/orders.json checks X-Shopify-Access-Token (401 when
wrong), filters by status (default open; any) and updated_at_min, pages by an
opaque page_info cursor given in the Link header (rel="previous", rel="next");
a page_info request may carry nothing but limit (and fields), else 400.
GET /admin/api/VERSION/products.json is the same for the catalog: filters by
status (default all: active, draft, archived) and updated_at_min, pages alike.
GET /admin/api/VERSION/shop.json is the shop ({"shop": {id, name, currency,
...}}), its currency --currency (USD; '' leaves it out), that of prices in
the catalog, which a product does not carry.
  shop https://shopify.dev/docs/api/admin-rest/2024-01/resources/shop
Every order carries refunds[] (empty until one), each with
refund_line_items[] (line_item_id, quantity) and transactions[] (kind
"refund", status "success" for money that went back, amount a decimal
string), as the Refund resource shows them.
  refunds https://shopify.dev/docs/api/admin-rest/2024-01/resources/refund
POST /admin/oauth/access_token is the client-credentials grant.
Every answer carries X-Shopify-Shop-Api-Call-Limit; with --bucket a leaky
bucket (leaking 2 requests/s) answers 429 with Retry-After when full.

It speaks plain HTTP on 127.0.0.1 (the real API is https only; the kind
accepts http:// only for a loopback address). The port is printed on the
first line of stdout.

  shopify_server.py [--token T] [--client-id ID --client-secret S]
      [--token-ttl SECONDS] [--orders N | --data FILE]
      [--product-data FILE] [--currency CODE] [--bucket SIZE]
      [--fail N:WHAT]... [--hang SECONDS] [--log FILE]
      [--push-log FILE] [--close-between]

--data FILE: the orders to serve ({"orders": [...]} or a list), read again on
every request, so a test can change an order between fetches. Default: N
generated orders covering every status (--orders, default 9).
--product-data FILE: the products ({"products": [...]} or a list), read again
on every request. Default: PRODUCTS (six, one updated long ago).
--fail N:WHAT answers the Nth request (counting every request, from 1) with
WHAT: 500, 429 (Retry-After: 1), 401, hang (no answer for --hang seconds),
truncate (the JSON cut in half, Content-Length to match), short (the
connection closes half way through the announced body), badjson.
--log FILE: one line per request, "METHOD PATH?QUERY -> STATUS" (never a
token or secret); a GraphQL one is "POST PATH FIELD first=N after=CURSOR|-
query=Q|- -> STATUS", and "-> THROTTLED ready=SECONDS" when refused (when
the bucket holds the cost again). --times appends " left=POINTS" (what
the bucket holds after a GraphQL answer) and " at=EPOCH" (seconds, when
it was answered) to every line. --cost-start POINTS: what the bucket holds
at the first query (full by default); it fills from then on.
"""
import argparse
import base64
import datetime
import json
import re
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

STATUSES = [  # financial_status, fulfillment_status, cancelled
    ("pending", None, False),
    ("paid", None, False),
    ("authorized", None, False),
    ("paid", "partial", False),
    ("paid", "fulfilled", False),
    ("refunded", "fulfilled", False),
    ("voided", None, False),
    ("paid", None, True),
    ("partially_refunded", "fulfilled", False),
]


def generated(n):
    """n orders as the API shows them, every status of STATUSES in turn."""
    orders = []
    for i in range(n):
        fin, ful, cancelled = STATUSES[i % len(STATUSES)]
        usd = i % len(STATUSES) == 4
        o = {
            "id": 5000000001 + i,
            "name": "#%d" % (1001 + i),
            "order_number": 1001 + i,
            "email": "buyer%d@example.com" % i,
            "created_at": "2026-11-21T%02d:%02d:00+09:00" % (9 + i // 60, i % 60),
            "updated_at": "2026-11-21T%02d:%02d:30+09:00" % (10 + i // 60, i % 60),
            "cancelled_at": "2026-11-21T11:00:00+09:00" if cancelled else None,
            "closed_at": None,
            "currency": "USD" if usd else "KRW",
            "total_price": "12.34" if usd else "%d" % (19000 * (1 + i % 3)),
            "financial_status": fin,
            "fulfillment_status": ful,
            "shipping_address": {
                "first_name": "길동", "last_name": "홍", "name": "홍길동%d" % i,
                "address1": "테헤란로 %d" % (i + 1), "address2": "",
                "city": "강남구", "province": "서울", "country": "South Korea",
                "zip": "%05d" % (6236 + i), "phone": "010-1234-%04d" % i,
            },
            "line_items": [{
                "id": 9000000001 + i, "variant_id": 39072856, "title": "사과",
                "name": "사과 - %dkg" % (1 + i % 3), "sku": "SKU-%d" % (i % 4),
                "quantity": 1 + i % 3, "price": "12.34" if usd else "19000.00",
            }],
        }
        if usd:
            o["line_items"][0]["quantity"] = 1
            o["shipping_address"].update(phone="+1 613 555 0100", zip="K2P 1L4")
        # An order always carries refunds (a list, empty until one):
        # refunded gave everything back, partially_refunded one unit (a
        # failed attempt first, which gave nothing).
        o["refunds"] = []
        if fin == "refunded":
            o["refunds"].append(refund(o, 1, o["line_items"][0]["quantity"],
                                       o["total_price"]))
        elif fin == "partially_refunded":
            o["refunds"].append(refund(o, 1, 1, "19000", failed="19000"))
        orders.append(o)
    return orders


def refund(o, n, qty, amount, failed=None):
    """The nth refund of order o: qty units of its first line, amount back.

    As the Refund resource shows one: refund_line_items[] name the order's
    line by line_item_id, with the quantity given back; transactions[] of
    kind "refund" say what money went back and whether it did (status).
      https://shopify.dev/docs/api/admin-rest/2024-01/resources/refund
    """
    li = o["line_items"][0]
    tx = []
    for status, amt in (("failure", failed), ("success", amount)):
        if amt is not None:
            tx.append({"id": o["id"] * 10 + len(tx), "order_id": o["id"],
                       "kind": "refund", "gateway": "bogus",
                       "status": status, "amount": amt,
                       "currency": o["currency"],
                       "parent_id": o["id"] * 10 + 9})
    return {"id": o["id"] * 100 + n, "order_id": o["id"],
            "created_at": o["updated_at"], "note": "returned",
            "restock": True,
            "refund_line_items": [{
                "id": o["id"] * 1000 + n, "line_item_id": li["id"],
                "quantity": qty, "restock_type": "return",
                "subtotal": amount, "total_tax": "0.00",
                "line_item": li}],
            "transactions": tx}


def variant(vid, title, sku, price, qty):
    return {"id": vid, "title": title, "sku": sku, "price": price,
            "inventory_quantity": qty, "inventory_item_id": vid + 1000,
            "compare_at_price": None, "option1": title}


# The catalog as the API shows it (prices in the shop's currency, USD).
PRODUCTS = [
    {"id": 632910391, "title": "Apple", "product_type": "Fruit",
     "status": "active", "updated_at": "2026-11-20T10:00:00-05:00",
     "variants": [variant(808950811, "1kg", "APL-1", "12.34", 10),
                  variant(808950812, "3kg", "APL-3", "30.00", 0),
                  variant(808950813, "Sample", "", "0.00", 5)]},
    {"id": 632910392, "title": "Pear", "product_type": "Fruit",
     "status": "active", "updated_at": "2026-11-20T11:00:00-05:00",
     "variants": [variant(808950821, "Default Title", "PEAR", "5.50", 7)]},
    {"id": 632910393, "title": "Gift box", "product_type": "",
     "status": "draft", "updated_at": "2026-11-20T12:00:00-05:00",
     "variants": [variant(808950831, "Default Title", "GIFT", "100", -2)]},
    {"id": 632910394, "title": "Mug", "product_type": "Kitchen",
     "status": "active", "updated_at": "2026-11-20T13:00:00-05:00",
     "variants": [variant(808950841, "Red", "MUG-R", "8.99", 3),
                  variant(808950842, "Blue", "MUG-B", "8.99", 4)]},
    {"id": 632910395, "title": "Tea", "product_type": "Drinks",
     "status": "archived", "updated_at": "2025-01-01T00:00:00-05:00",
     "variants": [variant(808950851, "Default Title", "TEA", "3.00", 1)]},
    {"id": 632910396, "title": "Spoon", "product_type": "Kitchen",
     "status": "active", "updated_at": "2026-11-20T14:00:00-05:00",
     "variants": [variant(808950861, "Default Title", "SPN", "1.25", 12)]},
]


def when(s):
    return datetime.datetime.fromisoformat(s.replace("Z", "+00:00"))


# Stable versions served late 2026 (each is supported 12 months), the
# release candidate and unstable.
VERSIONS = {"2025-10", "2026-01", "2026-04", "2026-07", "2026-10",
            "2027-01", "unstable"}


def utc(s):
    """A REST time as GraphQL gives it: UTC, 'Z'."""
    if not s:
        return None
    return when(s).astimezone(datetime.timezone.utc).strftime(
        "%Y-%m-%dT%H:%M:%SZ")


def money(amount, currency):
    if amount is None:
        return None
    return {"shopMoney": {"amount": amount, "currencyCode": currency},
            "presentmentMoney": {"amount": amount, "currencyCode": currency}}


def gid(kind, n):
    return "gid://shopify/%s/%d" % (kind, n)


# Fulfillment order statuses a fulfillment can be made of.
FULFILLABLE = ("OPEN", "IN_PROGRESS")

FULFILLMENT = {None: "UNFULFILLED", "partial": "PARTIALLY_FULFILLED",
               "fulfilled": "FULFILLED", "restocked": "RESTOCKED"}


def gql_order(o, lines_first, redact):
    """A REST order as an Order node of the GraphQL Admin API."""
    cur = o.get("currency")
    sa = o.get("shipping_address")
    ba = o.get("billing_address")

    def addr(a):
        if not a or redact:
            return None
        return {"name": a.get("name"), "firstName": a.get("first_name"),
                "lastName": a.get("last_name"), "address1": a.get("address1"),
                "address2": a.get("address2"), "city": a.get("city"),
                "province": a.get("province"), "country": a.get("country"),
                "zip": a.get("zip"), "phone": a.get("phone")}
    lis = o.get("line_items", [])
    fin = o.get("financial_status")
    return {
        "id": gid("Order", o["id"]),
        "name": o.get("name"),
        "createdAt": utc(o.get("created_at")),
        "updatedAt": utc(o.get("updated_at")),
        "cancelledAt": utc(o.get("cancelled_at")),
        "closedAt": utc(o.get("closed_at")),
        "currencyCode": cur,
        "displayFinancialStatus": fin.upper() if fin else None,
        "displayFulfillmentStatus": FULFILLMENT.get(
            o.get("fulfillment_status"), "UNFULFILLED"),
        "phone": None if redact else o.get("phone"),
        "email": None if redact else o.get("email"),
        "totalPriceSet": money(o.get("total_price"), cur),
        "shippingAddress": addr(sa),
        "billingAddress": addr(ba),
        "fulfillments": [{"createdAt": utc(f.get("created_at"))}
                         for f in o.get("fulfillments", [])],
        "lineItems": {
            "pageInfo": {"hasNextPage": len(lis) > lines_first},
            "nodes": [{
                "id": gid("LineItem", li["id"]), "sku": li.get("sku"),
                "name": li.get("name"), "title": li.get("title"),
                "quantity": li.get("quantity"),
                "originalUnitPriceSet": money(li.get("price"), cur),
            } for li in lis[:lines_first]]},
        "refunds": [{
            "id": gid("Refund", rf["id"]),
            "refundLineItems": {"nodes": [{
                "lineItem": {"id": gid("LineItem", x["line_item_id"])},
                "quantity": x.get("quantity")}
                for x in rf.get("refund_line_items", [])]},
            "transactions": {"nodes": [{
                "kind": t.get("kind", "").upper(),
                "status": t.get("status", "").upper(),
                "amountSet": money(t.get("amount"), t.get("currency", cur))}
                for t in rf.get("transactions", [])]},
        } for rf in o.get("refunds", [])],
    }


def gql_variants(p):
    """A REST product's variants as ProductVariant nodes."""
    return [{"id": gid("ProductVariant", v["id"]), "title": v.get("title"),
             "sku": v.get("sku"), "price": v.get("price"),
             "inventoryQuantity": v.get("inventory_quantity"),
             "updatedAt": utc(p.get("updated_at")),
             "product": {"id": gid("Product", p["id"]),
                         "title": p.get("title"),
                         "productType": p.get("product_type"),
                         "status": (p.get("status") or "").upper()}}
            for v in p.get("variants", [])]


def cursor_of(key):
    return base64.urlsafe_b64encode(json.dumps(key).encode()).decode()


def search_since(q):
    """The time of updated_at:>='T' (or >T), and whether it is inclusive."""
    if not q:
        return None, True
    m = re.search(r"updated_at:(>=?)'?([0-9T:+.Z-]+)'?", q)
    if not m:
        return None, True
    return when(m.group(2)), m.group(1) == ">="


def input_problems(f):
    """What GraphQL's type check refuses in a FulfillmentInput value, as
    problems[] ({path, explanation}); [] when it fits.
      https://shopify.dev/docs/api/admin-graphql/latest/input-objects/FulfillmentInput
      https://shopify.dev/docs/api/admin-graphql/latest/input-objects/FulfillmentOrderLineItemsInput
      https://shopify.dev/docs/api/admin-graphql/latest/input-objects/FulfillmentTrackingInput
    """
    if f is None:
        return [{"path": [], "explanation": "Expected value to not be null"}]
    if not isinstance(f, dict):
        return [{"path": [], "explanation": "Expected %s to be a key-value "
                 "object." % json.dumps(f)}]
    out = []
    fields = {"lineItemsByFulfillmentOrder": list, "notifyCustomer": bool,
              "originAddress": dict, "trackingInfo": dict}
    for k, v in f.items():
        if k not in fields:
            out.append({"path": [k], "explanation":
                        "Field is not defined on FulfillmentInput"})
        elif v is not None and not isinstance(v, fields[k]):
            out.append({"path": [k], "explanation": "Could not coerce value "
                        "%s to %s" % (json.dumps(v), fields[k].__name__)})
    lb = f.get("lineItemsByFulfillmentOrder")
    if lb is None:
        out.append({"path": ["lineItemsByFulfillmentOrder"],
                    "explanation": "Expected value to not be null"})
    elif isinstance(lb, list):
        for i, x in enumerate(lb):
            here = ["lineItemsByFulfillmentOrder", i]
            if not isinstance(x, dict) or \
                    not isinstance(x.get("fulfillmentOrderId"), str):
                out.append({"path": here + ["fulfillmentOrderId"],
                            "explanation": "Expected value to not be null"})
                continue
            for k in x:
                if k not in ("fulfillmentOrderId",
                             "fulfillmentOrderLineItems"):
                    out.append({"path": here + [k], "explanation":
                                "Field is not defined on "
                                "FulfillmentOrderLineItemsInput"})
    ti = f.get("trackingInfo")
    if isinstance(ti, dict):
        for k, v in ti.items():
            if k not in ("company", "number", "numbers", "url", "urls"):
                out.append({"path": ["trackingInfo", k], "explanation":
                            "Field is not defined on FulfillmentTrackingInput"})
            elif k in ("company", "number", "url") and v is not None and \
                    not isinstance(v, str):
                out.append({"path": ["trackingInfo", k], "explanation":
                            "Could not coerce value %s to String" %
                            json.dumps(v)})
    return out


class Shop:
    def __init__(self, args):
        self.args = args
        self.lock = threading.Lock()
        self.requests = 0
        self.tokens = {}            # issued token -> expiry (monotonic)
        self.issued = 0
        self.level, self.leaked_at = 0.0, time.monotonic()
        # the GraphQL cost bucket, full unless --cost-start says
        self.points = float(args.cost_max if args.cost_start is None
                            else args.cost_start)
        self.points_at = None   # it starts filling at the first query
        self.fails = {}
        for f in args.fail:
            n, what = f.split(":", 1)
            self.fails[int(n)] = what
        self.logf = open(args.log, "a", buffering=1) if args.log else None
        self.closed = {}        # fulfillment order id -> status set here
        self.fulfilled = {}     # order id -> [(fulfillment id, when)]
        self.made = 0           # fulfillments made

    def orders(self):
        if self.args.data:
            with open(self.args.data, encoding="utf-8") as f:
                d = json.load(f)
            out = d["orders"] if isinstance(d, dict) else d
        else:
            out = generated(self.args.orders)
        return [self.as_fulfilled(o) for o in out]

    def as_fulfilled(self, o):
        """o as it reads once fulfillmentCreate closed all its fulfillment
        orders here: fulfilled (displayFulfillmentStatus FULFILLED), its
        fulfillments listed, updated when it was fulfilled."""
        made = self.fulfilled.get(o["id"])
        if not made or any(fo["status"] in FULFILLABLE
                           for fo in self.fulfillment_orders(o)):
            return o
        return dict(o, fulfillment_status="fulfilled",
                    updated_at=made[-1][1],
                    fulfillments=list(o.get("fulfillments", [])) +
                    [{"id": f, "created_at": t} for f, t in made])

    def fulfillment_orders(self, o):
        """The order's fulfillment orders (REST ids), as the data gives
        them ("fulfillment_orders": [{id, status, line_items: [{id,
        quantity}]}]) or one for the whole order: CLOSED once fulfilled
        or cancelled, IN_PROGRESS when partly fulfilled, else OPEN; a
        status set here (a fulfillment made) over either."""
        fos = o.get("fulfillment_orders")
        if fos is None:
            ful = o.get("fulfillment_status")
            status = "CLOSED" if ful == "fulfilled" or o.get(
                "cancelled_at") else "IN_PROGRESS" if ful == "partial" \
                else "OPEN"
            fos = [{"id": o["id"] * 10 + 1, "status": status,
                    "line_items": [{"id": li["id"] * 10 + 1,
                                    "quantity": li.get("quantity", 1)}
                                   for li in o.get("line_items", [])]}]
        return [dict(fo, status=self.closed.get(fo["id"], fo["status"]))
                for fo in fos]

    def products(self):
        if self.args.product_data:
            with open(self.args.product_data, encoding="utf-8") as f:
                d = json.load(f)
            out = d["products"] if isinstance(d, dict) else d
        else:
            out = list(PRODUCTS)
        if self.args.variants:
            out.append({"id": 632910399, "title": "Big", "product_type": "",
                        "status": "active",
                        "updated_at": "2026-11-20T15:00:00-05:00",
                        "variants": [variant(900000000 + i, "V%d" % i,
                                             "BIG-%d" % i, "1.00", i)
                                     for i in range(1, self.args.variants + 1)]})
        return out

    def count(self):
        """The request's number and, with --bucket, whether it overflows."""
        with self.lock:
            self.requests += 1
            now = time.monotonic()
            self.level = max(0.0, self.level - 2.0 * (now - self.leaked_at))
            self.leaked_at = now
            full = self.args.bucket and self.level + 1 > self.args.bucket
            if not full:
                self.level += 1
            return self.requests, full

    def log(self, line, left=None):
        if self.logf:
            if self.args.times and left is not None:
                line += " left=%.1f" % left
            if self.args.times:
                line += " at=%.3f" % time.time()
            self.logf.write(line + "\n")

    def spend(self, requested):
        """None when the bucket holds requested points (then taken), else
        the seconds until it does; and what it holds."""
        with self.lock:
            now = time.monotonic()
            if self.points_at is None:
                self.points_at = now
            self.points = min(float(self.args.cost_max), self.points +
                              self.args.restore * (now - self.points_at))
            self.points_at = now
            if requested > self.points:
                return (requested - self.points) / self.args.restore, \
                    self.points
            self.points -= requested
            return None, self.points

    def refund(self, points):
        with self.lock:
            self.points = min(float(self.args.cost_max), self.points + points)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "fake-shopify"

    def log_message(self, *a):
        pass

    def answer(self, status, body, headers=(), fail=None, quiet=False):
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        shop = self.server.shop
        length = len(data)
        if fail == "truncate":
            data = data[: len(data) // 2]
            length = len(data)
        elif fail == "badjson":
            data = b'{"orders": [{"id": 1,, oops'
            length = len(data)
        elif fail == "short":
            data = data[: len(data) // 2]
        # Logged before it is sent: the client may ask again at once.
        if not quiet:
            shop.log("%s %s -> %d" % (self.command, self.path, status))
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(length))
        self.send_header("X-Shopify-Shop-Api-Call-Limit",
                         "%d/%d" % (int(shop.level), shop.args.bucket or 40))
        for k, v in headers:
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)
        self.wfile.flush()
        if fail == "short":
            self.close_connection = True

    def failed(self):
        """Injected failures and the leaky bucket; True when answered."""
        shop = self.server.shop
        n, full = shop.count()
        what = shop.fails.get(n)
        if what == "hang":
            shop.log("%s %s -> hang" % (self.command, self.path))
            time.sleep(shop.args.hang)
            self.close_connection = True
            return True
        if what == "500":
            self.answer(500, {"errors": "Internal Server Error"})
            return True
        if what == "429" or full:
            self.answer(429, {"errors": "Exceeded 2 calls per second for api "
                              "client. Reduce request rates to resume "
                              "uninterrupted service."},
                        [("Retry-After", "1.0")])
            return True
        if what == "401":
            self.answer(401, {"errors": "[API] Invalid API key or access "
                              "token (unrecognized login or wrong password)"})
            return True
        self.fail_body = what if what in ("truncate", "short", "badjson") else None
        return False

    def version_ok(self, path):
        """An /admin/api/VERSION/ path of a version served; else 404."""
        parts = path.split("/")
        if len(parts) > 3 and parts[:3] == ["", "admin", "api"] and \
                parts[3] not in VERSIONS:
            self.answer(404, {"errors": "Not Found"})
            return False
        return True

    def do_POST(self):
        # Read first: an answer before the body would leave it on the
        # connection, read as the next request.
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if self.failed():
            return
        u = urllib.parse.urlsplit(self.path)
        if not self.version_ok(u.path):
            return
        parts = u.path.split("/")
        if len(parts) == 5 and parts[:3] == ["", "admin", "api"] and \
                parts[4] == "graphql.json":
            self.graphql(u.path, body)
            return
        if u.path != "/admin/oauth/access_token":
            self.answer(404, {"errors": "Not Found"})
            return
        ctype = self.headers.get("Content-Type", "")
        if ctype.startswith("application/json"):
            form = json.loads(body or b"{}")
        else:
            form = {k: v[0] for k, v in urllib.parse.parse_qs(body.decode()).items()}
        a = self.server.shop.args
        if form.get("grant_type") != "client_credentials":
            self.answer(400, {"error": "unsupported_grant_type"})
            return
        if not a.client_id or form.get("client_id") != a.client_id or \
                form.get("client_secret") != a.client_secret:
            self.answer(401, {"error": "invalid_client", "error_description":
                              "Client authentication failed"})
            return
        shop = self.server.shop
        with shop.lock:
            shop.issued += 1
            tok = "shpat_cc_%d" % shop.issued
            shop.tokens[tok] = time.monotonic() + a.token_ttl
        self.answer(200, {"access_token": tok, "scope": "read_orders",
                          "expires_in": a.token_ttl}, fail=self.fail_body)

    def do_GET(self):
        if self.failed():
            return
        shop = self.server.shop
        a = shop.args
        u = urllib.parse.urlsplit(self.path)
        if not self.version_ok(u.path):
            return
        parts = u.path.split("/")
        if len(parts) != 5 or parts[:3] != ["", "admin", "api"] or \
                parts[4] not in ("orders.json", "products.json", "shop.json"):
            self.answer(404, {"errors": "Not Found"})
            return
        tok = self.headers.get("X-Shopify-Access-Token", "")
        if not (tok and (tok == a.token or
                         shop.tokens.get(tok, 0) > time.monotonic())):
            self.answer(401, {"errors": "[API] Invalid API key or access "
                              "token (unrecognized login or wrong password)"})
            return
        if parts[4] == "shop.json":
            info = {"id": 548380009, "name": "Test Store",
                    "myshopify_domain": "test.myshopify.com",
                    "iana_timezone": "Asia/Seoul"}
            if a.currency:
                info["currency"] = a.currency
            self.answer(200, {"shop": info})
            return
        q = dict(urllib.parse.parse_qsl(u.query, keep_blank_values=True))
        limit = int(q.get("limit", "50"))
        if not 1 <= limit <= 250:
            self.answer(400, {"errors": {"limit": ["must be 1 to 250"]}})
            return
        if "page_info" in q:
            # "page_info ... can't be modified"; only limit and fields may
            # accompany it (the real error text differs, the 400 is alike).
            others = set(q) - {"page_info", "limit", "fields"}
            if others:
                self.answer(400, {"errors": {"page_info": [
                    "cannot be combined with %s" % ", ".join(sorted(others))]}})
                return
            try:
                cur = json.loads(base64.urlsafe_b64decode(
                    q["page_info"] + "=" * (-len(q["page_info"]) % 4)))
                filters, after, before = cur["f"], cur.get("a"), cur.get("b")
            except Exception:
                self.answer(400, {"errors": {"page_info": ["Invalid value."]}})
                return
        else:
            filters, after, before = {k: q[k] for k in ("status", "updated_at_min")
                                      if k in q}, None, None
        what = parts[4][:-5]
        select = self.select if what == "orders" else self.select_products
        rows = sorted(select(filters), key=lambda o: o["id"])
        if after is not None:
            page = [o for o in rows if o["id"] > after][:limit]
        elif before is not None:
            page = [o for o in rows if o["id"] < before][-limit:]
        else:
            page = rows[:limit]
        links = []
        base = "http://%s:%d%s" % (self.server.server_address[0],
                                   self.server.server_address[1], u.path)

        def link(cur, rel):
            pi = base64.urlsafe_b64encode(json.dumps(
                dict(cur, f=filters)).encode()).decode().rstrip("=")
            links.append('<%s?limit=%d&page_info=%s>; rel="%s"' % (
                base, limit, pi, rel))
        if page and rows[0]["id"] < page[0]["id"]:
            link({"b": page[0]["id"]}, "previous")
        if page and rows[-1]["id"] > page[-1]["id"]:
            link({"a": page[-1]["id"]}, "next")
        headers = [("Link", ", ".join(links))] if links else []
        self.answer(200, {what: page}, headers, fail=self.fail_body)

    def graphql(self, path, body):
        shop = self.server.shop
        a = shop.args
        tok = self.headers.get("X-Shopify-Access-Token", "")
        if not (tok and (tok == a.token or
                         shop.tokens.get(tok, 0) > time.monotonic())):
            self.answer(401, {"errors": "[API] Invalid API key or access "
                              "token (unrecognized login or wrong password)"})
            return
        if not self.headers.get("Content-Type", "").startswith(
                "application/json"):
            self.answer(400, {"errors": "Content-Type must be "
                              "application/json"})
            return
        try:
            req = json.loads(body)
            text = req["query"]
            variables = req.get("variables") or {}
        except Exception:
            self.answer(400, {"errors": {"query": "Required parameter "
                                         "missing or invalid"}})
            return
        if re.match(r"\s*mutation\b", text):
            self.mutation(path, body, text, variables)
            return
        if re.search(r"\{\s*order\s*\(", text):
            self.order_query(path, text, variables)
            return
        m = re.search(r"\{\s*(orders|productVariants|shop)\b", text)
        if not m:
            self.answer(200, {"errors": [{"message": "Field doesn't exist "
                                          "on type 'QueryRoot'",
                                          "extensions": {"code":
                                                         "undefinedField"}}]})
            return
        field = m.group(1)
        nested = [int(n) for n in re.findall(r"\(\s*first:\s*(\d+)",
                                             text[m.end():])]
        first = variables.get("first", 0)
        after = variables.get("after")
        query = variables.get("query")
        if field == "shop":
            requested = 1
        else:
            if not isinstance(first, int) or not 1 <= first <= 250:
                self.answer(200, {"errors": [{
                    "message": "first must be 1 to 250",
                    "extensions": {"code": "BAD_REQUEST"}}]})
                return
            requested = 2 + first * (1 + len(nested))
        desc = "POST %s %s first=%s after=%s query=%s" % (
            path, field, first, after or "-", query or "-")
        wait, left = shop.spend(requested)
        status = {"maximumAvailable": float(a.cost_max),
                  "currentlyAvailable": round(left, 1),
                  "restoreRate": float(a.restore)}
        headers = [("X-Shopify-API-Deprecated-Reason", a.deprecated)] \
            if a.deprecated else []
        if wait is not None:
            shop.log("%s -> THROTTLED ready=%.3f" % (desc, wait))
            self.answer(200, {"errors": [{
                "message": "Throttled",
                "extensions": {"code": "THROTTLED", "documentation":
                               "https://shopify.dev/api/usage/rate-limits"}}],
                "extensions": {"cost": {
                    "requestedQueryCost": requested,
                    "actualQueryCost": None,
                    "throttleStatus": status}}}, headers, quiet=True)
            return
        if field == "shop":
            info = {"name": "Test Store", "myshopifyDomain": "test.myshopify.com",
                    "ianaTimezone": "Asia/Seoul"}
            info["currencyCode"] = a.currency or None
            data, actual = {"shop": info}, 1
        else:
            data, n = self.gql_page(field, text, first, after, query,
                                    nested)
            if data is None:
                return
            actual = 2 + n * (1 + len(nested))
            shop.refund(requested - actual)
        status["currentlyAvailable"] = round(shop.spend(0)[1], 1)
        shop.log("%s -> 200" % desc, status["currentlyAvailable"])
        self.answer(200, {"data": data, "extensions": {"cost": {
            "requestedQueryCost": requested, "actualQueryCost": actual,
            "throttleStatus": status}}}, headers, fail=self.fail_body,
            quiet=True)

    def gql_page(self, field, text, first, after, query, nested):
        """One page of orders or variants: (data, nodes) or (None, 0)."""
        shop = self.server.shop
        since, inclusive = search_since(query)

        def fresh(t):
            return since is None or (when(t) >= since if inclusive
                                     else when(t) > since)
        if field == "orders":
            lines_first = nested[0] if nested else 250
            rows = [gql_order(o, lines_first, shop.args.redact)
                    for o in shop.orders() if fresh(o["updated_at"])]
            by_update = re.search(r"sortKey:\s*UPDATED_AT", text)
        else:
            rows = [v for p in shop.products() for v in gql_variants(p)
                    if fresh(p["updated_at"])]
            by_update = False

        def key(r):
            n = int(r["id"].rsplit("/", 1)[1])
            return [r["updatedAt"], n] if by_update else [n]
        rows.sort(key=key)
        if after is not None:
            try:
                last = json.loads(base64.urlsafe_b64decode(after))
            except Exception:
                self.answer(200, {"errors": [{
                    "message": "Invalid cursor for current pagination "
                               "sort.", "extensions": {"code": "BAD_REQUEST"}}]})
                return None, 0
            rows = [r for r in rows if key(r) > last]
        page = rows[:first]
        info = {"hasNextPage": len(rows) > first,
                "hasPreviousPage": after is not None,
                "startCursor": cursor_of(key(page[0])) if page else None,
                "endCursor": cursor_of(key(page[-1])) if page else None}
        return {field: {"pageInfo": info, "nodes": page}}, len(page)

    def charge(self, desc, requested, headers):
        """Takes requested points from the cost bucket: the throttleStatus,
        or None when it was answered THROTTLED (as a page is)."""
        shop = self.server.shop
        a = shop.args
        wait, left = shop.spend(requested)
        status = {"maximumAvailable": float(a.cost_max),
                  "currentlyAvailable": round(left, 1),
                  "restoreRate": float(a.restore)}
        if wait is None:
            return status
        shop.log("%s -> THROTTLED ready=%.3f" % (desc, wait))
        self.answer(200, {"errors": [{
            "message": "Throttled",
            "extensions": {"code": "THROTTLED", "documentation":
                           "https://shopify.dev/api/usage/rate-limits"}}],
            "extensions": {"cost": {
                "requestedQueryCost": requested, "actualQueryCost": None,
                "throttleStatus": status}}}, headers, quiet=True)
        return None

    def answered(self, desc, data, requested, actual, status, headers):
        """A GraphQL answer that ran: what it did not use given back."""
        shop = self.server.shop
        shop.refund(requested - actual)
        status["currentlyAvailable"] = round(shop.spend(0)[1], 1)
        shop.log("%s -> 200" % desc, status["currentlyAvailable"])
        self.answer(200, {"data": data, "extensions": {"cost": {
            "requestedQueryCost": requested, "actualQueryCost": actual,
            "throttleStatus": status}}}, headers, fail=self.fail_body,
            quiet=True)

    def order_query(self, path, text, variables):
        """order(id: $id) { fulfillmentOrders(first:) { nodes { id status
        lineItems(first:) { nodes { id remainingQuantity } } } } }: the
        order's fulfillment orders (what uoms-push asks before it fulfils).
          https://shopify.dev/docs/api/admin-graphql/latest/queries/order
          https://shopify.dev/docs/api/admin-graphql/latest/objects/FulfillmentOrder
          https://shopify.dev/docs/api/admin-graphql/latest/enums/FulfillmentOrderStatus
        Requested cost: 1 for the order, each connection 2 + first x (1 +
        what its nodes hold); more than 1000 is MAX_COST_EXCEEDED, as the
        rate-limits page says a single query may not ask more. With
        --close-between the fulfillment orders answered are closed right
        after (fulfilled by hand in Shopify's admin meanwhile)."""
        shop = self.server.shop
        nested = [int(n) for n in re.findall(r"\(\s*first:\s*(\d+)", text)]
        inner = 0
        for n in reversed(nested):
            inner = 2 + n * (1 + inner)
        requested = 1 + inner
        if requested > 1000:
            self.answer(200, {"errors": [{
                "message": "Query cost is %d, which exceeds the single "
                           "query max cost limit (1000)." % requested,
                "extensions": {"code": "MAX_COST_EXCEEDED",
                               "cost": requested, "maxCost": 1000}}]})
            return
        oid = variables.get("id")
        if not isinstance(oid, str):
            self.answer(200, {"errors": [{
                "message": "Variable $id of type ID! was provided invalid "
                           "value", "extensions": {"value": oid, "problems": [
                               {"path": [], "explanation":
                                "Expected value to not be null"}]}}]})
            return
        desc = "POST %s order id=%s" % (path, oid)
        headers = [("X-Shopify-API-Deprecated-Reason", shop.args.deprecated)] \
            if shop.args.deprecated else []
        status = self.charge(desc, requested, headers)
        if status is None:
            return
        m = re.fullmatch(r"gid://shopify/Order/(\d+)", oid)
        o = next((x for x in shop.orders() if x["id"] == int(m.group(1))),
                 None) if m else None
        if o is None:
            data, actual = {"order": None}, 1
        else:
            fo_first = nested[0] if nested else 0
            li_first = nested[1] if len(nested) > 1 else 0
            fos = shop.fulfillment_orders(o)[:fo_first]
            nodes = [{
                "id": gid("FulfillmentOrder", fo["id"]), "status": fo["status"],
                "lineItems": {"nodes": [{
                    "id": gid("FulfillmentOrderLineItem", li["id"]),
                    "remainingQuantity": 0 if fo["status"] in
                    ("CLOSED", "CANCELLED") else li["quantity"]}
                    for li in fo["line_items"][:li_first]]}} for fo in fos]
            data = {"order": {"id": gid("Order", o["id"]),
                              "fulfillmentOrders": {"nodes": nodes}}}
            actual = 1 + 2 + sum(3 + len(n["lineItems"]["nodes"])
                                 for n in nodes)
            if shop.args.close_between:
                with shop.lock:
                    for fo in fos:
                        shop.closed[fo["id"]] = "CLOSED"
        self.answered(desc, data, requested, actual, status, headers)

    def mutation(self, path, body, text, variables):
        """fulfillmentCreate(fulfillment: FulfillmentInput!, message:
        String) { fulfillment {...} userErrors { field message } }.
          https://shopify.dev/docs/api/admin-graphql/latest/mutations/fulfillmentCreate
          https://shopify.dev/docs/api/admin-graphql/latest/input-objects/FulfillmentInput
          https://shopify.dev/docs/api/admin-graphql/latest/input-objects/FulfillmentTrackingInput
        The input is type-checked as GraphQL does (a member not defined,
        lineItemsByFulfillmentOrder missing, a wrong type: errors[] with
        extensions.problems, nothing run); then userErrors (field
        ["fulfillment"]) for a fulfillment order that does not exist, is
        not OPEN or IN_PROGRESS ("Fulfillment order N has an unfulfillable
        status= closed.", Shopify's words) or belongs to another order,
        and for a tracking number left out: the real API would make a
        fulfillment without one, but uoms-push never means to. Taken, it
        closes the fulfillment orders (the order reads fulfilled from
        then on) and logs {"method", "path", "body"} to --push-log. A
        mutation costs 10 points."""
        shop = self.server.shop
        headers = [("X-Shopify-API-Deprecated-Reason", shop.args.deprecated)] \
            if shop.args.deprecated else []
        if not re.search(r"\{\s*fulfillmentCreate\s*\(", text):
            self.answer(200, {"errors": [{
                "message": "Field doesn't exist on type 'Mutation'",
                "extensions": {"code": "undefinedField"}}]})
            return
        f = variables.get("fulfillment")
        problems = input_problems(f)
        if problems:
            self.answer(200, {"errors": [{
                "message": "Variable $fulfillment of type FulfillmentInput! "
                           "was provided invalid value for " + ", ".join(
                               "%s (%s)" % (".".join(map(str, p["path"])),
                                            p["explanation"])
                               for p in problems),
                "extensions": {"value": f, "problems": problems}}]})
            return
        desc = "POST %s fulfillmentCreate" % path
        status = self.charge(desc, 10, headers)
        if status is None:
            return
        ti = f.get("trackingInfo") or {}
        with shop.lock:
            errors, owner, ids = [], None, []
            where = {fo["id"]: (o, fo) for o in shop.orders()
                     for fo in shop.fulfillment_orders(o)}
            for x in f["lineItemsByFulfillmentOrder"]:
                m = re.fullmatch(r"gid://shopify/FulfillmentOrder/(\d+)",
                                 x["fulfillmentOrderId"])
                if not m or int(m.group(1)) not in where:
                    errors.append({"field": ["fulfillment"], "message":
                                   "Fulfillment order does not exist."})
                    continue
                o, fo = where[int(m.group(1))]
                if owner is not None and owner["id"] != o["id"]:
                    errors.append({"field": ["fulfillment"], "message":
                                   "All fulfillment orders must belong to "
                                   "the same order."})
                owner = o
                if fo["status"] not in FULFILLABLE:
                    errors.append({"field": ["fulfillment"], "message":
                                   "Fulfillment order %d has an unfulfillable "
                                   "status= %s." % (fo["id"],
                                                    fo["status"].lower())})
                ids.append(fo["id"])
            if not ti.get("number"):
                errors.append({"field": ["fulfillment", "trackingInfo",
                                         "number"],
                               "message": "Tracking number can't be blank"})
            if not errors:
                shop.made += 1
                fid = 1062533000 + shop.made
                for i in ids:
                    shop.closed[i] = "CLOSED"
                shop.fulfilled.setdefault(owner["id"], []).append(
                    (fid, datetime.datetime.now(datetime.timezone.utc)
                     .strftime("%Y-%m-%dT%H:%M:%SZ")))
                if shop.args.push_log:
                    with open(shop.args.push_log, "a") as log:
                        log.write(json.dumps({
                            "method": self.command, "path": path,
                            "body": json.loads(body)}) + "\n")
        if errors:
            data = {"fulfillmentCreate": {"fulfillment": None,
                                          "userErrors": errors}}
        else:
            data = {"fulfillmentCreate": {"fulfillment": {
                "id": gid("Fulfillment", fid), "status": "SUCCESS",
                "trackingInfo": [{"company": ti.get("company"),
                                  "number": ti.get("number")}]},
                "userErrors": []}}
        self.answered(desc, data, 10, 10, status, headers)

    def select_products(self, filters):
        status = filters.get("status")
        since = filters.get("updated_at_min")
        return [p for p in self.server.shop.products()
                if (not status or p["status"] in status.split(",")) and
                not (since and when(p["updated_at"]) < when(since))]

    def select(self, filters):
        status = filters.get("status", "open")
        since = filters.get("updated_at_min")
        out = []
        for o in self.server.shop.orders():
            closed = o.get("cancelled_at") or o.get("closed_at")
            if status == "open" and closed or \
                    status == "closed" and not o.get("closed_at") or \
                    status == "cancelled" and not o.get("cancelled_at"):
                continue
            if since and when(o["updated_at"]) < when(since):
                continue
            out.append(o)
        return out


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--token", default="shpat_test_token")
    p.add_argument("--client-id")
    p.add_argument("--client-secret")
    p.add_argument("--token-ttl", type=int, default=86399)
    p.add_argument("--orders", type=int, default=9)
    p.add_argument("--data")
    p.add_argument("--product-data")
    p.add_argument("--currency", default="USD")
    p.add_argument("--bucket", type=int, default=0)
    p.add_argument("--fail", action="append", default=[])
    p.add_argument("--hang", type=float, default=30)
    p.add_argument("--log")
    p.add_argument("--times", action="store_true")
    p.add_argument("--cost-max", type=int, default=1000)
    p.add_argument("--restore", type=float, default=100.0)
    p.add_argument("--cost-start", type=float)
    p.add_argument("--deprecated")
    p.add_argument("--redact", action="store_true")
    p.add_argument("--variants", type=int, default=0)
    p.add_argument("--push-log")
    p.add_argument("--close-between", action="store_true")
    args = p.parse_args()
    srv = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    srv.daemon_threads = True
    srv.shop = Shop(args)
    print(srv.server_address[1], flush=True)
    try:
        srv.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    sys.exit(main())
