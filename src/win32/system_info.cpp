// GetSystemInfo / GetNativeSystemInfo, GetComputerName, GetWindowsDirectory / GetSystemDirectory,
// GetVersionEx / GetVersion and IsDebuggerPresent. The directories come from the registry's SystemRoot, the computer name from the
// ComputerName key, else the host's name as Windows forms a NetBIOS name.
// https://learn.microsoft.com/windows/win32/api/sysinfoapi/ns-sysinfoapi-system_info
// https://learn.microsoft.com/windows/win32/api/winbase/nf-winbase-getcomputernamew
#include <unistd.h>

#include <type_traits>

#include "win32/win32.hpp"

using namespace ntio;

namespace {

// A REG_SZ value of HKLM, or empty.
std::u16string machine_string(const WCHAR* key, const WCHAR* value) {
    WCHAR buffer[MAX_PATH + 1] = {};
    DWORD size = sizeof buffer - sizeof(WCHAR);
    if (RegGetValueW(HKEY_LOCAL_MACHINE, key, value, RRF_RT_REG_SZ, nullptr, buffer, &size) != ERROR_SUCCESS) return {};
    return std::u16string(reinterpret_cast<const char16_t*>(buffer));
}

std::u16string system_directory() { return win32::windows_directory() + u"\\system32"; }

// "The GetComputerName function retrieves only the NetBIOS name": the registry's, else the host's
// name before its first dot, upper case, at most MAX_COMPUTERNAME_LENGTH characters.
std::u16string computer_name() {
    win32::ensure_system();
    std::u16string name =
        machine_string(L"SYSTEM\\CurrentControlSet\\Control\\ComputerName\\ComputerName", L"ComputerName");
    if (name.empty()) {
        char host[256] = {};
        if (gethostname(host, sizeof host - 1) != 0) std::snprintf(host, sizeof host, "NTIO");
        for (const char* c = host; *c && *c != '.' && name.size() < MAX_COMPUTERNAME_LENGTH; ++c)
            name.push_back(static_cast<char16_t>(*c >= 'a' && *c <= 'z' ? *c - 'a' + 'A' : static_cast<unsigned char>(*c)));
    }
    return name;
}

template <class Char, class Text>
BOOL computer_name_out(const Text& name, Char* buffer, LPDWORD size) {
    if (!size) {
        SetLastError(ERROR_INVALID_PARAMETER);
        return FALSE;
    }
    // Too small: ERROR_BUFFER_OVERFLOW and the size needed, the NUL included.
    if (!buffer || *size < name.size() + 1) {
        *size = static_cast<DWORD>(name.size() + 1);
        SetLastError(ERROR_BUFFER_OVERFLOW);
        return FALSE;
    }
    *size = win32::copy_out(name, *size, buffer);
    return TRUE;
}

// "With the release of Windows 8.1, the behavior of the GetVersionEx API has changed in the value it
// will return for the operating system version": a program not manifested for Windows 8.1 or 10 (no
// program has a manifest here) is told Windows 8, 6.2 build 9200. RtlGetVersion tells the truth.
// https://learn.microsoft.com/windows/win32/api/sysinfoapi/nf-sysinfoapi-getversionexw
constexpr DWORD kReportedMajor = 6, kReportedMinor = 2, kReportedBuild = 9200;

template <class Info>
BOOL version_out(Info* info, std::size_t plain_size, std::size_t ex_size) {
    if (!info || (info->dwOSVersionInfoSize != plain_size && info->dwOSVersionInfoSize != ex_size)) {
        SetLastError(ERROR_INSUFFICIENT_BUFFER);
        return FALSE;
    }
    RTL_OSVERSIONINFOEXW truth{};
    truth.dwOSVersionInfoSize = sizeof truth;
    (void)RtlGetVersion(reinterpret_cast<PRTL_OSVERSIONINFOW>(&truth));
    info->dwMajorVersion = kReportedMajor;
    info->dwMinorVersion = kReportedMinor;
    info->dwBuildNumber = kReportedBuild;
    info->dwPlatformId = VER_PLATFORM_WIN32_NT;
    info->szCSDVersion[0] = 0;
    if (info->dwOSVersionInfoSize == ex_size) {
        auto* ex = reinterpret_cast<std::conditional_t<sizeof(info->szCSDVersion[0]) == 1, OSVERSIONINFOEXA, OSVERSIONINFOEXW>*>(info);
        ex->wServicePackMajor = 0;
        ex->wServicePackMinor = 0;
        ex->wSuiteMask = truth.wSuiteMask;
        ex->wProductType = truth.wProductType;
        ex->wReserved = 0;
    }
    return TRUE;
}

}  // namespace

// The registry's SystemRoot (C:\Windows by default): GetWindowsDirectory, and where the SCM puts
// drivers' images (service_create.cpp).
std::u16string ntio::win32::windows_directory() {
    ensure_system();
    std::u16string root = machine_string(L"SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion", L"SystemRoot");
    return root.empty() ? std::u16string(u"C:\\Windows") : root;
}

