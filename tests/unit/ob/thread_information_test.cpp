// NtSetInformationThread / ZwSetInformationThread (priorities, impersonation token, hiding from the
// debugger), PsAssignImpersonationToken, PsLookupProcessThreadByCid, SeLocateProcessImageName and
// the <ntifs.h> object helpers ObOpenObjectByPointerWithTag, ObGetObjectPointerCount and
// ObQueryObjectAuditingByHandle, through the DDK and Nt surfaces.
#include <gtest/gtest.h>

#include <cstdint>

#include <ntifs.h>
#include <ntio/ntapi.h>

#include "support/system_fixture.hpp"

namespace thread_information_test {
namespace {

class ThreadInformationTest : public ntio::test::SystemTest {
protected:
    void SetUp() override
    {
        SystemTest::SetUp();
        m_saved = KeQueryPriorityThread(KeGetCurrentThread());
    }
    void TearDown() override
    {
        KeSetBasePriorityThread(KeGetCurrentThread(), 0);
        KeSetPriorityThread(KeGetCurrentThread(), m_saved);
        PsRevertToSelf();
        SystemTest::TearDown();
    }
    // A handle to the calling thread with only `access`.
    static HANDLE own_thread(ACCESS_MASK access)
    {
        CLIENT_ID cid{PsGetCurrentProcessId(), PsGetCurrentThreadId()};
        OBJECT_ATTRIBUTES attributes;
        InitializeObjectAttributes(&attributes, nullptr, 0, nullptr, nullptr);
        HANDLE thread = nullptr;
        EXPECT_EQ(NtOpenThread(&thread, access, &attributes, &cid), STATUS_SUCCESS);
        return thread;
    }
    // An impersonation token of the caller's own identity, at SecurityImpersonation.
    static HANDLE impersonation_token(ACCESS_MASK access)
    {
        HANDLE primary = nullptr;
        EXPECT_EQ(NtOpenProcessToken(NtCurrentProcess(), TOKEN_DUPLICATE, &primary), STATUS_SUCCESS);
        SECURITY_QUALITY_OF_SERVICE qos{sizeof(qos), SecurityImpersonation, SECURITY_STATIC_TRACKING, FALSE};
        OBJECT_ATTRIBUTES attributes;
        InitializeObjectAttributes(&attributes, nullptr, 0, nullptr, nullptr);
        attributes.SecurityQualityOfService = &qos;
        HANDLE token = nullptr;
        EXPECT_EQ(NtDuplicateToken(primary, access, &attributes, FALSE, TokenImpersonation, &token), STATUS_SUCCESS);
        EXPECT_EQ(NtClose(primary), STATUS_SUCCESS);
        return token;
    }
    KPRIORITY m_saved = 0;
};

TEST_F(ThreadInformationTest, priorities_are_recorded)
{
    KPRIORITY priority = 12;
    ASSERT_EQ(NtSetInformationThread(NtCurrentThread(), ThreadPriority, &priority, sizeof(priority)), STATUS_SUCCESS);
    EXPECT_EQ(KeQueryPriorityThread(KeGetCurrentThread()), 12);
    LONG increment = 2;
    ASSERT_EQ(NtSetInformationThread(NtCurrentThread(), ThreadBasePriority, &increment, sizeof(increment)),
              STATUS_SUCCESS);
    EXPECT_EQ(KeQueryPriorityThread(KeGetCurrentThread()), 10);
    increment = -15;  // THREAD_BASE_PRIORITY_IDLE saturates to the lowest
    ASSERT_EQ(NtSetInformationThread(NtCurrentThread(), ThreadBasePriority, &increment, sizeof(increment)),
              STATUS_SUCCESS);
    EXPECT_EQ(KeQueryPriorityThread(KeGetCurrentThread()), 1);

    // A real-time priority needs SeIncreaseBasePriorityPrivilege from user mode, not from a driver.
    priority = LOW_REALTIME_PRIORITY;
    EXPECT_EQ(NtSetInformationThread(NtCurrentThread(), ThreadPriority, &priority, sizeof(priority)),
              STATUS_PRIVILEGE_NOT_HELD);
    ASSERT_EQ(ZwSetInformationThread(ZwCurrentThread(), ThreadPriority, &priority, sizeof(priority)), STATUS_SUCCESS);
    EXPECT_EQ(KeQueryPriorityThread(KeGetCurrentThread()), LOW_REALTIME_PRIORITY);
}

TEST_F(ThreadInformationTest, bad_values_lengths_and_classes)
{
    KPRIORITY priority = 0;
    EXPECT_EQ(NtSetInformationThread(NtCurrentThread(), ThreadPriority, &priority, sizeof(priority)),
              STATUS_INVALID_PARAMETER);
    priority = HIGH_PRIORITY + 1;
    EXPECT_EQ(ZwSetInformationThread(ZwCurrentThread(), ThreadPriority, &priority, sizeof(priority)),
              STATUS_INVALID_PARAMETER);
    priority = 9;
    EXPECT_EQ(NtSetInformationThread(NtCurrentThread(), ThreadPriority, &priority, sizeof(priority) + 4),
              STATUS_INFO_LENGTH_MISMATCH);
    LONG increment = 3;
    EXPECT_EQ(NtSetInformationThread(NtCurrentThread(), ThreadBasePriority, &increment, sizeof(increment)),
              STATUS_INVALID_PARAMETER);
    EXPECT_EQ(NtSetInformationThread(NtCurrentThread(), ThreadBasePriority, &increment, 2),
              STATUS_INFO_LENGTH_MISMATCH);
    EXPECT_EQ(NtSetInformationThread(NtCurrentThread(), ThreadPriority, reinterpret_cast<PVOID>(std::uintptr_t{0x10}),
                                     sizeof(KPRIORITY)),
              STATUS_ACCESS_VIOLATION);
    EXPECT_EQ(NtSetInformationThread(NtCurrentThread(), ThreadHideFromDebugger, &increment, sizeof(increment)),
              STATUS_INFO_LENGTH_MISMATCH);
    EXPECT_EQ(NtSetInformationThread(NtCurrentThread(), ThreadHideFromDebugger, nullptr, 0), STATUS_SUCCESS);
    // A query-only class, and one past the enumeration.
    EXPECT_EQ(NtSetInformationThread(NtCurrentThread(), ThreadBasicInformation, &increment, sizeof(increment)),
              STATUS_INVALID_INFO_CLASS);
    EXPECT_EQ(NtSetInformationThread(NtCurrentThread(), static_cast<THREADINFOCLASS>(4000), &increment,
                                     sizeof(increment)),
              STATUS_INVALID_INFO_CLASS);
    EXPECT_EQ(NtSetInformationThread(reinterpret_cast<HANDLE>(0x7ff0), ThreadHideFromDebugger, nullptr, 0),
              STATUS_INVALID_HANDLE);
    HANDLE event = nullptr;
    ASSERT_EQ(NtCreateEvent(&event, EVENT_ALL_ACCESS, nullptr, NotificationEvent, FALSE), STATUS_SUCCESS);
    EXPECT_EQ(NtSetInformationThread(event, ThreadHideFromDebugger, nullptr, 0), STATUS_OBJECT_TYPE_MISMATCH);
    EXPECT_EQ(NtClose(event), STATUS_SUCCESS);
}

TEST_F(ThreadInformationTest, access_rights_per_class)
{
    HANDLE limited = own_thread(THREAD_SET_LIMITED_INFORMATION);
    LONG increment = 1;
    EXPECT_EQ(NtSetInformationThread(limited, ThreadBasePriority, &increment, sizeof(increment)), STATUS_SUCCESS);
    KPRIORITY priority = 9;
    EXPECT_EQ(NtSetInformationThread(limited, ThreadPriority, &priority, sizeof(priority)), STATUS_ACCESS_DENIED);
    EXPECT_EQ(NtSetInformationThread(limited, ThreadHideFromDebugger, nullptr, 0), STATUS_ACCESS_DENIED);
    ULONG disable_boost = 1;
    EXPECT_EQ(NtSetInformationThread(limited, ThreadPriorityBoost, &disable_boost, sizeof(disable_boost)),
              STATUS_SUCCESS);
    EXPECT_EQ(NtSetInformationThread(limited, ThreadPriorityBoost, &disable_boost, sizeof(disable_boost) + 1),
              STATUS_INFO_LENGTH_MISMATCH);
    HANDLE none = nullptr;
    EXPECT_EQ(NtSetInformationThread(limited, ThreadImpersonationToken, &none, sizeof(none)), STATUS_ACCESS_DENIED);
    EXPECT_EQ(NtClose(limited), STATUS_SUCCESS);

    HANDLE query = own_thread(THREAD_QUERY_LIMITED_INFORMATION);
    EXPECT_EQ(NtSetInformationThread(query, ThreadBasePriority, &increment, sizeof(increment)), STATUS_ACCESS_DENIED);
    EXPECT_EQ(NtClose(query), STATUS_SUCCESS);
}

TEST_F(ThreadInformationTest, impersonation_token_by_handle)
{
    HANDLE token = impersonation_token(TOKEN_IMPERSONATE | TOKEN_QUERY);
    ASSERT_EQ(NtSetInformationThread(NtCurrentThread(), ThreadImpersonationToken, &token, sizeof(token)),
              STATUS_SUCCESS);
    BOOLEAN copy = FALSE, effective = FALSE;
    SECURITY_IMPERSONATION_LEVEL level{};
    PACCESS_TOKEN client = PsReferenceImpersonationToken(PsGetCurrentThread(), &copy, &effective, &level);
    ASSERT_NE(client, nullptr);
    EXPECT_EQ(level, SecurityImpersonation);
    EXPECT_EQ(SeTokenType(client), TokenImpersonation);
    PsDereferenceImpersonationToken(client);
    HANDLE thread_token = nullptr;
    ASSERT_EQ(NtOpenThreadToken(NtCurrentThread(), TOKEN_QUERY, TRUE, &thread_token), STATUS_SUCCESS);
    EXPECT_EQ(NtClose(thread_token), STATUS_SUCCESS);

    // NULL stops the impersonation.
    HANDLE none = nullptr;
    ASSERT_EQ(NtSetInformationThread(NtCurrentThread(), ThreadImpersonationToken, &none, sizeof(none)),
              STATUS_SUCCESS);
    EXPECT_EQ(NtOpenThreadToken(NtCurrentThread(), TOKEN_QUERY, TRUE, &thread_token), STATUS_NO_TOKEN);
    EXPECT_EQ(NtClose(token), STATUS_SUCCESS);

    // The token handle needs TOKEN_IMPERSONATE, and a primary token is the wrong type.
    HANDLE query_only = impersonation_token(TOKEN_QUERY);
    EXPECT_EQ(NtSetInformationThread(NtCurrentThread(), ThreadImpersonationToken, &query_only, sizeof(query_only)),
              STATUS_ACCESS_DENIED);
    EXPECT_EQ(NtClose(query_only), STATUS_SUCCESS);
    HANDLE primary = nullptr;
    ASSERT_EQ(NtOpenProcessToken(NtCurrentProcess(), TOKEN_IMPERSONATE, &primary), STATUS_SUCCESS);
    EXPECT_EQ(NtSetInformationThread(NtCurrentThread(), ThreadImpersonationToken, &primary, sizeof(primary)),
              STATUS_BAD_TOKEN_TYPE);
    EXPECT_EQ(PsAssignImpersonationToken(PsGetCurrentThread(), primary), STATUS_BAD_TOKEN_TYPE);
    EXPECT_EQ(NtClose(primary), STATUS_SUCCESS);
    EXPECT_EQ(NtSetInformationThread(NtCurrentThread(), ThreadImpersonationToken, &none, 4),
              STATUS_INFO_LENGTH_MISMATCH);
}

TEST_F(ThreadInformationTest, assign_impersonation_token_from_a_driver)
{
    HANDLE user_token = impersonation_token(TOKEN_IMPERSONATE);
    // A kernel caller with a kernel handle.
    PVOID object = nullptr;
    ASSERT_EQ(ObReferenceObjectByHandle(user_token, TOKEN_IMPERSONATE, *SeTokenObjectType, UserMode, &object, nullptr),
              STATUS_SUCCESS);
    HANDLE kernel = nullptr;
    ASSERT_EQ(ObOpenObjectByPointerWithTag(object, OBJ_KERNEL_HANDLE, nullptr, TOKEN_IMPERSONATE, *SeTokenObjectType,
                                           KernelMode, 'tseT', &kernel),
              STATUS_SUCCESS);
    ObDereferenceObject(object);
    // PsAssignImpersonationToken checks the handle in the caller's previous mode: user mode here, so
    // the kernel handle is invalid; through a Zw call it is fine.
    EXPECT_EQ(PsAssignImpersonationToken(PsGetCurrentThread(), kernel), STATUS_INVALID_HANDLE);
    ASSERT_EQ(ZwSetInformationThread(ZwCurrentThread(), ThreadImpersonationToken, &kernel, sizeof(kernel)),
              STATUS_SUCCESS);
    PACCESS_TOKEN assigned = PsReferenceImpersonationToken(PsGetCurrentThread(), nullptr, nullptr, nullptr);
    ASSERT_NE(assigned, nullptr);
    EXPECT_EQ(SeTokenType(assigned), TokenImpersonation);
    PsDereferenceImpersonationToken(assigned);
    EXPECT_EQ(PsAssignImpersonationToken(PsGetCurrentThread(), nullptr), STATUS_SUCCESS);
    EXPECT_EQ(PsReferenceImpersonationToken(PsGetCurrentThread(), nullptr, nullptr, nullptr), nullptr);
    EXPECT_EQ(PsAssignImpersonationToken(nullptr, nullptr), STATUS_INVALID_PARAMETER);
    EXPECT_EQ(ZwClose(kernel), STATUS_SUCCESS);
    EXPECT_EQ(NtClose(user_token), STATUS_SUCCESS);
}

TEST_F(ThreadInformationTest, lookup_process_and_thread_by_cid)
{
    CLIENT_ID cid{PsGetCurrentProcessId(), PsGetCurrentThreadId()};
    PEPROCESS process = nullptr;
    PETHREAD thread = nullptr;
    ASSERT_EQ(PsLookupProcessThreadByCid(&cid, &process, &thread), STATUS_SUCCESS);
    EXPECT_EQ(thread, PsGetCurrentThread());
    EXPECT_EQ(process, PsGetCurrentProcess());
    ObDereferenceObject(process);
    ObDereferenceObject(thread);
    thread = nullptr;
    ASSERT_EQ(PsLookupProcessThreadByCid(&cid, nullptr, &thread), STATUS_SUCCESS);
    ObDereferenceObject(thread);

    // The thread must be that process's: the System process (id 4) is not this thread's.
    CLIENT_ID wrong{reinterpret_cast<HANDLE>(4), PsGetCurrentThreadId()};
    EXPECT_EQ(PsLookupProcessThreadByCid(&wrong, &process, &thread), STATUS_INVALID_CID);
    EXPECT_EQ(thread, nullptr);
    EXPECT_EQ(process, nullptr);
    CLIENT_ID missing{PsGetCurrentProcessId(), reinterpret_cast<HANDLE>(0x7ffffff0)};
    EXPECT_EQ(PsLookupProcessThreadByCid(&missing, &process, &thread), STATUS_INVALID_CID);
    CLIENT_ID no_thread{PsGetCurrentProcessId(), nullptr};
    EXPECT_EQ(PsLookupProcessThreadByCid(&no_thread, &process, &thread), STATUS_INVALID_CID);
    EXPECT_EQ(PsLookupProcessThreadByCid(nullptr, &process, &thread), STATUS_INVALID_PARAMETER);
    EXPECT_EQ(PsLookupProcessThreadByCid(&cid, &process, nullptr), STATUS_INVALID_PARAMETER);
}

TEST_F(ThreadInformationTest, process_image_name)
{
    PUNICODE_STRING name = nullptr;
    ASSERT_EQ(SeLocateProcessImageName(PsGetCurrentProcess(), &name), STATUS_SUCCESS);
    ASSERT_NE(name, nullptr);
    EXPECT_GT(name->Length, 0u);
    EXPECT_EQ(name->MaximumLength, name->Length + sizeof(WCHAR));
    EXPECT_EQ(name->Buffer[name->Length / sizeof(WCHAR)], 0);
    ExFreePool(name);
    EXPECT_EQ(SeLocateProcessImageName(nullptr, &name), STATUS_INVALID_PARAMETER);
    EXPECT_EQ(SeLocateProcessImageName(PsGetCurrentProcess(), nullptr), STATUS_INVALID_PARAMETER);
}

TEST_F(ThreadInformationTest, object_helpers)
{
    HANDLE event = nullptr;
    ASSERT_EQ(ZwCreateEvent(&event, EVENT_ALL_ACCESS, nullptr, NotificationEvent, FALSE), STATUS_SUCCESS);
    PVOID object = nullptr;
    ASSERT_EQ(ObReferenceObjectByHandle(event, 0, *ExEventObjectType, KernelMode, &object, nullptr), STATUS_SUCCESS);
    const ULONG before = ObGetObjectPointerCount(object);
    EXPECT_GE(before, 1u);
    ObReferenceObject(object);
    EXPECT_EQ(ObGetObjectPointerCount(object), before + 1);
    ObDereferenceObject(object);
    EXPECT_EQ(ObGetObjectPointerCount(object), before);
    EXPECT_EQ(ObGetObjectPointerCount(nullptr), 0u);

    // WithTag opens like ObOpenObjectByPointer: type and access are checked.
    HANDLE second = nullptr;
    ASSERT_EQ(ObOpenObjectByPointerWithTag(object, 0, nullptr, SYNCHRONIZE, *ExEventObjectType, KernelMode, 'tseT',
                                           &second),
              STATUS_SUCCESS);
    EXPECT_NE(second, event);
    EXPECT_EQ(ZwClose(second), STATUS_SUCCESS);
    EXPECT_EQ(ObOpenObjectByPointerWithTag(object, 0, nullptr, SYNCHRONIZE, *PsThreadType, KernelMode, 'tseT',
                                           &second),
              STATUS_OBJECT_TYPE_MISMATCH);

    BOOLEAN audit = TRUE;
    EXPECT_EQ(ObQueryObjectAuditingByHandle(event, &audit), STATUS_SUCCESS);
    EXPECT_EQ(audit, FALSE);
    EXPECT_EQ(ObQueryObjectAuditingByHandle(reinterpret_cast<HANDLE>(0x7ff0), &audit), STATUS_INVALID_HANDLE);
    EXPECT_EQ(ObQueryObjectAuditingByHandle(event, nullptr), STATUS_INVALID_PARAMETER);
    ObDereferenceObject(object);
    EXPECT_EQ(ZwClose(event), STATUS_SUCCESS);
}

}  // namespace
}  // namespace thread_information_test
