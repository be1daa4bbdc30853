// The file-operation services that open a name: NtDeleteFile, NtQueryAttributesFile,
// NtQueryFullAttributesFile, NtCreateNamedPipeFile, NtCreateMailslotFile and their Zw forms. They
// go through the I/O manager's one open path (io::create_file) and, for the queries, send
// IRP_MJ_QUERY_INFORMATION on the opened file before it is closed.
#include "nt/current_system.hpp"
#include <ntio/ntapi.h>

#include "io/file_object.hpp"
#include "io/file_operation_submit.hpp"
#include "nt/object_attributes.hpp"
#include "nt/previous_mode.hpp"
#include "nt/user_memory.hpp"

using namespace ntio::nt;

namespace {

constexpr ULONG kShareAll = FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE;

// Opens `attributes` in the caller's mode (so the driver sees the caller's RequestorMode and the
// access check is the caller's) and hands back the referenced file object; the handle is closed.
// NT deviation: NT opens these names without creating a handle at all; ntio's open path always
// creates one, which exists in the caller's table for the duration of the call.
struct OpenedFile {
    HANDLE handle = nullptr;
    KPROCESSOR_MODE mode = KernelMode;
    PFILE_OBJECT file = nullptr;
    ~OpenedFile() {
        if (handle) (void)ObCloseHandle(handle, mode);
        if (file) ObDereferenceObject(file);
    }
};

NTSTATUS open_name(const OBJECT_ATTRIBUTES& attributes, KPROCESSOR_MODE mode, const ntio::io::CreateFileRequest& request,
                   OpenedFile& opened) {
    IO_STATUS_BLOCK iosb{};
    NTSTATUS status = ntio::io::create_file(attributes, request, mode, false, &opened.handle, &iosb);
    if (!NT_SUCCESS(status)) return status;
    opened.mode = mode;
    PVOID object = nullptr;
    status = ObReferenceObjectByHandle(opened.handle, 0, *IoFileObjectType, mode, &object, nullptr);
    if (NT_SUCCESS(status)) opened.file = static_cast<PFILE_OBJECT>(object);
    return status;
}

struct QueryParameters {
    FILE_INFORMATION_CLASS information_class;
    ULONG length;
    PVOID result;  // kernel memory the copy-back writes
};

// IRP_MJ_QUERY_INFORMATION is always buffered: the system buffer is copied back to `result`.
// https://learn.microsoft.com/windows-hardware/drivers/ifs/irp-mj-query-information
NTSTATUS build_query(PIRP irp, PIO_STACK_LOCATION sp, PDEVICE_OBJECT, void* context) noexcept {
    auto* p = static_cast<QueryParameters*>(context);
    if (!ntio::io::attach_owned_buffer(irp, p->length)) return STATUS_INSUFFICIENT_RESOURCES;
    irp->Flags |= IRP_INPUT_OPERATION;
    irp->UserBuffer = p->result;
    sp->MajorFunction = IRP_MJ_QUERY_INFORMATION;
    sp->Parameters.QueryFile.Length = p->length;
    sp->Parameters.QueryFile.FileInformationClass = p->information_class;
    return STATUS_SUCCESS;
}

// Opens the name for FILE_READ_ATTRIBUTES, asks the driver for `information_class` and copies the
// answer to the caller. A name that does not resolve fails with the lookup's status
// (STATUS_OBJECT_NAME_NOT_FOUND, STATUS_OBJECT_PATH_NOT_FOUND); the caller's buffer is written only
// on success.
template <class Info>
NTSTATUS query_attributes(POBJECT_ATTRIBUTES object_attributes, Info* information, FILE_INFORMATION_CLASS information_class) {
    const KPROCESSOR_MODE mode = previous_mode();
    NTSTATUS status = probe_caller_output(mode, information);
    if (!NT_SUCCESS(status)) return status;
    if (!object_attributes) return STATUS_INVALID_PARAMETER;
    CapturedObjectAttributes captured;
    status = captured.capture(object_attributes, mode);
    if (!NT_SUCCESS(status)) return status;
    ntio::io::CreateFileRequest request;
    request.desired_access = FILE_READ_ATTRIBUTES;
    request.share_access = kShareAll;
    request.disposition = FILE_OPEN;
    OpenedFile opened;
    status = open_name(*captured.get(), mode, request, opened);
    if (!NT_SUCCESS(status)) return status;

    Info result{};
    QueryParameters p{information_class, sizeof(Info), &result};
    ntio::io::OperationRequest query;
    query.file = opened.file;
    ObReferenceObject(query.file);
    query.mode = mode;
    query.blocking = true;
    status = ntio::io::submit_operation(query, build_query, &p);
    if (!NT_SUCCESS(status)) return status;
    (void)write_caller(mode, information, result);
    return status;
}

// The create of a named pipe or mailslot: probe and capture, then the open path with the create
// type and its parameters. The IOSB and handle are written only on success.
NTSTATUS create_special(PHANDLE file_handle, POBJECT_ATTRIBUTES object_attributes, PIO_STATUS_BLOCK io_status_block,
                        KPROCESSOR_MODE mode, ntio::io::CreateFileRequest& request) {
    NTSTATUS status = probe_caller_output(mode, file_handle);
    if (NT_SUCCESS(status)) status = probe_caller_output(mode, io_status_block);
    if (!NT_SUCCESS(status)) return status;
    if (!object_attributes) return STATUS_INVALID_PARAMETER;
    CapturedObjectAttributes captured;
    status = captured.capture(object_attributes, mode);
    if (!NT_SUCCESS(status)) return status;
    HANDLE handle = nullptr;
    IO_STATUS_BLOCK iosb{};
    status = ntio::io::create_file(*captured.get(), request, mode, mode != KernelMode, &handle, &iosb);
    if (!NT_SUCCESS(status)) return status;
    (void)write_caller(mode, file_handle, handle);
    (void)write_caller(mode, io_status_block, iosb);
    return status;
}

}  // namespace

