// Process and thread objects. _EPROCESS is a waitable object (its DISPATCHER_HEADER comes first and
// is signalled when the process terminates) holding the handle table, the primary token and the
// list of its threads. _ETHREAD extends ke's _KTHREAD with the client id and the process link.
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "ob/ddk.hpp"

#include "ke/process.hpp"
#include "ke/thread.hpp"
#include "ob/handle_table.hpp"
#include "se/token.hpp"

namespace ntio::ob {
class ObjectManager;

// One pool's quota in a process (process_quota.cpp): bytes charged now, the most ever charged at
// once, and the most that may be. Lock-free: charges come at up to DISPATCH_LEVEL from any thread.
struct PoolQuota {
    std::atomic<SIZE_T> usage{0};
    std::atomic<SIZE_T> peak{0};
    std::atomic<SIZE_T> limit{0};
};
// PoolQuota indexes in _EPROCESS::m_pool_quota, in the order of NT's quota types.
inline constexpr int kNonPagedQuota = 0;
inline constexpr int kPagedQuota = 1;
// The limits a process starts with (an ntio choice, docs/nt-deviations.md).
inline constexpr SIZE_T kDefaultNonPagedPoolQuota = SIZE_T{128} << 20;
inline constexpr SIZE_T kDefaultPagedPoolQuota = SIZE_T{512} << 20;
// NT's PROCESS_PRIORITY_CLASS_* values, and the base priority each gives a process's threads.
inline constexpr UCHAR kPriorityClassIdle = 1;
inline constexpr UCHAR kPriorityClassNormal = 2;
inline constexpr UCHAR kPriorityClassHigh = 3;
inline constexpr UCHAR kPriorityClassRealtime = 4;
inline constexpr UCHAR kPriorityClassBelowNormal = 5;
inline constexpr UCHAR kPriorityClassAboveNormal = 6;
inline constexpr KPRIORITY priority_class_base(UCHAR priority_class) noexcept {
    switch (priority_class) {
    case kPriorityClassIdle: return 4;
    case kPriorityClassBelowNormal: return 6;
    case kPriorityClassAboveNormal: return 10;
    case kPriorityClassHigh: return 13;
    case kPriorityClassRealtime: return 24;
    default: return 8;
    }
}

// IO_COUNTERS' figures (ProcessIoCounters): operations and bytes, each for reads, writes and the
// rest. A thread's set is written by that thread alone (a load and a store, no locked instruction on
// the I/O path: io/io_counters.hpp) and read by the query at any time; a process's shared set takes
// atomic adds from threads of other processes that complete its requests, and the figures of its
// threads that are gone.
enum IoCountKind : int { kIoRead = 0, kIoWrite = 1, kIoOther = 2 };
struct IoCounts {
    std::atomic<ULONGLONG> operations[3] = {};
    std::atomic<ULONGLONG> bytes[3] = {};
};
}  // namespace ntio::ob

struct _EPROCESS : _KPROCESS {
    ntio::ob::ObjectManager* m_manager = nullptr;
    ntio::ob::HandleTable m_handle_table;
    std::shared_ptr<ntio::se::Token> m_token;
    HANDLE m_unique_id = nullptr;
    HANDLE m_parent_id = nullptr;
    bool m_is_system = false;
    std::u16string m_image_name;
    std::atomic<bool> m_terminating{false};
    std::atomic<bool> m_terminated{false};
    NTSTATUS m_exit_status = STATUS_PENDING;  // written before the signal, read after it
    // System times (100 ns since 1601) of the creation and of the termination (0 while it runs):
    // PsGetProcessCreateTimeQuadPart and PsGetProcessExitTime.
    LONGLONG m_create_time = 0;
    std::atomic<LONGLONG> m_exit_time{0};
    std::mutex m_thread_lock;
    std::vector<struct _ETHREAD*> m_threads;  // live thread objects (not referenced)
    std::uint64_t m_deleted_threads_cpu_ns = 0;  // CPU time of threads gone from m_threads (m_thread_lock)
    ntio::ob::IoCounts m_io_shared;  // see IoCounts
    // Pool quota, [kNonPagedQuota] and [kPagedQuota]. Never charged for the system process. A block
    // allocated with quota holds a reference on the process it charged until it is freed.
    ntio::ob::PoolQuota m_pool_quota[2];
    // The priority class (SetPriorityClass), as NT's PROCESS_PRIORITY_CLASS_* numbers it; ntio
    // records and reports it, the host's scheduling does not change.
    std::atomic<UCHAR> m_priority_class{ntio::ob::kPriorityClassNormal};
    std::atomic<bool> m_background_mode{false};  // PROCESS_MODE_BACKGROUND_BEGIN .. _END
    // What NtSetInformationProcess keeps and reports, none of it applied to the host: the processors
    // the threads may run on (0 until set: all active ones), priority boosts disabled, the process
    // critical (ProcessBreakOnTermination) and its default hard error mode (1: hard errors shown).
    std::atomic<KAFFINITY> m_affinity{0};
    std::atomic<bool> m_priority_boost_disabled{false};
    std::atomic<bool> m_break_on_termination{false};
    std::atomic<ULONG> m_hard_error_mode{1};

    _EPROCESS(ntio::ob::ObjectManager& manager, bool is_system, std::shared_ptr<ntio::se::Token> token)
        : m_manager(&manager), m_handle_table(is_system), m_token(std::move(token)), m_is_system(is_system)
    {
        m_pool_quota[ntio::ob::kNonPagedQuota].limit.store(ntio::ob::kDefaultNonPagedPoolQuota,
                                                           std::memory_order_relaxed);
        m_pool_quota[ntio::ob::kPagedQuota].limit.store(ntio::ob::kDefaultPagedPoolQuota, std::memory_order_relaxed);
    }
};

