// ERESOURCE: recursion, shared/exclusive compatibility, Wait FALSE, the starvation rules of the
// three shared acquire routines, hand-over to waiters, owner pointers and the bugchecks for
// releasing what one does not own.

#include <algorithm>
#include <array>
#include <atomic>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "ex/pool.hpp"
#include "support/system_fixture.hpp"
#include "unit/ex/ex_test_support.hpp"

using ntio::test::ex::on_other_thread;
using ntio::test::ex::stop_of;

namespace {

class ResourceTest : public ntio::test::SystemTest {
protected:
    void SetUp() override {
        SystemTest::SetUp();
        ASSERT_EQ(ExInitializeResourceLite(&m_resource), STATUS_SUCCESS);
    }
    void TearDown() override {
        EXPECT_EQ(ExDeleteResourceLite(&m_resource), STATUS_SUCCESS);
        SystemTest::TearDown();
    }
    ERESOURCE m_resource;
};

// Waits (hang guard only) until `pred` holds.
template <class Pred>
bool eventually(Pred pred) {
    for (int i = 0; i < 200000; ++i) {
        if (pred()) return true;
        std::this_thread::yield();
    }
    return pred();
}

TEST_F(ResourceTest, exclusive_is_recursive_and_counts) {
    KeEnterCriticalRegion();
    EXPECT_TRUE(ExAcquireResourceExclusiveLite(&m_resource, TRUE));
    EXPECT_TRUE(ExAcquireResourceExclusiveLite(&m_resource, TRUE));
    EXPECT_TRUE(ExIsResourceAcquiredExclusiveLite(&m_resource));
    EXPECT_EQ(ExIsResourceAcquiredSharedLite(&m_resource), 2u);
    // An exclusive owner asking for shared access gets it recursively.
    EXPECT_TRUE(ExAcquireResourceSharedLite(&m_resource, FALSE));
    EXPECT_EQ(ExIsResourceAcquiredSharedLite(&m_resource), 3u);
    for (int i = 0; i < 3; ++i) ExReleaseResourceLite(&m_resource);
    EXPECT_FALSE(ExIsResourceAcquiredExclusiveLite(&m_resource));
    EXPECT_EQ(ExIsResourceAcquiredSharedLite(&m_resource), 0u);
    EXPECT_EQ(m_resource.ActiveEntries, 0u);
    KeLeaveCriticalRegion();
}

// 0xC4 0x37 is Driver Verifier's: a caller no verifier checks acquires with APCs enabled as on NT
// without it (tests/verifier/verifier_ddi_test.cpp trips it for a verified driver).
TEST_F(ResourceTest, acquire_with_apcs_enabled_is_not_stopped_without_the_verifier) {
    auto stop = stop_of([&] {
        ASSERT_TRUE(ExAcquireResourceSharedLite(&m_resource, TRUE));
        EXPECT_EQ(ExIsResourceAcquiredSharedLite(&m_resource), 1u);
        ExReleaseResourceLite(&m_resource);
    });
    EXPECT_FALSE(stop);
    EXPECT_EQ(m_resource.ActiveEntries, 0u);
}

TEST_F(ResourceTest, wait_false_fails_at_once_against_other_owners) {
    KeEnterCriticalRegion();
    ASSERT_TRUE(ExAcquireResourceSharedLite(&m_resource, TRUE));
    on_other_thread([&] {
        KeEnterCriticalRegion();
        EXPECT_FALSE(ExAcquireResourceExclusiveLite(&m_resource, FALSE));
        EXPECT_FALSE(ExTryToAcquireResourceExclusiveLite(&m_resource));
        EXPECT_TRUE(ExAcquireResourceSharedLite(&m_resource, FALSE));  // shared with shared
        EXPECT_EQ(ExIsResourceAcquiredSharedLite(&m_resource), 1u);
        ExReleaseResourceLite(&m_resource);
        KeLeaveCriticalRegion();
    });
    ExReleaseResourceLite(&m_resource);
    ASSERT_TRUE(ExAcquireResourceExclusiveLite(&m_resource, FALSE));
    on_other_thread([&] {
        KeEnterCriticalRegion();
        EXPECT_FALSE(ExAcquireResourceSharedLite(&m_resource, FALSE));
        EXPECT_FALSE(ExAcquireSharedStarveExclusive(&m_resource, FALSE));
        KeLeaveCriticalRegion();
    });
    ExReleaseResourceLite(&m_resource);
    KeLeaveCriticalRegion();
}

TEST_F(ResourceTest, pending_exclusive_waiter_blocks_new_shared_unless_starving) {
    KeEnterCriticalRegion();
    ASSERT_TRUE(ExAcquireResourceSharedLite(&m_resource, TRUE));
    std::atomic<bool> writer_owned{false};
    std::thread writer([&] {
        KeEnterCriticalRegion();
        ExAcquireResourceExclusiveLite(&m_resource, TRUE);
        writer_owned = ExIsResourceAcquiredExclusiveLite(&m_resource);
        ExReleaseResourceLite(&m_resource);
        KeLeaveCriticalRegion();
    });
    ASSERT_TRUE(eventually([&] { return ExGetExclusiveWaiterCount(&m_resource) == 1; }));
    on_other_thread([&] {
        KeEnterCriticalRegion();
        EXPECT_FALSE(ExAcquireResourceSharedLite(&m_resource, FALSE));
        EXPECT_FALSE(ExAcquireSharedWaitForExclusive(&m_resource, FALSE));
        ASSERT_TRUE(ExAcquireSharedStarveExclusive(&m_resource, FALSE));
        ExReleaseResourceLite(&m_resource);
        KeLeaveCriticalRegion();
    });
    // The owner itself still gets recursive shared access, except through WaitForExclusive.
    EXPECT_TRUE(ExAcquireResourceSharedLite(&m_resource, FALSE));
    EXPECT_FALSE(ExAcquireSharedWaitForExclusive(&m_resource, FALSE));
    EXPECT_EQ(ExIsResourceAcquiredSharedLite(&m_resource), 2u);
    EXPECT_FALSE(writer_owned);
    ExReleaseResourceLite(&m_resource);
    ExReleaseResourceLite(&m_resource);  // last shared release hands the resource to the writer
    writer.join();
    EXPECT_TRUE(writer_owned);
    EXPECT_EQ(ExGetExclusiveWaiterCount(&m_resource), 0u);
    EXPECT_GE(m_resource.ContentionCount, 1u);
    KeLeaveCriticalRegion();
}

TEST_F(ResourceTest, exclusive_release_and_conversion_grant_all_shared_waiters) {
    KeEnterCriticalRegion();
    ASSERT_TRUE(ExAcquireResourceExclusiveLite(&m_resource, TRUE));
    std::atomic<int> readers_in{0};
    std::atomic<bool> go_out{false};
    auto reader = [&] {
        KeEnterCriticalRegion();
        ExAcquireResourceSharedLite(&m_resource, TRUE);
        readers_in.fetch_add(1);
        while (!go_out) std::this_thread::yield();
        ExReleaseResourceLite(&m_resource);
        KeLeaveCriticalRegion();
    };
    std::thread r1(reader), r2(reader);
    ASSERT_TRUE(eventually([&] { return ExGetSharedWaiterCount(&m_resource) == 2; }));
    EXPECT_EQ(readers_in.load(), 0);
    ExConvertExclusiveToSharedLite(&m_resource);
    ASSERT_TRUE(eventually([&] { return readers_in.load() == 2; }));
    EXPECT_FALSE(ExIsResourceAcquiredExclusiveLite(&m_resource));
    EXPECT_EQ(ExIsResourceAcquiredSharedLite(&m_resource), 1u);
    EXPECT_EQ(m_resource.ActiveEntries, 3u);
    go_out = true;
    r1.join();
    r2.join();
    ExReleaseResourceLite(&m_resource);
    EXPECT_EQ(m_resource.ActiveEntries, 0u);
    KeLeaveCriticalRegion();
}

TEST_F(ResourceTest, owner_pointer_lets_another_thread_release) {
    KeEnterCriticalRegion();
    ASSERT_TRUE(ExAcquireResourceExclusiveLite(&m_resource, TRUE));
    static int cookie;
    PVOID owner = reinterpret_cast<PVOID>(reinterpret_cast<ULONG_PTR>(&cookie) | 3);
    ExSetResourceOwnerPointer(&m_resource, owner);
    EXPECT_FALSE(ExIsResourceAcquiredExclusiveLite(&m_resource));
    on_other_thread([&] { ExReleaseResourceForThreadLite(&m_resource, reinterpret_cast<ERESOURCE_THREAD>(owner)); });
    EXPECT_EQ(m_resource.ActiveEntries, 0u);
    KeLeaveCriticalRegion();
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-exsetresourceownerpointerex
TEST_F(ResourceTest, owner_pointer_ex_hands_shared_ownership_to_a_thread_pointer) {
    KeEnterCriticalRegion();
    ASSERT_TRUE(ExAcquireResourceSharedLite(&m_resource, TRUE));
    PVOID owner = reinterpret_cast<PVOID>(ExGetCurrentResourceThread() | 3);
    ExSetResourceOwnerPointerEx(&m_resource, owner, FLAG_OWNER_POINTER_IS_THREAD);
    EXPECT_EQ(ExIsResourceAcquiredSharedLite(&m_resource), 0u);
    on_other_thread([&] { ExReleaseResourceForThreadLite(&m_resource, reinterpret_cast<ERESOURCE_THREAD>(owner)); });
    EXPECT_EQ(m_resource.ActiveEntries, 0u);
    // Flags 0 is ExSetResourceOwnerPointer, with its rule on the low bits.
    ASSERT_TRUE(ExAcquireResourceExclusiveLite(&m_resource, TRUE));
    static int cookie;
    auto stop = stop_of([&] { ExSetResourceOwnerPointerEx(&m_resource, &cookie, 0); });
    ASSERT_TRUE(stop);
    EXPECT_EQ(stop->code, 0x132u);
    ExReleaseResourceLite(&m_resource);
    KeLeaveCriticalRegion();
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-exdisableresourceboostlite
TEST_F(ResourceTest, disabling_the_boost_marks_the_resource_and_changes_nothing_else) {
    ExDisableResourceBoostLite(&m_resource);
    EXPECT_TRUE(m_resource.Flag & ResourceDisableBoost);
    KeEnterCriticalRegion();
    ASSERT_TRUE(ExAcquireResourceExclusiveLite(&m_resource, TRUE));
    EXPECT_TRUE(ExIsResourceAcquiredExclusiveLite(&m_resource));
    ExReleaseResourceLite(&m_resource);
    KeLeaveCriticalRegion();
    EXPECT_TRUE(m_resource.Flag & ResourceDisableBoost);
}

TEST_F(ResourceTest, invalid_owner_pointer_bugchecks_0x132) {
    KeEnterCriticalRegion();
    ASSERT_TRUE(ExAcquireResourceSharedLite(&m_resource, TRUE));
    static int cookie;
    auto stop = stop_of([&] { ExSetResourceOwnerPointer(&m_resource, &cookie); });
    ExReleaseResourceLite(&m_resource);
    KeLeaveCriticalRegion();
    ASSERT_TRUE(stop);
    EXPECT_EQ(stop->code, 0x132u);
    EXPECT_EQ(stop->p[0], reinterpret_cast<ULONG_PTR>(&m_resource));
    EXPECT_EQ(stop->p[3], reinterpret_cast<ULONG_PTR>(&cookie));
}

TEST_F(ResourceTest, releasing_a_resource_not_owned_bugchecks_resource_not_owned) {
    auto stop = stop_of([&] { ExReleaseResourceLite(&m_resource); });
    ASSERT_TRUE(stop);
    EXPECT_EQ(stop->code, RESOURCE_NOT_OWNED);
    EXPECT_EQ(stop->p[0], reinterpret_cast<ULONG_PTR>(&m_resource));
    EXPECT_EQ(stop->p[1], reinterpret_cast<ULONG_PTR>(KeGetCurrentThread()));
}

TEST_F(ResourceTest, shared_owner_asking_for_exclusive_bugchecks_instead_of_hanging) {
    KeEnterCriticalRegion();
    ASSERT_TRUE(ExAcquireResourceSharedLite(&m_resource, TRUE));
    EXPECT_FALSE(ExAcquireResourceExclusiveLite(&m_resource, FALSE));
    auto stop = stop_of([&] { ExAcquireResourceExclusiveLite(&m_resource, TRUE); });
    ExReleaseResourceLite(&m_resource);
    KeLeaveCriticalRegion();
    ASSERT_TRUE(stop);
    EXPECT_EQ(stop->code, DRIVER_VERIFIER_DETECTED_VIOLATION);
    EXPECT_EQ(stop->p[0], 0x1000u);
}

// Bug check 0x1F (no parameters documented; ntio passes the resource and the calling thread):
// https://learn.microsoft.com/windows-hardware/drivers/debugger/bug-check-0x1f--shared-resource-conv-error
TEST_F(ResourceTest, converting_without_exclusive_ownership_bugchecks_shared_resource_conv_error) {
    const auto self = reinterpret_cast<ULONG_PTR>(KeGetCurrentThread());
    KeEnterCriticalRegion();
    auto unowned = stop_of([&] { ExConvertExclusiveToSharedLite(&m_resource); });
    ASSERT_TRUE(ExAcquireResourceSharedLite(&m_resource, TRUE));
    auto shared = stop_of([&] { ExConvertExclusiveToSharedLite(&m_resource); });
    EXPECT_EQ(ExIsResourceAcquiredSharedLite(&m_resource), 1u);  // the refused conversion changed nothing
    ExReleaseResourceLite(&m_resource);

    // Exclusive, but another thread's: the converting thread is named, not the owner.
    ASSERT_TRUE(ExAcquireResourceExclusiveLite(&m_resource, TRUE));
    std::optional<ntio::test::ex::Stop> foreign;
    ULONG_PTR other = 0;
    on_other_thread([&] {
        other = reinterpret_cast<ULONG_PTR>(KeGetCurrentThread());
        foreign = stop_of([&] { ExConvertExclusiveToSharedLite(&m_resource); });
    });
    EXPECT_TRUE(ExIsResourceAcquiredExclusiveLite(&m_resource));
    ExReleaseResourceLite(&m_resource);
    KeLeaveCriticalRegion();

    for (const auto& stop : {unowned, shared}) {
        ASSERT_TRUE(stop);
        EXPECT_EQ(stop->code, SHARED_RESOURCE_CONV_ERROR);
        EXPECT_EQ(stop->p[0], reinterpret_cast<ULONG_PTR>(&m_resource));
        EXPECT_EQ(stop->p[1], self);
        EXPECT_EQ(stop->p[2], 0u);
        EXPECT_EQ(stop->p[3], 0u);
    }
    ASSERT_TRUE(foreign);
    EXPECT_EQ(foreign->code, SHARED_RESOURCE_CONV_ERROR);
    EXPECT_EQ(foreign->p[0], reinterpret_cast<ULONG_PTR>(&m_resource));
    EXPECT_NE(other, self);
    EXPECT_EQ(foreign->p[1], other);
}

TEST_F(ResourceTest, many_shared_owners_use_a_pool_table_freed_on_delete) {
    constexpr int kReaders = 6;
    std::atomic<int> in{0};
    std::atomic<bool> out{false};
    std::vector<std::thread> readers;
    for (int i = 0; i < kReaders; ++i) {
        readers.emplace_back([&] {
            KeEnterCriticalRegion();
            ExAcquireResourceSharedLite(&m_resource, TRUE);
            in.fetch_add(1);
            while (!out) std::this_thread::yield();
            ExReleaseResourceLite(&m_resource);
            KeLeaveCriticalRegion();
        });
    }
    ASSERT_TRUE(eventually([&] { return in.load() == kReaders; }));
    EXPECT_EQ(m_resource.ActiveEntries, static_cast<ULONG>(kReaders));
    EXPECT_NE(m_resource.OwnerTable, nullptr);
    out = true;
    for (auto& t : readers) t.join();
    EXPECT_EQ(m_resource.ActiveEntries, 0u);
    EXPECT_EQ(ExDeleteResourceLite(&m_resource), STATUS_SUCCESS);
    EXPECT_EQ(ntio::ex::pool_usage(0x744f6552).blocks_outstanding(), 0u);
    ASSERT_EQ(ExInitializeResourceLite(&m_resource), STATUS_SUCCESS);
}

TEST_F(ResourceTest, critical_region_helpers_pair_up) {
    ExEnterCriticalRegionAndAcquireResourceExclusive(&m_resource);
    EXPECT_TRUE(KeAreApcsDisabled());
    EXPECT_TRUE(ExIsResourceAcquiredExclusiveLite(&m_resource));
    ExReleaseResourceAndLeaveCriticalRegion(&m_resource);
    EXPECT_FALSE(KeAreApcsDisabled());
    ExEnterCriticalRegionAndAcquireResourceShared(&m_resource);
    EXPECT_EQ(ExIsResourceAcquiredSharedLite(&m_resource), 1u);
    ExReleaseResourceAndLeaveCriticalRegion(&m_resource);
    EXPECT_EQ(m_resource.ActiveEntries, 0u);
}

}  // namespace
