/* <ntio/ntio.h>: ntio's own API that is not Windows API (every name prefixed Ntio). C and C++. */
#ifndef NTIO_NTIO_H
#define NTIO_NTIO_H
#include <wdm.h>
#include <ntio/ntio_verifier.h>

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

/* Plug and Play, root-enumerated devices (instances under
 * \Registry\Machine\System\CurrentControlSet\Enum\Root\<class>\<instance>, value Service naming the
 * function driver, optional REG_MULTI_SZ LowerFilters / UpperFilters, DeviceDesc, HardwareID, Class,
 * ClassGUID). InstancePath is "ROOT\<class>\<instance>" (case-insensitive). PASSIVE_LEVEL. */
typedef enum _NTIO_PNP_DEVICE_STATE {
    NtioPnpDeviceNotFound = 0,   /* no device node with this instance path */
    NtioPnpDeviceStarted,        /* IRP_MN_START_DEVICE succeeded */
    NtioPnpDeviceFailed,         /* AddDevice or start failed; *Problem says why; the stack was removed */
    NtioPnpDeviceRemovePending   /* removal begun (surprise, or opens raced it): REMOVE_DEVICE after the last close */
} NTIO_PNP_DEVICE_STATE, *PNTIO_PNP_DEVICE_STATE;
/* Creates a root PDO for every instance without one, then for each: loads the lower filters, the
 * function driver and the upper filters (already loaded drivers are used as they are), calls their
 * AddDevice in that order and sends IRP_MN_START_DEVICE, then a D0 IRP_MN_SET_POWER. A device that
 * fails is left in NtioPnpDeviceFailed; the call itself fails only when the Enum key cannot be read. */
NTIO_API NTSTATUS NtioPnpEnumerateRoot(VOID);
/* The device node's state and, for NtioPnpDeviceFailed, the failing status (Problem optional). */
NTIO_API NTSTATUS NtioPnpQueryDevice(PCUNICODE_STRING InstancePath, PNTIO_PNP_DEVICE_STATE State,
                                     NTSTATUS *Problem);
/* Removes a device. Orderly (Surprise FALSE): vetoed while the device has open handles
 * (PNP_VetoOutstandingOpen) or a driver fails IRP_MN_QUERY_REMOVE_DEVICE (PNP_VetoDevice, followed by
 * IRP_MN_CANCEL_REMOVE_DEVICE); both return STATUS_PLUGPLAY_QUERY_VETOED and keep the device. Otherwise
 * D3 IRP_MN_SET_POWER (started devices), IRP_MN_REMOVE_DEVICE, and the PDO goes. Surprise:
 * IRP_MN_SURPRISE_REMOVAL now, IRP_MN_REMOVE_DEVICE once the last handle is closed. A device that
 * failed to start is removed without IRPs. VetoType (optional) says why a removal was vetoed. */
NTIO_API NTSTATUS NtioPnpRemoveDevice(PCUNICODE_STRING InstancePath, BOOLEAN Surprise, PPNP_VETO_TYPE VetoType);

/* Simulated interrupts. ntio has no interrupt controller: simulated hardware (and tests) assert
 * interrupts with these calls, and the connected ISRs run the way the kernel's interrupt dispatcher
 * runs them (<wdm.h>, ntio_ddk/interrupt.h). A device interrupt's vector is 0x30..0xBF and its DIRQL
 * the vector's high nibble (Vector >> 4), the x64 layout of a translated CmResourceTypeInterrupt
 * resource. */

/* The interrupts the PnP manager assigns a root-enumerated device (what its bus driver would report):
 * one line-based interrupt, or MessageCount message-signaled interrupts. IoConnectInterruptEx's
 * CONNECT_LINE_BASED and CONNECT_MESSAGE_BASED connect to them. */
typedef struct _NTIO_DEVICE_INTERRUPTS {
    ULONG Vector;          /* the line's vector, or the first message's (0x30..0xBF) */
    ULONG MessageCount;    /* 0: a line-based interrupt; N (<= 2048): messages 0..N-1 on vectors Vector..Vector+N-1,
                              latched and not shared */
    KINTERRUPT_MODE Mode;  /* the line's: LevelSensitive or Latched */
    BOOLEAN Shared;        /* the line may be shared with other devices (CmResourceShareShared) */
} NTIO_DEVICE_INTERRUPTS, *PNTIO_DEVICE_INTERRUPTS;
/* Assigns the interrupts of the device with that instance path ("ROOT\<class>\<instance>",
 * case-insensitive), or removes them (Interrupts NULL), whether or not the device exists yet; a
 * driver finds them when it connects. STATUS_INVALID_PARAMETER for vectors outside 0x30..0xBF, more
 * than 2048 messages or another Mode. PASSIVE_LEVEL. */
