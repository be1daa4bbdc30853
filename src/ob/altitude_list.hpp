// A stack of callback registrations ordered by altitude, as the object manager's handle callbacks
// (ObRegisterCallbacks) and the registry's (CmRegisterCallbackEx) keep them: highest altitude
// first, one registration per altitude. Each registration carries run-down protection, as NT's
// callback blocks do: an operation takes a reference on every registration before it leaves the
// list's lock and keeps it until its post-operation calls are done, and a removal waits for the
// references out, so a routine is never called once its removal returned. An empty list costs an
// operation one relaxed load.
#pragma once

#include "ob/ddk.hpp"

namespace ntio::ob {

// Altitudes are decimal strings ("320000", "370030.5"), compared as numbers; a string that is not
// one sorts by its characters after every number. Returns <0, 0 or >0.
int compare_altitudes(std::u16string_view a, std::u16string_view b) noexcept;

struct AltitudeEntry {
    std::u16string altitude;
    // Registrations without an altitude (CmRegisterCallback) sit above every altitude, in the
    // order they came.
    bool above_all = false;
    EX_RUNDOWN_REF rundown{};
};

template <class Entry>  // derives from AltitudeEntry
class AltitudeList {
public:
    // The registrations an operation calls, each referenced until the snapshot goes.
    class Snapshot {
    public:
        Snapshot() = default;
        Snapshot(const Snapshot&) = delete;
        Snapshot& operator=(const Snapshot&) = delete;
        ~Snapshot()
        {
            for (Entry* entry : m_entries) ExReleaseRundownProtection(&entry->rundown);
        }
        std::size_t size() const noexcept { return m_entries.size(); }
        Entry& operator[](std::size_t i) const noexcept { return *m_entries[i]; }

    private:
        friend class AltitudeList;
        std::vector<Entry*> m_entries;
    };

    AltitudeList() = default;
    AltitudeList(const AltitudeList&) = delete;
    AltitudeList& operator=(const AltitudeList&) = delete;
    ~AltitudeList()
    {
        for (Entry* entry : m_entries) delete entry;  // registrations a driver never removed
    }

    bool empty() const noexcept { return m_size.load(std::memory_order_relaxed) == 0; }

    // STATUS_FLT_INSTANCE_ALTITUDE_COLLISION when the altitude is taken; the list owns the entry
    // on success.
    NTSTATUS add(std::unique_ptr<Entry> entry)
    {
        ExInitializeRundownProtection(&entry->rundown);
        std::unique_lock guard(m_lock);
        auto position = m_entries.begin();
        if (entry->above_all) {
            position = std::find_if(m_entries.begin(), m_entries.end(), [](const Entry* e) { return !e->above_all; });
        } else {
            for (; position != m_entries.end(); ++position) {
                if ((*position)->above_all) continue;
                const int order = compare_altitudes((*position)->altitude, entry->altitude);
                if (order == 0) return STATUS_FLT_INSTANCE_ALTITUDE_COLLISION;
                if (order < 0) break;
            }
        }
        m_entries.insert(position, entry.release());
        m_size.store(m_entries.size(), std::memory_order_relaxed);
        return STATUS_SUCCESS;
    }

    // Unlinks the first entry `match` accepts, waits for the operations using it, and hands it
    // back (null when none matched). PASSIVE_LEVEL; never from one of the entry's own routines.
    template <class Match>
    std::unique_ptr<Entry> remove(Match&& match)
    {
        Entry* removed = nullptr;
        {
            std::unique_lock guard(m_lock);
            auto it = std::find_if(m_entries.begin(), m_entries.end(), [&](Entry* e) { return match(*e); });
            if (it == m_entries.end()) return nullptr;
            removed = *it;
            m_entries.erase(it);
            m_size.store(m_entries.size(), std::memory_order_relaxed);
        }
        // Operations that referenced it before the erase finish their calls before this returns.
        ExWaitForRundownProtectionRelease(&removed->rundown);
        return std::unique_ptr<Entry>(removed);
    }

    template <class Match>
    bool contains(Match&& match) const
    {
        std::shared_lock guard(m_lock);
        return std::any_of(m_entries.begin(), m_entries.end(), [&](const Entry* e) { return match(*e); });
    }

    // References the entries `wanted` accepts, highest altitude first.
    template <class Wanted>
    void take(Snapshot& out, Wanted&& wanted)
    {
        std::shared_lock guard(m_lock);
        out.m_entries.reserve(m_entries.size());
        for (Entry* entry : m_entries)
            if (wanted(*entry) && ExAcquireRundownProtection(&entry->rundown)) out.m_entries.push_back(entry);
    }

private:
    mutable std::shared_mutex m_lock;
    std::vector<Entry*> m_entries;
    std::atomic<std::size_t> m_size{0};
};

}  // namespace ntio::ob
