// The tunnel cache (FsRtlInitializeTunnelCache and its neighbours, as Microsoft Learn documents
// them): names of files just deleted or renamed out of a directory, each with a file system's data
// packet, found again when a file is created or renamed in under one of those names. Entries live
// MaximumTunnelEntryAgeInSeconds (15 by default) and at most MaximumTunnelEntries (1024) are kept,
// the oldest going first; both are read from HKLM\SYSTEM\CurrentControlSet\Control\FileSystem when
// the cache is initialized, where 0 entries turns tunneling off (Microsoft KB 172190).
// Names compare without regard to case. NT deviation: the entries are ntio's own list (TUNNEL.Cache
// points to it), not a splay tree with a timer queue.
#include <ntifs.h>

#include <cstring>
#include <list>
#include <new>
#include <string>
#include <vector>

#include "nt/control_value.hpp"

namespace {

constexpr ULONG kDefaultAgeSeconds = 15;
constexpr ULONG kDefaultMaxEntries = 1024;
constexpr ULONGLONG kTicksPerSecond = 10'000'000;  // KeQueryInterruptTime's 100 ns units

struct Entry {
    ULONGLONG directory;
    std::u16string short_name;
    std::u16string long_name;
    bool key_by_short;
    std::vector<unsigned char> data;
    ULONGLONG added;  // interrupt time
};

struct Tunnel {
    std::list<Entry> entries;  // oldest first
    ULONGLONG age_limit;       // in interrupt-time units
    ULONG max_entries;
};

Tunnel* tunnel_of(PTUNNEL cache) noexcept { return reinterpret_cast<Tunnel*>(cache->Cache); }

std::u16string text(PCUNICODE_STRING s) {
    if (!s || !s->Buffer) return {};
    return std::u16string(reinterpret_cast<const char16_t*>(s->Buffer), s->Length / sizeof(WCHAR));
}

bool same_name(const std::u16string& a, PCUNICODE_STRING b) {
    if (!b || a.size() != b->Length / sizeof(WCHAR)) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (RtlUpcaseUnicodeChar(static_cast<WCHAR>(a[i])) != RtlUpcaseUnicodeChar(b->Buffer[i])) return false;
    return true;
}

void prune(Tunnel& t, PTUNNEL cache) {
    const ULONGLONG now = KeQueryInterruptTime();
    while (!t.entries.empty() && now - t.entries.front().added >= t.age_limit) t.entries.pop_front();
    cache->NumEntries = static_cast<USHORT>(std::min<std::size_t>(t.entries.size(), 0xFFFF));
}

// Copies into a caller's string up to its MaximumLength.
void copy_into(PUNICODE_STRING out, const std::u16string& s) {
    const USHORT bytes = static_cast<USHORT>(std::min<std::size_t>(s.size() * sizeof(WCHAR), out->MaximumLength));
    if (bytes) std::memcpy(out->Buffer, s.data(), bytes);
    out->Length = bytes;
}

}  // namespace

