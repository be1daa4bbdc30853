// The lists NtQuerySystemInformation gives (system_lists.hpp): the processes and their threads as
// ntio keeps them, the loaded kernel modules (the list AuxKlibQueryModuleInformation gives), every
// handle of every process, and each processor's times from the host.
// https://learn.microsoft.com/windows/win32/api/winternl/nf-winternl-ntquerysysteminformation
#include "nt/current_system.hpp"
#include <ntio/ntapi.h>

#include "host/system_usage.hpp"
#include "io/irp.hpp"
#include "io/loaded_modules.hpp"
#include "ke/thread_lifecycle.hpp"
#include "nt/system_lists.hpp"
#include "ob/object_type.hpp"
#include "ob/process.hpp"

namespace ntio::nt {
namespace {

// KTHREAD_STATE and KWAIT_REASON values SYSTEM_THREAD_INFORMATION reports.
constexpr ULONG kThreadRunning = 2;
constexpr ULONG kThreadTerminated = 4;
constexpr ULONG kThreadWaiting = 5;
constexpr ULONG kWaitExecutive = 0;

// Where SYSTEM_PROCESS_INFORMATION.Reserved1 holds the times Windows reports there (creation, user
// and kernel time, 100 ns units), and where SYSTEM_THREAD_INFORMATION.Reserved1 holds them
// (kernel, user, creation).
constexpr std::size_t kProcessCreateTime = 0x18;
constexpr std::size_t kProcessUserTime = 0x20;

template <class T>
void put(std::vector<unsigned char>& out, std::size_t at, const T& value) {
    std::memcpy(out.data() + at, &value, sizeof value);
}

// What one thread entry says. NT deviation: the host counts a thread's CPU time as one figure, so
// all of it is user time (as GetThreadTimes reports it); a thread that is not waiting is Running.
SYSTEM_THREAD_INFORMATION thread_entry(_ETHREAD* thread, HANDLE process_id) {
    SYSTEM_THREAD_INFORMATION entry{};
    entry.Reserved1[1].QuadPart = static_cast<LONGLONG>(ke::thread_cpu_time_ns(thread) / 100);
    entry.Reserved1[2].QuadPart = thread->m_create_time;
    entry.StartAddress = thread->m_start_address.load(std::memory_order_relaxed);
    entry.ClientId.UniqueProcess = process_id;
    entry.ClientId.UniqueThread = thread->m_cid_thread;
    entry.Priority = __atomic_load_n(&thread->m_priority, __ATOMIC_RELAXED);
    entry.BasePriority = __atomic_load_n(&thread->m_base_priority, __ATOMIC_RELAXED);
    if (ke::is_terminated(thread)) {
        entry.ThreadState = kThreadTerminated;
    } else if (thread->m_wait_word.load(std::memory_order_relaxed) != ke::kWaitIdle) {
        entry.ThreadState = kThreadWaiting;
        entry.WaitReason = kWaitExecutive;
    } else {
        entry.ThreadState = kThreadRunning;
    }
    return entry;
}

constexpr std::size_t align8(std::size_t n) { return (n + 7) & ~std::size_t{7}; }

// One process's entry, its threads after it, then its image name; the entry's size rounded up so
// that the next one is aligned.
void append_process(std::vector<unsigned char>& out, PEPROCESS process, ULONG_PTR destination) {
    std::vector<SYSTEM_THREAD_INFORMATION> threads;
    std::uint64_t cpu_ns = 0;
    {
        std::lock_guard<std::mutex> guard(process->m_thread_lock);
        cpu_ns = process->m_deleted_threads_cpu_ns;
        for (_ETHREAD* thread : process->m_threads) {
            threads.push_back(thread_entry(thread, process->m_unique_id));
            cpu_ns += ke::thread_cpu_time_ns(thread);
        }
    }
    const std::u16string& name = process->m_image_name;
    const std::size_t start = out.size();
    const std::size_t name_at = start + sizeof(SYSTEM_PROCESS_INFORMATION) + threads.size() * sizeof threads[0];
    const std::size_t name_bytes = name.empty() ? 0 : (name.size() + 1) * sizeof(WCHAR);
    out.resize(align8(name_at + name_bytes));

    SYSTEM_PROCESS_INFORMATION entry{};
    entry.NumberOfThreads = static_cast<ULONG>(threads.size());
    const LONGLONG create_time = process->m_create_time;
    const LONGLONG user_time = static_cast<LONGLONG>(cpu_ns / 100);
    std::memcpy(entry.Reserved1 + kProcessCreateTime, &create_time, sizeof create_time);
    std::memcpy(entry.Reserved1 + kProcessUserTime, &user_time, sizeof user_time);
    if (!name.empty()) {
        entry.ImageName.Length = static_cast<USHORT>(name.size() * sizeof(WCHAR));
        entry.ImageName.MaximumLength = static_cast<USHORT>(name_bytes);
        entry.ImageName.Buffer = reinterpret_cast<PWCH>(destination + name_at);
        std::memcpy(out.data() + name_at, name.data(), name.size() * sizeof(WCHAR));
    }
    entry.BasePriority = ob::priority_class_base(process->m_priority_class.load(std::memory_order_relaxed));
    entry.UniqueProcessId = process->m_unique_id;
    entry.Reserved2 = process->m_parent_id;
    entry.HandleCount = process->m_handle_table.count();
    const ob::PoolQuota& paged = process->m_pool_quota[ob::kPagedQuota];
    const ob::PoolQuota& nonpaged = process->m_pool_quota[ob::kNonPagedQuota];
    entry.Reserved5 = reinterpret_cast<PVOID>(paged.peak.load(std::memory_order_relaxed));
    entry.QuotaPagedPoolUsage = paged.usage.load(std::memory_order_relaxed);
    entry.Reserved6 = reinterpret_cast<PVOID>(nonpaged.peak.load(std::memory_order_relaxed));
    entry.QuotaNonPagedPoolUsage = nonpaged.usage.load(std::memory_order_relaxed);
    put(out, start, entry);
    for (std::size_t i = 0; i < threads.size(); ++i)
        put(out, start + sizeof entry + i * sizeof threads[0], threads[i]);
}

}  // namespace

// NT deviation: ntio has no Idle process (Windows lists it first, with id 0); the processes are
// ntio's, not the host's. Each entry's NextEntryOffset is the distance to the next; the last's is 0.
std::vector<unsigned char> process_list(System& system, PVOID destination) {
    std::vector<unsigned char> out;
    std::size_t previous = 0;
    bool first = true;
    for (const ob::ObRef<_EPROCESS>& process : system.objects().reference_processes()) {
        const std::size_t start = out.size();
        append_process(out, process.get(), reinterpret_cast<ULONG_PTR>(destination));
        if (!first) put(out, previous, static_cast<ULONG>(start - previous));
        previous = start;
        first = false;
    }
    return out;
}

// LoadOrderIndex is the position in the list; the kernel's images are not sections of a process
// (Section and MappedBase are NULL), and each is loaded once.
std::vector<unsigned char> module_list(System& system) {
    const std::vector<io::LoadedModule> modules = io::loaded_modules(system);
    std::vector<unsigned char> out(FIELD_OFFSET(RTL_PROCESS_MODULES, Modules) +
                                   modules.size() * sizeof(RTL_PROCESS_MODULE_INFORMATION));
    put(out, 0, static_cast<ULONG>(modules.size()));
    for (std::size_t i = 0; i < modules.size(); ++i) {
        RTL_PROCESS_MODULE_INFORMATION module{};
        module.ImageBase = modules[i].base;
        constexpr ULONG kLargest = ~ULONG{0};
        module.ImageSize = modules[i].size > kLargest ? kLargest : static_cast<ULONG>(modules[i].size);
        module.LoadOrderIndex = static_cast<USHORT>(i);
        module.LoadCount = 1;
        module.OffsetToFileName = io::copy_module_path(modules[i], module.FullPathName, sizeof module.FullPathName);
        put(out, FIELD_OFFSET(RTL_PROCESS_MODULES, Modules) + i * sizeof module, module);
    }
    return out;
}

// No creator back traces are kept (CreatorBackTraceIndex 0); the object type index is ob's.
std::vector<unsigned char> handle_list(System& system, bool extended) {
    std::vector<SYSTEM_HANDLE_TABLE_ENTRY_INFO_EX> entries;
    for (const ob::ObRef<_EPROCESS>& process : system.objects().reference_processes()) {
        const auto process_id = reinterpret_cast<ULONG_PTR>(process->m_unique_id);
        process->m_handle_table.for_each([&](HANDLE handle, const ob::HandleInfo& info) {
            // The lookup's reference, dropped once the entry is read.
            const ob::ObRef<void> hold = ob::ObRef<void>::adopt(info.object->body());
            SYSTEM_HANDLE_TABLE_ENTRY_INFO_EX entry{};
            entry.Object = info.object->body();
            entry.UniqueProcessId = process_id;
            entry.HandleValue = reinterpret_cast<ULONG_PTR>(handle);
            entry.GrantedAccess = info.granted;
            entry.ObjectTypeIndex = static_cast<USHORT>(info.object->type ? info.object->type->index : 0);
            entry.HandleAttributes = info.attributes;
            entries.push_back(entry);
        });
    }
    if (extended) {
        std::vector<unsigned char> out(FIELD_OFFSET(SYSTEM_HANDLE_INFORMATION_EX, Handles) + entries.size() * sizeof entries[0]);
        put(out, 0, static_cast<ULONG_PTR>(entries.size()));
        if (!entries.empty())
            std::memcpy(out.data() + FIELD_OFFSET(SYSTEM_HANDLE_INFORMATION_EX, Handles), entries.data(),
                        entries.size() * sizeof entries[0]);
        return out;
    }
    std::vector<unsigned char> out(FIELD_OFFSET(SYSTEM_HANDLE_INFORMATION, Handles) +
                                   entries.size() * sizeof(SYSTEM_HANDLE_TABLE_ENTRY_INFO));
    put(out, 0, static_cast<ULONG>(entries.size()));
    for (std::size_t i = 0; i < entries.size(); ++i) {
        SYSTEM_HANDLE_TABLE_ENTRY_INFO entry{};
        entry.UniqueProcessId = static_cast<USHORT>(entries[i].UniqueProcessId);
        entry.ObjectTypeIndex = static_cast<UCHAR>(entries[i].ObjectTypeIndex);
        entry.HandleAttributes = static_cast<UCHAR>(entries[i].HandleAttributes);
        entry.HandleValue = static_cast<USHORT>(entries[i].HandleValue);
        entry.Object = entries[i].Object;
        entry.GrantedAccess = entries[i].GrantedAccess;
        put(out, FIELD_OFFSET(SYSTEM_HANDLE_INFORMATION, Handles) + i * sizeof entry, entry);
    }
    return out;
}

// "KernelTime ... includes IdleTime" as GetSystemTimes reports it. NT deviation: the host keeps no
// DPC, interrupt time or interrupt count apart (Reserved1 and Reserved2 stay 0).
std::vector<unsigned char> processor_performance_list() {
    const ULONG count = KeQueryActiveProcessorCount(nullptr);
    std::vector<host::CpuTimes> times(count);
    if (!host::processor_cpu_times(times.data(), times.size())) return {};
    std::vector<unsigned char> out(count * sizeof(SYSTEM_PROCESSOR_PERFORMANCE_INFORMATION));
    for (ULONG i = 0; i < count; ++i) {
        SYSTEM_PROCESSOR_PERFORMANCE_INFORMATION entry{};
        entry.IdleTime.QuadPart = static_cast<LONGLONG>(times[i].idle_ns / 100);
        entry.KernelTime.QuadPart = static_cast<LONGLONG>((times[i].kernel_ns + times[i].idle_ns) / 100);
        entry.UserTime.QuadPart = static_cast<LONGLONG>(times[i].user_ns / 100);
        put(out, i * sizeof entry, entry);
    }
    return out;
}

}  // namespace ntio::nt
