// The file-disk stack of gates B2 and C2-C5: uring_disk.sys over the bench file as
// \Device\UringDisk<N>, three passthrough.sys filters on it, an asynchronous handle to the top bound
// to a completion port, and the application loop that keeps QD random 4 KiB reads in flight and
// re-issues one read per dequeued packet.
#pragma once

#include <cstdint>
#include <string>

#include <wdm.h>

#include <ntio/ntapi.h>

namespace ntio::bench {

// Why the io_uring gates cannot run here ("" when they can); creates the bench file when missing.
std::string uring_unusable();

class UringStack {
public:
    // Loads the drivers (the bench file must exist: make_random_file) and opens the top device.
    UringStack(ULONG disk_number, bool direct, int queue_depth);
    ~UringStack();
    UringStack(const UringStack&) = delete;
    UringStack& operator=(const UringStack&) = delete;

    // Keeps queue_depth reads in flight for at least min_ns (blocking NtRemoveIoCompletionEx(64));
    // returns ns per completed read. The counters below describe the last phase.
    double phase(double min_ns);
    double cpu_ns_per_io() const { return m_cpu_per_io; }      // process user + system time
    double dequeues_per_io() const { return m_dequeues_per_io; }
    long completed() const { return m_completed; }

private:
    static constexpr int kFilters = 3;
    static constexpr ULONG kMaxDepth = 64;
    void issue(ULONG_PTR slot);
    ULONG take();

    PDRIVER_OBJECT m_disk = nullptr;
    PDRIVER_OBJECT m_filters[kFilters] = {};
    HANDLE m_file = nullptr;
    HANDLE m_port = nullptr;
    int m_depth;
    char* m_buffers = nullptr;
    std::uint64_t m_rng = 88172645463325252ull;
    IO_STATUS_BLOCK m_iosb[kMaxDepth];
    FILE_IO_COMPLETION_INFORMATION m_entries[kMaxDepth];
    double m_cpu_per_io = 0, m_dequeues_per_io = 0;
    long m_completed = 0;
};

}  // namespace ntio::bench
