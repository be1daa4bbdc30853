// Breaking oplocks for the operations that conflict with them (MS-FSA 2.1.4.12, "Algorithm to Check
// for an Oplock Break"): FsRtlCheckOplock(Ex) for the IRP a file system is serving, the explicit
// breaks (FsRtlOplockBreakToNone(Ex), FsRtlOplockBreakH), and the owner's cleanup, which gives its
// oplock up. A break that needs an acknowledgement holds the breaking operation: the caller's thread
// blocks, or, with a CompletionRoutine, the IRP is handed to the package and STATUS_PENDING returned.
#include "fsrtl/oplock_state.hpp"

#include <algorithm>
#include <new>

using namespace ntio::fsrtl::oplock;

namespace {

// What an operation leaves other keys' oplocks (the caching levels they may keep).
enum class Op {
    none,       // breaks nothing
    read,       // loses W: level 1 and batch go to level 2, RW(H) to R(H)
    open,       // a create that neither overwrites nor asks for write access (filter oplocks stay)
    write,      // data or size changes: everything goes to none, level 2 even for its own key
    handle,     // rename, link, delete, a create's sharing violation: loses H (batch and filter to none)
    all_none,   // FsRtlOplockBreakToNone: every oplock to none whatever its key
    lower,      // FsRtlCheckUpperOplock: every oplock keeps at most Check::keep, whatever its key
    cleanup,    // the owner's handle closes
};

struct Check {
    Op op = Op::none;
    PFILE_OBJECT requester = nullptr;
    bool complete_if_oplocked = false;
    bool filter_breaks = false;  // the create would disturb a filter oplock's owner
    bool requiring_oplock = false;
    ULONG keep = 0;  // Op::lower: the lower file system's new oplock state
};

// The level `kind` at `level` keeps under `c` (MS-FSA 2.1.4.12's table, by caching levels).
ULONG level_after(const Check& c, Kind kind, ULONG level, PFILE_OBJECT owner) {
    const bool same = same_key(owner, c.requester);
    switch (c.op) {
    case Op::none:
    case Op::cleanup:
        return level;
    case Op::all_none:
        return 0;
    case Op::lower: {
        // Legacy oplocks keep the shape their kind allows: batch and filter oplocks that lose H go
        // to none (as a handle break takes them), level 1 that loses W goes to level 2.
        const ULONG to = level & c.keep;
        if ((kind == Kind::batch || kind == Kind::filter) && to != level) return 0;
        return (to & kRead) ? to : 0;
    }
    case Op::write:
        if (kind == Kind::level2) return 0;
        return same ? level : 0;
    case Op::read:
        if (same || kind == Kind::filter) return level;
        return level & ~kWrite;
    case Op::open:
        if (same) return level;
        if (kind == Kind::filter) return c.filter_breaks ? 0 : level;
        return level & ~kWrite;
    case Op::handle:
        if (same) return level;
        if (kind == Kind::batch || kind == Kind::filter) return 0;
        if (kind == Kind::level1 || kind == Kind::level2) return level;
        return level & ~kHandle;
    }
    return level;
}

// Breaks what `c` conflicts with; breaks that need an acknowledgement join m_breaking.
void break_locked(State& s, const Check& c, Deferred& deferred) {
    for (Breaking& b : s.m_breaking) {
        ULONG to = level_after(c, b.kind, b.to_level, b.owner);
        b.to_level = b.kind == Kind::win7 ? to : (to & kRead);
    }
    for (auto it = s.m_grants.begin(); it != s.m_grants.end();) {
        const Grant g = *it;
        const ULONG to = level_after(c, g.kind, g.level, g.owner);
        if (to == g.level) {
            ++it;
            continue;
        }
        it = s.m_grants.erase(it);
        if (!g.irp) continue;  // a create's pending filter oplock has no one to tell: it just ends
        const bool parked = s.unpark_locked(g.irp);
        if (g.kind == Kind::win7) {
            // Losing W or H needs the owner's acknowledgement; losing R alone does not (MS-FSA 2.1.5.17.3).
            const bool ack = (g.level & ~to & (kWrite | kHandle)) != 0;
            if (parked) deferred.completions.push_back({g.irp, STATUS_SUCCESS, write_win7_output(g.irp, g.level, to, ack)});
            if (ack) {
                s.m_breaking.push_back({g.owner, g.kind, to, false, g.process, (g.level & kWrite) != 0});
            }
        } else if (g.kind == Kind::level2) {
            if (parked) deferred.completions.push_back({g.irp, STATUS_SUCCESS, FILE_OPLOCK_BROKEN_TO_NONE});
        } else {
            const ULONG_PTR info = (to & kRead) && g.kind != Kind::filter ? FILE_OPLOCK_BROKEN_TO_LEVEL_2
                                                                            : FILE_OPLOCK_BROKEN_TO_NONE;
            if (parked) deferred.completions.push_back({g.irp, STATUS_SUCCESS, info});
            s.m_breaking.push_back(
                {g.owner, g.kind, info == FILE_OPLOCK_BROKEN_TO_LEVEL_2 ? kRead : 0, false, g.process, true});
        }
    }
}

// The owner's handle closes (MS-FSA 2.1.5.4): its granted oplocks end, completing their requests, and
// a break it had not acknowledged ends as if acknowledged to none.
void close_owner_locked(State& s, PFILE_OBJECT fo, Deferred& deferred) {
    for (auto it = s.m_grants.begin(); it != s.m_grants.end();) {
        if (it->owner != fo) {
            ++it;
            continue;
        }
        const Grant g = *it;
        it = s.m_grants.erase(it);
        if (!g.irp || !s.unpark_locked(g.irp)) continue;
        if (g.kind == Kind::win7) {
            deferred.completions.push_back(
                {g.irp, STATUS_OPLOCK_HANDLE_CLOSED, write_win7_output(g.irp, g.level, 0, false)});
        } else {
            deferred.completions.push_back({g.irp, STATUS_SUCCESS, FILE_OPLOCK_BROKEN_TO_NONE});
        }
    }
    for (auto it = s.m_breaking.begin(); it != s.m_breaking.end();) {
        it = it->owner == fo ? s.m_breaking.erase(it) : it + 1;
    }
    s.release_if_idle_locked(deferred);
}

Check classify(PIRP irp, ULONG flags) {
    PIO_STACK_LOCATION sp = IoGetCurrentIrpStackLocation(irp);
    Check c;
    c.requester = (flags & OPLOCK_FLAG_IGNORE_OPLOCK_KEYS) ? nullptr : sp->FileObject;
    c.complete_if_oplocked = (flags & OPLOCK_FLAG_COMPLETE_IF_OPLOCKED) != 0;
    switch (sp->MajorFunction) {
    case IRP_MJ_CREATE: {
        const ULONG options = sp->Parameters.Create.Options;
        if (options & FILE_COMPLETE_IF_OPLOCKED) c.complete_if_oplocked = true;
        c.requiring_oplock = (options & FILE_OPEN_REQUIRING_OPLOCK) != 0;
        if (flags & OPLOCK_FLAG_BREAKING_FOR_SHARING_VIOLATION) {
            // The file system's share check failed: other keys' handle caching goes, so that their
            // owners may close the cached handles that stand in the way, and the file system
            // checks again once the breaks end (Learn, FsRtlCheckOplockEx; "Checking the Oplock
            // State of an IRP_MJ_CREATE operation",
            // https://learn.microsoft.com/windows-hardware/drivers/ifs/irp-mj-create2).
            c.op = Op::handle;
            break;
        }
        const ULONG disposition = options >> 24;
        // The create carries the caller's access as asked, generic rights included.
        ACCESS_MASK access =
            sp->Parameters.Create.SecurityContext ? sp->Parameters.Create.SecurityContext->DesiredAccess : 0;
        RtlMapGenericMask(&access, IoGetFileObjectGenericMapping());
        if (disposition == FILE_SUPERSEDE || disposition == FILE_OVERWRITE || disposition == FILE_OVERWRITE_IF) {
            c.op = Op::write;
        } else {
            c.op = Op::open;
            // A filter oplock lets readers that share everything past (Learn: FSCTL_REQUEST_FILTER_OPLOCK).
            c.filter_breaks = (access & (FILE_WRITE_DATA | FILE_APPEND_DATA | DELETE)) ||
                              !(sp->Parameters.Create.ShareAccess & FILE_SHARE_READ);
        }
        break;
    }
    case IRP_MJ_READ:
        c.op = Op::read;
        break;
    case IRP_MJ_WRITE:
    case IRP_MJ_LOCK_CONTROL:
    case IRP_MJ_FLUSH_BUFFERS:
        c.op = Op::write;
        break;
    case IRP_MJ_SET_INFORMATION:
        switch (sp->Parameters.SetFile.FileInformationClass) {
        case FileEndOfFileInformation:
        case FileAllocationInformation:
            c.op = Op::write;
            break;
        case FileRenameInformation:
        case FileLinkInformation:
        case FileDispositionInformation:
        case FileDispositionInformationEx:
            c.op = Op::handle;
            break;
        default:
            break;
        }
        break;
    case IRP_MJ_CLEANUP:
        c.op = (flags & OPLOCK_FLAG_CLOSING_DELETE_ON_CLOSE) ? Op::handle : Op::cleanup;
        c.requester = sp->FileObject;
        break;
    default:
        break;
    }
    return c;
}

// FsRtlCheckOplockEx2's notification of a blocked wait: after `timeout_ms` the routine hears of the
// wait (INTERIM_TIMEOUT), which goes on; when it ends, of its end (TERMINATED).
struct Notify {
    ULONGLONG timeout_ms = 0;
    POPLOCK_NOTIFY_PARAMS params = nullptr;
    POPLOCK_NOTIFY_ROUTINE routine = nullptr;
};

void notify(const Notify& n, OPLOCK_NOTIFY_REASON reason, PIRP irp, NTSTATUS status) {
    OPLOCK_NOTIFY_PARAMS local{};
    POPLOCK_NOTIFY_PARAMS params = n.params ? n.params : &local;
    params->NotifyReason = reason;
    params->NotifyContext = n.params;
    params->Irp = irp;
    params->Status = status;
    (void)n.routine(params);  // Learn: its status is ignored
}

// Blocks until the breaks end. Learn (FsRtlCheckOplockEx2): the timeout counts only with a notify
// routine. A guess where Learn is silent: the interim notification carries STATUS_TIMEOUT, and the
// end is reported only to a routine that heard of the timeout ("if NotifyRoutine is invoked for
// reason OPLOCK_NOTIFY_BREAK_WAIT_INTERIM_TIMEOUT, it will always be invoked for reason
// OPLOCK_NOTIFY_BREAK_WAIT_TERMINATED").
void wait_blocked(BlockedWait* blocked, PIRP irp, const Notify* n) {
    if (n && n->routine && n->timeout_ms) {
        constexpr ULONGLONG kMaxMs = static_cast<ULONGLONG>(MAXLONGLONG) / 10000;
        LARGE_INTEGER timeout;
        timeout.QuadPart = -static_cast<LONGLONG>(std::min(n->timeout_ms, kMaxMs) * 10000);
        if (KeWaitForSingleObject(&blocked->event, Executive, KernelMode, FALSE, &timeout) == STATUS_TIMEOUT) {
            notify(*n, OPLOCK_NOTIFY_BREAK_WAIT_INTERIM_TIMEOUT, irp, STATUS_TIMEOUT);
            (void)KeWaitForSingleObject(&blocked->event, Executive, KernelMode, FALSE, nullptr);
            notify(*n, OPLOCK_NOTIFY_BREAK_WAIT_TERMINATED, irp, STATUS_SUCCESS);
        }
    } else {
        (void)KeWaitForSingleObject(&blocked->event, Executive, KernelMode, FALSE, nullptr);
    }
    blocked->release();
}

// Breaks what `c` conflicts with, then holds the operation while breaks of other keys wait for their
// acknowledgement.
NTSTATUS check(POPLOCK oplock, PIRP irp, const Check& c, PVOID context, POPLOCK_WAIT_COMPLETE_ROUTINE completion,
               POPLOCK_FS_PREPOST_IRP post, const Notify* n = nullptr) {
    State* s = state_of(oplock);
    if (!s || c.op == Op::none) return STATUS_SUCCESS;
    Deferred deferred;
    BlockedWait* blocked = nullptr;
    bool wait = false;
    {
        std::lock_guard<std::mutex> guard(s->m_lock);
        if (c.op == Op::cleanup) {
            close_owner_locked(*s, c.requester, deferred);
        } else {
            if (c.requiring_oplock) {
                for (const Grant& g : s->m_grants)
                    if (level_after(c, g.kind, g.level, g.owner) != g.level) return STATUS_CANNOT_BREAK_OPLOCK;
            }
            break_locked(*s, c, deferred);
            if (s->has_breaking_for_locked(c.requester)) {
                // FILE_COMPLETE_IF_OPLOCKED: the operation goes on at once and learns of the break.
                if (!c.complete_if_oplocked) wait = true;
            }
            if (wait && !completion) {
                blocked = new (std::nothrow) BlockedWait;
                if (!blocked) return STATUS_INSUFFICIENT_RESOURCES;
                KeInitializeEvent(&blocked->event, NotificationEvent, FALSE);
                s->m_waiters.push_back({irp, nullptr, nullptr, blocked});
            }
        }
    }
    finish(deferred);
    if (c.op == Op::cleanup) return STATUS_SUCCESS;
    if (!wait) {
        if (c.complete_if_oplocked) {
            std::lock_guard<std::mutex> guard(s->m_lock);
            if (s->has_breaking_for_locked(c.requester)) return STATUS_OPLOCK_BREAK_IN_PROGRESS;
        }
        return STATUS_SUCCESS;
    }
    if (!completion) {
        wait_blocked(blocked, irp, n);
        return STATUS_SUCCESS;
    }
    // The IRP is the package's now: the file system prepares it for posting, then it waits. An
    // operation without an IRP (FsRtlCheckUpperOplock) has nothing to park: its routines get NULL.
    if (irp) IoMarkIrpPending(irp);
    if (post) post(context, irp);
    Deferred later;
    bool run_now = false;
    {
        std::lock_guard<std::mutex> guard(s->m_lock);
        if (!s->has_breaking_for_locked(c.requester)) {
            run_now = true;
        } else if (!irp) {
            s->m_waiters.push_back({nullptr, context, completion, nullptr});
        } else if (s->park_locked(irp)) {
            s->m_waiters.push_back({irp, context, completion, nullptr});
        } else {
            later.completions.push_back({irp, STATUS_CANCELLED, 0});
        }
    }
    if (run_now) completion(context, irp);
    finish(later);
    return STATUS_PENDING;
}

}  // namespace

