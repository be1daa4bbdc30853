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
/* The installed hook (NULL if none) and, through Context if not NULL, its context. */
NTIO_API NTIO_BUGCHECK_HOOK NtioGetBugCheckHook(PVOID *Context);

/* The calling thread's innermost __try frame, and a way to reset it. Code that leaves __try blocks
 * with a longjmp of its own (the test bugcheck catcher) saves the frame before and restores it after,
 * so the frames it skipped are forgotten. */
NTIO_API PVOID NtioSehCurrentFrame(VOID);
NTIO_API VOID NtioSehRestoreFrame(PVOID Frame);

/* Built-in drivers (what IoCreateDriver does in NT): creates \Driver\<ServiceName> with the
 * registry path \REGISTRY\MACHINE\SYSTEM\ControlSet001\Services\<ServiceName>, calls
 * InitializationFunction as DriverEntry (NT facts L1, L2, L4) and keeps the driver loaded until
 * NtioUnloadDriver or system shutdown. A failing DriverEntry deletes the driver and returns its
 * status. DriverObject (optional) receives the driver object, referenced (ObDereferenceObject it).
 * PASSIVE_LEVEL. */
NTIO_API NTSTATUS NtioCreateDriver(PCUNICODE_STRING ServiceName, PDRIVER_INITIALIZE InitializationFunction,
                                   PDRIVER_OBJECT *DriverObject);
/* Unloads a driver the NT way: no new opens or attaches from now on; DriverUnload runs once none
 * of its devices has open handles or attached devices (at once if already so, else when the last
 * goes); the driver object goes with its last reference. STATUS_INVALID_DEVICE_REQUEST for a driver
 * without DriverUnload (NT fact L7). PASSIVE_LEVEL. */
NTIO_API NTSTATUS NtioUnloadDriver(PDRIVER_OBJECT DriverObject);

/* Live IRPs and MDLs of the calling thread's System (leak checks of tests and the verifier). */
NTIO_API SIZE_T NtioIrpCount(VOID);
NTIO_API SIZE_T NtioMdlCount(VOID);

NTIO_END_DECLS
#endif
