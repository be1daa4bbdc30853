// NtReadFile, NtWriteFile, NtDeviceIoControlFile, NtFsControlFile and their Zw forms: probe the
// caller's IOSB, buffers and offset, reference the file with the access the operation needs (reads
// and writes hold it instead, ob/object_hold.hpp) and the event (then reset it, NT fact E6), and hand
// the request to the I/O manager (io/request_submit).
#include "nt/current_system.hpp"
#include <ntio/ntapi.h>

#include "io/io_completion.hpp"
#include "io/objects.hpp"
#include "io/request_submit.hpp"
#include "nt/inline_reference.hpp"
#include "nt/object_reference.hpp"
#include "nt/previous_mode.hpp"
#include "nt/user_memory.hpp"

using namespace ntio::nt;

namespace {

// ByteOffset rules (NT facts I4, I5): synchronous files accept FILE_USE_FILE_POINTER_POSITION and,
// for writes, FILE_WRITE_TO_END_OF_FILE; asynchronous files need an offset (pipes and mailslots
// excepted) and accept no negative one but FILE_WRITE_TO_END_OF_FILE for writes.
[[gnu::always_inline]] inline NTSTATUS check_offset(PFILE_OBJECT file, const LARGE_INTEGER* offset, bool write) noexcept {
    const ULONG flags = ntio::io::file_flags(file);
    const bool sync = (flags & FO_SYNCHRONOUS_IO) != 0;
    if (!offset) {
        if (sync || (flags & (FO_NAMED_PIPE | FO_MAILSLOT))) return STATUS_SUCCESS;
        return STATUS_INVALID_PARAMETER;
    }
    if (offset->QuadPart >= 0) return STATUS_SUCCESS;
    const bool end_of_file = offset->LowPart == FILE_WRITE_TO_END_OF_FILE && offset->HighPart == -1;
    const bool file_pointer = offset->LowPart == FILE_USE_FILE_POINTER_POSITION && offset->HighPart == -1;
    if (write && end_of_file) return STATUS_SUCCESS;
    if (sync && file_pointer) return STATUS_SUCCESS;
    return STATUS_INVALID_PARAMETER;
}

// Inline in NtReadFile and NtWriteFile, each then a straight path for its direction.
[[gnu::always_inline]] inline NTSTATUS read_write(bool write, HANDLE file_handle, HANDLE event_handle, PIO_APC_ROUTINE apc_routine,
                    PVOID apc_context, PIO_STATUS_BLOCK iosb, PVOID buffer, ULONG length,
                    PLARGE_INTEGER byte_offset, PULONG key) noexcept {
    const KPROCESSOR_MODE mode = previous_mode();
    NTSTATUS status = STATUS_SUCCESS;
    LARGE_INTEGER offset{};
    ULONG captured_key = 0;
    if (mode != KernelMode) {
        // NT facts I10, I8, E11: the IOSB, then the buffer, are probed before the event is touched.
        // A read's buffer is probed for writing, which touches it; a write's only for its range, so
        // an unreadable one fails after the event reset, in the I/O manager's copy or MDL lock or
        // in the driver (I8).
        status = probe_for_write(iosb, sizeof(IO_STATUS_BLOCK), sizeof(ULONG));
        if (NT_SUCCESS(status))
            status = write ? probe_range_for_read(buffer, length, 1) : probe_for_write(buffer, length, 1);
        // One aligned load each (read_caller), with the same range and alignment checks as a copy.
        if (NT_SUCCESS(status) && byte_offset) status = read_caller(mode, byte_offset, offset);
        if (NT_SUCCESS(status) && key) status = read_caller(mode, key, captured_key);
        if (!NT_SUCCESS(status)) return status;
    } else {
        if (byte_offset) offset = *byte_offset;
        if (key) captured_key = *key;
    }

    InlineReference<FILE_OBJECT> file;
    ACCESS_MASK granted = 0;
    if (write) {
        // Either right will do for a write (an append-only handle appends, below).
        status = file.hold(file_handle, 0, &ntio::io::g_file_type, mode, &granted);
        if (NT_SUCCESS(status) && mode != KernelMode && !(granted & (FILE_WRITE_DATA | FILE_APPEND_DATA)))
            status = STATUS_ACCESS_DENIED;
    } else {
        status = file.hold(file_handle, FILE_READ_DATA, &ntio::io::g_file_type, mode, &granted);
    }
    if (!NT_SUCCESS(status)) return status;
    // NT fact F7: a file bound to a completion port takes no APC routine.
    if (apc_routine && ntio::io::file_has_completion_port(file.get())) return STATUS_INVALID_PARAMETER;
    status = check_offset(file.get(), byte_offset ? &offset : nullptr, write);
    if (!NT_SUCCESS(status)) return status;
    // NT fact I9: "If the call to ZwCreateFile set only the DesiredAccess flag FILE_APPEND_DATA,
    // ByteOffset is ignored" and the data goes to the end of the file (ZwWriteFile on Microsoft Learn):
    // the driver is asked for FILE_WRITE_TO_END_OF_FILE whatever the caller passed.
    const bool append_only = write && (granted & (FILE_WRITE_DATA | FILE_APPEND_DATA)) == FILE_APPEND_DATA;
    if (append_only) [[unlikely]] {
        offset.LowPart = FILE_WRITE_TO_END_OF_FILE;
        offset.HighPart = -1;
    }
    PKEVENT event = nullptr;
    status = reference_event(event_handle, mode, &event);
    if (!NT_SUCCESS(status)) return status;
    if (event) KeClearEvent(event);

    ntio::io::ReadWriteRequest request;
    request.file_held = file.held();
    request.file = file.release();  // the lookup's reference (or hold) becomes the request's
    request.event = event;
    request.apc_routine = apc_routine;
    request.apc_context = apc_context;
    request.iosb = iosb;
    request.mode = mode;
    request.write = write;
    request.buffer = buffer;
    request.length = length;
    request.offset = (byte_offset || append_only) ? &offset : nullptr;
    request.key = captured_key;
    return ntio::io::submit_read_write(request);
}

// The CTL_CODE's RequiredAccess (NT fact J4): FILE_ANY_ACCESS needs nothing, FILE_READ_ACCESS
// needs FILE_READ_DATA, FILE_WRITE_ACCESS needs FILE_WRITE_DATA on the handle. Kernel callers are
// not checked.
// https://learn.microsoft.com/windows-hardware/drivers/kernel/defining-i-o-control-codes
bool control_access_granted(ULONG code, ACCESS_MASK granted) noexcept {
    const ULONG required = (code >> 14) & 3;
    if ((required & FILE_READ_ACCESS) && !(granted & FILE_READ_DATA)) return false;
    if ((required & FILE_WRITE_ACCESS) && !(granted & FILE_WRITE_DATA)) return false;
    return true;
}

NTSTATUS control(UCHAR major, HANDLE file_handle, HANDLE event_handle, PIO_APC_ROUTINE apc_routine,
                 PVOID apc_context, PIO_STATUS_BLOCK iosb, ULONG code, PVOID input, ULONG input_length,
                 PVOID output, ULONG output_length) noexcept {
    const KPROCESSOR_MODE mode = previous_mode();
    NTSTATUS status = probe_iosb(mode, iosb);
    if (!NT_SUCCESS(status)) return status;
    const ULONG method = code & 3;
    if (mode != KernelMode && method != METHOD_NEITHER) {
        // METHOD_NEITHER buffers are the driver's to probe (NT fact S9); direct output buffers are
        // probed when they are locked. The input is range-checked only (ProbeForRead): it is read
        // into the system buffer after the event reset, where an unreadable one fails.
        status = probe_range_for_read(input, input_length, 1);
        if (NT_SUCCESS(status) && method == METHOD_BUFFERED) status = probe_for_write(output, output_length, 1);
        if (!NT_SUCCESS(status)) return status;
    }

    HandleReference<FILE_OBJECT> file;
    status = file.reference(file_handle, 0, *IoFileObjectType, mode);
    if (!NT_SUCCESS(status)) return status;
    const ACCESS_MASK granted = file.info().GrantedAccess;
    if (mode != KernelMode && !control_access_granted(code, granted)) return STATUS_ACCESS_DENIED;
    if (apc_routine && ntio::io::file_has_completion_port(file.get())) return STATUS_INVALID_PARAMETER;  // NT fact F7
    PKEVENT event = nullptr;
    status = reference_event(event_handle, mode, &event);
    if (!NT_SUCCESS(status)) return status;
    if (event) KeClearEvent(event);

    ntio::io::ControlRequest request;
    request.file = file.release();
    request.event = event;
    request.apc_routine = apc_routine;
    request.apc_context = apc_context;
    request.iosb = iosb;
    request.mode = mode;
    request.major = major;
    request.code = code;
    request.input = input;
    request.input_length = input_length;
    request.output = output;
    request.output_length = output_length;
    request.granted = granted;
    return ntio::io::submit_control(request);
}

}  // namespace

