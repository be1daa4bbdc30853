// The VerBuggy and VerFilter drivers (written the way a WDM driver writer writes them, bugs on
// request) and the fixture that loads them under the verifier.
#include <dirent.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <string>

#include "verifier_test_driver.hpp"

namespace ntio::verifier::test {

PDEVICE_OBJECT g_filter_target = nullptr;

namespace {

BuggyExtension* ext_of(PDEVICE_OBJECT d) { return static_cast<BuggyExtension*>(d->DeviceExtension); }

VOID NTAPI NeverCancel(PDEVICE_OBJECT, PIRP) {}

VOID NTAPI LegalCancel(PDEVICE_OBJECT DeviceObject, PIRP Irp) {
    // Release the cancel spin lock first, complete later (spec 5.3).
    IoReleaseCancelSpinLock(Irp->CancelIrql);
    BuggyExtension* ext = ext_of(DeviceObject);
    KIRQL irql;
    KeAcquireSpinLock(&ext->QueueLock, &irql);
    RemoveEntryList(&Irp->Tail.Overlay.ListEntry);
    KeReleaseSpinLock(&ext->QueueLock, irql);
    Irp->IoStatus.Status = STATUS_CANCELLED;
    Irp->IoStatus.Information = 0;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
}

VOID NTAPI CompleteInDpc(PKDPC, PVOID Context, PVOID, PVOID) {
    BuggyExtension* ext = static_cast<BuggyExtension*>(Context);
    PIRP irp = ext->DpcIrp;
    irp->IoStatus.Status = STATUS_SUCCESS;
    irp->IoStatus.Information = 0;
    IoCompleteRequest(irp, IO_NO_INCREMENT);
    ext->DpcDone.store(1);
}

VOID NTAPI CsqInsert(PIO_CSQ Csq, PIRP Irp) {
    InsertTailList(&CONTAINING_RECORD(Csq, BuggyExtension, Csq)->CsqQueue, &Irp->Tail.Overlay.ListEntry);
}
VOID NTAPI CsqRemove(PIO_CSQ, PIRP Irp) { RemoveEntryList(&Irp->Tail.Overlay.ListEntry); }
PIRP NTAPI CsqPeek(PIO_CSQ Csq, PIRP Irp, PVOID) {
    BuggyExtension* ext = CONTAINING_RECORD(Csq, BuggyExtension, Csq);
    PLIST_ENTRY next = Irp ? Irp->Tail.Overlay.ListEntry.Flink : ext->CsqQueue.Flink;
    return next == &ext->CsqQueue ? nullptr : CONTAINING_RECORD(next, IRP, Tail.Overlay.ListEntry);
}
VOID NTAPI CsqAcquire(PIO_CSQ Csq, PKIRQL Irql) { KeAcquireSpinLock(&CONTAINING_RECORD(Csq, BuggyExtension, Csq)->CsqLock, Irql); }
VOID NTAPI CsqRelease(PIO_CSQ Csq, KIRQL Irql) { KeReleaseSpinLock(&CONTAINING_RECORD(Csq, BuggyExtension, Csq)->CsqLock, Irql); }
VOID NTAPI CsqCompleteCanceled(PIO_CSQ, PIRP Irp) {
    Irp->IoStatus.Status = STATUS_CANCELLED;
    Irp->IoStatus.Information = 0;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
}

void park(PDEVICE_OBJECT DeviceObject, PIRP Irp) {
    BuggyExtension* ext = ext_of(DeviceObject);
    KIRQL irql;
    KeAcquireSpinLock(&ext->QueueLock, &irql);
    InsertTailList(&ext->Queue, &Irp->Tail.Overlay.ListEntry);
    KeReleaseSpinLock(&ext->QueueLock, irql);
}

NTSTATUS complete(PIRP Irp, NTSTATUS Status) {
    Irp->IoStatus.Status = Status;
    Irp->IoStatus.Information = 0;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return Status;
}

NTSTATUS NTAPI BuggyRead(PDEVICE_OBJECT DeviceObject, PIRP Irp) {
    PIO_STACK_LOCATION sp = IoGetCurrentIrpStackLocation(Irp);
    BuggyExtension* ext = ext_of(DeviceObject);
    KIRQL irql;
    switch (sp->Parameters.Read.Key) {
    case kCompleteOk:
        return complete(Irp, STATUS_SUCCESS);
    case kPendWithoutMark:
        park(DeviceObject, Irp);
        return STATUS_PENDING;
    case kMarkAndPark:
        IoMarkIrpPending(Irp);
        park(DeviceObject, Irp);
        return STATUS_PENDING;
    case kMarkCompleteReturnOk:
        IoMarkIrpPending(Irp);
        return complete(Irp, STATUS_SUCCESS);
    case kMarkCompleteReturnPending:
        IoMarkIrpPending(Irp);
        (void)complete(Irp, STATUS_SUCCESS);
        return STATUS_PENDING;
    case kReturnWithoutComplete:
        return STATUS_SUCCESS;
    case kStatusMismatch:
        (void)complete(Irp, STATUS_SUCCESS);
        return STATUS_UNSUCCESSFUL;
    case kCompleteWithCancelRoutine:
        (void)IoSetCancelRoutine(Irp, NeverCancel);
        return complete(Irp, STATUS_SUCCESS);
    case kCompletePendingStatus:
        return complete(Irp, STATUS_PENDING);
    case kSpinLockHeld:
        KeAcquireSpinLock(&ext->HeldLock, &irql);
        return complete(Irp, STATUS_SUCCESS);
    case kSpinLockReleased:
        KeAcquireSpinLock(&ext->HeldLock, &irql);
        KeReleaseSpinLock(&ext->HeldLock, irql);
        return complete(Irp, STATUS_SUCCESS);
    case kCancelLockHeld:
        IoAcquireCancelSpinLock(&irql);
        return complete(Irp, STATUS_SUCCESS);
    case kCompleteTwice:
        (void)complete(Irp, STATUS_SUCCESS);
        return complete(Irp, STATUS_SUCCESS);
    case kCsqPend:
        IoCsqInsertIrp(&ext->Csq, Irp, nullptr);
        return STATUS_PENDING;
    case kDoubleMark:
        IoMarkIrpPending(Irp);
        IoMarkIrpPending(Irp);
        park(DeviceObject, Irp);
        return STATUS_PENDING;
    case kDpcComplete:
        IoMarkIrpPending(Irp);
        ext->DpcIrp = Irp;
        KeInsertQueueDpc(&ext->Dpc, nullptr, nullptr);
        return STATUS_PENDING;
    case kCancelableLegal:
        IoMarkIrpPending(Irp);
        KeAcquireSpinLock(&ext->QueueLock, &irql);
        InsertTailList(&ext->Queue, &Irp->Tail.Overlay.ListEntry);
        (void)IoSetCancelRoutine(Irp, LegalCancel);
        KeReleaseSpinLock(&ext->QueueLock, irql);
        return STATUS_PENDING;
    case kRaiseIrql:
        KeRaiseIrql(APC_LEVEL, &irql);
        return complete(Irp, STATUS_SUCCESS);
    case kRaiseIrqlHigh: {
        const NTSTATUS status = complete(Irp, STATUS_SUCCESS);
        KeRaiseIrql(HIGH_LEVEL, &irql);
        return status;
    }
    case kReturnIllegalStatus:
        (void)complete(Irp, STATUS_SUCCESS);
        return static_cast<NTSTATUS>(0xFFFFFFFF);
    case kCompleteAtHighLevel: {
        // What an interrupt service routine completing the request at DIRQL would do.
        KeRaiseIrql(HIGH_LEVEL, &irql);
        const NTSTATUS status = complete(Irp, STATUS_SUCCESS);
        KeLowerIrql(irql);
        return status;
    }
    case kCompleteAtDispatchLevel: {
        KeRaiseIrql(DISPATCH_LEVEL, &irql);
        const NTSTATUS status = complete(Irp, STATUS_SUCCESS);
        KeLowerIrql(irql);
        return status;
    }
    default:
        return complete(Irp, STATUS_INVALID_PARAMETER);
    }
}

NTSTATUS NTAPI BuggyIoctl(PDEVICE_OBJECT, PIRP Irp) {
    PIO_STACK_LOCATION sp = IoGetCurrentIrpStackLocation(Irp);
    const ULONG out = sp->Parameters.DeviceIoControl.OutputBufferLength;
    auto* buffer = static_cast<UCHAR*>(Irp->AssociatedIrp.SystemBuffer);
    if (out < 4 || !buffer) return complete(Irp, STATUS_BUFFER_TOO_SMALL);
    std::memset(buffer, 0x11, 4);
    switch (sp->Parameters.DeviceIoControl.IoControlCode) {
    case kIoctlReportWritten: Irp->IoStatus.Information = 4; break;
    case kIoctlReportMore: Irp->IoStatus.Information = out; break;
    case kIoctlReportBeyondBuffer: Irp->IoStatus.Information = out + 8; break;
    default: return complete(Irp, STATUS_INVALID_DEVICE_REQUEST);
    }
    Irp->IoStatus.Status = STATUS_SUCCESS;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return STATUS_SUCCESS;
}

// PnP, power and WMI: complete the way g_buggy_pnp says.
NTSTATUS NTAPI BuggyPnp(PDEVICE_OBJECT, PIRP Irp) {
    switch (g_buggy_pnp) {
    case kPnpFail: return complete(Irp, STATUS_UNSUCCESSFUL);
    case kPnpSucceed: return complete(Irp, STATUS_SUCCESS);
    default: {
        const NTSTATUS status = Irp->IoStatus.Status;
        IoCompleteRequest(Irp, IO_NO_INCREMENT);
        return status;
    }
    }
}

VOID NTAPI BuggyUnload(PDRIVER_OBJECT DriverObject) {
    while (DriverObject->DeviceObject) IoDeleteDevice(DriverObject->DeviceObject);
}

// ---- VerFilter ----

NTSTATUS NTAPI PropagatingCompletion(PDEVICE_OBJECT, PIRP Irp, PVOID) {
    if (Irp->PendingReturned) IoMarkIrpPending(Irp);
    return STATUS_CONTINUE_COMPLETION;
}

NTSTATUS NTAPI ForgetfulCompletion(PDEVICE_OBJECT, PIRP, PVOID) { return STATUS_CONTINUE_COMPLETION; }

// Takes the IRP back from the lower driver and wakes the dispatch routine waiting for it.
NTSTATUS NTAPI TakeBackCompletion(PDEVICE_OBJECT, PIRP, PVOID Context) {
    KeSetEvent(static_cast<PKEVENT>(Context), IO_NO_INCREMENT, FALSE);
    return STATUS_MORE_PROCESSING_REQUIRED;
}

// The cancel routine of a read VerFilter holds cancelable before it forwards it.
VOID NTAPI FilterHeldCancel(PDEVICE_OBJECT, PIRP Irp) {
    IoReleaseCancelSpinLock(Irp->CancelIrql);
    (void)complete(Irp, STATUS_CANCELLED);
}

[[gnu::noinline]] KIRQL RaiseToApcLevel() {
    KIRQL irql;
    KeRaiseIrql(APC_LEVEL, &irql);
    return irql;
}

[[gnu::noinline]] NTSTATUS FilterReadModes(PDEVICE_OBJECT DeviceObject, PIRP Irp);

// The skipping forwards end in `return IoCallDriver(...)` in a routine with no local whose address
// is taken, which an optimizing compiler makes a tail call (the shape of most filters); the other
// modes are out of line.
NTSTATUS NTAPI FilterRead(PDEVICE_OBJECT DeviceObject, PIRP Irp) {
    auto* ext = static_cast<FilterExtension*>(DeviceObject->DeviceExtension);
    PIO_STACK_LOCATION sp = IoGetCurrentIrpStackLocation(Irp);
    switch (sp->Parameters.Read.ByteOffset.LowPart) {
    case kFilterSkip:
        IoSkipCurrentIrpStackLocation(Irp);
        return IoCallDriver(ext->Lower, Irp);
    case kFilterRaiseIrqlSkip:
        (void)RaiseToApcLevel();
        IoSkipCurrentIrpStackLocation(Irp);
        return IoCallDriver(ext->Lower, Irp);
    default:
        return FilterReadModes(DeviceObject, Irp);
    }
}

NTSTATUS FilterReadModes(PDEVICE_OBJECT DeviceObject, PIRP Irp) {
    auto* ext = static_cast<FilterExtension*>(DeviceObject->DeviceExtension);
    PIO_STACK_LOCATION sp = IoGetCurrentIrpStackLocation(Irp);
    switch (sp->Parameters.Read.ByteOffset.LowPart) {
    case kFilterCopyPropagate:
        IoCopyCurrentIrpStackLocationToNext(Irp);
        IoSetCompletionRoutine(Irp, PropagatingCompletion, nullptr, TRUE, TRUE, TRUE);
        return IoCallDriver(ext->Lower, Irp);
    case kFilterNoCopy:
        IoSetCompletionRoutine(Irp, PropagatingCompletion, nullptr, TRUE, TRUE, TRUE);
        return IoCallDriver(ext->Lower, Irp);
    case kFilterCopyUpperRoutine:
        *IoGetNextIrpStackLocation(Irp) = *sp;
        return IoCallDriver(ext->Lower, Irp);
    case kFilterCopyNoPropagate:
        IoCopyCurrentIrpStackLocationToNext(Irp);
        IoSetCompletionRoutine(Irp, ForgetfulCompletion, nullptr, TRUE, TRUE, TRUE);
        return IoCallDriver(ext->Lower, Irp);
    case kFilterReturnOtherStatus:
        IoSkipCurrentIrpStackLocation(Irp);
        (void)IoCallDriver(ext->Lower, Irp);
        return STATUS_SUCCESS;
    case kFilterForwardToNull: {
        // The lower device pointer of a filter that has already let go of its lower device.
        PDEVICE_OBJECT gone = nullptr;
        IoSkipCurrentIrpStackLocation(Irp);
        return IoCallDriver(gone, Irp);
    }
    case kFilterForwardCancelable:
    case kFilterForwardUncancelable:
        // Held cancelable while the filter decides what to do with it...
        (void)IoSetCancelRoutine(Irp, FilterHeldCancel);
        // ... and no longer once it goes down (the lower driver owns its cancellation then).
        if (sp->Parameters.Read.ByteOffset.LowPart == kFilterForwardUncancelable) (void)IoSetCancelRoutine(Irp, nullptr);
        IoCopyCurrentIrpStackLocationToNext(Irp);
        IoSetCompletionRoutine(Irp, PropagatingCompletion, nullptr, TRUE, TRUE, TRUE);
        return IoCallDriver(ext->Lower, Irp);
    case kFilterResendWhilePending: {
        IoCopyCurrentIrpStackLocationToNext(Irp);
        IoSetCompletionRoutine(Irp, PropagatingCompletion, nullptr, TRUE, TRUE, TRUE);
        NTSTATUS status = IoCallDriver(ext->Lower, Irp);
        // STATUS_PENDING taken for "busy, try again": the lower driver still holds the IRP.
        if (status == STATUS_PENDING) status = IoCallDriver(ext->Lower, Irp);
        return status;
    }
    case kFilterResendAfterCompletion: {
        KEVENT done;
        for (int pass = 0; pass < 2; ++pass) {
            KeInitializeEvent(&done, NotificationEvent, FALSE);
            IoCopyCurrentIrpStackLocationToNext(Irp);
            IoSetCompletionRoutine(Irp, TakeBackCompletion, &done, TRUE, TRUE, TRUE);
            if (IoCallDriver(ext->Lower, Irp) == STATUS_PENDING)
                KeWaitForSingleObject(&done, Executive, KernelMode, FALSE, nullptr);
        }
        const NTSTATUS status = Irp->IoStatus.Status;
        IoCompleteRequest(Irp, IO_NO_INCREMENT);
        return status;
    }
    case kFilterHandCopyKeepingControl:
        IoMarkIrpPending(Irp);
        // The copy drivers wrote before IoCopyCurrentIrpStackLocationToNext: everything up to the
        // completion routine, the Control byte (with the pending bit just set) included.
        RtlCopyMemory(IoGetNextIrpStackLocation(Irp), sp, FIELD_OFFSET(IO_STACK_LOCATION, CompletionRoutine));
        (void)IoCallDriver(ext->Lower, Irp);
        return STATUS_PENDING;
    case kFilterMarkCopyForward:
        IoMarkIrpPending(Irp);
        IoCopyCurrentIrpStackLocationToNext(Irp);
        IoSetCompletionRoutine(Irp, PropagatingCompletion, nullptr, TRUE, TRUE, TRUE);
        (void)IoCallDriver(ext->Lower, Irp);
        return STATUS_PENDING;
    case kFilterMarkSkipForward:
        IoMarkIrpPending(Irp);
        IoSkipCurrentIrpStackLocation(Irp);
        (void)IoCallDriver(ext->Lower, Irp);
        return STATUS_PENDING;
    case kFilterCopyRoutineEx: {
        IoCopyCurrentIrpStackLocationToNext(Irp);
        const NTSTATUS status =
            IoSetCompletionRoutineEx(DeviceObject, Irp, PropagatingCompletion, nullptr, TRUE, TRUE, TRUE);
        if (!NT_SUCCESS(status)) return complete(Irp, status);
        return IoCallDriver(ext->Lower, Irp);
    }
    case kFilterCopyNoRoutine:
        IoCopyCurrentIrpStackLocationToNext(Irp);
        return IoCallDriver(ext->Lower, Irp);
    case kFilterForwardToBase: {
        // The PDO, as a filter that wants "the real device" finds it (the test keeps it alive).
        PDEVICE_OBJECT base = IoGetDeviceAttachmentBaseRef(DeviceObject);
        ObDereferenceObject(base);
        IoSkipCurrentIrpStackLocation(Irp);
        return IoCallDriver(base, Irp);
    }
    case kFilterCancelAfterForward: {
        IoCopyCurrentIrpStackLocationToNext(Irp);
        IoSetCompletionRoutine(Irp, PropagatingCompletion, nullptr, TRUE, TRUE, TRUE);
        const NTSTATUS status = IoCallDriver(ext->Lower, Irp);
        if (status == STATUS_PENDING) (void)IoSetCancelRoutine(Irp, FilterHeldCancel);
        return status;
    }
    case kFilterSkipReturnPending:
        IoSkipCurrentIrpStackLocation(Irp);
        (void)IoCallDriver(ext->Lower, Irp);
        return STATUS_PENDING;
    case kFilterSkipThenSetRoutine:
        IoSkipCurrentIrpStackLocation(Irp);
        IoSetCompletionRoutine(Irp, PropagatingCompletion, nullptr, TRUE, TRUE, TRUE);
        return IoCallDriver(ext->Lower, Irp);
    case kFilterSkipThenComplete:
        IoSkipCurrentIrpStackLocation(Irp);
        return complete(Irp, STATUS_SUCCESS);
    case kFilterSkipUnwindComplete:
        IoSkipCurrentIrpStackLocation(Irp);
        IoSetNextIrpStackLocation(Irp);  // the skip undone: the location is the filter's again
        return complete(Irp, STATUS_SUCCESS);
    default:
        return complete(Irp, STATUS_INVALID_PARAMETER);
    }
}

// PnP: pass the IRP down the way g_filter_pnp says.
NTSTATUS NTAPI FilterPnp(PDEVICE_OBJECT DeviceObject, PIRP Irp) {
    auto* ext = static_cast<FilterExtension*>(DeviceObject->DeviceExtension);
    switch (g_filter_pnp) {
    case kFilterPnpSetStatus: Irp->IoStatus.Status = STATUS_SUCCESS; break;
    case kFilterPnpSetInformation: Irp->IoStatus.Information = 1; break;
    case kFilterPnpRaiseIrql: {
        const KIRQL irql = RaiseToApcLevel();
        IoSkipCurrentIrpStackLocation(Irp);
        const NTSTATUS status = IoCallDriver(ext->Lower, Irp);
        KeLowerIrql(irql);
        return status;
    }
    default: break;
    }
    IoSkipCurrentIrpStackLocation(Irp);
    return IoCallDriver(ext->Lower, Irp);
}

VOID NTAPI FilterUnload(PDRIVER_OBJECT DriverObject) {
    while (PDEVICE_OBJECT device = DriverObject->DeviceObject) {
        IoDetachDevice(static_cast<FilterExtension*>(device->DeviceExtension)->Lower);
        IoDeleteDevice(device);
    }
}

NTSTATUS NTAPI RecordCompletion(PDEVICE_OBJECT, PIRP Irp, PVOID Context) {
    auto* outcome = static_cast<Outcome*>(Context);
    outcome->status.store(Irp->IoStatus.Status);
    outcome->completions.fetch_add(1);
    return STATUS_MORE_PROCESSING_REQUIRED;
}

}  // namespace

NTSTATUS NTAPI VerBuggyDriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING) {
    UNICODE_STRING name = RTL_CONSTANT_STRING(L"\\Device\\VerBuggy");
    PDEVICE_OBJECT device = nullptr;
    NTSTATUS status = IoCreateDevice(DriverObject, sizeof(BuggyExtension), &name, FILE_DEVICE_UNKNOWN, 0, FALSE, &device);
    if (!NT_SUCCESS(status)) return status;
    BuggyExtension* ext = new (device->DeviceExtension) BuggyExtension();
    KeInitializeSpinLock(&ext->QueueLock);
    InitializeListHead(&ext->Queue);
    KeInitializeSpinLock(&ext->CsqLock);
    InitializeListHead(&ext->CsqQueue);
    KeInitializeSpinLock(&ext->HeldLock);
    KeInitializeDpc(&ext->Dpc, CompleteInDpc, ext);
    status = IoCsqInitialize(&ext->Csq, CsqInsert, CsqRemove, CsqPeek, CsqAcquire, CsqRelease, CsqCompleteCanceled);
    if (!NT_SUCCESS(status)) {
        IoDeleteDevice(device);
        return status;
    }
    DriverObject->MajorFunction[IRP_MJ_READ] = BuggyRead;
    DriverObject->MajorFunction[IRP_MJ_DEVICE_CONTROL] = BuggyIoctl;
    DriverObject->MajorFunction[IRP_MJ_PNP] = BuggyPnp;
    DriverObject->MajorFunction[IRP_MJ_POWER] = BuggyPnp;
    DriverObject->MajorFunction[IRP_MJ_SYSTEM_CONTROL] = BuggyPnp;
    DriverObject->DriverUnload = BuggyUnload;
    device->Flags |= DO_BUFFERED_IO;
    return STATUS_SUCCESS;
}

