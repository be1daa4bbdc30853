// The final stage of IRP completion (NT's IopCompleteRequest): tell the requester and free the IRP.
// NT deviation: NT runs most of this in a special kernel APC in the requesting thread; ntio runs it
// inline on the completing thread (architecture.md, "Completion"), writing caller memory through the
// fault-fixed routines of rtl/user_access.
//
// Contracts with the code that builds IRPs (the services, IoBuild*Request, the open/close paths):
// - Tail.Overlay.OriginalFileObject non-null: the IRP holds one reference on it, dropped here last.
// - With an OriginalFileObject and without IRP_SYNCHRONOUS_API, UserEvent is an event object the
//   service referenced (ObReferenceObjectByHandle); that reference is dropped here too (as NT does).
// - IRP_CREATE_OPERATION / IRP_CLOSE_OPERATION IRPs belong to the open and close paths: the final
//   stage only writes the IOSB and sets the event; the sender reads the result and frees the IRP.
// - An IRP with no UserIosb, UserEvent, thread or file object (plain IoAllocateIrp) is left to its
//   creator (NT deviation: NT would queue the completion APC to a NULL thread and crash; drivers
//   must free such IRPs in a completion routine returning STATUS_MORE_PROCESSING_REQUIRED, see
//   https://learn.microsoft.com/windows-hardware/drivers/kernel/implementing-an-iocompletion-routine).
#include "io/irp.hpp"
#include "io/request_common.hpp"

#include "io/file_cancel_irps.hpp"
#include "io/io_completion.hpp"
#include "io/io_counters.hpp"
#include "io/objects.hpp"
#include "host/futex.hpp"
#include "ke/thread.hpp"
#include "rtl/user_access.hpp"
#include "verifier/trace_tool.hpp"
#include "verifier/verifier.hpp"

