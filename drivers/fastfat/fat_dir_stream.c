/* A directory as an array of 32-byte entries, whether it is the fixed root region of FAT12/16 or a
 * cluster chain: reading and writing entry N, growing a directory by a zeroed cluster, finding room
 * for a run of entries, and writing or deleting a short entry with its long-name entries. */
#include "fat_internal.h"

VOID FatInitDirCursor(PFAT_DIR_CURSOR Cursor, ULONG Directory) {
    Cursor->Directory = Directory;
    Cursor->ClusterIndex = 0;
    Cursor->Cluster = Directory;
}

static NTSTATUS DirentOffset(PFAT_VOLUME Volume, PFAT_DIR_CURSOR Cursor, ULONG Index, PULONGLONG Offset) {
    if (Index >= FAT_MAX_DIRENTS) return STATUS_END_OF_FILE;
    if (Cursor->Directory == FAT_FIXED_ROOT) {
        if (Volume->FatType == FatType32 || Index >= Volume->RootEntryCount) return STATUS_END_OF_FILE;
        *Offset = (ULONGLONG)Volume->FirstRootDirSector * Volume->BytesPerSector + (ULONGLONG)Index * FAT_DIRENT_SIZE;
        return STATUS_SUCCESS;
    }
    if (!FatIsDataCluster(Volume, Cursor->Directory)) return STATUS_FILE_CORRUPT_ERROR;
    ULONG per_cluster = Volume->BytesPerCluster / FAT_DIRENT_SIZE;
    ULONG want = Index / per_cluster;
    if (want < Cursor->ClusterIndex) {
        Cursor->ClusterIndex = 0;
        Cursor->Cluster = Cursor->Directory;
    }
    /* A directory's chain is bounded by FAT_MAX_DIRENTS, so this walk is bounded too. */
    while (Cursor->ClusterIndex < want) {
        ULONG next;
        NTSTATUS status = FatNextCluster(Volume, Cursor->Cluster, &next);
        if (!NT_SUCCESS(status)) return status;
        if (next == FAT_CLUSTER_EOC) return STATUS_END_OF_FILE;
        Cursor->Cluster = next;
        ++Cursor->ClusterIndex;
    }
    *Offset = FatClusterOffset(Volume, Cursor->Cluster) + (ULONGLONG)(Index % per_cluster) * FAT_DIRENT_SIZE;
    return STATUS_SUCCESS;
}

NTSTATUS FatReadDirent(PFAT_VOLUME Volume, PFAT_DIR_CURSOR Cursor, ULONG Index, UCHAR Entry[FAT_DIRENT_SIZE]) {
    ULONGLONG offset;
    NTSTATUS status = DirentOffset(Volume, Cursor, Index, &offset);
    if (!NT_SUCCESS(status)) return status;
    return FatRead(Volume, offset, FAT_DIRENT_SIZE, Entry);
}

NTSTATUS FatWriteDirent(PFAT_VOLUME Volume, PFAT_DIR_CURSOR Cursor, ULONG Index, const UCHAR Entry[FAT_DIRENT_SIZE]) {
    ULONGLONG offset;
    NTSTATUS status = DirentOffset(Volume, Cursor, Index, &offset);
    if (!NT_SUCCESS(status)) return status;
    return FatWrite(Volume, offset, FAT_DIRENT_SIZE, Entry);
}

NTSTATUS FatZeroCluster(PFAT_VOLUME Volume, ULONG Cluster) {
    enum { kChunk = 4096 };
    UCHAR *zeros = (UCHAR *)ExAllocatePoolWithTag(PagedPool, kChunk, FAT_POOL_TAG);
    if (zeros == NULL) return STATUS_INSUFFICIENT_RESOURCES;
    RtlZeroMemory(zeros, kChunk);
    NTSTATUS status = STATUS_SUCCESS;
    ULONGLONG base = FatClusterOffset(Volume, Cluster);
    for (ULONG done = 0; done < Volume->BytesPerCluster && NT_SUCCESS(status); done += kChunk) {
        ULONG n = Volume->BytesPerCluster - done < kChunk ? Volume->BytesPerCluster - done : kChunk;
        status = FatWrite(Volume, base + done, n, zeros);
    }
    ExFreePoolWithTag(zeros, FAT_POOL_TAG);
    return status;
}

