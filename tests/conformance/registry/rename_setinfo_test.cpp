// NtRenameKey / ZwRenameKey, NtSetInformationKey / ZwSetInformationKey and NtQueryMultipleValueKey
// through the public surface: names, siblings, hive roots, access, change notification, information
// classes and lengths, and the multiple-value buffer layout and its overflow status.
// https://learn.microsoft.com/windows/win32/api/winternl/nf-winternl-ntrenamekey
// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-zwsetinformationkey
// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/ns-wdm-_key_value_entry
#include "conformance/registry/registry_test_support.hpp"

namespace ntio::test {
namespace {

using RenameKeyTest = RegistryTest;

NTSTATUS rename(HANDLE key, const wchar_t* name) {
    UNICODE_STRING new_name;
    RtlInitUnicodeString(&new_name, name);
    return NtRenameKey(key, &new_name);
}

LONGLONG last_write(HANDLE key) {
    KEY_BASIC_INFORMATION info[8];
    ULONG result = 0;
    EXPECT_EQ(NtQueryKey(key, KeyBasicInformation, info, sizeof(info), &result), STATUS_SUCCESS);
    return info[0].LastWriteTime.QuadPart;
}

TEST_F(RenameKeyTest, RenamedKeyKeepsItsValuesAndSubkeysUnderTheNewName) {
    Handle key, child;
    ASSERT_EQ(create_key(key.out(), L"Old", scratch()), STATUS_SUCCESS);
    ASSERT_EQ(set_dword(key, L"V", 7), STATUS_SUCCESS);
    ASSERT_EQ(create_key(child.out(), L"Child", key), STATUS_SUCCESS);
    ASSERT_EQ(rename(key, L"New"), STATUS_SUCCESS);
    EXPECT_EQ(key_path(key), user_key_path() + u"\\NtioTest\\New");
    EXPECT_EQ(key_path(child), user_key_path() + u"\\NtioTest\\New\\Child");
    Handle missing, reopened, reopened_child;
    EXPECT_EQ(open_key(missing.out(), L"Old", KEY_READ, scratch()), STATUS_OBJECT_NAME_NOT_FOUND);
    ASSERT_EQ(open_key(reopened.out(), L"New", KEY_READ, scratch()), STATUS_SUCCESS);
    EXPECT_EQ(read_dword(reopened, L"V"), 7u);
    EXPECT_EQ(open_key(reopened_child.out(), L"new\\child", KEY_READ, scratch()), STATUS_SUCCESS);
    EXPECT_EQ(subkey_name(scratch(), 0), u"New");
}

TEST_F(RenameKeyTest, ASiblingOfThatNameIsCannotDeleteButTheKeysOwnNameInAnotherCaseIsFine) {
    Handle a, b;
    ASSERT_EQ(create_key(a.out(), L"A", scratch()), STATUS_SUCCESS);
    ASSERT_EQ(create_key(b.out(), L"B", scratch()), STATUS_SUCCESS);
    EXPECT_EQ(rename(a, L"b"), STATUS_CANNOT_DELETE);
    EXPECT_EQ(key_path(a), user_key_path() + u"\\NtioTest\\A");
    EXPECT_EQ(rename(a, L"a"), STATUS_SUCCESS);
    EXPECT_EQ(subkey_name(scratch(), 0), u"a");
}

TEST_F(RenameKeyTest, NamesThatAreNotOneComponentAreRefused) {
    Handle a;
    ASSERT_EQ(create_key(a.out(), L"A", scratch()), STATUS_SUCCESS);
    EXPECT_EQ(rename(a, L""), STATUS_INVALID_PARAMETER);
    EXPECT_EQ(rename(a, L"x\\y"), STATUS_INVALID_PARAMETER);
    std::u16string long_name(256, u'n');
    EXPECT_EQ(rename(a, wide(long_name)), STATUS_INVALID_PARAMETER);
    EXPECT_EQ(NtRenameKey(a, nullptr), STATUS_ACCESS_VIOLATION);
    UNICODE_STRING odd{3, 4, const_cast<PWSTR>(L"ab")};
    EXPECT_EQ(NtRenameKey(a, &odd), STATUS_INVALID_PARAMETER);
}

TEST_F(RenameKeyTest, HiveRootsCannotBeRenamed) {
    for (const wchar_t* path : {L"\\REGISTRY\\MACHINE", L"\\REGISTRY\\USER"}) {
        HANDLE key = nullptr;
        ASSERT_EQ(ZwOpenKey(&key, KEY_ALL_ACCESS, ObjectName(path).get()), STATUS_SUCCESS);
        UNICODE_STRING name;
        RtlInitUnicodeString(&name, L"Elsewhere");
        EXPECT_EQ(ZwRenameKey(key, &name), STATUS_ACCESS_DENIED);
        ASSERT_EQ(ZwClose(key), STATUS_SUCCESS);
    }
    HANDLE software = nullptr;
    ASSERT_EQ(ZwOpenKey(&software, KEY_ALL_ACCESS, ObjectName(L"\\REGISTRY\\MACHINE\\SOFTWARE").get()), STATUS_SUCCESS);
    UNICODE_STRING name;
    RtlInitUnicodeString(&name, L"Soft");
    EXPECT_EQ(ZwRenameKey(software, &name), STATUS_ACCESS_DENIED);
    ASSERT_EQ(ZwClose(software), STATUS_SUCCESS);
}

TEST_F(RenameKeyTest, TheHandleNeedsKeyWrite) {
    Handle a, read_only;
    ASSERT_EQ(create_key(a.out(), L"A", scratch()), STATUS_SUCCESS);
    ASSERT_EQ(open_key(read_only.out(), L"A", KEY_READ | KEY_SET_VALUE, scratch()), STATUS_SUCCESS);
    EXPECT_EQ(rename(read_only, L"B"), STATUS_ACCESS_DENIED);
    EXPECT_EQ(rename(nullptr, L"B"), STATUS_INVALID_HANDLE);
}

TEST_F(RenameKeyTest, ADeletedKeyCannotBeRenamed) {
    Handle a;
    ASSERT_EQ(create_key(a.out(), L"A", scratch()), STATUS_SUCCESS);
    ASSERT_EQ(NtDeleteKey(a), STATUS_SUCCESS);
    EXPECT_EQ(rename(a, L"B"), STATUS_KEY_DELETED);
}

TEST_F(RenameKeyTest, RenameIsANameChangeOfTheParent) {
    Handle a, watcher;
    ASSERT_EQ(create_key(a.out(), L"A", scratch()), STATUS_SUCCESS);
    ASSERT_EQ(open_key(watcher.out(), L"", KEY_NOTIFY, scratch()), STATUS_SUCCESS);
    Handle event{make_event(NotificationEvent, FALSE)};
    IO_STATUS_BLOCK iosb{};
    ASSERT_EQ(NtNotifyChangeKey(watcher, event, nullptr, nullptr, &iosb, REG_NOTIFY_CHANGE_LAST_SET, FALSE, nullptr, 0,
                                TRUE),
              STATUS_PENDING);
    ASSERT_EQ(rename(a, L"B"), STATUS_SUCCESS);
    EXPECT_EQ(event_state(event), 0) << "a rename is no value change";
    watcher.reset();
    Handle watcher2, event2{make_event(NotificationEvent, FALSE)};
    ASSERT_EQ(open_key(watcher2.out(), L"", KEY_NOTIFY, scratch()), STATUS_SUCCESS);
    ASSERT_EQ(NtNotifyChangeKey(watcher2, event2, nullptr, nullptr, &iosb, REG_NOTIFY_CHANGE_NAME, FALSE, nullptr, 0,
                                TRUE),
              STATUS_PENDING);
    ASSERT_EQ(rename(a, L"C"), STATUS_SUCCESS);
    EXPECT_NE(event_state(event2), 0);
    EXPECT_EQ(iosb.Status, STATUS_SUCCESS);
}

using SetInformationKeyTest = RegistryTest;

TEST_F(SetInformationKeyTest, WriteTimeIsSetAndReadBack) {
    KEY_WRITE_TIME_INFORMATION info{};
    info.LastWriteTime.QuadPart = 0x01D0000012345678LL;
    ASSERT_EQ(NtSetInformationKey(scratch(), KeyWriteTimeInformation, &info, sizeof(info)), STATUS_SUCCESS);
    EXPECT_EQ(last_write(scratch()), info.LastWriteTime.QuadPart);
    info.LastWriteTime.QuadPart = 42;
    ASSERT_EQ(ZwSetInformationKey(scratch(), KeyWriteTimeInformation, &info, sizeof(info)), STATUS_SUCCESS);
    EXPECT_EQ(last_write(scratch()), 42);
}

TEST_F(SetInformationKeyTest, LengthClassAndAccessAreChecked) {
    KEY_WRITE_TIME_INFORMATION info{};
    EXPECT_EQ(NtSetInformationKey(scratch(), KeyWriteTimeInformation, &info, sizeof(info) - 1),
              STATUS_INFO_LENGTH_MISMATCH);
    EXPECT_EQ(NtSetInformationKey(scratch(), KeyWriteTimeInformation, &info, sizeof(info) + 1),
              STATUS_INFO_LENGTH_MISMATCH);
    EXPECT_EQ(NtSetInformationKey(scratch(), MaxKeySetInfoClass, &info, sizeof(info)), STATUS_INVALID_INFO_CLASS);
    EXPECT_EQ(NtSetInformationKey(scratch(), static_cast<KEY_SET_INFORMATION_CLASS>(0x7777), &info, sizeof(info)),
              STATUS_INVALID_INFO_CLASS);
    EXPECT_EQ(NtSetInformationKey(scratch(), KeyWriteTimeInformation, nullptr, sizeof(info)), STATUS_ACCESS_VIOLATION);
    Handle read_only;
    ASSERT_EQ(open_key(read_only.out(), L"", KEY_READ, scratch()), STATUS_SUCCESS);
    EXPECT_EQ(NtSetInformationKey(read_only, KeyWriteTimeInformation, &info, sizeof(info)), STATUS_ACCESS_DENIED);
    ULONG flags = 0;
    EXPECT_EQ(NtSetInformationKey(scratch(), KeyWow64FlagsInformation, &flags, sizeof(flags) + 4),
              STATUS_INFO_LENGTH_MISMATCH);
    EXPECT_EQ(NtSetInformationKey(scratch(), KeyControlFlagsInformation, &flags, sizeof(flags)), STATUS_NOT_IMPLEMENTED);
}

TEST_F(SetInformationKeyTest, SettingTheWriteTimeIsReportedAsLastSet) {
    Handle watcher, event{make_event(NotificationEvent, FALSE)};
    ASSERT_EQ(open_key(watcher.out(), L"", KEY_NOTIFY, scratch()), STATUS_SUCCESS);
    IO_STATUS_BLOCK iosb{};
    ASSERT_EQ(NtNotifyChangeKey(watcher, event, nullptr, nullptr, &iosb, REG_NOTIFY_CHANGE_LAST_SET, FALSE, nullptr, 0,
                                TRUE),
              STATUS_PENDING);
    KEY_WRITE_TIME_INFORMATION info{};
    info.LastWriteTime.QuadPart = 1000;
    ASSERT_EQ(NtSetInformationKey(scratch(), KeyWriteTimeInformation, &info, sizeof(info)), STATUS_SUCCESS);
    EXPECT_NE(event_state(event), 0);
}

using QueryMultipleValueKeyTest = RegistryTest;

struct Entries {
    UNICODE_STRING names[3];
    KEY_VALUE_ENTRY entries[3];
    explicit Entries(std::initializer_list<const wchar_t*> list) {
        ULONG i = 0;
        for (const wchar_t* name : list) {
            RtlInitUnicodeString(&names[i], name);
            entries[i] = KEY_VALUE_ENTRY{&names[i], 0xAAAA, 0xBBBB, 0xCCCC};
            ++i;
        }
    }
};

TEST_F(QueryMultipleValueKeyTest, DataOfEveryValueLaidOutAtUlongBoundaries) {
    ASSERT_EQ(set_value(scratch(), L"S", REG_SZ, L"abc", 8), STATUS_SUCCESS);   // 8 bytes
    ASSERT_EQ(set_value(scratch(), L"B", REG_BINARY, "\x01\x02\x03", 3), STATUS_SUCCESS);
    ASSERT_EQ(set_dword(scratch(), L"D", 0x11223344), STATUS_SUCCESS);
    Entries e{L"D", L"b", L"S"};
    alignas(8) unsigned char buffer[64] = {};
    ULONG length = sizeof(buffer), required = 0;
    ASSERT_EQ(NtQueryMultipleValueKey(scratch(), e.entries, 3, buffer, &length, &required), STATUS_SUCCESS);
    EXPECT_EQ(length, 4u + 3u + 1u + 8u);
    EXPECT_EQ(required, length);
    EXPECT_EQ(e.entries[0].Type, ULONG{REG_DWORD});
    EXPECT_EQ(e.entries[0].DataLength, 4u);
    EXPECT_EQ(e.entries[0].DataOffset, 0u);
    EXPECT_EQ(e.entries[1].Type, ULONG{REG_BINARY});
    EXPECT_EQ(e.entries[1].DataLength, 3u);
    EXPECT_EQ(e.entries[1].DataOffset, 4u);
    EXPECT_EQ(e.entries[2].DataOffset, 8u);
    EXPECT_EQ(e.entries[2].DataLength, 8u);
    ULONG dword = 0;
    std::memcpy(&dword, buffer, 4);
    EXPECT_EQ(dword, 0x11223344u);
    EXPECT_EQ(std::memcmp(buffer + 4, "\x01\x02\x03", 3), 0);
    EXPECT_EQ(std::memcmp(buffer + 8, L"abc", 8), 0);
}

TEST_F(QueryMultipleValueKeyTest, ASmallBufferIsBufferOverflowWithTheSizeNeeded) {
    ASSERT_EQ(set_dword(scratch(), L"D", 1), STATUS_SUCCESS);
    ASSERT_EQ(set_value(scratch(), L"Q", REG_QWORD, "\1\2\3\4\5\6\7\x08", 8), STATUS_SUCCESS);
    Entries e{L"D", L"Q"};
    alignas(8) unsigned char buffer[8] = {};
    ULONG length = 6, required = 0;
    EXPECT_EQ(NtQueryMultipleValueKey(scratch(), e.entries, 2, buffer, &length, &required), STATUS_BUFFER_OVERFLOW);
    EXPECT_EQ(length, 12u);
    EXPECT_EQ(required, 12u);
    ULONG zero = 0;
    EXPECT_EQ(NtQueryMultipleValueKey(scratch(), e.entries, 2, nullptr, &zero, nullptr), STATUS_BUFFER_OVERFLOW);
    EXPECT_EQ(zero, 12u);
}

TEST_F(QueryMultipleValueKeyTest, AMissingValueOrBadInputFails) {
    ASSERT_EQ(set_dword(scratch(), L"D", 1), STATUS_SUCCESS);
    Entries e{L"D", L"Missing"};
    alignas(8) unsigned char buffer[32];
    ULONG length = sizeof(buffer);
    EXPECT_EQ(NtQueryMultipleValueKey(scratch(), e.entries, 2, buffer, &length, nullptr), STATUS_OBJECT_NAME_NOT_FOUND);
    EXPECT_EQ(NtQueryMultipleValueKey(scratch(), e.entries, 1, buffer, nullptr, nullptr), STATUS_ACCESS_VIOLATION);
    EXPECT_EQ(NtQueryMultipleValueKey(scratch(), nullptr, 1, buffer, &length, nullptr), STATUS_ACCESS_VIOLATION);
    Handle no_query;
    ASSERT_EQ(open_key(no_query.out(), L"", KEY_SET_VALUE, scratch()), STATUS_SUCCESS);
    EXPECT_EQ(NtQueryMultipleValueKey(no_query, e.entries, 1, buffer, &length, nullptr), STATUS_ACCESS_DENIED);
    length = 0;
    EXPECT_EQ(NtQueryMultipleValueKey(scratch(), e.entries, 0, nullptr, &length, nullptr), STATUS_SUCCESS);
    EXPECT_EQ(length, 0u);
}

// ZwQueryMultipleValueKey: the service as a kernel-mode caller runs it, on a key the driver made.
TEST_F(QueryMultipleValueKeyTest, ZwFormReadsTheValuesOfADriversKey) {
    HANDLE key = nullptr;
    ASSERT_EQ(zw_create_key(&key, L"\\REGISTRY\\MACHINE\\SOFTWARE\\NtioZwMultipleValues"), STATUS_SUCCESS);
    UNICODE_STRING name;
    RtlInitUnicodeString(&name, L"D");
    ULONG value = 0x55667788;
    ASSERT_EQ(ZwSetValueKey(key, &name, 0, REG_DWORD, &value, sizeof(value)), STATUS_SUCCESS);
    Entries e{L"D"};
    alignas(8) unsigned char buffer[16] = {};
    ULONG length = sizeof(buffer), required = 0;
    EXPECT_EQ(ZwQueryMultipleValueKey(key, e.entries, 1, buffer, &length, &required), STATUS_SUCCESS);
    EXPECT_EQ(length, 4u);
    EXPECT_EQ(required, 4u);
    EXPECT_EQ(e.entries[0].Type, ULONG{REG_DWORD});
    ULONG read = 0;
    std::memcpy(&read, buffer, 4);
    EXPECT_EQ(read, value);
    Entries missing{L"Missing"};
    EXPECT_EQ(ZwQueryMultipleValueKey(key, missing.entries, 1, buffer, &length, nullptr), STATUS_OBJECT_NAME_NOT_FOUND);
    EXPECT_EQ(ZwDeleteKey(key), STATUS_SUCCESS);
    EXPECT_EQ(ZwClose(key), STATUS_SUCCESS);
}

}  // namespace
}  // namespace ntio::test
