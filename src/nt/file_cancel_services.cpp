// NtCancelIoFile, NtCancelIoFileEx and NtCancelSynchronousIoFile: probe the caller's IOSB, reference
// the file (any access) or the thread (THREAD_TERMINATE), and let the I/O manager cancel the threaded
// IRPs they name (io/file_cancel_irps). NT facts D1-D8, G3.
#include "nt/current_system.hpp"
#include <ntio/ntapi.h>

#include "io/file_cancel_irps.hpp"
#include "nt/object_reference.hpp"
#include "nt/previous_mode.hpp"
#include "nt/user_memory.hpp"

using namespace ntio::nt;

namespace {

NTSTATUS write_result(KPROCESSOR_MODE mode, PIO_STATUS_BLOCK iosb, NTSTATUS status) noexcept {
    IO_STATUS_BLOCK result{};
    result.Status = status;
    result.Information = 0;
    return write_caller(mode, iosb, result);
}

}  // namespace

extern "C" {

// The calling thread's requests for the file object, through any handle to it (NT fact D3), then a
// wait until they have completed: on return their IOSBs and events are final and their APCs are
// queued but have not run (NT facts D1, D2). NtCancelIoFile needs no particular access.
NTSTATUS NTAPI NtCancelIoFile(HANDLE FileHandle, PIO_STATUS_BLOCK IoStatusBlock) {
    const KPROCESSOR_MODE mode = previous_mode();
    NTSTATUS status = probe_caller_output(mode, IoStatusBlock);
    if (!NT_SUCCESS(status)) return status;
    HandleReference<FILE_OBJECT> file;
    status = file.reference(FileHandle, 0, *IoFileObjectType, mode);  // NT fact D4
    if (!NT_SUCCESS(status)) return status;
    ntio::io::CancelFilter filter;
    filter.file = file.get();
    (void)ntio::io::cancel_thread_irps(PsGetCurrentThread(), filter);
    ntio::io::wait_for_thread_file_irps(file.get());
    (void)write_result(mode, IoStatusBlock, STATUS_SUCCESS);
    return STATUS_SUCCESS;
}

// The process's requests for the file object, from any of its threads: all, or those whose IOSB is
// IoRequestToCancel (NT fact D5, compared, never dereferenced). A request already cancelled is not
// found again (NT fact D6). No wait: "The CancelIoEx function does not wait for all canceled
// operations to complete" (https://learn.microsoft.com/windows/win32/fileio/cancelioex-func).
// The IOSB receives the returned status, as NtCancelSynchronousIoFile's does (NT fact D7).
NTSTATUS NTAPI NtCancelIoFileEx(HANDLE FileHandle, PIO_STATUS_BLOCK IoRequestToCancel, PIO_STATUS_BLOCK IoStatusBlock) {
    const KPROCESSOR_MODE mode = previous_mode();
    NTSTATUS status = probe_caller_output(mode, IoStatusBlock);
    if (!NT_SUCCESS(status)) return status;
    HandleReference<FILE_OBJECT> file;
    status = file.reference(FileHandle, 0, *IoFileObjectType, mode);
    if (!NT_SUCCESS(status)) return status;
    ntio::io::CancelFilter filter;
    filter.file = file.get();
    filter.match_iosb = IoRequestToCancel != nullptr;
    filter.iosb = IoRequestToCancel;
    PEPROCESS process = PsGetCurrentProcess();
    const std::size_t cancelled = process ? ntio::io::cancel_process_irps(process, filter) : 0;
    status = cancelled ? STATUS_SUCCESS : STATUS_NOT_FOUND;
    (void)write_result(mode, IoStatusBlock, status);
    return status;
}

// The synchronous requests of the thread (NT fact D7): the handle needs THREAD_TERMINATE ("The caller
// must have the THREAD_TERMINATE access right",
// https://learn.microsoft.com/windows/win32/fileio/cancelsynchronousio-func); requests on
// asynchronous file objects are never picked; no wait. The IOSB receives {status, 0} on success
// and on STATUS_NOT_FOUND alike.
NTSTATUS NTAPI NtCancelSynchronousIoFile(HANDLE ThreadHandle, PIO_STATUS_BLOCK IoRequestToCancel,
                                         PIO_STATUS_BLOCK IoStatusBlock) {
    const KPROCESSOR_MODE mode = previous_mode();
    NTSTATUS status = probe_caller_output(mode, IoStatusBlock);
    if (!NT_SUCCESS(status)) return status;
    HandleReference<_ETHREAD> thread;
    status = thread.reference(ThreadHandle, THREAD_TERMINATE, *PsThreadType, mode);
    if (!NT_SUCCESS(status)) return status;
    ntio::io::CancelFilter filter;
    filter.match_iosb = IoRequestToCancel != nullptr;
    filter.iosb = IoRequestToCancel;
    filter.synchronous_only = true;
    const std::size_t cancelled = ntio::io::cancel_thread_irps(thread.get(), filter);
    status = cancelled ? STATUS_SUCCESS : STATUS_NOT_FOUND;
    (void)write_result(mode, IoStatusBlock, status);
    return status;
}

}  // extern "C"
