// FileModeInformation on the mailslot file system's root, `\??\MAILSLOT\` (NT fact I11's "the same
// for \??\MAILSLOT\"): the I/O manager answers it from the create options, whatever the file system.
#include "mailslot_test_support.hpp"

namespace ntio::test::mailslots {
namespace {

TEST_F(MailslotTest, I11_the_mailslot_root_reports_the_mode_of_its_create_options) {
    struct {
        ULONG options;
        ULONG mode;
    } cases[] = {
        {0, 0},
        {FILE_WRITE_THROUGH, FILE_WRITE_THROUGH},
        {FILE_SEQUENTIAL_ONLY, FILE_SEQUENTIAL_ONLY},
        {FILE_NO_INTERMEDIATE_BUFFERING, FILE_NO_INTERMEDIATE_BUFFERING},
        {FILE_SYNCHRONOUS_IO_ALERT, FILE_SYNCHRONOUS_IO_ALERT},
        {FILE_SYNCHRONOUS_IO_NONALERT, FILE_SYNCHRONOUS_IO_NONALERT},
        {FILE_NON_DIRECTORY_FILE, 0},
        {FILE_DELETE_ON_CLOSE, 0},
        {FILE_RANDOM_ACCESS, 0},
        {FILE_NO_COMPRESSION, 0},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.options);
        ObjectName root(L"\\??\\MAILSLOT\\");
        HANDLE h = nullptr;
        IO_STATUS_BLOCK iosb{};
        ASSERT_EQ(NtCreateFile(&h, FILE_READ_ATTRIBUTES | DELETE | SYNCHRONIZE, root.get(), &iosb, nullptr, 0,
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

}  // namespace
}  // namespace ntio::test::mailslots
