/* The volume label and serial number. The label Windows reports is the root directory's volume-ID
 * entry; the copy in the extended BPB (BS_VolLab, and the FAT32 backup boot sector) is kept in step
 * so other systems agree. */
#include "fat_internal.h"

#define BS_VOL_ID_16 39
#define BS_VOL_LAB_16 43
#define BS_VOL_ID_32 67
#define BS_VOL_LAB_32 71
#define BPB_BK_BOOT_SEC 50

static BOOLEAN IsLabelEntry(const UCHAR Entry[FAT_DIRENT_SIZE]) {
    return Entry[DIR_NAME] != DIRENT_FREE && Entry[DIR_NAME] != DIRENT_END &&
           (Entry[DIR_ATTR] & 0x3F) != FAT_ATTR_LONG_NAME &&
           (Entry[DIR_ATTR] & (FAT_ATTR_VOLUME_ID | FAT_ATTR_DIRECTORY)) == FAT_ATTR_VOLUME_ID;
}

/* Finds the label entry of the root; STATUS_NOT_FOUND when there is none. */
static NTSTATUS FindLabel(PFAT_VOLUME Volume, PFAT_DIR_CURSOR Cursor, PULONG Index, UCHAR Entry[FAT_DIRENT_SIZE]) {
    FatInitDirCursor(Cursor, FatRootDirectory(Volume));
    for (ULONG i = 0; i < FAT_MAX_DIRENTS; ++i) {
        NTSTATUS status = FatReadDirent(Volume, Cursor, i, Entry);
        if (status == STATUS_END_OF_FILE) break;
        if (!NT_SUCCESS(status)) return status;
        if (Entry[DIR_NAME] == DIRENT_END) break;
        if (IsLabelEntry(Entry)) {
            *Index = i;
            return STATUS_SUCCESS;
        }
    }
    return STATUS_NOT_FOUND;
}

NTSTATUS FatQueryVolumeLabel(PFAT_VOLUME Volume, PWCHAR Label, PUSHORT LabelLength) {
    FAT_DIR_CURSOR cursor;
    ULONG index;
    UCHAR entry[FAT_DIRENT_SIZE];
    *LabelLength = 0;
    NTSTATUS status = FindLabel(Volume, &cursor, &index, entry);
    if (status == STATUS_NOT_FOUND) return STATUS_SUCCESS;
    if (!NT_SUCCESS(status)) return status;
    USHORT length = 11;
    while (length > 0 && entry[length - 1] == ' ') --length;
    for (USHORT i = 0; i < length; ++i) {
        UCHAR c = entry[i];
        if (i == 0 && c == DIRENT_KANJI_E5) c = DIRENT_FREE;
        Label[i] = FatOemToUnicode(c);
    }
    *LabelLength = length;
    return STATUS_SUCCESS;
}

/* Writes Length bytes at Offset of the boot sector and, on FAT32, of its backup copy. */
static NTSTATUS WriteBootField(PFAT_VOLUME Volume, ULONG Offset, ULONG Length, const UCHAR *Bytes) {
    NTSTATUS status = FatWrite(Volume, Offset, Length, Bytes);
    if (!NT_SUCCESS(status) || Volume->FatType != FatType32) return status;
    UCHAR backup[2];
    status = FatRead(Volume, BPB_BK_BOOT_SEC, sizeof(backup), backup);
    if (!NT_SUCCESS(status)) return status;
    ULONG sector = FatLe16(backup);
    if (sector == 0 || sector >= Volume->ReservedSectors) return STATUS_SUCCESS;
    return FatWrite(Volume, (ULONGLONG)sector * Volume->BytesPerSector + Offset, Length, Bytes);
}

NTSTATUS FatSetVolumeLabel(PFAT_VOLUME Volume, PCUNICODE_STRING Label) {
    USHORT length = Label ? Label->Length / sizeof(WCHAR) : 0;
    if (length > 11 || (Label && (Label->Length & 1))) return STATUS_INVALID_VOLUME_LABEL;
    UCHAR name[11];
    RtlFillMemory(name, sizeof(name), ' ');
    for (USHORT i = 0; i < length; ++i) {
        /* Labels are stored upper case with short-name characters (spaces allowed inside). */
        WCHAR c = RtlUpcaseUnicodeChar(Label->Buffer[i]);
        BOOLEAN ok = c == ' ' || (c > 0x20 && c < 0x7F);
        switch (c) {
        case '"': case '*': case '+': case ',': case '.': case '/': case ':': case ';':
        case '<': case '=': case '>': case '?': case '[': case '\\': case ']': case '|':
            ok = FALSE;
            break;
        default:
            break;
        }
        if (!ok) return STATUS_INVALID_VOLUME_LABEL;
        name[i] = (UCHAR)c;
    }
    while (length > 0 && name[length - 1] == ' ') --length;

    FAT_DIR_CURSOR cursor;
    ULONG index;
    UCHAR entry[FAT_DIRENT_SIZE];
    NTSTATUS status = FindLabel(Volume, &cursor, &index, entry);
    if (!NT_SUCCESS(status) && status != STATUS_NOT_FOUND) return status;
    BOOLEAN found = NT_SUCCESS(status);

    if (length == 0) {
        if (found) {
            entry[DIR_NAME] = DIRENT_FREE;
            status = FatWriteDirent(Volume, &cursor, index, entry);
            if (!NT_SUCCESS(status)) return status;
        }
    } else {
        if (!found) {
            status = FatFindFreeDirents(Volume, FatRootDirectory(Volume), 1, &index);
            if (!NT_SUCCESS(status)) return status;
            FatInitDirCursor(&cursor, FatRootDirectory(Volume));
            RtlZeroMemory(entry, sizeof(entry));
            entry[DIR_ATTR] = FAT_ATTR_VOLUME_ID;
        }
        RtlCopyMemory(entry + DIR_NAME, name, 11);
        if (entry[DIR_NAME] == DIRENT_FREE) entry[DIR_NAME] = DIRENT_KANJI_E5;
        USHORT date, time;
        FatNtTimeToFatTime(Volume, FatCurrentTime(), &date, &time, NULL);
        FatPut16(entry + DIR_WRT_DATE, date);
        FatPut16(entry + DIR_WRT_TIME, time);
        status = FatWriteDirent(Volume, &cursor, index, entry);
        if (!NT_SUCCESS(status)) return status;
    }
    if (!Volume->HasExtendedBpb) return STATUS_SUCCESS;
    /* fatgen103: BS_VolLab holds "NO NAME    " when there is no label. */
    static const UCHAR kNoName[11] = {'N', 'O', ' ', 'N', 'A', 'M', 'E', ' ', ' ', ' ', ' '};
    return WriteBootField(Volume, Volume->FatType == FatType32 ? BS_VOL_LAB_32 : BS_VOL_LAB_16, 11,
                          length == 0 ? kNoName : name);
}

NTSTATUS FatSetVolumeSerialNumber(PFAT_VOLUME Volume, ULONG SerialNumber) {
    if (!Volume->HasExtendedBpb) return STATUS_NOT_SUPPORTED;
    UCHAR bytes[4];
    FatPut32(bytes, SerialNumber);
    NTSTATUS status = WriteBootField(Volume, Volume->FatType == FatType32 ? BS_VOL_ID_32 : BS_VOL_ID_16, 4, bytes);
    if (NT_SUCCESS(status)) Volume->SerialNumber = SerialNumber;
    return status;
}
