// Zones (ExInitializeZone & co., <ntddk.h>): a free list of fixed-size blocks carved out of the
// segments the caller supplies. Allocation and freeing are the WDK's macros over the free list.
#include <ntddk.h>

namespace {

// Pushes the blocks of `segment` (after its ZONE_SEGMENT_HEADER) on the free list, first block
// deepest; returns the bytes used (the header and the whole blocks).
ULONG carve_segment(PZONE_HEADER zone, PVOID segment, ULONG size) noexcept {
    auto* block = static_cast<PUCHAR>(segment) + sizeof(ZONE_SEGMENT_HEADER);
    ULONG used = sizeof(ZONE_SEGMENT_HEADER);
    while (size - used >= zone->BlockSize) {
        auto* entry = reinterpret_cast<PSINGLE_LIST_ENTRY>(block);
        entry->Next = zone->FreeList.Next;
        zone->FreeList.Next = entry;
        block += zone->BlockSize;
        used += zone->BlockSize;
    }
    return used;
}

bool fits_a_block(ULONG block_size, ULONG segment_size) noexcept {
    return segment_size >= sizeof(ZONE_SEGMENT_HEADER) && segment_size - sizeof(ZONE_SEGMENT_HEADER) >= block_size;
}

}  // namespace

extern "C" {

// A block size of 0 would never fill a segment: refused with the other invalid sizes.
NTKERNELAPI NTSTATUS NTAPI ExInitializeZone(PZONE_HEADER Zone, ULONG BlockSize, PVOID InitialSegment,
                                            ULONG InitialSegmentSize) {
    if (BlockSize == 0 || (BlockSize & 7) || (reinterpret_cast<ULONG_PTR>(InitialSegment) & 7) ||
        !fits_a_block(BlockSize, InitialSegmentSize))
        return STATUS_INVALID_PARAMETER;
    auto* header = static_cast<PZONE_SEGMENT_HEADER>(InitialSegment);
    header->SegmentList.Next = nullptr;
    header->Reserved = nullptr;
    Zone->BlockSize = BlockSize;
    Zone->SegmentList.Next = &header->SegmentList;
    Zone->FreeList.Next = nullptr;
    Zone->TotalSegmentSize = carve_segment(Zone, InitialSegment, InitialSegmentSize);
    return STATUS_SUCCESS;
}

NTKERNELAPI NTSTATUS NTAPI ExExtendZone(PZONE_HEADER Zone, PVOID Segment, ULONG SegmentSize) {
    if ((reinterpret_cast<ULONG_PTR>(Segment) & 7) || (SegmentSize & 7) || !fits_a_block(Zone->BlockSize, SegmentSize))
        return STATUS_UNSUCCESSFUL;
    auto* header = static_cast<PZONE_SEGMENT_HEADER>(Segment);
    header->SegmentList.Next = Zone->SegmentList.Next;
    header->Reserved = nullptr;
    Zone->SegmentList.Next = &header->SegmentList;
    Zone->TotalSegmentSize += carve_segment(Zone, Segment, SegmentSize);
    return STATUS_SUCCESS;
}

NTKERNELAPI NTSTATUS NTAPI ExInterlockedExtendZone(PZONE_HEADER Zone, PVOID Segment, ULONG SegmentSize,
                                                   PKSPIN_LOCK Lock) {
    KIRQL irql;
    KeAcquireSpinLock(Lock, &irql);
    const NTSTATUS status = ExExtendZone(Zone, Segment, SegmentSize);
    KeReleaseSpinLock(Lock, irql);
    return status;
}

}  // extern "C"