NTSTATUS FatExtendDirectory(PFAT_VOLUME Volume, ULONG Directory) {
    /* The FAT12/16 root has a fixed size, and no directory grows past 65,536 entries: FastFat answers
     * both with STATUS_CANNOT_MAKE (a lack of clusters stays STATUS_DISK_FULL). */
    if (Directory == FAT_FIXED_ROOT) return STATUS_CANNOT_MAKE;
    ULONG count, last;
    NTSTATUS status = FatChainLength(Volume, Directory, &count, &last);
    if (!NT_SUCCESS(status)) return status;
    if ((ULONGLONG)(count + 1) * Volume->BytesPerCluster > (ULONGLONG)FAT_MAX_DIRENTS * FAT_DIRENT_SIZE) {
        return STATUS_CANNOT_MAKE;
    }
    ULONG added;
    status = FatAllocateClusters(Volume, last, 1, &added);
    if (!NT_SUCCESS(status)) return status;
    /* fatgen103: a new directory cluster must be zeroed, so its first entry is the end marker. */
    status = FatZeroCluster(Volume, added);
    if (!NT_SUCCESS(status)) (void)FatTruncateChain(Volume, &Directory, count);
    return status;
}

NTSTATUS FatFindFreeDirents(PFAT_VOLUME Volume, ULONG Directory, ULONG Count, PULONG FirstIndex) {
    FAT_DIR_CURSOR cursor;
    FatInitDirCursor(&cursor, Directory);
    ULONG run_start = 0, run = 0;
    BOOLEAN after_end = FALSE;
    for (ULONG index = 0;; ++index) {
        UCHAR entry[FAT_DIRENT_SIZE];
        NTSTATUS status = FatReadDirent(Volume, &cursor, index, entry);
        if (status == STATUS_END_OF_FILE) {
            /* Out of room: grow by one cluster and keep counting into it. */
            status = FatExtendDirectory(Volume, Directory);
            if (!NT_SUCCESS(status)) return status;
            FatInitDirCursor(&cursor, Directory);
            status = FatReadDirent(Volume, &cursor, index, entry);
        }
        if (!NT_SUCCESS(status)) return status;
        /* fatgen103: every entry after an end marker is free, whatever it holds. */
        if (entry[DIR_NAME] == DIRENT_END) after_end = TRUE;
        if (after_end || entry[DIR_NAME] == DIRENT_FREE) {
            if (run == 0) run_start = index;
            if (++run == Count) break;
        } else {
            run = 0;
        }
    }
    /* Entries written past the end marker move it: the entry after the run must end the
     * directory, or stale bytes there would reappear as entries. */
    if (after_end) {
        ULONG next = run_start + Count;
        UCHAR entry[FAT_DIRENT_SIZE];
        NTSTATUS status = FatReadDirent(Volume, &cursor, next, entry);
        if (NT_SUCCESS(status) && entry[DIR_NAME] != DIRENT_END) {
            RtlZeroMemory(entry, sizeof(entry));
            status = FatWriteDirent(Volume, &cursor, next, entry);
        }
        if (!NT_SUCCESS(status) && status != STATUS_END_OF_FILE) return status;
    }
    *FirstIndex = run_start;
    return STATUS_SUCCESS;
}

static VOID PutNameChars(UCHAR *Field, ULONG Count, PCUNICODE_STRING Name, ULONG From) {
    ULONG length = Name->Length / sizeof(WCHAR);
    for (ULONG k = 0; k < Count; ++k) {
        ULONG at = From + k;
        /* fatgen103: the name ends with one 0x0000 if there is room, then 0xFFFF padding. */
        USHORT c = at < length ? (USHORT)Name->Buffer[at] : at == length ? 0x0000 : 0xFFFF;
        FatPut16(Field + 2 * k, c);
    }
}

