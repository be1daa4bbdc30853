// Races on device stacks and deferred unload.
#include <atomic>
#include <thread>
#include <vector>

#include <wdm.h>

#include "io/driver_object.hpp"
#include "unit/io/devices/devices_test_support.hpp"

namespace ntio::io::test {
namespace {

using DevicesStressTest = DevicesTest;

TEST_F(DevicesStressTest, ReadersSeeAWholeStackWhileFiltersAttachAndDetach) {
    // Invariant: IoGetAttachedDevice / IoGetAttachedDeviceReference on the base always return a
    // device that is in the stack at some instant (base, first or second filter), never a torn link,
    // and references taken by readers balance (the leak check).
    PDRIVER_OBJECT a = load(u"DevStressA");
    PDRIVER_OBJECT b = load(u"DevStressB");
    PDEVICE_OBJECT base = create(a);
    PDEVICE_OBJECT f1 = create(b);
    PDEVICE_OBJECT f2 = create(b);
    ASSERT_TRUE(base && f1 && f2);
    std::atomic<bool> done{false};
    std::atomic<int> bad{0};
    auto reader = [&] {
        while (!done.load(std::memory_order_acquire)) {
            PDEVICE_OBJECT top = IoGetAttachedDevice(base);
            if (top != base && top != f1 && top != f2) bad.fetch_add(1);
            PDEVICE_OBJECT ref = IoGetAttachedDeviceReference(base);
            if (ref != base && ref != f1 && ref != f2) bad.fetch_add(1);
            ObDereferenceObject(ref);
        }
    };
    std::thread r1(reader), r2(reader);
    for (int i = 0; i < 3000; ++i) {
        if (IoAttachDeviceToDeviceStack(f1, base) != base) bad.fetch_add(1);
        if (IoAttachDeviceToDeviceStack(f2, base) != f1) bad.fetch_add(1);
        IoDetachDevice(f1);
        IoDetachDevice(base);
    }
    done.store(true, std::memory_order_release);
    r1.join();
    r2.join();
    EXPECT_EQ(bad.load(), 0);
    EXPECT_EQ(f2->StackSize, 3);
    unload(b);
    unload(a);
}

std::atomic<int> g_unload_calls{0};

VOID NTAPI counting_unload(PDRIVER_OBJECT driver) {
    g_unload_calls.fetch_add(1);
    delete_all_devices_unload(driver);
}

NTSTATUS NTAPI counting_entry(PDRIVER_OBJECT driver, PUNICODE_STRING) {
    driver->DriverUnload = counting_unload;
    return STATUS_SUCCESS;
}

TEST_F(DevicesStressTest, DeferredDriverUnloadRunsExactlyOnceWhenOpensCloseConcurrently) {
    // Invariant: whatever the interleaving of the unload request and the last closes, DriverUnload
    // runs exactly once, and only after the last open closed.
    constexpr int kIterations = 300;
    constexpr int kOpens = 4;
    for (int i = 0; i < kIterations; ++i) {
        g_unload_calls = 0;
        PDRIVER_OBJECT driver = load(u"DevStressUnload", counting_entry);
        ASSERT_NE(driver, nullptr);
        PDEVICE_OBJECT device = create(driver);
        for (int k = 0; k < kOpens; ++k) ASSERT_TRUE(device_reference_open(device));
        std::atomic<int> closed{0};
        std::atomic<int> early{0};
        std::vector<std::thread> closers;
        for (int k = 0; k < kOpens; ++k) {
            closers.emplace_back([&] {
                closed.fetch_add(1);
                device_release_open(device);
            });
        }
        EXPECT_EQ(NtioUnloadDriver(driver), STATUS_SUCCESS);
        if (g_unload_calls.load() != 0 && closed.load() != kOpens) early.fetch_add(1);
        for (auto& t : closers) t.join();
        EXPECT_EQ(g_unload_calls.load(), 1);
        EXPECT_EQ(early.load(), 0);
        ObDereferenceObject(driver);
        if (HasFailure()) break;
    }
}

}  // namespace
}  // namespace ntio::io::test
