// The virtual memory Zw* routines drivers call: each runs the Nt* service with PreviousMode KernelMode.
// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-zwallocatevirtualmemory
// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-zwfreevirtualmemory
// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-zwqueryvirtualmemory
// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-zwflushvirtualmemory
#include "nt/current_system.hpp"
#include <ntio/ntapi.h>
#include <ntifs.h>

#include "nt/previous_mode.hpp"
#include "verifier/verifier.hpp"

using ntio::nt::KernelModeCall;

extern "C" {

NTSTATUS NTAPI ZwAllocateVirtualMemory(HANDLE ProcessHandle, PVOID* BaseAddress, ULONG_PTR ZeroBits,
                                       PSIZE_T RegionSize, ULONG AllocationType, ULONG Protect) {
    NTIO_VERIFY_DDI(ntio::verifier::DdiRule::ZwPassive);
    KernelModeCall kernel;
    return NtAllocateVirtualMemory(ProcessHandle, BaseAddress, ZeroBits, RegionSize, AllocationType, Protect);
}

NTSTATUS NTAPI ZwFreeVirtualMemory(HANDLE ProcessHandle, PVOID* BaseAddress, PSIZE_T RegionSize, ULONG FreeType) {
    NTIO_VERIFY_DDI(ntio::verifier::DdiRule::ZwPassive);
    KernelModeCall kernel;
    return NtFreeVirtualMemory(ProcessHandle, BaseAddress, RegionSize, FreeType);
}

NTSTATUS NTAPI ZwProtectVirtualMemory(HANDLE ProcessHandle, PVOID* BaseAddress, PSIZE_T RegionSize, ULONG NewProtect,
                                      PULONG OldProtect) {
    NTIO_VERIFY_DDI(ntio::verifier::DdiRule::ZwPassive);
    KernelModeCall kernel;
    return NtProtectVirtualMemory(ProcessHandle, BaseAddress, RegionSize, NewProtect, OldProtect);
}

NTSTATUS NTAPI ZwQueryVirtualMemory(HANDLE ProcessHandle, PVOID BaseAddress,
                                    MEMORY_INFORMATION_CLASS MemoryInformationClass, PVOID MemoryInformation,
                                    SIZE_T MemoryInformationLength, PSIZE_T ReturnLength) {
    NTIO_VERIFY_DDI(ntio::verifier::DdiRule::ZwPassive);
    KernelModeCall kernel;
    return NtQueryVirtualMemory(ProcessHandle, BaseAddress, MemoryInformationClass, MemoryInformation,
                                MemoryInformationLength, ReturnLength);
}

NTSTATUS NTAPI ZwLockVirtualMemory(HANDLE ProcessHandle, PVOID* BaseAddress, PSIZE_T RegionSize, ULONG MapType) {
    NTIO_VERIFY_DDI(ntio::verifier::DdiRule::ZwPassive);
    KernelModeCall kernel;
    return NtLockVirtualMemory(ProcessHandle, BaseAddress, RegionSize, MapType);
}

NTSTATUS NTAPI ZwUnlockVirtualMemory(HANDLE ProcessHandle, PVOID* BaseAddress, PSIZE_T RegionSize, ULONG MapType) {
    NTIO_VERIFY_DDI(ntio::verifier::DdiRule::ZwPassive);
    KernelModeCall kernel;
    return NtUnlockVirtualMemory(ProcessHandle, BaseAddress, RegionSize, MapType);
}

NTSTATUS NTAPI ZwFlushVirtualMemory(HANDLE ProcessHandle, PVOID* BaseAddress, PSIZE_T RegionSize,
                                    PIO_STATUS_BLOCK IoStatus) {
    NTIO_VERIFY_DDI(ntio::verifier::DdiRule::ZwPassive);
    KernelModeCall kernel;
    return NtFlushVirtualMemory(ProcessHandle, BaseAddress, RegionSize, IoStatus);
}

NTSTATUS NTAPI ZwFlushInstructionCache(HANDLE ProcessHandle, PVOID BaseAddress, SIZE_T Length) {
    NTIO_VERIFY_DDI(ntio::verifier::DdiRule::ZwPassive);
    KernelModeCall kernel;
    return NtFlushInstructionCache(ProcessHandle, BaseAddress, Length);
}

}  // extern "C"
