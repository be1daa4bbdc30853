/* <wdm.h> piece: the Plug and Play and power DDIs and types io.h / io_types.h lack (device relations,
 * device capabilities, device registry properties, Po* routines for power IRPs, PNP_VETO_TYPE).
 * IRP_MN_* codes, POWER_STATE, DEVICE_POWER_STATE and the stack-location parameters are in io_types.h / io_constants.h.
 * https://learn.microsoft.com/windows-hardware/drivers/kernel/plug-and-play-minor-irps */
#ifndef NTIO_DDK_PNP_H
#define NTIO_DDK_PNP_H

#include "io_types.h"

NTIO_BEGIN_DECLS

/* IRP_MN_QUERY_DEVICE_RELATIONS answer (paged pool, freed by the requester). */
typedef struct _DEVICE_RELATIONS {
    ULONG Count;
    PDEVICE_OBJECT Objects[1];
} DEVICE_RELATIONS, *PDEVICE_RELATIONS;

/* A custom target-device-change event (its GUID is the event's own), as FsRtlNotifyVolumeEventEx
 * takes it. NameBufferOffset: where a counted string starts in CustomDataBuffer, -1 for none.
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/ns-wdm-_target_device_custom_notification */
typedef struct _TARGET_DEVICE_CUSTOM_NOTIFICATION {
    USHORT Version;
    USHORT Size;
    GUID Event;
    PFILE_OBJECT FileObject;
    LONG NameBufferOffset;
    UCHAR CustomDataBuffer[1];
} TARGET_DEVICE_CUSTOM_NOTIFICATION, *PTARGET_DEVICE_CUSTOM_NOTIFICATION;
C_ASSERT(FIELD_OFFSET(TARGET_DEVICE_CUSTOM_NOTIFICATION, FileObject) == 0x18);
C_ASSERT(FIELD_OFFSET(TARGET_DEVICE_CUSTOM_NOTIFICATION, CustomDataBuffer) == 0x24);
C_ASSERT(sizeof(TARGET_DEVICE_CUSTOM_NOTIFICATION) == 0x28);

/* ---- PnP notification ----
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-ioregisterplugplaynotification
 * The event GUIDs are in <wdmguid.h> (system events) and <ioevent.h> (volume events). */
typedef enum _IO_NOTIFICATION_EVENT_CATEGORY {
    EventCategoryReserved,
    EventCategoryHardwareProfileChange,
    EventCategoryDeviceInterfaceChange,
    EventCategoryTargetDeviceChange,
    EventCategoryKernelSoftRestart
} IO_NOTIFICATION_EVENT_CATEGORY;

/* EventCategoryDeviceInterfaceChange: ARRIVAL for every interface of the class already enabled, before
 * IoRegisterPlugPlayNotification returns. */
#define PNPNOTIFY_DEVICE_INTERFACE_INCLUDE_EXISTING_INTERFACES 0x00000001

/* NotificationStructure starts with a PLUGPLAY_NOTIFICATION_HEADER; Event says which structure it is.
 * Called at PASSIVE_LEVEL; a failure status returned for GUID_TARGET_DEVICE_QUERY_REMOVE vetoes the
 * removal, any other event ignores it. */
typedef NTSTATUS NTAPI DRIVER_NOTIFICATION_CALLBACK_ROUTINE(PVOID NotificationStructure, PVOID Context);
typedef DRIVER_NOTIFICATION_CALLBACK_ROUTINE *PDRIVER_NOTIFICATION_CALLBACK_ROUTINE;

/* IoReportTargetDeviceChangeAsynchronous's routine, called at PASSIVE_LEVEL once the registered
 * callbacks were told. */
typedef VOID NTAPI DEVICE_CHANGE_COMPLETE_CALLBACK(PVOID Context);
typedef DEVICE_CHANGE_COMPLETE_CALLBACK *PDEVICE_CHANGE_COMPLETE_CALLBACK;

