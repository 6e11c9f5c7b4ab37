#!/bin/sh
# run.sh: the fuzz targets' driver, for the Makefile and t/0008-fuzz.bats.
#   run.sh probe CC DIR          can CC build libFuzzer programs? (else why)
#   run.sh fuzz DIR SECONDS      run every target in DIR/fuzz SECONDS each
#   run.sh one DIR NAME SECONDS [NEW]
#                                run target NAME SECONDS on its corpus, then
#                                replay its regression cases; 0 if no crash
# Seeds are read from t/fuzz/corpus/NAME (never written to); what a run
# finds goes to NEW (default DIR/corpus/NAME), crashes to
# DIR/crashes/NAME/ and what it printed to DIR/log/NAME. libFuzzer
# prints "#N" as it goes: the last is the number of inputs executed.
# A crash, once fixed at its root, is kept: copy the input into
# t/fuzz/crashes/NAME/ under a name that says what it was, and check
# that it fails without the fix.
set -u
here=$(cd "$(dirname "$0")" && pwd)

probe() {
	cc=$1 dir=$2
	mkdir -p "$dir" || return 1
	printf '%s\n' '#include <stddef.h>' \
	    'int LLVMFuzzerTestOneInput(const unsigned char *d, size_t n)' \
	    '{ (void)d; (void)n; return 0; }' >"$dir/probe.c"
	if ! command -v "$cc" >/dev/null 2>&1; then
		echo "fuzz: not built: no $cc (make deps installs clang, libclang-rt-14-dev)" >&2
		return 1
	fi
	if ! "$cc" -fsanitize=fuzzer,address,undefined -o "$dir/probe" \
	    "$dir/probe.c" 2>"$dir/probe.log"; then
		echo "fuzz: not built: $cc cannot link -fsanitize=fuzzer" \
		    "(make deps installs libclang-rt-14-dev): $(head -1 "$dir/probe.log")" >&2
		return 1
	fi
	return 0
}

# Replays each regression case of target name; 0 when none crashes.
replay() {
	dir=$1 name=$2
	set -- "$here/crashes/$name"/*
	[ -e "$1" ] || return 0
	"$dir/fuzz/$name" -artifact_prefix="$dir/crashes/$name/" "$@" \
	    >"$dir/log/$name.replay" 2>&1 && return 0
	echo "fuzz: $name: a regression case crashes again:" >&2
	tail -40 "$dir/log/$name.replay" >&2
	return 1
}

one() {
	dir=$1 name=$2 secs=$3 new=${4:-$1/corpus/$2}
	mkdir -p "$new" "$dir/crashes/$name" "$dir/log" || return 1
	start=$(date +%s)
	"$dir/fuzz/$name" -max_total_time="$secs" -timeout=10 \
	    -rss_limit_mb=2048 -print_final_stats=1 \
	    -artifact_prefix="$dir/crashes/$name/" \
	    "$new" "$here/corpus/$name" >"$dir/log/$name" 2>&1
	rc=$?
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$dir/log/$name")
	echo "fuzz: $name: ${execs:-?} inputs in $(($(date +%s) - start))s"
	if [ $rc -ne 0 ]; then
		echo "fuzz: $name: crashed (exit $rc); the input is in $dir/crashes/$name/:" >&2
		tail -40 "$dir/log/$name" >&2
		return 1
	fi
	replay "$dir" "$name"
}

case "${1:-}" in
probe)	probe "$2" "$3" ;;
one)	one "$2" "$3" "$4" "${5:-}" ;;
fuzz)
	dir=$2 secs=$3 bad=0
	for t in "$dir"/fuzz/fuzz-*; do
		case $t in *.d|*.o) continue ;; esac
		one "$dir" "${t##*/}" "$secs" || bad=1
	done
	exit $bad ;;
*)	echo "usage: run.sh probe CC DIR | fuzz DIR SECONDS | one DIR NAME SECONDS [NEW]" >&2
	exit 2 ;;
esac
