// Processor topology as KeQueryLogicalProcessorRelationship reports it: ntio's emulated processors
// (one group, one NUMA node) take the host's core, package and cache layout (host/cpu_topology) for the host
// CPUs of the same numbers; a processor the host says nothing about is a core and package of its own
// without caches listed.
#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "host/cpu.hpp"
#include "host/cpu_topology.hpp"
#include "ke/kernel.hpp"

namespace ntio::ke {
namespace {

constexpr ULONG kHeaderBytes = FIELD_OFFSET(SYSTEM_LOGICAL_PROCESSOR_INFORMATION_EX, Processor);

unsigned processors() noexcept {
    _KTHREAD* t = current_thread();
    return t ? t->m_kernel->processor_count() : host::cpu_count();
}

KAFFINITY all_mask(unsigned n) noexcept { return n >= 64 ? ~KAFFINITY{0} : (KAFFINITY{1} << n) - 1; }

struct Cache {
    BYTE level;
    BYTE associativity;
    WORD line_size;
    DWORD size;
    PROCESSOR_CACHE_TYPE type;
    KAFFINITY mask;
};

struct Topology {
    unsigned count = 0;
    std::vector<KAFFINITY> cores;
    std::vector<KAFFINITY> packages;
    std::vector<Cache> caches;
};

Topology read_topology() {
    Topology t;
    t.count = processors();
    const KAFFINITY all = all_mask(t.count);
    std::vector<std::pair<unsigned long, unsigned long>> core_keys;  // (package, core) per core
    std::vector<unsigned long> package_keys;
    for (unsigned i = 0; i < t.count && i < 64; ++i) {
        unsigned long core = 0, package = 0;
        const bool known = host::cpu_core_and_package(i, core, package);
        const KAFFINITY bit = KAFFINITY{1} << i;
        if (!known) {
            // A core and a package of its own: keys no host CPU has.
            core = ~0UL - i;
            package = ~0UL - i;
        }
        std::size_t c = 0;
        while (c < core_keys.size() && core_keys[c] != std::make_pair(package, core)) ++c;
        if (c == core_keys.size()) {
            core_keys.emplace_back(package, core);
            t.cores.push_back(0);
        }
        t.cores[c] |= bit;
        std::size_t p = 0;
        while (p < package_keys.size() && package_keys[p] != package) ++p;
        if (p == package_keys.size()) {
            package_keys.push_back(package);
            t.packages.push_back(0);
        }
        t.packages[p] |= bit;
        host::CpuCache found;
        for (unsigned index = 0; host::cpu_cache(i, index, found); ++index) {
            const KAFFINITY mask = bit | (static_cast<KAFFINITY>(found.shared_with) & all);
            const PROCESSOR_CACHE_TYPE type = found.type == host::CpuCache::kData          ? CacheData
                                              : found.type == host::CpuCache::kInstruction ? CacheInstruction
                                                                                           : CacheUnified;
            Cache cache{static_cast<BYTE>(found.level),
                        static_cast<BYTE>(found.ways > 0xFF ? CACHE_FULLY_ASSOCIATIVE : found.ways),
                        static_cast<WORD>(found.line_size), static_cast<DWORD>(found.size), type, mask};
            bool seen = false;
            for (const Cache& other : t.caches)
                seen |= other.level == cache.level && other.type == cache.type && other.mask == cache.mask;
            if (!seen) t.caches.push_back(cache);
        }
    }
    return t;
}

// Appends records to the caller's buffer while they fit; counts the bytes they need either way.
class RecordWriter {
public:
    RecordWriter(PSYSTEM_LOGICAL_PROCESSOR_INFORMATION_EX buffer, ULONG capacity)
        : m_buffer(reinterpret_cast<unsigned char*>(buffer)), m_capacity(buffer ? capacity : 0) {}

