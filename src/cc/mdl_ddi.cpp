// The MDL interface: CcMdlRead / CcPrepareMdlWrite hand out a chain of MDLs over the cache pages
// (one per view the range touches), each keeping its view resident and its stream alive until the
// matching complete routine. Microsoft Learn pages cited per routine.
#include <ntifs.h>

#include <algorithm>

#include "cc/cache_manager.hpp"
#include "cc/shared_cache_map.hpp"

using ntio::cc::SharedCacheMap;

namespace {

// Ends each MDL of the chain: marks its range dirty (a completed write), unpins its view, frees it.
void finish_chain(SharedCacheMap* map, PMDL chain, bool dirty) {
    while (chain) {
        PMDL next = chain->Next;
        const LONGLONG offset = map->offset_of(MmGetMdlVirtualAddress(chain));
        if (offset >= 0) {
            if (dirty) map->mark_dirty(offset, MmGetMdlByteCount(chain));
            map->unpin_view(offset);
            map->m_manager.release(map);
        }
        IoFreeMdl(chain);
        chain = next;
    }
}

// The chain over [offset, offset + length); raises what fails, after giving back what it took.
PMDL build_chain(PFILE_OBJECT file, LONGLONG offset, ULONG length) {
    SharedCacheMap* map = ntio::cc::shared_map_of(file);
    if (!map) ExRaiseStatus(STATUS_INVALID_PARAMETER);
    PMDL head = nullptr;
    PMDL* tail = &head;
    NTSTATUS status = STATUS_SUCCESS;
    for (ULONG done = 0; done < length && NT_SUCCESS(status);) {
        const LONGLONG position = offset + done;
        const ULONG chunk = std::min<ULONG>(length - done, VACB_MAPPING_GRANULARITY - ULONG(position % VACB_MAPPING_GRANULARITY));
        void* address = nullptr;
        status = map->map_range(position, chunk, true, false, false, &address);
        if (!NT_SUCCESS(status)) break;
        map->m_manager.hold(map);
        PMDL mdl = IoAllocateMdl(address, chunk, FALSE, FALSE, nullptr);
        if (!mdl) {
            map->unpin_view(position);
            map->m_manager.release(map);
            status = STATUS_INSUFFICIENT_RESOURCES;
            break;
        }
        MmBuildMdlForNonPagedPool(mdl);
        *tail = mdl;
        tail = &mdl->Next;
        done += chunk;
    }
    if (!NT_SUCCESS(status)) {
        finish_chain(map, head, false);
        ExRaiseStatus(status);
    }
    return head;
}

}  // namespace

extern "C" {

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-ccmdlread
NTKERNELAPI VOID NTAPI CcMdlRead(PFILE_OBJECT FileObject, PLARGE_INTEGER FileOffset, ULONG Length, PMDL* MdlChain,
                                 PIO_STATUS_BLOCK IoStatus) {
    *MdlChain = build_chain(FileObject, FileOffset->QuadPart, Length);
    if (SharedCacheMap* map = ntio::cc::shared_map_of(FileObject))
        ntio::cc::note_cached_read(FileObject, map, FileOffset->QuadPart, Length);
    IoStatus->Status = STATUS_SUCCESS;
    IoStatus->Information = Length;
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-ccmdlreadcomplete
NTKERNELAPI VOID NTAPI CcMdlReadComplete(PFILE_OBJECT FileObject, PMDL MdlChain) {
    if (SharedCacheMap* map = ntio::cc::shared_map_of(FileObject)) finish_chain(map, MdlChain, false);
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-ccpreparemdlwrite
// NT deviation: the pages are read first even where the caller will overwrite them whole.
NTKERNELAPI VOID NTAPI CcPrepareMdlWrite(PFILE_OBJECT FileObject, PLARGE_INTEGER FileOffset, ULONG Length,
                                         PMDL* MdlChain, PIO_STATUS_BLOCK IoStatus) {
    *MdlChain = build_chain(FileObject, FileOffset->QuadPart, Length);
    IoStatus->Status = STATUS_SUCCESS;
    IoStatus->Information = Length;
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-ccmdlwritecomplete
// The data the caller put in the pages is dirty from now on (written through for write-through
// file objects).
NTKERNELAPI VOID NTAPI CcMdlWriteComplete(PFILE_OBJECT FileObject, PLARGE_INTEGER FileOffset, PMDL MdlChain) {
    SharedCacheMap* map = ntio::cc::shared_map_of(FileObject);
    if (!map) return;
    LONGLONG length = 0;
    for (PMDL mdl = MdlChain; mdl; mdl = mdl->Next) length += MmGetMdlByteCount(mdl);
    finish_chain(map, MdlChain, true);
    if (__atomic_load_n(&FileObject->Flags, __ATOMIC_RELAXED) & FO_WRITE_THROUGH) {
        const NTSTATUS status = map->flush(FileOffset->QuadPart, length, false, nullptr);
        if (!NT_SUCCESS(status)) ExRaiseStatus(status);
    }
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-ccmdlwriteabort
NTKERNELAPI VOID NTAPI CcMdlWriteAbort(PFILE_OBJECT FileObject, PMDL MdlChain) {
    if (SharedCacheMap* map = ntio::cc::shared_map_of(FileObject)) finish_chain(map, MdlChain, false);
}

}  // extern "C"
