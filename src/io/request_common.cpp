// The pieces the request paths share (request_common.hpp).
#include "io/request_common.hpp"

#include "host/futex.hpp"
#include "host/memory_barrier.hpp"

#include "io/file_cancel_irps.hpp"
#include "io/irp.hpp"
#include "rtl/user_access.hpp"
#include "verifier/verifier.hpp"

namespace ntio::io {

bool g_file_lock_fence = !host::process_barrier_available();

// NT's file object lock: Busy claims it, Waiters counts sleepers on the Lock event (the uncontended
// claim and the release are inline in request_common.hpp).
NTSTATUS acquire_file_lock_contended(PFILE_OBJECT file, KPROCESSOR_MODE mode) noexcept {
    __atomic_add_fetch(&file->Waiters, 1u, __ATOMIC_SEQ_CST);
    // The releaser's half of the pair (release_file_lock): after this, a release either stored Busy
    // where the loop below sees it, or loads Waiters after the count above.
    if (!g_file_lock_fence) host::process_barrier();
    NTSTATUS status = STATUS_SUCCESS;
    for (;;) {
        if (!__atomic_load_n(&file->Busy, __ATOMIC_SEQ_CST) && !__atomic_exchange_n(&file->Busy, 1u, __ATOMIC_SEQ_CST))
            break;
        NTSTATUS wait = KeWaitForSingleObject(&file->Lock, Executive, mode, is_alertable(file), nullptr);
        if (wait == STATUS_USER_APC || wait == STATUS_ALERTED) {
            status = wait;
            break;
        }
    }
    __atomic_sub_fetch(&file->Waiters, 1u, __ATOMIC_SEQ_CST);
    return status;
}

void wait_for_file_request(PFILE_OBJECT file, KPROCESSOR_MODE mode) noexcept {
    NTSTATUS wait = KeWaitForSingleObject(&file->Event, Executive, mode, is_alertable(file), nullptr);
    if (wait == STATUS_SUCCESS) return;
    // NT's IopCancelAlertedRequest (NT fact D12): the wait of an FO_ALERTABLE_IO file was ended by a
    // user APC or an alert, so this thread's request on the file is cancelled, and the service then
    // waits (non-alertably) for it to complete and returns its status, STATUS_CANCELLED when the
    // driver honours the cancel. The IRP is reached through the thread's IRP list, under its lock.
    CancelFilter filter;
    filter.file = file;
    (void)cancel_thread_irps(PsGetCurrentThread(), filter);
    (void)KeWaitForSingleObject(&file->Event, Executive, KernelMode, FALSE, nullptr);
}

bool attach_system_buffer(PIRP irp, SIZE_T size) noexcept {
    constexpr ULONG kSystemBufferTag = 'bSoI';
    PVOID buffer = ExAllocatePoolWithTag(NonPagedPoolNx, size, kSystemBufferTag);
    if (!buffer) return false;
    irp->AssociatedIrp.SystemBuffer = buffer;
    irp->Flags |= IRP_BUFFERED_IO | IRP_DEALLOCATE_BUFFER;
    return true;
}

void discard_unsent_irp(PIRP irp) noexcept {
    if ((irp->Flags & IRP_DEALLOCATE_BUFFER) && irp->AssociatedIrp.SystemBuffer) ExFreePool(irp->AssociatedIrp.SystemBuffer);
    irp->AssociatedIrp.SystemBuffer = nullptr;
    release_irp_mdls(irp);
    irp->Tail.Overlay.OriginalFileObject = nullptr;
    IoFreeIrp(irp);
}

void RequestScope::wait_for_final_stage() noexcept {
    for (std::uint32_t v; (v = m_final_stage.load(std::memory_order_acquire)) != 0;) {
        if (v == 1 && !m_final_stage.compare_exchange_strong(v, 2, std::memory_order_acq_rel)) continue;
        host::futex_wait(&m_final_stage, 2, nullptr);
    }
}

void RequestScope::hand_to_irp(PIRP irp, bool waits) noexcept {
    if (waits && m_sync) {
        m_final_stage.store(1, std::memory_order_relaxed);
        set_final_stage_word(irp, &m_final_stage);
    } else if (waits) {
        ObReferenceObject(m_file);
    } else {
        if (m_held) {
            // The IRP's reference, taken while the hold keeps the file alive: from the thread's
            // spares (the final stage gives it back there when it runs on this thread).
            if (verifier::active()) ObReferenceObject(m_file);
            else ob::take_spare_reference(ob::header_of(m_file));
            ob::end_hold();
            m_held = false;
        }
        m_file = nullptr;
        m_event = nullptr;
    }
}

}  // namespace ntio::io
