/* <wdm.h> piece for the configuration manager: the key and value information classes and structures,
 * and the Zw*Key routines drivers call (PreviousMode KernelMode: no probing, kernel handles allowed).
 * The Nt*Key services for applications are in <ntio/nt/registry_services.h>. Exact WDK spellings and
 * Windows x64 layouts (https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/ and ntddk/). */
#ifndef NTIO_DDK_REGISTRY_H
#define NTIO_DDK_REGISTRY_H
#include "basetypes.h"
#include "sal.h"
#include "ntstatus.h"
#include "ob.h"
#include "registry_constants.h"

/* ---- NtQueryKey / NtEnumerateKey ---------------------------------------------------------------- */
/* ne-wdm-_key_information_class */
typedef enum _KEY_INFORMATION_CLASS {
    KeyBasicInformation,
    KeyNodeInformation,
    KeyFullInformation,
    KeyNameInformation,
    KeyCachedInformation,
    KeyFlagsInformation,
    KeyVirtualizationInformation,
    KeyHandleTagsInformation,
    KeyTrustInformation,
    KeyLayerInformation,
    MaxKeyInfoClass
} KEY_INFORMATION_CLASS;

typedef struct _KEY_BASIC_INFORMATION {
    LARGE_INTEGER LastWriteTime;
    ULONG TitleIndex;
    ULONG NameLength;
    WCHAR Name[1];
} KEY_BASIC_INFORMATION, *PKEY_BASIC_INFORMATION;

/* ClassOffset is from the start of the structure; the class follows the name. */
typedef struct _KEY_NODE_INFORMATION {
    LARGE_INTEGER LastWriteTime;
    ULONG TitleIndex;
    ULONG ClassOffset;
    ULONG ClassLength;
    ULONG NameLength;
    WCHAR Name[1];
} KEY_NODE_INFORMATION, *PKEY_NODE_INFORMATION;

typedef struct _KEY_FULL_INFORMATION {
    LARGE_INTEGER LastWriteTime;
    ULONG TitleIndex;
    ULONG ClassOffset;
    ULONG ClassLength;
    ULONG SubKeys;
    ULONG MaxNameLen;
    ULONG MaxClassLen;
    ULONG Values;
    ULONG MaxValueNameLen;
    ULONG MaxValueDataLen;
    WCHAR Class[1];
} KEY_FULL_INFORMATION, *PKEY_FULL_INFORMATION;

/* The full path of the key (\REGISTRY\MACHINE\...). */
typedef struct _KEY_NAME_INFORMATION {
    ULONG NameLength;
    WCHAR Name[1];
} KEY_NAME_INFORMATION, *PKEY_NAME_INFORMATION;

/* ns-ntddk-_key_cached_information: no name follows the structure. */
typedef struct _KEY_CACHED_INFORMATION {
    LARGE_INTEGER LastWriteTime;
    ULONG TitleIndex;
    ULONG SubKeys;
    ULONG MaxNameLen;
    ULONG Values;
    ULONG MaxValueNameLen;
    ULONG MaxValueDataLen;
    ULONG NameLength;
} KEY_CACHED_INFORMATION, *PKEY_CACHED_INFORMATION;

/* ns-ntddk-_key_virtualization_information: one ULONG of flags. */
typedef struct _KEY_VIRTUALIZATION_INFORMATION {
    ULONG VirtualizationCandidate : 1;
    ULONG VirtualizationEnabled : 1;
    ULONG VirtualTarget : 1;
    ULONG VirtualStore : 1;
    ULONG VirtualSource : 1;
    ULONG Reserved : 27;
} KEY_VIRTUALIZATION_INFORMATION, *PKEY_VIRTUALIZATION_INFORMATION;

/* ---- NtQueryValueKey / NtEnumerateValueKey ----------------------------------------------------- */
/* ne-wdm-_key_value_information_class: the Align64 classes need an 8-byte aligned buffer
 * (STATUS_DATATYPE_MISALIGNMENT otherwise). */
typedef enum _KEY_VALUE_INFORMATION_CLASS {
    KeyValueBasicInformation,
    KeyValueFullInformation,
    KeyValuePartialInformation,
    KeyValueFullInformationAlign64,
    KeyValuePartialInformationAlign64,
    KeyValueLayerInformation,
    MaxKeyValueInfoClass
} KEY_VALUE_INFORMATION_CLASS;

typedef struct _KEY_VALUE_BASIC_INFORMATION {
    ULONG TitleIndex;
    ULONG Type;
    ULONG NameLength;
    WCHAR Name[1];
} KEY_VALUE_BASIC_INFORMATION, *PKEY_VALUE_BASIC_INFORMATION;

