// Device objects: the fields of a new device (NT fact L3), names, collisions and bad paths,
// IoDeleteDevice with and without opens, IoCreateDeviceSecure (S4), and the refusal of new devices
// once the driver is unloading.
#include <cstdint>
#include <cstring>

#include <wdm.h>
#include <ntio_ddk/wdmsec.h>

#include "io/driver_object.hpp"
#include "unit/io/devices/devices_test_support.hpp"

namespace ntio::io::test {
namespace {

using DeviceObjectTest = DevicesTest;

bool g_unloaded = false;

VOID NTAPI recording_unload(PDRIVER_OBJECT driver) {
    g_unloaded = true;
    delete_all_devices_unload(driver);
}

NTSTATUS NTAPI recording_entry(PDRIVER_OBJECT driver, PUNICODE_STRING) {
    driver->DriverUnload = recording_unload;
    return STATUS_SUCCESS;
}

TEST_F(DeviceObjectTest, NewDeviceHasTheFieldsNtSets) {
    // NT fact L3.
    PDRIVER_OBJECT driver = load(u"DevL3");
    Name name(u"\\Device\\DevL3");
    PDEVICE_OBJECT device = nullptr;
    ASSERT_EQ(IoCreateDevice(driver, 40, name, FILE_DEVICE_UNKNOWN, FILE_DEVICE_SECURE_OPEN, TRUE, &device),
              STATUS_SUCCESS);
    ASSERT_NE(device, nullptr);
    EXPECT_EQ(device->Type, IO_TYPE_DEVICE);
    EXPECT_EQ(device->ReferenceCount, 0);
    EXPECT_EQ(device->DriverObject, driver);
    EXPECT_EQ(device->NextDevice, nullptr);
    EXPECT_EQ(device->AttachedDevice, nullptr);
    EXPECT_EQ(device->Characteristics, static_cast<ULONG>(FILE_DEVICE_SECURE_OPEN));
    EXPECT_EQ(device->Flags, static_cast<ULONG>(DO_DEVICE_HAS_NAME | DO_DEVICE_INITIALIZING | DO_EXCLUSIVE));
    EXPECT_EQ(device->DeviceType, static_cast<DEVICE_TYPE>(FILE_DEVICE_UNKNOWN));
    EXPECT_EQ(device->ActiveThreadCount, 0u);
    EXPECT_EQ(device->StackSize, 1);
    EXPECT_EQ(device->SectorSize, 0);
    EXPECT_EQ(device->CurrentIrp, nullptr);
    EXPECT_EQ(device->Vpb, nullptr);  // not a type a file system mounts
    ASSERT_NE(device->DeviceObjectExtension, nullptr);
    EXPECT_EQ(device->DeviceObjectExtension->Type, IO_TYPE_DEVICE_OBJECT_EXTENSION);
    EXPECT_EQ(device->DeviceObjectExtension->DeviceObject, device);
    EXPECT_EQ(device->DeviceObjectExtension->AttachedTo, nullptr);
    // The extension: zeroed, 16-byte aligned, right after the DEVICE_OBJECT; the device object
    // extension after it.
    ASSERT_NE(device->DeviceExtension, nullptr);
    auto* ext = static_cast<unsigned char*>(device->DeviceExtension);
    EXPECT_EQ(reinterpret_cast<std::uintptr_t>(ext) % 16, 0u);
    EXPECT_EQ(ext, reinterpret_cast<unsigned char*>(device) + ((sizeof(DEVICE_OBJECT) + 15) & ~std::size_t{15}));
    unsigned char zero[40] = {};
    EXPECT_EQ(std::memcmp(ext, zero, sizeof zero), 0);
    EXPECT_GE(reinterpret_cast<unsigned char*>(device->DeviceObjectExtension), ext + 40);
    EXPECT_EQ(driver->DeviceObject, device);

    PVOID found = nullptr;
    EXPECT_EQ(lookup(u"\\Device\\DevL3", *IoDeviceObjectType, &found), STATUS_SUCCESS);
    EXPECT_EQ(found, device);

    IoDeleteDevice(device);
    EXPECT_EQ(driver->DeviceObject, nullptr);
    EXPECT_EQ(lookup(u"\\Device\\DevL3", *IoDeviceObjectType), STATUS_OBJECT_NAME_NOT_FOUND);
    unload(driver);
}

TEST_F(DeviceObjectTest, UnnamedDeviceWithoutExtension) {
    PDRIVER_OBJECT driver = load(u"DevUnnamed");
    PDEVICE_OBJECT device = create(driver);
    ASSERT_NE(device, nullptr);
    EXPECT_EQ(device->Flags, static_cast<ULONG>(DO_DEVICE_INITIALIZING));
    EXPECT_EQ(device->DeviceExtension, nullptr);
    EXPECT_EQ(device->DeviceObjectExtension->DeviceObject, device);
    unload(driver);
}

TEST_F(DeviceObjectTest, MountableDeviceTypesGetAVpbForTheirRealDevice) {
    // The VPB maps a mounted volume to its real device; the I/O manager sets RealDevice
    // (https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/ns-wdm-_vpb).
    PDRIVER_OBJECT driver = load(u"DevVpb");
    for (DEVICE_TYPE type : {FILE_DEVICE_DISK, FILE_DEVICE_CD_ROM, FILE_DEVICE_TAPE, FILE_DEVICE_VIRTUAL_DISK}) {
        PDEVICE_OBJECT device = nullptr;
        ASSERT_EQ(IoCreateDevice(driver, 0, nullptr, type, 0, FALSE, &device), STATUS_SUCCESS);
        ASSERT_NE(device->Vpb, nullptr) << "type " << type;
        EXPECT_EQ(device->Vpb->Type, IO_TYPE_VPB);
        EXPECT_EQ(device->Vpb->Size, static_cast<CSHORT>(sizeof(VPB)));
        EXPECT_EQ(device->Vpb->RealDevice, device);
        EXPECT_EQ(device->Vpb->DeviceObject, nullptr);  // nothing mounted
        EXPECT_EQ(device->Vpb->Flags, 0);
        EXPECT_EQ(device->Vpb->ReferenceCount, 0u);
        IoDeleteDevice(device);
    }
    for (DEVICE_TYPE type : {FILE_DEVICE_UNKNOWN, FILE_DEVICE_DISK_FILE_SYSTEM, FILE_DEVICE_NULL}) {
        PDEVICE_OBJECT device = nullptr;
        ASSERT_EQ(IoCreateDevice(driver, 0, nullptr, type, 0, FALSE, &device), STATUS_SUCCESS);
        EXPECT_EQ(device->Vpb, nullptr) << "type " << type;
        IoDeleteDevice(device);
    }
    unload(driver);
}

TEST_F(DeviceObjectTest, NewDevicesGoAtTheHeadOfTheDriversList) {
    PDRIVER_OBJECT driver = load(u"DevList");
    PDEVICE_OBJECT first = create(driver, u"\\Device\\DevList1");
    PDEVICE_OBJECT second = create(driver, u"\\Device\\DevList2");
    PDEVICE_OBJECT third = create(driver);
    EXPECT_EQ(driver->DeviceObject, third);
    EXPECT_EQ(third->NextDevice, second);
    EXPECT_EQ(second->NextDevice, first);
    EXPECT_EQ(first->NextDevice, nullptr);
    IoDeleteDevice(second);  // from the middle
    EXPECT_EQ(third->NextDevice, first);
    unload(driver);
}

TEST_F(DeviceObjectTest, BadNamesAndCollisionsGetNtStatuses) {
    // NT fact L3: a missing directory.
    PDRIVER_OBJECT driver = load(u"DevNames");
    PDEVICE_OBJECT device = reinterpret_cast<PDEVICE_OBJECT>(1);
    Name missing_dir(u"\\Device1\\DevNames");
    EXPECT_EQ(IoCreateDevice(driver, 0, missing_dir, FILE_DEVICE_UNKNOWN, 0, FALSE, &device),
              STATUS_OBJECT_PATH_NOT_FOUND);
    EXPECT_EQ(device, nullptr);
    Name relative(u"DevNames");
    EXPECT_EQ(IoCreateDevice(driver, 0, relative, FILE_DEVICE_UNKNOWN, 0, FALSE, &device),
              STATUS_OBJECT_PATH_SYNTAX_BAD);
    UNICODE_STRING odd{3, 4, reinterpret_cast<PWCH>(const_cast<char16_t*>(u"\\x"))};
    EXPECT_EQ(IoCreateDevice(driver, 0, &odd, FILE_DEVICE_UNKNOWN, 0, FALSE, &device), STATUS_OBJECT_NAME_INVALID);

    PDEVICE_OBJECT first = create(driver, u"\\Device\\DevNames");
    ASSERT_NE(first, nullptr);
    Name same(u"\\DEVICE\\devnames");
    EXPECT_EQ(IoCreateDevice(driver, 0, same, FILE_DEVICE_UNKNOWN, 0, FALSE, &device), STATUS_OBJECT_NAME_COLLISION);
    EXPECT_EQ(device, nullptr);
    EXPECT_EQ(driver->DeviceObject, first);
    EXPECT_EQ(first->NextDevice, nullptr);
    EXPECT_EQ(IoCreateDevice(nullptr, 0, nullptr, FILE_DEVICE_UNKNOWN, 0, FALSE, &device), STATUS_INVALID_PARAMETER);
    EXPECT_EQ(IoCreateDevice(driver, 0, nullptr, FILE_DEVICE_UNKNOWN, 0, FALSE, nullptr), STATUS_INVALID_PARAMETER);
    unload(driver);
}

TEST_F(DeviceObjectTest, DeletedDeviceWithAnOpenStaysUntilTheOpenCloses) {
    PDRIVER_OBJECT driver = load(u"DevOpenDel");
    PDEVICE_OBJECT device = create(driver, u"\\Device\\DevOpenDel");
    ASSERT_NE(device, nullptr);
    ASSERT_TRUE(device_reference_open(device));  // what a file object open does
    EXPECT_EQ(device->ReferenceCount, 1);
    IoDeleteDevice(device);
    // The name is gone at once; the object and its place in the driver's list (which keeps a
    // DriverUnload waiting) stay until the open closes.
    EXPECT_EQ(driver->DeviceObject, device);
    EXPECT_EQ(lookup(u"\\Device\\DevOpenDel", *IoDeviceObjectType), STATUS_OBJECT_NAME_NOT_FOUND);
    EXPECT_TRUE(device_delete_pending(device));
    EXPECT_TRUE(device->DeviceObjectExtension->ExtensionFlags & DOE_DELETE_PENDING);
    EXPECT_EQ(device->Type, IO_TYPE_DEVICE);
    // A new device may take the name while the old one lives on.
    PDEVICE_OBJECT successor = create(driver, u"\\Device\\DevOpenDel");
    EXPECT_NE(successor, nullptr);
    device_release_open(device);  // the leak check proves the device went
    EXPECT_EQ(driver->DeviceObject, successor);
    EXPECT_EQ(successor->NextDevice, nullptr);
    unload(driver);
}

// An open that found the device by name just before IoDeleteDevice let it go (its keep count
// dropped the creation reference) must fail, not take an open that would release the device twice.
TEST_F(DeviceObjectTest, OpenRacingTheDeleteOfAnUnopenedDeviceIsRefused) {
    PDRIVER_OBJECT driver = load(u"DevOpenRace");
    PDEVICE_OBJECT device = create(driver, u"\\Device\\DevOpenRace");
    ASSERT_NE(device, nullptr);
    ObReferenceObject(device);  // the reference the name lookup of a racing open holds
    IoDeleteDevice(device);
    EXPECT_FALSE(device_reference_open(device));
    EXPECT_EQ(device->ReferenceCount, 0);
    ObDereferenceObject(device);  // the leak check proves it went exactly once
    unload(driver);
}

TEST_F(DeviceObjectTest, UnloadIsDeferredWhileADeviceHasOpensAndNewDevicesAreRefused) {
    // NT fact L7 (DriverUnload runs when the last open closes), L4 (DOE_UNLOAD_PENDING).
    g_unloaded = false;
    PDRIVER_OBJECT driver = load(u"DevOpenUnload", recording_entry);
    PDEVICE_OBJECT device = create(driver, u"\\Device\\DevOpenUnload");
    ASSERT_NE(device, nullptr);
    ASSERT_TRUE(device_reference_open(device));
    EXPECT_EQ(NtioUnloadDriver(driver), STATUS_SUCCESS);
    EXPECT_FALSE(g_unloaded);
    EXPECT_TRUE(driver_unloading(driver));
    EXPECT_TRUE(device->DeviceObjectExtension->ExtensionFlags & DOE_UNLOAD_PENDING);
    EXPECT_EQ(lookup(u"\\Driver\\DevOpenUnload", *IoDriverObjectType), STATUS_SUCCESS);
    PDEVICE_OBJECT refused = reinterpret_cast<PDEVICE_OBJECT>(1);
    EXPECT_EQ(IoCreateDevice(driver, 0, nullptr, FILE_DEVICE_UNKNOWN, 0, FALSE, &refused), STATUS_DELETE_PENDING);
    EXPECT_EQ(refused, nullptr);
    // A second unload request changes nothing.
    EXPECT_EQ(NtioUnloadDriver(driver), STATUS_SUCCESS);
    EXPECT_FALSE(g_unloaded);
    device_release_open(device);
    EXPECT_TRUE(g_unloaded);
    EXPECT_TRUE(driver->Flags & DRVO_UNLOAD_INVOKED);
    EXPECT_EQ(lookup(u"\\Driver\\DevOpenUnload", *IoDriverObjectType), STATUS_OBJECT_NAME_NOT_FOUND);
    ObDereferenceObject(driver);
}

TEST_F(DeviceObjectTest, CreateDeviceSecureAppliesTheSddl) {
    // NT fact S4.
    PDRIVER_OBJECT driver = load(u"DevSecure");
    Name name(u"\\Device\\DevSecure");
    Name sddl(u"D:P(A;;GA;;;SY)(A;;GA;;;BA)");
    static const GUID kClass = {0x12345678, 0x1234, 0x5678, {1, 2, 3, 4, 5, 6, 7, 8}};
    PDEVICE_OBJECT device = nullptr;
    ASSERT_EQ(IoCreateDeviceSecure(driver, 0, name, FILE_DEVICE_UNKNOWN, FILE_DEVICE_SECURE_OPEN, FALSE, sddl, &kClass,
                                   &device),
              STATUS_SUCCESS);
    ASSERT_NE(device, nullptr);
    EXPECT_EQ(device->Flags, static_cast<ULONG>(DO_DEVICE_HAS_NAME | DO_DEVICE_INITIALIZING));
    PSECURITY_DESCRIPTOR sd = nullptr;
    BOOLEAN allocated = FALSE;
    ASSERT_EQ(ObGetObjectSecurity(device, &sd, &allocated), STATUS_SUCCESS);
    ASSERT_NE(sd, nullptr);
    BOOLEAN present = FALSE, defaulted = FALSE;
    PACL dacl = nullptr;
    ASSERT_EQ(RtlGetDaclSecurityDescriptor(sd, &present, &dacl, &defaulted), STATUS_SUCCESS);
    EXPECT_TRUE(present);
    ASSERT_NE(dacl, nullptr);
    EXPECT_EQ(dacl->AceCount, 2);
    ObReleaseObjectSecurity(sd, allocated);

    Name bad(u"D:(Q;;;;)");
    PDEVICE_OBJECT other = reinterpret_cast<PDEVICE_OBJECT>(1);
    Name other_name(u"\\Device\\DevSecure2");
    EXPECT_EQ(IoCreateDeviceSecure(driver, 0, other_name, FILE_DEVICE_UNKNOWN, 0, FALSE, bad, &kClass, &other),
              STATUS_INVALID_PARAMETER);
    EXPECT_EQ(other, nullptr);
    EXPECT_EQ(IoCreateDeviceSecure(driver, 0, other_name, FILE_DEVICE_UNKNOWN, 0, FALSE, nullptr, &kClass, &other),
              STATUS_INVALID_PARAMETER);
    unload(driver);
}

}  // namespace
}  // namespace ntio::io::test
