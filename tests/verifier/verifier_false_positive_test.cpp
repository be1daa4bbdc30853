// Legal stacks the verifier used to flag (issue 6): one filter driver whose devices are stacked on
// each other, each setting the same completion routine with a NULL context (0xC9 0x207), and a
// verified filter over an unverified driver that completes inline (0xC9 0x209); next to them, the
// real bugs those two rules are for still trip. The stacks are gate A1's, written as WDK drivers.
// Rule pages: https://learn.microsoft.com/windows-hardware/drivers/debugger/bug-check-0xc9--driver-verifier-iomanager-violation
#include <atomic>

#include "verifier_test_driver.hpp"

namespace ntio::verifier::test {
namespace {

// Parameters.Read.Key of a read: what VfpNull does.
enum VfpNullMode : ULONG {
    kNullComplete = 0,  // complete inline with STATUS_SUCCESS, Information = Length
    kNullPark = 1,      // IoMarkIrpPending, park, return STATUS_PENDING
};
// Parameters.Read.ByteOffset.LowPart: what each VfpFilter device does.
enum VfpFilterMode : ULONG {
    kCopyNullContext = 0,      // IoCopyCurrentIrpStackLocationToNext + IoSetCompletionRoutine(.., NULL, ..)
    kWholesaleBelowTop = 1,    // as above at the top device; the devices below copy the whole location
    kCompleteWhileQueued = 2,  // forward, then complete the IRP the lower driver still holds
};

PDEVICE_OBJECT g_vfp_target = nullptr;  // VfpFilter's DriverEntry stacks its devices on it
ULONG g_vfp_filter_count = 3;
PIRP g_vfp_parked = nullptr;
std::atomic<int> g_filter_routines{0};

NTSTATUS NTAPI NullRead(PDEVICE_OBJECT, PIRP Irp) {
    PIO_STACK_LOCATION sp = IoGetCurrentIrpStackLocation(Irp);
    if (sp->Parameters.Read.Key == kNullPark) {
        IoMarkIrpPending(Irp);
        g_vfp_parked = Irp;
        return STATUS_PENDING;
    }
    Irp->IoStatus.Status = STATUS_SUCCESS;
    Irp->IoStatus.Information = sp->Parameters.Read.Length;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return STATUS_SUCCESS;
}

VOID NTAPI NullUnload(PDRIVER_OBJECT DriverObject) {
    while (PDEVICE_OBJECT device = DriverObject->DeviceObject) IoDeleteDevice(device);
}

NTSTATUS NTAPI VfpNullDriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING) {
    PDEVICE_OBJECT device = nullptr;
    NTSTATUS status = IoCreateDevice(DriverObject, 0, nullptr, FILE_DEVICE_NULL, 0, FALSE, &device);
    if (!NT_SUCCESS(status)) return status;
    DriverObject->MajorFunction[IRP_MJ_READ] = NullRead;
    DriverObject->DriverUnload = NullUnload;
    device->Flags &= ~DO_DEVICE_INITIALIZING;
    return STATUS_SUCCESS;
}

NTSTATUS NTAPI FilterCompletion(PDEVICE_OBJECT, PIRP Irp, PVOID) {
    g_filter_routines.fetch_add(1);
    if (Irp->PendingReturned) IoMarkIrpPending(Irp);
    return STATUS_CONTINUE_COMPLETION;
}

NTSTATUS NTAPI VfpFilterRead(PDEVICE_OBJECT DeviceObject, PIRP Irp) {
    PDEVICE_OBJECT lower = static_cast<FilterExtension*>(DeviceObject->DeviceExtension)->Lower;
    PIO_STACK_LOCATION sp = IoGetCurrentIrpStackLocation(Irp);
    const ULONG mode = sp->Parameters.Read.ByteOffset.LowPart;
    if (mode == kWholesaleBelowTop && DeviceObject->AttachedDevice) {
        *IoGetNextIrpStackLocation(Irp) = *sp;  // the bug: the upper device's routine comes along
        return IoCallDriver(lower, Irp);
    }
    IoCopyCurrentIrpStackLocationToNext(Irp);
    IoSetCompletionRoutine(Irp, FilterCompletion, nullptr, TRUE, TRUE, TRUE);
    if (mode != kCompleteWhileQueued) return IoCallDriver(lower, Irp);
    (void)IoCallDriver(lower, Irp);
    Irp->IoStatus.Status = STATUS_CANCELLED;  // the bug: the lower driver still holds the IRP
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return STATUS_CANCELLED;
}

VOID NTAPI VfpFilterUnload(PDRIVER_OBJECT DriverObject) {
    while (PDEVICE_OBJECT device = DriverObject->DeviceObject) {
        IoDetachDevice(static_cast<FilterExtension*>(device->DeviceExtension)->Lower);
        IoDeleteDevice(device);
    }
}

// One driver filtering several layers: g_vfp_filter_count devices, each attached to the previous.
NTSTATUS NTAPI VfpFilterDriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING) {
    DriverObject->MajorFunction[IRP_MJ_READ] = VfpFilterRead;
    DriverObject->DriverUnload = VfpFilterUnload;
    for (ULONG i = 0; i < g_vfp_filter_count; ++i) {
        PDEVICE_OBJECT device = nullptr;
        NTSTATUS status = IoCreateDevice(DriverObject, sizeof(FilterExtension), nullptr, FILE_DEVICE_NULL, 0, FALSE,
                                         &device);
        if (!NT_SUCCESS(status)) return status;
        auto* ext = static_cast<FilterExtension*>(device->DeviceExtension);
        ext->Lower = IoAttachDeviceToDeviceStack(device, g_vfp_target);
        if (!ext->Lower) {
            IoDeleteDevice(device);
            return STATUS_NO_SUCH_DEVICE;
        }
        device->Flags &= ~DO_DEVICE_INITIALIZING;
        g_vfp_target = device;
    }
    return STATUS_SUCCESS;
}

