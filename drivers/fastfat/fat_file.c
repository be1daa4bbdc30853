/* File data through the cluster chain: reads and writes at a byte offset (runs of consecutive
 * clusters become one volume transfer), and setting the size, which allocates and zero-fills when it
 * grows and frees clusters when it shrinks. FAT has no valid-data length on disk, so every byte
 * between the old end and a new one is written as zero. */
#include "fat_internal.h"

#define FAT_MAX_FILE_SIZE 0xFFFFFFFFull

typedef NTSTATUS (*TRANSFER)(PFAT_VOLUME Volume, ULONGLONG VolumeOffset, ULONG Length, PUCHAR Buffer, PVOID Context);

/* Calls Transfer for each run of consecutive clusters covering [Offset, Offset + Length) of the
 * chain; Buffer advances with it (NULL stays NULL). */
static NTSTATUS WalkRange(PFAT_VOLUME Volume, ULONG First, ULONGLONG Offset, ULONG Length, PUCHAR Buffer,
                          TRANSFER Transfer, PVOID Context) {
    if (Length == 0) return STATUS_SUCCESS;
    ULONG bpc = Volume->BytesPerCluster;
    ULONG cluster;
    NTSTATUS status = FatChainSeek(Volume, First, (ULONG)(Offset / bpc), &cluster);
    if (status == STATUS_END_OF_FILE) return STATUS_FILE_CORRUPT_ERROR; /* size says more than the chain */
    if (!NT_SUCCESS(status)) return status;
    ULONG within = (ULONG)(Offset % bpc);
    while (Length > 0) {
        /* Extend the run while the next cluster follows on disk and more bytes are wanted. */
        ULONG run_start = cluster;
        ULONGLONG run_bytes = bpc - within;
        ULONG next = FAT_CLUSTER_EOC;
        while (run_bytes < Length) {
            status = FatNextCluster(Volume, cluster, &next);
            if (!NT_SUCCESS(status)) return status;
            if (next == FAT_CLUSTER_EOC) return STATUS_FILE_CORRUPT_ERROR;
            if (next != cluster + 1) break;
            cluster = next;
            next = FAT_CLUSTER_EOC;
            run_bytes += bpc;
        }
        ULONG n = run_bytes < Length ? (ULONG)run_bytes : Length;
        status = Transfer(Volume, FatClusterOffset(Volume, run_start) + within, n, Buffer, Context);
        if (!NT_SUCCESS(status)) return status;
        Length -= n;
        if (Buffer) Buffer += n;
        within = 0;
        if (Length > 0) {
            /* The run stopped at a discontiguous link already read into next. */
            if (next == FAT_CLUSTER_EOC) return STATUS_FILE_CORRUPT_ERROR;
            cluster = next;
        }
    }
    return STATUS_SUCCESS;
}

static NTSTATUS ReadRun(PFAT_VOLUME Volume, ULONGLONG At, ULONG Length, PUCHAR Buffer, PVOID Context) {
    return FatRead(Volume, At, Length, Buffer);
}

static NTSTATUS WriteRun(PFAT_VOLUME Volume, ULONGLONG At, ULONG Length, PUCHAR Buffer, PVOID Context) {
    return FatWrite(Volume, At, Length, Buffer);
}

static NTSTATUS ZeroRun(PFAT_VOLUME Volume, ULONGLONG At, ULONG Length, PUCHAR Buffer, PVOID Context) {
    const UCHAR *zeros = (const UCHAR *)Context;
    while (Length > 0) {
        ULONG n = Length < 4096 ? Length : 4096;
        NTSTATUS status = FatWrite(Volume, At, n, zeros);
        if (!NT_SUCCESS(status)) return status;
        At += n;
        Length -= n;
    }
    return STATUS_SUCCESS;
}

NTSTATUS FatReadFile(PFAT_VOLUME Volume, const FAT_DIRENT *Dirent, ULONGLONG Offset, ULONG Length, PVOID Buffer,
                     PULONG BytesRead) {
    *BytesRead = 0;
    if (Dirent->Attributes & FAT_ATTR_DIRECTORY) return STATUS_FILE_IS_A_DIRECTORY;
    if (Offset >= Dirent->FileSize) return STATUS_END_OF_FILE;
    ULONGLONG available = Dirent->FileSize - Offset;
    ULONG n = available < Length ? (ULONG)available : Length;
    NTSTATUS status = WalkRange(Volume, Dirent->FirstCluster, Offset, n, (PUCHAR)Buffer, ReadRun, NULL);
    if (NT_SUCCESS(status)) *BytesRead = n;
    return status;
}

/* Makes the chain long enough for Size bytes; all or nothing. */
static NTSTATUS EnsureAllocation(PFAT_VOLUME Volume, PFAT_DIRENT Dirent, ULONGLONG Size, PULONG OldClusters) {
    ULONG have, last;
    NTSTATUS status = FatChainLength(Volume, Dirent->FirstCluster, &have, &last);
    if (!NT_SUCCESS(status)) return status;
    *OldClusters = have;
    ULONGLONG need = (Size + Volume->BytesPerCluster - 1) / Volume->BytesPerCluster;
    if (need <= have) return STATUS_SUCCESS;
    ULONG first_new;
    status = FatAllocateClusters(Volume, last, (ULONG)(need - have), &first_new);
    if (!NT_SUCCESS(status)) return status;
    if (Dirent->FirstCluster == 0) Dirent->FirstCluster = first_new;
    return STATUS_SUCCESS;
}

