// IoBuildAsynchronousFsdRequest, IoBuildSynchronousFsdRequest and IoBuildDeviceIoControlRequest:
// kernel-mode requests sized for the target's stack, with the buffer described the way the target
// wants it (system buffer, MDL or raw pointer). The synchronous ones are threaded IRPs: they go on
// the caller's IRP list and the final stage writes the IOSB, sets the event and frees them.
#include "io/request_common.hpp"
#include "io/irp.hpp"
#include "io/irp_block.hpp"
#include "verifier/verifier.hpp"

namespace ntio::io {
namespace {

// Driver Verifier's I/O verification reports a buffer these routines cannot read or lock as 0xC9
// 0x08 (IoBuildAsynchronousFsdRequest; device, major function, exception status) or 0x09
// (IoBuildDeviceIoControlRequest; device, control code, exception status):
// https://learn.microsoft.com/windows-hardware/drivers/debugger/bug-check-0xc9--driver-verifier-iomanager-violation
// Under the verifier a buffer the request copies from is touched first with the fault-fixed read, so
// that a bad one is that report (for a verified caller) instead of a fault in the copy; a failed
// probe of an MDL is reported the same way. NT deviation (a guess): IoBuildSynchronousFsdRequest,
// which builds the asynchronous request and adds the event, reports 0x08 too.
void check_build_buffer(ULONG_PTR subcode, PDEVICE_OBJECT device, ULONG code, NTSTATUS status) noexcept {
    if (!NT_SUCCESS(status) && status != STATUS_INSUFFICIENT_RESOURCES && ntio::verifier::active()) [[unlikely]]
        ntio::verifier::on_invalid_build_buffer(subcode, device, code, status);
}

void check_readable(ULONG_PTR subcode, PDEVICE_OBJECT device, ULONG code, const void* buffer, ULONG length) noexcept {
    if (ntio::verifier::active() && length) [[unlikely]]
        check_build_buffer(subcode, device, code, ntio_user_touch_read(buffer, length));
}

// NT facts A7, A8: UserIosb set, IoStatus zeroed, Thread = caller, the next location has the major
// function and nothing else. Reads and writes honour DO_BUFFERED_IO / DO_DIRECT_IO of the device.
// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-iobuildasynchronousfsdrequest
PIRP build_fsd_request(ULONG major, PDEVICE_OBJECT device, PVOID buffer, ULONG length, PLARGE_INTEGER offset,
                       PIO_STATUS_BLOCK iosb) noexcept {
    // The buffer a buffered write copies from, checked before anything is allocated for the request.
    if (major == IRP_MJ_WRITE && (device->Flags & DO_BUFFERED_IO)) check_readable(0x08, device, major, buffer, length);
    PIRP irp = IoAllocateIrpEx(device, device->StackSize, FALSE);
    if (!irp) return nullptr;
    irp->Tail.Overlay.Thread = PsGetCurrentThread();
    irp->RequestorMode = KernelMode;
    irp->UserIosb = iosb;
    PIO_STACK_LOCATION sp = IoGetNextIrpStackLocation(irp);
    sp->MajorFunction = static_cast<UCHAR>(major);
    if (major == IRP_MJ_READ || major == IRP_MJ_WRITE) {
        const bool read = major == IRP_MJ_READ;
        if (device->Flags & DO_BUFFERED_IO) {
            if (!attach_system_buffer(irp, length ? length : 1)) {
                discard_unsent_irp(irp);
                return nullptr;
            }
            if (read) {
                irp->Flags |= IRP_INPUT_OPERATION;
            } else if (length) {
                std::memcpy(irp->AssociatedIrp.SystemBuffer, buffer, length);
            }
            irp->UserBuffer = buffer;
        } else if (device->Flags & DO_DIRECT_IO) {
            const NTSTATUS status = length ? attach_locked_mdl(irp, buffer, length, read ? IoWriteAccess : IoReadAccess)
                                           : STATUS_SUCCESS;
            if (!NT_SUCCESS(status)) {
                discard_unsent_irp(irp);
                check_build_buffer(0x08, device, major, status);
                return nullptr;
            }
        } else {
            irp->UserBuffer = buffer;
        }
        sp->Parameters.Read.Length = length;  // Read and Write share the layout
        if (offset) sp->Parameters.Read.ByteOffset = *offset;
        irp->Flags |= read ? IRP_READ_OPERATION : IRP_WRITE_OPERATION;
    }
    mark_built_irp(irp);
    return irp;
}

}  // namespace
}  // namespace ntio::io

using namespace ntio::io;

