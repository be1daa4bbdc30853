/* <ntddk.h> piece for the generic (dynamic, linear-hashing) hash tables of Windows 7 and later: the
 * caller embeds an RTL_DYNAMIC_HASH_TABLE_ENTRY in each record and picks its signature (hash); the
 * table keeps the buckets and grows or shrinks one bucket at a time on request. Exact WDK spellings
 * and layouts; compiles alone in C11 and C++20.
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nf-ntddk-rtlcreatehashtable */
#ifndef NTIO_DDK_RTL_HASH_TABLE_H
#define NTIO_DDK_RTL_HASH_TABLE_H
#include "basetypes.h"
#include "sal.h"
#include "rtl.h"

#define RTL_HASH_ALLOCATED_HEADER 0x00000001
/* The signature the table gives its enumerators' place holders; a record must not use it. */
#define RTL_HASH_RESERVED_SIGNATURE 0

typedef struct _RTL_DYNAMIC_HASH_TABLE_ENTRY {
    LIST_ENTRY Linkage;
    ULONG_PTR Signature;
} RTL_DYNAMIC_HASH_TABLE_ENTRY, *PRTL_DYNAMIC_HASH_TABLE_ENTRY;

#define HASH_ENTRY_KEY(x) ((x)->Signature)

typedef struct _RTL_DYNAMIC_HASH_TABLE_CONTEXT {
    PLIST_ENTRY ChainHead;
    PLIST_ENTRY PrevLinkage;
    ULONG_PTR Signature;
} RTL_DYNAMIC_HASH_TABLE_CONTEXT, *PRTL_DYNAMIC_HASH_TABLE_CONTEXT;

typedef struct _RTL_DYNAMIC_HASH_TABLE_ENUMERATOR {
    union {
        RTL_DYNAMIC_HASH_TABLE_ENTRY HashEntry;
        PLIST_ENTRY CurEntry;
    };
    PLIST_ENTRY ChainHead;
    ULONG BucketIndex;
} RTL_DYNAMIC_HASH_TABLE_ENUMERATOR, *PRTL_DYNAMIC_HASH_TABLE_ENUMERATOR;

typedef struct _RTL_DYNAMIC_HASH_TABLE {
    ULONG Flags;
    ULONG Shift;
    ULONG TableSize;
    ULONG Pivot;
    ULONG DivisorMask;
    ULONG NumEntries;
    ULONG NonEmptyBuckets;
    ULONG NumEnumerators;
    PVOID Directory;
} RTL_DYNAMIC_HASH_TABLE, *PRTL_DYNAMIC_HASH_TABLE;

C_ASSERT(sizeof(RTL_DYNAMIC_HASH_TABLE_ENTRY) == 24);
C_ASSERT(sizeof(RTL_DYNAMIC_HASH_TABLE_CONTEXT) == 24);
C_ASSERT(sizeof(RTL_DYNAMIC_HASH_TABLE_ENUMERATOR) == 40);
C_ASSERT(sizeof(RTL_DYNAMIC_HASH_TABLE) == 40);

/* The context and statistics helpers are FORCEINLINE in the WDK.
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nf-ntddk-rtlinithashtablecontext */
FORCEINLINE VOID RtlInitHashTableContext(_Inout_ PRTL_DYNAMIC_HASH_TABLE_CONTEXT Context)
{
    Context->ChainHead = NULL;
    Context->PrevLinkage = NULL;
}

/* https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nf-ntddk-rtlinithashtablecontextfromenumerator */
FORCEINLINE VOID RtlInitHashTableContextFromEnumerator(
    _Inout_ PRTL_DYNAMIC_HASH_TABLE_CONTEXT Context, _In_ PRTL_DYNAMIC_HASH_TABLE_ENUMERATOR Enumerator)
{
    Context->ChainHead = Enumerator->ChainHead;
    Context->PrevLinkage = Enumerator->HashEntry.Linkage.Blink;
}

/* https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nf-ntddk-rtlreleasehashtablecontext */
FORCEINLINE VOID RtlReleaseHashTableContext(_Inout_ PRTL_DYNAMIC_HASH_TABLE_CONTEXT Context)
{
    UNREFERENCED_PARAMETER(Context);
}

/* https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nf-ntddk-rtltotalbucketshashtable */
FORCEINLINE ULONG RtlTotalBucketsHashTable(_In_ PRTL_DYNAMIC_HASH_TABLE HashTable)
{
    return HashTable->TableSize;
}

/* https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nf-ntddk-rtlnonemptybucketshashtable */
FORCEINLINE ULONG RtlNonEmptyBucketsHashTable(_In_ PRTL_DYNAMIC_HASH_TABLE HashTable)
{
    return HashTable->NonEmptyBuckets;
}

/* https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nf-ntddk-rtlemptybucketshashtable */
FORCEINLINE ULONG RtlEmptyBucketsHashTable(_In_ PRTL_DYNAMIC_HASH_TABLE HashTable)
{
    return HashTable->TableSize - HashTable->NonEmptyBuckets;
}

/* https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nf-ntddk-rtltotalentrieshashtable */
FORCEINLINE ULONG RtlTotalEntriesHashTable(_In_ PRTL_DYNAMIC_HASH_TABLE HashTable)
{
    return HashTable->NumEntries;
}

