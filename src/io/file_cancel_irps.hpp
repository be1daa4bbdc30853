// The I/O manager's half of NtCancelIoFile, NtCancelIoFileEx and NtCancelSynchronousIoFile: find the
// threaded IRPs (the per-thread IRP lists of thread_irps.cpp) that a cancel request names, cancel
// them safely against their completion on other threads, and wait for them where NT waits.
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
};

// Cancels every matching IRP on `thread`'s list (IoCancelIrp semantics: Cancel set, the cancel
// routine, if any, called once with the cancel spin lock held) and returns how many it cancelled.
// Does not wait for them. The caller keeps `thread` referenced. PASSIVE_LEVEL.
std::size_t cancel_thread_irps(PETHREAD thread, const CancelFilter& filter) noexcept;

// The same over every thread of `process` (referenced by the caller). PASSIVE_LEVEL.
std::size_t cancel_process_irps(PEPROCESS process, const CancelFilter& filter) noexcept;

// Returns once no IRP for `file` is left on the calling thread's list, polling in short
// non-alertable delays as NT does, so that the user APCs of those requests stay queued. PASSIVE_LEVEL.
void wait_for_thread_file_irps(PFILE_OBJECT file) noexcept;

}  // namespace ntio::io