extern "C" {

NTSTATUS NTAPI NtReadFile(HANDLE FileHandle, HANDLE Event, PIO_APC_ROUTINE ApcRoutine, PVOID ApcContext,
                          PIO_STATUS_BLOCK IoStatusBlock, PVOID Buffer, ULONG Length, PLARGE_INTEGER ByteOffset,
                          PULONG Key) {
    return read_write(false, FileHandle, Event, ApcRoutine, ApcContext, IoStatusBlock, Buffer, Length, ByteOffset, Key);
}

NTSTATUS NTAPI NtWriteFile(HANDLE FileHandle, HANDLE Event, PIO_APC_ROUTINE ApcRoutine, PVOID ApcContext,
                           PIO_STATUS_BLOCK IoStatusBlock, PVOID Buffer, ULONG Length, PLARGE_INTEGER ByteOffset,
                           PULONG Key) {
    return read_write(true, FileHandle, Event, ApcRoutine, ApcContext, IoStatusBlock, Buffer, Length, ByteOffset, Key);
}

// Always IRP_MJ_DEVICE_CONTROL: IRP_MJ_INTERNAL_DEVICE_CONTROL is for kernel senders only
// (IoBuildDeviceIoControlRequest with InternalDeviceIoControl TRUE).
NTSTATUS NTAPI NtDeviceIoControlFile(HANDLE FileHandle, HANDLE Event, PIO_APC_ROUTINE ApcRoutine, PVOID ApcContext,
                                     PIO_STATUS_BLOCK IoStatusBlock, ULONG IoControlCode, PVOID InputBuffer,
                                     ULONG InputBufferLength, PVOID OutputBuffer, ULONG OutputBufferLength) {
    return control(IRP_MJ_DEVICE_CONTROL, FileHandle, Event, ApcRoutine, ApcContext, IoStatusBlock, IoControlCode,
                   InputBuffer, InputBufferLength, OutputBuffer, OutputBufferLength);
}

NTSTATUS NTAPI NtFsControlFile(HANDLE FileHandle, HANDLE Event, PIO_APC_ROUTINE ApcRoutine, PVOID ApcContext,
                               PIO_STATUS_BLOCK IoStatusBlock, ULONG FsControlCode, PVOID InputBuffer,
                               ULONG InputBufferLength, PVOID OutputBuffer, ULONG OutputBufferLength) {
    return control(IRP_MJ_FILE_SYSTEM_CONTROL, FileHandle, Event, ApcRoutine, ApcContext, IoStatusBlock, FsControlCode,
                   InputBuffer, InputBufferLength, OutputBuffer, OutputBufferLength);
}

NTSTATUS NTAPI ZwReadFile(HANDLE FileHandle, HANDLE Event, PIO_APC_ROUTINE ApcRoutine, PVOID ApcContext,
                          PIO_STATUS_BLOCK IoStatusBlock, PVOID Buffer, ULONG Length, PLARGE_INTEGER ByteOffset,
                          PULONG Key) {
    KernelModeCall kernel;
    return NtReadFile(FileHandle, Event, ApcRoutine, ApcContext, IoStatusBlock, Buffer, Length, ByteOffset, Key);
}

NTSTATUS NTAPI ZwWriteFile(HANDLE FileHandle, HANDLE Event, PIO_APC_ROUTINE ApcRoutine, PVOID ApcContext,
                           PIO_STATUS_BLOCK IoStatusBlock, PVOID Buffer, ULONG Length, PLARGE_INTEGER ByteOffset,
                           PULONG Key) {
    KernelModeCall kernel;
    return NtWriteFile(FileHandle, Event, ApcRoutine, ApcContext, IoStatusBlock, Buffer, Length, ByteOffset, Key);
}

NTSTATUS NTAPI ZwDeviceIoControlFile(HANDLE FileHandle, HANDLE Event, PIO_APC_ROUTINE ApcRoutine, PVOID ApcContext,
                                     PIO_STATUS_BLOCK IoStatusBlock, ULONG IoControlCode, PVOID InputBuffer,
                                     ULONG InputBufferLength, PVOID OutputBuffer, ULONG OutputBufferLength) {
    KernelModeCall kernel;
    return NtDeviceIoControlFile(FileHandle, Event, ApcRoutine, ApcContext, IoStatusBlock, IoControlCode, InputBuffer,
                                 InputBufferLength, OutputBuffer, OutputBufferLength);
}

NTSTATUS NTAPI ZwFsControlFile(HANDLE FileHandle, HANDLE Event, PIO_APC_ROUTINE ApcRoutine, PVOID ApcContext,
                               PIO_STATUS_BLOCK IoStatusBlock, ULONG FsControlCode, PVOID InputBuffer,
                               ULONG InputBufferLength, PVOID OutputBuffer, ULONG OutputBufferLength) {
    KernelModeCall kernel;
    return NtFsControlFile(FileHandle, Event, ApcRoutine, ApcContext, IoStatusBlock, FsControlCode, InputBuffer,
                           InputBufferLength, OutputBuffer, OutputBufferLength);
}

}  // extern "C"
