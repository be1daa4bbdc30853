// The cache of one stream: its views of VACB_MAPPING_GRANULARITY bytes, allocated on first touch,
// with a valid and a dirty bit per page, filled by paging reads and emptied by paging writes to the
// stream's file system, the way NT's shared cache map and Mm's section for the file work together
// (there is no Mm here, so the cache owns its memory).
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <vector>

#include <ntifs.h>

namespace ntio::cc {

class CacheManager;
struct Bcb;

constexpr ULONG kPageSize = PAGE_SIZE;
constexpr ULONG kViewSize = VACB_MAPPING_GRANULARITY;
constexpr ULONG kPagesPerView = kViewSize / kPageSize;
static_assert(kPagesPerView == 64, "one 64-bit mask per view");

// The bytes that precede FileSize in the map: CcGetFileSizePointer reads the second LARGE_INTEGER.
struct SharedCacheMapPrefix {
    CSHORT NodeTypeCode;
    CSHORT NodeByteSize;
    ULONG OpenCount;
    LARGE_INTEGER FileSize;
};

// The log sequence numbers CcSetDirtyPinnedData gave the dirty pages of a view: the oldest and the
// newest per page, 0 for none. A page's pair starts afresh when it becomes dirty.
struct ViewLsns {
    std::array<LONGLONG, 64> oldest{};
    std::array<LONGLONG, 64> newest{};
};

struct View {
    std::byte* memory = nullptr;
    std::uint64_t valid = 0;
    std::uint64_t dirty = 0;
    ULONG pins = 0;  // BCBs mapping into this view: purging keeps it
    std::unique_ptr<ViewLsns> lsns;  // made by the first LSN given to one of its pages
};

// One dirty page and its LSNs (CcGetDirtyPages).
struct DirtyPage {
    LONGLONG offset;
    LONGLONG oldest_lsn;
    LONGLONG newest_lsn;
};

// The private cache map of one file object (FileObject->PrivateCacheMap).
struct PrivateCacheMap {
    CSHORT NodeTypeCode;
    ULONG ReadAheadGranularity;
    class SharedCacheMap* Shared;
    // Read-ahead (copy_ddi.cpp): where this file object's last read ended, and how far read-ahead
    // was asked for. Atomics: requests on an asynchronous file object run at once.
    std::atomic<LONGLONG> LastReadEnd{-1};
    std::atomic<LONGLONG> ReadAheadTo{0};
};

class SharedCacheMap {
public:
    SharedCacheMap(CacheManager& manager, PFILE_OBJECT file, const CC_FILE_SIZES& sizes, BOOLEAN pin_access,
                   const CACHE_MANAGER_CALLBACKS& callbacks, PVOID lazy_context);
    ~SharedCacheMap();
    SharedCacheMap(const SharedCacheMap&) = delete;
    SharedCacheMap& operator=(const SharedCacheMap&) = delete;

    // Copies between the cache and `buffer` (ntio_user_copy: a bad caller buffer returns
    // STATUS_ACCESS_VIOLATION). STATUS_PENDING: !wait and paging I/O would be needed.
    NTSTATUS copy_read(LONGLONG offset, ULONG length, bool wait, void* buffer);
    NTSTATUS copy_write(LONGLONG offset, ULONG length, bool wait, const void* buffer);
    // Read-ahead: makes [offset, offset + length) valid (within the file), waiting for its reads.
    void read_ahead(LONGLONG offset, LONGLONG length);
    // Zeroes [start, end) in the cache and marks it dirty.
    NTSTATUS zero(LONGLONG start, LONGLONG end, bool wait);

    // Writes the dirty pages of [offset, offset + length) (all of them when length is 0 and offset
    // -1). `lazy`: a failed write is dropped (a lost delayed write) rather than kept dirty.
    NTSTATUS flush(LONGLONG offset, LONGLONG length, bool lazy, ULONG_PTR* written);
    // Drops [offset, offset + length) (all when length is 0) from the cache, dirty data included;
    // false when a pinned view lies in the range.
    bool purge(LONGLONG offset, LONGLONG length);
    // New sizes; a smaller FileSize purges the whole pages past it. False when that purge met a
    // pinned view (the sizes are set all the same).
    bool set_sizes(const CC_FILE_SIZES& sizes);
    // After a lazy write: the valid data length the file system should now record (true), when the
    // data written through the cache reaches past the one it last gave (no dirty page below it).
    bool valid_data_to_advance(LONGLONG* valid);
    // CcGetFlushedValidData: the offset of the first dirty page, or (nothing dirty) how far data
    // was written through the cache (the valid data goal, within the file).
    LONGLONG flushed_valid_data();

