// RtlCreateServiceSid and RtlCreateVirtualAccountSid through <ntifs.h>: the SIDs Windows derives
// from a name (known values: NT SERVICE\TrustedInstaller and IIS APPPOOL\DefaultAppPool), case
// insensitivity, and the length protocol.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include <ntifs.h>

namespace rtlse_service_sid {
namespace {

std::string sid_text(PSID sid)
{
    UNICODE_STRING text{};
    EXPECT_EQ(RtlConvertSidToUnicodeString(&text, sid, TRUE), STATUS_SUCCESS);
    std::string out;
    for (USHORT i = 0; i < text.Length / sizeof(WCHAR); ++i) out += static_cast<char>(text.Buffer[i]);
    RtlFreeUnicodeString(&text);
    return out;
}

TEST(RtlseServiceSid, trusted_installer_has_its_well_known_sid)
{
    UNICODE_STRING name;
    RtlInitUnicodeString(&name, L"TrustedInstaller");
    alignas(4) UCHAR buffer[SECURITY_MAX_SID_SIZE] = {};
    ULONG length = sizeof buffer;
    ASSERT_EQ(RtlCreateServiceSid(&name, buffer, &length), STATUS_SUCCESS);
    EXPECT_EQ(length, RtlLengthRequiredSid(6));
    EXPECT_TRUE(RtlValidSid(buffer));
    EXPECT_EQ(sid_text(buffer), "S-1-5-80-956008885-3418522649-1831038044-1853292631-2271478464");
}

TEST(RtlseServiceSid, the_name_is_compared_upper_cased)
{
    UNICODE_STRING lower;
    UNICODE_STRING upper;
    RtlInitUnicodeString(&lower, L"trustedinstaller");
    RtlInitUnicodeString(&upper, L"TRUSTEDINSTALLER");
    alignas(4) UCHAR a[SECURITY_MAX_SID_SIZE] = {};
    alignas(4) UCHAR b[SECURITY_MAX_SID_SIZE] = {};
    ULONG la = sizeof a;
    ULONG lb = sizeof b;
    ASSERT_EQ(RtlCreateServiceSid(&lower, a, &la), STATUS_SUCCESS);
    ASSERT_EQ(RtlCreateServiceSid(&upper, b, &lb), STATUS_SUCCESS);
    EXPECT_TRUE(RtlEqualSid(a, b));
    UNICODE_STRING other;
    RtlInitUnicodeString(&other, L"Spooler");
    ASSERT_EQ(RtlCreateServiceSid(&other, b, &lb), STATUS_SUCCESS);
    EXPECT_FALSE(RtlEqualSid(a, b));
}

TEST(RtlseServiceSid, a_short_buffer_reports_the_length_needed)
{
    UNICODE_STRING name;
    RtlInitUnicodeString(&name, L"Spooler");
    ULONG length = 0;
    EXPECT_EQ(RtlCreateServiceSid(&name, nullptr, &length), STATUS_BUFFER_TOO_SMALL);
    EXPECT_EQ(length, 32u);
    std::vector<ULONG> small(4, 0xCCCCCCCC);
    length = 16;
    EXPECT_EQ(RtlCreateServiceSid(&name, small.data(), &length), STATUS_BUFFER_TOO_SMALL);
    EXPECT_EQ(length, 32u);
    EXPECT_EQ(small[0], 0xCCCCCCCCu);  // nothing written
    std::vector<ULONG> room(8);
    EXPECT_EQ(RtlCreateServiceSid(&name, room.data(), &length), STATUS_SUCCESS);
    EXPECT_TRUE(RtlValidSid(room.data()));
    EXPECT_EQ(RtlCreateServiceSid(nullptr, room.data(), &length), STATUS_INVALID_PARAMETER);
    EXPECT_EQ(RtlCreateServiceSid(&name, room.data(), nullptr), STATUS_INVALID_PARAMETER);
}

TEST(RtlseServiceSid, virtual_account_sid_uses_the_callers_base)
{
    UNICODE_STRING name;
    RtlInitUnicodeString(&name, L"DefaultAppPool");
    alignas(4) UCHAR buffer[SECURITY_MAX_SID_SIZE] = {};
    ULONG length = sizeof buffer;
    ASSERT_EQ(RtlCreateVirtualAccountSid(&name, 82, buffer, &length), STATUS_SUCCESS);
    EXPECT_EQ(sid_text(buffer), "S-1-5-82-3006700770-424185619-1745488364-794895919-4004696415");
    // Any case of the name gives the same SID; another base another SID.
    UNICODE_STRING upper;
    RtlInitUnicodeString(&upper, L"DEFAULTAPPPOOL");
    alignas(4) UCHAR other[SECURITY_MAX_SID_SIZE] = {};
    ULONG other_length = sizeof other;
    ASSERT_EQ(RtlCreateVirtualAccountSid(&upper, 82, other, &other_length), STATUS_SUCCESS);
    EXPECT_TRUE(RtlEqualSid(buffer, other));
    ASSERT_EQ(RtlCreateVirtualAccountSid(&upper, 83, other, &other_length), STATUS_SUCCESS);
    EXPECT_EQ(sid_text(other).rfind("S-1-5-83-3006700770-", 0), 0u);
    other_length = 8;
    EXPECT_EQ(RtlCreateVirtualAccountSid(&upper, 83, other, &other_length), STATUS_BUFFER_TOO_SMALL);
    EXPECT_EQ(other_length, 32u);
}

}  // namespace
}  // namespace rtlse_service_sid
