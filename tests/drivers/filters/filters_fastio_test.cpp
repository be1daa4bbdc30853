// Fast I/O through the in-box filters over ramdisk.sys, loaded through the registry and directly:
// passthrough, trace and fault_inject pass FastIoRead / FastIoWrite down to the disk (trace records
// those calls as FastIo), fault_inject declines them whenever a rule could apply so every rule still
// fires on synchronous handles, and a filter over a driver without fast I/O declines.
#include <atomic>
#include <thread>
#include <vector>

#include "filter_test_support.hpp"


namespace ntio::test::drivers {
namespace {

class FiltersFastIoTest : public DriverTest {
protected:
    void load_disk() {
        ASSERT_EQ(m_drivers[0].load(GetParam(), "Ramdisk", "ramdisk.sys", {{"DiskSize", ULONG{kFilteredDiskSize}}}),
                  STATUS_SUCCESS);
    }
    static void configure(const NTIO_FAULT_INJECT_CONFIG& config) {
        ASSERT_EQ(fault_ioctl(IOCTL_NTIO_FAULT_INJECT_SET_CONFIG, &config, sizeof(config), nullptr, 0), STATUS_SUCCESS);
    }
    void TearDown() override {
        for (int i = 3; i >= 0; --i) EXPECT_EQ(m_drivers[i].unload(), STATUS_SUCCESS) << i;
        DriverTest::TearDown();
    }
    Driver m_drivers[4];  // the disk (or null.sys), then filters bottom up
};

// A filter must pass fast I/O down or it stops there: with all three filters over the disk the
// synchronous handle's reads and writes still reach ramdisk.sys's FastIoRead / FastIoWrite (no IRP
// under any filter), and fault_inject counts them as passed.
TEST_P(FiltersFastIoTest, fast_io_passes_down_through_all_three_filters)
{
    load_disk();
    ASSERT_EQ(m_drivers[1].load(GetParam(), "Passthrough", "passthrough.sys", {kAttachToDisk}), STATUS_SUCCESS);
    ASSERT_EQ(m_drivers[2].load(GetParam(), "Trace", "trace.sys", {kAttachToDisk}), STATUS_SUCCESS);
    ASSERT_EQ(m_drivers[3].load(GetParam(), "FaultInject", "fault_inject.sys", {kAttachToDisk}), STATUS_SUCCESS);
    clear_trace();
    HANDLE h = nullptr;
    ASSERT_EQ(open_device(u"\\Device\\Ramdisk0", &h), STATUS_SUCCESS);
    std::vector<char> data(4096);
    for (std::size_t i = 0; i < data.size(); ++i) data[i] = static_cast<char>(i * 3 + 1);
    std::vector<char> back(4096);
    IO_STATUS_BLOCK iosb{};
    ASSERT_EQ(write_at(h, data.data(), 4096, 12288, &iosb), STATUS_SUCCESS);
    EXPECT_EQ(iosb.Information, 4096u);
    ASSERT_EQ(read_at(h, back.data(), 4096, 12288, &iosb), STATUS_SUCCESS);
    EXPECT_EQ(iosb.Information, 4096u);
    EXPECT_EQ(back, data);
    EXPECT_EQ(NtClose(h), STATUS_SUCCESS);

    const std::vector<NTIO_TRACE_RECORD> records = trace_transfers();
    ASSERT_EQ(records.size(), 2u);
    for (const NTIO_TRACE_RECORD& r : records) {
        EXPECT_EQ(r.FastIo, 1);
        EXPECT_EQ(r.Irp, 0u);
        EXPECT_EQ(r.Status, STATUS_SUCCESS);
        EXPECT_EQ(r.Information, 4096u);
        EXPECT_EQ(r.ByteOffset, 12288);
    }
    EXPECT_EQ(records[0].MajorFunction, IRP_MJ_WRITE);
    EXPECT_EQ(records[1].MajorFunction, IRP_MJ_READ);
    const NTIO_FAULT_INJECT_STATS stats = fault_stats();
    EXPECT_EQ(stats.Seen, 2u);
    EXPECT_EQ(stats.Passed, 2u);
}

// fault_inject declines fast I/O whenever a rule could apply, so on a synchronous handle failures,
// delays, pends and drops happen exactly as on IRPs; a major its mask leaves out still goes fast.
TEST_P(FiltersFastIoTest, fault_inject_rules_still_fire_on_synchronous_handles)
{
    load_disk();
    ASSERT_EQ(m_drivers[1].load(GetParam(), "Trace", "trace.sys", {kAttachToDisk}), STATUS_SUCCESS);
    ASSERT_EQ(m_drivers[2].load(GetParam(), "FaultInject", "fault_inject.sys",
                                {kAttachToDisk, {"FailRate", ULONG{1000000}},
                                 {"FailStatus", ULONG{static_cast<ULONG>(STATUS_DEVICE_NOT_READY)}}}),
              STATUS_SUCCESS);
    clear_trace();
    HANDLE h = nullptr;
    ASSERT_EQ(open_device(u"\\Device\\Ramdisk0", &h), STATUS_SUCCESS);
    std::vector<char> buffer(512, 'f');
    IO_STATUS_BLOCK iosb{};
    EXPECT_EQ(read_at(h, buffer.data(), 512, 0, &iosb), STATUS_DEVICE_NOT_READY);
    EXPECT_EQ(write_at(h, buffer.data(), 512, 0, &iosb), STATUS_DEVICE_NOT_READY);
    EXPECT_EQ(fault_stats().Failed, 2u);
    EXPECT_TRUE(trace_transfers().empty());  // failed above the trace filter

    NTIO_FAULT_INJECT_CONFIG config{};
    config.MajorMask = 1u << IRP_MJ_READ;
    config.DelayRate = 1000000;
    config.DelayMicroseconds = 1;
    configure(config);
    EXPECT_EQ(read_at(h, buffer.data(), 512, 0, &iosb), STATUS_SUCCESS);
    EXPECT_EQ(fault_stats().Delayed, 1u);

    config.DelayRate = 0;
    config.PendRate = 1000000;
    config.PendMicroseconds = 100;
    configure(config);
    EXPECT_EQ(read_at(h, buffer.data(), 512, 512, &iosb), STATUS_SUCCESS);
    EXPECT_EQ(iosb.Information, 512u);
    EXPECT_EQ(fault_stats().Pended, 1u);

    std::vector<NTIO_TRACE_RECORD> records = trace_transfers();
    ASSERT_EQ(records.size(), 2u);
    for (const NTIO_TRACE_RECORD& r : records) {
        EXPECT_EQ(r.FastIo, 0);
        EXPECT_NE(r.Irp, 0u);
        EXPECT_EQ(r.Status, STATUS_SUCCESS);
    }

    // Dropped: the synchronous read waits until the dropped IRP is released.
    config.PendRate = 0;
    config.DropRate = 1000000;
    configure(config);
    std::atomic<NTSTATUS> dropped{STATUS_PENDING};
    std::thread reader([&] {
        IO_STATUS_BLOCK io{};
        std::vector<char> b(512);
        dropped = read_at(h, b.data(), 512, 0, &io);
    });
    // Released until the reader returns: the IRP may not be queued yet at the first release.
    while (dropped == STATUS_PENDING) {
        EXPECT_EQ(fault_ioctl(IOCTL_NTIO_FAULT_INJECT_RELEASE_DROPPED, nullptr, 0, nullptr, 0), STATUS_SUCCESS);
        std::this_thread::yield();
    }
    reader.join();
    EXPECT_EQ(dropped, STATUS_CANCELLED);
    EXPECT_EQ(fault_stats().Dropped, 1u);

    // Writes selected, reads not: reads go fast, writes fail.
    config.DropRate = 0;
    config.MajorMask = 1u << IRP_MJ_WRITE;
    config.FailRate = 1000000;
    config.FailStatus = STATUS_IO_DEVICE_ERROR;
    configure(config);
    EXPECT_EQ(write_at(h, buffer.data(), 512, 0, &iosb), STATUS_IO_DEVICE_ERROR);
    EXPECT_EQ(read_at(h, buffer.data(), 512, 0, &iosb), STATUS_SUCCESS);
    records = trace_transfers();
    ASSERT_EQ(records.size(), 1u);
    EXPECT_EQ(records[0].FastIo, 1);
    EXPECT_EQ(records[0].MajorFunction, IRP_MJ_READ);
    // The counters add up since the load: 2 + 1 failed, 1 delayed, 1 pended, 1 dropped, none passed
    // (the fast read was not selected).
    const NTIO_FAULT_INJECT_STATS stats = fault_stats();
    EXPECT_EQ(stats.Failed, 3u);
    EXPECT_EQ(stats.Passed, 0u);
    EXPECT_EQ(stats.Seen, 6u);
    EXPECT_EQ(NtClose(h), STATUS_SUCCESS);
}

// A filter over a driver that has no fast I/O routines declines (the I/O manager then sends the
// IRP), whether asked for reads or writes.
TEST_P(FiltersFastIoTest, a_filter_over_a_driver_without_fast_io_declines)
{
    ASSERT_EQ(m_drivers[0].load(GetParam(), "Null", "null.sys"), STATUS_SUCCESS);
    ASSERT_EQ(m_drivers[1].load(GetParam(), "Passthrough", "passthrough.sys",
                                {{"AttachTo", std::string("\\Device\\Null")}}),
              STATUS_SUCCESS);
    std::u16string name16 = u"\\Device\\Null";
    UNICODE_STRING name = unicode(name16);
    PFILE_OBJECT file = nullptr;
    PDEVICE_OBJECT top = nullptr;
    ASSERT_EQ(IoGetDeviceObjectPointer(&name, FILE_READ_ATTRIBUTES, &file, &top), STATUS_SUCCESS);
    PFAST_IO_DISPATCH fast = top->DriverObject->FastIoDispatch;
    ASSERT_NE(fast, nullptr);
    EXPECT_EQ(fast->SizeOfFastIoDispatch, sizeof(FAST_IO_DISPATCH));
    char buffer[512] = {};
    IO_STATUS_BLOCK iosb{{static_cast<NTSTATUS>(0xdeadbeef)}, 0x5555};
    LARGE_INTEGER offset{};
    EXPECT_FALSE(fast->FastIoRead(file, &offset, sizeof(buffer), TRUE, 0, buffer, &iosb, top));
    EXPECT_FALSE(fast->FastIoWrite(file, &offset, sizeof(buffer), TRUE, 0, buffer, &iosb, top));
    EXPECT_EQ(iosb.Status, static_cast<NTSTATUS>(0xdeadbeef));
    ObDereferenceObject(file);

    HANDLE h = nullptr;
    ASSERT_EQ(open_device(u"\\Device\\Null", &h), STATUS_SUCCESS);
    EXPECT_EQ(read_at(h, buffer, sizeof(buffer), 0, &iosb), STATUS_END_OF_FILE);
    EXPECT_EQ(write_at(h, buffer, sizeof(buffer), 0, &iosb), STATUS_SUCCESS);
    EXPECT_EQ(iosb.Information, sizeof(buffer));
    EXPECT_EQ(NtClose(h), STATUS_SUCCESS);
}

std::atomic<int> g_swapped_reads{0};

// The FastIoRead of a table the disk driver switches to in the test below: counts and declines.
BOOLEAN NTAPI counting_fast_read(PFILE_OBJECT, PLARGE_INTEGER, ULONG, BOOLEAN, ULONG, PVOID, PIO_STATUS_BLOCK,
                                 PDEVICE_OBJECT)
{
    ++g_swapped_reads;
    return FALSE;
}

// A filter keeps the fast I/O routines of the driver below from the attach on; when that driver
// switches to another FAST_IO_DISPATCH the next hop takes the new table's routine (and keeps taking
// it), a table too short to hold FastIoRead makes the filter decline without calling past its
// size, and switching back reaches the disk again.
TEST_P(FiltersFastIoTest, a_filter_follows_the_fast_io_table_the_driver_below_switches_to)
{
    load_disk();
    ASSERT_EQ(m_drivers[1].load(GetParam(), "Passthrough", "passthrough.sys", {kAttachToDisk}), STATUS_SUCCESS);
    std::u16string name16 = u"\\Device\\Ramdisk0";
    UNICODE_STRING name = unicode(name16);
    PFILE_OBJECT file = nullptr;
    PDEVICE_OBJECT top = nullptr;
    ASSERT_EQ(IoGetDeviceObjectPointer(&name, FILE_READ_ATTRIBUTES, &file, &top), STATUS_SUCCESS);
    PDRIVER_OBJECT disk = file->DeviceObject->DriverObject;
    ASSERT_NE(top->DriverObject, disk);
    PFAST_IO_DISPATCH filter = top->DriverObject->FastIoDispatch;
    PFAST_IO_DISPATCH original = disk->FastIoDispatch;
    ASSERT_NE(filter, nullptr);
    ASSERT_NE(original, nullptr);
    g_swapped_reads = 0;
    char buffer[512] = {};
    LARGE_INTEGER offset{};
    IO_STATUS_BLOCK iosb{};
    EXPECT_TRUE(filter->FastIoRead(file, &offset, sizeof(buffer), TRUE, 0, buffer, &iosb, top));
    EXPECT_EQ(iosb.Information, sizeof(buffer));

    FAST_IO_DISPATCH counting{};
    counting.SizeOfFastIoDispatch = sizeof(FAST_IO_DISPATCH);
    counting.FastIoRead = counting_fast_read;
    disk->FastIoDispatch = &counting;
    EXPECT_FALSE(filter->FastIoRead(file, &offset, sizeof(buffer), TRUE, 0, buffer, &iosb, top));
    EXPECT_EQ(g_swapped_reads, 1);
    EXPECT_FALSE(filter->FastIoRead(file, &offset, sizeof(buffer), TRUE, 0, buffer, &iosb, top));
    EXPECT_EQ(g_swapped_reads, 2);
    // The new table has no FastIoWrite: writes decline.
    EXPECT_FALSE(filter->FastIoWrite(file, &offset, sizeof(buffer), TRUE, 0, buffer, &iosb, top));

    FAST_IO_DISPATCH too_short{};
    too_short.SizeOfFastIoDispatch = FIELD_OFFSET(FAST_IO_DISPATCH, FastIoRead);
    too_short.FastIoRead = counting_fast_read;
    disk->FastIoDispatch = &too_short;
    EXPECT_FALSE(filter->FastIoRead(file, &offset, sizeof(buffer), TRUE, 0, buffer, &iosb, top));
    EXPECT_EQ(g_swapped_reads, 2);

    disk->FastIoDispatch = original;
    iosb = {};
    EXPECT_TRUE(filter->FastIoRead(file, &offset, sizeof(buffer), TRUE, 0, buffer, &iosb, top));
    EXPECT_EQ(iosb.Status, STATUS_SUCCESS);
    EXPECT_EQ(iosb.Information, sizeof(buffer));
    EXPECT_TRUE(filter->FastIoWrite(file, &offset, sizeof(buffer), TRUE, 0, buffer, &iosb, top));
    EXPECT_EQ(g_swapped_reads, 2);
    ObDereferenceObject(file);
}

INSTANTIATE_TEST_SUITE_P(LoadPaths, FiltersFastIoTest, ::testing::Values(LoadPath::registry, LoadPath::direct),
                         load_path_name);

}  // namespace
}  // namespace ntio::test::drivers
