/* <ntddk.h> piece for one-time initialization (RTL_RUN_ONCE): a pointer-sized word that several
 * threads race to initialize, exactly one winning (synchronous mode) or the first to complete
 * winning (asynchronous mode). Exact WDK spellings; compiles alone in C11 and C++20.
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nf-ntddk-rtlrunoncebegininitialize */
#ifndef NTIO_DDK_RTL_RUN_ONCE_H
#define NTIO_DDK_RTL_RUN_ONCE_H
#include "basetypes.h"
#include "sal.h"
#include "ntstatus.h"

typedef union _RTL_RUN_ONCE {
    PVOID Ptr;
} RTL_RUN_ONCE, *PRTL_RUN_ONCE;
C_ASSERT(sizeof(RTL_RUN_ONCE) == sizeof(PVOID));

#define RTL_RUN_ONCE_INIT { 0 }
#define RTL_RUN_ONCE_CHECK_ONLY 0x00000001UL
#define RTL_RUN_ONCE_ASYNC 0x00000002UL
#define RTL_RUN_ONCE_INIT_FAILED 0x00000004UL
/* The low bits of the context the structure keeps for itself: a context must have them clear. */
#define RTL_RUN_ONCE_CTX_RESERVED_BITS 2

/* Nonzero for success; writes the initialized data (low RTL_RUN_ONCE_CTX_RESERVED_BITS clear) to
 * *Context. */
typedef ULONG NTAPI RTL_RUN_ONCE_INIT_FN(_Inout_ PRTL_RUN_ONCE RunOnce, _Inout_opt_ PVOID Parameter,
                                         _Inout_opt_ PVOID *Context);
typedef RTL_RUN_ONCE_INIT_FN *PRTL_RUN_ONCE_INIT_FN;

NTIO_BEGIN_DECLS
/* All at IRQL <= APC_LEVEL. The structure must not be moved or copied while in use.
 * Begin: STATUS_SUCCESS (done; *Context holds the data), STATUS_PENDING (the caller initializes and
 * then calls RtlRunOnceComplete), STATUS_UNSUCCESSFUL (CHECK_ONLY and not done yet),
 * STATUS_INVALID_PARAMETER (unknown flags, or a mode other than the one initialization runs in).
 * A synchronous caller that finds another thread initializing waits for it to complete. */
NTSYSAPI VOID NTAPI RtlRunOnceInitialize(_Out_ PRTL_RUN_ONCE RunOnce);
NTSYSAPI NTSTATUS NTAPI RtlRunOnceBeginInitialize(_Inout_ PRTL_RUN_ONCE RunOnce, _In_ ULONG Flags,
                                                  _Outptr_opt_result_maybenull_ PVOID *Context);
NTSYSAPI NTSTATUS NTAPI RtlRunOnceComplete(_Inout_ PRTL_RUN_ONCE RunOnce, _In_ ULONG Flags,
                                           _In_opt_ PVOID Context);
NTSYSAPI NTSTATUS NTAPI RtlRunOnceExecuteOnce(_Inout_ PRTL_RUN_ONCE RunOnce,
                                              _In_ PRTL_RUN_ONCE_INIT_FN InitFn,
                                              _Inout_opt_ PVOID Parameter,
                                              _Outptr_opt_result_maybenull_ PVOID *Context);
NTIO_END_DECLS

#endif /* NTIO_DDK_RTL_RUN_ONCE_H */
