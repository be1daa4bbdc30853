/* <ntifs.h> contents: the paging I/O the memory manager issues for a file (a page-in read and the
 * modified-page writer's synchronous write). Each sends one IRP_MJ_READ or IRP_MJ_WRITE with
 * IRP_PAGING_IO | IRP_NOCACHE | IRP_SYNCHRONOUS_PAGING_IO to the file's device, the data described
 * by the caller's locked MDL (never unlocked or freed by the I/O manager). Completion writes
 * *IoStatusBlock and sets Event whatever the status; the caller waits on Event when the call
 * returns STATUS_PENDING. FileObject must stay referenced by the caller until then.
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-iopageread
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-iosynchronouspagewrite
 * https://learn.microsoft.com/windows-hardware/drivers/ifs/irp-mj-read (paging I/O requests) */
#ifndef NTIO_DDK_IO_PAGING_H
#define NTIO_DDK_IO_PAGING_H

#include "io_types.h"

NTIO_BEGIN_DECLS

NTKERNELAPI NTSTATUS NTAPI IoPageRead(_In_ PFILE_OBJECT FileObject, _In_ PMDL MemoryDescriptorList,
                                      _In_ PLARGE_INTEGER StartingOffset, _In_ PKEVENT Event,
                                      _Out_ PIO_STATUS_BLOCK IoStatusBlock);
NTKERNELAPI NTSTATUS NTAPI IoSynchronousPageWrite(_In_ PFILE_OBJECT FileObject, _In_ PMDL MemoryDescriptorList,
                                                  _In_ PLARGE_INTEGER StartingOffset, _In_ PKEVENT Event,
                                                  _Out_ PIO_STATUS_BLOCK IoStatusBlock);

NTIO_END_DECLS

#endif
