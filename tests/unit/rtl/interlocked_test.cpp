// Interlocked family: return-value contracts and atomicity under two threads.
#include <gtest/gtest.h>

#include <thread>

#include <wdm.h>

namespace {

TEST(Interlocked, ReturnValues32) {
    volatile LONG v = 5;
    EXPECT_EQ(InterlockedIncrement(&v), 6);
    EXPECT_EQ(InterlockedDecrement(&v), 5);
    EXPECT_EQ(InterlockedExchange(&v, 10), 5);
    EXPECT_EQ(InterlockedExchangeAdd(&v, 3), 10);
    EXPECT_EQ(v, 13);
    EXPECT_EQ(InterlockedAdd(&v, 2), 15);
    EXPECT_EQ(InterlockedCompareExchange(&v, 99, 14), 15);  // no match: unchanged
    EXPECT_EQ(v, 15);
    EXPECT_EQ(InterlockedCompareExchange(&v, 99, 15), 15);
    EXPECT_EQ(v, 99);
    v = 0xF0;
    EXPECT_EQ(InterlockedAnd(&v, 0x3C), 0xF0);
    EXPECT_EQ(v, 0x30);
    EXPECT_EQ(InterlockedOr(&v, 0x03), 0x30);
    EXPECT_EQ(InterlockedXor(&v, 0x33), 0x33);
    EXPECT_EQ(v, 0);
    EXPECT_FALSE(InterlockedBitTestAndSet(&v, 4));
    EXPECT_TRUE(InterlockedBitTestAndSet(&v, 4));
    EXPECT_TRUE(InterlockedBitTestAndReset(&v, 4));
    EXPECT_EQ(v, 0);
}

TEST(Interlocked, ReturnValues64AndPointers) {
    volatile LONG64 v = 1LL << 40;
    EXPECT_EQ(InterlockedIncrement64(&v), (1LL << 40) + 1);
    EXPECT_EQ(InterlockedDecrement64(&v), 1LL << 40);
    EXPECT_EQ(InterlockedExchangeAdd64(&v, 5), 1LL << 40);
    EXPECT_EQ(InterlockedCompareExchange64(&v, 7, (1LL << 40) + 5), (1LL << 40) + 5);
    EXPECT_EQ(InterlockedExchange64(&v, 9), 7);
    EXPECT_EQ(InterlockedOr64(&v, 1LL << 50), 9);
    EXPECT_EQ(InterlockedAnd64(&v, 1LL << 50), (1LL << 50) | 9);
    int a = 0, b = 0;
    PVOID p = &a;
    EXPECT_EQ(InterlockedExchangePointer(&p, &b), &a);
    EXPECT_EQ(InterlockedCompareExchangePointer(&p, &a, &a), &b);  // no match
    EXPECT_EQ(InterlockedCompareExchangePointer(&p, &a, &b), &b);
    EXPECT_EQ(p, &a);
    volatile LONG r = 0;
    WriteRelease(&r, 4);
    EXPECT_EQ(ReadAcquire(&r), 4);
    PVOID q = nullptr;
    WritePointerRelease(&q, &a);
    EXPECT_EQ(ReadPointerAcquire(&q), &a);
    KeMemoryBarrier();
    MemoryBarrier();
    _ReadWriteBarrier();
    YieldProcessor();
}

// Invariant: two threads each adding 1 a fixed number of times end at exactly the sum.
TEST(Interlocked, IncrementIsAtomicAcrossThreads) {
    volatile LONG counter = 0;
    volatile LONG64 counter64 = 0;
    constexpr int kIterations = 100000;
    auto work = [&] {
        for (int i = 0; i < kIterations; ++i) {
            InterlockedIncrement(&counter);
            InterlockedExchangeAdd64(&counter64, 2);
        }
    };
    std::thread t1(work), t2(work);
    t1.join();
    t2.join();
    EXPECT_EQ(counter, 2 * kIterations);
    EXPECT_EQ(counter64, 4LL * kIterations);
}

}  // namespace
