// KeStackAttachProcess / KeUnstackDetachProcess and the older KeAttachProcess / KeDetachProcess:
// the calling thread acts in another process (the process ob::current_process() answers, whose
// handle table its handle operations use) until it detaches. ntio's processes share the host
// address space, so attaching changes which process the thread acts in, not which memory it sees.
// The driver-level attaches form a per-thread stack, linked through the callers' KAPC_STATEs, apart
// from the attaches ntio makes for itself (ProcessAttach), so that nesting is checked against the
// driver's own calls.
#include "ob/process.hpp"

#include <ntifs.h>

namespace ntio::ob {
namespace {

// The innermost KeStackAttachProcess state not yet detached; each state's ApcListHead[0].Flink
// points to the one before it.
constinit thread_local PRKAPC_STATE t_stack_top = nullptr;
// KeAttachProcess's attach: whether one is in force, and the process the thread acted in before.
constinit thread_local bool t_legacy_attached = false;
constinit thread_local PEPROCESS t_legacy_previous = nullptr;

// ApcState.Process of an attach to the process the thread already acts in: nothing to undo.
PRKPROCESS const kAlreadyThere = reinterpret_cast<PRKPROCESS>(1);

ULONG_PTR ptr(const void* p) noexcept { return reinterpret_cast<ULONG_PTR>(p); }
ULONG_PTR apc_state_index() noexcept { return t_stack_top || t_legacy_attached ? 1 : 0; }

// Bug check 0x5's parameters: target (or original) process, the process attached to, the APC state
// index, whether a DPC is running.
// https://learn.microsoft.com/windows-hardware/drivers/debugger/bug-check-0x5--invalid-process-attach-attempt
[[noreturn]] void invalid_attach(const void* process, bool in_dpc) {
    KeBugCheckEx(INVALID_PROCESS_ATTACH_ATTEMPT, ptr(process), ptr(current_process()), apc_state_index(),
                 in_dpc ? 1 : 0);
    __builtin_unreachable();
}

void check_attach(PRKPROCESS process) {
    const bool in_dpc = KeIsExecutingDpc() != FALSE;
    if (in_dpc || !process || process->Header.Type != ProcessObject) invalid_attach(process, in_dpc);
}

}  // namespace
}  // namespace ntio::ob

using namespace ntio::ob;

extern "C" {

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-kestackattachprocess
NTKERNELAPI VOID KeStackAttachProcess(PRKPROCESS PROCESS, PRKAPC_STATE ApcState) {
    check_attach(PROCESS);
    auto* target = static_cast<PEPROCESS>(PROCESS);
    ApcState->ApcListHead[KernelMode].Flink = reinterpret_cast<PLIST_ENTRY>(t_stack_top);
    ApcState->ApcListHead[KernelMode].Blink = nullptr;
    InitializeListHead(&ApcState->ApcListHead[UserMode]);
    ApcState->KernelApcInProgress = FALSE;
    ApcState->KernelApcPending = FALSE;
    ApcState->UserApcPending = FALSE;
    if (current_process() == target) {
        ApcState->Process = kAlreadyThere;
    } else {
        ApcState->Process = t_attached;
        t_attached = target;
    }
    t_stack_top = ApcState;
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-keunstackdetachprocess
// NT deviation: the parameters of bug check 0x6 are the state given, the innermost one not yet
// detached and the APC state index.
NTKERNELAPI VOID KeUnstackDetachProcess(PRKAPC_STATE ApcState) {
    if (ApcState != t_stack_top)
        KeBugCheckEx(INVALID_PROCESS_DETACH_ATTEMPT, ptr(ApcState), ptr(t_stack_top), apc_state_index(), 0);
    t_stack_top = reinterpret_cast<PRKAPC_STATE>(ApcState->ApcListHead[KernelMode].Flink);
    if (ApcState->Process != kAlreadyThere) t_attached = static_cast<PEPROCESS>(ApcState->Process);
}

// Obsolete (KeStackAttachProcess replaced it); no Learn reference page remains. Bug check 0x5 names
// it: https://learn.microsoft.com/windows-hardware/drivers/debugger/bug-check-0x5--invalid-process-attach-attempt
NTKERNELAPI VOID KeAttachProcess(PRKPROCESS Process) {
    check_attach(Process);
    auto* target = static_cast<PEPROCESS>(Process);
    if (current_process() == target) return;
    if (t_legacy_attached || t_stack_top) invalid_attach(Process, false);
    t_legacy_previous = t_attached;
    t_legacy_attached = true;
    t_attached = target;
}

// Detaching with a KeStackAttachProcess still in force is a detach out of order.
NTKERNELAPI VOID KeDetachProcess(VOID) {
    if (!t_legacy_attached) return;
    if (t_stack_top)
        KeBugCheckEx(INVALID_PROCESS_DETACH_ATTEMPT, 0, ptr(t_stack_top), apc_state_index(), 0);
    t_attached = t_legacy_previous;
    t_legacy_previous = nullptr;
    t_legacy_attached = false;
}

}  // extern "C"