extern "C" {

BOOL WINAPI GetVersionExW(LPOSVERSIONINFOW lpVersionInformation) {
    return version_out(lpVersionInformation, sizeof(OSVERSIONINFOW), sizeof(OSVERSIONINFOEXW));
}

BOOL WINAPI GetVersionExA(LPOSVERSIONINFOA lpVersionInformation) {
    return version_out(lpVersionInformation, sizeof(OSVERSIONINFOA), sizeof(OSVERSIONINFOEXA));
}

// The low word the major and minor versions, the high word the build (its top bit clear: NT).
DWORD WINAPI GetVersion(VOID) { return kReportedMajor | kReportedMinor << 8 | kReportedBuild << 16; }


// NtQuerySystemInformation's SystemBasicInformation and SystemProcessorInformation, as on Windows.
VOID WINAPI GetSystemInfo(LPSYSTEM_INFO lpSystemInfo) {
    win32::ensure_system();
    SYSTEM_BASIC_INFORMATION basic{};
    SYSTEM_PROCESSOR_INFORMATION processor{};
    (void)NtQuerySystemInformation(SystemBasicInformation, &basic, sizeof basic, nullptr);
    (void)NtQuerySystemInformation(SystemProcessorInformation, &processor, sizeof processor, nullptr);
    SYSTEM_INFO info{};
    info.wProcessorArchitecture = processor.ProcessorArchitecture;
    if (processor.ProcessorArchitecture == PROCESSOR_ARCHITECTURE_AMD64) info.dwProcessorType = PROCESSOR_AMD_X8664;
    info.dwPageSize = basic.PageSize;
    info.lpMinimumApplicationAddress = reinterpret_cast<LPVOID>(basic.MinimumUserModeAddress);
    info.lpMaximumApplicationAddress = reinterpret_cast<LPVOID>(basic.MaximumUserModeAddress);
    info.dwNumberOfProcessors = static_cast<DWORD>(static_cast<unsigned char>(basic.NumberOfProcessors));
    info.dwActiveProcessorMask = basic.ActiveProcessorsAffinityMask;
    info.dwAllocationGranularity = basic.AllocationGranularity;
    info.wProcessorLevel = processor.ProcessorLevel;
    info.wProcessorRevision = processor.ProcessorRevision;
    *lpSystemInfo = info;
}

// https://learn.microsoft.com/windows/win32/api/winbase/nf-winbase-getactiveprocessorcount
// https://learn.microsoft.com/windows/win32/api/winbase/nf-winbase-getmaximumprocessorcount
// "If the function fails, the return value is zero": a group other than 0 and ALL_PROCESSOR_GROUPS
// is ERROR_INVALID_PARAMETER (a guess at the error; ntio has one group).
DWORD WINAPI GetActiveProcessorCount(WORD GroupNumber) {
    if (GroupNumber != 0 && GroupNumber != ALL_PROCESSOR_GROUPS) {
        SetLastError(ERROR_INVALID_PARAMETER);
        return 0;
    }
    SYSTEM_INFO info;
    GetSystemInfo(&info);
    return info.dwNumberOfProcessors;
}

DWORD WINAPI GetMaximumProcessorCount(WORD GroupNumber) {
    if (GroupNumber != 0 && GroupNumber != ALL_PROCESSOR_GROUPS) {
        SetLastError(ERROR_INVALID_PARAMETER);
        return 0;
    }
    win32::ensure_system();
    SYSTEM_PROCESSOR_INFORMATION processor{};
    NTSTATUS status = NtQuerySystemInformation(SystemProcessorInformation, &processor, sizeof processor, nullptr);
    if (!NT_SUCCESS(status)) {
        win32::set_last_nt_error(status);
        return 0;
    }
    return processor.MaximumProcessors;
}

// A 64-bit process: the native system is the one it runs on.
VOID WINAPI GetNativeSystemInfo(LPSYSTEM_INFO lpSystemInfo) { GetSystemInfo(lpSystemInfo); }

BOOL WINAPI GetComputerNameW(LPWSTR lpBuffer, LPDWORD nSize) { return computer_name_out(computer_name(), lpBuffer, nSize); }

BOOL WINAPI GetComputerNameA(LPSTR lpBuffer, LPDWORD nSize) {
    return computer_name_out(win32::utf16_to_ansi(computer_name()), lpBuffer, nSize);
}

// The length without the NUL, or the size needed with it when uSize is too small.
UINT WINAPI GetWindowsDirectoryW(LPWSTR lpBuffer, UINT uSize) {
    return win32::copy_out(win32::windows_directory(), uSize, lpBuffer);
}
UINT WINAPI GetWindowsDirectoryA(LPSTR lpBuffer, UINT uSize) {
    return win32::copy_out(win32::utf16_to_ansi(win32::windows_directory()), uSize, lpBuffer);
}
UINT WINAPI GetSystemDirectoryW(LPWSTR lpBuffer, UINT uSize) { return win32::copy_out(system_directory(), uSize, lpBuffer); }
UINT WINAPI GetSystemDirectoryA(LPSTR lpBuffer, UINT uSize) {
    return win32::copy_out(win32::utf16_to_ansi(system_directory()), uSize, lpBuffer);
}

// No user-mode debugger attaches to an ntio process.
BOOL WINAPI IsDebuggerPresent(VOID) { return FALSE; }

}  // extern "C"
