// The requests WMI sends a provider: an IRP_MJ_SYSTEM_CONTROL IRP to the top of the registered
// device's stack (each driver passes down what names another ProviderId), or a call of a
// WMIREG_FLAG_CALLBACK provider's WMIENTRY; and the reading of the WMIREGINFO it answers
// IRP_MN_REGINFO_EX with.
#include <cstring>

#include "io/io_manager.hpp"
#include "io/wmi_registry.hpp"

namespace ntio::io {
namespace {

// A counted string (USHORT byte length, then the WCHARs) at `offset` of the buffer.
bool counted_string(const UCHAR* buffer, ULONG size, ULONG offset, std::u16string* out, ULONG* end = nullptr) {
    if (offset < sizeof(WMIREGINFO) || offset > size || size - offset < sizeof(USHORT) || (offset & 1)) return false;
    USHORT length;
    std::memcpy(&length, buffer + offset, sizeof(length));
    if ((length & 1) || size - offset - sizeof(USHORT) < length) return false;
    out->resize(length / sizeof(char16_t));
    std::memcpy(out->data(), buffer + offset + sizeof(USHORT), length);
    if (end) *end = offset + sizeof(USHORT) + length;
    return true;
}

struct Sent {
    KEVENT event;
    NTSTATUS status = STATUS_NOT_SUPPORTED;
    ULONG_PTR information = 0;
};

NTSTATUS NTAPI sent_completion(PDEVICE_OBJECT, PIRP irp, PVOID context) {
    auto* sent = static_cast<Sent*>(context);
    sent->status = irp->IoStatus.Status;
    sent->information = irp->IoStatus.Information;
    KeSetEvent(&sent->event, IO_NO_INCREMENT, FALSE);
    return STATUS_MORE_PROCESSING_REQUIRED;
}

}  // namespace

// Learn, IRP_MN_REGINFO_EX: ProviderId is the registered device object, DataPath WMIREGISTER or
// WMIUPDATE, Buffer a nonpaged buffer of BufferSize bytes; WMI initialises Status as for the other
// system IRPs it sends (STATUS_NOT_SUPPORTED) and sends at PASSIVE_LEVEL.
// https://learn.microsoft.com/windows-hardware/drivers/kernel/irp-mn-reginfo-ex
NTSTATUS wmi_send(const WmiProviderRef& provider, UCHAR minor, PVOID data_path, ULONG buffer_size, PVOID buffer,
                  ULONG_PTR* information) {
    *information = 0;
    if (provider->callback) {
        // NT deviation (guessed): WMIENTRY's Context is the registered routine itself, the value a
        // device provider's IRPs carry as ProviderId.
        ULONG size = 0;
        auto entry = reinterpret_cast<WMIENTRY>(provider->id);
        NTSTATUS status = entry(minor, data_path, buffer_size, buffer, provider->id, &size);
        *information = size;
        return status;
    }
    auto* device = static_cast<PDEVICE_OBJECT>(provider->id);
    PDEVICE_OBJECT top = IoGetAttachedDeviceReference(device);
    PIRP irp = IoAllocateIrp(top->StackSize, FALSE);
    if (!irp) {
        ObDereferenceObject(top);
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    Sent sent;
    KeInitializeEvent(&sent.event, NotificationEvent, FALSE);
    irp->Tail.Overlay.Thread = PsGetCurrentThread();
    irp->RequestorMode = KernelMode;
    irp->IoStatus.Status = STATUS_NOT_SUPPORTED;
    PIO_STACK_LOCATION sp = IoGetNextIrpStackLocation(irp);
    sp->MajorFunction = IRP_MJ_SYSTEM_CONTROL;
    sp->MinorFunction = minor;
    sp->Parameters.WMI.ProviderId = reinterpret_cast<ULONG_PTR>(device);
    sp->Parameters.WMI.DataPath = data_path;
    sp->Parameters.WMI.BufferSize = buffer_size;
    sp->Parameters.WMI.Buffer = buffer;
    IoSetCompletionRoutine(irp, sent_completion, &sent, TRUE, TRUE, TRUE);
    if (IoCallDriver(top, irp) == STATUS_PENDING)
        (void)KeWaitForSingleObject(&sent.event, Executive, KernelMode, FALSE, nullptr);
    // The completion routine kept the IRP: its status and Information whatever the status (an
    // error's Information carries the size a provider needs).
    *information = sent.information;
    const NTSTATUS status = sent.status;
    IoFreeIrp(irp);
    ObDereferenceObject(top);
    return status;
}

// Learn, WMIREGINFO and WMIREGGUID: offsets count from the start of the WMIREGINFO; names are
// counted strings; WMIREG_FLAG_INSTANCE_LIST gives InstanceCount of them one after the other,
// WMIREG_FLAG_INSTANCE_BASENAME one base name that WMI numbers 0..InstanceCount-1,
// WMIREG_FLAG_INSTANCE_PDO a PDO whose device instance ID names the instances. A block with
// WMIREG_FLAG_REMOVE_GUID (WMIUPDATE) is withdrawn.
// https://learn.microsoft.com/windows-hardware/drivers/ddi/wmistr/ns-wmistr-wmireginfow
// https://learn.microsoft.com/windows-hardware/drivers/ddi/wmistr/ns-wmistr-wmiregguidw
bool wmi_parse_reginfo(const UCHAR* buffer, ULONG size, WmiProvider& provider) {
    WMIREGINFO info;
    if (size < sizeof(WMIREGINFO)) return false;
    std::memcpy(&info, buffer, sizeof(info));
    if (info.BufferSize < sizeof(WMIREGINFO) || info.BufferSize > size) return false;
    size = info.BufferSize;
    if (info.GuidCount > (size - sizeof(WMIREGINFO)) / sizeof(WMIREGGUID)) return false;
    if (info.RegistryPath) (void)counted_string(buffer, size, info.RegistryPath, &provider.registry_path);
    if (info.MofResourceName) (void)counted_string(buffer, size, info.MofResourceName, &provider.mof_resource);
    for (ULONG i = 0; i < info.GuidCount; ++i) {
        WMIREGGUID reg;
        std::memcpy(&reg, buffer + sizeof(WMIREGINFO) + i * sizeof(WMIREGGUID), sizeof(reg));
        std::erase_if(provider.blocks,
                      [&](const WmiBlockInfo& b) { return std::memcmp(&b.guid, &reg.Guid, sizeof(GUID)) == 0; });
        if (reg.Flags & WMIREG_FLAG_REMOVE_GUID) continue;
        WmiBlockInfo block;
        block.guid = reg.Guid;
        block.flags = reg.Flags;
        if (reg.Flags & WMIREG_FLAG_INSTANCE_LIST) {
            ULONG offset = reg.InstanceNameList;
            for (ULONG n = 0; n < reg.InstanceCount; ++n) {
                std::u16string name;
                if (!counted_string(buffer, size, offset, &name, &offset)) return false;
                block.names.push_back(std::move(name));
            }
        } else if (reg.Flags & WMIREG_FLAG_INSTANCE_BASENAME) {
            std::u16string base;
            if (!counted_string(buffer, size, reg.BaseNameOffset, &base)) return false;
            for (ULONG n = 0; n < reg.InstanceCount; ++n) {
                std::u16string name = base;
                for (char c : std::to_string(n)) name.push_back(static_cast<char16_t>(c));
                block.names.push_back(std::move(name));
            }
        } else if (reg.Flags & WMIREG_FLAG_INSTANCE_PDO) {
            block.pdo = reinterpret_cast<PDEVICE_OBJECT>(reg.Pdo);
            block.names = wmi_pdo_instance_names(block.pdo, reg.InstanceCount);
        }
        provider.blocks.push_back(std::move(block));
    }
    return true;
}

}  // namespace ntio::io