/* https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/ns-wdm-_plugplay_notification_header */
typedef struct _PLUGPLAY_NOTIFICATION_HEADER {
    USHORT Version;
    USHORT Size;
    GUID Event;
} PLUGPLAY_NOTIFICATION_HEADER, *PPLUGPLAY_NOTIFICATION_HEADER;

/* https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/ns-wdm-_hwprofile_change_notification */
typedef struct _HWPROFILE_CHANGE_NOTIFICATION {
    USHORT Version;
    USHORT Size;
    GUID Event;
} HWPROFILE_CHANGE_NOTIFICATION, *PHWPROFILE_CHANGE_NOTIFICATION;

/* GUID_DEVICE_INTERFACE_ARRIVAL / _REMOVAL. SymbolicLinkName is the interface's name as
 * IoRegisterDeviceInterface returned it, valid during the call only.
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/ns-wdm-_device_interface_change_notification */
typedef struct _DEVICE_INTERFACE_CHANGE_NOTIFICATION {
    USHORT Version;
    USHORT Size;
    GUID Event;
    GUID InterfaceClassGuid;
    PUNICODE_STRING SymbolicLinkName;
} DEVICE_INTERFACE_CHANGE_NOTIFICATION, *PDEVICE_INTERFACE_CHANGE_NOTIFICATION;

/* GUID_TARGET_DEVICE_QUERY_REMOVE / _REMOVE_CANCELLED / _REMOVE_COMPLETE. FileObject is the one the
 * registration named (no longer valid once the registrant closed it).
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/ns-wdm-_target_device_removal_notification */
typedef struct _TARGET_DEVICE_REMOVAL_NOTIFICATION {
    USHORT Version;
    USHORT Size;
    GUID Event;
    PFILE_OBJECT FileObject;
} TARGET_DEVICE_REMOVAL_NOTIFICATION, *PTARGET_DEVICE_REMOVAL_NOTIFICATION;

/* EventCategoryData: the interface class GUID (DeviceInterfaceChange), a file object of the device
 * (TargetDeviceChange: the events of the PDO of that device's stack), NULL (HardwareProfileChange).
 * The driver object is referenced until the registration goes. PASSIVE_LEVEL. */
NTKERNELAPI NTSTATUS NTAPI IoRegisterPlugPlayNotification(IO_NOTIFICATION_EVENT_CATEGORY EventCategory,
                                                          ULONG EventCategoryFlags, PVOID EventCategoryData,
                                                          PDRIVER_OBJECT DriverObject,
                                                          PDRIVER_NOTIFICATION_CALLBACK_ROUTINE CallbackRoutine,
                                                          PVOID Context, PVOID *NotificationEntry);
/* After the Ex form returns the callback is not running (unless on the calling thread: a callback may
 * unregister itself) and will not run again. PASSIVE_LEVEL.
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-iounregisterplugplaynotificationex */
NTKERNELAPI NTSTATUS NTAPI IoUnregisterPlugPlayNotification(PVOID NotificationEntry);
NTKERNELAPI NTSTATUS NTAPI IoUnregisterPlugPlayNotificationEx(PVOID NotificationEntry);
/* A custom event (TARGET_DEVICE_CUSTOM_NOTIFICATION, FileObject NULL) to the target-device callbacks
 * of the PDO; the system events (GUID_TARGET_DEVICE_*) are STATUS_INVALID_DEVICE_REQUEST. The
 * synchronous form returns once every callback ran (PASSIVE_LEVEL); the asynchronous one copies the
 * structure, tells the callbacks on a worker and then calls Callback (<= DISPATCH_LEVEL).
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-ioreporttargetdevicechange
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-ioreporttargetdevicechangeasynchronous */
NTKERNELAPI NTSTATUS NTAPI IoReportTargetDeviceChange(PDEVICE_OBJECT PhysicalDeviceObject,
                                                      PVOID NotificationStructure);
