/* <ntddk.h> piece for the executive's zone allocator, which the WDK still declares (deprecated in
 * favour of lookaside lists): fixed-size blocks carved out of caller-supplied segments. The first
 * ZONE_SEGMENT_HEADER of each segment is the zone's; the blocks follow it. Allocation and freeing are
 * the WDK's macros (no serialization: the caller's, or the Interlocked forms' spin lock).
 * https://learn.microsoft.com/windows-hardware/drivers/kernel/using-lookaside-lists */
#ifndef NTIO_DDK_EX_ZONE_H
#define NTIO_DDK_EX_ZONE_H
#include "basetypes.h"
#include "sal.h"
#include "ntstatus.h"
#include "ke.h"
#include "ex.h"

typedef struct _ZONE_SEGMENT_HEADER {
    SINGLE_LIST_ENTRY SegmentList;
    PVOID Reserved;
} ZONE_SEGMENT_HEADER, *PZONE_SEGMENT_HEADER;
C_ASSERT(sizeof(ZONE_SEGMENT_HEADER) == 16);

typedef struct _ZONE_HEADER {
    SINGLE_LIST_ENTRY FreeList;
    SINGLE_LIST_ENTRY SegmentList;
    ULONG BlockSize;
    ULONG TotalSegmentSize;
} ZONE_HEADER, *PZONE_HEADER;
C_ASSERT(sizeof(ZONE_HEADER) == 24);

NTIO_BEGIN_DECLS

/* Any IRQL. BlockSize a nonzero multiple of 8 and InitialSegment 8-byte aligned, the segment holding
 * at least one block: STATUS_INVALID_PARAMETER otherwise. TotalSegmentSize counts the header and the
 * whole blocks (the tail too small for a block is not used). */
NTKERNELAPI NTSTATUS NTAPI ExInitializeZone(_Out_ PZONE_HEADER Zone, _In_ ULONG BlockSize,
                                            _Inout_ PVOID InitialSegment, _In_ ULONG InitialSegmentSize);
/* Adds a segment's blocks (Segment and SegmentSize multiples of 8, holding at least one block:
 * STATUS_UNSUCCESSFUL otherwise). The Interlocked form holds Lock meanwhile. */
NTKERNELAPI NTSTATUS NTAPI ExExtendZone(_Inout_ PZONE_HEADER Zone, _Inout_ PVOID Segment, _In_ ULONG SegmentSize);
NTKERNELAPI NTSTATUS NTAPI ExInterlockedExtendZone(_Inout_ PZONE_HEADER Zone, _Inout_ PVOID Segment,
                                                   _In_ ULONG SegmentSize, _Inout_ PKSPIN_LOCK Lock);

NTIO_END_DECLS

/* PVOID ExAllocateFromZone(PZONE_HEADER Zone): a free block or NULL. As in the WDK, two statements:
 * use it only as `p = ExAllocateFromZone(zone);`. */
#define ExAllocateFromZone(Zone) \
    (PVOID)((Zone)->FreeList.Next); \
    if ( (Zone)->FreeList.Next ) (Zone)->FreeList.Next = (Zone)->FreeList.Next->Next

/* PVOID ExFreeToZone(PZONE_HEADER Zone, PVOID Block): returns the previous first free block. */
#define ExFreeToZone(Zone,Block)                                    \
    ( ((PSINGLE_LIST_ENTRY)(Block))->Next = (Zone)->FreeList.Next,  \
      (Zone)->FreeList.Next = ((PSINGLE_LIST_ENTRY)(Block)),        \
      ((PSINGLE_LIST_ENTRY)(Block))->Next                           \
    )

/* BOOLEAN ExIsFullZone(PZONE_HEADER Zone): no free block left. */
#define ExIsFullZone(Zone) \
    ( (Zone)->FreeList.Next == (PSINGLE_LIST_ENTRY)NULL )

#define ExInterlockedAllocateFromZone(Zone,Lock) \
    (PVOID) ExInterlockedPopEntryList( &(Zone)->FreeList, Lock )

#define ExInterlockedFreeToZone(Zone,Block,Lock) \
    ExInterlockedPushEntryList( &(Zone)->FreeList, ((PSINGLE_LIST_ENTRY) (Block)), Lock )

/* BOOLEAN: the object lies within TotalSegmentSize bytes of the segment list's first segment (the one
 * added last), as the WDK computes it: exact while the zone has one segment. */
#define ExIsObjectInFirstZoneSegment(Zone,Object) ((BOOLEAN)     \
    (((PUCHAR)(Object) >= (PUCHAR)(Zone)->SegmentList.Next) &&   \
     ((PUCHAR)(Object) < (PUCHAR)(Zone)->SegmentList.Next +      \
                         (Zone)->TotalSegmentSize))              \
)

#endif /* NTIO_DDK_EX_ZONE_H */