extern "C" {

PIRP NTAPI IoBuildAsynchronousFsdRequest(ULONG MajorFunction, PDEVICE_OBJECT DeviceObject, PVOID Buffer, ULONG Length,
                                         PLARGE_INTEGER StartingOffset, PIO_STATUS_BLOCK IoStatusBlock) {
    return build_fsd_request(MajorFunction, DeviceObject, Buffer, Length, StartingOffset, IoStatusBlock);
}

// NT fact A8, B2: as the asynchronous one plus UserEvent, and queued to the caller's IRP list.
PIRP NTAPI IoBuildSynchronousFsdRequest(ULONG MajorFunction, PDEVICE_OBJECT DeviceObject, PVOID Buffer, ULONG Length,
                                        PLARGE_INTEGER StartingOffset, PKEVENT Event, PIO_STATUS_BLOCK IoStatusBlock) {
    PIRP irp = build_fsd_request(MajorFunction, DeviceObject, Buffer, Length, StartingOffset, IoStatusBlock);
    if (!irp) return nullptr;
    irp->UserEvent = Event;
    IoQueueThreadIrp(irp);
    return irp;
}

// NT facts A10, J2. METHOD_BUFFERED: one system buffer of max(in, out) holding the input, copied
// back (Information bytes) to OutputBuffer. IN_DIRECT / OUT_DIRECT: input in a system buffer, output
// locked in an MDL (probed for read for IN_DIRECT, write for OUT_DIRECT). NEITHER: raw pointers.
// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-iobuilddeviceiocontrolrequest
PIRP NTAPI IoBuildDeviceIoControlRequest(ULONG IoControlCode, PDEVICE_OBJECT DeviceObject, PVOID InputBuffer,
                                         ULONG InputBufferLength, PVOID OutputBuffer, ULONG OutputBufferLength,
                                         BOOLEAN InternalDeviceIoControl, PKEVENT Event,
                                         PIO_STATUS_BLOCK IoStatusBlock) {
    NTIO_VERIFY_DDI(ntio::verifier::DdiRule::IoPassive1ApcLte);
    // The input the request copies, checked before anything is allocated for it.
    const ULONG method = IoControlCode & 3;
    if ((method == METHOD_BUFFERED && InputBuffer) || method == METHOD_IN_DIRECT || method == METHOD_OUT_DIRECT)
        check_readable(0x09, DeviceObject, IoControlCode, InputBuffer, InputBufferLength);
    PIRP irp = IoAllocateIrpEx(DeviceObject, DeviceObject->StackSize, FALSE);
    if (!irp) return nullptr;
    irp->Tail.Overlay.Thread = PsGetCurrentThread();
    irp->RequestorMode = KernelMode;
    irp->UserIosb = IoStatusBlock;
    irp->UserEvent = Event;
    PIO_STACK_LOCATION sp = IoGetNextIrpStackLocation(irp);
    sp->MajorFunction = InternalDeviceIoControl ? IRP_MJ_INTERNAL_DEVICE_CONTROL : IRP_MJ_DEVICE_CONTROL;
    sp->Parameters.DeviceIoControl.IoControlCode = IoControlCode;
    sp->Parameters.DeviceIoControl.InputBufferLength = InputBufferLength;
    sp->Parameters.DeviceIoControl.OutputBufferLength = OutputBufferLength;

    switch (IoControlCode & 3) {
    case METHOD_BUFFERED: {
        const ULONG size = std::max(InputBufferLength, OutputBufferLength);
        if (size) {
            if (!attach_system_buffer(irp, size)) {
                discard_unsent_irp(irp);
                return nullptr;
            }
            if (InputBuffer && InputBufferLength) {
                std::memcpy(irp->AssociatedIrp.SystemBuffer, InputBuffer, InputBufferLength);
            }
            if (OutputBufferLength) irp->Flags |= IRP_INPUT_OPERATION;
            irp->UserBuffer = OutputBuffer;
        }
        break;
    }
    case METHOD_IN_DIRECT:
    case METHOD_OUT_DIRECT:
        if (InputBufferLength) {
            if (!attach_system_buffer(irp, InputBufferLength)) {
                discard_unsent_irp(irp);
                return nullptr;
            }
            std::memcpy(irp->AssociatedIrp.SystemBuffer, InputBuffer, InputBufferLength);
        }
        if (OutputBufferLength) {
            const NTSTATUS status = attach_locked_mdl(irp, OutputBuffer, OutputBufferLength,
                                                      (IoControlCode & 3) == METHOD_IN_DIRECT ? IoReadAccess : IoWriteAccess);
            if (!NT_SUCCESS(status)) {
                discard_unsent_irp(irp);
                check_build_buffer(0x09, DeviceObject, IoControlCode, status);
                return nullptr;
            }
        }
        break;
    default:  // METHOD_NEITHER
        irp->UserBuffer = OutputBuffer;
        sp->Parameters.DeviceIoControl.Type3InputBuffer = InputBuffer;
        break;
    }
    mark_built_irp(irp);
    IoQueueThreadIrp(irp);
    return irp;
}

}  // extern "C"