NTKERNELAPI NTSTATUS NTAPI IoReportTargetDeviceChangeAsynchronous(PDEVICE_OBJECT PhysicalDeviceObject,
                                                                  PVOID NotificationStructure,
                                                                  PDEVICE_CHANGE_COMPLETE_CALLBACK Callback,
                                                                  PVOID Context);

/* https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/ne-wdm-device_registry_property */
typedef enum {
    DevicePropertyDeviceDescription = 0x0,
    DevicePropertyHardwareID = 0x1,
    DevicePropertyCompatibleIDs = 0x2,
    DevicePropertyBootConfiguration = 0x3,
    DevicePropertyBootConfigurationTranslated = 0x4,
    DevicePropertyClassName = 0x5,
    DevicePropertyClassGuid = 0x6,
    DevicePropertyDriverKeyName = 0x7,
    DevicePropertyManufacturer = 0x8,
    DevicePropertyFriendlyName = 0x9,
    DevicePropertyLocationInformation = 0xa,
    DevicePropertyPhysicalDeviceObjectName = 0xb,
    DevicePropertyBusTypeGuid = 0xc,
    DevicePropertyLegacyBusType = 0xd,
    DevicePropertyBusNumber = 0xe,
    DevicePropertyEnumeratorName = 0xf,
    DevicePropertyAddress = 0x10,
    DevicePropertyUINumber = 0x11,
    DevicePropertyInstallState = 0x12,
    DevicePropertyRemovalPolicy = 0x13,
    DevicePropertyResourceRequirements = 0x14,
    DevicePropertyAllocatedResources = 0x15,
    DevicePropertyContainerID = 0x16
} DEVICE_REGISTRY_PROPERTY;

/* IRP_MN_QUERY_CAPABILITIES answer. The sender sets Size, Version (1), Address and UINumber (-1, "not
 * known") before sending; the bus driver fills it for its PDO, function and filter drivers adjust it.
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/ns-wdm-_device_capabilities
 * (PDEVICE_CAPABILITIES is declared in io_types.h, for IO_STACK_LOCATION.) */
#ifndef POWER_SYSTEM_MAXIMUM
#define POWER_SYSTEM_MAXIMUM 7
#endif
typedef struct _DEVICE_CAPABILITIES {
    USHORT Size;
    USHORT Version;
    ULONG DeviceD1 : 1;
    ULONG DeviceD2 : 1;
    ULONG LockSupported : 1;
    ULONG EjectSupported : 1;
    ULONG Removable : 1;
    ULONG DockDevice : 1;
    ULONG UniqueID : 1;
    ULONG SilentInstall : 1;
    ULONG RawDeviceOK : 1;
    ULONG SurpriseRemovalOK : 1;
    ULONG WakeFromD0 : 1;
    ULONG WakeFromD1 : 1;
    ULONG WakeFromD2 : 1;
    ULONG WakeFromD3 : 1;
    ULONG HardwareDisabled : 1;
    ULONG NonDynamic : 1;
    ULONG WarmEjectSupported : 1;
    ULONG NoDisplayInUI : 1;
    ULONG Reserved1 : 1;
    ULONG WakeFromInterrupt : 1;
    ULONG SecureDevice : 1;
    ULONG ChildOfVgaEnabledBridge : 1;
    ULONG DecodeIoOnBoot : 1;
    ULONG Reserved : 9;
    ULONG Address;
    ULONG UINumber;
    DEVICE_POWER_STATE DeviceState[POWER_SYSTEM_MAXIMUM];
    SYSTEM_POWER_STATE SystemWake;
    DEVICE_POWER_STATE DeviceWake;
    ULONG D1Latency;
    ULONG D2Latency;
    ULONG D3Latency;
} DEVICE_CAPABILITIES;

/* IoGetDeviceProperty(DevicePropertyRemovalPolicy) answer.
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/ne-wdm-_device_removal_policy */
typedef enum _DEVICE_REMOVAL_POLICY {
    RemovalPolicyExpectNoRemoval = 1,
    RemovalPolicyExpectOrderlyRemoval = 2,
    RemovalPolicyExpectSurpriseRemoval = 3
} DEVICE_REMOVAL_POLICY, *PDEVICE_REMOVAL_POLICY;

