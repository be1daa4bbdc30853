// The access check and audit alarm services of protected servers, as a service running as SYSTEM
// calls them while impersonating its client: the check's answer, GenerateOnClose FALSE (ntio's audit
// policy is empty), and the statuses for a caller without SeAuditPrivilege, a thread that does not
// impersonate and bad input.
#include <gtest/gtest.h>

#include <ntifs.h>
#include <ntio/ntapi.h>

#include "support/system_fixture.hpp"
#include "support/system_token_process.hpp"

namespace audit_alarm_test {
namespace {

constexpr GENERIC_MAPPING kAlarmMapping{0x00120001, 0x00120002, 0x00120004, 0x001F0007};

// A descriptor owned by SYSTEM (group SYSTEM unless `no_group`) whose DACL lets Everyone have `rights`.
class WorldDescriptor {
public:
    explicit WorldDescriptor(ACCESS_MASK rights, bool no_group = false)
    {
        SID_IDENTIFIER_AUTHORITY nt = SECURITY_NT_AUTHORITY, world = SECURITY_WORLD_SID_AUTHORITY;
        EXPECT_EQ(RtlInitializeSid(m_system, &nt, 1), STATUS_SUCCESS);
        *RtlSubAuthoritySid(m_system, 0) = SECURITY_LOCAL_SYSTEM_RID;
        EXPECT_EQ(RtlInitializeSid(m_world, &world, 1), STATUS_SUCCESS);
        *RtlSubAuthoritySid(m_world, 0) = SECURITY_WORLD_RID;
        EXPECT_EQ(RtlCreateAcl(reinterpret_cast<PACL>(m_acl), sizeof(m_acl), ACL_REVISION), STATUS_SUCCESS);
        EXPECT_EQ(RtlAddAccessAllowedAce(reinterpret_cast<PACL>(m_acl), ACL_REVISION, rights, m_world), STATUS_SUCCESS);
        EXPECT_EQ(RtlCreateSecurityDescriptor(&m_sd, SECURITY_DESCRIPTOR_REVISION), STATUS_SUCCESS);
        EXPECT_EQ(RtlSetDaclSecurityDescriptor(&m_sd, TRUE, reinterpret_cast<PACL>(m_acl), FALSE), STATUS_SUCCESS);
        EXPECT_EQ(RtlSetOwnerSecurityDescriptor(&m_sd, m_system, FALSE), STATUS_SUCCESS);
        if (!no_group) {
            EXPECT_EQ(RtlSetGroupSecurityDescriptor(&m_sd, m_system, FALSE), STATUS_SUCCESS);
        }
    }
    PSECURITY_DESCRIPTOR get() { return &m_sd; }

private:
    SECURITY_DESCRIPTOR m_sd{};
    alignas(4) unsigned char m_system[16] = {};
    alignas(4) unsigned char m_world[16] = {};
    alignas(4) unsigned char m_acl[128] = {};
};

class AuditAlarmTest : public ntio::test::SystemTest {
protected:
    UNICODE_STRING m_subsystem = RTL_CONSTANT_STRING(L"Test Server");
    UNICODE_STRING m_type = RTL_CONSTANT_STRING(L"Widget");
    UNICODE_STRING m_name = RTL_CONSTANT_STRING(L"\\Widgets\\One");
    GENERIC_MAPPING m_mapping = kAlarmMapping;

