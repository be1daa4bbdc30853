// The tunnel cache: a name deleted from a directory is found again (without regard to case) with
// its data packet, keyed by the short or the long name as added; other directories and names miss;
// a too-short long-name buffer is replaced by a pool string; deleting a directory's key drops its
// entries; the registry's MaximumTunnelEntries bounds the cache (0 turns tunneling off) and
// MaximumTunnelEntryAgeInSeconds ages entries out.
// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-_fsrtl_advanced_fcb_header-fsrtlfindintunnelcache
#include <gtest/gtest.h>

#include <string>

#include "support/system_fixture.hpp"

#include <ntifs.h>

namespace {

class TunnelTest : public ntio::test::SystemTest {
protected:
    void TearDown() override {
        if (m_initialized) FsRtlDeleteTunnelCache(&m_tunnel);
        SystemTest::TearDown();
    }
    void initialize() {
        FsRtlInitializeTunnelCache(&m_tunnel);
        m_initialized = true;
    }
    static void set_control_value(const wchar_t* name, ULONG value) {
        ASSERT_EQ(RtlWriteRegistryValue(RTL_REGISTRY_CONTROL, L"FileSystem", name, REG_DWORD, &value, sizeof(value)),
                  STATUS_SUCCESS);
    }
    void add(ULONGLONG directory, const wchar_t* short_name, const wchar_t* long_name, bool by_short, ULONGLONG data) {
        UNICODE_STRING s, l;
        RtlInitUnicodeString(&s, short_name);
        RtlInitUnicodeString(&l, long_name);
        FsRtlAddToTunnelCache(&m_tunnel, directory, &s, &l, by_short ? TRUE : FALSE, sizeof(data), &data);
    }
    // Finds `name`; on a hit, m_short / m_long / m_data hold what came back.
    bool find(ULONGLONG directory, const wchar_t* name) {
        UNICODE_STRING n;
        RtlInitUnicodeString(&n, name);
        m_short = {0, sizeof(m_short_buffer), m_short_buffer};
        m_long = {0, sizeof(m_long_buffer), m_long_buffer};
        ULONG length = sizeof(m_data);
        m_data = 0;
        return FsRtlFindInTunnelCache(&m_tunnel, directory, &n, &m_short, &m_long, &length, &m_data) != FALSE;
    }
    // Strings as char16_t (wchar_t is 16 bits wide here, so no std::wstring).
    static std::u16string text(const UNICODE_STRING& s) {
        return std::u16string(reinterpret_cast<const char16_t*>(s.Buffer), s.Length / sizeof(WCHAR));
    }
    static std::u16string text(const wchar_t* s) {
        UNICODE_STRING u;
        RtlInitUnicodeString(&u, s);
        return text(u);
    }

    TUNNEL m_tunnel{};
    bool m_initialized = false;
    WCHAR m_short_buffer[12] = {};
    WCHAR m_long_buffer[64] = {};
    UNICODE_STRING m_short{}, m_long{};
    ULONGLONG m_data = 0;
};

TEST_F(TunnelTest, a_deleted_name_is_found_again_with_its_data)
{
    initialize();
    add(7, L"REPORT~1.TXT", L"Report for May.txt", false, 0x1111);
    add(7, L"NOTES.TXT", L"notes.txt", true, 0x2222);
    ASSERT_TRUE(find(7, L"report FOR may.TXT"));
    EXPECT_EQ(text(m_short), u"REPORT~1.TXT");
    EXPECT_EQ(text(m_long), u"Report for May.txt");
    EXPECT_EQ(m_data, 0x1111u);
    ASSERT_TRUE(find(7, L"notes.txt"));  // keyed by the short name
    EXPECT_EQ(m_data, 0x2222u);
    EXPECT_FALSE(find(8, L"notes.txt")) << "another directory";
    EXPECT_FALSE(find(7, L"REPORT~1.TXT")) << "keyed by its long name only";
    FsRtlDeleteKeyFromTunnelCache(&m_tunnel, 7);
    EXPECT_FALSE(find(7, L"notes.txt"));
}

TEST_F(TunnelTest, a_long_name_longer_than_the_buffer_comes_in_pool)
{
    initialize();
    const wchar_t* long_name = L"a name much longer than the sixty-four characters the caller's buffer holds.txt";
    add(1, L"ANAMEM~1.TXT", long_name, false, 5);
    ASSERT_TRUE(find(1, long_name));
    ASSERT_NE(m_long.Buffer, m_long_buffer);
    EXPECT_EQ(text(m_long), text(long_name));
    ExFreePool(m_long.Buffer);
}

TEST_F(TunnelTest, the_registry_bounds_and_ages_the_cache)
{
    set_control_value(L"MaximumTunnelEntries", 2);
    initialize();
    add(1, L"A", L"a", true, 1);
    add(1, L"B", L"b", true, 2);
    add(1, L"C", L"c", true, 3);
    EXPECT_EQ(m_tunnel.NumEntries, 2u);
    EXPECT_FALSE(find(1, L"a")) << "the oldest went";
    EXPECT_TRUE(find(1, L"c"));
    FsRtlDeleteTunnelCache(&m_tunnel);
    // No entries allowed: tunneling is off.
    set_control_value(L"MaximumTunnelEntries", 0);
    FsRtlInitializeTunnelCache(&m_tunnel);
    add(1, L"A", L"a", true, 1);
    EXPECT_FALSE(find(1, L"a"));
    FsRtlDeleteTunnelCache(&m_tunnel);
    // An age limit of 0 seconds: every entry has aged out by the next call.
    set_control_value(L"MaximumTunnelEntries", 16);
    set_control_value(L"MaximumTunnelEntryAgeInSeconds", 0);
    FsRtlInitializeTunnelCache(&m_tunnel);
    add(1, L"A", L"a", true, 1);
    EXPECT_FALSE(find(1, L"a"));
}

}  // namespace
