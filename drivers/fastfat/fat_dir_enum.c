/* Reading directories: enumeration from a resume index with long names reassembled from their
 * entries (fatgen103, "FAT Long Directory Entries": ordinals counting down from the one flagged
 * 0x40, each carrying the short entry's checksum), and lookup of one name by its long or short form.
 * A long name whose pieces do not line up is ignored and the entry shows its short name, as the
 * specification says a reader must. */
#include "fat_internal.h"

#define MAX_LFN_ENTRIES 20 /* 20 * 13 characters hold the 255 of the longest name */

typedef struct _LFN_STATE {
    ULONG Start;      /* index of the entry flagged last (the first on disk) */
    ULONG Pieces;     /* how many the flagged entry announced; 0 when none is being collected */
    ULONG Expected;   /* the ordinal the next entry must carry */
    UCHAR Checksum;
    WCHAR Chars[MAX_LFN_ENTRIES * LDIR_CHARS_PER_ENTRY];
} LFN_STATE;

static VOID TakeChars(LFN_STATE *State, ULONG Ordinal, const UCHAR Entry[FAT_DIRENT_SIZE]) {
    WCHAR *out = State->Chars + (Ordinal - 1) * LDIR_CHARS_PER_ENTRY;
    for (int k = 0; k < 5; ++k) out[k] = FatLe16(Entry + LDIR_NAME1 + 2 * k);
    for (int k = 0; k < 6; ++k) out[5 + k] = FatLe16(Entry + LDIR_NAME2 + 2 * k);
    for (int k = 0; k < 2; ++k) out[11 + k] = FatLe16(Entry + LDIR_NAME3 + 2 * k);
}

static VOID CollectLongEntry(LFN_STATE *State, ULONG Index, const UCHAR Entry[FAT_DIRENT_SIZE]) {
    ULONG ordinal = Entry[LDIR_ORD] & 0x3F;
    if (Entry[LDIR_ORD] & LDIR_LAST_LONG_ENTRY) {
        State->Pieces = 0;
        if (ordinal == 0 || ordinal > MAX_LFN_ENTRIES) return;
        State->Start = Index;
        State->Pieces = ordinal;
        State->Expected = ordinal - 1;
        State->Checksum = Entry[LDIR_CHKSUM];
        TakeChars(State, ordinal, Entry);
        return;
    }
    if (State->Pieces == 0 || ordinal != State->Expected || ordinal == 0 || Entry[LDIR_CHKSUM] != State->Checksum) {
        State->Pieces = 0;
        return;
    }
    TakeChars(State, ordinal, Entry);
    --State->Expected;
}

/* Moves a complete long name onto the entry when it belongs to it. */
static VOID AttachLongName(LFN_STATE *State, PFAT_DIRENT Dirent, const UCHAR Entry[FAT_DIRENT_SIZE]) {
    if (State->Pieces == 0 || State->Expected != 0 || FatShortNameChecksum(Entry + DIR_NAME) != State->Checksum) {
        return;
    }
    ULONG capacity = State->Pieces * LDIR_CHARS_PER_ENTRY, length = 0;
    while (length < capacity && State->Chars[length] != 0) ++length;
    if (length == 0 || length > FAT_MAX_LONG_NAME) return;
    RtlCopyMemory(Dirent->LongName, State->Chars, length * sizeof(WCHAR));
    Dirent->LongName[length] = 0;
    Dirent->LongNameLength = (USHORT)length;
    Dirent->LfnIndex = State->Start;
}

/* A directory chain that loops would repeat its entries up to the 65,536-entry limit; walking the
 * chain once when a scan starts turns that into STATUS_FILE_CORRUPT_ERROR. */
static NTSTATUS CheckDirectoryChain(PFAT_VOLUME Volume, ULONG Directory, ULONG ResumeIndex) {
    if (ResumeIndex != 0 || Directory == FAT_FIXED_ROOT) return STATUS_SUCCESS;
    ULONG count;
    return FatChainLength(Volume, Directory, &count, NULL);
}

