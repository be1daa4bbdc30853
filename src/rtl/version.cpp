// The system's version as drivers ask for it: RtlGetVersion, and the WDM version of
// IoIsWdmVersionAvailable, and the NTDDI version checks.
#include <cstring>

#include <wdm.h>

#include "rtl/version.hpp"
#include "verifier/verifier.hpp"

namespace ntio::rtl {
namespace version_check {

// A field's condition sits in the 3 bits at 3 x (the index of its VER_* bit).
inline unsigned condition_shift(ULONG type_bit) noexcept {
    return VER_NUM_BITS_PER_CONDITION_MASK * static_cast<unsigned>(__builtin_ctz(type_bit));
}

inline UCHAR condition_of(ULONGLONG mask, ULONG type_bit) noexcept {
    return static_cast<UCHAR>((mask >> condition_shift(type_bit)) & VER_CONDITION_MASK);
}

// -1, 0, 1 for system < / == / > wanted.
inline int order(ULONGLONG system, ULONGLONG wanted) noexcept { return system < wanted ? -1 : system > wanted ? 1 : 0; }

inline bool holds(int cmp, UCHAR condition) noexcept {
    switch (condition) {
    case VER_EQUAL: return cmp == 0;
    case VER_GREATER: return cmp > 0;
    case VER_GREATER_EQUAL: return cmp >= 0;
    case VER_LESS: return cmp < 0;
    case VER_LESS_EQUAL: return cmp <= 0;
    default: return false;
    }
}

}  // namespace version_check
}  // namespace ntio::rtl

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
    NTIO_VERIFY_DDI(ntio::verifier::DdiRule::IoPassive5);
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

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-versetconditionmask
// Records Condition for each field in TypeMask (replacing an earlier condition for that field).
// A zero TypeMask or Condition returns the mask unchanged.
NTSYSAPI ULONGLONG NTAPI VerSetConditionMask(ULONGLONG ConditionMask, ULONG TypeMask, UCHAR Condition) {
    namespace vc = ntio::rtl::version_check;
    if (TypeMask == 0 || Condition == 0) return ConditionMask;
    for (ULONG bits = TypeMask & 0xFF; bits; bits &= bits - 1) {
        const ULONG bit = bits & (~bits + 1);
        const unsigned shift = vc::condition_shift(bit);
        ConditionMask &= ~(ULONGLONG{VER_CONDITION_MASK} << shift);
        ConditionMask |= ULONGLONG{static_cast<UCHAR>(Condition & VER_CONDITION_MASK)} << shift;
    }
    return ConditionMask;
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-rtlverifyversioninfo
// Major, minor, service pack major and minor are one version, compared in that order with the
// condition of the most significant of them that TypeMask names (the comparison Learn's
// VerifyVersionInfo describes for them); build, platform and product type each compare alone; the
// suite mask takes VER_AND (all wanted suites present) or VER_OR (any). ntio reports no suites.
// STATUS_INVALID_PARAMETER: no VersionInfo, an empty TypeMask or ConditionMask, a named field
// without a valid condition.
NTSYSAPI NTSTATUS NTAPI RtlVerifyVersionInfo(PRTL_OSVERSIONINFOEXW VersionInfo, ULONG TypeMask, ULONGLONG ConditionMask) {
    namespace vc = ntio::rtl::version_check;
    constexpr ULONG kKnown = VER_MINORVERSION | VER_MAJORVERSION | VER_BUILDNUMBER | VER_PLATFORMID |
                             VER_SERVICEPACKMINOR | VER_SERVICEPACKMAJOR | VER_SUITENAME | VER_PRODUCT_TYPE;
    if (!VersionInfo || (TypeMask & kKnown) == 0 || ConditionMask == 0) return STATUS_INVALID_PARAMETER;
    RTL_OSVERSIONINFOEXW self{};
    self.dwOSVersionInfoSize = sizeof(self);
    (void)RtlGetVersion(reinterpret_cast<PRTL_OSVERSIONINFOW>(&self));
    for (ULONG bits = TypeMask & kKnown; bits; bits &= bits - 1) {
        const UCHAR condition = vc::condition_of(ConditionMask, bits & (~bits + 1));
        const bool suite = (bits & (~bits + 1)) == VER_SUITENAME;
        if (suite ? (condition != VER_AND && condition != VER_OR) : (condition == 0 || condition > VER_LESS_EQUAL))
            return STATUS_INVALID_PARAMETER;
    }
    bool ok = true;
    // The version proper: most significant field first.
    constexpr ULONG kVersion = VER_MAJORVERSION | VER_MINORVERSION | VER_SERVICEPACKMAJOR | VER_SERVICEPACKMINOR;
    if (TypeMask & kVersion) {
        const struct {
            ULONG bit;
            ULONG system;
            ULONG wanted;
        } fields[] = {{VER_MAJORVERSION, self.dwMajorVersion, VersionInfo->dwMajorVersion},
                      {VER_MINORVERSION, self.dwMinorVersion, VersionInfo->dwMinorVersion},
                      {VER_SERVICEPACKMAJOR, self.wServicePackMajor, VersionInfo->wServicePackMajor},
                      {VER_SERVICEPACKMINOR, self.wServicePackMinor, VersionInfo->wServicePackMinor}};
        UCHAR condition = 0;
        int cmp = 0;
        for (const auto& f : fields) {
            if (!(TypeMask & f.bit)) continue;
            if (condition == 0) condition = vc::condition_of(ConditionMask, f.bit);
            if (cmp == 0) cmp = vc::order(f.system, f.wanted);
        }
        ok = vc::holds(cmp, condition);
    }
    if (ok && (TypeMask & VER_BUILDNUMBER))
        ok = vc::holds(vc::order(self.dwBuildNumber, VersionInfo->dwBuildNumber),
                       vc::condition_of(ConditionMask, VER_BUILDNUMBER));
    if (ok && (TypeMask & VER_PLATFORMID))
        ok = vc::holds(vc::order(self.dwPlatformId, VersionInfo->dwPlatformId),
                       vc::condition_of(ConditionMask, VER_PLATFORMID));
    if (ok && (TypeMask & VER_PRODUCT_TYPE))
        ok = vc::holds(vc::order(self.wProductType, VersionInfo->wProductType),
                       vc::condition_of(ConditionMask, VER_PRODUCT_TYPE));
    if (ok && (TypeMask & VER_SUITENAME)) {
        const USHORT wanted = VersionInfo->wSuiteMask;
        const USHORT have = static_cast<USHORT>(self.wSuiteMask & wanted);
        ok = vc::condition_of(ConditionMask, VER_SUITENAME) == VER_AND ? have == wanted : (wanted == 0 || have != 0);
    }
    return ok ? STATUS_SUCCESS : STATUS_REVISION_MISMATCH;
}

}  // extern "C"
