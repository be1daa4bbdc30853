/* The system error log of <wdm.h>: IO_ERROR_LOG_PACKET and IoAllocateErrorLogEntry,
 * IoWriteErrorLogEntry, IoFreeErrorLogEntry. ntio writes entries to its debug output: see
 * docs/nt-deviations.md. */
#ifndef NTIO_DDK_ERROR_LOG_H
#define NTIO_DDK_ERROR_LOG_H

#include "io_types.h"

NTIO_BEGIN_DECLS

typedef struct _IO_ERROR_LOG_PACKET {
    UCHAR MajorFunctionCode;
    UCHAR RetryCount;
    USHORT DumpDataSize;
    USHORT NumberOfStrings;
    USHORT StringOffset;
    USHORT EventCategory;
    NTSTATUS ErrorCode;
    ULONG UniqueErrorValue;
    NTSTATUS FinalStatus;
    ULONG SequenceNumber;
    ULONG IoControlCode;
    LARGE_INTEGER DeviceOffset;
    ULONG DumpData[1];
} IO_ERROR_LOG_PACKET, *PIO_ERROR_LOG_PACKET;

typedef struct _IO_ERROR_LOG_MESSAGE {
    USHORT Type;
    USHORT Size;
    USHORT DriverNameLength;
    LARGE_INTEGER TimeStamp;
    ULONG DriverNameOffset;
    IO_ERROR_LOG_PACKET EntryData;
} IO_ERROR_LOG_MESSAGE, *PIO_ERROR_LOG_MESSAGE;

#ifndef PORT_MAXIMUM_MESSAGE_LENGTH
#define PORT_MAXIMUM_MESSAGE_LENGTH 512
#endif

#define ERROR_LOG_LIMIT_SIZE (256 - 16)
#define IO_ERROR_LOG_MESSAGE_HEADER_LENGTH \
    (sizeof(IO_ERROR_LOG_MESSAGE) - sizeof(IO_ERROR_LOG_PACKET) + (sizeof(WCHAR) * 40))
#define ERROR_LOG_MESSAGE_LIMIT_SIZE (ERROR_LOG_LIMIT_SIZE + IO_ERROR_LOG_MESSAGE_HEADER_LENGTH)
#define IO_ERROR_LOG_MESSAGE_LENGTH                                                                   \
    ((PORT_MAXIMUM_MESSAGE_LENGTH > ERROR_LOG_MESSAGE_LIMIT_SIZE) ? ERROR_LOG_MESSAGE_LIMIT_SIZE \
                                                                  : PORT_MAXIMUM_MESSAGE_LENGTH)
/* The largest packet a driver can allocate. */
#define ERROR_LOG_MAXIMUM_SIZE (IO_ERROR_LOG_MESSAGE_LENGTH - IO_ERROR_LOG_MESSAGE_HEADER_LENGTH)

C_ASSERT(sizeof(IO_ERROR_LOG_PACKET) == 0x30);
C_ASSERT(sizeof(IO_ERROR_LOG_MESSAGE) == 0x48);

/* A zeroed packet of EntrySize bytes for a device or driver object (NULL for another object, for
 * more than ERROR_LOG_MAXIMUM_SIZE or less than sizeof(IO_ERROR_LOG_PACKET)). IRQL <= DISPATCH_LEVEL. */
NTKERNELAPI PVOID NTAPI IoAllocateErrorLogEntry(PVOID IoObject, UCHAR EntrySize);
/* Records the entry and frees it: the caller must not touch it again. IRQL <= DISPATCH_LEVEL. */
NTKERNELAPI VOID NTAPI IoWriteErrorLogEntry(PVOID ElEntry);
/* Frees an entry that is not to be written. IRQL <= DISPATCH_LEVEL. */
NTKERNELAPI VOID NTAPI IoFreeErrorLogEntry(PVOID ElEntry);

NTIO_END_DECLS

#endif /* NTIO_DDK_ERROR_LOG_H */
