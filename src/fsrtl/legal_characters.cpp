// FsRtlLegalAnsiCharacterArray: for each ANSI byte, the file systems whose names may hold it and
// whether it is a wildcard, the table the WDK's FsRtlIsAnsiCharacter* and FsRtlIsUnicodeCharacterWild
// macros read. The sets follow Microsoft Learn: FAT's are FsRtlIsFatDbcsLegal's, HPFS's
// FsRtlIsHpfsDbcsLegal's, NTFS's the Win32 naming rules (no < > : " / \ | ? * and no 1-31), and
// stream names (FSRTL_OLE_LEGAL) may hold 1-31.
// https://learn.microsoft.com/windows/win32/fileio/naming-a-file
// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-_fsrtl_advanced_fcb_header-fsrtlisfatdbcslegal
// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-_fsrtl_advanced_fcb_header-fsrtlishpfsdbcslegal
#include <ntifs.h>

#include <array>

namespace {

constexpr bool in(UCHAR c, const char* set) {
    for (; *set; ++set)
        if (static_cast<UCHAR>(*set) == c) return true;
    return false;
}

// A byte of 0x80 or above is part of a UTF-8 character, an ordinary name byte (the ANSI code page
// is UTF-8 here; FsRtlIsFatDbcsLegal and FsRtlIsHpfsDbcsLegal judge it the same way).
constexpr UCHAR flags_of(UCHAR c) {
    UCHAR flags = 0;
    if (in(c, "*?<>\"")) flags |= FSRTL_WILD_CHARACTER;  // '*', '?' and the DOS wildcards < > "
    if (c == 0) return flags;
    if (c < 0x20) return FSRTL_OLE_LEGAL;
    if (!in(c, "\"*/:<>?\\|")) flags |= FSRTL_HPFS_LEGAL | FSRTL_NTFS_LEGAL;
    if (!in(c, "\"*+,/:;<=>?[\\]|")) flags |= FSRTL_FAT_LEGAL;
    return flags;
}

constexpr std::array<UCHAR, 256> make_table() {
    std::array<UCHAR, 256> table{};
    for (unsigned c = 0; c < 256; ++c) table[c] = flags_of(static_cast<UCHAR>(c));
    return table;
}

constexpr std::array<UCHAR, 256> kTable = make_table();

}  // namespace

extern "C" {

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-fsrtlisansicharacterlegal
const UCHAR* const FsRtlLegalAnsiCharacterArray = kTable.data();  // exported by its declaration in ntifs.h

// The DBCS lead-byte state FsRtlIsLeadDbcsCharacter reads: ntio's ANSI and OEM code pages are
// UTF-8, not DBCS code pages, so neither is a multibyte code page in NT's sense and no byte is a
// lead byte. (NlsOemLeadByteInfo points at a table of 256 zero entries.)
BOOLEAN NlsMbCodePageTag = FALSE;
BOOLEAN NlsMbOemCodePageTag = FALSE;
static USHORT g_no_lead_bytes[256] = {};
PUSHORT NlsOemLeadByteInfo = g_no_lead_bytes;

}  // extern "C"
