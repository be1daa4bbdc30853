// Capture of a security descriptor that lies in user memory (SeCaptureSecurityDescriptor with
// RequestorMode UserMode).
#pragma once

#include "se/security_descriptor.hpp"

namespace ntio::se {

// Copies the descriptor at `user` (absolute or self-relative) into `out`, reading caller memory only
// through the fault-safe copies. STATUS_ACCESS_VIOLATION for memory outside the user range or
// unreadable; otherwise the statuses of SecurityDescriptor::capture.
NTSTATUS capture_user_descriptor(const void* user, SecurityDescriptor& out);

}  // namespace ntio::se
