// Changes and methods: IoWMISetSingleInstance / IoWMISetSingleItem send the value in a
// WNODE_SINGLE_INSTANCE / WNODE_SINGLE_ITEM (IRP_MN_CHANGE_SINGLE_INSTANCE / _ITEM) and return the
// provider's status; IoWMIExecuteMethod sends the input in a WNODE_METHOD_ITEM and returns the
// method's output, or STATUS_BUFFER_TOO_SMALL with the output size it needs.
// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-iowmisetsingleinstance
// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-iowmisetsingleitem
// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-iowmiexecutemethod
#include "wmi_test_support.hpp"

namespace ntio::wmi_test {
namespace {

ULONG query_value(PVOID block, const char16_t* instance) {
    Name name(instance);
    alignas(8) UCHAR buffer[256];
    ULONG size = sizeof(buffer);
    EXPECT_EQ(IoWMIQuerySingleInstance(block, name, &size, buffer), STATUS_SUCCESS);
    const auto* one = reinterpret_cast<const WNODE_SINGLE_INSTANCE*>(buffer);
    ULONG value = 0;
    std::memcpy(&value, buffer + one->DataBlockOffset, sizeof(value));
    return value;
}

TEST_F(WmiTest, set_single_instance_and_item_change_the_provider_data) {
    PVOID block = open(kDataGuid, WMIGUID_QUERY | WMIGUID_SET);
    ASSERT_NE(block, nullptr);
    Name alpha(u"Alpha"), beta(u"Beta"), gamma(u"Gamma");
    ULONG value = 0x99;
    EXPECT_EQ(IoWMISetSingleInstance(block, alpha, 3, sizeof(value), &value), STATUS_SUCCESS);
    EXPECT_EQ(m_ext->values[0], 0x99u);
    EXPECT_EQ(m_ext->last_version, 3u);
    EXPECT_EQ(query_value(block, u"Alpha"), 0x99u);

    value = 0x55;
    EXPECT_EQ(IoWMISetSingleItem(block, beta, kItemValue, 0, sizeof(value), &value), STATUS_SUCCESS);
    EXPECT_EQ(query_value(block, u"Beta"), 0x55u);
    // The provider's own answers come back as they are.
    EXPECT_EQ(IoWMISetSingleItem(block, beta, 9, 0, sizeof(value), &value), STATUS_WMI_ITEMID_NOT_FOUND);
    USHORT half = 1;
    EXPECT_EQ(IoWMISetSingleInstance(block, beta, 0, sizeof(half), &half), STATUS_INVALID_BUFFER_SIZE);
    EXPECT_EQ(IoWMISetSingleInstance(block, gamma, 0, sizeof(value), &value), STATUS_WMI_INSTANCE_NOT_FOUND);
    EXPECT_EQ(m_ext->values[1], 0x55u);
    ObDereferenceObject(block);
}

TEST_F(WmiTest, execute_method_returns_the_output_or_the_size_it_needs) {
    PVOID block = open(kDataGuid, WMIGUID_EXECUTE);
    ASSERT_NE(block, nullptr);
    Name alpha(u"Alpha"), beta(u"Beta");
    ULONG io[2] = {5, 0xFFFFFFFF};
    ULONG out = sizeof(io);
    ASSERT_EQ(IoWMIExecuteMethod(block, beta, kMethodAdd, sizeof(ULONG), &out, reinterpret_cast<PUCHAR>(io)),
              STATUS_SUCCESS);
    EXPECT_EQ(out, sizeof(io));
    EXPECT_EQ(io[0], 0x22u + 5);
    EXPECT_EQ(io[1], 1u) << "the instance index the provider was given";

    ULONG small[1] = {5};
    out = sizeof(small);
    EXPECT_EQ(IoWMIExecuteMethod(block, alpha, kMethodAdd, sizeof(ULONG), &out, reinterpret_cast<PUCHAR>(small)),
              STATUS_BUFFER_TOO_SMALL);
    EXPECT_EQ(out, 2 * sizeof(ULONG));

    out = sizeof(io);
    EXPECT_EQ(IoWMIExecuteMethod(block, alpha, 77, sizeof(ULONG), &out, reinterpret_cast<PUCHAR>(io)),
              STATUS_WMI_ITEMID_NOT_FOUND);
    ObDereferenceObject(block);
}

}  // namespace
}  // namespace ntio::wmi_test
