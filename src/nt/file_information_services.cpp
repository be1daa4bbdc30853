// NtQueryInformationFile and NtSetInformationFile: class rules, probing and capture, the handle's
// access per class, the classes the I/O manager answers itself (position on synchronous files,
// mode, access, alignment, the completion classes) and IRP_MJ_QUERY_INFORMATION /
// IRP_MJ_SET_INFORMATION for the rest, with rename and link targets opened as NT does.
#include "nt/file_information_common.hpp"

#include "io/io_completion.hpp"
#include "io/objects.hpp"
#include "io/request_submit.hpp"

using namespace ntio::nt;
using namespace ntio::nt::info;

namespace {

constexpr ULONG kSettableModes =
    FILE_WRITE_THROUGH | FILE_SEQUENTIAL_ONLY | FILE_SYNCHRONOUS_IO_ALERT | FILE_SYNCHRONOUS_IO_NONALERT;

bool synchronous(PFILE_OBJECT file) noexcept { return (ntio::io::file_flags(file) & FO_SYNCHRONOUS_IO) != 0; }

// FileModeInformation from the file object's flags (NT fact I11): FILE_DELETE_ON_CLOSE,
// FILE_RANDOM_ACCESS and the like are never reported.
ULONG mode_of(PFILE_OBJECT file) noexcept {
    const ULONG flags = ntio::io::file_flags(file);
    ULONG mode = 0;
    if (flags & FO_WRITE_THROUGH) mode |= FILE_WRITE_THROUGH;
    if (flags & FO_SEQUENTIAL_ONLY) mode |= FILE_SEQUENTIAL_ONLY;
    if (flags & FO_NO_INTERMEDIATE_BUFFERING) mode |= FILE_NO_INTERMEDIATE_BUFFERING;
    if (flags & FO_SYNCHRONOUS_IO)
        mode |= (flags & FO_ALERTABLE_IO) ? FILE_SYNCHRONOUS_IO_ALERT : FILE_SYNCHRONOUS_IO_NONALERT;
    return mode;
}

bool completion_class(FILE_INFORMATION_CLASS c) noexcept {
    return c == FileCompletionInformation || c == FileReplaceCompletionInformation ||
           c == FileIoCompletionNotificationInformation;
}

bool names_a_target(FILE_INFORMATION_CLASS c) noexcept {
    return c == FileRenameInformation || c == FileLinkInformation || c == FileMoveClusterInformation ||
           c == FileRenameInformationEx || c == FileLinkInformationEx;
}

// The I/O manager's answers. `granted` is the handle's access.
NTSTATUS query_locally(PFILE_OBJECT file, FILE_INFORMATION_CLASS info_class, ACCESS_MASK granted, PVOID user,
                       PIO_STATUS_BLOCK iosb, KPROCESSOR_MODE mode, bool* handled) noexcept {
    *handled = true;
    switch (info_class) {
    case FileAccessInformation: {
        FILE_ACCESS_INFORMATION info{granted};
        return answer(user, &info, sizeof(info), iosb);
    }
    case FileModeInformation: {
        FILE_MODE_INFORMATION info{mode_of(file)};
        return answer(user, &info, sizeof(info), iosb);
    }
    case FileAlignmentInformation: {
        FILE_ALIGNMENT_INFORMATION info{IoGetRelatedDeviceObject(file)->AlignmentRequirement};
        return answer(user, &info, sizeof(info), iosb);
    }
    case FilePositionInformation: {
        if (!synchronous(file)) break;  // asynchronous files: the driver keeps the position, if anyone
        NTSTATUS status = ntio::io::acquire_file_lock(file, mode);
        if (status != STATUS_SUCCESS) return status;
        FILE_POSITION_INFORMATION info{file->CurrentByteOffset};
        ntio::io::release_file_lock(file);
        return answer(user, &info, sizeof(info), iosb);
    }
    case FileIoCompletionNotificationInformation: {
        ULONG value = 0;
        ULONG written = 0;
        NTSTATUS status = ntio::io::query_completion_information(file, info_class, &value, sizeof(value), &written);
        if (!NT_SUCCESS(status)) return status;
        return answer(user, &value, std::min<ULONG>(written, sizeof(value)), iosb);
    }
    default: break;
    }
    *handled = false;
    return STATUS_SUCCESS;
}

// FileModeInformation set: only write-through, sequential-only and the alertability of a
// synchronous file can change; the synchronous mode itself cannot (STATUS_INVALID_PARAMETER).
NTSTATUS set_mode(PFILE_OBJECT file, ULONG mode) noexcept {
    if (mode & ~kSettableModes) return STATUS_INVALID_PARAMETER;
    const ULONG sync_bits = mode & (FILE_SYNCHRONOUS_IO_ALERT | FILE_SYNCHRONOUS_IO_NONALERT);
    if (synchronous(file)) {
        if (sync_bits != FILE_SYNCHRONOUS_IO_ALERT && sync_bits != FILE_SYNCHRONOUS_IO_NONALERT)
            return STATUS_INVALID_PARAMETER;
    } else if (sync_bits) {
        return STATUS_INVALID_PARAMETER;
    }
    auto set = [file](ULONG flag, bool on) {
        if (on) __atomic_fetch_or(&file->Flags, flag, __ATOMIC_RELAXED);
        else __atomic_fetch_and(&file->Flags, ~flag, __ATOMIC_RELAXED);
    };
    set(FO_WRITE_THROUGH, mode & FILE_WRITE_THROUGH);
    set(FO_SEQUENTIAL_ONLY, mode & FILE_SEQUENTIAL_ONLY);
    if (sync_bits) set(FO_ALERTABLE_IO, sync_bits == FILE_SYNCHRONOUS_IO_ALERT);
    return STATUS_SUCCESS;
}

// FilePositionInformation set on a synchronous file: non-negative, and aligned to the device's
// AlignmentRequirement for FILE_NO_INTERMEDIATE_BUFFERING opens.
// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/ns-wdm-_file_position_information
NTSTATUS set_position(PFILE_OBJECT file, const FILE_POSITION_INFORMATION& info, KPROCESSOR_MODE mode) noexcept {
    if (info.CurrentByteOffset.QuadPart < 0) return STATUS_INVALID_PARAMETER;
    if ((ntio::io::file_flags(file) & FO_NO_INTERMEDIATE_BUFFERING) &&
        (static_cast<ULONGLONG>(info.CurrentByteOffset.QuadPart) & IoGetRelatedDeviceObject(file)->AlignmentRequirement))
        return STATUS_INVALID_PARAMETER;
    NTSTATUS status = ntio::io::acquire_file_lock(file, mode);
    if (status != STATUS_SUCCESS) return status;
    file->CurrentByteOffset = info.CurrentByteOffset;
    ntio::io::release_file_lock(file);
    return STATUS_SUCCESS;
}

// The target of a rename or link named by RootDirectory and/or a path (NT's
// IopOpenLinkOrRenameTarget): opened for FILE_WRITE_DATA with IO_OPEN_TARGET_DIRECTORY, it must be
// on the same device as the source. A bare name with no RootDirectory needs no target (FileObject
// NULL: the file system renames within the directory).
// The create reaches the driver with SL_OPEN_TARGET_DIRECTORY: a file system opens the target's
// parent directory and leaves the last component in FileObject->FileName; a driver that ignores the
// flag sees a plain open of the target name.
class RenameTarget {
public:
    RenameTarget() = default;
    RenameTarget(const RenameTarget&) = delete;
    RenameTarget& operator=(const RenameTarget&) = delete;
    ~RenameTarget() {
        if (m_file) ObDereferenceObject(m_file);
        if (m_handle) {
            KernelModeCall kernel;
            (void)NtClose(m_handle);
        }
    }
    PFILE_OBJECT file() const noexcept { return m_file; }

