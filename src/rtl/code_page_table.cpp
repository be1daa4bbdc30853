// Conversions through a code page held as the bytes of a Windows NLS code page file
// (c_<codepage>.nls), which the caller maps and hands to RtlInitCodePageTable.
// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-rtlinitcodepagetable
// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-rtlcustomcptounicoden
// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-rtlunicodetocustomcpn
// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-rtlupcaseunicodetocustomcpn
// The file, in 16-bit words:
//   header (13 words): its size (13), CodePage, MaximumCharacterSize, DefaultChar, UniDefaultChar,
//     TransDefaultChar, TransUniDefaultChar, then 12 bytes of lead-byte ranges (pairs, 0-ended);
//   word 13: the distance in words from this word to the Unicode-to-multibyte section;
//   256 words: the Unicode character of each byte (a lead byte's entry is unused);
//   1 word: the size of the OEM glyph table that follows (0 or 256);
//   1 word: the number of DBCS lead-byte ranges (0 for a single-byte code page); when not 0, 256
//     words follow, per byte the distance in words from their start to that lead byte's 256-word
//     table of trail bytes (0: not a lead byte), then those tables;
//   Unicode-to-multibyte section: 1 word (a flag), then 65536 entries: bytes for a single-byte code
//     page, words for a double-byte one (a value above 0xFF is lead byte << 8 | trail byte).
#include <ntifs.h>

#include <cstring>

namespace {

constexpr ULONG kHeaderWords = 13;

bool is_lead_byte(const CPTABLEINFO& cp, UCHAR b) {
    return cp.DBCSCodePage && cp.DBCSOffsets != nullptr && cp.DBCSOffsets[b] != 0;
}

// Unicode to the code page, upcasing each unit first when asked.
NTSTATUS to_custom_cp(PCPTABLEINFO cp, PCH out, ULONG out_max, PULONG out_bytes, PWCH in, ULONG in_bytes,
                      bool upcase) {
    if (cp == nullptr || cp->WideCharTable == nullptr || (out == nullptr && out_max != 0) ||
        (in == nullptr && in_bytes != 0)) {
        return STATUS_INVALID_PARAMETER;
    }
    const ULONG count = in_bytes / sizeof(WCHAR);
    ULONG o = 0;
    for (ULONG i = 0; i < count; ++i) {
        const WCHAR c = upcase ? RtlUpcaseUnicodeChar(in[i]) : in[i];
        if (!cp->DBCSCodePage) {
            if (o == out_max) break;
            out[o++] = static_cast<CHAR>(static_cast<const UCHAR*>(cp->WideCharTable)[static_cast<USHORT>(c)]);
            continue;
        }
        const USHORT mb = static_cast<const USHORT*>(cp->WideCharTable)[static_cast<USHORT>(c)];
        if (mb > 0xFF) {
            if (out_max - o < 2) break;  // a double-byte character is never split
            out[o++] = static_cast<CHAR>(mb >> 8);
            out[o++] = static_cast<CHAR>(mb & 0xFF);
        } else {
            if (o == out_max) break;
            out[o++] = static_cast<CHAR>(mb);
        }
    }
    if (out_bytes) *out_bytes = o;
    return STATUS_SUCCESS;
}

}  // namespace

