// UringFile: set-up of the file, the per-thread rings, the batching rule and reaping.
// Batching rule: a request queued by a thread waits in that thread's SQ until the thread is about
// to block (ke's before-block poller), polls, or has SubmitBatch requests queued; then one
// io_uring_enter submits the batch and, when the wait is infinite, also waits for the first
// completion. Whoever consumes a CQE runs the completion routine on its own thread, so the
// issuing thread that waits completes its own requests and the reaper only helps rings whose
// thread does not wait.
// A thread that waits in ke while its ring has requests in flight sleeps in that ring (the
// thread's ke sleeper, see ke/wait_poll.hpp): one io_uring_enter submits what is queued plus an
// IORING_OP_FUTEX_WAIT on the thread's KTHREAD wait word and waits for the first CQE, so it wakes at
// once for a completion or for whatever ke wakes it for (ke's futex_wake completes the futex SQE).
// Where the kernel lacks that opcode (before 6.7) the waiter polls its ring in bounded sleeps instead.
// Each ring has the file as its registered file 0, so a request costs the kernel no file
// reference. Rings take COOP_TASKRUN but neither SINGLE_ISSUER nor DEFER_TASKRUN: a ring must stay
// submittable and reapable by other threads for cancellation, shutdown and the fallback reaper;
// with the issuing thread waiting in its own ring the completions cross no thread boundary either
// way.
#include "host/uring_file.hpp"

#include <fcntl.h>
#include <sched.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#include <linux/futex.h>

#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <new>
#include <string>

#include "host/errno_status.hpp"
#include "host/futex.hpp"
#include "host/futex_mutex.hpp"
#include "ke/wait_poll.hpp"

namespace ntio::host {

namespace {

// user_data of the ring's own entries (cancels and futex waits): no request's, never completes one.
constexpr std::uint64_t kCancelTag = std::uint64_t{1} << 63;
constexpr std::uint64_t kFutexTag = kCancelTag | (std::uint64_t{1} << 62);
constexpr std::uint64_t kFutexGenerationMask = (std::uint64_t{1} << 62) - 1;
constexpr std::uint32_t kCancelEntry = 0xFFFFFFFFu;  // in Ring::queued: an internal entry
// IORING_OP_FUTEX_WAIT (Linux 6.7; Debian 12's liburing 2.3 headers predate it) and the futex2
// flags of its sqe->fd: a private 32-bit futex, as ntio's futex_wait/futex_wake use.
// https://man7.org/linux/man-pages/man3/io_uring_prep_futex_wait.3.html
constexpr std::uint8_t kOpFutexWait = 51;
constexpr std::uint32_t kFutex2SizeU32 = 0x02;
constexpr std::uint32_t kFutex2Private = 128;
// -1 not probed yet, 0 the kernel lacks IORING_OP_FUTEX_WAIT, 1 it has it.
std::atomic<int> g_futex_wait{-1};
constexpr std::size_t kReapChunk = 64;
// How long one poll may sleep in the ring before the waiter re-checks what it waits for (kernels
// without IORING_OP_FUTEX_WAIT; a thread sleeping in one of several busy rings, for the others),
// and the fallback reaper's tick while some ring has work.
constexpr long kRingWaitNs = 1000 * 1000;
constexpr long kReaperTickNs = 1000 * 1000;
// While every busy ring's owner keeps making progress (it waits in ke, so it serves its ring
// itself), the reaper's tick doubles up to kReaperTickNs << kReaperMaxShift: each tick is a timer
// wake and two context switches of a thread that has nothing to do (gate C4.cpu). A ring found
// stalled or orphaned brings the tick back to kReaperTickNs.
constexpr std::uint32_t kReaperMaxShift = 2;
// Idle ticks after which the reaper sleeps until a request is queued.
constexpr std::uint32_t kReaperIdleTicks = 100;

// Process-wide totals behind NtioUringQueryStatistics(NULL, ...).
std::atomic<std::uint64_t> g_enter_calls{0};
std::atomic<std::uint64_t> g_completions{0};
std::atomic<std::uint64_t> g_inline_completions{0};
// Cached-path reads that read, and those that found a page missing: one update per call.
std::atomic<std::uint64_t> g_resident_reads{0};
std::atomic<std::uint64_t> g_resident_misses{0};
std::atomic<std::uint64_t> g_next_serial{1};

// The first and last cache lines of data a read just placed in memory, fetched while its
// completion routine runs: with O_DIRECT the device wrote them behind the CPU's caches, and
// whoever touches the buffer next (the caller reading its data, or the I/O manager's probe of the
// buffer, which touches its first and last byte, when the caller reuses it for its next read)
// would otherwise take a full miss per line, one after the other (gate C4.cpu).
void prefetch_read_data(const char* buffer, std::size_t length) noexcept
{
    __builtin_prefetch(buffer, 1, 3);
    if (length > 64) __builtin_prefetch(buffer + length - 1, 1, 3);
}

std::uint64_t make_id(std::uint32_t index, std::uint32_t generation) noexcept
{
    return (std::uint64_t{generation} << 16) | index;
}

// UTF-16 (as the registry gives it) to the UTF-8 Linux expects.
bool to_utf8(PCUNICODE_STRING text, std::string* out)
{
    const std::size_t count = text->Length / sizeof(WCHAR);
    for (std::size_t i = 0; i < count; ++i) {
        std::uint32_t c = text->Buffer[i];
        if (c >= 0xD800 && c <= 0xDBFF && i + 1 < count && text->Buffer[i + 1] >= 0xDC00 &&
            text->Buffer[i + 1] <= 0xDFFF) {
            c = 0x10000 + ((c - 0xD800) << 10) + (text->Buffer[i + 1] - 0xDC00);
            ++i;
        } else if (c >= 0xD800 && c <= 0xDFFF) {
            return false;
        }
        if (c == 0) return false;
        if (c < 0x80) {
            out->push_back(static_cast<char>(c));
        } else if (c < 0x800) {
            out->push_back(static_cast<char>(0xC0 | (c >> 6)));
            out->push_back(static_cast<char>(0x80 | (c & 0x3F)));
        } else if (c < 0x10000) {
            out->push_back(static_cast<char>(0xE0 | (c >> 12)));
            out->push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
            out->push_back(static_cast<char>(0x80 | (c & 0x3F)));
        } else {
            out->push_back(static_cast<char>(0xF0 | (c >> 18)));
            out->push_back(static_cast<char>(0x80 | ((c >> 12) & 0x3F)));
            out->push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
            out->push_back(static_cast<char>(0x80 | (c & 0x3F)));
        }
    }
    return true;
}

const char* unavailable_message(int error) noexcept
{
    switch (error) {
    case ENOSYS: return "io_uring is unavailable: this kernel does not implement io_uring_setup (ENOSYS)";
    case EPERM:
    case EACCES:
        return "io_uring is unavailable: io_uring_setup was refused (seccomp filter or "
               "kernel.io_uring_disabled)";
    case ENOMEM: return "io_uring is unavailable: no memory for the ring (RLIMIT_MEMLOCK?)";
    default: return "io_uring is unavailable: io_uring_setup failed";
    }
}

}  // namespace

enum class SlotState : std::uint8_t { free, queued, submitted };

struct Slot {
    void* context = nullptr;
    io_uring_sqe* sqe = nullptr;  // while queued: the SQE not yet published to the kernel
    const char* read_buffer = nullptr;  // a read's buffer (null for writes and flushes)
    std::uint32_t generation = 1;
    SlotState state = SlotState::free;
    bool cancelled = false;       // completes STATUS_CANCELLED whatever the kernel says
    bool cancel_sent = false;
};

// One io_uring of one thread over one file. Owner states move under `lock`: owned -> orphaned
// (the thread exited; the reaper or a new thread takes over) and owned/orphaned -> dead (the file
// is gone; whoever leaves last frees the ring).
struct UringFile::Ring {
    enum Owner : std::uint32_t { kOwned, kOrphaned, kDead };

