#!/usr/bin/env bats
# The lock matrix (SPEC 5), table-driven from t/data/lock-matrix.tsv: lock
# type x live/expired x own/other's x each tool that changes orders ->
# locked, or allowed. One store, one order per row, the locks taken in
# one uoms-lock call per (type, state, holder); then each row's tool runs
# once against its own order, as actor a.
load helper

TABLE=${BATS_TEST_DIRNAME}/data/lock-matrix.tsv

# rows: the table without comments, numbered from 1 (the row's order id).
rows() {
	grep -v '^#' "$TABLE" | grep -n . | tr ':' '\t'
}

# change TOOL ID: TOOL changes order ID (as actor a); status and stderr in
# the usual places of run.
change() {
	local tool=$1 id=$2
	case $tool in
	uoms-status)	run --separate-stderr uoms-status --to IN_PROGRESS "$id" ;;
	uoms-assign)	run --separate-stderr uoms-assign --driver Kim --phone 010-1111-2222 "$id" ;;
	uoms-edit)	run --separate-stderr uoms-edit --set department=north "$id" ;;
	uoms-remark)	run --separate-stderr uoms-remark add "$id" 'call first' ;;
	uoms-hold)	run --separate-stderr uoms-hold set --reason other "$id" ;;
	upsert-member)	run --separate-stderr uoms-upsert <<<"{\"channel\":\"coupang\",\"external_order_id\":\"$id\",\"department\":\"north\"}" ;;
	upsert-status)	run --separate-stderr uoms-upsert <<<"{\"channel\":\"coupang\",\"external_order_id\":\"$id\",\"status\":\"IN_PROGRESS\"}" ;;
	*)		echo "unknown tool $tool" >&2; return 1 ;;
	esac
}

# check N TYPE STATE HOLDER TOOL EXPECT VERSION_BEFORE: prints why row N
# went otherwise than EXPECT, if it did.
check() {
	local n=$1 type=$2 tool=$5 expect=$6 v0=$7 v1 st
	v1=$(sql "SELECT version FROM orders WHERE id = $n")
	st=$(sql "SELECT status FROM orders WHERE id = $n")
	case $expect in
	ok)
		[ "$status" -eq 0 ] && [ -z "$stderr" ] && [ "$v1" -eq $((v0 + 1)) ] &&
		    { [ "$tool" != upsert-status ] || [ "$st" = IN_PROGRESS ]; } ;;
	locked)
		[ "$status" -eq 1 ] && [ "$v1" -eq "$v0" ] && [[ "$stderr" == \
		    "uoms-"*": "*": locked: $type lock held by 'kim' until "* ]] ;;
	drift)
		[ "$status" -eq 0 ] && [ "$st" = WAITING ] &&
		    [ "$(sql "SELECT count(*) FROM holds WHERE order_id = $n
		    AND note LIKE 'channel drift%'")" = 1 ] ;;
	*)
		false ;;
	esac || echo "row $n: $2 $3 $4 $5: want $expect; got exit $status," \
	    "version $v0 -> $v1, status $st, stderr: $stderr"
}

@test "the matrix covers every lock type x state x holder x tool, once" {
	[ "$(rows | cut -f2-5 | sort -u | wc -l)" -eq 112 ]
	[ "$(rows | wc -l)" -eq 112 ]
	run ! grep -v -E '^#|^(EDIT|STATUS|ASSIGN|REMARK)	(live|expired)	(own|other)	(uoms-status|uoms-assign|uoms-edit|uoms-remark|uoms-hold|upsert-member|upsert-status)	(ok|locked|drift)$' "$TABLE"
}

@test "each mutating tool meets each lock as the lock matrix says" {
	local n type state holder tool expect owner ids v0 msg bad=""

	orders "$(rows | wc -l)" | uoms-upsert >/dev/null
	# Live locks for ten minutes; expired ones were taken for a minute in
	# 2020 (UOMS_NOW sets the lock clock).
	while read -r type state holder; do
		ids=$(rows | awk -F'\t' -v t="$type" -v s="$state" -v h="$holder" \
		    '$2 == t && $3 == s && $4 == h { print $1 }')
		owner=$([ "$holder" = own ] && echo a || echo kim)
		if [ "$state" = live ]; then
			uoms-lock --actor "$owner" acquire --type "$type" --ttl 600 $ids >/dev/null
		else
			UOMS_NOW=2020-01-01T00:00:00Z uoms-lock --actor "$owner" \
			    acquire --type "$type" --ttl 60 $ids >/dev/null
		fi
	done < <(rows | cut -f2-4 | sort -u)
	[ "$(sql "SELECT count(*) FROM locks")" -eq 112 ]

	export UOMS_ACTOR=a
	while IFS=$'\t' read -r n type state holder tool expect; do
		v0=$(sql "SELECT version FROM orders WHERE id = $n")
		change "$tool" "$n"
		msg=$(check "$n" "$type" "$state" "$holder" "$tool" "$expect" "$v0")
		[ -z "$msg" ] || bad+="$msg"$'\n'
	done < <(rows)
	echo "$bad"
	[ -z "$bad" ]
}
