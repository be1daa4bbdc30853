/* IoQueryFullDriverPath of <ntddk.h>. */
#ifndef NTIO_DDK_IO_DRIVER_PATH_H
#define NTIO_DDK_IO_DRIVER_PATH_H

#include "io_types.h"

NTIO_BEGIN_DECLS

/* The path of the image loaded for DriverObject (its service's ImagePath) in a buffer from paged pool
 * that the caller frees (ExFreePool); FullPath need not be initialized. STATUS_NOT_FOUND for a
 * driver with no image of its own. IRQL <= APC_LEVEL. */
NTKERNELAPI NTSTATUS NTAPI IoQueryFullDriverPath(PDRIVER_OBJECT DriverObject, PUNICODE_STRING FullPath);

NTIO_END_DECLS

#endif /* NTIO_DDK_IO_DRIVER_PATH_H */
