// NtDisplayString / ZwDisplayString: SeTcbPrivilege for a user-mode caller (which no interactive
// token holds), capture of the caller's string, and the text on the debug output (ntio has no
// boot display).
#include "nt_test_support.hpp"

namespace ntio::test {
namespace {

using DisplayStringTest = SystemTest;

TEST_F(DisplayStringTest, user_caller_without_tcb_privilege_is_refused) {
    UNICODE_STRING text;
    RtlInitUnicodeString(&text, L"refused\n");
    testing::internal::CaptureStderr();
    const NTSTATUS status = NtDisplayString(&text);
    const std::string written = testing::internal::GetCapturedStderr();
    EXPECT_EQ(status, STATUS_PRIVILEGE_NOT_HELD);
    EXPECT_EQ(written.find("refused"), std::string::npos);
}

TEST_F(DisplayStringTest, kernel_caller_writes_the_string_as_utf8) {
    UNICODE_STRING text;
    RtlInitUnicodeString(&text, L"ntio boot: caf\u00e9\n");
    testing::internal::CaptureStderr();
    const NTSTATUS status = ZwDisplayString(&text);
    const std::string written = testing::internal::GetCapturedStderr();
    EXPECT_EQ(status, STATUS_SUCCESS);
    EXPECT_NE(written.find("ntio boot: caf\xc3\xa9\n"), std::string::npos) << written;
}

TEST_F(DisplayStringTest, bad_strings_get_nt_statuses) {
    EXPECT_EQ(ZwDisplayString(nullptr), STATUS_INVALID_PARAMETER);
    WCHAR odd[] = L"xy";
    UNICODE_STRING bad{3, 4, odd};
    EXPECT_EQ(ZwDisplayString(&bad), STATUS_INVALID_PARAMETER);
}

}  // namespace
}  // namespace ntio::test
