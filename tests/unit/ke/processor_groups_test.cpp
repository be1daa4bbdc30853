// Processor groups as a group-aware driver enumerates them: the group counts, each group's
// affinity, and the processor index <-> number mapping agree with the active processor count.
// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-kequerygroupaffinity
#include <gtest/gtest.h>

#include <wdm.h>

#include "support/system_fixture.hpp"

namespace processor_groups_test {

class ProcessorGroupsTest : public ntio::test::SystemTest {};

TEST_F(ProcessorGroupsTest, the_groups_hold_every_active_processor_once) {
    const USHORT active_groups = KeQueryActiveGroupCount();
    ASSERT_GE(active_groups, 1u);
    EXPECT_LE(active_groups, KeQueryMaximumGroupCount());
    KAFFINITY all = 0;
    const ULONG count = KeQueryActiveProcessorCount(&all);
    ULONG seen = 0;
    for (USHORT group = 0; group < active_groups; ++group) {
        const KAFFINITY affinity = KeQueryGroupAffinity(group);
        EXPECT_NE(affinity, 0u);
        EXPECT_EQ(static_cast<ULONG>(__builtin_popcountll(affinity)), KeQueryActiveProcessorCountEx(group));
        seen += KeQueryActiveProcessorCountEx(group);
        for (UCHAR number = 0; number < 64; ++number) {
            if (!(affinity & (KAFFINITY{1} << number))) continue;
            PROCESSOR_NUMBER processor{group, number, 0};
            const ULONG index = KeGetProcessorIndexFromNumber(&processor);
            ASSERT_NE(index, INVALID_PROCESSOR_INDEX);
            PROCESSOR_NUMBER back{};
            ASSERT_EQ(KeGetProcessorNumberFromIndex(index, &back), STATUS_SUCCESS);
            EXPECT_EQ(back.Group, group);
            EXPECT_EQ(back.Number, number);
        }
    }
    EXPECT_EQ(seen, count);
    EXPECT_EQ(KeQueryGroupAffinity(0), all);
    EXPECT_EQ(KeQueryActiveProcessorCountEx(ALL_PROCESSOR_GROUPS), count);
}

TEST_F(ProcessorGroupsTest, a_group_the_system_does_not_have_is_empty) {
    const USHORT beyond = KeQueryMaximumGroupCount();
    EXPECT_EQ(KeQueryGroupAffinity(beyond), 0u);
    EXPECT_EQ(KeQueryActiveProcessorCountEx(beyond), 0u);
    EXPECT_EQ(KeQueryMaximumProcessorCountEx(beyond), 0u);
    PROCESSOR_NUMBER processor{beyond, 0, 0};
    EXPECT_EQ(KeGetProcessorIndexFromNumber(&processor), INVALID_PROCESSOR_INDEX);
}

// The current processor's number names a processor of its group.
TEST_F(ProcessorGroupsTest, the_current_processor_is_in_its_groups_affinity) {
    PROCESSOR_NUMBER current{};
    const ULONG index = KeGetCurrentProcessorNumberEx(&current);
    EXPECT_NE(KeQueryGroupAffinity(current.Group) & (KAFFINITY{1} << current.Number), 0u);
    EXPECT_EQ(KeGetProcessorIndexFromNumber(&current), index);
}

}  // namespace processor_groups_test
