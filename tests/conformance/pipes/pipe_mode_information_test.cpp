// FileModeInformation on the named-pipe file system's root, `\??\PIPE\` (NT fact I11's "the same for
// \??\PIPE\"): the I/O manager answers it from the create options, whatever the file system is.
#include "pipe_test_support.hpp"
#include "support/mode_cases.hpp"

namespace ntio::test::pipes {
namespace {

using PipeModeInformation = SystemTest;

TEST_F(PipeModeInformation, I11_the_pipe_root_reports_the_mode_of_its_create_options) {
    for (const ModeCase& c : kModeCases) {
        SCOPED_TRACE(c.options);
        ObjectName root(L"\\??\\PIPE\\");
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
}  // namespace ntio::test::pipes
