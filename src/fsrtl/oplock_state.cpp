// The life of an OPLOCK's state and of the IRPs it parks: parking with a cancel routine, taking an
// IRP back from the cancel machinery, releasing the operations that wait for the breaks to end, and
// the routines that only look (FsRtlCurrentOplock and its neighbours) or tear down.
#include "fsrtl/oplock_state.hpp"

#include <new>

using namespace ntio::fsrtl::oplock;

namespace {

// IoCancelIrp on a parked IRP (a granted request, a waiting operation, a break-notify request): it
// leaves its list and completes with STATUS_CANCELLED. Cancelling a granted request gives the oplock
// up (MS-FSA 2.1.5.17.1: the oplock is released when its request is cancelled).
VOID NTAPI cancel_parked(PDEVICE_OBJECT, PIRP Irp) {
    IoReleaseCancelSpinLock(Irp->CancelIrql);
    auto* state = static_cast<State*>(Irp->Tail.Overlay.DriverContext[0]);
    bool found = false;
    {
        std::lock_guard<std::mutex> guard(state->m_lock);
        auto drop = [&](auto& list, auto irp_of) {
            for (auto it = list.begin(); it != list.end(); ++it) {
                if (irp_of(*it) != Irp) continue;
                list.erase(it);
                found = true;
                return;
            }
        };
        drop(state->m_grants, [](const Grant& g) { return g.irp; });
        if (!found) drop(state->m_waiters, [](const Waiter& w) { return w.irp; });
        if (!found) drop(state->m_notify, [](PIRP p) { return p; });
        if (!found) drop(state->m_cancelling, [](PIRP p) { return p; });
    }
    if (!found) return;
    Irp->IoStatus.Status = STATUS_CANCELLED;
    Irp->IoStatus.Information = 0;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    state->release();
}

}  // namespace

namespace ntio::fsrtl::oplock {

bool State::park_locked(PIRP irp) {
    IoMarkIrpPending(irp);
    irp->Tail.Overlay.DriverContext[0] = this;
    (void)IoSetCancelRoutine(irp, cancel_parked);
    // A cancel that came before the routine was set found none: the caller completes the IRP.
    if (__atomic_load_n(&irp->Cancel, __ATOMIC_SEQ_CST) && IoSetCancelRoutine(irp, nullptr) != nullptr) return false;
    add_ref();
    return true;
}

bool State::unpark_locked(PIRP irp) {
    if (IoSetCancelRoutine(irp, nullptr) != nullptr) {
        release();  // the park's reference; the OPLOCK's own keeps the state alive here
        return true;
    }
    m_cancelling.push_back(irp);
    return false;
}

bool State::has_breaking_for_locked(PFILE_OBJECT requester) const noexcept {
    for (const Breaking& b : m_breaking)
        if (!same_key(b.owner, requester)) return true;
    return false;
}

void State::release_if_idle_locked(Deferred& deferred) {
    if (!m_breaking.empty()) return;
    for (const Waiter& w : m_waiters) {
        if (w.event || !w.irp || unpark_locked(w.irp)) deferred.released.push_back(w);
    }
    m_waiters.clear();
    for (PIRP irp : m_notify)
        if (unpark_locked(irp)) deferred.completions.push_back({irp, STATUS_SUCCESS, 0});
    m_notify.clear();
}

void State::release() noexcept {
    if (m_refs.fetch_sub(1, std::memory_order_acq_rel) == 1) delete this;
}

State* state_of(POPLOCK oplock) noexcept {
    return oplock ? static_cast<State*>(__atomic_load_n(oplock, __ATOMIC_ACQUIRE)) : nullptr;
}

State* state_for(POPLOCK oplock) {
    if (State* existing = state_of(oplock)) return existing;
    auto* made = new (std::nothrow) State;
    if (!made) return nullptr;
    PVOID expected = nullptr;
    if (__atomic_compare_exchange_n(oplock, &expected, static_cast<PVOID>(made), false, __ATOMIC_ACQ_REL,
                                    __ATOMIC_ACQUIRE))
        return made;
    delete made;
    return static_cast<State*>(expected);
}

void finish(Deferred& deferred) {
    for (const Deferred::Completion& c : deferred.completions) {
        c.irp->IoStatus.Status = c.status;
        c.irp->IoStatus.Information = c.information;
        IoCompleteRequest(c.irp, IO_NO_INCREMENT);
    }
    for (const Waiter& w : deferred.released) {
        if (w.event) {
            (void)KeSetEvent(&w.event->event, IO_NO_INCREMENT, FALSE);
            w.event->release();
        } else {
            w.routine(w.context, w.irp);
        }
    }
}

ULONG_PTR write_win7_output(PIRP irp, ULONG original, ULONG new_level, bool ack_required) {
    auto* out = static_cast<PREQUEST_OPLOCK_OUTPUT_BUFFER>(irp->AssociatedIrp.SystemBuffer);
    *out = {};
    out->StructureVersion = REQUEST_OPLOCK_CURRENT_VERSION;
    out->StructureLength = sizeof(REQUEST_OPLOCK_OUTPUT_BUFFER);
    out->OriginalOplockLevel = original;
    out->NewOplockLevel = new_level;
    out->Flags = ack_required ? REQUEST_OPLOCK_OUTPUT_FLAG_ACK_REQUIRED : 0;
    return sizeof(REQUEST_OPLOCK_OUTPUT_BUFFER);
}

}  // namespace ntio::fsrtl::oplock

