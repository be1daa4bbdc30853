// The cache manager's fast read statistics (CcFastRead*, CcFastMdlReadWait) and the
// FsRtlIncrementCcFast* routines that count in them: FsRtlCopyRead and FsRtlMdlReadDev count here,
// and a file system with fast I/O paths of its own calls the routines. The counters are exported
// data (ntifs.h declares them), so they are the process's, shared by every System in it.
#include <ntifs.h>

extern "C" {

ULONG CcFastReadNotPossible = 0;
ULONG CcFastReadWait = 0;
ULONG CcFastReadNoWait = 0;
ULONG CcFastReadResourceMiss = 0;
ULONG CcFastMdlReadWait = 0;

// Learn has no pages for the FsRtlIncrementCcFast* routines (ntifs.h declares them): each adds one
// to its counter, atomically, at any IRQL.
VOID NTAPI FsRtlIncrementCcFastReadNotPossible(VOID) { __atomic_fetch_add(&CcFastReadNotPossible, 1, __ATOMIC_RELAXED); }
VOID NTAPI FsRtlIncrementCcFastReadWait(VOID) { __atomic_fetch_add(&CcFastReadWait, 1, __ATOMIC_RELAXED); }
VOID NTAPI FsRtlIncrementCcFastReadNoWait(VOID) { __atomic_fetch_add(&CcFastReadNoWait, 1, __ATOMIC_RELAXED); }
VOID NTAPI FsRtlIncrementCcFastReadResourceMiss(VOID) { __atomic_fetch_add(&CcFastReadResourceMiss, 1, __ATOMIC_RELAXED); }
VOID NTAPI FsRtlIncrementCcFastMdlReadWait(VOID) { __atomic_fetch_add(&CcFastMdlReadWait, 1, __ATOMIC_RELAXED); }

}  // extern "C"
