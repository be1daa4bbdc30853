/* Creating and deleting directory entries: a new file or directory gets a short entry (with the NT
 * lower-case bits, or with long-name entries and a generated short name), a new directory also its
 * first cluster with "." and ".."; deleting marks the entries 0xE5 and frees the clusters. */
#include "fat_internal.h"

/* fatgen103: ".." of a directory whose parent is the root holds cluster 0, even on FAT32. */
static ULONG ParentLink(const FAT_VOLUME *Volume, ULONG Directory) {
    return Directory == FatRootDirectory(Volume) ? 0 : Directory;
}

static VOID StampTimes(const FAT_VOLUME *Volume, UCHAR Entry[FAT_DIRENT_SIZE], LARGE_INTEGER Now) {
    USHORT date, time;
    UCHAR tenths;
    FatNtTimeToFatTime(Volume, Now, &date, &time, &tenths);
    Entry[DIR_CRT_TIME_TENTH] = tenths;
    FatPut16(Entry + DIR_CRT_TIME, time);
    FatPut16(Entry + DIR_CRT_DATE, date);
    FatPut16(Entry + DIR_LST_ACC_DATE, date);
    FatPut16(Entry + DIR_WRT_TIME, time);
    FatPut16(Entry + DIR_WRT_DATE, date);
}

static NTSTATUS WriteDotEntries(PFAT_VOLUME Volume, ULONG Cluster, ULONG Parent, LARGE_INTEGER Now) {
    UCHAR dots[2 * FAT_DIRENT_SIZE];
    RtlZeroMemory(dots, sizeof(dots));
    for (int k = 0; k < 2; ++k) {
        UCHAR *entry = dots + k * FAT_DIRENT_SIZE;
        RtlFillMemory(entry + DIR_NAME, 11, ' ');
        entry[0] = '.';
        if (k == 1) entry[1] = '.';
        entry[DIR_ATTR] = FAT_ATTR_DIRECTORY;
        StampTimes(Volume, entry, Now);
        FatSetEntryFirstCluster(entry, k == 0 ? Cluster : ParentLink(Volume, Parent));
    }
    return FatWrite(Volume, FatClusterOffset(Volume, Cluster), sizeof(dots), dots);
}

NTSTATUS FatCreateEntry(PFAT_VOLUME Volume, ULONG Directory, PCUNICODE_STRING Name, UCHAR Attributes,
                        PFAT_DIRENT Dirent) {
    return FatCreateEntryEx(Volume, Directory, Name, NULL, Attributes, Dirent);
}

NTSTATUS FatCreateEntryEx(PFAT_VOLUME Volume, ULONG Directory, PCUNICODE_STRING Name, PCUNICODE_STRING ShortName,
                          UCHAR Attributes, PFAT_DIRENT Dirent) {
    if (Name == NULL || (Name->Length & 1) || !FatIsValidLongName(Name)) return STATUS_OBJECT_NAME_INVALID;
    if (Attributes & (FAT_ATTR_VOLUME_ID | 0xC0)) return STATUS_INVALID_PARAMETER;

    NTSTATUS status = FatLookupName(Volume, Directory, Name, Dirent);
    if (NT_SUCCESS(status)) return STATUS_OBJECT_NAME_COLLISION;
    if (status != STATUS_OBJECT_NAME_NOT_FOUND) return status;

    UCHAR entry[FAT_DIRENT_SIZE];
    RtlZeroMemory(entry, sizeof(entry));
    UCHAR case_bits = 0;
    ULONG lfn_count = 0;
    if (!FatNameFitsShort(Name, entry + DIR_NAME, &case_bits)) {
        status = FatChooseShortName(Volume, Directory, Name, ShortName, entry + DIR_NAME);
        if (!NT_SUCCESS(status)) return status;
        lfn_count = (Name->Length / sizeof(WCHAR) + LDIR_CHARS_PER_ENTRY - 1) / LDIR_CHARS_PER_ENTRY;
    }
    entry[DIR_NTRES] = case_bits;
    entry[DIR_ATTR] = Attributes;
    LARGE_INTEGER now = FatCurrentTime();
    StampTimes(Volume, entry, now);

    ULONG first_index;
    status = FatFindFreeDirents(Volume, Directory, lfn_count + 1, &first_index);
    if (!NT_SUCCESS(status)) return status;

    ULONG cluster = 0;
    if (Attributes & FAT_ATTR_DIRECTORY) {
        status = FatAllocateClusters(Volume, 0, 1, &cluster);
        if (!NT_SUCCESS(status)) return status;
        status = FatZeroCluster(Volume, cluster);
        if (NT_SUCCESS(status)) status = WriteDotEntries(Volume, cluster, Directory, now);
        if (!NT_SUCCESS(status)) {
            (void)FatFreeChain(Volume, cluster);
            return status;
        }
        FatSetEntryFirstCluster(entry, cluster);
    }
    status = FatWriteNamedEntry(Volume, Directory, first_index, Name, lfn_count, entry);
    if (!NT_SUCCESS(status)) {
        if (cluster != 0) (void)FatFreeChain(Volume, cluster);
        return status;
    }

    RtlZeroMemory(Dirent, sizeof(*Dirent));
    Dirent->DirectoryCluster = Directory;
    Dirent->DirentIndex = first_index + lfn_count;
    Dirent->LfnIndex = first_index;
    FatDecodeShortEntry(Volume, entry, Dirent);
    if (lfn_count != 0) {
        RtlCopyMemory(Dirent->LongName, Name->Buffer, Name->Length);
        Dirent->LongNameLength = Name->Length / sizeof(WCHAR);
        Dirent->LongName[Dirent->LongNameLength] = 0;
    }
    return STATUS_SUCCESS;
}

static BOOLEAN IsDot(const FAT_DIRENT *Dirent) {
    return Dirent->RawName[0] == '.' &&
           (Dirent->RawName[1] == ' ' || (Dirent->RawName[1] == '.' && Dirent->RawName[2] == ' '));
}

NTSTATUS FatDeleteEntry(PFAT_VOLUME Volume, PFAT_DIRENT Dirent) {
    if (IsDot(Dirent)) return STATUS_CANNOT_DELETE;
    if (Dirent->Attributes & FAT_ATTR_DIRECTORY) {
        if (Dirent->FirstCluster == 0) return STATUS_FILE_CORRUPT_ERROR;
        ULONG resume = 0;
        FAT_DIRENT *child = (FAT_DIRENT *)ExAllocatePoolWithTag(PagedPool, sizeof(FAT_DIRENT), FAT_POOL_TAG);
        if (child == NULL) return STATUS_INSUFFICIENT_RESOURCES;
        NTSTATUS status;
        for (;;) {
            status = FatEnumerateDirectory(Volume, Dirent->FirstCluster, &resume, child);
            if (status == STATUS_NO_MORE_FILES) {
                status = STATUS_SUCCESS;
                break;
            }
            if (!NT_SUCCESS(status)) break;
            if (!IsDot(child)) {
                status = STATUS_DIRECTORY_NOT_EMPTY;
                break;
            }
        }
        ExFreePoolWithTag(child, FAT_POOL_TAG);
        if (!NT_SUCCESS(status)) return status;
    }
    /* The entry goes first: a failure between the two steps loses clusters (fsck reclaims them)
     * instead of leaving an entry that points at free clusters. */
    NTSTATUS status = FatMarkEntryDeleted(Volume, Dirent);
    if (!NT_SUCCESS(status)) return status;
    status = FatFreeChain(Volume, Dirent->FirstCluster);
    if (NT_SUCCESS(status)) Dirent->FirstCluster = 0;
    return status;
}
