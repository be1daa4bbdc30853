// FileModeInformation on the named-pipe file system's root, `\??\PIPE\` (NT fact I11's "the same for
// \??\PIPE\"): the I/O manager answers it from the create options, whatever the file system is.
#include "pipe_test_support.hpp"
#include "support/mode_cases.hpp"

namespace ntio::test::pipes {
namespace {

using PipeModeInformation = SystemTest;

TEST_F(PipeModeInformation, I11_the_pipe_root_reports_the_mode_of_its_create_options) {
    expect_root_mode_follows_create_options(L"\\??\\PIPE\\");
}

}  // namespace
}  // namespace ntio::test::pipes
