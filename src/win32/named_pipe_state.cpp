// A pipe handle's state in kernel32 terms: GetNamedPipeInfo (FilePipeLocalInformation),
// GetNamedPipeHandleStateA/W and SetNamedPipeHandleState (FilePipeInformation: read mode and
// completion mode of this end).
#include "win32/win32.hpp"
#include <ntifs.h>  // the FSCTL_PIPE_* codes and the pipe information classes

using namespace ntio;

namespace {

template <class Info>
NTSTATUS query_pipe(HANDLE pipe, Info& info, FILE_INFORMATION_CLASS info_class) {
    IO_STATUS_BLOCK iosb{};
    return NtQueryInformationFile(pipe, &iosb, &info, sizeof(info), info_class);
}

BOOL fail(NTSTATUS status) {
    win32::set_last_nt_error(status);
    return FALSE;
}

// lpState and lpCurInstances. "lpMaxCollectionCount ... must be NULL if the specified pipe handle is to
// the server end of a named pipe or if client and server processes are on the same computer", and so
// must lpCollectDataTimeout; ntio has no remote pipes, so they are always the caller's error.
// lpUserName is answered for a server end only by impersonating the client, which ntio cannot do
// (docs/nt-deviations.md).
// https://learn.microsoft.com/windows/win32/api/winbase/nf-winbase-getnamedpipehandlestatea
BOOL get_handle_state(HANDLE pipe, LPDWORD state, LPDWORD instances, LPDWORD max_collection,
                      LPDWORD collect_timeout, bool user_name) {
    win32::ensure_system();
    if (max_collection || collect_timeout) {
        SetLastError(ERROR_INVALID_PARAMETER);
        return FALSE;
    }
    if (user_name) {
        SetLastError(ERROR_CALL_NOT_IMPLEMENTED);
        return FALSE;
    }
    if (state) {
        FILE_PIPE_INFORMATION info{};
        if (NTSTATUS status = query_pipe(pipe, info, FilePipeInformation); !NT_SUCCESS(status)) return fail(status);
        *state = (info.CompletionMode == FILE_PIPE_COMPLETE_OPERATION ? PIPE_NOWAIT : PIPE_WAIT) |
                 (info.ReadMode == FILE_PIPE_MESSAGE_MODE ? PIPE_READMODE_MESSAGE : PIPE_READMODE_BYTE);
    }
    if (instances) {
        FILE_PIPE_LOCAL_INFORMATION info{};
        if (NTSTATUS status = query_pipe(pipe, info, FilePipeLocalInformation); !NT_SUCCESS(status)) return fail(status);
        *instances = info.CurrentInstances;
    }
    return TRUE;
}

}  // namespace

extern "C" {

// "If the variable is set to PIPE_UNLIMITED_INSTANCES (255), the number of pipe instances is limited
// only by the availability of system resources": NT's unlimited count, all bits set, reads as 255.
// https://learn.microsoft.com/windows/win32/api/namedpipeapi/nf-namedpipeapi-getnamedpipeinfo
BOOL WINAPI GetNamedPipeInfo(HANDLE hNamedPipe, LPDWORD lpFlags, LPDWORD lpOutBufferSize, LPDWORD lpInBufferSize,
                             LPDWORD lpMaxInstances) {
    win32::ensure_system();
    FILE_PIPE_LOCAL_INFORMATION info{};
    if (NTSTATUS status = query_pipe(hNamedPipe, info, FilePipeLocalInformation); !NT_SUCCESS(status)) return fail(status);
    if (lpFlags) {
        *lpFlags = (info.NamedPipeEnd == FILE_PIPE_SERVER_END ? PIPE_SERVER_END : PIPE_CLIENT_END) |
                   ((info.NamedPipeType & FILE_PIPE_MESSAGE_TYPE) ? PIPE_TYPE_MESSAGE : PIPE_TYPE_BYTE);
    }
    if (lpOutBufferSize) *lpOutBufferSize = info.OutboundQuota;
    if (lpInBufferSize) *lpInBufferSize = info.InboundQuota;
    if (lpMaxInstances) {
        *lpMaxInstances = info.MaximumInstances >= PIPE_UNLIMITED_INSTANCES ? PIPE_UNLIMITED_INSTANCES
                                                                           : info.MaximumInstances;
    }
    return TRUE;
}

BOOL WINAPI GetNamedPipeHandleStateW(HANDLE hNamedPipe, LPDWORD lpState, LPDWORD lpCurInstances,
                                     LPDWORD lpMaxCollectionCount, LPDWORD lpCollectDataTimeout, LPWSTR lpUserName,
                                     DWORD nMaxUserNameSize) {
    UNREFERENCED_PARAMETER(nMaxUserNameSize);
    return get_handle_state(hNamedPipe, lpState, lpCurInstances, lpMaxCollectionCount, lpCollectDataTimeout,
                            lpUserName != nullptr);
}

BOOL WINAPI GetNamedPipeHandleStateA(HANDLE hNamedPipe, LPDWORD lpState, LPDWORD lpCurInstances,
                                     LPDWORD lpMaxCollectionCount, LPDWORD lpCollectDataTimeout, LPSTR lpUserName,
                                     DWORD nMaxUserNameSize) {
    UNREFERENCED_PARAMETER(nMaxUserNameSize);
    return get_handle_state(hNamedPipe, lpState, lpCurInstances, lpMaxCollectionCount, lpCollectDataTimeout,
                            lpUserName != nullptr);
}

// lpMode is PIPE_READMODE_* | PIPE_WAIT / PIPE_NOWAIT and nothing else; message read mode on a byte
// pipe is refused by the file system (STATUS_INVALID_PARAMETER). The collection values belong to
// remote pipes only ("must be NULL ... if client and server processes are on the same computer").
// https://learn.microsoft.com/windows/win32/api/namedpipeapi/nf-namedpipeapi-setnamedpipehandlestate
BOOL WINAPI SetNamedPipeHandleState(HANDLE hNamedPipe, LPDWORD lpMode, LPDWORD lpMaxCollectionCount,
                                    LPDWORD lpCollectDataTimeout) {
    win32::ensure_system();
    if (lpMaxCollectionCount || lpCollectDataTimeout) {
        SetLastError(ERROR_INVALID_PARAMETER);
        return FALSE;
    }
    if (!lpMode) return TRUE;
    const DWORD mode = *lpMode;
    if (mode & ~(PIPE_READMODE_MESSAGE | PIPE_NOWAIT)) {
        SetLastError(ERROR_INVALID_PARAMETER);
        return FALSE;
    }
    FILE_PIPE_INFORMATION info{};
    info.ReadMode = (mode & PIPE_READMODE_MESSAGE) ? FILE_PIPE_MESSAGE_MODE : FILE_PIPE_BYTE_STREAM_MODE;
    info.CompletionMode = (mode & PIPE_NOWAIT) ? FILE_PIPE_COMPLETE_OPERATION : FILE_PIPE_QUEUE_OPERATION;
    IO_STATUS_BLOCK iosb{};
    const NTSTATUS status = NtSetInformationFile(hNamedPipe, &iosb, &info, sizeof(info), FilePipeInformation);
    if (!NT_SUCCESS(status)) return fail(status);
    return TRUE;
}

}  // extern "C"
