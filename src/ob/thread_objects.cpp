// Thread objects (_ETHREAD) for ke, and the Ps* thread and process DDIs built on them:
// PsCreateSystemThread, PsTerminateSystemThread, current thread/process and their ids.
#include "ob/thread_objects.hpp"


#include <new>

#include "host/clock.hpp"
#include "host/thread.hpp"
#include "ke/dispatcher.hpp"
#include "ke/kernel.hpp"
#include "ke/thread_lifecycle.hpp"
#include "ntio/system.hpp"
#include "ob/object_manager.hpp"
#include "ob/ps_notify.hpp"
#include "rtl/version.hpp"
#include "verifier/verifier.hpp"

namespace ntio::ob {

_KTHREAD* ThreadObjects::allocate_thread(PEPROCESS process)
{
    if (!process) process = m_manager.system_process();
    if (!process || process->m_terminating.load(std::memory_order_acquire)) return nullptr;
    void* body = nullptr;
    if (!NT_SUCCESS(m_manager.create_object(KernelMode, &g_thread_type, nullptr, sizeof(_ETHREAD), &body)))
        return nullptr;
    auto* thread = new (body) _ETHREAD();
    ObjectHeader* h = header_of(body);
    h->create_info.reset();
    h->flags.fetch_or(kObjectInserted, std::memory_order_relaxed);
    if (process->m_token) h->security = se::SecurityDescriptor::default_for(*process->m_token);
    reference(header_of(process));
    thread->m_process = process;
    thread->m_cid_thread = m_manager.allocate_client_id();
    {
        std::lock_guard<std::mutex> guard(process->m_thread_lock);
        process->m_threads.push_back(thread);
    }
    return thread;
}

void ThreadObjects::release_thread(_KTHREAD* thread)
{
    if (thread) dereference(header_of(thread));
}

PEPROCESS ThreadObjects::system_process() { return m_manager.system_process(); }
PEPROCESS ThreadObjects::host_thread_process() { return m_manager.initial_process(); }

void delete_thread_object(void* body)
{
    auto* thread = static_cast<_ETHREAD*>(body);
    PEPROCESS process = thread->m_process;
    if (process) {
        std::lock_guard<std::mutex> guard(process->m_thread_lock);
        process->m_deleted_threads_cpu_ns += ke::thread_cpu_time_ns(thread);
        for (int k = 0; k < 3; ++k) {
            process->m_io_shared.operations[k].fetch_add(thread->m_io_counts.operations[k].load(std::memory_order_relaxed),
                                                         std::memory_order_relaxed);
            process->m_io_shared.bytes[k].fetch_add(thread->m_io_counts.bytes[k].load(std::memory_order_relaxed),
                                                    std::memory_order_relaxed);
        }
        std::erase(process->m_threads, thread);
    }
    thread->~_ETHREAD();
    if (process) dereference(header_of(process));
}

void dump_thread_object(void* body, std::string& out)
{
    auto* thread = static_cast<_ETHREAD*>(body);
    out += " tid " + std::to_string(reinterpret_cast<ULONG_PTR>(thread->m_cid_thread));
}

}  // namespace ntio::ob

using namespace ntio;

namespace {

_ETHREAD* as_ethread(_KTHREAD* thread) { return static_cast<_ETHREAD*>(thread); }

ob::ObjectManager* current_manager()
{
    if (PEPROCESS process = ob::current_process()) return process->m_manager;
    return nullptr;
}

}  // namespace

