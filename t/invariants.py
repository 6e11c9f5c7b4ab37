#!/usr/bin/env python3
# invariants.py DB [WANT-ITEMS]: what must hold of a store whatever was
# killed, raced or crashed on it. Prints one line per breach and exits 1
# if there is any; prints nothing and exits 0 when all hold.
#
#   - PRAGMA integrity_check is ok and foreign_key_check finds nothing;
#   - every order is whole: it has items, and as many as WANT-ITEMS says
#     (lines "channel|external_order_id|count") when given;
#   - every order has exactly one 'created' event, and the versions of its
#     events are exactly 1..version: no gap (a change without its event),
#     no duplicate (a step applied twice);
#   - no event names an order that does not exist.
#
# It reads the file itself (a check about the file, like integrity_check),
# read-only, so it can run while tools are still using the store. DB may
# be a PostgreSQL URL (postgresql://...): then it reads through psql, in
# one transaction, and the first check is PostgreSQL's own (its foreign
# keys are kept by the server; no event or item of a missing order).
import subprocess
import sqlite3
import sys


class Psql:
	"""The few calls of sqlite3's connection used here, through psql."""

	def __init__(self, url):
		self.url = url

	def execute(self, sql):
		out = subprocess.run(["psql", "-qXAt", "-F", "\x1f", "-P",
		    "null=\\N", "-v", "ON_ERROR_STOP=1", self.url, "-c",
		    "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY",
		    "-c", sql, "-c", "COMMIT"], check=True,
		    capture_output=True, text=True).stdout
		rows = []
		for line in out.split("\n"):
			if line == "":
				continue
			rows.append(tuple(None if v == "\\N" else v
			    for v in line.split("\x1f")))
		return rows

	def close(self):
		pass


def main():
	db = sys.argv[1]
	bad = []
	if db.startswith(("postgresql:", "postgres:")):
		c = Psql(db)
		for what, sql in (("items", "SELECT count(*) FROM order_items"
		    " WHERE order_id NOT IN (SELECT id FROM orders)"),
		    ("events", "SELECT count(*) FROM events WHERE order_id"
		    " NOT IN (SELECT id FROM orders)")):
			n = int(c.execute(sql)[0][0])
			if n:
				bad.append("%d %s of orders that do not exist" % (n, what))
	else:
		c = sqlite3.connect("file:%s?mode=ro" % db, uri=True, timeout=30)
		ic = [r[0] for r in c.execute("PRAGMA integrity_check")]
		if ic != ["ok"]:
			bad.append("integrity_check: %s" % "; ".join(ic[:5]))
		fk = c.execute("PRAGMA foreign_key_check").fetchall()
		if fk:
			bad.append("foreign_key_check: %d rows, first %r" % (len(fk), fk[0]))

	orders = {}
	for oid, ch, ext, ver, n in c.execute(
	    "SELECT o.id, o.channel, o.external_order_id, o.version,"
	    " (SELECT count(*) FROM order_items i WHERE i.order_id = o.id)"
	    " FROM orders o"):
		# (psql's are text: the numbers made numbers here)
		oid, ver, n = int(oid), int(ver), int(n)
		orders[oid] = (ch, ext, ver, n)
		if n < 1:
			bad.append("order %d (%s|%s): no items" % (oid, ch, ext))
	if len(sys.argv) > 2:
		want = {}
		for line in open(sys.argv[2], encoding="utf-8"):
			ch, ext, n = line.rstrip("\n").rsplit("|", 2)
			want[(ch, ext)] = int(n)
		for oid, (ch, ext, ver, n) in orders.items():
			if (ch, ext) in want and want[(ch, ext)] != n:
				bad.append("order %d (%s|%s): %d items, its line had %d"
				    % (oid, ch, ext, n, want[(ch, ext)]))

	versions = {}
	created = {}
	for oid, ver, typ in c.execute(
	    "SELECT order_id, version, type FROM events"
	    " WHERE order_id IS NOT NULL ORDER BY order_id, version"):
		oid = int(oid)
		ver = None if ver is None else int(ver)
		if oid not in orders:
			bad.append("event of order %d, which does not exist" % oid)
			continue
		if typ == "created":
			created[oid] = created.get(oid, 0) + 1
		if ver is not None:
			versions.setdefault(oid, []).append(ver)
	for oid, (ch, ext, ver, n) in orders.items():
		if created.get(oid, 0) != 1:
			bad.append("order %d: %d created events" % (oid, created.get(oid, 0)))
		got = versions.get(oid, [])
		if got != list(range(1, ver + 1)):
			bad.append("order %d: version %d, event versions %s"
			    % (oid, ver, got if len(got) < 20 else got[:20] + ["..."]))
	c.close()
	for b in bad[:50]:
		print(b)
	if len(bad) > 50:
		print("... and %d more" % (len(bad) - 50))
	return 1 if bad else 0


if __name__ == "__main__":
	sys.exit(main())
