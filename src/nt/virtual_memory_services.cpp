// Virtual memory services over the memory manager's private allocations and views (mm/): the
// caller's parameters are checked and captured here, the process handle referenced for the access
// each service needs. ntio runs one address space, so a process handle names the host process's
// whatever process it refers to (as NtMapViewOfSection treats it).
#include "nt/current_system.hpp"
#include <ntio/ntapi.h>
#include <ntifs.h>

#include <bit>

#include "mm/virtual_memory.hpp"
#include "nt/enum_value.hpp"
#include "nt/object_reference.hpp"
#include "nt/previous_mode.hpp"
#include "nt/user_memory.hpp"

using namespace ntio::nt;
namespace mm = ntio::mm;

namespace {

constexpr ULONG kAllocationTypes = MEM_COMMIT | MEM_RESERVE | MEM_RESET | MEM_RESET_UNDO | MEM_TOP_DOWN |
                                   MEM_WRITE_WATCH | MEM_PHYSICAL | MEM_LARGE_PAGES;
constexpr ULONG kMaxZeroBits = 21;

ULONG_PTR top_of_user() noexcept { return reinterpret_cast<ULONG_PTR>(MmHighestUserAddress) + 1; }

NTSTATUS check_process(HANDLE process, ACCESS_MASK access, KPROCESSOR_MODE mode) {
    HandleReference<void> reference;
    return reference.reference(process, access, *PsProcessType, mode);
}

// Learn (NtAllocateVirtualMemory): ZeroBits is the count of high address bits that must be zero,
// "less than 21"; "when ZeroBits is larger than 32, it becomes a bitmask". NT deviation (a guess
// Learn does not settle): a count is taken from bit 31, as on 32-bit Windows.
bool highest_for(ULONG_PTR zero_bits, std::uint64_t* highest) noexcept {
    if (zero_bits == 0) {
        *highest = top_of_user() - 1;
    } else if (zero_bits <= kMaxZeroBits) {
        *highest = 0xFFFFFFFFull >> zero_bits;
    } else if (zero_bits >= 32) {
        *highest = (std::uint64_t{1} << std::bit_width(static_cast<std::uint64_t>(zero_bits))) - 1;
        if (*highest >= top_of_user()) *highest = top_of_user() - 1;
    } else {
        return false;
    }
    return true;
}

// Any protection a page may be given: a private page's, or a view's copy-on-write ones.
bool valid_protection(ULONG protection) noexcept {
    const ULONG base = protection & 0xFF;
    if (base == PAGE_WRITECOPY || base == PAGE_EXECUTE_WRITECOPY) {
        return mm::valid_private_protection((protection & ~0xFFu) | PAGE_READWRITE);
    }
    return mm::valid_private_protection(protection);
}

// The in/out base and size every range service captures, probed for writing before any work.
struct CapturedRange {
    PVOID base = nullptr;
    SIZE_T size = 0;
};

NTSTATUS capture_range(KPROCESSOR_MODE mode, PVOID* base, PSIZE_T size, CapturedRange& range) {
    NTSTATUS status = read_caller(mode, base, range.base);
    if (NT_SUCCESS(status)) status = read_caller(mode, size, range.size);
    if (NT_SUCCESS(status)) status = probe_caller_output(mode, base);
    if (NT_SUCCESS(status)) status = probe_caller_output(mode, size);
    return status;
}

// The range lies in the user address space: the base (parameter 2) and its size (the next one).
NTSTATUS check_range(const CapturedRange& range, NTSTATUS bad_size) {
    const auto base = reinterpret_cast<ULONG_PTR>(range.base);
    if (base >= top_of_user()) return STATUS_INVALID_PARAMETER_2;
    if (range.size > top_of_user() - base) return bad_size;
    return STATUS_SUCCESS;
}

void return_range(KPROCESSOR_MODE mode, PVOID* base, PSIZE_T size, const CapturedRange& range) {
    (void)write_caller(mode, base, range.base);
    (void)write_caller(mode, size, range.size);
}

// NtLockVirtualMemory and NtUnlockVirtualMemory: the same checks, then `work` on the range.
NTSTATUS lock_service(HANDLE process, PVOID* base, PSIZE_T size, ULONG map_type, NTSTATUS (*work)(void**, SIZE_T*)) {
    const KPROCESSOR_MODE mode = previous_mode();
    if (map_type == 0 || (map_type & ~static_cast<ULONG>(MAP_PROCESS | MAP_SYSTEM))) return STATUS_INVALID_PARAMETER;
    CapturedRange range;
    NTSTATUS status = capture_range(mode, base, size, range);
    if (!NT_SUCCESS(status)) return status;
    status = check_range(range, STATUS_INVALID_PARAMETER_3);
    if (!NT_SUCCESS(status)) return status;
    if (range.size == 0) return STATUS_INVALID_PARAMETER_3;
    status = check_process(process, PROCESS_VM_OPERATION, mode);
    if (!NT_SUCCESS(status)) return status;
    if ((map_type & MAP_SYSTEM) && !SeSinglePrivilegeCheck(RtlConvertLongToLuid(SE_LOCK_MEMORY_PRIVILEGE), mode)) {
        return STATUS_PRIVILEGE_NOT_HELD;
    }
    status = work(&range.base, &range.size);
    if (NT_SUCCESS(status)) return_range(mode, base, size, range);
    return status;
}

}  // namespace

