// The thread a thread information service names by handle, referenced for the rights the class
// needs, checked as "any of": kernel32 documents pairs such as THREAD_QUERY_INFORMATION or
// THREAD_QUERY_LIMITED_INFORMATION (and THREAD_SET_INFORMATION or THREAD_SET_LIMITED_INFORMATION).
#pragma once

#include <wdm.h>

#include "nt/object_reference.hpp"

namespace ntio::nt {

// STATUS_INVALID_HANDLE or STATUS_OBJECT_TYPE_MISMATCH as ob decides; STATUS_ACCESS_DENIED when a
// UserMode caller's handle has none of `rights`.
inline NTSTATUS reference_thread(HANDLE handle, ACCESS_MASK rights, KPROCESSOR_MODE mode,
                                 HandleReference<_ETHREAD>& thread) {
    NTSTATUS status = thread.reference(handle, 0, *PsThreadType, mode);
    if (!NT_SUCCESS(status)) return status;
    if (mode != KernelMode && (thread.info().GrantedAccess & rights) == 0) return STATUS_ACCESS_DENIED;
    return STATUS_SUCCESS;
}

}  // namespace ntio::nt
