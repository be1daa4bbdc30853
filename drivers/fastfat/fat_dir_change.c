/* Changing existing directory entries: rename and move (the entry is re-created under the new name
 * and the old one deleted, the clusters stay where they are), attributes and times, and storing a
 * file's first cluster and size after its data changed. */
#include "fat_internal.h"

/* The most entries one name takes: 20 long-name entries and the short one. */
#define MAX_NAME_ENTRIES 21

NTSTATUS FatStoreEntryFields(PFAT_VOLUME Volume, const FAT_DIRENT *Dirent) {
    FAT_DIR_CURSOR cursor;
    FatInitDirCursor(&cursor, Dirent->DirectoryCluster);
    UCHAR entry[FAT_DIRENT_SIZE];
    NTSTATUS status = FatReadDirent(Volume, &cursor, Dirent->DirentIndex, entry);
    if (!NT_SUCCESS(status)) return status;
    FatSetEntryFirstCluster(entry, Dirent->FirstCluster);
    FatPut32(entry + DIR_FILE_SIZE, Dirent->FileSize);
    entry[DIR_ATTR] = Dirent->Attributes;
    return FatWriteDirent(Volume, &cursor, Dirent->DirentIndex, entry);
}

NTSTATUS FatSetEntryInformation(PFAT_VOLUME Volume, PFAT_DIRENT Dirent, UCHAR Attributes,
                                const LARGE_INTEGER *CreationTime, const LARGE_INTEGER *LastWriteTime,
                                const LARGE_INTEGER *LastAccessTime) {
    FAT_DIR_CURSOR cursor;
    FatInitDirCursor(&cursor, Dirent->DirectoryCluster);
    UCHAR entry[FAT_DIRENT_SIZE];
    NTSTATUS status = FatReadDirent(Volume, &cursor, Dirent->DirentIndex, entry);
    if (!NT_SUCCESS(status)) return status;
    if (Attributes != 0xFF) {
        if (Attributes & (FAT_ATTR_VOLUME_ID | 0xC0)) return STATUS_INVALID_PARAMETER;
        entry[DIR_ATTR] = (UCHAR)((Attributes & ~FAT_ATTR_DIRECTORY) | (entry[DIR_ATTR] & FAT_ATTR_DIRECTORY));
    }
    USHORT date, time;
    UCHAR tenths;
    /* FILE_BASIC_INFORMATION: 0 leaves a time alone; so does -1 (it only stops automatic updates). */
    if (CreationTime && CreationTime->QuadPart != 0 && CreationTime->QuadPart != -1) {
        FatNtTimeToFatTime(Volume, *CreationTime, &date, &time, &tenths);
        FatPut16(entry + DIR_CRT_DATE, date);
        FatPut16(entry + DIR_CRT_TIME, time);
        entry[DIR_CRT_TIME_TENTH] = tenths;
    }
    if (LastWriteTime && LastWriteTime->QuadPart != 0 && LastWriteTime->QuadPart != -1) {
        FatNtTimeToFatTime(Volume, *LastWriteTime, &date, &time, NULL);
        FatPut16(entry + DIR_WRT_DATE, date);
        FatPut16(entry + DIR_WRT_TIME, time);
    }
    if (LastAccessTime && LastAccessTime->QuadPart != 0 && LastAccessTime->QuadPart != -1) {
        FatNtTimeToFatTime(Volume, *LastAccessTime, &date, &time, NULL);
        FatPut16(entry + DIR_LST_ACC_DATE, date);
    }
    status = FatWriteDirent(Volume, &cursor, Dirent->DirentIndex, entry);
    if (!NT_SUCCESS(status)) return status;
    /* Refresh the caller's copy (names unchanged). */
    FAT_DIRENT refreshed = *Dirent;
    FatDecodeShortEntry(Volume, entry, &refreshed);
    RtlCopyMemory(refreshed.LongName, Dirent->LongName, sizeof(Dirent->LongName));
    refreshed.LongNameLength = Dirent->LongNameLength;
    *Dirent = refreshed;
    return STATUS_SUCCESS;
}

