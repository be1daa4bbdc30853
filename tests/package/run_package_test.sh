#!/usr/bin/env bash
# package_install test: installs a build tree into a fresh prefix, then builds this outside project
# (a driver and an application) against it twice, with find_package(ntio) and with the pkg-config
# one-liners, runs both applications and checks that both drivers export DriverEntry.
# Usage: run_package_test.sh <ntio build dir> <work dir> <C compiler> <C++ compiler> <CMake generator>
#                            [extra C/C++ flags]
set -euo pipefail

build_dir="$1" work="$2" cc="$3" cxx="$4" generator="$5" extra_flags="${6:-}"
src="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
prefix="$work/prefix"

rm -rf "$work"
mkdir -p "$work"
cmake --install "$build_dir" --prefix "$prefix" >"$work/install.log"

libdir="$(dirname "$(find "$prefix" -name 'libntio.so' -print -quit)")"
pcdir="$(dirname "$(find "$prefix" -name 'ntio-ddk.pc' -print -quit)")"
[ -e "$libdir/libntio.so" ] || { echo "libntio.so not installed" >&2; exit 1; }
# The SONAME link the loader looks for must be there too.
soname="$(objdump -p "$libdir/libntio.so" | awk '/SONAME/ { print $2 }')"
[ -e "$libdir/$soname" ] || { echo "SONAME link $soname not installed" >&2; exit 1; }
for header in wdm.h ntddk.h ntifs.h; do
  [ -f "$prefix/include/ntio/ddk/$header" ] || { echo "include/ntio/ddk/$header not installed" >&2; exit 1; }
done

expect_driver_entry() {
  nm -D --defined-only "$1" | grep -Eq '^[0-9a-f]+ T DriverEntry$' \
    || { echo "$1 does not export DriverEntry" >&2; nm -D "$1" >&2; exit 1; }
}

# (a) find_package(ntio) from an outside CMake project.
cmake -S "$src" -B "$work/cmake" -G "$generator" -DCMAKE_PREFIX_PATH="$prefix" -DCMAKE_BUILD_TYPE=Release \
      -DCMAKE_C_COMPILER="$cc" -DCMAKE_CXX_COMPILER="$cxx" \
      -DCMAKE_C_FLAGS="$extra_flags" -DCMAKE_CXX_FLAGS="$extra_flags" >"$work/cmake-configure.log"
cmake --build "$work/cmake" >"$work/cmake-build.log"
[ -f "$work/cmake/demo_driver.sys" ] || { echo "ntio_add_driver did not produce demo_driver.sys" >&2; exit 1; }
expect_driver_entry "$work/cmake/demo_driver.sys"
LD_LIBRARY_PATH="$libdir" "$work/cmake/demo_app"

# (b) the pkg-config one-liners.
export PKG_CONFIG_PATH="$pcdir"
mkdir -p "$work/pc"
# shellcheck disable=SC2046  # word splitting of the pkg-config output is the point
"$cc" $extra_flags -shared -fPIC $(pkg-config --cflags --libs ntio-ddk) "$src/driver.c" -o "$work/pc/demo_driver.sys"
expect_driver_entry "$work/pc/demo_driver.sys"
# shellcheck disable=SC2046
"$cxx" $extra_flags -std=c++20 -c "$src/boot.cpp" $(pkg-config --cflags ntio-sdk) -o "$work/pc/boot.o"
"$cc" $extra_flags -c "$src/app.c" $(pkg-config --cflags ntio-sdk) -o "$work/pc/app.o"
# The boot object uses the C++ System API, so the C++ driver links (it brings libstdc++).
# shellcheck disable=SC2046
"$cxx" $extra_flags "$work/pc/app.o" "$work/pc/boot.o" $(pkg-config --libs ntio-sdk) -o "$work/pc/demo_app"
LD_LIBRARY_PATH="$libdir" "$work/pc/demo_app"
echo "package_install: ok"