    NTSTATUS open(PFILE_OBJECT source, const FILE_RENAME_INFORMATION* info, KPROCESSOR_MODE mode) noexcept {
        UNICODE_STRING name;
        name.Buffer = const_cast<PWSTR>(info->FileName);
        name.Length = name.MaximumLength = static_cast<USHORT>(info->FileNameLength);
        OBJECT_ATTRIBUTES attributes;
        InitializeObjectAttributes(&attributes, &name, OBJ_CASE_INSENSITIVE | OBJ_KERNEL_HANDLE, info->RootDirectory,
                                   nullptr);
        IO_STATUS_BLOCK iosb{};
        const ULONG options = IO_NO_PARAMETER_CHECKING | IO_OPEN_TARGET_DIRECTORY |
                              (mode == UserMode ? IO_FORCE_ACCESS_CHECK : 0);
        NTSTATUS status = IoCreateFile(&m_handle, FILE_WRITE_DATA | SYNCHRONIZE, &attributes, &iosb, nullptr, 0,
                                       FILE_SHARE_READ | FILE_SHARE_WRITE, FILE_OPEN, 0, nullptr, 0, CreateFileTypeNone,
                                       nullptr, options);
        if (!NT_SUCCESS(status)) {
            m_handle = nullptr;
            return status;
        }
        PVOID object = nullptr;
        status = ObReferenceObjectByHandle(m_handle, 0, *IoFileObjectType, KernelMode, &object, nullptr);
        if (!NT_SUCCESS(status)) return status;
        m_file = static_cast<PFILE_OBJECT>(object);
        if (IoGetRelatedDeviceObject(m_file) != IoGetRelatedDeviceObject(source)) return STATUS_NOT_SAME_DEVICE;
        return STATUS_SUCCESS;
    }

private:
    HANDLE m_handle = nullptr;
    PFILE_OBJECT m_file = nullptr;
};

}  // namespace

