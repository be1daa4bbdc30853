/* <ntifs.h> contents: the checks a kernel-mode server or file system applies before acting on a
 * caller's behalf (granted against desired or per-function access, information classes and their
 * lengths, quota lists), with their WDK signatures. */
#ifndef NTIO_DDK_IO_FILE_CHECKS_H
#define NTIO_DDK_IO_FILE_CHECKS_H

#include "io_types.h"

NTIO_BEGIN_DECLS

/* Maps the generic rights in *DesiredAccess (written back) and checks them against GrantedAccess:
 * STATUS_SUCCESS or STATUS_ACCESS_DENIED. Any IRQL. */
NTKERNELAPI NTSTATUS NTAPI IoCheckDesiredAccess(PACCESS_MASK DesiredAccess, ACCESS_MASK GrantedAccess);
/* Whether GrantedAccess (no generic rights) allows the function: Arg1 points to the
 * FILE_INFORMATION_CLASS of a query/set information, Arg2 to the FS_INFORMATION_CLASS of a
 * query/set volume information. Any IRQL. */
NTKERNELAPI NTSTATUS NTAPI IoCheckFunctionAccess(ACCESS_MASK GrantedAccess, UCHAR MajorFunction, UCHAR MinorFunction,
                                                 ULONG IoControlCode, PVOID Arg1, PVOID Arg2);
/* STATUS_INVALID_INFO_CLASS or STATUS_INFO_LENGTH_MISMATCH for what NtQuery/SetInformationFile and
 * NtQuery/SetVolumeInformationFile would refuse. Any IRQL. */
NTKERNELAPI NTSTATUS NTAPI IoCheckQuerySetFileInformation(FILE_INFORMATION_CLASS FileInformationClass, ULONG Length,
                                                          BOOLEAN SetOperation);
NTKERNELAPI NTSTATUS NTAPI IoCheckQuerySetVolumeInformation(FS_INFORMATION_CLASS FsInformationClass, ULONG Length,
                                                            BOOLEAN SetOperation);
/* A FILE_QUOTA_INFORMATION list in kernel memory: STATUS_DATATYPE_MISALIGNMENT or
 * STATUS_QUOTA_LIST_INCONSISTENT (*ErrorOffset the bad entry). IRQL < DISPATCH_LEVEL. */
NTKERNELAPI NTSTATUS NTAPI IoCheckQuotaBufferValidity(PFILE_QUOTA_INFORMATION QuotaBuffer, ULONG QuotaLength,
                                                      PULONG ErrorOffset);

NTIO_END_DECLS

#endif
