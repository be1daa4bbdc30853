// Remove locks in the free-build layout (IO_REMOVE_LOCK_COMMON_BLOCK): an I/O count biased by one
// for the lock itself, so the count reaches zero only after IoReleaseRemoveLockAndWait has dropped
// the bias, and the waiter sleeps on the lock's notification event rather than spinning (NT facts
// M4, M5). Lock-free on the acquire/release path.
#include "io/objects.hpp"
#include "verifier/verifier.hpp"

namespace ntio::io {
namespace {

// A driver built against the WDK's checked-build remove lock passes sizeof(IO_REMOVE_LOCK) with the
// IO_REMOVE_LOCK_DBG_BLOCK after the common block (0x58 bytes on x64); the common block comes first
// in both, and that is all ntio uses.
constexpr ULONG kFreeSize = sizeof(IO_REMOVE_LOCK);
constexpr ULONG kCheckedSize = sizeof(IO_REMOVE_LOCK_COMMON_BLOCK) + 0x58;

bool known_size(ULONG size) noexcept { return size == kFreeSize || size == kCheckedSize; }

bool removed(PIO_REMOVE_LOCK lock) noexcept {
    return __atomic_load_n(&lock->Common.Removed, __ATOMIC_SEQ_CST) != FALSE;
}

void drop(PIO_REMOVE_LOCK lock) noexcept {
    if (InterlockedDecrement(&lock->Common.IoCount) == 0) KeSetEvent(&lock->Common.RemoveEvent, IO_NO_INCREMENT, FALSE);
}

}  // namespace
}  // namespace ntio::io

using namespace ntio;

extern "C" {

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-ioinitializeremovelockex
// An unknown RemlockSize leaves the lock untouched, as the free build of Windows does (its checked
// build asserts): the driver was built against a layout this kernel does not know.
VOID NTAPI IoInitializeRemoveLockEx(PIO_REMOVE_LOCK Lock, ULONG AllocateTag, ULONG MaxLockedMinutes,
                                    ULONG HighWatermark, ULONG RemlockSize) {
    NTIO_VERIFY_REMOVE_LOCK(ntio::verifier::RemoveLockOp::Initialize, Lock, nullptr);
    (void)AllocateTag;
    (void)MaxLockedMinutes;
    (void)HighWatermark;  // tracking parameters of the checked-build block
    if (!io::known_size(RemlockSize)) return;
    Lock->Common.Removed = FALSE;
    Lock->Common.Reserved[0] = Lock->Common.Reserved[1] = Lock->Common.Reserved[2] = 0;
    Lock->Common.IoCount = 1;
    KeInitializeEvent(&Lock->Common.RemoveEvent, NotificationEvent, FALSE);
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-ioacquireremovelock
// The count goes up before Removed is read, so a concurrent release-and-wait either sees this
// acquisition and waits for it, or this call sees Removed and backs out (signalling the waiter when
// it was the last one).
NTSTATUS NTAPI IoAcquireRemoveLockEx(PIO_REMOVE_LOCK RemoveLock, PVOID Tag, PCSTR File, ULONG Line, ULONG RemlockSize) {
    NTIO_VERIFY_REMOVE_LOCK(ntio::verifier::RemoveLockOp::Acquire, RemoveLock, Tag);
    (void)Tag;
    (void)File;
    (void)Line;
    (void)RemlockSize;
    InterlockedIncrement(&RemoveLock->Common.IoCount);
    if (io::removed(RemoveLock)) {
        io::drop(RemoveLock);
        return STATUS_DELETE_PENDING;
    }
    return STATUS_SUCCESS;
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-ioreleaseremovelock
VOID NTAPI IoReleaseRemoveLockEx(PIO_REMOVE_LOCK RemoveLock, PVOID Tag, ULONG RemlockSize) {
    NTIO_VERIFY_REMOVE_LOCK(ntio::verifier::RemoveLockOp::Release, RemoveLock, Tag);
    (void)Tag;
    (void)RemlockSize;
    io::drop(RemoveLock);
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-ioreleaseremovelockandwait
// The caller holds one acquisition: it is dropped with the lock's own bias, then the caller waits
// until every other holder has released. PASSIVE_LEVEL.
VOID NTAPI IoReleaseRemoveLockAndWaitEx(PIO_REMOVE_LOCK RemoveLock, PVOID Tag, ULONG RemlockSize) {
    NTIO_VERIFY_REMOVE_LOCK(ntio::verifier::RemoveLockOp::ReleaseAndWait, RemoveLock, Tag);
    (void)Tag;
    (void)RemlockSize;
    __atomic_store_n(&RemoveLock->Common.Removed, TRUE, __ATOMIC_SEQ_CST);
    InterlockedDecrement(&RemoveLock->Common.IoCount);  // the caller's acquisition
    if (InterlockedDecrement(&RemoveLock->Common.IoCount) > 0) {
        KeWaitForSingleObject(&RemoveLock->Common.RemoveEvent, Executive, KernelMode, FALSE, nullptr);
    }
}

}  // extern "C"
