// The I/O manager's half of NtCancelIoFile, NtCancelIoFileEx and NtCancelSynchronousIoFile: find the
// threaded IRPs (the per-thread IRP lists of thread_irps.cpp) that a cancel request names, cancel
// them safely against their completion on other threads, and wait for them where NT waits. Also the
// close of a process's last handle to a file other processes keep open (NT fact D9).
#pragma once

#include "io/ddk.hpp"

namespace ntio::io {

// Which IRPs of a thread's list a cancel request picks. An IRP matches when every given criterion
// holds; IRPs whose Cancel flag is already set are never picked again (NT fact D6).
struct CancelFilter {
    PFILE_OBJECT file = nullptr;          // Tail.Overlay.OriginalFileObject; null: any file
    bool match_iosb = false;              // compare UserIosb with `iosb`
    const IO_STATUS_BLOCK* iosb = nullptr;
    bool synchronous_only = false;        // only requests on synchronous file objects (FO_SYNCHRONOUS_IO)
    // Only requests that end in a completion packet: the file is bound to a port, ApcContext is
    // set, and there is neither an event nor an APC routine (NT fact D9).
    bool port_packets_only = false;
    // Marks each picked IRP (mark_iosb_deferred) before cancelling it.
    bool defer_iosb = false;
};

// NT fact D9: the IOSB of a marked IRP whose completion posts a packet is written when the packet is
// removed from the port, not at completion. The mark lives in Tail.Overlay.AuxiliaryBuffer, which
// the I/O manager owns and ntio uses for nothing else (file_operation_submit.hpp); it is set once,
// under the thread's IRP-list lock, and read once by the final stage.
inline void mark_iosb_deferred(PIRP irp) noexcept {
    __atomic_store_n(&irp->Tail.Overlay.AuxiliaryBuffer, reinterpret_cast<PCHAR>(irp), __ATOMIC_RELEASE);
}
inline bool iosb_deferred(PIRP irp) noexcept {
    return __atomic_load_n(&irp->Tail.Overlay.AuxiliaryBuffer, __ATOMIC_ACQUIRE) == reinterpret_cast<PCHAR>(irp);
}

// Cancels every matching IRP on `thread`'s list (IoCancelIrp semantics: Cancel set, the cancel
// routine, if any, called once with the cancel spin lock held) and returns how many it cancelled.
// Does not wait for them. The caller keeps `thread` referenced. PASSIVE_LEVEL.
std::size_t cancel_thread_irps(PETHREAD thread, const CancelFilter& filter) noexcept;

// The same over every thread of `process` (referenced by the caller). PASSIVE_LEVEL.
std::size_t cancel_process_irps(PEPROCESS process, const CancelFilter& filter) noexcept;

// NT fact D9: `process` closed its last handle to `file` while other processes keep it open. Cancels
// the requests of that process's threads on the file that would end in a completion packet; their
// IOSBs are written when the packets are removed. Other requests are left alone (nothing about them
// is observable until the file's last handle goes and IRP_MJ_CLEANUP lets the driver cancel them).
// PASSIVE_LEVEL.
void cancel_on_process_close(PEPROCESS process, PFILE_OBJECT file) noexcept;

// Returns once no IRP for `file` is left on the calling thread's list, polling in short
// non-alertable delays as NT does, so that the user APCs of those requests stay queued. PASSIVE_LEVEL.
void wait_for_thread_file_irps(PFILE_OBJECT file) noexcept;

}  // namespace ntio::io
