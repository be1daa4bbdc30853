// Process, thread and load-image notify routines: registration and removal as NT answers them, and
// the calls. ntio reports the threads PsCreateSystemThread creates (created on the creating thread
// before the new one runs, ended on the thread itself) and the driver images the I/O manager maps;
// it creates no process once drivers run, so process routines are registered and never called
// (docs/nt-deviations.md).
#include "ob/ps_notify.hpp"

#include <algorithm>

#include "ob/object_manager.hpp"
#include "ob/process.hpp"
#include "ob/thread_objects.hpp"
#include "verifier/verifier.hpp"

namespace ntio::ob {

NotifyList::~NotifyList()
{
    for (Entry* entry : m_entries) delete entry;  // routines a driver never removed
}

bool NotifyList::add(void* routine, bool ex, bool unique)
{
    std::unique_lock guard(m_lock);
    if (m_entries.size() >= kLimit) return false;
    if (unique && std::any_of(m_entries.begin(), m_entries.end(),
                              [&](const Entry* e) { return e->routine == routine && e->ex == ex; }))
        return false;
    auto* entry = new Entry{routine, ex, {}};
    ExInitializeRundownProtection(&entry->rundown);
    m_entries.push_back(entry);
    m_size.store(m_entries.size(), std::memory_order_release);
    return true;
}

bool NotifyList::remove(void* routine, bool ex)
{
    Entry* removed = nullptr;
    {
        std::unique_lock guard(m_lock);
        auto it = std::find_if(m_entries.begin(), m_entries.end(),
                               [&](const Entry* e) { return e->routine == routine && e->ex == ex; });
        if (it == m_entries.end()) return false;
        removed = *it;
        m_entries.erase(it);
        m_size.store(m_entries.size(), std::memory_order_release);
    }
    // Calls that took their reference before the erase finish before this returns.
    ExWaitForRundownProtectionRelease(&removed->rundown);
    delete removed;
    return true;
}

void notify_thread_created(PETHREAD thread)
{
    thread->m_ps_visible = true;
    ObjectManager& manager = *thread->m_process->m_manager;
    const HANDLE process_id = thread->m_process->m_unique_id;
    manager.ps_notify().threads.call_each([&](void* routine, bool) {
        reinterpret_cast<PCREATE_THREAD_NOTIFY_ROUTINE>(routine)(process_id, thread->m_cid_thread, TRUE);
    });
}

void thread_rundown_notify(_KTHREAD* kthread, void* context)
{
    auto* manager = static_cast<ObjectManager*>(context);
    if (kthread->m_provider != &manager->threads()) return;  // not one of this manager's _ETHREADs
    auto* thread = static_cast<PETHREAD>(kthread);
    if (!thread->m_ps_visible || !thread->m_process) return;
    const HANDLE process_id = thread->m_process->m_unique_id;
    manager->ps_notify().threads.call_each([&](void* routine, bool) {
        reinterpret_cast<PCREATE_THREAD_NOTIFY_ROUTINE>(routine)(process_id, thread->m_cid_thread, FALSE);
    });
}

void notify_image_loaded(PsNotify& notify, PUNICODE_STRING full_name, PVOID base, SIZE_T size)
{
    notify.images.call_each([&](void* routine, bool) {
        // A fresh copy for each routine: a routine may not change what the next one sees.
        IMAGE_INFO info{};
        info.ImageAddressingMode = IMAGE_ADDRESSING_MODE_32BIT;
        info.SystemModeImage = 1;
        info.ImageBase = base;
        info.ImageSize = size;
        reinterpret_cast<PLOAD_IMAGE_NOTIFY_ROUTINE>(routine)(full_name, nullptr, &info);
    });
}

}  // namespace ntio::ob

using namespace ntio;

