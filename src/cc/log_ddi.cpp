// The log-handle DDIs of journaling file systems: a stream's log handle and the routine that makes
// the log durable up to an LSN before the stream's pages are written (write-ahead logging), and the
// dirty pages of the streams of one log with their LSNs (CcGetDirtyPages, for a checkpoint's dirty
// page table, and CcGetLsnForFileObject for one file). The LSNs come from CcSetDirtyPinnedData (pin_ddi.cpp) and are
// kept per page by the stream's cache (shared_cache_map.cpp).
#include <ntifs.h>

#include "cc/cache_manager.hpp"
#include "cc/shared_cache_map.hpp"

using ntio::cc::CacheManager;
using ntio::cc::DirtyPage;
using ntio::cc::SharedCacheMap;
using ntio::cc::shared_map_of;

extern "C" {

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-ccsetloghandleforfile
// A file that is not cached has no stream to give the handle to.
NTKERNELAPI VOID NTAPI CcSetLogHandleForFile(PFILE_OBJECT FileObject, PVOID LogHandle, PFLUSH_TO_LSN FlushToLsnRoutine) {
    if (SharedCacheMap* map = shared_map_of(FileObject)) map->set_log_handle(LogHandle, FlushToLsnRoutine);
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-ccgetdirtypages
// The routine runs once per dirty page, with no cache lock held, for a snapshot of each stream's
// dirty pages; a page dirtied without an LSN (a copy write, say) is reported with LSNs of 0 and
// does not count for the oldest LSN returned.
NTKERNELAPI LARGE_INTEGER NTAPI CcGetDirtyPages(PVOID LogHandle, PDIRTY_PAGE_ROUTINE DirtyPageRoutine, PVOID Context1,
                                                PVOID Context2) {
    LARGE_INTEGER oldest_of_all;
    oldest_of_all.QuadPart = 0;
    CacheManager* manager = CacheManager::current(false);
    if (!manager || !DirtyPageRoutine) return oldest_of_all;
    for (SharedCacheMap* map : manager->hold_logged(LogHandle)) {
        for (const DirtyPage& page : map->dirty_page_list()) {
            LARGE_INTEGER offset, oldest, newest;
            offset.QuadPart = page.offset;
            oldest.QuadPart = page.oldest_lsn;
            newest.QuadPart = page.newest_lsn;
            DirtyPageRoutine(map->m_file, &offset, PAGE_SIZE, &oldest, &newest, Context1, Context2);
            if (page.oldest_lsn && (oldest_of_all.QuadPart == 0 || page.oldest_lsn < oldest_of_all.QuadPart))
                oldest_of_all.QuadPart = page.oldest_lsn;
        }
        manager->release(map);
    }
    return oldest_of_all;
}

// Learn has no page for CcGetLsnForFileObject (ntifs.h declares it): the newest LSN of the file's
// dirty pages, the oldest in *OldestLsn (optional). Pages dirtied without an LSN do not count; with
// none, or for a file that is not cached, both are 0 (docs/nt-deviations.md, "cc").
NTKERNELAPI LARGE_INTEGER NTAPI CcGetLsnForFileObject(PFILE_OBJECT FileObject, PLARGE_INTEGER OldestLsn) {
    LARGE_INTEGER newest, oldest;
    newest.QuadPart = 0;
    oldest.QuadPart = 0;
    if (SharedCacheMap* map = FileObject ? shared_map_of(FileObject) : nullptr) {
        for (const DirtyPage& page : map->dirty_page_list()) {
            if (page.oldest_lsn && (oldest.QuadPart == 0 || page.oldest_lsn < oldest.QuadPart))
                oldest.QuadPart = page.oldest_lsn;
            if (page.newest_lsn > newest.QuadPart) newest.QuadPart = page.newest_lsn;
        }
    }
    if (OldestLsn) *OldestLsn = oldest;
    return newest;
}

}  // extern "C"
