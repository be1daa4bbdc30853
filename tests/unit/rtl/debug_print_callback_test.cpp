// Debug output a driver captures for itself (DbgSetDebugPrintCallback): every DbgPrint and every
// DbgPrintEx that passes the component filter reaches each registered callback with its component
// and level, until the callback is removed; DbgPrompt without a debugger; DbgRaiseAssertionFailure
// raises STATUS_ASSERTION_FAILURE for a handler; KdBreakPointWithStatus follows DBG.
// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-dbgsetdebugprintcallback
// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nf-ntddk-dbgprompt
// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-dbgraiseassertionfailure
#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

#include <ntddk.h>

namespace debug_print_callback_test {

struct Heard {
    std::string text;
    ULONG component;
    ULONG level;
};

std::vector<Heard> g_first;
std::vector<Heard> g_second;

VOID first_callback(PSTRING Output, ULONG ComponentId, ULONG Level) {
    g_first.push_back({std::string(Output->Buffer, Output->Length), ComponentId, Level});
}

VOID second_callback(PSTRING Output, ULONG ComponentId, ULONG Level) {
    g_second.push_back({std::string(Output->Buffer, Output->Length), ComponentId, Level});
}

TEST(DebugPrintCallback, EachCallbackHearsWhatPassesTheFilterUntilRemoved) {
    g_first.clear();
    g_second.clear();
    ASSERT_EQ(DbgSetDebugPrintCallback(first_callback, TRUE), STATUS_SUCCESS);
    ASSERT_EQ(DbgSetDebugPrintCallback(second_callback, TRUE), STATUS_SUCCESS);
    EXPECT_EQ(DbgSetDebugPrintCallback(first_callback, TRUE), STATUS_UNSUCCESSFUL) << "already there";

    testing::internal::CaptureStderr();
    DbgPrint("irp %p done\n", reinterpret_cast<void*>(0x20));
    DbgPrintEx(DPFLTR_IHVDRIVER_ID, DPFLTR_INFO_LEVEL, "filtered out\n");
    DbgPrintEx(DPFLTR_IHVDRIVER_ID, DPFLTR_ERROR_LEVEL, "error %d\n", 7);
    ASSERT_EQ(DbgSetDebugPrintCallback(second_callback, FALSE), STATUS_SUCCESS);
    DbgPrint("after\n");
    ASSERT_EQ(DbgSetDebugPrintCallback(first_callback, FALSE), STATUS_SUCCESS);
    DbgPrint("nobody\n");
    (void)testing::internal::GetCapturedStderr();

    ASSERT_EQ(g_first.size(), 3u);
    EXPECT_EQ(g_first[0].text, "irp 0000000000000020 done\n");
    EXPECT_EQ(g_first[0].component, ULONG{DPFLTR_DEFAULT_ID});
    EXPECT_EQ(g_first[1].text, "error 7\n");
    EXPECT_EQ(g_first[1].component, ULONG{DPFLTR_IHVDRIVER_ID});
    EXPECT_EQ(g_first[1].level, ULONG{DPFLTR_ERROR_LEVEL});
    EXPECT_EQ(g_first[2].text, "after\n");
    ASSERT_EQ(g_second.size(), 2u);
    EXPECT_EQ(g_second[1].text, "error 7\n");

    EXPECT_EQ(DbgSetDebugPrintCallback(first_callback, FALSE), STATUS_UNSUCCESSFUL) << "not there";
    EXPECT_EQ(DbgSetDebugPrintCallback(nullptr, TRUE), STATUS_INVALID_PARAMETER);
}

// A callback that changes the list while output is delivered is refused, not left waiting.
NTSTATUS g_from_inside = STATUS_PENDING;
VOID reentrant_callback(PSTRING, ULONG, ULONG) {
    g_from_inside = DbgSetDebugPrintCallback(second_callback, TRUE);
}

TEST(DebugPrintCallback, AChangeFromInsideACallbackIsRefused) {
    ASSERT_EQ(DbgSetDebugPrintCallback(reentrant_callback, TRUE), STATUS_SUCCESS);
    testing::internal::CaptureStderr();
    DbgPrint("reenter\n");
    (void)testing::internal::GetCapturedStderr();
    EXPECT_EQ(g_from_inside, STATUS_UNSUCCESSFUL);
    EXPECT_EQ(DbgSetDebugPrintCallback(reentrant_callback, FALSE), STATUS_SUCCESS);
    EXPECT_EQ(DbgSetDebugPrintCallback(second_callback, FALSE), STATUS_UNSUCCESSFUL) << "it was not added";
}

TEST(DebugPrintCallback, DbgPromptShowsThePromptAndGetsNoAnswer) {
    char response[16];
    std::memset(response, 'x', sizeof response);
    testing::internal::CaptureStderr();
    EXPECT_EQ(DbgPrompt("continue? ", response, sizeof response), 0u);
    EXPECT_EQ(testing::internal::GetCapturedStderr(), "continue? ");
    EXPECT_EQ(response[0], 'x');
}

NTSTATUS raise_assertion() {
    NTSTATUS caught = STATUS_SUCCESS;
    __try {
        DbgRaiseAssertionFailure();
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        caught = GetExceptionCode();
    }
    return caught;
}

TEST(DebugPrintCallback, AssertionFailureIsAnExceptionAHandlerCatches) {
    EXPECT_EQ(raise_assertion(), STATUS_ASSERTION_FAILURE);
}

TEST(DebugPrintCallback, KdBreakPointWithStatusIsCompiledOutWithoutDbg) {
    testing::internal::CaptureStderr();
    int evaluated = 0;
    KdBreakPointWithStatus(++evaluated);
    EXPECT_EQ(evaluated, 0);
    EXPECT_EQ(testing::internal::GetCapturedStderr(), "");
}

}  // namespace debug_print_callback_test
