// Names (generated from bugcodes.h) and one-line meanings of bugcheck codes for the stop screen.
// Meanings paraphrase the Microsoft Learn "Bug check code reference" pages.
#include <cstddef>

#include "rtl/bugcheck.hpp"

namespace ntio::rtl {
namespace {

struct CodeName {
    ULONG code;
    const char* name;
};

constexpr CodeName kNames[] = {
#define NTIO_NAME_ENTRY(name, value) {static_cast<ULONG>(value##UL), #name},
#include "bugcode_names.inc"
#undef NTIO_NAME_ENTRY
};

struct CodeMeaning {
    ULONG code;
    const char* meaning;
};

constexpr CodeMeaning kMeanings[] = {
    {APC_INDEX_MISMATCH, "A thread returned to user mode or a system call ended with a mismatched APC disable count."},
    {INVALID_PROCESS_ATTACH_ATTEMPT, "A thread attached to a process it was already attached to, or attached while holding a resource or at raised IRQL."},
    {INVALID_PROCESS_DETACH_ATTEMPT, "A thread detached from a process without a matching attach."},
    {IRQL_NOT_DISPATCH_LEVEL, "A routine that requires DISPATCH_LEVEL was called at another IRQL."},
    {IRQL_NOT_GREATER_OR_EQUAL, "The IRQL was lower than the routine requires."},
    {IRQL_NOT_LESS_OR_EQUAL, "Pageable or invalid memory was accessed at an IRQL that was too high."},
    {MAXIMUM_WAIT_OBJECTS_EXCEEDED, "KeWaitForMultipleObjects was called with too many objects for its wait blocks."},
    {SPIN_LOCK_ALREADY_OWNED, "A thread tried to acquire a spin lock it already owns."},
    {SPIN_LOCK_NOT_OWNED, "A thread released a spin lock it does not own."},
    {THREAD_NOT_MUTEX_OWNER, "A thread released a mutex it does not own."},
    {REFERENCE_BY_POINTER, "An object's reference count became negative or inconsistent with its handle count."},
    {BAD_POOL_HEADER, "A pool header is corrupt."},
    {KMODE_EXCEPTION_NOT_HANDLED, "A kernel-mode program raised an exception that no handler caught."},
    {SHARED_RESOURCE_CONV_ERROR, "An ERESOURCE was converted or released inconsistently."},
    {KERNEL_APC_PENDING_DURING_EXIT, "A thread exited with kernel APCs disabled or pending."},
    {NPFS_FILE_SYSTEM, "The named pipe file system detected an inconsistency."},
    {INCONSISTENT_IRP, "An IRP was found in an inconsistent state."},
    {NO_MORE_IRP_STACK_LOCATIONS, "IoCallDriver was called with no stack location left in the IRP."},
    {DEVICE_REFERENCE_COUNT_NOT_ZERO, "A device object was deleted while its reference count was not zero."},
    {SYSTEM_SERVICE_EXCEPTION, "An exception happened while executing a routine that transitions from user to kernel mode."},
    {MULTIPLE_IRP_COMPLETE_REQUESTS, "A driver completed an IRP that was already complete."},
    {CANCEL_STATE_IN_COMPLETED_IRP, "A completed IRP still had a cancel routine set."},
    {IRQL_GT_ZERO_AT_SYSTEM_SERVICE, "A thread returned from a system call at an IRQL above PASSIVE_LEVEL."},
    {PAGE_FAULT_IN_NONPAGED_AREA, "Invalid system memory was referenced."},
    {SYSTEM_THREAD_EXCEPTION_NOT_HANDLED, "A system thread raised an exception that no handler caught."},
    {UNEXPECTED_KERNEL_MODE_TRAP, "The processor raised a trap the kernel did not catch."},
    {KERNEL_MODE_EXCEPTION_NOT_HANDLED, "A kernel-mode program raised an exception that the error handler did not catch."},
    {INVALID_KERNEL_HANDLE, "Kernel code closed or referenced an invalid or protected handle."},
    {INVALID_WORK_QUEUE_ITEM, "A queue entry that was already queued was queued again, or a work item is corrupt."},
    {DRIVER_POWER_STATE_FAILURE, "A driver is in an inconsistent or invalid power state."},
    {ATTEMPTED_SWITCH_FROM_DPC, "A wait, yield or attach was attempted from a DPC routine."},
    {ATTEMPTED_WRITE_TO_READONLY_MEMORY, "A driver wrote to read-only memory."},
    {MUTEX_ALREADY_OWNED, "A thread tried to acquire a mutex it already owns."},
    {SPECIAL_POOL_DETECTED_MEMORY_CORRUPTION, "A driver wrote to an invalid section of special pool."},
    {BAD_POOL_CALLER, "The current thread made a bad pool request."},
    {DRIVER_VERIFIER_DETECTED_VIOLATION, "Driver Verifier detected a fatal error in a driver."},
    {DRIVER_CORRUPTED_EXPOOL, "A driver accessed invalid pool memory at a raised IRQL."},
    {DRIVER_CAUGHT_MODIFYING_FREED_POOL, "A driver used pool memory after freeing it."},
    {TIMER_OR_DPC_INVALID, "A kernel timer or DPC was found in memory where it is not permitted (freed or unloaded)."},
    {IRQL_UNEXPECTED_VALUE, "The IRQL was not the expected value when a routine returned."},
    {DRIVER_VERIFIER_IOMANAGER_VIOLATION, "The I/O manager verifier detected a violation."},
    {PNP_DETECTED_FATAL_ERROR, "The Plug and Play manager detected a severe error."},
    {DRIVER_LEFT_LOCKED_PAGES_IN_PROCESS, "A driver failed to release locked pages after an I/O operation."},
    {DRIVER_UNLOADED_WITHOUT_CANCELLING_PENDING_OPERATIONS, "A driver unloaded without cancelling its timers, DPCs, worker threads or pending I/O."},
    {DRIVER_CORRUPTED_MMPOOL, "A driver accessed a nonexistent pool allocation at raised IRQL."},
    {DRIVER_IRQL_NOT_LESS_OR_EQUAL, "A driver accessed pageable or invalid memory at an IRQL that was too high."},
    {DRIVER_PORTION_MUST_BE_NONPAGED, "A driver marked code or data pageable that must be nonpaged."},
    {SYSTEM_SCAN_AT_RAISED_IRQL_CAUGHT_IMPROPER_DRIVER_UNLOAD, "A driver did not cancel pending operations before unloading."},
    {DRIVER_PAGE_FAULT_IN_FREED_SPECIAL_POOL, "A driver referenced memory it had freed."},
    {DRIVER_PAGE_FAULT_BEYOND_END_OF_ALLOCATION, "A driver accessed memory beyond the end of its pool allocation."},
    {DRIVER_INVALID_STACK_ACCESS, "A driver accessed a stack address below the stack pointer."},
    {IMPERSONATING_WORKER_THREAD, "A work item returned with its thread still impersonating a client."},
    {WORKER_THREAD_RETURNED_AT_BAD_IRQL, "A work item returned at an IRQL above PASSIVE_LEVEL."},
    {MANUALLY_INITIATED_CRASH, "The system was deliberately stopped."},
    {RESOURCE_NOT_OWNED, "A thread released an ERESOURCE it does not own."},
    {WORKER_INVALID, "Memory that should not hold an executive work item holds one."},
    {DRIVER_VERIFIER_DMA_VIOLATION, "Driver Verifier detected a DMA violation."},
    {INVALID_CANCEL_OF_FILE_OPEN, "A file object that has not completed its open was cancelled."},
    {THREAD_STUCK_IN_DEVICE_DRIVER, "A device driver is spinning in an infinite loop."},
    {CRITICAL_PROCESS_DIED, "A critical system process died."},
    {CRITICAL_OBJECT_TERMINATION, "A process or thread crucial to system operation exited or was terminated."},
    {DRIVER_OVERRAN_STACK_BUFFER, "A driver overran a stack-based buffer."},
    {DRIVER_RETURNED_STATUS_REPARSE_FOR_VOLUME_OPEN, "A driver returned STATUS_REPARSE for an open of a volume device."},
    {WHEA_UNCORRECTABLE_ERROR, "The hardware reported an error it could not correct (HalBugCheckSystem)."},
    {RESOURCE_OWNER_POINTER_INVALID, "An invalid resource owner pointer was passed to ExSetResourceOwnerPointer or ExReleaseResourceForThreadLite."},
    {DPC_WATCHDOG_VIOLATION, "A DPC ran too long or the system spent too long at DISPATCH_LEVEL."},
    {KERNEL_SECURITY_CHECK_FAILURE, "The kernel detected corruption of a critical data structure (parameter 1 is the fail-fast code; 3 is LIST_ENTRY corruption)."},
    {KERNEL_MODE_HEAP_CORRUPTION, "The kernel-mode heap manager detected corruption."},
    {KERNEL_AUTO_BOOST_INVALID_LOCK_RELEASE, "A lock tracked by autoboost was released by a thread that did not own it."},
    {KERNEL_AUTO_BOOST_LOCK_ACQUISITION_WITH_RAISED_IRQL, "A lock tracked by autoboost was acquired at DISPATCH_LEVEL or above."},
    {MANUALLY_INITIATED_CRASH1, "The system was deliberately stopped."},
};

}  // namespace

const char* bugcheck_name(ULONG code) noexcept {
    for (const CodeName& entry : kNames) {
        if (entry.code == code) return entry.name;
    }
    return nullptr;
}

const char* bugcheck_meaning(ULONG code) noexcept {
    for (const CodeMeaning& entry : kMeanings) {
        if (entry.code == code) return entry.meaning;
    }
    return nullptr;
}

}  // namespace ntio::rtl
