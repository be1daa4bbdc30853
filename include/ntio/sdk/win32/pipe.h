/* Named and anonymous pipes (namedpipeapi.h / winbase.h subset): CreateNamedPipe, ConnectNamedPipe,
 * DisconnectNamedPipe, WaitNamedPipe, PeekNamedPipe, TransactNamedPipe, CallNamedPipe,
 * GetNamedPipeInfo, GetNamedPipeHandleState, SetNamedPipeHandleState and CreatePipe. A pipe is a file
 * of the named-pipe file system (\Device\NamedPipe, `\\.\pipe\<name>` in Win32); each call is one NT
 * file operation on it (NtCreateNamedPipeFile, NtFsControlFile with an FSCTL_PIPE_* code,
 * NtQueryInformationFile / NtSetInformationFile with the pipe classes). */
#ifndef NTIO_SDK_WIN32_PIPE_H
#define NTIO_SDK_WIN32_PIPE_H
#include "types.h"
#include "io.h"

/* dwOpenMode (with FILE_FLAG_FIRST_PIPE_INSTANCE, FILE_FLAG_WRITE_THROUGH, FILE_FLAG_OVERLAPPED,
 * WRITE_DAC, WRITE_OWNER and ACCESS_SYSTEM_SECURITY) */
#define PIPE_ACCESS_INBOUND 0x00000001
#define PIPE_ACCESS_OUTBOUND 0x00000002
#define PIPE_ACCESS_DUPLEX 0x00000003
/* dwPipeMode */
#define PIPE_WAIT 0x00000000
#define PIPE_NOWAIT 0x00000001
#define PIPE_READMODE_BYTE 0x00000000
#define PIPE_READMODE_MESSAGE 0x00000002
#define PIPE_TYPE_BYTE 0x00000000
#define PIPE_TYPE_MESSAGE 0x00000004
#define PIPE_ACCEPT_REMOTE_CLIENTS 0x00000000
#define PIPE_REJECT_REMOTE_CLIENTS 0x00000008
#define PIPE_UNLIMITED_INSTANCES 255
/* GetNamedPipeInfo's flags */
#define PIPE_CLIENT_END 0x00000000
#define PIPE_SERVER_END 0x00000001
/* WaitNamedPipe / CallNamedPipe time-outs */
#define NMPWAIT_WAIT_FOREVER 0xffffffff
#define NMPWAIT_NOWAIT 0x00000001
#define NMPWAIT_USE_DEFAULT_WAIT 0x00000000

NTIO_BEGIN_DECLS

/* lpName must be `\\.\pipe\<name>`. The first instance fixes the pipe's type, instance limit and
 * default time-out (nDefaultTimeOut 0: 50 ms); a new instance is listening at once. */
WINBASEAPI HANDLE WINAPI CreateNamedPipeA(_In_ LPCSTR lpName, _In_ DWORD dwOpenMode, _In_ DWORD dwPipeMode,
                                          _In_ DWORD nMaxInstances, _In_ DWORD nOutBufferSize,
                                          _In_ DWORD nInBufferSize, _In_ DWORD nDefaultTimeOut,
                                          _In_opt_ LPSECURITY_ATTRIBUTES lpSecurityAttributes);
WINBASEAPI HANDLE WINAPI CreateNamedPipeW(_In_ LPCWSTR lpName, _In_ DWORD dwOpenMode, _In_ DWORD dwPipeMode,
                                          _In_ DWORD nMaxInstances, _In_ DWORD nOutBufferSize,
                                          _In_ DWORD nInBufferSize, _In_ DWORD nDefaultTimeOut,
                                          _In_opt_ LPSECURITY_ATTRIBUTES lpSecurityAttributes);
/* FALSE with ERROR_PIPE_CONNECTED when a client connected between CreateNamedPipe and this call; with
 * an OVERLAPPED, FALSE and ERROR_IO_PENDING until one does. */
WINBASEAPI BOOL WINAPI ConnectNamedPipe(_In_ HANDLE hNamedPipe, _Inout_opt_ LPOVERLAPPED lpOverlapped);
WINBASEAPI BOOL WINAPI DisconnectNamedPipe(_In_ HANDLE hNamedPipe);
WINBASEAPI BOOL WINAPI WaitNamedPipeA(_In_ LPCSTR lpNamedPipeName, _In_ DWORD nTimeOut);
WINBASEAPI BOOL WINAPI WaitNamedPipeW(_In_ LPCWSTR lpNamedPipeName, _In_ DWORD nTimeOut);
/* *lpBytesLeftThisMessage is the message's length less the bytes copied (0 less them on a byte pipe). */
WINBASEAPI BOOL WINAPI PeekNamedPipe(_In_ HANDLE hNamedPipe, _Out_writes_bytes_to_opt_(nBufferSize, *lpBytesRead) LPVOID lpBuffer,
                                     _In_ DWORD nBufferSize, _Out_opt_ LPDWORD lpBytesRead,
                                     _Out_opt_ LPDWORD lpTotalBytesAvail, _Out_opt_ LPDWORD lpBytesLeftThisMessage);
