#!/usr/bin/env bash
# lwIP from the distribution's own source package, unpacked (with the
# distribution's patches applied) into build/lwip/. Run by tools/deps.sh.
# apt-get source needs deb-src entries; when the machine has none, add them
# for the same archive and suites its binary entries use, nothing else.
set -euo pipefail
cd "$(dirname "$0")/.."

want_version="2.1.3"
dest=build/lwip
[ -f "$dest/.unpacked" ] && exit 0

sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"

if ! apt-cache showsrc lwip 2>/dev/null | grep -q '^Version:'; then
	echo "fetch-lwip: adding deb-src entries for the distribution's archive"
	src=/etc/apt/sources.list.d/threadbare-src
	# deb822 stanzas (Debian 12+, Ubuntu 24.04+): the same stanza as deb-src.
	for f in /etc/apt/sources.list.d/*.sources; do
		[ -e "$f" ] && [ "$f" != "$src.sources" ] || continue
		awk 'BEGIN { RS = ""; ORS = "\n\n" }
		     /(^|\n)Types:[^\n]*deb([ \n]|$)/ && /(debian|ubuntu)/ {
			sub(/Types:[^\n]*/, "Types: deb-src"); print }' "$f"
	done | $sudo tee "$src.sources" >/dev/null
	# one-line entries (/etc/apt/sources.list).
	if [ -f /etc/apt/sources.list ]; then
		sed -n 's/^deb \(.*\(debian\|ubuntu\).*\)/deb-src \1/p' /etc/apt/sources.list |
			$sudo tee "$src.list" >/dev/null
	fi
	$sudo apt-get update -q
fi

version=$(apt-cache showsrc lwip | sed -n 's/^Version: //p' | head -n1)
case "$version" in
"$want_version"*) ;;
*) echo "fetch-lwip: the archive offers lwip $version; threadbare's port is for $want_version" >&2; exit 1 ;;
esac

rm -rf build/lwip-src "$dest"
mkdir -p build/lwip-src
(cd build/lwip-src && apt-get source -q lwip >/dev/null 2>&1 || apt-get source lwip)
mv build/lwip-src/lwip-*/ "$dest"
rm -rf build/lwip-src
touch "$dest/.unpacked"
echo "fetch-lwip: lwip $version in $dest"
