/* <wdm.h> piece: the Rtl registry helpers drivers call (RtlQueryRegistryValues with its query table,
 * RtlWriteRegistryValue, RtlDeleteRegistryValue, RtlCheckRegistryKey, RtlCreateRegistryKey) and the
 * RTL_REGISTRY_* / RTL_QUERY_REGISTRY_* constants. They run over the Zw*Key routines of registry.h.
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-rtlqueryregistryvalues */
#ifndef NTIO_DDK_RTL_REGISTRY_H
#define NTIO_DDK_RTL_REGISTRY_H
#include "basetypes.h"
#include "sal.h"
#include "ntstatus.h"
#include "registry.h"

/* RelativeTo: where Path starts, optionally ORed with RTL_REGISTRY_OPTIONAL or replaced by
 * RTL_REGISTRY_HANDLE (Path is then an open key handle). */
#define RTL_REGISTRY_ABSOLUTE 0
#define RTL_REGISTRY_SERVICES 1
#define RTL_REGISTRY_CONTROL 2
#define RTL_REGISTRY_WINDOWS_NT 3
#define RTL_REGISTRY_DEVICEMAP 4
#define RTL_REGISTRY_USER 5
#define RTL_REGISTRY_MAXIMUM 6
#define RTL_REGISTRY_HANDLE 0x40000000
#define RTL_REGISTRY_OPTIONAL 0x80000000

/* RTL_QUERY_REGISTRY_TABLE.Flags */
#define RTL_QUERY_REGISTRY_SUBKEY 0x00000001
#define RTL_QUERY_REGISTRY_TOPKEY 0x00000002
#define RTL_QUERY_REGISTRY_REQUIRED 0x00000004
#define RTL_QUERY_REGISTRY_NOVALUE 0x00000008
#define RTL_QUERY_REGISTRY_NOEXPAND 0x00000010
#define RTL_QUERY_REGISTRY_DIRECT 0x00000020
#define RTL_QUERY_REGISTRY_DELETE 0x00000040
#define RTL_QUERY_REGISTRY_NOSTRING 0x00000080
#define RTL_QUERY_REGISTRY_TYPECHECK 0x00000100
/* With RTL_QUERY_REGISTRY_TYPECHECK, DefaultType's top byte is the REG_ type the value must have. */
#define RTL_QUERY_REGISTRY_TYPECHECK_SHIFT 24
#define RTL_QUERY_REGISTRY_TYPECHECK_MASK (0xff << RTL_QUERY_REGISTRY_TYPECHECK_SHIFT)

typedef _Function_class_(RTL_QUERY_REGISTRY_ROUTINE) _IRQL_requires_max_(PASSIVE_LEVEL) _IRQL_requires_same_
NTSTATUS NTAPI RTL_QUERY_REGISTRY_ROUTINE(_In_z_ PWSTR ValueName, _In_ ULONG ValueType,
                                          _In_reads_bytes_opt_(ValueLength) PVOID ValueData, _In_ ULONG ValueLength,
                                          _In_opt_ PVOID Context, _In_opt_ PVOID EntryContext);
typedef RTL_QUERY_REGISTRY_ROUTINE *PRTL_QUERY_REGISTRY_ROUTINE;

typedef struct _RTL_QUERY_REGISTRY_TABLE {
    PRTL_QUERY_REGISTRY_ROUTINE QueryRoutine;
    ULONG Flags;
    PWSTR Name;
    PVOID EntryContext;
    ULONG DefaultType;
    PVOID DefaultData;
    ULONG DefaultLength;
} RTL_QUERY_REGISTRY_TABLE, *PRTL_QUERY_REGISTRY_TABLE;
C_ASSERT(sizeof(RTL_QUERY_REGISTRY_TABLE) == 56);

NTIO_BEGIN_DECLS

/* All five: IRQL == PASSIVE_LEVEL; keys are opened with kernel handles and closed before return.
 * QueryTable ends at the entry whose QueryRoutine and Name are both NULL. Strings that
 * RTL_QUERY_REGISTRY_DIRECT allocates (UNICODE_STRING with a NULL Buffer) are freed with
 * RtlFreeUnicodeString. Environment: NULL or a block of NAME=VALUE strings ending in an empty one,
 * used to expand REG_EXPAND_SZ values. */
NTSYSAPI NTSTATUS NTAPI RtlQueryRegistryValues(_In_ ULONG RelativeTo, _In_ PCWSTR Path,
                                               _Inout_ PRTL_QUERY_REGISTRY_TABLE QueryTable,
                                               _In_opt_ PVOID Context, _In_opt_ PVOID Environment);
NTSYSAPI NTSTATUS NTAPI RtlWriteRegistryValue(_In_ ULONG RelativeTo, _In_ PCWSTR Path, _In_ PCWSTR ValueName,
                                              _In_ ULONG ValueType, _In_reads_bytes_opt_(ValueLength) PVOID ValueData,
                                              _In_ ULONG ValueLength);
NTSYSAPI NTSTATUS NTAPI RtlDeleteRegistryValue(_In_ ULONG RelativeTo, _In_ PCWSTR Path, _In_z_ PCWSTR ValueName);
NTSYSAPI NTSTATUS NTAPI RtlCheckRegistryKey(_In_ ULONG RelativeTo, _In_ PWSTR Path);
NTSYSAPI NTSTATUS NTAPI RtlCreateRegistryKey(_In_ ULONG RelativeTo, _In_ PWSTR Path);

NTIO_END_DECLS

#endif /* NTIO_DDK_RTL_REGISTRY_H */
