// RegCopyTree (A and W) and the ANSI forms RegDeleteTreeA and RegQueryMultipleValuesA through
// <windows.h>: a subtree's values, subkeys, classes and security copied into the destination key
// itself; a copy into the source's own subtree; the documented rights on both keys; ANSI names and
// string data as UTF-8.
// https://learn.microsoft.com/windows/win32/api/winreg/nf-winreg-regcopytreew
// https://learn.microsoft.com/windows/win32/api/winreg/nf-winreg-regquerymultiplevaluesa
#include "registry_test_support.hpp"

#include <sys/mman.h>
#include <unistd.h>

#include <wdm.h>

namespace ntio::test {
namespace {

class CopyTreeTest : public RegistryTest {
protected:
    // scratch\src = {v = 7, a (class "cls") = {s = "text", b = {}}}; scratch\dst empty.
    void SetUp() override {
        RegistryTest::SetUp();
        ASSERT_EQ(RegCreateKeyExW(scratch(), L"src", 0, nullptr, 0, KEY_ALL_ACCESS, nullptr, m_src.out(), nullptr),
                  ERROR_SUCCESS);
        const DWORD seven = 7;
        set(m_src, L"v", REG_DWORD, &seven, sizeof(seven));
        Key a, b;
        ASSERT_EQ(RegCreateKeyExW(m_src, L"a", 0, const_cast<LPWSTR>(L"cls"), 0, KEY_ALL_ACCESS, nullptr, a.out(),
                                  nullptr),
                  ERROR_SUCCESS);
        set_string(a, L"s", REG_SZ, std::u16string_view(u"text", 5));
        ASSERT_EQ(RegCreateKeyExW(a, L"b", 0, nullptr, 0, KEY_ALL_ACCESS, nullptr, b.out(), nullptr), ERROR_SUCCESS);
        ASSERT_EQ(RegCreateKeyExW(scratch(), L"dst", 0, nullptr, 0, KEY_ALL_ACCESS, nullptr, m_dst.out(), nullptr),
                  ERROR_SUCCESS);
    }
    void TearDown() override {
        m_src.reset();
        m_dst.reset();
        RegistryTest::TearDown();
    }

    bool exists(HKEY root, const wchar_t* path) {
        Key key;
        return RegOpenKeyExW(root, path, 0, KEY_READ, key.out()) == ERROR_SUCCESS;
    }

