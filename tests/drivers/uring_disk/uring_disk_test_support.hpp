// Helpers of the uring_disk tests: a scratch backing file on the build's file system (O_DIRECT
// needs a real one), the probe that skips a test when io_uring is refused, and loading the driver
// over a file with given Parameters.
#pragma once

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <string>
#include <vector>

#include "driver_test_support.hpp"

#include <ntio/ntio_uring.h>

namespace ntio::test::drivers::uring {

inline constexpr char kService[] = "uring_disk";
inline constexpr char kImage[] = "uring_disk.sys";
inline const std::u16string kDeviceName = u"\\Device\\UringDisk0";
// The disk most tests use, and the length of one read or write.
inline constexpr ULONGLONG kDiskSize = 1024 * 1024;
inline constexpr ULONG kLength = 4096;

// A fresh path under the build directory; the file is removed with the object.
class ScratchFile {
public:
    ScratchFile() {
        const std::string templ = drivers_dir_path("uring_disk_test_XXXXXX");
        std::vector<char> buffer(templ.begin(), templ.end());
        buffer.push_back('\0');
        const int fd = mkstemp(buffer.data());
        EXPECT_GE(fd, 0);
        if (fd >= 0) close(fd);
        m_path = buffer.data();
        unlink(m_path.c_str());  // the driver creates it
    }
    ~ScratchFile() { unlink(m_path.c_str()); }
    const std::string& path() const { return m_path; }

    std::vector<unsigned char> read_host(off_t offset, std::size_t length) const {
        std::vector<unsigned char> data(length);
        const int fd = open(m_path.c_str(), O_RDONLY | O_CLOEXEC);
        EXPECT_GE(fd, 0);
        if (fd < 0) return {};
        EXPECT_EQ(pread(fd, data.data(), length, offset), static_cast<ssize_t>(length));
        close(fd);
        return data;
    }
    void write_host(off_t offset, const std::vector<unsigned char>& data) const {
        const int fd = open(m_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
        ASSERT_GE(fd, 0);
        EXPECT_EQ(pwrite(fd, data.data(), data.size(), offset), static_cast<ssize_t>(data.size()));
        close(fd);
    }

private:
    std::string m_path;
};

inline VOID ignore_completion(PVOID, NTSTATUS, ULONG_PTR, PVOID) {}

// Whether this kernel lets the process set up an io_uring (a probe ring over a scratch file).
inline bool uring_available() {
    ScratchFile file;
    std::u16string path = u16(file.path());
    UNICODE_STRING name = unicode(path);
    NTIO_URING_PARAMETERS p{};
    p.HostPath = &name;
    p.Size = 4096;
    p.Flags = NTIO_URING_CREATE;
    p.QueueDepth = 1;
    p.CompletionRoutine = ignore_completion;
    PNTIO_URING ring = nullptr;
    const NTSTATUS status = NtioUringOpen(&p, &ring, nullptr);
    if (NT_SUCCESS(status)) NtioUringClose(ring);
    return status != STATUS_NOT_SUPPORTED;
}

#define SKIP_WITHOUT_IO_URING()                                                           \
    do {                                                                                  \
        if (!::ntio::test::drivers::uring::uring_available())                              \
            GTEST_SKIP() << "io_uring is unavailable here (kernel or seccomp): skipped";   \
    } while (0)

inline std::vector<Value> disk_parameters(const ScratchFile& file, ULONGLONG size, bool direct = false,
                                          ULONG queue_depth = 64) {
    return {{"FileName", file.path()}, {"DiskSize", size}, {"Direct", ULONG{direct ? 1u : 0u}},
            {"QueueDepth", queue_depth}};
}

inline std::vector<unsigned char> pattern(std::size_t length, unsigned seed) {
    std::vector<unsigned char> data(length);
    for (std::size_t i = 0; i < length; ++i) data[i] = static_cast<unsigned char>((i * 31 + seed * 7 + (i >> 9)) & 0xFF);
    return data;
}

// A sector-aligned heap buffer for O_DIRECT transfers.
struct AlignedBuffer {
    explicit AlignedBuffer(std::size_t length) : size(length) {
        data = static_cast<unsigned char*>(std::aligned_alloc(4096, (length + 4095) / 4096 * 4096));
    }
    ~AlignedBuffer() { std::free(data); }
    AlignedBuffer(const AlignedBuffer&) = delete;
    AlignedBuffer& operator=(const AlignedBuffer&) = delete;
    unsigned char* data;
    std::size_t size;
};

}  // namespace ntio::test::drivers::uring
