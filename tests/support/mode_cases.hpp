// NT fact I11: FileModeInformation is answered by the I/O manager from the create options, whatever
// the driver: each option a test opens with, and the mode it must report.
#pragma once

#include <gtest/gtest.h>

#include <string>

#include <ntio/ntapi.h>

namespace ntio::test {

struct ModeCase {
    ULONG options;
    ULONG mode;
};

inline constexpr ModeCase kModeCases[] = {
    {0, 0},
    {FILE_WRITE_THROUGH, FILE_WRITE_THROUGH},
    {FILE_SEQUENTIAL_ONLY, FILE_SEQUENTIAL_ONLY},
    {FILE_NO_INTERMEDIATE_BUFFERING, FILE_NO_INTERMEDIATE_BUFFERING},
    {FILE_SYNCHRONOUS_IO_ALERT, FILE_SYNCHRONOUS_IO_ALERT},
    {FILE_SYNCHRONOUS_IO_NONALERT, FILE_SYNCHRONOUS_IO_NONALERT},
    // Never reported.
    {FILE_NON_DIRECTORY_FILE, 0},
    {FILE_DELETE_ON_CLOSE, 0},
    {FILE_RANDOM_ACCESS, 0},
    {FILE_NO_COMPRESSION, 0},
};

// Opens the file-system root `root` (e.g. `\\??\\PIPE\\`) once per case and checks the mode it reports.
inline void expect_root_mode_follows_create_options(const wchar_t* root) {
    std::size_t length = 0;
    while (root[length]) ++length;
    std::u16string name(root, root + length);
    UNICODE_STRING unicode;
    unicode.Buffer = reinterpret_cast<PWCH>(name.data());
    unicode.Length = unicode.MaximumLength = static_cast<USHORT>(name.size() * sizeof(WCHAR));
    OBJECT_ATTRIBUTES attributes;
    InitializeObjectAttributes(&attributes, &unicode, OBJ_CASE_INSENSITIVE, nullptr, nullptr);
    for (const ModeCase& c : kModeCases) {
        SCOPED_TRACE(c.options);
        HANDLE h = nullptr;
        IO_STATUS_BLOCK iosb{};
        ASSERT_EQ(NtCreateFile(&h, FILE_READ_ATTRIBUTES | DELETE | SYNCHRONIZE, &attributes, &iosb, nullptr, 0,
                               FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, FILE_OPEN, c.options, nullptr, 0),
                  STATUS_SUCCESS);
        FILE_MODE_INFORMATION mode{0xffffffff};
        iosb = {};
        EXPECT_EQ(NtQueryInformationFile(h, &iosb, &mode, sizeof(mode), FileModeInformation), STATUS_SUCCESS);
        EXPECT_EQ(mode.Mode, c.mode) << std::hex << c.options;
        EXPECT_EQ(iosb.Information, sizeof(mode));
        EXPECT_EQ(NtClose(h), STATUS_SUCCESS);
    }
}

}  // namespace ntio::test
