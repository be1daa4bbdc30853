// WMI through a driver's calls: IoWMIRegistrationControl keeps a registration per device object,
// so what NT refuses for an unregistered device is refused; a deleted device leaves the record;
// IoWMIWriteEvent takes and frees an event, and leaves the buffer to the caller when it fails.
// (tests/conformance/wmi has a provider that answers the WMI IRPs.)
// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-iowmiregistrationcontrol
// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-iowmiwriteevent
#include <wdm.h>
#include <wmistr.h>

#include "unit/io/devices/devices_test_support.hpp"

namespace ntio::io::test {
namespace wmi {

using WmiTest = DevicesTest;

TEST_F(WmiTest, registration_is_kept_per_device) {
    PDRIVER_OBJECT driver = load(u"WmiReg");
    PDEVICE_OBJECT device = create(driver, u"\\Device\\WmiReg");
    PDEVICE_OBJECT other = create(driver);
    ASSERT_TRUE(device && other);

    EXPECT_EQ(IoWMIRegistrationControl(device, WMIREG_ACTION_DEREGISTER), STATUS_INVALID_PARAMETER);
    EXPECT_EQ(IoWMIRegistrationControl(device, WMIREG_ACTION_UPDATE_GUIDS), STATUS_INVALID_PARAMETER);
    EXPECT_EQ(IoWMIRegistrationControl(device, WMIREG_ACTION_REGISTER), STATUS_SUCCESS);
    EXPECT_EQ(IoWMIRegistrationControl(device, WMIREG_ACTION_REGISTER), STATUS_INVALID_PARAMETER);
    EXPECT_EQ(IoWMIRegistrationControl(device, WMIREG_ACTION_REREGISTER), STATUS_SUCCESS);
    EXPECT_EQ(IoWMIRegistrationControl(device, WMIREG_ACTION_UPDATE_GUIDS), STATUS_SUCCESS);
    EXPECT_EQ(IoWMIRegistrationControl(device, WMIREG_ACTION_BLOCK_IRPS), STATUS_SUCCESS);
    // The other device is not registered by the first one's registration.
    EXPECT_EQ(IoWMIRegistrationControl(other, WMIREG_ACTION_DEREGISTER), STATUS_INVALID_PARAMETER);
    EXPECT_EQ(IoWMIRegistrationControl(device, WMIREG_ACTION_DEREGISTER), STATUS_SUCCESS);
    EXPECT_EQ(IoWMIRegistrationControl(device, WMIREG_ACTION_DEREGISTER), STATUS_INVALID_PARAMETER);

    // A device deleted while registered leaves the record (no reference keeps it).
    EXPECT_EQ(IoWMIRegistrationControl(other, WMIREG_ACTION_REGISTER), STATUS_SUCCESS);
    IoDeleteDevice(other);
    unload(driver);
}

TEST_F(WmiTest, bad_actions_and_objects_are_invalid_parameters) {
    PDRIVER_OBJECT driver = load(u"WmiBad");
    PDEVICE_OBJECT device = create(driver);
    EXPECT_EQ(IoWMIRegistrationControl(device, 0), STATUS_INVALID_PARAMETER);
    EXPECT_EQ(IoWMIRegistrationControl(device, 6), STATUS_INVALID_PARAMETER);
    EXPECT_EQ(IoWMIRegistrationControl(nullptr, WMIREG_ACTION_REGISTER), STATUS_INVALID_PARAMETER);
    // A driver object is not a device object.
    EXPECT_EQ(IoWMIRegistrationControl(reinterpret_cast<PDEVICE_OBJECT>(driver), WMIREG_ACTION_REGISTER),
              STATUS_INVALID_PARAMETER);
    unload(driver);
}

// A WMIENTRY that answers nothing: WMI calls it for IRP_MN_REGINFO_EX and registers no blocks.
NTSTATUS wmi_callback(UCHAR, PVOID, ULONG, PVOID, PVOID, PULONG size) {
    *size = 0;
    return STATUS_INVALID_DEVICE_REQUEST;
}

TEST_F(WmiTest, a_callback_registers_with_the_callback_flag) {
    auto* callback = reinterpret_cast<PDEVICE_OBJECT>(&wmi_callback);
    EXPECT_EQ(IoWMIRegistrationControl(callback, WMIREG_ACTION_REGISTER | WMIREG_FLAG_CALLBACK), STATUS_SUCCESS);
    EXPECT_EQ(IoWMIRegistrationControl(callback, WMIREG_ACTION_DEREGISTER | WMIREG_FLAG_CALLBACK), STATUS_SUCCESS);
    EXPECT_EQ(IoWMIRegistrationControl(callback, WMIREG_ACTION_DEREGISTER | WMIREG_FLAG_CALLBACK),
              STATUS_INVALID_PARAMETER);
}

PWNODE_EVENT_ITEM make_event(ULONG size, ULONG flags) {
    auto* event = static_cast<PWNODE_EVENT_ITEM>(ExAllocatePoolWithTag(NonPagedPoolNx, size, 'imWT'));
    RtlZeroMemory(event, size);
    event->WnodeHeader.BufferSize = size;
    event->WnodeHeader.Flags = WNODE_FLAG_EVENT_ITEM | WNODE_FLAG_SINGLE_INSTANCE | flags;
    return event;
}

TEST_F(WmiTest, write_event_frees_what_it_takes_and_leaves_the_rest) {
    static_assert(sizeof(WNODE_HEADER) == 48, "WNODE_HEADER is 48 bytes on x64");
    // Taken: the system frees it (a double free would bugcheck when the test frees it too).
    EXPECT_EQ(IoWMIWriteEvent(make_event(sizeof(WNODE_HEADER) + 8, 0)), STATUS_SUCCESS);

    PWNODE_EVENT_ITEM large = make_event(0x1000, 0);
    EXPECT_EQ(IoWMIWriteEvent(large), STATUS_BUFFER_OVERFLOW);
    EXPECT_EQ(large->WnodeHeader.BufferSize, 0x1000u) << "still the caller's";
    ExFreePoolWithTag(large, 'imWT');

    PWNODE_EVENT_ITEM traced = make_event(sizeof(WNODE_HEADER), WNODE_FLAG_TRACED_GUID);
    EXPECT_EQ(IoWMIWriteEvent(traced), STATUS_INVALID_HANDLE);
    ExFreePoolWithTag(traced, 'imWT');

    EXPECT_EQ(IoWMIWriteEvent(nullptr), STATUS_INVALID_PARAMETER);
}

}  // namespace wmi
}  // namespace ntio::io::test
