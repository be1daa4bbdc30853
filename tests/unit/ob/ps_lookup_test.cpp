// PsLookupProcessByProcessId and PsLookupThreadByThreadId through the DDK surface: the object with
// that client id, referenced; STATUS_INVALID_PARAMETER for an id no live object has (Learn: "not
// found"), including the id of a thread whose object is gone.
// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-pslookupprocessbyprocessid
// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-pslookupthreadbythreadid
#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include <ntifs.h>

#include "ob/object_manager.hpp"
#include "support/system_fixture.hpp"

namespace ntio::ob::test {
namespace ps_lookup {

using PsLookupTest = ntio::test::SystemTest;

TEST_F(PsLookupTest, processes_by_id) {
    PEPROCESS process = nullptr;
    ASSERT_EQ(PsLookupProcessByProcessId(PsGetCurrentProcessId(), &process), STATUS_SUCCESS);
    EXPECT_EQ(process, PsGetCurrentProcess());
    ObDereferenceObject(process);
    ASSERT_EQ(PsLookupProcessByProcessId(reinterpret_cast<HANDLE>(4), &process), STATUS_SUCCESS);
    EXPECT_EQ(PsGetProcessId(process), reinterpret_cast<HANDLE>(4));
    EXPECT_NE(process, PsGetCurrentProcess());
    ObDereferenceObject(process);

    process = reinterpret_cast<PEPROCESS>(1);
    EXPECT_EQ(PsLookupProcessByProcessId(reinterpret_cast<HANDLE>(0x7ffffff0), &process), STATUS_INVALID_PARAMETER);
    EXPECT_EQ(process, nullptr);
    EXPECT_EQ(PsLookupProcessByProcessId(nullptr, &process), STATUS_INVALID_PARAMETER);
    EXPECT_EQ(PsLookupProcessByProcessId(PsGetCurrentProcessId(), nullptr), STATUS_INVALID_PARAMETER);
}

// A process created later is found while it exists, even after it terminated, and not once deleted.
TEST_F(PsLookupTest, a_process_is_found_until_it_is_deleted) {
    PEPROCESS created = nullptr;
    ASSERT_EQ(system().objects().create_process(nullptr, u"lookup", &created), STATUS_SUCCESS);
    const HANDLE id = PsGetProcessId(created);
    system().objects().terminate_process(created, STATUS_SUCCESS);
    PEPROCESS found = nullptr;
    ASSERT_EQ(PsLookupProcessByProcessId(id, &found), STATUS_SUCCESS);
    EXPECT_EQ(found, created);
    ObDereferenceObject(found);
    ObDereferenceObject(created);
    EXPECT_EQ(PsLookupProcessByProcessId(id, &found), STATUS_INVALID_PARAMETER);
}

VOID NTAPI quick(PVOID) {}

TEST_F(PsLookupTest, threads_by_id) {
    PETHREAD thread = nullptr;
    ASSERT_EQ(PsLookupThreadByThreadId(PsGetCurrentThreadId(), &thread), STATUS_SUCCESS);
    EXPECT_EQ(thread, PsGetCurrentThread());
    ObDereferenceObject(thread);

    // A system thread: found while its object lives (our reference keeps it past its end), not after.
    OBJECT_ATTRIBUTES oa;
    InitializeObjectAttributes(&oa, nullptr, OBJ_KERNEL_HANDLE, nullptr, nullptr);
    HANDLE handle = nullptr;
    CLIENT_ID cid{};
    ASSERT_EQ(PsCreateSystemThread(&handle, THREAD_ALL_ACCESS, &oa, nullptr, &cid, quick, nullptr), STATUS_SUCCESS);
    ASSERT_EQ(PsLookupThreadByThreadId(cid.UniqueThread, &thread), STATUS_SUCCESS);
    EXPECT_EQ(PsGetThreadId(thread), cid.UniqueThread);
    EXPECT_EQ(PsGetThreadProcessId(thread), reinterpret_cast<HANDLE>(4));
    LARGE_INTEGER guard;
    guard.QuadPart = -600LL * 10'000'000;  // hang guard only
    EXPECT_EQ(KeWaitForSingleObject(thread, Executive, KernelMode, FALSE, &guard), STATUS_SUCCESS);
    EXPECT_EQ(ZwClose(handle), STATUS_SUCCESS);
    PETHREAD again = nullptr;
    ASSERT_EQ(PsLookupThreadByThreadId(cid.UniqueThread, &again), STATUS_SUCCESS) << "ended, still referenced";
    EXPECT_EQ(again, thread);
    ObDereferenceObject(again);
    ObDereferenceObject(thread);
    // The thread's own reference goes once it has released itself.
    NTSTATUS status = STATUS_SUCCESS;
    for (int i = 0; i < 20000 && status == STATUS_SUCCESS; ++i) {
        status = PsLookupThreadByThreadId(cid.UniqueThread, &again);
        if (status == STATUS_SUCCESS) {
            ObDereferenceObject(again);
            std::this_thread::sleep_for(std::chrono::milliseconds(1));
        }
    }
    EXPECT_EQ(status, STATUS_INVALID_PARAMETER);
    EXPECT_EQ(PsLookupThreadByThreadId(nullptr, &again), STATUS_INVALID_PARAMETER);
    EXPECT_EQ(PsLookupThreadByThreadId(PsGetCurrentThreadId(), nullptr), STATUS_INVALID_PARAMETER);
}

}  // namespace ps_lookup
}  // namespace ntio::ob::test

