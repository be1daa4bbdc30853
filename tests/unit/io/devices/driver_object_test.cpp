// Driver objects: what DriverEntry sees (NT facts L1, L9), the flags through the driver's life (L2,
// L4), failing DriverEntry (L8), unload without DriverUnload (L7), the default dispatch routine (S3),
// driver object extensions and reinitialization routines, and bad input.
#include <cstring>
#include <string>

#include <wdm.h>

#include "unit/io/devices/devices_test_support.hpp"

namespace ntio::io::test {
namespace {

using DriverObjectTest = DevicesTest;

bool equals(const UNICODE_STRING& s, std::u16string_view text) { return text_of(s) == text; }

// ---- L1, L9 ----
PDRIVER_OBJECT g_entry_driver = nullptr;

NTSTATUS NTAPI l1_entry(PDRIVER_OBJECT driver, PUNICODE_STRING registry_path) {
    g_entry_driver = driver;
    EXPECT_EQ(driver->Type, IO_TYPE_DRIVER);
    EXPECT_EQ(driver->Size, static_cast<CSHORT>(sizeof(DRIVER_OBJECT)));
    EXPECT_EQ(driver->DeviceObject, nullptr);
    EXPECT_EQ(driver->Flags, static_cast<ULONG>(DRVO_LEGACY_DRIVER));
    EXPECT_EQ(driver->DriverExtension, reinterpret_cast<PDRIVER_EXTENSION>(driver + 1));
    EXPECT_EQ(driver->DriverExtension->DriverObject, driver);
    EXPECT_EQ(driver->DriverExtension->AddDevice, nullptr);
    EXPECT_EQ(driver->DriverExtension->Count, 0u);
    const UNICODE_STRING& service = driver->DriverExtension->ServiceKeyName;
    EXPECT_TRUE(equals(service, u"DevL1"));
    EXPECT_EQ(service.MaximumLength, service.Length + sizeof(WCHAR));
    EXPECT_EQ(service.Buffer[service.Length / sizeof(WCHAR)], 0);
    EXPECT_TRUE(equals(driver->DriverName, u"\\Driver\\DevL1"));
    EXPECT_EQ(driver->DriverName.MaximumLength, driver->DriverName.Length);
    EXPECT_EQ(driver->DriverInit, l1_entry);
    EXPECT_NE(driver->HardwareDatabase, nullptr);
    if (driver->HardwareDatabase) {
        EXPECT_TRUE(equals(*driver->HardwareDatabase, u"\\REGISTRY\\MACHINE\\HARDWARE\\DESCRIPTION\\SYSTEM"));
    }
    // Compared case-sensitively, as the fact says.
    EXPECT_TRUE(equals(*registry_path, u"\\REGISTRY\\MACHINE\\SYSTEM\\ControlSet001\\Services\\DevL1"));
    EXPECT_EQ(reinterpret_cast<ULONG_PTR>(registry_path) & (PAGE_SIZE - 1), 0u);
    EXPECT_EQ(registry_path->Buffer, reinterpret_cast<PWCH>(registry_path + 1));
    EXPECT_EQ(registry_path->MaximumLength, registry_path->Length);
    EXPECT_NE(driver->MajorFunction[0], nullptr);
    for (PDRIVER_DISPATCH routine : driver->MajorFunction) {
        EXPECT_EQ(routine, driver->MajorFunction[0]);
    }

    // NT fact L9.
    UNICODE_STRING name = driver->DriverName;
    PVOID found = nullptr;
    EXPECT_EQ(ObReferenceObjectByName(&name, OBJ_CASE_INSENSITIVE, nullptr, 0, *IoDriverObjectType, KernelMode, nullptr,
                                      &found),
              STATUS_SUCCESS);
    EXPECT_EQ(found, driver);
    if (found) ObDereferenceObject(found);
    driver->DriverUnload = delete_all_devices_unload;
    return STATUS_SUCCESS;
}

TEST_F(DriverObjectTest, DriverEntrySeesTheDriverObjectNtDescribes) {
    // NT facts L1, L9.
    PDRIVER_OBJECT driver = load(u"DevL1", l1_entry);
    ASSERT_NE(driver, nullptr);
    EXPECT_EQ(driver, g_entry_driver);
    PVOID found = nullptr;
    EXPECT_EQ(lookup(u"\\Driver\\DevL1", *IoDriverObjectType, &found), STATUS_SUCCESS);
    EXPECT_EQ(found, driver);
    unload(driver);
    EXPECT_EQ(lookup(u"\\Driver\\DevL1", *IoDriverObjectType), STATUS_OBJECT_NAME_NOT_FOUND);
}

// ---- L2, L4 ----
struct LifeRecord {
    ULONG device_flags_in_entry = 0;
    ULONG driver_flags_in_unload = 0;
    ULONG device_flags_in_unload = 0;
    ULONG extension_flags_in_unload = 0;
    bool unload_called = false;
} g_life;

VOID NTAPI life_unload(PDRIVER_OBJECT driver) {
    g_life.unload_called = true;
    g_life.driver_flags_in_unload = driver->Flags;
    if (PDEVICE_OBJECT device = driver->DeviceObject) {
        g_life.device_flags_in_unload = device->Flags;
        g_life.extension_flags_in_unload = device->DeviceObjectExtension->ExtensionFlags;
    }
    delete_all_devices_unload(driver);
}

NTSTATUS NTAPI life_entry(PDRIVER_OBJECT driver, PUNICODE_STRING) {
    Name name(u"\\Device\\DevLife");
    PDEVICE_OBJECT device = nullptr;
    NTSTATUS status = IoCreateDevice(driver, 0, name, FILE_DEVICE_UNKNOWN, 0, FALSE, &device);
    if (!NT_SUCCESS(status)) return status;
    g_life.device_flags_in_entry = device->Flags;
    driver->DriverUnload = life_unload;
    return STATUS_SUCCESS;
}

TEST_F(DriverObjectTest, FlagsAfterDriverEntryAndInDriverUnload) {
    // NT facts L2, L4.
    g_life = {};
    PDRIVER_OBJECT driver = load(u"DevLife", life_entry);
    ASSERT_NE(driver, nullptr);
    EXPECT_EQ(g_life.device_flags_in_entry, static_cast<ULONG>(DO_DEVICE_HAS_NAME | DO_DEVICE_INITIALIZING));
    EXPECT_EQ(driver->Flags, static_cast<ULONG>(DRVO_LEGACY_DRIVER | DRVO_INITIALIZED));
    ASSERT_NE(driver->DeviceObject, nullptr);
    EXPECT_EQ(driver->DeviceObject->Flags, static_cast<ULONG>(DO_DEVICE_HAS_NAME));
    unload(driver);
    EXPECT_TRUE(g_life.unload_called);
    EXPECT_EQ(g_life.driver_flags_in_unload,
              static_cast<ULONG>(DRVO_LEGACY_DRIVER | DRVO_INITIALIZED | DRVO_UNLOAD_INVOKED));
    EXPECT_EQ(g_life.device_flags_in_unload, static_cast<ULONG>(DO_DEVICE_HAS_NAME));
    EXPECT_TRUE(g_life.extension_flags_in_unload & DOE_UNLOAD_PENDING);
}

TEST_F(DriverObjectTest, DevicesCreatedAfterDriverEntryKeepInitializingUntilTheDriverClearsIt) {
    // NT fact L4: only devices created inside DriverEntry are cleared by the I/O manager.
    PDRIVER_OBJECT driver = load(u"DevLate");
    PDEVICE_OBJECT device = create(driver, u"\\Device\\DevLate");
    ASSERT_NE(device, nullptr);
    EXPECT_TRUE(device->Flags & DO_DEVICE_INITIALIZING);
    device->Flags &= ~DO_DEVICE_INITIALIZING;
    EXPECT_EQ(device->Flags, static_cast<ULONG>(DO_DEVICE_HAS_NAME));
    unload(driver);
}

// ---- L8 ----
NTSTATUS NTAPI failing_entry(PDRIVER_OBJECT driver, PUNICODE_STRING) {
    Name name(u"\\Device\\DevFailing");
    PDEVICE_OBJECT device = nullptr;
    EXPECT_EQ(IoCreateDevice(driver, 16, name, FILE_DEVICE_UNKNOWN, 0, FALSE, &device), STATUS_SUCCESS);
    return STATUS_NOT_IMPLEMENTED;
}

TEST_F(DriverObjectTest, FailingDriverEntryLeavesNoDriverAndNoDevice) {
    // NT fact L8.
    Name name(u"DevFailing");
    PDRIVER_OBJECT driver = reinterpret_cast<PDRIVER_OBJECT>(1);
    EXPECT_EQ(NtioCreateDriver(name, failing_entry, &driver), STATUS_NOT_IMPLEMENTED);
    EXPECT_EQ(driver, nullptr);
    EXPECT_EQ(lookup(u"\\Driver\\DevFailing", *IoDriverObjectType), STATUS_OBJECT_NAME_NOT_FOUND);
    EXPECT_EQ(lookup(u"\\Device\\DevFailing", *IoDeviceObjectType), STATUS_OBJECT_NAME_NOT_FOUND);
    // The name is free again.
    PDRIVER_OBJECT again = load(u"DevFailing");
    ASSERT_NE(again, nullptr);
    unload(again);
}

// ---- L7 ----
NTSTATUS NTAPI no_unload_entry(PDRIVER_OBJECT, PUNICODE_STRING) { return STATUS_SUCCESS; }

TEST_F(DriverObjectTest, UnloadWithoutDriverUnloadIsRefusedAndTheDriverStays) {
    // NT fact L7.
    PDRIVER_OBJECT driver = load(u"DevNoUnload", no_unload_entry);
    ASSERT_NE(driver, nullptr);
    EXPECT_EQ(NtioUnloadDriver(driver), STATUS_INVALID_DEVICE_REQUEST);
    EXPECT_EQ(lookup(u"\\Driver\\DevNoUnload", *IoDriverObjectType), STATUS_SUCCESS);
    PDEVICE_OBJECT device = create(driver, u"\\Device\\DevNoUnload");
    EXPECT_NE(device, nullptr);
    // Cleanup: give it an unload routine, as a driver update would.
    driver->DriverUnload = delete_all_devices_unload;
    unload(driver);
}

TEST_F(DriverObjectTest, BadArgumentsGetNtStatuses) {
    Name good(u"DevBad");
    Name slash(u"Dev\\Bad");
    Name empty(u"");
    PDRIVER_OBJECT driver = nullptr;
    EXPECT_EQ(NtioCreateDriver(nullptr, plain_entry, &driver), STATUS_INVALID_PARAMETER);
    EXPECT_EQ(NtioCreateDriver(good, nullptr, &driver), STATUS_INVALID_PARAMETER);
    EXPECT_EQ(NtioCreateDriver(slash, plain_entry, &driver), STATUS_OBJECT_NAME_INVALID);
    EXPECT_EQ(NtioCreateDriver(empty, plain_entry, &driver), STATUS_OBJECT_NAME_INVALID);
    UNICODE_STRING odd{3, 4, reinterpret_cast<PWCH>(const_cast<char16_t*>(u"ab"))};
    EXPECT_EQ(NtioCreateDriver(&odd, plain_entry, &driver), STATUS_OBJECT_NAME_INVALID);
    EXPECT_EQ(driver, nullptr);
    EXPECT_EQ(NtioUnloadDriver(nullptr), STATUS_INVALID_PARAMETER);

    PDRIVER_OBJECT first = load(u"DevBad");
    EXPECT_EQ(NtioCreateDriver(good, plain_entry, &driver), STATUS_OBJECT_NAME_COLLISION);
    PDEVICE_OBJECT device = create(first);
    ASSERT_NE(device, nullptr);
    EXPECT_EQ(NtioUnloadDriver(reinterpret_cast<PDRIVER_OBJECT>(device)), STATUS_OBJECT_TYPE_MISMATCH);
    unload(first);
}

TEST_F(DriverObjectTest, DriverWithoutReferenceOutStaysLoadedUntilUnloaded) {
    Name name(u"DevNoRef");
    ASSERT_EQ(NtioCreateDriver(name, plain_entry, nullptr), STATUS_SUCCESS);
    PVOID found = nullptr;
    ASSERT_EQ(lookup(u"\\Driver\\DevNoRef", *IoDriverObjectType, &found), STATUS_SUCCESS);
    EXPECT_EQ(NtioUnloadDriver(static_cast<PDRIVER_OBJECT>(found)), STATUS_SUCCESS);
    EXPECT_EQ(lookup(u"\\Driver\\DevNoRef", *IoDriverObjectType), STATUS_OBJECT_NAME_NOT_FOUND);
}

// ---- S3 ----
NTSTATUS NTAPI s3_entry(PDRIVER_OBJECT driver, PUNICODE_STRING) {
    driver->DriverUnload = delete_all_devices_unload;
    driver->MajorFunction[IRP_MJ_CREATE] = complete_success;
    driver->MajorFunction[IRP_MJ_CLOSE] = complete_success;
    driver->MajorFunction[IRP_MJ_DEVICE_CONTROL] = complete_success;
    return STATUS_SUCCESS;
}

NTSTATUS NTAPI keep_irp(PDEVICE_OBJECT, PIRP, PVOID context) {
    *static_cast<bool*>(context) = true;
    return STATUS_MORE_PROCESSING_REQUIRED;
}

TEST_F(DriverObjectTest, UnregisteredMajorsReachTheDefaultRoutineWhichFailsThem) {
    // NT fact S3.
    PDRIVER_OBJECT driver = load(u"DevS3", s3_entry);
    PDEVICE_OBJECT device = create(driver);
    ASSERT_NE(device, nullptr);
    PDRIVER_DISPATCH default_routine = driver->MajorFunction[IRP_MJ_READ];
    EXPECT_NE(default_routine, complete_success);
    EXPECT_EQ(driver->MajorFunction[IRP_MJ_WRITE], default_routine);
    EXPECT_EQ(driver->MajorFunction[IRP_MJ_CLEANUP], default_routine);
    for (UCHAR major : {UCHAR{IRP_MJ_READ}, UCHAR{IRP_MJ_WRITE}, UCHAR{IRP_MJ_CLEANUP}, UCHAR{IRP_MJ_FLUSH_BUFFERS}}) {
        PIRP irp = IoAllocateIrp(device->StackSize, FALSE);
        ASSERT_NE(irp, nullptr);
        bool completed = false;
        IoSetCompletionRoutine(irp, keep_irp, &completed, TRUE, TRUE, TRUE);
        PIO_STACK_LOCATION sp = IoGetNextIrpStackLocation(irp);
        sp->MajorFunction = major;
        EXPECT_EQ(IoCallDriver(device, irp), STATUS_INVALID_DEVICE_REQUEST);
        EXPECT_TRUE(completed);
        EXPECT_EQ(irp->IoStatus.Status, STATUS_INVALID_DEVICE_REQUEST);
        EXPECT_EQ(irp->IoStatus.Information, 0u);
        IoFreeIrp(irp);
    }
    unload(driver);
}

// ---- Driver object extensions, reinitialization ----
int g_client_id_a = 0;
int g_client_id_b = 0;

TEST_F(DriverObjectTest, DriverObjectExtensionsAreZeroedAndUniquePerClientId) {
    PDRIVER_OBJECT driver = load(u"DevExt");
    PVOID extension = nullptr;
    ASSERT_EQ(IoAllocateDriverObjectExtension(driver, &g_client_id_a, 64, &extension), STATUS_SUCCESS);
    ASSERT_NE(extension, nullptr);
    unsigned char zero[64] = {};
    EXPECT_EQ(std::memcmp(extension, zero, sizeof zero), 0);
    EXPECT_EQ(IoGetDriverObjectExtension(driver, &g_client_id_a), extension);
    EXPECT_EQ(IoGetDriverObjectExtension(driver, &g_client_id_b), nullptr);
    PVOID again = reinterpret_cast<PVOID>(1);
    EXPECT_EQ(IoAllocateDriverObjectExtension(driver, &g_client_id_a, 8, &again), STATUS_OBJECT_NAME_COLLISION);
    EXPECT_EQ(again, nullptr);
    PVOID other = nullptr;
    EXPECT_EQ(IoAllocateDriverObjectExtension(driver, &g_client_id_b, 8, &other), STATUS_SUCCESS);
    EXPECT_NE(other, extension);
    unload(driver);
}

struct ReinitRecord {
    int calls = 0;
    ULONG count = 0;
    PVOID context = nullptr;
    bool entry_returned = false;
    bool called_before_entry_returned = false;
} g_reinit;

VOID NTAPI reinit_routine(PDRIVER_OBJECT, PVOID context, ULONG count) {
    ++g_reinit.calls;
    g_reinit.count = count;
    g_reinit.context = context;
    if (!g_reinit.entry_returned) g_reinit.called_before_entry_returned = true;
}

NTSTATUS NTAPI reinit_entry(PDRIVER_OBJECT driver, PUNICODE_STRING) {
    driver->DriverUnload = delete_all_devices_unload;
    IoRegisterDriverReinitialization(driver, reinit_routine, &g_reinit);
    EXPECT_TRUE(driver->Flags & DRVO_REINIT_REGISTERED);
    g_reinit.entry_returned = true;  // set just before returning; the routine must run after
    return STATUS_SUCCESS;
}

TEST_F(DriverObjectTest, ReinitializationRoutineRunsOnceAfterDriverEntry) {
    g_reinit = {};
    PDRIVER_OBJECT driver = load(u"DevReinit", reinit_entry);
    EXPECT_EQ(g_reinit.calls, 1);
    EXPECT_EQ(g_reinit.count, 1u);
    EXPECT_EQ(g_reinit.context, &g_reinit);
    EXPECT_FALSE(g_reinit.called_before_entry_returned);
    EXPECT_EQ(driver->Flags, static_cast<ULONG>(DRVO_LEGACY_DRIVER | DRVO_INITIALIZED));
    unload(driver);
    EXPECT_EQ(g_reinit.calls, 1);
}

}  // namespace
}  // namespace ntio::io::test
