// PnP notification callbacks: IoRegisterPlugPlayNotification and its unregistration, the events the
// PnP manager and the device interfaces raise (pnp_notification.hpp), and custom target-device events
// (IoReportTargetDeviceChange[Asynchronous]).
// https://learn.microsoft.com/windows-hardware/drivers/kernel/using-pnp-notification
// https://learn.microsoft.com/windows-hardware/drivers/kernel/using-pnp-target-device-change-notification
//
// Registrations are process-wide, each tagged with its System. A callback runs on the thread that
// raised the event (the PnP operation's thread, the driver's IoSetDeviceInterfaceState caller, a
// worker for the asynchronous report) with no lock held; each registration records the threads inside
// its callback so that unregistering can wait for them (all but the unregistering thread itself: a
// callback may unregister its own registration).
#include "io/pnp_notification.hpp"

#include <condition_variable>
#include <thread>

#include <wdmguid.h>

#include "io/objects.hpp"
#include "io/pnp_manager.hpp"
#include "ntio/system.hpp"
#include "ob/object_manager.hpp"
#include "verifier/verifier.hpp"

namespace ntio::io {

namespace {

struct Entry {
    ob::ObjectManager* manager = nullptr;
    IO_NOTIFICATION_EVENT_CATEGORY category = EventCategoryReserved;
    GUID interface_class{};                   // EventCategoryDeviceInterfaceChange
    PDEVICE_OBJECT pdo = nullptr;             // EventCategoryTargetDeviceChange: referenced
    PFILE_OBJECT file = nullptr;              // as registered (not referenced: the registrant closes it)
    PDRIVER_OBJECT driver = nullptr;          // referenced while registered
    PDRIVER_NOTIFICATION_CALLBACK_ROUTINE callback = nullptr;
    PVOID context = nullptr;
    bool registered = true;                   // under g_lock
    std::vector<std::thread::id> running;     // under g_lock: threads inside the callback
};

std::mutex g_lock;
std::condition_variable g_idle;
std::vector<std::shared_ptr<Entry>> g_entries;

bool same_guid(const GUID& a, const GUID& b) { return std::memcmp(&a, &b, sizeof(GUID)) == 0; }

template <typename Pred>
std::vector<std::shared_ptr<Entry>> snapshot(Pred pred) {
    std::lock_guard guard(g_lock);
    std::vector<std::shared_ptr<Entry>> out;
    for (const auto& e : g_entries)
        if (pred(*e)) out.push_back(e);
    return out;
}

// Calls e's callback unless it was unregistered meanwhile; false when it was.
bool call(Entry& e, PVOID notification, NTSTATUS* result = nullptr) {
    const std::thread::id self = std::this_thread::get_id();
    {
        std::lock_guard guard(g_lock);
        if (!e.registered) return false;
        e.running.push_back(self);
    }
    const NTSTATUS status = e.callback(notification, e.context);
    {
        std::lock_guard guard(g_lock);
        e.running.erase(std::find(e.running.begin(), e.running.end(), self));
    }
    g_idle.notify_all();
    if (result) *result = status;
    return true;
}

void release(Entry& e) {
    if (e.pdo) ObDereferenceObject(e.pdo);
    ObDereferenceObject(e.driver);
}

// One structure per call: a callback may write to what it was given.
void call_interface(Entry& e, const GUID& interface_class, const std::u16string& link, bool arrival) {
    std::u16string text = link;
    text.push_back(u'\0');
    UNICODE_STRING name{static_cast<USHORT>(link.size() * sizeof(WCHAR)), static_cast<USHORT>(text.size() * sizeof(WCHAR)),
                        reinterpret_cast<PWCH>(text.data())};
    DEVICE_INTERFACE_CHANGE_NOTIFICATION n{};
    n.Version = 1;
    n.Size = sizeof n;
    n.Event = arrival ? GUID_DEVICE_INTERFACE_ARRIVAL : GUID_DEVICE_INTERFACE_REMOVAL;
    n.InterfaceClassGuid = interface_class;
    n.SymbolicLinkName = &name;
    (void)call(e, &n);
}

bool call_target(Entry& e, const GUID& event, NTSTATUS* result = nullptr) {
    TARGET_DEVICE_REMOVAL_NOTIFICATION n{};
    n.Version = 1;
    n.Size = sizeof n;
    n.Event = event;
    n.FileObject = e.file;
    return call(e, &n, result);
}

std::vector<std::shared_ptr<Entry>> target_entries(PDEVICE_OBJECT pdo) {
    return snapshot([pdo](const Entry& e) { return e.category == EventCategoryTargetDeviceChange && e.pdo == pdo; });
}

// The PDO under a file object: the device it was opened on (a volume's real device when it has a
// VPB), down to the base of that device's stack, which must be a PDO the PnP manager enumerated.
// Referenced; null when there is none.
PDEVICE_OBJECT pdo_of_file(PFILE_OBJECT file) {
    PVPB vpb = file->Vpb;
    PDEVICE_OBJECT device = vpb && vpb->RealDevice ? vpb->RealDevice : file->DeviceObject;
    if (!is_device(device)) return nullptr;
    PDEVICE_OBJECT base = IoGetDeviceAttachmentBaseRef(device);
    if (base && !pnp_node_of(base)) {
        ObDereferenceObject(base);
        return nullptr;
    }
    return base;
}

bool system_event(const GUID& event) {
    return same_guid(event, GUID_TARGET_DEVICE_QUERY_REMOVE) || same_guid(event, GUID_TARGET_DEVICE_REMOVE_CANCELLED) ||
           same_guid(event, GUID_TARGET_DEVICE_REMOVE_COMPLETE);
}

// What both reporting routines accept: a PnP PDO and a custom event with FileObject NULL.
// NT deviation: a device that is not a PDO is a bug check (PNP_DETECTED_FATAL_ERROR) on Windows;
// here it is STATUS_INVALID_PARAMETER.
NTSTATUS check_custom(PDEVICE_OBJECT pdo, PVOID structure) {
    auto* n = static_cast<PTARGET_DEVICE_CUSTOM_NOTIFICATION>(structure);
    if (!pnp_is_pdo(pdo) || !n || n->Size < FIELD_OFFSET(TARGET_DEVICE_CUSTOM_NOTIFICATION, CustomDataBuffer) ||
        n->FileObject)
        return STATUS_INVALID_PARAMETER;
    if (system_event(n->Event)) return STATUS_INVALID_DEVICE_REQUEST;
    return STATUS_SUCCESS;
}

// Each callback gets its own copy, with FileObject set to the file object it registered with.
void deliver_custom(PDEVICE_OBJECT pdo, const std::vector<unsigned char>& event) {
    for (const auto& e : target_entries(pdo)) {
        std::vector<unsigned char> copy = event;
        auto* n = reinterpret_cast<PTARGET_DEVICE_CUSTOM_NOTIFICATION>(copy.data());
        n->FileObject = e->file;
        (void)call(*e, n);
    }
}

std::vector<unsigned char> copy_custom(PVOID structure) {
    auto* n = static_cast<PTARGET_DEVICE_CUSTOM_NOTIFICATION>(structure);
    // At least the whole structure, so that FileObject can be written whatever Size says.
    std::vector<unsigned char> copy(std::max<std::size_t>(n->Size, sizeof(TARGET_DEVICE_CUSTOM_NOTIFICATION)));
    std::memcpy(copy.data(), n, n->Size);
    return copy;
}

struct AsyncReport {
    WORK_QUEUE_ITEM item;
    PDEVICE_OBJECT pdo;  // referenced
    std::vector<unsigned char> event;
    PDEVICE_CHANGE_COMPLETE_CALLBACK callback;
    PVOID context;
};

VOID NTAPI async_report(PVOID parameter) {
    std::unique_ptr<AsyncReport> report(static_cast<AsyncReport*>(parameter));
    deliver_custom(report->pdo, report->event);
    if (report->callback) report->callback(report->context);
    ObDereferenceObject(report->pdo);
}

NTSTATUS unregister(PVOID notification_entry) {
    std::shared_ptr<Entry> e;
    {
        std::unique_lock lock(g_lock);
        auto it = std::find_if(g_entries.begin(), g_entries.end(),
                               [&](const auto& candidate) { return candidate.get() == notification_entry; });
        if (it == g_entries.end()) return STATUS_INVALID_PARAMETER;
        e = *it;
        g_entries.erase(it);
        e->registered = false;
        const std::thread::id self = std::this_thread::get_id();
        g_idle.wait(lock, [&] {
            return std::all_of(e->running.begin(), e->running.end(), [&](std::thread::id t) { return t == self; });
        });
    }
    release(*e);
    return STATUS_SUCCESS;
}

}  // namespace

void pnp_notify_interface_changes(const std::vector<InterfaceChange>& changes) {
    for (const InterfaceChange& c : changes) {
        auto entries = snapshot([&](const Entry& e) {
            return e.category == EventCategoryDeviceInterfaceChange && e.manager == c.manager &&
                   same_guid(e.interface_class, c.interface_class);
        });
        for (const auto& e : entries) call_interface(*e, c.interface_class, c.link_name, c.arrival);
    }
}

// https://learn.microsoft.com/windows-hardware/drivers/kernel/handling-a-guid-target-device-query-remove-event
// The callback that fails is not told of the cancellation: it knows; the ones that agreed (and may
// have closed their handles) are, so that they can open the device again.
NTSTATUS pnp_notify_query_remove(PDEVICE_OBJECT pdo) {
    auto entries = target_entries(pdo);
    for (std::size_t i = 0; i < entries.size(); ++i) {
        NTSTATUS status = STATUS_SUCCESS;
        if (call_target(*entries[i], GUID_TARGET_DEVICE_QUERY_REMOVE, &status) && !NT_SUCCESS(status)) {
            for (std::size_t j = 0; j < i; ++j) (void)call_target(*entries[j], GUID_TARGET_DEVICE_REMOVE_CANCELLED);
            return status;
        }
    }
    return STATUS_SUCCESS;
}

// https://learn.microsoft.com/windows-hardware/drivers/kernel/handling-a-guid-target-device-remove-cancelled-event
void pnp_notify_remove_cancelled(PDEVICE_OBJECT pdo) {
    for (const auto& e : target_entries(pdo)) (void)call_target(*e, GUID_TARGET_DEVICE_REMOVE_CANCELLED);
}

// https://learn.microsoft.com/windows-hardware/drivers/kernel/handling-a-guid-target-device-remove-complete-event
void pnp_notify_remove_complete(PDEVICE_OBJECT pdo) {
    for (const auto& e : target_entries(pdo)) (void)call_target(*e, GUID_TARGET_DEVICE_REMOVE_COMPLETE);
}

LONG_PTR pnp_notification_references(PDEVICE_OBJECT pdo) {
    std::lock_guard guard(g_lock);
    return std::count_if(g_entries.begin(), g_entries.end(), [pdo](const auto& e) { return e->pdo == pdo; });
}

void pnp_notifications_shutdown(System& system) {
    ob::ObjectManager* manager = &system.objects();
    std::vector<std::shared_ptr<Entry>> left;
    {
        std::unique_lock lock(g_lock);
        for (auto it = g_entries.begin(); it != g_entries.end();) {
            if ((*it)->manager == manager) {
                (*it)->registered = false;
                left.push_back(*it);
                it = g_entries.erase(it);
            } else {
                ++it;
            }
        }
        g_idle.wait(lock, [&] {
            return std::all_of(left.begin(), left.end(), [](const auto& e) { return e->running.empty(); });
        });
    }
    for (const auto& e : left) release(*e);
}

}  // namespace ntio::io

