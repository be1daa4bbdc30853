// Physical memory as ntddk.h's routines describe it: its ranges, hot-add and hot-remove, the video
// display mapping, mirroring. In ntio a physical address is the host virtual address (memory_ddi.cpp),
// so the physical memory is the host's user address space; none can be added, removed, mirrored, and
// there is no frame buffer (docs/nt-deviations.md, "mm: physical memory").
#include <ntifs.h>

#include "verifier/verifier.hpp"

namespace {

constexpr ULONG kRangesTag = 'RhPM';
// Every address MmGetPhysicalAddress can return lies above the first page and below the top of the
// x64 user address space (47 bits).
constexpr LONGLONG kLowest = PAGE_SIZE;
constexpr LONGLONG kTop = 1LL << 47;

}  // namespace

extern "C" {

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nf-ntddk-mmgetphysicalmemoryranges
// One range, then the zero entry that ends the array; nonpaged pool the caller frees with ExFreePool.
NTKERNELAPI PPHYSICAL_MEMORY_RANGE NTAPI MmGetPhysicalMemoryRanges(VOID) {
    NTIO_VERIFY_DDI(ntio::verifier::DdiRule::IrqlAtMost, PASSIVE_LEVEL);
    auto* ranges = static_cast<PPHYSICAL_MEMORY_RANGE>(
        ExAllocatePoolWithTag(NonPagedPoolNx, 2 * sizeof(PHYSICAL_MEMORY_RANGE), kRangesTag));
    if (!ranges) return nullptr;
    ranges[0].BaseAddress.QuadPart = kLowest;
    ranges[0].NumberOfBytes.QuadPart = kTop - kLowest;
    ranges[1].BaseAddress.QuadPart = 0;
    ranges[1].NumberOfBytes.QuadPart = 0;
    return ranges;
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nf-ntddk-mmaddphysicalmemory
// Hot-add needs memory the host does not already own: none can appear. STATUS_NOT_SUPPORTED, as on a
// system without hot-add support, with *NumberOfBytes zero (nothing added).
NTKERNELAPI NTSTATUS NTAPI MmAddPhysicalMemory(PPHYSICAL_ADDRESS StartAddress, PLARGE_INTEGER NumberOfBytes) {
    NTIO_VERIFY_DDI(ntio::verifier::DdiRule::IrqlAtMost, PASSIVE_LEVEL);
    if (!StartAddress || !NumberOfBytes) return STATUS_INVALID_PARAMETER;
    NumberOfBytes->QuadPart = 0;
    return STATUS_NOT_SUPPORTED;
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nf-ntddk-mmremovephysicalmemory
NTKERNELAPI NTSTATUS NTAPI MmRemovePhysicalMemory(PPHYSICAL_ADDRESS StartAddress, PLARGE_INTEGER NumberOfBytes) {
    NTIO_VERIFY_DDI(ntio::verifier::DdiRule::IrqlAtMost, PASSIVE_LEVEL);
    if (!StartAddress || !NumberOfBytes) return STATUS_INVALID_PARAMETER;
    NumberOfBytes->QuadPart = 0;
    return STATUS_NOT_SUPPORTED;
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nf-ntddk-mmmapvideodisplay
// NULL, the routine's failure: there is no frame buffer at any physical address.
NTKERNELAPI PVOID NTAPI MmMapVideoDisplay(PHYSICAL_ADDRESS PhysicalAddress, SIZE_T NumberOfBytes,
                                          MEMORY_CACHING_TYPE CacheType) {
    NTIO_VERIFY_DDI(ntio::verifier::DdiRule::IrqlAtMost, PASSIVE_LEVEL);
    (void)PhysicalAddress, (void)NumberOfBytes, (void)CacheType;
    return nullptr;
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nf-ntddk-mmunmapvideodisplay
// MmMapVideoDisplay never maps anything, so there is nothing to unmap.
NTKERNELAPI VOID NTAPI MmUnmapVideoDisplay(PVOID BaseAddress, SIZE_T NumberOfBytes) {
    NTIO_VERIFY_DDI(ntio::verifier::DdiRule::IrqlAtMost, PASSIVE_LEVEL);
    (void)BaseAddress, (void)NumberOfBytes;
}

// Mirroring copies physical memory onto a replacement memory board: no board, no mirror.
NTKERNELAPI NTSTATUS NTAPI MmCreateMirror(VOID) {
    NTIO_VERIFY_DDI(ntio::verifier::DdiRule::IrqlAtMost, PASSIVE_LEVEL);
    return STATUS_NOT_SUPPORTED;
}

}  // extern "C"
