// NtQueryInformationThread / ZwQueryInformationThread: the basic information, times, start
// address, pending I/O and the other flags of the calling thread (by the pseudo handle) and of a
// system thread before and after it ends; lengths, classes, handles, rights and pointers refused.
// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nf-ntddk-zwqueryinformationthread
// https://learn.microsoft.com/windows/win32/api/winternl/nf-winternl-ntqueryinformationthread
#include "nt_test_support.hpp"

namespace ntio::test {
namespace {

template <class T>
NTSTATUS query_thread(HANDLE thread, THREADINFOCLASS info_class, T& out, ULONG* written = nullptr) {
    return NtQueryInformationThread(thread, info_class, &out, sizeof out, written);
}

TEST_F(NtTest, thread_basic_information_of_the_calling_thread) {
    THREAD_BASIC_INFORMATION basic{};
    ULONG written = 0;
    ASSERT_EQ(query_thread(NtCurrentThread(), ThreadBasicInformation, basic, &written), STATUS_SUCCESS);
    EXPECT_EQ(written, sizeof basic);
    EXPECT_EQ(basic.ExitStatus, STATUS_PENDING);
    EXPECT_EQ(basic.ClientId.UniqueProcess, PsGetCurrentProcessId());
    EXPECT_EQ(basic.ClientId.UniqueThread, PsGetCurrentThreadId());
    EXPECT_EQ(basic.TebBaseAddress, nullptr);
    EXPECT_NE(basic.AffinityMask, 0u);
    EXPECT_EQ(basic.Priority, KeQueryPriorityThread(KeGetCurrentThread()));

    KERNEL_USER_TIMES times{};
    ASSERT_EQ(query_thread(NtCurrentThread(), ThreadTimes, times), STATUS_SUCCESS);
    EXPECT_GT(times.CreateTime.QuadPart, 0);
    EXPECT_EQ(times.ExitTime.QuadPart, 0);
    LARGE_INTEGER now;
    KeQuerySystemTime(&now);
    EXPECT_LE(times.CreateTime.QuadPart, now.QuadPart);

    ULONG flag = 7;
    ASSERT_EQ(query_thread(NtCurrentThread(), ThreadIsTerminated, flag), STATUS_SUCCESS);
    EXPECT_EQ(flag, 0u);
    ASSERT_EQ(query_thread(NtCurrentThread(), ThreadIsIoPending, flag), STATUS_SUCCESS);
    EXPECT_EQ(flag, 0u);
    BOOLEAN hidden = TRUE;
    ASSERT_EQ(query_thread(NtCurrentThread(), ThreadHideFromDebugger, hidden), STATUS_SUCCESS);
    EXPECT_FALSE(hidden);
}

TEST_F(NtTest, thread_priority_boost_and_hiding_read_back_what_was_set) {
    ULONG disable = 1;
    ASSERT_EQ(NtSetInformationThread(NtCurrentThread(), ThreadPriorityBoost, &disable, sizeof disable), STATUS_SUCCESS);
    ULONG disabled = 0;
    ASSERT_EQ(query_thread(NtCurrentThread(), ThreadPriorityBoost, disabled), STATUS_SUCCESS);
    EXPECT_EQ(disabled, 1u);
    disable = 0;
    ASSERT_EQ(NtSetInformationThread(NtCurrentThread(), ThreadPriorityBoost, &disable, sizeof disable), STATUS_SUCCESS);
    ASSERT_EQ(query_thread(NtCurrentThread(), ThreadPriorityBoost, disabled), STATUS_SUCCESS);
    EXPECT_EQ(disabled, 0u);
}

TEST_F(NtTest, thread_name_set_and_queried_through_the_nt_classes) {
    THREAD_NAME_INFORMATION set{};
    RtlInitUnicodeString(&set.ThreadName, L"nt name");
    ASSERT_EQ(NtSetInformationThread(NtCurrentThread(), ThreadNameInformation, &set, sizeof set), STATUS_SUCCESS);
    ULONG_PTR buffer[16]{};
    ULONG written = 0;
    ASSERT_EQ(NtQueryInformationThread(NtCurrentThread(), ThreadNameInformation, buffer, sizeof buffer, &written),
              STATUS_SUCCESS);
    const auto* name = reinterpret_cast<const THREAD_NAME_INFORMATION*>(buffer);
    EXPECT_EQ(written, sizeof *name + set.ThreadName.Length);
    EXPECT_EQ(text(name->ThreadName), u"nt name");
    EXPECT_EQ(reinterpret_cast<const unsigned char*>(name->ThreadName.Buffer),
              reinterpret_cast<const unsigned char*>(buffer) + sizeof *name);

    THREAD_NAME_INFORMATION odd = set;
    odd.ThreadName.Length = 3;
    EXPECT_EQ(NtSetInformationThread(NtCurrentThread(), ThreadNameInformation, &odd, sizeof odd),
              STATUS_INVALID_PARAMETER);
    EXPECT_EQ(NtSetInformationThread(NtCurrentThread(), ThreadNameInformation, &set, sizeof set - 1),
              STATUS_INFO_LENGTH_MISMATCH);
    // The empty name: no text, a NULL Buffer.
    THREAD_NAME_INFORMATION empty{};
    ASSERT_EQ(NtSetInformationThread(NtCurrentThread(), ThreadNameInformation, &empty, sizeof empty), STATUS_SUCCESS);
    ASSERT_EQ(NtQueryInformationThread(NtCurrentThread(), ThreadNameInformation, buffer, sizeof buffer, &written),
              STATUS_SUCCESS);
    EXPECT_EQ(written, sizeof *name);
    EXPECT_EQ(name->ThreadName.Length, 0u);
    EXPECT_EQ(name->ThreadName.Buffer, nullptr);
}

std::atomic<int> g_system_thread_ran{0};

VOID NTAPI short_system_thread(PVOID) {
    g_system_thread_ran.fetch_add(1);
    PsTerminateSystemThread(STATUS_ALERTED);
}

TEST_F(NtTest, thread_queries_of_a_system_thread_before_and_after_it_ends) {
    OBJECT_ATTRIBUTES oa;
    InitializeObjectAttributes(&oa, nullptr, OBJ_KERNEL_HANDLE, nullptr, nullptr);
    HANDLE raw = nullptr;
    CLIENT_ID cid{};
    ASSERT_EQ(PsCreateSystemThread(&raw, THREAD_ALL_ACCESS, &oa, nullptr, &cid, short_system_thread, nullptr),
              STATUS_SUCCESS);
    Handle thread(raw, true);
    LARGE_INTEGER forever;
    forever.QuadPart = -10LL * 1000 * 1000 * 60;
    ASSERT_EQ(ZwWaitForSingleObject(thread, FALSE, &forever), STATUS_SUCCESS);

    // A kernel handle: the Zw form only.
    THREAD_BASIC_INFORMATION basic{};
    EXPECT_EQ(query_thread(thread.get(), ThreadBasicInformation, basic), STATUS_INVALID_HANDLE);
    ASSERT_EQ(ZwQueryInformationThread(thread, ThreadBasicInformation, &basic, sizeof basic, nullptr), STATUS_SUCCESS);
    EXPECT_EQ(basic.ExitStatus, STATUS_ALERTED);
    EXPECT_EQ(basic.ClientId.UniqueThread, cid.UniqueThread);
    ULONG terminated = 0;
    ASSERT_EQ(ZwQueryInformationThread(thread, ThreadIsTerminated, &terminated, sizeof terminated, nullptr),
              STATUS_SUCCESS);
    EXPECT_EQ(terminated, 1u);
    PVOID start = nullptr;
    ASSERT_EQ(ZwQueryInformationThread(thread, ThreadQuerySetWin32StartAddress, &start, sizeof start, nullptr),
              STATUS_SUCCESS);
    EXPECT_EQ(start, reinterpret_cast<PVOID>(&short_system_thread));
    KERNEL_USER_TIMES times{};
    ASSERT_EQ(ZwQueryInformationThread(thread, ThreadTimes, &times, sizeof times, nullptr), STATUS_SUCCESS);
    EXPECT_GE(times.ExitTime.QuadPart, times.CreateTime.QuadPart);
    EXPECT_GT(times.ExitTime.QuadPart, 0);
    EXPECT_EQ(g_system_thread_ran.load(), 1);
}

TEST_F(NtTest, thread_query_refuses_bad_lengths_classes_and_pointers) {
    THREAD_BASIC_INFORMATION basic[2]{};
    EXPECT_EQ(NtQueryInformationThread(NtCurrentThread(), ThreadBasicInformation, basic, sizeof basic[0] - 1, nullptr),
              STATUS_INFO_LENGTH_MISMATCH);
    EXPECT_EQ(NtQueryInformationThread(NtCurrentThread(), ThreadBasicInformation, basic, sizeof basic, nullptr),
              STATUS_INFO_LENGTH_MISMATCH);
    ULONG flag = 0;
    EXPECT_EQ(NtQueryInformationThread(NtCurrentThread(), ThreadIsIoPending, &flag, sizeof(BOOLEAN), nullptr),
              STATUS_INFO_LENGTH_MISMATCH);
    // 63: the largest value the enumeration can hold (a value beyond its range may not even be
    // passed as the type in C++; UBSan reports the load).
    for (int bad : {int(ThreadPriority), int(ThreadZeroTlsCell), int(ThreadIdealProcessorEx), int(MaxThreadInfoClass),
                    63}) {
        THREADINFOCLASS info_class;
        std::memcpy(&info_class, &bad, sizeof info_class);
        EXPECT_EQ(NtQueryInformationThread(NtCurrentThread(), info_class, basic, sizeof basic[0], nullptr),
                  STATUS_INVALID_INFO_CLASS)
            << bad;
    }
    BadMemory bad;
    EXPECT_EQ(NtQueryInformationThread(NtCurrentThread(), ThreadBasicInformation,
                                       bad.read_only<THREAD_BASIC_INFORMATION>(), sizeof basic[0], nullptr),
              STATUS_ACCESS_VIOLATION);
    EXPECT_EQ(NtQueryInformationThread(NtCurrentThread(), ThreadBasicInformation, nullptr, sizeof basic[0], nullptr),
              STATUS_ACCESS_VIOLATION);
    EXPECT_EQ(NtQueryInformationThread(NtCurrentThread(), ThreadBasicInformation, basic, sizeof basic[0],
                                       bad.no_access<ULONG>()),
              STATUS_ACCESS_VIOLATION);
    THREAD_NAME_INFORMATION* name = bad.no_access<THREAD_NAME_INFORMATION>();
    EXPECT_EQ(NtQueryInformationThread(NtCurrentThread(), ThreadNameInformation, name, 64, nullptr),
              STATUS_ACCESS_VIOLATION);
}

TEST_F(NtTest, thread_query_checks_the_handle_its_type_and_its_rights) {
    THREAD_BASIC_INFORMATION basic{};
    EXPECT_EQ(query_thread(nullptr, ThreadBasicInformation, basic), STATUS_INVALID_HANDLE);
    EXPECT_EQ(query_thread(reinterpret_cast<HANDLE>(0x7ff0), ThreadBasicInformation, basic), STATUS_INVALID_HANDLE);
    EXPECT_EQ(query_thread(NtCurrentProcess(), ThreadBasicInformation, basic), STATUS_OBJECT_TYPE_MISMATCH);
    Handle event(make_event(NotificationEvent, FALSE));
    EXPECT_EQ(query_thread(event.get(), ThreadBasicInformation, basic), STATUS_OBJECT_TYPE_MISMATCH);

    Handle limited;
    ASSERT_EQ(NtDuplicateObject(NtCurrentProcess(), NtCurrentThread(), NtCurrentProcess(), limited.out(),
                                THREAD_QUERY_LIMITED_INFORMATION, 0, 0),
              STATUS_SUCCESS);
    EXPECT_EQ(query_thread(limited.get(), ThreadBasicInformation, basic), STATUS_SUCCESS);
    KERNEL_USER_TIMES times{};
    EXPECT_EQ(query_thread(limited.get(), ThreadTimes, times), STATUS_SUCCESS);
    ULONG flag = 0;
    EXPECT_EQ(query_thread(limited.get(), ThreadIsIoPending, flag), STATUS_ACCESS_DENIED);
    PVOID start = nullptr;
    EXPECT_EQ(query_thread(limited.get(), ThreadQuerySetWin32StartAddress, start), STATUS_ACCESS_DENIED);

    Handle synchronize_only;
    ASSERT_EQ(NtDuplicateObject(NtCurrentProcess(), NtCurrentThread(), NtCurrentProcess(), synchronize_only.out(),
                                SYNCHRONIZE, 0, 0),
              STATUS_SUCCESS);
    EXPECT_EQ(query_thread(synchronize_only.get(), ThreadBasicInformation, basic), STATUS_ACCESS_DENIED);
}

}  // namespace
}  // namespace ntio::test
