// The request side of change-directory notify lists: the NOTIFY_SYNC, FsRtlNotify*ChangeDirectory
// (queue an IRP_MN_NOTIFY_CHANGE_DIRECTORY request, or answer it from what was buffered) and the
// cleanup routines. Rules from Microsoft Learn, "FsRtlNotifyFullChangeDirectory" (remarks) and
// "FsRtlNotifyCleanup"; the buffering rules are MS-FSA 2.1.5.10 (changes kept for the next request up
// to its buffer size, STATUS_NOTIFY_ENUM_DIR when they were lost).
#include "fsrtl/notify_list.hpp"

using namespace ntio::fsrtl;

namespace {

// IoCancelIrp on a waiting request: unlinked under the list's lock (the sync outlives the request,
// which holds a reference on it) and completed with STATUS_CANCELLED. A list that unlinked it first
// cleared DriverContext[1] and left the completion to this routine.
VOID NTAPI cancel_notify(PDEVICE_OBJECT, PIRP Irp) {
    IoReleaseCancelSpinLock(Irp->CancelIrql);
    auto* sync = static_cast<NotifySync*>(Irp->Tail.Overlay.DriverContext[0]);
    NotifyCompletions completions(sync);
    std::lock_guard<std::recursive_mutex> guard(sync->lock);
    if (Irp->Tail.Overlay.DriverContext[1]) {
        RemoveEntryList(&Irp->Tail.Overlay.ListEntry);
        Irp->Tail.Overlay.DriverContext[1] = nullptr;
    }
    completions.add_waiter(Irp, STATUS_CANCELLED);
}

NotifyChange* find_change_locked(PLIST_ENTRY list, PVOID fs_context) noexcept {
    for (PLIST_ENTRY entry = list->Flink; entry != list; entry = entry->Flink) {
        NotifyChange* change = change_of(entry);
        if (change->fs_context == fs_context) return change;
    }
    return nullptr;
}

// Parks `irp` on `change` as cancellable; a request cancelled before the cancel routine was set is
// completed here. The request's sync reference goes with it.
void park_locked(NotifySync* sync, NotifyChange& change, PIRP irp, NotifyCompletions& completions) {
    irp->Tail.Overlay.DriverContext[0] = sync;
    irp->Tail.Overlay.DriverContext[1] = &change;
    sync->references.fetch_add(1, std::memory_order_relaxed);
    InsertTailList(&change.irps, &irp->Tail.Overlay.ListEntry);
    IoSetCancelRoutine(irp, cancel_notify);
    if (irp->Cancel && IoSetCancelRoutine(irp, nullptr) != nullptr) {
        RemoveEntryList(&irp->Tail.Overlay.ListEntry);
        irp->Tail.Overlay.DriverContext[1] = nullptr;
        completions.add_waiter(irp, STATUS_CANCELLED);
    }
}

// A NULL NotifyIrp: the directory FsContext names (the watcher's own context, or the FsContext of
// the watched stream) is being deleted. Its requests complete with STATUS_DELETE_PENDING, and so do
// later ones (NT deviation: Learn names only the waiting requests; a watcher of a deleted directory
// would otherwise wait for a change that cannot come).
void directory_deleted_locked(PLIST_ENTRY list, PVOID fs_context, NotifyCompletions& completions) {
    for (PLIST_ENTRY entry = list->Flink; entry != list; entry = entry->Flink) {
        NotifyChange* change = change_of(entry);
        if (change->fs_context != fs_context && change->stream != fs_context) continue;
        change->deleted = true;
        while (PIRP irp = take_waiter_locked(*change)) completions.add_waiter(irp, STATUS_DELETE_PENDING);
    }
}

void change_directory(PNOTIFY_SYNC sync, PLIST_ENTRY NotifyList, PVOID FsContext, PSTRING FullDirectoryName,
                      BOOLEAN WatchTree, BOOLEAN IgnoreBuffer, ULONG CompletionFilter, PIRP NotifyIrp,
                      PCHECK_FOR_TRAVERSE_ACCESS TraverseCallback, PSECURITY_SUBJECT_CONTEXT SubjectContext,
                      PFILTER_REPORT_CHANGE FilterCallback) {
    NotifyCompletions completions(sync);
    std::lock_guard<std::recursive_mutex> guard(sync->lock);
    if (!NotifyIrp) {
        directory_deleted_locked(NotifyList, FsContext, completions);
        return;
    }
    // The file system returns STATUS_PENDING whatever becomes of the request here.
    IoMarkIrpPending(NotifyIrp);
    PIO_STACK_LOCATION sp = IoGetCurrentIrpStackLocation(NotifyIrp);
    if (sp->FileObject && (sp->FileObject->Flags & FO_CLEANUP_COMPLETE)) {
        completions.add(NotifyIrp, STATUS_NOTIFY_CLEANUP);
        if (SubjectContext) {
            SeReleaseSubjectContext(SubjectContext);
            ExFreePool(SubjectContext);
        }
        return;
    }
    NotifyChange* change = find_change_locked(NotifyList, FsContext);
    if (!change) {
        change = new (std::nothrow) NotifyChange;
        if (!change) {
            completions.add(NotifyIrp, STATUS_INSUFFICIENT_RESOURCES);
            return;
        }
        change->fs_context = FsContext;
        change->stream = sp->FileObject ? sp->FileObject->FsContext : nullptr;
        // NT deviation: the name is copied; NT keeps the file system's pointer.
        change->directory = to_u16(FullDirectoryName, is_unicode_name(FullDirectoryName));
        change->watch_tree = WatchTree != FALSE;
        change->ignore_buffer = IgnoreBuffer != FALSE;
        change->filter = CompletionFilter;
        change->traverse = TraverseCallback;
        change->subject = SubjectContext;
        change->filter_callback = FilterCallback;
        InitializeListHead(&change->irps);
        InsertTailList(NotifyList, &change->links);
    } else if (SubjectContext) {
        // The structure keeps the first request's parameters; a later context is not needed.
        SeReleaseSubjectContext(SubjectContext);
        ExFreePool(SubjectContext);
    }
    change->buffer_length = sp->Parameters.NotifyDirectory.Length;
    if (change->deleted) {
        completions.add(NotifyIrp, STATUS_DELETE_PENDING);
    } else if (change->overflow || !change->buffer.empty()) {
        completions.add(NotifyIrp, fill_request_locked(*change, NotifyIrp));
    } else {
        park_locked(sync, *change, NotifyIrp, completions);
    }
}

}  // namespace

