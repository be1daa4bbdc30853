// Spec 2.4's unwinding of IoSkipCurrentIrpStackLocation, reported as 0xC9 0x212 (a stack location
// used improperly): a skip followed by IoSetCompletionRoutine, which overwrites the completion
// routine of the driver above ("If a badly written driver makes the mistake of calling
// IoSkipCurrentIrpStackLocation and then setting a completion routine, this driver might overwrite a
// completion routine set by the driver above it", IoSkipCurrentIrpStackLocation on Learn), and a skip
// followed by IoCompleteRequest instead of a forward, which completes from the location above and so
// never calls that routine. Each with its legal neighbour.
// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-ioskipcurrentirpstacklocation
#include "verifier_test_driver.hpp"

namespace ntio::verifier::test {
namespace skip_rules {

using ntio::test::expect_no_bugcheck;

ULONG_PTR ptr(const void* p) { return reinterpret_cast<ULONG_PTR>(p); }

TEST_F(VerifierTest, skipping_then_setting_a_completion_routine_is_0x212) {
    load_buggy();
    load_filter();
    Outcome outcome;
    PIRP irp = make_read(filter_device(), kCompleteOk, outcome, kFilterSkipThenSetRoutine);
    auto bc = expect_bugcheck([&] { (void)IoCallDriver(filter_device(), irp); }, DRIVER_VERIFIER_IOMANAGER_VIOLATION,
                              0x212);
    EXPECT_EQ(bc.p2, ptr(reinterpret_cast<PVOID>(filter_device()->DriverObject->MajorFunction[IRP_MJ_READ])));
    EXPECT_EQ(bc.p3, ptr(irp));
    EXPECT_EQ(bc.p4, ptr(buggy_device()));
    EXPECT_EQ(outcome.completions.load(), 0);  // stopped at the send
    IoFreeIrp(irp);
}

TEST_F(VerifierTest, skipping_then_completing_instead_of_forwarding_is_0x212) {
    load_buggy();
    load_filter();
    Outcome outcome;
    PIRP irp = make_read(filter_device(), kCompleteOk, outcome, kFilterSkipThenComplete);
    auto bc = expect_bugcheck([&] { (void)IoCallDriver(filter_device(), irp); }, DRIVER_VERIFIER_IOMANAGER_VIOLATION,
                              0x212);
    EXPECT_EQ(bc.p2, ptr(reinterpret_cast<PVOID>(filter_device()->DriverObject->MajorFunction[IRP_MJ_READ])));
    EXPECT_EQ(bc.p3, ptr(irp));
    EXPECT_EQ(bc.p4, ptr(filter_device()));
    EXPECT_EQ(outcome.completions.load(), 0);  // the originator's routine was never reached
    IoFreeIrp(irp);
}

// The neighbours: a skip that forwards (the filter's own location untouched), and a skip undone with
// IoSetNextIrpStackLocation before the filter completes the IRP itself.
TEST_F(VerifierTest, skipping_and_forwarding_synchronously_is_legal) {
    load_buggy();
    load_filter();
    expect_legal_read(filter_device(), kCompleteOk, kFilterSkip);
}

TEST_F(VerifierTest, a_skip_undone_before_completing_is_legal) {
    load_buggy();
    load_filter();
    Outcome outcome;
    PIRP irp = make_read(filter_device(), kCompleteOk, outcome, kFilterSkipUnwindComplete);
    expect_no_bugcheck([&] { EXPECT_EQ(IoCallDriver(filter_device(), irp), STATUS_SUCCESS); });
    EXPECT_EQ(outcome.completions.load(), 1);
    EXPECT_EQ(outcome.status.load(), STATUS_SUCCESS);
    IoFreeIrp(irp);
}

}  // namespace skip_rules
}  // namespace ntio::verifier::test
