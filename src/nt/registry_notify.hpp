// The core of NtNotifyChangeKey for advapi32: RegNotifyChangeKeyValue's asynchronous form has no
// IO_STATUS_BLOCK that outlives its call, so it arms a request without one.
#pragma once

#include <wdm.h>

namespace ntio::nt {

// NtNotifyChangeKey with `iosb` optional (null: nothing is written at completion), and
// NtNotifyChangeMultipleKeys when `subordinate` names the second key (the caller's attributes).
NTSTATUS notify_change_key(HANDLE key_handle, HANDLE event, PIO_APC_ROUTINE apc_routine, PVOID apc_context,
                           PIO_STATUS_BLOCK iosb, bool iosb_optional, ULONG filter, BOOLEAN watch_tree, PVOID buffer,
                           ULONG buffer_size, BOOLEAN asynchronous, POBJECT_ATTRIBUTES subordinate = nullptr) noexcept;

}  // namespace ntio::nt
