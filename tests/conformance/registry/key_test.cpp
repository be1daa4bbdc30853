// Keys through NtCreateKey / NtOpenKey(Ex) / NtEnumerateKey / NtQueryKey / NtDeleteKey: dispositions,
// case-insensitive names, opens relative to a key handle, names reported by NtQueryObject and
// KeyNameInformation, the default hive's keys, the CurrentControlSet link, volatile keys, deletion.
// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-zwcreatekey
#include "conformance/registry/registry_test_support.hpp"

namespace ntio::test {
namespace {

using KeyTest = RegistryTest;

TEST_F(KeyTest, CreateReportsCreatedNewKeyThenOpenedExistingKey) {
    ULONG disposition = 0;
    Handle first, second;
    ASSERT_EQ(create_key(first.out(), L"Child", scratch(), 0, &disposition), STATUS_SUCCESS);
    EXPECT_EQ(disposition, ULONG{REG_CREATED_NEW_KEY});
    ASSERT_EQ(create_key(second.out(), L"Child", scratch(), 0, &disposition), STATUS_SUCCESS);
    EXPECT_EQ(disposition, ULONG{REG_OPENED_EXISTING_KEY});
}

TEST_F(KeyTest, OpeningAMissingKeyIsObjectNameNotFound) {
    Handle key;
    EXPECT_EQ(open_key(key.out(), L"Missing", KEY_READ, scratch()), STATUS_OBJECT_NAME_NOT_FOUND);
    EXPECT_EQ(open_key(key.out(), L"Missing\\Below", KEY_READ, scratch()), STATUS_OBJECT_NAME_NOT_FOUND);
}

TEST_F(KeyTest, CreateNeedsTheParentToExist) {
    Handle key;
    EXPECT_EQ(create_key(key.out(), L"NoParent\\Child", scratch()), STATUS_OBJECT_NAME_NOT_FOUND);
    EXPECT_EQ(open_key(key.out(), L"NoParent", KEY_READ, scratch()), STATUS_OBJECT_NAME_NOT_FOUND);
}

TEST_F(KeyTest, NamesAreCaseInsensitiveAndKeepTheirCreatedCase) {
    Handle created, opened;
    ASSERT_EQ(create_key(created.out(), L"MixedCase", scratch()), STATUS_SUCCESS);
    // The registry ignores case even without OBJ_CASE_INSENSITIVE.
    ASSERT_EQ(open_key(opened.out(), L"MIXEDCASE", KEY_READ, scratch(), 0), STATUS_SUCCESS);
    EXPECT_EQ(subkey_name(scratch(), 0), u"MixedCase");
    std::u16string path = key_path(opened);
    EXPECT_EQ(path.substr(path.size() - 10), u"\\MixedCase");
}

TEST_F(KeyTest, AbsoluteAndRelativeNamesReachTheSameKey) {
    Handle child, absolute, reopened;
    ASSERT_EQ(create_key(child.out(), L"Rel", scratch()), STATUS_SUCCESS);
    std::u16string path = key_path(child);
    ASSERT_EQ(open_key(absolute.out(), wide(path)), STATUS_SUCCESS);
    EXPECT_EQ(key_path(absolute), path);
    // An empty name relative to a key reopens that key.
    ASSERT_EQ(open_key(reopened.out(), L"", KEY_READ, child), STATUS_SUCCESS);
    EXPECT_EQ(key_path(reopened), path);
    // A relative name may not start with a separator.
    Handle bad;
    EXPECT_EQ(open_key(bad.out(), L"\\Rel", KEY_READ, scratch()), STATUS_OBJECT_PATH_SYNTAX_BAD);
}

TEST_F(KeyTest, NtQueryObjectNamesTheKeyUnderRegistryMachine) {
    Handle key;
    ASSERT_EQ(open_key(key.out(), L"\\Registry\\Machine\\Software"), STATUS_SUCCESS);
    alignas(8) unsigned char buffer[512];
    ULONG length = 0;
    ASSERT_EQ(NtQueryObject(key, ObjectNameInformation, buffer, sizeof(buffer), &length), STATUS_SUCCESS);
    auto* info = reinterpret_cast<OBJECT_NAME_INFORMATION*>(buffer);
    EXPECT_EQ(std::u16string(reinterpret_cast<const char16_t*>(info->Name.Buffer), info->Name.Length / 2),
              u"\\REGISTRY\\MACHINE\\SOFTWARE");
    EXPECT_EQ(key_path(key), u"\\REGISTRY\\MACHINE\\SOFTWARE");
    EXPECT_EQ(length, sizeof(OBJECT_NAME_INFORMATION) + info->Name.Length + sizeof(WCHAR));
}

TEST_F(KeyTest, DefaultHiveHoldsTheStandardKeys) {
    for (const wchar_t* name : {L"\\REGISTRY\\MACHINE\\SYSTEM\\CurrentControlSet\\Services",
                                L"\\REGISTRY\\MACHINE\\SYSTEM\\CurrentControlSet\\Control\\Session Manager\\Memory Management",
                                L"\\REGISTRY\\MACHINE\\HARDWARE\\DESCRIPTION\\System", L"\\REGISTRY\\MACHINE\\SOFTWARE",
                                L"\\REGISTRY\\USER\\.DEFAULT"}) {
        Handle key;
        EXPECT_EQ(open_key(key.out(), name), STATUS_SUCCESS);
    }
}

TEST_F(KeyTest, CurrentControlSetIsALinkToControlSet001) {
    Handle services;
    ASSERT_EQ(open_key(services.out(), L"\\REGISTRY\\MACHINE\\SYSTEM\\CurrentControlSet\\Services"), STATUS_SUCCESS);
    EXPECT_EQ(key_path(services), u"\\REGISTRY\\MACHINE\\SYSTEM\\ControlSet001\\Services");

    // Opened as a link (REG_OPTION_OPEN_LINK), the key holds its target in SymbolicLinkValue.
    ObjectName oa(L"\\REGISTRY\\MACHINE\\SYSTEM\\CurrentControlSet");
    Handle link;
    ASSERT_EQ(NtOpenKeyEx(link.out(), KEY_READ, oa.get(), REG_OPTION_OPEN_LINK), STATUS_SUCCESS);
    EXPECT_EQ(key_path(link), u"\\REGISTRY\\MACHINE\\SYSTEM\\CurrentControlSet");
    ULONG type = 0;
    std::vector<unsigned char> data;
    ASSERT_EQ(read_value(link, L"SymbolicLinkValue", type, data), STATUS_SUCCESS);
    EXPECT_EQ(type, ULONG{REG_LINK});
    EXPECT_EQ(std::u16string(reinterpret_cast<const char16_t*>(data.data()), data.size() / 2),
              u"\\REGISTRY\\MACHINE\\SYSTEM\\ControlSet001");
}

TEST_F(KeyTest, LinkKeysCreatedByTheApplicationRedirectOpens) {
    Handle target, link, through;
    ASSERT_EQ(create_key(target.out(), L"Target", scratch()), STATUS_SUCCESS);
    ASSERT_EQ(set_dword(target, L"Marker", 7), STATUS_SUCCESS);
    ASSERT_EQ(create_key(link.out(), L"Link", scratch(), REG_OPTION_CREATE_LINK), STATUS_SUCCESS);
    std::u16string path = key_path(target);
    ASSERT_EQ(set_value(link, L"SymbolicLinkValue", REG_LINK, path.data(), static_cast<ULONG>(path.size() * 2)),
              STATUS_SUCCESS);
    ASSERT_EQ(open_key(through.out(), L"Link", KEY_READ, scratch()), STATUS_SUCCESS);
    EXPECT_EQ(key_path(through), path);
    EXPECT_EQ(read_dword(through, L"Marker"), 7u);
}

TEST_F(KeyTest, EnumerateKeyListsSubkeysInNameOrderThenNoMoreEntries) {
    for (const wchar_t* name : {L"charlie", L"Alpha", L"bravo"}) {
        Handle key;
        ASSERT_EQ(create_key(key.out(), name, scratch()), STATUS_SUCCESS);
    }
    EXPECT_EQ(subkey_name(scratch(), 0), u"Alpha");
    EXPECT_EQ(subkey_name(scratch(), 1), u"bravo");
    EXPECT_EQ(subkey_name(scratch(), 2), u"charlie");
    NTSTATUS status = STATUS_SUCCESS;
    subkey_name(scratch(), 3, &status);
    EXPECT_EQ(status, STATUS_NO_MORE_ENTRIES);
}

TEST_F(KeyTest, QueryKeyFullInformationCountsSubkeysAndValues) {
    Handle a, longer;
    ASSERT_EQ(create_key(a.out(), L"A", scratch()), STATUS_SUCCESS);
    ASSERT_EQ(create_key(longer.out(), L"Longer", scratch()), STATUS_SUCCESS);
    ASSERT_EQ(set_dword(scratch(), L"V", 1), STATUS_SUCCESS);
    const unsigned char blob[10] = {};
    ASSERT_EQ(set_value(scratch(), L"BinaryValue", REG_BINARY, blob, sizeof(blob)), STATUS_SUCCESS);
    alignas(8) unsigned char buffer[256];
    ULONG result = 0;
    ASSERT_EQ(NtQueryKey(scratch(), KeyFullInformation, buffer, sizeof(buffer), &result), STATUS_SUCCESS);
    auto* full = reinterpret_cast<KEY_FULL_INFORMATION*>(buffer);
    EXPECT_EQ(full->SubKeys, 2u);
    EXPECT_EQ(full->MaxNameLen, 12u);  // "Longer", in bytes
    EXPECT_EQ(full->Values, 2u);
    EXPECT_EQ(full->MaxValueNameLen, 22u);
    EXPECT_EQ(full->MaxValueDataLen, 10u);
    EXPECT_EQ(full->ClassLength, 0u);
    EXPECT_EQ(result, ULONG{FIELD_OFFSET(KEY_FULL_INFORMATION, Class)});
    EXPECT_NE(full->LastWriteTime.QuadPart, 0);

    ASSERT_EQ(NtQueryKey(scratch(), KeyCachedInformation, buffer, sizeof(buffer), &result), STATUS_SUCCESS);
    auto* cached = reinterpret_cast<KEY_CACHED_INFORMATION*>(buffer);
    EXPECT_EQ(result, sizeof(KEY_CACHED_INFORMATION));
    EXPECT_EQ(cached->SubKeys, 2u);
    EXPECT_EQ(cached->Values, 2u);
    EXPECT_EQ(cached->NameLength, 16u);  // "NtioTest"
}

TEST_F(KeyTest, ClassNameIsReportedByNodeAndFullInformation) {
    UNICODE_STRING class_name;
    RtlInitUnicodeString(&class_name, L"MyClass");
    ObjectName oa(L"Classy", OBJ_CASE_INSENSITIVE, scratch());
    Handle key;
    ASSERT_EQ(NtCreateKey(key.out(), KEY_ALL_ACCESS, oa.get(), 0, &class_name, 0, nullptr), STATUS_SUCCESS);
    alignas(8) unsigned char buffer[256];
    ULONG result = 0;
    ASSERT_EQ(NtEnumerateKey(scratch(), 0, KeyNodeInformation, buffer, sizeof(buffer), &result), STATUS_SUCCESS);
    auto* node = reinterpret_cast<KEY_NODE_INFORMATION*>(buffer);
    EXPECT_EQ(node->NameLength, 12u);
    EXPECT_EQ(node->ClassLength, 14u);
    EXPECT_EQ(node->ClassOffset, FIELD_OFFSET(KEY_NODE_INFORMATION, Name) + 12u);
    EXPECT_EQ(std::memcmp(buffer + node->ClassOffset, L"MyClass", 14), 0);
    EXPECT_EQ(result, FIELD_OFFSET(KEY_NODE_INFORMATION, Name) + 26u);
    ASSERT_EQ(NtQueryKey(key, KeyFullInformation, buffer, sizeof(buffer), &result), STATUS_SUCCESS);
    auto* full = reinterpret_cast<KEY_FULL_INFORMATION*>(buffer);
    EXPECT_EQ(full->ClassOffset, ULONG{FIELD_OFFSET(KEY_FULL_INFORMATION, Class)});
    EXPECT_EQ(std::memcmp(full->Class, L"MyClass", 14), 0);
}

TEST_F(KeyTest, QueryKeyBufferRulesTooSmallThenOverflowThenSuccess) {
    alignas(8) unsigned char buffer[256];
    std::memset(buffer, 0xCC, sizeof(buffer));
    ULONG result = 0;
    const ULONG fixed = FIELD_OFFSET(KEY_BASIC_INFORMATION, Name);
    const ULONG whole = fixed + 16;  // "NtioTest"
    EXPECT_EQ(NtQueryKey(scratch(), KeyBasicInformation, buffer, fixed - 1, &result), STATUS_BUFFER_TOO_SMALL);
    EXPECT_EQ(result, whole);
    EXPECT_EQ(buffer[0], 0xCC);
    EXPECT_EQ(NtQueryKey(scratch(), KeyBasicInformation, buffer, fixed + 2, &result), STATUS_BUFFER_OVERFLOW);
    EXPECT_EQ(result, whole);
    EXPECT_EQ(reinterpret_cast<KEY_BASIC_INFORMATION*>(buffer)->NameLength, 16u);
    EXPECT_EQ(NtQueryKey(scratch(), KeyBasicInformation, buffer, whole, &result), STATUS_SUCCESS);
    EXPECT_EQ(std::memcmp(reinterpret_cast<KEY_BASIC_INFORMATION*>(buffer)->Name, L"NtioTest", 16), 0);
}

TEST_F(KeyTest, DeletingAKeyWithSubkeysIsCannotDelete) {
    Handle parent, child;
    ASSERT_EQ(create_key(parent.out(), L"Parent", scratch()), STATUS_SUCCESS);
    ASSERT_EQ(create_key(child.out(), L"Child", parent), STATUS_SUCCESS);
    EXPECT_EQ(NtDeleteKey(parent), STATUS_CANNOT_DELETE);
    EXPECT_EQ(NtDeleteKey(child), STATUS_SUCCESS);
    EXPECT_EQ(NtDeleteKey(parent), STATUS_SUCCESS);
}

TEST_F(KeyTest, ADeletedKeysHandlesGiveKeyDeleted) {
    Handle key, other;
    ASSERT_EQ(create_key(key.out(), L"Doomed", scratch()), STATUS_SUCCESS);
    ASSERT_EQ(open_key(other.out(), L"Doomed", KEY_ALL_ACCESS, scratch()), STATUS_SUCCESS);
    ASSERT_EQ(NtDeleteKey(key), STATUS_SUCCESS);
    alignas(8) unsigned char buffer[256];
    ULONG result = 0;
    EXPECT_EQ(NtQueryKey(other, KeyBasicInformation, buffer, sizeof(buffer), &result), STATUS_KEY_DELETED);
    EXPECT_EQ(set_dword(other, L"V", 1), STATUS_KEY_DELETED);
    EXPECT_EQ(NtFlushKey(other), STATUS_KEY_DELETED);
    EXPECT_EQ(NtDeleteKey(other), STATUS_KEY_DELETED);
    Handle child;
    EXPECT_EQ(create_key(child.out(), L"Child", other), STATUS_KEY_DELETED);
    EXPECT_EQ(open_key(child.out(), L"Doomed", KEY_READ, scratch()), STATUS_OBJECT_NAME_NOT_FOUND);
    // A new key of the same name is a different key.
    ULONG disposition = 0;
    ASSERT_EQ(create_key(child.out(), L"Doomed", scratch(), 0, &disposition), STATUS_SUCCESS);
    EXPECT_EQ(disposition, ULONG{REG_CREATED_NEW_KEY});
    EXPECT_EQ(NtClose(other.release()), STATUS_SUCCESS);
}

TEST_F(KeyTest, HiveRootsCannotBeDeleted) {
    for (const wchar_t* name : {L"\\REGISTRY", L"\\REGISTRY\\MACHINE", L"\\REGISTRY\\USER"}) {
        HANDLE key = nullptr;
        ObjectName oa(name);
        ASSERT_EQ(ZwOpenKey(&key, KEY_ALL_ACCESS, oa.get()), STATUS_SUCCESS);
        EXPECT_EQ(ZwDeleteKey(key), STATUS_CANNOT_DELETE);
        EXPECT_EQ(ZwClose(key), STATUS_SUCCESS);
    }
}

TEST_F(KeyTest, VolatileKeysTakeOnlyVolatileChildren) {
    Handle volatile_key, child, stable;
    ASSERT_EQ(create_key(volatile_key.out(), L"Volatile", scratch(), REG_OPTION_VOLATILE), STATUS_SUCCESS);
    EXPECT_EQ(create_key(stable.out(), L"Stable", volatile_key), STATUS_CHILD_MUST_BE_VOLATILE);
    EXPECT_EQ(create_key(child.out(), L"AlsoVolatile", volatile_key, REG_OPTION_VOLATILE), STATUS_SUCCESS);
}

TEST_F(KeyTest, UnknownCreateOrOpenOptionsAreInvalidParameter) {
    Handle key;
    EXPECT_EQ(create_key(key.out(), L"Opt", scratch(), 0x100), STATUS_INVALID_PARAMETER);
    ObjectName oa(L"\\REGISTRY\\MACHINE");
    EXPECT_EQ(NtOpenKeyEx(key.out(), KEY_READ, oa.get(), REG_OPTION_VOLATILE), STATUS_INVALID_PARAMETER);
}

TEST_F(KeyTest, DriversCreateAndDeleteKeysUnderMachineWithZwRoutines) {
    HANDLE key = nullptr;
    ULONG disposition = 0;
    ASSERT_EQ(zw_create_key(&key, L"\\REGISTRY\\MACHINE\\SOFTWARE\\NtioDriverKey", nullptr, 0, &disposition),
              STATUS_SUCCESS);
    EXPECT_EQ(disposition, ULONG{REG_CREATED_NEW_KEY});
    ULONG value = 0x1234;
    UNICODE_STRING name;
    RtlInitUnicodeString(&name, L"Start");
    EXPECT_EQ(ZwSetValueKey(key, &name, 0, REG_DWORD, &value, sizeof(value)), STATUS_SUCCESS);
    alignas(8) unsigned char buffer[64];
    ULONG result = 0;
    ASSERT_EQ(ZwQueryValueKey(key, &name, KeyValuePartialInformation, buffer, sizeof(buffer), &result), STATUS_SUCCESS);
    EXPECT_EQ(*reinterpret_cast<ULONG*>(reinterpret_cast<KEY_VALUE_PARTIAL_INFORMATION*>(buffer)->Data), 0x1234u);
    EXPECT_EQ(ZwFlushKey(key), STATUS_SUCCESS);
    EXPECT_EQ(ZwDeleteKey(key), STATUS_SUCCESS);
    EXPECT_EQ(ZwClose(key), STATUS_SUCCESS);
}

}  // namespace
}  // namespace ntio::test
