// The DDI compliance rules of spec 3.6 that are not IRQL ranges (QueuedSpinLock, GuardedRegions,
// RequestedPowerIrp, PnpRemove), and the IRQL rules that share their misuse with a classic Force
// IRQL checking subcode, through VerDdi: each misuse reported with its rule's 0xC4 subcode (P2 the
// rule's condition string, P3 and P4 zero) and its legal neighbour not.
// Rule pages: https://learn.microsoft.com/windows-hardware/drivers/devtest/wdm-<rule name>
#include <functional>
#include <string>

#include "verifier_ddi_fixture.hpp"

namespace ntio::verifier::test {
namespace {

constexpr ULONG kDdiOnly = NTIO_VERIFIER_DDI_COMPLIANCE;

class DdiRuleTest : public DdiTest {
protected:
    // A read of `mode` at `irql` to the lower device: the rule `subcode` reported, naming `phrase`;
    // `undo` then runs while the driver is still verified (what the stopped driver left to release).
    void expect_rule(ULONG mode, KIRQL irql, ULONG_PTR subcode, const char* phrase,
                     const std::function<void()>& undo = {}) {
        SCOPED_TRACE(testing::Message() << "mode " << mode);
        Outcome outcome;
        PIRP irp = ddi_read(lower(), mode, irql, outcome);
        auto bc = expect_bugcheck([&] { (void)IoCallDriver(lower(), irp); }, DRIVER_VERIFIER_DETECTED_VIOLATION,
                                  subcode);
        if (bc.code == DRIVER_VERIFIER_DETECTED_VIOLATION && bc.p1 == subcode) {
            ASSERT_NE(bc.p2, 0u);
            EXPECT_NE(std::string(reinterpret_cast<const char*>(bc.p2)).find(phrase), std::string::npos)
                << reinterpret_cast<const char*>(bc.p2);
            EXPECT_EQ(bc.p3, 0u);
            EXPECT_EQ(bc.p4, 0u);
        }
        EXPECT_NE(last_report().find("VerDdi"), std::string::npos);
        if (undo) undo();
        recover();
        IoFreeIrp(irp);
    }
    // A read of `mode` at PASSIVE_LEVEL that completes with STATUS_SUCCESS and reports nothing.
    void expect_legal(ULONG mode) {
        SCOPED_TRACE(testing::Message() << "mode " << mode);
        Outcome outcome;
        PIRP irp = ddi_read(lower(), mode, PASSIVE_LEVEL, outcome);
        expect_no_bugcheck([&] { EXPECT_EQ(IoCallDriver(lower(), irp), STATUS_SUCCESS); });
        EXPECT_EQ(outcome.completions.load(), 1);
        EXPECT_EQ(outcome.status.load(), STATUS_SUCCESS);
        IoFreeIrp(irp);
    }
    // An IRP_MJ_PNP of this minor function, which VerDdi completes with `status`.
    void send_pnp(UCHAR minor, NTSTATUS status) {
        ext(lower())->PnpStatus = status;
        PIRP irp = simple_irp(IRP_MJ_PNP);
        IoGetNextIrpStackLocation(irp)->MinorFunction = minor;
        irp->IoStatus.Status = STATUS_NOT_SUPPORTED;
        (void)IoCallDriver(lower(), irp);
        IoFreeIrp(irp);
    }
};

// With DDI compliance checking alone, a misuse Force IRQL checking reports with a classic subcode
// (0x33, 0x11A, 0x42: verifier_ddi_test.cpp) is reported as the DDI rule that names the routine.
TEST_F(DdiRuleTest, ddi_compliance_alone_reports_the_rule_instead_of_the_classic_subcode) {
    load_ddi(kDdiOnly);
    expect_rule(kDdiFastMutex, DISPATCH_LEVEL, 0x20005, "ExAcquireFastMutex");  // IrqlExApcLte1
    ASSERT_EQ(NtioVerifierSetFlags(m_ddi, kDdiOnly), STATUS_SUCCESS);
    expect_rule(kDdiEnterCriticalRegion, DISPATCH_LEVEL, 0x20010, "KeEnterCriticalRegion");  // IrqlKeApcLte2
    ASSERT_EQ(NtioVerifierSetFlags(m_ddi, kDdiOnly), STATUS_SUCCESS);
    expect_rule(kDdiAcquireSpinLock, HIGH_LEVEL, 0x20011, "KeAcquireSpinLock");  // IrqlKeDispatchLte
    EXPECT_TRUE(KeTestSpinLock(&ext(lower())->Lock));
}

// QueuedSpinLock: the same lock acquired again through a second handle (without the verifier this
// thread would stop with SPIN_LOCK_ALREADY_OWNED).
TEST_F(DdiRuleTest, queued_spin_lock_acquired_twice_is_queued_spin_lock) {
    load_ddi();
    // The outer acquire held the lock at DISPATCH_LEVEL when the inner one stopped.
    expect_rule(kDdiQueuedLockNested, PASSIVE_LEVEL, 0x40006, "KeAcquireInStackQueuedSpinLock", [this] {
        EXPECT_FALSE(KeTestSpinLock(&ext(lower())->Lock));
        EXPECT_EQ(KeGetCurrentIrql(), DISPATCH_LEVEL);
        KeReleaseSpinLock(&ext(lower())->Lock, PASSIVE_LEVEL);
    });
    EXPECT_TRUE(KeTestSpinLock(&ext(lower())->Lock));
}

TEST_F(DdiRuleTest, two_queued_spin_locks_nested_are_legal) {
    load_ddi();
    expect_legal(kDdiQueuedLockTwoLocks);
    EXPECT_TRUE(KeTestSpinLock(&ext(lower())->Lock));
    EXPECT_TRUE(KeTestSpinLock(&ext(lower())->SecondLock));
}

TEST_F(DdiRuleTest, queued_spin_lock_released_twice_is_queued_spin_lock) {
    load_ddi();
    expect_rule(kDdiQueuedLockReleaseFree, PASSIVE_LEVEL, 0x40006, "KeReleaseInStackQueuedSpinLock");
    EXPECT_TRUE(KeTestSpinLock(&ext(lower())->Lock));
}

// GuardedRegions: KeLeaveGuardedRegion without KeEnterGuardedRegion, and a dispatch routine that
// returns inside a guarded region it entered.
TEST_F(DdiRuleTest, leaving_a_guarded_region_never_entered_is_guarded_regions) {
    load_ddi();
    expect_rule(kDdiGuardedLeaveUnentered, PASSIVE_LEVEL, 0x4000E, "KeLeaveGuardedRegion");
    EXPECT_FALSE(KeAreAllApcsDisabled());  // the stopped leave changed nothing
}

TEST_F(DdiRuleTest, returning_inside_a_guarded_region_is_guarded_regions) {
    load_ddi();
    expect_rule(kDdiGuardedRegionLeft, PASSIVE_LEVEL, 0x4000E, "KeEnterGuardedRegion");
    EXPECT_TRUE(KeAreAllApcsDisabled());
    KeLeaveGuardedRegion();  // the region the driver left open
    EXPECT_FALSE(KeAreAllApcsDisabled());
}

TEST_F(DdiRuleTest, a_balanced_guarded_region_is_legal) {
    load_ddi();
    expect_legal(kDdiGuardedRegionBalanced);
    EXPECT_FALSE(KeAreAllApcsDisabled());
}

// RequestedPowerIrp: the Irp out pointer is for IRP_MN_WAIT_WAKE only (PoRequestPowerIrp's page).
TEST_F(DdiRuleTest, requesting_a_set_power_irp_with_its_pointer_is_requested_power_irp) {
    load_ddi();
    expect_rule(kDdiPowerIrpPointer, PASSIVE_LEVEL, 0x4100B, "PoRequestPowerIrp");
}

TEST_F(DdiRuleTest, requesting_a_set_power_irp_without_its_pointer_is_legal) {
    load_ddi();
    expect_legal(kDdiPowerIrpNoPointer);
}

// PnpRemove: removal and cancellation requests may not be failed; other PnP requests may.
TEST_F(DdiRuleTest, failing_a_removal_or_cancellation_is_pnp_remove) {
    load_ddi();
    for (UCHAR minor : {UCHAR{IRP_MN_REMOVE_DEVICE}, UCHAR{IRP_MN_CANCEL_REMOVE_DEVICE},
                        UCHAR{IRP_MN_CANCEL_STOP_DEVICE}, UCHAR{IRP_MN_SURPRISE_REMOVAL}}) {
        SCOPED_TRACE(testing::Message() << "minor " << int{minor});
        ASSERT_EQ(NtioVerifierSetFlags(m_ddi, kDdiFlags), STATUS_SUCCESS);
        auto bc = expect_bugcheck([&] { send_pnp(minor, STATUS_UNSUCCESSFUL); }, DRIVER_VERIFIER_DETECTED_VIOLATION,
                                  0x43006);
        if (bc.p1 == 0x43006) {
            EXPECT_NE(std::string(reinterpret_cast<const char*>(bc.p2)).find("IRP_MN_REMOVE_DEVICE"),
                      std::string::npos);
        }
        EXPECT_NE(last_report().find("PnpRemove"), std::string::npos);
        recover();
    }
}

TEST_F(DdiRuleTest, failing_a_query_or_completing_a_cancellation_with_success_is_legal) {
    load_ddi();
    expect_no_bugcheck([&] {
        send_pnp(IRP_MN_QUERY_STOP_DEVICE, STATUS_UNSUCCESSFUL);
        send_pnp(IRP_MN_QUERY_REMOVE_DEVICE, STATUS_UNSUCCESSFUL);
        send_pnp(IRP_MN_CANCEL_STOP_DEVICE, STATUS_SUCCESS);
        send_pnp(IRP_MN_CANCEL_REMOVE_DEVICE, STATUS_SUCCESS);
    });
}

// The non-IRQL rules are DDI compliance checking's: Force IRQL checking alone reports none of them.
TEST_F(DdiRuleTest, force_irql_checking_alone_does_not_check_the_other_rules) {
    // I/O verification at Level 1 only: Level 2 reports the failed cancel-stop itself (0xC9 0x247).
    load_ddi(NTIO_VERIFIER_FORCE_IRQL_CHECKING | NTIO_VERIFIER_IO_CHECKING | NTIO_VERIFIER_IO_LEVEL1_ONLY);
    expect_no_bugcheck([&] { send_pnp(IRP_MN_CANCEL_STOP_DEVICE, STATUS_UNSUCCESSFUL); });
    Outcome outcome;
    PIRP irp = ddi_read(lower(), kDdiPowerIrpPointer, PASSIVE_LEVEL, outcome);
    expect_no_bugcheck([&] { EXPECT_EQ(IoCallDriver(lower(), irp), STATUS_SUCCESS); });
    IoFreeIrp(irp);
}

// StartIoRecursion (ntio's id 0x41022, P3 the device): IoStartNextPacket from inside a StartIo
// routine whose device does not defer StartIo calls, with a packet waiting, so that StartIo runs
// again one level deeper. Packets A (held by StartIo), B and C (queued); releasing A starts B, whose
// StartIo starts C from inside itself.
class StartIoRecursionTest : public DdiRuleTest {
protected:
    void send_three() {
        ext(lower())->HoldNextStartIo = true;
        for (int i = 0; i < 3; ++i) {
            packets[i] = ddi_read(lower(), kDdiStartPacket, PASSIVE_LEVEL, outcomes[i]);
            EXPECT_EQ(IoCallDriver(lower(), packets[i]), STATUS_PENDING);
        }
        EXPECT_EQ(ext(lower())->HeldPacket, packets[0]);
        ext(lower())->StartIoStartsNext = true;
    }
    void free_all() {
        for (PIRP irp : packets) IoFreeIrp(irp);
    }
    Outcome outcomes[3];
    PIRP packets[3] = {};
};

TEST_F(StartIoRecursionTest, start_next_packet_inside_start_io_is_start_io_recursion) {
    load_ddi();
    expect_legal(kDdiNonCancelableStartIo);
    send_three();
    Outcome release;
    PIRP irp = ddi_read(lower(), kDdiReleaseHeldPacket, PASSIVE_LEVEL, release);
    auto bc = expect_bugcheck([&] { (void)IoCallDriver(lower(), irp); }, DRIVER_VERIFIER_DETECTED_VIOLATION,
                              0x41022);
    EXPECT_EQ(bc.p3, ptr(lower()));
    EXPECT_NE(last_report().find("StartIoRecursion"), std::string::npos);
    EXPECT_EQ(outcomes[0].completions.load(), 1);
    EXPECT_EQ(outcomes[1].completions.load(), 1);  // B's StartIo completed it, then asked for C
    EXPECT_EQ(outcomes[2].completions.load(), 0);
    recover();
    // C still waits in the queue: started from outside any StartIo, then the device goes idle.
    ext(lower())->StartIoStartsNext = false;
    KIRQL irql;
    KeRaiseIrql(DISPATCH_LEVEL, &irql);
    IoStartNextPacket(lower(), FALSE);
    IoStartNextPacket(lower(), FALSE);
    KeLowerIrql(irql);
    EXPECT_EQ(outcomes[2].completions.load(), 1);
    EXPECT_EQ(lower()->CurrentIrp, nullptr);
    IoFreeIrp(irp);
    free_all();
}

TEST_F(StartIoRecursionTest, start_next_packet_inside_a_deferred_start_io_is_legal) {
    load_ddi();
    expect_legal(kDdiDeferStartIo);
    send_three();
    expect_legal(kDdiReleaseHeldPacket);
    for (const Outcome& o : outcomes) EXPECT_EQ(o.completions.load(), 1);
    EXPECT_EQ(ext(lower())->StartIoCalls.load(), 3);
    EXPECT_EQ(lower()->CurrentIrp, nullptr);
    free_all();
}

// With nothing waiting, IoStartNextPacket inside StartIo only marks the device idle: no recursion.
TEST_F(StartIoRecursionTest, start_next_packet_inside_start_io_with_nothing_queued_is_legal) {
    load_ddi();
    expect_legal(kDdiNonCancelableStartIo);
    ext(lower())->StartIoStartsNext = true;
    Outcome outcome;
    PIRP irp = ddi_read(lower(), kDdiStartPacket, PASSIVE_LEVEL, outcome);
    expect_no_bugcheck([&] { EXPECT_EQ(IoCallDriver(lower(), irp), STATUS_PENDING); });
    EXPECT_EQ(outcome.completions.load(), 1);
    EXPECT_EQ(lower()->CurrentIrp, nullptr);
    IoFreeIrp(irp);
}

// IoAllocateForward (ntio's id 0x41023, P3 the IRP, P4 the target): the driver's own IRP sent with
// no completion routine to take it back.
TEST_F(DdiRuleTest, sending_an_own_irp_without_a_completion_routine_is_io_allocate_forward) {
    load_ddi();
    Outcome outcome;
    PIRP irp = ddi_read(lower(), kDdiSendOwnIrp, PASSIVE_LEVEL, outcome);
    auto bc = expect_bugcheck([&] { (void)IoCallDriver(lower(), irp); }, DRIVER_VERIFIER_DETECTED_VIOLATION,
                              0x41023);
    PIRP own = ext(lower())->OwnIrp;
    ASSERT_NE(own, nullptr);
    EXPECT_EQ(bc.p3, ptr(own));
    EXPECT_EQ(bc.p4, ptr(lower()));
    EXPECT_NE(last_report().find("IoAllocateForward"), std::string::npos);
    recover();
    IoFreeIrp(own);  // stopped before it was sent
    IoFreeIrp(irp);
}

TEST_F(DdiRuleTest, sending_an_own_irp_with_a_completion_routine_is_legal) {
    load_ddi();
    expect_legal(kDdiSendOwnIrpWithRoutine);
    EXPECT_EQ(ext(lower())->OwnIrpCompletions.load(), 1);
}

// IoSetCompletionExCompleteIrp (0x4100F): IoSetCompletionRoutineEx failed (every allocation of the
// driver's fails under the low-resources simulation at 1000 per mille) and the driver sent the IRP
// anyway; the legal answer completes it with the failure.
class CompletionExTest : public DdiRuleTest {
protected:
    void SetUp() override {
        DdiRuleTest::SetUp();
        NtioVerifierQueryStress(&m_saved);
        NTIO_VERIFIER_STRESS all = m_saved;
        all.LowResourcesPerMille = 1000;
        ASSERT_EQ(NtioVerifierSetStress(&all), STATUS_SUCCESS);
    }
    void TearDown() override {
        (void)NtioVerifierSetStress(&m_saved);
        DdiRuleTest::TearDown();
    }
    static constexpr ULONG kFailing = kDdiFlags | NTIO_VERIFIER_RANDOM_LOW_RESOURCES;
    NTIO_VERIFIER_STRESS m_saved{};
};

TEST_F(CompletionExTest, sending_after_a_failed_set_completion_routine_ex_is_a_violation) {
    load_ddi(kFailing);
    Outcome outcome;
    PIRP irp = ddi_read(upper(), kDdiPsGetVersion, PASSIVE_LEVEL, outcome, kForwardCompletionExUnchecked);
    auto bc = expect_bugcheck([&] { (void)IoCallDriver(upper(), irp); }, DRIVER_VERIFIER_DETECTED_VIOLATION,
                              0x4100F);
    if (bc.p1 == 0x4100F) {
        EXPECT_NE(std::string(reinterpret_cast<const char*>(bc.p2)).find("IoSetCompletionRoutineEx"),
                  std::string::npos);
    }
    EXPECT_NE(last_report().find("IoSetCompletionExCompleteIrp"), std::string::npos);
    recover();
    IoFreeIrp(irp);
}

TEST_F(CompletionExTest, completing_the_irp_after_a_failed_set_completion_routine_ex_is_legal) {
    load_ddi(kFailing);
    Outcome outcome;
    PIRP irp = ddi_read(upper(), kDdiPsGetVersion, PASSIVE_LEVEL, outcome, kForwardCompletionExChecked);
    expect_no_bugcheck([&] { EXPECT_EQ(IoCallDriver(upper(), irp), STATUS_INSUFFICIENT_RESOURCES); });
    EXPECT_EQ(outcome.completions.load(), 1);
    EXPECT_EQ(outcome.status.load(), STATUS_INSUFFICIENT_RESOURCES);
    IoFreeIrp(irp);
    // With memory to spare the routine is set and the forward is legal too.
    recover();
    ASSERT_EQ(NtioVerifierSetFlags(m_ddi, kDdiFlags), STATUS_SUCCESS);
    Outcome sent;
    PIRP second = ddi_read(upper(), kDdiPsGetVersion, PASSIVE_LEVEL, sent, kForwardCompletionExUnchecked);
    expect_no_bugcheck([&] { EXPECT_EQ(IoCallDriver(upper(), second), STATUS_SUCCESS); });
    EXPECT_EQ(sent.completions.load(), 1);
    IoFreeIrp(second);
}

}  // namespace
}  // namespace ntio::verifier::test
