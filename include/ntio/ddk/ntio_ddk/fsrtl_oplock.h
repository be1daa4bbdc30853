/* <ntifs.h> contents: the FsRtl opportunistic lock package. A file system keeps one OPLOCK per stream
 * (an opaque pointer FsRtl allocates), hands it the oplock FSCTLs and checks it from every dispatch
 * routine whose operation can break an oplock. WDK names and signatures:
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-fsrtlinitializeoplock
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-fsrtloplockfsctrlex
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-fsrtlcheckoplockex
 * IRQL <= APC_LEVEL for every routine. */
#ifndef NTIO_DDK_FSRTL_OPLOCK_H
#define NTIO_DDK_FSRTL_OPLOCK_H

#include "io_types.h"
#include "oplock_fsctl.h"

NTIO_BEGIN_DECLS

#ifndef NTIO_DDK_OPLOCK_DEFINED
#define NTIO_DDK_OPLOCK_DEFINED
typedef PVOID OPLOCK, *POPLOCK;
#endif

/* IoStatus.Information of a completed legacy oplock request (the break notification). */
#define FILE_OPLOCK_BROKEN_TO_LEVEL_2 0x00000007
#define FILE_OPLOCK_BROKEN_TO_NONE 0x00000008
#define FILE_OPBATCH_BREAK_UNDERWAY 0x00000009

/* FsRtlCheckOplockEx / FsRtlOplockBreakToNoneEx / FsRtlOplockBreakH flags. */
#define OPLOCK_FLAG_COMPLETE_IF_OPLOCKED 0x00000001
#define OPLOCK_FLAG_OPLOCK_KEY_CHECK_ONLY 0x00000002
#define OPLOCK_FLAG_BACK_OUT_ATOMIC_OPLOCK 0x00000004
#define OPLOCK_FLAG_IGNORE_OPLOCK_KEYS 0x00000008
#define OPLOCK_FLAG_PARENT_OBJECT 0x00000010
#define OPLOCK_FLAG_CLOSING_DELETE_ON_CLOSE 0x00000020
#define OPLOCK_FLAG_REMOVING_FILE_OR_LINK 0x00000040
#define OPLOCK_FLAG_BREAKING_FOR_SHARING_VIOLATION 0x00000080

/* FsRtlOplockFsctrlEx flags. */
#define OPLOCK_FSCTRL_FLAG_ALL_KEYS_MATCH 0x00000001

/* FsRtlCheckUpperOplock flags. */
#define OPLOCK_UPPER_FLAG_CHECK_NO_BREAK 0x00010000
#define OPLOCK_UPPER_FLAG_NOTIFY_REFRESH_READ 0x00020000

/* FsRtlCheckOplockEx2's notifications of a blocked wait (Windows 10, version 2004).
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/ns-ntifs-_oplock_notify_params */
typedef enum _OPLOCK_NOTIFY_REASON {
    OPLOCK_NOTIFY_BREAK_WAIT_INTERIM_TIMEOUT,
    OPLOCK_NOTIFY_BREAK_WAIT_TERMINATED
} OPLOCK_NOTIFY_REASON;
typedef struct _OPLOCK_NOTIFY_PARAMS {
    OPLOCK_NOTIFY_REASON NotifyReason;
    PVOID NotifyContext;
    PIRP Irp;
    NTSTATUS Status;
} OPLOCK_NOTIFY_PARAMS, *POPLOCK_NOTIFY_PARAMS;
typedef NTSTATUS NTAPI OPLOCK_NOTIFY_ROUTINE(_In_ POPLOCK_NOTIFY_PARAMS NotifyParams);
typedef OPLOCK_NOTIFY_ROUTINE *POPLOCK_NOTIFY_ROUTINE;

typedef VOID NTAPI OPLOCK_WAIT_COMPLETE_ROUTINE(_In_ PVOID Context, _In_ PIRP Irp);
typedef OPLOCK_WAIT_COMPLETE_ROUTINE *POPLOCK_WAIT_COMPLETE_ROUTINE;
typedef VOID NTAPI OPLOCK_FS_PREPOST_IRP(_In_ PVOID Context, _In_ PIRP Irp);
typedef OPLOCK_FS_PREPOST_IRP *POPLOCK_FS_PREPOST_IRP;

NTKERNELAPI VOID NTAPI FsRtlInitializeOplock(_Inout_ POPLOCK Oplock);
NTKERNELAPI VOID NTAPI FsRtlUninitializeOplock(_Inout_ POPLOCK Oplock);
NTKERNELAPI NTSTATUS NTAPI FsRtlOplockFsctrl(_In_ POPLOCK Oplock, _In_ PIRP Irp, _In_ ULONG OpenCount);
NTKERNELAPI NTSTATUS NTAPI FsRtlOplockFsctrlEx(_In_ POPLOCK Oplock, _In_ PIRP Irp, _In_ ULONG OpenCount,
                                               _In_ ULONG Flags);
