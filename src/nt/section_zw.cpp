// The section Zw* routines drivers call: each runs the Nt* service with PreviousMode KernelMode.
#include "nt/current_system.hpp"
#include <ntio/ntapi.h>

#include "nt/previous_mode.hpp"
#include "verifier/verifier.hpp"

using ntio::nt::KernelModeCall;

extern "C" {

NTSTATUS NTAPI ZwCreateSection(PHANDLE SectionHandle, ACCESS_MASK DesiredAccess, POBJECT_ATTRIBUTES ObjectAttributes,
                               PLARGE_INTEGER MaximumSize, ULONG SectionPageProtection, ULONG AllocationAttributes,
                               HANDLE FileHandle) {
    NTIO_VERIFY_DDI(ntio::verifier::DdiRule::ZwPassive);
    KernelModeCall kernel;
    return NtCreateSection(SectionHandle, DesiredAccess, ObjectAttributes, MaximumSize, SectionPageProtection,
                           AllocationAttributes, FileHandle);
}

NTSTATUS NTAPI ZwOpenSection(PHANDLE SectionHandle, ACCESS_MASK DesiredAccess, POBJECT_ATTRIBUTES ObjectAttributes) {
    NTIO_VERIFY_DDI(ntio::verifier::DdiRule::ZwPassive);
    KernelModeCall kernel;
    return NtOpenSection(SectionHandle, DesiredAccess, ObjectAttributes);
}

NTSTATUS NTAPI ZwMapViewOfSection(HANDLE SectionHandle, HANDLE ProcessHandle, PVOID* BaseAddress, ULONG_PTR ZeroBits,
                                  SIZE_T CommitSize, PLARGE_INTEGER SectionOffset, PSIZE_T ViewSize,
                                  SECTION_INHERIT InheritDisposition, ULONG AllocationType, ULONG Win32Protect) {
    NTIO_VERIFY_DDI(ntio::verifier::DdiRule::ZwPassive);
    KernelModeCall kernel;
    return NtMapViewOfSection(SectionHandle, ProcessHandle, BaseAddress, ZeroBits, CommitSize, SectionOffset, ViewSize,
                              InheritDisposition, AllocationType, Win32Protect);
}

NTSTATUS NTAPI ZwUnmapViewOfSection(HANDLE ProcessHandle, PVOID BaseAddress) {
    NTIO_VERIFY_DDI(ntio::verifier::DdiRule::ZwPassive);
    KernelModeCall kernel;
    return NtUnmapViewOfSection(ProcessHandle, BaseAddress);
}

}  // extern "C"
