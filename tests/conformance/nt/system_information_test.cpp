// NtQuerySystemInformation: the fixed classes (basic, processor, time of day, kernel debugger) agree
// with GetSystemInfo-level facts and need their exact length; the lists (processes, modules,
// handles, processor times) report the size needed with STATUS_INFO_LENGTH_MISMATCH and chain their
// entries; unknown classes and bad pointers fail.
// https://learn.microsoft.com/windows/win32/api/winternl/nf-winternl-ntquerysysteminformation
#include "nt_test_support.hpp"

namespace ntio::test {
namespace {

// The whole answer of a list class, asked for the way callers do: size first, then the buffer.
std::vector<unsigned char> query_list(SYSTEM_INFORMATION_CLASS info_class) {
    ULONG needed = 0;
    EXPECT_EQ(NtQuerySystemInformation(info_class, nullptr, 0, &needed), STATUS_INFO_LENGTH_MISMATCH);
    EXPECT_GT(needed, 0u);
    // Room for what may appear between the two calls.
    std::vector<unsigned char> buffer(needed + 64 * 1024);
    ULONG written = 0;
    EXPECT_EQ(NtQuerySystemInformation(info_class, buffer.data(), static_cast<ULONG>(buffer.size()), &written),
              STATUS_SUCCESS);
    buffer.resize(written);
    return buffer;
}

TEST_F(NtTest, system_basic_information_describes_the_machine) {
    SYSTEM_BASIC_INFORMATION basic{};
    ULONG written = 0;
    ASSERT_EQ(NtQuerySystemInformation(SystemBasicInformation, &basic, sizeof basic, &written), STATUS_SUCCESS);
    EXPECT_EQ(written, sizeof basic);
    EXPECT_EQ(basic.PageSize, ULONG(PAGE_SIZE));
    EXPECT_EQ(basic.AllocationGranularity, 0x10000u);
    KAFFINITY active = 0;
    const ULONG processors = KeQueryActiveProcessorCount(&active);
    EXPECT_EQ(ULONG(static_cast<unsigned char>(basic.NumberOfProcessors)), processors);
    EXPECT_EQ(basic.ActiveProcessorsAffinityMask, active);
    EXPECT_EQ(basic.MinimumUserModeAddress, ULONG_PTR(0x10000));
    EXPECT_GT(basic.MaximumUserModeAddress, basic.MinimumUserModeAddress);
    EXPECT_EQ(basic.TimerResolution, KeQueryTimeIncrement());
    EXPECT_GT(basic.NumberOfPhysicalPages, 0u);

    SYSTEM_PROCESSOR_INFORMATION processor{};
    ASSERT_EQ(NtQuerySystemInformation(SystemProcessorInformation, &processor, sizeof processor, nullptr),
              STATUS_SUCCESS);
    EXPECT_EQ(processor.MaximumProcessors, USHORT(KeQueryMaximumProcessorCount()));
}

TEST_F(NtTest, system_fixed_classes_need_their_exact_length) {
    SYSTEM_BASIC_INFORMATION basic[2]{};
    ULONG written = 0x5A5A;
    EXPECT_EQ(NtQuerySystemInformation(SystemBasicInformation, basic, sizeof basic[0] - 1, &written),
              STATUS_INFO_LENGTH_MISMATCH);
    EXPECT_EQ(NtQuerySystemInformation(SystemBasicInformation, basic, sizeof basic, &written),
              STATUS_INFO_LENGTH_MISMATCH);
    SYSTEM_TIMEOFDAY_INFORMATION time{};
    EXPECT_EQ(NtQuerySystemInformation(SystemTimeOfDayInformation, &time, 0, nullptr), STATUS_INFO_LENGTH_MISMATCH);
    SYSTEM_KERNEL_DEBUGGER_INFORMATION debugger{};
    EXPECT_EQ(NtQuerySystemInformation(SystemKernelDebuggerInformation, &debugger, sizeof debugger + 1, nullptr),
              STATUS_INFO_LENGTH_MISMATCH);
}

TEST_F(NtTest, system_time_of_day_is_now_and_after_the_boot) {
    SYSTEM_TIMEOFDAY_INFORMATION info{};
    LARGE_INTEGER before;
    KeQuerySystemTime(&before);
    ASSERT_EQ(NtQuerySystemInformation(SystemTimeOfDayInformation, &info, sizeof info, nullptr), STATUS_SUCCESS);
    LARGE_INTEGER after;
    KeQuerySystemTime(&after);
    EXPECT_GE(info.CurrentTime.QuadPart, before.QuadPart);
    EXPECT_LE(info.CurrentTime.QuadPart, after.QuadPart);
    // The boot is the current time less the interrupt time (GetTickCount's clock).
    const LONGLONG uptime = info.CurrentTime.QuadPart - info.BootTime.QuadPart;
    EXPECT_GT(uptime, 0);
    EXPECT_LE(uptime, static_cast<LONGLONG>(KeQueryInterruptTime()));
    LARGE_INTEGER local;
    ExSystemTimeToLocalTime(&info.CurrentTime, &local);
    EXPECT_EQ(info.TimeZoneBias.QuadPart, info.CurrentTime.QuadPart - local.QuadPart);
}

TEST_F(NtTest, system_kernel_debugger_is_not_present) {
    SYSTEM_KERNEL_DEBUGGER_INFORMATION info{TRUE, FALSE};
    ASSERT_EQ(NtQuerySystemInformation(SystemKernelDebuggerInformation, &info, sizeof info, nullptr), STATUS_SUCCESS);
    EXPECT_FALSE(info.KernelDebuggerEnabled);
    EXPECT_TRUE(info.KernelDebuggerNotPresent);
}

TEST_F(NtTest, system_process_list_holds_this_process_and_thread) {
    Handle event(make_event(NotificationEvent, FALSE));
    const std::vector<unsigned char> list = query_list(SystemProcessInformation);
    ASSERT_GE(list.size(), sizeof(SYSTEM_PROCESS_INFORMATION));
    const HANDLE self_process = PsGetCurrentProcessId();
    const HANDLE self_thread = PsGetCurrentThreadId();
    bool found_process = false, found_thread = false;
    std::size_t at = 0, entries = 0;
    for (;;) {
        ASSERT_LE(at + sizeof(SYSTEM_PROCESS_INFORMATION), list.size());
        const auto* entry = reinterpret_cast<const SYSTEM_PROCESS_INFORMATION*>(list.data() + at);
        ++entries;
        const auto* threads = reinterpret_cast<const SYSTEM_THREAD_INFORMATION*>(entry + 1);
        ASSERT_LE(at + sizeof *entry + entry->NumberOfThreads * sizeof *threads, list.size());
        if (entry->ImageName.Length) {
            // The name lies inside the buffer, NUL-terminated.
            const auto* name = reinterpret_cast<const unsigned char*>(entry->ImageName.Buffer);
            ASSERT_GE(name, list.data());
            ASSERT_LE(name + entry->ImageName.MaximumLength, list.data() + list.size());
            EXPECT_EQ(entry->ImageName.Buffer[entry->ImageName.Length / sizeof(WCHAR)], 0);
        }
        if (entry->UniqueProcessId == self_process) {
            found_process = true;
            EXPECT_GT(entry->HandleCount, 0u);
            for (ULONG i = 0; i < entry->NumberOfThreads; ++i) {
                EXPECT_EQ(threads[i].ClientId.UniqueProcess, self_process);
                if (threads[i].ClientId.UniqueThread == self_thread) found_thread = true;
            }
        }
        if (entry->NextEntryOffset == 0) break;
        EXPECT_EQ(entry->NextEntryOffset % 8, 0u);
        at += entry->NextEntryOffset;
    }
    EXPECT_TRUE(found_process);
    EXPECT_TRUE(found_thread);
    EXPECT_GE(entries, 2u) << "the System process and this one";
}

TEST_F(NtTest, system_process_list_too_short_reports_the_size_needed) {
    ULONG needed = 0;
    ASSERT_EQ(NtQuerySystemInformation(SystemProcessInformation, nullptr, 0, &needed), STATUS_INFO_LENGTH_MISMATCH);
    std::vector<unsigned char> buffer(sizeof(SYSTEM_PROCESS_INFORMATION));
    ULONG again = 0;
    EXPECT_EQ(NtQuerySystemInformation(SystemProcessInformation, buffer.data(), static_cast<ULONG>(buffer.size()),
                                       &again),
              STATUS_INFO_LENGTH_MISMATCH);
    EXPECT_GT(again, buffer.size());
}

TEST_F(NtTest, system_module_list_starts_with_the_kernel) {
    const std::vector<unsigned char> list = query_list(SystemModuleInformation);
    const auto* modules = reinterpret_cast<const RTL_PROCESS_MODULES*>(list.data());
    ASSERT_GE(modules->NumberOfModules, 1u);
    ASSERT_EQ(list.size(), FIELD_OFFSET(RTL_PROCESS_MODULES, Modules) +
                               modules->NumberOfModules * sizeof(RTL_PROCESS_MODULE_INFORMATION));
    const RTL_PROCESS_MODULE_INFORMATION& kernel = modules->Modules[0];
    EXPECT_STREQ(reinterpret_cast<const char*>(kernel.FullPathName), "\\SystemRoot\\system32\\ntoskrnl.exe");
    EXPECT_STREQ(reinterpret_cast<const char*>(kernel.FullPathName + kernel.OffsetToFileName), "ntoskrnl.exe");
    const auto base = reinterpret_cast<ULONG_PTR>(kernel.ImageBase);
    const auto routine = reinterpret_cast<ULONG_PTR>(&IofCallDriver);
    EXPECT_LE(base, routine);
    EXPECT_LT(routine, base + kernel.ImageSize);
}

TEST_F(NtTest, system_handle_lists_hold_a_new_handle_with_its_access) {
    Handle event(make_event(NotificationEvent, FALSE, EVENT_QUERY_STATE | SYNCHRONIZE));
    const auto self = reinterpret_cast<ULONG_PTR>(PsGetCurrentProcessId());
    const std::vector<unsigned char> extended = query_list(SystemExtendedHandleInformation);
    const auto* ex = reinterpret_cast<const SYSTEM_HANDLE_INFORMATION_EX*>(extended.data());
    ASSERT_EQ(extended.size(), FIELD_OFFSET(SYSTEM_HANDLE_INFORMATION_EX, Handles) +
                                   ex->NumberOfHandles * sizeof(SYSTEM_HANDLE_TABLE_ENTRY_INFO_EX));
    const SYSTEM_HANDLE_TABLE_ENTRY_INFO_EX* found = nullptr;
    for (ULONG_PTR i = 0; i < ex->NumberOfHandles; ++i)
        if (ex->Handles[i].UniqueProcessId == self && ex->Handles[i].HandleValue == reinterpret_cast<ULONG_PTR>(event.get()))
            found = &ex->Handles[i];
    ASSERT_NE(found, nullptr);
    EXPECT_EQ(found->GrantedAccess, ACCESS_MASK(EVENT_QUERY_STATE | SYNCHRONIZE));
    PVOID object = nullptr;
    ASSERT_EQ(ObReferenceObjectByHandle(event, 0, *ExEventObjectType, KernelMode, &object, nullptr), STATUS_SUCCESS);
    EXPECT_EQ(found->Object, object);
    ObDereferenceObject(object);

    const std::vector<unsigned char> plain = query_list(SystemHandleInformation);
    const auto* handles = reinterpret_cast<const SYSTEM_HANDLE_INFORMATION*>(plain.data());
    bool listed = false;
    for (ULONG i = 0; i < handles->NumberOfHandles; ++i)
        listed |= handles->Handles[i].UniqueProcessId == USHORT(self) &&
                  handles->Handles[i].HandleValue == USHORT(reinterpret_cast<ULONG_PTR>(event.get())) &&
                  handles->Handles[i].Object == found->Object;
    EXPECT_TRUE(listed);
}

TEST_F(NtTest, system_processor_performance_has_one_entry_per_processor) {
    const ULONG processors = KeQueryActiveProcessorCount(nullptr);
    ULONG needed = 0;
    ASSERT_EQ(NtQuerySystemInformation(SystemProcessorPerformanceInformation, nullptr, 0, &needed),
              STATUS_INFO_LENGTH_MISMATCH);
    ASSERT_EQ(needed, processors * sizeof(SYSTEM_PROCESSOR_PERFORMANCE_INFORMATION));
    std::vector<SYSTEM_PROCESSOR_PERFORMANCE_INFORMATION> times(processors);
    ASSERT_EQ(NtQuerySystemInformation(SystemProcessorPerformanceInformation, times.data(), needed, nullptr),
              STATUS_SUCCESS);
    LONGLONG busy = 0;
    for (const SYSTEM_PROCESSOR_PERFORMANCE_INFORMATION& cpu : times) {
        EXPECT_GE(cpu.KernelTime.QuadPart, cpu.IdleTime.QuadPart) << "kernel time includes the idle time";
        busy += cpu.KernelTime.QuadPart + cpu.UserTime.QuadPart;
    }
    EXPECT_GT(busy, 0);
}

TEST_F(NtTest, system_information_refuses_unknown_classes_and_bad_pointers) {
    UCHAR buffer[512]{};
    // 255: the largest value the enumeration can hold (a value beyond its range may not even be
    // passed as the type in C++; UBSan reports the load).
    for (int bad : {4, 7, int(SystemPerformanceInformation), int(SystemRegistryQuotaInformation), 200, 255}) {
        SYSTEM_INFORMATION_CLASS info_class;
        std::memcpy(&info_class, &bad, sizeof info_class);
        EXPECT_EQ(NtQuerySystemInformation(info_class, buffer, sizeof buffer, nullptr),
                  STATUS_INVALID_INFO_CLASS)
            << bad;
    }
    BadMemory bad;
    EXPECT_EQ(NtQuerySystemInformation(SystemBasicInformation, bad.read_only<SYSTEM_BASIC_INFORMATION>(),
                                       sizeof(SYSTEM_BASIC_INFORMATION), nullptr),
              STATUS_ACCESS_VIOLATION);
    EXPECT_EQ(NtQuerySystemInformation(SystemBasicInformation, nullptr, sizeof(SYSTEM_BASIC_INFORMATION), nullptr),
              STATUS_ACCESS_VIOLATION);
    SYSTEM_BASIC_INFORMATION basic{};
    EXPECT_EQ(NtQuerySystemInformation(SystemBasicInformation, &basic, sizeof basic, bad.no_access<ULONG>()),
              STATUS_ACCESS_VIOLATION);
    EXPECT_EQ(NtQuerySystemInformation(SystemModuleInformation, bad.no_access<UCHAR>(), 4096, nullptr),
              STATUS_ACCESS_VIOLATION);
    EXPECT_EQ(NtQuerySystemInformation(SystemProcessInformation, buffer, sizeof buffer, bad.read_only<ULONG>()),
              STATUS_ACCESS_VIOLATION);
    EXPECT_EQ(NtQuerySystemInformation(SystemModuleInformation, buffer + 1, 64, nullptr), STATUS_DATATYPE_MISALIGNMENT);
}

}  // namespace
}  // namespace ntio::test
