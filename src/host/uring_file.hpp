// UringFile: a host file read and written through io_uring, one ring per issuing thread, with
// submissions batched until the issuing thread is about to wait and completions reaped by that
// thread (through ke's before-block poller, and its sleeper, which sleeps in the ring with a futex
// wait on the thread's wait word) or, when it does not wait, by the driver's reaper.
// The only io_uring code of ntio; drivers reach it through <ntio/ntio_uring.h>.
#pragma once

#include <liburing.h>

#include <atomic>
#include <cstdint>
#include <mutex>
#include <vector>

#include <ntio/ntio_uring.h>

#include "host/futex.hpp"
#include "ke/wait_poll.hpp"

namespace ntio::host {

class UringFile {
public:
    static constexpr std::uint32_t kMaxQueueDepth = 256;
    static constexpr std::uint32_t kDefaultBatch = 32;

    // STATUS_NOT_SUPPORTED (with *message) when io_uring is refused; see NtioUringOpen.
    static NTSTATUS open(const NTIO_URING_PARAMETERS& parameters, UringFile** file, const char** message);
    ~UringFile();
    UringFile(const UringFile&) = delete;
    UringFile& operator=(const UringFile&) = delete;

    std::uint64_t size() const noexcept { return m_size; }
    std::uint32_t sector_size() const noexcept { return m_sector_size; }

    enum class Op { read, write, flush };
    NTSTATUS queue(Op op, void* buffer, std::uint32_t length, std::uint64_t offset, void* context) noexcept;
    // A read done at once when the host's page cache holds all of it; see NtioUringReadResident.
    bool read_resident(void* buffer, std::uint32_t length, std::uint64_t offset) noexcept;
    bool cancel(void* context) noexcept;
    NTSTATUS reap(bool wait) noexcept;
    // Finishes every request and makes reap() return STATUS_CANCELLED from now on.
    void shut_down() noexcept;
    void statistics(NTIO_URING_STATISTICS* out) noexcept;
    static void process_statistics(NTIO_URING_STATISTICS* out) noexcept;

    // The calling thread's before-block poller over all its rings (every file); see
    // ke/wait_poll.hpp for the contract.
    static bool poll_thread(void* context, bool may_block, bool sleeper_follows) noexcept;
    // The calling thread's ke sleeper over its busy rings; see ke/wait_poll.hpp.
    static ke::SleepOutcome sleep_thread(void* context, std::atomic<std::uint32_t>* word, std::uint32_t sleeping,
                                         const host::Deadline* deadline) noexcept;
    // Wakes the fallback reaper (a ring was orphaned with requests in flight, or it sleeps).
    void wake_reaper() noexcept;

    struct Ring;

private:
    UringFile() = default;
    Ring* find_thread_ring() noexcept;  // null when the thread has no ring on this file yet
    Ring* thread_ring() noexcept;
    [[gnu::noinline]] Ring* thread_ring_slow() noexcept;
    // read_resident's preadv2(RWF_NOWAIT), once its checks passed.
    [[gnu::noinline]] bool read_resident_now(Ring* r, void* buffer, std::uint32_t length, std::uint64_t offset) noexcept;
    [[gnu::noinline]] bool read_resident_first(void* buffer, std::uint32_t length, std::uint64_t offset) noexcept;
    bool read_resident_in(Ring* r, void* buffer, std::uint32_t length, std::uint64_t offset) noexcept;
    Ring* make_ring() noexcept;
    void snapshot_rings(std::vector<Ring*>* out) noexcept;
    bool any_busy() noexcept;
    // Serves the rings whose owner neither waits nor makes progress; *unattended: it found one.
    bool rescue_pass(bool* unattended) noexcept;


    int m_fd = -1;
    std::uint64_t m_serial = 0;
    std::uint64_t m_size = 0;
    std::uint32_t m_sector_size = 512;
    std::uint32_t m_depth = 1;
    std::uint32_t m_batch = kDefaultBatch;
    unsigned m_entries = 2;
    bool m_futex_wait = true;  // false: NTIO_URING_NO_FUTEX_WAIT=1 (the fallback, for tests)
    bool m_direct = false;
    std::atomic<bool> m_resident_reads_allowed{false};
    PNTIO_URING_COMPLETION m_completion = nullptr;
    void* m_ring_context = nullptr;

    // m_rings_lock: the ring list (rings live until the file is destroyed, or until their thread
    // exits after the file's destruction marked them dead).
    std::mutex m_rings_lock;
    std::vector<Ring*> m_rings;

    std::atomic<std::uint32_t> m_reaper_word{0};
    std::atomic<bool> m_reaper_sleeping{false};
    std::atomic<bool> m_closing{false};
    std::uint32_t m_idle_ticks = 0;  // the reaper's
    std::uint32_t m_tick_shift = 0;  // the reaper's: its tick is kReaperTickNs << m_tick_shift
};

}  // namespace ntio::host
