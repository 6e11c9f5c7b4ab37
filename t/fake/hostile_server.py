#!/usr/bin/env python3
"""A hostile http-jsonl server: each --mode is one way a channel's server
(or whoever took it over) can try to leak a channel's token, make a fetch
never end, or grow the fetcher's memory (issue 8, breaks 6 to 10).

Every answer to a GET is JSON Lines (SPEC 3.1 records, external ids H1,
H2, ...) with a Link header chosen by the mode:

    plain       one page of --lines lines, no Link: the "other origin" a
                hostile link points at, recording (--log) what it was sent
    foreign     page 1 links to --target (an absolute URL, e.g. another
                server on 127.0.0.1 with another port, or http:// when this
                one serves https://); the token is put in its query when
                the target has '{token}' in it (so a message naming the
                link would print it)
    relative    page 1 links to --target as it is (a relative reference:
                'p2', '/x/p2', '?page=2', '../p2', '//{host}/p2'...; {host}
                is this server's host:port); page 2, wherever it is, has
                no Link
    file        page 1 links to file:///etc/passwd
    cycle       /c1 -> /c2 -> ... -> /cN -> /c1 (N = --cycle, 2 or 3)
    endless     always another page: ?page=N+1
    cursor      always the same next cursor: ?cursor=same
    huge        one page of --mib MiB of valid lines, sent as it is made
    longline    one line of --mib MiB (a string member), then a newline
    headers     --mib MiB of headers (1 KiB each) before one page
    echo        HTTP 400 whose body echoes the Authorization header and the
                request line ("invalid credentials: Bearer ..."), after
                --pad bytes of padding (to put the token where a message
                would cut the body)
    drip        one line every --drip seconds, without end, until the file
                --release exists (then the page ends, without Link)

Any method and any path get the mode's answer, so a JSON-page kind
(woocommerce...) can be pointed at 'huge' too.
With --log, each request is a JSON line (see fake_http.py).

    python3 t/fake/hostile_server.py --mode cycle --cycle 3 --log srv.log
"""

import os
import sys
import time
from urllib.parse import quote

sys.dont_write_bytecode = True    # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fake_http  # noqa: E402

LINE = ('{"channel":"hostile","external_order_id":"H%d","order_no":"2611-%06d",'
        '"status":"WAITING","customer":{"name":"Kim","phone":"010-1234-5678"},'
        '"shipping":{"postal_code":"06236","address":"Seoul %d"},'
        '"placed_at":"2026-11-21T09:12:00Z","total_amount":1000,"currency":"KRW",'
        '"items":[{"external_item_id":"i%d","sku":"S","quantity":1,"unit_price":1000}]}')


def line(i):
    return (LINE % (i, i % 1000000, i, i)).encode() + b"\n"