NTIO_API NTSTATUS NtioSetDeviceInterrupts(PCUNICODE_STRING InstancePath, const NTIO_DEVICE_INTERRUPTS *Interrupts);
/* Asserts an interrupt on Vector and delivers it on the calling thread before returning: the
 * connected interrupt objects of the vector in connection order, each ISR at its SynchronizeIrql with
 * its interrupt spin lock held; a level-sensitive vector stops at the first ISR that returns TRUE, a
 * latched one calls them all; inactive ones (IoReportInterruptInactive) are skipped. Returns
 * STATUS_SUCCESS when an ISR claimed it, STATUS_UNSUCCESSFUL when the ISRs called all returned FALSE,
 * STATUS_NOT_FOUND when nothing (active) is connected to the vector, STATUS_INVALID_PARAMETER for a
 * vector above 0xFF. The caller must be at IRQL <= DISPATCH_LEVEL (IRQL_NOT_LESS_OR_EQUAL above it: no
 * interrupt is raised from an ISR) and hold no lock an ISR takes. */
NTIO_API NTSTATUS NtioRaiseInterrupt(ULONG Vector);
/* Asserts message MessageId of the device's message-signaled interrupts: NtioRaiseInterrupt on its
 * vector. STATUS_NOT_FOUND when the device has no messages assigned, STATUS_INVALID_PARAMETER_2 for
 * MessageId >= MessageCount. IRQL <= DISPATCH_LEVEL. */
NTIO_API NTSTATUS NtioRaiseMessageInterrupt(PCUNICODE_STRING InstancePath, ULONG MessageId);
/* Simulates a nonmaskable interrupt on the calling thread (any IRQL): the KeRegisterNmiCallback
 * callbacks run at HIGH_LEVEL, the last registered first. When none returns TRUE the HAL's default
 * handler stops the system: bug check NMI_HARDWARE_FAILURE. */
NTIO_API VOID NtioRaiseNmi(VOID);

/* Runs Seconds seconds of the power manager's idle clock now, on the calling thread, for the calling
 * thread's System: every device registered with PoRegisterDeviceForIdleDetection counts them as idle
 * time, and the IRP_MN_SET_POWER of a device whose time is up is sent before this returns. From the
 * first call on (Seconds may be 0) the System's idle clock advances only through this routine, so a
 * test sees no second pass on its own. PASSIVE_LEVEL; STATUS_INVALID_DEVICE_STATE otherwise. */
NTIO_API NTSTATUS NtioAdvancePowerIdleClock(ULONG Seconds);

/* How long a dying thread waits for the IRPs its exit cancelled before it gives up on them (NT's five
 * minutes, the default): each IRP still pending is then disassociated from the thread, completes
 * later without it, and an IO_DRIVER_CANCEL_TIMEOUT error is logged for the device that holds it.
 * Process-wide, for tests of drivers that never complete a cancelled IRP. Returns the previous value. */
NTIO_API ULONG NtioSetThreadIrpCancelTimeout(ULONG Milliseconds);

/* Explicit boot and shutdown of the process's default System, for programs that want them. A Win32
 * program needs neither: its first Win32 call boots the default System and the process's exit shuts
 * it down. NtioBootSystem boots it now from the hive file HivePath (UTF-8 host path; NULL: the file
 * NTIO_HIVE names, else the embedded default hive) and makes it the calling thread's System:
 * STATUS_SUCCESS; STATUS_ALREADY_COMPLETE (a success) when the default System is already up, which is
 * left as it is; a refused hive file gives the failing status and nothing is started or changed.
 * NtioShutdownSystem shuts the default System down (waiting for threads it still runs, as at process
 * exit): STATUS_SUCCESS, or STATUS_INVALID_DEVICE_STATE when none is up, or when called from a thread
 * the System itself created (it would wait for itself). A later Win32 call boots a fresh one.
 * PASSIVE_LEVEL, not from driver code. */
NTIO_API NTSTATUS NtioBootSystem(const char *HivePath);
NTIO_API NTSTATUS NtioShutdownSystem(VOID);

/* Live IRPs and MDLs of the calling thread's System (leak checks of tests and the verifier). */
NTIO_API SIZE_T NtioIrpCount(VOID);
NTIO_API SIZE_T NtioMdlCount(VOID);

NTIO_END_DECLS
#endif
