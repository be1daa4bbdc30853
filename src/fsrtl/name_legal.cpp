// FsRtlIsFatDbcsLegal and FsRtlIsHpfsDbcsLegal: whether an ANSI (or DBCS) name or path obeys the FAT
// 8.3 or the HPFS naming rules. The ANSI code page is UTF-8 here, so a byte of 0x80 or above is an
// ordinary name byte; lengths count bytes, as the rules do.
#include <ntifs.h>

namespace {

bool is_wild(UCHAR c) noexcept {
    return c == '*' || c == '?' || c == ANSI_DOS_STAR || c == ANSI_DOS_QM || c == ANSI_DOS_DOT;
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-_fsrtl_advanced_fcb_header-fsrtlisfatdbcslegal
// Illegal: 0x00-0x1F " / : | + , ; = [ ] (and the wildcards unless permitted). The form is N or N.E,
// N of 1 to 8 bytes and E of 1 to 3, neither holding a '.' nor ending in a space.
bool fat_component_legal(const UCHAR* p, USHORT n, bool wild) noexcept {
    USHORT dot = n;
    for (USHORT i = 0; i < n; ++i) {
        const UCHAR c = p[i];
        if (is_wild(c)) {
            if (!wild) return false;
            continue;
        }
        if (c < 0x20) return false;
        switch (c) {
        case '/': case ':': case '|': case '+': case ',': case ';': case '=': case '[': case ']': return false;
        case '.':
            if (dot != n) return false;  // a second '.'
            dot = i;
            break;
        default: break;
        }
    }
    const USHORT base = dot;
    if (base == 0 || base > 8 || p[base - 1] == ' ') return false;
    if (dot == n) return true;
    const USHORT extension = static_cast<USHORT>(n - dot - 1);
    return extension >= 1 && extension <= 3 && p[n - 1] != ' ';
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-_fsrtl_advanced_fcb_header-fsrtlishpfsdbcslegal
// Illegal: 0x00-0x1F " / : < > ? | * (the wildcards among them only unless permitted); at most 255
// bytes; no '.' or space at the end.
bool hpfs_component_legal(const UCHAR* p, USHORT n, bool wild) noexcept {
    if (n == 0 || n > 255) return false;
    for (USHORT i = 0; i < n; ++i) {
        const UCHAR c = p[i];
        if (is_wild(c)) {
            if (!wild) return false;
            continue;
        }
        if (c < 0x20 || c == '/' || c == ':' || c == '|') return false;
    }
    return p[n - 1] != '.' && p[n - 1] != ' ';
}

// The shared path rules: one leading backslash when permitted, backslash-separated components when
// a path is permitted, no empty component.
template <class Component>
BOOLEAN legal(const ANSI_STRING& name, BOOLEAN wild, BOOLEAN path, BOOLEAN leading_backslash, Component component) {
    const auto* p = reinterpret_cast<const UCHAR*>(name.Buffer);
    USHORT n = name.Length;
    if (n == 0) return FALSE;
    if (p[0] == '\\') {
        if (!leading_backslash) return FALSE;
        ++p;
        --n;
        if (n == 0) return TRUE;  // the root itself
    }
    USHORT start = 0;
    for (USHORT i = 0; i <= n; ++i) {
        if (i < n && p[i] != '\\') continue;
        if (i < n && !path) return FALSE;
        if (!component(p + start, static_cast<USHORT>(i - start), wild != FALSE)) return FALSE;
        start = static_cast<USHORT>(i + 1);
    }
    return TRUE;
}

}  // namespace

extern "C" {

NTKERNELAPI BOOLEAN NTAPI FsRtlIsFatDbcsLegal(ANSI_STRING DbcsName, BOOLEAN WildCardsPermissible,
                                              BOOLEAN PathNamePermissible, BOOLEAN LeadingBackslashPermissible) {
    return legal(DbcsName, WildCardsPermissible, PathNamePermissible, LeadingBackslashPermissible, fat_component_legal);
}

NTKERNELAPI BOOLEAN NTAPI FsRtlIsHpfsDbcsLegal(ANSI_STRING DbcsName, BOOLEAN WildCardsPermissible,
                                               BOOLEAN PathNamePermissible, BOOLEAN LeadingBackslashPermissible) {
    return legal(DbcsName, WildCardsPermissible, PathNamePermissible, LeadingBackslashPermissible, hpfs_component_legal);
}

}  // extern "C"
