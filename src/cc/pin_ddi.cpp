// The mapping and pinning interface file systems use for metadata: a BCB per call that keeps its
// view resident (purges skip it) and its stream alive until the last unpin. Microsoft Learn pages
// cited per routine.
// NT deviation: BCBs are not shared between calls for the same range, so PIN_IF_BCB never finds one
// (the call returns FALSE) and PIN_EXCLUSIVE takes no lock between pinners.
#include <ntifs.h>

#include <atomic>
#include <new>

#include "cc/cache_manager.hpp"
#include "cc/shared_cache_map.hpp"

using ntio::cc::SharedCacheMap;

namespace {

constexpr CSHORT kBcbNodeType = 0x2FD;  // NT's CACHE_NTC_BCB

struct Bcb {
    PUBLIC_BCB Public;  // first: what the file system may read
    SharedCacheMap* map;
    std::atomic<LONG> refs;
};

Bcb* bcb_of(PVOID bcb) { return static_cast<Bcb*>(bcb); }

// Maps the range of `map` and wraps it in a BCB. FALSE: !wait and the data is not resident.
BOOLEAN map_bcb(SharedCacheMap* map, PLARGE_INTEGER offset, ULONG length, bool wait, bool no_read, bool zero,
                PVOID* bcb_out, PVOID* buffer) {
    auto* bcb = new (std::nothrow) Bcb{{kBcbNodeType, sizeof(PUBLIC_BCB), length, *offset}, map, {1}};
    if (!bcb) ExRaiseStatus(STATUS_INSUFFICIENT_RESOURCES);
    void* address = nullptr;
    const NTSTATUS status = map->map_range(offset->QuadPart, length, wait, no_read, zero, &address);
    if (!NT_SUCCESS(status) || status == STATUS_PENDING) {
        delete bcb;
        if (status == STATUS_PENDING) return FALSE;
        ExRaiseStatus(status);
    }
    map->m_manager.hold(map);
    *bcb_out = bcb;
    if (buffer) *buffer = address;
    return TRUE;
}

// The same over a file object's stream.
BOOLEAN make_bcb(PFILE_OBJECT file, PLARGE_INTEGER offset, ULONG length, bool wait, bool no_read, bool zero,
                 PVOID* bcb_out, PVOID* buffer) {
    SharedCacheMap* map = ntio::cc::shared_map_of(file);
    if (!map) ExRaiseStatus(STATUS_INVALID_PARAMETER);
    return map_bcb(map, offset, length, wait, no_read, zero, bcb_out, buffer);
}

}  // namespace

