// NtLockFile, NtUnlockFile, NtQueryDirectoryFile(Ex), NtNotifyChangeDirectoryFile,
// NtReadFileScatter, NtWriteFileGather (the Zw forms of the first four here, of the last two in
// zw_io_services.cpp): probe and capture the caller's parameters, reference the file with the access
// the operation needs and the event (reset, NT fact E6), and describe the IRP the WDK documents for
// each; io/file_operation_submit sends it.
#include "nt/current_system.hpp"
#include <ntio/ntapi.h>

#include "io/file_operation_submit.hpp"
#include "nt/object_reference.hpp"
#include "nt/previous_mode.hpp"
#include "nt/user_memory.hpp"

using namespace ntio::nt;
using ntio::io::OperationRequest;

namespace {

// What every event/APC request shares after the file is referenced: an APC routine on a file bound
// to a completion port is refused (NT fact F7), then the event is referenced and reset (E6, H4).
NTSTATUS prepare_request(OperationRequest& request, HandleReference<FILE_OBJECT>& file, HANDLE event_handle,
                         PIO_APC_ROUTINE apc_routine, PVOID apc_context, PIO_STATUS_BLOCK iosb,
                         KPROCESSOR_MODE mode) noexcept {
    if (apc_routine && file->CompletionContext) return STATUS_INVALID_PARAMETER;
    PKEVENT event = nullptr;
    NTSTATUS status = reference_event(event_handle, mode, &event);
    if (!NT_SUCCESS(status)) return status;
    if (event) KeClearEvent(event);
    request.file = file.get();
    ObReferenceObject(request.file);  // the request's own; `file` drops the service's
    request.event = event;
    request.apc_routine = apc_routine;
    request.apc_context = apc_context;
    request.iosb = iosb;
    request.mode = mode;
    return STATUS_SUCCESS;
}

// The byte-range services need read or write access to the data (NtLockFile on Microsoft Learn:
// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-ntlockfile; NT's
// NtLockFile / NtUnlockFile check FILE_READ_DATA | FILE_WRITE_DATA on the handle).
NTSTATUS reference_for_lock(HandleReference<FILE_OBJECT>& file, HANDLE handle, KPROCESSOR_MODE mode) noexcept {
    NTSTATUS status = file.reference(handle, 0, *IoFileObjectType, mode);
    if (!NT_SUCCESS(status)) return status;
    if (mode != KernelMode && !(file.info().GrantedAccess & (FILE_READ_DATA | FILE_WRITE_DATA)))
        return STATUS_ACCESS_DENIED;
    return STATUS_SUCCESS;
}

// ---- Byte-range locks ----

struct LockParameters {
    UCHAR minor;
    UCHAR flags;
    LARGE_INTEGER offset;
    LARGE_INTEGER length;
    ULONG key;
};

// IRP_MJ_LOCK_CONTROL: Parameters.LockControl.Length points at a copy the IRP owns.
// https://learn.microsoft.com/windows-hardware/drivers/ifs/irp-mj-lock-control
NTSTATUS build_lock(PIRP irp, PIO_STACK_LOCATION sp, PDEVICE_OBJECT, void* context) noexcept {
    auto* p = static_cast<LockParameters*>(context);
    auto* length = static_cast<PLARGE_INTEGER>(ntio::io::attach_owned_buffer(irp, sizeof(LARGE_INTEGER)));
    if (!length) return STATUS_INSUFFICIENT_RESOURCES;
    *length = p->length;
    sp->MajorFunction = IRP_MJ_LOCK_CONTROL;
    sp->MinorFunction = p->minor;
    sp->Flags = p->flags;
    sp->Parameters.LockControl.Length = length;
    sp->Parameters.LockControl.Key = p->key;
    sp->Parameters.LockControl.ByteOffset = p->offset;
    return STATUS_SUCCESS;
}

NTSTATUS capture_range(KPROCESSOR_MODE mode, PLARGE_INTEGER offset, PLARGE_INTEGER length, LockParameters& p) noexcept {
    if (mode == KernelMode && (!offset || !length)) return STATUS_INVALID_PARAMETER;
    NTSTATUS status = read_caller(mode, static_cast<const LARGE_INTEGER*>(offset), p.offset);
    if (NT_SUCCESS(status)) status = read_caller(mode, static_cast<const LARGE_INTEGER*>(length), p.length);
    return status;
}

// ---- Directory queries ----

// The directory classes and their minimum lengths (the fixed part of each structure, as NT's
// IopQueryOperationLength table gives them; FileObjectIdInformation and
// FileReparsePointInformation are the NTFS index queries that use the same request).
// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-ntquerydirectoryfile
ULONG directory_class_length(FILE_INFORMATION_CLASS c) noexcept {
    switch (c) {
    case FileDirectoryInformation: return sizeof(FILE_DIRECTORY_INFORMATION);
    case FileFullDirectoryInformation: return sizeof(FILE_FULL_DIR_INFORMATION);
    case FileBothDirectoryInformation: return sizeof(FILE_BOTH_DIR_INFORMATION);
    case FileNamesInformation: return sizeof(FILE_NAMES_INFORMATION);
    case FileObjectIdInformation: return 0x48;      // FILE_OBJECTID_INFORMATION
    case FileReparsePointInformation: return 0x10;  // FILE_REPARSE_POINT_INFORMATION
    case FileIdBothDirectoryInformation: return sizeof(FILE_ID_BOTH_DIR_INFORMATION);
    case FileIdFullDirectoryInformation: return sizeof(FILE_ID_FULL_DIR_INFORMATION);
    case FileIdGlobalTxDirectoryInformation: return 0x60;  // FILE_ID_GLOBAL_TX_DIR_INFORMATION
    case FileIdExtdDirectoryInformation: return 0x60;      // FILE_ID_EXTD_DIR_INFORMATION
    case FileIdExtdBothDirectoryInformation: return 0x78;  // FILE_ID_EXTD_BOTH_DIR_INFORMATION
    default: return 0;
    }
}

struct DirectoryParameters {
    PVOID buffer = nullptr;
    ULONG length = 0;
    FILE_INFORMATION_CLASS information_class = FileDirectoryInformation;
    UCHAR flags = 0;
    bool has_name = false;
    UNICODE_STRING name{};               // captured; Buffer points into `name_storage`
    std::unique_ptr<WCHAR[]> name_storage;
};

// IRP_MJ_DIRECTORY_CONTROL / IRP_MN_QUERY_DIRECTORY. The output buffer goes as the device asks:
// a system buffer copied back (DO_BUFFERED_IO), an MDL (DO_DIRECT_IO), else the caller's pointer in
// UserBuffer (file systems normally take it that way and lock it themselves).
// https://learn.microsoft.com/windows-hardware/drivers/ifs/irp-mn-query-directory
NTSTATUS build_query_directory(PIRP irp, PIO_STACK_LOCATION sp, PDEVICE_OBJECT top, void* context) noexcept {
    auto* p = static_cast<DirectoryParameters*>(context);
    const bool buffered = (top->Flags & DO_BUFFERED_IO) != 0;
    const SIZE_T transfer = buffered ? ((static_cast<SIZE_T>(p->length) + 7) & ~SIZE_T{7}) : 0;
    const SIZE_T name_bytes = p->has_name ? sizeof(UNICODE_STRING) + p->name.Length : 0;
    PUNICODE_STRING name = nullptr;
    if (transfer + name_bytes) {
        auto* owned = static_cast<unsigned char*>(ntio::io::attach_owned_buffer(irp, transfer + name_bytes));
        if (!owned) return STATUS_INSUFFICIENT_RESOURCES;
        if (p->has_name) {
            name = reinterpret_cast<PUNICODE_STRING>(owned + transfer);
            auto* chars = reinterpret_cast<PWCH>(name + 1);
            if (p->name.Length) std::memcpy(chars, p->name.Buffer, p->name.Length);
            name->Buffer = chars;
            name->Length = name->MaximumLength = p->name.Length;
        }
        if (!buffered) irp->AssociatedIrp.SystemBuffer = owned;  // keeps it owned; not a transfer buffer
    }
    if (buffered) {
        irp->Flags |= IRP_INPUT_OPERATION;
        irp->UserBuffer = p->buffer;
    } else if (top->Flags & DO_DIRECT_IO) {
        if (NTSTATUS status = ntio::io::attach_locked_mdl(irp, p->buffer, p->length, IoWriteAccess); !NT_SUCCESS(status)) return status;
        irp->UserBuffer = p->buffer;
    } else {
        irp->UserBuffer = p->buffer;
    }
    sp->MajorFunction = IRP_MJ_DIRECTORY_CONTROL;
    sp->MinorFunction = IRP_MN_QUERY_DIRECTORY;
    sp->Flags = p->flags;
    sp->Parameters.QueryDirectory.Length = p->length;
    sp->Parameters.QueryDirectory.FileName = name;
    sp->Parameters.QueryDirectory.FileInformationClass = p->information_class;
    sp->Parameters.QueryDirectory.FileIndex = 0;
    return STATUS_SUCCESS;
}

NTSTATUS query_directory(HANDLE file_handle, HANDLE event_handle, PIO_APC_ROUTINE apc_routine, PVOID apc_context,
                         PIO_STATUS_BLOCK iosb, PVOID buffer, ULONG length, FILE_INFORMATION_CLASS information_class,
                         UCHAR flags, PUNICODE_STRING file_name) noexcept {
    const KPROCESSOR_MODE mode = previous_mode();
    NTSTATUS status = probe_iosb(mode, iosb);
    if (!NT_SUCCESS(status)) return status;
    const ULONG minimum = directory_class_length(information_class);
    if (!minimum) return STATUS_INVALID_INFO_CLASS;
    if (length < minimum) return STATUS_INFO_LENGTH_MISMATCH;
    if (mode != KernelMode) {
        status = probe_for_write(buffer, length, sizeof(ULONG));
        if (!NT_SUCCESS(status)) return status;
    }
    DirectoryParameters p;
    p.buffer = buffer;
    p.length = length;
    p.information_class = information_class;
    p.flags = flags;
    if (file_name) {
        UNICODE_STRING name{};
        status = read_caller(mode, static_cast<const UNICODE_STRING*>(file_name), name);
        if (!NT_SUCCESS(status)) return status;
        if ((name.Length & 1) || name.Length > name.MaximumLength) return STATUS_INVALID_PARAMETER;
        // An empty search expression is no expression (the file system then matches everything).
        if (name.Length) {
            p.name_storage.reset(new (std::nothrow) WCHAR[name.Length / sizeof(WCHAR)]);
            if (!p.name_storage) return STATUS_INSUFFICIENT_RESOURCES;
            if (mode == KernelMode) {
                std::memcpy(p.name_storage.get(), name.Buffer, name.Length);
            } else {
                status = copy_from_user(p.name_storage.get(), name.Buffer, name.Length, sizeof(WCHAR));
                if (!NT_SUCCESS(status)) return status;
            }
            p.name.Buffer = p.name_storage.get();
            p.name.Length = p.name.MaximumLength = name.Length;
            p.has_name = true;
        }
    }

    HandleReference<FILE_OBJECT> file;
    status = file.reference(file_handle, FILE_LIST_DIRECTORY, *IoFileObjectType, mode);
    if (!NT_SUCCESS(status)) return status;
    OperationRequest request;
    status = prepare_request(request, file, event_handle, apc_routine, apc_context, iosb, mode);
    if (!NT_SUCCESS(status)) return status;
    return ntio::io::submit_operation(request, build_query_directory, &p);
}

// ---- Change notification ----

struct NotifyParameters {
    PVOID buffer;
    ULONG length;
    ULONG filter;
    bool watch_tree;
};

// IRP_MJ_DIRECTORY_CONTROL / IRP_MN_NOTIFY_CHANGE_DIRECTORY. The caller's buffer goes as
// UserBuffer whatever the device flags: the file system completes the request later, from another
// context, and buffers the changes itself (FsRtlNotifyFullChangeDirectory).
// https://learn.microsoft.com/windows-hardware/drivers/ifs/irp-mn-notify-change-directory
NTSTATUS build_notify(PIRP irp, PIO_STACK_LOCATION sp, PDEVICE_OBJECT, void* context) noexcept {
    auto* p = static_cast<NotifyParameters*>(context);
    irp->UserBuffer = p->buffer;
    sp->MajorFunction = IRP_MJ_DIRECTORY_CONTROL;
    sp->MinorFunction = IRP_MN_NOTIFY_CHANGE_DIRECTORY;
    sp->Flags = p->watch_tree ? SL_WATCH_TREE : 0;
    sp->Parameters.NotifyDirectory.Length = p->length;
    sp->Parameters.NotifyDirectory.CompletionFilter = p->filter;
    return STATUS_SUCCESS;
}

// ---- Scatter / gather ----

struct SegmentParameters {
    bool write = false;
    ULONG length = 0;
    LARGE_INTEGER offset{};
    ULONG key = 0;
    std::unique_ptr<PVOID[]> pages;  // one caller page per PAGE_SIZE of the transfer
    ULONG page_count = 0;
};

// Where a scatter read's data goes when the driver is done: stored after the data in the IRP's
// owned buffer, so it lives exactly as long as the IRP.
struct ScatterTarget {
    ULONG length;
    ULONG page_count;
    PVOID data;
    PVOID pages[1];
};

// Copies what the driver read into the caller's pages (only on !NT_ERROR, as a buffered copy-back).
NTSTATUS NTAPI scatter_completion(PDEVICE_OBJECT, PIRP irp, PVOID context) {
    auto* target = static_cast<ScatterTarget*>(context);
    if (NT_ERROR(irp->IoStatus.Status)) return STATUS_CONTINUE_COMPLETION;
    SIZE_T remaining = std::min<ULONG_PTR>(irp->IoStatus.Information, target->length);
    const auto* from = static_cast<const unsigned char*>(target->data);
    __try {
        for (ULONG i = 0; i < target->page_count && remaining; ++i) {
            const SIZE_T chunk = std::min<SIZE_T>(remaining, PAGE_SIZE);
            std::memcpy(target->pages[i], from + static_cast<SIZE_T>(i) * PAGE_SIZE, chunk);
            remaining -= chunk;
        }
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        irp->IoStatus.Status = GetExceptionCode();
        irp->IoStatus.Information = 0;
    }
    return STATUS_CONTINUE_COMPLETION;
}

// IRP_MJ_READ / IRP_MJ_WRITE with IRP_NOCACHE and an MDL of the whole transfer.
// NT deviation: NT's MDL lists the caller's pages themselves; ntio's MDLs describe one contiguous
// mapping, so the MDL describes a bounce buffer the IRP owns: a gather copies the pages in before
// the IRP is sent, a scatter copies them out from a completion routine in the first stack location
// (which the top driver therefore sees set, with SL_INVOKE_* in its Control).
NTSTATUS build_segments(PIRP irp, PIO_STACK_LOCATION sp, PDEVICE_OBJECT, void* context) noexcept {
    auto* p = static_cast<SegmentParameters*>(context);
    sp->MajorFunction = p->write ? IRP_MJ_WRITE : IRP_MJ_READ;
    sp->Parameters.Read.Length = p->length;
    sp->Parameters.Read.Key = p->key;
    sp->Parameters.Read.ByteOffset = p->offset;
    irp->Flags |= (p->write ? IRP_WRITE_OPERATION : IRP_READ_OPERATION) | IRP_NOCACHE;
    // A write-through file object's writes say so per IRP, as NtWriteFile's do (request_submit.cpp).
    if (p->write && (ntio::io::file_flags(sp->FileObject) & FO_WRITE_THROUGH)) sp->Flags |= SL_WRITE_THROUGH;
    if (!p->length) return STATUS_SUCCESS;
    const SIZE_T data_bytes = static_cast<SIZE_T>(p->page_count) * PAGE_SIZE;
    const SIZE_T target_bytes = offsetof(ScatterTarget, pages) + sizeof(PVOID) * p->page_count;
    auto* owned = static_cast<unsigned char*>(ntio::io::attach_owned_buffer(irp, data_bytes + target_bytes));
    if (!owned) return STATUS_INSUFFICIENT_RESOURCES;
    if (p->write) {
        SIZE_T remaining = p->length;
        NTSTATUS status = STATUS_SUCCESS;
        __try {
            for (ULONG i = 0; i < p->page_count; ++i) {
                const SIZE_T chunk = std::min<SIZE_T>(remaining, PAGE_SIZE);
                std::memcpy(owned + static_cast<SIZE_T>(i) * PAGE_SIZE, p->pages[i], chunk);
                remaining -= chunk;
            }
        } __except (EXCEPTION_EXECUTE_HANDLER) {
            status = GetExceptionCode();
        }
        if (!NT_SUCCESS(status)) return status;
    }
    PMDL mdl = IoAllocateMdl(owned, p->length, FALSE, FALSE, nullptr);
    if (!mdl) return STATUS_INSUFFICIENT_RESOURCES;
    MmBuildMdlForNonPagedPool(mdl);
    irp->MdlAddress = mdl;
    if (!p->write) {
        auto* target = reinterpret_cast<ScatterTarget*>(owned + data_bytes);
        target->length = p->length;
        target->page_count = p->page_count;
        target->data = owned;
        for (ULONG i = 0; i < p->page_count; ++i) target->pages[i] = p->pages[i];
        IoSetCompletionRoutine(irp, scatter_completion, target, TRUE, TRUE, TRUE);
    }
    return STATUS_SUCCESS;
}

// NtReadFileScatter / NtWriteFileGather: the file must be non-cached
// (FILE_NO_INTERMEDIATE_BUFFERING), every element a page-aligned caller page, the length a multiple
// of the sector size; offsets follow the read/write rules (NT facts I4, I5).
// https://learn.microsoft.com/windows/win32/api/fileapi/nf-fileapi-readfilescatter
NTSTATUS segments(bool write, HANDLE file_handle, HANDLE event_handle, PIO_APC_ROUTINE apc_routine, PVOID apc_context,
                  PIO_STATUS_BLOCK iosb, PFILE_SEGMENT_ELEMENT segment_array, ULONG length, PLARGE_INTEGER byte_offset,
                  PULONG key) noexcept {
    const KPROCESSOR_MODE mode = previous_mode();
    NTSTATUS status = probe_iosb(mode, iosb);
    if (!NT_SUCCESS(status)) return status;
    SegmentParameters p;
    p.write = write;
    p.length = length;
    p.page_count = static_cast<ULONG>((static_cast<ULONGLONG>(length) + PAGE_SIZE - 1) / PAGE_SIZE);
    if (p.page_count) {
        if (!segment_array) return STATUS_ACCESS_VIOLATION;
        const SIZE_T array_bytes = sizeof(FILE_SEGMENT_ELEMENT) * static_cast<SIZE_T>(p.page_count);
        std::unique_ptr<FILE_SEGMENT_ELEMENT[]> captured(new (std::nothrow) FILE_SEGMENT_ELEMENT[p.page_count]);
        p.pages.reset(new (std::nothrow) PVOID[p.page_count]);
        if (!captured || !p.pages) return STATUS_INSUFFICIENT_RESOURCES;
        if (mode == KernelMode) {
            std::memcpy(captured.get(), segment_array, array_bytes);
        } else {
            status = copy_from_user(captured.get(), segment_array, array_bytes, sizeof(ULONGLONG));
            if (!NT_SUCCESS(status)) return status;
        }
        for (ULONG i = 0; i < p.page_count; ++i) {
            if (captured[i].Alignment & (PAGE_SIZE - 1)) return STATUS_INVALID_PARAMETER;
            p.pages[i] = captured[i].Buffer;
            if (mode != KernelMode) {
                status = write ? probe_for_read(p.pages[i], PAGE_SIZE, 1) : probe_for_write(p.pages[i], PAGE_SIZE, 1);
                if (!NT_SUCCESS(status)) return status;
            }
        }
    }
    bool has_offset = false;
    if (byte_offset) {
        status = read_caller(mode, static_cast<const LARGE_INTEGER*>(byte_offset), p.offset);
        if (!NT_SUCCESS(status)) return status;
        has_offset = true;
    }
    if (key) {
        status = read_caller(mode, static_cast<const ULONG*>(key), p.key);
        if (!NT_SUCCESS(status)) return status;
    }

    HandleReference<FILE_OBJECT> file;
    status = file.reference(file_handle, 0, *IoFileObjectType, mode);
    if (!NT_SUCCESS(status)) return status;
    const ACCESS_MASK needed = write ? (FILE_WRITE_DATA | FILE_APPEND_DATA) : FILE_READ_DATA;
    if (mode != KernelMode && !(file.info().GrantedAccess & needed)) return STATUS_ACCESS_DENIED;
    PFILE_OBJECT fo = file.get();
    if (!(ntio::io::file_flags(fo) & FO_NO_INTERMEDIATE_BUFFERING)) return STATUS_INVALID_PARAMETER;
    const ULONG sector = IoGetRelatedDeviceObject(fo)->SectorSize;
    if (sector && (length & (sector - 1))) return STATUS_INVALID_PARAMETER;
    const bool sync = (ntio::io::file_flags(fo) & FO_SYNCHRONOUS_IO) != 0;
    if (!has_offset) {
        if (!sync) return STATUS_INVALID_PARAMETER;
    } else if (p.offset.QuadPart < 0) {
        const bool end_of_file = p.offset.LowPart == FILE_WRITE_TO_END_OF_FILE && p.offset.HighPart == -1;
        const bool file_pointer = p.offset.LowPart == FILE_USE_FILE_POINTER_POSITION && p.offset.HighPart == -1;
        if (!(write && end_of_file) && !(sync && file_pointer)) return STATUS_INVALID_PARAMETER;
    }
    // NT deviation: a synchronous file's position is read for a missing offset but not advanced
    // afterwards (scatter/gather is meant for asynchronous handles, which have none).
    if (sync && (!has_offset || (p.offset.LowPart == FILE_USE_FILE_POINTER_POSITION && p.offset.HighPart == -1)))
        p.offset = fo->CurrentByteOffset;
    if (has_offset && sector && p.offset.QuadPart >= 0 && (static_cast<ULONGLONG>(p.offset.QuadPart) & (sector - 1)))
        return STATUS_INVALID_PARAMETER;

    OperationRequest request;
    status = prepare_request(request, file, event_handle, apc_routine, apc_context, iosb, mode);
    if (!NT_SUCCESS(status)) return status;
    return ntio::io::submit_operation(request, build_segments, &p);
}

}  // namespace

