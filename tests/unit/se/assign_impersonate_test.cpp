// New-object security (SeAssignSecurity(Ex) inheritance), object security services on a named
// event, and thread impersonation as SeCaptureSubjectContext sees it, through the DDK surface.
#include <gtest/gtest.h>

#include <ntifs.h>
#include <ntio/ntapi.h>

#include <vector>

#include "support/system_fixture.hpp"

namespace assign_impersonate_test {
namespace {

GENERIC_MAPPING g_mapping = {STANDARD_RIGHTS_READ | 0x1, STANDARD_RIGHTS_WRITE | 0x2, STANDARD_RIGHTS_EXECUTE | 0x4,
                             STANDARD_RIGHTS_REQUIRED | 0x7};

// An absolute descriptor with a DACL the test fills with RtlAddAccess*AceEx.
struct Descriptor {
    SECURITY_DESCRIPTOR sd{};
    alignas(4) unsigned char acl[512]{};
    Descriptor()
    {
        EXPECT_EQ(RtlCreateSecurityDescriptor(&sd, SECURITY_DESCRIPTOR_REVISION), STATUS_SUCCESS);
        EXPECT_EQ(RtlCreateAcl(dacl(), sizeof(acl), ACL_REVISION), STATUS_SUCCESS);
        EXPECT_EQ(RtlSetDaclSecurityDescriptor(&sd, TRUE, dacl(), FALSE), STATUS_SUCCESS);
    }
    PACL dacl() { return reinterpret_cast<PACL>(acl); }
    void allow(ULONG flags, ACCESS_MASK mask, PSID sid)
    {
        EXPECT_EQ(RtlAddAccessAllowedAceEx(dacl(), ACL_REVISION, flags, mask, sid), STATUS_SUCCESS);
    }
};

struct AceSeen {
    UCHAR flags;
    ACCESS_MASK mask;
    PSID sid;
};

std::vector<AceSeen> dacl_of(PSECURITY_DESCRIPTOR sd)
{
    BOOLEAN present = FALSE, defaulted = FALSE;
    PACL dacl = nullptr;
    std::vector<AceSeen> out;
    EXPECT_EQ(RtlGetDaclSecurityDescriptor(sd, &present, &dacl, &defaulted), STATUS_SUCCESS);
    if (!present || !dacl) return out;
    for (ULONG i = 0; i < dacl->AceCount; ++i) {
        PVOID ace = nullptr;
        EXPECT_EQ(RtlGetAce(dacl, i, &ace), STATUS_SUCCESS);
        auto* allowed = static_cast<PACCESS_ALLOWED_ACE>(ace);
        out.push_back({allowed->Header.AceFlags, allowed->Mask, &allowed->SidStart});
    }
    return out;
}

PSID owner_of(PSECURITY_DESCRIPTOR sd)
{
    PSID owner = nullptr;
    BOOLEAN defaulted = FALSE;
    EXPECT_EQ(RtlGetOwnerSecurityDescriptor(sd, &owner, &defaulted), STATUS_SUCCESS);
    return owner;
}

class AssignTest : public ntio::test::SystemTest {
protected:
    void SetUp() override
    {
        SystemTest::SetUp();
        SeCaptureSubjectContext(&m_subject);
    }
    void TearDown() override
    {
        SeReleaseSubjectContext(&m_subject);
        SystemTest::TearDown();
    }
    PSID user_sid()
    {
        if (!m_user) {
            EXPECT_EQ(SeQueryInformationToken(m_subject.PrimaryToken, TokenUser, &m_user), STATUS_SUCCESS);
        }
        return static_cast<PTOKEN_USER>(m_user)->User.Sid;
    }
    SECURITY_SUBJECT_CONTEXT m_subject{};
    PVOID m_user = nullptr;

public:
    ~AssignTest() override
    {
        if (m_user) ExFreePool(m_user);
    }
};

TEST_F(AssignTest, object_inherits_object_inherit_aces_with_creator_owner_replaced)
{
    Descriptor parent;
    parent.allow(OBJECT_INHERIT_ACE, GENERIC_READ, SeExports->SeWorldSid);
    parent.allow(CONTAINER_INHERIT_ACE, GENERIC_ALL, SeExports->SeAliasAdminsSid);
    parent.allow(OBJECT_INHERIT_ACE | INHERIT_ONLY_ACE, GENERIC_ALL, SeExports->SeCreatorOwnerSid);
    parent.allow(0, GENERIC_ALL, SeExports->SeLocalSystemSid);  // not inheritable
    PSECURITY_DESCRIPTOR made = nullptr;
    ASSERT_EQ(SeAssignSecurity(&parent.sd, nullptr, &made, FALSE, &m_subject, &g_mapping, PagedPool), STATUS_SUCCESS);
    ASSERT_TRUE(RtlValidSecurityDescriptor(made));
    std::vector<AceSeen> aces = dacl_of(made);
    ASSERT_EQ(aces.size(), 2u);
    EXPECT_TRUE(RtlEqualSid(aces[0].sid, SeExports->SeWorldSid));
    EXPECT_EQ(aces[0].flags, INHERITED_ACE);
    EXPECT_EQ(aces[0].mask, g_mapping.GenericRead);  // generic rights mapped
    EXPECT_TRUE(RtlEqualSid(aces[1].sid, user_sid()));  // CREATOR OWNER became the new owner
    EXPECT_EQ(aces[1].mask, g_mapping.GenericAll);
    EXPECT_TRUE(RtlEqualSid(owner_of(made), user_sid()));
    EXPECT_EQ(SeDeassignSecurity(&made), STATUS_SUCCESS);
    EXPECT_EQ(made, nullptr);
}

TEST_F(AssignTest, container_keeps_propagating_aces_and_stops_no_propagate_ones)
{
    Descriptor parent;
    parent.allow(CONTAINER_INHERIT_ACE, GENERIC_READ, SeExports->SeWorldSid);
    parent.allow(OBJECT_INHERIT_ACE, 0x1, SeExports->SeAliasUsersSid);
    parent.allow(CONTAINER_INHERIT_ACE | NO_PROPAGATE_INHERIT_ACE, 0x2, SeExports->SeAliasAdminsSid);
    parent.allow(OBJECT_INHERIT_ACE | NO_PROPAGATE_INHERIT_ACE, 0x4, SeExports->SeAliasGuestsSid);
    PSECURITY_DESCRIPTOR made = nullptr;
    ASSERT_EQ(SeAssignSecurity(&parent.sd, nullptr, &made, TRUE, &m_subject, &g_mapping, PagedPool), STATUS_SUCCESS);
    std::vector<AceSeen> aces = dacl_of(made);
    ASSERT_EQ(aces.size(), 4u);
    // Everyone: effective (mapped) plus an inherit-only copy with the generic right for below.
    EXPECT_TRUE(RtlEqualSid(aces[0].sid, SeExports->SeWorldSid));
    EXPECT_EQ(aces[0].flags, INHERITED_ACE);
    EXPECT_EQ(aces[0].mask, g_mapping.GenericRead);
    EXPECT_EQ(aces[1].flags, INHERITED_ACE | INHERIT_ONLY_ACE | CONTAINER_INHERIT_ACE);
    EXPECT_EQ(aces[1].mask, ACCESS_MASK{GENERIC_READ});
    // Users: object-only ACE passes through the container, inherit-only.
    EXPECT_TRUE(RtlEqualSid(aces[2].sid, SeExports->SeAliasUsersSid));
    EXPECT_EQ(aces[2].flags, INHERITED_ACE | INHERIT_ONLY_ACE | OBJECT_INHERIT_ACE);
    // Administrators: applies here and goes no further; Guests' object-only ACE stops before.
    EXPECT_TRUE(RtlEqualSid(aces[3].sid, SeExports->SeAliasAdminsSid));
    EXPECT_EQ(aces[3].flags, INHERITED_ACE);
    SeDeassignSecurity(&made);
}

TEST_F(AssignTest, nothing_inherited_gives_the_token_default_dacl_and_explicit_wins)
{
    Descriptor parent;
    parent.allow(0, GENERIC_ALL, SeExports->SeWorldSid);
    PSECURITY_DESCRIPTOR made = nullptr;
    ASSERT_EQ(SeAssignSecurity(&parent.sd, nullptr, &made, FALSE, &m_subject, &g_mapping, PagedPool), STATUS_SUCCESS);
    PVOID default_dacl = nullptr;
    ASSERT_EQ(SeQueryInformationToken(m_subject.PrimaryToken, TokenDefaultDacl, &default_dacl), STATUS_SUCCESS);
    PACL expected = static_cast<PTOKEN_DEFAULT_DACL>(default_dacl)->DefaultDacl;
    std::vector<AceSeen> aces = dacl_of(made);
    ASSERT_EQ(aces.size(), expected->AceCount);
    BOOLEAN present = FALSE, defaulted = FALSE;
    PACL got = nullptr;
    ASSERT_EQ(RtlGetDaclSecurityDescriptor(made, &present, &got, &defaulted), STATUS_SUCCESS);
    EXPECT_EQ(std::memcmp(got, expected, expected->AclSize), 0);
    ExFreePool(default_dacl);
    SeDeassignSecurity(&made);

    // An explicit DACL replaces inheritance; with SEF_DACL_AUTO_INHERIT the inherited ACEs follow it.
    Descriptor inheritable;
    inheritable.allow(OBJECT_INHERIT_ACE, 0x1, SeExports->SeWorldSid);
    Descriptor mine;
    mine.allow(0, 0x2, SeExports->SeAliasUsersSid);
    ASSERT_EQ(SeAssignSecurity(&inheritable.sd, &mine.sd, &made, FALSE, &m_subject, &g_mapping, PagedPool),
              STATUS_SUCCESS);
    aces = dacl_of(made);
    ASSERT_EQ(aces.size(), 1u);
    EXPECT_TRUE(RtlEqualSid(aces[0].sid, SeExports->SeAliasUsersSid));
    SeDeassignSecurity(&made);
    ASSERT_EQ(SeAssignSecurityEx(&inheritable.sd, &mine.sd, &made, nullptr, FALSE, SEF_DACL_AUTO_INHERIT, &m_subject,
                                 &g_mapping, PagedPool),
              STATUS_SUCCESS);
    aces = dacl_of(made);
    ASSERT_EQ(aces.size(), 2u);
    EXPECT_TRUE(RtlEqualSid(aces[0].sid, SeExports->SeAliasUsersSid));
    EXPECT_TRUE(RtlEqualSid(aces[1].sid, SeExports->SeWorldSid));
    EXPECT_EQ(aces[1].flags, INHERITED_ACE);
    SECURITY_DESCRIPTOR_CONTROL control = 0;
    ULONG revision = 0;
    ASSERT_EQ(RtlGetControlSecurityDescriptor(made, &control, &revision), STATUS_SUCCESS);
    EXPECT_TRUE(control & SE_DACL_AUTO_INHERITED);
    EXPECT_TRUE(control & SE_SELF_RELATIVE);
    SeDeassignSecurity(&made);
}

TEST_F(AssignTest, owner_rules_and_flags)
{
    // Someone else as owner: refused unless the owner check is avoided.
    Descriptor mine;
    ASSERT_EQ(RtlSetOwnerSecurityDescriptor(&mine.sd, SeExports->SeLocalSystemSid, FALSE), STATUS_SUCCESS);
    PSECURITY_DESCRIPTOR made = nullptr;
    EXPECT_EQ(SeAssignSecurity(nullptr, &mine.sd, &made, FALSE, &m_subject, &g_mapping, PagedPool),
              STATUS_INVALID_OWNER);
    EXPECT_EQ(made, nullptr);
    ASSERT_EQ(SeAssignSecurityEx(nullptr, &mine.sd, &made, nullptr, FALSE, SEF_AVOID_OWNER_CHECK, &m_subject,
                                 &g_mapping, PagedPool),
              STATUS_SUCCESS);
    EXPECT_TRUE(RtlEqualSid(owner_of(made), SeExports->SeLocalSystemSid));
    SeDeassignSecurity(&made);

    // The owner from the parent on request, else the creator's.
    Descriptor parent;
    ASSERT_EQ(RtlSetOwnerSecurityDescriptor(&parent.sd, SeExports->SeAliasAdminsSid, FALSE), STATUS_SUCCESS);
    ASSERT_EQ(SeAssignSecurityEx(&parent.sd, nullptr, &made, nullptr, FALSE, SEF_DEFAULT_OWNER_FROM_PARENT,
                                 &m_subject, &g_mapping, PagedPool),
              STATUS_SUCCESS);
    EXPECT_TRUE(RtlEqualSid(owner_of(made), SeExports->SeAliasAdminsSid));
    SeDeassignSecurity(&made);
    ASSERT_EQ(SeAssignSecurity(&parent.sd, nullptr, &made, FALSE, &m_subject, &g_mapping, PagedPool), STATUS_SUCCESS);
    EXPECT_TRUE(RtlEqualSid(owner_of(made), user_sid()));
    SeDeassignSecurity(&made);

    // An explicit SACL needs SeSecurityPrivilege, which a standard user lacks.
    alignas(4) unsigned char sacl[64];
    ASSERT_EQ(RtlCreateAcl(reinterpret_cast<PACL>(sacl), sizeof(sacl), ACL_REVISION), STATUS_SUCCESS);
    Descriptor audited;
    ASSERT_EQ(RtlSetSaclSecurityDescriptor(&audited.sd, TRUE, reinterpret_cast<PACL>(sacl), FALSE), STATUS_SUCCESS);
    EXPECT_EQ(SeAssignSecurity(nullptr, &audited.sd, &made, FALSE, &m_subject, &g_mapping, PagedPool),
              STATUS_PRIVILEGE_NOT_HELD);
    ASSERT_EQ(SeAssignSecurityEx(nullptr, &audited.sd, &made, nullptr, FALSE, SEF_AVOID_PRIVILEGE_CHECK, &m_subject,
                                 &g_mapping, PagedPool),
              STATUS_SUCCESS);
    SeDeassignSecurity(&made);
}

TEST_F(AssignTest, capture_copies_unless_kernel_mode_allows_in_place)
{
    Descriptor mine;
    mine.allow(0, 0x1, SeExports->SeWorldSid);
    PSECURITY_DESCRIPTOR captured = nullptr;
    ASSERT_EQ(SeCaptureSecurityDescriptor(&mine.sd, KernelMode, PagedPool, FALSE, &captured), STATUS_SUCCESS);
    EXPECT_EQ(captured, &mine.sd);
    SeReleaseSecurityDescriptor(captured, KernelMode, FALSE);
    ASSERT_EQ(SeCaptureSecurityDescriptor(&mine.sd, KernelMode, PagedPool, TRUE, &captured), STATUS_SUCCESS);
    ASSERT_NE(captured, &mine.sd);
    EXPECT_EQ(RtlLengthSecurityDescriptor(captured), RtlLengthSecurityDescriptor(&mine.sd));
    ASSERT_EQ(dacl_of(captured).size(), 1u);
    SeReleaseSecurityDescriptor(captured, KernelMode, TRUE);
    // From user mode the descriptor is read as caller memory: a bad pointer is refused, not a fault.
    EXPECT_EQ(SeCaptureSecurityDescriptor(reinterpret_cast<PSECURITY_DESCRIPTOR>(0x10), UserMode, PagedPool, FALSE,
                                          &captured),
              STATUS_ACCESS_VIOLATION);
    Descriptor bad;
    bad.sd.Revision = 7;
    EXPECT_EQ(SeCaptureSecurityDescriptor(&bad.sd, KernelMode, PagedPool, TRUE, &captured), STATUS_UNKNOWN_REVISION);
}

// A named event created by the user with a DACL that grants Everyone READ_CONTROL | SYNCHRONIZE.
class ObjectSecurityTest : public AssignTest {};

TEST_F(ObjectSecurityTest, query_and_set_need_the_handle_rights)
{
    Descriptor sd;
    sd.allow(0, READ_CONTROL | SYNCHRONIZE, SeExports->SeWorldSid);
    ASSERT_EQ(RtlSetOwnerSecurityDescriptor(&sd.sd, user_sid(), FALSE), STATUS_SUCCESS);
    UNICODE_STRING name;
    RtlInitUnicodeString(&name, L"\\BaseNamedObjects\\se_object_security_test");
    OBJECT_ATTRIBUTES oa;
    InitializeObjectAttributes(&oa, &name, 0, nullptr, &sd.sd);
    HANDLE creator = nullptr;
    ASSERT_EQ(NtCreateEvent(&creator, EVENT_ALL_ACCESS, &oa, NotificationEvent, FALSE), STATUS_SUCCESS);

    InitializeObjectAttributes(&oa, &name, 0, nullptr, nullptr);
    HANDLE reader = nullptr;
    ASSERT_EQ(NtOpenEvent(&reader, READ_CONTROL, &oa), STATUS_SUCCESS);
    HANDLE writer = nullptr;
    // The owner (the creating user) may always write the DACL.
    ASSERT_EQ(NtOpenEvent(&writer, WRITE_DAC, &oa), STATUS_SUCCESS);

    ULONG needed = 0;
    EXPECT_EQ(NtQuerySecurityObject(reader, DACL_SECURITY_INFORMATION, nullptr, 0, &needed), STATUS_BUFFER_TOO_SMALL);
    ASSERT_GT(needed, sizeof(SECURITY_DESCRIPTOR_RELATIVE));
    std::vector<unsigned char> buffer(needed);
    ULONG needed_again = 0;
    ASSERT_EQ(NtQuerySecurityObject(reader, DACL_SECURITY_INFORMATION | OWNER_SECURITY_INFORMATION, buffer.data(),
                                    static_cast<ULONG>(buffer.size()), &needed_again),
              STATUS_BUFFER_TOO_SMALL);  // the owner makes it bigger
    buffer.resize(needed_again);
    ASSERT_EQ(NtQuerySecurityObject(reader, DACL_SECURITY_INFORMATION | OWNER_SECURITY_INFORMATION, buffer.data(),
                                    static_cast<ULONG>(buffer.size()), &needed_again),
              STATUS_SUCCESS);
    ASSERT_TRUE(RtlValidRelativeSecurityDescriptor(buffer.data(), needed_again, 0));
    std::vector<AceSeen> aces = dacl_of(buffer.data());
    ASSERT_EQ(aces.size(), 1u);
    EXPECT_EQ(aces[0].mask, ACCESS_MASK{READ_CONTROL | SYNCHRONIZE});
    EXPECT_TRUE(RtlEqualSid(owner_of(buffer.data()), user_sid()));

    // The SACL needs ACCESS_SYSTEM_SECURITY; writing needs WRITE_DAC / WRITE_OWNER.
    EXPECT_EQ(NtQuerySecurityObject(reader, SACL_SECURITY_INFORMATION, buffer.data(),
                                    static_cast<ULONG>(buffer.size()), &needed),
              STATUS_ACCESS_DENIED);
    Descriptor open_all;
    open_all.allow(0, EVENT_ALL_ACCESS, SeExports->SeWorldSid);
    EXPECT_EQ(NtSetSecurityObject(reader, DACL_SECURITY_INFORMATION, &open_all.sd), STATUS_ACCESS_DENIED);
    EXPECT_EQ(NtSetSecurityObject(writer, OWNER_SECURITY_INFORMATION, &open_all.sd), STATUS_ACCESS_DENIED);
    ASSERT_EQ(NtSetSecurityObject(writer, DACL_SECURITY_INFORMATION, &open_all.sd), STATUS_SUCCESS);

    // The new DACL decides the next open.
    HANDLE modifier = nullptr;
    EXPECT_EQ(NtOpenEvent(&modifier, EVENT_MODIFY_STATE, &oa), STATUS_SUCCESS);
    NtClose(modifier);
    ASSERT_EQ(ZwQuerySecurityObject(reader, DACL_SECURITY_INFORMATION, buffer.data(),
                                    static_cast<ULONG>(buffer.size()), &needed),
              STATUS_SUCCESS);
    aces = dacl_of(buffer.data());
    ASSERT_EQ(aces.size(), 1u);
    EXPECT_EQ(aces[0].mask, ACCESS_MASK{EVENT_ALL_ACCESS});

    // Locking everyone out: the next open for a right the DACL no longer grants fails.
    Descriptor locked;
    locked.allow(0, READ_CONTROL, SeExports->SeLocalSystemSid);
    ASSERT_EQ(NtSetSecurityObject(writer, DACL_SECURITY_INFORMATION, &locked.sd), STATUS_SUCCESS);
    EXPECT_EQ(NtOpenEvent(&modifier, EVENT_MODIFY_STATE, &oa), STATUS_ACCESS_DENIED);
    NtClose(writer);
    NtClose(reader);
    NtClose(creator);
}

class ImpersonationTest : public AssignTest {};

TEST_F(ImpersonationTest, impersonation_shows_in_the_subject_context_until_revert)
{
    // Impersonate the SYSTEM process's token (as a server thread would its client's).
    PEPROCESS system = nullptr;
    ASSERT_EQ(PsLookupProcessByProcessId(reinterpret_cast<HANDLE>(4), &system), STATUS_SUCCESS);
    PACCESS_TOKEN system_token = PsReferencePrimaryToken(system);
    ASSERT_NE(system_token, nullptr);
    PETHREAD self = PsGetCurrentThread();
    ASSERT_EQ(PsImpersonateClient(self, system_token, FALSE, FALSE, SecurityImpersonation), STATUS_SUCCESS);

    SECURITY_SUBJECT_CONTEXT context;
    SeCaptureSubjectContext(&context);
    EXPECT_EQ(context.ClientToken, system_token);
    EXPECT_EQ(context.ImpersonationLevel, SecurityImpersonation);
    EXPECT_EQ(context.PrimaryToken, m_subject.PrimaryToken);
    EXPECT_EQ(SeQuerySubjectContextToken(&context), system_token);
    SeReleaseSubjectContext(&context);

    BOOLEAN copy = TRUE, effective = TRUE;
    SECURITY_IMPERSONATION_LEVEL level = SecurityAnonymous;
    PACCESS_TOKEN referenced = PsReferenceImpersonationToken(self, &copy, &effective, &level);
    EXPECT_EQ(referenced, system_token);
    EXPECT_FALSE(copy);
    EXPECT_EQ(level, SecurityImpersonation);
    PsDereferenceImpersonationToken(referenced);

    // SYSTEM holds SeSecurityPrivilege: the user-mode privilege check now passes.
    EXPECT_TRUE(SeSinglePrivilegeCheck(SeExports->SeSecurityPrivilege, UserMode));

    // A thread token handle while impersonating.
    HANDLE token = nullptr;
    ASSERT_EQ(ZwOpenThreadTokenEx(ZwCurrentThread(), TOKEN_QUERY, TRUE, OBJ_KERNEL_HANDLE, &token), STATUS_SUCCESS);
    alignas(8) unsigned char buffer[128];
    ULONG written = 0;
    ASSERT_EQ(ZwQueryInformationToken(token, TokenUser, buffer, sizeof(buffer), &written), STATUS_SUCCESS);
    EXPECT_TRUE(RtlEqualSid(reinterpret_cast<PTOKEN_USER>(buffer)->User.Sid, SeExports->SeLocalSystemSid));
    ZwClose(token);

    // Disabled, then restored.
    SE_IMPERSONATION_STATE saved{};
    ASSERT_TRUE(PsDisableImpersonation(self, &saved));
    SeCaptureSubjectContext(&context);
    EXPECT_EQ(context.ClientToken, nullptr);
    SeReleaseSubjectContext(&context);
    PsRestoreImpersonation(self, &saved);
    SeCaptureSubjectContext(&context);
    EXPECT_EQ(context.ClientToken, system_token);
    SeReleaseSubjectContext(&context);

    PsRevertToSelf();
    SeCaptureSubjectContext(&context);
    EXPECT_EQ(context.ClientToken, nullptr);
    EXPECT_EQ(SeQuerySubjectContextToken(&context), m_subject.PrimaryToken);
    SeReleaseSubjectContext(&context);
    EXPECT_EQ(PsReferenceImpersonationToken(self, &copy, &effective, &level), nullptr);
    EXPECT_FALSE(SeSinglePrivilegeCheck(SeExports->SeSecurityPrivilege, UserMode));
    EXPECT_FALSE(PsDisableImpersonation(self, &saved));

    PsDereferencePrimaryToken(system_token);
    ObDereferenceObject(system);
}

TEST_F(ImpersonationTest, identification_level_cannot_open_objects)
{
    PEPROCESS system = nullptr;
    ASSERT_EQ(PsLookupProcessByProcessId(reinterpret_cast<HANDLE>(4), &system), STATUS_SUCCESS);
    PACCESS_TOKEN system_token = PsReferencePrimaryToken(system);
    HANDLE event = nullptr;
    UNICODE_STRING name;
    RtlInitUnicodeString(&name, L"\\BaseNamedObjects\\se_identification_test");
    OBJECT_ATTRIBUTES oa;
    InitializeObjectAttributes(&oa, &name, 0, nullptr, nullptr);
    ASSERT_EQ(NtCreateEvent(&event, EVENT_ALL_ACCESS, &oa, NotificationEvent, FALSE), STATUS_SUCCESS);
    ASSERT_EQ(PsImpersonateClient(PsGetCurrentThread(), system_token, FALSE, FALSE, SecurityIdentification),
              STATUS_SUCCESS);
    HANDLE again = nullptr;
    EXPECT_EQ(NtOpenEvent(&again, SYNCHRONIZE, &oa), STATUS_BAD_IMPERSONATION_LEVEL);
    PsRevertToSelf();
    ASSERT_EQ(NtOpenEvent(&again, SYNCHRONIZE, &oa), STATUS_SUCCESS);
    NtClose(again);
    NtClose(event);
    EXPECT_EQ(PsImpersonateClient(nullptr, system_token, FALSE, FALSE, SecurityImpersonation),
              STATUS_INVALID_PARAMETER);
    PsDereferencePrimaryToken(system_token);
    ObDereferenceObject(system);
}

}  // namespace
}  // namespace assign_impersonate_test
