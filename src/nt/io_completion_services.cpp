// I/O completion port services: NtCreateIoCompletion, NtOpenIoCompletion, NtQueryIoCompletion,
// NtSetIoCompletion, NtRemoveIoCompletion and NtRemoveIoCompletionEx over io's IoCompletion object
// (io/io_completion.hpp). Caller pointers are probed before anything waits or changes, as NT does.
#include <cstddef>
#include <cstring>

#include "nt/current_system.hpp"
#include "nt/handle_borrow.hpp"
#include "nt/inline_reference.hpp"
#include <ntio/ntapi.h>

#include "io/io_completion.hpp"
#include "nt/object_creation.hpp"
#include "nt/object_reference.hpp"
#include "nt/previous_mode.hpp"
#include "nt/query_buffer.hpp"
#include "nt/user_memory.hpp"

using namespace ntio::nt;

namespace {

static_assert(sizeof(ntio::io::CompletionEntry) == sizeof(FILE_IO_COMPLETION_INFORMATION) &&
              offsetof(ntio::io::CompletionEntry, key) == offsetof(FILE_IO_COMPLETION_INFORMATION, KeyContext) &&
              offsetof(ntio::io::CompletionEntry, apc_context) == offsetof(FILE_IO_COMPLETION_INFORMATION, ApcContext) &&
              offsetof(ntio::io::CompletionEntry, iosb) == offsetof(FILE_IO_COMPLETION_INFORMATION, IoStatusBlock),
              "NtRemoveIoCompletionEx copies CompletionEntry arrays to the caller as they are");

// Largest NtRemoveIoCompletionEx batch taken per call (io takes at most this many too; returning
// fewer than Count is within the contract of the call).
constexpr ULONG kBatch = 64;

// The caller's Timeout, captured (NULL = wait forever).
NTSTATUS capture_timeout(KPROCESSOR_MODE mode, PLARGE_INTEGER timeout, LARGE_INTEGER& captured,
                         PLARGE_INTEGER* use) noexcept {
    *use = nullptr;
    if (!timeout) return STATUS_SUCCESS;
    NTSTATUS status = read_caller(mode, static_cast<const LARGE_INTEGER*>(timeout), captured);
    if (NT_SUCCESS(status)) *use = &captured;
    return status;
}

}  // namespace

