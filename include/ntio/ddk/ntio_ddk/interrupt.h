/* <wdm.h> piece for interrupts: interrupt objects and their service routines, IoConnectInterrupt and
 * IoConnectInterruptEx with their parameter blocks, synchronization with an ISR, and nonmaskable
 * interrupt callbacks, with the WDK spellings and Windows x64 layouts.
 *
 * There is no interrupt controller behind them: simulated hardware (and tests) assert an interrupt
 * through NtioRaiseInterrupt / NtioRaiseMessageInterrupt (<ntio/ntio.h>), which run the connected
 * ISRs the way the kernel's interrupt dispatcher does. Vectors follow the x64 layout: a device
 * interrupt's vector is 0x30..0xBF and its DIRQL the vector's high nibble (Vector >> 4, 3..11), the
 * values a driver finds in its translated CmResourceTypeInterrupt resource. */
#ifndef NTIO_DDK_INTERRUPT_H
#define NTIO_DDK_INTERRUPT_H
#include "io.h"

/* ---- Interrupt objects and service routines ------------------------------------------------ */
/* The interrupt object is opaque to drivers, as in the WDK. */
typedef struct _KINTERRUPT KINTERRUPT, *PKINTERRUPT, *PRKINTERRUPT;

typedef enum _KINTERRUPT_MODE { LevelSensitive, Latched } KINTERRUPT_MODE, *PKINTERRUPT_MODE;

typedef enum _KINTERRUPT_POLARITY {
    InterruptPolarityUnknown,
    InterruptActiveHigh,
    InterruptRisingEdge = InterruptActiveHigh,
    InterruptActiveLow,
    InterruptFallingEdge = InterruptActiveLow,
    InterruptActiveBoth,
    InterruptActiveBothTriggerLow = InterruptActiveBoth,
    InterruptActiveBothTriggerHigh
} KINTERRUPT_POLARITY, *PKINTERRUPT_POLARITY;

/* InterruptService: called at the interrupt's SynchronizeIrql with its spin lock held; TRUE when the
 * device interrupted (the interrupt is claimed). */
typedef BOOLEAN KSERVICE_ROUTINE(_In_ struct _KINTERRUPT *Interrupt, _In_opt_ PVOID ServiceContext);
typedef KSERVICE_ROUTINE *PKSERVICE_ROUTINE;
typedef KSERVICE_ROUTINE KINTERRUPT_ROUTINE;
typedef KINTERRUPT_ROUTINE *PKINTERRUPT_ROUTINE;
/* InterruptMessageService: the same for one message of a message-signaled connection. */
typedef BOOLEAN KMESSAGE_SERVICE_ROUTINE(_In_ struct _KINTERRUPT *Interrupt, _In_ PVOID ServiceContext,
                                         _In_ ULONG MessageID);
typedef KMESSAGE_SERVICE_ROUTINE *PKMESSAGE_SERVICE_ROUTINE;
/* SynchCritSection: run by KeSynchronizeExecution with the interrupt's spin lock held. */
typedef BOOLEAN KSYNCHRONIZE_ROUTINE(_In_opt_ PVOID SynchronizeContext);
typedef KSYNCHRONIZE_ROUTINE *PKSYNCHRONIZE_ROUTINE;

/* ---- IoConnectInterruptEx ------------------------------------------------------------------ */
typedef struct _IO_INTERRUPT_MESSAGE_INFO_ENTRY {
    PHYSICAL_ADDRESS MessageAddress;
    KAFFINITY TargetProcessorSet;
    PKINTERRUPT InterruptObject;
    ULONG MessageData;
    ULONG Vector;
    KIRQL Irql;
    KINTERRUPT_MODE Mode;
    KINTERRUPT_POLARITY Polarity;
} IO_INTERRUPT_MESSAGE_INFO_ENTRY, *PIO_INTERRUPT_MESSAGE_INFO_ENTRY;
C_ASSERT(sizeof(IO_INTERRUPT_MESSAGE_INFO_ENTRY) == 0x30);

