// A watcher driver for the PnP notification tests: a driver object of its own (not in the device's
// stack) whose callbacks record what IoRegisterPlugPlayNotification delivers.
#pragma once

#include <condition_variable>
#include <cstring>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <wdmguid.h>

#include "pnp_test_drivers.hpp"

namespace ntio::pnp_test::notify {

inline std::u16string u16_of(PCWSTR s) { return reinterpret_cast<const char16_t*>(s); }

// What one callback call saw.
struct Notified {
    GUID event{};
    USHORT version = 0;
    USHORT size = 0;
    GUID interface_class{};      // interface change
    std::u16string link;         // interface change
    PFILE_OBJECT file = nullptr; // target device change, custom
    std::string data;            // custom: CustomDataBuffer up to Size
    bool on_other_thread = false;
};

class Log {
public:
    void add(Notified n) {
        {
            std::lock_guard guard(m_lock);
            m_seen.push_back(std::move(n));
        }
        m_changed.notify_all();
    }
    std::vector<Notified> take() {
        std::lock_guard guard(m_lock);
        std::vector<Notified> out;
        out.swap(m_seen);
        return out;
    }
    // For events told on a worker: waits (bounded, a failure guard only) for `count` of them.
    std::vector<Notified> wait_for(std::size_t count) {
        std::unique_lock lock(m_lock);
        m_changed.wait_for(lock, std::chrono::seconds(20), [&] { return m_seen.size() >= count; });
        std::vector<Notified> out;
        out.swap(m_seen);
        return out;
    }
    std::size_t size() {
        std::lock_guard guard(m_lock);
        return m_seen.size();
    }

private:
    std::mutex m_lock;
    std::condition_variable m_changed;
    std::vector<Notified> m_seen;
};

inline Notified notified_of(PVOID structure) {
    auto* header = static_cast<PPLUGPLAY_NOTIFICATION_HEADER>(structure);
    Notified n;
    n.event = header->Event;
    n.version = header->Version;
    n.size = header->Size;
    if (IsEqualGUID(header->Event, GUID_DEVICE_INTERFACE_ARRIVAL) ||
        IsEqualGUID(header->Event, GUID_DEVICE_INTERFACE_REMOVAL)) {
        auto* change = static_cast<PDEVICE_INTERFACE_CHANGE_NOTIFICATION>(structure);
        n.interface_class = change->InterfaceClassGuid;
        n.link.assign(reinterpret_cast<const char16_t*>(change->SymbolicLinkName->Buffer),
                      change->SymbolicLinkName->Length / sizeof(WCHAR));
    } else if (IsEqualGUID(header->Event, GUID_TARGET_DEVICE_QUERY_REMOVE) ||
               IsEqualGUID(header->Event, GUID_TARGET_DEVICE_REMOVE_CANCELLED) ||
               IsEqualGUID(header->Event, GUID_TARGET_DEVICE_REMOVE_COMPLETE)) {
        n.file = static_cast<PTARGET_DEVICE_REMOVAL_NOTIFICATION>(structure)->FileObject;
    } else {
        auto* custom = static_cast<PTARGET_DEVICE_CUSTOM_NOTIFICATION>(structure);
        n.file = custom->FileObject;
        const std::size_t header_size = FIELD_OFFSET(TARGET_DEVICE_CUSTOM_NOTIFICATION, CustomDataBuffer);
        if (custom->Size > header_size)
            n.data.assign(reinterpret_cast<const char*>(custom->CustomDataBuffer), custom->Size - header_size);
    }
    return n;
}

// Context: a Log.
inline NTSTATUS NTAPI record_callback(PVOID structure, PVOID context) {
    static_cast<Log*>(context)->add(notified_of(structure));
    return STATUS_SUCCESS;
}

// The watcher's recordings in the suite's ordered event list (who "watcher", major 0), so that tests
// can place them among the IRPs the stack saw.
inline constexpr UCHAR kQueryRemove = 1;
inline constexpr UCHAR kRemoveCancelled = 2;
inline constexpr UCHAR kRemoveComplete = 3;

// A handle the watcher holds on the device (through its interface) and registers target-device
// notification on; what its callback does with the removal events.
struct Target {
    HANDLE handle = nullptr;
    PFILE_OBJECT file = nullptr;            // referenced while the handle is open
    PFILE_OBJECT registered_file = nullptr;  // what the notifications should carry
    Log log;
    NTSTATUS query_remove_status = STATUS_SUCCESS;
    bool close_on_query_remove = false;
    bool close_on_remove_complete = false;
    std::thread::id opener = std::this_thread::get_id();

