/* <ntifs.h> contents: UNC providers. A network redirector registers with the multiple UNC provider
 * (MUP, \Device\Mup) and answers its prefix-resolution request, IOCTL_REDIR_QUERY_PATH (legacy
 * providers) or IOCTL_REDIR_QUERY_PATH_EX, by claiming how much of a UNC name is its own.
 * WDK names, values and Windows x64 layouts:
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-_fsrtl_advanced_fcb_header-fsrtlregisteruncproviderex
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/ni-ntifs-ioctl_redir_query_path_ex
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/ns-ntifs-_query_path_request_ex */
#ifndef NTIO_DDK_FSRTL_UNC_H
#define NTIO_DDK_FSRTL_UNC_H

#include "basetypes.h"
#include "fsrtl_ecp.h"
#include "io.h"

NTIO_BEGIN_DECLS

#define DD_MUP_DEVICE_NAME L"\\Device\\Mup"

/* Both METHOD_NEITHER: Type3InputBuffer holds the request, Irp->UserBuffer the response. */
#define IOCTL_REDIR_QUERY_PATH CTL_CODE(FILE_DEVICE_NETWORK_FILE_SYSTEM, 99, METHOD_NEITHER, FILE_ANY_ACCESS)
#define IOCTL_REDIR_QUERY_PATH_EX CTL_CODE(FILE_DEVICE_NETWORK_FILE_SYSTEM, 100, METHOD_NEITHER, FILE_ANY_ACCESS)

typedef struct _QUERY_PATH_REQUEST {
    ULONG PathNameLength; /* bytes */
    PIO_SECURITY_CONTEXT SecurityContext;
    WCHAR FilePathName[1];
} QUERY_PATH_REQUEST, *PQUERY_PATH_REQUEST;

typedef struct _QUERY_PATH_REQUEST_EX {
    PIO_SECURITY_CONTEXT pSecurityContext;
    ULONG EaLength;
    PVOID pEaBuffer;
    UNICODE_STRING PathName;          /* "\server\share\...", not NUL-terminated */
    UNICODE_STRING DomainServiceName; /* only for FSRTL_UNC_PROVIDER_FLAGS_DOMAIN_SVC_AWARE providers */
    PECP_LIST EcpList;                /* the originating create's ECP list, or NULL */
    PESILO Silo;
    ULONG_PTR Reserved;
} QUERY_PATH_REQUEST_EX, *PQUERY_PATH_REQUEST_EX;

typedef struct _QUERY_PATH_RESPONSE {
    ULONG LengthAccepted; /* bytes of the path the provider claims */
} QUERY_PATH_RESPONSE, *PQUERY_PATH_RESPONSE;

typedef ULONG FSRTL_UNC_PROVIDER_FLAGS;
#define FSRTL_UNC_PROVIDER_FLAGS_MAILSLOTS_SUPPORTED 0x00000001
#define FSRTL_UNC_PROVIDER_FLAGS_CSC_ENABLED 0x00000002
#define FSRTL_UNC_PROVIDER_FLAGS_DOMAIN_SVC_AWARE 0x00000004

/* Legacy registration: RedirectorDeviceName names the redirector's own device; MUP hands it a
 * create by reparsing to that name, and later requests on the file go to it directly.
 * STATUS_INVALID_USER_BUFFER for a bad name. PASSIVE_LEVEL. */
NTKERNELAPI NTSTATUS NTAPI FsRtlRegisterUncProvider(_Out_ PHANDLE MupHandle, _In_ PCUNICODE_STRING RedirectorDeviceName,
                                                    _In_ BOOLEAN MailslotsSupported);

/* DeviceObject is the redirector's unnamed device; MUP links RedirDevName to \Device\Mup and
 * passes the creates it resolves, and every later request on such a file, to DeviceObject.
 * STATUS_INVALID_PARAMETER (empty name), STATUS_OBJECT_TYPE_MISMATCH (not a device),
 * STATUS_INVALID_DEVICE_REQUEST (already registered). PASSIVE_LEVEL. */
NTKERNELAPI NTSTATUS NTAPI FsRtlRegisterUncProviderEx(_Out_ PHANDLE MupHandle, _In_ PCUNICODE_STRING RedirDevName,
                                                      _In_ PDEVICE_OBJECT DeviceObject, _In_ FSRTL_UNC_PROVIDER_FLAGS Flags);

/* Ends a registration made by either routine; MUP sends the provider nothing more. PASSIVE_LEVEL. */
NTKERNELAPI VOID NTAPI FsRtlDeregisterUncProvider(_In_ HANDLE Handle);

NTIO_END_DECLS

#endif
