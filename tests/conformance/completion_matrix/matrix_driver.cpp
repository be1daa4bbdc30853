// The series E matrix test driver, written as a WDK driver writer writes one: DriverEntry fills
// MajorFunction[] and creates the device and its DOS link; the IOCTL dispatch reads its Instruction,
// writes the reply the way its METHOD_* allows, and either completes the IRP itself or marks it
// pending and queues it to a work item or a DPC that completes it.
#include <functional>
#include <optional>

#include "matrix_driver.hpp"
#include "support/bugcheck_catcher.hpp"

namespace ntio::test::completion_matrix {

DriverLog g_log;

void DriverLog::reset() {
    completions = 0;
    bugchecks = 0;
    bugcheck_code = 0;
    bugcheck_p1 = 0;
    bugcheck_p2 = 0;
    bugcheck_p3 = 0;
    last_irp = nullptr;
    deferred_done = 0;
}

namespace {

constexpr char kReply[6] = {'g', 'h', 'i', 'j', 'k', 'l'};

struct DeviceExtension {
    KDPC dpc;  // completes the IRP in SystemArgument1
};

PDEVICE_OBJECT g_device;

// IoCompleteRequest, with a bugcheck it raises recorded instead of stopping the process. A completion
// with IoStatus.Status == STATUS_PENDING is such a bugcheck in ntio (0xC9/0x06, see the matrix oracle);
// the IRP is then completed with kAfterBugcheckStatus so that none is left behind.
void complete(PIRP irp) {
    g_log.last_irp = irp;
    const std::optional<BugCheck> bugcheck = catch_bugcheck([irp] { IoCompleteRequest(irp, IO_NO_INCREMENT); });
    if (!bugcheck) {
        ++g_log.completions;
        return;
    }
    g_log.bugcheck_code = bugcheck->code;
    g_log.bugcheck_p1 = bugcheck->p1;
    g_log.bugcheck_p2 = bugcheck->p2;
    g_log.bugcheck_p3 = bugcheck->p3;
    ++g_log.bugchecks;
    irp->IoStatus.Status = kAfterBugcheckStatus;
    irp->IoStatus.Information = 0;
    IoCompleteRequest(irp, IO_NO_INCREMENT);
}

NTSTATUS fail(PIRP irp, NTSTATUS status) {
    irp->IoStatus.Status = status;
    irp->IoStatus.Information = 0;
    IoCompleteRequest(irp, IO_NO_INCREMENT);
    return status;
}

VOID NTAPI complete_from_work_item(PDEVICE_OBJECT, PVOID context) {
    auto irp = static_cast<PIRP>(context);
    auto item = static_cast<PIO_WORKITEM>(irp->Tail.Overlay.DriverContext[0]);
    complete(irp);
    IoFreeWorkItem(item);
    ++g_log.deferred_done;
}

VOID NTAPI complete_from_dpc(PKDPC, PVOID, PVOID irp, PVOID) {
    complete(static_cast<PIRP>(irp));
    ++g_log.deferred_done;
}

// Reads the Instruction and writes the reply for the IOCTL's method. METHOD_NEITHER buffers are the
// caller's own memory: probed when the request came from user mode, touched only under __try.
NTSTATUS read_and_reply(PIRP irp, PIO_STACK_LOCATION sp, Instruction& instruction) {
    const ULONG in_length = sp->Parameters.DeviceIoControl.InputBufferLength;
    const ULONG out_length = sp->Parameters.DeviceIoControl.OutputBufferLength;
    if (in_length < sizeof(Instruction) || out_length < sizeof(kReply)) return STATUS_INVALID_PARAMETER;
    switch (sp->Parameters.DeviceIoControl.IoControlCode) {
    case kIoctlBuffered:
        // Input and output share the system buffer: read first, then write.
        RtlCopyMemory(&instruction, irp->AssociatedIrp.SystemBuffer, sizeof(instruction));
        RtlCopyMemory(irp->AssociatedIrp.SystemBuffer, kReply, sizeof(kReply));
        return STATUS_SUCCESS;
    case kIoctlOutDirect: {
        RtlCopyMemory(&instruction, irp->AssociatedIrp.SystemBuffer, sizeof(instruction));
        PVOID out = irp->MdlAddress ? MmGetSystemAddressForMdlSafe(irp->MdlAddress, NormalPagePriority) : nullptr;
        if (!out) return STATUS_INSUFFICIENT_RESOURCES;
        RtlCopyMemory(out, kReply, sizeof(kReply));
        return STATUS_SUCCESS;
    }
    case kIoctlNeither: {
        volatile NTSTATUS status = STATUS_SUCCESS;
        PVOID in = sp->Parameters.DeviceIoControl.Type3InputBuffer;
        __try {
            if (irp->RequestorMode != KernelMode) {
                ProbeForRead(in, in_length, 1);
                ProbeForWrite(irp->UserBuffer, out_length, 1);
            }
            RtlCopyMemory(&instruction, in, sizeof(instruction));
            RtlCopyMemory(irp->UserBuffer, kReply, sizeof(kReply));
        } __except (EXCEPTION_EXECUTE_HANDLER) {
            status = GetExceptionCode();
        }
        return status;
    }
    default: return STATUS_INVALID_DEVICE_REQUEST;
    }
}

NTSTATUS NTAPI dispatch_control(PDEVICE_OBJECT device, PIRP irp) {
    PIO_STACK_LOCATION sp = IoGetCurrentIrpStackLocation(irp);
    Instruction instruction{};
    const NTSTATUS read = read_and_reply(irp, sp, instruction);
    if (!NT_SUCCESS(read)) return fail(irp, read);
    const bool deferred = instruction.pend && instruction.ret_status == STATUS_PENDING &&
                          instruction.completer != kDispatch;
    irp->IoStatus.Status = instruction.iosb_status;
    irp->IoStatus.Information = instruction.information;
    if (instruction.pend) IoMarkIrpPending(irp);
    if (!deferred) {
        complete(irp);
        return instruction.ret_status;
    }
    if (instruction.completer == kWorkItem) {
        PIO_WORKITEM item = IoAllocateWorkItem(device);
        if (!item) {
            complete(irp);
            return STATUS_PENDING;
        }
        irp->Tail.Overlay.DriverContext[0] = item;
        IoQueueWorkItem(item, complete_from_work_item, DelayedWorkQueue, irp);
        return STATUS_PENDING;
    }
    auto* ext = static_cast<DeviceExtension*>(device->DeviceExtension);
    // One request at a time per device in the matrix, so the DPC is never already queued.
    if (!KeInsertQueueDpc(&ext->dpc, irp, nullptr)) complete(irp);
    return STATUS_PENDING;
}

NTSTATUS NTAPI dispatch_create_close(PDEVICE_OBJECT, PIRP irp) {
    irp->IoStatus.Status = STATUS_SUCCESS;
    irp->IoStatus.Information = 0;
    IoCompleteRequest(irp, IO_NO_INCREMENT);
    return STATUS_SUCCESS;
}

VOID NTAPI driver_unload(PDRIVER_OBJECT) {
    UNICODE_STRING link;
    RtlInitUnicodeString(&link, L"\\DosDevices\\CmpMatrix");
    (void)IoDeleteSymbolicLink(&link);
    IoDeleteDevice(g_device);
    g_device = nullptr;
}

}  // namespace

NTSTATUS NTAPI matrix_driver_entry(PDRIVER_OBJECT driver, PUNICODE_STRING) {
    driver->MajorFunction[IRP_MJ_CREATE] = dispatch_create_close;
    driver->MajorFunction[IRP_MJ_CLOSE] = dispatch_create_close;
    driver->MajorFunction[IRP_MJ_CLEANUP] = dispatch_create_close;
    driver->MajorFunction[IRP_MJ_DEVICE_CONTROL] = dispatch_control;
    driver->DriverUnload = driver_unload;
    g_log.reset();

    UNICODE_STRING name;
    RtlInitUnicodeString(&name, L"\\Device\\CmpMatrix");
    NTSTATUS status = IoCreateDevice(driver, sizeof(DeviceExtension), &name, FILE_DEVICE_UNKNOWN, 0, FALSE, &g_device);
    if (!NT_SUCCESS(status)) return status;
    auto* ext = static_cast<DeviceExtension*>(g_device->DeviceExtension);
    KeInitializeDpc(&ext->dpc, complete_from_dpc, nullptr);
    g_device->Flags |= DO_BUFFERED_IO;
    UNICODE_STRING link;
    RtlInitUnicodeString(&link, L"\\DosDevices\\CmpMatrix");
    status = IoCreateSymbolicLink(&link, &name);
    if (!NT_SUCCESS(status)) {
        IoDeleteDevice(g_device);
        g_device = nullptr;
    }
    return status;
}

}  // namespace ntio::test::completion_matrix
