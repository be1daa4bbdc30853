// Shared rules of the kernel32 I/O calls: how an OVERLAPPED becomes the event, APC context, IOSB and
// offset of an NT request (NT facts H7, F14), and how a synchronous call waits for a pending request.
#pragma once

#include "win32/win32.hpp"

namespace ntio::win32 {

// The IOSB of a request is the OVERLAPPED's first two fields.
inline PIO_STATUS_BLOCK overlapped_iosb(LPOVERLAPPED ov) noexcept { return reinterpret_cast<PIO_STATUS_BLOCK>(ov); }

// hEvent with the low bit set means "no completion packet": the event is used without that bit and the
// ApcContext is NULL (NT fact F14).
inline HANDLE overlapped_event(LPOVERLAPPED ov) noexcept {
    return reinterpret_cast<HANDLE>(reinterpret_cast<ULONG_PTR>(ov->hEvent) & ~static_cast<ULONG_PTR>(1));
}
inline PVOID overlapped_apc_context(LPOVERLAPPED ov) noexcept {
    return (reinterpret_cast<ULONG_PTR>(ov->hEvent) & 1) ? nullptr : ov;
}
inline LARGE_INTEGER overlapped_offset(LPOVERLAPPED ov) noexcept {
    LARGE_INTEGER offset;
    offset.LowPart = ov->Offset;
    offset.HighPart = static_cast<LONG>(ov->OffsetHigh);
    return offset;
}

// A request that pended on a handle the caller wants to use synchronously: wait on the file object
// (signalled by the completion when no event was given) and take the final status from the IOSB.
inline NTSTATUS wait_for_pending(HANDLE file, NTSTATUS status, const IO_STATUS_BLOCK& iosb) {
    if (status != STATUS_PENDING) return status;
    const NTSTATUS wait = NtWaitForSingleObject(file, FALSE, nullptr);
    if (!NT_SUCCESS(wait)) return wait;
    return iosb.Status;
}

// The end of an overlapped ReadFile / WriteFile / DeviceIoControl: bytes from InternalHigh unless the
// request failed or pends; TRUE only for a success that is not STATUS_PENDING (NT facts E3, H8).
inline BOOL finish_overlapped(NTSTATUS status, LPOVERLAPPED ov, LPDWORD bytes) {
    if (bytes && !NT_ERROR(status) && status != STATUS_PENDING) *bytes = static_cast<DWORD>(ov->InternalHigh);
    if (status == STATUS_PENDING || !NT_SUCCESS(status)) {
        set_last_nt_error(status);
        return FALSE;
    }
    return TRUE;
}

// NtDeviceIoControlFile and NtFsControlFile, which share their parameters.
using ControlService = NTSTATUS(NTAPI*)(HANDLE, HANDLE, PIO_APC_ROUTINE, PVOID, PIO_STATUS_BLOCK, ULONG, PVOID, ULONG,
                                        PVOID, ULONG);
// One control request as DeviceIoControl and TransactNamedPipe make it: through the OVERLAPPED when
// there is one, else waiting for a pending request on the handle; the byte count comes from the IOSB
// only when the request did not fail (NT fact E3).
BOOL control_request(ControlService service, HANDLE handle, DWORD code, LPVOID in, DWORD in_size, LPVOID out,
                     DWORD out_size, LPDWORD bytes, LPOVERLAPPED ov);

// The I/O APC of ReadFileEx / WriteFileEx / ReadDirectoryChangesW: ApcContext is the completion routine,
// the IOSB is the OVERLAPPED; the routine gets (error, bytes, OVERLAPPED) (NT fact G6).
inline VOID NTAPI completion_routine_apc(PVOID ApcContext, PIO_STATUS_BLOCK IoStatusBlock, ULONG Reserved) {
    UNREFERENCED_PARAMETER(Reserved);
    auto routine = reinterpret_cast<LPOVERLAPPED_COMPLETION_ROUTINE>(ApcContext);
    routine(RtlNtStatusToDosErrorNoTeb(IoStatusBlock->Status), static_cast<DWORD>(IoStatusBlock->Information),
            reinterpret_cast<LPOVERLAPPED>(IoStatusBlock));
}

}  // namespace ntio::win32
