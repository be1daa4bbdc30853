// kernel32 error modes: SetErrorMode / GetErrorMode (the process's, over NtSetInformationProcess
// ProcessDefaultHardErrorMode), SetThreadErrorMode / GetThreadErrorMode (each thread's own), and
// the errors for modes a thread cannot take.
#include "win32_test_support.hpp"

#include <ntio/ntapi.h>

namespace ntio::test {
namespace {

constexpr UINT kAllProcessModes =
    SEM_FAILCRITICALERRORS | SEM_NOGPFAULTERRORBOX | SEM_NOALIGNMENTFAULTEXCEPT | SEM_NOOPENFILEERRORBOX;

TEST_F(Win32Test, set_error_mode_returns_the_previous_mode_and_get_error_mode_reads_it) {
    EXPECT_EQ(GetErrorMode(), 0u) << "a new process shows every error box";
    EXPECT_EQ(SetErrorMode(SEM_FAILCRITICALERRORS | SEM_NOOPENFILEERRORBOX), 0u);
    EXPECT_EQ(GetErrorMode(), UINT{SEM_FAILCRITICALERRORS | SEM_NOOPENFILEERRORBOX});
    EXPECT_EQ(SetErrorMode(SEM_NOGPFAULTERRORBOX), UINT{SEM_FAILCRITICALERRORS | SEM_NOOPENFILEERRORBOX});
    EXPECT_EQ(GetErrorMode(), UINT{SEM_NOGPFAULTERRORBOX});
    EXPECT_EQ(SetErrorMode(0), UINT{SEM_NOGPFAULTERRORBOX});
    EXPECT_EQ(GetErrorMode(), 0u);
}

// "After this value is set for a process, subsequent attempts to clear the value are ignored."
TEST_F(Win32Test, the_alignment_fault_mode_stays_once_set) {
    EXPECT_EQ(SetErrorMode(SEM_NOALIGNMENTFAULTEXCEPT | SEM_FAILCRITICALERRORS), 0u);
    EXPECT_EQ(SetErrorMode(0), UINT{SEM_NOALIGNMENTFAULTEXCEPT | SEM_FAILCRITICALERRORS});
    EXPECT_EQ(GetErrorMode(), UINT{SEM_NOALIGNMENTFAULTEXCEPT});
    EXPECT_EQ(SetErrorMode(kAllProcessModes), UINT{SEM_NOALIGNMENTFAULTEXCEPT});
    EXPECT_EQ(GetErrorMode(), kAllProcessModes);
}

// The process's mode is its default hard error mode, whose bit 0 says that critical errors are shown:
// the opposite of SEM_FAILCRITICALERRORS.
TEST_F(Win32Test, the_process_error_mode_is_its_default_hard_error_mode) {
    ULONG hard = 0;
    ASSERT_EQ(NtQueryInformationProcess(NtCurrentProcess(), ProcessDefaultHardErrorMode, &hard, sizeof hard, nullptr),
              STATUS_SUCCESS);
    EXPECT_EQ(hard, 1u);
    (void)SetErrorMode(SEM_FAILCRITICALERRORS | SEM_NOGPFAULTERRORBOX);
    ASSERT_EQ(NtQueryInformationProcess(NtCurrentProcess(), ProcessDefaultHardErrorMode, &hard, sizeof hard, nullptr),
              STATUS_SUCCESS);
    EXPECT_EQ(hard, ULONG{SEM_NOGPFAULTERRORBOX});
    hard = 1 | SEM_NOOPENFILEERRORBOX;
    ASSERT_EQ(NtSetInformationProcess(NtCurrentProcess(), ProcessDefaultHardErrorMode, &hard, sizeof hard),
              STATUS_SUCCESS);
    EXPECT_EQ(GetErrorMode(), UINT{SEM_NOOPENFILEERRORBOX});
    (void)SetErrorMode(0);
}

DWORD WINAPI report_thread_error_mode(LPVOID) {
    const DWORD initial = GetThreadErrorMode();
    if (!SetThreadErrorMode(SEM_NOGPFAULTERRORBOX, nullptr)) return 0xFFFF;
    return initial | (GetThreadErrorMode() << 16);
}

TEST_F(Win32Test, a_threads_error_mode_is_its_own) {
    DWORD old_mode = 0xDEAD;
    ASSERT_TRUE(SetThreadErrorMode(SEM_FAILCRITICALERRORS | SEM_NOOPENFILEERRORBOX, &old_mode));
    EXPECT_EQ(old_mode, 0u);
    EXPECT_EQ(GetThreadErrorMode(), DWORD{SEM_FAILCRITICALERRORS | SEM_NOOPENFILEERRORBOX});
    EXPECT_EQ(GetErrorMode(), 0u) << "the thread's mode is not the process's";

    // A new thread starts with none of its own (the process's mode applies to it whatever it holds),
    // and what it sets stays its own.
    (void)SetErrorMode(SEM_FAILCRITICALERRORS);
    Win32Handle thread(CreateThread(nullptr, 0, report_thread_error_mode, nullptr, 0, nullptr));
    ASSERT_NE(thread.get(), nullptr);
    ASSERT_EQ(WaitForSingleObject(thread, INFINITE), WAIT_OBJECT_0);
    DWORD code = 0;
    ASSERT_TRUE(GetExitCodeThread(thread, &code));
    EXPECT_EQ(code, DWORD{SEM_NOGPFAULTERRORBOX} << 16);
    EXPECT_EQ(GetThreadErrorMode(), DWORD{SEM_FAILCRITICALERRORS | SEM_NOOPENFILEERRORBOX});

    ASSERT_TRUE(SetThreadErrorMode(0, &old_mode));
    EXPECT_EQ(old_mode, DWORD{SEM_FAILCRITICALERRORS | SEM_NOOPENFILEERRORBOX});
    (void)SetErrorMode(0);
}

TEST_F(Win32Test, a_thread_cannot_take_a_mode_outside_its_three) {
    ASSERT_TRUE(SetThreadErrorMode(SEM_NOOPENFILEERRORBOX, nullptr));
    for (DWORD bad : {DWORD{SEM_NOALIGNMENTFAULTEXCEPT}, DWORD{0x10}, DWORD{SEM_FAILCRITICALERRORS | 0x80000000u}}) {
        DWORD old_mode = 0xDEAD;
        SetLastError(0);
        EXPECT_FALSE(SetThreadErrorMode(bad, &old_mode)) << bad;
        EXPECT_EQ(GetLastError(), DWORD(ERROR_INVALID_PARAMETER));
        EXPECT_EQ(old_mode, 0xDEADu) << "nothing is written on failure";
        EXPECT_EQ(GetThreadErrorMode(), DWORD{SEM_NOOPENFILEERRORBOX});
    }
    ASSERT_TRUE(SetThreadErrorMode(0, nullptr));
}

}  // namespace
}  // namespace ntio::test
