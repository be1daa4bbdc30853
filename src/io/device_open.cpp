// Opening a device: the Device type's parse procedure (NT's IopParseDevice). A name that reaches
// a device (\Device\X, \Device\X\rest, or either through \??\Link) gets a new FILE_OBJECT, the
// device's security and state checks, and an IRP_MJ_CREATE at the top of the device's stack, or of
// the stack of the file system volume mounted on it (volume_mount.cpp).
#include "io/device_object.hpp"
#include "io/driver_object.hpp"
#include "io/file_object.hpp"
#include "io/file_systems.hpp"
#include "io/objects.hpp"
#include "ob/namespace.hpp"
#include "ob/object_manager.hpp"
#include "se/access_state.hpp"

namespace ntio::io {

namespace {

// NT fact K11: the rights a direct device open may ask for.
constexpr ACCESS_MASK kDirectOpenAccess =
    SYNCHRONIZE | FILE_READ_ATTRIBUTES | READ_CONTROL | ACCESS_SYSTEM_SECURITY | WRITE_OWNER | WRITE_DAC;

ULONG flags_from_options(ULONG options)
{
    ULONG flags = 0;
    if (options & FILE_SYNCHRONOUS_IO_ALERT) flags |= FO_SYNCHRONOUS_IO | FO_ALERTABLE_IO;
    if (options & FILE_SYNCHRONOUS_IO_NONALERT) flags |= FO_SYNCHRONOUS_IO;
    if (options & FILE_NO_INTERMEDIATE_BUFFERING) flags |= FO_NO_INTERMEDIATE_BUFFERING;
    if (options & FILE_WRITE_THROUGH) flags |= FO_WRITE_THROUGH;
    if (options & FILE_SEQUENTIAL_ONLY) flags |= FO_SEQUENTIAL_ONLY;
    if (options & FILE_RANDOM_ACCESS) flags |= FO_RANDOM_ACCESS;
    return flags;
}

bool claim_exclusive(PDEVICE_OBJECT device, PFILE_OBJECT file)
{
    PFILE_OBJECT expected = nullptr;
    return __atomic_compare_exchange_n(&device_private(device)->exclusive_owner, &expected, file, false,
                                       __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE);
}

// The state checks NT makes before sending the create (IopCheckDeviceAndDriver): a device that is
// being deleted, still initializing, or whose driver is unloading has "no such device" for new
// opens; an exclusive device admits one open at a time (NT fact N3).
NTSTATUS admit_open(PDEVICE_OBJECT device, PFILE_OBJECT file)
{
    if (!device_reference_open(device)) return STATUS_NO_SUCH_DEVICE;
    // Checked after taking the open so that a concurrent unload or delete either sees this open
    // (and waits for it) or is seen here.
    if (device_delete_pending(device) || driver_unloading(device->DriverObject) ||
        (device->Flags & DO_DEVICE_INITIALIZING)) {
        device_release_open(device);
        return STATUS_NO_SUCH_DEVICE;
    }
    if ((device->Flags & DO_EXCLUSIVE) && !claim_exclusive(device, file)) {
        device_release_open(device);
        return STATUS_ACCESS_DENIED;
    }
    return STATUS_SUCCESS;
}

NTSTATUS capture_file_name(PFILE_OBJECT file, const std::u16string& remaining)
{
    if (remaining.empty()) return STATUS_SUCCESS;
    std::size_t bytes = remaining.size() * sizeof(WCHAR);
    if (bytes > MAXUSHORT - sizeof(WCHAR)) return STATUS_OBJECT_NAME_INVALID;
    auto* buffer = new (std::nothrow) WCHAR[remaining.size() + 1];
    if (!buffer) return STATUS_INSUFFICIENT_RESOURCES;
    std::memcpy(buffer, remaining.data(), bytes);
    buffer[remaining.size()] = 0;
    file->FileName.Buffer = buffer;
    file->FileName.Length = static_cast<USHORT>(bytes);
    file->FileName.MaximumLength = static_cast<USHORT>(bytes + sizeof(WCHAR));
    return STATUS_SUCCESS;
}

}  // namespace

// Gives up an exclusive device's claim (file_object.cpp calls it when the file object goes).
void release_exclusive_claim(PFILE_OBJECT file) noexcept
{
    PDEVICE_OBJECT device = file->DeviceObject;
    if (!device || !(device->Flags & DO_EXCLUSIVE)) return;
    PFILE_OBJECT expected = file;
    __atomic_compare_exchange_n(&device_private(device)->exclusive_owner, &expected, nullptr, false, __ATOMIC_ACQ_REL,
                                __ATOMIC_ACQUIRE);
}

namespace {
NTSTATUS open_on_device(PDEVICE_OBJECT device, PFILE_OBJECT related, ob::ParseRequest& request, void** found);
}  // namespace

NTSTATUS device_parse(void* parse_object, ob::ParseRequest& request, void** found)
{
    return open_on_device(static_cast<PDEVICE_OBJECT>(parse_object), nullptr, request, found);
}

NTSTATUS file_parse(void* parse_object, ob::ParseRequest& request, void** found)
{
    *found = nullptr;
    auto related = static_cast<PFILE_OBJECT>(parse_object);
    auto* packet = static_cast<OpenPacket*>(request.parse_context);
    // Only file opens go through an open file; a lookup of another kind finds nothing there.
    if (!packet || packet->magic != OpenPacket::kMagic || !related->DeviceObject) return STATUS_OBJECT_TYPE_MISMATCH;
    // A file object has no name in the namespace, so this parse only ever runs on the root handle's
    // object: the remaining name is the caller's relative name, which the object manager hands over
    // from a separator on (ob::ParseRequest); the file system receives it as given.
    if (!request.remaining_name.empty() && request.remaining_name[0] == OBJ_NAME_PATH_SEPARATOR)
        request.remaining_name.erase(0, 1);
    return open_on_device(related->DeviceObject, related, request, found);
}

namespace {

NTSTATUS open_on_device(PDEVICE_OBJECT device, PFILE_OBJECT related, ob::ParseRequest& request, void** found)
{
    *found = nullptr;
    auto* packet = static_cast<OpenPacket*>(request.parse_context);
    if (!packet || packet->magic != OpenPacket::kMagic) {
        // A lookup that is not a file open (ObReferenceObjectByName of \Device\X) finds the device.
        if (!request.remaining_name.empty()) return STATUS_OBJECT_TYPE_MISMATCH;
        ObReferenceObject(device);
        *found = device;
        return STATUS_SUCCESS;
    }
    packet->parsed = true;
    const ACCESS_MASK desired = request.desired_access;
    const bool sub_path = !request.remaining_name.empty();
    const KPROCESSOR_MODE check_mode = (packet->options & IO_FORCE_ACCESS_CHECK) ? KPROCESSOR_MODE{UserMode}
                                                                                 : request.access_mode;

    // NT fact K4 and "Handling IRPs" (IRP_MJ_CREATE): an open of the device itself is checked
    // against the device's descriptor; an open of a sub-path only with FILE_DEVICE_SECURE_OPEN,
    // otherwise the driver decides.
    ob::ObjectManager& manager = ob::manager_of(device);
    ACCESS_MASK granted = 0;
    bool checked = false;
    // A name on a device with a VPB may be a file of the file system mounted there, whose security
    // is the file system's: FILE_DEVICE_SECURE_OPEN "is checked at the top of the stack"
    // (https://learn.microsoft.com/windows-hardware/drivers/kernel/controlling-device-namespace-access),
    // which for such an open is the file system's volume device, not the disk. Whether the open goes
    // through a volume is known only after mounting, so the disk's check waits until then.
    const bool secure_sub_path = sub_path && (device->Characteristics & FILE_DEVICE_SECURE_OPEN);
    const bool check_after_mount = secure_sub_path && device->Vpb != nullptr;
    if (!sub_path || (secure_sub_path && !check_after_mount)) {
        NTSTATUS status = manager.access_check(ob::header_of(device), request.process, desired, check_mode, &granted);
        if (!NT_SUCCESS(status)) return status;
        checked = true;
    }

    void* body = nullptr;
    NTSTATUS status = manager.create_object(KernelMode, &g_file_type, nullptr, sizeof(FileBody), &body);
    if (!NT_SUCCESS(status)) return status;
    auto* file_body = new (body) FileBody();
    PFILE_OBJECT file = &file_body->object;
    FilePrivate& priv = file_body->priv;
    file->Type = IO_TYPE_FILE;
    file->Size = sizeof(FILE_OBJECT);
    file->DeviceObject = device;
    KeInitializeEvent(&file->Lock, SynchronizationEvent, FALSE);
    // FILE_OBJECT.Event is what a wait on the file handle waits for: a notification event, set once
    // the create succeeded (NT fact H1), reset by each request, set when one completes without an
    // event of its own (H1-H3).
    KeInitializeEvent(&file->Event, NotificationEvent, FALSE);
    KeInitializeSpinLock(&file->IrpListLock);
    InitializeListHead(&file->IrpList);
    const bool case_sensitive = !(request.attributes & OBJ_CASE_INSENSITIVE);
    file->Flags = flags_from_options(packet->create_options);
    if (case_sensitive) file->Flags |= FO_OPENED_CASE_SENSITIVE;
    if (!sub_path && (desired & ~kDirectOpenAccess) == 0) file->Flags |= FO_DIRECT_DEVICE_OPEN;
    priv.granted_access = checked ? granted : desired;
    priv.share_access = packet->share_access;
    priv.create_options = packet->create_options;
    // IoCreateFile(Ex)'s IO_IGNORE_SHARE_ACCESS_CHECK: share access is not checked for this file
    // object once created (https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nf-ntddk-iocreatefileex,
    // Options); the file object is marked as IoSetFileObjectIgnoreSharing marks it, so that the share
    // access routines the file system calls leave it out, during the create and after.
    priv.ignore_sharing = (packet->options & IO_IGNORE_SHARE_ACCESS_CHECK) != 0;

    // IRP_MJ_CREATE's RelatedFileObject: the file the name is relative to. Valid only while the
    // create is processed (FILE_OBJECT on Microsoft Learn); the object manager holds the reference.
    file->RelatedFileObject = related;
    status = capture_file_name(file, request.remaining_name);
    if (NT_SUCCESS(status)) status = admit_open(device, file);
    if (!NT_SUCCESS(status)) {
        file->DeviceObject = nullptr;
        ObDereferenceObject(file);
        return status;
    }
    // A device with a VPB is opened through the file system mounted on it (mounting it first).
    PDEVICE_OBJECT top = nullptr;
    status = open_through_volume(device, file, sub_path, &top);
    if (NT_SUCCESS(status) && check_after_mount && !file->Vpb) {
        // No file system took the name: it is the disk driver's, guarded by the disk's descriptor.
        status = manager.access_check(ob::header_of(device), request.process, desired, check_mode, &granted);
        if (NT_SUCCESS(status)) {
            checked = true;
            priv.granted_access = granted;
        }
    }
    if (NT_SUCCESS(status) && packet->device_hint) {
        // IoCreateFileSpecifyDeviceObjectHint: the create goes to the hinted device, which must be
        // in the stack the create would have reached (the volume's, for a file on a mounted
        // volume); anything else is STATUS_INVALID_DEVICE_OBJECT_PARAMETER.
        status = STATUS_INVALID_DEVICE_OBJECT_PARAMETER;
        const KIRQL old_irql = device_database_lock();
        for (PDEVICE_OBJECT d = top; d; d = d->DeviceObjectExtension->AttachedTo) {
            if (d == packet->device_hint) {
                // Held until the file object goes (release_device_hint): its IRPs keep going
                // there even if the filter above detaches meanwhile.
                ObReferenceObject(d);
                status = STATUS_SUCCESS;
                break;
            }
        }
        device_database_unlock(old_irql);
        if (NT_SUCCESS(status)) {
            top = packet->device_hint;
            priv.extension.top_device_hint = top;
            file->FileObjectExtension = &priv.extension;
        }
    }
    if (!NT_SUCCESS(status)) {
        release_exclusive_claim(file);
        device_release_open(device);
        file->DeviceObject = nullptr;
        ObDereferenceObject(file);
        return status;
    }

    ACCESS_STATE access_state{};
    SeCaptureSubjectContext(&access_state.SubjectSecurityContext);
    access_state.SecurityEvaluated = checked;
    access_state.OriginalDesiredAccess = desired;
    access_state.PreviouslyGrantedAccess = checked ? granted : 0;
    access_state.RemainingDesiredAccess = checked ? (desired & ~granted & ~MAXIMUM_ALLOWED) : desired;
    se::AuxAccessData aux_data;
    se::attach_aux_data(access_state, aux_data, &g_file_type.generic_mapping);
    IO_SECURITY_CONTEXT security{};
    security.AccessState = &access_state;
    security.DesiredAccess = desired;
    security.FullCreateOptions = packet->create_options;

    IO_STATUS_BLOCK iosb{};
    PIRP irp = IoAllocateIrpEx(top, top->StackSize, FALSE);
    if (!irp) {
        status = STATUS_INSUFFICIENT_RESOURCES;
    } else {
        irp->Flags = IRP_CREATE_OPERATION | IRP_SYNCHRONOUS_API;
        irp->RequestorMode = request.access_mode;
        irp->UserIosb = &iosb;
        irp->Tail.Overlay.Thread = PsGetCurrentThread();
        irp->Tail.Overlay.OriginalFileObject = file;
        irp->Overlay.AllocationSize = packet->allocation_size;
        irp->AssociatedIrp.SystemBuffer = packet->ea_buffer;
        PIO_STACK_LOCATION sp = IoGetNextIrpStackLocation(irp);
        // IO_OPEN_TARGET_DIRECTORY (a rename or link target): the file system opens the parent
        // directory of the name (https://learn.microsoft.com/windows-hardware/drivers/ifs/irp-mj-create,
        // SL_OPEN_TARGET_DIRECTORY).
        sp->Flags = static_cast<UCHAR>((case_sensitive ? SL_CASE_SENSITIVE : 0) |
                                       ((packet->options & IO_FORCE_ACCESS_CHECK) ? SL_FORCE_ACCESS_CHECK : 0) |
                                       ((packet->options & IO_OPEN_TARGET_DIRECTORY) ? SL_OPEN_TARGET_DIRECTORY : 0));
        sp->FileObject = file;
        // NT fact S2: the disposition reaches the driver unchanged, in the top byte of Options.
        const ULONG options = (packet->disposition << 24) | (packet->create_options & FILE_VALID_OPTION_FLAGS);
        if (packet->create_file_type == CreateFileTypeNamedPipe) {
            // https://learn.microsoft.com/windows-hardware/drivers/ifs/irp-mj-create-named-pipe
            sp->MajorFunction = IRP_MJ_CREATE_NAMED_PIPE;
            sp->Parameters.CreatePipe.SecurityContext = &security;
            sp->Parameters.CreatePipe.Options = options;
            sp->Parameters.CreatePipe.ShareAccess = static_cast<USHORT>(packet->share_access);
            sp->Parameters.CreatePipe.Parameters =
                static_cast<PNAMED_PIPE_CREATE_PARAMETERS>(packet->extra_create_parameters);
        } else if (packet->create_file_type == CreateFileTypeMailslot) {
            // https://learn.microsoft.com/windows-hardware/drivers/ifs/irp-mj-create-mailslot
            sp->MajorFunction = IRP_MJ_CREATE_MAILSLOT;
            sp->Parameters.CreateMailslot.SecurityContext = &security;
            sp->Parameters.CreateMailslot.Options = options;
            sp->Parameters.CreateMailslot.ShareAccess = static_cast<USHORT>(packet->share_access);
            sp->Parameters.CreateMailslot.Parameters =
                static_cast<PMAILSLOT_CREATE_PARAMETERS>(packet->extra_create_parameters);
        } else {
            sp->MajorFunction = IRP_MJ_CREATE;
            sp->Parameters.Create.SecurityContext = &security;
            sp->Parameters.Create.Options = options;
            sp->Parameters.Create.FileAttributes = static_cast<USHORT>(packet->file_attributes);
            sp->Parameters.Create.ShareAccess = static_cast<USHORT>(packet->share_access);
            sp->Parameters.Create.EaLength = packet->ea_length;
        }
        // The caller's ECP list goes with the create IRP while it is out (FsRtlGetEcpListFromIrp);
        // the list stays the caller's.
        priv.create_ecp_list = packet->ecp_list;
        status = call_driver_and_wait(top, irp);
        priv.create_ecp_list = nullptr;
        packet->information = irp->IoStatus.Information;
        IoFreeIrp(irp);
        // A driver's STATUS_REPARSE with Information IO_REPARSE names the file anew: the name it put
        // in FileObject->FileName (IoReplaceFileObjectName) is looked up again from the namespace's
        // root, as IRP_MJ_CREATE's reparse works for name-space drivers and filters
        // (https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-ioreplacefileobjectname;
        // bug check 0xF9 says it is for "IRP_MJ_CREATE requests with trailing names").
        // A create sent with a device object hint cannot leave the hinted stack at all: its reparse
        // is STATUS_MOUNT_POINT_NOT_RESOLVED, as IoCreateFileSpecifyDeviceObjectHint documents
        // for a name that crosses to another volume.
        // NT deviation: reparse tags (file-system reparse points) are not followed
        // (STATUS_IO_REPARSE_TAG_NOT_HANDLED), nor is a reparse of an open without a trailing name,
        // which NT stops with bug check 0xF9.
        if (status == STATUS_REPARSE) {
            if (packet->device_hint) {
                status = STATUS_MOUNT_POINT_NOT_RESOLVED;
            } else if (packet->information == IO_REPARSE && sub_path && file->FileName.Buffer &&
                       file->FileName.Length >= sizeof(WCHAR) && file->FileName.Buffer[0] == OBJ_NAME_PATH_SEPARATOR) {
                request.complete_name.assign(reinterpret_cast<const char16_t*>(file->FileName.Buffer),
                                             file->FileName.Length / sizeof(WCHAR));
            } else {
                status = STATUS_IO_REPARSE_TAG_NOT_HANDLED;
            }
        }
    }
    se::release_appended_privileges(access_state);
    SeReleaseSubjectContext(&access_state.SubjectSecurityContext);
    packet->final_status = status;

    // NT fact H1: a file handle is signalled while idle, from its open on; each request resets it.
    if (NT_SUCCESS(status) && status != STATUS_REPARSE) KeSetEvent(&file->Event, IO_NO_INCREMENT, FALSE);

    if (!NT_SUCCESS(status) || status == STATUS_REPARSE) {
        // The driver never saw this file object open: it goes without CLEANUP or CLOSE.
        release_volume_reference(file);
        release_volume_device(file);
        file->Vpb = nullptr;
        release_exclusive_claim(file);
        device_release_open(device);
        file->RelatedFileObject = nullptr;
        file->DeviceObject = nullptr;
        release_file_object_contexts(file);
        release_device_hint(file);
        ObDereferenceObject(file);
        return status;
    }
    priv.create_succeeded = true;
    // NT deviation: NT leaves RelatedFileObject pointing at a file object that may be gone later;
    // ntio clears it once the create is over, so no later reader follows a stale pointer.
    file->RelatedFileObject = nullptr;
    packet->file_object = file;
    *found = file;
    return STATUS_SUCCESS;
}

}  // namespace

}  // namespace ntio::io
