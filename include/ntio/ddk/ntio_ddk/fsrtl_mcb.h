/* <ntifs.h> contents: map control blocks (MCBs), the FsRtl package that maps a stream's virtual
 * block numbers (VBNs) to a volume's logical block numbers (LBNs) in runs, as FAT, CDFS and UDFS
 * keep their allocation. WDK names, signatures and Windows x64 layouts:
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-_fsrtl_advanced_fcb_header-fsrtlinitializelargemcb
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-_fsrtl_advanced_fcb_header-fsrtllookuplargemcbentry
 * A run is a mapped range or a hole (an unmapped range below the highest mapped VBN); run indexes
 * count both. An LBN of -1 is a hole. IRQL <= APC_LEVEL. */
#ifndef NTIO_DDK_FSRTL_MCB_H
#define NTIO_DDK_FSRTL_MCB_H

#include "ex.h"

NTIO_BEGIN_DECLS

typedef struct _BASE_MCB {
    ULONG MaximumPairCount;
    ULONG PairCount; /* runs, holes included */
    USHORT PoolType;
    USHORT Flags;
    PVOID Mapping; /* FsRtl's own */
} BASE_MCB, *PBASE_MCB;

typedef struct _LARGE_MCB {
    PKGUARDED_MUTEX GuardedMutex;
    BASE_MCB BaseMcb;
} LARGE_MCB, *PLARGE_MCB;

#define MCB_FLAG_RAISE_ON_ALLOCATION_FAILURE 1

typedef struct _MCB {
    LARGE_MCB DummyFieldThatSizesThisStructureCorrectly;
} MCB, *PMCB;

NTKERNELAPI VOID NTAPI FsRtlInitializeLargeMcb(PLARGE_MCB Mcb, POOL_TYPE PoolType);
NTKERNELAPI VOID NTAPI FsRtlUninitializeLargeMcb(PLARGE_MCB Mcb);
NTKERNELAPI VOID NTAPI FsRtlResetLargeMcb(PLARGE_MCB Mcb, BOOLEAN SelfSynchronized);
NTKERNELAPI BOOLEAN NTAPI FsRtlAddLargeMcbEntry(PLARGE_MCB Mcb, LONGLONG Vbn, LONGLONG Lbn, LONGLONG SectorCount);
NTKERNELAPI VOID NTAPI FsRtlRemoveLargeMcbEntry(PLARGE_MCB Mcb, LONGLONG Vbn, LONGLONG SectorCount);
NTKERNELAPI BOOLEAN NTAPI FsRtlLookupLargeMcbEntry(PLARGE_MCB Mcb, LONGLONG Vbn, PLONGLONG Lbn,
                                                   PLONGLONG SectorCountFromLbn, PLONGLONG StartingLbn,
                                                   PLONGLONG SectorCountFromStartingLbn, PULONG Index);
NTKERNELAPI BOOLEAN NTAPI FsRtlLookupLastLargeMcbEntry(PLARGE_MCB Mcb, PLONGLONG Vbn, PLONGLONG Lbn);
NTKERNELAPI BOOLEAN NTAPI FsRtlLookupLastLargeMcbEntryAndIndex(PLARGE_MCB OpaqueMcb, PLONGLONG LargeVbn,
                                                               PLONGLONG LargeLbn, PULONG Index);
NTKERNELAPI ULONG NTAPI FsRtlNumberOfRunsInLargeMcb(PLARGE_MCB Mcb);
NTKERNELAPI BOOLEAN NTAPI FsRtlGetNextLargeMcbEntry(PLARGE_MCB Mcb, ULONG RunIndex, PLONGLONG Vbn, PLONGLONG Lbn,
                                                    PLONGLONG SectorCount);
NTKERNELAPI BOOLEAN NTAPI FsRtlSplitLargeMcb(PLARGE_MCB Mcb, LONGLONG Vbn, LONGLONG Amount);
NTKERNELAPI VOID NTAPI FsRtlTruncateLargeMcb(PLARGE_MCB Mcb, LONGLONG Vbn);

/* Base MCBs: the mapping itself, without the large MCB's guarded mutex; the caller serializes.
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-_fsrtl_advanced_fcb_header-fsrtlinitializebasemcb
 * Allocation failures raise STATUS_INSUFFICIENT_RESOURCES when the MCB was initialized with
 * MCB_FLAG_RAISE_ON_ALLOCATION_FAILURE (FsRtlInitializeBaseMcb always is), else fail. */
