// IoCancelIrp, the cancel spin lock and the dispatch-side cancel protocol (NT facts C1, C2, C7, S19).
#include <atomic>

#include "cancel_test_driver.hpp"

namespace ntio::io::test {
namespace {

TEST_F(CancelTest, cancel_spin_lock_raises_to_dispatch_and_restores) {
    KIRQL irql = 0xFF;
    IoAcquireCancelSpinLock(&irql);
    EXPECT_EQ(irql, PASSIVE_LEVEL);
    EXPECT_EQ(KeGetCurrentIrql(), DISPATCH_LEVEL);
    IoReleaseCancelSpinLock(irql);
    EXPECT_EQ(KeGetCurrentIrql(), PASSIVE_LEVEL);
}

// NT fact C1.
TEST_F(CancelTest, cancel_without_routine_returns_false_but_sets_cancel) {
    load();
    Outcome outcome;
    PIRP irp = make_read(kParkPlain, outcome);
    ASSERT_EQ(send(irp), STATUS_PENDING);
    EXPECT_FALSE(irp->Cancel);
    EXPECT_FALSE(IoCancelIrp(irp));
    EXPECT_TRUE(irp->Cancel);
    EXPECT_FALSE(IoCancelIrp(irp));
    EXPECT_TRUE(irp->Cancel);
    EXPECT_EQ(outcome.completions.load(), 0);
    ASSERT_EQ(DriverTakeParked(device()), irp);
    DriverCompleteRead(irp, STATUS_SUCCESS, 4);
    EXPECT_EQ(outcome.completions.load(), 1);
    EXPECT_EQ(outcome.status.load(), STATUS_SUCCESS);
    IoFreeIrp(irp);
}

// NT fact C2.
TEST_F(CancelTest, cancel_with_routine_calls_it_once_with_lock_held_and_routine_cleared) {
    load();
    Outcome outcome;
    PIRP irp = make_read(kParkCancelable, outcome);
    ASSERT_EQ(send(irp), STATUS_PENDING);
    EXPECT_NE(irp->CancelRoutine, nullptr);
    EXPECT_TRUE(IoCancelIrp(irp));
    EXPECT_EQ(ext()->CancelRoutineCalls, 1);
    EXPECT_TRUE(ext()->CancelSawCancelFlag);
    EXPECT_TRUE(ext()->CancelSawNullRoutine);
    EXPECT_EQ(ext()->CancelIrqlInRoutine, DISPATCH_LEVEL);
    EXPECT_EQ(ext()->CancelDeviceArg, device());
    EXPECT_EQ(irp->CancelIrql, PASSIVE_LEVEL);
    EXPECT_EQ(KeGetCurrentIrql(), PASSIVE_LEVEL);
    EXPECT_EQ(outcome.completions.load(), 1);
    EXPECT_EQ(outcome.status.load(), STATUS_CANCELLED);
    EXPECT_FALSE(IoCancelIrp(irp));
    EXPECT_EQ(ext()->CancelRoutineCalls, 1);
    EXPECT_EQ(DriverTakeParked(device()), nullptr);
    IoFreeIrp(irp);
}

VOID NTAPI NeverCalledCancel(PDEVICE_OBJECT, PIRP) { ADD_FAILURE() << "cancel routine of a dead IRP ran"; }

// Microsoft Learn, bug check 0x48: a cancel routine on an IRP past its last stack location.
TEST_F(CancelTest, cancel_of_irp_past_its_stack_bugchecks_cancel_state_in_completed_irp) {
    PIRP irp = IoAllocateIrp(1, FALSE);
    ASSERT_NE(irp, nullptr);
    CHAR saved = irp->CurrentLocation;
    irp->CurrentLocation = static_cast<CHAR>(irp->StackCount + 2);
    (void)IoSetCancelRoutine(irp, NeverCalledCancel);
    auto bc = ntio::test::catch_bugcheck([&] { (void)IoCancelIrp(irp); });
    ASSERT_TRUE(bc.has_value());
    EXPECT_EQ(bc->code, static_cast<ULONG>(CANCEL_STATE_IN_COMPLETED_IRP));
    EXPECT_EQ(bc->p1, reinterpret_cast<ULONG_PTR>(irp));
    EXPECT_EQ(bc->p2, reinterpret_cast<ULONG_PTR>(&NeverCalledCancel));
    // The cancel spin lock was not left held.
    KIRQL irql;
    IoAcquireCancelSpinLock(&irql);
    IoReleaseCancelSpinLock(irql);
    EXPECT_EQ(KeGetCurrentIrql(), PASSIVE_LEVEL);
    irp->CurrentLocation = saved;
    irp->Cancel = FALSE;
    IoFreeIrp(irp);
}

// A driver bug: the cancel routine returns with the cancel spin lock still held (it never released
// it, or released it and took it again).
VOID NTAPI CancelKeepingTheLock(PDEVICE_OBJECT, PIRP) {}
VOID NTAPI CancelRetakingTheLock(PDEVICE_OBJECT, PIRP irp) {
    IoReleaseCancelSpinLock(irp->CancelIrql);
    KIRQL irql;
    IoAcquireCancelSpinLock(&irql);
}

// Microsoft Learn, bug check 0x11B (DRIVER_RETURNED_HOLDING_CANCEL_LOCK): P1 the IRP, P2 the routine.
TEST_F(CancelTest, cancel_routine_returning_with_the_cancel_lock_bugchecks_0x11b) {
    for (PDRIVER_CANCEL routine : {&CancelKeepingTheLock, &CancelRetakingTheLock}) {
        PIRP irp = IoAllocateIrp(1, FALSE);
        ASSERT_NE(irp, nullptr);
        (void)IoSetCancelRoutine(irp, routine);
        auto bc = ntio::test::catch_bugcheck([&] { (void)IoCancelIrp(irp); });
        ASSERT_TRUE(bc.has_value());
        EXPECT_EQ(bc->code, static_cast<ULONG>(DRIVER_RETURNED_HOLDING_CANCEL_LOCK));
        EXPECT_EQ(bc->p1, reinterpret_cast<ULONG_PTR>(irp));
        EXPECT_EQ(bc->p2, reinterpret_cast<ULONG_PTR>(routine));
        // Let go before the stop, back at the caller's IRQL.
        EXPECT_EQ(KeGetCurrentIrql(), PASSIVE_LEVEL);
        KIRQL irql;
        IoAcquireCancelSpinLock(&irql);
        IoReleaseCancelSpinLock(irql);
        irp->Cancel = FALSE;
        IoFreeIrp(irp);
    }
}

TEST_F(CancelTest, set_cancel_routine_check_exchanges_and_rejects_dead_irp) {
    PIRP irp = IoAllocateIrp(1, FALSE);
    ASSERT_NE(irp, nullptr);
    EXPECT_EQ(IoSetCancelRoutineCheck(irp, NeverCalledCancel), nullptr);
    EXPECT_EQ(IoSetCancelRoutineCheck(irp, nullptr), &NeverCalledCancel);
    CHAR saved = irp->CurrentLocation;
    irp->CurrentLocation = static_cast<CHAR>(irp->StackCount + 2);
    auto bc = ntio::test::catch_bugcheck([&] { (void)IoSetCancelRoutineCheck(irp, NeverCalledCancel); });
    ASSERT_TRUE(bc.has_value());
    EXPECT_EQ(bc->code, static_cast<ULONG>(CANCEL_STATE_IN_COMPLETED_IRP));
    irp->CurrentLocation = saved;
    irp->CancelRoutine = nullptr;
    IoFreeIrp(irp);
}

// NT fact C7 (win): IoCancelIrp came before the routine was set, so it found none and returned
// FALSE; the dispatch sees Cancel, takes its routine back and completes the IRP cancelled itself.
TEST_F(CancelTest, dispatch_that_finds_cancel_set_completes_cancelled_itself) {
    load();
    Outcome outcome;
    PIRP irp = make_read(kParkCancelable, outcome);
    EXPECT_FALSE(IoCancelIrp(irp));
    EXPECT_EQ(send(irp), STATUS_PENDING);
    EXPECT_EQ(ext()->CancelRoutineCalls, 0);
    EXPECT_EQ(outcome.completions.load(), 1);
    EXPECT_EQ(outcome.status.load(), STATUS_CANCELLED);
    EXPECT_TRUE(outcome.pending_returned.load());
    EXPECT_EQ(DriverTakeParked(device()), nullptr);
    IoFreeIrp(irp);
}

// NT fact C7 (lose): the cancel lands between IoSetCancelRoutine and the Cancel check; the routine
// runs, and the dispatch, failing to take the routine back, leaves the IRP alone.
TEST_F(CancelTest, dispatch_that_loses_to_the_cancel_routine_leaves_the_irp) {
    load();
    Outcome outcome;
    g_between_set_and_check = [](PIRP irp) { EXPECT_TRUE(IoCancelIrp(irp)); };
    PIRP irp = make_read(kParkCancelable, outcome);
    EXPECT_EQ(send(irp), STATUS_PENDING);
    EXPECT_EQ(ext()->CancelRoutineCalls, 1);
    EXPECT_EQ(outcome.completions.load(), 1);
    EXPECT_EQ(outcome.status.load(), STATUS_CANCELLED);
    IoFreeIrp(irp);
}

// S19: the DPC completes with STATUS_SUCCESS after winning IoSetCancelRoutine(NULL).
TEST_F(CancelTest, timer_dpc_completes_pended_irp) {
    load();
    Outcome outcome;
    PIRP irp = make_read(kParkTimer, outcome);
    EXPECT_EQ(send(irp), STATUS_PENDING);
    wait_for(outcome);
    EXPECT_EQ(outcome.status.load(), STATUS_SUCCESS);
    EXPECT_EQ(ext()->CancelRoutineCalls, 0);
    IoFreeIrp(irp);
}

// S19: the cancel routine unlinks the record, cancels the timer and completes cancelled; the DPC
// never completes it a second time.
TEST_F(CancelTest, cancel_routine_beats_timer_and_stops_it) {
    load();
    Outcome outcome;
    PIRP irp = make_read(kParkTimer, outcome);
    EXPECT_EQ(send(irp), STATUS_PENDING);
    EXPECT_TRUE(IoCancelIrp(irp));
    EXPECT_EQ(outcome.completions.load(), 1);
    EXPECT_EQ(outcome.status.load(), STATUS_CANCELLED);
    LARGE_INTEGER past_due;
    past_due.QuadPart = -60 * 10000;
    KeDelayExecutionThread(KernelMode, FALSE, &past_due);
    EXPECT_EQ(outcome.completions.load(), 1);
    IoFreeIrp(irp);
}

}  // namespace
}  // namespace ntio::io::test
