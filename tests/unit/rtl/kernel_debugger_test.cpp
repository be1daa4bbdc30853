// The debugger controls drivers call, on a system with no kernel debugger (as Windows booted
// without debug controls), and the DbgPrintEx component filter with the prefixed print.
// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-kddisabledebugger
// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-dbgsetdebugfilterstate
#include <gtest/gtest.h>

#include <cstdarg>
#include <cstdlib>
#include <cstring>
#include <string>

#include <wdm.h>

namespace kernel_debugger_test {

TEST(KernelDebuggerTest, no_debugger_is_enabled_or_present) {
    ASSERT_NE(KdDebuggerEnabled, nullptr);
    ASSERT_NE(KdDebuggerNotPresent, nullptr);
    EXPECT_FALSE(KD_DEBUGGER_ENABLED);
    EXPECT_TRUE(KD_DEBUGGER_NOT_PRESENT);
    EXPECT_TRUE(KdRefreshDebuggerNotPresent());
    EXPECT_EQ(KdDisableDebugger(), STATUS_DEBUGGER_INACTIVE);
    EXPECT_EQ(KdEnableDebugger(), STATUS_DEBUGGER_INACTIVE);
    EXPECT_FALSE(*KdDebuggerEnabled);
}

TEST(KernelDebuggerTest, change_option_checks_its_arguments_then_reports_no_debugger) {
    BOOLEAN block = TRUE;
    ULONG needed = 99;
    EXPECT_EQ(KdChangeOption(static_cast<KD_OPTION>(1), sizeof(block), &block, 0, nullptr, &needed),
              STATUS_INVALID_INFO_CLASS);
    EXPECT_EQ(KdChangeOption(KD_OPTION_SET_BLOCK_ENABLE, 4, &block, 0, nullptr, nullptr), STATUS_INVALID_PARAMETER);
    EXPECT_EQ(KdChangeOption(KD_OPTION_SET_BLOCK_ENABLE, sizeof(block), &block, 1, &block, nullptr),
              STATUS_INVALID_PARAMETER);
    EXPECT_EQ(KdChangeOption(KD_OPTION_SET_BLOCK_ENABLE, sizeof(block), &block, 0, nullptr, &needed),
              STATUS_DEBUGGER_INACTIVE);
    EXPECT_EQ(needed, 0u);
}

bool everything_printed() {
    const char* value = std::getenv("NTIO_DBGPRINT");
    return value && std::strcmp(value, "all") == 0;
}

TEST(DebugFilterTest, a_component_mask_lets_its_levels_through) {
    if (everything_printed()) GTEST_SKIP() << "NTIO_DBGPRINT=all prints every level";
    EXPECT_EQ(DbgQueryDebugFilterState(DPFLTR_IHVDRIVER_ID, DPFLTR_ERROR_LEVEL), NTSTATUS{TRUE});
    EXPECT_EQ(DbgQueryDebugFilterState(DPFLTR_IHVDRIVER_ID, DPFLTR_INFO_LEVEL), NTSTATUS{FALSE});
    testing::internal::CaptureStderr();
    DbgPrintEx(DPFLTR_IHVDRIVER_ID, DPFLTR_INFO_LEVEL, "hidden\n");
    ASSERT_EQ(DbgSetDebugFilterState(DPFLTR_IHVDRIVER_ID, DPFLTR_INFO_LEVEL, TRUE), STATUS_SUCCESS);
    EXPECT_EQ(DbgQueryDebugFilterState(DPFLTR_IHVDRIVER_ID, DPFLTR_INFO_LEVEL), NTSTATUS{TRUE});
    EXPECT_EQ(DbgQueryDebugFilterState(DPFLTR_IHVVIDEO_ID, DPFLTR_INFO_LEVEL), NTSTATUS{FALSE});
    DbgPrintEx(DPFLTR_IHVDRIVER_ID, DPFLTR_INFO_LEVEL, "shown %d\n", 3);
    DbgPrintEx(DPFLTR_IHVDRIVER_ID, DPFLTR_TRACE_LEVEL, "trace hidden\n");
    ASSERT_EQ(DbgSetDebugFilterState(DPFLTR_IHVDRIVER_ID, DPFLTR_INFO_LEVEL, FALSE), STATUS_SUCCESS);
    DbgPrintEx(DPFLTR_IHVDRIVER_ID, DPFLTR_INFO_LEVEL, "hidden again\n");
    EXPECT_EQ(testing::internal::GetCapturedStderr(), "shown 3\n");
    // A level above 31 is a mask.
    ASSERT_EQ(DbgSetDebugFilterState(DPFLTR_IHVBUS_ID, 0x80000008, TRUE), STATUS_SUCCESS);
    EXPECT_EQ(DbgQueryDebugFilterState(DPFLTR_IHVBUS_ID, DPFLTR_INFO_LEVEL), NTSTATUS{TRUE});
    ASSERT_EQ(DbgSetDebugFilterState(DPFLTR_IHVBUS_ID, 0x80000008, FALSE), STATUS_SUCCESS);
}

TEST(DebugFilterTest, unknown_components_are_parameter_one_errors) {
    EXPECT_EQ(DbgQueryDebugFilterState(100000, DPFLTR_ERROR_LEVEL), STATUS_INVALID_PARAMETER_1);
    EXPECT_EQ(DbgSetDebugFilterState(100000, DPFLTR_ERROR_LEVEL, TRUE), STATUS_INVALID_PARAMETER_1);
}

ULONG print_with_prefix(PCCH prefix, ULONG level, PCCH format, ...) {
    va_list args;
    va_start(args, format);
    const ULONG status = vDbgPrintExWithPrefix(prefix, DPFLTR_IHVDRIVER_ID, level, format, args);
    va_end(args);
    return status;
}

TEST(DebugFilterTest, the_prefixed_print_writes_prefix_and_message_when_the_level_passes) {
    if (everything_printed()) GTEST_SKIP() << "NTIO_DBGPRINT=all prints every level";
    testing::internal::CaptureStderr();
    EXPECT_EQ(print_with_prefix("mydrv: ", DPFLTR_ERROR_LEVEL, "value %u\n", 42u), ULONG{STATUS_SUCCESS});
    print_with_prefix("mydrv: ", DPFLTR_TRACE_LEVEL, "not shown\n");
    EXPECT_EQ(DbgPrintReturnControlC("plain %s\n", "text"), ULONG{STATUS_SUCCESS});
    EXPECT_EQ(testing::internal::GetCapturedStderr(), "mydrv: value 42\nplain text\n");
}

}  // namespace kernel_debugger_test
