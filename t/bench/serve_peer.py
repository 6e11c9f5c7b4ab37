"""serve_peer: the stack uoms-serve replaces, for make bench (t/bench/serve.sh).

FastAPI under uvicorn (uvloop, httptools, 2 workers), sync `def` endpoints
as such services write them, over the same SQLite store: GET /orders/{id}
with a strong ETag and If-None-Match, and POST /orders/{id}/status with
If-Match, the move and its event in one IMMEDIATE transaction. No
authentication (uoms-serve is measured with it on).
    UOMS_DB=STORE uvicorn --app-dir t/bench serve_peer:app ...
"""
import json
import os
import sqlite3
import threading
from datetime import datetime, timezone

from fastapi import FastAPI, Header, Request, Response
from fastapi.responses import JSONResponse

app = FastAPI()
local = threading.local()
MOVES = {("WAITING", "IN_PROGRESS"), ("WAITING", "CANCEL"),
         ("IN_PROGRESS", "COMPLETE"), ("IN_PROGRESS", "ISSUE"),
         ("IN_PROGRESS", "CANCEL")}
COLUMNS = ("id", "channel", "external_order_id", "order_no", "kind",
           "workflow", "status", "version", "department", "warehouse",
           "customer", "shipping", "eta", "driver", "placed_at",
           "channel_updated_at", "depart_time", "complete_time",
           "total_amount", "currency", "created_at", "updated_at")
JSON_COLUMNS = {"customer", "shipping", "driver"}


def db():
    if getattr(local, "db", None) is None:
        local.db = sqlite3.connect(os.environ["UOMS_DB"], timeout=30,
                                   isolation_level=None,
                                   check_same_thread=False)
        local.db.execute("PRAGMA busy_timeout = 30000")
        # The store's own settings (lib/store.c), so both sides pay the
        # same for a commit: synchronous FULL (Python's default) would
        # make the peer wait for an fsync uoms-serve does not.
        local.db.execute("PRAGMA synchronous = NORMAL")
        local.db.execute("PRAGMA cache_size = -16384")
    return local.db


def record(c, order_id):
    row = c.execute("SELECT %s FROM orders WHERE id = ?" % ", ".join(COLUMNS),
                    (order_id,)).fetchone()
    if row is None:
        return None
    rec = {}
    for k, v in zip(COLUMNS, row):
        rec[k] = json.loads(v) if k in JSON_COLUMNS and v else v
    rec["items"] = [
        {"external_item_id": r[0], "sku": r[1], "name": r[2],
         "quantity": r[3], "unit_price": r[4]}
        for r in c.execute("SELECT external_item_id, sku, name, quantity, "
                           "unit_price FROM order_items WHERE order_id = ? "
                           "ORDER BY seq", (order_id,))]
    return rec


def etag(rec):
    return '"%d-v%d"' % (rec["id"], rec["version"])


def not_found():
    return JSONResponse({"error": {"code": "not_found",
                                   "message": "no such order"}}, 404)


@app.get("/orders/{order_id}")
def get_order(order_id: int, if_none_match: str = Header(None)):
    rec = record(db(), order_id)
    if rec is None:
        return not_found()
    tag = etag(rec)
    if if_none_match == tag:
        return Response(status_code=304, headers={"ETag": tag})
    return JSONResponse(rec, headers={"ETag": tag})


@app.post("/orders/{order_id}/status")
def move(order_id: int, request: Request, body: dict,
         if_match: str = Header(None)):
    to = body.get("to")
    c = db()
    c.execute("BEGIN IMMEDIATE")
    try:
        rec = record(c, order_id)
        if rec is None:
            c.execute("ROLLBACK")
            return not_found()
        if if_match is not None and if_match != "*" and if_match != etag(rec):
            c.execute("ROLLBACK")
            return JSONResponse({"error": {"code": "version_conflict",
                                           "message": "changed",
                                           "current_version": rec["version"]}},
                                412)
        if (rec["status"], to) not in MOVES:
            c.execute("ROLLBACK")
            return JSONResponse({"error": {"code": "invalid_transition",
                                           "message": "not allowed"}}, 409)
        now = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        version = rec["version"] + 1
        c.execute("UPDATE orders SET status = ?, version = ?, updated_at = ? "
                  "WHERE id = ?", (to, version, now, order_id))
        c.execute("INSERT INTO events (order_id, type, from_state, to_state, "
                  "actor, at, version, details) VALUES (?, 'status', ?, ?, "
                  "'peer', ?, ?, '{}')",
                  (order_id, rec["status"], to, now, version))
        c.execute("COMMIT")
    except Exception:
        c.execute("ROLLBACK")
        raise
    rec.update(status=to, version=version, updated_at=now)
    return JSONResponse(rec, headers={"ETag": etag(rec)})
