/* <wdm.h> piece for the ex component: executive pool, lookaside lists, SLISTs, the ExInterlocked list
 * routines, fast and guarded mutexes, executive resources and system work items, with the WDK
 * spellings and Windows x64 layouts (sizes are asserted below). */
#ifndef NTIO_DDK_EX_H
#define NTIO_DDK_EX_H
#include "basetypes.h"
#include "ntstatus.h"
#include "ke.h"

NTIO_BEGIN_DECLS

/* ---------------------------------------------------------------------------------------------
 * Pool
 * ------------------------------------------------------------------------------------------- */

typedef enum _POOL_TYPE {
    NonPagedPool,
    NonPagedPoolExecute = NonPagedPool,
    PagedPool,
    NonPagedPoolMustSucceed = NonPagedPool + 2,
    DontUseThisType,
    NonPagedPoolCacheAligned = NonPagedPool + 4,
    PagedPoolCacheAligned,
    NonPagedPoolCacheAlignedMustS = NonPagedPool + 6,
    MaxPoolType,
    NonPagedPoolBase = 0,
    NonPagedPoolBaseMustSucceed = NonPagedPoolBase + 2,
    NonPagedPoolBaseCacheAligned = NonPagedPoolBase + 4,
    NonPagedPoolBaseCacheAlignedMustS = NonPagedPoolBase + 6,
    NonPagedPoolSession = 32,
    PagedPoolSession = NonPagedPoolSession + 1,
    NonPagedPoolMustSucceedSession = PagedPoolSession + 1,
    DontUseThisTypeSession = NonPagedPoolMustSucceedSession + 1,
    NonPagedPoolCacheAlignedSession = DontUseThisTypeSession + 1,
    PagedPoolCacheAlignedSession = NonPagedPoolCacheAlignedSession + 1,
    NonPagedPoolCacheAlignedMustSSession = PagedPoolCacheAlignedSession + 1,
    NonPagedPoolNx = 512,
    NonPagedPoolNxCacheAligned = NonPagedPoolNx + 4,
    NonPagedPoolSessionNx = NonPagedPoolNx + 32
} POOL_TYPE;

/* Modifier bits a caller may OR into a POOL_TYPE. */
#define POOL_QUOTA_FAIL_INSTEAD_OF_RAISE 8
#define POOL_RAISE_IF_ALLOCATION_FAILURE 16
#define POOL_COLD_ALLOCATION 256
#define POOL_NX_ALLOCATION 512
#define POOL_ZERO_ALLOCATION 1024
#define POOL_TAGGING 1

/* ExAllocatePool2 / ExAllocatePool3 flags. */
#define POOL_FLAG_REQUIRED_START 0x0000000000000001ULL
#define POOL_FLAG_USE_QUOTA 0x0000000000000001ULL
#define POOL_FLAG_UNINITIALIZED 0x0000000000000002ULL
#define POOL_FLAG_SESSION 0x0000000000000004ULL
#define POOL_FLAG_CACHE_ALIGNED 0x0000000000000008ULL
#define POOL_FLAG_RESERVED1 0x0000000000000010ULL
#define POOL_FLAG_RAISE_ON_FAILURE 0x0000000000000020ULL
#define POOL_FLAG_NON_PAGED 0x0000000000000040ULL
#define POOL_FLAG_NON_PAGED_EXECUTE 0x0000000000000080ULL
#define POOL_FLAG_PAGED 0x0000000000000100ULL
#define POOL_FLAG_RESERVED2 0x0000000000000200ULL
#define POOL_FLAG_RESERVED3 0x0000000000000400ULL
#define POOL_FLAG_REQUIRED_END 0x0000000080000000ULL
#define POOL_FLAG_OPTIONAL_START 0x0000000100000000ULL
#define POOL_FLAG_SPECIAL_POOL 0x0000000100000000ULL
#define POOL_FLAG_OPTIONAL_END 0x8000000000000000ULL

typedef enum _EX_POOL_PRIORITY {
    LowPoolPriority,
    LowPoolPrioritySpecialPoolOverrun = 8,
    LowPoolPrioritySpecialPoolUnderrun = 9,
    NormalPoolPriority = 16,
    NormalPoolPrioritySpecialPoolOverrun = 24,
    NormalPoolPrioritySpecialPoolUnderrun = 25,
    HighPoolPriority = 32,
    HighPoolPrioritySpecialPoolOverrun = 40,
    HighPoolPrioritySpecialPoolUnderrun = 41
} EX_POOL_PRIORITY;

typedef enum _POOL_EXTENDED_PARAMETER_TYPE {
    PoolExtendedParameterInvalidType = 0,
    PoolExtendedParameterPriority,
    PoolExtendedParameterSecurePool,
    PoolExtendedParameterNumaNode,
    PoolExtendedParameterMax
} POOL_EXTENDED_PARAMETER_TYPE, *PPOOL_EXTENDED_PARAMETER_TYPE;

#define POOL_EXTENDED_PARAMETER_TYPE_BITS 8
#define POOL_EXTENDED_PARAMETER_REQUIRED_FIELD_BITS 1
#define POOL_EXTENDED_PARAMETER_RESERVED_BITS (64 - POOL_EXTENDED_PARAMETER_TYPE_BITS - POOL_EXTENDED_PARAMETER_REQUIRED_FIELD_BITS)
typedef ULONG POOL_NODE_REQUIREMENT;

typedef struct _POOL_EXTENDED_PARAMETER {
    struct {
        ULONG64 Type : POOL_EXTENDED_PARAMETER_TYPE_BITS;
        ULONG64 Optional : POOL_EXTENDED_PARAMETER_REQUIRED_FIELD_BITS;
        ULONG64 Reserved : POOL_EXTENDED_PARAMETER_RESERVED_BITS;
    };
    union {
        ULONG64 Reserved2;
        PVOID Reserved3;
        EX_POOL_PRIORITY Priority;
        PVOID SecurePoolParams;
        POOL_NODE_REQUIREMENT PreferredNode;
    };
} POOL_EXTENDED_PARAMETER, *PPOOL_EXTENDED_PARAMETER;
typedef const POOL_EXTENDED_PARAMETER *PCPOOL_EXTENDED_PARAMETER;
C_ASSERT(sizeof(POOL_EXTENDED_PARAMETER) == 0x10);

