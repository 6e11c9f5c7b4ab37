#!/usr/bin/env python3
"""A fake WooCommerce REST API v3 for the tests: python3 standard library only.

It behaves as the public docs describe the real one:
  orders  https://woocommerce.github.io/woocommerce-rest-api-docs/#list-all-orders
  products https://woocommerce.github.io/woocommerce-rest-api-docs/#list-all-products
  paging  https://woocommerce.github.io/woocommerce-rest-api-docs/#pagination
  auth    https://woocommerce.github.io/woocommerce-rest-api-docs/#authentication-over-https

Every request is authenticated first, as WooCommerce's
WC_REST_Authentication does (before routing, before anything can fail):
  https://woocommerce.github.io/woocommerce-rest-api-docs/#authentication-over-https
  https://woocommerce.github.io/woocommerce-rest-api-docs/#authentication-over-http
over HTTPS (--tls-cert, is_ssl()) HTTP basic auth or consumer_key and
consumer_secret in the query, then OAuth 1.0a; over plain HTTP OAuth 1.0a
only (a basic auth header is not even looked at). OAuth 1.0a is checked as
WooCommerce checks it: the five oauth_* query parameters present, the
consumer key, HMAC-SHA1 or HMAC-SHA256 over the base string (method, the
home URL with the request's path, every query parameter but the signature
sorted by name, each name=value encoded twice) keyed with the secret and
'&', a timestamp within 15 minutes (--skew shifts the shop's clock) and a
nonce not seen before (kept in a set: WooCommerce keeps one per timestamp).
Each refusal is a 401 with WooCommerce's error JSON, code
woocommerce_rest_authentication_error (or woocommerce_rest_cannot_view when
no credentials came, woocommerce_rest_authentication_missing_parameter when
some oauth_* are missing) and its message.
GET /wp-json/wc/v3/orders filters by status
(default any, which leaves out trash), modified_after (site time, or GMT with
dates_are_gmt=true); sorts by orderby/order; pages by page and per_page (1 to
100, else 400 rest_invalid_param) with X-WP-Total, X-WP-TotalPages and a Link
header (rel="prev", rel="next"). The shop's site time is UTC+9 (a Korean
shop), so forgetting dates_are_gmt shifts the window by nine hours.
GET /wp-json/wc/v3/products is the same for the catalog (status any leaves
out trash; orderby date, id, title, modified).
GET /wp-json/wc/v3/settings/general is the general settings group, a list of
setting options ({id, label, description, type, default, options, tip, value,
group_id}); woocommerce_currency's value is the store's currency (--currency,
KRW; --currency '' leaves the option out).
  settings https://woocommerce.github.io/woocommerce-rest-api-docs/#retrieve-all-settings-options
Every order carries currency and refunds[] ({id, reason, total}, total a
negative decimal string), as the order properties say; a refunded order has
one refund of its whole total. Order 702 has a coupon (coupon_lines,
discount_total): its line's subtotal is before the discount, total after,
and price (a JSON number) is total / quantity, as WooCommerce writes them.
  refunds https://woocommerce.github.io/woocommerce-rest-api-docs/#order-refunds-properties

What uoms-push writes, kept in memory for the server's life (a later GET
of the orders shows it): POST /wp-json/wc/v3/orders/ID/notes adds a note
(201), PUT /wp-json/wc/v3/orders/ID sets the status (200, completed stamps
date_completed); GET /wp-json/wc/v3/orders/ID and .../ID/notes read them.
Each checks what WooCommerce checks, with its error JSON: see create_note
and update_order.

It speaks plain HTTP on 127.0.0.1, or HTTPS with --tls-cert and --tls-key.
The port is printed on the first line of stdout.

  woocommerce_server.py [--key CK --secret CS] [--orders N | --data FILE]
      [--product-data FILE] [--currency CODE] [--fail N:WHAT]...
      [--hang SECONDS] [--log FILE] [--auth-log FILE] [--push-log FILE]
      [--write-delay SECONDS] [--skew SECONDS]
      [--tls-cert FILE --tls-key FILE]

--data FILE: the orders to serve (a JSON list, as the API shows them), read
again on every request. Default: N generated orders, every status in turn
(--orders, default 10).
--product-data FILE: the products (a JSON list), read again on every request.
Default: PRODUCTS (seven, one without a SKU, one modified long ago).
--fail N:WHAT answers the Nth request (from 1) with WHAT: 500, 429
(Retry-After: 1), 401, hang (no answer for --hang seconds), truncate (the
JSON cut in half, Content-Length to match), short (the connection closes half
way through the announced body), badjson. A 429 comes before WordPress (a
host's limiter); the others after authentication, so a nonce that came
with them is used up, as on a real shop.
--log FILE: one line per request, "METHOD PATH?QUERY -> STATUS", the oauth_*
parameters left out (never a key, secret or signature).
--push-log FILE: one JSON line per write it accepted ({"method", "path",
"body"}): a note added, an order updated (what uoms-push sent).
--write-delay SECONDS: each accepted write is logged, then answered after
SECONDS.
--auth-log FILE: one line per request, how it authenticated ("basic",
"query", "oauth1 HMAC-SHA256", "none") and the answer's status.
"""
import argparse
import base64
import datetime
import hashlib
import hmac
import json
import ssl
import sys
import threading
import time
import re
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

