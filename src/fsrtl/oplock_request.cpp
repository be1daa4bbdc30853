// The oplock FSCTLs (FsRtlOplockFsctrl / FsRtlOplockFsctrlEx): granting legacy and Windows 7 oplocks
// (MS-FSA 2.1.5.17, "Server Requests an Oplock"), their acknowledgements (2.1.5.18, "Server
// Acknowledges an Oplock Break") and the legacy break notify. A granted request stays pending, and
// cancellable, until its oplock breaks.
#include "fsrtl/oplock_state.hpp"

using namespace ntio::fsrtl::oplock;

namespace {

// Caching levels a Windows 7 request may ask for: R, RH, RW, RWH (MS-FSA 2.1.5.17.2).
bool valid_win7_level(ULONG level) {
    return level == kRead || level == (kRead | kHandle) || level == (kRead | kWrite) ||
           level == (kRead | kWrite | kHandle);
}

ULONG legacy_level(Kind kind) {
    switch (kind) {
    case Kind::level1: return kRead | kWrite;
    case Kind::level2: return kRead;
    default: return kRead | kWrite | kHandle;
    }
}

// Grants `grant` to its request IRP (parked) or says why not; the caller completes on failure. The
// grant remembers the requester's process (the FSCTL's, else the one the file system runs it in).
NTSTATUS grant_locked(State& s, Grant grant, Deferred& deferred) {
    if (!s.park_locked(grant.irp)) {
        deferred.completions.push_back({grant.irp, STATUS_CANCELLED, 0});
        return STATUS_PENDING;
    }
    PEPROCESS process = IoGetRequestorProcess(grant.irp);
    grant.process = PsGetProcessId(process ? process : PsGetCurrentProcess());
    s.m_grants.push_back(grant);
    return STATUS_PENDING;
}

// MS-FSA 2.1.5.17.1: level 1, batch and filter need the only open and no oplock at all; level 2
// needs no byte-range lock (OpenCount nonzero says there is one), no exclusive oplock and no break.
// A filter request from the open whose create reserved a pending filter oplock takes that up,
// whatever the count by now: the reservation is there so that step 3 of Learn's filter oplock
// procedure (another open for read) cannot make step 2 fail
// (https://learn.microsoft.com/windows-hardware/drivers/ifs/granting-oplocks).
NTSTATUS request_legacy(State& s, PIRP irp, PFILE_OBJECT fo, Kind kind, ULONG open_count, ULONG lower,
                       Deferred& deferred) {
    if (!s.m_breaking.empty() || (legacy_level(kind) & ~lower)) return STATUS_OPLOCK_NOT_GRANTED;
    if (kind == Kind::filter && s.m_grants.size() == 1 && !s.m_grants[0].irp && s.m_grants[0].owner == fo) {
        s.m_grants.clear();
        return grant_locked(s, {irp, fo, kind, legacy_level(kind)}, deferred);
    }
    if (kind == Kind::level2) {
        if (open_count != 0) return STATUS_OPLOCK_NOT_GRANTED;
        for (const Grant& g : s.m_grants)
            if ((g.level & kWrite) || g.owner == fo) return STATUS_OPLOCK_NOT_GRANTED;
    } else {
        if (open_count != 1 || !s.m_grants.empty()) return STATUS_OPLOCK_NOT_GRANTED;
    }
    return grant_locked(s, {irp, fo, kind, legacy_level(kind)}, deferred);
}

// MS-FSA 2.1.5.17.2: R and RH share with other keys' R/RH and legacy level 2; RW and RWH need every
// open to carry the one key and no other key's oplock. A key's new request replaces its own older
// one when it asks for at least as much; that older request completes naming the new level, with
// STATUS_OPLOCK_SWITCHED_TO_NEW_HANDLE when another open of the key asked.
NTSTATUS request_win7(State& s, PIRP irp, PFILE_OBJECT fo, ULONG level, ULONG open_count, ULONG flags,
                      ULONG lower, Deferred& deferred) {
    if (!s.m_breaking.empty() || (level & ~lower)) return STATUS_OPLOCK_NOT_GRANTED;
    const Grant* own = nullptr;
    for (const Grant& g : s.m_grants) {
        if (g.kind == Kind::win7 && same_key(g.owner, fo)) {
            own = &g;
            continue;
        }
        if (g.owner == fo) return STATUS_OPLOCK_NOT_GRANTED;  // a legacy oplock on the same handle
        if ((g.level & kWrite) || (level & kWrite)) return STATUS_OPLOCK_NOT_GRANTED;
    }
    if (level & kWrite) {
        if (open_count > 1 && !(flags & OPLOCK_FSCTRL_FLAG_ALL_KEYS_MATCH)) return STATUS_OPLOCK_NOT_GRANTED;
    } else if (open_count != 0) {
        return STATUS_OPLOCK_NOT_GRANTED;
    }
    if (own) {
        if ((own->level & level) != own->level) return STATUS_OPLOCK_NOT_GRANTED;
        Grant old = *own;
        s.m_grants.erase(s.m_grants.begin() + (own - s.m_grants.data()));
        const NTSTATUS switched = old.owner == fo ? STATUS_SUCCESS : STATUS_OPLOCK_SWITCHED_TO_NEW_HANDLE;
        if (s.unpark_locked(old.irp))
            deferred.completions.push_back({old.irp, switched, write_win7_output(old.irp, old.level, level, false)});
    }
    return grant_locked(s, {irp, fo, Kind::win7, level}, deferred);
}

// MS-FSA 2.1.5.18: the owner of a break that waits for it answers; the break ends and the owner keeps
// what the break left it (as a new oplock on this request) or nothing. Through FsRtlUpperOplockFsctrl
// what it keeps must also be within the lower file system's state (`lower`): otherwise the break
// ends with nothing kept and STATUS_OPLOCK_NOT_GRANTED.
NTSTATUS acknowledge(State& s, PIRP irp, PFILE_OBJECT fo, ULONG code, ULONG win7_level, ULONG lower,
                     Deferred& deferred) {
    auto it = s.m_breaking.begin();
    for (; it != s.m_breaking.end(); ++it)
        if (it->owner == fo && (it->kind == Kind::win7) == (code == FSCTL_REQUEST_OPLOCK)) break;
    if (it == s.m_breaking.end()) return STATUS_INVALID_OPLOCK_PROTOCOL;
    Breaking b = *it;
    NTSTATUS status = STATUS_SUCCESS;
    if (code == FSCTL_OPBATCH_ACK_CLOSE_PENDING) {
        it->close_pending = true;
        return STATUS_SUCCESS;
    }
    if (code == FSCTL_REQUEST_OPLOCK) {
        if (win7_level != 0 && (!valid_win7_level(win7_level) || (win7_level & b.to_level) != win7_level))
            return STATUS_INVALID_PARAMETER;
        s.m_breaking.erase(it);
        if (win7_level & ~lower) status = STATUS_OPLOCK_NOT_GRANTED;
        else if (win7_level != 0) status = grant_locked(s, {irp, fo, Kind::win7, win7_level}, deferred);
    } else {
        s.m_breaking.erase(it);
        if (code == FSCTL_OPLOCK_BREAK_ACKNOWLEDGE && (b.to_level & kRead)) {
            status = (lower & kRead) ? grant_locked(s, {irp, fo, Kind::level2, kRead}, deferred)
                                     : STATUS_OPLOCK_NOT_GRANTED;
        }
    }
    s.release_if_idle_locked(deferred);
    return status;
}

// Learn (FsRtlOplockFsctrlEx): on IRP_MJ_CREATE it grants a pending filter oplock (STATUS_SUCCESS)
// when OpenCount is 1, the create asks for FILE_READ_ATTRIBUTES and shares read, write and delete.
// It has no request IRP: the owner's FSCTL_REQUEST_FILTER_OPLOCK takes it up, and whatever would
// break a filter oplock, or the owner's cleanup, ends it. A guess: SYNCHRONIZE, which synchronous
// opens add, does not count against FILE_READ_ATTRIBUTES.
NTSTATUS reserve_filter(POPLOCK oplock, PIRP irp, ULONG open_count, ULONG lower) {
    PIO_STACK_LOCATION sp = IoGetCurrentIrpStackLocation(irp);
    ACCESS_MASK access =
        sp->Parameters.Create.SecurityContext ? sp->Parameters.Create.SecurityContext->DesiredAccess : 0;
    RtlMapGenericMask(&access, IoGetFileObjectGenericMapping());
    constexpr USHORT kShareAll = FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE;
    if (open_count != 1 || (legacy_level(Kind::filter) & ~lower) || (access & ~SYNCHRONIZE) != FILE_READ_ATTRIBUTES ||
        (sp->Parameters.Create.ShareAccess & kShareAll) != kShareAll)
        return STATUS_OPLOCK_NOT_GRANTED;
    State* s = state_for(oplock);
    if (!s) return STATUS_INSUFFICIENT_RESOURCES;
    std::lock_guard<std::mutex> guard(s->m_lock);
    if (!s->m_grants.empty() || !s->m_breaking.empty()) return STATUS_OPLOCK_NOT_GRANTED;
    Grant reserved{nullptr, sp->FileObject, Kind::filter, legacy_level(Kind::filter)};
    reserved.process = PsGetProcessId(PsGetCurrentProcess());
    s->m_grants.push_back(reserved);
    return STATUS_SUCCESS;
}

// `lower`: the caching levels a grant may hold (FsRtlUpperOplockFsctrl's LowerOplockState; all of them
// otherwise).
NTSTATUS fsctrl(POPLOCK oplock, PIRP irp, ULONG open_count, ULONG flags, ULONG lower) {
    PIO_STACK_LOCATION sp = IoGetCurrentIrpStackLocation(irp);
    if (sp->MajorFunction == IRP_MJ_CREATE) return reserve_filter(oplock, irp, open_count, lower);
    const ULONG code = sp->Parameters.FileSystemControl.FsControlCode;
    PFILE_OBJECT fo = sp->FileObject;
    Kind kind = Kind::win7;
    ULONG win7_level = 0;
    ULONG win7_flags = 0;
    switch (code) {
    case FSCTL_REQUEST_OPLOCK_LEVEL_1: kind = Kind::level1; break;
    case FSCTL_REQUEST_OPLOCK_LEVEL_2: kind = Kind::level2; break;
    case FSCTL_REQUEST_BATCH_OPLOCK: kind = Kind::batch; break;
    case FSCTL_REQUEST_FILTER_OPLOCK: kind = Kind::filter; break;
    case FSCTL_OPLOCK_BREAK_ACKNOWLEDGE:
    case FSCTL_OPBATCH_ACK_CLOSE_PENDING:
    case FSCTL_OPLOCK_BREAK_NOTIFY:
    case FSCTL_OPLOCK_BREAK_ACK_NO_2:
        break;
    case FSCTL_REQUEST_OPLOCK: {
        // https://learn.microsoft.com/windows/win32/api/winioctl/ni-winioctl-fsctl_request_oplock
        auto* in = static_cast<PREQUEST_OPLOCK_INPUT_BUFFER>(irp->AssociatedIrp.SystemBuffer);
        if (sp->Parameters.FileSystemControl.InputBufferLength < sizeof(REQUEST_OPLOCK_INPUT_BUFFER) ||
            sp->Parameters.FileSystemControl.OutputBufferLength < sizeof(REQUEST_OPLOCK_OUTPUT_BUFFER) || !in)
            return STATUS_BUFFER_TOO_SMALL;
        if (in->StructureVersion != REQUEST_OPLOCK_CURRENT_VERSION ||
            in->StructureLength < sizeof(REQUEST_OPLOCK_INPUT_BUFFER))
            return STATUS_INVALID_PARAMETER;
        win7_level = in->RequestedOplockLevel;
        win7_flags = in->Flags & (REQUEST_OPLOCK_INPUT_FLAG_REQUEST | REQUEST_OPLOCK_INPUT_FLAG_ACK);
        if (win7_flags != REQUEST_OPLOCK_INPUT_FLAG_REQUEST && win7_flags != REQUEST_OPLOCK_INPUT_FLAG_ACK)
            return STATUS_INVALID_PARAMETER;
        if (win7_flags == REQUEST_OPLOCK_INPUT_FLAG_REQUEST && !valid_win7_level(win7_level))
            return STATUS_INVALID_PARAMETER;
        break;
    }
    default:
        return STATUS_INVALID_PARAMETER;
    }
    State* s = state_for(oplock);
    if (!s) return STATUS_INSUFFICIENT_RESOURCES;
    Deferred deferred;
    NTSTATUS status;
    {
        std::lock_guard<std::mutex> guard(s->m_lock);
        switch (code) {
        case FSCTL_REQUEST_OPLOCK:
            status = win7_flags == REQUEST_OPLOCK_INPUT_FLAG_ACK
                         ? acknowledge(*s, irp, fo, code, win7_level, lower, deferred)
                         : request_win7(*s, irp, fo, win7_level, open_count, flags, lower, deferred);
            break;
        case FSCTL_OPLOCK_BREAK_ACKNOWLEDGE:
        case FSCTL_OPBATCH_ACK_CLOSE_PENDING:
        case FSCTL_OPLOCK_BREAK_ACK_NO_2:
            status = acknowledge(*s, irp, fo, code, 0, lower, deferred);
            break;
        case FSCTL_OPLOCK_BREAK_NOTIFY:
            // https://learn.microsoft.com/windows-hardware/drivers/ifs/fsctl-oplock-break-notify
            status = STATUS_SUCCESS;
            if (!s->m_breaking.empty()) {
                if (s->park_locked(irp)) {
                    s->m_notify.push_back(irp);
                } else {
                    deferred.completions.push_back({irp, STATUS_CANCELLED, 0});
                }
                status = STATUS_PENDING;
            }
            break;
        default:
            status = request_legacy(*s, irp, fo, kind, open_count, lower, deferred);
            break;
        }
    }
    finish(deferred);
    return status;
}

}  // namespace

