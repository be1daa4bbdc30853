/* <wdm.h> piece: ZwLoadDriver and ZwUnloadDriver, the kernel-mode way to load and unload a driver
 * through its service key. DriverServiceName is the full registry path of the service key,
 * \Registry\Machine\System\CurrentControlSet\Services\<name>. PASSIVE_LEVEL.
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-zwloaddriver
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-zwunloaddriver */
#ifndef NTIO_DDK_DRIVER_LOAD_H
#define NTIO_DDK_DRIVER_LOAD_H
#include "basetypes.h"
#include "sal.h"
#include "ntstatus.h"
#include "rtl.h"

NTIO_BEGIN_DECLS

/* Loads the driver the service key names (Type 1 or 2, Start not 4, ImagePath or
 * \SystemRoot\System32\drivers\<name>.sys) and calls its DriverEntry. STATUS_IMAGE_ALREADY_LOADED if
 * it is loaded, STATUS_OBJECT_NAME_NOT_FOUND for a missing key, DriverEntry's status if it fails. */
NTSYSAPI NTSTATUS NTAPI ZwLoadDriver(_In_ PUNICODE_STRING DriverServiceName);
/* Unloads it: no new opens from now on, DriverUnload once no device has handles or attachments.
 * STATUS_INVALID_DEVICE_REQUEST for a driver without DriverUnload, STATUS_OBJECT_NAME_NOT_FOUND for a
 * missing key. */
NTSYSAPI NTSTATUS NTAPI ZwUnloadDriver(_In_ PUNICODE_STRING DriverServiceName);

NTIO_END_DECLS

#endif /* NTIO_DDK_DRIVER_LOAD_H */
