// Power setting callbacks, the system busy state and the system-wake mark through the public surface.
// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-poregisterpowersettingcallback
// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-poregistersystemstate
#include <cstring>

#include "power_test_driver.hpp"

namespace ntio::power_test {
namespace {

using PowerSettingTest = PowerTest;
using SystemStateTest = PowerTest;

struct SettingCall {
    int calls = 0;
    GUID setting{};
    ULONG length = 0;
    ULONG dword = 0xFFFFFFFF;
    GUID guid{};
};

NTSTATUS NTAPI SettingCallback(LPCGUID SettingGuid, PVOID Value, ULONG ValueLength, PVOID Context) {
    auto* call = static_cast<SettingCall*>(Context);
    ++call->calls;
    call->setting = *SettingGuid;
    call->length = ValueLength;
    if (ValueLength == sizeof(ULONG)) std::memcpy(&call->dword, Value, sizeof(ULONG));
    if (ValueLength == sizeof(GUID)) std::memcpy(&call->guid, Value, sizeof(GUID));
    return STATUS_SUCCESS;
}

// "The power manager initializes the power setting of the driver by immediately calling the callback
// routine and passing the current value of the power setting": AC power (PoAc) here.
TEST_F(PowerSettingTest, CallbackGetsTheCurrentPowerSourceAtRegistration) {
    SettingCall call;
    PVOID handle = nullptr;
    ASSERT_EQ(PoRegisterPowerSettingCallback(device(), &GUID_ACDC_POWER_SOURCE, SettingCallback, &call, &handle),
              STATUS_SUCCESS);
    ASSERT_NE(handle, nullptr);
    EXPECT_EQ(call.calls, 1);
    EXPECT_TRUE(IsEqualGUID(call.setting, GUID_ACDC_POWER_SOURCE));
    EXPECT_EQ(call.length, sizeof(ULONG));
    EXPECT_EQ(call.dword, ULONG{PoAc});
    EXPECT_EQ(PoUnregisterPowerSettingCallback(handle), STATUS_SUCCESS);
    EXPECT_EQ(call.calls, 1);
}

// The console display is on (1), the monitor is on (1), and the power plan is balanced.
TEST_F(PowerSettingTest, DisplayAndPersonalitySettings) {
    SettingCall display, monitor, personality;
    PVOID h1 = nullptr, h2 = nullptr, h3 = nullptr;
    ASSERT_EQ(PoRegisterPowerSettingCallback(nullptr, &GUID_CONSOLE_DISPLAY_STATE, SettingCallback, &display, &h1),
              STATUS_SUCCESS);
    ASSERT_EQ(PoRegisterPowerSettingCallback(nullptr, &GUID_MONITOR_POWER_ON, SettingCallback, &monitor, &h2),
              STATUS_SUCCESS);
    ASSERT_EQ(PoRegisterPowerSettingCallback(nullptr, &GUID_POWERSCHEME_PERSONALITY, SettingCallback, &personality, &h3),
              STATUS_SUCCESS);
    EXPECT_EQ(display.calls, 1);
    EXPECT_EQ(display.dword, 1u);
    EXPECT_EQ(monitor.calls, 1);
    EXPECT_EQ(monitor.dword, 1u);
    EXPECT_EQ(personality.calls, 1);
    EXPECT_EQ(personality.length, sizeof(GUID));
    EXPECT_TRUE(IsEqualGUID(personality.guid, GUID_TYPICAL_POWER_SAVINGS));
    EXPECT_NE(h1, h2);
    EXPECT_EQ(PoUnregisterPowerSettingCallback(h1), STATUS_SUCCESS);
    EXPECT_EQ(PoUnregisterPowerSettingCallback(h2), STATUS_SUCCESS);
    EXPECT_EQ(PoUnregisterPowerSettingCallback(h3), STATUS_SUCCESS);
}

// Bad input: no GUID or no callback, unregistering NULL or twice.
TEST_F(PowerSettingTest, BadInput) {
    SettingCall call;
    PVOID handle = nullptr;
    EXPECT_EQ(PoRegisterPowerSettingCallback(nullptr, nullptr, SettingCallback, &call, &handle),
              STATUS_INVALID_PARAMETER);
    EXPECT_EQ(PoRegisterPowerSettingCallback(nullptr, &GUID_ACDC_POWER_SOURCE, nullptr, &call, &handle),
              STATUS_INVALID_PARAMETER);
    EXPECT_EQ(call.calls, 0);
    EXPECT_EQ(PoUnregisterPowerSettingCallback(nullptr), STATUS_INVALID_PARAMETER);
    ASSERT_EQ(PoRegisterPowerSettingCallback(nullptr, &GUID_ACDC_POWER_SOURCE, SettingCallback, &call, &handle),
              STATUS_SUCCESS);
    EXPECT_EQ(PoUnregisterPowerSettingCallback(handle), STATUS_SUCCESS);
    EXPECT_EQ(PoUnregisterPowerSettingCallback(handle), STATUS_INVALID_PARAMETER);
}

// A new registration gets a handle; registering with that handle changes it in place.
TEST_F(SystemStateTest, RegisterChangeAndUnregister) {
    PVOID a = PoRegisterSystemState(nullptr, ES_SYSTEM_REQUIRED | ES_CONTINUOUS);
    ASSERT_NE(a, nullptr);
    PVOID b = PoRegisterSystemState(nullptr, ES_DISPLAY_REQUIRED);
    ASSERT_NE(b, nullptr);
    EXPECT_NE(a, b);
    EXPECT_EQ(PoRegisterSystemState(a, ES_USER_PRESENT), a);
    PoSetSystemState(ES_SYSTEM_REQUIRED);
    PoUnregisterSystemState(a);
    PoUnregisterSystemState(b);
    // A handle that was unregistered is no longer one to change.
    EXPECT_EQ(PoRegisterSystemState(a, ES_USER_PRESENT), nullptr);
    PoUnregisterSystemState(nullptr);
}

// PoSetSystemWake marks a wait/wake IRP; PoGetSystemWake reads the mark whichever location is current.
TEST_F(SystemStateTest, SystemWakeMarkFollowsTheIrp) {
    PIRP irp = IoAllocateIrp(2, FALSE);
    ASSERT_NE(irp, nullptr);
    EXPECT_FALSE(PoGetSystemWake(irp));
    PoSetSystemWake(irp);
    EXPECT_TRUE(PoGetSystemWake(irp));
    IoFreeIrp(irp);
    PIRP other = IoAllocateIrp(2, FALSE);
    ASSERT_NE(other, nullptr);
    EXPECT_FALSE(PoGetSystemWake(other));
    IoFreeIrp(other);
    EXPECT_FALSE(PoGetSystemWake(nullptr));
}

// ntio runs no power IRP watchdog: none has time left.
TEST_F(SystemStateTest, NoWatchdogRuns) {
    ULONG seconds = 1234;
    EXPECT_FALSE(PoQueryWatchdogTime(device(), &seconds));
}

}  // namespace
}  // namespace ntio::power_test
