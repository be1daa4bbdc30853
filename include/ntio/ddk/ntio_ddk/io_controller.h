/* Controller objects (ntddk.h): one hardware controller shared by several device objects, handed to
 * one of them at a time through the ExecutionRoutine of IoAllocateController.
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nf-ntddk-iocreatecontroller */
#ifndef NTIO_DDK_IO_CONTROLLER_H
#define NTIO_DDK_IO_CONTROLLER_H

#include "io_types.h"

NTIO_BEGIN_DECLS

typedef struct _CONTROLLER_OBJECT {
    CSHORT Type;
    CSHORT Size;
    PVOID ControllerExtension;
    KDEVICE_QUEUE DeviceWaitQueue;
    ULONG Spare1;
    LARGE_INTEGER Spare2;
} CONTROLLER_OBJECT, *PCONTROLLER_OBJECT;

/* PASSIVE_LEVEL. A controller object with a zeroed extension of Size bytes; NULL without memory. */
NTKERNELAPI PCONTROLLER_OBJECT NTAPI IoCreateController(_In_ ULONG Size);
/* PASSIVE_LEVEL. No device may own or wait for the controller. */
NTKERNELAPI VOID NTAPI IoDeleteController(_In_ PCONTROLLER_OBJECT ControllerObject);
/* DISPATCH_LEVEL. Calls ExecutionRoutine when the controller is free (at once if it is), with
 * DeviceObject->CurrentIrp and a NULL map register base; DeallocateObject frees the controller,
 * KeepObject keeps it until IoFreeController. */
NTKERNELAPI VOID NTAPI IoAllocateController(_In_ PCONTROLLER_OBJECT ControllerObject, _In_ PDEVICE_OBJECT DeviceObject,
                                            _In_ PDRIVER_CONTROL ExecutionRoutine, _In_opt_ PVOID Context);
/* DISPATCH_LEVEL. Hands the controller to the next waiting device, or marks it free. */
NTKERNELAPI VOID NTAPI IoFreeController(_In_ PCONTROLLER_OBJECT ControllerObject);

NTIO_END_DECLS

#endif /* NTIO_DDK_IO_CONTROLLER_H */
