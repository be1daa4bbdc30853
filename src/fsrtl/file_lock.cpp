// The byte-range lock DDIs that take no lock IRP: setting a FILE_LOCK up and tearing it down, the
// read and write checks, the unlock routines and the enumeration. Microsoft Learn pages cited per
// routine; the conflict rule is LockTable::conflicts_locked.
#include "fsrtl/file_lock_table.hpp"

#include <new>
#include <thread>

using namespace ntio::fsrtl;

namespace {

// Releases the granted locks `match` selects and completes the waiting lock IRPs `drop` selects with
// STATUS_RANGE_NOT_LOCKED; then grants what became grantable. STATUS_RANGE_NOT_LOCKED when no granted
// lock matched.
template <class Match, class Drop>
NTSTATUS unlock_where(PFILE_LOCK lock, PVOID context, Match match, Drop drop, bool first_only) {
    LockTable* table = table_of(lock);
    if (!table) return STATUS_RANGE_NOT_LOCKED;
    Deferred deferred;
    bool released = false;
    {
        std::lock_guard<std::mutex> guard(table->m_lock);
        if (first_only) {
            // One lock: an exclusive one before a shared one (MS-FSA 2.1.5.9).
            auto pick = table->m_granted.end();
            for (auto it = table->m_granted.begin(); it != table->m_granted.end(); ++it) {
                if (!match(*it)) continue;
                if (pick == table->m_granted.end() || (it->ExclusiveLock && !pick->ExclusiveLock)) pick = it;
            }
            if (pick != table->m_granted.end()) {
                deferred.released.push_back(*pick);
                table->m_granted.erase(pick);
                released = true;
            }
        } else {
            for (auto it = table->m_granted.begin(); it != table->m_granted.end();) {
                if (!match(*it)) {
                    ++it;
                    continue;
                }
                deferred.released.push_back(*it);
                it = table->m_granted.erase(it);
                released = true;
            }
        }
        for (auto it = table->m_waiting.begin(); it != table->m_waiting.end();) {
            if (!drop(it->info) || IoSetCancelRoutine(it->irp, nullptr) == nullptr) {
                ++it;
                continue;
            }
            deferred.completions.push_back({it->irp, it->context, STATUS_RANGE_NOT_LOCKED, false, it->info});
            it = table->m_waiting.erase(it);
        }
        table->grant_waiters_locked(deferred);
    }
    finish(lock, deferred, context);
    return released ? STATUS_SUCCESS : STATUS_RANGE_NOT_LOCKED;
}

BOOLEAN check_access(PFILE_LOCK lock, PLARGE_INTEGER offset, PLARGE_INTEGER length, ULONG key, PVOID file,
                     PVOID process, bool write) {
    LockTable* table = table_of(lock);
    if (!table) return TRUE;
    FILE_LOCK_INFO request;
    // A range running past the largest offset is checked up to it: only that part can hold locks.
    if (!make_lock_info(*offset, *length, write, key, static_cast<PFILE_OBJECT>(file), process, request))
        request.EndingByte.QuadPart = -1;
    std::lock_guard<std::mutex> guard(table->m_lock);
    return table->conflicts_locked(request, write, false) ? FALSE : TRUE;
}

}  // namespace