extern "C" {

// Opens the name for DELETE with FILE_DELETE_ON_CLOSE and closes it: the file system deletes the
// file at IRP_MJ_CLEANUP.
// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-zwdeletefile
NTSTATUS NTAPI NtDeleteFile(POBJECT_ATTRIBUTES ObjectAttributes) {
    const KPROCESSOR_MODE mode = previous_mode();
    if (!ObjectAttributes) return STATUS_INVALID_PARAMETER;
    CapturedObjectAttributes captured;
    NTSTATUS status = captured.capture(ObjectAttributes, mode);
    if (!NT_SUCCESS(status)) return status;
    ntio::io::CreateFileRequest request;
    request.desired_access = DELETE;
    request.share_access = kShareAll;
    request.disposition = FILE_OPEN;
    request.create_options = FILE_DELETE_ON_CLOSE;
    HANDLE handle = nullptr;
    IO_STATUS_BLOCK iosb{};
    status = ntio::io::create_file(*captured.get(), request, mode, false, &handle, &iosb);
    if (!NT_SUCCESS(status)) return status;
    (void)ObCloseHandle(handle, mode);
    return STATUS_SUCCESS;
}

NTSTATUS NTAPI NtQueryAttributesFile(POBJECT_ATTRIBUTES ObjectAttributes, PFILE_BASIC_INFORMATION FileInformation) {
    return query_attributes(ObjectAttributes, FileInformation, FileBasicInformation);
}

NTSTATUS NTAPI NtQueryFullAttributesFile(POBJECT_ATTRIBUTES ObjectAttributes,
                                         PFILE_NETWORK_OPEN_INFORMATION FileInformation) {
    return query_attributes(ObjectAttributes, FileInformation, FileNetworkOpenInformation);
}

// Parameter rules of a named-pipe create (NtCreateNamedPipeFile; IoCreateFile's checks for
// CreateFileTypeNamedPipe): a share mode, a disposition of FILE_CREATE, FILE_OPEN or FILE_OPEN_IF,
// only the pipe option flags, a known type, read mode and completion mode, no message read mode on
// a byte-stream pipe, and at least one instance; anything else is STATUS_INVALID_PARAMETER.
// https://learn.microsoft.com/windows/win32/api/winbase/nf-winbase-createnamedpipea
NTSTATUS NTAPI NtCreateNamedPipeFile(PHANDLE FileHandle, ULONG DesiredAccess, POBJECT_ATTRIBUTES ObjectAttributes,
                                     PIO_STATUS_BLOCK IoStatusBlock, ULONG ShareAccess, ULONG CreateDisposition,
                                     ULONG CreateOptions, ULONG NamedPipeType, ULONG ReadMode, ULONG CompletionMode,
                                     ULONG MaximumInstances, ULONG InboundQuota, ULONG OutboundQuota,
                                     PLARGE_INTEGER DefaultTimeout) {
    const KPROCESSOR_MODE mode = previous_mode();
    NAMED_PIPE_CREATE_PARAMETERS parameters{};
    if (DefaultTimeout) {
        NTSTATUS status = read_caller(mode, static_cast<const LARGE_INTEGER*>(DefaultTimeout), parameters.DefaultTimeout);
        if (!NT_SUCCESS(status)) return status;
        parameters.TimeoutSpecified = TRUE;
    }
    if (!ShareAccess || (ShareAccess & ~FILE_SHARE_VALID_FLAGS)) return STATUS_INVALID_PARAMETER;
    if (CreateDisposition != FILE_CREATE && CreateDisposition != FILE_OPEN && CreateDisposition != FILE_OPEN_IF)
        return STATUS_INVALID_PARAMETER;
    if (CreateOptions & ~FILE_VALID_PIPE_OPTION_FLAGS) return STATUS_INVALID_PARAMETER;
    if ((NamedPipeType & ~FILE_PIPE_TYPE_VALID_MASK) || ReadMode > FILE_PIPE_MESSAGE_MODE ||
        CompletionMode > FILE_PIPE_COMPLETE_OPERATION || MaximumInstances == 0)
        return STATUS_INVALID_PARAMETER;
    if (!(NamedPipeType & FILE_PIPE_MESSAGE_TYPE) && ReadMode == FILE_PIPE_MESSAGE_MODE) return STATUS_INVALID_PARAMETER;
    parameters.NamedPipeType = NamedPipeType;
    parameters.ReadMode = ReadMode;
    parameters.CompletionMode = CompletionMode;
    parameters.MaximumInstances = MaximumInstances;
    parameters.InboundQuota = InboundQuota;
    parameters.OutboundQuota = OutboundQuota;
    ntio::io::CreateFileRequest request;
    request.desired_access = DesiredAccess;
    request.share_access = ShareAccess;
    request.disposition = CreateDisposition;
    request.create_options = CreateOptions;
    request.create_file_type = CreateFileTypeNamedPipe;
    request.internal_parameters = &parameters;
    return create_special(FileHandle, ObjectAttributes, IoStatusBlock, mode, request);
}

// A mailslot is always created (FILE_CREATE) with read and write sharing; only the mailslot option
// flags are valid.
// https://learn.microsoft.com/windows/win32/api/winbase/nf-winbase-createmailslota
NTSTATUS NTAPI NtCreateMailslotFile(PHANDLE FileHandle, ULONG DesiredAccess, POBJECT_ATTRIBUTES ObjectAttributes,
                                    PIO_STATUS_BLOCK IoStatusBlock, ULONG CreateOptions, ULONG MailslotQuota,
                                    ULONG MaximumMessageSize, PLARGE_INTEGER ReadTimeout) {
    const KPROCESSOR_MODE mode = previous_mode();
    MAILSLOT_CREATE_PARAMETERS parameters{};
    if (ReadTimeout) {
        NTSTATUS status = read_caller(mode, static_cast<const LARGE_INTEGER*>(ReadTimeout), parameters.ReadTimeout);
        if (!NT_SUCCESS(status)) return status;
        parameters.TimeoutSpecified = TRUE;
    }
    if (CreateOptions & ~FILE_VALID_MAILSLOT_OPTION_FLAGS) return STATUS_INVALID_PARAMETER;
    parameters.MailslotQuota = MailslotQuota;
    parameters.MaximumMessageSize = MaximumMessageSize;
    ntio::io::CreateFileRequest request;
    request.desired_access = DesiredAccess;
    request.share_access = FILE_SHARE_READ | FILE_SHARE_WRITE;
    request.disposition = FILE_CREATE;
    request.create_options = CreateOptions;
    request.create_file_type = CreateFileTypeMailslot;
    request.internal_parameters = &parameters;
    return create_special(FileHandle, ObjectAttributes, IoStatusBlock, mode, request);
}

NTSTATUS NTAPI ZwDeleteFile(POBJECT_ATTRIBUTES ObjectAttributes) {
    KernelModeCall kernel;
    return NtDeleteFile(ObjectAttributes);
}

NTSTATUS NTAPI ZwQueryAttributesFile(POBJECT_ATTRIBUTES ObjectAttributes, PFILE_BASIC_INFORMATION FileInformation) {
    KernelModeCall kernel;
    return NtQueryAttributesFile(ObjectAttributes, FileInformation);
}

NTSTATUS NTAPI ZwQueryFullAttributesFile(POBJECT_ATTRIBUTES ObjectAttributes,
                                         PFILE_NETWORK_OPEN_INFORMATION FileInformation) {
    KernelModeCall kernel;
    return NtQueryFullAttributesFile(ObjectAttributes, FileInformation);
}

}  // extern "C"
