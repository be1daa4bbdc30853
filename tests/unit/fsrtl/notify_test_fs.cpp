// The notify tests' file system (notify_test_fs.hpp): a tree of nodes under one lock, a file object
// per open (FsContext the node, FsContext2 the handle's CCB, the notify context), one notify list for
// the volume. Written as a file system writer would against <ntifs.h>: report each change after
// making it, queue notify requests on FsRtl and return STATUS_PENDING, clean the handle's notify
// structure up at IRP_MJ_CLEANUP, tell FsRtl when a watched directory is deleted.
#include "notify_test_fs.hpp"

#include <algorithm>
#include <cstring>
#include <mutex>
#include <string>
#include <vector>

namespace ntio::fsrtl::test {
namespace notifyfs {

constexpr ULONG kSubjectTag = 'jbSN';

struct Node {
    std::u16string name;  // the last component; empty for the root
    Node* parent = nullptr;
    bool directory = false;
    std::vector<Node*> children;
    ULONG attributes = FILE_ATTRIBUTE_NORMAL;
    ULONGLONG size = 0;
    int opens = 0;
    bool delete_pending = false;
};

struct Ccb {
    Node* node = nullptr;
    bool delete_on_close = false;
    bool marked_delete = false;  // this handle asked for the delete: its cleanup tells FsRtl
};

std::mutex g_tree_lock;
Node* g_root = nullptr;
PNOTIFY_SYNC g_notify_sync = nullptr;
LIST_ENTRY g_notify_list;
int g_deny_marker;  // TargetContext of a change the traverse check refuses

NTSTATUS complete(PIRP irp, NTSTATUS status, ULONG_PTR information = 0) {
    irp->IoStatus.Status = status;
    irp->IoStatus.Information = information;
    IoCompleteRequest(irp, IO_NO_INCREMENT);
    return status;
}

bool same_name(const std::u16string& a, const std::u16string& b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (RtlUpcaseUnicodeChar(static_cast<WCHAR>(a[i])) != RtlUpcaseUnicodeChar(static_cast<WCHAR>(b[i]))) return false;
    return true;
}

Node* child_named(Node* directory, const std::u16string& name) {
    for (Node* child : directory->children)
        if (same_name(child->name, name)) return child;
    return nullptr;
}

std::u16string full_name(const Node* node) {
    if (!node->parent) return u"\\";
    std::u16string parent = full_name(node->parent);
    if (parent.size() > 1) parent.push_back(u'\\');
    return parent + node->name;
}

STRING as_string(const std::u16string& text) {
    STRING s;
    s.Buffer = reinterpret_cast<PCHAR>(const_cast<char16_t*>(text.data()));
    s.Length = s.MaximumLength = static_cast<USHORT>(text.size() * sizeof(char16_t));
    return s;
}

void report(const std::u16string& full, std::size_t name_length, ULONG filter, ULONG action) {
    STRING target = as_string(full);
    const auto offset = static_cast<USHORT>((full.size() - name_length) * sizeof(char16_t));
    FsRtlNotifyFullReportChange(g_notify_sync, &g_notify_list, &target, offset, nullptr, nullptr, filter, action, nullptr);
}

ULONG name_filter(const Node* node) { return node->directory ? FILE_NOTIFY_CHANGE_DIR_NAME : FILE_NOTIFY_CHANGE_FILE_NAME; }

void free_tree(Node* node) {
    for (Node* child : node->children) free_tree(child);
    delete node;
}

// Splits "\a\b\c" into its components; an empty list is the root.
std::vector<std::u16string> components(const std::u16string& path) {
    std::vector<std::u16string> parts;
    std::size_t start = 0;
    while (start < path.size()) {
        std::size_t end = path.find(u'\\', start);
        if (end == std::u16string::npos) end = path.size();
        if (end > start) parts.emplace_back(path, start, end - start);
        start = end + 1;
    }
    return parts;
}

NTSTATUS create(PIRP irp, PIO_STACK_LOCATION sp) {
    PFILE_OBJECT file = sp->FileObject;
    if (file->RelatedFileObject) return complete(irp, STATUS_INVALID_PARAMETER);
    const ULONG disposition = sp->Parameters.Create.Options >> 24;
    const ULONG options = sp->Parameters.Create.Options & FILE_VALID_OPTION_FLAGS;
    const std::u16string path(reinterpret_cast<const char16_t*>(file->FileName.Buffer), file->FileName.Length / 2);
    const std::vector<std::u16string> parts = components(path);

    std::lock_guard<std::mutex> guard(g_tree_lock);
    Node* directory = g_root;
    for (std::size_t i = 0; i + 1 < parts.size(); ++i) {
        directory = child_named(directory, parts[i]);
        if (!directory || !directory->directory) return complete(irp, STATUS_OBJECT_PATH_NOT_FOUND);
    }
    Node* node = parts.empty() ? g_root : child_named(directory, parts.back());
    ULONG_PTR information = FILE_OPENED;
    if (!node) {
        if (disposition != FILE_CREATE && disposition != FILE_OPEN_IF) return complete(irp, STATUS_OBJECT_NAME_NOT_FOUND);
        node = new Node;
        node->name = parts.back();
        node->parent = directory;
        node->directory = (options & FILE_DIRECTORY_FILE) != 0;
        directory->children.push_back(node);
        information = FILE_CREATED;
        report(full_name(node), node->name.size(), name_filter(node), FILE_ACTION_ADDED);
    } else {
        if (disposition == FILE_CREATE) return complete(irp, STATUS_OBJECT_NAME_COLLISION);
        if (node->delete_pending) return complete(irp, STATUS_DELETE_PENDING);
        if ((options & FILE_DIRECTORY_FILE) && !node->directory) return complete(irp, STATUS_NOT_A_DIRECTORY);
        if ((options & FILE_NON_DIRECTORY_FILE) && node->directory) return complete(irp, STATUS_FILE_IS_A_DIRECTORY);
    }
    ++node->opens;
    file->FsContext = node;
    file->FsContext2 = new Ccb{node, (options & FILE_DELETE_ON_CLOSE) != 0, false};
    return complete(irp, STATUS_SUCCESS, information);
}

NTSTATUS cleanup(PIRP irp, PIO_STACK_LOCATION sp) {
    PFILE_OBJECT file = sp->FileObject;
    auto* ccb = static_cast<Ccb*>(file->FsContext2);
    FsRtlNotifyCleanup(g_notify_sync, &g_notify_list, ccb);
    std::lock_guard<std::mutex> guard(g_tree_lock);
    Node* node = ccb->node;
    if (ccb->delete_on_close && node->parent && (!node->directory || node->children.empty())) {
        node->delete_pending = true;
        ccb->marked_delete = true;
    }
    // The directory is going: its watchers' requests end (STATUS_DELETE_PENDING).
    if (ccb->marked_delete && node->directory)
        FsRtlNotifyFullChangeDirectory(g_notify_sync, &g_notify_list, node, nullptr, FALSE, FALSE, 0, nullptr, nullptr,
                                       nullptr);
    if (--node->opens == 0 && node->delete_pending) {
        const std::u16string name = full_name(node);
        auto& siblings = node->parent->children;
        siblings.erase(std::find(siblings.begin(), siblings.end(), node));
        report(name, node->name.size(), name_filter(node), FILE_ACTION_REMOVED);
        ccb->node = nullptr;
        delete node;
    }
    file->Flags |= FO_CLEANUP_COMPLETE;
    return complete(irp, STATUS_SUCCESS);
}

NTSTATUS set_information(PIRP irp, PIO_STACK_LOCATION sp) {
    auto* ccb = static_cast<Ccb*>(sp->FileObject->FsContext2);
    Node* node = ccb->node;
    PVOID buffer = irp->AssociatedIrp.SystemBuffer;
    std::lock_guard<std::mutex> guard(g_tree_lock);
    switch (sp->Parameters.SetFile.FileInformationClass) {
    case FileDispositionInformation: {
        const bool remove = static_cast<PFILE_DISPOSITION_INFORMATION>(buffer)->DeleteFile != FALSE;
        if (remove && !node->parent) return complete(irp, STATUS_CANNOT_DELETE);
        if (remove && node->directory && !node->children.empty()) return complete(irp, STATUS_DIRECTORY_NOT_EMPTY);
        node->delete_pending = remove;
        ccb->marked_delete = remove;
        return complete(irp, STATUS_SUCCESS);
    }
    case FileRenameInformation: {
        // Within the same directory only (an unqualified new name).
        auto* info = static_cast<PFILE_RENAME_INFORMATION>(buffer);
        const std::u16string name(reinterpret_cast<const char16_t*>(info->FileName), info->FileNameLength / 2);
        if (!node->parent || name.empty() || name.find(u'\\') != std::u16string::npos)
            return complete(irp, STATUS_INVALID_PARAMETER);
        if (child_named(node->parent, name)) return complete(irp, STATUS_OBJECT_NAME_COLLISION);
        report(full_name(node), node->name.size(), name_filter(node), FILE_ACTION_RENAMED_OLD_NAME);
        node->name = name;
        report(full_name(node), node->name.size(), name_filter(node), FILE_ACTION_RENAMED_NEW_NAME);
        return complete(irp, STATUS_SUCCESS);
    }
    case FileBasicInformation: {
        auto* info = static_cast<PFILE_BASIC_INFORMATION>(buffer);
        if (info->FileAttributes) {
            node->attributes = info->FileAttributes;
            if (node->parent)
                report(full_name(node), node->name.size(), FILE_NOTIFY_CHANGE_ATTRIBUTES, FILE_ACTION_MODIFIED);
        }
        return complete(irp, STATUS_SUCCESS);
    }
    default: return complete(irp, STATUS_INVALID_PARAMETER);
    }
}

NTSTATUS write(PIRP irp, PIO_STACK_LOCATION sp) {
    Node* node = static_cast<Ccb*>(sp->FileObject->FsContext2)->node;
    if (node->directory) return complete(irp, STATUS_INVALID_DEVICE_REQUEST);
    const ULONG length = sp->Parameters.Write.Length;
    std::lock_guard<std::mutex> guard(g_tree_lock);
    node->size = std::max<ULONGLONG>(node->size, static_cast<ULONGLONG>(sp->Parameters.Write.ByteOffset.QuadPart) + length);
    report(full_name(node), node->name.size(), FILE_NOTIFY_CHANGE_SIZE | FILE_NOTIFY_CHANGE_LAST_WRITE,
           FILE_ACTION_MODIFIED);
    return complete(irp, STATUS_SUCCESS, length);
}

NTSTATUS NTAPI traverse_check(PVOID, PVOID TargetContext, PSECURITY_SUBJECT_CONTEXT SubjectContext) {
    if (!SubjectContext) return STATUS_INVALID_PARAMETER;
    return TargetContext == &g_deny_marker ? STATUS_ACCESS_DENIED : STATUS_SUCCESS;
}

// A handle that reports a change itself (kReportOwnHandle) does not hear about it.
BOOLEAN NTAPI filter_check(PVOID NotifyContext, PVOID FilterContext) { return NotifyContext != FilterContext; }

NTSTATUS notify(PIRP irp, PIO_STACK_LOCATION sp) {
    auto* ccb = static_cast<Ccb*>(sp->FileObject->FsContext2);
    std::u16string name;
    {
        std::lock_guard<std::mutex> guard(g_tree_lock);
        if (!ccb->node || !ccb->node->directory) return complete(irp, STATUS_INVALID_PARAMETER);
        name = full_name(ccb->node);
    }
    auto* subject = static_cast<PSECURITY_SUBJECT_CONTEXT>(
        ExAllocatePoolWithTag(PagedPool, sizeof(SECURITY_SUBJECT_CONTEXT), kSubjectTag));
    if (!subject) return complete(irp, STATUS_INSUFFICIENT_RESOURCES);
    SeCaptureSubjectContext(subject);
    STRING directory = as_string(name);
    FsRtlNotifyFilterChangeDirectory(g_notify_sync, &g_notify_list, ccb, &directory,
                                     (sp->Flags & SL_WATCH_TREE) != 0, FALSE,
                                     sp->Parameters.NotifyDirectory.CompletionFilter, irp, traverse_check, subject,
                                     filter_check);
    return STATUS_PENDING;
}

NTSTATUS report_request(PIRP irp, PIO_STACK_LOCATION sp) {
    const ULONG length = sp->Parameters.DeviceIoControl.InputBufferLength;
    auto* input = static_cast<const NotifyFsReport*>(irp->AssociatedIrp.SystemBuffer);
    if (length < sizeof(NotifyFsReport) || length - sizeof(NotifyFsReport) < ULONG{input->target_length} + input->stream_length)
        return complete(irp, STATUS_INVALID_PARAMETER);
    auto* names = reinterpret_cast<PCHAR>(const_cast<NotifyFsReport*>(input) + 1);
    STRING target{input->target_length, input->target_length, names};
    STRING stream{input->stream_length, input->stream_length, names + input->target_length};
    PVOID target_context = (input->flags & kReportDenyTraverse) ? &g_deny_marker : nullptr;
    PVOID filter_context = (input->flags & kReportOwnHandle) ? sp->FileObject->FsContext2 : nullptr;
    if (input->flags & kReportOldForm) {
        USHORT part = static_cast<USHORT>(input->target_length - input->target_offset);
        FsRtlNotifyReportChange(g_notify_sync, &g_notify_list, &target, &part, input->filter_match);
    } else {
        FsRtlNotifyFilterReportChange(g_notify_sync, &g_notify_list, &target, input->target_offset,
                                      input->stream_length ? &stream : nullptr, nullptr, input->filter_match,
                                      input->action, target_context, filter_context);
    }
    return complete(irp, STATUS_SUCCESS);
}

NTSTATUS NTAPI notify_fs_dispatch(PDEVICE_OBJECT, PIRP irp) {
    PIO_STACK_LOCATION sp = IoGetCurrentIrpStackLocation(irp);
    switch (sp->MajorFunction) {
    case IRP_MJ_CREATE: return create(irp, sp);
    case IRP_MJ_CLEANUP: return cleanup(irp, sp);
    case IRP_MJ_CLOSE:
        delete static_cast<Ccb*>(sp->FileObject->FsContext2);
        return complete(irp, STATUS_SUCCESS);
    case IRP_MJ_SET_INFORMATION: return set_information(irp, sp);
    case IRP_MJ_WRITE: return write(irp, sp);
    case IRP_MJ_DIRECTORY_CONTROL:
        if (sp->MinorFunction == IRP_MN_NOTIFY_CHANGE_DIRECTORY) return notify(irp, sp);
        return complete(irp, STATUS_INVALID_DEVICE_REQUEST);
    case IRP_MJ_DEVICE_CONTROL:
        if (sp->Parameters.DeviceIoControl.IoControlCode == IOCTL_NOTIFYFS_REPORT) return report_request(irp, sp);
        return complete(irp, STATUS_INVALID_DEVICE_REQUEST);
    default: return complete(irp, STATUS_INVALID_DEVICE_REQUEST);
    }
}

VOID NTAPI notify_fs_unload(PDRIVER_OBJECT driver) {
    UNICODE_STRING link;
    RtlInitUnicodeString(&link, L"\\DosDevices\\FsRtlNotifyTest");
    (void)IoDeleteSymbolicLink(&link);
    FsRtlNotifyCleanupAll(g_notify_sync, &g_notify_list);
    FsRtlNotifyUninitializeSync(&g_notify_sync);
    free_tree(g_root);
    g_root = nullptr;
    if (driver->DeviceObject) IoDeleteDevice(driver->DeviceObject);
}

}  // namespace notifyfs

using namespace notifyfs;

NTSTATUS NTAPI notify_fs_entry(PDRIVER_OBJECT driver, PUNICODE_STRING) {
    UNICODE_STRING name, link;
    RtlInitUnicodeString(&name, L"\\Device\\FsRtlNotifyTest");
    RtlInitUnicodeString(&link, L"\\DosDevices\\FsRtlNotifyTest");
    PDEVICE_OBJECT device = nullptr;
    NTSTATUS status = IoCreateDevice(driver, 0, &name, FILE_DEVICE_DISK_FILE_SYSTEM, 0, FALSE, &device);
    if (!NT_SUCCESS(status)) return status;
    device->Flags |= DO_BUFFERED_IO;
    g_root = new Node;
    g_root->directory = true;
    InitializeListHead(&g_notify_list);
    FsRtlNotifyInitializeSync(&g_notify_sync);
    for (auto& f : driver->MajorFunction) f = notify_fs_dispatch;
    driver->DriverUnload = notify_fs_unload;
    status = IoCreateSymbolicLink(&link, &name);
    if (!NT_SUCCESS(status)) notify_fs_unload(driver);
    return status;
}

}  // namespace ntio::fsrtl::test
