// The Rtl registry helpers as a driver calls them (<wdm.h>): RtlWriteRegistryValue / RtlDeleteRegistryValue
// / RtlCheckRegistryKey / RtlCreateRegistryKey, and RtlQueryRegistryValues with query routines, defaults,
// SUBKEY/TOPKEY, NOVALUE, NOEXPAND, DIRECT (and its TYPECHECK rule), DELETE, the RelativeTo bases,
// RTL_REGISTRY_HANDLE and RTL_REGISTRY_OPTIONAL.
// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-rtlqueryregistryvalues
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "support/bugcheck_catcher.hpp"
#include "support/system_fixture.hpp"

#undef __try
#include <wdm.h>

namespace ntio::test {
namespace {

// Every test works in \Registry\Machine\SOFTWARE\ntio-rtl (created fresh: each System boots from the
// embedded default hive).
wchar_t kBase[] = L"\\Registry\\Machine\\SOFTWARE\\ntio-rtl";

std::string narrow(const WCHAR* text, std::size_t count) {
    std::string out;
    for (std::size_t i = 0; i < count && text[i]; ++i) out.push_back(static_cast<char>(text[i]));
    return out;
}
std::string narrow(const WCHAR* text) { return text ? narrow(text, static_cast<std::size_t>(-1)) : "(null)"; }

std::vector<unsigned char> wide_bytes(std::u16string_view text) {
    const auto* p = reinterpret_cast<const unsigned char*>(text.data());
    return std::vector<unsigned char>(p, p + text.size() * sizeof(char16_t));
}

struct Call {
    std::string name;
    ULONG type;
    std::vector<unsigned char> data;
    PVOID entry_context;
};

struct Recorder {
    std::vector<Call> calls;
    NTSTATUS result = STATUS_SUCCESS;
};

NTSTATUS NTAPI record_value(PWSTR ValueName, ULONG ValueType, PVOID ValueData, ULONG ValueLength, PVOID Context,
                            PVOID EntryContext) {
    auto* recorder = static_cast<Recorder*>(Context);
    const auto* bytes = static_cast<const unsigned char*>(ValueData);
    recorder->calls.push_back(Call{narrow(ValueName), ValueType,
                                   bytes ? std::vector<unsigned char>(bytes, bytes + ValueLength) : std::vector<unsigned char>(),
                                   EntryContext});
    return recorder->result;
}

class RtlRegistryTest : public SystemTest {
protected:
    void SetUp() override {
        SystemTest::SetUp();
        ASSERT_EQ(RtlCreateRegistryKey(RTL_REGISTRY_ABSOLUTE, kBase), STATUS_SUCCESS);
    }
    void write(const wchar_t* path, const wchar_t* name, ULONG type, const void* data, ULONG size) {
        ASSERT_EQ(RtlWriteRegistryValue(RTL_REGISTRY_ABSOLUTE, path, name, type, const_cast<void*>(data), size),
                  STATUS_SUCCESS);
    }
    void write_string(const wchar_t* name, ULONG type, std::u16string_view text) {
        write(kBase, name, type, text.data(), static_cast<ULONG>(text.size() * sizeof(char16_t)));
    }
    void write_dword(const wchar_t* name, ULONG value) { write(kBase, name, REG_DWORD, &value, sizeof(value)); }
};

TEST_F(RtlRegistryTest, write_creates_only_the_last_key_of_the_path) {
    const ULONG value = 5;
    EXPECT_EQ(RtlWriteRegistryValue(RTL_REGISTRY_ABSOLUTE, L"\\Registry\\Machine\\SOFTWARE\\ntio-rtl\\leaf", L"v",
                                    REG_DWORD, const_cast<ULONG*>(&value), sizeof(value)),
              STATUS_SUCCESS);
    EXPECT_EQ(RtlCheckRegistryKey(RTL_REGISTRY_ABSOLUTE, const_cast<PWSTR>(L"\\Registry\\Machine\\SOFTWARE\\ntio-rtl\\leaf")),
              STATUS_SUCCESS);
    EXPECT_EQ(RtlWriteRegistryValue(RTL_REGISTRY_ABSOLUTE, L"\\Registry\\Machine\\SOFTWARE\\ntio-rtl\\no\\leaf", L"v",
                                    REG_DWORD, const_cast<ULONG*>(&value), sizeof(value)),
              STATUS_OBJECT_NAME_NOT_FOUND);
}

TEST_F(RtlRegistryTest, check_delete_and_bad_relative_to) {
    EXPECT_EQ(RtlCheckRegistryKey(RTL_REGISTRY_ABSOLUTE, kBase), STATUS_SUCCESS);
    EXPECT_EQ(RtlCheckRegistryKey(RTL_REGISTRY_ABSOLUTE, const_cast<PWSTR>(L"\\Registry\\Machine\\SOFTWARE\\none")),
              STATUS_OBJECT_NAME_NOT_FOUND);
    EXPECT_EQ(RtlCheckRegistryKey(RTL_REGISTRY_MAXIMUM, kBase), STATUS_INVALID_PARAMETER);
    write_dword(L"d", 1);
    EXPECT_EQ(RtlDeleteRegistryValue(RTL_REGISTRY_ABSOLUTE, kBase, L"d"), STATUS_SUCCESS);
    EXPECT_EQ(RtlDeleteRegistryValue(RTL_REGISTRY_ABSOLUTE, kBase, L"d"), STATUS_OBJECT_NAME_NOT_FOUND);
}

// RelativeTo names a base key; Path continues from it.
TEST_F(RtlRegistryTest, relative_to_values_start_at_their_documented_keys) {
    struct Row {
        ULONG relative_to;
        const wchar_t* path;
        const wchar_t* value;
        std::string expected;
    };
    const Row rows[] = {
        {RTL_REGISTRY_WINDOWS_NT, L"", L"ProductName", "ntio"},
        {RTL_REGISTRY_ABSOLUTE, L"\\Registry\\Machine\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion", L"ProductName",
         "ntio"},
        {RTL_REGISTRY_DEVICEMAP, L"..\\DESCRIPTION\\System", L"Identifier", ""},  // not a path syntax: must fail
    };
    for (const Row& row : rows) {
        UNICODE_STRING text{};
        RTL_QUERY_REGISTRY_TABLE table[2] = {};
        table[0].Flags = RTL_QUERY_REGISTRY_DIRECT | RTL_QUERY_REGISTRY_REQUIRED | RTL_QUERY_REGISTRY_TYPECHECK;
        table[0].Name = const_cast<PWSTR>(row.value);
        table[0].EntryContext = &text;
        table[0].DefaultType = REG_SZ << RTL_QUERY_REGISTRY_TYPECHECK_SHIFT;
        NTSTATUS status = RtlQueryRegistryValues(row.relative_to, row.path, table, nullptr, nullptr);
        if (row.expected.empty()) {
            EXPECT_FALSE(NT_SUCCESS(status)) << narrow(row.path);
            continue;
        }
        ASSERT_EQ(status, STATUS_SUCCESS) << narrow(row.path);
        EXPECT_EQ(narrow(text.Buffer, text.Length / sizeof(WCHAR)), row.expected);
        RtlFreeUnicodeString(&text);
    }
    EXPECT_EQ(RtlCheckRegistryKey(RTL_REGISTRY_DEVICEMAP, const_cast<PWSTR>(L"")), STATUS_SUCCESS);
    // RTL_REGISTRY_USER: the caller's key under \Registry\User, created like any other key.
    EXPECT_EQ(RtlCreateRegistryKey(RTL_REGISTRY_USER, const_cast<PWSTR>(L"")), STATUS_SUCCESS);
    const ULONG value = 42;
    EXPECT_EQ(RtlWriteRegistryValue(RTL_REGISTRY_USER, L"", L"u", REG_DWORD, const_cast<ULONG*>(&value), sizeof(value)),
              STATUS_SUCCESS);
    ULONG read = 0;
    RTL_QUERY_REGISTRY_TABLE table[2] = {};
    table[0].Flags = RTL_QUERY_REGISTRY_DIRECT | RTL_QUERY_REGISTRY_TYPECHECK;
    table[0].Name = const_cast<PWSTR>(L"u");
    table[0].EntryContext = &read;
    table[0].DefaultType = REG_DWORD << RTL_QUERY_REGISTRY_TYPECHECK_SHIFT;
    EXPECT_EQ(RtlQueryRegistryValues(RTL_REGISTRY_USER, L"", table, nullptr, nullptr), STATUS_SUCCESS);
    EXPECT_EQ(read, 42u);
}

TEST_F(RtlRegistryTest, nameless_entry_enumerates_every_value_with_preprocessing) {
    write_dword(L"d", 7);
    write_string(L"m", REG_MULTI_SZ, std::u16string_view(u"one\0two\0\0", 9));
    write_string(L"e", REG_EXPAND_SZ, std::u16string_view(u"%ROOT%\\sys\0", 11));
    WCHAR environment[] = L"OTHER=x\0root=C:\\Win\0";  // names compare case-insensitively
    Recorder recorder;
    RTL_QUERY_REGISTRY_TABLE table[2] = {};
    table[0].QueryRoutine = record_value;
    table[0].EntryContext = &recorder;
    ASSERT_EQ(RtlQueryRegistryValues(RTL_REGISTRY_ABSOLUTE, kBase, table, &recorder, environment), STATUS_SUCCESS);
    ASSERT_EQ(recorder.calls.size(), 4u) << "d, e, and m split into two REG_SZ calls";
    int multi_parts = 0;
    for (const Call& call : recorder.calls) {
        EXPECT_EQ(call.entry_context, &recorder);
        if (call.name == "d") {
            EXPECT_EQ(call.type, static_cast<ULONG>(REG_DWORD));
        } else if (call.name == "e") {
            EXPECT_EQ(call.type, static_cast<ULONG>(REG_SZ)) << "expanded and handed on as REG_SZ";
            EXPECT_EQ(call.data, wide_bytes(std::u16string_view(u"C:\\Win\\sys\0", 11)));
        } else {
            EXPECT_EQ(call.name, "m");
            EXPECT_EQ(call.type, static_cast<ULONG>(REG_SZ));
            EXPECT_EQ(call.data, wide_bytes(multi_parts++ == 0 ? std::u16string_view(u"one\0", 4)
                                                               : std::u16string_view(u"two\0", 4)));
        }
    }

    // NOEXPAND: both come raw.
    Recorder raw;
    table[0].Flags = RTL_QUERY_REGISTRY_NOEXPAND;
    ASSERT_EQ(RtlQueryRegistryValues(RTL_REGISTRY_ABSOLUTE, kBase, table, &raw, environment), STATUS_SUCCESS);
    ASSERT_EQ(raw.calls.size(), 3u);
    for (const Call& call : raw.calls) {
        if (call.name == "m") {
            EXPECT_EQ(call.data, wide_bytes(std::u16string_view(u"one\0two\0\0", 9)));
        }
        if (call.name == "e") {
            EXPECT_EQ(call.type, static_cast<ULONG>(REG_EXPAND_SZ));
        }
    }
}

TEST_F(RtlRegistryTest, missing_values_use_required_or_the_default) {
    struct Row {
        const char* what;
        ULONG flags;
        ULONG default_type;
        const void* default_data;
        ULONG default_length;
        NTSTATUS status;
        std::size_t calls;
        std::vector<unsigned char> data;
    };
    static const ULONG default_dword = 0x55;
    static const char16_t default_text[] = u"fallback";
    const Row rows[] = {
        {"required", RTL_QUERY_REGISTRY_REQUIRED, REG_DWORD, &default_dword, 4, STATUS_OBJECT_NAME_NOT_FOUND, 0, {}},
        {"no default", 0, REG_NONE, nullptr, 0, STATUS_SUCCESS, 0, {}},
        {"dword default", 0, REG_DWORD, &default_dword, 4, STATUS_SUCCESS, 1, {0x55, 0, 0, 0}},
        {"string default measured", 0, REG_SZ, default_text, 0, STATUS_SUCCESS, 1,
         wide_bytes(std::u16string_view(default_text, 9))},
    };
    for (const Row& row : rows) {
        Recorder recorder;
        RTL_QUERY_REGISTRY_TABLE table[2] = {};
        table[0].QueryRoutine = record_value;
        table[0].Flags = row.flags;
        table[0].Name = const_cast<PWSTR>(L"absent");
        table[0].DefaultType = row.default_type;
        table[0].DefaultData = const_cast<void*>(row.default_data);
        table[0].DefaultLength = row.default_length;
        EXPECT_EQ(RtlQueryRegistryValues(RTL_REGISTRY_ABSOLUTE, kBase, table, &recorder, nullptr), row.status) << row.what;
        ASSERT_EQ(recorder.calls.size(), row.calls) << row.what;
        if (row.calls) {
            EXPECT_EQ(recorder.calls[0].name, "absent") << row.what;
            EXPECT_EQ(recorder.calls[0].type, row.default_type) << row.what;
            EXPECT_EQ(recorder.calls[0].data, row.data) << row.what;
        }
    }
}

TEST_F(RtlRegistryTest, subkey_and_topkey_move_the_focus) {
    write_dword(L"top", 1);
    write(L"\\Registry\\Machine\\SOFTWARE\\ntio-rtl\\Parameters", L"inner", REG_DWORD, &kBase, 4);
    ULONG inner = 0, top = 0;
    RTL_QUERY_REGISTRY_TABLE table[5] = {};
    table[0].Flags = RTL_QUERY_REGISTRY_SUBKEY;
    table[0].Name = const_cast<PWSTR>(L"Parameters");
    table[1].Flags = RTL_QUERY_REGISTRY_DIRECT | RTL_QUERY_REGISTRY_REQUIRED;
    table[1].Name = const_cast<PWSTR>(L"inner");
    table[1].EntryContext = &inner;
    table[2].Flags = RTL_QUERY_REGISTRY_TOPKEY;
    table[2].Name = const_cast<PWSTR>(L"ignored");
    table[3].Flags = RTL_QUERY_REGISTRY_DIRECT | RTL_QUERY_REGISTRY_REQUIRED;
    table[3].Name = const_cast<PWSTR>(L"top");
    table[3].EntryContext = &top;
    ASSERT_EQ(RtlQueryRegistryValues(RTL_REGISTRY_ABSOLUTE, kBase, table, nullptr, nullptr), STATUS_SUCCESS);
    EXPECT_NE(inner, 0u);
    EXPECT_EQ(top, 1u);
    // "top" is not in the subkey.
    table[2] = RTL_QUERY_REGISTRY_TABLE{};
    table[1].Name = const_cast<PWSTR>(L"top");
    EXPECT_EQ(RtlQueryRegistryValues(RTL_REGISTRY_ABSOLUTE, kBase, table, nullptr, nullptr), STATUS_OBJECT_NAME_NOT_FOUND);
    table[0].Name = const_cast<PWSTR>(L"NoSuchKey");
    EXPECT_EQ(RtlQueryRegistryValues(RTL_REGISTRY_ABSOLUTE, kBase, table, nullptr, nullptr), STATUS_OBJECT_NAME_NOT_FOUND);
}

TEST_F(RtlRegistryTest, novalue_calls_once_without_a_value) {
    write_dword(L"a", 1);
    write_dword(L"b", 2);
    Recorder recorder;
    RTL_QUERY_REGISTRY_TABLE table[2] = {};
    table[0].QueryRoutine = record_value;
    table[0].Flags = RTL_QUERY_REGISTRY_NOVALUE;
    ASSERT_EQ(RtlQueryRegistryValues(RTL_REGISTRY_ABSOLUTE, kBase, table, &recorder, nullptr), STATUS_SUCCESS);
    ASSERT_EQ(recorder.calls.size(), 1u);
    EXPECT_EQ(recorder.calls[0].type, static_cast<ULONG>(REG_NONE));
    EXPECT_TRUE(recorder.calls[0].data.empty());
}

TEST_F(RtlRegistryTest, a_failing_query_routine_stops_the_walk_with_its_status) {
    write_dword(L"a", 1);
    Recorder recorder;
    recorder.result = STATUS_INSUFFICIENT_RESOURCES;
    RTL_QUERY_REGISTRY_TABLE table[3] = {};
    table[0].QueryRoutine = record_value;
    table[0].Name = const_cast<PWSTR>(L"a");
    table[1].QueryRoutine = record_value;
    table[1].Name = const_cast<PWSTR>(L"a");
    EXPECT_EQ(RtlQueryRegistryValues(RTL_REGISTRY_ABSOLUTE, kBase, table, &recorder, nullptr),
              STATUS_INSUFFICIENT_RESOURCES);
    EXPECT_EQ(recorder.calls.size(), 1u);
}

// DIRECT: a UNICODE_STRING for strings (allocated when Buffer is NULL), the value itself up to a ULONG,
// a sized buffer beyond (negative size: data only; positive: length, type, data).
TEST_F(RtlRegistryTest, direct_stores_values_as_the_entry_context_describes) {
    write_string(L"s", REG_SZ, std::u16string_view(u"hello\0", 6));
    const unsigned char blob[6] = {1, 2, 3, 4, 5, 6};
    write(kBase, L"b", REG_BINARY, blob, sizeof(blob));
    write_dword(L"d", 0xabcd);

    auto query_one = [&](const wchar_t* name, void* context, ULONG flags = 0) {
        RTL_QUERY_REGISTRY_TABLE table[2] = {};
        table[0].Flags = RTL_QUERY_REGISTRY_DIRECT | flags;
        table[0].Name = const_cast<PWSTR>(name);
        table[0].EntryContext = context;
        return RtlQueryRegistryValues(RTL_REGISTRY_ABSOLUTE, kBase, table, nullptr, nullptr);
    };
    UNICODE_STRING allocated{};
    ASSERT_EQ(query_one(L"s", &allocated), STATUS_SUCCESS);
    EXPECT_EQ(allocated.Length, 10u);
    EXPECT_EQ(narrow(allocated.Buffer, allocated.Length / 2), "hello");
    RtlFreeUnicodeString(&allocated);

    WCHAR small[3];
    UNICODE_STRING caller{0, sizeof(small), small};
    EXPECT_EQ(query_one(L"s", &caller), STATUS_BUFFER_TOO_SMALL);
    WCHAR fits[6];
    caller = UNICODE_STRING{0, sizeof(fits), fits};
    ASSERT_EQ(query_one(L"s", &caller), STATUS_SUCCESS);
    EXPECT_EQ(caller.Length, 10u);
    EXPECT_EQ(fits[5], 0) << "terminated when there is room";

    ULONG dword = 0;
    ASSERT_EQ(query_one(L"d", &dword), STATUS_SUCCESS);
    EXPECT_EQ(dword, 0xabcdu);

    unsigned char data_only[8];
    LONG size = -static_cast<LONG>(sizeof(data_only));
    std::memcpy(data_only, &size, sizeof(size));
    ASSERT_EQ(query_one(L"b", data_only), STATUS_SUCCESS);
    EXPECT_EQ(std::vector<unsigned char>(data_only, data_only + 6), std::vector<unsigned char>(blob, blob + 6));

    unsigned char with_header[16];
    size = sizeof(with_header);
    std::memcpy(with_header, &size, sizeof(size));
    ASSERT_EQ(query_one(L"b", with_header), STATUS_SUCCESS);
    ULONG header[2];
    std::memcpy(header, with_header, sizeof(header));
    EXPECT_EQ(header[0], 6u);
    EXPECT_EQ(header[1], static_cast<ULONG>(REG_BINARY));
    EXPECT_EQ(std::vector<unsigned char>(with_header + 8, with_header + 14), std::vector<unsigned char>(blob, blob + 6));

    unsigned char too_small[8];
    size = -4;
    std::memcpy(too_small, &size, sizeof(size));
    EXPECT_EQ(query_one(L"b", too_small), STATUS_BUFFER_TOO_SMALL);
}

TEST_F(RtlRegistryTest, typecheck_rejects_a_value_of_another_type) {
    write_string(L"s", REG_SZ, std::u16string_view(u"x\0", 2));
    ULONG dword = 0;
    RTL_QUERY_REGISTRY_TABLE table[2] = {};
    table[0].Flags = RTL_QUERY_REGISTRY_DIRECT | RTL_QUERY_REGISTRY_TYPECHECK;
    table[0].Name = const_cast<PWSTR>(L"s");
    table[0].EntryContext = &dword;
    table[0].DefaultType = (REG_DWORD << RTL_QUERY_REGISTRY_TYPECHECK_SHIFT) | REG_NONE;
    EXPECT_EQ(RtlQueryRegistryValues(RTL_REGISTRY_ABSOLUTE, kBase, table, nullptr, nullptr), STATUS_OBJECT_TYPE_MISMATCH);
    EXPECT_EQ(dword, 0u) << "nothing stored";
}

// Since Windows 8, DIRECT without TYPECHECK on an untrusted hive (a user hive, \Registry\User) is a
// KERNEL_SECURITY_CHECK_FAILURE fast fail; with TYPECHECK, or on the machine hive, it is allowed.
TEST_F(RtlRegistryTest, direct_without_typecheck_on_a_user_hive_bugchecks) {
    ASSERT_EQ(RtlCreateRegistryKey(RTL_REGISTRY_ABSOLUTE, const_cast<PWSTR>(L"\\Registry\\User\\.DEFAULT\\ntio-rtl")),
              STATUS_SUCCESS);
    const ULONG value = 1;
    ASSERT_EQ(RtlWriteRegistryValue(RTL_REGISTRY_ABSOLUTE, L"\\Registry\\User\\.DEFAULT\\ntio-rtl", L"v", REG_DWORD,
                                    const_cast<ULONG*>(&value), sizeof(value)),
              STATUS_SUCCESS);
    ULONG read = 0;
    RTL_QUERY_REGISTRY_TABLE table[2] = {};
    table[0].Flags = RTL_QUERY_REGISTRY_DIRECT | RTL_QUERY_REGISTRY_TYPECHECK;
    table[0].Name = const_cast<PWSTR>(L"v");
    table[0].EntryContext = &read;
    table[0].DefaultType = REG_DWORD << RTL_QUERY_REGISTRY_TYPECHECK_SHIFT;
    EXPECT_EQ(RtlQueryRegistryValues(RTL_REGISTRY_ABSOLUTE, L"\\Registry\\User\\.DEFAULT\\ntio-rtl", table, nullptr,
                                     nullptr),
              STATUS_SUCCESS);
    EXPECT_EQ(read, 1u);

    table[0].Flags = RTL_QUERY_REGISTRY_DIRECT;
    table[0].DefaultType = REG_NONE;
    auto bugcheck = catch_bugcheck([&] {
        (void)RtlQueryRegistryValues(RTL_REGISTRY_ABSOLUTE, L"\\Registry\\User\\.DEFAULT\\ntio-rtl", table, nullptr,
                                     nullptr);
    });
    ASSERT_TRUE(bugcheck.has_value());
    EXPECT_EQ(bugcheck->code, static_cast<ULONG>(KERNEL_SECURITY_CHECK_FAILURE));
    EXPECT_EQ(bugcheck->p1, static_cast<ULONG_PTR>(FAST_FAIL_UNSAFE_REGISTRY_ACCESS));

    write_dword(L"m", 3);
    table[0].Name = const_cast<PWSTR>(L"m");
    EXPECT_EQ(RtlQueryRegistryValues(RTL_REGISTRY_ABSOLUTE, kBase, table, nullptr, nullptr), STATUS_SUCCESS)
        << "the machine hive is trusted";
    EXPECT_EQ(read, 3u);
}

TEST_F(RtlRegistryTest, delete_flag_removes_the_value_after_delivering_it) {
    write_dword(L"once", 9);
    ULONG read = 0;
    RTL_QUERY_REGISTRY_TABLE table[2] = {};
    table[0].Flags = RTL_QUERY_REGISTRY_DIRECT | RTL_QUERY_REGISTRY_DELETE | RTL_QUERY_REGISTRY_REQUIRED;
    table[0].Name = const_cast<PWSTR>(L"once");
    table[0].EntryContext = &read;
    EXPECT_EQ(RtlQueryRegistryValues(RTL_REGISTRY_ABSOLUTE, kBase, table, nullptr, nullptr), STATUS_SUCCESS);
    EXPECT_EQ(read, 9u);
    EXPECT_EQ(RtlQueryRegistryValues(RTL_REGISTRY_ABSOLUTE, kBase, table, nullptr, nullptr), STATUS_OBJECT_NAME_NOT_FOUND);
}

TEST_F(RtlRegistryTest, optional_key_and_handle_relative_to) {
    Recorder recorder;
    RTL_QUERY_REGISTRY_TABLE table[2] = {};
    table[0].QueryRoutine = record_value;
    PCWSTR missing = L"\\Registry\\Machine\\SOFTWARE\\ntio-rtl-missing";
    EXPECT_EQ(RtlQueryRegistryValues(RTL_REGISTRY_ABSOLUTE, missing, table, &recorder, nullptr),
              STATUS_OBJECT_NAME_NOT_FOUND);
    EXPECT_EQ(RtlQueryRegistryValues(RTL_REGISTRY_ABSOLUTE | RTL_REGISTRY_OPTIONAL, missing, table, &recorder, nullptr),
              STATUS_SUCCESS);
    EXPECT_TRUE(recorder.calls.empty());

    write_dword(L"h", 4);
    UNICODE_STRING name;
    RtlInitUnicodeString(&name, kBase);
    OBJECT_ATTRIBUTES attributes;
    InitializeObjectAttributes(&attributes, &name, OBJ_CASE_INSENSITIVE | OBJ_KERNEL_HANDLE, nullptr, nullptr);
    HANDLE key = nullptr;
    ASSERT_EQ(ZwOpenKey(&key, KEY_READ, &attributes), STATUS_SUCCESS);
    ULONG read = 0;
    table[0] = RTL_QUERY_REGISTRY_TABLE{};
    table[0].Flags = RTL_QUERY_REGISTRY_DIRECT | RTL_QUERY_REGISTRY_TYPECHECK;
    table[0].Name = const_cast<PWSTR>(L"h");
    table[0].EntryContext = &read;
    table[0].DefaultType = REG_DWORD << RTL_QUERY_REGISTRY_TYPECHECK_SHIFT;
    EXPECT_EQ(RtlQueryRegistryValues(RTL_REGISTRY_HANDLE, static_cast<PCWSTR>(key), table, nullptr, nullptr),
              STATUS_SUCCESS);
    EXPECT_EQ(read, 4u);
    EXPECT_EQ(ZwClose(key), STATUS_SUCCESS) << "the caller's handle stays open";
}

}  // namespace
}  // namespace ntio::test
