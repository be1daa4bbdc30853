// The Se DDIs: subject context capture through the token resolver, SeAccessCheck in kernel and user
// mode, the privilege checks, and the Rtl access-mask helpers.
#include <gtest/gtest.h>

#include "se/access_check.hpp"
#include "se/security_descriptor.hpp"
#include "unit/se/se_test_support.hpp"

namespace {

using namespace ntio::se;
using ntio::se::test::kMapping;

std::shared_ptr<Token>& resolved_token()
{
    static std::shared_ptr<Token> token;
    return token;
}

std::shared_ptr<Token> resolve()
{
    return resolved_token();
}

class SubjectContextTest : public ::testing::Test {
protected:
    void SetUp() override
    {
        resolved_token() = Token::create_user(false);
        set_subject_token_resolver(&resolve);
    }
    void TearDown() override
    {
        set_subject_token_resolver(nullptr);
        resolved_token().reset();
    }
};

TEST_F(SubjectContextTest, capture_takes_the_resolved_token_and_keeps_it_alive)
{
    SECURITY_SUBJECT_CONTEXT context;
    SeCaptureSubjectContext(&context);
    EXPECT_EQ(context.PrimaryToken, resolved_token().get());
    EXPECT_EQ(context.ClientToken, nullptr);
    EXPECT_EQ(SeQuerySubjectContextToken(&context), context.PrimaryToken);
    std::weak_ptr<Token> weak = resolved_token();
    resolved_token().reset();
    EXPECT_FALSE(weak.expired());
    SeLockSubjectContext(&context);
    SeUnlockSubjectContext(&context);
    SeReleaseSubjectContext(&context);
    EXPECT_TRUE(weak.expired());
    EXPECT_EQ(context.PrimaryToken, nullptr);
}

TEST_F(SubjectContextTest, without_resolver_the_system_token_is_used)
{
    set_subject_token_resolver(nullptr);
    SECURITY_SUBJECT_CONTEXT context;
    SeCaptureSubjectContext(&context);
    auto* token = static_cast<Token*>(context.PrimaryToken);
    ASSERT_NE(token, nullptr);
    EXPECT_TRUE(sid_equal(token->user(), well_known::local_system()));
    SeReleaseSubjectContext(&context);
}

TEST_F(SubjectContextTest, se_access_check_user_mode_uses_the_token)
{
    SecurityDescriptor sd = SecurityDescriptor::from_sddl("D:P(A;;GA;;;SY)(A;;GR;;;BU)");
    ASSERT_FALSE(sd.empty());
    SECURITY_SUBJECT_CONTEXT context;
    SeCaptureSubjectContext(&context);
    GENERIC_MAPPING mapping = kMapping;
    ACCESS_MASK granted = 0xdead;
    NTSTATUS status = STATUS_SUCCESS;
    PPRIVILEGE_SET privileges = reinterpret_cast<PPRIVILEGE_SET>(1);
    EXPECT_TRUE(SeAccessCheck(sd.get(), &context, FALSE, GENERIC_READ, 0, &privileges, &mapping, UserMode, &granted,
                              &status));
    EXPECT_EQ(status, STATUS_SUCCESS);
    EXPECT_EQ(granted, kMapping.GenericRead);
    EXPECT_EQ(privileges, nullptr);
    EXPECT_FALSE(SeAccessCheck(sd.get(), &context, FALSE, GENERIC_WRITE, 0, nullptr, &mapping, UserMode, &granted,
                               &status));
    EXPECT_EQ(status, STATUS_ACCESS_DENIED);
    EXPECT_EQ(granted, 0u);
    // Nothing asked and nothing granted before: denied; with earlier rights: those rights.
    EXPECT_FALSE(SeAccessCheck(sd.get(), &context, FALSE, 0, 0, nullptr, &mapping, UserMode, &granted, &status));
    EXPECT_EQ(status, STATUS_ACCESS_DENIED);
    EXPECT_TRUE(SeAccessCheck(sd.get(), &context, FALSE, 0, DELETE, nullptr, &mapping, UserMode, &granted, &status));
    EXPECT_EQ(granted, static_cast<ACCESS_MASK>(DELETE));
    // A missing descriptor gives a user-mode caller nothing.
    EXPECT_FALSE(SeAccessCheck(nullptr, &context, FALSE, GENERIC_READ, 0, nullptr, &mapping, UserMode, &granted,
                               &status));
    EXPECT_EQ(status, STATUS_ACCESS_DENIED);
    SeReleaseSubjectContext(&context);
}

TEST_F(SubjectContextTest, se_access_check_kernel_mode_grants_everything)
{
    SecurityDescriptor sd = SecurityDescriptor::from_sddl("D:P");
    SECURITY_SUBJECT_CONTEXT context;
    SeCaptureSubjectContext(&context);
    GENERIC_MAPPING mapping = kMapping;
    ACCESS_MASK granted = 0;
    NTSTATUS status = STATUS_UNSUCCESSFUL;
    EXPECT_TRUE(SeAccessCheck(sd.get(), &context, FALSE, GENERIC_WRITE, 0, nullptr, &mapping, KernelMode, &granted,
                              &status));
    EXPECT_EQ(status, STATUS_SUCCESS);
    EXPECT_EQ(granted, kMapping.GenericWrite);
    EXPECT_TRUE(SeAccessCheck(sd.get(), &context, FALSE, MAXIMUM_ALLOWED, 0, nullptr, &mapping, KernelMode, &granted,
                              &status));
    EXPECT_EQ(granted, kMapping.GenericAll);
    SeReleaseSubjectContext(&context);
}

TEST_F(SubjectContextTest, single_privilege_check_follows_the_token)
{
    EXPECT_TRUE(SeSinglePrivilegeCheck(RtlConvertLongToLuid(SE_LOAD_DRIVER_PRIVILEGE), KernelMode));
    EXPECT_FALSE(SeSinglePrivilegeCheck(RtlConvertLongToLuid(SE_LOAD_DRIVER_PRIVILEGE), UserMode));
    EXPECT_TRUE(SeSinglePrivilegeCheck(RtlConvertLongToLuid(SE_CHANGE_NOTIFY_PRIVILEGE), UserMode));

    resolved_token() = Token::create_user(true);
    EXPECT_FALSE(SeSinglePrivilegeCheck(RtlConvertLongToLuid(SE_LOAD_DRIVER_PRIVILEGE), UserMode));
    ASSERT_EQ(resolved_token()->adjust_privilege(SE_LOAD_DRIVER_PRIVILEGE, true), STATUS_SUCCESS);
    EXPECT_TRUE(SeSinglePrivilegeCheck(RtlConvertLongToLuid(SE_LOAD_DRIVER_PRIVILEGE), UserMode));
}

TEST_F(SubjectContextTest, privilege_check_all_or_any)
{
    resolved_token() = Token::create_user(true);
    SECURITY_SUBJECT_CONTEXT context;
    SeCaptureSubjectContext(&context);
    struct {
        PRIVILEGE_SET set;
        LUID_AND_ATTRIBUTES more[1];
    } required{};
    required.set.PrivilegeCount = 2;
    required.set.Control = PRIVILEGE_SET_ALL_NECESSARY;
    required.set.Privilege[0].Luid = RtlConvertLongToLuid(SE_CHANGE_NOTIFY_PRIVILEGE);
    required.more[0].Luid = RtlConvertLongToLuid(SE_BACKUP_PRIVILEGE);
    EXPECT_FALSE(SePrivilegeCheck(&required.set, &context, UserMode));
    EXPECT_TRUE(required.set.Privilege[0].Attributes & SE_PRIVILEGE_USED_FOR_ACCESS);
    EXPECT_FALSE(required.more[0].Attributes & SE_PRIVILEGE_USED_FOR_ACCESS);
    required.set.Control = 0;
    EXPECT_TRUE(SePrivilegeCheck(&required.set, &context, UserMode));
    required.set.Control = PRIVILEGE_SET_ALL_NECESSARY;
    EXPECT_TRUE(SePrivilegeCheck(&required.set, &context, KernelMode));
    SeReleaseSubjectContext(&context);
}

TEST(AccessMaskTest, map_generic_mask_replaces_generic_bits)
{
    GENERIC_MAPPING mapping = kMapping;
    ACCESS_MASK mask = GENERIC_READ | GENERIC_EXECUTE | DELETE;
    RtlMapGenericMask(&mask, &mapping);
    EXPECT_EQ(mask, kMapping.GenericRead | kMapping.GenericExecute | DELETE);
    mask = GENERIC_ALL;
    RtlMapGenericMask(&mask, &mapping);
    EXPECT_EQ(mask, kMapping.GenericAll);
}

TEST(AccessMaskTest, all_and_any_granted)
{
    EXPECT_TRUE(RtlAreAllAccessesGranted(0x7, 0x3));
    EXPECT_FALSE(RtlAreAllAccessesGranted(0x5, 0x3));
    EXPECT_TRUE(RtlAreAllAccessesGranted(0x5, 0));
    EXPECT_TRUE(RtlAreAnyAccessesGranted(0x5, 0x3));
    EXPECT_FALSE(RtlAreAnyAccessesGranted(0x4, 0x3));
}

}  // namespace

