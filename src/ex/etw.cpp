// The ETW kernel provider API. ntio has no trace sessions, so a provider registers and writes but
// is never enabled: the handles are real (a write or an unregister on a handle not registered is
// refused as on NT), the events go nowhere and the enable callback is never called. The activity
// ID of each thread is real: it is kept per host thread, which is one KTHREAD.
#include <atomic>
#include <cstring>
#include <cstdint>
#include <mutex>
#include <shared_mutex>
#include <unordered_map>

#include <wdm.h>

namespace ntio::ex {
namespace {

struct Provider {
    GUID id;
    PETWENABLECALLBACK callback;
    PVOID context;
    bool use_descriptor_type = false;
};

// Registrations of every System of the host process: a REGHANDLE names no object, so nothing
// else could tell which System one belongs to. Handles are never reused.
struct ProviderTable {
    std::shared_mutex lock;
    std::unordered_map<REGHANDLE, Provider> providers;
    REGHANDLE next = 0x1000;
};

ProviderTable& providers() {
    static ProviderTable* table = new ProviderTable();  // outlives every System's teardown
    return *table;
}

bool registered(REGHANDLE handle) {
    ProviderTable& t = providers();
    std::shared_lock guard(t.lock);
    return t.providers.contains(handle);
}

// The checks EtwWrite documents, shared by the other writes.
NTSTATUS write(REGHANDLE handle, PCEVENT_DESCRIPTOR descriptor, ULONG count, PEVENT_DATA_DESCRIPTOR data) {
    if (!registered(handle)) return STATUS_INVALID_HANDLE;
    if (!descriptor || count > MAX_EVENT_DATA_DESCRIPTORS || (count && !data)) return STATUS_INVALID_PARAMETER;
    return STATUS_SUCCESS;  // no session is enabled: nothing is logged
}

constinit thread_local GUID t_activity_id{};

// Locally unique activity IDs: a per-boot random half and a counter.
GUID create_activity_id() {
    static const std::uint64_t boot = [] {
        LARGE_INTEGER now;
        KeQuerySystemTimePrecise(&now);
        return static_cast<std::uint64_t>(now.QuadPart) ^ reinterpret_cast<std::uintptr_t>(&now);
    }();
    static std::atomic<std::uint64_t> counter{0};
    const std::uint64_t n = counter.fetch_add(1, std::memory_order_relaxed) + 1;
    GUID id;
    id.Data1 = static_cast<ULONG>(n);
    id.Data2 = static_cast<USHORT>(n >> 32);
    id.Data3 = static_cast<USHORT>(n >> 48);
    for (int i = 0; i < 8; ++i) id.Data4[i] = static_cast<UCHAR>(boot >> (8 * i));
    return id;
}

}  // namespace
}  // namespace ntio::ex

using namespace ntio::ex;

