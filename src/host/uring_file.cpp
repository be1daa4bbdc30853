// UringFile: set-up of the file and ring, the request slot table, the batching rule and reaping.
// Batching rule: a request is handed to the kernel at once when nothing is in the kernel (latency
// at QD1), else it waits in the SQ until SubmitBatch requests are queued or a reaper or submitter
// next enters the kernel. Whoever takes the kernel's last outstanding completion flushes the SQ, so
// a queued request never waits for a completion that will not come.
#include "host/uring_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <new>
#include <string>

#include "host/errno_status.hpp"
#include "host/futex.hpp"

namespace ntio::host {

namespace {

constexpr std::uint64_t kCancelTag = std::uint64_t{1} << 63;
constexpr std::uint64_t kWakeTag = kCancelTag | 1;
constexpr std::uint32_t kCancelEntry = 0xFFFFFFFFu;
constexpr std::size_t kReapChunk = 64;

// Process-wide totals behind NtioUringQueryStatistics(NULL, ...).
std::atomic<std::uint64_t> g_enter_calls{0};
std::atomic<std::uint64_t> g_completions{0};
std::atomic<std::uint64_t> g_inline_completions{0};

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

    auto* self = new (std::nothrow) UringFile();
    if (self == nullptr) return STATUS_INSUFFICIENT_RESOURCES;

    // Two SQ entries per slot leave room for one ASYNC_CANCEL each; the CQ is twice the SQ.
    unsigned entries = 2;
    while (entries < 2 * p.QueueDepth) entries <<= 1;
    int rc = io_uring_queue_init(entries, &self->m_ring, IORING_SETUP_SUBMIT_ALL);
    if (rc == -EINVAL) rc = io_uring_queue_init(entries, &self->m_ring, 0);
    if (rc < 0) {
        if (message) *message = unavailable_message(-rc);
        delete self;
        return STATUS_NOT_SUPPORTED;
    }
    self->m_ring_ready = true;

