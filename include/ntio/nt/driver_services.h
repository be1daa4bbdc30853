/* <ntio/ntapi.h> piece: NtLoadDriver and NtUnloadDriver for applications, with the ntdll signatures.
 * Called from an application they need SeLoadDriverPrivilege enabled in the caller's token
 * (STATUS_PRIVILEGE_NOT_HELD otherwise) and probe and capture DriverServiceName. The Zw names for
 * drivers are in <wdm.h>'s driver_load.h; statuses are the same. */
#ifndef NTIO_NT_DRIVER_SERVICES_H
#define NTIO_NT_DRIVER_SERVICES_H

#include "../ddk/ntio_ddk/driver_load.h"

NTIO_BEGIN_DECLS

NTSYSAPI NTSTATUS NTAPI NtLoadDriver(_In_ PUNICODE_STRING DriverServiceName);
NTSYSAPI NTSTATUS NTAPI NtUnloadDriver(_In_ PUNICODE_STRING DriverServiceName);

NTIO_END_DECLS

#endif /* NTIO_NT_DRIVER_SERVICES_H */
