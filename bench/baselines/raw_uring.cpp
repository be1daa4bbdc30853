// raw_uring: QD 4 KiB reads in flight at random 4 KiB-aligned offsets (xorshift64), then
// io_uring_submit_and_wait(1) and one new read per reaped CQE. Ring flags SINGLE_ISSUER |
// DEFER_TASKRUN as performance-gates.md section 3 defines the baseline.
#include "baselines/raw_uring.hpp"

#include <fcntl.h>
#include <liburing.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "drivers/file_stack.hpp"
#include "harness/gate_runner.hpp"

namespace ntio::bench {

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

double raw_uring(const char* path, unsigned long long bytes, int qd, bool direct, double min_ns) {
    constexpr unsigned kLength = 4096;
    const int fd = open(path, O_RDONLY | O_CLOEXEC | (direct ? O_DIRECT : 0));
    require(fd >= 0, "opening the raw_uring file");
    if (!direct) {  // warm the page cache
        std::vector<char> b(1 << 20);
        for (off_t off = 0; pread(fd, b.data(), b.size(), off) > 0; off += static_cast<off_t>(b.size())) {
        }
    }
    io_uring ring;
    require(io_uring_queue_init(256, &ring, IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN) == 0,
            "io_uring_queue_init");
    char* buffers = static_cast<char*>(std::aligned_alloc(4096, static_cast<std::size_t>(qd) * kLength));
    std::uint64_t x = 88172645463325252ull;
    const std::uint64_t blocks = bytes / kLength;
    auto arm = [&](int slot) {
        x ^= x << 13; x ^= x >> 7; x ^= x << 17;
        io_uring_sqe* sqe = io_uring_get_sqe(&ring);
        io_uring_prep_read(sqe, fd, buffers + static_cast<std::size_t>(slot) * kLength, kLength, (x % blocks) * kLength);
        io_uring_sqe_set_data64(sqe, static_cast<std::uint64_t>(slot));
    };
    for (int i = 0; i < qd; ++i) arm(i);
    long done = 0;
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
    close(fd);
    return elapsed / static_cast<double>(done);
}

}  // namespace ntio::bench