class Hostile(fake_http.Handler):
    def host(self):
        return "http://" + (self.headers.get("Host") or "127.0.0.1")

    def token(self):
        auth = self.headers.get("Authorization") or ""
        return auth.split(" ", 1)[1] if " " in auth else auth

    def lines(self, first, n):
        return b"".join(line(i) for i in range(first, first + n))

    def handle_one(self):
        mode = self.server.args.mode
        if mode in ("huge", "longline", "drip"):
            self.n = self.server.number()
            self.body = self.read_body()
            self.log_request_line()
            return getattr(self, "stream_" + mode)()
        return super().handle_one()

    def answer(self):
        args = self.server.args
        mode = args.mode
        jl = {"Content-Type": "application/jsonl"}
        path = self.path
        if mode == "plain":
            return 200, jl, self.lines(1, args.lines)
        if mode == "echo":
            body = ("x" * args.pad + "invalid credentials: %s (you asked %s %s)" % (
                self.headers.get("Authorization"), self.command, path))
            return 400, {"Content-Type": "text/plain"}, body.encode()
        first = self.n == 1
        if mode == "foreign":
            if first:
                target = args.target.replace("{token}", quote(self.token(), safe=""))
                return 200, dict(jl, Link='<%s>; rel="next"' % target), self.lines(1, 2)
            return 200, jl, self.lines(3, 2)
        if mode == "relative":
            if first:
                target = args.target.replace("{host}", self.headers.get("Host") or "")
                return 200, dict(jl, Link='<%s>; rel="next"' % target), self.lines(1, 2)
            return 200, jl, self.lines(3, 2)
        if mode == "headers":
            # --mib MiB of headers, 1 KiB each
            many = {"X-Junk-%d" % i: "j" * 1000 for i in range(int(args.mib * 1024))}
            return 200, dict(jl, **many), self.lines(1, 2)
        if mode == "file":
            return 200, dict(jl, Link='<file:///etc/passwd>; rel="next"'), self.lines(1, 2)
        if mode == "cycle":
            k = int(path.split("/c", 1)[1].split("?")[0]) if "/c" in path else 0
            nxt = "/c%d" % (k % args.cycle + 1)
            return 200, dict(jl, Link='<%s%s>; rel="next"' % (self.host(), nxt)), \
                self.lines(10 * k + 1, 2)
        if mode == "endless":
            return 200, dict(jl, Link='<%s/orders?page=%d>; rel="next"' % (
                self.host(), self.n + 1)), self.lines(self.n, 1)
        if mode == "cursor":
            return 200, dict(jl, Link='<%s/orders?cursor=same>; rel="next"'
                             % self.host()), self.lines(self.n, 1)
        raise SystemExit("hostile: unknown mode '%s'" % mode)

    def start_stream(self, length=None):
        self.send_response(200)
        self.send_header("Content-Type", "application/jsonl")
        if length is not None:
            self.send_header("Content-Length", str(length))
        else:
            self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()

    def chunk(self, data):
        self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))

    def stream_huge(self):
        # The same 1 MiB block of whole lines again and again: making the
        # page costs nothing, reading it costs the client what it costs.
        block = bytearray()
        i = 1
        while len(block) < 1 << 20:
            block += line(i)
            i += 1
        n = max(1, int(self.server.args.mib))
        self.start_stream(len(block) * n)
        try:
            for _ in range(n):
                self.wfile.write(block)
        except (BrokenPipeError, ConnectionResetError):
            pass
        self.close_connection = True

    def stream_longline(self):
        size = int(self.server.args.mib * (1 << 20))
        head = b'{"channel":"hostile","external_order_id":"L1","note":"'
        tail = b'"}\n'
        self.start_stream(len(head) + size + len(tail))
        try:
            self.wfile.write(head)
            for _ in range(size >> 16):
                self.wfile.write(b"x" * (1 << 16))
            self.wfile.write(b"x" * (size & 0xffff))
            self.wfile.write(tail)
        except (BrokenPipeError, ConnectionResetError):
            pass
        self.close_connection = True

    def stream_drip(self):
        args = self.server.args
        self.start_stream()
        i = 1
        try:
            while not (args.release and os.path.exists(args.release)):
                self.chunk(line(i))
                self.wfile.flush()
                i += 1
                time.sleep(args.drip)
            self.wfile.write(b"0\r\n\r\n")
        except (BrokenPipeError, ConnectionResetError):
            pass
        self.close_connection = True


if __name__ == "__main__":
    p = fake_http.arguments()
    p.add_argument("--mode", required=True)
    p.add_argument("--target", default="", help="the Link of 'foreign' and 'relative'")
    p.add_argument("--lines", type=int, default=2)
    p.add_argument("--cycle", type=int, default=2)
    p.add_argument("--mib", type=float, default=64)
    p.add_argument("--drip", type=float, default=0.05)
    p.add_argument("--pad", type=int, default=0, help="bytes before the 'echo' body")
    p.add_argument("--release", help="'drip' ends its page once this file exists")
    fake_http.main(Hostile, p)
