// The cancel-field Static Driver Verifier rules as run-time monitors (spec 3.2), for a driver verified
// with the additional DDI compliance checks: IrpCancelField (a dispatch leaves a cancel routine on an
// IRP that was already cancelled, without looking at Irp->Cancel) and StartIoCancel (IoStartPacket
// queues a packet with no cancel routine while the StartIo queue is cancelable). 0xC4 with ntio's
// rule ids (src/verifier/sdv_cancel.hpp): P2 the rule's condition, P3 the IRP, P4 the cancel routine
// or the device. Each with its legal neighbours.
#include <gtest/gtest.h>

#include <functional>
#include <optional>
#include <utility>
#include <vector>

#include "support/bugcheck_catcher.hpp"
#include "support/system_fixture.hpp"

#include <ntddk.h>
#include <ntio/ntio.h>
#include <ntio/ntio_verifier.h>

#include "verifier/sdv_cancel.hpp"

namespace ntio::verifier::test {
namespace {

constexpr ULONG cancel_ioctl(ULONG function) {
    return CTL_CODE(FILE_DEVICE_UNKNOWN, function, METHOD_NEITHER, FILE_ANY_ACCESS);
}
constexpr ULONG kIoctlStartHold = cancel_ioctl(0xC00);        // IoStartPacket with a cancel routine; StartIo keeps it
constexpr ULONG kIoctlStartNoCancel = cancel_ioctl(0xC01);    // IoStartPacket(..., CancelFunction NULL)
constexpr ULONG kIoctlStartWithCancel = cancel_ioctl(0xC02);  // IoStartPacket(..., StartIoCancelRoutine)
constexpr ULONG kIoctlNonCancelable = cancel_ioctl(0xC03);    // IoSetStartIoAttributes(NonCancelable TRUE)
constexpr ULONG kIoctlParkUnchecked = cancel_ioctl(0xC10);    // IoSetCancelRoutine, parked, Cancel not read
constexpr ULONG kIoctlParkChecked = cancel_ioctl(0xC11);      // IoSetCancelRoutine, then checks Irp->Cancel
constexpr ULONG kIoctlCsqInsert = cancel_ioctl(0xC12);        // IoCsqInsertIrp, STATUS_PENDING (spec 5.3)

// The "VerCancel" driver: one device, a StartIo routine, a parked IRP.
PDEVICE_OBJECT g_device = nullptr;
PIRP g_held = nullptr;    // StartIo's current packet, kept (kIoctlStartHold)
PIRP g_parked = nullptr;  // the IRP parked with ParkCancel

// The driver's cancel-safe queue (IoCsqInsertIrp checks Irp->Cancel for it).
LIST_ENTRY g_csq_list;
KSPIN_LOCK g_csq_lock;
IO_CSQ g_csq;

NTSTATUS sdv_complete(PIRP Irp, NTSTATUS Status) {
    Irp->IoStatus.Status = Status;
    Irp->IoStatus.Information = 0;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return Status;
}

ULONG code_of(PIRP Irp) { return IoGetCurrentIrpStackLocation(Irp)->Parameters.DeviceIoControl.IoControlCode; }

// The StartIo model's cancel routine: the current packet is finished here and the next one started;
// a queued one leaves the device queue.
VOID NTAPI StartIoCancelRoutine(PDEVICE_OBJECT DeviceObject, PIRP Irp) {
    if (Irp == DeviceObject->CurrentIrp) {
        IoReleaseCancelSpinLock(Irp->CancelIrql);
        IoStartNextPacket(DeviceObject, TRUE);
    } else {
        (void)KeRemoveEntryDeviceQueue(&DeviceObject->DeviceQueue, &Irp->Tail.Overlay.DeviceQueueEntry);
        IoReleaseCancelSpinLock(Irp->CancelIrql);
    }
    (void)sdv_complete(Irp, STATUS_CANCELLED);
}

VOID NTAPI CancelStartIo(PDEVICE_OBJECT DeviceObject, PIRP Irp) {
    KIRQL irql;
    IoAcquireCancelSpinLock(&irql);
    const BOOLEAN cancelled = Irp->Cancel;
    const PDRIVER_CANCEL routine = IoSetCancelRoutine(Irp, nullptr);
    IoReleaseCancelSpinLock(irql);
    const bool had_routine = code_of(Irp) != kIoctlStartNoCancel;
    if (cancelled && had_routine && !routine) return;  // its cancel routine took it
    if (cancelled) {
        (void)sdv_complete(Irp, STATUS_CANCELLED);
        IoStartNextPacket(DeviceObject, TRUE);
        return;
    }
    if (code_of(Irp) == kIoctlStartHold) {
        g_held = Irp;
        return;
    }
    (void)sdv_complete(Irp, STATUS_SUCCESS);
    IoStartNextPacket(DeviceObject, TRUE);
}

VOID NTAPI CsqInsert(PIO_CSQ, PIRP Irp) { InsertTailList(&g_csq_list, &Irp->Tail.Overlay.ListEntry); }
VOID NTAPI CsqRemove(PIO_CSQ, PIRP Irp) { RemoveEntryList(&Irp->Tail.Overlay.ListEntry); }
PIRP NTAPI CsqPeekNext(PIO_CSQ, PIRP Irp, PVOID) {
    PLIST_ENTRY next = Irp ? Irp->Tail.Overlay.ListEntry.Flink : g_csq_list.Flink;
    return next == &g_csq_list ? nullptr : CONTAINING_RECORD(next, IRP, Tail.Overlay.ListEntry);
}
VOID NTAPI CsqAcquireLock(PIO_CSQ, PKIRQL Irql) { KeAcquireSpinLock(&g_csq_lock, Irql); }
VOID NTAPI CsqReleaseLock(PIO_CSQ, KIRQL Irql) { KeReleaseSpinLock(&g_csq_lock, Irql); }
VOID NTAPI CsqCompleteCanceled(PIO_CSQ, PIRP Irp) { (void)sdv_complete(Irp, STATUS_CANCELLED); }

VOID NTAPI ParkCancel(PDEVICE_OBJECT, PIRP Irp) {
    IoReleaseCancelSpinLock(Irp->CancelIrql);
    g_parked = nullptr;
    (void)sdv_complete(Irp, STATUS_CANCELLED);
}

NTSTATUS NTAPI CancelControl(PDEVICE_OBJECT DeviceObject, PIRP Irp) {
    switch (code_of(Irp)) {
    case kIoctlStartHold:
    case kIoctlStartWithCancel:
        IoMarkIrpPending(Irp);
        IoStartPacket(DeviceObject, Irp, nullptr, StartIoCancelRoutine);
        return STATUS_PENDING;
    case kIoctlStartNoCancel:
        IoMarkIrpPending(Irp);
        IoStartPacket(DeviceObject, Irp, nullptr, nullptr);
        return STATUS_PENDING;
    case kIoctlNonCancelable:
        IoSetStartIoAttributes(DeviceObject, FALSE, TRUE);
        return sdv_complete(Irp, STATUS_SUCCESS);
    case kIoctlParkUnchecked:
        IoMarkIrpPending(Irp);
        (void)IoSetCancelRoutine(Irp, ParkCancel);
        g_parked = Irp;
        return STATUS_PENDING;
    case kIoctlCsqInsert:
        IoCsqInsertIrp(&g_csq, Irp, nullptr);  // marks the IRP pending (NT fact B9)
        return STATUS_PENDING;
    case kIoctlParkChecked:
        IoMarkIrpPending(Irp);
        (void)IoSetCancelRoutine(Irp, ParkCancel);
        if (Irp->Cancel && IoSetCancelRoutine(Irp, nullptr)) {
            (void)sdv_complete(Irp, STATUS_CANCELLED);
            return STATUS_PENDING;
        }
        g_parked = Irp;
        return STATUS_PENDING;
    default:
        return sdv_complete(Irp, STATUS_INVALID_DEVICE_REQUEST);
    }
}

NTSTATUS NTAPI CancelCreateClose(PDEVICE_OBJECT, PIRP Irp) { return sdv_complete(Irp, STATUS_SUCCESS); }

VOID NTAPI CancelUnload(PDRIVER_OBJECT DriverObject) {
    while (DriverObject->DeviceObject) IoDeleteDevice(DriverObject->DeviceObject);
}

NTSTATUS NTAPI VerCancelDriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING) {
    UNICODE_STRING name = RTL_CONSTANT_STRING(L"\\Device\\VerCancel");
    NTSTATUS status = IoCreateDevice(DriverObject, 0, &name, FILE_DEVICE_UNKNOWN, 0, FALSE, &g_device);
    if (!NT_SUCCESS(status)) return status;
    DriverObject->MajorFunction[IRP_MJ_CREATE] = CancelCreateClose;
    DriverObject->MajorFunction[IRP_MJ_CLOSE] = CancelCreateClose;
    DriverObject->MajorFunction[IRP_MJ_DEVICE_CONTROL] = CancelControl;
    DriverObject->DriverStartIo = CancelStartIo;
    DriverObject->DriverUnload = CancelUnload;
    InitializeListHead(&g_csq_list);
    KeInitializeSpinLock(&g_csq_lock);
    status = IoCsqInitialize(&g_csq, CsqInsert, CsqRemove, CsqPeekNext, CsqAcquireLock, CsqReleaseLock,
                             CsqCompleteCanceled);
    if (!NT_SUCCESS(status)) {
        IoDeleteDevice(g_device);
        return status;
    }
    g_device->Flags &= ~DO_DEVICE_INITIALIZING;
    return STATUS_SUCCESS;
}

NTSTATUS NTAPI KeepStatus(PDEVICE_OBJECT, PIRP Irp, PVOID Context) {
    *static_cast<NTSTATUS*>(Context) = Irp->IoStatus.Status;
    return STATUS_MORE_PROCESSING_REQUIRED;
}

// An IOCTL of the test's own, kept by its completion routine until the test frees it.
struct Request {
    PIRP irp = nullptr;
    NTSTATUS final_status = STATUS_PENDING;
};

class SdvCancelTest : public ntio::test::SystemTest {
protected:
    static constexpr ULONG kFlags = NTIO_VERIFIER_STANDARD_FLAGS | NTIO_VERIFIER_DDI_COMPLIANCE_ADDITIONAL;

