// What drivers ask the memory manager about paging their own image, and about the machine. No
// memory of ntio is ever paged out, so the lock routines only hand out and take back a handle: the
// load address of the image holding the address (NT's handle names one section of the image;
// every address of a driver gives the same handle here). The machine is always a large one, and a
// workstation, as RtlGetVersion reports.
#include <cstdint>

#include <ntifs.h>
#include <ntio/ntio_verifier.h>

#include "host/image.hpp"
#include "rtl/version.hpp"
#include "verifier/state.hpp"
#include "verifier/verifier.hpp"

namespace {

// An address outside any image (a driver passing a pool address) gets itself back as its handle,
// so that the handle is never NULL and unlocking it is harmless.
PVOID handle_of(PVOID address) noexcept {
    void* base = ntio::host::image_base_of(address);
    return base ? base : address;
}

// Whether `address` lies in the image of `driver`: its DriverStart / DriverSize when the loader
// mapped it, else the image holding its DriverInit (a driver created in the host process by
// NtioCreateDriver shares the executable's image with every other such driver).
bool driver_image_holds(PDRIVER_OBJECT driver, PVOID address) noexcept {
    const auto a = reinterpret_cast<std::uintptr_t>(address);
    if (driver->DriverStart && driver->DriverSize) {
        const auto start = reinterpret_cast<std::uintptr_t>(driver->DriverStart);
        return a >= start && a - start < driver->DriverSize;
    }
    if (!driver->DriverInit) return false;
    void* base = ntio::host::image_base_of(reinterpret_cast<const void*>(driver->DriverInit));
    return base && base == ntio::host::image_base_of(address);
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

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-mmisdriversuspectforverifier
// NT deviation: the same answer as MmIsDriverVerifying, since ntio never verifies a driver only
// because it imports from a verified one (no import chain is followed).
NTKERNELAPI LOGICAL MmIsDriverSuspectForVerifier(struct _DRIVER_OBJECT* DriverObject) {
    return MmIsDriverVerifying(DriverObject);
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-mmisdriververifyingbyaddress
// IRQL <= APC_LEVEL. TRUE when the address lies in the image of a driver the verifier has flags
// for. A guess where Learn is silent: an address in no driver's image (pool, stack, NULL) is FALSE.
NTKERNELAPI LOGICAL MmIsDriverVerifyingByAddress(PVOID AddressWithinSection) {
    NTIO_VERIFY_DDI(ntio::verifier::DdiRule::MmApcLte);
    if (!AddressWithinSection || ntio::verifier::mode() == NtioVerifierOff) return FALSE;
    for (const ntio::verifier::VerifiedDriver& verified : ntio::verifier::verified_drivers())
        if (NtioVerifierQueryFlags(verified.driver) != 0 && driver_image_holds(verified.driver, AddressWithinSection))
            return TRUE;
    return FALSE;
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nf-ntddk-mmisverifierenabled
// STATUS_SUCCESS with the Driver Verifier options in *VerifierFlags when the verifier verifies at
// least one driver, else STATUS_NOT_SUPPORTED. NT deviation: NT has one VerifyDriverLevel for every
// verified driver; ntio keeps flags per driver, so the answer is their union (ntio's own
// NTIO_VERIFIER_IO_LEVEL1_ONLY bit left out, it is no Driver Verifier option). A guess where Learn
// is silent: a NULL VerifierFlags gets STATUS_INVALID_PARAMETER, and *VerifierFlags is 0 with
// STATUS_NOT_SUPPORTED.
NTKERNELAPI NTSTATUS MmIsVerifierEnabled(PULONG VerifierFlags) {
    if (!VerifierFlags) return STATUS_INVALID_PARAMETER;
    ULONG flags = 0;
    if (ntio::verifier::mode() != NtioVerifierOff)
        for (const ntio::verifier::VerifiedDriver& verified : ntio::verifier::verified_drivers())
            flags |= NtioVerifierQueryFlags(verified.driver);
    flags &= ~NTIO_VERIFIER_IO_LEVEL1_ONLY;
    *VerifierFlags = flags;
    return flags ? STATUS_SUCCESS : STATUS_NOT_SUPPORTED;
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-mmquerysystemsize
// NT deviation: always MmLargeSystem (any host ntio runs on has far more memory than NT's
// threshold for a large system).
NTKERNELAPI MM_SYSTEMSIZE MmQuerySystemSize(VOID) { return MmLargeSystem; }

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nf-ntddk-mmisthisanntassystem
NTKERNELAPI BOOLEAN MmIsThisAnNtAsSystem(VOID) { return ntio::rtl::kServerProduct ? TRUE : FALSE; }

}  // extern "C"
