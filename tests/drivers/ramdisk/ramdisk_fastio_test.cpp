// ramdisk.sys's fast I/O path through the Nt surface, loaded through the registry and directly:
// synchronous opens read and write through FastIoRead / FastIoWrite (trace.sys, attached over the
// disk, marks its records of those calls FastIo with no IRP), asynchronous opens and every request
// the fast path declines take the IRP path with the statuses they always had, bad buffers fail with
// STATUS_ACCESS_VIOLATION, and the synchronous file position advances (NT facts E10, E12, I3, I4).
#include <sys/mman.h>
#include <unistd.h>

#include <vector>

#include "filter_test_support.hpp"

#include "ntio_trace.h"

namespace ntio::test::drivers {
namespace {

constexpr ULONG kFastIoDiskSize = 1024 * 1024;

std::vector<char> fastio_pattern(std::size_t size, char seed) {
    std::vector<char> data(size);
    for (std::size_t i = 0; i < size; ++i) data[i] = static_cast<char>(seed + i * 13);
    return data;
}

// Pages with the given protection, unmapped at the end.
class Pages {
public:
    Pages(std::size_t size, int protection) : m_size(size) {
        m_base = mmap(nullptr, size, protection, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        EXPECT_NE(m_base, MAP_FAILED);
    }
    ~Pages() { munmap(m_base, m_size); }
    Pages(const Pages&) = delete;
    Pages& operator=(const Pages&) = delete;
    void* get() const { return m_base; }

private:
    void* m_base;
    std::size_t m_size;
};

class RamdiskFastIoTest : public DriverTest {
protected:
    // The disk with trace.sys over it, and a handle (synchronous unless `overlapped`).
    void load(bool overlapped = false, std::vector<Value> parameters = {{"DiskSize", ULONG{kFastIoDiskSize}}}) {
        ASSERT_EQ(m_disk.load(GetParam(), "Ramdisk", "ramdisk.sys", parameters), STATUS_SUCCESS);
        ASSERT_EQ(m_trace.load(GetParam(), "Trace", "trace.sys", {{"AttachTo", std::string("\\Device\\Ramdisk0")}}),
                  STATUS_SUCCESS);
        clear_trace();
        ASSERT_EQ(open_device(u"\\Device\\Ramdisk0", &m_handle, overlapped), STATUS_SUCCESS);
    }
    // The disk's own device (below the trace filter), referenced.
    static PDEVICE_OBJECT disk_device() {
        std::u16string name16 = u"\\Device\\Ramdisk0";
        UNICODE_STRING name = unicode(name16);
        PFILE_OBJECT file = nullptr;
        PDEVICE_OBJECT top = nullptr;
        EXPECT_EQ(IoGetDeviceObjectPointer(&name, FILE_READ_ATTRIBUTES, &file, &top), STATUS_SUCCESS);
        PDEVICE_OBJECT disk = IoGetDeviceAttachmentBaseRef(top);
        ObDereferenceObject(file);
        return disk;
    }
    void TearDown() override {
        if (m_handle) {
            EXPECT_EQ(NtClose(m_handle), STATUS_SUCCESS);
        }
        EXPECT_EQ(m_trace.unload(), STATUS_SUCCESS);
        EXPECT_EQ(m_disk.unload(), STATUS_SUCCESS);
        DriverTest::TearDown();
    }
    HANDLE m_handle = nullptr;
    Driver m_disk;
    Driver m_trace;
};

void expect_fast(const NTIO_TRACE_RECORD& r, UCHAR major, LONGLONG offset, ULONG length) {
    EXPECT_EQ(r.FastIo, 1);
    EXPECT_EQ(r.Irp, 0u);
    EXPECT_EQ(r.MajorFunction, major);
    EXPECT_EQ(r.Status, STATUS_SUCCESS);
    EXPECT_EQ(r.Information, length);
    EXPECT_EQ(r.Length, length);
    EXPECT_EQ(r.ByteOffset, offset);
}

void expect_irp(const NTIO_TRACE_RECORD& r, UCHAR major, NTSTATUS status) {
    EXPECT_EQ(r.FastIo, 0);
    EXPECT_NE(r.Irp, 0u);
    EXPECT_EQ(r.MajorFunction, major);
    EXPECT_EQ(r.Status, status);
}

// NT fact E12: on a synchronous open the disk asks for fast I/O at create, and the I/O manager's
// FastIoRead / FastIoWrite calls do the transfer without an IRP: IOSB {SUCCESS, length}, the data
// in place, the idle file still signalled.
TEST_P(RamdiskFastIoTest, synchronous_reads_and_writes_move_the_data_without_an_irp)
{
    load();
    const std::vector<char> data = fastio_pattern(8192, 'a');
    IO_STATUS_BLOCK iosb{{static_cast<NTSTATUS>(0xdeadbeef)}, 0x5555};
    ASSERT_EQ(write_at(m_handle, data.data(), 8192, 4096, &iosb), STATUS_SUCCESS);
    EXPECT_EQ(iosb.Status, STATUS_SUCCESS);
    EXPECT_EQ(iosb.Information, 8192u);
    std::vector<char> back(16384, 'x');
    iosb = {{static_cast<NTSTATUS>(0xdeadbeef)}, 0x5555};
    ASSERT_EQ(read_at(m_handle, back.data(), 16384, 0, &iosb), STATUS_SUCCESS);
    EXPECT_EQ(iosb.Status, STATUS_SUCCESS);
    EXPECT_EQ(iosb.Information, 16384u);
    EXPECT_EQ(std::vector<char>(back.begin(), back.begin() + 4096), std::vector<char>(4096, 0));
    EXPECT_EQ(std::vector<char>(back.begin() + 4096, back.begin() + 12288), data);
    EXPECT_EQ(std::vector<char>(back.begin() + 12288, back.end()), std::vector<char>(4096, 0));
    EXPECT_EQ(NtWaitForSingleObject(m_handle, FALSE, nullptr), STATUS_SUCCESS);  // NT fact H1

    const std::vector<NTIO_TRACE_RECORD> records = trace_transfers();
    ASSERT_EQ(records.size(), 2u);
    expect_fast(records[0], IRP_MJ_WRITE, 4096, 8192);
    expect_fast(records[1], IRP_MJ_READ, 0, 16384);
}

// NT fact E10: fast I/O is for synchronous file objects only; an overlapped open gets IRPs.
TEST_P(RamdiskFastIoTest, asynchronous_opens_take_the_irp_path)
{
    load(true);
    HANDLE event = nullptr;
    ASSERT_EQ(NtCreateEvent(&event, EVENT_ALL_ACCESS, nullptr, NotificationEvent, FALSE), STATUS_SUCCESS);
    const std::vector<char> data = fastio_pattern(4096, 'o');
    IO_STATUS_BLOCK iosb{};
    LARGE_INTEGER offset;
    offset.QuadPart = 8192;
    NTSTATUS status =
        NtWriteFile(m_handle, event, nullptr, nullptr, &iosb, const_cast<char*>(data.data()), 4096, &offset, nullptr);
    if (status == STATUS_PENDING) status = NtWaitForSingleObject(event, FALSE, nullptr);
    ASSERT_EQ(status, STATUS_SUCCESS);
    EXPECT_EQ(iosb.Information, 4096u);
    ASSERT_EQ(NtClearEvent(event), STATUS_SUCCESS);
    std::vector<char> back(4096);
    status = NtReadFile(m_handle, event, nullptr, nullptr, &iosb, back.data(), 4096, &offset, nullptr);
    if (status == STATUS_PENDING) status = NtWaitForSingleObject(event, FALSE, nullptr);
    ASSERT_EQ(status, STATUS_SUCCESS);
    EXPECT_EQ(iosb.Status, STATUS_SUCCESS);
    EXPECT_EQ(back, data);
    EXPECT_EQ(NtClose(event), STATUS_SUCCESS);

    const std::vector<NTIO_TRACE_RECORD> records = trace_transfers();
    ASSERT_EQ(records.size(), 2u);
    expect_irp(records[0], IRP_MJ_WRITE, STATUS_SUCCESS);
    expect_irp(records[1], IRP_MJ_READ, STATUS_SUCCESS);
    EXPECT_EQ(records[1].Information, 4096u);
}

// What the fast path declines (past the end, off the sector size, zero length) goes to the IRP
// path, which gives the statuses it always gave: errors leave the IOSB alone (NT fact E2), a
// zero-length transfer succeeds with nothing transferred.
TEST_P(RamdiskFastIoTest, requests_the_fast_path_declines_keep_their_irp_statuses)
{
    load();
    std::vector<char> buffer(4096, 'x');
    IO_STATUS_BLOCK iosb{{static_cast<NTSTATUS>(0xdeadbeef)}, 0x5555};
    EXPECT_EQ(read_at(m_handle, buffer.data(), 1024, kFastIoDiskSize - 512, &iosb), STATUS_INVALID_PARAMETER);
    EXPECT_EQ(write_at(m_handle, buffer.data(), 512, kFastIoDiskSize, &iosb), STATUS_INVALID_PARAMETER);
    EXPECT_EQ(read_at(m_handle, buffer.data(), 100, 0, &iosb), STATUS_INVALID_PARAMETER);
    EXPECT_EQ(write_at(m_handle, buffer.data(), 512, 100, &iosb), STATUS_INVALID_PARAMETER);
    EXPECT_EQ(iosb.Status, static_cast<NTSTATUS>(0xdeadbeef));
    EXPECT_EQ(iosb.Information, 0x5555u);
    EXPECT_EQ(buffer[0], 'x');
    EXPECT_EQ(read_at(m_handle, buffer.data(), 0, kFastIoDiskSize, &iosb), STATUS_SUCCESS);
    EXPECT_EQ(iosb.Status, STATUS_SUCCESS);
    EXPECT_EQ(iosb.Information, 0u);
    EXPECT_EQ(write_at(m_handle, buffer.data(), 0, 0, &iosb), STATUS_SUCCESS);
    EXPECT_EQ(iosb.Information, 0u);

    const std::vector<NTIO_TRACE_RECORD> records = trace_transfers();
    ASSERT_EQ(records.size(), 6u);
    for (std::size_t i = 0; i < 4; ++i) {
        SCOPED_TRACE(i);
        expect_irp(records[i], i == 1 || i == 3 ? IRP_MJ_WRITE : IRP_MJ_READ, STATUS_INVALID_PARAMETER);
    }
    expect_irp(records[4], IRP_MJ_READ, STATUS_SUCCESS);
    expect_irp(records[5], IRP_MJ_WRITE, STATUS_SUCCESS);
}

TEST_P(RamdiskFastIoTest, writes_to_a_read_only_disk_stay_write_protected)
{
    load(false, {{"DiskSize", ULONG{kFastIoDiskSize}}, {"ReadOnly", ULONG{1}}});
    std::vector<char> buffer(512, 'w');
    IO_STATUS_BLOCK iosb{};
    EXPECT_EQ(write_at(m_handle, buffer.data(), 512, 0, &iosb), STATUS_MEDIA_WRITE_PROTECTED);
    EXPECT_EQ(read_at(m_handle, buffer.data(), 512, 0, &iosb), STATUS_SUCCESS);
    EXPECT_EQ(buffer, std::vector<char>(512, 0));
    const std::vector<NTIO_TRACE_RECORD> records = trace_transfers();
    ASSERT_EQ(records.size(), 2u);
    expect_irp(records[0], IRP_MJ_WRITE, STATUS_MEDIA_WRITE_PROTECTED);
    expect_fast(records[1], IRP_MJ_READ, 0, 512);
}

// NT fact E11 (a bad buffer fails the probe with STATUS_ACCESS_VIOLATION, IOSB untouched): the
// service's probe runs before fast I/O, so the disk and the IOSB stay as they were.
TEST_P(RamdiskFastIoTest, a_bad_user_buffer_fails_with_access_violation)
{
    load();
    const long page = sysconf(_SC_PAGESIZE);
    Pages none(static_cast<std::size_t>(page), PROT_NONE);
    Pages read_only(static_cast<std::size_t>(page), PROT_READ);
    IO_STATUS_BLOCK iosb{{static_cast<NTSTATUS>(0xdeadbeef)}, 0x5555};
    EXPECT_EQ(read_at(m_handle, read_only.get(), 4096, 0, &iosb), STATUS_ACCESS_VIOLATION);
    EXPECT_EQ(read_at(m_handle, none.get(), 4096, 0, &iosb), STATUS_ACCESS_VIOLATION);
    EXPECT_EQ(write_at(m_handle, none.get(), 4096, 0, &iosb), STATUS_ACCESS_VIOLATION);
    EXPECT_EQ(read_at(m_handle, nullptr, 512, 0, &iosb), STATUS_ACCESS_VIOLATION);
    EXPECT_EQ(iosb.Status, static_cast<NTSTATUS>(0xdeadbeef));
    EXPECT_EQ(iosb.Information, 0x5555u);
    std::vector<char> back(4096, 'x');
    ASSERT_EQ(read_at(m_handle, back.data(), 4096, 0, &iosb), STATUS_SUCCESS);
    EXPECT_EQ(back, std::vector<char>(4096, 0));
}

// The driver's own guard: FastIoRead / FastIoWrite called with a buffer that faults (a kernel-mode
// caller's, which nobody probed) decline the call instead of faulting, and change nothing.
TEST_P(RamdiskFastIoTest, the_fast_routines_decline_a_buffer_that_faults)
{
    load();
    PDEVICE_OBJECT disk = disk_device();
    PFAST_IO_DISPATCH fast = disk->DriverObject->FastIoDispatch;
    ASSERT_NE(fast, nullptr);
    EXPECT_EQ(fast->SizeOfFastIoDispatch, sizeof(FAST_IO_DISPATCH));
    ASSERT_NE(fast->FastIoRead, nullptr);
    ASSERT_NE(fast->FastIoWrite, nullptr);
    PFILE_OBJECT file = nullptr;
    ASSERT_EQ(ObReferenceObjectByHandle(m_handle, 0, *IoFileObjectType, KernelMode, reinterpret_cast<PVOID*>(&file),
                                        nullptr),
              STATUS_SUCCESS);
    EXPECT_EQ(file->PrivateCacheMap, reinterpret_cast<PVOID>(1));

    const long page = sysconf(_SC_PAGESIZE);
    Pages none(static_cast<std::size_t>(page), PROT_NONE);
    IO_STATUS_BLOCK iosb{{static_cast<NTSTATUS>(0xdeadbeef)}, 0x5555};
    LARGE_INTEGER offset;
    offset.QuadPart = 0;
    EXPECT_FALSE(fast->FastIoRead(file, &offset, 4096, TRUE, 0, none.get(), &iosb, disk));
    EXPECT_FALSE(fast->FastIoWrite(file, &offset, 4096, TRUE, 0, none.get(), &iosb, disk));
    EXPECT_EQ(iosb.Status, static_cast<NTSTATUS>(0xdeadbeef));
    // Requests the IRP path would fail are declined too; a good one is done.
    std::vector<char> data = fastio_pattern(512, 'k');
    offset.QuadPart = 100;
    EXPECT_FALSE(fast->FastIoWrite(file, &offset, 512, TRUE, 0, data.data(), &iosb, disk));
    offset.QuadPart = kFastIoDiskSize;
    EXPECT_FALSE(fast->FastIoRead(file, &offset, 512, TRUE, 0, data.data(), &iosb, disk));
    offset.QuadPart = 512;
    EXPECT_FALSE(fast->FastIoRead(file, &offset, 0, TRUE, 0, data.data(), &iosb, disk));
    EXPECT_TRUE(fast->FastIoWrite(file, &offset, 512, TRUE, 0, data.data(), &iosb, disk));
    EXPECT_EQ(iosb.Status, STATUS_SUCCESS);
    EXPECT_EQ(iosb.Information, 512u);
    ObDereferenceObject(file);
    ObDereferenceObject(disk);

    std::vector<char> back(1024, 'x');
    ASSERT_EQ(read_at(m_handle, back.data(), 1024, 0, &iosb), STATUS_SUCCESS);
    EXPECT_EQ(std::vector<char>(back.begin(), back.begin() + 512), std::vector<char>(512, 0));
    EXPECT_EQ(std::vector<char>(back.begin() + 512, back.end()), data);
}

// NT facts E12, H1, H5: NtReadFile / NtWriteFile reset the file object's event only on the way to
// an IRP; a transfer fast I/O accepts leaves it as it was, signalled or not.
TEST_P(RamdiskFastIoTest, fast_transfers_leave_the_file_object_event_as_it_was)
{
    load();
    PVOID object = nullptr;
    ASSERT_EQ(ObReferenceObjectByHandle(m_handle, 0, *IoFileObjectType, KernelMode, &object, nullptr), STATUS_SUCCESS);
    PFILE_OBJECT file = static_cast<PFILE_OBJECT>(object);
    std::vector<char> data = fastio_pattern(4096, 'e');
    IO_STATUS_BLOCK iosb{};

    KeClearEvent(&file->Event);
    ASSERT_EQ(read_at(m_handle, data.data(), 4096, 8192, &iosb), STATUS_SUCCESS);
    EXPECT_EQ(KeReadStateEvent(&file->Event), 0);
    ASSERT_EQ(write_at(m_handle, data.data(), 4096, 8192, &iosb), STATUS_SUCCESS);
    EXPECT_EQ(KeReadStateEvent(&file->Event), 0);

    KeSetEvent(&file->Event, IO_NO_INCREMENT, FALSE);
    ASSERT_EQ(read_at(m_handle, data.data(), 4096, 0, &iosb), STATUS_SUCCESS);
    EXPECT_NE(KeReadStateEvent(&file->Event), 0);
    EXPECT_EQ(NtWaitForSingleObject(m_handle, FALSE, nullptr), STATUS_SUCCESS);

    const std::vector<NTIO_TRACE_RECORD> records = trace_transfers();
    ASSERT_EQ(records.size(), 3u);
    expect_fast(records[0], IRP_MJ_READ, 8192, 4096);
    expect_fast(records[1], IRP_MJ_WRITE, 8192, 4096);
    expect_fast(records[2], IRP_MJ_READ, 0, 4096);
    ObDereferenceObject(file);
}

// NT facts I3, I4: a synchronous request without a ByteOffset uses the file position and moves it
// by the bytes transferred, fast path included.
TEST_P(RamdiskFastIoTest, the_file_position_advances_on_the_fast_path)
{
    load();
    const std::vector<char> data = fastio_pattern(1536, 'p');
    IO_STATUS_BLOCK iosb{};
    ASSERT_EQ(write_at(m_handle, data.data(), 1536, 0, &iosb), STATUS_SUCCESS);
    FILE_POSITION_INFORMATION position{};
    ASSERT_EQ(NtQueryInformationFile(m_handle, &iosb, &position, sizeof(position), FilePositionInformation),
              STATUS_SUCCESS);
    EXPECT_EQ(position.CurrentByteOffset.QuadPart, 1536);
    position.CurrentByteOffset.QuadPart = 0;
    ASSERT_EQ(NtSetInformationFile(m_handle, &iosb, &position, sizeof(position), FilePositionInformation),
              STATUS_SUCCESS);

    std::vector<char> first(512), second(512);
    ASSERT_EQ(NtReadFile(m_handle, nullptr, nullptr, nullptr, &iosb, first.data(), 512, nullptr, nullptr),
              STATUS_SUCCESS);
    ASSERT_EQ(NtReadFile(m_handle, nullptr, nullptr, nullptr, &iosb, second.data(), 512, nullptr, nullptr),
              STATUS_SUCCESS);
    EXPECT_EQ(first, std::vector<char>(data.begin(), data.begin() + 512));
    EXPECT_EQ(second, std::vector<char>(data.begin() + 512, data.begin() + 1024));
    const std::vector<char> more = fastio_pattern(512, 'q');
    ASSERT_EQ(NtWriteFile(m_handle, nullptr, nullptr, nullptr, &iosb, const_cast<char*>(more.data()), 512, nullptr,
                          nullptr),
              STATUS_SUCCESS);
    ASSERT_EQ(NtQueryInformationFile(m_handle, &iosb, &position, sizeof(position), FilePositionInformation),
              STATUS_SUCCESS);
    EXPECT_EQ(position.CurrentByteOffset.QuadPart, 1536);
    // A declined request (off the sector size) moves nothing.
    EXPECT_EQ(NtReadFile(m_handle, nullptr, nullptr, nullptr, &iosb, first.data(), 100, nullptr, nullptr),
              STATUS_INVALID_PARAMETER);
    ASSERT_EQ(NtQueryInformationFile(m_handle, &iosb, &position, sizeof(position), FilePositionInformation),
              STATUS_SUCCESS);
    EXPECT_EQ(position.CurrentByteOffset.QuadPart, 1536);

    const std::vector<NTIO_TRACE_RECORD> records = trace_transfers();
    ASSERT_EQ(records.size(), 5u);
    expect_fast(records[0], IRP_MJ_WRITE, 0, 1536);
    expect_fast(records[1], IRP_MJ_READ, 0, 512);
    expect_fast(records[2], IRP_MJ_READ, 512, 512);
    expect_fast(records[3], IRP_MJ_WRITE, 1024, 512);
    expect_irp(records[4], IRP_MJ_READ, STATUS_INVALID_PARAMETER);
    std::vector<char> back(512);
    ASSERT_EQ(read_at(m_handle, back.data(), 512, 1024, &iosb), STATUS_SUCCESS);
    EXPECT_EQ(back, more);
}

INSTANTIATE_TEST_SUITE_P(LoadPaths, RamdiskFastIoTest, ::testing::Values(LoadPath::registry, LoadPath::direct),
                         load_path_name);

}  // namespace
}  // namespace ntio::test::drivers
