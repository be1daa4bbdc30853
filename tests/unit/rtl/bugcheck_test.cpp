// KeBugCheckEx: the stop screen text (death tests), the hook, and the test catcher's nesting.
#include <gtest/gtest.h>

#include <ntio/ntio.h>

#include "support/bugcheck_catcher.hpp"

namespace {

TEST(BugCheckDeathTest, StopScreenNamesTheCode) {
    GTEST_FLAG_SET(death_test_style, "threadsafe");
    EXPECT_DEATH(KeBugCheckEx(DRIVER_VERIFIER_IOMANAGER_VIOLATION, 0x1, 0xFFFF800012345678ULL, 0, 0x10),
                 R"(\*\*\* STOP: 0x000000C9 \(0x0000000000000001, 0xFFFF800012345678, 0x0000000000000000, 0x0000000000000010\)[[:space:]]+DRIVER_VERIFIER_IOMANAGER_VIOLATION[[:space:]]+The I/O manager verifier detected a violation\.)");
}

TEST(BugCheckDeathTest, KeBugCheckHasZeroParameters) {
    GTEST_FLAG_SET(death_test_style, "threadsafe");
    EXPECT_DEATH(KeBugCheck(IRQL_NOT_LESS_OR_EQUAL),
                 R"(\*\*\* STOP: 0x0000000A \(0x0000000000000000, 0x0000000000000000, 0x0000000000000000, 0x0000000000000000\)[[:space:]]+IRQL_NOT_LESS_OR_EQUAL)");
}

TEST(BugCheckDeathTest, HookThatReturnsStillAborts) {
    GTEST_FLAG_SET(death_test_style, "threadsafe");
    EXPECT_DEATH(
        {
            NtioSetBugCheckHook([](ULONG, ULONG_PTR, ULONG_PTR, ULONG_PTR, ULONG_PTR, PVOID) {}, nullptr);
            KeBugCheckEx(BAD_POOL_CALLER, 7, 0, 0, 0);
        },
        "hook returned.*STOP: 0x000000C2");
}

TEST(BugCheckDeathTest, UnhandledRaiseIsKmodeExceptionNotHandled) {
    GTEST_FLAG_SET(death_test_style, "threadsafe");
    EXPECT_DEATH(ExRaiseStatus(STATUS_ACCESS_DENIED), R"(STOP: 0x0000001E \(0x00000000C0000022, )");
}

// Bug check 0x1E KMODE_EXCEPTION_NOT_HANDLED (exception code, exception address, the exception's
// parameters 0 and 1) for a raise with no __try frame on the thread:
// https://learn.microsoft.com/windows-hardware/drivers/debugger/bug-check-0x1e--kmode-exception-not-handled
// The stop screen test above matches the text; these read the parameters through the hook.
[[gnu::noinline]] void raise_status_with_no_frame() { ExRaiseStatus(STATUS_ACCESS_DENIED); }

TEST(BugCheck, RaiseWithNoFrameIsKmodeExceptionNotHandledAtTheRaise) {
    ASSERT_EQ(NtioSehCurrentFrame(), nullptr);
    auto bc = ntio::test::catch_bugcheck([] { raise_status_with_no_frame(); });
    ASSERT_TRUE(bc.has_value());
    EXPECT_EQ(bc->code, static_cast<ULONG>(KMODE_EXCEPTION_NOT_HANDLED));
    EXPECT_EQ(bc->p1, static_cast<ULONG_PTR>(static_cast<ULONG>(STATUS_ACCESS_DENIED)));
    // ExRaiseStatus raises at its caller's return address: inside the function that raised.
    const auto raiser = reinterpret_cast<ULONG_PTR>(&raise_status_with_no_frame);
    EXPECT_GT(bc->p2, raiser);
    EXPECT_LT(bc->p2, raiser + 4096);
    EXPECT_EQ(bc->p3, 0u);  // a status raise carries no parameters
    EXPECT_EQ(bc->p4, 0u);
}

TEST(BugCheck, RaisedRecordWithNoFrameGivesItsAddressAndFirstTwoParameters) {
    ASSERT_EQ(NtioSehCurrentFrame(), nullptr);
    EXCEPTION_RECORD record{};
    record.ExceptionCode = STATUS_ACCESS_VIOLATION;
    record.ExceptionAddress = reinterpret_cast<PVOID>(0x7A11);
    record.NumberParameters = 3;
    record.ExceptionInformation[0] = 1;  // a write
    record.ExceptionInformation[1] = 0xBAD0;
    record.ExceptionInformation[2] = 0xFFFF;  // not reported
    auto bc = ntio::test::catch_bugcheck([&] { RtlRaiseException(&record); });
    ASSERT_TRUE(bc.has_value());
    EXPECT_EQ(bc->code, static_cast<ULONG>(KMODE_EXCEPTION_NOT_HANDLED));
    EXPECT_EQ(bc->p1, static_cast<ULONG_PTR>(static_cast<ULONG>(STATUS_ACCESS_VIOLATION)));
    EXPECT_EQ(bc->p2, 0x7A11u);
    EXPECT_EQ(bc->p3, 1u);
    EXPECT_EQ(bc->p4, 0xBAD0u);
    // With one parameter only, the fourth is 0 whatever lies in the unused slot.
    record.NumberParameters = 1;
    bc = ntio::test::catch_bugcheck([&] { RtlRaiseException(&record); });
    ASSERT_TRUE(bc.has_value());
    EXPECT_EQ(bc->p3, 1u);
    EXPECT_EQ(bc->p4, 0u);
}

TEST(BugCheck, CatcherRecordsCodeAndParameters) {
    auto bc = ntio::test::catch_bugcheck([] { KeBugCheckEx(MULTIPLE_IRP_COMPLETE_REQUESTS, 1, 2, 3, 4); });
    ASSERT_TRUE(bc.has_value());
    EXPECT_EQ(bc->code, static_cast<ULONG>(MULTIPLE_IRP_COMPLETE_REQUESTS));
    EXPECT_EQ(bc->p1, 1u);
    EXPECT_EQ(bc->p2, 2u);
    EXPECT_EQ(bc->p3, 3u);
    EXPECT_EQ(bc->p4, 4u);
}

TEST(BugCheck, CatcherReturnsNulloptWithoutBugcheck) {
    bool ran = false;
    EXPECT_FALSE(ntio::test::catch_bugcheck([&] { ran = true; }).has_value());
    EXPECT_TRUE(ran);
}

TEST(BugCheck, CatcherNestsAndRestoresPreviousHook) {
    EXPECT_EQ(NtioGetBugCheckHook(nullptr), nullptr);
    auto outer = ntio::test::catch_bugcheck([] {
        auto inner = ntio::test::catch_bugcheck([] { KeBugCheck(SPIN_LOCK_NOT_OWNED); });
        ASSERT_TRUE(inner.has_value());
        EXPECT_EQ(inner->code, static_cast<ULONG>(SPIN_LOCK_NOT_OWNED));
        KeBugCheck(THREAD_NOT_MUTEX_OWNER);
    });
    ASSERT_TRUE(outer.has_value());
    EXPECT_EQ(outer->code, static_cast<ULONG>(THREAD_NOT_MUTEX_OWNER));
    EXPECT_EQ(NtioGetBugCheckHook(nullptr), nullptr);
}

TEST(BugCheck, SetHookReturnsPrevious) {
    auto first = [](ULONG, ULONG_PTR, ULONG_PTR, ULONG_PTR, ULONG_PTR, PVOID) {};
    EXPECT_EQ(NtioSetBugCheckHook(first, nullptr), nullptr);
    PVOID context = reinterpret_cast<PVOID>(1);
    EXPECT_EQ(NtioGetBugCheckHook(&context), +first);
    EXPECT_EQ(context, nullptr);
    EXPECT_EQ(NtioSetBugCheckHook(nullptr, nullptr), +first);
}

TEST(BugCheck, FailFastIsKernelSecurityCheckFailure) {
    auto bc = ntio::test::catch_bugcheck([] { RtlFailFast(FAST_FAIL_INVALID_ARG); });
    ASSERT_TRUE(bc.has_value());
    EXPECT_EQ(bc->code, static_cast<ULONG>(KERNEL_SECURITY_CHECK_FAILURE));
    EXPECT_EQ(bc->p1, static_cast<ULONG_PTR>(FAST_FAIL_INVALID_ARG));
}

TEST(BugCheck, CatcherForgetsSehFramesItSkipped) {
    auto bc = ntio::test::catch_bugcheck([] {
        __try {
            KeBugCheck(APC_INDEX_MISMATCH);
        } __except (EXCEPTION_EXECUTE_HANDLER) {
        }
    });
    ASSERT_TRUE(bc.has_value());
    EXPECT_EQ(NtioSehCurrentFrame(), nullptr);
    // With the stale frame forgotten, a raise now reaches a fresh handler.
    NTSTATUS code = 0;
    __try {
        ExRaiseStatus(STATUS_CANCELLED);
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        code = GetExceptionCode();
    }
    EXPECT_EQ(code, STATUS_CANCELLED);
}

}  // namespace
