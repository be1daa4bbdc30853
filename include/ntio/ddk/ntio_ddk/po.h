/* <wdm.h> piece: the power manager routines beyond the power IRPs (pnp.h has PoCallDriver,
 * PoRequestPowerIrp and PoSetPowerState): device idle detection, system execution state, power setting
 * callbacks and the runtime power management framework (PoFx, Windows 8 and later).
 * https://learn.microsoft.com/windows-hardware/drivers/kernel/overview-of-the-power-management-framework */
#ifndef NTIO_DDK_PO_H
#define NTIO_DDK_PO_H

#include "pnp.h"

NTIO_BEGIN_DECLS

/* ---- Device idle detection ----
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-poregisterdeviceforidledetection
 * The returned counter counts the seconds the device has been idle; PoSetDeviceBusy restarts it.
 * Times in seconds; both zero cancels detection (NULL returned). <= APC_LEVEL. */
NTKERNELAPI PULONG NTAPI PoRegisterDeviceForIdleDetection(PDEVICE_OBJECT DeviceObject, ULONG ConservationIdleTime,
                                                         ULONG PerformanceIdleTime, DEVICE_POWER_STATE State);
#define PoSetDeviceBusy(IdlePointer) ((void)(*(volatile ULONG *)(IdlePointer) = 0))
/* The function form of PoSetDeviceBusy. Any IRQL. */
NTKERNELAPI VOID NTAPI PoSetDeviceBusyEx(PULONG IdlePointer);
/* A busy reference: the device is not idle from PoStartDeviceBusy until the matching PoEndDeviceBusy. */
NTKERNELAPI VOID NTAPI PoStartDeviceBusy(PULONG IdlePointer);
NTKERNELAPI VOID NTAPI PoEndDeviceBusy(PULONG IdlePointer);

/* ---- System execution state ----
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-poregistersystemstate */
typedef ULONG EXECUTION_STATE, *PEXECUTION_STATE;
#define ES_SYSTEM_REQUIRED ((ULONG)0x00000001)
#define ES_DISPLAY_REQUIRED ((ULONG)0x00000002)
#define ES_USER_PRESENT ((ULONG)0x00000004)
#define ES_AWAYMODE_REQUIRED ((ULONG)0x00000040)
#define ES_CONTINUOUS ((ULONG)0x80000000)

NTKERNELAPI PVOID NTAPI PoRegisterSystemState(PVOID StateHandle, EXECUTION_STATE Flags);
NTKERNELAPI VOID NTAPI PoUnregisterSystemState(PVOID StateHandle);
NTKERNELAPI VOID NTAPI PoSetSystemState(EXECUTION_STATE Flags);
/* Marks a wait/wake IRP as one that contributed to waking the system; PoGetSystemWake reads the mark. */
NTKERNELAPI VOID NTAPI PoSetSystemWake(PIRP Irp);
NTKERNELAPI BOOLEAN NTAPI PoGetSystemWake(PIRP Irp);
/* Whether a power IRP watchdog runs for Pdo's stack, and how long it has left. */
NTKERNELAPI BOOLEAN NTAPI PoQueryWatchdogTime(PDEVICE_OBJECT Pdo, PULONG SecondsRemaining);

/* ---- Power requests (Windows 7 and later) ----
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-pocreatepowerrequest
 * A driver's request object keeps a count per type; while any count of PowerRequestSystemRequired is
 * non-zero the system execution state includes ES_SYSTEM_REQUIRED. Drivers may set only that type
 * (STATUS_NOT_SUPPORTED for the others). Create and delete at <= APC_LEVEL, set and clear at
 * <= DISPATCH_LEVEL. */
typedef enum _POWER_REQUEST_TYPE {
    PowerRequestDisplayRequired,
    PowerRequestSystemRequired,
    PowerRequestAwayModeRequired,
    PowerRequestExecutionRequired
} POWER_REQUEST_TYPE, *PPOWER_REQUEST_TYPE;

#define DIAGNOSTIC_REASON_VERSION 0
#define DIAGNOSTIC_REASON_SIMPLE_STRING 0x00000001
#define DIAGNOSTIC_REASON_DETAILED_STRING 0x00000002
#define DIAGNOSTIC_REASON_NOT_SPECIFIED 0x80000000
#define DIAGNOSTIC_REASON_INVALID_FLAGS (~0x80000003)
/* Spelled as the Win32 side (synch.h) spells them, so that both may be included. */
#define POWER_REQUEST_CONTEXT_VERSION 0
#define POWER_REQUEST_CONTEXT_SIMPLE_STRING 0x00000001
#define POWER_REQUEST_CONTEXT_DETAILED_STRING 0x00000002

