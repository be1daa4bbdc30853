// raw_uring(QD, direct) and nop_b1/nop_b64: the io_uring baselines of performance-gates.md. A raw
// io_uring random-read loop over the same backing file the uring_disk gates read through ntio, and
// the NOP round trip that prices one io_uring_enter.
#pragma once

#include <string>

namespace ntio::bench {

// Whether this process may set up a ring with SINGLE_ISSUER | DEFER_TASKRUN (kernel >= 6.1, no
// seccomp filter refusing io_uring); `why` gets the reason when not.
bool io_uring_available(std::string* why);

// A file of `bytes` random data at `path` (created once; reused when it already has that size).
void make_random_file(const char* path, unsigned long long bytes);

// The file every io_uring gate and baseline reads: $NTIO_BENCH_DIR/ntio_gates_uring.dat (1 GiB).
std::string bench_file_path();
constexpr unsigned long long kBenchFileBytes = 1ull << 30;

// Process CPU time (user + system), ns.
double process_cpu_ns();

// The raw loop: QD 4 KiB reads in flight at random 4 KiB-aligned offsets (xorshift64), then
// io_uring_submit_and_wait(1) and one new read per reaped CQE. Buffered files are read once in
// full at construction (the page cache warmed once per gate, not per phase).
class RawUring {
public:
    RawUring(const std::string& path, unsigned long long bytes, bool direct);
    ~RawUring();
    RawUring(const RawUring&) = delete;
    RawUring& operator=(const RawUring&) = delete;
    // ns per read at depth `qd`; cpu_ns_per_io() then gives the process CPU time per read.
    double run(int qd, double min_ns);
    double cpu_ns_per_io() const { return m_cpu_per_io; }
    int fd() const { return m_fd; }
    unsigned long long bytes() const { return m_bytes; }

private:
    int m_fd = -1;
    unsigned long long m_bytes;
    double m_cpu_per_io = 0;
};

// ns per NOP: queue `batch` NOP SQEs, io_uring_submit_and_wait(batch), walk and advance the CQEs.
double uring_nop(int batch, double min_ns);

}  // namespace ntio::bench
