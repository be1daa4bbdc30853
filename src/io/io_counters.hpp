// What each request adds to its process's IO_COUNTERS (NtQueryInformationProcess ProcessIoCounters,
// GetProcessIoCounters): an operation when the I/O manager takes a read, a write or another request
// from its caller, and the bytes it moved when it completes without an error (Information).
// Learn (IO_COUNTERS): OtherOperationCount counts "I/O operations performed, other than read and
// write operations", OtherTransferCount "the number of bytes transferred during operations other
// than read and write operations".
// https://learn.microsoft.com/windows/win32/api/winnt/ns-winnt-io_counters
#pragma once

#include "io/ddk.hpp"
#include "ke/thread.hpp"
#include "ob/process.hpp"

namespace ntio::io {

// A thread's own figure: only that thread writes it, so a load and a store do.
inline void add_own_io_count(std::atomic<ULONGLONG>& counter, ULONGLONG n) noexcept {
    counter.store(counter.load(std::memory_order_relaxed) + n, std::memory_order_relaxed);
}

// A request the calling thread hands to the I/O manager.
inline void count_io_operation(ob::IoCountKind kind) noexcept {
    if (_KTHREAD* thread = ke::current_thread_if_any())
        add_own_io_count(static_cast<_ETHREAD*>(thread)->m_io_counts.operations[kind], 1);
}

// The bytes a request of `requester` moved: into its own figures on its own thread, else (a driver
// or worker completing it elsewhere) into its process's shared ones.
inline void count_io_transfer(PETHREAD requester, ob::IoCountKind kind, ULONG_PTR bytes) noexcept {
    if (!requester || !bytes) return;
    if (requester == static_cast<_ETHREAD*>(ke::current_thread_if_any())) {
        add_own_io_count(requester->m_io_counts.bytes[kind], bytes);
    } else if (PEPROCESS process = requester->m_process) {
        process->m_io_shared.bytes[kind].fetch_add(bytes, std::memory_order_relaxed);
    }
}

// Reads and writes are the IRPs that say so (IRP_READ_OPERATION / IRP_WRITE_OPERATION); everything
// else is "other".
inline ob::IoCountKind io_count_kind(PIRP irp) noexcept {
    if (irp->Flags & IRP_READ_OPERATION) return ob::kIoRead;
    if (irp->Flags & IRP_WRITE_OPERATION) return ob::kIoWrite;
    return ob::kIoOther;
}

}  // namespace ntio::io
