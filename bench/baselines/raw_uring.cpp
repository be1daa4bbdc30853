// raw_uring: QD 4 KiB reads in flight at random 4 KiB-aligned offsets (xorshift64), then
// io_uring_submit_and_wait(1) and one new read per reaped CQE; and the NOP round trip. Ring flags
// SINGLE_ISSUER | DEFER_TASKRUN as performance-gates.md section 3 defines the baselines.
#include "baselines/raw_uring.hpp"

#include <fcntl.h>
#include <liburing.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "drivers/file_stack.hpp"
#include "harness/gate_runner.hpp"

namespace ntio::bench {

namespace {
constexpr unsigned kRingFlags = IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN;
}

bool io_uring_available(std::string* why) {
    io_uring ring;
    const int error = io_uring_queue_init(8, &ring, kRingFlags);
    if (error != 0) {
        if (why) *why = std::string("io_uring unavailable: io_uring_queue_init: ") + std::strerror(-error);
        return false;
    }
    io_uring_queue_exit(&ring);
    return true;
}

std::string bench_file_path() {
    const char* dir = std::getenv("NTIO_BENCH_DIR");
    return std::string(dir ? dir : "/tmp") + "/ntio_gates_uring.dat";
}

double process_cpu_ns() {
    rusage usage;
    getrusage(RUSAGE_SELF, &usage);
    return (static_cast<double>(usage.ru_utime.tv_sec) + static_cast<double>(usage.ru_stime.tv_sec)) * 1e9 +
           (static_cast<double>(usage.ru_utime.tv_usec) + static_cast<double>(usage.ru_stime.tv_usec)) * 1e3;
}

void make_random_file(const char* path, unsigned long long bytes) {
    struct stat st {};
    if (stat(path, &st) == 0 && static_cast<unsigned long long>(st.st_size) == bytes) return;
    const int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    require(fd >= 0, "creating the raw_uring file");
    std::vector<std::uint64_t> chunk(1 << 17);
    std::uint64_t x = 0x9E3779B97F4A7C15ull;
    for (unsigned long long done = 0; done < bytes; done += chunk.size() * 8) {
        for (auto& v : chunk) {
            x ^= x << 13; x ^= x >> 7; x ^= x << 17;
            v = x;
        }
        require(write(fd, chunk.data(), chunk.size() * 8) == static_cast<ssize_t>(chunk.size() * 8), "writing");
    }
    fsync(fd);
    close(fd);
}

RawUring::RawUring(const std::string& path, unsigned long long bytes, bool direct) : m_bytes(bytes) {
    m_fd = open(path.c_str(), O_RDONLY | O_CLOEXEC | (direct ? O_DIRECT : 0));
    require(m_fd >= 0, "opening the raw_uring file");
    if (!direct) {  // warm the page cache: read the whole file
        std::vector<char> b(1 << 20);
        for (off_t off = 0; pread(m_fd, b.data(), b.size(), off) > 0; off += static_cast<off_t>(b.size())) {
        }
    }
}

RawUring::~RawUring() { close(m_fd); }

double RawUring::run(int qd, double min_ns) {
    constexpr unsigned kLength = 4096;
    io_uring ring;
    require(io_uring_queue_init(256, &ring, kRingFlags) == 0, "io_uring_queue_init");
    char* buffers = static_cast<char*>(std::aligned_alloc(4096, static_cast<std::size_t>(qd) * kLength));
    std::uint64_t x = 88172645463325252ull;
    const std::uint64_t blocks = m_bytes / kLength;
    auto arm = [&](int slot) {
        x ^= x << 13; x ^= x >> 7; x ^= x << 17;
        io_uring_sqe* sqe = io_uring_get_sqe(&ring);
        io_uring_prep_read(sqe, m_fd, buffers + static_cast<std::size_t>(slot) * kLength, kLength, (x % blocks) * kLength);
        io_uring_sqe_set_data64(sqe, static_cast<std::uint64_t>(slot));
    };
    for (int i = 0; i < qd; ++i) arm(i);
    long done = 0;
    const double cpu_start = process_cpu_ns();
    const double start = now_ns();
    double elapsed = 0;
    do {
        io_uring_submit_and_wait(&ring, 1);
        io_uring_cqe* cqe;
        unsigned head, n = 0;
        io_uring_for_each_cqe(&ring, head, cqe) {
            if (cqe->res != static_cast<int>(kLength)) require(false, "raw_uring read failed", cqe->res);
            arm(static_cast<int>(cqe->user_data));
            ++n;
        }
        io_uring_cq_advance(&ring, n);
        done += n;
        elapsed = now_ns() - start;
    } while (elapsed < min_ns);
    m_cpu_per_io = (process_cpu_ns() - cpu_start) / static_cast<double>(done);
    // Drain what is still in flight before the ring goes.
    for (int left = qd; left > 0;) {
        io_uring_submit_and_wait(&ring, 1);
        io_uring_cqe* cqe;
        unsigned head, n = 0;
        io_uring_for_each_cqe(&ring, head, cqe) ++n;
        io_uring_cq_advance(&ring, n);
        left -= static_cast<int>(n);
    }
    io_uring_queue_exit(&ring);
    std::free(buffers);
    return elapsed / static_cast<double>(done);
}

double uring_nop(int batch, double min_ns) {
    io_uring ring;
    require(io_uring_queue_init(256, &ring, kRingFlags) == 0, "io_uring_queue_init");
    unsigned long seen = 0;
    const double per_batch = time_loop(min_ns, [&] {
        for (int i = 0; i < batch; ++i) io_uring_prep_nop(io_uring_get_sqe(&ring));
        io_uring_submit_and_wait(&ring, static_cast<unsigned>(batch));
        io_uring_cqe* cqe;
        unsigned head, n = 0;
        io_uring_for_each_cqe(&ring, head, cqe) {
            seen += static_cast<unsigned long>(cqe->res == 0);
            ++n;
        }
        io_uring_cq_advance(&ring, n);
    }, 16);
    keep(seen);
    io_uring_queue_exit(&ring);
    return per_batch / batch;
}

}  // namespace ntio::bench
