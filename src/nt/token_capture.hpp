// Capture of the variable-length token structures callers pass to the token services
// (TOKEN_PRIVILEGES, PRIVILEGE_SET, TOKEN_GROUPS, SIDs, ACLs): copied whole from caller memory in
// UserMode, read in place in KernelMode, validated before any token changes.
#pragma once

#include <cstddef>
#include <vector>

#include <ntifs.h>

#include "se/token.hpp"

namespace ntio::nt {

// A structure that starts with a ULONG count of fixed-size entries after `header` bytes, copied whole
// (count first, then header and entries). More than 1024 entries is STATUS_INVALID_PARAMETER.
NTSTATUS capture_counted(KPROCESSOR_MODE mode, const void* from, std::size_t header, std::size_t entry,
                         std::vector<unsigned char>& out);

// A SID at a caller address; STATUS_INVALID_SID for a NULL or malformed one.
NTSTATUS capture_sid(KPROCESSOR_MODE mode, const void* from, std::vector<unsigned char>& out);

// An ACL at a caller address; STATUS_INVALID_ACL for a malformed one.
NTSTATUS capture_acl(KPROCESSOR_MODE mode, const void* from, std::vector<unsigned char>& out);

// A TOKEN_GROUPS at a caller address: each entry's SID (copied and validated) and attributes.
struct CapturedGroup {
    se::SidBuffer sid;
    ULONG attributes;
};
NTSTATUS capture_groups(KPROCESSOR_MODE mode, const TOKEN_GROUPS* from, std::vector<CapturedGroup>& out);

// The PreviousState/ReturnLength pair of the adjust services, checked before anything changes: no
// ReturnLength with a PreviousState is STATUS_ACCESS_VIOLATION, and both must be writable.
NTSTATUS probe_previous_state(KPROCESSOR_MODE mode, void* previous_state, ULONG buffer_length, PULONG return_length);
// Reports the size of `staged` in *return_length and copies it to previous_state when it fits (else
// STATUS_BUFFER_TOO_SMALL, and the caller changes nothing).
NTSTATUS write_previous_state(KPROCESSOR_MODE mode, void* previous_state, ULONG buffer_length, PULONG return_length,
                              const std::vector<unsigned char>& staged);

// A handle (written to the caller's *token_handle) to a new token object on `token`.
NTSTATUS open_token_handle(std::shared_ptr<se::Token> token, ACCESS_MASK desired, ULONG attributes,
                           KPROCESSOR_MODE mode, PHANDLE token_handle);

}  // namespace ntio::nt