    NTSTATUS check(WorldDescriptor& sd, ACCESS_MASK desired, ACCESS_MASK* granted, NTSTATUS* access_status,
                   BOOLEAN* generate)
    {
        *granted = 0xdead;
        *access_status = STATUS_PENDING;
        *generate = TRUE;
        return NtAccessCheckAndAuditAlarm(&m_subsystem, this, &m_type, &m_name, sd.get(), desired, &m_mapping, FALSE,
                                          granted, access_status, generate);
    }
};

TEST_F(AuditAlarmTest, the_impersonated_client_is_checked_and_nothing_is_generated)
{
    ntio::test::SystemTokenProcess service(system(), u"server.exe");
    WorldDescriptor sd(0x1);
    ACCESS_MASK granted;
    NTSTATUS access_status;
    BOOLEAN generate;
    // Not impersonating: no client to check.
    EXPECT_EQ(check(sd, 0x1, &granted, &access_status, &generate), STATUS_NO_IMPERSONATION_TOKEN);

    ASSERT_EQ(NtImpersonateAnonymousToken(NtCurrentThread()), STATUS_SUCCESS);
    ASSERT_EQ(check(sd, 0x1, &granted, &access_status, &generate), STATUS_SUCCESS);
    EXPECT_EQ(access_status, STATUS_SUCCESS);
    EXPECT_EQ(granted, 0x1u);
    EXPECT_FALSE(generate);
    ASSERT_EQ(check(sd, 0x2, &granted, &access_status, &generate), STATUS_SUCCESS);
    EXPECT_EQ(access_status, STATUS_ACCESS_DENIED);
    EXPECT_EQ(granted, 0u);
    ASSERT_EQ(check(sd, MAXIMUM_ALLOWED, &granted, &access_status, &generate), STATUS_SUCCESS);
    EXPECT_EQ(granted, 0x1u);

    // Generic rights must be mapped first; the descriptor needs an owner and a group.
    EXPECT_EQ(check(sd, GENERIC_READ, &granted, &access_status, &generate), STATUS_GENERIC_NOT_MAPPED);
    WorldDescriptor groupless(0x1, true);
    EXPECT_EQ(check(groupless, 0x1, &granted, &access_status, &generate), STATUS_INVALID_SECURITY_DESCR);
    EXPECT_EQ(NtAccessCheckAndAuditAlarm(&m_subsystem, this, &m_type, &m_name, sd.get(), 0x1, &m_mapping, FALSE,
                                         nullptr, &access_status, &generate),
              STATUS_ACCESS_VIOLATION);
    // The Zw form runs in kernel mode: same check.
    ASSERT_EQ(ZwAccessCheckAndAuditAlarm(&m_subsystem, this, &m_type, &m_name, sd.get(), 0x2, &m_mapping, FALSE,
                                         &granted, &access_status, &generate),
              STATUS_SUCCESS);
    EXPECT_EQ(access_status, STATUS_ACCESS_DENIED);
    PsRevertToSelf();
}

TEST_F(AuditAlarmTest, a_caller_without_the_audit_privilege_is_refused)
{
    WorldDescriptor sd(0x1);
    ACCESS_MASK granted;
    NTSTATUS access_status;
    BOOLEAN generate;
    EXPECT_EQ(check(sd, 0x1, &granted, &access_status, &generate), STATUS_PRIVILEGE_NOT_HELD);
    EXPECT_EQ(NtCloseObjectAuditAlarm(&m_subsystem, this, FALSE), STATUS_PRIVILEGE_NOT_HELD);
    EXPECT_EQ(NtDeleteObjectAuditAlarm(&m_subsystem, this, FALSE), STATUS_PRIVILEGE_NOT_HELD);
    // Kernel-mode callers hold every privilege.
    EXPECT_EQ(ZwCloseObjectAuditAlarm(&m_subsystem, this, FALSE), STATUS_SUCCESS);
}

TEST_F(AuditAlarmTest, by_type_forms_answer_per_entry_and_check_their_input)
{
    ntio::test::SystemTokenProcess service(system(), u"server.exe");
    ASSERT_EQ(NtImpersonateAnonymousToken(NtCurrentThread()), STATUS_SUCCESS);
    WorldDescriptor sd(0x1);
    GUID guids[3] = {};
    OBJECT_TYPE_LIST list[3] = {{ACCESS_OBJECT_GUID, 0, &guids[0]}, {1, 0, &guids[1]}, {1, 0, &guids[2]}};
    ACCESS_MASK granted[3] = {7, 7, 7};
    NTSTATUS statuses[3] = {STATUS_PENDING, STATUS_PENDING, STATUS_PENDING};
    BOOLEAN generate = TRUE;
    ASSERT_EQ(NtAccessCheckByTypeResultListAndAuditAlarm(&m_subsystem, this, &m_type, &m_name, sd.get(), nullptr, 0x1,
                                                         AuditEventObjectAccess, 0, list, 3, &m_mapping, FALSE,
                                                         granted, statuses, &generate),
              STATUS_SUCCESS);
    for (int i = 0; i < 3; ++i) {
        EXPECT_EQ(granted[i], 0x1u);
        EXPECT_EQ(statuses[i], STATUS_SUCCESS);
    }
    EXPECT_FALSE(generate);
    ASSERT_EQ(NtAccessCheckByTypeAndAuditAlarm(&m_subsystem, this, &m_type, &m_name, sd.get(), nullptr, 0x3,
                                               AuditEventObjectAccess, 0, list, 3, &m_mapping, FALSE, granted, statuses,
                                               &generate),
              STATUS_SUCCESS);
    EXPECT_EQ(statuses[0], STATUS_ACCESS_DENIED);
    const auto bad_type = static_cast<AUDIT_EVENT_TYPE>(2);
    EXPECT_EQ(NtAccessCheckByTypeAndAuditAlarm(&m_subsystem, this, &m_type, &m_name, sd.get(), nullptr, 0x1, bad_type,
                                               0, list, 3, &m_mapping, FALSE, granted, statuses, &generate),
              STATUS_INVALID_PARAMETER);
    EXPECT_EQ(NtAccessCheckByTypeAndAuditAlarm(&m_subsystem, this, &m_type, &m_name, sd.get(), nullptr, 0x1,
                                               AuditEventObjectAccess, 0x10, list, 3, &m_mapping, FALSE, granted,
                                               statuses, &generate),
              STATUS_INVALID_PARAMETER);
    EXPECT_EQ(NtAccessCheckByTypeAndAuditAlarm(&m_subsystem, this, &m_type, &m_name, sd.get(), nullptr, 0x1,
                                               AuditEventObjectAccess, 0, list + 1, 2, &m_mapping, FALSE, granted,
                                               statuses, &generate),
              STATUS_INVALID_PARAMETER);  // the list must start with the object itself
    PsRevertToSelf();
}

TEST_F(AuditAlarmTest, by_handle_checks_the_token_it_is_given)
{
    ntio::test::SystemTokenProcess service(system(), u"server.exe");
    HANDLE primary = nullptr;
    ASSERT_EQ(NtOpenProcessToken(NtCurrentProcess(), TOKEN_QUERY | TOKEN_DUPLICATE, &primary), STATUS_SUCCESS);
    WorldDescriptor sd(0x1);
    ACCESS_MASK granted = 0;
    NTSTATUS access_status = STATUS_PENDING;
    BOOLEAN generate = TRUE;
    EXPECT_EQ(NtAccessCheckByTypeResultListAndAuditAlarmByHandle(&m_subsystem, this, primary, &m_type, &m_name,
                                                                 sd.get(), nullptr, 0x1, AuditEventObjectAccess, 0,
                                                                 nullptr, 0, &m_mapping, FALSE, &granted,
                                                                 &access_status, &generate),
              STATUS_NO_IMPERSONATION_TOKEN);
    SECURITY_QUALITY_OF_SERVICE qos{sizeof(qos), SecurityImpersonation, SECURITY_STATIC_TRACKING, FALSE};
    OBJECT_ATTRIBUTES attributes;
    InitializeObjectAttributes(&attributes, nullptr, 0, nullptr, nullptr);
    attributes.SecurityQualityOfService = &qos;
    HANDLE impersonation = nullptr;
    ASSERT_EQ(NtDuplicateToken(primary, TOKEN_QUERY, &attributes, FALSE, TokenImpersonation, &impersonation),
              STATUS_SUCCESS);
    ASSERT_EQ(NtAccessCheckByTypeResultListAndAuditAlarmByHandle(&m_subsystem, this, impersonation, &m_type, &m_name,
                                                                 sd.get(), nullptr, 0x1, AuditEventObjectAccess, 0,
                                                                 nullptr, 0, &m_mapping, FALSE, &granted,
                                                                 &access_status, &generate),
              STATUS_SUCCESS);
    EXPECT_EQ(access_status, STATUS_SUCCESS);
    EXPECT_EQ(granted, 0x1u);
    EXPECT_FALSE(generate);
    EXPECT_EQ(NtAccessCheckByTypeResultListAndAuditAlarmByHandle(&m_subsystem, this, reinterpret_cast<HANDLE>(0x7ff0),
                                                                 &m_type, &m_name, sd.get(), nullptr, 0x1,
                                                                 AuditEventObjectAccess, 0, nullptr, 0, &m_mapping,
                                                                 FALSE, &granted, &access_status, &generate),
              STATUS_INVALID_HANDLE);
    EXPECT_EQ(NtClose(impersonation), STATUS_SUCCESS);
    EXPECT_EQ(NtClose(primary), STATUS_SUCCESS);
}

TEST_F(AuditAlarmTest, open_close_and_privilege_alarms_record_nothing)
{
    ntio::test::SystemTokenProcess service(system(), u"server.exe");
    HANDLE token = nullptr;
    ASSERT_EQ(NtOpenProcessToken(NtCurrentProcess(), TOKEN_QUERY, &token), STATUS_SUCCESS);
    WorldDescriptor sd(0x1);
    BOOLEAN generate = TRUE;
    ASSERT_EQ(NtOpenObjectAuditAlarm(&m_subsystem, this, &m_type, &m_name, sd.get(), token, 0x1, 0x1, nullptr, FALSE,
                                     TRUE, &generate),
              STATUS_SUCCESS);
    EXPECT_FALSE(generate);
    EXPECT_EQ(NtOpenObjectAuditAlarm(&m_subsystem, this, &m_type, &m_name, sd.get(), reinterpret_cast<HANDLE>(0x7ff0),
                                     0x1, 0x1, nullptr, FALSE, TRUE, &generate),
              STATUS_INVALID_HANDLE);
    EXPECT_EQ(NtCloseObjectAuditAlarm(&m_subsystem, this, FALSE), STATUS_SUCCESS);
    EXPECT_EQ(NtDeleteObjectAuditAlarm(&m_subsystem, this, FALSE), STATUS_SUCCESS);
    EXPECT_EQ(NtCloseObjectAuditAlarm(nullptr, this, FALSE), STATUS_ACCESS_VIOLATION);

    struct {
        ULONG PrivilegeCount = 1;
        ULONG Control = 0;
        LUID_AND_ATTRIBUTES Privilege[1];
    } privileges;
    privileges.Privilege[0] = {SeExports->SeBackupPrivilege, SE_PRIVILEGE_USED_FOR_ACCESS};
    UNICODE_STRING service_name = RTL_CONSTANT_STRING(L"BackupService");
    EXPECT_EQ(NtPrivilegeObjectAuditAlarm(&m_subsystem, this, token, 0x1, reinterpret_cast<PPRIVILEGE_SET>(&privileges),
                                          TRUE),
              STATUS_SUCCESS);
    EXPECT_EQ(NtPrivilegedServiceAuditAlarm(&m_subsystem, &service_name, token,
                                            reinterpret_cast<PPRIVILEGE_SET>(&privileges), TRUE),
              STATUS_SUCCESS);
    EXPECT_EQ(NtPrivilegedServiceAuditAlarm(&m_subsystem, &service_name, token, nullptr, TRUE),
              STATUS_ACCESS_VIOLATION);
    EXPECT_EQ(NtClose(token), STATUS_SUCCESS);
}

}  // namespace
}  // namespace audit_alarm_test
