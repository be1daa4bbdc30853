#!/usr/bin/env bash
# Installs the Debian 12 packages ntio needs (only the missing ones) and configures + builds one
# CMake preset. Used by run.sh and test.sh; safe to run again.
set -euo pipefail

NTIO_PACKAGES=(
  cmake ninja-build g++ clang-14 libclang-rt-14-dev lld ccache pkg-config git
  libgtest-dev libgmock-dev libbenchmark-dev liburing-dev libfmt-dev libcli11-dev libsqlite3-dev libasio-dev
  libedit-dev nlohmann-json3-dev libicu-dev nettle-dev
  gcc-mingw-w64-x86-64 mingw-w64-x86-64-dev
  dosfstools mtools
  fio
)

ntio_install_packages() {
  local missing=()
  for p in "${NTIO_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "ntio setup: installing ${missing[*]}"
  local sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || { echo "ntio setup: need root (or sudo) to install: ${missing[*]}" >&2; exit 1; }
    sudo="sudo"
  fi
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# ntio_build <preset> [targets...]: configure (once) and build a preset.
ntio_build() {
  local preset="$1"; shift
  local root; root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
  cd "$root"
  export CCACHE_DIR="${CCACHE_DIR:-$HOME/.cache/ccache}"
  # Cache hits across clones in other directories (CI builds a fresh clone).
  export CCACHE_BASEDIR="$root" CCACHE_NOHASHDIR=true
  # The GCC test builds compile with a precompiled header: ccache caches those only with this
  # sloppiness (the header's .gch is newer than the compile that uses it).
  export CCACHE_SLOPPINESS="pch_defines,time_macros,include_file_mtime,include_file_ctime"
  [ -f "build/$preset/build.ninja" ] || cmake --preset "$preset" >/dev/null
  if [ $# -gt 0 ]; then
    cmake --build --preset "$preset" --target "$@"
  else
    cmake --build --preset "$preset"
  fi
}