NTSTATUS NTAPI VerFilterDriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING) {
    PDEVICE_OBJECT device = nullptr;
    NTSTATUS status =
        IoCreateDevice(DriverObject, sizeof(FilterExtension), nullptr, FILE_DEVICE_UNKNOWN, 0, FALSE, &device);
    if (!NT_SUCCESS(status)) return status;
    auto* ext = static_cast<FilterExtension*>(device->DeviceExtension);
    ext->Lower = IoAttachDeviceToDeviceStack(device, g_filter_target);
    if (!ext->Lower) {
        IoDeleteDevice(device);
        return STATUS_NO_SUCH_DEVICE;
    }
    device->Flags |= ext->Lower->Flags & (DO_BUFFERED_IO | DO_DIRECT_IO);
    DriverObject->MajorFunction[IRP_MJ_READ] = FilterRead;
    DriverObject->MajorFunction[IRP_MJ_PNP] = FilterPnp;
    DriverObject->DriverUnload = FilterUnload;
    return STATUS_SUCCESS;
}

PIRP BuggyTakeParked(PDEVICE_OBJECT Device) {
    BuggyExtension* ext = ext_of(Device);
    KIRQL irql;
    KeAcquireSpinLock(&ext->QueueLock, &irql);
    PIRP irp = nullptr;
    for (PLIST_ENTRY e = ext->Queue.Flink; e != &ext->Queue; e = e->Flink) {
        PIRP candidate = CONTAINING_RECORD(e, IRP, Tail.Overlay.ListEntry);
        if (IoSetCancelRoutine(candidate, nullptr) == nullptr && candidate->Cancel) continue;  // being cancelled
        RemoveEntryList(e);
        irp = candidate;
        break;
    }
    KeReleaseSpinLock(&ext->QueueLock, irql);
    return irp;
}

