#!/bin/sh
# make bench: uoms against the machine's limit (t/bench/loader) and against
# sqlite-utils, as ratios, on the same generated orders (t/bench/gen-orders);
# then the PostgreSQL table (t/bench/pg.sh) against psql.
#   sh t/bench/run.sh [--quick | --large]
# Needs build/bin and build/t on PATH, sqlite3, sqlite-utils, perl and
# GNU time (/usr/bin/time). A SHORT row is reported, not a failure.
set -u

case "${1-}" in
"")		sizes="100000 1000000" ;;
--quick)	sizes=20000 ;;
--large)	sizes=1000000 ;;	# a million orders only
*)		echo "usage: run.sh [--quick | --large]" >&2; exit 2 ;;
esac

dir=$(mktemp -d "${TMPDIR:-/tmp}/uoms-bench.XXXXXX") || exit 3
trap 'rm -rf "$dir"' EXIT
trap 'exit 130' INT TERM

now() { date +%s.%N; }
calc() { awk "BEGIN { printf \"%.${2:-2}f\", ($1) }"; }

# timed IN CMD...: runs CMD <IN >/dev/null; sets secs. A failure is
# reported: its figures would mean nothing.
timed() {
	i=$1; shift
	t0=$(now)
	"$@" <"$i" >/dev/null || echo "run.sh: failed ($?): $*" >&2
	secs=$(calc "$(now) - $t0" 3)
}

# median N CMD...: median wall seconds of N runs of CMD.
median() {
	perl -MTime::HiRes=time -e '
		my $n = shift; my @t;
		open my $out, ">&", \*STDOUT or die;
		open STDOUT, ">", "/dev/null" or die;
		for (1 .. $n) {
			my $t0 = time;
			system(@ARGV) == 0 or die "@ARGV: failed\n";
			push @t, time - $t0;
		}
		@t = sort { $a <=> $b } @t; printf $out "%.6f", $t[$n / 2];
	' "$@"
}

rss() { /usr/bin/time -f %M -o "$@"; }	# rss FILE CMD...: peak KiB to FILE
sqlite_utils() {
	sqlite-utils upsert --nl --pk channel --pk external_order_id \
	    "$1" orders "$2"
}
count() { sqlite3 "$1" 'SELECT count(*) FROM orders'; }
# move_sql WHERE: the status move of uoms-status as plain SQL: the event
# and the update, in one transaction (the limit for this change).
move_sql() {
	echo "BEGIN IMMEDIATE;
	INSERT INTO events (order_id, type, from_state, to_state, actor, at,
	    version, details)
	SELECT id, 'status', status, 'IN_PROGRESS', 'bench',
	    strftime('%Y-%m-%dT%H:%M:%SZ', 'now'), version + 1, '{}'
	FROM orders WHERE $1 AND status = 'WAITING';
	UPDATE orders SET status = 'IN_PROGRESS', version = version + 1,
	    depart_time = strftime('%Y-%m-%dT%H:%M:%SZ', 'now'),
	    updated_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now')
	WHERE $1 AND status = 'WAITING';
	COMMIT;"
}

# row WHAT UOMS OTHER RATIO TARGET OK
row() {
	printf '%-36s %12s %12s %7s %8s  %s\n' "$1" "$2" "$3" "$4" "$5" \
	    "$(if [ "$6" = 1 ]; then echo PASS; else echo SHORT; fi)"
}
ge() { calc "$1 >= $2" 0; }

