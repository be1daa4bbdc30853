/* <devpkey.h>: the system device property keys (DEVPKEY_*). The ones ntio's PnP manager answers for
 * a root-enumerated device are listed at IoGetDevicePropertyData (ntio_ddk/pnp_property.h); the rest
 * are defined for drivers that name them.
 * https://learn.microsoft.com/windows-hardware/drivers/install/devpkey-device-devicedesc */
#ifndef NTIO_DEVPKEY_H
#define NTIO_DEVPKEY_H

#include "devpropdef.h"

NTIO_BEGIN_DECLS

DEFINE_DEVPROPKEY(DEVPKEY_NAME, 0xb725f130, 0x47ef, 0x101a, 0xa5, 0xf1, 0x02, 0x60, 0x8c, 0x9e, 0xeb, 0xac, 10);

#define NTIO_DEVPKEY_DEVICE(name, pid) \
    DEFINE_DEVPROPKEY(name, 0xa45c254e, 0xdf1c, 0x4efd, 0x80, 0x20, 0x67, 0xd1, 0x46, 0xa8, 0x50, 0xe0, pid)
NTIO_DEVPKEY_DEVICE(DEVPKEY_Device_DeviceDesc, 2);     /* DEVPROP_TYPE_STRING */
NTIO_DEVPKEY_DEVICE(DEVPKEY_Device_HardwareIds, 3);    /* DEVPROP_TYPE_STRING_LIST */
NTIO_DEVPKEY_DEVICE(DEVPKEY_Device_CompatibleIds, 4);  /* DEVPROP_TYPE_STRING_LIST */
NTIO_DEVPKEY_DEVICE(DEVPKEY_Device_Service, 6);        /* DEVPROP_TYPE_STRING */
NTIO_DEVPKEY_DEVICE(DEVPKEY_Device_Class, 9);          /* DEVPROP_TYPE_STRING */
NTIO_DEVPKEY_DEVICE(DEVPKEY_Device_ClassGuid, 10);     /* DEVPROP_TYPE_GUID */
NTIO_DEVPKEY_DEVICE(DEVPKEY_Device_Driver, 11);        /* DEVPROP_TYPE_STRING */
NTIO_DEVPKEY_DEVICE(DEVPKEY_Device_ConfigFlags, 12);   /* DEVPROP_TYPE_UINT32 */
NTIO_DEVPKEY_DEVICE(DEVPKEY_Device_Manufacturer, 13);  /* DEVPROP_TYPE_STRING */
NTIO_DEVPKEY_DEVICE(DEVPKEY_Device_FriendlyName, 14);  /* DEVPROP_TYPE_STRING */
NTIO_DEVPKEY_DEVICE(DEVPKEY_Device_LocationInfo, 15);  /* DEVPROP_TYPE_STRING */
NTIO_DEVPKEY_DEVICE(DEVPKEY_Device_PDOName, 16);       /* DEVPROP_TYPE_STRING */
NTIO_DEVPKEY_DEVICE(DEVPKEY_Device_Capabilities, 17);  /* DEVPROP_TYPE_UINT32 */
NTIO_DEVPKEY_DEVICE(DEVPKEY_Device_UINumber, 18);      /* DEVPROP_TYPE_UINT32 */
NTIO_DEVPKEY_DEVICE(DEVPKEY_Device_UpperFilters, 19);  /* DEVPROP_TYPE_STRING_LIST */
NTIO_DEVPKEY_DEVICE(DEVPKEY_Device_LowerFilters, 20);  /* DEVPROP_TYPE_STRING_LIST */
NTIO_DEVPKEY_DEVICE(DEVPKEY_Device_BusTypeGuid, 21);   /* DEVPROP_TYPE_GUID */
NTIO_DEVPKEY_DEVICE(DEVPKEY_Device_LegacyBusType, 22); /* DEVPROP_TYPE_UINT32 */
NTIO_DEVPKEY_DEVICE(DEVPKEY_Device_BusNumber, 23);     /* DEVPROP_TYPE_UINT32 */
NTIO_DEVPKEY_DEVICE(DEVPKEY_Device_EnumeratorName, 24); /* DEVPROP_TYPE_STRING */
NTIO_DEVPKEY_DEVICE(DEVPKEY_Device_Address, 30);       /* DEVPROP_TYPE_UINT32 */
NTIO_DEVPKEY_DEVICE(DEVPKEY_Device_RemovalPolicy, 33); /* DEVPROP_TYPE_UINT32 */
NTIO_DEVPKEY_DEVICE(DEVPKEY_Device_InstallState, 36);  /* DEVPROP_TYPE_UINT32 */

DEFINE_DEVPROPKEY(DEVPKEY_Device_InstanceId, 0x78c34fc8, 0x104a, 0x4aca, 0x9e, 0xa4, 0x52, 0x4d, 0x52, 0x99, 0x6e,
                  0x57, 256); /* DEVPROP_TYPE_STRING */
DEFINE_DEVPROPKEY(DEVPKEY_Device_Parent, 0x4340a6c5, 0x93fa, 0x4706, 0x97, 0x2c, 0x7b, 0x64, 0x80, 0x08, 0xa5, 0xa7,
                  8); /* DEVPROP_TYPE_STRING */
DEFINE_DEVPROPKEY(DEVPKEY_Device_Children, 0x4340a6c5, 0x93fa, 0x4706, 0x97, 0x2c, 0x7b, 0x64, 0x80, 0x08, 0xa5, 0xa7,
                  9); /* DEVPROP_TYPE_STRING_LIST */

DEFINE_DEVPROPKEY(DEVPKEY_DeviceInterface_FriendlyName, 0x026e516e, 0xb814, 0x414b, 0x83, 0xcd, 0x85, 0x6d, 0x6f,
                  0xef, 0x48, 0x22, 2); /* DEVPROP_TYPE_STRING */
DEFINE_DEVPROPKEY(DEVPKEY_DeviceInterface_Enabled, 0x026e516e, 0xb814, 0x414b, 0x83, 0xcd, 0x85, 0x6d, 0x6f, 0xef,
                  0x48, 0x22, 3); /* DEVPROP_TYPE_BOOLEAN */
DEFINE_DEVPROPKEY(DEVPKEY_DeviceInterface_ClassGuid, 0x026e516e, 0xb814, 0x414b, 0x83, 0xcd, 0x85, 0x6d, 0x6f, 0xef,
                  0x48, 0x22, 4); /* DEVPROP_TYPE_GUID */

NTIO_END_DECLS

#endif /* NTIO_DEVPKEY_H */
