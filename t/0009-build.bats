#!/usr/bin/env bats
# The build house (issue 11): a make after a make does nothing; touching a
# header rebuilds what includes it and no more; `make deps` (which make
# check runs first) calls no apt when every package is installed, and
# only for what is missing when something is. The builds run in a copy of
# the source with its own build folder, so the running one is left alone.
load helper

# bmake ARG...: make in the copy, not under the caller's make jobserver.
bmake() {
	env -u MAKEFLAGS -u MAKELEVEL -u MFLAGS make -C "$COPY" "$@"
}

setup_file() {
	SRC=${UOMS_SRC:-$BATS_TEST_DIRNAME/..}
	export COPY="$BATS_FILE_TMPDIR/src"
	mkdir "$COPY"
	tar -C "$SRC" --exclude=./build --exclude=./build-san \
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