SITE = datetime.timedelta(hours=9)
ORDER_PATH = re.compile(r"^/wp-json/wc/v3/orders/(\d+)(/notes)?$")
# The statuses an order may be given (wc_get_order_statuses, "wc-" taken
# off), in the order WordPress lists them in rest_invalid_param.
ORDER_STATUSES = ["pending", "processing", "on-hold", "completed",
                  "cancelled", "refunded", "failed", "checkout-draft"]
STATUSES = ["pending", "processing", "on-hold", "completed", "cancelled",
            "refunded", "refunded", "failed", "trash", "processing"]


def stamp(t):
    return t.strftime("%Y-%m-%dT%H:%M:%S")


def generated(n):
    """n orders as the API shows them, every status of STATUSES in turn."""
    orders = []
    t0 = datetime.datetime(2026, 11, 21, 0, 0, 0)
    for i in range(n):
        status = STATUSES[i % len(STATUSES)]
        created = t0 + datetime.timedelta(minutes=i)
        modified = created + datetime.timedelta(minutes=30)
        # The second "refunded" had been completed (then given back).
        completed = status == "completed" or i % len(STATUSES) == 6
        usd = i % len(STATUSES) == 3
        qty = 1 + i % 3
        o = {
            "id": 700 + i, "parent_id": 0, "number": str(700 + i),
            "order_key": "wc_order_%04d" % i, "created_via": "checkout",
            "status": status, "currency": "USD" if usd else "KRW",
            "date_created": stamp(created + SITE), "date_created_gmt": stamp(created),
            "date_modified": stamp(modified + SITE), "date_modified_gmt": stamp(modified),
            "date_completed": stamp(modified + SITE) if completed else None,
            "date_completed_gmt": stamp(modified) if completed else None,
            "discount_total": "0", "shipping_total": "0",
            "total": "29.35" if usd else str(19000 * qty), "total_tax": "0",
            "billing": {"first_name": "철수", "last_name": "김", "company": "",
                        "address_1": "해운대로 %d" % (i + 1), "address_2": "",
                        "city": "부산", "state": "", "postcode": "48094",
                        "country": "KR", "email": "buyer%d@example.com" % i,
                        "phone": "010-2222-%04d" % i},
            "shipping": {"first_name": "영희", "last_name": "이", "company": "",
                         "address_1": "테헤란로 %d" % (i + 1), "address_2": "3층",
                         "city": "서울", "state": "", "postcode": "%05d" % (6236 + i),
                         "country": "KR", "phone": ""},
            "line_items": [{
                "id": 9000 + i, "name": "사과 %dkg" % qty, "product_id": 93,
                "variation_id": 0, "quantity": qty,
                "subtotal": "29.35" if usd else str(19000 * qty),
                "total": "29.35" if usd else str(19000 * qty),
                "sku": "SKU-%d" % (i % 4), "price": 29.35 if usd else 19000,
            }],
        }
        if usd:
            o["shipping"].update(country="US", postcode="94103-1234")
            o["billing"]["phone"] = "(555) 555-5555"
        if i == 2:
            # A coupon of 7000 on the line: subtotal before, total after.
            li = o["line_items"][0]
            li["total"] = "50000"
            li["price"] = 50000 / qty
            o["discount_total"] = "7000"
            o["total"] = "50000"
            o["coupon_lines"] = [{"id": 40, "code": "welcome",
                                  "discount": "7000", "discount_tax": "0"}]
        o["refunds"] = []
        if status == "refunded":
            o["refunds"].append({"id": 800 + i, "reason": "반품",
                                 "total": "-%s" % o["total"]})
        orders.append(o)
    return orders


