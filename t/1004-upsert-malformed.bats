#!/usr/bin/env bats
# uoms-upsert: lines that are not JSON objects are refused by line number
# and kept in the reject file; the lines around them are stored; blank
# lines, CRLF and a missing final newline are fine.
load helper

setup_file() {
	plain_orders
}

# with_bad FILE: a good order, the bad bytes already in FILE.bad, a good order.
with_bad() {
	{ plain 100001; cat "$1.bad"; plain 100003; } >"$1"
}

# stored: the external ids in the store, in id order.
stored() {
	sql "select group_concat(external_order_id, ' ') from (select external_order_id from orders order by id) as o"
}

# reject_ok FILE MEMBER: every line of FILE is a JSON object with an error
# of code invalid at line 2, and (when MEMBER is given) MEMBER holding the
# raw line as written in FILE.bad (for raw_base64: its bytes).
reject_ok() {
	python3 - "$@" <<'PY'
import base64, json, sys
path, member = sys.argv[1], sys.argv[2] if len(sys.argv) > 2 else None
raw = open(path + ".bad", "rb").read().rstrip(b"\n")
lines = open(path + ".rej", "rb").read().split(b"\n")
assert lines[-1] == b"", "reject file does not end with a newline"
lines = lines[:-1]
assert len(lines) == 1, lines
rej = json.loads(lines[0].decode("utf-8"))
assert isinstance(rej, dict), rej
assert rej["error"]["code"] == "invalid", rej
assert rej["error"]["line"] == 2, rej
assert rej["error"]["message"], rej
if member == "raw":
    assert rej["raw"].encode("utf-8") == raw, (rej["raw"], raw)
elif member == "raw_base64":
    assert base64.b64decode(rej["raw_base64"]) == raw, rej
elif member == "none":
    assert set(rej) == {"error"}, rej
PY
}

# refused FILE WHY: the middle line of FILE is refused with WHY in stderr.
refused() {
	run --separate-stderr uoms-upsert --reject "$1.rej" "$1"
	[ "$status" -eq 1 ]
	[ "${#stderr_lines[@]}" -eq 1 ]
	[[ "$stderr" == "uoms-upsert: $1: line 2: invalid: "*"$2"* ]]
	[ "${#lines[@]}" -eq 2 ]
	[ "$(stored)" = "100001 100003" ]
}

@test "broken JSON is refused by line number, raw kept" {
	printf '%s\n' '{"channel":"coupang","external_order_id":"100002",' >broken.bad
	with_bad broken
	refused broken "not JSON"
	reject_ok broken raw
}

@test "two objects on one line are refused" {
	printf '%s\n' '{"channel":"coupang","external_order_id":"100002"}{"channel":"coupang","external_order_id":"100004"}' >two.bad
	with_bad two
	refused two "not JSON"
	reject_ok two raw
}

@test "invalid UTF-8 is refused, its bytes kept as raw_base64" {
	printf '{"channel":"coupang","external_order_id":"100002","department":"e\xffst"}\n' >utf8.bad
	with_bad utf8
	refused utf8 "UTF-8"
	reject_ok utf8 raw_base64
}

@test "an overlong UTF-8 encoding and a lone surrogate byte sequence are refused" {
	# C0 AF is '/' encoded in two bytes; ED A0 80 is U+D800 in UTF-8
	printf '{"channel":"coupang","external_order_id":"100002","x":"\xc0\xaf"}\n' >overlong.bad
	with_bad overlong
	refused overlong "UTF-8"
	reject_ok overlong raw_base64
	rm -f uoms.db*
	printf '{"channel":"coupang","external_order_id":"100002","x":"\xed\xa0\x80"}\n' >surrogate.bad
	with_bad surrogate
	refused surrogate "UTF-8"
	reject_ok surrogate raw_base64
}

@test "a NUL byte is refused, its bytes kept as raw_base64" {
	printf '{"channel":"coupang","external_order_id":"100002","x":"a\0b"}\n' >nul.bad
	with_bad nul
	refused nul "NUL"
	reject_ok nul raw_base64
}

@test "a 5 MiB line is refused without being kept; the next line still counts" {
	python3 -c '
import json
print(json.dumps({"channel": "coupang", "external_order_id": "100002", "x": "y" * (5 << 20)}))' >big.bad
	with_bad big
	refused big "longer than 1048576 bytes"
	reject_ok big none
	[ "$(wc -c <big.rej)" -lt 1000 ]
}

@test "line_max from the config sets the size limit" {
	order 100002 'x="'"$(printf '%0600d' 0)"'"' >long.bad
	with_bad long
	echo 'line_max: 700' >uoms.yaml
	run --separate-stderr uoms-upsert -c uoms.yaml --reject long.rej long
	[ "$status" -eq 1 ]
	[[ "$stderr" == "uoms-upsert: long: line 2: invalid: line is longer than 700 bytes" ]]
	[ "$(stored)" = "100001 100003" ]
	reject_ok long none
}

@test "a line exactly at the size limit is accepted" {
	echo 'line_max: 600' >uoms.yaml
	python3 -c '
import json
o = {"channel": "coupang", "external_order_id": "100002", "x": ""}
o["x"] = "y" * (600 - len(json.dumps(o, separators=(",", ":"))))
print(json.dumps(o, separators=(",", ":")))' >exact.jsonl
	[ "$(head -1 exact.jsonl | tr -d '\n' | wc -c)" -eq 600 ]
	run --separate-stderr uoms-upsert -c uoms.yaml exact.jsonl
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	[ "$(stored)" = 100002 ]
}

