// The W32Fs WDM test driver: a tiny in-memory file system. Each dispatch routine completes its request,
// or marks it pending and parks it with a cancel routine (waiting byte-range locks, change
// notifications). One spin lock guards the tree, the lock table and the parked requests; requests that
// a change releases are completed after it is dropped.
#include <algorithm>
#include <cstring>

#include "win32_files_driver.hpp"

namespace ntio::test::win32_files {

DriverState g_state;

std::string narrow(const WCHAR* text, std::size_t length) {
    std::string out;
    for (std::size_t i = 0; i < length; ++i) out.push_back(static_cast<char>(text[i]));
    return out;
}

void DriverState::reset() {
    notify_parked = 0;
    lock_waiters = 0;
    flushes = 0;
    cancelled = 0;
    query_directory_count = 0;
    last_directory_class = 0;
    last_directory_flags = 0;
    last_directory_pattern.clear();
    last_flush_minor = 0xFF;
}

namespace {

constexpr int kMaxNodes = 32;
constexpr int kMaxLocks = 32;
constexpr int kMaxName = 40;
constexpr ULONG kNotifyBuffer = 1024;
constexpr ULONG kTag = 'sF3W';
#ifndef FILE_RENAME_REPLACE_IF_EXISTS
constexpr ULONG FILE_RENAME_REPLACE_IF_EXISTS = 0x00000001;
#endif

enum DeviceKind { FsDevice, PlainDevice };
struct DeviceExtension {
    DeviceKind kind;
};

struct Node {
    bool used;
    WCHAR name[kMaxName];
    USHORT name_chars;
    WCHAR short_name[12];
    CCHAR short_chars;
    int parent;
    bool directory;
    ULONG attributes;
    LARGE_INTEGER times[4];  // creation, last access, last write, change
    LONGLONG eof;
    LONGLONG allocation;
    LONGLONG id;
    LONG opens;
    bool delete_pending;
    SHARE_ACCESS share;
};

// The per-open context (FsContext2): enumeration cursor and notification state.
struct Ccb {
    int node;
    bool delete_on_close;
    bool has_pattern;
    WCHAR pattern[kMaxName];
    USHORT pattern_chars;
    ULONG cursor;
    bool notify_armed;
    ULONG notify_filter;
    bool watch_tree;
    alignas(8) UCHAR changes[kNotifyBuffer];  // records buffered while no request waits
    ULONG changes_length;
    ULONG last_record;             // offset of the last buffered record
    bool overflow;
    LIST_ENTRY armed_link;
};

struct ByteLock {
    bool used;
    int node;
    PFILE_OBJECT file;
    LONGLONG offset;
    LONGLONG length;
    bool exclusive;
};

KSPIN_LOCK g_lock;
Node g_nodes[kMaxNodes];
ByteLock g_locks[kMaxLocks];
LIST_ENTRY g_notify_queue;  // parked notify IRPs
LIST_ENTRY g_lock_queue;    // parked lock IRPs, oldest first
LIST_ENTRY g_armed;         // CCBs that have asked for notifications

NTSTATUS CompleteNow(PIRP Irp, NTSTATUS Status, ULONG_PTR Information) {
    Irp->IoStatus.Status = Status;
    Irp->IoStatus.Information = Information;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return Status;
}

// Requests finished under the lock, completed once it is released.
struct Completions {
    LIST_ENTRY list;
    Completions() { InitializeListHead(&list); }
    void add(PIRP Irp, NTSTATUS status, ULONG_PTR information) {
        Irp->IoStatus.Status = status;
        Irp->IoStatus.Information = information;
        InsertTailList(&list, &Irp->Tail.Overlay.ListEntry);
    }
    void complete_all() {
        while (!IsListEmpty(&list)) {
            PLIST_ENTRY e = RemoveHeadList(&list);
            IoCompleteRequest(CONTAINING_RECORD(e, IRP, Tail.Overlay.ListEntry), IO_NO_INCREMENT);
        }
    }
};

WCHAR upcase(WCHAR c) { return (c >= L'a' && c <= L'z') ? static_cast<WCHAR>(c - L'a' + L'A') : c; }

bool same_name(const WCHAR* a, USHORT a_chars, const WCHAR* b, USHORT b_chars) {
    if (a_chars != b_chars) return false;
    for (USHORT i = 0; i < a_chars; ++i)
        if (upcase(a[i]) != upcase(b[i])) return false;
    return true;
}

// FsRtlIsNameInExpression rules: '*' and '?', and the DOS wildcards kernel32 produces: '<' (DOS_STAR:
// any run up to the last '.'), '>' (DOS_QM: one character, or none before a '.' or the end) and '"'
// (DOS_DOT: a '.' or the end of the name).
// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-fsrtlisnameinexpression
bool matches(const WCHAR* p, int pn, const WCHAR* s, int sn) {
    if (pn == 0) return sn == 0;
    const WCHAR c = p[0];
    if (c == L'*') {
        for (int i = 0; i <= sn; ++i)
            if (matches(p + 1, pn - 1, s + i, sn - i)) return true;
        return false;
    }
    if (c == L'<') {
        int last_dot = -1;
        for (int i = 0; i < sn; ++i)
            if (s[i] == L'.') last_dot = i;
        const int limit = last_dot < 0 ? sn : last_dot;
        for (int i = 0; i <= limit; ++i)
            if (matches(p + 1, pn - 1, s + i, sn - i)) return true;
        return false;
    }
    if (c == L'>') {
        if (sn == 0 || s[0] == L'.') return matches(p + 1, pn - 1, s, sn);
        return matches(p + 1, pn - 1, s + 1, sn - 1);
    }
    if (c == L'"') {
        if (sn == 0) return matches(p + 1, pn - 1, s, sn);
        return s[0] == L'.' && matches(p + 1, pn - 1, s + 1, sn - 1);
    }
    if (sn == 0) return false;
    if (c != L'?' && upcase(c) != upcase(s[0])) return false;
    return matches(p + 1, pn - 1, s + 1, sn - 1);
}

void set_name(Node& n, const WCHAR* name, USHORT chars) {
    n.name_chars = chars;
    std::memcpy(n.name, name, chars * sizeof(WCHAR));
}

int add_node(int parent, const WCHAR* name, bool directory, ULONG attributes, LONGLONG eof) {
    for (int i = 0; i < kMaxNodes; ++i) {
        if (g_nodes[i].used) continue;
        Node& n = g_nodes[i];
        std::memset(&n, 0, sizeof(n));
        n.used = true;
        USHORT chars = 0;
        while (name[chars]) ++chars;
        set_name(n, name, chars);
        n.parent = parent;
        n.directory = directory;
        n.attributes = attributes | (directory ? FILE_ATTRIBUTE_DIRECTORY : 0);
        for (int t = 0; t < 4; ++t) n.times[t].QuadPart = kTimeBase + i + 0x100 * t;
        n.eof = eof;
        n.allocation = (eof + kClusterSize - 1) / kClusterSize * kClusterSize;
        n.id = (static_cast<LONGLONG>(i) << 32) | (0x100 + i);
        return i;
    }
    return -1;
}

void build_tree() {
    std::memset(g_nodes, 0, sizeof(g_nodes));
    std::memset(g_locks, 0, sizeof(g_locks));
    add_node(-1, L"", true, 0, 0);                                                       // 0
    add_node(0, L"dir", true, 0, 0);                                                     // 1
    add_node(1, L"alpha.txt", false, FILE_ATTRIBUTE_ARCHIVE, 10);                        // 2
    add_node(1, L"beta.txt", false, FILE_ATTRIBUTE_ARCHIVE, 5000);                       // 3
    add_node(1, L"gamma.log", false, FILE_ATTRIBUTE_ARCHIVE | FILE_ATTRIBUTE_HIDDEN, 0); // 4
    add_node(1, L"sub", true, 0, 0);                                                     // 5
    add_node(5, L"delta.txt", false, FILE_ATTRIBUTE_ARCHIVE, 7);                         // 6
    add_node(0, L"empty", true, 0, 0);                                                   // 7
    add_node(0, L"huge.bin", false, FILE_ATTRIBUTE_ARCHIVE, 0x1FFFFFFFFLL);              // 8
    add_node(0, L"readonly.txt", false, FILE_ATTRIBUTE_READONLY, 3);                     // 9
    add_node(0, L"file.bin", false, FILE_ATTRIBUTE_ARCHIVE, 100);                        // 10
    const int long_name = add_node(1, L"longfilename.text", false, FILE_ATTRIBUTE_ARCHIVE, 1);  // 11
    static const WCHAR kShort[] = L"LONGFI~1.TEX";
    std::memcpy(g_nodes[long_name].short_name, kShort, 12 * sizeof(WCHAR));
    g_nodes[long_name].short_chars = 12;
}

int find_child(int parent, const WCHAR* name, USHORT chars) {
    for (int i = 0; i < kMaxNodes; ++i)
        if (g_nodes[i].used && g_nodes[i].parent == parent && same_name(g_nodes[i].name, g_nodes[i].name_chars, name, chars))
            return i;
    return -1;
}

bool has_children(int dir) {
    for (int i = 0; i < kMaxNodes; ++i)
        if (g_nodes[i].used && g_nodes[i].parent == dir) return true;
    return false;
}

bool is_ancestor(int ancestor, int node) {
    for (int n = node; n >= 0; n = g_nodes[n].parent)
        if (n == ancestor) return true;
    return false;
}

// "\dir\sub" style path of `node` relative to `from` (an ancestor), without a leading separator
// when `from` is not the node itself.
USHORT relative_path(int from, int node, WCHAR* out, USHORT capacity) {
    int chain[kMaxNodes];
    int depth = 0;
    for (int n = node; n >= 0 && n != from; n = g_nodes[n].parent) chain[depth++] = n;
    USHORT length = 0;
    for (int i = depth - 1; i >= 0; --i) {
        const Node& n = g_nodes[chain[i]];
        if (length && length < capacity) out[length++] = L'\\';
        for (USHORT c = 0; c < n.name_chars && length < capacity; ++c) out[length++] = n.name[c];
    }
    return length;
}

// ---- Change notification (what FsRtlNotifyFullReportChange does for a file system) ----

void append_record(UCHAR* buffer, ULONG capacity, ULONG& length, ULONG& last, bool& overflow, ULONG action,
                   const WCHAR* name, USHORT chars) {
    const ULONG start = (length + 3) & ~3u;
    const ULONG size = FIELD_OFFSET(FILE_NOTIFY_INFORMATION, FileName) + chars * sizeof(WCHAR);
    if (start + size > capacity) {
        overflow = true;
        return;
    }
    auto* record = reinterpret_cast<PFILE_NOTIFY_INFORMATION>(buffer + start);
    if (length) reinterpret_cast<PFILE_NOTIFY_INFORMATION>(buffer + last)->NextEntryOffset = start - last;
    record->NextEntryOffset = 0;
    record->Action = action;
    record->FileNameLength = chars * sizeof(WCHAR);
    std::memcpy(record->FileName, name, chars * sizeof(WCHAR));
    last = start;
    length = start + size;
}

PIRP parked_notify_of(Ccb* ccb) {
    for (PLIST_ENTRY e = g_notify_queue.Flink; e != &g_notify_queue; e = e->Flink) {
        PIRP Irp = CONTAINING_RECORD(e, IRP, Tail.Overlay.ListEntry);
        if (IoGetCurrentIrpStackLocation(Irp)->FileObject->FsContext2 == ccb) return Irp;
    }
    return NULL;
}

// Hands the buffered changes of `ccb` to `Irp` (the caller's buffer, as a file system that
// completes from another context writes it): STATUS_NOTIFY_ENUM_DIR with nothing when they do not
// fit or were lost.
void deliver(Ccb* ccb, PIRP Irp, Completions& done) {
    PIO_STACK_LOCATION sp = IoGetCurrentIrpStackLocation(Irp);
    const ULONG capacity = sp->Parameters.NotifyDirectory.Length;
    if (ccb->overflow || ccb->changes_length > capacity) {
        done.add(Irp, STATUS_NOTIFY_ENUM_DIR, 0);
    } else {
        std::memcpy(Irp->UserBuffer, ccb->changes, ccb->changes_length);
        done.add(Irp, STATUS_SUCCESS, ccb->changes_length);
    }
    ccb->changes_length = 0;
    ccb->last_record = 0;
    ccb->overflow = false;
}

// Reports `actions` (one or two records: a rename reports old and new name together) about the
// child `name` of directory `parent` to every open that watches it.
void report_locked(int parent, ULONG filter, const ULONG* actions, const WCHAR* const* names, const USHORT* chars,
                   int count, Completions& done) {
    for (PLIST_ENTRY e = g_armed.Flink; e != &g_armed; e = e->Flink) {
        Ccb* ccb = CONTAINING_RECORD(e, Ccb, armed_link);
        if (!(ccb->notify_filter & filter)) continue;
        if (ccb->node != parent && !(ccb->watch_tree && is_ancestor(ccb->node, parent))) continue;
        WCHAR prefix[128];
        const USHORT prefix_chars = relative_path(ccb->node, parent, prefix, 120);
        for (int i = 0; i < count; ++i) {
            WCHAR full[192];
            USHORT n = 0;
            for (USHORT c = 0; c < prefix_chars; ++c) full[n++] = prefix[c];
            if (prefix_chars) full[n++] = L'\\';
            for (USHORT c = 0; c < chars[i] && n < 190; ++c) full[n++] = names[i][c];
            append_record(ccb->changes, sizeof(ccb->changes), ccb->changes_length, ccb->last_record, ccb->overflow,
                          actions[i], full, n);
        }
        PIRP waiting = parked_notify_of(ccb);
        if (waiting && IoSetCancelRoutine(waiting, NULL) != NULL) {
            RemoveEntryList(&waiting->Tail.Overlay.ListEntry);
            --g_state.notify_parked;
            deliver(ccb, waiting, done);
        }
    }
}

void report_one_locked(int node, ULONG action, Completions& done) {
    const Node& n = g_nodes[node];
    const WCHAR* name = n.name;
    const USHORT chars = n.name_chars;
    const ULONG filter = n.directory ? FILE_NOTIFY_CHANGE_DIR_NAME : FILE_NOTIFY_CHANGE_FILE_NAME;
    report_locked(n.parent, filter, &action, &name, &chars, 1, done);
}

void report_modified_locked(int node, ULONG filter, Completions& done) {
    const Node& n = g_nodes[node];
    const ULONG action = FILE_ACTION_MODIFIED;
    const WCHAR* name = n.name;
    const USHORT chars = n.name_chars;
    report_locked(n.parent, filter, &action, &name, &chars, 1, done);
}

// ---- Parking with a cancel routine (NT fact C7 pattern) ----

VOID NTAPI W32FsCancel(PDEVICE_OBJECT DeviceObject, PIRP Irp) {
    UNREFERENCED_PARAMETER(DeviceObject);
    KeAcquireSpinLockAtDpcLevel(&g_lock);
    RemoveEntryList(&Irp->Tail.Overlay.ListEntry);
    if (IoGetCurrentIrpStackLocation(Irp)->MajorFunction == IRP_MJ_LOCK_CONTROL) --g_state.lock_waiters;
    else --g_state.notify_parked;
    KeReleaseSpinLockFromDpcLevel(&g_lock);
    IoReleaseCancelSpinLock(Irp->CancelIrql);
    ++g_state.cancelled;
    CompleteNow(Irp, STATUS_CANCELLED, 0);
}

// Called with g_lock held: parks Irp on `queue` with a cancel routine; one already cancelled goes to
// `done` as cancelled unless its cancel routine runs (it then finds the IRP on the queue).
NTSTATUS park_locked(PIRP Irp, PLIST_ENTRY queue, std::atomic<LONG>& counter, Completions& done) {
    IoMarkIrpPending(Irp);
    InsertTailList(queue, &Irp->Tail.Overlay.ListEntry);
    ++counter;
    (void)IoSetCancelRoutine(Irp, W32FsCancel);
    if (Irp->Cancel && IoSetCancelRoutine(Irp, NULL) != NULL) {
        RemoveEntryList(&Irp->Tail.Overlay.ListEntry);
        --counter;
        ++g_state.cancelled;
        done.add(Irp, STATUS_CANCELLED, 0);
    }
    return STATUS_PENDING;
}

Node* node_of(PFILE_OBJECT file) { return static_cast<Node*>(file->FsContext); }
Ccb* ccb_of(PFILE_OBJECT file) { return static_cast<Ccb*>(file->FsContext2); }
int index_of(const Node* n) { return static_cast<int>(n - g_nodes); }

// ---- Byte-range locks (what FsRtlProcessFileLock does) ----

bool overlaps(const ByteLock& l, LONGLONG offset, LONGLONG length) {
    if (l.length == 0 || length == 0) return false;  // zero-length ranges never conflict
    return offset < l.offset + l.length && l.offset < offset + length;
}

// An exclusive request conflicts with every overlapping lock; a shared one with overlapping
// exclusive locks.
bool conflicts_locked(int node, LONGLONG offset, LONGLONG length, bool exclusive) {
    for (const ByteLock& l : g_locks)
        if (l.used && l.node == node && overlaps(l, offset, length) && (exclusive || l.exclusive)) return true;
    return false;
}

NTSTATUS grant_locked(int node, PFILE_OBJECT file, LONGLONG offset, LONGLONG length, bool exclusive) {
    for (ByteLock& l : g_locks) {
        if (l.used) continue;
        l = ByteLock{true, node, file, offset, length, exclusive};
        return STATUS_SUCCESS;
    }
    return STATUS_INSUFFICIENT_RESOURCES;
}

void lock_request(PIRP Irp, int& node, LONGLONG& offset, LONGLONG& length, bool& exclusive, bool& fail_now) {
    PIO_STACK_LOCATION sp = IoGetCurrentIrpStackLocation(Irp);
    node = index_of(node_of(sp->FileObject));
    offset = sp->Parameters.LockControl.ByteOffset.QuadPart;
    length = sp->Parameters.LockControl.Length ? sp->Parameters.LockControl.Length->QuadPart : 0;
    exclusive = (sp->Flags & SL_EXCLUSIVE_LOCK) != 0;
    fail_now = (sp->Flags & SL_FAIL_IMMEDIATELY) != 0;
}

// After an unlock: grants every waiting request that no longer conflicts, oldest first.
void grant_waiters_locked(Completions& done) {
    PLIST_ENTRY e = g_lock_queue.Flink;
    while (e != &g_lock_queue) {
        PIRP Irp = CONTAINING_RECORD(e, IRP, Tail.Overlay.ListEntry);
        e = e->Flink;
        int node;
        LONGLONG offset, length;
        bool exclusive, fail_now;
        lock_request(Irp, node, offset, length, exclusive, fail_now);
        if (conflicts_locked(node, offset, length, exclusive)) continue;
        if (IoSetCancelRoutine(Irp, NULL) == NULL) continue;  // being cancelled
        RemoveEntryList(&Irp->Tail.Overlay.ListEntry);
        --g_state.lock_waiters;
        done.add(Irp, grant_locked(node, IoGetCurrentIrpStackLocation(Irp)->FileObject, offset, length, exclusive), 0);
    }
}

// ---- Dispatch routines ----

bool fs_device(PDEVICE_OBJECT DeviceObject) {
    return static_cast<DeviceExtension*>(DeviceObject->DeviceExtension)->kind == FsDevice;
}

// Resolves FileObject->FileName ("", "\", "\dir\file", trailing separators allowed) to a node; on
// STATUS_OBJECT_NAME_NOT_FOUND `parent` and the last component say where a create would go.
NTSTATUS resolve_locked(PFILE_OBJECT file, int& node, int& parent, const WCHAR*& last, USHORT& last_chars) {
    const WCHAR* p = file->FileName.Buffer;
    USHORT n = file->FileName.Length / sizeof(WCHAR);
    int current = 0;
    if (file->RelatedFileObject && file->RelatedFileObject->FsContext)
        current = index_of(node_of(file->RelatedFileObject));
    while (n && p[n - 1] == L'\\') --n;  // a trailing separator names the same object
    USHORT i = 0;
    parent = -1;
    last = NULL;
    last_chars = 0;
    while (i < n) {
        while (i < n && p[i] == L'\\') ++i;
        const USHORT start = i;
        while (i < n && p[i] != L'\\') ++i;
        const USHORT chars = static_cast<USHORT>(i - start);
        if (!chars) break;
        if (!g_nodes[current].directory) return STATUS_OBJECT_PATH_NOT_FOUND;
        const int child = find_child(current, p + start, chars);
        if (child < 0) {
            // Missing in the middle: the path; missing at the end: the name.
            if (i < n) return STATUS_OBJECT_PATH_NOT_FOUND;
            parent = current;
            last = p + start;
            last_chars = chars;
            return STATUS_OBJECT_NAME_NOT_FOUND;
        }
        current = child;
    }
    node = current;
    return STATUS_SUCCESS;
}

NTSTATUS NTAPI DispatchCreate(PDEVICE_OBJECT DeviceObject, PIRP Irp) {
    PIO_STACK_LOCATION sp = IoGetCurrentIrpStackLocation(Irp);
    PFILE_OBJECT file = sp->FileObject;
    if (!fs_device(DeviceObject)) {
        if (file->FileName.Length) return CompleteNow(Irp, STATUS_OBJECT_NAME_NOT_FOUND, 0);
        return CompleteNow(Irp, STATUS_SUCCESS, FILE_OPENED);
    }
    const ULONG disposition = sp->Parameters.Create.Options >> 24;
    const ULONG options = sp->Parameters.Create.Options & 0x00FFFFFF;
    ACCESS_MASK access = sp->Parameters.Create.SecurityContext->DesiredAccess;
    // Generic rights are mapped before a file system sees them on NT; mapping again changes nothing
    // there, and here it covers an I/O manager that passes them through.
    static const GENERIC_MAPPING kFileMapping = {FILE_GENERIC_READ, FILE_GENERIC_WRITE, FILE_GENERIC_EXECUTE,
                                                 FILE_ALL_ACCESS};
    RtlMapGenericMask(&access, &kFileMapping);
    const USHORT share = sp->Parameters.Create.ShareAccess;
    auto* ccb = static_cast<Ccb*>(ExAllocatePoolWithTag(NonPagedPool, sizeof(Ccb), kTag));
    if (!ccb) return CompleteNow(Irp, STATUS_INSUFFICIENT_RESOURCES, 0);
    std::memset(ccb, 0, sizeof(*ccb));
    InitializeListHead(&ccb->armed_link);

    Completions done;
    KIRQL irql;
    KeAcquireSpinLock(&g_lock, &irql);
    int node = -1, parent = -1;
    const WCHAR* last = NULL;
    USHORT last_chars = 0;
    ULONG_PTR information = FILE_OPENED;
    NTSTATUS status = resolve_locked(file, node, parent, last, last_chars);
    if (NT_SUCCESS(status)) {
        Node& n = g_nodes[node];
        const bool overwrite =
            disposition == FILE_OVERWRITE || disposition == FILE_OVERWRITE_IF || disposition == FILE_SUPERSEDE;
        if (n.delete_pending) status = STATUS_DELETE_PENDING;
        else if (disposition == FILE_CREATE) status = STATUS_OBJECT_NAME_COLLISION;
        else if ((options & FILE_DIRECTORY_FILE) && !n.directory) status = STATUS_NOT_A_DIRECTORY;
        else if ((options & FILE_NON_DIRECTORY_FILE) && n.directory) status = STATUS_FILE_IS_A_DIRECTORY;
        else if ((n.attributes & FILE_ATTRIBUTE_READONLY) && ((options & FILE_DELETE_ON_CLOSE)))
            status = STATUS_CANNOT_DELETE;
        else if ((n.attributes & FILE_ATTRIBUTE_READONLY) && overwrite) status = STATUS_ACCESS_DENIED;
        else status = IoCheckShareAccess(access, share, file, &n.share, TRUE);
        if (NT_SUCCESS(status) && overwrite) {
            n.eof = n.allocation = 0;
            information = disposition == FILE_SUPERSEDE ? FILE_SUPERSEDED : FILE_OVERWRITTEN;
            report_modified_locked(node, FILE_NOTIFY_CHANGE_SIZE, done);
        }
    } else if (status == STATUS_OBJECT_NAME_NOT_FOUND && disposition != FILE_OPEN && disposition != FILE_OVERWRITE) {
        WCHAR name[kMaxName];
        if (last_chars >= kMaxName) {
            status = STATUS_OBJECT_NAME_INVALID;
        } else {
            std::memcpy(name, last, last_chars * sizeof(WCHAR));
            name[last_chars] = 0;
            const bool directory = (options & FILE_DIRECTORY_FILE) != 0;
            node = add_node(parent, name, directory, directory ? 0 : (sp->Parameters.Create.FileAttributes | FILE_ATTRIBUTE_ARCHIVE), 0);
            if (node < 0) {
                status = STATUS_DISK_FULL;
            } else {
                IoSetShareAccess(access, share, file, &g_nodes[node].share);
                information = FILE_CREATED;
                status = STATUS_SUCCESS;
                report_one_locked(node, FILE_ACTION_ADDED, done);
            }
        }
    }
    if (NT_SUCCESS(status)) {
        ++g_nodes[node].opens;
        ccb->node = node;
        ccb->delete_on_close = (options & FILE_DELETE_ON_CLOSE) != 0;
        file->FsContext = &g_nodes[node];
        file->FsContext2 = ccb;
    }
    KeReleaseSpinLock(&g_lock, irql);
    done.complete_all();
    if (!NT_SUCCESS(status)) {
        ExFreePoolWithTag(ccb, kTag);
        return CompleteNow(Irp, status, 0);
    }
    return CompleteNow(Irp, STATUS_SUCCESS, information);
}

NTSTATUS NTAPI DispatchCleanup(PDEVICE_OBJECT DeviceObject, PIRP Irp) {
    PFILE_OBJECT file = IoGetCurrentIrpStackLocation(Irp)->FileObject;
    if (!fs_device(DeviceObject) || !file->FsContext) return CompleteNow(Irp, STATUS_SUCCESS, 0);
    Node* n = node_of(file);
    Ccb* ccb = ccb_of(file);
    Completions done;
    KIRQL irql;
    KeAcquireSpinLock(&g_lock, &irql);
    // Pending notifications of this open end with STATUS_NOTIFY_CLEANUP (FsRtlNotifyCleanup).
    while (PIRP waiting = parked_notify_of(ccb)) {
        RemoveEntryList(&waiting->Tail.Overlay.ListEntry);
        if (IoSetCancelRoutine(waiting, NULL) == NULL) {
            InitializeListHead(&waiting->Tail.Overlay.ListEntry);  // the cancel routine removes it again
            continue;
        }
        --g_state.notify_parked;
        done.add(waiting, STATUS_NOTIFY_CLEANUP, 0);
    }
    if (ccb->notify_armed) {
        RemoveEntryList(&ccb->armed_link);
        ccb->notify_armed = false;
    }
    // Waiting locks of this open are cancelled, its granted locks released (FsRtlFastUnlockAll).
    for (PLIST_ENTRY e = g_lock_queue.Flink; e != &g_lock_queue;) {
        PIRP waiting = CONTAINING_RECORD(e, IRP, Tail.Overlay.ListEntry);
        e = e->Flink;
        if (IoGetCurrentIrpStackLocation(waiting)->FileObject != file) continue;
        if (IoSetCancelRoutine(waiting, NULL) == NULL) continue;
        RemoveEntryList(&waiting->Tail.Overlay.ListEntry);
        --g_state.lock_waiters;
        ++g_state.cancelled;
        done.add(waiting, STATUS_CANCELLED, 0);
    }
    for (ByteLock& l : g_locks)
        if (l.used && l.file == file) l.used = false;
    grant_waiters_locked(done);
    IoRemoveShareAccess(file, &n->share);
    if (ccb->delete_on_close) n->delete_pending = true;
    if (--n->opens == 0 && n->delete_pending) {
        report_one_locked(index_of(n), FILE_ACTION_REMOVED, done);
        n->used = false;
    }
    KeReleaseSpinLock(&g_lock, irql);
    done.complete_all();
    return CompleteNow(Irp, STATUS_SUCCESS, 0);
}

NTSTATUS NTAPI DispatchClose(PDEVICE_OBJECT DeviceObject, PIRP Irp) {
    PFILE_OBJECT file = IoGetCurrentIrpStackLocation(Irp)->FileObject;
    if (fs_device(DeviceObject) && file->FsContext2) {
        ExFreePoolWithTag(file->FsContext2, kTag);
        file->FsContext2 = NULL;
        file->FsContext = NULL;
    }
    return CompleteNow(Irp, STATUS_SUCCESS, 0);
}

// Copies a structure with a trailing name: the fixed part must fit (the I/O manager checked the
// class minimum); a name that does not fit is truncated with STATUS_BUFFER_OVERFLOW.
NTSTATUS answer_with_name(PVOID out, ULONG length, ULONG fixed, const WCHAR* name, ULONG name_bytes,
                          ULONG_PTR& information) {
    ULONG copy = name_bytes;
    NTSTATUS status = STATUS_SUCCESS;
    if (fixed + name_bytes > length) {
        copy = length - fixed;
        status = STATUS_BUFFER_OVERFLOW;
    }
    std::memcpy(static_cast<UCHAR*>(out) + fixed, name, copy);
    information = fixed + copy;
    return status;
}

NTSTATUS NTAPI DispatchQueryInformation(PDEVICE_OBJECT DeviceObject, PIRP Irp) {
    PIO_STACK_LOCATION sp = IoGetCurrentIrpStackLocation(Irp);
    PFILE_OBJECT file = sp->FileObject;
    if (!fs_device(DeviceObject) || !file->FsContext) return CompleteNow(Irp, STATUS_INVALID_DEVICE_REQUEST, 0);
    const ULONG length = sp->Parameters.QueryFile.Length;
    PVOID out = Irp->AssociatedIrp.SystemBuffer;
    ULONG_PTR information = 0;
    NTSTATUS status = STATUS_SUCCESS;
    KIRQL irql;
    KeAcquireSpinLock(&g_lock, &irql);
    const Node& n = *node_of(file);
    switch (sp->Parameters.QueryFile.FileInformationClass) {
    case FileBasicInformation: {
        auto* info = static_cast<PFILE_BASIC_INFORMATION>(out);
        info->CreationTime = n.times[0];
        info->LastAccessTime = n.times[1];
        info->LastWriteTime = n.times[2];
        info->ChangeTime = n.times[3];
        info->FileAttributes = n.attributes ? n.attributes : FILE_ATTRIBUTE_NORMAL;
        information = sizeof(*info);
        break;
    }
    case FileStandardInformation: {
        auto* info = static_cast<PFILE_STANDARD_INFORMATION>(out);
        info->AllocationSize.QuadPart = n.allocation;
        info->EndOfFile.QuadPart = n.eof;
        info->NumberOfLinks = 1;
        info->DeletePending = n.delete_pending;
        info->Directory = n.directory;
        information = sizeof(*info);
        break;
    }
    case FileInternalInformation:
        static_cast<PFILE_INTERNAL_INFORMATION>(out)->IndexNumber.QuadPart = n.id;
        information = sizeof(FILE_INTERNAL_INFORMATION);
        break;
    case FileEaInformation:
        static_cast<PFILE_EA_INFORMATION>(out)->EaSize = 0;
        information = sizeof(FILE_EA_INFORMATION);
        break;
    case FileAttributeTagInformation: {
        auto* info = static_cast<PFILE_ATTRIBUTE_TAG_INFORMATION>(out);
        info->FileAttributes = n.attributes ? n.attributes : FILE_ATTRIBUTE_NORMAL;
        info->ReparseTag = 0;
        information = sizeof(*info);
        break;
    }
    case FileNameInformation: {
        // The name from the root of the volume, as file systems report it.
        WCHAR path[192];
        path[0] = L'\\';
        const USHORT chars = static_cast<USHORT>(1 + relative_path(0, index_of(&n), path + 1, 190));
        auto* info = static_cast<PFILE_NAME_INFORMATION>(out);
        info->FileNameLength = chars * sizeof(WCHAR);
        status = answer_with_name(out, length, FIELD_OFFSET(FILE_NAME_INFORMATION, FileName), path,
                                  chars * sizeof(WCHAR), information);
        break;
    }
    case FilePositionInformation:
        // Reached only for asynchronous opens: the I/O manager answers for synchronous ones.
        static_cast<PFILE_POSITION_INFORMATION>(out)->CurrentByteOffset = file->CurrentByteOffset;
        information = sizeof(FILE_POSITION_INFORMATION);
        break;
    default:
        status = STATUS_INVALID_PARAMETER;
        break;
    }
    KeReleaseSpinLock(&g_lock, irql);
    return CompleteNow(Irp, status, information);
}

NTSTATUS rename_locked(PFILE_OBJECT file, PIO_STACK_LOCATION sp, const FILE_RENAME_INFORMATION* info, bool replace,
                       Completions& done) {
    // Only a bare name (rename within the directory) reaches the driver without a target file object.
    if (sp->Parameters.SetFile.FileObject) return STATUS_NOT_SAME_DEVICE;
    const USHORT chars = static_cast<USHORT>(info->FileNameLength / sizeof(WCHAR));
    if (!chars || chars >= kMaxName) return STATUS_OBJECT_NAME_INVALID;
    for (USHORT i = 0; i < chars; ++i)
        if (info->FileName[i] == L'\\' || info->FileName[i] == L'*' || info->FileName[i] == L'?')
            return STATUS_OBJECT_NAME_INVALID;
    Node& n = *node_of(file);
    if (index_of(&n) == 0) return STATUS_ACCESS_DENIED;
    const int existing = find_child(n.parent, info->FileName, chars);
    if (existing >= 0 && existing != index_of(&n)) {
        if (!replace) return STATUS_OBJECT_NAME_COLLISION;
        if (g_nodes[existing].directory || g_nodes[existing].opens) return STATUS_ACCESS_DENIED;
        g_nodes[existing].used = false;
    }
    WCHAR old_name[kMaxName];
    const USHORT old_chars = n.name_chars;
    std::memcpy(old_name, n.name, old_chars * sizeof(WCHAR));
    set_name(n, info->FileName, chars);
    const ULONG actions[2] = {FILE_ACTION_RENAMED_OLD_NAME, FILE_ACTION_RENAMED_NEW_NAME};
    const WCHAR* names[2] = {old_name, n.name};
    const USHORT lengths[2] = {old_chars, chars};
    report_locked(n.parent, n.directory ? FILE_NOTIFY_CHANGE_DIR_NAME : FILE_NOTIFY_CHANGE_FILE_NAME, actions, names,
                  lengths, 2, done);
    return STATUS_SUCCESS;
}

NTSTATUS set_disposition_locked(Node& n, bool remove, bool ignore_read_only) {
    if (!remove) {
        n.delete_pending = false;
        return STATUS_SUCCESS;
    }
    if (index_of(&n) == 0 || ((n.attributes & FILE_ATTRIBUTE_READONLY) && !ignore_read_only)) return STATUS_CANNOT_DELETE;
    if (n.directory && has_children(index_of(&n))) return STATUS_DIRECTORY_NOT_EMPTY;
    n.delete_pending = true;
    return STATUS_SUCCESS;
}

NTSTATUS NTAPI DispatchSetInformation(PDEVICE_OBJECT DeviceObject, PIRP Irp) {
    PIO_STACK_LOCATION sp = IoGetCurrentIrpStackLocation(Irp);
    PFILE_OBJECT file = sp->FileObject;
    if (!fs_device(DeviceObject) || !file->FsContext) return CompleteNow(Irp, STATUS_INVALID_DEVICE_REQUEST, 0);
    PVOID in = Irp->AssociatedIrp.SystemBuffer;
    NTSTATUS status = STATUS_SUCCESS;
    Completions done;
    KIRQL irql;
    KeAcquireSpinLock(&g_lock, &irql);
    Node& n = *node_of(file);
    switch (sp->Parameters.SetFile.FileInformationClass) {
    case FileBasicInformation: {
        // 0 leaves a time or the attributes unchanged (FILE_BASIC_INFORMATION on Microsoft Learn).
        const auto* info = static_cast<const FILE_BASIC_INFORMATION*>(in);
        const LARGE_INTEGER times[4] = {info->CreationTime, info->LastAccessTime, info->LastWriteTime, info->ChangeTime};
        ULONG changed = 0;
        for (int t = 0; t < 4; ++t) {
            if (times[t].QuadPart == 0 || times[t].QuadPart == -1) continue;
            n.times[t] = times[t];
            changed |= t == 0 ? FILE_NOTIFY_CHANGE_CREATION
                               : t == 1 ? FILE_NOTIFY_CHANGE_LAST_ACCESS : FILE_NOTIFY_CHANGE_LAST_WRITE;
        }
        if (info->FileAttributes) {
            ULONG attributes = info->FileAttributes & ~(FILE_ATTRIBUTE_NORMAL | FILE_ATTRIBUTE_DIRECTORY);
            if (n.directory) attributes |= FILE_ATTRIBUTE_DIRECTORY;
            n.attributes = attributes;
            changed |= FILE_NOTIFY_CHANGE_ATTRIBUTES;
        }
        if (changed) report_modified_locked(index_of(&n), changed, done);
        break;
    }
    case FileEndOfFileInformation: {
        if (n.directory) {
            status = STATUS_INVALID_PARAMETER;
            break;
        }
        n.eof = static_cast<const FILE_END_OF_FILE_INFORMATION*>(in)->EndOfFile.QuadPart;
        if (n.allocation < n.eof) n.allocation = (n.eof + kClusterSize - 1) / kClusterSize * kClusterSize;
        report_modified_locked(index_of(&n), FILE_NOTIFY_CHANGE_SIZE, done);
        break;
    }
    case FileAllocationInformation: {
        if (n.directory) {
            status = STATUS_INVALID_PARAMETER;
            break;
        }
        const LONGLONG wanted = static_cast<const FILE_ALLOCATION_INFORMATION*>(in)->AllocationSize.QuadPart;
        n.allocation = (wanted + kClusterSize - 1) / kClusterSize * kClusterSize;
        if (n.eof > wanted) n.eof = wanted;  // allocation below the end of file truncates
        break;
    }
    case FileDispositionInformation:
        status = set_disposition_locked(n, static_cast<const FILE_DISPOSITION_INFORMATION*>(in)->DeleteFile != FALSE,
                                        false);
        break;
    case FileDispositionInformationEx: {
        const ULONG flags = static_cast<const FILE_DISPOSITION_INFORMATION_EX*>(in)->Flags;
        if (flags & FILE_DISPOSITION_ON_CLOSE) {
            ccb_of(file)->delete_on_close = (flags & FILE_DISPOSITION_DELETE) != 0;
            break;
        }
        status = set_disposition_locked(n, (flags & FILE_DISPOSITION_DELETE) != 0,
                                        (flags & FILE_DISPOSITION_IGNORE_READONLY_ATTRIBUTE) != 0);
        break;
    }
    case FileRenameInformation:
        status = rename_locked(file, sp, static_cast<const FILE_RENAME_INFORMATION*>(in),
                               sp->Parameters.SetFile.ReplaceIfExists != FALSE, done);
        break;
    case FileRenameInformationEx: {
        const auto* info = static_cast<const FILE_RENAME_INFORMATION*>(in);
        status = rename_locked(file, sp, info, (info->Flags & FILE_RENAME_REPLACE_IF_EXISTS) != 0, done);
        break;
    }
    case FilePositionInformation:
        // Reached only for asynchronous opens.
        file->CurrentByteOffset = static_cast<const FILE_POSITION_INFORMATION*>(in)->CurrentByteOffset;
        break;
    default:
        status = STATUS_INVALID_PARAMETER;
        break;
    }
    KeReleaseSpinLock(&g_lock, irql);
    done.complete_all();
    return CompleteNow(Irp, status, 0);
}

NTSTATUS NTAPI DispatchQueryVolumeInformation(PDEVICE_OBJECT DeviceObject, PIRP Irp) {
    PIO_STACK_LOCATION sp = IoGetCurrentIrpStackLocation(Irp);
    if (!fs_device(DeviceObject)) return CompleteNow(Irp, STATUS_INVALID_DEVICE_REQUEST, 0);
    const ULONG length = sp->Parameters.QueryVolume.Length;
    PVOID out = Irp->AssociatedIrp.SystemBuffer;
    ULONG_PTR information = 0;
    NTSTATUS status = STATUS_SUCCESS;
    static const WCHAR kLabel[] = L"W32FS";
    switch (sp->Parameters.QueryVolume.FsInformationClass) {
    case FileFsVolumeInformation: {
        auto* info = static_cast<PFILE_FS_VOLUME_INFORMATION>(out);
        info->VolumeCreationTime.QuadPart = kTimeBase;
        info->VolumeSerialNumber = kVolumeSerial;
        info->VolumeLabelLength = 5 * sizeof(WCHAR);
        info->SupportsObjects = FALSE;
        status = answer_with_name(out, length, FIELD_OFFSET(FILE_FS_VOLUME_INFORMATION, VolumeLabel), kLabel,
                                  5 * sizeof(WCHAR), information);
        break;
    }
    case FileFsDeviceInformation: {
        // The I/O manager answers this class from the device object; a file system gives the same.
        auto* info = static_cast<PFILE_FS_DEVICE_INFORMATION>(out);
        info->DeviceType = DeviceObject->DeviceType;
        info->Characteristics = DeviceObject->Characteristics;
        information = sizeof(*info);
        break;
    }
    case FileFsAttributeInformation: {
        // No FileFsFullSizeInformation here: GetDiskFreeSpace falls back to FileFsSizeInformation.
        static const WCHAR kFileSystem[] = L"W32FSFS";
        auto* info = static_cast<PFILE_FS_ATTRIBUTE_INFORMATION>(out);
        info->FileSystemAttributes = kFileSystemAttributes;
        info->MaximumComponentNameLength = kMaximumComponentLength;
        info->FileSystemNameLength = 7 * sizeof(WCHAR);
        status = answer_with_name(out, length, FIELD_OFFSET(FILE_FS_ATTRIBUTE_INFORMATION, FileSystemName),
                                  kFileSystem, 7 * sizeof(WCHAR), information);
        break;
    }
    case FileFsSizeInformation: {
        auto* info = static_cast<PFILE_FS_SIZE_INFORMATION>(out);
        info->TotalAllocationUnits.QuadPart = kTotalUnits;
        info->AvailableAllocationUnits.QuadPart = kFreeUnits;
        info->SectorsPerAllocationUnit = kSectorsPerUnit;
        info->BytesPerSector = kBytesPerSector;
        information = sizeof(*info);
        break;
    }
    default:
        status = STATUS_INVALID_PARAMETER;
        break;
    }
    return CompleteNow(Irp, status, information);
}

NTSTATUS NTAPI DispatchFlushBuffers(PDEVICE_OBJECT DeviceObject, PIRP Irp) {
    if (!fs_device(DeviceObject)) return CompleteNow(Irp, STATUS_INVALID_DEVICE_REQUEST, 0);
    g_state.last_flush_minor = IoGetCurrentIrpStackLocation(Irp)->MinorFunction;
    ++g_state.flushes;
    return CompleteNow(Irp, STATUS_SUCCESS, 0);
}

NTSTATUS NTAPI DispatchLockControl(PDEVICE_OBJECT DeviceObject, PIRP Irp) {
    PIO_STACK_LOCATION sp = IoGetCurrentIrpStackLocation(Irp);
    PFILE_OBJECT file = sp->FileObject;
    if (!fs_device(DeviceObject) || !file->FsContext) return CompleteNow(Irp, STATUS_INVALID_DEVICE_REQUEST, 0);
    if (node_of(file)->directory) return CompleteNow(Irp, STATUS_INVALID_PARAMETER, 0);
    Completions done;
    NTSTATUS status = STATUS_SUCCESS;
    bool parked = false;
    KIRQL irql;
    KeAcquireSpinLock(&g_lock, &irql);
    int node;
    LONGLONG offset, length;
    bool exclusive, fail_now;
    lock_request(Irp, node, offset, length, exclusive, fail_now);
    switch (sp->MinorFunction) {
    case IRP_MN_LOCK:
        if (offset < 0 || length < 0 || (length && offset + length - 1 < offset)) {
            status = STATUS_INVALID_LOCK_RANGE;
        } else if (!conflicts_locked(node, offset, length, exclusive)) {
            status = grant_locked(node, file, offset, length, exclusive);
        } else if (fail_now) {
            status = STATUS_LOCK_NOT_GRANTED;
        } else {
            status = park_locked(Irp, &g_lock_queue, g_state.lock_waiters, done);
            parked = true;
        }
        break;
    case IRP_MN_UNLOCK_SINGLE: {
        status = STATUS_RANGE_NOT_LOCKED;
        for (ByteLock& l : g_locks) {
            if (l.used && l.node == node && l.file == file && l.offset == offset && l.length == length) {
                l.used = false;
                status = STATUS_SUCCESS;
                break;
            }
        }
        if (NT_SUCCESS(status)) grant_waiters_locked(done);
        break;
    }
    case IRP_MN_UNLOCK_ALL:
    case IRP_MN_UNLOCK_ALL_BY_KEY:
        for (ByteLock& l : g_locks)
            if (l.used && l.file == file) l.used = false;
        grant_waiters_locked(done);
        break;
    default:
        status = STATUS_INVALID_DEVICE_REQUEST;
        break;
    }
    KeReleaseSpinLock(&g_lock, irql);
    done.complete_all();
    if (parked) return STATUS_PENDING;
    return CompleteNow(Irp, status, 0);
}

// One entry of a directory listing: a node, or "." (-1) and ".." (-2) in directories other than the
// root, as NTFS and FAT list them.
struct Entry {
    int node;
    const WCHAR* name;
    USHORT chars;
};

ULONG list_directory_locked(int dir, Entry* entries, ULONG capacity) {
    static const WCHAR kDot[] = L"..";
    ULONG count = 0;
    if (dir != 0) {
        entries[count++] = Entry{-1, kDot, 1};
        entries[count++] = Entry{-2, kDot, 2};
    }
    for (int i = 0; i < kMaxNodes && count < capacity; ++i)
        if (g_nodes[i].used && g_nodes[i].parent == dir) entries[count++] = Entry{i, g_nodes[i].name, g_nodes[i].name_chars};
    return count;
}

ULONG fixed_size(FILE_INFORMATION_CLASS c) {
    switch (c) {
    case FileDirectoryInformation: return FIELD_OFFSET(FILE_DIRECTORY_INFORMATION, FileName);
    case FileFullDirectoryInformation: return FIELD_OFFSET(FILE_FULL_DIR_INFORMATION, FileName);
    case FileIdFullDirectoryInformation: return FIELD_OFFSET(FILE_ID_FULL_DIR_INFORMATION, FileName);
    case FileBothDirectoryInformation: return FIELD_OFFSET(FILE_BOTH_DIR_INFORMATION, FileName);
    case FileIdBothDirectoryInformation: return FIELD_OFFSET(FILE_ID_BOTH_DIR_INFORMATION, FileName);
    case FileNamesInformation: return FIELD_OFFSET(FILE_NAMES_INFORMATION, FileName);
    default: return 0;
    }
}

// Writes one entry of class `c` at `out` (the fixed part fits; the name is cut to `name_bytes`).
void write_entry(FILE_INFORMATION_CLASS c, UCHAR* out, const Entry& e, const Node& dir, ULONG name_bytes) {
    const Node& n = e.node >= 0 ? g_nodes[e.node] : e.node == -1 ? dir : (dir.parent >= 0 ? g_nodes[dir.parent] : dir);
    const ULONG attributes = n.attributes ? n.attributes : FILE_ATTRIBUTE_NORMAL;
    // The members every directory class shares, in FILE_DIRECTORY_INFORMATION order.
    if (c != FileNamesInformation) {
        auto* d = reinterpret_cast<PFILE_DIRECTORY_INFORMATION>(out);
        d->NextEntryOffset = 0;
        d->FileIndex = 0;
        d->CreationTime = n.times[0];
        d->LastAccessTime = n.times[1];
        d->LastWriteTime = n.times[2];
        d->ChangeTime = n.times[3];
        d->EndOfFile.QuadPart = n.eof;
        d->AllocationSize.QuadPart = n.allocation;
        d->FileAttributes = attributes;
        d->FileNameLength = e.chars * sizeof(WCHAR);
    }
    switch (c) {
    case FileFullDirectoryInformation:
        reinterpret_cast<PFILE_FULL_DIR_INFORMATION>(out)->EaSize = 0;
        break;
    case FileIdFullDirectoryInformation:
        reinterpret_cast<PFILE_ID_FULL_DIR_INFORMATION>(out)->EaSize = 0;
        reinterpret_cast<PFILE_ID_FULL_DIR_INFORMATION>(out)->FileId.QuadPart = n.id;
        break;
    case FileBothDirectoryInformation:
    case FileIdBothDirectoryInformation: {
        auto* b = reinterpret_cast<PFILE_BOTH_DIR_INFORMATION>(out);
        b->EaSize = 0;
        const bool real = e.node >= 0;
        b->ShortNameLength = static_cast<CCHAR>(real ? n.short_chars * sizeof(WCHAR) : 0);
        std::memset(b->ShortName, 0, sizeof(b->ShortName));
        if (real) std::memcpy(b->ShortName, n.short_name, n.short_chars * sizeof(WCHAR));
        if (c == FileIdBothDirectoryInformation)
            reinterpret_cast<PFILE_ID_BOTH_DIR_INFORMATION>(out)->FileId.QuadPart = n.id;
        break;
    }
    case FileNamesInformation: {
        auto* d = reinterpret_cast<PFILE_NAMES_INFORMATION>(out);
        d->NextEntryOffset = 0;
        d->FileIndex = 0;
        d->FileNameLength = e.chars * sizeof(WCHAR);
        break;
    }
    default: break;
    }
    std::memcpy(out + fixed_size(c), e.name, name_bytes);
}

// IRP_MN_QUERY_DIRECTORY as FAT and NTFS answer it: the first query (or a restart with a name) sets
// the search expression ("*" without one); entries follow 8-byte aligned and chained by
// NextEntryOffset; SL_RETURN_SINGLE_ENTRY returns one; no match at all is STATUS_NO_SUCH_FILE, the
// end of a listing STATUS_NO_MORE_FILES; a first entry too long for the buffer is cut with
// STATUS_BUFFER_OVERFLOW. https://learn.microsoft.com/windows-hardware/drivers/ifs/irp-mn-query-directory
NTSTATUS query_directory(PIRP Irp, PIO_STACK_LOCATION sp) {
    PFILE_OBJECT file = sp->FileObject;
    const FILE_INFORMATION_CLASS c = sp->Parameters.QueryDirectory.FileInformationClass;
    const ULONG length = sp->Parameters.QueryDirectory.Length;
    PUNICODE_STRING name = sp->Parameters.QueryDirectory.FileName;
    ++g_state.query_directory_count;
    g_state.last_directory_class = c;
    g_state.last_directory_flags = sp->Flags;
    g_state.last_directory_pattern = name ? narrow(name->Buffer, name->Length / sizeof(WCHAR)) : std::string();
    const ULONG fixed = fixed_size(c);
    if (!fixed) return CompleteNow(Irp, STATUS_INVALID_INFO_CLASS, 0);
    UCHAR* out = static_cast<UCHAR*>(Irp->UserBuffer);
    KIRQL irql;
    KeAcquireSpinLock(&g_lock, &irql);
    Node& dir = *node_of(file);
    Ccb* ccb = ccb_of(file);
    if (!dir.directory) {
        KeReleaseSpinLock(&g_lock, irql);
        return CompleteNow(Irp, STATUS_INVALID_PARAMETER, 0);
    }
    const bool restart = (sp->Flags & SL_RESTART_SCAN) != 0;
    const bool first_query = !ccb->has_pattern;
    if (first_query || (restart && name)) {
        ccb->has_pattern = true;
        ccb->pattern_chars = 1;
        ccb->pattern[0] = L'*';
        if (name && name->Length) {
            ccb->pattern_chars = static_cast<USHORT>(std::min<ULONG>(name->Length / sizeof(WCHAR), kMaxName));
            std::memcpy(ccb->pattern, name->Buffer, ccb->pattern_chars * sizeof(WCHAR));
        }
    }
    if (restart || first_query) ccb->cursor = 0;
    const bool from_start = ccb->cursor == 0;
    Entry entries[kMaxNodes + 2];
    const ULONG count = list_directory_locked(index_of(&dir), entries, kMaxNodes + 2);
    ULONG used = 0;
    ULONG previous = 0;
    ULONG returned = 0;
    NTSTATUS status = STATUS_SUCCESS;
    for (; ccb->cursor < count; ++ccb->cursor) {
        const Entry& e = entries[ccb->cursor];
        if (!matches(ccb->pattern, ccb->pattern_chars, e.name, e.chars)) continue;
        const ULONG start = returned ? (used + 7) & ~7u : 0;
        const ULONG size = fixed + e.chars * sizeof(WCHAR);
        if (start + size > length) {
            if (returned) break;  // the entry waits for the next query
            ULONG name_bytes = length > fixed ? ((length - fixed) & ~1u) : 0;
            write_entry(c, out, e, dir, name_bytes);
            used = fixed + name_bytes;
            returned = 1;
            status = STATUS_BUFFER_OVERFLOW;
            ++ccb->cursor;
            break;
        }
        write_entry(c, out + start, e, dir, e.chars * sizeof(WCHAR));
        if (returned) *reinterpret_cast<ULONG*>(out + previous) = start - previous;
        previous = start;
        used = start + size;
        ++returned;
        if (sp->Flags & SL_RETURN_SINGLE_ENTRY) {
            ++ccb->cursor;
            break;
        }
    }
    KeReleaseSpinLock(&g_lock, irql);
    if (!returned) return CompleteNow(Irp, from_start ? STATUS_NO_SUCH_FILE : STATUS_NO_MORE_FILES, 0);
    return CompleteNow(Irp, status, used);
}

// IRP_MN_NOTIFY_CHANGE_DIRECTORY: the first request of an open arms it (filter and subtree flag stay);
// changes buffered since the last request complete it at once, else it waits for one.
// https://learn.microsoft.com/windows-hardware/drivers/ifs/irp-mn-notify-change-directory
NTSTATUS notify_change(PIRP Irp, PIO_STACK_LOCATION sp) {
    PFILE_OBJECT file = sp->FileObject;
    Completions done;
    KIRQL irql;
    KeAcquireSpinLock(&g_lock, &irql);
    Ccb* ccb = ccb_of(file);
    if (!node_of(file)->directory) {
        KeReleaseSpinLock(&g_lock, irql);
        return CompleteNow(Irp, STATUS_INVALID_PARAMETER, 0);
    }
    if (!ccb->notify_armed) {
        ccb->notify_armed = true;
        ccb->notify_filter = sp->Parameters.NotifyDirectory.CompletionFilter;
        ccb->watch_tree = (sp->Flags & SL_WATCH_TREE) != 0;
        InsertTailList(&g_armed, &ccb->armed_link);
    }
    if (ccb->changes_length || ccb->overflow) {
        IoMarkIrpPending(Irp);
        deliver(ccb, Irp, done);
    } else {
        park_locked(Irp, &g_notify_queue, g_state.notify_parked, done);
    }
    KeReleaseSpinLock(&g_lock, irql);
    done.complete_all();
    return STATUS_PENDING;
}

NTSTATUS NTAPI DispatchDirectoryControl(PDEVICE_OBJECT DeviceObject, PIRP Irp) {
    PIO_STACK_LOCATION sp = IoGetCurrentIrpStackLocation(Irp);
    if (!fs_device(DeviceObject) || !sp->FileObject->FsContext) return CompleteNow(Irp, STATUS_INVALID_DEVICE_REQUEST, 0);
    switch (sp->MinorFunction) {
    case IRP_MN_QUERY_DIRECTORY: return query_directory(Irp, sp);
    case IRP_MN_NOTIFY_CHANGE_DIRECTORY: return notify_change(Irp, sp);
    default: return CompleteNow(Irp, STATUS_INVALID_DEVICE_REQUEST, 0);
    }
}

struct DeviceSpec {
    const WCHAR* name;
    const WCHAR* link;
    DEVICE_TYPE type;
    DeviceKind kind;
};
const DeviceSpec kDevices[] = {
    {L"\\Device\\W32Fs", L"\\DosDevices\\W32Fs", FILE_DEVICE_DISK_FILE_SYSTEM, FsDevice},
    {L"\\Device\\W32FsChar", L"\\DosDevices\\W32FsChar", FILE_DEVICE_SERIAL_PORT, PlainDevice},
    {L"\\Device\\W32FsPipe", L"\\DosDevices\\W32FsPipe", FILE_DEVICE_NAMED_PIPE, PlainDevice},
    {L"\\Device\\W32FsOther", L"\\DosDevices\\W32FsOther", FILE_DEVICE_UNKNOWN, PlainDevice},
};

VOID NTAPI W32FsUnload(PDRIVER_OBJECT DriverObject) {
    for (const DeviceSpec& spec : kDevices) {
        UNICODE_STRING link;
        RtlInitUnicodeString(&link, spec.link);
        (void)IoDeleteSymbolicLink(&link);
    }
    while (DriverObject->DeviceObject) IoDeleteDevice(DriverObject->DeviceObject);
}

}  // namespace

NTSTATUS NTAPI w32fs_driver_entry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath) {
    UNREFERENCED_PARAMETER(RegistryPath);
    KeInitializeSpinLock(&g_lock);
    InitializeListHead(&g_notify_queue);
    InitializeListHead(&g_lock_queue);
    InitializeListHead(&g_armed);
    build_tree();
    for (const DeviceSpec& spec : kDevices) {
        UNICODE_STRING name;
        RtlInitUnicodeString(&name, spec.name);
        PDEVICE_OBJECT device = NULL;
        NTSTATUS status = IoCreateDevice(DriverObject, sizeof(DeviceExtension), &name, spec.type, 0, FALSE, &device);
        if (!NT_SUCCESS(status)) {
            W32FsUnload(DriverObject);
            return status;
        }
        static_cast<DeviceExtension*>(device->DeviceExtension)->kind = spec.kind;
        UNICODE_STRING link;
        RtlInitUnicodeString(&link, spec.link);
        status = IoCreateSymbolicLink(&link, &name);
        if (!NT_SUCCESS(status)) {
            W32FsUnload(DriverObject);
            return status;
        }
        device->Flags &= ~DO_DEVICE_INITIALIZING;
    }
    DriverObject->MajorFunction[IRP_MJ_CREATE] = DispatchCreate;
    DriverObject->MajorFunction[IRP_MJ_CLEANUP] = DispatchCleanup;
    DriverObject->MajorFunction[IRP_MJ_CLOSE] = DispatchClose;
    DriverObject->MajorFunction[IRP_MJ_QUERY_INFORMATION] = DispatchQueryInformation;
    DriverObject->MajorFunction[IRP_MJ_SET_INFORMATION] = DispatchSetInformation;
    DriverObject->MajorFunction[IRP_MJ_QUERY_VOLUME_INFORMATION] = DispatchQueryVolumeInformation;
    DriverObject->MajorFunction[IRP_MJ_FLUSH_BUFFERS] = DispatchFlushBuffers;
    DriverObject->MajorFunction[IRP_MJ_LOCK_CONTROL] = DispatchLockControl;
    DriverObject->MajorFunction[IRP_MJ_DIRECTORY_CONTROL] = DispatchDirectoryControl;
    DriverObject->DriverUnload = W32FsUnload;
    return STATUS_SUCCESS;
}