    UringFile* file = nullptr;  // valid while not dead
    std::uint64_t serial = 0;   // the file's, to find this ring from the thread without the file
    io_uring ring{};
    bool ready = false;
    bool ext_arg = false;       // io_uring_enter takes a timeout (IORING_FEAT_EXT_ARG)
    bool futex_wait = false;    // the owner sleeps here with a FUTEX_WAIT on its wait word
    bool direct = false;        // O_DIRECT: completions come later, never during the submission
    bool fixed_file = false;    // the file is registered as the ring's fixed file 0
    int fd = -1;
    PNTIO_URING_COMPLETION completion = nullptr;
    void* ring_context = nullptr;

    // lock: slots, the free list, the SQ, the counts, the owner state changes.
    host::FutexMutex lock;
    std::vector<Slot> slots;
    std::vector<std::uint16_t> free;
    std::vector<std::uint32_t> queued;       // slot index or kCancelEntry, in SQ order
    std::uint32_t kernel_outstanding = 0;    // CQEs the kernel owes (published entries included)
    std::uint32_t in_use = 0;
    std::uint64_t futex_generation = 0;      // of the owner's last futex SQE here
    std::atomic<std::uint64_t> armed_tag{0}; // the owner's futex SQE still in the kernel, or 0

    // cq_lock: one consumer of the CQ ring at a time.
    host::FutexMutex cq_lock;

    std::atomic<std::uint32_t> owner{kOwned};
    std::atomic<std::uint32_t> busy{0};          // in_use, readable without the lock
    std::atomic<std::uint64_t> owner_epoch{0};   // bumped by the owner at each queue and poll
    std::atomic<std::uint64_t> reaper_epoch{~std::uint64_t{0}};
    std::atomic<bool> owner_polling{false};
    std::uint64_t resident_waits = 0;            // the owner's: polled_waits() + 1 at its last read_resident
    // Written by the owner only (a ring changes owner under locks), read by statistics().
    std::atomic<std::uint64_t> resident_reads{0};
    std::atomic<std::uint64_t> resident_misses{0};

    std::atomic<std::uint64_t> enter_calls{0};
    std::atomic<std::uint64_t> completions{0};
    std::atomic<std::uint64_t> inline_completions{0};

    ~Ring()
    {
        if (ready) io_uring_queue_exit(&ring);
    }

    void count_enter() noexcept
    {
        enter_calls.fetch_add(1, std::memory_order_relaxed);
        g_enter_calls.fetch_add(1, std::memory_order_relaxed);
    }

    // Publishes the queued SQEs to the kernel (they count as outstanding from here: a cancel now
    // sends ASYNC_CANCEL rather than rewriting an entry the kernel may be reading); returns how
    // many entries the kernel has not consumed yet.
    unsigned flush_locked() noexcept
    {
        for (std::uint32_t index : queued) {
            if (index != kCancelEntry) {
                slots[index].state = SlotState::submitted;
                slots[index].sqe = nullptr;
            }
        }
        kernel_outstanding += static_cast<std::uint32_t>(queued.size());
        queued.clear();
        io_uring_sq& sq = ring.sq;
        if (sq.sqe_head != sq.sqe_tail) {
            sq.sqe_head = sq.sqe_tail;
            io_uring_smp_store_release(sq.ktail, sq.sqe_tail);
        }
        return sq.sqe_tail - io_uring_smp_load_acquire(sq.khead);
    }

    // One io_uring_enter: submits `to_submit` and, with wait, sleeps until a completion arrives
    // or kRingWaitNs passes.
    void enter(unsigned to_submit, bool wait) noexcept
    {
        count_enter();
        if (!wait) {
            (void)io_uring_enter(static_cast<unsigned>(ring.ring_fd), to_submit, 0, IORING_ENTER_GETEVENTS, nullptr);
            return;
        }
        if (!ext_arg) {
            (void)io_uring_enter(static_cast<unsigned>(ring.ring_fd), to_submit, 1, IORING_ENTER_GETEVENTS, nullptr);
            return;
        }
        __kernel_timespec ts{};
        ts.tv_nsec = kRingWaitNs;
        io_uring_getevents_arg arg{};
        arg.sigmask_sz = _NSIG / 8;
        arg.ts = reinterpret_cast<std::uint64_t>(&ts);
        (void)io_uring_enter2(static_cast<unsigned>(ring.ring_fd), to_submit, 1,
                              IORING_ENTER_GETEVENTS | IORING_ENTER_EXT_ARG,
                              reinterpret_cast<sigset_t*>(&arg), sizeof(arg));
    }

    // Consumes ready CQEs and runs their completion routines on this thread, without any lock
    // held. With try_only, gives up when another thread is consuming (it delivers them).
    std::size_t reap_ready(bool try_only, bool inline_reap) noexcept;

    // The owner's sleep in its ring for ke (see the file comment): until a request's CQE arrives
    // (work), *word leaves `sleeping` (woken: the futex SQE completes), or the deadline or the
    // slice passes. Runs no completion routine. A futex SQE that has not completed when the sleep
    // ends (a request's CQE or the timeout came first) stays armed for the owner's next sleep
    // here: it waits on the same word, and any wake of that word completes it, so no cancel and
    // no new SQE are needed (a wake meanwhile makes the next sleep return at once, and the thread
    // re-checks its word). ke wakes two sleepers per wake of a wait word, so this armed wait never
    // takes the wake of the thread sleeping elsewhere (the futex, or another ring after disarm()).
    // Each futex SQE carries its own generation: its CQE matches no other sleep.
    ke::SleepOutcome sleep(std::atomic<std::uint32_t>* word, std::uint32_t sleeping,
                           const host::Deadline* deadline, bool sliced) noexcept;

    // Consumes the internal CQEs at the head of the CQ (up to the first request's); reports
    // whether the futex CQE tagged `tag` was among the CQEs now ready and whether any request's is.
    void scan_ready(std::uint64_t tag, bool* futex_done, bool* futex_refused, bool* request_ready) noexcept;

