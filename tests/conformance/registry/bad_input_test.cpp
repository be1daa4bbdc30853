// Bad input to the registry services: invalid and wrong-type handles, handles without the right
// access, keys whose security refuses the application, unreadable or unwritable caller memory, and
// malformed names. Each gets the NT status; nothing changes.
// https://learn.microsoft.com/windows/win32/sysinfo/registry-key-security-and-access-rights
#include "conformance/registry/registry_test_support.hpp"

namespace ntio::test {
namespace {

using BadInputTest = RegistryTest;

TEST_F(BadInputTest, InvalidAndWrongTypeHandles) {
    alignas(8) unsigned char buffer[64];
    ULONG result = 0;
    EXPECT_EQ(NtQueryKey(reinterpret_cast<HANDLE>(0x7777), KeyBasicInformation, buffer, sizeof(buffer), &result),
              STATUS_INVALID_HANDLE);
    EXPECT_EQ(set_dword(reinterpret_cast<HANDLE>(0x7777), L"V", 1), STATUS_INVALID_HANDLE);
    Handle event(make_event(NotificationEvent, FALSE));
    EXPECT_EQ(NtQueryKey(event, KeyBasicInformation, buffer, sizeof(buffer), &result), STATUS_OBJECT_TYPE_MISMATCH);
    EXPECT_EQ(NtDeleteKey(event), STATUS_OBJECT_TYPE_MISMATCH);
    EXPECT_EQ(NtFlushKey(event), STATUS_OBJECT_TYPE_MISMATCH);
    // A key name looked up as another type does not parse as one.
    Handle opened;
    ObjectName oa(L"\\REGISTRY\\MACHINE");
    EXPECT_EQ(NtOpenEvent(opened.out(), EVENT_ALL_ACCESS, oa.get()), STATUS_OBJECT_TYPE_MISMATCH);
}

TEST_F(BadInputTest, EachServiceNeedsItsRightOnTheHandle) {
    Handle read_only, no_rights;
    ASSERT_EQ(set_dword(scratch(), L"V", 1), STATUS_SUCCESS);
    ASSERT_EQ(open_key(read_only.out(), L"", KEY_READ, scratch()), STATUS_SUCCESS);
    EXPECT_EQ(set_dword(read_only, L"V", 2), STATUS_ACCESS_DENIED);
    UNICODE_STRING name;
    RtlInitUnicodeString(&name, L"V");
    EXPECT_EQ(NtDeleteValueKey(read_only, &name), STATUS_ACCESS_DENIED);
    EXPECT_EQ(NtDeleteKey(read_only), STATUS_ACCESS_DENIED);
    EXPECT_EQ(read_dword(read_only, L"V"), 1u);

    ASSERT_EQ(open_key(no_rights.out(), L"", KEY_NOTIFY, scratch()), STATUS_SUCCESS);
    alignas(8) unsigned char buffer[256];
    ULONG result = 0;
    EXPECT_EQ(NtQueryValueKey(no_rights, &name, KeyValuePartialInformation, buffer, sizeof(buffer), &result),
              STATUS_ACCESS_DENIED);
    EXPECT_EQ(NtEnumerateKey(no_rights, 0, KeyBasicInformation, buffer, sizeof(buffer), &result), STATUS_ACCESS_DENIED);
    EXPECT_EQ(NtEnumerateValueKey(no_rights, 0, KeyValueBasicInformation, buffer, sizeof(buffer), &result),
              STATUS_ACCESS_DENIED);
    EXPECT_EQ(NtQueryKey(no_rights, KeyBasicInformation, buffer, sizeof(buffer), &result), STATUS_ACCESS_DENIED);
    // The key's name needs no right (ZwQueryKey: KeyNameInformation).
    EXPECT_EQ(NtQueryKey(no_rights, KeyNameInformation, buffer, sizeof(buffer), &result), STATUS_SUCCESS);
}

TEST_F(BadInputTest, ApplicationsReadButCannotWriteTheMachineHive) {
    Handle software, key;
    EXPECT_EQ(open_key(software.out(), L"\\REGISTRY\\MACHINE\\SOFTWARE", KEY_READ), STATUS_SUCCESS);
    EXPECT_EQ(open_key(key.out(), L"\\REGISTRY\\MACHINE\\SOFTWARE", KEY_SET_VALUE), STATUS_ACCESS_DENIED);
    EXPECT_EQ(create_key(key.out(), L"\\REGISTRY\\MACHINE\\SOFTWARE\\NotMine"), STATUS_ACCESS_DENIED);
    EXPECT_EQ(create_key(key.out(), L"NotMine", software, 0, nullptr, KEY_READ), STATUS_ACCESS_DENIED);
    EXPECT_EQ(open_key(key.out(), L"\\REGISTRY\\MACHINE\\SOFTWARE\\NotMine"), STATUS_OBJECT_NAME_NOT_FOUND);
}

TEST_F(BadInputTest, AKeysOwnDescriptorDecidesWhoOpensIt) {
    // A descriptor granting only SYSTEM, given at creation by a driver.
    alignas(8) unsigned char acl_buffer[64];
    auto* acl = reinterpret_cast<PACL>(acl_buffer);
    ASSERT_EQ(RtlCreateAcl(acl, sizeof(acl_buffer), ACL_REVISION), STATUS_SUCCESS);
    SID_IDENTIFIER_AUTHORITY nt_authority = SECURITY_NT_AUTHORITY;
    alignas(8) unsigned char sid_buffer[SECURITY_MAX_SID_SIZE];
    auto* system_sid = reinterpret_cast<PSID>(sid_buffer);
    ASSERT_EQ(RtlInitializeSid(system_sid, &nt_authority, 1), STATUS_SUCCESS);
    *RtlSubAuthoritySid(system_sid, 0) = SECURITY_LOCAL_SYSTEM_RID;
    ASSERT_EQ(RtlAddAccessAllowedAce(acl, ACL_REVISION, KEY_ALL_ACCESS, system_sid), STATUS_SUCCESS);
    SECURITY_DESCRIPTOR sd;
    ASSERT_EQ(RtlCreateSecurityDescriptor(&sd, SECURITY_DESCRIPTOR_REVISION), STATUS_SUCCESS);
    ASSERT_EQ(RtlSetDaclSecurityDescriptor(&sd, TRUE, acl, FALSE), STATUS_SUCCESS);
    HANDLE locked = nullptr;
    ASSERT_EQ(zw_create_key(&locked, L"Locked", scratch(), 0, nullptr, &sd), STATUS_SUCCESS);

    Handle key;
    EXPECT_EQ(open_key(key.out(), L"Locked", KEY_READ, scratch()), STATUS_ACCESS_DENIED);
    // Its subkeys inherit the descriptor.
    HANDLE child = nullptr;
    ASSERT_EQ(zw_create_key(&child, L"Child", locked), STATUS_SUCCESS);
    EXPECT_EQ(open_key(key.out(), L"Locked\\Child", KEY_READ, scratch()), STATUS_ACCESS_DENIED);
    EXPECT_EQ(ZwDeleteKey(child), STATUS_SUCCESS);
    EXPECT_EQ(ZwClose(child), STATUS_SUCCESS);
    EXPECT_EQ(ZwDeleteKey(locked), STATUS_SUCCESS);
    EXPECT_EQ(ZwClose(locked), STATUS_SUCCESS);
}

TEST_F(BadInputTest, UnreadableOrUnwritableCallerMemoryIsAccessViolation) {
    BadMemory bad;
    ObjectName oa(L"\\REGISTRY\\MACHINE");
    EXPECT_EQ(NtOpenKey(bad.no_access<HANDLE>(), KEY_READ, oa.get()), STATUS_ACCESS_VIOLATION);
    EXPECT_EQ(NtOpenKey(bad.read_only<HANDLE>(), KEY_READ, oa.get()), STATUS_ACCESS_VIOLATION);
    Handle key;
    EXPECT_EQ(NtOpenKey(key.out(), KEY_READ, bad.no_access<OBJECT_ATTRIBUTES>()), STATUS_ACCESS_VIOLATION);
    EXPECT_EQ(NtOpenKey(key.out(), KEY_READ, nullptr), STATUS_ACCESS_VIOLATION);
    ULONG* bad_disposition = bad.read_only<ULONG>();
    EXPECT_EQ(create_key(key.out(), L"Fresh", scratch(), 0, bad_disposition), STATUS_ACCESS_VIOLATION);
    EXPECT_EQ(open_key(key.out(), L"Fresh", KEY_READ, scratch()), STATUS_OBJECT_NAME_NOT_FOUND);

    EXPECT_EQ(NtSetValueKey(scratch(), bad.no_access<UNICODE_STRING>(), 0, REG_DWORD, nullptr, 0),
              STATUS_ACCESS_VIOLATION);
    UNICODE_STRING name;
    RtlInitUnicodeString(&name, L"V");
    EXPECT_EQ(NtSetValueKey(scratch(), &name, 0, REG_BINARY, bad.no_access<void>(), 16), STATUS_ACCESS_VIOLATION);
    UNICODE_STRING bad_buffer{8, 8, bad.no_access<WCHAR>()};
    EXPECT_EQ(NtSetValueKey(scratch(), &bad_buffer, 0, REG_NONE, nullptr, 0), STATUS_ACCESS_VIOLATION);

    ASSERT_EQ(set_dword(scratch(), L"V", 3), STATUS_SUCCESS);
    ULONG result = 0;
    EXPECT_EQ(NtQueryValueKey(scratch(), &name, KeyValuePartialInformation, bad.read_only<void>(), 64, &result),
              STATUS_ACCESS_VIOLATION);
    alignas(8) unsigned char buffer[64];
    EXPECT_EQ(NtQueryValueKey(scratch(), &name, KeyValuePartialInformation, buffer, sizeof(buffer), nullptr),
              STATUS_ACCESS_VIOLATION);
    EXPECT_EQ(NtQueryValueKey(scratch(), &name, KeyValuePartialInformation, buffer, sizeof(buffer),
                              bad.read_only<ULONG>()),
              STATUS_ACCESS_VIOLATION);
    EXPECT_EQ(NtQueryKey(scratch(), KeyBasicInformation, bad.no_access<void>(), 64, &result), STATUS_ACCESS_VIOLATION);
    EXPECT_EQ(NtEnumerateKey(scratch(), 0, KeyBasicInformation, buffer, sizeof(buffer), nullptr),
              STATUS_ACCESS_VIOLATION);
    EXPECT_EQ(NtEnumerateValueKey(scratch(), 0, KeyValueBasicInformation, bad.read_only<void>(), 64, &result),
              STATUS_ACCESS_VIOLATION);
    EXPECT_EQ(NtDeleteValueKey(scratch(), bad.no_access<UNICODE_STRING>()), STATUS_ACCESS_VIOLATION);
    EXPECT_EQ(read_dword(scratch(), L"V"), 3u);
}

TEST_F(BadInputTest, MalformedNamesAreRefused) {
    Handle key;
    EXPECT_EQ(create_key(key.out(), L"a\\\\b", scratch()), STATUS_OBJECT_NAME_INVALID);
    std::u16string too_long(256, u'x');
    EXPECT_EQ(create_key(key.out(), wide(too_long), scratch()), STATUS_OBJECT_NAME_INVALID);
    std::u16string longest(255, u'x');
    EXPECT_EQ(create_key(key.out(), wide(longest), scratch()), STATUS_SUCCESS);
    UNICODE_STRING odd{3, 4, const_cast<wchar_t*>(L"ab")};
    EXPECT_EQ(NtSetValueKey(scratch(), &odd, 0, REG_NONE, nullptr, 0), STATUS_INVALID_PARAMETER);
    ObjectName relative(L"Registry\\Machine");
    EXPECT_EQ(NtOpenKey(key.out(), KEY_READ, relative.get()), STATUS_OBJECT_PATH_SYNTAX_BAD);
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-zwenumeratekey: Basic, Full and
// Node only; any other class is STATUS_INVALID_PARAMETER (NtQueryKey takes KeyNameInformation).
TEST_F(BadInputTest, EnumerateKeyTakesOnlyBasicFullAndNodeClasses) {
    Handle child;
    ASSERT_EQ(create_key(child.out(), L"Child", scratch()), STATUS_SUCCESS);
    alignas(8) unsigned char buffer[512];
    ULONG result = 0;
    for (KEY_INFORMATION_CLASS good : {KeyBasicInformation, KeyFullInformation, KeyNodeInformation})
        EXPECT_EQ(NtEnumerateKey(scratch(), 0, good, buffer, sizeof(buffer), &result), STATUS_SUCCESS) << good;
    for (KEY_INFORMATION_CLASS bad : {KeyNameInformation, KeyCachedInformation, KeyVirtualizationInformation})
        EXPECT_EQ(NtEnumerateKey(scratch(), 0, bad, buffer, sizeof(buffer), &result), STATUS_INVALID_PARAMETER) << bad;
    EXPECT_EQ(NtQueryKey(scratch(), KeyNameInformation, buffer, sizeof(buffer), &result), STATUS_SUCCESS);
    // KeyVirtualizationInformation is a documented NtQueryKey class: no key is virtualized here.
    std::memset(buffer, 0xff, sizeof(buffer));
    EXPECT_EQ(NtQueryKey(scratch(), KeyVirtualizationInformation, buffer, sizeof(buffer), &result), STATUS_SUCCESS);
    EXPECT_EQ(result, sizeof(KEY_VIRTUALIZATION_INFORMATION));
    ULONG flags = 1;
    std::memcpy(&flags, buffer, sizeof(flags));
    EXPECT_EQ(flags, 0u);
    EXPECT_EQ(NtQueryKey(scratch(), KeyVirtualizationInformation, buffer, 2, &result), STATUS_BUFFER_TOO_SMALL);
}

// A link key holds its target and nothing else: SymbolicLinkValue of type REG_LINK is the only value
// it takes (REG_SZ, or any other name, is STATUS_ACCESS_DENIED), and a link is always a new key:
// REG_OPTION_CREATE_LINK over an existing name is STATUS_OBJECT_NAME_COLLISION. An ordinary key may
// hold a REG_LINK value of that name.
TEST_F(BadInputTest, LinkKeysTakeOnlyTheirTargetAndAreAlwaysNew) {
    Handle target, link;
    ASSERT_EQ(create_key(target.out(), L"LinkTarget", scratch()), STATUS_SUCCESS);
    ASSERT_EQ(create_key(link.out(), L"TheLink", scratch(), REG_OPTION_CREATE_LINK), STATUS_SUCCESS);
    std::u16string path = key_path(target);
    const ULONG bytes = static_cast<ULONG>(path.size() * sizeof(char16_t));
    EXPECT_EQ(set_value(link, L"SymbolicLinkValue", REG_SZ, path.data(), bytes), STATUS_ACCESS_DENIED);
    EXPECT_EQ(set_value(link, L"Other", REG_LINK, path.data(), bytes), STATUS_ACCESS_DENIED);
    EXPECT_EQ(set_dword(link, L"Other", 1), STATUS_ACCESS_DENIED);
    EXPECT_EQ(set_value(link, L"SymbolicLinkValue", REG_LINK, path.data(), bytes), STATUS_SUCCESS);
    EXPECT_EQ(set_value(target, L"SymbolicLinkValue", REG_LINK, path.data(), bytes), STATUS_SUCCESS)
        << "an ordinary key may hold one";

    HANDLE raw = reinterpret_cast<HANDLE>(0xdeadbeef);
    EXPECT_EQ(create_key(&raw, L"TheLink", scratch(), REG_OPTION_CREATE_LINK), STATUS_OBJECT_NAME_COLLISION);
    EXPECT_EQ(raw, nullptr) << "the handle is cleared";
    Handle again;
    EXPECT_EQ(create_key(again.out(), L"LinkTarget", scratch(), REG_OPTION_CREATE_LINK), STATUS_OBJECT_NAME_COLLISION);
    EXPECT_EQ(create_key(again.out(), L"TheLink", scratch()), STATUS_SUCCESS) << "without the option it opens the target";
}

}  // namespace
}  // namespace ntio::test
