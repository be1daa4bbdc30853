// The uring disk's cached fast path, through the Nt services: a read whose data the host's page
// cache holds completes in the driver's dispatch routine (NtReadFile returns STATUS_SUCCESS on an
// asynchronous handle, with the IOSB, the event and the data already there) when it is the first
// request the thread issues after a wait and the thread has nothing in its ring; a read of data
// that is not resident, a read issued behind others before the thread waits, and every read of an
// O_DIRECT disk pend and complete from the ring. The counters are libntio's (<ntio/ntio_uring.h>).
#include <fcntl.h>
#include <unistd.h>

#include <cstring>
#include <vector>

#include "uring_disk_test_support.hpp"

namespace ntio::test::drivers::uring {
namespace {


class UringResidentReadTest : public DriverTest {
protected:
    void load(bool direct = false) {
        m_content = pattern(kDiskSize, 11);
        m_file.write_host(0, m_content);
        ASSERT_EQ(m_driver.load(GetParam(), kService, kImage, disk_parameters(m_file, kDiskSize, direct)), STATUS_SUCCESS);
        ASSERT_EQ(open_device(kDeviceName, &m_handle, true), STATUS_SUCCESS);
        ASSERT_EQ(NtCreateEvent(&m_event, EVENT_ALL_ACCESS, nullptr, NotificationEvent, FALSE), STATUS_SUCCESS);
    }
    void TearDown() override {
        if (m_event) {
            EXPECT_EQ(NtClose(m_event), STATUS_SUCCESS);
        }
        if (m_handle) {
            EXPECT_EQ(NtClose(m_handle), STATUS_SUCCESS);
        }
        EXPECT_EQ(m_driver.unload(), STATUS_SUCCESS);
        DriverTest::TearDown();
    }
    NTSTATUS read(void* buffer, LONGLONG offset, IO_STATUS_BLOCK* iosb, HANDLE event) {
        LARGE_INTEGER where;
        where.QuadPart = offset;
        return NtReadFile(m_handle, event, nullptr, nullptr, iosb, buffer, kLength, &where, nullptr);
    }
    bool holds(const void* buffer, LONGLONG offset) const {
        return std::memcmp(buffer, m_content.data() + offset, kLength) == 0;
    }
    // Drops the backing file's pages from the host's page cache (they are clean once synced).
    void evict() const {
        const int fd = open(m_file.path().c_str(), O_RDONLY | O_CLOEXEC);
        ASSERT_GE(fd, 0);
        EXPECT_EQ(fdatasync(fd), 0);
        EXPECT_EQ(posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED), 0);
        close(fd);
    }
    static NTIO_URING_STATISTICS counters() {
        NTIO_URING_STATISTICS s{};
        NtioUringQueryStatistics(nullptr, &s);
        return s;
    }

