/* <ntifs.h> contents: change-directory notify lists, the FsRtl routines a file system calls for
 * IRP_MN_NOTIFY_CHANGE_DIRECTORY (queue the request) and after each change it makes (report it), with
 * their WDK names and signatures. The notify structures are opaque and owned by FsRtl; the file system
 * owns the list head (a LIST_ENTRY, usually in its volume control block) and the NOTIFY_SYNC.
 * IRQL: <= APC_LEVEL for every routine here (Microsoft Learn, "FsRtlNotify*"). */
#ifndef NTIO_DDK_FSRTL_NOTIFY_H
#define NTIO_DDK_FSRTL_NOTIFY_H

#include "io_types.h"
#include "se.h"

NTIO_BEGIN_DECLS

/* Opaque: FsRtlNotifyInitializeSync allocates it, FsRtlNotifyUninitializeSync frees it. */
typedef struct _REAL_NOTIFY_SYNC *PNOTIFY_SYNC;

/* Asked before a change below a watched tree's first level is reported to a watcher: may the watcher
 * traverse to the changed object? A failure status hides the change from that watcher. */
typedef NTSTATUS NTAPI CHECK_FOR_TRAVERSE_ACCESS(PVOID NotifyContext, PVOID TargetContext,
                                                 PSECURITY_SUBJECT_CONTEXT SubjectContext);
typedef CHECK_FOR_TRAVERSE_ACCESS *PCHECK_FOR_TRAVERSE_ACCESS;

/* FsRtlNotifyFilterChangeDirectory's per-watcher filter: FALSE hides the change from that watcher. */
typedef BOOLEAN NTAPI FILTER_REPORT_CHANGE(PVOID NotifyContext, PVOID FilterContext);
typedef FILTER_REPORT_CHANGE *PFILTER_REPORT_CHANGE;

NTKERNELAPI VOID NTAPI FsRtlNotifyInitializeSync(_Out_ PNOTIFY_SYNC *NotifySync);
NTKERNELAPI VOID NTAPI FsRtlNotifyUninitializeSync(_Inout_ PNOTIFY_SYNC *NotifySync);

/* Queues NotifyIrp (marked pending: the caller returns STATUS_PENDING whatever happened to it) on the
 * notify structure of FsContext, creating it on first use, or completes it at once with changes
 * already buffered. A NULL NotifyIrp says the directory (FsContext, or the stream whose FsContext it
 * is) is being deleted: its waiting requests complete with STATUS_DELETE_PENDING. FsRtl takes
 * ownership of SubjectContext (released and freed with the notify structure). */
NTKERNELAPI VOID NTAPI FsRtlNotifyFullChangeDirectory(_In_ PNOTIFY_SYNC NotifySync, _In_ PLIST_ENTRY NotifyList,
                                                      _In_ PVOID FsContext, _In_ PSTRING FullDirectoryName,
                                                      _In_ BOOLEAN WatchTree, _In_ BOOLEAN IgnoreBuffer,
                                                      _In_ ULONG CompletionFilter, _In_opt_ PIRP NotifyIrp,
                                                      _In_opt_ PCHECK_FOR_TRAVERSE_ACCESS TraverseCallback,
                                                      _In_opt_ PSECURITY_SUBJECT_CONTEXT SubjectContext);
NTKERNELAPI VOID NTAPI FsRtlNotifyFilterChangeDirectory(_In_ PNOTIFY_SYNC NotifySync, _In_ PLIST_ENTRY NotifyList,
                                                        _In_ PVOID FsContext, _In_ PSTRING FullDirectoryName,
                                                        _In_ BOOLEAN WatchTree, _In_ BOOLEAN IgnoreBuffer,
                                                        _In_ ULONG CompletionFilter, _In_opt_ PIRP NotifyIrp,
                                                        _In_opt_ PCHECK_FOR_TRAVERSE_ACCESS TraverseCallback,
                                                        _In_opt_ PSECURITY_SUBJECT_CONTEXT SubjectContext,
                                                        _In_opt_ PFILTER_REPORT_CHANGE FilterCallback);
/* The old form: no IgnoreBuffer, no traverse check. */
NTKERNELAPI VOID NTAPI FsRtlNotifyChangeDirectory(_In_ PNOTIFY_SYNC NotifySync, _In_ PVOID FsContext,
                                                  _In_ PSTRING FullDirectoryName, _In_ PLIST_ENTRY NotifyList,
                                                  _In_ BOOLEAN WatchTree, _In_ ULONG CompletionFilter,
                                                  _In_ PIRP NotifyIrp);

/* Reports one change: FullTargetName is the changed object's full path, TargetNameOffset the byte
 * offset of its last component. Every watcher whose directory is the parent (or, watching a tree, an
 * ancestor) and whose filter has a bit of FilterMatch gets a FILE_NOTIFY_INFORMATION record. */
NTKERNELAPI VOID NTAPI FsRtlNotifyFullReportChange(_In_ PNOTIFY_SYNC NotifySync, _In_ PLIST_ENTRY NotifyList,
                                                   _In_ PSTRING FullTargetName, _In_ USHORT TargetNameOffset,
                                                   _In_opt_ PSTRING StreamName, _In_opt_ PSTRING NormalizedParentName,
                                                   _In_ ULONG FilterMatch, _In_ ULONG Action,
                                                   _In_opt_ PVOID TargetContext);
NTKERNELAPI VOID NTAPI FsRtlNotifyFilterReportChange(_In_ PNOTIFY_SYNC NotifySync, _In_ PLIST_ENTRY NotifyList,
                                                     _In_ PSTRING FullTargetName, _In_ USHORT TargetNameOffset,
                                                     _In_opt_ PSTRING StreamName,
                                                     _In_opt_ PSTRING NormalizedParentName, _In_ ULONG FilterMatch,
                                                     _In_ ULONG Action, _In_opt_ PVOID TargetContext,
                                                     _In_opt_ PVOID FilterContext);
/* The old form: no stream name, no traverse context. */
NTKERNELAPI VOID NTAPI FsRtlNotifyReportChange(_In_ PNOTIFY_SYNC NotifySync, _In_ PLIST_ENTRY NotifyList,
                                               _In_ PSTRING FullTargetName, _In_ PUSHORT FileNamePartLength,
                                               _In_ ULONG FilterMatch);

/* At IRP_MJ_CLEANUP: FsContext's waiting requests complete with STATUS_NOTIFY_CLEANUP and its notify
 * structure is freed. FsRtlNotifyCleanupAll does that for every structure of the list (dismount). */
NTKERNELAPI VOID NTAPI FsRtlNotifyCleanup(_In_ PNOTIFY_SYNC NotifySync, _In_ PLIST_ENTRY NotifyList,
                                          _In_ PVOID FsContext);
NTKERNELAPI VOID NTAPI FsRtlNotifyCleanupAll(_In_ PNOTIFY_SYNC NotifySync, _In_ PLIST_ENTRY NotifyList);

NTIO_END_DECLS

#endif