NTSTATUS FatWriteNamedEntry(PFAT_VOLUME Volume, ULONG Directory, ULONG FirstIndex, PCUNICODE_STRING LongName,
                            ULONG LfnCount, const UCHAR Short[FAT_DIRENT_SIZE]) {
    FAT_DIR_CURSOR cursor;
    FatInitDirCursor(&cursor, Directory);
    UCHAR checksum = FatShortNameChecksum(Short + DIR_NAME);
    /* Long entries are stored last piece first: ordinal LfnCount (with the 0x40 flag) comes first. */
    for (ULONG k = 0; k < LfnCount; ++k) {
        ULONG ordinal = LfnCount - k;
        ULONG from = (ordinal - 1) * LDIR_CHARS_PER_ENTRY;
        UCHAR entry[FAT_DIRENT_SIZE];
        RtlZeroMemory(entry, sizeof(entry));
        entry[LDIR_ORD] = (UCHAR)(ordinal | (k == 0 ? LDIR_LAST_LONG_ENTRY : 0));
        entry[LDIR_ATTR] = FAT_ATTR_LONG_NAME;
        entry[LDIR_TYPE] = 0;
        entry[LDIR_CHKSUM] = checksum;
        PutNameChars(entry + LDIR_NAME1, 5, LongName, from);
        PutNameChars(entry + LDIR_NAME2, 6, LongName, from + 5);
        PutNameChars(entry + LDIR_NAME3, 2, LongName, from + 11);
        FatPut16(entry + LDIR_FST_CLUS_LO, 0);
        NTSTATUS status = FatWriteDirent(Volume, &cursor, FirstIndex + k, entry);
        if (!NT_SUCCESS(status)) return status;
    }
    UCHAR entry[FAT_DIRENT_SIZE];
    RtlCopyMemory(entry, Short, FAT_DIRENT_SIZE);
    /* fatgen103: a name whose first byte is 0xE5 is stored as 0x05. */
    if (entry[DIR_NAME] == DIRENT_FREE) entry[DIR_NAME] = DIRENT_KANJI_E5;
    return FatWriteDirent(Volume, &cursor, FirstIndex + LfnCount, entry);
}

NTSTATUS FatMarkEntryDeleted(PFAT_VOLUME Volume, const FAT_DIRENT *Dirent) {
    FAT_DIR_CURSOR cursor;
    FatInitDirCursor(&cursor, Dirent->DirectoryCluster);
    for (ULONG index = Dirent->LfnIndex; index <= Dirent->DirentIndex; ++index) {
        UCHAR entry[FAT_DIRENT_SIZE];
        NTSTATUS status = FatReadDirent(Volume, &cursor, index, entry);
        if (!NT_SUCCESS(status)) return status;
        entry[DIR_NAME] = DIRENT_FREE;
        status = FatWriteDirent(Volume, &cursor, index, entry);
        if (!NT_SUCCESS(status)) return status;
    }
    return STATUS_SUCCESS;
}

ULONG FatEntryFirstCluster(const FAT_VOLUME *Volume, const UCHAR Entry[FAT_DIRENT_SIZE]) {
    ULONG low = FatLe16(Entry + DIR_FST_CLUS_LO);
    /* DIR_FstClusHI is only meaningful on FAT32 (FAT12/16 may use it for other purposes). */
    ULONG high = Volume->FatType == FatType32 ? FatLe16(Entry + DIR_FST_CLUS_HI) : 0;
    return (high << 16) | low;
}

VOID FatSetEntryFirstCluster(UCHAR Entry[FAT_DIRENT_SIZE], ULONG Cluster) {
    FatPut16(Entry + DIR_FST_CLUS_HI, (USHORT)(Cluster >> 16));
    FatPut16(Entry + DIR_FST_CLUS_LO, (USHORT)Cluster);
}

VOID FatDecodeShortEntry(const FAT_VOLUME *Volume, const UCHAR Entry[FAT_DIRENT_SIZE], PFAT_DIRENT Dirent) {
    RtlCopyMemory(Dirent->RawName, Entry + DIR_NAME, 11);
    if (Dirent->RawName[0] == DIRENT_KANJI_E5) Dirent->RawName[0] = DIRENT_FREE;
    Dirent->Attributes = Entry[DIR_ATTR];
    Dirent->NtCaseBits = Entry[DIR_NTRES] & (FAT_NT_LOWER_BASE | FAT_NT_LOWER_EXTENSION);
    Dirent->FirstCluster = FatEntryFirstCluster(Volume, Entry);
    Dirent->FileSize = FatLe32(Entry + DIR_FILE_SIZE);
    Dirent->CreationTime =
        FatTimeToNtTime(Volume, FatLe16(Entry + DIR_CRT_DATE), FatLe16(Entry + DIR_CRT_TIME), Entry[DIR_CRT_TIME_TENTH]);
    Dirent->LastWriteTime = FatTimeToNtTime(Volume, FatLe16(Entry + DIR_WRT_DATE), FatLe16(Entry + DIR_WRT_TIME), 0);
    Dirent->LastAccessTime = FatTimeToNtTime(Volume, FatLe16(Entry + DIR_LST_ACC_DATE), 0, 0);
    Dirent->ShortNameLength = FatFormatShortName(Dirent->RawName, Dirent->NtCaseBits, Dirent->ShortName);
    Dirent->LongNameLength = 0;
    Dirent->LongName[0] = 0;
}
