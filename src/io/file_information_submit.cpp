// Information, volume, EA, quota and flush requests from the services: an IRP for the top of the
// file's stack (IoGetRelatedDeviceObject), buffered as the WDK documents for each major function,
// sent, and waited for on both kinds of file object (NT fact E13).
#include "io/file_information_submit.hpp"

#include "io/io_counters.hpp"
#include "io/irp.hpp"
#include "io/objects.hpp"
#include "io/request_submit.hpp"

namespace ntio::io {
namespace {

constexpr ULONG kInformationBufferTag = 'fIoI';

// Describes the data buffer; on failure the IRP still owns what was attached and `discard` frees it.
NTSTATUS attach_buffer(PIRP irp, PDEVICE_OBJECT top, InformationRequest& request) noexcept {
    if (request.buffering == InformationBuffering::none) return STATUS_SUCCESS;
    const bool system = request.buffering == InformationBuffering::system || (top->Flags & DO_BUFFERED_IO) ||
                        request.system_buffer != nullptr;
    if (system) {
        PVOID buffer = request.system_buffer;
        request.system_buffer = nullptr;
        if (!buffer && request.length) {
            buffer = allocate_information_buffer(request.length);
            if (!buffer) return STATUS_INSUFFICIENT_RESOURCES;
        }
        irp->AssociatedIrp.SystemBuffer = buffer;
        irp->Flags |= IRP_BUFFERED_IO | (buffer ? IRP_DEALLOCATE_BUFFER : 0);
        if (request.query) {
            irp->Flags |= IRP_INPUT_OPERATION;
            irp->UserBuffer = request.user_buffer;
        }
        return STATUS_SUCCESS;
    }
    if (top->Flags & DO_DIRECT_IO) {
        if (!request.length) return STATUS_SUCCESS;
        return attach_locked_mdl(irp, request.user_buffer, request.length, request.query ? IoWriteAccess : IoReadAccess);
    }
    irp->UserBuffer = request.user_buffer;
    return STATUS_SUCCESS;
}

}  // namespace

PVOID allocate_information_buffer(ULONG length) noexcept {
    PVOID buffer = ExAllocatePoolWithTag(NonPagedPoolNx, length ? length : 1, kInformationBufferTag);
    // Queries copy back Information bytes whatever the driver wrote: never hand out stale pool.
    if (buffer) std::memset(buffer, 0, length ? length : 1);
    return buffer;
}

NTSTATUS submit_information(InformationRequest& request) noexcept {
    PFILE_OBJECT file = request.file;
    const bool sync = is_synchronous(file);
    struct Cleanup {
        InformationRequest& request;
        bool locked = false;
        ~Cleanup() {
            if (locked) release_file_lock(request.file);
            if (request.system_buffer) ExFreePool(request.system_buffer);
            request.system_buffer = nullptr;
        }
    } cleanup{request};

    if (sync) {
        NTSTATUS status = acquire_file_lock(file, request.mode);
        if (status != STATUS_SUCCESS) return status;  // alerted or APC: no lock, nothing sent
        cleanup.locked = true;
    }
    PDEVICE_OBJECT top = IoGetRelatedDeviceObject(file);
    PIRP irp = IoAllocateIrpEx(top, top->StackSize, FALSE);
    if (!irp) return STATUS_INSUFFICIENT_RESOURCES;

    KEVENT done;
    IO_STATUS_BLOCK kernel_iosb{};
    kernel_iosb.Status = STATUS_PENDING;
    KeInitializeEvent(&done, NotificationEvent, FALSE);

    irp->RequestorMode = request.mode;
    irp->Tail.Overlay.OriginalFileObject = file;
    irp->Tail.Overlay.Thread = PsGetCurrentThread();
    // The final stage leaves IRP_SYNCHRONOUS_API events alone (no object reference to drop). A
    // synchronous file object reports through the caller's IOSB and the file object; an
    // asynchronous one through a private IOSB and event, since the service waits either way.
    irp->Flags |= IRP_SYNCHRONOUS_API;
    irp->UserIosb = sync ? request.iosb : &kernel_iosb;
    irp->UserEvent = sync ? nullptr : &done;
    PIO_STACK_LOCATION sp = IoGetNextIrpStackLocation(irp);
    sp->MajorFunction = request.major;
    sp->MinorFunction = request.minor;
    sp->Flags = request.stack_flags;
    sp->FileObject = file;
    sp->Parameters = request.parameters;
    if (request.query && request.buffering != InformationBuffering::none) irp->Flags |= IRP_INPUT_OPERATION;
    if (NTSTATUS status = attach_buffer(irp, top, request); !NT_SUCCESS(status)) {
        discard_unsent_irp(irp);
        return status;
    }
    if (!(irp->Flags & IRP_BUFFERED_IO)) irp->Flags &= ~IRP_INPUT_OPERATION;
    count_io_operation(ob::kIoOther);

    ObReferenceObject(file);  // the IRP's, dropped by the final stage
    KeClearEvent(&file->Event);
    if (sync) file->FinalStatus = STATUS_UNSUCCESSFUL;
    IoQueueThreadIrp(irp);
    NTSTATUS status = IoCallDriver(top, irp);

    if (sync) {
        if (status == STATUS_PENDING) {
            wait_for_file_request(file, request.mode);
            status = file->FinalStatus;
        }
        return status;
    }
    if (status == STATUS_PENDING) {
        (void)KeWaitForSingleObject(&done, Executive, KernelMode, FALSE, nullptr);
        write_caller_iosb(request.iosb, kernel_iosb);
        return kernel_iosb.Status;
    }
    // Completed in the dispatch: the final stage told the private IOSB (and set the event) unless
    // the status was an error (NT fact E5); the service returns the dispatch's status (NT fact E1).
    if (KeReadStateEvent(&done)) write_caller_iosb(request.iosb, kernel_iosb);
    return status;
}

}  // namespace ntio::io
