// ZwTerminateProcess through the DDK surface: a process opened with ZwOpenProcess ends with the
// exit status given (its object signalled, its basic information reporting the status); a second
// call is STATUS_PROCESS_IS_TERMINATING; a handle without PROCESS_TERMINATE, a thread handle or a
// bad handle fail as Learn lists; ntio refuses the caller's own process and the System process.
// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nf-ntddk-zwterminateprocess
#include "unit/ob/ob_test_support.hpp"

#include <ntifs.h>
#include <ntio/ntapi.h>

namespace process_terminate_test {

class ProcessTerminateTest : public ntio::ob::test::ObTest {
protected:
    HANDLE open(HANDLE process_id, ACCESS_MASK access, ULONG attributes = OBJ_KERNEL_HANDLE) {
        OBJECT_ATTRIBUTES oa;
        InitializeObjectAttributes(&oa, nullptr, attributes, nullptr, nullptr);
        CLIENT_ID cid{process_id, nullptr};
        HANDLE handle = nullptr;
        EXPECT_EQ(ZwOpenProcess(&handle, access, &oa, &cid), STATUS_SUCCESS);
        return handle;
    }
};

TEST_F(ProcessTerminateTest, ends_the_process_with_its_exit_status) {
    PEPROCESS child = nullptr;
    ASSERT_EQ(om().create_process(nullptr, u"victim", &child), STATUS_SUCCESS);
    HANDLE h = open(PsGetProcessId(child), PROCESS_TERMINATE | PROCESS_QUERY_LIMITED_INFORMATION | SYNCHRONIZE);
    ASSERT_NE(h, nullptr);
    ASSERT_EQ(ZwTerminateProcess(h, STATUS_CANCELLED), STATUS_SUCCESS);
    LARGE_INTEGER no_wait{};
    EXPECT_EQ(KeWaitForSingleObject(child, Executive, KernelMode, FALSE, &no_wait), STATUS_SUCCESS)
        << "a terminated process is signalled";
    PROCESS_BASIC_INFORMATION basic{};
    ASSERT_EQ(ZwQueryInformationProcess(h, ProcessBasicInformation, &basic, sizeof basic, nullptr), STATUS_SUCCESS);
    EXPECT_EQ(basic.ExitStatus, STATUS_CANCELLED);
    EXPECT_EQ(ZwTerminateProcess(h, STATUS_SUCCESS), STATUS_PROCESS_IS_TERMINATING);
    EXPECT_EQ(ZwClose(h), STATUS_SUCCESS);
    ObDereferenceObject(child);
}

TEST_F(ProcessTerminateTest, bad_handles_and_missing_access) {
    PEPROCESS child = nullptr;
    ASSERT_EQ(om().create_process(nullptr, u"survivor", &child), STATUS_SUCCESS);
    HANDLE query_only = open(PsGetProcessId(child), PROCESS_QUERY_LIMITED_INFORMATION, 0);  // a user handle
    EXPECT_EQ(NtTerminateProcess(query_only, STATUS_SUCCESS), STATUS_ACCESS_DENIED)
        << "a user-mode call needs PROCESS_TERMINATE";
    EXPECT_EQ(ZwTerminateProcess(reinterpret_cast<HANDLE>(0x7ffc), STATUS_SUCCESS), STATUS_INVALID_HANDLE);
    EXPECT_EQ(ZwTerminateProcess(nullptr, STATUS_SUCCESS), STATUS_INVALID_HANDLE) << "ntio: no NULL form";
    OBJECT_ATTRIBUTES oa;
    InitializeObjectAttributes(&oa, nullptr, OBJ_KERNEL_HANDLE, nullptr, nullptr);
    CLIENT_ID tid{nullptr, PsGetCurrentThreadId()};
    HANDLE thread = nullptr;
    ASSERT_EQ(ZwOpenThread(&thread, THREAD_ALL_ACCESS, &oa, &tid), STATUS_SUCCESS);
    EXPECT_EQ(ZwTerminateProcess(thread, STATUS_SUCCESS), STATUS_OBJECT_TYPE_MISMATCH);
    EXPECT_EQ(ZwClose(thread), STATUS_SUCCESS);
    HANDLE self = open(PsGetCurrentProcessId(), PROCESS_TERMINATE);
    EXPECT_EQ(ZwTerminateProcess(self, STATUS_SUCCESS), STATUS_ACCESS_DENIED) << "ntio: not the caller's own";
    EXPECT_EQ(ZwClose(self), STATUS_SUCCESS);
    HANDLE system_process = open(reinterpret_cast<HANDLE>(4), PROCESS_TERMINATE);
    EXPECT_EQ(ZwTerminateProcess(system_process, STATUS_SUCCESS), STATUS_ACCESS_DENIED);
    EXPECT_EQ(ZwClose(system_process), STATUS_SUCCESS);
    EXPECT_FALSE(child->m_terminating.load()) << "nothing ended it";
    EXPECT_EQ(ZwClose(query_only), STATUS_SUCCESS);
    om().terminate_process(child, STATUS_SUCCESS);
    ObDereferenceObject(child);
}

}  // namespace process_terminate_test
