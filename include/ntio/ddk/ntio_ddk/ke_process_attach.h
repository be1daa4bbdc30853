/* <ntifs.h> piece: attaching the calling thread to another process (KeStackAttachProcess and the
 * older KeAttachProcess), with the WDK's KAPC_STATE. Handles the thread creates or looks up while
 * attached belong to that process's handle table.
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-kestackattachprocess */
#ifndef NTIO_DDK_KE_PROCESS_ATTACH_H
#define NTIO_DDK_KE_PROCESS_ATTACH_H
#include "basetypes.h"
#include "ke.h"

NTIO_BEGIN_DECLS

/* Opaque to drivers; the caller provides it (stack or nonpaged pool) for the attach's duration. */
typedef struct _KAPC_STATE {
    LIST_ENTRY ApcListHead[MaximumMode];
    struct _KPROCESS *Process;
    BOOLEAN KernelApcInProgress;
    BOOLEAN KernelApcPending;
    BOOLEAN UserApcPending;
} KAPC_STATE, *PKAPC_STATE, *PRKAPC_STATE;
C_ASSERT(sizeof(KAPC_STATE) == 0x30);
C_ASSERT(FIELD_OFFSET(KAPC_STATE, Process) == 0x20);

/* IRQL < DISPATCH_LEVEL, not from a DPC (INVALID_PROCESS_ATTACH_ATTEMPT). Nests: each attach is
 * undone by the detach given the same ApcState, innermost first (INVALID_PROCESS_DETACH_ATTEMPT
 * otherwise). Attaching to the process the thread already acts in changes nothing. */
NTKERNELAPI VOID KeStackAttachProcess(_Inout_ PRKPROCESS PROCESS, _Out_ PRKAPC_STATE ApcState);
NTKERNELAPI VOID KeUnstackDetachProcess(_In_ PRKAPC_STATE ApcState);
/* Obsolete, not nestable: attaching while attached bugchecks INVALID_PROCESS_ATTACH_ATTEMPT;
 * KeDetachProcess without an attach does nothing. */
NTKERNELAPI VOID KeAttachProcess(_Inout_ PRKPROCESS Process);
NTKERNELAPI VOID KeDetachProcess(VOID);

/* Any IRQL <= DISPATCH_LEVEL. The client id (process and thread ids) of the thread that owns the
 * mutant, both NULL when nobody owns it. */
NTKERNELAPI VOID KeQueryOwnerMutant(_In_ PKMUTANT Mutant, _Out_ PCLIENT_ID ClientId);

NTIO_END_DECLS

#endif /* NTIO_DDK_KE_PROCESS_ATTACH_H */