/* All pool routines: nonpaged pool at IRQL <= DISPATCH_LEVEL, paged pool at IRQL <= APC_LEVEL
 * (BAD_POOL_CALLER 0x08 / 0x09 otherwise). The caller owns the returned block until it frees it.
 * Blocks are 16-byte aligned (64 for cache-aligned types); size 0 yields a valid, unique block. */

/* Zeroes unless POOL_FLAG_UNINITIALIZED; NULL on failure, on Tag 0 and on invalid flags (raises
 * STATUS_INSUFFICIENT_RESOURCES instead with POOL_FLAG_RAISE_ON_FAILURE). */
NTKERNELAPI PVOID NTAPI ExAllocatePool2(POOL_FLAGS Flags, SIZE_T NumberOfBytes, ULONG Tag);
NTKERNELAPI PVOID NTAPI ExAllocatePool3(POOL_FLAGS Flags, SIZE_T NumberOfBytes, ULONG Tag,
                                        PCPOOL_EXTENDED_PARAMETER ExtendedParameters,
                                        ULONG ExtendedParametersCount);
/* Uninitialised unless POOL_ZERO_ALLOCATION; NULL on failure unless POOL_RAISE_IF_ALLOCATION_FAILURE.
 * Tag 0 is BAD_POOL_CALLER 0x9B. */
NTKERNELAPI PVOID NTAPI ExAllocatePoolWithTag(POOL_TYPE PoolType, SIZE_T NumberOfBytes, ULONG Tag);
NTKERNELAPI PVOID NTAPI ExAllocatePoolWithTagPriority(POOL_TYPE PoolType, SIZE_T NumberOfBytes, ULONG Tag,
                                                      EX_POOL_PRIORITY Priority);
/* Raises STATUS_INSUFFICIENT_RESOURCES on failure unless POOL_QUOTA_FAIL_INSTEAD_OF_RAISE. */
NTKERNELAPI PVOID NTAPI ExAllocatePoolWithQuotaTag(POOL_TYPE PoolType, SIZE_T NumberOfBytes, ULONG Tag);
NTKERNELAPI PVOID NTAPI ExAllocatePoolZero(POOL_TYPE PoolType, SIZE_T NumberOfBytes, ULONG Tag);
NTKERNELAPI PVOID NTAPI ExAllocatePoolUninitialized(POOL_TYPE PoolType, SIZE_T NumberOfBytes, ULONG Tag);
NTKERNELAPI PVOID NTAPI ExAllocatePoolQuotaZero(POOL_TYPE PoolType, SIZE_T NumberOfBytes, ULONG Tag);
NTKERNELAPI PVOID NTAPI ExAllocatePoolQuotaUninitialized(POOL_TYPE PoolType, SIZE_T NumberOfBytes, ULONG Tag);
#define ExAllocatePool(type, size) ExAllocatePoolWithTag((type), (size), 'enoN')
#define ExAllocatePoolWithQuota(type, size) ExAllocatePoolWithQuotaTag((type), (size), 'enoN')

/* Tag 0 skips the tag check; a non-zero Tag must match the allocation's (BAD_POOL_CALLER 0x0A).
 * Double frees and pointers that pool never returned are BAD_POOL_CALLER 0x07 / 0x99. */
NTKERNELAPI VOID NTAPI ExFreePoolWithTag(PVOID P, ULONG Tag);
NTKERNELAPI VOID NTAPI ExFreePool(PVOID P);
NTKERNELAPI VOID NTAPI ExFreePool2(PVOID P, ULONG Tag, PCPOOL_EXTENDED_PARAMETER ExtendedParameters,
                                   ULONG ExtendedParametersCount);
/* Returns the usable size of a block from pool; QuotaCharged tells whether quota was charged. */
NTKERNELAPI SIZE_T NTAPI ExQueryPoolBlockSize(PVOID PoolBlock, PBOOLEAN QuotaCharged);

#define DrvRtPoolNxOptIn 0x00000001
/* Every nonpaged pool here is no-execute already, so opting in changes nothing. */
FORCEINLINE VOID ExInitializeDriverRuntime(ULONG RuntimeFlags) { (void)RuntimeFlags; }

/* ---------------------------------------------------------------------------------------------
 * Interlocked singly linked lists (SLIST): lock-free, ABA-safe, any IRQL. Entries must be 16-byte
 * aligned (MEMORY_ALLOCATION_ALIGNMENT); pool blocks are.
 * ------------------------------------------------------------------------------------------- */

#define MEMORY_ALLOCATION_ALIGNMENT 16
NTKERNELAPI VOID NTAPI InitializeSListHead(PSLIST_HEADER SListHead);
NTKERNELAPI PSLIST_ENTRY NTAPI InterlockedPushEntrySList(PSLIST_HEADER ListHead, PSLIST_ENTRY ListEntry);
NTKERNELAPI PSLIST_ENTRY NTAPI InterlockedPopEntrySList(PSLIST_HEADER ListHead);
NTKERNELAPI PSLIST_ENTRY NTAPI InterlockedFlushSList(PSLIST_HEADER ListHead);
NTKERNELAPI USHORT NTAPI QueryDepthSList(PSLIST_HEADER SListHead);
NTKERNELAPI PSLIST_ENTRY NTAPI FirstEntrySList(const SLIST_HEADER *SListHead);
/* On x64 the spin lock argument is ignored, as in the WDK. */
#define ExInterlockedPushEntrySList(ListHead, ListEntry, Lock) InterlockedPushEntrySList((ListHead), (ListEntry))
#define ExInterlockedPopEntrySList(ListHead, Lock) InterlockedPopEntrySList(ListHead)
#define ExInterlockedFlushSList(ListHead) InterlockedFlushSList(ListHead)
#define ExQueryDepthSList(ListHead) QueryDepthSList(ListHead)
#define ExInitializeSListHead InitializeSListHead

/* ---------------------------------------------------------------------------------------------
 * ExInterlocked list routines: the list is guarded by the caller's spin lock; any IRQL. The lock
 * must be used only with these routines while the list is accessed through them.
 * ------------------------------------------------------------------------------------------- */

/* Return the previous first entry (NULL when the list was empty). */
NTKERNELAPI PLIST_ENTRY NTAPI ExInterlockedInsertHeadList(PLIST_ENTRY ListHead, PLIST_ENTRY ListEntry,
                                                          PKSPIN_LOCK Lock);
NTKERNELAPI PLIST_ENTRY NTAPI ExInterlockedInsertTailList(PLIST_ENTRY ListHead, PLIST_ENTRY ListEntry,
                                                          PKSPIN_LOCK Lock);
