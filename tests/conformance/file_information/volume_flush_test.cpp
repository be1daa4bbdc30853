// NtQueryVolumeInformationFile, NtSetVolumeInformationFile and NtFlushBuffersFile through the
// public surface: class rules, direct device opens (NT fact K7), blocking on asynchronous handles
// (NT fact E13) and the flush rules (NT fact I10).
#include "conformance/file_information/information_test_driver.hpp"

namespace ntio::test::info {
namespace {

TEST_F(InformationTest, volume_class_and_length_rules) {
    HANDLE h = open_sync();
    alignas(8) UCHAR buffer[256] = {};
    IO_STATUS_BLOCK iosb = untouched_iosb();
    for (int c : {0, static_cast<int>(FileFsLabelInformation), static_cast<int>(FileFsMaximumInformation), 0x100})
        EXPECT_EQ(NtQueryVolumeInformationFile(h, &iosb, buffer, sizeof(buffer), static_cast<FS_INFORMATION_CLASS>(c)),
                  STATUS_INVALID_INFO_CLASS)
            << c;
    for (int c : {0, static_cast<int>(FileFsVolumeInformation), static_cast<int>(FileFsSizeInformation),
                  static_cast<int>(FileFsDeviceInformation)})
        EXPECT_EQ(NtSetVolumeInformationFile(h, &iosb, buffer, sizeof(buffer), static_cast<FS_INFORMATION_CLASS>(c)),
                  STATUS_INVALID_INFO_CLASS)
            << c;
    const std::pair<FS_INFORMATION_CLASS, ULONG> query[] = {
        {FileFsVolumeInformation, sizeof(FILE_FS_VOLUME_INFORMATION)},
        {FileFsSizeInformation, sizeof(FILE_FS_SIZE_INFORMATION)},
        {FileFsDeviceInformation, sizeof(FILE_FS_DEVICE_INFORMATION)},
        {FileFsAttributeInformation, sizeof(FILE_FS_ATTRIBUTE_INFORMATION)},
        {FileFsFullSizeInformation, sizeof(FILE_FS_FULL_SIZE_INFORMATION)},
        {FileFsSectorSizeInformation, sizeof(FILE_FS_SECTOR_SIZE_INFORMATION)},
    };
    for (const auto& [c, length] : query)
        EXPECT_EQ(NtQueryVolumeInformationFile(h, &iosb, buffer, length - 1, c), STATUS_INFO_LENGTH_MISMATCH) << c;
    EXPECT_EQ(NtSetVolumeInformationFile(h, &iosb, buffer, sizeof(FILE_FS_LABEL_INFORMATION) - 1, FileFsLabelInformation),
              STATUS_INFO_LENGTH_MISMATCH);
    EXPECT_TRUE(is_untouched(iosb));
    EXPECT_TRUE(requests().empty());
    close(h);
}

TEST_F(InformationTest, volume_queries_on_a_direct_device_open_never_reach_the_driver) {
    // NT fact K7.
    HANDLE direct = nullptr;
    ASSERT_EQ(open(L"\\??\\InfoDev", &direct, SYNCHRONIZE, FILE_SYNCHRONOUS_IO_NONALERT), STATUS_SUCCESS);
    alignas(8) UCHAR buffer[128] = {};
    IO_STATUS_BLOCK iosb = untouched_iosb();
    EXPECT_EQ(NtQueryVolumeInformationFile(direct, &iosb, buffer, sizeof(buffer), FileFsVolumeInformation),
              STATUS_INVALID_DEVICE_REQUEST);
    EXPECT_EQ(NtQueryVolumeInformationFile(direct, &iosb, buffer, sizeof(buffer), FileFsSizeInformation),
              STATUS_INVALID_DEVICE_REQUEST);
    EXPECT_TRUE(is_untouched(iosb));
    FILE_FS_DEVICE_INFORMATION device{};
    EXPECT_EQ(NtQueryVolumeInformationFile(direct, &iosb, &device, sizeof(device), FileFsDeviceInformation),
              STATUS_SUCCESS);
    EXPECT_EQ(device.DeviceType, static_cast<DEVICE_TYPE>(FILE_DEVICE_DISK));
    EXPECT_EQ(device.Characteristics & FILE_REMOVABLE_MEDIA, static_cast<ULONG>(FILE_REMOVABLE_MEDIA));
    EXPECT_EQ(iosb.Status, STATUS_SUCCESS);
    EXPECT_EQ(iosb.Information, sizeof(device));
    EXPECT_TRUE(requests().empty());
    close(direct);
}

TEST_F(InformationTest, volume_queries_on_sub_path_opens_reach_the_driver) {
    // NT fact K7: the driver's data, Information = offset(VolumeLabel) + label length; an
    // unsupported class is the driver's error with the IOSB untouched on a sync handle. A trailing
    // backslash with FILE_ALL_ACCESS is not a direct device open either.
    for (const wchar_t* name : {L"\\??\\InfoDev\\sub", L"\\??\\InfoDev\\"}) {
        HANDLE h = open_sync(name);
        alignas(8) UCHAR reply[64] = {};
        auto* volume = reinterpret_cast<FILE_FS_VOLUME_INFORMATION*>(reply);
        volume->VolumeSerialNumber = 0xdeadbeef;
        volume->VolumeLabelLength = 8;
        std::memcpy(volume->VolumeLabel, L"ntio", 8);
        g_state.reply.assign(reinterpret_cast<char*>(reply), sizeof(reply));
        g_state.information = FIELD_OFFSET(FILE_FS_VOLUME_INFORMATION, VolumeLabel) + 8;
        alignas(8) UCHAR buffer[128] = {};
        IO_STATUS_BLOCK iosb = untouched_iosb();
        EXPECT_EQ(NtQueryVolumeInformationFile(h, &iosb, buffer, sizeof(buffer), FileFsVolumeInformation), STATUS_SUCCESS);
        EXPECT_EQ(iosb.Information, FIELD_OFFSET(FILE_FS_VOLUME_INFORMATION, VolumeLabel) + 8u);
        EXPECT_EQ(reinterpret_cast<FILE_FS_VOLUME_INFORMATION*>(buffer)->VolumeSerialNumber, 0xdeadbeefu);
        auto seen = requests();
        ASSERT_EQ(seen.size(), 1u);
        EXPECT_EQ(seen[0].major, IRP_MJ_QUERY_VOLUME_INFORMATION);
        EXPECT_EQ(seen[0].parameters.QueryVolume.FsInformationClass, FileFsVolumeInformation);
        EXPECT_EQ(seen[0].parameters.QueryVolume.Length, sizeof(buffer));
        EXPECT_EQ(seen[0].irp_flags & (IRP_BUFFERED_IO | IRP_INPUT_OPERATION), ULONG{IRP_BUFFERED_IO | IRP_INPUT_OPERATION});

        g_state.status = STATUS_NOT_IMPLEMENTED;
        iosb = untouched_iosb();
        EXPECT_EQ(NtQueryVolumeInformationFile(h, &iosb, buffer, sizeof(buffer), FileFsAttributeInformation),
                  STATUS_NOT_IMPLEMENTED);
        EXPECT_TRUE(is_untouched(iosb));
        g_state.status = STATUS_SUCCESS;
        (void)requests();
        close(h);
    }
}

TEST_F(InformationTest, volume_set_passes_the_captured_label) {
    HANDLE h = open_sync();
    alignas(8) UCHAR buffer[32] = {};
    auto* label = reinterpret_cast<FILE_FS_LABEL_INFORMATION*>(buffer);
    label->VolumeLabelLength = 6;
    std::memcpy(label->VolumeLabel, L"abc", 6);
    IO_STATUS_BLOCK iosb = untouched_iosb();
    EXPECT_EQ(NtSetVolumeInformationFile(h, &iosb, buffer, 10, FileFsLabelInformation), STATUS_SUCCESS);
    auto seen = requests();
    ASSERT_EQ(seen.size(), 1u);
    EXPECT_EQ(seen[0].major, IRP_MJ_SET_VOLUME_INFORMATION);
    EXPECT_EQ(seen[0].parameters.SetVolume.FsInformationClass, FileFsLabelInformation);
    EXPECT_EQ(seen[0].parameters.SetVolume.Length, 10u);
    EXPECT_EQ(seen[0].input, std::string(reinterpret_cast<char*>(buffer), 10));
    close(h);
    HANDLE read_only = open_sync(L"\\??\\InfoDev\\sub", FILE_READ_DATA);
    iosb = untouched_iosb();
    EXPECT_EQ(NtSetVolumeInformationFile(read_only, &iosb, buffer, 10, FileFsLabelInformation), STATUS_ACCESS_DENIED);
    EXPECT_TRUE(is_untouched(iosb));
    close(read_only);
}

// NT fact E13: the volume query pends then fails: sync handle -> error, IOSB untouched; async
// handle -> it blocks too and the IOSB gets the error. Pend then success: {0, 0} on both.
TEST_F(InformationTest, volume_query_blocks_and_reports_by_handle_kind) {
    for (bool async : {false, true}) {
        HANDLE h = async ? open_async() : open_sync();
        g_state.pend = true;
        g_state.status = STATUS_DEVICE_NOT_READY;
        alignas(8) UCHAR buffer[64] = {};
        IO_STATUS_BLOCK iosb = untouched_iosb();
        EXPECT_EQ(NtQueryVolumeInformationFile(h, &iosb, buffer, sizeof(buffer), FileFsSizeInformation),
                  STATUS_DEVICE_NOT_READY);
        if (async) {
            EXPECT_EQ(iosb.Status, STATUS_DEVICE_NOT_READY);
            EXPECT_EQ(iosb.Information, 0u);
        } else {
            EXPECT_TRUE(is_untouched(iosb));
        }
        g_state.status = STATUS_SUCCESS;
        iosb = untouched_iosb();
        EXPECT_EQ(NtQueryVolumeInformationFile(h, &iosb, buffer, sizeof(buffer), FileFsSizeInformation), STATUS_SUCCESS);
        EXPECT_EQ(iosb.Status, STATUS_SUCCESS);
        EXPECT_EQ(iosb.Information, 0u);
        // The work item that completed the pended request may still be returning.
        drain_work();
        (void)requests();
        close(h);
    }
}

// NT facts I10 and E13: access, IOSB and handle rules of NtFlushBuffersFile; it blocks on
// asynchronous handles.
TEST_F(InformationTest, flush_needs_write_access_and_blocks) {
    HANDLE read_only = open_sync(L"\\??\\InfoDev\\file", FILE_READ_DATA);
    IO_STATUS_BLOCK iosb = untouched_iosb();
    EXPECT_EQ(NtFlushBuffersFile(read_only, &iosb), STATUS_ACCESS_DENIED);
    EXPECT_TRUE(is_untouched(iosb));
    EXPECT_EQ(NtFlushBuffersFile(read_only, nullptr), STATUS_ACCESS_VIOLATION);
    close(read_only);
    EXPECT_EQ(NtFlushBuffersFile(nullptr, &iosb), STATUS_INVALID_HANDLE);
    EXPECT_EQ(NtFlushBuffersFile(reinterpret_cast<HANDLE>(0x7777770), &iosb), STATUS_INVALID_HANDLE);
    EXPECT_TRUE(is_untouched(iosb));
    EXPECT_TRUE(requests().empty());

    HANDLE append = open_sync(L"\\??\\InfoDev\\file", FILE_APPEND_DATA);
    EXPECT_EQ(NtFlushBuffersFile(append, &iosb), STATUS_SUCCESS);
    EXPECT_EQ(iosb.Status, STATUS_SUCCESS);
    EXPECT_EQ(iosb.Information, 0u);
    close(append);

    HANDLE async = open_async(L"\\??\\InfoDev\\file", FILE_WRITE_DATA);
    g_state.pend = true;
    iosb = untouched_iosb();
    EXPECT_EQ(NtFlushBuffersFile(async, &iosb), STATUS_SUCCESS);  // not STATUS_PENDING: it waited
    EXPECT_EQ(iosb.Status, STATUS_SUCCESS);
    EXPECT_EQ(iosb.Information, 0u);
    EXPECT_EQ(NtFlushBuffersFileEx(async, FLUSH_FLAGS_FILE_DATA_ONLY, nullptr, 0, &iosb), STATUS_SUCCESS);
    EXPECT_EQ(NtFlushBuffersFileEx(async, 0x80, nullptr, 0, &iosb), STATUS_INVALID_PARAMETER);
    auto seen = requests();
    ASSERT_EQ(seen.size(), 3u);
    EXPECT_EQ(seen[0].major, IRP_MJ_FLUSH_BUFFERS);
    EXPECT_EQ(seen[0].minor, 0);
    EXPECT_EQ(seen[1].major, IRP_MJ_FLUSH_BUFFERS);
    EXPECT_EQ(seen[2].minor, IRP_MN_FLUSH_DATA_ONLY);
    close(async);
}

}  // namespace
}  // namespace ntio::test::info
