/* PsLookupProcessByProcessId, PsLookupThreadByThreadId, PsLookupProcessThreadByCid and
 * PsGetProcessExitTime of <ntifs.h>. */
#ifndef NTIO_DDK_PS_LOOKUP_H
#define NTIO_DDK_PS_LOOKUP_H

#include "ob.h"

NTIO_BEGIN_DECLS

/* The process (thread) with that id, referenced (ObDereferenceObject when done);
 * STATUS_INVALID_PARAMETER when no such process (thread) exists. IRQL <= APC_LEVEL. */
NTKERNELAPI NTSTATUS PsLookupProcessByProcessId(HANDLE ProcessId, PEPROCESS *Process);
NTKERNELAPI NTSTATUS PsLookupThreadByThreadId(HANDLE ThreadId, PETHREAD *Thread);
/* The thread Cid->UniqueThread names, which must belong to process Cid->UniqueProcess, referenced, and
 * (when Process is not NULL) its process, referenced; STATUS_INVALID_CID otherwise. IRQL <= APC_LEVEL. */
NTKERNELAPI NTSTATUS NTAPI PsLookupProcessThreadByCid(_In_ PCLIENT_ID Cid, _Out_opt_ PEPROCESS *Process,
                                                      _Out_ PETHREAD *Thread);

/* The exit time (system time) of the current process: 0 while it has not terminated. <= DISPATCH_LEVEL.
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-psgetprocessexittime */
NTKERNELAPI LARGE_INTEGER PsGetProcessExitTime(VOID);

NTIO_END_DECLS

#endif /* NTIO_DDK_PS_LOOKUP_H */