PIRP BuggyTakeCsq(PDEVICE_OBJECT Device) { return IoCsqRemoveNextIrp(&ext_of(Device)->Csq, nullptr); }

namespace {

// Bugchecks that stop for real write dumps: into a directory of our own, removed at exit.
char g_dump_dir[64];

void remove_dump_dir() {
    if (DIR* dir = ::opendir(g_dump_dir)) {
        while (dirent* entry = ::readdir(dir)) {
            if (entry->d_name[0] == '.') continue;
            std::string path = std::string(g_dump_dir) + "/" + entry->d_name;
            ::unlink(path.c_str());
        }
        ::closedir(dir);
    }
    ::rmdir(g_dump_dir);
}

void use_private_dump_dir() {
    if (g_dump_dir[0]) return;
    // A death test's child re-runs this binary: it writes into its parent's directory, which the
    // parent removes.
    if (const char* inherited = std::getenv("NTIO_DUMP_DIR"); inherited && std::strstr(inherited, "/ntio-verifier-tests-")) {
        std::strncpy(g_dump_dir, inherited, sizeof g_dump_dir - 1);
        return;
    }
    std::strcpy(g_dump_dir, "/tmp/ntio-verifier-tests-XXXXXX");
    if (!::mkdtemp(g_dump_dir)) {
        g_dump_dir[0] = '\0';
        return;
    }
    ::setenv("NTIO_DUMP_DIR", g_dump_dir, 1);
    std::atexit(remove_dump_dir);
}

}  // namespace