NTKERNELAPI VOID NTAPI FsRtlInitializeBaseMcb(PBASE_MCB Mcb, POOL_TYPE PoolType);
NTKERNELAPI BOOLEAN NTAPI FsRtlInitializeBaseMcbEx(PBASE_MCB Mcb, POOL_TYPE PoolType, USHORT Flags);
NTKERNELAPI VOID NTAPI FsRtlUninitializeBaseMcb(PBASE_MCB Mcb);
NTKERNELAPI VOID NTAPI FsRtlResetBaseMcb(PBASE_MCB Mcb);
NTKERNELAPI VOID NTAPI FsRtlTruncateBaseMcb(PBASE_MCB Mcb, LONGLONG Vbn);
NTKERNELAPI BOOLEAN NTAPI FsRtlAddBaseMcbEntry(PBASE_MCB Mcb, LONGLONG Vbn, LONGLONG Lbn, LONGLONG SectorCount);
NTKERNELAPI NTSTATUS NTAPI FsRtlAddBaseMcbEntryEx(PBASE_MCB Mcb, LONGLONG Vbn, LONGLONG Lbn, LONGLONG SectorCount);
NTKERNELAPI BOOLEAN NTAPI FsRtlRemoveBaseMcbEntry(PBASE_MCB Mcb, LONGLONG Vbn, LONGLONG SectorCount);
NTKERNELAPI BOOLEAN NTAPI FsRtlLookupBaseMcbEntry(PBASE_MCB Mcb, LONGLONG Vbn, PLONGLONG Lbn,
                                                  PLONGLONG SectorCountFromLbn, PLONGLONG StartingLbn,
                                                  PLONGLONG SectorCountFromStartingLbn, PULONG Index);
NTKERNELAPI BOOLEAN NTAPI FsRtlLookupLastBaseMcbEntry(PBASE_MCB Mcb, PLONGLONG Vbn, PLONGLONG Lbn);
NTKERNELAPI BOOLEAN NTAPI FsRtlLookupLastBaseMcbEntryAndIndex(PBASE_MCB OpaqueMcb, PLONGLONG LargeVbn,
                                                              PLONGLONG LargeLbn, PULONG Index);
NTKERNELAPI ULONG NTAPI FsRtlNumberOfRunsInBaseMcb(PBASE_MCB Mcb);
NTKERNELAPI BOOLEAN NTAPI FsRtlGetNextBaseMcbEntry(PBASE_MCB Mcb, ULONG RunIndex, PLONGLONG Vbn, PLONGLONG Lbn,
                                                   PLONGLONG SectorCount);
NTKERNELAPI BOOLEAN NTAPI FsRtlSplitBaseMcb(PBASE_MCB Mcb, LONGLONG Vbn, LONGLONG Amount);

/* The small MCB of older file systems: the same mapping with 32-bit block numbers (a hole's LBN
 * is (LBN)-1). */
typedef ULONG LBN;
typedef LBN *PLBN;
typedef ULONG VBN;
typedef VBN *PVBN;
NTKERNELAPI VOID NTAPI FsRtlInitializeMcb(PMCB Mcb, POOL_TYPE PoolType);
NTKERNELAPI VOID NTAPI FsRtlUninitializeMcb(PMCB Mcb);
NTKERNELAPI VOID NTAPI FsRtlTruncateMcb(PMCB Mcb, VBN Vbn);
NTKERNELAPI BOOLEAN NTAPI FsRtlAddMcbEntry(PMCB Mcb, VBN Vbn, LBN Lbn, ULONG SectorCount);
NTKERNELAPI VOID NTAPI FsRtlRemoveMcbEntry(PMCB Mcb, VBN Vbn, ULONG SectorCount);
NTKERNELAPI BOOLEAN NTAPI FsRtlLookupMcbEntry(PMCB Mcb, VBN Vbn, PLBN Lbn, PULONG SectorCount, PULONG Index);
NTKERNELAPI BOOLEAN NTAPI FsRtlLookupLastMcbEntry(PMCB Mcb, PVBN Vbn, PLBN Lbn);
NTKERNELAPI ULONG NTAPI FsRtlNumberOfRunsInMcb(PMCB Mcb);
NTKERNELAPI BOOLEAN NTAPI FsRtlGetNextMcbEntry(PMCB Mcb, ULONG RunIndex, PVBN Vbn, PLBN Lbn, PULONG SectorCount);

NTIO_END_DECLS

#endif
