// KeWaitForSingleObject / KeWaitForMultipleObjects / KeDelayExecutionThread over the wait engine.
#include <thread>
#include <algorithm>
#include <atomic>
#include <cstdint>
#include <ctime>
#include <memory>
#include <mutex>
#include <new>
#include <utility>
#include <vector>

#include "ke/dispatcher.hpp"
#include "ke/wait_poll.hpp"
#include "verifier/verifier.hpp"

using namespace ntio::ke;

extern "C" {

NTKERNELAPI NTSTATUS KeWaitForSingleObject(PVOID Object, KWAIT_REASON WaitReason, KPROCESSOR_MODE WaitMode,
                                           BOOLEAN Alertable, PLARGE_INTEGER Timeout) {
    NTIO_VERIFY_DDI(ntio::verifier::DdiRule::KeWait, ULONG_PTR(uintptr_t(Object)), ULONG_PTR(uintptr_t(Timeout)));
    _KTHREAD* t = current_thread();
    if (!t || !Object) return STATUS_INVALID_PARAMETER;
    WaitRequest rq;
    rq.count = 1;
    rq.objects = &Object;
    rq.wait_type = WaitAny;
    rq.wait_mode = WaitMode;
    rq.alertable = Alertable != FALSE;
    rq.timeout = Timeout;
    poll_before_wait(1, &Object, WaitAny, Timeout);
    return wait_for_objects(t, rq);
}

NTKERNELAPI NTSTATUS KeWaitForMultipleObjects(ULONG Count, PVOID Object[], WAIT_TYPE WaitType,
                                              KWAIT_REASON WaitReason, KPROCESSOR_MODE WaitMode,
                                              BOOLEAN Alertable, PLARGE_INTEGER Timeout,
                                              PKWAIT_BLOCK WaitBlockArray) {
    NTIO_VERIFY_DDI(ntio::verifier::DdiRule::KeWait, ULONG_PTR(uintptr_t(Object)), ULONG_PTR(uintptr_t(Timeout)));
    // Bug check 0xC has no parameters ("MAXIMUM_WAIT_OBJECTS_EXCEEDED Parameters: None",
    // https://learn.microsoft.com/windows-hardware/drivers/debugger/bug-check-0xc--maximum-wait-objects-exceeded).
    if (Count > MAXIMUM_WAIT_OBJECTS || (!WaitBlockArray && Count > THREAD_WAIT_OBJECTS))
        KeBugCheck(MAXIMUM_WAIT_OBJECTS_EXCEEDED);
    _KTHREAD* t = current_thread();
    if (!t || (Count && !Object) || (WaitType != WaitAll && WaitType != WaitAny)) return STATUS_INVALID_PARAMETER;
    WaitRequest rq;
    rq.count = Count;
    rq.objects = Object;
    rq.wait_type = WaitType;
    rq.wait_mode = WaitMode;
    rq.alertable = Alertable != FALSE;
    rq.timeout = Timeout;
    rq.wait_blocks = WaitBlockArray;
    poll_before_wait(Count, Object, WaitType, Timeout);
    return wait_for_objects(t, rq);
}

NTKERNELAPI NTSTATUS KeDelayExecutionThread(KPROCESSOR_MODE WaitMode, BOOLEAN Alertable, PLARGE_INTEGER Interval) {
    NTIO_VERIFY_DDI(ntio::verifier::DdiRule::KeApcLte1);
    _KTHREAD* t = current_thread();
    if (!t || !Interval) return STATUS_INVALID_PARAMETER;
    WaitRequest rq;
    rq.wait_mode = WaitMode;
    rq.alertable = Alertable != FALSE;
    rq.timeout = Interval;
    poll_before_wait(0, nullptr, WaitAny, Interval);
    NTSTATUS status = wait_for_objects(t, rq);
    if (status == STATUS_TIMEOUT) {
        if (Interval->QuadPart == 0) std::this_thread::yield();
        status = STATUS_SUCCESS;
    }
    return status;
}

}  // extern "C"
