#!/usr/bin/env bats
# The build house (issue 11): a make after a make does nothing; touching a
# header rebuilds what includes it and no more; make install puts the
# bash completion under every tool's name; `make deps` (which make check
# runs first) calls no apt when every package is installed, and only for
# what is missing when something is. The builds run in a copy of the
# source with its own build folder, so the running one is left alone.
# The copy takes the source's build folder along when there is one (make
# check has just built it): its make then compiles only what is out of
# date, not everything again (a whole build was most of this file's
# time in make check); a fresh tree's build is what CI's clean build
# shows.
load helper

# bmake ARG...: make in the copy, not under the caller's make jobserver.
bmake() {
	env -u MAKEFLAGS -u MAKELEVEL -u MFLAGS -u SAN -u O -u PG make -C "$COPY" "$@"
}

setup_file() {
	SRC=${UOMS_SRC:-$BATS_TEST_DIRNAME/..}
	export COPY="$BATS_FILE_TMPDIR/src"
	mkdir "$COPY"
	# tar keeps the times (to the second, which only makes a target
	# look as new as its source, never older), so what was up to date
	# is up to date in the copy.
	tar -C "$SRC" --exclude=./build/t-pg --exclude=./build-san \
	    --exclude=./build-fuzz --exclude=./.git -cf - . | tar -C "$COPY" -xf -
	bmake -j2 all >"$BATS_FILE_TMPDIR/build.log" 2>&1 ||
	    echo "the copy does not build: see $BATS_FILE_TMPDIR/build.log" \
	    >"$BATS_FILE_TMPDIR/broken"
}

setup() {
	cd "$BATS_TEST_TMPDIR" || return 1
	SRC=${UOMS_SRC:-$BATS_TEST_DIRNAME/..}
	if [ -e "$BATS_FILE_TMPDIR/broken" ]; then
		cat "$BATS_FILE_TMPDIR/broken"
		tail -20 "$BATS_FILE_TMPDIR/build.log"
		return 1
	fi
}

# compiled: the sources the dry run of a make in the copy would compile,
# one per line, sorted.
compiled() {
	bmake -n all | sed -n 's/.* -c -o [^ ]* \([^ ]*\.c\)$/\1/p' | sort
}

