// The WMI registry's bookkeeping: which providers offer a GUID now, the open data block objects,
// and from them when a provider is sent ENABLE/DISABLE_COLLECTION (its expensive block opened for
// query / last closed) and ENABLE/DISABLE_EVENTS (first notification callback set / last removed).
#include <algorithm>
#include <cstring>

#include "io/io_manager.hpp"
#include "io/wmi_registry.hpp"
#include "ntio/system.hpp"

namespace ntio::io {
namespace {

bool same_guid(const GUID& a, const GUID& b) noexcept { return std::memcmp(&a, &b, sizeof(GUID)) == 0; }

bool contains(const std::vector<GUID>& list, const GUID& guid) {
    return std::any_of(list.begin(), list.end(), [&](const GUID& g) { return same_guid(g, guid); });
}

const WmiBlockInfo* find_block(const WmiProvider& provider, const GUID& guid) {
    for (const WmiBlockInfo& block : provider.blocks)
        if (same_guid(block.guid, guid)) return &block;
    return nullptr;
}

}  // namespace

WmiRegistry& IoManager::wmi() {
    std::call_once(m_wmi_once, [this] {
        m_wmi.reset(new WmiRegistry(m_system));
        m_wmi_made.store(m_wmi.get(), std::memory_order_release);
        // Registrations still queued at shutdown run (or are dropped) before the drivers unload. A
        // registry first made during shutdown (a driver's unload deregistering) needs no hook: the
        // executive runs the work items queued before it stops.
        (void)m_system.try_at_shutdown([](void* p) { static_cast<WmiRegistry*>(p)->wait_registrations(); },
                                       m_wmi.get());
    });
    return *m_wmi;
}

void WmiRegistryDeleter::operator()(WmiRegistry* wmi) const noexcept { delete wmi; }

void IoManager::wmi_device_deleted(PDEVICE_OBJECT device) {
    if (WmiRegistry* wmi = m_wmi_made.load(std::memory_order_acquire)) wmi->device_deleted(device);
}

WmiRegistry* current_wmi() {
    System* system = current_system();
    return system ? &system->io().wmi() : nullptr;
}

std::vector<WmiProviderRef> WmiRegistry::providers_of(const GUID& guid) {
    std::vector<WmiProviderRef> out;
    std::lock_guard guard(m_lock);
    for (const WmiProviderRef& provider : m_providers) {
        if (!provider->registered || provider->blocked || !find_block(*provider, guid)) continue;
        if (!provider->callback) ObReferenceObject(provider->id);
        ++provider->busy;
        out.push_back(provider);
    }
    return out;
}

void WmiRegistry::release(const WmiProviderRef& provider) {
    {
        std::lock_guard guard(m_lock);
        --provider->busy;
    }
    m_changed.notify_all();
    if (!provider->callback) ObDereferenceObject(provider->id);
}

bool WmiRegistry::block_of(const WmiProviderRef& provider, const GUID& guid, WmiBlockInfo* out) {
    std::lock_guard guard(m_lock);
    const WmiBlockInfo* block = find_block(*provider, guid);
    if (!block) return false;
    *out = *block;
    return true;
}

bool WmiRegistry::guid_known(const GUID& guid, ULONG* flags) {
    std::lock_guard guard(m_lock);
    bool known = false;
    ULONG all = 0;
    for (const WmiProviderRef& provider : m_providers) {
        if (!provider->registered) continue;
        if (const WmiBlockInfo* block = find_block(*provider, guid)) {
            known = true;
            all |= block->flags;
        }
    }
    if (flags) *flags = all;
    return known;
}

void WmiRegistry::opened(WmiDataBlock* block) {
    {
        std::lock_guard guard(m_lock);
        m_blocks.push_back(block);
    }
    if (block->access & WMIGUID_QUERY) update_function(block->guid, IRP_MN_ENABLE_COLLECTION, true);
}

void WmiRegistry::closed(WmiDataBlock* block) {
    bool had_callback;
    {
        std::lock_guard guard(m_lock);
        std::erase(m_blocks, block);
        had_callback = block->callback != nullptr;
        block->callback = nullptr;
    }
    if (had_callback) update_function(block->guid, IRP_MN_ENABLE_EVENTS, false);
    if (block->access & WMIGUID_QUERY) update_function(block->guid, IRP_MN_ENABLE_COLLECTION, false);
}

NTSTATUS WmiRegistry::set_callback(WmiDataBlock* block, WMI_NOTIFICATION_CALLBACK callback, PVOID context) {
    {
        std::lock_guard guard(m_lock);
        block->callback = callback;
        block->context = context;
    }
    update_function(block->guid, IRP_MN_ENABLE_EVENTS, callback != nullptr);
    return STATUS_SUCCESS;
}

// NT deviation: NT's WMI queues the event and calls the consumers' callbacks from its own thread;
// ntio calls them in the writer's thread before IoWMIWriteEvent returns.
void WmiRegistry::deliver(PWNODE_HEADER event) {
    std::vector<std::pair<WMI_NOTIFICATION_CALLBACK, PVOID>> calls;
    {
        std::lock_guard guard(m_lock);
        for (WmiDataBlock* block : m_blocks)
            if (block->callback && same_guid(block->guid, event->Guid)) calls.emplace_back(block->callback, block->context);
    }
    for (auto& [callback, context] : calls) callback(event, context);
}

bool WmiRegistry::wanted_locked(const GUID& guid, UCHAR enable_minor) const {
    for (const WmiDataBlock* block : m_blocks) {
        if (!same_guid(block->guid, guid)) continue;
        if (enable_minor == IRP_MN_ENABLE_EVENTS ? block->callback != nullptr : (block->access & WMIGUID_QUERY) != 0)
            return true;
    }
    return false;
}

// Learn, IRP_MN_ENABLE_COLLECTION / IRP_MN_ENABLE_EVENTS: DataPath points to the block's GUID; the
// events request carries a WNODE_HEADER in Buffer. Collection is only asked of blocks registered
// with WMIREG_FLAG_EXPENSIVE.
// https://learn.microsoft.com/windows-hardware/drivers/kernel/irp-mn-enable-collection
// https://learn.microsoft.com/windows-hardware/drivers/kernel/irp-mn-enable-events
void WmiRegistry::update_function(const GUID& guid, UCHAR enable_minor, bool wanted) {
    std::lock_guard serial(m_function_lock);
    std::vector<WmiProviderRef> targets;
    {
        std::lock_guard guard(m_lock);
        if (wanted_locked(guid, enable_minor) != wanted) return;  // another object keeps it as it is
        for (const WmiProviderRef& provider : m_providers) {
            const WmiBlockInfo* block = find_block(*provider, guid);
            if (!block || !provider->registered || provider->blocked) continue;
            if (enable_minor == IRP_MN_ENABLE_COLLECTION && !(block->flags & WMIREG_FLAG_EXPENSIVE)) continue;
            auto& state = enable_minor == IRP_MN_ENABLE_EVENTS ? provider->events : provider->collecting;
            if (contains(state, guid) == wanted) continue;
            if (wanted) {
                state.push_back(guid);
            } else {
                std::erase_if(state, [&](const GUID& g) { return same_guid(g, guid); });
            }
            if (!provider->callback) ObReferenceObject(provider->id);
            ++provider->busy;
            targets.push_back(provider);
        }
    }
    const UCHAR minor = static_cast<UCHAR>(wanted ? enable_minor : enable_minor + 1);  // DISABLE_* follows
    for (const WmiProviderRef& provider : targets) {
        GUID path = guid;
        WNODE_HEADER header{};
        header.BufferSize = sizeof(header);
        header.Guid = guid;
        const bool events = enable_minor == IRP_MN_ENABLE_EVENTS;
        ULONG_PTR information = 0;
        (void)wmi_send(provider, minor, &path, events ? sizeof(header) : 0, events ? &header : nullptr, &information);
        release(provider);
    }
}

}  // namespace ntio::io
