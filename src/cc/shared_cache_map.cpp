// The stream cache: page state, fills and write-backs. One mutex per stream covers the page bits
// and the copies, and is held across the stream's paging I/O, so a fill never races a copy into
// the same page and a write-back never reads a page a writer is changing; other streams and the
// file system's other work do not wait on it.
// NT deviation: Wait FALSE also gives up while another thread holds the stream's lock, and a file
// system's paging I/O must not call back into the cache for the same stream.
#include "cc/shared_cache_map.hpp"

#include <algorithm>
#include <bit>
#include <cstring>
#include <new>

#include "cc/cache_manager.hpp"
#include "cc/paging_io.hpp"
#include "rtl/user_access.hpp"

namespace ntio::cc {
namespace {

constexpr CSHORT kSharedCacheMapNodeType = 0x2FF;  // NT's CACHE_NTC_SHARED_CACHE_MAP

std::uint64_t page_mask(ULONG first, ULONG last) noexcept {
    const ULONG count = last - first + 1;
    return (count >= 64 ? ~0ull : ((1ull << count) - 1)) << first;
}

LONGLONG round_up_page(LONGLONG value) noexcept { return (value + kPageSize - 1) & ~LONGLONG(kPageSize - 1); }

}  // namespace

SharedCacheMap::SharedCacheMap(CacheManager& manager, PFILE_OBJECT file, const CC_FILE_SIZES& sizes,
                               BOOLEAN pin_access, const CACHE_MANAGER_CALLBACKS& callbacks, PVOID lazy_context)
    : m_prefix{kSharedCacheMapNodeType, static_cast<CSHORT>(sizeof(SharedCacheMapPrefix)), 0, sizes.FileSize},
      m_manager(manager),
      m_file(file),
      m_device(IoGetRelatedDeviceObject(file)),
      m_section(file->SectionObjectPointer),
      m_callbacks(callbacks),
      m_lazy_context(lazy_context),
      m_pin_access(pin_access),
      m_valid_data_goal(std::min(sizes.ValidDataLength.QuadPart, sizes.FileSize.QuadPart)),
      m_valid_data_length(m_valid_data_goal),
      m_allocation_size(sizes.AllocationSize.QuadPart) {}

SharedCacheMap::~SharedCacheMap() {
    for (View& view : m_views)
        if (view.memory) ::operator delete(view.memory, std::align_val_t{kPageSize});
}

// The cache holds a stream up to its allocation or its end, whichever is larger, rounded to a view;
// a request past it is a file system bug.
bool SharedCacheMap::within_locked(LONGLONG offset, LONGLONG length) const noexcept {
    const LONGLONG limit = (std::max(m_prefix.FileSize.QuadPart, m_allocation_size) + kViewSize - 1) & ~LONGLONG(kViewSize - 1);
    return offset >= 0 && length >= 0 && offset <= limit && length <= limit - offset;
}

LONGLONG SharedCacheMap::file_size() {
    std::lock_guard guard(m_lock);
    return m_prefix.FileSize.QuadPart;
}

View* SharedCacheMap::view_locked(ULONGLONG index, bool create) {
    if (index >= m_views.size()) {
        if (!create) return nullptr;
        // A stream's views cover at most its allocation (checked by the callers), so this is bounded.
        m_views.resize(index + 1);
    }
    View& view = m_views[index];
    if (!view.memory && create) {
        view.memory = static_cast<std::byte*>(::operator new(kViewSize, std::align_val_t{kPageSize}, std::nothrow));
        if (!view.memory) return nullptr;
        view.valid = view.dirty = 0;
    }
    return &view;
}

void SharedCacheMap::add_dirty_locked(View& view, std::uint64_t mask) {
    const std::uint64_t fresh = mask & ~view.dirty;
    view.dirty |= mask;
    if (!fresh) return;
    count_dirty(std::popcount(fresh));
    if (view.lsns) {
        for (std::uint64_t pages = fresh; pages; pages &= pages - 1) {
            const int page = std::countr_zero(pages);
            view.lsns->oldest[page] = view.lsns->newest[page] = 0;
        }
    }
}

void SharedCacheMap::count_dirty(std::int64_t delta) noexcept {
    m_dirty_pages.fetch_add(static_cast<std::uint64_t>(delta), std::memory_order_acq_rel);
    m_manager.count_dirty(delta);
}

NTSTATUS SharedCacheMap::make_valid_locked(ULONGLONG index, ULONG first, ULONG last, bool wait) {
    View* view = view_locked(index, true);
    if (!view) return STATUS_INSUFFICIENT_RESOURCES;
    const LONGLONG base = static_cast<LONGLONG>(index) * kViewSize;
    ULONG page = first;
    while (page <= last) {
        if (view->valid & (1ull << page)) {
            ++page;
            continue;
        }
        ULONG end = page;
        while (end <= last && !(view->valid & (1ull << end))) ++end;
        // Pages starting at or past the valid data goal hold nothing on disk: zero, no read.
        ULONG read_end = page;
        while (read_end < end && base + LONGLONG(read_end) * kPageSize < m_valid_data_goal) ++read_end;
        if (read_end > page) {
            if (!wait) return STATUS_PENDING;
            const NTSTATUS status = paging_io(m_device, m_file, false, view->memory + std::size_t(page) * kPageSize,
                                              base + LONGLONG(page) * kPageSize, (read_end - page) * kPageSize);
            if (!NT_SUCCESS(status)) return status;
        }
        if (end > read_end)
            std::memset(view->memory + std::size_t(read_end) * kPageSize, 0, std::size_t(end - read_end) * kPageSize);
        view->valid |= page_mask(page, end - 1);
        page = end;
    }
    return STATUS_SUCCESS;
}

NTSTATUS SharedCacheMap::copy_read(LONGLONG offset, ULONG length, bool wait, void* buffer) {
    std::unique_lock guard(m_lock, std::defer_lock);
    if (wait) guard.lock();
    else if (!guard.try_lock()) return STATUS_PENDING;
    if (!within_locked(offset, length)) return STATUS_INVALID_PARAMETER;
    ULONG done = 0;
    while (done < length) {
        const LONGLONG position = offset + done;
        const auto index = static_cast<ULONGLONG>(position / kViewSize);
        const auto in_view = static_cast<ULONG>(position % kViewSize);
        const ULONG chunk = std::min<ULONG>(length - done, kViewSize - in_view);
        NTSTATUS status = make_valid_locked(index, in_view / kPageSize, (in_view + chunk - 1) / kPageSize, wait);
        if (!NT_SUCCESS(status) || status == STATUS_PENDING) return status;
        status = ntio_user_copy(static_cast<char*>(buffer) + done, m_views[index].memory + in_view, chunk);
        if (!NT_SUCCESS(status)) return status;
        done += chunk;
    }
    return STATUS_SUCCESS;
}

void SharedCacheMap::read_ahead(LONGLONG offset, LONGLONG length) {
    std::lock_guard guard(m_lock);
    const LONGLONG end = std::min(offset + length, m_prefix.FileSize.QuadPart);
    for (LONGLONG position = offset; position < end;) {
        const auto index = static_cast<ULONGLONG>(position / kViewSize);
        const auto in_view = static_cast<ULONG>(position % kViewSize);
        const auto chunk = static_cast<ULONG>(std::min<LONGLONG>(end - position, kViewSize - in_view));
        // A read that fails is not the reader's concern: its own read will see the failure.
        if (!NT_SUCCESS(make_valid_locked(index, in_view / kPageSize, (in_view + chunk - 1) / kPageSize, true))) return;
        position += chunk;
    }
}

// Writes [position, end) through the cache, `fill` putting the bytes into each view's run: the
// pages a run covers in part are read first, whole pages are overwritten; every page it touches is
// valid and dirty afterwards. STATUS_PENDING when !wait and a page would have to be read.
template <class Fill>
NTSTATUS SharedCacheMap::write_locked(LONGLONG position, LONGLONG end, bool wait, Fill&& fill) {
    while (position < end) {
        const auto index = static_cast<ULONGLONG>(position / kViewSize);
        const auto in_view = static_cast<ULONG>(position % kViewSize);
        const auto chunk = static_cast<ULONG>(std::min<LONGLONG>(end - position, kViewSize - in_view));
        const ULONG first = in_view / kPageSize, last = (in_view + chunk - 1) / kPageSize;
        NTSTATUS status = STATUS_SUCCESS;
        if (in_view % kPageSize != 0 || (first == last && chunk < kPageSize))
            status = make_valid_locked(index, first, first, wait);
        if (NT_SUCCESS(status) && status != STATUS_PENDING && (in_view + chunk) % kPageSize != 0 && last != first)
            status = make_valid_locked(index, last, last, wait);
        if (NT_SUCCESS(status) && status != STATUS_PENDING && !view_locked(index, true))
            status = STATUS_INSUFFICIENT_RESOURCES;
        if (!NT_SUCCESS(status) || status == STATUS_PENDING) return status;
        View& view = m_views[index];
        status = fill(view.memory + in_view, position, chunk);
        if (!NT_SUCCESS(status)) return status;
        view.valid |= page_mask(first, last);
        add_dirty_locked(view, page_mask(first, last));
        position += chunk;
    }
    return STATUS_SUCCESS;
}

NTSTATUS SharedCacheMap::copy_write(LONGLONG offset, ULONG length, bool wait, const void* buffer) {
    std::unique_lock guard(m_lock, std::defer_lock);
    if (wait) guard.lock();
    else if (!guard.try_lock()) return STATUS_PENDING;
    if (!within_locked(offset, length)) return STATUS_INVALID_PARAMETER;
    const NTSTATUS status = write_locked(offset, offset + LONGLONG(length), wait,
                                         [&](std::byte* target, LONGLONG position, ULONG chunk) {
                                             return ntio_user_copy(target, static_cast<const char*>(buffer) +
                                                                               (position - offset), chunk);
                                         });
    if (!NT_SUCCESS(status) || status == STATUS_PENDING) return status;
    m_valid_data_goal = std::max(m_valid_data_goal, offset + LONGLONG(length));
    guard.unlock();
    if (length) m_manager.note_dirty();
    return STATUS_SUCCESS;
}

NTSTATUS SharedCacheMap::zero(LONGLONG start, LONGLONG end, bool wait) {
    std::unique_lock guard(m_lock, std::defer_lock);
    if (wait) guard.lock();
    else if (!guard.try_lock()) return STATUS_PENDING;
    if (!within_locked(start, end - start)) return STATUS_INVALID_PARAMETER;
    const NTSTATUS status = write_locked(start, end, wait, [](std::byte* target, LONGLONG, ULONG chunk) {
        std::memset(target, 0, chunk);
        return STATUS_SUCCESS;
    });
    if (!NT_SUCCESS(status) || status == STATUS_PENDING) return status;
    m_valid_data_goal = std::max(m_valid_data_goal, end);
    guard.unlock();
    if (end > start) m_manager.note_dirty();
    return STATUS_SUCCESS;
}

NTSTATUS SharedCacheMap::write_run_locked(ULONGLONG index, ULONG first, ULONG count) {
    View& view = m_views[index];
    const LONGLONG offset = static_cast<LONGLONG>(index) * kViewSize + LONGLONG(first) * kPageSize;
    // Never past the end of the file rounded up to a page, as Mm's writes of a file's section.
    const LONGLONG limit = round_up_page(m_prefix.FileSize.QuadPart);
    if (offset >= limit) return STATUS_SUCCESS;
    const auto length = static_cast<ULONG>(std::min<LONGLONG>(LONGLONG(count) * kPageSize, limit - offset));
    return paging_io(m_device, m_file, true, view.memory + std::size_t(first) * kPageSize, offset, length);
}

NTSTATUS SharedCacheMap::flush(LONGLONG offset, LONGLONG length, bool lazy, ULONG_PTR* written) {
    std::lock_guard guard(m_lock);
    NTSTATUS result = STATUS_SUCCESS;
    ULONG_PTR total = 0;
    const LONGLONG view_end = static_cast<LONGLONG>(m_views.size()) * kViewSize;
    const LONGLONG start = offset < 0 ? 0 : offset;
    const LONGLONG end = offset < 0 ? view_end : std::min(view_end, offset + length);
    for (LONGLONG position = start & ~LONGLONG(kPageSize - 1); position < end;) {
        const auto index = static_cast<ULONGLONG>(position / kViewSize);
        const auto first_page = static_cast<ULONG>((position % kViewSize) / kPageSize);
        const LONGLONG next = std::min<LONGLONG>(end, LONGLONG(index + 1) * kViewSize);
        const auto last_page = static_cast<ULONG>(((next - 1) % kViewSize) / kPageSize);
        position = LONGLONG(index + 1) * kViewSize;
        View& view = m_views[index];
        std::uint64_t pending = view.dirty & page_mask(first_page, last_page);
        while (pending) {
            const auto first = static_cast<ULONG>(std::countr_zero(pending));
            const auto count = static_cast<ULONG>(std::countr_one(pending >> first));
            const std::uint64_t run = page_mask(first, first + count - 1);
            pending &= ~run;
            // Write-ahead logging: the log describes the changes before the pages reach the disk.
            if (m_flush_to_lsn && view.lsns) {
                LONGLONG newest = 0;
                for (ULONG page = first; page < first + count; ++page) newest = std::max(newest, view.lsns->newest[page]);
                if (newest) {
                    LARGE_INTEGER lsn;
                    lsn.QuadPart = newest;
                    m_flush_to_lsn(m_log_handle.load(std::memory_order_relaxed), lsn);
                }
            }
            const NTSTATUS status = write_run_locked(index, first, count);
            if (NT_SUCCESS(status)) total += ULONG_PTR(count) * kPageSize;
            else if (NT_SUCCESS(result)) result = status;
            // A failed lazy write is lost, as NT's "delayed write failed"; a failed flush stays dirty.
            if (NT_SUCCESS(status) || lazy) {
                view.dirty &= ~run;
                count_dirty(-std::int64_t{count});
            }
        }
    }
    if (written) *written = total;
    return result;
}

bool SharedCacheMap::purge(LONGLONG offset, LONGLONG length) {
    std::lock_guard guard(m_lock);
    bool purged = true;
    const LONGLONG view_end = static_cast<LONGLONG>(m_views.size()) * kViewSize;
    const LONGLONG start = std::max<LONGLONG>(offset, 0);
    const LONGLONG end = length == 0 ? view_end : std::min(view_end, start + length);
    for (LONGLONG position = start; position < end;) {
        const auto index = static_cast<ULONGLONG>(position / kViewSize);
        const LONGLONG view_start = LONGLONG(index) * kViewSize;
        const LONGLONG next = std::min<LONGLONG>(end, view_start + kViewSize);
        View& view = m_views[index];
        const LONGLONG from = position;
        const auto first = static_cast<ULONG>((position - view_start) / kPageSize);
        const auto last = static_cast<ULONG>((next - 1 - view_start) / kPageSize);
        position = view_start + kViewSize;
        if (!view.memory) continue;
        if (view.pins) {
            purged = false;
            continue;
        }
        std::uint64_t mask = page_mask(first, last);
        // A page the range covers only in part keeps its bytes outside the range: a clean one is
        // purged (it reads back from the file), a dirty one stays (its data before a truncation's
        // new end, say, is not yet written).
        if (from % kPageSize != 0) mask &= ~(view.dirty & (1ull << first));
        if (next % kPageSize != 0) mask &= ~(view.dirty & (1ull << last));
        count_dirty(-std::int64_t{std::popcount(view.dirty & mask)});
        view.dirty &= ~mask;
        view.valid &= ~mask;
        if (!view.valid) {
            ::operator delete(view.memory, std::align_val_t{kPageSize});
            view.memory = nullptr;
        }
    }
    return purged;
}

bool SharedCacheMap::set_sizes(const CC_FILE_SIZES& sizes) {
    bool truncated;
    LONGLONG new_size;
    {
        std::lock_guard guard(m_lock);
        new_size = sizes.FileSize.QuadPart;
        truncated = new_size < m_prefix.FileSize.QuadPart;
        m_prefix.FileSize = sizes.FileSize;
        m_allocation_size = sizes.AllocationSize.QuadPart;
        m_valid_data_goal = std::min(std::max(m_valid_data_goal, sizes.ValidDataLength.QuadPart), new_size);
        m_valid_data_length = std::min(sizes.ValidDataLength.QuadPart, new_size);
        if (truncated) {
            // The tail of the last page past the new end reads as zero if the file grows again,
            // as NT zeroes it when a file's section shrinks.
            const auto index = static_cast<ULONGLONG>(new_size / kViewSize);
            const auto in_view = static_cast<ULONG>(new_size % kViewSize);
            const ULONG page = in_view / kPageSize;
            if (in_view % kPageSize && index < m_views.size() && m_views[index].memory &&
                (m_views[index].valid & (1ull << page)))
                std::memset(m_views[index].memory + in_view, 0, kPageSize - in_view % kPageSize);
        }
    }
    // Whole pages past the new end leave the cache, dirty or not.
    return truncated ? purge(round_up_page(new_size), 0) : true;
}

bool SharedCacheMap::valid_data_to_advance(LONGLONG* valid) {
    std::lock_guard guard(m_lock);
    // Valid up to the goal, the end of the file, and the first page still waiting to be written.
    LONGLONG candidate = std::min(m_valid_data_goal, m_prefix.FileSize.QuadPart);
    for (std::size_t index = 0; index < m_views.size(); ++index) {
        if (!m_views[index].dirty) continue;
        const LONGLONG first_dirty =
            LONGLONG(index) * kViewSize + LONGLONG(std::countr_zero(m_views[index].dirty)) * kPageSize;
        candidate = std::min(candidate, first_dirty);
        break;
    }
    if (candidate <= m_valid_data_length) return false;
    m_valid_data_length = candidate;
    *valid = candidate;
    return true;
}

LONGLONG SharedCacheMap::flushed_valid_data() {
    std::lock_guard guard(m_lock);
    for (std::size_t index = 0; index < m_views.size(); ++index) {
        if (m_views[index].dirty)
            return LONGLONG(index) * kViewSize + LONGLONG(std::countr_zero(m_views[index].dirty)) * kPageSize;
    }
    return std::min(m_valid_data_goal, m_prefix.FileSize.QuadPart);
}

NTSTATUS SharedCacheMap::map_range(LONGLONG offset, ULONG length, bool wait, bool no_read, bool zero_range,
                                   void** address) {
    const auto index = static_cast<ULONGLONG>(offset / kViewSize);
    const auto in_view = static_cast<ULONG>(offset % kViewSize);
    // NT deviation: a mapped or pinned range must lie within one view (views are not contiguous).
    if (length == 0 || in_view + ULONGLONG(length) > kViewSize) return STATUS_INVALID_PARAMETER;
    std::unique_lock guard(m_lock, std::defer_lock);
    if (wait) guard.lock();
    else if (!guard.try_lock()) return STATUS_PENDING;
    if (!within_locked(offset, length)) return STATUS_INVALID_PARAMETER;
    const ULONG first = in_view / kPageSize, last = (in_view + length - 1) / kPageSize;
    NTSTATUS status = STATUS_SUCCESS;
    if (!no_read) status = make_valid_locked(index, first, last, wait);
    if (NT_SUCCESS(status) && status != STATUS_PENDING && !view_locked(index, true))
        status = STATUS_INSUFFICIENT_RESOURCES;
    if (!NT_SUCCESS(status) || status == STATUS_PENDING) return status;
    View& view = m_views[index];
    if (zero_range) std::memset(view.memory + in_view, 0, length);
    ++view.pins;
    *address = view.memory + in_view;
    return STATUS_SUCCESS;
}

void SharedCacheMap::pin_view(LONGLONG offset) {
    std::lock_guard guard(m_lock);
    ++m_views[static_cast<std::size_t>(offset / kViewSize)].pins;
}

void SharedCacheMap::unpin_view(LONGLONG offset) {
    std::lock_guard guard(m_lock);
    --m_views[static_cast<std::size_t>(offset / kViewSize)].pins;
}

void SharedCacheMap::mark_dirty(LONGLONG offset, ULONG length, LONGLONG lsn) {
    {
        std::lock_guard guard(m_lock);
        View& view = m_views[static_cast<std::size_t>(offset / kViewSize)];
        const auto in_view = static_cast<ULONG>(offset % kViewSize);
        const ULONG first = in_view / kPageSize;
        const ULONG last = (in_view + length - 1) / kPageSize;
        const std::uint64_t mask = page_mask(first, last);
        view.valid |= mask;
        add_dirty_locked(view, mask);
        if (lsn > 0) {
            // No room for the numbers: the pages are still dirty, only their LSNs go unrecorded.
            if (!view.lsns) view.lsns.reset(new (std::nothrow) ViewLsns{});
            if (view.lsns) {
                for (ULONG page = first; page <= last; ++page) {
                    LONGLONG& oldest = view.lsns->oldest[page];
                    LONGLONG& newest = view.lsns->newest[page];
                    if (oldest == 0 || lsn < oldest) oldest = lsn;
                    newest = std::max(newest, lsn);
                }
            }
        }
        m_valid_data_goal = std::max(m_valid_data_goal, offset + LONGLONG(length));
    }
    m_manager.note_dirty();
}

void SharedCacheMap::set_log_handle(PVOID handle, PFLUSH_TO_LSN flush_to_lsn) {
    std::lock_guard guard(m_lock);
    m_log_handle.store(handle, std::memory_order_release);
    m_flush_to_lsn = flush_to_lsn;
}

std::vector<DirtyPage> SharedCacheMap::dirty_page_list() {
    std::vector<DirtyPage> pages;
    std::lock_guard guard(m_lock);
    for (std::size_t index = 0; index < m_views.size(); ++index) {
        const View& view = m_views[index];
        for (std::uint64_t dirty = view.dirty; dirty; dirty &= dirty - 1) {
            const int page = std::countr_zero(dirty);
            const LONGLONG offset = LONGLONG(index) * kViewSize + LONGLONG(page) * kPageSize;
            pages.push_back({offset, view.lsns ? view.lsns->oldest[page] : 0, view.lsns ? view.lsns->newest[page] : 0});
        }
    }
    return pages;
}

LONGLONG SharedCacheMap::offset_of(const void* address) {
    std::lock_guard guard(m_lock);
    const auto* byte = static_cast<const std::byte*>(address);
    for (std::size_t index = 0; index < m_views.size(); ++index) {
        const std::byte* memory = m_views[index].memory;
        if (memory && byte >= memory && byte < memory + kViewSize)
            return LONGLONG(index) * kViewSize + (byte - memory);
    }
    return -1;
}

}  // namespace ntio::cc
