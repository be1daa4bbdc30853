// Timer services: NtCreateTimer/NtOpenTimer/NtSetTimer/NtSetTimerEx/NtCancelTimer/NtQueryTimer over
// the executive timer object (ex/timer_object.hpp): a KTIMER that waits see, with the APC a
// TIMER_APC_ROUTINE is queued through to the thread that set the timer.
#include "nt/current_system.hpp"
#include "nt/enum_value.hpp"
#include <wdm.h>

#include "ex/timer_object.hpp"
#include "ke/kernel.hpp"
#include "nt/object_creation.hpp"
#include "ob/object_header.hpp"
#include "nt/object_reference.hpp"
#include "nt/query_buffer.hpp"

using namespace ntio::nt;
using ntio::ex::TimerObject;
using ntio::ex::TimerSetting;

namespace {

// A Timer object some driver made with a bare KTIMER body (ObCreateObject) has no APC to set or
// cancel: the services refuse it as they refuse another type.
NTSTATUS check_executive_timer(TimerObject* timer) noexcept {
    return ntio::ex::is_timer_object(timer, ntio::ob::header_of(timer)->body_size) ? STATUS_SUCCESS
                                                                                  : STATUS_OBJECT_TYPE_MISMATCH;
}

// The shared body of NtSetTimer and NtSetTimerEx once the caller's arguments are captured: the
// handle needs TIMER_MODIFY_STATE; a wake timer is set as an ordinary one, with
// STATUS_TIMER_RESUME_IGNORED (ntio never wakes a sleeping machine), as NT answers where the
// platform cannot wake from a timer.
NTSTATUS set_timer(KPROCESSOR_MODE mode, HANDLE handle, const TimerSetting& setting, bool resume,
                   PBOOLEAN previous_state) noexcept {
    HandleReference<TimerObject> timer;
    NTSTATUS status = timer.reference(handle, TIMER_MODIFY_STATE, *ExTimerObjectType, mode);
    if (NT_SUCCESS(status)) status = check_executive_timer(timer.get());
    if (!NT_SUCCESS(status)) return status;
    const BOOLEAN previous = ntio::ex::set_timer_object(timer.get(), setting);
    if (previous_state) (void)write_caller(mode, previous_state, previous);
    return resume ? STATUS_TIMER_RESUME_IGNORED : STATUS_SUCCESS;
}

// NT probes a due time as a ULONG-aligned structure (ProbeForReadSmallStructure).
NTSTATUS capture_due_time(KPROCESSOR_MODE mode, const LARGE_INTEGER* due_time, LARGE_INTEGER& captured) noexcept {
    if (!due_time) return STATUS_ACCESS_VIOLATION;
    if (mode == KernelMode) {
        captured = *due_time;
        return STATUS_SUCCESS;
    }
    return copy_from_user(&captured, due_time, sizeof(captured), alignof(ULONG));
}

}  // namespace

