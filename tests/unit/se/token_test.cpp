// Tokens: identity and groups of SYSTEM, users and administrators; privileges present, enabled,
// disabled and absent; adjusting them; duplication independence.
#include <gtest/gtest.h>

#include "se/token.hpp"

namespace {

using namespace ntio::se;

TEST(TokenTest, system_token_identity)
{
    auto token = Token::create_system();
    EXPECT_EQ(sid_to_string(token->user()), "S-1-5-18");
    EXPECT_TRUE(sid_equal(token->primary_group(), well_known::local_system()));
    EXPECT_TRUE(token->is_member(well_known::local_system()));
    EXPECT_TRUE(token->is_member(well_known::administrators()));
    EXPECT_TRUE(token->is_member(well_known::world()));
    EXPECT_TRUE(token->is_member(well_known::authenticated_users()));
    EXPECT_FALSE(token->is_member(well_known::users()));
    bool admins_is_owner = false;
    for (const auto& group : token->groups()) {
        if (sid_equal(group.sid.get(), well_known::administrators())) {
            admins_is_owner = (group.attributes & SE_GROUP_OWNER) != 0;
        }
    }
    EXPECT_TRUE(admins_is_owner);
}

TEST(TokenTest, system_token_holds_every_privilege_enabled)
{
    auto token = Token::create_system();
    for (ULONG luid = SE_MIN_WELL_KNOWN_PRIVILEGE; luid <= SE_MAX_WELL_KNOWN_PRIVILEGE; ++luid) {
        EXPECT_TRUE(token->privilege_present(luid)) << luid;
        EXPECT_TRUE(token->privilege_enabled(luid)) << luid;
    }
    EXPECT_FALSE(token->privilege_present(0));
    EXPECT_FALSE(token->privilege_present(SE_MAX_WELL_KNOWN_PRIVILEGE + 1));
}

TEST(TokenTest, standard_user_identity_and_privileges)
{
    auto token = Token::create_user(false);
    const std::string user = sid_to_string(token->user());
    EXPECT_EQ(user.rfind("S-1-5-21-", 0), 0u);
    EXPECT_EQ(user.substr(user.size() - 5), "-1001");
    EXPECT_TRUE(token->is_member(well_known::users()));
    EXPECT_TRUE(token->is_member(well_known::world()));
    EXPECT_TRUE(token->is_member(well_known::authenticated_users()));
    EXPECT_TRUE(token->is_member(well_known::interactive()));
    EXPECT_FALSE(token->is_member(well_known::administrators()));
    EXPECT_FALSE(token->is_member(well_known::local_system()));

    EXPECT_TRUE(token->privilege_enabled(SE_CHANGE_NOTIFY_PRIVILEGE));
    EXPECT_TRUE(token->privilege_present(SE_SHUTDOWN_PRIVILEGE));
    EXPECT_FALSE(token->privilege_enabled(SE_SHUTDOWN_PRIVILEGE));
    EXPECT_FALSE(token->privilege_present(SE_LOAD_DRIVER_PRIVILEGE));
    EXPECT_FALSE(token->privilege_present(SE_DEBUG_PRIVILEGE));
}

TEST(TokenTest, administrator_has_load_driver_present_but_disabled)
{
    auto token = Token::create_user(true);
    EXPECT_TRUE(token->is_member(well_known::administrators()));
    EXPECT_TRUE(token->privilege_present(SE_LOAD_DRIVER_PRIVILEGE));
    EXPECT_FALSE(token->privilege_enabled(SE_LOAD_DRIVER_PRIVILEGE));
    EXPECT_TRUE(token->privilege_enabled(SE_CHANGE_NOTIFY_PRIVILEGE));
    EXPECT_TRUE(token->privilege_enabled(SE_IMPERSONATE_PRIVILEGE));
    EXPECT_TRUE(token->privilege_present(SE_DEBUG_PRIVILEGE));
    EXPECT_FALSE(token->privilege_present(SE_TCB_PRIVILEGE));
    EXPECT_FALSE(token->privilege_present(SE_CREATE_TOKEN_PRIVILEGE));
}

TEST(TokenTest, adjust_enables_and_disables_present_privileges)
{
    auto token = Token::create_user(true);
    ASSERT_EQ(token->adjust_privilege(SE_LOAD_DRIVER_PRIVILEGE, true), STATUS_SUCCESS);
    EXPECT_TRUE(token->privilege_enabled(SE_LOAD_DRIVER_PRIVILEGE));
    ASSERT_EQ(token->adjust_privilege(SE_LOAD_DRIVER_PRIVILEGE, false), STATUS_SUCCESS);
    EXPECT_FALSE(token->privilege_enabled(SE_LOAD_DRIVER_PRIVILEGE));
    ASSERT_EQ(token->adjust_privilege(SE_CHANGE_NOTIFY_PRIVILEGE, false), STATUS_SUCCESS);
    EXPECT_FALSE(token->privilege_enabled(SE_CHANGE_NOTIFY_PRIVILEGE));
    token->reset_privileges();
    EXPECT_TRUE(token->privilege_enabled(SE_CHANGE_NOTIFY_PRIVILEGE));
}

TEST(TokenTest, adjust_absent_privilege_is_not_all_assigned)
{
    auto token = Token::create_user(false);
    EXPECT_EQ(token->adjust_privilege(SE_LOAD_DRIVER_PRIVILEGE, true), STATUS_NOT_ALL_ASSIGNED);
    EXPECT_FALSE(token->privilege_enabled(SE_LOAD_DRIVER_PRIVILEGE));
    EXPECT_EQ(token->adjust_privilege(200, true), STATUS_NOT_ALL_ASSIGNED);
    EXPECT_FALSE(token->privilege_enabled(200));
}

TEST(TokenTest, duplicate_has_independent_privilege_state)
{
    auto token = Token::create_user(true);
    ASSERT_EQ(token->adjust_privilege(SE_BACKUP_PRIVILEGE, true), STATUS_SUCCESS);
    auto copy = token->duplicate();
    EXPECT_NE(copy.get(), token.get());
    EXPECT_TRUE(sid_equal(copy->user(), token->user()));
    EXPECT_TRUE(copy->privilege_enabled(SE_BACKUP_PRIVILEGE));
    ASSERT_EQ(copy->adjust_privilege(SE_BACKUP_PRIVILEGE, false), STATUS_SUCCESS);
    EXPECT_TRUE(token->privilege_enabled(SE_BACKUP_PRIVILEGE));
    EXPECT_FALSE(copy->privilege_enabled(SE_BACKUP_PRIVILEGE));
}

TEST(TokenTest, default_dacl_is_a_valid_acl)
{
    for (auto token : {Token::create_system(), Token::create_user(false), Token::create_user(true)}) {
        auto* acl = reinterpret_cast<PACL>(const_cast<unsigned char*>(token->default_dacl().data()));
        EXPECT_TRUE(RtlValidAcl(acl));
        EXPECT_EQ(acl->AceCount, 2);
    }
}

TEST(TokenTest, pin_keeps_token_alive_until_unpinned)
{
    auto token = Token::create_user(false);
    std::weak_ptr<Token> weak = token;
    Token* raw = token.get();
    raw->pin();
    raw->pin();
    token.reset();
    EXPECT_FALSE(weak.expired());
    raw->unpin();
    EXPECT_FALSE(weak.expired());
    raw->unpin();
    EXPECT_TRUE(weak.expired());
}

}  // namespace
