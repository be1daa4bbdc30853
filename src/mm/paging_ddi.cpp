// What drivers ask the memory manager about paging their own image, and about the machine. No
// memory of ntio is ever paged out, so the lock routines only hand out and take back a handle: the
// load address of the image holding the address (NT's handle names one section of the image;
// every address of a driver gives the same handle here). The machine is always a large one, and a
// workstation, as RtlGetVersion reports.
#include <ntifs.h>
#include <ntio/ntio_verifier.h>

#include "host/image.hpp"
#include "rtl/version.hpp"
#include "verifier/verifier.hpp"

namespace {

// An address outside any image (a driver passing a pool address) gets itself back as its handle,
// so that the handle is never NULL and unlocking it is harmless.
PVOID handle_of(PVOID address) noexcept {
    void* base = ntio::host::image_base_of(address);
    return base ? base : address;
}

}  // namespace

extern "C" {

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-mmlockpagabledatasection
// NT deviation: no lock count is kept (nothing is pageable, and the handle stays valid).
NTKERNELAPI PVOID MmLockPagableDataSection(PVOID AddressWithinSection) {
    NTIO_VERIFY_DDI(ntio::verifier::DdiRule::MmApcLte);
    return handle_of(AddressWithinSection);
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nf-ntddk-mmlockpagablesectionbyhandle
NTKERNELAPI VOID MmLockPagableSectionByHandle(PVOID ImageSectionHandle) {
    NTIO_VERIFY_DDI(ntio::verifier::DdiRule::MmApcLte);
    (void)ImageSectionHandle;
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-mmunlockpagableimagesection
NTKERNELAPI VOID MmUnlockPagableImageSection(PVOID ImageSectionHandle) {
    NTIO_VERIFY_DDI(ntio::verifier::DdiRule::MmApcLte);
    (void)ImageSectionHandle;
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-mmpageentiredriver
NTKERNELAPI PVOID MmPageEntireDriver(PVOID AddressWithinSection) {
    NTIO_VERIFY_DDI(ntio::verifier::DdiRule::MmApcLte);
    return handle_of(AddressWithinSection);
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-mmresetdriverpaging
NTKERNELAPI VOID MmResetDriverPaging(PVOID AddressWithinSection) {
    NTIO_VERIFY_DDI(ntio::verifier::DdiRule::MmApcLte);
    (void)AddressWithinSection;
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nf-ntddk-mmisdriververifying
// The driver is verified when the verifier has flags for it (VerifyDrivers / VerifyDriverLevel at
// its load, or the Ntio verifier API), and the verifier is not off.
NTKERNELAPI LOGICAL MmIsDriverVerifying(struct _DRIVER_OBJECT* DriverObject) {
    return DriverObject && NtioVerifierQueryFlags(DriverObject) != 0 ? TRUE : FALSE;
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-mmquerysystemsize
// NT deviation: always MmLargeSystem (any host ntio runs on has far more memory than NT's
// threshold for a large system).
NTKERNELAPI MM_SYSTEMSIZE MmQuerySystemSize(VOID) { return MmLargeSystem; }

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nf-ntddk-mmisthisanntassystem
NTKERNELAPI BOOLEAN MmIsThisAnNtAsSystem(VOID) { return ntio::rtl::kServerProduct ? TRUE : FALSE; }

}  // extern "C"
