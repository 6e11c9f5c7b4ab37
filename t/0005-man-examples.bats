#!/usr/bin/env bats
# The EXAMPLES of the overview, the configuration page and the first tools'
# pages run as written, in order, in a fresh folder, so the docs can't rot.
# (The other tools' pages are run by their own tests.)
load helper

# run_examples PAGE: runs them in order; prints each one's exit status.
run_examples() {
	unset UOMS_DB
	man_examples "$1"
	for f in $(ls ex*.sh | sort -V); do
		sh "$f" >"$f.out" 2>"$f.err" </dev/null && st=0 || st=$?
		printf ' %s' "$st"
	done
}

@test "uoms-upsert(1) EXAMPLES run" {
	run run_examples uoms-upsert.1
	[ "$output" = " 0 0 0 0 0 0 0" ]
	[ -s uoms.db ]
}

@test "uoms-query(1) EXAMPLES run" {
	run run_examples uoms-query.1
	[ "$output" = " 0 0 0 0 0 0 0 0" ]
	grep -q 'ORDER_NO' ex*.sh.out
}

@test "uoms(1) EXAMPLES run" {
	run run_examples uoms.1
	[ "$output" = " 0 0 0" ]
}

@test "uoms(7) EXAMPLES run, the stale version one refused as it says" {
	run run_examples uoms.7
	[ "$output" = " 0 0 0 0 0 0 0 1 0 0 0 0 0" ]
	grep -q 'version_conflict' ex8.sh.err
}

@test "uoms.yaml(5) EXAMPLES run" {
	run run_examples uoms.yaml.5
	[ "$output" = " 0 0 0" ]
}

@test "uoms-security(7) backs each claim with tests that exist" {
	grep '^\.Pq Pa t/' "$SRC/man/uoms-security.7" | sed 's/^\.Pq Pa //' |
	    tr ',' '\n' | tr -d ' ' | grep -v '\*' | sort -u >named
	[ "$(wc -l <named)" -ge 10 ]
	while read -r f; do
		[ -e "$SRC/$f" ] || { echo "uoms-security(7) names a missing $f"; false; }
	done <named
	# every claim section names its tests
	for s in "The store file" "Channel servers" "Input lines" "Channel secrets" \
	    "Passwords" "Dry runs" "Messages" "Memory"; do
		awk -v s="$s" '$0 == ".It " s { on = 1; next }
		    on && /^\.It / { exit 1 } on && /^\.Pq Pa t\// { found = 1; exit }
		    END { exit !found }' "$SRC/man/uoms-security.7" ||
		    { echo "no test named for '$s'"; false; }
	done
}
