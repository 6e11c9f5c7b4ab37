#!/usr/bin/env bats
# shipment (uoms(7)): the carrier (an id of share/uoms/carriers.tsv) and
# tracking number an order left with. Kept by upsert (a channel line
# without it never clears it), set with uoms-edit, shown by uoms-query;
# an unknown carrier or a bad tracking number refuses the line.
load helper

# ch TIME [KEY=JSON...]: the channel's line for coupang:100001 at TIME.
ch() {
	local t=$1
	shift
	order 100001 channel_updated_at="\"2026-11-21T$t:00Z\"" "$@"
}

@test "upsert keeps the shipment, and uoms-query shows it" {
	run --separate-stderr uoms-upsert <<<"$(ch 09:15 \
	    shipment='{"carrier":"cj","tracking_number":"640012345678"}')"
	[ "$status" -eq 0 ]
	[ "$(jget shipment <<<"$output")" = '{"carrier": "cj", "tracking_number": "640012345678"}' ]
	[ "$(uoms-query --id 1 | jget shipment.carrier)" = cj ]
	[ "$(uoms-query --id 1 | jget shipment.tracking_number)" = 640012345678 ]
	# A line without it, however new, leaves it.
	for i in 1 2 3; do
		uoms-upsert <<<"$(ch 10:0$i total_amount=4000$i)" >/dev/null
	done
	[ "$(uoms-query --id 1 | jget shipment)" = '{"carrier": "cj", "tracking_number": "640012345678"}' ]
	[ "$(uoms-query --id 1 | jget total_amount)" = 40003 ]
	# An order never given one shows null.
	uoms-upsert <<<"$(order 200002)" >/dev/null
	[ "$(uoms-query --id 2 | jget shipment)" = null ]
}

@test "uoms-edit sets the shipment; a channel line without it keeps the edit" {
	uoms-upsert <<<"$(ch 09:15)" >/dev/null
	run --separate-stderr uoms-edit --set shipment.carrier=hanjin \
	    --set shipment.tracking_number=4321-0987 1
	[ "$status" -eq 0 ]
	[ "$(jget shipment <<<"$output")" = '{"carrier": "hanjin", "tracking_number": "4321-0987"}' ]
	[ "$(jget version <<<"$output")" = 2 ]
	uoms-events --order 1 --type edited >ev
	[ "$(jget details.changed <ev)" = '{"shipment.carrier": {"from": null, "to": "hanjin"}, "shipment.tracking_number": {"from": null, "to": "4321-0987"}}' ]
	for t in 09:15 10:00 10:30; do
		uoms-upsert <<<"$(ch $t)" >/dev/null
	done
	[ "$(uoms-query --id 1 | jget shipment.carrier)" = hanjin ]
	# The same line again with the record's shipment changes nothing.
	run --separate-stderr uoms-upsert --summary <<<"$(uoms-query --id 1)"
	[ "$stderr" = "uoms-upsert: read 1, created 0, updated 0, unchanged 1, rejected 0" ]
}

@test "every carrier of carriers.tsv is taken, by its id" {
	ids=$(grep -v '^#' "$SRC/share/uoms/carriers.tsv" | tail -n +2 | cut -f1)
	[ "$(wc -w <<<"$ids")" -ge 5 ]
	for c in cj hanjin lotte epost logen; do
		grep -qx "$c" <<<"$ids"
	done
	n=0
	for c in $ids; do
		n=$((n + 1))
		order "$n" shipment="{\"carrier\":\"$c\",\"tracking_number\":\"1-$n\"}"
	done | uoms-upsert >/dev/null
	uoms-query | jget shipment.carrier | sort >got
	sort <<<"$ids" >want
	diff -u want got
}

@test "an unknown carrier or a bad tracking number refuses the line, the others go on" {
	while IFS='|' read -r shipment why; do
		{
			order 300001
			ch 09:15 shipment="$shipment"
			order 300002
		} >in
		run --separate-stderr uoms-upsert --reject rej in
		[ "$status" -eq 1 ] || { echo "$shipment: $status"; false; }
		[ "$(grep -c . <<<"$output")" = 2 ]
		[[ $stderr == *"line 2: invalid: $why"* ]] || { echo "$shipment: $stderr"; false; }
		[ "$(jget error.message <rej)" = "$why" ]
		store_reset
		rm -f rej
	done <<'EOF2'
{"carrier":"dhl","tracking_number":"1"}|shipment.carrier: unknown carrier 'dhl' (carriers.tsv has cj, hanjin, lotte, epost, logen)
{"carrier":"CJGLS"}|shipment.carrier: unknown carrier 'CJGLS' (carriers.tsv has cj, hanjin, lotte, epost, logen)
{"carrier":""}|shipment.carrier: unknown carrier '' (carriers.tsv has cj, hanjin, lotte, epost, logen)
{"carrier":1}|shipment.carrier must be a string, not integer
{"tracking_number":""}|shipment.tracking_number '' is not 1 to 64 letters, digits and '-'
{"tracking_number":"6400 1234"}|shipment.tracking_number '6400 1234' is not 1 to 64 letters, digits and '-'
{"tracking_number":"12345678901234567890123456789012345678901234567890123456789012345"}|shipment.tracking_number '12345678901234567890123456789012345678901234567890123456789012345' is not 1 to 64 letters, digits and '-'
{"tracking_number":640012345678}|shipment.tracking_number must be a string, not integer
"cj"|shipment must be an object, not text
EOF2
	# uoms-edit refuses them as well, and changes nothing.
	uoms-upsert <<<"$(ch 09:15)" >/dev/null
	run --separate-stderr uoms-edit --set shipment.carrier=dhl 1
	[ "$status" -eq 1 ]
	[[ $stderr == *"invalid: shipment.carrier: unknown carrier 'dhl'"* ]]
	run --separate-stderr uoms-edit --set shipment.tracking_number='1 2' 1
	[ "$status" -eq 1 ]
	[ "$(uoms-query --id 1 | jget version)" = 1 ]
}

@test "the carriers are read from the installed data" {
	mkdir -p data/workflows
	cp "$SRC"/share/uoms/workflows/*.yaml data/workflows/
	printf 'id\tname\tcoupang\tnaver\tshopify\twoocommerce\nzz\tZZ\tZZ\tZZ\tZZ\tZZ\n' >data/carriers.tsv
	run --separate-stderr env UOMS_DATA="$PWD/data" uoms-upsert <<<"$(order 1 shipment='{"carrier":"zz"}')"
	[ "$status" -eq 0 ]
	run --separate-stderr env UOMS_DATA="$PWD/data" uoms-upsert <<<"$(order 2 shipment='{"carrier":"cj"}')"
	[ "$status" -eq 1 ]
	[[ $stderr == *"unknown carrier 'cj' (carriers.tsv has zz)"* ]]
	rm data/carriers.tsv
	run --separate-stderr env UOMS_DATA="$PWD/data" uoms-upsert <<<"$(order 3 shipment='{"carrier":"cj"}')"
	[ "$status" -eq 1 ]
	[[ $stderr == *"can't read the carriers '$PWD/data/carriers.tsv'"* ]]
}
