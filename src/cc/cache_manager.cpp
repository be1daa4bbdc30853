// The per-System cache manager: map lifetime and the lazy writer. The lazy writer is NT's: a timer
// armed when data first becomes dirty fires about a second later (Windows Internals, "Lazy writing":
// the lazy writer scans once per second) and its DPC queues a scan to a system worker thread, which
// writes the dirty data of each stream under the file system's AcquireForLazyWrite /
// ReleaseFromLazyWrite (https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-ccinitializecachemap)
// and tears down the maps whose last handle went while they were dirty.
#include "cc/cache_manager.hpp"


#include <algorithm>
#include <map>
#include <new>

#include "cc/paging_io.hpp"
#include "cc/shared_cache_map.hpp"
#include "host/pages.hpp"
#include "io/top_level_irp.hpp"
#include "ntio/system.hpp"

namespace ntio::cc {
namespace {

struct Registry {
    std::mutex lock;
    std::map<System*, CacheManager*> by_system;
};

Registry& registry() {
    static auto* r = new Registry();  // never destroyed: Systems may shut down during static destruction
    return *r;
}

constexpr LONGLONG kLazyWriterDelay = -10'000'000;  // one second, relative, in 100 ns units

}  // namespace

// NT deviation: CcDirtyPageThreshold is an eighth of the machine's memory here (NT sizes it from
// the system cache, which ntio does not have).
std::int64_t default_dirty_threshold() noexcept {
    const std::uint64_t bytes = host::physical_memory_bytes();
    if (bytes == 0) return std::int64_t{1} << 18;  // 1 GiB of pages
    return std::max<std::int64_t>(static_cast<std::int64_t>(bytes / 8 / PAGE_SIZE), 1024);
}

CacheManager::CacheManager(System& system) : m_system(system), m_dirty_threshold(default_dirty_threshold()) {
    KeInitializeTimer(&m_timer);
    KeInitializeDpc(&m_dpc, timer_dpc, this);
    ExInitializeWorkItem(&m_scan_item, scan_routine, this);
    ExInitializeWorkItem(&m_read_ahead_item, read_ahead_routine, this);
}

CacheManager::~CacheManager() = default;

CacheManager* CacheManager::current(bool create) {
    System* system = System::current();
    if (!system) return nullptr;
    Registry& r = registry();
    std::lock_guard guard(r.lock);
    auto it = r.by_system.find(system);
    if (it != r.by_system.end()) return it->second;
    if (!create) return nullptr;
    auto* manager = new (std::nothrow) CacheManager(*system);
    if (!manager) return nullptr;
    r.by_system.emplace(system, manager);
    system->at_shutdown(shutdown_hook, manager);
    return manager;
}

SharedCacheMap* CacheManager::acquire(PSECTION_OBJECT_POINTERS section) {
    if (!section) return nullptr;
    std::lock_guard guard(m_lock);
    auto* map = static_cast<SharedCacheMap*>(section->SharedCacheMap);
    if (map) ++map->m_refs;
    return map;
}

void CacheManager::hold(SharedCacheMap* map) {
    std::lock_guard guard(m_lock);
    ++map->m_refs;
}

void CacheManager::release(SharedCacheMap* map) {
    std::unique_lock guard(m_lock);
    for (;;) {
        if (--map->m_refs > 0 || map->m_open_count > 0) return;
        if (!map->has_dirty()) break;
        if (!m_stopped) {
            // The lazy writer writes it and deletes it afterwards, as NT defers the teardown of a
            // dirty stream whose last handle was closed.
            guard.unlock();
            note_dirty();
            return;
        }
        ++map->m_refs;
        guard.unlock();
        (void)map->flush(-1, 0, true, nullptr);
        guard.lock();
    }
    m_maps.erase(std::find(m_maps.begin(), m_maps.end(), map));
    __atomic_store_n(&map->m_section->SharedCacheMap, nullptr, __ATOMIC_RELEASE);
    map->m_deleted = true;
    guard.unlock();
    delete_map(map);
    guard.lock();
    maybe_free_locked(guard);
}

void CacheManager::delete_map(SharedCacheMap* map) {
    PCACHE_UNINITIALIZE_EVENT events = map->m_uninitialize_events;
    PFILE_OBJECT file = map->m_file;
    delete map;
    while (events) {
        PCACHE_UNINITIALIZE_EVENT next = events->Next;
        KeSetEvent(&events->Event, IO_NO_INCREMENT, FALSE);
        events = next;
    }
    // Last: the file system may free the FCB holding the section pointers at IRP_MJ_CLOSE.
    ObDereferenceObject(file);
}

void CacheManager::maybe_free_locked(std::unique_lock<std::mutex>& guard) {
    if (!m_stopped || !m_maps.empty()) return;
    {
        Registry& r = registry();
        std::lock_guard registry_guard(r.lock);
        auto it = r.by_system.find(&m_system);
        if (it != r.by_system.end() && it->second == this) r.by_system.erase(it);
    }
    guard.unlock();
    delete this;
}

NTSTATUS CacheManager::open(PFILE_OBJECT file, const CC_FILE_SIZES& sizes, BOOLEAN pin_access,
                            const CACHE_MANAGER_CALLBACKS& callbacks, PVOID lazy_context) {
    auto* private_map = new (std::nothrow) PrivateCacheMap{0x2FE, 0, nullptr};  // CACHE_NTC_PRIVATE_CACHE_MAP
    if (!private_map) return STATUS_INSUFFICIENT_RESOURCES;
    std::lock_guard guard(m_lock);
    // NT deviation: a stream already cached keeps its shared cache map's sizes (CcSetFileSizes changes them).
    if (file->PrivateCacheMap) {
        // A second CcInitializeCacheMap on a file object already cached through it changes nothing.
        delete private_map;
        return STATUS_SUCCESS;
    }
    auto* map = static_cast<SharedCacheMap*>(file->SectionObjectPointer->SharedCacheMap);
    if (!map) {
        map = new (std::nothrow) SharedCacheMap(*this, file, sizes, pin_access, callbacks, lazy_context);
        if (!map) {
            delete private_map;
            return STATUS_INSUFFICIENT_RESOURCES;
        }
        m_maps.push_back(map);
        ObReferenceObject(file);
        __atomic_store_n(&file->SectionObjectPointer->SharedCacheMap, map, __ATOMIC_RELEASE);
    }
    ++map->m_open_count;
    private_map->Shared = map;
    file->PrivateCacheMap = private_map;
    return STATUS_SUCCESS;
}

bool CacheManager::close(PFILE_OBJECT file, PLARGE_INTEGER truncate, PCACHE_UNINITIALIZE_EVENT event) {
    std::unique_lock guard(m_lock);
    auto* private_map = static_cast<PrivateCacheMap*>(file->PrivateCacheMap);
    auto* map = file->SectionObjectPointer ? static_cast<SharedCacheMap*>(file->SectionObjectPointer->SharedCacheMap)
                                           : nullptr;
    if (event) {
        // Set when the shared cache map is gone: at once when there is none.
        if (map) {
            event->Next = map->m_uninitialize_events;
            map->m_uninitialize_events = event;
        } else {
            KeSetEvent(&event->Event, IO_NO_INCREMENT, FALSE);
        }
    }
    if (!map) return false;
    ++map->m_refs;
    if (private_map) {
        file->PrivateCacheMap = nullptr;
        --map->m_open_count;
        delete private_map;
    }
    guard.unlock();
    if (truncate) {
        CC_FILE_SIZES sizes{};
        sizes.FileSize = *truncate;
        sizes.ValidDataLength = *truncate;
        sizes.AllocationSize = *truncate;
        map->set_sizes(sizes);
    }
    release(map);
    return private_map != nullptr;
}

void CacheManager::note_dirty() {
    if (m_timer_armed.load(std::memory_order_acquire) || m_stopping.load(std::memory_order_acquire)) return;
    if (m_timer_armed.exchange(true, std::memory_order_acq_rel)) return;
    arm_timer();
}

void CacheManager::arm_timer() {
    LARGE_INTEGER due;
    due.QuadPart = kLazyWriterDelay;
    KeSetTimer(&m_timer, due, &m_dpc);
}

VOID NTAPI CacheManager::timer_dpc(PKDPC, PVOID context, PVOID, PVOID) {
    auto* self = static_cast<CacheManager*>(context);
    self->m_timer_armed.store(false, std::memory_order_release);
    self->queue_scan();
}

void CacheManager::queue_scan() {
    if (m_stopping.load(std::memory_order_acquire)) return;
    if (m_scan_queued.exchange(true, std::memory_order_acq_rel)) return;
    ExQueueWorkItem(&m_scan_item, DelayedWorkQueue);
}

VOID NTAPI CacheManager::scan_routine(PVOID context) { static_cast<CacheManager*>(context)->scan(); }

void CacheManager::scan() {
    m_scan_thread.store(KeGetCurrentThread(), std::memory_order_relaxed);
    std::vector<SharedCacheMap*> maps;
    std::uint64_t generation;
    {
        std::lock_guard guard(m_lock);
        generation = ++m_scans_started;
        for (SharedCacheMap* map : m_maps) {
            // Write-behind disabled: such a stream is written only by flushes and at its teardown.
            if (!map->has_dirty() || (map->m_write_behind_disabled.load(std::memory_order_acquire) && map->m_open_count > 0))
                continue;
            ++map->m_refs;
            maps.push_back(map);
        }
    }
    for (SharedCacheMap* map : maps) {
        // NT deviation: a pass writes all of a stream's dirty data, not a share of it.
        lazy_write(map, TRUE);
        release(map);
    }
    // Writers the threshold held back may go now (NT's lazy writer posts them the same way).
    post_deferred_writes();
    m_scan_thread.store(nullptr, std::memory_order_relaxed);
    bool again, dirty = false;
    {
        std::lock_guard guard(m_lock);
        m_scans_finished = generation;
        m_scan_queued.store(false, std::memory_order_release);
        again = m_scans_wanted > generation;
        for (SharedCacheMap* map : m_maps) dirty = dirty || map->has_dirty();
        dirty = dirty || !m_deferred.empty();
        m_scan_done.notify_all();
    }
    if (again) queue_scan();
    else if (dirty) note_dirty();
}

void CacheManager::lazy_write(SharedCacheMap* map, BOOLEAN wait) {
    if (!map->has_dirty()) return;
    PVOID context = map->m_lazy_context;
    // NT deviation: the callbacks run in a critical region (they take the file system's resources,
    // which want normal kernel APCs disabled).
    KeEnterCriticalRegion();
    // The file system sees its paging writes come from the cache manager.
    io::TopLevelIrpScope top_level(FSRTL_CACHE_TOP_LEVEL_IRP);
    bool written = false;
    if (!map->m_callbacks.AcquireForLazyWrite || map->m_callbacks.AcquireForLazyWrite(context, wait)) {
        (void)map->flush(-1, 0, true, nullptr);
        if (map->m_callbacks.ReleaseFromLazyWrite) map->m_callbacks.ReleaseFromLazyWrite(context);
        written = true;
    }
    KeLeaveCriticalRegion();
    // Data streams (not metadata ones cached for pinning) hear how far their data is now on disk.
    LONGLONG valid = 0;
    if (written && !map->m_pin_access && map->valid_data_to_advance(&valid)) (void)set_valid_data(map->m_device, map->m_file, valid);
}

NTSTATUS CacheManager::wait_for_lazy_writer() {
    std::uint64_t wanted;
    {
        std::lock_guard guard(m_lock);
        if (m_stopped) return STATUS_SUCCESS;
        wanted = m_scans_started + 1;
        m_scans_wanted = std::max(m_scans_wanted, wanted);
    }
    queue_scan();
    std::unique_lock guard(m_lock);
    m_scan_done.wait(guard, [&] { return m_scans_finished >= wanted || m_stopped; });
    return STATUS_SUCCESS;
}

std::vector<SharedCacheMap*> CacheManager::hold_logged(PVOID log_handle) {
    std::vector<SharedCacheMap*> maps;
    std::lock_guard guard(m_lock);
    for (SharedCacheMap* map : m_maps) {
        if (map->log_handle() != log_handle) continue;
        ++map->m_refs;
        maps.push_back(map);
    }
    return maps;
}

bool CacheManager::any_dirty(PVPB vpb, bool ex, std::uint64_t* pages) {
    std::lock_guard guard(m_lock);
    bool dirty = false;
    std::uint64_t total = 0;
    for (SharedCacheMap* map : m_maps) {
        if (map->m_file->Vpb != vpb || !map->has_dirty()) continue;
        total += map->dirty_pages();
        if (ex || !(map->m_file->Flags & FO_TEMPORARY_FILE)) dirty = true;
    }
    // A write waiting in CcDeferWrite is data queued to the volume.
    if (ex)
        for (const DeferredWrite& deferred : m_deferred)
            if (deferred.file->Vpb == vpb) dirty = true;
    if (pages) *pages = total;
    return dirty;
}

// System shutdown, before applications' handles close and drivers unload: stop the lazy writer
// and write every stream's dirty data back under its file system's lazy-write callbacks.
void CacheManager::shutdown_hook(void* context) {
    auto* self = static_cast<CacheManager*>(context);
    self->m_stopping.store(true, std::memory_order_release);
    KeCancelTimer(&self->m_timer);
    KeFlushQueuedDpcs();
    std::vector<SharedCacheMap*> maps;
    {
        std::unique_lock guard(self->m_lock);
        self->m_scan_done.wait(guard, [&] {
            return !self->m_scan_queued.load(std::memory_order_acquire) && !self->m_read_ahead_running;
        });
        self->m_stopped = true;
        self->m_scan_done.notify_all();
        for (SharedCacheMap* map : self->m_maps) {
            ++map->m_refs;
            maps.push_back(map);
        }
        if (maps.empty()) {
            self->maybe_free_locked(guard);
            return;
        }
    }
    for (SharedCacheMap* map : maps) self->lazy_write(map, TRUE);
    // Deferred writers run now: nothing throttles them once the lazy writer has stopped.
    self->post_deferred_writes();
    // Each release may delete the last map and with it the manager: nothing touches self after.
    for (SharedCacheMap* map : maps) self->release(map);
}

void CacheManager::schedule_read_ahead(SharedCacheMap* map, LONGLONG offset, LONGLONG length) {
    if (m_stopping.load(std::memory_order_acquire)) return;
    bool start = false;
    {
        std::lock_guard guard(m_lock);
        if (m_stopped) return;
        ++map->m_refs;
        m_read_aheads.push_back({map, offset, length});
        start = !m_read_ahead_running;
        m_read_ahead_running = true;
    }
    if (start) ExQueueWorkItem(&m_read_ahead_item, DelayedWorkQueue);
}

VOID NTAPI CacheManager::read_ahead_routine(PVOID context) { static_cast<CacheManager*>(context)->run_read_aheads(); }

void CacheManager::run_read_aheads() {
    for (;;) {
        ReadAhead next{};
        {
            std::lock_guard guard(m_lock);
            if (m_read_aheads.empty()) {
                m_read_ahead_running = false;
                m_scan_done.notify_all();  // the shutdown waits for this worker
                return;
            }
            next = m_read_aheads.front();
            m_read_aheads.pop_front();
        }
        SharedCacheMap* map = next.map;
        if (!m_stopping.load(std::memory_order_acquire) && !map->m_read_ahead_disabled.load(std::memory_order_relaxed)) {
            // The callbacks take the file system's resources, which want normal kernel APCs off.
            KeEnterCriticalRegion();
            io::TopLevelIrpScope top_level(FSRTL_CACHE_TOP_LEVEL_IRP);
            if (!map->m_callbacks.AcquireForReadAhead || map->m_callbacks.AcquireForReadAhead(map->m_lazy_context, TRUE)) {
                map->read_ahead(next.offset, next.length);
                if (map->m_callbacks.ReleaseFromReadAhead) map->m_callbacks.ReleaseFromReadAhead(map->m_lazy_context);
            }
            KeLeaveCriticalRegion();
        }
        release(map);
    }
}

bool CacheManager::can_write_now(SharedCacheMap* map, ULONG bytes) const noexcept {
    // A write always goes when nothing is dirty, however large it is: someone has to go first.
    const std::int64_t pages = (std::int64_t{bytes} + PAGE_SIZE - 1) / PAGE_SIZE + 1;
    const std::int64_t total = m_dirty_total.load(std::memory_order_relaxed);
    if (total > 0 && total + pages > m_dirty_threshold) return false;
    if (map) {
        const ULONG limit = map->m_dirty_page_threshold.load(std::memory_order_relaxed);
        const auto dirty = static_cast<std::int64_t>(map->dirty_pages());
        if (limit && dirty > 0 && dirty + pages > std::int64_t{limit}) return false;
    }
    return true;
}

BOOLEAN CacheManager::can_i_write(SharedCacheMap* map, ULONG bytes, BOOLEAN wait) {
    if (can_write_now(map, bytes) || m_stopping.load(std::memory_order_acquire)) return TRUE;
    if (!wait) {
        queue_scan();  // the lazy writer starts now rather than at its next tick
        return FALSE;
    }
    // The lazy writer's own thread (a deferred writer it posted) cannot wait for itself.
    if (m_scan_thread.load(std::memory_order_relaxed) == KeGetCurrentThread()) return TRUE;
    for (;;) {
        const std::int64_t before = m_dirty_total.load(std::memory_order_relaxed);
        (void)wait_for_lazy_writer();
        if (can_write_now(map, bytes) || m_stopping.load(std::memory_order_acquire)) return TRUE;
        // NT deviation: a pass that cleaned nothing (the dirty data cannot be written now, say a
        // stream with write-behind disabled) lets the writer through rather than wait forever.
        if (m_dirty_total.load(std::memory_order_relaxed) >= before) return TRUE;
    }
}

void CacheManager::defer_write(PFILE_OBJECT file, SharedCacheMap* map, PCC_POST_DEFERRED_WRITE post, PVOID context1,
                               PVOID context2, ULONG bytes) {
    if (can_write_now(map, bytes) || m_stopping.load(std::memory_order_acquire)) {
        post(context1, context2);
        return;
    }
    ObReferenceObject(file);
    {
        std::lock_guard guard(m_lock);
        m_deferred.push_back({file, post, context1, context2, bytes});
    }
    queue_scan();
}

void CacheManager::post_deferred_writes() {
    // Only the lazy writer's pass and the shutdown take entries off the queue, one at a time.
    for (;;) {
        DeferredWrite next{};
        {
            std::lock_guard guard(m_lock);
            if (m_deferred.empty()) return;
            next = m_deferred.front();
        }
        SharedCacheMap* map = acquire(next.file->SectionObjectPointer);
        const bool go = can_write_now(map, next.bytes) || m_stopping.load(std::memory_order_acquire);
        if (map) release(map);
        if (!go) return;
        {
            std::lock_guard guard(m_lock);
            m_deferred.pop_front();
        }
        next.post(next.context1, next.context2);
        ObDereferenceObject(next.file);
    }
}

}  // namespace ntio::cc