typedef struct _IO_INTERRUPT_MESSAGE_INFO {
    KIRQL UnifiedIrql;
    ULONG MessageCount;
    IO_INTERRUPT_MESSAGE_INFO_ENTRY MessageInfo[1];
} IO_INTERRUPT_MESSAGE_INFO, *PIO_INTERRUPT_MESSAGE_INFO;
C_ASSERT(FIELD_OFFSET(IO_INTERRUPT_MESSAGE_INFO, MessageInfo) == 8);

typedef struct _IO_CONNECT_INTERRUPT_FULLY_SPECIFIED_PARAMETERS {
    _In_ PDEVICE_OBJECT PhysicalDeviceObject;
    _Out_ PKINTERRUPT *InterruptObject;
    _In_ PKSERVICE_ROUTINE ServiceRoutine;
    _In_ PVOID ServiceContext;
    _In_opt_ PKSPIN_LOCK SpinLock;
    _In_ KIRQL SynchronizeIrql;
    _In_ BOOLEAN FloatingSave;
    _In_ BOOLEAN ShareVector;
    _In_ ULONG Vector;
    _In_ KIRQL Irql;
    _In_ KINTERRUPT_MODE InterruptMode;
    _In_ KAFFINITY ProcessorEnableMask;
    _In_ USHORT Group;
} IO_CONNECT_INTERRUPT_FULLY_SPECIFIED_PARAMETERS, *PIO_CONNECT_INTERRUPT_FULLY_SPECIFIED_PARAMETERS;
C_ASSERT(sizeof(IO_CONNECT_INTERRUPT_FULLY_SPECIFIED_PARAMETERS) == 0x48);
C_ASSERT(FIELD_OFFSET(IO_CONNECT_INTERRUPT_FULLY_SPECIFIED_PARAMETERS, Vector) == 0x2C);
C_ASSERT(FIELD_OFFSET(IO_CONNECT_INTERRUPT_FULLY_SPECIFIED_PARAMETERS, ProcessorEnableMask) == 0x38);

typedef struct _IO_CONNECT_INTERRUPT_LINE_BASED_PARAMETERS {
    _In_ PDEVICE_OBJECT PhysicalDeviceObject;
    _Out_ PKINTERRUPT *InterruptObject;
    _In_ PKSERVICE_ROUTINE ServiceRoutine;
    _In_ PVOID ServiceContext;
    _In_opt_ PKSPIN_LOCK SpinLock;
    _In_opt_ KIRQL SynchronizeIrql;
    _In_ BOOLEAN FloatingSave;
} IO_CONNECT_INTERRUPT_LINE_BASED_PARAMETERS, *PIO_CONNECT_INTERRUPT_LINE_BASED_PARAMETERS;
C_ASSERT(sizeof(IO_CONNECT_INTERRUPT_LINE_BASED_PARAMETERS) == 0x30);

typedef struct _IO_CONNECT_INTERRUPT_MESSAGE_BASED_PARAMETERS {
    _In_ PDEVICE_OBJECT PhysicalDeviceObject;
    union {
        _Out_ PVOID *Generic;
        _Out_ PIO_INTERRUPT_MESSAGE_INFO *InterruptMessageTable;
        _Out_ PKINTERRUPT *InterruptObject;
    } ConnectionContext;
    _In_ PKMESSAGE_SERVICE_ROUTINE MessageServiceRoutine;
    _In_ PVOID ServiceContext;
    _In_opt_ PKSPIN_LOCK SpinLock;
    _In_opt_ KIRQL SynchronizeIrql;
    _In_ BOOLEAN FloatingSave;
    _In_opt_ PKSERVICE_ROUTINE FallBackServiceRoutine;
} IO_CONNECT_INTERRUPT_MESSAGE_BASED_PARAMETERS, *PIO_CONNECT_INTERRUPT_MESSAGE_BASED_PARAMETERS;
C_ASSERT(sizeof(IO_CONNECT_INTERRUPT_MESSAGE_BASED_PARAMETERS) == 0x38);

/* Parameters->Version. ntio implements the interface up to CONNECT_FULLY_SPECIFIED_GROUP (the
 * Windows 7 level); Windows 8's passive-level ISRs (CONNECT_MESSAGE_BASED_PASSIVE, and Irql =
 * PASSIVE_LEVEL) are not modelled, so CONNECT_CURRENT_VERSION is CONNECT_FULLY_SPECIFIED_GROUP as
 * the Windows 7 WDK defines it. */