NTSTATUS NTAPI OriginatorCompletion(PDEVICE_OBJECT, PIRP Irp, PVOID Context) {
    *static_cast<ULONG_PTR*>(Context) = Irp->IoStatus.Information;
    return STATUS_MORE_PROCESSING_REQUIRED;
}

class VerifierFalsePositiveTest : public VerifierTest {
protected:
    void TearDown() override {
        for (PDRIVER_OBJECT* driver : {&m_vfp_filter, &m_vfp_null}) {
            if (!*driver) continue;
            (void)NtioVerifierSetFlags(*driver, 0);
            (void)NtioUnloadDriver(*driver);
            ObDereferenceObject(*driver);
            *driver = nullptr;
        }
        VerifierTest::TearDown();
    }

    // Gate A1's stack: VfpNull under `filters` VfpFilter devices, each driver verified with its flags.
    void load_stack(ULONG filters, ULONG filter_flags, ULONG null_flags) {
        g_vfp_parked = nullptr;
        g_filter_routines.store(0);
        UNICODE_STRING null_name = RTL_CONSTANT_STRING(L"VfpNull");
        ASSERT_EQ(NtioCreateDriver(&null_name, VfpNullDriverEntry, &m_vfp_null), STATUS_SUCCESS);
        g_vfp_target = m_vfp_null->DeviceObject;
        g_vfp_filter_count = filters;
        UNICODE_STRING filter_name = RTL_CONSTANT_STRING(L"VfpFilter");
        ASSERT_EQ(NtioCreateDriver(&filter_name, VfpFilterDriverEntry, &m_vfp_filter), STATUS_SUCCESS);
        m_top = g_vfp_target;
        ASSERT_EQ(NtioVerifierSetFlags(m_vfp_filter, filter_flags), STATUS_SUCCESS);
        ASSERT_EQ(NtioVerifierSetFlags(m_vfp_null, null_flags), STATUS_SUCCESS);
    }

    // The originator's part of A1: IoAllocateIrp, IoCallDriver, a routine that keeps the IRP.
    PIRP make_read(ULONG null_mode, ULONG filter_mode, ULONG_PTR* information) {
        PIRP irp = IoAllocateIrp(m_top->StackSize, FALSE);
        EXPECT_NE(irp, nullptr);
        PIO_STACK_LOCATION next = IoGetNextIrpStackLocation(irp);
        next->MajorFunction = IRP_MJ_READ;
        next->Parameters.Read.Length = 4096;
        next->Parameters.Read.Key = null_mode;
        next->Parameters.Read.ByteOffset.LowPart = filter_mode;
        IoSetCompletionRoutine(irp, OriginatorCompletion, information, TRUE, TRUE, TRUE);
        return irp;
    }