namespace ntio::io {
namespace {

std::atomic<CompletionPortSink> g_port_sink{nullptr};

// Buffered copy-back to the caller's buffer; a fault becomes the IRP's status (NT fact E11). The
// caller's buffer may be NULL or bad: the fault-fixed copy (rtl/user_access) turns that into
// STATUS_ACCESS_VIOLATION without an exception frame.
void copy_back(PIRP irp) noexcept {
    const SIZE_T length = irp->IoStatus.Information;
    if (length == 0) return;
    const NTSTATUS status = ntio_user_copy(irp->UserBuffer, irp->AssociatedIrp.SystemBuffer, length);
    if (!NT_SUCCESS(status)) irp->IoStatus.Status = status;
}

void signal_file(PFILE_OBJECT file, NTSTATUS status, ULONG_PTR information) noexcept {
    // Relaxed atomics: completions of an asynchronous file's requests may record here concurrently
    // (NT writes FinalStatus unsynchronized); a synchronous file's single request is read after the
    // final stage's hand-off, which orders it.
    __atomic_store_n(&file->FinalStatus, status, __ATOMIC_RELAXED);
    __atomic_store_n(&file_private(file).final_information, information, __ATOMIC_RELAXED);
    if (!(file_private(file).notification_modes & FILE_SKIP_SET_EVENT_ON_HANDLE)) KeSetEvent(&file->Event, IO_NO_INCREMENT, FALSE);
}

// User APC kernel routine: runs in the requesting thread before UserApcRoutine; frees the IRP
// whose Tail.Apc carried the APC (NT's IopUserCompletion).
VOID user_completion_kernel(PKAPC apc, PKNORMAL_ROUTINE*, PVOID*, PVOID*, PVOID*) {
    if (ntio::verifier::active()) [[unlikely]] ntio::verifier::trace_apc_deliver(CONTAINING_RECORD(apc, IRP, Tail.Apc));
    IoFreeIrp(CONTAINING_RECORD(apc, IRP, Tail.Apc));
}

// The thread died before the APC ran: just free the IRP.
VOID user_completion_rundown(PKAPC apc) { IoFreeIrp(CONTAINING_RECORD(apc, IRP, Tail.Apc)); }

}  // namespace

void set_completion_port_sink(CompletionPortSink sink) noexcept { g_port_sink.store(sink, std::memory_order_release); }
CompletionPortSink completion_port_sink() noexcept { return g_port_sink.load(std::memory_order_acquire); }

// Who is told what (NT facts E1, E2, E4, E5, E8, E9, E10, E11, H1, H2, H3):
// 1. Buffered input operations copy exactly Information bytes back iff !NT_ERROR(status) and the
//    status is not STATUS_VERIFY_REQUIRED (E4, E10); IRP_DEALLOCATE_BUFFER frees the system buffer;
//    MDLs are unlocked and freed.
// 2. "Tell" when !NT_ERROR(status), or when the error was pended on a file object that is not
//    synchronous (E2: sync handles never see an error IOSB; E5: async handles see it only if pended).
//    Telling = write *UserIosb; set UserEvent; for a synchronous file object (or one without a user
//    event) record FinalStatus and signal the file object unless FILE_SKIP_SET_EVENT_ON_HANDLE (H1-H3);
//    then the user APC (E9) or else, when the file is bound to a port and ApcContext is non-null, a
//    completion packet (E7), never both (F7), skipped for a non-pended NT_SUCCESS under
//    FILE_SKIP_COMPLETION_PORT_ON_SUCCESS (E8). A packet of a request whose process closed its last
//    handle to the file carries the IOSB instead: it is written at removal (D9).
// 3. Otherwise (error not pended, or pended on a synchronous file object): IOSB untouched, no event,
//    no APC, no packet (E5); a pended error on a file object still records FinalStatus and signals
//    the file so that a synchronous waiter wakes up and returns FinalStatus (E1, E11).
// NT deviation: NT decides "synchronous" by the requesting thread doing synchronous I/O on the file
// object (IopIsSameThreadSynchronousIo); ntio uses the file object's FO_SYNCHRONOUS_IO.
void complete_final_stage(PIRP irp) noexcept {
    if (irp->Flags & (IRP_CREATE_OPERATION | IRP_CLOSE_OPERATION)) {
        write_caller_iosb(irp->UserIosb, irp->IoStatus);
        if (irp->UserEvent) KeSetEvent(irp->UserEvent, IO_NO_INCREMENT, FALSE);
        return;
    }
    if (irp->Flags & IRP_PAGING_IO) [[unlikely]] {
        complete_paging_io(irp);
        return;
    }
    PFILE_OBJECT file = irp->Tail.Overlay.OriginalFileObject;
    PETHREAD thread = irp->Tail.Overlay.Thread;
    if (!file && !thread && !irp->UserIosb && !irp->UserEvent) return;  // left to its creator
    // A driver's own request (IoBuild*Request: no file object) about to write its IOSB and set its
    // event: Driver Verifier's checks on where they live and on the event's state (0xC9 0x0C, 0x0D,
    // 0x307; verifier/requester_rules.cpp).
    if (!file && ntio::verifier::hooks_on()) [[unlikely]] ntio::verifier::on_request_final_stage(irp);
    std::atomic<std::uint32_t>* const service_word = final_stage_word(irp);

    const bool synchronous_api = (irp->Flags & IRP_SYNCHRONOUS_API) != 0;
    if (irp->Flags & IRP_BUFFERED_IO) {
        if ((irp->Flags & IRP_INPUT_OPERATION) && !NT_ERROR(irp->IoStatus.Status) &&
            irp->IoStatus.Status != STATUS_VERIFY_REQUIRED && irp->IoStatus.Information != 0)
            copy_back(irp);
        if ((irp->Flags & IRP_DEALLOCATE_BUFFER) && irp->AssociatedIrp.SystemBuffer) {
            ExFreePool(irp->AssociatedIrp.SystemBuffer);
            irp->AssociatedIrp.SystemBuffer = nullptr;
        }
        irp->Flags &= ~(IRP_BUFFERED_IO | IRP_DEALLOCATE_BUFFER);
    }
    if (irp->MdlAddress) release_irp_mdls(irp);

    const NTSTATUS status = irp->IoStatus.Status;
    if (!NT_ERROR(status)) count_io_transfer(thread, io_count_kind(irp), irp->IoStatus.Information);
    const bool pended = irp->PendingReturned != FALSE;
    const bool sync_file = file && (file_flags(file) & FO_SYNCHRONOUS_IO);
    PKEVENT referenced_event = (file && !synchronous_api) ? irp->UserEvent : nullptr;
    const bool tell = !NT_ERROR(status) || (pended && !sync_file);

    bool queue_apc = false;
    bool post_packet = false;
    bool defer_iosb = false;
    if (tell) {
        if (irp->Overlay.AsynchronousParameters.UserApcRoutine && thread) {
            queue_apc = true;
        } else if (file && file->CompletionContext && irp->Overlay.AsynchronousParameters.UserApcContext) {
            const ULONG modes = file_private(file).notification_modes;
            post_packet = !((modes & FILE_SKIP_COMPLETION_PORT_ON_SUCCESS) && !pended && NT_SUCCESS(status));
            defer_iosb = post_packet && iosb_deferred(irp);  // NT fact D9, see below
        }
        if (!defer_iosb) write_caller_iosb(irp->UserIosb, irp->IoStatus);
        if (irp->UserEvent) {
            KeSetEvent(irp->UserEvent, IO_NO_INCREMENT, FALSE);
            if (sync_file && !(irp->Flags & IRP_OB_QUERY_NAME)) signal_file(file, status, irp->IoStatus.Information);
        } else if (file) {
            signal_file(file, status, irp->IoStatus.Information);
        }
    } else if (pended && file) {
        signal_file(file, status, irp->IoStatus.Information);
    }

    dequeue_thread_irp(irp);
    if (post_packet && ntio::verifier::hooks_on()) [[unlikely]] ntio::verifier::trace_iocp_post(irp, file);
    if (defer_iosb) [[unlikely]] {
        // NT fact D9: the issuing process closed its last handle to the file (file_cancel_irps.hpp);
        // the packet carries the IOSB, written when it is removed.
        // NT deviation: a packet that could not be queued (port closed, pool exhausted) leaves the
        // IOSB to be written here, at completion.
        if (!post_completion_deferring_iosb(file->CompletionContext->Port, file->CompletionContext->Key,
                                            irp->Overlay.AsynchronousParameters.UserApcContext, status,
                                            irp->IoStatus.Information, irp->UserIosb))
            write_caller_iosb(irp->UserIosb, irp->IoStatus);
    } else if (post_packet) {
        if (CompletionPortSink sink = completion_port_sink())
            (void)sink(file->CompletionContext->Port, file->CompletionContext->Key,
                       irp->Overlay.AsynchronousParameters.UserApcContext, status, irp->IoStatus.Information);
    }
    if (referenced_event) ObDereferenceObject(referenced_event);

    if (queue_apc) {
        // The IRP's Tail.Apc carries the APC (Tail.Overlay is dead from here on); the APC's kernel
        // routine frees the IRP in the requesting thread, or the rundown routine if it dies first.
        auto normal = reinterpret_cast<PKNORMAL_ROUTINE>(
            reinterpret_cast<void*>(irp->Overlay.AsynchronousParameters.UserApcRoutine));
        PVOID context = irp->Overlay.AsynchronousParameters.UserApcContext;
        PIO_STATUS_BLOCK iosb = irp->UserIosb;
        const KPROCESSOR_MODE mode = irp->RequestorMode;
        KeInitializeApc(&irp->Tail.Apc, reinterpret_cast<PKTHREAD>(thread), OriginalApcEnvironment,
                        user_completion_kernel, user_completion_rundown, normal, mode, context);
        if (!KeInsertQueueApc(&irp->Tail.Apc, iosb, nullptr, IO_NO_INCREMENT)) IoFreeIrp(irp);
    } else {
        IoFreeIrp(irp);
    }
    if (service_word) {
        // The waiting service holds the file: from here on it may release it. On the requesting
        // thread itself (the driver completed inline, or the thread reaped it inside its wait) the
        // service is up this thread's stack, not asleep on the word: a plain store does.
        if (thread && thread == reinterpret_cast<PETHREAD>(ke::current_thread_if_any()))
            service_word->store(0, std::memory_order_release);
        else if (service_word->exchange(0, std::memory_order_acq_rel) == 2)
            host::futex_wake(service_word, 1);
    } else if (file) {
        // On NT this last part of completion runs in the requesting thread (a kernel APC), so the
        // file object's last reference never goes on a thread of the completing driver: there its
        // delete path (IRP_MJ_CLOSE, then perhaps the driver's deferred DriverUnload, which may wait
        // for that very thread) could deadlock. Completed elsewhere, the deletion goes to a worker.
        // On the requesting thread the reference goes back to the thread's spares when they are
        // this file's (ob/object_hold.hpp).
        if (thread && thread != reinterpret_cast<PETHREAD>(ke::current_thread_if_any())) ObDereferenceObjectDeferDelete(file);
        else if (verifier::active()) ObDereferenceObject(file);
        else ob::drop_spare_reference(ob::header_of(file));
    }
}

}  // namespace ntio::io
