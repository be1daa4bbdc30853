// WMI data block objects (object type WmiGuid): IoWMIOpenBlock makes one for a registered GUID with
// the WMIGUID_* rights asked, ObDereferenceObject's last reference closes it;
// IoWMISetNotificationCallback attaches an event callback to it, and IoWMIWriteEvent delivers a
// provider's event to the callbacks of its GUID.
#include <cstdio>
#include <new>

#include "io/io_manager.hpp"
#include "io/wmi_registry.hpp"
#include "ntio/system.hpp"
#include "ob/object_header.hpp"
#include "ob/object_manager.hpp"
#include "ob/object_type.hpp"
#include "verifier/verifier.hpp"

namespace ntio::io {
namespace {

// MaxEventSize's default: larger events need a WNODE_EVENT_REFERENCE.
constexpr ULONG kMaxEventSize = 0x400;

void block_delete(void* object) {
    auto* block = static_cast<WmiDataBlock*>(object);
    block->registry->closed(block);
    block->~WmiDataBlock();
}

void block_dump(void* object, std::string& out) {
    auto* block = static_cast<WmiDataBlock*>(object);
    char text[64];
    std::snprintf(text, sizeof(text), " access %#lx%s", static_cast<unsigned long>(block->access),
                  block->callback ? " callback" : "");
    out += text;
}

constexpr GENERIC_MAPPING kWmiGuidMapping{STANDARD_RIGHTS_READ | WMIGUID_QUERY, STANDARD_RIGHTS_WRITE | WMIGUID_SET,
                                          STANDARD_RIGHTS_EXECUTE | WMIGUID_EXECUTE, WMIGUID_ALL_ACCESS};

}  // namespace

_OBJECT_TYPE g_wmi_guid_type{
    .name = u"WmiGuid",
    .generic_mapping = kWmiGuidMapping,
    .valid_access_mask = WMIGUID_ALL_ACCESS,
    .pool_type = NonPagedPool,
    .del = block_delete,
    .dump = block_dump,
    .delete_at_passive = true,  // closing may send DISABLE_EVENTS / DISABLE_COLLECTION
};

void register_wmi_types() { ob::register_object_type(g_wmi_guid_type); }

NTSTATUS data_block(PVOID object, ACCESS_MASK needed, WmiDataBlock** out) {
    if (!object) return STATUS_INVALID_PARAMETER;
    if (ob::type_of(object) != &g_wmi_guid_type) return STATUS_OBJECT_TYPE_MISMATCH;
    auto* block = static_cast<WmiDataBlock*>(object);
    if ((block->access & needed) != needed) return STATUS_ACCESS_DENIED;
    *out = block;
    return STATUS_SUCCESS;
}

}  // namespace ntio::io

extern "C" {

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-iowmiopenblock
// Waits for the registrations queued before it, so that a GUID a provider registered is found.
// An unregistered GUID: STATUS_WMI_GUID_NOT_FOUND. Opening for query an expensive block sends its
// providers IRP_MN_ENABLE_COLLECTION (once, for the first such object).
NTSTATUS NTAPI IoWMIOpenBlock(LPCGUID Guid, ULONG DesiredAccess, PVOID* DataBlockObject) {
    NTIO_VERIFY_DDI(ntio::verifier::DdiRule::IoApcLte);
    if (!Guid || !DataBlockObject) return STATUS_INVALID_PARAMETER;
    *DataBlockObject = nullptr;
    ntio::System* system = ntio::io::current_system();
    if (!system) return STATUS_INVALID_PARAMETER;
    ntio::io::WmiRegistry& wmi = system->io().wmi();
    wmi.wait_registrations();
    if (!wmi.guid_known(*Guid, nullptr)) return STATUS_WMI_GUID_NOT_FOUND;
    void* body = nullptr;
    NTSTATUS status = system->objects().create_object(KernelMode, &ntio::io::g_wmi_guid_type, nullptr,
                                                      sizeof(ntio::io::WmiDataBlock), &body);
    if (!NT_SUCCESS(status)) return status;
    auto* block = new (body) ntio::io::WmiDataBlock{&wmi, *Guid, DesiredAccess, nullptr, nullptr};
    wmi.opened(block);
    *DataBlockObject = block;
    return STATUS_SUCCESS;
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-iowmisetnotificationcallback
// The object needs WMIGUID_NOTIFICATION. The first callback set for a GUID sends its providers
// IRP_MN_ENABLE_EVENTS; removing the last (a NULL Callback, or closing the object) DISABLE_EVENTS.
NTSTATUS NTAPI IoWMISetNotificationCallback(PVOID Object, WMI_NOTIFICATION_CALLBACK Callback, PVOID Context) {
    NTIO_VERIFY_DDI(ntio::verifier::DdiRule::IoApcLte);
    ntio::io::WmiDataBlock* block;
    NTSTATUS status = ntio::io::data_block(Object, WMIGUID_NOTIFICATION, &block);
    if (!NT_SUCCESS(status)) return status;
    return block->registry->set_callback(block, Callback, Context);
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-iowmiwriteevent
// The event goes to the notification callbacks set for its GUID, then is freed: STATUS_SUCCESS
// whether or not a consumer waited for it (Learn: drivers should write only enabled events). An
// event larger than MaxEventSize is STATUS_BUFFER_OVERFLOW; a trace event (WNODE_FLAG_TRACED_GUID)
// names a logger session in HistoricalContext, and ntio has none: STATUS_INVALID_HANDLE. The caller
// keeps the buffer on failure.
NTSTATUS NTAPI IoWMIWriteEvent(PVOID WnodeEventItem) {
    auto* event = static_cast<PWNODE_EVENT_ITEM>(WnodeEventItem);
    if (!event) return STATUS_INVALID_PARAMETER;
    PWNODE_HEADER header = &event->WnodeHeader;
    if (header->Flags & WNODE_FLAG_TRACED_GUID) return STATUS_INVALID_HANDLE;
    if (header->BufferSize < sizeof(WNODE_HEADER)) return STATUS_INVALID_PARAMETER;
    if (header->BufferSize > ntio::io::kMaxEventSize) return STATUS_BUFFER_OVERFLOW;
    if (ntio::System* system = ntio::io::current_system()) system->io().wmi().deliver(header);
    ExFreePool(event);
    return STATUS_SUCCESS;
}

}  // extern "C"
