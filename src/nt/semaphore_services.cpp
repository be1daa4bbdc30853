// Semaphore services: NtCreateSemaphore/NtOpenSemaphore/NtReleaseSemaphore/NtQuerySemaphore over a
// KSEMAPHORE body.
#include "nt/current_system.hpp"
#include "nt/enum_value.hpp"
#include <wdm.h>

#include "nt/dispatcher_release.hpp"
#include "nt/object_creation.hpp"
#include "nt/object_reference.hpp"
#include "nt/query_buffer.hpp"

using namespace ntio::nt;

extern "C" {

NTSTATUS NTAPI NtCreateSemaphore(PHANDLE SemaphoreHandle, ACCESS_MASK DesiredAccess,
                                 POBJECT_ATTRIBUTES ObjectAttributes, LONG InitialCount, LONG MaximumCount) {
    if (MaximumCount <= 0 || InitialCount < 0 || InitialCount > MaximumCount) return STATUS_INVALID_PARAMETER;
    return create_object<KSEMAPHORE>(SemaphoreHandle, DesiredAccess, ObjectAttributes, *ExSemaphoreObjectType,
                                     sizeof(KSEMAPHORE), [&](PKSEMAPHORE semaphore) {
                                         KeInitializeSemaphore(semaphore, InitialCount, MaximumCount);
                                         return STATUS_SUCCESS;
                                     });
}

NTSTATUS NTAPI NtOpenSemaphore(PHANDLE SemaphoreHandle, ACCESS_MASK DesiredAccess,
                               POBJECT_ATTRIBUTES ObjectAttributes) {
    return open_object(SemaphoreHandle, DesiredAccess, ObjectAttributes, *ExSemaphoreObjectType);
}

NTSTATUS NTAPI NtReleaseSemaphore(HANDLE SemaphoreHandle, LONG ReleaseCount, PLONG PreviousCount) {
    const KPROCESSOR_MODE mode = previous_mode();
    if (ReleaseCount <= 0) return STATUS_INVALID_PARAMETER;
    if (PreviousCount) {
        NTSTATUS status = probe_caller_output(mode, PreviousCount);
        if (!NT_SUCCESS(status)) return status;
    }
    HandleReference<KSEMAPHORE> semaphore;
    NTSTATUS status = semaphore.reference(SemaphoreHandle, SEMAPHORE_MODIFY_STATE, *ExSemaphoreObjectType, mode);
    if (!NT_SUCCESS(status)) return status;
    LONG previous = 0;
    status = release_semaphore(semaphore.get(), ReleaseCount, &previous);
    if (NT_SUCCESS(status) && PreviousCount) (void)write_caller(mode, PreviousCount, previous);
    return status;
}

NTSTATUS NTAPI NtQuerySemaphore(HANDLE SemaphoreHandle, SEMAPHORE_INFORMATION_CLASS SemaphoreInformationClass,
                                PVOID SemaphoreInformation, ULONG SemaphoreInformationLength, PULONG ReturnLength) {
    const KPROCESSOR_MODE mode = previous_mode();
    NTSTATUS status = check_fixed_query<SEMAPHORE_BASIC_INFORMATION>(
        mode, enum_value(SemaphoreInformationClass) == SemaphoreBasicInformation, SemaphoreInformation,
        SemaphoreInformationLength, ReturnLength);
    if (!NT_SUCCESS(status)) return status;
    HandleReference<KSEMAPHORE> semaphore;
    status = semaphore.reference(SemaphoreHandle, SEMAPHORE_QUERY_STATE, *ExSemaphoreObjectType, mode);
    if (!NT_SUCCESS(status)) return status;
    SEMAPHORE_BASIC_INFORMATION info;
    info.CurrentCount = KeReadStateSemaphore(semaphore.get());
    info.MaximumCount = semaphore->Limit;
    write_fixed_query(mode, SemaphoreInformation, ReturnLength, info);
    return STATUS_SUCCESS;
}

}  // extern "C"
