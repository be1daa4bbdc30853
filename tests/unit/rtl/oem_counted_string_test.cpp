// Counted OEM strings (no terminating NUL, STATUS_UNMAPPABLE_CHARACTER) and the upcasing
// conversions to OEM, to the multibyte code page and to ANSI strings, through <ntifs.h>, with their
// bad input: null strings and buffers, destinations too small, results too long for a counted string.
// ntio's OEM code page is 7-bit ASCII, its multibyte/ANSI code page UTF-8.
// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-rtlunicodestringtocountedoemstring
// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-rtloemstringtocountedunicodestring
// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-rtlupcaseunicodetooemn
// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-rtlupcaseunicodetomultibyten
#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

#include <ntifs.h>

#include "support/system_fixture.hpp"

namespace oem_counted_string_test {

class OemCountedStringTest : public ntio::test::SystemTest {};

UNICODE_STRING counted(const wchar_t* text) {
    UNICODE_STRING s;
    RtlInitUnicodeString(&s, text);
    return s;
}

std::string text_of(const OEM_STRING& s) { return std::string(s.Buffer, s.Length); }

TEST_F(OemCountedStringTest, unicode_to_counted_oem_writes_no_terminator) {
    UNICODE_STRING source = counted(L"name.txt");
    EXPECT_EQ(RtlUnicodeStringToCountedOemSize(&source), 8u);
    CHAR buffer[16];
    std::memset(buffer, 0x55, sizeof(buffer));
    OEM_STRING oem{0, sizeof(buffer), buffer};
    ASSERT_EQ(RtlUnicodeStringToCountedOemString(&oem, &source, FALSE), STATUS_SUCCESS);
    EXPECT_EQ(text_of(oem), "name.txt");
    EXPECT_EQ(buffer[8], 0x55);
    EXPECT_EQ(oem.MaximumLength, sizeof(buffer));

    ASSERT_EQ(RtlUpcaseUnicodeStringToCountedOemString(&oem, &source, FALSE), STATUS_SUCCESS);
    EXPECT_EQ(text_of(oem), "NAME.TXT");
    EXPECT_EQ(buffer[8], 0x55);

    OEM_STRING allocated{};
    ASSERT_EQ(RtlUnicodeStringToCountedOemString(&allocated, &source, TRUE), STATUS_SUCCESS);
    EXPECT_EQ(text_of(allocated), "name.txt");
    EXPECT_EQ(allocated.MaximumLength, 8u);
    RtlFreeOemString(&allocated);
    ASSERT_EQ(RtlUpcaseUnicodeStringToCountedOemString(&allocated, &source, TRUE), STATUS_SUCCESS);
    EXPECT_EQ(text_of(allocated), "NAME.TXT");
    RtlFreeOemString(&allocated);
}

TEST_F(OemCountedStringTest, a_character_without_an_oem_form_is_unmappable) {
    UNICODE_STRING source = counted(L"caf\x00e9");
    CHAR buffer[8];
    OEM_STRING oem{0, sizeof(buffer), buffer};
    EXPECT_EQ(RtlUnicodeStringToCountedOemString(&oem, &source, FALSE), STATUS_UNMAPPABLE_CHARACTER);
    EXPECT_EQ(text_of(oem), "caf?");
    EXPECT_EQ(RtlUpcaseUnicodeStringToCountedOemString(&oem, &source, FALSE), STATUS_UNMAPPABLE_CHARACTER);
    EXPECT_EQ(text_of(oem), "CAF?");
    // Allocating: nothing stays allocated.
    OEM_STRING allocated{};
    EXPECT_EQ(RtlUnicodeStringToCountedOemString(&allocated, &source, TRUE), STATUS_UNMAPPABLE_CHARACTER);
    EXPECT_EQ(allocated.Buffer, nullptr);
    EXPECT_EQ(allocated.Length, 0u);
    // A '?' of the source is a character like any other.
    UNICODE_STRING question = counted(L"a?b");
    EXPECT_EQ(RtlUnicodeStringToCountedOemString(&oem, &question, FALSE), STATUS_SUCCESS);
    EXPECT_EQ(text_of(oem), "a?b");
    // Dotless i has no OEM form, its capital is 'I'.
    UNICODE_STRING dotless = counted(L"\x0131");
    EXPECT_EQ(RtlUnicodeStringToCountedOemString(&oem, &dotless, FALSE), STATUS_UNMAPPABLE_CHARACTER);
    EXPECT_EQ(RtlUpcaseUnicodeStringToCountedOemString(&oem, &dotless, FALSE), STATUS_SUCCESS);
    EXPECT_EQ(text_of(oem), "I");
    // The NUL-terminated forms put the default character in its place and succeed (Learn).
    OEM_STRING terminated{0, sizeof(buffer), buffer};
    EXPECT_EQ(RtlUpcaseUnicodeStringToOemString(&terminated, &source, FALSE), STATUS_SUCCESS);
    EXPECT_EQ(text_of(terminated), "CAF?");
}

TEST_F(OemCountedStringTest, counted_oem_bad_input) {
    UNICODE_STRING source = counted(L"short.nm");
    CHAR buffer[8];
    std::memset(buffer, 0x55, sizeof(buffer));
    // Too small: what fits, STATUS_BUFFER_OVERFLOW, still no terminator.
    OEM_STRING small{0, 3, buffer};
    EXPECT_EQ(RtlUnicodeStringToCountedOemString(&small, &source, FALSE), STATUS_BUFFER_OVERFLOW);
    EXPECT_EQ(text_of(small), "sho");
    EXPECT_EQ(buffer[3], 0x55);
    OEM_STRING none{0, 0, buffer};
    EXPECT_EQ(RtlUpcaseUnicodeStringToCountedOemString(&none, &source, FALSE), STATUS_BUFFER_OVERFLOW);
    EXPECT_EQ(none.Length, 0u);
    // An exact fit needs no room for a NUL.
    OEM_STRING exact{0, 8, buffer};
    EXPECT_EQ(RtlUnicodeStringToCountedOemString(&exact, &source, FALSE), STATUS_SUCCESS);
    EXPECT_EQ(text_of(exact), "short.nm");
    // An empty source allocates nothing.
    UNICODE_STRING empty{0, 0, nullptr};
    OEM_STRING allocated{5, 5, buffer};
    EXPECT_EQ(RtlUnicodeStringToCountedOemString(&allocated, &empty, TRUE), STATUS_SUCCESS);
    EXPECT_EQ(allocated.Buffer, nullptr);
    EXPECT_EQ(allocated.Length, 0u);
    RtlFreeOemString(&allocated);
    // The longest UNICODE_STRING (32767 units) converts.
    std::vector<WCHAR> longest(32767, L'x');
    UNICODE_STRING large{0xFFFE, 0xFFFE, longest.data()};
    ASSERT_EQ(RtlUnicodeStringToCountedOemString(&allocated, &large, TRUE), STATUS_SUCCESS);
    EXPECT_EQ(allocated.Length, 32767u);
    RtlFreeOemString(&allocated);
    EXPECT_EQ(RtlUnicodeStringToCountedOemString(nullptr, &source, TRUE), STATUS_INVALID_PARAMETER);
    EXPECT_EQ(RtlUpcaseUnicodeStringToCountedOemString(&exact, nullptr, FALSE), STATUS_INVALID_PARAMETER);
}

TEST_F(OemCountedStringTest, oem_to_counted_unicode) {
    CHAR bytes[] = {'a', static_cast<CHAR>(0x82), 'c'};
    OEM_STRING oem{3, 3, bytes};
    EXPECT_EQ(RtlOemStringToUnicodeSize(&oem), 8u);
    EXPECT_EQ(RtlOemStringToCountedUnicodeSize(&oem), 6u);
    WCHAR buffer[8];
    for (WCHAR& c : buffer) c = 0x5555;
    UNICODE_STRING wide{0, 6, buffer};
    ASSERT_EQ(RtlOemStringToCountedUnicodeString(&wide, &oem, FALSE), STATUS_SUCCESS);
    EXPECT_EQ(wide.Length, 6u);
    EXPECT_EQ(buffer[0], L'a');
    EXPECT_EQ(buffer[1], static_cast<WCHAR>(0xFFFD));  // no character for 0x82 in a 7-bit code page
    EXPECT_EQ(buffer[2], L'c');
    EXPECT_EQ(buffer[3], static_cast<WCHAR>(0x5555));  // not terminated
    UNICODE_STRING allocated{};
    ASSERT_EQ(RtlOemStringToCountedUnicodeString(&allocated, &oem, TRUE), STATUS_SUCCESS);
    EXPECT_EQ(allocated.Length, 6u);
    EXPECT_EQ(allocated.MaximumLength, 6u);
    EXPECT_EQ(std::memcmp(allocated.Buffer, buffer, 6), 0);
    RtlFreeUnicodeString(&allocated);
}

TEST_F(OemCountedStringTest, oem_to_counted_unicode_bad_input) {
    CHAR bytes[] = {'a', 'b', 'c'};
    OEM_STRING oem{3, 3, bytes};
    WCHAR buffer[4] = {L'q', L'q', L'q', L'q'};
    // Too small: untouched.
    UNICODE_STRING small{2, 4, buffer};
    EXPECT_EQ(RtlOemStringToCountedUnicodeString(&small, &oem, FALSE), STATUS_BUFFER_OVERFLOW);
    EXPECT_EQ(small.Length, 2u);
    EXPECT_EQ(buffer[0], L'q');
    EXPECT_EQ(RtlOemStringToCountedUnicodeString(nullptr, &oem, FALSE), STATUS_INVALID_PARAMETER);
    EXPECT_EQ(RtlOemStringToCountedUnicodeString(&small, nullptr, FALSE), STATUS_INVALID_PARAMETER);
    // An empty source allocates nothing.
    OEM_STRING empty{0, 0, nullptr};
    UNICODE_STRING allocated{};
    EXPECT_EQ(RtlOemStringToCountedUnicodeString(&allocated, &empty, TRUE), STATUS_SUCCESS);
    EXPECT_EQ(allocated.Buffer, nullptr);
    // 32767 OEM bytes make 65534 bytes of UTF-16: a counted string holds them, not with a NUL after.
    std::vector<CHAR> many(32768, 'z');
    OEM_STRING longest{32767, 32767, many.data()};
    ASSERT_EQ(RtlOemStringToCountedUnicodeString(&allocated, &longest, TRUE), STATUS_SUCCESS);
    EXPECT_EQ(allocated.Length, 65534u);
    RtlFreeUnicodeString(&allocated);
    EXPECT_EQ(RtlOemStringToUnicodeString(&allocated, &longest, TRUE), STATUS_INVALID_PARAMETER_2);
    OEM_STRING too_long{32768, 32768, many.data()};
    EXPECT_EQ(RtlOemStringToCountedUnicodeString(&allocated, &too_long, TRUE), STATUS_INVALID_PARAMETER_2);
}

TEST_F(OemCountedStringTest, upcase_unicode_to_oem_n) {
    CHAR out[8];
    std::memset(out, 0x55, sizeof(out));
    ULONG bytes = 0;
    ASSERT_EQ(RtlUpcaseUnicodeToOemN(out, sizeof(out), &bytes, L"ab\x00e9", 6), STATUS_SUCCESS);
    EXPECT_EQ(bytes, 3u);
    EXPECT_EQ(std::string(out, 3), "AB?");
    EXPECT_EQ(out[3], 0x55);
    // A NUL counted in the source comes out as one.
    ASSERT_EQ(RtlUpcaseUnicodeToOemN(out, sizeof(out), &bytes, L"x", 4), STATUS_SUCCESS);
    EXPECT_EQ(bytes, 2u);
    EXPECT_EQ(out[1], '\0');
    // Cut to fit: STATUS_BUFFER_OVERFLOW with what was translated.
    EXPECT_EQ(RtlUpcaseUnicodeToOemN(out, 2, &bytes, L"abcd", 8), STATUS_BUFFER_OVERFLOW);
    EXPECT_EQ(bytes, 2u);
    EXPECT_EQ(std::string(out, 2), "AB");
    EXPECT_EQ(RtlUpcaseUnicodeToOemN(out, sizeof(out), nullptr, L"q", 2), STATUS_SUCCESS);
    EXPECT_EQ(out[0], 'Q');
    // An odd byte count leaves the last half unit out.
    ASSERT_EQ(RtlUpcaseUnicodeToOemN(out, sizeof(out), &bytes, L"ab", 3), STATUS_SUCCESS);
    EXPECT_EQ(bytes, 1u);
    EXPECT_EQ(RtlUpcaseUnicodeToOemN(nullptr, 4, &bytes, L"ab", 4), STATUS_INVALID_PARAMETER);
    EXPECT_EQ(RtlUpcaseUnicodeToOemN(out, 4, &bytes, nullptr, 4), STATUS_INVALID_PARAMETER);
    EXPECT_EQ(RtlUnicodeToOemN(nullptr, 4, &bytes, L"ab", 4), STATUS_INVALID_PARAMETER);
}

TEST_F(OemCountedStringTest, upcase_unicode_to_multibyte_n) {
    CHAR out[8];
    ULONG bytes = 0;
    // e-acute becomes E-acute (two UTF-8 bytes); dotless i becomes 'I' (one byte instead of two).
    ASSERT_EQ(RtlUpcaseUnicodeToMultiByteN(out, sizeof(out), &bytes, L"\x00e9t\x0131", 6), STATUS_SUCCESS);
    EXPECT_EQ(bytes, 4u);
    EXPECT_EQ(std::string(out, 4), "\xC3\x89TI");
    // Cut to fit: still STATUS_SUCCESS, and no character is split.
    ASSERT_EQ(RtlUpcaseUnicodeToMultiByteN(out, 3, &bytes, L"\x00e9\x00e9", 4), STATUS_SUCCESS);
    EXPECT_EQ(bytes, 2u);
    EXPECT_EQ(std::string(out, 2), "\xC3\x89");
    ASSERT_EQ(RtlUpcaseUnicodeToMultiByteN(out, 0, &bytes, L"a", 2), STATUS_SUCCESS);
    EXPECT_EQ(bytes, 0u);
    ASSERT_EQ(RtlUpcaseUnicodeToMultiByteN(out, sizeof(out), nullptr, L"z", 2), STATUS_SUCCESS);
    EXPECT_EQ(out[0], 'Z');
    EXPECT_EQ(RtlUpcaseUnicodeToMultiByteN(nullptr, 4, &bytes, L"ab", 4), STATUS_INVALID_PARAMETER);
    EXPECT_EQ(RtlUpcaseUnicodeToMultiByteN(out, 4, &bytes, nullptr, 4), STATUS_INVALID_PARAMETER);
    EXPECT_EQ(RtlMultiByteToUnicodeN(nullptr, 4, &bytes, "ab", 2), STATUS_INVALID_PARAMETER);
}

TEST_F(OemCountedStringTest, upcase_unicode_string_to_ansi_string) {
    UNICODE_STRING source = counted(L"gr\x00fc\x00df");
    ANSI_STRING ansi{};
    ASSERT_EQ(RtlUpcaseUnicodeStringToAnsiString(&ansi, &source, TRUE), STATUS_SUCCESS);
    EXPECT_EQ(std::string(ansi.Buffer, ansi.Length), "GR\xC3\x9C\xC3\x9F");  // sharp s has no simple capital
    EXPECT_EQ(ansi.Buffer[ansi.Length], '\0');
    RtlFreeAnsiString(&ansi);
    // The size is that of the upcased text.
    UNICODE_STRING dotless = counted(L"\x0131\x0131");
    ASSERT_EQ(RtlUpcaseUnicodeStringToAnsiString(&ansi, &dotless, TRUE), STATUS_SUCCESS);
    EXPECT_EQ(std::string(ansi.Buffer, ansi.Length), "II");
    EXPECT_EQ(ansi.MaximumLength, 3u);
    RtlFreeAnsiString(&ansi);
    // Too small: filled as far as it goes and terminated, as RtlUnicodeStringToAnsiString does.
    CHAR buffer[4];
    ANSI_STRING small{0, sizeof(buffer), buffer};
    UNICODE_STRING word = counted(L"abcdef");
    EXPECT_EQ(RtlUpcaseUnicodeStringToAnsiString(&small, &word, FALSE), STATUS_BUFFER_OVERFLOW);
    EXPECT_EQ(std::string(small.Buffer, small.Length), "ABC");
    EXPECT_EQ(buffer[3], '\0');
    // More than a counted string holds: 32767 euro signs are 98301 bytes of UTF-8.
    std::vector<WCHAR> euros(32767, static_cast<WCHAR>(0x20AC));
    UNICODE_STRING large{0xFFFE, 0xFFFE, euros.data()};
    EXPECT_EQ(RtlUpcaseUnicodeStringToAnsiString(&ansi, &large, TRUE), STATUS_INVALID_PARAMETER_2);
    EXPECT_EQ(RtlUpcaseUnicodeStringToAnsiString(nullptr, &word, TRUE), STATUS_INVALID_PARAMETER);
    EXPECT_EQ(RtlUpcaseUnicodeStringToAnsiString(&ansi, nullptr, TRUE), STATUS_INVALID_PARAMETER);
}

}  // namespace oem_counted_string_test
