/* Power information system service (ntdll): what ZwPowerInformation answers drivers, for user mode
 * (CallNtPowerInformation's service). The levels and their buffers are po.h's.
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nf-ntddk-zwpowerinformation
 * https://learn.microsoft.com/windows/win32/api/powerbase/nf-powerbase-callntpowerinformation */
#ifndef NTIO_NT_POWER_SERVICES_H
#define NTIO_NT_POWER_SERVICES_H
#include <wdm.h>

NTIO_BEGIN_DECLS
NTSYSAPI NTSTATUS NTAPI NtPowerInformation(_In_ POWER_INFORMATION_LEVEL InformationLevel,
                                           _In_reads_bytes_opt_(InputBufferLength) PVOID InputBuffer,
                                           _In_ ULONG InputBufferLength,
                                           _Out_writes_bytes_opt_(OutputBufferLength) PVOID OutputBuffer,
                                           _In_ ULONG OutputBufferLength);
NTIO_END_DECLS

#endif /* NTIO_NT_POWER_SERVICES_H */
