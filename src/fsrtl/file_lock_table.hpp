// The state behind FILE_LOCK.LockInformation: the granted byte-range locks of one stream, the lock
// IRPs waiting for a conflict to go away, and the conflict rule both share. Callers hold m_lock
// while they read or change the lists and run callbacks (IoCompleteRequest, CompleteLockIrpRoutine,
// UnlockRoutine) only after releasing it, through a Deferred.
#pragma once

#include <ntifs.h>

#include <list>
#include <mutex>
#include <vector>

namespace ntio::fsrtl {

// A lock IRP parked until its range is free: the FsRtlProcessFileLock context it completes with.
struct WaitingLock {
    PIRP irp = nullptr;
    PVOID context = nullptr;
    FILE_LOCK_INFO info{};
};

// A lock IRP to complete once the table lock is released; `granted` says a failing
// CompleteLockIrpRoutine must take the lock back.
struct LockCompletion {
    PIRP irp = nullptr;
    PVOID context = nullptr;
    NTSTATUS status = STATUS_SUCCESS;
    bool granted = false;
    FILE_LOCK_INFO info{};
};

struct Deferred {
    std::vector<LockCompletion> completions;
    std::vector<FILE_LOCK_INFO> released;  // for the UnlockRoutine
};

class LockTable {
public:
    std::mutex m_lock;
    std::vector<FILE_LOCK_INFO> m_granted;
    std::list<WaitingLock> m_waiting;

    // MS-FSA 2.1.4.10 (Algorithm for Determining If a Range Access Conflicts with Byte-Range Locks):
    // an exclusive lock blocks everyone but its owner (file object, process, key), and its owner too
    // when the request is another exclusive lock; a shared lock blocks every access with exclusive
    // intent (writes and exclusive locks), its owner's included. The {0, 0} range conflicts with nothing.
    // https://learn.microsoft.com/openspecs/windows_protocols/ms-fsa/124bb289-eeef-4653-b9c6-4fb93dd07a21
    bool conflicts_locked(const FILE_LOCK_INFO& request, bool exclusive_intent, bool lock_intent) const noexcept;

    // Grants the waiting locks that no longer conflict, oldest first; each one granted counts
    // against the ones behind it. Waiters whose cancel routine already ran are left to it.
    void grant_waiters_locked(Deferred& deferred);
};

// The range [offset, offset + length - 1] as FILE_LOCK_INFO (always filled in); false when it runs
// past the largest 64-bit offset (STATUS_INVALID_LOCK_RANGE, MS-FSA 2.1.5.8). A zero length is a
// valid range.
bool make_lock_info(const LARGE_INTEGER& offset, const LARGE_INTEGER& length, bool exclusive, ULONG key,
                    PFILE_OBJECT file, PVOID process, FILE_LOCK_INFO& info) noexcept;

// The table, or NULL while the FILE_LOCK has never had a lock request (NT creates its lock state
// with the first request too, so a FILE_LOCK that only ever gets checked costs nothing).
LockTable* table_of(PFILE_LOCK lock) noexcept;
// The table, created on first use; NULL only when memory ran out.
LockTable* table_for_lock(PFILE_LOCK lock) noexcept;

// Runs what the table operations left: the UnlockRoutine for each released lock (with `unlock_context`),
// then each completion (undoing a granted lock whose CompleteLockIrpRoutine failed).
void finish(PFILE_LOCK lock, Deferred& deferred, PVOID unlock_context);

// Completes one lock IRP with `status` through the routine (or IoCompleteRequest without one);
// returns what the routine returned (`status` without one).
NTSTATUS complete_lock_irp(PCOMPLETE_LOCK_IRP_ROUTINE routine, PVOID context, PIRP irp, NTSTATUS status);

}  // namespace ntio::fsrtl