namespace {

ob::PsNotify* current_notify()
{
    PEPROCESS process = ob::current_process();
    return process ? &process->m_manager->ps_notify() : nullptr;
}

// Shared by the two process variants: one list, each entry remembering its variant, as on NT.
NTSTATUS set_process_routine(void* routine, bool ex, BOOLEAN remove)
{
    NTIO_VERIFY_DDI(ntio::verifier::DdiRule::PsPassive);
    ob::PsNotify* notify = current_notify();
    if (!routine || !notify) return STATUS_INVALID_PARAMETER;
    if (remove) return notify->processes.remove(routine, ex) ? STATUS_SUCCESS : STATUS_PROCEDURE_NOT_FOUND;
    return notify->processes.add(routine, ex, true) ? STATUS_SUCCESS : STATUS_INVALID_PARAMETER;
}

NTSTATUS add_routine(ob::NotifyList ob::PsNotify::*list, void* routine)
{
    NTIO_VERIFY_DDI(ntio::verifier::DdiRule::PsPassive);
    ob::PsNotify* notify = current_notify();
    if (!routine || !notify) return STATUS_INVALID_PARAMETER;
    return (notify->*list).add(routine, false, false) ? STATUS_SUCCESS : STATUS_INSUFFICIENT_RESOURCES;
}

NTSTATUS remove_routine(ob::NotifyList ob::PsNotify::*list, void* routine)
{
    NTIO_VERIFY_DDI(ntio::verifier::DdiRule::PsPassive);
    ob::PsNotify* notify = current_notify();
    if (!routine || !notify) return STATUS_PROCEDURE_NOT_FOUND;
    return (notify->*list).remove(routine, false) ? STATUS_SUCCESS : STATUS_PROCEDURE_NOT_FOUND;
}

}  // namespace

extern "C" {

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nf-ntddk-pssetcreateprocessnotifyroutine
// NT deviation: ntio creates no process after drivers load and ends its processes only at shutdown,
// after the drivers unloaded, so a registered routine is never called.
NTSTATUS PsSetCreateProcessNotifyRoutine(PCREATE_PROCESS_NOTIFY_ROUTINE NotifyRoutine, BOOLEAN Remove)
{
    return set_process_routine(reinterpret_cast<void*>(NotifyRoutine), false, Remove);
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nf-ntddk-pssetcreateprocessnotifyroutineex
// NT deviation: never STATUS_ACCESS_DENIED; an ELF image has no IMAGE_DLLCHARACTERISTICS_FORCE_INTEGRITY.
NTSTATUS PsSetCreateProcessNotifyRoutineEx(PCREATE_PROCESS_NOTIFY_ROUTINE_EX NotifyRoutine, BOOLEAN Remove)
{
    return set_process_routine(reinterpret_cast<void*>(NotifyRoutine), true, Remove);
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nf-ntddk-pssetcreatethreadnotifyroutine
NTSTATUS PsSetCreateThreadNotifyRoutine(PCREATE_THREAD_NOTIFY_ROUTINE NotifyRoutine)
{
    return add_routine(&ob::PsNotify::threads, reinterpret_cast<void*>(NotifyRoutine));
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nf-ntddk-psremovecreatethreadnotifyroutine
NTSTATUS PsRemoveCreateThreadNotifyRoutine(PCREATE_THREAD_NOTIFY_ROUTINE NotifyRoutine)
{
    return remove_routine(&ob::PsNotify::threads, reinterpret_cast<void*>(NotifyRoutine));
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nf-ntddk-pssetloadimagenotifyroutine
NTSTATUS PsSetLoadImageNotifyRoutine(PLOAD_IMAGE_NOTIFY_ROUTINE NotifyRoutine)
{
    return add_routine(&ob::PsNotify::images, reinterpret_cast<void*>(NotifyRoutine));
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nf-ntddk-psremoveloadimagenotifyroutine
NTSTATUS PsRemoveLoadImageNotifyRoutine(PLOAD_IMAGE_NOTIFY_ROUTINE NotifyRoutine)
{
    return remove_routine(&ob::PsNotify::images, reinterpret_cast<void*>(NotifyRoutine));
}

}  // extern "C"