extern "C" {

NTSTATUS NTAPI NtQueryInformationFile(HANDLE FileHandle, PIO_STATUS_BLOCK IoStatusBlock, PVOID FileInformation,
                                      ULONG Length, FILE_INFORMATION_CLASS FileInformationClass) {
    const KPROCESSOR_MODE mode = previous_mode();
    const ClassRule rule = query_file_rule(FileInformationClass);
    if (!rule.min_length) return STATUS_INVALID_INFO_CLASS;
    if (Length < rule.min_length) return STATUS_INFO_LENGTH_MISMATCH;
    NTSTATUS status = probe_iosb(mode, IoStatusBlock);
    if (!NT_SUCCESS(status)) return status;
    if (mode != KernelMode) {
        status = probe_for_write(FileInformation, Length, probe_alignment(rule.min_length));
        if (!NT_SUCCESS(status)) return status;
    }
    HandleReference<FILE_OBJECT> file;
    status = reference_file(file, FileHandle, rule.access, mode);
    if (!NT_SUCCESS(status)) return status;
    return query_file_object(file.get(), file.info().GrantedAccess, IoStatusBlock, FileInformation, Length,
                             FileInformationClass, mode);
}

}  // extern "C"

namespace ntio::nt::info {

NTSTATUS query_file_object(PFILE_OBJECT fo, ACCESS_MASK granted, PIO_STATUS_BLOCK IoStatusBlock, PVOID FileInformation,
                           ULONG Length, FILE_INFORMATION_CLASS FileInformationClass, KPROCESSOR_MODE mode) noexcept {
    bool handled = false;
    NTSTATUS status = query_locally(fo, FileInformationClass, granted, FileInformation, IoStatusBlock, mode, &handled);
    if (handled) return status;

    ntio::io::InformationRequest request;
    request.file = fo;
    request.iosb = IoStatusBlock;
    request.mode = mode;
    request.major = IRP_MJ_QUERY_INFORMATION;
    request.buffering = ntio::io::InformationBuffering::system;
    request.query = true;
    request.user_buffer = FileInformation;
    request.length = Length;
    request.parameters.QueryFile.Length = Length;
    request.parameters.QueryFile.FileInformationClass = FileInformationClass;
    if (FileInformationClass == FileAllInformation) {
        // The parts the I/O manager owns are filled in before the driver sees the buffer; a file
        // system fills the rest and reports the whole structure in Information.
        PVOID buffer = ntio::io::allocate_information_buffer(Length);
        if (!buffer) return STATUS_INSUFFICIENT_RESOURCES;
        auto* all = static_cast<PFILE_ALL_INFORMATION>(buffer);
        all->AccessInformation.AccessFlags = granted;
        all->ModeInformation.Mode = mode_of(fo);
        all->AlignmentInformation.AlignmentRequirement = IoGetRelatedDeviceObject(fo)->AlignmentRequirement;
        request.system_buffer = buffer;
    }
    return ntio::io::submit_information(request);
}

}  // namespace ntio::nt::info

