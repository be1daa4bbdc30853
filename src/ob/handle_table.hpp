// Per-process handle table. Handle values are multiples of 4 starting at 4 (the low two tag bits
// are ignored, as on Windows); kernel handles (the System process's table, OBJ_KERNEL_HANDLE) have
// the high bit set like Windows x64 kernel handles. Lookup is the hot path of every I/O call: a
// two-level array of entries that never moves, each entry an atomic header pointer. Lookups only
// read the entry, inside a lookup section (ob/lookup_section.hpp); the entry's low bit is a lock
// that orders removals and attribute changes among themselves, and a removal waits for the
// sections that may have seen the entry before the handle's reference goes.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <utility>
#include <vector>

#include "ob/ddk.hpp"
#include "ob/lookup_section.hpp"

namespace ntio::ob {

struct ObjectHeader;

inline constexpr std::uint64_t kKernelHandleMask = 0xFFFFFFFF80000000ull;

inline bool is_kernel_handle(HANDLE h) noexcept
{
    auto v = reinterpret_cast<std::uint64_t>(h);
    // Pseudo handles (-1 .. -6) are not kernel handles.
    return (v & kKernelHandleMask) == kKernelHandleMask && v < 0xFFFFFFFFFFFFFFF0ull;
}
inline bool is_pseudo_handle(HANDLE h) noexcept
{
    auto v = reinterpret_cast<std::uint64_t>(h);
    return v >= 0xFFFFFFFFFFFFFFFAull;  // -1 (process) .. -6 (thread effective token)
}

// One entry's contents as seen by a lookup or returned by a removal.
struct HandleInfo {
    ObjectHeader* object = nullptr;
    ACCESS_MASK granted = 0;
    ULONG attributes = 0;  // OBJ_INHERIT | OBJ_PROTECT_CLOSE
};

class HandleTable {
public:
    static constexpr ULONG kEntriesPerPage = 512;
    static constexpr ULONG kMaxPages = 2048;  // about one million handles per table

    explicit HandleTable(bool kernel) noexcept : m_kernel(kernel) {}
    ~HandleTable();
    HandleTable(const HandleTable&) = delete;
    HandleTable& operator=(const HandleTable&) = delete;

    // Publishes a new entry. The handle reference (and handle count) is the caller's business.
    // STATUS_INSUFFICIENT_RESOURCES when full; STATUS_PROCESS_IS_TERMINATING after close_all began.
    NTSTATUS insert(const HandleInfo& info, HANDLE* handle);

    // Lookup that writes nothing in the table: on success `info.object` carries one new pointer
    // reference for the caller. False for a free, out-of-range or foreign-kind handle. Any IRQL <=
    // DISPATCH_LEVEL.
    bool reference(HANDLE handle, HandleInfo& info) const noexcept;
    // As reference, without taking a reference: on success the caller is inside a lookup section
    // that keeps the object alive and must end it with leave_lookup() without blocking.
    bool borrow(HANDLE handle, HandleInfo& info) const noexcept;

    // Removes the entry and hands its contents (with the handle's reference) to the caller.
    // STATUS_INVALID_HANDLE; STATUS_HANDLE_NOT_CLOSABLE when protected and honour_protect.
    NTSTATUS remove(HANDLE handle, bool honour_protect, HandleInfo& info);

    // Sets OBJ_INHERIT / OBJ_PROTECT_CLOSE of an entry. STATUS_INVALID_HANDLE.
    NTSTATUS set_attributes(HANDLE handle, ULONG attributes);

    // Refuses further inserts (unless keep_open) and removes every entry, calling fn(handle, info)
    // for each, outside the entry locks. Used by process termination and shutdown (keep_open: the
    // System process's leaked kernel handles, while drivers may still open new ones).
    // One grace period serves all the entries.
    template <class F>
    void close_all(F&& fn, bool keep_open = false)
    {
        if (!keep_open) m_closing.store(true, std::memory_order_release);
        std::vector<std::pair<ULONG, HandleInfo>> removed;
        for (ULONG page = 0; page < kMaxPages; ++page) {
            if (!m_pages[page].load(std::memory_order_acquire)) break;
            for (ULONG i = 0; i < kEntriesPerPage; ++i) {
                ULONG index = page * kEntriesPerPage + i;
                if (index == 0) continue;
                HandleInfo info;
                if (detach(make_handle(index), false, info) == STATUS_SUCCESS) removed.emplace_back(index, info);
            }
        }
        if (removed.empty()) return;
        wait_for_readers();
        for (auto& [index, info] : removed) release_index(index);
        for (auto& [index, info] : removed) fn(make_handle(index), info);
    }

