// ZwTerminateProcess through the DDK surface: a process opened with ZwOpenProcess ends with the
// exit status given (its object signalled, its basic information reporting the status); a second
// call is STATUS_PROCESS_IS_TERMINATING; a handle without PROCESS_TERMINATE, a thread handle or a
// bad handle fail as Learn lists; ntio refuses the caller's own process and the System process.
// The ended process's threads have their waits cut short as Learn's "Waits and APCs" table says
// termination does: user-mode waits (alertable or not) end with STATUS_USER_APC, alertable
// kernel-mode waits with STATUS_ALERTED, and so does every such wait after; a non-alertable
// kernel-mode wait, or any wait of a thread in a critical region, runs on; the thread's user APCs
// do not run (they are run down when it ends); FsRtl's cancellable wait returns
// STATUS_THREAD_IS_TERMINATING.
// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nf-ntddk-zwterminateprocess
// https://learn.microsoft.com/windows-hardware/drivers/kernel/waits-and-apcs
#include "unit/ob/ob_test_support.hpp"

#include <ntifs.h>
#include <ntio/ntapi.h>

#include <atomic>
#include <iterator>

namespace process_terminate_test {

class ProcessTerminateTest : public ntio::ob::test::ObTest {
protected:
    HANDLE open(HANDLE process_id, ACCESS_MASK access, ULONG attributes = OBJ_KERNEL_HANDLE) {
        OBJECT_ATTRIBUTES oa;
        InitializeObjectAttributes(&oa, nullptr, attributes, nullptr, nullptr);
        CLIENT_ID cid{process_id, nullptr};
        HANDLE handle = nullptr;
        EXPECT_EQ(ZwOpenProcess(&handle, access, &oa, &cid), STATUS_SUCCESS);
        return handle;
    }
};

TEST_F(ProcessTerminateTest, ends_the_process_with_its_exit_status) {
    PEPROCESS child = nullptr;
    ASSERT_EQ(om().create_process(nullptr, u"victim", &child), STATUS_SUCCESS);
    HANDLE h = open(PsGetProcessId(child), PROCESS_TERMINATE | PROCESS_QUERY_LIMITED_INFORMATION | SYNCHRONIZE);
    ASSERT_NE(h, nullptr);
    ASSERT_EQ(ZwTerminateProcess(h, STATUS_CANCELLED), STATUS_SUCCESS);
    LARGE_INTEGER no_wait{};
    EXPECT_EQ(KeWaitForSingleObject(child, Executive, KernelMode, FALSE, &no_wait), STATUS_SUCCESS)
        << "a terminated process is signalled";
    PROCESS_BASIC_INFORMATION basic{};
    ASSERT_EQ(ZwQueryInformationProcess(h, ProcessBasicInformation, &basic, sizeof basic, nullptr), STATUS_SUCCESS);
    EXPECT_EQ(basic.ExitStatus, STATUS_CANCELLED);
    EXPECT_EQ(ZwTerminateProcess(h, STATUS_SUCCESS), STATUS_PROCESS_IS_TERMINATING);
    EXPECT_EQ(ZwClose(h), STATUS_SUCCESS);
    ObDereferenceObject(child);
}

TEST_F(ProcessTerminateTest, bad_handles_and_missing_access) {
    PEPROCESS child = nullptr;
    ASSERT_EQ(om().create_process(nullptr, u"survivor", &child), STATUS_SUCCESS);
    HANDLE query_only = open(PsGetProcessId(child), PROCESS_QUERY_LIMITED_INFORMATION, 0);  // a user handle
    EXPECT_EQ(NtTerminateProcess(query_only, STATUS_SUCCESS), STATUS_ACCESS_DENIED)
        << "a user-mode call needs PROCESS_TERMINATE";
    EXPECT_EQ(ZwTerminateProcess(reinterpret_cast<HANDLE>(0x7ffc), STATUS_SUCCESS), STATUS_INVALID_HANDLE);
    EXPECT_EQ(ZwTerminateProcess(nullptr, STATUS_SUCCESS), STATUS_INVALID_HANDLE) << "ntio: no NULL form";
    OBJECT_ATTRIBUTES oa;
    InitializeObjectAttributes(&oa, nullptr, OBJ_KERNEL_HANDLE, nullptr, nullptr);
    CLIENT_ID tid{nullptr, PsGetCurrentThreadId()};
    HANDLE thread = nullptr;
    ASSERT_EQ(ZwOpenThread(&thread, THREAD_ALL_ACCESS, &oa, &tid), STATUS_SUCCESS);
    EXPECT_EQ(ZwTerminateProcess(thread, STATUS_SUCCESS), STATUS_OBJECT_TYPE_MISMATCH);
    EXPECT_EQ(ZwClose(thread), STATUS_SUCCESS);
    HANDLE self = open(PsGetCurrentProcessId(), PROCESS_TERMINATE);
    EXPECT_EQ(ZwTerminateProcess(self, STATUS_SUCCESS), STATUS_ACCESS_DENIED) << "ntio: not the caller's own";
    EXPECT_EQ(ZwClose(self), STATUS_SUCCESS);
    HANDLE system_process = open(reinterpret_cast<HANDLE>(4), PROCESS_TERMINATE);
    EXPECT_EQ(ZwTerminateProcess(system_process, STATUS_SUCCESS), STATUS_ACCESS_DENIED);
    EXPECT_EQ(ZwClose(system_process), STATUS_SUCCESS);
    EXPECT_FALSE(child->m_terminating.load()) << "nothing ended it";
    EXPECT_EQ(ZwClose(query_only), STATUS_SUCCESS);
    om().terminate_process(child, STATUS_SUCCESS);
    ObDereferenceObject(child);
}

// A thread of the process to be ended: it waits twice on `event` in `mode`, `alertable`, inside a
// critical region when asked.
struct Waiter {
    KPROCESSOR_MODE mode;
    BOOLEAN alertable;
    bool critical_region;
    KEVENT* event;
    std::atomic<NTSTATUS> first{STATUS_PENDING};
    std::atomic<NTSTATUS> second{STATUS_PENDING};
};

VOID waiter_routine(PVOID context) {
    auto* w = static_cast<Waiter*>(context);
    if (w->critical_region) KeEnterCriticalRegion();
    w->first = KeWaitForSingleObject(w->event, Executive, w->mode, w->alertable, nullptr);
    w->second = KeWaitForSingleObject(w->event, Executive, w->mode, w->alertable, nullptr);
    if (w->critical_region) KeLeaveCriticalRegion();
    PsTerminateSystemThread(STATUS_SUCCESS);
}

// FsRtl's cancellable wait, in another thread of the process: termination ends it with
// STATUS_THREAD_IS_TERMINATING, as its Learn page lists.
VOID cancellable_waiter_routine(PVOID context) {
    auto* w = static_cast<Waiter*>(context);
    w->first = FsRtlCancellableWaitForSingleObject(w->event, nullptr, nullptr);
    w->second = FsRtlCancellableWaitForSingleObject(w->event, nullptr, nullptr);
    PsTerminateSystemThread(STATUS_SUCCESS);
}

std::atomic<int> g_user_apc_ran{0};
std::atomic<int> g_user_apc_rundown{0};
VOID user_apc_kernel_routine(PKAPC, PKNORMAL_ROUTINE*, PVOID*, PVOID*, PVOID*) {}
VOID user_apc_normal_routine(PVOID, PVOID, PVOID) { ++g_user_apc_ran; }
VOID user_apc_rundown(PKAPC) { ++g_user_apc_rundown; }

TEST_F(ProcessTerminateTest, ends_the_waits_termination_interrupts_and_no_other) {
    PEPROCESS child = nullptr;
    ASSERT_EQ(om().create_process(nullptr, u"sleepers", &child), STATUS_SUCCESS);
    HANDLE h = open(PsGetProcessId(child), PROCESS_ALL_ACCESS);
    ASSERT_NE(h, nullptr);
    KEVENT never;  // set only after the process ended, for the waits that must run on
    KeInitializeEvent(&never, NotificationEvent, FALSE);
    Waiter waiters[] = {
        {UserMode, FALSE, false, &never},   // interrupted: STATUS_USER_APC
        {UserMode, TRUE, false, &never},    // interrupted: STATUS_USER_APC
        {KernelMode, TRUE, false, &never},  // interrupted: STATUS_ALERTED
        {KernelMode, FALSE, false, &never}, // runs on
        {UserMode, TRUE, true, &never},     // kernel APCs disabled: runs on
        {KernelMode, TRUE, false, &never},  // FsRtlCancellableWaitForSingleObject
    };
    constexpr std::size_t kCancellable = std::size(waiters) - 1;
    PKTHREAD threads[std::size(waiters)] = {};
    for (std::size_t i = 0; i < std::size(waiters); ++i) {
        OBJECT_ATTRIBUTES oa;
        InitializeObjectAttributes(&oa, nullptr, OBJ_KERNEL_HANDLE, nullptr, nullptr);
        HANDLE thread = nullptr;
        ASSERT_EQ(PsCreateSystemThread(&thread, THREAD_ALL_ACCESS, &oa, h, nullptr,
                                       i == kCancellable ? cancellable_waiter_routine : waiter_routine, &waiters[i]),
                  STATUS_SUCCESS);
        ASSERT_EQ(ObReferenceObjectByHandle(thread, SYNCHRONIZE, *PsThreadType, KernelMode,
                                            reinterpret_cast<PVOID*>(&threads[i]), nullptr),
                  STATUS_SUCCESS);
        EXPECT_EQ(ZwClose(thread), STATUS_SUCCESS);
    }
    // A user APC for the first waiter, whose wait is not alertable: termination must not run it.
    g_user_apc_ran = 0;
    g_user_apc_rundown = 0;
    KAPC apc;
    KeInitializeApc(&apc, threads[0], OriginalApcEnvironment, user_apc_kernel_routine, user_apc_rundown,
                    user_apc_normal_routine, UserMode, nullptr);
    ASSERT_TRUE(KeInsertQueueApc(&apc, nullptr, nullptr, 0));

    ASSERT_EQ(ZwTerminateProcess(h, STATUS_CANCELLED), STATUS_SUCCESS);
    LARGE_INTEGER guard;
    guard.QuadPart = -120LL * 10'000'000;  // hang guard only
    for (std::size_t i = 0; i < 3; ++i)
        EXPECT_EQ(KeWaitForSingleObject(threads[i], Executive, KernelMode, FALSE, &guard), STATUS_SUCCESS)
            << "waiter " << i << " was not released by the termination";
    EXPECT_EQ(waiters[0].first.load(), STATUS_USER_APC);
    EXPECT_EQ(waiters[0].second.load(), STATUS_USER_APC) << "every later user-mode wait is interrupted too";
    EXPECT_EQ(waiters[1].first.load(), STATUS_USER_APC);
    EXPECT_EQ(waiters[1].second.load(), STATUS_USER_APC);
    EXPECT_EQ(waiters[2].first.load(), STATUS_ALERTED);
    EXPECT_EQ(waiters[2].second.load(), STATUS_ALERTED);
    EXPECT_EQ(KeWaitForSingleObject(threads[kCancellable], Executive, KernelMode, FALSE, &guard), STATUS_SUCCESS);
    EXPECT_EQ(waiters[kCancellable].first.load(), STATUS_THREAD_IS_TERMINATING);
    EXPECT_EQ(waiters[kCancellable].second.load(), STATUS_THREAD_IS_TERMINATING);
    EXPECT_EQ(g_user_apc_ran.load(), 0) << "a terminating thread runs no user APC";
    EXPECT_EQ(g_user_apc_rundown.load(), 1) << "it is run down when the thread ends";

    EXPECT_EQ(waiters[3].first.load(), STATUS_PENDING) << "a non-alertable kernel-mode wait runs on";
    EXPECT_EQ(waiters[4].first.load(), STATUS_PENDING) << "a thread in a critical region cannot be ended meanwhile";
    KeSetEvent(&never, IO_NO_INCREMENT, FALSE);
    for (std::size_t i = 3; i < kCancellable; ++i)
        EXPECT_EQ(KeWaitForSingleObject(threads[i], Executive, KernelMode, FALSE, &guard), STATUS_SUCCESS);
    EXPECT_EQ(waiters[3].first.load(), STATUS_SUCCESS);
    EXPECT_EQ(waiters[3].second.load(), STATUS_SUCCESS);
    EXPECT_EQ(waiters[4].first.load(), STATUS_SUCCESS);
    EXPECT_EQ(waiters[4].second.load(), STATUS_SUCCESS);
    for (PKTHREAD t : threads) ObDereferenceObject(t);
    EXPECT_EQ(ZwClose(h), STATUS_SUCCESS);
    ObDereferenceObject(child);
}

}  // namespace process_terminate_test
