// The one errno -> NTSTATUS table of ntio: every Linux error that crosses into NT code goes
// through status_from_errno.
#pragma once

#include <wdm.h>

namespace ntio::host {

// STATUS_SUCCESS for 0; STATUS_UNSUCCESSFUL for errno values the table does not know.
NTSTATUS status_from_errno(int error) noexcept;

}  // namespace ntio::host
