// The Zw forms drivers call for the completion-port, cancellation, scatter/gather, named-pipe and
// mailslot services: each runs its Nt service with PreviousMode KernelMode, so the caller's pointers
// are trusted and handles need no access check beyond the object's (ZwXxx on Microsoft Learn: "the
// routine ... treats the parameters as coming from kernel mode").
#include <ntio/ntapi.h>

#include "nt/previous_mode.hpp"

using ntio::nt::KernelModeCall;

extern "C" {

NTSTATUS NTAPI ZwCreateIoCompletion(PHANDLE IoCompletionHandle, ACCESS_MASK DesiredAccess,
                                    POBJECT_ATTRIBUTES ObjectAttributes, ULONG NumberOfConcurrentThreads) {
    KernelModeCall kernel;
    return NtCreateIoCompletion(IoCompletionHandle, DesiredAccess, ObjectAttributes, NumberOfConcurrentThreads);
}

NTSTATUS NTAPI ZwOpenIoCompletion(PHANDLE IoCompletionHandle, ACCESS_MASK DesiredAccess,
                                  POBJECT_ATTRIBUTES ObjectAttributes) {
    KernelModeCall kernel;
    return NtOpenIoCompletion(IoCompletionHandle, DesiredAccess, ObjectAttributes);
}

NTSTATUS NTAPI ZwQueryIoCompletion(HANDLE IoCompletionHandle, IO_COMPLETION_INFORMATION_CLASS IoCompletionInformationClass,
                                   PVOID IoCompletionInformation, ULONG IoCompletionInformationLength,
                                   PULONG ReturnLength) {
    KernelModeCall kernel;
    return NtQueryIoCompletion(IoCompletionHandle, IoCompletionInformationClass, IoCompletionInformation,
                               IoCompletionInformationLength, ReturnLength);
}

NTSTATUS NTAPI ZwSetIoCompletion(HANDLE IoCompletionHandle, PVOID KeyContext, PVOID ApcContext, NTSTATUS IoStatus,
                                 ULONG_PTR IoStatusInformation) {
    KernelModeCall kernel;
    return NtSetIoCompletion(IoCompletionHandle, KeyContext, ApcContext, IoStatus, IoStatusInformation);
}

NTSTATUS NTAPI ZwRemoveIoCompletion(HANDLE IoCompletionHandle, PVOID* KeyContext, PVOID* ApcContext,
                                    PIO_STATUS_BLOCK IoStatusBlock, PLARGE_INTEGER Timeout) {
    KernelModeCall kernel;
    return NtRemoveIoCompletion(IoCompletionHandle, KeyContext, ApcContext, IoStatusBlock, Timeout);
}

NTSTATUS NTAPI ZwRemoveIoCompletionEx(HANDLE IoCompletionHandle, PFILE_IO_COMPLETION_INFORMATION IoCompletionInformation,
                                      ULONG Count, PULONG NumEntriesRemoved, PLARGE_INTEGER Timeout,
                                      BOOLEAN Alertable) {
    KernelModeCall kernel;
    return NtRemoveIoCompletionEx(IoCompletionHandle, IoCompletionInformation, Count, NumEntriesRemoved, Timeout,
                                  Alertable);
}

NTSTATUS NTAPI ZwCancelIoFile(HANDLE FileHandle, PIO_STATUS_BLOCK IoStatusBlock) {
    KernelModeCall kernel;
    return NtCancelIoFile(FileHandle, IoStatusBlock);
}

NTSTATUS NTAPI ZwCancelIoFileEx(HANDLE FileHandle, PIO_STATUS_BLOCK IoRequestToCancel, PIO_STATUS_BLOCK IoStatusBlock) {
    KernelModeCall kernel;
    return NtCancelIoFileEx(FileHandle, IoRequestToCancel, IoStatusBlock);
}

NTSTATUS NTAPI ZwCancelSynchronousIoFile(HANDLE ThreadHandle, PIO_STATUS_BLOCK IoRequestToCancel,
                                         PIO_STATUS_BLOCK IoStatusBlock) {
    KernelModeCall kernel;
    return NtCancelSynchronousIoFile(ThreadHandle, IoRequestToCancel, IoStatusBlock);
}

NTSTATUS NTAPI ZwReadFileScatter(HANDLE FileHandle, HANDLE Event, PIO_APC_ROUTINE ApcRoutine, PVOID ApcContext,
                                 PIO_STATUS_BLOCK IoStatusBlock, PFILE_SEGMENT_ELEMENT SegmentArray, ULONG Length,
                                 PLARGE_INTEGER ByteOffset, PULONG Key) {
    KernelModeCall kernel;
    return NtReadFileScatter(FileHandle, Event, ApcRoutine, ApcContext, IoStatusBlock, SegmentArray, Length, ByteOffset,
                             Key);
}

NTSTATUS NTAPI ZwWriteFileGather(HANDLE FileHandle, HANDLE Event, PIO_APC_ROUTINE ApcRoutine, PVOID ApcContext,
                                 PIO_STATUS_BLOCK IoStatusBlock, PFILE_SEGMENT_ELEMENT SegmentArray, ULONG Length,
                                 PLARGE_INTEGER ByteOffset, PULONG Key) {
    KernelModeCall kernel;
    return NtWriteFileGather(FileHandle, Event, ApcRoutine, ApcContext, IoStatusBlock, SegmentArray, Length, ByteOffset,
                             Key);
}

NTSTATUS NTAPI ZwCreateNamedPipeFile(PHANDLE FileHandle, ULONG DesiredAccess, POBJECT_ATTRIBUTES ObjectAttributes,
                                     PIO_STATUS_BLOCK IoStatusBlock, ULONG ShareAccess, ULONG CreateDisposition,
                                     ULONG CreateOptions, ULONG NamedPipeType, ULONG ReadMode, ULONG CompletionMode,
                                     ULONG MaximumInstances, ULONG InboundQuota, ULONG OutboundQuota,
                                     PLARGE_INTEGER DefaultTimeout) {
    KernelModeCall kernel;
    return NtCreateNamedPipeFile(FileHandle, DesiredAccess, ObjectAttributes, IoStatusBlock, ShareAccess,
                                 CreateDisposition, CreateOptions, NamedPipeType, ReadMode, CompletionMode,
                                 MaximumInstances, InboundQuota, OutboundQuota, DefaultTimeout);
}

NTSTATUS NTAPI ZwCreateMailslotFile(PHANDLE FileHandle, ULONG DesiredAccess, POBJECT_ATTRIBUTES ObjectAttributes,
                                    PIO_STATUS_BLOCK IoStatusBlock, ULONG CreateOptions, ULONG MailslotQuota,
                                    ULONG MaximumMessageSize, PLARGE_INTEGER ReadTimeout) {
    KernelModeCall kernel;
    return NtCreateMailslotFile(FileHandle, DesiredAccess, ObjectAttributes, IoStatusBlock, CreateOptions,
                                MailslotQuota, MaximumMessageSize, ReadTimeout);
}

}  // extern "C"
