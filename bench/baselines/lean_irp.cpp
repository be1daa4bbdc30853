// Baseline lean_irp(N) of performance-gates.md: the floor for ntio's IRP design, written from the
// spec's description (not from ntio). An IRP with 8 stack locations from a per-thread intrusive
// freelist; IoCallDriver moves to the next location and calls the driver through a function pointer;
// N pass-through filters copy their location and set a completion routine; a null driver completes;
// completion walks up calling the routines and propagating the pending flag, posts a packet to a
// per-thread ring and frees the IRP; the caller dequeues the packet. Plain and interlocked variants,
// and the io_uring variant: the bottom driver preps a read SQE, marks the IRP pending and returns
// STATUS_PENDING; the reaper loop turns CQEs into IoStatus and completes; the application re-issues.
#include <liburing.h>

#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <cstring>

#include "baselines/baselines.hpp"
#include "harness/gate_runner.hpp"

namespace ntio::bench {
namespace {

void require_uring(int error) {
    if (error != 0) std::abort();  // callers check io_uring_available() first
}

struct LeanIrp;
struct LeanDevice;
using LeanDispatch = int (*)(LeanDevice*, LeanIrp*);
using LeanCompletion = int (*)(LeanDevice*, LeanIrp*, void*);

struct LeanLocation {
    unsigned char major = 0, control = 0;
    std::uint64_t args[4]{};
    LeanDevice* device = nullptr;
    LeanCompletion routine = nullptr;
    void* context = nullptr;
};

struct LeanIrp {
    LeanIrp* next_free = nullptr;
    int status = 0;
    std::uint64_t information = 0;
    bool pending_returned = false;
    int current = 0;  // index of the current location; stack_count + 1 when none
    int stack_count = 8;
    void* cancel_routine = nullptr;
    std::atomic<int> references{1};
    LeanLocation stack[8];
};

struct LeanDevice {
    LeanDispatch dispatch = nullptr;
    LeanDevice* lower = nullptr;
    int stack_size = 1;
};

struct Packet {
    int status;
    std::uint64_t information;
    std::uint64_t context;  // the originator's tag (the io_uring variant's buffer slot)
};

thread_local LeanIrp* t_free = nullptr;
thread_local Packet t_ring[64];
thread_local unsigned t_head = 0, t_tail = 0;

LeanIrp* allocate() {
    LeanIrp* irp = t_free;
    if (irp) t_free = irp->next_free;
    else irp = new LeanIrp;
    irp->current = irp->stack_count + 1;
    irp->pending_returned = false;
    irp->status = 0;
    irp->information = 0;
    return irp;
}

void release(LeanIrp* irp) {
    irp->next_free = t_free;
    t_free = irp;
}

inline LeanLocation& location(LeanIrp* irp, int index) { return irp->stack[index - 1]; }

int call_driver(LeanDevice* device, LeanIrp* irp) {
    --irp->current;
    location(irp, irp->current).device = device;
    return device->dispatch(device, irp);
}

template <bool kInterlocked>
void complete(LeanIrp* irp) {
    for (int index = irp->current; index <= irp->stack_count; ++index) {
        LeanLocation& loc = location(irp, index);
        irp->pending_returned = loc.control & 1;
        irp->current = index + 1;
        if (loc.routine) {
            int r = loc.routine(index < irp->stack_count ? location(irp, index + 1).device : nullptr, irp, loc.context);
            if (r == 1) return;  // more processing required
        } else if (irp->pending_returned && index < irp->stack_count) {
            location(irp, index + 1).control |= 1;
        }
    }
    if constexpr (kInterlocked) irp->references.fetch_sub(1, std::memory_order_acq_rel);
    t_ring[t_tail++ & 63] = Packet{irp->status, irp->information, location(irp, irp->stack_count).args[3]};
    release(irp);
}

template <bool kInterlocked>
int filter_completion(LeanDevice*, LeanIrp* irp, void*) {
    if constexpr (kInterlocked) {
        std::atomic_ref<void*>(irp->cancel_routine).exchange(nullptr, std::memory_order_acq_rel);
    }
    // IoMarkIrpPending on the filter's own location (the walk has moved up to it).
    if (irp->pending_returned) location(irp, irp->current).control |= 1;
    return 0;
}

template <bool kInterlocked>
int filter_dispatch(LeanDevice* device, LeanIrp* irp) {
    LeanLocation& current = location(irp, irp->current);
    LeanLocation& next = location(irp, irp->current - 1);
    std::memcpy(static_cast<void*>(&next), &current, offsetof(LeanLocation, routine));
    next.control = 0;
    next.routine = filter_completion<kInterlocked>;
    next.context = device;
    if constexpr (kInterlocked) {
        std::atomic_ref<void*>(irp->cancel_routine).exchange(reinterpret_cast<void*>(&filter_completion<kInterlocked>),
                                                             std::memory_order_acq_rel);
    }
    return call_driver(device->lower, irp);
}

template <bool kInterlocked>
int null_dispatch(LeanDevice*, LeanIrp* irp) {
    irp->status = 0;
    irp->information = location(irp, irp->current).args[0];
    complete<kInterlocked>(irp);
    return 0;
}

template <bool kInterlocked>
double run(int filters, double min_ns) {
    static LeanDevice devices[4];
    devices[0] = LeanDevice{null_dispatch<kInterlocked>, nullptr, 1};
    for (int i = 1; i <= filters; ++i) devices[i] = LeanDevice{filter_dispatch<kInterlocked>, &devices[i - 1], i + 1};
    LeanDevice* top = &devices[filters];
    std::uint64_t total = 0;
    double ns = time_loop(min_ns, [&] {
        LeanIrp* irp = allocate();
        LeanLocation& first = location(irp, irp->current - 1);
        first.major = 3;
        first.args[0] = 4096;
        first.control = 0;
        first.routine = nullptr;
        call_driver(top, irp);
        while (t_head != t_tail) total += t_ring[t_head++ & 63].information;
    });
    keep(total);
    return ns;
}

constexpr int kPending = 0x103;

// The io_uring bottom driver's state: one ring per phase, owned by the running thread.
struct UringBottom {
    io_uring ring;
    int fd = -1;
} g_bottom;

int uring_dispatch(LeanDevice*, LeanIrp* irp) {
    LeanLocation& loc = location(irp, irp->current);
    io_uring_sqe* sqe = io_uring_get_sqe(&g_bottom.ring);
    io_uring_prep_read(sqe, g_bottom.fd, reinterpret_cast<void*>(loc.args[2]), static_cast<unsigned>(loc.args[0]),
                       loc.args[1]);
    io_uring_sqe_set_data(sqe, irp);
    loc.control |= 1;  // IoMarkIrpPending
    return kPending;
}

}  // namespace

double lean_irp(int filters, bool interlocked, double min_ns) {
    return interlocked ? run<true>(filters, min_ns) : run<false>(filters, min_ns);
}

double lean_irp_uring(int filters, int fd, unsigned long long bytes, int qd, double min_ns) {
    constexpr unsigned kLength = 4096;
    require_uring(io_uring_queue_init(256, &g_bottom.ring, IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN));
    g_bottom.fd = fd;
    static LeanDevice devices[4];
    devices[0] = LeanDevice{uring_dispatch, nullptr, 1};
    for (int i = 1; i <= filters; ++i) devices[i] = LeanDevice{filter_dispatch<false>, &devices[i - 1], i + 1};
    LeanDevice* top = &devices[filters];
    char* buffers = static_cast<char*>(std::aligned_alloc(4096, static_cast<std::size_t>(qd) * kLength));
    std::uint64_t x = 88172645463325252ull;
    const std::uint64_t blocks = bytes / kLength;
    auto issue = [&](std::uint64_t slot) {
        x ^= x << 13; x ^= x >> 7; x ^= x << 17;
        LeanIrp* irp = allocate();
        LeanLocation& first = location(irp, irp->current - 1);
        first.major = 3;
        first.args[0] = kLength;
        first.args[1] = (x % blocks) * kLength;
        first.args[2] = reinterpret_cast<std::uint64_t>(buffers + slot * kLength);
        first.args[3] = slot;
        first.control = 0;
        first.routine = nullptr;
        call_driver(top, irp);
    };
    for (int i = 0; i < qd; ++i) issue(static_cast<std::uint64_t>(i));
    long done = 0;
    std::uint64_t bytes_read = 0;
    const double start = now_ns();
    double elapsed = 0;
    auto reap = [&] {
        io_uring_submit_and_wait(&g_bottom.ring, 1);
        io_uring_cqe* cqe;
        unsigned head, n = 0;
        io_uring_for_each_cqe(&g_bottom.ring, head, cqe) {
            auto* irp = static_cast<LeanIrp*>(io_uring_cqe_get_data(cqe));
            irp->status = cqe->res < 0 ? cqe->res : 0;
            irp->information = cqe->res < 0 ? 0 : static_cast<std::uint64_t>(cqe->res);
            complete<false>(irp);
            ++n;
        }
        io_uring_cq_advance(&g_bottom.ring, n);
        return n;
    };
    do {
        reap();
        while (t_head != t_tail) {  // the application drains its packets and issues new reads
            const Packet& p = t_ring[t_head++ & 63];
            bytes_read += p.information;
            issue(p.context);
            ++done;
        }
        elapsed = now_ns() - start;
    } while (elapsed < min_ns);
    keep(bytes_read);
    for (long left = qd; left > 0;) {
        left -= reap();
        t_head = t_tail;
    }
    io_uring_queue_exit(&g_bottom.ring);
    std::free(buffers);
    return elapsed / static_cast<double>(done);
}

}  // namespace ntio::bench
