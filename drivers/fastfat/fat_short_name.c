/* Short-name generation for long names, following fatgen103's "Basis-Name Generation Algorithm" and
 * "Numeric-Tail Generation Algorithm": upper-case, replace what a short name cannot hold with '_',
 * drop spaces and leading periods, take up to 8 + 3 characters, and add "~N" (the smallest N no
 * short name in the directory uses) unless the long name already was that 8.3 name. */
#include "fat_internal.h"

/* Builds the basis name. *Exact is TRUE when the long name, upper-cased, is exactly that 8.3 name
 * (no lossy conversion, nothing dropped), so no numeric tail is needed. */
static VOID BasisName(PCUNICODE_STRING Name, UCHAR Basis[11], PULONG PrimaryLength, PBOOLEAN Exact) {
    USHORT length = Name->Length / sizeof(WCHAR);
    BOOLEAN lossy = FALSE;
    RtlFillMemory(Basis, 11, ' ');

    /* Steps 1-3: upper-case, map to OEM ('_' for what does not map, a "lossy conversion"), strip
     * every space. NT deviation: only ASCII counts as OEM here (see FatOemToUnicode). */
    WCHAR upper[FAT_MAX_LONG_NAME];
    USHORT n = 0;
    for (USHORT i = 0; i < length && n < FAT_MAX_LONG_NAME; ++i) {
        WCHAR c = RtlUpcaseUnicodeChar(Name->Buffer[i]);
        if (c == ' ') {
            lossy = TRUE; /* dropping a character means the name is not the basis name */
            continue;
        }
        if (c != '.' && !FatIsShortNameChar(c)) {
            c = '_';
            lossy = TRUE;
        }
        upper[n++] = c;
    }
    /* Step 4: strip leading periods. */
    USHORT start = 0;
    while (start < n && upper[start] == '.') {
        ++start;
        lossy = TRUE;
    }
    /* Step 5: the primary portion, up to the first period or 8 characters. */
    ULONG primary = 0;
    USHORT i = start;
    while (i < n && upper[i] != '.' && primary < 8) Basis[primary++] = (UCHAR)upper[i++];
    if (i < n && upper[i] != '.') lossy = TRUE; /* primary part longer than 8 */
    /* Step 6: the extension, up to 3 characters after the last embedded period. */
    USHORT last_dot = n;
    for (USHORT j = start; j < n; ++j) {
        if (upper[j] == '.') last_dot = j;
    }
    if (last_dot != n) {
        if (last_dot != i) lossy = TRUE; /* periods or characters between the primary and the extension */
        ULONG ext = 0;
        for (USHORT j = (USHORT)(last_dot + 1); j < n && ext < 3; ++j) Basis[8 + ext++] = (UCHAR)upper[j];
        if ((ULONG)(n - last_dot - 1) > 3) lossy = TRUE;
    }
    if (primary == 0) {
        /* Nothing usable before the extension (a name of periods and spaces around one character
         * set): '_' keeps the entry a legal short name. */
        Basis[0] = '_';
        primary = 1;
        lossy = TRUE;
    }
    *PrimaryLength = primary;
    *Exact = !lossy;
}

static ULONG DecimalDigits(ULONG v) {
    ULONG d = 1;
    while (v >= 10) {
        v /= 10;
        ++d;
    }
    return d;
}

/* The basis name with "~N": the primary part is cut so that it and the tail fit in 8 characters. */
static VOID WithTail(const UCHAR Basis[11], ULONG PrimaryLength, ULONG N, UCHAR Out[11]) {
    RtlCopyMemory(Out, Basis, 11);
    ULONG digits = DecimalDigits(N);
    ULONG keep = PrimaryLength;
    if (keep > 8 - 1 - digits) keep = 8 - 1 - digits;
    for (ULONG k = keep; k < 8; ++k) Out[k] = ' ';
    Out[keep] = '~';
    for (ULONG d = 0; d < digits; ++d) {
        Out[keep + digits - d] = (UCHAR)('0' + N % 10);
        N /= 10;
    }
}

/* NT deviation: Windows makes short names with RtlGenerate8dot3Name, documented as not deterministic
 * (Microsoft Learn, "RtlGenerate8dot3Name function"); this follows fatgen103's numeric tail exactly.
 * A directory holds at most FAT_MAX_DIRENTS names, so among 1 .. FAT_MAX_DIRENTS + 1 one tail is free. */
#define TAIL_LIMIT (FAT_MAX_DIRENTS + 1)