@test "a make after a make does nothing, and keeps the objects" {
	run bmake -q all
	[ "$status" -eq 0 ]
	run bmake all
	[ "$status" -eq 0 ]
	[[ "$output" == *"Nothing to be done for 'all'"* ]]
	# the objects of the programs are kept, not deleted as intermediate
	for c in "$COPY"/cmd/*.c "$COPY"/t/unit/*.c; do
		o=${c#"$COPY/"}
		[ -f "$COPY/build/${o%.c}.o" ] || { echo "no object for $o"; false; }
	done
}

@test "touching a lib header rebuilds what includes it, no more" {
	cd "$COPY"
	# the header the fewest sources include, and them
	h=$(for f in lib/*.h; do
		n=$(grep -l "#include \"${f#lib/}\"" lib/*.c cmd/*.c t/unit/*.c \
		    t/bench/*.c | wc -l)
		[ "$n" -gt 0 ] && echo "$n $f"
	done | sort -n | head -1 | cut -d' ' -f2)
	[ -n "$h" ]
	grep -l "#include \"${h#lib/}\"" lib/*.c cmd/*.c t/unit/*.c t/bench/*.c |
	    sort >includers
	touch "$h"
	compiled >rebuilt
	echo "touched $h; includers: $(cat includers); rebuilt: $(cat rebuilt)"
	# every source including it is compiled again...
	comm -23 includers rebuilt >missed
	[ ! -s missed ]
	# ...and no source whose dependencies do not name it
	for c in $(cat rebuilt); do
		grep -q "$h" "build/${c%.c}.d" || { echo "$c rebuilt"; false; }
	done
	[ "$(wc -l <rebuilt)" -lt "$(ls lib/*.c cmd/*.c t/unit/*.c | wc -l)" ]
	bmake all >/dev/null
	run bmake -q all
	[ "$status" -eq 0 ]
}

@test "touching one tool's source rebuilds and relinks that tool only" {
	cd "$COPY"
	touch cmd/uoms-status.c
	run bmake -n all
	echo "$output"
	[ "$(compiled)" = cmd/uoms-status.c ]
	[ "$(grep -c -- '-o build/bin/' <<<"$output")" -eq 1 ]
	grep -q -- '-o build/bin/uoms-status ' <<<"$output"
	# the library is not remade
	run ! grep -q 'ar rcs' <<<"$output"
	bmake all >/dev/null
	run bmake -q all
	[ "$status" -eq 0 ]
}

# Every library a program is linked with is loaded and relocated at each
# start, called or not: libcrypto alone was 3 of the 7 million
# instructions of a one-shot uoms-status (issue 14, bench row g). The
# store's tools hash only now and then (an idempotency key, an ingested
# line), and digest.c loads libcrypto then; passwords are uoms-user's.
@test "the store's one-shot tools link no crypto, HTTP or PostgreSQL library" {
	local t libs
	if ldd "$(command -v uoms-status)" | grep -q libasan; then
		skip "the sanitizers' build links every library named"
	fi
	for t in status query upsert edit assign remark hold lock events; do
		libs=$(ldd "$(command -v "uoms-$t")") || false
		if grep -E 'lib(crypto|crypt|curl|pq|microhttpd)\.' <<<"$libs"; then
			echo "uoms-$t links the libraries above"
			false
		fi
	done
}

@test "make install puts the bash completion under each tool's name" {
	run --separate-stderr bmake -s install PREFIX=/usr DESTDIR="$PWD/pkg"
	echo "$stderr"
	[ "$status" -eq 0 ]
	dir=pkg/usr/share/bash-completion/completions
	for c in "$COPY"/cmd/*.c; do
		t=$(basename "$c" .c)
		[ -x "pkg/usr/bin/$t" ] || { echo "no pkg/usr/bin/$t"; false; }
		[ -f "$dir/$t" ] || { echo "no $dir/$t"; false; }
		# what bash-completion's loader does: source the file named
		# as the command, which must then complete it
		run bash -c 'source "$1" && complete -p "$2"' - "$dir/$t" "$t"
		[ "$status" -eq 0 ]
		[ "$output" = "complete -F _uoms $t" ]
	done
}

# stub NAME...: commands NAME on a PATH of their own that only write
# their name and arguments to $BATS_TEST_TMPDIR/called (and so fail
# nothing); `id` among them says root.
stub() {
	mkdir -p stubs
	for n in "$@"; do
		if [ "$n" = id ]; then
			printf '#!/bin/sh\necho 0\n' >"stubs/$n"
		else
			printf '#!/bin/sh\necho "%s $*" >>"%s"\n' "$n" \
			    "$BATS_TEST_TMPDIR/called" >"stubs/$n"
		fi
		chmod +x "stubs/$n"
	done
}

@test "make deps calls no apt when every package is installed" {
	stub apt-get apt aptitude
	run --separate-stderr env -u MAKEFLAGS -u MAKELEVEL -u MFLAGS \
	    PATH="$PWD/stubs:$PATH" make -s -C "$SRC" deps
	echo "status $status, stderr '$stderr', called: $(cat called 2>/dev/null)"
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	[ ! -e called ]
}

@test "make deps asks apt for the missing packages only" {
	stub apt-get id
	run --separate-stderr env PATH="$PWD/stubs:$PATH" \
	    sh "$SRC/t/deps.sh" gcc uoms-no-such-package make
	echo "status $status, stderr '$stderr', called: $(cat called)"
	[ "$status" -eq 0 ]
	[ "$stderr" = "make deps: installing uoms-no-such-package" ]
	[ "$(sed -n 1p called)" = "apt-get update -qq" ]
	[ "$(sed -n 2p called)" = "apt-get install -y -qq --no-install-recommends uoms-no-such-package" ]
	[ "$(wc -l <called)" -eq 2 ]
}

@test "make deps takes a name an installed package provides as there" {
	# every Debian has an awk, and only as a provided name (mawk or gawk)
	provider=$(dpkg-query -W -f='${db:Status-Status} ${Package} ${Provides}\n' |
	    awk '$1 == "installed" && / awk(,|$| )/ { print $2; exit }')
	[ -n "$provider" ] || skip "no installed package provides awk here"
	stub apt-get id
	run --separate-stderr env PATH="$PWD/stubs:$PATH" \
	    sh "$SRC/t/deps.sh" awk "$provider"
	[ "$status" -eq 0 ]
	[ ! -e called ]
}

@test "make deps as another user names what is missing, runs no apt" {
	stub apt-get
	printf '#!/bin/sh\necho 1000\n' >stubs/id
	chmod +x stubs/id
	run --separate-stderr env PATH="$PWD/stubs:$PATH" \
	    sh "$SRC/t/deps.sh" gcc uoms-no-such-package
	[ "$status" -eq 3 ]
	[[ "$stderr" == *"sudo apt-get install uoms-no-such-package"* ]]
	[ ! -e called ]
}

@test "no test helper is copied across bats files: one copy, in t/helper.bash" {
	# a function (not a bats hook) with the same body in two t/*.bats
	# files, or in one and t/helper.bash; the hooks are each file's own
	run --separate-stderr python3 - "$SRC"/t/helper.bash "$SRC"/t/*.bats <<'PY'
import collections, re, sys
seen = collections.defaultdict(set)
hooks = {"setup", "setup_file", "teardown", "teardown_file"}
for path in sys.argv[1:]:
    lines = open(path, encoding="utf-8").read().split("\n")
    i = 0
    while i < len(lines):
        m = re.match(r"([A-Za-z_][A-Za-z0-9_]*)\(\) \{$", lines[i])
        if m and m.group(1) not in hooks:
            j = i
            while j < len(lines) and lines[j] != "}":
                j += 1
            seen["\n".join(lines[i:j + 1])].add(path.rsplit("/", 1)[-1])
            i = j
        i += 1
for body, files in seen.items():
    if len(files) > 1:
        print("%s in %s" % (body.split("(")[0], " ".join(sorted(files))))
PY
	echo "$output"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
}
