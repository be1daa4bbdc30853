/* <wdm.h> piece for the executive's reader/writer locks: executive spin locks (EX_SPIN_LOCK, shared or
 * exclusive, at DISPATCH_LEVEL) and push locks (EX_PUSH_LOCK, shared or exclusive, blocking, at
 * IRQL <= APC_LEVEL inside a critical region), with the WDK spellings.
 * https://learn.microsoft.com/windows-hardware/drivers/kernel/reader-writer-spin-locks */
#ifndef NTIO_DDK_EX_LOCKS_H
#define NTIO_DDK_EX_LOCKS_H
#include "basetypes.h"
#include "ke.h"

NTIO_BEGIN_DECLS

/* ---- Executive spin locks ---------------------------------------------------------------------
 * Initialise to 0. The raising forms take IRQL <= DISPATCH_LEVEL and return the previous IRQL, which
 * the matching release restores; the AtDpcLevel / FromDpcLevel forms need IRQL >= DISPATCH_LEVEL and
 * leave it alone. Releasing a lock not held in that mode bugchecks SPIN_LOCK_NOT_OWNED. */
typedef volatile LONG EX_SPIN_LOCK, *PEX_SPIN_LOCK;

NTKERNELAPI KIRQL ExAcquireSpinLockShared(_Inout_ PEX_SPIN_LOCK SpinLock);
NTKERNELAPI VOID ExReleaseSpinLockShared(_Inout_ PEX_SPIN_LOCK SpinLock, _In_ KIRQL OldIrql);
NTKERNELAPI KIRQL ExAcquireSpinLockExclusive(_Inout_ PEX_SPIN_LOCK SpinLock);
NTKERNELAPI VOID ExReleaseSpinLockExclusive(_Inout_ PEX_SPIN_LOCK SpinLock, _In_ KIRQL OldIrql);
NTKERNELAPI VOID ExAcquireSpinLockSharedAtDpcLevel(_Inout_ PEX_SPIN_LOCK SpinLock);
NTKERNELAPI VOID ExReleaseSpinLockSharedFromDpcLevel(_Inout_ PEX_SPIN_LOCK SpinLock);
NTKERNELAPI VOID ExAcquireSpinLockExclusiveAtDpcLevel(_Inout_ PEX_SPIN_LOCK SpinLock);
NTKERNELAPI VOID ExReleaseSpinLockExclusiveFromDpcLevel(_Inout_ PEX_SPIN_LOCK SpinLock);
/* TRUE when the lock was taken; never spins. */
NTKERNELAPI LOGICAL ExTryAcquireSpinLockSharedAtDpcLevel(_Inout_ PEX_SPIN_LOCK SpinLock);
NTKERNELAPI LOGICAL ExTryAcquireSpinLockExclusiveAtDpcLevel(_Inout_ PEX_SPIN_LOCK SpinLock);
/* The caller holds the lock shared; TRUE when it now holds it exclusive instead (it was the only
 * shared owner). Release it then with the exclusive release matching the shared acquire. */
NTKERNELAPI LOGICAL ExTryConvertSharedSpinLockExclusive(_Inout_ PEX_SPIN_LOCK SpinLock);

/* ---- Push locks --------------------------------------------------------------------------------
 * Initialise with ExInitializePushLock. Callers run at IRQL <= APC_LEVEL inside a critical region
 * (KeEnterCriticalRegion) from acquire to release; a waiting acquire blocks. Not recursive: a
 * thread that acquires a push lock it holds waits for ever. Flags: EX_DEFAULT_PUSH_LOCK_FLAGS. */
#ifndef NTIO_DDK_PUSH_LOCK_DEFINED
#define NTIO_DDK_PUSH_LOCK_DEFINED
typedef ULONG_PTR EX_PUSH_LOCK, *PEX_PUSH_LOCK;
#endif
#define EX_DEFAULT_PUSH_LOCK_FLAGS 0
#define EX_PUSH_LOCK_FLAG_DISABLE_AUTOBOOST 0x1

NTKERNELAPI VOID ExInitializePushLock(_Out_ PEX_PUSH_LOCK PushLock);
NTKERNELAPI VOID ExAcquirePushLockExclusiveEx(_Inout_ PEX_PUSH_LOCK PushLock, _In_ ULONG Flags);
NTKERNELAPI VOID ExAcquirePushLockSharedEx(_Inout_ PEX_PUSH_LOCK PushLock, _In_ ULONG Flags);
NTKERNELAPI BOOLEAN ExTryAcquirePushLockExclusiveEx(_Inout_ PEX_PUSH_LOCK PushLock, _In_ ULONG Flags);
NTKERNELAPI BOOLEAN ExTryAcquirePushLockSharedEx(_Inout_ PEX_PUSH_LOCK PushLock, _In_ ULONG Flags);
NTKERNELAPI VOID ExReleasePushLockExclusiveEx(_Inout_ PEX_PUSH_LOCK PushLock, _In_ ULONG Flags);
NTKERNELAPI VOID ExReleasePushLockSharedEx(_Inout_ PEX_PUSH_LOCK PushLock, _In_ ULONG Flags);
#define ExAcquirePushLockExclusive(Lock) ExAcquirePushLockExclusiveEx(Lock, EX_DEFAULT_PUSH_LOCK_FLAGS)
#define ExAcquirePushLockShared(Lock) ExAcquirePushLockSharedEx(Lock, EX_DEFAULT_PUSH_LOCK_FLAGS)
#define ExTryAcquirePushLockExclusive(Lock) ExTryAcquirePushLockExclusiveEx(Lock, EX_DEFAULT_PUSH_LOCK_FLAGS)
#define ExTryAcquirePushLockShared(Lock) ExTryAcquirePushLockSharedEx(Lock, EX_DEFAULT_PUSH_LOCK_FLAGS)
#define ExReleasePushLockExclusive(Lock) ExReleasePushLockExclusiveEx(Lock, EX_DEFAULT_PUSH_LOCK_FLAGS)
#define ExReleasePushLockShared(Lock) ExReleasePushLockSharedEx(Lock, EX_DEFAULT_PUSH_LOCK_FLAGS)

NTIO_END_DECLS

#endif /* NTIO_DDK_EX_LOCKS_H */
