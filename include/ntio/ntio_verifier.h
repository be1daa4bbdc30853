/* <ntio/ntio_verifier.h>: ntio's I/O verifier controls (every name prefixed Ntio). C and C++.
 * The Windows way to verify a driver also works: VerifyDrivers (REG_SZ, space-separated image or
 * service names, "*" = all) and VerifyDriverLevel (REG_DWORD, the flag bits below) under
 * HKLM\SYSTEM\CurrentControlSet\Control\Session Manager\Memory Management, read when a driver loads.
 * IoVerifierLevel (REG_DWORD) under HKLM\SYSTEM\CurrentControlSet\Control\Session Manager\I/O System
 * chooses the I/O verification level as Windows 2000's verifier did: 1 gives Level 1 only (the driver
 * gets NTIO_VERIFIER_IO_LEVEL1_ONLY with its I/O verification); absent or any other value gives Levels
 * 1 and 2, as Windows XP and later always do. */
#ifndef NTIO_NTIO_VERIFIER_H
#define NTIO_NTIO_VERIFIER_H
#include <wdm.h>

NTIO_BEGIN_DECLS

/* VerifyDriverLevel bits, with Driver Verifier's numbering (verifier /querysettings). */
#define NTIO_VERIFIER_SPECIAL_POOL 0x00000001u            /* special pool (IRPs of the driver) */
#define NTIO_VERIFIER_FORCE_IRQL_CHECKING 0x00000002u     /* IRQL rules of the DDIs */
#define NTIO_VERIFIER_RANDOM_LOW_RESOURCES 0x00000004u    /* randomized low-resources simulation */
#define NTIO_VERIFIER_POOL_TRACKING 0x00000008u           /* leaks at unload */
#define NTIO_VERIFIER_IO_CHECKING 0x00000010u             /* I/O verification, levels 1 and 2 */
#define NTIO_VERIFIER_DEADLOCK_DETECTION 0x00000020u
#define NTIO_VERIFIER_ENHANCED_IO_CHECKING 0x00000040u
#define NTIO_VERIFIER_DMA_CHECKING 0x00000080u            /* DMA checking: the adapters the driver gets (0xE6) */
#define NTIO_VERIFIER_SECURITY_CHECKS 0x00000100u
#define NTIO_VERIFIER_FORCE_PENDING 0x00000200u           /* force pending I/O requests */
#define NTIO_VERIFIER_IRP_LOGGING 0x00000400u
#define NTIO_VERIFIER_MISCELLANEOUS_CHECKS 0x00000800u
#define NTIO_VERIFIER_DDI_COMPLIANCE 0x00020000u          /* DDI compliance checking (0xC4 rules) */
#define NTIO_VERIFIER_SYSTEMATIC_LOW_RESOURCES 0x00040000u
#define NTIO_VERIFIER_DDI_COMPLIANCE_ADDITIONAL 0x00080000u
#define NTIO_VERIFIER_SYNC_DELAY_FUZZING 0x00800000u
/* ntio's own bit (no Driver Verifier option): with NTIO_VERIFIER_IO_CHECKING, Level 1 I/O verification
 * only (argument, status, cancel-routine and IRQL checks at IoCallDriver, IoCompleteRequest and
 * IoFreeIrp, 0xC9 subcodes 0x01-0x12), without Level 2's per-IRP tracking and WDM DRIVER ERROR rules. */
#define NTIO_VERIFIER_IO_LEVEL1_ONLY 0x40000000u
/* Driver Verifier's standard set: 1, 2, 8, 0x10, 0x20, 0x80, 0x100, 0x800, 0x20000. VerifyDriverLevel
 * absent (or 0) means the standard set, as on Windows. */
#define NTIO_VERIFIER_STANDARD_FLAGS 0x000209BBu

/* Modes (process-wide): off checks nothing; compat reports the patterns Windows tolerates without
 * Driver Verifier (0xC9 0x224, 0x228) as warnings and bugchecks the rest; strict bugchecks all. */
typedef enum _NTIO_VERIFIER_MODE {
    NtioVerifierOff = 0,
    NtioVerifierCompat = 1,
    NtioVerifierStrict = 2
} NTIO_VERIFIER_MODE;

