// The verifier's hook surface: what the I/O manager calls at the five check points of the spec
// (IoCallDriver, IoCompleteRequest, completion routines, cancel paths, object lifetime). When nothing
// is verified, a hook site on the I/O path is a no-op (hooks_on(), a static branch) and any other
// one predictable branch on active(), a relaxed load of one global.
#pragma once

#include <atomic>
#include <cstdint>

#include <ntifs.h>

#include "host/static_branch.hpp"

namespace ntio::verifier {

// The words the hook sites read, in one cache line (one line and one address to load for the hooks
// of a call or completion): active, true while at least one driver is verified and the mode is not
// off, or tracing is on; tracing, NTIO_TRACE or the trace tool recording; slow_reasons, state.hpp's
// SlowReason bits.
// Hidden inside libntio, so that a hook site is one load of it, not a GOT load and then the word;
// code outside the library asks active_now() / tracing_now().
#ifdef NTIO_LIBRARY_INTERNAL
#define NTIO_LIBRARY_LOCAL __attribute__((visibility("hidden")))
#else
#define NTIO_LIBRARY_LOCAL
#endif
struct alignas(64) HotFlags {
    std::atomic<bool> active{false};
    std::atomic<bool> tracing{false};
    std::atomic<ULONG> slow_reasons{0};
};
extern NTIO_LIBRARY_LOCAL HotFlags g_hot;
// active() and tracing() for code outside libntio (out of line).
bool active_now() noexcept;
bool tracing_now() noexcept;
inline bool active() noexcept { return g_hot.active.load(std::memory_order_relaxed); }
#ifdef NTIO_LIBRARY_INTERNAL
// hooks_on(): active() at the hook sites of the I/O path (IoAllocateIrp, IofCallDriver,
// IofCompleteRequest, IoFreeIrp, the services' handle reference, MDLs, pool, the port packet of the
// final stage), as static branches: a no-op while the verifier is off and a jump
// to the hook while it is on, the sites rewritten whenever active changes (set_active,
// verifier_state.cpp). Every other site tests active().
NTIO_DEFINE_STATIC_BRANCH(hooks_on, ntio_sb_verifier, g_hot.active)
#endif

// IoCallDriver, IoCompleteRequest and completion routines: verifier/fast_hooks.hpp, inline in the I/O
// manager, with their full checks in dispatch_rules.cpp and completion_rules.cpp.

// ---- Cancel paths (lifetime_rules.cpp) ----
void on_cancel_lock_acquired() noexcept;
void on_cancel_lock_released() noexcept;
void on_cancel_irp(PIRP irp) noexcept;
// The I/O manager's file cancel paths (NtCancelIoFile(Ex), rundown at a last close): the cancel
// noted in the IRP's record only, since its completion may be running on another thread.
void on_file_cancel(PIRP irp) noexcept;
// CancelSpinlockRelease (sdv_irp_rules.cpp): before the lock is taken, before it is released.
void sdv_cancel_lock_acquiring() noexcept;
void sdv_cancel_lock_releasing() noexcept;
// IoSetCompletionRoutineEx entry: IoSetCompletionRoutineExCheckDeviceObject (sdv_irp_rules.cpp).
void sdv_completion_ex_device(PDEVICE_OBJECT device, PIRP irp) noexcept;
// IoSetCompletionRoutineEx succeeded: CompletionRoutineRegistered's mark (sdv_irp_rules.cpp).
void sdv_completion_ex_set(PIRP irp) noexcept;
// ExReleaseResourceLite / ExReleaseResourceForThreadLite entry: WithinCriticalRegion.
// It also ends an exclusive hold ExclusiveResourceAccess follows, as do ExSetResourceOwnerPointer
// and ExConvertExclusiveToSharedLite (sdv_resource_not_exclusive); sdv_resource_exclusive: an
// exclusive acquire succeeded.
void sdv_release_resource(PERESOURCE resource, ERESOURCE_THREAD thread) noexcept;
void sdv_resource_exclusive(PERESOURCE resource) noexcept;
void sdv_resource_not_exclusive(PERESOURCE resource) noexcept;

// ---- Lifetime (lifetime_rules.cpp) ----
void on_free_irp(PIRP irp) noexcept;            // IoFreeIrp entry
// IoInitializeIrp (reuse false) / IoReuseIrp (reuse true): a new life for the IRP.
void on_initialize_irp(PIRP irp, bool reuse) noexcept;
// IoFreeIrp about to bugcheck: an object whose Type is not IO_TYPE_IRP (0xC9 0x01 for a caller
// verified with I/O verification), an IRP still on a thread's IRP list (0x20C at Level 2).
void on_free_of_non_irp(PIRP irp) noexcept;
void on_free_of_thread_irp(PIRP irp) noexcept;
// IoBuildAsynchronousFsdRequest (subcode 0x08, code the major function) or
// IoBuildDeviceIoControlRequest (0x09, the control code) found the caller's buffer unusable.
void on_invalid_build_buffer(ULONG_PTR subcode, PDEVICE_OBJECT device, ULONG code, NTSTATUS status) noexcept;
// The final stage of a driver's own request, before its IOSB is written and its event set.
void on_request_final_stage(PIRP irp) noexcept;
void on_initialized_irp(PIRP irp) noexcept;     // IoInitializeIrp, once done: its alloc record
void on_delete_device(PDEVICE_OBJECT device) noexcept;  // IoDeleteDevice entry
void on_device_freed(PDEVICE_OBJECT device) noexcept;   // the device object's memory is freed (any state)
// ---- Devices (device_rules.cpp) ----
void on_detach_device(PDEVICE_OBJECT target) noexcept;         // IoDetachDevice entry (0x202)
void on_timer_reinitialized(PDEVICE_OBJECT device) noexcept;   // IoInitializeTimer on a device with one (0x0A)
// AddDevice of driver returned success for pdo's stack; filter: the driver is a lower or upper
// filter of the stack, not its function driver (0x243-0x246).
void on_add_device_returned(PDRIVER_OBJECT driver, PDEVICE_OBJECT pdo, bool filter) noexcept;
// KDEVICE_QUEUE entries linked while active (KeInsert*DeviceQueue) and unlinked (KeRemove*): an IRP
// whose entry is still linked when it is freed or reinitialized was completed while queued (0x2A).
void on_device_queue_insert(PKDEVICE_QUEUE_ENTRY entry) noexcept;
void on_device_queue_remove(PKDEVICE_QUEUE_ENTRY entry) noexcept;

// ---- Drivers (verifier_state.cpp) ----
// Called for every driver before DriverEntry (not only while active): reads VerifyDrivers.
void on_driver_load(PDRIVER_OBJECT driver) noexcept;
// After DriverEntry returned (the driver's allocations from then on are attributed by context).
void on_driver_entry_returned(PDRIVER_OBJECT driver) noexcept;
// After DriverUnload returned (unloaded) or when the driver object leaves the loaded list:
// leak and pending-operation checks, then the driver is forgotten.
void on_driver_forget(PDRIVER_OBJECT driver, bool unloaded) noexcept;

// ---- Resources and stress (resources.cpp, stress.cpp) ----
// Pool blocks and IRPs allocated while a verified driver's code runs on this thread are charged to
// it (leaks at unload: 0xC4 0x62); low-resources simulation may fail them first.
bool inject_allocation_failure() noexcept;  // true: the allocation fails (seeded low-resources mode)
void on_pool_allocate(void* block, SIZE_T bytes, ULONG tag) noexcept;
void on_pool_free(void* block) noexcept;
void on_allocate_irp(PIRP irp) noexcept;
void on_allocate_mdl(PMDL mdl) noexcept;  // IoAllocateMdl (resources.cpp)
void on_free_mdl(PMDL mdl) noexcept;      // IoFreeMdl
// Whether the driver whose code runs on this thread is verified with Pool Tracking (resources.cpp):
// pages it locks are tracked for DRIVER_LEFT_LOCKED_PAGES_IN_PROCESS (io/locked_pages.hpp).
bool context_tracks_pool() noexcept;

// ---- DDI compliance IRQL rules (ddi_rules.cpp) ----
// One entry per DDI family of the DDI compliance rules (bug check 0xC4, subcodes 0x20002-0x20022,
// and the classic Force IRQL checking subcodes where Learn documents one). Checked when the code
// running on this thread belongs to a driver verified with NTIO_VERIFIER_DDI_COMPLIANCE or
// NTIO_VERIFIER_FORCE_IRQL_CHECKING.
enum class DdiRule : unsigned char {
    ExAllocatePool,       // IrqlExAllocatePool; arg1 pool type, arg2 bytes (paged pool: 0xC4 0x01)
    ExFreePool,           // arg1 block: an IRP freed as pool (0xC4 0x105)
    IoApcLte,             // IrqlIoApcLte: IoDeleteDevice, IoGetInitialStack
    IoPassive1,           // IrqlIoPassive1: IoCreateDevice, IoAttachDevice, IoSetDeviceInterfaceState
    IoPassive1ApcLte,     // IrqlIoPassive1's <= APC_LEVEL routine: IoBuildDeviceIoControlRequest
    IoPassive2,           // IrqlIoPassive2: IoCheckShareAccess, IoConnectInterrupt, IoCreateController
    IoPassive3,           // IrqlIoPassive3: IoCreateSymbolicLink, IoDetachDevice, IoRegisterDeviceInterface
    IoPassive4,           // IrqlIoPassive4: IoCreateFile, IoDeleteSymbolicLink, IoCreate*Event, IoDeleteController,
                          // IoDisconnectInterrupt, ...
    IoPassive5,           // IrqlIoPassive5: IoGetDeviceObjectPointer, Io*ShareAccess, IoGetDmaAdapter, ...
    IoDispatchLte,        // IoCompleteRequest, PoCallDriver: <= DISPATCH_LEVEL (0xC4 0xE5)
    KeAcquireSpinLock,    // counts spin locks the driver holds (SpinLockSafe); arg1 the lock, arg2 nonzero for
                          // the *AtDpcLevel forms (legal above DISPATCH_LEVEL); the others: 0xC4 0x42 above it
    KeReleaseSpinLock,    // IrqlKeReleaseSpinLock (= DISPATCH_LEVEL)
    KeReleaseSpinLockFromDpcLevel,  // and the in-stack queued releases: the count only
    KeSetEvent,           // IrqlKeSetEvent; arg1 Wait
    KeWait,               // arg1 timeout pointer: nonzero or no timeout needs <= APC_LEVEL (0xC4 0x120 above DISPATCH)
    CriticalRegion,       // KeEnter/LeaveCriticalRegion above APC_LEVEL (0xC4 0x11A / 0x11B); arg1 leave
    ObPassive,            // IrqlObPassive: ObReferenceObjectByHandle
    PsPassive,            // IrqlPsPassive: PsCreateSystemThread, PsGetVersion, PsTerminateSystemThread
    RtlPassive,           // IrqlRtlPassive: RtlDeleteRegistryValue and the Rtl registry writers
    ZwPassive,            // IrqlZwPassive: ZwClose and the Zw*Key routines
    StartNextPacket,      // SpinLockSafe: IoStartNextPacket while holding a spin lock; IrqlDispatch;
                          // StartIoRecursion: arg1 the device, arg2 nonzero inside its (not deferred) StartIo
                          // with a packet waiting
    MmProbeAndLockPages,  // arg1 MDL, arg2 access mode: above DISPATCH_LEVEL (0xC4 0x70)
    MmUnlockPages,        // arg1 MDL: above DISPATCH_LEVEL (0xC4 0x78)
    MmMapLockedPages,     // arg1 MDL, arg2 access mode: kernel above DISPATCH_LEVEL, user above APC_LEVEL
                          // (0xC4 0x74 / 0x75)
    MmMapLockedPagesSpecifyCache,  // the same (0xC4 0x76 / 0x77)
    LockApcsDisabled,     // arg1 the lock, arg2 the subcode: an ERESOURCE acquired below APC_LEVEL with
                          // normal kernel APCs enabled (0x37), an unsafe fast mutex acquired (0x39) or
                          // released (0x3A) outside APC_LEVEL with them enabled
    FastMutexIrql,        // arg1 the fast mutex, arg2 the subcode: ExAcquireFastMutex / ExTryToAcquireFastMutex
                          // above APC_LEVEL (0x33, or IrqlExApcLte1 without Force IRQL checking),
                          // ExReleaseFastMutex at another IRQL than APC_LEVEL (0x34)
    // The rest of spec 3.6, one entry per rule; the DDIs each rule names are listed in ddi_rules.cpp.
    ObApcLte,             // IrqlApcLte: ObGetObjectSecurity, ObReleaseObjectSecurity
    DispatchOnly,         // IrqlDispatch (= DISPATCH_LEVEL): controllers, device queues, adapter channels, ...
    ExApcLte2,            // IrqlExApcLte2: Cm and Ex callbacks, paged lookaside lists, quota pool, ...
    ExApcLte3,            // IrqlExApcLte3: ERESOURCE acquires, conversion and deletion
    ExPassive,            // IrqlExPassive: ExCreateCallback, ExUuidCreate, ExIsProcessorFeaturePresent
    IoDispatch,           // IrqlIoDispatch: IoGetDeviceToVerify, IoSetDeviceToVerify
    KeApcLte1,            // IrqlKeApcLte1: guarded mutexes, KeDelayExecutionThread, KeQueryActiveProcessors
    KeApcLte2,            // IrqlKeApcLte2: APC state queries, NMI callbacks, guarded regions
    KeDispatchLte,        // IrqlKeDispatchLte: events, timers, semaphores, device queue set-up, KeReleaseMutex
    MmApcLte,             // IrqlMmApcLte: noncached memory, pages for MDLs, pageable sections, secured memory
    GuardedRegionLeave,   // GuardedRegions: KeLeaveGuardedRegion with no guarded region entered
    QueuedSpinLockAcquire,  // QueuedSpinLock: arg1 the lock, already held by this thread
    QueuedSpinLockRelease,  // arg1 the lock, not held by this thread
    RequestedPowerIrp,    // RequestedPowerIrp: arg1 the minor function, arg2 the Irp out pointer
    MmDispatch,           // IrqlMmDispatch: MmFreeContiguousMemory(SpecifyCache)
    // A PnP, power or kernel routine no rule of spec 3.6 names: arg1 the highest IRQL its own Learn page
    // allows; above it 0xC4 0xE5 (a kernel API called at the incorrect IRQL).
    IrqlAtMost,
};
void check_ddi_irql(DdiRule rule, ULONG_PTR arg1 = 0, ULONG_PTR arg2 = 0) noexcept;
// IoSetCompletionRoutineEx failed (or, later, succeeded) for irp on this thread: the
// IoSetCompletionExCompleteIrp rule watches whether the driver sends that IRP anyway.
void on_completion_ex_result(PIRP irp, bool failed) noexcept;
// A verified dispatch routine returned with the thread's guarded region count changed: the
// GuardedRegions rule for a driver with DDI compliance checking.
void report_unbalanced_guarded_region(PDRIVER_OBJECT driver, PIRP irp) noexcept;
// The hook at a DDI's entry: one relaxed load and a branch when nothing is verified.
#define NTIO_VERIFY_DDI(...) \
    do { \
        if (::ntio::verifier::active()) [[unlikely]] ::ntio::verifier::check_ddi_irql(__VA_ARGS__); \
    } while (0)
// KeInitializeDpc / KeInsertQueueDpc / KeSetTimer(Ex): a DPC a verified driver's code initialised,
// queued or armed a timer with runs in that driver's context.
void on_initialize_dpc(PKDPC dpc) noexcept;
void on_queue_dpc(PKDPC dpc) noexcept;
// The thread's driver-context word (state.hpp, context_driver()), as scopes save and put it back.
using ContextWord = std::uintptr_t;
// Around a DPC routine: the driver that initialised it is the context driver while it runs.
struct DpcScope {
    explicit DpcScope(PKDPC dpc) noexcept : m_on(active()) {
        if (m_on) enter(dpc);
    }
    ~DpcScope() {
        if (m_on) leave(m_previous);
    }
    DpcScope(const DpcScope&) = delete;
    DpcScope& operator=(const DpcScope&) = delete;
    void enter(PKDPC dpc) noexcept;
    static void leave(ContextWord previous) noexcept;
    bool m_on;
    ContextWord m_previous = 0;
};

// A fast I/O routine the I/O manager calls (FastIoRead, FastIoWrite, FastIoDeviceControl) for the
// top device of a stack, checked when its driver is verified with I/O verification: the routine
// runs in its driver's context, and an IRQL changed across it is 0xC9 0x11 (dispatch_rules.cpp).
// Reached through `hooks_on()` at the call sites only, so it costs them nothing while the verifier is
// off.
struct FastIoCheck {
    ContextWord previous;
    KIRQL irql_before;
    bool checked;
};
FastIoCheck fast_io_enter(PDEVICE_OBJECT device) noexcept;
void fast_io_exit(const FastIoCheck& check, PDEVICE_OBJECT device, PVOID routine) noexcept;
template <class Routine, class... Args>
[[gnu::cold, gnu::noinline]] BOOLEAN call_fast_io(PDEVICE_OBJECT device, Routine routine, Args... args) noexcept {
    const FastIoCheck check = fast_io_enter(device);
    const BOOLEAN accepted = routine(args...);
    fast_io_exit(check, device, reinterpret_cast<PVOID>(routine));
    return accepted;
}

// Around what the system allocates for itself while a driver's code is on the thread (a completion
// port's packets, taken while a driver completes an IRP): no driver is the context, so nothing is
// charged to the driver whose code happens to run (leak checks at its unload would blame it).
struct SystemScope {
    SystemScope() noexcept : m_on(active()) {
        if (m_on) m_previous = enter();
    }
    ~SystemScope() {
        if (m_on) DpcScope::leave(m_previous);
    }
    SystemScope(const SystemScope&) = delete;
    SystemScope& operator=(const SystemScope&) = delete;
    static ContextWord enter() noexcept;
    bool m_on;
    ContextWord m_previous = 0;
};

// ---- DMA checking (dma_rules.cpp) ----
// The driver whose code runs on this thread when it is verified with NTIO_VERIFIER_DMA_CHECKING,
// else nullptr: IoGetDmaAdapter asks once per adapter, and only that adapter's routines check.
PDRIVER_OBJECT dma_checked_driver() noexcept;
// Bug check 0xE6 DRIVER_VERIFIER_DMA_VIOLATION: p1 the subcode, p2-p4 as its row on Learn says.
void report_dma_violation(PDRIVER_OBJECT driver, ULONG_PTR p1, ULONG_PTR p2, ULONG_PTR p3, ULONG_PTR p4,
                          const char* message) noexcept;

// ---- Remove locks (sdv_rules.cpp): tags of a verified driver's remove lock (0xC4 0xD5 / 0xD6) ----
enum class RemoveLockOp : unsigned char { Initialize, Acquire, Release, ReleaseAndWait };
void on_remove_lock(RemoveLockOp op, PIO_REMOVE_LOCK lock, PVOID tag) noexcept;
#define NTIO_VERIFY_REMOVE_LOCK(op, lock, tag) \
    do { \
        if (::ntio::verifier::active()) [[unlikely]] ::ntio::verifier::on_remove_lock(op, lock, tag); \
    } while (0)

// ---- Tracing (irp_log.cpp) ----
// NTIO_TRACE=file at start-up: every IRP's events are recorded for all drivers (and written at exit).
inline bool tracing() noexcept { return g_hot.tracing.load(std::memory_order_relaxed); }

}  // namespace ntio::verifier
