// The byte-range lock table: the conflict rule, granting waiters, and the completion and unlock
// callbacks that run after the table lock is released.
#include "fsrtl/file_lock_table.hpp"

#include <new>

namespace ntio::fsrtl {

namespace {

ULONGLONG start_of(const FILE_LOCK_INFO& i) noexcept { return static_cast<ULONGLONG>(i.StartingByte.QuadPart); }
ULONGLONG length_of(const FILE_LOCK_INFO& i) noexcept { return static_cast<ULONGLONG>(i.Length.QuadPart); }
ULONGLONG last_of(const FILE_LOCK_INFO& i) noexcept { return static_cast<ULONGLONG>(i.EndingByte.QuadPart); }
bool is_null_range(const FILE_LOCK_INFO& i) noexcept { return start_of(i) == 0 && length_of(i) == 0; }

bool same_owner(const FILE_LOCK_INFO& a, const FILE_LOCK_INFO& b) noexcept {
    return a.FileObject == b.FileObject && a.ProcessId == b.ProcessId && a.Key == b.Key;
}

bool same_lock(const FILE_LOCK_INFO& a, const FILE_LOCK_INFO& b) noexcept {
    return same_owner(a, b) && start_of(a) == start_of(b) && length_of(a) == length_of(b) &&
           a.ExclusiveLock == b.ExclusiveLock;
}

}  // namespace

bool make_lock_info(const LARGE_INTEGER& offset, const LARGE_INTEGER& length, bool exclusive, ULONG key,
                    PFILE_OBJECT file, PVOID process, FILE_LOCK_INFO& info) noexcept {
    const auto start = static_cast<ULONGLONG>(offset.QuadPart);
    const auto bytes = static_cast<ULONGLONG>(length.QuadPart);
    const ULONGLONG last = start + bytes - 1;  // wraps to start - 1 for a zero length, as MS-FSA computes it
    info = {};
    info.StartingByte = offset;
    info.Length = length;
    info.ExclusiveLock = exclusive ? TRUE : FALSE;
    info.Key = key;
    info.FileObject = file;
    info.ProcessId = process;
    info.EndingByte.QuadPart = static_cast<LONGLONG>(last);
    return bytes == 0 || last >= start;
}

LockTable* table_of(PFILE_LOCK lock) noexcept {
    return static_cast<LockTable*>(__atomic_load_n(&lock->LockInformation, __ATOMIC_ACQUIRE));
}

LockTable* table_for_lock(PFILE_LOCK lock) noexcept {
    if (LockTable* table = table_of(lock)) return table;
    auto* created = new (std::nothrow) LockTable;
    if (!created) return nullptr;
    PVOID expected = nullptr;
    if (__atomic_compare_exchange_n(&lock->LockInformation, &expected, created, false, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
        return created;
    delete created;  // another request made it first
    return static_cast<LockTable*>(expected);
}

bool LockTable::conflicts_locked(const FILE_LOCK_INFO& request, bool exclusive_intent, bool lock_intent) const noexcept {
    if (is_null_range(request)) return false;
    for (const FILE_LOCK_INFO& held : m_granted) {
        if (is_null_range(held)) continue;
        const bool overlap = start_of(request) <= last_of(held) && last_of(request) >= start_of(held);
        if (!overlap) continue;
        if (held.ExclusiveLock) {
            if (!same_owner(held, request)) return true;
            if (exclusive_intent && lock_intent) return true;
        } else if (exclusive_intent) {
            return true;
        }
    }
    return false;
}

void LockTable::grant_waiters_locked(Deferred& deferred) {
    for (auto it = m_waiting.begin(); it != m_waiting.end();) {
        if (conflicts_locked(it->info, it->info.ExclusiveLock != FALSE, true)) {
            ++it;
            continue;
        }
        // NULL: IoCancelIrp took the cancel routine, which will remove and complete the IRP.
        if (IoSetCancelRoutine(it->irp, nullptr) == nullptr) {
            ++it;
            continue;
        }
        m_granted.push_back(it->info);
        deferred.completions.push_back({it->irp, it->context, STATUS_SUCCESS, true, it->info});
        it = m_waiting.erase(it);
    }
}

NTSTATUS complete_lock_irp(PCOMPLETE_LOCK_IRP_ROUTINE routine, PVOID context, PIRP irp, NTSTATUS status) {
    irp->IoStatus.Status = status;
    irp->IoStatus.Information = 0;
    if (routine) return routine(context, irp);
    IoCompleteRequest(irp, IO_NO_INCREMENT);
    return status;
}

void finish(PFILE_LOCK lock, Deferred& deferred, PVOID unlock_context) {
    if (PUNLOCK_ROUTINE unlock = lock->UnlockRoutine) {
        for (FILE_LOCK_INFO& info : deferred.released) unlock(unlock_context, &info);
    }
    deferred.released.clear();
    std::vector<LockCompletion> completions;
    completions.swap(deferred.completions);
    for (LockCompletion& c : completions) {
        const NTSTATUS result = complete_lock_irp(lock->CompleteLockIrpRoutine, c.context, c.irp, c.status);
        if (!c.granted || NT_SUCCESS(result)) continue;
        // The file system refused the completion: the lock it was granted goes again (and may let
        // a waiter in).
        LockTable* table = table_of(lock);
        Deferred more;
        {
            std::lock_guard<std::mutex> guard(table->m_lock);
            for (auto it = table->m_granted.begin(); it != table->m_granted.end(); ++it) {
                if (same_lock(*it, c.info)) {
                    table->m_granted.erase(it);
                    break;
                }
            }
            table->grant_waiters_locked(more);
        }
        finish(lock, more, nullptr);
    }
}

}  // namespace ntio::fsrtl
