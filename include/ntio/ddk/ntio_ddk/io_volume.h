/* <ntddk.h> contents: the MS-DOS name of a volume and hard errors. ntio has no mount manager: a
 * volume's drive letter is a "X:" symbolic link in \?? (or \GLOBAL??) that resolves to the
 * volume's device object. ntio has no hard-error port either: a hard error is written to the
 * debug output (see docs/nt-deviations.md, "io: I/O manager"). */
#ifndef NTIO_DDK_IO_VOLUME_H
#define NTIO_DDK_IO_VOLUME_H

#include "io_types.h"

NTIO_BEGIN_DECLS

/* The drive letter ("X:") of a storage volume device, in a NUL-terminated buffer from paged pool
 * the caller frees with ExFreePool. No drive letter, or not a device: STATUS_INVALID_PARAMETER.
 * PASSIVE_LEVEL. RtlVolumeDeviceToDosName is the older name of the same routine. */
NTKERNELAPI NTSTATUS NTAPI IoVolumeDeviceToDosName(_In_ PVOID VolumeDeviceObject, _Out_ PUNICODE_STRING DosName);
NTSYSAPI NTSTATUS NTAPI RtlVolumeDeviceToDosName(_In_ PVOID VolumeDeviceObject, _Out_ PUNICODE_STRING DosName);

/* A file system tells the user a device I/O error failed Irp (<= APC_LEVEL): the IRP is completed
 * with the status it carries, no data copied to the caller. */
NTKERNELAPI VOID NTAPI IoRaiseHardError(_In_ PIRP Irp, _In_opt_ PVPB Vpb, _In_ PDEVICE_OBJECT RealDeviceObject);
/* An informational pop-up for ErrorStatus (with String) on Thread's behalf (<= APC_LEVEL): TRUE when
 * reported, FALSE when hard errors are disabled for the thread. */
NTKERNELAPI BOOLEAN NTAPI IoRaiseInformationalHardError(_In_ NTSTATUS ErrorStatus, _In_opt_ PUNICODE_STRING String,
                                                        _In_opt_ PKTHREAD Thread);
/* Enables or disables hard errors for the current thread; returns whether they were enabled.
 * <= DISPATCH_LEVEL. */
NTKERNELAPI BOOLEAN NTAPI IoSetThreadHardErrorMode(_In_ BOOLEAN EnableHardErrors);
/* The device to verify, or the device of a hard error, of the thread that issued Irp. */
NTKERNELAPI VOID NTAPI IoSetHardErrorOrVerifyDevice(_In_ PIRP Irp, _In_ PDEVICE_OBJECT DeviceObject);

NTIO_END_DECLS

#endif
