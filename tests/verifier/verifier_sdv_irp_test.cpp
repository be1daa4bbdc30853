// The Static Driver Verifier monitors of sdv_irp_rules.cpp through the VerSdv test driver: each rule's
// trip (the bugcheck with all four parameters) and its legal neighbour, with the additional DDI
// compliance checks; without them the same driver runs as before.
#include <string>

#include "verifier_sdv_irp_driver.hpp"
#include "verifier_test_driver.hpp"

namespace ntio::verifier::test {
namespace sdv_irp_test {

inline constexpr ULONG kSdvFlags = NTIO_VERIFIER_STANDARD_FLAGS | NTIO_VERIFIER_DDI_COMPLIANCE_ADDITIONAL;

class SdvIrpTest : public VerifierTest {
protected:
    void TearDown() override {
        if (m_attached) {
            IoDetachDevice(m_peer->DeviceObject);
            m_attached = false;
        }
        for (PDRIVER_OBJECT* driver : {&m_sdv, &m_peer}) {
            if (!*driver) continue;
            (void)NtioVerifierSetFlags(*driver, 0);
            if (KeGetCurrentIrql() != PASSIVE_LEVEL) KeLowerIrql(PASSIVE_LEVEL);
            (void)NtioUnloadDriver(*driver);
            ObDereferenceObject(*driver);
            *driver = nullptr;
        }
        VerifierTest::TearDown();
    }
    // VerSdv verified with `flags` (0: not verified) and an unverified peer driver of the same code.
    void load(ULONG flags = kSdvFlags) {
        UNICODE_STRING peer = RTL_CONSTANT_STRING(L"VerSdvPeer");
        ASSERT_EQ(NtioCreateDriver(&peer, VerSdvDriverEntry, &m_peer), STATUS_SUCCESS);
        UNICODE_STRING name = RTL_CONSTANT_STRING(L"VerSdv");
        ASSERT_EQ(NtioCreateDriver(&name, VerSdvDriverEntry, &m_sdv), STATUS_SUCCESS);
        VerSdvExt(device())->Peer = m_peer->DeviceObject;
        if (flags) {
            ASSERT_EQ(NtioVerifierSetFlags(m_sdv, flags), STATUS_SUCCESS);
        }
    }
    // VerSdv's device attached over the peer's: a read it passes down goes to the device below it.
    void load_attached() {
        load();
        PDEVICE_OBJECT below = IoAttachDeviceToDeviceStack(device(), m_peer->DeviceObject);
        ASSERT_EQ(below, m_peer->DeviceObject);
        m_attached = true;
        ext()->Peer = below;
    }
    PDEVICE_OBJECT device() const { return m_sdv->DeviceObject; }
    SdvExtension* ext() const { return VerSdvExt(device()); }
    // A read of `mode` that trips `subcode`: P2 names the rule's condition (`phrase`); P3 and P4 are
    // returned to the test. The read stays the test's to free.
    ntio::test::BugCheck trip(ULONG mode, ULONG_PTR subcode, const char* phrase, const char* rule, PIRP& irp,
                              Outcome& outcome) {
        irp = make_read(device(), mode, outcome);
        auto bc = expect_bugcheck([&] { (void)IoCallDriver(device(), irp); }, DRIVER_VERIFIER_DETECTED_VIOLATION,
                                  subcode);
        if (bc.p2) {
            EXPECT_NE(std::string(reinterpret_cast<const char*>(bc.p2)).find(phrase), std::string::npos)
                << reinterpret_cast<const char*>(bc.p2);
        } else {
            ADD_FAILURE() << "no condition string";
        }
        const std::string report = last_report();
        EXPECT_NE(report.find(rule), std::string::npos) << report;
        EXPECT_NE(report.find("VerSdv"), std::string::npos) << report;
        return bc;
    }
    // After a caught bugcheck: stop verifying, back to PASSIVE_LEVEL.
    void recover() {
        (void)NtioVerifierSetFlags(m_sdv, 0);
        if (KeGetCurrentIrql() != PASSIVE_LEVEL) KeLowerIrql(PASSIVE_LEVEL);
    }
    // A read of `mode` completed with STATUS_SUCCESS and nothing reported.
    void expect_legal(ULONG mode) {
        SCOPED_TRACE(testing::Message() << "mode " << mode);
        Outcome outcome;
        PIRP irp = make_read(device(), mode, outcome);
        expect_no_bugcheck([&] { EXPECT_EQ(IoCallDriver(device(), irp), STATUS_SUCCESS); });
        EXPECT_EQ(outcome.completions.load(), 1);
        EXPECT_EQ(outcome.status.load(), STATUS_SUCCESS);
        IoFreeIrp(irp);
    }
    PDRIVER_OBJECT m_sdv = nullptr;
    PDRIVER_OBJECT m_peer = nullptr;
    bool m_attached = false;
};

using ntio::test::expect_no_bugcheck;

}  // namespace sdv_irp_test

using sdv_irp_test::SdvIrpTest;

// IoAllocateFree decided at run time: IoFreeIrp of the IRP the dispatch routine received is Driver
// Verifier's 0xC9 0x20B (P2 0, P3 the IRP, P4 the device holding it), named after the rule. Stopped
// before anything was freed: the test frees its read.
TEST_F(SdvIrpTest, freeing_the_received_irp_is_0x20b_named_io_allocate_free) {
    load();
    Outcome outcome;
    PIRP irp = make_read(device(), kSdvFreeReceivedIrp, outcome);
    auto bc = expect_bugcheck([&] { (void)IoCallDriver(device(), irp); }, DRIVER_VERIFIER_IOMANAGER_VIOLATION, 0x20B);
    EXPECT_EQ(bc.p2, 0u);
    EXPECT_EQ(bc.p3, ptr(irp));
    EXPECT_EQ(bc.p4, ptr(device()));
    EXPECT_NE(last_report().find("IoAllocateFree"), std::string::npos) << last_report();
    recover();
    IoFreeIrp(irp);
}

TEST_F(SdvIrpTest, freeing_an_irp_of_its_own_is_legal) {
    load();
    expect_legal(kSdvFreeOwnIrp);
}

// IoSetCompletionRoutineExCheckDeviceObject (ntio's 0x41024): the peer's device object passed; checked before
// the routine's context is allocated, so only the driver's own IRP is left to free.
TEST_F(SdvIrpTest, completion_ex_naming_another_drivers_device_is_check_device_object) {
    load();
    PIRP irp = nullptr;
    Outcome outcome;
    auto bc = trip(kSdvCompletionExPeerDevice, 0x41024, "its own device objects",
                   "IoSetCompletionRoutineExCheckDeviceObject", irp, outcome);
    ASSERT_NE(ext()->OwnIrp, nullptr);
    EXPECT_EQ(bc.p3, ptr(ext()->OwnIrp));
    EXPECT_EQ(bc.p4, ptr(m_peer->DeviceObject));
    recover();
    IoFreeIrp(ext()->OwnIrp);
    ext()->OwnIrp = nullptr;
    IoFreeIrp(irp);
}

TEST_F(SdvIrpTest, completion_ex_naming_its_own_device_is_legal) {
    load();
    expect_legal(kSdvCompletionExOwnDevice);
    EXPECT_EQ(ext()->OwnCompletions.load(), 1);
}

// CompletionRoutineRegistered (ntio's 0x41027, P3 the IRP, P4 the device): the dispatch set a routine
// with IoSetCompletionRoutineEx and completed the read itself. The routine (with the context and the
// device reference it owns) is left in the lower stack location: the test runs it.
TEST_F(SdvIrpTest, completion_ex_without_sending_the_irp_is_completion_routine_registered) {
    load();
    PIRP irp = nullptr;
    Outcome outcome;
    auto bc = trip(kSdvCompletionExNotSent, 0x41027, "IoCallDriver or PoCallDriver", "CompletionRoutineRegistered",
                   irp, outcome);
    EXPECT_EQ(bc.p3, ptr(irp));
    EXPECT_EQ(bc.p4, ptr(device()));
    recover();
    EXPECT_EQ(outcome.completions.load(), 1);
    PIO_STACK_LOCATION lower = reinterpret_cast<PIO_STACK_LOCATION>(irp + 1);  // location 1, never reached
    ASSERT_NE(lower->CompletionRoutine, nullptr);
    EXPECT_EQ(lower->CompletionRoutine(device(), irp, lower->Context), STATUS_CONTINUE_COMPLETION);
    EXPECT_EQ(ext()->OwnCompletions.load(), 1);
    IoFreeIrp(irp);
}

TEST_F(SdvIrpTest, completion_ex_then_forwarding_the_irp_is_legal) {
    load_attached();
    expect_legal(kSdvCompletionExForward);
    EXPECT_EQ(ext()->OwnCompletions.load(), 1);
}

// CancelSpinlockRelease (0x41025): P3 the thread's cancel spin lock depth, P4 1 for a second acquire,
// 0 for a release without an acquire.
TEST_F(SdvIrpTest, releasing_the_cancel_lock_unacquired_is_cancel_spinlock_release) {
    load();
    PIRP irp = nullptr;
    Outcome outcome;
    auto bc = trip(kSdvCancelReleaseUnacquired, 0x41025, "strictly alternate", "CancelSpinlockRelease", irp, outcome);
    EXPECT_EQ(bc.p3, 0u);
    EXPECT_EQ(bc.p4, 0u);
    recover();
    IoFreeIrp(irp);
}

TEST_F(SdvIrpTest, acquiring_the_cancel_lock_twice_is_cancel_spinlock_release) {
    load();
    PIRP irp = nullptr;
    Outcome outcome;
    auto bc = trip(kSdvCancelAcquireTwice, 0x41025, "strictly alternate", "CancelSpinlockRelease", irp, outcome);
    EXPECT_EQ(bc.p3, 1u);
    EXPECT_EQ(bc.p4, 1u);
    IoReleaseCancelSpinLock(PASSIVE_LEVEL);  // the first acquire
    recover();
    IoFreeIrp(irp);
}

TEST_F(SdvIrpTest, alternating_cancel_lock_calls_are_legal) {
    load();
    expect_legal(kSdvCancelAlternating);
}

// WithinCriticalRegion (0x41026): P3 the ERESOURCE. Stopped before the release: the test releases it.
TEST_F(SdvIrpTest, releasing_a_resource_outside_a_critical_region_is_within_critical_region) {
    load();
    PIRP irp = nullptr;
    Outcome outcome;
    auto bc = trip(kSdvReleaseOutsideRegion, 0x41026, "inside a critical region", "WithinCriticalRegion", irp,
                   outcome);
    EXPECT_EQ(bc.p3, ptr(&ext()->Resource));
    EXPECT_EQ(bc.p4, 0u);
    recover();
    KeEnterCriticalRegion();
    ExReleaseResourceLite(&ext()->Resource);
    KeLeaveCriticalRegion();
    IoFreeIrp(irp);
}

// Also ExclusiveResourceAccess's legal neighbour: acquired and released inside the dispatch.
TEST_F(SdvIrpTest, releasing_a_resource_inside_a_critical_region_is_legal) {
    load();
    expect_legal(kSdvReleaseInsideRegion);
}

// ExclusiveResourceAccess (ntio's 0x41028, P3 the ERESOURCE, P4 the device): the dispatch returned
// still owning the resource it acquired exclusively. The test releases it for the driver.
TEST_F(SdvIrpTest, returning_with_an_exclusive_resource_is_exclusive_resource_access) {
    load();
    PIRP irp = nullptr;
    Outcome outcome;
    auto bc = trip(kSdvReturnOwningResource, 0x41028, "before its routine returns", "ExclusiveResourceAccess", irp,
                   outcome);
    EXPECT_EQ(bc.p3, ptr(&ext()->Resource));
    EXPECT_EQ(bc.p4, ptr(device()));
    recover();
    KeEnterCriticalRegion();
    ExReleaseResourceLite(&ext()->Resource);
    KeLeaveCriticalRegion();
    IoFreeIrp(irp);
}

// A release for an owner pointer (another thread's, in a real driver a worker's) is not the rule's.
TEST_F(SdvIrpTest, releasing_a_resource_for_another_owner_is_legal) {
    load();
    expect_legal(kSdvReleaseForOtherThread);
}

// Without the additional DDI compliance checks (standard flags) and unverified, the driver behaves as
// before: the misuses these rules flag that NT tolerates run through.
TEST_F(SdvIrpTest, with_standard_flags_the_rules_are_off) {
    load(NTIO_VERIFIER_STANDARD_FLAGS);
    expect_legal(kSdvReleaseOutsideRegion);
    expect_legal(kSdvReturnOwningResource);
    KeEnterCriticalRegion();
    ExReleaseResourceLite(&ext()->Resource);
    KeLeaveCriticalRegion();
    expect_legal(kSdvCompletionExPeerDevice);
    EXPECT_EQ(ext()->OwnCompletions.load(), 1);
}

TEST_F(SdvIrpTest, unverified_the_rules_are_off) {
    load(0);
    expect_legal(kSdvReleaseOutsideRegion);
    expect_legal(kSdvCompletionExPeerDevice);
    EXPECT_EQ(ext()->OwnCompletions.load(), 1);
}

}  // namespace ntio::verifier::test
