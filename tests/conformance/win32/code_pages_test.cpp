// MultiByteToWideChar / WideCharToMultiByte on the UTF-8 code pages: sizes asked for, terminators
// with -1, ill-formed input replaced or refused, too small buffers and bad arguments with the errors
// their pages give; GetACP and lstrlen.
#include "win32_test_support.hpp"

namespace ntio::test {
namespace {

TEST_F(Win32Test, multi_byte_to_wide_char_converts_utf8) {
    const char text[] = "h\xC3\xA9llo \xF0\x9F\x98\x80";  // héllo 😀: 6 + 1 + 2 units
    EXPECT_EQ(GetACP(), UINT(CP_UTF8));
    EXPECT_TRUE(IsValidCodePage(CP_UTF8));
    EXPECT_FALSE(IsValidCodePage(12345));
    // The size asked for, then the conversion; -1 counts the terminator.
    EXPECT_EQ(MultiByteToWideChar(CP_UTF8, 0, text, -1, nullptr, 0), 9);
    EXPECT_EQ(MultiByteToWideChar(CP_UTF8, 0, text, int(sizeof text - 1), nullptr, 0), 8);
    WCHAR wide[16] = {};
    ASSERT_EQ(MultiByteToWideChar(CP_UTF8, 0, text, -1, wide, 16), 9);
    const WCHAR expected[] = {u'h', 0xE9, u'l', u'l', u'o', u' ', 0xD83D, 0xDE00, 0};
    for (int i = 0; i < 9; ++i) EXPECT_EQ(wide[i], expected[i]) << i;
    // The ANSI code page is UTF-8 and takes the flags a Windows ANSI code page takes.
    WCHAR acp[16] = {};
    EXPECT_EQ(MultiByteToWideChar(CP_ACP, MB_PRECOMPOSED, text, -1, acp, 16), 9);
    EXPECT_EQ(acp[1], WCHAR(0xE9));

    // Too small: nothing is returned.
    EXPECT_EQ(MultiByteToWideChar(CP_UTF8, 0, text, -1, wide, 8), 0);
    EXPECT_EQ(GetLastError(), DWORD(ERROR_INSUFFICIENT_BUFFER));
    // Ill-formed: U+FFFD, or refused with MB_ERR_INVALID_CHARS.
    const char bad[] = "a\xFF" "b";
    ASSERT_EQ(MultiByteToWideChar(CP_UTF8, 0, bad, 3, wide, 16), 3);
    EXPECT_EQ(wide[1], WCHAR(0xFFFD));
    EXPECT_EQ(MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS, bad, 3, wide, 16), 0);
    EXPECT_EQ(GetLastError(), DWORD(ERROR_NO_UNICODE_TRANSLATION));
    // Bad arguments.
    EXPECT_EQ(MultiByteToWideChar(CP_UTF8, MB_PRECOMPOSED, text, -1, wide, 16), 0);
    EXPECT_EQ(GetLastError(), DWORD(ERROR_INVALID_FLAGS));
    EXPECT_EQ(MultiByteToWideChar(CP_UTF8, 0, text, 0, wide, 16), 0);
    EXPECT_EQ(GetLastError(), DWORD(ERROR_INVALID_PARAMETER));
    EXPECT_EQ(MultiByteToWideChar(CP_UTF8, 0, nullptr, 3, wide, 16), 0);
    EXPECT_EQ(GetLastError(), DWORD(ERROR_INVALID_PARAMETER));
    EXPECT_EQ(MultiByteToWideChar(CP_UTF8, 0, text, -1, nullptr, 16), 0);
    EXPECT_EQ(GetLastError(), DWORD(ERROR_INVALID_PARAMETER));
    EXPECT_EQ(MultiByteToWideChar(12345, 0, text, -1, wide, 16), 0);
    EXPECT_EQ(GetLastError(), DWORD(ERROR_INVALID_PARAMETER));
}

TEST_F(Win32Test, wide_char_to_multi_byte_converts_to_utf8) {
    const WCHAR text[] = {u'h', 0xE9, 0xD83D, 0xDE00, 0};
    EXPECT_EQ(WideCharToMultiByte(CP_UTF8, 0, text, -1, nullptr, 0, nullptr, nullptr), 8);
    char out[16] = {};
    ASSERT_EQ(WideCharToMultiByte(CP_UTF8, 0, text, -1, out, 16, nullptr, nullptr), 8);
    EXPECT_STREQ(out, "h\xC3\xA9\xF0\x9F\x98\x80");
    EXPECT_EQ(WideCharToMultiByte(CP_UTF8, 0, text, 2, out, 16, nullptr, nullptr), 3);
    EXPECT_EQ(WideCharToMultiByte(CP_UTF8, 0, text, -1, out, 7, nullptr, nullptr), 0);
    EXPECT_EQ(GetLastError(), DWORD(ERROR_INSUFFICIENT_BUFFER));
    // An unpaired surrogate: U+FFFD (EF BF BD), or refused with WC_ERR_INVALID_CHARS.
    const WCHAR lone[] = {u'a', 0xD800, u'b'};
    ASSERT_EQ(WideCharToMultiByte(CP_UTF8, 0, lone, 3, out, 16, nullptr, nullptr), 5);
    EXPECT_EQ(std::string(out, 5), "a\xEF\xBF\xBD" "b");
    EXPECT_EQ(WideCharToMultiByte(CP_UTF8, WC_ERR_INVALID_CHARS, lone, 3, out, 16, nullptr, nullptr), 0);
    EXPECT_EQ(GetLastError(), DWORD(ERROR_NO_UNICODE_TRANSLATION));
    // CP_UTF8 takes no default character; the ANSI code page does, and never needs it.
    BOOL used = TRUE;
    EXPECT_EQ(WideCharToMultiByte(CP_UTF8, 0, text, -1, out, 16, nullptr, &used), 0);
    EXPECT_EQ(GetLastError(), DWORD(ERROR_INVALID_PARAMETER));
    EXPECT_EQ(WideCharToMultiByte(CP_ACP, WC_NO_BEST_FIT_CHARS, text, -1, out, 16, "?", &used), 8);
    EXPECT_FALSE(used);
    EXPECT_EQ(WideCharToMultiByte(CP_UTF8, WC_COMPOSITECHECK, text, -1, out, 16, nullptr, nullptr), 0);
    EXPECT_EQ(GetLastError(), DWORD(ERROR_INVALID_FLAGS));
    EXPECT_EQ(WideCharToMultiByte(CP_UTF8, 0, text, 0, out, 16, nullptr, nullptr), 0);
    EXPECT_EQ(GetLastError(), DWORD(ERROR_INVALID_PARAMETER));

    EXPECT_EQ(lstrlenW(text), 4);
    EXPECT_EQ(lstrlenA("h\xC3\xA9"), 3);
    EXPECT_EQ(lstrlenW(nullptr), 0);
    EXPECT_EQ(lstrlenA(nullptr), 0);
}

}  // namespace
}  // namespace ntio::test
