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

NTKERNELAPI KAFFINITY KeQueryActiveProcessors(VOID) {
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

}  // extern "C"
