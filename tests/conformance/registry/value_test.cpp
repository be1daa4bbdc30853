// Values through NtSetValueKey / NtQueryValueKey / NtEnumerateValueKey / NtDeleteValueKey: every type
// round-trips, the basic/full/partial classes and their _ALIGN64 forms, NT's buffer-length rules
// (STATUS_BUFFER_TOO_SMALL below the fixed part, STATUS_BUFFER_OVERFLOW with the fixed part written
// below the whole, ResultLength = the whole size), value order and deletion.
// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-zwqueryvaluekey
#include "conformance/registry/registry_test_support.hpp"

namespace ntio::test {
namespace {

using ValueTest = RegistryTest;

std::vector<unsigned char> bytes_of(const void* data, std::size_t size) {
    auto* p = static_cast<const unsigned char*>(data);
    return std::vector<unsigned char>(p, p + size);
}

TEST_F(ValueTest, EveryValueTypeRoundTrips) {
    const wchar_t sz[] = L"text";
    const wchar_t expand[] = L"%SystemRoot%\\x";
    const wchar_t multi[] = L"one\0two\0";
    const ULONG dword = 0xA1B2C3D4;
    const unsigned char big_endian[4] = {0x12, 0x34, 0x56, 0x78};
    const ULONGLONG qword = 0x1122334455667788ull;
    const unsigned char binary[5] = {0, 1, 2, 0xFE, 0xFF};
    struct Case {
        const wchar_t* name;
        ULONG type;
        std::vector<unsigned char> data;
    } cases[] = {
        {L"Sz", REG_SZ, bytes_of(sz, sizeof(sz))},
        {L"Expand", REG_EXPAND_SZ, bytes_of(expand, sizeof(expand))},
        {L"Multi", REG_MULTI_SZ, bytes_of(multi, sizeof(multi))},
        {L"Dword", REG_DWORD, bytes_of(&dword, sizeof(dword))},
        {L"BigEndian", REG_DWORD_BIG_ENDIAN, bytes_of(big_endian, sizeof(big_endian))},
        {L"Qword", REG_QWORD, bytes_of(&qword, sizeof(qword))},
        {L"Binary", REG_BINARY, bytes_of(binary, sizeof(binary))},
        {L"None", REG_NONE, {}},
        {L"Empty", REG_SZ, {}},
        {L"Private", 0x12345678, bytes_of(binary, 3)},
    };
    for (const Case& c : cases)
        ASSERT_EQ(set_value(scratch(), c.name, c.type, c.data.data(), static_cast<ULONG>(c.data.size())), STATUS_SUCCESS);
    for (const Case& c : cases) {
        ULONG type = 0;
        std::vector<unsigned char> data;
        ASSERT_EQ(read_value(scratch(), c.name, type, data), STATUS_SUCCESS);
        EXPECT_EQ(type, c.type);
        EXPECT_EQ(data, c.data);
    }
}

TEST_F(ValueTest, PartialInformationLengthRules) {
    const unsigned char data[20] = {1, 2, 3};
    ASSERT_EQ(set_value(scratch(), L"Blob", REG_BINARY, data, sizeof(data)), STATUS_SUCCESS);
    UNICODE_STRING name;
    RtlInitUnicodeString(&name, L"Blob");
    alignas(8) unsigned char buffer[64];
    const ULONG fixed = FIELD_OFFSET(KEY_VALUE_PARTIAL_INFORMATION, Data);
    const ULONG whole = fixed + sizeof(data);
    ULONG result = 0;

    std::memset(buffer, 0xCC, sizeof(buffer));
    EXPECT_EQ(NtQueryValueKey(scratch(), &name, KeyValuePartialInformation, buffer, fixed - 1, &result),
              STATUS_BUFFER_TOO_SMALL);
    EXPECT_EQ(result, whole);
    EXPECT_EQ(buffer[0], 0xCC);  // nothing written

    result = 0;
    EXPECT_EQ(NtQueryValueKey(scratch(), &name, KeyValuePartialInformation, nullptr, 0, &result), STATUS_BUFFER_TOO_SMALL);
    EXPECT_EQ(result, whole);

    EXPECT_EQ(NtQueryValueKey(scratch(), &name, KeyValuePartialInformation, buffer, whole - 1, &result),
              STATUS_BUFFER_OVERFLOW);
    EXPECT_EQ(result, whole);
    auto* info = reinterpret_cast<KEY_VALUE_PARTIAL_INFORMATION*>(buffer);
    EXPECT_EQ(info->Type, ULONG{REG_BINARY});
    EXPECT_EQ(info->DataLength, sizeof(data));

    EXPECT_EQ(NtQueryValueKey(scratch(), &name, KeyValuePartialInformation, buffer, whole, &result), STATUS_SUCCESS);
    EXPECT_EQ(result, whole);
    EXPECT_EQ(std::memcmp(info->Data, data, sizeof(data)), 0);
}

TEST_F(ValueTest, BasicInformationHasTheNameAndType) {
    ASSERT_EQ(set_dword(scratch(), L"Counter", 5), STATUS_SUCCESS);
    UNICODE_STRING name;
    RtlInitUnicodeString(&name, L"COUNTER");
    alignas(8) unsigned char buffer[64];
    ULONG result = 0;
    ASSERT_EQ(NtQueryValueKey(scratch(), &name, KeyValueBasicInformation, buffer, sizeof(buffer), &result),
              STATUS_SUCCESS);
    auto* info = reinterpret_cast<KEY_VALUE_BASIC_INFORMATION*>(buffer);
    EXPECT_EQ(result, FIELD_OFFSET(KEY_VALUE_BASIC_INFORMATION, Name) + 14u);
    EXPECT_EQ(info->Type, ULONG{REG_DWORD});
    EXPECT_EQ(info->NameLength, 14u);
    EXPECT_EQ(std::memcmp(info->Name, L"Counter", 14), 0);  // the name as set, not as asked
}

TEST_F(ValueTest, FullInformationPutsTheDataAlignedAfterTheName) {
    const ULONGLONG qword = 42;
    ASSERT_EQ(set_value(scratch(), L"Abc", REG_QWORD, &qword, sizeof(qword)), STATUS_SUCCESS);
    UNICODE_STRING name;
    RtlInitUnicodeString(&name, L"Abc");
    alignas(8) unsigned char buffer[64];
    ULONG result = 0;
    ASSERT_EQ(NtQueryValueKey(scratch(), &name, KeyValueFullInformation, buffer, sizeof(buffer), &result), STATUS_SUCCESS);
    auto* full = reinterpret_cast<KEY_VALUE_FULL_INFORMATION*>(buffer);
    EXPECT_EQ(full->NameLength, 6u);
    EXPECT_EQ(full->DataOffset, 28u);  // 20 + 6 rounded up to 4
    EXPECT_EQ(full->DataLength, 8u);
    EXPECT_EQ(result, 36u);
    EXPECT_EQ(std::memcmp(buffer + full->DataOffset, &qword, 8), 0);

    ASSERT_EQ(NtQueryValueKey(scratch(), &name, KeyValueFullInformationAlign64, buffer, sizeof(buffer), &result),
              STATUS_SUCCESS);
    EXPECT_EQ(full->DataOffset, 32u);  // rounded up to 8
    EXPECT_EQ(result, 40u);
    EXPECT_EQ(std::memcmp(buffer + full->DataOffset, &qword, 8), 0);

    // The fixed part alone: STATUS_BUFFER_OVERFLOW.
    EXPECT_EQ(NtQueryValueKey(scratch(), &name, KeyValueFullInformation, buffer, 20, &result), STATUS_BUFFER_OVERFLOW);
    EXPECT_EQ(result, 36u);
}

TEST_F(ValueTest, PartialAlign64NeedsAnAlignedBuffer) {
    const ULONG dword = 9;
    ASSERT_EQ(set_value(scratch(), L"D", REG_DWORD, &dword, sizeof(dword)), STATUS_SUCCESS);
    UNICODE_STRING name;
    RtlInitUnicodeString(&name, L"D");
    alignas(8) unsigned char buffer[64];
    ULONG result = 0;
    ASSERT_EQ(NtQueryValueKey(scratch(), &name, KeyValuePartialInformationAlign64, buffer, sizeof(buffer), &result),
              STATUS_SUCCESS);
    auto* info = reinterpret_cast<KEY_VALUE_PARTIAL_INFORMATION_ALIGN64*>(buffer);
    EXPECT_EQ(result, 12u);
    EXPECT_EQ(info->Type, ULONG{REG_DWORD});
    EXPECT_EQ(info->DataLength, 4u);
    EXPECT_EQ(std::memcmp(info->Data, &dword, 4), 0);
    EXPECT_EQ(NtQueryValueKey(scratch(), &name, KeyValuePartialInformationAlign64, buffer + 4, 32, &result),
              STATUS_DATATYPE_MISALIGNMENT);
}

TEST_F(ValueTest, UnknownInformationClassIsInvalidParameter) {
    ASSERT_EQ(set_dword(scratch(), L"D", 1), STATUS_SUCCESS);
    UNICODE_STRING name;
    RtlInitUnicodeString(&name, L"D");
    alignas(8) unsigned char buffer[64];
    ULONG result = 0;
    EXPECT_EQ(NtQueryValueKey(scratch(), &name, static_cast<KEY_VALUE_INFORMATION_CLASS>(42), buffer, sizeof(buffer), &result),
              STATUS_INVALID_PARAMETER);
    EXPECT_EQ(NtQueryKey(scratch(), static_cast<KEY_INFORMATION_CLASS>(42), buffer, sizeof(buffer), &result),
              STATUS_INVALID_PARAMETER);
}

TEST_F(ValueTest, EnumerationFollowsCreationOrderAndReplacingKeepsThePlace) {
    ASSERT_EQ(set_dword(scratch(), L"zeta", 1), STATUS_SUCCESS);
    ASSERT_EQ(set_dword(scratch(), L"alpha", 2), STATUS_SUCCESS);
    ASSERT_EQ(set_dword(scratch(), L"mid", 3), STATUS_SUCCESS);
    ASSERT_EQ(set_dword(scratch(), L"ZETA", 4), STATUS_SUCCESS);  // same value, new data
    const char16_t* expected[] = {u"zeta", u"alpha", u"mid"};
    alignas(8) unsigned char buffer[128];
    ULONG result = 0;
    for (ULONG i = 0; i < 3; ++i) {
        ASSERT_EQ(NtEnumerateValueKey(scratch(), i, KeyValueFullInformation, buffer, sizeof(buffer), &result),
                  STATUS_SUCCESS);
        auto* info = reinterpret_cast<KEY_VALUE_FULL_INFORMATION*>(buffer);
        EXPECT_EQ(std::u16string(reinterpret_cast<const char16_t*>(info->Name), info->NameLength / 2), expected[i]);
        if (i == 0) {
            EXPECT_EQ(*reinterpret_cast<ULONG*>(buffer + info->DataOffset), 4u);
        }
    }
    EXPECT_EQ(NtEnumerateValueKey(scratch(), 3, KeyValueBasicInformation, buffer, sizeof(buffer), &result),
              STATUS_NO_MORE_ENTRIES);
}

TEST_F(ValueTest, DeleteValueRemovesItAndAMissingOneIsNameNotFound) {
    ASSERT_EQ(set_dword(scratch(), L"Gone", 1), STATUS_SUCCESS);
    UNICODE_STRING name;
    RtlInitUnicodeString(&name, L"gone");
    EXPECT_EQ(NtDeleteValueKey(scratch(), &name), STATUS_SUCCESS);
    EXPECT_EQ(NtDeleteValueKey(scratch(), &name), STATUS_OBJECT_NAME_NOT_FOUND);
    ULONG type = 0;
    std::vector<unsigned char> data;
    EXPECT_EQ(read_value(scratch(), L"Gone", type, data), STATUS_OBJECT_NAME_NOT_FOUND);
}

TEST_F(ValueTest, TheDefaultValueHasAnEmptyName) {
    const wchar_t text[] = L"default";
    UNICODE_STRING empty{0, 0, nullptr};
    ASSERT_EQ(NtSetValueKey(scratch(), &empty, 0, REG_SZ, const_cast<wchar_t*>(text), sizeof(text)), STATUS_SUCCESS);
    ULONG type = 0;
    std::vector<unsigned char> data;
    ASSERT_EQ(read_value(scratch(), L"", type, data), STATUS_SUCCESS);
    EXPECT_EQ(type, ULONG{REG_SZ});
    EXPECT_EQ(data, bytes_of(text, sizeof(text)));
}

TEST_F(ValueTest, SettingAValueUpdatesTheKeysLastWriteTime) {
    alignas(8) unsigned char buffer[64];
    ULONG result = 0;
    ASSERT_EQ(NtQueryKey(scratch(), KeyBasicInformation, buffer, sizeof(buffer), &result), STATUS_SUCCESS);
    const LONGLONG before = reinterpret_cast<KEY_BASIC_INFORMATION*>(buffer)->LastWriteTime.QuadPart;
    ASSERT_EQ(set_dword(scratch(), L"Touch", 1), STATUS_SUCCESS);
    ASSERT_EQ(NtQueryKey(scratch(), KeyBasicInformation, buffer, sizeof(buffer), &result), STATUS_SUCCESS);
    EXPECT_GE(reinterpret_cast<KEY_BASIC_INFORMATION*>(buffer)->LastWriteTime.QuadPart, before);
}

}  // namespace
}  // namespace ntio::test