extern "C" {

PETHREAD PsGetCurrentThread(VOID) { return as_ethread(ke::current_thread()); }

PEPROCESS PsGetCurrentProcess(VOID) { return ob::current_process(); }

PEPROCESS IoGetCurrentProcess(VOID) { return ob::current_process(); }

HANDLE PsGetCurrentProcessId(VOID)
{
    PEPROCESS process = ob::current_process();
    return process ? process->m_unique_id : nullptr;
}

HANDLE PsGetCurrentThreadId(VOID)
{
    _KTHREAD* thread = ke::current_thread();
    return thread ? as_ethread(thread)->m_cid_thread : nullptr;
}

HANDLE PsGetProcessId(PEPROCESS Process) { return Process ? Process->m_unique_id : nullptr; }

// The process's primary token, kept alive until PsDereferencePrimaryToken (a driver asks it, for
// instance, SeTokenIsAdmin). NULL for a process without a token.
// https://learn.microsoft.com/en-us/windows-hardware/drivers/ddi/ntifs/nf-ntifs-psreferenceprimarytoken
// NT deviation: ntio tokens are not objects; release them with PsDereferencePrimaryToken, not
// ObDereferenceObject.
PACCESS_TOKEN PsReferencePrimaryToken(PEPROCESS Process)
{
    if (!Process || !Process->m_token) return nullptr;
    Process->m_token->pin();
    return Process->m_token.get();
}

// https://learn.microsoft.com/en-us/windows-hardware/drivers/ddi/ntifs/nf-ntifs-psdereferenceprimarytoken
VOID PsDereferencePrimaryToken(PACCESS_TOKEN PrimaryToken)
{
    if (PrimaryToken) static_cast<se::Token*>(PrimaryToken)->unpin();
}

HANDLE PsGetThreadId(PETHREAD Thread) { return Thread ? Thread->m_cid_thread : nullptr; }

HANDLE PsGetThreadProcessId(PETHREAD Thread)
{
    return Thread && Thread->m_process ? Thread->m_process->m_unique_id : nullptr;
}

PEPROCESS PsGetThreadProcess(PETHREAD Thread) { return Thread ? Thread->m_process : nullptr; }

// KeQueryTotalCycleTimeProcess (<wdm.h>, next to KeQueryTotalCycleTimeThread; no Learn page): the
// cycle time of the process's threads, the ended ones included, counted as that routine counts a
// thread's.
NTKERNELAPI ULONG64 KeQueryTotalCycleTimeProcess(PKPROCESS Process, PULONG64 CycleTimeStamp)
{
    auto* process = static_cast<PEPROCESS>(Process);
    std::uint64_t ns = 0;
    {
        std::lock_guard<std::mutex> guard(process->m_thread_lock);
        ns = process->m_deleted_threads_cpu_ns;
        for (_ETHREAD* thread : process->m_threads) ns += ke::thread_cpu_time_ns(thread);
    }
    if (CycleTimeStamp) *CycleTimeStamp = host::cycle_counter();
    return ke::cpu_time_as_cycles(ns);
}

// <ntifs.h>, undocumented on Learn: the CLIENT_ID of the thread that owns the mutant, zeroes when
// none does. Read under the dispatcher lock, which an owner needs to release the mutant or to
// abandon it when it ends, so the owner cannot go while its ids are read. A thread ke made without
// the object manager (no _ETHREAD) has no client id: zeroes too.
NTKERNELAPI VOID KeQueryOwnerMutant(PKMUTANT Mutant, PCLIENT_ID ClientId)
{
    ClientId->UniqueProcess = nullptr;
    ClientId->UniqueThread = nullptr;
    ke::DispatcherGuard guard;
    _KTHREAD* owner = Mutant->OwnerThread;
    if (!owner || !dynamic_cast<ob::ThreadObjects*>(owner->m_provider)) return;
    auto* thread = static_cast<PETHREAD>(owner);
    ClientId->UniqueThread = thread->m_cid_thread;
    ClientId->UniqueProcess = thread->m_process ? thread->m_process->m_unique_id : nullptr;
}

BOOLEAN PsIsSystemThread(PETHREAD Thread)
{
    return Thread && Thread->m_process && Thread->m_process->m_is_system;
}

BOOLEAN PsIsThreadTerminating(PETHREAD Thread)
{
    return Thread && (Thread->m_terminating.load(std::memory_order_acquire) || ke::is_terminated(Thread));
}

NTSTATUS PsCreateSystemThread(PHANDLE ThreadHandle, ULONG DesiredAccess, POBJECT_ATTRIBUTES ObjectAttributes,
                              HANDLE ProcessHandle, PCLIENT_ID ClientId, PKSTART_ROUTINE StartRoutine,
                              PVOID StartContext)
{
    NTIO_VERIFY_DDI(ntio::verifier::DdiRule::PsPassive);
    if (!ThreadHandle || !StartRoutine) return STATUS_INVALID_PARAMETER;
    *ThreadHandle = nullptr;
    ob::ObjectManager* manager = current_manager();
    if (!manager) return STATUS_INVALID_PARAMETER;
    ULONG attributes = 0;
    if (ObjectAttributes) {
        if (ObjectAttributes->Length != sizeof(OBJECT_ATTRIBUTES) ||
            (ObjectAttributes->Attributes & ~OBJ_VALID_ATTRIBUTES))
            return STATUS_INVALID_PARAMETER;
        attributes = ObjectAttributes->Attributes & (OBJ_KERNEL_HANDLE | OBJ_INHERIT);
    }
    ob::ObRef<_EPROCESS> process;
    if (ProcessHandle) {
        void* body = nullptr;
        NTSTATUS status = manager->reference_object_by_handle(ProcessHandle, PROCESS_CREATE_THREAD,
                                                              &ob::g_process_type, KernelMode, &body, nullptr);
        if (!NT_SUCCESS(status)) return status;
        process = ob::ObRef<_EPROCESS>::adopt(static_cast<PEPROCESS>(body));
    } else {
        process = ob::ObRef<_EPROCESS>::share(manager->system_process());
    }
    PEPROCESS target = process.get();
    if (!target) return STATUS_INVALID_PARAMETER;
    if (target->m_terminating.load(std::memory_order_acquire)) return STATUS_PROCESS_IS_TERMINATING;
    System& system = manager->system();
    _KTHREAD* thread = manager->threads().allocate_thread(process.get());
    if (!thread) return STATUS_INSUFFICIENT_RESOURCES;
    ke::initialize_thread(thread, system, process.get());
    as_ethread(thread)->m_start_address.store(reinterpret_cast<PVOID>(StartRoutine), std::memory_order_relaxed);
    // Our own reference: the thread may run, finish and release itself before we open the handle.
    auto keep = ob::ObRef<_KTHREAD>::share(thread);
    // Thread notify routines hear of it on this, the creating, thread before it runs.
    ob::notify_thread_created(as_ethread(thread));
    NTSTATUS status = system.kernel().start_thread(thread, StartRoutine, StartContext);
    if (!NT_SUCCESS(status)) {
        ob::thread_rundown_notify(thread, manager);  // it never ran: its end is now
        manager->threads().release_thread(thread);
        return status;
    }
    status = manager->open_object_by_pointer(thread, attributes, DesiredAccess, &ob::g_thread_type, KernelMode,
                                             ThreadHandle);
    if (NT_SUCCESS(status) && ClientId) {
        ClientId->UniqueProcess = process->m_unique_id;
        ClientId->UniqueThread = as_ethread(thread)->m_cid_thread;
    }
    return status;
}

NTSTATUS PsTerminateSystemThread(NTSTATUS ExitStatus)
{
    NTIO_VERIFY_DDI(ntio::verifier::DdiRule::PsPassive);
    _KTHREAD* thread = ke::current_thread_if_any();
    if (!thread || !thread->m_is_system_thread || !thread->m_kernel) return STATUS_INVALID_PARAMETER;
    as_ethread(thread)->m_terminating.store(true, std::memory_order_release);
    thread->m_kernel->terminate_current_thread(ExitStatus);
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-pslookupprocessbyprocessid
// Any process of the caller's System still in existence (terminated ones too, until deleted).
NTSTATUS PsLookupProcessByProcessId(HANDLE ProcessId, PEPROCESS* Process)
{
    if (!Process) return STATUS_INVALID_PARAMETER;
    *Process = nullptr;
    ob::ObjectManager* manager = current_manager();
    PEPROCESS found = manager && ProcessId ? manager->reference_process_by_id(ProcessId) : nullptr;
    if (!found) return STATUS_INVALID_PARAMETER;
    *Process = found;
    return STATUS_SUCCESS;
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-pslookupthreadbythreadid
NTSTATUS PsLookupThreadByThreadId(HANDLE ThreadId, PETHREAD* Thread)
{
    if (!Thread) return STATUS_INVALID_PARAMETER;
    *Thread = nullptr;
    ob::ObjectManager* manager = current_manager();
    PETHREAD found = manager && ThreadId ? manager->reference_thread_by_id(ThreadId) : nullptr;
    if (!found) return STATUS_INVALID_PARAMETER;
    *Thread = found;
    return STATUS_SUCCESS;
}

// The thread a CLIENT_ID names and, when Process is not NULL, its process, each referenced. Learn
// has no page for this ntifs.h routine; ntio's reading of it: UniqueThread must name a live thread
// whose process has the id UniqueProcess, anything else is STATUS_INVALID_CID (the status
// NtOpenThread gives for a client id that names nothing), and a NULL Cid or Thread is
// STATUS_INVALID_PARAMETER.
NTSTATUS NTAPI PsLookupProcessThreadByCid(PCLIENT_ID Cid, PEPROCESS* Process, PETHREAD* Thread)
{
    if (!Cid || !Thread) return STATUS_INVALID_PARAMETER;
    *Thread = nullptr;
    if (Process) *Process = nullptr;
    PETHREAD thread = nullptr;
    if (!Cid->UniqueThread || !NT_SUCCESS(PsLookupThreadByThreadId(Cid->UniqueThread, &thread))) {
        return STATUS_INVALID_CID;
    }
    if (PsGetThreadProcessId(thread) != Cid->UniqueProcess) {
        ObDereferenceObject(thread);
        return STATUS_INVALID_CID;
    }
    if (Process) {
        *Process = PsGetThreadProcess(thread);
        ObReferenceObject(*Process);
    }
    *Thread = thread;
    return STATUS_SUCCESS;
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nf-ntddk-psgetprocesscreatetimequadpart
// The system time at which the process object was created. A guess: Learn does not say what a NULL
// Process gives; ntio answers 0 rather than fault.
LONGLONG PsGetProcessCreateTimeQuadPart(PEPROCESS Process) { return Process ? Process->m_create_time : 0; }

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-psgetprocessexittime
// The current process's exit time; 0 while it has not terminated (a guess: Learn is silent on a
// running process; NT's EPROCESS.ExitTime is zero until the process exits).
LARGE_INTEGER PsGetProcessExitTime(VOID)
{
    LARGE_INTEGER time;
    PEPROCESS process = ob::current_process();
    time.QuadPart = process ? process->m_exit_time.load(std::memory_order_acquire) : 0;
    return time;
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-psgetversion: returns TRUE
// for a checked build of the OS, which ntio never is. ntio reports the Windows 10 kernel whose
// layouts its DDK headers follow (version 10.0, build 19041) and no service pack (an empty
// CSDVersion, whose buffer the caller supplies).
BOOLEAN PsGetVersion(PULONG MajorVersion, PULONG MinorVersion, PULONG BuildNumber, PUNICODE_STRING CSDVersion)
{
    NTIO_VERIFY_DDI(ntio::verifier::DdiRule::PsPassive);
    if (MajorVersion) *MajorVersion = ntio::rtl::kMajorVersion;
    if (MinorVersion) *MinorVersion = ntio::rtl::kMinorVersion;
    if (BuildNumber) *BuildNumber = ntio::rtl::kBuildNumber;
    if (CSDVersion) {
        CSDVersion->Length = 0;
        if (CSDVersion->Buffer && CSDVersion->MaximumLength >= sizeof(WCHAR)) CSDVersion->Buffer[0] = L'\0';
    }
    return FALSE;
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nf-ntddk-iogetinitialstack: the
// initial stack pointer of the current thread, the top of its (downward-growing) stack.
PVOID NTAPI IoGetInitialStack(VOID)
{
    NTIO_VERIFY_DDI(ntio::verifier::DdiRule::IoApcLte);
    ULONG_PTR low = 0;
    ULONG_PTR high = 0;
    IoGetStackLimits(&low, &high);
    return reinterpret_cast<PVOID>(high);
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-iogetstacklimits: the
// current thread's stack as its host thread has it (0 and 0 when the host cannot say).
VOID NTAPI IoGetStackLimits(PULONG_PTR LowLimit, PULONG_PTR HighLimit)
{
    *LowLimit = 0;
    *HighLimit = 0;
    std::uintptr_t low = 0;
    std::uintptr_t high = 0;
    if (!ntio::host::current_thread_stack(low, high)) return;
    *LowLimit = low;
    *HighLimit = high;
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-iowithinstacklimits: whether
// the current thread's stack, as IoGetStackLimits reports it, wholly holds the region. ntio threads
// have one stack each (no DPC stack, no expanded segments: KeExpandKernelStackAndCallout runs on the
// same stack). A region that wraps around the address space is not within it.
LOGICAL NTAPI IoWithinStackLimits(ULONG_PTR RegionStart, SIZE_T RegionSize)
{
    ULONG_PTR low = 0;
    ULONG_PTR high = 0;
    IoGetStackLimits(&low, &high);
    if (RegionStart < low || RegionStart > high) return FALSE;
    return RegionSize <= high - RegionStart ? TRUE : FALSE;
}

}  // extern "C"
