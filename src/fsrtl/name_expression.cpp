// FsRtlIsNameInExpression and FsRtlDoesNameContainWildCards: file-name wildcard matching as
// directory enumeration uses it, with the DOS wildcards the Win32 layer produces from "*.*"-style
// patterns. The match runs as a set of expression positions advanced one name character at a time,
// so it takes time proportional to the product of the two lengths and never backtracks.
#include <ntifs.h>

#include <new>
#include <vector>

namespace {

bool is_wild(WCHAR c) noexcept { return c == L'*' || c == L'?' || c == DOS_STAR || c == DOS_QM || c == DOS_DOT; }

// Adds the positions reachable from the marked ones without consuming a name character. `at_dot_or_end`:
// the next name character is a '.' or the name is used up; `at_end`: the name is used up.
void close_over(const WCHAR* expr, std::size_t n, std::vector<char>& states, bool at_dot_or_end, bool at_end) {
    for (std::size_t i = 0; i < n; ++i) {
        if (!states[i]) continue;
        const WCHAR e = expr[i];
        const bool empty_match = e == L'*' || e == DOS_STAR || (e == DOS_QM && at_dot_or_end) || (e == DOS_DOT && at_end);
        if (empty_match) states[i + 1] = 1;
    }
}

}  // namespace

extern "C" {

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-_fsrtl_advanced_fcb_header-fsrtlisnameinexpression
// '*' matches zero or more characters, '?' exactly one; DOS_STAR zero or more up to (not including)
// the name's final '.'; DOS_QM one character, or nothing at a '.' or the end of the name; DOS_DOT a
// '.', or nothing at the end of the name. With IgnoreCase the name is upcased (UpcaseTable, else
// RtlUpcaseUnicodeChar) and the expression must already be uppercase. One empty string matches
// nothing; two empty strings match.
NTKERNELAPI BOOLEAN NTAPI FsRtlIsNameInExpression(PUNICODE_STRING Expression, PUNICODE_STRING Name,
                                                  BOOLEAN IgnoreCase, PWCH UpcaseTable) {
    const std::size_t n = Expression->Length / sizeof(WCHAR);
    const std::size_t m = Name->Length / sizeof(WCHAR);
    if (n == 0 || m == 0) return (n == 0 && m == 0) ? TRUE : FALSE;
    const WCHAR* expr = Expression->Buffer;
    std::vector<WCHAR> name;
    std::vector<char> states, next;
    bool allocated = true;
    try {
        name.assign(Name->Buffer, Name->Buffer + m);
        states.assign(n + 1, 0);
        next.assign(n + 1, 0);
    } catch (const std::bad_alloc&) {
        allocated = false;
    }
    if (!allocated) {
        // Microsoft Learn: low resources raise STATUS_NO_MEMORY. The raise skips destructors, so
        // the vectors give their memory back first.
        std::vector<WCHAR>().swap(name);
        std::vector<char>().swap(states);
        ExRaiseStatus(STATUS_NO_MEMORY);
    }
    if (IgnoreCase) {
        for (WCHAR& c : name) c = UpcaseTable ? UpcaseTable[static_cast<USHORT>(c)] : RtlUpcaseUnicodeChar(c);
    }
    std::size_t last_dot = m;  // none
    for (std::size_t j = 0; j < m; ++j)
        if (name[j] == L'.') last_dot = j;

    states[0] = 1;
    for (std::size_t j = 0; j < m; ++j) {
        const WCHAR c = name[j];
        close_over(expr, n, states, c == L'.', false);
        std::fill(next.begin(), next.end(), 0);
        bool any = false;
        for (std::size_t i = 0; i < n; ++i) {
            if (!states[i]) continue;
            const WCHAR e = expr[i];
            if (e == L'*') {
                next[i] = 1;
            } else if (e == DOS_STAR) {
                // It may take a '.', but never the name's last one.
                if (c != L'.' || (last_dot != m && j < last_dot)) next[i] = 1;
            } else if (e == L'?') {
                next[i + 1] = 1;
            } else if (e == DOS_QM) {
                if (c != L'.') next[i + 1] = 1;
            } else if (e == DOS_DOT) {
                if (c == L'.') next[i + 1] = 1;
            } else if (e == c) {
                next[i + 1] = 1;
            }
        }
        states.swap(next);
        for (char s : states) any |= s != 0;
        if (!any) return FALSE;
    }
    close_over(expr, n, states, true, true);
    return states[n] ? TRUE : FALSE;
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-_fsrtl_advanced_fcb_header-fsrtldoesnamecontainwildcards
// The wildcards are '*', '?', DOS_STAR, DOS_QM and DOS_DOT.
NTKERNELAPI BOOLEAN NTAPI FsRtlDoesNameContainWildCards(PUNICODE_STRING Name) {
    const std::size_t m = Name->Length / sizeof(WCHAR);
    for (std::size_t j = 0; j < m; ++j)
        if (is_wild(Name->Buffer[j])) return TRUE;
    return FALSE;
}

}  // extern "C"
