// IoCreateFile, the one open path behind NtCreateFile, NtOpenFile and their Zw forms: parameter
// validation as NT does it, then ObOpenObjectByName with an open packet that the device's parse
// procedure consumes. Also IoGetDeviceObjectPointer, which opens a device for a driver.
#include "io/ecp_list.hpp"
#include "io/file_object.hpp"
#include "io/objects.hpp"
#include "ob/object_manager.hpp"
#include "verifier/verifier.hpp"

namespace ntio::io {

namespace {

// The parameter rules of NtCreateFile (Microsoft Learn, "NtCreateFile function (ntifs.h)", and the
// NT I/O manager's IopCreateFile): every violation is STATUS_INVALID_PARAMETER.
// https://learn.microsoft.com/en-us/windows-hardware/drivers/ddi/ntifs/nf-ntifs-ntcreatefile
NTSTATUS check_create_parameters(const CreateFileRequest& r)
{
    const ULONG o = r.create_options;
    if (r.file_attributes & ~FILE_ATTRIBUTE_VALID_FLAGS) return STATUS_INVALID_PARAMETER;
    if (r.share_access & ~FILE_SHARE_VALID_FLAGS) return STATUS_INVALID_PARAMETER;
    if (r.disposition > FILE_MAXIMUM_DISPOSITION) return STATUS_INVALID_PARAMETER;
    if (o & ~FILE_VALID_OPTION_FLAGS) return STATUS_INVALID_PARAMETER;
    const ULONG sync = o & (FILE_SYNCHRONOUS_IO_ALERT | FILE_SYNCHRONOUS_IO_NONALERT);
    if (sync == (FILE_SYNCHRONOUS_IO_ALERT | FILE_SYNCHRONOUS_IO_NONALERT)) return STATUS_INVALID_PARAMETER;
    // The bits themselves, before any generic mapping: "the SYNCHRONIZE flag must be set in the
    // DesiredAccess parameter" (FILE_SYNCHRONOUS_IO_*), "the DesiredAccess parameter must include
    // the DELETE flag" (FILE_DELETE_ON_CLOSE). GENERIC_ALL or MAXIMUM_ALLOWED alone do not set them.
    if (sync && !(r.desired_access & SYNCHRONIZE)) return STATUS_INVALID_PARAMETER;
    if ((o & FILE_DELETE_ON_CLOSE) && !(r.desired_access & DELETE)) return STATUS_INVALID_PARAMETER;
    // FILE_DIRECTORY_FILE: "the CreateDisposition parameter must be set to FILE_CREATE, FILE_OPEN, or
    // FILE_OPEN_IF", and the data-access hints and non-cached I/O, which have no meaning for a
    // directory, are not among its compatible options. Together with FILE_NON_DIRECTORY_FILE it is
    // no error here: the pair is ntifs.h's FILE_STORAGE_TYPE_SPECIFIED and goes to the file system,
    // which judges it.
    if (o & FILE_DIRECTORY_FILE) {
        if (r.disposition != FILE_CREATE && r.disposition != FILE_OPEN && r.disposition != FILE_OPEN_IF)
            return STATUS_INVALID_PARAMETER;
        if (o & (FILE_SEQUENTIAL_ONLY | FILE_RANDOM_ACCESS | FILE_NO_INTERMEDIATE_BUFFERING))
            return STATUS_INVALID_PARAMETER;
    }
    if ((o & FILE_NO_INTERMEDIATE_BUFFERING) && (r.desired_access & FILE_APPEND_DATA)) return STATUS_INVALID_PARAMETER;
    if ((o & FILE_COMPLETE_IF_OPLOCKED) && (o & FILE_RESERVE_OPFILTER)) return STATUS_INVALID_PARAMETER;
    if (r.create_file_type > CreateFileTypeMailslot) return STATUS_INVALID_PARAMETER;
    if (r.create_file_type == CreateFileTypeNone && r.internal_parameters) return STATUS_INVALID_PARAMETER;
    if (r.create_file_type != CreateFileTypeNone && !r.internal_parameters) return STATUS_INVALID_PARAMETER;
    if (r.ea_length && !r.ea_buffer) return STATUS_INVALID_PARAMETER;
    return STATUS_SUCCESS;
}

}  // namespace

NTSTATUS create_file(const OBJECT_ATTRIBUTES& attributes, const CreateFileRequest& request, KPROCESSOR_MODE mode,
                     bool check_parameters, HANDLE* handle, IO_STATUS_BLOCK* iosb)
{
    *handle = nullptr;
    if (check_parameters) {
        NTSTATUS status = check_create_parameters(request);
        if (!NT_SUCCESS(status)) return status;
        // A caller's EA buffer is checked before any file system sees it ("file systems ... must
        // call IoCheckEaBufferValidity" for EAs from user mode; the I/O manager does it for them at
        // create). An inconsistent one is STATUS_EA_LIST_INCONSISTENT with the offending entry's
        // offset in the IOSB's Information, as NtSetEaFile reports it.
        if (request.ea_buffer && request.ea_length) {
            ULONG error_offset = 0;
            status = IoCheckEaBufferValidity(request.ea_buffer, request.ea_length, &error_offset);
            if (!NT_SUCCESS(status)) {
                if (iosb) {
                    iosb->Status = status;
                    iosb->Information = error_offset;
                }
                return status;
            }
        }
    }
    OpenPacket packet;
    // Named-pipe and mailslot creates (NtCreateNamedPipeFile, NtCreateMailslotFile) travel as
    // IRP_MJ_CREATE_NAMED_PIPE / IRP_MJ_CREATE_MAILSLOT with their parameters (device_open.cpp).
    packet.create_file_type = request.create_file_type;
    packet.extra_create_parameters = request.internal_parameters;
    packet.allocation_size = request.allocation_size;
    packet.file_attributes = request.file_attributes;
    packet.share_access = request.share_access;
    packet.disposition = request.disposition;
    packet.create_options = request.create_options;
    packet.ea_buffer = request.ea_length ? request.ea_buffer : nullptr;
    packet.ea_length = request.ea_length;
    packet.options = request.options;
    packet.device_hint = request.device_hint;
    packet.ecp_list = request.ecp_list;
    HANDLE opened = nullptr;
    NTSTATUS status = ObOpenObjectByName(const_cast<POBJECT_ATTRIBUTES>(&attributes), nullptr, mode, nullptr,
                                         request.desired_access, &packet, &opened);
    if (!NT_SUCCESS(status)) return status;
    if (!packet.parsed || !packet.file_object) {
        // The name named something that is not a device or file (NT's IopCreateFile check of the
        // open packet's ParseCheck).
        (void)ObCloseHandle(opened, mode);
        return STATUS_OBJECT_TYPE_MISMATCH;
    }
    // The file object has a handle now: FO_HANDLE_CREATED (wdm.h; what !fileobj shows as "Handle
    // Created" for every file opened by name, while IoCreateStreamFileObjectLite's have none).
    // Atomic: the handle is in the table already, and a request through it reads the flags.
    __atomic_fetch_or(&packet.file_object->Flags, FO_HANDLE_CREATED, __ATOMIC_RELAXED);
    *handle = opened;
    // NT fact K8 (device opens): IOSB.Information is whatever the driver set.
    if (iosb) {
        iosb->Status = packet.final_status;
        iosb->Information = packet.information;
    }
    return packet.final_status;
}

}  // namespace ntio::io

