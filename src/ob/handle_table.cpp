// Handle table entries: allocation under a small mutex, lookups that only read (inside a lookup
// section), removal under the per-entry lock bit followed by the grace period, so a lookup either
// sees the object (and may use it until its section ends) or sees a free entry.
#include "ob/handle_table.hpp"

#include <thread>

#include "ob/lookup_section.hpp"
#include "ob/object_header.hpp"

namespace ntio::ob {

HandleTable::~HandleTable()
{
    for (ULONG page = 0; page < kMaxPages; ++page) {
        Entry* p = m_pages[page].load(std::memory_order_relaxed);
        if (!p) break;
        delete[] p;
    }
}

std::uintptr_t HandleTable::lock_entry(Entry& e) noexcept
{
    std::uintptr_t v = e.word.load(std::memory_order_acquire);
    for (unsigned spins = 0;; ++spins) {
        if (v == 0) return 0;
        if (!(v & kLocked)) {
            if (e.word.compare_exchange_weak(v, v | kLocked, std::memory_order_acquire, std::memory_order_acquire))
                return v;
            continue;
        }
        if (spins > 64) std::this_thread::yield();
        v = e.word.load(std::memory_order_acquire);
    }
}

NTSTATUS HandleTable::insert(const HandleInfo& info, HANDLE* handle)
{
    ULONG index;
    Entry* e;
    {
        std::lock_guard<std::mutex> guard(m_alloc_lock);
        if (m_closing.load(std::memory_order_acquire)) return STATUS_PROCESS_IS_TERMINATING;
        if (!m_free.empty()) {
            index = m_free.back();
            m_free.pop_back();
        } else {
            index = m_next;
            ULONG page = index / kEntriesPerPage;
            if (page >= kMaxPages) return STATUS_INSUFFICIENT_RESOURCES;
            if (!m_pages[page].load(std::memory_order_relaxed)) {
                Entry* fresh = new (std::nothrow) Entry[kEntriesPerPage];
                if (!fresh) return STATUS_INSUFFICIENT_RESOURCES;
                m_pages[page].store(fresh, std::memory_order_release);
            }
            ++m_next;
        }
        e = &m_pages[index / kEntriesPerPage].load(std::memory_order_relaxed)[slot_of(index % kEntriesPerPage)];
    }
    // The entry is free (word 0) and ours: fill it, then publish the pointer.
    e->granted.store(info.granted, std::memory_order_relaxed);
    e->attributes.store(info.attributes, std::memory_order_relaxed);
    e->word.store(reinterpret_cast<std::uintptr_t>(info.object), std::memory_order_release);
    const ULONG now = m_count.fetch_add(1, std::memory_order_relaxed) + 1;
    ULONG peak = m_peak.load(std::memory_order_relaxed);
    while (now > peak && !m_peak.compare_exchange_weak(peak, now, std::memory_order_relaxed)) {
    }
    *handle = make_handle(index);
    return STATUS_SUCCESS;
}

bool HandleTable::reference(HANDLE handle, HandleInfo& info) const noexcept
{
    if (!borrow(handle, info)) return false;
    ob::reference(info.object);
    leave_lookup();
    return true;
}

NTSTATUS HandleTable::detach(HANDLE handle, bool honour_protect, HandleInfo& info)
{
    Entry* e = entry(handle);
    if (!e) return STATUS_INVALID_HANDLE;
    std::uintptr_t v = lock_entry(*e);
    if (v == 0) return STATUS_INVALID_HANDLE;
    if (honour_protect && (e->attributes.load(std::memory_order_relaxed) & OBJ_PROTECT_CLOSE)) {
        e->word.store(v, std::memory_order_release);
        return STATUS_HANDLE_NOT_CLOSABLE;
    }
    info.object = reinterpret_cast<ObjectHeader*>(v);
    info.granted = e->granted.load(std::memory_order_relaxed);
    info.attributes = e->attributes.load(std::memory_order_relaxed);
    e->word.store(0, std::memory_order_release);
    m_count.fetch_sub(1, std::memory_order_relaxed);
    return STATUS_SUCCESS;
}

void HandleTable::wait_for_readers() noexcept { wait_for_lookups(); }

void HandleTable::release_index(ULONG index)
{
    Entry& e = m_pages[index / kEntriesPerPage].load(std::memory_order_relaxed)[slot_of(index % kEntriesPerPage)];
    e.granted.store(0, std::memory_order_relaxed);
    e.attributes.store(0, std::memory_order_relaxed);
    std::lock_guard<std::mutex> guard(m_alloc_lock);
    m_free.push_back(index);
}

NTSTATUS HandleTable::remove(HANDLE handle, bool honour_protect, HandleInfo& info)
{
    NTSTATUS status = detach(handle, honour_protect, info);
    if (!NT_SUCCESS(status)) return status;
    // Lookups that found the entry may still use the object: the handle's reference stays until
    // they are done.
    wait_for_lookups();
    release_index(static_cast<ULONG>((reinterpret_cast<std::uint64_t>(handle) & ~kKernelHandleMask) >> 2));
    return STATUS_SUCCESS;
}

NTSTATUS HandleTable::set_attributes(HANDLE handle, ULONG attributes)
{
    Entry* e = entry(handle);
    if (!e) return STATUS_INVALID_HANDLE;
    std::uintptr_t v = lock_entry(*e);
    if (v == 0) return STATUS_INVALID_HANDLE;
    e->attributes.store(attributes & (OBJ_INHERIT | OBJ_PROTECT_CLOSE), std::memory_order_relaxed);
    e->word.store(v, std::memory_order_release);
    return STATUS_SUCCESS;
}

}  // namespace ntio::ob
