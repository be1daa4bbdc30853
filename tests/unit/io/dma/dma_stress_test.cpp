// Stress for the adapter channel and map registers: threads, one device each, request the channel
// and bounced scatter/gather lists of one 32-bit adapter concurrently. Routines may run on any
// requester's thread (whoever frees the resource serves the next waiter).
#include <atomic>
#include <thread>
#include <vector>

#include "dma_test_driver.hpp"

namespace dma_stress_test {
using namespace dma_test;

struct Shared {
    std::atomic<int> inside{0};     // channel routines running now
    std::atomic<bool> overlap{false};
    std::atomic<long> channel_calls{0};
};

struct Request {
    Shared* shared;
    std::atomic<bool> ran{false};
};

DRIVER_CONTROL exclusive_control;
IO_ALLOCATION_ACTION NTAPI exclusive_control(PDEVICE_OBJECT, PIRP, PVOID, PVOID Context) {
    auto* request = static_cast<Request*>(Context);
    if (request->shared->inside.fetch_add(1) != 0) request->shared->overlap = true;
    request->shared->channel_calls.fetch_add(1);
    request->shared->inside.fetch_sub(1);
    request->ran.store(true, std::memory_order_release);
    return DeallocateObject;
}

struct ListCheck {
    DmaBuffer* buffer;
    std::atomic<bool> ran{false};
    std::atomic<bool> mismatch{false};
    PSCATTER_GATHER_LIST list = nullptr;
};

DRIVER_LIST_CONTROL checking_list_control;
VOID NTAPI checking_list_control(PDEVICE_OBJECT, PIRP, PSCATTER_GATHER_LIST ScatterGather, PVOID Context) {
    auto* check = static_cast<ListCheck*>(Context);
    SimulatedDevice device(check->buffer->length);
    device.dma_from_host(ScatterGather);
    if (std::memcmp(device.memory.data(), check->buffer->data, check->buffer->length) != 0) check->mismatch = true;
    check->list = ScatterGather;
    check->ran.store(true, std::memory_order_release);
}

// Invariants: channel routines never overlap; every request's routine runs exactly once; every
// bounced list carries exactly its own buffer's bytes (no two lists share map registers).
TEST_F(DmaTest, ChannelAndRegistersUnderConcurrentRequesters) {
    PDMA_ADAPTER adapter = start(0, bus_master(false, 3 * PAGE_SIZE));  // 4 registers
    ASSERT_NE(adapter, nullptr);
    Shared shared;
    constexpr int kIterations = 2000;
    std::atomic<bool> list_mismatch{false};
    std::vector<std::thread> threads;
    for (ULONG t = 0; t < kDevices; ++t) {
        threads.emplace_back([&, t] {
            DmaBuffer buffer(0x100 * (t + 1), PAGE_SIZE + 0x100);  // 2 registers per list
            for (int i = 0; i < kIterations; ++i) {
                Request request{&shared};
                {
                    AtDispatch dispatch;
                    EXPECT_EQ(adapter->DmaOperations->AllocateAdapterChannel(adapter, g_devices[t], 1,
                                                                              exclusive_control, &request),
                              STATUS_SUCCESS);
                }
                while (!request.ran.load(std::memory_order_acquire)) std::this_thread::yield();

                buffer.fill(static_cast<UCHAR>(t * 31 + i));
                ListCheck check{&buffer};
                {
                    AtDispatch dispatch;
                    EXPECT_EQ(adapter->DmaOperations->GetScatterGatherList(adapter, g_devices[t], buffer.mdl,
                                                                            buffer.data, buffer.length,
                                                                            checking_list_control, &check, TRUE),
                              STATUS_SUCCESS);
                }
                while (!check.ran.load(std::memory_order_acquire)) std::this_thread::yield();
                if (check.mismatch) list_mismatch = true;
                AtDispatch dispatch;
                adapter->DmaOperations->PutScatterGatherList(adapter, check.list, TRUE);
            }
        });
    }
    for (auto& th : threads) th.join();
    EXPECT_FALSE(shared.overlap.load());
    EXPECT_FALSE(list_mismatch.load());
    EXPECT_EQ(shared.channel_calls.load(), static_cast<long>(kDevices) * kIterations);
}

}  // namespace dma_stress_test