ULONG g_buggy_pnp = kPnpCompleteAsIs;
ULONG g_filter_pnp = kFilterPnpSkip;

void VerifierTest::SetUp() {
    use_private_dump_dir();
    g_buggy_pnp = kPnpCompleteAsIs;
    g_filter_pnp = kFilterPnpSkip;
    SystemTest::SetUp();
    (void)NtioVerifierSetMode(NtioVerifierStrict);
}

void VerifierTest::TearDown() {
    // Nothing verified survives the test: its parked IRPs would trip the unload checks at shutdown.
    if (m_filter) (void)NtioVerifierSetFlags(m_filter, 0);
    if (m_buggy) (void)NtioVerifierSetFlags(m_buggy, 0);
    if (m_filter) {
        (void)NtioUnloadDriver(m_filter);
        ObDereferenceObject(m_filter);
    }
    if (m_buggy) {
        (void)NtioUnloadDriver(m_buggy);
        ObDereferenceObject(m_buggy);
    }
    (void)NtioVerifierSetMode(NtioVerifierStrict);
    if (KeGetCurrentIrql() != PASSIVE_LEVEL) KeLowerIrql(PASSIVE_LEVEL);
    SystemTest::TearDown();
}

void VerifierTest::load_buggy(ULONG flags) {
    UNICODE_STRING name = RTL_CONSTANT_STRING(L"VerBuggy");
    ASSERT_EQ(NtioCreateDriver(&name, VerBuggyDriverEntry, &m_buggy), STATUS_SUCCESS);
    ASSERT_EQ(NtioVerifierSetFlags(m_buggy, flags), STATUS_SUCCESS);
}