NTKERNELAPI PLIST_ENTRY NTAPI ExInterlockedRemoveHeadList(PLIST_ENTRY ListHead, PKSPIN_LOCK Lock);
NTKERNELAPI PSINGLE_LIST_ENTRY NTAPI ExInterlockedPopEntryList(PSINGLE_LIST_ENTRY ListHead, PKSPIN_LOCK Lock);
NTKERNELAPI PSINGLE_LIST_ENTRY NTAPI ExInterlockedPushEntryList(PSINGLE_LIST_ENTRY ListHead,
                                                                PSINGLE_LIST_ENTRY ListEntry, PKSPIN_LOCK Lock);
/* Returns the value before the addition. */
NTKERNELAPI ULONG NTAPI ExInterlockedAddUlong(PULONG Addend, ULONG Increment, PKSPIN_LOCK Lock);
NTKERNELAPI LARGE_INTEGER NTAPI ExInterlockedAddLargeInteger(PLARGE_INTEGER Addend, LARGE_INTEGER Increment,
                                                             PKSPIN_LOCK Lock);
FORCEINLINE VOID ExInterlockedAddLargeStatistic(PLARGE_INTEGER Addend, ULONG Increment) {
    __atomic_fetch_add(&Addend->QuadPart, (LONGLONG)Increment, __ATOMIC_RELAXED);
}

/* Obsolete interlocked routines (Learn has no page for them; InterlockedIncrement's page says to use
 * it "instead of ExInterlockedIncrementLong"). The NT DDK documented their result as the sign of the
 * new value: ResultNegative, ResultZero or ResultPositive; ExInterlockedExchangeUlong returns the
 * value before the exchange. On x64 the WDK ignores the spin lock, as here. Any IRQL. */
#define RESULT_ZERO 0
#define RESULT_NEGATIVE 1
#define RESULT_POSITIVE 2
typedef enum _INTERLOCKED_RESULT {
    ResultNegative = RESULT_NEGATIVE,
    ResultZero = RESULT_ZERO,
    ResultPositive = RESULT_POSITIVE
} INTERLOCKED_RESULT;
FORCEINLINE INTERLOCKED_RESULT NtioInterlockedResult(LONG Value) {
    return Value < 0 ? ResultNegative : (Value == 0 ? ResultZero : ResultPositive);
}
#define ExInterlockedIncrementLong(Addend, Lock) \
    NtioInterlockedResult(__atomic_add_fetch((LONG volatile *)(Addend), 1, __ATOMIC_SEQ_CST))
#define ExInterlockedDecrementLong(Addend, Lock) \
    NtioInterlockedResult(__atomic_sub_fetch((LONG volatile *)(Addend), 1, __ATOMIC_SEQ_CST))
#define ExInterlockedExchangeUlong(Target, Value, Lock) \
    ((ULONG)__atomic_exchange_n((ULONG volatile *)(Target), (ULONG)(Value), __ATOMIC_SEQ_CST))

/* The WDK's x64 spellings of the executive spin lock and 64-bit compare-exchange routines. */
#define ExAcquireSpinLock(Lock, OldIrql) KeAcquireSpinLock((Lock), (OldIrql))
#define ExReleaseSpinLock(Lock, OldIrql) KeReleaseSpinLock((Lock), (OldIrql))
#define ExAcquireSpinLockAtDpcLevel(Lock) KeAcquireSpinLockAtDpcLevel(Lock)
#define ExReleaseSpinLockFromDpcLevel(Lock) KeReleaseSpinLockFromDpcLevel(Lock)
#define ExInterlockedCompareExchange64(Destination, Exchange, Comperand, Lock) \
    InterlockedCompareExchange64(Destination, *(Exchange), *(Comperand))

/* ---------------------------------------------------------------------------------------------
 * Product suites (ExVerifySuite): TRUE when the system reports the suite in RtlGetVersion's
 * wSuiteMask (bit SuiteType). ntio reports a workstation with no suite bits, so every suite is FALSE.
 * Any IRQL. https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-exverifysuite
 * ------------------------------------------------------------------------------------------- */
typedef enum _SUITE_TYPE {
    SmallBusiness,
    Enterprise,
    BackOffice,
    CommunicationServer,
    TerminalServer,
    SmallBusinessRestricted,
    EmbeddedNT,
    DataCenter,
    SingleUserTS,
    Personal,
    Blade,
    EmbeddedRestricted,
    SecurityAppliance,
    StorageServer,
    ComputeServer,
    WHServer,
    PhoneNT,
    MultiUserTS,
    MaxSuiteType
} SUITE_TYPE;
NTKERNELAPI BOOLEAN NTAPI ExVerifySuite(SUITE_TYPE SuiteType);

/* ---------------------------------------------------------------------------------------------
 * Lookaside lists
 * ------------------------------------------------------------------------------------------- */

struct _LOOKASIDE_LIST_EX;
typedef PVOID(NTAPI *PALLOCATE_FUNCTION)(POOL_TYPE PoolType, SIZE_T NumberOfBytes, ULONG Tag);
typedef VOID(NTAPI *PFREE_FUNCTION)(PVOID Buffer);
typedef PVOID(NTAPI *PALLOCATE_FUNCTION_EX)(POOL_TYPE PoolType, SIZE_T NumberOfBytes, ULONG Tag,
                                           struct _LOOKASIDE_LIST_EX *Lookaside);
typedef VOID(NTAPI *PFREE_FUNCTION_EX)(PVOID Buffer, struct _LOOKASIDE_LIST_EX *Lookaside);
typedef PVOID(NTAPI ALLOCATE_FUNCTION_EX)(POOL_TYPE PoolType, SIZE_T NumberOfBytes, ULONG Tag,
                                         struct _LOOKASIDE_LIST_EX *Lookaside);
typedef VOID(NTAPI FREE_FUNCTION_EX)(PVOID Buffer, struct _LOOKASIDE_LIST_EX *Lookaside);

