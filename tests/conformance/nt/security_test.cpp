// Security on open: an event created with a DACL that denies the caller cannot be opened from user
// mode (STATUS_ACCESS_DENIED) while its creator keeps the access it asked for; kernel-mode opens
// skip the check.
#include "nt_test_support.hpp"

namespace ntio::test {
namespace {

TEST_F(NtTest, event_with_a_denying_dacl_cannot_be_opened_from_user_mode) {
    // A DACL denying everything to Everyone.
    alignas(8) unsigned char sid_buffer[SECURITY_MAX_SID_SIZE];
    SID_IDENTIFIER_AUTHORITY world = SECURITY_WORLD_SID_AUTHORITY;
    PSID everyone = sid_buffer;
    ASSERT_EQ(RtlInitializeSid(everyone, &world, 1), STATUS_SUCCESS);
    *RtlSubAuthoritySid(everyone, 0) = SECURITY_WORLD_RID;
    alignas(8) unsigned char acl_buffer[256];
    auto* acl = reinterpret_cast<PACL>(acl_buffer);
    ASSERT_EQ(RtlCreateAcl(acl, sizeof(acl_buffer), ACL_REVISION), STATUS_SUCCESS);
    ASSERT_EQ(RtlAddAccessDeniedAce(acl, ACL_REVISION, GENERIC_ALL, everyone), STATUS_SUCCESS);
    SECURITY_DESCRIPTOR sd;
    ASSERT_EQ(RtlCreateSecurityDescriptor(&sd, SECURITY_DESCRIPTOR_REVISION), STATUS_SUCCESS);
    ASSERT_EQ(RtlSetDaclSecurityDescriptor(&sd, TRUE, acl, FALSE), STATUS_SUCCESS);

    ObjectName name(L"\\BaseNamedObjects\\ntio-nt-denied", OBJ_CASE_INSENSITIVE, nullptr, &sd);
    Handle created;
    ASSERT_EQ(NtCreateEvent(created.out(), EVENT_ALL_ACCESS, name.get(), NotificationEvent, FALSE), STATUS_SUCCESS);
    EXPECT_EQ(NtSetEvent(created, nullptr), STATUS_SUCCESS) << "the creator keeps what it asked for";

    ObjectName open_name(L"\\BaseNamedObjects\\ntio-nt-denied");
    HANDLE h = nullptr;
    EXPECT_EQ(NtOpenEvent(&h, EVENT_MODIFY_STATE, open_name.get()), STATUS_ACCESS_DENIED);
    EXPECT_EQ(NtOpenEvent(&h, SYNCHRONIZE, open_name.get()), STATUS_ACCESS_DENIED);
    Handle kernel;
    open_name.get()->Attributes |= OBJ_KERNEL_HANDLE;
    EXPECT_EQ(ZwOpenEvent(kernel.out(), EVENT_MODIFY_STATE, open_name.get()), STATUS_SUCCESS);
    Handle kernel_owner(kernel.release(), true);
}

}  // namespace
}  // namespace ntio::test
