// User APCs and alerts: NtQueueApcThread, NtTestAlert, NtAlertThread. A user APC is a KAPC in
// UserMode whose normal routine is the caller's PPS_APC_ROUTINE (same three-pointer shape as
// PKNORMAL_ROUTINE); it runs only in an alertable UserMode wait or at NtTestAlert (NT fact G5).
#include "nt/current_system.hpp"
#include <wdm.h>

#include "nt/handle_borrow.hpp"
#include "nt/object_reference.hpp"
#include "nt/previous_mode.hpp"

using namespace ntio::nt;

namespace {

constexpr ULONG kApcTag = 0x63704155;  // 'UApc'

// The KAPC is freed at delivery (the kernel routine runs first, with copies of the routine and
// arguments) or at rundown when the thread dies with it still queued.
// User APC objects come from one lookaside list (no general-purpose allocation per APC, gate A6;
// the free usually happens on the target thread, where a heap free would cost a cross-thread free).
PNPAGED_LOOKASIDE_LIST apc_lookaside() {
    static NPAGED_LOOKASIDE_LIST list;
    static const bool initialized = [] {
        ExInitializeNPagedLookasideList(&list, nullptr, nullptr, 0, sizeof(KAPC), kApcTag, 0);
        return true;
    }();
    (void)initialized;
    return &list;
}

// A small per-thread cache in front of the lookaside list: an APC is freed on the thread it ran
// on, which in an APC conversation is the next to queue one, so the object it reuses is already
// in its cache and neither side bounces the shared list head between cores (gate B4).
// Set when the cache was emptied at thread exit: APCs the thread's own rundown (a later
// thread-local destructor) frees go straight to the lookaside list.
thread_local bool t_apc_cache_closed = false;

struct ApcCache {
    static constexpr unsigned kCapacity = 16;
    SINGLE_LIST_ENTRY head{};
    unsigned count = 0;
    ~ApcCache() {
        t_apc_cache_closed = true;
        while (count) {
            --count;
            ExFreeToNPagedLookasideList(apc_lookaside(), PopEntryList(&head));
        }
    }
};
thread_local ApcCache t_apc_cache;

PKAPC allocate_apc() {
    ApcCache& cache = t_apc_cache;
    if (cache.count) {
        --cache.count;
        return reinterpret_cast<PKAPC>(PopEntryList(&cache.head));
    }
    return static_cast<PKAPC>(ExAllocateFromNPagedLookasideList(apc_lookaside()));
}

void free_apc(PKAPC apc) {
    ApcCache& cache = t_apc_cache;
    if (cache.count < ApcCache::kCapacity && !t_apc_cache_closed) {
        PushEntryList(&cache.head, reinterpret_cast<PSINGLE_LIST_ENTRY>(apc));
        ++cache.count;
        return;
    }
    ExFreeToNPagedLookasideList(apc_lookaside(), apc);
}

VOID free_apc_at_delivery(PKAPC apc, PKNORMAL_ROUTINE*, PVOID*, PVOID*, PVOID*) { free_apc(apc); }
VOID free_apc_at_rundown(PKAPC apc) { free_apc(apc); }

}  // namespace

extern "C" {

NTSTATUS NTAPI NtQueueApcThread(HANDLE ThreadHandle, PPS_APC_ROUTINE ApcRoutine, PVOID ApcArgument1,
                                PVOID ApcArgument2, PVOID ApcArgument3) {
    const KPROCESSOR_MODE mode = previous_mode();
    // Borrowed, not referenced: queueing never blocks nor calls a driver, and the target thread,
    // usually asleep on another CPU, is not made to share its object's reference count (gate B4).
    // A queued APC holds no reference on its thread on NT either.
    HandleBorrow<_ETHREAD> thread;
    NTSTATUS status = thread.borrow(ThreadHandle, THREAD_SET_CONTEXT, *PsThreadType, mode);
    if (!NT_SUCCESS(status)) return status;
    // NT fact G5: a terminated thread refuses the APC.
    if (PsIsThreadTerminating(thread.get())) return STATUS_UNSUCCESSFUL;
    // NT fact G5: a NULL routine is accepted and nothing is ever delivered.
    if (ApcRoutine == nullptr) return STATUS_SUCCESS;

    PKAPC apc = allocate_apc();
    if (!apc) return STATUS_NO_MEMORY;
    KeInitializeApc(apc, reinterpret_cast<PKTHREAD>(thread.get()), OriginalApcEnvironment, free_apc_at_delivery,
                    free_apc_at_rundown, reinterpret_cast<PKNORMAL_ROUTINE>(ApcRoutine), UserMode, ApcArgument1);
    if (!KeInsertQueueApc(apc, ApcArgument2, ApcArgument3, 0)) {
        free_apc(apc);
        return STATUS_UNSUCCESSFUL;
    }
    return STATUS_SUCCESS;
}

NTSTATUS NTAPI NtTestAlert(VOID) {
    // Clears a pending user-mode alert, or else runs the queued user APCs (ke emulates the return
    // to user mode that delivers them on NT).
    return KeTestAlertThread(UserMode) ? STATUS_ALERTED : STATUS_SUCCESS;
}

NTSTATUS NTAPI NtAlertThread(HANDLE ThreadHandle) {
    const KPROCESSOR_MODE mode = previous_mode();
    HandleReference<_ETHREAD> thread;
    NTSTATUS status = thread.reference(ThreadHandle, THREAD_ALERT, *PsThreadType, mode);
    if (!NT_SUCCESS(status)) return status;
    KeAlertThread(reinterpret_cast<PKTHREAD>(thread.get()), mode);
    return STATUS_SUCCESS;
}

}  // extern "C"
