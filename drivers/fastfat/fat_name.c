/* Name rules: which long names are legal, which names fit one 8.3 entry with the NT lower-case bits,
 * the display form of a short name, the long-name checksum and case-insensitive comparison. The
 * character rules are fatgen103's ("FAT Directory Structure" for DIR_Name, "FAT Long Directory
 * Entries" for the six characters only long names may hold). */
#include "fat_internal.h"

/* fatgen103: illegal in DIR_Name besides values below 0x20 and lower-case letters. */
BOOLEAN FatIsShortNameChar(WCHAR c) {
    if (c <= 0x20 || c >= 0x7F) return FALSE;
    switch (c) {
    case '"': case '*': case '+': case ',': case '.': case '/': case ':': case ';':
    case '<': case '=': case '>': case '?': case '[': case '\\': case ']': case '|':
        return FALSE;
    default:
        return TRUE;
    }
}

BOOLEAN FatIsValidLongName(PCUNICODE_STRING Name) {
    USHORT length = Name->Length / sizeof(WCHAR);
    if (Name->Buffer == NULL || length == 0 || length > FAT_MAX_LONG_NAME) return FALSE;
    if ((length == 1 && Name->Buffer[0] == '.') || (length == 2 && Name->Buffer[0] == '.' && Name->Buffer[1] == '.')) {
        return FALSE;
    }
    for (USHORT i = 0; i < length; ++i) {
        WCHAR c = Name->Buffer[i];
        if (c < 0x20) return FALSE;
        switch (c) {
        case '"': case '*': case '/': case ':': case '<': case '>': case '?': case '\\': case '|':
            return FALSE;
        default:
            break;
        }
    }
    /* NT deviation: the Win32 layer strips trailing dots and spaces before a name reaches a file system; a FAT
     * name that still ends in one could not be opened again from Win32, so it is refused here. */
    WCHAR last = Name->Buffer[length - 1];
    return last != '.' && last != ' ';
}

static BOOLEAN IsLower(WCHAR c) { return c >= 'a' && c <= 'z'; }
static BOOLEAN IsUpper(WCHAR c) { return c >= 'A' && c <= 'Z'; }

BOOLEAN FatNameFitsShort(PCUNICODE_STRING Name, UCHAR Short[11], PUCHAR CaseBits) {
    USHORT length = Name->Length / sizeof(WCHAR);
    if (Name->Buffer == NULL || length == 0 || length > 12) return FALSE;
    USHORT dot = length;
    for (USHORT i = 0; i < length; ++i) {
        if (Name->Buffer[i] == '.') {
            if (dot != length) return FALSE; /* two periods */
            dot = i;
        }
    }
    USHORT base_len = dot, ext_len = dot == length ? 0 : (USHORT)(length - dot - 1);
    if (base_len == 0 || base_len > 8 || ext_len > 3 || (dot != length && ext_len == 0)) return FALSE;

    /* Each part must be all upper or all lower case: that is what the two NT bits can say. */
    BOOLEAN lower[2] = {FALSE, FALSE}, upper[2] = {FALSE, FALSE};
    RtlFillMemory(Short, 11, ' ');
    for (USHORT i = 0; i < length; ++i) {
        if (i == dot) continue;
        WCHAR c = Name->Buffer[i];
        int part = i > dot ? 1 : 0;
        if (IsLower(c)) {
            lower[part] = TRUE;
            c = (WCHAR)(c - 'a' + 'A');
        } else if (IsUpper(c)) {
            upper[part] = TRUE;
        }
        if (!FatIsShortNameChar(c)) return FALSE;
        if (part == 0) Short[i] = (UCHAR)c;
        else Short[8 + (i - dot - 1)] = (UCHAR)c;
    }
    if ((lower[0] && upper[0]) || (lower[1] && upper[1])) return FALSE;
    *CaseBits = (UCHAR)((lower[0] ? FAT_NT_LOWER_BASE : 0) | (lower[1] ? FAT_NT_LOWER_EXTENSION : 0));
    return TRUE;
}

USHORT FatFormatShortName(const UCHAR Name[11], UCHAR CaseBits, WCHAR Out[13]) {
    USHORT n = 0;
    int base_end = 8, ext_end = 11;
    while (base_end > 0 && Name[base_end - 1] == ' ') --base_end;
    while (ext_end > 8 && Name[ext_end - 1] == ' ') --ext_end;
    for (int i = 0; i < base_end; ++i) {
        UCHAR c = Name[i];
        if ((CaseBits & FAT_NT_LOWER_BASE) && c >= 'A' && c <= 'Z') c = (UCHAR)(c - 'A' + 'a');
        Out[n++] = FatOemToUnicode(c);
    }
    if (ext_end > 8) {
        Out[n++] = '.';
        for (int i = 8; i < ext_end; ++i) {
            UCHAR c = Name[i];
            if ((CaseBits & FAT_NT_LOWER_EXTENSION) && c >= 'A' && c <= 'Z') c = (UCHAR)(c - 'A' + 'a');
            Out[n++] = FatOemToUnicode(c);
        }
    }
    Out[n] = 0;
    return n;
}

/* fatgen103, "FAT Long Directory Entries": rotate right by one, then add the next byte. */
UCHAR FatShortNameChecksum(const UCHAR Name[11]) {
    UCHAR sum = 0;
    for (int i = 0; i < 11; ++i) sum = (UCHAR)(((sum & 1) ? 0x80 : 0) + (sum >> 1) + Name[i]);
    return sum;
}

BOOLEAN FatNamesEqualInsensitive(const WCHAR *A, USHORT ALength, const WCHAR *B, USHORT BLength) {
    if (ALength != BLength) return FALSE;
    for (USHORT i = 0; i < ALength; ++i) {
        if (A[i] != B[i] && RtlUpcaseUnicodeChar(A[i]) != RtlUpcaseUnicodeChar(B[i])) return FALSE;
    }
    return TRUE;
}
