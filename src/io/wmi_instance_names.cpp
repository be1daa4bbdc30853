// Instance names WMI makes from a PDO (WMIREG_FLAG_INSTANCE_PDO): the PDO's device instance ID,
// an underscore and the instance index; and the two routines that give a consumer the name of a
// device's instance: IoWMIDeviceObjectToInstanceName and IoWMIHandleToInstanceName.
#include <cstring>

#include "io/io_manager.hpp"
#include "io/pnp_manager.hpp"
#include "io/wmi_wnode.hpp"
#include "verifier/verifier.hpp"

namespace ntio::io {
namespace {

// The name of the first instance of a PDO-named block whose PDO is `device` or the bottom of its
// stack, in paged pool for the caller.
NTSTATUS device_instance_name(WmiDataBlock* block, PDEVICE_OBJECT device, PUNICODE_STRING out) {
    PDEVICE_OBJECT base = IoGetDeviceAttachmentBaseRef(device);
    WmiRegistry& wmi = *block->registry;
    wmi.wait_registrations();
    std::vector<WmiProviderRef> providers = wmi.providers_of(block->guid);
    std::u16string name;
    bool found = false;
    for (const WmiProviderRef& provider : providers) {
        WmiBlockInfo info;
        if (!found && wmi.block_of(provider, block->guid, &info) && (info.flags & WMIREG_FLAG_INSTANCE_PDO) &&
            (info.pdo == device || info.pdo == base) && !info.names.empty()) {
            name = info.names.front();
            found = true;
        }
        wmi.release(provider);
    }
    ObDereferenceObject(base);
    if (providers.empty()) return STATUS_WMI_GUID_NOT_FOUND;
    if (!found) return STATUS_WMI_INSTANCE_NOT_FOUND;
    const auto bytes = static_cast<USHORT>(name.size() * sizeof(WCHAR));
    auto* buffer = static_cast<PWCH>(ExAllocatePool2(POOL_FLAG_PAGED, bytes + sizeof(WCHAR), 'imWI'));
    if (!buffer) return STATUS_INSUFFICIENT_RESOURCES;
    std::memcpy(buffer, name.data(), bytes);
    buffer[name.size()] = 0;
    out->Buffer = buffer;
    out->Length = bytes;
    out->MaximumLength = static_cast<USHORT>(bytes + sizeof(WCHAR));
    return STATUS_SUCCESS;
}

}  // namespace

// Learn, WMIREGGUID: with WMIREG_FLAG_INSTANCE_PDO "WMI generates instance names from the device
// instance path of the PDO".
// https://learn.microsoft.com/windows-hardware/drivers/ddi/wmistr/ns-wmistr-wmiregguidw
std::vector<std::u16string> wmi_pdo_instance_names(PDEVICE_OBJECT pdo, ULONG count) {
    std::vector<std::u16string> names;
    PnpNode* node = pdo ? pnp_node_of(pdo) : nullptr;
    if (!node) return names;
    const std::u16string& path = pnp_instance_path(*node);
    for (ULONG i = 0; i < count; ++i) {
        std::u16string name = path + u"_";
        for (char c : std::to_string(i)) name.push_back(static_cast<char16_t>(c));
        names.push_back(std::move(name));
    }
    return names;
}

}  // namespace ntio::io

extern "C" {

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-iowmideviceobjecttoinstancename
// The first instance name of the block for the device's PDO; InstanceName->Buffer comes from paged
// pool and the caller frees it (ExFreePool). STATUS_WMI_INSTANCE_NOT_FOUND when the block's
// providers registered no instances named from that PDO.
NTSTATUS NTAPI IoWMIDeviceObjectToInstanceName(PVOID DataBlockObject, PDEVICE_OBJECT DeviceObject,
                                               PUNICODE_STRING InstanceName) {
    NTIO_VERIFY_DDI(ntio::verifier::DdiRule::IoPassive5);
    ntio::io::WmiDataBlock* block;
    NTSTATUS status = ntio::io::data_block(DataBlockObject, 0, &block);
    if (!NT_SUCCESS(status)) return status;
    if (!DeviceObject || DeviceObject->Type != IO_TYPE_DEVICE || !InstanceName) return STATUS_INVALID_PARAMETER;
    return ntio::io::device_instance_name(block, DeviceObject, InstanceName);
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-iowmihandletoinstancename
// As IoWMIDeviceObjectToInstanceName for the device of the file FileHandle is open on.
NTSTATUS NTAPI IoWMIHandleToInstanceName(PVOID DataBlockObject, HANDLE FileHandle, PUNICODE_STRING InstanceName) {
    NTIO_VERIFY_DDI(ntio::verifier::DdiRule::IoPassive5);
    ntio::io::WmiDataBlock* block;
    NTSTATUS status = ntio::io::data_block(DataBlockObject, 0, &block);
    if (!NT_SUCCESS(status)) return status;
    if (!InstanceName) return STATUS_INVALID_PARAMETER;
    PFILE_OBJECT file = nullptr;
    status = ObReferenceObjectByHandle(FileHandle, 0, *IoFileObjectType, KernelMode, reinterpret_cast<PVOID*>(&file),
                                       nullptr);
    if (!NT_SUCCESS(status)) return status;
    status = ntio::io::device_instance_name(block, file->DeviceObject, InstanceName);
    ObDereferenceObject(file);
    return status;
}

}  // extern "C"