    void SetUp() override {
        SystemTest::SetUp();
        (void)NtioVerifierSetMode(NtioVerifierStrict);
        g_held = nullptr;
        g_parked = nullptr;
        UNICODE_STRING name = RTL_CONSTANT_STRING(L"VerCancel");
        ASSERT_EQ(NtioCreateDriver(&name, VerCancelDriverEntry, &m_driver), STATUS_SUCCESS);
        ASSERT_EQ(NtioVerifierSetFlags(m_driver, kFlags), STATUS_SUCCESS);
    }

    void TearDown() override {
        (void)NtioVerifierSetFlags(m_driver, 0);
        release_held();
        if (PIRP parked = std::exchange(g_parked, nullptr)) {
            (void)IoSetCancelRoutine(parked, nullptr);
            (void)sdv_complete(parked, STATUS_CANCELLED);
        }
        for (Request* r : m_requests) {
            if (r->irp) IoFreeIrp(r->irp);
            delete r;
        }
        (void)NtioUnloadDriver(m_driver);
        ObDereferenceObject(m_driver);
        if (KeGetCurrentIrql() != PASSIVE_LEVEL) KeLowerIrql(PASSIVE_LEVEL);
        SystemTest::TearDown();
    }

    Request* allocate(ULONG code) {
        auto* r = new Request;
        m_requests.push_back(r);
        r->irp = IoAllocateIrp(g_device->StackSize, FALSE);
        EXPECT_NE(r->irp, nullptr);
        PIO_STACK_LOCATION sp = IoGetNextIrpStackLocation(r->irp);
        sp->MajorFunction = IRP_MJ_DEVICE_CONTROL;
        sp->Parameters.DeviceIoControl.IoControlCode = code;
        IoSetCompletionRoutine(r->irp, KeepStatus, &r->final_status, TRUE, TRUE, TRUE);
        return r;
    }

