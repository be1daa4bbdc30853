// IoQueryFileInformation, IoSetInformation and IoQueryVolumeInformation: the information services
// for a file object a kernel-mode caller holds (no handle), answering as the Zw services do: the
// I/O manager's own classes locally, the rest through the file's driver, the class rules first.
#include "unit/io/files/files_test_driver.hpp"

namespace ntio::io::files_test::io_information {

class IoInformationTest : public FilesTest {
protected:
    PFILE_OBJECT open_synchronous(HANDLE* handle) {
        EXPECT_EQ(open(L"\\Device\\FilesTest\\data", handle, FILE_READ_DATA | SYNCHRONIZE, FILE_OPEN,
                       FILE_SYNCHRONOUS_IO_NONALERT),
                  STATUS_SUCCESS);
        return *handle ? file_of(*handle) : nullptr;
    }
};

TEST_F(IoInformationTest, query_file_information_goes_to_the_driver_and_returns_the_length) {
    load();
    HANDLE handle = nullptr;
    PFILE_OBJECT file = open_synchronous(&handle);
    ASSERT_NE(file, nullptr);
    g_state.take();

    union {
        FILE_NAME_INFORMATION info;
        UCHAR bytes[128];
    } buffer{};
    ULONG returned = 0xdead;
    EXPECT_EQ(IoQueryFileInformation(file, FileNameInformation, sizeof(buffer), &buffer, &returned), STATUS_SUCCESS);
    EXPECT_EQ(buffer.info.FileNameLength, sizeof(L"\\data") - sizeof(WCHAR));
    EXPECT_EQ(returned, FIELD_OFFSET(FILE_NAME_INFORMATION, FileName) + buffer.info.FileNameLength);
    EXPECT_EQ(std::memcmp(buffer.info.FileName, L"\\data", buffer.info.FileNameLength), 0);
    std::vector<Record> records = g_state.take();
    ASSERT_EQ(records.size(), 1u);
    EXPECT_EQ(records[0].major, IRP_MJ_QUERY_INFORMATION);
    EXPECT_EQ(records[0].requestor, KernelMode);
    EXPECT_EQ(records[0].file, file);

    // A buffer too small for the whole name: the warning, and the length of what did fit.
    returned = 0;
    const ULONG small = FIELD_OFFSET(FILE_NAME_INFORMATION, FileName) + 2 * sizeof(WCHAR);
    EXPECT_EQ(IoQueryFileInformation(file, FileNameInformation, small, &buffer, &returned), STATUS_BUFFER_OVERFLOW);
    EXPECT_EQ(returned, small);
    g_state.take();

    // The driver's failure is the routine's, with nothing returned.
    returned = 0xdead;
    FILE_STANDARD_INFORMATION standard{};
    EXPECT_EQ(IoQueryFileInformation(file, FileStandardInformation, sizeof(standard), &standard, &returned),
              STATUS_NOT_IMPLEMENTED);
    EXPECT_EQ(returned, 0u);
    EXPECT_EQ(NtClose(handle), STATUS_SUCCESS);
}

TEST_F(IoInformationTest, the_io_managers_own_classes_are_answered_without_an_irp) {
    load();
    HANDLE handle = nullptr;
    PFILE_OBJECT file = open_synchronous(&handle);
    ASSERT_NE(file, nullptr);
    g_state.take();

    FILE_MODE_INFORMATION mode{};
    ULONG returned = 0;
    EXPECT_EQ(IoQueryFileInformation(file, FileModeInformation, sizeof(mode), &mode, &returned), STATUS_SUCCESS);
    EXPECT_EQ(mode.Mode, static_cast<ULONG>(FILE_SYNCHRONOUS_IO_NONALERT));
    EXPECT_EQ(returned, sizeof(mode));
    FILE_ACCESS_INFORMATION access{};
    EXPECT_EQ(IoQueryFileInformation(file, FileAccessInformation, sizeof(access), &access, &returned), STATUS_SUCCESS);
    EXPECT_EQ(access.AccessFlags, static_cast<ACCESS_MASK>(FILE_READ_DATA | SYNCHRONIZE));

    // A position set through the file object is the one a query then reads.
    FILE_POSITION_INFORMATION position{};
    position.CurrentByteOffset.QuadPart = 4096;
    EXPECT_EQ(IoSetInformation(file, FilePositionInformation, sizeof(position), &position), STATUS_SUCCESS);
    EXPECT_EQ(file->CurrentByteOffset.QuadPart, 4096);
    position.CurrentByteOffset.QuadPart = 0;
    EXPECT_EQ(IoQueryFileInformation(file, FilePositionInformation, sizeof(position), &position, &returned),
              STATUS_SUCCESS);
    EXPECT_EQ(position.CurrentByteOffset.QuadPart, 4096);
    position.CurrentByteOffset.QuadPart = -1;
    EXPECT_EQ(IoSetInformation(file, FilePositionInformation, sizeof(position), &position), STATUS_INVALID_PARAMETER);
    EXPECT_EQ(file->CurrentByteOffset.QuadPart, 4096);

    FILE_FS_DEVICE_INFORMATION device{};
    EXPECT_EQ(IoQueryVolumeInformation(file, FileFsDeviceInformation, sizeof(device), &device, &returned),
              STATUS_SUCCESS);
    EXPECT_EQ(device.DeviceType, static_cast<DEVICE_TYPE>(FILE_DEVICE_UNKNOWN));
    EXPECT_EQ(returned, sizeof(device));
    EXPECT_TRUE(g_state.take().empty());
    EXPECT_EQ(NtClose(handle), STATUS_SUCCESS);
}

TEST_F(IoInformationTest, a_driver_without_the_major_function_refuses_it) {
    load();
    HANDLE handle = nullptr;
    PFILE_OBJECT file = open_synchronous(&handle);
    ASSERT_NE(file, nullptr);
    FILE_END_OF_FILE_INFORMATION eof{};
    eof.EndOfFile.QuadPart = 10;
    EXPECT_EQ(IoSetInformation(file, FileEndOfFileInformation, sizeof(eof), &eof), STATUS_INVALID_DEVICE_REQUEST);
    FILE_FS_SIZE_INFORMATION size{};
    ULONG returned = 0xdead;
    EXPECT_EQ(IoQueryVolumeInformation(file, FileFsSizeInformation, sizeof(size), &size, &returned),
              STATUS_INVALID_DEVICE_REQUEST);
    EXPECT_EQ(returned, 0u);
    EXPECT_EQ(NtClose(handle), STATUS_SUCCESS);
}

TEST_F(IoInformationTest, class_rules_and_missing_arguments_are_refused_first) {
    load();
    HANDLE handle = nullptr;
    PFILE_OBJECT file = open_synchronous(&handle);
    ASSERT_NE(file, nullptr);
    g_state.take();
    ULONG returned = 0;
    FILE_BASIC_INFORMATION basic{};
    EXPECT_EQ(IoQueryFileInformation(file, FileBasicInformation, sizeof(basic) - 1, &basic, &returned),
              STATUS_INFO_LENGTH_MISMATCH);
    EXPECT_EQ(IoQueryFileInformation(file, FileEndOfFileInformation, 64, &basic, &returned),
              STATUS_INVALID_INFO_CLASS);  // set only
    EXPECT_EQ(IoQueryFileInformation(file, FileBasicInformation, sizeof(basic), &basic, nullptr),
              STATUS_INVALID_PARAMETER);
    EXPECT_EQ(IoQueryFileInformation(nullptr, FileBasicInformation, sizeof(basic), &basic, &returned),
              STATUS_INVALID_PARAMETER);
    EXPECT_EQ(IoSetInformation(file, FileStandardInformation, 64, &basic), STATUS_INVALID_INFO_CLASS);
    EXPECT_EQ(IoSetInformation(file, FileBasicInformation, sizeof(basic) - 1, &basic), STATUS_INFO_LENGTH_MISMATCH);
    EXPECT_EQ(IoSetInformation(file, FileBasicInformation, sizeof(basic), nullptr), STATUS_INVALID_PARAMETER);
    FILE_FS_LABEL_INFORMATION label{};
    EXPECT_EQ(IoQueryVolumeInformation(file, FileFsLabelInformation, sizeof(label), &label, &returned),
              STATUS_INVALID_INFO_CLASS);
    EXPECT_EQ(IoQueryVolumeInformation(file, FileFsSizeInformation, 1, &label, &returned), STATUS_INFO_LENGTH_MISMATCH);
    EXPECT_EQ(IoQueryVolumeInformation(file, FileFsDeviceInformation, sizeof(FILE_FS_DEVICE_INFORMATION), nullptr,
                                       &returned),
              STATUS_INVALID_PARAMETER);
    EXPECT_TRUE(g_state.take().empty());
    EXPECT_EQ(NtClose(handle), STATUS_SUCCESS);
}

}  // namespace ntio::io::files_test::io_information
