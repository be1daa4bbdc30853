/* <ntifs.h> piece: the Rtl heap routines (RtlCreateHeap, RtlAllocateHeap, RtlFreeHeap,
 * RtlDestroyHeap) with WDK spellings. A heap lives in the caller's block (HeapBase) or in memory ntio
 * allocates; see docs/nt-deviations.md ("rtl: heaps") for what is not modelled. */
#ifndef NTIO_DDK_RTL_HEAP_H
#define NTIO_DDK_RTL_HEAP_H
#include "basetypes.h"
#include "ntstatus.h"

NTIO_BEGIN_DECLS

#ifndef HEAP_NO_SERIALIZE
#define HEAP_NO_SERIALIZE 0x00000001
#define HEAP_GROWABLE 0x00000002
#define HEAP_GENERATE_EXCEPTIONS 0x00000004
#define HEAP_ZERO_MEMORY 0x00000008
#endif

typedef NTSTATUS(NTAPI *PRTL_HEAP_COMMIT_ROUTINE)(_In_ PVOID Base, _Inout_ PVOID *CommitAddress,
                                                  _Inout_ PSIZE_T CommitSize);

typedef struct _RTL_HEAP_PARAMETERS {
    ULONG Length;
    SIZE_T SegmentReserve;
    SIZE_T SegmentCommit;
    SIZE_T DeCommitFreeBlockThreshold;
    SIZE_T DeCommitTotalFreeThreshold;
    SIZE_T MaximumAllocationSize;
    SIZE_T VirtualMemoryThreshold;
    SIZE_T InitialCommit;
    SIZE_T InitialReserve;
    PRTL_HEAP_COMMIT_ROUTINE CommitRoutine;
    SIZE_T Reserved[2];
} RTL_HEAP_PARAMETERS, *PRTL_HEAP_PARAMETERS;
C_ASSERT(sizeof(RTL_HEAP_PARAMETERS) == 0x60);

/* PASSIVE_LEVEL. A heap handle, or NULL. HeapBase NULL: ntio allocates the heap (growable with
 * HEAP_GROWABLE, else ReserveSize bytes: 64 pages when 0, CommitSize rounded up to 16 pages when only
 * it is given); HeapBase non-NULL: the heap is that block of ReserveSize bytes (or CommitSize when
 * ReserveSize is 0), growing into blocks ntio allocates only with HEAP_GROWABLE. Lock: an
 * initialized ERESOURCE serializing the heap instead of its own lock (NULL with HEAP_NO_SERIALIZE).
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-rtlcreateheap */
NTSYSAPI PVOID NTAPI RtlCreateHeap(_In_ ULONG Flags, _In_opt_ PVOID HeapBase, _In_opt_ SIZE_T ReserveSize,
                                   _In_opt_ SIZE_T CommitSize, _In_opt_ PVOID Lock,
                                   _In_opt_ PRTL_HEAP_PARAMETERS Parameters);
/* Flags: HEAP_GENERATE_EXCEPTIONS, HEAP_NO_SERIALIZE, HEAP_ZERO_MEMORY. The block is aligned on
 * MEMORY_ALLOCATION_ALIGNMENT; NULL (or STATUS_NO_MEMORY raised) when it cannot be had.
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-rtlallocateheap */
NTSYSAPI PVOID NTAPI RtlAllocateHeap(_In_ PVOID HeapHandle, _In_opt_ ULONG Flags, _In_ SIZE_T Size);
/* TRUE when the block was freed; FALSE for a block the heap did not hand out (or freed already).
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-rtlfreeheap */
NTSYSAPI LOGICAL NTAPI RtlFreeHeap(_In_ PVOID HeapHandle, _In_opt_ ULONG Flags, _In_ PVOID BaseAddress);
/* NULL when the heap was destroyed, else HeapHandle.
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-rtldestroyheap */
NTSYSAPI PVOID NTAPI RtlDestroyHeap(_In_ PVOID HeapHandle);

NTIO_END_DECLS

#endif /* NTIO_DDK_RTL_HEAP_H */