/* DataOffset is from the start of the structure; the data follows the name (8-byte aligned for
 * KeyValueFullInformationAlign64, 4-byte aligned otherwise). */
typedef struct _KEY_VALUE_FULL_INFORMATION {
    ULONG TitleIndex;
    ULONG Type;
    ULONG DataOffset;
    ULONG DataLength;
    ULONG NameLength;
    WCHAR Name[1];
} KEY_VALUE_FULL_INFORMATION, *PKEY_VALUE_FULL_INFORMATION;

typedef struct _KEY_VALUE_PARTIAL_INFORMATION {
    ULONG TitleIndex;
    ULONG Type;
    ULONG DataLength;
    UCHAR Data[1];
} KEY_VALUE_PARTIAL_INFORMATION, *PKEY_VALUE_PARTIAL_INFORMATION;

typedef struct _KEY_VALUE_PARTIAL_INFORMATION_ALIGN64 {
    ULONG Type;
    ULONG DataLength;
    UCHAR Data[1];
} KEY_VALUE_PARTIAL_INFORMATION_ALIGN64, *PKEY_VALUE_PARTIAL_INFORMATION_ALIGN64;

/* ns-wdm-_key_value_entry (NtQueryMultipleValueKey). */
typedef struct _KEY_VALUE_ENTRY {
    PUNICODE_STRING ValueName;
    ULONG DataLength;
    ULONG DataOffset;
    ULONG Type;
} KEY_VALUE_ENTRY, *PKEY_VALUE_ENTRY;

/* ---- NtSetInformationKey ----------------------------------------------------------------------- */
/* ne-wdm-_key_set_information_class: only KeyWriteTimeInformation is documented for drivers; the
 * others are "reserved for system use". */
typedef enum _KEY_SET_INFORMATION_CLASS {
    KeyWriteTimeInformation,
    KeyWow64FlagsInformation,
    KeyControlFlagsInformation,
    KeySetVirtualizationInformation,
    KeySetDebugInformation,
    KeySetHandleTagsInformation,
    KeySetLayerInformation,
    MaxKeySetInfoClass
} KEY_SET_INFORMATION_CLASS;

/* ns-wdm-_key_write_time_information */
typedef struct _KEY_WRITE_TIME_INFORMATION {
    LARGE_INTEGER LastWriteTime;
} KEY_WRITE_TIME_INFORMATION, *PKEY_WRITE_TIME_INFORMATION;

C_ASSERT(sizeof(KEY_BASIC_INFORMATION) == 24);
C_ASSERT(sizeof(KEY_NODE_INFORMATION) == 32);
C_ASSERT(sizeof(KEY_FULL_INFORMATION) == 48);
C_ASSERT(sizeof(KEY_NAME_INFORMATION) == 8);
C_ASSERT(sizeof(KEY_CACHED_INFORMATION) == 40);
C_ASSERT(sizeof(KEY_VALUE_BASIC_INFORMATION) == 16);
C_ASSERT(sizeof(KEY_VALUE_FULL_INFORMATION) == 24);
C_ASSERT(sizeof(KEY_VALUE_PARTIAL_INFORMATION) == 16);
C_ASSERT(sizeof(KEY_VALUE_PARTIAL_INFORMATION_ALIGN64) == 12);
C_ASSERT(sizeof(KEY_VALUE_ENTRY) == 24);
C_ASSERT(sizeof(KEY_WRITE_TIME_INFORMATION) == 8);

NTIO_BEGIN_DECLS

/* The Key object type (ObReferenceObjectByHandle on a key handle). */
extern NTKERNELAPI POBJECT_TYPE *CmKeyObjectType;

/* Every Zw*Key routine: IRQL == PASSIVE_LEVEL; KernelMode callers (no probes, kernel handles valid).
 * Names are case-insensitive; absolute names start at \REGISTRY (\REGISTRY\MACHINE, \REGISTRY\USER). */

/* Disposition (optional) receives REG_CREATED_NEW_KEY or REG_OPENED_EXISTING_KEY. A non-volatile key
 * under a volatile one -> STATUS_CHILD_MUST_BE_VOLATILE; a missing parent -> STATUS_OBJECT_NAME_NOT_FOUND. */
NTSYSAPI NTSTATUS NTAPI ZwCreateKey(_Out_ PHANDLE KeyHandle, _In_ ACCESS_MASK DesiredAccess,
                                    _In_ POBJECT_ATTRIBUTES ObjectAttributes, _Reserved_ ULONG TitleIndex,
                                    _In_opt_ PUNICODE_STRING Class, _In_ ULONG CreateOptions,
                                    _Out_opt_ PULONG Disposition);
