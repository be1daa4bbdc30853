// RegGetValue through <windows.h>, table-driven: the RRF_RT_* type restriction (with the 4/8-byte
// REG_BINARY rule of RRF_RT_DWORD/RRF_RT_QWORD), REG_EXPAND_SZ expansion and RRF_NOEXPAND, strings
// always NUL-terminated, ERROR_MORE_DATA sizes, RRF_ZEROONFAILURE, the subkey argument and the A form.
#include <cstdlib>

#include "registry_test_support.hpp"

namespace ntio::test {
namespace {

class RegGetValueTest : public RegistryTest {
protected:
    void SetUp() override {
        RegistryTest::SetUp();
        ::setenv("NTIO_REGAPI_DIR", "C:\\ntio", 1);
        const DWORD dword = 0x01020304;
        const ULONGLONG qword = 0x0102030405060708ull;
        const unsigned char bin3[] = {1, 2, 3};
        const unsigned char bin4[] = {1, 2, 3, 4};
        const unsigned char bin8[] = {1, 2, 3, 4, 5, 6, 7, 8};
        set_string(scratch(), L"sz", REG_SZ, std::u16string_view(u"abc\0", 4));
        set_string(scratch(), L"sz_unterminated", REG_SZ, std::u16string_view(u"abcZ", 3));  // no NUL after it
        set_string(scratch(), L"expand", REG_EXPAND_SZ, std::u16string_view(u"%NTIO_REGAPI_DIR%\\x\0", 20));
        set_string(scratch(), L"expand_undefined", REG_EXPAND_SZ, std::u16string_view(u"%NTIO_REGAPI_NONE%\0", 19));
        set_string(scratch(), L"multi", REG_MULTI_SZ, std::u16string_view(u"a\0b\0\0", 5));
        set_string(scratch(), L"multi_single_nul", REG_MULTI_SZ, std::u16string_view(u"a\0", 2));
        set(scratch(), L"dword", REG_DWORD, &dword, sizeof(dword));
        set(scratch(), L"qword", REG_QWORD, &qword, sizeof(qword));
        set(scratch(), L"bin3", REG_BINARY, bin3, sizeof(bin3));
        set(scratch(), L"bin4", REG_BINARY, bin4, sizeof(bin4));
        set(scratch(), L"bin8", REG_BINARY, bin8, sizeof(bin8));
        set(scratch(), L"none", REG_NONE, nullptr, 0);
    }
    void TearDown() override {
        ::unsetenv("NTIO_REGAPI_DIR");
        RegistryTest::TearDown();
    }
};

struct Row {
    const wchar_t* value;
    DWORD flags;
    LSTATUS error;
    DWORD type;                       // checked on success
    std::vector<unsigned char> data;  // checked on success
};

std::vector<unsigned char> le(ULONGLONG v, std::size_t n) {
    std::vector<unsigned char> out;
    for (std::size_t i = 0; i < n; ++i) out.push_back(static_cast<unsigned char>(v >> (8 * i)));
    return out;
}

TEST_F(RegGetValueTest, type_restriction_expansion_and_termination_table) {
    const std::vector<Row> rows = {
        {L"sz", RRF_RT_REG_SZ, ERROR_SUCCESS, REG_SZ, wide_bytes(std::u16string_view(u"abc\0", 4))},
        {L"sz", RRF_RT_ANY, ERROR_SUCCESS, REG_SZ, wide_bytes(std::u16string_view(u"abc\0", 4))},
        {L"sz_unterminated", RRF_RT_REG_SZ, ERROR_SUCCESS, REG_SZ, wide_bytes(std::u16string_view(u"abc\0", 4))},
        {L"sz", RRF_RT_REG_DWORD, ERROR_UNSUPPORTED_TYPE, 0, {}},
        {L"sz", RRF_RT_REG_MULTI_SZ | RRF_RT_REG_EXPAND_SZ | RRF_NOEXPAND, ERROR_UNSUPPORTED_TYPE, 0, {}},
        // REG_EXPAND_SZ is expanded and becomes REG_SZ unless RRF_NOEXPAND.
        {L"expand", RRF_RT_REG_SZ, ERROR_SUCCESS, REG_SZ, wide_bytes(std::u16string_view(u"C:\\ntio\\x\0", 10))},
        {L"expand", RRF_RT_ANY, ERROR_SUCCESS, REG_SZ, wide_bytes(std::u16string_view(u"C:\\ntio\\x\0", 10))},
        {L"expand", RRF_RT_REG_EXPAND_SZ | RRF_NOEXPAND, ERROR_SUCCESS, REG_EXPAND_SZ,
         wide_bytes(std::u16string_view(u"%NTIO_REGAPI_DIR%\\x\0", 20))},
        {L"expand", RRF_RT_REG_SZ | RRF_NOEXPAND, ERROR_UNSUPPORTED_TYPE, 0, {}},
        {L"expand", RRF_RT_REG_EXPAND_SZ, ERROR_INVALID_PARAMETER, 0, {}},
        {L"expand_undefined", RRF_RT_REG_SZ, ERROR_SUCCESS, REG_SZ,
         wide_bytes(std::u16string_view(u"%NTIO_REGAPI_NONE%\0", 19))},
        // REG_MULTI_SZ always ends in two NULs.
        {L"multi", RRF_RT_REG_MULTI_SZ, ERROR_SUCCESS, REG_MULTI_SZ, wide_bytes(std::u16string_view(u"a\0b\0\0", 5))},
        {L"multi_single_nul", RRF_RT_REG_MULTI_SZ, ERROR_SUCCESS, REG_MULTI_SZ,
         wide_bytes(std::u16string_view(u"a\0\0", 3))},
        {L"dword", RRF_RT_REG_DWORD, ERROR_SUCCESS, REG_DWORD, le(0x01020304, 4)},
        {L"dword", RRF_RT_DWORD, ERROR_SUCCESS, REG_DWORD, le(0x01020304, 4)},
        {L"dword", RRF_RT_QWORD, ERROR_UNSUPPORTED_TYPE, 0, {}},
        {L"qword", RRF_RT_QWORD, ERROR_SUCCESS, REG_QWORD, le(0x0102030405060708ull, 8)},
        {L"qword", RRF_RT_DWORD, ERROR_UNSUPPORTED_TYPE, 0, {}},
        // RRF_RT_DWORD / RRF_RT_QWORD take a REG_BINARY only of the matching size.
        {L"bin4", RRF_RT_DWORD, ERROR_SUCCESS, REG_BINARY, {1, 2, 3, 4}},
        {L"bin3", RRF_RT_DWORD, ERROR_DATATYPE_MISMATCH, 0, {}},
        {L"bin8", RRF_RT_QWORD, ERROR_SUCCESS, REG_BINARY, {1, 2, 3, 4, 5, 6, 7, 8}},
        {L"bin4", RRF_RT_QWORD, ERROR_DATATYPE_MISMATCH, 0, {}},
        {L"bin3", RRF_RT_REG_BINARY, ERROR_SUCCESS, REG_BINARY, {1, 2, 3}},
        {L"none", RRF_RT_REG_NONE, ERROR_SUCCESS, REG_NONE, {}},
        {L"none", RRF_RT_REG_BINARY, ERROR_UNSUPPORTED_TYPE, 0, {}},
        // At least one RRF_RT_ flag.
        {L"sz", 0, ERROR_INVALID_PARAMETER, 0, {}},
        {L"sz", RRF_NOEXPAND, ERROR_INVALID_PARAMETER, 0, {}},
        {L"missing", RRF_RT_ANY, ERROR_FILE_NOT_FOUND, 0, {}},
    };
    for (const Row& row : rows) {
        const std::string what = narrow(row.value) + " flags " + std::to_string(row.flags);
        std::vector<unsigned char> buffer(64, 0xcc);
        DWORD size = static_cast<DWORD>(buffer.size());
        DWORD type = 0xdead;
        EXPECT_EQ(RegGetValueW(scratch(), nullptr, row.value, row.flags, &type, buffer.data(), &size), row.error)
            << what;
        if (row.error != ERROR_SUCCESS) continue;
        EXPECT_EQ(type, row.type) << what;
        buffer.resize(size);
        EXPECT_EQ(buffer, row.data) << what;
        // Size query alone reports the same size.
        DWORD size_only = 0;
        EXPECT_EQ(RegGetValueW(scratch(), nullptr, row.value, row.flags, nullptr, nullptr, &size_only), ERROR_SUCCESS)
            << what;
        EXPECT_EQ(size_only, row.data.size()) << what;
    }
}

TEST_F(RegGetValueTest, short_buffer_gives_more_data_with_the_size_of_what_would_be_returned) {
    struct SizeRow {
        const wchar_t* value;
        DWORD flags;
        DWORD needed;
    };
    const SizeRow rows[] = {
        {L"sz_unterminated", RRF_RT_REG_SZ, 8},                    // NUL added
        {L"expand", RRF_RT_REG_SZ, 20},                            // expanded "C:\ntio\x" + NUL
        {L"expand", RRF_RT_REG_EXPAND_SZ | RRF_NOEXPAND, 40},      // raw
        {L"multi_single_nul", RRF_RT_REG_MULTI_SZ, 6},             // second NUL added
    };
    for (const SizeRow& row : rows) {
        unsigned char buffer[4] = {0xcc, 0xcc, 0xcc, 0xcc};
        DWORD size = 2;
        DWORD type = 0;
        EXPECT_EQ(RegGetValueW(scratch(), nullptr, row.value, row.flags, &type, buffer, &size), ERROR_MORE_DATA)
            << narrow(row.value);
        EXPECT_EQ(size, row.needed) << narrow(row.value);
        EXPECT_EQ(buffer[2], 0xcc) << "nothing written past the stated size";
    }
}

TEST_F(RegGetValueTest, zero_on_failure_clears_the_whole_buffer_and_only_on_failure) {
    struct ZeroRow {
        const wchar_t* value;
        DWORD flags;
        DWORD capacity;
        LSTATUS error;
    };
    const ZeroRow rows[] = {
        {L"sz", RRF_RT_REG_SZ | RRF_ZEROONFAILURE, 4, ERROR_MORE_DATA},
        {L"sz", RRF_RT_REG_DWORD | RRF_ZEROONFAILURE, 16, ERROR_UNSUPPORTED_TYPE},
        {L"missing", RRF_RT_ANY | RRF_ZEROONFAILURE, 16, ERROR_FILE_NOT_FOUND},
    };
    for (const ZeroRow& row : rows) {
        unsigned char buffer[16];
        std::memset(buffer, 0xcc, sizeof(buffer));
        DWORD size = row.capacity;
        EXPECT_EQ(RegGetValueW(scratch(), nullptr, row.value, row.flags, nullptr, buffer, &size), row.error);
        for (DWORD i = 0; i < row.capacity; ++i) EXPECT_EQ(buffer[i], 0) << narrow(row.value) << " byte " << i;
        for (DWORD i = row.capacity; i < sizeof(buffer); ++i) EXPECT_EQ(buffer[i], 0xcc) << "past the capacity";
    }
    // Without the flag a type the flags refuse still comes back whole: "although the function failed
    // all values are retrieved" (type, size and data, when they fit).
    unsigned char buffer[16];
    std::memset(buffer, 0xcc, sizeof(buffer));
    DWORD size = sizeof(buffer);
    DWORD type = 0;
    EXPECT_EQ(RegGetValueW(scratch(), nullptr, L"sz", RRF_RT_REG_DWORD, &type, buffer, &size), ERROR_UNSUPPORTED_TYPE);
    EXPECT_EQ(type, static_cast<DWORD>(REG_SZ));
    DWORD expected_size = 0;
    ASSERT_EQ(RegGetValueW(scratch(), nullptr, L"sz", RRF_RT_REG_SZ, nullptr, nullptr, &expected_size), ERROR_SUCCESS);
    EXPECT_EQ(size, expected_size);
    EXPECT_NE(buffer[0], 0xcc) << "the data was copied";
}

TEST_F(RegGetValueTest, subkey_argument_and_the_ansi_form) {
    Key sub;
    ASSERT_EQ(RegCreateKeyExW(scratch(), L"sub", 0, nullptr, 0, KEY_ALL_ACCESS, nullptr, sub.out(), nullptr),
              ERROR_SUCCESS);
    set_string(sub, L"name", REG_EXPAND_SZ, std::u16string_view(u"%NTIO_REGAPI_DIR%\0", 18));
    char text[32] = {};
    DWORD size = sizeof(text);
    DWORD type = 0;
    ASSERT_EQ(RegGetValueA(HKEY_CURRENT_USER, "Software\\ntio-regapi\\sub", "name", RRF_RT_REG_SZ, &type, text, &size),
              ERROR_SUCCESS);
    EXPECT_STREQ(text, "C:\\ntio");
    EXPECT_EQ(size, 8u) << "ANSI bytes with the NUL";
    EXPECT_EQ(type, static_cast<DWORD>(REG_SZ));
    EXPECT_EQ(RegGetValueW(scratch(), L"missing-sub", L"name", RRF_RT_ANY, nullptr, nullptr, &size),
              ERROR_FILE_NOT_FOUND);
    EXPECT_EQ(RegGetValueW(scratch(), L"sub", L"name", RRF_RT_ANY, nullptr, text, nullptr), ERROR_INVALID_PARAMETER);
}

}  // namespace
}  // namespace ntio::test
