// The fixture of the DDI compliance and SDV monitor suites: VerDdi loaded under the verifier next to
// the VerBuggy / VerFilter fixture, reads sent with a mode, an IRQL and a forwarding choice.
#pragma once

#include "verifier_ddi_driver.hpp"
#include "verifier_test_driver.hpp"

namespace ntio::verifier::test {

inline constexpr ULONG kDdiFlags = NTIO_VERIFIER_STANDARD_FLAGS | NTIO_VERIFIER_DDI_COMPLIANCE_ADDITIONAL;

class DdiTest : public VerifierTest {
protected:
    void TearDown() override {
        if (m_ddi) {
            (void)NtioVerifierSetFlags(m_ddi, 0);
            if (KeGetCurrentIrql() != PASSIVE_LEVEL) KeLowerIrql(PASSIVE_LEVEL);
            (void)NtioUnloadDriver(m_ddi);
            ObDereferenceObject(m_ddi);
        }
        VerifierTest::TearDown();
    }
    // flags 0: loaded but not verified.
    void load_ddi(ULONG flags = kDdiFlags) {
        UNICODE_STRING name = RTL_CONSTANT_STRING(L"VerDdi");
        ASSERT_EQ(NtioCreateDriver(&name, VerDdiDriverEntry, &m_ddi), STATUS_SUCCESS);
        if (flags) {
            ASSERT_EQ(NtioVerifierSetFlags(m_ddi, flags), STATUS_SUCCESS);
        }
    }
    PDEVICE_OBJECT upper() const { return VerDdiUpper(m_ddi); }
    PDEVICE_OBJECT lower() const { return VerDdiLower(m_ddi); }
    DdiExtension* ext(PDEVICE_OBJECT d) const { return static_cast<DdiExtension*>(d->DeviceExtension); }
    PIRP ddi_read(PDEVICE_OBJECT target, ULONG mode, KIRQL irql, Outcome& outcome, LONG forward = kForwardNone) {
        PIRP irp = make_read(target, mode, outcome, irql);
        IoGetNextIrpStackLocation(irp)->Parameters.Read.ByteOffset.HighPart = forward;
        return irp;
    }
    // An IRP with only a major function (create, cleanup) for the lower device.
    PIRP simple_irp(UCHAR major) {
        PIRP irp = IoAllocateIrp(lower()->StackSize, FALSE);
        IoGetNextIrpStackLocation(irp)->MajorFunction = major;
        return irp;
    }
    // After a caught bugcheck in an Mm routine: the MDL the driver left behind, unlocked and freed.
    void free_spare_mdl() {
        DdiExtension* e = ext(lower());
        if (PMDL mdl = e->SpareMdl) {
            if (mdl->MdlFlags & MDL_PAGES_LOCKED) MmUnlockPages(mdl);
            IoFreeMdl(mdl);
            e->SpareMdl = nullptr;
        }
    }
    // After a caught bugcheck: stop verifying, back to PASSIVE_LEVEL.
    void recover() {
        (void)NtioVerifierSetFlags(m_ddi, 0);
        if (KeGetCurrentIrql() != PASSIVE_LEVEL) KeLowerIrql(PASSIVE_LEVEL);
    }
    PDRIVER_OBJECT m_ddi = nullptr;
};

using ntio::test::expect_no_bugcheck;

}  // namespace ntio::verifier::test