void Win32FilesTest::SetUp() {
    SystemTest::SetUp();
    g_state.reset();
    ASSERT_EQ(create_driver(L"W32Fs", w32fs_driver_entry), STATUS_SUCCESS);
}

void Win32FilesTest::TearDown() {
    unload_driver();
    EXPECT_EQ(g_state.notify_parked.load(), 0) << "notifications left parked by the test";
    EXPECT_EQ(g_state.lock_waiters.load(), 0) << "lock requests left parked by the test";
    DriverTest::TearDown();
}

HANDLE Win32FilesTest::open(const wchar_t* path, DWORD access, DWORD flags, DWORD share) {
    WCHAR full[MAX_PATH];
    static const WCHAR kPrefix[] = L"\\\\.\\W32Fs";
    std::size_t n = 0;
    for (; kPrefix[n]; ++n) full[n] = kPrefix[n];
    for (std::size_t i = 0; path[i] && n < MAX_PATH - 1; ++i) full[n++] = path[i];
    full[n] = 0;
    return CreateFileW(full, access, share, nullptr, OPEN_EXISTING, flags, nullptr);
}

HANDLE Win32FilesTest::open_directory(const wchar_t* path, bool overlapped) {
    HANDLE h = open(path, FILE_LIST_DIRECTORY | GENERIC_READ,
                    FILE_FLAG_BACKUP_SEMANTICS | (overlapped ? FILE_FLAG_OVERLAPPED : 0));
    EXPECT_NE(h, INVALID_HANDLE_VALUE) << GetLastError();
    return h;
}

bool Win32FilesTest::wait_for(const std::atomic<LONG>& counter, LONG value) {
    for (int i = 0; i < 20000; ++i) {
        if (counter.load() == value) return true;
        Sleep(1);
    }
    return false;
}

}  // namespace ntio::test::win32_files