    // Maps [offset, offset + length) (within one view) valid, for a BCB. STATUS_PENDING as above;
    // `no_read`: the pages are made valid without reading them.
    NTSTATUS map_range(LONGLONG offset, ULONG length, bool wait, bool no_read, bool zero, void** address);
    void pin_view(LONGLONG offset);
    void unpin_view(LONGLONG offset);
    // `lsn` (non-zero): the log record that describes the change (CcSetDirtyPinnedData).
    void mark_dirty(LONGLONG offset, ULONG length, LONGLONG lsn = 0);
    // CcSetLogHandleForFile: before a write of dirty pages whose newest LSN is n, the stream's
    // flush routine is called with n (and the log handle), under the stream's lock.
    void set_log_handle(PVOID handle, PFLUSH_TO_LSN flush_to_lsn);
    PVOID log_handle() const noexcept { return m_log_handle.load(std::memory_order_acquire); }
    // The dirty pages in file order, with their LSNs.
    std::vector<DirtyPage> dirty_page_list();
    // The file offset a cache address maps (an MDL of the MDL interface); -1 when it maps none.
    LONGLONG offset_of(const void* address);

    bool has_dirty() const noexcept { return m_dirty_pages.load(std::memory_order_acquire) != 0; }
    std::uint64_t dirty_pages() const noexcept { return m_dirty_pages.load(std::memory_order_acquire); }
    LONGLONG file_size();

    SharedCacheMapPrefix m_prefix;  // first member: CcGetFileSizePointer
    CacheManager& m_manager;
    PFILE_OBJECT m_file;  // referenced: the paging I/O goes through it
    PDEVICE_OBJECT m_device;  // IoGetRelatedDeviceObject(m_file)
    PSECTION_OBJECT_POINTERS m_section;
    CACHE_MANAGER_CALLBACKS m_callbacks;
    PVOID m_lazy_context;
    BOOLEAN m_pin_access;
    std::atomic<bool> m_write_behind_disabled{false};
    // CcSetDirtyPageThreshold: the stream's own limit in pages, 0 for none.
    std::atomic<ULONG> m_dirty_page_threshold{0};
    // CcSetAdditionalCacheAttributes' DisableReadAhead.
    std::atomic<bool> m_read_ahead_disabled{false};

    // Guarded by the manager's map lock.
    ULONG m_open_count = 0;  // private cache maps
    ULONG m_refs = 0;        // calls in progress, BCBs and lazy-writer passes holding the map
    bool m_deleted = false;
    PCACHE_UNINITIALIZE_EVENT m_uninitialize_events = nullptr;

private:
    bool within_locked(LONGLONG offset, LONGLONG length) const noexcept;
    View* view_locked(ULONGLONG index, bool create);
    // Makes pages [first, last] of view `index` valid: zero past the valid data goal, else read.
    NTSTATUS make_valid_locked(ULONGLONG index, ULONG first, ULONG last, bool wait);
    template <class Fill>
    NTSTATUS write_locked(LONGLONG position, LONGLONG end, bool wait, Fill&& fill);
    void add_dirty_locked(View& view, std::uint64_t mask);
    // Pages became dirty (delta > 0) or clean: the stream's count and the cache manager's total.
    void count_dirty(std::int64_t delta) noexcept;
    NTSTATUS write_run_locked(ULONGLONG index, ULONG first, ULONG count);

    std::mutex m_lock;  // views, their bits and the sizes; held across this stream's paging I/O
    std::vector<View> m_views;
    LONGLONG m_valid_data_goal = 0;  // beyond it the file holds no data yet: pages are zero-filled
    LONGLONG m_valid_data_length = 0;  // the file system's, from CcInitializeCacheMap / CcSetFileSizes
    LONGLONG m_allocation_size = 0;
    std::atomic<std::uint64_t> m_dirty_pages{0};
    std::atomic<PVOID> m_log_handle{nullptr};  // written under m_lock
    PFLUSH_TO_LSN m_flush_to_lsn = nullptr;    // under m_lock
};

// The stream's shared cache map, or null when it is not cached. The acquire pairs with
// CcInitializeCacheMap's release store: the map is whole before it is seen.
inline SharedCacheMap* shared_map_of(PSECTION_OBJECT_POINTERS pointers) noexcept {
    return pointers ? static_cast<SharedCacheMap*>(__atomic_load_n(&pointers->SharedCacheMap, __ATOMIC_ACQUIRE))
                    : nullptr;
}
inline SharedCacheMap* shared_map_of(PFILE_OBJECT file) noexcept {
    return file ? shared_map_of(file->SectionObjectPointer) : nullptr;
}

}  // namespace ntio::cc
