#!/usr/bin/env bats
# uoms-edit: fields people may change (t/data/edit-fields.tsv), values
# checked as upsert checks them plus eta not in the past
# (t/data/edit-invalid.tsv), fields they may not (a usage error), members
# of customer and shipping set one by one, versions, locks, idempotency.
load helper

# like EXT N: N copies of the helper's order line, external ids EXT, EXT+1...
like() {
	local base i
	base=$(order 100001)
	for ((i = $1; i < $1 + $2; i++)); do
		sed "s/\"100001\"/\"$i\"/; s/2611-100001/2611-$i/" <<<"$base"
	done
}

@test "every editable field is set, one version and one edited event each" {
	local rows=() n=0 failed=() set path want ext got
	while IFS=$'\t' read -r set path want; do
		[[ -z "$set" || "$set" == "#"* ]] && continue
		rows+=("$set"$'\t'"$path"$'\t'"$want")
	done <"$SRC/t/data/edit-fields.tsv"
	like 200000 "${#rows[@]}" | uoms-upsert >/dev/null
	for row in "${rows[@]}"; do
		IFS=$'\t' read -r set path want <<<"$row"
		ext=$((200000 + n))
		n=$((n + 1))
		run --separate-stderr uoms-edit --set "$set" "coupang:$ext"
		got=$(jget "$path" <<<"$output")
		if [ "$status" -ne 0 ] || [ -n "$stderr" ] || [ "$got" != "$want" ] ||
		    [ "$(jget version <<<"$output")" != 2 ]; then
			failed+=("$set: status $status, $path '$got' not '$want', stderr '$stderr'")
			continue
		fi
		# One event, naming the field, "to" as stored.
		field=${set%%=*}
		got=$(count "SELECT e.type || ' ' || e.version || ' ' ||
		    CASE WHEN json_extract(details, '\$.changed.\"$field\".to')
		    IS NULL THEN 1 ELSE 0 END
		    FROM events e JOIN orders o ON o.id = e.order_id
		    WHERE o.external_order_id = '$ext' AND e.type <> 'created'")
		[ "$got" = "edited 2 $([ "${set#*=}" ] && echo 0 || echo 1)" ] ||
		    failed+=("$set: event '$got'")
	done
	printf '%s\n' "${failed[@]}"
	[ "$n" -ge 20 ]
	[ "${#failed[@]}" -eq 0 ]
}

@test "every bad value is refused with invalid; nothing is written" {
	local n=0 failed=() set frag
	order 100001 | uoms-upsert >/dev/null
	while IFS=$'\t' read -r set frag; do
		[[ -z "$set" || "$set" == "#"* ]] && continue
		n=$((n + 1))
		run --separate-stderr uoms-edit --set "$set" 1
		[ "$status" -eq 1 ] && [ -z "$output" ] &&
		    [[ "$stderr" == "uoms-edit: order 1: invalid: "*"$frag"* ]] ||
		    failed+=("$set: status $status, stderr '$stderr'")
	done <"$SRC/t/data/edit-invalid.tsv"
	printf '%s\n' "${failed[@]}"
	[ "$n" -ge 15 ]
	[ "${#failed[@]}" -eq 0 ]
	[ "$(count "SELECT version FROM orders")" = 1 ]
	[ "$(count "SELECT count(*) FROM events")" = 1 ]
}

@test "several --set: one version, one event listing each change from and to" {
	order 100001 | uoms-upsert >/dev/null
	run --separate-stderr uoms-edit --set department=west --set eta=2099-01-01T09:00:00+09:00 \
	    --set shipping.zone= 1
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	[ "$(jget version <<<"$output")" = 2 ]
	[ "$(count "SELECT type || ' ' || actor || ' ' || details FROM events WHERE id = 2")" = \
	    'edited tester {"changed":{"eta":{"from":"2030-11-22T01:00:00Z","to":"2099-01-01T00:00:00Z"},"department":{"from":"east","to":"west"},"shipping.zone":{"from":"gangnam","to":null}}}' ]
	[ "$(uoms-query --id 1)" = "$output" ]
}

@test "a field that already holds its value is not a change; all of them: nothing to change" {
	order 100001 | uoms-upsert >/dev/null
	run --separate-stderr uoms-edit --set department=east --set eta=2030-11-22T10:00:00+09:00 1
	[ "$status" -eq 1 ]
	[ -z "$output" ]
	[[ "$stderr" == *"uoms-edit: order 1: invalid: nothing to change"* ]]
	[ "$(count "SELECT version || ' ' || CASE WHEN updated_at = created_at THEN 1
	    ELSE 0 END FROM orders")" = "1 1" ]
	run --separate-stderr uoms-edit --set department=east --set warehouse=gmp-2 1
	[ "$status" -eq 0 ]
	[ "$(count "SELECT details FROM events WHERE type = 'edited'")" = \
	    '{"changed":{"warehouse":{"from":"icn-1","to":"gmp-2"}}}' ]
	# Clearing what is already empty is nothing too.
	uoms-edit --set department= 1 >/dev/null
	run --separate-stderr uoms-edit --set department= 1
	[ "$status" -eq 1 ]
	[[ "$stderr" == *"nothing to change"* ]]
	[ "$(count "SELECT version FROM orders")" = 3 ]
}

@test "customer and shipping keep the members not named, unknown ones too" {
	order 100001 'customer={"name":"A","phone":"010-1111-2222","memo":"문 앞","vip":true}' \
	    'shipping={"postal_code":"06236","address":"서울","zone":"gangnam","floor":3}' |
	    uoms-upsert >/dev/null
	run --separate-stderr uoms-edit --set customer.phone=02-123-4567 --set shipping.postal_code=04524 1
	[ "$status" -eq 0 ]
	[ "$(jget customer <<<"$output")" = '{"name": "A", "phone": "02-123-4567", "memo": "문 앞", "vip": true}' ]
	[ "$(jget shipping <<<"$output")" = '{"postal_code": "04524", "address": "서울", "zone": "gangnam", "floor": 3}' ]
	# An order with no customer gets one with the member set.
	order 100002 customer=null | uoms-upsert >/dev/null
	run --separate-stderr uoms-edit --set customer.name=김영희 2
	[ "$status" -eq 0 ]
	[ "$(jget customer <<<"$output")" = '{"name": "김영희"}' ]
}

@test "fields people may not edit are a usage error naming them; nothing is touched" {
	order 100001 | uoms-upsert >/dev/null
	while IFS='|' read -r set frag; do
		run --separate-stderr uoms-edit --set "$set" 1
		echo "$set: $status $stderr"
		[ "$status" -eq 2 ]
		[ -z "$output" ]
		[[ "$stderr" == "uoms-edit: '${set%%=*}' can't be edited: $frag"* ]]
		[[ "$stderr" == *"usage: uoms-edit "* ]]
	done <<'EOF'
status=CANCEL|use uoms-status
driver={"name":"Kim"}|use uoms-assign
driver.name=Kim|use uoms-assign
channel=naver|it identifies the order
external_order_id=9|it identifies the order
order_no=2611-1|it identifies the order
id=2|it identifies the order
version=9|the store keeps it
created_at=2026-01-01T00:00:00Z|the store keeps it
updated_at=2026-01-01T00:00:00Z|the store keeps it
workflow=fulfillment|it is fixed when the order is created
placed_at=2026-01-01T00:00:00Z|of the times only eta is edited
channel_updated_at=2026-01-01T00:00:00Z|of the times only eta is edited
depart_time=2099-01-01T00:00:00Z|the workflow sets it
complete_time=2099-01-01T00:00:00Z|the workflow sets it
holds=|use uoms-hold
customer={}|set customer.name or customer.phone
total_amount=1|the fields are eta, department
customer.email=a@b|the fields are eta
ETA=2099-01-01T00:00:00Z|the fields are eta
EOF
	for args in "1" "--set eta 1" "--set =x 1" "--set kind=a --set kind=b 1"; do
		run --separate-stderr uoms-edit $args
		echo "$args: $status $stderr"
		[ "$status" -eq 2 ]
		[ -z "$output" ]
		[[ "$stderr" == *"usage: uoms-edit "* ]]
	done
	[[ "$stderr" == "uoms-edit: 'kind' is set twice"* ]]
	[ "$(count "SELECT version || ' ' || status FROM orders")" = "1 WAITING" ]
	[ "$(count "SELECT count(*) FROM events")" = 1 ]
}

@test "a value holding '=' keeps it: the field ends at the first '='" {
	order 100001 | uoms-upsert >/dev/null
	run --separate-stderr uoms-edit --set 'shipping.address=a=b' 1
	[ "$status" -eq 0 ]
	[ "$(jget shipping.address <<<"$output")" = "a=b" ]
}

@test "a stale version from a piped record is refused with version_conflict" {
	order 100001 | uoms-upsert >/dev/null
	uoms-query --id 1 >seen.jsonl
	uoms-edit --set department=west 1 >/dev/null
	run --separate-stderr uoms-edit --set warehouse=gmp-2 --reject rej.jsonl <seen.jsonl
	[ "$status" -eq 1 ]
	[ -z "$output" ]
	[[ "$stderr" == *"line 1: version_conflict: order 1: stored version is 2, not 1"* ]]
	[ "$(jget error.code <rej.jsonl)" = version_conflict ]
	[ "$(jget error.current_version <rej.jsonl)" = 2 ]
	[ "$(jget warehouse <rej.jsonl)" = icn-1 ]
	[ "$(count "SELECT warehouse || ' ' || version FROM orders")" = "icn-1 2" ]
	# The current record goes through; an admin's --force skips the check.
	run --separate-stderr sh -c 'uoms-query --id 1 | uoms-edit --set warehouse=gmp-2'
	[ "$status" -eq 0 ]
	[ "$(jget version <<<"$output")" = 3 ]
	run --separate-stderr uoms-edit --force --set warehouse=gmp-3 <seen.jsonl
	[ "$status" -eq 1 ]
	[[ "$stderr" == *"forbidden: "* ]]
	admin boss
	run --separate-stderr uoms-edit --actor boss --force --set warehouse=gmp-3 <seen.jsonl
	[ "$status" -eq 0 ]
	[ "$(jget warehouse <<<"$output")" = gmp-3 ]
}

@test "each order stands alone: a refused one does not stop the others" {
	like 300001 3 | uoms-upsert >/dev/null
	uoms-edit --set kind=pickup 2 >/dev/null
	run --separate-stderr uoms-edit --set kind=pickup 1 99 2 3
	[ "$status" -eq 1 ]
	[ "$(jget id <<<"$output" | tr '\n' ' ')" = "1 3 " ]
	[[ "$stderr" == *"order 99: not_found: no such order"* ]]
	[[ "$stderr" == *"order 2: invalid: nothing to change"* ]]
	[ "$(count "SELECT group_concat(kind || version) FROM (SELECT kind, version
	    FROM orders ORDER BY id) AS o")" = "pickup2,pickup2,pickup2" ]
}

@test "an EDIT lock by another actor refuses the edit, naming the owner" {
	like 300001 2 | uoms-upsert >/dev/null
	lock 1 EDIT kim
	lock 2 EDIT kim 2020-01-01T00:00:00Z
	run --separate-stderr uoms-edit --set department=west --reject rej.jsonl 1 2
	[ "$status" -eq 1 ]
	[[ "$stderr" == *"order 1: locked: EDIT lock held by 'kim' until 2099-01-01T00:00:00Z"* ]]
	[ "$(jget id <<<"$output")" = 2 ]
	[ "$(jget error.owner <rej.jsonl)" = kim ]
	[ "$(count "SELECT group_concat(department) FROM (SELECT department
	    FROM orders ORDER BY id) AS o")" = "east,west" ]
	# The lock's owner edits.
	run --separate-stderr uoms-edit --actor kim --set department=west 1
	[ "$status" -eq 0 ]
	[ "$(jget department <<<"$output")" = west ]
}

@test "holds do not block edits" {
	order 100001 | uoms-upsert >/dev/null
	sql "INSERT INTO holds (order_id, reason, placed_by, placed_at, updated_at)
	    VALUES (1, 'address_invalid', 'kim', '2026-11-21T00:00:00Z', '2026-11-21T00:00:00Z')"
	run --separate-stderr uoms-edit --set 'shipping.address=서울 중구 세종대로 110' 1
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	[ "$(jget holds[0].reason <<<"$output")" = address_invalid ]
	[ "$(jget shipping.address <<<"$output")" = "서울 중구 세종대로 110" ]
}

@test "an idempotency key edits once and replays the same output" {
	order 100001 | uoms-upsert >/dev/null
	run --separate-stderr uoms-edit --idempotency-key e-1 --set eta=2099-01-01T09:00:00+09:00 1
	[ "$status" -eq 0 ]
	first=$output
	# The same eta written in UTC is the same request.
	run --separate-stderr uoms-edit --idempotency-key e-1 --set eta=2099-01-01T00:00:00Z 1
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	[ "$output" = "$first" ]
	[ "$(count "SELECT version FROM orders")" = 2 ]
	[ "$(count "SELECT count(*) FROM events WHERE type = 'edited'")" = 1 ]
	run --separate-stderr uoms-edit --idempotency-key e-1 --set eta=2099-01-02T00:00:00Z 1
	[ "$status" -eq 1 ]
	[[ "$stderr" == *"order 1: idempotency_mismatch: "* ]]
	[ "$(count "SELECT eta FROM orders")" = 2099-01-01T00:00:00Z ]
}

@test "the man page's EXAMPLES run" {
	man_examples uoms-edit.1
	[ -f ex5.sh ]
	statuses=
	for f in ex*.sh; do
		sh "$f" >"$f.out" 2>"$f.err" && st=0 || st=$?
		statuses="$statuses $st"
	done
	# The fourth edit is the same as the one before: nothing to change.
	# The last deletes the order.
	[ "$statuses" = " 0 0 0 1 0 0" ]
	[ "$(tail -1 ex6.sh.out | jget type)" = deleted ]
	[ "$(head -1 ex6.sh.out | jget external_order_id)" = N-1 ]
	[[ "$(cat ex4.sh.err)" == *"nothing to change"* ]]
	run uoms-query --deleted --id 1
	[ "$(jget customer <<<"$output")" = '{"name": "김영희", "phone": "02-123-4567", "memo": "문 앞"}' ]
	[ "$(jget eta <<<"$output")" = 2099-11-22T05:00:00Z ]
	[ "$(jget department <<<"$output")" = west ]
	[ "$(jget shipping.zone <<<"$output")" = null ]
	[ "$(jget shipment <<<"$output")" = '{"carrier": "cj", "tracking_number": "640012345678"}' ]
	[ "$(jget version <<<"$output")" = 6 ]
}
