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
    return thread.reference_any(handle, rights, *PsThreadType, mode);
}

}  // namespace ntio::nt