extern "C" {

NTSTATUS NTAPI NtCreateIoCompletion(PHANDLE IoCompletionHandle, ACCESS_MASK DesiredAccess,
                                    POBJECT_ATTRIBUTES ObjectAttributes, ULONG NumberOfConcurrentThreads) {
    return create_object<void>(IoCompletionHandle, DesiredAccess, ObjectAttributes, &ntio::io::g_io_completion_type,
                               ntio::io::completion_port_body_size(), [&](void* body) {
                                   ntio::io::initialize_port(body, NumberOfConcurrentThreads);
                                   return STATUS_SUCCESS;
                               });
}

NTSTATUS NTAPI NtOpenIoCompletion(PHANDLE IoCompletionHandle, ACCESS_MASK DesiredAccess,
                                  POBJECT_ATTRIBUTES ObjectAttributes) {
    return open_object(IoCompletionHandle, DesiredAccess, ObjectAttributes, &ntio::io::g_io_completion_type);
}

NTSTATUS NTAPI NtQueryIoCompletion(HANDLE IoCompletionHandle, IO_COMPLETION_INFORMATION_CLASS IoCompletionInformationClass,
                                   PVOID IoCompletionInformation, ULONG IoCompletionInformationLength,
                                   PULONG ReturnLength) {
    const KPROCESSOR_MODE mode = previous_mode();
    NTSTATUS status = check_fixed_query<IO_COMPLETION_BASIC_INFORMATION>(
        mode, static_cast<int>(IoCompletionInformationClass) == IoCompletionBasicInformation, IoCompletionInformation,
        IoCompletionInformationLength, ReturnLength);
    if (!NT_SUCCESS(status)) return status;
    HandleReference<void> port;
    status = port.reference(IoCompletionHandle, IO_COMPLETION_QUERY_STATE, &ntio::io::g_io_completion_type, mode);
    if (!NT_SUCCESS(status)) return status;
    IO_COMPLETION_BASIC_INFORMATION info;
    info.Depth = ntio::io::completion_depth(port.get());
    write_fixed_query(mode, IoCompletionInformation, ReturnLength, info);
    return STATUS_SUCCESS;
}

// NT fact F8: the four values come back unchanged, Information with all 64 bits. The port is
// borrowed, not referenced: a poster and a consumer on other CPUs share the handle (gate B1), and
// posting never blocks.
NTSTATUS NTAPI NtSetIoCompletion(HANDLE IoCompletionHandle, PVOID KeyContext, PVOID ApcContext, NTSTATUS IoStatus,
                                 ULONG_PTR IoStatusInformation) {
    const KPROCESSOR_MODE mode = previous_mode();
    HandleBorrow<void> port;
    NTSTATUS status = port.borrow(IoCompletionHandle, IO_COMPLETION_MODIFY_STATE, &ntio::io::g_io_completion_type, mode);
    if (!NT_SUCCESS(status)) return status;
    return ntio::io::post_completion(port.get(), KeyContext, ApcContext, IoStatus, IoStatusInformation);
}

// NT fact F8: a zero timeout on an empty port is STATUS_TIMEOUT, outputs untouched.
NTSTATUS NTAPI NtRemoveIoCompletion(HANDLE IoCompletionHandle, PVOID* KeyContext, PVOID* ApcContext,
                                    PIO_STATUS_BLOCK IoStatusBlock, PLARGE_INTEGER Timeout) {
    const KPROCESSOR_MODE mode = previous_mode();
    NTSTATUS status = probe_caller_output(mode, KeyContext);
    if (NT_SUCCESS(status)) status = probe_caller_output(mode, ApcContext);
    if (NT_SUCCESS(status) && mode != KernelMode)
        status = probe_for_write(IoStatusBlock, sizeof(IO_STATUS_BLOCK), sizeof(ULONG));
    if (!NT_SUCCESS(status)) return status;
    LARGE_INTEGER timeout{};
    PLARGE_INTEGER use_timeout = nullptr;
    status = capture_timeout(mode, Timeout, timeout, &use_timeout);
    if (!NT_SUCCESS(status)) return status;
    InlineReference<void> port;
    status = port.reference(IoCompletionHandle, IO_COMPLETION_MODIFY_STATE, &ntio::io::g_io_completion_type, mode);
    if (!NT_SUCCESS(status)) return status;

    ntio::io::CompletionEntry entry;
    ULONG removed = 0;
    status = ntio::io::remove_completions(port.get(), mode, false, use_timeout, &entry, 1, &removed);
    if (status != STATUS_SUCCESS) return status;
    // The outputs were probed; like NT, a caller that unmaps them meanwhile loses the packet.
    (void)write_caller(mode, KeyContext, entry.key);
    (void)write_caller(mode, ApcContext, entry.apc_context);
    (void)write_caller(mode, IoStatusBlock, entry.iosb);
    return STATUS_SUCCESS;
}

// NT fact F9: up to Count packets in FIFO order and *NumEntriesRemoved; an alertable wait on an
// empty port delivers queued user APCs and returns STATUS_USER_APC, while a packet that is already
// there is returned without running them.
NTSTATUS NTAPI NtRemoveIoCompletionEx(HANDLE IoCompletionHandle, PFILE_IO_COMPLETION_INFORMATION IoCompletionInformation,
                                      ULONG Count, PULONG NumEntriesRemoved, PLARGE_INTEGER Timeout,
                                      BOOLEAN Alertable) {
    const KPROCESSOR_MODE mode = previous_mode();
    if (Count == 0) return STATUS_INVALID_PARAMETER;
    NTSTATUS status = probe_caller_output(mode, NumEntriesRemoved);
    if (NT_SUCCESS(status) && mode != KernelMode)
        status = probe_for_write(IoCompletionInformation, static_cast<std::size_t>(Count) * sizeof(FILE_IO_COMPLETION_INFORMATION),
                                 alignof(PVOID));
    if (!NT_SUCCESS(status)) return status;
    LARGE_INTEGER timeout{};
    PLARGE_INTEGER use_timeout = nullptr;
    status = capture_timeout(mode, Timeout, timeout, &use_timeout);
    if (!NT_SUCCESS(status)) return status;
    // Referenced, not borrowed: the removal may block. Looked up inline (a dequeue per I/O, gate C3).
    InlineReference<void> port;
    status = port.reference(IoCompletionHandle, IO_COMPLETION_MODIFY_STATE, &ntio::io::g_io_completion_type, mode);
    if (!NT_SUCCESS(status)) return status;

    ntio::io::CompletionEntry entries[kBatch];
    ULONG removed = 0;
    status = ntio::io::remove_completions(port.get(), mode, Alertable != FALSE, use_timeout, entries,
                                          std::min(Count, kBatch), &removed);
    // The entries have the caller's layout: one copy for the batch (one range check and page touch,
    // not one per entry). The range was probed above; a caller that unmaps it meanwhile loses the
    // packets, as it would in NT, whose copy faults inside the service's __try.
    if (removed != 0) {
        const std::size_t bytes = static_cast<std::size_t>(removed) * sizeof(FILE_IO_COMPLETION_INFORMATION);
        if (mode == KernelMode) std::memcpy(IoCompletionInformation, entries, bytes);
        else (void)copy_to_user(IoCompletionInformation, entries, bytes, alignof(PVOID));
    }
    (void)write_caller(mode, NumEntriesRemoved, removed);
    return status;
}

}  // extern "C"
