// io's internal surface for IRPs: the hidden block prefix of allocator IRPs, the final stage of
// completion (NT's IopCompleteRequest) that the services can run themselves for deferred
// completions, the thread IRP list and the completion-port hook that ports install later.
//
// File object references: an IRP whose Tail.Overlay.OriginalFileObject is non-null holds one
// reference on that file object (the services take it when they build the IRP); the final stage
// releases it after the requester has been told. IoBuild*Request leave it null, as NT does.
#pragma once

#include "io/ddk.hpp"
#include "io/irp_block.hpp"

namespace ntio::ke { class Kernel; }

namespace ntio::io {

class IoManager;

// ---- Allocation (irp_allocation.cpp) ----

// irp_from_allocator (io/irp_block.hpp): true for IRPs that came from IoAllocateIrp /
// IoMakeAssociatedIrp (not IoInitializeIrp on caller memory). Reads the block prefix, so only call
// it when AllocationFlags has IRP_ALLOCATED_FIXED_SIZE.

// The I/O manager that counted the IRP at allocation (null for caller-initialized IRPs).
IoManager* irp_io_manager(PIRP irp) noexcept;

// The value a freed IRP's Type holds, so that a stale IoFreeIrp / IoCompleteRequest bugchecks.
inline constexpr CSHORT kFreedIrpType = static_cast<CSHORT>(0x7E6F);

// Allocates an IRP of stack_size locations (IoAllocateIrp semantics); null when stack_size < 1.
PIRP allocate_irp(CCHAR stack_size, bool charge_quota) noexcept;

// ---- Completion (irp_completion.cpp, irp_final_stage.cpp) ----

// The final stage of completion for one IRP that has no completion routine left to run: copy
// back, MDL release, IOSB, event, file object, APC or completion packet, file reference, free.
// IofCompleteRequest calls it; a service that set IRP_DEFER_IO_COMPLETION calls it itself when
// the dispatch did not return STATUS_PENDING (NT's IopCompleteRequest after IopSynchronousServiceTail).
// PASSIVE..DISPATCH_LEVEL. The IRP is gone when it returns (except create/close IRPs, see the .cpp).
void complete_final_stage(PIRP irp) noexcept;
// The final stage of a paging IRP (IoPageRead, IoSynchronousPageWrite; io/paging_io.cpp): write the
// IOSB and set the event whatever the status, free the IRP, leave the caller's MDL and file alone.
void complete_paging_io(PIRP irp) noexcept;

// Completion packets for file objects bound to a port (FileObject->CompletionContext set). The
// ports component installs the sink; until then nothing sets CompletionContext. Returns FALSE when
// no packet could be posted.
using CompletionPortSink = bool (*)(PVOID port, PVOID key, PVOID apc_context, NTSTATUS status,
                                    ULONG_PTR information);
void set_completion_port_sink(CompletionPortSink sink) noexcept;

// A service that waits for its request on a synchronous file keeps its own file reference across
// the request, so the IRP takes none: the final stage then leaves the file's reference alone and,
// after its last access to the file, stores 0 into `word` (waking a futex waiter when it was 2).
// Set once, before the IRP is sent (set_final_stage_word and final_stage_word in io/irp_block.hpp
// keep it in the IRP's private block).
CompletionPortSink completion_port_sink() noexcept;

// ---- Thread IRP lists (thread_irps.cpp) ----

// Removes a threaded IRP from its thread's list (no-op when it is on none). Any IRQL <= DISPATCH.
void dequeue_thread_irp(PIRP irp) noexcept;

// Installs the thread-exit rundown (cancel the dying thread's IRPs, wait for them) in a Kernel.
// IoQueueThreadIrp does it lazily; the I/O manager may do it at boot. PASSIVE_LEVEL.
void register_thread_irp_rundown(ke::Kernel& kernel);

// Number of IRPs on a thread's list (tests, inspector).
std::size_t thread_irp_count(PETHREAD thread) noexcept;

// The lock of a thread's IRP list (ETHREAD::m_irp_list_lock), a tiny spin lock; never held across
// a call into a driver. An IRP on the list stays allocated while the lock is held (the final stage
// unlinks it under the lock before freeing it). Re-entrant for the thread running that list's
// exit rundown: a cancel routine the rundown calls may complete an IRP inline.
class ThreadIrpListLock {
public:
    explicit ThreadIrpListLock(PETHREAD thread) noexcept;
    ~ThreadIrpListLock();
    ThreadIrpListLock(const ThreadIrpListLock&) = delete;
    ThreadIrpListLock& operator=(const ThreadIrpListLock&) = delete;

private:
    PETHREAD m_thread;
    bool m_owned;
};

}  // namespace ntio::io
