// IoWMIRegistrationControl: a REGISTER, REREGISTER or UPDATE_GUIDS queues a registration that a
// system worker thread runs, sending the provider IRP_MN_REGINFO_EX (a WMIENTRY callback is called
// instead) and keeping the WMIREGINFO it returns; DEREGISTER drops the provider once the requests
// in flight to it are done.
#include <algorithm>
#include <cstring>

#include "io/io_manager.hpp"
#include "io/wmi_registry.hpp"
#include "ntio/system.hpp"
#include "ob/object_manager.hpp"
#include "ob/process.hpp"
#include "verifier/verifier.hpp"

namespace ntio::io {
namespace {

constexpr ULONG kActionFlags = WMIREG_FLAG_CALLBACK | WMIREG_FLAG_TRACEPROVIDER | WMIREG_FLAG_TRACE_NOTIFY_MASK;
// The first IRP_MN_REGINFO_EX buffer; a provider that needs more answers STATUS_BUFFER_TOO_SMALL
// with the size in a ULONG and is asked again with that size, which its later registrations start
// from. NT's first size is undocumented.
constexpr ULONG kFirstReginfoSize = 0x80;
// A provider that keeps answering "too small" (or asks for more than this) is not registered.
constexpr ULONG kMaxReginfoSize = 0x100000;
constexpr int kReginfoAttempts = 4;

struct RegistrationWork {
    WORK_QUEUE_ITEM item;
    WmiRegistry* registry;
};

void NTAPI registration_worker(PVOID context) {
    auto* work = static_cast<RegistrationWork*>(context);
    work->registry->run_next_registration();
    delete work;
}

}  // namespace

// Learn, IRP_MN_REGINFO_EX: "WMI sends this IRP ... after the driver has called
// IoWMIRegistrationControl", "at IRQL = PASSIVE_LEVEL in the context of a system thread": the IRP
// goes from a worker thread, so a driver that registers from AddDevice or IRP_MN_START_DEVICE gets
// it after that routine returned (or concurrently), as on NT.
// https://learn.microsoft.com/windows-hardware/drivers/kernel/irp-mn-reginfo-ex
NTSTATUS WmiRegistry::control(void* id, bool callback, ULONG action) {
    ULONG data_path = WMIREGISTER;
    WmiProviderRef provider;
    {
        std::unique_lock lock(m_lock);
        WmiProviderRef known = find_locked(id);
        switch (action) {
        case WMIREG_ACTION_REGISTER:
            if (known) return STATUS_INVALID_PARAMETER;
            provider = std::make_shared<WmiProvider>();
            provider->id = id;
            provider->callback = callback;
            m_providers.push_back(provider);
            break;
        case WMIREG_ACTION_DEREGISTER:
            if (!known) return STATUS_INVALID_PARAMETER;
            known->registered = false;
            std::erase(m_providers, known);
            // Learn (IoWMIRegistrationControl): the driver deregisters before deleting the device;
            // no request may reach it afterwards, so the ones in flight are waited for.
            m_changed.wait(lock, [&] { return known->busy == 0 && known->pending == 0; });
            return STATUS_SUCCESS;
        case WMIREG_ACTION_REREGISTER:
        case WMIREG_ACTION_UPDATE_GUIDS:
            if (!known) return STATUS_INVALID_PARAMETER;
            provider = known;
            if (action == WMIREG_ACTION_UPDATE_GUIDS) data_path = WMIUPDATE;
            break;
        case WMIREG_ACTION_BLOCK_IRPS:
            if (!known) return STATUS_INVALID_PARAMETER;
            known->blocked = true;
            return STATUS_SUCCESS;
        default:
            return STATUS_INVALID_PARAMETER;
        }
        ++provider->pending;
        ++m_pending;
        m_registrations.emplace_back(provider, data_path);
    }
    if (!callback) ObReferenceObject(id);  // kept until its registration ran
    auto* work = new RegistrationWork{{}, this};
    ExInitializeWorkItem(&work->item, registration_worker, work);
    ExQueueWorkItem(&work->item, DelayedWorkQueue);
    return STATUS_SUCCESS;
}

// Each work item runs the oldest registration: two queued for one provider (REGISTER, then
// UPDATE_GUIDS) run in that order whichever worker thread picks its item first.
void WmiRegistry::run_next_registration() {
    std::lock_guard serial(m_registration_lock);
    std::pair<WmiProviderRef, ULONG> next;
    {
        std::lock_guard guard(m_lock);
        next = std::move(m_registrations.front());
        m_registrations.pop_front();
    }
    run_registration(next.first, next.second);
}

void WmiRegistry::run_registration(const WmiProviderRef& provider, ULONG data_path) {
    bool send;
    {
        std::lock_guard guard(m_lock);
        send = provider->registered && !provider->blocked;
        if (send) ++provider->busy;
    }
    if (send) {
        ULONG size = provider->reginfo_size ? provider->reginfo_size : kFirstReginfoSize;
        for (int attempt = 0; attempt < kReginfoAttempts; ++attempt) {
            auto* buffer = static_cast<UCHAR*>(ExAllocatePool2(POOL_FLAG_NON_PAGED, size, 'imWI'));
            if (!buffer) break;
            ULONG_PTR information = 0;
            NTSTATUS status = wmi_send(provider, IRP_MN_REGINFO_EX, reinterpret_cast<PVOID>(ULONG_PTR{data_path}),
                                       size, buffer, &information);
            ULONG needed = 0;
            if (status == STATUS_BUFFER_TOO_SMALL && information >= sizeof(ULONG))
                std::memcpy(&needed, buffer, sizeof(needed));
            if (NT_SUCCESS(status)) {
                std::lock_guard guard(m_lock);
                provider->reginfo_size = size;
                if (data_path == WMIREGISTER) provider->blocks.clear();
                (void)wmi_parse_reginfo(buffer, static_cast<ULONG>(std::min<ULONG_PTR>(information, size)), *provider);
            }
            ExFreePool(buffer);
            if (status != STATUS_BUFFER_TOO_SMALL || needed <= size || needed > kMaxReginfoSize) break;
            size = needed;
        }
    }
    {
        std::lock_guard guard(m_lock);
        if (send) --provider->busy;
        --provider->pending;
        --m_pending;
    }
    m_changed.notify_all();
    if (!provider->callback) ObDereferenceObject(provider->id);
}

void WmiRegistry::device_deleted(PDEVICE_OBJECT device) {
    std::lock_guard guard(m_lock);
    WmiProviderRef known = find_locked(device);
    if (!known) return;
    known->registered = false;
    std::erase(m_providers, known);
}

void WmiRegistry::wait_registrations() {
    std::unique_lock lock(m_lock);
    m_changed.wait(lock, [&] { return m_pending == 0; });
}

WmiProviderRef WmiRegistry::find_locked(void* id) const {
    for (const WmiProviderRef& provider : m_providers)
        if (provider->id == id) return provider;
    return nullptr;
}

}  // namespace ntio::io

extern "C" {

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-iowmiregistrationcontrol
// With WMIREG_FLAG_CALLBACK, DeviceObject is a WMIENTRY routine, called instead of sending IRPs;
// otherwise it must be a device object.
NTSTATUS NTAPI IoWMIRegistrationControl(PDEVICE_OBJECT DeviceObject, ULONG Action) {
    NTIO_VERIFY_DDI(ntio::verifier::DdiRule::IoPassive5);
    if (!DeviceObject) return STATUS_INVALID_PARAMETER;
    const bool callback = (Action & WMIREG_FLAG_CALLBACK) != 0;
    if (!callback && DeviceObject->Type != IO_TYPE_DEVICE) return STATUS_INVALID_PARAMETER;
    PEPROCESS process = callback ? ntio::ob::current_process() : nullptr;
    if (callback && !process) return STATUS_INVALID_PARAMETER;
    ntio::io::IoManager& io =
        callback ? process->m_manager->system().io() : ntio::ob::manager_of(DeviceObject).system().io();
    return io.wmi().control(DeviceObject, callback, Action & ~ntio::io::kActionFlags);
}

}  // extern "C"
