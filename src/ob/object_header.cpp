// Pointer-count release and the per-process handle count database of an object header.
#include "ob/object_header.hpp"

#include <new>
#include <thread>

#include "ntio_ddk/bugcodes.h"
#include "ob/object_manager.hpp"
#include "ex/executive.hpp"
#include "ntio/system.hpp"

namespace ntio::ob {

void ProcessHandleCounts::lock() noexcept
{
    while (m_lock.exchange(true, std::memory_order_acquire)) {
        while (m_lock.load(std::memory_order_relaxed)) std::this_thread::yield();
    }
}

ULONG_PTR ProcessHandleCounts::increment(PEPROCESS process)
{
    lock();
    ULONG_PTR result;
    if (m_first == process || (m_first == nullptr && m_first_count == 0)) {
        m_first = process;
        result = ++m_first_count;
    } else {
        result = 0;
        for (auto& e : m_more) {
            if (e.first == process) { result = ++e.second; break; }
        }
        if (result == 0) {
            try {
                m_more.emplace_back(process, 1);
            } catch (...) {
                unlock();
                throw;
            }
            result = 1;
        }
    }
    unlock();
    return result;
}

ULONG_PTR ProcessHandleCounts::decrement(PEPROCESS process)
{
    lock();
    ULONG_PTR before = 0;
    if (m_first == process && m_first_count != 0) {
        before = m_first_count--;
        if (m_first_count == 0) m_first = nullptr;
    } else {
        for (auto it = m_more.begin(); it != m_more.end(); ++it) {
            if (it->first == process) {
                before = it->second--;
                if (it->second == 0) m_more.erase(it);
                break;
            }
        }
    }
    unlock();
    return before;
}

ULONG_PTR ProcessHandleCounts::count(PEPROCESS process)
{
    lock();
    ULONG_PTR result = 0;
    if (m_first == process) result = m_first_count;
    for (auto& e : m_more)
        if (e.first == process) result = e.second;
    unlock();
    return result;
}

namespace {

// The deletion itself: the delete procedure, then the memory.
void delete_object(ObjectHeader* h) noexcept
{
    _OBJECT_TYPE* type = h->type;
    ObjectManager* manager = h->manager;
    if (type->del) type->del(h->body());
    h->~ObjectHeader();
    ::operator delete(reinterpret_cast<char*>(h) - kHeaderOffset, std::align_val_t{kBodyAlignment});
    manager->object_deleted(type);
}

// A deletion deferred to a worker thread (a delete_at_passive type's last reference gone above
// APC_LEVEL). The object is unreachable meanwhile: its count is 0 and it is marked deleting.
struct DeferredDeletion {
    WORK_QUEUE_ITEM item;
    ObjectHeader* header;
};

VOID NTAPI run_deferred_deletion(PVOID parameter)
{
    auto* deferred = static_cast<DeferredDeletion*>(parameter);
    ObjectHeader* h = deferred->header;
    delete deferred;
    delete_object(h);
}

// A dereference cannot fail: the work item's memory is retried until the host gives it.
void defer_deletion(ObjectHeader* h) noexcept
{
    auto* deferred = new (std::nothrow) DeferredDeletion;
    while (!deferred) {
        std::this_thread::yield();
        deferred = new (std::nothrow) DeferredDeletion;
    }
    deferred->header = h;
    ExInitializeWorkItem(&deferred->item, run_deferred_deletion, deferred);
    h->manager->system().executive().queue_work_item(&deferred->item, CriticalWorkQueue);
}

}  // namespace

LONG_PTR dereference_last(ObjectHeader* h, LONG_PTR before) noexcept
{
    // Bug check 0x18 (object type, object, reserved, reserved: ntio puts the count found in P4),
    // https://learn.microsoft.com/windows-hardware/drivers/debugger/bug-check-0x18--reference-by-pointer
    if (before < 1) {
        KeBugCheckEx(REFERENCE_BY_POINTER, reinterpret_cast<ULONG_PTR>(h->type),
                     reinterpret_cast<ULONG_PTR>(h->body()), 0, before);
    }
    // Last reference: the delete procedure sees a body nobody else can reach any more.
    h->flags.fetch_or(kObjectDeleting, std::memory_order_relaxed);
    if (h->type->delete_at_passive && KeGetCurrentIrql() > APC_LEVEL) [[unlikely]] {
        defer_deletion(h);
        return 0;
    }
    delete_object(h);
    return 0;
}

}  // namespace ntio::ob