WINBASEAPI BOOL WINAPI TransactNamedPipe(_In_ HANDLE hNamedPipe, _In_reads_bytes_opt_(nInBufferSize) LPVOID lpInBuffer,
                                         _In_ DWORD nInBufferSize,
                                         _Out_writes_bytes_to_opt_(nOutBufferSize, *lpBytesRead) LPVOID lpOutBuffer,
                                         _In_ DWORD nOutBufferSize, _Out_ LPDWORD lpBytesRead,
                                         _Inout_opt_ LPOVERLAPPED lpOverlapped);
WINBASEAPI BOOL WINAPI CallNamedPipeA(_In_ LPCSTR lpNamedPipeName, _In_reads_bytes_opt_(nInBufferSize) LPVOID lpInBuffer,
                                      _In_ DWORD nInBufferSize,
                                      _Out_writes_bytes_to_opt_(nOutBufferSize, *lpBytesRead) LPVOID lpOutBuffer,
                                      _In_ DWORD nOutBufferSize, _Out_ LPDWORD lpBytesRead, _In_ DWORD nTimeOut);
WINBASEAPI BOOL WINAPI CallNamedPipeW(_In_ LPCWSTR lpNamedPipeName, _In_reads_bytes_opt_(nInBufferSize) LPVOID lpInBuffer,
                                      _In_ DWORD nInBufferSize,
                                      _Out_writes_bytes_to_opt_(nOutBufferSize, *lpBytesRead) LPVOID lpOutBuffer,
                                      _In_ DWORD nOutBufferSize, _Out_ LPDWORD lpBytesRead, _In_ DWORD nTimeOut);
WINBASEAPI BOOL WINAPI GetNamedPipeInfo(_In_ HANDLE hNamedPipe, _Out_opt_ LPDWORD lpFlags, _Out_opt_ LPDWORD lpOutBufferSize,
                                        _Out_opt_ LPDWORD lpInBufferSize, _Out_opt_ LPDWORD lpMaxInstances);
/* lpState and lpCurInstances only: ntio has no remote pipes (collection values) and no impersonation
 * (user name); those arguments must be NULL. */
WINBASEAPI BOOL WINAPI GetNamedPipeHandleStateA(_In_ HANDLE hNamedPipe, _Out_opt_ LPDWORD lpState,
                                                _Out_opt_ LPDWORD lpCurInstances, _Out_opt_ LPDWORD lpMaxCollectionCount,
                                                _Out_opt_ LPDWORD lpCollectDataTimeout,
                                                _Out_writes_opt_(nMaxUserNameSize) LPSTR lpUserName,
                                                _In_ DWORD nMaxUserNameSize);
WINBASEAPI BOOL WINAPI GetNamedPipeHandleStateW(_In_ HANDLE hNamedPipe, _Out_opt_ LPDWORD lpState,
                                                _Out_opt_ LPDWORD lpCurInstances, _Out_opt_ LPDWORD lpMaxCollectionCount,
                                                _Out_opt_ LPDWORD lpCollectDataTimeout,
                                                _Out_writes_opt_(nMaxUserNameSize) LPWSTR lpUserName,
                                                _In_ DWORD nMaxUserNameSize);
WINBASEAPI BOOL WINAPI SetNamedPipeHandleState(_In_ HANDLE hNamedPipe, _In_opt_ LPDWORD lpMode,
                                               _In_opt_ LPDWORD lpMaxCollectionCount,
                                               _In_opt_ LPDWORD lpCollectDataTimeout);
/* An anonymous pipe: a one-instance byte pipe with a unique name; the read end is its server end,
 * the write end its client. nSize 0 takes the default quota. */
WINBASEAPI BOOL WINAPI CreatePipe(_Out_ PHANDLE hReadPipe, _Out_ PHANDLE hWritePipe,
                                  _In_opt_ LPSECURITY_ATTRIBUTES lpPipeAttributes, _In_ DWORD nSize);

NTIO_END_DECLS

#ifdef UNICODE
#define CreateNamedPipe CreateNamedPipeW
#define WaitNamedPipe WaitNamedPipeW
#define CallNamedPipe CallNamedPipeW
#define GetNamedPipeHandleState GetNamedPipeHandleStateW
#else
#define CreateNamedPipe CreateNamedPipeA
#define WaitNamedPipe WaitNamedPipeA
#define CallNamedPipe CallNamedPipeA
#define GetNamedPipeHandleState GetNamedPipeHandleStateA
#endif

#endif /* NTIO_SDK_WIN32_PIPE_H */
