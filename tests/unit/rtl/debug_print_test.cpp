// DbgPrint/KdPrint formatting to stderr, DbgPrintEx level filtering, DbgBreakPoint as a logged no-op
// (NT fact S21), ASSERT only under DBG, and RtlAssert's report and bugcheck.
#include <gtest/gtest.h>

#include <string>

#include <wdm.h>

#include "support/bugcheck_catcher.hpp"

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

// RtlAssert is exported whether or not ASSERT compiles to it. A failed assertion is reported, then
// bugchecks 0x1E KMODE_EXCEPTION_NOT_HANDLED with STATUS_ASSERTION_FAILURE raised at the assertion
// (exception code, address, the exception's parameters 0 and 1; an assertion has none):
// https://learn.microsoft.com/windows-hardware/drivers/debugger/bug-check-0x1e--kmode-exception-not-handled
[[gnu::noinline]] void fail_an_assertion() {
    char message[] = "checking the widget: ";
    RtlAssert((PVOID) "widgets == 2", (PVOID) "widget.c", 42, message);
}

TEST(DebugPrint, RtlAssertReportsAndBugchecksAssertionFailure) {
    testing::internal::CaptureStderr();
    auto bc = ntio::test::catch_bugcheck([] { fail_an_assertion(); });
    const std::string report = testing::internal::GetCapturedStderr();
    ASSERT_TRUE(bc.has_value());
    EXPECT_EQ(bc->code, static_cast<ULONG>(KMODE_EXCEPTION_NOT_HANDLED));
    EXPECT_EQ(bc->p1, static_cast<ULONG_PTR>(static_cast<ULONG>(STATUS_ASSERTION_FAILURE)));
    const auto asserting = reinterpret_cast<ULONG_PTR>(&fail_an_assertion);
    EXPECT_GT(bc->p2, asserting);  // the return address of the RtlAssert call
    EXPECT_LT(bc->p2, asserting + 4096);
    EXPECT_EQ(bc->p3, 0u);
    EXPECT_EQ(bc->p4, 0u);
    EXPECT_NE(report.find("Assertion failed: checking the widget: widgets == 2"), std::string::npos) << report;
    EXPECT_NE(report.find("Source File: widget.c, line 42"), std::string::npos) << report;
}

}  // namespace
