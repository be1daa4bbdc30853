// FileModeInformation on the mailslot file system's root, `\??\MAILSLOT\` (NT fact I11's "the same
// for \??\MAILSLOT\"): the I/O manager answers it from the create options, whatever the file system.
#include "mailslot_test_support.hpp"
#include "support/mode_cases.hpp"

namespace ntio::test::mailslots {
namespace {

TEST_F(MailslotTest, I11_the_mailslot_root_reports_the_mode_of_its_create_options) {
    expect_root_mode_follows_create_options(L"\\??\\MAILSLOT\\");
}

}  // namespace
}  // namespace ntio::test::mailslots
