// The report side of change-directory notify lists: FsRtlNotify*ReportChange decides which watchers a
// change concerns (MS-FSA 2.1.4.1: the watched directory is the changed object's parent, or an
// ancestor for a watcher of the whole tree, and the change's FilterMatch meets the watcher's
// CompletionFilter), then completes the watcher's first waiting request with the record, or buffers
// the record for its next request.
#include "fsrtl/notify_list.hpp"

#include <algorithm>

using namespace ntio::fsrtl;

namespace {

struct Report {
    std::u16string target;  // the changed object's full name
    std::size_t parent_length = 0;  // the parent's name is target[0, parent_length)
    std::size_t name_offset = 0;    // the last component starts here
    std::u16string stream;
    std::u16string normalized_parent;
    bool has_normalized_parent = false;
    ULONG filter_match = 0;
    ULONG action = 0;
    PVOID target_context = nullptr;
    PVOID filter_context = nullptr;
};

bool is_root(const std::u16string& directory) noexcept { return directory.size() == 1 && directory[0] == u'\\'; }

// Where the watched directory sits relative to the changed object's parent: 0 not at all, 1 it is
// the parent, 2 an ancestor (only for a watcher of the tree).
int relation(const NotifyChange& change, const std::u16string& parent) noexcept {
    const std::u16string& directory = change.directory;
    if (parent.size() == directory.size() && equal_names(parent, 0, directory, directory.size())) return 1;
    if (!change.watch_tree || directory.empty()) return 0;
    if (is_root(directory)) return parent.size() > 1 && parent[0] == u'\\' ? 2 : 0;
    if (parent.size() > directory.size() && parent[directory.size()] == u'\\' &&
        equal_names(parent, 0, directory, directory.size()))
        return 2;
    return 0;
}

// The record's name: the path below the watched directory, then ":stream" for a stream change.
std::u16string record_name(const NotifyChange& change, const std::u16string& parent, const Report& report) {
    const std::size_t skip = is_root(change.directory) ? 1 : change.directory.size() + 1;
    std::u16string name;
    if (parent.size() > skip) {
        name.assign(parent, skip, std::u16string::npos);
        name.push_back(u'\\');
    }
    name.append(report.target, report.name_offset, std::u16string::npos);
    if (!report.stream.empty()) {
        name.push_back(u':');
        name.append(report.stream);
    }
    return name;
}

void report_change(NotifySync* sync, PLIST_ENTRY list, const Report& report) {
    const std::u16string parent = report.has_normalized_parent ? report.normalized_parent
                                                               : report.target.substr(0, report.parent_length);
    NotifyCompletions completions(sync);
    std::lock_guard<std::recursive_mutex> guard(sync->lock);
    for (PLIST_ENTRY entry = list->Flink; entry != list; entry = entry->Flink) {
        NotifyChange& change = *change_of(entry);
        if (change.deleted || !(change.filter & report.filter_match)) continue;
        const int where = relation(change, parent);
        if (where == 0) continue;
        // A change deeper than the first level asks whether this watcher may traverse to it.
        if (where == 2 && change.traverse &&
            !NT_SUCCESS(change.traverse(change.fs_context, report.target_context, change.subject)))
            continue;
        if (change.filter_callback && !change.filter_callback(change.fs_context, report.filter_context)) continue;
        buffer_record_locked(change, report.action, record_name(change, parent, report));
        if (PIRP irp = take_waiter_locked(change)) completions.add_waiter(irp, fill_request_locked(change, irp));
    }
}

Report make_report(PSTRING FullTargetName, USHORT TargetNameOffset, PSTRING StreamName, PSTRING NormalizedParentName,
                   ULONG FilterMatch, ULONG Action) {
    const bool unicode = is_unicode_name(FullTargetName);
    Report report;
    report.target = to_u16(FullTargetName, unicode);
    const std::size_t width = unicode ? sizeof(char16_t) : 1;
    report.name_offset = std::min<std::size_t>(TargetNameOffset / width, report.target.size());
    // The parent is what comes before the last component, without the separator ("\" for the root).
    report.parent_length = report.name_offset;
    if (report.parent_length > 1 && report.target[report.parent_length - 1] == u'\\') --report.parent_length;
    if (StreamName && StreamName->Length) report.stream = to_u16(StreamName, unicode);
    if (NormalizedParentName && NormalizedParentName->Length) {
        report.normalized_parent = to_u16(NormalizedParentName, is_unicode_name(NormalizedParentName));
        report.has_normalized_parent = true;
    }
    report.filter_match = FilterMatch;
    report.action = Action;
    return report;
}

}  // namespace

extern "C" {

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-_fsrtl_advanced_fcb_header-fsrtlnotifyfullreportchange
VOID NTAPI FsRtlNotifyFullReportChange(PNOTIFY_SYNC NotifySync, PLIST_ENTRY NotifyList, PSTRING FullTargetName,
                                       USHORT TargetNameOffset, PSTRING StreamName, PSTRING NormalizedParentName,
                                       ULONG FilterMatch, ULONG Action, PVOID TargetContext) {
    Report report = make_report(FullTargetName, TargetNameOffset, StreamName, NormalizedParentName, FilterMatch, Action);
    report.target_context = TargetContext;
    report_change(NotifySync, NotifyList, report);
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-_fsrtl_advanced_fcb_header-fsrtlnotifyfilterreportchange
VOID NTAPI FsRtlNotifyFilterReportChange(PNOTIFY_SYNC NotifySync, PLIST_ENTRY NotifyList, PSTRING FullTargetName,
                                         USHORT TargetNameOffset, PSTRING StreamName, PSTRING NormalizedParentName,
                                         ULONG FilterMatch, ULONG Action, PVOID TargetContext, PVOID FilterContext) {
    Report report = make_report(FullTargetName, TargetNameOffset, StreamName, NormalizedParentName, FilterMatch, Action);
    report.target_context = TargetContext;
    report.filter_context = FilterContext;
    report_change(NotifySync, NotifyList, report);
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-fsrtlnotifyreportchange
// The old form: *FileNamePartLength is the length in bytes of the last component, which ends the
// name; every record is FILE_ACTION_MODIFIED (the form carries no action).
VOID NTAPI FsRtlNotifyReportChange(PNOTIFY_SYNC NotifySync, PLIST_ENTRY NotifyList, PSTRING FullTargetName,
                                   PUSHORT FileNamePartLength, ULONG FilterMatch) {
    const USHORT part = FileNamePartLength ? *FileNamePartLength : 0;
    const USHORT offset = FullTargetName->Length > part ? static_cast<USHORT>(FullTargetName->Length - part) : 0;
    report_change(NotifySync, NotifyList,
                  make_report(FullTargetName, offset, nullptr, nullptr, FilterMatch, FILE_ACTION_MODIFIED));
}

}  // extern "C"
