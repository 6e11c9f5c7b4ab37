#!/usr/bin/env python3
"""A fake in-house order system for the http-jsonl kind (uoms-channels(7)).

GET /orders?since=T&page=N answers the orders changed after T as JSON Lines
(SPEC 3.1 records), --per-page a page, oldest change first, with
'Link: <...&page=N+1>; rel="next"' while more pages follow. With --token,
a request without 'Authorization: Bearer TOKEN' gets 401. With --shards M,
/shard/K/orders (K < M) serves every M-th order only, so M channels can
share one server. GET /products?page=N serves catalog lines the same way.
With --newest-first, pages go newest change first, as some channels
list them (a fetch that stops half-way has then read only the newest).
Failures can be injected by request number (see fake_http.py).

POST /push takes uoms-push's pushes (uoms-push(1)): Content-Type
application/json and exactly the members documented, else 400 with a JSON
message; --refuse-push EXT refuses that order's pushes the same way; each
accepted push is appended to --push-log before the answer, which comes
--push-delay seconds later (a client killed meanwhile has been counted).

    python3 t/fake/jsonl_server.py --orders 2000 --per-page 100 --token s3cret
"""

import bisect
import json
import os
import re
import sys
import time
from calendar import timegm
from urllib.parse import parse_qs, urlsplit

sys.dont_write_bytecode = True    # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fake_http  # noqa: E402

BASE = 1795219200   # 2026-11-21T00:00:00Z: order i is placed i minutes later

NAMES = ["김민준", "이서연", "박도윤", "최하은", "정시우", "강지유", "조서준", "윤수아"]
ROADS = ["테헤란로", "강남대로", "올림픽로", "해운대로", "세종대로"]

LINE = ('{"channel":"inhouse","external_order_id":"J%06d","order_no":"2611-%06d",'
        '"status":"WAITING","customer":{"name":"%s","phone":"010-%04d-%04d"},'
        '"shipping":{"postal_code":"%05d","address":"서울 강남구 %s %d"},'
        '"placed_at":"%s","channel_updated_at":"%s","total_amount":%d,"currency":"KRW",'
        '"items":[{"external_item_id":"J%06d-1","sku":"SKU-%04d","name":"상품 %d",'
        '"quantity":%d,"unit_price":%d}]}')


def rfc3339(t):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t))


def parse_time(s):
    m = re.match(r"(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)", s or "")
    if not m:
        return None
    return timegm(tuple(int(x) for x in m.groups()) + (0, 0, 0))


def make_orders(n, bad_line):
    """[(updated, line bytes)], oldest change first."""
    out = []
    for i in range(1, n + 1):
        placed = BASE + 60 * i
        updated = placed + 300
        qty, price = 1 + i % 3, 1000 * (1 + i % 20)
        line = LINE % (i, i % 1000000, NAMES[i % len(NAMES)], 1000 + i % 9000,
                       i % 10000, 6000 + i % 400, ROADS[i % len(ROADS)], i,
                       rfc3339(placed), rfc3339(updated), qty * price, i,
                       1 + i % 200, i, qty, price)
        if i == bad_line:
            line = '["not", "an", "object"]'
        out.append((updated, line.encode()))
    return out


PUSH_MEMBERS = {"ack": {"external_order_id", "push"},
                "ship": {"external_order_id", "push", "carrier", "carrier_code",
                         "tracking_number"}}


def refuse(message):
    return 400, {"Content-Type": "application/json"}, \
        json.dumps({"message": message}).encode()