#define CONNECT_FULLY_SPECIFIED 0x1
#define CONNECT_LINE_BASED 0x2
#define CONNECT_MESSAGE_BASED 0x3
#define CONNECT_FULLY_SPECIFIED_GROUP 0x4
#define CONNECT_CURRENT_VERSION 0x4

typedef struct _IO_CONNECT_INTERRUPT_PARAMETERS {
    _Inout_ ULONG Version;
    union {
        IO_CONNECT_INTERRUPT_FULLY_SPECIFIED_PARAMETERS FullySpecified;
        IO_CONNECT_INTERRUPT_LINE_BASED_PARAMETERS LineBased;
        IO_CONNECT_INTERRUPT_MESSAGE_BASED_PARAMETERS MessageBased;
    };
} IO_CONNECT_INTERRUPT_PARAMETERS, *PIO_CONNECT_INTERRUPT_PARAMETERS;
C_ASSERT(sizeof(IO_CONNECT_INTERRUPT_PARAMETERS) == 0x50);

typedef struct _IO_DISCONNECT_INTERRUPT_PARAMETERS {
    _In_ ULONG Version;
    union {
        _In_ PVOID Generic;
        _In_ PKINTERRUPT InterruptObject;
        _In_ PIO_INTERRUPT_MESSAGE_INFO InterruptMessageTable;
    } ConnectionContext;
} IO_DISCONNECT_INTERRUPT_PARAMETERS, *PIO_DISCONNECT_INTERRUPT_PARAMETERS;

typedef struct _IO_REPORT_INTERRUPT_ACTIVE_STATE_PARAMETERS {
    _In_ ULONG Version;
    union {
        _In_ PVOID Generic;
        _In_ PIO_INTERRUPT_MESSAGE_INFO InterruptMessageTable;
        _In_ PKINTERRUPT InterruptObject;
    } ConnectionContext;
} IO_REPORT_INTERRUPT_ACTIVE_STATE_PARAMETERS, *PIO_REPORT_INTERRUPT_ACTIVE_STATE_PARAMETERS;

/* ---- Nonmaskable interrupts ---------------------------------------------------------------- */
typedef BOOLEAN NMI_CALLBACK(_In_opt_ PVOID Context, _In_ BOOLEAN Handled);
typedef NMI_CALLBACK *PNMI_CALLBACK;

NTIO_BEGIN_DECLS

/* PASSIVE_LEVEL (IRQL_NOT_LESS_OR_EQUAL above APC_LEVEL, as for the connect and disconnect routines
 * below). Connects ServiceRoutine to Vector: STATUS_SUCCESS, or STATUS_INVALID_PARAMETER when
 * ProcessorEnableMask names no processor of the system, SynchronizeIrql is below Irql (or above
 * HIGH_LEVEL), Irql is not the vector's DIRQL (Vector >> 4 for a vector 0x30..0xBF), or the vector is
 * connected already and this connection or an earlier one does not share it (ShareVector FALSE, or a
 * different InterruptMode); STATUS_INSUFFICIENT_RESOURCES. The ISR may run as soon as this returns.
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-ioconnectinterrupt */
NTKERNELAPI NTSTATUS NTAPI IoConnectInterrupt(_Out_ PKINTERRUPT *InterruptObject, _In_ PKSERVICE_ROUTINE ServiceRoutine,
                                              _In_opt_ PVOID ServiceContext, _In_opt_ PKSPIN_LOCK SpinLock,
                                              _In_ ULONG Vector, _In_ KIRQL Irql, _In_ KIRQL SynchronizeIrql,
                                              _In_ KINTERRUPT_MODE InterruptMode, _In_ BOOLEAN ShareVector,
                                              _In_ KAFFINITY ProcessorEnableMask, _In_ BOOLEAN FloatingSave);
