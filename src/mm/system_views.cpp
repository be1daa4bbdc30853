// Views of sections in system and session space (MmMapViewInSystemSpace, MmMapViewInSessionSpace and
// their unmap routines), for drivers that share a section's memory with user mode or map a file
// without a process context. ntio has one address space: a system view is a view like a process's,
// tagged with its space so that each unmap routine unmaps only its own kind (mm/section.hpp). ntio
// has one session, so a session view lives as long as a system view would.
// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nf-ntddk-mmmapviewinsystemspace
// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nf-ntddk-mmunmapviewinsystemspace
// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nf-ntddk-mmmapviewinsessionspace
// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nf-ntddk-mmunmapviewinsessionspace
#include "mm/section.hpp"
#include "ob/object_header.hpp"
#include "verifier/verifier.hpp"

namespace ntio::mm {
namespace {

// Learn: "Section: a pointer to the section to map"; "ViewSize: the size of the view to map; zero maps
// the whole section; returns the actual size mapped". The view has the section's protection: a
// writable section gives a writable view, any other a read-only one (an image's is copied on write,
// as every image view is). NT gives no status for a pointer that is not a section; ntio checks the
// object's type and answers STATUS_OBJECT_TYPE_MISMATCH rather than map garbage.
NTSTATUS map_in(PVOID Section, PVOID* MappedBase, PSIZE_T ViewSize, ViewSpace space) {
    if (!Section) return STATUS_INVALID_PARAMETER_1;
    if (!MappedBase) return STATUS_INVALID_PARAMETER_2;
    if (!ViewSize) return STATUS_INVALID_PARAMETER_3;
    if (ob::type_of(Section) != &g_section_type) return STATUS_OBJECT_TYPE_MISMATCH;
    auto* section = static_cast<SectionBody*>(Section);
    const ULONG protection = writes(section->protection) ? PAGE_READWRITE : PAGE_READONLY;
    void* base = nullptr;
    std::uint64_t offset = 0;
    SIZE_T size = *ViewSize;
    const NTSTATUS status = map_view(section, &base, &offset, &size, protection, space);
    if (!NT_SUCCESS(status)) return status;
    *MappedBase = base;
    *ViewSize = size;
    return status;
}

}  // namespace
}  // namespace ntio::mm

extern "C" {

NTKERNELAPI NTSTATUS NTAPI MmMapViewInSystemSpace(PVOID Section, PVOID* MappedBase, PSIZE_T ViewSize) {
    NTIO_VERIFY_DDI(ntio::verifier::DdiRule::MmApcLte);
    return ntio::mm::map_in(Section, MappedBase, ViewSize, ntio::mm::ViewSpace::system);
}

// A base that is not a system view: STATUS_NOT_MAPPED_VIEW, as ZwUnmapViewOfSection answers.
NTKERNELAPI NTSTATUS NTAPI MmUnmapViewInSystemSpace(PVOID MappedBase) {
    NTIO_VERIFY_DDI(ntio::verifier::DdiRule::MmApcLte);
    return ntio::mm::unmap_view(MappedBase, ntio::mm::ViewSpace::system);
}

NTKERNELAPI NTSTATUS NTAPI MmMapViewInSessionSpace(PVOID Section, PVOID* MappedBase, PSIZE_T ViewSize) {
    NTIO_VERIFY_DDI(ntio::verifier::DdiRule::MmApcLte);
    return ntio::mm::map_in(Section, MappedBase, ViewSize, ntio::mm::ViewSpace::session);
}

NTKERNELAPI NTSTATUS NTAPI MmUnmapViewInSessionSpace(PVOID MappedBase) {
    NTIO_VERIFY_DDI(ntio::verifier::DdiRule::MmApcLte);
    return ntio::mm::unmap_view(MappedBase, ntio::mm::ViewSpace::session);
}

}  // extern "C"
