#!/usr/bin/env bash
# Build newlib from Debian's newlib-source package for one arch into
# build/sysroot/<arch>/ (include/ and lib/). Idempotent: a finished sysroot is
# left alone unless its build flags changed.
#
#   tools/build-newlib.sh <arch> <cross-prefix> <extra CFLAGS...>
#
# newlib is configured with retargetable locking (the kernel backs its malloc
# and stdio locks) and with __DYNAMIC_REENT__ (each CPU, later each thread, has
# its own struct _reent through __getreent()).
set -euo pipefail

arch=$1; prefix=$2; shift 2
extra_cflags="$*"
top=$(cd "$(dirname "$0")/.." && pwd)
tarball=/usr/src/newlib/newlib-3.3.0.tar.xz
sysroot=$top/build/sysroot/$arch
work=$top/build/newlib-$arch
cflags="-O2 -g -ffunction-sections -fdata-sections -fno-pie -fno-stack-protector -D__DYNAMIC_REENT__ $extra_cflags"
stamp=$sysroot/.built

if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$cflags" ]; then
    exit 0
fi
[ -f "$tarball" ] || { echo "build-newlib: $tarball missing: run 'make deps' (package newlib-source)" >&2; exit 1; }
command -v "${prefix}gcc" >/dev/null || { echo "build-newlib: ${prefix}gcc not found: run 'make deps'" >&2; exit 1; }

echo "build-newlib: building newlib 3.3.0 for $arch (a few minutes)"
rm -rf "$work" "$sysroot"
mkdir -p "$work/obj" "$sysroot"
tar -xJf "$tarball" -C "$work"
# The tarball's top folder name varies between package revisions.
src=$(dirname "$(ls -d "$work"/*/newlib/libc | head -n 1)")
src=$(dirname "$src")
cd "$work/obj"
# The target triple picks newlib's machine directory; the compiler is the
# distribution's cross (or host) gcc, used freestanding.
target=$arch-none-elf
"$src/configure" \
    --target="$target" --prefix="$work/install" \
    --disable-multilib --disable-nls \
    --disable-newlib-supplied-syscalls \
    --enable-newlib-retargetable-locking \
    --enable-newlib-io-long-long \
    --disable-libgloss \
    CC_FOR_TARGET="${prefix}gcc" AR_FOR_TARGET="${prefix}ar" \
    AS_FOR_TARGET="${prefix}as" LD_FOR_TARGET="${prefix}ld" \
    RANLIB_FOR_TARGET="${prefix}ranlib" NM_FOR_TARGET="${prefix}nm" \
    OBJDUMP_FOR_TARGET="${prefix}objdump" STRIP_FOR_TARGET="${prefix}strip" \
    CFLAGS_FOR_TARGET="$cflags" >configure.log 2>&1 \
    || { tail -30 configure.log >&2; echo "build-newlib: configure failed ($work/obj/configure.log)" >&2; exit 1; }
make -j"$(nproc)" all-target-newlib MAKEINFO=true >build.log 2>&1 \
    || { tail -30 build.log >&2; echo "build-newlib: build failed ($work/obj/build.log)" >&2; exit 1; }
make install-target-newlib MAKEINFO=true >install.log 2>&1 \
    || { tail -30 install.log >&2; echo "build-newlib: install failed" >&2; exit 1; }

cp -r "$work/install/$target/include" "$sysroot/include"
cp -r "$work/install/$target/lib" "$sysroot/lib"
# The kernel backs newlib's locks; a newlib without the hooks would leave
# malloc and stdio unlocked across CPUs, so refuse it here and in the build.
grep -q '^#define _RETARGETABLE_LOCKING' "$sysroot/include/newlib.h" \
    || { echo "build-newlib: newlib was configured without retargetable locking" >&2; exit 1; }
rm -rf "$work"
echo "$cflags" >"$stamp"
echo "build-newlib: $arch sysroot ready in $sysroot"
