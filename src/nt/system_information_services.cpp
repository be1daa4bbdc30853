// NtQuerySystemInformation and ZwQuerySystemInformation: the fixed-size classes (the machine's
// basics and processor, the time of day, the kernel debugger) answered here, the lists
// (processes, modules, handles, processor times) built by system_lists.cpp.
// https://learn.microsoft.com/windows/win32/api/winternl/nf-winternl-ntquerysysteminformation
// https://learn.microsoft.com/windows/win32/sysinfo/zwquerysysteminformation
#include "nt/current_system.hpp"
#include <ntio/ntapi.h>

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#endif

#include "host/system_usage.hpp"
#include "nt/enum_value.hpp"
#include "nt/previous_mode.hpp"
#include "nt/query_buffer.hpp"
#include "nt/system_lists.hpp"

using namespace ntio;
using namespace ntio::nt;

namespace {

// The user address range and allocation granularity of Windows x64, which GetSystemInfo reports.
constexpr ULONG_PTR kLowestUserAddress = 0x10000;                // MM_LOWEST_USER_ADDRESS
constexpr ULONG_PTR kHighestUserAddress = 0x00007FFFFFFEFFFFull;  // x64's highest user address
constexpr ULONG kAllocationGranularity = 0x10000;
// PROCESSOR_ARCHITECTURE_ARM64 and _AMD64 of <winnt.h> (the SDK's, not the DDK's).
#if defined(__aarch64__)
constexpr USHORT kArchitecture = 12;
#else
constexpr USHORT kArchitecture = 9;
#endif

SYSTEM_BASIC_INFORMATION basic_information() {
    SYSTEM_BASIC_INFORMATION info{};
    info.TimerResolution = KeQueryTimeIncrement();
    info.PageSize = PAGE_SIZE;
    // A guess where the host does not tell: physical pages numbered 1 .. the page count.
    host::MemoryUsage memory;
    if (host::memory_usage(memory)) info.NumberOfPhysicalPages = static_cast<ULONG>(memory.total_bytes / PAGE_SIZE);
    info.LowestPhysicalPageNumber = 1;
    info.HighestPhysicalPageNumber = info.NumberOfPhysicalPages;
    info.AllocationGranularity = kAllocationGranularity;
    info.MinimumUserModeAddress = kLowestUserAddress;
    info.MaximumUserModeAddress = kHighestUserAddress;
    KAFFINITY active = 0;
    info.NumberOfProcessors = static_cast<CCHAR>(KeQueryActiveProcessorCount(&active));
    info.ActiveProcessorsAffinityMask = active;
    return info;
}

// Family and model as Windows reports them for x86 processors: the level is the family, the
// revision the model in its high byte and the stepping in its low one.
// https://learn.microsoft.com/windows/win32/api/sysinfoapi/ns-sysinfoapi-system_info
// NT deviation: ProcessorFeatureBits (the kernel's KF_ flags) are 0.
SYSTEM_PROCESSOR_INFORMATION processor_information() {
    SYSTEM_PROCESSOR_INFORMATION info{};
    info.ProcessorArchitecture = kArchitecture;
#if defined(__x86_64__) || defined(__i386__)
    unsigned eax = 0, ebx = 0, ecx = 0, edx = 0;
    if (__get_cpuid(1, &eax, &ebx, &ecx, &edx)) {
        const unsigned family = (eax >> 8) & 0xF;
        const unsigned model = (eax >> 4) & 0xF;
        const unsigned extended_family = family == 0xF ? (eax >> 20) & 0xFF : 0;
        const unsigned extended_model = family == 0x6 || family == 0xF ? ((eax >> 16) & 0xF) << 4 : 0;
        info.ProcessorLevel = static_cast<USHORT>(family + extended_family);
        info.ProcessorRevision = static_cast<USHORT>(((model + extended_model) << 8) | (eax & 0xF));
    }
#endif
    info.MaximumProcessors = static_cast<USHORT>(KeQueryMaximumProcessorCount());
    return info;
}

// The boot is when the interrupt time (GetTickCount's clock) was 0; the bias is UTC minus local
// time now. NT deviation: TimeZoneId is TIME_ZONE_ID_UNKNOWN (0) and no sleep is accounted.
SYSTEM_TIMEOFDAY_INFORMATION time_of_day_information() {
    SYSTEM_TIMEOFDAY_INFORMATION info{};
    KeQuerySystemTime(&info.CurrentTime);
    info.BootTime.QuadPart = info.CurrentTime.QuadPart - static_cast<LONGLONG>(KeQueryInterruptTime());
    LARGE_INTEGER local;
    ExSystemTimeToLocalTime(&info.CurrentTime, &local);
    info.TimeZoneBias.QuadPart = info.CurrentTime.QuadPart - local.QuadPart;
    return info;
}

// No kernel debugger attaches to ntio (KD_DEBUGGER_NOT_PRESENT).
SYSTEM_KERNEL_DEBUGGER_INFORMATION kernel_debugger_information() {
    SYSTEM_KERNEL_DEBUGGER_INFORMATION info{};
    info.KernelDebuggerEnabled = FALSE;
    info.KernelDebuggerNotPresent = TRUE;
    return info;
}

template <class Info>
NTSTATUS answer_fixed(KPROCESSOR_MODE mode, PVOID buffer, ULONG length, PULONG return_length, Info (*fill)()) {
    NTSTATUS status = check_fixed_query<Info>(mode, true, buffer, length, return_length);
    if (!NT_SUCCESS(status)) return status;
    write_fixed_query(mode, buffer, return_length, fill());
    return STATUS_SUCCESS;
}

// A list: the buffer and the length pointer are probed first; then the whole answer is built and
// either copied (when it fits) or only its size reported. Learn: ReturnLength receives "the actual
// size of the information requested. If that size is less than or equal to the
// SystemInformationLength parameter, the function copies the information into the
// SystemInformation buffer; otherwise, it returns an NTSTATUS error code and returns in
// ReturnLength the size of buffer required". The error code Windows returns for these classes is
// STATUS_INFO_LENGTH_MISMATCH (Learn names none).
template <class Build>
NTSTATUS answer_list(KPROCESSOR_MODE mode, PVOID buffer, ULONG length, PULONG return_length, Build&& build) {
    if (NTSTATUS status = probe_built_query(mode, buffer, length, return_length, alignof(ULONG)); !NT_SUCCESS(status))
        return status;
    const std::vector<unsigned char> answer = build();
    // A guess: a host that cannot tell the processors' times fails the query as unsuccessful.
    if (answer.empty()) return STATUS_UNSUCCESSFUL;
    const auto needed = static_cast<ULONG>(answer.size());
    if (needed > length) {
        if (return_length) (void)write_caller(mode, return_length, needed);
        return STATUS_INFO_LENGTH_MISMATCH;
    }
    return write_built_query(mode, buffer, return_length, answer, alignof(ULONG));
}

}  // namespace