typedef struct _COUNTED_REASON_CONTEXT {
    ULONG Version;
    ULONG Flags;
    union {
        struct {
            UNICODE_STRING ResourceFileName;
            USHORT ResourceReasonId;
            ULONG StringCount;
            PUNICODE_STRING ReasonStrings;
        };
        UNICODE_STRING SimpleString;
    };
} COUNTED_REASON_CONTEXT, *PCOUNTED_REASON_CONTEXT;

NTKERNELAPI NTSTATUS NTAPI PoCreatePowerRequest(_Outptr_ PVOID *PowerRequest, _In_ PDEVICE_OBJECT DeviceObject,
                                                _In_opt_ PCOUNTED_REASON_CONTEXT Context);
NTKERNELAPI NTSTATUS NTAPI PoSetPowerRequest(_Inout_ PVOID PowerRequest, _In_ POWER_REQUEST_TYPE Type);
NTKERNELAPI NTSTATUS NTAPI PoClearPowerRequest(_Inout_ PVOID PowerRequest, _In_ POWER_REQUEST_TYPE Type);
NTKERNELAPI VOID NTAPI PoDeletePowerRequest(_Inout_ PVOID PowerRequest);

/* ---- System power information (ntddk.h) ----
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nf-ntddk-zwpowerinformation
 * Levels provided: PlatformInformation (Learn's one level for drivers), and the queries of
 * CallNtPowerInformation that have an answer here: SystemExecutionState (ULONG), LastWakeTime and
 * LastSleepTime (ULONGLONG interrupt times; 0, as ntio never sleeps). PASSIVE_LEVEL. */
typedef enum {
    SystemPowerPolicyAc, SystemPowerPolicyDc, VerifySystemPolicyAc, VerifySystemPolicyDc,
    SystemPowerCapabilities, SystemBatteryState, SystemPowerStateHandler, ProcessorStateHandler,
    SystemPowerPolicyCurrent, AdministratorPowerPolicy, SystemReserveHiberFile, ProcessorInformation,
    SystemPowerInformation, ProcessorStateHandler2, LastWakeTime, LastSleepTime, SystemExecutionState,
    SystemPowerStateNotifyHandler, ProcessorPowerPolicyAc, ProcessorPowerPolicyDc,
    VerifyProcessorPowerPolicyAc, VerifyProcessorPowerPolicyDc, ProcessorPowerPolicyCurrent,
    SystemPowerStateLogging, SystemPowerLoggingEntry, SetPowerSettingValue, NotifyUserPowerSetting,
    PowerInformationLevelUnused0, SystemMonitorHiberBootPowerOff, SystemVideoState,
    TraceApplicationPowerMessage, TraceApplicationPowerMessageEnd, ProcessorPerfStates, ProcessorIdleStates,
    ProcessorCap, SystemWakeSource, SystemHiberFileInformation, TraceServicePowerMessage, ProcessorLoad,
    PowerShutdownNotification, MonitorCapabilities, SessionPowerInit, SessionDisplayState, PowerRequestCreate,
    PowerRequestAction, GetPowerRequestList, ProcessorInformationEx, NotifyUserModeLegacyPowerEvent,
    GroupPark, ProcessorIdleDomains, WakeTimerList, SystemHiberFileSize, ProcessorIdleStatesHv,
    ProcessorPerfStatesHv, ProcessorPerfCapHv, ProcessorSetIdle, LogicalProcessorIdling, UserPresence,
    PowerSettingNotificationName, GetPowerSettingValue, IdleResiliency, SessionRITState,
    SessionConnectNotification, SessionPowerCleanup, SessionLockState, SystemHiberbootState,
    PlatformInformation, PdcInvocation, MonitorInvocation, FirmwareTableInformationRegistered,
    SetShutdownSelectedTime, SuspendResumeInvocation, PlmPowerRequestCreate, ScreenOff, CsDeviceNotification,
    PlatformRole, LastResumePerformance, DisplayBurst, ExitLatencySamplingPercentage,
    ApplyLowPowerScenarioSettings, PowerInformationLevelMaximum
} POWER_INFORMATION_LEVEL;

