// File system filters registering for file system registration changes with the Ex and MountAware
// routines, and IoEnumerateRegisteredFiltersList listing them (last registered first).
// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-ioregisterfsregistrationchangeex
// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-ioregisterfsregistrationchangemountaware
// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-ioenumerateregisteredfilterslist
#include <thread>

#include "mount_test_support.hpp"

namespace ntio::test::drivers {
namespace mount_filter_registration {

struct Heard {
    int activations = 0;
    int deactivations = 0;
    PDEVICE_OBJECT last = nullptr;
};
Heard g_ex;
Heard g_aware;

VOID NTAPI ex_notification(PDEVICE_OBJECT control, BOOLEAN active)
{
    ++(active ? g_ex.activations : g_ex.deactivations);
    g_ex.last = control;
}

VOID NTAPI aware_notification(PDEVICE_OBJECT control, BOOLEAN active)
{
    ++(active ? g_aware.activations : g_aware.deactivations);
    g_aware.last = control;
}

VOID NTAPI ex_unload(PDRIVER_OBJECT driver) { IoUnregisterFsRegistrationChange(driver, ex_notification); }
VOID NTAPI aware_unload(PDRIVER_OBJECT driver) { IoUnregisterFsRegistrationChange(driver, aware_notification); }

NTSTATUS NTAPI ex_entry(PDRIVER_OBJECT driver, PUNICODE_STRING)
{
    driver->DriverUnload = ex_unload;
    NTSTATUS status = IoRegisterFsRegistrationChangeEx(driver, ex_notification);
    if (!NT_SUCCESS(status)) return status;
    // The same routine again, by any of the three routines, is refused.
    if (IoRegisterFsRegistrationChangeEx(driver, ex_notification) != STATUS_DEVICE_ALREADY_ATTACHED ||
        IoRegisterFsRegistrationChange(driver, ex_notification) != STATUS_DEVICE_ALREADY_ATTACHED)
        return STATUS_UNSUCCESSFUL;
    return STATUS_SUCCESS;
}

NTSTATUS NTAPI aware_entry(PDRIVER_OBJECT driver, PUNICODE_STRING)
{
    driver->DriverUnload = aware_unload;
    NTSTATUS status = IoRegisterFsRegistrationChangeMountAware(driver, aware_notification, TRUE);
    if (!NT_SUCCESS(status)) return status;
    if (IoRegisterFsRegistrationChangeMountAware(driver, aware_notification, FALSE) != STATUS_DEVICE_ALREADY_ATTACHED)
        return STATUS_UNSUCCESSFUL;
    return STATUS_SUCCESS;
}

class FilterRegistrationTest : public MountTest {
protected:
    PDRIVER_OBJECT create(const char16_t* service, PDRIVER_INITIALIZE entry) {
        std::u16string name(service);
        UNICODE_STRING driver_name = unicode(name);
        PDRIVER_OBJECT driver = nullptr;
        EXPECT_EQ(NtioCreateDriver(&driver_name, entry, &driver), STATUS_SUCCESS);
        return driver;
    }
    static void remove(PDRIVER_OBJECT driver) {
        EXPECT_EQ(NtioUnloadDriver(driver), STATUS_SUCCESS);
        ObDereferenceObject(driver);
    }
};

TEST_F(FilterRegistrationTest, ex_and_mount_aware_routines_hear_of_file_systems_before_and_after)
{
    g_ex = Heard{};
    g_aware = Heard{};
    load_disk("TESTFS_A");
    ASSERT_EQ(load_fs('A', "TESTFS_A"), STATUS_SUCCESS);
    PDRIVER_OBJECT ex = create(u"FsChangeEx", ex_entry);
    ASSERT_NE(ex, nullptr);
    PDRIVER_OBJECT aware = create(u"FsChangeAware", aware_entry);
    ASSERT_NE(aware, nullptr);
    // Told at once of the file system already registered.
    EXPECT_EQ(g_ex.activations, 1);
    EXPECT_EQ(g_aware.activations, 1);
    PDEVICE_OBJECT control_a = g_ex.last;
    EXPECT_EQ(g_aware.last, control_a);

    // And of those that register and unregister later.
    ASSERT_EQ(load_fs('B', "TESTFS_B"), STATUS_SUCCESS);
    EXPECT_EQ(g_ex.activations, 2);
    EXPECT_EQ(g_aware.activations, 2);
    EXPECT_NE(g_ex.last, control_a);
    ASSERT_EQ(unregister_fs('B'), STATUS_SUCCESS);
    EXPECT_EQ(g_ex.deactivations, 1);
    EXPECT_EQ(g_aware.deactivations, 1);

    // Mounts still happen after a synchronized registration.
    HANDLE h = nullptr;
    ASSERT_EQ(open("\\after", &h, FILE_CREATE), STATUS_SUCCESS);
    EXPECT_EQ(stats('A').Mounts, 1);
    EXPECT_EQ(NtClose(h), STATUS_SUCCESS);

    EXPECT_EQ(IoRegisterFsRegistrationChangeEx(nullptr, ex_notification), STATUS_INVALID_PARAMETER);
    EXPECT_EQ(IoRegisterFsRegistrationChangeMountAware(ex, nullptr, TRUE), STATUS_INVALID_PARAMETER);
    remove(aware);
    remove(ex);
}

TEST_F(FilterRegistrationTest, registered_filters_are_listed_last_registered_first)
{
    g_ex = Heard{};
    g_aware = Heard{};
    load_disk(nullptr);
    ULONG count = 99;
    EXPECT_EQ(IoEnumerateRegisteredFiltersList(nullptr, 0, &count), STATUS_SUCCESS);
    EXPECT_EQ(count, 0u);

    PDRIVER_OBJECT ex = create(u"FsListFirst", ex_entry);
    ASSERT_NE(ex, nullptr);
    PDRIVER_OBJECT aware = create(u"FsListSecond", aware_entry);
    ASSERT_NE(aware, nullptr);

    // The count alone.
    EXPECT_EQ(IoEnumerateRegisteredFiltersList(nullptr, 0, &count), STATUS_BUFFER_TOO_SMALL);
    EXPECT_EQ(count, 2u);
    // All of them, each referenced, the one registered last (attached farthest) first.
    PDRIVER_OBJECT list[3] = {};
    ASSERT_EQ(IoEnumerateRegisteredFiltersList(list, sizeof list, &count), STATUS_SUCCESS);
    EXPECT_EQ(count, 2u);
    EXPECT_EQ(list[0], aware);
    EXPECT_EQ(list[1], ex);
    EXPECT_EQ(list[2], nullptr);
    ObDereferenceObject(list[0]);
    ObDereferenceObject(list[1]);
    // Room for one: the first, and the full count.
    PDRIVER_OBJECT one[1] = {};
    EXPECT_EQ(IoEnumerateRegisteredFiltersList(one, sizeof one, &count), STATUS_BUFFER_TOO_SMALL);
    EXPECT_EQ(count, 2u);
    EXPECT_EQ(one[0], aware);
    ObDereferenceObject(one[0]);
    EXPECT_EQ(IoEnumerateRegisteredFiltersList(list, sizeof list, nullptr), STATUS_INVALID_PARAMETER);

    remove(aware);
    EXPECT_EQ(IoEnumerateRegisteredFiltersList(list, sizeof list, &count), STATUS_SUCCESS);
    EXPECT_EQ(count, 1u);
    EXPECT_EQ(list[0], ex);
    ObDereferenceObject(list[0]);
    remove(ex);
}

// ---- SynchronizeWithMounts ----

// A filter on file system A's control device that holds each mount request until released.
struct MountHold {
    PDEVICE_OBJECT device = nullptr;
    PDEVICE_OBJECT lower = nullptr;
    KEVENT in_mount;
    KEVENT release;
    std::atomic<bool> mount_done{false};
    std::atomic<int> done_when_told{-1};  // mount_done as the synchronized routine saw it
};
MountHold* g_hold = nullptr;

NTSTATUS NTAPI hold_dispatch(PDEVICE_OBJECT, PIRP irp)
{
    PIO_STACK_LOCATION sp = IoGetCurrentIrpStackLocation(irp);
    const bool mount = sp->MajorFunction == IRP_MJ_FILE_SYSTEM_CONTROL && sp->MinorFunction == IRP_MN_MOUNT_VOLUME;
    if (mount) {
        KeSetEvent(&g_hold->in_mount, IO_NO_INCREMENT, FALSE);
        (void)KeWaitForSingleObject(&g_hold->release, Executive, KernelMode, FALSE, nullptr);
    }
    IoSkipCurrentIrpStackLocation(irp);
    NTSTATUS status = IoCallDriver(g_hold->lower, irp);
    if (mount) g_hold->mount_done = true;  // still inside the mount: the I/O manager has not returned
    return status;
}

VOID NTAPI hold_unload(PDRIVER_OBJECT) {}  // the test detaches and deletes the device itself

NTSTATUS NTAPI hold_entry(PDRIVER_OBJECT driver, PUNICODE_STRING)
{
    for (auto& major : driver->MajorFunction) major = hold_dispatch;
    driver->DriverUnload = hold_unload;
    return STATUS_SUCCESS;
}

VOID NTAPI synchronized_notification(PDEVICE_OBJECT, BOOLEAN active)
{
    if (active && g_hold) g_hold->done_when_told = g_hold->mount_done ? 1 : 0;
}

VOID NTAPI synchronized_unload(PDRIVER_OBJECT driver)
{
    IoUnregisterFsRegistrationChange(driver, synchronized_notification);
}

NTSTATUS NTAPI synchronized_entry(PDRIVER_OBJECT driver, PUNICODE_STRING)
{
    driver->DriverUnload = synchronized_unload;
    return IoRegisterFsRegistrationChangeMountAware(driver, synchronized_notification, TRUE);
}

// Invariant: a routine registered with SynchronizeWithMounts while a mount is in progress is told of
// the registered file systems only after that mount ended (mount_done was set inside the mount, so a
// routine run during it would see false). A broken gate fails this only when the registering thread
// wins the race; a working one never fails it.
TEST_F(FilterRegistrationTest, a_synchronized_registration_waits_for_the_mount_in_progress)
{
    MountHold hold;
    KeInitializeEvent(&hold.in_mount, NotificationEvent, FALSE);
    KeInitializeEvent(&hold.release, NotificationEvent, FALSE);
    g_hold = &hold;
    load_disk("TESTFS_A");
    ASSERT_EQ(load_fs('A', "TESTFS_A"), STATUS_SUCCESS);
    PDRIVER_OBJECT filter = create(u"MountHold", hold_entry);
    ASSERT_NE(filter, nullptr);
    HANDLE control_handle = nullptr;
    ASSERT_EQ(open_device(u"\\Device\\MountFsA", &control_handle), STATUS_SUCCESS);
    PDEVICE_OBJECT control = file_of(control_handle)->DeviceObject;
    ASSERT_EQ(IoCreateDevice(filter, 0, nullptr, control->DeviceType, 0, FALSE, &hold.device), STATUS_SUCCESS);
    ASSERT_EQ(IoAttachDeviceToDeviceStackSafe(hold.device, control, &hold.lower), STATUS_SUCCESS);
    hold.device->Flags &= ~DO_DEVICE_INITIALIZING;
    EXPECT_EQ(NtClose(control_handle), STATUS_SUCCESS);

    NTSTATUS open_status = STATUS_PENDING;
    HANDLE h = nullptr;
    std::thread mounter([&] { open_status = open("\\held", &h, FILE_CREATE); });
    ASSERT_EQ(KeWaitForSingleObject(&hold.in_mount, Executive, KernelMode, FALSE, nullptr), STATUS_SUCCESS);

    PDRIVER_OBJECT synchronized = nullptr;
    std::thread registrar([&] { synchronized = create(u"FsChangeSync", synchronized_entry); });
    KeSetEvent(&hold.release, IO_NO_INCREMENT, FALSE);
    registrar.join();
    mounter.join();
    EXPECT_EQ(open_status, STATUS_SUCCESS);
    EXPECT_EQ(hold.done_when_told.load(), 1);

    if (synchronized) remove(synchronized);
    EXPECT_EQ(NtClose(h), STATUS_SUCCESS);
    IoDetachDevice(hold.lower);
    IoDeleteDevice(hold.device);
    remove(filter);
    g_hold = nullptr;
}

}  // namespace mount_filter_registration
}  // namespace ntio::test::drivers