#define GENERAL_LOOKASIDE_LAYOUT                    \
    union {                                         \
        SLIST_HEADER ListHead;                      \
        SINGLE_LIST_ENTRY SingleListHead;           \
    };                                              \
    USHORT Depth;                                   \
    USHORT MaximumDepth;                            \
    ULONG TotalAllocates;                           \
    union {                                         \
        ULONG AllocateMisses;                       \
        ULONG AllocateHits;                         \
    };                                              \
    ULONG TotalFrees;                               \
    union {                                         \
        ULONG FreeMisses;                           \
        ULONG FreeHits;                             \
    };                                              \
    POOL_TYPE Type;                                 \
    ULONG Tag;                                      \
    ULONG Size;                                     \
    union {                                         \
        PALLOCATE_FUNCTION_EX AllocateEx;           \
        PALLOCATE_FUNCTION Allocate;                \
    };                                              \
    union {                                         \
        PFREE_FUNCTION_EX FreeEx;                   \
        PFREE_FUNCTION Free;                        \
    };                                              \
    LIST_ENTRY ListEntry;                           \
    ULONG LastTotalAllocates;                       \
    union {                                         \
        ULONG LastAllocateMisses;                   \
        ULONG LastAllocateHits;                     \
    };                                              \
    ULONG Future[2];

typedef struct DECLSPEC_CACHEALIGN _GENERAL_LOOKASIDE {
    GENERAL_LOOKASIDE_LAYOUT
} GENERAL_LOOKASIDE, *PGENERAL_LOOKASIDE;
typedef struct _GENERAL_LOOKASIDE_POOL {
    GENERAL_LOOKASIDE_LAYOUT
} GENERAL_LOOKASIDE_POOL, *PGENERAL_LOOKASIDE_POOL;
typedef struct _NPAGED_LOOKASIDE_LIST {
    GENERAL_LOOKASIDE L;
} NPAGED_LOOKASIDE_LIST, *PNPAGED_LOOKASIDE_LIST;
typedef struct _PAGED_LOOKASIDE_LIST {
    GENERAL_LOOKASIDE L;
} PAGED_LOOKASIDE_LIST, *PPAGED_LOOKASIDE_LIST;
typedef struct _LOOKASIDE_LIST_EX {
    GENERAL_LOOKASIDE_POOL L;
} LOOKASIDE_LIST_EX, *PLOOKASIDE_LIST_EX;

C_ASSERT(sizeof(GENERAL_LOOKASIDE) == 0x80);
C_ASSERT(sizeof(GENERAL_LOOKASIDE_POOL) == 0x60);
C_ASSERT(sizeof(NPAGED_LOOKASIDE_LIST) == 0x80);
C_ASSERT(sizeof(PAGED_LOOKASIDE_LIST) == 0x80);
C_ASSERT(sizeof(LOOKASIDE_LIST_EX) == 0x60);
C_ASSERT(FIELD_OFFSET(GENERAL_LOOKASIDE, Depth) == 0x10);
C_ASSERT(FIELD_OFFSET(GENERAL_LOOKASIDE, Type) == 0x24);
C_ASSERT(FIELD_OFFSET(GENERAL_LOOKASIDE, Allocate) == 0x30);
C_ASSERT(FIELD_OFFSET(GENERAL_LOOKASIDE, ListEntry) == 0x40);
C_ASSERT(FIELD_OFFSET(GENERAL_LOOKASIDE, Future) == 0x58);

#define LOOKASIDE_MINIMUM_BLOCK_SIZE (RTL_SIZEOF_THROUGH_FIELD(SLIST_ENTRY, Next))
#define EX_LOOKASIDE_LIST_EX_FLAGS_RAISE_ON_FAIL 0x00000001UL
#define EX_LOOKASIDE_LIST_EX_FLAGS_FAIL_NO_RAISE 0x00000002UL
#define EX_MAXIMUM_LOOKASIDE_DEPTH_BASE 256
#define EX_MAXIMUM_LOOKASIDE_DEPTH_LIMIT 1024

/* Initialise/delete: IRQL <= DISPATCH_LEVEL (paged lists: <= APC_LEVEL). Allocate/Free NULL means
 * pool with the list's type and tag. Depth must be 0. Flags are POOL_* modifiers OR-ed into the type.
 * Delete frees every cached entry with the list's Free routine. */
NTKERNELAPI VOID NTAPI ExInitializeNPagedLookasideList(PNPAGED_LOOKASIDE_LIST Lookaside, PALLOCATE_FUNCTION Allocate,
                                                       PFREE_FUNCTION Free, ULONG Flags, SIZE_T Size, ULONG Tag,
                                                       USHORT Depth);
NTKERNELAPI VOID NTAPI ExDeleteNPagedLookasideList(PNPAGED_LOOKASIDE_LIST Lookaside);
NTKERNELAPI PVOID NTAPI ExAllocateFromNPagedLookasideList(PNPAGED_LOOKASIDE_LIST Lookaside);
NTKERNELAPI VOID NTAPI ExFreeToNPagedLookasideList(PNPAGED_LOOKASIDE_LIST Lookaside, PVOID Entry);
NTKERNELAPI VOID NTAPI ExInitializePagedLookasideList(PPAGED_LOOKASIDE_LIST Lookaside, PALLOCATE_FUNCTION Allocate,
                                                      PFREE_FUNCTION Free, ULONG Flags, SIZE_T Size, ULONG Tag,
                                                      USHORT Depth);
NTKERNELAPI VOID NTAPI ExDeletePagedLookasideList(PPAGED_LOOKASIDE_LIST Lookaside);
NTKERNELAPI PVOID NTAPI ExAllocateFromPagedLookasideList(PPAGED_LOOKASIDE_LIST Lookaside);
NTKERNELAPI VOID NTAPI ExFreeToPagedLookasideList(PPAGED_LOOKASIDE_LIST Lookaside, PVOID Entry);
/* Returns STATUS_INVALID_PARAMETER_5 for unknown or conflicting Flags. */
NTKERNELAPI NTSTATUS NTAPI ExInitializeLookasideListEx(PLOOKASIDE_LIST_EX Lookaside, PALLOCATE_FUNCTION_EX Allocate,
                                                       PFREE_FUNCTION_EX Free, POOL_TYPE PoolType, ULONG Flags,
                                                       SIZE_T Size, ULONG Tag, USHORT Depth);
NTKERNELAPI VOID NTAPI ExDeleteLookasideListEx(PLOOKASIDE_LIST_EX Lookaside);
/* Returns every cached entry to the list's Free routine. */
NTKERNELAPI VOID NTAPI ExFlushLookasideListEx(PLOOKASIDE_LIST_EX Lookaside);
NTKERNELAPI PVOID NTAPI ExAllocateFromLookasideListEx(PLOOKASIDE_LIST_EX Lookaside);
NTKERNELAPI VOID NTAPI ExFreeToLookasideListEx(PLOOKASIDE_LIST_EX Lookaside, PVOID Entry);

