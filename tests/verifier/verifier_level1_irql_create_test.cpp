// The last Level 1 subcodes of spec 2.2: a dispatch routine that returns above DISPATCH_LEVEL
// (0xC9 0x12: the routine, the IRQL before it, the current IRQL), a fast I/O routine that returns at
// another IRQL (0x11, the same parameters for the fast I/O routine), and an IRP_MJ_CREATE sent for a
// file object whose open was cancelled or whose handle was closed (0x0F: the file object, the IRP,
// the device). Each has a trip test through the bugcheck hook and a legal neighbour.
// https://learn.microsoft.com/windows-hardware/drivers/debugger/bug-check-0xc9--driver-verifier-iomanager-violation
#include "verifier_test_driver.hpp"

#include <ntifs.h>

namespace ntio::verifier::test {
namespace level1_irql_create {

using ntio::test::expect_no_bugcheck;

constexpr ULONG kLevel1 = NTIO_VERIFIER_IO_CHECKING | NTIO_VERIFIER_IO_LEVEL1_ONLY;

ULONG_PTR ptr(const void* p) { return reinterpret_cast<ULONG_PTR>(p); }

// ---- 0x12 ----

class DispatchIrqlTest : public VerifierTest {
protected:
    // Sends irp to target and expects 0x12 naming VerBuggy's read dispatch, which returned at
    // HIGH_LEVEL after being called at PASSIVE_LEVEL.
    void expect_returned_above_dispatch(PDEVICE_OBJECT target, PIRP irp) {
        auto bc = expect_bugcheck([&] { (void)IoCallDriver(target, irp); }, DRIVER_VERIFIER_IOMANAGER_VIOLATION, 0x12);
        KeLowerIrql(PASSIVE_LEVEL);
        EXPECT_EQ(bc.p2, ptr(reinterpret_cast<PVOID>(buggy_device()->DriverObject->MajorFunction[IRP_MJ_READ])));
        EXPECT_EQ(bc.p3, static_cast<ULONG_PTR>(PASSIVE_LEVEL));
        EXPECT_EQ(bc.p4, static_cast<ULONG_PTR>(HIGH_LEVEL));
    }
};

TEST_F(DispatchIrqlTest, level1_dispatch_returning_above_dispatch_level_is_0x12) {
    load_buggy(kLevel1);
    Outcome outcome;
    PIRP irp = make_read(buggy_device(), kRaiseIrqlHigh, outcome);
    expect_returned_above_dispatch(buggy_device(), irp);
    EXPECT_EQ(outcome.completions.load(), 1);
    IoFreeIrp(irp);
}

// Below a filter that forwards by a tail call, the routine named is the lower driver's, whose
// dispatch left the IRQL raised.
TEST_F(DispatchIrqlTest, level1_dispatch_above_dispatch_level_below_a_forwarding_filter_names_the_lower_routine) {
    load_buggy(kLevel1);
    load_filter(kLevel1);
    Outcome outcome;
    PIRP irp = make_read(filter_device(), kRaiseIrqlHigh, outcome, kFilterSkip);
    expect_returned_above_dispatch(filter_device(), irp);
    IoFreeIrp(irp);
}

// Level 2's framed dispatch reports it the same way.
TEST_F(DispatchIrqlTest, level2_dispatch_returning_above_dispatch_level_is_0x12) {
    load_buggy(NTIO_VERIFIER_IO_CHECKING);
    Outcome outcome;
    PIRP irp = make_read(buggy_device(), kRaiseIrqlHigh, outcome);
    expect_returned_above_dispatch(buggy_device(), irp);
    IoFreeIrp(irp);
}

// The neighbour: a dispatch that raises the IRQL and lowers it again before it returns.
TEST_F(VerifierTest, level1_dispatch_raising_and_lowering_the_irql_is_not_flagged) {
    load_buggy(kLevel1);
    expect_legal_read(buggy_device(), kCompleteAtDispatchLevel);
}

// ---- 0x0F ----

NTSTATUS NTAPI KeepCreate(PDEVICE_OBJECT, PIRP Irp, PVOID Context) {
    auto* outcome = static_cast<Outcome*>(Context);
    outcome->status.store(Irp->IoStatus.Status);
    outcome->completions.fetch_add(1);
    return STATUS_MORE_PROCESSING_REQUIRED;
}

// An IRP_MJ_CREATE for file, the way a filter sends its own open to the device below it; the
// originator's routine keeps it (free it with IoFreeIrp).
PIRP make_create(PDEVICE_OBJECT device, PFILE_OBJECT file, Outcome& outcome) {
    PIRP irp = IoAllocateIrp(device->StackSize, FALSE);
    PIO_STACK_LOCATION sp = IoGetNextIrpStackLocation(irp);
    sp->MajorFunction = IRP_MJ_CREATE;
    sp->FileObject = file;
    irp->Tail.Overlay.OriginalFileObject = file;
    IoSetCompletionRoutine(irp, KeepCreate, &outcome, TRUE, TRUE, TRUE);
    return irp;
}

void expect_create_report(PDEVICE_OBJECT device, PFILE_OBJECT file) {
    Outcome outcome;
    PIRP irp = make_create(device, file, outcome);
    auto bc = ntio::test::catch_bugcheck([&] { (void)IoCallDriver(device, irp); });
    ASSERT_TRUE(bc.has_value());
    EXPECT_EQ(bc->code, static_cast<ULONG>(DRIVER_VERIFIER_IOMANAGER_VIOLATION));
    EXPECT_EQ(bc->p1, 0x0Fu);
    EXPECT_EQ(bc->p2, ptr(file));
    EXPECT_EQ(bc->p3, ptr(irp));
    EXPECT_EQ(bc->p4, ptr(device));
    EXPECT_EQ(outcome.completions.load(), 0);  // stopped before the dispatch
    IoFreeIrp(irp);
}

TEST_F(VerifierTest, level1_create_for_a_closed_file_object_is_0x0f) {
    load_buggy(kLevel1);
    // IoCreateStreamFileObject closes the handle it makes at once: the file is cleaned up.
    PFILE_OBJECT file = IoCreateStreamFileObject(nullptr, buggy_device());
    ASSERT_NE(file, nullptr);
    expect_create_report(buggy_device(), file);
    ObDereferenceObject(file);
}

TEST_F(VerifierTest, level1_create_for_a_cancelled_open_is_0x0f) {
    load_buggy(kLevel1);
    PFILE_OBJECT file = IoCreateStreamFileObjectLite(nullptr, buggy_device());
    ASSERT_NE(file, nullptr);
    IoCancelFileOpen(buggy_device(), file);
    ASSERT_NE(file->Flags & FO_FILE_OPEN_CANCELLED, 0u);
    expect_create_report(buggy_device(), file);
    ObDereferenceObject(file);
}

TEST_F(VerifierTest, level1_create_for_a_file_object_in_use_is_not_flagged) {
    load_buggy(kLevel1);
    PFILE_OBJECT file = IoCreateStreamFileObjectLite(nullptr, buggy_device());
    ASSERT_NE(file, nullptr);
    Outcome outcome;
    PIRP irp = make_create(buggy_device(), file, outcome);
    expect_no_bugcheck([&] { (void)IoCallDriver(buggy_device(), irp); });
    EXPECT_EQ(outcome.completions.load(), 1);
    EXPECT_EQ(outcome.status.load(), STATUS_INVALID_DEVICE_REQUEST);  // VerBuggy has no create dispatch
    IoFreeIrp(irp);
    ObDereferenceObject(file);
}

// ---- 0x11 ----

// "VerFastIo": a device whose FastIoDeviceControl handles two control codes, one of them returning
// with the IRQL raised.
constexpr ULONG kFastRaise = CTL_CODE(FILE_DEVICE_UNKNOWN, 0x910, METHOD_NEITHER, FILE_ANY_ACCESS);
constexpr ULONG kFastLegal = CTL_CODE(FILE_DEVICE_UNKNOWN, 0x911, METHOD_NEITHER, FILE_ANY_ACCESS);

BOOLEAN NTAPI FastDeviceControl(PFILE_OBJECT, BOOLEAN, PVOID, ULONG, PVOID, ULONG, ULONG IoControlCode,
                                PIO_STATUS_BLOCK IoStatus, PDEVICE_OBJECT) {
    if (IoControlCode != kFastRaise && IoControlCode != kFastLegal) return FALSE;
    if (IoControlCode == kFastRaise) {
        KIRQL old;
        KeRaiseIrql(APC_LEVEL, &old);
    }
    IoStatus->Status = STATUS_SUCCESS;
    IoStatus->Information = 0;
    return TRUE;
}

NTSTATUS NTAPI FastComplete(PDEVICE_OBJECT, PIRP Irp) {
    Irp->IoStatus.Status = STATUS_SUCCESS;
    Irp->IoStatus.Information = 0;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return STATUS_SUCCESS;
}

FAST_IO_DISPATCH g_fast_io{};

VOID NTAPI FastUnload(PDRIVER_OBJECT DriverObject) {
    while (DriverObject->DeviceObject) IoDeleteDevice(DriverObject->DeviceObject);
}

NTSTATUS NTAPI FastIoDriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING) {
    PDEVICE_OBJECT device = nullptr;
    NTSTATUS status = IoCreateDevice(DriverObject, 0, nullptr, FILE_DEVICE_UNKNOWN, 0, FALSE, &device);
    if (!NT_SUCCESS(status)) return status;
    g_fast_io.SizeOfFastIoDispatch = sizeof(FAST_IO_DISPATCH);
    g_fast_io.FastIoDeviceControl = FastDeviceControl;
    DriverObject->FastIoDispatch = &g_fast_io;
    for (UCHAR major : {UCHAR{IRP_MJ_CREATE}, UCHAR{IRP_MJ_CLEANUP}, UCHAR{IRP_MJ_CLOSE}, UCHAR{IRP_MJ_DEVICE_CONTROL}})
        DriverObject->MajorFunction[major] = FastComplete;
    DriverObject->DriverUnload = FastUnload;
    device->Flags &= ~DO_DEVICE_INITIALIZING;
    return STATUS_SUCCESS;
}

class FastIoVerifierTest : public VerifierTest {
protected:
    void SetUp() override {
        VerifierTest::SetUp();
        UNICODE_STRING name = RTL_CONSTANT_STRING(L"VerFastIo");
        ASSERT_EQ(NtioCreateDriver(&name, FastIoDriverEntry, &m_driver), STATUS_SUCCESS);
        ASSERT_EQ(NtioVerifierSetFlags(m_driver, kLevel1), STATUS_SUCCESS);
        m_file = IoCreateStreamFileObjectEx(nullptr, m_driver->DeviceObject, &m_handle);
        ASSERT_NE(m_file, nullptr);
    }
    void TearDown() override {
        if (m_handle) ZwClose(m_handle);
        if (m_file) ObDereferenceObject(m_file);
        if (m_driver) {
            (void)NtioVerifierSetFlags(m_driver, 0);
            (void)NtioUnloadDriver(m_driver);
            ObDereferenceObject(m_driver);
        }
        VerifierTest::TearDown();
    }
    NTSTATUS control(ULONG code) {
        IO_STATUS_BLOCK iosb{};
        return ZwDeviceIoControlFile(m_handle, nullptr, nullptr, nullptr, &iosb, code, nullptr, 0, nullptr, 0);
    }
    PDRIVER_OBJECT m_driver = nullptr;
    PFILE_OBJECT m_file = nullptr;
    HANDLE m_handle = nullptr;
};

TEST_F(FastIoVerifierTest, level1_fast_io_routine_returning_at_another_irql_is_0x11) {
    auto bc = ntio::test::catch_bugcheck([&] { (void)control(kFastRaise); });
    KeLowerIrql(PASSIVE_LEVEL);
    ASSERT_TRUE(bc.has_value());
    // The stop cut the service short before it let go of its reference to the file.
    ObDereferenceObject(m_file);
    EXPECT_EQ(bc->code, static_cast<ULONG>(DRIVER_VERIFIER_IOMANAGER_VIOLATION));
    EXPECT_EQ(bc->p1, 0x11u);
    EXPECT_EQ(bc->p2, ptr(reinterpret_cast<PVOID>(&FastDeviceControl)));
    EXPECT_EQ(bc->p3, static_cast<ULONG_PTR>(PASSIVE_LEVEL));
    EXPECT_EQ(bc->p4, static_cast<ULONG_PTR>(APC_LEVEL));
}

TEST_F(FastIoVerifierTest, level1_fast_io_routine_keeping_the_irql_is_not_flagged) {
    expect_no_bugcheck([&] { EXPECT_EQ(control(kFastLegal), STATUS_SUCCESS); });
    // A code the fast routine declines takes the IRP path.
    expect_no_bugcheck([&] { EXPECT_EQ(control(CTL_CODE(FILE_DEVICE_UNKNOWN, 0x912, METHOD_NEITHER, FILE_ANY_ACCESS)),
                                       STATUS_SUCCESS); });
}

}  // namespace level1_irql_create
}  // namespace ntio::verifier::test
