// Cancellable waits: the object's wait status when it is signalled (WaitAny index, WaitAll
// success), STATUS_TIMEOUT, STATUS_CANCELLED when the caller's IRP is cancelled before or during the
// wait (and the IRP is left without a cancel routine, the thread without a stray alert), an alert
// that is no cancel does not end the wait, bad arguments are refused.
// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-fsrtlcancellablewaitforsingleobject
// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-fsrtlcancellablewaitformultipleobjects
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "support/bugcheck_catcher.hpp"
#include "support/system_fixture.hpp"

#include <ntifs.h>

namespace cancellable_wait_test {

class CancellableWaitTest : public ntio::test::SystemTest {
protected:
    void SetUp() override {
        SystemTest::SetUp();
        KeInitializeEvent(&m_event, NotificationEvent, FALSE);
        KeInitializeEvent(&m_other, SynchronizationEvent, FALSE);
        m_irp = IoAllocateIrp(1, FALSE);
        ASSERT_NE(m_irp, nullptr);
    }
    void TearDown() override {
        IoFreeIrp(m_irp);
        SystemTest::TearDown();
    }

    KEVENT m_event;
    KEVENT m_other;
    PIRP m_irp = nullptr;
};

TEST_F(CancellableWaitTest, signalled_objects_and_timeouts) {
    LARGE_INTEGER zero{};
    EXPECT_EQ(FsRtlCancellableWaitForSingleObject(&m_event, &zero, m_irp), STATUS_TIMEOUT);
    LARGE_INTEGER short_wait{};
    short_wait.QuadPart = -10 * 1000;  // 1 ms, relative
    EXPECT_EQ(FsRtlCancellableWaitForSingleObject(&m_event, &short_wait, nullptr), STATUS_TIMEOUT);
    KeSetEvent(&m_event, IO_NO_INCREMENT, FALSE);
    EXPECT_EQ(FsRtlCancellableWaitForSingleObject(&m_event, nullptr, m_irp), STATUS_SUCCESS);

    PVOID objects[2] = {&m_other, &m_event};
    EXPECT_EQ(FsRtlCancellableWaitForMultipleObjects(2, objects, WaitAny, nullptr, nullptr, m_irp), STATUS_WAIT_1);
    EXPECT_EQ(FsRtlCancellableWaitForMultipleObjects(2, objects, WaitAll, &zero, nullptr, m_irp), STATUS_TIMEOUT);
    KeSetEvent(&m_other, IO_NO_INCREMENT, FALSE);
    EXPECT_EQ(FsRtlCancellableWaitForMultipleObjects(2, objects, WaitAll, nullptr, nullptr, nullptr), STATUS_SUCCESS);
    EXPECT_EQ(KeReadStateEvent(&m_other), 0);  // the synchronization event was consumed
    EXPECT_EQ(m_irp->CancelRoutine, nullptr);
}

TEST_F(CancellableWaitTest, an_irp_cancelled_before_the_wait_ends_it_at_once) {
    EXPECT_FALSE(IoCancelIrp(m_irp));  // no cancel routine yet: Cancel is set, nothing called
    EXPECT_EQ(FsRtlCancellableWaitForSingleObject(&m_event, nullptr, m_irp), STATUS_CANCELLED);
    PVOID objects[1] = {&m_event};
    EXPECT_EQ(FsRtlCancellableWaitForMultipleObjects(1, objects, WaitAny, nullptr, nullptr, m_irp), STATUS_CANCELLED);
    EXPECT_EQ(m_irp->CancelRoutine, nullptr);
    // Without the IRP the same wait is not cancelled.
    LARGE_INTEGER zero{};
    EXPECT_EQ(FsRtlCancellableWaitForSingleObject(&m_event, &zero, nullptr), STATUS_TIMEOUT);
}

TEST_F(CancellableWaitTest, cancelling_the_irp_ends_a_blocked_wait) {
    std::atomic<BOOLEAN> cancelled{FALSE};
    PIRP irp = m_irp;
    std::thread canceller([&] {
        // The wait has begun once FsRtl's cancel routine is on the IRP.
        while (!__atomic_load_n(&irp->CancelRoutine, __ATOMIC_ACQUIRE)) std::this_thread::yield();
        cancelled = IoCancelIrp(irp);
    });
    LARGE_INTEGER long_wait{};
    long_wait.QuadPart = -30LL * 10 * 1000 * 1000;  // a failure ends in STATUS_TIMEOUT, not a hang
    EXPECT_EQ(FsRtlCancellableWaitForSingleObject(&m_event, &long_wait, m_irp), STATUS_CANCELLED);
    canceller.join();
    EXPECT_TRUE(cancelled.load());  // IoCancelIrp found FsRtl's routine and called it
    EXPECT_EQ(m_irp->CancelRoutine, nullptr);
    // The cancel's alert is spent: the thread's next kernel alertable wait is not cut short.
    LARGE_INTEGER zero{};
    EXPECT_EQ(KeWaitForSingleObject(&m_event, Executive, KernelMode, TRUE, &zero), STATUS_TIMEOUT);
}

TEST_F(CancellableWaitTest, an_alert_that_is_no_cancel_does_not_end_the_wait) {
    (void)KeAlertThread(KeGetCurrentThread(), KernelMode);
    LARGE_INTEGER zero{};
    EXPECT_EQ(FsRtlCancellableWaitForSingleObject(&m_event, &zero, m_irp), STATUS_TIMEOUT);
    (void)KeAlertThread(KeGetCurrentThread(), KernelMode);
    KeSetEvent(&m_event, IO_NO_INCREMENT, FALSE);
    EXPECT_EQ(FsRtlCancellableWaitForSingleObject(&m_event, nullptr, m_irp), STATUS_SUCCESS);
}

TEST_F(CancellableWaitTest, bad_arguments_are_refused) {
    EXPECT_EQ(FsRtlCancellableWaitForSingleObject(nullptr, nullptr, m_irp), STATUS_INVALID_PARAMETER);
    PVOID objects[2] = {&m_event, nullptr};
    EXPECT_EQ(FsRtlCancellableWaitForMultipleObjects(2, objects, WaitAny, nullptr, nullptr, m_irp),
              STATUS_INVALID_PARAMETER);
    EXPECT_EQ(FsRtlCancellableWaitForMultipleObjects(1, objects, static_cast<WAIT_TYPE>(7), nullptr, nullptr, m_irp),
              STATUS_INVALID_PARAMETER);
    EXPECT_EQ(FsRtlCancellableWaitForMultipleObjects(0, objects, WaitAny, nullptr, nullptr, m_irp),
              STATUS_INVALID_PARAMETER);
    EXPECT_EQ(FsRtlCancellableWaitForMultipleObjects(1, nullptr, WaitAny, nullptr, nullptr, m_irp),
              STATUS_INVALID_PARAMETER);
    EXPECT_EQ(m_irp->CancelRoutine, nullptr);
    // More objects than the thread's own wait blocks serve, without an array: KeWaitForMultipleObjects'
    // bugcheck.
    PVOID many[THREAD_WAIT_OBJECTS + 1];
    for (PVOID& o : many) o = &m_event;
    const auto bc = ntio::test::catch_bugcheck([&] {
        (void)FsRtlCancellableWaitForMultipleObjects(THREAD_WAIT_OBJECTS + 1, many, WaitAny, nullptr, nullptr, nullptr);
    });
    ASSERT_TRUE(bc.has_value());
    EXPECT_EQ(bc->code, static_cast<ULONG>(MAXIMUM_WAIT_OBJECTS_EXCEEDED));
}

}  // namespace cancellable_wait_test
