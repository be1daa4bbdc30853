/* <ntddk.h> contents: what a driver reads and marks on a file object beyond its fields (remote
 * origin, ignore-sharing), the ECP list of a create IRP, the transaction of an open, the paging
 * priority of an IRP and the obsolete attach by pointer, with their WDK signatures. */
#ifndef NTIO_DDK_IO_FILE_OBJECT_H
#define NTIO_DDK_IO_FILE_OBJECT_H

#include "io_types.h"

NTIO_BEGIN_DECLS

/* FO_REMOTE_ORIGIN: whether the file object was created for a remote create request. Any IRQL.
 * IoSetFileOrigin answers STATUS_INVALID_PARAMETER_MIX when the flag already says so. */
NTKERNELAPI BOOLEAN NTAPI IoIsFileOriginRemote(PFILE_OBJECT FileObject);
NTKERNELAPI NTSTATUS NTAPI IoSetFileOrigin(PFILE_OBJECT FileObject, BOOLEAN Remote);

/* The share access routines leave a marked file object out. Any IRQL. */
NTKERNELAPI NTSTATUS NTAPI IoSetFileObjectIgnoreSharing(PFILE_OBJECT FileObject);
NTKERNELAPI BOOLEAN NTAPI IoIsFileObjectIgnoringSharing(PFILE_OBJECT FileObject);

/* The ECP list of an IRP-based IRP_MJ_CREATE (the caller keeps owning the list). <= APC_LEVEL. */
NTKERNELAPI NTSTATUS NTAPI IoSetIrpExtraCreateParameter(PIRP Irp, struct _ECP_LIST *ExtraCreateParameter);
NTKERNELAPI VOID NTAPI IoClearIrpExtraCreateParameter(PIRP Irp);
NTKERNELAPI NTSTATUS NTAPI IoGetIrpExtraCreateParameter(PIRP Irp, struct _ECP_LIST **ExtraCreateParameter);

/* The paging priority of an IRP: IoPagingPriorityInvalid unless IRP_PAGING_IO. Any IRQL. */
NTKERNELAPI IO_PAGING_PRIORITY NTAPI IoGetPagingIoPriority(PIRP Irp);

/* The obsolete IoAttachDeviceToDeviceStack: STATUS_SUCCESS or STATUS_NO_SUCH_DEVICE. */
NTKERNELAPI NTSTATUS NTAPI IoAttachDeviceByPointer(PDEVICE_OBJECT SourceDevice, PDEVICE_OBJECT TargetDevice);

/* The transaction the file was opened in: always NULL here (no transactions). */
NTKERNELAPI PTXN_PARAMETER_BLOCK NTAPI IoGetTransactionParameterBlock(PFILE_OBJECT FileObject);

NTIO_END_DECLS

#endif