extern "C" {

// The classes ntio answers:
// - fixed (the length must be the structure's, else STATUS_INFO_LENGTH_MISMATCH):
//   SystemBasicInformation, SystemProcessorInformation, SystemTimeOfDayInformation,
//   SystemKernelDebuggerInformation;
// - lists (too short a buffer is STATUS_INFO_LENGTH_MISMATCH with the size needed in
//   *ReturnLength): SystemProcessInformation, SystemProcessorPerformanceInformation,
//   SystemModuleInformation, SystemHandleInformation, SystemExtendedHandleInformation.
// NT deviation: every other class, SystemPerformanceInformation and SystemRegistryQuotaInformation
// included (ntio keeps no figures to fill them honestly), is STATUS_INVALID_INFO_CLASS
// (docs/nt-deviations.md).
NTSTATUS NTAPI NtQuerySystemInformation(SYSTEM_INFORMATION_CLASS SystemInformationClass, PVOID SystemInformation,
                                        ULONG SystemInformationLength, PULONG ReturnLength) {
    const KPROCESSOR_MODE mode = previous_mode();
    PVOID const buffer = SystemInformation;
    const ULONG length = SystemInformationLength;
    switch (enum_value(SystemInformationClass)) {
    case SystemBasicInformation:
        return answer_fixed(mode, buffer, length, ReturnLength, basic_information);
    case SystemProcessorInformation:
        return answer_fixed(mode, buffer, length, ReturnLength, processor_information);
    case SystemTimeOfDayInformation:
        return answer_fixed(mode, buffer, length, ReturnLength, time_of_day_information);
    case SystemKernelDebuggerInformation:
        return answer_fixed(mode, buffer, length, ReturnLength, kernel_debugger_information);
    case SystemProcessInformation:
        return answer_list(mode, buffer, length, ReturnLength,
                           [&] { return process_list(*System::current(), buffer); });
    case SystemProcessorPerformanceInformation:
        return answer_list(mode, buffer, length, ReturnLength, [] { return processor_performance_list(); });
    case SystemModuleInformation:
        return answer_list(mode, buffer, length, ReturnLength, [] { return module_list(*System::current()); });
    case SystemHandleInformation:
        return answer_list(mode, buffer, length, ReturnLength, [] { return handle_list(*System::current(), false); });
    case SystemExtendedHandleInformation:
        return answer_list(mode, buffer, length, ReturnLength, [] { return handle_list(*System::current(), true); });
    default:
        return STATUS_INVALID_INFO_CLASS;
    }
}

// https://learn.microsoft.com/windows/win32/sysinfo/zwquerysysteminformation
NTSTATUS NTAPI ZwQuerySystemInformation(SYSTEM_INFORMATION_CLASS SystemInformationClass, PVOID SystemInformation,
                                        ULONG SystemInformationLength, PULONG ReturnLength) {
    KernelModeCall kernel;
    return NtQuerySystemInformation(SystemInformationClass, SystemInformation, SystemInformationLength,
                                    ReturnLength);
}

}  // extern "C"
