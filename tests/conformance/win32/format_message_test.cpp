// FormatMessageA/W: system message texts (Microsoft Learn System Error Codes), ERROR_MR_MID_NOT_FOUND for
// ids the table does not hold, IGNORE_INSERTS, ALLOCATE_BUFFER with LocalFree, the line-width byte, and
// FROM_STRING with %1..%n inserts from an argument array or a va_list.
// https://learn.microsoft.com/windows/win32/api/winbase/nf-winbase-formatmessagew
#include <gtest/gtest.h>

#include <cstdarg>
#include <string>

#include <windows.h>

namespace {

std::u16string wide(const WCHAR* text) { return std::u16string(reinterpret_cast<const char16_t*>(text)); }

std::string system_message_a(DWORD error, DWORD flags = 0) {
    char buffer[512];
    DWORD n = FormatMessageA(FORMAT_MESSAGE_FROM_SYSTEM | FORMAT_MESSAGE_IGNORE_INSERTS | flags, nullptr, error, 0,
                             buffer, sizeof buffer, nullptr);
    return n ? std::string(buffer, n) : std::string("<failed ") + std::to_string(GetLastError()) + ">";
}

DWORD format_va_a(char* buffer, DWORD size, const char* format, ...) {
    va_list args;
    va_start(args, format);
    DWORD n = FormatMessageA(FORMAT_MESSAGE_FROM_STRING, format, 0, 0, buffer, size, &args);
    va_end(args);
    return n;
}

}  // namespace

TEST(Win32FormatMessage, SystemTextsEndWithCrLf) {
    EXPECT_EQ(system_message_a(ERROR_SUCCESS), "The operation completed successfully.\r\n");
    EXPECT_EQ(system_message_a(ERROR_FILE_NOT_FOUND), "The system cannot find the file specified.\r\n");
    EXPECT_EQ(system_message_a(ERROR_ACCESS_DENIED), "Access is denied.\r\n");
    EXPECT_EQ(system_message_a(ERROR_SERVICE_DOES_NOT_EXIST),
              "The specified service does not exist as an installed service.\r\n");
    EXPECT_EQ(system_message_a(ERROR_OPERATION_ABORTED),
              "The I/O operation has been aborted because of either a thread exit or an application request.\r\n");
}

TEST(Win32FormatMessage, WideAndHresultForms) {
    WCHAR buffer[128];
    DWORD n = FormatMessageW(FORMAT_MESSAGE_FROM_SYSTEM, nullptr, ERROR_INVALID_HANDLE, 0, buffer, 128, nullptr);
    EXPECT_EQ(n, 24u);
    EXPECT_EQ(wide(buffer), u"The handle is invalid.\r\n");
    // HRESULT_FROM_WIN32(ERROR_ACCESS_DENIED) finds the Win32 text.
    n = FormatMessageW(FORMAT_MESSAGE_FROM_SYSTEM, nullptr, 0x80070005u, MAKELANGID(LANG_NEUTRAL, SUBLANG_DEFAULT),
                       buffer, 128, nullptr);
    EXPECT_EQ(wide(buffer), u"Access is denied.\r\n");
    EXPECT_EQ(n, 19u);
}

TEST(Win32FormatMessage, UnknownIdIsMessageNotFound) {
    char buffer[64] = "untouched";
    SetLastError(0);
    EXPECT_EQ(FormatMessageA(FORMAT_MESSAGE_FROM_SYSTEM, nullptr, 0x3FFF0123u, 0, buffer, sizeof buffer, nullptr), 0u);
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_MR_MID_NOT_FOUND));
    // Its own text carries inserts, left as they are with IGNORE_INSERTS.
    EXPECT_EQ(system_message_a(ERROR_MR_MID_NOT_FOUND),
              "The system cannot find message text for message number 0x%1 in the message file for %2.\r\n");
}

