/* <wdm.h> piece: the unified device property DDIs (IoGet/SetDevicePropertyData, the device interface
 * ones), the device interface's registry key, the PnP device state a driver reports
 * (IRP_MN_QUERY_PNP_DEVICE_STATE, IoInvalidateDeviceState) and IoRequestDeviceEject.
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-iogetdevicepropertydata */
#ifndef NTIO_DDK_PNP_PROPERTY_H
#define NTIO_DDK_PNP_PROPERTY_H

#include "pnp.h"
#include "../devpropdef.h"

NTIO_BEGIN_DECLS

/* IoSetDevicePropertyData Flags: keep the value across restarts (in the device's registry key). */
#define PLUGPLAY_PROPERTY_PERSISTENT 0x00000001

#ifndef LOCALE_NEUTRAL
#define LOCALE_NEUTRAL 0x0000
#endif

/* A property of a PnP device (a PDO the PnP manager enumerated; anything else is bug check
 * PNP_DETECTED_FATAL_ERROR 0x2, as IoGetDeviceProperty). The system answers DEVPKEY_Device_DeviceDesc,
 * HardwareIds, CompatibleIds, Service, Class, ClassGuid, Manufacturer, FriendlyName, PDOName,
 * EnumeratorName, InstanceId, Parent, Address, UINumber, RemovalPolicy, InstallState when the device
 * has them; other keys are what drivers set. STATUS_BUFFER_TOO_SMALL with *RequiredSize and *Type;
 * STATUS_OBJECT_NAME_NOT_FOUND. IRQL <= APC_LEVEL. */
NTKERNELAPI NTSTATUS NTAPI IoGetDevicePropertyData(PDEVICE_OBJECT Pdo, const DEVPROPKEY *PropertyKey, LCID Lcid,
                                                   ULONG Flags, ULONG Size, PVOID Data, PULONG RequiredSize,
                                                   PDEVPROPTYPE Type);
/* Sets (or, with DEVPROP_TYPE_EMPTY or a NULL Data, deletes) a driver-defined property of a PnP
 * device. The system-answered keys are read-only (STATUS_ACCESS_DENIED). IRQL <= APC_LEVEL. */
NTKERNELAPI NTSTATUS NTAPI IoSetDevicePropertyData(PDEVICE_OBJECT Pdo, const DEVPROPKEY *PropertyKey, LCID Lcid,
                                                   ULONG Flags, DEVPROPTYPE Type, ULONG Size, PVOID Data);

/* The same for a device interface named by IoRegisterDeviceInterface; STATUS_OBJECT_NAME_NOT_FOUND for
 * an unknown link. The system answers DEVPKEY_DeviceInterface_Enabled and _ClassGuid. PASSIVE_LEVEL. */
NTKERNELAPI NTSTATUS NTAPI IoGetDeviceInterfacePropertyData(PUNICODE_STRING SymbolicLinkName,
                                                            const DEVPROPKEY *PropertyKey, LCID Lcid, ULONG Flags,
                                                            ULONG Size, PVOID Data, PULONG RequiredSize,
                                                            PDEVPROPTYPE Type);
NTKERNELAPI NTSTATUS NTAPI IoSetDeviceInterfacePropertyData(PUNICODE_STRING SymbolicLinkName,
                                                            const DEVPROPKEY *PropertyKey, LCID Lcid, ULONG Flags,
                                                            DEVPROPTYPE Type, ULONG Size, PVOID Data);

/* Opens (creating it the first time) the interface's "Device Parameters" registry key. PASSIVE_LEVEL. */
NTKERNELAPI NTSTATUS NTAPI IoOpenDeviceInterfaceRegistryKey(PUNICODE_STRING SymbolicLinkName,
                                                            ACCESS_MASK DesiredAccess,
                                                            PHANDLE DeviceInterfaceRegKey);

/* IoOpenDeviceRegistryKey's DevInstKeyType: the hardware key ("Device Parameters" under the device's
 * Enum key) or the software key (its driver key under Control\Class), optionally relative to the
 * current hardware profile. The PDO's key is created the first time. PASSIVE_LEVEL.
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-ioopendeviceregistrykey */
#define PLUGPLAY_REGKEY_DEVICE 1
#define PLUGPLAY_REGKEY_DRIVER 2
#define PLUGPLAY_REGKEY_CURRENT_HWPROFILE 4
NTKERNELAPI NTSTATUS NTAPI IoOpenDeviceRegistryKey(PDEVICE_OBJECT DeviceObject, ULONG DevInstKeyType,
                                                   ACCESS_MASK DesiredAccess, PHANDLE DeviceRegKey);

/* IRP_MN_QUERY_PNP_DEVICE_STATE answer (IoStatus.Information).
 * https://learn.microsoft.com/windows-hardware/drivers/kernel/irp-mn-query-pnp-device-state */
typedef ULONG PNP_DEVICE_STATE, *PPNP_DEVICE_STATE;
#define PNP_DEVICE_DISABLED 0x00000001
#define PNP_DEVICE_DONT_DISPLAY_IN_UI 0x00000002
#define PNP_DEVICE_FAILED 0x00000004
#define PNP_DEVICE_REMOVED 0x00000008
#define PNP_DEVICE_RESOURCE_REQUIREMENTS_CHANGED 0x00000010
#define PNP_DEVICE_NOT_DISABLEABLE 0x00000020
#define PNP_DEVICE_DISCONNECTED 0x00000040

/* The PnP manager sends IRP_MN_QUERY_PNP_DEVICE_STATE to the PDO's stack and acts on the answer, from a
 * system worker. IRQL <= DISPATCH_LEVEL. */
NTKERNELAPI VOID NTAPI IoInvalidateDeviceState(PDEVICE_OBJECT PhysicalDeviceObject);
/* Orderly removal of the device, then IRP_MN_EJECT to its bus driver, from a system worker.
 * IRQL <= DISPATCH_LEVEL. */
NTKERNELAPI VOID NTAPI IoRequestDeviceEject(PDEVICE_OBJECT PhysicalDeviceObject);

NTIO_END_DECLS

#endif /* NTIO_DDK_PNP_PROPERTY_H */