using namespace ntio::io;

namespace {

// IoCreateFile and its hinted forms.
NTSTATUS create_file_with_hint(PHANDLE FileHandle, ACCESS_MASK DesiredAccess, POBJECT_ATTRIBUTES ObjectAttributes,
                               PIO_STATUS_BLOCK IoStatusBlock, PLARGE_INTEGER AllocationSize, ULONG FileAttributes,
                               ULONG ShareAccess, ULONG Disposition, ULONG CreateOptions, PVOID EaBuffer,
                               ULONG EaLength, ULONG CreateFileType, PVOID InternalParameters, ULONG Options,
                               PVOID DeviceObjectHint, PECP_LIST EcpList = nullptr)
{
    if (!FileHandle || !ObjectAttributes || !IoStatusBlock) return STATUS_INVALID_PARAMETER;
    auto hint = static_cast<PDEVICE_OBJECT>(DeviceObjectHint);
    if (hint && !is_device(hint)) return STATUS_INVALID_DEVICE_OBJECT_PARAMETER;
    const bool no_checking = (Options & IO_NO_PARAMETER_CHECKING) != 0;
    const KPROCESSOR_MODE mode = no_checking ? KPROCESSOR_MODE{KernelMode} : ExGetPreviousMode();
    CreateFileRequest request;
    request.desired_access = DesiredAccess;
    if (AllocationSize) request.allocation_size = *AllocationSize;
    request.file_attributes = FileAttributes;
    request.share_access = ShareAccess;
    request.disposition = Disposition;
    request.create_options = CreateOptions;
    request.ea_buffer = EaBuffer;
    request.ea_length = EaLength;
    request.create_file_type = CreateFileType;
    request.internal_parameters = InternalParameters;
    request.options = Options;
    request.device_hint = hint;
    request.ecp_list = EcpList;
    const bool check = mode != KernelMode || (Options & IO_CHECK_CREATE_PARAMETERS);
    HANDLE handle = nullptr;
    IO_STATUS_BLOCK iosb{};
    NTSTATUS status = create_file(*ObjectAttributes, request, mode, check, &handle, &iosb);
    if (!NT_SUCCESS(status)) {
        if (status == STATUS_EA_LIST_INCONSISTENT && iosb.Status == status) *IoStatusBlock = iosb;
        return status;
    }
    *FileHandle = handle;
    *IoStatusBlock = iosb;
    return status;
}

}  // namespace

