// IoWMIQueryAllData(Multiple): an IRP_MN_QUERY_ALL_DATA to every provider of each block, their
// WNODE_ALL_DATA answers (with the static instance names WMI adds) linked one after the other; and
// the WNODE helpers the consumer routines share.
#include <algorithm>
#include <cstddef>
#include <cstring>

#include "io/io_manager.hpp"
#include "io/wmi_wnode.hpp"
#include "verifier/verifier.hpp"

namespace ntio::io {
namespace {

char16_t fold(char16_t c) noexcept { return c >= u'a' && c <= u'z' ? static_cast<char16_t>(c - 32) : c; }

ULONG static_names_size(const WmiBlockInfo& info) {
    ULONG size = 0;
    for (const std::u16string& name : info.names) size += sizeof(ULONG) + wmi_counted_size(name);
    return size;
}

// Learn, WNODE_ALL_DATA: OffsetInstanceNameOffsets locates an array of InstanceCount ULONG offsets
// of counted names. For a block registered with static names the provider writes the data only
// and WMI adds the names it registered.
// https://learn.microsoft.com/windows-hardware/drivers/ddi/wmistr/ns-wmistr-tagwnode_all_data
void add_static_names(std::vector<UCHAR>& wnode, const WmiBlockInfo& info) {
    WNODE_ALL_DATA all;
    if (wnode.size() < offsetof(WNODE_ALL_DATA, FixedInstanceSize)) return;
    std::memcpy(&all, wnode.data(), offsetof(WNODE_ALL_DATA, FixedInstanceSize));
    const ULONG count = std::min<ULONG>(all.InstanceCount, static_cast<ULONG>(info.names.size()));
    const ULONG offsets = wmi_align8(static_cast<ULONG>(wnode.size()));
    ULONG at = offsets + count * sizeof(ULONG);
    wnode.resize(at);
    for (ULONG i = 0; i < count; ++i) {
        std::memcpy(wnode.data() + offsets + i * sizeof(ULONG), &at, sizeof(ULONG));
        at = wmi_put_counted(wnode, at, info.names[i]);
    }
    all.OffsetInstanceNameOffsets = offsets;
    all.WnodeHeader.BufferSize = static_cast<ULONG>(wnode.size());
    all.WnodeHeader.Flags |= WNODE_FLAG_STATIC_INSTANCE_NAMES;
    std::memcpy(wnode.data(), &all, offsetof(WNODE_ALL_DATA, FixedInstanceSize));
}

// One block's answers; `needed` grows by what they take (or would take), each 8-byte aligned
// after the one before.
NTSTATUS query_all(WmiDataBlock* block, ULONG room, std::vector<std::vector<UCHAR>>& wnodes, ULONG& needed,
                   bool& too_small) {
    WmiRegistry& wmi = *block->registry;
    wmi.wait_registrations();
    std::vector<WmiProviderRef> providers = wmi.providers_of(block->guid);
    NTSTATUS failure = STATUS_WMI_GUID_NOT_FOUND;
    bool answered = false;
    const ULONG size = std::max<ULONG>(std::min(room, kWmiFirstRoom), sizeof(WNODE_ALL_DATA));
    for (const WmiProviderRef& provider : providers) {
        WmiBlockInfo info;
        if (wmi.block_of(provider, block->guid, &info) && !(info.flags & WMIREG_FLAG_EVENT_ONLY_GUID)) {
            ULONG flags = WNODE_FLAG_ALL_DATA | (info.names.empty() ? 0 : WNODE_FLAG_STATIC_INSTANCE_NAMES);
            WmiAnswer answer = wmi_request(provider, IRP_MN_QUERY_ALL_DATA, block->guid,
                                           wmi_new_wnode(size, block->guid, flags));
            if (answer.status == STATUS_BUFFER_TOO_SMALL && answer.needed > size && answer.needed <= room)
                answer = wmi_request(provider, IRP_MN_QUERY_ALL_DATA, block->guid,
                                     wmi_new_wnode(answer.needed, block->guid, flags));
            if (answer.status == STATUS_BUFFER_TOO_SMALL) {
                too_small = answered = true;
                needed = wmi_align8(needed) + wmi_align8(std::max<ULONG>(answer.needed, size + 1)) +
                         static_names_size(info);
            } else if (NT_SUCCESS(answer.status)) {
                answered = true;
                if (!info.names.empty()) add_static_names(answer.wnode, info);
                needed = wmi_align8(needed) + static_cast<ULONG>(answer.wnode.size());
                wnodes.push_back(std::move(answer.wnode));
            } else {
                failure = answer.status;
            }
        }
        wmi.release(provider);
    }
    return answered ? STATUS_SUCCESS : failure;
}

NTSTATUS query_all_blocks(PVOID* objects, ULONG count, PULONG in_out_size, PVOID out) {
    if (!objects || count == 0 || !in_out_size) return STATUS_INVALID_PARAMETER;
    std::vector<WmiDataBlock*> blocks(count);
    for (ULONG i = 0; i < count; ++i) {
        NTSTATUS status = data_block(objects[i], WMIGUID_QUERY, &blocks[i]);
        if (!NT_SUCCESS(status)) return status;
    }
    const ULONG room = out ? *in_out_size : 0;
    std::vector<std::vector<UCHAR>> wnodes;
    ULONG needed = 0;
    bool too_small = false;
    for (WmiDataBlock* block : blocks) {
        NTSTATUS status = query_all(block, room, wnodes, needed, too_small);
        if (!NT_SUCCESS(status)) return status;
    }
    // Learn, WNODE_HEADER: Linkage is the offset from this WNODE to the next one, 0 for the last.
    std::vector<UCHAR> linked;
    for (std::size_t i = 0; i < wnodes.size(); ++i) {
        const auto start = static_cast<ULONG>(linked.size());
        linked.insert(linked.end(), wnodes[i].begin(), wnodes[i].end());
        if (i + 1 == wnodes.size()) break;
        linked.resize(wmi_align8(static_cast<ULONG>(linked.size())));
        const ULONG linkage = static_cast<ULONG>(linked.size()) - start;
        std::memcpy(linked.data() + start + offsetof(WNODE_HEADER, Linkage), &linkage, sizeof(linkage));
    }
    if (too_small) {
        *in_out_size = needed;
        return STATUS_BUFFER_TOO_SMALL;
    }
    return wmi_return(linked, in_out_size, out);
}

}  // namespace

WmiAnswer wmi_request(const WmiProviderRef& provider, UCHAR minor, const GUID& guid, const std::vector<UCHAR>& request) {
    WmiAnswer answer;
    const auto size = static_cast<ULONG>(request.size());
    auto* buffer = static_cast<UCHAR*>(ExAllocatePool2(POOL_FLAG_NON_PAGED, size, 'imWI'));
    if (!buffer) {
        answer.status = STATUS_INSUFFICIENT_RESOURCES;
        return answer;
    }
    std::memcpy(buffer, request.data(), size);
    GUID path = guid;
    ULONG_PTR information = 0;
    answer.status = wmi_send(provider, minor, &path, size, buffer, &information);
    WNODE_HEADER header;
    std::memcpy(&header, buffer, sizeof(header));
    // Learn, IRP_MN_QUERY_ALL_DATA: a provider short of room answers a WNODE_TOO_SMALL with
    // SizeNeeded (and STATUS_SUCCESS, as the WMI library completes it), or STATUS_BUFFER_TOO_SMALL
    // when not even that fits.
    // https://learn.microsoft.com/windows-hardware/drivers/kernel/irp-mn-query-all-data
    if ((NT_SUCCESS(answer.status) || answer.status == STATUS_BUFFER_TOO_SMALL) && (header.Flags & WNODE_FLAG_TOO_SMALL) &&
        information >= sizeof(WNODE_TOO_SMALL) && size >= sizeof(WNODE_TOO_SMALL)) {
        WNODE_TOO_SMALL small;
        std::memcpy(&small, buffer, sizeof(small));
        answer.status = STATUS_BUFFER_TOO_SMALL;
        answer.needed = small.SizeNeeded;
    } else if (NT_SUCCESS(answer.status)) {
        ULONG length = header.BufferSize >= sizeof(WNODE_HEADER) ? header.BufferSize : static_cast<ULONG>(information);
        length = std::min(length, size);
        answer.wnode.assign(buffer, buffer + length);
        if (length >= sizeof(WNODE_HEADER)) std::memcpy(answer.wnode.data(), &length, sizeof(ULONG));
    }
    ExFreePool(buffer);
    return answer;
}

std::vector<UCHAR> wmi_new_wnode(ULONG size, const GUID& guid, ULONG flags) {
    std::vector<UCHAR> wnode(size);
    WNODE_HEADER header{};
    header.BufferSize = size;
    header.Guid = guid;
    header.Flags = flags;
    std::memcpy(wnode.data(), &header, std::min<std::size_t>(size, sizeof(header)));
    return wnode;
}

ULONG wmi_counted_size(const std::u16string& name) noexcept {
    return static_cast<ULONG>(sizeof(USHORT) + name.size() * sizeof(char16_t));
}

ULONG wmi_put_counted(std::vector<UCHAR>& buffer, ULONG offset, const std::u16string& name) {
    const ULONG end = offset + wmi_counted_size(name);
    if (buffer.size() < end) buffer.resize(end);
    const auto length = static_cast<USHORT>(name.size() * sizeof(char16_t));
    std::memcpy(buffer.data() + offset, &length, sizeof(length));
    std::memcpy(buffer.data() + offset + sizeof(USHORT), name.data(), length);
    return end;
}

long wmi_static_index(const WmiBlockInfo& block, const std::u16string& name) {
    for (std::size_t i = 0; i < block.names.size(); ++i) {
        const std::u16string& candidate = block.names[i];
        if (candidate.size() == name.size() &&
            std::equal(candidate.begin(), candidate.end(), name.begin(),
                       [](char16_t a, char16_t b) { return fold(a) == fold(b); }))
            return static_cast<long>(i);
    }
    return -1;
}

NTSTATUS wmi_capture_name(PUNICODE_STRING name, std::u16string* out) {
    if (!name || (name->Length & 1) || name->Length > name->MaximumLength || (name->Length && !name->Buffer))
        return STATUS_INVALID_PARAMETER;
    out->assign(reinterpret_cast<const char16_t*>(name->Buffer), name->Length / sizeof(WCHAR));
    return STATUS_SUCCESS;
}

NTSTATUS wmi_return(const std::vector<UCHAR>& answer, PULONG in_out_size, PVOID out) {
    const auto size = static_cast<ULONG>(answer.size());
    if (!out || *in_out_size < size) {
        *in_out_size = size;
        return STATUS_BUFFER_TOO_SMALL;
    }
    std::memcpy(out, answer.data(), size);
    *in_out_size = size;
    return STATUS_SUCCESS;
}

}  // namespace ntio::io

extern "C" {

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-iowmiqueryalldata
// WMIGUID_QUERY. One WNODE_ALL_DATA per provider of the block, linked by WnodeHeader.Linkage.
// STATUS_BUFFER_TOO_SMALL with the size needed in *InOutBufferSize (also for a NULL OutBuffer);
// STATUS_WMI_GUID_NOT_FOUND when no provider answers.
NTSTATUS NTAPI IoWMIQueryAllData(PVOID DataBlockObject, PULONG InOutBufferSize, PVOID OutBuffer) {
    NTIO_VERIFY_DDI(ntio::verifier::DdiRule::IoApcLte);
    return ntio::io::query_all_blocks(&DataBlockObject, 1, InOutBufferSize, OutBuffer);
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-iowmiqueryalldatamultiple
NTSTATUS NTAPI IoWMIQueryAllDataMultiple(PVOID* DataBlockObjectList, ULONG ObjectCount, PULONG InOutBufferSize,
                                         PVOID OutBuffer) {
    NTIO_VERIFY_DDI(ntio::verifier::DdiRule::IoApcLte);
    return ntio::io::query_all_blocks(DataBlockObjectList, ObjectCount, InOutBufferSize, OutBuffer);
}

}  // extern "C"
