// The Zw* routines drivers call: each runs the Nt* service of the same name with PreviousMode
// KernelMode (no probing, kernel handles accepted, no access check on handles), as the NT
// system-call path does for kernel-mode callers, then restores the caller's mode.
#include "nt/current_system.hpp"
#include <ntio/ntapi.h>

#include "nt/previous_mode.hpp"
#include "verifier/verifier.hpp"

using ntio::nt::KernelModeCall;

extern "C" {

NTSTATUS NTAPI ZwClose(HANDLE Handle) {
    NTIO_VERIFY_DDI(ntio::verifier::DdiRule::ZwPassive);
    KernelModeCall kernel;
    return NtClose(Handle);
}

NTSTATUS NTAPI ZwDuplicateObject(HANDLE SourceProcessHandle, HANDLE SourceHandle, HANDLE TargetProcessHandle, PHANDLE TargetHandle, ACCESS_MASK DesiredAccess, ULONG HandleAttributes, ULONG Options) {
    KernelModeCall kernel;
    return NtDuplicateObject(SourceProcessHandle, SourceHandle, TargetProcessHandle, TargetHandle, DesiredAccess, HandleAttributes, Options);
}

NTSTATUS NTAPI ZwMakeTemporaryObject(HANDLE Handle) {
    KernelModeCall kernel;
    return NtMakeTemporaryObject(Handle);
}

NTSTATUS NTAPI ZwMakePermanentObject(HANDLE Handle) {
    KernelModeCall kernel;
    return NtMakePermanentObject(Handle);
}

NTSTATUS NTAPI ZwQueryObject(HANDLE Handle, OBJECT_INFORMATION_CLASS ObjectInformationClass, PVOID ObjectInformation, ULONG ObjectInformationLength, PULONG ReturnLength) {
    KernelModeCall kernel;
    return NtQueryObject(Handle, ObjectInformationClass, ObjectInformation, ObjectInformationLength, ReturnLength);
}

NTSTATUS NTAPI ZwSetInformationObject(HANDLE Handle, OBJECT_INFORMATION_CLASS ObjectInformationClass, PVOID ObjectInformation, ULONG ObjectInformationLength) {
    KernelModeCall kernel;
    return NtSetInformationObject(Handle, ObjectInformationClass, ObjectInformation, ObjectInformationLength);
}

NTSTATUS NTAPI ZwCreateEvent(PHANDLE EventHandle, ACCESS_MASK DesiredAccess, POBJECT_ATTRIBUTES ObjectAttributes, EVENT_TYPE EventType, BOOLEAN InitialState) {
    KernelModeCall kernel;
    return NtCreateEvent(EventHandle, DesiredAccess, ObjectAttributes, EventType, InitialState);
}

NTSTATUS NTAPI ZwOpenEvent(PHANDLE EventHandle, ACCESS_MASK DesiredAccess, POBJECT_ATTRIBUTES ObjectAttributes) {
    KernelModeCall kernel;
    return NtOpenEvent(EventHandle, DesiredAccess, ObjectAttributes);
}

NTSTATUS NTAPI ZwSetEvent(HANDLE EventHandle, PLONG PreviousState) {
    KernelModeCall kernel;
    return NtSetEvent(EventHandle, PreviousState);
}

NTSTATUS NTAPI ZwResetEvent(HANDLE EventHandle, PLONG PreviousState) {
    KernelModeCall kernel;
    return NtResetEvent(EventHandle, PreviousState);
}

NTSTATUS NTAPI ZwPulseEvent(HANDLE EventHandle, PLONG PreviousState) {
    KernelModeCall kernel;
    return NtPulseEvent(EventHandle, PreviousState);
}

NTSTATUS NTAPI ZwClearEvent(HANDLE EventHandle) {
    KernelModeCall kernel;
    return NtClearEvent(EventHandle);
}

NTSTATUS NTAPI ZwQueryEvent(HANDLE EventHandle, EVENT_INFORMATION_CLASS EventInformationClass, PVOID EventInformation, ULONG EventInformationLength, PULONG ReturnLength) {
    KernelModeCall kernel;
    return NtQueryEvent(EventHandle, EventInformationClass, EventInformation, EventInformationLength, ReturnLength);
}

NTSTATUS NTAPI ZwCreateSemaphore(PHANDLE SemaphoreHandle, ACCESS_MASK DesiredAccess, POBJECT_ATTRIBUTES ObjectAttributes, LONG InitialCount, LONG MaximumCount) {
    KernelModeCall kernel;
    return NtCreateSemaphore(SemaphoreHandle, DesiredAccess, ObjectAttributes, InitialCount, MaximumCount);
}

NTSTATUS NTAPI ZwOpenSemaphore(PHANDLE SemaphoreHandle, ACCESS_MASK DesiredAccess, POBJECT_ATTRIBUTES ObjectAttributes) {
    KernelModeCall kernel;
    return NtOpenSemaphore(SemaphoreHandle, DesiredAccess, ObjectAttributes);
}

NTSTATUS NTAPI ZwReleaseSemaphore(HANDLE SemaphoreHandle, LONG ReleaseCount, PLONG PreviousCount) {
    KernelModeCall kernel;
    return NtReleaseSemaphore(SemaphoreHandle, ReleaseCount, PreviousCount);
}

NTSTATUS NTAPI ZwQuerySemaphore(HANDLE SemaphoreHandle, SEMAPHORE_INFORMATION_CLASS SemaphoreInformationClass, PVOID SemaphoreInformation, ULONG SemaphoreInformationLength, PULONG ReturnLength) {
    KernelModeCall kernel;
    return NtQuerySemaphore(SemaphoreHandle, SemaphoreInformationClass, SemaphoreInformation, SemaphoreInformationLength, ReturnLength);
}

NTSTATUS NTAPI ZwCreateMutant(PHANDLE MutantHandle, ACCESS_MASK DesiredAccess, POBJECT_ATTRIBUTES ObjectAttributes, BOOLEAN InitialOwner) {
    KernelModeCall kernel;
    return NtCreateMutant(MutantHandle, DesiredAccess, ObjectAttributes, InitialOwner);
}

NTSTATUS NTAPI ZwOpenMutant(PHANDLE MutantHandle, ACCESS_MASK DesiredAccess, POBJECT_ATTRIBUTES ObjectAttributes) {
    KernelModeCall kernel;
    return NtOpenMutant(MutantHandle, DesiredAccess, ObjectAttributes);
}

NTSTATUS NTAPI ZwReleaseMutant(HANDLE MutantHandle, PLONG PreviousCount) {
    KernelModeCall kernel;
    return NtReleaseMutant(MutantHandle, PreviousCount);
}

NTSTATUS NTAPI ZwQueryMutant(HANDLE MutantHandle, MUTANT_INFORMATION_CLASS MutantInformationClass, PVOID MutantInformation, ULONG MutantInformationLength, PULONG ReturnLength) {
    KernelModeCall kernel;
    return NtQueryMutant(MutantHandle, MutantInformationClass, MutantInformation, MutantInformationLength, ReturnLength);
}

NTSTATUS NTAPI ZwCreateTimer(PHANDLE TimerHandle, ACCESS_MASK DesiredAccess, POBJECT_ATTRIBUTES ObjectAttributes, TIMER_TYPE TimerType) {
    KernelModeCall kernel;
    return NtCreateTimer(TimerHandle, DesiredAccess, ObjectAttributes, TimerType);
}

NTSTATUS NTAPI ZwOpenTimer(PHANDLE TimerHandle, ACCESS_MASK DesiredAccess, POBJECT_ATTRIBUTES ObjectAttributes) {
    KernelModeCall kernel;
    return NtOpenTimer(TimerHandle, DesiredAccess, ObjectAttributes);
}

NTSTATUS NTAPI ZwSetTimer(HANDLE TimerHandle, PLARGE_INTEGER DueTime, PTIMER_APC_ROUTINE TimerApcRoutine, PVOID TimerContext, BOOLEAN ResumeTimer, LONG Period, PBOOLEAN PreviousState) {
    KernelModeCall kernel;
    return NtSetTimer(TimerHandle, DueTime, TimerApcRoutine, TimerContext, ResumeTimer, Period, PreviousState);
}

NTSTATUS NTAPI ZwSetTimerEx(HANDLE TimerHandle, TIMER_SET_INFORMATION_CLASS TimerSetInformationClass, PVOID TimerSetInformation, ULONG TimerSetInformationLength) {
    KernelModeCall kernel;
    return NtSetTimerEx(TimerHandle, TimerSetInformationClass, TimerSetInformation, TimerSetInformationLength);
}

NTSTATUS NTAPI ZwCancelTimer(HANDLE TimerHandle, PBOOLEAN CurrentState) {
    KernelModeCall kernel;
    return NtCancelTimer(TimerHandle, CurrentState);
}

NTSTATUS NTAPI ZwQueryTimer(HANDLE TimerHandle, TIMER_INFORMATION_CLASS TimerInformationClass, PVOID TimerInformation, ULONG TimerInformationLength, PULONG ReturnLength) {
    KernelModeCall kernel;
    return NtQueryTimer(TimerHandle, TimerInformationClass, TimerInformation, TimerInformationLength, ReturnLength);
}

NTSTATUS NTAPI ZwWaitForSingleObject(HANDLE Handle, BOOLEAN Alertable, PLARGE_INTEGER Timeout) {
    KernelModeCall kernel;
    return NtWaitForSingleObject(Handle, Alertable, Timeout);
}

NTSTATUS NTAPI ZwWaitForMultipleObjects(ULONG Count, HANDLE Handles[], WAIT_TYPE WaitType, BOOLEAN Alertable, PLARGE_INTEGER Timeout) {
    KernelModeCall kernel;
    return NtWaitForMultipleObjects(Count, Handles, WaitType, Alertable, Timeout);
}

NTSTATUS NTAPI ZwSignalAndWaitForSingleObject(HANDLE SignalHandle, HANDLE WaitHandle, BOOLEAN Alertable, PLARGE_INTEGER Timeout) {
    KernelModeCall kernel;
    return NtSignalAndWaitForSingleObject(SignalHandle, WaitHandle, Alertable, Timeout);
}

NTSTATUS NTAPI ZwDelayExecution(BOOLEAN Alertable, PLARGE_INTEGER DelayInterval) {
    KernelModeCall kernel;
    return NtDelayExecution(Alertable, DelayInterval);
}

NTSTATUS NTAPI ZwYieldExecution(VOID) {
    KernelModeCall kernel;
    return NtYieldExecution();
}

NTSTATUS NTAPI ZwQueueApcThread(HANDLE ThreadHandle, PPS_APC_ROUTINE ApcRoutine, PVOID ApcArgument1, PVOID ApcArgument2, PVOID ApcArgument3) {
    KernelModeCall kernel;
    return NtQueueApcThread(ThreadHandle, ApcRoutine, ApcArgument1, ApcArgument2, ApcArgument3);
}

NTSTATUS NTAPI ZwTestAlert(VOID) {
    KernelModeCall kernel;
    return NtTestAlert();
}

NTSTATUS NTAPI ZwAlertThread(HANDLE ThreadHandle) {
    KernelModeCall kernel;
    return NtAlertThread(ThreadHandle);
}

NTSTATUS NTAPI ZwCreateDirectoryObject(PHANDLE DirectoryHandle, ACCESS_MASK DesiredAccess, POBJECT_ATTRIBUTES ObjectAttributes) {
    KernelModeCall kernel;
    return NtCreateDirectoryObject(DirectoryHandle, DesiredAccess, ObjectAttributes);
}

NTSTATUS NTAPI ZwOpenDirectoryObject(PHANDLE DirectoryHandle, ACCESS_MASK DesiredAccess, POBJECT_ATTRIBUTES ObjectAttributes) {
    KernelModeCall kernel;
    return NtOpenDirectoryObject(DirectoryHandle, DesiredAccess, ObjectAttributes);
}

NTSTATUS NTAPI ZwQueryDirectoryObject(HANDLE DirectoryHandle, PVOID Buffer, ULONG Length, BOOLEAN ReturnSingleEntry, BOOLEAN RestartScan, PULONG Context, PULONG ReturnLength) {
    KernelModeCall kernel;
    return NtQueryDirectoryObject(DirectoryHandle, Buffer, Length, ReturnSingleEntry, RestartScan, Context, ReturnLength);
}

NTSTATUS NTAPI ZwCreateSymbolicLinkObject(PHANDLE LinkHandle, ACCESS_MASK DesiredAccess, POBJECT_ATTRIBUTES ObjectAttributes, PUNICODE_STRING LinkTarget) {
    KernelModeCall kernel;
    return NtCreateSymbolicLinkObject(LinkHandle, DesiredAccess, ObjectAttributes, LinkTarget);
}

NTSTATUS NTAPI ZwOpenSymbolicLinkObject(PHANDLE LinkHandle, ACCESS_MASK DesiredAccess, POBJECT_ATTRIBUTES ObjectAttributes) {
    KernelModeCall kernel;
    return NtOpenSymbolicLinkObject(LinkHandle, DesiredAccess, ObjectAttributes);
}

NTSTATUS NTAPI ZwQuerySymbolicLinkObject(HANDLE LinkHandle, PUNICODE_STRING LinkTarget, PULONG ReturnedLength) {
    KernelModeCall kernel;
    return NtQuerySymbolicLinkObject(LinkHandle, LinkTarget, ReturnedLength);
}

}  // extern "C"
