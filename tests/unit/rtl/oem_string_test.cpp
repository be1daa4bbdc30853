// OEM strings (ntio's OEM code page is 7-bit ASCII) and the multibyte buffer conversions (UTF-8),
// through <ntifs.h>: counted strings allocated or in caller buffers, the N forms with truncation,
// and the sizes.
// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-rtlunicodestringtooemstring
// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-rtlmultibytetounicoden
#include <gtest/gtest.h>

#include <cstring>
#include <string>

#include <ntifs.h>

#include "support/system_fixture.hpp"

namespace oem_string_test {

class OemStringTest : public ntio::test::SystemTest {};

UNICODE_STRING counted(const wchar_t* text) {
    UNICODE_STRING s;
    RtlInitUnicodeString(&s, text);
    return s;
}

TEST_F(OemStringTest, unicode_converts_to_oem_and_back_with_unmappable_characters_defaulted) {
    UNICODE_STRING source = counted(L"File\x00e9.txt");
    EXPECT_EQ(RtlxUnicodeStringToOemSize(&source), 10u);
    OEM_STRING oem{};
    ASSERT_EQ(RtlUnicodeStringToOemString(&oem, &source, TRUE), STATUS_SUCCESS);
    EXPECT_EQ(std::string(oem.Buffer, oem.Length), "File?.txt");
    EXPECT_EQ(oem.Buffer[oem.Length], '\0');
    UNICODE_STRING back{};
    EXPECT_EQ(RtlxOemStringToUnicodeSize(&oem), 20u);
    ASSERT_EQ(RtlOemStringToUnicodeString(&back, &oem, TRUE), STATUS_SUCCESS);
    EXPECT_EQ(back.Length, 18u);
    EXPECT_EQ(std::memcmp(back.Buffer, L"File?.txt", 18), 0);
    RtlFreeUnicodeString(&back);
    RtlFreeOemString(&oem);
    EXPECT_EQ(oem.Buffer, nullptr);
}

TEST_F(OemStringTest, upcasing_conversion_and_caller_buffers) {
    UNICODE_STRING source = counted(L"short.nm");
    CHAR buffer[16];
    OEM_STRING oem{0, sizeof(buffer), buffer};
    ASSERT_EQ(RtlUpcaseUnicodeStringToOemString(&oem, &source, FALSE), STATUS_SUCCESS);
    EXPECT_EQ(std::string(oem.Buffer, oem.Length), "SHORT.NM");
    // Too small: filled as far as it goes, terminated, STATUS_BUFFER_OVERFLOW.
    OEM_STRING small{0, 4, buffer};
    EXPECT_EQ(RtlUnicodeStringToOemString(&small, &source, FALSE), STATUS_BUFFER_OVERFLOW);
    EXPECT_EQ(std::string(small.Buffer, small.Length), "sho");
    // OEM bytes above 0x7F have no character in a 7-bit code page.
    CHAR high[] = {'a', static_cast<CHAR>(0x82), 'b'};
    OEM_STRING oem_high{3, 3, high};
    WCHAR wide[8];
    UNICODE_STRING out{0, sizeof(wide), wide};
    ASSERT_EQ(RtlOemStringToUnicodeString(&out, &oem_high, FALSE), STATUS_SUCCESS);
    ASSERT_EQ(out.Length, 6u);
    EXPECT_EQ(wide[0], L'a');
    EXPECT_EQ(wide[1], static_cast<WCHAR>(0xFFFD));
    UNICODE_STRING tiny{0, 4, wide};
    EXPECT_EQ(RtlOemStringToUnicodeString(&tiny, &oem_high, FALSE), STATUS_BUFFER_OVERFLOW);
}

TEST_F(OemStringTest, n_forms_report_truncation_for_oem_but_not_for_multibyte) {
    ULONG bytes = 0;
    WCHAR wide[4];
    EXPECT_EQ(RtlOemToUnicodeN(wide, sizeof(wide), &bytes, "abcdef", 6), STATUS_BUFFER_OVERFLOW);
    EXPECT_EQ(bytes, 8u);
    EXPECT_EQ(RtlOemToUnicodeN(wide, sizeof(wide), &bytes, "ab", 2), STATUS_SUCCESS);
    EXPECT_EQ(bytes, 4u);
    CHAR narrow[4];
    EXPECT_EQ(RtlUnicodeToOemN(narrow, sizeof(narrow), &bytes, L"abcdef", 12), STATUS_BUFFER_OVERFLOW);
    EXPECT_EQ(bytes, 4u);
    EXPECT_EQ(std::string(narrow, 4), "abcd");

    // UTF-8: "é" is two bytes, "€" three; a cut never splits a character.
    const char utf8[] = "a\xC3\xA9\xE2\x82\xAC";
    ASSERT_EQ(RtlMultiByteToUnicodeSize(&bytes, utf8, 6), STATUS_SUCCESS);
    EXPECT_EQ(bytes, 6u);
    WCHAR three[3];
    ASSERT_EQ(RtlMultiByteToUnicodeN(three, sizeof(three), &bytes, utf8, 6), STATUS_SUCCESS);
    EXPECT_EQ(bytes, 6u);
    EXPECT_EQ(three[1], static_cast<WCHAR>(0x00E9));
    EXPECT_EQ(three[2], static_cast<WCHAR>(0x20AC));
    ASSERT_EQ(RtlUnicodeToMultiByteSize(&bytes, three, sizeof(three)), STATUS_SUCCESS);
    EXPECT_EQ(bytes, 6u);
    CHAR out[5];
    ASSERT_EQ(RtlUnicodeToMultiByteN(out, sizeof(out), &bytes, three, sizeof(three)), STATUS_SUCCESS);
    EXPECT_EQ(bytes, 3u);  // the euro sign's three bytes do not fit after "a\xC3\xA9"
    EXPECT_EQ(std::memcmp(out, utf8, 3), 0);
}

}  // namespace oem_string_test
