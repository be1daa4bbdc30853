// The advapi32 registry functions' answers to unusual input, as Windows gives them: trailing
// separators, predefined keys without their sign extension, short name and data buffers in
// RegEnumValue, a missing value asked for its size, string data whose NUL the size leaves out,
// unreadable data, short class buffers in RegQueryInfoKey, and a null key in RegOpenKeyEx.
// Each rule is the behaviour Windows' own registry tests assert (advapi32 conformance, run on
// Windows 7 to 11); the function pages are under https://learn.microsoft.com/windows/win32/api/winreg/.
#include "conformance/win32_registry/registry_test_support.hpp"

namespace ntio::test {
namespace {

using RegistryInputTest = RegistryTest;

DWORD query_dword(HKEY key, const wchar_t* name) {
    DWORD value = 0;
    DWORD size = sizeof(value);
    EXPECT_EQ(RegQueryValueExW(key, name, nullptr, nullptr, reinterpret_cast<BYTE*>(&value), &size), ERROR_SUCCESS);
    return value;
}

TEST_F(RegistryInputTest, trailing_separators_of_a_subkey_name_are_ignored) {
    Key created;
    ASSERT_EQ(RegCreateKeyExW(scratch(), L"Sub4\\\\", 0, nullptr, 0, KEY_ALL_ACCESS, nullptr, created.out(), nullptr),
              ERROR_SUCCESS);
    const DWORD marker = 44;
    set(created, L"m", REG_DWORD, &marker, sizeof(marker));
    Key plain, one, two;
    ASSERT_EQ(RegOpenKeyExA(scratch(), "Sub4", 0, KEY_READ, plain.out()), ERROR_SUCCESS);
    ASSERT_EQ(RegOpenKeyExA(scratch(), "Sub4\\", 0, KEY_READ, one.out()), ERROR_SUCCESS);
    ASSERT_EQ(RegOpenKeyExW(scratch(), L"Sub4\\\\", 0, KEY_READ, two.out()), ERROR_SUCCESS);
    EXPECT_EQ(query_dword(plain, L"m"), marker) << "the key is named Sub4";
    EXPECT_EQ(query_dword(one, L"m"), marker);
    EXPECT_EQ(query_dword(two, L"m"), marker);
    // A leading separator is still a bad path name.
    Key leading;
    EXPECT_EQ(RegOpenKeyExA(scratch(), "\\Sub4", 0, KEY_READ, leading.out()), ERROR_BAD_PATHNAME);
}

TEST_F(RegistryInputTest, predefined_keys_are_recognised_by_their_low_32_bits) {
    const auto current_user = static_cast<ULONG_PTR>(static_cast<ULONG>(reinterpret_cast<ULONG_PTR>(HKEY_CURRENT_USER)));
    for (ULONG_PTR high : {ULONG_PTR{0}, ULONG_PTR{1}, ULONG_PTR{0xdeadbeef}}) {
        Key software;
        EXPECT_EQ(RegOpenKeyExA(reinterpret_cast<HKEY>(current_user | high << 32), "Software", 0, KEY_READ,
                                software.out()),
                  ERROR_SUCCESS)
            << std::hex << high;
        EXPECT_NE(software.get(), nullptr);
    }
}

TEST_F(RegistryInputTest, open_with_a_null_key_leaves_the_ansi_result_alone_and_clears_the_wide_one) {
    HKEY preserved = scratch();
    HKEY result = preserved;
    EXPECT_EQ(RegOpenKeyExA(nullptr, "", 0, KEY_READ, &result), ERROR_INVALID_HANDLE);
    EXPECT_EQ(result, preserved);
    EXPECT_EQ(RegOpenKeyExW(nullptr, L"", 0, KEY_READ, &result), ERROR_INVALID_HANDLE);
    EXPECT_EQ(result, nullptr);
    result = preserved;
    EXPECT_EQ(RegOpenKeyExA(scratch(), "Missing", 0, KEY_READ, &result), ERROR_FILE_NOT_FOUND);
    EXPECT_EQ(result, nullptr) << "a key that does not exist clears the result";
}

// RegEnumValue with a name or data buffer too small: ERROR_MORE_DATA, the type and the data's size
// reported. The A form writes nothing else; the W form still stores a name that fits when only the
// data does not.
TEST_F(RegistryInputTest, enum_value_with_short_buffers_reports_type_and_size) {
    ASSERT_EQ(RegSetValueExA(scratch(), "Test", 0, REG_SZ, reinterpret_cast<const BYTE*>("foobar"), 7), ERROR_SUCCESS);
    struct Case {
        const char* what;
        DWORD name_chars;
        DWORD data_size;
    };
    for (const Case& c : {Case{"both", 2, 2}, Case{"name", 3, 16}, Case{"empty name", 0, 16}, Case{"data", 20, 2}}) {
        char name[20];
        std::strcpy(name, "xxxxxxxxxx");
        char data[30];
        std::strcpy(data, "xxxxxxxxxx");
        DWORD name_chars = c.name_chars;
        DWORD size = c.data_size;
        DWORD type = 1234;
        EXPECT_EQ(RegEnumValueA(scratch(), 0, name, &name_chars, nullptr, &type, reinterpret_cast<BYTE*>(data), &size),
                  ERROR_MORE_DATA)
            << c.what;
        EXPECT_EQ(name_chars, c.name_chars) << c.what;
        EXPECT_EQ(size, 7u) << c.what;
        EXPECT_EQ(type, static_cast<DWORD>(REG_SZ)) << c.what;
        EXPECT_STREQ(name, "xxxxxxxxxx") << c.what;
        EXPECT_STREQ(data, "xxxxxxxxxx") << c.what;
    }
    ASSERT_EQ(RegSetValueExW(scratch(), L"Test", 0, REG_SZ, reinterpret_cast<const BYTE*>(u"foobar"), 14), ERROR_SUCCESS);
    wchar_t name[20];
    std::memcpy(name, u"xxxxxxxx", 18);
    char16_t data[20];
    std::memcpy(data, u"xxxxxxxx", 18);
    DWORD name_chars = 20;
    DWORD size = 2;
    DWORD type = 1234;
    EXPECT_EQ(RegEnumValueW(scratch(), 0, name, &name_chars, nullptr, &type, reinterpret_cast<BYTE*>(data), &size),
              ERROR_MORE_DATA);
    EXPECT_EQ(name_chars, 4u) << "the W form stores the name when only the data does not fit";
    EXPECT_EQ(narrow(name), "Test");
    EXPECT_EQ(size, 14u);
    EXPECT_EQ(type, static_cast<DWORD>(REG_SZ));
    EXPECT_EQ(std::u16string(data), u"xxxxxxxx") << "data untouched";
    name_chars = 2;
    std::memcpy(name, u"xxxxxxxx", 18);
    EXPECT_EQ(RegEnumValueW(scratch(), 0, name, &name_chars, nullptr, &type, nullptr, &size), ERROR_MORE_DATA);
    EXPECT_EQ(name_chars, 2u);
    EXPECT_EQ(narrow(name), "xxxxxxxx");
}

TEST_F(RegistryInputTest, a_missing_value_asked_for_its_size_reports_zero) {
    DWORD type = 0xdeadbeef;
    DWORD size = 0xdeadbeef;
    EXPECT_EQ(RegQueryValueExA(scratch(), "Nonexistent Value", nullptr, &type, nullptr, &size), ERROR_FILE_NOT_FOUND);
    EXPECT_EQ(size, 0u);
    BYTE buffer[10];
    size = sizeof(buffer);
    EXPECT_EQ(RegQueryValueExA(scratch(), "Nonexistent Value", nullptr, &type, buffer, &size), ERROR_FILE_NOT_FOUND);
    EXPECT_EQ(size, sizeof(buffer)) << "with a buffer the size is left alone";
}

// A string whose size leaves out the NUL that follows it in the caller's buffer is stored with the
// NUL; one that is not followed by a NUL is stored as given.
TEST_F(RegistryInputTest, set_value_stores_the_nul_its_size_left_out) {
    static const char full[] = "FullString";
    ASSERT_EQ(RegSetValueExA(scratch(), "s", 0, REG_SZ, reinterpret_cast<const BYTE*>(full), sizeof(full) - 1),
              ERROR_SUCCESS);
    DWORD size = 0;
    ASSERT_EQ(RegQueryValueExA(scratch(), "s", nullptr, nullptr, nullptr, &size), ERROR_SUCCESS);
    EXPECT_EQ(size, sizeof(full));
    ASSERT_EQ(RegSetValueExA(scratch(), "s", 0, REG_SZ, reinterpret_cast<const BYTE*>(full), sizeof(full) - 2),
              ERROR_SUCCESS);
    ASSERT_EQ(RegQueryValueExA(scratch(), "s", nullptr, nullptr, nullptr, &size), ERROR_SUCCESS);
    EXPECT_EQ(size, sizeof(full) - 2) << "'g' follows: stored as given";

    // The A form ends unterminated string data with a NUL when the buffer has room after it.
    unsigned char buffer[11];
    std::memset(buffer, 0xbd, sizeof(buffer));
    size = sizeof(full) - 2;
    ASSERT_EQ(RegQueryValueExA(scratch(), "s", nullptr, nullptr, buffer, &size), ERROR_SUCCESS);
    EXPECT_EQ(size, sizeof(full) - 2);
    EXPECT_EQ(buffer[size], 0xbd) << "no room: nothing past the data";
    std::memset(buffer, 0xbd, sizeof(buffer));
    size = sizeof(full) - 1;
    ASSERT_EQ(RegQueryValueExA(scratch(), "s", nullptr, nullptr, buffer, &size), ERROR_SUCCESS);
    EXPECT_EQ(size, sizeof(full) - 2) << "the size stays that of the data";
    EXPECT_EQ(buffer[size], 0);
    EXPECT_EQ(std::memcmp(buffer, full, size), 0);

    static const char16_t wide[] = u"ThisNeverBreaks";
    ASSERT_EQ(RegSetValueExW(scratch(), L"w", 0, REG_SZ, reinterpret_cast<const BYTE*>(wide), sizeof(wide) - 2),
              ERROR_SUCCESS);
    ASSERT_EQ(RegQueryValueExW(scratch(), L"w", nullptr, nullptr, nullptr, &size), ERROR_SUCCESS);
    EXPECT_EQ(size, sizeof(wide));
    ASSERT_EQ(RegSetValueExW(scratch(), L"w", 0, REG_SZ, reinterpret_cast<const BYTE*>(wide), sizeof(wide) - 4),
              ERROR_SUCCESS);
    ASSERT_EQ(RegQueryValueExW(scratch(), L"w", nullptr, nullptr, nullptr, &size), ERROR_SUCCESS);
    EXPECT_EQ(size, sizeof(wide) - 4);
    // Binary data is never extended.
    const unsigned char bytes[] = {1, 2, 0};
    ASSERT_EQ(RegSetValueExW(scratch(), L"b", 0, REG_BINARY, bytes, 2), ERROR_SUCCESS);
    ASSERT_EQ(RegQueryValueExW(scratch(), L"b", nullptr, nullptr, nullptr, &size), ERROR_SUCCESS);
    EXPECT_EQ(size, 2u);
}

TEST_F(RegistryInputTest, unreadable_string_data_is_noaccess_in_both_forms) {
    const auto* bad = reinterpret_cast<const BYTE*>(1);
    EXPECT_EQ(RegSetValueExA(scratch(), "bad", 0, REG_SZ, bad, 4), ERROR_NOACCESS);
    EXPECT_EQ(RegSetValueExW(scratch(), L"bad", 0, REG_SZ, bad, 4), ERROR_NOACCESS);
    EXPECT_EQ(RegSetValueExA(scratch(), "bad", 0, REG_DWORD, bad, 4), ERROR_NOACCESS);
    EXPECT_EQ(RegQueryValueExA(scratch(), "bad", nullptr, nullptr, nullptr, nullptr), ERROR_FILE_NOT_FOUND)
        << "nothing was stored";
}

// RegQueryInfoKey's class buffer: size 0 succeeds and leaves it alone; a short one is cut (A, with
// ERROR_MORE_DATA) or left alone (W, with ERROR_INSUFFICIENT_BUFFER and the length needed).
TEST_F(RegistryInputTest, query_info_key_class_buffer_rules) {
    Key sub;
    ASSERT_EQ(RegCreateKeyExA(scratch(), "classy", 0, const_cast<char*>("subkey class"), 0, KEY_ALL_ACCESS, nullptr,
                              sub.out(), nullptr),
              ERROR_SUCCESS);
    char ansi[32];
    std::memset(ansi, 0x55, sizeof(ansi));
    DWORD chars = 0;
    EXPECT_EQ(RegQueryInfoKeyA(sub, ansi, &chars, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr,
                               nullptr, nullptr),
              ERROR_SUCCESS);
    EXPECT_EQ(chars, 0u);
    EXPECT_EQ(static_cast<unsigned char>(ansi[0]), 0x55);

    chars = 1;
    EXPECT_EQ(RegQueryInfoKeyA(sub, ansi, &chars, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr,
                               nullptr, nullptr),
              ERROR_MORE_DATA);
    EXPECT_EQ(chars, 0u);
    EXPECT_EQ(ansi[0], 0);
    EXPECT_EQ(static_cast<unsigned char>(ansi[1]), 0x55);

    std::memset(ansi, 0x55, sizeof(ansi));
    chars = 12;  // one short of "subkey class" and its NUL
    EXPECT_EQ(RegQueryInfoKeyA(sub, ansi, &chars, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr,
                               nullptr, nullptr),
              ERROR_MORE_DATA);
    EXPECT_EQ(chars, 11u);
    EXPECT_STREQ(ansi, "subkey clas");
    EXPECT_EQ(static_cast<unsigned char>(ansi[12]), 0x55);

    char16_t wide[32];
    std::memset(wide, 0x55, sizeof(wide));
    chars = 0;
    EXPECT_EQ(RegQueryInfoKeyW(sub, reinterpret_cast<wchar_t*>(wide), &chars, nullptr, nullptr, nullptr, nullptr,
                               nullptr, nullptr, nullptr, nullptr, nullptr),
              ERROR_SUCCESS);
    EXPECT_EQ(chars, 0u);
    chars = 12;
    EXPECT_EQ(RegQueryInfoKeyW(sub, reinterpret_cast<wchar_t*>(wide), &chars, nullptr, nullptr, nullptr, nullptr,
                               nullptr, nullptr, nullptr, nullptr, nullptr),
              ERROR_INSUFFICIENT_BUFFER);
    EXPECT_EQ(chars, 12u);
    EXPECT_EQ(wide[0], 0x5555) << "nothing written";
    chars = 13;
    EXPECT_EQ(RegQueryInfoKeyW(sub, reinterpret_cast<wchar_t*>(wide), &chars, nullptr, nullptr, nullptr, nullptr,
                               nullptr, nullptr, nullptr, nullptr, nullptr),
              ERROR_SUCCESS);
    EXPECT_EQ(chars, 12u);
    EXPECT_EQ(std::u16string(wide), u"subkey class");
}

}  // namespace
}  // namespace ntio::test
