// SEH emulation in C++: nesting, filters, finally, leave, faults turned into STATUS_ACCESS_VIOLATION,
// probing, and `break` inside __try/__except within a switch (NT fact S23).
#include <gtest/gtest.h>

#include <signal.h>
#include <sys/mman.h>
#include <unistd.h>

#include <thread>

#include <ntio/ntio.h>

namespace {

// Faults on purpose; UBSan would report the null store before the fault happens.
__attribute__((no_sanitize("null"), noinline)) void store_through(volatile int* p) { *p = 1; }

NTSTATUS raise_and_catch(NTSTATUS code) {
    NTSTATUS caught = STATUS_SUCCESS;
    __try {
        ExRaiseStatus(code);
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        caught = GetExceptionCode();
    }
    return caught;
}

TEST(Seh, RaiseIsCaughtWithItsCode) {
    EXPECT_EQ(raise_and_catch(STATUS_INSUFFICIENT_RESOURCES), STATUS_INSUFFICIENT_RESOURCES);
    EXPECT_EQ(NtioSehCurrentFrame(), nullptr);
}

TEST(Seh, NormalCompletionSkipsHandler) {
    volatile int handler = 0, body = 0;
    __try {
        body = 1;
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        handler = 1;
    }
    EXPECT_EQ(body, 1);
    EXPECT_EQ(handler, 0);
}

TEST(Seh, NestedInnerHandles) {
    volatile int outer = 0, inner = 0;
    __try {
        __try {
            RtlRaiseStatus(STATUS_INVALID_PARAMETER);
        } __except (EXCEPTION_EXECUTE_HANDLER) {
            inner = 1;
        }
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        outer = 1;
    }
    EXPECT_EQ(inner, 1);
    EXPECT_EQ(outer, 0);
}

TEST(Seh, ContinueSearchReachesOuterFrame) {
    volatile int inner_filter = 0, inner_handler = 0;
    NTSTATUS outer_code = 0;
    __try {
        __try {
            ExRaiseStatus(STATUS_ACCESS_DENIED);
        } __except (inner_filter = 1, EXCEPTION_CONTINUE_SEARCH) {
            inner_handler = 1;
        }
    } __except (GetExceptionCode() == STATUS_ACCESS_DENIED ? EXCEPTION_EXECUTE_HANDLER : EXCEPTION_CONTINUE_SEARCH) {
        outer_code = GetExceptionCode();
    }
    EXPECT_EQ(inner_filter, 1);
    EXPECT_EQ(inner_handler, 0);
    EXPECT_EQ(outer_code, STATUS_ACCESS_DENIED);
}

TEST(Seh, ContinueExecutionBecomesNoncontinuable) {
    NTSTATUS outer = 0;
    __try {
        __try {
            ExRaiseStatus(STATUS_UNSUCCESSFUL);
        } __except (EXCEPTION_CONTINUE_EXECUTION) {
        }
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        outer = GetExceptionCode();
    }
    EXPECT_EQ(outer, STATUS_NONCONTINUABLE_EXCEPTION);
}

TEST(Seh, FinallyRunsOnNormalAndExceptionalExit) {
    volatile int finally_runs = 0;
    volatile BOOLEAN abnormal = TRUE;
    __try {
        finally_runs = finally_runs + 0;
    } __finally {
        finally_runs = finally_runs + 1;
        abnormal = AbnormalTermination();
    }
    EXPECT_EQ(finally_runs, 1);
    EXPECT_FALSE(abnormal);

    NTSTATUS code = 0;
    __try {
        __try {
            ExRaiseStatus(STATUS_FILE_CLOSED);
        } __finally {
            finally_runs = finally_runs + 1;
            abnormal = AbnormalTermination();
        }
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        code = GetExceptionCode();
    }
    EXPECT_EQ(finally_runs, 2);
    EXPECT_TRUE(abnormal);
    EXPECT_EQ(code, STATUS_FILE_CLOSED);
}

TEST(Seh, LeaveIsNormalTermination) {
    volatile int after_leave = 0, finally_ran = 0;
    volatile BOOLEAN abnormal = TRUE;
    __try {
        if (finally_ran == 0) __leave;
        after_leave = 1;
    } __finally {
        finally_ran = 1;
        abnormal = AbnormalTermination();
    }
    EXPECT_EQ(after_leave, 0);
    EXPECT_EQ(finally_ran, 1);
    EXPECT_FALSE(abnormal);
}

TEST(Seh, NullDereferenceIsAccessViolation) {
    NTSTATUS code = 0;
    ULONG_PTR address = 1;
    __try {
        store_through(nullptr);
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        code = GetExceptionCode();
        address = GetExceptionInformation()->ExceptionRecord->ExceptionInformation[1];
    }
    EXPECT_EQ(code, STATUS_ACCESS_VIOLATION);
    EXPECT_EQ(address, 0u);
}

// A thread that starts with the fault signals blocked (as threads started under ThreadSanitizer do)
// still gets its faults as exceptions: a blocked synchronous fault would kill the process instead.
TEST(Seh, FaultIsCaughtOnAThreadThatBlockedFaultSignals) {
    NTSTATUS code = 0;
    std::thread worker([&code] {
        sigset_t faults;
        sigemptyset(&faults);
        sigaddset(&faults, SIGSEGV);
        sigaddset(&faults, SIGBUS);
        pthread_sigmask(SIG_BLOCK, &faults, nullptr);
        __try {
            store_through(nullptr);
        } __except (EXCEPTION_EXECUTE_HANDLER) {
            code = GetExceptionCode();
        }
    });
    worker.join();
    EXPECT_EQ(code, STATUS_ACCESS_VIOLATION);
}

TEST(Seh, BadPointerReadAndWriteAreAccessViolations) {
    const long page = sysconf(_SC_PAGESIZE);
    void* none = mmap(nullptr, page, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    void* ro = mmap(nullptr, page, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    ASSERT_NE(none, MAP_FAILED);
    ASSERT_NE(ro, MAP_FAILED);
    NTSTATUS read_code = 0, write_code = 0;
    volatile int sink = 0;
    __try {
        sink = *static_cast<volatile int*>(none);
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        read_code = GetExceptionCode();
    }
    ULONG_PTR was_write = 0;
    __try {
        *static_cast<volatile int*>(ro) = 5;
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        write_code = GetExceptionCode();
        was_write = GetExceptionInformation()->ExceptionRecord->ExceptionInformation[0];
    }
    EXPECT_EQ(read_code, STATUS_ACCESS_VIOLATION);
    EXPECT_EQ(write_code, STATUS_ACCESS_VIOLATION);
    EXPECT_EQ(was_write, 1u);
    (void)sink;
    munmap(none, page);
    munmap(ro, page);
}

NTSTATUS probe(bool write, const void* address, SIZE_T length, ULONG alignment) {
    NTSTATUS status = STATUS_SUCCESS;
    __try {
        if (write) ProbeForWrite(const_cast<void*>(address), length, alignment);
        else ProbeForRead(address, length, alignment);
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        status = GetExceptionCode();
    }
    return status;
}

TEST(Seh, ProbeStatuses) {
    alignas(8) char buffer[64] = {};
    EXPECT_EQ(probe(false, buffer, sizeof buffer, 8), STATUS_SUCCESS);
    EXPECT_EQ(probe(true, buffer, sizeof buffer, 8), STATUS_SUCCESS);
    EXPECT_EQ(probe(true, buffer + 1, 4, 4), STATUS_DATATYPE_MISALIGNMENT);
    EXPECT_EQ(probe(false, buffer + 1, 4, 4), STATUS_DATATYPE_MISALIGNMENT);
    EXPECT_EQ(probe(true, nullptr, 0, 4), STATUS_SUCCESS);  // length 0: no checks at all
    EXPECT_EQ(probe(false, reinterpret_cast<void*>(~0ull - 2), 16, 1), STATUS_ACCESS_VIOLATION);  // wraps
    EXPECT_EQ(probe(false, reinterpret_cast<void*>(MmUserProbeAddress), 1, 1), STATUS_ACCESS_VIOLATION);
    EXPECT_EQ(MmUserProbeAddress, 0x7FFFFFFFF000ull);
    const long page = sysconf(_SC_PAGESIZE);
    void* ro = mmap(nullptr, 2 * page, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    ASSERT_NE(ro, MAP_FAILED);
    EXPECT_EQ(probe(false, ro, 2 * page, 1), STATUS_SUCCESS);
    EXPECT_EQ(probe(true, ro, 2 * page, 1), STATUS_ACCESS_VIOLATION);
    munmap(ro, 2 * page);
    // ProbeForRead checks the range and reads nothing ("If the specified range of memory is not
    // within the user-mode address range, ProbeForRead raises the STATUS_ACCESS_VIOLATION
    // exception", -probeforread on Microsoft Learn): an inaccessible page in the user range, or NULL,
    // passes it; ProbeForWrite touches and faults.
    void* none = mmap(nullptr, page, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    EXPECT_EQ(probe(false, none, 4, 4), STATUS_SUCCESS);
    EXPECT_EQ(probe(false, nullptr, 4, 4), STATUS_SUCCESS);
    EXPECT_EQ(probe(true, none, 4, 4), STATUS_ACCESS_VIOLATION);
    munmap(none, page);
}

// The top 64 KiB of the Linux user range (where the main stack sits when address-space
// randomisation is off) is caller memory like any other: probes accept it.
TEST(Seh, ProbeAcceptsTheTopOfTheLinuxUserRange) {
    const long page = sysconf(_SC_PAGESIZE);
    void* const top = reinterpret_cast<void*>(0x7FFFFFFF0000ull);
    void* mapped = mmap(top, page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
    if (mapped == MAP_FAILED) GTEST_SKIP() << "the top of the address space is in use (stack without ASLR)";
    ASSERT_EQ(mapped, top);
    EXPECT_EQ(probe(false, mapped, 64, 8), STATUS_SUCCESS);
    EXPECT_EQ(probe(true, mapped, 64, 8), STATUS_SUCCESS);
    munmap(mapped, page);
}

// NT fact S23: `break` in __try and __except blocks inside a switch leaves the switch.
int switch_with_break(int selector) {
    int result = 0;
    for (int i = 0; i < 1; ++i) {
        switch (selector) {
        case 1:
            __try {
                result = 10;
                break;
            } __except (EXCEPTION_EXECUTE_HANDLER) {
                result = 20;
            }
            result = 99;  // not reached: break left the switch
            break;
        case 2:
            __try {
                ExRaiseStatus(STATUS_BREAKPOINT);
            } __except (EXCEPTION_EXECUTE_HANDLER) {
                result = 30;
                break;
            }
            result = 99;
            break;
        default:
            result = 40;
        }
        result += 1000;  // the loop body continues after the switch
    }
    return result;
}

TEST(Seh, BreakInsideTryAndExceptRefersToTheSwitch) {
    EXPECT_EQ(switch_with_break(1), 1010);
    EXPECT_EQ(switch_with_break(2), 1030);
    EXPECT_EQ(switch_with_break(3), 1040);
    EXPECT_EQ(NtioSehCurrentFrame(), nullptr);
}

int return_from_try() {
    __try {
        return 7;
    } __except (EXCEPTION_EXECUTE_HANDLER) {
    }
    return 0;
}

TEST(Seh, ReturnFromTryPopsTheFrame) {
    EXPECT_EQ(return_from_try(), 7);
    EXPECT_EQ(NtioSehCurrentFrame(), nullptr);
    EXPECT_EQ(raise_and_catch(STATUS_TIMEOUT), STATUS_TIMEOUT);
}

TEST(Seh, ExceptionInHandlerGoesToOuterFrame) {
    NTSTATUS outer = 0;
    __try {
        __try {
            ExRaiseStatus(STATUS_UNSUCCESSFUL);
        } __except (EXCEPTION_EXECUTE_HANDLER) {
            ExRaiseStatus(STATUS_NO_MEMORY);
        }
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        outer = GetExceptionCode();
    }
    EXPECT_EQ(outer, STATUS_NO_MEMORY);
}

TEST(Seh, FaultWithoutFrameStillCrashes) {
    GTEST_FLAG_SET(death_test_style, "threadsafe");
    EXPECT_DEATH(
        store_through(nullptr),
        "");
}

}  // namespace
