// The security routines a file system calls on the descriptors it keeps itself, through <ntifs.h>
// only: Rtl-allocated SIDs, SeSetSecurityDescriptorInfo / SeQuerySecurityDescriptorInfo on a
// self-relative descriptor in pool, ObIsKernelHandle, and the audit hooks (no audit policy).
// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-sesetsecuritydescriptorinfo
#include <gtest/gtest.h>

#include <ntifs.h>

#include "support/system_fixture.hpp"

namespace file_system_security_test {

class FileSystemSecurityTest : public ntio::test::SystemTest {};

constexpr GENERIC_MAPPING kFileLike{0x00120089, 0x00120116, 0x001200A0, 0x001F01FF};

TEST_F(FileSystemSecurityTest, allocated_sids_equal_the_well_known_ones_and_free_to_null) {
    SID_IDENTIFIER_AUTHORITY world = SECURITY_WORLD_SID_AUTHORITY;
    PSID sid = nullptr;
    ASSERT_EQ(RtlAllocateAndInitializeSid(&world, 1, SECURITY_WORLD_RID, 0, 0, 0, 0, 0, 0, 0, &sid), STATUS_SUCCESS);
    ASSERT_NE(sid, nullptr);
    EXPECT_TRUE(RtlValidSid(sid));
    EXPECT_EQ(RtlLengthSid(sid), RtlLengthRequiredSid(1));
    EXPECT_TRUE(RtlEqualSid(sid, SeExports->SeWorldSid));
    EXPECT_EQ(RtlFreeSid(sid), nullptr);

    SID_IDENTIFIER_AUTHORITY nt = SECURITY_NT_AUTHORITY;
    ASSERT_EQ(RtlAllocateAndInitializeSid(&nt, 2, SECURITY_BUILTIN_DOMAIN_RID, DOMAIN_ALIAS_RID_ADMINS, 0, 0, 0, 0, 0,
                                          0, &sid),
              STATUS_SUCCESS);
    EXPECT_TRUE(RtlEqualSid(sid, SeExports->SeAliasAdminsSid));
    EXPECT_EQ(*RtlSubAuthoritySid(sid, 1), ULONG{DOMAIN_ALIAS_RID_ADMINS});
    RtlFreeSid(sid);
    PSID none = reinterpret_cast<PSID>(0x1);
    EXPECT_EQ(RtlAllocateAndInitializeSid(&nt, 9, 0, 0, 0, 0, 0, 0, 0, 0, &none), STATUS_INVALID_SID);
}

// A file's descriptor as a file system keeps it: self-relative, in pool.
PSECURITY_DESCRIPTOR file_descriptor(PACL dacl) {
    SECURITY_DESCRIPTOR absolute;
    EXPECT_EQ(RtlCreateSecurityDescriptor(&absolute, SECURITY_DESCRIPTOR_REVISION), STATUS_SUCCESS);
    EXPECT_EQ(RtlSetOwnerSecurityDescriptor(&absolute, SeExports->SeAliasAdminsSid, FALSE), STATUS_SUCCESS);
    EXPECT_EQ(RtlSetGroupSecurityDescriptor(&absolute, SeExports->SeLocalSystemSid, FALSE), STATUS_SUCCESS);
    EXPECT_EQ(RtlSetDaclSecurityDescriptor(&absolute, TRUE, dacl, FALSE), STATUS_SUCCESS);
    ULONG length = 0;
    EXPECT_EQ(RtlAbsoluteToSelfRelativeSD(&absolute, nullptr, &length), STATUS_BUFFER_TOO_SMALL);
    PSECURITY_DESCRIPTOR relative = ExAllocatePoolWithTag(PagedPool, length, 'tsFS');
    EXPECT_EQ(RtlAbsoluteToSelfRelativeSD(&absolute, relative, &length), STATUS_SUCCESS);
    return relative;
}

TEST_F(FileSystemSecurityTest, set_replaces_the_named_parts_and_query_returns_them) {
    alignas(4) UCHAR acl_bytes[64];
    PACL dacl = reinterpret_cast<PACL>(acl_bytes);
    ASSERT_EQ(RtlCreateAcl(dacl, sizeof(acl_bytes), ACL_REVISION), STATUS_SUCCESS);
    ASSERT_EQ(RtlAddAccessAllowedAce(dacl, ACL_REVISION, FILE_GENERIC_READ, SeExports->SeWorldSid), STATUS_SUCCESS);
    PSECURITY_DESCRIPTOR object = file_descriptor(dacl);

    // New owner only: the DACL and group stay.
    SECURITY_DESCRIPTOR change;
    ASSERT_EQ(RtlCreateSecurityDescriptor(&change, SECURITY_DESCRIPTOR_REVISION), STATUS_SUCCESS);
    ASSERT_EQ(RtlSetOwnerSecurityDescriptor(&change, SeExports->SeLocalSystemSid, FALSE), STATUS_SUCCESS);
    SECURITY_INFORMATION information = OWNER_SECURITY_INFORMATION;
    PSECURITY_DESCRIPTOR old = object;
    ASSERT_EQ(SeSetSecurityDescriptorInfo(nullptr, &information, &change, &object, PagedPool,
                                          const_cast<PGENERIC_MAPPING>(&kFileLike)),
              STATUS_SUCCESS);
    ASSERT_NE(object, old);
    ExFreePool(old);  // the old descriptor stays the caller's

    information = OWNER_SECURITY_INFORMATION | DACL_SECURITY_INFORMATION;
    ULONG length = 8;
    alignas(4) UCHAR out[256];
    ASSERT_EQ(SeQuerySecurityDescriptorInfo(&information, out, &length, &object), STATUS_BUFFER_TOO_SMALL);
    ASSERT_GT(length, 8u);
    ASSERT_LE(length, sizeof(out));
    ASSERT_EQ(SeQuerySecurityDescriptorInfo(&information, out, &length, &object), STATUS_SUCCESS);
    EXPECT_TRUE(RtlValidRelativeSecurityDescriptor(out, length, 0));
    PSID owner = nullptr;
    PSID group = reinterpret_cast<PSID>(0x1);
    BOOLEAN defaulted = FALSE, present = FALSE;
    PACL got = nullptr;
    ASSERT_EQ(RtlGetOwnerSecurityDescriptor(out, &owner, &defaulted), STATUS_SUCCESS);
    EXPECT_TRUE(RtlEqualSid(owner, SeExports->SeLocalSystemSid));
    ASSERT_EQ(RtlGetGroupSecurityDescriptor(out, &group, &defaulted), STATUS_SUCCESS);
    EXPECT_EQ(group, nullptr);  // not asked for
    ASSERT_EQ(RtlGetDaclSecurityDescriptor(out, &present, &got, &defaulted), STATUS_SUCCESS);
    ASSERT_TRUE(present);
    ASSERT_NE(got, nullptr);
    EXPECT_EQ(got->AceCount, 1u);

    // A new DACL with a generic right: mapped through the file-like mapping.
    ASSERT_EQ(RtlCreateAcl(dacl, sizeof(acl_bytes), ACL_REVISION), STATUS_SUCCESS);
    ASSERT_EQ(RtlAddAccessAllowedAce(dacl, ACL_REVISION, GENERIC_ALL, SeExports->SeWorldSid), STATUS_SUCCESS);
    ASSERT_EQ(RtlCreateSecurityDescriptor(&change, SECURITY_DESCRIPTOR_REVISION), STATUS_SUCCESS);
    ASSERT_EQ(RtlSetDaclSecurityDescriptor(&change, TRUE, dacl, FALSE), STATUS_SUCCESS);
    information = DACL_SECURITY_INFORMATION;
    old = object;
    ASSERT_EQ(SeSetSecurityDescriptorInfoEx(nullptr, &information, &change, &object, 0, PagedPool,
                                            const_cast<PGENERIC_MAPPING>(&kFileLike)),
              STATUS_SUCCESS);
    ExFreePool(old);
    length = sizeof(out);
    ASSERT_EQ(SeQuerySecurityDescriptorInfo(&information, out, &length, &object), STATUS_SUCCESS);
    ASSERT_EQ(RtlGetDaclSecurityDescriptor(out, &present, &got, &defaulted), STATUS_SUCCESS);
    PVOID ace = nullptr;
    ASSERT_EQ(RtlGetAce(got, 0, &ace), STATUS_SUCCESS);
    EXPECT_EQ(static_cast<PACCESS_ALLOWED_ACE>(ace)->Mask, kFileLike.GenericAll);
    ExFreePool(object);
}

TEST_F(FileSystemSecurityTest, set_without_a_descriptor_or_with_a_missing_owner_fails) {
    SECURITY_DESCRIPTOR change;
    ASSERT_EQ(RtlCreateSecurityDescriptor(&change, SECURITY_DESCRIPTOR_REVISION), STATUS_SUCCESS);
    SECURITY_INFORMATION information = OWNER_SECURITY_INFORMATION;
    PSECURITY_DESCRIPTOR none = nullptr;
    EXPECT_EQ(SeSetSecurityDescriptorInfo(nullptr, &information, &change, &none, PagedPool,
                                          const_cast<PGENERIC_MAPPING>(&kFileLike)),
              STATUS_NO_SECURITY_ON_OBJECT);
    PSECURITY_DESCRIPTOR object = file_descriptor(nullptr);
    PSECURITY_DESCRIPTOR before = object;
    EXPECT_EQ(SeSetSecurityDescriptorInfo(nullptr, &information, &change, &object, PagedPool,
                                          const_cast<PGENERIC_MAPPING>(&kFileLike)),
              STATUS_INVALID_OWNER);
    EXPECT_EQ(object, before);
    ExFreePool(object);
}

TEST_F(FileSystemSecurityTest, nothing_is_audited) {
    PSECURITY_DESCRIPTOR object = file_descriptor(nullptr);
    EXPECT_FALSE(SeAuditingFileEvents(TRUE, object));
    EXPECT_FALSE(SeAuditingFileEvents(FALSE, object));
    EXPECT_FALSE(SeAuditingHardLinkEvents(TRUE, object));
    SECURITY_SUBJECT_CONTEXT subject;
    SeCaptureSubjectContext(&subject);
    EXPECT_FALSE(SeAuditingFileOrGlobalEvents(TRUE, object, &subject));
    SeReleaseSubjectContext(&subject);
    UNICODE_STRING type = RTL_CONSTANT_STRING(L"File");
    BOOLEAN generate = TRUE;
    SeOpenObjectAuditAlarm(&type, nullptr, nullptr, object, nullptr, FALSE, TRUE, KernelMode, &generate);
    EXPECT_FALSE(generate);
    generate = TRUE;
    SeOpenObjectForDeleteAuditAlarm(&type, nullptr, nullptr, object, nullptr, FALSE, TRUE, KernelMode, &generate);
    EXPECT_FALSE(generate);
    SeDeleteObjectAuditAlarm(object, nullptr);

    // The subject-context and transaction forms answer the same.
    SeCaptureSubjectContext(&subject);
    EXPECT_FALSE(SeAuditingFileEventsWithContext(TRUE, object, &subject));
    EXPECT_FALSE(SeAuditingFileEventsWithContext(FALSE, object, nullptr));
    EXPECT_FALSE(SeAuditingHardLinkEventsWithContext(TRUE, object, &subject));
    EXPECT_FALSE(SeAuditingAnyFileEventsWithContext(object, &subject));
    SeReleaseSubjectContext(&subject);
    GUID transaction = {0x5eed, 1, 2, {3, 4, 5, 6, 7, 8, 9, 10}};
    generate = TRUE;
    SeOpenObjectAuditAlarmWithTransaction(&type, nullptr, nullptr, object, nullptr, FALSE, TRUE, KernelMode, &transaction,
                                          &generate);
    EXPECT_FALSE(generate);
    generate = TRUE;
    SeOpenObjectForDeleteAuditAlarmWithTransaction(&type, nullptr, nullptr, object, nullptr, FALSE, TRUE, KernelMode,
                                                   nullptr, &generate);
    EXPECT_FALSE(generate);
    SeDeleteObjectAuditAlarmWithTransaction(object, nullptr, &transaction);
    UNICODE_STRING file = RTL_CONSTANT_STRING(L"\\??\\C:\\a.txt");
    UNICODE_STRING link = RTL_CONSTANT_STRING(L"\\??\\C:\\b.txt");
    SeAuditHardLinkCreation(&file, &link, TRUE);
    SeAuditHardLinkCreationWithTransaction(&file, &link, FALSE, &transaction);
    SeAuditTransactionStateChange(&transaction, &transaction, 1);
    ExFreePool(object);
}

struct HandleCheck {
    HANDLE handle;
    BOOLEAN kernel;
};

VOID NTAPI check_on_system_thread(PVOID context) {
    auto* check = static_cast<HandleCheck*>(context);
    check->kernel = ObIsKernelHandle(check->handle);
    PsTerminateSystemThread(STATUS_SUCCESS);
}

// A kernel-table handle is a kernel handle to kernel-mode code (a system thread's previous mode);
// to code running for a user-mode caller it is not one it could use.
TEST_F(FileSystemSecurityTest, only_kernel_table_handles_seen_from_kernel_mode_are_kernel_handles) {
    OBJECT_ATTRIBUTES attributes;
    InitializeObjectAttributes(&attributes, nullptr, OBJ_KERNEL_HANDLE, nullptr, nullptr);
    HANDLE event = nullptr;
    ASSERT_EQ(ZwCreateEvent(&event, EVENT_ALL_ACCESS, &attributes, NotificationEvent, FALSE), STATUS_SUCCESS);
    HandleCheck check{event, FALSE};
    HANDLE thread = nullptr;
    ASSERT_EQ(PsCreateSystemThread(&thread, THREAD_ALL_ACCESS, nullptr, nullptr, nullptr, check_on_system_thread, &check),
              STATUS_SUCCESS);
    ASSERT_EQ(ZwWaitForSingleObject(thread, FALSE, nullptr), STATUS_SUCCESS);
    EXPECT_EQ(ZwClose(thread), STATUS_SUCCESS);
    EXPECT_TRUE(check.kernel);
    check = HandleCheck{NtCurrentProcess(), TRUE};
    ASSERT_EQ(PsCreateSystemThread(&thread, THREAD_ALL_ACCESS, nullptr, nullptr, nullptr, check_on_system_thread, &check),
              STATUS_SUCCESS);
    ASSERT_EQ(ZwWaitForSingleObject(thread, FALSE, nullptr), STATUS_SUCCESS);
    EXPECT_EQ(ZwClose(thread), STATUS_SUCCESS);
    EXPECT_FALSE(check.kernel);  // a pseudo handle is not
    if (ExGetPreviousMode() == UserMode) {
        EXPECT_FALSE(ObIsKernelHandle(event));
    }
    EXPECT_EQ(ZwClose(event), STATUS_SUCCESS);
    EXPECT_FALSE(ObIsKernelHandle(nullptr));
}

}  // namespace file_system_security_test