extern "C" {

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-fsrtlnotifyinitializesync
VOID NTAPI FsRtlNotifyInitializeSync(PNOTIFY_SYNC* NotifySync) {
    *NotifySync = new _REAL_NOTIFY_SYNC();
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-fsrtlnotifyuninitializesync
// The sync goes when the last request that still refers to it has been completed.
VOID NTAPI FsRtlNotifyUninitializeSync(PNOTIFY_SYNC* NotifySync) {
    if (!NotifySync || !*NotifySync) return;
    release_sync(*NotifySync);
    *NotifySync = nullptr;
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-_fsrtl_advanced_fcb_header-fsrtlnotifyfullchangedirectory
VOID NTAPI FsRtlNotifyFullChangeDirectory(PNOTIFY_SYNC NotifySync, PLIST_ENTRY NotifyList, PVOID FsContext,
                                          PSTRING FullDirectoryName, BOOLEAN WatchTree, BOOLEAN IgnoreBuffer,
                                          ULONG CompletionFilter, PIRP NotifyIrp,
                                          PCHECK_FOR_TRAVERSE_ACCESS TraverseCallback,
                                          PSECURITY_SUBJECT_CONTEXT SubjectContext) {
    change_directory(NotifySync, NotifyList, FsContext, FullDirectoryName, WatchTree, IgnoreBuffer, CompletionFilter,
                     NotifyIrp, TraverseCallback, SubjectContext, nullptr);
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-_fsrtl_advanced_fcb_header-fsrtlnotifyfilterchangedirectory
VOID NTAPI FsRtlNotifyFilterChangeDirectory(PNOTIFY_SYNC NotifySync, PLIST_ENTRY NotifyList, PVOID FsContext,
                                            PSTRING FullDirectoryName, BOOLEAN WatchTree, BOOLEAN IgnoreBuffer,
                                            ULONG CompletionFilter, PIRP NotifyIrp,
                                            PCHECK_FOR_TRAVERSE_ACCESS TraverseCallback,
                                            PSECURITY_SUBJECT_CONTEXT SubjectContext,
                                            PFILTER_REPORT_CHANGE FilterCallback) {
    change_directory(NotifySync, NotifyList, FsContext, FullDirectoryName, WatchTree, IgnoreBuffer, CompletionFilter,
                     NotifyIrp, TraverseCallback, SubjectContext, FilterCallback);
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-fsrtlnotifychangedirectory
VOID NTAPI FsRtlNotifyChangeDirectory(PNOTIFY_SYNC NotifySync, PVOID FsContext, PSTRING FullDirectoryName,
                                      PLIST_ENTRY NotifyList, BOOLEAN WatchTree, ULONG CompletionFilter,
                                      PIRP NotifyIrp) {
    change_directory(NotifySync, NotifyList, FsContext, FullDirectoryName, WatchTree, FALSE, CompletionFilter,
                     NotifyIrp, nullptr, nullptr, nullptr);
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-_fsrtl_advanced_fcb_header-fsrtlnotifycleanup
VOID NTAPI FsRtlNotifyCleanup(PNOTIFY_SYNC NotifySync, PLIST_ENTRY NotifyList, PVOID FsContext) {
    NotifyCompletions completions(NotifySync);
    std::lock_guard<std::recursive_mutex> guard(NotifySync->lock);
    if (NotifyChange* change = find_change_locked(NotifyList, FsContext))
        destroy_change_locked(change, STATUS_NOTIFY_CLEANUP, completions);
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-fsrtlnotifycleanupall
VOID NTAPI FsRtlNotifyCleanupAll(PNOTIFY_SYNC NotifySync, PLIST_ENTRY NotifyList) {
    NotifyCompletions completions(NotifySync);
    std::lock_guard<std::recursive_mutex> guard(NotifySync->lock);
    while (!IsListEmpty(NotifyList)) destroy_change_locked(change_of(NotifyList->Flink), STATUS_NOTIFY_CLEANUP, completions);
}

}  // extern "C"
