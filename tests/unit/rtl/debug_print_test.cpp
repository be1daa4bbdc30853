// DbgPrint/KdPrint formatting to stderr, DbgPrintEx level filtering, DbgBreakPoint as a logged no-op
// (NT fact S21), ASSERT only under DBG.
#include <gtest/gtest.h>

#include <wdm.h>

namespace {

TEST(DebugPrint, DbgPrintUsesKernelFormats) {
    UNICODE_STRING name = RTL_CONSTANT_STRING(L"\\Device\\Foo");
    testing::internal::CaptureStderr();
    DbgPrint("irp %p status 0X%08X name %wZ %s %c %d\n", (void*)0x10, 0xC0000120u, &name, "str", 'c', -3);
    EXPECT_EQ(testing::internal::GetCapturedStderr(),
              "irp 0000000000000010 status 0XC0000120 name \\Device\\Foo str c -3\n");
}

TEST(DebugPrint, DbgPrintExFiltersByLevel) {
    testing::internal::CaptureStderr();
    DbgPrintEx(DPFLTR_IHVDRIVER_ID, DPFLTR_INFO_LEVEL, "hidden\n");
    DbgPrintEx(DPFLTR_IHVDRIVER_ID, DPFLTR_ERROR_LEVEL, "shown %d\n", 1);
    EXPECT_EQ(testing::internal::GetCapturedStderr(), "shown 1\n");
}

TEST(DebugPrint, KdPrintIsCompiledOutWithoutDbg) {
    testing::internal::CaptureStderr();
    int evaluated = 0;
    KdPrint(("%d\n", ++evaluated));
    ASSERT(++evaluated == 100);
    EXPECT_EQ(evaluated, 0);
    EXPECT_EQ(testing::internal::GetCapturedStderr(), "");
}

TEST(DebugPrint, DbgBreakPointIsLoggedNoOp) {
    testing::internal::CaptureStderr();
    DbgBreakPoint();  // a SIGTRAP would kill the test
    EXPECT_NE(testing::internal::GetCapturedStderr().find("DbgBreakPoint"), std::string::npos);
}

}  // namespace