typedef struct _POWER_PLATFORM_INFORMATION {
    BOOLEAN AoAc;
} POWER_PLATFORM_INFORMATION, *PPOWER_PLATFORM_INFORMATION;

NTSYSAPI NTSTATUS NTAPI ZwPowerInformation(_In_ POWER_INFORMATION_LEVEL InformationLevel,
                                           _In_reads_bytes_opt_(InputBufferLength) PVOID InputBuffer,
                                           _In_ ULONG InputBufferLength,
                                           _Out_writes_bytes_opt_(OutputBufferLength) PVOID OutputBuffer,
                                           _In_ ULONG OutputBufferLength);

/* ---- Power setting callbacks ----
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-poregisterpowersettingcallback */
typedef enum _SYSTEM_POWER_CONDITION { PoAc, PoDc, PoHot, PoConditionMaximum } SYSTEM_POWER_CONDITION;
typedef NTSTATUS NTAPI POWER_SETTING_CALLBACK(LPCGUID SettingGuid, PVOID Value, ULONG ValueLength, PVOID Context);
typedef POWER_SETTING_CALLBACK *PPOWER_SETTING_CALLBACK;
NTKERNELAPI NTSTATUS NTAPI PoRegisterPowerSettingCallback(PDEVICE_OBJECT DeviceObject, LPCGUID SettingGuid,
                                                          PPOWER_SETTING_CALLBACK Callback, PVOID Context,
                                                          PVOID *Handle);
NTKERNELAPI NTSTATUS NTAPI PoUnregisterPowerSettingCallback(PVOID Handle);

/* The settings wdm.h names (power setting GUIDs,
 * https://learn.microsoft.com/windows/win32/power/power-setting-guids). */
DEFINE_GUID(GUID_ACDC_POWER_SOURCE, 0x5D3E9A59, 0xE9D5, 0x4B00, 0xA6, 0xBD, 0xFF, 0x34, 0xFF, 0x51, 0x65, 0x48);
DEFINE_GUID(GUID_CONSOLE_DISPLAY_STATE, 0x6FE69556, 0x704A, 0x47A0, 0x8F, 0x24, 0xC2, 0x8D, 0x93, 0x6F, 0xDA, 0x47);
DEFINE_GUID(GUID_MONITOR_POWER_ON, 0x02731015, 0x4510, 0x4526, 0x99, 0xE6, 0xE5, 0xA1, 0x7E, 0xBD, 0x1A, 0xEA);
DEFINE_GUID(GUID_POWERSCHEME_PERSONALITY, 0x245D8541, 0x3943, 0x4422, 0xB0, 0x25, 0x13, 0xA7, 0x84, 0xF6, 0x79, 0xB7);
DEFINE_GUID(GUID_MIN_POWER_SAVINGS, 0x8C5E7FDA, 0xE8BF, 0x4A96, 0x9A, 0x85, 0xA6, 0xE2, 0x3A, 0x8C, 0x63, 0x5C);
DEFINE_GUID(GUID_MAX_POWER_SAVINGS, 0xA1841308, 0x3541, 0x4FAB, 0xBC, 0x81, 0xF7, 0x15, 0x56, 0xF2, 0x0B, 0x4A);
DEFINE_GUID(GUID_TYPICAL_POWER_SAVINGS, 0x381B4222, 0xF694, 0x41F0, 0x96, 0x85, 0xFF, 0x5B, 0xB2, 0x60, 0xDF, 0x2E);

/* ---- Runtime power management framework (PoFx) ----
 * https://learn.microsoft.com/windows-hardware/drivers/kernel/component-level-power-management
 * https://learn.microsoft.com/windows-hardware/drivers/kernel/device-power-management */
typedef struct POHANDLE__ *POHANDLE;

#define PO_FX_VERSION_V1 0x00000001
#define PO_FX_VERSION_V2 0x00000002
#define PO_FX_VERSION PO_FX_VERSION_V2
#define PO_FX_FLAG_BLOCKING 0x00000001
#define PO_FX_FLAG_ASYNC_ONLY 0x00000002
#define PO_FX_COMPONENT_FLAG_F0_ON_DX 0x0000000000000001ULL

