// The FsRtl helpers around a file system's exception handling: which statuses its exception
// filter handles (FsRtlIsNtstatusExpected, FsRtlNormalizeNtstatus), and posting work to a thread
// with a fresh stack when the current one runs low (FsRtlPostStackOverflow and the paging-file form),
// and whether a file is a paging file.
// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-_fsrtl_advanced_fcb_header-fsrtlisntstatusexpected
// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-_fsrtl_advanced_fcb_header-fsrtlnormalizentstatus
// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-fsrtlpoststackoverflow
#include <ntifs.h>

#include <condition_variable>
#include <mutex>
#include <new>

namespace {

struct Overflow {
    WORK_QUEUE_ITEM item;
    PVOID context;
    PKEVENT event;
    PFSRTL_STACK_OVERFLOW_ROUTINE routine;
    bool reserved;
};

// The paging-file form's item when pool is exhausted: one, reused in turn.
struct Reserve {
    std::mutex lock;
    std::condition_variable freed;
    bool busy = false;
    Overflow item{};
};
Reserve& reserve() {
    static auto* r = new Reserve();  // never destroyed: a post may run during static destruction
    return *r;
}

VOID NTAPI run_overflow(PVOID parameter) {
    auto* overflow = static_cast<Overflow*>(parameter);
    const Overflow copy = *overflow;
    if (copy.reserved) {
        Reserve& r = reserve();
        std::lock_guard guard(r.lock);
        r.busy = false;
        r.freed.notify_one();
    } else {
        delete overflow;
    }
    copy.routine(copy.context, copy.event);
}

void post(PVOID context, PKEVENT event, PFSRTL_STACK_OVERFLOW_ROUTINE routine, bool paging_file) {
    auto* overflow = new (std::nothrow) Overflow{{}, context, event, routine, false};
    if (!overflow) {
        // NT deviation: the ordinary form has no reserve either and raises; the paging-file form
        // waits for the reserved item.
        if (!paging_file) ExRaiseStatus(STATUS_INSUFFICIENT_RESOURCES);
        Reserve& r = reserve();
        std::unique_lock guard(r.lock);
        r.freed.wait(guard, [&] { return !r.busy; });
        r.busy = true;
        r.item = Overflow{{}, context, event, routine, true};
        overflow = &r.item;
    }
    ExInitializeWorkItem(&overflow->item, run_overflow, overflow);
    ExQueueWorkItem(&overflow->item, CriticalWorkQueue);
}

}  // namespace

extern "C" {

// Learn: TRUE for a nonfatal system error status. The fatal ones are the processor's exceptions
// that a file system's filter must let through to the system: misaligned data or instructions,
// access violations, illegal instructions.
NTKERNELAPI BOOLEAN NTAPI FsRtlIsNtstatusExpected(NTSTATUS Exception) {
    switch (Exception) {
    case STATUS_DATATYPE_MISALIGNMENT:
    case STATUS_ACCESS_VIOLATION:
    case STATUS_ILLEGAL_INSTRUCTION:
    case STATUS_INSTRUCTION_MISALIGNMENT:
        return FALSE;
    default:
        return TRUE;
    }
}

NTKERNELAPI NTSTATUS NTAPI FsRtlNormalizeNtstatus(NTSTATUS Exception, NTSTATUS GenericException) {
    return FsRtlIsNtstatusExpected(Exception) ? Exception : GenericException;
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nf-ntddk-fsrtlistotaldevicefailure
// Any IRQL. Learn: TRUE when the request failed because the physical device failed, never for
// STATUS_DEVICE_DATA_ERROR or STATUS_CRC_ERROR (a failed sector). A guess where Learn names no
// list: the statuses a disk or its controller reports for a device that is broken or gone (an I/O
// device error, a failed disk operation, recalibration or reset, an adapter hardware error, a
// device that lost power, was disconnected, removed or no longer exists); every other status,
// success among them, is FALSE.
NTKERNELAPI BOOLEAN NTAPI FsRtlIsTotalDeviceFailure(NTSTATUS Status) {
    switch (Status) {
    case STATUS_IO_DEVICE_ERROR:
    case STATUS_DISK_OPERATION_FAILED:
    case STATUS_DISK_RECALIBRATE_FAILED:
    case STATUS_DISK_RESET_FAILED:
    case STATUS_ADAPTER_HARDWARE_ERROR:
    case STATUS_DEVICE_POWER_FAILURE:
    case STATUS_DEVICE_NOT_CONNECTED:
    case STATUS_DEVICE_REMOVED:
    case STATUS_DEVICE_DOES_NOT_EXIST:
        return TRUE;
    default:
        return FALSE;
    }
}

NTKERNELAPI VOID NTAPI FsRtlPostStackOverflow(PVOID Context, PKEVENT Event,
                                              PFSRTL_STACK_OVERFLOW_ROUTINE StackOverflowRoutine) {
    post(Context, Event, StackOverflowRoutine, false);
}

NTKERNELAPI VOID NTAPI FsRtlPostPagingFileStackOverflow(PVOID Context, PKEVENT Event,
                                                        PFSRTL_STACK_OVERFLOW_ROUTINE StackOverflowRoutine) {
    post(Context, Event, StackOverflowRoutine, true);
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-fsrtlispagingfile
// NT deviation: ntio has no paging files (its memory manager never pages to a file, and no create
// opens one with SL_OPEN_PAGING_FILE), so no file object is a paging file's: FALSE, as Windows
// answers for any file that is not one. The paging-file posting above exists for file systems that
// take that path all the same.
NTKERNELAPI LOGICAL NTAPI FsRtlIsPagingFile(PFILE_OBJECT FileObject) {
    (void)FileObject;
    return FALSE;
}

}  // extern "C"
