// Level 1 I/O verification alone (NTIO_VERIFIER_IO_LEVEL1_ONLY, or IoVerifierLevel = 1 under
// Session Manager\I/O System as Windows 2000's verifier chose it): the Level 1 checks of bug check
// 0xC9 trip, the Level 2 WDM DRIVER ERROR rules do not, and a Level 2 filter above a Level 1 driver
// keeps its own forwarding rules. https://learn.microsoft.com/windows-hardware/drivers/devtest/i-o-verification
#include <string>

#include "verifier_test_driver.hpp"

#include <ntio_ddk/rtl_registry.h>

namespace ntio::verifier::test {
namespace {

constexpr ULONG kLevel1 = NTIO_VERIFIER_IO_CHECKING | NTIO_VERIFIER_IO_LEVEL1_ONLY;

using ntio::test::expect_no_bugcheck;

// ---- Level 1 checks trip ----

TEST_F(VerifierTest, level1_irql_changed_across_dispatch_is_0x05) {
    load_buggy(kLevel1);
    Outcome outcome;
    PIRP irp = make_read(buggy_device(), kRaiseIrql, outcome);
    expect_irql_change_report(buggy_device(), irp, buggy_device());
    IoFreeIrp(irp);
}

// A filter whose dispatch ends in `return IoCallDriver(...)` returns when the lower dispatch does:
// the report names the device whose dispatch changed the IRQL, whichever of the two that was.
TEST_F(VerifierTest, level1_irql_changed_below_a_forwarding_filter_names_the_lower_device) {
    load_buggy(kLevel1);
    load_filter(kLevel1);
    Outcome outcome;
    PIRP irp = make_read(filter_device(), kRaiseIrql, outcome, kFilterSkip);
    expect_irql_change_report(filter_device(), irp, buggy_device());
    IoFreeIrp(irp);
}

TEST_F(VerifierTest, level1_irql_raised_by_a_filter_before_it_forwards_names_the_filter) {
    load_buggy(kLevel1);
    load_filter(kLevel1);
    Outcome outcome;
    PIRP irp = make_read(filter_device(), kCompleteOk, outcome, kFilterRaiseIrqlSkip);
    expect_irql_change_report(filter_device(), irp, filter_device());
    EXPECT_EQ(outcome.completions.load(), 1);  // the lower driver completed it, at APC_LEVEL
    IoFreeIrp(irp);
}

// Forwards through a filter, then a raise straight below the caller: each report names its device.
TEST_F(VerifierTest, level1_forwarding_filters_are_not_flagged_and_leave_later_reports_right) {
    load_buggy(kLevel1);
    load_filter(kLevel1);
    expect_legal_read(filter_device(), kCompleteOk, kFilterSkip);
    expect_legal_read(filter_device(), kCompleteOk, kFilterCopyPropagate);
    Outcome outcome;
    PIRP irp = make_read(buggy_device(), kRaiseIrql, outcome);
    auto bc = expect_bugcheck([&] { (void)IoCallDriver(buggy_device(), irp); }, DRIVER_VERIFIER_IOMANAGER_VIOLATION,
                              0x05);
    EXPECT_EQ(bc.p2, ptr(buggy_device()));
    KeLowerIrql(PASSIVE_LEVEL);
    IoFreeIrp(irp);
}

TEST_F(VerifierTest, level1_completion_with_cancel_routine_set_is_0x07) {
    load_buggy(kLevel1);
    Outcome outcome;
    PIRP irp = make_read(buggy_device(), kCompleteWithCancelRoutine, outcome);
    auto bc = expect_bugcheck([&] { (void)IoCallDriver(buggy_device(), irp); }, DRIVER_VERIFIER_IOMANAGER_VIOLATION,
                              0x07);
    EXPECT_EQ(bc.p3, ptr(irp));
    (void)IoSetCancelRoutine(irp, nullptr);
    IoFreeIrp(irp);
}

TEST_F(VerifierTest, level1_spin_lock_held_on_return_from_dispatch_is_0xc4_spinlock) {
    load_buggy(kLevel1);
    Outcome outcome;
    PIRP irp = make_read(buggy_device(), kSpinLockHeld, outcome);
    expect_bugcheck([&] { (void)IoCallDriver(buggy_device(), irp); }, DRIVER_VERIFIER_DETECTED_VIOLATION, 0x00040009);
    KeReleaseSpinLockFromDpcLevel(&buggy_ext()->HeldLock);
    KeLowerIrql(PASSIVE_LEVEL);
    IoFreeIrp(irp);
}

TEST_F(VerifierTest, level1_io_call_driver_above_dispatch_level_is_0x10) {
    load_buggy(kLevel1);
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

TEST_F(VerifierTest, level1_io_call_driver_with_an_invalid_device_object_is_0x04) {
    load_buggy(kLevel1);
    Outcome outcome;
    PIRP irp = make_read(buggy_device(), kCompleteOk, outcome);
    // A copy of the device whose Type says it is not a device object (a driver passing a stale or
    // wrong pointer): its DriverObject is still the verified driver's.
    DEVICE_OBJECT bogus = *buggy_device();
    bogus.Type = 0;
    auto bc = expect_bugcheck([&] { (void)IoCallDriver(&bogus, irp); }, DRIVER_VERIFIER_IOMANAGER_VIOLATION, 0x04);
    EXPECT_EQ(bc.p2, ptr(&bogus));
    IoFreeIrp(irp);
}

TEST_F(VerifierTest, level1_io_call_driver_with_a_non_irp_is_0x03) {
    load_buggy(kLevel1);
    Outcome outcome;
    PIRP irp = make_read(buggy_device(), kCompleteOk, outcome);
    irp->Type = 0;
    auto bc = expect_bugcheck([&] { (void)IoCallDriver(buggy_device(), irp); }, DRIVER_VERIFIER_IOMANAGER_VIOLATION,
                              0x03);
    EXPECT_EQ(bc.p2, ptr(irp));
    irp->Type = IO_TYPE_IRP;
    IoFreeIrp(irp);
}

// ---- Legal neighbours, and the Level 2 rules that Level 1 does not run ----

TEST_F(VerifierTest, level1_clean_read_round_trip_is_not_flagged) {
    load_buggy(kLevel1);
    Outcome outcome;
    PIRP irp = make_read(buggy_device(), kCompleteOk, outcome);
    expect_no_bugcheck([&] { EXPECT_EQ(IoCallDriver(buggy_device(), irp), STATUS_SUCCESS); });
    EXPECT_EQ(outcome.completions.load(), 1);
    IoFreeIrp(irp);
}

TEST_F(VerifierTest, level1_does_not_run_the_level2_pending_rule_0x23d) {
    load_buggy(kLevel1);
    Outcome outcome;
    PIRP irp = make_read(buggy_device(), kPendWithoutMark, outcome);
    expect_no_bugcheck([&] { EXPECT_EQ(IoCallDriver(buggy_device(), irp), STATUS_PENDING); });
    EXPECT_EQ(BuggyTakeParked(buggy_device()), irp);
    IoFreeIrp(irp);
}

TEST_F(VerifierTest, level1_does_not_run_the_level2_completion_rule_0x226) {
    load_buggy(kLevel1);
    Outcome outcome;
    PIRP irp = make_read(buggy_device(), kReturnWithoutComplete, outcome);
    expect_no_bugcheck([&] { EXPECT_EQ(IoCallDriver(buggy_device(), irp), STATUS_SUCCESS); });
    EXPECT_EQ(outcome.completions.load(), 0);
    IoFreeIrp(irp);
}

TEST_F(VerifierTest, the_same_driver_with_level2_reports_0x23d) {
    load_buggy(NTIO_VERIFIER_IO_CHECKING);
    Outcome outcome;
    PIRP irp = make_read(buggy_device(), kPendWithoutMark, outcome);
    expect_bugcheck([&] { (void)IoCallDriver(buggy_device(), irp); }, DRIVER_VERIFIER_IOMANAGER_VIOLATION, 0x23D);
    EXPECT_EQ(BuggyTakeParked(buggy_device()), irp);
    IoFreeIrp(irp);
}

// A Level 2 filter above a Level 1 driver: the filter's forwarding rules still run (0x212), and its
// legal forward is not taken for a dispatch that neither forwarded nor completed (0x226).
TEST_F(VerifierTest, level2_filter_over_a_level1_driver_keeps_its_forwarding_rules) {
    load_buggy(kLevel1);
    load_filter(NTIO_VERIFIER_IO_CHECKING);
    Outcome outcome;
    PIRP irp = make_read(filter_device(), kCompleteOk, outcome, kFilterNoCopy);
    expect_bugcheck([&] { (void)IoCallDriver(filter_device(), irp); }, DRIVER_VERIFIER_IOMANAGER_VIOLATION, 0x212);
    IoFreeIrp(irp);
}

TEST_F(VerifierTest, level2_filter_forwarding_to_a_level1_driver_is_legal) {
    load_buggy(kLevel1);
    load_filter(NTIO_VERIFIER_IO_CHECKING);
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

// ---- IoVerifierLevel in the registry ----

constexpr const wchar_t* kIoSystem = L"Session Manager\\I/O System";

ULONG flags_loaded_with_io_verifier_level(const ULONG* io_level) {
    static wchar_t names[] = L"VerBuggy";
    const ULONG level = NTIO_VERIFIER_IO_CHECKING;
    EXPECT_EQ(RtlWriteRegistryValue(RTL_REGISTRY_CONTROL, kMemoryManagement, L"VerifyDrivers", REG_SZ, names,
                                    sizeof(names)),
              STATUS_SUCCESS);
    EXPECT_EQ(RtlWriteRegistryValue(RTL_REGISTRY_CONTROL, kMemoryManagement, L"VerifyDriverLevel", REG_DWORD,
                                    const_cast<ULONG*>(&level), sizeof(ULONG)),
              STATUS_SUCCESS);
    if (io_level) {
        EXPECT_EQ(RtlCreateRegistryKey(RTL_REGISTRY_CONTROL, const_cast<wchar_t*>(kIoSystem)), STATUS_SUCCESS);
        EXPECT_EQ(RtlWriteRegistryValue(RTL_REGISTRY_CONTROL, kIoSystem, L"IoVerifierLevel", REG_DWORD,
                                        const_cast<ULONG*>(io_level), sizeof(ULONG)),
                  STATUS_SUCCESS);
    }
    PDRIVER_OBJECT driver = nullptr;
    UNICODE_STRING name = RTL_CONSTANT_STRING(L"VerBuggy");
    EXPECT_EQ(NtioCreateDriver(&name, VerBuggyDriverEntry, &driver), STATUS_SUCCESS);
    const ULONG flags = driver ? NtioVerifierQueryFlags(driver) : 0;
    if (driver) {
        EXPECT_EQ(NtioUnloadDriver(driver), STATUS_SUCCESS);
        ObDereferenceObject(driver);
    }
    (void)RtlDeleteRegistryValue(RTL_REGISTRY_CONTROL, kMemoryManagement, L"VerifyDrivers");
    (void)RtlDeleteRegistryValue(RTL_REGISTRY_CONTROL, kMemoryManagement, L"VerifyDriverLevel");
    (void)RtlDeleteRegistryValue(RTL_REGISTRY_CONTROL, kIoSystem, L"IoVerifierLevel");
    return flags;
}

TEST_F(VerifierTest, io_verifier_level_1_in_the_registry_gives_level1_only) {
    const ULONG one = 1;
    EXPECT_EQ(flags_loaded_with_io_verifier_level(&one), kLevel1);
}

TEST_F(VerifierTest, io_verifier_level_2_or_absent_gives_both_levels) {
    const ULONG two = 2;
    EXPECT_EQ(flags_loaded_with_io_verifier_level(&two), NTIO_VERIFIER_IO_CHECKING);
    EXPECT_EQ(flags_loaded_with_io_verifier_level(nullptr), NTIO_VERIFIER_IO_CHECKING);
}

}  // namespace
}  // namespace ntio::verifier::test
