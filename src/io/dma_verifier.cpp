// Driver Verifier's DMA checking (dma_verifier.hpp). The subcodes and their parameters are the rows
// of "Bug Check 0xE6: DRIVER_VERIFIER_DMA_VIOLATION" on Learn; where a row names fewer than three
// parameters the others are 0. What Learn leaves open (when a row applies, what ntio counts) is in
// docs/nt-deviations.md, "DMA checking".
#include "io/dma_verifier.hpp"

#include <algorithm>
#include <atomic>
#include <cstring>
#include <mutex>
#include <new>

#include "host/pages.hpp"
#include "verifier/verifier.hpp"

namespace ntio::io::dma {
namespace {

// Subcodes (parameter 1).
constexpr ULONG_PTR kMiscellaneous = 0x00;        // P2 1: flushed more bytes than the MDL has left
constexpr ULONG_PTR kTooManyCommonBuffers = 0x03;
constexpr ULONG_PTR kTooManyChannelsFreed = 0x04;
constexpr ULONG_PTR kTooManyMapRegistersFreed = 0x05;
constexpr ULONG_PTR kTooManyListsFreed = 0x06;
constexpr ULONG_PTR kOutstandingCommonBuffers = 0x07;
constexpr ULONG_PTR kOutstandingChannels = 0x08;
constexpr ULONG_PTR kOutstandingMapRegisters = 0x09;
constexpr ULONG_PTR kOutstandingLists = 0x0A;
constexpr ULONG_PTR kChannelAllocatedTwice = 0x0B;
constexpr ULONG_PTR kTooManyMapRegisters = 0x0C;
constexpr ULONG_PTR kNotFlushed = 0x0D;
constexpr ULONG_PTR kBufferOverrun = 0x0F;
constexpr ULONG_PTR kFreedWhileMapped = 0x10;
constexpr ULONG_PTR kAdapterReferences = 0x11;
constexpr ULONG_PTR kWrongIrql = 0x13;
constexpr ULONG_PTR kOutsideMdl = 0x1B;
constexpr ULONG_PTR kAlreadyMapped = 0x1D;
constexpr ULONG_PTR kFlushNotMapped = 0x20;
constexpr ULONG_PTR kZeroLengthMap = 0x21;

// 0x0F's violation codes (parameter 2) and what Learn says the verifier writes around a buffer: the
// tag "DmaVrfy0" next to each end, the fill 0x0F for the rest of the padding.
constexpr ULONG_PTR kTagBefore = 0x01;
constexpr ULONG_PTR kTagAfter = 0x02;
constexpr ULONG_PTR kPaddingBefore = 0x04;
constexpr ULONG_PTR kPaddingAfter = 0x05;
constexpr UCHAR kTag[8] = {'D', 'm', 'a', 'V', 'r', 'f', 'y', '0'};
constexpr UCHAR kPadding = kDmaFill;
constexpr ULONG_PTR kFreeRegisterWritten = 0x03;
// 0x13's violation code: the IRQL is higher than the routine allows (P3 the highest, P4 the current).
constexpr ULONG_PTR kIrqlTooHigh = 0x02;

// The adapters with DMA checking, for the unload check.
std::mutex g_registry_lock;
std::vector<Adapter*>* g_registry = nullptr;
std::atomic<ULONG> g_registered{0};

ULONG_PTR ptr(const void* p) noexcept { return reinterpret_cast<ULONG_PTR>(p); }

void violation(const Adapter& a, ULONG_PTR p1, ULONG_PTR p2, ULONG_PTR p3, ULONG_PTR p4, const char* message) noexcept {
    verifier::report_dma_violation(a.verification ? a.verification->driver : nullptr, p1, p2, p3, p4, message);
}

// Registers of an allocation that still carry mapped bytes, and those bytes.
ULONG registers_mapped(const Adapter& a, const MapRegister* base, ULONG* bytes = nullptr) noexcept {
    ULONG count = 0;
    ULONG total = 0;
    if (a.bounces && base && base->run != 0) {
        for (ULONG i = 0; i < base->run; ++i) {
            if (base[i].length == 0) continue;
            ++count;
            total += base[i].length;
        }
    }
    if (bytes) *bytes = total;
    return count;
}

bool valid_base(const Adapter& a, const MapRegister* base) noexcept {
    return base >= a.registers && base < a.registers + a.map_registers && base->run != 0;
}

// What an adapter still holds, in the order of the subcodes that report it.
struct Outstanding {
    ULONG_PTR subcode = 0;  // 0: nothing
    ULONG_PTR count = 0;
};
Outstanding outstanding(Adapter& a) noexcept {
    Verification& v = *a.verification;
    KIRQL irql;
    KeAcquireSpinLock(&a.lock, &irql);
    const ULONG channels = a.channel_busy ? 1 : 0;
    const ULONG registers = v.kept_registers + (a.channel_busy ? a.channel_count : 0);
    Outstanding o;
    if (!v.buffers.empty()) o = {kOutstandingCommonBuffers, v.buffers.size()};
    else if (channels) o = {kOutstandingChannels, channels};
    else if (registers) o = {kOutstandingMapRegisters, registers};
    else if (!v.lists.empty()) o = {kOutstandingLists, v.lists.size()};
    KeReleaseSpinLock(&a.lock, irql);
    return o;
}

const char* outstanding_text(ULONG_PTR subcode) noexcept {
    switch (subcode) {
    case kOutstandingCommonBuffers: return "the adapter was released with common buffers not freed";
    case kOutstandingChannels: return "the adapter was released with its adapter channel still held";
    case kOutstandingMapRegisters: return "the adapter was released with map registers not freed";
    default: return "the adapter was released with scatter/gather lists not put back";
    }
}

void check_irql_passive(const Adapter& a, const char* message) noexcept {
    const KIRQL irql = KeGetCurrentIrql();
    if (irql > PASSIVE_LEVEL) violation(a, kWrongIrql, kIrqlTooHigh, PASSIVE_LEVEL, irql, message);
}

// The guards of a common buffer: the first byte that is not what was written, else nullptr.
const UCHAR* first_changed(const UCHAR* from, const UCHAR* to, UCHAR value) noexcept {
    for (const UCHAR* p = from; p < to; ++p)
        if (*p != value) return p;
    return nullptr;
}

void check_guards(const Adapter& a, const CommonBufferRecord& r) noexcept {
    const UCHAR* buffer = r.buffer;
    const UCHAR* end = buffer + r.length;
    const UCHAR* block_end = r.block + r.block_bytes;
    if (std::memcmp(buffer - sizeof(kTag), kTag, sizeof(kTag)) != 0)
        violation(a, kBufferOverrun, kTagBefore, r.length, ptr(buffer), "the tag before a common buffer was overwritten");
    if (std::memcmp(end, kTag, sizeof(kTag)) != 0)
        violation(a, kBufferOverrun, kTagAfter, r.length, ptr(buffer), "the tag after a common buffer was overwritten");
    if (const UCHAR* p = first_changed(r.block, buffer - sizeof(kTag), kPadding))
        violation(a, kBufferOverrun, kPaddingBefore, ptr(buffer), ptr(p), "the padding before a common buffer was overwritten");
    if (const UCHAR* p = first_changed(end + sizeof(kTag), block_end, kPadding))
        violation(a, kBufferOverrun, kPaddingAfter, ptr(buffer), ptr(p), "the padding after a common buffer was overwritten");
}

}  // namespace

Verification* verification_for_new_adapter() noexcept {
    PDRIVER_OBJECT driver = verifier::dma_checked_driver();
    if (!driver) return nullptr;
    auto* v = new (std::nothrow) Verification{};
    if (v) v->driver = driver;
    return v;
}

void register_adapter(Adapter& a) noexcept {
    std::lock_guard guard(g_registry_lock);
    if (!g_registry) g_registry = new std::vector<Adapter*>();
    g_registry->push_back(&a);
    g_registered.fetch_add(1, std::memory_order_relaxed);
}

// "Bug Check 0xE6": 0x07, 0x08, 0x09 and 0x0A, parameters the adapter, the count outstanding, the
// verifier's data for the adapter (its Verification).
void verify_put_adapter(Adapter& a) noexcept {
    const Outstanding o = outstanding(a);
    // Returns only with the verifier off: the adapter goes as an unverified one would.
    if (o.subcode != 0) violation(a, o.subcode, ptr(&a.adapter), o.count, ptr(a.verification), outstanding_text(o.subcode));
    else verify_free_registers_untouched(a);
    {
        std::lock_guard guard(g_registry_lock);
        if (g_registry) {
            auto it = std::find(g_registry->begin(), g_registry->end(), &a);
            if (it != g_registry->end()) {
                g_registry->erase(it);
                g_registered.fetch_sub(1, std::memory_order_relaxed);
            }
            if (g_registry->empty()) {
                delete g_registry;
                g_registry = nullptr;
            }
        }
    }
    delete a.verification;
    a.verification = nullptr;
}

// 0x0F code 4: P3 where the mapped bytes start in the bounce page (what the device was given), P4
// the byte written before them; code 5: the same, P4 the byte written after them.
void verify_bounce_padding(Adapter& a, const MapRegister* base) noexcept {
    if (!a.bounces || !base || !valid_base(a, base)) return;
    for (ULONG i = 0; i < base->run; ++i) {
        const MapRegister& r = base[i];
        if (r.length == 0) continue;
        const UCHAR* page = bounce_page(a, &r);
        const UCHAR* start = page + BYTE_OFFSET(r.va);
        if (const UCHAR* p = first_changed(page, start, kPadding))
            violation(a, kBufferOverrun, kPaddingBefore, ptr(start), ptr(p),
                      "the device wrote before the bytes mapped through a map register");
        if (const UCHAR* p = first_changed(start + r.length, page + PAGE_SIZE, kPadding))
            violation(a, kBufferOverrun, kPaddingAfter, ptr(start), ptr(p),
                      "the device wrote after the bytes mapped through a map register");
    }
}

// 0x0F code 3: P3 the first byte of a free map register that is not the fill.
void verify_free_registers_untouched(Adapter& a) noexcept {
    if (!a.bounces) return;
    const UCHAR* written = nullptr;
    KIRQL irql;
    KeAcquireSpinLock(&a.lock, &irql);
    for (ULONG i = 0; i < a.map_registers && !written; ++i) {
        if (RtlCheckBit(&a.in_use, i)) continue;
        const UCHAR* page = bounce_page(a, a.registers + i);
        written = first_changed(page, page + PAGE_SIZE, kPadding);
    }
    KeReleaseSpinLock(&a.lock, irql);
    if (written) violation(a, kBufferOverrun, kFreeRegisterWritten, ptr(written), 0, "a free map register was written");
}

// AllocateCommonBuffer's and FreeCommonBuffer's pages: PASSIVE_LEVEL (0x13). The buffer gets a guard
// page on each side: the tag next to the buffer, then the padding (0x0F), also over the rest of its
// last page. The buffer itself stays page-aligned and zero-filled.
PVOID verified_allocate_common(Adapter& a, ULONG length, ULONGLONG lowest, ULONGLONG highest,
                               PPHYSICAL_ADDRESS logical) noexcept {
    check_irql_passive(a, "AllocateCommonBuffer was called above PASSIVE_LEVEL");
    if (length == 0 || !logical) return nullptr;
    highest = std::min(highest, a.limit);
    const SIZE_T pages = BYTES_TO_PAGES(length);
    const SIZE_T bytes = (pages + 2) * PAGE_SIZE;
    auto* block = static_cast<UCHAR*>(ntio::host::allocate_pages_below(bytes, highest));
    if (!block) return nullptr;
    UCHAR* buffer = block + PAGE_SIZE;
    if (reinterpret_cast<ULONG_PTR>(buffer) < lowest) {
        ntio::host::free_pages(block, bytes);
        return nullptr;
    }
    std::memset(block, kPadding, PAGE_SIZE - sizeof(kTag));
    std::memcpy(buffer - sizeof(kTag), kTag, sizeof(kTag));
    std::memcpy(buffer + length, kTag, sizeof(kTag));
    std::memset(buffer + length + sizeof(kTag), kPadding, bytes - PAGE_SIZE - length - sizeof(kTag));
    KIRQL irql;
    KeAcquireSpinLock(&a.lock, &irql);
    try {
        a.verification->buffers.push_back({buffer, length, block, bytes});
    } catch (...) {
        KeReleaseSpinLock(&a.lock, irql);
        ntio::host::free_pages(block, bytes);
        return nullptr;
    }
    KeReleaseSpinLock(&a.lock, irql);
    logical->QuadPart = static_cast<LONGLONG>(reinterpret_cast<ULONG_PTR>(buffer));
    return buffer;
}

// 0x03 for a buffer that is not outstanding (P2 the extra buffers freed: this one); 0x0F when the
// guards changed. NT deviation: ntio checks each buffer, so a double free is caught even while other
// buffers are outstanding.
void verified_free_common(Adapter& a, PVOID va) noexcept {
    check_irql_passive(a, "FreeCommonBuffer was called above PASSIVE_LEVEL");
    Verification& v = *a.verification;
    CommonBufferRecord record{};
    bool found = false;
    KIRQL irql;
    KeAcquireSpinLock(&a.lock, &irql);
    auto it = std::find_if(v.buffers.begin(), v.buffers.end(),
                           [&](const CommonBufferRecord& r) { return r.buffer == va; });
    if (it != v.buffers.end()) {
        record = *it;
        found = true;
    }
    KeReleaseSpinLock(&a.lock, irql);
    if (!found) {
        violation(a, kTooManyCommonBuffers, 1, 0, 0, "the driver freed a common buffer it does not hold (freed twice?)");
        return;
    }
    check_guards(a, record);
    KeAcquireSpinLock(&a.lock, &irql);
    it = std::find_if(v.buffers.begin(), v.buffers.end(), [&](const CommonBufferRecord& r) { return r.buffer == va; });
    if (it != v.buffers.end()) v.buffers.erase(it);
    KeReleaseSpinLock(&a.lock, irql);
    ntio::host::free_pages(record.block, record.block_bytes);
}

// 0x0C: P2 the registers asked for, P3 the adapter's maximum. 0x0B: P2 the channels outstanding.
void verify_channel_request(Adapter& a, ULONG registers) noexcept {
    if (registers > a.map_registers)
        violation(a, kTooManyMapRegisters, registers, a.map_registers, 0,
                  "the driver asked for more map registers than IoGetDmaAdapter gave it");
    KIRQL irql;
    KeAcquireSpinLock(&a.lock, &irql);
    ULONG channels = a.channel_busy ? 1 : 0;
    for (PLIST_ENTRY e = a.channel_waiters.Flink; e != &a.channel_waiters; e = e->Flink) ++channels;
    KeReleaseSpinLock(&a.lock, irql);
    if (channels != 0)
        violation(a, kChannelAllocatedTwice, channels, 0, 0,
                  "the driver allocated the adapter channel again before freeing it");
}

// 0x04: P2 the extra channels freed (1). 0x10: P2 the registers still mapping data.
void verify_free_channel(Adapter& a) noexcept {
    KIRQL irql;
    KeAcquireSpinLock(&a.lock, &irql);
    const bool held = a.channel_busy;
    const ULONG mapped = held ? registers_mapped(a, a.channel_base) : 0;
    KeReleaseSpinLock(&a.lock, irql);
    if (!held) violation(a, kTooManyChannelsFreed, 1, 0, 0, "the driver freed an adapter channel it does not hold");
    if (mapped != 0)
        violation(a, kFreedWhileMapped, mapped, 0, 0,
                  "the driver freed the channel's map registers before flushing its transfer");
}

// 0x05: P2 the extra registers freed. 0x10: P2 the registers still mapping data.
void verify_free_map_registers(Adapter& a, MapRegister* base, ULONG count) noexcept {
    Verification& v = *a.verification;
    KIRQL irql;
    KeAcquireSpinLock(&a.lock, &irql);
    const ULONG kept = v.kept_registers;
    const bool valid = !a.bounces || !base || valid_base(a, base);
    const ULONG mapped = valid && base ? registers_mapped(a, base) : 0;
    const bool ok = valid && count <= kept && mapped == 0;
    if (ok) v.kept_registers -= count;
    KeReleaseSpinLock(&a.lock, irql);
    if (!valid || count > kept)
        violation(a, kTooManyMapRegistersFreed, valid ? count - kept : count, 0, 0,
                  "the driver freed map registers it does not hold (freed twice?)");
    if (mapped != 0)
        violation(a, kFreedWhileMapped, mapped, 0, 0, "the driver freed map registers before flushing their transfer");
}

// 0x1B: P2 the address, P3 the MDL. 0x21: P2 the verifier's data. 0x1D: P2 and P3 the range to map,
// P4 the address already mapped. 0x0D: P2 the bytes mapped, P3 the most the registers map at a time.
void verify_map_transfer(Adapter& a, PMDL mdl, MapRegister* base, PVOID va, ULONG length) noexcept {
    ULONGLONG offset = 0;
    if (!offset_in(mdl, va, &offset)) {
        violation(a, kOutsideMdl, ptr(va), ptr(mdl), 0, "MapTransfer was given an address outside its MDL");
        return;
    }
    if (length == 0) violation(a, kZeroLengthMap, ptr(a.verification), 0, 0, "the driver mapped a zero-length transfer");
    if (!base || !a.bounces || !valid_base(a, base)) return;
    length = static_cast<ULONG>(std::min<ULONGLONG>(length, mdl->ByteCount - offset));
    const ULONG_PTR start = ptr(va);
    const ULONG_PTR end = start + length;
    for (ULONG i = 0; i < base->run; ++i) {
        const MapRegister& r = base[i];
        if (r.length != 0 && r.va < end && start < r.va + r.length)
            violation(a, kAlreadyMapped, start, end, std::max(start, r.va), "the driver mapped a range already mapped");
    }
    // Registers this transfer lands on (one per page, from its page's register on) still carrying an
    // earlier transfer.
    const ULONG page = static_cast<ULONG>(((BYTE_OFFSET(MmGetMdlVirtualAddress(mdl)) + offset) >> PAGE_SHIFT) % base->run);
    const ULONG pages = ADDRESS_AND_SIZE_TO_SPAN_PAGES(va, length);
    for (ULONG i = page; i < base->run && i < page + pages; ++i) {
        if (base[i].length == 0) continue;
        ULONG bytes = 0;
        (void)registers_mapped(a, base, &bytes);
        violation(a, kNotFlushed, bytes + length, static_cast<ULONG_PTR>(base->run) * PAGE_SIZE, 0,
                  "the driver mapped a new transfer without flushing the last one");
    }
    ++base->maps;
}

// 0x1B as for MapTransfer. 0x00 with P2 1: P3 the bytes left in the MDL, P4 the bytes asked to
// flush. 0x20: P2 the map register base, P3 the address, P4 the MDL.
void verify_flush(Adapter& a, PMDL mdl, MapRegister* base, PVOID va, ULONG length) noexcept {
    ULONGLONG offset = 0;
    if (!offset_in(mdl, va, &offset)) {
        violation(a, kOutsideMdl, ptr(va), ptr(mdl), 0, "FlushAdapterBuffers was given an address outside its MDL");
        return;
    }
    const ULONGLONG left = mdl->ByteCount - offset;
    if (length > left)
        violation(a, kMiscellaneous, 1, static_cast<ULONG_PTR>(left), length,
                  "the driver flushed more bytes than its MDL has left");
    if (!base || !a.bounces || !valid_base(a, base)) return;
    if (base->maps == 0)
        violation(a, kFlushNotMapped, ptr(base), ptr(va), ptr(mdl), "the driver flushed map registers it had not mapped");
}

void verify_list_granted(Adapter& a, PSCATTER_GATHER_LIST list) noexcept {
    Verification& v = *a.verification;
    KIRQL irql;
    KeAcquireSpinLock(&a.lock, &irql);
    ++v.lists_allocated;
    try {
        v.lists.push_back(list);
    } catch (...) {
    }
    KeReleaseSpinLock(&a.lock, irql);
}

// 0x06: P2 the lists allocated, P3 the lists freed (with this one).
bool verify_list_put(Adapter& a, PSCATTER_GATHER_LIST list) noexcept {
    Verification& v = *a.verification;
    KIRQL irql;
    KeAcquireSpinLock(&a.lock, &irql);
    auto it = std::find(v.lists.begin(), v.lists.end(), list);
    const bool out = it != v.lists.end();
    if (out) v.lists.erase(it);
    const ULONG allocated = v.lists_allocated;
    const ULONG freed = ++v.lists_freed;
    KeReleaseSpinLock(&a.lock, irql);
    if (!out) {
        violation(a, kTooManyListsFreed, allocated, freed, 0,
                  "the driver put back a scatter/gather list it does not hold (put twice?)");
        return false;
    }
    return true;
}

DmaCounts dma_counts(PDRIVER_OBJECT driver) noexcept {
    DmaCounts counts;
    if (g_registered.load(std::memory_order_relaxed) == 0) return counts;
    std::lock_guard guard(g_registry_lock);
    if (!g_registry) return counts;
    for (Adapter* a : *g_registry) {
        const Verification& v = *a->verification;
        if (v.driver != driver) continue;
        ++counts.adapters;
        KIRQL irql;
        KeAcquireSpinLock(&a->lock, &irql);
        counts.common_buffers += static_cast<ULONG>(v.buffers.size());
        counts.channels += a->channel_busy ? 1 : 0;
        counts.map_registers += v.kept_registers + (a->channel_busy ? a->channel_count : 0);
        counts.lists += static_cast<ULONG>(v.lists.size());
        KeReleaseSpinLock(&a->lock, irql);
    }
    return counts;
}

// NT deviation (Learn does not say when 0x11 is raised): an adapter the driver never put back is
// reported at its unload, with 0x07-0x0A for what it still holds, else 0x11 with one reference.
bool adapter_left_at_unload(PDRIVER_OBJECT driver, AdapterLeft* left) noexcept {
    if (g_registered.load(std::memory_order_relaxed) == 0) return false;
    Adapter* found = nullptr;
    {
        std::lock_guard guard(g_registry_lock);
        if (!g_registry) return false;
        for (Adapter* a : *g_registry) {
            if (a->verification->driver != driver) continue;
            a->verification->driver = nullptr;  // the driver object goes; the adapter may stay a while
            if (!found) found = a;
        }
    }
    if (!found) return false;
    const Outstanding o = outstanding(*found);
    if (o.subcode != 0) {
        *left = {o.subcode, ptr(&found->adapter), o.count, ptr(found->verification),
                 "the driver unloaded without releasing its DMA adapter and what the adapter holds"};
    } else {
        *left = {kAdapterReferences, 1, ptr(&found->adapter), ptr(found->verification),
                 "the driver unloaded without releasing its DMA adapter (PutDmaAdapter)"};
    }
    return true;
}

}  // namespace ntio::io::dma
