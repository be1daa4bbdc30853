// The multiple UNC provider (MUP): \Device\Mup, which \GLOBAL??\UNC names, routes each UNC open to
// the network redirector that claims its prefix. Shared by the MUP driver (mup_device.cpp), prefix
// resolution and its cache (mup_resolve.cpp) and the registration routines (unc_provider.cpp).
#pragma once

#include <ntifs.h>

#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

namespace ntio {
class System;
}

namespace ntio::fsrtl::mup {

// One registered redirector. Legacy providers (FsRtlRegisterUncProvider) are reached through their
// named device and get their opens by reparse; the others (FsRtlRegisterUncProviderEx) through the
// device they gave, with every request on their files passed on by MUP.
struct Provider {
    ~Provider();
    std::u16string name;             // RedirectorDeviceName / RedirDevName
    PDEVICE_OBJECT device = nullptr;  // referenced
    bool legacy = false;
    ULONG flags = 0;
    ULONG order = 0;     // its place in ProviderOrder; unlisted providers after every listed one
    ULONG sequence = 0;  // registration order among equals
    bool linked = false;  // Ex: RedirDevName is a symbolic link to \Device\Mup that MUP made
};
using ProviderRef = std::shared_ptr<Provider>;

struct CacheEntry {
    std::u16string prefix;  // "\server\share" as claimed (LengthAccepted bytes of the queried path)
    ProviderRef provider;
    LONGLONG expires = 0;  // interrupt time, 100 ns units
};

// The device extension of \Device\Mup holds a pointer to this.
struct State {
    std::mutex lock;
    std::vector<ProviderRef> providers;  // in query order
    std::vector<CacheEntry> cache;
    std::unordered_map<PFILE_OBJECT, ProviderRef> registrations;  // MUP handles' file objects
    std::unordered_map<PFILE_OBJECT, ProviderRef> opens;          // files passed on to Ex providers
    ULONG next_sequence = 0;
    PDEVICE_OBJECT device = nullptr;
};

// Creates \Driver\Mup, \Device\Mup and \GLOBAL??\UNC (System boot, before any driver loads).
NTSTATUS start(System& system);
// The state behind a device that is \Device\Mup, else null.
State* state_of(PDEVICE_OBJECT device) noexcept;

// Adds a provider on behalf of registration file object `handle_file` (an open of \Device\Mup).
NTSTATUS add_provider(State& state, PFILE_OBJECT handle_file, ProviderRef provider);
// The registration's end: the provider is queried no more and its cache entries go.
void remove_registration(State& state, PFILE_OBJECT handle_file);
// Which provider handles `path` ("\server\share\..."), from the cache or by asking each provider in
// order; on failure the status the open gets. PASSIVE_LEVEL.
NTSTATUS resolve(State& state, PIRP create_irp, std::u16string_view path, ProviderRef* provider);
// ProviderOrder's rank for a redirector device name (registry); ULONG max when not listed.
ULONG provider_order(std::u16string_view device_name);

}  // namespace ntio::fsrtl::mup
