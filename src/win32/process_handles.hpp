// The process or thread object behind a kernel32 handle (pseudo-handles included), referenced, for
// the calls ntio has no Nt information class for yet: the rights are checked as "any of `rights`",
// since kernel32 documents pairs such as THREAD_SET_INFORMATION or THREAD_SET_LIMITED_INFORMATION.
// And the background-mode switch processes and threads share.
#pragma once

#include <atomic>

#include "win32/win32.hpp"
#include "ob/object_header.hpp"
#include "ob/process.hpp"

namespace ntio::win32 {

// STATUS_SUCCESS with `out` holding the reference; else the status (STATUS_ACCESS_DENIED when the
// handle was granted none of `rights`; 0 checks none).
NTSTATUS reference_process(HANDLE handle, ACCESS_MASK rights, ob::ObRef<_EPROCESS>& out);
NTSTATUS reference_thread(HANDLE handle, ACCESS_MASK rights, ob::ObRef<_ETHREAD>& out);

// PROCESS_MODE_BACKGROUND_* and THREAD_MODE_BACKGROUND_*: enters (`begin`) or leaves the background
// mode `flag` records. FALSE with `already` as the last error when beginning while in the mode, with
// `not_in` when ending while not in it.
inline BOOL switch_background_mode(std::atomic<bool>& flag, bool begin, DWORD already, DWORD not_in) {
    if (flag.exchange(begin) != begin) return TRUE;
    SetLastError(begin ? already : not_in);
    return FALSE;
}

}  // namespace ntio::win32
