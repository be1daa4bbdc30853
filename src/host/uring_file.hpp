// UringFile: a host file read and written through one io_uring, with a fixed table of request
// slots, batched submission and completions delivered by callback on whichever thread reaps them.
// The only io_uring code of ntio; drivers reach it through <ntio/ntio_uring.h>.
#pragma once

#include <liburing.h>

#include <atomic>
#include <cstdint>
#include <mutex>
#include <vector>

#include <ntio/ntio_uring.h>

namespace ntio::host {

class UringFile {
public:
    static constexpr std::uint32_t kMaxQueueDepth = 256;

    // STATUS_NOT_SUPPORTED (with *message) when io_uring is refused; see NtioUringOpen.
    static NTSTATUS open(const NTIO_URING_PARAMETERS& parameters, UringFile** file, const char** message);
    ~UringFile();
    UringFile(const UringFile&) = delete;
    UringFile& operator=(const UringFile&) = delete;

    std::uint64_t size() const noexcept { return m_size; }
    std::uint32_t sector_size() const noexcept { return m_sector_size; }

    enum class Op { read, write, flush };
    NTSTATUS queue(Op op, void* buffer, std::uint32_t length, std::uint64_t offset, void* context) noexcept;
    bool cancel(void* context) noexcept;
    NTSTATUS reap(bool wait) noexcept;
    // Finishes every request and makes reap() return STATUS_CANCELLED from now on.
    void shut_down() noexcept;
    void statistics(NTIO_URING_STATISTICS* out) const noexcept;
    static void process_statistics(NTIO_URING_STATISTICS* out) noexcept;

private:
    enum class SlotState : std::uint8_t { free, queued, submitted };
    struct Slot {
        void* context = nullptr;
        io_uring_sqe* sqe = nullptr;  // while queued: the SQE not yet handed to the kernel
        std::uint32_t generation = 1;
        SlotState state = SlotState::free;
        bool cancelled = false;       // completes STATUS_CANCELLED whatever the kernel says
        bool cancel_sent = false;
    };
    struct Reaped {
        std::uint64_t user_data;
        std::int32_t result;
    };

    UringFile() = default;
    void submit_locked() noexcept;
    void flush_deferred_locked() noexcept;
    std::size_t reap_ready(bool blocking_lock, bool inline_reap) noexcept;
    void wake_reaper_if_needed() noexcept;
    void count_enter() noexcept;

    int m_fd = -1;
    bool m_ring_ready = false;
    io_uring m_ring{};
    std::uint64_t m_size = 0;
    std::uint32_t m_sector_size = 512;
    std::uint32_t m_batch = 8;
    PNTIO_URING_COMPLETION m_completion = nullptr;
    void* m_ring_context = nullptr;

    // m_sq_lock: slots, the free list, the SQ ring and the outstanding counts.
    std::mutex m_sq_lock;
    std::vector<Slot> m_slots;
    std::vector<std::uint16_t> m_free;
    std::vector<std::uint32_t> m_queued;  // slot index or kCancelEntry, in SQ order
    std::uint32_t m_kernel_outstanding = 0;  // CQEs the kernel still owes us
    std::uint32_t m_in_use = 0;

    // m_cq_lock: one consumer of the CQ ring at a time.
    std::mutex m_cq_lock;

    std::atomic<std::uint32_t> m_reaper_word{0};
    std::atomic<bool> m_reaper_idle{false};
    std::atomic<bool> m_closing{false};
    std::atomic<std::uint32_t> m_drained_word{0};

    std::atomic<std::uint64_t> m_enter_calls{0};
    std::atomic<std::uint64_t> m_completions{0};
    std::atomic<std::uint64_t> m_inline_completions{0};
};

}  // namespace ntio::host
