/* Reading a driver's Parameters key (<RegistryPath>\Parameters), shared by the in-box drivers: each
 * compiles driver_parameters.c into its own image, as WDK samples share a source file. */
#ifndef NTIO_DRIVER_PARAMETERS_H
#define NTIO_DRIVER_PARAMETERS_H

#include <wdm.h>

/* Opens <RegistryPath>\Parameters for reading; STATUS_OBJECT_NAME_NOT_FOUND when the service key or
 * its Parameters key does not exist. PASSIVE_LEVEL. */
NTSTATUS DrvOpenParameters(_In_ PUNICODE_STRING RegistryPath, _Out_ PHANDLE Key);

/* One value into Info (KeyValuePartialInformation, InfoSize bytes). */
NTSTATUS DrvQueryValue(_In_ HANDLE Key, _In_ PCWSTR Name, _Out_writes_bytes_(InfoSize) PKEY_VALUE_PARTIAL_INFORMATION Info,
                       _In_ ULONG InfoSize);

/* A REG_DWORD or REG_QWORD as a 64-bit number: STATUS_OBJECT_NAME_NOT_FOUND when absent,
 * STATUS_INVALID_PARAMETER for another type or size. Info is scratch space of InfoSize bytes. */
NTSTATUS DrvQueryNumber(_In_ HANDLE Key, _In_ PCWSTR Name, _Out_writes_bytes_(InfoSize) PKEY_VALUE_PARTIAL_INFORMATION Info,
                        _In_ ULONG InfoSize, _Out_ PULONGLONG Value);

#endif /* NTIO_DRIVER_PARAMETERS_H */