class JsonLines(fake_http.Handler):
    def push(self):
        """POST /push: checks the request as uoms-push(1) documents it,
        logs an accepted push (--push-log) before answering, so a test
        can count it even when the client is killed while it waits."""
        args = self.server.args
        if self.command != "POST":
            return 405, {"Allow": "POST"}, b""
        if self.headers.get("Content-Type", "").split(";")[0].strip() != "application/json":
            return refuse("Content-Type must be application/json")
        try:
            body = json.loads(self.body)
        except ValueError:
            return refuse("the body is not JSON")
        if not isinstance(body, dict) or body.get("push") not in PUSH_MEMBERS:
            return refuse("push must be ack or ship")
        want = PUSH_MEMBERS[body["push"]]
        if set(body) != want or not all(isinstance(body[k], str) and body[k]
                                        for k in want):
            return refuse("members must be exactly %s" % ", ".join(sorted(want)))
        if body["external_order_id"] in (args.refuse_push or []):
            return refuse("order %s is closed here" % body["external_order_id"])
        if args.push_log:
            with self.server.lock, open(args.push_log, "a") as f:
                f.write(json.dumps(body, sort_keys=True) + "\n")
        if args.push_delay > 0:
            time.sleep(args.push_delay)
        return 200, {"Content-Type": "application/json"}, \
            json.dumps({"accepted": body["push"]}).encode()

    def answer(self):
        args = self.server.args
        if args.token and self.headers.get("Authorization") != "Bearer " + args.token:
            return 401, {"Content-Type": "application/json",
                         "WWW-Authenticate": 'Bearer realm="orders"'}, \
                b'{"error":"unauthorized"}'
        url = urlsplit(self.path)
        if url.path == "/push":
            return self.push()
        q = parse_qs(url.query)
        m = re.fullmatch(r"(?:/shard/(\d+))?/(orders|products)", url.path)
        if not m or (m.group(1) is not None and int(m.group(1)) >= args.shards):
            return 404, {"Content-Type": "application/json"}, b'{"error":"not found"}'
        try:
            page = int(q.get("page", ["1"])[0])
        except ValueError:
            return 400, {}, b'{"error":"bad page"}'
        if m.group(2) == "products":
            rows = self.server.products
        else:
            since = q.get("since", [None])[0]
            t = parse_time(since) if since else 0
            if t is None:
                return 400, {}, b'{"error":"bad since"}'
            shard = int(m.group(1) or 0)
            rows = self.server.shards[shard if m.group(1) is not None else -1]
            rows = rows[bisect.bisect_right(rows, (t, b"\xff")):]
        if args.newest_first:
            rows = rows[::-1]
        per = args.per_page
        chunk = rows[(page - 1) * per: page * per]
        headers = {"Content-Type": "application/jsonl"}
        if page * per < len(rows):
            q["page"] = [str(page + 1)]
            query = "&".join("%s=%s" % (k, v[0]) for k, v in q.items())
            headers["Link"] = '<http://%s%s?%s>; rel="next"' % (
                self.headers.get("Host"), url.path, query)
        return 200, headers, b"".join(line + b"\n" for _, line in chunk)


def setup(server, args):
    orders = make_orders(args.orders, args.bad_line)
    # Shard K holds orders K, K+M, ...; index -1 (a plain /orders) all.
    server.shards = [orders[k::args.shards] for k in range(args.shards)] + [orders]
    server.products = [(0, ('{"sku":"SKU-%04d","name":"상품 %d","price":%d}'
                            % (i, i, 1000 * i)).encode()) for i in range(1, args.products + 1)]


if __name__ == "__main__":
    p = fake_http.arguments()
    p.add_argument("--orders", type=int, default=10)
    p.add_argument("--per-page", type=int, default=100)
    p.add_argument("--token", help="the bearer token to require")
    p.add_argument("--shards", type=int, default=1)
    p.add_argument("--products", type=int, default=5)
    p.add_argument("--bad-line", type=int, default=0,
                   help="order I is served as a line that is not an object")
    p.add_argument("--refuse-push", action="append",
                   help="refuse pushes of this external order id (400, a message)")
    p.add_argument("--push-delay", type=float, default=0,
                   help="answer a push S seconds after it was logged")
    p.add_argument("--push-log", help="append each accepted push, one JSON line")
    p.add_argument("--newest-first", action="store_true",
                   help="pages list the newest change first")
    fake_http.main(JsonLines, p, setup)
