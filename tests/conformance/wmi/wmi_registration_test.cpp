// Registration: IoWMIRegistrationControl makes WMI ask the provider for its WMIREGINFO with
// IRP_MN_REGINFO_EX from a system thread at PASSIVE_LEVEL, growing the buffer when the provider
// answers STATUS_BUFFER_TOO_SMALL with the size it needs; the blocks it lists can then be opened,
// UPDATE_GUIDS asks again with WMIUPDATE, DEREGISTER withdraws them; a WMIREG_FLAG_CALLBACK provider
// is called instead of sent IRPs.
// https://learn.microsoft.com/windows-hardware/drivers/kernel/irp-mn-reginfo-ex
// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-iowmiregistrationcontrol
// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-iowmiopenblock
#include "wmi_test_support.hpp"

namespace ntio::wmi_test {
namespace {

TEST_F(WmiTest, reginfo_ex_comes_from_a_system_thread_and_grows_its_buffer) {
    PVOID block = open(kDataGuid, WMIGUID_QUERY);
    ASSERT_NE(block, nullptr);
    // The first buffer is smaller than this provider's WMIREGINFO: asked twice, the second time
    // with the size it returned.
    EXPECT_EQ(m_ext->reginfo_calls, 2);
    EXPECT_EQ(m_ext->reginfo_too_small, 1);
    EXPECT_EQ(m_ext->reginfo_on_registering_thread, 0) << "sent from a WMI worker, not inside the call";
    EXPECT_TRUE(m_ext->reginfo_passive);
    EXPECT_EQ(m_ext->reginfo_last_data_path, ULONG_PTR{WMIREGISTER});
    EXPECT_EQ(m_ext->foreign_provider_ids, 0);
    ObDereferenceObject(block);
}

TEST_F(WmiTest, every_registered_block_opens_and_an_unknown_guid_is_not_found) {
    for (const GUID& guid : {kDataGuid, kExpensiveGuid, kEventGuid}) {
        PVOID block = open(guid, WMIGUID_QUERY);
        EXPECT_NE(block, nullptr);
        if (block) ObDereferenceObject(block);
    }
    PVOID block = reinterpret_cast<PVOID>(1);
    EXPECT_EQ(IoWMIOpenBlock(&kUnknownGuid, WMIGUID_QUERY, &block), STATUS_WMI_GUID_NOT_FOUND);
    EXPECT_EQ(block, nullptr);
}

TEST_F(WmiTest, bad_parameters_are_refused) {
    PVOID block = nullptr;
    EXPECT_EQ(IoWMIOpenBlock(nullptr, WMIGUID_QUERY, &block), STATUS_INVALID_PARAMETER);
    EXPECT_EQ(IoWMIOpenBlock(&kDataGuid, WMIGUID_QUERY, nullptr), STATUS_INVALID_PARAMETER);
    ULONG size = 0;
    EXPECT_EQ(IoWMIQueryAllData(nullptr, &size, nullptr), STATUS_INVALID_PARAMETER);
    // A device object is no data block object.
    EXPECT_EQ(IoWMIQueryAllData(m_device, &size, nullptr), STATUS_OBJECT_TYPE_MISMATCH);
    block = open(kDataGuid, WMIGUID_QUERY | WMIGUID_SET | WMIGUID_EXECUTE);
    ASSERT_NE(block, nullptr);
    EXPECT_EQ(IoWMIQueryAllData(block, nullptr, nullptr), STATUS_INVALID_PARAMETER);
    EXPECT_EQ(IoWMIQuerySingleInstance(block, nullptr, &size, nullptr), STATUS_INVALID_PARAMETER);
    EXPECT_EQ(IoWMIQueryAllDataMultiple(&block, 0, &size, nullptr), STATUS_INVALID_PARAMETER);
    Name alpha(u"Alpha");
    EXPECT_EQ(IoWMISetSingleInstance(block, alpha, 0, sizeof(ULONG), nullptr), STATUS_INVALID_PARAMETER);
    EXPECT_EQ(IoWMIExecuteMethod(block, alpha, kMethodAdd, 0, nullptr, nullptr), STATUS_INVALID_PARAMETER);
    ObDereferenceObject(block);
}

TEST_F(WmiTest, update_guids_asks_again_with_wmiupdate) {
    ASSERT_EQ(IoWMIRegistrationControl(m_device, WMIREG_ACTION_UPDATE_GUIDS), STATUS_SUCCESS);
    PVOID block = open(kDataGuid, WMIGUID_QUERY);  // waits for the registrations queued before it
    ASSERT_NE(block, nullptr);
    EXPECT_EQ(m_ext->updates, 1);
    EXPECT_EQ(m_ext->reginfo_last_data_path, ULONG_PTR{WMIUPDATE});
    ObDereferenceObject(block);
}

TEST_F(WmiTest, deregistration_withdraws_the_blocks) {
    PVOID block = open(kDataGuid, WMIGUID_QUERY);
    ASSERT_NE(block, nullptr);
    ASSERT_EQ(IoWMIRegistrationControl(m_device, WMIREG_ACTION_DEREGISTER), STATUS_SUCCESS);
    const LONG queries = m_ext->queries;
    ULONG size = 0;
    EXPECT_EQ(IoWMIQueryAllData(block, &size, nullptr), STATUS_WMI_GUID_NOT_FOUND);
    EXPECT_EQ(m_ext->queries, queries) << "no request reaches a deregistered provider";
    ObDereferenceObject(block);
    PVOID again = nullptr;
    EXPECT_EQ(IoWMIOpenBlock(&kDataGuid, WMIGUID_QUERY, &again), STATUS_WMI_GUID_NOT_FOUND);
    // Registered again, it is asked again.
    ASSERT_EQ(IoWMIRegistrationControl(m_device, WMIREG_ACTION_REGISTER), STATUS_SUCCESS);
    again = open(kDataGuid, WMIGUID_QUERY);
    EXPECT_NE(again, nullptr);
    if (again) ObDereferenceObject(again);
}

// A WMIREG_FLAG_CALLBACK provider: its WMIENTRY gets the minor code and the Parameters.WMI values.
constexpr GUID kCallbackGuid{0x6F1C2A10, 0x8C4B, 0x4E57, {0x9A, 0x3D, 0x1B, 0x2C, 0x3D, 0x4E, 0x5F, 0x40}};
PVOID g_entry_context;
LONG g_entry_queries;

NTSTATUS callback_entry(UCHAR action, PVOID data_path, ULONG buffer_size, PVOID buffer, PVOID context, PULONG size) {
    g_entry_context = context;
    if (action == IRP_MN_REGINFO_EX) {
        const WCHAR base[] = L"Callback";
        const ULONG name = sizeof(WMIREGINFO) + sizeof(WMIREGGUID);
        const ULONG needed = name + sizeof(USHORT) + sizeof(base) - sizeof(WCHAR);
        if (buffer_size < needed) {
            *static_cast<PULONG>(buffer) = needed;
            *size = sizeof(ULONG);
            return STATUS_BUFFER_TOO_SMALL;
        }
        auto* info = static_cast<PWMIREGINFO>(buffer);
        RtlZeroMemory(info, needed);
        info->BufferSize = needed;
        info->GuidCount = 1;
        info->WmiRegGuid[0].Guid = kCallbackGuid;
        info->WmiRegGuid[0].Flags = WMIREG_FLAG_INSTANCE_BASENAME;
        info->WmiRegGuid[0].InstanceCount = 1;
        info->WmiRegGuid[0].BaseNameOffset = name;
        const USHORT bytes = sizeof(base) - sizeof(WCHAR);
        RtlCopyMemory(static_cast<PUCHAR>(buffer) + name, &bytes, sizeof(bytes));
        RtlCopyMemory(static_cast<PUCHAR>(buffer) + name + sizeof(USHORT), base, bytes);
        *size = needed;
        return STATUS_SUCCESS;
    }
    if (action == IRP_MN_QUERY_SINGLE_INSTANCE && same_guid(*static_cast<const GUID*>(data_path), kCallbackGuid)) {
        InterlockedIncrement(&g_entry_queries);
        auto* wnode = static_cast<PWNODE_SINGLE_INSTANCE>(buffer);
        const ULONG needed = wnode->DataBlockOffset + sizeof(ULONG);
        if (buffer_size < needed) return STATUS_BUFFER_TOO_SMALL;
        *reinterpret_cast<PULONG>(static_cast<PUCHAR>(buffer) + wnode->DataBlockOffset) = 7;
        wnode->SizeDataBlock = sizeof(ULONG);
        wnode->WnodeHeader.BufferSize = needed;
        *size = needed;
        return STATUS_SUCCESS;
    }
    *size = 0;
    return STATUS_INVALID_DEVICE_REQUEST;
}

TEST_F(WmiTest, a_callback_provider_is_called_instead_of_sent_irps) {
    g_entry_queries = 0;
    g_entry_context = nullptr;
    auto* provider = reinterpret_cast<PDEVICE_OBJECT>(&callback_entry);
    ASSERT_EQ(IoWMIRegistrationControl(provider, WMIREG_ACTION_REGISTER | WMIREG_FLAG_CALLBACK), STATUS_SUCCESS);
    PVOID block = open(kCallbackGuid, WMIGUID_QUERY);
    ASSERT_NE(block, nullptr);
    Name name(u"Callback0");
    alignas(8) UCHAR buffer[256];
    ULONG size = sizeof(buffer);
    EXPECT_EQ(IoWMIQuerySingleInstance(block, name, &size, buffer), STATUS_SUCCESS);
    const auto* wnode = reinterpret_cast<PWNODE_SINGLE_INSTANCE>(buffer);
    EXPECT_EQ(wnode->SizeDataBlock, sizeof(ULONG));
    EXPECT_EQ(*reinterpret_cast<const ULONG*>(buffer + wnode->DataBlockOffset), 7u);
    EXPECT_EQ(g_entry_queries, 1);
    EXPECT_EQ(g_entry_context, reinterpret_cast<PVOID>(&callback_entry));
    ObDereferenceObject(block);
    EXPECT_EQ(IoWMIRegistrationControl(provider, WMIREG_ACTION_DEREGISTER | WMIREG_FLAG_CALLBACK), STATUS_SUCCESS);
    PVOID gone = nullptr;
    EXPECT_EQ(IoWMIOpenBlock(&kCallbackGuid, WMIGUID_QUERY, &gone), STATUS_WMI_GUID_NOT_FOUND);
}

}  // namespace
}  // namespace ntio::wmi_test
