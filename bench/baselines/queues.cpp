// Baselines syscall, mq_cv and asio_post of performance-gates.md section 3: one kernel entry
// (getppid), a mutex + condition-variable queue across two cpus, and Standalone Asio's post + run on
// one thread and across two. The cross-thread ones cap the items in flight at kMaxInFlight, as the
// completion-port throughput phase of gate B1 does, so that all three queue the same way.
#include <atomic>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <sys/syscall.h>
#include <thread>
#include <unistd.h>

#include <asio.hpp>  // ASIO_STANDALONE comes from bench/CMakeLists.txt

#include "baselines/baselines.hpp"
#include "harness/gate_runner.hpp"

namespace ntio::bench {

double syscall_getppid(double min_ns) {
    return time_loop(min_ns, [] { keep(syscall(SYS_getppid)); }, 1024);
}

namespace {

// The producer side of a cross-thread phase: posts until min_ns have passed, never more than
// kMaxInFlight ahead of `consumed` (re-read only when the cap is reached, so the producer does
// not pull the consumer's cache line on every post). Returns the number of items posted.
template <typename Post>
long produce(double min_ns, double start, const std::atomic<long>& consumed, Post&& post) {
    long posted = 0;
    long seen = 0;
    do {
        for (int i = 0; i < 1024; ++i) {
            while (posted - seen >= kMaxInFlight) {
                __builtin_ia32_pause();
                seen = consumed.load(std::memory_order_acquire);
            }
            post(posted++);
        }
    } while (now_ns() - start < min_ns);
    return posted;
}

}  // namespace

double mq_cv(double min_ns) {
    std::mutex lock;
    std::condition_variable nonempty;
    std::deque<long> queue;
    alignas(64) std::atomic<long> consumed{0};
    double end = 0;
    std::thread consumer([&] {
        pin_to_cpu(1);
        std::deque<long> local;
        long handled = 0;
        for (bool stop = false; !stop;) {
            {
                std::unique_lock guard(lock);
                nonempty.wait(guard, [&] { return !queue.empty(); });
                local.swap(queue);  // drain the whole queue under one lock
            }
            for (long item : local) {
                if (item < 0) {
                    stop = true;
                    break;
                }
                keep(item);
                ++handled;
            }
            local.clear();
            consumed.store(handled, std::memory_order_release);
        }
        end = now_ns();
    });
    pin_to_cpu(0);
    auto push = [&](long item) {
        bool was_empty;
        {
            std::lock_guard guard(lock);
            was_empty = queue.empty();
            queue.push_back(item);
        }
        if (was_empty) nonempty.notify_one();  // only on empty -> non-empty
    };
    const double start = now_ns();
    const long posted = produce(min_ns, start, consumed, push);
    push(-1);
    consumer.join();
    return (end - start) / static_cast<double>(posted);
}

double asio_post_same_thread(double min_ns) {
    asio::io_context context(1);
    long handled = 0;
    constexpr int kPosts = 4096;
    const double per_batch = time_loop(min_ns, [&] {
        for (int i = 0; i < kPosts; ++i) asio::post(context, [&handled] { ++handled; });
        context.run();
        context.restart();
    }, 1);
    keep(handled);
    return per_batch / kPosts;
}

double asio_post_cross_thread(double min_ns) {
    asio::io_context context;
    auto work = asio::make_work_guard(context);
    alignas(64) std::atomic<long> consumed{0};
    long handled = 0;  // consumer only
    double end = 0;
    std::thread consumer([&] {
        pin_to_cpu(1);
        context.run();
    });
    pin_to_cpu(0);
    const double start = now_ns();
    const long posted = produce(min_ns, start, consumed, [&](long) {
        asio::post(context, [&] { consumed.store(++handled, std::memory_order_release); });
    });
    asio::post(context, [&] { end = now_ns(); });
    work.reset();
    consumer.join();
    return (end - start) / static_cast<double>(posted);
}

}  // namespace ntio::bench
