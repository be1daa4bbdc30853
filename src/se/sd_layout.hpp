// The two security descriptor layouts (absolute with pointers, self-relative with offsets): reading
// either into one view, validating it, and writing the self-relative form. Shared by the Rtl routines,
// capture and the access check.
#pragma once

#include "se/sid.hpp"

#include <cstddef>

namespace ntio::se {

struct SdParts {
    UCHAR revision = SECURITY_DESCRIPTOR_REVISION;
    SECURITY_DESCRIPTOR_CONTROL control = 0;
    const SID* owner = nullptr;
    const SID* group = nullptr;
    const ACL* sacl = nullptr;  // null with SE_SACL_PRESENT = NULL SACL
    const ACL* dacl = nullptr;  // null with SE_DACL_PRESENT = NULL DACL (everyone gets everything)
};

// Reads a descriptor trusted to be valid (stored by the object manager or validated before).
SdParts sd_parts(const void* sd) noexcept;

// Validates `sd` and fills `out`. `available` bounds a self-relative descriptor (SIZE_MAX when the
// caller does not know its size; offsets are then only checked for sanity). Statuses:
// STATUS_INVALID_SECURITY_DESCR, STATUS_UNKNOWN_REVISION, STATUS_INVALID_SID, STATUS_INVALID_ACL.
NTSTATUS sd_validate(const void* sd, std::size_t available, SdParts* out) noexcept;

// Bytes the self-relative form of `parts` needs.
ULONG sd_relative_length(const SdParts& parts) noexcept;
// Writes the self-relative form into `out` (sd_relative_length bytes, 4-aligned).
void sd_write_relative(const SdParts& parts, void* out) noexcept;

}  // namespace ntio::se