extern "C" {

NTSTATUS NTAPI NtLockFile(HANDLE FileHandle, HANDLE Event, PIO_APC_ROUTINE ApcRoutine, PVOID ApcContext,
                          PIO_STATUS_BLOCK IoStatusBlock, PLARGE_INTEGER ByteOffset, PLARGE_INTEGER Length, ULONG Key,
                          BOOLEAN FailImmediately, BOOLEAN ExclusiveLock) {
    const KPROCESSOR_MODE mode = previous_mode();
    NTSTATUS status = probe_iosb(mode, IoStatusBlock);
    if (!NT_SUCCESS(status)) return status;
    LockParameters p{};
    p.minor = IRP_MN_LOCK;
    p.flags = static_cast<UCHAR>((FailImmediately ? SL_FAIL_IMMEDIATELY : 0) | (ExclusiveLock ? SL_EXCLUSIVE_LOCK : 0));
    p.key = Key;
    status = capture_range(mode, ByteOffset, Length, p);
    if (!NT_SUCCESS(status)) return status;
    HandleReference<FILE_OBJECT> file;
    status = reference_for_lock(file, FileHandle, mode);
    if (!NT_SUCCESS(status)) return status;
    OperationRequest request;
    status = prepare_request(request, file, Event, ApcRoutine, ApcContext, IoStatusBlock, mode);
    if (!NT_SUCCESS(status)) return status;
    // Tells the file system that byte-range locks exist on this file object (it releases them at
    // IRP_MJ_CLEANUP, FsRtlFastUnlockAll).
    request.file->LockOperation = TRUE;
    return ntio::io::submit_operation(request, build_lock, &p);
}

// No event or APC: the call returns the final status on every kind of handle.
NTSTATUS NTAPI NtUnlockFile(HANDLE FileHandle, PIO_STATUS_BLOCK IoStatusBlock, PLARGE_INTEGER ByteOffset,
                            PLARGE_INTEGER Length, ULONG Key) {
    const KPROCESSOR_MODE mode = previous_mode();
    NTSTATUS status = probe_iosb(mode, IoStatusBlock);
    if (!NT_SUCCESS(status)) return status;
    LockParameters p{};
    p.minor = IRP_MN_UNLOCK_SINGLE;
    p.key = Key;
    status = capture_range(mode, ByteOffset, Length, p);
    if (!NT_SUCCESS(status)) return status;
    HandleReference<FILE_OBJECT> file;
    status = reference_for_lock(file, FileHandle, mode);
    if (!NT_SUCCESS(status)) return status;
    OperationRequest request;
    status = prepare_request(request, file, nullptr, nullptr, nullptr, IoStatusBlock, mode);
    if (!NT_SUCCESS(status)) return status;
    request.blocking = true;
    return ntio::io::submit_operation(request, build_lock, &p);
}

NTSTATUS NTAPI NtQueryDirectoryFile(HANDLE FileHandle, HANDLE Event, PIO_APC_ROUTINE ApcRoutine, PVOID ApcContext,
                                    PIO_STATUS_BLOCK IoStatusBlock, PVOID FileInformation, ULONG Length,
                                    FILE_INFORMATION_CLASS FileInformationClass, BOOLEAN ReturnSingleEntry,
                                    PUNICODE_STRING FileName, BOOLEAN RestartScan) {
    const UCHAR flags = static_cast<UCHAR>((RestartScan ? SL_RESTART_SCAN : 0) | (ReturnSingleEntry ? SL_RETURN_SINGLE_ENTRY : 0));
    return query_directory(FileHandle, Event, ApcRoutine, ApcContext, IoStatusBlock, FileInformation, Length,
                           FileInformationClass, flags, FileName);
}

// QueryFlags are the SL_* flags of the stack location (FILE_QUERY_* has the same values); unknown
// bits are STATUS_INVALID_PARAMETER.
// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-ntquerydirectoryfileex
NTSTATUS NTAPI NtQueryDirectoryFileEx(HANDLE FileHandle, HANDLE Event, PIO_APC_ROUTINE ApcRoutine, PVOID ApcContext,
                                      PIO_STATUS_BLOCK IoStatusBlock, PVOID FileInformation, ULONG Length,
                                      FILE_INFORMATION_CLASS FileInformationClass, ULONG QueryFlags,
                                      PUNICODE_STRING FileName) {
    constexpr ULONG kValid = FILE_QUERY_RESTART_SCAN | FILE_QUERY_RETURN_SINGLE_ENTRY | FILE_QUERY_INDEX_SPECIFIED |
                             FILE_QUERY_RETURN_ON_DISK_ENTRIES_ONLY | FILE_QUERY_NO_CURSOR_UPDATE;
    if (QueryFlags & ~kValid) return STATUS_INVALID_PARAMETER;
    return query_directory(FileHandle, Event, ApcRoutine, ApcContext, IoStatusBlock, FileInformation, Length,
                           FileInformationClass, static_cast<UCHAR>(QueryFlags), FileName);
}

// A filter of 0 or with bits outside FILE_NOTIFY_VALID_MASK is STATUS_INVALID_PARAMETER.
// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-ntnotifychangedirectoryfile
NTSTATUS NTAPI NtNotifyChangeDirectoryFile(HANDLE FileHandle, HANDLE Event, PIO_APC_ROUTINE ApcRoutine,
                                           PVOID ApcContext, PIO_STATUS_BLOCK IoStatusBlock, PVOID Buffer,
                                           ULONG Length, ULONG CompletionFilter, BOOLEAN WatchTree) {
    const KPROCESSOR_MODE mode = previous_mode();
    NTSTATUS status = probe_iosb(mode, IoStatusBlock);
    if (!NT_SUCCESS(status)) return status;
    if (!CompletionFilter || (CompletionFilter & ~FILE_NOTIFY_VALID_MASK)) return STATUS_INVALID_PARAMETER;
    if (mode != KernelMode) {
        status = probe_for_write(Buffer, Length, sizeof(ULONG));
        if (!NT_SUCCESS(status)) return status;
    }
    HandleReference<FILE_OBJECT> file;
    status = file.reference(FileHandle, FILE_LIST_DIRECTORY, *IoFileObjectType, mode);
    if (!NT_SUCCESS(status)) return status;
    OperationRequest request;
    status = prepare_request(request, file, Event, ApcRoutine, ApcContext, IoStatusBlock, mode);
    if (!NT_SUCCESS(status)) return status;
    NotifyParameters p{Buffer, Length, CompletionFilter, WatchTree != FALSE};
    return ntio::io::submit_operation(request, build_notify, &p);
}

NTSTATUS NTAPI NtReadFileScatter(HANDLE FileHandle, HANDLE Event, PIO_APC_ROUTINE ApcRoutine, PVOID ApcContext,
                                 PIO_STATUS_BLOCK IoStatusBlock, PFILE_SEGMENT_ELEMENT SegmentArray, ULONG Length,
                                 PLARGE_INTEGER ByteOffset, PULONG Key) {
    return segments(false, FileHandle, Event, ApcRoutine, ApcContext, IoStatusBlock, SegmentArray, Length, ByteOffset, Key);
}

NTSTATUS NTAPI NtWriteFileGather(HANDLE FileHandle, HANDLE Event, PIO_APC_ROUTINE ApcRoutine, PVOID ApcContext,
                                 PIO_STATUS_BLOCK IoStatusBlock, PFILE_SEGMENT_ELEMENT SegmentArray, ULONG Length,
                                 PLARGE_INTEGER ByteOffset, PULONG Key) {
    return segments(true, FileHandle, Event, ApcRoutine, ApcContext, IoStatusBlock, SegmentArray, Length, ByteOffset, Key);
}

NTSTATUS NTAPI ZwLockFile(HANDLE FileHandle, HANDLE Event, PIO_APC_ROUTINE ApcRoutine, PVOID ApcContext,
                          PIO_STATUS_BLOCK IoStatusBlock, PLARGE_INTEGER ByteOffset, PLARGE_INTEGER Length, ULONG Key,
                          BOOLEAN FailImmediately, BOOLEAN ExclusiveLock) {
    KernelModeCall kernel;
    return NtLockFile(FileHandle, Event, ApcRoutine, ApcContext, IoStatusBlock, ByteOffset, Length, Key, FailImmediately,
                      ExclusiveLock);
}

NTSTATUS NTAPI ZwUnlockFile(HANDLE FileHandle, PIO_STATUS_BLOCK IoStatusBlock, PLARGE_INTEGER ByteOffset,
                            PLARGE_INTEGER Length, ULONG Key) {
    KernelModeCall kernel;
    return NtUnlockFile(FileHandle, IoStatusBlock, ByteOffset, Length, Key);
}

NTSTATUS NTAPI ZwQueryDirectoryFile(HANDLE FileHandle, HANDLE Event, PIO_APC_ROUTINE ApcRoutine, PVOID ApcContext,
                                    PIO_STATUS_BLOCK IoStatusBlock, PVOID FileInformation, ULONG Length,
                                    FILE_INFORMATION_CLASS FileInformationClass, BOOLEAN ReturnSingleEntry,
                                    PUNICODE_STRING FileName, BOOLEAN RestartScan) {
    KernelModeCall kernel;
    return NtQueryDirectoryFile(FileHandle, Event, ApcRoutine, ApcContext, IoStatusBlock, FileInformation, Length,
                                FileInformationClass, ReturnSingleEntry, FileName, RestartScan);
}

NTSTATUS NTAPI ZwQueryDirectoryFileEx(HANDLE FileHandle, HANDLE Event, PIO_APC_ROUTINE ApcRoutine, PVOID ApcContext,
                                      PIO_STATUS_BLOCK IoStatusBlock, PVOID FileInformation, ULONG Length,
                                      FILE_INFORMATION_CLASS FileInformationClass, ULONG QueryFlags,
                                      PUNICODE_STRING FileName) {
    KernelModeCall kernel;
    return NtQueryDirectoryFileEx(FileHandle, Event, ApcRoutine, ApcContext, IoStatusBlock, FileInformation, Length,
                                  FileInformationClass, QueryFlags, FileName);
}

NTSTATUS NTAPI ZwNotifyChangeDirectoryFile(HANDLE FileHandle, HANDLE Event, PIO_APC_ROUTINE ApcRoutine,
                                           PVOID ApcContext, PIO_STATUS_BLOCK IoStatusBlock, PVOID Buffer,
                                           ULONG Length, ULONG CompletionFilter, BOOLEAN WatchTree) {
    KernelModeCall kernel;
    return NtNotifyChangeDirectoryFile(FileHandle, Event, ApcRoutine, ApcContext, IoStatusBlock, Buffer, Length,
                                       CompletionFilter, WatchTree);
}

}  // extern "C"
