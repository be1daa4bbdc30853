// The lock request (FsRtlPrivateLock, behind FsRtlFastLock and IRP_MN_LOCK) and the
// IRP_MJ_LOCK_CONTROL processor: grant, fail at once, or park the IRP pending and cancellable until
// an unlock lets it in. A parked IRP keeps its FILE_LOCK in DriverContext[0] for the cancel routine
// (FsRtl owns the IRP while it waits, so the driver context is its to use).
#include "fsrtl/file_lock_table.hpp"

using namespace ntio::fsrtl;

namespace {

// IoCancelIrp on a waiting lock IRP: it leaves the table and completes with STATUS_CANCELLED. The
// routine pointer is read under the table lock: once the IRP is off the list, FsRtlUninitializeFileLock
// may free the FILE_LOCK.
VOID NTAPI cancel_waiting_lock(PDEVICE_OBJECT, PIRP Irp) {
    IoReleaseCancelSpinLock(Irp->CancelIrql);
    auto* lock = static_cast<PFILE_LOCK>(Irp->Tail.Overlay.DriverContext[0]);
    LockTable* table = table_of(lock);
    PCOMPLETE_LOCK_IRP_ROUTINE routine = nullptr;
    PVOID context = nullptr;
    bool found = false;
    {
        std::lock_guard<std::mutex> guard(table->m_lock);
        for (auto it = table->m_waiting.begin(); it != table->m_waiting.end(); ++it) {
            if (it->irp != Irp) continue;
            context = it->context;
            routine = lock->CompleteLockIrpRoutine;
            table->m_waiting.erase(it);
            found = true;
            break;
        }
    }
    if (found) (void)complete_lock_irp(routine, context, Irp, STATUS_CANCELLED);
}

}  // namespace

extern "C" {

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-fsrtlfastlock
// A conflicting request fails with STATUS_LOCK_NOT_GRANTED when it may not wait (LockFileEx:
// LOCKFILE_FAIL_IMMEDIATELY); otherwise its IRP waits, pending, until the conflict goes away.
// Without an IRP such a request returns FALSE and leaves Iosb alone: the fast I/O caller sends the IRP.
NTKERNELAPI BOOLEAN NTAPI FsRtlPrivateLock(PFILE_LOCK FileLock, PFILE_OBJECT FileObject, PLARGE_INTEGER FileOffset,
                                           PLARGE_INTEGER Length, PEPROCESS ProcessId, ULONG Key,
                                           BOOLEAN FailImmediately, BOOLEAN ExclusiveLock, PIO_STATUS_BLOCK Iosb,
                                           PIRP Irp, PVOID Context, BOOLEAN AlreadySynchronized) {
    (void)AlreadySynchronized;
    FILE_LOCK_INFO info{};
    NTSTATUS status = STATUS_SUCCESS;
    LockTable* table = table_for_lock(FileLock);
    if (!make_lock_info(*FileOffset, *Length, ExclusiveLock != FALSE, Key, FileObject, ProcessId, info)) {
        status = STATUS_INVALID_LOCK_RANGE;  // MS-FSA 2.1.5.8
    } else if (!table) {
        status = STATUS_INSUFFICIENT_RESOURCES;
    } else {
        std::unique_lock<std::mutex> guard(table->m_lock);
        if (!table->conflicts_locked(info, ExclusiveLock != FALSE, true)) {
            table->m_granted.push_back(info);
            FileLock->FastIoIsQuestionable = TRUE;
        } else if (FailImmediately) {
            status = STATUS_LOCK_NOT_GRANTED;
        } else if (!Irp) {
            return FALSE;
        } else {
            IoMarkIrpPending(Irp);
            Irp->Tail.Overlay.DriverContext[0] = FileLock;
            table->m_waiting.push_back({Irp, Context, info});
            (void)IoSetCancelRoutine(Irp, cancel_waiting_lock);
            // A cancel that came before the routine was set found none: take the IRP back here. If
            // IoCancelIrp took the routine first, cancel_waiting_lock removes and completes it.
            bool cancelled = false;
            if (__atomic_load_n(&Irp->Cancel, __ATOMIC_SEQ_CST) && IoSetCancelRoutine(Irp, nullptr) != nullptr) {
                table->m_waiting.pop_back();
                cancelled = true;
            }
            guard.unlock();
            if (cancelled) (void)complete_lock_irp(FileLock->CompleteLockIrpRoutine, Context, Irp, STATUS_CANCELLED);
            Iosb->Status = STATUS_PENDING;
            Iosb->Information = 0;
            return TRUE;
        }
    }
    Iosb->Status = status;
    Iosb->Information = 0;
    if (Irp) {
        Deferred deferred;
        deferred.completions.push_back({Irp, Context, status, NT_SUCCESS(status), info});
        finish(FileLock, deferred, nullptr);
    }
    return TRUE;
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-_fsrtl_advanced_fcb_header-fsrtlprocessfilelock
// https://learn.microsoft.com/windows-hardware/drivers/ifs/irp-mj-lock-control
// The operation runs for the requestor process (IoGetRequestorProcess); every path completes the IRP
// (through CompleteLockIrpRoutine when there is one) or leaves it waiting and returns STATUS_PENDING.
NTKERNELAPI NTSTATUS NTAPI FsRtlProcessFileLock(PFILE_LOCK FileLock, PIRP Irp, PVOID Context) {
    PIO_STACK_LOCATION sp = IoGetCurrentIrpStackLocation(Irp);
    PEPROCESS process = IoGetRequestorProcess(Irp);
    PFILE_OBJECT file = sp->FileObject;
    NTSTATUS status;
    switch (sp->MinorFunction) {
    case IRP_MN_LOCK: {
        IO_STATUS_BLOCK iosb{};
        (void)FsRtlPrivateLock(FileLock, file, &sp->Parameters.LockControl.ByteOffset, sp->Parameters.LockControl.Length,
                               process, sp->Parameters.LockControl.Key, (sp->Flags & SL_FAIL_IMMEDIATELY) != 0,
                               (sp->Flags & SL_EXCLUSIVE_LOCK) != 0, &iosb, Irp, Context, FALSE);
        return iosb.Status;
    }
    case IRP_MN_UNLOCK_SINGLE:
        status = FsRtlFastUnlockSingle(FileLock, file, &sp->Parameters.LockControl.ByteOffset,
                                       sp->Parameters.LockControl.Length, process, sp->Parameters.LockControl.Key,
                                       Context, FALSE);
        break;
    case IRP_MN_UNLOCK_ALL:
        status = FsRtlFastUnlockAll(FileLock, file, process, Context);
        break;
    case IRP_MN_UNLOCK_ALL_BY_KEY:
        status = FsRtlFastUnlockAllByKey(FileLock, file, process, sp->Parameters.LockControl.Key, Context);
        break;
    default:
        status = STATUS_INVALID_DEVICE_REQUEST;
        break;
    }
    (void)complete_lock_irp(FileLock->CompleteLockIrpRoutine, Context, Irp, status);
    return status;
}

}  // extern "C"
