// Static Driver Verifier rules as run-time monitors (spec 3.1-3.5), the further I/O verification
// checks of spec 2.4 and the fail_driver1 defects of spec 5.2, each with its legal neighbour; and a
// legal legacy driver (spec 5.3) run in strict mode without a report.
#include <string>

#include "verifier_ddi_fixture.hpp"

namespace ntio::verifier::test {
namespace {

void wait_until(const std::function<bool()>& done) {
    for (int i = 0; i < 20000 && !done(); ++i) {
        LARGE_INTEGER ms;
        ms.QuadPart = -10000;
        KeDelayExecutionThread(KernelMode, FALSE, &ms);
    }
}

// ---- P2 (spec 5.2) ----

TEST_F(DdiTest, p2_dispatch_returning_with_a_spin_lock_held_is_spin_lock) {
    load_ddi(NTIO_VERIFIER_STANDARD_FLAGS);
    Outcome outcome;
    PIRP irp = ddi_read(lower(), kDdiSpinLockReturn, PASSIVE_LEVEL, outcome);
    expect_bugcheck([&] { (void)IoCallDriver(lower(), irp); }, DRIVER_VERIFIER_DETECTED_VIOLATION, 0x40009);
    KeReleaseSpinLockFromDpcLevel(&ext(lower())->Lock);
    recover();
    IoFreeIrp(irp);
}

TEST_F(DdiTest, p2_cancel_spin_lock_never_released_is_spin_lock) {
    load_ddi(NTIO_VERIFIER_STANDARD_FLAGS);
    Outcome outcome;
    PIRP irp = ddi_read(lower(), kDdiCancelLockReturn, PASSIVE_LEVEL, outcome);
    expect_bugcheck([&] { (void)IoCallDriver(lower(), irp); }, DRIVER_VERIFIER_DETECTED_VIOLATION, 0x40009);
    IoReleaseCancelSpinLock(PASSIVE_LEVEL);
    recover();
    IoFreeIrp(irp);
}

// LowerDriverReturn: the lower driver pends, the pass-through returns STATUS_SUCCESS.
TEST_F(DdiTest, p2_pass_through_returning_another_status_is_lower_driver_return) {
    load_ddi();
    Outcome outcome;
    PIRP irp = ddi_read(upper(), kDdiPark, PASSIVE_LEVEL, outcome, kForwardReturnOther);
    auto bc = expect_bugcheck([&] { (void)IoCallDriver(upper(), irp); }, DRIVER_VERIFIER_IOMANAGER_VIOLATION, 0x224);
    EXPECT_EQ(bc.p3, ptr(irp));
    EXPECT_EQ(bc.p4, ptr(upper()));
    EXPECT_NE(last_report().find("LowerDriverReturn"), std::string::npos);
    recover();
    EXPECT_EQ(VerDdiTakeQueued(lower()), irp);
    complete_read(irp, STATUS_SUCCESS);
    IoFreeIrp(irp);
}

TEST_F(DdiTest, lower_driver_return_is_a_warning_in_compat_mode) {
    (void)NtioVerifierSetMode(NtioVerifierCompat);
    load_ddi();
    const ULONG before = NtioVerifierWarningCount();
    Outcome outcome;
    PIRP irp = ddi_read(upper(), kDdiPark, PASSIVE_LEVEL, outcome, kForwardReturnOther);
    expect_no_bugcheck([&] { EXPECT_EQ(IoCallDriver(upper(), irp), STATUS_SUCCESS); });
    EXPECT_EQ(NtioVerifierWarningCount(), before + 1);
    EXPECT_EQ(VerDdiTakeQueued(lower()), irp);
    complete_read(irp, STATUS_SUCCESS);
    IoFreeIrp(irp);
}

TEST_F(DdiTest, pass_through_returning_the_lower_status_is_legal) {
    load_ddi();
    Outcome outcome;
    PIRP irp = ddi_read(upper(), kDdiPark, PASSIVE_LEVEL, outcome, kForwardReturnLower);
    expect_no_bugcheck([&] {
        EXPECT_EQ(IoCallDriver(upper(), irp), STATUS_PENDING);
        ASSERT_EQ(VerDdiTakeQueued(lower()), irp);
        complete_read(irp, STATUS_SUCCESS);
    });
    EXPECT_EQ(outcome.completions.load(), 1);
    IoFreeIrp(irp);
}

// ExFreePool(NULL): BAD_POOL_CALLER 0x46 (an invalid address), for verified drivers as for all.
TEST_F(DdiTest, p2_ex_free_pool_null_is_bad_pool_caller_0x46) {
    load_ddi();
    Outcome outcome;
    PIRP irp = ddi_read(lower(), kDdiFreePoolNull, PASSIVE_LEVEL, outcome);
    auto bc = expect_bugcheck([&] { (void)IoCallDriver(lower(), irp); }, BAD_POOL_CALLER, 0x46);
    EXPECT_EQ(bc.p2, 0u);
    recover();
    IoFreeIrp(irp);
}

// An IRP_MJ_CREATE dispatch that never completes its IRP: IrpProcessingComplete, 0xC9 0x226.
TEST_F(DdiTest, p2_create_never_completed_is_0x226) {
    load_ddi();
    ext(lower())->CreateNeverCompletes = true;
    PIRP create = simple_irp(IRP_MJ_CREATE);
    auto bc = expect_bugcheck([&] { (void)IoCallDriver(lower(), create); }, DRIVER_VERIFIER_IOMANAGER_VIOLATION,
                              0x226);
    EXPECT_EQ(bc.p3, ptr(create));
    recover();
    IoFreeIrp(create);
}

// ---- IrpPending: PendedCompletedRequest (reported as 0x23D, its Driver Verifier form) ----

TEST_F(DdiTest, completing_then_returning_pending_unmarked_is_pended_completed_request_0x23d) {
    load_ddi();
    Outcome outcome;
    PIRP irp = ddi_read(lower(), kDdiCompleteReturnPending, PASSIVE_LEVEL, outcome);
    expect_bugcheck([&] { (void)IoCallDriver(lower(), irp); }, DRIVER_VERIFIER_IOMANAGER_VIOLATION, 0x23D);
    recover();
    IoFreeIrp(irp);
}

// ---- CriticalRegions: returning from dispatch with APCs disabled (0xC4 0xC5) ----

TEST_F(DdiTest, dispatch_returning_inside_a_critical_region_is_0xc5) {
    load_ddi();
    Outcome outcome;
    PIRP irp = ddi_read(lower(), kDdiCriticalRegionLeft, PASSIVE_LEVEL, outcome);
    auto bc = expect_bugcheck([&] { (void)IoCallDriver(lower(), irp); }, DRIVER_VERIFIER_DETECTED_VIOLATION, 0xC5);
    EXPECT_EQ(bc.p2, ptr(reinterpret_cast<PVOID>(m_ddi->MajorFunction[IRP_MJ_READ])));
    EXPECT_EQ(static_cast<LONG_PTR>(bc.p3), -1);
    EXPECT_EQ(bc.p4, 0u);
    KeLeaveCriticalRegion();
    recover();
    IoFreeIrp(irp);
}

TEST_F(DdiTest, balanced_critical_region_is_legal) {
    load_ddi();
    Outcome outcome;
    PIRP irp = ddi_read(lower(), kDdiCriticalRegionBalanced, PASSIVE_LEVEL, outcome);
    expect_no_bugcheck([&] { EXPECT_EQ(IoCallDriver(lower(), irp), STATUS_SUCCESS); });
    IoFreeIrp(irp);
}

// ---- SpinLockSafe (with the additional DDI compliance checks) ----

TEST_F(DdiTest, completing_while_holding_a_spin_lock_is_spin_lock_safe) {
    load_ddi();
    Outcome outcome;
    PIRP irp = ddi_read(lower(), kDdiCompleteUnderSpinLock, PASSIVE_LEVEL, outcome);
    auto bc = expect_bugcheck([&] { (void)IoCallDriver(lower(), irp); }, DRIVER_VERIFIER_DETECTED_VIOLATION, 0x40009);
    EXPECT_EQ(bc.p3, ptr(irp));
    EXPECT_NE(last_report().find("SpinLockSafe"), std::string::npos);
    KeReleaseSpinLock(&ext(lower())->Lock, PASSIVE_LEVEL);
    recover();
    IoFreeIrp(irp);
}

TEST_F(DdiTest, start_next_packet_while_holding_a_spin_lock_is_spin_lock_safe) {
    load_ddi();
    Outcome outcome;
    PIRP irp = ddi_read(lower(), kDdiStartNextUnderSpinLock, PASSIVE_LEVEL, outcome);
    expect_bugcheck([&] { (void)IoCallDriver(lower(), irp); }, DRIVER_VERIFIER_DETECTED_VIOLATION, 0x40009);
    EXPECT_NE(last_report().find("SpinLockSafe"), std::string::npos);
    KeReleaseSpinLock(&ext(lower())->Lock, PASSIVE_LEVEL);
    recover();
    IoFreeIrp(irp);
}

TEST_F(DdiTest, completing_and_starting_the_next_packet_after_releasing_is_legal) {
    load_ddi();
    for (ULONG mode : {ULONG{kDdiCompleteAfterRelease}, ULONG{kDdiStartNextAtDispatch}}) {
        Outcome outcome;
        PIRP irp = ddi_read(lower(), mode, PASSIVE_LEVEL, outcome);
        expect_no_bugcheck([&] { EXPECT_EQ(IoCallDriver(lower(), irp), STATUS_SUCCESS); });
        EXPECT_EQ(outcome.completions.load(), 1);
        IoFreeIrp(irp);
    }
}

// ---- ExFreePool on an IRP (spec 2.4): 0xC4 0x105 ----

TEST_F(DdiTest, freeing_an_irp_with_ex_free_pool_is_0x105) {
    load_ddi();
    Outcome outcome;
    PIRP irp = ddi_read(lower(), kDdiFreeIrpAsPool, PASSIVE_LEVEL, outcome);
    auto bc = expect_bugcheck([&] { (void)IoCallDriver(lower(), irp); }, DRIVER_VERIFIER_DETECTED_VIOLATION, 0x105);
    ASSERT_NE(ext(lower())->SpareIrp, nullptr);
    EXPECT_EQ(bc.p2, ptr(ext(lower())->SpareIrp));
    recover();
    IoFreeIrp(ext(lower())->SpareIrp);
    IoFreeIrp(irp);
}

TEST_F(DdiTest, freeing_an_irp_with_io_free_irp_is_legal) {
    load_ddi();
    Outcome outcome;
    PIRP irp = ddi_read(lower(), kDdiFreeIrpLegal, PASSIVE_LEVEL, outcome);
    expect_no_bugcheck([&] { EXPECT_EQ(IoCallDriver(lower(), irp), STATUS_SUCCESS); });
    IoFreeIrp(irp);
}

// The rule is for IRPs the I/O manager handed out: one a driver built with IoInitializeIrp in its
// own pool block is freed with ExFreePool.
TEST_F(DdiTest, freeing_an_irp_the_driver_built_in_its_own_pool_with_ex_free_pool_is_legal) {
    load_ddi();
    Outcome outcome;
    PIRP irp = ddi_read(lower(), kDdiFreeOwnIrpAsPool, PASSIVE_LEVEL, outcome);
    expect_no_bugcheck([&] { EXPECT_EQ(IoCallDriver(lower(), irp), STATUS_SUCCESS); });
    IoFreeIrp(irp);
}

// ---- Remove locks (spec 2.4, 3.5): 0xC4 0xD5 / 0xD6 ----

TEST_F(DdiTest, releasing_a_remove_lock_never_acquired_is_0xd5) {
    load_ddi();
    PIRP create = simple_irp(IRP_MJ_CREATE);
    expect_no_bugcheck([&] { (void)IoCallDriver(lower(), create); });
    IoFreeIrp(create);
    Outcome outcome;
    PIRP irp = ddi_read(lower(), kDdiRemoveLockReleaseUnacquired, PASSIVE_LEVEL, outcome);
    auto bc = expect_bugcheck([&] { (void)IoCallDriver(lower(), irp); }, DRIVER_VERIFIER_DETECTED_VIOLATION, 0xD5);
    EXPECT_EQ(bc.p2, ptr(&ext(lower())->RemoveLock));
    EXPECT_EQ(bc.p3, ptr(irp));
    recover();
    IoFreeIrp(irp);
}

TEST_F(DdiTest, release_and_wait_with_a_tag_never_acquired_is_0xd6) {
    load_ddi();
    PIRP create = simple_irp(IRP_MJ_CREATE);
    expect_no_bugcheck([&] { (void)IoCallDriver(lower(), create); });
    IoFreeIrp(create);
    Outcome outcome;
    PIRP irp = ddi_read(lower(), kDdiRemoveLockWaitMismatch, PASSIVE_LEVEL, outcome);
    auto bc = expect_bugcheck([&] { (void)IoCallDriver(lower(), irp); }, DRIVER_VERIFIER_DETECTED_VIOLATION, 0xD6);
    EXPECT_EQ(bc.p2, ptr(&ext(lower())->RemoveLock));
    EXPECT_EQ(bc.p3, ptr(ext(lower())));
    EXPECT_EQ(bc.p4, ptr(irp));  // the tag the driver did acquire
    recover();
    IoFreeIrp(irp);
}

TEST_F(DdiTest, balanced_remove_lock_tags_are_legal) {
    load_ddi();
    PIRP create = simple_irp(IRP_MJ_CREATE);
    expect_no_bugcheck([&] { (void)IoCallDriver(lower(), create); });
    IoFreeIrp(create);
    Outcome outcome;
    PIRP irp = ddi_read(lower(), kDdiRemoveLockBalanced, PASSIVE_LEVEL, outcome);
    expect_no_bugcheck([&] { EXPECT_EQ(IoCallDriver(lower(), irp), STATUS_SUCCESS); });
    IoFreeIrp(irp);
}

// ---- Spec 5.3: a legal legacy driver in strict mode ----
// Queued cancellable reads completed by a timer's DPC, one cancelled with IoCancelIrp (its cancel
// routine releases the cancel spin lock first), the rest cancelled at IRP_MJ_CLEANUP, which ends
// with IoReleaseRemoveLockAndWait on the open's remove lock (NT facts M5, S11): nothing is flagged.
TEST_F(DdiTest, legal_legacy_driver_runs_clean_in_strict_mode) {
    load_ddi();
    ASSERT_EQ(NtioVerifierQueryMode(), NtioVerifierStrict);
    const std::string report_before = last_report();  // process-wide: earlier tests' reports
    const ULONG warnings_before = NtioVerifierWarningCount();
    PIRP create = simple_irp(IRP_MJ_CREATE);
    expect_no_bugcheck([&] { EXPECT_EQ(IoCallDriver(lower(), create), STATUS_SUCCESS); });
    IoFreeIrp(create);

    constexpr int kReads = 8;
    Outcome outcomes[kReads];
    PIRP reads[kReads];
    expect_no_bugcheck([&] {
        // Timer + DPC completion.
        for (int i = 0; i < 3; ++i) {
            reads[i] = ddi_read(lower(), kDdiLegacyQueue, PASSIVE_LEVEL, outcomes[i]);
            EXPECT_EQ(IoCallDriver(lower(), reads[i]), STATUS_PENDING);
            wait_until([&] { return outcomes[i].completions.load() == 1; });
        }
    });
    for (int i = 0; i < 3; ++i) EXPECT_EQ(outcomes[i].status.load(), STATUS_SUCCESS);
    // Stop the timer from completing the rest: they stay queued for cancellation.
    (void)KeCancelTimer(&ext(lower())->Timer);
    expect_no_bugcheck([&] {
        for (int i = 3; i < kReads; ++i) {
            reads[i] = ddi_read(lower(), kDdiLegacyQueue, PASSIVE_LEVEL, outcomes[i]);
            EXPECT_EQ(IoCallDriver(lower(), reads[i]), STATUS_PENDING);
            (void)KeCancelTimer(&ext(lower())->Timer);
        }
        EXPECT_TRUE(IoCancelIrp(reads[3]));
        PIRP cleanup = simple_irp(IRP_MJ_CLEANUP);
        EXPECT_EQ(IoCallDriver(lower(), cleanup), STATUS_SUCCESS);
        IoFreeIrp(cleanup);
    });
    int completed = 0;
    for (int i = 3; i < kReads; ++i) {
        completed += outcomes[i].completions.load();
        // A read the timer's DPC took between queueing and KeCancelTimer succeeded; the rest were cancelled.
        const NTSTATUS s = outcomes[i].status.load();
        EXPECT_TRUE(s == STATUS_CANCELLED || s == STATUS_SUCCESS) << std::hex << s;
    }
    EXPECT_EQ(completed, kReads - 3);
    EXPECT_EQ(VerDdiQueued(lower()), 0u);
    EXPECT_EQ(last_report(), report_before);
    EXPECT_EQ(NtioVerifierWarningCount(), warnings_before);
    for (PIRP irp : reads) IoFreeIrp(irp);
}

}  // namespace
}  // namespace ntio::verifier::test