/* https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nf-ntddk-rtlactiveenumeratorshashtable */
FORCEINLINE ULONG RtlActiveEnumeratorsHashTable(_In_ PRTL_DYNAMIC_HASH_TABLE HashTable)
{
    return HashTable->NumEnumerators;
}

NTIO_BEGIN_DECLS
/* All at IRQL <= DISPATCH_LEVEL when the table and entries are in nonpaged memory (the table's own
 * directory is); the caller serializes access to one table. RtlCreateHashTable(Ex) allocate the header
 * when *HashTable is NULL (and RtlDeleteHashTable frees it); FALSE when memory runs out or Shift or
 * Flags is not zero. The entries stay the caller's: RtlDeleteHashTable does not touch them. */
NTKERNELAPI BOOLEAN NTAPI RtlCreateHashTable(_Inout_ _When_(*HashTable == NULL, __drv_allocatesMem(Mem))
                                             PRTL_DYNAMIC_HASH_TABLE *HashTable,
                                             _In_ ULONG Shift, _In_ _Reserved_ ULONG Flags);
NTKERNELAPI BOOLEAN NTAPI RtlCreateHashTableEx(_Inout_ _When_(*HashTable == NULL, __drv_allocatesMem(Mem))
                                               PRTL_DYNAMIC_HASH_TABLE *HashTable,
                                               _In_ ULONG InitialSize, _In_ ULONG Shift,
                                               _In_ _Reserved_ ULONG Flags);
NTKERNELAPI VOID NTAPI RtlDeleteHashTable(_In_ _When_((HashTable->Flags & RTL_HASH_ALLOCATED_HEADER),
                                                      __drv_freesMem(Mem) _Post_invalid_)
                                          PRTL_DYNAMIC_HASH_TABLE HashTable);
NTKERNELAPI BOOLEAN NTAPI RtlInsertEntryHashTable(_In_ PRTL_DYNAMIC_HASH_TABLE HashTable,
                                                  _In_ __drv_aliasesMem PRTL_DYNAMIC_HASH_TABLE_ENTRY Entry,
                                                  _In_ ULONG_PTR Signature,
                                                  _Inout_opt_ PRTL_DYNAMIC_HASH_TABLE_CONTEXT Context);
NTKERNELAPI BOOLEAN NTAPI RtlRemoveEntryHashTable(_In_ PRTL_DYNAMIC_HASH_TABLE HashTable,
                                                  _In_ PRTL_DYNAMIC_HASH_TABLE_ENTRY Entry,
                                                  _Inout_opt_ PRTL_DYNAMIC_HASH_TABLE_CONTEXT Context);
NTKERNELAPI PRTL_DYNAMIC_HASH_TABLE_ENTRY NTAPI RtlLookupEntryHashTable(
    _In_ PRTL_DYNAMIC_HASH_TABLE HashTable, _In_ ULONG_PTR Signature,
    _Out_opt_ PRTL_DYNAMIC_HASH_TABLE_CONTEXT Context);
NTKERNELAPI PRTL_DYNAMIC_HASH_TABLE_ENTRY NTAPI RtlGetNextEntryHashTable(
    _In_ PRTL_DYNAMIC_HASH_TABLE HashTable, _In_ PRTL_DYNAMIC_HASH_TABLE_CONTEXT Context);
NTKERNELAPI BOOLEAN NTAPI RtlInitEnumerationHashTable(_In_ PRTL_DYNAMIC_HASH_TABLE HashTable,
                                                      _Out_ PRTL_DYNAMIC_HASH_TABLE_ENUMERATOR Enumerator);
NTKERNELAPI PRTL_DYNAMIC_HASH_TABLE_ENTRY NTAPI RtlEnumerateEntryHashTable(
    _In_ PRTL_DYNAMIC_HASH_TABLE HashTable, _Inout_ PRTL_DYNAMIC_HASH_TABLE_ENUMERATOR Enumerator);
NTKERNELAPI VOID NTAPI RtlEndEnumerationHashTable(_In_ PRTL_DYNAMIC_HASH_TABLE HashTable,
                                                  _Inout_ PRTL_DYNAMIC_HASH_TABLE_ENUMERATOR Enumerator);
NTKERNELAPI BOOLEAN NTAPI RtlInitWeakEnumerationHashTable(_In_ PRTL_DYNAMIC_HASH_TABLE HashTable,
                                                          _Out_ PRTL_DYNAMIC_HASH_TABLE_ENUMERATOR Enumerator);
NTKERNELAPI PRTL_DYNAMIC_HASH_TABLE_ENTRY NTAPI RtlWeaklyEnumerateEntryHashTable(
    _In_ PRTL_DYNAMIC_HASH_TABLE HashTable, _Inout_ PRTL_DYNAMIC_HASH_TABLE_ENUMERATOR Enumerator);
NTKERNELAPI VOID NTAPI RtlEndWeakEnumerationHashTable(_In_ PRTL_DYNAMIC_HASH_TABLE HashTable,
                                                      _Inout_ PRTL_DYNAMIC_HASH_TABLE_ENUMERATOR Enumerator);
NTKERNELAPI BOOLEAN NTAPI RtlExpandHashTable(_In_ PRTL_DYNAMIC_HASH_TABLE HashTable);
NTKERNELAPI BOOLEAN NTAPI RtlContractHashTable(_In_ PRTL_DYNAMIC_HASH_TABLE HashTable);
NTIO_END_DECLS

#endif /* NTIO_DDK_RTL_HASH_TABLE_H */