extern "C" {

NTSTATUS NTAPI NtSetInformationFile(HANDLE FileHandle, PIO_STATUS_BLOCK IoStatusBlock, PVOID FileInformation,
                                    ULONG Length, FILE_INFORMATION_CLASS FileInformationClass) {
    const KPROCESSOR_MODE mode = previous_mode();
    const ClassRule rule = set_file_rule(FileInformationClass);
    if (!rule.min_length) return STATUS_INVALID_INFO_CLASS;
    if (Length < rule.min_length) return STATUS_INFO_LENGTH_MISMATCH;
    NTSTATUS status = probe_iosb(mode, IoStatusBlock);
    if (!NT_SUCCESS(status)) return status;
    PVOID captured = nullptr;
    status = capture_input(mode, FileInformation, Length, probe_alignment(rule.min_length), &captured);
    if (!NT_SUCCESS(status)) return status;
    // Owns the capture until the request takes it.
    std::unique_ptr<void, void (*)(void*)> owned(captured, [](void* p) { if (p) ExFreePool(p); });

    HandleReference<FILE_OBJECT> file;
    status = reference_file(file, FileHandle, rule.access, mode);
    if (!NT_SUCCESS(status)) return status;
    return set_file_object(file.get(), FileHandle, IoStatusBlock, FileInformation, owned.release(), Length,
                           FileInformationClass, mode);
}

}  // extern "C"

namespace ntio::nt::info {

NTSTATUS set_file_object(PFILE_OBJECT fo, HANDLE FileHandle, PIO_STATUS_BLOCK IoStatusBlock, PVOID FileInformation,
                         PVOID captured, ULONG Length, FILE_INFORMATION_CLASS FileInformationClass,
                         KPROCESSOR_MODE mode) noexcept {
    std::unique_ptr<void, void (*)(void*)> owned(captured, [](void* p) { if (p) ExFreePool(p); });
    NTSTATUS status = STATUS_SUCCESS;
    if (completion_class(FileInformationClass)) {
        status = ntio::io::set_completion_information(fo, FileInformationClass, captured, Length, mode);
        return NT_SUCCESS(status) ? answer_set(IoStatusBlock) : status;
    }
    if (FileInformationClass == FileModeInformation) {
        status = set_mode(fo, static_cast<PFILE_MODE_INFORMATION>(captured)->Mode);
        return NT_SUCCESS(status) ? answer_set(IoStatusBlock) : status;
    }
    if (FileInformationClass == FilePositionInformation && synchronous(fo)) {
        status = set_position(fo, *static_cast<PFILE_POSITION_INFORMATION>(captured), mode);
        return status == STATUS_SUCCESS ? answer_set(IoStatusBlock) : status;
    }

    ntio::io::InformationRequest request;
    request.file = fo;
    request.iosb = IoStatusBlock;
    request.mode = mode;
    request.major = IRP_MJ_SET_INFORMATION;
    request.buffering = ntio::io::InformationBuffering::system;
    request.user_buffer = FileInformation;
    request.length = Length;
    request.parameters.SetFile.Length = Length;
    request.parameters.SetFile.FileInformationClass = FileInformationClass;

    RenameTarget target;
    if (names_a_target(FileInformationClass)) {
        // FILE_RENAME_INFORMATION, FILE_LINK_INFORMATION and FILE_MOVE_CLUSTER_INFORMATION share
        // RootDirectory, FileNameLength and FileName at the same offsets.
        auto* info = static_cast<const FILE_RENAME_INFORMATION*>(captured);
        constexpr ULONG kNameOffset = FIELD_OFFSET(FILE_RENAME_INFORMATION, FileName);
        if (info->FileNameLength > Length - kNameOffset || info->FileNameLength > MAXUSHORT ||
            (info->FileNameLength & 1))
            return STATUS_INVALID_PARAMETER;
        const bool qualified = info->FileNameLength >= sizeof(WCHAR) && info->FileName[0] == L'\\';
        if (info->RootDirectory || qualified) {
            status = target.open(fo, info, mode);
            if (!NT_SUCCESS(status)) return status;
            request.parameters.SetFile.FileObject = target.file();
        }
        if (FileInformationClass == FileMoveClusterInformation)
            request.parameters.SetFile.ClusterCount = *static_cast<const ULONG*>(captured);
        else if (FileInformationClass == FileRenameInformation || FileInformationClass == FileLinkInformation)
            request.parameters.SetFile.ReplaceIfExists = info->ReplaceIfExists;
    } else if (FileInformationClass == FileDispositionInformation ||
               FileInformationClass == FileDispositionInformationEx) {
        request.parameters.SetFile.DeleteHandle = FileHandle;
    }
    request.system_buffer = owned.release();
    return ntio::io::submit_information(request);
}

}  // namespace ntio::nt::info

