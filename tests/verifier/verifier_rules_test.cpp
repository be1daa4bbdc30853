// Every verifier rule: a test that trips it (code and parameters through the bugcheck hook) and a
// test that the legal pattern next to it (spec 5.3 P3) is not flagged. Rule names and subcodes:
// https://learn.microsoft.com/windows-hardware/drivers/debugger/bug-check-0xc9--driver-verifier-iomanager-violation
#include <string>

#include "verifier_test_driver.hpp"

namespace ntio::verifier::test {
namespace {


using ntio::test::expect_no_bugcheck;

// ---- Pending: MarkIrpPending2 (0x23D), MarkIrpPending (0x23E) ----

TEST_F(VerifierTest, pending_returned_without_mark_is_0x23d) {
    load_buggy();
    Outcome outcome;
    PIRP irp = make_read(buggy_device(), kPendWithoutMark, outcome);
    auto bc = expect_bugcheck([&] { (void)IoCallDriver(buggy_device(), irp); }, DRIVER_VERIFIER_IOMANAGER_VIOLATION,
                              0x23D);
    EXPECT_EQ(bc.p3, ptr(irp));
    EXPECT_EQ(bc.p4, ptr(buggy_device()));
    EXPECT_EQ(bc.p2, ptr(reinterpret_cast<PVOID>(m_buggy->MajorFunction[IRP_MJ_READ])));
    EXPECT_EQ(BuggyTakeParked(buggy_device()), irp);
    IoFreeIrp(irp);
}

TEST_F(VerifierTest, pending_returned_without_mark_is_flagged_in_compat_mode_too) {
    (void)NtioVerifierSetMode(NtioVerifierCompat);
    load_buggy();
    Outcome outcome;
    PIRP irp = make_read(buggy_device(), kPendWithoutMark, outcome);
    expect_bugcheck([&] { (void)IoCallDriver(buggy_device(), irp); }, DRIVER_VERIFIER_IOMANAGER_VIOLATION, 0x23D);
    EXPECT_EQ(BuggyTakeParked(buggy_device()), irp);
    IoFreeIrp(irp);
}

TEST_F(VerifierTest, mark_park_and_return_pending_is_legal) {
    load_buggy();
    Outcome outcome;
    PIRP irp = make_read(buggy_device(), kMarkAndPark, outcome);
    expect_no_bugcheck([&] {
        EXPECT_EQ(IoCallDriver(buggy_device(), irp), STATUS_PENDING);
        ASSERT_EQ(BuggyTakeParked(buggy_device()), irp);
        complete_read(irp, STATUS_SUCCESS);
    });
    EXPECT_EQ(outcome.completions.load(), 1);
    EXPECT_TRUE(irp->PendingReturned);
    IoFreeIrp(irp);
}

TEST_F(VerifierTest, marked_pending_but_returned_success_is_0x23e) {
    load_buggy();
    Outcome outcome;
    PIRP irp = make_read(buggy_device(), kMarkCompleteReturnOk, outcome);
    auto bc = expect_bugcheck([&] { (void)IoCallDriver(buggy_device(), irp); }, DRIVER_VERIFIER_IOMANAGER_VIOLATION,
                              0x23E);
    EXPECT_EQ(bc.p3, ptr(irp));
    IoFreeIrp(irp);
}

// Spec 5.3: mark pending, complete synchronously, return STATUS_PENDING.
TEST_F(VerifierTest, mark_complete_synchronously_return_pending_is_legal) {
    load_buggy();
    Outcome outcome;
    PIRP irp = make_read(buggy_device(), kMarkCompleteReturnPending, outcome);
    expect_no_bugcheck([&] { EXPECT_EQ(IoCallDriver(buggy_device(), irp), STATUS_PENDING); });
    EXPECT_EQ(outcome.completions.load(), 1);
    IoFreeIrp(irp);
}

// Spec 5.3, NT fact B9: IoCsqInsertIrp marks the IRP pending.
TEST_F(VerifierTest, csq_insert_then_pending_without_explicit_mark_is_legal) {
    load_buggy();
    Outcome outcome;
    PIRP irp = make_read(buggy_device(), kCsqPend, outcome);
    expect_no_bugcheck([&] {
        EXPECT_EQ(IoCallDriver(buggy_device(), irp), STATUS_PENDING);
        ASSERT_EQ(BuggyTakeCsq(buggy_device()), irp);
        complete_read(irp, STATUS_SUCCESS);
    });
    EXPECT_EQ(outcome.completions.load(), 1);
    IoFreeIrp(irp);
}

// Spec 5.3: double IoMarkIrpPending.
TEST_F(VerifierTest, double_mark_pending_is_legal) {
    load_buggy();
    Outcome outcome;
    PIRP irp = make_read(buggy_device(), kDoubleMark, outcome);
    expect_no_bugcheck([&] {
        EXPECT_EQ(IoCallDriver(buggy_device(), irp), STATUS_PENDING);
        ASSERT_EQ(BuggyTakeParked(buggy_device()), irp);
        complete_read(irp, STATUS_SUCCESS);
    });
    EXPECT_EQ(outcome.completions.load(), 1);
    IoFreeIrp(irp);
}

// Spec 5.3: completing an IRP from a DPC at DISPATCH_LEVEL.
TEST_F(VerifierTest, completion_from_a_dpc_is_legal) {
    load_buggy();
    Outcome outcome;
    PIRP irp = make_read(buggy_device(), kDpcComplete, outcome);
    expect_no_bugcheck([&] { EXPECT_EQ(IoCallDriver(buggy_device(), irp), STATUS_PENDING); });
    for (int i = 0; i < 20000 && outcome.completions.load() == 0; ++i) {
        LARGE_INTEGER ms;
        ms.QuadPart = -10000;
        KeDelayExecutionThread(KernelMode, FALSE, &ms);
    }
    EXPECT_EQ(outcome.completions.load(), 1);
    while (buggy_ext()->DpcDone.load() == 0) KeStallExecutionProcessor(10);
    IoFreeIrp(irp);
}

// Spec 5.3: a cancel routine that releases the cancel spin lock first and completes later.
TEST_F(VerifierTest, cancel_routine_releasing_the_lock_first_is_legal) {
    load_buggy();
    Outcome outcome;
    PIRP irp = make_read(buggy_device(), kCancelableLegal, outcome);
    expect_no_bugcheck([&] {
        EXPECT_EQ(IoCallDriver(buggy_device(), irp), STATUS_PENDING);
        EXPECT_TRUE(IoCancelIrp(irp));
    });
    EXPECT_EQ(outcome.completions.load(), 1);
    EXPECT_EQ(outcome.status.load(), STATUS_CANCELLED);
    IoFreeIrp(irp);
}

// ---- IrpProcessingComplete (0x226), bad statuses ----

TEST_F(VerifierTest, returning_success_without_completing_is_0x226) {
    load_buggy();
    Outcome outcome;
    PIRP irp = make_read(buggy_device(), kReturnWithoutComplete, outcome);
    auto bc = expect_bugcheck([&] { (void)IoCallDriver(buggy_device(), irp); }, DRIVER_VERIFIER_IOMANAGER_VIOLATION,
                              0x226);
    EXPECT_EQ(bc.p3, ptr(irp));
    IoFreeIrp(irp);
}

TEST_F(VerifierTest, completing_and_returning_the_same_status_is_legal) {
    load_buggy();
    Outcome outcome;
    PIRP irp = make_read(buggy_device(), kCompleteOk, outcome);
    expect_no_bugcheck([&] { EXPECT_EQ(IoCallDriver(buggy_device(), irp), STATUS_SUCCESS); });
    EXPECT_EQ(outcome.completions.load(), 1);
    IoFreeIrp(irp);
}

TEST_F(VerifierTest, returning_0xffffffff_is_0x225) {
    load_buggy();
    Outcome outcome;
    PIRP irp = make_read(buggy_device(), kReturnIllegalStatus, outcome);
    expect_bugcheck([&] { (void)IoCallDriver(buggy_device(), irp); }, DRIVER_VERIFIER_IOMANAGER_VIOLATION, 0x225);
    IoFreeIrp(irp);
}

// Spec 5.4 P4: flagged in strict mode...
TEST_F(VerifierTest, returned_status_other_than_iostatus_is_0x224_in_strict_mode) {
    load_buggy();
    Outcome outcome;
    PIRP irp = make_read(buggy_device(), kStatusMismatch, outcome);
    auto bc = expect_bugcheck([&] { (void)IoCallDriver(buggy_device(), irp); }, DRIVER_VERIFIER_IOMANAGER_VIOLATION,
                              0x224);
    EXPECT_EQ(bc.p3, ptr(irp));
    IoFreeIrp(irp);
}

// ... and a warning in compat mode.
TEST_F(VerifierTest, returned_status_other_than_iostatus_is_a_warning_in_compat_mode) {
    (void)NtioVerifierSetMode(NtioVerifierCompat);
    load_buggy();
    const ULONG warnings = NtioVerifierWarningCount();
    Outcome outcome;
    PIRP irp = make_read(buggy_device(), kStatusMismatch, outcome);
    expect_no_bugcheck([&] { EXPECT_EQ(IoCallDriver(buggy_device(), irp), STATUS_UNSUCCESSFUL); });
    EXPECT_EQ(NtioVerifierWarningCount(), warnings + 1);
    IoFreeIrp(irp);
}

TEST_F(VerifierTest, off_mode_checks_nothing) {
    load_buggy();
    (void)NtioVerifierSetMode(NtioVerifierOff);
    Outcome outcome;
    PIRP irp = make_read(buggy_device(), kStatusMismatch, outcome);
    expect_no_bugcheck([&] { EXPECT_EQ(IoCallDriver(buggy_device(), irp), STATUS_UNSUCCESSFUL); });
    IoFreeIrp(irp);
}

// ---- IoCompleteRequest: Level 1 (0x06), cancel routine left set (0x23C), double completion (0x44) ----

// Level 2's name for Level 1's 0x07 (verifier_level1_test.cpp): WDM layout, the completer's dispatch.
TEST_F(VerifierTest, completion_with_cancel_routine_set_is_0x23c_at_level2) {
    load_buggy();
    Outcome outcome;
    PIRP irp = make_read(buggy_device(), kCompleteWithCancelRoutine, outcome);
    auto bc = expect_bugcheck([&] { (void)IoCallDriver(buggy_device(), irp); }, DRIVER_VERIFIER_IOMANAGER_VIOLATION,
                              0x23C);
    EXPECT_EQ(bc.p2, ptr(reinterpret_cast<PVOID>(m_buggy->MajorFunction[IRP_MJ_READ])));
    EXPECT_EQ(bc.p3, ptr(irp));
    EXPECT_EQ(bc.p4, ptr(buggy_device()));
    (void)IoSetCancelRoutine(irp, nullptr);
    IoFreeIrp(irp);
}

TEST_F(VerifierTest, completion_with_status_pending_is_0x06) {
    load_buggy();
    Outcome outcome;
    PIRP irp = make_read(buggy_device(), kCompletePendingStatus, outcome);
    auto bc = expect_bugcheck([&] { (void)IoCallDriver(buggy_device(), irp); }, DRIVER_VERIFIER_IOMANAGER_VIOLATION,
                              0x06);
    EXPECT_EQ(bc.p2, static_cast<ULONG_PTR>(static_cast<ULONG>(STATUS_PENDING)));
    EXPECT_EQ(bc.p3, ptr(irp));
    IoFreeIrp(irp);
}

TEST_F(VerifierTest, completing_twice_is_0x44_and_the_report_shows_the_path) {
    load_buggy();
    Outcome outcome;
    PIRP irp = make_read(buggy_device(), kCompleteTwice, outcome);
    auto bc = expect_bugcheck([&] { (void)IoCallDriver(buggy_device(), irp); }, MULTIPLE_IRP_COMPLETE_REQUESTS,
                              ptr(irp));
    (void)bc;
    const std::string report = last_report();
    EXPECT_NE(report.find("MULTIPLE_IRP_COMPLETE_REQUESTS"), std::string::npos) << report;
    EXPECT_NE(report.find("\\Driver\\VerBuggy"), std::string::npos) << report;
    EXPECT_NE(report.find("IRP_MJ_READ"), std::string::npos) << report;
    IoFreeIrp(irp);
}

// ---- Spin locks (0xC4 0x40009 SpinLock), IRQL (0xC9 0x05, 0x10) ----

TEST_F(VerifierTest, spin_lock_held_on_return_from_dispatch_is_0xc4_spinlock) {
    load_buggy();
    Outcome outcome;
    PIRP irp = make_read(buggy_device(), kSpinLockHeld, outcome);
    auto bc = expect_bugcheck([&] { (void)IoCallDriver(buggy_device(), irp); }, DRIVER_VERIFIER_DETECTED_VIOLATION,
                              0x00040009);
    EXPECT_NE(bc.p2, 0u);  // the rule condition string
    KeReleaseSpinLockFromDpcLevel(&buggy_ext()->HeldLock);
    KeLowerIrql(PASSIVE_LEVEL);
    IoFreeIrp(irp);
}

TEST_F(VerifierTest, spin_lock_released_before_return_is_legal) {
    load_buggy();
    Outcome outcome;
    PIRP irp = make_read(buggy_device(), kSpinLockReleased, outcome);
    expect_no_bugcheck([&] { EXPECT_EQ(IoCallDriver(buggy_device(), irp), STATUS_SUCCESS); });
    IoFreeIrp(irp);
}

TEST_F(VerifierTest, cancel_spin_lock_held_on_return_from_dispatch_is_0xc4_spinlock) {
    load_buggy();
    Outcome outcome;
    PIRP irp = make_read(buggy_device(), kCancelLockHeld, outcome);
    expect_bugcheck([&] { (void)IoCallDriver(buggy_device(), irp); }, DRIVER_VERIFIER_DETECTED_VIOLATION, 0x00040009);
    IoReleaseCancelSpinLock(PASSIVE_LEVEL);
    IoFreeIrp(irp);
}

TEST_F(VerifierTest, irql_changed_across_dispatch_is_0x05) {
    load_buggy();
    Outcome outcome;
    PIRP irp = make_read(buggy_device(), kRaiseIrql, outcome);
    expect_irql_change_report(buggy_device(), irp, buggy_device());
    IoFreeIrp(irp);
}

TEST_F(VerifierTest, io_call_driver_above_dispatch_level_is_0x10) {
    load_buggy();
    Outcome outcome;
    PIRP irp = make_read(buggy_device(), kCompleteOk, outcome);
    auto bc = expect_bugcheck(
        [&] {
            KIRQL old;
            KeRaiseIrql(HIGH_LEVEL, &old);
            (void)IoCallDriver(buggy_device(), irp);
        },
        DRIVER_VERIFIER_IOMANAGER_VIOLATION, 0x10);
    EXPECT_EQ(bc.p2, static_cast<ULONG_PTR>(HIGH_LEVEL));
    KeLowerIrql(PASSIVE_LEVEL);
    IoFreeIrp(irp);
}

TEST_F(VerifierTest, io_call_driver_at_dispatch_level_is_legal) {
    load_buggy();
    Outcome outcome;
    PIRP irp = make_read(buggy_device(), kCompleteOk, outcome);
    expect_no_bugcheck([&] {
        KIRQL old;
        KeRaiseIrql(DISPATCH_LEVEL, &old);
        EXPECT_EQ(IoCallDriver(buggy_device(), irp), STATUS_SUCCESS);
        KeLowerIrql(old);
    });
    IoFreeIrp(irp);
}

// ---- Forwarding: stack-location copy (0x212, 0x207), pending propagation (0x228) ----

TEST_F(VerifierTest, forwarding_with_skip_is_legal) {
    load_buggy();
    load_filter();
    Outcome outcome;
    PIRP irp = make_read(filter_device(), kMarkAndPark, outcome, kFilterSkip);
    expect_no_bugcheck([&] {
        EXPECT_EQ(IoCallDriver(filter_device(), irp), STATUS_PENDING);
        ASSERT_EQ(BuggyTakeParked(buggy_device()), irp);
        complete_read(irp, STATUS_SUCCESS);
    });
    EXPECT_EQ(outcome.completions.load(), 1);
    IoFreeIrp(irp);
}

TEST_F(VerifierTest, forwarding_without_a_stack_location_copy_is_0x212) {
    load_buggy();
    load_filter();
    Outcome outcome;
    PIRP irp = make_read(filter_device(), kCompleteOk, outcome, kFilterNoCopy);
    auto bc = expect_bugcheck([&] { (void)IoCallDriver(filter_device(), irp); }, DRIVER_VERIFIER_IOMANAGER_VIOLATION,
                              0x212);
    EXPECT_EQ(bc.p3, ptr(irp));
    EXPECT_EQ(bc.p4, ptr(buggy_device()));
    IoFreeIrp(irp);
}

TEST_F(VerifierTest, copying_the_upper_completion_routine_is_0x207) {
    load_buggy();
    load_filter();
    Outcome outcome;
    PIRP irp = make_read(filter_device(), kCompleteOk, outcome, kFilterCopyUpperRoutine);
    expect_bugcheck([&] { (void)IoCallDriver(filter_device(), irp); }, DRIVER_VERIFIER_IOMANAGER_VIOLATION, 0x207);
    IoFreeIrp(irp);
}

TEST_F(VerifierTest, completion_routine_propagating_pending_is_legal) {
    load_buggy();
    load_filter();
    Outcome outcome;
    PIRP irp = make_read(filter_device(), kMarkAndPark, outcome, kFilterCopyPropagate);
    expect_no_bugcheck([&] {
        EXPECT_EQ(IoCallDriver(filter_device(), irp), STATUS_PENDING);
        ASSERT_EQ(BuggyTakeParked(buggy_device()), irp);
        complete_read(irp, STATUS_SUCCESS);
    });
    EXPECT_EQ(outcome.completions.load(), 1);
    IoFreeIrp(irp);
}

// Spec 5.4 P4: strict flags it...
TEST_F(VerifierTest, completion_routine_not_propagating_pending_is_0x228_in_strict_mode) {
    load_buggy();
    load_filter();
    Outcome outcome;
    PIRP irp = make_read(filter_device(), kMarkAndPark, outcome, kFilterCopyNoPropagate);
    EXPECT_EQ(IoCallDriver(filter_device(), irp), STATUS_PENDING);
    ASSERT_EQ(BuggyTakeParked(buggy_device()), irp);
    auto bc = expect_bugcheck([&] { complete_read(irp, STATUS_SUCCESS); }, DRIVER_VERIFIER_IOMANAGER_VIOLATION, 0x228);
    EXPECT_EQ(bc.p3, ptr(irp));
    EXPECT_EQ(bc.p4, ptr(filter_device()));
    IoFreeIrp(irp);
}

// ... compat reports it as a warning.
TEST_F(VerifierTest, completion_routine_not_propagating_pending_is_a_warning_in_compat_mode) {
    (void)NtioVerifierSetMode(NtioVerifierCompat);
    load_buggy();
    load_filter();
    const ULONG warnings = NtioVerifierWarningCount();
    Outcome outcome;
    PIRP irp = make_read(filter_device(), kMarkAndPark, outcome, kFilterCopyNoPropagate);
    expect_no_bugcheck([&] {
        EXPECT_EQ(IoCallDriver(filter_device(), irp), STATUS_PENDING);
        ASSERT_EQ(BuggyTakeParked(buggy_device()), irp);
        complete_read(irp, STATUS_SUCCESS);
    });
    EXPECT_EQ(NtioVerifierWarningCount(), warnings + 1);
    IoFreeIrp(irp);
}

// LowerDriverReturn: returning something else than IoCallDriver's STATUS_PENDING after the lower
// driver marked the (shared, skipped) location pending.
TEST_F(VerifierTest, returning_success_over_a_pending_lower_driver_is_0x23e) {
    load_buggy();
    load_filter();
    Outcome outcome;
    PIRP irp = make_read(filter_device(), kMarkAndPark, outcome, kFilterReturnOtherStatus);
    auto bc = expect_bugcheck([&] { (void)IoCallDriver(filter_device(), irp); }, DRIVER_VERIFIER_IOMANAGER_VIOLATION,
                              0x23E);
    EXPECT_EQ(bc.p4, ptr(filter_device()));
    PIRP parked = BuggyTakeParked(buggy_device());
    EXPECT_EQ(parked, irp);
    (void)NtioVerifierSetFlags(m_filter, 0);
    (void)NtioVerifierSetFlags(m_buggy, 0);
    complete_read(irp, STATUS_SUCCESS);
    IoFreeIrp(irp);
}

// ---- IOCTL information leak (0x312) ----

PIRP build_ioctl(PDEVICE_OBJECT device, ULONG code, ULONG out_length, UCHAR* out, IO_STATUS_BLOCK* iosb, KEVENT* event) {
    KeInitializeEvent(event, NotificationEvent, FALSE);
    return IoBuildDeviceIoControlRequest(code, device, nullptr, 0, out, out_length, FALSE, event, iosb);
}

// After a caught 0x312 the IRP stopped at the driver's IoCompleteRequest: finish it unverified.
void finish_ioctl(PDRIVER_OBJECT driver, PIRP irp, KEVENT* event) {
    (void)NtioVerifierSetFlags(driver, 0);
    irp->IoStatus.Information = 4;
    IoCompleteRequest(irp, IO_NO_INCREMENT);
    KeWaitForSingleObject(event, Executive, KernelMode, FALSE, nullptr);
}

TEST_F(VerifierTest, information_beyond_what_the_driver_wrote_is_0x312) {
    load_buggy();
    UCHAR out[64];
    IO_STATUS_BLOCK iosb{};
    KEVENT event;
    PIRP irp = build_ioctl(buggy_device(), kIoctlReportMore, sizeof out, out, &iosb, &event);
    ASSERT_NE(irp, nullptr);
    auto bc = expect_bugcheck([&] { (void)IoCallDriver(buggy_device(), irp); }, DRIVER_VERIFIER_IOMANAGER_VIOLATION,
                              0x312);
    EXPECT_EQ(bc.p3, ptr(irp));
    EXPECT_EQ(bc.p4, ptr(buggy_device()));
    finish_ioctl(m_buggy, irp, &event);
}

TEST_F(VerifierTest, information_beyond_the_output_buffer_is_0x312) {
    load_buggy();
    UCHAR out[16];
    IO_STATUS_BLOCK iosb{};
    KEVENT event;
    PIRP irp = build_ioctl(buggy_device(), kIoctlReportBeyondBuffer, sizeof out, out, &iosb, &event);
    ASSERT_NE(irp, nullptr);
    expect_bugcheck([&] { (void)IoCallDriver(buggy_device(), irp); }, DRIVER_VERIFIER_IOMANAGER_VIOLATION, 0x312);
    finish_ioctl(m_buggy, irp, &event);
}

TEST_F(VerifierTest, information_equal_to_what_the_driver_wrote_is_legal) {
    load_buggy();
    UCHAR out[64];
    IO_STATUS_BLOCK iosb{};
    KEVENT event;
    PIRP irp = build_ioctl(buggy_device(), kIoctlReportWritten, sizeof out, out, &iosb, &event);
    ASSERT_NE(irp, nullptr);
    expect_no_bugcheck([&] {
        if (IoCallDriver(buggy_device(), irp) == STATUS_PENDING)
            KeWaitForSingleObject(&event, Executive, KernelMode, FALSE, nullptr);
    });
    EXPECT_EQ(iosb.Status, STATUS_SUCCESS);
    EXPECT_EQ(iosb.Information, 4u);
    EXPECT_EQ(out[0], 0x11);
}

// ---- Lifetime: IoDeleteDevice twice (0x240), unload with a pending IRP (0xCE) ----

TEST_F(VerifierTest, deleting_a_device_twice_is_0x240) {
    load_buggy();
    PDEVICE_OBJECT device = buggy_device();
    ObReferenceObject(device);
    IoDeleteDevice(device);
    auto bc = expect_bugcheck([&] { IoDeleteDevice(device); }, DRIVER_VERIFIER_IOMANAGER_VIOLATION, 0x240);
    EXPECT_EQ(bc.p4, ptr(device));
    ObDereferenceObject(device);
}

TEST_F(VerifierTest, unloading_with_a_parked_irp_is_0xce) {
    load_buggy();
    Outcome outcome;
    PIRP irp = make_read(buggy_device(), kMarkAndPark, outcome);
    ASSERT_EQ(IoCallDriver(buggy_device(), irp), STATUS_PENDING);
    PDEVICE_OBJECT device = buggy_device();
    ObReferenceObject(device);  // DriverUnload deletes it; its extension still holds the parked read
    auto bc = expect_bugcheck([&] { (void)NtioUnloadDriver(m_buggy); },
                              DRIVER_UNLOADED_WITHOUT_CANCELLING_PENDING_OPERATIONS, ptr(irp));
    EXPECT_EQ(bc.p3, ptr(reinterpret_cast<PVOID>(m_buggy->DriverUnload)));
    EXPECT_EQ(bc.p4, 1u);
    EXPECT_EQ(BuggyTakeParked(device), irp);
    IoFreeIrp(irp);
    ObDereferenceObject(device);
    // The bugcheck left the unload path before it dropped the two references it holds during the
    // unload (NtioUnloadDriver's and the unload routine's call's).
    ObDereferenceObject(m_buggy);
    ObDereferenceObject(m_buggy);
}

TEST_F(VerifierTest, unloading_after_completing_everything_is_legal) {
    load_buggy();
    Outcome outcome;
    PIRP irp = make_read(buggy_device(), kMarkAndPark, outcome);
    ASSERT_EQ(IoCallDriver(buggy_device(), irp), STATUS_PENDING);
    ASSERT_EQ(BuggyTakeParked(buggy_device()), irp);
    complete_read(irp, STATUS_SUCCESS);
    IoFreeIrp(irp);
    expect_no_bugcheck([&] { EXPECT_EQ(NtioUnloadDriver(m_buggy), STATUS_SUCCESS); });
}

// ---- The report ----

TEST_F(VerifierTest, report_names_code_parameters_driver_and_irp_path) {
    load_buggy();
    Outcome outcome;
    PIRP irp = make_read(buggy_device(), kPendWithoutMark, outcome);
    expect_bugcheck([&] { (void)IoCallDriver(buggy_device(), irp); }, DRIVER_VERIFIER_IOMANAGER_VIOLATION, 0x23D);
    const std::string report = last_report();
    for (const char* needle : {"DRIVER_VERIFIER_IOMANAGER_VIOLATION (c9)", "WDM DRIVER ERROR 0x23d",
                               "MarkIrpPending2", "Arg1: 000000000000023d, WDM DRIVER ERROR code", "Arg3:",
                               ", IRP", "Driver: \\Driver\\VerBuggy", "dispatch", "IRP_MJ_READ(0x03)",
                               "\\Device\\VerBuggy", "returned 0x00000103  not marked pending"})
        EXPECT_NE(report.find(needle), std::string::npos) << needle << "\n" << report;
    IoFreeIrp(irp);
}

}  // namespace
}  // namespace ntio::verifier::test