extern "C" {

// Points CodePageTable into the file's bytes at TableBase (nothing is copied). NULL arguments are
// ignored (the routine returns nothing to report them with).
NTSYSAPI VOID NTAPI RtlInitCodePageTable(PUSHORT TableBase, PCPTABLEINFO CodePageTable) {
    if (TableBase == nullptr || CodePageTable == nullptr) return;
    const ULONG header = TableBase[0] != 0 ? TableBase[0] : kHeaderWords;
    CodePageTable->CodePage = TableBase[1];
    CodePageTable->MaximumCharacterSize = TableBase[2];
    CodePageTable->DefaultChar = TableBase[3];
    CodePageTable->UniDefaultChar = TableBase[4];
    CodePageTable->TransDefaultChar = TableBase[5];
    CodePageTable->TransUniDefaultChar = TableBase[6];
    std::memcpy(CodePageTable->LeadByte, &TableBase[7], MAXIMUM_LEADBYTES);
    PUSHORT offset_word = TableBase + header;
    CodePageTable->MultiByteTable = offset_word + 1;
    PUSHORT glyph_size = CodePageTable->MultiByteTable + 256;
    PUSHORT ranges = glyph_size + 1 + *glyph_size;
    CodePageTable->DBCSRanges = ranges;
    CodePageTable->DBCSCodePage = (CodePageTable->MaximumCharacterSize == 2 && *ranges != 0) ? 1 : 0;
    CodePageTable->DBCSOffsets = CodePageTable->DBCSCodePage ? ranges + 1 : nullptr;
    CodePageTable->WideCharTable = offset_word + *offset_word + 1;  // past the section's flag word
}

// Each byte becomes its Unicode character; a lead byte takes the next byte as its trail (a lead byte
// at the very end becomes UniDefaultChar). Output stops when UnicodeString is full.
NTSYSAPI NTSTATUS NTAPI RtlCustomCPToUnicodeN(PCPTABLEINFO CustomCP, PWCH UnicodeString,
                                              ULONG MaxBytesInUnicodeString, PULONG BytesInUnicodeString,
                                              PCH CustomCPString, ULONG BytesInCustomCPString) {
    if (CustomCP == nullptr || CustomCP->MultiByteTable == nullptr ||
        (UnicodeString == nullptr && MaxBytesInUnicodeString >= sizeof(WCHAR)) ||
        (CustomCPString == nullptr && BytesInCustomCPString != 0)) {
        return STATUS_INVALID_PARAMETER;
    }
    const ULONG max_chars = MaxBytesInUnicodeString / sizeof(WCHAR);
    const auto* in = reinterpret_cast<const UCHAR*>(CustomCPString);
    ULONG o = 0;
    for (ULONG i = 0; i < BytesInCustomCPString && o < max_chars; ++i) {
        const UCHAR b = in[i];
        if (!is_lead_byte(*CustomCP, b)) {
            UnicodeString[o++] = static_cast<WCHAR>(CustomCP->MultiByteTable[b]);
            continue;
        }
        if (i + 1 == BytesInCustomCPString) {
            UnicodeString[o++] = static_cast<WCHAR>(CustomCP->UniDefaultChar);
            continue;
        }
        const PUSHORT trail_table = CustomCP->DBCSOffsets + CustomCP->DBCSOffsets[b];
        UnicodeString[o++] = static_cast<WCHAR>(trail_table[in[++i]]);
    }
    if (BytesInUnicodeString) *BytesInUnicodeString = o * sizeof(WCHAR);
    return STATUS_SUCCESS;
}

// Each UTF-16 unit through the table (a character the code page lacks has its default there).
NTSYSAPI NTSTATUS NTAPI RtlUnicodeToCustomCPN(PCPTABLEINFO CustomCP, PCH CustomCPString, ULONG MaxBytesInCustomCPString,
                                              PULONG BytesInCustomCPString, PWCH UnicodeString,
                                              ULONG BytesInUnicodeString) {
    return to_custom_cp(CustomCP, CustomCPString, MaxBytesInCustomCPString, BytesInCustomCPString, UnicodeString,
                        BytesInUnicodeString, false);
}

NTSYSAPI NTSTATUS NTAPI RtlUpcaseUnicodeToCustomCPN(PCPTABLEINFO CustomCP, PCH CustomCPString,
                                                    ULONG MaxBytesInCustomCPString, PULONG BytesInCustomCPString,
                                                    PWCH UnicodeString, ULONG BytesInUnicodeString) {
    return to_custom_cp(CustomCP, CustomCPString, MaxBytesInCustomCPString, BytesInCustomCPString, UnicodeString,
                        BytesInUnicodeString, true);
}

}  // extern "C"
