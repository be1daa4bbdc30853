/* uring_disk.sys: a block device over a host file, \Device\UringDisk<N> with the link
 * \DosDevices\UringDisk<N>, whose reads, writes and flushes pend and complete from an io_uring owned
 * by libntio (<ntio/ntio_uring.h>). Shared declarations of the driver's files. */
#ifndef URING_DISK_H
#define URING_DISK_H

#include <ntddk.h>
#include <ntdddisk.h>
#include <ntio/ntio_uring.h>

#define URING_DISK_TAG 'kdrU'
#define URING_DISK_DEFAULT_QUEUE_DEPTH 64
#define URING_DISK_PATH_CHARS 1024

/* What the Parameters key says (defaults where it is silent). */
typedef struct _URING_DISK_CONFIG {
    WCHAR FileName[URING_DISK_PATH_CHARS]; /* FileName (REG_SZ): host path of the backing file, required */
    ULONGLONG DiskSize;   /* DiskSize (REG_DWORD/REG_QWORD): bytes; 0 = the file's size */
    ULONG DiskNumber;     /* DiskNumber (REG_DWORD): N of \Device\UringDisk<N> */
    ULONG QueueDepth;     /* QueueDepth (REG_DWORD): 1..256 requests in the ring */
    ULONG SubmitBatch;    /* SubmitBatch (REG_DWORD): 0 = the library's default */
    BOOLEAN Direct;       /* Direct (REG_DWORD) non-zero: O_DIRECT, sector-aligned buffers required */
    BOOLEAN ReadOnly;     /* ReadOnly (REG_DWORD) non-zero: writes fail write-protected */
} URING_DISK_CONFIG, *PURING_DISK_CONFIG;

typedef struct _URING_DISK_EXTENSION {
    PNTIO_URING Ring;
    ULONGLONG DiskSize;
    ULONG SectorSize;
    ULONG DiskNumber;
    BOOLEAN Direct;
    BOOLEAN ReadOnly;
    HANDLE ReaperThread;
    UNICODE_STRING LinkName;
    WCHAR LinkBuffer[40];
} URING_DISK_EXTENSION, *PURING_DISK_EXTENSION;

/* uring_disk_config.c */
NTSTATUS UringDiskReadConfig(_In_ PUNICODE_STRING RegistryPath, _Out_ PURING_DISK_CONFIG Config);

/* uring_disk_ioctl.c */
_Dispatch_type_(IRP_MJ_DEVICE_CONTROL) DRIVER_DISPATCH UringDiskDeviceControl;

/* uring_disk.c */
NTSTATUS UringDiskCompleteRequest(_Inout_ PIRP Irp, _In_ NTSTATUS Status, _In_ ULONG_PTR Information);

#endif
