/* <wdm.h> piece for registry filtering: CmRegisterCallback(Ex) and the REG_NOTIFY_CLASS values and
 * REG_*_INFORMATION structures a RegistryCallback routine receives. WDK spellings and Windows x64
 * layouts (https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/). */
#ifndef NTIO_DDK_CM_CALLBACKS_H
#define NTIO_DDK_CM_CALLBACKS_H
#include "basetypes.h"
#include "ntstatus.h"
#include "registry.h"

/* nc-wdm-ex_callback_function: a RegistryCallback routine. Argument1 is the REG_NOTIFY_CLASS,
 * Argument2 the class's structure. */
typedef NTSTATUS EX_CALLBACK_FUNCTION(PVOID CallbackContext, PVOID Argument1, PVOID Argument2);
typedef EX_CALLBACK_FUNCTION *PEX_CALLBACK_FUNCTION;

/* ne-wdm-_reg_notify_class */
typedef enum _REG_NOTIFY_CLASS {
    RegNtDeleteKey,
    RegNtPreDeleteKey = RegNtDeleteKey,
    RegNtSetValueKey,
    RegNtPreSetValueKey = RegNtSetValueKey,
    RegNtDeleteValueKey,
    RegNtPreDeleteValueKey = RegNtDeleteValueKey,
    RegNtSetInformationKey,
    RegNtPreSetInformationKey = RegNtSetInformationKey,
    RegNtRenameKey,
    RegNtPreRenameKey = RegNtRenameKey,
    RegNtEnumerateKey,
    RegNtPreEnumerateKey = RegNtEnumerateKey,
    RegNtEnumerateValueKey,
    RegNtPreEnumerateValueKey = RegNtEnumerateValueKey,
    RegNtQueryKey,
    RegNtPreQueryKey = RegNtQueryKey,
    RegNtQueryValueKey,
    RegNtPreQueryValueKey = RegNtQueryValueKey,
    RegNtQueryMultipleValueKey,
    RegNtPreQueryMultipleValueKey = RegNtQueryMultipleValueKey,
    RegNtPreCreateKey,
    RegNtPostCreateKey,
    RegNtPreOpenKey,
    RegNtPostOpenKey,
    RegNtKeyHandleClose,
    RegNtPreKeyHandleClose = RegNtKeyHandleClose,
    RegNtPostDeleteKey,
    RegNtPostSetValueKey,
    RegNtPostDeleteValueKey,
    RegNtPostSetInformationKey,
    RegNtPostRenameKey,
    RegNtPostEnumerateKey,
    RegNtPostEnumerateValueKey,
    RegNtPostQueryKey,
    RegNtPostQueryValueKey,
    RegNtPostQueryMultipleValueKey,
    RegNtPostKeyHandleClose,
    RegNtPreCreateKeyEx,
    RegNtPostCreateKeyEx,
    RegNtPreOpenKeyEx,
    RegNtPostOpenKeyEx,
    RegNtPreFlushKey,
    RegNtPostFlushKey,
    RegNtPreLoadKey,
    RegNtPostLoadKey,
    RegNtPreUnLoadKey,
    RegNtPostUnLoadKey,
    RegNtPreQueryKeySecurity,
    RegNtPostQueryKeySecurity,
    RegNtPreSetKeySecurity,
    RegNtPostSetKeySecurity,
    RegNtCallbackObjectContextCleanup,
    RegNtPreRestoreKey,
    RegNtPostRestoreKey,
    RegNtPreSaveKey,
    RegNtPostSaveKey,
    RegNtPreReplaceKey,
    RegNtPostReplaceKey,
    RegNtPreQueryKeyName,
    RegNtPostQueryKeyName,
    RegNtPreSaveMergedKey,
    RegNtPostSaveMergedKey,
    MaxRegNtNotifyClass
} REG_NOTIFY_CLASS;
C_ASSERT(RegNtPreCreateKeyEx == 26);
C_ASSERT(RegNtPreFlushKey == 30);
C_ASSERT(MaxRegNtNotifyClass == 51);

