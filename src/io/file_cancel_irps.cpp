// Cancelling the threaded IRPs that NtCancelIoFile, NtCancelIoFileEx and NtCancelSynchronousIoFile
// name. An IRP on a thread's list stays allocated while the list lock is held (the final stage
// unlinks it under that lock before freeing it), so the pick and the first half of IoCancelIrp (set
// Cancel, take the cancel routine under the cancel spin lock) happen under the list lock; the routine
// is called after the lock is dropped, because it may complete the IRP inline and the final stage
// then takes the same list lock. Once the routine is taken the driver cannot complete the IRP (its
// own IoSetCancelRoutine(Irp, NULL) finds nothing, NT fact C7), so the IRP outlives the unlock.
#include "io/file_cancel_irps.hpp"

#include <thread>

#include "io/cancel.hpp"
#include "io/io_completion.hpp"
#include "io/irp.hpp"
#include "io/objects.hpp"
#include "ob/object_header.hpp"
#include "ob/process.hpp"
#include "verifier/verifier.hpp"

namespace ntio::io {
namespace {

// Fields read here are written before the IRP is queued to the thread (under the list lock) and
// stay put until the final stage unlinks it; Cancel is read atomically (IoCancelIrp stores it so).
bool matches_locked(PIRP irp, const CancelFilter& filter) noexcept {
    if (__atomic_load_n(&irp->Cancel, __ATOMIC_SEQ_CST)) return false;
    PFILE_OBJECT file = irp->Tail.Overlay.OriginalFileObject;
    if (filter.file && file != filter.file) return false;
    if (filter.match_iosb && irp->UserIosb != filter.iosb) return false;
    // NT picks IRP_SYNCHRONOUS_API requests. The final stage rewrites Irp->Flags concurrently, so the
    // file object's FO_SYNCHRONOUS_IO, fixed at open, is read instead: request_submit.cpp sets that
    // IRP flag exactly for such files.
    if (filter.synchronous_only && !(file && (file_flags(file) & FO_SYNCHRONOUS_IO))) return false;
    if (filter.port_packets_only) {
        const auto& params = irp->Overlay.AsynchronousParameters;
        if (irp->UserEvent || params.UserApcRoutine || !params.UserApcContext) return false;
        if (!file || !file_has_completion_port(file)) return false;
    }
    return true;
}

// As in cancel.cpp: with no current stack location there is no device to pass.
// NT deviation: Windows passes whatever lies past the stack array; ntio passes NULL.
PDEVICE_OBJECT current_device(PIRP irp) noexcept {
    if (irp->CurrentLocation < 1 || irp->CurrentLocation > irp->StackCount) return nullptr;
    return IoGetCurrentIrpStackLocation(irp)->DeviceObject;
}

// Cancels the first matching IRP of the thread's list. False when there is none.
bool cancel_next(_ETHREAD* thread, const CancelFilter& filter) noexcept {
    PIRP victim = nullptr;
    PDRIVER_CANCEL routine = nullptr;
    KIRQL irql = PASSIVE_LEVEL;
    {
        ThreadIrpListLock lock(thread);
        for (PLIST_ENTRY e = thread->m_irp_list.Flink; e != &thread->m_irp_list; e = e->Flink) {
            PIRP irp = CONTAINING_RECORD(e, IRP, ThreadListEntry);
            if (matches_locked(irp, filter)) {
                victim = irp;
                break;
            }
        }
        if (!victim) return false;
        if (filter.defer_iosb) mark_iosb_deferred(victim);
        // The cancel limit of a user-mode request starts (verifier/slow_irps.cpp).
        if (ntio::verifier::active()) [[unlikely]] ntio::verifier::on_file_cancel(victim);
        // IoCancelIrp's order (cancel.cpp): Cancel first, then the routine, both under the cancel
        // spin lock, so a dispatch that sets its routine and then checks Cancel cannot miss both.
        IoAcquireCancelSpinLock(&irql);
        __atomic_store_n(&victim->Cancel, static_cast<BOOLEAN>(TRUE), __ATOMIC_SEQ_CST);  // NT fact C1
        routine = __atomic_load_n(&victim->CancelRoutine, __ATOMIC_SEQ_CST);
        if (routine) routine = IoSetCancelRoutine(victim, nullptr);
        if (!routine) {
            IoReleaseCancelSpinLock(irql);
            return true;  // cancelled; its driver sees Cancel when it next looks (C7)
        }
    }
    if (victim->CurrentLocation > victim->StackCount + 1) {
        // Bug check 0x48, as IoCancelIrp raises it for a routine on a finished IRP.
        IoReleaseCancelSpinLock(irql);
        KeBugCheckEx(CANCEL_STATE_IN_COMPLETED_IRP, reinterpret_cast<ULONG_PTR>(victim),
                     reinterpret_cast<ULONG_PTR>(routine), 0, 0);
    }
    call_cancel_routine(routine, current_device(victim), victim, irql);  // NT fact C2: once
    return true;
}

// A reference on a thread that may be deleting: taken only while its count is not zero (the delete
// procedure unlinks it from the process under the process's thread lock, after the count hit zero).
bool reference_if_alive(_ETHREAD* thread) noexcept {
    std::atomic<LONG_PTR>& count = ob::header_of(thread)->pointer_count;
    LONG_PTR seen = count.load(std::memory_order_relaxed);
    while (seen > 0)
        if (count.compare_exchange_weak(seen, seen + 1, std::memory_order_acquire, std::memory_order_relaxed)) return true;
    return false;
}

bool has_file_irp(_ETHREAD* thread, PFILE_OBJECT file) noexcept {
    ThreadIrpListLock lock(thread);
    for (PLIST_ENTRY e = thread->m_irp_list.Flink; e != &thread->m_irp_list; e = e->Flink)
        if (CONTAINING_RECORD(e, IRP, ThreadListEntry)->Tail.Overlay.OriginalFileObject == file) return true;
    return false;
}

// Polls: the usual wait is for a completion already under way on another CPU, so the first polls
// only yield; after that, steps of 1 ms (NT polls in short KeDelayExecutionThread steps too).
constexpr int kWaitYields = 1000;
constexpr LONGLONG kWaitStep100ns = 10 * 1000;

}  // namespace

std::size_t cancel_thread_irps(PETHREAD thread, const CancelFilter& filter) noexcept {
    // Rescan from the head after each cancel: the routine may have completed (unlinked) any IRP of
    // the list, and each cancel sets Cancel, so the scan never picks the same IRP twice.
    std::size_t cancelled = 0;
    while (cancel_next(thread, filter)) ++cancelled;
    return cancelled;
}

// Threads are referenced one by one under the process's thread lock, which is then dropped: cancel
// routines and the completions they run must not find it held. The list is on the stack for the usual
// process: a cancel routine that stops the system (bug check 0x11B) leaves through this frame without
// running its destructors, and a test that catches the stop would find a heap list leaked.
std::size_t cancel_process_irps(PEPROCESS process, const CancelFilter& filter) noexcept {
    constexpr std::size_t kOnStack = 64;
    _ETHREAD* on_stack[kOnStack];
    std::vector<_ETHREAD*> on_heap;  // only for a process with more threads than that
    _ETHREAD** threads = on_stack;
    std::size_t count = 0;
    {
        std::lock_guard guard(process->m_thread_lock);
        if (process->m_threads.size() > kOnStack) {
            on_heap.resize(process->m_threads.size());
            threads = on_heap.data();
        }
        for (_ETHREAD* thread : process->m_threads)
            if (reference_if_alive(thread)) threads[count++] = thread;
    }
    std::size_t cancelled = 0;
    for (std::size_t i = 0; i < count; ++i) {
        cancelled += cancel_thread_irps(threads[i], filter);
        ObDereferenceObject(threads[i]);
    }
    return cancelled;
}

// The observable behaviour is NT fact D9 (Wine's ntdll pipe tests on Windows); IRP_MJ_CLEANUP, which
// cancels the rest, comes only with the last handle system-wide
// (https://learn.microsoft.com/windows-hardware/drivers/kernel/irp-mj-cleanup). Files without a port
// have nothing to cancel here, so such a close costs one load.
// NT deviation: the process's other requests on the file are left pending (nothing about them is
// observable, D9) until IRP_MJ_CLEANUP.
void cancel_on_process_close(PEPROCESS process, PFILE_OBJECT file) noexcept {
    if (!process || !file_has_completion_port(file)) return;
    CancelFilter filter;
    filter.file = file;
    filter.port_packets_only = true;
    filter.defer_iosb = true;
    (void)cancel_process_irps(process, filter);
}

// Unbounded, as NtCancelIoFile is: a driver that ignores the cancel keeps the caller waiting.
void wait_for_thread_file_irps(PFILE_OBJECT file) noexcept {
    auto* self = static_cast<_ETHREAD*>(PsGetCurrentThread());
    for (int step = 0; has_file_irp(self, file); ++step) {
        if (step < kWaitYields) {
            std::this_thread::yield();
            continue;
        }
        LARGE_INTEGER interval;
        interval.QuadPart = -kWaitStep100ns;
        (void)KeDelayExecutionThread(KernelMode, FALSE, &interval);
    }
}

}  // namespace ntio::io