/* TRUE when Directory is Ancestor or lies below it, found by following ".." up to the root. */
static NTSTATUS IsWithin(PFAT_VOLUME Volume, ULONG Directory, ULONG Ancestor, PBOOLEAN Within) {
    *Within = FALSE;
    ULONG root = FatRootDirectory(Volume);
    for (ULONG steps = 0; steps <= Volume->ClusterCount; ++steps) {
        if (Directory == Ancestor) {
            *Within = TRUE;
            return STATUS_SUCCESS;
        }
        if (Directory == root || Directory == FAT_FIXED_ROOT) return STATUS_SUCCESS;
        FAT_DIR_CURSOR cursor;
        FatInitDirCursor(&cursor, Directory);
        UCHAR entry[FAT_DIRENT_SIZE];
        NTSTATUS status = FatReadDirent(Volume, &cursor, 1, entry);
        if (!NT_SUCCESS(status)) return status;
        if (entry[0] != '.' || entry[1] != '.' || !(entry[DIR_ATTR] & FAT_ATTR_DIRECTORY)) {
            return STATUS_FILE_CORRUPT_ERROR;
        }
        ULONG parent = FatEntryFirstCluster(Volume, entry);
        Directory = parent == 0 ? root : parent;
    }
    return STATUS_FILE_CORRUPT_ERROR; /* a ".." cycle */
}

NTSTATUS FatRenameEntry(PFAT_VOLUME Volume, PFAT_DIRENT Dirent, ULONG TargetDirectory, PCUNICODE_STRING NewName) {
    return FatRenameEntryEx(Volume, Dirent, TargetDirectory, NewName, NULL);
}

