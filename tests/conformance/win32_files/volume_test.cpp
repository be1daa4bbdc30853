// kernel32's MS-DOS device names and volume queries on the W32Fs test file system: DefineDosDevice
// pushing and removing mappings, QueryDosDevice, GetLogicalDrives / GetLogicalDriveStrings,
// GetDriveType, GetVolumeInformation(ByHandle) and GetDiskFreeSpace(Ex) (the driver has no
// FileFsFullSizeInformation, so the size comes from FileFsSizeInformation). Contracts from the Microsoft
// Learn page of each call; expected values are the driver's constants.
#include <string>
#include <vector>

#include "win32_files_driver.hpp"

namespace ntio::test::win32_files {
namespace volume_calls {

// The strings of a MULTI_SZ of `count` characters (which end in two NULs).
std::vector<std::string> split(const WCHAR* text, DWORD count) {
    std::vector<std::string> out;
    std::size_t start = 0;
    for (std::size_t i = 0; i + 1 < count; ++i) {
        if (text[i] == 0) {
            out.push_back(narrow(text + start, i - start));
            start = i + 1;
        }
    }
    return out;
}

std::vector<std::string> query_dos_device(const wchar_t* name) {
    WCHAR buffer[512];
    const DWORD n = QueryDosDeviceW(name, buffer, 512);
    if (n == 0) return {"error " + std::to_string(GetLastError())};
    return split(buffer, n);
}

constexpr DWORD bit(char letter) { return 1u << (letter - 'A'); }

class VolumeTest : public Win32FilesTest {
protected:
    void TearDown() override {
        // The names are permanent: take away what a failed test left behind.
        for (const wchar_t* name : {L"Q:", L"R:"})
            while (DefineDosDeviceW(DDD_REMOVE_DEFINITION, name, nullptr)) {
            }
        Win32FilesTest::TearDown();
    }
};

TEST_F(VolumeTest, DefineDosDeviceMakesADriveLetterThatQueryAndRemoveSee) {
    ASSERT_EQ(GetLogicalDrives() & bit('Q'), 0u);
    ASSERT_TRUE(DefineDosDeviceW(DDD_RAW_TARGET_PATH, L"Q:", L"\\Device\\W32Fs")) << GetLastError();
    EXPECT_NE(GetLogicalDrives() & bit('Q'), 0u);
    // "If the function succeeds, the return value is the number of TCHARs stored": the target, its
    // NUL and the final NUL.
    WCHAR buffer[64];
    EXPECT_EQ(QueryDosDeviceW(L"Q:", buffer, 64), DWORD(13 + 2));
    EXPECT_EQ(query_dos_device(L"Q:"), (std::vector<std::string>{"\\Device\\W32Fs"}));
    // "If the buffer is too small, the function fails and the last error code is ERROR_INSUFFICIENT_BUFFER."
    SetLastError(0);
    EXPECT_EQ(QueryDosDeviceW(L"Q:", buffer, 14), 0u);
    EXPECT_EQ(GetLastError(), DWORD(ERROR_INSUFFICIENT_BUFFER));
    char ansi[64];
    EXPECT_EQ(QueryDosDeviceA("q:", ansi, 64), DWORD(15));
    EXPECT_EQ(std::string(ansi, 15), std::string("\\Device\\W32Fs\0\0", 15));

    // Files open through the new letter.
    HANDLE h = CreateFileW(L"Q:\\dir\\alpha.txt", GENERIC_READ, FILE_SHARE_READ, nullptr, OPEN_EXISTING, 0, nullptr);
    ASSERT_NE(h, INVALID_HANDLE_VALUE) << GetLastError();
    EXPECT_EQ(GetFileSize(h, nullptr), 10u);
    EXPECT_TRUE(CloseHandle(h));

    ASSERT_TRUE(DefineDosDeviceW(DDD_REMOVE_DEFINITION, L"Q:", nullptr)) << GetLastError();
    EXPECT_EQ(GetLogicalDrives() & bit('Q'), 0u);
    EXPECT_EQ(QueryDosDeviceW(L"Q:", buffer, 64), 0u);
    EXPECT_EQ(GetLastError(), DWORD(ERROR_FILE_NOT_FOUND));
    EXPECT_EQ(CreateFileW(L"Q:\\dir\\alpha.txt", GENERIC_READ, 0, nullptr, OPEN_EXISTING, 0, nullptr),
              INVALID_HANDLE_VALUE);
    EXPECT_EQ(GetLastError(), DWORD(ERROR_PATH_NOT_FOUND));
}

TEST_F(VolumeTest, RedefinitionsStackAndRemovalRevealsThePreviousMapping) {
    ASSERT_TRUE(DefineDosDeviceW(DDD_RAW_TARGET_PATH, L"Q:", L"\\Device\\W32Fs"));
    ASSERT_TRUE(DefineDosDeviceW(DDD_RAW_TARGET_PATH, L"Q:", L"\\Device\\W32FsOther"));
    ASSERT_TRUE(DefineDosDeviceW(DDD_RAW_TARGET_PATH, L"Q:", L"\\Device\\W32FsChar"));
    // "The first null-terminated string stored into the buffer is the current mapping for the device.
    // The other null-terminated strings represent undeleted prior mappings for the device."
    EXPECT_EQ(query_dos_device(L"Q:"),
              (std::vector<std::string>{"\\Device\\W32FsChar", "\\Device\\W32FsOther", "\\Device\\W32Fs"}));
    // Exact match: the oldest one goes, the current one stays.
    ASSERT_TRUE(DefineDosDeviceW(DDD_RAW_TARGET_PATH | DDD_REMOVE_DEFINITION | DDD_EXACT_MATCH_ON_REMOVE, L"Q:",
                                 L"\\Device\\W32Fs"))
        << GetLastError();
    EXPECT_EQ(query_dos_device(L"Q:"), (std::vector<std::string>{"\\Device\\W32FsChar", "\\Device\\W32FsOther"}));
    // Nothing matches all of "\Device\W32Fs" any more.
    EXPECT_FALSE(DefineDosDeviceW(DDD_RAW_TARGET_PATH | DDD_REMOVE_DEFINITION | DDD_EXACT_MATCH_ON_REMOVE, L"Q:",
                                  L"\\Device\\W32Fs"));
    EXPECT_EQ(GetLastError(), DWORD(ERROR_FILE_NOT_FOUND));
    // Without DDD_EXACT_MATCH_ON_REMOVE the target is matched "against a prefix of each mapping": the
    // first (newest) mapping starting with "\Device\W32Fs" goes.
    ASSERT_TRUE(DefineDosDeviceW(DDD_RAW_TARGET_PATH | DDD_REMOVE_DEFINITION, L"Q:", L"\\Device\\W32Fs"));
    EXPECT_EQ(query_dos_device(L"Q:"), (std::vector<std::string>{"\\Device\\W32FsOther"}));
    // A NULL target "will remove the first mapping ... If there is nothing left to pop, the device name
    // will be removed."
    ASSERT_TRUE(DefineDosDeviceW(DDD_REMOVE_DEFINITION, L"Q:", L""));
    EXPECT_EQ(query_dos_device(L"Q:"), (std::vector<std::string>{"error 2"}));
    EXPECT_FALSE(DefineDosDeviceW(DDD_REMOVE_DEFINITION, L"Q:", nullptr));
    EXPECT_EQ(GetLastError(), DWORD(ERROR_FILE_NOT_FOUND));
}

TEST_F(VolumeTest, AnMsDosTargetIsConvertedToItsNtName) {
    ASSERT_TRUE(DefineDosDeviceW(DDD_RAW_TARGET_PATH, L"Q:", L"\\Device\\W32Fs"));
    // "Otherwise, it is converted from an MS-DOS path to a path": R: is Q:\dir.
    ASSERT_TRUE(DefineDosDeviceA(0, "R:", "Q:\\dir")) << GetLastError();
    EXPECT_EQ(query_dos_device(L"R:"), (std::vector<std::string>{"\\??\\Q:\\dir"}));
    HANDLE h = CreateFileW(L"R:\\beta.txt", GENERIC_READ, FILE_SHARE_READ, nullptr, OPEN_EXISTING, 0, nullptr);
    ASSERT_NE(h, INVALID_HANDLE_VALUE) << GetLastError();
    EXPECT_EQ(GetFileSize(h, nullptr), 5000u);
    EXPECT_TRUE(CloseHandle(h));
    EXPECT_TRUE(DefineDosDeviceA(DDD_REMOVE_DEFINITION | DDD_EXACT_MATCH_ON_REMOVE, "R:", "Q:\\dir"))
        << GetLastError();
    EXPECT_EQ(GetLogicalDrives() & bit('R'), 0u);
}

TEST_F(VolumeTest, QueryDosDeviceWithoutANameListsEveryName) {
    ASSERT_TRUE(DefineDosDeviceW(DDD_RAW_TARGET_PATH, L"Q:", L"\\Device\\W32Fs"));
    std::vector<WCHAR> buffer(65536);
    const DWORD n = QueryDosDeviceW(nullptr, buffer.data(), DWORD(buffer.size()));
    ASSERT_NE(n, 0u) << GetLastError();
    EXPECT_EQ(buffer[n - 1], 0);
    EXPECT_EQ(buffer[n - 2], 0);
    const std::vector<std::string> names = split(buffer.data(), n);
    auto has = [&](const char* name) {
        for (const auto& s : names)
            if (s == name) return true;
        return false;
    };
    EXPECT_TRUE(has("Q:"));
    EXPECT_TRUE(has("W32Fs"));  // the driver's \DosDevices\W32Fs
    EXPECT_TRUE(has("W32FsChar"));
    std::size_t total = 1;
    for (const auto& s : names) total += s.size() + 1;
    EXPECT_EQ(n, DWORD(total));
    SetLastError(0);
    EXPECT_EQ(QueryDosDeviceW(nullptr, buffer.data(), n - 1), 0u);
    EXPECT_EQ(GetLastError(), DWORD(ERROR_INSUFFICIENT_BUFFER));
}

TEST_F(VolumeTest, LogicalDriveStringsListTheLetters) {
    ASSERT_TRUE(DefineDosDeviceW(DDD_RAW_TARGET_PATH, L"Q:", L"\\Device\\W32Fs"));
    ASSERT_TRUE(DefineDosDeviceW(DDD_RAW_TARGET_PATH, L"R:", L"\\Device\\W32Fs"));
    const DWORD mask = GetLogicalDrives();
    DWORD letters = 0;
    for (DWORD m = mask; m; m &= m - 1) ++letters;
    // "If the buffer is not large enough, the return value is greater than nBufferLength. It is the
    // size of the buffer required to hold the drive strings."
    EXPECT_EQ(GetLogicalDriveStringsW(0, nullptr), letters * 4 + 1);
    WCHAR buffer[26 * 4 + 1];
    EXPECT_EQ(GetLogicalDriveStringsW(letters * 4, buffer), letters * 4 + 1);
    // "the length, in characters, of the strings copied to the buffer, not including the terminating
    // null character"
    ASSERT_EQ(GetLogicalDriveStringsW(26 * 4 + 1, buffer), letters * 4);
    std::vector<std::string> expected;
    for (int i = 0; i < 26; ++i)
        if (mask & (1u << i)) expected.push_back(std::string(1, char('A' + i)) + ":\\");
    EXPECT_EQ(split(buffer, letters * 4 + 1), expected);
    char ansi[26 * 4 + 1];
    ASSERT_EQ(GetLogicalDriveStringsA(sizeof(ansi), ansi), letters * 4);
    EXPECT_NE(std::string(ansi, letters * 4).find("Q:\\"), std::string::npos);
}

TEST_F(VolumeTest, DriveTypeComesFromTheDevice) {
    ASSERT_TRUE(DefineDosDeviceW(DDD_RAW_TARGET_PATH, L"Q:", L"\\Device\\W32Fs"));
    // A FILE_DEVICE_DISK_FILE_SYSTEM device without FILE_REMOVABLE_MEDIA: fixed.
    EXPECT_EQ(GetDriveTypeW(L"Q:\\"), UINT(DRIVE_FIXED));
    EXPECT_EQ(GetDriveTypeW(L"Q:"), UINT(DRIVE_FIXED));
    EXPECT_EQ(GetDriveTypeA("q:\\"), UINT(DRIVE_FIXED));
    // DRIVE_NO_ROOT_DIR: "The root path is invalid; for example, there is no volume mounted at the
    // specified path."
    EXPECT_EQ(GetDriveTypeW(L"Q:\\dir\\"), UINT(DRIVE_NO_ROOT_DIR));
    EXPECT_EQ(GetDriveTypeW(L"R:\\"), UINT(DRIVE_NO_ROOT_DIR));
    EXPECT_EQ(GetDriveTypeW(L""), UINT(DRIVE_NO_ROOT_DIR));
}

TEST_F(VolumeTest, VolumeInformationReportsLabelSerialAndFileSystem) {
    ASSERT_TRUE(DefineDosDeviceW(DDD_RAW_TARGET_PATH, L"Q:", L"\\Device\\W32Fs"));
    WCHAR label[MAX_PATH + 1] = {};
    WCHAR file_system[MAX_PATH + 1] = {};
    DWORD serial = 0, max_component = 0, flags = 0;
    ASSERT_TRUE(GetVolumeInformationW(L"Q:\\", label, MAX_PATH + 1, &serial, &max_component, &flags, file_system,
                                      MAX_PATH + 1))
        << GetLastError();
    EXPECT_EQ(narrow(label), "W32FS");
    EXPECT_EQ(serial, kVolumeSerial);
    EXPECT_EQ(max_component, kMaximumComponentLength);
    EXPECT_EQ(flags, kFileSystemAttributes);
    EXPECT_EQ(narrow(file_system), "W32FSFS");
    // Every output is optional.
    EXPECT_TRUE(GetVolumeInformationW(L"Q:\\", nullptr, 0, nullptr, nullptr, nullptr, nullptr, 0));
    // Exactly large enough, and one character short (ERROR_BAD_LENGTH, as kernel32 reports it).
    EXPECT_TRUE(GetVolumeInformationW(L"Q:\\", label, 6, nullptr, nullptr, nullptr, file_system, 8));
    SetLastError(0);
    EXPECT_FALSE(GetVolumeInformationW(L"Q:\\", label, 5, nullptr, nullptr, nullptr, nullptr, 0));
    EXPECT_EQ(GetLastError(), DWORD(ERROR_BAD_LENGTH));
    EXPECT_FALSE(GetVolumeInformationW(L"Q:\\", nullptr, 0, nullptr, nullptr, nullptr, file_system, 7));
    EXPECT_EQ(GetLastError(), DWORD(ERROR_BAD_LENGTH));

    char ansi_label[16] = {};
    char ansi_fs[16] = {};
    ASSERT_TRUE(GetVolumeInformationA("Q:\\", ansi_label, 16, &serial, nullptr, nullptr, ansi_fs, 16));
    EXPECT_EQ(std::string(ansi_label), "W32FS");
    EXPECT_EQ(std::string(ansi_fs), "W32FSFS");

    // By handle: any file of the volume.
    HANDLE h = CreateFileW(L"Q:\\dir\\alpha.txt", GENERIC_READ, FILE_SHARE_READ, nullptr, OPEN_EXISTING, 0, nullptr);
    ASSERT_NE(h, INVALID_HANDLE_VALUE) << GetLastError();
    serial = 0;
    ASSERT_TRUE(GetVolumeInformationByHandleW(h, label, MAX_PATH + 1, &serial, nullptr, nullptr, file_system,
                                              MAX_PATH + 1))
        << GetLastError();
    EXPECT_EQ(narrow(label), "W32FS");
    EXPECT_EQ(serial, kVolumeSerial);
    EXPECT_TRUE(CloseHandle(h));
    EXPECT_FALSE(GetVolumeInformationByHandleW(INVALID_HANDLE_VALUE, label, MAX_PATH + 1, nullptr, nullptr, nullptr,
                                               nullptr, 0));
    EXPECT_EQ(GetLastError(), DWORD(ERROR_INVALID_HANDLE));
}

TEST_F(VolumeTest, VolumeInformationWantsTheRootWithItsBackslash) {
    ASSERT_TRUE(DefineDosDeviceW(DDD_RAW_TARGET_PATH, L"Q:", L"\\Device\\W32Fs"));
    DWORD serial = 0;
    // "Q:" is the current directory of drive Q:, here its root (the process is on another drive).
    EXPECT_TRUE(GetVolumeInformationW(L"Q:", nullptr, 0, &serial, nullptr, nullptr, nullptr, 0)) << GetLastError();
    EXPECT_EQ(serial, kVolumeSerial);
    // A directory below the root: ERROR_DIR_NOT_ROOT with the backslash, ERROR_INVALID_NAME without.
    EXPECT_FALSE(GetVolumeInformationW(L"Q:\\dir\\", nullptr, 0, &serial, nullptr, nullptr, nullptr, 0));
    EXPECT_EQ(GetLastError(), DWORD(ERROR_DIR_NOT_ROOT));
    EXPECT_FALSE(GetVolumeInformationW(L"Q:\\dir", nullptr, 0, &serial, nullptr, nullptr, nullptr, 0));
    EXPECT_EQ(GetLastError(), DWORD(ERROR_INVALID_NAME));
    // A letter nothing is linked at: the object manager finds no "R:" with "\\" still to parse,
    // STATUS_OBJECT_PATH_NOT_FOUND, ERROR_PATH_NOT_FOUND as on Windows.
    SetLastError(0);
    EXPECT_FALSE(GetVolumeInformationW(L"R:\\", nullptr, 0, &serial, nullptr, nullptr, nullptr, 0));
    EXPECT_EQ(GetLastError(), DWORD(ERROR_PATH_NOT_FOUND));
    // The "\\?\" and "\\.\" forms of the root work too.
    serial = 0;
    EXPECT_TRUE(GetVolumeInformationW(L"\\\\?\\Q:\\", nullptr, 0, &serial, nullptr, nullptr, nullptr, 0))
        << GetLastError();
    EXPECT_EQ(serial, kVolumeSerial);
}

TEST_F(VolumeTest, DiskFreeSpaceFallsBackToTheSizeClass) {
    ASSERT_TRUE(DefineDosDeviceW(DDD_RAW_TARGET_PATH, L"Q:", L"\\Device\\W32Fs"));
    DWORD sectors = 0, bytes = 0, free_clusters = 0, total_clusters = 0;
    ASSERT_TRUE(GetDiskFreeSpaceW(L"Q:\\", &sectors, &bytes, &free_clusters, &total_clusters)) << GetLastError();
    EXPECT_EQ(sectors, kSectorsPerUnit);
    EXPECT_EQ(bytes, kBytesPerSector);
    EXPECT_EQ(free_clusters, kFreeUnits);
    EXPECT_EQ(total_clusters, kTotalUnits);
    EXPECT_TRUE(GetDiskFreeSpaceA("Q:\\", nullptr, nullptr, nullptr, nullptr));

    const ULONGLONG unit = ULONGLONG(kSectorsPerUnit) * kBytesPerSector;
    ULARGE_INTEGER caller{}, total{}, total_free{};
    // "This parameter does not have to specify the root directory on a disk."
    ASSERT_TRUE(GetDiskFreeSpaceExW(L"Q:\\dir\\sub", &caller, &total, &total_free)) << GetLastError();
    EXPECT_EQ(caller.QuadPart, kFreeUnits * unit);
    EXPECT_EQ(total.QuadPart, kTotalUnits * unit);
    EXPECT_EQ(total_free.QuadPart, kFreeUnits * unit);
    total.QuadPart = 0;
    ASSERT_TRUE(GetDiskFreeSpaceExA("Q:\\", nullptr, &total, nullptr));
    EXPECT_EQ(total.QuadPart, kTotalUnits * unit);
    // A file is not a directory; a missing directory is not found.
    EXPECT_FALSE(GetDiskFreeSpaceExW(L"Q:\\dir\\alpha.txt", &caller, nullptr, nullptr));
    EXPECT_EQ(GetLastError(), DWORD(ERROR_DIRECTORY));
    EXPECT_FALSE(GetDiskFreeSpaceExW(L"R:\\dir", &caller, nullptr, nullptr));
    EXPECT_EQ(GetLastError(), DWORD(ERROR_PATH_NOT_FOUND));
}

TEST_F(VolumeTest, BadInputGivesTheWin32Errors) {
    EXPECT_FALSE(DefineDosDeviceW(DDD_RAW_TARGET_PATH, nullptr, L"\\Device\\W32Fs"));
    EXPECT_EQ(GetLastError(), DWORD(ERROR_INVALID_PARAMETER));
    EXPECT_FALSE(DefineDosDeviceW(0x100, L"Q:", L"\\Device\\W32Fs"));
    EXPECT_EQ(GetLastError(), DWORD(ERROR_INVALID_PARAMETER));
    // "A trailing backslash is never permitted."
    EXPECT_FALSE(DefineDosDeviceW(DDD_RAW_TARGET_PATH, L"Q:\\", L"\\Device\\W32Fs"));
    EXPECT_EQ(GetLastError(), DWORD(ERROR_INVALID_NAME));
    EXPECT_FALSE(DefineDosDeviceW(DDD_RAW_TARGET_PATH, L"", L"\\Device\\W32Fs"));
    EXPECT_EQ(GetLastError(), DWORD(ERROR_INVALID_NAME));
    // A definition needs a target.
    EXPECT_FALSE(DefineDosDeviceW(DDD_RAW_TARGET_PATH, L"Q:", nullptr));
    EXPECT_EQ(GetLastError(), DWORD(ERROR_INVALID_PARAMETER));
    EXPECT_FALSE(DefineDosDeviceA(0, "Q:", ""));
    EXPECT_EQ(GetLastError(), DWORD(ERROR_INVALID_PARAMETER));
    EXPECT_EQ(GetLogicalDrives() & bit('Q'), 0u);
    // No buffer is a buffer too small.
    ASSERT_TRUE(DefineDosDeviceW(DDD_RAW_TARGET_PATH, L"Q:", L"\\Device\\W32Fs"));
    EXPECT_EQ(QueryDosDeviceW(L"Q:", nullptr, 100), 0u);
    EXPECT_EQ(GetLastError(), DWORD(ERROR_INSUFFICIENT_BUFFER));
    EXPECT_EQ(QueryDosDeviceW(L"NoSuchDevice", nullptr, 0), 0u);
    EXPECT_EQ(GetLastError(), DWORD(ERROR_FILE_NOT_FOUND));
}

}  // namespace volume_calls
}  // namespace ntio::test::win32_files