/* Enumerates with the caller's cursor and long-name state, so a lookup walks the chain only once. */
static NTSTATUS EnumerateNext(PFAT_VOLUME Volume, PFAT_DIR_CURSOR Cursor, LFN_STATE *State, PULONG ResumeIndex,
                              PFAT_DIRENT Dirent) {
    State->Pieces = 0;
    for (ULONG index = *ResumeIndex; index < FAT_MAX_DIRENTS; ++index) {
        UCHAR entry[FAT_DIRENT_SIZE];
        NTSTATUS status = FatReadDirent(Volume, Cursor, index, entry);
        if (status == STATUS_END_OF_FILE) break;
        if (!NT_SUCCESS(status)) return status;
        if (entry[DIR_NAME] == DIRENT_END) break;
        if (entry[DIR_NAME] == DIRENT_FREE) {
            State->Pieces = 0;
            continue;
        }
        if ((entry[DIR_ATTR] & 0x3F) == FAT_ATTR_LONG_NAME) {
            CollectLongEntry(State, index, entry);
            continue;
        }
        if ((entry[DIR_ATTR] & (FAT_ATTR_VOLUME_ID | FAT_ATTR_DIRECTORY)) == FAT_ATTR_VOLUME_ID) {
            State->Pieces = 0; /* the volume label is not a file */
            continue;
        }
        RtlZeroMemory(Dirent, sizeof(*Dirent));
        Dirent->DirectoryCluster = Cursor->Directory;
        Dirent->DirentIndex = index;
        Dirent->LfnIndex = index;
        FatDecodeShortEntry(Volume, entry, Dirent);
        AttachLongName(State, Dirent, entry);
        *ResumeIndex = index + 1;
        return STATUS_SUCCESS;
    }
    return STATUS_NO_MORE_FILES;
}

NTSTATUS FatEnumerateDirectory(PFAT_VOLUME Volume, ULONG Directory, PULONG ResumeIndex, PFAT_DIRENT Dirent) {
    FAT_DIR_CURSOR cursor;
    FatInitDirCursor(&cursor, Directory);
    NTSTATUS status = CheckDirectoryChain(Volume, Directory, *ResumeIndex);
    if (!NT_SUCCESS(status)) return status;
    LFN_STATE *state = (LFN_STATE *)ExAllocatePoolWithTag(PagedPool, sizeof(LFN_STATE), FAT_POOL_TAG);
    if (state == NULL) return STATUS_INSUFFICIENT_RESOURCES;
    status = EnumerateNext(Volume, &cursor, state, ResumeIndex, Dirent);
    ExFreePoolWithTag(state, FAT_POOL_TAG);
    return status;
}

static BOOLEAN IsDotEntry(const FAT_DIRENT *Dirent) {
    return Dirent->RawName[0] == '.' &&
           (Dirent->RawName[1] == ' ' || (Dirent->RawName[1] == '.' && Dirent->RawName[2] == ' '));
}

NTSTATUS FatLookupName(PFAT_VOLUME Volume, ULONG Directory, PCUNICODE_STRING Name, PFAT_DIRENT Dirent) {
    if (Name == NULL || Name->Buffer == NULL || Name->Length == 0 || (Name->Length & 1)) {
        return STATUS_OBJECT_NAME_INVALID;
    }
    USHORT length = Name->Length / sizeof(WCHAR);
    NTSTATUS status = CheckDirectoryChain(Volume, Directory, 0);
    if (!NT_SUCCESS(status)) return status;
    FAT_DIR_CURSOR cursor;
    FatInitDirCursor(&cursor, Directory);
    LFN_STATE *state = (LFN_STATE *)ExAllocatePoolWithTag(PagedPool, sizeof(LFN_STATE), FAT_POOL_TAG);
    if (state == NULL) return STATUS_INSUFFICIENT_RESOURCES;
    ULONG resume = 0;
    for (;;) {
        status = EnumerateNext(Volume, &cursor, state, &resume, Dirent);
        if (status == STATUS_NO_MORE_FILES) status = STATUS_OBJECT_NAME_NOT_FOUND;
        if (!NT_SUCCESS(status)) break;
        if (IsDotEntry(Dirent)) continue;
        if (Dirent->LongNameLength != 0 &&
            FatNamesEqualInsensitive(Dirent->LongName, Dirent->LongNameLength, Name->Buffer, length)) {
            break;
        }
        if (FatNamesEqualInsensitive(Dirent->ShortName, Dirent->ShortNameLength, Name->Buffer, length)) break;
    }
    ExFreePoolWithTag(state, FAT_POOL_TAG);
    return status;
}