extern "C" {

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-ioqueryfileinformation
// Learn reserves the routine and points to ZwQueryInformationFile: this is that service for a file
// object a kernel-mode caller holds, with no handle (so no access check, the open's granted access
// for FileAccessInformation) and the length of the answer in *ReturnedLength. PASSIVE_LEVEL.
// Where Learn is silent: a NULL file object, buffer or ReturnedLength is STATUS_INVALID_PARAMETER.
NTSTATUS NTAPI IoQueryFileInformation(PFILE_OBJECT FileObject, FILE_INFORMATION_CLASS FileInformationClass,
                                      ULONG Length, PVOID FileInformation, PULONG ReturnedLength) {
    const ClassRule rule = query_file_rule(FileInformationClass);
    if (!rule.min_length) return STATUS_INVALID_INFO_CLASS;
    if (Length < rule.min_length) return STATUS_INFO_LENGTH_MISMATCH;
    if (!FileObject || !FileInformation || !ReturnedLength) return STATUS_INVALID_PARAMETER;
    const ACCESS_MASK granted = ntio::io::is_file(FileObject) ? ntio::io::file_private(FileObject).granted_access : 0;
    IO_STATUS_BLOCK iosb{};
    const NTSTATUS status =
        query_file_object(FileObject, granted, &iosb, FileInformation, Length, FileInformationClass, KernelMode);
    *ReturnedLength = NT_ERROR(status) ? 0 : static_cast<ULONG>(iosb.Information);  // a warning keeps its length
    return status;
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-iosetinformation
// Learn reserves the routine and points to ZwSetInformationFile: this is that service for a file
// object a kernel-mode caller holds (no handle, so no access check; a disposition set carries no
// DeleteHandle). PASSIVE_LEVEL. Where Learn is silent: a NULL file object or buffer is
// STATUS_INVALID_PARAMETER.
NTSTATUS NTAPI IoSetInformation(PFILE_OBJECT FileObject, FILE_INFORMATION_CLASS FileInformationClass, ULONG Length,
                                PVOID FileInformation) {
    const ClassRule rule = set_file_rule(FileInformationClass);
    if (!rule.min_length) return STATUS_INVALID_INFO_CLASS;
    if (Length < rule.min_length) return STATUS_INFO_LENGTH_MISMATCH;
    if (!FileObject || !FileInformation) return STATUS_INVALID_PARAMETER;
    PVOID captured = nullptr;
    NTSTATUS status = capture_input(KernelMode, FileInformation, Length, probe_alignment(rule.min_length), &captured);
    if (!NT_SUCCESS(status)) return status;
    IO_STATUS_BLOCK iosb{};
    return set_file_object(FileObject, nullptr, &iosb, FileInformation, captured, Length, FileInformationClass,
                           KernelMode);
}

}  // extern "C"
