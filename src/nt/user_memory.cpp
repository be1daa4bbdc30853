// The only place in nt where caller memory is touched: through the fault-fixed routines of
// rtl/user_access, so a bad caller pointer gives STATUS_ACCESS_VIOLATION without an exception frame.
#include "nt/current_system.hpp"
#include "nt/user_memory.hpp"

#include "rtl/user_access.hpp"

namespace ntio::nt {

using rtl::check_user_range;

NTSTATUS copy_from_user(void* kernel, const void* user, std::size_t length, ULONG alignment) noexcept {
    if (length == 0) return STATUS_SUCCESS;
    if (NTSTATUS status = check_user_range(user, length, alignment); !NT_SUCCESS(status)) return status;
    return ntio_user_copy(kernel, user, length);
}

NTSTATUS copy_to_user(void* user, const void* kernel, std::size_t length, ULONG alignment) noexcept {
    if (length == 0) return STATUS_SUCCESS;
    if (NTSTATUS status = check_user_range(user, length, alignment); !NT_SUCCESS(status)) return status;
    // ProbeForWrite's touch first: a buffer whose tail is read-only receives nothing.
    if (NTSTATUS status = ntio_user_touch_write(user, length); !NT_SUCCESS(status)) return status;
    return ntio_user_copy(user, kernel, length);
}

NTSTATUS probe_for_write(void* user, std::size_t length, ULONG alignment) noexcept {
    if (length == 0) return STATUS_SUCCESS;
    if (NTSTATUS status = check_user_range(user, length, alignment); !NT_SUCCESS(status)) return status;
    return ntio_user_touch_write(user, length);
}

NTSTATUS probe_for_read(const void* user, std::size_t length, ULONG alignment) noexcept {
    if (length == 0) return STATUS_SUCCESS;
    if (NTSTATUS status = check_user_range(user, length, alignment); !NT_SUCCESS(status)) return status;
    return ntio_user_touch_read(user, length);
}

NTSTATUS probe_user(const UserProbe* probes, unsigned count) noexcept {
    for (unsigned i = 0; i < count; ++i) {
        const UserProbe& p = probes[i];
        if (p.length == 0) continue;
        NTSTATUS status = check_user_range(p.user, p.length, p.alignment);
        if (!NT_SUCCESS(status)) return status;
        switch (p.kind) {
        case UserProbe::kProbeWrite: status = ntio_user_touch_write(const_cast<void*>(p.user), p.length); break;
        case UserProbe::kProbeRead: status = ntio_user_touch_read(p.user, p.length); break;
        case UserProbe::kCopyIn: status = ntio_user_copy(p.kernel, p.user, p.length); break;
        }
        if (!NT_SUCCESS(status)) return status;
    }
    return STATUS_SUCCESS;
}

NTSTATUS probe_iosb(KPROCESSOR_MODE mode, PIO_STATUS_BLOCK iosb) noexcept {
    if (mode == KernelMode) return STATUS_SUCCESS;
    return probe_for_write(iosb, sizeof(IO_STATUS_BLOCK), sizeof(ULONG));
}

}  // namespace ntio::nt
