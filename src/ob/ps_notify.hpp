// The notify routines drivers register with PsSetCreateProcessNotifyRoutine(Ex),
// PsSetCreateThreadNotifyRoutine and PsSetLoadImageNotifyRoutine, one set per System. Each
// registration carries run-down protection, as NT's callback blocks do: a call takes a reference
// before it leaves the list's lock, and a removal waits for the references out, so a routine is
// never called once its removal returned.
#pragma once

#include <array>
#include <atomic>
#include <cstddef>
#include <shared_mutex>
#include <vector>

#include <ntddk.h>

namespace ntio::ob {

class NotifyList {
public:
    static constexpr std::size_t kLimit = 64;

    NotifyList() = default;
    NotifyList(const NotifyList&) = delete;
    NotifyList& operator=(const NotifyList&) = delete;
    ~NotifyList();

    // False when the list is full or (unique) the routine is there already with the same variant.
    bool add(void* routine, bool ex, bool unique);
    // False when the routine (with that variant) is not registered. Waits for its calls in flight.
    // PASSIVE_LEVEL.
    bool remove(void* routine, bool ex);
    // Calls call(routine, ex) for each registration, outside the lock.
    template <class F>
    void call_each(F&& call)
    {
        if (m_size.load(std::memory_order_acquire) == 0) return;
        std::array<Entry*, kLimit> taken;
        std::size_t count = 0;
        {
            std::shared_lock guard(m_lock);
            for (Entry* entry : m_entries)
                if (ExAcquireRundownProtection(&entry->rundown)) taken[count++] = entry;
        }
        for (std::size_t i = 0; i < count; ++i) {
            call(taken[i]->routine, taken[i]->ex);
            ExReleaseRundownProtection(&taken[i]->rundown);
        }
    }

private:
    struct Entry {
        void* routine;
        bool ex;
        EX_RUNDOWN_REF rundown;
    };
    std::shared_mutex m_lock;
    std::vector<Entry*> m_entries;
    std::atomic<std::size_t> m_size{0};
};

struct PsNotify {
    NotifyList processes;
    NotifyList threads;
    NotifyList images;
};

// The thread notifications of a thread drivers can see (PsCreateSystemThread): on the creating
// thread before the new one runs, and on the thread itself as it terminates (ThreadObjects marks
// it, the Kernel's rundown hook reports it).
void notify_thread_created(PETHREAD thread);
// Kernel rundown hook (context: the thread's ObjectManager): the exit notification, on the thread.
void thread_rundown_notify(_KTHREAD* thread, void* context);
// The load-image notification of a driver image mapped by the I/O manager, before DriverEntry.
void notify_image_loaded(PsNotify& notify, PUNICODE_STRING full_name, PVOID base, SIZE_T size);

}  // namespace ntio::ob