    Request* send(Request* r) {
        (void)IoCallDriver(g_device, r->irp);
        return r;
    }
    Request* send(ULONG code) { return send(allocate(code)); }

    // Completes StartIo's held packet; StartIo then runs (and completes) the queued ones.
    void release_held() {
        KIRQL old;
        KeRaiseIrql(DISPATCH_LEVEL, &old);
        if (PIRP held = std::exchange(g_held, nullptr)) {
            (void)sdv_complete(held, STATUS_SUCCESS);
            IoStartNextPacket(g_device, TRUE);
        }
        KeLowerIrql(old);
    }

    ntio::test::BugCheck expect_violation(const std::function<void()>& body, ULONG_PTR rule) {
        auto bc = ntio::test::catch_bugcheck(body);
        EXPECT_TRUE(bc.has_value()) << "no bugcheck";
        if (!bc) return {};
        EXPECT_EQ(bc->code, ULONG{DRIVER_VERIFIER_DETECTED_VIOLATION}) << std::hex << bc->code << " p1 " << bc->p1;
        EXPECT_EQ(bc->p1, rule) << std::hex << bc->p1;
        EXPECT_NE(bc->p2, 0u);  // the rule's condition string
        (void)NtioVerifierSetFlags(m_driver, 0);  // the clean-up below is not the rule's business
        return *bc;
    }

