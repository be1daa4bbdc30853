// NtQueryInformationProcess(ProcessBasicInformation): the exit status (STATUS_PENDING while the
// process runs, its exit status once it has ended), the process id, its creator's id and the
// processor mask; the length must be the structure's, the handle needs query access.
// https://learn.microsoft.com/windows/win32/api/winternl/nf-winternl-ntqueryinformationprocess
#include "unit/ob/ob_test_support.hpp"

#include <ntifs.h>
#include <ntio/ntapi.h>

namespace process_basic_information_test {

class ProcessBasicInformationTest : public ntio::ob::test::ObTest {
protected:
    PROCESS_BASIC_INFORMATION query(HANDLE process) {
        PROCESS_BASIC_INFORMATION info{};
        ULONG returned = 0;
        EXPECT_EQ(NtQueryInformationProcess(process, ProcessBasicInformation, &info, sizeof info, &returned),
                  STATUS_SUCCESS);
        EXPECT_EQ(returned, sizeof info);
        return info;
    }
};

TEST_F(ProcessBasicInformationTest, a_running_process_reports_pending_its_id_and_its_creator) {
    PEPROCESS child = nullptr;
    ASSERT_EQ(om().create_process(nullptr, u"child", &child), STATUS_SUCCESS);
    HANDLE h = nullptr;
    ASSERT_EQ(ObOpenObjectByPointer(child, 0, nullptr, PROCESS_QUERY_LIMITED_INFORMATION, *PsProcessType, KernelMode,
                                    &h),
              STATUS_SUCCESS);
    const PROCESS_BASIC_INFORMATION info = query(h);
    EXPECT_EQ(info.ExitStatus, STATUS_PENDING);
    EXPECT_EQ(info.UniqueProcessId, reinterpret_cast<ULONG_PTR>(PsGetProcessId(child)));
    EXPECT_EQ(info.InheritedFromUniqueProcessId, reinterpret_cast<ULONG_PTR>(PsGetCurrentProcessId()));
    EXPECT_EQ(info.AffinityMask, static_cast<ULONG_PTR>(KeQueryActiveProcessors()));
    EXPECT_EQ(info.PebBaseAddress, nullptr);  // ntio has no PEB
    om().terminate_process(child, STATUS_ACCESS_DENIED);
    EXPECT_EQ(query(h).ExitStatus, STATUS_ACCESS_DENIED);
    EXPECT_EQ(NtClose(h), STATUS_SUCCESS);
    ObDereferenceObject(child);
}

TEST_F(ProcessBasicInformationTest, the_current_process_answers_for_itself) {
    EXPECT_EQ(query(NtCurrentProcess()).UniqueProcessId, reinterpret_cast<ULONG_PTR>(PsGetCurrentProcessId()));
}

TEST_F(ProcessBasicInformationTest, a_wrong_length_or_a_handle_without_query_access_fails) {
    PROCESS_BASIC_INFORMATION info{};
    EXPECT_EQ(NtQueryInformationProcess(NtCurrentProcess(), ProcessBasicInformation, &info, sizeof info - 4, nullptr),
              STATUS_INFO_LENGTH_MISMATCH);
    EXPECT_EQ(NtQueryInformationProcess(NtCurrentProcess(), ProcessBasicInformation, &info, sizeof info + 8, nullptr),
              STATUS_INFO_LENGTH_MISMATCH);
    HANDLE h = nullptr;
    ASSERT_EQ(ObOpenObjectByPointer(PsGetCurrentProcess(), 0, nullptr, SYNCHRONIZE, *PsProcessType, KernelMode, &h),
              STATUS_SUCCESS);
    EXPECT_EQ(NtQueryInformationProcess(h, ProcessBasicInformation, &info, sizeof info, nullptr), STATUS_ACCESS_DENIED);
    EXPECT_EQ(NtClose(h), STATUS_SUCCESS);
}

}  // namespace process_basic_information_test