def product(pid, name, sku, price, cats, stock, modified, status="publish",
            meta=()):
    t = datetime.datetime.fromisoformat(modified)
    return {"id": pid, "name": name, "slug": "p-%d" % pid, "type": "simple",
            "status": status, "sku": sku, "price": price,
            "regular_price": price, "sale_price": "",
            "date_modified": stamp(t + SITE), "date_modified_gmt": stamp(t),
            "manage_stock": stock is not None, "stock_quantity": stock,
            "stock_status": "instock" if stock is None or stock > 0 else "outofstock",
            "categories": [{"id": 15 + i, "name": c, "slug": "c%d" % i}
                           for i, c in enumerate(cats)],
            "meta_data": [{"id": 500 + i, "key": k, "value": v}
                          for i, (k, v) in enumerate(meta)]}


# The catalog as the API shows it (prices in the store's currency, KRW).
PRODUCTS = [
    product(93, "사과 1kg", "APL-1", "19000", ["과일"], 10, "2026-11-20T01:00:00",
            meta=[("_cost", "12000")]),
    product(94, "배", "PEAR", "25000", ["과일"], None, "2026-11-20T02:00:00"),
    product(95, "선물세트", "", "50000", ["선물"], 4, "2026-11-20T03:00:00"),
    product(96, "머그컵", "MUG", "", [], 3, "2026-11-20T04:00:00", status="draft"),
    product(97, "녹차", "TEA", "3000", ["음료"], 1, "2025-01-01T00:00:00"),
    product(98, "숟가락", "SPN", "1500", ["주방", "할인"], 12, "2026-11-20T05:00:00"),
    product(99, "접시", "PLATE", "8000", ["주방"], 0, "2026-11-20T06:00:00",
            meta=[("_wc_cog_cost", "5000")]),
]


class Shop:
    def __init__(self, args):
        self.args = args
        self.lock = threading.Lock()
        self.requests = 0
        self.fails = {}
        for f in args.fail:
            n, what = f.split(":", 1)
            self.fails[int(n)] = what
        self.logf = open(args.log, "a", buffering=1) if args.log else None
        self.authf = open(args.auth_log, "a", buffering=1) if args.auth_log \
            else None
        self.nonces = set()
        self.pushf = open(args.push_log, "a", buffering=1) if args.push_log \
            else None
        self.changed = {}       # order id: the members a PUT set
        self.notes = {}         # order id: its notes, oldest first

    def orders(self):
        if self.args.data:
            with open(self.args.data, encoding="utf-8") as f:
                orders = json.load(f)
        else:
            orders = generated(self.args.orders)
        with self.lock:
            for o in orders:
                o.update(self.changed.get(o["id"], {}))
        return orders

    def order(self, oid):
        for o in self.orders():
            if o["id"] == oid:
                return o
        return None

    def pushed(self, method, path, body):
        """One accepted write, for the tests: method, path, JSON body;
        then --write-delay before it is answered (a client killed while
        it waits has sent it, and does not know it was taken)."""
        if self.pushf:
            self.pushf.write(json.dumps({"method": method, "path": path,
                                         "body": body}, ensure_ascii=False) + "\n")
        if self.args.write_delay > 0:
            time.sleep(self.args.write_delay)

    def products(self):
        if self.args.product_data:
            with open(self.args.product_data, encoding="utf-8") as f:
                return json.load(f)
        return PRODUCTS

    def count(self):
        with self.lock:
            self.requests += 1
            return self.requests

    def log(self, line):
        if self.logf:
            self.logf.write(line + "\n")


