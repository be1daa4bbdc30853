// WPP tracing and trace-session queries as a driver calls them, with no trace session running:
// every logger handle is invalid, the global logger is not found, the logger list is empty, and
// lengths, missing input and reserved classes get the statuses Learn lists.
// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-wmitracemessage
// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-wmiquerytraceinformation
#include <gtest/gtest.h>

#include <wdm.h>

namespace wmi_trace_test {

const GUID kMessages = {0x2d3e4f50, 0x1111, 0x2222, {0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xbb}};

TEST(WmiTraceTest, a_message_to_a_session_that_does_not_exist_is_an_invalid_handle) {
    ULONG value = 7;
    EXPECT_EQ(WmiTraceMessage(0x1234, TRACE_MESSAGE_GUID | TRACE_MESSAGE_TIMESTAMP, &kMessages, 10, &value,
                              sizeof(value), nullptr, size_t{0}),
              STATUS_INVALID_HANDLE);
    EXPECT_EQ(WmiTraceMessage(0, TRACE_MESSAGE_GUID, &kMessages, 1, nullptr, size_t{0}), STATUS_INVALID_HANDLE);
}

TEST(WmiTraceTest, session_queries_find_no_session) {
    WNODE_HEADER wnode{};
    wnode.BufferSize = sizeof(wnode);
    wnode.HistoricalContext = 0x1234;
    ULONG flags = 0xFFFFFFFF, required = 0;
    EXPECT_EQ(WmiQueryTraceInformation(TraceEnableFlagsClass, &flags, sizeof(flags), &required, &wnode),
              STATUS_INVALID_HANDLE);
    EXPECT_EQ(WmiQueryTraceInformation(TraceEnableLevelClass, &flags, sizeof(flags), nullptr, &wnode),
              STATUS_INVALID_HANDLE);
    EXPECT_EQ(WmiQueryTraceInformation(TraceIdClass, &flags, sizeof(flags), nullptr, &wnode), STATUS_INVALID_HANDLE);
    TRACEHANDLE handle = 0;
    EXPECT_EQ(WmiQueryTraceInformation(GlobalLoggerHandleClass, &handle, sizeof(handle), nullptr, nullptr),
              STATUS_NOT_FOUND);
    UNICODE_STRING name;
    RtlInitUnicodeString(&name, L"NoSuchSession");
    EXPECT_EQ(WmiQueryTraceInformation(TraceHandleByNameClass, &handle, sizeof(handle), nullptr, &name),
              STATUS_INVALID_PARAMETER);
    TRACEHANDLE all[4] = {};
    required = 99;
    EXPECT_EQ(WmiQueryTraceInformation(AllLoggerHandlesClass, all, sizeof(all), &required, nullptr), STATUS_SUCCESS);
    EXPECT_EQ(required, 0u);
}

TEST(WmiTraceTest, lengths_inputs_and_classes_are_checked) {
    ULONG flags = 0, required = 0;
    WNODE_HEADER wnode{};
    // TraceEnableFlagsClass answers a ULONG: any other length is a mismatch, with the size wanted.
    EXPECT_EQ(WmiQueryTraceInformation(TraceEnableFlagsClass, &flags, sizeof(flags) + 4, &required, &wnode),
              STATUS_INFO_LENGTH_MISMATCH);
    EXPECT_EQ(required, sizeof(ULONG));
    TRACEHANDLE handle = 0;
    EXPECT_EQ(WmiQueryTraceInformation(GlobalLoggerHandleClass, &handle, sizeof(ULONG), &required, nullptr),
              STATUS_INFO_LENGTH_MISMATCH);
    EXPECT_EQ(required, sizeof(TRACEHANDLE));
    // The session must be named.
    EXPECT_EQ(WmiQueryTraceInformation(TraceEnableFlagsClass, &flags, sizeof(flags), nullptr, nullptr),
              STATUS_INVALID_PARAMETER_MIX);
    EXPECT_EQ(WmiQueryTraceInformation(TraceHandleByNameClass, &handle, sizeof(handle), nullptr, nullptr),
              STATUS_INVALID_PARAMETER_MIX);
    EXPECT_EQ(WmiQueryTraceInformation(EventLoggerHandleClass, &handle, sizeof(handle), nullptr, nullptr),
              STATUS_INVALID_INFO_CLASS);
    EXPECT_EQ(WmiQueryTraceInformation(MaxTraceInformationClass, &handle, sizeof(handle), nullptr, nullptr),
              STATUS_INVALID_INFO_CLASS);
}

}  // namespace wmi_trace_test