    // Returns the record to fill (zeroed) or null once the buffer is too small.
    PSYSTEM_LOGICAL_PROCESSOR_INFORMATION_EX add(LOGICAL_PROCESSOR_RELATIONSHIP kind, ULONG body_bytes) {
        const ULONG size = kHeaderBytes + body_bytes;
        const ULONG at = m_needed;
        m_needed += size;
        if (m_needed > m_capacity) return nullptr;
        auto* record = reinterpret_cast<PSYSTEM_LOGICAL_PROCESSOR_INFORMATION_EX>(m_buffer + at);
        std::memset(record, 0, size);
        record->Relationship = kind;
        record->Size = size;
        return record;
    }
    ULONG needed() const noexcept { return m_needed; }
    bool fits() const noexcept { return m_needed <= m_capacity; }

private:
    unsigned char* m_buffer;
    ULONG m_capacity;
    ULONG m_needed = 0;
};

GROUP_AFFINITY group_mask(KAFFINITY mask) noexcept {
    GROUP_AFFINITY affinity{};
    affinity.Mask = mask;
    affinity.Group = 0;
    return affinity;
}

void write_records(const Topology& t, LOGICAL_PROCESSOR_RELATIONSHIP kind, KAFFINITY filter, RecordWriter& out) {
    const bool all = kind == RelationAll;
    const KAFFINITY everyone = all_mask(t.count);
    if (all || kind == RelationProcessorCore) {
        for (KAFFINITY core : t.cores) {
            if (!(core & filter)) continue;
            if (auto* r = out.add(RelationProcessorCore, sizeof(PROCESSOR_RELATIONSHIP))) {
                r->Processor.Flags = __builtin_popcountll(core) > 1 ? LTP_PC_SMT : 0;
                r->Processor.GroupCount = 1;
                r->Processor.GroupMask[0] = group_mask(core);
            }
        }
    }
    if ((all || kind == RelationNumaNode) && (everyone & filter)) {
        if (auto* r = out.add(RelationNumaNode, sizeof(NUMA_NODE_RELATIONSHIP))) {
            r->NumaNode.NodeNumber = 0;
            r->NumaNode.GroupCount = 1;
            r->NumaNode.GroupMask = group_mask(everyone);
        }
    }
    if (all || kind == RelationCache) {
        for (const Cache& cache : t.caches) {
            if (!(cache.mask & filter)) continue;
            if (auto* r = out.add(RelationCache, sizeof(CACHE_RELATIONSHIP))) {
                r->Cache.Level = cache.level;
                r->Cache.Associativity = cache.associativity;
                r->Cache.LineSize = cache.line_size;
                r->Cache.CacheSize = cache.size;
                r->Cache.Type = cache.type;
                r->Cache.GroupCount = 1;
                r->Cache.GroupMask = group_mask(cache.mask);
            }
        }
    }
    if (all || kind == RelationProcessorPackage) {
        for (KAFFINITY package : t.packages) {
            if (!(package & filter)) continue;
            if (auto* r = out.add(RelationProcessorPackage, sizeof(PROCESSOR_RELATIONSHIP))) {
                r->Processor.GroupCount = 1;
                r->Processor.GroupMask[0] = group_mask(package);
            }
        }
    }
    if ((all || kind == RelationGroup) && (everyone & filter)) {
        if (auto* r = out.add(RelationGroup, sizeof(GROUP_RELATIONSHIP))) {
            r->Group.MaximumGroupCount = 1;
            r->Group.ActiveGroupCount = 1;
            r->Group.GroupInfo[0].MaximumProcessorCount = static_cast<BYTE>(t.count);
            r->Group.GroupInfo[0].ActiveProcessorCount = static_cast<BYTE>(t.count);
            r->Group.GroupInfo[0].ActiveProcessorMask = everyone;
        }
    }
}

}  // namespace
}  // namespace ntio::ke

using namespace ntio::ke;

extern "C" {

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-kegetrecommendedshareddataalignment
// NT's largest cache line: the widest line of the caches the host lists for its first CPU, or
// SYSTEM_CACHE_ALIGNMENT_SIZE when it lists none.
NTKERNELAPI ULONG KeGetRecommendedSharedDataAlignment(VOID) {
    static const ULONG alignment = [] {
        unsigned long widest = 0;
        ntio::host::CpuCache cache;
        for (unsigned i = 0; ntio::host::cpu_cache(0, i, cache); ++i) widest = std::max(widest, cache.line_size);
        return widest ? static_cast<ULONG>(widest) : static_cast<ULONG>(SYSTEM_CACHE_ALIGNMENT_SIZE);
    }();
    return alignment;
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-kequerymaximumprocessorcountex
NTKERNELAPI ULONG KeQueryMaximumProcessorCountEx(USHORT GroupNumber) {
    return (GroupNumber == 0 || GroupNumber == ALL_PROCESSOR_GROUPS) ? processors() : 0;
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-kequerylogicalprocessorrelationship
NTKERNELAPI NTSTATUS KeQueryLogicalProcessorRelationship(PPROCESSOR_NUMBER ProcessorNumber,
                                                         LOGICAL_PROCESSOR_RELATIONSHIP RelationshipType,
                                                         PSYSTEM_LOGICAL_PROCESSOR_INFORMATION_EX Information,
                                                         PULONG Length) {
    if (!Length) return STATUS_INVALID_PARAMETER;
    switch (RelationshipType) {
    case RelationProcessorCore: case RelationNumaNode: case RelationCache: case RelationProcessorPackage:
    case RelationGroup: case RelationAll:
        break;
    default:
        return STATUS_INVALID_PARAMETER;
    }
    const Topology topology = read_topology();
    KAFFINITY filter = all_mask(topology.count);
    if (ProcessorNumber) {
        if (ProcessorNumber->Group != 0 || ProcessorNumber->Number >= topology.count || ProcessorNumber->Number >= 64)
            return STATUS_INVALID_PARAMETER;
        filter = KAFFINITY{1} << ProcessorNumber->Number;
    }
    RecordWriter writer(Information, *Length);
    write_records(topology, RelationshipType, filter, writer);
    *Length = writer.needed();
    return writer.fits() ? STATUS_SUCCESS : STATUS_INFO_LENGTH_MISMATCH;
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-kequerynodeactiveaffinity
NTKERNELAPI VOID KeQueryNodeActiveAffinity(USHORT NodeNumber, PGROUP_AFFINITY Affinity, PUSHORT Count) {
    const unsigned n = processors();
    const KAFFINITY mask = NodeNumber == 0 ? all_mask(n) : 0;
    if (Affinity) *Affinity = group_mask(mask);
    if (Count) *Count = static_cast<USHORT>(__builtin_popcountll(mask));
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nf-ntddk-kequeryhighestnodenumber
// ntio's processors form one node (the topology above reports one NUMA node): the highest is 0.
NTKERNELAPI USHORT KeQueryHighestNodeNumber(VOID) { return 0; }

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-kegetcurrentnodenumber
NTKERNELAPI USHORT KeGetCurrentNodeNumber(VOID) { return 0; }

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-kequerynodemaximumprocessorcount
// Node 0 holds every processor (none is ever added at run time). A guess: Learn does not say what
// a node number above KeQueryHighestNodeNumber gives; ntio answers 0, as KeQueryNodeActiveAffinity
// answers an empty mask for it.
NTKERNELAPI USHORT KeQueryNodeMaximumProcessorCount(USHORT NodeNumber) {
    return NodeNumber == 0 ? static_cast<USHORT>(processors()) : USHORT{0};
}

}  // extern "C"