NTSYSAPI NTSTATUS NTAPI ZwOpenKey(_Out_ PHANDLE KeyHandle, _In_ ACCESS_MASK DesiredAccess,
                                  _In_ POBJECT_ATTRIBUTES ObjectAttributes);
NTSYSAPI NTSTATUS NTAPI ZwOpenKeyEx(_Out_ PHANDLE KeyHandle, _In_ ACCESS_MASK DesiredAccess,
                                    _In_ POBJECT_ATTRIBUTES ObjectAttributes, _In_ ULONG OpenOptions);
/* Needs DELETE; a key with subkeys -> STATUS_CANNOT_DELETE. Handles to a deleted key then fail with
 * STATUS_KEY_DELETED (NtClose still works). */
NTSYSAPI NTSTATUS NTAPI ZwDeleteKey(_In_ HANDLE KeyHandle);
NTSYSAPI NTSTATUS NTAPI ZwDeleteValueKey(_In_ HANDLE KeyHandle, _In_ PUNICODE_STRING ValueName);
/* Index past the last subkey / value -> STATUS_NO_MORE_ENTRIES. Subkeys enumerate in name order. */
NTSYSAPI NTSTATUS NTAPI ZwEnumerateKey(_In_ HANDLE KeyHandle, _In_ ULONG Index,
                                       _In_ KEY_INFORMATION_CLASS KeyInformationClass,
                                       _Out_writes_bytes_opt_(Length) PVOID KeyInformation, _In_ ULONG Length,
                                       _Out_ PULONG ResultLength);
NTSYSAPI NTSTATUS NTAPI ZwEnumerateValueKey(_In_ HANDLE KeyHandle, _In_ ULONG Index,
                                            _In_ KEY_VALUE_INFORMATION_CLASS KeyValueInformationClass,
                                            _Out_writes_bytes_opt_(Length) PVOID KeyValueInformation,
                                            _In_ ULONG Length, _Out_ PULONG ResultLength);
/* Returns once every committed change of the key's hive is durable. */
NTSYSAPI NTSTATUS NTAPI ZwFlushKey(_In_ HANDLE KeyHandle);
/* Length below the fixed part -> STATUS_BUFFER_TOO_SMALL; below the whole -> STATUS_BUFFER_OVERFLOW
 * with the fixed part written; *ResultLength is the size of the whole in both cases. */
NTSYSAPI NTSTATUS NTAPI ZwQueryKey(_In_ HANDLE KeyHandle, _In_ KEY_INFORMATION_CLASS KeyInformationClass,
                                   _Out_writes_bytes_opt_(Length) PVOID KeyInformation, _In_ ULONG Length,
                                   _Out_ PULONG ResultLength);
NTSYSAPI NTSTATUS NTAPI ZwQueryValueKey(_In_ HANDLE KeyHandle, _In_ PUNICODE_STRING ValueName,
                                        _In_ KEY_VALUE_INFORMATION_CLASS KeyValueInformationClass,
                                        _Out_writes_bytes_opt_(Length) PVOID KeyValueInformation, _In_ ULONG Length,
                                        _Out_ PULONG ResultLength);
/* Renames the key (NewName is one name component, not a path); the handle needs KEY_WRITE. A sibling
 * of that name -> STATUS_CANNOT_DELETE; a hive root -> STATUS_ACCESS_DENIED. */
NTSYSAPI NTSTATUS NTAPI ZwRenameKey(_In_ HANDLE KeyHandle, _In_ PUNICODE_STRING NewName);
/* KeyWriteTimeInformation sets the key's LastWriteTime; the handle needs KEY_SET_VALUE. A length other
 * than the class's structure -> STATUS_INFO_LENGTH_MISMATCH, an unknown class STATUS_INVALID_INFO_CLASS. */
NTSYSAPI NTSTATUS NTAPI ZwSetInformationKey(_In_ HANDLE KeyHandle, _In_ KEY_SET_INFORMATION_CLASS KeySetInformationClass,
                                            _In_reads_bytes_(KeySetInformationLength) PVOID KeySetInformation,
                                            _In_ ULONG KeySetInformationLength);
NTSYSAPI NTSTATUS NTAPI ZwSetValueKey(_In_ HANDLE KeyHandle, _In_ PUNICODE_STRING ValueName,
                                      _In_opt_ ULONG TitleIndex, _In_ ULONG Type,
                                      _In_reads_bytes_opt_(DataSize) PVOID Data, _In_ ULONG DataSize);

NTIO_END_DECLS

#endif /* NTIO_DDK_REGISTRY_H */
