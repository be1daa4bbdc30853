/* PsLookupProcessByProcessId and PsLookupThreadByThreadId of <ntifs.h>. */
#ifndef NTIO_DDK_PS_LOOKUP_H
#define NTIO_DDK_PS_LOOKUP_H

#include "ob.h"

NTIO_BEGIN_DECLS

/* The process (thread) with that id, referenced (ObDereferenceObject when done);
 * STATUS_INVALID_PARAMETER when no such process (thread) exists. IRQL <= APC_LEVEL. */
NTKERNELAPI NTSTATUS PsLookupProcessByProcessId(HANDLE ProcessId, PEPROCESS *Process);
NTKERNELAPI NTSTATUS PsLookupThreadByThreadId(HANDLE ThreadId, PETHREAD *Thread);

NTIO_END_DECLS

#endif /* NTIO_DDK_PS_LOOKUP_H */
