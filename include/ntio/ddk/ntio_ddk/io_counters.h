/* IO_COUNTERS (winnt.h), shared by <ntddk.h>'s ProcessIoCounters and <windows.h>'s
 * GetProcessIoCounters: a process's reads, writes and other I/O requests, and the bytes each moved.
 * https://learn.microsoft.com/windows/win32/api/winnt/ns-winnt-io_counters */
#ifndef NTIO_DDK_IO_COUNTERS_H
#define NTIO_DDK_IO_COUNTERS_H

#include "basetypes.h"

typedef struct _IO_COUNTERS {
    ULONGLONG ReadOperationCount;
    ULONGLONG WriteOperationCount;
    ULONGLONG OtherOperationCount;
    ULONGLONG ReadTransferCount;
    ULONGLONG WriteTransferCount;
    ULONGLONG OtherTransferCount;
} IO_COUNTERS, *PIO_COUNTERS;
C_ASSERT(sizeof(IO_COUNTERS) == 0x30);

#endif /* NTIO_DDK_IO_COUNTERS_H */
