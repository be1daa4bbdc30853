/* Reads, writes, IOCTLs and overlapped I/O (fileapi.h / ioapiset.h subset): ReadFile / WriteFile and
 * their Ex (completion routine), scatter and gather forms, DeviceIoControl, GetOverlappedResult(Ex),
 * CancelIo / CancelIoEx / CancelSynchronousIo. An OVERLAPPED is the IOSB of the NT request: Internal is
 * its status (STATUS_PENDING while in flight), InternalHigh its byte count. */
#ifndef NTIO_SDK_WIN32_IO_H
#define NTIO_SDK_WIN32_IO_H
#include "types.h"
#include "file.h"

#ifndef STATUS_PENDING
#define STATUS_PENDING ((DWORD)0x00000103L)
#endif
#define HasOverlappedIoCompleted(lpOverlapped) (((DWORD)(lpOverlapped)->Internal) != STATUS_PENDING)

/* ReadFileScatter / WriteFileGather page elements (winnt.h); <wdm.h> defines the same union under
 * the same guard. */
#ifndef NTIO_HAVE_FILE_SEGMENT_ELEMENT
#define NTIO_HAVE_FILE_SEGMENT_ELEMENT
typedef void *PVOID64;
typedef union _FILE_SEGMENT_ELEMENT {
    PVOID64 Buffer;
    ULONGLONG Alignment;
} FILE_SEGMENT_ELEMENT, *PFILE_SEGMENT_ELEMENT;
#endif

NTIO_BEGIN_DECLS

WINBASEAPI BOOL WINAPI ReadFile(_In_ HANDLE hFile, _Out_writes_bytes_to_opt_(nNumberOfBytesToRead, *lpNumberOfBytesRead)
                                    LPVOID lpBuffer,
                                _In_ DWORD nNumberOfBytesToRead, _Out_opt_ LPDWORD lpNumberOfBytesRead,
                                _Inout_opt_ LPOVERLAPPED lpOverlapped);
WINBASEAPI BOOL WINAPI WriteFile(_In_ HANDLE hFile, _In_reads_bytes_opt_(nNumberOfBytesToWrite) LPCVOID lpBuffer,
                                 _In_ DWORD nNumberOfBytesToWrite, _Out_opt_ LPDWORD lpNumberOfBytesWritten,
                                 _Inout_opt_ LPOVERLAPPED lpOverlapped);
/* The completion routine runs (error, bytes, lpOverlapped) in an alertable wait of the calling thread,
 * and never when the call returned FALSE (NT fact G6). */
WINBASEAPI BOOL WINAPI ReadFileEx(_In_ HANDLE hFile, _Out_writes_bytes_opt_(nNumberOfBytesToRead) LPVOID lpBuffer,
                                  _In_ DWORD nNumberOfBytesToRead, _Inout_ LPOVERLAPPED lpOverlapped,
                                  _In_ LPOVERLAPPED_COMPLETION_ROUTINE lpCompletionRoutine);
WINBASEAPI BOOL WINAPI WriteFileEx(_In_ HANDLE hFile, _In_reads_bytes_opt_(nNumberOfBytesToWrite) LPCVOID lpBuffer,
                                   _In_ DWORD nNumberOfBytesToWrite, _Inout_ LPOVERLAPPED lpOverlapped,
                                   _In_ LPOVERLAPPED_COMPLETION_ROUTINE lpCompletionRoutine);
WINBASEAPI BOOL WINAPI ReadFileScatter(_In_ HANDLE hFile, _In_ PFILE_SEGMENT_ELEMENT aSegmentArray,
                                       _In_ DWORD nNumberOfBytesToRead, _Reserved_ LPDWORD lpReserved,
                                       _Inout_ LPOVERLAPPED lpOverlapped);
WINBASEAPI BOOL WINAPI WriteFileGather(_In_ HANDLE hFile, _In_ PFILE_SEGMENT_ELEMENT aSegmentArray,
                                       _In_ DWORD nNumberOfBytesToWrite, _Reserved_ LPDWORD lpReserved,
                                       _Inout_ LPOVERLAPPED lpOverlapped);
WINBASEAPI BOOL WINAPI DeviceIoControl(_In_ HANDLE hDevice, _In_ DWORD dwIoControlCode,
                                       _In_reads_bytes_opt_(nInBufferSize) LPVOID lpInBuffer, _In_ DWORD nInBufferSize,
                                       _Out_writes_bytes_to_opt_(nOutBufferSize, *lpBytesReturned) LPVOID lpOutBuffer,
                                       _In_ DWORD nOutBufferSize, _Out_opt_ LPDWORD lpBytesReturned,
                                       _Inout_opt_ LPOVERLAPPED lpOverlapped);
WINBASEAPI BOOL WINAPI GetOverlappedResult(_In_ HANDLE hFile, _In_ LPOVERLAPPED lpOverlapped,
                                           _Out_ LPDWORD lpNumberOfBytesTransferred, _In_ BOOL bWait);
WINBASEAPI BOOL WINAPI GetOverlappedResultEx(_In_ HANDLE hFile, _In_ LPOVERLAPPED lpOverlapped,
                                             _Out_ LPDWORD lpNumberOfBytesTransferred, _In_ DWORD dwMilliseconds,
                                             _In_ BOOL bAlertable);
WINBASEAPI BOOL WINAPI CancelIo(_In_ HANDLE hFile);
WINBASEAPI BOOL WINAPI CancelIoEx(_In_ HANDLE hFile, _In_opt_ LPOVERLAPPED lpOverlapped);
WINBASEAPI BOOL WINAPI CancelSynchronousIo(_In_ HANDLE hThread);

NTIO_END_DECLS
#endif /* NTIO_SDK_WIN32_IO_H */