    int flags = O_RDWR | O_CLOEXEC;
    if (p.Flags & NTIO_URING_CREATE) flags |= O_CREAT;
    if (p.Flags & NTIO_URING_DIRECT) flags |= O_DIRECT;
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
    if (::fstat(self->m_fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        delete self;
        return STATUS_INVALID_PARAMETER;
    }
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
        if (static_cast<std::uint64_t>(st.st_size) < p.Size &&
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

    self->m_batch = p.SubmitBatch == 0 ? 8 : p.SubmitBatch;
    self->m_completion = p.CompletionRoutine;
    self->m_ring_context = p.RingContext;
    self->m_slots.resize(p.QueueDepth);
    self->m_free.reserve(p.QueueDepth);
    for (std::uint32_t i = p.QueueDepth; i-- > 0;) self->m_free.push_back(static_cast<std::uint16_t>(i));
    self->m_queued.reserve(entries);
    *file = self;
    return STATUS_SUCCESS;
}

UringFile::~UringFile()
{
    if (m_ring_ready) io_uring_queue_exit(&m_ring);
    if (m_fd >= 0) ::close(m_fd);
}

void UringFile::submit_locked() noexcept
{
    if (m_queued.empty()) return;
    count_enter();
    const int submitted = io_uring_submit(&m_ring);
    if (submitted <= 0) return;  // -EAGAIN/-EBUSY: the entries stay in the SQ for the next try
    const auto n = static_cast<std::size_t>(submitted) < m_queued.size()
                       ? static_cast<std::size_t>(submitted)
                       : m_queued.size();
    for (std::size_t i = 0; i < n; ++i) {
        if (m_queued[i] != kCancelEntry) {
            Slot& slot = m_slots[m_queued[i]];
            slot.state = SlotState::submitted;
            slot.sqe = nullptr;
        }
    }
    m_kernel_outstanding += static_cast<std::uint32_t>(n);
    m_queued.erase(m_queued.begin(), m_queued.begin() + static_cast<std::ptrdiff_t>(n));
}

void UringFile::flush_deferred_locked() noexcept
{
    if (!m_queued.empty() && (m_kernel_outstanding == 0 || m_queued.size() >= m_batch)) submit_locked();
}

NTSTATUS UringFile::queue(Op op, void* buffer, std::uint32_t length, std::uint64_t offset,
                          void* context) noexcept
{
    {
        std::lock_guard<std::mutex> guard(m_sq_lock);
        if (m_free.empty()) return STATUS_INSUFFICIENT_RESOURCES;
        io_uring_sqe* sqe = io_uring_get_sqe(&m_ring);
        if (sqe == nullptr) return STATUS_INSUFFICIENT_RESOURCES;  // cannot happen: SQ is 2x the slots
        const std::uint32_t index = m_free.back();
        m_free.pop_back();
        Slot& slot = m_slots[index];
        slot.context = context;
        slot.sqe = sqe;
        slot.state = SlotState::queued;
        slot.cancelled = false;
        slot.cancel_sent = false;
        switch (op) {
        case Op::read: io_uring_prep_read(sqe, m_fd, buffer, length, offset); break;
        case Op::write: io_uring_prep_write(sqe, m_fd, buffer, length, offset); break;
        case Op::flush: io_uring_prep_fsync(sqe, m_fd, IORING_FSYNC_DATASYNC); break;
        }
        const std::uint64_t id = make_id(index, slot.generation);
        io_uring_sqe_set_data64(sqe, id);
        ++m_in_use;
        m_queued.push_back(index);
        flush_deferred_locked();
    }
    // Page-cache hits complete during the submission: hand them back on this thread.
    reap_ready(false, true);
    wake_reaper_if_needed();
    return STATUS_PENDING;
}

bool UringFile::cancel(void* context) noexcept
{
    std::lock_guard<std::mutex> guard(m_sq_lock);
    std::uint32_t index = 0;
    while (index < m_slots.size() &&
           (m_slots[index].state == SlotState::free || m_slots[index].context != context))
        ++index;
    if (context == nullptr || index == m_slots.size()) return false;
    Slot& slot = m_slots[index];
    const std::uint64_t request_id = make_id(index, slot.generation);
    if (slot.cancelled || slot.cancel_sent) return true;
    if (slot.state == SlotState::queued) {
        // Never reached the kernel: it becomes a NOP that completes the slot as cancelled.
        io_uring_prep_nop(slot.sqe);
        io_uring_sqe_set_data64(slot.sqe, request_id);
        slot.cancelled = true;
        flush_deferred_locked();
        return true;
    }
    io_uring_sqe* sqe = io_uring_get_sqe(&m_ring);
    if (sqe == nullptr) return false;
    io_uring_prep_cancel64(sqe, request_id, 0);
    io_uring_sqe_set_data64(sqe, kCancelTag);
    slot.cancel_sent = true;
    m_queued.push_back(kCancelEntry);
    submit_locked();
    return true;
}

std::size_t UringFile::reap_ready(bool blocking_lock, bool inline_reap) noexcept
{
    Reaped reaped[kReapChunk];
    std::size_t total = 0;
    for (;;) {
        std::size_t n = 0;
        {
            std::unique_lock<std::mutex> cq(m_cq_lock, std::defer_lock);
            if (blocking_lock) {
                cq.lock();
            } else if (!cq.try_lock()) {
                return total;  // another thread is reaping: it delivers these
            }
            io_uring_cqe* cqe;
            unsigned head;
            io_uring_for_each_cqe(&m_ring, head, cqe) {
                reaped[n].user_data = cqe->user_data;
                reaped[n].result = cqe->res;
                if (++n == kReapChunk) break;
            }
            io_uring_cq_advance(&m_ring, static_cast<unsigned>(n));
        }
        if (n == 0) return total;

        struct Done {
            void* context;
            NTSTATUS status;
            ULONG_PTR information;
        } done[kReapChunk];
        std::size_t ndone = 0;
        {
            std::lock_guard<std::mutex> guard(m_sq_lock);
            for (std::size_t i = 0; i < n; ++i) {
                m_kernel_outstanding -= 1;
                if ((reaped[i].user_data & kCancelTag) != 0) continue;
                const std::uint32_t index = static_cast<std::uint32_t>(reaped[i].user_data & 0xFFFF);
                Slot& slot = m_slots[index];
                Done& d = done[ndone++];
                d.context = slot.context;
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
                m_free.push_back(static_cast<std::uint16_t>(index));
                --m_in_use;
            }
            flush_deferred_locked();
        }
        m_completions.fetch_add(ndone, std::memory_order_relaxed);
        g_completions.fetch_add(ndone, std::memory_order_relaxed);
        if (inline_reap) {
            m_inline_completions.fetch_add(ndone, std::memory_order_relaxed);
            g_inline_completions.fetch_add(ndone, std::memory_order_relaxed);
        }
        for (std::size_t i = 0; i < ndone; ++i)
            m_completion(done[i].context, done[i].status, done[i].information, m_ring_context);
        total += ndone;
        if (n < kReapChunk) {
            // Wake whoever waits in shut_down for the last slot.
            if (m_closing.load(std::memory_order_acquire)) {
                m_drained_word.fetch_add(1, std::memory_order_release);
                futex_wake(&m_drained_word, 1 << 30);
            }
            return total;
        }
    }
}

void UringFile::wake_reaper_if_needed() noexcept
{
    if (!m_reaper_idle.load(std::memory_order_acquire)) return;
    {
        std::lock_guard<std::mutex> guard(m_sq_lock);
        if (m_kernel_outstanding == 0) return;
    }
    if (m_reaper_idle.exchange(false, std::memory_order_acq_rel)) {
        m_reaper_word.fetch_add(1, std::memory_order_release);
        futex_wake(&m_reaper_word, 1 << 30);
    }
}

NTSTATUS UringFile::reap(bool wait) noexcept
{
    NTSTATUS status = STATUS_SUCCESS;
    for (;;) {
        if (m_closing.load(std::memory_order_acquire)) {
            std::lock_guard<std::mutex> guard(m_sq_lock);
            if (m_in_use == 0) {
                status = STATUS_CANCELLED;
                break;
            }
        }
        const std::size_t got = reap_ready(true, !wait);
        if (got != 0 || !wait) break;
        std::uint32_t outstanding;
        std::uint32_t seen = m_reaper_word.load(std::memory_order_acquire);
        {
            std::lock_guard<std::mutex> guard(m_sq_lock);
            submit_locked();  // the deferred part of a batch goes in before we sleep
            outstanding = m_kernel_outstanding;
            if (outstanding == 0) m_reaper_idle.store(true, std::memory_order_release);
        }
        if (outstanding == 0) {
            if (m_closing.load(std::memory_order_acquire)) continue;
            futex_wait(&m_reaper_word, seen);
            m_reaper_idle.store(false, std::memory_order_release);
            continue;
        }
        count_enter();
        io_uring_enter(static_cast<unsigned>(m_ring.ring_fd), 0, 1, IORING_ENTER_GETEVENTS, nullptr);
    }
    return status;
}

void UringFile::shut_down() noexcept
{
    if (m_closing.exchange(true, std::memory_order_acq_rel)) return;
    // Finish every request: reap here until the table is empty.
    for (;;) {
        std::uint32_t seen = m_drained_word.load(std::memory_order_acquire);
        reap_ready(true, false);
        std::uint32_t in_use, outstanding;
        {
            std::lock_guard<std::mutex> guard(m_sq_lock);
            submit_locked();
            in_use = m_in_use;
            outstanding = m_kernel_outstanding;
        }
        if (in_use == 0 && outstanding == 0) break;
        if (outstanding != 0) {
            count_enter();
            io_uring_enter(static_cast<unsigned>(m_ring.ring_fd), 0, 1, IORING_ENTER_GETEVENTS, nullptr);
        } else {
            futex_wait(&m_drained_word, seen);
        }
    }
    // Release reapers: those asleep on the futex, and one blocked in the kernel gets a NOP.
    {
        std::lock_guard<std::mutex> guard(m_sq_lock);
        if (io_uring_sqe* sqe = io_uring_get_sqe(&m_ring)) {
            io_uring_prep_nop(sqe);
            io_uring_sqe_set_data64(sqe, kWakeTag);
            m_queued.push_back(kCancelEntry);
            submit_locked();
        }
    }
    m_reaper_idle.store(false, std::memory_order_release);
    m_reaper_word.fetch_add(1, std::memory_order_release);
    futex_wake(&m_reaper_word, 1 << 30);
}

void UringFile::count_enter() noexcept
{
    m_enter_calls.fetch_add(1, std::memory_order_relaxed);
    g_enter_calls.fetch_add(1, std::memory_order_relaxed);
}

void UringFile::process_statistics(NTIO_URING_STATISTICS* out) noexcept
{
    out->EnterCalls = g_enter_calls.load(std::memory_order_relaxed);
    out->Completions = g_completions.load(std::memory_order_relaxed);
    out->InlineCompletions = g_inline_completions.load(std::memory_order_relaxed);
}

void UringFile::statistics(NTIO_URING_STATISTICS* out) const noexcept
{
    out->EnterCalls = m_enter_calls.load(std::memory_order_relaxed);
    out->Completions = m_completions.load(std::memory_order_relaxed);
    out->InlineCompletions = m_inline_completions.load(std::memory_order_relaxed);
}

}  // namespace ntio::host
