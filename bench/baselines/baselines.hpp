// Baselines of performance-gates.md section 3, compiled into the same binary as the gates: an
// uncontended mutex, cross-core ping-pong over a futex auto-reset event and over spinning flags,
// the four-level virtual call chain and the lean IRP model.
#pragma once

namespace ntio::bench {

double mutex_lock_unlock(double min_ns);   // ns per lock+unlock
double futex_pingpong(double min_ns);      // ns per round trip, threads on cpus 0 and 1
double spin_pingpong(double min_ns);       // ns per round trip, threads on cpus 0 and 1
double vchain4(double min_ns);             // ns per 4-level virtual dispatch + completion chain
// ns per IRP round trip of the lean IRP model with `filters` pass-through filters (0..3).
double lean_irp(int filters, bool interlocked, double min_ns);

}  // namespace ntio::bench
