// Quota-charged pool allocated and freed concurrently from several threads, some in the charged
// process and some in another, against a limit small enough to be reached.
//
// Invariant: the usage never passes the limit (the peak stays within it), every allocation either
// succeeds and is charged or fails and is not, and once every block is freed, wherever it was freed,
// the process's usage is zero again.
#include <gtest/gtest.h>

#include <array>
#include <atomic>
#include <thread>
#include <vector>

#include <ntifs.h>

#include "ob/object_manager.hpp"
#include "support/system_fixture.hpp"

namespace pool_quota_race_test {

constexpr ULONG kTag = 'rQsP';
constexpr SIZE_T kBlock = 64;
constexpr SIZE_T kLimit = 6 * kBlock;
constexpr int kThreads = 4;
constexpr int kIterations = 3000;

class PoolQuotaRaceTest : public ntio::test::SystemTest {};

TEST_F(PoolQuotaRaceTest, ChargesNeverPassTheLimitAndAllComeBack) {
    PEPROCESS target = nullptr;
    ASSERT_EQ(system().objects().create_process(nullptr, u"quota-race", &target), STATUS_SUCCESS);
    {
        KAPC_STATE apc;
        KeStackAttachProcess(target, &apc);
        QUOTA_LIMITS q{};
        q.PagedPoolLimit = kLimit;
        q.NonPagedPoolLimit = kLimit;
        EXPECT_EQ(ZwSetInformationProcess(NtCurrentProcess(), ProcessQuotaLimits, &q, sizeof q), STATUS_SUCCESS);
        KeUnstackDetachProcess(&apc);
    }
    // Blocks handed from the allocating threads to the freeing ones, which run in the initial process.
    std::array<std::atomic<void*>, 8> handoff{};
    std::atomic<int> allocators_done{0};
    std::atomic<long> failures{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back([&, t] {
            KAPC_STATE apc;
            KeStackAttachProcess(target, &apc);
            const POOL_TYPE type =
                static_cast<POOL_TYPE>((t % 2 ? PagedPool : NonPagedPool) | POOL_QUOTA_FAIL_INSTEAD_OF_RAISE);
            for (int i = 0; i < kIterations; ++i) {
                void* p = ExAllocatePoolWithQuotaTag(type, kBlock, kTag);
                if (!p) {
                    failures.fetch_add(1, std::memory_order_relaxed);
                    continue;
                }
                if (i % 2 == 0) {
                    ExFreePoolWithTag(p, kTag);  // in the charged process
                    continue;
                }
                std::atomic<void*>& slot = handoff[(t + i) % handoff.size()];
                void* expected = nullptr;
                if (!slot.compare_exchange_strong(expected, p)) ExFreePoolWithTag(p, kTag);
            }
            KeUnstackDetachProcess(&apc);
            allocators_done.fetch_add(1);
        });
    }
    threads.emplace_back([&] {  // frees handed-off blocks in the initial process's context
        for (;;) {
            const bool last_round = allocators_done.load() == kThreads;
            for (auto& slot : handoff)
                if (void* p = slot.exchange(nullptr)) ExFreePoolWithTag(p, kTag);
            if (last_round) break;
            std::this_thread::yield();
        }
    });
    for (auto& th : threads) th.join();
    HANDLE h = nullptr;
    ASSERT_EQ(ObOpenObjectByPointer(target, OBJ_KERNEL_HANDLE, nullptr, PROCESS_QUERY_LIMITED_INFORMATION,
                                    *PsProcessType, KernelMode, &h),
              STATUS_SUCCESS);
    VM_COUNTERS c{};
    EXPECT_EQ(ZwQueryInformationProcess(h, ProcessVmCounters, &c, sizeof c, nullptr), STATUS_SUCCESS);
    EXPECT_EQ(ZwClose(h), STATUS_SUCCESS);
    EXPECT_EQ(c.QuotaPagedPoolUsage, 0u);
    EXPECT_EQ(c.QuotaNonPagedPoolUsage, 0u);
    EXPECT_LE(c.QuotaPeakPagedPoolUsage, kLimit);
    EXPECT_LE(c.QuotaPeakNonPagedPoolUsage, kLimit);
    EXPECT_LE(failures.load(), long{kThreads} * kIterations);
    system().objects().terminate_process(target, STATUS_SUCCESS);
    ObDereferenceObject(target);
}

}  // namespace pool_quota_race_test
