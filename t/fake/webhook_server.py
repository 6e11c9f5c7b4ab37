#!/usr/bin/env python3
"""A webhook receiver for uoms-notify's tests (t/8002): answers every
POST 200 "ok", as Slack's incoming webhooks do. Failures (--fail N:500,
N:429:SECONDS...) and the request log (--log FILE, each request's time
and body) come from fake_http."""

import fake_http


class Webhook(fake_http.Handler):
    def answer(self):
        return 200, {"Content-Type": "text/plain"}, b"ok"


if __name__ == "__main__":
    fake_http.main(Webhook)
