// Process and thread notify routines through the DDK surface: registration limits and statuses as
// Learn gives them, thread notifications for PsCreateSystemThread threads (created on the creating
// thread, ended on the thread itself), and removal that waits for a call in flight and is final.
// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nf-ntddk-pssetcreatethreadnotifyroutine
// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nf-ntddk-psremovecreatethreadnotifyroutine
// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nf-ntddk-pssetcreateprocessnotifyroutineex
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <thread>
#include <vector>

#include <ntddk.h>

#include "support/system_fixture.hpp"

namespace ntio::ob::test {
namespace ps_notify {

using PsNotifyTest = ntio::test::SystemTest;

struct Seen {
    HANDLE process;
    HANDLE thread;
    BOOLEAN create;
    HANDLE caller;  // PsGetCurrentThreadId in the routine
};
std::mutex g_lock;
std::vector<Seen> g_seen;

VOID record(HANDLE process, HANDLE thread, BOOLEAN create) {
    std::lock_guard guard(g_lock);
    g_seen.push_back({process, thread, create, PsGetCurrentThreadId()});
}

VOID NTAPI returns(PVOID) {}
VOID NTAPI terminates(PVOID) { PsTerminateSystemThread(STATUS_SUCCESS); }

// Creates a system thread and waits for it to end; its client id in *cid.
void run_thread(PKSTART_ROUTINE routine, CLIENT_ID* cid, PVOID context = nullptr) {
    OBJECT_ATTRIBUTES oa;
    InitializeObjectAttributes(&oa, nullptr, OBJ_KERNEL_HANDLE, nullptr, nullptr);
    HANDLE handle = nullptr;
    ASSERT_EQ(PsCreateSystemThread(&handle, THREAD_ALL_ACCESS, &oa, nullptr, cid, routine, context), STATUS_SUCCESS);
    PVOID thread = nullptr;
    ASSERT_EQ(ObReferenceObjectByHandle(handle, SYNCHRONIZE, *PsThreadType, KernelMode, &thread, nullptr),
              STATUS_SUCCESS);
    LARGE_INTEGER guard;
    guard.QuadPart = -600LL * 10'000'000;  // hang guard only
    EXPECT_EQ(KeWaitForSingleObject(thread, Executive, KernelMode, FALSE, &guard), STATUS_SUCCESS);
    ObDereferenceObject(thread);
    EXPECT_EQ(ZwClose(handle), STATUS_SUCCESS);
}

TEST_F(PsNotifyTest, thread_routines_hear_of_system_threads) {
    g_seen.clear();
    ASSERT_EQ(PsSetCreateThreadNotifyRoutine(record), STATUS_SUCCESS);
    for (PKSTART_ROUTINE routine : {&returns, &terminates}) {
        g_seen.clear();
        CLIENT_ID cid{};
        run_thread(routine, &cid);
        std::lock_guard guard(g_lock);
        ASSERT_EQ(g_seen.size(), 2u);
        EXPECT_EQ(g_seen[0].create, TRUE);
        EXPECT_EQ(g_seen[0].process, cid.UniqueProcess);
        EXPECT_EQ(g_seen[0].thread, cid.UniqueThread);
        EXPECT_EQ(g_seen[0].caller, PsGetCurrentThreadId()) << "creation is reported on the creating thread";
        EXPECT_EQ(g_seen[1].create, FALSE);
        EXPECT_EQ(g_seen[1].thread, cid.UniqueThread);
        EXPECT_EQ(g_seen[1].caller, cid.UniqueThread) << "the end is reported on the ending thread";
    }
    ASSERT_EQ(PsRemoveCreateThreadNotifyRoutine(record), STATUS_SUCCESS);
    g_seen.clear();
    CLIENT_ID cid{};
    run_thread(returns, &cid);
    EXPECT_TRUE(g_seen.empty()) << "a removed routine is not called";
}

TEST_F(PsNotifyTest, thread_and_image_registration_statuses) {
    EXPECT_EQ(PsRemoveCreateThreadNotifyRoutine(record), STATUS_PROCEDURE_NOT_FOUND);
    EXPECT_EQ(PsSetCreateThreadNotifyRoutine(nullptr), STATUS_INVALID_PARAMETER);
    // 64 registrations at most (the same routine may be registered more than once).
    for (int i = 0; i < 64; ++i) ASSERT_EQ(PsSetCreateThreadNotifyRoutine(record), STATUS_SUCCESS) << i;
    EXPECT_EQ(PsSetCreateThreadNotifyRoutine(record), STATUS_INSUFFICIENT_RESOURCES);
    for (int i = 0; i < 64; ++i) ASSERT_EQ(PsRemoveCreateThreadNotifyRoutine(record), STATUS_SUCCESS) << i;
    EXPECT_EQ(PsRemoveCreateThreadNotifyRoutine(record), STATUS_PROCEDURE_NOT_FOUND);

    auto image = [](PUNICODE_STRING, HANDLE, PIMAGE_INFO) {};
    EXPECT_EQ(PsRemoveLoadImageNotifyRoutine(image), STATUS_PROCEDURE_NOT_FOUND);
    for (int i = 0; i < 64; ++i) ASSERT_EQ(PsSetLoadImageNotifyRoutine(image), STATUS_SUCCESS) << i;
    EXPECT_EQ(PsSetLoadImageNotifyRoutine(image), STATUS_INSUFFICIENT_RESOURCES);
    for (int i = 0; i < 64; ++i) ASSERT_EQ(PsRemoveLoadImageNotifyRoutine(image), STATUS_SUCCESS) << i;
}

std::atomic<int> g_process_calls{0};
VOID process_routine(HANDLE, HANDLE, BOOLEAN) { g_process_calls.fetch_add(1); }
VOID process_routine_ex(PEPROCESS, HANDLE, PPS_CREATE_NOTIFY_INFO) { g_process_calls.fetch_add(1); }

TEST_F(PsNotifyTest, process_registration_statuses) {
    EXPECT_EQ(PsSetCreateProcessNotifyRoutine(process_routine, TRUE), STATUS_PROCEDURE_NOT_FOUND);
    ASSERT_EQ(PsSetCreateProcessNotifyRoutine(process_routine, FALSE), STATUS_SUCCESS);
    EXPECT_EQ(PsSetCreateProcessNotifyRoutine(process_routine, FALSE), STATUS_INVALID_PARAMETER) << "already there";
    ASSERT_EQ(PsSetCreateProcessNotifyRoutineEx(process_routine_ex, FALSE), STATUS_SUCCESS);
    // Each variant removes only its own registration.
    auto* as_ex = reinterpret_cast<PCREATE_PROCESS_NOTIFY_ROUTINE_EX>(reinterpret_cast<void*>(process_routine));
    EXPECT_EQ(PsSetCreateProcessNotifyRoutineEx(as_ex, TRUE), STATUS_PROCEDURE_NOT_FOUND);
    EXPECT_EQ(PsSetCreateProcessNotifyRoutine(process_routine, TRUE), STATUS_SUCCESS);
    EXPECT_EQ(PsSetCreateProcessNotifyRoutineEx(process_routine_ex, TRUE), STATUS_SUCCESS);
    EXPECT_EQ(PsSetCreateProcessNotifyRoutineEx(process_routine_ex, TRUE), STATUS_PROCEDURE_NOT_FOUND);
    EXPECT_EQ(PsSetCreateProcessNotifyRoutine(nullptr, FALSE), STATUS_INVALID_PARAMETER);
    EXPECT_EQ(g_process_calls.load(), 0);
}

// Removal while a call is in flight returns only after that call, and nothing is called after it.
std::atomic<int> g_entered{0};
std::atomic<bool> g_release{false};
std::atomic<int> g_blocking_calls{0};

VOID blocking(HANDLE, HANDLE, BOOLEAN create) {
    g_blocking_calls.fetch_add(1);
    if (!create) return;
    g_entered.store(1);
    while (!g_release.load()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
}

TEST_F(PsNotifyTest, removal_waits_for_the_call_in_flight) {
    ASSERT_EQ(PsSetCreateThreadNotifyRoutine(blocking), STATUS_SUCCESS);
    System* system = &this->system();
    std::thread creator([system] {
        system->make_current();
        CLIENT_ID cid{};
        run_thread(returns, &cid);
    });
    while (!g_entered.load()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    std::atomic<bool> removed{false};
    std::thread remover([system, &removed] {
        system->make_current();
        EXPECT_EQ(PsRemoveCreateThreadNotifyRoutine(blocking), STATUS_SUCCESS);
        removed.store(true);
    });
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    EXPECT_FALSE(removed.load()) << "removal returned with the routine still running";
    g_release.store(true);
    remover.join();
    creator.join();
    EXPECT_TRUE(removed.load());
    const int calls = g_blocking_calls.load();
    EXPECT_LE(calls, 2);
    CLIENT_ID cid{};
    run_thread(returns, &cid);
    EXPECT_EQ(g_blocking_calls.load(), calls) << "called after its removal returned";
}

}  // namespace ps_notify
}  // namespace ntio::ob::test
