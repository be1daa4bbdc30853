// What every request path of the I/O services shares (reads, writes and controls in
// request_submit.cpp, the information services in file_information_submit.cpp, the other file
// operations in file_operation_submit.cpp): the file object lock of synchronous files and the wait
// for their requests, the scope that owns the service's references, the caller's IOSB written under
// SEH, locked MDLs for direct I/O and the undo of an IRP that never reached a driver.
#pragma once

#include "io/ddk.hpp"
#include "ob/object_hold.hpp"
#include "rtl/user_access.hpp"

namespace ntio::io {

inline bool is_synchronous(PFILE_OBJECT file) noexcept { return (file_flags(file) & FO_SYNCHRONOUS_IO) != 0; }
inline bool is_alertable(PFILE_OBJECT file) noexcept { return (file_flags(file) & FO_ALERTABLE_IO) != 0; }

// The file object lock that serialises requests on a synchronous file object (FILE_OBJECT.Busy,
// Waiters and Lock, as NT's IopAcquireFileObjectLock uses them). The wait is alertable for
// FO_ALERTABLE_IO; an alerted or APC-interrupted wait returns STATUS_ALERTED / STATUS_USER_APC
// without the lock. PASSIVE_LEVEL.
// Both inline for the uncontended case every synchronous request takes; the waits are out of line.
// A releaser must see a waiter that came while it held the lock, or that waiter must see the lock
// free (Busy and Waiters are a Dekker pair). The releaser's side has no fence: a waiter, after
// counting itself, orders memory on every thread with one process-wide barrier before it looks at
// Busy. A locked instruction there would wait for the request's last loads (a synchronous read's
// copy) before the service could return, which costs a 4 KiB read from RAM about a tenth of its
// time. Where the host refuses the barrier (g_file_lock_fence) the release fences itself.
extern bool g_file_lock_fence;
NTSTATUS acquire_file_lock_contended(PFILE_OBJECT file, KPROCESSOR_MODE mode) noexcept;
inline NTSTATUS acquire_file_lock(PFILE_OBJECT file, KPROCESSOR_MODE mode) noexcept {
    if (!__atomic_exchange_n(&file->Busy, 1u, __ATOMIC_SEQ_CST)) [[likely]] return STATUS_SUCCESS;
    return acquire_file_lock_contended(file, mode);
}
inline void release_file_lock(PFILE_OBJECT file) noexcept {
    if (g_file_lock_fence) [[unlikely]] {
        __atomic_store_n(&file->Busy, 0u, __ATOMIC_SEQ_CST);
    } else {
        __atomic_store_n(&file->Busy, 0u, __ATOMIC_RELEASE);
        __atomic_signal_fence(__ATOMIC_SEQ_CST);
    }
    if (__atomic_load_n(&file->Waiters, __ATOMIC_RELAXED)) [[unlikely]] KeSetEvent(&file->Lock, IO_NO_INCREMENT, FALSE);
}

// Waits for the request in flight on a synchronous file object (its event is set by the final
// stage), as NT's IopSynchronousServiceTail does; an alertable wait that a user APC or an alert ends
// cancels the request and waits for it (NT fact D12).
void wait_for_file_request(PFILE_OBJECT file, KPROCESSOR_MODE mode) noexcept;

// Writes the caller's IOSB; one that went bad while the request was in flight is ignored, as NT's
// completion ignores it. A null `iosb` is no IOSB. Inline: every final stage writes one.
inline void write_caller_iosb(PIO_STATUS_BLOCK iosb, const IO_STATUS_BLOCK& value) noexcept {
    if (!iosb) return;
    // A fault is ignored, as NT ignores it: the caller freed or protected its own IOSB.
    (void)ntio_user_write_iosb(iosb, value.Status, value.Information);
}

// A system buffer of `size` bytes from nonpaged pool that the IRP owns (IRP_BUFFERED_IO |
// IRP_DEALLOCATE_BUFFER: the final stage frees it). False when pool is exhausted.
bool attach_system_buffer(PIRP irp, SIZE_T size) noexcept;

// IoAllocateMdl + MmProbeAndLockPages in the IRP's requestor mode (NT facts J2, S7, S8); the MDL
// becomes Irp->MdlAddress. A fault is the status (no exception frame). Defined in mdl.cpp.
NTSTATUS attach_locked_mdl(PIRP irp, PVOID buffer, ULONG length, LOCK_OPERATION operation) noexcept;

// Unlocks and frees the IRP's MDL chain (Irp->MdlAddress, linked through Next) and clears it; the
// final stage does this for every IRP, discard_unsent_irp for one never sent. Defined in mdl.cpp.
void release_irp_mdls(PIRP irp) noexcept;

// Undoes a half-built IRP that never reached a driver (it is on no thread list yet): its system
// buffer, its MDL chain, the IRP.
void discard_unsent_irp(PIRP irp) noexcept;

// The service's references to the file object and the event, and the file lock of a synchronous
// file, released whatever happens. The file may be held rather than referenced (`held`,
// ob/object_hold.hpp): the scope's end ends the hold. Once the IRP is sent, `hand_to_irp(irp,
// waits)` gives the IRP the file reference (a held file gets one for it) and the event reference,
// which the final stage drops for requests that are not IRP_SYNCHRONOUS_API; a request the service
// waits for keeps both: on a synchronous file the IRP takes no file reference of its own and the
// scope's end waits until its final stage is done with the file; otherwise the IRP takes a second
// one.
class RequestScope {
public:
    RequestScope(PFILE_OBJECT file, bool held, PKEVENT event) noexcept
        : m_file(file), m_event(event), m_sync(is_synchronous(file)), m_held(held) {}
    [[gnu::always_inline]] ~RequestScope() {  // inline: one branch per part on the synchronous fast path
        if (m_final_stage.load(std::memory_order_acquire) != 0) [[unlikely]] wait_for_final_stage();
        if (m_locked) release_file_lock(m_file);
        if (m_event) ObDereferenceObject(m_event);
        if (m_held) ob::end_hold();
        else if (m_file) ObDereferenceObject(m_file);
    }
    RequestScope(const RequestScope&) = delete;
    RequestScope& operator=(const RequestScope&) = delete;

    bool sync() const noexcept { return m_sync; }
    // Takes the file lock of a synchronous file object (see acquire_file_lock).
    NTSTATUS lock(KPROCESSOR_MODE mode) noexcept {
        if (!m_sync) return STATUS_SUCCESS;
        NTSTATUS status = acquire_file_lock(m_file, mode);
        m_locked = status == STATUS_SUCCESS;
        return status;
    }
    void hand_to_irp(PIRP irp, bool waits) noexcept;

private:
    // A driver that completes a synchronous request on another thread may still be in its final
    // stage when the service is ready to return: sleeps until it is done with the file.
    void wait_for_final_stage() noexcept;

    PFILE_OBJECT m_file;
    PKEVENT m_event;
    bool m_sync;
    bool m_held;
    bool m_locked = false;
    // Synchronous files: 1 while the IRP's final stage may still touch the file (2: we sleep on
    // it), 0 once it is done (set_final_stage_word in io/irp.hpp).
    std::atomic<std::uint32_t> m_final_stage{0};
};

}  // namespace ntio::io
