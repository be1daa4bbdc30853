// FsRtlAllocateResource (obsolete, kept for old file systems): each call an initialized ERESOURCE of
// its own that works as ExInitializeResourceLite's do and that the caller never frees; the System
// deletes them when it shuts down (pool accounting shows it).
// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-_fsrtl_advanced_fcb_header-fsrtlallocateresource
#include <gtest/gtest.h>

#include <cstdint>
#include <memory>
#include <set>

#include <ntifs.h>

#include "ex/pool.hpp"
#include "ntio/system.hpp"
#include "support/system_fixture.hpp"

namespace allocate_resource_test {
namespace {

using FsRtlAllocateResourceTest = ntio::test::SystemTest;

TEST_F(FsRtlAllocateResourceTest, each_call_gives_a_distinct_initialized_resource) {
    std::set<PERESOURCE> seen;
    for (int i = 0; i < 64; ++i) {
        PERESOURCE resource = FsRtlAllocateResource();
        ASSERT_NE(resource, nullptr);
        EXPECT_TRUE(seen.insert(resource).second) << "handed out twice";
        EXPECT_FALSE(ExIsResourceAcquiredExclusiveLite(resource));
        EXPECT_EQ(ExIsResourceAcquiredSharedLite(resource), 0u);
    }
}

TEST_F(FsRtlAllocateResourceTest, the_resource_is_acquired_and_released_as_any_eresource) {
    PERESOURCE resource = FsRtlAllocateResource();
    ASSERT_NE(resource, nullptr);
    KeEnterCriticalRegion();
    EXPECT_TRUE(ExAcquireResourceExclusiveLite(resource, TRUE));
    EXPECT_TRUE(ExIsResourceAcquiredExclusiveLite(resource));
    EXPECT_TRUE(ExAcquireResourceSharedLite(resource, TRUE));  // recursive, as the owner
    ExReleaseResourceLite(resource);
    ExReleaseResourceLite(resource);
    EXPECT_FALSE(ExIsResourceAcquiredExclusiveLite(resource));
    EXPECT_TRUE(ExAcquireResourceSharedLite(resource, TRUE));
    EXPECT_EQ(ExIsResourceAcquiredSharedLite(resource), 1u);
    ExReleaseResourceLite(resource);
    KeLeaveCriticalRegion();
}

// Resources handed out by a System go with it: the pool blocks under FsRtl's tag for them are all
// freed by its shutdown.
TEST(FsRtlAllocateResourceShutdownTest, a_system_frees_the_resources_it_handed_out_when_it_shuts_down) {
    constexpr std::uint32_t kTag = 0x72527346;  // 'rRsF', the tag FsRtl allocates them under
    const std::uint64_t before = ntio::ex::pool_usage(kTag).blocks_outstanding();
    auto system = std::make_unique<ntio::System>();
    for (int i = 0; i < 8; ++i) ASSERT_NE(FsRtlAllocateResource(), nullptr);
    EXPECT_EQ(ntio::ex::pool_usage(kTag).blocks_outstanding(), before + 8);
    system.reset();
    EXPECT_EQ(ntio::ex::pool_usage(kTag).blocks_outstanding(), before);
}

}  // namespace
}  // namespace allocate_resource_test