/* RegNtPreDeleteKey, RegNtPreFlushKey: ns-wdm-_reg_delete_key_information */
typedef struct _REG_DELETE_KEY_INFORMATION {
    PVOID Object;
    PVOID CallContext;
    PVOID ObjectContext;
    PVOID Reserved;
} REG_DELETE_KEY_INFORMATION, *PREG_DELETE_KEY_INFORMATION, REG_FLUSH_KEY_INFORMATION, *PREG_FLUSH_KEY_INFORMATION;

/* RegNtPreSetValueKey: ns-wdm-_reg_set_value_key_information */
typedef struct _REG_SET_VALUE_KEY_INFORMATION {
    PVOID Object;
    PUNICODE_STRING ValueName;
    ULONG TitleIndex;
    ULONG Type;
    PVOID Data;
    ULONG DataSize;
    PVOID CallContext;
    PVOID ObjectContext;
    PVOID Reserved;
} REG_SET_VALUE_KEY_INFORMATION, *PREG_SET_VALUE_KEY_INFORMATION;
C_ASSERT(sizeof(REG_SET_VALUE_KEY_INFORMATION) == 0x40);

/* RegNtPreDeleteValueKey: ns-wdm-_reg_delete_value_key_information */
typedef struct _REG_DELETE_VALUE_KEY_INFORMATION {
    PVOID Object;
    PUNICODE_STRING ValueName;
    PVOID CallContext;
    PVOID ObjectContext;
    PVOID Reserved;
} REG_DELETE_VALUE_KEY_INFORMATION, *PREG_DELETE_VALUE_KEY_INFORMATION;

/* RegNtPreEnumerateKey: ns-wdm-_reg_enumerate_key_information */
typedef struct _REG_ENUMERATE_KEY_INFORMATION {
    PVOID Object;
    ULONG Index;
    KEY_INFORMATION_CLASS KeyInformationClass;
    PVOID KeyInformation;
    ULONG Length;
    PULONG ResultLength;
    PVOID CallContext;
    PVOID ObjectContext;
    PVOID Reserved;
} REG_ENUMERATE_KEY_INFORMATION, *PREG_ENUMERATE_KEY_INFORMATION;
C_ASSERT(sizeof(REG_ENUMERATE_KEY_INFORMATION) == 0x40);

/* RegNtPreEnumerateValueKey: ns-wdm-_reg_enumerate_value_key_information */
typedef struct _REG_ENUMERATE_VALUE_KEY_INFORMATION {
    PVOID Object;
    ULONG Index;
    KEY_VALUE_INFORMATION_CLASS KeyValueInformationClass;
    PVOID KeyValueInformation;
    ULONG Length;
    PULONG ResultLength;
    PVOID CallContext;
    PVOID ObjectContext;
    PVOID Reserved;
} REG_ENUMERATE_VALUE_KEY_INFORMATION, *PREG_ENUMERATE_VALUE_KEY_INFORMATION;

/* RegNtPreQueryKey: ns-wdm-_reg_query_key_information */
typedef struct _REG_QUERY_KEY_INFORMATION {
    PVOID Object;
    KEY_INFORMATION_CLASS KeyInformationClass;
    PVOID KeyInformation;
    ULONG Length;
    PULONG ResultLength;
    PVOID CallContext;
    PVOID ObjectContext;
    PVOID Reserved;
} REG_QUERY_KEY_INFORMATION, *PREG_QUERY_KEY_INFORMATION;
C_ASSERT(sizeof(REG_QUERY_KEY_INFORMATION) == 0x40);

/* RegNtPreQueryValueKey: ns-wdm-_reg_query_value_key_information */
typedef struct _REG_QUERY_VALUE_KEY_INFORMATION {
    PVOID Object;
    PUNICODE_STRING ValueName;
    KEY_VALUE_INFORMATION_CLASS KeyValueInformationClass;
    PVOID KeyValueInformation;
    ULONG Length;
    PULONG ResultLength;
    PVOID CallContext;
    PVOID ObjectContext;
    PVOID Reserved;
} REG_QUERY_VALUE_KEY_INFORMATION, *PREG_QUERY_VALUE_KEY_INFORMATION;
C_ASSERT(sizeof(REG_QUERY_VALUE_KEY_INFORMATION) == 0x48);

