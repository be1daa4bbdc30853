/* Answers file systems give the same way, shared by the in-box file systems (fastfat.sys, hostfs.sys):
 * each compiles fs_answers.c into its own image, as WDK samples share a source file. */
#ifndef NTIO_FS_ANSWERS_H
#define NTIO_FS_ANSWERS_H

#include <ntifs.h>

/* A volume information class's answer: the fixed part and as much of the variable part as fits;
 * STATUS_INFO_LENGTH_MISMATCH when the fixed part does not fit, STATUS_BUFFER_OVERFLOW when the
 * variable part did not ([MS-FSCC] 2.5: the structure is filled as far as possible). */
NTSTATUS DrvCopyOut(_Out_writes_bytes_(Length) PVOID Buffer, _In_ ULONG Length, _In_ const VOID *Fixed,
                    _In_ ULONG FixedLength, _In_opt_ const VOID *Tail, _In_ ULONG TailLength, _Out_ PULONG Used);

/* FILE_NAME_INFORMATION: as much of the name as fits in Length bytes; STATUS_BUFFER_OVERFLOW when it
 * does not. *Used is the bytes written. */
NTSTATUS DrvFillName(_In_ PCUNICODE_STRING Name, _Out_ PFILE_NAME_INFORMATION Info, _In_ ULONG Length,
                     _Out_ PULONG Used);

/* Where the name goes in a directory query class's entry (directory, full, both, names, id-both and
 * id-full), 0 for any other class. */
ULONG DrvDirectoryNameOffset(_In_ FILE_INFORMATION_CLASS Class);

/* *Mask becomes Source upcased (for a case-insensitive FsRtlIsNameInExpression) in pool of Tag; NULL
 * or empty Source means "*". The old buffer of *Mask, if any, is freed. */
NTSTATUS DrvSetSearchMask(_Inout_ PUNICODE_STRING Mask, _In_opt_ PCUNICODE_STRING Source, _In_ ULONG Tag);

/* IRP_MJ_CREATE of an existing file or directory: what its disposition and options allow, before
 * any other check. FILE_CREATE `STATUS_OBJECT_NAME_COLLISION`; FILE_NON_DIRECTORY_FILE on a directory
 * `STATUS_FILE_IS_A_DIRECTORY`, FILE_DIRECTORY_FILE on a file `STATUS_NOT_A_DIRECTORY`; a trailing
 * backslash on a file `STATUS_OBJECT_NAME_INVALID` (NT fact K8); overwriting or superseding a
 * directory `STATUS_OBJECT_NAME_COLLISION`; a read-only file opened for writing or overwriting
 * `STATUS_ACCESS_DENIED`, for delete on close `STATUS_CANNOT_DELETE`. WriteAccess: the open asks for
 * write access. https://learn.microsoft.com/windows-hardware/drivers/ifs/irp-mj-create */
NTSTATUS DrvCheckOpenExisting(_In_ BOOLEAN Directory, _In_ BOOLEAN ReadOnly, _In_ ULONG Disposition, _In_ ULONG Options,
                              _In_ BOOLEAN TrailingBackslash, _In_ BOOLEAN WriteAccess);

/* IRP_MJ_CREATE of a name that does not exist: FILE_OPEN and FILE_OVERWRITE
 * `STATUS_OBJECT_NAME_NOT_FOUND`; a trailing backslash without FILE_DIRECTORY_FILE
 * `STATUS_OBJECT_NAME_INVALID`; a new directory with another disposition than FILE_CREATE or
 * FILE_OPEN_IF `STATUS_INVALID_PARAMETER`. */
NTSTATUS DrvCheckCreateNew(_In_ ULONG Disposition, _In_ ULONG Options, _In_ BOOLEAN TrailingBackslash);

/* Whether the disposition replaces an existing file's data (overwrite or supersede). */
BOOLEAN DrvOverwrites(_In_ ULONG Disposition);

#endif /* NTIO_FS_ANSWERS_H */
