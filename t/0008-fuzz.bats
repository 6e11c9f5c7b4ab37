#!/usr/bin/env bats
# The fuzz targets of t/fuzz/ (libFuzzer, clang, ASan and UBSan), each run
# a second on its seed corpus, then every regression case in
# t/fuzz/crashes/ replayed: any crash or broken invariant fails. `make
# fuzz FUZZ_SECONDS=N` runs them longer, and `make soak` does (60 s
# each). UOMS_FUZZ_SECONDS sets the time here (default 1: each second
# costs a second of one core per target in every make check). Skipped,
# saying why, only where clang cannot build libFuzzer programs (make
# deps installs what Debian 12 needs).
load helper

setup_file() {
	SRC=${UOMS_SRC:-$BATS_TEST_DIRNAME/..}
	export FUZZ_O="$SRC/build-fuzz"
	export FUZZ_WHY="$BATS_FILE_TMPDIR/why"
	sh "$SRC/t/fuzz/run.sh" probe "${FUZZ_CC:-clang}" \
	    "$BATS_FILE_TMPDIR/probe" 2>"$FUZZ_WHY" || return 0
	: >"$FUZZ_WHY"
	# make check built them already; prove alone may not have. Not
	# under the caller's make jobserver.
	env -u MAKEFLAGS -u MAKELEVEL -u MFLAGS make -s -C "$SRC" \
	    fuzz-build >"$BATS_FILE_TMPDIR/build.log" 2>&1 ||
	    echo "fuzz targets do not build: see $BATS_FILE_TMPDIR/build.log" \
	    >"$BATS_FILE_TMPDIR/broken"
}

# fuzz NAME: runs target NAME briefly, then replays its regression cases.
fuzz() {
	[ -s "$FUZZ_WHY" ] && skip "$(cat "$FUZZ_WHY")"
	[ ! -e "$BATS_FILE_TMPDIR/broken" ] || {
		cat "$BATS_FILE_TMPDIR/build.log"
		false
	}
	[ -x "$FUZZ_O/fuzz/$1" ]
	[ -d "$SRC/t/fuzz/corpus/$1" ]
	run --separate-stderr sh "$SRC/t/fuzz/run.sh" one "$FUZZ_O" "$1" \
	    "${UOMS_FUZZ_SECONDS:-1}" "$BATS_TEST_TMPDIR/new"
	echo "$output"
	echo "$stderr"
	[ "$status" -eq 0 ]
	# It ran: libFuzzer counted the inputs it executed.
	[[ "$output" =~ ^"fuzz: $1: "[1-9][0-9]*" inputs" ]]
}

@test "fuzz: the line reader" {
	fuzz fuzz-line
}

@test "fuzz: the record parser, parse print parse round trip" {
	fuzz fuzz-order
}

@test "fuzz: the workflow loader" {
	fuzz fuzz-workflow
}

@test "fuzz: the configuration loader" {
	fuzz fuzz-config
}

@test "fuzz: coupang's answer mapper" {
	fuzz fuzz-kind-coupang
}

@test "fuzz: naver's answer mapper" {
	fuzz fuzz-kind-naver
}

@test "fuzz: shopify's answer mapper" {
	fuzz fuzz-kind-shopify
}

@test "fuzz: shopify's legacy REST answer mapper (api=rest)" {
	fuzz fuzz-kind-shopify-rest
}

@test "fuzz: woocommerce's answer mapper" {
	fuzz fuzz-kind-woocommerce
}

@test "fuzz: http-jsonl's answer mapper" {
	fuzz fuzz-kind-http-jsonl
}

@test "fuzz: Link header paging (shopify, http-jsonl)" {
	fuzz fuzz-link
}

@test "fuzz: shopify's shipment push, its two requests' answers" {
	fuzz fuzz-push-shopify
}

@test "fuzz: every target has seeds and a test here, every case a target" {
	for src in "$SRC"/t/fuzz/fuzz-*.c; do
		t=$(basename "$src" .c)
		[ -n "$(ls "$SRC/t/fuzz/corpus/$t")" ] || {
			echo "no seeds for $t"
			false
		}
		grep -q "^	fuzz $t\$" "$BATS_TEST_FILENAME" || {
			echo "no test runs $t"
			false
		}
	done
	for d in "$SRC"/t/fuzz/crashes/*/; do
		[ -f "$SRC/t/fuzz/$(basename "$d").c" ] || {
			echo "regression cases for no target: $d"
			false
		}
	done
}

# Found by fuzz-order: SQLite 3.40 reads an object in the place of a key
# as members of the outer object; uoms-upsert crashed on a NULL key.
@test "fuzz finds: an object where a key goes is not JSON, refused alone" {
	{
		order 100001
		printf '%s\n' '{{"channel":"coupang","external_order_id":"1"}:""}'
		order 100002
	} >in.jsonl
	run --separate-stderr uoms-upsert --reject rej.jsonl in.jsonl
	[ "$status" -eq 1 ]
	[[ "$stderr" == *"line 2: invalid: not JSON"* ]]
	[ "$(grep -c . rej.jsonl)" -eq 1 ]
	python3 -c 'import json, sys
r = json.loads(open("rej.jsonl").read())
assert r["error"]["line"] == 2 and r["raw"].startswith("{{"), r'
	run uoms-query --format csv
	[ "$(printf '%s\n' "$output" | grep -c coupang)" -eq 2 ]
}

@test "fuzz: uoms-serve's access token check (JWT HS256) and base64url" {
	fuzz fuzz-jwt
}

@test "fuzz: uoms-notify's body templates and Retry-After" {
	fuzz fuzz-notify
}

@test "fuzz: the rules file's alerts: section" {
	fuzz fuzz-alert-rules
}

@test "fuzz: the zones loader and matcher" {
	fuzz fuzz-zones
}
