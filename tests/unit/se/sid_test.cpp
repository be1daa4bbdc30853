// SID routines: sizes, initialization, accessors, equality, copy, validation and the string form.
#include <gtest/gtest.h>

#include "se/sid.hpp"

#include <ntio_ddk/ex.h>
#include <ntio_ddk/rtl.h>

namespace {

std::string narrow(const UNICODE_STRING& s)
{
    std::string out;
    for (USHORT i = 0; i < s.Length / sizeof(WCHAR); ++i) {
        out += static_cast<char>(s.Buffer[i]);
    }
    return out;
}

TEST(SidTest, length_required_counts_sub_authorities)
{
    EXPECT_EQ(RtlLengthRequiredSid(0), 8u);
    EXPECT_EQ(RtlLengthRequiredSid(1), 12u);
    EXPECT_EQ(RtlLengthRequiredSid(SID_MAX_SUB_AUTHORITIES), SECURITY_MAX_SID_SIZE);
    EXPECT_EQ(SECURITY_MAX_SID_SIZE, 68u);
}

TEST(SidTest, initialize_and_accessors_build_local_system)
{
    alignas(4) unsigned char buffer[SECURITY_MAX_SID_SIZE] = {};
    SID_IDENTIFIER_AUTHORITY nt = SECURITY_NT_AUTHORITY;
    ASSERT_EQ(RtlInitializeSid(buffer, &nt, 1), STATUS_SUCCESS);
    *RtlSubAuthoritySid(buffer, 0) = SECURITY_LOCAL_SYSTEM_RID;
    EXPECT_EQ(*RtlSubAuthorityCountSid(buffer), 1);
    EXPECT_EQ(RtlIdentifierAuthoritySid(buffer)->Value[5], 5);
    EXPECT_EQ(RtlLengthSid(buffer), 12u);
    EXPECT_TRUE(RtlValidSid(buffer));
    EXPECT_TRUE(RtlEqualSid(buffer, const_cast<SID*>(ntio::se::well_known::local_system())));
    EXPECT_FALSE(RtlEqualSid(buffer, const_cast<SID*>(ntio::se::well_known::world())));
}

TEST(SidTest, initialize_rejects_too_many_sub_authorities)
{
    alignas(4) unsigned char buffer[SECURITY_MAX_SID_SIZE + 8] = {};
    SID_IDENTIFIER_AUTHORITY nt = SECURITY_NT_AUTHORITY;
    EXPECT_EQ(RtlInitializeSid(buffer, &nt, SID_MAX_SUB_AUTHORITIES + 1), STATUS_INVALID_PARAMETER);
}

TEST(SidTest, valid_sid_rejects_bad_revision_and_count)
{
    ntio::se::SidBuffer sid(5, {32, 544});
    EXPECT_TRUE(RtlValidSid(sid.get()));
    sid.get()->Revision = 2;
    EXPECT_FALSE(RtlValidSid(sid.get()));
    sid.get()->Revision = 1;
    sid.get()->SubAuthorityCount = 16;
    EXPECT_FALSE(RtlValidSid(sid.get()));
    EXPECT_FALSE(RtlValidSid(nullptr));
}

TEST(SidTest, equal_prefix_ignores_last_sub_authority)
{
    ntio::se::SidBuffer a(5, {21, 1, 2, 3, 1001});
    ntio::se::SidBuffer b(5, {21, 1, 2, 3, 500});
    ntio::se::SidBuffer c(5, {21, 1, 2, 4, 500});
    EXPECT_TRUE(RtlEqualPrefixSid(a.get(), b.get()));
    EXPECT_FALSE(RtlEqualSid(a.get(), b.get()));
    EXPECT_FALSE(RtlEqualPrefixSid(a.get(), c.get()));
}

TEST(SidTest, copy_sid_needs_room)
{
    alignas(4) unsigned char out[16] = {};
    PSID admins = const_cast<SID*>(ntio::se::well_known::administrators());
    EXPECT_EQ(RtlCopySid(15, out, admins), STATUS_BUFFER_TOO_SMALL);
    ASSERT_EQ(RtlCopySid(16, out, admins), STATUS_SUCCESS);
    EXPECT_TRUE(RtlEqualSid(out, admins));
}

TEST(SidTest, string_form_matches_windows)
{
    EXPECT_EQ(ntio::se::sid_to_string(ntio::se::well_known::local_system()), "S-1-5-18");
    EXPECT_EQ(ntio::se::sid_to_string(ntio::se::well_known::administrators()), "S-1-5-32-544");
    EXPECT_EQ(ntio::se::sid_to_string(ntio::se::well_known::world()), "S-1-1-0");
    ntio::se::SidBuffer big(0x010000000000ull, {7});
    EXPECT_EQ(ntio::se::sid_to_string(big.get()), "S-1-0x010000000000-7");
}

TEST(SidTest, convert_to_unicode_into_caller_buffer)
{
    WCHAR storage[32];
    UNICODE_STRING text{0, sizeof(storage), storage};
    ASSERT_EQ(RtlConvertSidToUnicodeString(&text, const_cast<SID*>(ntio::se::well_known::users()), FALSE),
              STATUS_SUCCESS);
    EXPECT_EQ(narrow(text), "S-1-5-32-545");
    EXPECT_EQ(text.Length, 12 * sizeof(WCHAR));

    WCHAR small[4];
    UNICODE_STRING short_text{0, sizeof(small), small};
    EXPECT_EQ(RtlConvertSidToUnicodeString(&short_text, const_cast<SID*>(ntio::se::well_known::users()), FALSE),
              STATUS_BUFFER_OVERFLOW);
}

TEST(SidTest, convert_to_unicode_allocates_and_frees)
{
    UNICODE_STRING text{};
    ASSERT_EQ(RtlConvertSidToUnicodeString(&text, const_cast<SID*>(ntio::se::well_known::local_system()), TRUE),
              STATUS_SUCCESS);
    EXPECT_EQ(narrow(text), "S-1-5-18");
    RtlFreeUnicodeString(&text);
}

TEST(SidTest, convert_rejects_invalid_sid)
{
    ntio::se::SidBuffer sid(5, {18});
    sid.get()->Revision = 3;
    UNICODE_STRING text{};
    EXPECT_EQ(RtlConvertSidToUnicodeString(&text, sid.get(), TRUE), STATUS_INVALID_SID);
}

}  // namespace