    Key m_src;
    Key m_dst;
};

TEST_F(CopyTreeTest, copies_values_subkeys_and_classes_into_the_destination_itself) {
    ASSERT_EQ(RegCopyTreeW(scratch(), L"src", m_dst), ERROR_SUCCESS);
    DWORD value = 0, size = sizeof(value);
    ASSERT_EQ(RegQueryValueExW(m_dst, L"v", nullptr, nullptr, reinterpret_cast<BYTE*>(&value), &size), ERROR_SUCCESS);
    EXPECT_EQ(value, 7u);
    EXPECT_FALSE(exists(m_dst, L"src")) << "the source key is not recreated by name";
    Key a;
    ASSERT_EQ(RegOpenKeyExW(m_dst, L"a", 0, KEY_READ, a.out()), ERROR_SUCCESS);
    WCHAR key_class[8] = {};
    DWORD class_chars = 8;
    ASSERT_EQ(RegQueryInfoKeyW(a, key_class, &class_chars, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr,
                               nullptr, nullptr, nullptr),
              ERROR_SUCCESS);
    EXPECT_EQ(class_chars, 3u);
    EXPECT_EQ(std::memcmp(key_class, L"cls", 8), 0);
    WCHAR text[8] = {};
    size = sizeof(text);
    ASSERT_EQ(RegQueryValueExW(a, L"s", nullptr, nullptr, reinterpret_cast<BYTE*>(text), &size), ERROR_SUCCESS);
    EXPECT_EQ(size, 10u);
    EXPECT_EQ(std::memcmp(text, L"text", 10), 0);
    EXPECT_TRUE(exists(m_dst, L"a\\b"));
    EXPECT_TRUE(exists(m_src, L"a\\b")) << "the source is left as it was";
}

TEST_F(CopyTreeTest, a_null_subkey_copies_hkeysrc_and_merges_into_existing_keys) {
    Key existing;
    ASSERT_EQ(RegCreateKeyExW(m_dst, L"a", 0, nullptr, 0, KEY_ALL_ACCESS, nullptr, existing.out(), nullptr),
              ERROR_SUCCESS);
    const DWORD kept = 1;
    set(existing, L"kept", REG_DWORD, &kept, sizeof(kept));
    ASSERT_EQ(RegCopyTreeW(m_src, nullptr, m_dst), ERROR_SUCCESS);
    DWORD size = 0;
    EXPECT_EQ(RegQueryValueExW(existing, L"kept", nullptr, nullptr, nullptr, &size), ERROR_SUCCESS);
    EXPECT_EQ(RegQueryValueExW(existing, L"s", nullptr, nullptr, nullptr, &size), ERROR_SUCCESS);
    EXPECT_TRUE(exists(m_dst, L"a\\b"));
}

TEST_F(CopyTreeTest, a_copy_into_the_source_subtree_copies_the_tree_as_it_was) {
    Key inner;
    ASSERT_EQ(RegCreateKeyExW(m_src, L"inner", 0, nullptr, 0, KEY_ALL_ACCESS, nullptr, inner.out(), nullptr),
              ERROR_SUCCESS);
    ASSERT_EQ(RegCopyTreeW(m_src, nullptr, inner), ERROR_SUCCESS);
    EXPECT_TRUE(exists(m_src, L"inner\\a\\b"));
    EXPECT_TRUE(exists(m_src, L"inner\\inner"));
    EXPECT_FALSE(exists(m_src, L"inner\\inner\\a"));
}

TEST_F(CopyTreeTest, created_subkeys_get_the_source_security_descriptor) {
    // A subkey whose DACL grants the world read and write only, unlike the DACL it would inherit.
    alignas(8) unsigned char acl_buffer[64];
    auto* acl = reinterpret_cast<PACL>(acl_buffer);
    ASSERT_EQ(RtlCreateAcl(acl, sizeof(acl_buffer), ACL_REVISION), STATUS_SUCCESS);
    SID_IDENTIFIER_AUTHORITY world = SECURITY_WORLD_SID_AUTHORITY;
    alignas(8) unsigned char sid_buffer[SECURITY_MAX_SID_SIZE];
    auto* world_sid = reinterpret_cast<PSID>(sid_buffer);
    ASSERT_EQ(RtlInitializeSid(world_sid, &world, 1), STATUS_SUCCESS);
    *RtlSubAuthoritySid(world_sid, 0) = SECURITY_WORLD_RID;
    ASSERT_EQ(RtlAddAccessAllowedAce(acl, ACL_REVISION, KEY_READ | KEY_WRITE, world_sid), STATUS_SUCCESS);
    SECURITY_DESCRIPTOR sd;
    ASSERT_EQ(RtlCreateSecurityDescriptor(&sd, SECURITY_DESCRIPTOR_REVISION), STATUS_SUCCESS);
    ASSERT_EQ(RtlSetDaclSecurityDescriptor(&sd, TRUE, acl, FALSE), STATUS_SUCCESS);
    SECURITY_ATTRIBUTES attributes{sizeof(attributes), &sd, FALSE};
    Key guarded;
    ASSERT_EQ(RegCreateKeyExW(m_src, L"guarded", 0, nullptr, 0, KEY_READ | KEY_WRITE, &attributes, guarded.out(),
                              nullptr),
              ERROR_SUCCESS);
    ASSERT_EQ(RegCopyTreeW(m_src, nullptr, m_dst), ERROR_SUCCESS);

    auto dacl_of = [](HKEY key) {
        std::vector<unsigned char> buffer(512);
        ULONG needed = 0;
        EXPECT_EQ(NtQuerySecurityObject(key, DACL_SECURITY_INFORMATION, buffer.data(),
                                        static_cast<ULONG>(buffer.size()), &needed),
                  STATUS_SUCCESS);
        buffer.resize(needed);
        return buffer;
    };
    Key copied;
    ASSERT_EQ(RegOpenKeyExW(m_dst, L"guarded", 0, KEY_READ, copied.out()), ERROR_SUCCESS);
    EXPECT_EQ(dacl_of(copied), dacl_of(guarded));
    EXPECT_NE(dacl_of(copied), dacl_of(m_dst));
}

TEST_F(CopyTreeTest, ansi_form_takes_a_utf8_subkey_name) {
    Key accented;
    ASSERT_EQ(RegCreateKeyExW(scratch(), L"s\x00e9", 0, nullptr, 0, KEY_ALL_ACCESS, nullptr, accented.out(), nullptr),
              ERROR_SUCCESS);
    const DWORD one = 1;
    set(accented, L"w", REG_DWORD, &one, sizeof(one));
    ASSERT_EQ(RegCopyTreeA(scratch(), "s\xC3\xA9", m_dst), ERROR_SUCCESS);
    DWORD size = 0;
    EXPECT_EQ(RegQueryValueExW(m_dst, L"w", nullptr, nullptr, nullptr, &size), ERROR_SUCCESS);
    EXPECT_EQ(RegCopyTreeA(scratch(), "missing", m_dst), ERROR_FILE_NOT_FOUND);
    EXPECT_EQ(RegCopyTreeA(nullptr, "src", m_dst), ERROR_INVALID_HANDLE);
}

TEST_F(CopyTreeTest, errors_for_missing_keys_missing_rights_and_bad_handles) {
    EXPECT_EQ(RegCopyTreeW(scratch(), L"missing", m_dst), ERROR_FILE_NOT_FOUND);
    // The source must be readable: a handle opened for setting values only cannot be enumerated.
    Key write_only;
    ASSERT_EQ(RegOpenKeyExW(scratch(), L"src", 0, KEY_SET_VALUE, write_only.out()), ERROR_SUCCESS);
    EXPECT_EQ(RegCopyTreeW(write_only, nullptr, m_dst), ERROR_ACCESS_DENIED);
    // "The calling process must have KEY_CREATE_SUB_KEY access to the key" (hKeyDest).
    Key read_only;
    ASSERT_EQ(RegOpenKeyExW(scratch(), L"dst", 0, KEY_READ, read_only.out()), ERROR_SUCCESS);
    EXPECT_EQ(RegCopyTreeW(scratch(), L"src", read_only), ERROR_ACCESS_DENIED);
    EXPECT_FALSE(exists(m_dst, L"a")) << "nothing is copied";
    // Values need KEY_SET_VALUE on the destination as well.
    Key create_only;
    ASSERT_EQ(RegOpenKeyExW(scratch(), L"dst", 0, KEY_CREATE_SUB_KEY, create_only.out()), ERROR_SUCCESS);
    EXPECT_EQ(RegCopyTreeW(scratch(), L"src", create_only), ERROR_ACCESS_DENIED);

    EXPECT_EQ(RegCopyTreeW(nullptr, L"src", m_dst), ERROR_INVALID_HANDLE);
    EXPECT_EQ(RegCopyTreeW(scratch(), L"src", nullptr), ERROR_INVALID_HANDLE);
    HKEY closed = nullptr;
    ASSERT_EQ(RegOpenKeyExW(scratch(), L"dst", 0, KEY_ALL_ACCESS, &closed), ERROR_SUCCESS);
    ASSERT_EQ(RegCloseKey(closed), ERROR_SUCCESS);
    EXPECT_EQ(RegCopyTreeW(scratch(), L"src", closed), ERROR_INVALID_HANDLE);
    EXPECT_EQ(RegCopyTreeW(closed, nullptr, m_dst), ERROR_INVALID_HANDLE);
}

TEST_F(RegistryTest, delete_tree_ansi_form) {
    Key deep;
    ASSERT_EQ(RegCreateKeyExW(scratch(), L"t\x00e9\\x", 0, nullptr, 0, KEY_ALL_ACCESS, nullptr, deep.out(), nullptr),
              ERROR_SUCCESS);
    deep.reset();
    ASSERT_EQ(RegDeleteTreeA(scratch(), "t\xC3\xA9"), ERROR_SUCCESS);
    Key gone;
    EXPECT_EQ(RegOpenKeyExW(scratch(), L"t\x00e9", 0, KEY_READ, gone.out()), ERROR_FILE_NOT_FOUND);
    EXPECT_EQ(RegDeleteTreeA(scratch(), "t\xC3\xA9"), ERROR_FILE_NOT_FOUND);
    EXPECT_EQ(RegDeleteTreeA(nullptr, "t"), ERROR_INVALID_HANDLE);
    // Deleting a key's values needs KEY_SET_VALUE on it.
    const DWORD one = 1;
    set(scratch(), L"v", REG_DWORD, &one, sizeof(one));
    Key read_only;
    ASSERT_EQ(RegOpenKeyExW(HKEY_CURRENT_USER, L"Software\\ntio-regapi", 0, KEY_READ, read_only.out()), ERROR_SUCCESS);
    EXPECT_EQ(RegDeleteTreeA(read_only, nullptr), ERROR_ACCESS_DENIED);
    DWORD size = 0;
    EXPECT_EQ(RegQueryValueExW(scratch(), L"v", nullptr, nullptr, nullptr, &size), ERROR_SUCCESS);
}

TEST_F(RegistryTest, query_multiple_values_ansi_form_converts_string_data) {
    const DWORD dword = 0x01020304;
    set(scratch(), L"d", REG_DWORD, &dword, sizeof(dword));
    set_string(scratch(), L"s\x00e9", REG_SZ, std::u16string_view(u"h\u00e9", 3));
    set_string(scratch(), L"m", REG_MULTI_SZ, std::u16string_view(u"a\0b\0", 5));
    VALENTA list[3] = {};
    list[0].ve_valuename = const_cast<LPSTR>("s\xC3\xA9");
    list[1].ve_valuename = const_cast<LPSTR>("D");
    list[2].ve_valuename = const_cast<LPSTR>("m");
    DWORD size = 0;
    EXPECT_EQ(RegQueryMultipleValuesA(scratch(), list, 3, nullptr, &size), ERROR_MORE_DATA);
    // "h\xC3\xA9\0" is 4 bytes, the DWORD 4, "a\0b\0\0" 5: each starts at a ULONG boundary.
    EXPECT_EQ(size, 13u);
    std::vector<char> buffer(size);
    DWORD small = 8;
    EXPECT_EQ(RegQueryMultipleValuesA(scratch(), list, 3, buffer.data(), &small), ERROR_MORE_DATA);
    EXPECT_EQ(small, 13u);
    ASSERT_EQ(RegQueryMultipleValuesA(scratch(), list, 3, buffer.data(), &size), ERROR_SUCCESS);
    EXPECT_EQ(size, 13u);
    EXPECT_EQ(list[0].ve_type, static_cast<DWORD>(REG_SZ));
    EXPECT_EQ(list[0].ve_valuelen, 4u);
    EXPECT_EQ(list[0].ve_valueptr, reinterpret_cast<DWORD_PTR>(buffer.data()));
    EXPECT_EQ(std::memcmp(reinterpret_cast<const void*>(list[0].ve_valueptr), "h\xC3\xA9", 4), 0);
    EXPECT_EQ(list[1].ve_type, static_cast<DWORD>(REG_DWORD));
    EXPECT_EQ(list[1].ve_valueptr, reinterpret_cast<DWORD_PTR>(buffer.data() + 4));
    DWORD read = 0;
    std::memcpy(&read, reinterpret_cast<const void*>(list[1].ve_valueptr), 4);
    EXPECT_EQ(read, dword);
    EXPECT_EQ(list[2].ve_type, static_cast<DWORD>(REG_MULTI_SZ));
    EXPECT_EQ(list[2].ve_valuelen, 5u);
    EXPECT_EQ(std::memcmp(reinterpret_cast<const void*>(list[2].ve_valueptr), "a\0b\0", 5), 0);
}

TEST_F(RegistryTest, query_multiple_values_ansi_form_errors) {
    VALENTA list[1] = {};
    list[0].ve_valuename = const_cast<LPSTR>("none");
    std::vector<char> buffer(64);
    DWORD size = 64;
    EXPECT_EQ(RegQueryMultipleValuesA(scratch(), list, 1, buffer.data(), &size), ERROR_FILE_NOT_FOUND);
    EXPECT_EQ(RegQueryMultipleValuesA(scratch(), list, 1, buffer.data(), nullptr), ERROR_INVALID_PARAMETER);
    EXPECT_EQ(RegQueryMultipleValuesA(scratch(), list, 1, nullptr, &size), ERROR_INVALID_PARAMETER);
    EXPECT_EQ(RegQueryMultipleValuesA(scratch(), nullptr, 1, buffer.data(), &size), ERROR_INVALID_PARAMETER);
    EXPECT_EQ(RegQueryMultipleValuesA(nullptr, list, 1, buffer.data(), &size), ERROR_INVALID_HANDLE);
    // The key must allow KEY_QUERY_VALUE.
    const DWORD one = 1;
    set(scratch(), L"none", REG_DWORD, &one, sizeof(one));
    Key write_only;
    ASSERT_EQ(RegOpenKeyExW(HKEY_CURRENT_USER, L"Software\\ntio-regapi", 0, KEY_SET_VALUE, write_only.out()),
              ERROR_SUCCESS);
    EXPECT_EQ(RegQueryMultipleValuesA(write_only, list, 1, buffer.data(), &size), ERROR_ACCESS_DENIED);
    // A buffer that cannot be written is ERROR_NOACCESS (STATUS_ACCESS_VIOLATION), not a fault.
    const auto page = static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
    void* read_only = mmap(nullptr, page, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    ASSERT_NE(read_only, MAP_FAILED);
    size = 64;
    EXPECT_EQ(RegQueryMultipleValuesA(scratch(), list, 1, static_cast<LPSTR>(read_only), &size), ERROR_NOACCESS);
    munmap(read_only, page);
}

}  // namespace
}  // namespace ntio::test
