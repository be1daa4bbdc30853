// Cancellable waits: a file system waits on dispatcher objects for a user's request and gives up
// when that request's IRP is cancelled or its thread is terminating
// (FsRtlCancellableWaitForSingleObject / FsRtlCancellableWaitForMultipleObjects). The wait is a
// kernel-mode alertable one; for its duration the IRP carries FsRtl's cancel routine, which alerts
// the waiting thread, so cancelling the IRP ends the wait.
// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-fsrtlcancellablewaitforsingleobject
// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-fsrtlcancellablewaitformultipleobjects
#include <ntifs.h>

#include <algorithm>
#include <atomic>
#include <mutex>
#include <thread>
#include <vector>

namespace {

// A wait that has put its cancel routine on an IRP. The cancel routine finds it by the IRP.
struct Waiter {
    PIRP irp;
    PKTHREAD thread;
    std::atomic<bool> cancel_ran{false};
};

struct Waiters {
    std::mutex lock;
    std::vector<Waiter*> list;
};
Waiters& waiters() {
    static Waiters w;
    return w;
}

VOID NTAPI wake_waiter(PDEVICE_OBJECT, PIRP Irp) {
    IoReleaseCancelSpinLock(Irp->CancelIrql);
    Waiters& w = waiters();
    std::lock_guard guard(w.lock);
    for (Waiter* waiter : w.list) {
        if (waiter->irp != Irp) continue;
        KeAlertThread(waiter->thread, KernelMode);
        waiter->cancel_ran.store(true, std::memory_order_release);
        break;
    }
}

// Registers `waiter` and puts the cancel routine on its IRP. FALSE when the IRP is already
// cancelled (nothing is left registered then).
bool arm(Waiter& waiter) {
    {
        Waiters& w = waiters();
        std::lock_guard guard(w.lock);
        w.list.push_back(&waiter);
    }
    IoSetCancelRoutine(waiter.irp, wake_waiter);
    if (!waiter.irp->Cancel) return true;
    return false;
}

// Takes the cancel routine off the IRP again. When IoCancelIrp got to it first, waits until it has
// run (it touches `waiter`) and drops the alert it left, so the caller's next alertable wait does
// not end for it.
void disarm(Waiter& waiter) {
    if (!IoSetCancelRoutine(waiter.irp, nullptr)) {
        while (!waiter.cancel_ran.load(std::memory_order_acquire)) std::this_thread::yield();
        (void)KeTestAlertThread(KernelMode);
    }
    Waiters& w = waiters();
    std::lock_guard guard(w.lock);
    std::erase(w.list, &waiter);
}

bool terminating() { return PsIsThreadTerminating(PsGetCurrentThread()) != FALSE; }

NTSTATUS cancellable_wait(ULONG count, PVOID objects[], WAIT_TYPE wait_type, PLARGE_INTEGER timeout,
                          PKWAIT_BLOCK wait_blocks, PIRP irp) {
    // Re-waits after an alert that was neither the IRP's cancel nor termination end at the same
    // moment: a relative timeout becomes an absolute one first. (NT deviation: a system time change
    // during such a re-wait moves its end.)
    LARGE_INTEGER deadline{};
    PLARGE_INTEGER wait_timeout = timeout;
    if (timeout && timeout->QuadPart < 0) {
        KeQuerySystemTime(&deadline);
        deadline.QuadPart -= timeout->QuadPart;
    } else if (timeout) {
        deadline = *timeout;
    }
    if (terminating()) return STATUS_THREAD_IS_TERMINATING;
    Waiter waiter{irp, KeGetCurrentThread()};
    if (irp && !arm(waiter)) {
        disarm(waiter);
        return STATUS_CANCELLED;
    }
    NTSTATUS status;
    for (;;) {
        status = KeWaitForMultipleObjects(count, objects, wait_type, Executive, KernelMode, TRUE, wait_timeout,
                                          wait_blocks);
        if (status != STATUS_ALERTED) break;
        if (irp && irp->Cancel) {
            status = STATUS_CANCELLED;
            break;
        }
        if (terminating()) {
            status = STATUS_THREAD_IS_TERMINATING;
            break;
        }
        if (timeout) wait_timeout = &deadline;
    }
    if (irp) disarm(waiter);
    return status;
}

}  // namespace

extern "C" {

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-fsrtlcancellablewaitformultipleobjects
// STATUS_SUCCESS (WaitAll), STATUS_WAIT_n / STATUS_ABANDONED_WAIT_n (WaitAny), STATUS_TIMEOUT,
// STATUS_CANCELLED when Irp is cancelled before or during the wait, STATUS_THREAD_IS_TERMINATING
// when the calling thread is terminating. Bad Count, ObjectArray or WaitType get what
// KeWaitForMultipleObjects gives them (more than MAXIMUM_WAIT_OBJECTS is its bugcheck). The IRP
// must have no cancel routine (Learn); it has FsRtl's while the wait lasts.
// NT deviation: any IoCancelIrp of Irp ends the wait, where Learn names CancelSynchronousIo; and a
// thread is seen terminating when it already was when the wait began or when it is alerted in
// kernel mode during it (ntio's process termination does not interrupt a blocked wait).
NTKERNELAPI NTSTATUS NTAPI FsRtlCancellableWaitForMultipleObjects(ULONG Count, PVOID ObjectArray[],
                                                                  WAIT_TYPE WaitType, PLARGE_INTEGER Timeout,
                                                                  PKWAIT_BLOCK WaitBlockArray, PIRP Irp) {
    if (Count > MAXIMUM_WAIT_OBJECTS || (!WaitBlockArray && Count > THREAD_WAIT_OBJECTS))
        KeBugCheck(MAXIMUM_WAIT_OBJECTS_EXCEEDED);
    if (Count == 0 || !ObjectArray || (WaitType != WaitAll && WaitType != WaitAny)) return STATUS_INVALID_PARAMETER;
    for (ULONG i = 0; i < Count; ++i)
        if (!ObjectArray[i]) return STATUS_INVALID_PARAMETER;
    return cancellable_wait(Count, ObjectArray, WaitType, Timeout, WaitBlockArray, Irp);
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-fsrtlcancellablewaitforsingleobject
// STATUS_SUCCESS, STATUS_ABANDONED_WAIT_0, STATUS_TIMEOUT, STATUS_CANCELLED or
// STATUS_THREAD_IS_TERMINATING, as the multiple-object form; a NULL Object is
// STATUS_INVALID_PARAMETER.
NTKERNELAPI NTSTATUS NTAPI FsRtlCancellableWaitForSingleObject(PVOID Object, PLARGE_INTEGER Timeout, PIRP Irp) {
    if (!Object) return STATUS_INVALID_PARAMETER;
    PVOID objects[1] = {Object};
    return cancellable_wait(1, objects, WaitAny, Timeout, nullptr, Irp);
}

}  // extern "C"
