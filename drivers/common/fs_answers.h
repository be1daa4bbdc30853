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

#endif /* NTIO_FS_ANSWERS_H */