using namespace ntio;
using namespace ntio::io;

extern "C" {

// The PDO at the base of the stack a file object's IRPs go to, referenced: what
// IRP_MN_QUERY_DEVICE_RELATIONS(TargetDeviceRelation) on that stack reports (the target a
// TargetDeviceChange registration watches). The caller drops the reference with ObDereferenceObject.
// A stack outside PnP has no such device: STATUS_INVALID_DEVICE_REQUEST, the status its drivers'
// default dispatch gives that IRP.
// https://learn.microsoft.com/en-us/windows-hardware/drivers/kernel/irp-mn-query-device-relations
NTSTATUS NTAPI IoGetRelatedTargetDevice(PFILE_OBJECT FileObject, PDEVICE_OBJECT* DeviceObject)
{
    NTIO_VERIFY_DDI(ntio::verifier::DdiRule::IrqlAtMost, PASSIVE_LEVEL);
    if (!FileObject || !DeviceObject || ob::type_of(FileObject) != &g_file_type) return STATUS_INVALID_PARAMETER;
    *DeviceObject = nullptr;
    PDEVICE_OBJECT pdo = pdo_of_file(FileObject);
    if (!pdo) return STATUS_INVALID_DEVICE_REQUEST;
    *DeviceObject = pdo;
    return STATUS_SUCCESS;
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-ioregisterplugplaynotification
// NT deviation: EventCategoryHardwareProfileChange is accepted, but ntio has no hardware profiles:
// no event of that category ever arrives.
NTSTATUS NTAPI IoRegisterPlugPlayNotification(IO_NOTIFICATION_EVENT_CATEGORY EventCategory, ULONG EventCategoryFlags,
                                              PVOID EventCategoryData, PDRIVER_OBJECT DriverObject,
                                              PDRIVER_NOTIFICATION_CALLBACK_ROUTINE CallbackRoutine, PVOID Context,
                                              PVOID* NotificationEntry) {
    NTIO_VERIFY_DDI(ntio::verifier::DdiRule::IrqlAtMost, PASSIVE_LEVEL);
    if (!NotificationEntry) return STATUS_INVALID_PARAMETER;
    *NotificationEntry = nullptr;
    if (!CallbackRoutine || !is_driver(DriverObject)) return STATUS_INVALID_PARAMETER;
    auto e = std::make_shared<Entry>();
    e->category = EventCategory;
    e->driver = DriverObject;
    e->callback = CallbackRoutine;
    e->context = Context;
    e->manager = &ob::manager_of(DriverObject);  // the registrant's System
    switch (EventCategory) {
    case EventCategoryHardwareProfileChange: break;
    case EventCategoryDeviceInterfaceChange:
        if (!EventCategoryData) return STATUS_INVALID_PARAMETER;
        e->interface_class = *static_cast<const GUID*>(EventCategoryData);
        break;
    case EventCategoryTargetDeviceChange: {
        auto* file = static_cast<PFILE_OBJECT>(EventCategoryData);
        if (!file || ob::type_of(file) != &g_file_type) return STATUS_INVALID_PARAMETER;
        // The target is the PDO of the file's device stack; a device outside PnP has none (on NT its
        // stack fails IRP_MN_QUERY_DEVICE_RELATIONS(TargetDeviceRelation)).
        e->pdo = pdo_of_file(file);
        if (!e->pdo) return STATUS_INVALID_DEVICE_REQUEST;
        e->file = file;
        break;
    }
    default: return STATUS_INVALID_PARAMETER;
    }
    ObReferenceObject(DriverObject);
    Entry* raw = e.get();
    {
        std::lock_guard guard(g_lock);
        g_entries.push_back(e);
    }
    *NotificationEntry = raw;
    if (EventCategory == EventCategoryDeviceInterfaceChange &&
        (EventCategoryFlags & PNPNOTIFY_DEVICE_INTERFACE_INCLUDE_EXISTING_INTERFACES)) {
        for (const std::u16string& link : device_interfaces_active(e->manager, e->interface_class))
            call_interface(*e, e->interface_class, link, true);
    }
    return STATUS_SUCCESS;
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-iounregisterplugplaynotificationex
NTSTATUS NTAPI IoUnregisterPlugPlayNotificationEx(PVOID NotificationEntry) {
    NTIO_VERIFY_DDI(ntio::verifier::DdiRule::IrqlAtMost, PASSIVE_LEVEL);
    return unregister(NotificationEntry);
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-iounregisterplugplaynotification
// The old form does not promise that no callback runs after it returned; waiting as the Ex form
// does keeps that promise anyway.
NTSTATUS NTAPI IoUnregisterPlugPlayNotification(PVOID NotificationEntry) {
    NTIO_VERIFY_DDI(ntio::verifier::DdiRule::IrqlAtMost, PASSIVE_LEVEL);
    return unregister(NotificationEntry);
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-ioreporttargetdevicechange
NTSTATUS NTAPI IoReportTargetDeviceChange(PDEVICE_OBJECT PhysicalDeviceObject, PVOID NotificationStructure) {
    NTIO_VERIFY_DDI(ntio::verifier::DdiRule::IrqlAtMost, PASSIVE_LEVEL);
    NTSTATUS status = check_custom(PhysicalDeviceObject, NotificationStructure);
    if (!NT_SUCCESS(status)) return status;
    deliver_custom(PhysicalDeviceObject, copy_custom(NotificationStructure));
    return STATUS_SUCCESS;
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-ioreporttargetdevicechangeasynchronous
// The structure is copied (the caller may free it once this returns); the callbacks run on a system
// worker, then Callback(Context). STATUS_PENDING once queued.
NTSTATUS NTAPI IoReportTargetDeviceChangeAsynchronous(PDEVICE_OBJECT PhysicalDeviceObject, PVOID NotificationStructure,
                                                      PDEVICE_CHANGE_COMPLETE_CALLBACK Callback, PVOID Context) {
    NTIO_VERIFY_DDI(ntio::verifier::DdiRule::IrqlAtMost, DISPATCH_LEVEL);
    NTSTATUS status = check_custom(PhysicalDeviceObject, NotificationStructure);
    if (!NT_SUCCESS(status)) return status;
    auto* report = new (std::nothrow) AsyncReport{};
    if (!report) return STATUS_INSUFFICIENT_RESOURCES;
    report->pdo = PhysicalDeviceObject;
    report->event = copy_custom(NotificationStructure);
    report->callback = Callback;
    report->context = Context;
    ObReferenceObject(PhysicalDeviceObject);
    ExInitializeWorkItem(&report->item, async_report, report);
    ExQueueWorkItem(&report->item, DelayedWorkQueue);
    return STATUS_PENDING;
}

}  // extern "C"
