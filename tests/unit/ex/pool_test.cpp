// Pool: ExAllocatePool2 flag rules, the older typed allocators, per-tag accounting and the
// BAD_POOL_CALLER checks on bad frees and bad IRQLs.

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

using ntio::ex::pool_usage;
using ntio::test::ex::stop_of;

namespace {

class PoolTest : public ntio::test::SystemTest {};

bool all_zero(const void* p, std::size_t n) {
    const auto* b = static_cast<const unsigned char*>(p);
    for (std::size_t i = 0; i < n; ++i) {
        if (b[i] != 0) return false;
    }
    return true;
}

TEST_F(PoolTest, allocate_pool2_zeroes_and_accounts_per_tag) {
    const ULONG tag = 'a2xE';
    const auto before = pool_usage(tag);
    void* p = ExAllocatePool2(POOL_FLAG_NON_PAGED, 100, tag);
    ASSERT_NE(p, nullptr);
    EXPECT_TRUE(all_zero(p, 100));
    EXPECT_EQ(reinterpret_cast<std::uintptr_t>(p) % MEMORY_ALLOCATION_ALIGNMENT, 0u);
    auto during = pool_usage(tag);
    EXPECT_EQ(during.allocations, before.allocations + 1);
    EXPECT_EQ(during.bytes_outstanding, before.bytes_outstanding + 100);
    ExFreePoolWithTag(p, tag);
    auto after = pool_usage(tag);
    EXPECT_EQ(after.frees, before.frees + 1);
    EXPECT_EQ(after.bytes_outstanding, before.bytes_outstanding);
}

TEST_F(PoolTest, allocate_pool2_rejects_tag_zero_and_invalid_flags) {
    EXPECT_EQ(ExAllocatePool2(POOL_FLAG_NON_PAGED, 16, 0), nullptr);
    EXPECT_EQ(ExAllocatePool2(0, 16, 'b2xE'), nullptr);  // no pool kind
    EXPECT_EQ(ExAllocatePool2(POOL_FLAG_NON_PAGED | POOL_FLAG_PAGED, 16, 'b2xE'), nullptr);
    EXPECT_EQ(ExAllocatePool2(POOL_FLAG_PAGED | POOL_FLAG_RESERVED1, 16, 'b2xE'), nullptr);
    // Unknown optional flags are ignored.
    void* p = ExAllocatePool2(POOL_FLAG_PAGED | POOL_FLAG_SPECIAL_POOL | (1ULL << 40), 16, 'b2xE');
    ASSERT_NE(p, nullptr);
    ExFreePool(p);
}

TEST_F(PoolTest, cache_aligned_blocks_are_cache_line_aligned) {
    void* a = ExAllocatePool2(POOL_FLAG_NON_PAGED | POOL_FLAG_CACHE_ALIGNED, 10, 'c2xE');
    void* b = ExAllocatePoolWithTag(NonPagedPoolCacheAligned, 10, 'c2xE');
    ASSERT_NE(a, nullptr);
    ASSERT_NE(b, nullptr);
    EXPECT_EQ(reinterpret_cast<std::uintptr_t>(a) % 64, 0u);
    EXPECT_EQ(reinterpret_cast<std::uintptr_t>(b) % 64, 0u);
    ExFreePoolWithTag(a, 'c2xE');
    ExFreePoolWithTag(b, 'c2xE');
}

// ExAllocatePoolWithTag on Microsoft Learn: a block of PAGE_SIZE or more is page-aligned.
TEST_F(PoolTest, blocks_of_a_page_or_more_are_page_aligned) {
    for (SIZE_T bytes : {SIZE_T{PAGE_SIZE}, SIZE_T{PAGE_SIZE + 1}, SIZE_T{3 * PAGE_SIZE}}) {
        void* p = ExAllocatePoolWithTag(NonPagedPoolNx, bytes, 'gPxE');
        ASSERT_NE(p, nullptr);
        EXPECT_EQ(reinterpret_cast<std::uintptr_t>(p) % PAGE_SIZE, 0u) << bytes;
        std::memset(p, 0xA5, bytes);
        ExFreePoolWithTag(p, 'gPxE');
    }
    void* small = ExAllocatePoolWithTag(NonPagedPoolNx, PAGE_SIZE - 64, 'gPxE');
    ASSERT_NE(small, nullptr);
    ExFreePoolWithTag(small, 'gPxE');
}

TEST_F(PoolTest, zero_byte_allocation_returns_distinct_valid_blocks) {
    void* a = ExAllocatePoolWithTag(NonPagedPoolNx, 0, 'z0xE');
    void* b = ExAllocatePool2(POOL_FLAG_PAGED, 0, 'z0xE');
    ASSERT_NE(a, nullptr);
    ASSERT_NE(b, nullptr);
    EXPECT_NE(a, b);
    ExFreePoolWithTag(a, 'z0xE');
    ExFreePoolWithTag(b, 'z0xE');
}

TEST_F(PoolTest, allocate_pool_macro_uses_the_none_tag) {
    const auto before = pool_usage('enoN');
    void* p = ExAllocatePool(PagedPool, 8);
    ASSERT_NE(p, nullptr);
    EXPECT_EQ(pool_usage('enoN').allocations, before.allocations + 1);
    ExFreePoolWithTag(p, 'enoN');
}

// NT fact S22
TEST_F(PoolTest, quota_zero_with_fail_instead_of_raise_and_driver_runtime_opt_in) {
    ExInitializeDriverRuntime(DrvRtPoolNxOptIn);
    auto* p = static_cast<unsigned char*>(ExAllocatePoolQuotaZero(
        static_cast<POOL_TYPE>(NonPagedPoolNx | POOL_QUOTA_FAIL_INSTEAD_OF_RAISE), 64, 'qQxE'));
    ASSERT_NE(p, nullptr);
    EXPECT_TRUE(all_zero(p, 64));
    BOOLEAN quota = FALSE;
    EXPECT_EQ(ExQueryPoolBlockSize(p, &quota), 64u);
    EXPECT_TRUE(quota);
    ExFreePoolWithTag(p, 'qQxE');
    // A request the host cannot satisfy fails quietly with the flag.
    EXPECT_EQ(ExAllocatePoolWithQuotaTag(static_cast<POOL_TYPE>(NonPagedPool | POOL_QUOTA_FAIL_INSTEAD_OF_RAISE),
                                         SIZE_MAX / 2 + 1, 'qQxE'),
              nullptr);
    EXPECT_EQ(ExAllocatePoolWithTag(NonPagedPool, SIZE_MAX / 2 + 1, 'qQxE'), nullptr);
}

TEST_F(PoolTest, zero_and_uninitialized_variants_and_free_pool2) {
    void* z = ExAllocatePoolZero(PagedPool, 48, 'vZxE');
    void* u = ExAllocatePoolUninitialized(NonPagedPoolNx, 48, 'vZxE');
    ASSERT_NE(z, nullptr);
    ASSERT_NE(u, nullptr);
    EXPECT_TRUE(all_zero(z, 48));
    BOOLEAN quota = TRUE;
    EXPECT_EQ(ExQueryPoolBlockSize(u, &quota), 48u);
    EXPECT_FALSE(quota);
    ExFreePool2(z, 'vZxE', nullptr, 0);
    ExFreePool2(u, 0, nullptr, 0);
    EXPECT_EQ(pool_usage('vZxE').blocks_outstanding(), 0u);
}

TEST_F(PoolTest, snapshot_separates_paged_and_nonpaged_rows) {
    void* a = ExAllocatePool2(POOL_FLAG_PAGED, 10, 'nSxE');
    void* b = ExAllocatePool2(POOL_FLAG_NON_PAGED, 20, 'nSxE');
    bool saw_paged = false, saw_nonpaged = false;
    for (const auto& row : ntio::ex::pool_snapshot()) {
        if (row.tag != 'nSxE') continue;
        if (row.paged) saw_paged = row.bytes_outstanding == 10;
        else saw_nonpaged = row.bytes_outstanding == 20;
    }
    EXPECT_TRUE(saw_paged);
    EXPECT_TRUE(saw_nonpaged);
    ExFreePool(a);
    ExFreePool(b);
}

TEST_F(PoolTest, allocate_with_tag_zero_bugchecks_0x9b) {
    auto stop = stop_of([] { (void)ExAllocatePoolWithTag(PagedPool, 24, 0); });
    ASSERT_TRUE(stop);
    EXPECT_EQ(stop->code, BAD_POOL_CALLER);
    EXPECT_EQ(stop->p[0], 0x9Bu);
    EXPECT_EQ(stop->p[1], static_cast<ULONG_PTR>(PagedPool));
    EXPECT_EQ(stop->p[2], 24u);
}

// Calls ExAllocatePoolWithTag from a known function, so that the caller's address the bugcheck
// reports can be checked to lie in it. The barrier keeps the call from becoming a tail jump.
[[gnu::noinline]] void* allocate_from_known_caller(POOL_TYPE type, ULONG tag) {
    void* p = ExAllocatePoolWithTag(type, 24, tag);
    asm volatile("" ::"r"(p) : "memory");
    return p;
}

bool returns_into(ULONG_PTR address, void* (*fn)(POOL_TYPE, ULONG)) {
    const auto start = reinterpret_cast<ULONG_PTR>(fn);
    return address > start && address < start + 4096;
}

// Bug check 0xC2 parameter 0x9D: "a tag that does not contain any letters or digits" (tag, pool
// type, caller's address),
// https://learn.microsoft.com/windows-hardware/drivers/debugger/bug-check-0xc2--bad-pool-caller
TEST_F(PoolTest, tag_without_a_letter_or_digit_bugchecks_0x9d) {
    const auto before = pool_usage('    ');
    for (ULONG tag : {ULONG{'    '}, ULONG{'-#!_'}, ULONG{'    '} | 0x80000000u /* protected: same rule */}) {
        auto stop = stop_of([tag] { (void)allocate_from_known_caller(NonPagedPoolNx, tag); });
        ASSERT_TRUE(stop) << std::hex << tag;
        EXPECT_EQ(stop->code, BAD_POOL_CALLER);
        EXPECT_EQ(stop->p[0], 0x9Du);
        EXPECT_EQ(stop->p[1], static_cast<ULONG_PTR>(tag));
        EXPECT_EQ(stop->p[2], static_cast<ULONG_PTR>(NonPagedPoolNx));
        EXPECT_TRUE(returns_into(stop->p[3], allocate_from_known_caller)) << std::hex << stop->p[3];
    }
    EXPECT_EQ(pool_usage('    ').allocations, before.allocations);  // nothing was allocated
    // One letter or digit anywhere in the tag is enough.
    for (ULONG tag : {ULONG{'   x'}, ULONG{'7   '}}) {
        void* p = allocate_from_known_caller(PagedPool, tag);
        ASSERT_NE(p, nullptr);
        ExFreePoolWithTag(p, tag);
    }
}

TEST_F(PoolTest, must_succeed_pool_bugchecks_0x9a) {
    auto stop = stop_of([] { (void)ExAllocatePoolWithTag(NonPagedPoolMustSucceed, 8, 'sMxE'); });
    ASSERT_TRUE(stop);
    EXPECT_EQ(stop->code, BAD_POOL_CALLER);
    EXPECT_EQ(stop->p[0], 0x9Au);
    EXPECT_EQ(stop->p[3], static_cast<ULONG_PTR>('sMxE'));
}

TEST_F(PoolTest, free_with_wrong_tag_bugchecks_0x0a) {
    void* p = ExAllocatePoolWithTag(NonPagedPoolNx, 32, 'gTxE');
    auto stop = stop_of([p] { ExFreePoolWithTag(p, 'XXXX'); });
    ASSERT_TRUE(stop);
    EXPECT_EQ(stop->code, BAD_POOL_CALLER);
    EXPECT_EQ(stop->p[0], 0x0Au);
    EXPECT_EQ(stop->p[1], reinterpret_cast<ULONG_PTR>(p));
    EXPECT_EQ(stop->p[2], static_cast<ULONG_PTR>('gTxE'));
    EXPECT_EQ(stop->p[3], static_cast<ULONG_PTR>('XXXX'));
    ExFreePoolWithTag(p, 'gTxE');  // the block is still live after the failed free
}

TEST_F(PoolTest, double_free_bugchecks_0x07) {
    void* p = ExAllocatePoolWithTag(NonPagedPoolNx, 32, 'fDxE');
    ExFreePoolWithTag(p, 'fDxE');
    auto stop = stop_of([p] { ExFreePoolWithTag(p, 'fDxE'); });
    ASSERT_TRUE(stop);
    EXPECT_EQ(stop->code, BAD_POOL_CALLER);
    EXPECT_EQ(stop->p[0], 0x07u);
    EXPECT_EQ(stop->p[3], reinterpret_cast<ULONG_PTR>(p));
}

TEST_F(PoolTest, foreign_and_misaligned_pointers_bugcheck) {
    alignas(64) static unsigned char not_pool[128];
    void* foreign = not_pool + 64;
    auto stop = stop_of([foreign] { ExFreePool(foreign); });
    ASSERT_TRUE(stop);
    EXPECT_EQ(stop->code, BAD_POOL_CALLER);
    EXPECT_EQ(stop->p[0], 0x99u);
    EXPECT_EQ(stop->p[1], reinterpret_cast<ULONG_PTR>(foreign));

    auto misaligned = stop_of([] { ExFreePool(not_pool + 3); });
    ASSERT_TRUE(misaligned);
    EXPECT_EQ(misaligned->p[0], 0x46u);
    auto null_free = stop_of([] { ExFreePool(nullptr); });
    ASSERT_TRUE(null_free);
    EXPECT_EQ(null_free->code, BAD_POOL_CALLER);
}

TEST_F(PoolTest, paged_pool_above_apc_level_bugchecks_0x08_and_0x09) {
    void* paged = ExAllocatePoolWithTag(PagedPool, 16, 'lQxE');
    KIRQL old;
    KeRaiseIrql(DISPATCH_LEVEL, &old);
    void* nonpaged = ExAllocatePoolWithTag(NonPagedPoolNx, 16, 'lQxE');  // fine at DISPATCH_LEVEL
    EXPECT_NE(nonpaged, nullptr);
    auto alloc = stop_of([] { (void)ExAllocatePoolWithTag(PagedPool, 16, 'lQxE'); });
    auto free = stop_of([paged] { ExFreePoolWithTag(paged, 'lQxE'); });
    ExFreePoolWithTag(nonpaged, 'lQxE');
    KeLowerIrql(old);
    ASSERT_TRUE(alloc);
    EXPECT_EQ(alloc->code, BAD_POOL_CALLER);
    EXPECT_EQ(alloc->p[0], 0x08u);
    EXPECT_EQ(alloc->p[1], static_cast<ULONG_PTR>(DISPATCH_LEVEL));
    EXPECT_EQ(alloc->p[2], static_cast<ULONG_PTR>(PagedPool));
    EXPECT_EQ(alloc->p[3], 16u);
    ASSERT_TRUE(free);
    EXPECT_EQ(free->p[0], 0x09u);
    EXPECT_EQ(free->p[3], reinterpret_cast<ULONG_PTR>(paged));
    ExFreePoolWithTag(paged, 'lQxE');
}

}  // namespace