extern "C" {

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-fsrtlinitializeoplock
// The state is made when the first oplock request arrives, so files nobody oplocks cost nothing.
NTKERNELAPI VOID NTAPI FsRtlInitializeOplock(POPLOCK Oplock) {
    if (Oplock) *Oplock = nullptr;
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-fsrtluninitializeoplock
// Everything still pending ends: granted requests complete as broken to none (a Windows 7 request as
// its handle closed), waiting operations go on, break-notify requests complete.
NTKERNELAPI VOID NTAPI FsRtlUninitializeOplock(POPLOCK Oplock) {
    State* state = state_of(Oplock);
    if (!state) return;
    *Oplock = nullptr;
    Deferred deferred;
    {
        std::lock_guard<std::mutex> guard(state->m_lock);
        for (const Grant& g : state->m_grants) {
            if (!g.irp || !state->unpark_locked(g.irp)) continue;
            if (g.kind == Kind::win7) {
                deferred.completions.push_back(
                    {g.irp, STATUS_OPLOCK_HANDLE_CLOSED, write_win7_output(g.irp, g.level, 0, false)});
            } else {
                deferred.completions.push_back({g.irp, STATUS_SUCCESS, FILE_OPLOCK_BROKEN_TO_NONE});
            }
        }
        state->m_grants.clear();
        state->m_breaking.clear();
        state->release_if_idle_locked(deferred);
    }
    finish(deferred);
    state->release();
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-fsrtloplockisfastiopossible
// Fast I/O would bypass the break checks: not while a break is under way or shared (read-caching
// only) oplocks are held, since a fast write would have to break them.
NTKERNELAPI BOOLEAN NTAPI FsRtlOplockIsFastIoPossible(POPLOCK Oplock) {
    State* state = state_of(Oplock);
    if (!state) return TRUE;
    std::lock_guard<std::mutex> guard(state->m_lock);
    if (!state->m_breaking.empty()) return FALSE;
    for (const Grant& g : state->m_grants)
        if (!(g.level & kWrite)) return FALSE;
    return TRUE;
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-fstrloplockgetanybreakownerprocess
// The exclusive owner's process (an oplock that caches writes, granted or breaking), else the first
// breaking owner's, else NULL; referenced. A process that is gone by now is NULL too.
NTKERNELAPI PEPROCESS NTAPI FsRtlOplockGetAnyBreakOwnerProcess(POPLOCK Oplock) {
    State* state = state_of(Oplock);
    if (!state) return nullptr;
    HANDLE owner = nullptr;
    {
        std::lock_guard<std::mutex> guard(state->m_lock);
        for (const Grant& g : state->m_grants)
            if (g.level & kWrite) owner = g.process;
        for (const Breaking& b : state->m_breaking)
            if (b.exclusive) owner = b.process;
        if (!owner && !state->m_breaking.empty()) owner = state->m_breaking.front().process;
    }
    PEPROCESS process = nullptr;
    if (!owner || !NT_SUCCESS(PsLookupProcessByProcessId(owner, &process))) return nullptr;
    return process;
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-fsrtlcurrentbatchoplock
NTKERNELAPI BOOLEAN NTAPI FsRtlCurrentBatchOplock(POPLOCK Oplock) {
    State* state = state_of(Oplock);
    if (!state) return FALSE;
    std::lock_guard<std::mutex> guard(state->m_lock);
    for (const Grant& g : state->m_grants)
        if (g.kind == Kind::batch || g.kind == Kind::filter) return TRUE;
    for (const Breaking& b : state->m_breaking)
        if (b.kind == Kind::batch || b.kind == Kind::filter) return TRUE;
    return FALSE;
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-fsrtlcurrentoplock
NTKERNELAPI BOOLEAN NTAPI FsRtlCurrentOplock(POPLOCK Oplock) {
    State* state = state_of(Oplock);
    if (!state) return FALSE;
    std::lock_guard<std::mutex> guard(state->m_lock);
    return !state->m_grants.empty() || !state->m_breaking.empty();
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-fsrtlcurrentoplockh
// Oplocks that cache handles: batch, filter, RH and RWH.
NTKERNELAPI BOOLEAN NTAPI FsRtlCurrentOplockH(POPLOCK Oplock) {
    State* state = state_of(Oplock);
    if (!state) return FALSE;
    std::lock_guard<std::mutex> guard(state->m_lock);
    for (const Grant& g : state->m_grants)
        if (g.level & kHandle) return TRUE;
    for (const Breaking& b : state->m_breaking)
        if (b.to_level & kHandle) return TRUE;
    return FALSE;
}

}  // extern "C"
