// Device timers as a driver uses them: after IoStartTimer the IoTimer routine runs about once a
// second at DISPATCH_LEVEL with the device and context given to IoInitializeTimer, IoStopTimer stops
// it and IoStartTimer starts it again, a second IoInitializeTimer replaces the routine, and a deleted device's
// routine is not called again. The waits for ticks are real seconds (the routine's period); each
// wait has a generous hang guard.
// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-ioinitializetimer
#include <atomic>
#include <chrono>

#include "unit/io/devices/devices_test_support.hpp"

namespace io_timer_test {

struct Ticks {
    std::atomic<int> count{0};
    std::atomic<int> wrong_irql{0};
    std::atomic<int> wrong_device{0};
    PDEVICE_OBJECT device = nullptr;
    KEVENT tick;
};

VOID NTAPI on_tick(PDEVICE_OBJECT device, PVOID context) {
    auto* ticks = static_cast<Ticks*>(context);
    if (KeGetCurrentIrql() != DISPATCH_LEVEL) ticks->wrong_irql.fetch_add(1);
    if (device != ticks->device) ticks->wrong_device.fetch_add(1);
    ticks->count.fetch_add(1);
    KeSetEvent(&ticks->tick, IO_NO_INCREMENT, FALSE);
}

VOID NTAPI other_routine(PDEVICE_OBJECT, PVOID) { ADD_FAILURE() << "the replaced routine was called"; }

class IoTimerTest : public ntio::io::test::DevicesTest {
protected:
    // Waits for the next tick (hang guard: 30 s).
    static NTSTATUS wait_tick(Ticks& ticks) {
        LARGE_INTEGER guard;
        guard.QuadPart = -30LL * 10'000'000;
        NTSTATUS status = KeWaitForSingleObject(&ticks.tick, Executive, KernelMode, FALSE, &guard);
        KeClearEvent(&ticks.tick);
        return status;
    }
    static void sleep_ms(LONGLONG ms) {
        LARGE_INTEGER interval;
        interval.QuadPart = -ms * 10'000;
        KeDelayExecutionThread(KernelMode, FALSE, &interval);
    }
};

TEST_F(IoTimerTest, the_routine_runs_once_a_second_at_dispatch_level_until_stopped) {
    PDRIVER_OBJECT driver = load(u"IoTimerRuns");
    PDEVICE_OBJECT device = create(driver);
    Ticks ticks;
    ticks.device = device;
    KeInitializeEvent(&ticks.tick, SynchronizationEvent, FALSE);
    ASSERT_EQ(IoInitializeTimer(device, other_routine, nullptr), STATUS_SUCCESS);
    PIO_TIMER first = device->Timer;
    ASSERT_NE(first, nullptr);
    // A second call keeps the one timer and replaces its routine and context (other_routine is
    // never called below).
    ASSERT_EQ(IoInitializeTimer(device, on_tick, &ticks), STATUS_SUCCESS);
    EXPECT_EQ(device->Timer, first);
    sleep_ms(1200);
    EXPECT_EQ(ticks.count.load(), 0);  // not started: never called

    const auto started = std::chrono::steady_clock::now();
    IoStartTimer(device);
    IoStartTimer(device);  // already running: still one tick a second
    ASSERT_EQ(wait_tick(ticks), STATUS_SUCCESS);
    ASSERT_EQ(wait_tick(ticks), STATUS_SUCCESS);
    const auto elapsed = std::chrono::steady_clock::now() - started;
    EXPECT_GE(elapsed, std::chrono::milliseconds(1950));  // two periods, never sooner
    IoStopTimer(device);
    const int at_stop = ticks.count.load();
    EXPECT_GE(at_stop, 2);
    sleep_ms(1500);
    EXPECT_EQ(ticks.count.load(), at_stop);

    const KIRQL old = KeRaiseIrqlToDpcLevel();  // start is legal at DISPATCH_LEVEL
    IoStartTimer(device);
    KeLowerIrql(old);
    ASSERT_EQ(wait_tick(ticks), STATUS_SUCCESS);
    EXPECT_EQ(ticks.wrong_irql.load(), 0);
    EXPECT_EQ(ticks.wrong_device.load(), 0);
    unload(driver);
}

TEST_F(IoTimerTest, a_deleted_devices_routine_is_not_called_again) {
    PDRIVER_OBJECT driver = load(u"IoTimerDeleted");
    PDEVICE_OBJECT device = create(driver);
    Ticks ticks;
    ticks.device = device;
    KeInitializeEvent(&ticks.tick, SynchronizationEvent, FALSE);
    ASSERT_EQ(IoInitializeTimer(device, on_tick, &ticks), STATUS_SUCCESS);
    IoStartTimer(device);
    ASSERT_EQ(wait_tick(ticks), STATUS_SUCCESS);
    IoDeleteDevice(device);
    const int at_delete = ticks.count.load();
    sleep_ms(1500);
    EXPECT_EQ(ticks.count.load(), at_delete);
    unload(driver);
}

TEST_F(IoTimerTest, initializing_without_a_routine_fails) {
    PDRIVER_OBJECT driver = load(u"IoTimerBad");
    PDEVICE_OBJECT device = create(driver);
    EXPECT_EQ(IoInitializeTimer(device, nullptr, nullptr), STATUS_INVALID_PARAMETER);
    EXPECT_EQ(device->Timer, nullptr);
    IoStartTimer(device);  // no timer: nothing to start
    IoStopTimer(device);
    unload(driver);
}

}  // namespace io_timer_test
