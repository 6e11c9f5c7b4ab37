#!/bin/sh
# pg.sh: a throwaway PostgreSQL for the tests, on a Unix socket in a
# folder of its own (no TCP port, nothing of the machine's own clusters
# touched).
#
#   t/pg.sh start DIR   makes DIR/data, starts the server with its socket
#                       in DIR, creates database uoms, and prints the URL
#                       for -d / $UOMS_DB (postgresql://...?host=DIR)
#   t/pg.sh stop DIR    stops it (DIR is left for the caller to remove)
#
# PostgreSQL refuses to run as root: as root the server runs as the
# postgres user (the Debian package makes it), through runuser.
set -eu

die() { echo "pg.sh: $*" >&2; exit 3; }

bindir=
for d in /usr/lib/postgresql/*/bin; do
	[ -x "$d/pg_ctl" ] && bindir=$d
done
[ -n "$bindir" ] || die "no PostgreSQL server here (Debian: apt-get install postgresql)"

cmd=${1:-}
dir=${2:-}
[ -n "$cmd" ] && [ -n "$dir" ] || die "usage: pg.sh start|stop DIR"

as_owner() {
	if [ "$(id -u)" -eq 0 ]; then
		runuser -u postgres -- "$@"
	else
		"$@"
	fi
}

case $cmd in
start)
	mkdir -p "$dir"
	dir=$(cd "$dir" && pwd)
	[ "$(id -u)" -eq 0 ] && chown postgres "$dir"
	as_owner "$bindir/initdb" -D "$dir/data" -A trust -U uoms -E UTF8 \
	    --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 ||
	    die "initdb failed: $(tail -3 "$dir/initdb.log")"
	# Durability is not what these tests measure: fsync off keeps a
	# 2-core machine's suite fast.
	as_owner "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w \
	    -t 60 -o "-k $dir -c listen_addresses= -c fsync=off \
	    -c synchronous_commit=off -c full_page_writes=off \
	    -c max_connections=200" start >/dev/null ||
	    die "the server did not start: $(tail -3 "$dir/server.log")"
	as_owner "$bindir/createdb" -h "$dir" -U uoms uoms ||
	    die "createdb failed"
	echo "postgresql:///uoms?host=$dir&user=uoms"
	;;
stop)
	dir=$(cd "$dir" && pwd)
	as_owner "$bindir/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null ||
	    die "the server did not stop"
	;;
*)
	die "usage: pg.sh start|stop DIR"
	;;
esac
