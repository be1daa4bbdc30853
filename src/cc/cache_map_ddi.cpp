// The cache-map DDIs: setting caching up and tearing it down per file object, file sizes, flushing,
// purging and the lazy writer's public waits. Microsoft Learn pages cited per routine.
#include <ntifs.h>

#include "cc/cache_manager.hpp"
#include "cc/shared_cache_map.hpp"

using ntio::cc::CacheManager;
using ntio::cc::PrivateCacheMap;
using ntio::cc::SharedCacheMap;

using ntio::cc::shared_map_of;

extern "C" {

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-ccinitializecachemap
// Raises STATUS_INSUFFICIENT_RESOURCES when the maps cannot be allocated.
NTKERNELAPI VOID NTAPI CcInitializeCacheMap(PFILE_OBJECT FileObject, PCC_FILE_SIZES FileSizes, BOOLEAN PinAccess,
                                            PCACHE_MANAGER_CALLBACKS Callbacks, PVOID LazyWriteContext) {
    NTSTATUS status = STATUS_INVALID_PARAMETER;
    if (FileObject && FileObject->SectionObjectPointer && FileSizes && Callbacks) {
        CacheManager* manager = CacheManager::current(true);
        status = manager ? manager->open(FileObject, *FileSizes, PinAccess, *Callbacks, LazyWriteContext)
                         : STATUS_INSUFFICIENT_RESOURCES;
    }
    if (!NT_SUCCESS(status)) ExRaiseStatus(status);
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-ccuninitializecachemap
// TRUE when the file object had a private cache map. A dirty stream whose last private map goes is
// torn down by the lazy writer after it wrote the data; UninitializeCompleteEvent is set then.
NTKERNELAPI BOOLEAN NTAPI CcUninitializeCacheMap(PFILE_OBJECT FileObject, PLARGE_INTEGER TruncateSize,
                                                 PCACHE_UNINITIALIZE_EVENT UninitializeCompleteEvent) {
    CacheManager* manager = CacheManager::current(false);
    if (!manager) {
        if (UninitializeCompleteEvent) KeSetEvent(&UninitializeCompleteEvent->Event, IO_NO_INCREMENT, FALSE);
        return FALSE;
    }
    return manager->close(FileObject, TruncateSize, UninitializeCompleteEvent) ? TRUE : FALSE;
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-ccsetfilesizes
// A smaller FileSize purges the cache past it (dirty data included) and zeroes the tail of its page.
NTKERNELAPI VOID NTAPI CcSetFileSizes(PFILE_OBJECT FileObject, PCC_FILE_SIZES FileSizes) {
    if (SharedCacheMap* map = shared_map_of(FileObject)) (void)map->set_sizes(*FileSizes);
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-ccsetfilesizesex
// As CcSetFileSizes, with the purge's outcome returned instead of raised: STATUS_SUCCESS, or, when
// a smaller FileSize left pages past the new end in the cache because a BCB pins their view,
// STATUS_UNABLE_TO_DELETE_SECTION (a choice: Learn names only "the purge operation's" status). The
// sizes are set either way. A file object that is not cached has nothing to update
// (STATUS_SUCCESS); a NULL argument is STATUS_INVALID_PARAMETER.
NTKERNELAPI NTSTATUS NTAPI CcSetFileSizesEx(PFILE_OBJECT FileObject, PCC_FILE_SIZES FileSizes) {
    if (!FileObject || !FileSizes) return STATUS_INVALID_PARAMETER;
    SharedCacheMap* map = shared_map_of(FileObject);
    if (!map) return STATUS_SUCCESS;
    return map->set_sizes(*FileSizes) ? STATUS_SUCCESS : STATUS_UNABLE_TO_DELETE_SECTION;
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-ccsetreadaheadgranularity
// The unit of this file object's read-ahead (copy_ddi.cpp).
NTKERNELAPI VOID NTAPI CcSetReadAheadGranularity(PFILE_OBJECT FileObject, ULONG Granularity) {
    if (auto* private_map = static_cast<PrivateCacheMap*>(FileObject->PrivateCacheMap))
        private_map->ReadAheadGranularity = Granularity;
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-ccsetadditionalcacheattributes
NTKERNELAPI VOID NTAPI CcSetAdditionalCacheAttributes(PFILE_OBJECT FileObject, BOOLEAN DisableReadAhead,
                                                      BOOLEAN DisableWriteBehind) {
    if (SharedCacheMap* map = shared_map_of(FileObject)) {
        map->m_read_ahead_disabled.store(DisableReadAhead != FALSE, std::memory_order_relaxed);
        map->m_write_behind_disabled.store(DisableWriteBehind != FALSE, std::memory_order_release);
    }
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-ccgetfileobjectfromsectionptrs
NTKERNELAPI PFILE_OBJECT NTAPI CcGetFileObjectFromSectionPtrs(PSECTION_OBJECT_POINTERS SectionObjectPointer) {
    if (!SectionObjectPointer) return nullptr;
    SharedCacheMap* map = shared_map_of(SectionObjectPointer);
    return map ? map->m_file : nullptr;
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-ccgetfileobjectfromsectionptrsref
// The same file object, referenced for the caller (who drops it with ObDereferenceObject); the
// shared cache map is held while the reference is taken, so the stream cannot go meanwhile.
NTKERNELAPI PFILE_OBJECT NTAPI CcGetFileObjectFromSectionPtrsRef(PSECTION_OBJECT_POINTERS SectionObjectPointer) {
    if (!SectionObjectPointer) return nullptr;
    CacheManager* manager = CacheManager::current(false);
    SharedCacheMap* map = manager ? manager->acquire(SectionObjectPointer) : nullptr;
    if (!map) return nullptr;
    PFILE_OBJECT file = map->m_file;
    if (file) ObReferenceObject(file);
    manager->release(map);
    return file;
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-ccflushcache
// FileOffset NULL: the whole stream. IoStatus gets the first failure of the paging writes (those
// pages stay dirty) or STATUS_SUCCESS with the bytes written.
NTKERNELAPI VOID NTAPI CcFlushCache(PSECTION_OBJECT_POINTERS SectionObjectPointer, PLARGE_INTEGER FileOffset,
                                    ULONG Length, PIO_STATUS_BLOCK IoStatus) {
    CacheManager* manager = CacheManager::current(false);
    SharedCacheMap* map = manager ? manager->acquire(SectionObjectPointer) : nullptr;
    NTSTATUS status = STATUS_SUCCESS;
    ULONG_PTR written = 0;
    if (map) {
        status = map->flush(FileOffset ? FileOffset->QuadPart : -1, Length, false, &written);
        manager->release(map);
    }
    if (IoStatus) {
        IoStatus->Status = status;
        IoStatus->Information = NT_SUCCESS(status) ? written : 0;
    }
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-ccpurgecachesection
// FileOffset NULL: the whole stream; Length 0: from FileOffset to the end. FALSE when a view in the
// range is mapped or pinned through a BCB.
// NT deviation: UNINITIALIZE_CACHE_MAPS does not uninitialize the file objects' private cache maps.
NTKERNELAPI BOOLEAN NTAPI CcPurgeCacheSection(PSECTION_OBJECT_POINTERS SectionObjectPointer,
                                              PLARGE_INTEGER FileOffset, ULONG Length, ULONG Flags) {
    (void)Flags;
    CacheManager* manager = CacheManager::current(false);
    SharedCacheMap* map = manager ? manager->acquire(SectionObjectPointer) : nullptr;
    if (!map) return TRUE;
    const bool purged = map->purge(FileOffset ? FileOffset->QuadPart : 0, FileOffset ? Length : 0);
    manager->release(map);
    return purged ? TRUE : FALSE;
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-ccistheredirtydata
// Streams of temporary files (FO_TEMPORARY_FILE) are ignored.
NTKERNELAPI BOOLEAN NTAPI CcIsThereDirtyData(PVPB Vpb) {
    CacheManager* manager = CacheManager::current(false);
    return manager && manager->any_dirty(Vpb, false, nullptr) ? TRUE : FALSE;
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-ccistheredirtydataex
// Temporary files count, and so does a write of the volume waiting in CcDeferWrite. The volume's
// dirty pages go to NumberOfDirtyPages (optional), capped at MAXULONG.
NTKERNELAPI BOOLEAN NTAPI CcIsThereDirtyDataEx(PVPB Vpb, PULONG NumberOfDirtyPages) {
    CacheManager* manager = CacheManager::current(false);
    std::uint64_t pages = 0;
    const bool dirty = manager && manager->any_dirty(Vpb, true, &pages);
    if (NumberOfDirtyPages) *NumberOfDirtyPages = static_cast<ULONG>(std::min<std::uint64_t>(pages, MAXULONG));
    return dirty ? TRUE : FALSE;
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-ccgetflushedvaliddata
// The start of the lowest dirty page, or the valid data length once nothing is dirty; MAXLONGLONG
// when the stream is not cached. CcInternalCaller (Learn's BcbListHeld) is the system's and ignored.
NTKERNELAPI LARGE_INTEGER NTAPI CcGetFlushedValidData(PSECTION_OBJECT_POINTERS SectionObjectPointer,
                                                      BOOLEAN CcInternalCaller) {
    (void)CcInternalCaller;
    LARGE_INTEGER flushed;
    flushed.QuadPart = MAXLONGLONG;
    CacheManager* manager = CacheManager::current(false);
    SharedCacheMap* map = manager ? manager->acquire(SectionObjectPointer) : nullptr;
    if (map) {
        flushed.QuadPart = map->flushed_valid_data();
        manager->release(map);
    }
    return flushed;
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-ccwaitforcurrentlazywriteractivity
// Returns once a lazy-writer pass that started after the call has finished.
NTKERNELAPI NTSTATUS NTAPI CcWaitForCurrentLazyWriterActivity(VOID) {
    CacheManager* manager = CacheManager::current(false);
    return manager ? manager->wait_for_lazy_writer() : STATUS_SUCCESS;
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-cccaniwrite
// A write may go while the dirty pages of every stream stay within CcDirtyPageThreshold and the
// file's within its own threshold (CcSetDirtyPageThreshold); otherwise the lazy writer is started
// and the caller waits for it (Wait) or is told to defer the write. Retrying is accepted: deferred
// writes are posted in the order they came, before new writers are let through by the lazy writer.
NTKERNELAPI BOOLEAN NTAPI CcCanIWrite(PFILE_OBJECT FileObject, ULONG BytesToWrite, BOOLEAN Wait, UCHAR Retrying) {
    (void)Retrying;
    if (!FileObject) return TRUE;
    // The caller's file is cached (its private cache map holds the shared one), so no hold is
    // needed, and the map names its cache manager without the System lookup.
    SharedCacheMap* map = shared_map_of(FileObject);
    CacheManager* manager = map ? &map->m_manager : CacheManager::current(false);
    return manager ? manager->can_i_write(map, BytesToWrite, Wait) : TRUE;
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-ccdeferwrite
// The post routine runs at once when the write may go now, else from the lazy writer once it may.
NTKERNELAPI VOID NTAPI CcDeferWrite(PFILE_OBJECT FileObject, PCC_POST_DEFERRED_WRITE PostRoutine, PVOID Context1,
                                    PVOID Context2, ULONG BytesToWrite, BOOLEAN Retrying) {
    (void)Retrying;
    SharedCacheMap* map = FileObject ? shared_map_of(FileObject) : nullptr;
    CacheManager* manager = map ? &map->m_manager : CacheManager::current(false);
    if (!manager || !FileObject) {
        PostRoutine(Context1, Context2);
        return;
    }
    manager->defer_write(FileObject, map, PostRoutine, Context1, Context2, BytesToWrite);
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-ccsetdirtypagethreshold
// The file's own limit in pages (0 removes it); a file that is not cached has none to set.
NTKERNELAPI VOID NTAPI CcSetDirtyPageThreshold(PFILE_OBJECT FileObject, ULONG DirtyPageThreshold) {
    if (SharedCacheMap* map = shared_map_of(FileObject))
        map->m_dirty_page_threshold.store(DirtyPageThreshold, std::memory_order_relaxed);
}

}  // extern "C"
