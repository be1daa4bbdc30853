// Baselines futex_pp and spin_pp: a round trip between threads pinned to cpus 0 and 1, through a
// futex auto-reset event (wait = CAS 1->0 else register and FUTEX_WAIT; set = store 1 and
// FUTEX_WAKE when someone waits) or through spinning flags.
#include <atomic>
#include <linux/futex.h>
#include <sys/syscall.h>
#include <thread>
#include <unistd.h>

#include "baselines/baselines.hpp"
#include "harness/gate_runner.hpp"

namespace ntio::bench {
namespace {

struct FutexEvent {
    std::atomic<int> state{0};
    std::atomic<int> waiters{0};

    void wait() {
        for (;;) {
            int one = 1;
            if (state.compare_exchange_strong(one, 0)) return;
            waiters.fetch_add(1);
            if (state.load() == 0)
                syscall(SYS_futex, reinterpret_cast<int*>(&state), FUTEX_WAIT_PRIVATE, 0, nullptr, nullptr, 0);
            waiters.fetch_sub(1);
        }
    }
    void set() {
        state.store(1);
        if (waiters.load() != 0)
            syscall(SYS_futex, reinterpret_cast<int*>(&state), FUTEX_WAKE_PRIVATE, 1, nullptr, nullptr, 0);
    }
};

}  // namespace

double futex_pingpong(double min_ns) {
    FutexEvent to_b, to_a;
    std::atomic<bool> stop{false};
    std::thread b([&] {
        pin_to_cpu(1);
        for (;;) {
            to_b.wait();
            if (stop.load(std::memory_order_relaxed)) break;
            to_a.set();
        }
    });
    pin_to_cpu(0);
    const double ns = time_loop(min_ns, [&] {
        to_b.set();
        to_a.wait();
    }, 64);
    stop.store(true);
    to_b.set();
    b.join();
    return ns;
}

double spin_pingpong(double min_ns) {
    alignas(64) std::atomic<int> flag_b{0};
    alignas(64) std::atomic<int> flag_a{0};
    std::atomic<bool> stop{false};
    std::thread b([&] {
        pin_to_cpu(1);
        for (;;) {
            while (flag_b.load(std::memory_order_acquire) == 0) __builtin_ia32_pause();
            flag_b.store(0, std::memory_order_relaxed);
            if (stop.load(std::memory_order_relaxed)) break;
            flag_a.store(1, std::memory_order_release);
        }
    });
    pin_to_cpu(0);
    const double ns = time_loop(min_ns, [&] {
        flag_b.store(1, std::memory_order_release);
        while (flag_a.load(std::memory_order_acquire) == 0) __builtin_ia32_pause();
        flag_a.store(0, std::memory_order_relaxed);
    });
    stop.store(true);
    flag_b.store(1, std::memory_order_release);
    b.join();
    return ns;
}

}  // namespace ntio::bench
