// Device stacks (NT facts L5, L6, L7's deferred unload while attached to), symbolic links (S1) and
// device interfaces.
#include <cstring>
#include <string>
#include <vector>

#include <wdm.h>

#include "io/driver_object.hpp"
#include "ntio/system.hpp"
#include "ob/object_manager.hpp"
#include "unit/io/devices/devices_test_support.hpp"

namespace ntio::io::test {
namespace {

class DeviceStackTest : public DevicesTest {
protected:
    std::u16string link_target(std::u16string_view link) {
        Name n(link);
        PVOID object = nullptr;
        NTSTATUS status = ObReferenceObjectByName(n, OBJ_CASE_INSENSITIVE | OBJ_OPENLINK, nullptr, 0,
                                                  ObSymbolicLinkObjectType ? *ObSymbolicLinkObjectType : nullptr,
                                                  KernelMode, nullptr, &object);
        if (!NT_SUCCESS(status)) return u"<" + std::u16string(u"missing") + u">";
        std::u16string target;
        EXPECT_EQ(system().objects().query_symbolic_link(object, target), STATUS_SUCCESS);
        ObDereferenceObject(object);
        return target;
    }
};

TEST_F(DeviceStackTest, AttachGoesOnTheCurrentTopAndDetachOnlyClearsTheLowerLink) {
    // NT fact L5.
    PDRIVER_OBJECT a = load(u"DevStackA");
    PDRIVER_OBJECT b = load(u"DevStackB");
    PDRIVER_OBJECT c = load(u"DevStackC");
    PDEVICE_OBJECT lower = create(a);
    PDEVICE_OBJECT middle = create(b);
    PDEVICE_OBJECT top = create(c);
    ASSERT_TRUE(lower && middle && top);

    EXPECT_EQ(IoAttachDeviceToDeviceStack(middle, lower), lower);
    EXPECT_EQ(lower->AttachedDevice, middle);
    EXPECT_EQ(middle->StackSize, 2);
    EXPECT_EQ(middle->DeviceObjectExtension->AttachedTo, lower);
    PDEVICE_OBJECT attached_to = nullptr;
    EXPECT_EQ(IoAttachDeviceToDeviceStackSafe(top, lower, &attached_to), STATUS_SUCCESS);
    EXPECT_EQ(attached_to, middle);  // the current top, not the device named
    EXPECT_EQ(middle->AttachedDevice, top);
    EXPECT_EQ(top->StackSize, 3);

    EXPECT_EQ(IoGetAttachedDevice(lower), top);
    EXPECT_EQ(IoGetAttachedDevice(top), top);
    PDEVICE_OBJECT ref = IoGetAttachedDeviceReference(lower);
    EXPECT_EQ(ref, top);
    ObDereferenceObject(ref);
    PDEVICE_OBJECT below = IoGetLowerDeviceObject(top);
    EXPECT_EQ(below, middle);
    if (below) ObDereferenceObject(below);
    EXPECT_EQ(IoGetLowerDeviceObject(lower), nullptr);
    PDEVICE_OBJECT base = IoGetDeviceAttachmentBaseRef(top);
    EXPECT_EQ(base, lower);
    ObDereferenceObject(base);

    IoDetachDevice(middle);
    EXPECT_EQ(middle->AttachedDevice, nullptr);
    EXPECT_EQ(top->DeviceObjectExtension->AttachedTo, nullptr);
    EXPECT_EQ(lower->AttachedDevice, middle);
    EXPECT_EQ(middle->StackSize, 2);
    EXPECT_EQ(top->StackSize, 3);
    IoDetachDevice(lower);
    EXPECT_EQ(lower->AttachedDevice, nullptr);
    EXPECT_EQ(middle->DeviceObjectExtension->AttachedTo, nullptr);
    unload(c);
    unload(b);
    unload(a);
}

// IoAttachDeviceToDeviceStack sets the attached device's AlignmentRequirement from the device below
// (https://learn.microsoft.com/windows-hardware/drivers/kernel/initializing-a-device-object), its
// StackSize to the lower one's plus one and its SectorSize to the lower one's.
TEST_F(DeviceStackTest, AttachTakesTheLowerDevicesLargerAlignmentStackAndSectorSize) {
    PDRIVER_OBJECT a = load(u"DevAlignA");
    PDRIVER_OBJECT b = load(u"DevAlignB");
    PDRIVER_OBJECT c = load(u"DevAlignC");
    PDEVICE_OBJECT disk = create(a);
    PDEVICE_OBJECT filter = create(b);
    PDEVICE_OBJECT top = create(c);
    ASSERT_TRUE(disk && filter && top);
    disk->AlignmentRequirement = FILE_QUAD_ALIGNMENT;
    disk->SectorSize = 512;
    disk->StackSize = 2;
    EXPECT_EQ(filter->AlignmentRequirement, static_cast<ULONG>(FILE_BYTE_ALIGNMENT));
    ASSERT_EQ(IoAttachDeviceToDeviceStack(filter, disk), disk);
    EXPECT_EQ(filter->AlignmentRequirement, static_cast<ULONG>(FILE_QUAD_ALIGNMENT));
    EXPECT_EQ(filter->StackSize, 3);
    EXPECT_EQ(filter->SectorSize, 512);
    // Through the Safe variant, onto the current top: the requirement travels up the stack.
    PDEVICE_OBJECT attached_to = nullptr;
    ASSERT_EQ(IoAttachDeviceToDeviceStackSafe(top, disk, &attached_to), STATUS_SUCCESS);
    EXPECT_EQ(attached_to, filter);
    EXPECT_EQ(top->AlignmentRequirement, static_cast<ULONG>(FILE_QUAD_ALIGNMENT));
    EXPECT_EQ(top->StackSize, 4);
    EXPECT_EQ(top->SectorSize, 512);
    IoDetachDevice(filter);
    IoDetachDevice(disk);
    unload(c);
    unload(b);
    unload(a);
}

// The WDM remove pattern: the lower driver deletes its device while the upper one is still attached,
// then the upper one detaches from it. The lower device must stay valid until that detach (NT ends
// the delete in IoDetachDevice); the fixture's leak check proves it goes then.
TEST_F(DeviceStackTest, DeletedDeviceWithADeviceOnTopLivesUntilTheDetach) {
    PDRIVER_OBJECT a = load(u"DevStackDelA");
    PDRIVER_OBJECT b = load(u"DevStackDelB");
    PDEVICE_OBJECT lower = create(a);
    PDEVICE_OBJECT upper = create(b);
    ASSERT_TRUE(lower && upper);
    ASSERT_EQ(IoAttachDeviceToDeviceStack(upper, lower), lower);
    IoDeleteDevice(lower);
    EXPECT_EQ(lower->Type, IO_TYPE_DEVICE);
    EXPECT_EQ(lower->AttachedDevice, upper);
    EXPECT_TRUE(lower->DeviceObjectExtension->ExtensionFlags & DOE_DELETE_PENDING);
    IoDetachDevice(lower);
    EXPECT_EQ(upper->DeviceObjectExtension->AttachedTo, nullptr);
    IoDeleteDevice(upper);
    unload(b);
    unload(a);
}

TEST_F(DeviceStackTest, AttachIsRefusedOnADeviceBeingDeletedOrUnloaded) {
    PDRIVER_OBJECT a = load(u"DevRefuseA");
    PDRIVER_OBJECT b = load(u"DevRefuseB");
    PDEVICE_OBJECT target = create(a);
    PDEVICE_OBJECT filter = create(b);
    ASSERT_TRUE(target && filter);
    ASSERT_TRUE(device_reference_open(target));  // keeps the deleted device alive
    IoDeleteDevice(target);
    PDEVICE_OBJECT attached_to = reinterpret_cast<PDEVICE_OBJECT>(1);
    EXPECT_EQ(IoAttachDeviceToDeviceStackSafe(filter, target, &attached_to), STATUS_NO_SUCH_DEVICE);
    EXPECT_EQ(attached_to, nullptr);
    EXPECT_EQ(IoAttachDeviceToDeviceStack(filter, target), nullptr);
    EXPECT_EQ(target->AttachedDevice, nullptr);
    EXPECT_EQ(filter->StackSize, 1);
    device_release_open(target);

    PDEVICE_OBJECT unloading = create(a);
    ASSERT_TRUE(device_reference_open(unloading));  // defers the unload
    EXPECT_EQ(NtioUnloadDriver(a), STATUS_SUCCESS);
    EXPECT_EQ(IoAttachDeviceToDeviceStack(filter, unloading), nullptr);
    EXPECT_EQ(unloading->AttachedDevice, nullptr);
    device_release_open(unloading);  // DriverUnload runs now
    ObDereferenceObject(a);

    EXPECT_EQ(IoAttachDeviceToDeviceStackSafe(filter, filter, nullptr), STATUS_INVALID_PARAMETER);
    unload(b);
}

bool g_lower_unloaded = false;

VOID NTAPI lower_unload(PDRIVER_OBJECT driver) {
    g_lower_unloaded = true;
    delete_all_devices_unload(driver);
}

NTSTATUS NTAPI lower_entry(PDRIVER_OBJECT driver, PUNICODE_STRING) {
    openable_entry(driver, nullptr);
    driver->DriverUnload = lower_unload;
    Name name(u"\\Device\\DevLower");
    PDEVICE_OBJECT device = nullptr;
    return IoCreateDevice(driver, 0, name, FILE_DEVICE_UNKNOWN, 0, FALSE, &device);
}

TEST_F(DeviceStackTest, AttachByNameAndLowerLinksSurviveTheLowerDriversUnloadRequest) {
    // NT facts L6 and L7: DriverUnload of the lower driver waits until the filter detaches.
    g_lower_unloaded = false;
    PDRIVER_OBJECT lower_driver = load(u"DevLower", lower_entry);
    PDRIVER_OBJECT filter_driver = load(u"DevFilter");
    ASSERT_TRUE(lower_driver && filter_driver);
    PDEVICE_OBJECT lower = lower_driver->DeviceObject;
    PDEVICE_OBJECT filter = create(filter_driver);
    Name target(u"\\Device\\DevLower");
    PDEVICE_OBJECT attached = nullptr;
    ASSERT_EQ(IoAttachDevice(filter, target, &attached), STATUS_SUCCESS);
    EXPECT_EQ(attached, lower);
    EXPECT_EQ(lower->AttachedDevice, filter);
    EXPECT_EQ(filter->StackSize, 2);
    EXPECT_EQ(lower->ReferenceCount, 0);  // the open IoAttachDevice made is closed again

    EXPECT_EQ(NtioUnloadDriver(lower_driver), STATUS_SUCCESS);
    EXPECT_FALSE(g_lower_unloaded);
    PDEVICE_OBJECT below = IoGetLowerDeviceObject(filter);
    EXPECT_EQ(below, lower);
    if (below) ObDereferenceObject(below);
    PDEVICE_OBJECT base = IoGetDeviceAttachmentBaseRef(filter);
    EXPECT_EQ(base, lower);
    if (base) ObDereferenceObject(base);

    IoDetachDevice(lower);
    EXPECT_TRUE(g_lower_unloaded);
    ObDereferenceObject(lower_driver);
    unload(filter_driver);
}

TEST_F(DeviceStackTest, AttachByNameToAMissingDeviceFails) {
    PDRIVER_OBJECT driver = load(u"DevAttachMissing");
    PDEVICE_OBJECT filter = create(driver);
    Name target(u"\\Device\\DevNoSuchDevice");
    PDEVICE_OBJECT attached = reinterpret_cast<PDEVICE_OBJECT>(1);
    EXPECT_EQ(IoAttachDevice(filter, target, &attached), STATUS_OBJECT_NAME_NOT_FOUND);
    EXPECT_EQ(attached, nullptr);
    unload(driver);
}

TEST_F(DeviceStackTest, SymbolicLinksAreCreatedAndDeletedThroughDosDevices) {
    // NT fact S1.
    PDRIVER_OBJECT driver = load(u"DevS1");
    PDEVICE_OBJECT device = create(driver, u"\\Device\\DevS1");
    ASSERT_NE(device, nullptr);
    Name link(u"\\DosDevices\\DevS1Link");
    Name target(u"\\Device\\DevS1");
    EXPECT_EQ(link_target(u"\\??\\DevS1Link"), u"<missing>");
    ASSERT_EQ(IoCreateSymbolicLink(link, target), STATUS_SUCCESS);
    EXPECT_EQ(link_target(u"\\??\\DevS1Link"), u"\\Device\\DevS1");
    EXPECT_EQ(IoCreateSymbolicLink(link, target), STATUS_OBJECT_NAME_COLLISION);
    PVOID found = nullptr;
    EXPECT_EQ(lookup(u"\\??\\DevS1Link", *IoDeviceObjectType, &found), STATUS_SUCCESS);
    EXPECT_EQ(found, device);
    EXPECT_EQ(IoDeleteSymbolicLink(link), STATUS_SUCCESS);
    EXPECT_EQ(link_target(u"\\??\\DevS1Link"), u"<missing>");
    EXPECT_EQ(IoDeleteSymbolicLink(link), STATUS_OBJECT_NAME_NOT_FOUND);

    Name unprotected(u"\\??\\DevS1Open");
    ASSERT_EQ(IoCreateUnprotectedSymbolicLink(unprotected, target), STATUS_SUCCESS);
    EXPECT_EQ(link_target(u"\\??\\DevS1Open"), u"\\Device\\DevS1");
    EXPECT_EQ(IoDeleteSymbolicLink(unprotected), STATUS_SUCCESS);

    EXPECT_EQ(IoCreateSymbolicLink(nullptr, target), STATUS_INVALID_PARAMETER);
    EXPECT_EQ(IoCreateSymbolicLink(link, nullptr), STATUS_INVALID_PARAMETER);
    EXPECT_EQ(IoDeleteSymbolicLink(nullptr), STATUS_INVALID_PARAMETER);
    Name bad_dir(u"\\NoSuchDir\\DevS1Link");
    EXPECT_EQ(IoCreateSymbolicLink(bad_dir, target), STATUS_OBJECT_PATH_NOT_FOUND);
    unload(driver);
}

const GUID kInterfaceClass = {0xa5dcbf10, 0x6530, 0x11d2, {0x90, 0x1f, 0x00, 0xc0, 0x4f, 0xb9, 0x51, 0xed}};

// Only a PDO the PnP manager enumerated registers interfaces
// (https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-ioregisterdeviceinterface:
// STATUS_INVALID_DEVICE_REQUEST when PhysicalDeviceObject is not a valid PDO); the PnP suite covers
// the interfaces of real PDOs.
TEST_F(DeviceStackTest, DeviceInterfaceOfALegacyOrAttachedDeviceIsRefused) {
    PDRIVER_OBJECT a = load(u"DevIfaceLegacyA");
    PDRIVER_OBJECT b = load(u"DevIfaceLegacyB");
    PDEVICE_OBJECT named = create(a, u"\\Device\\DevIfaceLegacy");
    PDEVICE_OBJECT filter = create(b);
    ASSERT_TRUE(named && filter);
    ASSERT_EQ(IoAttachDeviceToDeviceStack(filter, named), named);
    UNICODE_STRING link{};
    EXPECT_EQ(IoRegisterDeviceInterface(named, &kInterfaceClass, nullptr, &link), STATUS_INVALID_DEVICE_REQUEST);
    EXPECT_EQ(link.Buffer, nullptr);
    EXPECT_EQ(IoRegisterDeviceInterface(filter, &kInterfaceClass, nullptr, &link), STATUS_INVALID_DEVICE_REQUEST);
    PWSTR list = nullptr;
    ASSERT_EQ(IoGetDeviceInterfaces(&kInterfaceClass, nullptr, DEVICE_INTERFACE_INCLUDE_NONACTIVE, &list), STATUS_SUCCESS);
    EXPECT_EQ(list[0], L'\0');  // nothing registered
    ExFreePool(list);
    IoDetachDevice(named);
    unload(b);
    unload(a);
}

TEST_F(DeviceStackTest, DeviceInterfaceBadInput) {
    PDRIVER_OBJECT driver = load(u"DevIfaceBad");
    PDEVICE_OBJECT unnamed = create(driver);
    UNICODE_STRING link{};
    EXPECT_EQ(IoRegisterDeviceInterface(unnamed, &kInterfaceClass, nullptr, &link), STATUS_INVALID_DEVICE_REQUEST);
    EXPECT_EQ(IoRegisterDeviceInterface(nullptr, &kInterfaceClass, nullptr, &link), STATUS_INVALID_PARAMETER);
    EXPECT_EQ(IoRegisterDeviceInterface(unnamed, nullptr, nullptr, &link), STATUS_INVALID_PARAMETER);
    Name unknown(u"\\??\\ROOT#Nothing#0000#{a5dcbf10-6530-11d2-901f-00c04fb951ed}");
    EXPECT_EQ(IoSetDeviceInterfaceState(unknown, TRUE), STATUS_OBJECT_NAME_NOT_FOUND);
    EXPECT_EQ(IoSetDeviceInterfaceState(nullptr, TRUE), STATUS_INVALID_PARAMETER);
    PWSTR list = nullptr;
    EXPECT_EQ(IoGetDeviceInterfaces(&kInterfaceClass, nullptr, 0x80, &list), STATUS_INVALID_PARAMETER);
    EXPECT_EQ(IoGetDeviceInterfaces(&kInterfaceClass, nullptr, 0, nullptr), STATUS_INVALID_PARAMETER);
    unload(driver);
}

}  // namespace
}  // namespace ntio::io::test