    ScratchFile m_file;
    Driver m_driver;
    std::vector<unsigned char> m_content;
    HANDLE m_handle = nullptr;
    HANDLE m_event = nullptr;
};

TEST_P(UringResidentReadTest, ResidentReadCompletesInDispatchWithEventAndData)
{
    SKIP_WITHOUT_IO_URING();
    load();
    std::vector<unsigned char> buffer(kLength);
    const NTIO_URING_STATISTICS before = counters();
    IO_STATUS_BLOCK iosb{};
    iosb.Status = STATUS_ALERTED;
    ASSERT_EQ(read(buffer.data(), 8 * kLength, &iosb, m_event), STATUS_SUCCESS);
    // Everything is in place when NtReadFile returns: no wait needed.
    EXPECT_EQ(iosb.Status, STATUS_SUCCESS);
    EXPECT_EQ(iosb.Information, kLength);
    EXPECT_TRUE(holds(buffer.data(), 8 * kLength));
    LARGE_INTEGER zero{};
    EXPECT_EQ(NtWaitForSingleObject(m_event, FALSE, &zero), STATUS_SUCCESS);
    const NTIO_URING_STATISTICS after = counters();
    EXPECT_EQ(after.ResidentReads - before.ResidentReads, 1u);
    EXPECT_EQ(after.Completions - before.Completions, 0u);
}

// A thread that issues several requests before it waits has them batched in its ring: only the
// first after a wait takes the fast path.
TEST_P(UringResidentReadTest, ReadsIssuedBeforeTheThreadWaitsPendInItsRing)
{
    SKIP_WITHOUT_IO_URING();
    load();
    constexpr int kReads = 4;
    std::vector<unsigned char> buffers(kReads * kLength);
    std::vector<IO_STATUS_BLOCK> iosbs(kReads);
    std::vector<HANDLE> events(kReads);
    for (HANDLE& e : events) ASSERT_EQ(NtCreateEvent(&e, EVENT_ALL_ACCESS, nullptr, NotificationEvent, FALSE), STATUS_SUCCESS);
    for (int round = 0; round < 3; ++round) {
        const NTIO_URING_STATISTICS before = counters();
        for (int i = 0; i < kReads; ++i) {
            const NTSTATUS status = read(buffers.data() + i * kLength, (round * kReads + i) * kLength, &iosbs[i], events[i]);
            EXPECT_EQ(status, i == 0 ? STATUS_SUCCESS : STATUS_PENDING) << "round " << round << " read " << i;
        }
        for (int i = 0; i < kReads; ++i) {
            ASSERT_EQ(NtWaitForSingleObject(events[i], FALSE, nullptr), STATUS_SUCCESS);
            EXPECT_EQ(iosbs[i].Status, STATUS_SUCCESS);
            EXPECT_EQ(iosbs[i].Information, kLength);
            EXPECT_TRUE(holds(buffers.data() + i * kLength, (round * kReads + i) * kLength));
        }
        const NTIO_URING_STATISTICS after = counters();
        EXPECT_EQ(after.ResidentReads - before.ResidentReads, 1u);
        EXPECT_EQ(after.Completions - before.Completions, static_cast<ULONGLONG>(kReads - 1));
    }
    for (HANDLE e : events) EXPECT_EQ(NtClose(e), STATUS_SUCCESS);
}

// A read issued behind the thread's own write, before the thread waits, is not served ahead of it.
TEST_P(UringResidentReadTest, ReadBehindAQueuedWritePends)
{
    SKIP_WITHOUT_IO_URING();
    load();
    const std::vector<unsigned char> data = pattern(kLength, 12);
    HANDLE write_event = nullptr;
    ASSERT_EQ(NtCreateEvent(&write_event, EVENT_ALL_ACCESS, nullptr, NotificationEvent, FALSE), STATUS_SUCCESS);
    IO_STATUS_BLOCK write_iosb{};
    LARGE_INTEGER where;
    where.QuadPart = 3 * kLength;
    ASSERT_EQ(NtWriteFile(m_handle, write_event, nullptr, nullptr, &write_iosb, const_cast<unsigned char*>(data.data()),
                          kLength, &where, nullptr),
              STATUS_PENDING);
    std::vector<unsigned char> buffer(kLength);
    IO_STATUS_BLOCK iosb{};
    EXPECT_EQ(read(buffer.data(), 5 * kLength, &iosb, m_event), STATUS_PENDING);
    ASSERT_EQ(NtWaitForSingleObject(write_event, FALSE, nullptr), STATUS_SUCCESS);
    ASSERT_EQ(NtWaitForSingleObject(m_event, FALSE, nullptr), STATUS_SUCCESS);
    EXPECT_EQ(write_iosb.Status, STATUS_SUCCESS);
    EXPECT_EQ(iosb.Status, STATUS_SUCCESS);
    EXPECT_TRUE(holds(buffer.data(), 5 * kLength));
    // After the wait the written data is resident, and read at once.
    EXPECT_EQ(NtResetEvent(m_event, nullptr), STATUS_SUCCESS);
    ASSERT_EQ(read(buffer.data(), 3 * kLength, &iosb, m_event), STATUS_SUCCESS);
    EXPECT_EQ(buffer, data);
    EXPECT_EQ(NtClose(write_event), STATUS_SUCCESS);
}

// Data dropped from the page cache: the fast path's read finds it missing and the request pends in
// the ring, unless the read-ahead that the attempt itself starts has already finished (a fast
// device can finish it inside the call). Invariant: the status and the counters agree on which
// path served each read, and every read returns its data.
TEST_P(UringResidentReadTest, ReadOfEvictedDataIsServedByExactlyOnePathWithItsData)
{
    SKIP_WITHOUT_IO_URING();
    load();
    int pended = 0;
    for (int i = 0; i < 8; ++i) {
        evict();
        const LONGLONG offset = (100 + 16 * i) * kLength;
        std::vector<unsigned char> buffer(kLength);
        const NTIO_URING_STATISTICS before = counters();
        IO_STATUS_BLOCK iosb{};
        const NTSTATUS status = read(buffer.data(), offset, &iosb, m_event);
        ASSERT_TRUE(status == STATUS_PENDING || status == STATUS_SUCCESS) << std::hex << status;
        ASSERT_EQ(NtWaitForSingleObject(m_event, FALSE, nullptr), STATUS_SUCCESS);
        EXPECT_EQ(iosb.Status, STATUS_SUCCESS);
        EXPECT_EQ(iosb.Information, kLength);
        EXPECT_TRUE(holds(buffer.data(), offset));
        const NTIO_URING_STATISTICS after = counters();
        EXPECT_EQ(after.ResidentReadCalls - before.ResidentReadCalls, 1u);  // always tried first
        EXPECT_EQ(after.ResidentReads - before.ResidentReads, status == STATUS_SUCCESS ? 1u : 0u);
        EXPECT_EQ(after.Completions - before.Completions, status == STATUS_PENDING ? 1u : 0u);
        pended += status == STATUS_PENDING;
    }
    RecordProperty("pended", pended);
}

TEST_P(UringResidentReadTest, DirectDiskReadsAlwaysPend)
{
    SKIP_WITHOUT_IO_URING();
    load(true);
    AlignedBuffer buffer(kLength);
    const NTIO_URING_STATISTICS before = counters();
    for (int i = 0; i < 4; ++i) {
        IO_STATUS_BLOCK iosb{};
        ASSERT_EQ(read(buffer.data, i * kLength, &iosb, m_event), STATUS_PENDING);
        ASSERT_EQ(NtWaitForSingleObject(m_event, FALSE, nullptr), STATUS_SUCCESS);
        EXPECT_EQ(iosb.Status, STATUS_SUCCESS);
        EXPECT_TRUE(holds(buffer.data, i * kLength));
    }
    EXPECT_EQ(counters().ResidentReadCalls - before.ResidentReadCalls, 0u);
}

INSTANTIATE_TEST_SUITE_P(LoadPaths, UringResidentReadTest, ::testing::Values(LoadPath::registry, LoadPath::direct),
                         load_path_name);

}  // namespace
}  // namespace ntio::test::drivers::uring
