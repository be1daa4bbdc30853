// What the notify lists hand to requests: FILE_NOTIFY_INFORMATION records, buffered while no request
// waits and copied into a request's system buffer when one comes; the completion of requests after
// the list's lock is released; and the names of either width the file system passes.
#include "fsrtl/notify_list.hpp"

#include <cstring>

namespace ntio::fsrtl {

namespace {

constexpr ULONG kNotifyBufferTag = 'NrsF';
constexpr ULONG kRecordHeader = FIELD_OFFSET(FILE_NOTIFY_INFORMATION, FileName);

// Records start on ULONG boundaries (FILE_NOTIFY_INFORMATION on Learn: NextEntryOffset is DWORD
// aligned); a request's Information ends at the last record's name, without padding (Windows returns
// 0x12 for a single three-letter name, as the Wine ntdll change tests observe).
constexpr ULONG align_record(ULONG offset) noexcept { return (offset + 3u) & ~3u; }

}  // namespace

void release_sync(NotifySync* sync) noexcept {
    if (sync->references.fetch_sub(1, std::memory_order_acq_rel) == 1) delete sync;
}

NotifyCompletions::~NotifyCompletions() {
    for (const NotifyCompletion& item : m_items) {
        if (item.status != STATUS_SUCCESS) item.irp->IoStatus.Information = 0;
        item.irp->IoStatus.Status = item.status;
        IoCompleteRequest(item.irp, IO_DISK_INCREMENT);
    }
    for (int i = 0; i < m_waiters; ++i) release_sync(m_sync);
}

PIRP take_waiter_locked(NotifyChange& change) noexcept {
    while (!IsListEmpty(&change.irps)) {
        PLIST_ENTRY entry = RemoveHeadList(&change.irps);
        PIRP irp = CONTAINING_RECORD(entry, IRP, Tail.Overlay.ListEntry);
        irp->Tail.Overlay.DriverContext[1] = nullptr;  // unlinked: a cancel routine leaves the list alone
        if (IoSetCancelRoutine(irp, nullptr) != nullptr) return irp;
        // Its cancel routine is running or about to: it completes the IRP.
    }
    return nullptr;
}

NTSTATUS fill_request_locked(NotifyChange& change, PIRP irp) noexcept {
    const ULONG length = IoGetCurrentIrpStackLocation(irp)->Parameters.NotifyDirectory.Length;
    const ULONG used = static_cast<ULONG>(change.buffer.size());
    const bool lost = change.overflow || change.ignore_buffer || used == 0 || used > length;
    NTSTATUS status = STATUS_NOTIFY_ENUM_DIR;
    if (!lost) {
        // Buffered I/O from here: the request may be completed on any thread, so the records go to a
        // system buffer that the I/O manager copies back to the caller's (what NT's FsRtl does too).
        PVOID system = ExAllocatePoolWithTag(NonPagedPoolNx, used, kNotifyBufferTag);
        if (system) {
            std::memcpy(system, change.buffer.data(), used);
            irp->AssociatedIrp.SystemBuffer = system;
            irp->Flags |= IRP_BUFFERED_IO | IRP_DEALLOCATE_BUFFER | IRP_INPUT_OPERATION;
            irp->IoStatus.Information = used;
            status = STATUS_SUCCESS;
        }
    }
    change.buffer.clear();
    change.last_record = 0;
    change.overflow = false;
    return status;
}

void buffer_record_locked(NotifyChange& change, ULONG action, const std::u16string& name) {
    if (change.overflow) return;
    const ULONG name_bytes = static_cast<ULONG>(name.size() * sizeof(char16_t));
    const ULONG used = static_cast<ULONG>(change.buffer.size());
    const ULONG offset = used == 0 ? 0 : align_record(used);
    const ULONG end = offset + kRecordHeader + name_bytes;
    if (change.ignore_buffer || end > change.buffer_length) {
        change.buffer.clear();
        change.last_record = 0;
        change.overflow = true;
        return;
    }
    change.buffer.resize(end, 0);
    if (used != 0) {
        auto* previous = reinterpret_cast<PFILE_NOTIFY_INFORMATION>(change.buffer.data() + change.last_record);
        previous->NextEntryOffset = offset - change.last_record;
    }
    auto* record = reinterpret_cast<PFILE_NOTIFY_INFORMATION>(change.buffer.data() + offset);
    record->NextEntryOffset = 0;
    record->Action = action;
    record->FileNameLength = name_bytes;
    std::memcpy(record->FileName, name.data(), name_bytes);
    change.last_record = offset;
}

void destroy_change_locked(NotifyChange* change, NTSTATUS status, NotifyCompletions& completions) noexcept {
    RemoveEntryList(&change->links);
    while (PIRP irp = take_waiter_locked(*change)) completions.add_waiter(irp, status);
    if (change->subject) {
        // FsRtl owns the subject context it was given (FsRtlNotifyFullChangeDirectory on Learn).
        SeReleaseSubjectContext(change->subject);
        ExFreePool(change->subject);
    }
    delete change;
}

bool is_unicode_name(const STRING* name) noexcept {
    return name && name->Length >= 2 && name->Buffer && name->Buffer[1] == '\0';
}

std::u16string to_u16(const STRING* name, bool unicode) {
    std::u16string text;
    if (!name || !name->Buffer) return text;
    if (unicode) {
        text.resize(name->Length / sizeof(char16_t));
        std::memcpy(text.data(), name->Buffer, text.size() * sizeof(char16_t));
    } else {
        // NT deviation: ANSI names widen byte by byte (ASCII); NT converts through the OEM code page.
        text.reserve(name->Length);
        for (USHORT i = 0; i < name->Length; ++i) text.push_back(static_cast<unsigned char>(name->Buffer[i]));
    }
    return text;
}

// NT deviation: names are compared without regard to case, whatever the file system's own rule; FAT
// and NTFS pass names in their stored case and compare case-blind themselves.
bool equal_names(const std::u16string& a, std::size_t a_offset, const std::u16string& b, std::size_t length) noexcept {
    if (a.size() < a_offset + length || b.size() < length) return false;
    for (std::size_t i = 0; i < length; ++i) {
        const char16_t x = a[a_offset + i];
        const char16_t y = b[i];
        if (x != y && RtlUpcaseUnicodeChar(static_cast<WCHAR>(x)) != RtlUpcaseUnicodeChar(static_cast<WCHAR>(y)))
            return false;
    }
    return true;
}

}  // namespace ntio::fsrtl
