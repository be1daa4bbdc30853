// RtlNtStatusToDosError (ntdll's one NTSTATUS -> Win32 error table), the per-thread last error and
// BaseSetLastNTError. Needs no System: the last error is a host thread-local, as the TEB field is.
#include <algorithm>
#include <array>
#include <cstdint>

#include "win32/win32.hpp"

namespace ntio::win32 {
namespace {

struct StatusRow {
    std::uint32_t status;
    DWORD error;
};

#define NTIO_STATUS_TO_DOS(status, error) StatusRow{static_cast<std::uint32_t>(status), static_cast<DWORD>(error)},
constexpr StatusRow kTable[] = {
#include "win32/status_to_dos_table.inc"
};
#undef NTIO_STATUS_TO_DOS

constexpr bool sorted_and_unique() {
    for (std::size_t i = 1; i < std::size(kTable); ++i)
        if (kTable[i - 1].status >= kTable[i].status) return false;
    return true;
}
static_assert(sorted_and_unique(), "status_to_dos_table.inc must be sorted by status value, one row per value");

thread_local DWORD t_last_error = 0;
thread_local NTSTATUS t_last_status = STATUS_SUCCESS;

DWORD map_status(NTSTATUS status) noexcept {
    const auto value = static_cast<std::uint32_t>(status);
    if (value == 0) return ERROR_SUCCESS;
    // Customer-defined codes (bit 29) are Win32-style values already: ntdll hands them back as is.
    if (value & 0x20000000u) return value;
    // Win32 errors carried in an NTSTATUS/HRESULT (facility 7): the low word is the error.
    if ((value & 0xFFFF0000u) == 0x80070000u || (value & 0xFFFF0000u) == 0xC0070000u) return value & 0xFFFFu;
    const auto* end = std::end(kTable);
    const auto* row = std::lower_bound(std::begin(kTable), end, value,
                                       [](const StatusRow& r, std::uint32_t v) { return r.status < v; });
    if (row != end && row->status == value) return row->error;
    return ERROR_MR_MID_NOT_FOUND;
}

}  // namespace

DWORD set_last_nt_error(NTSTATUS status) noexcept {
    DWORD error = map_status(status);
    t_last_status = status;
    t_last_error = error;
    return error;
}

}  // namespace ntio::win32

using namespace ntio;

extern "C" {

ULONG NTAPI RtlNtStatusToDosErrorNoTeb(NTSTATUS Status) { return win32::map_status(Status); }

// Like ntdll, the mapping also records the status as the thread's last NT status.
ULONG NTAPI RtlNtStatusToDosError(NTSTATUS Status) {
    win32::t_last_status = Status;
    return win32::map_status(Status);
}

NTSTATUS NTAPI RtlGetLastNtStatus(VOID) { return win32::t_last_status; }
DWORD NTAPI RtlGetLastWin32Error(VOID) { return win32::t_last_error; }
VOID NTAPI RtlSetLastWin32Error(DWORD Win32Error) { win32::t_last_error = Win32Error; }
DWORD WINAPI GetLastError(VOID) { return win32::t_last_error; }
VOID WINAPI SetLastError(DWORD dwErrCode) { win32::t_last_error = dwErrCode; }

}  // extern "C"
