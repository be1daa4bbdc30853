// Win32 registry values through <windows.h>: RegSetValueEx / RegQueryValueEx round trips of every type,
// the size and ERROR_MORE_DATA rules, the default value, the ANSI conversions of the A forms,
// RegEnumValue and RegDeleteValue.
#include "registry_test_support.hpp"

namespace ntio::test {
namespace {

struct TypedValue {
    const char* what;
    DWORD type;
    std::vector<unsigned char> data;
};

std::vector<TypedValue> every_type() {
    const DWORD dword = 0x11223344;
    const ULONGLONG qword = 0x1122334455667788ull;
    const unsigned char binary[] = {0, 1, 2, 0xff, 0};
    return {
        {"REG_SZ", REG_SZ, wide_bytes(std::u16string_view(u"text\0", 5))},
        {"REG_SZ without NUL", REG_SZ, wide_bytes(u"raw")},
        {"REG_EXPAND_SZ", REG_EXPAND_SZ, wide_bytes(std::u16string_view(u"%PATH%\\x\0", 9))},
        {"REG_MULTI_SZ", REG_MULTI_SZ, wide_bytes(std::u16string_view(u"a\0bc\0\0", 6))},
        {"REG_DWORD", REG_DWORD, bytes_of(&dword, sizeof(dword))},
        {"REG_QWORD", REG_QWORD, bytes_of(&qword, sizeof(qword))},
        {"REG_BINARY", REG_BINARY, bytes_of(binary, sizeof(binary))},
        {"REG_NONE empty", REG_NONE, {}},
    };
}

TEST_F(RegistryTest, set_then_query_returns_type_and_bytes_as_stored) {
    for (const TypedValue& value : every_type()) {
        // A non-NUL character follows the data in the caller's buffer: a string stored without its
        // NUL stays so (a NUL right after it would be stored too, see registry_bad_input_test.cpp).
        std::vector<unsigned char> followed = value.data;
        followed.insert(followed.end(), {'Z', 0});
        set(scratch(), L"value", value.type, followed.data(), static_cast<DWORD>(value.data.size()));
        DWORD type = 0xdead;
        DWORD size = 0;
        ASSERT_EQ(RegQueryValueExW(scratch(), L"value", nullptr, &type, nullptr, &size), ERROR_SUCCESS) << value.what;
        EXPECT_EQ(type, value.type) << value.what;
        EXPECT_EQ(size, value.data.size()) << value.what;
        std::vector<unsigned char> read(size + 4, 0xcc);
        DWORD capacity = static_cast<DWORD>(read.size());
        ASSERT_EQ(RegQueryValueExW(scratch(), L"value", nullptr, &type, read.data(), &capacity), ERROR_SUCCESS)
            << value.what;
        EXPECT_EQ(capacity, value.data.size()) << value.what;
        read.resize(capacity);
        EXPECT_EQ(read, value.data) << value.what << ": no terminating NUL is added";
    }
}

// RegQueryValueExW: a buffer too small gives ERROR_MORE_DATA with *lpcbData the size needed and the
// type filled in; a buffer of exactly the size succeeds.
TEST_F(RegistryTest, query_with_a_short_buffer_reports_more_data_and_the_size_needed) {
    set_string(scratch(), L"s", REG_SZ, std::u16string_view(u"hello\0", 6));
    struct Row {
        DWORD capacity;
        LSTATUS error;
    };
    for (const Row& row : {Row{0, ERROR_MORE_DATA}, Row{11, ERROR_MORE_DATA}, Row{12, ERROR_SUCCESS}, Row{64, ERROR_SUCCESS}}) {
        unsigned char buffer[64];
        DWORD size = row.capacity;
        DWORD type = 0;
        EXPECT_EQ(RegQueryValueExW(scratch(), L"s", nullptr, &type, buffer, &size), row.error) << row.capacity;
        EXPECT_EQ(size, 12u) << row.capacity;
        EXPECT_EQ(type, static_cast<DWORD>(REG_SZ)) << row.capacity;
    }
}

TEST_F(RegistryTest, query_parameter_rules) {
    DWORD dword = 5;
    set(scratch(), L"d", REG_DWORD, &dword, sizeof(dword));
    DWORD reserved = 0;
    DWORD size = sizeof(dword);
    DWORD read = 0;
    EXPECT_EQ(RegQueryValueExW(scratch(), L"d", &reserved, nullptr, reinterpret_cast<BYTE*>(&read), &size),
              ERROR_INVALID_PARAMETER);
    EXPECT_EQ(RegQueryValueExW(scratch(), L"d", nullptr, nullptr, reinterpret_cast<BYTE*>(&read), nullptr),
              ERROR_INVALID_PARAMETER);
    DWORD type = 0;
    EXPECT_EQ(RegQueryValueExW(scratch(), L"d", nullptr, &type, nullptr, nullptr), ERROR_SUCCESS);
    EXPECT_EQ(type, static_cast<DWORD>(REG_DWORD));
    EXPECT_EQ(RegQueryValueExW(scratch(), L"missing", nullptr, &type, nullptr, nullptr), ERROR_FILE_NOT_FOUND);
}

TEST_F(RegistryTest, null_and_empty_names_are_the_default_value) {
    set_string(scratch(), nullptr, REG_SZ, std::u16string_view(u"dflt\0", 5));
    DWORD size = 0;
    EXPECT_EQ(RegQueryValueExW(scratch(), L"", nullptr, nullptr, nullptr, &size), ERROR_SUCCESS);
    EXPECT_EQ(size, 10u);
    EXPECT_EQ(RegQueryValueExA(scratch(), nullptr, nullptr, nullptr, nullptr, &size), ERROR_SUCCESS);
    EXPECT_EQ(size, 5u) << "the ANSI size";
    EXPECT_EQ(RegDeleteValueA(scratch(), ""), ERROR_SUCCESS);
    EXPECT_EQ(RegQueryValueExW(scratch(), nullptr, nullptr, nullptr, nullptr, &size), ERROR_FILE_NOT_FOUND);
}

// The A forms convert string data through the ANSI code page (UTF-8 here) both ways; other types
// pass unchanged. Sizes are those of the converted data.
TEST_F(RegistryTest, ansi_forms_convert_string_data_and_report_converted_sizes) {
    const char utf8[] = "h\xc3\xa9llo";  // "héllo", 6 bytes + NUL
    ASSERT_EQ(RegSetValueExA(scratch(), "s", 0, REG_SZ, reinterpret_cast<const BYTE*>(utf8), sizeof(utf8)),
              ERROR_SUCCESS);
    std::vector<unsigned char> wide(32);
    DWORD size = static_cast<DWORD>(wide.size());
    ASSERT_EQ(RegQueryValueExW(scratch(), L"s", nullptr, nullptr, wide.data(), &size), ERROR_SUCCESS);
    wide.resize(size);
    EXPECT_EQ(wide, wide_bytes(std::u16string_view(u"h\u00e9llo\0", 6)));

    DWORD type = 0;
    size = 0;
    ASSERT_EQ(RegQueryValueExA(scratch(), "s", nullptr, &type, nullptr, &size), ERROR_SUCCESS);
    EXPECT_EQ(size, sizeof(utf8));
    char back[16] = {};
    size = 4;
    EXPECT_EQ(RegQueryValueExA(scratch(), "s", nullptr, &type, reinterpret_cast<BYTE*>(back), &size), ERROR_MORE_DATA);
    EXPECT_EQ(size, sizeof(utf8));
    size = sizeof(back);
    ASSERT_EQ(RegQueryValueExA(scratch(), "s", nullptr, &type, reinterpret_cast<BYTE*>(back), &size), ERROR_SUCCESS);
    EXPECT_STREQ(back, utf8);

    const char multi[] = "a\0bc\0";  // and the literal's own NUL
    ASSERT_EQ(RegSetValueExA(scratch(), "m", 0, REG_MULTI_SZ, reinterpret_cast<const BYTE*>(multi), sizeof(multi)),
              ERROR_SUCCESS);
    wide.assign(32, 0);
    size = static_cast<DWORD>(wide.size());
    ASSERT_EQ(RegQueryValueExW(scratch(), L"m", nullptr, &type, wide.data(), &size), ERROR_SUCCESS);
    wide.resize(size);
    EXPECT_EQ(wide, wide_bytes(std::u16string_view(u"a\0bc\0\0", 6)));

    const unsigned char binary[] = {0xc3, 0xa9, 0};
    ASSERT_EQ(RegSetValueExA(scratch(), "b", 0, REG_BINARY, binary, sizeof(binary)), ERROR_SUCCESS);
    size = 0;
    ASSERT_EQ(RegQueryValueExW(scratch(), L"b", nullptr, nullptr, nullptr, &size), ERROR_SUCCESS);
    EXPECT_EQ(size, sizeof(binary)) << "binary data is not converted";
}

TEST_F(RegistryTest, enum_value_lists_every_value_and_reports_short_buffers) {
    const DWORD dword = 9;
    set(scratch(), L"first", REG_DWORD, &dword, sizeof(dword));
    set_string(scratch(), L"second", REG_SZ, std::u16string_view(u"abcdef\0", 7));
    std::vector<std::string> names;
    for (DWORD index = 0;; ++index) {
        wchar_t name[32];
        DWORD name_chars = 32;
        DWORD type = 0;
        unsigned char data[64];
        DWORD size = sizeof(data);
        LSTATUS error = RegEnumValueW(scratch(), index, name, &name_chars, nullptr, &type, data, &size);
        if (error == ERROR_NO_MORE_ITEMS) break;
        ASSERT_EQ(error, ERROR_SUCCESS);
        EXPECT_EQ(name_chars, narrow(name).size());
        if (narrow(name) == "first") {
            EXPECT_EQ(type, static_cast<DWORD>(REG_DWORD));
            EXPECT_EQ(size, 4u);
        } else {
            EXPECT_EQ(type, static_cast<DWORD>(REG_SZ));
            EXPECT_EQ(size, 14u);
        }
        names.push_back(narrow(name));
    }
    std::sort(names.begin(), names.end());
    EXPECT_EQ(names, (std::vector<std::string>{"first", "second"}));

    // Find "second" and probe the short-buffer rules on it.
    DWORD second = 0;
    for (DWORD index = 0; index < 2; ++index) {
        wchar_t name[32];
        DWORD name_chars = 32;
        ASSERT_EQ(RegEnumValueW(scratch(), index, name, &name_chars, nullptr, nullptr, nullptr, nullptr), ERROR_SUCCESS);
        if (narrow(name) == "second") second = index;
    }
    wchar_t short_name[6];
    DWORD short_chars = 6;  // "second" needs 7 with the NUL
    EXPECT_EQ(RegEnumValueW(scratch(), second, short_name, &short_chars, nullptr, nullptr, nullptr, nullptr),
              ERROR_MORE_DATA);
    char name[8];
    DWORD name_chars = 8;
    DWORD type = 0;
    unsigned char data[4];
    DWORD size = sizeof(data);
    EXPECT_EQ(RegEnumValueA(scratch(), second, name, &name_chars, nullptr, &type, data, &size), ERROR_MORE_DATA);
    EXPECT_EQ(size, 7u) << "the ANSI data size needed";
    EXPECT_EQ(type, static_cast<DWORD>(REG_SZ));
    unsigned char fits[7];
    size = sizeof(fits);
    name_chars = 8;
    ASSERT_EQ(RegEnumValueA(scratch(), second, name, &name_chars, nullptr, &type, fits, &size), ERROR_SUCCESS);
    EXPECT_STREQ(reinterpret_cast<const char*>(fits), "abcdef");
    EXPECT_STREQ(name, "second");
    EXPECT_EQ(name_chars, 6u);
}

TEST_F(RegistryTest, delete_value_removes_it_and_a_missing_value_is_file_not_found) {
    const DWORD dword = 1;
    set(scratch(), L"gone", REG_DWORD, &dword, sizeof(dword));
    EXPECT_EQ(RegDeleteValueW(scratch(), L"gone"), ERROR_SUCCESS);
    EXPECT_EQ(RegQueryValueExW(scratch(), L"gone", nullptr, nullptr, nullptr, nullptr), ERROR_FILE_NOT_FOUND);
    EXPECT_EQ(RegDeleteValueW(scratch(), L"gone"), ERROR_FILE_NOT_FOUND);
}

TEST_F(RegistryTest, set_value_with_a_null_buffer_and_a_size_fails_with_noaccess) {
    EXPECT_EQ(RegSetValueExW(scratch(), L"bad", 0, REG_BINARY, nullptr, 4), ERROR_NOACCESS);
    EXPECT_EQ(RegSetValueExW(scratch(), L"empty", 0, REG_BINARY, nullptr, 0), ERROR_SUCCESS);
}

}  // namespace
}  // namespace ntio::test