/* ---------------------------------------------------------------------------------------------
 * Fast mutexes and guarded mutexes (one layout since Windows 8). Not recursive: acquiring one the
 * caller already owns is the verifier's self-deadlock bugcheck (DRIVER_VERIFIER_DETECTED_VIOLATION
 * 0x1000); releasing one the caller does not own is 0x1004 (another owner) or 0x1007 (unowned).
 * ------------------------------------------------------------------------------------------- */

#define FM_LOCK_BIT 0x1
#define FM_LOCK_BIT_V 0x0
#define FM_LOCK_WAITER_WOKEN 0x2
#define FM_LOCK_WAITER_INC 0x4

typedef struct _FAST_MUTEX {
    volatile LONG Count;
    PVOID Owner;
    ULONG Contention;
    KEVENT Event;
    ULONG OldIrql;
} FAST_MUTEX, *PFAST_MUTEX, KGUARDED_MUTEX, *PKGUARDED_MUTEX;
C_ASSERT(sizeof(FAST_MUTEX) == 0x38);
C_ASSERT(FIELD_OFFSET(FAST_MUTEX, Event) == 0x18);
C_ASSERT(FIELD_OFFSET(FAST_MUTEX, OldIrql) == 0x30);

/* Any IRQL <= DISPATCH_LEVEL. */
NTKERNELAPI VOID NTAPI ExInitializeFastMutex(PFAST_MUTEX FastMutex);
/* IRQL <= APC_LEVEL; returns at APC_LEVEL, owning the mutex (previous IRQL kept in OldIrql). */
NTKERNELAPI VOID FASTCALL ExAcquireFastMutex(PFAST_MUTEX FastMutex);
/* IRQL APC_LEVEL, owner only; restores the IRQL saved by the acquire. */
NTKERNELAPI VOID FASTCALL ExReleaseFastMutex(PFAST_MUTEX FastMutex);
NTKERNELAPI BOOLEAN FASTCALL ExTryToAcquireFastMutex(PFAST_MUTEX FastMutex);
/* The caller is at APC_LEVEL or inside a critical region; IRQL is left alone. */
NTKERNELAPI VOID FASTCALL ExAcquireFastMutexUnsafe(PFAST_MUTEX FastMutex);
NTKERNELAPI VOID FASTCALL ExReleaseFastMutexUnsafe(PFAST_MUTEX FastMutex);

/* Guarded mutexes enter a guarded region (all APCs disabled) instead of raising IRQL. */
NTKERNELAPI VOID FASTCALL KeInitializeGuardedMutex(PKGUARDED_MUTEX Mutex);
NTKERNELAPI VOID FASTCALL KeAcquireGuardedMutex(PKGUARDED_MUTEX Mutex);
NTKERNELAPI VOID FASTCALL KeReleaseGuardedMutex(PKGUARDED_MUTEX Mutex);
NTKERNELAPI BOOLEAN FASTCALL KeTryToAcquireGuardedMutex(PKGUARDED_MUTEX Mutex);
NTKERNELAPI VOID FASTCALL KeAcquireGuardedMutexUnsafe(PKGUARDED_MUTEX FastMutex);
NTKERNELAPI VOID FASTCALL KeReleaseGuardedMutexUnsafe(PKGUARDED_MUTEX FastMutex);

/* ---------------------------------------------------------------------------------------------
 * Executive resources (ERESOURCE): reader/writer locks with recursion, owned by threads or by an
 * owner pointer. Acquire with normal kernel APCs disabled (KeEnterCriticalRegion) or at APC_LEVEL
 * (verifier bugcheck 0xC4/0x37 otherwise); release at IRQL <= DISPATCH_LEVEL.
 * ------------------------------------------------------------------------------------------- */

typedef ULONG_PTR ERESOURCE_THREAD, *PERESOURCE_THREAD;

typedef struct _OWNER_ENTRY {
    ERESOURCE_THREAD OwnerThread;
    union {
        struct {
            ULONG IoPriorityBoosted : 1;
            ULONG OwnerReferenced : 1;
            ULONG IoQoSPriorityBoosted : 1;
            ULONG OwnerCount : 29;
        };
        ULONG TableSize;
    };
} OWNER_ENTRY, *POWNER_ENTRY;
C_ASSERT(sizeof(OWNER_ENTRY) == 0x10);

typedef struct _ERESOURCE {
    LIST_ENTRY SystemResourcesList;
    POWNER_ENTRY OwnerTable;
    SHORT ActiveCount;
    union {
        USHORT Flag;
        struct {
            UCHAR ReservedLowFlags;
            UCHAR WaiterPriority;
        };
    };
    PKSEMAPHORE SharedWaiters;
    PKEVENT ExclusiveWaiters;
    OWNER_ENTRY OwnerEntry;
    ULONG ActiveEntries;
    ULONG ContentionCount;
    ULONG NumberOfSharedWaiters;
    ULONG NumberOfExclusiveWaiters;
    PVOID Reserved2;
    union {
        PVOID Address;
        ULONG_PTR CreatorBackTraceIndex;
    };
    KSPIN_LOCK SpinLock;
} ERESOURCE, *PERESOURCE;
C_ASSERT(sizeof(ERESOURCE) == 0x68);
C_ASSERT(FIELD_OFFSET(ERESOURCE, OwnerEntry) == 0x30);
C_ASSERT(FIELD_OFFSET(ERESOURCE, NumberOfExclusiveWaiters) == 0x4c);
C_ASSERT(FIELD_OFFSET(ERESOURCE, SpinLock) == 0x60);

#define ResourceDisableBoost 0x0008
#define ResourceNeverExclusive 0x0010
#define ResourceReleaseByOtherThread 0x0020
#define ResourceOwnedExclusive 0x0080
#define RESOURCE_HASH_TABLE_SIZE 64

#define ExGetCurrentResourceThread() ((ERESOURCE_THREAD)KeGetCurrentThread())