typedef VOID NTAPI PO_FX_COMPONENT_ACTIVE_CONDITION_CALLBACK(PVOID Context, ULONG Component);
typedef PO_FX_COMPONENT_ACTIVE_CONDITION_CALLBACK *PPO_FX_COMPONENT_ACTIVE_CONDITION_CALLBACK;
typedef VOID NTAPI PO_FX_COMPONENT_IDLE_CONDITION_CALLBACK(PVOID Context, ULONG Component);
typedef PO_FX_COMPONENT_IDLE_CONDITION_CALLBACK *PPO_FX_COMPONENT_IDLE_CONDITION_CALLBACK;
typedef VOID NTAPI PO_FX_COMPONENT_IDLE_STATE_CALLBACK(PVOID Context, ULONG Component, ULONG State);
typedef PO_FX_COMPONENT_IDLE_STATE_CALLBACK *PPO_FX_COMPONENT_IDLE_STATE_CALLBACK;
typedef VOID NTAPI PO_FX_DEVICE_POWER_REQUIRED_CALLBACK(PVOID Context);
typedef PO_FX_DEVICE_POWER_REQUIRED_CALLBACK *PPO_FX_DEVICE_POWER_REQUIRED_CALLBACK;
typedef VOID NTAPI PO_FX_DEVICE_POWER_NOT_REQUIRED_CALLBACK(PVOID Context);
typedef PO_FX_DEVICE_POWER_NOT_REQUIRED_CALLBACK *PPO_FX_DEVICE_POWER_NOT_REQUIRED_CALLBACK;
typedef NTSTATUS NTAPI PO_FX_POWER_CONTROL_CALLBACK(PVOID DeviceContext, LPCGUID PowerControlCode, PVOID InBuffer,
                                                   SIZE_T InBufferSize, PVOID OutBuffer, SIZE_T OutBufferSize,
                                                   PSIZE_T BytesReturned);
typedef PO_FX_POWER_CONTROL_CALLBACK *PPO_FX_POWER_CONTROL_CALLBACK;

/* https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/ns-wdm-_po_fx_component_idle_state
 * Latency and residency in 100-nanosecond units. */
typedef struct _PO_FX_COMPONENT_IDLE_STATE {
    ULONGLONG TransitionLatency;
    ULONGLONG ResidencyRequirement;
    ULONG NominalPower;
} PO_FX_COMPONENT_IDLE_STATE, *PPO_FX_COMPONENT_IDLE_STATE;

/* https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/ns-wdm-_po_fx_component_v1 */
typedef struct _PO_FX_COMPONENT_V1 {
    GUID Id;
    ULONG IdleStateCount;
    ULONG DeepestWakeableIdleState;
    PPO_FX_COMPONENT_IDLE_STATE IdleStates;
} PO_FX_COMPONENT_V1, *PPO_FX_COMPONENT_V1;

/* https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/ns-wdm-_po_fx_component_v2 */
typedef struct _PO_FX_COMPONENT_V2 {
    GUID Id;
    ULONGLONG Flags;
    ULONG DeepestWakeableIdleState;
    ULONG IdleStateCount;
    PPO_FX_COMPONENT_IDLE_STATE IdleStates;
    ULONG ProviderCount;
    PULONG Providers;
} PO_FX_COMPONENT_V2, *PPO_FX_COMPONENT_V2;

/* https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/ns-wdm-_po_fx_device_v1 */
typedef struct _PO_FX_DEVICE_V1 {
    ULONG Version;
    ULONG ComponentCount;
    PPO_FX_COMPONENT_ACTIVE_CONDITION_CALLBACK ComponentActiveConditionCallback;
    PPO_FX_COMPONENT_IDLE_CONDITION_CALLBACK ComponentIdleConditionCallback;
    PPO_FX_COMPONENT_IDLE_STATE_CALLBACK ComponentIdleStateCallback;
    PPO_FX_DEVICE_POWER_REQUIRED_CALLBACK DevicePowerRequiredCallback;
    PPO_FX_DEVICE_POWER_NOT_REQUIRED_CALLBACK DevicePowerNotRequiredCallback;
    PPO_FX_POWER_CONTROL_CALLBACK PowerControlCallback;
    PVOID DeviceContext;
    PO_FX_COMPONENT_V1 Components[ANYSIZE_ARRAY];
} PO_FX_DEVICE_V1, *PPO_FX_DEVICE_V1;

