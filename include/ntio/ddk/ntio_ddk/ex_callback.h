/* <wdm.h> piece for executive callback objects: named objects under \Callback that components
 * notify and drivers register routines with (\Callback\SetSystemTime, \Callback\PowerState, ...).
 * https://learn.microsoft.com/windows-hardware/drivers/kernel/callback-objects */
#ifndef NTIO_DDK_EX_CALLBACK_H
#define NTIO_DDK_EX_CALLBACK_H
#include "basetypes.h"
#include "sal.h"
#include "ntstatus.h"
#include "ob.h"

NTIO_BEGIN_DECLS

typedef struct _CALLBACK_OBJECT *PCALLBACK_OBJECT;

typedef VOID CALLBACK_FUNCTION(_In_opt_ PVOID CallbackContext, _In_opt_ PVOID Argument1, _In_opt_ PVOID Argument2);
typedef CALLBACK_FUNCTION *PCALLBACK_FUNCTION;

#define CALLBACK_MODIFY_STATE 0x0001
#define CALLBACK_ALL_ACCESS (STANDARD_RIGHTS_REQUIRED | SYNCHRONIZE | CALLBACK_MODIFY_STATE)

/* PASSIVE_LEVEL. Opens the named callback object, or creates it when Create is TRUE and the name is
 * free. Returns it referenced (ObDereferenceObject when done). A missing name gets
 * STATUS_UNSUCCESSFUL; Create FALSE and no such object STATUS_OBJECT_NAME_NOT_FOUND. */
NTKERNELAPI NTSTATUS NTAPI ExCreateCallback(_Outptr_ PCALLBACK_OBJECT *CallbackObject,
                                            _In_ POBJECT_ATTRIBUTES ObjectAttributes, _In_ BOOLEAN Create,
                                            _In_ BOOLEAN AllowMultipleCallbacks);
/* <= DISPATCH_LEVEL. The registration handle for ExUnregisterCallback, or NULL when the object takes
 * one routine only and has it (or memory ran out). */
NTKERNELAPI PVOID NTAPI ExRegisterCallback(_Inout_ PCALLBACK_OBJECT CallbackObject,
                                           _In_ PCALLBACK_FUNCTION CallbackFunction,
                                           _In_opt_ PVOID CallbackContext);
/* PASSIVE_LEVEL. Returns once the routine is not running any more; it is not called after. */
NTKERNELAPI VOID NTAPI ExUnregisterCallback(_Inout_ PVOID CbRegistration);
/* <= DISPATCH_LEVEL. Calls every registered routine, at the caller's IRQL, with the two arguments. */
NTKERNELAPI VOID NTAPI ExNotifyCallback(_In_ PVOID CallbackObject, _In_opt_ PVOID Argument1,
                                        _In_opt_ PVOID Argument2);

NTIO_END_DECLS

#endif /* NTIO_DDK_EX_CALLBACK_H */
