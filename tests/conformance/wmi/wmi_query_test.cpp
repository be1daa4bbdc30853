// Queries: IoWMIQueryAllData(Multiple) and IoWMIQuerySingleInstance(Multiple) send the provider
// IRP_MN_QUERY_ALL_DATA / IRP_MN_QUERY_SINGLE_INSTANCE and return its WNODE, with the static
// instance names it registered; a buffer too small gets STATUS_BUFFER_TOO_SMALL and the size
// needed (the provider's WNODE_TOO_SMALL); the rights the block was opened with are checked.
// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-iowmiqueryalldata
// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-iowmiquerysingleinstance
// https://learn.microsoft.com/windows-hardware/drivers/kernel/irp-mn-query-all-data
#include <vector>

#include "wmi_test_support.hpp"

namespace ntio::wmi_test {
namespace {

std::vector<ULONG> fixed_instances(const WNODE_ALL_DATA* all) {
    std::vector<ULONG> values(all->InstanceCount);
    std::memcpy(values.data(), reinterpret_cast<const UCHAR*>(all) + all->DataBlockOffset,
                values.size() * sizeof(ULONG));
    return values;
}

std::vector<std::u16string> instance_names(const WNODE_ALL_DATA* all) {
    std::vector<std::u16string> names;
    for (ULONG i = 0; i < all->InstanceCount; ++i) {
        ULONG offset;
        std::memcpy(&offset, reinterpret_cast<const UCHAR*>(all) + all->OffsetInstanceNameOffsets + i * sizeof(ULONG),
                    sizeof(offset));
        names.push_back(counted_at(all, offset));
    }
    return names;
}

TEST_F(WmiTest, query_all_data_returns_the_instances_and_their_static_names) {
    PVOID block = open(kDataGuid, WMIGUID_QUERY);
    ASSERT_NE(block, nullptr);
    ULONG size = 0;
    ASSERT_EQ(IoWMIQueryAllData(block, &size, nullptr), STATUS_BUFFER_TOO_SMALL);
    ASSERT_GT(size, sizeof(WNODE_ALL_DATA));
    const ULONG needed = size;
    std::vector<ULONG64> storage((needed + 7) / 8);
    ASSERT_EQ(IoWMIQueryAllData(block, &size, storage.data()), STATUS_SUCCESS);
    EXPECT_EQ(size, needed);
    const auto* all = reinterpret_cast<const WNODE_ALL_DATA*>(storage.data());
    EXPECT_EQ(all->WnodeHeader.BufferSize, size);
    EXPECT_TRUE(same_guid(all->WnodeHeader.Guid, kDataGuid));
    EXPECT_EQ(all->WnodeHeader.Linkage, 0u);
    EXPECT_TRUE(all->WnodeHeader.Flags & WNODE_FLAG_ALL_DATA);
    EXPECT_TRUE(all->WnodeHeader.Flags & WNODE_FLAG_FIXED_INSTANCE_SIZE);
    EXPECT_TRUE(all->WnodeHeader.Flags & WNODE_FLAG_STATIC_INSTANCE_NAMES);
    ASSERT_EQ(all->InstanceCount, 2u);
    EXPECT_EQ(all->FixedInstanceSize, sizeof(ULONG));
    EXPECT_EQ(fixed_instances(all), (std::vector<ULONG>{0x11, 0x22}));
    EXPECT_EQ(instance_names(all), (std::vector<std::u16string>{u"Alpha", u"Beta"}));
    ObDereferenceObject(block);
}

TEST_F(WmiTest, a_buffer_too_small_for_the_provider_gets_the_size_it_needs) {
    PVOID block = open(kDataGuid, WMIGUID_QUERY);
    ASSERT_NE(block, nullptr);
    ULONG needed = 0;
    ASSERT_EQ(IoWMIQueryAllData(block, &needed, nullptr), STATUS_BUFFER_TOO_SMALL);
    // Room for a WNODE_TOO_SMALL but not the data: the provider answers with one.
    alignas(8) UCHAR small[sizeof(WNODE_ALL_DATA)];
    ULONG size = sizeof(small);
    const LONG queries = m_ext->queries;
    EXPECT_EQ(IoWMIQueryAllData(block, &size, small), STATUS_BUFFER_TOO_SMALL);
    EXPECT_EQ(size, needed);
    EXPECT_EQ(m_ext->queries, queries + 1) << "the provider was asked";
    // One byte short of the whole answer.
    std::vector<ULONG64> storage((needed + 7) / 8);
    size = needed - 1;
    EXPECT_EQ(IoWMIQueryAllData(block, &size, storage.data()), STATUS_BUFFER_TOO_SMALL);
    EXPECT_EQ(size, needed);
    ObDereferenceObject(block);
}

TEST_F(WmiTest, a_caller_claiming_a_huge_buffer_gets_what_the_answer_takes) {
    PVOID block = open(kDataGuid, WMIGUID_QUERY);
    ASSERT_NE(block, nullptr);
    ULONG needed = 0;
    ASSERT_EQ(IoWMIQueryAllData(block, &needed, nullptr), STATUS_BUFFER_TOO_SMALL);
    std::vector<ULONG64> storage(64);
    ASSERT_LE(needed, storage.size() * sizeof(ULONG64));
    ULONG size = 0x7FFFFFFF;  // WMI does not allocate what the caller claims, only what is answered
    ASSERT_EQ(IoWMIQueryAllData(block, &size, storage.data()), STATUS_SUCCESS);
    EXPECT_EQ(size, needed);
    ObDereferenceObject(block);
}

TEST_F(WmiTest, query_single_instance_finds_a_static_name_in_any_case) {
    PVOID block = open(kDataGuid, WMIGUID_QUERY);
    ASSERT_NE(block, nullptr);
    Name beta(u"Beta");
    ULONG size = 0;
    ASSERT_EQ(IoWMIQuerySingleInstance(block, beta, &size, nullptr), STATUS_BUFFER_TOO_SMALL);
    const ULONG needed = size;
    std::vector<ULONG64> storage((needed + 7) / 8);
    ASSERT_EQ(IoWMIQuerySingleInstance(block, beta, &size, storage.data()), STATUS_SUCCESS);
    EXPECT_EQ(size, needed);
    const auto* one = reinterpret_cast<const WNODE_SINGLE_INSTANCE*>(storage.data());
    EXPECT_TRUE(one->WnodeHeader.Flags & WNODE_FLAG_SINGLE_INSTANCE);
    EXPECT_TRUE(one->WnodeHeader.Flags & WNODE_FLAG_STATIC_INSTANCE_NAMES);
    EXPECT_EQ(one->InstanceIndex, 1u);
    EXPECT_EQ(counted_at(one, one->OffsetInstanceName), u"Beta");
    ASSERT_EQ(one->SizeDataBlock, sizeof(ULONG));
    ULONG value;
    std::memcpy(&value, reinterpret_cast<const UCHAR*>(one) + one->DataBlockOffset, sizeof(value));
    EXPECT_EQ(value, 0x22u);

    Name upper(u"ALPHA");
    size = needed + 8;
    std::vector<ULONG64> second((size + 7) / 8);
    ASSERT_EQ(IoWMIQuerySingleInstance(block, upper, &size, second.data()), STATUS_SUCCESS);
    EXPECT_EQ(reinterpret_cast<const WNODE_SINGLE_INSTANCE*>(second.data())->InstanceIndex, 0u);

    Name gamma(u"Gamma");
    size = needed;
    EXPECT_EQ(IoWMIQuerySingleInstance(block, gamma, &size, storage.data()), STATUS_WMI_INSTANCE_NOT_FOUND);
    ObDereferenceObject(block);
}

TEST_F(WmiTest, the_multiple_forms_link_one_wnode_per_block) {
    PVOID blocks[2] = {open(kDataGuid, WMIGUID_QUERY), open(kExpensiveGuid, WMIGUID_QUERY)};
    ASSERT_TRUE(blocks[0] && blocks[1]);
    ULONG size = 0;
    ASSERT_EQ(IoWMIQueryAllDataMultiple(blocks, 2, &size, nullptr), STATUS_BUFFER_TOO_SMALL);
    std::vector<ULONG64> storage((size + 7) / 8);
    ASSERT_EQ(IoWMIQueryAllDataMultiple(blocks, 2, &size, storage.data()), STATUS_SUCCESS);
    const auto* first = reinterpret_cast<const WNODE_ALL_DATA*>(storage.data());
    EXPECT_TRUE(same_guid(first->WnodeHeader.Guid, kDataGuid));
    ASSERT_NE(first->WnodeHeader.Linkage, 0u);
    ASSERT_LT(first->WnodeHeader.Linkage, size);
    EXPECT_EQ(first->WnodeHeader.Linkage % 8, 0u);
    const auto* second = reinterpret_cast<const WNODE_ALL_DATA*>(reinterpret_cast<const UCHAR*>(first) +
                                                                 first->WnodeHeader.Linkage);
    EXPECT_TRUE(same_guid(second->WnodeHeader.Guid, kExpensiveGuid));
    EXPECT_EQ(second->WnodeHeader.Linkage, 0u);
    EXPECT_EQ(instance_names(second), std::vector<std::u16string>{u"Expensive0"});

    UNICODE_STRING names[2];
    Name alpha(u"Alpha"), expensive(u"Expensive0");
    names[0] = *static_cast<PUNICODE_STRING>(alpha);
    names[1] = *static_cast<PUNICODE_STRING>(expensive);
    size = 0;
    ASSERT_EQ(IoWMIQuerySingleInstanceMultiple(blocks, names, 2, &size, nullptr), STATUS_BUFFER_TOO_SMALL);
    std::vector<ULONG64> singles((size + 7) / 8);
    ASSERT_EQ(IoWMIQuerySingleInstanceMultiple(blocks, names, 2, &size, singles.data()), STATUS_SUCCESS);
    const auto* one = reinterpret_cast<const WNODE_SINGLE_INSTANCE*>(singles.data());
    EXPECT_EQ(counted_at(one, one->OffsetInstanceName), u"Alpha");
    ASSERT_NE(one->WnodeHeader.Linkage, 0u);
    const auto* two = reinterpret_cast<const WNODE_SINGLE_INSTANCE*>(reinterpret_cast<const UCHAR*>(one) +
                                                                     one->WnodeHeader.Linkage);
    EXPECT_TRUE(same_guid(two->WnodeHeader.Guid, kExpensiveGuid));
    EXPECT_EQ(counted_at(two, two->OffsetInstanceName), u"Expensive0");
    ObDereferenceObject(blocks[0]);
    ObDereferenceObject(blocks[1]);
}

TEST_F(WmiTest, each_operation_needs_its_right) {
    PVOID query = open(kDataGuid, WMIGUID_QUERY);
    PVOID set = open(kDataGuid, WMIGUID_SET);
    ASSERT_TRUE(query && set);
    Name alpha(u"Alpha");
    ULONG size = 0, value = 1;
    EXPECT_EQ(IoWMIQueryAllData(set, &size, nullptr), STATUS_ACCESS_DENIED);
    EXPECT_EQ(IoWMIQuerySingleInstance(set, alpha, &size, nullptr), STATUS_ACCESS_DENIED);
    EXPECT_EQ(IoWMISetSingleInstance(query, alpha, 0, sizeof(value), &value), STATUS_ACCESS_DENIED);
    EXPECT_EQ(IoWMISetSingleItem(query, alpha, kItemValue, 0, sizeof(value), &value), STATUS_ACCESS_DENIED);
    ULONG out = sizeof(value);
    EXPECT_EQ(IoWMIExecuteMethod(query, alpha, kMethodAdd, sizeof(value), &out, reinterpret_cast<PUCHAR>(&value)),
              STATUS_ACCESS_DENIED);
    EXPECT_EQ(IoWMISetNotificationCallback(query, nullptr, nullptr), STATUS_ACCESS_DENIED);
    EXPECT_EQ(m_ext->values[0], 0x11u) << "nothing was changed";
    ObDereferenceObject(query);
    ObDereferenceObject(set);
}

TEST_F(WmiTest, an_expensive_block_collects_while_open_for_query) {
    EXPECT_EQ(m_ext->enable_collection, 0);
    PVOID set_only = open(kExpensiveGuid, WMIGUID_SET);
    ASSERT_NE(set_only, nullptr);
    EXPECT_EQ(m_ext->enable_collection, 0) << "no query can come through it";
    PVOID first = open(kExpensiveGuid, WMIGUID_QUERY);
    PVOID second = open(kExpensiveGuid, WMIGUID_QUERY);
    ASSERT_TRUE(first && second);
    EXPECT_EQ(m_ext->enable_collection, 1);
    Name name(u"Expensive0");
    alignas(8) UCHAR buffer[256];
    ULONG size = sizeof(buffer);
    ASSERT_EQ(IoWMIQuerySingleInstance(first, name, &size, buffer), STATUS_SUCCESS);
    const auto* one = reinterpret_cast<const WNODE_SINGLE_INSTANCE*>(buffer);
    EXPECT_EQ(*reinterpret_cast<const ULONG*>(buffer + one->DataBlockOffset), ULONG{TRUE}) << "collecting";
    ObDereferenceObject(first);
    EXPECT_EQ(m_ext->disable_collection, 0) << "another object still queries it";
    ObDereferenceObject(second);
    EXPECT_EQ(m_ext->disable_collection, 1);
    EXPECT_FALSE(m_ext->collecting);
    ObDereferenceObject(set_only);
    EXPECT_EQ(m_ext->enable_collection, 1);
    EXPECT_EQ(m_ext->disable_collection, 1);
}

TEST_F(WmiTest, an_event_only_block_has_no_data) {
    PVOID block = open(kEventGuid, WMIGUID_QUERY);
    ASSERT_NE(block, nullptr);
    ULONG size = 0;
    EXPECT_EQ(IoWMIQueryAllData(block, &size, nullptr), STATUS_WMI_GUID_NOT_FOUND);
    Name name(u"Event0");
    EXPECT_EQ(IoWMIQuerySingleInstance(block, name, &size, nullptr), STATUS_WMI_INSTANCE_NOT_FOUND);
    ObDereferenceObject(block);
}

}  // namespace
}  // namespace ntio::wmi_test