/* PnP veto reasons (cfg.h spelling), reported by NtioPnpRemoveDevice. */
#ifndef NTIO_PNP_VETO_TYPE_DEFINED
#define NTIO_PNP_VETO_TYPE_DEFINED
typedef enum _PNP_VETO_TYPE {
    PNP_VetoTypeUnknown,
    PNP_VetoLegacyDevice,
    PNP_VetoPendingClose,
    PNP_VetoWindowsApp,
    PNP_VetoWindowsService,
    PNP_VetoOutstandingOpen,
    PNP_VetoDevice,
    PNP_VetoDriver,
    PNP_VetoIllegalDeviceRequest,
    PNP_VetoInsufficientPower,
    PNP_VetoNonDisableable,
    PNP_VetoLegacyDriver,
    PNP_VetoInsufficientRights,
    PNP_VetoAlreadyRemoved
} PNP_VETO_TYPE, *PPNP_VETO_TYPE;
#endif

/* IoGetDeviceProperty: a property of a PnP device (PDO only; any other device object is bug check
 * PNP_DETECTED_FATAL_ERROR 0x2). STATUS_BUFFER_TOO_SMALL with *ResultLength set when the buffer is short;
 * STATUS_OBJECT_NAME_NOT_FOUND when the device has no such property. PASSIVE_LEVEL. */
NTKERNELAPI NTSTATUS NTAPI IoGetDeviceProperty(PDEVICE_OBJECT DeviceObject, DEVICE_REGISTRY_PROPERTY DeviceProperty,
                                               ULONG BufferLength, PVOID PropertyBuffer, PULONG ResultLength);
/* Bus drivers report a change of their children. Root-enumerated devices: re-reads the Enum\Root key
 * (new instances are added and started) from a system worker. Any IRQL <= DISPATCH_LEVEL. */
NTKERNELAPI VOID NTAPI IoInvalidateDeviceRelations(PDEVICE_OBJECT DeviceObject, DEVICE_RELATION_TYPE Type);

/* ---- Power ---- */
typedef VOID NTAPI REQUEST_POWER_COMPLETE(PDEVICE_OBJECT DeviceObject, UCHAR MinorFunction, POWER_STATE PowerState,
                                          PVOID Context, PIO_STATUS_BLOCK IoStatus);
typedef REQUEST_POWER_COMPLETE *PREQUEST_POWER_COMPLETE;

/* Passes a power IRP down (Windows Vista and later: the same as IoCallDriver). IRQL <= DISPATCH_LEVEL. */
NTKERNELAPI NTSTATUS NTAPI PoCallDriver(PDEVICE_OBJECT DeviceObject, PIRP Irp);
/* Lets the next power IRP start (Windows Vista and later: nothing to do; kept for older drivers). */
NTKERNELAPI VOID NTAPI PoStartNextPowerIrp(PIRP Irp);
/* Records the device's (or system's) power state; returns the previous one. */
NTKERNELAPI POWER_STATE NTAPI PoSetPowerState(PDEVICE_OBJECT DeviceObject, POWER_STATE_TYPE Type, POWER_STATE State);
/* Allocates a power IRP for the top of DeviceObject's stack and sends it; CompletionFunction runs once it
 * completed, then the IRP is freed. MinorFunction IRP_MN_SET_POWER, IRP_MN_QUERY_POWER (device states) or
 * IRP_MN_WAIT_WAKE; anything else is STATUS_INVALID_PARAMETER_2. Returns STATUS_PENDING once sent. */
NTKERNELAPI NTSTATUS NTAPI PoRequestPowerIrp(PDEVICE_OBJECT DeviceObject, UCHAR MinorFunction, POWER_STATE PowerState,
                                             PREQUEST_POWER_COMPLETE CompletionFunction, PVOID Context, PIRP *Irp);

NTIO_END_DECLS

#endif /* NTIO_DDK_PNP_H */
