// The in-box filters over ramdisk.sys, loaded through the registry and directly: passthrough
// attaches and describes itself like the disk, trace records every IRP it sees, fault_inject fails,
// drops, pends and delays by seeded rates, and all three stack on one disk.
#include <algorithm>
#include <cstring>
#include <vector>

#include "filter_test_support.hpp"

#include <windows.h>
#include <ntdddisk.h>

namespace ntio::test::drivers {
namespace {

class FiltersTest : public DriverTest {
protected:
    void load_disk() {
        ASSERT_EQ(m_disk.load(GetParam(), "Ramdisk", "ramdisk.sys", {{"DiskSize", ULONG{kFilteredDiskSize}}}), STATUS_SUCCESS);
    }
    // The device at the top of the disk's stack, referenced.
    PDEVICE_OBJECT top_of_disk() {
        std::u16string name16 = u"\\Device\\Ramdisk0";
        UNICODE_STRING name = unicode(name16);
        PFILE_OBJECT file = nullptr;
        PDEVICE_OBJECT device = nullptr;
        EXPECT_EQ(IoGetDeviceObjectPointer(&name, FILE_READ_ATTRIBUTES, &file, &device), STATUS_SUCCESS);
        ObReferenceObject(device);
        ObDereferenceObject(file);
        return device;
    }
    static std::string driver_name(PDEVICE_OBJECT device) {
        const UNICODE_STRING& name = device->DriverObject->DriverName;
        std::string out;
        for (USHORT i = 0; i < name.Length / 2; ++i) out += static_cast<char>(name.Buffer[i]);
        return out;
    }
    void TearDown() override {
        EXPECT_EQ(m_filters[2].unload(), STATUS_SUCCESS);
        EXPECT_EQ(m_filters[1].unload(), STATUS_SUCCESS);
        EXPECT_EQ(m_filters[0].unload(), STATUS_SUCCESS);
        EXPECT_EQ(m_disk.unload(), STATUS_SUCCESS);
        DriverTest::TearDown();
    }
    Driver m_disk;
    Driver m_filters[3];
};

// NT fact L5: the filter attaches to the top of the disk's stack; the template filter copies the
// buffering flag, type and sector size so the I/O manager treats the stack like the disk.
TEST_P(FiltersTest, passthrough_attaches_over_the_disk_and_passes_everything_down)
{
    load_disk();
    ASSERT_EQ(m_filters[0].load(GetParam(), "Passthrough", "passthrough.sys", {kAttachToDisk}), STATUS_SUCCESS);
    PDEVICE_OBJECT top = top_of_disk();
    EXPECT_EQ(driver_name(top), "\\Driver\\Passthrough");
    EXPECT_EQ(top->StackSize, 2);
    EXPECT_TRUE(top->Flags & DO_DIRECT_IO);
    EXPECT_FALSE(top->Flags & DO_DEVICE_INITIALIZING);
    EXPECT_EQ(top->DeviceType, static_cast<DEVICE_TYPE>(FILE_DEVICE_DISK));
    EXPECT_EQ(top->SectorSize, 512);
    ObDereferenceObject(top);

    HANDLE h = nullptr;
    ASSERT_EQ(open_device(u"\\Device\\Ramdisk0", &h), STATUS_SUCCESS);
    std::vector<char> data(4096, 'p');
    std::vector<char> back(4096);
    IO_STATUS_BLOCK iosb{};
    EXPECT_EQ(write_at(h, data.data(), 4096, 8192, &iosb), STATUS_SUCCESS);
    EXPECT_EQ(read_at(h, back.data(), 4096, 8192, &iosb), STATUS_SUCCESS);
    EXPECT_EQ(back, data);
    EXPECT_EQ(read_at(h, back.data(), 4096, kFilteredDiskSize, &iosb), STATUS_INVALID_PARAMETER);
    GET_LENGTH_INFORMATION length{};
    EXPECT_EQ(ioctl(h, IOCTL_DISK_GET_LENGTH_INFO, nullptr, 0, &length, sizeof(length), &iosb), STATUS_SUCCESS);
    EXPECT_EQ(length.Length.QuadPart, kFilteredDiskSize);
    EXPECT_EQ(NtClose(h), STATUS_SUCCESS);
}

TEST_P(FiltersTest, passthrough_without_a_target_fails_to_load_with_the_open_status)
{
    EXPECT_EQ(m_filters[0].load(GetParam(), "Passthrough", "passthrough.sys",
                                {{"AttachTo", std::string("\\Device\\NoSuchDisk")}}),
              STATUS_OBJECT_NAME_NOT_FOUND);
}

TEST_P(FiltersTest, trace_records_major_status_information_and_timing_of_each_irp)
{
    load_disk();
    ASSERT_EQ(m_filters[0].load(GetParam(), "Trace", "trace.sys", {kAttachToDisk}), STATUS_SUCCESS);
    clear_trace();
    HANDLE h = nullptr;
    ASSERT_EQ(open_device(u"\\Device\\Ramdisk0", &h), STATUS_SUCCESS);
    std::vector<char> buffer(4096, 't');
    IO_STATUS_BLOCK iosb{};
    EXPECT_EQ(write_at(h, buffer.data(), 4096, 4096, &iosb), STATUS_SUCCESS);
    EXPECT_EQ(read_at(h, buffer.data(), 2048, 1024, &iosb), STATUS_SUCCESS);
    EXPECT_EQ(read_at(h, buffer.data(), 512, kFilteredDiskSize, &iosb), STATUS_INVALID_PARAMETER);
    GET_LENGTH_INFORMATION length{};
    EXPECT_EQ(ioctl(h, IOCTL_DISK_GET_LENGTH_INFO, nullptr, 0, &length, sizeof(length), &iosb), STATUS_SUCCESS);
    EXPECT_EQ(NtClose(h), STATUS_SUCCESS);

    NTIO_TRACE_BUFFER header{};
    std::vector<NTIO_TRACE_RECORD> records = read_trace(&header);
    std::vector<UCHAR> majors;
    for (const NTIO_TRACE_RECORD& r : records) majors.push_back(r.MajorFunction);
    EXPECT_EQ(majors, (std::vector<UCHAR>{IRP_MJ_CREATE, IRP_MJ_WRITE, IRP_MJ_READ, IRP_MJ_READ, IRP_MJ_DEVICE_CONTROL,
                                          IRP_MJ_CLEANUP, IRP_MJ_CLOSE}));
    ASSERT_EQ(records.size(), 7u);
    EXPECT_EQ(records[1].Status, STATUS_SUCCESS);
    EXPECT_EQ(records[1].Information, 4096u);
    EXPECT_EQ(records[1].Length, 4096u);
    EXPECT_EQ(records[1].ByteOffset, 4096);
    EXPECT_EQ(records[2].Information, 2048u);
    EXPECT_EQ(records[2].ByteOffset, 1024);
    EXPECT_EQ(records[3].Status, STATUS_INVALID_PARAMETER);
    EXPECT_EQ(records[3].Information, 0u);
    EXPECT_EQ(records[4].IoControlCode, static_cast<ULONG>(IOCTL_DISK_GET_LENGTH_INFO));
    EXPECT_EQ(records[4].Information, sizeof(GET_LENGTH_INFORMATION));
    for (std::size_t i = 0; i < records.size(); ++i) {
        EXPECT_EQ(records[i].Sequence, i + 1);
        // The synchronous handle's good write and read were fast I/O calls (ramdisk_fastio_test.cpp),
        // the rest IRPs.
        const bool fast = i == 1 || i == 2;
        EXPECT_EQ(records[i].FastIo, fast ? 1 : 0) << i;
        EXPECT_EQ(records[i].Irp == 0, fast) << i;
        if (i) {
            EXPECT_GE(records[i].StartTime, records[i - 1].StartTime);
        }
    }
    EXPECT_EQ(header.Recorded, 7u);
    EXPECT_EQ(header.Lost, 0u);
    EXPECT_GT(header.Frequency, 0u);
    // Reading consumed them.
    EXPECT_TRUE(read_trace().empty());
}

TEST_P(FiltersTest, trace_ring_overwrites_the_oldest_and_counts_them_lost)
{
    load_disk();
    ASSERT_EQ(m_filters[0].load(GetParam(), "Trace", "trace.sys", {kAttachToDisk, {"RingSize", ULONG{4}}}),
              STATUS_SUCCESS);
    clear_trace();
    HANDLE h = nullptr;
    ASSERT_EQ(open_device(u"\\Device\\Ramdisk0", &h), STATUS_SUCCESS);
    std::vector<char> buffer(512);
    IO_STATUS_BLOCK iosb{};
    for (int i = 0; i < 10; ++i) EXPECT_EQ(read_at(h, buffer.data(), 512, i * 512, &iosb), STATUS_SUCCESS);
    NTIO_TRACE_BUFFER header{};
    std::vector<NTIO_TRACE_RECORD> records = read_trace(&header);
    ASSERT_EQ(records.size(), 4u);
    EXPECT_EQ(header.Capacity, 4u);
    EXPECT_EQ(header.Recorded, 11u);  // the create and ten reads
    EXPECT_EQ(header.Lost, 7u);
    EXPECT_EQ(records.back().ByteOffset, 9 * 512);
    EXPECT_EQ(records.front().Sequence, 8u);
    EXPECT_EQ(NtClose(h), STATUS_SUCCESS);
    EXPECT_EQ(m_filters[0].unload(), STATUS_SUCCESS);
    Driver bad;
    EXPECT_EQ(bad.load(GetParam(), "Trace", "trace.sys", {kAttachToDisk, {"RingSize", ULONG{0}}}),
              STATUS_INVALID_PARAMETER);
}

TEST_P(FiltersTest, fault_inject_fails_selected_majors_with_the_configured_status)
{
    load_disk();
    ASSERT_EQ(m_filters[0].load(GetParam(), "FaultInject", "fault_inject.sys",
                                {kAttachToDisk, {"FailRate", ULONG{1000000}},
                                 {"FailStatus", ULONG{static_cast<ULONG>(STATUS_DEVICE_NOT_READY)}}}),
              STATUS_SUCCESS);
    HANDLE h = nullptr;
    ASSERT_EQ(open_device(u"\\Device\\Ramdisk0", &h), STATUS_SUCCESS);
    std::vector<char> buffer(512);
    IO_STATUS_BLOCK iosb{};
    EXPECT_EQ(read_at(h, buffer.data(), 512, 0, &iosb), STATUS_DEVICE_NOT_READY);
    EXPECT_EQ(write_at(h, buffer.data(), 512, 0, &iosb), STATUS_DEVICE_NOT_READY);
    GET_LENGTH_INFORMATION length{};
    EXPECT_EQ(ioctl(h, IOCTL_DISK_GET_LENGTH_INFO, nullptr, 0, &length, sizeof(length), &iosb), STATUS_SUCCESS);
    NTIO_FAULT_INJECT_STATS stats = fault_stats();
    EXPECT_EQ(stats.Seen, 2u);
    EXPECT_EQ(stats.Failed, 2u);

    // Reconfigured by IOCTL: nothing injected any more.
    NTIO_FAULT_INJECT_CONFIG config{};
    ASSERT_EQ(fault_ioctl(IOCTL_NTIO_FAULT_INJECT_GET_CONFIG, nullptr, 0, &config, sizeof(config)), STATUS_SUCCESS);
    EXPECT_EQ(config.FailRate, 1000000u);
    EXPECT_EQ(config.FailStatus, STATUS_DEVICE_NOT_READY);
    config.FailRate = 0;
    ASSERT_EQ(fault_ioctl(IOCTL_NTIO_FAULT_INJECT_SET_CONFIG, &config, sizeof(config), nullptr, 0), STATUS_SUCCESS);
    EXPECT_EQ(read_at(h, buffer.data(), 512, 0, &iosb), STATUS_SUCCESS);
    // Rates above 100% or a success as the failure status are refused.
    config.FailRate = 600000;
    config.DropRate = 600000;
    EXPECT_EQ(fault_ioctl(IOCTL_NTIO_FAULT_INJECT_SET_CONFIG, &config, sizeof(config), nullptr, 0),
              STATUS_INVALID_PARAMETER);
    config.DropRate = 0;
    config.FailStatus = STATUS_SUCCESS;
    EXPECT_EQ(fault_ioctl(IOCTL_NTIO_FAULT_INJECT_SET_CONFIG, &config, sizeof(config), nullptr, 0),
              STATUS_INVALID_PARAMETER);
    EXPECT_EQ(NtClose(h), STATUS_SUCCESS);
}

// The n-th selected IRP's fate depends only on the seed and n: the same seed repeats the run.
TEST_P(FiltersTest, fault_inject_decisions_repeat_for_the_same_seed)
{
    load_disk();
    ASSERT_EQ(m_filters[0].load(GetParam(), "FaultInject", "fault_inject.sys", {kAttachToDisk}), STATUS_SUCCESS);
    HANDLE h = nullptr;
    ASSERT_EQ(open_device(u"\\Device\\Ramdisk0", &h), STATUS_SUCCESS);
    auto run = [&](ULONGLONG seed) {
        NTIO_FAULT_INJECT_CONFIG config{};
        config.Seed = seed;
        config.MajorMask = 1u << IRP_MJ_READ;
        config.FailRate = 500000;
        config.FailStatus = STATUS_IO_DEVICE_ERROR;
        EXPECT_EQ(fault_ioctl(IOCTL_NTIO_FAULT_INJECT_SET_CONFIG, &config, sizeof(config), nullptr, 0), STATUS_SUCCESS);
        std::vector<bool> failed;
        std::vector<char> buffer(512);
        for (int i = 0; i < 64; ++i) {
            IO_STATUS_BLOCK iosb{};
            failed.push_back(read_at(h, buffer.data(), 512, 0, &iosb) == STATUS_IO_DEVICE_ERROR);
        }
        return failed;
    };
    const std::vector<bool> first = run(42);
    EXPECT_EQ(run(42), first);
    EXPECT_NE(run(43), first);
    const auto failures = std::count(first.begin(), first.end(), true);
    EXPECT_GT(failures, 16);
    EXPECT_LT(failures, 48);
    EXPECT_EQ(NtClose(h), STATUS_SUCCESS);
}

// A dropped IRP stays pending until cancelled (NtCancelIoFile completes it with STATUS_CANCELLED),
// released by IOCTL, or cleaned up with its file; a pended one completes later by itself.
TEST_P(FiltersTest, fault_inject_drops_until_cancelled_and_pends_until_its_worker_passes_it_down)
{
    load_disk();
    ASSERT_EQ(m_filters[0].load(GetParam(), "FaultInject", "fault_inject.sys",
                                {kAttachToDisk, {"DropRate", ULONG{1000000}}}),
              STATUS_SUCCESS);
    HANDLE h = nullptr;
    ASSERT_EQ(open_device(u"\\Device\\Ramdisk0", &h, true), STATUS_SUCCESS);
    HANDLE event = nullptr;
    ASSERT_EQ(NtCreateEvent(&event, EVENT_ALL_ACCESS, nullptr, NotificationEvent, FALSE), STATUS_SUCCESS);
    std::vector<char> buffer(512);
    IO_STATUS_BLOCK iosb{};
    LARGE_INTEGER offset{};
    ASSERT_EQ(NtReadFile(h, event, nullptr, nullptr, &iosb, buffer.data(), 512, &offset, nullptr), STATUS_PENDING);
    EXPECT_EQ(fault_stats().DroppedOutstanding, 1u);
    IO_STATUS_BLOCK cancel{};
    EXPECT_EQ(NtCancelIoFile(h, &cancel), STATUS_SUCCESS);
    EXPECT_EQ(NtWaitForSingleObject(event, FALSE, nullptr), STATUS_SUCCESS);
    EXPECT_EQ(iosb.Status, STATUS_CANCELLED);
    EXPECT_EQ(fault_stats().DroppedOutstanding, 0u);

    // Released by IOCTL.
    EXPECT_EQ(NtClearEvent(event), STATUS_SUCCESS);
    ASSERT_EQ(NtReadFile(h, event, nullptr, nullptr, &iosb, buffer.data(), 512, &offset, nullptr), STATUS_PENDING);
    EXPECT_EQ(fault_ioctl(IOCTL_NTIO_FAULT_INJECT_RELEASE_DROPPED, nullptr, 0, nullptr, 0), STATUS_SUCCESS);
    EXPECT_EQ(NtWaitForSingleObject(event, FALSE, nullptr), STATUS_SUCCESS);
    EXPECT_EQ(iosb.Status, STATUS_CANCELLED);

    // Pended: completes with the disk's result after the worker passed it down.
    NTIO_FAULT_INJECT_CONFIG config{};
    config.MajorMask = 1u << IRP_MJ_READ;
    config.PendRate = 1000000;
    config.PendMicroseconds = 2000;
    ASSERT_EQ(fault_ioctl(IOCTL_NTIO_FAULT_INJECT_SET_CONFIG, &config, sizeof(config), nullptr, 0), STATUS_SUCCESS);
    EXPECT_EQ(NtClearEvent(event), STATUS_SUCCESS);
    ASSERT_EQ(NtReadFile(h, event, nullptr, nullptr, &iosb, buffer.data(), 512, &offset, nullptr), STATUS_PENDING);
    EXPECT_EQ(NtWaitForSingleObject(event, FALSE, nullptr), STATUS_SUCCESS);
    EXPECT_EQ(iosb.Status, STATUS_SUCCESS);
    EXPECT_EQ(iosb.Information, 512u);
    EXPECT_EQ(fault_stats().Pended, 1u);

    // Dropped again, then the handle closes: cleanup completes it.
    config.PendRate = 0;
    config.DropRate = 1000000;
    ASSERT_EQ(fault_ioctl(IOCTL_NTIO_FAULT_INJECT_SET_CONFIG, &config, sizeof(config), nullptr, 0), STATUS_SUCCESS);
    EXPECT_EQ(NtClearEvent(event), STATUS_SUCCESS);
    ASSERT_EQ(NtReadFile(h, event, nullptr, nullptr, &iosb, buffer.data(), 512, &offset, nullptr), STATUS_PENDING);
    EXPECT_EQ(NtClose(h), STATUS_SUCCESS);
    EXPECT_EQ(NtWaitForSingleObject(event, FALSE, nullptr), STATUS_SUCCESS);
    EXPECT_EQ(iosb.Status, STATUS_CANCELLED);
    EXPECT_EQ(fault_stats().DroppedOutstanding, 0u);
    EXPECT_EQ(NtClose(event), STATUS_SUCCESS);
}

// The three filters stacked on one disk, used through kernel32: each load attaches to the then
// top (NT fact L5), requests pass all three, trace sees them.
TEST_P(FiltersTest, three_filters_stack_on_one_disk)
{
    load_disk();
    ASSERT_EQ(m_filters[0].load(GetParam(), "Passthrough", "passthrough.sys", {kAttachToDisk}), STATUS_SUCCESS);
    ASSERT_EQ(m_filters[1].load(GetParam(), "Trace", "trace.sys", {kAttachToDisk}), STATUS_SUCCESS);
    ASSERT_EQ(m_filters[2].load(GetParam(), "FaultInject", "fault_inject.sys", {kAttachToDisk}), STATUS_SUCCESS);
    PDEVICE_OBJECT top = top_of_disk();
    EXPECT_EQ(driver_name(top), "\\Driver\\FaultInject");
    EXPECT_EQ(top->StackSize, 4);
    EXPECT_TRUE(top->Flags & DO_DIRECT_IO);
    ObDereferenceObject(top);
    clear_trace();

    HANDLE h = CreateFileW(L"\\\\.\\Ramdisk0", GENERIC_READ | GENERIC_WRITE, 0, nullptr, OPEN_EXISTING, 0, nullptr);
    ASSERT_NE(h, INVALID_HANDLE_VALUE);
    std::vector<char> data(4096, 's');
    std::vector<char> back(4096);
    DWORD bytes = 0;
    OVERLAPPED at{};
    at.Offset = 12288;
    ASSERT_TRUE(WriteFile(h, data.data(), 4096, &bytes, &at));
    at.Offset = 12288;
    ASSERT_TRUE(ReadFile(h, back.data(), 4096, &bytes, &at));
    EXPECT_EQ(bytes, 4096u);
    EXPECT_EQ(back, data);
    EXPECT_TRUE(CloseHandle(h));
    std::vector<NTIO_TRACE_RECORD> records = read_trace();
    ASSERT_EQ(records.size(), 5u);  // create, write, read, cleanup, close
    EXPECT_EQ(records[2].MajorFunction, IRP_MJ_READ);
    EXPECT_EQ(records[2].Information, 4096u);
}

INSTANTIATE_TEST_SUITE_P(LoadPaths, FiltersTest, ::testing::Values(LoadPath::registry, LoadPath::direct),
                         load_path_name);

}  // namespace
}  // namespace ntio::test::drivers