/* PASSIVE_LEVEL. Waits for ISR calls in flight; the ISR is never called again once it returns. */
NTKERNELAPI VOID NTAPI IoDisconnectInterrupt(_In_ PKINTERRUPT InterruptObject);
/* PASSIVE_LEVEL. Parameters->Version: CONNECT_FULLY_SPECIFIED(_GROUP) as IoConnectInterrupt;
 * CONNECT_LINE_BASED: the PDO's line-based interrupt; CONNECT_MESSAGE_BASED: the PDO's messages (one
 * interrupt object per message, UnifiedIrql the highest of their DIRQLs and SynchronizeIrql), or, for a
 * device without messages and a FallBackServiceRoutine, its line-based interrupt with Version set to
 * CONNECT_LINE_BASED. Errors: STATUS_INVALID_PARAMETER_1 (another Version), STATUS_INVALID_PARAMETER,
 * STATUS_INVALID_PARAMETER_10 (FullySpecified.ProcessorEnableMask 0), STATUS_NOT_FOUND (the device
 * has no interrupt of the kind), STATUS_INVALID_DEVICE_REQUEST (CONNECT_LINE_BASED for a device
 * assigned messages), STATUS_INSUFFICIENT_RESOURCES.
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-ioconnectinterruptex */
NTKERNELAPI NTSTATUS NTAPI IoConnectInterruptEx(_Inout_ PIO_CONNECT_INTERRUPT_PARAMETERS Parameters);
/* PASSIVE_LEVEL. Parameters->Version is the Version IoConnectInterruptEx returned. */
NTKERNELAPI VOID NTAPI IoDisconnectInterruptEx(_In_ PIO_DISCONNECT_INTERRUPT_PARAMETERS Parameters);
/* <= DISPATCH_LEVEL. Soft connect and disconnect: an inactive ISR is not called (an ISR call in
 * flight has finished when IoReportInterruptInactive returns); active again after
 * IoReportInterruptActive. Connections start active; repeating a call changes nothing.
 * https://learn.microsoft.com/windows-hardware/drivers/kernel/making-an-isr-active-or-inactive */
NTKERNELAPI VOID NTAPI IoReportInterruptActive(_In_ PIO_REPORT_INTERRUPT_ACTIVE_STATE_PARAMETERS Parameters);
NTKERNELAPI VOID NTAPI IoReportInterruptInactive(_In_ PIO_REPORT_INTERRUPT_ACTIVE_STATE_PARAMETERS Parameters);

/* IRQL <= the interrupt's SynchronizeIrql. Raises to it, takes the interrupt's spin lock (the ISR
 * holds it while it runs: the two never run at once) and returns what SynchronizeRoutine returned.
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-kesynchronizeexecution */
NTKERNELAPI BOOLEAN NTAPI KeSynchronizeExecution(_Inout_ PKINTERRUPT Interrupt,
                                                 _In_ PKSYNCHRONIZE_ROUTINE SynchronizeRoutine,
                                                 _In_opt_ PVOID SynchronizeContext);
/* IRQL <= the interrupt's SynchronizeIrql: raise to it and take the interrupt's spin lock; the release
 * gives the lock back and lowers to OldIrql (what the acquire returned). */
NTKERNELAPI KIRQL NTAPI KeAcquireInterruptSpinLock(_Inout_ PKINTERRUPT Interrupt);
NTKERNELAPI VOID NTAPI KeReleaseInterruptSpinLock(_Inout_ PKINTERRUPT Interrupt, _In_ KIRQL OldIrql);

/* <= APC_LEVEL. Callbacks run at HIGH_LEVEL, the last registered first, when an NMI arrives (ntio
 * simulates one with NtioRaiseNmi); NULL when the registration cannot be allocated. The deregistration
 * waits for a call in flight: STATUS_SUCCESS, or STATUS_INVALID_HANDLE for a handle not registered.
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-keregisternmicallback */
NTKERNELAPI PVOID NTAPI KeRegisterNmiCallback(_In_ PNMI_CALLBACK CallbackRoutine, _In_opt_ PVOID Context);
NTKERNELAPI NTSTATUS NTAPI KeDeregisterNmiCallback(_In_ PVOID Handle);

/* Any IRQL. The processors InterruptObject is connected on, as group 0 and its mask (ntio has one
 * processor group). STATUS_INVALID_PARAMETER for a NULL argument.
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-iogetaffinityinterrupt */
NTKERNELAPI NTSTATUS NTAPI IoGetAffinityInterrupt(_In_ PKINTERRUPT InterruptObject,
                                                  _Out_ PGROUP_AFFINITY GroupAffinity);

NTIO_END_DECLS

#endif /* NTIO_DDK_INTERRUPT_H */
