// The Rtl heap through the ntifs surface: blocks are aligned, distinct and reusable; HEAP_ZERO_MEMORY
// zeroes; a heap over the caller's block stays inside it and runs out there; a growable heap grows;
// bad handles and foreign or freed blocks are refused; HEAP_GENERATE_EXCEPTIONS raises.
// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-rtlcreateheap
// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-rtlallocateheap
#include <cstdint>
#include <cstring>
#include <vector>

#include <gtest/gtest.h>

#include <ntifs.h>

#include "support/system_fixture.hpp"

namespace rtl_heap_test {

class RtlHeapTest : public ntio::test::SystemTest {};

bool aligned16(const void* p) { return (reinterpret_cast<std::uintptr_t>(p) & 15) == 0; }

TEST_F(RtlHeapTest, growable_heap_hands_out_aligned_distinct_blocks_and_grows) {
    PVOID heap = RtlCreateHeap(HEAP_GROWABLE, nullptr, 0, 0, nullptr, nullptr);
    ASSERT_NE(heap, nullptr);
    std::vector<unsigned char*> blocks;
    for (int i = 0; i < 200; ++i) {  // 200 * 4000 bytes: far past the initial 64 pages
        auto* p = static_cast<unsigned char*>(RtlAllocateHeap(heap, 0, 4000));
        ASSERT_NE(p, nullptr) << i;
        EXPECT_TRUE(aligned16(p));
        std::memset(p, i & 0xff, 4000);
        blocks.push_back(p);
    }
    for (int i = 0; i < 200; ++i) {
        EXPECT_EQ(blocks[i][0], i & 0xff);
        EXPECT_EQ(blocks[i][3999], i & 0xff);
    }
    void* big = RtlAllocateHeap(heap, 0, 3 * 1024 * 1024);  // larger than any segment so far
    ASSERT_NE(big, nullptr);
    EXPECT_TRUE(RtlFreeHeap(heap, 0, big));
    for (unsigned char* p : blocks) EXPECT_TRUE(RtlFreeHeap(heap, 0, p));
    EXPECT_EQ(RtlDestroyHeap(heap), nullptr);
}

TEST_F(RtlHeapTest, zero_memory_zeroes_a_reused_block) {
    PVOID heap = RtlCreateHeap(HEAP_GROWABLE, nullptr, 0, 0, nullptr, nullptr);
    ASSERT_NE(heap, nullptr);
    auto* p = static_cast<unsigned char*>(RtlAllocateHeap(heap, 0, 256));
    ASSERT_NE(p, nullptr);
    std::memset(p, 0xab, 256);
    ASSERT_TRUE(RtlFreeHeap(heap, 0, p));
    auto* q = static_cast<unsigned char*>(RtlAllocateHeap(heap, HEAP_ZERO_MEMORY, 256));
    ASSERT_NE(q, nullptr);
    for (int i = 0; i < 256; ++i) ASSERT_EQ(q[i], 0) << i;
    EXPECT_TRUE(RtlFreeHeap(heap, 0, q));
    EXPECT_EQ(RtlDestroyHeap(heap), nullptr);
}

TEST_F(RtlHeapTest, heap_over_the_callers_block_stays_inside_it_and_coalesces) {
    alignas(16) static unsigned char block[16 * 1024];
    PVOID heap = RtlCreateHeap(0, block, sizeof block, 0, nullptr, nullptr);
    ASSERT_EQ(heap, static_cast<PVOID>(block));
    std::vector<void*> got;
    for (;;) {
        void* p = RtlAllocateHeap(heap, 0, 1000);
        if (!p) break;
        EXPECT_GE(static_cast<unsigned char*>(p), block);
        EXPECT_LE(static_cast<unsigned char*>(p) + 1000, block + sizeof block);
        got.push_back(p);
    }
    ASSERT_GE(got.size(), 10u);
    EXPECT_LT(got.size(), 17u);
    // Everything freed coalesces back into one block big enough for most of the region.
    for (void* p : got) EXPECT_TRUE(RtlFreeHeap(heap, 0, p));
    void* large = RtlAllocateHeap(heap, 0, sizeof block / 2 + 2000);
    EXPECT_NE(large, nullptr);
    EXPECT_TRUE(RtlFreeHeap(heap, 0, large));
    EXPECT_EQ(RtlDestroyHeap(heap), nullptr);
}

TEST_F(RtlHeapTest, non_growable_heap_runs_out_and_generate_exceptions_raises_no_memory) {
    PVOID heap = RtlCreateHeap(HEAP_GENERATE_EXCEPTIONS, nullptr, 8 * PAGE_SIZE, 0, nullptr, nullptr);
    ASSERT_NE(heap, nullptr);
    NTSTATUS raised = STATUS_SUCCESS;
    __try {
        (void)RtlAllocateHeap(heap, 0, 64 * PAGE_SIZE);
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        raised = GetExceptionCode();
    }
    EXPECT_EQ(raised, STATUS_NO_MEMORY);
    EXPECT_EQ(RtlDestroyHeap(heap), nullptr);

    PVOID quiet = RtlCreateHeap(0, nullptr, 8 * PAGE_SIZE, 0, nullptr, nullptr);
    ASSERT_NE(quiet, nullptr);
    EXPECT_EQ(RtlAllocateHeap(quiet, 0, 64 * PAGE_SIZE), nullptr);
    EXPECT_NE(RtlAllocateHeap(quiet, 0, PAGE_SIZE), nullptr);
    EXPECT_EQ(RtlDestroyHeap(quiet), nullptr);
}

TEST_F(RtlHeapTest, bad_handles_and_foreign_or_freed_blocks_are_refused) {
    alignas(16) static unsigned char not_a_heap[256];
    EXPECT_EQ(RtlAllocateHeap(not_a_heap, 0, 16), nullptr);
    EXPECT_FALSE(RtlFreeHeap(not_a_heap, 0, not_a_heap + 16));
    EXPECT_EQ(RtlDestroyHeap(not_a_heap), static_cast<PVOID>(not_a_heap));
    NTSTATUS raised = STATUS_SUCCESS;
    __try {
        (void)RtlAllocateHeap(not_a_heap, HEAP_GENERATE_EXCEPTIONS, 16);
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        raised = GetExceptionCode();
    }
    EXPECT_EQ(raised, STATUS_ACCESS_VIOLATION);

    PVOID heap = RtlCreateHeap(HEAP_GROWABLE, nullptr, 0, 0, nullptr, nullptr);
    PVOID other = RtlCreateHeap(HEAP_GROWABLE, nullptr, 0, 0, nullptr, nullptr);
    ASSERT_NE(heap, nullptr);
    ASSERT_NE(other, nullptr);
    auto* p = static_cast<unsigned char*>(RtlAllocateHeap(heap, 0, 100));
    ASSERT_NE(p, nullptr);
    EXPECT_FALSE(RtlFreeHeap(other, 0, p));      // another heap's block
    EXPECT_FALSE(RtlFreeHeap(heap, 0, p + 16));  // inside a block
    EXPECT_TRUE(RtlFreeHeap(heap, 0, nullptr));
    EXPECT_TRUE(RtlFreeHeap(heap, 0, p));
    EXPECT_FALSE(RtlFreeHeap(heap, 0, p));  // freed already
    EXPECT_EQ(RtlDestroyHeap(heap), nullptr);
    EXPECT_EQ(RtlDestroyHeap(heap), heap);  // gone
    EXPECT_EQ(RtlAllocateHeap(heap, 0, 16), nullptr);
    EXPECT_EQ(RtlDestroyHeap(other), nullptr);
}

TEST_F(RtlHeapTest, creation_refuses_what_cannot_work) {
    alignas(16) static unsigned char tiny[64];
    EXPECT_EQ(RtlCreateHeap(0, tiny, sizeof tiny, 0, nullptr, nullptr), nullptr);
    alignas(16) static unsigned char region[8192];
    EXPECT_EQ(RtlCreateHeap(0, region + 8, 4096, 0, nullptr, nullptr), nullptr);  // misaligned
    ERESOURCE lock;
    ASSERT_EQ(ExInitializeResourceLite(&lock), STATUS_SUCCESS);
    EXPECT_EQ(RtlCreateHeap(HEAP_GROWABLE | HEAP_NO_SERIALIZE, nullptr, 0, 0, &lock, nullptr), nullptr);
    PVOID heap = RtlCreateHeap(HEAP_GROWABLE, nullptr, 0, 0, &lock, nullptr);
    ASSERT_NE(heap, nullptr);
    void* p = RtlAllocateHeap(heap, 0, 32);
    EXPECT_NE(p, nullptr);
    EXPECT_TRUE(RtlFreeHeap(heap, 0, p));
    EXPECT_EQ(RtlDestroyHeap(heap), nullptr);
    EXPECT_EQ(ExDeleteResourceLite(&lock), STATUS_SUCCESS);  // still the caller's
}

}  // namespace rtl_heap_test
