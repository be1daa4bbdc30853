/* <wdm.h>/<ntddk.h>/<ntifs.h> pieces for the pattern memory routines (fill and compare by ULONG or
 * ULONGLONG), RtlPrefetchMemoryNonTemporal, RtlCopyLuid, and the RtlStoreUlong and
 * RtlInterlockedAndBits macros. Exact WDK spellings; compiles alone in C11 and C++20.
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-rtlfillmemoryulong */
#ifndef NTIO_DDK_RTL_MEMORY_EX_H
#define NTIO_DDK_RTL_MEMORY_EX_H
#include "basetypes.h"
#include "sal.h"
#include "rtl.h"

struct _LUID; /* LUID and PLUID are in se.h; the same type */

/* https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nf-ntddk-rtlstoreulong
 * Stores VALUE at ADDRESS, which need not be aligned. */
#define RtlStoreUlong(ADDRESS, VALUE)                                     \
    do {                                                                  \
        ULONG ntio_store_value_ = (ULONG)(VALUE);                         \
        __builtin_memcpy((ADDRESS), &ntio_store_value_, sizeof(ULONG));   \
    } while (0)

/* https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nf-ntddk-rtlinterlockedandbits
 * Atomically clears in *Flags every bit clear in Flag; the macro form returns the old value. */
#define RtlInterlockedAndBits(Flags, Flag) InterlockedAnd((PLONG)(Flags), (LONG)(Flag))
#define RtlInterlockedAndBitsDiscardReturn(Flags, Flag) ((VOID)RtlInterlockedAndBits(Flags, Flag))

/* The other bit macros of <wdm.h> (no Learn page of their own; the header's forms): each returns the
 * old value of *Flags, the DiscardReturn forms nothing. */
#define RtlInterlockedSetBits(Flags, Flag) InterlockedOr((PLONG)(Flags), (LONG)(Flag))
#define RtlInterlockedClearBits(Flags, Flag) InterlockedAnd((PLONG)(Flags), ~(LONG)(Flag))
#define RtlInterlockedXorBits(Flags, Flag) InterlockedXor((PLONG)(Flags), (LONG)(Flag))
#define RtlInterlockedSetBitsDiscardReturn(Flags, Flag) ((VOID)RtlInterlockedSetBits(Flags, Flag))
#define RtlInterlockedClearBitsDiscardReturn(Flags, Flag) ((VOID)RtlInterlockedClearBits(Flags, Flag))

/* https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nf-ntddk-rtlstoreushort
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nf-ntddk-rtlstoreulonglong
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nf-ntddk-rtlstoreulongptr
 * Store VALUE at ADDRESS, which need not be aligned (RtlStoreUlongPtr: a ULONG_PTR, 8 bytes on x64). */
#define RtlStoreUshort(ADDRESS, VALUE)                                    \
    do {                                                                  \
        USHORT ntio_store_value_ = (USHORT)(VALUE);                       \
        __builtin_memcpy((ADDRESS), &ntio_store_value_, sizeof(USHORT));  \
    } while (0)
#define RtlStoreUlonglong(ADDRESS, VALUE)                                    \
    do {                                                                     \
        ULONGLONG ntio_store_value_ = (ULONGLONG)(VALUE);                    \
        __builtin_memcpy((ADDRESS), &ntio_store_value_, sizeof(ULONGLONG));  \
    } while (0)
#define RtlStoreUlongPtr(ADDRESS, VALUE) RtlStoreUlonglong(ADDRESS, VALUE)

/* https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nf-ntddk-rtlretrieveulong
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nf-ntddk-rtlretrieveushort
 * Copy the value at SRC_ADDRESS, which need not be aligned, to DEST_ADDRESS, which must be. */
#define RtlRetrieveUlong(DEST_ADDRESS, SRC_ADDRESS) ((VOID)__builtin_memcpy((DEST_ADDRESS), (SRC_ADDRESS), sizeof(ULONG)))
#define RtlRetrieveUshort(DEST_ADDRESS, SRC_ADDRESS) ((VOID)__builtin_memcpy((DEST_ADDRESS), (SRC_ADDRESS), sizeof(USHORT)))

NTIO_BEGIN_DECLS
/* Any IRQL for resident memory. Length is in bytes; the fill routines write whole patterns only
 * (Length rounded down to a multiple of the pattern) and RtlCompareMemoryUlong returns the number of
 * bytes, from the start, that match the pattern. */
NTSYSAPI VOID NTAPI RtlFillMemoryUlong(_Out_writes_bytes_all_(Length) PVOID Destination, _In_ SIZE_T Length,
                                       _In_ ULONG Pattern);
NTSYSAPI VOID NTAPI RtlFillMemoryUlonglong(_Out_writes_bytes_all_(Length) PVOID Destination, _In_ SIZE_T Length,
                                           _In_ ULONGLONG Pattern);
NTSYSAPI SIZE_T NTAPI RtlCompareMemoryUlong(_In_reads_bytes_(Length) PVOID Source, _In_ SIZE_T Length,
                                            _In_ ULONG Pattern);
/* A hint only: asks the processor to bring the range into cache without polluting it. */
NTKERNELAPI VOID NTAPI RtlPrefetchMemoryNonTemporal(_In_ PVOID Source, _In_ SIZE_T Length);
NTSYSAPI VOID NTAPI RtlCopyLuid(_Out_ struct _LUID *DestinationLuid, _In_ struct _LUID *SourceLuid);
NTIO_END_DECLS

#endif /* NTIO_DDK_RTL_MEMORY_EX_H */
