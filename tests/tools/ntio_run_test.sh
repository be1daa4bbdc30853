#!/usr/bin/env bash
# `ntio run` end to end: a Win32 program (run_target) finds the driver's device because its default
# System booted from the prepared hive; exit statuses and signals pass through; the hive named by
# --hive is not changed and the temporary one is removed; --verify writes the verifier's values;
# bad input is one line and a non-zero exit.
# Usage: ntio_run_test.sh <ntio binary> <work dir> <run_target binary> <drivers dir>
set -euo pipefail
ntio="$1" work="$2" target="$3" drivers="$4"
rm -rf "$work" && mkdir -p "$work/tmp"
export TMPDIR="$work/tmp"
unset NTIO_HIVE
fail() { echo "FAIL: $*" >&2; exit 1; }
run() { set +e; out="$("$ntio" "$@" 2>"$work/err")"; rc=$?; set -e; }
expect_rc() { [ "$rc" -eq "$1" ] || fail "exit status $rc, expected $1: $out $(cat "$work/err")"; }
expect_line() { grep -Eq "$1" <<<"$out" || fail "expected /$1/ in: $out $(cat "$work/err")"; }
one_error_line() { [ "$(wc -l <"$work/err")" -eq 1 ] || fail "not one line on stderr: $(cat "$work/err")"; }

run run --driver "$drivers/null.sys" -- "$target" null
expect_rc 0; expect_line '^run_target: \\\\\.\\NUL ok$'
# Without the driver there is no \\.\NUL: the program says so and fails.
run run -- "$target" null
expect_rc 2
run run --driver "$drivers/ramdisk.sys" -- "$target" ramdisk
expect_rc 0; expect_line 'Ramdisk0 ok, 16777216 bytes'
# The driver is a system-start service of the program's System (here the program is ntio itself).
run run --driver "$drivers/ramdisk.sys" --service rd -- "$ntio" sc query rd
expect_rc 0; expect_line '^        STATE              : 4  RUNNING$'
run run --driver "$drivers/null.sys" -- "$ntio" sc qc null
expect_line '^        START_TYPE         : 1   SYSTEM_START$'

# Exit statuses and signals pass through.
run run -- "$target" exit 7
expect_rc 7
run run -- "$target" signal 15
expect_rc 143

# --verify: the verifier's registry values, the standard flags by default.
mm='HKLM\SYSTEM\CurrentControlSet\Control\Session Manager\Memory Management'
run run --driver "$drivers/null.sys" --verify=0x9 -- "$ntio" reg query "$mm"
expect_rc 0; expect_line '^    VerifyDrivers    REG_SZ    null\.sys$'; expect_line '^    VerifyDriverLevel    REG_DWORD    0x9$'
run run --driver "$drivers/null.sys" --verify -- "$ntio" reg query "$mm"
expect_rc 0; expect_line '^    VerifyDriverLevel    REG_DWORD    0x209bb$'
run run --verify=12 -- "$ntio" reg query "$mm"
expect_line '^    VerifyDrivers    REG_SZ    \*$'; expect_line '^    VerifyDriverLevel    REG_DWORD    0xc$'

# --hive: the program sees the hive's contents; the file itself is left as it was.
hive="$work/base.hive"
"$ntio" --hive "$hive" reg add 'HKLM\SOFTWARE\RunTest' -v Marker -d kept
cp "$hive" "$work/base.copy"
run --hive "$hive" run --driver "$drivers/null.sys" -- "$ntio" reg query 'HKLM\SOFTWARE\RunTest'
expect_rc 0; expect_line 'Marker    REG_SZ    kept'
cmp -s "$hive" "$work/base.copy" || fail "--hive file changed"
run --hive "$hive" sc query null
expect_rc $((1060 & 255))
[ -z "$(ls -A "$work/tmp")" ] || fail "temporary hive left behind: $(ls -A "$work/tmp")"

# Bad input: one line and a non-zero exit; nothing is run.
run run --driver "$drivers/null.sys" -- "$work/no-such-program"
expect_rc 127; one_error_line; grep -q 'program not found' "$work/err" || fail "$(cat "$work/err")"
run run --driver "$work/missing.sys" -- "$target" null
expect_rc 1; one_error_line; grep -q 'driver image not found' "$work/err" || fail "$(cat "$work/err")"
run run --verify=lots -- "$target" null
expect_rc 1; one_error_line
echo garbage >"$work/bad.hive"
cp "$work/bad.hive" "$work/bad.copy"
run --hive "$work/bad.hive" run -- "$target" null
[ "$rc" -ne 0 ] || fail "a corrupt hive ran"; one_error_line
cmp -s "$work/bad.hive" "$work/bad.copy" || fail "corrupt hive was changed"
run --hive "$work/none.hive" run -- "$target" null
expect_rc 1; one_error_line
# A driver that cannot load stops the program's boot with one line naming it.
printf 'not an ELF image' >"$work/broken.sys"
run run --driver "$work/broken.sys" -- "$target" null
[ "$rc" -ne 0 ] || fail "ran with a broken driver"; grep -q 'broken' "$work/err" || fail "$(cat "$work/err")"
[ -z "$(ls -A "$work/tmp")" ] || fail "temporary hive left behind: $(ls -A "$work/tmp")"
echo "ntio run: ok"
