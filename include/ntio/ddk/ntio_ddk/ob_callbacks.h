/* <wdm.h> piece for the object manager's handle-operation callbacks: ObRegisterCallbacks and the
 * OB_* structures its ObjectPreCallback / ObjectPostCallback routines receive. WDK spellings and
 * Windows x64 layouts (https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/). */
#ifndef NTIO_DDK_OB_CALLBACKS_H
#define NTIO_DDK_OB_CALLBACKS_H
#include "basetypes.h"
#include "ntstatus.h"
#include "ob.h"

typedef ULONG OB_OPERATION;
#define OB_OPERATION_HANDLE_CREATE 0x00000001
#define OB_OPERATION_HANDLE_DUPLICATE 0x00000002

#define OB_FLT_REGISTRATION_VERSION_0100 0x0100
#define OB_FLT_REGISTRATION_VERSION OB_FLT_REGISTRATION_VERSION_0100

typedef enum _OB_PREOP_CALLBACK_STATUS { OB_PREOP_SUCCESS } OB_PREOP_CALLBACK_STATUS, *POB_PREOP_CALLBACK_STATUS;

/* ns-wdm-_ob_pre_create_handle_information */
typedef struct _OB_PRE_CREATE_HANDLE_INFORMATION {
    ACCESS_MASK DesiredAccess;
    ACCESS_MASK OriginalDesiredAccess;
} OB_PRE_CREATE_HANDLE_INFORMATION, *POB_PRE_CREATE_HANDLE_INFORMATION;

/* ns-wdm-_ob_pre_duplicate_handle_information */
typedef struct _OB_PRE_DUPLICATE_HANDLE_INFORMATION {
    ACCESS_MASK DesiredAccess;
    ACCESS_MASK OriginalDesiredAccess;
    PVOID SourceProcess;
    PVOID TargetProcess;
} OB_PRE_DUPLICATE_HANDLE_INFORMATION, *POB_PRE_DUPLICATE_HANDLE_INFORMATION;

typedef union _OB_PRE_OPERATION_PARAMETERS {
    OB_PRE_CREATE_HANDLE_INFORMATION CreateHandleInformation;
    OB_PRE_DUPLICATE_HANDLE_INFORMATION DuplicateHandleInformation;
} OB_PRE_OPERATION_PARAMETERS, *POB_PRE_OPERATION_PARAMETERS;

/* ns-wdm-_ob_pre_operation_information */
typedef struct _OB_PRE_OPERATION_INFORMATION {
    OB_OPERATION Operation;
    union {
        ULONG Flags;
        struct {
            ULONG KernelHandle : 1;
            ULONG Reserved : 31;
        };
    };
    PVOID Object;
    POBJECT_TYPE ObjectType;
    PVOID CallContext;
    POB_PRE_OPERATION_PARAMETERS Parameters;
} OB_PRE_OPERATION_INFORMATION, *POB_PRE_OPERATION_INFORMATION;
C_ASSERT(sizeof(OB_PRE_OPERATION_INFORMATION) == 0x28);
C_ASSERT(FIELD_OFFSET(OB_PRE_OPERATION_INFORMATION, Object) == 0x08);
C_ASSERT(FIELD_OFFSET(OB_PRE_OPERATION_INFORMATION, Parameters) == 0x20);

typedef struct _OB_POST_CREATE_HANDLE_INFORMATION {
    ACCESS_MASK GrantedAccess;
} OB_POST_CREATE_HANDLE_INFORMATION, *POB_POST_CREATE_HANDLE_INFORMATION;

typedef struct _OB_POST_DUPLICATE_HANDLE_INFORMATION {
    ACCESS_MASK GrantedAccess;
} OB_POST_DUPLICATE_HANDLE_INFORMATION, *POB_POST_DUPLICATE_HANDLE_INFORMATION;

typedef union _OB_POST_OPERATION_PARAMETERS {
    OB_POST_CREATE_HANDLE_INFORMATION CreateHandleInformation;
    OB_POST_DUPLICATE_HANDLE_INFORMATION DuplicateHandleInformation;
} OB_POST_OPERATION_PARAMETERS, *POB_POST_OPERATION_PARAMETERS;

/* ns-wdm-_ob_post_operation_information */
typedef struct _OB_POST_OPERATION_INFORMATION {
    OB_OPERATION Operation;
    union {
        ULONG Flags;
        struct {
            ULONG KernelHandle : 1;
            ULONG Reserved : 31;
        };
    };
    PVOID Object;
    POBJECT_TYPE ObjectType;
    PVOID CallContext;
    NTSTATUS ReturnStatus;
    POB_POST_OPERATION_PARAMETERS Parameters;
} OB_POST_OPERATION_INFORMATION, *POB_POST_OPERATION_INFORMATION;
C_ASSERT(sizeof(OB_POST_OPERATION_INFORMATION) == 0x30);
C_ASSERT(FIELD_OFFSET(OB_POST_OPERATION_INFORMATION, ReturnStatus) == 0x20);
C_ASSERT(FIELD_OFFSET(OB_POST_OPERATION_INFORMATION, Parameters) == 0x28);

typedef OB_PREOP_CALLBACK_STATUS (*POB_PRE_OPERATION_CALLBACK)(PVOID RegistrationContext,
                                                               POB_PRE_OPERATION_INFORMATION OperationInformation);
typedef VOID (*POB_POST_OPERATION_CALLBACK)(PVOID RegistrationContext,
                                            POB_POST_OPERATION_INFORMATION OperationInformation);

/* ns-wdm-_ob_operation_registration */
typedef struct _OB_OPERATION_REGISTRATION {
    POBJECT_TYPE *ObjectType;
    OB_OPERATION Operations;
    POB_PRE_OPERATION_CALLBACK PreOperation;
    POB_POST_OPERATION_CALLBACK PostOperation;
} OB_OPERATION_REGISTRATION, *POB_OPERATION_REGISTRATION;
C_ASSERT(sizeof(OB_OPERATION_REGISTRATION) == 0x20);

/* ns-wdm-_ob_callback_registration */
typedef struct _OB_CALLBACK_REGISTRATION {
    USHORT Version;
    USHORT OperationRegistrationCount;
    UNICODE_STRING Altitude;
    PVOID RegistrationContext;
    OB_OPERATION_REGISTRATION *OperationRegistration;
} OB_CALLBACK_REGISTRATION, *POB_CALLBACK_REGISTRATION;
C_ASSERT(sizeof(OB_CALLBACK_REGISTRATION) == 0x28);
C_ASSERT(FIELD_OFFSET(OB_CALLBACK_REGISTRATION, Altitude) == 0x08);

NTIO_BEGIN_DECLS

/* IRQL <= APC_LEVEL. Registers pre/post routines for handle creates and duplicates of process and
 * thread objects. STATUS_INVALID_PARAMETER (bad version, count 0, a type without callbacks, an entry
 * with no routine or no operation), STATUS_FLT_INSTANCE_ALTITUDE_COLLISION. */
NTKERNELAPI NTSTATUS ObRegisterCallbacks(POB_CALLBACK_REGISTRATION CallbackRegistration, PVOID *RegistrationHandle);
/* IRQL <= APC_LEVEL. Returns once no routine of the registration runs any more. */
NTKERNELAPI VOID ObUnRegisterCallbacks(PVOID RegistrationHandle);
NTKERNELAPI USHORT ObGetFilterVersion(VOID);

NTIO_END_DECLS

#endif /* NTIO_DDK_OB_CALLBACKS_H */
