// The only place in nt where caller memory is touched: through the fault-fixed routines of
// rtl/user_access, so a bad caller pointer gives STATUS_ACCESS_VIOLATION without an exception frame.
#include "nt/current_system.hpp"
#include "nt/user_memory.hpp"

#include "rtl/user_access.hpp"

namespace ntio::nt {

using rtl::check_user_range;

NTSTATUS copy_to_user(void* user, const void* kernel, std::size_t length, ULONG alignment) noexcept {
    if (length == 0) return STATUS_SUCCESS;
    if (NTSTATUS status = check_user_range(user, length, alignment); !NT_SUCCESS(status)) return status;
    // ProbeForWrite's touch first: a buffer whose tail is read-only receives nothing.
    if (NTSTATUS status = ntio_user_touch_write(user, length); !NT_SUCCESS(status)) return status;
    return ntio_user_copy(user, kernel, length);
}

NTSTATUS probe_iosb(KPROCESSOR_MODE mode, PIO_STATUS_BLOCK iosb) noexcept {
    if (mode == KernelMode) return STATUS_SUCCESS;
    return probe_for_write(iosb, sizeof(IO_STATUS_BLOCK), sizeof(ULONG));
}

}  // namespace ntio::nt
