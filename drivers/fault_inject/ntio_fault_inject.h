/* <ntio_fault_inject.h>: the interface of fault_inject.sys for applications and drivers. The filter
 * draws one seeded random number per IRP of a selected major function and, by the configured rates
 * (parts per million, tried in the order fail, drop, pend, delay), fails it, drops it, pends it and
 * passes it down later, delays it, or passes it straight down. The configuration comes from the
 * Parameters key at load (values of the same names) and from IOCTLs on \Device\NtioFaultInject. */
#ifndef NTIO_FAULT_INJECT_H
#define NTIO_FAULT_INJECT_H

#define NTIO_FAULT_INJECT_DEVICE_NAME L"\\Device\\NtioFaultInject"
#define NTIO_FAULT_INJECT_LINK_NAME L"\\DosDevices\\NtioFaultInject"
#define NTIO_FAULT_INJECT_WIN32_NAME L"\\\\.\\NtioFaultInject"

#define FILE_DEVICE_NTIO_FAULT_INJECT 0x00008E02u /* unsigned: CTL_CODE shifts it into the sign bit */
/* Input: NTIO_FAULT_INJECT_CONFIG. Replaces the configuration and restarts the random sequence. */
#define IOCTL_NTIO_FAULT_INJECT_SET_CONFIG \
    CTL_CODE(FILE_DEVICE_NTIO_FAULT_INJECT, 0x800, METHOD_BUFFERED, FILE_ANY_ACCESS)
/* Output: NTIO_FAULT_INJECT_CONFIG. */
#define IOCTL_NTIO_FAULT_INJECT_GET_CONFIG \
    CTL_CODE(FILE_DEVICE_NTIO_FAULT_INJECT, 0x801, METHOD_BUFFERED, FILE_ANY_ACCESS)
/* Output: NTIO_FAULT_INJECT_STATS. */
#define IOCTL_NTIO_FAULT_INJECT_GET_STATS \
    CTL_CODE(FILE_DEVICE_NTIO_FAULT_INJECT, 0x802, METHOD_BUFFERED, FILE_ANY_ACCESS)
/* Completes every dropped IRP with STATUS_CANCELLED. */
#define IOCTL_NTIO_FAULT_INJECT_RELEASE_DROPPED \
    CTL_CODE(FILE_DEVICE_NTIO_FAULT_INJECT, 0x803, METHOD_BUFFERED, FILE_ANY_ACCESS)

#define NTIO_FAULT_INJECT_RATE_SCALE 1000000UL

typedef struct _NTIO_FAULT_INJECT_CONFIG {
    ULONGLONG Seed;           /* Seed: the random sequence's start */
    ULONG MajorMask;          /* MajorMask: bit n selects IRP major function n (default READ | WRITE) */
    ULONG FailRate;           /* FailRate: complete at once with FailStatus, never passed down */
    LONG FailStatus;          /* FailStatus: an error status (default STATUS_IO_DEVICE_ERROR) */
    ULONG DropRate;           /* DropRate: park until cancelled, the file's cleanup or RELEASE_DROPPED */
    ULONG PendRate;           /* PendRate: return STATUS_PENDING, pass down from a work item ... */
    ULONG PendMicroseconds;   /* PendMicroseconds: ... after this long */
    ULONG DelayRate;          /* DelayRate: wait in the dispatch routine (PASSIVE_LEVEL only) ... */
    ULONG DelayMicroseconds;  /* DelayMicroseconds: ... this long, then pass down */
} NTIO_FAULT_INJECT_CONFIG, *PNTIO_FAULT_INJECT_CONFIG;

typedef struct _NTIO_FAULT_INJECT_STATS {
    ULONGLONG Seen;           /* IRPs of the selected majors */
    ULONGLONG Passed;         /* passed straight down */
    ULONGLONG Failed;
    ULONGLONG Dropped;
    ULONGLONG Pended;
    ULONGLONG Delayed;
    ULONGLONG DroppedOutstanding;  /* dropped and not yet completed */
} NTIO_FAULT_INJECT_STATS, *PNTIO_FAULT_INJECT_STATS;

#endif
