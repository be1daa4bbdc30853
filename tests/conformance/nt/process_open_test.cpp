// NtOpenProcess / NtOpenThread and their Zw forms: a handle to the process or thread a CLIENT_ID
// names, with the access asked for kept in the handle; a name, a missing client id or one that
// names nothing fail with the statuses Learn lists.
// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nf-ntddk-ntopenprocess
// https://learn.microsoft.com/windows/win32/devnotes/ntopenthread
#include "nt_test_support.hpp"

#include <ntifs.h>

namespace ntio::test {
namespace process_open {

OBJECT_ATTRIBUTES unnamed(ULONG attributes = 0) {
    OBJECT_ATTRIBUTES oa;
    InitializeObjectAttributes(&oa, nullptr, attributes, nullptr, nullptr);
    return oa;
}

TEST_F(NtTest, open_process_by_process_id_keeps_the_access_asked_for) {
    OBJECT_ATTRIBUTES oa = unnamed();
    CLIENT_ID cid{PsGetCurrentProcessId(), nullptr};
    Handle process;
    ASSERT_EQ(NtOpenProcess(process.out(), PROCESS_QUERY_LIMITED_INFORMATION, &oa, &cid), STATUS_SUCCESS);
    PROCESS_BASIC_INFORMATION basic{};
    ASSERT_EQ(NtQueryInformationProcess(process.get(), ProcessBasicInformation, &basic, sizeof basic, nullptr),
              STATUS_SUCCESS);
    EXPECT_EQ(basic.UniqueProcessId, reinterpret_cast<ULONG_PTR>(PsGetCurrentProcessId()));
    QUOTA_LIMITS limits{};
    EXPECT_EQ(NtSetInformationProcess(process.get(), ProcessQuotaLimits, &limits, sizeof limits),
              STATUS_ACCESS_DENIED) << "PROCESS_SET_QUOTA was not asked for";
}

TEST_F(NtTest, open_process_by_thread_id_opens_that_threads_process) {
    OBJECT_ATTRIBUTES oa = unnamed(OBJ_KERNEL_HANDLE);
    CLIENT_ID cid{nullptr, PsGetCurrentThreadId()};
    HANDLE handle = nullptr;
    ASSERT_EQ(ZwOpenProcess(&handle, PROCESS_ALL_ACCESS, &oa, &cid), STATUS_SUCCESS);
    Handle owner(handle, true);
    PVOID object = nullptr;
    ASSERT_EQ(ObReferenceObjectByHandle(handle, 0, *PsProcessType, KernelMode, &object, nullptr), STATUS_SUCCESS);
    EXPECT_EQ(object, PsGetCurrentProcess());
    ObDereferenceObject(object);
    // Both ids, agreeing.
    cid.UniqueProcess = PsGetCurrentProcessId();
    HANDLE again = nullptr;
    ASSERT_EQ(ZwOpenProcess(&again, SYNCHRONIZE, &oa, &cid), STATUS_SUCCESS);
    Handle again_owner(again, true);
}

TEST_F(NtTest, open_process_bad_input) {
    OBJECT_ATTRIBUTES oa = unnamed();
    HANDLE handle = reinterpret_cast<HANDLE>(1);
    EXPECT_EQ(NtOpenProcess(&handle, PROCESS_QUERY_INFORMATION, &oa, nullptr), STATUS_INVALID_PARAMETER_MIX);
    CLIENT_ID cid{PsGetCurrentProcessId(), nullptr};
    ObjectName named(L"\\BaseNamedObjects\\ntio-process");
    EXPECT_EQ(NtOpenProcess(&handle, PROCESS_QUERY_INFORMATION, named.get(), &cid), STATUS_INVALID_PARAMETER_MIX);
    EXPECT_EQ(NtOpenProcess(&handle, PROCESS_QUERY_INFORMATION, nullptr, &cid), STATUS_INVALID_PARAMETER);
    EXPECT_EQ(NtOpenProcess(&handle, 0x00400000, &oa, &cid), STATUS_INVALID_PARAMETER);
    CLIENT_ID nobody{reinterpret_cast<HANDLE>(0x7ffffff0), nullptr};
    EXPECT_EQ(NtOpenProcess(&handle, PROCESS_QUERY_INFORMATION, &oa, &nobody), STATUS_INVALID_CID);
    CLIENT_ID empty{nullptr, nullptr};
    EXPECT_EQ(NtOpenProcess(&handle, PROCESS_QUERY_INFORMATION, &oa, &empty), STATUS_INVALID_CID);
    // The thread is not one of the system process's.
    CLIENT_ID mismatch{reinterpret_cast<HANDLE>(4), PsGetCurrentThreadId()};
    EXPECT_EQ(NtOpenProcess(&handle, PROCESS_QUERY_INFORMATION, &oa, &mismatch), STATUS_INVALID_CID);
    EXPECT_EQ(handle, reinterpret_cast<HANDLE>(1)) << "no handle written on failure";
}

TEST_F(NtTest, open_thread_by_thread_id) {
    OBJECT_ATTRIBUTES oa = unnamed(OBJ_KERNEL_HANDLE);
    CLIENT_ID cid{PsGetCurrentProcessId(), PsGetCurrentThreadId()};
    HANDLE handle = nullptr;
    ASSERT_EQ(ZwOpenThread(&handle, THREAD_QUERY_LIMITED_INFORMATION, &oa, &cid), STATUS_SUCCESS);
    Handle owner(handle, true);
    PVOID object = nullptr;
    ASSERT_EQ(ObReferenceObjectByHandle(handle, 0, *PsThreadType, KernelMode, &object, nullptr), STATUS_SUCCESS);
    EXPECT_EQ(object, PsGetCurrentThread());
    ObDereferenceObject(object);
    OBJECT_ATTRIBUTES user_oa = unnamed();
    Handle user;
    ASSERT_EQ(NtOpenThread(user.out(), THREAD_QUERY_LIMITED_INFORMATION, &user_oa, &cid), STATUS_SUCCESS);
    EXPECT_EQ(ObReferenceObjectByHandle(user.get(), THREAD_ALL_ACCESS, *PsThreadType, UserMode, &object, nullptr),
              STATUS_ACCESS_DENIED) << "only the access asked for";
}

TEST_F(NtTest, open_thread_bad_input) {
    OBJECT_ATTRIBUTES oa = unnamed();
    HANDLE handle = reinterpret_cast<HANDLE>(1);
    EXPECT_EQ(NtOpenThread(&handle, SYNCHRONIZE, &oa, nullptr), STATUS_INVALID_PARAMETER_MIX);
    CLIENT_ID process_only{PsGetCurrentProcessId(), nullptr};
    EXPECT_EQ(NtOpenThread(&handle, SYNCHRONIZE, &oa, &process_only), STATUS_INVALID_CID);
    CLIENT_ID nobody{nullptr, reinterpret_cast<HANDLE>(0x7ffffff0)};
    EXPECT_EQ(NtOpenThread(&handle, SYNCHRONIZE, &oa, &nobody), STATUS_INVALID_CID);
    CLIENT_ID mismatch{reinterpret_cast<HANDLE>(4), PsGetCurrentThreadId()};
    EXPECT_EQ(NtOpenThread(&handle, SYNCHRONIZE, &oa, &mismatch), STATUS_INVALID_CID);
    EXPECT_EQ(handle, reinterpret_cast<HANDLE>(1));
}

}  // namespace process_open
}  // namespace ntio::test
