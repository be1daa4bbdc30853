// WMI's kernel side for one System: the registered data providers (device objects or WMIENTRY
// callbacks) with the blocks each reported in IRP_MN_REGINFO_EX, and the open data block objects of
// the IoWMI* consumer routines, which decide when a provider is sent ENABLE/DISABLE_COLLECTION and
// ENABLE/DISABLE_EVENTS.
#pragma once

#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "io/ddk.hpp"

namespace ntio {
class System;
}

namespace ntio::io {

// One block a provider registered (a WMIREGGUID of its WMIREGINFO).
struct WmiBlockInfo {
    GUID guid{};
    ULONG flags = 0;                     // WMIREG_FLAG_*
    std::vector<std::u16string> names;   // static instance names by InstanceIndex (none: dynamic)
    PDEVICE_OBJECT pdo = nullptr;        // WMIREG_FLAG_INSTANCE_PDO
};

struct WmiProvider {
    void* id = nullptr;  // the device object (referenced while registered) or the WMIENTRY routine
    bool callback = false;
    bool registered = true;  // cleared by DEREGISTER or the device's deletion
    bool blocked = false;    // WMIREG_ACTION_BLOCK_IRPS: no more requests are sent to it
    unsigned pending = 0;    // registration work items queued, not yet run
    unsigned busy = 0;       // requests being sent to it
    ULONG reginfo_size = 0;  // the IRP_MN_REGINFO_EX buffer size that last sufficed
    std::u16string registry_path, mof_resource;
    std::vector<WmiBlockInfo> blocks;
    std::vector<GUID> collecting, events;  // blocks sent ENABLE_COLLECTION / ENABLE_EVENTS
};
using WmiProviderRef = std::shared_ptr<WmiProvider>;

// The body of a data block object (IoWMIOpenBlock), of object type WmiGuid.
struct WmiDataBlock {
    class WmiRegistry* registry;
    GUID guid;
    ACCESS_MASK access;
    WMI_NOTIFICATION_CALLBACK callback;  // under the registry's lock
    PVOID context;
};

class WmiRegistry {
public:
    explicit WmiRegistry(System& system) : m_system(system) {}
    System& system() noexcept { return m_system; }

    // IoWMIRegistrationControl's action (flags stripped) for `id`. PASSIVE_LEVEL.
    NTSTATUS control(void* id, bool callback, ULONG action);
    // IoDeleteDevice: the device is no provider any more (its registration work is dropped).
    void device_deleted(PDEVICE_OBJECT device);
    // Waits until no registration work is queued: consumers see what was registered before them.
    void wait_registrations();
    // Runs the oldest queued registration (on a system worker thread; one at a time, in the order
    // they were asked for).
    void run_next_registration();

    // The providers that registered `guid` now, marked busy; release() each when done.
    std::vector<WmiProviderRef> providers_of(const GUID& guid);
    void release(const WmiProviderRef& provider);
    // A copy of the block `guid` of `provider` (false when it no longer registers it).
    bool block_of(const WmiProviderRef& provider, const GUID& guid, WmiBlockInfo* out);
    bool guid_known(const GUID& guid, ULONG* flags);

    // Data block objects: open, close (the object's delete), event callback set or removed.
    void opened(WmiDataBlock* block);
    void closed(WmiDataBlock* block);
    NTSTATUS set_callback(WmiDataBlock* block, WMI_NOTIFICATION_CALLBACK callback, PVOID context);
    // IoWMIWriteEvent: calls each callback set for the event's GUID with the event.
    void deliver(PWNODE_HEADER event);

private:
    void run_registration(const WmiProviderRef& provider, ULONG data_path);
    // Sends ENABLE/DISABLE_(COLLECTION|EVENTS) for `guid` to providers whose state differs from
    // `wanted`. Called without the lock.
    void update_function(const GUID& guid, UCHAR enable_minor, bool wanted);
    bool wanted_locked(const GUID& guid, UCHAR enable_minor) const;
    WmiProviderRef find_locked(void* id) const;

    System& m_system;
    mutable std::mutex m_lock;
    std::condition_variable m_changed;  // pending / busy counts fell
    std::mutex m_function_lock;         // one ENABLE/DISABLE update at a time
    std::vector<WmiProviderRef> m_providers;
    std::vector<WmiDataBlock*> m_blocks;  // open data block objects
    unsigned m_pending = 0;               // registration work items of all providers
    std::mutex m_registration_lock;       // held while one registration runs
    std::deque<std::pair<WmiProviderRef, ULONG>> m_registrations;  // queued: provider, DataPath
};

// Sends `minor` to `provider` (an IRP to the top of its device's stack, or a call of its WMIENTRY)
// with the given Parameters.WMI; *information is IoStatus.Information. PASSIVE_LEVEL.
NTSTATUS wmi_send(const WmiProviderRef& provider, UCHAR minor, PVOID data_path, ULONG buffer_size, PVOID buffer,
                  ULONG_PTR* information);

// Parses a WMIREGINFO the provider returned (`size` valid bytes) into `provider` (under the
// registry's lock). False when it is malformed.
bool wmi_parse_reginfo(const UCHAR* buffer, ULONG size, WmiProvider& provider);

// The instance names WMI gives InstanceCount instances of a block registered with
// WMIREG_FLAG_INSTANCE_PDO: the PDO's device instance ID, "_", the index (none for a device that
// is no PDO of the PnP manager).
std::vector<std::u16string> wmi_pdo_instance_names(PDEVICE_OBJECT pdo, ULONG count);

// The data block object type, registered with the I/O types.
void register_wmi_types();
// The data block object `object` when it holds the rights `needed`: STATUS_INVALID_PARAMETER for
// NULL, STATUS_OBJECT_TYPE_MISMATCH for another object, STATUS_ACCESS_DENIED without them.
NTSTATUS data_block(PVOID object, ACCESS_MASK needed, WmiDataBlock** out);
// The registry of the calling thread's System.
WmiRegistry* current_wmi();

}  // namespace ntio::io
