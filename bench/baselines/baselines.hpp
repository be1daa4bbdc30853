// Baselines of performance-gates.md section 3 that the ke/ob gates compare against, compiled into
// the same binary: an uncontended mutex, and cross-core ping-pong over a futex auto-reset event
// and over spinning flags.
#pragma once

namespace ntio::bench {

double mutex_lock_unlock(double min_ns);   // ns per lock+unlock
double futex_pingpong(double min_ns);      // ns per round trip, threads on cpus 0 and 1
double spin_pingpong(double min_ns);       // ns per round trip, threads on cpus 0 and 1

}  // namespace ntio::bench