    // Submits the queued entries, if there are any.
    void submit_queued() noexcept
    {
        unsigned to_submit;
        {
            std::lock_guard<host::FutexMutex> guard(lock);
            if (queued.empty()) return;
            to_submit = flush_locked();
        }
        if (to_submit != 0) enter(to_submit, false);
    }

    // Cancels the owner's armed futex SQE, if any (the owner sleeps in another ring, or exits),
    // and submits the queue with the cancel.
    void disarm() noexcept
    {
        std::lock_guard<host::FutexMutex> guard(lock);
        const std::uint64_t tag = armed_tag.load(std::memory_order_relaxed);
        if (tag == 0) return;
        io_uring_sqe* sqe = io_uring_get_sqe(&ring);
        if (sqe == nullptr) {
            enter(flush_locked(), false);
            sqe = io_uring_get_sqe(&ring);
            if (sqe == nullptr) return;  // cannot happen: the SQ was just drained
        }
        io_uring_prep_cancel64(sqe, tag, 0);
        io_uring_sqe_set_data64(sqe, kCancelTag);
        queued.push_back(kCancelEntry);
        armed_tag.store(0, std::memory_order_relaxed);
        // Submitted now: the cancel takes the wait off the futex before this returns.
        enter(flush_locked(), false);
    }

    bool cq_ready() const noexcept
    {
        return __atomic_load_n(ring.cq.ktail, __ATOMIC_ACQUIRE) != __atomic_load_n(ring.cq.khead, __ATOMIC_RELAXED);
    }