    NTSTATUS open() {
        NTSTATUS status = open_interface(&handle);
        if (!NT_SUCCESS(status)) return status;
        PVOID object = nullptr;
        status = ObReferenceObjectByHandle(handle, 0, *IoFileObjectType, KernelMode, &object, nullptr);
        file = registered_file = static_cast<PFILE_OBJECT>(object);
        return status;
    }
    // Learn: on QUERY_REMOVE (or REMOVE_COMPLETE after a surprise removal) the driver dereferences
    // the file object and closes its handle.
    void close() {
        if (file) ObDereferenceObject(file);
        file = nullptr;
        if (handle) NtClose(handle);
        handle = nullptr;
    }
    ~Target() { close(); }
};

inline NTSTATUS NTAPI target_callback(PVOID structure, PVOID context) {
    auto* target = static_cast<Target*>(context);
    Notified n = notified_of(structure);
    n.on_other_thread = std::this_thread::get_id() != target->opener;
    const GUID event = n.event;
    target->log.add(std::move(n));
    if (IsEqualGUID(event, GUID_TARGET_DEVICE_QUERY_REMOVE)) {
        state().record("watcher", 0, kQueryRemove, STATUS_SUCCESS);
        if (!NT_SUCCESS(target->query_remove_status)) return target->query_remove_status;
        if (target->close_on_query_remove) target->close();
    } else if (IsEqualGUID(event, GUID_TARGET_DEVICE_REMOVE_CANCELLED)) {
        state().record("watcher", 0, kRemoveCancelled, STATUS_SUCCESS);
    } else if (IsEqualGUID(event, GUID_TARGET_DEVICE_REMOVE_COMPLETE)) {
        state().record("watcher", 0, kRemoveComplete, STATUS_SUCCESS);
        if (target->close_on_remove_complete) target->close();
    }
    return STATUS_SUCCESS;
}

// IoReportTargetDeviceChangeAsynchronous's completion routine: how many events the target's log
// had when it ran.
struct Completion {
    Target* target = nullptr;
    KEVENT done;
    std::size_t events_seen_before = 0;
    Completion() { KeInitializeEvent(&done, NotificationEvent, FALSE); }
    bool wait() {
        LARGE_INTEGER timeout;
        timeout.QuadPart = -10LL * 1000 * 1000 * 20;  // failure guard only
        return KeWaitForSingleObject(&done, Executive, KernelMode, FALSE, &timeout) == STATUS_SUCCESS;
    }
};

struct SelfUnregistering {
    PVOID entry = nullptr;
    std::atomic<int> calls{0};
    std::atomic<NTSTATUS> unregister_status{STATUS_PENDING};
};

inline NTSTATUS NTAPI self_unregistering_callback(PVOID, PVOID context) {
    auto* self = static_cast<SelfUnregistering*>(context);
    if (++self->calls == 1) self->unregister_status = IoUnregisterPlugPlayNotificationEx(self->entry);
    return STATUS_SUCCESS;
}

// The watcher's driver object ("\Driver\PnpWatcher"); registrations reference it.
class Watcher {
public:
    Watcher() {
        UNICODE_STRING name;
        RtlInitUnicodeString(&name, L"PnpWatcher");
        EXPECT_EQ(NtioCreateDriver(&name, entry, &m_driver), STATUS_SUCCESS);
    }
    ~Watcher() {
        if (!m_driver) return;
        (void)NtioUnloadDriver(m_driver);
        ObDereferenceObject(m_driver);
    }
    Watcher(const Watcher&) = delete;
    Watcher& operator=(const Watcher&) = delete;
    PDRIVER_OBJECT driver() const { return m_driver; }
    // Registers target_callback for target-device events of target's file object.
    NTSTATUS watch(Target& target, PVOID* entry) const {
        return IoRegisterPlugPlayNotification(EventCategoryTargetDeviceChange, 0, target.file, m_driver,
                                              target_callback, &target, entry);
    }

private:
    static VOID NTAPI unload(PDRIVER_OBJECT) {}
    static NTSTATUS NTAPI entry(PDRIVER_OBJECT driver, PUNICODE_STRING) {
        driver->DriverUnload = unload;
        return STATUS_SUCCESS;
    }
    PDRIVER_OBJECT m_driver = nullptr;
};

}  // namespace ntio::pnp_test::notify