extern "C" {

// The kernel entry (pointers are kernel memory; IO_NO_PARAMETER_CHECKING also skips validation
// and makes the open a KernelMode one, as the WDK describes).
// https://learn.microsoft.com/en-us/windows-hardware/drivers/ddi/wdm/nf-wdm-iocreatefile
// NT deviation: pointers are not probed even when the previous mode is UserMode (drivers pass
// kernel memory; the Nt* services probe and capture before they come here).
NTSTATUS NTAPI IoCreateFile(PHANDLE FileHandle, ACCESS_MASK DesiredAccess, POBJECT_ATTRIBUTES ObjectAttributes,
                            PIO_STATUS_BLOCK IoStatusBlock, PLARGE_INTEGER AllocationSize, ULONG FileAttributes,
                            ULONG ShareAccess, ULONG Disposition, ULONG CreateOptions, PVOID EaBuffer, ULONG EaLength,
                            ULONG CreateFileType, PVOID InternalParameters, ULONG Options)
{
    NTIO_VERIFY_DDI(ntio::verifier::DdiRule::IoPassive4);
    return create_file_with_hint(FileHandle, DesiredAccess, ObjectAttributes, IoStatusBlock, AllocationSize,
                                 FileAttributes, ShareAccess, Disposition, CreateOptions, EaBuffer, EaLength,
                                 CreateFileType, InternalParameters, Options, nullptr);
}

// IoCreateFile whose IRP_MJ_CREATE goes to DeviceObject (a filter's lower device, or the file
// system's volume device) instead of the top of the stack, so the filters above it never see the
// create nor, later, any other IRP on the file. A hint outside the stack the name leads to is
// STATUS_INVALID_DEVICE_OBJECT_PARAMETER; a name that leaves it (a reparse) is
// STATUS_MOUNT_POINT_NOT_RESOLVED. A NULL hint is IoCreateFile.
// https://learn.microsoft.com/en-us/windows-hardware/drivers/ddi/ntddk/nf-ntddk-iocreatefilespecifydeviceobjecthint
NTSTATUS NTAPI IoCreateFileSpecifyDeviceObjectHint(PHANDLE FileHandle, ACCESS_MASK DesiredAccess,
                                                   POBJECT_ATTRIBUTES ObjectAttributes, PIO_STATUS_BLOCK IoStatusBlock,
                                                   PLARGE_INTEGER AllocationSize, ULONG FileAttributes,
                                                   ULONG ShareAccess, ULONG Disposition, ULONG CreateOptions,
                                                   PVOID EaBuffer, ULONG EaLength, CREATE_FILE_TYPE CreateFileType,
                                                   PVOID InternalParameters, ULONG Options, PVOID DeviceObject)
{
    NTIO_VERIFY_DDI(ntio::verifier::DdiRule::IoPassive4);
    return create_file_with_hint(FileHandle, DesiredAccess, ObjectAttributes, IoStatusBlock, AllocationSize,
                                 FileAttributes, ShareAccess, Disposition, CreateOptions, EaBuffer, EaLength,
                                 CreateFileType, InternalParameters, Options, DeviceObject);
}

// IoCreateFile with an optional IO_DRIVER_CREATE_CONTEXT: its DeviceObjectHint works as
// IoCreateFileSpecifyDeviceObjectHint's, and its ExtraCreateParameter list goes with the create IRP
// (FsRtlGetEcpListFromIrp); a NULL context is IoCreateFile.
// https://learn.microsoft.com/en-us/windows-hardware/drivers/ddi/ntddk/nf-ntddk-iocreatefileex
// NT deviation: ntio has no transactions; a context carrying TxnParameters, or an
// ExtraCreateParameter that FsRtlAllocateExtraCreateParameterList did not make, is
// STATUS_INVALID_PARAMETER. SiloContext is ignored (there is one silo, the host).
NTSTATUS NTAPI IoCreateFileEx(PHANDLE FileHandle, ACCESS_MASK DesiredAccess, POBJECT_ATTRIBUTES ObjectAttributes,
                              PIO_STATUS_BLOCK IoStatusBlock, PLARGE_INTEGER AllocationSize, ULONG FileAttributes,
                              ULONG ShareAccess, ULONG Disposition, ULONG CreateOptions, PVOID EaBuffer, ULONG EaLength,
                              CREATE_FILE_TYPE CreateFileType, PVOID InternalParameters, ULONG Options,
                              PIO_DRIVER_CREATE_CONTEXT DriverContext)
{
    NTIO_VERIFY_DDI(ntio::verifier::DdiRule::IoPassive4);
    PVOID hint = nullptr;
    PECP_LIST ecp_list = nullptr;
    if (DriverContext) {
        if (DriverContext->Size < static_cast<CSHORT>(sizeof(IO_DRIVER_CREATE_CONTEXT)))
            return STATUS_INVALID_PARAMETER;
        if (DriverContext->TxnParameters) return STATUS_INVALID_PARAMETER;
        if (DriverContext->ExtraCreateParameter && !is_ecp_list(DriverContext->ExtraCreateParameter))
            return STATUS_INVALID_PARAMETER;
        hint = DriverContext->DeviceObjectHint;
        ecp_list = DriverContext->ExtraCreateParameter;
    }
    return create_file_with_hint(FileHandle, DesiredAccess, ObjectAttributes, IoStatusBlock, AllocationSize,
                                 FileAttributes, ShareAccess, Disposition, CreateOptions, EaBuffer, EaLength,
                                 CreateFileType, InternalParameters, Options, hint, ecp_list);
}

// Opens the device for the caller and returns the file object (referenced) and the top of the
// stack its IRPs go to (IoGetRelatedDeviceObject); the handle is closed before returning.
// https://learn.microsoft.com/en-us/windows-hardware/drivers/ddi/wdm/nf-wdm-iogetdeviceobjectpointer
NTSTATUS NTAPI IoGetDeviceObjectPointer(PUNICODE_STRING ObjectName, ACCESS_MASK DesiredAccess,
                                        PFILE_OBJECT* FileObject, PDEVICE_OBJECT* DeviceObject)
{
    NTIO_VERIFY_DDI(ntio::verifier::DdiRule::IoPassive5);
    if (!ObjectName || !FileObject || !DeviceObject) return STATUS_INVALID_PARAMETER;
    OBJECT_ATTRIBUTES attributes;
    InitializeObjectAttributes(&attributes, ObjectName, OBJ_KERNEL_HANDLE | OBJ_CASE_INSENSITIVE, nullptr, nullptr);
    CreateFileRequest request;
    request.desired_access = DesiredAccess;
    request.disposition = FILE_OPEN;
    request.create_options = FILE_NON_DIRECTORY_FILE;
    HANDLE handle = nullptr;
    IO_STATUS_BLOCK iosb{};
    NTSTATUS status = create_file(attributes, request, KernelMode, false, &handle, &iosb);
    if (!NT_SUCCESS(status)) return status;
    PVOID object = nullptr;
    status = ObReferenceObjectByHandle(handle, 0, *IoFileObjectType, KernelMode, &object, nullptr);
    (void)ObCloseHandle(handle, KernelMode);
    if (!NT_SUCCESS(status)) return status;
    auto file = static_cast<PFILE_OBJECT>(object);
    *FileObject = file;
    *DeviceObject = IoGetRelatedDeviceObject(file);
    return STATUS_SUCCESS;
}

}  // extern "C"
