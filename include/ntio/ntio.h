/* <ntio/ntio.h>: ntio's own API that is not Windows API (every name prefixed Ntio). C and C++. */
#ifndef NTIO_NTIO_H
#define NTIO_NTIO_H
#include <wdm.h>

NTIO_BEGIN_DECLS

/* Bugcheck hook. KeBugCheckEx calls the hook (if one is installed) with the stop code and its four
 * parameters instead of printing the stop screen and aborting. The hook must not return (tests
 * leave through a longjmp, see tests/support/bugcheck_catcher.hpp); if it does, the process aborts.
 * Returns the previous hook. */
typedef void (*NTIO_BUGCHECK_HOOK)(ULONG BugCheckCode, ULONG_PTR P1, ULONG_PTR P2, ULONG_PTR P3,
                                   ULONG_PTR P4, PVOID Context);
NTIO_API NTIO_BUGCHECK_HOOK NtioSetBugCheckHook(NTIO_BUGCHECK_HOOK Hook, PVOID Context);

NTIO_END_DECLS
#endif