    static void expect_clean(const std::optional<ntio::test::BugCheck>& bc) {
        EXPECT_FALSE(bc.has_value()) << std::hex << (bc ? bc->code : 0) << " p1 " << (bc ? bc->p1 : 0);
    }

    PDRIVER_OBJECT m_driver = nullptr;
    std::vector<Request*> m_requests;
};

// ---- IrpCancelField ----

TEST_F(SdvCancelTest, setting_a_cancel_routine_on_a_cancelled_irp_without_checking_cancel_trips_irp_cancel_field) {
    Request* r = allocate(kIoctlParkUnchecked);
    EXPECT_FALSE(IoCancelIrp(r->irp));  // cancelled before the driver sees it: no routine to call yet
    auto bc = expect_violation([&] { send(r); }, kDdiIrpCancelField);
    EXPECT_EQ(bc.p3, reinterpret_cast<ULONG_PTR>(r->irp));
    EXPECT_EQ(bc.p4, reinterpret_cast<ULONG_PTR>(&ParkCancel));
    ASSERT_EQ(g_parked, r->irp);
}

TEST_F(SdvCancelTest, a_dispatch_that_checks_cancel_after_setting_its_routine_is_clean) {
    Request* r = allocate(kIoctlParkChecked);
    EXPECT_FALSE(IoCancelIrp(r->irp));
    expect_clean(ntio::test::catch_bugcheck([&] { send(r); }));
    EXPECT_EQ(r->final_status, STATUS_CANCELLED);
    EXPECT_EQ(g_parked, nullptr);
}

// The routine set on an IRP nobody cancelled yet is the normal case; a later IoCancelIrp calls it.
TEST_F(SdvCancelTest, a_cancel_routine_on_an_uncancelled_irp_is_clean_and_runs_on_cancel) {
    Request* r = nullptr;
    expect_clean(ntio::test::catch_bugcheck([&] { r = send(kIoctlParkUnchecked); }));
    ASSERT_EQ(g_parked, r->irp);
    EXPECT_EQ(r->final_status, STATUS_PENDING);
    EXPECT_TRUE(IoCancelIrp(r->irp));
    EXPECT_EQ(r->final_status, STATUS_CANCELLED);
    EXPECT_EQ(g_parked, nullptr);
}

// Spec 5.3: IoCsqInsertIrp sets the queue's cancel routine and looks at Cancel itself.
TEST_F(SdvCancelTest, a_cancel_safe_queue_insert_is_clean_and_cancelable) {
    Request* r = nullptr;
    expect_clean(ntio::test::catch_bugcheck([&] { r = send(kIoctlCsqInsert); }));
    EXPECT_EQ(r->final_status, STATUS_PENDING);
    EXPECT_TRUE(IoCancelIrp(r->irp));
    EXPECT_EQ(r->final_status, STATUS_CANCELLED);
}

TEST_F(SdvCancelTest, a_cancel_safe_queue_insert_of_a_cancelled_irp_is_clean) {
    Request* r = allocate(kIoctlCsqInsert);
    EXPECT_FALSE(IoCancelIrp(r->irp));
    expect_clean(ntio::test::catch_bugcheck([&] { send(r); }));
    EXPECT_EQ(r->final_status, STATUS_CANCELLED);
    EXPECT_TRUE(IsListEmpty(&g_csq_list));
}

// ---- StartIoCancel ----

TEST_F(SdvCancelTest, queuing_a_start_io_packet_without_a_cancel_routine_trips_start_io_cancel) {
    Request* held = send(kIoctlStartHold);
    ASSERT_EQ(g_held, held->irp);
    Request* r = allocate(kIoctlStartNoCancel);
    auto bc = expect_violation([&] { send(r); }, kDdiStartIoCancel);
    EXPECT_EQ(bc.p3, reinterpret_cast<ULONG_PTR>(r->irp));
    EXPECT_EQ(bc.p4, reinterpret_cast<ULONG_PTR>(g_device));
    release_held();
    EXPECT_EQ(held->final_status, STATUS_SUCCESS);
    EXPECT_EQ(r->final_status, STATUS_SUCCESS);  // StartIo ran it after the held one
}

TEST_F(SdvCancelTest, queuing_a_start_io_packet_with_a_cancel_routine_is_clean_and_cancelable) {
    Request* held = send(kIoctlStartHold);
    Request* queued = nullptr;
    expect_clean(ntio::test::catch_bugcheck([&] { queued = send(kIoctlStartWithCancel); }));
    EXPECT_EQ(queued->final_status, STATUS_PENDING);
    EXPECT_TRUE(IoCancelIrp(queued->irp));  // the queued packet leaves through its cancel routine
    EXPECT_EQ(queued->final_status, STATUS_CANCELLED);
    release_held();
    EXPECT_EQ(held->final_status, STATUS_SUCCESS);
}

// IoSetStartIoAttributes(NonCancelable = TRUE): the driver declared its packets not cancelable.
TEST_F(SdvCancelTest, a_non_cancelable_start_io_queue_needs_no_cancel_routine) {
    EXPECT_EQ(send(kIoctlNonCancelable)->final_status, STATUS_SUCCESS);
    Request* held = send(kIoctlStartHold);
    Request* queued = nullptr;
    expect_clean(ntio::test::catch_bugcheck([&] { queued = send(kIoctlStartNoCancel); }));
    release_held();
    EXPECT_EQ(held->final_status, STATUS_SUCCESS);
    EXPECT_EQ(queued->final_status, STATUS_SUCCESS);
}

// An idle device hands the packet straight to StartIo: it never waits where IoCancelIrp cannot reach.
TEST_F(SdvCancelTest, a_packet_started_at_once_without_a_cancel_routine_is_clean) {
    Request* r = nullptr;
    expect_clean(ntio::test::catch_bugcheck([&] { r = send(kIoctlStartNoCancel); }));
    EXPECT_EQ(r->final_status, STATUS_SUCCESS);
}

// Without the additional DDI compliance checks the SDV cancel rules stay off.
TEST_F(SdvCancelTest, the_rules_need_the_additional_ddi_compliance_checks) {
    ASSERT_EQ(NtioVerifierSetFlags(m_driver, NTIO_VERIFIER_STANDARD_FLAGS), STATUS_SUCCESS);
    Request* held = send(kIoctlStartHold);
    Request* queued = nullptr;
    expect_clean(ntio::test::catch_bugcheck([&] { queued = send(kIoctlStartNoCancel); }));
    release_held();
    EXPECT_EQ(queued->final_status, STATUS_SUCCESS);
    EXPECT_EQ(held->final_status, STATUS_SUCCESS);
}

}  // namespace
}  // namespace ntio::verifier::test
