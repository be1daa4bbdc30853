/* <ntifs.h> piece: the SIDs Windows derives from a name. A service SID is S-1-5-80 followed by the
 * SHA-1 hash of the upper-cased service name (UTF-16LE) as five little-endian sub-authorities; a
 * virtual account SID is the same with the caller's base sub-authority in place of 80 (e.g. 82 for
 * IIS application pools). *SidLength is the room on entry and the length needed or written on
 * return; STATUS_BUFFER_TOO_SMALL when the room is short. PASSIVE_LEVEL. Exact WDK spellings.
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-rtlcreateservicesid
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-rtlcreatevirtualaccountsid */
#ifndef NTIO_DDK_SE_SERVICE_SID_H
#define NTIO_DDK_SE_SERVICE_SID_H
#include "basetypes.h"
#include "sal.h"
#include "ntstatus.h"
#include "se.h"

NTIO_BEGIN_DECLS
NTSYSAPI NTSTATUS NTAPI RtlCreateServiceSid(_In_ PUNICODE_STRING ServiceName,
                                            _Out_writes_bytes_opt_(*ServiceSidLength) PSID ServiceSid,
                                            _Inout_ PULONG ServiceSidLength);
NTSYSAPI NTSTATUS NTAPI RtlCreateVirtualAccountSid(_In_ PCUNICODE_STRING Name, _In_ ULONG BaseSubAuthority,
                                                   _Out_writes_bytes_(*SidLength) PSID Sid,
                                                   _Inout_ PULONG SidLength);
NTIO_END_DECLS

#endif /* NTIO_DDK_SE_SERVICE_SID_H */
