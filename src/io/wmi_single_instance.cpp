// The consumer routines that name one instance: IoWMIQuerySingleInstance(Multiple),
// IoWMISetSingleInstance, IoWMISetSingleItem, IoWMIExecuteMethod. WMI sends the request to the
// provider that registered the name as a static instance name (with its InstanceIndex), or, for
// dynamic names, to each provider of the block until one does not answer
// STATUS_WMI_INSTANCE_NOT_FOUND.
#include <algorithm>
#include <cstddef>
#include <cstring>

#include "io/io_manager.hpp"
#include "io/wmi_wnode.hpp"
#include "verifier/verifier.hpp"

namespace ntio::io {
namespace {

// The parts of a request that name the instance: WNODE_SINGLE_INSTANCE, _SINGLE_ITEM and
// _METHOD_ITEM all start OffsetInstanceName, InstanceIndex after the header.
struct InstanceRequest {
    UCHAR minor;
    ULONG wnode_flag;    // WNODE_FLAG_SINGLE_INSTANCE / _SINGLE_ITEM / _METHOD_ITEM
    ULONG fixed_size;    // offset of VariableData
    ULONG id_offset;     // ItemId / MethodId (0: none)
    ULONG id;
    ULONG data_offset_field, data_size_field;
    const UCHAR* data;   // input bytes
    ULONG data_size;
    ULONG room;          // bytes for the answer's data
    ULONG version;
};

std::vector<UCHAR> build(const InstanceRequest& r, const GUID& guid, const std::u16string& name, long index) {
    const ULONG data_offset = wmi_align8(r.fixed_size + wmi_counted_size(name));
    const ULONG size = data_offset + std::max(r.data_size, r.room);
    std::vector<UCHAR> wnode =
        wmi_new_wnode(size, guid, r.wnode_flag | (index >= 0 ? WNODE_FLAG_STATIC_INSTANCE_NAMES : 0));
    std::memcpy(wnode.data() + offsetof(WNODE_HEADER, Version), &r.version, sizeof(ULONG));
    const ULONG fields[2] = {r.fixed_size, index >= 0 ? static_cast<ULONG>(index) : 0};
    std::memcpy(wnode.data() + sizeof(WNODE_HEADER), fields, sizeof(fields));
    if (r.id_offset) std::memcpy(wnode.data() + r.id_offset, &r.id, sizeof(ULONG));
    std::memcpy(wnode.data() + r.data_offset_field, &data_offset, sizeof(ULONG));
    std::memcpy(wnode.data() + r.data_size_field, &r.data_size, sizeof(ULONG));
    (void)wmi_put_counted(wnode, r.fixed_size, name);
    if (r.data_size) std::memcpy(wnode.data() + data_offset, r.data, r.data_size);
    return wnode;
}

WmiAnswer send_to_instance(WmiDataBlock* block, const std::u16string& name, const InstanceRequest& r) {
    WmiRegistry& wmi = *block->registry;
    wmi.wait_registrations();
    std::vector<WmiProviderRef> providers = wmi.providers_of(block->guid);
    WmiAnswer answer;
    answer.status = providers.empty() ? STATUS_WMI_GUID_NOT_FOUND : STATUS_WMI_INSTANCE_NOT_FOUND;
    bool done = false;
    for (const WmiProviderRef& provider : providers) {
        WmiBlockInfo info;
        if (!done && wmi.block_of(provider, block->guid, &info) && !(info.flags & WMIREG_FLAG_EVENT_ONLY_GUID)) {
            const long index = info.names.empty() ? -1 : wmi_static_index(info, name);
            if (info.names.empty() || index >= 0) {
                InstanceRequest first = r;
                first.room = std::min(r.room, kWmiFirstRoom);
                WmiAnswer got = wmi_request(provider, r.minor, block->guid, build(first, block->guid, name, index));
                const ULONG data_offset = wmi_align8(r.fixed_size + wmi_counted_size(name));
                if (got.status == STATUS_BUFFER_TOO_SMALL && got.needed > data_offset + first.room &&
                    got.needed - data_offset <= r.room) {
                    InstanceRequest again = r;
                    again.room = got.needed - data_offset;
                    got = wmi_request(provider, r.minor, block->guid, build(again, block->guid, name, index));
                }
                // A static name belongs to this provider; a dynamic one may be another's.
                if (index >= 0 || got.status != STATUS_WMI_INSTANCE_NOT_FOUND) {
                    answer = std::move(got);
                    done = true;
                }
            }
        }
        wmi.release(provider);
    }
    return answer;
}

InstanceRequest single_instance(UCHAR minor, ULONG room) {
    return {minor, WNODE_FLAG_SINGLE_INSTANCE, offsetof(WNODE_SINGLE_INSTANCE, VariableData), 0, 0,
            offsetof(WNODE_SINGLE_INSTANCE, DataBlockOffset), offsetof(WNODE_SINGLE_INSTANCE, SizeDataBlock),
            nullptr, 0, room, 0};
}

NTSTATUS query_instances(PVOID* objects, PUNICODE_STRING names, ULONG count, PULONG in_out_size, PVOID out) {
    if (!objects || !names || count == 0 || !in_out_size) return STATUS_INVALID_PARAMETER;
    const ULONG room = out ? *in_out_size : 0;
    std::vector<UCHAR> linked;
    ULONG needed = 0, last_start = 0;
    bool too_small = false;
    for (ULONG i = 0; i < count; ++i) {
        WmiDataBlock* block;
        NTSTATUS status = data_block(objects[i], WMIGUID_QUERY, &block);
        if (!NT_SUCCESS(status)) return status;
        std::u16string name;
        status = wmi_capture_name(&names[i], &name);
        if (!NT_SUCCESS(status)) return status;
        WmiAnswer answer = send_to_instance(block, name, single_instance(IRP_MN_QUERY_SINGLE_INSTANCE, room));
        if (answer.status == STATUS_BUFFER_TOO_SMALL) {
            too_small = true;
            needed = wmi_align8(needed) + answer.needed;
            continue;
        }
        if (!NT_SUCCESS(answer.status)) return answer.status;
        // Learn, WNODE_HEADER: Linkage is the offset to the next WNODE, 0 for the last.
        const ULONG start = wmi_align8(static_cast<ULONG>(linked.size()));
        if (!linked.empty()) {
            const ULONG linkage = start - last_start;
            std::memcpy(linked.data() + last_start + offsetof(WNODE_HEADER, Linkage), &linkage, sizeof(linkage));
        }
        last_start = start;
        linked.resize(start);
        linked.insert(linked.end(), answer.wnode.begin(), answer.wnode.end());
        needed = wmi_align8(needed) + static_cast<ULONG>(answer.wnode.size());
    }
    if (too_small) {
        *in_out_size = needed;
        return STATUS_BUFFER_TOO_SMALL;
    }
    return wmi_return(linked, in_out_size, out);
}

// The block opened with `access` and the instance name captured: what every call naming one
// instance checks first.
NTSTATUS open_instance(PVOID object, ACCESS_MASK access, PUNICODE_STRING instance_name, WmiDataBlock** block,
                       std::u16string* name) {
    const NTSTATUS status = data_block(object, access, block);
    return NT_SUCCESS(status) ? wmi_capture_name(instance_name, name) : status;
}

}  // namespace

}  // namespace ntio::io

