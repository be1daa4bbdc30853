// CcCoherencyFlushAndPurgeCache: a flush, then a purge, of a stream's cache and of the pages views
// of the file's data section changed, so that cached I/O, views and the file agree afterwards.
// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-cccoherencyflushandpurgecache
#include <ntifs.h>

#include "mm/section.hpp"

extern "C" {

// The caller holds the file exclusively. FileOffset NULL: the whole stream (Length ignored); a
// Length of 0 at a FileOffset is an empty range, with nothing to do. The
// cache's dirty data is written first (IoStatus as CcFlushCache gives it), then the pages views
// changed; a failure there ends the call with that status and nothing purged. Then, unless
// CC_FLUSH_AND_PURGE_NO_PURGE, the range leaves the cache; STATUS_CACHE_PAGE_LOCKED (a success
// status) says the purge could not drop every page.
// NT deviation: NT trims the mapped views out of the processes' working sets so that they read the
// file again; ntio cannot take a page away from a mapped view, so a range that a view maps is
// written but not invalidated, and a purge of it reports STATUS_CACHE_PAGE_LOCKED. CC_FLUSH_AND_PURGE_WRITEABLE_VIEWS_NOTSEEN only
// spares that trimming on NT and changes nothing here; CC_FLUSH_AND_PURGE_GATHER_DIRTY_BITS is the
// system's and ignored.
NTKERNELAPI VOID NTAPI CcCoherencyFlushAndPurgeCache(PSECTION_OBJECT_POINTERS SectionObjectPointer,
                                                     PLARGE_INTEGER FileOffset, ULONG Length,
                                                     PIO_STATUS_BLOCK IoStatus, ULONG Flags) {
    IO_STATUS_BLOCK result{};
    if (!SectionObjectPointer) {
        result.Status = STATUS_INVALID_PARAMETER;
    } else if (FileOffset && FileOffset->QuadPart < 0) {
        result.Status = STATUS_INVALID_PARAMETER;
    } else if (!FileOffset || Length != 0) {
        CcFlushCache(SectionObjectPointer, FileOffset, Length, &result);
        bool mapped = false;
        if (NT_SUCCESS(result.Status)) {
            const auto offset = static_cast<std::uint64_t>(FileOffset ? FileOffset->QuadPart : 0);
            const std::uint64_t length = FileOffset ? Length : 0;  // 0: to the end of the section
            const NTSTATUS status = ntio::mm::flush_data_section(SectionObjectPointer, offset, length, &mapped);
            if (!NT_SUCCESS(status)) {
                result.Status = status;
                result.Information = 0;
            }
        }
        if (NT_SUCCESS(result.Status) && !(Flags & CC_FLUSH_AND_PURGE_NO_PURGE)) {
            const bool purged = CcPurgeCacheSection(SectionObjectPointer, FileOffset, FileOffset ? Length : 0, 0) != FALSE;
            if (!purged || mapped) result.Status = STATUS_CACHE_PAGE_LOCKED;
        }
    }
    if (IoStatus) *IoStatus = result;
}

}  // extern "C"
