/* I/O completion ports (ioapiset.h / winbase.h subset): CreateIoCompletionPort, GetQueuedCompletionStatus
 * (Ex), PostQueuedCompletionStatus, SetFileCompletionNotificationModes and BindIoCompletionCallback. A
 * port is an NT IoCompletion object; a packet's OVERLAPPED is the request's ApcContext. */
#ifndef NTIO_SDK_WIN32_IO_COMPLETION_H
#define NTIO_SDK_WIN32_IO_COMPLETION_H
#include "types.h"
#include "io.h"

/* Spelled as <ntifs.h> (ntio_ddk/io_completion.h) spells them. */
#ifndef FILE_SKIP_COMPLETION_PORT_ON_SUCCESS
#define FILE_SKIP_COMPLETION_PORT_ON_SUCCESS 0x1
#endif
#ifndef FILE_SKIP_SET_EVENT_ON_HANDLE
#define FILE_SKIP_SET_EVENT_ON_HANDLE 0x2
#endif
#ifndef FILE_SKIP_SET_USER_EVENT_ON_FAST_IO
#define FILE_SKIP_SET_USER_EVENT_ON_FAST_IO 0x4
#endif

NTIO_BEGIN_DECLS

/* FileHandle INVALID_HANDLE_VALUE: a new port (ExistingCompletionPort must be NULL). Otherwise associates
 * the overlapped file with ExistingCompletionPort, or with a new port when that is NULL. */
WINBASEAPI HANDLE WINAPI CreateIoCompletionPort(_In_ HANDLE FileHandle, _In_opt_ HANDLE ExistingCompletionPort,
                                                _In_ ULONG_PTR CompletionKey, _In_ DWORD NumberOfConcurrentThreads);
/* FALSE with *lpOverlapped NULL and WAIT_TIMEOUT when nothing came; FALSE with the packet's fields and
 * the request's error for a packet of failed I/O (NT fact F10). */
WINBASEAPI BOOL WINAPI GetQueuedCompletionStatus(_In_ HANDLE CompletionPort, _Out_ LPDWORD lpNumberOfBytesTransferred,
                                                 _Out_ PULONG_PTR lpCompletionKey, _Out_ LPOVERLAPPED *lpOverlapped,
                                                 _In_ DWORD dwMilliseconds);
WINBASEAPI BOOL WINAPI GetQueuedCompletionStatusEx(_In_ HANDLE CompletionPort,
                                                   _Out_writes_to_(ulCount, *ulNumEntriesRemoved)
                                                       LPOVERLAPPED_ENTRY lpCompletionPortEntries,
                                                   _In_ ULONG ulCount, _Out_ PULONG ulNumEntriesRemoved,
                                                   _In_ DWORD dwMilliseconds, _In_ BOOL fAlertable);
WINBASEAPI BOOL WINAPI PostQueuedCompletionStatus(_In_ HANDLE CompletionPort, _In_ DWORD dwNumberOfBytesTransferred,
                                                  _In_ ULONG_PTR dwCompletionKey, _In_opt_ LPOVERLAPPED lpOverlapped);
WINBASEAPI BOOL WINAPI SetFileCompletionNotificationModes(_In_ HANDLE FileHandle, _In_ UCHAR Flags);
/* Associates the overlapped file with a process-wide port served by a small pool of threads that call
 * Function(error, bytes, overlapped) for each completion. Flags must be 0. */
WINBASEAPI BOOL WINAPI BindIoCompletionCallback(_In_ HANDLE FileHandle, _In_ LPOVERLAPPED_COMPLETION_ROUTINE Function,
                                                _In_ ULONG Flags);

NTIO_END_DECLS
#endif /* NTIO_SDK_WIN32_IO_COMPLETION_H */
