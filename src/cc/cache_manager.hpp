// ntio::cc::CacheManager: the cache manager's per-System state: the live shared cache maps, their
// lifetime (a map lives while a private cache map, a call or a BCB holds it, and until its dirty
// data is written) and the lazy writer. Created by the first CcInitializeCacheMap of a System;
// its shutdown hook writes everything back before drivers unload.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <vector>

#include <ntifs.h>

namespace ntio { class System; }

namespace ntio::cc {

class SharedCacheMap;

class CacheManager {
public:
    // The calling thread's System's cache manager; created when `create` (then null only when no
    // System is current or memory ran out).
    static CacheManager* current(bool create);

    // The map of a section, held (m_refs) for the caller; null when the stream is not cached.
    SharedCacheMap* acquire(PSECTION_OBJECT_POINTERS section);
    void hold(SharedCacheMap* map);
    // Drops a hold; deletes the map when nothing holds it and it has nothing left to write.
    void release(SharedCacheMap* map);

    // CcInitializeCacheMap / CcUninitializeCacheMap's bookkeeping.
    NTSTATUS open(PFILE_OBJECT file, const CC_FILE_SIZES& sizes, BOOLEAN pin_access,
                  const CACHE_MANAGER_CALLBACKS& callbacks, PVOID lazy_context);
    bool close(PFILE_OBJECT file, PLARGE_INTEGER truncate, PCACHE_UNINITIALIZE_EVENT event);

    // Data became dirty: the lazy writer looks about a second later.
    void note_dirty();
    // Queues a read-ahead of [offset, offset + length) of the map, done in order by one worker
    // under the file system's AcquireForReadAhead / ReleaseFromReadAhead.
    void schedule_read_ahead(SharedCacheMap* map, LONGLONG offset, LONGLONG length);
    // The total of dirty pages in every stream (SharedCacheMap::count_dirty).
    void count_dirty(std::int64_t delta) noexcept { m_dirty_total.fetch_add(delta, std::memory_order_relaxed); }
    // Write throttling: CcCanIWrite and CcDeferWrite (`map` is the file's, or null when it is not cached).
    bool can_write_now(SharedCacheMap* map, ULONG bytes) const noexcept;
    BOOLEAN can_i_write(SharedCacheMap* map, ULONG bytes, BOOLEAN wait);
    void defer_write(PFILE_OBJECT file, SharedCacheMap* map, PCC_POST_DEFERRED_WRITE post, PVOID context1,
                     PVOID context2, ULONG bytes);
    // CcWaitForCurrentLazyWriterActivity: waits for a lazy-writer pass that starts after the call.
    NTSTATUS wait_for_lazy_writer();
    // CcIsThereDirtyData(Ex): whether a stream of the volume has dirty pages, not counting streams
    // of FO_TEMPORARY_FILE file objects unless `ex`, which also counts a write of the volume
    // waiting in CcDeferWrite; `pages` gets the volume's dirty pages (of every stream).
    bool any_dirty(PVPB vpb, bool ex, std::uint64_t* pages);
    // The streams CcSetLogHandleForFile gave `log_handle`, each held for the caller (release them).
    std::vector<SharedCacheMap*> hold_logged(PVOID log_handle);

private:
    explicit CacheManager(System& system);
    ~CacheManager();
    static void shutdown_hook(void* context);
    static VOID NTAPI timer_dpc(PKDPC, PVOID context, PVOID, PVOID);
    static VOID NTAPI scan_routine(PVOID context);
    void queue_scan();
    void arm_timer();
    void scan();
    // Writes a map's dirty data under the file system's AcquireForLazyWrite.
    void lazy_write(SharedCacheMap* map, BOOLEAN wait);
    void delete_map(SharedCacheMap* map);
    // After a lazy-writer pass: the deferred writes that may go now, in the order they came.
    void post_deferred_writes();
    static VOID NTAPI read_ahead_routine(PVOID context);
    void run_read_aheads();
    void maybe_free_locked(std::unique_lock<std::mutex>& guard);

    struct DeferredWrite {
        PFILE_OBJECT file;  // referenced while queued
        PCC_POST_DEFERRED_WRITE post;
        PVOID context1;
        PVOID context2;
        ULONG bytes;
    };

    System& m_system;
    std::atomic<std::int64_t> m_dirty_total{0};
    std::int64_t m_dirty_threshold;        // CcDirtyPageThreshold, in pages
    std::deque<DeferredWrite> m_deferred;  // under m_lock
    std::atomic<void*> m_scan_thread{nullptr};  // the thread running a lazy-writer pass
    struct ReadAhead {
        SharedCacheMap* map;  // held while queued
        LONGLONG offset;
        LONGLONG length;
    };
    std::deque<ReadAhead> m_read_aheads;  // under m_lock, in the order they came
    bool m_read_ahead_running = false;     // under m_lock: the worker item is queued or running
    WORK_QUEUE_ITEM m_read_ahead_item{};
    std::mutex m_lock;  // m_maps, every map's open count, holds and uninitialize events; m_scan*
    std::vector<SharedCacheMap*> m_maps;
    std::condition_variable m_scan_done;
    std::uint64_t m_scans_started = 0;
    std::uint64_t m_scans_finished = 0;
    std::uint64_t m_scans_wanted = 0;
    bool m_stopped = false;  // the System is shutting down: no lazy writer, closes write at once
    std::atomic<bool> m_stopping{false};
    std::atomic<bool> m_scan_queued{false};
    std::atomic<bool> m_timer_armed{false};
    KTIMER m_timer{};
    KDPC m_dpc{};
    WORK_QUEUE_ITEM m_scan_item{};
};

// A read through the cache of [offset, offset + length) by `file` (CcCopyRead, CcMdlRead,
// CcScheduleReadAhead): read-ahead for a file object reading sequentially (copy_ddi.cpp).
void note_cached_read(PFILE_OBJECT file, SharedCacheMap* map, LONGLONG offset, ULONG length);

}  // namespace ntio::cc