namespace ntio::ob::test {
namespace ps_times {

using PsTimesTest = ntio::test::SystemTest;

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nf-ntddk-psgetprocesscreatetimequadpart
TEST_F(PsTimesTest, create_time_is_when_the_process_was_created) {
    LARGE_INTEGER before;
    KeQuerySystemTime(&before);
    PEPROCESS created = nullptr;
    ASSERT_EQ(system().objects().create_process(nullptr, u"times", &created), STATUS_SUCCESS);
    LARGE_INTEGER after;
    KeQuerySystemTime(&after);
    const LONGLONG created_at = PsGetProcessCreateTimeQuadPart(created);
    EXPECT_GE(created_at, before.QuadPart);
    EXPECT_LE(created_at, after.QuadPart);
    EXPECT_GT(PsGetProcessCreateTimeQuadPart(PsGetCurrentProcess()), 0);
    EXPECT_LE(PsGetProcessCreateTimeQuadPart(PsGetCurrentProcess()), before.QuadPart);
    EXPECT_EQ(PsGetProcessCreateTimeQuadPart(nullptr), 0) << "a NULL process answers 0, no fault";
    system().objects().terminate_process(created, STATUS_SUCCESS);
    ObDereferenceObject(created);
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-psgetprocessexittime: the
// current process's; zero while it runs, the termination's time once it has terminated.
TEST_F(PsTimesTest, exit_time_of_the_current_process) {
    EXPECT_EQ(PsGetProcessExitTime().QuadPart, 0) << "a running process";
    PEPROCESS created = nullptr;
    ASSERT_EQ(system().objects().create_process(nullptr, u"exit-time", &created), STATUS_SUCCESS);
    LARGE_INTEGER before;
    KeQuerySystemTime(&before);
    system().objects().terminate_process(created, STATUS_SUCCESS);
    LARGE_INTEGER after;
    KeQuerySystemTime(&after);
    KAPC_STATE apc_state;
    KeStackAttachProcess(created, &apc_state);
    const LONGLONG exited = PsGetProcessExitTime().QuadPart;
    KeUnstackDetachProcess(&apc_state);
    EXPECT_GE(exited, before.QuadPart);
    EXPECT_LE(exited, after.QuadPart);
    EXPECT_EQ(PsGetProcessExitTime().QuadPart, 0) << "back in the running process";
    ObDereferenceObject(created);
}

}  // namespace ps_times
}  // namespace ntio::ob::test
