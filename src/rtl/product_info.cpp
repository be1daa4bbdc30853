// RtlGetProductInfo: the product type of the running system, mapped to an OS version.
// https://learn.microsoft.com/windows/win32/api/sysinfoapi/nf-sysinfoapi-getproductinfo (the Win32
// form; the kernel routine has only its prototype in ntddk.h). Product types begin with Windows
// Vista (6.0): an earlier version gets PRODUCT_UNDEFINED and FALSE. ntio is one product whatever
// version is asked about: a workstation reports PRODUCT_PROFESSIONAL, a server
// PRODUCT_STANDARD_SERVER (RtlGetVersion says which ntio is).
#include <ntddk.h>

#include "rtl/version.hpp"

extern "C" {

NTSYSAPI BOOLEAN NTAPI RtlGetProductInfo(ULONG OSMajorVersion, ULONG OSMinorVersion, ULONG SpMajorVersion,
                                         ULONG SpMinorVersion, PULONG ReturnedProductType) {
    (void)OSMinorVersion;
    (void)SpMajorVersion;
    (void)SpMinorVersion;
    if (!ReturnedProductType) return FALSE;
    if (OSMajorVersion < 6) {
        *ReturnedProductType = PRODUCT_UNDEFINED;
        return FALSE;
    }
    *ReturnedProductType = ntio::rtl::kServerProduct ? PRODUCT_STANDARD_SERVER : PRODUCT_PROFESSIONAL;
    return TRUE;
}

}  // extern "C"