extern "C" {

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-ntallocatevirtualmemory
NTSTATUS NTAPI NtAllocateVirtualMemory(HANDLE ProcessHandle, PVOID* BaseAddress, ULONG_PTR ZeroBits,
                                       PSIZE_T RegionSize, ULONG AllocationType, ULONG Protect) {
    const KPROCESSOR_MODE mode = previous_mode();
    std::uint64_t highest = 0;
    if (!highest_for(ZeroBits, &highest)) return STATUS_INVALID_PARAMETER_3;
    // One of MEM_COMMIT, MEM_RESERVE, MEM_RESET (alone) or MEM_RESET_UNDO (alone).
    const ULONG kind = AllocationType & (MEM_COMMIT | MEM_RESERVE | MEM_RESET | MEM_RESET_UNDO);
    if ((AllocationType & ~kAllocationTypes) || kind == 0) return STATUS_INVALID_PARAMETER_5;
    if ((AllocationType & (MEM_RESET | MEM_RESET_UNDO)) && AllocationType != MEM_RESET &&
        AllocationType != MEM_RESET_UNDO) {
        return STATUS_INVALID_PARAMETER_5;
    }
    if ((AllocationType & (MEM_WRITE_WATCH | MEM_PHYSICAL)) && !(AllocationType & MEM_RESERVE)) {
        return STATUS_INVALID_PARAMETER_5;
    }
    if (!mm::valid_private_protection(Protect)) return STATUS_INVALID_PAGE_PROTECTION;
    CapturedRange range;
    NTSTATUS status = capture_range(mode, BaseAddress, RegionSize, range);
    if (!NT_SUCCESS(status)) return status;
    if (range.size == 0) return STATUS_INVALID_PARAMETER_4;
    status = check_range(range, STATUS_INVALID_PARAMETER_4);
    if (!NT_SUCCESS(status)) return status;
    status = check_process(ProcessHandle, PROCESS_VM_OPERATION, mode);
    if (!NT_SUCCESS(status)) return status;
    // NT deviation: write watching and AWE memory are not provided (docs/nt-deviations.md).
    if (AllocationType & (MEM_WRITE_WATCH | MEM_PHYSICAL)) return STATUS_NOT_SUPPORTED;
    // The lowest 64 KiB are never mapped in an NT process.
    if (range.base && reinterpret_cast<ULONG_PTR>(range.base) < mm::kLowestUserAddress) {
        return STATUS_CONFLICTING_ADDRESSES;
    }
    status = mm::allocate_virtual(&range.base, &range.size, AllocationType, Protect, highest);
    if (NT_SUCCESS(status)) return_range(mode, BaseAddress, RegionSize, range);
    return status;
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-zwfreevirtualmemory
NTSTATUS NTAPI NtFreeVirtualMemory(HANDLE ProcessHandle, PVOID* BaseAddress, PSIZE_T RegionSize, ULONG FreeType) {
    const KPROCESSOR_MODE mode = previous_mode();
    if (FreeType != MEM_DECOMMIT && FreeType != MEM_RELEASE) return STATUS_INVALID_PARAMETER_4;
    CapturedRange range;
    NTSTATUS status = capture_range(mode, BaseAddress, RegionSize, range);
    if (!NT_SUCCESS(status)) return status;
    status = check_range(range, STATUS_INVALID_PARAMETER_3);
    if (!NT_SUCCESS(status)) return status;
    status = check_process(ProcessHandle, PROCESS_VM_OPERATION, mode);
    if (!NT_SUCCESS(status)) return status;
    status = mm::free_virtual(&range.base, &range.size, FreeType);
    if (NT_SUCCESS(status)) return_range(mode, BaseAddress, RegionSize, range);
    return status;
}

// https://learn.microsoft.com/windows/win32/api/memoryapi/nf-memoryapi-virtualprotectex (the service
// under it; Learn documents no NtProtectVirtualMemory page).
NTSTATUS NTAPI NtProtectVirtualMemory(HANDLE ProcessHandle, PVOID* BaseAddress, PSIZE_T RegionSize, ULONG NewProtect,
                                      PULONG OldProtect) {
    const KPROCESSOR_MODE mode = previous_mode();
    CapturedRange range;
    NTSTATUS status = capture_range(mode, BaseAddress, RegionSize, range);
    if (NT_SUCCESS(status)) status = probe_caller_output(mode, OldProtect);
    if (!NT_SUCCESS(status)) return status;
    if (!valid_protection(NewProtect)) return STATUS_INVALID_PAGE_PROTECTION;
    status = check_range(range, STATUS_INVALID_PARAMETER_3);
    if (!NT_SUCCESS(status)) return status;
    if (range.size == 0) return STATUS_INVALID_PARAMETER_3;
    status = check_process(ProcessHandle, PROCESS_VM_OPERATION, mode);
    if (!NT_SUCCESS(status)) return status;
    ULONG old = 0;
    status = mm::protect_virtual(&range.base, &range.size, NewProtect, &old);
    if (!NT_SUCCESS(status)) return status;
    return_range(mode, BaseAddress, RegionSize, range);
    (void)write_caller(mode, OldProtect, old);
    return status;
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-zwqueryvirtualmemory
NTSTATUS NTAPI NtQueryVirtualMemory(HANDLE ProcessHandle, PVOID BaseAddress,
                                    MEMORY_INFORMATION_CLASS MemoryInformationClass, PVOID MemoryInformation,
                                    SIZE_T MemoryInformationLength, PSIZE_T ReturnLength) {
    const KPROCESSOR_MODE mode = previous_mode();
    if (enum_value(MemoryInformationClass) != MemoryBasicInformation) return STATUS_INVALID_INFO_CLASS;
    if (MemoryInformationLength < sizeof(MEMORY_BASIC_INFORMATION)) return STATUS_INFO_LENGTH_MISMATCH;
    NTSTATUS status = STATUS_SUCCESS;
    if (mode != KernelMode) {
        status = probe_for_write(MemoryInformation, sizeof(MEMORY_BASIC_INFORMATION), alignof(ULONG_PTR));
        if (NT_SUCCESS(status) && ReturnLength) status = probe_caller_output(mode, ReturnLength);
        if (!NT_SUCCESS(status)) return status;
    }
    // Learn: STATUS_INVALID_PARAMETER, "the specified base address is outside the range of
    // accessible addresses".
    if (reinterpret_cast<ULONG_PTR>(BaseAddress) >= top_of_user()) return STATUS_INVALID_PARAMETER;
    status = check_process(ProcessHandle, PROCESS_QUERY_INFORMATION, mode);
    if (!NT_SUCCESS(status)) return status;
    mm::RegionInfo region;
    status = mm::query_virtual(reinterpret_cast<ULONG_PTR>(BaseAddress), region);
    if (!NT_SUCCESS(status)) return status;
    MEMORY_BASIC_INFORMATION info{};
    info.BaseAddress = reinterpret_cast<PVOID>(region.base);
    info.AllocationBase = reinterpret_cast<PVOID>(region.allocation_base);
    info.AllocationProtect = region.allocation_protect;
    info.RegionSize = region.size;
    info.State = region.state;
    info.Protect = region.protect;
    info.Type = region.type;
    status = write_caller(mode, static_cast<MEMORY_BASIC_INFORMATION*>(MemoryInformation), info);
    if (NT_SUCCESS(status) && ReturnLength) (void)write_caller(mode, ReturnLength, static_cast<SIZE_T>(sizeof info));
    return status;
}

// https://learn.microsoft.com/windows/win32/api/memoryapi/nf-memoryapi-virtuallock (the service
// under it). MAP_PROCESS locks in the working set; MAP_SYSTEM needs SeLockMemoryPrivilege.
NTSTATUS NTAPI NtLockVirtualMemory(HANDLE ProcessHandle, PVOID* BaseAddress, PSIZE_T RegionSize, ULONG MapType) {
    return lock_service(ProcessHandle, BaseAddress, RegionSize, MapType, mm::lock_virtual);
}

// https://learn.microsoft.com/windows/win32/api/memoryapi/nf-memoryapi-virtualunlock (the service
// under it): STATUS_NOT_LOCKED when a page of the range is not locked.
NTSTATUS NTAPI NtUnlockVirtualMemory(HANDLE ProcessHandle, PVOID* BaseAddress, PSIZE_T RegionSize, ULONG MapType) {
    return lock_service(ProcessHandle, BaseAddress, RegionSize, MapType, mm::unlock_virtual);
}

// https://learn.microsoft.com/windows/win32/api/processthreadsapi/nf-processthreadsapi-flushinstructioncache
// (the service under it). BaseAddress NULL flushes everything. The process handle needs
// PROCESS_VM_WRITE, as writing another process's code does.
NTSTATUS NTAPI NtFlushInstructionCache(HANDLE ProcessHandle, PVOID BaseAddress, SIZE_T Length) {
    const KPROCESSOR_MODE mode = previous_mode();
    const auto start = reinterpret_cast<ULONG_PTR>(BaseAddress);
    if (mode != KernelMode && BaseAddress && (start + Length < start || start + Length > top_of_user())) {
        return STATUS_ACCESS_VIOLATION;
    }
    NTSTATUS status = check_process(ProcessHandle, PROCESS_VM_WRITE, mode);
    if (!NT_SUCCESS(status)) return status;
    if (BaseAddress && Length) mm::flush_instruction_cache(BaseAddress, Length);
    return STATUS_SUCCESS;
}

}  // extern "C"
