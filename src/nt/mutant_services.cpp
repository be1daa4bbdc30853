// Mutant services: NtCreateMutant/NtOpenMutant/NtReleaseMutant/NtQueryMutant over a KMUTANT body.
// Ownership, recursion and abandonment (the owner thread exits) are the ke dispatcher's.
#include "nt/current_system.hpp"
#include "nt/enum_value.hpp"
#include <ntifs.h>

#include "nt/dispatcher_release.hpp"
#include "nt/object_creation.hpp"
#include "nt/object_reference.hpp"
#include "nt/query_buffer.hpp"

using namespace ntio::nt;

extern "C" {

NTSTATUS NTAPI NtCreateMutant(PHANDLE MutantHandle, ACCESS_MASK DesiredAccess, POBJECT_ATTRIBUTES ObjectAttributes,
                              BOOLEAN InitialOwner) {
    return create_object<KMUTANT>(MutantHandle, DesiredAccess, ObjectAttributes, *ExMutantObjectType,
                                  sizeof(KMUTANT), [&](PKMUTANT mutant) {
                                      KeInitializeMutant(mutant, InitialOwner);
                                      return STATUS_SUCCESS;
                                  });
}

NTSTATUS NTAPI NtOpenMutant(PHANDLE MutantHandle, ACCESS_MASK DesiredAccess, POBJECT_ATTRIBUTES ObjectAttributes) {
    return open_object(MutantHandle, DesiredAccess, ObjectAttributes, *ExMutantObjectType);
}

// Release needs no specific right on the handle: ownership is the check.
NTSTATUS NTAPI NtReleaseMutant(HANDLE MutantHandle, PLONG PreviousCount) {
    const KPROCESSOR_MODE mode = previous_mode();
    if (PreviousCount) {
        NTSTATUS status = probe_caller_output(mode, PreviousCount);
        if (!NT_SUCCESS(status)) return status;
    }
    HandleReference<KMUTANT> mutant;
    NTSTATUS status = mutant.reference(MutantHandle, 0, *ExMutantObjectType, mode);
    if (!NT_SUCCESS(status)) return status;
    LONG previous = 0;
    status = release_mutant(mutant.get(), &previous);
    if (NT_SUCCESS(status) && PreviousCount) (void)write_caller(mode, PreviousCount, previous);
    return status;
}

// NtQueryMutant is not on Learn; its classes are <ntifs.h>'s: MutantBasicInformation (count, owned by
// the caller, abandoned) and MutantOwnerInformation (the owning thread's CLIENT_ID, zeroes when no
// thread owns the mutant; KeQueryOwnerMutant). Both need MUTANT_QUERY_STATE.
NTSTATUS NTAPI NtQueryMutant(HANDLE MutantHandle, MUTANT_INFORMATION_CLASS MutantInformationClass,
                             PVOID MutantInformation, ULONG MutantInformationLength, PULONG ReturnLength) {
    const KPROCESSOR_MODE mode = previous_mode();
    const auto information_class = enum_value(MutantInformationClass);
    const bool owner = information_class == MutantOwnerInformation;
    NTSTATUS status =
        owner ? check_fixed_query<MUTANT_OWNER_INFORMATION>(mode, true, MutantInformation, MutantInformationLength,
                                                             ReturnLength)
              : check_fixed_query<MUTANT_BASIC_INFORMATION>(mode, information_class == MutantBasicInformation,
                                                             MutantInformation, MutantInformationLength, ReturnLength);
    if (!NT_SUCCESS(status)) return status;
    HandleReference<KMUTANT> mutant;
    status = mutant.reference(MutantHandle, MUTANT_QUERY_STATE, *ExMutantObjectType, mode);
    if (!NT_SUCCESS(status)) return status;
    if (owner) {
        MUTANT_OWNER_INFORMATION info{};
        KeQueryOwnerMutant(mutant.get(), &info.ClientId);
        write_fixed_query(mode, MutantInformation, ReturnLength, info);
        return STATUS_SUCCESS;
    }
    MUTANT_BASIC_INFORMATION info{};
    info.CurrentCount = KeReadStateMutant(mutant.get());
    info.OwnedByCaller = mutant_owned_by_caller(mutant.get()) ? TRUE : FALSE;
    info.AbandonedState = __atomic_load_n(&mutant->Abandoned2, __ATOMIC_ACQUIRE) & 1 ? TRUE : FALSE;
    write_fixed_query(mode, MutantInformation, ReturnLength, info);
    return STATUS_SUCCESS;
}

}  // extern "C"
