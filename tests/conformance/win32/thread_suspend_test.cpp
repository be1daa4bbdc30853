// SuspendThread, ResumeThread and CREATE_SUSPENDED: a suspend count per thread (at most
// MAXIMUM_SUSPEND_COUNT), each call answering the count before it, the thread running only while
// the count is zero; NtSuspendThread / NtResumeThread / NtAlertResumeThread beneath them.
// https://learn.microsoft.com/windows/win32/api/processthreadsapi/nf-processthreadsapi-suspendthread
// https://learn.microsoft.com/windows/win32/api/processthreadsapi/nf-processthreadsapi-resumethread
#include "win32_test_support.hpp"

#include <ntio/ntapi.h>

namespace ntio::test {
namespace {

struct SuspendProbe {
    HANDLE wake = nullptr;  // the worker waits on it first, when set
    std::atomic<bool> started{false};
    std::atomic<bool> woke{false};
    std::atomic<DWORD> self_suspend_answer{0xFFFFFFFFu};
    std::atomic<bool> resumed{false};                 // set by the resumer just before its resume
    std::atomic<bool> resumed_when_it_went_on{false};
    bool suspend_itself = false;
};

DWORD WINAPI suspend_probe_worker(LPVOID parameter) {
    auto* probe = static_cast<SuspendProbe*>(parameter);
    probe->started.store(true);
    if (probe->suspend_itself) {
        probe->self_suspend_answer.store(SuspendThread(GetCurrentThread()));
        probe->resumed_when_it_went_on.store(probe->resumed.load());
    }
    if (probe->wake) {
        if (WaitForSingleObject(probe->wake, INFINITE) != WAIT_OBJECT_0) return 1;
        probe->woke.store(true);
    }
    return 77;
}

TEST_F(Win32Test, a_thread_created_suspended_runs_after_its_resume) {
    SuspendProbe probe;
    Win32Handle thread(CreateThread(nullptr, 0, suspend_probe_worker, &probe, CREATE_SUSPENDED, nullptr));
    ASSERT_NE(thread.get(), nullptr) << GetLastError();
    EXPECT_EQ(WaitForSingleObject(thread, 50), static_cast<DWORD>(WAIT_TIMEOUT));
    EXPECT_FALSE(probe.started.load());
    DWORD code = 0;
    ASSERT_TRUE(GetExitCodeThread(thread, &code));
    EXPECT_EQ(code, STILL_ACTIVE);
    // The counts stack: another suspension makes 2, and the thread waits for both resumes.
    EXPECT_EQ(SuspendThread(thread), 1u);
    EXPECT_EQ(ResumeThread(thread), 2u);
    EXPECT_EQ(WaitForSingleObject(thread, 20), static_cast<DWORD>(WAIT_TIMEOUT));
    EXPECT_FALSE(probe.started.load());
    EXPECT_EQ(ResumeThread(thread), 1u);
    EXPECT_EQ(WaitForSingleObject(thread, INFINITE), WAIT_OBJECT_0);
    EXPECT_TRUE(probe.started.load());
    ASSERT_TRUE(GetExitCodeThread(thread, &code));
    EXPECT_EQ(code, 77u);
    // A thread that is not suspended: 0, nothing changes.
    EXPECT_EQ(ResumeThread(thread), 0u);
}

TEST_F(Win32Test, a_waiting_thread_stays_suspended_when_its_wait_is_satisfied) {
    SuspendProbe probe;
    Win32Handle wake(CreateEventW(nullptr, TRUE, FALSE, nullptr));
    probe.wake = wake;
    Win32Handle thread(CreateThread(nullptr, 0, suspend_probe_worker, &probe, 0, nullptr));
    ASSERT_NE(thread.get(), nullptr);
    while (!probe.started.load()) Sleep(1);
    EXPECT_EQ(SuspendThread(thread), 0u);
    ASSERT_TRUE(SetEvent(wake));
    // Suspended in its wait (the suspend APC interrupts it): the satisfied wait does not let it on.
    EXPECT_EQ(WaitForSingleObject(thread, 50), static_cast<DWORD>(WAIT_TIMEOUT));
    EXPECT_FALSE(probe.woke.load());
    EXPECT_EQ(ResumeThread(thread), 1u);
    EXPECT_EQ(WaitForSingleObject(thread, INFINITE), WAIT_OBJECT_0);
    EXPECT_TRUE(probe.woke.load());
}

TEST_F(Win32Test, a_thread_that_suspends_itself_waits_for_another_to_resume_it) {
    SuspendProbe probe;
    probe.suspend_itself = true;
    Win32Handle thread(CreateThread(nullptr, 0, suspend_probe_worker, &probe, 0, nullptr));
    ASSERT_NE(thread.get(), nullptr);
    // A resume of a thread that is not suspended answers 0 and changes nothing: poll until the
    // thread's own call has raised its count, then let it go.
    DWORD previous = 0;
    for (;;) {
        probe.resumed.store(true);
        if ((previous = ResumeThread(thread)) != 0) break;
        probe.resumed.store(false);
        Sleep(1);
    }
    EXPECT_EQ(previous, 1u);
    EXPECT_EQ(WaitForSingleObject(thread, INFINITE), WAIT_OBJECT_0);
    EXPECT_EQ(probe.self_suspend_answer.load(), 0u);  // its own call answers the count before it
    EXPECT_TRUE(probe.resumed_when_it_went_on.load());  // it went on only once resumed
}

TEST_F(Win32Test, the_suspend_count_stops_at_maximum_suspend_count) {
    SuspendProbe probe;
    Win32Handle thread(CreateThread(nullptr, 0, suspend_probe_worker, &probe, CREATE_SUSPENDED, nullptr));
    ASSERT_NE(thread.get(), nullptr);
    for (DWORD count = 1; count < MAXIMUM_SUSPEND_COUNT; ++count) ASSERT_EQ(SuspendThread(thread), count);
    ULONG held = 0;
    EXPECT_EQ(NtQueryInformationThread(thread, ThreadSuspendCount, &held, sizeof held, nullptr), STATUS_SUCCESS);
    EXPECT_EQ(held, ULONG{MAXIMUM_SUSPEND_COUNT});
    EXPECT_EQ(SuspendThread(thread), static_cast<DWORD>(-1));
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_SIGNAL_REFUSED));
    ULONG previous = 0;
    EXPECT_EQ(NtSuspendThread(thread, &previous), STATUS_SUSPEND_COUNT_EXCEEDED);
    for (DWORD count = MAXIMUM_SUSPEND_COUNT; count >= 1; --count) ASSERT_EQ(ResumeThread(thread), count);
    EXPECT_EQ(WaitForSingleObject(thread, INFINITE), WAIT_OBJECT_0);
}

