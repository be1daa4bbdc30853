/* <ntio/ntapi.h> piece: file cancel services (Nt* prototypes for applications), as ntdll exports them.
 * They cancel requests that are still in a driver's hands; the requests then complete the usual way
 * (IOSB, event, APC or completion packet) with whatever status their driver gives them, normally
 * STATUS_CANCELLED. */
#ifndef NTIO_NT_FILE_CANCEL_SERVICES_H
#define NTIO_NT_FILE_CANCEL_SERVICES_H

NTIO_BEGIN_DECLS

/* Cancels every request the calling thread issued for the file object behind FileHandle (through any
 * handle to it) and returns once they have all completed, so their IOSBs and events are final; their
 * APCs run at the next alertable wait. IoStatusBlock receives {STATUS_SUCCESS, 0}. PASSIVE_LEVEL. */
NTSYSAPI NTSTATUS NTAPI NtCancelIoFile(_In_ HANDLE FileHandle, _Out_ PIO_STATUS_BLOCK IoStatusBlock);

/* Cancels the requests of any thread of the calling process for that file object: all of them when
 * IoRequestToCancel is NULL, else those whose IOSB is IoRequestToCancel. Does not wait for them.
 * STATUS_NOT_FOUND when none was found that was not already cancelled. PASSIVE_LEVEL. */
NTSYSAPI NTSTATUS NTAPI NtCancelIoFileEx(_In_ HANDLE FileHandle, _In_opt_ PIO_STATUS_BLOCK IoRequestToCancel,
                                         _Out_ PIO_STATUS_BLOCK IoStatusBlock);

/* Cancels the synchronous requests ThreadHandle's thread is blocked in (THREAD_TERMINATE access): all
 * of them, or the one whose IOSB is IoRequestToCancel. Does not wait. STATUS_NOT_FOUND (also written
 * to IoStatusBlock) when there was none. PASSIVE_LEVEL. */
NTSYSAPI NTSTATUS NTAPI NtCancelSynchronousIoFile(_In_ HANDLE ThreadHandle, _In_opt_ PIO_STATUS_BLOCK IoRequestToCancel,
                                                  _Out_ PIO_STATUS_BLOCK IoStatusBlock);

NTIO_END_DECLS

#endif /* NTIO_NT_FILE_CANCEL_SERVICES_H */
