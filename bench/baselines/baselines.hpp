// Baselines of performance-gates.md section 3, compiled into the same binary as the gates: an
// uncontended mutex, cross-core ping-pong over a futex auto-reset event and over spinning flags,
// the four-level virtual call chain, the lean IRP model, one system call, and the queues (mq_cv,
// asio_post) the completion-port gates compare with.
#pragma once

#include <string>
#include <vector>

#include "harness/gate_runner.hpp"

namespace ntio::bench {

double mutex_lock_unlock(double min_ns);   // ns per lock+unlock
double futex_pingpong(double min_ns);      // ns per round trip, threads on cpus 0 and 1
double spin_pingpong(double min_ns);       // ns per round trip, threads on cpus 0 and 1
double vchain4(double min_ns);             // ns per 4-level virtual dispatch + completion chain
// ns per IRP round trip of the lean IRP model with `filters` pass-through filters (0..3).
double lean_irp(int filters, bool interlocked, double min_ns);
// ns per 4 KiB random read of the lean model over an io_uring bottom driver (plain variant) at
// depth `qd` on the open file `fd` of `bytes` bytes.
double lean_irp_uring(int filters, int fd, unsigned long long bytes, int qd, double min_ns);

// Items a cross-thread queue phase lets the producer run ahead of the consumer.
constexpr long kMaxInFlight = 4096;

double syscall_getppid(double min_ns);         // ns per syscall(SYS_getppid), loops of 1024
double mq_cv(double min_ns);                   // ns per item, deque + mutex + condvar, cpu 0 -> cpu 1
double asio_post_same_thread(double min_ns);   // ns per handler: post 4096, run() on the same thread
double asio_post_cross_thread(double min_ns);  // ns per item: post from cpu 0 to run() on cpu 1

// One row of the baselines table printed before the gates: the median and spread of `pairs`
// samples of min_seconds each, and the spec's reference figure on its reference machine.
struct BaselineResult {
    std::string name;
    std::string what;
    std::string unit = "ns";
    double median = 0, min = 0, max = 0;
    std::string reference;  // performance-gates.md section 1 / 3
    std::string skipped;    // non-empty: not measured, and why
};

// Measures every baseline of performance-gates.md section 3 (those `selected` names; all when it
// is empty). The io_uring ones report `skipped` when io_uring is unavailable.
std::vector<BaselineResult> measure_baselines(const GateOptions& options, const std::vector<std::string>& selected);

}  // namespace ntio::bench
