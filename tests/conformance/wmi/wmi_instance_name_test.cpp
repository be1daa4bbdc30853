// Instance names of a device: IoWMIDeviceObjectToInstanceName and IoWMIHandleToInstanceName name
// the instance of a block registered with WMIREG_FLAG_INSTANCE_PDO for that device's PDO; a block
// named otherwise has none for it, and bad objects, handles and pointers are refused.
// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-iowmideviceobjecttoinstancename
// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-iowmihandletoinstancename
#include "wmi_test_support.hpp"

namespace ntio::wmi_test {
namespace {

TEST_F(WmiTest, a_block_with_static_names_has_no_instance_for_a_device) {
    PVOID block = open(kDataGuid, WMIGUID_QUERY);
    ASSERT_NE(block, nullptr);
    UNICODE_STRING name{};
    EXPECT_EQ(IoWMIDeviceObjectToInstanceName(block, m_device, &name), STATUS_WMI_INSTANCE_NOT_FOUND);
    EXPECT_EQ(name.Buffer, nullptr) << "nothing allocated";
    ObDereferenceObject(block);
}

TEST_F(WmiTest, instance_name_routines_refuse_bad_parameters) {
    PVOID block = open(kDataGuid, WMIGUID_QUERY);
    ASSERT_NE(block, nullptr);
    UNICODE_STRING name{};
    EXPECT_EQ(IoWMIDeviceObjectToInstanceName(nullptr, m_device, &name), STATUS_INVALID_PARAMETER);
    EXPECT_EQ(IoWMIDeviceObjectToInstanceName(block, nullptr, &name), STATUS_INVALID_PARAMETER);
    EXPECT_EQ(IoWMIDeviceObjectToInstanceName(block, m_device, nullptr), STATUS_INVALID_PARAMETER);
    EXPECT_EQ(IoWMIDeviceObjectToInstanceName(m_device, m_device, &name), STATUS_OBJECT_TYPE_MISMATCH);
    EXPECT_EQ(IoWMIHandleToInstanceName(block, reinterpret_cast<HANDLE>(0x7FFC), &name), STATUS_INVALID_HANDLE);
    // A handle to something that is no file.
    OBJECT_ATTRIBUTES attributes;
    InitializeObjectAttributes(&attributes, nullptr, OBJ_KERNEL_HANDLE, nullptr, nullptr);
    HANDLE event = nullptr;
    ASSERT_EQ(ZwCreateEvent(&event, EVENT_ALL_ACCESS, &attributes, NotificationEvent, FALSE), STATUS_SUCCESS);
    EXPECT_EQ(IoWMIHandleToInstanceName(block, event, &name), STATUS_OBJECT_TYPE_MISMATCH);
    EXPECT_EQ(ZwClose(event), STATUS_SUCCESS);
    EXPECT_EQ(name.Buffer, nullptr);
    ObDereferenceObject(block);
}

}  // namespace
}  // namespace ntio::wmi_test