/* Puts the chain back to OldClusters clusters after a failed write or extension. */
static VOID UndoAllocation(PFAT_VOLUME Volume, PFAT_DIRENT Dirent, ULONG OldClusters) {
    ULONG first = Dirent->FirstCluster;
    (void)FatTruncateChain(Volume, &first, OldClusters);
    Dirent->FirstCluster = first;
}

static NTSTATUS ZeroRange(PFAT_VOLUME Volume, PFAT_DIRENT Dirent, ULONGLONG From, ULONGLONG To) {
    if (To <= From) return STATUS_SUCCESS;
    UCHAR *zeros = (UCHAR *)ExAllocatePoolWithTag(PagedPool, 4096, FAT_POOL_TAG);
    if (zeros == NULL) return STATUS_INSUFFICIENT_RESOURCES;
    RtlZeroMemory(zeros, 4096);
    NTSTATUS status = WalkRange(Volume, Dirent->FirstCluster, From, (ULONG)(To - From), NULL, ZeroRun, zeros);
    ExFreePoolWithTag(zeros, FAT_POOL_TAG);
    return status;
}

/* Grows the file to NewEnd: allocates, zero-fills from the old end to ZeroTo.
 * NT deviation: FastFat defers this zeroing through the valid data length of its FCB; the engine has
 * no FCB, so the bytes are zeroed on disk at once. */
static NTSTATUS Grow(PFAT_VOLUME Volume, PFAT_DIRENT Dirent, ULONGLONG NewEnd, ULONGLONG ZeroTo, PULONG OldClusters,
                     PULONG OldFirst) {
    *OldFirst = Dirent->FirstCluster;
    NTSTATUS status = EnsureAllocation(Volume, Dirent, NewEnd, OldClusters);
    if (!NT_SUCCESS(status)) return status;
    status = ZeroRange(Volume, Dirent, Dirent->FileSize, ZeroTo);
    if (!NT_SUCCESS(status)) {
        UndoAllocation(Volume, Dirent, *OldClusters);
        Dirent->FirstCluster = *OldFirst;
    }
    return status;
}

NTSTATUS FatWriteFile(PFAT_VOLUME Volume, PFAT_DIRENT Dirent, ULONGLONG Offset, ULONG Length, const VOID *Buffer) {
    if (Dirent->Attributes & FAT_ATTR_DIRECTORY) return STATUS_FILE_IS_A_DIRECTORY;
    if (Length == 0) return STATUS_SUCCESS;
    ULONGLONG end = Offset + Length;
    if (Offset > FAT_MAX_FILE_SIZE || end > FAT_MAX_FILE_SIZE) return STATUS_DISK_FULL;

    ULONG old_clusters = 0, old_first = Dirent->FirstCluster, old_size = Dirent->FileSize;
    NTSTATUS status;
    if (end > Dirent->FileSize) {
        status = Grow(Volume, Dirent, end, Offset, &old_clusters, &old_first);
        if (!NT_SUCCESS(status)) return status;
    }
    status = WalkRange(Volume, Dirent->FirstCluster, Offset, Length, (PUCHAR)Buffer, WriteRun, NULL);
    if (NT_SUCCESS(status)) {
        if (end > Dirent->FileSize) Dirent->FileSize = (ULONG)end;
        /* NT sets the archive bit on every file whose data changes. */
        Dirent->Attributes |= FAT_ATTR_ARCHIVE;
        status = FatStoreEntryFields(Volume, Dirent);
    }
    if (!NT_SUCCESS(status) && end > old_size) {
        UndoAllocation(Volume, Dirent, old_clusters);
        Dirent->FirstCluster = old_first;
        Dirent->FileSize = old_size;
    }
    return status;
}

NTSTATUS FatSetFileSize(PFAT_VOLUME Volume, PFAT_DIRENT Dirent, ULONGLONG NewSize) {
    /* FastFat's end-of-file and allocation setters refuse directories with
     * STATUS_INVALID_DEVICE_REQUEST and sizes past 32 bits with STATUS_DISK_FULL. */
    if (Dirent->Attributes & FAT_ATTR_DIRECTORY) return STATUS_INVALID_DEVICE_REQUEST;
    if (NewSize > FAT_MAX_FILE_SIZE) return STATUS_DISK_FULL;
    NTSTATUS status;
    if (NewSize < Dirent->FileSize) {
        ULONG keep = (ULONG)((NewSize + Volume->BytesPerCluster - 1) / Volume->BytesPerCluster);
        ULONG first = Dirent->FirstCluster;
        /* The entry is shortened before the clusters are freed, so it never points past its chain. */
        ULONG old_size = Dirent->FileSize;
        Dirent->FileSize = (ULONG)NewSize;
        if (keep == 0) Dirent->FirstCluster = 0;
        Dirent->Attributes |= FAT_ATTR_ARCHIVE;
        status = FatStoreEntryFields(Volume, Dirent);
        if (!NT_SUCCESS(status)) {
            Dirent->FileSize = old_size;
            Dirent->FirstCluster = first;
            return status;
        }
        return FatTruncateChain(Volume, &first, keep);
    }
    if (NewSize == Dirent->FileSize) return STATUS_SUCCESS;
    ULONG old_clusters, old_first, old_size = Dirent->FileSize;
    status = Grow(Volume, Dirent, NewSize, NewSize, &old_clusters, &old_first);
    if (!NT_SUCCESS(status)) return status;
    Dirent->FileSize = (ULONG)NewSize;
    Dirent->Attributes |= FAT_ATTR_ARCHIVE;
    status = FatStoreEntryFields(Volume, Dirent);
    if (!NT_SUCCESS(status)) {
        UndoAllocation(Volume, Dirent, old_clusters);
        Dirent->FirstCluster = old_first;
        Dirent->FileSize = old_size;
    }
    return status;
}