extern "C" {

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-fsrtlallocatefilelock
NTKERNELAPI PFILE_LOCK NTAPI FsRtlAllocateFileLock(PCOMPLETE_LOCK_IRP_ROUTINE CompleteLockIrpRoutine,
                                                   PUNLOCK_ROUTINE UnlockRoutine) {
    auto* lock = new (std::nothrow) FILE_LOCK{};
    if (lock) FsRtlInitializeFileLock(lock, CompleteLockIrpRoutine, UnlockRoutine);
    return lock;
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-fsrtlfreefilelock
NTKERNELAPI VOID NTAPI FsRtlFreeFileLock(PFILE_LOCK FileLock) {
    FsRtlUninitializeFileLock(FileLock);
    delete FileLock;
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-fsrtlinitializefilelock
NTKERNELAPI VOID NTAPI FsRtlInitializeFileLock(PFILE_LOCK FileLock, PCOMPLETE_LOCK_IRP_ROUTINE CompleteLockIrpRoutine,
                                               PUNLOCK_ROUTINE UnlockRoutine) {
    *FileLock = FILE_LOCK{};
    FileLock->CompleteLockIrpRoutine = CompleteLockIrpRoutine;
    FileLock->UnlockRoutine = UnlockRoutine;
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-fsrtluninitializefilelock
// The lock IRPs still waiting complete with STATUS_RANGE_NOT_LOCKED; one whose cancel routine is
// already running is waited for, so no cancel routine reaches freed state.
NTKERNELAPI VOID NTAPI FsRtlUninitializeFileLock(PFILE_LOCK FileLock) {
    LockTable* table = table_of(FileLock);
    if (!table) return;
    Deferred deferred;
    {
        std::lock_guard<std::mutex> guard(table->m_lock);
        for (auto it = table->m_waiting.begin(); it != table->m_waiting.end();) {
            if (IoSetCancelRoutine(it->irp, nullptr) == nullptr) {
                ++it;
                continue;
            }
            deferred.completions.push_back({it->irp, it->context, STATUS_RANGE_NOT_LOCKED, false, it->info});
            it = table->m_waiting.erase(it);
        }
        table->m_granted.clear();
    }
    finish(FileLock, deferred, nullptr);
    for (;;) {
        {
            std::lock_guard<std::mutex> guard(table->m_lock);
            if (table->m_waiting.empty()) break;
        }
        std::this_thread::yield();
    }
    FileLock->LockInformation = nullptr;
    delete table;
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-_fsrtl_advanced_fcb_header-fsrtlfastchecklockforread
NTKERNELAPI BOOLEAN NTAPI FsRtlFastCheckLockForRead(PFILE_LOCK FileLock, PLARGE_INTEGER StartingByte,
                                                    PLARGE_INTEGER Length, ULONG Key, PFILE_OBJECT FileObject,
                                                    PVOID ProcessId) {
    return check_access(FileLock, StartingByte, Length, Key, FileObject, ProcessId, false);
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-_fsrtl_advanced_fcb_header-fsrtlfastchecklockforwrite
NTKERNELAPI BOOLEAN NTAPI FsRtlFastCheckLockForWrite(PFILE_LOCK FileLock, PLARGE_INTEGER StartingByte,
                                                     PLARGE_INTEGER Length, ULONG Key, PVOID FileObject,
                                                     PVOID ProcessId) {
    return check_access(FileLock, StartingByte, Length, Key, FileObject, ProcessId, true);
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-_fsrtl_advanced_fcb_header-fsrtlchecklockforreadaccess
// The range, key and file of the read IRP, for the process the requesting thread is attached to.
NTKERNELAPI BOOLEAN NTAPI FsRtlCheckLockForReadAccess(PFILE_LOCK FileLock, PIRP Irp) {
    PIO_STACK_LOCATION sp = IoGetCurrentIrpStackLocation(Irp);
    LARGE_INTEGER length;
    length.QuadPart = sp->Parameters.Read.Length;
    return check_access(FileLock, &sp->Parameters.Read.ByteOffset, &length, sp->Parameters.Read.Key, sp->FileObject,
                        IoGetRequestorProcess(Irp), false);
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-_fsrtl_advanced_fcb_header-fsrtlchecklockforwriteaccess
NTKERNELAPI BOOLEAN NTAPI FsRtlCheckLockForWriteAccess(PFILE_LOCK FileLock, PIRP Irp) {
    PIO_STACK_LOCATION sp = IoGetCurrentIrpStackLocation(Irp);
    LARGE_INTEGER length;
    length.QuadPart = sp->Parameters.Write.Length;
    return check_access(FileLock, &sp->Parameters.Write.ByteOffset, &length, sp->Parameters.Write.Key, sp->FileObject,
                        IoGetRequestorProcess(Irp), true);
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-_fsrtl_advanced_fcb_header-fsrtlgetnextfilelock
// The enumeration position lives in the FILE_LOCK (LastReturnedLock is an index here); the caller
// synchronizes, as the page says.
NTKERNELAPI PFILE_LOCK_INFO NTAPI FsRtlGetNextFileLock(PFILE_LOCK FileLock, BOOLEAN Restart) {
    LockTable* table = table_of(FileLock);
    if (!table) return nullptr;
    std::lock_guard<std::mutex> guard(table->m_lock);
    const auto index = Restart ? std::size_t{0} : reinterpret_cast<std::size_t>(FileLock->LastReturnedLock);
    if (index >= table->m_granted.size()) return nullptr;
    FileLock->LastReturnedLockInfo = table->m_granted[index];
    FileLock->LastReturnedLock = reinterpret_cast<PVOID>(index + 1);
    return &FileLock->LastReturnedLockInfo;
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-_fsrtl_advanced_fcb_header-fsrtlaretherecurrentorinprogressfilelocks
// Granted locks, lock IRPs waiting here, or requests the file system counts in LockRequestsInProgress.
NTKERNELAPI BOOLEAN NTAPI FsRtlAreThereCurrentOrInProgressFileLocks(PFILE_LOCK FileLock) {
    if (__atomic_load_n(&FileLock->LockRequestsInProgress, __ATOMIC_SEQ_CST) > 0) return TRUE;
    LockTable* table = table_of(FileLock);
    if (!table) return FALSE;
    std::lock_guard<std::mutex> guard(table->m_lock);
    return (!table->m_granted.empty() || !table->m_waiting.empty()) ? TRUE : FALSE;
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-_fsrtl_advanced_fcb_header-fsrtlfastunlocksingle
// The lock with exactly this range and owner; an exclusive one before a shared one (MS-FSA 2.1.5.9).
NTKERNELAPI NTSTATUS NTAPI FsRtlFastUnlockSingle(PFILE_LOCK FileLock, PFILE_OBJECT FileObject,
                                                 PLARGE_INTEGER FileOffset, PLARGE_INTEGER Length,
                                                 PEPROCESS ProcessId, ULONG Key, PVOID Context,
                                                 BOOLEAN AlreadySynchronized) {
    (void)AlreadySynchronized;
    FILE_LOCK_INFO range;
    if (!make_lock_info(*FileOffset, *Length, false, Key, FileObject, ProcessId, range)) return STATUS_INVALID_LOCK_RANGE;
    auto match = [&](const FILE_LOCK_INFO& i) {
        return i.FileObject == FileObject && i.ProcessId == static_cast<PVOID>(ProcessId) && i.Key == Key &&
               i.StartingByte.QuadPart == FileOffset->QuadPart && i.Length.QuadPart == Length->QuadPart;
    };
    return unlock_where(FileLock, Context, match, [](const FILE_LOCK_INFO&) { return false; }, true);
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-_fsrtl_advanced_fcb_header-fsrtlfastunlockall
// Every lock of the file object and process; the lock IRPs they still have waiting complete with
// STATUS_RANGE_NOT_LOCKED (the handle is going: IRP_MN_UNLOCK_ALL comes from cleanup).
NTKERNELAPI NTSTATUS NTAPI FsRtlFastUnlockAll(PFILE_LOCK FileLock, PFILE_OBJECT FileObject, PEPROCESS ProcessId,
                                              PVOID Context) {
    auto mine = [&](const FILE_LOCK_INFO& i) {
        return i.FileObject == FileObject && i.ProcessId == static_cast<PVOID>(ProcessId);
    };
    const NTSTATUS status = unlock_where(FileLock, Context, mine, mine, false);
    // Nothing held is not an error here once the file has had locks.
    return (status == STATUS_RANGE_NOT_LOCKED && FileLock->FastIoIsQuestionable) ? STATUS_SUCCESS : status;
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-_fsrtl_advanced_fcb_header-fsrtlfastunlockallbykey
NTKERNELAPI NTSTATUS NTAPI FsRtlFastUnlockAllByKey(PFILE_LOCK FileLock, PFILE_OBJECT FileObject,
                                                   PEPROCESS ProcessId, ULONG Key, PVOID Context) {
    auto mine = [&](const FILE_LOCK_INFO& i) {
        return i.FileObject == FileObject && i.ProcessId == static_cast<PVOID>(ProcessId) && i.Key == Key;
    };
    const NTSTATUS status = unlock_where(FileLock, Context, mine, [](const FILE_LOCK_INFO&) { return false; }, false);
    return (status == STATUS_RANGE_NOT_LOCKED && FileLock->FastIoIsQuestionable) ? STATUS_SUCCESS : status;
}

}  // extern "C"
