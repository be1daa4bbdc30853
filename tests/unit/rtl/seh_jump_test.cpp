// The jump a raise takes to its __try frame: callee-saved registers of the callers survive a raise
// or a fault from deep inside, leave and nesting keep the frame list right, the alternate signal
// stack is set up on a thread's first __try.
#include <gtest/gtest.h>

#include <signal.h>

#include <thread>

#include <ntio/ntio.h>

extern "C" unsigned long long ntio_c_seh_registers(int how, unsigned long long seed);

namespace {

// Overwrites every callee-saved register but rbp (the frame pointer where one is used) and leaves
// without restoring them: the raise skips this function's epilogue.
#define NTIO_TEST_CLOBBER_CALLEE_SAVED()                                                            \
    __asm__ volatile("mov $-1, %%rbx\n\tmov $-1, %%r12\n\tmov $-1, %%r13\n\tmov $-1, %%r14\n\t"   \
                     "mov $-1, %%r15" ::: "rbx", "r12", "r13", "r14", "r15")

__attribute__((noinline)) void clobber_and_raise(NTSTATUS code) {
    NTIO_TEST_CLOBBER_CALLEE_SAVED();
    ExRaiseStatus(code);
}

// Faults on purpose; UBSan would report the null store before the fault happens.
// Null through a volatile, so that the compiler cannot see it and emit a trap instead of the store.
volatile int* volatile g_null = nullptr;

__attribute__((no_sanitize("null"), noinline)) void clobber_and_fault(volatile int* p) {
    NTIO_TEST_CLOBBER_CALLEE_SAVED();
    *p = 1;
}

__attribute__((noinline)) NTSTATUS guarded(int how) {
    NTSTATUS code = STATUS_SUCCESS;
    __try {
        if (how == 0) clobber_and_raise(STATUS_TIMEOUT);
        else clobber_and_fault(g_null);
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        code = GetExceptionCode();
    }
    return code;
}

unsigned long long mix(unsigned long long a, unsigned long long b, unsigned long long c, unsigned long long d,
                       unsigned long long e) {
    return a * 3 + b * 5 + c * 7 + d * 11 + e * 13;
}

// Five values live across the call: the compiler keeps them in callee-saved registers, which the
// function that caught the exception must hand back intact.
__attribute__((noinline)) unsigned long long registers_across(int how, unsigned long long seed) {
    unsigned long long a = seed + 1, b = seed * 2 + 3, c = seed * 5 + 7, d = seed * 9 + 11, e = seed * 13 + 17;
    __asm__ volatile("" : "+r"(a), "+r"(b), "+r"(c), "+r"(d), "+r"(e));
    const NTSTATUS code = guarded(how);
    __asm__ volatile("" : "+r"(a), "+r"(b), "+r"(c), "+r"(d), "+r"(e));
    const NTSTATUS expected = how == 0 ? STATUS_TIMEOUT : STATUS_ACCESS_VIOLATION;
    return code == expected ? mix(a, b, c, d, e) : 0;
}

unsigned long long expected_mix(unsigned long long seed) {
    return mix(seed + 1, seed * 2 + 3, seed * 5 + 7, seed * 9 + 11, seed * 13 + 17);
}

TEST(SehJump, CallersRegistersSurviveARaise) {
    for (unsigned long long seed : {1ull, 0x1234ull, 0xDEADBEEFull}) {
        EXPECT_EQ(registers_across(0, seed), expected_mix(seed));
    }
    EXPECT_EQ(NtioSehCurrentFrame(), nullptr);
}

TEST(SehJump, CallersRegistersSurviveAFault) {
    for (unsigned long long seed : {2ull, 0x4321ull}) {
        EXPECT_EQ(registers_across(1, seed), expected_mix(seed));
    }
    EXPECT_EQ(NtioSehCurrentFrame(), nullptr);
}

TEST(SehJump, CallersRegistersSurviveInC) {
    for (int how : {0, 1}) {
        EXPECT_EQ(ntio_c_seh_registers(how, 77), expected_mix(77)) << how;
    }
    EXPECT_EQ(NtioSehCurrentFrame(), nullptr);
}

// A leave from an inner __try lands on the inner frame only; a raise afterwards still reaches the
// outer one.
TEST(SehJump, LeaveInNestedTryKeepsTheOuterFrame) {
    volatile int inner_finally = 0, after_leave = 0;
    NTSTATUS outer = STATUS_SUCCESS;
    __try {
        __try {
            if (inner_finally == 0) __leave;
            after_leave = 1;
        } __finally {
            inner_finally = AbnormalTermination() ? 2 : 1;
        }
        EXPECT_NE(NtioSehCurrentFrame(), nullptr);
        ExRaiseStatus(STATUS_CANCELLED);
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        outer = GetExceptionCode();
    }
    EXPECT_EQ(inner_finally, 1);
    EXPECT_EQ(after_leave, 0);
    EXPECT_EQ(outer, STATUS_CANCELLED);
    EXPECT_EQ(NtioSehCurrentFrame(), nullptr);
}

// The frame is gone while its filter runs: a raise from the filter expression goes outward.
NTSTATUS raise_in_filter_expression() { ExRaiseStatus(STATUS_NO_MEMORY); }

TEST(SehJump, RaiseInFilterGoesToTheOuterFrame) {
    NTSTATUS outer = STATUS_SUCCESS;
    volatile int inner_handler = 0;
    __try {
        __try {
            ExRaiseStatus(STATUS_UNSUCCESSFUL);
        } __except (raise_in_filter_expression()) {
            inner_handler = 1;
        }
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        outer = GetExceptionCode();
    }
    EXPECT_EQ(inner_handler, 0);
    EXPECT_EQ(outer, STATUS_NO_MEMORY);
}

// The alternate signal stack is set up once, on the thread's first __try.
TEST(SehJump, FirstTryOnAThreadSetsUpTheAlternateStack) {
    bool ready_before = true, ready_after = false, stack_enabled = false;
    std::thread worker([&] {
        ready_before = NtioSehThread.Ready != FALSE;
        volatile int body = 0;
        __try {
            body = 1;
        } __except (EXCEPTION_EXECUTE_HANDLER) {
            body = 2;
        }
        ready_after = NtioSehThread.Ready != FALSE && body == 1;
        stack_t current{};
        stack_enabled = sigaltstack(nullptr, &current) == 0 && !(current.ss_flags & SS_DISABLE);
    });
    worker.join();
    EXPECT_FALSE(ready_before);
    EXPECT_TRUE(ready_after);
    EXPECT_TRUE(stack_enabled);
}

}  // namespace