/* https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/ns-wdm-_po_fx_device_v2 */
typedef struct _PO_FX_DEVICE_V2 {
    ULONG Version;
    ULONGLONG Flags;
    PPO_FX_COMPONENT_ACTIVE_CONDITION_CALLBACK ComponentActiveConditionCallback;
    PPO_FX_COMPONENT_IDLE_CONDITION_CALLBACK ComponentIdleConditionCallback;
    PPO_FX_COMPONENT_IDLE_STATE_CALLBACK ComponentIdleStateCallback;
    PPO_FX_DEVICE_POWER_REQUIRED_CALLBACK DevicePowerRequiredCallback;
    PPO_FX_DEVICE_POWER_NOT_REQUIRED_CALLBACK DevicePowerNotRequiredCallback;
    PPO_FX_POWER_CONTROL_CALLBACK PowerControlCallback;
    PVOID DeviceContext;
    ULONG ComponentCount;
    PO_FX_COMPONENT_V2 Components[ANYSIZE_ARRAY];
} PO_FX_DEVICE_V2, *PPO_FX_DEVICE_V2;

/* The current WDK's PO_FX_VERSION is V2: PO_FX_DEVICE and PO_FX_COMPONENT are the V2 structures. A
 * driver registering a V1 structure casts it; PoFxRegisterDevice reads Version first. */
typedef PO_FX_COMPONENT_V2 PO_FX_COMPONENT, *PPO_FX_COMPONENT;
typedef PO_FX_DEVICE_V2 PO_FX_DEVICE, *PPO_FX_DEVICE;

/* Registers the device (PDO) with PoFx: the structure is copied; all components start active in F0
 * and device power is required until PoFxStartDevicePowerManagement lets them idle. PASSIVE_LEVEL. */
NTKERNELAPI NTSTATUS NTAPI PoFxRegisterDevice(PDEVICE_OBJECT Pdo, PPO_FX_DEVICE Device, POHANDLE *Handle);
NTKERNELAPI VOID NTAPI PoFxStartDevicePowerManagement(POHANDLE Handle);
NTKERNELAPI VOID NTAPI PoFxUnregisterDevice(POHANDLE Handle);
/* Take and drop an activation reference on a component. <= DISPATCH_LEVEL (PASSIVE with BLOCKING). */
NTKERNELAPI VOID NTAPI PoFxActivateComponent(POHANDLE Handle, ULONG Component, ULONG Flags);
NTKERNELAPI VOID NTAPI PoFxIdleComponent(POHANDLE Handle, ULONG Component, ULONG Flags);
NTKERNELAPI VOID NTAPI PoFxCompleteIdleCondition(POHANDLE Handle, ULONG Component);
NTKERNELAPI VOID NTAPI PoFxCompleteIdleState(POHANDLE Handle, ULONG Component);
NTKERNELAPI VOID NTAPI PoFxCompleteDevicePowerNotRequired(POHANDLE Handle);
NTKERNELAPI VOID NTAPI PoFxReportDevicePoweredOn(POHANDLE Handle);
/* The delay, in 100-nanosecond units, between the last component idling and DevicePowerNotRequired. */
NTKERNELAPI VOID NTAPI PoFxSetDeviceIdleTimeout(POHANDLE Handle, ULONGLONG IdleTimeout);
NTKERNELAPI VOID NTAPI PoFxSetComponentLatency(POHANDLE Handle, ULONG Component, ULONGLONG Latency);
NTKERNELAPI VOID NTAPI PoFxSetComponentResidency(POHANDLE Handle, ULONG Component, ULONGLONG Residency);
NTKERNELAPI VOID NTAPI PoFxSetComponentWake(POHANDLE Handle, ULONG Component, BOOLEAN WakeHint);
NTKERNELAPI NTSTATUS NTAPI PoFxPowerControl(POHANDLE Handle, LPCGUID PowerControlCode, PVOID InBuffer,
                                            SIZE_T InBufferSize, PVOID OutBuffer, SIZE_T OutBufferSize,
                                            PSIZE_T BytesReturned);
NTKERNELAPI VOID NTAPI PoFxNotifySurprisePowerOn(PDEVICE_OBJECT Pdo);

NTIO_END_DECLS

#endif /* NTIO_DDK_PO_H */