NTSTATUS FatGenerateShortName(PFAT_VOLUME Volume, ULONG Directory, PCUNICODE_STRING Name, UCHAR Short[11]) {
    UCHAR basis[11];
    ULONG primary;
    BOOLEAN exact;
    BasisName(Name, basis, &primary, &exact);

    UCHAR *used = (UCHAR *)ExAllocatePoolWithTag(PagedPool, TAIL_LIMIT / 8 + 1, FAT_POOL_TAG);
    if (used == NULL) return STATUS_INSUFFICIENT_RESOURCES;
    RtlZeroMemory(used, TAIL_LIMIT / 8 + 1);

    /* One pass over the directory: does the plain basis name collide, and which tails are taken? */
    BOOLEAN basis_taken = FALSE;
    FAT_DIR_CURSOR cursor;
    FatInitDirCursor(&cursor, Directory);
    NTSTATUS status = STATUS_SUCCESS;
    for (ULONG index = 0; index < FAT_MAX_DIRENTS; ++index) {
        UCHAR entry[FAT_DIRENT_SIZE];
        status = FatReadDirent(Volume, &cursor, index, entry);
        if (status == STATUS_END_OF_FILE) {
            status = STATUS_SUCCESS;
            break;
        }
        if (!NT_SUCCESS(status)) break;
        if (entry[DIR_NAME] == DIRENT_END) break;
        if (entry[DIR_NAME] == DIRENT_FREE || (entry[DIR_ATTR] & 0x3F) == FAT_ATTR_LONG_NAME) continue;
        if (entry[DIR_ATTR] & FAT_ATTR_VOLUME_ID) continue;
        UCHAR name[11];
        RtlCopyMemory(name, entry + DIR_NAME, 11);
        if (name[0] == DIRENT_KANJI_E5) name[0] = DIRENT_FREE;
        if (RtlCompareMemory(name, basis, 11) == 11) basis_taken = TRUE;
        if (RtlCompareMemory(name + 8, basis + 8, 3) != 3) continue;
        /* NAME~digits: record the number when the part before '~' is this basis cut to fit. */
        int tilde = -1, end = 8;
        while (end > 0 && name[end - 1] == ' ') --end;
        for (int k = end - 1; k >= 0; --k) {
            if (name[k] == '~') {
                tilde = k;
                break;
            }
        }
        if (tilde < 0 || tilde == end - 1) continue;
        ULONG value = 0;
        BOOLEAN digits = TRUE;
        for (int k = tilde + 1; k < end; ++k) {
            if (name[k] < '0' || name[k] > '9') digits = FALSE;
            else value = value * 10 + (ULONG)(name[k] - '0');
        }
        if (!digits || value == 0 || value >= TAIL_LIMIT || name[tilde + 1] == '0') continue;
        UCHAR candidate[11];
        WithTail(basis, primary, value, candidate);
        if (RtlCompareMemory(candidate, name, 11) == 11) used[value / 8] |= (UCHAR)(1u << (value % 8));
    }
    if (NT_SUCCESS(status)) {
        if (exact && !basis_taken) {
            RtlCopyMemory(Short, basis, 11);
        } else {
            ULONG n = 1;
            while (n < TAIL_LIMIT && (used[n / 8] & (1u << (n % 8)))) ++n;
            WithTail(basis, primary, n, Short);
        }
    }
    ExFreePoolWithTag(used, FAT_POOL_TAG);
    return status;
}

/* TRUE in *InUse when some entry of Directory has the 11-byte short name Short. */
static NTSTATUS ShortNameInUse(PFAT_VOLUME Volume, ULONG Directory, const UCHAR Short[11], PBOOLEAN InUse) {
    FAT_DIR_CURSOR cursor;
    FatInitDirCursor(&cursor, Directory);
    *InUse = FALSE;
    for (ULONG index = 0; index < FAT_MAX_DIRENTS; ++index) {
        UCHAR entry[FAT_DIRENT_SIZE];
        NTSTATUS status = FatReadDirent(Volume, &cursor, index, entry);
        if (status == STATUS_END_OF_FILE) return STATUS_SUCCESS;
        if (!NT_SUCCESS(status)) return status;
        if (entry[DIR_NAME] == DIRENT_END) return STATUS_SUCCESS;
        if (entry[DIR_NAME] == DIRENT_FREE || (entry[DIR_ATTR] & 0x3F) == FAT_ATTR_LONG_NAME) continue;
        if (entry[DIR_ATTR] & FAT_ATTR_VOLUME_ID) continue;
        if (entry[DIR_NAME] == DIRENT_KANJI_E5) entry[DIR_NAME] = DIRENT_FREE;
        if (RtlCompareMemory(entry + DIR_NAME, Short, 11) == 11) {
            *InUse = TRUE;
            return STATUS_SUCCESS;
        }
    }
    return STATUS_SUCCESS;
}

NTSTATUS FatChooseShortName(PFAT_VOLUME Volume, ULONG Directory, PCUNICODE_STRING Name, PCUNICODE_STRING Preferred,
                            UCHAR Short[11]) {
    UCHAR case_bits = 0;
    if (Preferred != NULL && Preferred->Length != 0 && FatNameFitsShort(Preferred, Short, &case_bits) &&
        case_bits == 0) {
        BOOLEAN in_use;
        NTSTATUS status = ShortNameInUse(Volume, Directory, Short, &in_use);
        if (!NT_SUCCESS(status)) return status;
        if (!in_use) return STATUS_SUCCESS;
    }
    return FatGenerateShortName(Volume, Directory, Name, Short);
}
