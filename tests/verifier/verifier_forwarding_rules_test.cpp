// The I/O verifier's IoCallDriver and IoCompleteRequest rules of bug check 0xC9 on the Level 2 path
// (Type checks 0x03 / 0x04, NULL device 0x204, cancel routine still set 0x203, forwarding an IRP
// still queued beneath the caller 0x205, a forwarded Control with SL_PENDING_RETURNED 0x206),
// IoCompleteRequest above DISPATCH_LEVEL (0x0E), deleting a device still attached (0x201), and
// NO_MORE_IRP_STACK_LOCATIONS (0x35) through the verifier's own dispatch paths. Each rule has a
// test that trips it (code and every parameter through the bugcheck hook) and one for the legal
// pattern next to it. WDM DRIVER ERROR subcodes (P1 >= 0x200) carry the driver routine, the IRP and
// the device object in P2..P4 (docs/nt-deviations.md).
// https://learn.microsoft.com/windows-hardware/drivers/debugger/bug-check-0xc9--driver-verifier-iomanager-violation
// https://learn.microsoft.com/windows-hardware/drivers/debugger/bug-check-0x35--no-more-irp-stack-locations
#include "verifier_test_driver.hpp"

namespace ntio::verifier::test {
namespace {

using ntio::test::expect_no_bugcheck;

// Level 2 I/O verification (I/O Verification without the Level 1 only bit), and Level 1 alone.
constexpr ULONG kFwdLevel2 = NTIO_VERIFIER_IO_CHECKING;
constexpr ULONG kFwdLevel1 = NTIO_VERIFIER_IO_CHECKING | NTIO_VERIFIER_IO_LEVEL1_ONLY;

// The originator's routine of a reused read: counts it and keeps the IRP.
NTSTATUS NTAPI FwdRecordCompletion(PDEVICE_OBJECT, PIRP Irp, PVOID Context) {
    auto* outcome = static_cast<Outcome*>(Context);
    outcome->status.store(Irp->IoStatus.Status);
    outcome->completions.fetch_add(1);
    return STATUS_MORE_PROCESSING_REQUIRED;
}

// A cancel routine for an IRP its originator holds cancelable.
VOID NTAPI FwdOriginatorCancel(PDEVICE_OBJECT, PIRP Irp) { IoReleaseCancelSpinLock(Irp->CancelIrql); }

// A read sent to a VerBuggy device that parks it, completed the way hardware would, then reused
// (IoReuseIrp, its location set up again) and sent again: it has its stack location again.
void fwd_send_twice(PDEVICE_OBJECT device, PIRP irp, Outcome& outcome) {
    EXPECT_EQ(IoCallDriver(device, irp), STATUS_PENDING);
    ASSERT_EQ(BuggyTakeParked(device), irp);
    irp->IoStatus.Status = STATUS_SUCCESS;
    irp->IoStatus.Information = 0;
    IoCompleteRequest(irp, IO_NO_INCREMENT);
    IoReuseIrp(irp, STATUS_SUCCESS);
    PIO_STACK_LOCATION sp = IoGetNextIrpStackLocation(irp);
    sp->MajorFunction = IRP_MJ_READ;
    sp->Parameters.Read.Length = 4;
    sp->Parameters.Read.Key = kCompleteOk;
    IoSetCompletionRoutine(irp, FwdRecordCompletion, &outcome, TRUE, TRUE, TRUE);
    EXPECT_EQ(IoCallDriver(device, irp), STATUS_SUCCESS);
}

// ---- 0x03 and 0x04 at IoCallDriver to a Level 2 driver ----

TEST_F(VerifierTest, level2_io_call_driver_with_a_non_irp_is_0x03) {
    load_buggy(kFwdLevel2);
    Outcome outcome;
    PIRP irp = make_read(buggy_device(), kCompleteOk, outcome);
    irp->Type = 0;
    auto bc = expect_bugcheck([&] { (void)IoCallDriver(buggy_device(), irp); }, DRIVER_VERIFIER_IOMANAGER_VIOLATION,
                              0x03);
    EXPECT_EQ(bc.p2, ptr(irp));
    EXPECT_EQ(bc.p3, 0u);
    EXPECT_EQ(bc.p4, 0u);
    irp->Type = IO_TYPE_IRP;
    IoFreeIrp(irp);
}

TEST_F(VerifierTest, level2_io_call_driver_with_an_invalid_device_object_is_0x04) {
    load_buggy(kFwdLevel2);
    Outcome outcome;
    PIRP irp = make_read(buggy_device(), kCompleteOk, outcome);
    // A copy of the device whose Type says it is not a device object (a stale or wrong pointer):
    // its DriverObject is still the Level 2 driver's.
    DEVICE_OBJECT bogus = *buggy_device();
    bogus.Type = 0;
    auto bc = expect_bugcheck([&] { (void)IoCallDriver(&bogus, irp); }, DRIVER_VERIFIER_IOMANAGER_VIOLATION, 0x04);
    EXPECT_EQ(bc.p2, ptr(&bogus));
    EXPECT_EQ(bc.p3, 0u);
    EXPECT_EQ(bc.p4, 0u);
    IoFreeIrp(irp);
}

TEST_F(VerifierTest, level2_io_call_driver_with_an_irp_and_a_device_object_is_legal) {
    load_buggy(kFwdLevel2);
    expect_legal_read(buggy_device(), kCompleteOk);
}

// ---- 0x204: a NULL device object from a Level 2 dispatch ----

TEST_F(VerifierTest, forwarding_to_a_null_device_object_is_0x204) {
    load_buggy();
    load_filter(kFwdLevel2);
    Outcome outcome;
    PIRP irp = make_read(filter_device(), kCompleteOk, outcome, kFilterForwardToNull);
    auto bc = expect_forward_report(irp, 0x204);
    EXPECT_EQ(bc.p4, 0u);
    IoFreeIrp(irp);
}

TEST_F(VerifierTest, forwarding_to_the_lower_device_object_is_legal) {
    load_buggy();
    load_filter(kFwdLevel2);
    expect_legal_read(filter_device(), kCompleteOk, kFilterSkip);
}

// ---- 0x203: IoCallDriver with the IRP's cancel routine still set ----

TEST_F(VerifierTest, forwarding_with_the_cancel_routine_still_set_is_0x203) {
    load_buggy();
    load_filter();
    Outcome outcome;
    PIRP irp = make_read(filter_device(), kCompleteOk, outcome, kFilterForwardCancelable);
    auto bc = expect_forward_report(irp, 0x203);
    EXPECT_EQ(bc.p4, ptr(buggy_device()));
    EXPECT_NE(IoSetCancelRoutine(irp, nullptr), nullptr);
    IoFreeIrp(irp);
}

// The originator's own IoCallDriver: no dispatch routine of a driver made the call (P2 0).
TEST_F(VerifierTest, sending_an_irp_with_its_cancel_routine_set_to_a_level2_driver_is_0x203) {
    load_buggy(kFwdLevel2);
    Outcome outcome;
    PIRP irp = make_read(buggy_device(), kCompleteOk, outcome);
    (void)IoSetCancelRoutine(irp, FwdOriginatorCancel);
    auto bc = expect_bugcheck([&] { (void)IoCallDriver(buggy_device(), irp); }, DRIVER_VERIFIER_IOMANAGER_VIOLATION,
                              0x203);
    EXPECT_EQ(bc.p2, 0u);
    EXPECT_EQ(bc.p3, ptr(irp));
    EXPECT_EQ(bc.p4, ptr(buggy_device()));
    (void)IoSetCancelRoutine(irp, nullptr);
    IoFreeIrp(irp);
}

TEST_F(VerifierTest, forwarding_after_clearing_the_cancel_routine_is_legal) {
    load_buggy();
    load_filter();
    expect_legal_read(filter_device(), kCompleteOk, kFilterForwardUncancelable);
}

// ---- 0x205: forwarding an IRP still queued beneath the caller ----

TEST_F(VerifierTest, forwarding_again_while_the_lower_driver_holds_the_irp_is_0x205) {
    load_buggy();
    load_filter();
    Outcome outcome;
    PIRP irp = make_read(filter_device(), kMarkAndPark, outcome, kFilterResendWhilePending);
    auto bc = expect_forward_report(irp, 0x205);
    EXPECT_EQ(bc.p4, ptr(buggy_device()));
    // The first forward is still parked in VerBuggy: finish it with nothing verified.
    ASSERT_EQ(BuggyTakeParked(buggy_device()), irp);
    (void)NtioVerifierSetFlags(m_filter, 0);
    (void)NtioVerifierSetFlags(m_buggy, 0);
    complete_read(irp, STATUS_SUCCESS);
    EXPECT_EQ(outcome.completions.load(), 1);
    IoFreeIrp(irp);
}

// The lower driver returned STATUS_PENDING both times, and completed the IRP (its completion
// routine taking it back) before the filter forwarded it again.
TEST_F(VerifierTest, forwarding_again_after_the_lower_driver_completed_is_legal) {
    load_buggy();
    load_filter();
    expect_legal_read(filter_device(), kMarkCompleteReturnPending, kFilterResendAfterCompletion);
}

// ---- 0x206: SL_PENDING_RETURNED left in the next location's Control ----

TEST_F(VerifierTest, forwarding_a_hand_copied_location_with_the_pending_bit_is_0x206) {
    load_buggy();
    load_filter();
    Outcome outcome;
    PIRP irp = make_read(filter_device(), kMarkAndPark, outcome, kFilterHandCopyKeepingControl);
    auto bc = expect_forward_report(irp, 0x206);
    EXPECT_EQ(bc.p4, ptr(buggy_device()));
    EXPECT_EQ(BuggyTakeParked(buggy_device()), nullptr);
    IoFreeIrp(irp);
}

TEST_F(VerifierTest, marking_pending_then_copying_with_the_ddk_macro_is_legal) {
    load_buggy();
    load_filter();
    Outcome outcome;
    PIRP irp = make_read(filter_device(), kMarkAndPark, outcome, kFilterMarkCopyForward);
    expect_no_bugcheck([&] {
        EXPECT_EQ(IoCallDriver(filter_device(), irp), STATUS_PENDING);
        ASSERT_EQ(BuggyTakeParked(buggy_device()), irp);
        complete_read(irp, STATUS_SUCCESS);
    });
    EXPECT_EQ(outcome.completions.load(), 1);
    EXPECT_TRUE(irp->PendingReturned);
    IoFreeIrp(irp);
}

TEST_F(VerifierTest, marking_pending_then_skipping_is_legal) {
    load_buggy();
    load_filter();
    Outcome outcome;
    PIRP irp = make_read(filter_device(), kMarkAndPark, outcome, kFilterMarkSkipForward);
    expect_no_bugcheck([&] {
        EXPECT_EQ(IoCallDriver(filter_device(), irp), STATUS_PENDING);
        ASSERT_EQ(BuggyTakeParked(buggy_device()), irp);
        complete_read(irp, STATUS_SUCCESS);
    });
    EXPECT_EQ(outcome.completions.load(), 1);
    EXPECT_TRUE(irp->PendingReturned);
    IoFreeIrp(irp);
}

// ---- 0x0E: IoCompleteRequest above DISPATCH_LEVEL by an I/O-verified driver ----

TEST_F(VerifierTest, completing_above_dispatch_level_is_0x0e) {
    load_buggy();
    Outcome outcome;
    PIRP irp = make_read(buggy_device(), kCompleteAtHighLevel, outcome);
    auto bc = expect_bugcheck([&] { (void)IoCallDriver(buggy_device(), irp); }, DRIVER_VERIFIER_IOMANAGER_VIOLATION,
                              0x0E);
    EXPECT_EQ(bc.p2, static_cast<ULONG_PTR>(HIGH_LEVEL));
    EXPECT_EQ(bc.p3, ptr(irp));
    EXPECT_EQ(bc.p4, 0u);
    KeLowerIrql(PASSIVE_LEVEL);
    EXPECT_EQ(outcome.completions.load(), 0);
    IoFreeIrp(irp);
}

TEST_F(VerifierTest, level1_completing_above_dispatch_level_is_0x0e) {
    load_buggy(kFwdLevel1);
    Outcome outcome;
    PIRP irp = make_read(buggy_device(), kCompleteAtHighLevel, outcome);
    auto bc = expect_bugcheck([&] { (void)IoCallDriver(buggy_device(), irp); }, DRIVER_VERIFIER_IOMANAGER_VIOLATION,
                              0x0E);
    EXPECT_EQ(bc.p2, static_cast<ULONG_PTR>(HIGH_LEVEL));
    EXPECT_EQ(bc.p3, ptr(irp));
    EXPECT_EQ(bc.p4, 0u);
    KeLowerIrql(PASSIVE_LEVEL);
    IoFreeIrp(irp);
}

TEST_F(VerifierTest, completing_at_dispatch_level_is_legal) {
    load_buggy();
    expect_legal_read(buggy_device(), kCompleteAtDispatchLevel);
    EXPECT_EQ(KeGetCurrentIrql(), PASSIVE_LEVEL);
}

TEST_F(VerifierTest, level1_completing_at_dispatch_level_is_legal) {
    load_buggy(kFwdLevel1);
    expect_legal_read(buggy_device(), kCompleteAtDispatchLevel);
}

// ---- 0x201: IoDeleteDevice of a device still attached to a lower device ----

TEST_F(VerifierTest, deleting_a_device_still_attached_is_0x201) {
    load_buggy();
    load_filter(kFwdLevel2);
    PDEVICE_OBJECT device = filter_device();
    auto bc = expect_bugcheck([&] { IoDeleteDevice(device); }, DRIVER_VERIFIER_IOMANAGER_VIOLATION, 0x201);
    EXPECT_EQ(bc.p2, 0u);
    EXPECT_EQ(bc.p3, 0u);
    EXPECT_EQ(bc.p4, ptr(device));
    // Reported before anything was undone: the filter is still attached (its unload detaches).
    EXPECT_EQ(IoGetAttachedDeviceReference(buggy_device()), device);
    ObDereferenceObject(device);
}

TEST_F(VerifierTest, deleting_a_device_after_detaching_it_is_legal) {
    load_buggy();
    load_filter(kFwdLevel2);
    PDEVICE_OBJECT device = filter_device();
    expect_no_bugcheck([&] {
        IoDetachDevice(static_cast<FilterExtension*>(device->DeviceExtension)->Lower);
        IoDeleteDevice(device);
    });
    EXPECT_EQ(m_filter->DeviceObject, nullptr);
}

// Level 1 alone does not run it (a Level 2 rule).
TEST_F(VerifierTest, level1_does_not_run_the_level2_delete_rule_0x201) {
    load_buggy();
    load_filter(kFwdLevel1);
    PDEVICE_OBJECT device = filter_device();
    PDEVICE_OBJECT lower = static_cast<FilterExtension*>(device->DeviceExtension)->Lower;
    // Deleted while attached (the driver's bug): the stack names the device until the detach, so
    // keep the object until then.
    ObReferenceObject(device);
    expect_no_bugcheck([&] { IoDeleteDevice(device); });
    IoDetachDevice(lower);
    ObDereferenceObject(device);
}

// ---- 0x35 NO_MORE_IRP_STACK_LOCATIONS through the verifier's dispatch paths ----

// Sent again while the driver it went to still holds it: the IRP has no location left. The target
// is not verified (another driver is, so IoCallDriver takes the verifier's path).
TEST_F(VerifierTest, sending_a_held_irp_to_an_unverified_driver_is_0x35) {
    load_buggy(0);
    load_filter(kFwdLevel2);
    Outcome outcome;
    PIRP irp = make_read(buggy_device(), kMarkAndPark, outcome);
    ASSERT_EQ(IoCallDriver(buggy_device(), irp), STATUS_PENDING);
    auto bc = expect_bugcheck([&] { (void)IoCallDriver(buggy_device(), irp); }, NO_MORE_IRP_STACK_LOCATIONS, ptr(irp));
    EXPECT_EQ(bc.p2, 0u);
    EXPECT_EQ(bc.p3, 0u);
    EXPECT_EQ(bc.p4, 0u);
    EXPECT_EQ(BuggyTakeParked(buggy_device()), irp);
    IoFreeIrp(irp);
}

TEST_F(VerifierTest, level1_sending_a_held_irp_is_0x35) {
    load_buggy(kFwdLevel1);
    Outcome outcome;
    PIRP irp = make_read(buggy_device(), kMarkAndPark, outcome);
    ASSERT_EQ(IoCallDriver(buggy_device(), irp), STATUS_PENDING);
    auto bc = expect_bugcheck([&] { (void)IoCallDriver(buggy_device(), irp); }, NO_MORE_IRP_STACK_LOCATIONS, ptr(irp));
    EXPECT_EQ(bc.p2, 0u);
    EXPECT_EQ(bc.p3, 0u);
    EXPECT_EQ(bc.p4, 0u);
    EXPECT_EQ(BuggyTakeParked(buggy_device()), irp);
    IoFreeIrp(irp);
}

TEST_F(VerifierTest, sending_an_irp_again_after_it_came_back_is_legal) {
    load_buggy(0);
    load_filter(kFwdLevel2);
    Outcome outcome;
    PIRP irp = make_read(buggy_device(), kMarkAndPark, outcome);
    expect_no_bugcheck([&] { fwd_send_twice(buggy_device(), irp, outcome); });
    EXPECT_EQ(outcome.completions.load(), 2);
    IoFreeIrp(irp);
}

TEST_F(VerifierTest, level1_sending_an_irp_again_after_it_came_back_is_legal) {
    load_buggy(kFwdLevel1);
    Outcome outcome;
    PIRP irp = make_read(buggy_device(), kMarkAndPark, outcome);
    expect_no_bugcheck([&] { fwd_send_twice(buggy_device(), irp, outcome); });
    EXPECT_EQ(outcome.completions.load(), 2);
    IoFreeIrp(irp);
}

}  // namespace
}  // namespace ntio::verifier::test
