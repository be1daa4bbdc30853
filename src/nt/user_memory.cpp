// The only place in nt where caller memory is touched under structured exception handling: a fault
// on a bad caller pointer ends in the __except block with the exception code as the result.
#include "nt/current_system.hpp"
#include "nt/user_memory.hpp"

#include <cstring>

namespace ntio::nt {
namespace {

// The lowest 64 KiB are never mapped for a user process on NT (MM_LOWEST_USER_ADDRESS), so a
// pointer there fails without being touched; the alignment check comes first, as in ProbeForRead.
NTSTATUS check_low_address(const void* user, ULONG alignment) noexcept {
    const auto address = reinterpret_cast<ULONG_PTR>(user);
    if (alignment > 1 && (address & (alignment - 1)) != 0) return STATUS_DATATYPE_MISALIGNMENT;
    if (address < 0x10000) return STATUS_ACCESS_VIOLATION;
    return STATUS_SUCCESS;
}

}  // namespace

NTSTATUS copy_from_user(void* kernel, const void* user, std::size_t length, ULONG alignment) noexcept {
    if (length == 0) return STATUS_SUCCESS;
    if (NTSTATUS low = check_low_address(user, alignment); !NT_SUCCESS(low)) return low;
    NTSTATUS status = STATUS_SUCCESS;
    __try {
        ProbeForRead(const_cast<void*>(user), length, alignment);
        std::memcpy(kernel, user, length);
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        status = GetExceptionCode();
    }
    return status;
}

NTSTATUS copy_to_user(void* user, const void* kernel, std::size_t length, ULONG alignment) noexcept {
    if (length == 0) return STATUS_SUCCESS;
    if (NTSTATUS low = check_low_address(user, alignment); !NT_SUCCESS(low)) return low;
    NTSTATUS status = STATUS_SUCCESS;
    __try {
        ProbeForWrite(user, length, alignment);
        std::memcpy(user, kernel, length);
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        status = GetExceptionCode();
    }
    return status;
}

NTSTATUS probe_for_write(void* user, std::size_t length, ULONG alignment) noexcept {
    if (length == 0) return STATUS_SUCCESS;
    if (NTSTATUS low = check_low_address(user, alignment); !NT_SUCCESS(low)) return low;
    NTSTATUS status = STATUS_SUCCESS;
    __try {
        ProbeForWrite(user, length, alignment);
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        status = GetExceptionCode();
    }
    return status;
}

NTSTATUS probe_for_read(const void* user, std::size_t length, ULONG alignment) noexcept {
    if (length == 0) return STATUS_SUCCESS;
    if (NTSTATUS low = check_low_address(user, alignment); !NT_SUCCESS(low)) return low;
    NTSTATUS status = STATUS_SUCCESS;
    __try {
        ProbeForRead(user, length, alignment);
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        status = GetExceptionCode();
    }
    return status;
}

NTSTATUS probe_user(const UserProbe* probes, unsigned count) noexcept {
    NTSTATUS status = STATUS_SUCCESS;
    __try {
        for (unsigned i = 0; i < count && NT_SUCCESS(status); ++i) {
            const UserProbe& p = probes[i];
            if (p.length == 0) continue;
            status = check_low_address(p.user, p.alignment);
            if (!NT_SUCCESS(status)) break;
            switch (p.kind) {
            case UserProbe::kProbeWrite: ProbeForWrite(const_cast<void*>(p.user), p.length, p.alignment); break;
            case UserProbe::kProbeRead: ProbeForRead(p.user, p.length, p.alignment); break;
            case UserProbe::kCopyIn:
                ProbeForRead(p.user, p.length, p.alignment);
                std::memcpy(p.kernel, p.user, p.length);
                break;
            }
        }
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        status = GetExceptionCode();
    }
    return status;
}

NTSTATUS probe_iosb(KPROCESSOR_MODE mode, PIO_STATUS_BLOCK iosb) noexcept {
    if (mode == KernelMode) return STATUS_SUCCESS;
    return probe_for_write(iosb, sizeof(IO_STATUS_BLOCK), sizeof(ULONG));
}

}  // namespace ntio::nt