/* Verifies a loaded driver from now on with Flags (VerifyDriverLevel bits); 0 stops verifying it.
 * STATUS_INVALID_PARAMETER for a NULL driver, STATUS_INSUFFICIENT_RESOURCES when the verifier's driver
 * table is full. Any IRQL <= APC_LEVEL. */
NTIO_API NTSTATUS NtioVerifierSetFlags(PDRIVER_OBJECT DriverObject, ULONG Flags);
/* The driver's flags (0: not verified). */
NTIO_API ULONG NtioVerifierQueryFlags(PDRIVER_OBJECT DriverObject);
/* The mode; the default is strict (or NTIO_VERIFIER_MODE=off|compat|strict in the environment). */
NTIO_API NTIO_VERIFIER_MODE NtioVerifierSetMode(NTIO_VERIFIER_MODE Mode);
NTIO_API NTIO_VERIFIER_MODE NtioVerifierQueryMode(VOID);
/* Violations reported as warnings in compat mode since the process started. */
NTIO_API ULONG NtioVerifierWarningCount(VOID);
/* The verifier's description of the last violation (what the stop screen prints after the STOP
 * line), NUL-terminated and truncated to Size bytes; returns the full length. Empty when none. */
NTIO_API SIZE_T NtioVerifierLastReport(PCHAR Buffer, SIZE_T Size);

/* Stress modes (verifier-and-inspector.md section 4), for drivers whose flags enable them:
 * NTIO_VERIFIER_RANDOM_LOW_RESOURCES fails pool, IRP and MDL allocations made from the driver's
 * dispatch and completion routines at LowResourcesPerMille; NTIO_VERIFIER_FORCE_PENDING makes an
 * IoCallDriver to the driver complete asynchronously (the caller sees STATUS_PENDING) at
 * ForcePendingPerMille; NTIO_VERIFIER_SYNC_DELAY_FUZZING yields or sleeps up to DelayMaxMicroseconds
 * at IoCallDriver, IoCompleteRequest and the cancel paths. Every decision comes from one generator
 * seeded with Seed (NTIO_VERIFIER_SEED in the environment; reports print it). */
typedef struct _NTIO_VERIFIER_STRESS {
    ULONG64 Seed;
    ULONG LowResourcesPerMille;   /* default 100 */
    ULONG ForcePendingPerMille;   /* default 1000 */
    ULONG DelayMaxMicroseconds;   /* default 50 */
} NTIO_VERIFIER_STRESS, *PNTIO_VERIFIER_STRESS;
/* Sets the stress parameters (and restarts the generator from Seed); STATUS_INVALID_PARAMETER for
 * NULL or a per-mille rate above 1000. */
NTIO_API NTSTATUS NtioVerifierSetStress(const NTIO_VERIFIER_STRESS* Stress);
NTIO_API VOID NtioVerifierQueryStress(PNTIO_VERIFIER_STRESS Stress);
/* Allocations failed, IoCallDriver calls made pending and delays inserted since the process started. */
NTIO_API VOID NtioVerifierStressCounters(PULONG64 InjectedFailures, PULONG64 ForcedPending, PULONG64 Delays);

/* User-mode requests that take too long (I/O verification since Windows Vista; spec 2.4): a request
 * with RequestorMode UserMode that a driver verified at Level 2 holds is reported (0xC9 0x400, a
 * warning in compat mode) when it stays pending CompleteMilliseconds with no cancel routine set, and
 * (0xC9 0x401) when it has not completed CancelMilliseconds after IoCancelIrp. 0 restores a default
 * (30000 and 10000). The verifier scans once a second while such requests are tracked. */
NTIO_API VOID NtioVerifierSetIrpTimeouts(ULONG CompleteMilliseconds, ULONG CancelMilliseconds);
/* Runs that scan now, on the calling thread, as if ElapsedMilliseconds more had passed (a test can
 * judge a request late without waiting for it). */
NTIO_API VOID NtioVerifierCheckPendingIrps(ULONG ElapsedMilliseconds);

NTIO_END_DECLS
#endif