for n in $sizes; do
	rm -f "$dir"/*
	in=$dir/orders-$n.jsonl
	gen-orders --count "$n" >"$in" || exit 3
	bytes=$(calc "$(wc -c <"$in") / $n" 0)

	timed "$in" rss "$dir/rss" uoms-upsert -d "$dir/u.db"
	u1=$secs; ukib=$(tail -n 1 "$dir/rss")
	uoms-upsert -d "$dir/l.db" </dev/null
	timed "$in" rss "$dir/lrss" loader "$dir/l.db" 2>"$dir/loader.err"
	l1=$secs; lkib=$(tail -n 1 "$dir/lrss")
	timed /dev/null sqlite_utils "$dir/s.db" "$in"
	s1=$secs
	timed "$in" uoms-upsert -d "$dir/u.db"
	u2=$secs
	timed /dev/null sqlite_utils "$dir/s.db" "$in"
	s2=$secs
	for db in u l s; do
		c=$(count "$dir/$db.db")
		[ "$c" = "$n" ] ||
		    echo "run.sh: $db.db holds $c orders, not $n" >&2
	done
	q=$(median 21 uoms-query -d "$dir/u.db" --status WAITING --limit 1)
	z=$(median 21 sqlite3 "$dir/u.db" 'select 1')

	# Issue 3: one move per invocation, as shell loops do, then the bulk
	# pipeline, each against the same change made by the sqlite3 CLI.
	cp "$dir/u.db" "$dir/v.db"
	t0=$(now)
	for id in $(seq 1 21); do
		uoms-status -d "$dir/u.db" --to IN_PROGRESS "$id" >/dev/null
	done
	one_u=$(calc "($(now) - $t0) / 21" 6)
	t0=$(now)
	for id in $(seq 1 21); do
		sqlite3 "$dir/v.db" "$(move_sql "id = $id")"
	done
	one_s=$(calc "($(now) - $t0) / 21" 6)
	waiting=$(sqlite3 "$dir/u.db" "SELECT count(*) FROM orders WHERE status = 'WAITING'")
	t0=$(now)
	uoms-query -d "$dir/u.db" --status WAITING |
	    uoms-status -d "$dir/u.db" --to IN_PROGRESS >/dev/null
	pipe_u=$(calc "$(now) - $t0" 3)
	t0=$(now)
	sqlite3 "$dir/v.db" "$(move_sql "status = 'WAITING'")"
	pipe_s=$(calc "$(now) - $t0" 3)
	for db in u v; do
		left=$(sqlite3 "$dir/$db.db" "SELECT count(*) FROM orders WHERE status = 'WAITING'")
		[ "$left" = 0 ] || echo "run.sh: $db.db still has $left WAITING" >&2
	done

	echo
	echo "$n orders, $bytes bytes a line ($(uname -m), $(nproc) cpu)"
	printf '%-36s %12s %12s %7s %8s  %s\n' what uoms other ratio target ""
	r=$(calc "$l1 / $u1")
	row "a) load, orders/s vs loader" "$(calc "$n / $u1" 0)" \
	    "$(calc "$n / $l1" 0)" "$r" ">=0.6" "$(ge "$r" 0.6)"
	r=$(calc "$s1 / $u1")
	row "b) load, orders/s vs sqlite-utils" "$(calc "$n / $u1" 0)" \
	    "$(calc "$n / $s1" 0)" "$r" ">=3" "$(ge "$r" 3)"
	r=$(calc "$s2 / $u2")
	row "c) re-ingest, orders/s vs s-u" "$(calc "$n / $u2" 0)" \
	    "$(calc "$n / $s2" 0)" "$r" ">=4" "$(ge "$r" 4)"
	row "d) peak RSS MiB vs loader" "$(calc "$ukib / 1024" 1)" \
	    "$(calc "$lkib / 1024" 1)" "$(calc "$ukib / $lkib")" "<64MiB" \
	    "$(calc "$ukib < 64 * 1024" 0)"
	r=$(calc "$q / $z")
	row "e) query start-to-exit ms vs sqlite3" "$(calc "$q * 1000")" \
	    "$(calc "$z * 1000")" "$r" "<=2" "$(calc "$r <= 2" 0)"
	r=$(calc "$pipe_s / $pipe_u")
	row "f) query|status, rows/s vs SQL" "$(calc "$waiting / $pipe_u" 0)" \
	    "$(calc "$waiting / $pipe_s" 0)" "$r" ">=0.3" "$(ge "$r" 0.3)"
	r=$(calc "$one_u / $one_s")
	row "g) one uoms-status ms vs sqlite3" "$(calc "$one_u * 1000")" \
	    "$(calc "$one_s * 1000")" "$r" "<=2" "$(calc "$r <= 2" 0)"
done

# Issue 11: the same on PostgreSQL, against psql's \copy and plain SQL.
sh "$(dirname "$0")/pg.sh" ${1-}

# Issue 12: uoms-serve against FastAPI + uvicorn and a minimal
# libmicrohttpd program, with wrk.
sh "$(dirname "$0")/serve.sh" ${1-}

# Issue 4: fetching pages from a local fake channel against curl.
echo
echo "fetch (http-jsonl, local fake server)"
sh "$(dirname "$0")/fetch.sh"
# Issue 5: each report against hand-written SQL, when the report tool exists.
if [ -f "$(dirname "$0")/reports.sh" ] && command -v uoms-report >/dev/null; then
	echo
	sh "$(dirname "$0")/reports.sh" ${1-}
fi