struct _ETHREAD : _KTHREAD {
    // _KTHREAD::m_process holds a reference on the process for the thread object's lifetime.
    HANDLE m_cid_thread = nullptr;
    std::atomic<bool> m_terminating{false};  // PsIsThreadTerminating
    // Created by PsCreateSystemThread: thread notify routines hear of its end (set before it runs).
    bool m_ps_visible = false;
    // Threaded IRPs issued by this thread (IRP.ThreadListEntry), NT's ETHREAD.IrpList. Guarded by
    // m_irp_list_lock; the I/O manager cancels and waits for them when the thread terminates.
    LIST_ENTRY m_irp_list{&m_irp_list, &m_irp_list};
    std::atomic<bool> m_irp_list_lock{false};
    // Impersonation (PsImpersonateClient): the client token the thread acts with instead of its
    // process's, guarded by m_impersonation_lock (another thread may set it).
    std::mutex m_impersonation_lock;
    std::shared_ptr<ntio::se::Token> m_impersonation_token;
    SECURITY_IMPERSONATION_LEVEL m_impersonation_level = SecurityAnonymous;
    bool m_copy_on_open = false;
    bool m_effective_only = false;
    // NtSetInformationThread(ThreadHideFromDebugger): set once, never cleared.
    std::atomic<bool> m_hide_from_debugger{false};
    // IoSetDeviceToVerify / IoGetDeviceToVerify (io/device_to_verify.cpp): not referenced.
    std::atomic<PDEVICE_OBJECT> m_device_to_verify{nullptr};
    // IoSetThreadHardErrorMode (io/hard_error.cpp): hard errors are enabled until a thread disables them.
    std::atomic<bool> m_hard_errors_disabled{false};
    // PsSetCurrentThreadPrefetching (ob/thread_prefetching.cpp): only the thread itself touches it.
    bool m_prefetching = false;
    // IoCreateSystemThread (io/system_thread.cpp): the driver or device object the thread holds a
    // reference on until it exits.
    std::atomic<PVOID> m_io_object{nullptr};
    // SetThreadPriorityBoost: recorded and reported only (the host schedules the thread).
    std::atomic<bool> m_priority_boost_disabled{false};
    // The start address NtQueryInformationThread and NtQuerySystemInformation report: CreateThread's
    // lpStartAddress, PsCreateSystemThread's StartRoutine; null for adopted host threads and ntio's
    // own worker threads. Set before the thread starts, read by others at any time.
    std::atomic<PVOID> m_start_address{nullptr};
    // The I/O this thread asked for (see ntio::ob::IoCounts), for its process's ProcessIoCounters.
    ntio::ob::IoCounts m_io_counts;
    // SetThreadDescription's text, guarded by m_description_lock.
    std::mutex m_description_lock;
    std::u16string m_description;
};

namespace ntio::ob {

// The process the calling thread acts in: the process it is attached to (ProcessAttach), else its
// thread's process, else the initial application process of System::current(). Null only when no
// System is alive. Any IRQL. Inline: every handle lookup starts here.
extern constinit thread_local PEPROCESS t_attached;  // ProcessAttach's process
PEPROCESS current_process_slow() noexcept;
inline PEPROCESS current_process() noexcept
{
    if (PEPROCESS attached = t_attached) return attached;
    if (_KTHREAD* thread = ke::current_thread_if_any(); thread && thread->m_process)
        return thread->m_process;
    return current_process_slow();
}

// Makes the calling host thread act in `process` until destroyed (nesting allowed): handles it
// creates and looks up use that process's table. The counterpart of KeStackAttachProcess for the
// object manager. The caller keeps `process` referenced for the scope's lifetime.
class ProcessAttach {
public:
    explicit ProcessAttach(PEPROCESS process) noexcept;
    ~ProcessAttach();
    ProcessAttach(const ProcessAttach&) = delete;
    ProcessAttach& operator=(const ProcessAttach&) = delete;

private:
    PEPROCESS m_previous;
};

}  // namespace ntio::ob

namespace ntio::ob {
// Type procedures of Process and Thread objects (process.cpp, thread_objects.cpp).
void delete_process_object(void* body);
// Called when a process ends, after its handles are closed (cleanup sent for its files): at
// termination, or at the deletion of a process never terminated. The memory manager's check of what
// is still locked in it (io/locked_pages.cpp). One hook, set once at start-up; null: none.
using ProcessTeardownHook = void (*)(PEPROCESS process) noexcept;
void set_process_teardown_hook(ProcessTeardownHook hook) noexcept;
void dump_process_object(void* body, std::string& out);
// Pool quota (process_quota.cpp). charge: false, and nothing charged, when `amount` would take the
// usage over the limit. give_back: false, and nothing returned, when more than the usage would be
// returned. Both count nothing for the system process (true). Any IRQL <= DISPATCH_LEVEL.
bool charge_pool_quota(PEPROCESS process, bool paged, SIZE_T amount) noexcept;
bool return_pool_quota(PEPROCESS process, bool paged, SIZE_T amount) noexcept;
void delete_thread_object(void* body);
void dump_thread_object(void* body, std::string& out);
// The calling thread's impersonation token and level (null when it does not impersonate): se's
// impersonation resolver (impersonation.cpp).
std::shared_ptr<se::Token> current_impersonation(SECURITY_IMPERSONATION_LEVEL* level);
}  // namespace ntio::ob
