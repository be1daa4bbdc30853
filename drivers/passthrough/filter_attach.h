/* Attaching the in-box filters (passthrough, trace, fault_inject), each either of the two kinds a WDK
 * writer ships, chosen by the service's Parameters key: with an AttachTo value (REG_SZ or
 * REG_MULTI_SZ) a legacy filter that attaches in DriverEntry over the devices it names and sets no
 * AddDevice; without it a PnP filter (UpperFilters / LowerFilters of a device) whose AddDevice
 * attaches over the PDO. Each filter device's extension starts with FILTER_EXTENSION. Also the fast
 * I/O routines that pass FastIoRead / FastIoWrite down the stack. */
#ifndef NTIO_FILTER_ATTACH_H
#define NTIO_FILTER_ATTACH_H

#include <ntddk.h>

#include "driver_parameters.h"

/* The first member of every filter device's extension. The fast I/O fields are what a fast read or
 * write hop needs, next to Lower on one cache line: the routines of the driver below, resolved at
 * attach, and the dispatch table they came from, which tells whether they are still that driver's
 * (FilterFastIoRead re-resolves them when LowerDriver->FastIoDispatch is another table). */
typedef struct _FILTER_EXTENSION {
    ULONG Signature;                 /* FILTER_DEVICE_SIGNATURE: a filter device, not a control device */
    LONG FastIoRefreshing;           /* 1 while one thread re-resolves the fast I/O fields */
    PDEVICE_OBJECT Lower;            /* the device this filter sends IRPs to */
    PDRIVER_OBJECT LowerDriver;      /* Lower->DriverObject */
    PFAST_IO_DISPATCH LowerFastIoDispatch; /* the table the two routines were read from, or NULL */
    PFAST_IO_READ LowerFastIoRead;
    PFAST_IO_WRITE LowerFastIoWrite;
    PDEVICE_OBJECT Self;
} FILTER_EXTENSION, *PFILTER_EXTENSION;

#define FILTER_DEVICE_SIGNATURE 'tliF'

/* Creates a filter device with ExtensionSize bytes of extension (at least sizeof(FILTER_EXTENSION)),
 * attaches it over the top of Target's stack, and copies the lower device's type, characteristics,
 * buffering flags, sector size and alignment. The new device is ready (DO_DEVICE_INITIALIZING clear). */
NTSTATUS FilterAttachToDevice(_In_ PDRIVER_OBJECT DriverObject, _In_ PDEVICE_OBJECT Target, _In_ ULONG ExtensionSize,
                              _Out_ PDEVICE_OBJECT *FilterDevice);

/* Whether Parameters\AttachTo exists (of any type): the driver is then a legacy filter, not a PnP
 * one. PASSIVE_LEVEL. */
BOOLEAN FilterIsLegacy(_In_ PUNICODE_STRING RegistryPath);

/* Attaches one filter device over each device named by Parameters\AttachTo. STATUS_SUCCESS with no
 * device when the value is missing (a PnP filter); the first failure detaches everything. */
NTSTATUS FilterAttachFromRegistry(_In_ PDRIVER_OBJECT DriverObject, _In_ PUNICODE_STRING RegistryPath,
                                  _In_ ULONG ExtensionSize);

/* Detaches and deletes every filter device of the driver (devices without the signature stay). */
VOID FilterDetachAll(_In_ PDRIVER_OBJECT DriverObject);

/* A REG_DWORD from an open key; Default when absent or of another type. */
ULONG FilterQueryDword(_In_ HANDLE Key, _In_ PCWSTR Name, _In_ ULONG Default);

/* Fast I/O routines that pass the call to the FastIoRead / FastIoWrite of the driver of the device
 * below DeviceObject, with that lower device, as a filter must for fast I/O to reach the bottom of
 * the stack; FALSE (the I/O manager sends an IRP) when DeviceObject is not an attached filter
 * device or the driver below has no such routine. */
FAST_IO_READ FilterFastIoRead;
FAST_IO_WRITE FilterFastIoWrite;

#endif