NTKERNELAPI NTSTATUS NTAPI ExInitializeResourceLite(PERESOURCE Resource);
NTKERNELAPI NTSTATUS NTAPI ExReinitializeResourceLite(PERESOURCE Resource);
NTKERNELAPI NTSTATUS NTAPI ExDeleteResourceLite(PERESOURCE Resource);
/* Wait FALSE: return FALSE at once when access cannot be granted immediately. */
NTKERNELAPI BOOLEAN NTAPI ExAcquireResourceExclusiveLite(PERESOURCE Resource, BOOLEAN Wait);
NTKERNELAPI BOOLEAN NTAPI ExAcquireResourceSharedLite(PERESOURCE Resource, BOOLEAN Wait);
NTKERNELAPI BOOLEAN NTAPI ExAcquireSharedStarveExclusive(PERESOURCE Resource, BOOLEAN Wait);
NTKERNELAPI BOOLEAN NTAPI ExAcquireSharedWaitForExclusive(PERESOURCE Resource, BOOLEAN Wait);
NTKERNELAPI BOOLEAN NTAPI ExTryToAcquireResourceExclusiveLite(PERESOURCE Resource);
/* Bugchecks RESOURCE_NOT_OWNED when the thread (or owner pointer) does not own the resource. */
NTKERNELAPI VOID FASTCALL ExReleaseResourceLite(PERESOURCE Resource);
NTKERNELAPI VOID NTAPI ExReleaseResourceForThreadLite(PERESOURCE Resource, ERESOURCE_THREAD ResourceThreadId);
/* OwnerPointer must have its two low bits set (RESOURCE_OWNER_POINTER_INVALID otherwise). */
NTKERNELAPI VOID NTAPI ExSetResourceOwnerPointer(PERESOURCE Resource, PVOID OwnerPointer);
/* <= DISPATCH_LEVEL. ExSetResourceOwnerPointer with Flags 0 or FLAG_OWNER_POINTER_IS_THREAD (the owner
 * pointer is then a thread's ExGetCurrentResourceThread value, its low two bits set): the flag tells
 * NT whose priority to boost, which ntio never does.
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-exsetresourceownerpointerex */
#define FLAG_OWNER_POINTER_IS_THREAD 0x1
NTKERNELAPI VOID NTAPI ExSetResourceOwnerPointerEx(PERESOURCE Resource, PVOID OwnerPointer, ULONG Flags);
/* Marks the resource ResourceDisableBoost: NT then no longer boosts its owners' priority (ntio never
 * boosts). Any IRQL <= DISPATCH_LEVEL. */
NTKERNELAPI VOID NTAPI ExDisableResourceBoostLite(PERESOURCE Resource);
NTKERNELAPI BOOLEAN NTAPI ExIsResourceAcquiredExclusiveLite(PERESOURCE Resource);
/* Returns how many times the caller holds the resource (shared or exclusive), 0 if not at all. */
NTKERNELAPI ULONG NTAPI ExIsResourceAcquiredSharedLite(PERESOURCE Resource);
NTKERNELAPI VOID NTAPI ExConvertExclusiveToSharedLite(PERESOURCE Resource);
NTKERNELAPI ULONG NTAPI ExGetExclusiveWaiterCount(PERESOURCE Resource);
NTKERNELAPI ULONG NTAPI ExGetSharedWaiterCount(PERESOURCE Resource);
NTKERNELAPI PVOID NTAPI ExEnterCriticalRegionAndAcquireResourceExclusive(PERESOURCE Resource);
NTKERNELAPI PVOID NTAPI ExEnterCriticalRegionAndAcquireResourceShared(PERESOURCE Resource);
NTKERNELAPI PVOID NTAPI ExEnterCriticalRegionAndAcquireSharedWaitForExclusive(PERESOURCE Resource);
NTKERNELAPI VOID FASTCALL ExReleaseResourceAndLeaveCriticalRegion(PERESOURCE Resource);
#define ExAcquireResourceExclusive ExAcquireResourceExclusiveLite
#define ExAcquireResourceShared ExAcquireResourceSharedLite
#define ExReleaseResource(R) (ExReleaseResourceLite(R))
#define ExReleaseResourceForThread ExReleaseResourceForThreadLite
#define ExIsResourceAcquiredLite ExIsResourceAcquiredSharedLite
#define ExIsResourceAcquiredExclusive ExIsResourceAcquiredExclusiveLite
#define ExIsResourceAcquiredShared ExIsResourceAcquiredSharedLite
/* The old names the WDK maps to the Lite routines (<ntddk.h>; ExDisableResourceBoost <ntifs.h>). */
#define ExInitializeResource ExInitializeResourceLite
#define ExDeleteResource ExDeleteResourceLite
#define ExConvertExclusiveToShared ExConvertExclusiveToSharedLite
#define ExIsResourceAcquired ExIsResourceAcquiredSharedLite
#define ExDisableResourceBoost ExDisableResourceBoostLite

/* ---------------------------------------------------------------------------------------------
 * System work items (ExQueueWorkItem; drivers with a device object should prefer IoQueueWorkItem).
 * ------------------------------------------------------------------------------------------- */

typedef enum _WORK_QUEUE_TYPE {
    CriticalWorkQueue,
    DelayedWorkQueue,
    HyperCriticalWorkQueue,
    NormalWorkQueue,
    BackgroundWorkQueue,
    RealTimeWorkQueue,
    SuperCriticalWorkQueue,
    MaximumWorkQueue,
    CustomPriorityWorkQueue = 32
} WORK_QUEUE_TYPE;

typedef VOID(NTAPI WORKER_THREAD_ROUTINE)(PVOID Parameter);
typedef WORKER_THREAD_ROUTINE *PWORKER_THREAD_ROUTINE;

typedef struct _WORK_QUEUE_ITEM {
    LIST_ENTRY List;
    PWORKER_THREAD_ROUTINE WorkerRoutine;
    __volatile PVOID Parameter;
} WORK_QUEUE_ITEM, *PWORK_QUEUE_ITEM;
C_ASSERT(sizeof(WORK_QUEUE_ITEM) == 0x20);

/* A function rather than the WDK's comma-expression macro: same call syntax, and no C++20 warning
 * about assigning the volatile Parameter inside an expression. */
FORCEINLINE VOID ExInitializeWorkItem(PWORK_QUEUE_ITEM Item, PWORKER_THREAD_ROUTINE Routine, PVOID Context) {
    Item->WorkerRoutine = Routine;
    Item->Parameter = Context;
    Item->List.Flink = NULL;
}

/* IRQL <= DISPATCH_LEVEL. The routine runs at PASSIVE_LEVEL on a system worker thread of the
 * caller's System; the item belongs to the system until the routine starts. Queuing an item that is
 * still queued is WORKER_INVALID. */
NTKERNELAPI VOID NTAPI ExQueueWorkItem(PWORK_QUEUE_ITEM WorkItem, WORK_QUEUE_TYPE QueueType);