/* RegNtPreKeyHandleClose: ns-wdm-_reg_key_handle_close_information */
typedef struct _REG_KEY_HANDLE_CLOSE_INFORMATION {
    PVOID Object;
    PVOID CallContext;
    PVOID ObjectContext;
    PVOID Reserved;
} REG_KEY_HANDLE_CLOSE_INFORMATION, *PREG_KEY_HANDLE_CLOSE_INFORMATION;

/* RegNtPreCreateKeyEx / RegNtPreOpenKeyEx before Windows 7: ns-wdm-_reg_create_key_information */
typedef struct _REG_CREATE_KEY_INFORMATION {
    PUNICODE_STRING CompleteName;
    PVOID RootObject;
    PVOID ObjectType;
    ULONG CreateOptions;
    PUNICODE_STRING Class;
    PVOID SecurityDescriptor;
    PVOID SecurityQualityOfService;
    ACCESS_MASK DesiredAccess;
    ACCESS_MASK GrantedAccess;
    PULONG Disposition;
    PVOID *ResultObject;
    PVOID CallContext;
    PVOID RootObjectContext;
    PVOID Transaction;
    PVOID Reserved;
} REG_CREATE_KEY_INFORMATION, REG_OPEN_KEY_INFORMATION, *PREG_CREATE_KEY_INFORMATION, *PREG_OPEN_KEY_INFORMATION;
C_ASSERT(sizeof(REG_CREATE_KEY_INFORMATION) == 0x70);

/* What RegNtPreCreateKeyEx / RegNtPreOpenKeyEx pass (Version 1): ns-wdm-_reg_create_key_information_v1 */
typedef struct _REG_CREATE_KEY_INFORMATION_V1 {
    PUNICODE_STRING CompleteName;
    PVOID RootObject;
    PVOID ObjectType;
    ULONG Options;
    PUNICODE_STRING Class;
    PVOID SecurityDescriptor;
    PVOID SecurityQualityOfService;
    ACCESS_MASK DesiredAccess;
    ACCESS_MASK GrantedAccess;
    PULONG Disposition;
    PVOID *ResultObject;
    PVOID CallContext;
    PVOID RootObjectContext;
    PVOID Transaction;
    ULONG_PTR Version;
    PUNICODE_STRING RemainingName;
    ULONG Wow64Flags;
    ULONG Attributes;
    KPROCESSOR_MODE CheckAccessMode;
} REG_CREATE_KEY_INFORMATION_V1, REG_OPEN_KEY_INFORMATION_V1, *PREG_CREATE_KEY_INFORMATION_V1,
    *PREG_OPEN_KEY_INFORMATION_V1;
C_ASSERT(FIELD_OFFSET(REG_CREATE_KEY_INFORMATION_V1, Version) == 0x68);
C_ASSERT(sizeof(REG_CREATE_KEY_INFORMATION_V1) == 0x88);

/* RegNtPreRenameKey: ns-wdm-_reg_rename_key_information */
typedef struct _REG_RENAME_KEY_INFORMATION {
    PVOID Object;
    PUNICODE_STRING NewName;
    PVOID CallContext;
    PVOID ObjectContext;
    PVOID Reserved;
} REG_RENAME_KEY_INFORMATION, *PREG_RENAME_KEY_INFORMATION;

/* RegNtPreSaveKey: ns-wdm-_reg_save_key_information */
typedef struct _REG_SAVE_KEY_INFORMATION {
    PVOID Object;
    HANDLE FileHandle;
    ULONG Format;
    PVOID CallContext;
    PVOID ObjectContext;
    PVOID Reserved;
} REG_SAVE_KEY_INFORMATION, *PREG_SAVE_KEY_INFORMATION;
C_ASSERT(sizeof(REG_SAVE_KEY_INFORMATION) == 0x30);

/* RegNtPreRestoreKey: ns-wdm-_reg_restore_key_information */
typedef struct _REG_RESTORE_KEY_INFORMATION {
    PVOID Object;
    HANDLE FileHandle;
    ULONG Flags;
    PVOID CallContext;
    PVOID ObjectContext;
    PVOID Reserved;
} REG_RESTORE_KEY_INFORMATION, *PREG_RESTORE_KEY_INFORMATION;
C_ASSERT(sizeof(REG_RESTORE_KEY_INFORMATION) == 0x30);