extern "C" {

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-ccmapdata
NTKERNELAPI BOOLEAN NTAPI CcMapData(PFILE_OBJECT FileObject, PLARGE_INTEGER FileOffset, ULONG Length, ULONG Flags,
                                    PVOID* Bcb, PVOID* Buffer) {
    return make_bcb(FileObject, FileOffset, Length, Flags & MAP_WAIT, Flags & MAP_NO_READ, false, Bcb, Buffer);
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-ccpinread
NTKERNELAPI BOOLEAN NTAPI CcPinRead(PFILE_OBJECT FileObject, PLARGE_INTEGER FileOffset, ULONG Length, ULONG Flags,
                                    PVOID* Bcb, PVOID* Buffer) {
    if (Flags & PIN_IF_BCB) return FALSE;
    return make_bcb(FileObject, FileOffset, Length, Flags & PIN_WAIT, Flags & PIN_NO_READ, false, Bcb, Buffer);
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-ccpreparepinwrite
// The range is pinned and marked dirty: the caller is about to overwrite it (zeroed first if Zero).
NTKERNELAPI BOOLEAN NTAPI CcPreparePinWrite(PFILE_OBJECT FileObject, PLARGE_INTEGER FileOffset, ULONG Length,
                                            BOOLEAN Zero, ULONG Flags, PVOID* Bcb, PVOID* Buffer) {
    if (Flags & PIN_IF_BCB) return FALSE;
    if (!make_bcb(FileObject, FileOffset, Length, Flags & PIN_WAIT, false, Zero != FALSE, Bcb, Buffer)) return FALSE;
    bcb_of(*Bcb)->map->mark_dirty(FileOffset->QuadPart, Length);
    return TRUE;
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-ccpinmappeddata
// The mapped BCB becomes a pinned one in place (Learn allows a different BCB to come back).
NTKERNELAPI BOOLEAN NTAPI CcPinMappedData(PFILE_OBJECT FileObject, PLARGE_INTEGER FileOffset, ULONG Length,
                                          ULONG Flags, PVOID* Bcb) {
    (void)FileObject, (void)FileOffset, (void)Length, (void)Flags;
    return Bcb && *Bcb ? TRUE : FALSE;
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-ccsetdirtypinneddata
// Lsn (optional): the log record of the change; the pages keep their oldest and newest LSN while
// dirty (log_ddi.cpp).
NTKERNELAPI VOID NTAPI CcSetDirtyPinnedData(PVOID BcbVoid, PLARGE_INTEGER Lsn) {
    Bcb* bcb = bcb_of(BcbVoid);
    bcb->map->mark_dirty(bcb->Public.MappedFileOffset.QuadPart, bcb->Public.MappedLength,
                         Lsn && Lsn->QuadPart > 0 ? Lsn->QuadPart : 0);
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-ccunpindata
NTKERNELAPI VOID NTAPI CcUnpinData(PVOID BcbVoid) {
    Bcb* bcb = bcb_of(BcbVoid);
    if (bcb->refs.fetch_sub(1, std::memory_order_acq_rel) != 1) return;
    SharedCacheMap* map = bcb->map;
    map->unpin_view(bcb->Public.MappedFileOffset.QuadPart);
    delete bcb;
    map->m_manager.release(map);
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-ccunpindataforthread
NTKERNELAPI VOID NTAPI CcUnpinDataForThread(PVOID Bcb, ERESOURCE_THREAD ResourceThreadId) {
    (void)ResourceThreadId;
    CcUnpinData(Bcb);
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-ccrepinbcb
NTKERNELAPI VOID NTAPI CcRepinBcb(PVOID Bcb) { bcb_of(Bcb)->refs.fetch_add(1, std::memory_order_acq_rel); }

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-ccunpinrepinnedbcb
// WriteThrough: the BCB's range is written first and IoStatus says how that went.
NTKERNELAPI VOID NTAPI CcUnpinRepinnedBcb(PVOID BcbVoid, BOOLEAN WriteThrough, PIO_STATUS_BLOCK IoStatus) {
    Bcb* bcb = bcb_of(BcbVoid);
    NTSTATUS status = STATUS_SUCCESS;
    if (WriteThrough)
        status = bcb->map->flush(bcb->Public.MappedFileOffset.QuadPart, bcb->Public.MappedLength, false, nullptr);
    IoStatus->Status = status;
    IoStatus->Information = 0;
    CcUnpinData(BcbVoid);
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-ccremapbcb
// A new mapping BCB over the same range of the same stream, for reading: it keeps the view resident
// (and the stream alive) until its own CcUnpinData, whatever becomes of the BCB it came from.
// NT deviation: the new BCB is a BCB of its own rather than the original one with a read-only bit
// in its pointer; either way the caller unpins what it got.
NTKERNELAPI PVOID NTAPI CcRemapBcb(PVOID Bcb) {
    auto* original = bcb_of(Bcb);
    LARGE_INTEGER offset = original->Public.MappedFileOffset;
    PVOID remapped = nullptr;
    (void)map_bcb(original->map, &offset, original->Public.MappedLength, true, false, false, &remapped, nullptr);
    return remapped;
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-ccgetfileobjectfrombcb
NTKERNELAPI PFILE_OBJECT NTAPI CcGetFileObjectFromBcb(PVOID Bcb) { return bcb_of(Bcb)->map->m_file; }

}  // extern "C"