NTSTATUS FatRenameEntryEx(PFAT_VOLUME Volume, PFAT_DIRENT Dirent, ULONG TargetDirectory, PCUNICODE_STRING NewName,
                          PCUNICODE_STRING NewShortName) {
    if (NewName == NULL || (NewName->Length & 1) || !FatIsValidLongName(NewName)) return STATUS_OBJECT_NAME_INVALID;
    /* "." and ".." belong to their directory and never move. */
    if (Dirent->RawName[0] == '.') return STATUS_INVALID_PARAMETER;
    BOOLEAN is_directory = (Dirent->Attributes & FAT_ATTR_DIRECTORY) != 0;
    BOOLEAN moving = TargetDirectory != Dirent->DirectoryCluster;
    NTSTATUS status;
    if (is_directory && moving) {
        BOOLEAN within;
        status = IsWithin(Volume, TargetDirectory, Dirent->FirstCluster, &within);
        if (!NT_SUCCESS(status)) return status;
        if (within) return STATUS_INVALID_PARAMETER;
    }

    FAT_DIRENT *existing = (FAT_DIRENT *)ExAllocatePoolWithTag(PagedPool, sizeof(FAT_DIRENT), FAT_POOL_TAG);
    UCHAR *saved = (UCHAR *)ExAllocatePoolWithTag(PagedPool, MAX_NAME_ENTRIES * FAT_DIRENT_SIZE, FAT_POOL_TAG);
    if (existing == NULL || saved == NULL) {
        if (existing) ExFreePoolWithTag(existing, FAT_POOL_TAG);
        if (saved) ExFreePoolWithTag(saved, FAT_POOL_TAG);
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    ULONG saved_count = Dirent->DirentIndex - Dirent->LfnIndex + 1;
    FAT_DIR_CURSOR cursor;
    FatInitDirCursor(&cursor, Dirent->DirectoryCluster);

    status = FatLookupName(Volume, TargetDirectory, NewName, existing);
    if (NT_SUCCESS(status)) {
        /* Only the entry itself may hold the name (a change of case). */
        if (existing->DirectoryCluster != Dirent->DirectoryCluster || existing->DirentIndex != Dirent->DirentIndex) {
            status = STATUS_OBJECT_NAME_COLLISION;
            goto out;
        }
    } else if (status != STATUS_OBJECT_NAME_NOT_FOUND) {
        goto out;
    }
    if (saved_count > MAX_NAME_ENTRIES) {
        status = STATUS_FILE_CORRUPT_ERROR;
        goto out;
    }
    for (ULONG k = 0; k < saved_count; ++k) {
        status = FatReadDirent(Volume, &cursor, Dirent->LfnIndex + k, saved + k * FAT_DIRENT_SIZE);
        if (!NT_SUCCESS(status)) goto out;
    }

    /* The old name goes first, so the new short name is generated without it and its slots can be
     * reused; any failure below puts the saved entries back. */
    status = FatMarkEntryDeleted(Volume, Dirent);
    if (!NT_SUCCESS(status)) goto out;

    UCHAR entry[FAT_DIRENT_SIZE];
    RtlCopyMemory(entry, saved + (saved_count - 1) * FAT_DIRENT_SIZE, FAT_DIRENT_SIZE);
    UCHAR case_bits = 0;
    ULONG lfn_count = 0;
    if (!FatNameFitsShort(NewName, entry + DIR_NAME, &case_bits)) {
        status = FatChooseShortName(Volume, TargetDirectory, NewName, NewShortName, entry + DIR_NAME);
        lfn_count = (NewName->Length / sizeof(WCHAR) + LDIR_CHARS_PER_ENTRY - 1) / LDIR_CHARS_PER_ENTRY;
    }
    entry[DIR_NTRES] = (UCHAR)((entry[DIR_NTRES] & ~(FAT_NT_LOWER_BASE | FAT_NT_LOWER_EXTENSION)) | case_bits);
    ULONG first_index = 0;
    if (NT_SUCCESS(status)) status = FatFindFreeDirents(Volume, TargetDirectory, lfn_count + 1, &first_index);
    if (NT_SUCCESS(status)) status = FatWriteNamedEntry(Volume, TargetDirectory, first_index, NewName, lfn_count, entry);
    if (!NT_SUCCESS(status)) {
        FatInitDirCursor(&cursor, Dirent->DirectoryCluster);
        for (ULONG k = 0; k < saved_count; ++k) {
            (void)FatWriteDirent(Volume, &cursor, Dirent->LfnIndex + k, saved + k * FAT_DIRENT_SIZE);
        }
        goto out;
    }

    if (is_directory && moving) {
        /* The moved directory's ".." now names its new parent. */
        FAT_DIR_CURSOR child;
        FatInitDirCursor(&child, Dirent->FirstCluster);
        UCHAR dotdot[FAT_DIRENT_SIZE];
        status = FatReadDirent(Volume, &child, 1, dotdot);
        if (NT_SUCCESS(status) && dotdot[0] == '.' && dotdot[1] == '.') {
            FatSetEntryFirstCluster(dotdot, TargetDirectory == FatRootDirectory(Volume) ? 0 : TargetDirectory);
            status = FatWriteDirent(Volume, &child, 1, dotdot);
        }
        if (!NT_SUCCESS(status)) goto out;
    }

    Dirent->DirectoryCluster = TargetDirectory;
    Dirent->DirentIndex = first_index + lfn_count;
    Dirent->LfnIndex = first_index;
    FatDecodeShortEntry(Volume, entry, Dirent);
    if (lfn_count != 0) {
        RtlCopyMemory(Dirent->LongName, NewName->Buffer, NewName->Length);
        Dirent->LongNameLength = NewName->Length / sizeof(WCHAR);
        Dirent->LongName[Dirent->LongNameLength] = 0;
    }
    status = STATUS_SUCCESS;
out:
    ExFreePoolWithTag(existing, FAT_POOL_TAG);
    ExFreePoolWithTag(saved, FAT_POOL_TAG);
    return status;
}
