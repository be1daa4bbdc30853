// Power requests and the system execution state they and PoRegisterSystemState report, read back
// through ZwPowerInformation (and NtPowerInformation from user mode), through the public surface.
// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-pocreatepowerrequest
// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-posetpowerrequest
// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nf-ntddk-zwpowerinformation
#include <cstdint>

#include <ntio/ntapi.h>

#include "power_test_driver.hpp"

namespace ntio::power_test {
namespace {

using PowerRequestTest = PowerTest;

ULONG execution_state() {
    ULONG state = 0xFFFFFFFF;
    EXPECT_EQ(ZwPowerInformation(SystemExecutionState, nullptr, 0, &state, sizeof state), STATUS_SUCCESS);
    return state;
}

// "The power manager maintains a count of the active requests for each power request type": the
// system stays required while any set is outstanding, from any request object.
TEST_F(PowerRequestTest, SystemRequiredFollowsTheCountsOfEveryRequest) {
    ASSERT_EQ(execution_state() & ES_SYSTEM_REQUIRED, 0u);
    PVOID first = nullptr;
    PVOID second = nullptr;
    COUNTED_REASON_CONTEXT reason{};
    reason.Version = POWER_REQUEST_CONTEXT_VERSION;
    reason.Flags = POWER_REQUEST_CONTEXT_SIMPLE_STRING;
    RtlInitUnicodeString(&reason.SimpleString, L"recording a broadcast");
    ASSERT_EQ(PoCreatePowerRequest(&first, device(), &reason), STATUS_SUCCESS);
    ASSERT_NE(first, nullptr);
    ASSERT_EQ(PoCreatePowerRequest(&second, device(), nullptr), STATUS_SUCCESS);
    EXPECT_NE(first, second);

    ASSERT_EQ(PoSetPowerRequest(first, PowerRequestSystemRequired), STATUS_SUCCESS);
    ASSERT_EQ(PoSetPowerRequest(first, PowerRequestSystemRequired), STATUS_SUCCESS);
    ASSERT_EQ(PoSetPowerRequest(second, PowerRequestSystemRequired), STATUS_SUCCESS);
    EXPECT_NE(execution_state() & ES_SYSTEM_REQUIRED, 0u);
    EXPECT_EQ(PoClearPowerRequest(first, PowerRequestSystemRequired), STATUS_SUCCESS);
    EXPECT_EQ(PoClearPowerRequest(second, PowerRequestSystemRequired), STATUS_SUCCESS);
    EXPECT_NE(execution_state() & ES_SYSTEM_REQUIRED, 0u) << "first is still set once";
    EXPECT_EQ(PoClearPowerRequest(first, PowerRequestSystemRequired), STATUS_SUCCESS);
    EXPECT_EQ(execution_state() & ES_SYSTEM_REQUIRED, 0u);
    // A clear with nothing set changes nothing: a later set still counts.
    EXPECT_EQ(PoClearPowerRequest(second, PowerRequestSystemRequired), STATUS_SUCCESS);
    ASSERT_EQ(PoSetPowerRequest(second, PowerRequestSystemRequired), STATUS_SUCCESS);
    EXPECT_NE(execution_state() & ES_SYSTEM_REQUIRED, 0u);
    // Deleting a request ends what it still had set.
    PoDeletePowerRequest(second);
    EXPECT_EQ(execution_state() & ES_SYSTEM_REQUIRED, 0u);
    PoDeletePowerRequest(first);
}

TEST_F(PowerRequestTest, OnlySystemRequiredMayBeSetAndBadArgumentsFail) {
    PVOID request = reinterpret_cast<PVOID>(1);
    EXPECT_EQ(PoCreatePowerRequest(&request, nullptr, nullptr), STATUS_INVALID_PARAMETER);
    EXPECT_EQ(request, nullptr) << "NULL written when the call fails";
    COUNTED_REASON_CONTEXT bad{};
    bad.Version = 7;
    EXPECT_EQ(PoCreatePowerRequest(&request, device(), &bad), STATUS_INVALID_PARAMETER);
    bad.Version = POWER_REQUEST_CONTEXT_VERSION;
    bad.Flags = 0x100;
    EXPECT_EQ(PoCreatePowerRequest(&request, device(), &bad), STATUS_INVALID_PARAMETER);

    ASSERT_EQ(PoCreatePowerRequest(&request, device(), nullptr), STATUS_SUCCESS);
    EXPECT_EQ(PoSetPowerRequest(request, PowerRequestDisplayRequired), STATUS_NOT_SUPPORTED);
    EXPECT_EQ(PoSetPowerRequest(request, PowerRequestAwayModeRequired), STATUS_NOT_SUPPORTED);
    EXPECT_EQ(PoSetPowerRequest(request, PowerRequestExecutionRequired), STATUS_NOT_SUPPORTED);
    EXPECT_EQ(PoSetPowerRequest(request, static_cast<POWER_REQUEST_TYPE>(99)), STATUS_NOT_SUPPORTED);
    EXPECT_EQ(PoClearPowerRequest(request, PowerRequestDisplayRequired), STATUS_NOT_SUPPORTED);
    EXPECT_EQ(execution_state() & (ES_SYSTEM_REQUIRED | ES_DISPLAY_REQUIRED), 0u);
    PoDeletePowerRequest(request);
    EXPECT_EQ(PoSetPowerRequest(nullptr, PowerRequestSystemRequired), STATUS_INVALID_PARAMETER);
    int not_a_request = 0;
    EXPECT_EQ(PoSetPowerRequest(&not_a_request, PowerRequestSystemRequired), STATUS_INVALID_PARAMETER);
    PoDeletePowerRequest(nullptr);  // ignored
}

// PoRegisterSystemState's registrations show in the execution state until they are unregistered.
TEST_F(PowerRequestTest, RegisteredSystemStatesShowInTheExecutionState) {
    PVOID display = PoRegisterSystemState(nullptr, ES_DISPLAY_REQUIRED | ES_CONTINUOUS);
    ASSERT_NE(display, nullptr);
    const ULONG state = execution_state();
    EXPECT_NE(state & ES_DISPLAY_REQUIRED, 0u);
    EXPECT_EQ(state & ES_CONTINUOUS, 0u);
    PoUnregisterSystemState(display);
    EXPECT_EQ(execution_state() & ES_DISPLAY_REQUIRED, 0u);
}

TEST_F(PowerRequestTest, PowerInformationLevelsAndBufferChecks) {
    POWER_PLATFORM_INFORMATION platform;
    platform.AoAc = TRUE;
    ASSERT_EQ(ZwPowerInformation(PlatformInformation, nullptr, 0, &platform, sizeof platform), STATUS_SUCCESS);
    EXPECT_FALSE(platform.AoAc);
    ULONGLONG wake = 1;
    EXPECT_EQ(ZwPowerInformation(LastWakeTime, nullptr, 0, &wake, sizeof wake), STATUS_SUCCESS);
    EXPECT_EQ(wake, 0u);

    ULONG state = 0;
    ULONG input = 0;
    EXPECT_EQ(ZwPowerInformation(SystemExecutionState, &input, sizeof input, &state, sizeof state),
              STATUS_INVALID_PARAMETER) << "no input buffer is taken";
    EXPECT_EQ(ZwPowerInformation(SystemExecutionState, nullptr, 0, nullptr, 0), STATUS_INVALID_PARAMETER);
    EXPECT_EQ(ZwPowerInformation(SystemExecutionState, nullptr, 0, &state, sizeof state - 1), STATUS_BUFFER_TOO_SMALL);
    EXPECT_EQ(ZwPowerInformation(LastSleepTime, nullptr, 0, &state, sizeof state), STATUS_BUFFER_TOO_SMALL);
    EXPECT_EQ(ZwPowerInformation(static_cast<POWER_INFORMATION_LEVEL>(5000), nullptr, 0, &state, sizeof state),
              STATUS_INVALID_PARAMETER);

    // From user mode (the test thread's own calls): the same answer, and a bad buffer is an access
    // violation, not a fault.
    ULONG user_state = 0xFFFFFFFF;
    EXPECT_EQ(NtPowerInformation(SystemExecutionState, nullptr, 0, &user_state, sizeof user_state), STATUS_SUCCESS);
    EXPECT_EQ(user_state & ES_CONTINUOUS, 0u);
    EXPECT_EQ(NtPowerInformation(SystemExecutionState, nullptr, 0, reinterpret_cast<PVOID>(std::uintptr_t{0x10}),
                                 sizeof(ULONG)),
              STATUS_ACCESS_VIOLATION);
}

}  // namespace
}  // namespace ntio::power_test
