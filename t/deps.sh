#!/bin/sh
# deps.sh PACKAGE...: install the named Debian packages that are missing;
# nothing, and no apt at all (no network, no lock), when all are there.
#
# A package counts as there when dpkg has it installed, whatever was
# asked of it (a held package is installed), or when an installed
# package provides its name (pkgconf provides pkg-config): asking apt for
# it then would at best do nothing and at worst replace the provider.
# One dpkg-query over the whole database, not one per package.
if ! command -v dpkg-query >/dev/null 2>&1; then
	echo "make deps: no dpkg-query, not Debian: make sure these are installed: $*" >&2
	exit 0
fi
have=$(dpkg-query -W -f='${db:Status-Status} ${Package}, ${Provides}\n' 2>/dev/null |
	awk '$1 == "installed" {
		sub(/^[^ ]+ /, "")
		n = split($0, name, /, */)
		for (i = 1; i <= n; i++) {
			sub(/ .*/, "", name[i])
			sub(/:.*/, "", name[i])
			if (name[i] != "")
				print name[i]
		}
	}')
missing=
for p in "$@"; do
	printf '%s\n' "$have" | grep -qxF "$p" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" != 0 ]; then
	echo "make deps: missing Debian packages:$missing" >&2
	echo "make deps: run as root, or: sudo apt-get install$missing" >&2
	exit 3
fi
echo "make deps: installing$missing" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq && apt-get install -y -qq --no-install-recommends $missing >&2
