// The MS-DOS names of volumes and files: IoVolumeDeviceToDosName (and its older name
// RtlVolumeDeviceToDosName) and IoQueryFileDosDeviceName. NT asks the mount manager for a volume's
// drive letter; ntio has no mount manager, so the drive letter is the "X:" link of \?? (which falls
// back to \GLOBAL??) that resolves to the volume's device object, as the mount manager's links do.
#include "io/device_object.hpp"
#include "io/objects.hpp"
#include "ob/object_manager.hpp"
#include "verifier/verifier.hpp"

namespace ntio::io {

namespace {

constexpr ULONG kDosNameTag = 'nDoI';

// The first drive letter, A: to Z:, whose link in \?? reaches `device` ("X:"), or empty.
std::u16string drive_letter_of(PDEVICE_OBJECT device)
{
    ob::ObjectManager& om = ob::manager_of(device);
    for (char16_t letter = u'A'; letter <= u'Z'; ++letter) {
        const char16_t link[] = {u'\\', u'?', u'?', u'\\', letter, u':', 0};
        void* object = nullptr;
        NTSTATUS status = om.reference_object_by_name(link, nullptr, OBJ_CASE_INSENSITIVE, &g_device_type, KernelMode,
                                                      0, nullptr, &object);
        if (!NT_SUCCESS(status)) continue;
        const bool found = object == device;
        ObDereferenceObject(object);
        if (found) return std::u16string{letter, u':'};
    }
    return {};
}

// A NUL-terminated copy of `text` in paged pool, for a caller that frees it with ExFreePool.
NTSTATUS pool_string(std::u16string_view text, PUNICODE_STRING out)
{
    const std::size_t bytes = text.size() * sizeof(WCHAR);
    if (bytes + sizeof(WCHAR) > MAXUSHORT) return STATUS_NAME_TOO_LONG;
    auto* buffer = static_cast<PWCH>(ExAllocatePoolWithTag(PagedPool, bytes + sizeof(WCHAR), kDosNameTag));
    if (!buffer) return STATUS_INSUFFICIENT_RESOURCES;
    std::memcpy(buffer, text.data(), bytes);
    buffer[text.size()] = 0;
    out->Buffer = buffer;
    out->Length = static_cast<USHORT>(bytes);
    out->MaximumLength = static_cast<USHORT>(bytes + sizeof(WCHAR));
    return STATUS_SUCCESS;
}

NTSTATUS volume_dos_name(PVOID volume, PUNICODE_STRING dos_name)
{
    auto device = static_cast<PDEVICE_OBJECT>(volume);
    if (!dos_name || !is_device(device)) return STATUS_INVALID_PARAMETER;
    std::u16string letter = drive_letter_of(device);
    // NT deviation: without a mount manager a volume with no drive letter has no other MS-DOS path
    // (no volume GUID name, no mount point): STATUS_INVALID_PARAMETER, the mount manager's answer
    // for a device it does not know.
    if (letter.empty()) return STATUS_INVALID_PARAMETER;
    return pool_string(letter, dos_name);
}

}  // namespace

}  // namespace ntio::io

using namespace ntio;
using namespace ntio::io;

extern "C" {

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nf-ntddk-iovolumedevicetodosname:
// the MS-DOS path of a volume device a storage class driver created, in a buffer the routine
// allocates and the caller frees with ExFreePool; STATUS_INVALID_PARAMETER or
// STATUS_INSUFFICIENT_RESOURCES on failure. PASSIVE_LEVEL.
NTSTATUS NTAPI IoVolumeDeviceToDosName(PVOID VolumeDeviceObject, PUNICODE_STRING DosName)
{
    NTIO_VERIFY_DDI(ntio::verifier::DdiRule::IrqlAtMost, PASSIVE_LEVEL);
    return volume_dos_name(VolumeDeviceObject, DosName);
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nf-ntddk-rtlvolumedevicetodosname:
// obsolete since Windows XP, behaves as IoVolumeDeviceToDosName.
NTSTATUS NTAPI RtlVolumeDeviceToDosName(PVOID VolumeDeviceObject, PUNICODE_STRING DosName)
{
    NTIO_VERIFY_DDI(ntio::verifier::DdiRule::IrqlAtMost, PASSIVE_LEVEL);
    return volume_dos_name(VolumeDeviceObject, DosName);
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-ioqueryfiledosdevicename:
// a newly allocated OBJECT_NAME_INFORMATION with the file's MS-DOS name, freed with ExFreePool.
// The name is the drive letter of the file's device followed by the path the driver reports for
// the file (FileNameInformation, as for ObQueryNameString). Learn leaves a device with no drive
// letter open; NT deviation (a guess, listed): the device's NT name is used instead, so the result
// is the ObQueryNameString name. A file object without a device: STATUS_INVALID_PARAMETER.
NTSTATUS NTAPI IoQueryFileDosDeviceName(PFILE_OBJECT FileObject, POBJECT_NAME_INFORMATION* ObjectNameInformation)
{
    NTIO_VERIFY_DDI(ntio::verifier::DdiRule::IrqlAtMost, PASSIVE_LEVEL);
    if (!ObjectNameInformation) return STATUS_INVALID_PARAMETER;
    *ObjectNameInformation = nullptr;
    if (!is_file(FileObject) || !is_device(FileObject->DeviceObject)) return STATUS_INVALID_PARAMETER;
    PDEVICE_OBJECT device = FileObject->DeviceObject;
    std::u16string name = drive_letter_of(device);
    if (name.empty()) name = ob::manager_of(device).full_name(device);
    std::u16string path;
    NTSTATUS status = file_name_on_device(FileObject, path);
    if (!NT_SUCCESS(status)) return status;
    name += path;
    const std::size_t bytes = name.size() * sizeof(WCHAR);
    if (bytes + sizeof(WCHAR) > MAXUSHORT) return STATUS_NAME_TOO_LONG;
    auto* info = static_cast<POBJECT_NAME_INFORMATION>(
        ExAllocatePoolWithTag(PagedPool, sizeof(OBJECT_NAME_INFORMATION) + bytes + sizeof(WCHAR), kDosNameTag));
    if (!info) return STATUS_INSUFFICIENT_RESOURCES;
    auto* buffer = reinterpret_cast<PWCH>(info + 1);
    std::memcpy(buffer, name.data(), bytes);
    buffer[name.size()] = 0;
    info->Name.Buffer = buffer;
    info->Name.Length = static_cast<USHORT>(bytes);
    info->Name.MaximumLength = static_cast<USHORT>(bytes + sizeof(WCHAR));
    *ObjectNameInformation = info;
    return STATUS_SUCCESS;
}

}  // extern "C"