TEST_F(Win32Test, suspend_and_resume_refuse_bad_handles_and_missing_rights) {
    EXPECT_EQ(SuspendThread(nullptr), static_cast<DWORD>(-1));
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_INVALID_HANDLE));
    EXPECT_EQ(ResumeThread(nullptr), static_cast<DWORD>(-1));
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_INVALID_HANDLE));
    Win32Handle event(CreateEventW(nullptr, TRUE, FALSE, nullptr));
    EXPECT_EQ(SuspendThread(event), static_cast<DWORD>(-1));
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_INVALID_HANDLE));
    EXPECT_EQ(NtResumeThread(event, nullptr), STATUS_OBJECT_TYPE_MISMATCH);

    SuspendProbe probe;
    Win32Handle thread(CreateThread(nullptr, 0, suspend_probe_worker, &probe, CREATE_SUSPENDED, nullptr));
    ASSERT_NE(thread.get(), nullptr);
    HANDLE query_only = nullptr;
    ASSERT_TRUE(DuplicateHandle(GetCurrentProcess(), thread, GetCurrentProcess(), &query_only,
                                THREAD_QUERY_INFORMATION, FALSE, 0));
    Win32Handle query(query_only);
    EXPECT_EQ(ResumeThread(query), static_cast<DWORD>(-1));
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_ACCESS_DENIED));
    // A previous-count pointer outside the user range: nothing changes.
    auto* kernel_address = reinterpret_cast<PULONG>(0xFFFF800000001000ULL);
    EXPECT_EQ(NtResumeThread(thread, kernel_address), STATUS_ACCESS_VIOLATION);
    EXPECT_EQ(NtSuspendThread(thread, kernel_address), STATUS_ACCESS_VIOLATION);
    ULONG previous = 0;
    EXPECT_EQ(NtAlertResumeThread(thread, &previous), STATUS_SUCCESS);
    EXPECT_EQ(previous, 1u);
    EXPECT_EQ(WaitForSingleObject(thread, INFINITE), WAIT_OBJECT_0);
    // Once the thread has ended it cannot be suspended; a resume finds nothing to undo.
    EXPECT_EQ(SuspendThread(thread), static_cast<DWORD>(-1));
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_ACCESS_DENIED));
    EXPECT_EQ(ResumeThread(thread), 0u);
}

}  // namespace
}  // namespace ntio::test
