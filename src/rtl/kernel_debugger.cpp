// The kernel debugger controls drivers call (Kd*). No kernel debugger is ever attached to ntio
// (NT fact S21: DbgBreakPoint continues), which is a Windows machine booted without debug controls:
// the debugger is not enabled and not present, and the routines that would change it say so.
// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-kddisabledebugger
// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-kdchangeoption
#include <wdm.h>

namespace ntio::rtl {
namespace kernel_debugger {

BOOLEAN g_enabled = FALSE;
BOOLEAN g_not_present = TRUE;

}  // namespace kernel_debugger
}  // namespace ntio::rtl

extern "C" {

// Drivers read these through the pointers (KD_DEBUGGER_ENABLED, KD_DEBUGGER_NOT_PRESENT).
NTKERNELAPI PBOOLEAN KdDebuggerEnabled = &ntio::rtl::kernel_debugger::g_enabled;
NTKERNELAPI PBOOLEAN KdDebuggerNotPresent = &ntio::rtl::kernel_debugger::g_not_present;

// "If the operating system was booted with no debug controls, KdDisableDebugger returns
// STATUS_DEBUGGER_INACTIVE" (Learn), and likewise KdEnableDebugger.
NTKERNELAPI NTSTATUS NTAPI KdDisableDebugger(VOID) { return STATUS_DEBUGGER_INACTIVE; }
NTKERNELAPI NTSTATUS NTAPI KdEnableDebugger(VOID) { return STATUS_DEBUGGER_INACTIVE; }

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-kdrefreshdebuggernotpresent
// Nothing to refresh from: still not present.
NTKERNELAPI BOOLEAN NTAPI KdRefreshDebuggerNotPresent(VOID) { return *KdDebuggerNotPresent; }

// Learn's order of checks: an unknown option is STATUS_INVALID_INFO_CLASS and wrong buffers for
// KD_OPTION_SET_BLOCK_ENABLE STATUS_INVALID_PARAMETER; a system booted without debug controls then
// answers STATUS_DEBUGGER_INACTIVE. (Learn lists the statuses without an order: checking the
// arguments first is the conservative reading, so bad arguments are reported as such.)
NTKERNELAPI NTSTATUS NTAPI KdChangeOption(KD_OPTION Option, ULONG InBufferBytes, PVOID InBuffer, ULONG OutBufferBytes,
                                          PVOID OutBuffer, PULONG OutBufferNeeded) {
    if (OutBufferNeeded) *OutBufferNeeded = 0;
    if (Option != KD_OPTION_SET_BLOCK_ENABLE) return STATUS_INVALID_INFO_CLASS;
    if (InBufferBytes != sizeof(BOOLEAN) || !InBuffer || OutBufferBytes != 0 || OutBuffer) return STATUS_INVALID_PARAMETER;
    return STATUS_DEBUGGER_INACTIVE;
}

}  // extern "C"
