#!/usr/bin/env bash
# `ntio reg` end to end on a hive file: add, query, export, delete, import, bad input, and a refused
# hive file left unchanged. Usage: ntio_reg_test.sh <ntio binary> <work dir>
set -euo pipefail
ntio="$1" work="$2"
rm -rf "$work" && mkdir -p "$work"
hive="$work/test.hive"
fail() { echo "FAIL: $*" >&2; exit 1; }

"$ntio" --hive "$hive" reg add 'HKLM\SOFTWARE\Demo' -v Greeting -d hello
"$ntio" --hive "$hive" reg add 'HKLM\SOFTWARE\Demo\Sub' -v Count -t REG_DWORD -d 42
"$ntio" --hive "$hive" reg add 'HKLM\SOFTWARE\Demo' -v List -t REG_MULTI_SZ -d 'a\0b'
"$ntio" --hive "$hive" reg add 'HKLM\SOFTWARE\Demo' -v Blob -t REG_BINARY -d 0aff
out="$(NTIO_HIVE="$hive" "$ntio" reg query 'HKLM\SOFTWARE\Demo' -s)"
grep -q '^HKEY_LOCAL_MACHINE\\SOFTWARE\\Demo$' <<<"$out" || fail "key line: $out"
grep -Eq '^    Greeting    REG_SZ    hello$' <<<"$out" || fail "REG_SZ: $out"
grep -Eq '^    List    REG_MULTI_SZ    a\\0b$' <<<"$out" || fail "REG_MULTI_SZ: $out"
grep -Eq '^    Blob    REG_BINARY    0AFF$' <<<"$out" || fail "REG_BINARY: $out"
grep -Eq '^    Count    REG_DWORD    0x2a$' <<<"$out" || fail "REG_DWORD under Sub: $out"

"$ntio" --hive "$hive" reg export 'HKLM\SOFTWARE\Demo' "$work/demo.reg"
grep -q '^"Count"=dword:0000002a' "$work/demo.reg" || fail "export: $(cat "$work/demo.reg")"
"$ntio" --hive "$hive" reg delete 'HKLM\SOFTWARE\Demo'
if "$ntio" --hive "$hive" reg query 'HKLM\SOFTWARE\Demo' 2>"$work/err"; then fail "deleted key still there"; fi
grep -q 'C0000034' "$work/err" || fail "missing key status: $(cat "$work/err")"
"$ntio" --hive "$hive" reg import "$work/demo.reg"
"$ntio" --hive "$hive" reg query 'HKLM\SOFTWARE\Demo' -v Greeting | grep -q 'hello' || fail "import"

if "$ntio" --hive "$hive" reg add 'HKLM\SOFTWARE\Demo' -v N -t REG_DWORD -d nope 2>/dev/null; then fail "bad DWORD accepted"; fi
if "$ntio" --hive "$hive" reg add 'HKLM\SOFTWARE\Demo' -v N -t REG_FOO -d 1 2>/dev/null; then fail "bad type accepted"; fi
if "$ntio" --hive "$hive" reg query 'HKXX\Nope' 2>/dev/null; then fail "bad root accepted"; fi

echo garbage > "$work/bad.hive"
cp "$work/bad.hive" "$work/bad.copy"
if "$ntio" --hive "$work/bad.hive" -q 2>"$work/err"; then fail "corrupt hive booted"; fi
[ "$(wc -l <"$work/err")" -eq 1 ] || fail "refusal is not one line: $(cat "$work/err")"
cmp -s "$work/bad.hive" "$work/bad.copy" || fail "corrupt hive was changed"
echo "ntio reg: ok"
