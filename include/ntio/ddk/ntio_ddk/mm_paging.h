/* <wdm.h> / <ntddk.h> piece for the memory manager routines drivers call about their own image and
 * the machine: locking pageable sections, paging the whole driver, whether the verifier verifies a
 * driver, and the system's size and product type. Nothing in ntio is ever paged out: the locks
 * return and take a handle and keep nothing resident that was not already.
 * https://learn.microsoft.com/windows-hardware/drivers/kernel/making-drivers-pageable */
#ifndef NTIO_DDK_MM_PAGING_H
#define NTIO_DDK_MM_PAGING_H
#include "basetypes.h"
#include "sal.h"

NTIO_BEGIN_DECLS

struct _DRIVER_OBJECT;

typedef enum _MM_SYSTEM_SIZE { MmSmallSystem, MmMediumSystem, MmLargeSystem } MM_SYSTEMSIZE;

/* IRQL <= APC_LEVEL. The handle names the image holding the address (the same handle for every
 * address in one driver); it stays valid while the driver is loaded, whatever the lock count. */
NTKERNELAPI PVOID MmLockPagableDataSection(_In_ PVOID AddressWithinSection);
#define MmLockPagableCodeSection(Address) MmLockPagableDataSection(Address)
/* On x64 a routine's address is its entry point. */
#define MmGetProcedureAddress(Address) (Address)
NTKERNELAPI VOID MmLockPagableSectionByHandle(_In_ PVOID ImageSectionHandle);
NTKERNELAPI VOID MmUnlockPagableImageSection(_In_ PVOID ImageSectionHandle);
/* IRQL <= APC_LEVEL. Returns the start of the driver's image in memory. */
NTKERNELAPI PVOID MmPageEntireDriver(_In_ PVOID AddressWithinSection);
NTKERNELAPI VOID MmResetDriverPaging(_In_ PVOID AddressWithinSection);

/* Any IRQL. TRUE when the verifier verifies the driver. */
NTKERNELAPI LOGICAL MmIsDriverVerifying(_In_ struct _DRIVER_OBJECT *DriverObject);
/* IRQL <= APC_LEVEL. TRUE when the driver is selected for verification (here: the same answer as
 * MmIsDriverVerifying, no import chain is followed). */
NTKERNELAPI LOGICAL MmIsDriverSuspectForVerifier(_In_ struct _DRIVER_OBJECT *DriverObject);
/* IRQL <= APC_LEVEL. TRUE when the address lies in the image of a verified driver. */
NTKERNELAPI LOGICAL MmIsDriverVerifyingByAddress(_In_ PVOID AddressWithinSection);
/* STATUS_SUCCESS and the enabled Driver Verifier options (the union over the verified drivers) when
 * some driver is verified; STATUS_NOT_SUPPORTED (flags 0) when none is. */
NTKERNELAPI NTSTATUS MmIsVerifierEnabled(_Out_ PULONG VerifierFlags);
/* Any IRQL. */
NTKERNELAPI MM_SYSTEMSIZE MmQuerySystemSize(VOID);
/* Any IRQL. Obsolete: TRUE on a server product; ntio reports a workstation. */
NTKERNELAPI BOOLEAN MmIsThisAnNtAsSystem(VOID);

NTIO_END_DECLS

#endif /* NTIO_DDK_MM_PAGING_H */