/* ---- Run-down protection ----
 * A shared object's references that a driver can stop handing out and wait for: acquires succeed
 * until ExWaitForRundownProtectionRelease starts, which returns once every acquired reference has
 * been released. Acquire and release at IRQL <= DISPATCH_LEVEL; wait at IRQL <= APC_LEVEL. */
typedef struct _EX_RUNDOWN_REF {
    union {
        __volatile ULONG_PTR Count;
        __volatile PVOID Ptr;
    };
} EX_RUNDOWN_REF, *PEX_RUNDOWN_REF;
C_ASSERT(sizeof(EX_RUNDOWN_REF) == sizeof(PVOID));

NTKERNELAPI VOID NTAPI ExInitializeRundownProtection(PEX_RUNDOWN_REF RunRef);
NTKERNELAPI VOID NTAPI ExReInitializeRundownProtection(PEX_RUNDOWN_REF RunRef);
NTKERNELAPI BOOLEAN NTAPI ExAcquireRundownProtection(PEX_RUNDOWN_REF RunRef);
NTKERNELAPI BOOLEAN NTAPI ExAcquireRundownProtectionEx(PEX_RUNDOWN_REF RunRef, ULONG Count);
NTKERNELAPI VOID NTAPI ExReleaseRundownProtection(PEX_RUNDOWN_REF RunRef);
NTKERNELAPI VOID NTAPI ExReleaseRundownProtectionEx(PEX_RUNDOWN_REF RunRef, ULONG Count);
NTKERNELAPI VOID NTAPI ExWaitForRundownProtectionRelease(PEX_RUNDOWN_REF RunRef);
NTKERNELAPI VOID NTAPI ExRundownCompleted(PEX_RUNDOWN_REF RunRef);

/* Cache-aware run-down protection: the same contract, with one counter per processor (each on its
 * own cache line) so that acquires and releases on different processors do not share a line. The
 * structure is opaque; its storage is either allocated here (ExAllocate..., freed with
 * ExFreeCacheAwareRundownProtection, PASSIVE_LEVEL... DISPATCH_LEVEL for nonpaged pool) or the
 * caller's, of ExSizeOfRundownProtectionCacheAware() bytes, set up with
 * ExInitializeRundownProtectionCacheAware. A reference may be released on another processor than
 * the one it was acquired on.
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-exallocatecacheawarerundownprotection */
typedef struct _EX_RUNDOWN_REF_CACHE_AWARE *PEX_RUNDOWN_REF_CACHE_AWARE;
NTKERNELAPI PEX_RUNDOWN_REF_CACHE_AWARE NTAPI ExAllocateCacheAwareRundownProtection(_In_ POOL_TYPE PoolType,
                                                                                   _In_ ULONG PoolTag);
NTKERNELAPI SIZE_T NTAPI ExSizeOfRundownProtectionCacheAware(VOID);
NTKERNELAPI VOID NTAPI ExInitializeRundownProtectionCacheAware(_Out_ PEX_RUNDOWN_REF_CACHE_AWARE RunRefCacheAware,
                                                               _In_ SIZE_T RunRefSize);
NTKERNELAPI VOID NTAPI ExFreeCacheAwareRundownProtection(_Inout_ PEX_RUNDOWN_REF_CACHE_AWARE RunRefCacheAware);
NTKERNELAPI BOOLEAN NTAPI ExAcquireRundownProtectionCacheAware(_Inout_ PEX_RUNDOWN_REF_CACHE_AWARE RunRefCacheAware);
NTKERNELAPI BOOLEAN NTAPI ExAcquireRundownProtectionCacheAwareEx(_Inout_ PEX_RUNDOWN_REF_CACHE_AWARE RunRefCacheAware,
                                                                 _In_ ULONG Count);
NTKERNELAPI VOID NTAPI ExReleaseRundownProtectionCacheAware(_Inout_ PEX_RUNDOWN_REF_CACHE_AWARE RunRefCacheAware);
NTKERNELAPI VOID NTAPI ExReleaseRundownProtectionCacheAwareEx(_Inout_ PEX_RUNDOWN_REF_CACHE_AWARE RunRef,
                                                              _In_ ULONG Count);
NTKERNELAPI VOID NTAPI ExWaitForRundownProtectionReleaseCacheAware(_Inout_ PEX_RUNDOWN_REF_CACHE_AWARE RunRef);
NTKERNELAPI VOID NTAPI ExRundownCompletedCacheAware(_Inout_ PEX_RUNDOWN_REF_CACHE_AWARE RunRefCacheAware);
NTKERNELAPI VOID NTAPI ExReInitializeRundownProtectionCacheAware(_Inout_ PEX_RUNDOWN_REF_CACHE_AWARE RunRefCacheAware);

/* ---------------------------------------------------------------------------------------------
 * Local time and UUIDs
 * ------------------------------------------------------------------------------------------- */

/* Any IRQL. Between system time (UTC) and local time, with the time zone bias in force at that
 * instant (daylight saving time included). */
NTKERNELAPI VOID NTAPI ExSystemTimeToLocalTime(_In_ PLARGE_INTEGER SystemTime, _Out_ PLARGE_INTEGER LocalTime);
NTKERNELAPI VOID NTAPI ExLocalTimeToSystemTime(_In_ PLARGE_INTEGER LocalTime, _Out_ PLARGE_INTEGER SystemTime);

#ifndef UUID_DEFINED
#define UUID_DEFINED
typedef GUID UUID;
#endif
/* PASSIVE_LEVEL. A version 4 (random) UUID. */
NTKERNELAPI NTSTATUS NTAPI ExUuidCreate(_Out_ UUID *Uuid);

