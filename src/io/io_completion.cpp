// I/O completion ports: the IoCompletion object (a KQUEUE whose entries are small packets from a
// per-port lookaside list), the sink through which the final stage and fast I/O post completions,
// and the completion classes of NtSetInformationFile / NtQueryInformationFile.
#include <unordered_map>

#include "io/io_completion.hpp"
#include "verifier/verifier.hpp"

#include "io/irp.hpp"
#include "io/objects.hpp"
#include "io/request_common.hpp"
#include "ke/dispatcher.hpp"
#include "ke/kernel.hpp"
#include "ob/object_type.hpp"

namespace ntio::io {
namespace {

constexpr ULONG kPacketTag = 'pCoI';
// The FILE_SKIP_* bits NT keeps; others are accepted and dropped (NT fact F11).
constexpr ULONG kKnownModes =
    FILE_SKIP_COMPLETION_PORT_ON_SUCCESS | FILE_SKIP_SET_EVENT_ON_HANDLE | FILE_SKIP_SET_USER_EVENT_ON_FAST_IO;
// Entries one NtRemoveIoCompletionEx call takes at most (it may always return fewer than asked).
constexpr ULONG kMaxBatch = 64;

// One completion. NT deviation: NT queues the IRP itself (its Tail.Overlay.ListEntry) as the packet
// (NT fact F15) and a mini-packet for NtSetIoCompletion; ntio's final stage frees the IRP at once,
// so every completion is a packet from the port's lookaside list.
struct Packet {
    LIST_ENTRY link;
    PVOID key;
    PVOID apc_context;
    NTSTATUS status;
    ULONG_PTR information;
    PIO_STATUS_BLOCK deferred_iosb;  // NT fact D9: written at removal; null for every other packet
};

// A small per-thread cache of free packets in front of the ports' lookaside lists: a thread that
// posts and removes its own completions (the common batched-dequeue loop, gate A4) reuses packets
// without the lookaside list's interlocked operations. Packets are plain pool blocks of one size, so
// any port may take one another port's list allocated; the cache is emptied into pool at thread exit.
constexpr unsigned kThreadPacketCache = 64;
// Set once the cache was emptied at thread exit: packets freed later by the thread's own rundown go
// straight back to pool.
thread_local bool t_packet_cache_closed = false;
struct PacketCache {
    SINGLE_LIST_ENTRY head{};
    unsigned count = 0;
    ~PacketCache() {
        t_packet_cache_closed = true;
        while (count) {
            --count;
            ExFreePool(PopEntryList(&head));
        }
    }
};
thread_local PacketCache t_packet_cache;

// The body starts with the KQUEUE, as on NT. The lookaside list needs cache-line alignment, more
// than object bodies get, so it lives at the first aligned address after the header part.
struct IoCompletion {
    KQUEUE queue;
    std::atomic<bool> closed;  // the last handle is gone: waiters were abandoned, posts are dropped
    PNPAGED_LOOKASIDE_LIST lookaside;
    // Free packets handed back in chains of kReturnChain by threads whose cache overflowed (the
    // consumer of a poster on another CPU, gate B1): one interlocked operation per chain instead of
    // one lookaside push and pop per packet. A chain links its packets through link.Flink and the
    // chains through their first packet's link.Blink.
    std::atomic<Packet*> returned;
};
constexpr unsigned kReturnChain = kThreadPacketCache / 2;

// Calls fn on every packet of the returned chains starting at `chain` (fn may reuse the packet's links).
template <class Fn>
void for_each_returned(Packet* chain, Fn&& fn) noexcept {
    while (chain) {
        auto* next_chain = reinterpret_cast<Packet*>(chain->link.Blink);
        for (Packet* p = chain; p;) {
            auto* next = reinterpret_cast<Packet*>(p->link.Flink);
            fn(p);
            p = next;
        }
        chain = next_chain;
    }
}
constexpr std::size_t kLookasideAlign = alignof(NPAGED_LOOKASIDE_LIST);
constexpr std::size_t kBodySize = sizeof(IoCompletion) + kLookasideAlign - 1 + sizeof(NPAGED_LOOKASIDE_LIST);

IoCompletion* port_of(void* body) noexcept { return static_cast<IoCompletion*>(body); }

void free_packets(IoCompletion* port, PLIST_ENTRY first) noexcept {
    if (!first) return;
    PLIST_ENTRY entry = first;
    do {
        PLIST_ENTRY next = entry->Flink;
        ExFreeToNPagedLookasideList(port->lookaside, CONTAINING_RECORD(entry, Packet, link));
        entry = next;
    } while (entry != first);
}

// The last handle closed: threads waiting in NtRemoveIoCompletion return STATUS_ABANDONED_WAIT_0
// (GetQueuedCompletionStatus then fails with ERROR_ABANDONED_WAIT_0,
// https://learn.microsoft.com/windows/win32/api/ioapiset/nf-ioapiset-getqueuedcompletionstatus)
// and queued packets are freed. Files still bound to the port keep it alive but post nothing more.
void port_close(PEPROCESS, void* object, ACCESS_MASK, ULONG_PTR, ULONG_PTR system_handle_count) {
    if (system_handle_count != 1) return;
    IoCompletion* port = port_of(object);
    port->closed.store(true, std::memory_order_release);
    free_packets(port, KeRundownQueue(&port->queue));
}

// Last reference: packets a racing post queued after the close go too, then the returned chains
// and the lookaside list.
void port_delete(void* object) {
    IoCompletion* port = port_of(object);
    free_packets(port, KeRundownQueue(&port->queue));
    for_each_returned(port->returned.exchange(nullptr, std::memory_order_acquire), [](Packet* p) { ExFreePool(p); });
    ExDeleteNPagedLookasideList(port->lookaside);
    port->~IoCompletion();
}

void port_dump(void* object, std::string& out) {
    IoCompletion* port = port_of(object);
    char line[96];
    std::snprintf(line, sizeof(line), "depth %ld concurrency %lu%s", static_cast<long>(ke::queue_depth_snapshot(&port->queue)),
                  static_cast<unsigned long>(port->queue.MaximumCount),
                  port->closed.load(std::memory_order_relaxed) ? " closed" : "");
    out += line;
}

// The final stage's and fast I/O's way in (irp.hpp). A file whose association was removed
// (FileReplaceCompletionInformation with a NULL port) keeps its CompletionContext with a NULL Port.
// NT deviation: NT's packet is the IRP and cannot fail; here a completion whose packet cannot be
// allocated (pool exhausted) posts nothing.
bool port_sink(PVOID port, PVOID key, PVOID apc_context, NTSTATUS status, ULONG_PTR information) {
    if (!port) return false;
    return post_completion(port, key, apc_context, status, information) == STATUS_SUCCESS;
}

// Association changes are rare; one lock orders them. Ports a file was bound to before a
// FileReplaceCompletionInformation stay referenced until the file goes, because a completion
// running concurrently may still read the old Port from the file's CompletionContext.
std::mutex g_association_lock;
std::unordered_multimap<PFILE_OBJECT, void*> g_retired_ports;

PVOID current_port(PFILE_OBJECT file) noexcept {
    PIO_COMPLETION_CONTEXT context = __atomic_load_n(&file->CompletionContext, __ATOMIC_ACQUIRE);
    return context ? __atomic_load_n(&context->Port, __ATOMIC_ACQUIRE) : nullptr;
}

// FileCompletionInformation (replace false) and FileReplaceCompletionInformation (replace true,
// Windows 8.1 and later: a NULL Port removes the association,
// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/ns-ntifs-_file_completion_information).
NTSTATUS associate(PFILE_OBJECT file, const void* buffer, ULONG length, KPROCESSOR_MODE mode, bool replace) noexcept {
    if (length < sizeof(FILE_COMPLETION_INFORMATION)) return STATUS_INFO_LENGTH_MISMATCH;
    FILE_COMPLETION_INFORMATION info;
    std::memcpy(&info, buffer, sizeof(info));
    // NT fact F3: only asynchronous file objects take a port.
    if (file_flags(file) & FO_SYNCHRONOUS_IO) return STATUS_INVALID_PARAMETER;
    PVOID port = nullptr;
    if (info.Port || !replace) {
        NTSTATUS status = ObReferenceObjectByHandle(info.Port, IO_COMPLETION_MODIFY_STATE, &g_io_completion_type, mode,
                                                    &port, nullptr);
        if (!NT_SUCCESS(status)) return status;
    }
    std::lock_guard guard(g_association_lock);
    FilePrivate& priv = file_private(file);
    PVOID old = current_port(file);
    if (old && !replace) {
        ObDereferenceObject(port);
        return STATUS_INVALID_PARAMETER;  // one port per file (NT fact F13)
    }
    if (old) {
        try {
            g_retired_ports.emplace(file, old);
        } catch (...) {
            if (port) ObDereferenceObject(port);
            return STATUS_INSUFFICIENT_RESOURCES;
        }
    }
    __atomic_store_n(&priv.completion.Key, info.Key, __ATOMIC_RELEASE);
    __atomic_store_n(&priv.completion.Port, port, __ATOMIC_RELEASE);
    if (!file->CompletionContext) __atomic_store_n(&file->CompletionContext, &priv.completion, __ATOMIC_RELEASE);
    return STATUS_SUCCESS;
}

// NT fact F11: the flags accumulate; skipping the port on success needs an asynchronous file.
NTSTATUS set_notification_modes(PFILE_OBJECT file, const void* buffer, ULONG length) noexcept {
    if (length < sizeof(FILE_IO_COMPLETION_NOTIFICATION_INFORMATION)) return STATUS_INFO_LENGTH_MISMATCH;
    FILE_IO_COMPLETION_NOTIFICATION_INFORMATION info;
    std::memcpy(&info, buffer, sizeof(info));
    if ((info.Flags & FILE_SKIP_COMPLETION_PORT_ON_SUCCESS) && (file_flags(file) & FO_SYNCHRONOUS_IO))
        return STATUS_INVALID_PARAMETER;
    __atomic_fetch_or(&file_private(file).notification_modes, info.Flags & kKnownModes, __ATOMIC_SEQ_CST);
    return STATUS_SUCCESS;
}

}  // namespace

_OBJECT_TYPE g_io_completion_type{
    .name = u"IoCompletion",
    .generic_mapping = {STANDARD_RIGHTS_READ | IO_COMPLETION_QUERY_STATE, STANDARD_RIGHTS_WRITE | IO_COMPLETION_MODIFY_STATE,
                        STANDARD_RIGHTS_EXECUTE | SYNCHRONIZE, IO_COMPLETION_ALL_ACCESS},
    .valid_access_mask = IO_COMPLETION_ALL_ACCESS,
    .pool_type = NonPagedPool,
    .close = port_close,
    .del = port_delete,
    .dump = port_dump,
};

void register_completion_ports() noexcept {
    ob::register_object_type(g_io_completion_type);
    set_completion_port_sink(port_sink);
}

ULONG completion_port_body_size() noexcept { return static_cast<ULONG>(kBodySize); }

// Packets cross between CPUs (posted on one, removed and freed on another, reused by the poster):
// each has a cache line of its own, so that a crossing moves one line, not two, and never a
// neighbour's (gate B1).
static_assert(sizeof(Packet) <= 64);
namespace {
PVOID NTAPI allocate_packet(POOL_TYPE, SIZE_T bytes, ULONG tag) {
    return ExAllocatePoolWithTag(NonPagedPoolNxCacheAligned, bytes, tag);
}
}  // namespace

void initialize_port(void* body, ULONG concurrency) noexcept {
    auto* port = new (body) IoCompletion;
    const auto tail = reinterpret_cast<std::uintptr_t>(port + 1);
    port->lookaside = new (reinterpret_cast<void*>((tail + kLookasideAlign - 1) & ~(kLookasideAlign - 1)))
        NPAGED_LOOKASIDE_LIST;
    KeInitializeQueue(&port->queue, concurrency);
    ke::make_queue_count_lazily(&port->queue);
    ExInitializeNPagedLookasideList(port->lookaside, allocate_packet, nullptr, POOL_NX_ALLOCATION, sizeof(Packet), kPacketTag,
                                    0);
    port->closed.store(false, std::memory_order_relaxed);
    port->returned.store(nullptr, std::memory_order_relaxed);
}

// Back to this thread's cache; a full cache hands half of itself to the port as one chain (a thread
// that only removes packets posted elsewhere keeps freeing); after thread exit, to the lookaside list.
static void free_packet(IoCompletion* port, Packet* packet) noexcept {
    PacketCache& cache = t_packet_cache;
    if (t_packet_cache_closed) {
        ExFreeToNPagedLookasideList(port->lookaside, packet);
        return;
    }
    if (cache.count >= kThreadPacketCache) {
        auto* chain = reinterpret_cast<Packet*>(cache.head.Next);
        PSINGLE_LIST_ENTRY last = cache.head.Next;
        for (unsigned i = 1; i < kReturnChain; ++i) last = last->Next;
        cache.head.Next = last->Next;
        last->Next = nullptr;
        cache.count -= kReturnChain;
        Packet* head = port->returned.load(std::memory_order_relaxed);
        do {
            chain->link.Blink = reinterpret_cast<PLIST_ENTRY>(head);
        } while (!port->returned.compare_exchange_weak(head, chain, std::memory_order_release, std::memory_order_relaxed));
    }
    PushEntryList(&cache.head, reinterpret_cast<PSINGLE_LIST_ENTRY>(packet));
    ++cache.count;
}

// Refills an empty cache from the chains other threads handed back to `port`.
[[gnu::noinline]] static bool refill_packet_cache(IoCompletion* port, PacketCache& cache) noexcept {
    if (!port->returned.load(std::memory_order_relaxed) || t_packet_cache_closed) return false;
    for_each_returned(port->returned.exchange(nullptr, std::memory_order_acquire), [&cache](Packet* p) {
        PushEntryList(&cache.head, reinterpret_cast<PSINGLE_LIST_ENTRY>(p));
        ++cache.count;
    });
    return cache.count != 0;
}

// Queues one packet. A port whose last handle is gone takes nothing (STATUS_SUCCESS with `dropped`):
// a poster of a deferred IOSB must know that nobody will write it.
[[gnu::always_inline]] static inline NTSTATUS queue_packet(IoCompletion* port, PVOID key, PVOID apc_context, NTSTATUS status, ULONG_PTR information,
                             PIO_STATUS_BLOCK deferred_iosb, bool& dropped) noexcept {
    dropped = port->closed.load(std::memory_order_acquire);
    if (dropped) return STATUS_SUCCESS;  // nobody can remove it any more
    PacketCache& cache = t_packet_cache;
    Packet* packet;
    if (cache.count || refill_packet_cache(port, cache)) {
        --cache.count;
        packet = reinterpret_cast<Packet*>(PopEntryList(&cache.head));
        // The next packet was usually last written by the remover on another CPU (its free): ask
        // for its line now, so that its transfer overlaps this post instead of stalling the next
        // one's locked insert.
        if (cache.head.Next) ke::prefetch_for_write(cache.head.Next);
    } else {
        // The packet is the port's, not the driver's that may be completing the IRP here.
        verifier::SystemScope system;
        packet = static_cast<Packet*>(ExAllocateFromNPagedLookasideList(port->lookaside));
        if (!packet) return STATUS_INSUFFICIENT_RESOURCES;
    }
    packet->key = key;
    packet->apc_context = apc_context;
    packet->status = status;
    packet->information = information;
    packet->deferred_iosb = deferred_iosb;
    ke::insert_queue_entry(&port->queue, &packet->link);
    return STATUS_SUCCESS;
}

NTSTATUS post_completion(void* body, PVOID key, PVOID apc_context, NTSTATUS status, ULONG_PTR information) noexcept {
    bool dropped;
    return queue_packet(port_of(body), key, apc_context, status, information, nullptr, dropped);
}

bool post_completion_deferring_iosb(void* body, PVOID key, PVOID apc_context, NTSTATUS status, ULONG_PTR information,
                                    PIO_STATUS_BLOCK iosb) noexcept {
    if (!body) return false;
    bool dropped;
    return queue_packet(port_of(body), key, apc_context, status, information, iosb, dropped) == STATUS_SUCCESS &&
           !dropped;
}

NTSTATUS remove_completions(void* body, KPROCESSOR_MODE mode, bool alertable, PLARGE_INTEGER timeout,
                            CompletionEntry* entries, ULONG max_entries, ULONG* removed) noexcept {
    IoCompletion* port = port_of(body);
    *removed = 0;
    if (port->closed.load(std::memory_order_acquire)) return STATUS_ABANDONED_WAIT_0;
    PLIST_ENTRY taken[kMaxBatch];
    ULONG count = 0;
    NTSTATUS status = ke::remove_queue_entries(&port->queue, mode, alertable, timeout, taken,
                                               std::min(max_entries, kMaxBatch), &count);
    if (status == STATUS_ABANDONED) return STATUS_ABANDONED_WAIT_0;
    if (status != STATUS_SUCCESS) return status;
    for (ULONG i = 0; i < count; ++i) {
        Packet* packet = CONTAINING_RECORD(taken[i], Packet, link);
        entries[i].key = packet->key;
        entries[i].apc_context = packet->apc_context;
        entries[i].iosb.Status = packet->status;
        entries[i].iosb.Information = packet->information;
        if (packet->deferred_iosb) [[unlikely]]
            write_caller_iosb(packet->deferred_iosb, entries[i].iosb);
        free_packet(port, packet);
    }
    *removed = count;
    return STATUS_SUCCESS;
}

LONG completion_depth(void* body) noexcept { return KeReadStateQueue(&port_of(body)->queue); }

bool file_has_completion_port(PFILE_OBJECT file) noexcept { return current_port(file) != nullptr; }

void release_file_completion(PFILE_OBJECT file) noexcept {
    if (!file->CompletionContext) return;
    std::vector<void*> ports;
    {
        std::lock_guard guard(g_association_lock);
        auto [first, last] = g_retired_ports.equal_range(file);
        for (auto it = first; it != last; ++it) ports.push_back(it->second);
        g_retired_ports.erase(first, last);
        if (PVOID port = current_port(file)) ports.push_back(port);
        file_private(file).completion = {};
        file->CompletionContext = nullptr;
    }
    for (void* port : ports) ObDereferenceObject(port);
}

NTSTATUS set_completion_information(PFILE_OBJECT file, FILE_INFORMATION_CLASS info_class, const void* buffer,
                                    ULONG length, KPROCESSOR_MODE mode) noexcept {
    switch (info_class) {
    case FileCompletionInformation: return associate(file, buffer, length, mode, false);
    case FileReplaceCompletionInformation: return associate(file, buffer, length, mode, true);
    case FileIoCompletionNotificationInformation: return set_notification_modes(file, buffer, length);
    default: return STATUS_INVALID_INFO_CLASS;
    }
}

// FileCompletionInformation and FileReplaceCompletionInformation are set-only classes.
NTSTATUS query_completion_information(PFILE_OBJECT file, FILE_INFORMATION_CLASS info_class, void* buffer,
                                      ULONG length, ULONG* written) noexcept {
    if (info_class != FileIoCompletionNotificationInformation) return STATUS_INVALID_INFO_CLASS;
    if (length < sizeof(FILE_IO_COMPLETION_NOTIFICATION_INFORMATION)) return STATUS_INFO_LENGTH_MISMATCH;
    FILE_IO_COMPLETION_NOTIFICATION_INFORMATION info;
    info.Flags = __atomic_load_n(&file_private(file).notification_modes, __ATOMIC_SEQ_CST);
    std::memcpy(buffer, &info, sizeof(info));
    *written = sizeof(info);
    return STATUS_SUCCESS;
}

}  // namespace ntio::io
