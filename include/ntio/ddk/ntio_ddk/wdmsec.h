/* <wdmsec.h> contents: IoCreateDeviceSecure (the WDK's wdmsec library routine) and the SDDL strings
 * the WDK predefines for device objects. WDK spellings; the WDK maps IoCreateDeviceSecure to
 * WdmlibIoCreateDeviceSecure with a macro, and so does this header. */
#ifndef NTIO_DDK_WDMSEC_H
#define NTIO_DDK_WDMSEC_H

#include "io.h"

NTIO_BEGIN_DECLS

/* IoCreateDevice, with DefaultSDDLString applied as the device object's security descriptor (NT fact
 * S4). STATUS_INVALID_PARAMETER for SDDL it cannot parse. PASSIVE_LEVEL. */
NTKERNELAPI NTSTATUS NTAPI WdmlibIoCreateDeviceSecure(PDRIVER_OBJECT DriverObject, ULONG DeviceExtensionSize,
                                                      PUNICODE_STRING DeviceName, DEVICE_TYPE DeviceType,
                                                      ULONG DeviceCharacteristics, BOOLEAN Exclusive,
                                                      PCUNICODE_STRING DefaultSDDLString, LPCGUID DeviceClassGuid,
                                                      PDEVICE_OBJECT *DeviceObject);
#define IoCreateDeviceSecure WdmlibIoCreateDeviceSecure
/* The library routine is the system's since Windows Server 2003. */
#define WdmlibIoValidateDeviceIoControlAccess IoValidateDeviceIoControlAccess

#define SDDL_DEVOBJ_KERNEL_ONLY L"D:P"
#define SDDL_DEVOBJ_SYS_ALL L"D:P(A;;GA;;;SY)"
#define SDDL_DEVOBJ_SYS_ALL_ADM_ALL L"D:P(A;;GA;;;SY)(A;;GA;;;BA)"
#define SDDL_DEVOBJ_SYS_ALL_ADM_RX L"D:P(A;;GA;;;SY)(A;;GRGX;;;BA)"
#define SDDL_DEVOBJ_SYS_ALL_ADM_RWX_WORLD_R L"D:P(A;;GA;;;SY)(A;;GRGWGX;;;BA)(A;;GR;;;WD)"
#define SDDL_DEVOBJ_SYS_ALL_ADM_RWX_WORLD_RW_RES_R \
    L"D:P(A;;GA;;;SY)(A;;GRGWGX;;;BA)(A;;GRGW;;;WD)(A;;GR;;;RC)"
#define SDDL_DEVOBJ_SYS_ALL_ADM_RWX_WORLD_RWX_RES_RWX \
    L"D:P(A;;GA;;;SY)(A;;GRGWGX;;;BA)(A;;GRGWGX;;;WD)(A;;GRGWGX;;;RC)"

NTIO_END_DECLS

#endif