/* PASSIVE_LEVEL. Processor features (winnt.h values, shared with IsProcessorFeaturePresent). */
#ifndef PF_FLOATING_POINT_PRECISION_ERRATA
#define PF_FLOATING_POINT_PRECISION_ERRATA 0
#define PF_FLOATING_POINT_EMULATED 1
#define PF_COMPARE_EXCHANGE_DOUBLE 2
#define PF_MMX_INSTRUCTIONS_AVAILABLE 3
#define PF_PPC_MOVEMEM_64BIT_OK 4
#define PF_ALPHA_BYTE_INSTRUCTIONS 5
#define PF_XMMI_INSTRUCTIONS_AVAILABLE 6
#define PF_3DNOW_INSTRUCTIONS_AVAILABLE 7
#define PF_RDTSC_INSTRUCTION_AVAILABLE 8
#define PF_PAE_ENABLED 9
#define PF_XMMI64_INSTRUCTIONS_AVAILABLE 10
#define PF_SSE_DAZ_MODE_AVAILABLE 11
#define PF_NX_ENABLED 12
#define PF_SSE3_INSTRUCTIONS_AVAILABLE 13
#define PF_COMPARE_EXCHANGE128 14
#define PF_COMPARE64_EXCHANGE128 15
#define PF_CHANNELS_ENABLED 16
#define PF_XSAVE_ENABLED 17
#define PF_ARM_VFP_32_REGISTERS_AVAILABLE 18
#define PF_ARM_NEON_INSTRUCTIONS_AVAILABLE 19
#define PF_SECOND_LEVEL_ADDRESS_TRANSLATION 20
#define PF_VIRT_FIRMWARE_ENABLED 21
#define PF_RDWRFSGSBASE_AVAILABLE 22
#define PF_FASTFAIL_AVAILABLE 23
#define PF_RDRAND_INSTRUCTION_AVAILABLE 28
#define PF_RDTSCP_INSTRUCTION_AVAILABLE 32
#define PF_RDPID_INSTRUCTION_AVAILABLE 33
#define PF_SSSE3_INSTRUCTIONS_AVAILABLE 36
#define PF_SSE4_1_INSTRUCTIONS_AVAILABLE 37
#define PF_SSE4_2_INSTRUCTIONS_AVAILABLE 38
#define PF_AVX_INSTRUCTIONS_AVAILABLE 39
#define PF_AVX2_INSTRUCTIONS_AVAILABLE 40
#define PF_AVX512F_INSTRUCTIONS_AVAILABLE 41
#define PF_ERMS_AVAILABLE 42
#endif
NTKERNELAPI BOOLEAN NTAPI ExIsProcessorFeaturePresent(_In_ ULONG ProcessorFeature);
/* <= APC_LEVEL. DesiredTime in 100 ns units; returns the resolution now in force. */
NTKERNELAPI ULONG NTAPI ExSetTimerResolution(_In_ ULONG DesiredTime, _In_ BOOLEAN SetResolution);

/* ---------------------------------------------------------------------------------------------
 * System-allocated (high-resolution) timers: ExAllocateTimer and friends. An EX_TIMER is a waitable
 * dispatcher object (KeWaitForSingleObject on the pointer waits for expiry).
 * https://learn.microsoft.com/windows-hardware/drivers/kernel/exxxxtimer-routines-and-ex-timer-objects
 * ------------------------------------------------------------------------------------------- */

typedef struct _EX_TIMER *PEX_TIMER;

typedef VOID EXT_CALLBACK(_In_ PEX_TIMER Timer, _In_opt_ PVOID Context);
typedef EXT_CALLBACK *PEXT_CALLBACK;
typedef VOID EXT_DELETE_CALLBACK(_In_opt_ PVOID Context);
typedef EXT_DELETE_CALLBACK *PEXT_DELETE_CALLBACK;
typedef PVOID PEXT_CANCEL_PARAMETERS;

typedef struct _EXT_SET_PARAMETERS_V0 {
    ULONG Version;
    ULONG Reserved;
    LONGLONG NoWakeTolerance;
} EXT_SET_PARAMETERS, *PEXT_SET_PARAMETERS;
typedef EXT_SET_PARAMETERS KT2_SET_PARAMETERS, *PKT2_SET_PARAMETERS;

typedef struct _EXT_DELETE_PARAMETERS {
    ULONG Version;
    ULONG Reserved;
    PEXT_DELETE_CALLBACK DeleteCallback;
    PVOID DeleteContext;
} EXT_DELETE_PARAMETERS, *PEXT_DELETE_PARAMETERS;

#define EX_TIMER_HIGH_RESOLUTION 0x4
#define EX_TIMER_NO_WAKE 0x8
#define EX_TIMER_NOTIFICATION (1UL << 31)
#define EX_TIMER_UNLIMITED_TOLERANCE ((LONGLONG)-1)

/* Any IRQL. */
FORCEINLINE VOID ExInitializeSetTimerParameters(_Out_ PEXT_SET_PARAMETERS Parameters) {
    Parameters->Version = 0;
    Parameters->Reserved = 0;
    Parameters->NoWakeTolerance = EX_TIMER_UNLIMITED_TOLERANCE;
}
FORCEINLINE VOID ExInitializeDeleteTimerParameters(_Out_ PEXT_DELETE_PARAMETERS Parameters) {
    Parameters->Version = 0;
    Parameters->Reserved = 0;
    Parameters->DeleteCallback = NULL;
    Parameters->DeleteContext = NULL;
}

/* <= DISPATCH_LEVEL. NULL when memory runs out. EX_TIMER_HIGH_RESOLUTION with EX_TIMER_NO_WAKE
 * bugchecks. The callback runs at DISPATCH_LEVEL at each expiry. */
NTKERNELAPI PEX_TIMER NTAPI ExAllocateTimer(_In_opt_ PEXT_CALLBACK Callback, _In_opt_ PVOID CallbackContext,
                                            _In_ ULONG Attributes);
/* <= DISPATCH_LEVEL. DueTime: negative relative, else absolute system time (100 ns units); a
 * high-resolution timer takes relative times only. Period 0: one shot. TRUE when a pending expiry
 * was cancelled. */
NTKERNELAPI BOOLEAN NTAPI ExSetTimer(_In_ PEX_TIMER Timer, _In_ LONGLONG DueTime, _In_ LONGLONG Period,
                                     _In_opt_ PEXT_SET_PARAMETERS Parameters);
/* <= DISPATCH_LEVEL. TRUE when the timer was set and is now cancelled. */
NTKERNELAPI BOOLEAN NTAPI ExCancelTimer(_Inout_ PEX_TIMER Timer, _In_opt_ PEXT_CANCEL_PARAMETERS Parameters);
/* Wait: <= APC_LEVEL, else <= DISPATCH_LEVEL. Wait requires Cancel. The DeleteCallback runs once the
 * timer is gone (before the return when Wait). */
NTKERNELAPI BOOLEAN NTAPI ExDeleteTimer(_In_ PEX_TIMER Timer, _In_ BOOLEAN Cancel, _In_ BOOLEAN Wait,
                                        _In_opt_ PEXT_DELETE_PARAMETERS Parameters);

NTIO_END_DECLS

#endif /* NTIO_DDK_EX_H */
