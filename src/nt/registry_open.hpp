// The open/create path NtCreateKey, NtOpenKey(Ex) and their transacted forms share: probes and
// captures the caller's parameters and opens the key through ob (\REGISTRY's parse procedure).
#pragma once

#include <wdm.h>

namespace ntio::nt {

// `transacted`: the handle is bound to the transaction `transaction_handle` names (TRANSACTION_ENLIST).
NTSTATUS open_or_create_key(PHANDLE key_handle, ACCESS_MASK desired, POBJECT_ATTRIBUTES attributes,
                            PUNICODE_STRING class_name, ULONG options, PULONG disposition, bool create,
                            bool transacted, HANDLE transaction_handle) noexcept;

}  // namespace ntio::nt