namespace {

TEST(SeExportsTest, well_known_luids_and_sids)
{
    ASSERT_NE(SeExports, nullptr);
    EXPECT_EQ(SeExports->SeLoadDriverPrivilege.LowPart, static_cast<ULONG>(SE_LOAD_DRIVER_PRIVILEGE));
    EXPECT_EQ(SeExports->SeLoadDriverPrivilege.HighPart, 0);
    EXPECT_EQ(SeExports->SeChangeNotifyPrivilege.LowPart, static_cast<ULONG>(SE_CHANGE_NOTIFY_PRIVILEGE));
    EXPECT_EQ(SeExports->SeCreateSymbolicLinkPrivilege.LowPart, static_cast<ULONG>(SE_CREATE_SYMBOLIC_LINK_PRIVILEGE));
    EXPECT_EQ(ntio::se::sid_to_string(static_cast<SID*>(SeExports->SeLocalSystemSid)), "S-1-5-18");
    EXPECT_EQ(ntio::se::sid_to_string(static_cast<SID*>(SeExports->SeAliasAdminsSid)), "S-1-5-32-544");
    EXPECT_EQ(ntio::se::sid_to_string(static_cast<SID*>(SeExports->SeNtAuthoritySid)), "S-1-5");
    EXPECT_EQ(ntio::se::sid_to_string(static_cast<SID*>(SeExports->SeLocalSid)), "S-1-2-0");
    EXPECT_EQ(ntio::se::sid_to_string(static_cast<SID*>(SeExports->SeHighMandatorySid)), "S-1-16-12288");
    EXPECT_EQ(ntio::se::sid_to_string(static_cast<SID*>(SeExports->SeOwnerRightsSid)), "S-1-3-4");
    EXPECT_TRUE(RtlValidSid(SeExports->SeWorldSid));
}

}  // namespace
