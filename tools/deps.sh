#!/usr/bin/env bash
# Install everything threadbare needs on a Debian or Ubuntu machine, from the
# distribution's archive only, then build newlib for every arch into
# build/sysroot/<arch>/. Idempotent: installed packages and built sysroots are
# left alone. `make` runs this by itself the first time (and whenever this
# file changes); `make deps` runs it on demand.
set -euo pipefail
cd "$(dirname "$0")/.."

# One at a time: several makes started on a fresh machine all get here.
mkdir -p build
exec 9>build/.deps.lock
flock 9

packages=(
	make gcc libc6-dev python3 xz-utils
	qemu-system-x86 qemu-system-arm	# the two QEMU boards
	gcc-aarch64-linux-gnu binutils-aarch64-linux-gnu
	gdb-multiarch			# make debug
	python3-matplotlib		# make trace: the timeline picture
	libcmocka-dev device-tree-compiler	# host tests and their fixtures
	bear				# make compile_commands.json (for clangd)
	newlib-source			# the C library, built below
	dpkg-dev			# apt-get source unpacks lwIP with it
	libc6-dev-arm64-cross cpio	# the Linux peer (make bench-linux): static init, initramfs
	python3-matplotlib		# make bench-compare: the plots
)

missing=()
for p in "${packages[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	echo "deps: installing ${missing[*]}"
	sudo=""
	[ "$(id -u)" -eq 0 ] || sudo="sudo"
	export DEBIAN_FRONTEND=noninteractive
	$sudo apt-get update -q
	$sudo apt-get install -o DPkg::Lock::Timeout=600 -y -q --no-install-recommends "${missing[@]}"
fi

# lwIP, from the distribution's source package (once).
tools/fetch-lwip.sh

# newlib, once per arch, with the flags the arch's rules.mk asks for.
for board in boards/*/; do
	board=$(basename "$board")
	read -r arch cross flags < <(THREADBARE_IN_DEPS=1 make -s --no-print-directory BOARD="$board" print-newlib)
	tools/build-newlib.sh "$arch" "$cross" $flags
done

# The Linux peer boots the distribution's own kernels: fetched with apt into
# build/linux/<arch>/ and unpacked there, never installed on this machine.
tools/linux-kernels.sh

mkdir -p build
sha1sum tools/deps.sh | cut -d' ' -f1 >build/.deps-ok
echo "deps: ready"
