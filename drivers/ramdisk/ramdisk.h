/* ramdisk.sys: a block device held in memory, \Device\Ramdisk<N> with the link \DosDevices\Ramdisk<N>,
 * sized and optionally backed by a host image file from the service's Parameters key. Shared
 * declarations of the driver's files: the device extension, its configuration and the routines one
 * file calls in another. */
#ifndef RAMDISK_H
#define RAMDISK_H

#include <ntddk.h>
#include <ntdddisk.h>
#include <ntstrsafe.h>
#include <wdmsec.h>

#define RAMDISK_TAG 'kdmR'
#define RAMDISK_DEFAULT_SIZE (16ULL * 1024 * 1024)
#define RAMDISK_DEFAULT_SECTOR_SIZE 512
/* Dirty tracking granule for the backing image: a flush writes back only the 1 MiB regions that
 * writes touched since the previous flush. */
#define RAMDISK_REGION_SHIFT 20

/* What the Parameters key says (defaults where it is silent). */
typedef struct _RAMDISK_CONFIG {
    ULONGLONG DiskSize;          /* DiskSize (REG_DWORD or REG_QWORD), bytes; 0: the image's */
    ULONG SectorSize;            /* SectorSize (REG_DWORD): 512, 1024, 2048 or 4096 */
    ULONG DiskNumber;            /* DiskNumber (REG_DWORD): N of \Device\Ramdisk<N> */
    BOOLEAN ReadOnly;            /* ReadOnly (REG_DWORD) non-zero: writes fail write-protected */
    CHAR BackingImage[1024];     /* BackingImage (REG_SZ) as a host path; empty = none */
    ULONG ReadPrefetch;          /* ReadPrefetch (REG_DWORD): bytes; RAMDISK_PREFETCH_AUTO when absent */
} RAMDISK_CONFIG, *PRAMDISK_CONFIG;

/* ReadPrefetch's default: RAMDISK_PREFETCH_BYTES for a disk of at least RAMDISK_PREFETCH_MIN_DISK
 * bytes, none for a smaller one. A disk smaller than the processor's last-level cache (32 MiB on
 * the machines ntio is measured on; 96-128 MiB on parts with stacked cache) mostly hits it, where
 * prefetching is overhead (3-4% on 4 KiB random reads of a 16 MiB disk); a larger one mostly misses.
 * Of the prefetch lengths tried on 4 KiB random reads of a 1 GiB disk (its first 512 bytes, 1, 2, 3
 * and 4 KiB), 2 KiB was the fastest: about 14% faster than the first line alone, 5% faster than
 * the whole page. */
#define RAMDISK_PREFETCH_AUTO MAXULONG
#define RAMDISK_PREFETCH_BYTES 2048
#define RAMDISK_PREFETCH_MIN_DISK (256ULL * 1024 * 1024)

typedef struct _RAMDISK_EXTENSION {
    PUCHAR Data;                 /* the disk, page-aligned inside DataAllocation */
    PVOID DataAllocation;
    ULONGLONG DiskSize;
    ULONG SectorSize;
    ULONG DiskNumber;
    BOOLEAN ReadOnly;
    ULONG ReadPrefetch;          /* bytes of a read's start prefetched before its copy (beyond the first line) */
    int ImageFd;                 /* -1 without a backing image */
    LONG volatile *Dirty;        /* one flag per region, NULL without a backing image */
    ULONG RegionCount;
    FAST_MUTEX FlushLock;        /* one flush at a time, so a flush's sync covers every region it skipped */
    /* With an image: writes hold it shared while they copy and mark; a flush holds it exclusive
     * while it takes a dirty region's bytes into Bounce, so it never copies out a half-written
     * region (it writes the bounce buffer to the image after letting go). */
    ERESOURCE ImageLock;
    BOOLEAN ImageLockReady;
    PUCHAR Bounce;
    UNICODE_STRING LinkName;
    WCHAR LinkBuffer[32];
} RAMDISK_EXTENSION, *PRAMDISK_EXTENSION;