void VerifierTest::load_filter(ULONG flags) {
    g_filter_target = buggy_device();
    UNICODE_STRING name = RTL_CONSTANT_STRING(L"VerFilter");
    ASSERT_EQ(NtioCreateDriver(&name, VerFilterDriverEntry, &m_filter), STATUS_SUCCESS);
    ASSERT_EQ(NtioVerifierSetFlags(m_filter, flags), STATUS_SUCCESS);
}

ntio::test::BugCheck VerifierTest::expect_forward_report(PIRP irp, ULONG_PTR subcode) {
    ntio::test::BugCheck bc = expect_bugcheck([&] { (void)IoCallDriver(filter_device(), irp); },
                                              DRIVER_VERIFIER_IOMANAGER_VIOLATION, subcode);
    EXPECT_EQ(bc.p2, reinterpret_cast<ULONG_PTR>(m_filter->MajorFunction[IRP_MJ_READ]));
    EXPECT_EQ(bc.p3, reinterpret_cast<ULONG_PTR>(irp));
    return bc;
}

void VerifierTest::expect_legal_read(PDEVICE_OBJECT target, ULONG buggy_mode, ULONG filter_mode) {
    Outcome outcome;
    PIRP irp = make_read(target, buggy_mode, outcome, filter_mode);
    ntio::test::expect_no_bugcheck([&] { EXPECT_EQ(IoCallDriver(target, irp), STATUS_SUCCESS); });
    EXPECT_EQ(outcome.completions.load(), 1);
    EXPECT_EQ(outcome.status.load(), STATUS_SUCCESS);
    IoFreeIrp(irp);
}