    // Round trips that must raise nothing in strict mode.
    void expect_clean_round_trips(int count, ULONG filters) {
        for (int i = 0; i < count; ++i) {
            ULONG_PTR information = 0;
            PIRP irp = make_read(kNullComplete, kCopyNullContext, &information);
            auto bc = ntio::test::catch_bugcheck([&] { EXPECT_EQ(IoCallDriver(m_top, irp), STATUS_SUCCESS); });
            ASSERT_FALSE(bc.has_value()) << std::hex << "unexpected bugcheck 0x" << bc->code << " p1 0x" << bc->p1;
            EXPECT_EQ(information, 4096u);
            IoFreeIrp(irp);
        }
        EXPECT_EQ(g_filter_routines.load(), count * static_cast<int>(filters));
        EXPECT_EQ(NtioVerifierWarningCount(), m_warnings_at_start);
    }

    void SetUp() override {
        VerifierTest::SetUp();
        m_warnings_at_start = NtioVerifierWarningCount();
    }

    PDRIVER_OBJECT m_vfp_null = nullptr;
    PDRIVER_OBJECT m_vfp_filter = nullptr;
    PDEVICE_OBJECT m_top = nullptr;
    ULONG m_warnings_at_start = 0;
};

// Three devices of one driver each set FilterCompletion with a NULL context: the locations hold
// equal routines and contexts, but each was set by IoSetCompletionRoutine, not copied from above.
TEST_F(VerifierFalsePositiveTest, one_driver_filtering_three_layers_with_a_null_context_is_not_0x207) {
    load_stack(3, NTIO_VERIFIER_STANDARD_FLAGS, NTIO_VERIFIER_STANDARD_FLAGS);
    expect_clean_round_trips(1, 3);
}

// The real 0x207 in the same stack: a device below the top copies its upper location wholesale
// (`*next = *current`), the upper device's completion routine included.
TEST_F(VerifierFalsePositiveTest, copying_the_upper_location_wholesale_in_a_one_driver_stack_is_0x207) {
    load_stack(3, NTIO_VERIFIER_STANDARD_FLAGS, NTIO_VERIFIER_STANDARD_FLAGS);
    ULONG_PTR information = 0;
    PIRP irp = make_read(kNullComplete, kWholesaleBelowTop, &information);
    auto bc = expect_bugcheck([&] { (void)IoCallDriver(m_top, irp); }, DRIVER_VERIFIER_IOMANAGER_VIOLATION, 0x207);
    EXPECT_EQ(bc.p3, reinterpret_cast<ULONG_PTR>(irp));
    IoFreeIrp(irp);
}

// The null driver is not verified and completes inside the filter's IoCallDriver: the completer is
// the driver that owns the IRP, not the filter whose dispatch frame is innermost.
TEST_F(VerifierFalsePositiveTest, verified_filter_over_an_unverified_driver_completing_inline_is_not_0x209) {
    load_stack(1, NTIO_VERIFIER_STANDARD_FLAGS, 0);
    expect_clean_round_trips(1, 1);
}

// Gate A1's stack with only the filters verified, in strict mode, with I/O verification alone and
// with the standard flags: no violation and no warning.
TEST_F(VerifierFalsePositiveTest, a1_stack_with_only_the_filters_verified_runs_clean_in_strict_mode) {
    load_stack(3, NTIO_VERIFIER_IO_CHECKING, 0);
    expect_clean_round_trips(200, 3);
    ASSERT_EQ(NtioVerifierSetFlags(m_vfp_filter, NTIO_VERIFIER_STANDARD_FLAGS), STATUS_SUCCESS);
    g_filter_routines.store(0);
    expect_clean_round_trips(200, 3);
}

// The real 0x209: the filter completes the IRP while the lower driver still holds it (pending).
TEST_F(VerifierFalsePositiveTest, completing_an_irp_still_queued_beneath_the_filter_is_0x209) {
    load_stack(1, NTIO_VERIFIER_STANDARD_FLAGS, 0);
    ULONG_PTR information = 0;
    PIRP irp = make_read(kNullPark, kCompleteWhileQueued, &information);
    auto bc = expect_bugcheck([&] { (void)IoCallDriver(m_top, irp); }, DRIVER_VERIFIER_IOMANAGER_VIOLATION, 0x209);
    EXPECT_EQ(bc.p3, reinterpret_cast<ULONG_PTR>(irp));
    EXPECT_EQ(bc.p4, reinterpret_cast<ULONG_PTR>(m_top));
    EXPECT_EQ(g_vfp_parked, irp);
    IoFreeIrp(irp);
}

}  // namespace
}  // namespace ntio::verifier::test
