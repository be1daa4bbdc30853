// NtQueryInformationProcess / NtSetInformationProcess and their Zw forms: the image file name asked
// twice as drivers do, the fixed classes of the calling process (by the pseudo handle), the classes
// that are set and read back; lengths, classes, handles, rights and pointers refused.
// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nf-ntddk-zwqueryinformationprocess
// https://learn.microsoft.com/windows/win32/api/winternl/nf-winternl-ntqueryinformationprocess
#include <climits>

#include "nt_test_support.hpp"

namespace ntio::test {
namespace {

template <class T>
NTSTATUS query_process_class(HANDLE process, PROCESSINFOCLASS info_class, T& out, ULONG* written = nullptr) {
    return NtQueryInformationProcess(process, info_class, &out, sizeof out, written);
}

template <class T>
NTSTATUS set_process_class(HANDLE process, PROCESSINFOCLASS info_class, T value) {
    return NtSetInformationProcess(process, info_class, &value, sizeof value);
}

// The host program as C:\ names it: the path the image classes report.
std::u16string host_program_dos_path() {
    char path[PATH_MAX] = {};
    const ssize_t n = readlink("/proc/self/exe", path, sizeof path - 1);
    std::u16string out = u"C:";
    for (ssize_t i = 0; i < n; ++i) out.push_back(path[i] == '/' ? u'\\' : static_cast<char16_t>(path[i]));
    return out;
}

// What a driver does: ask for the size with no buffer, then again with a buffer of that size.
TEST_F(NtTest, process_image_file_name_asked_twice_as_drivers_do) {
    ULONG needed = 0;
    ASSERT_EQ(ZwQueryInformationProcess(NtCurrentProcess(), ProcessImageFileName, nullptr, 0, &needed),
              STATUS_INFO_LENGTH_MISMATCH);
    ASSERT_GT(needed, sizeof(UNICODE_STRING));
    std::vector<ULONG_PTR> buffer(needed / sizeof(ULONG_PTR) + 1, 0);
    ULONG written = 0;
    EXPECT_EQ(ZwQueryInformationProcess(NtCurrentProcess(), ProcessImageFileName, buffer.data(), needed - 1, &written),
              STATUS_INFO_LENGTH_MISMATCH);
    EXPECT_EQ(written, needed);
    written = 0;
    ASSERT_EQ(ZwQueryInformationProcess(NtCurrentProcess(), ProcessImageFileName, buffer.data(), needed, &written),
              STATUS_SUCCESS);
    EXPECT_EQ(written, needed);
    const auto* name = reinterpret_cast<const UNICODE_STRING*>(buffer.data());
    EXPECT_EQ(text(*name), u"\\??\\" + host_program_dos_path());
    EXPECT_EQ(name->MaximumLength, name->Length + sizeof(WCHAR));
    EXPECT_EQ(reinterpret_cast<const unsigned char*>(name->Buffer),
              reinterpret_cast<const unsigned char*>(buffer.data()) + sizeof *name);
    EXPECT_EQ(name->Buffer[name->Length / sizeof(WCHAR)], 0);
    EXPECT_EQ(sizeof *name + name->MaximumLength, needed);

    // The Win32 form from user mode, in a larger buffer than needed.
    std::vector<ULONG_PTR> large(128, 0);
    ASSERT_EQ(NtQueryInformationProcess(NtCurrentProcess(), ProcessImageFileNameWin32, large.data(),
                                        static_cast<ULONG>(large.size() * sizeof(ULONG_PTR)), &written),
              STATUS_SUCCESS);
    const auto* win32_name = reinterpret_cast<const UNICODE_STRING*>(large.data());
    EXPECT_EQ(text(*win32_name), host_program_dos_path());
    EXPECT_EQ(written, sizeof *win32_name + win32_name->MaximumLength);
}

TEST_F(NtTest, process_fixed_classes_of_the_calling_process) {
    KERNEL_USER_TIMES times{};
    ULONG written = 0;
    ASSERT_EQ(query_process_class(NtCurrentProcess(), ProcessTimes, times, &written), STATUS_SUCCESS);
    EXPECT_EQ(written, sizeof times);
    EXPECT_GT(times.CreateTime.QuadPart, 0);
    EXPECT_EQ(times.ExitTime.QuadPart, 0);
    LARGE_INTEGER now;
    KeQuerySystemTime(&now);
    EXPECT_LE(times.CreateTime.QuadPart, now.QuadPart);

    ULONG count = 0;
    ASSERT_EQ(query_process_class(NtCurrentProcess(), ProcessHandleCount, count, &written), STATUS_SUCCESS);
    EXPECT_EQ(written, sizeof count);
    Handle event(make_event(NotificationEvent, FALSE));
    PROCESS_HANDLE_INFORMATION handles{};
    ASSERT_EQ(query_process_class(NtCurrentProcess(), ProcessHandleCount, handles, &written), STATUS_SUCCESS);
    EXPECT_EQ(written, sizeof handles);
    EXPECT_EQ(handles.HandleCount, count + 1);
    EXPECT_GE(handles.HandleCountHighWatermark, handles.HandleCount);

    ULONG_PTR port = 1;
    ASSERT_EQ(query_process_class(NtCurrentProcess(), ProcessDebugPort, port), STATUS_SUCCESS);
    EXPECT_EQ(port, 0u);
    ULONG_PTR wow64 = 1;
    ASSERT_EQ(query_process_class(NtCurrentProcess(), ProcessWow64Information, wow64), STATUS_SUCCESS);
    EXPECT_EQ(wow64, 0u);
    PROCESS_PRIORITY_CLASS priority{};
    ASSERT_EQ(query_process_class(NtCurrentProcess(), ProcessPriorityClass, priority, &written), STATUS_SUCCESS);
    EXPECT_EQ(written, sizeof priority);
    EXPECT_EQ(priority.PriorityClass, PROCESS_PRIORITY_CLASS_NORMAL);
    ULONG critical = 1;
    ASSERT_EQ(query_process_class(NtCurrentProcess(), ProcessBreakOnTermination, critical), STATUS_SUCCESS);
    EXPECT_EQ(critical, 0u);

    // The session is the primary token's.
    PROCESS_SESSION_INFORMATION session{};
    ASSERT_EQ(query_process_class(NtCurrentProcess(), ProcessSessionInformation, session), STATUS_SUCCESS);
    Handle token;
    ASSERT_EQ(NtOpenProcessToken(NtCurrentProcess(), TOKEN_QUERY, token.out()), STATUS_SUCCESS);
    ULONG token_session = 0;
    ASSERT_EQ(NtQueryInformationToken(token.get(), TokenSessionId, &token_session, sizeof token_session, &written),
              STATUS_SUCCESS);
    EXPECT_EQ(session.SessionId, token_session);
}

TEST_F(NtTest, process_set_classes_read_back_what_was_set) {
    PROCESS_PRIORITY_CLASS priority{};
    priority.PriorityClass = PROCESS_PRIORITY_CLASS_BELOW_NORMAL;
    ASSERT_EQ(set_process_class(NtCurrentProcess(), ProcessPriorityClass, priority), STATUS_SUCCESS);
    PROCESS_PRIORITY_CLASS read{};
    ASSERT_EQ(query_process_class(NtCurrentProcess(), ProcessPriorityClass, read), STATUS_SUCCESS);
    EXPECT_EQ(read.PriorityClass, PROCESS_PRIORITY_CLASS_BELOW_NORMAL);
    PROCESS_BASIC_INFORMATION basic{};
    ASSERT_EQ(query_process_class(NtCurrentProcess(), ProcessBasicInformation, basic), STATUS_SUCCESS);
    EXPECT_EQ(basic.BasePriority, 6);
    priority.PriorityClass = 7;
    EXPECT_EQ(set_process_class(NtCurrentProcess(), ProcessPriorityClass, priority), STATUS_INVALID_PARAMETER);
    // The application's token has no SeIncreaseBasePriorityPrivilege; a kernel-mode caller needs none.
    priority.PriorityClass = PROCESS_PRIORITY_CLASS_REALTIME;
    EXPECT_EQ(set_process_class(NtCurrentProcess(), ProcessPriorityClass, priority), STATUS_PRIVILEGE_NOT_HELD);
    EXPECT_EQ(ZwSetInformationProcess(NtCurrentProcess(), ProcessPriorityClass, &priority, sizeof priority),
              STATUS_SUCCESS);
    priority.PriorityClass = PROCESS_PRIORITY_CLASS_NORMAL;
    ASSERT_EQ(set_process_class(NtCurrentProcess(), ProcessPriorityClass, priority), STATUS_SUCCESS);

    const KAFFINITY active = KeQueryActiveProcessors();
    const KAFFINITY lowest = active & (~active + 1);
    ASSERT_EQ(set_process_class(NtCurrentProcess(), ProcessAffinityMask, lowest), STATUS_SUCCESS);
    ASSERT_EQ(query_process_class(NtCurrentProcess(), ProcessBasicInformation, basic), STATUS_SUCCESS);
    EXPECT_EQ(basic.AffinityMask, lowest);
    EXPECT_EQ(set_process_class(NtCurrentProcess(), ProcessAffinityMask, KAFFINITY{0}), STATUS_INVALID_PARAMETER);
    if (~active != 0) {
        EXPECT_EQ(set_process_class(NtCurrentProcess(), ProcessAffinityMask, active | (~active & (active + 1))),
                  STATUS_INVALID_PARAMETER);
    }
    ASSERT_EQ(query_process_class(NtCurrentProcess(), ProcessBasicInformation, basic), STATUS_SUCCESS);
    EXPECT_EQ(basic.AffinityMask, lowest);  // a refused mask changes nothing
    ASSERT_EQ(set_process_class(NtCurrentProcess(), ProcessAffinityMask, active), STATUS_SUCCESS);

    ULONG value = 0;
    ASSERT_EQ(set_process_class(NtCurrentProcess(), ProcessPriorityBoost, ULONG{TRUE}), STATUS_SUCCESS);
    ASSERT_EQ(query_process_class(NtCurrentProcess(), ProcessPriorityBoost, value), STATUS_SUCCESS);
    EXPECT_EQ(value, 1u);
    ASSERT_EQ(set_process_class(NtCurrentProcess(), ProcessPriorityBoost, ULONG{FALSE}), STATUS_SUCCESS);
    ASSERT_EQ(query_process_class(NtCurrentProcess(), ProcessPriorityBoost, value), STATUS_SUCCESS);
    EXPECT_EQ(value, 0u);

    ULONG original_mode = 0;
    ASSERT_EQ(query_process_class(NtCurrentProcess(), ProcessDefaultHardErrorMode, original_mode), STATUS_SUCCESS);
    ASSERT_EQ(set_process_class(NtCurrentProcess(), ProcessDefaultHardErrorMode, original_mode ^ 1u), STATUS_SUCCESS);
    ASSERT_EQ(query_process_class(NtCurrentProcess(), ProcessDefaultHardErrorMode, value), STATUS_SUCCESS);
    EXPECT_EQ(value, original_mode ^ 1u);
    ASSERT_EQ(set_process_class(NtCurrentProcess(), ProcessDefaultHardErrorMode, original_mode), STATUS_SUCCESS);

    // Making a process critical takes SeDebugPrivilege, which the application's token lacks.
    EXPECT_EQ(set_process_class(NtCurrentProcess(), ProcessBreakOnTermination, ULONG{TRUE}), STATUS_PRIVILEGE_NOT_HELD);
    ULONG critical = TRUE;
    ASSERT_EQ(ZwSetInformationProcess(NtCurrentProcess(), ProcessBreakOnTermination, &critical, sizeof critical),
              STATUS_SUCCESS);
    ASSERT_EQ(query_process_class(NtCurrentProcess(), ProcessBreakOnTermination, value), STATUS_SUCCESS);
    EXPECT_EQ(value, 1u);
    critical = FALSE;
    ASSERT_EQ(ZwSetInformationProcess(NtCurrentProcess(), ProcessBreakOnTermination, &critical, sizeof critical),
              STATUS_SUCCESS);
}

TEST_F(NtTest, process_query_refuses_bad_lengths_and_classes) {
    KERNEL_USER_TIMES times[2]{};
    EXPECT_EQ(NtQueryInformationProcess(NtCurrentProcess(), ProcessTimes, times, sizeof times[0] - 1, nullptr),
              STATUS_INFO_LENGTH_MISMATCH);
    EXPECT_EQ(NtQueryInformationProcess(NtCurrentProcess(), ProcessTimes, times, sizeof times, nullptr),
              STATUS_INFO_LENGTH_MISMATCH);
    EXPECT_EQ(NtQueryInformationProcess(NtCurrentProcess(), ProcessHandleCount, times, 6, nullptr),
              STATUS_INFO_LENGTH_MISMATCH);
    EXPECT_EQ(NtQueryInformationProcess(NtCurrentProcess(), ProcessPriorityClass, times, sizeof(ULONG), nullptr),
              STATUS_INFO_LENGTH_MISMATCH);
    EXPECT_EQ(NtQueryInformationProcess(NtCurrentProcess(), ProcessDebugPort, times, sizeof(ULONG), nullptr),
              STATUS_INFO_LENGTH_MISMATCH);
    // Set-only classes, and classes beyond the last ntio knows up to 63, the largest value the
    // enumeration can hold (a value beyond its range may not even be passed as the type in C++;
    // UBSan reports the load).
    for (int bad : {int(ProcessAffinityMask), int(ProcessBasePriority), int(ProcessImageFileNameWin32) + 1, 63}) {
        PROCESSINFOCLASS info_class;
        std::memcpy(&info_class, &bad, sizeof info_class);
        EXPECT_EQ(NtQueryInformationProcess(NtCurrentProcess(), info_class, times, sizeof times[0], nullptr),
                  STATUS_INVALID_INFO_CLASS)
            << bad;
    }
    // Query-only classes cannot be set.
    EXPECT_EQ(NtSetInformationProcess(NtCurrentProcess(), ProcessTimes, times, sizeof times[0]), STATUS_INVALID_INFO_CLASS);
    EXPECT_EQ(NtSetInformationProcess(NtCurrentProcess(), ProcessImageFileName, times, sizeof times[0]),
              STATUS_INVALID_INFO_CLASS);
    ULONG value = 0;
    EXPECT_EQ(NtSetInformationProcess(NtCurrentProcess(), ProcessPriorityBoost, &value, sizeof(USHORT)),
              STATUS_INFO_LENGTH_MISMATCH);
    EXPECT_EQ(NtSetInformationProcess(NtCurrentProcess(), ProcessAffinityMask, &value, sizeof value),
              STATUS_INFO_LENGTH_MISMATCH);
}

TEST_F(NtTest, process_query_refuses_bad_pointers) {
    BadMemory bad;
    EXPECT_EQ(NtQueryInformationProcess(NtCurrentProcess(), ProcessTimes, nullptr, sizeof(KERNEL_USER_TIMES), nullptr),
              STATUS_ACCESS_VIOLATION);
    EXPECT_EQ(NtQueryInformationProcess(NtCurrentProcess(), ProcessTimes, bad.read_only<KERNEL_USER_TIMES>(),
                                        sizeof(KERNEL_USER_TIMES), nullptr),
              STATUS_ACCESS_VIOLATION);
    alignas(ULONG_PTR) unsigned char raw[64] = {};
    EXPECT_EQ(NtQueryInformationProcess(NtCurrentProcess(), ProcessHandleCount, raw + 1, sizeof(ULONG), nullptr),
              STATUS_DATATYPE_MISALIGNMENT);
    ULONG count = 0;
    EXPECT_EQ(NtQueryInformationProcess(NtCurrentProcess(), ProcessHandleCount, &count, sizeof count, bad.no_access<ULONG>()),
              STATUS_ACCESS_VIOLATION);
    EXPECT_EQ(NtQueryInformationProcess(NtCurrentProcess(), ProcessImageFileName, bad.no_access<UNICODE_STRING>(), 64,
                                        nullptr),
              STATUS_ACCESS_VIOLATION);
    EXPECT_EQ(NtQueryInformationProcess(NtCurrentProcess(), ProcessImageFileName, raw + 4, 32, nullptr),
              STATUS_DATATYPE_MISALIGNMENT);
    EXPECT_EQ(NtQueryInformationProcess(NtCurrentProcess(), ProcessImageFileName, raw, sizeof raw, bad.no_access<ULONG>()),
              STATUS_ACCESS_VIOLATION);
    EXPECT_EQ(NtSetInformationProcess(NtCurrentProcess(), ProcessPriorityBoost, nullptr, sizeof(ULONG)),
              STATUS_ACCESS_VIOLATION);
    EXPECT_EQ(NtSetInformationProcess(NtCurrentProcess(), ProcessAffinityMask, bad.no_access<KAFFINITY>(), sizeof(KAFFINITY)),
              STATUS_ACCESS_VIOLATION);
}

TEST_F(NtTest, process_query_checks_the_handle_its_type_and_its_rights) {
    KERNEL_USER_TIMES times{};
    EXPECT_EQ(query_process_class(nullptr, ProcessTimes, times), STATUS_INVALID_HANDLE);
    EXPECT_EQ(query_process_class(reinterpret_cast<HANDLE>(0x7ff0), ProcessTimes, times), STATUS_INVALID_HANDLE);
    EXPECT_EQ(query_process_class(NtCurrentThread(), ProcessTimes, times), STATUS_OBJECT_TYPE_MISMATCH);
    ULONG boost = 0;
    EXPECT_EQ(set_process_class(NtCurrentThread(), ProcessPriorityBoost, boost), STATUS_OBJECT_TYPE_MISMATCH);
    Handle event(make_event(NotificationEvent, FALSE));
    EXPECT_EQ(query_process_class(event.get(), ProcessTimes, times), STATUS_OBJECT_TYPE_MISMATCH);

    Handle limited;
    ASSERT_EQ(NtDuplicateObject(NtCurrentProcess(), NtCurrentProcess(), NtCurrentProcess(), limited.out(),
                                PROCESS_QUERY_LIMITED_INFORMATION, 0, 0),
              STATUS_SUCCESS);
    EXPECT_EQ(query_process_class(limited.get(), ProcessTimes, times), STATUS_SUCCESS);
    ULONG needed = 0;
    EXPECT_EQ(NtQueryInformationProcess(limited.get(), ProcessImageFileName, nullptr, 0, &needed),
              STATUS_INFO_LENGTH_MISMATCH);
    ULONG_PTR port = 0;
    EXPECT_EQ(query_process_class(limited.get(), ProcessDebugPort, port), STATUS_ACCESS_DENIED);
    QUOTA_LIMITS limits{};
    EXPECT_EQ(query_process_class(limited.get(), ProcessQuotaLimits, limits), STATUS_ACCESS_DENIED);
    EXPECT_EQ(set_process_class(limited.get(), ProcessPriorityBoost, boost), STATUS_ACCESS_DENIED);

    Handle full_query;
    ASSERT_EQ(NtDuplicateObject(NtCurrentProcess(), NtCurrentProcess(), NtCurrentProcess(), full_query.out(),
                                PROCESS_QUERY_INFORMATION, 0, 0),
              STATUS_SUCCESS);
    EXPECT_EQ(query_process_class(full_query.get(), ProcessDebugPort, port), STATUS_SUCCESS);
    EXPECT_EQ(query_process_class(full_query.get(), ProcessTimes, times), STATUS_SUCCESS);

    Handle synchronize_only;
    ASSERT_EQ(NtDuplicateObject(NtCurrentProcess(), NtCurrentProcess(), NtCurrentProcess(), synchronize_only.out(),
                                SYNCHRONIZE, 0, 0),
              STATUS_SUCCESS);
    EXPECT_EQ(query_process_class(synchronize_only.get(), ProcessTimes, times), STATUS_ACCESS_DENIED);
    EXPECT_EQ(NtQueryInformationProcess(synchronize_only.get(), ProcessImageFileName, nullptr, 0, &needed),
              STATUS_ACCESS_DENIED);
}

}  // namespace
}  // namespace ntio::test
