// Device idle detection through the public surface: PoRegisterDeviceForIdleDetection's counter and
// time-outs, PoSetDeviceBusy(Ex), PoStartDeviceBusy/PoEndDeviceBusy, and the IRP_MN_SET_POWER the
// power manager sends to the top of the device's stack once the device has been idle for its time.
// The idle clock is run with NtioAdvancePowerIdleClock, never waited for.
// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-poregisterdeviceforidledetection
#include "power_test_driver.hpp"

namespace ntio::power_test {
namespace {

using IdleDetectionTest = PowerTest;

void expect_one_idle_irp(PDEVICE_OBJECT to, DEVICE_POWER_STATE state) {
    const std::vector<PowerIrp> irps = recorded().take();
    ASSERT_EQ(irps.size(), 1u);
    EXPECT_EQ(irps[0].device, to);
    EXPECT_EQ(irps[0].minor, IRP_MN_SET_POWER);
    EXPECT_EQ(irps[0].type, DevicePowerState);
    EXPECT_EQ(irps[0].state.DeviceState, state);
}

// "Whenever the device satisfies the current idle time-out value, the power manager sends an
// IRP_MN_SET_POWER request ... specifying device power state State." The counter counts idle seconds.
TEST_F(IdleDetectionTest, IdleDeviceIsSentTheRegisteredStateOnceItsTimeIsUp) {
    PULONG idle = PoRegisterDeviceForIdleDetection(device(), 5, 5, PowerDeviceD3);
    ASSERT_NE(idle, nullptr);
    EXPECT_EQ(*idle, 0u);
    ASSERT_EQ(NtioAdvancePowerIdleClock(4), STATUS_SUCCESS);
    EXPECT_EQ(*idle, 4u);
    EXPECT_TRUE(recorded().take().empty());
    ASSERT_EQ(NtioAdvancePowerIdleClock(1), STATUS_SUCCESS);
    expect_one_idle_irp(device(), PowerDeviceD3);
    // Still idle: no second request for the same idle period.
    ASSERT_EQ(NtioAdvancePowerIdleClock(10), STATUS_SUCCESS);
    EXPECT_TRUE(recorded().take().empty());
    EXPECT_EQ(PoRegisterDeviceForIdleDetection(device(), 0, 0, PowerDeviceD3), nullptr);
}

// "Calling PoSetDeviceBusy restarts the idle countdown."
TEST_F(IdleDetectionTest, SetDeviceBusyRestartsTheCountdown) {
    PULONG idle = PoRegisterDeviceForIdleDetection(device(), 3, 3, PowerDeviceD2);
    ASSERT_NE(idle, nullptr);
    ASSERT_EQ(NtioAdvancePowerIdleClock(2), STATUS_SUCCESS);
    PoSetDeviceBusy(idle);
    EXPECT_EQ(*idle, 0u);
    ASSERT_EQ(NtioAdvancePowerIdleClock(2), STATUS_SUCCESS);
    EXPECT_TRUE(recorded().take().empty());
    PoSetDeviceBusyEx(idle);
    ASSERT_EQ(NtioAdvancePowerIdleClock(2), STATUS_SUCCESS);
    EXPECT_TRUE(recorded().take().empty());
    ASSERT_EQ(NtioAdvancePowerIdleClock(1), STATUS_SUCCESS);
    expect_one_idle_irp(device(), PowerDeviceD2);
    // Busy again after the request: a new idle period ends in a new request.
    PoSetDeviceBusy(idle);
    ASSERT_EQ(NtioAdvancePowerIdleClock(3), STATUS_SUCCESS);
    expect_one_idle_irp(device(), PowerDeviceD2);
    EXPECT_EQ(PoRegisterDeviceForIdleDetection(device(), 0, 0, PowerDeviceD3), nullptr);
}

// Between PoStartDeviceBusy and PoEndDeviceBusy the device is busy however long it lasts.
TEST_F(IdleDetectionTest, BusyReferenceHoldsOffTheIdleRequest) {
    PULONG idle = PoRegisterDeviceForIdleDetection(device(), 2, 2, PowerDeviceD3);
    ASSERT_NE(idle, nullptr);
    PoStartDeviceBusy(idle);
    PoStartDeviceBusy(idle);
    ASSERT_EQ(NtioAdvancePowerIdleClock(10), STATUS_SUCCESS);
    PoEndDeviceBusy(idle);
    ASSERT_EQ(NtioAdvancePowerIdleClock(10), STATUS_SUCCESS);
    EXPECT_TRUE(recorded().take().empty());
    PoEndDeviceBusy(idle);
    ASSERT_EQ(NtioAdvancePowerIdleClock(1), STATUS_SUCCESS);
    EXPECT_TRUE(recorded().take().empty());
    ASSERT_EQ(NtioAdvancePowerIdleClock(1), STATUS_SUCCESS);
    expect_one_idle_irp(device(), PowerDeviceD3);
    EXPECT_EQ(PoRegisterDeviceForIdleDetection(device(), 0, 0, PowerDeviceD3), nullptr);
}

// "When running with AC power, the system optimizes for performance": ntio is on AC power, so the
// PerformanceIdleTime applies, and a zero performance time disables detection there.
TEST_F(IdleDetectionTest, PerformanceTimeAppliesOnAcPower) {
    PULONG idle = PoRegisterDeviceForIdleDetection(device(), 2, 6, PowerDeviceD3);
    ASSERT_NE(idle, nullptr);
    ASSERT_EQ(NtioAdvancePowerIdleClock(5), STATUS_SUCCESS);
    EXPECT_TRUE(recorded().take().empty());
    ASSERT_EQ(NtioAdvancePowerIdleClock(1), STATUS_SUCCESS);
    expect_one_idle_irp(device(), PowerDeviceD3);
    // Conservation only: nothing on AC power.
    EXPECT_EQ(PoRegisterDeviceForIdleDetection(device(), 1, 0, PowerDeviceD3), idle);
    PoSetDeviceBusy(idle);
    ASSERT_EQ(NtioAdvancePowerIdleClock(20), STATUS_SUCCESS);
    EXPECT_TRUE(recorded().take().empty());
    EXPECT_EQ(PoRegisterDeviceForIdleDetection(device(), 0, 0, PowerDeviceD3), nullptr);
}

// "Only one idle detection can be set per device. Subsequent calls ... change the idle detection
// values": the same counter, still counting.
TEST_F(IdleDetectionTest, RegisteringAgainChangesTheValues) {
    PULONG idle = PoRegisterDeviceForIdleDetection(device(), 10, 10, PowerDeviceD3);
    ASSERT_NE(idle, nullptr);
    ASSERT_EQ(NtioAdvancePowerIdleClock(3), STATUS_SUCCESS);
    EXPECT_EQ(PoRegisterDeviceForIdleDetection(device(), 4, 4, PowerDeviceD1), idle);
    EXPECT_EQ(*idle, 3u);
    ASSERT_EQ(NtioAdvancePowerIdleClock(1), STATUS_SUCCESS);
    expect_one_idle_irp(device(), PowerDeviceD1);
    EXPECT_EQ(PoRegisterDeviceForIdleDetection(device(), 0, 0, PowerDeviceD3), nullptr);
}

// "If both ConservationIdleTime and PerformanceIdleTime are zero, this routine cancels all idle
// detection for the device and returns NULL."
TEST_F(IdleDetectionTest, ZeroTimesCancelDetection) {
    PULONG idle = PoRegisterDeviceForIdleDetection(device(), 2, 2, PowerDeviceD3);
    ASSERT_NE(idle, nullptr);
    EXPECT_EQ(PoRegisterDeviceForIdleDetection(device(), 0, 0, PowerDeviceD3), nullptr);
    ASSERT_EQ(NtioAdvancePowerIdleClock(10), STATUS_SUCCESS);
    EXPECT_TRUE(recorded().take().empty());
    // Cancelling again, or a device never registered, is also NULL.
    EXPECT_EQ(PoRegisterDeviceForIdleDetection(device(), 0, 0, PowerDeviceD3), nullptr);
}

// The request goes "to the top of the device stack": a device attached above the registered one is
// sent it.
TEST_F(IdleDetectionTest, RequestGoesToTheTopOfTheStack) {
    PDEVICE_OBJECT filter = create_device(FILE_DEVICE_UNKNOWN);
    ASSERT_NE(filter, nullptr);
    ASSERT_EQ(IoAttachDeviceToDeviceStack(filter, device()), device());
    filter->Flags &= ~DO_DEVICE_INITIALIZING;
    PULONG idle = PoRegisterDeviceForIdleDetection(device(), 1, 1, PowerDeviceD3);
    ASSERT_NE(idle, nullptr);
    ASSERT_EQ(NtioAdvancePowerIdleClock(1), STATUS_SUCCESS);
    expect_one_idle_irp(filter, PowerDeviceD3);
    EXPECT_EQ(PoRegisterDeviceForIdleDetection(device(), 0, 0, PowerDeviceD3), nullptr);
    IoDetachDevice(device());
}

// Time-outs of -1 ask for the device class's standard time-out: for disks (the default plan turns a
// disk off after 20 minutes on AC power); any other type gets NULL.
TEST_F(IdleDetectionTest, StandardTimeoutOnlyForDisks) {
    EXPECT_EQ(PoRegisterDeviceForIdleDetection(device(), 0xFFFFFFFF, 0xFFFFFFFF, PowerDeviceD3), nullptr);
    PDEVICE_OBJECT disk = create_device(FILE_DEVICE_DISK);
    ASSERT_NE(disk, nullptr);
    PULONG idle = PoRegisterDeviceForIdleDetection(disk, 0xFFFFFFFF, 0xFFFFFFFF, PowerDeviceD3);
    ASSERT_NE(idle, nullptr);
    ASSERT_EQ(NtioAdvancePowerIdleClock(20 * 60 - 1), STATUS_SUCCESS);
    EXPECT_TRUE(recorded().take().empty());
    ASSERT_EQ(NtioAdvancePowerIdleClock(1), STATUS_SUCCESS);
    expect_one_idle_irp(disk, PowerDeviceD3);
    EXPECT_EQ(PoRegisterDeviceForIdleDetection(disk, 0, 0, PowerDeviceD3), nullptr);
}

// Bad input: no device, or a state that is not a device power state, is NULL (detection not enabled).
TEST_F(IdleDetectionTest, BadInputIsNull) {
    EXPECT_EQ(PoRegisterDeviceForIdleDetection(nullptr, 1, 1, PowerDeviceD3), nullptr);
    EXPECT_EQ(PoRegisterDeviceForIdleDetection(device(), 1, 1, PowerDeviceUnspecified), nullptr);
    EXPECT_EQ(PoRegisterDeviceForIdleDetection(device(), 1, 1, PowerDeviceMaximum), nullptr);
    ASSERT_EQ(NtioAdvancePowerIdleClock(5), STATUS_SUCCESS);
    EXPECT_TRUE(recorded().take().empty());
}

// A deleted device is no longer watched: its registration goes with it.
TEST_F(IdleDetectionTest, DeletedDeviceIsNotSentAnything) {
    PDEVICE_OBJECT extra = create_device(FILE_DEVICE_UNKNOWN);
    ASSERT_NE(extra, nullptr);
    ASSERT_NE(PoRegisterDeviceForIdleDetection(extra, 1, 1, PowerDeviceD3), nullptr);
    IoDeleteDevice(extra);
    ASSERT_EQ(NtioAdvancePowerIdleClock(3), STATUS_SUCCESS);
    EXPECT_TRUE(recorded().take().empty());
}

// The System's own idle clock (not taken over): a device idle for its one second is sent its state
// by the periodic timer's worker. Invariant: exactly one request for the idle period, to the device.
class RealIdleClockTest : public PowerTest {
protected:
    void SetUp() override {
        m_take_clock = false;
        PowerTest::SetUp();
    }
};

TEST_F(RealIdleClockTest, TimerSendsTheIdleRequest) {
    PULONG idle = PoRegisterDeviceForIdleDetection(device(), 1, 1, PowerDeviceD3);
    ASSERT_NE(idle, nullptr);
    recorded().wait_for(1);
    EXPECT_EQ(PoRegisterDeviceForIdleDetection(device(), 0, 0, PowerDeviceD3), nullptr);
    expect_one_idle_irp(device(), PowerDeviceD3);
}

}  // namespace
}  // namespace ntio::power_test