TEST(Win32FormatMessage, InsertsWithoutArgumentsFailUnlessIgnored) {
    char buffer[128];
    SetLastError(0);
    EXPECT_EQ(FormatMessageA(FORMAT_MESSAGE_FROM_SYSTEM, nullptr, ERROR_BAD_EXE_FORMAT, 0, buffer, sizeof buffer,
                             nullptr), 0u);
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_INVALID_PARAMETER));
    EXPECT_EQ(system_message_a(ERROR_BAD_EXE_FORMAT), "%1 is not a valid Win32 application.\r\n");
    DWORD_PTR args[] = {reinterpret_cast<DWORD_PTR>("app.exe")};
    EXPECT_EQ(FormatMessageA(FORMAT_MESSAGE_FROM_SYSTEM | FORMAT_MESSAGE_ARGUMENT_ARRAY, nullptr, ERROR_BAD_EXE_FORMAT,
                             0, buffer, sizeof buffer, reinterpret_cast<va_list*>(args)), 43u);
    EXPECT_STREQ(buffer, "app.exe is not a valid Win32 application.\r\n");
}

TEST(Win32FormatMessage, SmallBufferIsInsufficientBuffer) {
    char buffer[8];
    SetLastError(0);
    EXPECT_EQ(FormatMessageA(FORMAT_MESSAGE_FROM_SYSTEM, nullptr, ERROR_ACCESS_DENIED, 0, buffer, sizeof buffer,
                             nullptr), 0u);
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_INSUFFICIENT_BUFFER));
    // Exactly the text plus its terminator fits.
    char exact[20];
    EXPECT_EQ(FormatMessageA(FORMAT_MESSAGE_FROM_SYSTEM, nullptr, ERROR_ACCESS_DENIED, 0, exact, sizeof exact, nullptr),
              19u);
}

TEST(Win32FormatMessage, AllocateBufferIsFreedWithLocalFree) {
    LPWSTR text = nullptr;
    DWORD n = FormatMessageW(FORMAT_MESSAGE_FROM_SYSTEM | FORMAT_MESSAGE_ALLOCATE_BUFFER, nullptr,
                             ERROR_SERVICE_ALREADY_RUNNING, 0, reinterpret_cast<LPWSTR>(&text), 0, nullptr);
    ASSERT_NE(text, nullptr);
    EXPECT_EQ(wide(text), u"An instance of the service is already running.\r\n");
    EXPECT_EQ(n, 48u);
    EXPECT_EQ(LocalFree(text), nullptr);
    char* narrow = nullptr;
    n = FormatMessageA(FORMAT_MESSAGE_FROM_STRING | FORMAT_MESSAGE_ALLOCATE_BUFFER, "abc", 0, 0,
                       reinterpret_cast<LPSTR>(&narrow), 100, nullptr);
    ASSERT_NE(narrow, nullptr);
    EXPECT_EQ(n, 3u);
    EXPECT_STREQ(narrow, "abc");
    EXPECT_EQ(LocalFree(narrow), nullptr);
}

TEST(Win32FormatMessage, MaxWidthMaskTurnsLineBreaksIntoBlanks) {
    EXPECT_EQ(system_message_a(ERROR_ACCESS_DENIED, FORMAT_MESSAGE_MAX_WIDTH_MASK), "Access is denied. ");
    // Hard-coded breaks (%n) stay.
    char buffer[64];
    EXPECT_EQ(FormatMessageA(FORMAT_MESSAGE_FROM_STRING | FORMAT_MESSAGE_MAX_WIDTH_MASK, "one\r\ntwo%nthree", 0, 0,
                             buffer, sizeof buffer, nullptr), 14u);
    EXPECT_STREQ(buffer, "one two\r\nthree");
}

TEST(Win32FormatMessage, WidthBreaksLinesAtBlanks) {
    char buffer[128];
    DWORD n = FormatMessageA(FORMAT_MESSAGE_FROM_SYSTEM | 20, nullptr, ERROR_SERVICE_DOES_NOT_EXIST, 0, buffer,
                             sizeof buffer, nullptr);
    EXPECT_STREQ(buffer, "The specified\r\nservice does not\r\nexist as an\r\ninstalled service. ");
    EXPECT_EQ(n, std::string(buffer).size());
}