namespace ntio::fsrtl::oplock {

void back_out_reservation(POPLOCK oplock, PFILE_OBJECT file) {
    State* s = state_of(oplock);
    if (!s) return;
    std::lock_guard<std::mutex> guard(s->m_lock);
    std::erase_if(s->m_grants, [&](const Grant& g) { return !g.irp && g.owner == file; });
}

}  // namespace ntio::fsrtl::oplock

extern "C" {

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-fsrtloplockfsctrl
// STATUS_PENDING means FsRtl owns the IRP (granted, or a break notify waiting); any other status is
// for the file system to complete the IRP with.
NTKERNELAPI NTSTATUS NTAPI FsRtlOplockFsctrl(POPLOCK Oplock, PIRP Irp, ULONG OpenCount) {
    return FsRtlOplockFsctrlEx(Oplock, Irp, OpenCount, 0);
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-fsrtloplockfsctrlex
NTKERNELAPI NTSTATUS NTAPI FsRtlOplockFsctrlEx(POPLOCK Oplock, PIRP Irp, ULONG OpenCount, ULONG Flags) {
    if (!Oplock || !Irp) return STATUS_INVALID_PARAMETER;
    return fsctrl(Oplock, Irp, OpenCount, Flags, kRead | kWrite | kHandle);
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-_fsrtl_advanced_fcb_header-fsrtlupperoplockfsctrl
// FsRtlOplockFsctrlEx for a layered file system that holds an oplock at LowerOplockState in the file
// system below: a request (or an acknowledgement that keeps a level) for more than that state is
// STATUS_OPLOCK_NOT_GRANTED. Flags other than OPLOCK_FSCTRL_FLAG_ALL_KEYS_MATCH, or state bits other
// than R, W and H, are STATUS_INVALID_PARAMETER (Learn names no error for them).
NTKERNELAPI NTSTATUS NTAPI FsRtlUpperOplockFsctrl(POPLOCK Oplock, PIRP Irp, ULONG OpenCount, ULONG LowerOplockState,
                                                  ULONG Flags) {
    if (!Oplock || !Irp || (Flags & ~OPLOCK_FSCTRL_FLAG_ALL_KEYS_MATCH) ||
        (LowerOplockState & ~(kRead | kWrite | kHandle)))
        return STATUS_INVALID_PARAMETER;
    return fsctrl(Oplock, Irp, OpenCount, Flags, LowerOplockState);
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-fsrtloplockissharedrequest
// Level 2, R and RH requests share the file; level 1, batch, filter, RW and RWH do not.
NTKERNELAPI BOOLEAN NTAPI FsRtlOplockIsSharedRequest(PIRP Irp) {
    if (!Irp) return FALSE;
    PIO_STACK_LOCATION sp = IoGetCurrentIrpStackLocation(Irp);
    if (sp->MajorFunction != IRP_MJ_FILE_SYSTEM_CONTROL) return FALSE;
    const ULONG code = sp->Parameters.FileSystemControl.FsControlCode;
    if (code == FSCTL_REQUEST_OPLOCK_LEVEL_2) return TRUE;
    if (code != FSCTL_REQUEST_OPLOCK) return FALSE;
    auto* in = static_cast<PREQUEST_OPLOCK_INPUT_BUFFER>(Irp->AssociatedIrp.SystemBuffer);
    if (!in || sp->Parameters.FileSystemControl.InputBufferLength < sizeof(REQUEST_OPLOCK_INPUT_BUFFER)) return FALSE;
    return (in->Flags & REQUEST_OPLOCK_INPUT_FLAG_REQUEST) && !(in->RequestedOplockLevel & kWrite) ? TRUE : FALSE;
}

}  // extern "C"
