// User APCs and alerts: NtQueueApcThread, NtTestAlert, NtAlertThread. A user APC is a KAPC in
// UserMode whose normal routine is the caller's PPS_APC_ROUTINE (same three-pointer shape as
// PKNORMAL_ROUTINE); it runs only in an alertable UserMode wait or at NtTestAlert (NT fact G5).
#include "nt/current_system.hpp"
#include <wdm.h>

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

VOID free_apc_at_delivery(PKAPC apc, PKNORMAL_ROUTINE*, PVOID*, PVOID*, PVOID*) {
    ExFreeToNPagedLookasideList(apc_lookaside(), apc);
}
VOID free_apc_at_rundown(PKAPC apc) { ExFreeToNPagedLookasideList(apc_lookaside(), apc); }

}  // namespace

extern "C" {

NTSTATUS NTAPI NtQueueApcThread(HANDLE ThreadHandle, PPS_APC_ROUTINE ApcRoutine, PVOID ApcArgument1,
                                PVOID ApcArgument2, PVOID ApcArgument3) {
    const KPROCESSOR_MODE mode = previous_mode();
    HandleReference<_ETHREAD> thread;
    NTSTATUS status = thread.reference(ThreadHandle, THREAD_SET_CONTEXT, *PsThreadType, mode);
    if (!NT_SUCCESS(status)) return status;
    // NT fact G5: a terminated thread refuses the APC.
    if (PsIsThreadTerminating(thread.get())) return STATUS_UNSUCCESSFUL;
    // NT fact G5: a NULL routine is accepted and nothing is ever delivered.
    if (ApcRoutine == nullptr) return STATUS_SUCCESS;

    auto* apc = static_cast<PKAPC>(ExAllocateFromNPagedLookasideList(apc_lookaside()));
    if (!apc) return STATUS_NO_MEMORY;
    KeInitializeApc(apc, reinterpret_cast<PKTHREAD>(thread.get()), OriginalApcEnvironment, free_apc_at_delivery,
                    free_apc_at_rundown, reinterpret_cast<PKNORMAL_ROUTINE>(ApcRoutine), UserMode, ApcArgument1);
    if (!KeInsertQueueApc(apc, ApcArgument2, ApcArgument3, 0)) {
        ExFreeToNPagedLookasideList(apc_lookaside(), apc);
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
