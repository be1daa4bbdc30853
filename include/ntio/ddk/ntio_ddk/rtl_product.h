/* <ntddk.h> piece: RtlGetProductInfo, the product type (PRODUCT_*, winnt.h values) the running
 * system maps to for a given OS version. ntio reports itself as a Windows 10 workstation
 * (RtlGetVersion), whose product type is PRODUCT_PROFESSIONAL. Any IRQL. Exact WDK spellings.
 * https://learn.microsoft.com/windows/win32/api/sysinfoapi/nf-sysinfoapi-getproductinfo */
#ifndef NTIO_DDK_RTL_PRODUCT_H
#define NTIO_DDK_RTL_PRODUCT_H
#include "basetypes.h"
#include "sal.h"

#ifndef PRODUCT_UNDEFINED
#define PRODUCT_UNDEFINED 0x00000000
#define PRODUCT_ULTIMATE 0x00000001
#define PRODUCT_HOME_BASIC 0x00000002
#define PRODUCT_HOME_PREMIUM 0x00000003
#define PRODUCT_ENTERPRISE 0x00000004
#define PRODUCT_BUSINESS 0x00000006
#define PRODUCT_STANDARD_SERVER 0x00000007
#define PRODUCT_DATACENTER_SERVER 0x00000008
#define PRODUCT_ENTERPRISE_SERVER 0x0000000A
#define PRODUCT_PROFESSIONAL 0x00000030
#define PRODUCT_UNLICENSED 0xABCDABCD
#endif

NTIO_BEGIN_DECLS
/* TRUE and *ReturnedProductType for an OS version of 6.0 or later; FALSE with PRODUCT_UNDEFINED for
 * an earlier one (product types begin with Windows Vista); FALSE for a NULL pointer. */
NTSYSAPI BOOLEAN NTAPI RtlGetProductInfo(_In_ ULONG OSMajorVersion, _In_ ULONG OSMinorVersion,
                                         _In_ ULONG SpMajorVersion, _In_ ULONG SpMinorVersion,
                                         _Out_ PULONG ReturnedProductType);
NTIO_END_DECLS

#endif /* NTIO_DDK_RTL_PRODUCT_H */