/* ramdisk_config.c */
NTSTATUS RamdiskReadConfig(_In_ PUNICODE_STRING RegistryPath, _Out_ PRAMDISK_CONFIG Config);

/* ramdisk_fastio.c */
extern FAST_IO_DISPATCH RamdiskFastIoDispatch;

/* ramdisk_ioctl.c */
_Dispatch_type_(IRP_MJ_DEVICE_CONTROL) DRIVER_DISPATCH RamdiskDeviceControl;

/* ramdisk.c */
NTSTATUS RamdiskFlush(_In_ PRAMDISK_EXTENSION Extension);
/* Windows disks (the disk class driver's read/write verification) fail a transfer whose length is
 * not a multiple of the sector size, or whose end lies past the end of the disk, with
 * STATUS_INVALID_PARAMETER. A zero-length transfer succeeds.
 * NT deviation: this disk also fails offsets that are not sector-aligned with STATUS_INVALID_PARAMETER
 * for every open, as the I/O manager does only for non-cached opens (NtReadFile remarks on
 * Microsoft Learn); a Windows disk leaves that check to the I/O manager and the hardware.
 * STATUS_SUCCESS when the IRP path would do the transfer, else the status it completes it with. Inline:
 * both paths check every transfer. */
FORCEINLINE NTSTATUS RamdiskCheckTransfer(_In_ PRAMDISK_EXTENSION Extension, _In_ BOOLEAN Write, _In_ LONGLONG Offset,
                                          _In_ ULONG Length)
{
    const ULONG sectorMask = Extension->SectorSize - 1;
    if (Offset < 0 || ((ULONGLONG)Offset & sectorMask) || (Length & sectorMask) ||
        (ULONGLONG)Offset > Extension->DiskSize || Length > Extension->DiskSize - (ULONGLONG)Offset) {
        return STATUS_INVALID_PARAMETER;
    }
    if (Write && Extension->ReadOnly) {
        return STATUS_MEDIA_WRITE_PROTECTED;
    }
    return STATUS_SUCCESS;
}

/* Starts a read's first cache lines on their way before the copy: the first line always, and every
 * line of its first Extension->ReadPrefetch bytes. A 4 KiB read at a random offset of a disk larger
 * than the caches starts with a TLB miss and misses in every line; a bare copy loop hides the next
 * copy's first misses under the tail of the one before, which a request path several hundred
 * instructions long cannot do, and the hardware prefetcher ramps up only after the first misses of
 * a page. A loop (one prefetch per iteration) did better than the same prefetches unrolled, and
 * prefetching every other line did worse than the first line alone. */
FORCEINLINE VOID RamdiskPrefetchRead(_In_ PRAMDISK_EXTENSION Extension, _In_ const UCHAR *Source, _In_ ULONG Length)
{
    const UCHAR *end = Source + (Length < Extension->ReadPrefetch ? Length : Extension->ReadPrefetch);
    PreFetchCacheLine(PF_TEMPORAL_LEVEL_1, Source);
    for (Source += SYSTEM_CACHE_ALIGNMENT_SIZE; Source < end; Source += SYSTEM_CACHE_ALIGNMENT_SIZE) {
        PreFetchCacheLine(PF_TEMPORAL_LEVEL_1, Source);
    }
}

/* Copies a checked transfer between the disk and Buffer; FALSE when a Guarded copy faulted. */
BOOLEAN RamdiskCopy(_In_ PRAMDISK_EXTENSION Extension, _In_ BOOLEAN Write, _In_ ULONGLONG Offset, _In_ ULONG Length,
                    _Inout_ PVOID Buffer, _In_ BOOLEAN Guarded);
NTSTATUS RamdiskCompleteRequest(_Inout_ PIRP Irp, _In_ NTSTATUS Status, _In_ ULONG_PTR Information);

#endif
