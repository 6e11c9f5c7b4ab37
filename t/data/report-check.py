"""Checks a uoms-report output against the rows it must hold.

  report-check.py jsonl EXPECTED.jsonl ACTUAL
  report-check.py csv EXPECTED.jsonl ACTUAL KEY[,KEY...]
  report-check.py svg MARKS ACTUAL

jsonl: every line parsed, equal to the expected line (values and types).
csv: parsed as RFC 4180 (CRLF records, quoting), header and every field
equal to the expected row written the csv way: a nested object's members
as columns, null as an empty field, the totals row with TOTAL in its first
key column. svg: parses as XML, is an <svg> element, has MARKS elements
of class "mark".
"""
import csv
import io
import json
import sys
import xml.etree.ElementTree as ET


def fail(msg):
    sys.exit("report-check: " + msg)


def flat(row):
    out = {}
    for k, v in row.items():
        if isinstance(v, dict):
            out.update(v)
        else:
            out[k] = v
    return out


def field(v):
    if v is None:
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float):
        return "%.1f" % v
    return str(v)


def main():
    kind, want, actual = sys.argv[1:4]
    data = open(actual, "rb").read()
    if kind == "svg":
        root = ET.fromstring(data)
        if root.tag != "{http://www.w3.org/2000/svg}svg":
            fail("root element is %s, not svg" % root.tag)
        marks = [e for e in root.iter() if e.get("class") == "mark"]
        if len(marks) != int(want):
            fail("%d marks, want %s" % (len(marks), want))
        return
    expected = [json.loads(l) for l in open(want, encoding="utf-8") if l.strip()]
    text = data.decode("utf-8")
    if kind == "jsonl":
        got = [json.loads(l) for l in text.split("\n") if l != ""]
        if not text.endswith("\n"):
            fail("last line has no newline")
        for i, (g, w) in enumerate(zip(got, expected)):
            if g != w or list(g) != list(w):
                fail("line %d:\n got  %s\n want %s" % (i + 1, json.dumps(g, ensure_ascii=False),
                                                     json.dumps(w, ensure_ascii=False)))
        if len(got) != len(expected):
            fail("%d lines, want %d" % (len(got), len(expected)))
        return
    if kind != "csv":
        fail("unknown kind " + kind)
    keys = sys.argv[4].split(",")
    if "\r\n" not in text or text.replace("\r\n", "").count("\n") != sum(
            f.count("\n") for r in csv.reader(io.StringIO(text, newline="")) for f in r):
        fail("records must end in CRLF")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    header = [k for k in flat(expected[0]) if k != "totals"]
    if rows[0] != header:
        fail("header %s, want %s" % (rows[0], header))
    for i, w in enumerate(expected):
        w = flat(w)
        totals = w.pop("totals", False)
        want_row = []
        for k in header:
            if totals and k in keys:
                want_row.append("TOTAL" if k == keys[0] else "")
            else:
                want_row.append(field(w[k]))
        if i + 1 >= len(rows) or rows[i + 1] != want_row:
            fail("row %d:\n got  %s\n want %s" % (i + 1, rows[i + 1] if i + 1 < len(rows) else None,
                                                   want_row))
    if len(rows) != len(expected) + 1:
        fail("%d rows, want %d" % (len(rows) - 1, len(expected)))


main()
