// The Rtl heap under contention from several threads on one serialized heap.
#include <atomic>
#include <cstring>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include <ntifs.h>

#include "support/system_fixture.hpp"

namespace rtl_heap_stress_test {

class RtlHeapStress : public ntio::test::SystemTest {};

// Invariant: a serialized heap hands each block to one thread only. Every thread fills its blocks
// with its own byte and checks them before freeing: a block given twice would show another byte.
TEST_F(RtlHeapStress, serialized_heap_never_hands_a_block_to_two_threads) {
    PVOID heap = RtlCreateHeap(HEAP_GROWABLE, nullptr, 0, 0, nullptr, nullptr);
    ASSERT_NE(heap, nullptr);
    std::atomic<int> mismatches{0}, failures{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t)
        threads.emplace_back([&, t] {
            std::vector<unsigned char*> mine;
            for (int r = 0; r < 2000; ++r) {
                const SIZE_T size = 16 + static_cast<SIZE_T>((r * 37 + t * 11) % 700);
                auto* p = static_cast<unsigned char*>(RtlAllocateHeap(heap, 0, size));
                if (!p) {
                    failures.fetch_add(1);
                    continue;
                }
                std::memset(p, t + 1, size);
                p[0] = static_cast<unsigned char>(t + 1);
                mine.push_back(p);
                if (mine.size() > 8) {
                    unsigned char* old = mine.front();
                    mine.erase(mine.begin());
                    if (old[0] != t + 1 || old[15] != t + 1) mismatches.fetch_add(1);
                    if (!RtlFreeHeap(heap, 0, old)) failures.fetch_add(1);
                }
            }
            for (unsigned char* p : mine) {
                if (p[0] != t + 1) mismatches.fetch_add(1);
                if (!RtlFreeHeap(heap, 0, p)) failures.fetch_add(1);
            }
        });
    for (std::thread& th : threads) th.join();
    EXPECT_EQ(mismatches.load(), 0);
    EXPECT_EQ(failures.load(), 0);
    EXPECT_EQ(RtlDestroyHeap(heap), nullptr);
}

}  // namespace rtl_heap_stress_test