using ntio::io::InstanceRequest;

extern "C" {

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-iowmiquerysingleinstance
// WMIGUID_QUERY. The provider's WNODE_SINGLE_INSTANCE; STATUS_BUFFER_TOO_SMALL with the size
// needed; STATUS_WMI_INSTANCE_NOT_FOUND when no provider has the instance.
NTSTATUS NTAPI IoWMIQuerySingleInstance(PVOID DataBlockObject, PUNICODE_STRING InstanceName, PULONG InOutBufferSize,
                                        PVOID OutBuffer) {
    NTIO_VERIFY_DDI(ntio::verifier::DdiRule::IoApcLte);
    return ntio::io::query_instances(&DataBlockObject, InstanceName, 1, InOutBufferSize, OutBuffer);
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-iowmiquerysingleinstancemultiple
NTSTATUS NTAPI IoWMIQuerySingleInstanceMultiple(PVOID* DataBlockObjectList, PUNICODE_STRING InstanceNames,
                                                ULONG ObjectCount, PULONG InOutBufferSize, PVOID OutBuffer) {
    NTIO_VERIFY_DDI(ntio::verifier::DdiRule::IoApcLte);
    return ntio::io::query_instances(DataBlockObjectList, InstanceNames, ObjectCount, InOutBufferSize, OutBuffer);
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-iowmisetsingleinstance
// WMIGUID_SET. IRP_MN_CHANGE_SINGLE_INSTANCE with the value as the WNODE_SINGLE_INSTANCE's data
// and Version in the header; the provider's status.
NTSTATUS NTAPI IoWMISetSingleInstance(PVOID DataBlockObject, PUNICODE_STRING InstanceName, ULONG Version,
                                      ULONG ValueBufferSize, PVOID ValueBuffer) {
    NTIO_VERIFY_DDI(ntio::verifier::DdiRule::IoApcLte);
    ntio::io::WmiDataBlock* block;
    std::u16string name;
    const NTSTATUS status = ntio::io::open_instance(DataBlockObject, WMIGUID_SET, InstanceName, &block, &name);
    if (!NT_SUCCESS(status)) return status;
    if (ValueBufferSize && !ValueBuffer) return STATUS_INVALID_PARAMETER;
    InstanceRequest r = ntio::io::single_instance(IRP_MN_CHANGE_SINGLE_INSTANCE, 0);
    r.data = static_cast<const UCHAR*>(ValueBuffer);
    r.data_size = ValueBufferSize;
    r.version = Version;
    return ntio::io::send_to_instance(block, name, r).status;
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-iowmisetsingleitem
// WMIGUID_SET. IRP_MN_CHANGE_SINGLE_ITEM with a WNODE_SINGLE_ITEM naming DataItemId.
NTSTATUS NTAPI IoWMISetSingleItem(PVOID DataBlockObject, PUNICODE_STRING InstanceName, ULONG DataItemId,
                                  ULONG Version, ULONG ValueBufferSize, PVOID ValueBuffer) {
    NTIO_VERIFY_DDI(ntio::verifier::DdiRule::IoApcLte);
    ntio::io::WmiDataBlock* block;
    std::u16string name;
    const NTSTATUS status = ntio::io::open_instance(DataBlockObject, WMIGUID_SET, InstanceName, &block, &name);
    if (!NT_SUCCESS(status)) return status;
    if (ValueBufferSize && !ValueBuffer) return STATUS_INVALID_PARAMETER;
    InstanceRequest r{IRP_MN_CHANGE_SINGLE_ITEM, WNODE_FLAG_SINGLE_ITEM, offsetof(WNODE_SINGLE_ITEM, VariableData),
                      offsetof(WNODE_SINGLE_ITEM, ItemId), DataItemId, offsetof(WNODE_SINGLE_ITEM, DataBlockOffset),
                      offsetof(WNODE_SINGLE_ITEM, SizeDataItem), static_cast<const UCHAR*>(ValueBuffer),
                      ValueBufferSize, 0, Version};
    return ntio::io::send_to_instance(block, name, r).status;
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-iowmiexecutemethod
// WMIGUID_EXECUTE. IRP_MN_EXECUTE_METHOD with a WNODE_METHOD_ITEM holding the InBufferSize input
// bytes and room for *OutBufferSize output bytes; the method's output data (SizeDataBlock bytes at
// DataBlockOffset of the answer) is copied back over InOutBuffer. STATUS_BUFFER_TOO_SMALL with the
// output size needed.
NTSTATUS NTAPI IoWMIExecuteMethod(PVOID DataBlockObject, PUNICODE_STRING InstanceName, ULONG MethodId,
                                  ULONG InBufferSize, PULONG OutBufferSize, PUCHAR InOutBuffer) {
    NTIO_VERIFY_DDI(ntio::verifier::DdiRule::IoApcLte);
    ntio::io::WmiDataBlock* block;
    std::u16string name;
    const NTSTATUS status = ntio::io::open_instance(DataBlockObject, WMIGUID_EXECUTE, InstanceName, &block, &name);
    if (!NT_SUCCESS(status)) return status;
    if (!OutBufferSize || ((InBufferSize || *OutBufferSize) && !InOutBuffer)) return STATUS_INVALID_PARAMETER;
    InstanceRequest r{IRP_MN_EXECUTE_METHOD, WNODE_FLAG_METHOD_ITEM, offsetof(WNODE_METHOD_ITEM, VariableData),
                      offsetof(WNODE_METHOD_ITEM, MethodId), MethodId, offsetof(WNODE_METHOD_ITEM, DataBlockOffset),
                      offsetof(WNODE_METHOD_ITEM, SizeDataBlock), InOutBuffer, InBufferSize, *OutBufferSize, 0};
    ntio::io::WmiAnswer answer = ntio::io::send_to_instance(block, name, r);
    const ULONG data_offset = ntio::io::wmi_align8(r.fixed_size + ntio::io::wmi_counted_size(name));
    if (answer.status == STATUS_BUFFER_TOO_SMALL) {
        *OutBufferSize = answer.needed > data_offset ? answer.needed - data_offset : 0;
        return STATUS_BUFFER_TOO_SMALL;
    }
    if (!NT_SUCCESS(answer.status)) return answer.status;
    WNODE_METHOD_ITEM item;
    if (answer.wnode.size() < sizeof(item)) return STATUS_UNSUCCESSFUL;
    std::memcpy(&item, answer.wnode.data(), sizeof(item));
    if (item.DataBlockOffset > answer.wnode.size() || answer.wnode.size() - item.DataBlockOffset < item.SizeDataBlock)
        return STATUS_UNSUCCESSFUL;  // the provider's answer overruns what it wrote
    if (item.SizeDataBlock > *OutBufferSize) {
        *OutBufferSize = item.SizeDataBlock;
        return STATUS_BUFFER_TOO_SMALL;
    }
    if (item.SizeDataBlock) std::memcpy(InOutBuffer, answer.wnode.data() + item.DataBlockOffset, item.SizeDataBlock);
    *OutBufferSize = item.SizeDataBlock;
    return answer.status;
}

}  // extern "C"