namespace ntio::se::token_admin_test {

class TokenIsAdminTest : public ::testing::Test {
protected:
    static std::shared_ptr<Token>& token()
    {
        static std::shared_ptr<Token> t;
        return t;
    }
    static std::shared_ptr<Token> resolve() { return token(); }
    void TearDown() override
    {
        set_subject_token_resolver(nullptr);
        token().reset();
    }
    // What a driver does: capture the caller's context and ask about its token.
    static BOOLEAN caller_is_admin()
    {
        SECURITY_SUBJECT_CONTEXT context;
        SeCaptureSubjectContext(&context);
        BOOLEAN admin = SeTokenIsAdmin(SeQuerySubjectContextToken(&context));
        SeReleaseSubjectContext(&context);
        return admin;
    }
};

TEST_F(TokenIsAdminTest, administrators_member_is_admin_and_plain_user_is_not)
{
    set_subject_token_resolver(&resolve);
    token() = Token::create_user(true);
    EXPECT_TRUE(caller_is_admin());
    token() = Token::create_user(false);
    EXPECT_FALSE(caller_is_admin());
    token() = Token::create_system();
    EXPECT_TRUE(caller_is_admin());
    EXPECT_FALSE(SeTokenIsAdmin(nullptr));
}

}  // namespace ntio::se::token_admin_test