    // Submits what is queued and reaps what is ready; with wait, sleeps in the ring for the first
    // completion when nothing was ready. True when it delivered completions or, with wait, the
    // kernel still owes some (the caller re-checks its condition and comes back).
    bool poll(bool wait, bool inline_reap) noexcept
    {
        unsigned to_submit;
        std::uint32_t outstanding;
        {
            std::lock_guard<host::FutexMutex> guard(lock);
            to_submit = queued.empty() && kernel_outstanding == 0 ? 0 : flush_locked();
            outstanding = kernel_outstanding;
        }
        if (outstanding == 0) return false;
        // The CQ indices as atomics: another thread may be consuming (io_uring_cq_ready reads
        // the head plainly).
        const bool ready_now = __atomic_load_n(ring.cq.ktail, __ATOMIC_ACQUIRE) !=
                               __atomic_load_n(ring.cq.khead, __ATOMIC_RELAXED);
        // Completions whose task work has not run yet (COOP_TASKRUN) need one kernel entry.
        const bool taskrun = (__atomic_load_n(ring.sq.kflags, __ATOMIC_RELAXED) & IORING_SQ_TASKRUN) != 0;
        if (to_submit != 0 || taskrun || (wait && !ready_now)) enter(to_submit, wait && !ready_now);
        const std::size_t n = reap_ready(!wait, inline_reap);
        if (n != 0) return true;
        if (!wait) return false;
        std::lock_guard<host::FutexMutex> guard(lock);
        return kernel_outstanding != 0;
    }
};

std::size_t UringFile::Ring::reap_ready(bool try_only, bool inline_reap) noexcept
{
    struct Reaped {
        std::uint64_t user_data;
        std::int32_t result;
    } reaped[kReapChunk];
    struct Done {
        void* context;
        const char* read_buffer;
        NTSTATUS status;
        ULONG_PTR information;
    } done[kReapChunk];
    std::size_t total = 0;
    for (;;) {
        std::size_t n = 0;
        {
            std::unique_lock<host::FutexMutex> cq(cq_lock, std::defer_lock);
            if (!try_only) {
                cq.lock();
            } else if (!cq.try_lock()) {
                return total;
            }
            io_uring_cqe* cqe;
            unsigned head;
            io_uring_for_each_cqe(&ring, head, cqe) {
                reaped[n].user_data = cqe->user_data;
                reaped[n].result = cqe->res;
                if (++n == kReapChunk) break;
            }
            io_uring_cq_advance(&ring, static_cast<unsigned>(n));
        }
        if (n == 0) return total;

        std::size_t ndone = 0;
        {
            std::lock_guard<host::FutexMutex> guard(lock);
            for (std::size_t i = 0; i < n; ++i) {
                kernel_outstanding -= 1;
                if ((reaped[i].user_data & kCancelTag) != 0) {
                    std::uint64_t armed = reaped[i].user_data;
                    armed_tag.compare_exchange_strong(armed, 0, std::memory_order_relaxed);
                    continue;
                }
                const std::uint32_t index = static_cast<std::uint32_t>(reaped[i].user_data & 0xFFFF);
                Slot& slot = slots[index];
                Done& d = done[ndone++];
                d.context = slot.context;
                d.read_buffer = slot.read_buffer;
                if (slot.cancelled || reaped[i].result == -ECANCELED) {
                    d.status = STATUS_CANCELLED;
                    d.information = 0;
                } else if (reaped[i].result < 0) {
                    d.status = status_from_errno(-reaped[i].result);
                    d.information = 0;
                } else {
                    d.status = STATUS_SUCCESS;
                    d.information = static_cast<ULONG_PTR>(reaped[i].result);
                }
                slot.state = SlotState::free;
                slot.context = nullptr;
                ++slot.generation;
                if (slot.generation == 0) slot.generation = 1;
                free.push_back(static_cast<std::uint16_t>(index));
                --in_use;
            }
            busy.store(in_use, std::memory_order_release);
        }
        completions.fetch_add(ndone, std::memory_order_relaxed);
        g_completions.fetch_add(ndone, std::memory_order_relaxed);
        if (inline_reap) {
            inline_completions.fetch_add(ndone, std::memory_order_relaxed);
            g_inline_completions.fetch_add(ndone, std::memory_order_relaxed);
        }
        for (std::size_t i = 0; i < ndone; ++i) {
            // One read's data fetched per completion routine, so that the misses overlap the
            // routines' work instead of queueing behind each other.
            if (done[i].read_buffer != nullptr && done[i].information != 0)
                prefetch_read_data(done[i].read_buffer, done[i].information);
            completion(done[i].context, done[i].status, done[i].information, ring_context);
        }
        total += ndone;
        if (n < kReapChunk) return total;
    }
}

namespace {

// The time left until `deadline` (capped at kRingWaitNs when sliced); false when none is left.
bool time_left(const host::Deadline* deadline, bool sliced, __kernel_timespec* out) noexcept
{
    std::int64_t left = sliced ? kRingWaitNs : INT64_MAX;
    if (deadline != nullptr) {
        timespec now{};
        clock_gettime(deadline->clock == host::Deadline::Clock::Realtime ? CLOCK_REALTIME : CLOCK_MONOTONIC, &now);
        const std::int64_t until = (static_cast<std::int64_t>(deadline->at.tv_sec) - now.tv_sec) * 1000000000LL +
                                   (deadline->at.tv_nsec - now.tv_nsec);
        if (until <= 0) return false;
        if (until < left) left = until;
    }
    out->tv_sec = left / 1000000000LL;
    out->tv_nsec = left % 1000000000LL;
    return true;
}

// io_uring_enter for one CQE, with a timeout unless `ts` is null; the error number, or 0.
int enter_for_one(io_uring* ring, unsigned to_submit, __kernel_timespec* ts) noexcept
{
    int rc;
    if (ts == nullptr) {
        rc = io_uring_enter(static_cast<unsigned>(ring->ring_fd), to_submit, 1, IORING_ENTER_GETEVENTS, nullptr);
    } else {
        io_uring_getevents_arg arg{};
        arg.sigmask_sz = _NSIG / 8;
        arg.ts = reinterpret_cast<std::uint64_t>(ts);
        rc = io_uring_enter2(static_cast<unsigned>(ring->ring_fd), to_submit, 1,
                             IORING_ENTER_GETEVENTS | IORING_ENTER_EXT_ARG, reinterpret_cast<sigset_t*>(&arg),
                             sizeof(arg));
    }
    if (rc >= 0) return 0;
    return rc == -1 ? errno : -rc;  // liburing returns -errno (raw system call) or -1 with errno
}

}  // namespace

void UringFile::Ring::scan_ready(std::uint64_t tag, bool* futex_done, bool* futex_refused, bool* request_ready) noexcept
{
    unsigned internal_prefix = 0;
    {
        std::lock_guard<host::FutexMutex> cq(cq_lock);
        io_uring_cqe* cqe;
        unsigned head;
        bool prefix = true;
        io_uring_for_each_cqe(&ring, head, cqe) {
            if ((cqe->user_data & kCancelTag) == 0) {
                *request_ready = true;
                prefix = false;
                continue;
            }
            if (cqe->user_data == tag) {
                *futex_done = true;
                if (cqe->res == -EINVAL) *futex_refused = true;
                std::uint64_t armed = tag;
                armed_tag.compare_exchange_strong(armed, 0, std::memory_order_relaxed);
            }
            if (prefix) ++internal_prefix;
        }
        io_uring_cq_advance(&ring, internal_prefix);
    }
    if (internal_prefix != 0) {
        std::lock_guard<host::FutexMutex> guard(lock);
        kernel_outstanding -= internal_prefix;
    }
}

ke::SleepOutcome UringFile::Ring::sleep(std::atomic<std::uint32_t>* word, std::uint32_t sleeping,
                                        const host::Deadline* deadline, bool sliced) noexcept
{
    __kernel_timespec ts{};
    const bool timed = deadline != nullptr || sliced;
    if (timed && !time_left(deadline, sliced, &ts)) return ke::SleepOutcome::timeout;
    std::uint64_t tag;
    unsigned to_submit;
    {
        std::lock_guard<host::FutexMutex> guard(lock);
        tag = armed_tag.load(std::memory_order_relaxed);
        if (tag == 0) {
            io_uring_sqe* sqe = io_uring_get_sqe(&ring);
            if (sqe == nullptr) {
                // A full SQ (every slot queued with a cancel): submit it, then arm.
                enter(flush_locked(), false);
                sqe = io_uring_get_sqe(&ring);
                if (sqe == nullptr) return ke::SleepOutcome::none;
            }
            futex_generation = (futex_generation + 1) & kFutexGenerationMask;
            if (futex_generation == 0) futex_generation = 1;
            tag = kFutexTag | futex_generation;
            std::memset(sqe, 0, sizeof(*sqe));
            sqe->opcode = kOpFutexWait;
            sqe->fd = static_cast<std::int32_t>(kFutex2SizeU32 | kFutex2Private);
            sqe->addr = reinterpret_cast<std::uint64_t>(word);
            sqe->off = sleeping;  // addr2: the expected value
            sqe->addr3 = FUTEX_BITSET_MATCH_ANY;
            sqe->user_data = tag;
            queued.push_back(kCancelEntry);
            armed_tag.store(tag, std::memory_order_relaxed);
        }
        to_submit = queued.empty() ? 0 : flush_locked();
    }
    bool futex_done = false;
    bool futex_refused = false;
    bool request_ready = false;
    bool timed_out = false;
    count_enter();
    int error = enter_for_one(&ring, to_submit, timed ? &ts : nullptr);
    for (;;) {
        if (error == ETIME) timed_out = true;
        scan_ready(tag, &futex_done, &futex_refused, &request_ready);
        if (request_ready || futex_done || timed_out) break;
        if (word->load(std::memory_order_acquire) != sleeping) break;  // its CQE is on its way
        if (timed && !time_left(deadline, sliced, &ts)) {
            timed_out = true;
            break;
        }
        count_enter();
        error = enter_for_one(&ring, 0, timed ? &ts : nullptr);
    }
    if (futex_refused) {
        // The kernel does not know the opcode after all: bounded polling from now on.
        g_futex_wait.store(0, std::memory_order_relaxed);
        futex_wait = false;
        return ke::SleepOutcome::woken;
    }
    if (request_ready) return ke::SleepOutcome::work;
    if (timed_out && deadline != nullptr && !time_left(deadline, false, &ts)) return ke::SleepOutcome::timeout;
    return ke::SleepOutcome::woken;
}

namespace {

// The calling thread's rings, over every file it issued to. Only this thread changes the list; a
// ring in it stays allocated until this thread frees it (dead) or orphans it (thread exit).
// Trivially destructible, so that it stays readable through the whole thread exit (a rundown that
// waits for the thread's IRPs polls it); ThreadRingsRundown orphans the rings.
constexpr int kMaxThreadRings = 16;
struct ThreadRings {
    UringFile::Ring* rings[kMaxThreadRings];
    int count;
    bool poller_registered;
    bool sleeper_registered;
    bool closed;  // the thread is exiting: new requests go to shared orphaned rings
};
constinit thread_local ThreadRings t_rings = {};

struct ThreadRingsRundown {
    bool armed = false;
    ~ThreadRingsRundown()
    {
        ThreadRings& t = t_rings;
        t.closed = true;
        for (int i = 0; i < t.count; ++i) {
            UringFile::Ring* r = t.rings[i];
            bool dead;
            // The thread's armed futex wait leaves its wait word before the KTHREAD can go.
            if (r->owner.load(std::memory_order_acquire) != UringFile::Ring::kDead) r->disarm();
            {
                std::lock_guard<host::FutexMutex> guard(r->lock);
                dead = r->owner.load(std::memory_order_relaxed) == UringFile::Ring::kDead;
                if (!dead) {
                    r->owner.store(UringFile::Ring::kOrphaned, std::memory_order_release);
                    // Requests this thread never waited for: the file's reaper finishes them.
                    // The file cannot go while we hold a lock of one of its live rings.
                    if (r->in_use != 0) r->file->wake_reaper();
                }
            }
            if (dead) delete r;
        }
        t.count = 0;
    }
};
thread_local ThreadRingsRundown t_rings_rundown;

}  // namespace

NTSTATUS UringFile::open(const NTIO_URING_PARAMETERS& p, UringFile** file, const char** message)
{
    *file = nullptr;
    if (p.HostPath == nullptr || p.HostPath->Buffer == nullptr || p.HostPath->Length == 0 ||
        p.CompletionRoutine == nullptr || p.QueueDepth == 0 || p.QueueDepth > kMaxQueueDepth ||
        (p.Flags & ~(NTIO_URING_DIRECT | NTIO_URING_CREATE)) != 0) {
        return STATUS_INVALID_PARAMETER;
    }
    std::string path;
    if (!to_utf8(p.HostPath, &path)) return STATUS_OBJECT_NAME_INVALID;

    // A test switch: behave as on a kernel (or under a seccomp policy) that refuses io_uring.
    if (const char* off = std::getenv("NTIO_URING_DISABLE"); off != nullptr && off[0] == '1') {
        if (message) *message = "io_uring is unavailable: disabled by NTIO_URING_DISABLE=1";
        return STATUS_NOT_SUPPORTED;
    }
    // Another: behave as on a kernel without IORING_OP_FUTEX_WAIT (waiters poll their rings).
    const char* no_futex = std::getenv("NTIO_URING_NO_FUTEX_WAIT");
    const bool futex_wait = no_futex == nullptr || no_futex[0] != '1';

    auto* self = new (std::nothrow) UringFile();
    if (self == nullptr) return STATUS_INSUFFICIENT_RESOURCES;
    self->m_futex_wait = futex_wait;

    int flags = O_RDWR | O_CLOEXEC;
    if (p.Flags & NTIO_URING_CREATE) flags |= O_CREAT;
    if (p.Flags & NTIO_URING_DIRECT) flags |= O_DIRECT;
    self->m_direct = (p.Flags & NTIO_URING_DIRECT) != 0;
    self->m_fd = ::open(path.c_str(), flags, 0644);
    if (self->m_fd < 0) {
        const int error = errno;
        delete self;
        if (error == EINVAL && (p.Flags & NTIO_URING_DIRECT)) {
            if (message) *message = "the backing file's file system does not support O_DIRECT";
            return STATUS_NOT_SUPPORTED;
        }
        return status_from_errno(error);
    }
    struct stat st {};
    // A FIFO stands for an image whose reads wait for its writer (tests hold requests in flight
    // that way); it has no size of its own, so Size must give one.
    if (::fstat(self->m_fd, &st) != 0 ||
        !(S_ISREG(st.st_mode) || (S_ISFIFO(st.st_mode) && p.Size != 0 && (p.Flags & NTIO_URING_DIRECT) == 0))) {
        delete self;
        return STATUS_INVALID_PARAMETER;
    }
    // Resident reads (read_resident) are tried on a buffered regular file only.
    self->m_resident_reads_allowed.store(S_ISREG(st.st_mode) && !self->m_direct, std::memory_order_relaxed);
    if (p.Flags & NTIO_URING_DIRECT) {
        struct statx sx {};
        if (::statx(self->m_fd, "", AT_EMPTY_PATH, STATX_DIOALIGN, &sx) == 0 &&
            (sx.stx_mask & STATX_DIOALIGN) != 0) {
            const std::uint32_t align = sx.stx_dio_offset_align > sx.stx_dio_mem_align
                                            ? sx.stx_dio_offset_align
                                            : sx.stx_dio_mem_align;
            if (align > self->m_sector_size) self->m_sector_size = align;
        }
    }
    if (p.Size != 0) {
        if (p.Size % self->m_sector_size != 0) {
            delete self;
            return STATUS_INVALID_PARAMETER;
        }
        if (S_ISREG(st.st_mode) && static_cast<std::uint64_t>(st.st_size) < p.Size &&
            ::ftruncate(self->m_fd, static_cast<off_t>(p.Size)) != 0) {
            const int error = errno;
            delete self;
            return status_from_errno(error);
        }
        self->m_size = p.Size;
    } else {
        self->m_size = static_cast<std::uint64_t>(st.st_size) / self->m_sector_size * self->m_sector_size;
        if (self->m_size == 0) {
            delete self;
            return STATUS_INVALID_PARAMETER;
        }
    }

    self->m_batch = p.SubmitBatch == 0 ? kDefaultBatch : p.SubmitBatch;
    self->m_depth = p.QueueDepth;
    self->m_entries = 2;
    while (self->m_entries < 2 * p.QueueDepth) self->m_entries <<= 1;
    self->m_completion = p.CompletionRoutine;
    self->m_ring_context = p.RingContext;
    self->m_serial = g_next_serial.fetch_add(1, std::memory_order_relaxed);

    // The first ring doubles as the probe for io_uring; it waits, orphaned, for the first thread
    // that issues a request.
    Ring* first = self->make_ring();
    if (first == nullptr) {
        if (message) *message = unavailable_message(errno);
        delete self;
        return STATUS_NOT_SUPPORTED;
    }
    first->owner.store(Ring::kOrphaned, std::memory_order_relaxed);
    self->m_futex_wait = first->futex_wait;
    self->m_rings.push_back(first);
    *file = self;
    return STATUS_SUCCESS;
}

UringFile::~UringFile()
{
    std::lock_guard<std::mutex> rings(m_rings_lock);
    for (Ring* r : m_rings) {
        bool orphaned;
        {
            std::lock_guard<host::FutexMutex> guard(r->lock);
            orphaned = r->owner.load(std::memory_order_relaxed) == Ring::kOrphaned;
            if (!orphaned) {
                r->owner.store(Ring::kDead, std::memory_order_release);
                // The ring outlives the file until its thread frees it: give the file back now
                // (an update, not an unregister, which could wait for the owner's armed futex
                // wait on older kernels). Every request has finished (shut_down).
                if (r->fixed_file) {
                    int none = -1;
                    (void)io_uring_register_files_update(&r->ring, 0, &none, 1);
                    r->fixed_file = false;
                }
            }
            r->file = nullptr;
        }
        // A ring still owned is freed by its thread (next poll, or its exit).
        if (orphaned) delete r;
    }
    m_rings.clear();
    if (m_fd >= 0) ::close(m_fd);
}

UringFile::Ring* UringFile::make_ring() noexcept
{
    auto* r = new (std::nothrow) Ring();
    if (r == nullptr) return nullptr;
    // Two SQ entries per slot leave room for one ASYNC_CANCEL each; the CQ is twice the SQ, so
    // it cannot overflow.
    // COOP_TASKRUN: a completion's task work does not interrupt the issuing thread while it runs
    // (it runs at its next kernel entry, or in the poller's io_uring_enter; a thread asleep is
    // still woken for it), TASKRUN_FLAG tells the poller that such work waits.
    int rc = io_uring_queue_init(m_entries, &r->ring,
                                 IORING_SETUP_SUBMIT_ALL | IORING_SETUP_COOP_TASKRUN | IORING_SETUP_TASKRUN_FLAG);
    if (rc == -EINVAL) rc = io_uring_queue_init(m_entries, &r->ring, IORING_SETUP_SUBMIT_ALL);
    if (rc == -EINVAL) rc = io_uring_queue_init(m_entries, &r->ring, 0);
    if (rc < 0) {
        delete r;
        errno = -rc;
        return nullptr;
    }
    r->ready = true;
    r->ext_arg = (r->ring.features & IORING_FEAT_EXT_ARG) != 0;
    // The file as the ring's fixed file: the kernel then takes no file reference per request
    // (fget at submission, fput at completion). Without it (registration refused) requests name
    // the descriptor.
    r->fixed_file = io_uring_register_files(&r->ring, &m_fd, 1) == 0;
    if (g_futex_wait.load(std::memory_order_relaxed) < 0) {
        bool supported = false;
        if (io_uring_probe* probe = io_uring_get_probe_ring(&r->ring)) {
            supported = probe->last_op >= kOpFutexWait && (probe->ops[kOpFutexWait].flags & IO_URING_OP_SUPPORTED) != 0;
            io_uring_free_probe(probe);
        }
        g_futex_wait.store(supported ? 1 : 0, std::memory_order_relaxed);
    }
    r->futex_wait = m_futex_wait && r->ext_arg && g_futex_wait.load(std::memory_order_relaxed) == 1;
    r->direct = m_direct;
    r->file = this;
    r->serial = m_serial;
    r->fd = m_fd;
    r->completion = m_completion;
    r->ring_context = m_ring_context;
    r->slots.resize(m_depth);
    r->free.reserve(m_depth);
    for (std::uint32_t i = m_depth; i-- > 0;) r->free.push_back(static_cast<std::uint16_t>(i));
    r->queued.reserve(m_entries);
    return r;
}

// The calling thread's ring on this file: found in the thread's list, else an orphaned ring of
// the file adopted, else a new one (thread_ring_slow, which also registers the thread's poller the
// first time). The lookup is inline in the two per-request paths; the rest is out of line so that
// it saves no registers for them.
[[gnu::always_inline]] inline UringFile::Ring* UringFile::find_thread_ring() noexcept
{
    const ThreadRings& t = t_rings;
    for (int i = 0; i < t.count; ++i)
        if (t.rings[i]->serial == m_serial) return t.rings[i];
    return nullptr;
}
[[gnu::always_inline]] inline UringFile::Ring* UringFile::thread_ring() noexcept
{
    if (Ring* r = find_thread_ring()) [[likely]] return r;
    return thread_ring_slow();
}

UringFile::Ring* UringFile::thread_ring_slow() noexcept
{
    ThreadRings& t = t_rings;
    const bool keep = !t.closed && t.count < kMaxThreadRings;
    if (keep && !t.poller_registered) {
        t_rings_rundown.armed = true;
        // A full poller table leaves the thread without batching: queue() then submits at once.
        t.poller_registered = ke::register_wait_poller(&UringFile::poll_thread, nullptr);
    }
    if (keep && t.poller_registered && !t.sleeper_registered && m_futex_wait)
        t.sleeper_registered = ke::set_wait_sleeper(&UringFile::sleep_thread, nullptr);
    Ring* mine = nullptr;
    {
        std::lock_guard<std::mutex> rings(m_rings_lock);
        for (Ring* r : m_rings) {
            std::lock_guard<host::FutexMutex> guard(r->lock);
            // An idle orphan is adopted; a thread that cannot keep a ring (exiting, or with too
            // many) shares an orphan with room. An orphan still busy is left to the reaper, so
            // that a new thread gets its full QueueDepth.
            if (r->owner.load(std::memory_order_relaxed) == Ring::kOrphaned &&
                (keep ? r->in_use == 0 : !r->free.empty())) {
                if (keep) r->owner.store(Ring::kOwned, std::memory_order_release);
                mine = r;
                break;
            }
        }
        if (mine == nullptr) {
            mine = make_ring();
            if (mine == nullptr) return nullptr;
            if (!keep) mine->owner.store(Ring::kOrphaned, std::memory_order_relaxed);
            m_rings.push_back(mine);
        }
    }
    if (keep) t.rings[t.count++] = mine;
    return mine;
}

void UringFile::snapshot_rings(std::vector<Ring*>* out) noexcept
{
    std::lock_guard<std::mutex> rings(m_rings_lock);
    out->assign(m_rings.begin(), m_rings.end());
}

NTSTATUS UringFile::queue(Op op, void* buffer, std::uint32_t length, std::uint64_t offset,
                          void* context) noexcept
{
    Ring* r = thread_ring();
    if (r == nullptr) return STATUS_INSUFFICIENT_RESOURCES;
    unsigned to_submit = 0;
    bool submit_now;
    {
        std::lock_guard<host::FutexMutex> guard(r->lock);
        if (r->free.empty()) return STATUS_INSUFFICIENT_RESOURCES;
        io_uring_sqe* sqe = io_uring_get_sqe(&r->ring);
        if (sqe == nullptr) return STATUS_INSUFFICIENT_RESOURCES;  // cannot happen: SQ is 2x the slots
        const std::uint32_t index = r->free.back();
        r->free.pop_back();
        Slot& slot = r->slots[index];
        slot.context = context;
        slot.sqe = sqe;
        slot.state = SlotState::queued;
        slot.cancelled = false;
        slot.cancel_sent = false;
        slot.read_buffer = op == Op::read ? static_cast<const char*>(buffer) : nullptr;
        const int fd = r->fixed_file ? 0 : m_fd;
        switch (op) {
        case Op::read: io_uring_prep_read(sqe, fd, buffer, length, offset); break;
        case Op::write: io_uring_prep_write(sqe, fd, buffer, length, offset); break;
        case Op::flush: io_uring_prep_fsync(sqe, fd, IORING_FSYNC_DATASYNC); break;
        }
        if (r->fixed_file) sqe->flags |= IOSQE_FIXED_FILE;
        io_uring_sqe_set_data64(sqe, make_id(index, slot.generation));
        // Only the step from idle needs the full fence of the reaper's sleep handshake (reap()):
        // while busy stays non-zero the reaper cannot have decided to sleep on a value we changed.
        ++r->in_use;
        if (r->in_use == 1) {
            r->busy.store(1, std::memory_order_seq_cst);
        } else {
            r->busy.store(r->in_use, std::memory_order_release);
        }
        r->queued.push_back(index);
        // Batched only on a ring this thread owns and polls; an orphan is submitted at once.
        submit_now = r->queued.size() >= m_batch || !t_rings.poller_registered ||
                     r->owner.load(std::memory_order_relaxed) != Ring::kOwned;
        if (submit_now) to_submit = r->flush_locked();
    }
    r->owner_epoch.store(r->owner_epoch.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
    if (submit_now) {
        if (to_submit != 0) r->enter(to_submit, false);
        // Page-cache hits complete during the submission: hand them back on this thread.
        (void)r->reap_ready(true, true);
    }
    if (m_reaper_sleeping.load(std::memory_order_seq_cst)) wake_reaper();
    return STATUS_PENDING;
}

// preadv2 with RWF_NOWAIT returns what the page cache holds without waiting for the device
// (EAGAIN, or a short count, when a page is missing). Tried for the first request a thread issues
// after a wait, when it has nothing of this file queued or in flight: a thread that issues one
// request and waits for it gets it done at once, one that issues several before it waits has them
// batched in its ring (one io_uring_enter for many), and a thread's requests keep their order.
// Every call is a tail call, so that the usual path (no system call) saves no registers.
bool UringFile::read_resident(void* buffer, std::uint32_t length, std::uint64_t offset) noexcept
{
    if (!m_resident_reads_allowed.load(std::memory_order_relaxed)) return false;
    Ring* r = find_thread_ring();
    if (r == nullptr) [[unlikely]] return read_resident_first(buffer, length, offset);
    return read_resident_in(r, buffer, length, offset);
}

// The thread's first request on this file: its ring is made (or adopted) first.
bool UringFile::read_resident_first(void* buffer, std::uint32_t length, std::uint64_t offset) noexcept
{
    Ring* r = thread_ring_slow();
    if (r == nullptr) return false;
    return read_resident_in(r, buffer, length, offset);
}

[[gnu::always_inline]] inline bool UringFile::read_resident_in(Ring* r, void* buffer, std::uint32_t length,
                                                               std::uint64_t offset) noexcept
{
    if (r->owner.load(std::memory_order_relaxed) != Ring::kOwned) return false;
    const std::uint64_t waits = std::uint64_t{ke::polled_waits()} + 1;  // never 0, the "none yet" value
    const bool first_since_wait = r->resident_waits != waits;
    r->resident_waits = waits;
    if (!first_since_wait || r->busy.load(std::memory_order_relaxed) != 0) return false;
    return read_resident_now(r, buffer, length, offset);
}

// Out of line: most requests stop at the checks above, which then save no registers for the call.
bool UringFile::read_resident_now(Ring* r, void* buffer, std::uint32_t length, std::uint64_t offset) noexcept
{
    iovec part{buffer, length};
    const int saved = errno;
    // The system call itself: glibc's preadv2 wrapper adds a cancellation point we never use.
    const long n = ::syscall(SYS_preadv2, m_fd, &part, 1, static_cast<long>(offset), 0L, RWF_NOWAIT);
    const bool whole = n == static_cast<long>(length);
    std::atomic<std::uint64_t>& mine = whole ? r->resident_reads : r->resident_misses;
    mine.store(mine.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
    (whole ? g_resident_reads : g_resident_misses).fetch_add(1, std::memory_order_relaxed);
    if (whole) return true;
    // A kernel or file system without RWF_NOWAIT for buffered reads: the ring does every read.
    if (n < 0 && (errno == EOPNOTSUPP || errno == EINVAL)) m_resident_reads_allowed.store(false, std::memory_order_relaxed);
    errno = saved;
    return false;
}

bool UringFile::cancel(void* context) noexcept
{
    if (context == nullptr) return false;
    std::vector<Ring*> rings;
    snapshot_rings(&rings);
    for (Ring* r : rings) {
        unsigned to_submit = 0;
        {
            std::lock_guard<host::FutexMutex> guard(r->lock);
            std::uint32_t index = 0;
            while (index < r->slots.size() &&
                   (r->slots[index].state == SlotState::free || r->slots[index].context != context))
                ++index;
            if (index == r->slots.size()) continue;
            Slot& slot = r->slots[index];
            const std::uint64_t request_id = make_id(index, slot.generation);
            if (slot.cancelled || slot.cancel_sent) return true;
            if (slot.state == SlotState::queued) {
                // Never reached the kernel: it becomes a NOP that completes the slot as cancelled.
                io_uring_prep_nop(slot.sqe);
                io_uring_sqe_set_data64(slot.sqe, request_id);
                slot.cancelled = true;
            } else {
                io_uring_sqe* sqe = io_uring_get_sqe(&r->ring);
                if (sqe == nullptr) return false;
                io_uring_prep_cancel64(sqe, request_id, 0);
                io_uring_sqe_set_data64(sqe, kCancelTag);
                slot.cancel_sent = true;
                r->queued.push_back(kCancelEntry);
            }
            // Submitted now, whoever cancels: the owner may be blocked elsewhere. The result is
            // reaped by the owner's next poll or the reaper.
            to_submit = r->flush_locked();
            if (to_submit != 0) r->enter(to_submit, false);
        }
        wake_reaper();
        return true;
    }
    return false;
}

bool UringFile::poll_thread(void*, bool may_block, bool sleeper_follows) noexcept
{
    ThreadRings& t = t_rings;
    bool again = false;
    for (int i = 0; i < t.count;) {
        Ring* r = t.rings[i];
        if (r->owner.load(std::memory_order_acquire) == Ring::kDead) {
            // The file is gone and left the ring to us. Take and drop its lock once so that the
            // file's destructor is done with it.
            { std::lock_guard<host::FutexMutex> guard(r->lock); }
            delete r;
            t.rings[i] = t.rings[--t.count];
            continue;
        }
        ++i;
        if (r->busy.load(std::memory_order_acquire) == 0) continue;
        r->owner_polling.store(true, std::memory_order_relaxed);
        if (sleeper_follows && r->futex_wait && r->direct &&
            (!may_block || (__atomic_load_n(r->ring.sq.kflags, __ATOMIC_RELAXED) & IORING_SQ_TASKRUN) == 0)) {
            // The thread is about to sleep in this O_DIRECT ring (or has just left a sleep in it
            // for its completions): its submissions go with that sleep's io_uring_enter; deliver
            // only what is ready now. Buffered requests are submitted at once (page-cache hits
            // complete during that enter, and the wait may end without a sleep), and so, before an
            // infinite wait, are completions waiting for task work (one enter, maybe no sleep).
            if (r->reap_ready(true, true) != 0) again = true;
        } else if (r->poll(may_block && !r->futex_wait, true)) {
            // NT deviation (kernels without IORING_OP_FUTEX_WAIT only): an infinite wait polls
            // the ring in kRingWaitNs sleeps, so an APC or alert waits until the ring is drained.
            again = true;
        }
        r->owner_polling.store(false, std::memory_order_relaxed);
        r->owner_epoch.store(r->owner_epoch.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
    }
    return again;
}

ke::SleepOutcome UringFile::sleep_thread(void*, std::atomic<std::uint32_t>* word, std::uint32_t sleeping,
                                          const host::Deadline* deadline) noexcept
{
    ThreadRings& t = t_rings;
    Ring* chosen = nullptr;
    int busy = 0;
    for (int i = 0; i < t.count; ++i) {
        Ring* r = t.rings[i];
        if (r->owner.load(std::memory_order_acquire) == Ring::kDead) continue;
        if (r->busy.load(std::memory_order_acquire) == 0) continue;
        ++busy;
        if (chosen == nullptr && r->futex_wait) chosen = r;
    }
    if (chosen == nullptr) return ke::SleepOutcome::none;
    // NT deviation: with requests in flight in several of its rings (several uring disks), the
    // thread sleeps in one and looks at the others every kRingWaitNs; ke's wakes stay immediate.
    const bool sliced = busy > 1;
    for (int i = 0; i < t.count; ++i) {
        Ring* r = t.rings[i];
        if (r == chosen) continue;
        // One armed futex wait per thread (ke wakes two sleepers: the thread's and that one).
        // (A dead ring's io_uring lives until this thread frees it.)
        if (r->armed_tag.load(std::memory_order_relaxed) != 0) r->disarm();
        if (!sliced || r->owner.load(std::memory_order_acquire) == Ring::kDead ||
            r->busy.load(std::memory_order_acquire) == 0)
            continue;
        r->submit_queued();  // their requests go now, and a ready CQE ends the wait
        if (r->cq_ready()) return ke::SleepOutcome::work;
    }
    chosen->owner_polling.store(true, std::memory_order_relaxed);
    ke::SleepOutcome outcome = chosen->sleep(word, sleeping, deadline, sliced);
    chosen->owner_polling.store(false, std::memory_order_relaxed);
    chosen->owner_epoch.store(chosen->owner_epoch.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
    if (outcome == ke::SleepOutcome::woken && sliced) {
        for (int i = 0; i < t.count; ++i) {
            Ring* r = t.rings[i];
            if (r != chosen && r->owner.load(std::memory_order_acquire) != Ring::kDead &&
                r->busy.load(std::memory_order_acquire) != 0 && r->cq_ready())
                return ke::SleepOutcome::work;
        }
    }
    return outcome;
}

bool UringFile::any_busy() noexcept
{
    std::lock_guard<std::mutex> rings(m_rings_lock);
    for (Ring* r : m_rings)
        if (r->busy.load(std::memory_order_seq_cst) != 0) return true;
    return false;
}

// The fallback: serves the rings whose thread made no progress since the last pass (it neither
// queued nor polled: it is blocked with a timeout, busy elsewhere, or gone), never one whose
// thread is polling, so that it takes no completion the waiter would reap itself.
bool UringFile::rescue_pass(bool* unattended) noexcept
{
    std::vector<Ring*> rings;
    snapshot_rings(&rings);
    bool did = false;
    *unattended = false;
    for (Ring* r : rings) {
        if (r->busy.load(std::memory_order_acquire) == 0) continue;
        const std::uint64_t epoch = r->owner_epoch.load(std::memory_order_relaxed);
        const bool orphaned = r->owner.load(std::memory_order_acquire) == Ring::kOrphaned;
        const bool stalled = !r->owner_polling.load(std::memory_order_relaxed) &&
                             r->reaper_epoch.exchange(epoch, std::memory_order_relaxed) == epoch;
        if (!orphaned && !stalled) continue;
        *unattended = true;
        if (r->poll(false, false)) did = true;
    }
    return did;
}

void UringFile::wake_reaper() noexcept
{
    m_reaper_sleeping.store(false, std::memory_order_relaxed);
    m_reaper_word.fetch_add(1, std::memory_order_release);
    futex_wake(&m_reaper_word, 1 << 30);
}

NTSTATUS UringFile::reap(bool wait) noexcept
{
    for (;;) {
        if (m_closing.load(std::memory_order_acquire) && !any_busy()) return STATUS_CANCELLED;
        const std::uint32_t seen = m_reaper_word.load(std::memory_order_acquire);
        bool unattended = false;
        const bool did = rescue_pass(&unattended);
        if (!wait) return STATUS_SUCCESS;
        if (did) {
            m_idle_ticks = 0;
            m_tick_shift = 0;
            continue;
        }
        const bool busy = any_busy();
        m_idle_ticks = busy ? 0 : m_idle_ticks + 1;
        if (!busy || unattended) {
            m_tick_shift = 0;
        } else if (m_tick_shift < kReaperMaxShift) {
            ++m_tick_shift;
        }
        if (!busy && m_idle_ticks >= kReaperIdleTicks && !m_closing.load(std::memory_order_acquire)) {
            // Long idle: sleep until queue() sees the flag (seq_cst on both sides: either it
            // sees the flag, or we see its busy ring below).
            m_reaper_sleeping.store(true, std::memory_order_seq_cst);
            if (any_busy()) {
                m_reaper_sleeping.store(false, std::memory_order_relaxed);
                continue;
            }
            futex_wait(&m_reaper_word, seen);
            m_reaper_sleeping.store(false, std::memory_order_relaxed);
            m_idle_ticks = 0;
            continue;
        }
        Deadline deadline;
        clock_gettime(CLOCK_MONOTONIC, &deadline.at);
        deadline.at.tv_nsec += kReaperTickNs << m_tick_shift;
        if (deadline.at.tv_nsec >= 1000000000L) {
            deadline.at.tv_nsec -= 1000000000L;
            deadline.at.tv_sec += 1;
        }
        futex_wait(&m_reaper_word, seen, &deadline);
    }
}

void UringFile::shut_down() noexcept
{
    if (m_closing.exchange(true, std::memory_order_acq_rel)) return;
    // Finish every request: serve each ring with work here (its owner may serve it too) until
    // none is left.
    std::vector<Ring*> rings;
    for (;;) {
        snapshot_rings(&rings);
        bool busy = false;
        bool progress = false;
        for (Ring* r : rings) {
            if (r->busy.load(std::memory_order_acquire) == 0) continue;
            busy = true;
            if (r->poll(true, false)) progress = true;
        }
        if (!busy) break;
        if (!progress) sched_yield();  // completion routines are running on another thread
    }
    wake_reaper();
}

void UringFile::process_statistics(NTIO_URING_STATISTICS* out) noexcept
{
    out->EnterCalls = g_enter_calls.load(std::memory_order_relaxed);
    out->Completions = g_completions.load(std::memory_order_relaxed);
    out->InlineCompletions = g_inline_completions.load(std::memory_order_relaxed);
    out->ResidentReads = g_resident_reads.load(std::memory_order_relaxed);
    out->ResidentReadCalls = out->ResidentReads + g_resident_misses.load(std::memory_order_relaxed);
}

void UringFile::statistics(NTIO_URING_STATISTICS* out) noexcept
{
    *out = NTIO_URING_STATISTICS{};
    std::lock_guard<std::mutex> rings(m_rings_lock);
    for (Ring* r : m_rings) {
        out->EnterCalls += r->enter_calls.load(std::memory_order_relaxed);
        out->Completions += r->completions.load(std::memory_order_relaxed);
        out->InlineCompletions += r->inline_completions.load(std::memory_order_relaxed);
        out->ResidentReads += r->resident_reads.load(std::memory_order_relaxed);
        out->ResidentReadCalls +=
            r->resident_reads.load(std::memory_order_relaxed) + r->resident_misses.load(std::memory_order_relaxed);
    }
}

}  // namespace ntio::host
