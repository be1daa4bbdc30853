// Reads, writes, IOCTLs and FSCTLs from the services (NT's NtReadFile / IopXxxControlFile after the
// parameter checks): fast I/O first, else an IRP for the top of the file's stack with the buffer
// described as the device or the CTL_CODE method asks, sent, and waited for on synchronous files.
#include "io/request_submit.hpp"

#include "io/file_object.hpp"
#include "io/file_systems.hpp"
#include "io/io_counters.hpp"
#include "io/irp.hpp"
#include "io/objects.hpp"
#include "ke/thread.hpp"
#include "rtl/user_access.hpp"
#include "verifier/verifier.hpp"

namespace ntio::io {
namespace {

// An accepted fast I/O call always tells the requester, errors included (NT facts E11, E12:
// END_OF_FILE writes the IOSB and sets the event): the IOSB, the event or (for controls) the file
// object as the final stage does (irp_final_stage.cpp), and a completion packet.
// A fast read or write leaves the file object's event as it was: NtReadFile / NtWriteFile reset it
// only on the way to an IRP, after fast I/O declined (NT facts E12, H5), so a synchronous file object
// that is read through fast I/O keeps the state its last IRP left (signalled while idle, H1).
void tell_fast_io(const RequestCommon& request, const IO_STATUS_BLOCK& result, bool signal_file) noexcept {
    PFILE_OBJECT file = request.file;
    const NTSTATUS status = result.Status;
    const ULONG_PTR information = result.Information;
    write_caller_iosb(request.iosb, result);
    const ULONG modes = file_private(file).notification_modes;
    // FILE_SKIP_SET_USER_EVENT_ON_FAST_IO: the caller's event is left alone for requests fast I/O
    // completed (SetFileCompletionNotificationModes on Microsoft Learn).
    if (request.event && !(modes & FILE_SKIP_SET_USER_EVENT_ON_FAST_IO)) KeSetEvent(request.event, IO_NO_INCREMENT, FALSE);
    if (signal_file && (!request.event || is_synchronous(file))) {
        file->FinalStatus = status;
        if (!(modes & FILE_SKIP_SET_EVENT_ON_HANDLE)) KeSetEvent(&file->Event, IO_NO_INCREMENT, FALSE);
    }
    if (file->CompletionContext && request.apc_context && !((modes & FILE_SKIP_COMPLETION_PORT_ON_SUCCESS) && NT_SUCCESS(status))) {
        if (CompletionPortSink sink = completion_port_sink())
            (void)sink(file->CompletionContext->Port, file->CompletionContext->Key, request.apc_context, status,
                       information);
    }
}

PFAST_IO_DISPATCH fast_io_of(PDEVICE_OBJECT top) noexcept {
    PFAST_IO_DISPATCH fast = top->DriverObject ? top->DriverObject->FastIoDispatch : nullptr;
    return fast;
}

// The user APC of an asynchronous request is queued by the IRP's final stage; fast I/O has no IRP
// to carry it.
// NT deviation: requests with an APC routine skip fast I/O and always take the IRP path.
bool fast_io_allowed(const RequestCommon& request) noexcept { return request.apc_routine == nullptr; }

// Copies caller input into the system buffer; a fault becomes the status (the service checked only
// the range, and caller memory can change under it). A user-mode caller's buffer is read by the
// fault-fixed copy (rtl/user_access), the way the services read caller memory: no exception frame,
// and a NULL or unmapped buffer is a fault, never a library call on it.
NTSTATUS capture_input(PVOID to, const void* from, ULONG length, KPROCESSOR_MODE mode) noexcept {
    if (length == 0) return STATUS_SUCCESS;
    if (mode != KernelMode) return ntio_user_copy(to, from, length);
    NTSTATUS status = STATUS_SUCCESS;
    __try {
        std::memcpy(to, from, length);
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        status = GetExceptionCode();
    }
    return status;
}

// The IRP header every request shares (NT fact A6): requestor, thread, file, IOSB, event, APC.
PIRP allocate_request_irp(const RequestCommon& request, PDEVICE_OBJECT top, bool sync) noexcept {
    PIRP irp = IoAllocateIrpEx(top, top->StackSize, FALSE);
    if (!irp) return nullptr;
    irp->RequestorMode = request.mode;
    irp->Tail.Overlay.OriginalFileObject = request.file;
    irp->Tail.Overlay.Thread = reinterpret_cast<PETHREAD>(ke::current_thread());  // PsGetCurrentThread inline
    irp->UserIosb = request.iosb;
    irp->UserEvent = request.event;
    irp->Overlay.AsynchronousParameters.UserApcRoutine = request.apc_routine;
    irp->Overlay.AsynchronousParameters.UserApcContext = request.apc_context;
    // NT deviation: NT defers a synchronous request's final stage to the service
    // (IRP_DEFER_IO_COMPLETION); here it runs at IoCompleteRequest like every other one, so that a
    // driver that marks the IRP pending yet returns its status still gets it run exactly once.
    if (sync) irp->Flags |= IRP_SYNCHRONOUS_API;
    PIO_STACK_LOCATION sp = IoGetNextIrpStackLocation(irp);
    sp->FileObject = request.file;
    return irp;
}

struct Outcome {
    NTSTATUS status;  // what the service returns
    bool told;        // the requester's IOSB holds the result
};

// Sends the IRP and, on a synchronous file, waits for it (NT facts E1, E5, L10). Whether the
// requester was told comes from FinalStatus: the final stage records every status it tells there
// (never an error on a synchronous file, NT fact E2), so it starts out as an error.
Outcome send(const RequestCommon& request, PIRP irp, PDEVICE_OBJECT top, bool sync) noexcept {
    PFILE_OBJECT file = request.file;
    if (sync) file->FinalStatus = STATUS_UNSUCCESSFUL;
    IoQueueThreadIrp(irp);
    NTSTATUS status = IoCallDriver(top, irp);
    if (!sync) return {status, false};
    if (status != STATUS_PENDING) return {status, !NT_ERROR(file->FinalStatus)};
    wait_for_file_request(file, request.mode);
    status = file->FinalStatus;
    return {status, !NT_ERROR(status)};
}

// Completes a request the I/O manager answers itself, as a driver completing it at once would:
// the final stage tells the requester (IOSB, events, APC, completion port) as for any IRP.
NTSTATUS complete_here(const RequestCommon& request, PIRP irp, NTSTATUS status, bool sync) noexcept {
    if (sync) request.file->FinalStatus = STATUS_UNSUCCESSFUL;
    IoQueueThreadIrp(irp);
    irp->IoStatus.Status = status;
    irp->IoStatus.Information = 0;
    IoCompleteRequest(irp, IO_NO_INCREMENT);
    return status;
}

// The synchronous file position after a transfer (NT facts I3, I4): offset + bytes transferred.
// The IRP is gone by then: the final stage recorded its Information next to FinalStatus.
// NT deviation: on NT the file system advances CurrentByteOffset itself; ntio's I/O manager does it
// for every device, so that plain device drivers get the Win32 file-pointer behaviour too.
void advance_position(const ReadWriteRequest& request, LARGE_INTEGER offset, bool told, const ULONG_PTR* known) noexcept {
    if (!told || offset.QuadPart < 0) return;
    const ULONG_PTR information = known ? *known : file_private(request.file).final_information;
    request.file->CurrentByteOffset.QuadPart = offset.QuadPart + static_cast<LONGLONG>(information);
}

bool uses_file_pointer(const LARGE_INTEGER* offset) noexcept {
    return !offset || (offset->LowPart == FILE_USE_FILE_POINTER_POSITION && offset->HighPart == -1);
}

// E12: a fast read or write counts only with these statuses; anything else retries as an IRP.
bool fast_transfer_accepted(NTSTATUS status) noexcept {
    return status == STATUS_SUCCESS || status == STATUS_BUFFER_OVERFLOW || status == STATUS_END_OF_FILE;
}

}  // namespace

// Non-cached transfers (FILE_NO_INTERMEDIATE_BUFFERING) from user mode must be whole sectors at a
// sector-aligned offset into a buffer aligned to the device's AlignmentRequirement, else
// STATUS_INVALID_PARAMETER (NtReadFile / NtWriteFile remarks on Microsoft Learn; NT fact M2). A
// direct-I/O transfer larger than the largest MDL fails with STATUS_INSUFFICIENT_RESOURCES when
// IoAllocateMdl refuses it.
static NTSTATUS check_non_cached_alignment(const ReadWriteRequest& request) noexcept {
    if (request.mode == KernelMode || !(file_flags(request.file) & FO_NO_INTERMEDIATE_BUFFERING)) return STATUS_SUCCESS;
    PDEVICE_OBJECT device = IoGetRelatedDeviceObject(request.file);
    const ULONG sector = device->SectorSize;
    if (sector && (request.length & (sector - 1))) return STATUS_INVALID_PARAMETER;
    if (reinterpret_cast<ULONG_PTR>(request.buffer) & device->AlignmentRequirement) return STATUS_INVALID_PARAMETER;
    if (sector && request.offset && !uses_file_pointer(request.offset) &&
        (static_cast<ULONGLONG>(request.offset->QuadPart) & (sector - 1)))
        return STATUS_INVALID_PARAMETER;
    return STATUS_SUCCESS;
}

// NtReadFile / NtWriteFile after the checks. Synchronous files: under the file lock, the offset
// defaults to the file position, fast I/O is tried when the file is cached, and the position
// advances by the bytes transferred.
// Fast I/O rule: FastIoRead / FastIoWrite are tried only for synchronous file objects whose caching
// the file system initiated (FileObject->PrivateCacheMap set by CcInitializeCacheMap,
// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-ccinitializecachemap;
// routines per https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/ns-wdm-_fast_io_dispatch),
// with Wait TRUE, the caller's buffer and kernel copies of offset and IOSB (NT fact E12); a
// non-cached file object takes the IRP path (NT fact E10). The PrivateCacheMap condition is what
// E10 and E12 together imply; the documentation does not state it.
NTSTATUS submit_read_write(const ReadWriteRequest& request) noexcept {
    RequestScope scope(request.file, request.file_held, request.event);  // owns the service's file (reference or hold) and event reference from here
    if (NTSTATUS status = check_non_cached_alignment(request); !NT_SUCCESS(status)) return status;
    PFILE_OBJECT file = request.file;
    const bool sync = scope.sync();
    if (NTSTATUS status = scope.lock(request.mode); !NT_SUCCESS(status) || status == STATUS_USER_APC ||
                                                    status == STATUS_ALERTED)
        return status;
    const ob::IoCountKind kind = request.write ? ob::kIoWrite : ob::kIoRead;
    count_io_operation(kind);
    LARGE_INTEGER offset{};
    if (sync && uses_file_pointer(request.offset)) {
        offset = file->CurrentByteOffset;
    } else if (request.offset) {
        offset = *request.offset;
    }
    PDEVICE_OBJECT top = file_target_device(file);

    PFAST_IO_DISPATCH fast = fast_io_of(top);
    if (sync && file->PrivateCacheMap && fast && fast_io_allowed(request)) {
        PFAST_IO_READ routine = request.write ? fast->FastIoWrite : fast->FastIoRead;
        if (routine) {
            IO_STATUS_BLOCK result{};
            LARGE_INTEGER fast_offset = offset;
            // Under the verifier the routine is checked (verifier.hpp, call_fast_io).
            const BOOLEAN accepted =
                ntio::verifier::hooks_on()
                    ? ntio::verifier::call_fast_io(top, routine, file, &fast_offset, request.length, BOOLEAN{TRUE},
                                                   request.key, request.buffer, &result, top)
                    : routine(file, &fast_offset, request.length, TRUE, request.key, request.buffer, &result, top);
            if (accepted && fast_transfer_accepted(result.Status)) {
                if (!NT_ERROR(result.Status))
                    count_io_transfer(static_cast<_ETHREAD*>(ke::current_thread_if_any()), kind, result.Information);
                // Without an event or a completion port the IOSB is all there is to tell: written
                // here, once, as tell_fast_io would.
                if (!request.event && !file->CompletionContext) [[likely]] {
                    // A fault is ignored, as write_caller_iosb ignores it.
                    if (request.iosb) (void)ntio_user_write_iosb(request.iosb, result.Status, result.Information);
                } else {
                    tell_fast_io(request, result, false);
                }
                advance_position(request, offset, true, &result.Information);
                return result.Status;
            }
        }
    }
    KeClearEvent(&file->Event);  // NT fact H1: idle files are signalled, a request resets them

    PIRP irp = allocate_request_irp(request, top, sync);
    if (!irp) return STATUS_INSUFFICIENT_RESOURCES;
    PIO_STACK_LOCATION sp = IoGetNextIrpStackLocation(irp);
    sp->MajorFunction = request.write ? IRP_MJ_WRITE : IRP_MJ_READ;
    sp->Parameters.Read.Length = request.length;  // Read and Write share the layout
    sp->Parameters.Read.Key = request.key;
    sp->Parameters.Read.ByteOffset = offset;
    irp->Flags |= request.write ? IRP_WRITE_OPERATION : IRP_READ_OPERATION;
    // A write-through file object (FILE_WRITE_THROUGH at create or through FileModeInformation) says
    // so in each write's stack location, where file systems and disk drivers look (wdm.h
    // SL_WRITE_THROUGH, "IRP_MJ_WRITE").
    if (request.write && (file_flags(file) & FO_WRITE_THROUGH)) sp->Flags |= SL_WRITE_THROUGH;
    if (file_flags(file) & FO_NO_INTERMEDIATE_BUFFERING) irp->Flags |= IRP_NOCACHE;

    NTSTATUS status = STATUS_SUCCESS;
    if (top->Flags & DO_BUFFERED_IO) {
        // A zero-length read still asks for the copy-back, of whatever Information the driver
        // reports (NT fact E11).
        if (request.length) {
            if (!attach_system_buffer(irp, request.length)) status = STATUS_INSUFFICIENT_RESOURCES;
            else if (request.write) status = capture_input(irp->AssociatedIrp.SystemBuffer, request.buffer, request.length, request.mode);
        } else {
            irp->Flags |= IRP_BUFFERED_IO;
        }
        if (!request.write) irp->Flags |= IRP_INPUT_OPERATION;
        irp->UserBuffer = request.buffer;
    } else if (top->Flags & DO_DIRECT_IO) {
        if (request.length)
            status = attach_locked_mdl(irp, request.buffer, request.length, request.write ? IoReadAccess : IoWriteAccess);
    } else {
        irp->UserBuffer = request.buffer;
    }
    if (!NT_SUCCESS(status)) {
        discard_unsent_irp(irp);
        return status;
    }

    scope.hand_to_irp(irp, sync);
    const Outcome outcome = send(request, irp, top, sync);
    if (sync) advance_position(request, offset, outcome.told, nullptr);
    return outcome.status;
}

// NtDeviceIoControlFile / NtFsControlFile after the checks (NT facts J1-J3, S6-S10). IOCTLs try
// FastIoDeviceControl first whenever the driver has one (Wait TRUE, raw caller buffers).
NTSTATUS submit_control(const ControlRequest& request) noexcept {
    RequestScope scope(request.file, request.file_held, request.event);
    PFILE_OBJECT file = request.file;
    const bool sync = scope.sync();
    if (NTSTATUS status = scope.lock(request.mode); !NT_SUCCESS(status) || status == STATUS_USER_APC ||
                                                    status == STATUS_ALERTED)
        return status;
    count_io_operation(ob::kIoOther);
    KeClearEvent(&file->Event);
    PDEVICE_OBJECT top = file_target_device(file);

    PFAST_IO_DISPATCH fast = fast_io_of(top);
    if (request.major == IRP_MJ_DEVICE_CONTROL && fast && fast->FastIoDeviceControl && fast_io_allowed(request)) {
        IO_STATUS_BLOCK result{};
        const BOOLEAN accepted =
            ntio::verifier::hooks_on()
                ? ntio::verifier::call_fast_io(top, fast->FastIoDeviceControl, file, BOOLEAN{TRUE}, request.input,
                                               request.input_length, request.output, request.output_length,
                                               request.code, &result, top)
                : fast->FastIoDeviceControl(file, TRUE, request.input, request.input_length, request.output,
                                            request.output_length, request.code, &result, top);
        if (accepted) {
            if (!NT_ERROR(result.Status))
                count_io_transfer(static_cast<_ETHREAD*>(ke::current_thread_if_any()), ob::kIoOther, result.Information);
            tell_fast_io(request, result, true);
            return result.Status;
        }
    }

    PIRP irp = allocate_request_irp(request, top, sync);
    if (!irp) return STATUS_INSUFFICIENT_RESOURCES;
    PIO_STACK_LOCATION sp = IoGetNextIrpStackLocation(irp);
    sp->MajorFunction = request.major;
    sp->MinorFunction = request.major == IRP_MJ_FILE_SYSTEM_CONTROL ? IRP_MN_USER_FS_REQUEST : 0;
    // DeviceIoControl and FileSystemControl share the layout.
    sp->Parameters.DeviceIoControl.OutputBufferLength = request.output_length;
    sp->Parameters.DeviceIoControl.InputBufferLength = request.input_length;
    sp->Parameters.DeviceIoControl.IoControlCode = request.code;
    // What IoValidateDeviceIoControlAccess checks: the access the sender's handle was granted.
    if (request.mode != KernelMode) {
        if (request.granted & FILE_READ_DATA) sp->Flags |= SL_READ_ACCESS_GRANTED;
        if (request.granted & FILE_WRITE_DATA) sp->Flags |= SL_WRITE_ACCESS_GRANTED;
    }

    NTSTATUS status = STATUS_SUCCESS;
    const ULONG method = request.code & 3;
    if (method == METHOD_BUFFERED) {
        // One buffer of max(in, out): input on entry, output on return; the final stage copies back
        // exactly Information bytes on success (NT facts J1, J2, E4, S6).
        const ULONG size = std::max(request.input_length, request.output_length);
        if (size) {
            if (!attach_system_buffer(irp, size)) status = STATUS_INSUFFICIENT_RESOURCES;
            else if (request.input_length)
                status = capture_input(irp->AssociatedIrp.SystemBuffer, request.input, request.input_length, request.mode);
            if (request.output_length) irp->Flags |= IRP_INPUT_OPERATION;
            irp->UserBuffer = request.output;
        }
    } else if (method == METHOD_IN_DIRECT || method == METHOD_OUT_DIRECT) {
        // Input in a system buffer that is not copied back; output locked in an MDL, probed for
        // reading (IN_DIRECT) or writing (OUT_DIRECT) (NT facts J2, S7, S8).
        if (request.input_length) {
            if (!attach_system_buffer(irp, request.input_length)) status = STATUS_INSUFFICIENT_RESOURCES;
            else status = capture_input(irp->AssociatedIrp.SystemBuffer, request.input, request.input_length, request.mode);
        }
        if (NT_SUCCESS(status) && request.output_length)
            status = attach_locked_mdl(irp, request.output, request.output_length,
                                       method == METHOD_IN_DIRECT ? IoReadAccess : IoWriteAccess);
    } else {
        // METHOD_NEITHER: raw caller pointers; the dispatch runs in this thread (NT facts J3, S9).
        sp->Parameters.DeviceIoControl.Type3InputBuffer = request.input;
        irp->UserBuffer = request.output;
    }
    if (!NT_SUCCESS(status)) {
        discard_unsent_irp(irp);
        return status;
    }

    scope.hand_to_irp(irp, sync);
    // A volume FSCTL on a volume mounted raw is answered here as RAW would answer it; the IRP
    // completes without reaching the disk (volume_mount.cpp).
    NTSTATUS answer;
    if (request.major == IRP_MJ_FILE_SYSTEM_CONTROL && file_private(file).raw_volume &&
        raw_volume_control(file, request.code, &answer)) [[unlikely]]
        return complete_here(request, irp, answer, sync);
    return send(request, irp, top, sync).status;
}

}  // namespace ntio::io
