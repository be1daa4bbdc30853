// PnP notification callbacks as a WDK driver uses them: a watcher driver (created here, not part of
// the device's stack) registers with IoRegisterPlugPlayNotification for the interface class the
// function driver enables, or for target-device events on a handle it opened on that interface, and
// sees what the PnP manager tells it while the device starts, is removed (orderly, vetoed, surprise)
// or reports custom events.
// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-ioregisterplugplaynotification
// https://learn.microsoft.com/windows-hardware/drivers/kernel/using-pnp-target-device-change-notification
#include <ntifs.h>

#include <ioevent.h>
#include <wdmguid.h>

#include <string>
#include <vector>

#include "pnp_notification_support.hpp"

namespace ntio::pnp_test::notify {
namespace {

// {6d0e1b2a-93c4-4f5e-8a7b-1c2d3e4f5a60}: the custom event the tests report.
const GUID kCustomEvent = {0x6d0e1b2a, 0x93c4, 0x4f5e, {0x8a, 0x7b, 0x1c, 0x2d, 0x3e, 0x4f, 0x5a, 0x60}};

VOID NTAPI completion_callback(PVOID context) {
    auto* done = static_cast<Completion*>(context);
    done->events_seen_before = done->target ? done->target->log.size() : 0;
    KeSetEvent(&done->done, IO_NO_INCREMENT, FALSE);
}

NTSTATUS remove_it(BOOLEAN surprise, PNP_VETO_TYPE* veto = nullptr) {
    UNICODE_STRING name = instance_name();
    return NtioPnpRemoveDevice(&name, surprise, veto);
}

NTIO_PNP_DEVICE_STATE state_of_device() {
    UNICODE_STRING name = instance_name();
    NTIO_PNP_DEVICE_STATE state = NtioPnpDeviceNotFound;
    EXPECT_EQ(NtioPnpQueryDevice(&name, &state, nullptr), STATUS_SUCCESS);
    return state;
}

// Where fn's IRP_MN_QUERY_REMOVE_DEVICE is in the recorded events, -1 when it never came.
int query_remove_irp_index(const std::vector<Event>& events) {
    for (std::size_t i = 0; i < events.size(); ++i)
        if (events[i].who == "fn" && events[i].major == IRP_MJ_PNP && events[i].minor == IRP_MN_QUERY_REMOVE_DEVICE)
            return static_cast<int>(i);
    return -1;
}

int watcher_index(const std::vector<Event>& events, UCHAR what) {
    for (std::size_t i = 0; i < events.size(); ++i)
        if (events[i].who == "watcher" && events[i].minor == what) return static_cast<int>(i);
    return -1;
}

TEST_F(PnpTest, InterfaceArrivalAndRemovalReachTheClassWatcher) {
    Drivers drivers;
    Watcher watcher;
    Log log;
    PVOID entry = nullptr;
    ASSERT_EQ(IoRegisterPlugPlayNotification(EventCategoryDeviceInterfaceChange, 0, const_cast<GUID*>(&kInterfaceGuid),
                                             watcher.driver(), record_callback, &log, &entry),
              STATUS_SUCCESS);
    ASSERT_NE(entry, nullptr);
    EXPECT_TRUE(log.take().empty());

    // fn enables its interface in START: ARRIVAL with the name IoRegisterDeviceInterface gave it.
    ASSERT_EQ(NtioPnpEnumerateRoot(), STATUS_SUCCESS);
    const std::u16string name = u16_of(kInterfaceLink);
    auto seen = log.take();
    ASSERT_EQ(seen.size(), 1u);
    EXPECT_TRUE(IsEqualGUID(seen[0].event, GUID_DEVICE_INTERFACE_ARRIVAL));
    EXPECT_TRUE(IsEqualGUID(seen[0].interface_class, kInterfaceGuid));
    EXPECT_EQ(seen[0].link, name);
    EXPECT_EQ(seen[0].version, 1);
    EXPECT_EQ(seen[0].size, sizeof(DEVICE_INTERFACE_CHANGE_NOTIFICATION));

    // Another instance of the class, enabled and disabled by the device's driver.
    PDEVICE_OBJECT pdo = state().pdo;
    UNICODE_STRING reference;
    RtlInitUnicodeString(&reference, L"second");
    UNICODE_STRING second{};
    ASSERT_EQ(IoRegisterDeviceInterface(pdo, &kInterfaceGuid, &reference, &second), STATUS_SUCCESS);
    EXPECT_TRUE(log.take().empty());  // registered, not enabled
    ASSERT_EQ(IoSetDeviceInterfaceState(&second, TRUE), STATUS_SUCCESS);
    ASSERT_EQ(IoSetDeviceInterfaceState(&second, FALSE), STATUS_SUCCESS);
    seen = log.take();
    ASSERT_EQ(seen.size(), 2u);
    EXPECT_TRUE(IsEqualGUID(seen[0].event, GUID_DEVICE_INTERFACE_ARRIVAL));
    EXPECT_EQ(seen[0].link, name + u"\\second");
    EXPECT_TRUE(IsEqualGUID(seen[1].event, GUID_DEVICE_INTERFACE_REMOVAL));
    EXPECT_EQ(seen[1].link, name + u"\\second");
    RtlFreeUnicodeString(&second);

    // The removal disables fn's interface (fn does in REMOVE_DEVICE).
    ASSERT_EQ(remove_it(FALSE), STATUS_SUCCESS);
    seen = log.take();
    ASSERT_EQ(seen.size(), 1u);
    EXPECT_TRUE(IsEqualGUID(seen[0].event, GUID_DEVICE_INTERFACE_REMOVAL));
    EXPECT_EQ(seen[0].link, name);

    // Unregistered: the next start tells no one.
    EXPECT_EQ(IoUnregisterPlugPlayNotificationEx(entry), STATUS_SUCCESS);
    ASSERT_EQ(NtioPnpEnumerateRoot(), STATUS_SUCCESS);
    EXPECT_TRUE(log.take().empty());
    EXPECT_EQ(remove_it(FALSE), STATUS_SUCCESS);
}

TEST_F(PnpTest, IncludeExistingInterfacesReportsTheEnabledOnesBeforeReturning) {
    Drivers drivers;
    Watcher watcher;
    ASSERT_EQ(NtioPnpEnumerateRoot(), STATUS_SUCCESS);
    Log plain;
    Log existing;
    PVOID plain_entry = nullptr;
    PVOID existing_entry = nullptr;
    ASSERT_EQ(IoRegisterPlugPlayNotification(EventCategoryDeviceInterfaceChange, 0, const_cast<GUID*>(&kInterfaceGuid),
                                             watcher.driver(), record_callback, &plain, &plain_entry),
              STATUS_SUCCESS);
    EXPECT_TRUE(plain.take().empty());
    ASSERT_EQ(IoRegisterPlugPlayNotification(EventCategoryDeviceInterfaceChange,
                                             PNPNOTIFY_DEVICE_INTERFACE_INCLUDE_EXISTING_INTERFACES,
                                             const_cast<GUID*>(&kInterfaceGuid), watcher.driver(), record_callback,
                                             &existing, &existing_entry),
              STATUS_SUCCESS);
    auto seen = existing.take();
    ASSERT_EQ(seen.size(), 1u);
    EXPECT_TRUE(IsEqualGUID(seen[0].event, GUID_DEVICE_INTERFACE_ARRIVAL));
    EXPECT_EQ(seen[0].link, u16_of(kInterfaceLink));

    // Another class: nothing of this one.
    Log other;
    PVOID other_entry = nullptr;
    GUID other_class = kInterfaceGuid;
    other_class.Data1 ^= 1;
    ASSERT_EQ(IoRegisterPlugPlayNotification(EventCategoryDeviceInterfaceChange,
                                             PNPNOTIFY_DEVICE_INTERFACE_INCLUDE_EXISTING_INTERFACES, &other_class,
                                             watcher.driver(), record_callback, &other, &other_entry),
              STATUS_SUCCESS);
    ASSERT_EQ(remove_it(FALSE), STATUS_SUCCESS);
    EXPECT_TRUE(other.take().empty());
    EXPECT_EQ(plain.take().size(), 1u);     // REMOVAL
    EXPECT_EQ(existing.take().size(), 1u);  // REMOVAL
    for (PVOID e : {plain_entry, existing_entry, other_entry}) EXPECT_EQ(IoUnregisterPlugPlayNotificationEx(e), STATUS_SUCCESS);
}

// The watcher holds a handle on the device: QUERY_REMOVE comes before the PnP manager's
// IRP_MN_QUERY_REMOVE_DEVICE (and before the open-handle check: the callback closes its handle, as
// Learn's "Handling a GUID_TARGET_DEVICE_QUERY_REMOVE event" says it should), REMOVE_COMPLETE after
// the stack went; both carry the file object the registration named.
TEST_F(PnpTest, OrderlyRemovalTellsTargetWatcherQueryRemoveThenRemoveComplete) {
    Drivers drivers;
    Watcher watcher;
    ASSERT_EQ(NtioPnpEnumerateRoot(), STATUS_SUCCESS);
    Target target;
    ASSERT_EQ(target.open(), STATUS_SUCCESS);
    target.close_on_query_remove = true;
    PVOID entry = nullptr;
    ASSERT_EQ(watcher.watch(target, &entry), STATUS_SUCCESS);
    state().take();
    ASSERT_EQ(remove_it(FALSE), STATUS_SUCCESS);
    EXPECT_TRUE(wait_removed());
    auto seen = target.log.take();
    ASSERT_EQ(seen.size(), 2u);
    EXPECT_TRUE(IsEqualGUID(seen[0].event, GUID_TARGET_DEVICE_QUERY_REMOVE));
    EXPECT_TRUE(IsEqualGUID(seen[1].event, GUID_TARGET_DEVICE_REMOVE_COMPLETE));
    EXPECT_EQ(seen[0].file, target.registered_file);
    EXPECT_EQ(seen[1].file, target.registered_file);
    EXPECT_EQ(seen[0].size, sizeof(TARGET_DEVICE_REMOVAL_NOTIFICATION));
    const auto events = state().take();
    const int irp = query_remove_irp_index(events);
    const int told = watcher_index(events, kQueryRemove);
    ASSERT_GE(irp, 0);
    ASSERT_GE(told, 0);
    EXPECT_LT(told, irp);
    EXPECT_GT(watcher_index(events, kRemoveComplete), irp);
    EXPECT_EQ(IoUnregisterPlugPlayNotificationEx(entry), STATUS_SUCCESS);
}

// Two watchers: the first agrees, the second vetoes. The removal fails before any IRP, the first
// is told REMOVE_CANCELLED, and the device stays started.
TEST_F(PnpTest, VetoedQueryRemoveCancelsForThoseToldAndTheDeviceStays) {
    Drivers drivers;
    Watcher watcher;
    ASSERT_EQ(NtioPnpEnumerateRoot(), STATUS_SUCCESS);
    Target agree;
    Target veto;
    ASSERT_EQ(agree.open(), STATUS_SUCCESS);
    ASSERT_EQ(veto.open(), STATUS_SUCCESS);
    veto.query_remove_status = STATUS_UNSUCCESSFUL;
    PVOID agree_entry = nullptr;
    PVOID veto_entry = nullptr;
    ASSERT_EQ(watcher.watch(agree, &agree_entry), STATUS_SUCCESS);
    ASSERT_EQ(watcher.watch(veto, &veto_entry), STATUS_SUCCESS);
    state().take();
    PNP_VETO_TYPE veto_type = PNP_VetoTypeUnknown;
    EXPECT_EQ(remove_it(FALSE, &veto_type), STATUS_PLUGPLAY_QUERY_VETOED);
    EXPECT_EQ(veto_type, PNP_VetoDriver);
    auto seen = agree.log.take();
    ASSERT_EQ(seen.size(), 2u);
    EXPECT_TRUE(IsEqualGUID(seen[0].event, GUID_TARGET_DEVICE_QUERY_REMOVE));
    EXPECT_TRUE(IsEqualGUID(seen[1].event, GUID_TARGET_DEVICE_REMOVE_CANCELLED));
    seen = veto.log.take();
    ASSERT_EQ(seen.size(), 1u);
    EXPECT_TRUE(IsEqualGUID(seen[0].event, GUID_TARGET_DEVICE_QUERY_REMOVE));
    EXPECT_EQ(query_remove_irp_index(state().take()), -1);
    EXPECT_EQ(state_of_device(), NtioPnpDeviceStarted);

    // A veto by the stack (fn fails the IRP) cancels for every watcher, after CANCEL_REMOVE.
    veto.query_remove_status = STATUS_SUCCESS;
    agree.close_on_query_remove = veto.close_on_query_remove = true;
    state().veto_query_remove = true;
    EXPECT_EQ(remove_it(FALSE), STATUS_PLUGPLAY_QUERY_VETOED);
    for (Target* t : {&agree, &veto}) {
        seen = t->log.take();
        ASSERT_EQ(seen.size(), 2u);
        EXPECT_TRUE(IsEqualGUID(seen[0].event, GUID_TARGET_DEVICE_QUERY_REMOVE));
        EXPECT_TRUE(IsEqualGUID(seen[1].event, GUID_TARGET_DEVICE_REMOVE_CANCELLED));
    }
    EXPECT_EQ(state_of_device(), NtioPnpDeviceStarted);
    state().veto_query_remove = false;
    EXPECT_EQ(IoUnregisterPlugPlayNotificationEx(agree_entry), STATUS_SUCCESS);
    EXPECT_EQ(IoUnregisterPlugPlayNotificationEx(veto_entry), STATUS_SUCCESS);
    EXPECT_EQ(remove_it(FALSE), STATUS_SUCCESS);
}

// Surprise removal cannot be vetoed: no QUERY_REMOVE, REMOVE_COMPLETE at once, and the watcher
// closing its handle then lets IRP_MN_REMOVE_DEVICE come.
TEST_F(PnpTest, SurpriseRemovalTellsTargetWatcherRemoveCompleteOnly) {
    Drivers drivers;
    Watcher watcher;
    ASSERT_EQ(NtioPnpEnumerateRoot(), STATUS_SUCCESS);
    Target target;
    ASSERT_EQ(target.open(), STATUS_SUCCESS);
    target.close_on_remove_complete = true;
    target.query_remove_status = STATUS_UNSUCCESSFUL;  // would veto, if asked
    PVOID entry = nullptr;
    ASSERT_EQ(watcher.watch(target, &entry), STATUS_SUCCESS);
    ASSERT_EQ(remove_it(TRUE), STATUS_SUCCESS);
    EXPECT_TRUE(wait_removed());
    auto seen = target.log.take();
    ASSERT_EQ(seen.size(), 1u);
    EXPECT_TRUE(IsEqualGUID(seen[0].event, GUID_TARGET_DEVICE_REMOVE_COMPLETE));
    EXPECT_EQ(state().surprise_removals.load(), 1);
    EXPECT_EQ(IoUnregisterPlugPlayNotificationEx(entry), STATUS_SUCCESS);
}

TEST_F(PnpTest, CustomEventReachesTargetWatcherWithItsFileObject) {
    Drivers drivers;
    Watcher watcher;
    ASSERT_EQ(NtioPnpEnumerateRoot(), STATUS_SUCCESS);
    Target target;
    ASSERT_EQ(target.open(), STATUS_SUCCESS);
    PVOID entry = nullptr;
    ASSERT_EQ(watcher.watch(target, &entry), STATUS_SUCCESS);
    PDEVICE_OBJECT pdo = state().pdo;

    struct {
        TARGET_DEVICE_CUSTOM_NOTIFICATION n;
        UCHAR more[3];
    } custom{};
    custom.n.Version = 1;
    custom.n.Size = FIELD_OFFSET(TARGET_DEVICE_CUSTOM_NOTIFICATION, CustomDataBuffer) + 4;
    custom.n.Event = kCustomEvent;
    custom.n.NameBufferOffset = -1;
    std::memcpy(custom.n.CustomDataBuffer, "ntio", 4);
    ASSERT_EQ(IoReportTargetDeviceChange(pdo, &custom.n), STATUS_SUCCESS);
    auto seen = target.log.take();
    ASSERT_EQ(seen.size(), 1u);
    EXPECT_TRUE(IsEqualGUID(seen[0].event, kCustomEvent));
    EXPECT_EQ(seen[0].file, target.registered_file);
    EXPECT_EQ(seen[0].data, "ntio");
    EXPECT_EQ(custom.n.FileObject, nullptr);  // the caller's structure is left alone

    // The system events are not the caller's to report.
    for (const GUID* system : {&GUID_TARGET_DEVICE_QUERY_REMOVE, &GUID_TARGET_DEVICE_REMOVE_CANCELLED,
                               &GUID_TARGET_DEVICE_REMOVE_COMPLETE}) {
        custom.n.Event = *system;
        EXPECT_EQ(IoReportTargetDeviceChange(pdo, &custom.n), STATUS_INVALID_DEVICE_REQUEST);
        EXPECT_EQ(IoReportTargetDeviceChangeAsynchronous(pdo, &custom.n, nullptr, nullptr),
                  STATUS_INVALID_DEVICE_REQUEST);
    }
    EXPECT_TRUE(target.log.take().empty());

    // Asynchronous: the callbacks run on a worker, then the completion routine.
    custom.n.Event = kCustomEvent;
    Completion done;
    done.target = &target;
    EXPECT_TRUE(NT_SUCCESS(IoReportTargetDeviceChangeAsynchronous(pdo, &custom.n, completion_callback, &done)));
    std::memset(&custom, 0, sizeof custom);  // copied: the caller may reuse it at once
    ASSERT_TRUE(done.wait());
    EXPECT_EQ(done.events_seen_before, 1u);
    seen = target.log.take();
    ASSERT_EQ(seen.size(), 1u);
    EXPECT_TRUE(IsEqualGUID(seen[0].event, kCustomEvent));
    EXPECT_EQ(seen[0].data, "ntio");
    EXPECT_TRUE(seen[0].on_other_thread);

    EXPECT_EQ(IoUnregisterPlugPlayNotificationEx(entry), STATUS_SUCCESS);
    target.close();
    EXPECT_EQ(remove_it(FALSE), STATUS_SUCCESS);
}

// FsRtlNotifyVolumeEvent on a file object of the device: the device is the volume's real device
// (no file system is mounted on it here), so the GUID_IO_VOLUME_* event goes to the watcher of its PDO.
TEST_F(PnpTest, VolumeEventReachesTheTargetWatcherOfTheVolumesPdo) {
    Drivers drivers;
    Watcher watcher;
    ASSERT_EQ(NtioPnpEnumerateRoot(), STATUS_SUCCESS);
    Target target;
    ASSERT_EQ(target.open(), STATUS_SUCCESS);
    PVOID entry = nullptr;
    ASSERT_EQ(watcher.watch(target, &entry), STATUS_SUCCESS);
    ASSERT_EQ(FsRtlNotifyVolumeEvent(target.file, FSRTL_VOLUME_LOCK), STATUS_SUCCESS);
    auto seen = target.log.wait_for(1);
    ASSERT_EQ(seen.size(), 1u);
    EXPECT_TRUE(IsEqualGUID(seen[0].event, GUID_IO_VOLUME_LOCK));
    EXPECT_EQ(seen[0].file, target.registered_file);
    EXPECT_EQ(FsRtlNotifyVolumeEvent(target.file, 0), STATUS_INVALID_PARAMETER);
    EXPECT_EQ(FsRtlNotifyVolumeEvent(target.file, FSRTL_VOLUME_BACKGROUND_FORMAT + 1), STATUS_INVALID_PARAMETER);
    EXPECT_EQ(IoUnregisterPlugPlayNotificationEx(entry), STATUS_SUCCESS);
    target.close();
    EXPECT_EQ(remove_it(FALSE), STATUS_SUCCESS);
}

// A callback may unregister its own registration: the Ex routine returns (it does not wait for the
// calling thread's own callback) and nothing more reaches it.
TEST_F(PnpTest, CallbackUnregistersItselfAndIsNotCalledAgain) {
    Drivers drivers;
    Watcher watcher;
    SelfUnregistering self;
    ASSERT_EQ(IoRegisterPlugPlayNotification(EventCategoryDeviceInterfaceChange, 0, const_cast<GUID*>(&kInterfaceGuid),
                                             watcher.driver(), self_unregistering_callback, &self, &self.entry),
              STATUS_SUCCESS);
    ASSERT_EQ(NtioPnpEnumerateRoot(), STATUS_SUCCESS);  // ARRIVAL: the callback unregisters
    ASSERT_EQ(remove_it(FALSE), STATUS_SUCCESS);    // REMOVAL: told to no one
    EXPECT_EQ(self.calls.load(), 1);
    EXPECT_EQ(self.unregister_status.load(), STATUS_SUCCESS);
    EXPECT_EQ(IoUnregisterPlugPlayNotificationEx(self.entry), STATUS_INVALID_PARAMETER);  // gone already
}

TEST_F(PnpTest, BadRegistrationsGetTheirStatusAndHardwareProfilesNeverCall) {
    Drivers drivers;
    Watcher watcher;
    ASSERT_EQ(NtioPnpEnumerateRoot(), STATUS_SUCCESS);
    Log log;
    PVOID entry = reinterpret_cast<PVOID>(1);
    GUID cls = kInterfaceGuid;
    EXPECT_EQ(IoRegisterPlugPlayNotification(EventCategoryDeviceInterfaceChange, 0, &cls, watcher.driver(), nullptr,
                                             &log, &entry),
              STATUS_INVALID_PARAMETER);
    EXPECT_EQ(entry, nullptr);
    EXPECT_EQ(IoRegisterPlugPlayNotification(EventCategoryDeviceInterfaceChange, 0, nullptr, watcher.driver(),
                                             record_callback, &log, &entry),
              STATUS_INVALID_PARAMETER);
    EXPECT_EQ(IoRegisterPlugPlayNotification(EventCategoryReserved, 0, &cls, watcher.driver(), record_callback, &log,
                                             &entry),
              STATUS_INVALID_PARAMETER);
    EXPECT_EQ(IoRegisterPlugPlayNotification(static_cast<IO_NOTIFICATION_EVENT_CATEGORY>(99), 0, &cls,
                                             watcher.driver(), record_callback, &log, &entry),
              STATUS_INVALID_PARAMETER);
    EXPECT_EQ(IoRegisterPlugPlayNotification(EventCategoryTargetDeviceChange, 0, nullptr, watcher.driver(),
                                             record_callback, &log, &entry),
              STATUS_INVALID_PARAMETER);
    // Not a file object: the PDO itself.
    EXPECT_EQ(IoRegisterPlugPlayNotification(EventCategoryTargetDeviceChange, 0, state().pdo.load(), watcher.driver(),
                                             record_callback, &log, &entry),
              STATUS_INVALID_PARAMETER);
    EXPECT_EQ(IoRegisterPlugPlayNotification(EventCategoryDeviceInterfaceChange, 0, &cls, watcher.driver(),
                                             record_callback, &log, nullptr),
              STATUS_INVALID_PARAMETER);
    EXPECT_EQ(IoUnregisterPlugPlayNotificationEx(&log), STATUS_INVALID_PARAMETER);

    ASSERT_EQ(IoRegisterPlugPlayNotification(EventCategoryHardwareProfileChange, 0, nullptr, watcher.driver(),
                                             record_callback, &log, &entry),
              STATUS_SUCCESS);
    ASSERT_EQ(remove_it(FALSE), STATUS_SUCCESS);
    EXPECT_TRUE(log.take().empty());
    EXPECT_EQ(IoUnregisterPlugPlayNotification(entry), STATUS_SUCCESS);
}

}  // namespace
}  // namespace ntio::pnp_test::notify
