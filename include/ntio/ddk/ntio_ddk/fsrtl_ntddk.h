/* <ntddk.h> piece for the FsRtl routines the WDK declares there rather than in <ntifs.h>: the
 * device-failure test a file system's or fault-tolerant disk driver's completion routine makes.
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nf-ntddk-fsrtlistotaldevicefailure */
#ifndef NTIO_DDK_FSRTL_NTDDK_H
#define NTIO_DDK_FSRTL_NTDDK_H
#include "basetypes.h"
#include "sal.h"

NTIO_BEGIN_DECLS

/* Any IRQL. TRUE when the status says the physical device failed; FALSE for success, for the
 * sector failures STATUS_DEVICE_DATA_ERROR and STATUS_CRC_ERROR, and for every other status. */
NTKERNELAPI BOOLEAN NTAPI FsRtlIsTotalDeviceFailure(_In_ NTSTATUS Status);

NTIO_END_DECLS

#endif /* NTIO_DDK_FSRTL_NTDDK_H */
