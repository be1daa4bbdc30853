#!/usr/bin/env bash
# `ntio shell` scripts (-c and stdin): sc and load to bring drivers up, open/write/read/ioctl/close on
# \\.\NUL and \\.\Ramdisk0, ls with types and link targets, devstack, reg, unload; bad handles print
# STATUS_INVALID_HANDLE without a crash; exit statuses, -e and unknown commands.
# Usage: ntio_shell_test.sh <ntio binary> <work dir> <drivers dir>
set -euo pipefail
ntio="$1" work="$2" drivers="$3"
rm -rf "$work" && mkdir -p "$work"
unset NTIO_HIVE
fail() { echo "FAIL: $*" >&2; exit 1; }
run() { set +e; out="$("$ntio" "$@" 2>&1)"; rc=$?; set -e; }
expect_rc() { [ "$rc" -eq "$1" ] || fail "exit status $rc, expected $1: $out"; }
expect_line() { grep -Eq "$1" <<<"$out" || fail "expected /$1/ in: $out"; }

run shell -c "sc create null binPath= $drivers/null.sys; sc start null
open \\\\.\\NUL
write \$h 0 hello world
read \$h 16
close \$h
ls \\Device
ls \\??
reg query HKLM\\SYSTEM\\CurrentControlSet\\Services\\null"
expect_rc 0
expect_line '^handle 0x[0-9a-f]+$'
expect_line '^STATUS_SUCCESS \(0x00000000\), 11 bytes written$'
expect_line '^STATUS_END_OF_FILE \(0xC0000011\)$'
expect_line '^  Null +Device$'
expect_line '^  NUL +SymbolicLink -> \\Device\\Null$'
expect_line '^    ImagePath    REG_(EXPAND_)?SZ    .*null\.sys$'

# Stopping a driver whose device has an open handle: the unload waits for the handle (NT fact L7),
# the service reports STOP_PENDING, then STOPPED once the handle is closed.
run shell -e -c "sc create null binPath= $drivers/null.sys; sc start null; open \\\\.\\NUL; sc stop null
close \$h; sc query null"
expect_rc 0
expect_line '^        STATE              : 3  STOP_PENDING$'
[ "$(tail -n 12 <<<"$out" | grep -c 'STATE              : 1  STOPPED')" -eq 1 ] || fail "not stopped after close: $out"

# The RAM disk: sector-sized transfers, its length IOCTL, its stack; then unload.
sector="hex:$(printf '41%.0s' $(seq 1 256))$(printf '42%.0s' $(seq 1 256))"
run shell -e -c "sc create ramdisk binPath= $drivers/ramdisk.sys
load ramdisk
open //./Ramdisk0 rw r
write \$h 512 $sector
read \$h 512 512
ioctl \$h 0x7405c - 8
devstack \\Device\\Ramdisk0
close \$h
unload ramdisk
ls \\Device"
expect_rc 0
expect_line '^STATUS_SUCCESS \(0x00000000\), 512 bytes written$'
expect_line '^STATUS_SUCCESS \(0x00000000\), 512 bytes$'
expect_line '^  00000000  41 41 41 41 41 41 41 41 41 41 41 41 41 41 41 41  \|AAAAAAAAAAAAAAAA\|$'
expect_line '^  00000100  42 42 42 42 '
expect_line '^STATUS_SUCCESS \(0x00000000\), 8 bytes returned$'
expect_line '^  00000000  00 00 00 01 00 00 00 00 '
expect_line '\\Driver\\ramdisk +\\Device\\Ramdisk0 +StackSize 1'
[ "$(grep -c 'Ramdisk0' <<<"$out" | tr -d ' ')" -ge 1 ] || fail "$out"
tail -n +2 <<<"$(sed -n '/^\\Device$/,$p' <<<"$out")" | grep -q 'Ramdisk0' && fail "Ramdisk0 still listed after unload: $out"

# A misaligned write is the driver's status, printed by name.
run shell -c "sc create ramdisk binPath= $drivers/ramdisk.sys; load ramdisk; open \\\\.\\Ramdisk0; write \$h 1 x"
expect_line '^STATUS_INVALID_PARAMETER \(0xC000000D\)$'
expect_rc 1

# Handles that are not handles: the service's status, no crash.
run shell -c 'read 0x7777 4; write 0x7777 0 x; ioctl 0x7777 0x22 ; close 0x7777'
[ "$(grep -c '^STATUS_INVALID_HANDLE (0xC0000008)$' <<<"$out")" -eq 4 ] || fail "bad handles: $out"
expect_rc 1
run shell -c 'open \Device\NoSuchDevice'
expect_line '^STATUS_OBJECT_NAME_NOT_FOUND \(0xC0000034\)$'; expect_rc 1
run shell -c 'read notanumber 4'
expect_line '^usage: read HANDLE LENGTH \[OFFSET\]$'; expect_rc 1

# -e stops at the first failure; without it the last command's status is the exit status.
run shell -e -c 'close 0x7777; ls \'
expect_rc 1; grep -q '^\\$' <<<"$out" && fail "-e ran past the failure: $out"
run shell -c 'close 0x7777; ls \'
expect_rc 0; expect_line '^  Device +Directory$'

# Scripts on stdin, comments, exit with a status; unknown commands say so.
set +e
out="$(printf '# a script\nls \\Driver\nexit 3\nls \\\n' | "$ntio" shell 2>&1)"; rc=$?
set -e
expect_rc 3; expect_line '^\\Driver$'; grep -q '^\\$' <<<"$out" && fail "ran past exit: $out"
run shell -c 'frobnicate'
expect_rc 1; expect_line 'unknown command "frobnicate"'
run shell -c 'help'
expect_rc 0; expect_line '^  open PATH'; expect_line '^  ls \[DIRECTORY\]'
run shell -c 'objects'
expect_rc 0; expect_line '[0-9]+ objects, [0-9]+ handles$'
echo "ntio shell: ok"
