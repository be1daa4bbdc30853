// Access checks at open: DACLs built with se decide UserMode opens; KernelMode skips the check
// unless OBJ_FORCE_ACCESS_CHECK; named objects get the creator token's default descriptor.
#include "unit/ob/ob_test_support.hpp"

#include "se/security_descriptor.hpp"
#include "se/token.hpp"

namespace ntio::ob::test {
namespace {

class SecurityTest : public ObTest {};

TEST_F(SecurityTest, DaclDecidesUserModeOpens)
{
    se::SecurityDescriptor sd = se::SecurityDescriptor::from_sddl("D:(A;;0x00100001;;;WD)");
    ASSERT_FALSE(sd.empty());
    HANDLE ev = nullptr;
    ASSERT_EQ(create_event(om(), u"\\BaseNamedObjects\\ObDacl", 0, &ev, UserMode, nullptr, sd.get()),
              STATUS_SUCCESS);
    HANDLE h = nullptr;
    EXPECT_EQ(open_by_name(om(), u"\\BaseNamedObjects\\ObDacl", 0, *ExEventObjectType, &h, UserMode, nullptr,
                           EVENT_MODIFY_STATE),
              STATUS_ACCESS_DENIED);
    EXPECT_EQ(h, nullptr);
    ASSERT_EQ(open_by_name(om(), u"\\BaseNamedObjects\\ObDacl", 0, *ExEventObjectType, &h, UserMode, nullptr,
                           MAXIMUM_ALLOWED),
              STATUS_SUCCESS);
    BasicInformation basic;
    ASSERT_EQ(om().query_basic(h, UserMode, basic), STATUS_SUCCESS);
    EXPECT_EQ(basic.granted_access, ACCESS_MASK(SYNCHRONIZE | EVENT_QUERY_STATE));
    EXPECT_EQ(om().close_handle(h, UserMode), STATUS_SUCCESS);
    // KernelMode skips the check, unless the caller forces it.
    ASSERT_EQ(open_by_name(om(), u"\\BaseNamedObjects\\ObDacl", 0, *ExEventObjectType, &h, KernelMode, nullptr,
                           EVENT_MODIFY_STATE),
              STATUS_SUCCESS);
    EXPECT_EQ(om().close_handle(h, UserMode), STATUS_SUCCESS);
    EXPECT_EQ(open_by_name(om(), u"\\BaseNamedObjects\\ObDacl", OBJ_FORCE_ACCESS_CHECK, *ExEventObjectType, &h,
                           KernelMode, nullptr, EVENT_MODIFY_STATE),
              STATUS_ACCESS_DENIED);
    void* body = nullptr;
    Name name(u"\\BaseNamedObjects\\ObDacl");
    EXPECT_EQ(ObReferenceObjectByName(name.get(), 0, nullptr, EVENT_MODIFY_STATE, *ExEventObjectType, UserMode,
                                      nullptr, &body),
              STATUS_ACCESS_DENIED);
    ASSERT_EQ(ObReferenceObjectByName(name.get(), 0, nullptr, EVENT_MODIFY_STATE, *ExEventObjectType, KernelMode,
                                      nullptr, &body),
              STATUS_SUCCESS);
    ObDereferenceObject(body);
    EXPECT_EQ(om().close_handle(ev, UserMode), STATUS_SUCCESS);
}

TEST_F(SecurityTest, NamedObjectsGetTheCreatorsDefaultDescriptor)
{
    // A SYSTEM process creates the object: its default DACL gives a plain user no write access.
    PEPROCESS service = nullptr;
    ASSERT_EQ(om().create_process(se::Token::create_system(), u"service", &service), STATUS_SUCCESS);
    HANDLE ev = nullptr;
    {
        ProcessAttach attach(service);
        ASSERT_EQ(create_event(om(), u"\\BaseNamedObjects\\ObSystemOwned", 0, &ev), STATUS_SUCCESS);
    }
    HANDLE h = nullptr;
    EXPECT_EQ(open_by_name(om(), u"\\BaseNamedObjects\\ObSystemOwned", 0, *ExEventObjectType, &h, UserMode,
                           nullptr, EVENT_MODIFY_STATE),
              STATUS_ACCESS_DENIED);
    {
        ProcessAttach attach(service);
        ASSERT_EQ(open_by_name(om(), u"\\BaseNamedObjects\\ObSystemOwned", 0, *ExEventObjectType, &h, UserMode,
                               nullptr, EVENT_MODIFY_STATE),
                  STATUS_SUCCESS);
        EXPECT_EQ(om().close_handle(h, UserMode), STATUS_SUCCESS);
    }
    // The user's own named objects are the user's.
    HANDLE mine = nullptr;
    ASSERT_EQ(create_event(om(), u"\\BaseNamedObjects\\ObUserOwned", 0, &mine), STATUS_SUCCESS);
    ASSERT_EQ(open_by_name(om(), u"\\BaseNamedObjects\\ObUserOwned", 0, *ExEventObjectType, &h, UserMode, nullptr,
                           EVENT_ALL_ACCESS),
              STATUS_SUCCESS);
    EXPECT_EQ(om().close_handle(h, UserMode), STATUS_SUCCESS);
    EXPECT_EQ(om().close_handle(mine, UserMode), STATUS_SUCCESS);
    om().terminate_process(service, STATUS_SUCCESS);  // closes ev
    ObDereferenceObject(service);
}

TEST_F(SecurityTest, BootDirectoriesLetEveryoneTraverseButNotCreate)
{
    HANDLE h = nullptr;
    ASSERT_EQ(open_by_name(om(), u"\\ObjectTypes", 0, *ObDirectoryObjectType, &h, UserMode, nullptr, GENERIC_READ),
              STATUS_SUCCESS);
    EXPECT_EQ(om().close_handle(h, UserMode), STATUS_SUCCESS);
    EXPECT_EQ(open_by_name(om(), u"\\ObjectTypes", 0, *ObDirectoryObjectType, &h, UserMode, nullptr,
                           DIRECTORY_CREATE_OBJECT),
              STATUS_ACCESS_DENIED);
}

TEST_F(SecurityTest, SetSecurityReplacesTheDaclForLaterOpens)
{
    HANDLE ev = nullptr;
    ASSERT_EQ(create_event(om(), u"\\BaseNamedObjects\\ObResecured", 0, &ev), STATUS_SUCCESS);
    void* body = nullptr;
    ASSERT_EQ(om().reference_object_by_handle(ev, 0, nullptr, KernelMode, &body, nullptr), STATUS_SUCCESS);
    se::SecurityDescriptor before;
    ASSERT_EQ(om().query_security(body, OWNER_SECURITY_INFORMATION | DACL_SECURITY_INFORMATION, before),
              STATUS_SUCCESS);
    ASSERT_FALSE(before.empty());
    EXPECT_TRUE(se::sid_equal(before.owner(), PsGetCurrentProcess()->m_token->user()));
    EXPECT_TRUE(before.dacl_present());

    se::SecurityDescriptor wait_only = se::SecurityDescriptor::from_sddl("D:(A;;0x00100000;;;WD)");
    ASSERT_EQ(om().set_security(body, DACL_SECURITY_INFORMATION, wait_only.get()), STATUS_SUCCESS);
    HANDLE h = nullptr;
    EXPECT_EQ(open_by_name(om(), u"\\BaseNamedObjects\\ObResecured", 0, *ExEventObjectType, &h, UserMode,
                           nullptr, EVENT_QUERY_STATE),
              STATUS_ACCESS_DENIED);
    ASSERT_EQ(open_by_name(om(), u"\\BaseNamedObjects\\ObResecured", 0, *ExEventObjectType, &h, UserMode,
                           nullptr, SYNCHRONIZE),
              STATUS_SUCCESS);
    EXPECT_EQ(om().close_handle(h, UserMode), STATUS_SUCCESS);
    // The owner was kept (owners still get READ_CONTROL and WRITE_DAC implicitly).
    se::SecurityDescriptor after;
    ASSERT_EQ(om().query_security(body, OWNER_SECURITY_INFORMATION, after), STATUS_SUCCESS);
    EXPECT_TRUE(se::sid_equal(after.owner(), before.owner()));
    EXPECT_EQ(om().set_security(body, OWNER_SECURITY_INFORMATION, wait_only.get()), STATUS_INVALID_OWNER);

    PSECURITY_DESCRIPTOR copy = nullptr;
    BOOLEAN allocated = FALSE;
    ASSERT_EQ(ObGetObjectSecurity(body, &copy, &allocated), STATUS_SUCCESS);
    ASSERT_NE(copy, nullptr);
    EXPECT_TRUE(allocated);
    EXPECT_TRUE(RtlValidSecurityDescriptor(copy));
    ObReleaseObjectSecurity(copy, allocated);
    ObDereferenceObject(body);
    EXPECT_EQ(om().close_handle(ev, UserMode), STATUS_SUCCESS);
}

}  // namespace
}  // namespace ntio::ob::test