@test "an array instead of an object is refused, raw kept" {
	printf '%s\n' '[{"channel":"coupang","external_order_id":"100002"}]' >array.bad
	with_bad array
	refused array "not an object"
	reject_ok array raw
}

@test "a bare number, string, null are refused, raw kept" {
	for v in 42 '"text"' null true; do
		rm -f uoms.db* bare.rej
		printf '%s\n' "$v" >bare.bad
		with_bad bare
		refused bare "not an object"
		reject_ok bare raw
	done
}

@test "an empty file stores nothing, exits 0 and creates the store" {
	: >empty.jsonl
	run --separate-stderr uoms-upsert --summary empty.jsonl
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	[ "$stderr" = "uoms-upsert: read 0, created 0, updated 0, unchanged 0, rejected 0" ]
	have_store
	[ "$(sql 'select count(*) from orders')" -eq 0 ]
	run --separate-stderr uoms-query
	[ "$status" -eq 0 ]
	[ -z "$output" ]
}

@test "empty stdin stores nothing and exits 0" {
	run --separate-stderr uoms-upsert </dev/null
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	[ -z "$stderr" ]
	[ "$(sql 'select count(*) from orders')" -eq 0 ]
}

@test "a file with no final newline: the last line is stored" {
	{ plain 100001; plain 100002 | tr -d '\n'; } >nonl.jsonl
	[ "$(tail -c 1 nonl.jsonl)" = "}" ]
	run --separate-stderr uoms-upsert nonl.jsonl
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	[ "${#lines[@]}" -eq 2 ]
	[ "$(stored)" = "100001 100002" ]
}

@test "a bad last line with no final newline is refused with its number" {
	{ plain 100001; printf '{"channel":'; } >nonl.jsonl
	run --separate-stderr uoms-upsert --reject nonl.rej nonl.jsonl
	[ "$status" -eq 1 ]
	[[ "$stderr" == "uoms-upsert: nonl.jsonl: line 2: invalid: not JSON"* ]]
	[ "$(stored)" = 100001 ]
	python3 -c '
import json, sys
r = json.loads(open("nonl.rej").read())
assert r["raw"] == "{\"channel\":", r
assert r["error"]["line"] == 2, r'
}

@test "blank lines are skipped but still counted for line numbers" {
	{ plain 100001; echo; echo '   '; printf '\t\n'; order 100002 'currency="won"'; echo; plain 100003; } >blank.jsonl
	run --separate-stderr uoms-upsert --summary --reject blank.rej blank.jsonl
	[ "$status" -eq 1 ]
	[ "${stderr_lines[0]}" = "uoms-upsert: blank.jsonl: line 5: invalid: currency 'won' is not a 3-letter ISO 4217 code" ]
	[ "${stderr_lines[1]}" = "uoms-upsert: read 3, created 2, updated 0, unchanged 0, rejected 1" ]
	[ "${#stderr_lines[@]}" -eq 2 ]
	[ "$(stored)" = "100001 100003" ]
	[ "$(jget error.line <blank.rej)" = 5 ]
}

@test "CRLF line endings are accepted and the CR is not stored" {
	{ plain 100001; plain 100002; printf '\n'; plain 100003; } | sed 's/$/\r/' >crlf.jsonl
	grep -q $'\r$' crlf.jsonl
	run --separate-stderr uoms-upsert --summary crlf.jsonl
	[ "$status" -eq 0 ]
	[ "$stderr" = "uoms-upsert: read 3, created 3, updated 0, unchanged 0, rejected 0" ]
	[ "$(stored)" = "100001 100002 100003" ]
	[ "$(sql "select count(*) from orders where currency like '%$(printf '\r')%' or extra is not null")" -eq 0 ]
	# the same lines with LF endings are unchanged
	{ plain 100001; plain 100002; plain 100003; } >lf.jsonl
	run --separate-stderr uoms-upsert --summary lf.jsonl
	[ "$stderr" = "uoms-upsert: read 3, created 0, updated 0, unchanged 3, rejected 0" ]
}

@test "a CRLF file with a bad line reports the right line and keeps the rest" {
	{ plain 100001; echo '[]'; plain 100003; } | sed 's/$/\r/' >crlf.jsonl
	run --separate-stderr uoms-upsert --reject crlf.rej crlf.jsonl
	[ "$status" -eq 1 ]
	[[ "$stderr" == "uoms-upsert: crlf.jsonl: line 2: invalid: "* ]]
	[ "$(stored)" = "100001 100003" ]
	[ "$(jget raw <crlf.rej)" = "[]" ]
}

@test "many malformed lines in one file: each reported, every reject line valid JSON" {
	{
		plain 100001
		printf '{"a":\n'
		printf '\xfe\xff\n'
		printf '[1,2]\n'
		printf '"\0"\n'
		plain 100002
		printf '}\n'
		plain 100003
	} >many.jsonl
	run --separate-stderr uoms-upsert --summary --reject many.rej many.jsonl
	[ "$status" -eq 1 ]
	[ "${#stderr_lines[@]}" -eq 6 ]
	for n in 2 3 4 5 7; do
		[[ "$stderr" == *"many.jsonl: line $n: invalid: "* ]]
	done
	[ "${stderr_lines[5]}" = "uoms-upsert: read 8, created 3, updated 0, unchanged 0, rejected 5" ]
	[ "$(stored)" = "100001 100002 100003" ]
	python3 -c '
import json
lines = open("many.rej", "rb").read().decode("ascii").splitlines()
got = [(json.loads(l)["error"]["line"], sorted(k for k in json.loads(l) if k != "error")) for l in lines]
assert got == [(2, ["raw"]), (3, ["raw_base64"]), (4, ["raw"]), (5, ["raw_base64"]), (7, ["raw"])], got'
}
