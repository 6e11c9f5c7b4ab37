#!/usr/bin/env bats
# A full disk (issue 8): the store on a small tmpfs. Upsert until the disk
# fills: exit 3 with a message that says so (not "internal"), nothing half
# written (integrity_check ok, every stored order whole, its events
# matching its version, what was printed is what was stored); then space
# returns and a rerun converges to what an uncrashed run stores. A store
# that can't be created on a full disk leaves no file behind.
load helper

# small_disk SIZE: a tmpfs of SIZE at ./mnt (as root), or skip saying why.
small_disk() {
	[ "$(id -u)" = 0 ] || skip "not root: can't mount a tmpfs"
	mkdir -p mnt
	mount -t tmpfs -o "size=$1,mode=0755" tmpfs mnt 2>mount.err ||
	    skip "can't mount a tmpfs here: $(cat mount.err)"
}

teardown() {
	if mountpoint -q "$BATS_TEST_TMPDIR/mnt" 2>/dev/null; then
		umount "$BATS_TEST_TMPDIR/mnt"
	fi
}

# fill DIR [KB]: a file taking every free byte of DIR's disk but KB.
fill() {
	local avail
	avail=$(df -k --output=avail "$1" | tail -1)
	if [ "${2:-0}" -eq 0 ]; then
		dd if=/dev/zero of="$1/filler" bs=4096 2>/dev/null || true
		[ "$(df --output=avail "$1" | tail -1)" -eq 0 ]
	else
		dd if=/dev/zero of="$1/filler" bs=1024 count=$((avail - $2)) 2>/dev/null
	fi
}

# whole DB: integrity ok, each order with its one item, one event per
# version, and nothing else.
whole() {
	[ "$(sqlite3 "$1" 'pragma integrity_check')" = ok ]
	[ "$(sqlite3 "$1" 'select count(*) from orders o where (select count(*) from order_items i where i.order_id = o.id) <> 1')" = 0 ]
	[ "$(sqlite3 "$1" 'select count(*) from orders o where o.version <> (select count(*) from events e where e.order_id = o.id) or o.version <> (select max(version) from events e where e.order_id = o.id)')" = 0 ]
	[ "$(sqlite3 "$1" 'select count(*) from order_items where order_id not in (select id from orders)')" = 0 ]
}

@test "creating a store on a full disk: exit 3, disk full, no file left" {
	small_disk 512k
	fill mnt
	run --separate-stderr uoms-upsert -d mnt/uoms.db < <(order 1)
	echo "# $status: $stderr"
	[ "$status" -eq 3 ]
	[ -z "$output" ]
	[[ "$stderr" == "uoms-upsert: "*"disk full"* ]]
	[[ "$stderr" != *internal* ]]
	[ ! -e mnt/uoms.db ]
	[ "$(ls -A mnt)" = filler ]
	# the space back, the same command makes it
	rm mnt/filler
	order 1 | uoms-upsert -d mnt/uoms.db >/dev/null
	[ "$(sqlite3 mnt/uoms.db 'select count(*) from orders')" = 1 ]
}

@test "too small for the schema: no 0-byte store either" {
	small_disk 64k
	run --separate-stderr uoms-upsert -d mnt/uoms.db </dev/null
	[ "$status" -eq 3 ]
	[[ "$stderr" == *"disk full"* ]]
	[ "$(ls -A mnt)" = "" ]
}

@test "upsert until the disk fills: exit 3, nothing half written; with space back a rerun converges" {
	orders 3000 >in.jsonl
	# the uncrashed run, on the ordinary disk
	uoms-upsert -d "$PWD/ref.db" <in.jsonl >/dev/null
	small_disk 1m
	run --separate-stderr uoms-upsert -d mnt/uoms.db --batch 100 <in.jsonl
	echo "# $status: $stderr"
	[ "$status" -eq 3 ]
	[[ "$stderr" == "uoms-upsert: disk full: "* ]]
	[[ "$stderr" != *internal* ]]
	n=$(sqlite3 mnt/uoms.db 'select count(*) from orders')
	[ "$n" -gt 0 ]
	[ "$n" -lt 3000 ]
	# what was printed is what was stored: whole batches only
	[ "${#lines[@]}" -eq "$n" ]
	[ $((n % 100)) -eq 0 ]
	whole mnt/uoms.db
	# a reader still reads it while the disk is full
	[ "$(uoms-query -d mnt/uoms.db | wc -l)" -eq "$n" ]

	# space returns: the rerun of the same input converges
	mount -o remount,size=16m mnt
	run --separate-stderr uoms-upsert -d mnt/uoms.db --summary <in.jsonl
	[ "$status" -eq 0 ]
	[[ "$stderr" == *"created $((3000 - n)), updated 0, unchanged $n,"* ]]
	whole mnt/uoms.db
	diff -u <(uoms-query -d "$PWD/ref.db" | strip_store) \
	    <(uoms-query -d mnt/uoms.db | strip_store)
}

@test "a disk that fills under a status pipeline: exit 3, orders whole; work resumes when a filler goes" {
	small_disk 2m
	orders 300 | uoms-upsert -d mnt/uoms.db >/dev/null
	# room to open the store, not for 300 notes of 3 kB
	fill mnt 200
	run --separate-stderr sh -c 'uoms-query -d mnt/uoms.db | uoms-status -d mnt/uoms.db --to CANCEL --note "$(head -c 3000 /dev/zero | tr "\0" x)"'
	echo "# $status: $stderr"
	[ "$status" -eq 3 ]
	[[ "$stderr" == "uoms-status: disk full: "* ]]
	whole mnt/uoms.db
	rm mnt/filler
	uoms-query -d mnt/uoms.db --status WAITING | uoms-status -d mnt/uoms.db --to CANCEL >/dev/null
	whole mnt/uoms.db
	[ "$(uoms-query -d mnt/uoms.db --status CANCEL | wc -l)" -eq 300 ]
	[ "$(uoms-query -d mnt/uoms.db --status WAITING | wc -l)" -eq 0 ]
}