extern "C" {

NTKERNELAPI VOID NTAPI FsRtlInitializeTunnelCache(PTUNNEL Cache) {
    ExInitializeFastMutex(&Cache->Mutex);
    InitializeListHead(&Cache->TimerQueue);
    Cache->NumEntries = 0;
    auto* t = new (std::nothrow) Tunnel();
    // Without memory the cache stays empty: tunneling is an optimisation, never an error.
    if (t) {
        using ntio::nt::control_dword;
        t->age_limit =
            ULONGLONG{control_dword(L"FileSystem", L"MaximumTunnelEntryAgeInSeconds", kDefaultAgeSeconds)} * kTicksPerSecond;
        t->max_entries = control_dword(L"FileSystem", L"MaximumTunnelEntries", kDefaultMaxEntries);
    }
    Cache->Cache = reinterpret_cast<PRTL_SPLAY_LINKS>(t);
}

NTKERNELAPI VOID NTAPI FsRtlAddToTunnelCache(PTUNNEL Cache, ULONGLONG DirectoryKey, PUNICODE_STRING ShortName,
                                             PUNICODE_STRING LongName, BOOLEAN KeyByShortName, ULONG DataLength,
                                             PVOID Data) {
    Tunnel* t = tunnel_of(Cache);
    if (!t || t->max_entries == 0) return;
    ExAcquireFastMutex(&Cache->Mutex);
    try {
        prune(*t, Cache);
        Entry entry{DirectoryKey, text(ShortName), text(LongName), KeyByShortName != FALSE,
                    std::vector<unsigned char>(static_cast<const unsigned char*>(Data),
                                               static_cast<const unsigned char*>(Data) + (Data ? DataLength : 0)),
                    KeQueryInterruptTime()};
        // A newer entry for the same name in the same directory replaces the older one.
        const std::u16string& key = entry.key_by_short ? entry.short_name : entry.long_name;
        UNICODE_STRING key_string{static_cast<USHORT>(key.size() * sizeof(WCHAR)),
                                  static_cast<USHORT>(key.size() * sizeof(WCHAR)),
                                  reinterpret_cast<PWCH>(const_cast<char16_t*>(key.data()))};
        t->entries.remove_if([&](const Entry& e) {
            return e.directory == DirectoryKey && same_name(e.key_by_short ? e.short_name : e.long_name, &key_string);
        });
        t->entries.push_back(std::move(entry));
        while (t->entries.size() > t->max_entries) t->entries.pop_front();
        Cache->NumEntries = static_cast<USHORT>(std::min<std::size_t>(t->entries.size(), 0xFFFF));
    } catch (const std::bad_alloc&) {
        // Out of memory the name is simply not tunneled.
    }
    ExReleaseFastMutex(&Cache->Mutex);
}

NTKERNELAPI BOOLEAN NTAPI FsRtlFindInTunnelCache(PTUNNEL Cache, ULONGLONG DirectoryKey, PUNICODE_STRING Name,
                                                 PUNICODE_STRING ShortName, PUNICODE_STRING LongName,
                                                 PULONG DataLength, PVOID Data) {
    Tunnel* t = tunnel_of(Cache);
    if (!t) return FALSE;
    BOOLEAN found = FALSE;
    ExAcquireFastMutex(&Cache->Mutex);
    prune(*t, Cache);
    for (auto it = t->entries.rbegin(); it != t->entries.rend(); ++it) {
        const Entry& e = *it;
        if (e.directory != DirectoryKey || !same_name(e.key_by_short ? e.short_name : e.long_name, Name)) continue;
        if (*DataLength < e.data.size()) continue;
        // The long name grows into a pool string of its own when the caller's is too short; the
        // caller frees it (and its own), as Learn says.
        const auto long_bytes = static_cast<USHORT>(e.long_name.size() * sizeof(WCHAR));
        if (long_bytes > LongName->MaximumLength) {
            auto* buffer = static_cast<PWCH>(ExAllocatePoolWithTag(PagedPool, long_bytes, 'nuTF'));
            if (!buffer) break;
            LongName->Buffer = buffer;
            LongName->MaximumLength = long_bytes;
        }
        copy_into(LongName, e.long_name);
        copy_into(ShortName, e.short_name);
        *DataLength = static_cast<ULONG>(e.data.size());
        if (!e.data.empty()) std::memcpy(Data, e.data.data(), e.data.size());
        found = TRUE;
        break;
    }
    ExReleaseFastMutex(&Cache->Mutex);
    return found;
}

NTKERNELAPI VOID NTAPI FsRtlDeleteKeyFromTunnelCache(PTUNNEL Cache, ULONGLONG DirectoryKey) {
    Tunnel* t = tunnel_of(Cache);
    if (!t) return;
    ExAcquireFastMutex(&Cache->Mutex);
    t->entries.remove_if([&](const Entry& e) { return e.directory == DirectoryKey; });
    Cache->NumEntries = static_cast<USHORT>(std::min<std::size_t>(t->entries.size(), 0xFFFF));
    ExReleaseFastMutex(&Cache->Mutex);
}

NTKERNELAPI VOID NTAPI FsRtlDeleteTunnelCache(PTUNNEL Cache) {
    delete tunnel_of(Cache);
    Cache->Cache = nullptr;
    Cache->NumEntries = 0;
}

}  // extern "C"