extern "C" {

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-etwregister
NTSTATUS NTAPI EtwRegister(LPCGUID ProviderId, PETWENABLECALLBACK EnableCallback, PVOID CallbackContext,
                           PREGHANDLE RegHandle) {
    if (!RegHandle) return STATUS_INVALID_PARAMETER;
    *RegHandle = 0;
    if (!ProviderId) return STATUS_INVALID_PARAMETER;
    ProviderTable& t = providers();
    std::unique_lock guard(t.lock);
    const REGHANDLE handle = t.next++;
    t.providers.emplace(handle, Provider{*ProviderId, EnableCallback, CallbackContext});
    // NT deviation: no session exists to enable the provider, so EnableCallback is never called.
    *RegHandle = handle;
    return STATUS_SUCCESS;
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-etwunregister
NTSTATUS NTAPI EtwUnregister(REGHANDLE RegHandle) {
    ProviderTable& t = providers();
    std::unique_lock guard(t.lock);
    return t.providers.erase(RegHandle) ? STATUS_SUCCESS : STATUS_INVALID_HANDLE;
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-etweventenabled
BOOLEAN NTAPI EtwEventEnabled(REGHANDLE RegHandle, PCEVENT_DESCRIPTOR EventDescriptor) {
    (void)RegHandle;
    (void)EventDescriptor;
    return FALSE;  // NT deviation: no session enables any provider
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-etwproviderenabled
BOOLEAN NTAPI EtwProviderEnabled(REGHANDLE RegHandle, UCHAR Level, ULONGLONG Keyword) {
    (void)RegHandle;
    (void)Level;
    (void)Keyword;
    return FALSE;  // NT deviation: no session enables any provider
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-etwwrite
// STATUS_INVALID_HANDLE for a handle not registered, STATUS_INVALID_PARAMETER above 128
// descriptors, else STATUS_SUCCESS with nothing logged (the provider is enabled for no session).
NTSTATUS NTAPI EtwWrite(REGHANDLE RegHandle, PCEVENT_DESCRIPTOR EventDescriptor, LPCGUID ActivityId,
                        ULONG UserDataCount, PEVENT_DATA_DESCRIPTOR UserData) {
    (void)ActivityId;
    return write(RegHandle, EventDescriptor, UserDataCount, UserData);
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-etwwriteex
NTSTATUS NTAPI EtwWriteEx(REGHANDLE RegHandle, PCEVENT_DESCRIPTOR EventDescriptor, ULONG64 Filter, ULONG Flags,
                          LPCGUID ActivityId, LPCGUID RelatedActivityId, ULONG UserDataCount,
                          PEVENT_DATA_DESCRIPTOR UserData) {
    (void)Filter;
    (void)Flags;
    (void)ActivityId;
    (void)RelatedActivityId;
    return write(RegHandle, EventDescriptor, UserDataCount, UserData);
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-etwwritetransfer
NTSTATUS NTAPI EtwWriteTransfer(REGHANDLE RegHandle, PCEVENT_DESCRIPTOR EventDescriptor, LPCGUID ActivityId,
                                LPCGUID RelatedActivityId, ULONG UserDataCount, PEVENT_DATA_DESCRIPTOR UserData) {
    (void)ActivityId;
    (void)RelatedActivityId;
    return write(RegHandle, EventDescriptor, UserDataCount, UserData);
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-etwwritestring
NTSTATUS NTAPI EtwWriteString(REGHANDLE RegHandle, UCHAR Level, ULONGLONG Keyword, LPCGUID ActivityId,
                              PCWSTR String) {
    (void)Level;
    (void)Keyword;
    (void)ActivityId;
    if (!registered(RegHandle)) return STATUS_INVALID_HANDLE;
    return String ? STATUS_SUCCESS : STATUS_INVALID_PARAMETER;
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-etwsetinformation
// EventProviderSetTraits takes a traits blob whose first USHORT is its size (the InformationLength);
// EventProviderUseDescriptorType a BOOLEAN. The other classes are user-mode ones:
// STATUS_INVALID_DEVICE_REQUEST, and an unknown class STATUS_INVALID_PARAMETER.
NTSTATUS NTAPI EtwSetInformation(REGHANDLE RegHandle, EVENT_INFO_CLASS InformationClass, PVOID EventInformation,
                                 ULONG InformationLength) {
    ProviderTable& t = providers();
    std::unique_lock guard(t.lock);
    auto it = t.providers.find(RegHandle);
    if (it == t.providers.end()) return STATUS_INVALID_HANDLE;
    switch (InformationClass) {
    case EventProviderSetTraits: {
        if (!EventInformation || InformationLength < sizeof(USHORT)) return STATUS_INVALID_PARAMETER;
        USHORT size;
        std::memcpy(&size, EventInformation, sizeof size);
        return size == InformationLength ? STATUS_SUCCESS : STATUS_INVALID_PARAMETER;
    }
    case EventProviderUseDescriptorType:
        if (!EventInformation || InformationLength != sizeof(BOOLEAN)) return STATUS_INVALID_PARAMETER;
        it->second.use_descriptor_type = *static_cast<PBOOLEAN>(EventInformation) != FALSE;
        return STATUS_SUCCESS;
    case EventProviderBinaryTrackInfo:
    case EventProviderSetReserved1:
        return STATUS_INVALID_DEVICE_REQUEST;
    default:
        return STATUS_INVALID_PARAMETER;
    }
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-etwactivityidcontrol
// The thread's activity ID starts as GUID_NULL. A NULL ActivityId or an unknown ControlCode is
// STATUS_INVALID_PARAMETER.
NTSTATUS NTAPI EtwActivityIdControl(ULONG ControlCode, LPGUID ActivityId) {
    if (!ActivityId) return STATUS_INVALID_PARAMETER;
    switch (ControlCode) {
    case EVENT_ACTIVITY_CTRL_GET_ID:
        *ActivityId = t_activity_id;
        return STATUS_SUCCESS;
    case EVENT_ACTIVITY_CTRL_SET_ID:
        t_activity_id = *ActivityId;
        return STATUS_SUCCESS;
    case EVENT_ACTIVITY_CTRL_CREATE_ID:
        *ActivityId = create_activity_id();
        return STATUS_SUCCESS;
    case EVENT_ACTIVITY_CTRL_GET_SET_ID: {
        const GUID previous = t_activity_id;
        t_activity_id = *ActivityId;
        *ActivityId = previous;
        return STATUS_SUCCESS;
    }
    case EVENT_ACTIVITY_CTRL_CREATE_SET_ID:
        *ActivityId = t_activity_id;
        t_activity_id = create_activity_id();
        return STATUS_SUCCESS;
    default:
        return STATUS_INVALID_PARAMETER;
    }
}

}  // extern "C"