PIRP VerifierTest::make_read(PDEVICE_OBJECT target, ULONG buggy_mode, Outcome& outcome, ULONG filter_mode) {
    PIRP irp = IoAllocateIrp(target->StackSize, FALSE);
    EXPECT_NE(irp, nullptr);
    PIO_STACK_LOCATION sp = IoGetNextIrpStackLocation(irp);
    sp->MajorFunction = IRP_MJ_READ;
    sp->Parameters.Read.Length = 4;
    sp->Parameters.Read.Key = buggy_mode;
    sp->Parameters.Read.ByteOffset.LowPart = filter_mode;
    IoSetCompletionRoutine(irp, RecordCompletion, &outcome, TRUE, TRUE, TRUE);
    return irp;
}

void VerifierTest::complete_read(PIRP irp, NTSTATUS status) {
    irp->IoStatus.Status = status;
    irp->IoStatus.Information = 0;
    IoCompleteRequest(irp, IO_NO_INCREMENT);
}

ntio::test::BugCheck VerifierTest::expect_bugcheck(const std::function<void()>& body, ULONG code, ULONG_PTR p1) {
    auto bc = ntio::test::catch_bugcheck(body);
    EXPECT_TRUE(bc.has_value()) << "no bugcheck";
    if (!bc) return {};
    EXPECT_EQ(bc->code, code) << std::hex << bc->code;
    EXPECT_EQ(bc->p1, p1) << std::hex << bc->p1;
    // A caught bugcheck skipped whatever the body was doing: this test checks no leaks after it.
    m_check_leaks = false;
    return *bc;
}

ntio::test::BugCheck VerifierTest::expect_irql_change_report(PDEVICE_OBJECT target, PIRP irp, PDEVICE_OBJECT named) {
    auto bc = expect_bugcheck([&] { (void)IoCallDriver(target, irp); }, DRIVER_VERIFIER_IOMANAGER_VIOLATION, 0x05);
    EXPECT_EQ(bc.p2, ptr(named));
    EXPECT_EQ(bc.p3, static_cast<ULONG_PTR>(PASSIVE_LEVEL));
    EXPECT_EQ(bc.p4, static_cast<ULONG_PTR>(APC_LEVEL));
    KeLowerIrql(PASSIVE_LEVEL);
    return bc;
}

std::string VerifierTest::last_report() {
    std::string text(NtioVerifierLastReport(nullptr, 0) + 1, '\0');
    text.resize(NtioVerifierLastReport(text.data(), text.size()));
    return text;
}

}  // namespace ntio::verifier::test