/* RegNtPreSetInformationKey: ns-wdm-_reg_set_information_key_information */
typedef struct _REG_SET_INFORMATION_KEY_INFORMATION {
    PVOID Object;
    KEY_SET_INFORMATION_CLASS KeySetInformationClass;
    PVOID KeySetInformation;
    ULONG KeySetInformationLength;
    PVOID CallContext;
    PVOID ObjectContext;
    PVOID Reserved;
} REG_SET_INFORMATION_KEY_INFORMATION, *PREG_SET_INFORMATION_KEY_INFORMATION;
C_ASSERT(sizeof(REG_SET_INFORMATION_KEY_INFORMATION) == 0x38);

/* RegNtPreQueryMultipleValueKey: ns-wdm-_reg_query_multiple_value_key_information */
typedef struct _REG_QUERY_MULTIPLE_VALUE_KEY_INFORMATION {
    PVOID Object;
    PKEY_VALUE_ENTRY ValueEntries;
    ULONG EntryCount;
    PVOID ValueBuffer;
    PULONG BufferLength;
    PULONG RequiredBufferLength;
    PVOID CallContext;
    PVOID ObjectContext;
    PVOID Reserved;
} REG_QUERY_MULTIPLE_VALUE_KEY_INFORMATION, *PREG_QUERY_MULTIPLE_VALUE_KEY_INFORMATION;
C_ASSERT(sizeof(REG_QUERY_MULTIPLE_VALUE_KEY_INFORMATION) == 0x48);

/* Every RegNtPost* class named in this header: ns-wdm-_reg_post_operation_information */
typedef struct _REG_POST_OPERATION_INFORMATION {
    PVOID Object;
    NTSTATUS Status;
    PVOID PreInformation;
    NTSTATUS ReturnStatus;
    PVOID CallContext;
    PVOID ObjectContext;
    PVOID Reserved;
} REG_POST_OPERATION_INFORMATION, *PREG_POST_OPERATION_INFORMATION;
C_ASSERT(sizeof(REG_POST_OPERATION_INFORMATION) == 0x38);
C_ASSERT(FIELD_OFFSET(REG_POST_OPERATION_INFORMATION, ReturnStatus) == 0x18);

NTIO_BEGIN_DECLS

/* IRQL <= APC_LEVEL. A registration without an altitude: above every altitude, in the order made. */
NTKERNELAPI NTSTATUS CmRegisterCallback(PEX_CALLBACK_FUNCTION Function, PVOID Context, PLARGE_INTEGER Cookie);
/* IRQL <= APC_LEVEL. STATUS_FLT_INSTANCE_ALTITUDE_COLLISION when the altitude is taken. */
NTKERNELAPI NTSTATUS CmRegisterCallbackEx(PEX_CALLBACK_FUNCTION Function, PCUNICODE_STRING Altitude, PVOID Driver,
                                          PVOID Context, PLARGE_INTEGER Cookie, PVOID Reserved);
/* IRQL <= APC_LEVEL. STATUS_INVALID_PARAMETER for an unknown cookie; returns once the routine runs no
 * more. */
NTKERNELAPI NTSTATUS CmUnRegisterCallback(LARGE_INTEGER Cookie);
NTKERNELAPI VOID CmGetCallbackVersion(PULONG Major, PULONG Minor);
/* The key's identifier (the same for every object of one key) and full name, which stays valid
 * while the object lives. STATUS_INVALID_PARAMETER for an unknown cookie or a non-key object. */
NTKERNELAPI NTSTATUS CmCallbackGetKeyObjectID(PLARGE_INTEGER Cookie, PVOID Object, PULONG_PTR ObjectID,
                                              PCUNICODE_STRING *ObjectName);
/* As CmCallbackGetKeyObjectID with a name of the caller's own: release it with
 * CmCallbackReleaseKeyObjectIDEx. Flags must be 0. */
NTKERNELAPI NTSTATUS CmCallbackGetKeyObjectIDEx(PLARGE_INTEGER Cookie, PVOID Object, PULONG_PTR ObjectID,
                                                PCUNICODE_STRING *ObjectName, ULONG Flags);
NTKERNELAPI VOID CmCallbackReleaseKeyObjectIDEx(PCUNICODE_STRING ObjectName);

NTIO_END_DECLS

#endif /* NTIO_DDK_CM_CALLBACKS_H */
