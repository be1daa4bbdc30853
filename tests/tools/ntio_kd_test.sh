#!/usr/bin/env bash
# `ntio kd`: post-mortem on a dump the shell wrote (.dump, then kd -z), and live attach (kd -p) to an
# `ntio shell` that keeps running in the background on commands from a fifo; `!` lines in the shell
# itself, and lm; `ntio trace` and `ntio bench` answer (forwarded, or a one-line "not built").
# Usage: ntio_kd_test.sh <ntio binary> <work dir> <drivers dir>
set -euo pipefail
ntio="$1" work="$2" drivers="$3"
rm -rf "$work" && mkdir -p "$work"
unset NTIO_HIVE NTIO_KD
fail() { echo "FAIL: $*" >&2; exit 1; }
run() { set +e; out="$("$ntio" "$@" 2>&1)"; rc=$?; set -e; }
expect_rc() { [ "$rc" -eq "$1" ] || fail "exit status $rc, expected $1: $out"; }
expect_line() { grep -Eq "$1" <<<"$out" || fail "expected /$1/ in: $out"; }
devobj_null() {
    expect_line '^Device object \([0-9a-f`]+\) is for:$'
    expect_line '^ Null \\Driver\\null DriverObject '
    expect_line ' Type 00000015 '
}

# The shell's own `!` lines go to the inspector.
run shell -e -c "sc create null binPath= $drivers/null.sys; sc start null; !devobj Null"
expect_rc 0; devobj_null

# A dump written by the shell, opened post-mortem; a bad command fails with status 1, a missing
# dump with 2.
run shell -e -c "sc create null binPath= $drivers/null.sys; sc start null; .dump $work/null.dmp"
expect_rc 0; expect_line "^Dump file: $work/null.dmp$"
[ -s "$work/null.dmp" ] || fail "no dump written: $out"
run kd -z "$work/null.dmp" '!devobj' Null
expect_rc 0; devobj_null
set +e; out="$(printf '!devobj Null\nq\n!devobj NotThere\n' | "$ntio" kd -z "$work/null.dmp" 2>&1)"; rc=$?; set -e
expect_rc 0; devobj_null
run kd -z "$work/null.dmp" lm f
expect_rc 0; expect_line '^[0-9a-f]{16} [0-9a-f]{16}   nt +\\SystemRoot\\system32\\ntoskrnl\.exe$'
expect_line '^[0-9a-f]{16} [0-9a-f]{16}   null +\\\?\?\\C:.*\\null\.sys$'
run shell -e -c "lm m nt"
expect_rc 0; expect_line '   nt +\(deferred\)$'
run kd -z "$work/null.dmp" '!devobj NoSuchDevice'
expect_rc 1
run kd -z "$work/no-such.dmp" '!devobj Null'
expect_rc 2
run kd
expect_rc 2; expect_line '^usage: ntio kd'

# Live attach: the shell runs in the background reading a fifo; kd -p talks to its server.
fifo="$work/shell.fifo"
mkfifo "$fifo"
"$ntio" shell <"$fifo" >"$work/shell.out" 2>&1 &
shell_pid=$!
exec 3>"$fifo"
cleanup() { exec 3>&- 2>/dev/null || true; kill "$shell_pid" 2>/dev/null || true; }
trap cleanup EXIT
echo "sc create null binPath= $drivers/null.sys; sc start null" >&3
attached=0
for _ in $(seq 1 200); do
    set +e; out="$("$ntio" kd -p "$shell_pid" '!devobj Null' 2>&1)"; rc=$?; set -e
    if [ "$rc" -eq 0 ]; then attached=1; break; fi
    kill -0 "$shell_pid" 2>/dev/null || fail "the shell exited: $(cat "$work/shell.out")"
    sleep 0.1
done
[ "$attached" -eq 1 ] || fail "kd -p never answered: $out"
devobj_null
run kd -p "$shell_pid" '!devobj NoSuchDevice'
expect_rc 1
echo "quit" >&3
exec 3>&-
set +e; wait "$shell_pid"; set -e
trap - EXIT
run kd -p "$shell_pid" '!devobj Null'
expect_rc 2

# trace and bench: forwarded, or one line saying they are not built; never a CLI11 error.
run trace --help
grep -Eq 'ntio trace: not built|usage: ntio trace' <<<"$out" || fail "ntio trace --help: $out"
run bench --help
expect_rc 0; expect_line 'bench'
echo "ntio kd: all checks passed"
