// Two WDM test drivers that build a device stack for the inspector tests: "InspectLower" owns
// \Device\InspectLower and parks IOCTLs (in its own cancelable queue, or through IoStartPacket and
// StartIo), "InspectFilter" attaches an unnamed filter above it that passes everything down with a
// completion routine. The hardware side (InspectLowerTake, InspectLowerFinishStartIo) is what the
// tests call to finish parked requests.
#pragma once

#include <wdm.h>

#define IOCTL_INSPECT_PARK CTL_CODE(FILE_DEVICE_UNKNOWN, 0x800, METHOD_BUFFERED, FILE_ANY_ACCESS)
#define IOCTL_INSPECT_START_IO CTL_CODE(FILE_DEVICE_UNKNOWN, 0x801, METHOD_BUFFERED, FILE_ANY_ACCESS)

typedef struct _INSPECT_LOWER_EXTENSION {
    KSPIN_LOCK QueueLock;
    LIST_ENTRY Queue;  // parked IRPs, through Tail.Overlay.ListEntry, each with a cancel routine
} INSPECT_LOWER_EXTENSION, *PINSPECT_LOWER_EXTENSION;

typedef struct _INSPECT_FILTER_EXTENSION {
    PDEVICE_OBJECT Lower;
} INSPECT_FILTER_EXTENSION, *PINSPECT_FILTER_EXTENSION;

extern "C" {
NTSTATUS NTAPI InspectLowerDriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath);
NTSTATUS NTAPI InspectFilterDriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath);
NTSTATUS NTAPI InspectFilterCompletion(PDEVICE_OBJECT DeviceObject, PIRP Irp, PVOID Context);
VOID NTAPI InspectLowerCancel(PDEVICE_OBJECT DeviceObject, PIRP Irp);
NTSTATUS NTAPI InspectLowerDeviceControl(PDEVICE_OBJECT DeviceObject, PIRP Irp);

// Takes the oldest parked IRP out of the queue (NULL when empty or when its cancel routine already
// runs) and completes it with Status.
BOOLEAN InspectLowerCompleteParked(PDEVICE_OBJECT Device, NTSTATUS Status);
// Completes the IRP StartIo holds and starts the next packet.
VOID InspectLowerFinishStartIo(PDEVICE_OBJECT Device, NTSTATUS Status);
}