def error(code, message, status, **data):
    return {"code": code, "message": message, "data": dict(status=status, **data)}


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "Apache"

    def log_message(self, *a):
        pass

    def answer(self, status, body, headers=(), fail=None):
        data = json.dumps(body).encode()
        length = len(data)
        if fail == "truncate":
            data = data[: len(data) // 2]
            length = len(data)
        elif fail == "badjson":
            data = b'[{"id": 1,, oops'
            length = len(data)
        elif fail == "short":
            data = data[: len(data) // 2]
        # Logged before it is sent: the client may ask again at once.
        u = urllib.parse.urlsplit(self.path)
        q = [(k, v) for k, v in urllib.parse.parse_qsl(
            u.query, keep_blank_values=True) if not k.startswith("oauth_")]
        path = u.path + ("?" + "&".join(
            "%s=%s" % (k, urllib.parse.quote(v, safe="~")) for k, v in q)
            if q else "")
        self.server.shop.log("%s %s -> %d" % (self.command, path, status))
        if self.server.shop.authf:
            self.server.shop.authf.write("%s %d\n" % (
                getattr(self, "auth_method", "none"), status))
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=UTF-8")
        self.send_header("Content-Length", str(length))
        for k, v in headers:
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)
        self.wfile.flush()
        if fail == "short":
            self.close_connection = True

    def refuse(self, code, message):
        self.answer(401, error(code, message, 401))
        return False

    def authorized(self, q):
        """As WC_REST_Authentication::authenticate: basic over HTTPS, then
        OAuth 1.0a; over plain HTTP OAuth 1.0a only."""
        a = self.server.shop.args
        self.auth_method = "none"
        if self.server.tls:
            key = secret = None
            h = self.headers.get("Authorization", "")
            if h.startswith("Basic "):
                self.auth_method = "basic"
                try:
                    key, _, secret = base64.b64decode(h[6:]).decode().partition(":")
                except Exception:
                    key = ""
            elif "consumer_key" in q:
                self.auth_method = "query"
                key, secret = q.get("consumer_key"), q.get("consumer_secret")
            if key is not None:
                if key != a.key:
                    return self.refuse("woocommerce_rest_authentication_error",
                                       "Consumer key is invalid.")
                if secret != a.secret:
                    return self.refuse("woocommerce_rest_authentication_error",
                                       "Consumer secret is invalid.")
                return True
        return self.oauth(q)

    def oauth(self, q):
        """WC_REST_Authentication::perform_oauth_authentication."""
        a = self.server.shop.args
        names = ["oauth_consumer_key", "oauth_timestamp", "oauth_nonce",
                 "oauth_signature", "oauth_signature_method"]
        missing = [n for n in names if not q.get(n)]
        if len(missing) == len(names):
            return self.refuse("woocommerce_rest_cannot_view",
                               "Sorry, you cannot list resources.")
        self.auth_method = "oauth1 %s" % q.get("oauth_signature_method")
        if missing:
            return self.refuse("woocommerce_rest_authentication_missing_parameter",
                               "Missing OAuth parameter%s %s" % (
                                   "s" if len(missing) > 1 else "",
                                   ", ".join(missing)))
        if q["oauth_consumer_key"] != a.key:
            return self.refuse("woocommerce_rest_authentication_error",
                               "Consumer key is invalid.")
        # check_oauth_signature: the home URL with the request's path.
        enc = lambda t: urllib.parse.quote(t, safe="~")
        home = "%s://%s:%d" % ("https" if self.server.tls else "http",
                               self.server.server_address[0],
                               self.server.server_address[1])
        path = urllib.parse.urlsplit(self.path).path
        given = urllib.parse.unquote(q["oauth_signature"].replace(" ", "+"))
        params = sorted((k, v) for k, v in q.items() if k != "oauth_signature")
        joined = "%26".join(enc("%s=%s" % (enc(k), enc(v))) for k, v in params)
        base = "%s&%s&%s" % (self.command.upper(), enc(home + path), joined)
        method = q["oauth_signature_method"]
        if method not in ("HMAC-SHA1", "HMAC-SHA256"):
            return self.refuse("woocommerce_rest_authentication_error",
                               "Invalid signature - signature method is invalid.")
        digest = hashlib.sha1 if method == "HMAC-SHA1" else hashlib.sha256
        want = base64.b64encode(hmac.new((a.secret + "&").encode(),
                                         base.encode(), digest).digest()).decode()
        if not hmac.compare_digest(want, given):
            return self.refuse("woocommerce_rest_authentication_error",
                               "Invalid signature - provided signature does not match.")
        # check_oauth_timestamp_and_nonce: 15 minutes either way.
        now = time.time() + a.skew
        try:
            ts = int(q["oauth_timestamp"])
        except ValueError:
            ts = 0
        if ts < now - 15 * 60 or ts > now + 15 * 60:
            return self.refuse("woocommerce_rest_authentication_error",
                               "Invalid timestamp.")
        shop = self.server.shop
        with shop.lock:
            if q["oauth_nonce"] in shop.nonces:
                return self.refuse("woocommerce_rest_authentication_error",
                                   "Invalid nonce - nonce has already been used.")
            shop.nonces.add(q["oauth_nonce"])
        return True

    def begin(self):
        """The request's number, its --fail, authentication: the --fail
        it still has to act on ("" when answered already: None)."""
        shop = self.server.shop
        what = shop.fails.get(shop.count())
        if what == "hang":
            shop.log("%s %s -> hang" % (self.command,
                                        urllib.parse.urlsplit(self.path).path))
            time.sleep(shop.args.hang)
            self.close_connection = True
            return None
        if what == "429":
            self.answer(429, error("too_many_requests", "Too many requests.", 429),
                        [("Retry-After", "1")])
            return None
        # WordPress authenticates before it routes or fails.
        if not self.authorized(dict(urllib.parse.parse_qsl(
                urllib.parse.urlsplit(self.path).query, keep_blank_values=True))):
            return None
        if what == "500":
            self.answer(500, error("internal_server_error",
                                   "There has been a critical error on this website.", 500))
            return None
        if what == "401":
            self.answer(401, error("woocommerce_rest_authentication_error",
                                   "Consumer secret is invalid.", 401))
            return None
        return what or ""

    def do_GET(self):
        what = self.begin()
        if what is None:
            return
        u = urllib.parse.urlsplit(self.path)
        m = ORDER_PATH.match(u.path.rstrip("/"))
        if m:
            self.get_order(int(m.group(1)), m.group(2))
            return
        what = u.path.rstrip("/").rpartition("/")[2]
        if u.path.rstrip("/") == "/wp-json/wc/v3/settings/general":
            self.answer(200, self.general())
            return
        if u.path.rstrip("/") not in ("/wp-json/wc/v3/orders",
                                      "/wp-json/wc/v3/products"):
            self.answer(404, error("rest_no_route",
                                   "No route was found matching the URL and request method.", 404))
            return
        q = dict((k, v) for k, v in urllib.parse.parse_qsl(
            u.query, keep_blank_values=True) if not k.startswith("oauth_"))
        try:
            page = int(q.get("page", "1"))
            per_page = int(q.get("per_page", "10"))
            if not 1 <= per_page <= 100 or page < 1:
                raise ValueError
        except ValueError:
            self.answer(400, error("rest_invalid_param", "Invalid parameter(s): per_page",
                                   400, params={"per_page": "per_page must be between 1 "
                                                "(inclusive) and 100 (inclusive)"}))
            return
        gmt = q.get("dates_are_gmt") in ("true", "1")
        rows = self.select(q.get("status", "any"), q.get("modified_after"), gmt,
                           what)
        if rows is None:
            self.answer(400, error("rest_invalid_param", "Invalid parameter(s): "
                                   "modified_after", 400))
            return
        key = {"modified": "date_modified_gmt", "date": "date_created_gmt",
               "id": "id", "title": "name"}.get(q.get("orderby", "date"),
                                                "date_created_gmt")
        if what == "products" and key == "date_created_gmt":
            key = "date_modified_gmt"   # the fake keeps no creation date
        rows.sort(key=lambda o: (o[key], o["id"]), reverse=q.get("order", "desc") == "desc")
        total = len(rows)
        pages = (total + per_page - 1) // per_page
        body = rows[(page - 1) * per_page: page * per_page]
        base = "%s://%s:%d%s" % ("https" if self.server.tls else "http",
                                   self.server.server_address[0],
                                   self.server.server_address[1], u.path)
        links = []
        for rel, p in (("prev", page - 1), ("next", page + 1)):
            if 1 <= p <= pages:
                links.append('<%s?%s>; rel="%s"' % (base, urllib.parse.urlencode(
                    dict(q, page=p)), rel))
        headers = [("X-WP-Total", str(total)), ("X-WP-TotalPages", str(pages))]
        if links:
            headers.append(("Link", ", ".join(links)))
        self.answer(200, body, headers, fail=what)

    # Orders one by one, and their notes: what uoms-push asks.
    #   https://woocommerce.github.io/woocommerce-rest-api-docs/#retrieve-an-order
    #   https://woocommerce.github.io/woocommerce-rest-api-docs/#list-all-order-notes
    # An unknown order is 404 woocommerce_rest_shop_order_invalid_id, "Invalid
    # ID." for the order (WC_REST_CRUD_Controller::get_item), "Invalid order
    # ID." for its notes (WC_REST_Order_Notes_V2_Controller).
    def get_order(self, oid, notes):
        o = self.server.shop.order(oid)
        if o is None:
            self.answer(404, error("woocommerce_rest_shop_order_invalid_id",
                                   "Invalid order ID." if notes else "Invalid ID.", 404))
        elif notes:
            with self.server.shop.lock:
                self.answer(200, list(reversed(self.server.shop.notes.get(oid, []))))
        else:
            self.answer(200, o)

    def json_body(self):
        """The body as WordPress reads it: JSON only with a JSON
        Content-Type (else no parameters from it); None when it is
        invalid JSON (answered: 400 rest_invalid_json)."""
        raw = self.raw
        if "application/json" not in self.headers.get("Content-Type", ""):
            return {}
        if not raw:
            return {}
        try:
            body = json.loads(raw.decode())
        except (ValueError, UnicodeDecodeError):
            self.answer(400, error("rest_invalid_json", "Invalid JSON body passed.", 400))
            return None
        return body if isinstance(body, dict) else {}

    def invalid(self, name, why):
        self.answer(400, error("rest_invalid_param", "Invalid parameter(s): %s" % name,
                               400, params={name: why}, details={name: {
                                   "code": "rest_invalid_type" if "type" in why
                                   else "rest_not_in_enum", "message": why,
                                   "data": None}}))

    # POST orders/{id}/notes: a note; customer_note true makes WooCommerce
    # email it to the customer. note is required (rest_missing_callback_param
    # when absent), a string; customer_note a boolean (WordPress takes
    # true/false and their strings "true", "false", "1", "0").
    #   https://woocommerce.github.io/woocommerce-rest-api-docs/#create-an-order-note
    #   https://woocommerce.github.io/woocommerce-rest-api-docs/#order-note-properties
    def create_note(self, oid, body):
        if "note" not in body:
            self.answer(400, error("rest_missing_callback_param",
                                   "Missing parameter(s): note", 400, params=["note"]))
            return
        if not isinstance(body["note"], str):
            self.invalid("note", "note is not of type string.")
            return
        cn = body.get("customer_note", False)
        if cn not in (True, False, "true", "false", "1", "0", 1, 0) or \
                isinstance(cn, float):
            self.invalid("customer_note", "customer_note is not of type boolean.")
            return
        shop = self.server.shop
        if shop.order(oid) is None:
            self.answer(404, error("woocommerce_rest_shop_order_invalid_id",
                                   "Invalid order ID.", 404))
            return
        now = datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None,
                                                                   microsecond=0)
        with shop.lock:
            nid = 4000 + sum(len(v) for v in shop.notes.values())
            note = {"id": nid, "author": "system",
                    "date_created": stamp(now + SITE), "date_created_gmt": stamp(now),
                    "note": body["note"],
                    "customer_note": cn in (True, "true", "1", 1)}
            shop.notes.setdefault(oid, []).append(note)
        shop.pushed("POST", urllib.parse.urlsplit(self.path).path, body)
        self.answer(201, note, [("Location", "/wp-json/wc/v3/orders/%d/notes/%d"
                                 % (oid, nid))])

    # PUT orders/{id}: an update; status must be one of ORDER_STATUSES (400
    # rest_invalid_param), an unknown order 400 "Invalid ID."
    # (WC_REST_CRUD_Controller::update_item). WooCommerce takes any status
    # from any, even a cancelled order completed; completing it stamps
    # date_completed.
    #   https://woocommerce.github.io/woocommerce-rest-api-docs/#update-an-order
    def update_order(self, oid, body):
        if "status" in body and body["status"] not in ORDER_STATUSES:
            self.invalid("status", "status is not one of %s, and %s." % (
                ", ".join(ORDER_STATUSES[:-1]), ORDER_STATUSES[-1]))
            return
        shop = self.server.shop
        if shop.order(oid) is None:
            self.answer(400, error("woocommerce_rest_shop_order_invalid_id",
                                   "Invalid ID.", 400))
            return
        now = datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None,
                                                                   microsecond=0)
        with shop.lock:
            c = shop.changed.setdefault(oid, {})
            if "status" in body:
                c["status"] = body["status"]
                if body["status"] == "completed":
                    c["date_completed"] = stamp(now + SITE)
                    c["date_completed_gmt"] = stamp(now)
            c["date_modified"] = stamp(now + SITE)
            c["date_modified_gmt"] = stamp(now)
        shop.pushed("PUT", urllib.parse.urlsplit(self.path).path, body)
        self.answer(200, shop.order(oid))

    def write(self):
        # Read whole first: a refusal must not leave it on the connection.
        n = int(self.headers.get("Content-Length") or 0)
        self.raw = self.rfile.read(n) if n > 0 else b""
        what = self.begin()
        if what is None:
            return
        m = ORDER_PATH.match(urllib.parse.urlsplit(self.path).path.rstrip("/"))
        if not m or (self.command == "POST") != bool(m.group(2)):
            self.answer(404, error("rest_no_route",
                                   "No route was found matching the URL and request method.", 404))
            return
        body = self.json_body()
        if body is None:
            return
        if m.group(2):
            self.create_note(int(m.group(1)), body)
        else:
            self.update_order(int(m.group(1)), body)

    do_POST = write
    do_PUT = write

    def general(self):
        """The general settings group, as GET settings/general lists it."""
        opts = [{"id": "woocommerce_store_city", "label": "City",
                 "description": "The city in which your business is located.",
                 "type": "text", "default": "", "tip": "", "value": "서울",
                 "group_id": "general"}]
        cur = self.server.shop.args.currency
        if cur:
            opts.append({"id": "woocommerce_currency", "label": "Currency",
                         "description": "This controls what currency prices "
                         "are listed at in the catalog and which currency "
                         "gateways will take payments in.",
                         "type": "select", "default": "GBP",
                         "options": {"KRW": "South Korean won (&#8361;)",
                                     "USD": "United States (US) dollar (&#36;)"},
                         "tip": "", "value": cur, "group_id": "general"})
        return opts

    def select(self, status, after, gmt, what="orders"):
        if after is not None:
            try:
                t = datetime.datetime.fromisoformat(after.replace("Z", "+00:00"))
            except ValueError:
                return None
            if t.tzinfo is not None:    # an offset given: to GMT or site time
                t = t.astimezone(datetime.timezone.utc).replace(tzinfo=None)
                if not gmt:
                    t += SITE
        out = []
        shop = self.server.shop
        for o in shop.orders() if what == "orders" else shop.products():
            if status == "any" and o["status"] == "trash" or \
                    status != "any" and o["status"] not in status.split(","):
                continue
            if after is not None:
                m = datetime.datetime.fromisoformat(
                    o["date_modified_gmt"] if gmt else o["date_modified"])
                if m <= t:      # "after": strictly later
                    continue
            out.append(o)
        return out


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--key", default="ck_test_key")
    p.add_argument("--secret", default="cs_test_secret")
    p.add_argument("--orders", type=int, default=10)
    p.add_argument("--data")
    p.add_argument("--product-data")
    p.add_argument("--currency", default="KRW")
    p.add_argument("--fail", action="append", default=[])
    p.add_argument("--hang", type=float, default=30)
    p.add_argument("--log")
    p.add_argument("--auth-log")
    p.add_argument("--push-log")
    p.add_argument("--write-delay", type=float, default=0)
    p.add_argument("--skew", type=float, default=0,
                   help="seconds the shop's clock is ahead")
    p.add_argument("--tls-cert")
    p.add_argument("--tls-key")
    args = p.parse_args()
    srv = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    srv.daemon_threads = True
    srv.shop = Shop(args)
    srv.tls = bool(args.tls_cert)
    if srv.tls:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(args.tls_cert, args.tls_key)
        srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
    print(srv.server_address[1], flush=True)
    try:
        srv.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    sys.exit(main())
