/* Mailslots (winbase.h subset): CreateMailslot, GetMailslotInfo and SetMailslotInfo. A mailslot is a
 * file of the mailslot file system (\Device\Mailslot, `\\.\mailslot\<name>` in Win32): its server
 * reads it through the handle CreateMailslot returns (NtCreateMailslotFile), clients open it with
 * CreateFile and write one message per WriteFile. The information calls are NtQueryInformationFile /
 * NtSetInformationFile with the mailslot classes. */
#ifndef NTIO_SDK_WIN32_MAILSLOT_H
#define NTIO_SDK_WIN32_MAILSLOT_H
#include "types.h"
#include "io.h"

/* GetMailslotInfo's lpNextSize when no message waits. */
#ifndef MAILSLOT_NO_MESSAGE
#define MAILSLOT_NO_MESSAGE ((DWORD)-1)
#endif
/* lReadTimeout: reads wait until a message comes. */
#ifndef MAILSLOT_WAIT_FOREVER
#define MAILSLOT_WAIT_FOREVER ((DWORD)-1)
#endif

NTIO_BEGIN_DECLS

/* lpName must be `\\.\mailslot\[path]name` (ERROR_INVALID_NAME otherwise; none: ERROR_PATH_NOT_FOUND);
 * an existing name is ERROR_ALREADY_EXISTS. nMaxMessageSize 0 takes messages of any size;
 * lReadTimeout in milliseconds, 0 (a read of an empty mailslot fails at once with ERROR_SEM_TIMEOUT)
 * or MAILSLOT_WAIT_FOREVER. The handle reads only. */
WINBASEAPI HANDLE WINAPI CreateMailslotA(_In_ LPCSTR lpName, _In_ DWORD nMaxMessageSize, _In_ DWORD lReadTimeout,
                                         _In_opt_ LPSECURITY_ATTRIBUTES lpSecurityAttributes);
WINBASEAPI HANDLE WINAPI CreateMailslotW(_In_ LPCWSTR lpName, _In_ DWORD nMaxMessageSize, _In_ DWORD lReadTimeout,
                                         _In_opt_ LPSECURITY_ATTRIBUTES lpSecurityAttributes);
/* Each output may be NULL. lpNextSize is MAILSLOT_NO_MESSAGE when the mailslot is empty. */
WINBASEAPI BOOL WINAPI GetMailslotInfo(_In_ HANDLE hMailslot, _Out_opt_ LPDWORD lpMaxMessageSize,
                                       _Out_opt_ LPDWORD lpNextSize, _Out_opt_ LPDWORD lpMessageCount,
                                       _Out_opt_ LPDWORD lpReadTimeout);
/* The read timeout of later reads, as CreateMailslot's lReadTimeout. */
WINBASEAPI BOOL WINAPI SetMailslotInfo(_In_ HANDLE hMailslot, _In_ DWORD lReadTimeout);

NTIO_END_DECLS

#ifdef UNICODE
#define CreateMailslot CreateMailslotW
#else
#define CreateMailslot CreateMailslotA
#endif

#endif /* NTIO_SDK_WIN32_MAILSLOT_H */
