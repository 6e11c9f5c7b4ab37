#!/usr/bin/env python3
# pg-lists.py [DIR]: every bats file of DIR/t (default .) is in exactly one
# of the lists of what make check does on PostgreSQL: t/pg-files (runs
# there too), t/pg-skip (does not, with why) or, while it exists,
# t/pg-pending (another branch is moving it). A new test file in none of
# them would silently stay SQLite-only. Prints "LIST:LINE: why" or
# "t/FILE: why" for each fault and exits 1 when there is any.
import glob
import os
import sys

LISTS = ("t/pg-files", "t/pg-skip", "t/pg-pending")
REASON = ("t/pg-skip",)


def main():
	top = sys.argv[1] if len(sys.argv) > 1 else "."
	bad = []
	where = {}
	for name in LISTS:
		path = os.path.join(top, name)
		if not os.path.exists(path):
			if name != "t/pg-pending":
				bad.append("%s: missing" % name)
			continue
		for n, line in enumerate(open(path, encoding="utf-8"), 1):
			line = line.split("#", 1)[0].strip()
			if not line:
				continue
			f, _, why = line.partition("\t") if "\t" in line else line.partition(" ")
			f, why = f.strip(), why.strip()
			if name in REASON and not why:
				bad.append("%s:%d: %s: no reason given" % (name, n, f))
			if not f.startswith("t/") or not f.endswith(".bats"):
				bad.append("%s:%d: %s: not a t/*.bats file" % (name, n, f))
				continue
			if not os.path.exists(os.path.join(top, f)):
				bad.append("%s:%d: %s: no such file" % (name, n, f))
			where.setdefault(f, []).append("%s:%d" % (name, n))
	for f, at in sorted(where.items()):
		if len(at) > 1:
			bad.append("%s: listed %d times (%s)" % (f, len(at), ", ".join(at)))
	for path in sorted(glob.glob(os.path.join(top, "t", "*.bats"))):
		f = "t/" + os.path.basename(path)
		if f not in where:
			bad.append("%s: in none of %s" % (f, ", ".join(LISTS)))
	for b in bad:
		print(b)
	return 1 if bad else 0


if __name__ == "__main__":
	sys.exit(main())
