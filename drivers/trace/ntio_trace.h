/* <ntio_trace.h>: the interface of trace.sys for applications and drivers. The filter records every
 * IRP that passes through any of its filter devices when the IRP completes, and every fast read or
 * write the drivers below completed (FastIo 1, Irp 0); the control device
 * \Device\NtioTrace (Win32: \\.\NtioTrace) hands the records out, oldest first, and forgets them. */
#ifndef NTIO_TRACE_H
#define NTIO_TRACE_H

#define NTIO_TRACE_DEVICE_NAME L"\\Device\\NtioTrace"
#define NTIO_TRACE_LINK_NAME L"\\DosDevices\\NtioTrace"
#define NTIO_TRACE_WIN32_NAME L"\\\\.\\NtioTrace"

#define FILE_DEVICE_NTIO_TRACE 0x00008E01u /* unsigned: CTL_CODE shifts it into the sign bit */
/* Output: NTIO_TRACE_BUFFER with as many records as fit (at least the header: else
 * STATUS_BUFFER_TOO_SMALL). The records returned are removed from the ring. */
#define IOCTL_NTIO_TRACE_READ CTL_CODE(FILE_DEVICE_NTIO_TRACE, 0x800, METHOD_BUFFERED, FILE_ANY_ACCESS)
/* Drops every record and zeroes the counters. */
#define IOCTL_NTIO_TRACE_CLEAR CTL_CODE(FILE_DEVICE_NTIO_TRACE, 0x801, METHOD_BUFFERED, FILE_ANY_ACCESS)

typedef struct _NTIO_TRACE_RECORD {
    ULONGLONG Sequence;       /* completion order, from 1 (IRPs and fast I/O calls together) */
    ULONGLONG StartTime;      /* performance counter when the filter saw the IRP */
    ULONGLONG Duration;       /* performance-counter ticks from dispatch to completion */
    ULONGLONG Irp;            /* the IRP's address (identity only) */
    ULONGLONG Device;         /* the filter device: which stack */
    ULONGLONG Information;    /* IoStatus.Information at completion */
    LONG Status;              /* IoStatus.Status at completion */
    UCHAR MajorFunction;
    UCHAR MinorFunction;
    UCHAR PendingReturned;    /* a lower driver returned STATUS_PENDING */
    UCHAR FastIo;             /* 1: a FastIoRead / FastIoWrite call (Irp is 0), not an IRP */
    ULONG Length;             /* read/write length, or the IOCTL's output length */
    ULONG IoControlCode;      /* IRP_MJ_DEVICE_CONTROL / FILE_SYSTEM_CONTROL, else 0 */
    LONGLONG ByteOffset;      /* read/write offset, else 0 */
} NTIO_TRACE_RECORD, *PNTIO_TRACE_RECORD;

typedef struct _NTIO_TRACE_BUFFER {
    ULONG Count;              /* records in this reply */
    ULONG Capacity;           /* ring size (Parameters\RingSize) */
    ULONGLONG Recorded;       /* IRPs and fast I/O calls recorded since load or clear */
    ULONGLONG Lost;           /* records overwritten before anyone read them */
    ULONGLONG Frequency;      /* performance-counter ticks per second */
    NTIO_TRACE_RECORD Records[1];
} NTIO_TRACE_BUFFER, *PNTIO_TRACE_BUFFER;

#define NTIO_TRACE_BUFFER_HEADER_SIZE ((ULONG)(sizeof(NTIO_TRACE_BUFFER) - sizeof(NTIO_TRACE_RECORD)))

#endif
