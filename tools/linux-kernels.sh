#!/usr/bin/env bash
# The Linux peer's kernels (make bench-linux): Debian's own linux-image
# packages for amd64 and arm64 (the latter through multi-arch), downloaded
# with apt-get and unpacked with dpkg-deb into build/linux/<arch>/, never
# installed on this machine. Idempotent: an unpacked kernel whose package
# version is still the archive's is left alone. Run by tools/deps.sh.
set -euo pipefail
cd "$(dirname "$0")/.."

sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
export DEBIAN_FRONTEND=noninteractive

if ! dpkg --print-foreign-architectures | grep -qx arm64; then
	echo "linux-kernels: adding the arm64 architecture to apt (for its kernel package only)"
	$sudo dpkg --add-architecture arm64
	$sudo apt-get update -q
fi

# <Debian arch> <the arch's name under build/>
for pair in "amd64 x86_64" "arm64 aarch64"; do
	read -r deb arch <<<"$pair"
	dir=build/linux/$arch
	# The meta-package names the current kernel package (linux-image-<abi>-<arch>).
	pkg=$(apt-cache depends "linux-image-$deb:$deb" 2>/dev/null |
		awk '/Depends: linux-image-[0-9]/ { sub(":.*", "", $2); print $2; exit }')
	if [ -z "$pkg" ]; then
		$sudo apt-get update -q
		pkg=$(apt-cache depends "linux-image-$deb:$deb" |
			awk '/Depends: linux-image-[0-9]/ { sub(":.*", "", $2); print $2; exit }')
	fi
	[ -n "$pkg" ] || { echo "linux-kernels: no linux-image-$deb in the archive" >&2; exit 1; }
	want=$(apt-cache policy "$pkg:$deb" | awk '/Candidate:/ { print $2 }')
	if [ "$(cat "$dir/.version" 2>/dev/null)" = "$pkg $want" ]; then
		continue
	fi
	echo "linux-kernels: fetching $pkg:$deb $want into $dir"
	rm -rf "$dir"
	mkdir -p "$dir/deb"
	(cd "$dir/deb" && apt-get download -q "$pkg:$deb=$want")
	dpkg-deb -x "$dir"/deb/*.deb "$dir/root"
	# One stable name for the image and for the modules' tree.
	ln -sf "root/boot/vmlinuz-${pkg#linux-image-}" "$dir/vmlinuz"
	ln -sfn "root/lib/modules/${pkg#linux-image-}" "$dir/modules"
	echo "$pkg $want" >"$dir/.version"
done
