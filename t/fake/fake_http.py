#!/usr/bin/env python3
"""A tiny base for the test servers of t/ (python3 standard library only).

A fake server is a subclass of Handler with an answer() method; main()
runs it on 127.0.0.1 with a port the system picks and prints that port on
the first line of stdout, so a test can start it in the background and
read where it listens:

    import fake_http

    class Orders(fake_http.Handler):
        def answer(self):
            return 200, {"Content-Type": "application/json"}, b"[]"

    fake_http.main(Orders)

Every request gets a number (1, 2, ... in arrival order, across all
clients) and can be told to fail instead of being answered:

    --fail N:500            answer HTTP 500 (any status: N:503, N:401...)
    --fail N:429:SECONDS    answer 429 with Retry-After: SECONDS (or a date)
    --fail N:hang           say nothing for --hang seconds (past a timeout)
    --fail N:truncate       promise the whole body, send half, hang up
    --fail N:badjson        answer 200 with a body that is not JSON

--fail may repeat, and N may be a range (2-4) or '*' (every request).
--latency SECONDS delays every answer, as the network to a real API does.
--tls-cert FILE --tls-key FILE serve HTTPS with that certificate.
--log FILE appends one JSON line per request (n, time, method, path,
headers, body) so a test can check what a client sent and when.
"""

import argparse
import json
import ssl
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, handler, args):
        super().__init__(("127.0.0.1", 0), handler)
        self.args = args
        self.count = 0
        self.lock = threading.Lock()
        self.failures = parse_failures(args.fail or [])

    def number(self):
        with self.lock:
            self.count += 1
            return self.count


def parse_failures(specs):
    """[(first, last, what, arg)] from 'N:what[:arg]' strings."""
    out = []
    for spec in specs:
        n, _, rest = spec.partition(":")
        what, _, arg = rest.partition(":")
        if n == "*":
            first, last = 1, float("inf")
        elif "-" in n:
            a, b = n.split("-", 1)
            first, last = int(a), int(b)
        else:
            first = last = int(n)
        out.append((first, last, what, arg))
    return out


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"   # keep-alive, as real APIs do
    # Headers and body go out in two writes: without this, Nagle's
    # algorithm and the client's delayed ACK cost 40 ms an answer.
    disable_nagle_algorithm = True

    def log_message(self, fmt, *args):     # quiet unless asked
        if self.server.args.verbose:
            sys.stderr.write("fake: " + fmt % args + "\n")

    # Subclasses answer with (status, {header: value}, body bytes).
    def answer(self):
        return 404, {"Content-Type": "application/json"}, b'{"error":"not found"}'

    def do_GET(self):
        self.handle_one()

    def do_POST(self):
        self.handle_one()

    def do_PUT(self):
        self.handle_one()

    def read_body(self):
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n > 0 else b""

    def handle_one(self):
        self.n = self.server.number()
        self.body = self.read_body()
        self.log_request_line()
        if self.server.args.latency > 0:
            time.sleep(self.server.args.latency)
        for first, last, what, arg in self.server.failures:
            if first <= self.n <= last:
                return self.fail(what, arg)
        status, headers, body = self.answer()
        self.send(status, headers, body)

    def log_request_line(self):
        path = self.server.args.log
        if not path:
            return
        rec = {"n": self.n, "time": time.time(), "method": self.command,
               "path": self.path, "headers": dict(self.headers.items()),
               "body": self.body.decode("utf-8", "replace")}
        with self.server.lock, open(path, "a") as f:
            f.write(json.dumps(rec, ensure_ascii=False) + "\n")

    def send(self, status, headers, body, length=None):
        self.send_response(status)
        for k, v in headers.items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body) if length is None else length))
        self.end_headers()
        self.wfile.write(body)

    def fail(self, what, arg):
        if what.isdigit() and what != "429":
            return self.send(int(what), {"Content-Type": "application/json"},
                             b'{"error":"injected failure"}')
        if what == "429":
            headers = {"Content-Type": "application/json"}
            if arg:
                headers["Retry-After"] = arg
            return self.send(429, headers, b'{"error":"too many requests"}')
        if what == "hang":
            time.sleep(self.server.args.hang)
            self.close_connection = True
            return None
        if what == "truncate":
            status, headers, body = self.answer()
            self.send(status, headers, body[: len(body) // 2], length=len(body))
            self.wfile.flush()
            self.close_connection = True
            return None
        if what == "badjson":
            return self.send(200, {"Content-Type": "application/json"},
                             b'{"data": [{"id": 1,, oops\n')
        raise SystemExit("fake: unknown failure '%s'" % what)


def arguments():
    """A parser with the shared options; a server adds its own to it."""
    p = argparse.ArgumentParser()
    p.add_argument("--fail", action="append", metavar="N:WHAT[:ARG]",
                   help="fail request N (see the module's doc)")
    p.add_argument("--hang", type=float, default=30,
                   help="seconds a 'hang' failure says nothing")
    p.add_argument("--log", help="append each request as a JSON line here")
    p.add_argument("--latency", type=float, default=0,
                   help="seconds each answer is held back")
    p.add_argument("--tls-cert", help="serve HTTPS with this certificate (PEM)")
    p.add_argument("--tls-key", help="the certificate's private key (PEM)")
    p.add_argument("--verbose", action="store_true")
    return p


def main(handler, parser=None, setup=None):
    """Parses the options (parser: from arguments(), plus the server's
    own), builds the server, lets setup(server, args) prepare it, prints
    its port and serves until killed."""
    args = (parser or arguments()).parse_args()
    server = Server(handler, args)
    if setup is not None:
        setup(server, args)
    if args.tls_cert:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(args.tls_cert, args.tls_key)
        server.socket = ctx.wrap_socket(server.socket, server_side=True)
    print(server.server_address[1], flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main(Handler)
