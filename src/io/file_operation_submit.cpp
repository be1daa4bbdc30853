// Sending the IRPs of the file-operation services: the IRP header every request shares, the file
// object lock and wait of synchronous files, the internal wait of blocking services, and the undo of
// an IRP that never reached a driver.
#include "io/file_operation_submit.hpp"
#include "io/io_counters.hpp"

#include "io/irp.hpp"
#include "io/objects.hpp"

namespace ntio::io {
namespace {

constexpr ULONG kOperationBufferTag = 'oFoI';

}  // namespace

PVOID attach_owned_buffer(PIRP irp, SIZE_T size) noexcept {
    PVOID buffer = ExAllocatePoolWithTag(NonPagedPoolNx, size, kOperationBufferTag);
    if (!buffer) return nullptr;
    std::memset(buffer, 0, size);
    irp->AssociatedIrp.SystemBuffer = buffer;
    irp->Flags |= IRP_BUFFERED_IO | IRP_DEALLOCATE_BUFFER;
    return buffer;
}

NTSTATUS submit_operation(const OperationRequest& request, OperationBuilder build, void* context) noexcept {
    RequestScope scope(request.file, request.file_held, request.event);
    PFILE_OBJECT file = request.file;
    const bool sync = scope.sync();
    if (NTSTATUS status = scope.lock(request.mode); !NT_SUCCESS(status) || status == STATUS_USER_APC ||
                                                    status == STATUS_ALERTED)
        return status;
    KeClearEvent(&file->Event);  // NT fact H1: a request resets the file object's event
    PDEVICE_OBJECT top = IoGetRelatedDeviceObject(file);

    PIRP irp = IoAllocateIrpEx(top, top->StackSize, FALSE);
    if (!irp) return STATUS_INSUFFICIENT_RESOURCES;
    // The header every request carries (NT fact A6).
    KEVENT local_event;
    IO_STATUS_BLOCK local_iosb{};
    const bool own_wait = request.blocking && !sync;
    irp->RequestorMode = request.mode;
    irp->Tail.Overlay.OriginalFileObject = file;
    irp->Tail.Overlay.Thread = PsGetCurrentThread();
    irp->UserIosb = request.blocking ? &local_iosb : request.iosb;
    irp->UserEvent = request.event;
    if (own_wait) {
        KeInitializeEvent(&local_event, NotificationEvent, FALSE);
        irp->UserEvent = &local_event;
    }
    irp->Overlay.AsynchronousParameters.UserApcRoutine = request.apc_routine;
    irp->Overlay.AsynchronousParameters.UserApcContext = request.apc_context;
    // Synchronous files and blocking services: the final stage leaves the event reference alone.
    if (sync || own_wait) irp->Flags |= IRP_SYNCHRONOUS_API;
    PIO_STACK_LOCATION sp = IoGetNextIrpStackLocation(irp);
    sp->FileObject = file;
    if (NTSTATUS status = build(irp, sp, top, context); !NT_SUCCESS(status)) {
        discard_unsent_irp(irp);
        return status;
    }
    count_io_operation(io_count_kind(irp));

    const bool waits = sync || own_wait;
    scope.hand_to_irp(irp, waits);
    if (sync) file->FinalStatus = STATUS_UNSUCCESSFUL;  // the final stage records what it tells
    IoQueueThreadIrp(irp);
    NTSTATUS status = IoCallDriver(top, irp);
    bool told = false;
    if (sync) {
        if (status == STATUS_PENDING) {
            wait_for_file_request(file, request.mode);
            status = file->FinalStatus;
            told = !NT_ERROR(status);
        } else {
            told = !NT_ERROR(file->FinalStatus);
        }
    } else if (own_wait) {
        if (status == STATUS_PENDING) {
            (void)KeWaitForSingleObject(&local_event, Executive, KernelMode, FALSE, nullptr);
            status = local_iosb.Status;
        }
        // The final stage sets the event exactly when it tells the requester.
        told = KeReadStateEvent(&local_event) != 0;
    }
    if (request.blocking && told) write_caller_iosb(request.iosb, local_iosb);
    return status;
}

}  // namespace ntio::io
