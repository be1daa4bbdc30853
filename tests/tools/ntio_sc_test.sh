#!/usr/bin/env bash
# `ntio sc` end to end on a hive file with the in-box null driver: create, qc, query, start, stop,
# config, delete, the sc.exe error lines and Win32 exit statuses (error & 0xFF), and a system-start
# service that the next boot loads. Usage: ntio_sc_test.sh <ntio binary> <work dir> <drivers dir>
set -euo pipefail
ntio="$1" work="$2" drivers="$3"
rm -rf "$work" && mkdir -p "$work"
hive="$work/sc.hive"
image="$drivers/null.sys"
fail() { echo "FAIL: $*" >&2; exit 1; }
# Runs ntio, keeping stdout in $out and the exit status in $rc.
run() { set +e; out="$("$ntio" "$@" 2>"$work/err")"; rc=$?; set -e; }
expect_line() { grep -Eq "$1" <<<"$out" || fail "expected /$1/ in: $out $(cat "$work/err")"; }
expect_rc() { [ "$rc" -eq "$1" ] || fail "exit status $rc, expected $1: $out $(cat "$work/err")"; }

run --hive "$hive" sc create ntnull binPath= "$image" type= kernel start= demand error= normal DisplayName= "Null test"
expect_rc 0; expect_line '^\[SC\] CreateService SUCCESS$'
# ERROR_SERVICE_EXISTS is 1073; the exit status keeps its low 8 bits.
run --hive "$hive" sc create ntnull binPath= "$image"
expect_rc $((1073 & 255)); expect_line '^\[SC\] CreateService FAILED 1073:$'; expect_line '^The specified service already exists\.$'

run --hive "$hive" sc qc ntnull
expect_rc 0
expect_line '^\[SC\] QueryServiceConfig SUCCESS$'
expect_line '^        TYPE               : 1  KERNEL_DRIVER$'
expect_line '^        START_TYPE         : 3   DEMAND_START$'
expect_line '^        ERROR_CONTROL      : 1   NORMAL$'
expect_line "^        BINARY_PATH_NAME   : $image\$"
expect_line '^        DISPLAY_NAME       : Null test$'

run --hive "$hive" sc query ntnull
expect_rc 0; expect_line '^SERVICE_NAME: ntnull$'; expect_line '^        STATE              : 1  STOPPED$'
# Never started: ERROR_SERVICE_NEVER_STARTED as the exit code, as sc.exe shows it.
expect_line '^        WIN32_EXIT_CODE    : 1077  \(0x435\)$'

# One command, one process: the driver starts, and stops when the command exits (said on stderr).
run --hive "$hive" sc start ntnull
expect_rc 0; expect_line '^        STATE              : 4  RUNNING$'; expect_line '^        PID                : 0$'
grep -q 'note: the driver runs until this command exits' "$work/err" || fail "no note about one-shot start"
run --hive "$hive" sc stop ntnull
expect_rc $((1062 & 255)); expect_line '^\[SC\] ControlService FAILED 1062:$'; expect_line '^The service has not been started\.$'

# Start twice in one System (the shell): ERROR_SERVICE_ALREADY_RUNNING 1056, then stop.
run --hive "$hive" shell -c 'sc start ntnull; sc start ntnull; sc stop ntnull; sc query ntnull'
expect_line '^\[SC\] StartService FAILED 1056:$'; expect_line '^An instance of the service is already running\.$'
expect_line '^        STATE              : 1  STOPPED$'
[ "$(grep -c 'STATE              : 4  RUNNING' <<<"$out")" -eq 1 ] || fail "start/stop states: $out"

# A system-start service loads at boot: running in the next command's System, stoppable there.
run --hive "$hive" sc config ntnull start= system
expect_rc 0; expect_line '^\[SC\] ChangeServiceConfig SUCCESS$'
run --hive "$hive" sc query ntnull
expect_rc 0; expect_line '^        STATE              : 4  RUNNING$'; expect_line '\(STOPPABLE, NOT_PAUSABLE, IGNORES_SHUTDOWN\)'
run --hive "$hive" sc stop ntnull
expect_rc 0; expect_line '^        STATE              : 1  STOPPED$'
run --hive "$hive" sc config ntnull start= disabled
run --hive "$hive" sc start ntnull
expect_rc $((1058 & 255)); expect_line '^\[SC\] StartService FAILED 1058:$'
run --hive "$hive" sc config ntnull start= demand

# query without a name lists the driver services.
run --hive "$hive" sc create ntnull2 binPath= "$image" start= disabled
run --hive "$hive" sc query
expect_rc 0; expect_line '^SERVICE_NAME: ntnull$'; expect_line '^SERVICE_NAME: ntnull2$'; expect_line '^DISPLAY_NAME: Null test$'

run --hive "$hive" sc delete ntnull2
expect_rc 0; expect_line '^\[SC\] DeleteService SUCCESS$'
run --hive "$hive" sc delete ntnull2
expect_rc $((1060 & 255)); expect_line '^\[SC\] OpenService FAILED 1060:$'
expect_line '^The specified service does not exist as an installed service\.$'
run --hive "$hive" sc query ntnull2
expect_rc $((1060 & 255))

# Bad command lines: one line on stderr, a non-zero exit, nothing on stdout.
for args in "create x" "create x binPath=" "create x binPath= /a type= bogus" "frobnicate x" "start" "query a b"; do
    # shellcheck disable=SC2086
    run --hive "$hive" sc $args
    [ "$rc" -ne 0 ] || fail "sc $args succeeded"
    [ "$(wc -l <"$work/err")" -eq 1 ] || fail "sc $args: not one line: $(cat "$work/err")"
    [ -z "$out" ] || fail "sc $args printed: $out"
done

# Without a hive file the change is said to end with the command.
run sc create gone binPath= "$image"
expect_rc 0
grep -q 'no hive file' "$work/err" || fail "no note about the missing hive: $(cat "$work/err")"
echo "ntio sc: ok"
