// A driver's timer DPC completing work on an application's event (NT facts S17, S18): the driver
// resolves the user's HANDLE in the caller's context with ObReferenceObjectByHandle(h,
// SYNCHRONIZE | EVENT_MODIFY_STATE, *ExEventObjectType, UserMode, ...), arms a KTIMER with a
// relative DueTime and a KDPC; the DPC runs at DISPATCH_LEVEL, sets the event and drops its
// reference; the application's wait on the handle returns, and NtResetEvent re-arms it.
#include "nt_test_support.hpp"

namespace ntio::test {
namespace {

struct TimerWork {
    KTIMER timer;
    KDPC dpc;
    PKEVENT event = nullptr;
    std::atomic<KIRQL> dpc_irql{0xFF};
    std::atomic<int> runs{0};
};

VOID set_user_event_dpc(PKDPC, PVOID context, PVOID, PVOID) {
    auto* work = static_cast<TimerWork*>(context);
    PKEVENT event = work->event;  // the waiter may go on as soon as the event is set
    work->dpc_irql.store(KeGetCurrentIrql());
    work->runs.fetch_add(1);
    KeSetEvent(event, IO_NO_INCREMENT, FALSE);
    ObDereferenceObject(event);
}

TEST_F(NtTest, timer_dpc_sets_a_user_event_referenced_by_handle) {
    // NT facts S17, S18.
    Handle event(make_event(NotificationEvent, FALSE));
    TimerWork work;
    ASSERT_EQ(ObReferenceObjectByHandle(event.get(), SYNCHRONIZE | EVENT_MODIFY_STATE, *ExEventObjectType,
                                        UserMode, reinterpret_cast<PVOID*>(&work.event), nullptr),
              STATUS_SUCCESS);
    KeInitializeTimer(&work.timer);
    KeInitializeDpc(&work.dpc, set_user_event_dpc, &work);
    LARGE_INTEGER due;
    due.QuadPart = -(10LL * 1000 * 20);  // 20 ms, relative
    EXPECT_FALSE(KeSetTimer(&work.timer, due, &work.dpc));

    ASSERT_EQ(NtWaitForSingleObject(event.get(), FALSE, nullptr), STATUS_SUCCESS);
    KeFlushQueuedDpcs();  // the DPC is past its last touch of the reference it owned
    ASSERT_EQ(work.runs.load(), 1);
    EXPECT_EQ(work.dpc_irql.load(), DISPATCH_LEVEL);
    EXPECT_TRUE(KeReadStateTimer(&work.timer));

    LONG previous = -1;
    EXPECT_EQ(NtResetEvent(event.get(), &previous), STATUS_SUCCESS);
    EXPECT_EQ(previous, 1);
    LARGE_INTEGER zero{};
    EXPECT_EQ(NtWaitForSingleObject(event.get(), FALSE, &zero), STATUS_TIMEOUT);
}

TEST_F(NtTest, user_mode_reference_checks_the_object_type_and_the_granted_access) {
    // NT fact S17: RequestorMode UserMode means the handle's type and granted access are checked.
    Handle event(make_event(NotificationEvent, FALSE));
    HANDLE sync_only = nullptr;
    ASSERT_EQ(NtDuplicateObject(NtCurrentProcess(), event.get(), NtCurrentProcess(), &sync_only, SYNCHRONIZE, 0, 0),
              STATUS_SUCCESS);
    Handle limited(sync_only);
    PVOID object = nullptr;
    EXPECT_EQ(ObReferenceObjectByHandle(limited.get(), SYNCHRONIZE | EVENT_MODIFY_STATE, *ExEventObjectType,
                                        UserMode, &object, nullptr),
              STATUS_ACCESS_DENIED);
    EXPECT_EQ(object, nullptr);
    // Kernel mode skips the access check (the driver then owns the responsibility).
    ASSERT_EQ(ObReferenceObjectByHandle(limited.get(), SYNCHRONIZE | EVENT_MODIFY_STATE, *ExEventObjectType,
                                        KernelMode, &object, nullptr),
              STATUS_SUCCESS);
    ObDereferenceObject(object);
    object = nullptr;

    HANDLE semaphore = nullptr;
    ASSERT_EQ(NtCreateSemaphore(&semaphore, SEMAPHORE_ALL_ACCESS, nullptr, 0, 1), STATUS_SUCCESS);
    Handle sem(semaphore);
    EXPECT_EQ(ObReferenceObjectByHandle(sem.get(), SYNCHRONIZE, *ExEventObjectType, UserMode, &object, nullptr),
              STATUS_OBJECT_TYPE_MISMATCH);
    EXPECT_EQ(ObReferenceObjectByHandle(nullptr, SYNCHRONIZE, *ExEventObjectType, UserMode, &object, nullptr),
              STATUS_INVALID_HANDLE);
}

}  // namespace
}  // namespace ntio::test
