// Time and processor queries. Interrupt time is CLOCK_MONOTONIC, system time CLOCK_REALTIME, both
// in 100 ns units; the tick is the 15.625 ms of a default Windows clock.
#include <algorithm>
#include <atomic>
#include <cstdint>
#include <ctime>
#include <memory>
#include <mutex>
#include <new>
#include <utility>
#include <vector>

#include "host/clock.hpp"
#include "host/cpu.hpp"
#include "ke/kernel.hpp"
#include "verifier/verifier.hpp"

using namespace ntio;
using namespace ntio::ke;

namespace {
constexpr ULONG kTimeIncrement = 156250;  // 100 ns units per clock tick

unsigned processors() noexcept {
    _KTHREAD* t = current_thread();
    return t ? t->m_kernel->processor_count() : host::cpu_count();
}
}  // namespace

extern "C" {

NTKERNELAPI VOID KeQuerySystemTime(PLARGE_INTEGER CurrentTime) { CurrentTime->QuadPart = host::system_time(); }

NTKERNELAPI VOID KeQuerySystemTimePrecise(PLARGE_INTEGER CurrentTime) { CurrentTime->QuadPart = host::system_time(); }

NTKERNELAPI ULONGLONG KeQueryInterruptTime(VOID) { return host::interrupt_time(); }

NTKERNELAPI ULONGLONG KeQueryInterruptTimePrecise(PULONG64 QpcTimeStamp) {
    ULONGLONG now = host::interrupt_time();
    if (QpcTimeStamp) *QpcTimeStamp = now;
    return now;
}

NTKERNELAPI VOID KeQueryTickCount(PLARGE_INTEGER CurrentCount) {
    CurrentCount->QuadPart = static_cast<LONGLONG>(host::interrupt_time() / kTimeIncrement);
}

NTKERNELAPI ULONG KeQueryTimeIncrement(VOID) { return kTimeIncrement; }

NTKERNELAPI LARGE_INTEGER KeQueryPerformanceCounter(PLARGE_INTEGER PerformanceFrequency) {
    if (PerformanceFrequency) PerformanceFrequency->QuadPart = static_cast<LONGLONG>(host::kPerformanceFrequency);
    LARGE_INTEGER counter;
    counter.QuadPart = static_cast<LONGLONG>(host::performance_counter());
    return counter;
}

NTKERNELAPI VOID KeStallExecutionProcessor(ULONG MicroSeconds) {
    const ULONGLONG until = host::interrupt_time() + static_cast<ULONGLONG>(MicroSeconds) * 10;
    while (host::interrupt_time() < until) host::cpu_relax();
}

NTKERNELAPI ULONG KeGetCurrentProcessorNumberEx(PPROCESSOR_NUMBER ProcNumber) {
    _KTHREAD* t = current_thread();
    ULONG number = t ? current_processor(*t->m_kernel) : host::current_cpu();
    if (ProcNumber) {
        ProcNumber->Group = 0;
        ProcNumber->Number = static_cast<UCHAR>(number);
        ProcNumber->Reserved = 0;
    }
    return number;
}

NTKERNELAPI ULONG KeGetCurrentProcessorNumber(VOID) { return KeGetCurrentProcessorNumberEx(nullptr); }

NTKERNELAPI ULONG KeQueryActiveProcessorCount(PKAFFINITY ActiveProcessors) {
    unsigned n = processors();
    if (ActiveProcessors) *ActiveProcessors = n >= 64 ? ~KAFFINITY{0} : ((KAFFINITY{1} << n) - 1);
    return n;
}

NTKERNELAPI ULONG KeQueryActiveProcessorCountEx(USHORT GroupNumber) {
    return (GroupNumber == 0 || GroupNumber == ALL_PROCESSOR_GROUPS) ? processors() : 0;
}

NTKERNELAPI ULONG KeQueryMaximumProcessorCount(VOID) { return processors(); }

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-kequeryactivegroupcount
// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-kequerymaximumgroupcount
// One processor group (see KeGetProcessorNumberFromIndex).
NTKERNELAPI USHORT KeQueryActiveGroupCount(VOID) { return 1; }
NTKERNELAPI USHORT KeQueryMaximumGroupCount(VOID) { return 1; }

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-kequerygroupaffinity
// Group 0 holds every processor; another group number is one the system does not have (0).
NTKERNELAPI KAFFINITY KeQueryGroupAffinity(USHORT GroupNumber) {
    if (GroupNumber != 0) return 0;
    KAFFINITY affinity;
    KeQueryActiveProcessorCount(&affinity);
    return affinity;
}

NTKERNELAPI KAFFINITY KeQueryActiveProcessors(VOID) {
    NTIO_VERIFY_DDI(ntio::verifier::DdiRule::KeApcLte1);
    KAFFINITY affinity;
    KeQueryActiveProcessorCount(&affinity);
    return affinity;
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-kequeryunbiasedinterrupttime
// The host's CLOCK_MONOTONIC, which stops while the machine sleeps (as does KeQueryInterruptTime's,
// see nt-deviations).
NTKERNELAPI ULONGLONG KeQueryUnbiasedInterruptTime(VOID) { return host::interrupt_time(); }

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-kegetprocessornumberfromindex
NTKERNELAPI NTSTATUS KeGetProcessorNumberFromIndex(ULONG ProcIndex, PPROCESSOR_NUMBER ProcNumber) {
    if (!ProcNumber || ProcIndex >= processors()) return STATUS_INVALID_PARAMETER;
    ProcNumber->Group = 0;
    ProcNumber->Number = static_cast<UCHAR>(ProcIndex);
    ProcNumber->Reserved = 0;
    return STATUS_SUCCESS;
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-kegetprocessorindexfromnumber
NTKERNELAPI ULONG KeGetProcessorIndexFromNumber(PPROCESSOR_NUMBER ProcNumber) {
    if (!ProcNumber || ProcNumber->Group != 0 || ProcNumber->Number >= processors()) return INVALID_PROCESSOR_INDEX;
    return ProcNumber->Number;
}

// ---- System affinity ----
// NT deviation: ntio's processors are emulated; a system affinity is recorded in the thread and the
// processor number the thread reports (KeGetCurrentProcessorNumberEx, DPC targeting) stays inside
// it, but the host scheduler is not told, so the host thread keeps running wherever Linux puts it.

}  // extern "C"
namespace {
KAFFINITY active_mask() noexcept {
    const unsigned n = processors();
    return n >= 64 ? ~KAFFINITY{0} : ((KAFFINITY{1} << n) - 1);
}

// Valid: only bits of logical processors, and at least one of them active (one group: all are).
bool valid_affinity(KAFFINITY affinity) noexcept { return affinity != 0 && (affinity & ~active_mask()) == 0; }
}  // namespace
extern "C" {

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-kesetsystemaffinitythreadex
// Returns the previous system affinity, 0 when the thread ran with its user affinity. An invalid
// mask changes nothing; the return value then restores the current state when reverted.
NTKERNELAPI KAFFINITY KeSetSystemAffinityThreadEx(KAFFINITY Affinity) {
    _KTHREAD* t = current_thread();
    if (!t) return 0;
    const KAFFINITY previous = t->m_system_affinity;
    if (valid_affinity(Affinity)) t->m_system_affinity = Affinity;
    return previous;
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-kereverttouseraffinitythreadex
// Zero restores the user affinity; a nonzero value becomes the system affinity if it is valid.
NTKERNELAPI VOID KeRevertToUserAffinityThreadEx(KAFFINITY Affinity) {
    _KTHREAD* t = current_thread();
    if (!t || t->m_system_affinity == 0) return;  // no KeSetSystemAffinityThreadEx before: no effect
    if (Affinity == 0) {
        t->m_system_affinity = 0;
    } else if (valid_affinity(Affinity)) {
        t->m_system_affinity = Affinity;
    }
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-kesetsystemaffinitythread
// The older pair: no previous affinity to hand back, the revert always returns to the user affinity.
// An invalid mask changes nothing, as the Ex form does.
NTKERNELAPI VOID KeSetSystemAffinityThread(KAFFINITY Affinity) { (void)KeSetSystemAffinityThreadEx(Affinity); }

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-kereverttouseraffinitythread
NTKERNELAPI VOID KeRevertToUserAffinityThread(VOID) {
    if (_KTHREAD* t = current_thread()) t->m_system_affinity = 0;
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-kesetsystemgroupaffinitythread
// One group (0). *PreviousAffinity gets the previous system affinity, Mask 0 standing for "the user
// affinity" (a value only KeRevertToUserGroupAffinityThread understands). An invalid group or mask
// changes nothing.
NTKERNELAPI VOID KeSetSystemGroupAffinityThread(PGROUP_AFFINITY Affinity, PGROUP_AFFINITY PreviousAffinity) {
    _KTHREAD* t = current_thread();
    if (PreviousAffinity) {
        PreviousAffinity->Mask = t ? t->m_system_affinity : 0;
        PreviousAffinity->Group = 0;
        PreviousAffinity->Reserved[0] = PreviousAffinity->Reserved[1] = PreviousAffinity->Reserved[2] = 0;
    }
    if (!t || !Affinity || Affinity->Group != 0 || !valid_affinity(Affinity->Mask)) return;
    t->m_system_affinity = Affinity->Mask;
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-kereverttousergroupaffinitythread
NTKERNELAPI VOID KeRevertToUserGroupAffinityThread(PGROUP_AFFINITY PreviousAffinity) {
    _KTHREAD* t = current_thread();
    if (!t || !PreviousAffinity) return;
    if (PreviousAffinity->Mask == 0) {
        t->m_system_affinity = 0;
    } else if (PreviousAffinity->Group == 0 && valid_affinity(PreviousAffinity->Mask)) {
        t->m_system_affinity = PreviousAffinity->Mask;
    }
}

}  // extern "C"
