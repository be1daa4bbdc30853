// Processor topology as a driver walks it: every processor KeQueryActiveProcessorCount reports is in
// exactly one core and one package, the node and the group hold them all, a short buffer gets the
// size it needs, and one processor's records all contain it.
// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-kequerylogicalprocessorrelationship
#include <gtest/gtest.h>

#include <vector>

#include <wdm.h>

#include "support/system_fixture.hpp"

namespace processor_topology_test {

class ProcessorTopologyTest : public ntio::test::SystemTest {};

std::vector<unsigned char> query(PPROCESSOR_NUMBER processor, LOGICAL_PROCESSOR_RELATIONSHIP kind) {
    ULONG length = 0;
    EXPECT_EQ(KeQueryLogicalProcessorRelationship(processor, kind, nullptr, &length), STATUS_INFO_LENGTH_MISMATCH);
    std::vector<unsigned char> buffer(length);
    ULONG written = length;
    EXPECT_EQ(KeQueryLogicalProcessorRelationship(
                  processor, kind, reinterpret_cast<PSYSTEM_LOGICAL_PROCESSOR_INFORMATION_EX>(buffer.data()), &written),
              STATUS_SUCCESS);
    EXPECT_EQ(written, length);
    return buffer;
}

template <typename Fn>
void for_each_record(const std::vector<unsigned char>& buffer, Fn fn) {
    for (size_t at = 0; at < buffer.size();) {
        auto* r = reinterpret_cast<const SYSTEM_LOGICAL_PROCESSOR_INFORMATION_EX*>(buffer.data() + at);
        ASSERT_GT(r->Size, 0u);
        fn(*r);
        at += r->Size;
    }
}

TEST_F(ProcessorTopologyTest, cores_and_packages_partition_the_active_processors) {
    KAFFINITY active = 0;
    const ULONG count = KeQueryActiveProcessorCount(&active);
    EXPECT_EQ(KeQueryMaximumProcessorCountEx(0), count);
    EXPECT_EQ(KeQueryMaximumProcessorCountEx(ALL_PROCESSOR_GROUPS), count);
    EXPECT_EQ(KeQueryMaximumProcessorCountEx(1), 0u);
    EXPECT_EQ(KeQueryActiveProcessorCountEx(0), count);
    for (auto kind : {RelationProcessorCore, RelationProcessorPackage}) {
        KAFFINITY covered = 0;
        for_each_record(query(nullptr, kind), [&](const SYSTEM_LOGICAL_PROCESSOR_INFORMATION_EX& r) {
            EXPECT_EQ(r.Relationship, kind);
            EXPECT_EQ(r.Size, 48u);
            EXPECT_EQ(r.Processor.GroupCount, 1);
            EXPECT_EQ(r.Processor.GroupMask[0].Group, 0);
            EXPECT_EQ(covered & r.Processor.GroupMask[0].Mask, 0u);  // in one record only
            covered |= r.Processor.GroupMask[0].Mask;
            if (kind == RelationProcessorCore) {
                EXPECT_EQ(r.Processor.Flags == LTP_PC_SMT, __builtin_popcountll(r.Processor.GroupMask[0].Mask) > 1);
            }
        });
        EXPECT_EQ(covered, active);
    }
}

TEST_F(ProcessorTopologyTest, one_node_and_one_group_hold_every_processor) {
    KAFFINITY active = 0;
    const ULONG count = KeQueryActiveProcessorCount(&active);
    int nodes = 0, groups = 0;
    for_each_record(query(nullptr, RelationNumaNode), [&](const SYSTEM_LOGICAL_PROCESSOR_INFORMATION_EX& r) {
        ++nodes;
        EXPECT_EQ(r.Size, 48u);
        EXPECT_EQ(r.NumaNode.NodeNumber, 0u);
        EXPECT_EQ(r.NumaNode.GroupMask.Mask, active);
    });
    for_each_record(query(nullptr, RelationGroup), [&](const SYSTEM_LOGICAL_PROCESSOR_INFORMATION_EX& r) {
        ++groups;
        EXPECT_EQ(r.Size, 80u);
        EXPECT_EQ(r.Group.ActiveGroupCount, 1);
        EXPECT_EQ(r.Group.GroupInfo[0].ActiveProcessorCount, count);
        EXPECT_EQ(r.Group.GroupInfo[0].ActiveProcessorMask, active);
    });
    EXPECT_EQ(nodes, 1);
    EXPECT_EQ(groups, 1);
    GROUP_AFFINITY affinity;
    USHORT node_count = 0;
    KeQueryNodeActiveAffinity(0, &affinity, &node_count);
    EXPECT_EQ(affinity.Mask, active);
    EXPECT_EQ(node_count, count);
    KeQueryNodeActiveAffinity(1, &affinity, &node_count);
    EXPECT_EQ(affinity.Mask, 0u);
    EXPECT_EQ(node_count, 0);
}

TEST_F(ProcessorTopologyTest, all_is_every_kind_and_one_processor_gets_only_its_records) {
    int kinds[5] = {};
    for_each_record(query(nullptr, RelationAll), [&](const SYSTEM_LOGICAL_PROCESSOR_INFORMATION_EX& r) {
        ASSERT_LE(r.Relationship, RelationGroup);
        ++kinds[r.Relationship];
        if (r.Relationship == RelationCache) {
            EXPECT_GE(r.Cache.Level, 1);
            EXPECT_NE(r.Cache.GroupMask.Mask, 0u);
        }
    });
    EXPECT_GE(kinds[RelationProcessorCore], 1);
    EXPECT_EQ(kinds[RelationNumaNode], 1);
    EXPECT_GE(kinds[RelationProcessorPackage], 1);
    EXPECT_EQ(kinds[RelationGroup], 1);

    const ULONG last = KeQueryActiveProcessorCount(nullptr) - 1;
    PROCESSOR_NUMBER number{0, static_cast<UCHAR>(last), 0};
    int cores = 0;
    for_each_record(query(&number, RelationAll), [&](const SYSTEM_LOGICAL_PROCESSOR_INFORMATION_EX& r) {
        KAFFINITY mask = r.Relationship == RelationCache      ? r.Cache.GroupMask.Mask
                         : r.Relationship == RelationNumaNode ? r.NumaNode.GroupMask.Mask
                         : r.Relationship == RelationGroup    ? r.Group.GroupInfo[0].ActiveProcessorMask
                                                              : r.Processor.GroupMask[0].Mask;
        EXPECT_NE(mask & (KAFFINITY{1} << last), 0u) << r.Relationship;
        cores += r.Relationship == RelationProcessorCore;
    });
    EXPECT_EQ(cores, 1);
}

TEST_F(ProcessorTopologyTest, a_short_buffer_gets_the_length_needed_and_bad_input_is_refused) {
    ULONG needed = 0;
    ASSERT_EQ(KeQueryLogicalProcessorRelationship(nullptr, RelationGroup, nullptr, &needed), STATUS_INFO_LENGTH_MISMATCH);
    EXPECT_EQ(needed, 80u);
    std::vector<unsigned char> small(needed - 1);
    ULONG length = needed - 1;
    EXPECT_EQ(KeQueryLogicalProcessorRelationship(
                  nullptr, RelationGroup, reinterpret_cast<PSYSTEM_LOGICAL_PROCESSOR_INFORMATION_EX>(small.data()), &length),
              STATUS_INFO_LENGTH_MISMATCH);
    EXPECT_EQ(length, needed);

    PROCESSOR_NUMBER beyond{0, static_cast<UCHAR>(KeQueryActiveProcessorCount(nullptr)), 0};
    length = 0;
    EXPECT_EQ(KeQueryLogicalProcessorRelationship(&beyond, RelationAll, nullptr, &length), STATUS_INVALID_PARAMETER);
    PROCESSOR_NUMBER other_group{1, 0, 0};
    EXPECT_EQ(KeQueryLogicalProcessorRelationship(&other_group, RelationAll, nullptr, &length), STATUS_INVALID_PARAMETER);
    EXPECT_EQ(KeQueryLogicalProcessorRelationship(nullptr, static_cast<LOGICAL_PROCESSOR_RELATIONSHIP>(42), nullptr, &length),
              STATUS_INVALID_PARAMETER);
    EXPECT_EQ(KeQueryLogicalProcessorRelationship(nullptr, RelationAll, nullptr, nullptr), STATUS_INVALID_PARAMETER);
}

// One node: the highest number is 0, every caller runs on it, and it holds every processor; a node
// that does not exist holds none.
TEST_F(ProcessorTopologyTest, one_numa_node_holds_every_processor) {
    EXPECT_EQ(KeQueryHighestNodeNumber(), 0);
    EXPECT_EQ(KeGetCurrentNodeNumber(), 0);
    KIRQL old;
    KeRaiseIrql(DISPATCH_LEVEL, &old);
    EXPECT_EQ(KeGetCurrentNodeNumber(), 0) << "any IRQL";
    KeLowerIrql(old);
    EXPECT_EQ(KeQueryNodeMaximumProcessorCount(0), KeQueryActiveProcessorCount(nullptr));
    EXPECT_GE(KeQueryNodeMaximumProcessorCount(0), 1);
    EXPECT_EQ(KeQueryNodeMaximumProcessorCount(1), 0);
    EXPECT_EQ(KeQueryNodeMaximumProcessorCount(0xFFFF), 0);
}

}  // namespace processor_topology_test