TEST(Win32FormatMessage, FromStringArgumentArrayInserts) {
    char buffer[128];
    DWORD_PTR args[] = {reinterpret_cast<DWORD_PTR>("disk"), 42, 0xBEEF, static_cast<DWORD_PTR>(-7)};
    DWORD n = FormatMessageA(FORMAT_MESSAGE_FROM_STRING | FORMAT_MESSAGE_ARGUMENT_ARRAY,
                             "%2!u! on %1 (0x%3!04x!) %4!d!%% %1", 0, 0, buffer, sizeof buffer,
                             reinterpret_cast<va_list*>(args));
    EXPECT_STREQ(buffer, "42 on disk (0xbeef) -7% disk");
    EXPECT_EQ(n, 28u);
    // Escapes: %% %. %! %t %r %n, and %0 ends the text.
    n = FormatMessageA(FORMAT_MESSAGE_FROM_STRING, "a%%b%.%!%tc%rd%ne%0never", 0, 0, buffer, sizeof buffer, nullptr);
    EXPECT_STREQ(buffer, "a%b.!\tc\rd\r\ne");
    EXPECT_EQ(n, 12u);
}

TEST(Win32FormatMessage, FromStringWideInsertsAndStarWidth) {
    WCHAR buffer[64];
    const WCHAR* name = L"null";
    DWORD_PTR args[] = {6, reinterpret_cast<DWORD_PTR>(name), reinterpret_cast<DWORD_PTR>("ansi")};
    DWORD n = FormatMessageW(FORMAT_MESSAGE_FROM_STRING | FORMAT_MESSAGE_ARGUMENT_ARRAY, L"[%1!*s!] [%3!S!]", 0, 0,
                             buffer, 64, reinterpret_cast<va_list*>(args));
    EXPECT_EQ(wide(buffer), u"[  null] [ansi]");
    EXPECT_EQ(n, 15u);
}

TEST(Win32FormatMessage, FromStringVaList) {
    char buffer[64];
    EXPECT_EQ(format_va_a(buffer, sizeof buffer, "%2 %1!d! %3!I64u!", -5, "x", 1ULL << 40), 18u);
    EXPECT_STREQ(buffer, "x -5 1099511627776");
}

TEST(Win32FormatMessage, BadArgumentsFail) {
    char buffer[64];
    SetLastError(0);
    EXPECT_EQ(FormatMessageA(0, "text", 0, 0, buffer, sizeof buffer, nullptr), 0u);
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_INVALID_PARAMETER));
    SetLastError(0);
    EXPECT_EQ(FormatMessageA(FORMAT_MESSAGE_FROM_STRING | FORMAT_MESSAGE_FROM_SYSTEM, "text", 0, 0, buffer,
                             sizeof buffer, nullptr), 0u);
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_INVALID_PARAMETER));
    SetLastError(0);
    DWORD_PTR args[] = {1};
    EXPECT_EQ(FormatMessageA(FORMAT_MESSAGE_FROM_STRING | FORMAT_MESSAGE_ARGUMENT_ARRAY, "%1!d", 0, 0, buffer,
                             sizeof buffer, reinterpret_cast<va_list*>(args)), 0u);
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_INVALID_PARAMETER));
    // No module carries a message table.
    SetLastError(0);
    EXPECT_EQ(FormatMessageA(FORMAT_MESSAGE_FROM_HMODULE, nullptr, ERROR_ACCESS_DENIED, 0, buffer, sizeof buffer,
                             nullptr), 0u);
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_RESOURCE_TYPE_NOT_FOUND));
    // The table is English: another language is not found.
    SetLastError(0);
    EXPECT_EQ(FormatMessageA(FORMAT_MESSAGE_FROM_SYSTEM, nullptr, ERROR_ACCESS_DENIED, MAKELANGID(0x07, 0x01), buffer,
                             sizeof buffer, nullptr), 0u);
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_RESOURCE_LANG_NOT_FOUND));
}
