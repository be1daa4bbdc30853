// Threaded IRPs: the per-thread IRP list (NT's ETHREAD.IrpList, IRP.ThreadListEntry) guarded by a
// tiny spin lock, and the thread-exit rundown that cancels a dying thread's IRPs and waits for them,
// as NT's IoCancelThreadIo does (cancel each, then wait up to five minutes, then give up: the rest
// are disassociated from the thread and an error is logged for each one's device).
#include "io/irp.hpp"
#include "ob/thread_objects.hpp"

#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

#include "ke/kernel.hpp"
#include "ob/process.hpp"

namespace ntio::io {
namespace {

// The thread whose list the calling thread is running down: a cancel routine run by the rundown
// may complete an IRP inline, and that completion must not spin on the lock its own thread holds.
thread_local _ETHREAD* t_rundown_owner = nullptr;

using ListLock = ThreadIrpListLock;

// ThreadIrpListLock's protocol, inline for the two per-request paths (queue, dequeue): one exchange
// to take the lock, a plain release store to drop it. False when the caller runs this list's
// rundown and so already holds it.
// The contended case, out of line so that the two per-request paths save no registers for it.
[[gnu::noinline]] void spin_for_list(_ETHREAD* thread) noexcept {
    do {
        while (thread->m_irp_list_lock.load(std::memory_order_relaxed)) __builtin_ia32_pause();
    } while (thread->m_irp_list_lock.exchange(true, std::memory_order_acquire));
}

[[gnu::always_inline]] inline bool acquire_list(_ETHREAD* thread) noexcept {
    if (t_rundown_owner == thread) [[unlikely]]
        return false;
    if (thread->m_irp_list_lock.exchange(true, std::memory_order_acquire)) [[unlikely]]
        spin_for_list(thread);
    return true;
}

[[gnu::always_inline]] inline void release_list(_ETHREAD* thread, bool owned) noexcept {
    if (owned) [[likely]]
        thread->m_irp_list_lock.store(false, std::memory_order_release);
}

// https://learn.microsoft.com/windows-hardware/drivers/kernel/canceling-irps: "If a canceled IRP is
// not completed within 5 minutes, the I/O manager considers the IRP timed out. Such IRPs are
// disassociated from the thread, and an error is logged for the device that currently owns the IRP."
// The wait polls: the usual wait is for a completion already under way on the other CPU, so the first
// polls only yield (timer sleeps are coarse), then it sleeps in short steps until the deadline.
constexpr LONGLONG kRundownStep100ns = 10 * 100;  // 100 us
constexpr int kRundownYields = 1000;
constexpr ULONG kDefaultCancelTimeoutMs = 5 * 60 * 1000;
std::atomic<ULONG> g_cancel_timeout_ms{kDefaultCancelTimeoutMs};

// ntiologc.h's IO_DRIVER_CANCEL_TIMEOUT: "An Io Request to the device %1 did not complete or canceled
// within the specific timeout."
constexpr NTSTATUS kIoDriverCancelTimeout = static_cast<NTSTATUS>(0x80040036);

// The device at the IRP's current stack location (the one that owns it now), referenced; null when
// the IRP is between locations (not yet sent, or completed past its last).
PDEVICE_OBJECT owning_device(PIRP irp) noexcept {
    if (irp->CurrentLocation < 1 || irp->CurrentLocation > irp->StackCount) return nullptr;
    PDEVICE_OBJECT device = irp->Tail.Overlay.CurrentStackLocation->DeviceObject;
    if (device) ObReferenceObject(device);
    return device;
}

void log_cancel_timeout(PDEVICE_OBJECT device) noexcept {
    auto* entry = static_cast<PIO_ERROR_LOG_PACKET>(IoAllocateErrorLogEntry(device, sizeof(IO_ERROR_LOG_PACKET)));
    if (!entry) return;
    entry->ErrorCode = kIoDriverCancelTimeout;
    IoWriteErrorLogEntry(entry);
}

bool irp_list_empty(_ETHREAD* thread) {
    ListLock lock(thread);
    return IsListEmpty(&thread->m_irp_list);
}

void rundown_thread_irps(_KTHREAD* kthread, void*) {
    // Only thread objects of the object manager are _ETHREADs with an IRP list; a kernel booted with
    // another thread provider (ke's own tests) has bare KTHREADs, which never issue IRPs.
    if (!dynamic_cast<ob::ThreadObjects*>(kthread->m_provider)) return;
    auto* thread = static_cast<_ETHREAD*>(kthread);
    // Cancel every IRP once; rescan from the head after each cancel because the cancel routine may
    // complete (and unlink) any IRP of the list.
    for (;;) {
        PIRP victim = nullptr;
        {
            ListLock lock(thread);
            for (PLIST_ENTRY e = thread->m_irp_list.Flink; e != &thread->m_irp_list; e = e->Flink) {
                PIRP irp = CONTAINING_RECORD(e, IRP, ThreadListEntry);
                if (!irp->Cancel) {
                    victim = irp;
                    break;
                }
            }
            if (!victim) break;
            // IoCancelIrp runs with the list held so the IRP cannot be freed under it; inline
            // completions on this thread see t_rundown_owner and unlink without the lock.
            _ETHREAD* previous = t_rundown_owner;
            t_rundown_owner = thread;
            (void)IoCancelIrp(victim);  // sets Cancel (NT fact C1): the scan never picks it again
            t_rundown_owner = previous;
        }
    }
    const auto deadline = std::chrono::steady_clock::now() +
                          std::chrono::milliseconds(g_cancel_timeout_ms.load(std::memory_order_relaxed));
    // A System shutting down ends the threads still bound to it after its workers, DPCs and drivers
    // are gone: nothing is left that could complete the rest, and their devices may be gone too (no
    // error is logged then).
    const bool shutting_down = !kthread->m_kernel->accepting_threads();
    for (int step = 0; !shutting_down; ++step) {
        if (irp_list_empty(thread)) return;
        if (std::chrono::steady_clock::now() >= deadline) break;
        if (step < kRundownYields) {
            std::this_thread::yield();
            continue;
        }
        LARGE_INTEGER interval;
        interval.QuadPart = -kRundownStep100ns;
        KeDelayExecutionThread(KernelMode, FALSE, &interval);
    }
    // Timed out: the rest complete later without a thread to report to (the final stage then writes
    // the IOSB and signals the event directly). Each IRP's device is referenced under the list lock
    // (an IRP on the list is not freed: its completion unlinks it under this lock first) and its
    // error is logged once the lock is dropped.
    std::vector<PDEVICE_OBJECT> devices;
    {
        ListLock lock(thread);
        while (!IsListEmpty(&thread->m_irp_list)) {
            PLIST_ENTRY e = RemoveHeadList(&thread->m_irp_list);
            InitializeListHead(e);
            PIRP irp = CONTAINING_RECORD(e, IRP, ThreadListEntry);
            irp->Tail.Overlay.Thread = nullptr;
            if (!shutting_down) devices.push_back(owning_device(irp));
        }
    }
    for (PDEVICE_OBJECT device : devices) {
        if (!device) continue;
        log_cancel_timeout(device);
        ObDereferenceObject(device);
    }
}

// One registration per Kernel, done the first time an IRP is queued to one of its threads. Keyed by
// address, so a Kernel allocated where a dead one was is taken for it; the I/O manager should call
// register_thread_irp_rundown at boot (running the hook twice is harmless: the list is empty).
std::mutex g_hook_lock;
std::vector<ke::Kernel*>* g_hooked = nullptr;  // guarded by g_hook_lock; never destroyed
thread_local ke::Kernel* t_hooked_kernel = nullptr;

[[gnu::noinline]] void register_rundown_hook(ke::Kernel* kernel) {
    std::lock_guard guard(g_hook_lock);
    if (!g_hooked) g_hooked = new std::vector<ke::Kernel*>();
    if (std::find(g_hooked->begin(), g_hooked->end(), kernel) == g_hooked->end()) {
        kernel->add_thread_rundown_hook(rundown_thread_irps, nullptr);
        g_hooked->push_back(kernel);
    }
    t_hooked_kernel = kernel;
}

[[gnu::always_inline]] inline void ensure_rundown_hook(ke::Kernel* kernel) {
    if (t_hooked_kernel != kernel) [[unlikely]] register_rundown_hook(kernel);
}

}  // namespace

ThreadIrpListLock::ThreadIrpListLock(PETHREAD thread) noexcept : m_thread(thread), m_owned(acquire_list(thread)) {}

ThreadIrpListLock::~ThreadIrpListLock() { release_list(static_cast<_ETHREAD*>(m_thread), m_owned); }

void register_thread_irp_rundown(ke::Kernel& kernel) {
    kernel.add_thread_rundown_hook(rundown_thread_irps, nullptr);
    std::lock_guard guard(g_hook_lock);
    if (!g_hooked) g_hooked = new std::vector<ke::Kernel*>();
    if (std::find(g_hooked->begin(), g_hooked->end(), &kernel) == g_hooked->end()) g_hooked->push_back(&kernel);
}

void dequeue_thread_irp(PIRP irp) noexcept {
    auto* thread = static_cast<_ETHREAD*>(irp->Tail.Overlay.Thread);
    if (!thread) return;
    // The emptiness test is made under the list lock: removing a neighbour from the same list
    // rewrites this entry's links.
    const bool owned = acquire_list(thread);
    PLIST_ENTRY entry = &irp->ThreadListEntry;
    if (entry->Flink != entry) [[likely]] {
        RemoveEntryList(entry);
        InitializeListHead(entry);
    }
    release_list(thread, owned);
}

std::size_t thread_irp_count(PETHREAD thread) noexcept {
    auto* t = static_cast<_ETHREAD*>(thread);
    ListLock lock(t);
    std::size_t n = 0;
    for (PLIST_ENTRY e = t->m_irp_list.Flink; e != &t->m_irp_list; e = e->Flink) ++n;
    return n;
}

}  // namespace ntio::io

using namespace ntio::io;

extern "C" {

// Puts the IRP on the list of the thread in Tail.Overlay.Thread (the caller's if unset), so that it
// is cancelled when that thread exits.
VOID NTAPI IoQueueThreadIrp(PIRP Irp) {
    if (!Irp->Tail.Overlay.Thread) Irp->Tail.Overlay.Thread = PsGetCurrentThread();
    auto* thread = static_cast<_ETHREAD*>(Irp->Tail.Overlay.Thread);
    ensure_rundown_hook(thread->m_kernel);
    const bool owned = acquire_list(thread);
    InsertHeadList(&thread->m_irp_list, &Irp->ThreadListEntry);
    release_list(thread, owned);
}

// ntio.h: how long a dying thread waits for the IRPs it cancelled (NT's five minutes by default).
NTIO_API ULONG NtioSetThreadIrpCancelTimeout(ULONG Milliseconds) {
    return g_cancel_timeout_ms.exchange(Milliseconds, std::memory_order_relaxed);
}

}  // extern "C"