    // Snapshot of live entries (inspector, NtQuerySystemInformation-style enumeration).
    template <class F>
    void for_each(F&& fn) const
    {
        for (ULONG page = 0; page < kMaxPages; ++page) {
            if (!m_pages[page].load(std::memory_order_acquire)) break;
            for (ULONG i = 0; i < kEntriesPerPage; ++i) {
                ULONG index = page * kEntriesPerPage + i;
                if (index == 0) continue;
                HandleInfo info;
                if (reference(make_handle(index), info)) fn(make_handle(index), info);
            }
        }
    }

    ULONG count() const noexcept { return m_count.load(std::memory_order_relaxed); }
    // The most handles the table has held at once (PROCESS_HANDLE_INFORMATION's high watermark).
    ULONG peak() const noexcept { return m_peak.load(std::memory_order_relaxed); }
    bool kernel() const noexcept { return m_kernel; }
    HANDLE make_handle(ULONG index) const noexcept
    {
        std::uint64_t v = std::uint64_t{index} << 2;
        if (m_kernel) v |= kKernelHandleMask;
        return reinterpret_cast<HANDLE>(v);
    }

private:
    struct Entry {
        std::atomic<std::uintptr_t> word{0};  // ObjectHeader* | kLocked; 0 = free
        std::atomic<ACCESS_MASK> granted{0};  // set before the word is published, kept until the grace period ends
        std::atomic<ULONG> attributes{0};     // changed under the entry lock, read by lookups
    };
    static constexpr std::uintptr_t kLocked = 1;

    // Where a handle's entry sits in its page. Handles handed out one after another usually go to
    // different threads (a thread handle each, a file per worker), and every lookup writes its
    // entry's lock bit: consecutive indices are spread kLineStride entries apart so that they never
    // share a cache line, while the entries stay 16 bytes (four to a line, as on NT).
    static constexpr ULONG kEntriesPerLine = 4;
    static constexpr ULONG kLineStride = kEntriesPerPage / kEntriesPerLine;
    static constexpr ULONG slot_of(ULONG index_in_page) noexcept
    {
        return (index_in_page % kLineStride) * kEntriesPerLine + index_in_page / kLineStride;
    }
    static_assert(sizeof(std::atomic<std::uintptr_t>) + 2 * sizeof(std::atomic<ULONG>) == 16, "four entries per cache line");

    Entry* entry(HANDLE handle) const noexcept;
    // Spins until it owns the entry's lock; returns the unlocked word (0 = free, not locked then).
    static std::uintptr_t lock_entry(Entry& e) noexcept;
    // Unpublishes an entry (lookups find it free from here); its index stays reserved until
    // release_index, after the grace period.
    NTSTATUS detach(HANDLE handle, bool honour_protect, HandleInfo& info);
    static void wait_for_readers() noexcept;
    void release_index(ULONG index);

    const bool m_kernel;
    std::atomic<bool> m_closing{false};
    std::atomic<ULONG> m_count{0};
    std::atomic<ULONG> m_peak{0};
    std::unique_ptr<std::atomic<Entry*>[]> m_pages{new std::atomic<Entry*>[kMaxPages]{}};
    std::mutex m_alloc_lock;              // free list and page growth
    std::vector<ULONG> m_free;            // LIFO: Windows hands out the last freed value first
    ULONG m_next = 1;                     // first never-used index
};

// The lookup path of every I/O call, inline.
[[gnu::always_inline]] inline HandleTable::Entry* HandleTable::entry(HANDLE handle) const noexcept
{
    auto v = reinterpret_cast<std::uint64_t>(handle);
    if (m_kernel) {
        if ((v & kKernelHandleMask) != kKernelHandleMask) return nullptr;
        v &= ~kKernelHandleMask;
    } else if (v & kKernelHandleMask) {
        return nullptr;
    }
    std::uint64_t index = v >> 2;
    if (index == 0) return nullptr;
    std::uint64_t page = index / kEntriesPerPage;
    if (page >= kMaxPages) return nullptr;
    Entry* p = m_pages[page].load(std::memory_order_acquire);
    if (!p) return nullptr;
    return &p[slot_of(static_cast<ULONG>(index % kEntriesPerPage))];
}

[[gnu::always_inline]] inline bool HandleTable::borrow(HANDLE handle, HandleInfo& info) const noexcept
{
    Entry* e = entry(handle);
    if (!e) return false;
    enter_lookup();
    const std::uintptr_t v = e->word.load(std::memory_order_acquire) & ~kLocked;
    if (v == 0) {
        leave_lookup();
        return false;
    }
    info.object = reinterpret_cast<ObjectHeader*>(v);
    info.granted = e->granted.load(std::memory_order_relaxed);
    info.attributes = e->attributes.load(std::memory_order_relaxed);
    return true;
}

}  // namespace ntio::ob
