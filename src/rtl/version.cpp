// The system's version as drivers ask for it: RtlGetVersion, and the WDM version of
// IoIsWdmVersionAvailable, and the NTDDI version checks.
#include <cstring>

#include <wdm.h>

#include "rtl/version.hpp"

extern "C" {

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-rtlgetversion
// Learn documents STATUS_SUCCESS only; a dwOSVersionInfoSize that is neither structure's size gets
// STATUS_INVALID_PARAMETER and nothing written, since the routine could not tell how much to fill.
// The extended fields: no service pack, no suite bits, a workstation.
NTSYSAPI NTSTATUS NTAPI RtlGetVersion(PRTL_OSVERSIONINFOW lpVersionInformation) {
    if (!lpVersionInformation) return STATUS_INVALID_PARAMETER;
    const ULONG size = lpVersionInformation->dwOSVersionInfoSize;
    if (size != sizeof(RTL_OSVERSIONINFOW) && size != sizeof(RTL_OSVERSIONINFOEXW)) return STATUS_INVALID_PARAMETER;
    std::memset(reinterpret_cast<char*>(lpVersionInformation) + sizeof(ULONG), 0, size - sizeof(ULONG));
    lpVersionInformation->dwMajorVersion = ntio::rtl::kMajorVersion;
    lpVersionInformation->dwMinorVersion = ntio::rtl::kMinorVersion;
    lpVersionInformation->dwBuildNumber = ntio::rtl::kBuildNumber;
    lpVersionInformation->dwPlatformId = VER_PLATFORM_WIN32_NT;
    if (size == sizeof(RTL_OSVERSIONINFOEXW))
        reinterpret_cast<PRTL_OSVERSIONINFOEXW>(lpVersionInformation)->wProductType =
            ntio::rtl::kServerProduct ? VER_NT_SERVER : VER_NT_WORKSTATION;
    return STATUS_SUCCESS;
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-ioiswdmversionavailable
// TRUE when WDM_MAJORVERSION.WDM_MINORVERSION is at least the version asked for.
NTKERNELAPI BOOLEAN NTAPI IoIsWdmVersionAvailable(UCHAR MajorVersion, UCHAR MinorVersion) {
    return MajorVersion < WDM_MAJORVERSION || (MajorVersion == WDM_MAJORVERSION && MinorVersion <= WDM_MINORVERSION)
               ? TRUE
               : FALSE;
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-rtlisntddiversionavailable
NTSYSAPI BOOLEAN NTAPI RtlIsNtDdiVersionAvailable(ULONG Version) {
    return Version <= ntio::rtl::kNtddiVersion ? TRUE : FALSE;
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-rtlisservicepackversioninstalled
// The version's operating system (its high word) must be this one; its service pack and
// sub-version (the low word) at most this one's.
NTSYSAPI BOOLEAN NTAPI RtlIsServicePackVersionInstalled(ULONG Version) {
    constexpr ULONG kOs = ntio::rtl::kNtddiVersion >> 16;
    constexpr ULONG kServicePack = ntio::rtl::kNtddiVersion & 0xFFFF;
    return (Version >> 16) == kOs && (Version & 0xFFFF) <= kServicePack ? TRUE : FALSE;
}

}  // extern "C"
