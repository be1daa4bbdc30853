// FsRtlIsNameInExpression and FsRtlDoesNameContainWildCards, and their ANSI forms
// FsRtlIsDbcsInExpression and FsRtlDoesDbcsContainWildCards: file-name wildcard matching as
// directory enumeration uses it, with the DOS wildcards the Win32 layer produces from "*.*"-style
// patterns. The match runs as a set of expression positions advanced one name character at a time,
// so it takes time proportional to the product of the two lengths and never backtracks. The ANSI
// code page is UTF-8 here, which has no DBCS lead bytes, so an ANSI name is matched byte by byte.
#include <ntifs.h>

#include <new>
#include <vector>

namespace {

// The wildcards of each character width.
template <class Char>
struct Wild;
template <>
struct Wild<WCHAR> {
    static constexpr WCHAR star = L'*', qm = L'?', dos_star = DOS_STAR, dos_qm = DOS_QM, dos_dot = DOS_DOT, dot = L'.';
};
template <>
struct Wild<UCHAR> {
    static constexpr UCHAR star = '*', qm = '?', dos_star = ANSI_DOS_STAR, dos_qm = ANSI_DOS_QM, dos_dot = ANSI_DOS_DOT,
                           dot = '.';
};

template <class Char>
bool is_wild(Char c) noexcept {
    using W = Wild<Char>;
    return c == W::star || c == W::qm || c == W::dos_star || c == W::dos_qm || c == W::dos_dot;
}

// Adds the positions reachable from the marked ones without consuming a name character. `at_dot_or_end`:
// the next name character is a '.' or the name is used up; `at_end`: the name is used up.
template <class Char>
void close_over(const Char* expr, std::size_t n, std::vector<char>& states, bool at_dot_or_end, bool at_end) {
    using W = Wild<Char>;
    for (std::size_t i = 0; i < n; ++i) {
        if (!states[i]) continue;
        const Char e = expr[i];
        const bool empty_match =
            e == W::star || e == W::dos_star || (e == W::dos_qm && at_dot_or_end) || (e == W::dos_dot && at_end);
        if (empty_match) states[i + 1] = 1;
    }
}

// The match itself, over two non-empty strings, in the two state vectors the caller allocated
// (n + 1 each).
template <class Char>
bool match(const Char* expr, std::size_t n, const Char* name, std::size_t m, std::vector<char>& states,
           std::vector<char>& next) {
    using W = Wild<Char>;
    std::size_t last_dot = m;  // none
    for (std::size_t j = 0; j < m; ++j)
        if (name[j] == W::dot) last_dot = j;

    states[0] = 1;
    for (std::size_t j = 0; j < m; ++j) {
        const Char c = name[j];
        close_over(expr, n, states, c == W::dot, false);
        std::fill(next.begin(), next.end(), 0);
        bool any = false;
        for (std::size_t i = 0; i < n; ++i) {
            if (!states[i]) continue;
            const Char e = expr[i];
            if (e == W::star) {
                next[i] = 1;
            } else if (e == W::dos_star) {
                // It may take a '.', but never the name's last one.
                if (c != W::dot || (last_dot != m && j < last_dot)) next[i] = 1;
            } else if (e == W::qm) {
                next[i + 1] = 1;
            } else if (e == W::dos_qm) {
                if (c != W::dot) next[i + 1] = 1;
            } else if (e == W::dos_dot) {
                if (c == W::dot) next[i + 1] = 1;
            } else if (e == c) {
                next[i + 1] = 1;
            }
        }
        states.swap(next);
        for (char s : states) any |= s != 0;
        if (!any) return false;
    }
    close_over(expr, n, states, true, true);
    return states[n] != 0;
}

// Sizes the two state vectors; out of memory it frees what it got and raises STATUS_NO_MEMORY
// (Microsoft Learn's status for low resources; the raise skips destructors).
void allocate_states(std::size_t n, std::vector<char>& states, std::vector<char>& next) {
    bool allocated = true;
    try {
        states.assign(n + 1, 0);
        next.assign(n + 1, 0);
    } catch (const std::bad_alloc&) {
        allocated = false;
    }
    if (!allocated) {
        std::vector<char>().swap(states);
        std::vector<char>().swap(next);
        ExRaiseStatus(STATUS_NO_MEMORY);
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
        std::vector<char>().swap(next);
        ExRaiseStatus(STATUS_NO_MEMORY);
    }
    if (IgnoreCase) {
        for (WCHAR& c : name) c = UpcaseTable ? UpcaseTable[static_cast<USHORT>(c)] : RtlUpcaseUnicodeChar(c);
    }
    return match<WCHAR>(Expression->Buffer, n, name.data(), m, states, next) ? TRUE : FALSE;
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-_fsrtl_advanced_fcb_header-fsrtlisdbcsinexpression
// The wildcards of FsRtlIsNameInExpression in their ANSI forms (ANSI_DOS_STAR, ANSI_DOS_QM,
// ANSI_DOS_DOT), case-sensitive as Learn says; a caller wanting case-insensitive matching upcases
// both strings first. Empty strings as for FsRtlIsNameInExpression.
NTKERNELAPI BOOLEAN NTAPI FsRtlIsDbcsInExpression(PANSI_STRING Expression, PANSI_STRING Name) {
    const std::size_t n = Expression->Length;
    const std::size_t m = Name->Length;
    if (n == 0 || m == 0) return (n == 0 && m == 0) ? TRUE : FALSE;
    std::vector<char> states, next;
    allocate_states(n, states, next);
    return match<UCHAR>(reinterpret_cast<const UCHAR*>(Expression->Buffer), n,
                        reinterpret_cast<const UCHAR*>(Name->Buffer), m, states, next)
               ? TRUE
               : FALSE;
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-_fsrtl_advanced_fcb_header-fsrtldoesnamecontainwildcards
// The wildcards are '*', '?', DOS_STAR, DOS_QM and DOS_DOT.
NTKERNELAPI BOOLEAN NTAPI FsRtlDoesNameContainWildCards(PUNICODE_STRING Name) {
    const std::size_t m = Name->Length / sizeof(WCHAR);
    for (std::size_t j = 0; j < m; ++j)
        if (is_wild<WCHAR>(Name->Buffer[j])) return TRUE;
    return FALSE;
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-_fsrtl_advanced_fcb_header-fsrtldoesdbcscontainwildcards
// The wildcards are '*', '?', ANSI_DOS_STAR, ANSI_DOS_DOT and ANSI_DOS_QM.
NTKERNELAPI BOOLEAN NTAPI FsRtlDoesDbcsContainWildCards(PANSI_STRING Name) {
    for (USHORT j = 0; j < Name->Length; ++j)
        if (is_wild<UCHAR>(static_cast<UCHAR>(Name->Buffer[j]))) return TRUE;
    return FALSE;
}

}  // extern "C"
