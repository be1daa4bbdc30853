// Processor change callbacks. ntio's processors are fixed when a System boots (no hot add), so a
// registered callback is only ever called at its registration, for the processors that exist, when the
// driver asks for them with KE_PROCESSOR_CHANGE_ADD_EXISTING.
// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-keregisterprocessorchangecallback
#include <algorithm>
#include <mutex>
#include <new>
#include <vector>

#include <wdm.h>

#include "ke/kernel.hpp"

namespace ntio::ke {
namespace {

struct ProcessorChangeRegistration {
    PPROCESSOR_CALLBACK_FUNCTION function;
    PVOID context;
};

std::mutex& registrations_lock() {
    static std::mutex lock;
    return lock;
}

// Live registrations, for the deregistration's check (process-wide: the handles are pool-free heap
// records, and no hot add ever walks them).
std::vector<ProcessorChangeRegistration*>& registrations() {
    static std::vector<ProcessorChangeRegistration*>* list = new std::vector<ProcessorChangeRegistration*>();
    return *list;
}

unsigned processors() noexcept {
    _KTHREAD* t = current_thread();
    return t ? t->m_kernel->processor_count() : 1;
}

// Learn's order for the existing processors: a start notification for each, stopping at the first
// that fails; then a complete notification for each if none failed, else a failure notification for
// each one started before the failing one.
void announce_existing(const ProcessorChangeRegistration& r) {
    const unsigned count = processors();
    unsigned started = 0;
    bool failed = false;
    for (; started < count; ++started) {
        KE_PROCESSOR_CHANGE_NOTIFY_CONTEXT change{};
        change.State = KeProcessorAddStartNotify;
        change.NtNumber = started;
        change.Status = STATUS_SUCCESS;
        (void)KeGetProcessorNumberFromIndex(started, &change.ProcNumber);
        NTSTATUS status = STATUS_SUCCESS;
        r.function(r.context, &change, &status);
        if (!NT_SUCCESS(status)) {
            failed = true;
            break;
        }
    }
    for (unsigned i = 0; i < started; ++i) {
        KE_PROCESSOR_CHANGE_NOTIFY_CONTEXT change{};
        change.State = failed ? KeProcessorAddFailureNotify : KeProcessorAddCompleteNotify;
        change.NtNumber = i;
        change.Status = STATUS_SUCCESS;
        (void)KeGetProcessorNumberFromIndex(i, &change.ProcNumber);
        NTSTATUS status = STATUS_SUCCESS;
        r.function(r.context, &change, &status);
    }
}

}  // namespace
}  // namespace ntio::ke

using namespace ntio::ke;

extern "C" {

// PASSIVE_LEVEL. NULL for a NULL callback or flags other than KE_PROCESSOR_CHANGE_ADD_EXISTING. As
// Learn notes, the handle says only that the registration succeeded, whatever the callbacks for the
// existing processors answered.
NTKERNELAPI PVOID KeRegisterProcessorChangeCallback(PPROCESSOR_CALLBACK_FUNCTION CallbackFunction,
                                                    PVOID CallbackContext, ULONG Flags) {
    if (!CallbackFunction || (Flags & ~ULONG{KE_PROCESSOR_CHANGE_ADD_EXISTING})) return nullptr;
    auto* r = new (std::nothrow) ProcessorChangeRegistration{CallbackFunction, CallbackContext};
    if (!r) return nullptr;
    {
        std::lock_guard guard(registrations_lock());
        registrations().push_back(r);
    }
    if (Flags & KE_PROCESSOR_CHANGE_ADD_EXISTING) announce_existing(*r);
    return r;
}

// PASSIVE_LEVEL. A handle that is not a live registration is ignored.
NTKERNELAPI VOID KeDeregisterProcessorChangeCallback(PVOID CallbackHandle) {
    auto* r = static_cast<ProcessorChangeRegistration*>(CallbackHandle);
    {
        std::lock_guard guard(registrations_lock());
        auto& list = registrations();
        auto it = std::find(list.begin(), list.end(), r);
        if (it == list.end()) return;
        list.erase(it);
    }
    delete r;
}

}  // extern "C"
