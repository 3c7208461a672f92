#!/bin/sh
# Prints the Debian mirror this machine's apt sources name for its own
# release (or RELEASE), as reduce's debootstrap finds it: the first
# `deb URL RELEASE` line of sources.list(.d/*.list), else the first
# deb822 stanza of sources.list.d/*.sources whose Suites hold RELEASE.
# Exits 1, printing nothing, when there is none.
# usage: debian-mirror.sh [RELEASE]
set -eu
release=${1:-$(sed -n 's/^VERSION_CODENAME=//p' /etc/os-release)}
mirror=$(
	cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null |
		awk -v r="$release" '$1 == "deb" && $3 == r { print $2; exit }'
	for f in /etc/apt/sources.list.d/*.sources; do
		test -f "$f" && awk -v r="$release" '
			/^URIs:/ { u = $2 }
			/^Suites:/ { for (i = 2; i <= NF; i++) if ($i == r) s = 1 }
			/^$/ { if (u && s) { print u; exit } u = ""; s = 0 }
			END { if (u && s) print u }' "$f"
	done | head -n 1)
[ -n "$mirror" ] || exit 1
echo "$mirror"
