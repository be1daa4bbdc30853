// ObQueryNameString / NtQueryObject(ObjectNameInformation) on a file object (NT's IopQueryName):
// the device's name, plus for an open with a sub-path the driver's answer to FileNameInformation,
// with NT's buffer rules (NT facts K5, K6).
#include "io/file_object.hpp"
#include "io/objects.hpp"
#include "ob/object_manager.hpp"

namespace ntio::io {

namespace {

constexpr ULONG kNameOffset = offsetof(FILE_NAME_INFORMATION, FileName);
constexpr ULONG kFirstQuerySize = 512;
constexpr ULONG kMaxQuerySize = 0x10000;

// Asks the driver for the file's name (IRP_MJ_QUERY_INFORMATION, FileNameInformation), growing
// the buffer while the driver reports STATUS_BUFFER_OVERFLOW with a longer name.
NTSTATUS query_driver_name(PFILE_OBJECT file, std::u16string& out)
{
    ULONG size = kFirstQuerySize;
    for (;;) {
        std::unique_ptr<unsigned char[]> buffer(new (std::nothrow) unsigned char[size]);
        if (!buffer) return STATUS_INSUFFICIENT_RESOURCES;
        std::memset(buffer.get(), 0, size);
        PDEVICE_OBJECT device = file_target_device(file);
        PIRP irp = IoAllocateIrpEx(device, device->StackSize, FALSE);
        if (!irp) return STATUS_INSUFFICIENT_RESOURCES;
        irp->Flags = IRP_BUFFERED_IO | IRP_INPUT_OPERATION | IRP_SYNCHRONOUS_API;
        irp->RequestorMode = KernelMode;
        irp->AssociatedIrp.SystemBuffer = buffer.get();
        irp->Tail.Overlay.Thread = PsGetCurrentThread();
        irp->Tail.Overlay.OriginalFileObject = file;
        PIO_STACK_LOCATION sp = IoGetNextIrpStackLocation(irp);
        sp->MajorFunction = IRP_MJ_QUERY_INFORMATION;
        sp->FileObject = file;
        sp->Parameters.QueryFile.Length = size;
        sp->Parameters.QueryFile.FileInformationClass = FileNameInformation;
        NTSTATUS status = call_driver_and_wait(device, irp);
        ULONG_PTR information = irp->IoStatus.Information;
        IoFreeIrp(irp);
        auto* info = reinterpret_cast<PFILE_NAME_INFORMATION>(buffer.get());
        if (status == STATUS_BUFFER_OVERFLOW && info->FileNameLength > size - kNameOffset &&
            info->FileNameLength <= kMaxQuerySize - kNameOffset) {
            size = kNameOffset + info->FileNameLength;
            continue;
        }
        if (!NT_SUCCESS(status)) return status;
        ULONG length = info->FileNameLength;
        if (information < kNameOffset || length > information - kNameOffset || length > size - kNameOffset ||
            (length & 1))
            return STATUS_INVALID_NETWORK_RESPONSE;  // a malformed answer
        out.assign(reinterpret_cast<const char16_t*>(info->FileName), length / sizeof(WCHAR));
        return STATUS_SUCCESS;
    }
}

}  // namespace

NTSTATUS file_name_on_device(PFILE_OBJECT file, std::u16string& path)
{
    path.clear();
    if (file->FileName.Length == 0) return STATUS_SUCCESS;
    NTSTATUS status = query_driver_name(file, path);
    // NT fact K6: only these two fall back to the bare device name.
    if (status == STATUS_NOT_IMPLEMENTED || status == STATUS_INVALID_PARAMETER) {
        path.clear();
        return STATUS_SUCCESS;
    }
    return status;
}

NTSTATUS file_query_name(void* object, bool, POBJECT_NAME_INFORMATION info, ULONG length, PULONG return_length,
                         KPROCESSOR_MODE)
{
    auto file = static_cast<PFILE_OBJECT>(object);
    if (!file->DeviceObject) return STATUS_OBJECT_TYPE_MISMATCH;
    std::u16string name = ob::manager_of(file->DeviceObject).full_name(file->DeviceObject);
    std::u16string driver_name;
    NTSTATUS status = file_name_on_device(file, driver_name);
    if (!NT_SUCCESS(status)) return status;
    name += driver_name;
    const std::size_t name_bytes = name.size() * sizeof(WCHAR);
    if (name_bytes + sizeof(WCHAR) > MAXUSHORT) return STATUS_NAME_TOO_LONG;
    const ULONG required =
        static_cast<ULONG>(sizeof(OBJECT_NAME_INFORMATION) + (name.empty() ? 0 : name_bytes + sizeof(WCHAR)));
    if (return_length) *return_length = required;
    if (!info || length < sizeof(OBJECT_NAME_INFORMATION)) return STATUS_INFO_LENGTH_MISMATCH;
    auto* buffer = reinterpret_cast<WCHAR*>(info + 1);
    if (name.empty()) {
        info->Name.Length = 0;
        info->Name.MaximumLength = 0;
        info->Name.Buffer = nullptr;
        return STATUS_SUCCESS;
    }
    const ULONG available = length - sizeof(OBJECT_NAME_INFORMATION);
    info->Name.Buffer = buffer;
    if (available >= name_bytes + sizeof(WCHAR)) {
        std::memcpy(buffer, name.data(), name_bytes);
        buffer[name.size()] = 0;
        info->Name.Length = static_cast<USHORT>(name_bytes);
        info->Name.MaximumLength = static_cast<USHORT>(name_bytes + sizeof(WCHAR));
        return STATUS_SUCCESS;
    }
    // NT fact K5: what fits of the name (keeping room for its NUL) and the full size.
    const std::size_t chars = available >= sizeof(WCHAR) ? (available - sizeof(WCHAR)) / sizeof(WCHAR) : 0;
    std::memcpy(buffer, name.data(), chars * sizeof(WCHAR));
    if (available >= sizeof(WCHAR)) buffer[chars] = 0;
    info->Name.Length = static_cast<USHORT>(chars * sizeof(WCHAR));
    info->Name.MaximumLength = static_cast<USHORT>(available >= sizeof(WCHAR) ? (chars + 1) * sizeof(WCHAR) : 0);
    return STATUS_BUFFER_OVERFLOW;
}

}  // namespace ntio::io
