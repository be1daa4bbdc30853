// The WDM DRIVER ERROR rules of wdm_rules.cpp and the forwarding variant of 0x23D: stack routing
// (0x211), stack size (0x208), a copy without completion routine (0x21C, a warning in compat mode),
// a cancel routine on an IRP the lower drivers own (0x229), STATUS_PENDING after a forward that did
// not pend (0x24C), the IRQL of a send (0x23A, 0x301, 0x302), the initial status of PnP / Power /
// WMI requests (0x20E-0x210), requests the driver cannot understand (0x213, 0x214, 0x23B) and PnP
// requests that may not fail (0x247). Each rule has a test that trips it (code and every parameter
// through the bugcheck hook: code, driver routine, IRP, device object) and one for its legal
// neighbour.
// https://learn.microsoft.com/windows-hardware/drivers/debugger/bug-check-0xc9--driver-verifier-iomanager-violation
#include "verifier_test_driver.hpp"

namespace ntio::verifier::test {
namespace {

using ntio::test::expect_no_bugcheck;

constexpr ULONG kLevel2 = NTIO_VERIFIER_IO_CHECKING;
// A PnP minor function past the last one the WDK defines.
constexpr UCHAR kUnknownPnpMinor = 0x30;

NTSTATUS NTAPI WdmRecordCompletion(PDEVICE_OBJECT, PIRP Irp, PVOID Context) {
    auto* outcome = static_cast<Outcome*>(Context);
    outcome->status.store(Irp->IoStatus.Status);
    outcome->completions.fetch_add(1);
    return STATUS_MORE_PROCESSING_REQUIRED;
}

// An IRP of `locations` stack locations for major / minor, sent with IoStatus.Status = status; its
// originator's routine records into outcome and keeps it (free it with IoFreeIrp).
PIRP make_request(CCHAR locations, UCHAR major, UCHAR minor, NTSTATUS status, Outcome& outcome,
                  ULONG read_key = kCompleteOk, ULONG filter_mode = 0) {
    PIRP irp = IoAllocateIrp(locations, FALSE);
    EXPECT_NE(irp, nullptr);
    irp->IoStatus.Status = status;
    PIO_STACK_LOCATION sp = IoGetNextIrpStackLocation(irp);
    sp->MajorFunction = major;
    sp->MinorFunction = minor;
    if (major == IRP_MJ_READ) {
        sp->Parameters.Read.Length = 4;
        sp->Parameters.Read.Key = read_key;
        sp->Parameters.Read.ByteOffset.LowPart = filter_mode;
    }
    IoSetCompletionRoutine(irp, WdmRecordCompletion, &outcome, TRUE, TRUE, TRUE);
    return irp;
}

PIRP make_pnp(PDEVICE_OBJECT target, UCHAR minor, Outcome& outcome, NTSTATUS status = STATUS_NOT_SUPPORTED) {
    return make_request(target->StackSize, IRP_MJ_PNP, minor, status, outcome);
}

ULONG_PTR dispatch_of(PDRIVER_OBJECT driver, UCHAR major) { return ptr(reinterpret_cast<PVOID>(driver->MajorFunction[major])); }

// Sends irp to target and expects it to come back once with `status`, nothing reported.
void expect_clean_send(PDEVICE_OBJECT target, PIRP irp, Outcome& outcome, NTSTATUS status) {
    expect_no_bugcheck([&] { EXPECT_EQ(IoCallDriver(target, irp), status); });
    EXPECT_EQ(outcome.completions.load(), 1);
    EXPECT_EQ(outcome.status.load(), status);
    IoFreeIrp(irp);
}

// ---- 0x211: forwarding past the attached-to device ----

// A plain device under VerBuggy's, so that VerFilter's stack is filter / buggy / base.
NTSTATUS NTAPI BaseRead(PDEVICE_OBJECT, PIRP Irp) {
    Irp->IoStatus.Status = STATUS_SUCCESS;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return STATUS_SUCCESS;
}

VOID NTAPI BaseUnload(PDRIVER_OBJECT DriverObject) { IoDeleteDevice(DriverObject->DeviceObject); }

NTSTATUS NTAPI BaseDriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING) {
    PDEVICE_OBJECT device = nullptr;
    const NTSTATUS status = IoCreateDevice(DriverObject, 0, nullptr, FILE_DEVICE_UNKNOWN, 0, FALSE, &device);
    if (!NT_SUCCESS(status)) return status;
    device->Flags |= DO_BUFFERED_IO;
    device->Flags &= ~DO_DEVICE_INITIALIZING;
    DriverObject->MajorFunction[IRP_MJ_READ] = BaseRead;
    DriverObject->DriverUnload = BaseUnload;
    return STATUS_SUCCESS;
}

class WdmStackTest : public VerifierTest {
protected:
    // VerBuggy attached to a base device, VerFilter on top.
    void load_three_deep() {
        load_buggy(kLevel2);
        UNICODE_STRING name = RTL_CONSTANT_STRING(L"VerBase");
        ASSERT_EQ(NtioCreateDriver(&name, BaseDriverEntry, &m_base), STATUS_SUCCESS);
        ASSERT_EQ(IoAttachDeviceToDeviceStack(buggy_device(), m_base->DeviceObject), m_base->DeviceObject);
        load_filter(kLevel2);
    }
    void TearDown() override {
        if (m_base) {
            IoDetachDevice(m_base->DeviceObject);
            (void)NtioUnloadDriver(m_base);
            ObDereferenceObject(m_base);
        }
        VerifierTest::TearDown();
    }
    PDRIVER_OBJECT m_base = nullptr;
};

TEST_F(WdmStackTest, forwarding_past_the_attached_to_device_is_0x211) {
    load_three_deep();
    Outcome outcome;
    PIRP irp = make_read(filter_device(), kCompleteOk, outcome, kFilterForwardToBase);
    auto bc = expect_forward_report(irp, 0x211);
    EXPECT_EQ(bc.p4, ptr(m_base->DeviceObject));
    IoFreeIrp(irp);
}

TEST_F(WdmStackTest, forwarding_to_the_attached_to_device_of_a_deeper_stack_is_legal) {
    load_three_deep();
    expect_legal_read(filter_device(), kCompleteOk, kFilterSkip);
}

// ---- 0x208: too few stack locations left for the target ----

// In the three-deep stack (filter StackSize 3, VerBuggy's 2), an IRP of two locations: the filter's
// copy leaves one below it for a target that needs two. (With one location, the copy itself would
// write before the stack.)
TEST_F(WdmStackTest, forwarding_a_copy_with_too_few_locations_left_for_the_target_is_0x208) {
    load_three_deep();
    Outcome outcome;
    PIRP irp = make_request(2, IRP_MJ_READ, 0, STATUS_SUCCESS, outcome, kCompleteOk, kFilterCopyPropagate);
    auto bc = expect_forward_report(irp, 0x208);
    EXPECT_EQ(bc.p4, ptr(buggy_device()));
    IoFreeIrp(irp);
}

// A skip hands the target the caller's own location: two are then enough for the two-deep target.
TEST_F(WdmStackTest, skipping_with_as_many_locations_as_the_target_needs_is_legal) {
    load_three_deep();
    Outcome outcome;
    PIRP irp = make_request(2, IRP_MJ_READ, 0, STATUS_SUCCESS, outcome, kCompleteOk, kFilterSkip);
    expect_clean_send(filter_device(), irp, outcome, STATUS_SUCCESS);
}

// ---- 0x21C: a copied location without completion routine ----

TEST_F(VerifierTest, copying_the_location_without_a_completion_routine_is_0x21c) {
    load_buggy(kLevel2);
    load_filter(kLevel2);
    Outcome outcome;
    PIRP irp = make_read(filter_device(), kCompleteOk, outcome, kFilterCopyNoRoutine);
    auto bc = expect_forward_report(irp, 0x21C);
    EXPECT_EQ(bc.p4, ptr(buggy_device()));
    IoFreeIrp(irp);
}

// A warning on Windows: compat mode counts it and lets the IRP go on.
TEST_F(VerifierTest, copying_the_location_without_a_completion_routine_is_a_warning_in_compat_mode) {
    load_buggy(kLevel2);
    load_filter(kLevel2);
    (void)NtioVerifierSetMode(NtioVerifierCompat);
    const ULONG before = NtioVerifierWarningCount();
    expect_legal_read(filter_device(), kCompleteOk, kFilterCopyNoRoutine);
    EXPECT_EQ(NtioVerifierWarningCount(), before + 1);
}

TEST_F(VerifierTest, copying_the_location_with_a_completion_routine_is_legal) {
    load_buggy(kLevel2);
    load_filter(kLevel2);
    expect_legal_read(filter_device(), kCompleteOk, kFilterCopyPropagate);
}

// ---- 0x229: a cancel routine on an IRP the lower driver holds ----

TEST_F(VerifierTest, setting_a_cancel_routine_on_a_forwarded_pending_irp_is_0x229) {
    load_buggy(kLevel2);
    load_filter(kLevel2);
    Outcome outcome;
    PIRP irp = make_read(filter_device(), kMarkAndPark, outcome, kFilterCancelAfterForward);
    auto bc = expect_forward_report(irp, 0x229);
    EXPECT_EQ(bc.p4, ptr(filter_device()));
    EXPECT_NE(irp->CancelRoutine, nullptr);
    ASSERT_EQ(BuggyTakeParked(buggy_device()), irp);  // takes the cancel routine off
    complete_read(irp, STATUS_SUCCESS);
    EXPECT_EQ(outcome.completions.load(), 1);
    IoFreeIrp(irp);
}

// The lower driver's own cancel routine on the IRP it parked is not the filter's doing.
TEST_F(VerifierTest, a_forwarded_irp_the_lower_driver_holds_cancelable_is_legal) {
    load_buggy(kLevel2);
    load_filter(kLevel2);
    Outcome outcome;
    PIRP irp = make_read(filter_device(), kCancelableLegal, outcome, kFilterCopyPropagate);
    expect_no_bugcheck([&] { EXPECT_EQ(IoCallDriver(filter_device(), irp), STATUS_PENDING); });
    ASSERT_EQ(BuggyTakeParked(buggy_device()), irp);
    complete_read(irp, STATUS_SUCCESS);
    EXPECT_EQ(outcome.completions.load(), 1);
    EXPECT_EQ(outcome.status.load(), STATUS_SUCCESS);
    IoFreeIrp(irp);
}

// ---- 0x24C: STATUS_PENDING after a forward the lower driver did not pend ----

TEST_F(VerifierTest, returning_pending_unmarked_after_a_synchronous_forward_is_0x24c) {
    load_buggy(kLevel2);
    load_filter(kLevel2);
    Outcome outcome;
    PIRP irp = make_read(filter_device(), kCompleteOk, outcome, kFilterSkipReturnPending);
    auto bc = expect_forward_report(irp, 0x24C);
    EXPECT_EQ(bc.p4, ptr(filter_device()));
    IoFreeIrp(irp);
}

TEST_F(VerifierTest, returning_pending_marked_after_a_synchronous_forward_is_legal) {
    load_buggy(kLevel2);
    load_filter(kLevel2);
    Outcome outcome;
    PIRP irp = make_read(filter_device(), kCompleteOk, outcome, kFilterMarkCopyForward);
    expect_no_bugcheck([&] { EXPECT_EQ(IoCallDriver(filter_device(), irp), STATUS_PENDING); });
    EXPECT_EQ(outcome.completions.load(), 1);
    EXPECT_EQ(outcome.status.load(), STATUS_SUCCESS);
    IoFreeIrp(irp);
}

// ---- 0x23A: a PnP IRP forwarded above PASSIVE_LEVEL ----

TEST_F(VerifierTest, forwarding_a_pnp_irp_at_apc_level_is_0x23a) {
    load_buggy(kLevel2);
    load_filter(kLevel2);
    g_filter_pnp = kFilterPnpRaiseIrql;
    Outcome outcome;
    PIRP irp = make_pnp(filter_device(), IRP_MN_QUERY_PNP_DEVICE_STATE, outcome);
    auto bc = expect_bugcheck([&] { (void)IoCallDriver(filter_device(), irp); }, DRIVER_VERIFIER_IOMANAGER_VIOLATION,
                              0x23A);
    EXPECT_EQ(bc.p2, dispatch_of(m_filter, IRP_MJ_PNP));
    EXPECT_EQ(bc.p3, ptr(irp));
    EXPECT_EQ(bc.p4, ptr(buggy_device()));
    KeLowerIrql(PASSIVE_LEVEL);
    IoFreeIrp(irp);
}

TEST_F(VerifierTest, forwarding_a_pnp_irp_at_passive_level_is_legal) {
    load_buggy(kLevel2);
    load_filter(kLevel2);
    Outcome outcome;
    PIRP irp = make_pnp(filter_device(), IRP_MN_QUERY_PNP_DEVICE_STATE, outcome);
    expect_clean_send(filter_device(), irp, outcome, STATUS_NOT_SUPPORTED);
}

// ---- 0x301 / 0x302: an IRP queued to its thread sent at APC_LEVEL / DISPATCH_LEVEL ----

class WdmThreadIrpTest : public VerifierTest {
protected:
    PIRP build_ioctl() {
        KeInitializeEvent(&m_event, NotificationEvent, FALSE);
        return IoBuildDeviceIoControlRequest(kIoctlReportWritten, buggy_device(), m_in, sizeof m_in, m_out, sizeof m_out,
                                             FALSE, &m_event, &m_iosb);
    }
    // Sends it at PASSIVE_LEVEL and waits: the I/O manager completes and frees it.
    void send_and_wait(PIRP irp) {
        expect_no_bugcheck([&] {
            if (IoCallDriver(buggy_device(), irp) == STATUS_PENDING)
                (void)KeWaitForSingleObject(&m_event, Executive, KernelMode, FALSE, nullptr);
        });
        EXPECT_EQ(m_iosb.Status, STATUS_SUCCESS);
        EXPECT_EQ(m_iosb.Information, 4u);
    }
    void expect_raised_send_report(KIRQL irql, ULONG_PTR subcode) {
        load_buggy(kLevel2);
        PIRP irp = build_ioctl();
        ASSERT_NE(irp, nullptr);
        KIRQL old;
        KeRaiseIrql(irql, &old);
        auto bc = expect_bugcheck([&] { (void)IoCallDriver(buggy_device(), irp); }, DRIVER_VERIFIER_IOMANAGER_VIOLATION,
                                  subcode);
        KeLowerIrql(old);
        EXPECT_EQ(bc.p2, 0u);  // the test's own send: no driver routine
        EXPECT_EQ(bc.p3, ptr(irp));
        EXPECT_EQ(bc.p4, ptr(buggy_device()));
        send_and_wait(irp);
    }
    KEVENT m_event;
    IO_STATUS_BLOCK m_iosb{};
    UCHAR m_in[4] = {1, 2, 3, 4};
    UCHAR m_out[8] = {};
};

TEST_F(WdmThreadIrpTest, sending_a_thread_irp_at_apc_level_is_0x301) { expect_raised_send_report(APC_LEVEL, 0x301); }

TEST_F(WdmThreadIrpTest, sending_a_thread_irp_at_dispatch_level_is_0x302) {
    expect_raised_send_report(DISPATCH_LEVEL, 0x302);
}

TEST_F(WdmThreadIrpTest, sending_a_thread_irp_at_passive_level_is_legal) {
    load_buggy(kLevel2);
    PIRP irp = build_ioctl();
    ASSERT_NE(irp, nullptr);
    send_and_wait(irp);
}

// An IRP no thread waits on (IoAllocateIrp, a routine of its own) may go down at DISPATCH_LEVEL.
TEST_F(WdmThreadIrpTest, sending_an_irp_of_no_thread_at_dispatch_level_is_legal) {
    load_buggy(kLevel2);
    Outcome outcome;
    PIRP irp = make_read(buggy_device(), kCompleteOk, outcome);
    KIRQL old;
    KeRaiseIrql(DISPATCH_LEVEL, &old);
    expect_no_bugcheck([&] { EXPECT_EQ(IoCallDriver(buggy_device(), irp), STATUS_SUCCESS); });
    KeLowerIrql(old);
    EXPECT_EQ(outcome.completions.load(), 1);
    IoFreeIrp(irp);
}

// ---- 0x20E-0x210: PnP / Power / WMI requests sent without STATUS_NOT_SUPPORTED ----

class WdmInitialStatusTest : public VerifierTest,
                             public ::testing::WithParamInterface<std::tuple<UCHAR, UCHAR, ULONG_PTR>> {};

TEST_P(WdmInitialStatusTest, sending_without_status_not_supported_is_reported) {
    load_buggy(kLevel2);
    const auto [major, minor, subcode] = GetParam();
    Outcome outcome;
    PIRP irp = make_request(buggy_device()->StackSize, major, minor, STATUS_SUCCESS, outcome);
    auto bc = expect_bugcheck([&] { (void)IoCallDriver(buggy_device(), irp); }, DRIVER_VERIFIER_IOMANAGER_VIOLATION,
                              subcode);
    EXPECT_EQ(bc.p2, 0u);  // the test's own send: no driver routine
    EXPECT_EQ(bc.p3, ptr(irp));
    EXPECT_EQ(bc.p4, ptr(buggy_device()));
    IoFreeIrp(irp);
}

TEST_P(WdmInitialStatusTest, sending_with_status_not_supported_is_legal) {
    load_buggy(kLevel2);
    const auto [major, minor, subcode] = GetParam();
    (void)subcode;
    Outcome outcome;
    PIRP irp = make_request(buggy_device()->StackSize, major, minor, STATUS_NOT_SUPPORTED, outcome);
    expect_clean_send(buggy_device(), irp, outcome, STATUS_NOT_SUPPORTED);
}

INSTANTIATE_TEST_SUITE_P(PnpPowerWmi, WdmInitialStatusTest,
                         ::testing::Values(std::make_tuple(UCHAR{IRP_MJ_PNP}, UCHAR{IRP_MN_QUERY_PNP_DEVICE_STATE},
                                                           ULONG_PTR{0x20E}),
                                           std::make_tuple(UCHAR{IRP_MJ_POWER}, UCHAR{IRP_MN_POWER_SEQUENCE},
                                                           ULONG_PTR{0x20F}),
                                           std::make_tuple(UCHAR{IRP_MJ_SYSTEM_CONTROL}, UCHAR{IRP_MN_QUERY_ALL_DATA},
                                                           ULONG_PTR{0x210})));

// ---- 0x213 / 0x214 / 0x23B: requests the driver cannot understand ----

TEST_F(VerifierTest, changing_the_status_of_an_unknown_pnp_irp_before_forwarding_is_0x213) {
    load_buggy(kLevel2);
    load_filter(kLevel2);
    g_filter_pnp = kFilterPnpSetStatus;
    Outcome outcome;
    PIRP irp = make_pnp(filter_device(), kUnknownPnpMinor, outcome);
    auto bc = expect_bugcheck([&] { (void)IoCallDriver(filter_device(), irp); }, DRIVER_VERIFIER_IOMANAGER_VIOLATION,
                              0x213);
    EXPECT_EQ(bc.p2, dispatch_of(m_filter, IRP_MJ_PNP));
    EXPECT_EQ(bc.p3, ptr(irp));
    EXPECT_EQ(bc.p4, ptr(buggy_device()));
    IoFreeIrp(irp);
}

// Learn's pass-through for a PnP IRP the filter handles: set the status, pass it down.
TEST_F(VerifierTest, changing_the_status_of_a_known_pnp_irp_before_forwarding_is_legal) {
    load_buggy(kLevel2);
    load_filter(kLevel2);
    g_filter_pnp = kFilterPnpSetStatus;
    Outcome outcome;
    PIRP irp = make_pnp(filter_device(), IRP_MN_QUERY_PNP_DEVICE_STATE, outcome);
    expect_clean_send(filter_device(), irp, outcome, STATUS_SUCCESS);
}

TEST_F(VerifierTest, changing_the_information_of_an_unknown_pnp_irp_before_forwarding_is_0x214) {
    load_buggy(kLevel2);
    load_filter(kLevel2);
    g_filter_pnp = kFilterPnpSetInformation;
    Outcome outcome;
    PIRP irp = make_pnp(filter_device(), kUnknownPnpMinor, outcome);
    auto bc = expect_bugcheck([&] { (void)IoCallDriver(filter_device(), irp); }, DRIVER_VERIFIER_IOMANAGER_VIOLATION,
                              0x214);
    EXPECT_EQ(bc.p2, dispatch_of(m_filter, IRP_MJ_PNP));
    EXPECT_EQ(bc.p3, ptr(irp));
    EXPECT_EQ(bc.p4, ptr(buggy_device()));
    IoFreeIrp(irp);
}

TEST_F(VerifierTest, passing_an_unknown_pnp_irp_down_untouched_is_legal) {
    load_buggy(kLevel2);
    load_filter(kLevel2);
    Outcome outcome;
    PIRP irp = make_pnp(filter_device(), kUnknownPnpMinor, outcome);
    expect_clean_send(filter_device(), irp, outcome, STATUS_NOT_SUPPORTED);
}

TEST_F(VerifierTest, completing_an_unknown_pnp_irp_with_another_status_is_0x23b) {
    load_buggy(kLevel2);
    g_buggy_pnp = kPnpSucceed;
    Outcome outcome;
    PIRP irp = make_pnp(buggy_device(), kUnknownPnpMinor, outcome);
    auto bc = expect_bugcheck([&] { (void)IoCallDriver(buggy_device(), irp); }, DRIVER_VERIFIER_IOMANAGER_VIOLATION,
                              0x23B);
    EXPECT_EQ(bc.p2, dispatch_of(m_buggy, IRP_MJ_PNP));
    EXPECT_EQ(bc.p3, ptr(irp));
    EXPECT_EQ(bc.p4, ptr(buggy_device()));
    IoFreeIrp(irp);
}

TEST_F(VerifierTest, completing_an_unknown_pnp_irp_as_is_is_legal) {
    load_buggy(kLevel2);
    Outcome outcome;
    PIRP irp = make_pnp(buggy_device(), kUnknownPnpMinor, outcome);
    expect_clean_send(buggy_device(), irp, outcome, STATUS_NOT_SUPPORTED);
}

// ---- 0x247: failing a PnP IRP that may not fail ----

TEST_F(VerifierTest, failing_cancel_stop_device_is_0x247) {
    load_buggy(kLevel2);
    g_buggy_pnp = kPnpFail;
    Outcome outcome;
    PIRP irp = make_pnp(buggy_device(), IRP_MN_CANCEL_STOP_DEVICE, outcome);
    auto bc = expect_bugcheck([&] { (void)IoCallDriver(buggy_device(), irp); }, DRIVER_VERIFIER_IOMANAGER_VIOLATION,
                              0x247);
    EXPECT_EQ(bc.p2, dispatch_of(m_buggy, IRP_MJ_PNP));
    EXPECT_EQ(bc.p3, ptr(irp));
    EXPECT_EQ(bc.p4, ptr(buggy_device()));
    IoFreeIrp(irp);
}

// A query may be failed: that is how a driver vetoes the stop.
TEST_F(VerifierTest, failing_query_stop_device_is_legal) {
    load_buggy(kLevel2);
    g_buggy_pnp = kPnpFail;
    Outcome outcome;
    PIRP irp = make_pnp(buggy_device(), IRP_MN_QUERY_STOP_DEVICE, outcome);
    expect_clean_send(buggy_device(), irp, outcome, STATUS_UNSUCCESSFUL);
}

TEST_F(VerifierTest, succeeding_cancel_stop_device_is_legal) {
    load_buggy(kLevel2);
    g_buggy_pnp = kPnpSucceed;
    Outcome outcome;
    PIRP irp = make_pnp(buggy_device(), IRP_MN_CANCEL_STOP_DEVICE, outcome);
    expect_clean_send(buggy_device(), irp, outcome, STATUS_SUCCESS);
}

}  // namespace
}  // namespace ntio::verifier::test
