// What the file-object area shares inside io: the open packet IoCreateFile hands to the device's
// parse procedure (NT's OPEN_PACKET, the ParseContext of ObOpenObjectByName) and the synchronous
// IRP helper the create, cleanup, close and name paths use to talk to the driver.
#pragma once

#include "io/ddk.hpp"
#include "io/objects.hpp"

namespace ntio::io {

// The parse context of a file open. `magic` tells device_parse that the context really is one (an
// ObReferenceObjectByName of a device passes none). The parse fills the result fields.
struct OpenPacket {
    static constexpr ULONG kMagic = 0x4e50504f;  // 'OPPN'
    ULONG magic = kMagic;
    // ---- Request (IoCreateFile's parameters, validated) ----
    LARGE_INTEGER allocation_size{};
    ULONG file_attributes = 0;
    ULONG share_access = 0;
    ULONG disposition = 0;
    ULONG create_options = 0;
    PVOID ea_buffer = nullptr;   // kernel copy
    ULONG ea_length = 0;
    ULONG options = 0;           // IO_* of IoCreateFile
    ULONG create_file_type = 0;  // CreateFileTypeNone / NamedPipe / Mailslot (IoCreateFile)
    PDEVICE_OBJECT device_hint = nullptr;  // the create goes to this device of the stack, not its top
    PVOID extra_create_parameters = nullptr;  // NAMED_PIPE_ / MAILSLOT_CREATE_PARAMETERS, kernel copy
    struct ::_ECP_LIST* ecp_list = nullptr;   // IoCreateFileEx's ECP list, the caller's (checked)
    // ---- Result ----
    bool parsed = false;                 // a device parse procedure consumed the packet
    NTSTATUS final_status = STATUS_SUCCESS;
    ULONG_PTR information = 0;           // the driver's IoStatus.Information of IRP_MJ_CREATE
    PFILE_OBJECT file_object = nullptr;  // borrowed: the handle holds it
};

// IoCreateFile's work once the caller's parameters are in kernel memory: validates them as NT does
// (when `check_parameters`), opens the name with an OpenPacket and returns the handle and the
// driver's Information. A name that reaches no device parse procedure (an event, a directory) is
// STATUS_OBJECT_TYPE_MISMATCH. `mode` is the mode of the access checks and of the handle (UserMode:
// no kernel handles). PASSIVE_LEVEL.
struct CreateFileRequest {
    ACCESS_MASK desired_access = 0;
    LARGE_INTEGER allocation_size{};
    ULONG file_attributes = 0;
    ULONG share_access = 0;
    ULONG disposition = 0;
    ULONG create_options = 0;
    PVOID ea_buffer = nullptr;
    ULONG ea_length = 0;
    ULONG create_file_type = 0;  // CREATE_FILE_TYPE
    PVOID internal_parameters = nullptr;
    ULONG options = 0;           // IO_*
    PDEVICE_OBJECT device_hint = nullptr;  // IoCreateFileSpecifyDeviceObjectHint's DeviceObject
    struct ::_ECP_LIST* ecp_list = nullptr;  // IoCreateFileEx's ExtraCreateParameter
};
NTSTATUS create_file(const OBJECT_ATTRIBUTES& attributes, const CreateFileRequest& request, KPROCESSOR_MODE mode,
                     bool check_parameters, HANDLE* handle, IO_STATUS_BLOCK* iosb);

// Sends `irp` (its first stack location already filled) to `device` and waits until the driver
// completes it; the IRP is still the caller's afterwards (a completion routine stops completion
// with STATUS_MORE_PROCESSING_REQUIRED, so the final stage never runs on it). Returns
// irp->IoStatus.Status. PASSIVE_LEVEL.
NTSTATUS call_driver_and_wait(PDEVICE_OBJECT device, PIRP irp) noexcept;

// An IRP for `device`'s stack that the cleanup and close paths cannot do without: IoAllocateIrp,
// else the must-succeed reserve. Free it with release_must_succeed_irp. PASSIVE_LEVEL.
PIRP allocate_must_succeed_irp(CCHAR stack_size) noexcept;
void release_must_succeed_irp(PIRP irp) noexcept;

// Gives up the file's claim on an exclusive device (DO_EXCLUSIVE, NT fact N3; device_open.cpp).
void release_exclusive_claim(PFILE_OBJECT file) noexcept;
// Drops the reference a create with a device object hint took on the hinted device, and clears
// FileObjectExtension (file_object.cpp).
void release_device_hint(PFILE_OBJECT file) noexcept;
// The file object is going: unlinks the per-file-object contexts its filters left on it (after
// IRP_MJ_CLOSE, where they remove and free their own), each left pointing at itself (file_object.cpp).
void release_file_object_contexts(PFILE_OBJECT file) noexcept;

// The device IRPs on the file object go to (IoGetRelatedDeviceObject without the export). Inline:
// every read and write takes it.
inline PDEVICE_OBJECT file_target_device(PFILE_OBJECT file) noexcept
{
    // A file opened with a device object hint keeps going to that device, below the filters above
    // it (IoCreateFileSpecifyDeviceObjectHint on Microsoft Learn: the filters above never see it).
    // The extension is published by a filter's first per-file-object context while IRPs may be out.
    if (auto* extension = static_cast<FileExtension*>(__atomic_load_n(&file->FileObjectExtension, __ATOMIC_ACQUIRE)))
        [[unlikely]] {
        if (extension->top_device_hint) return extension->top_device_hint;
    }
    PDEVICE_OBJECT device = file->DeviceObject;
    // NT fact K11: direct device opens bypass a mounted volume and go to the device's own stack.
    // A file holding a VPB goes to that VPB's volume device. One holding a raw VPB (no volume
    // device, volume_mount.cpp) goes to the device's own stack even after a dismount let a file
    // system mount on the device's new VPB; on NT every VPB a file holds has a volume device (RAW's
    // included), so the rule is NT's for every other file.
    if (!(file_flags(file) & FO_DIRECT_DEVICE_OPEN)) [[likely]] {
        if (PVPB vpb = file->Vpb) {
            if (vpb->DeviceObject) device = vpb->DeviceObject;
        } else if (device->Vpb && device->Vpb->DeviceObject) {
            device = device->Vpb->DeviceObject;
        }
    }
    // IoGetAttachedDevice's walk: AttachedDevice links are published with release stores under the
    // device database lock (device_stack.cpp).
    while (PDEVICE_OBJECT above = __atomic_load_n(&device->AttachedDevice, __ATOMIC_ACQUIRE)) device = above;
    return device;
}

}  // namespace ntio::io
