// The state behind an OPLOCK (MS-FSA 2.1.1.10, "Per Oplock"): the granted oplocks with their pending
// request IRPs, the breaks that wait for an acknowledgement, the operations waiting for those breaks
// and the FSCTL_OPLOCK_BREAK_NOTIFY requests. Callers hold m_lock while they change it and complete
// IRPs or call file-system routines only after releasing it, through a Deferred.
#pragma once

#include <ntifs.h>

#include <atomic>
#include <mutex>
#include <vector>

namespace ntio::fsrtl::oplock {

constexpr ULONG kRead = OPLOCK_LEVEL_CACHE_READ;
constexpr ULONG kHandle = OPLOCK_LEVEL_CACHE_HANDLE;
constexpr ULONG kWrite = OPLOCK_LEVEL_CACHE_WRITE;

// The legacy kinds keep their own notification format; their caching levels (MS-FSA's mapping) let
// one break rule serve both families: level 1 = RW, batch = RWH, filter = RWH, level 2 = R.
enum class Kind { level1, batch, filter, level2, win7 };

struct Grant {
    PIRP irp;            // the request, pending until the break; NULL for a create's pending filter oplock
    PFILE_OBJECT owner;  // the open that asked; its oplock key decides what breaks (same_key)
    Kind kind;
    ULONG level;
    HANDLE process = nullptr;  // the requester's process id (FsRtlOplockGetAnyBreakOwnerProcess)
};

// An exclusive (or handle-caching) oplock broken and not yet acknowledged.
struct Breaking {
    PFILE_OBJECT owner;
    Kind kind;
    ULONG to_level;      // what the owner may keep when it acknowledges
    bool close_pending;  // FSCTL_OPBATCH_ACK_CLOSE_PENDING: the owner's cleanup ends the break
    HANDLE process;      // the owner's process id
    bool exclusive;      // the broken oplock cached writes (level 1, batch, filter, RW, RWH)
};

// A thread blocked until the breaks end. Both the thread and the releaser hold a reference, so the
// event outlives the KeSetEvent that wakes the thread.
struct BlockedWait {
    KEVENT event;
    std::atomic<int> refs{2};
    void release() noexcept {
        if (refs.fetch_sub(1, std::memory_order_acq_rel) == 1) delete this;
    }
};

// An operation held until the breaks end: either a blocked thread (event) or an IRP handed to the
// oplock package (routine, called when the breaks end).
struct Waiter {
    PIRP irp;
    PVOID context;
    POPLOCK_WAIT_COMPLETE_ROUTINE routine;
    BlockedWait* event;
};

// Work to do after m_lock is released.
struct Deferred {
    struct Completion {
        PIRP irp;
        NTSTATUS status;
        ULONG_PTR information;
    };
    std::vector<Completion> completions;
    std::vector<Waiter> released;
};

struct State {
    std::mutex m_lock;
    std::atomic<long> m_refs{1};  // the OPLOCK's own reference plus one per parked IRP
    std::vector<Grant> m_grants;
    std::vector<Breaking> m_breaking;
    std::vector<Waiter> m_waiters;
    std::vector<PIRP> m_notify;      // FSCTL_OPLOCK_BREAK_NOTIFY requests
    std::vector<PIRP> m_cancelling;  // taken off a list while IoCancelIrp owns their cancel routine

    // Parks `irp` pending and cancellable; returns false (the IRP not parked) when it was already
    // cancelled, so that the caller completes it with STATUS_CANCELLED.
    bool park_locked(PIRP irp);
    // Takes `irp` back from the cancel machinery before it is completed or called back: false means
    // the cancel routine owns it now (it is moved to m_cancelling for that routine to find).
    bool unpark_locked(PIRP irp);
    // When no break is left: releases the waiters and the notify requests into `deferred`.
    void release_if_idle_locked(Deferred& deferred);
    bool has_breaking_for_locked(PFILE_OBJECT requester) const noexcept;

    void add_ref() noexcept { m_refs.fetch_add(1, std::memory_order_relaxed); }
    void release() noexcept;
};

// The state, or NULL while no oplock was ever requested (FsRtlInitializeOplock only clears the OPLOCK).
State* state_of(POPLOCK oplock) noexcept;
// The state, made on first use.
State* state_for(POPLOCK oplock);
// Completes the deferred IRPs and calls the deferred waiters back, with no lock held.
void finish(Deferred& deferred);
// Records the oplock key the create `irp` carries in an oplock key ECP on its file object
// (oplock_key.cpp); nothing for a create without one.
void record_create_key(PIRP irp) noexcept;
// Whether two opens share an oplock key: the same file object, or equal oplock key ECPs. NULL has
// no key.
bool same_key(PFILE_OBJECT a, PFILE_OBJECT b) noexcept;
// Gives up the pending filter oplock `file`'s create reserved, if it still holds one
// (OPLOCK_FLAG_BACK_OUT_ATOMIC_OPLOCK; oplock_request.cpp).
void back_out_reservation(POPLOCK oplock, PFILE_OBJECT file);
// Fills a Windows 7 request's output buffer with a break (or close) notification.
ULONG_PTR write_win7_output(PIRP irp, ULONG original, ULONG new_level, bool ack_required);

}  // namespace ntio::fsrtl::oplock