extern "C" {

NTSTATUS NTAPI NtCreateTimer(PHANDLE TimerHandle, ACCESS_MASK DesiredAccess, POBJECT_ATTRIBUTES ObjectAttributes,
                             TIMER_TYPE TimerType) {
    const unsigned long type = enum_value(TimerType);
    if (type != NotificationTimer && type != SynchronizationTimer) return STATUS_INVALID_PARAMETER_4;
    return create_object<TimerObject>(TimerHandle, DesiredAccess, ObjectAttributes, *ExTimerObjectType,
                                      sizeof(TimerObject), [&](TimerObject* timer) {
                                          ntio::ex::initialize_timer_object(timer, TimerType);
                                          return STATUS_SUCCESS;
                                      });
}

NTSTATUS NTAPI NtOpenTimer(PHANDLE TimerHandle, ACCESS_MASK DesiredAccess, POBJECT_ATTRIBUTES ObjectAttributes) {
    return open_object(TimerHandle, DesiredAccess, ObjectAttributes, *ExTimerObjectType);
}

NTSTATUS NTAPI NtSetTimer(HANDLE TimerHandle, PLARGE_INTEGER DueTime, PTIMER_APC_ROUTINE TimerApcRoutine,
                          PVOID TimerContext, BOOLEAN ResumeTimer, LONG Period, PBOOLEAN PreviousState) {
    if (Period < 0) return STATUS_INVALID_PARAMETER_6;
    const KPROCESSOR_MODE mode = previous_mode();
    if (PreviousState) {
        NTSTATUS status = probe_caller_output(mode, PreviousState);
        if (!NT_SUCCESS(status)) return status;
    }
    TimerSetting setting;
    NTSTATUS status = capture_due_time(mode, DueTime, setting.due_time);
    if (!NT_SUCCESS(status)) return status;
    setting.apc_routine = TimerApcRoutine;
    setting.apc_context = TimerContext;
    setting.apc_mode = mode;
    setting.period = Period;
    return set_timer(mode, TimerHandle, setting, ResumeTimer != FALSE, PreviousState);
}

// TimerSetCoalescableTimer only, the one class the WDK defines. TolerableDelay is accepted and unused
// (ntio fires at the due time, as KeSetCoalescableTimer does); a WakeContext asks for a wake timer.
NTSTATUS NTAPI NtSetTimerEx(HANDLE TimerHandle, TIMER_SET_INFORMATION_CLASS TimerSetInformationClass,
                            PVOID TimerSetInformation, ULONG TimerSetInformationLength) {
    if (enum_value(TimerSetInformationClass) != TimerSetCoalescableTimer) return STATUS_INVALID_PARAMETER;
    if (TimerSetInformationLength != sizeof(TIMER_SET_COALESCABLE_TIMER_INFO)) return STATUS_INFO_LENGTH_MISMATCH;
    const KPROCESSOR_MODE mode = previous_mode();
    TIMER_SET_COALESCABLE_TIMER_INFO info;
    if (!TimerSetInformation) return STATUS_ACCESS_VIOLATION;
    if (mode == KernelMode) {
        info = *static_cast<PTIMER_SET_COALESCABLE_TIMER_INFO>(TimerSetInformation);
    } else {
        NTSTATUS status = copy_from_user(&info, TimerSetInformation, sizeof(info), alignof(ULONG));
        if (!NT_SUCCESS(status)) return status;
    }
    if (info.Period > static_cast<ULONG>(MAXLONG)) return STATUS_INVALID_PARAMETER;
    if (info.PreviousState) {
        NTSTATUS status = probe_caller_output(mode, info.PreviousState);
        if (!NT_SUCCESS(status)) return status;
    }
    TimerSetting setting;
    setting.due_time = info.DueTime;
    setting.apc_routine = info.TimerApcRoutine;
    setting.apc_context = info.TimerContext;
    setting.apc_mode = mode;
    setting.period = static_cast<LONG>(info.Period);
    return set_timer(mode, TimerHandle, setting, info.WakeContext != nullptr, info.PreviousState);
}

NTSTATUS NTAPI NtCancelTimer(HANDLE TimerHandle, PBOOLEAN CurrentState) {
    const KPROCESSOR_MODE mode = previous_mode();
    if (CurrentState) {
        NTSTATUS status = probe_caller_output(mode, CurrentState);
        if (!NT_SUCCESS(status)) return status;
    }
    HandleReference<TimerObject> timer;
    NTSTATUS status = timer.reference(TimerHandle, TIMER_MODIFY_STATE, *ExTimerObjectType, mode);
    if (NT_SUCCESS(status)) status = check_executive_timer(timer.get());
    if (!NT_SUCCESS(status)) return status;
    const BOOLEAN state = ntio::ex::cancel_timer_object(timer.get());
    if (CurrentState) (void)write_caller(mode, CurrentState, state);
    return STATUS_SUCCESS;
}

// RemainingTime: the due time less the interrupt time now, negative once the timer expired (and for a
// timer never set, whose due time is 0), as NT computes it.
NTSTATUS NTAPI NtQueryTimer(HANDLE TimerHandle, TIMER_INFORMATION_CLASS TimerInformationClass,
                            PVOID TimerInformation, ULONG TimerInformationLength, PULONG ReturnLength) {
    const KPROCESSOR_MODE mode = previous_mode();
    NTSTATUS status = check_fixed_query<TIMER_BASIC_INFORMATION>(
        mode, enum_value(TimerInformationClass) == TimerBasicInformation, TimerInformation, TimerInformationLength,
        ReturnLength);
    if (!NT_SUCCESS(status)) return status;
    HandleReference<TimerObject> timer;
    status = timer.reference(TimerHandle, TIMER_QUERY_STATE, *ExTimerObjectType, mode);
    if (!NT_SUCCESS(status)) return status;
    TIMER_BASIC_INFORMATION info{};
    info.TimerState = KeReadStateTimer(&timer->timer);
    info.RemainingTime.QuadPart = static_cast<LONGLONG>(ntio::ke::timer_due_time(&timer->timer) - KeQueryInterruptTime());
    write_fixed_query(mode, TimerInformation, ReturnLength, info);
    return STATUS_SUCCESS;
}

}  // extern "C"