NTKERNELAPI NTSTATUS NTAPI FsRtlCheckOplock(_In_ POPLOCK Oplock, _In_ PIRP Irp, _In_opt_ PVOID Context,
                                            _In_opt_ POPLOCK_WAIT_COMPLETE_ROUTINE CompletionRoutine,
                                            _In_opt_ POPLOCK_FS_PREPOST_IRP PostIrpRoutine);
NTKERNELAPI NTSTATUS NTAPI FsRtlCheckOplockEx(_In_ POPLOCK Oplock, _In_ PIRP Irp, _In_ ULONG Flags,
                                              _In_opt_ PVOID Context,
                                              _In_opt_ POPLOCK_WAIT_COMPLETE_ROUTINE CompletionRoutine,
                                              _In_opt_ POPLOCK_FS_PREPOST_IRP PostIrpRoutine);
/* https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-_fsrtl_advanced_fcb_header-fsrtlcheckoplockex2 */
NTKERNELAPI NTSTATUS NTAPI FsRtlCheckOplockEx2(_In_ POPLOCK Oplock, _In_ PIRP Irp, _In_ ULONG Flags, _In_ ULONG FlagsEx2,
                                               _In_opt_ PVOID CompletionRoutineContext,
                                               _In_opt_ POPLOCK_WAIT_COMPLETE_ROUTINE CompletionRoutine,
                                               _In_opt_ POPLOCK_FS_PREPOST_IRP PostIrpRoutine, _In_ ULONGLONG Timeout,
                                               _In_opt_ PVOID NotifyContext,
                                               _In_opt_ POPLOCK_NOTIFY_ROUTINE NotifyRoutine);
/* https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-fstrloplockgetanybreakownerprocess
 * A referenced process (the caller dereferences it) or NULL. */
NTKERNELAPI PEPROCESS NTAPI FsRtlOplockGetAnyBreakOwnerProcess(_In_ POPLOCK Oplock);
NTKERNELAPI BOOLEAN NTAPI FsRtlOplockIsFastIoPossible(_In_ POPLOCK Oplock);
NTKERNELAPI BOOLEAN NTAPI FsRtlCurrentBatchOplock(_In_ POPLOCK Oplock);
NTKERNELAPI BOOLEAN NTAPI FsRtlCurrentOplock(_In_ POPLOCK Oplock);
NTKERNELAPI BOOLEAN NTAPI FsRtlCurrentOplockH(_In_ POPLOCK Oplock);
NTKERNELAPI NTSTATUS NTAPI FsRtlOplockBreakToNone(_Inout_ POPLOCK Oplock, _In_opt_ PIO_STACK_LOCATION IrpSp,
                                                  _In_ PIRP Irp, _In_opt_ PVOID Context,
                                                  _In_opt_ POPLOCK_WAIT_COMPLETE_ROUTINE CompletionRoutine,
                                                  _In_opt_ POPLOCK_FS_PREPOST_IRP PostIrpRoutine);
NTKERNELAPI NTSTATUS NTAPI FsRtlOplockBreakToNoneEx(_Inout_ POPLOCK Oplock, _In_ PIRP Irp, _In_ ULONG Flags,
                                                    _In_opt_ PVOID Context,
                                                    _In_opt_ POPLOCK_WAIT_COMPLETE_ROUTINE CompletionRoutine,
                                                    _In_opt_ POPLOCK_FS_PREPOST_IRP PostIrpRoutine);
NTKERNELAPI NTSTATUS NTAPI FsRtlOplockBreakH(_In_ POPLOCK Oplock, _In_ PIRP Irp, _In_ ULONG Flags,
                                             _In_opt_ PVOID Context,
                                             _In_opt_ POPLOCK_WAIT_COMPLETE_ROUTINE CompletionRoutine,
                                             _In_opt_ POPLOCK_FS_PREPOST_IRP PostIrpRoutine);
NTKERNELAPI BOOLEAN NTAPI FsRtlOplockIsSharedRequest(_In_ PIRP Irp);
/* Layered file systems (Windows 8):
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-_fsrtl_advanced_fcb_header-fsrtlcheckupperoplock
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-_fsrtl_advanced_fcb_header-fsrtlupperoplockfsctrl */
NTKERNELAPI NTSTATUS NTAPI FsRtlCheckUpperOplock(_In_ POPLOCK Oplock, _In_ ULONG NewLowerOplockState,
                                                 _In_opt_ PVOID CompletionRoutineContext,
                                                 _In_opt_ POPLOCK_WAIT_COMPLETE_ROUTINE CompletionRoutine,
                                                 _In_opt_ POPLOCK_FS_PREPOST_IRP PrePendRoutine, _In_ ULONG Flags);
NTKERNELAPI NTSTATUS NTAPI FsRtlUpperOplockFsctrl(_In_ POPLOCK Oplock, _In_ PIRP Irp, _In_ ULONG OpenCount,
                                                  _In_ ULONG LowerOplockState, _In_ ULONG Flags);
NTKERNELAPI BOOLEAN NTAPI FsRtlOplockKeysEqual(_In_opt_ PFILE_OBJECT Fo1, _In_opt_ PFILE_OBJECT Fo2);

NTIO_END_DECLS

#endif
