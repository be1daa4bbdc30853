// kernel32's heaps: the process heap and private heaps (growable, or fixed at dwMaximumSize),
// HeapAlloc with HEAP_ZERO_MEMORY, HeapSize giving the size asked for, HeapReAlloc in place and
// moving (HEAP_REALLOC_IN_PLACE_ONLY refusing to move), HEAP_GENERATE_EXCEPTIONS, and bad blocks and
// heaps refused without damage.
#include <cstring>

#include "win32_test_support.hpp"

#include <wdm.h>

namespace ntio::test {
namespace {

TEST_F(Win32Test, the_process_heap_allocates_sizes_and_frees) {
    HANDLE heap = GetProcessHeap();
    ASSERT_NE(heap, nullptr);
    EXPECT_EQ(GetProcessHeap(), heap);
    auto* p = static_cast<unsigned char*>(HeapAlloc(heap, HEAP_ZERO_MEMORY, 1000));
    ASSERT_NE(p, nullptr);
    EXPECT_EQ(reinterpret_cast<ULONG_PTR>(p) % MEMORY_ALLOCATION_ALIGNMENT, 0u);
    for (int i = 0; i < 1000; ++i) ASSERT_EQ(p[i], 0) << i;
    EXPECT_EQ(HeapSize(heap, 0, p), SIZE_T(1000));
    std::memset(p, 0xAB, 1000);
    EXPECT_TRUE(HeapFree(heap, 0, p));
    // Freed already: refused, the heap intact.
    EXPECT_FALSE(HeapFree(heap, 0, p));
    EXPECT_EQ(GetLastError(), DWORD(ERROR_INVALID_PARAMETER));
    EXPECT_EQ(HeapSize(heap, 0, p), static_cast<SIZE_T>(-1));
    EXPECT_TRUE(HeapFree(heap, 0, nullptr));
    void* q = HeapAlloc(heap, 0, 0);
    ASSERT_NE(q, nullptr);
    EXPECT_EQ(HeapSize(heap, 0, q), SIZE_T(0));
    EXPECT_TRUE(HeapFree(heap, 0, q));
    // The process heap is not destroyed.
    EXPECT_FALSE(HeapDestroy(heap));
    EXPECT_NE(HeapAlloc(heap, 0, 8), nullptr);
}

TEST_F(Win32Test, heap_realloc_keeps_the_contents_grows_in_place_or_moves) {
    HANDLE heap = HeapCreate(0, 0, 0);
    ASSERT_NE(heap, nullptr) << GetLastError();
    auto* a = static_cast<unsigned char*>(HeapAlloc(heap, 0, 100));
    ASSERT_NE(a, nullptr);
    for (int i = 0; i < 100; ++i) a[i] = static_cast<unsigned char>(i);
    // Shrinking stays in place.
    auto* b = static_cast<unsigned char*>(HeapReAlloc(heap, 0, a, 40));
    EXPECT_EQ(b, a);
    EXPECT_EQ(HeapSize(heap, 0, b), SIZE_T(40));
    // A block right after it keeps it from growing in place.
    void* wall = HeapAlloc(heap, 0, 64);
    ASSERT_NE(wall, nullptr);
    EXPECT_EQ(HeapReAlloc(heap, HEAP_REALLOC_IN_PLACE_ONLY, b, 4000), nullptr);
    EXPECT_EQ(HeapSize(heap, 0, b), SIZE_T(40));
    auto* c = static_cast<unsigned char*>(HeapReAlloc(heap, HEAP_ZERO_MEMORY, b, 4000));
    ASSERT_NE(c, nullptr);
    EXPECT_NE(c, b);
    for (int i = 0; i < 40; ++i) EXPECT_EQ(c[i], i);
    for (int i = 40; i < 4000; ++i) ASSERT_EQ(c[i], 0) << i;
    EXPECT_EQ(HeapSize(heap, 0, c), SIZE_T(4000));
    EXPECT_EQ(HeapSize(heap, 0, b), static_cast<SIZE_T>(-1));  // the old block went back
    // With the space after it free, a block grows where it is.
    EXPECT_TRUE(HeapFree(heap, 0, wall));
    auto* d = static_cast<unsigned char*>(HeapAlloc(heap, 0, 64));
    ASSERT_NE(d, nullptr);
    auto* after = static_cast<unsigned char*>(HeapAlloc(heap, 0, 64));
    ASSERT_NE(after, nullptr);
    EXPECT_TRUE(HeapFree(heap, 0, after));
    std::memset(d, 0x5A, 64);
    auto* e = static_cast<unsigned char*>(HeapReAlloc(heap, HEAP_REALLOC_IN_PLACE_ONLY, d, 100));
    if (after > d) {
        EXPECT_EQ(e, d);  // the freed neighbour made room
    }
    if (e) {
        for (int i = 0; i < 64; ++i) EXPECT_EQ(e[i], 0x5A);
        EXPECT_EQ(HeapSize(heap, 0, e), SIZE_T(100));
    }
    EXPECT_TRUE(HeapDestroy(heap));
    EXPECT_FALSE(HeapDestroy(heap));
    EXPECT_EQ(GetLastError(), DWORD(ERROR_INVALID_HANDLE));
    EXPECT_EQ(HeapAlloc(heap, 0, 16), nullptr);
}

TEST_F(Win32Test, a_fixed_heap_runs_out_and_can_raise) {
    HANDLE heap = HeapCreate(0, 4096, 64 * 1024);
    ASSERT_NE(heap, nullptr) << GetLastError();
    std::vector<void*> blocks;
    for (int i = 0; i < 100; ++i) {
        void* p = HeapAlloc(heap, 0, 4096);
        if (!p) break;
        blocks.push_back(p);
    }
    EXPECT_GT(blocks.size(), 0u);
    EXPECT_LT(blocks.size(), 16u);  // 64 KiB hold fewer than sixteen 4 KiB blocks with their headers
    EXPECT_EQ(HeapAlloc(heap, 0, 4096), nullptr);
    NTSTATUS raised = STATUS_SUCCESS;
    __try {
        (void)HeapAlloc(heap, HEAP_GENERATE_EXCEPTIONS, 4096);
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        raised = GetExceptionCode();
    }
    EXPECT_EQ(raised, STATUS_NO_MEMORY);
    for (void* p : blocks) EXPECT_TRUE(HeapFree(heap, 0, p));
    EXPECT_NE(HeapAlloc(heap, 0, 4096), nullptr);
    EXPECT_TRUE(HeapDestroy(heap));
    // An initial size above the maximum is refused.
    EXPECT_EQ(HeapCreate(0, 8192, 4096), nullptr);
    EXPECT_EQ(GetLastError(), DWORD(ERROR_INVALID_PARAMETER));
}

}  // namespace
}  // namespace ntio::test
