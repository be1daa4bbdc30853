// WMI for drivers: IoWMIRegistrationControl records which device objects (or WMI callbacks) are
// registered data providers, so that the actions NT refuses for an unregistered one are refused
// here too; IoWMIWriteEvent takes events as NT's WMI does when no consumer asks for them. ntio has
// no WMI service: no IRP_MJ_SYSTEM_CONTROL request is ever sent (docs/nt-deviations.md).
#include <algorithm>

#include "io/io_manager.hpp"
#include "ntio/system.hpp"
#include "ob/object_manager.hpp"
#include "verifier/verifier.hpp"
#include "ob/process.hpp"

namespace ntio::io {
namespace {

// MaxEventSize's default: larger events need a WNODE_EVENT_REFERENCE.
constexpr ULONG kMaxEventSize = 0x400;

constexpr ULONG kActionFlags = WMIREG_FLAG_CALLBACK | WMIREG_FLAG_TRACEPROVIDER | WMIREG_FLAG_TRACE_NOTIFY_MASK;

}  // namespace

NTSTATUS IoManager::wmi_registration_control(void* provider, ULONG action) {
    std::lock_guard guard(m_wmi_lock);
    auto it = std::find(m_wmi_providers.begin(), m_wmi_providers.end(), provider);
    const bool registered = it != m_wmi_providers.end();
    switch (action) {
    case WMIREG_ACTION_REGISTER:
        if (registered) return STATUS_INVALID_PARAMETER;
        m_wmi_providers.push_back(provider);
        return STATUS_SUCCESS;
    case WMIREG_ACTION_DEREGISTER:
        if (!registered) return STATUS_INVALID_PARAMETER;
        m_wmi_providers.erase(it);
        return STATUS_SUCCESS;
    case WMIREG_ACTION_REREGISTER:
    case WMIREG_ACTION_UPDATE_GUIDS:
    case WMIREG_ACTION_BLOCK_IRPS:
        // Each would send (or hold back) WMI IRPs to a registered provider; ntio sends none.
        return registered ? STATUS_SUCCESS : STATUS_INVALID_PARAMETER;
    default:
        return STATUS_INVALID_PARAMETER;
    }
}

void IoManager::wmi_device_deleted(PDEVICE_OBJECT device) {
    std::lock_guard guard(m_wmi_lock);
    std::erase(m_wmi_providers, static_cast<void*>(device));
}

}  // namespace ntio::io

extern "C" {

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-iowmiregistrationcontrol
// With WMIREG_FLAG_CALLBACK, DeviceObject is a WMI callback routine and is recorded as such;
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
    return io.wmi_registration_control(DeviceObject, Action & ~ntio::io::kActionFlags);
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-iowmiwriteevent
// NT's WMI queues an event whether or not a consumer waits for it (Learn: drivers should write only
// enabled events so that one does) and frees it: STATUS_SUCCESS. An event larger than MaxEventSize
// is STATUS_BUFFER_OVERFLOW; a trace event (WNODE_FLAG_TRACED_GUID) names a logger session in
// HistoricalContext, and ntio has none: STATUS_INVALID_HANDLE. The caller keeps the buffer on
// failure.
NTSTATUS NTAPI IoWMIWriteEvent(PVOID WnodeEventItem) {
    auto* event = static_cast<PWNODE_EVENT_ITEM>(WnodeEventItem);
    if (!event) return STATUS_INVALID_PARAMETER;
    const WNODE_HEADER& header = event->WnodeHeader;
    if (header.Flags & WNODE_FLAG_TRACED_GUID) return STATUS_INVALID_HANDLE;
    if (header.BufferSize < sizeof(WNODE_HEADER)) return STATUS_INVALID_PARAMETER;
    if (header.BufferSize > ntio::io::kMaxEventSize) return STATUS_BUFFER_OVERFLOW;
    // NT deviation: no WMI consumer can exist, so the queued event is dropped at once.
    ExFreePool(event);
    return STATUS_SUCCESS;
}

}  // extern "C"