extern "C" {

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-fsrtlcheckoplock
NTKERNELAPI NTSTATUS NTAPI FsRtlCheckOplock(POPLOCK Oplock, PIRP Irp, PVOID Context,
                                            POPLOCK_WAIT_COMPLETE_ROUTINE CompletionRoutine,
                                            POPLOCK_FS_PREPOST_IRP PostIrpRoutine) {
    return FsRtlCheckOplockEx(Oplock, Irp, 0, Context, CompletionRoutine, PostIrpRoutine);
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-fsrtlcheckoplockex
// A create's check first records the oplock key its oplock key ECP gives the file object;
// OPLOCK_FLAG_OPLOCK_KEY_CHECK_ONLY does only that. OPLOCK_FLAG_BACK_OUT_ATOMIC_OPLOCK gives up the
// pending filter oplock the create reserved (oplock_request.cpp).
// NT deviation: _PARENT_OBJECT and _REMOVING_FILE_OR_LINK do nothing: ntio has no directory oplocks.
NTKERNELAPI NTSTATUS NTAPI FsRtlCheckOplockEx(POPLOCK Oplock, PIRP Irp, ULONG Flags, PVOID Context,
                                              POPLOCK_WAIT_COMPLETE_ROUTINE CompletionRoutine,
                                              POPLOCK_FS_PREPOST_IRP PostIrpRoutine) {
    return FsRtlCheckOplockEx2(Oplock, Irp, Flags, 0, Context, CompletionRoutine, PostIrpRoutine, 0, nullptr, nullptr);
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-_fsrtl_advanced_fcb_header-fsrtlcheckoplockex2
// FsRtlCheckOplockEx with a notified blocking wait; FlagsEx2 is reserved (nonzero is
// STATUS_INVALID_PARAMETER, a guess: Learn says only that it must be zero).
NTKERNELAPI NTSTATUS NTAPI FsRtlCheckOplockEx2(POPLOCK Oplock, PIRP Irp, ULONG Flags, ULONG FlagsEx2,
                                               PVOID CompletionRoutineContext,
                                               POPLOCK_WAIT_COMPLETE_ROUTINE CompletionRoutine,
                                               POPLOCK_FS_PREPOST_IRP PostIrpRoutine, ULONGLONG Timeout,
                                               PVOID NotifyContext, POPLOCK_NOTIFY_ROUTINE NotifyRoutine) {
    if (!Oplock || !Irp || FlagsEx2 != 0) return STATUS_INVALID_PARAMETER;
    if (IoGetCurrentIrpStackLocation(Irp)->MajorFunction == IRP_MJ_CREATE) record_create_key(Irp);
    if (Flags & OPLOCK_FLAG_BACK_OUT_ATOMIC_OPLOCK) {
        back_out_reservation(Oplock, IoGetCurrentIrpStackLocation(Irp)->FileObject);
        return STATUS_SUCCESS;
    }
    if (Flags & (OPLOCK_FLAG_OPLOCK_KEY_CHECK_ONLY | OPLOCK_FLAG_PARENT_OBJECT)) return STATUS_SUCCESS;
    const Notify n{Timeout, static_cast<POPLOCK_NOTIFY_PARAMS>(NotifyContext), NotifyRoutine};
    return check(Oplock, Irp, classify(Irp, Flags), CompletionRoutineContext, CompletionRoutine, PostIrpRoutine, &n);
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-fsrtloplockbreaktonone
// Every oplock goes to none, whatever its key.
NTKERNELAPI NTSTATUS NTAPI FsRtlOplockBreakToNone(POPLOCK Oplock, PIO_STACK_LOCATION IrpSp, PIRP Irp, PVOID Context,
                                                  POPLOCK_WAIT_COMPLETE_ROUTINE CompletionRoutine,
                                                  POPLOCK_FS_PREPOST_IRP PostIrpRoutine) {
    (void)IrpSp;
    return FsRtlOplockBreakToNoneEx(Oplock, Irp, 0, Context, CompletionRoutine, PostIrpRoutine);
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-fsrtloplockbreaktononeex
NTKERNELAPI NTSTATUS NTAPI FsRtlOplockBreakToNoneEx(POPLOCK Oplock, PIRP Irp, ULONG Flags, PVOID Context,
                                                    POPLOCK_WAIT_COMPLETE_ROUTINE CompletionRoutine,
                                                    POPLOCK_FS_PREPOST_IRP PostIrpRoutine) {
    if (!Oplock || !Irp) return STATUS_INVALID_PARAMETER;
    Check c;
    c.op = Op::all_none;
    c.requester = IoGetCurrentIrpStackLocation(Irp)->FileObject;
    c.complete_if_oplocked = (Flags & OPLOCK_FLAG_COMPLETE_IF_OPLOCKED) != 0;
    return check(Oplock, Irp, c, Context, CompletionRoutine, PostIrpRoutine);
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-fsrtlcheckupperoplock
// A layered file system's oplock in the file system below it changed to NewLowerOplockState: the
// oplocks it granted above (on this OPLOCK) keep at most that state, whatever their keys, and breaks
// that need an acknowledgement hold the caller (blocked, or CompletionRoutine called with a NULL IRP,
// after PrePendRoutine, when STATUS_PENDING is returned). OPLOCK_UPPER_FLAG_CHECK_NO_BREAK returns
// STATUS_CANNOT_BREAK_OPLOCK, breaking nothing, when any oplock would break.
// OPLOCK_UPPER_FLAG_NOTIFY_REFRESH_READ ("break only Read (R) upper oplocks and notify R holders that
// they may again request R. All other upper oplock checks it will return STATUS_CANNOT_BREAK_OPLOCK"):
// NT deviation, a reading of that sentence: every read-only oplock (R, level 2) breaks to none, which
// needs no acknowledgement, unless an oplock caching more than R is granted or breaking, which makes
// it STATUS_CANNOT_BREAK_OPLOCK with nothing broken. Other flag bits, or state bits other than R, W
// and H, are STATUS_INVALID_PARAMETER (Learn names no error for them).
NTKERNELAPI NTSTATUS NTAPI FsRtlCheckUpperOplock(POPLOCK Oplock, ULONG NewLowerOplockState,
                                                 PVOID CompletionRoutineContext,
                                                 POPLOCK_WAIT_COMPLETE_ROUTINE CompletionRoutine,
                                                 POPLOCK_FS_PREPOST_IRP PrePendRoutine, ULONG Flags) {
    constexpr ULONG kKnownFlags = OPLOCK_UPPER_FLAG_CHECK_NO_BREAK | OPLOCK_UPPER_FLAG_NOTIFY_REFRESH_READ;
    if (!Oplock || (Flags & ~kKnownFlags) || (NewLowerOplockState & ~(kRead | kWrite | kHandle)))
        return STATUS_INVALID_PARAMETER;
    Check c;
    c.op = Op::lower;
    c.keep = NewLowerOplockState;
    c.requiring_oplock = (Flags & OPLOCK_UPPER_FLAG_CHECK_NO_BREAK) != 0;
    if (Flags & OPLOCK_UPPER_FLAG_NOTIFY_REFRESH_READ) {
        State* s = state_of(Oplock);
        if (s) {
            std::lock_guard<std::mutex> guard(s->m_lock);
            if (!s->m_breaking.empty()) return STATUS_CANNOT_BREAK_OPLOCK;
            for (const Grant& g : s->m_grants)
                if (g.level != kRead) return STATUS_CANNOT_BREAK_OPLOCK;
        }
        c.keep = 0;
    }
    return check(Oplock, nullptr, c, CompletionRoutineContext, CompletionRoutine, PrePendRoutine);
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-fsrtloplockbreakh
// Breaks the handle caching of other keys' oplocks: RH to R, RWH to RW, batch and filter to none.
NTKERNELAPI NTSTATUS NTAPI FsRtlOplockBreakH(POPLOCK Oplock, PIRP Irp, ULONG Flags, PVOID Context,
                                             POPLOCK_WAIT_COMPLETE_ROUTINE CompletionRoutine,
                                             POPLOCK_FS_PREPOST_IRP PostIrpRoutine) {
    if (!Oplock || !Irp) return STATUS_INVALID_PARAMETER;
    Check c;
    c.op = Op::handle;
    c.requester = (Flags & OPLOCK_FLAG_IGNORE_OPLOCK_KEYS) ? nullptr : IoGetCurrentIrpStackLocation(Irp)->FileObject;
    c.complete_if_oplocked = (Flags & OPLOCK_FLAG_COMPLETE_IF_OPLOCKED) != 0;
    return check(Oplock, Irp, c, Context, CompletionRoutine, PostIrpRoutine);
}

}  // extern "C"
