// The I/O and memory manager routines IrqlIoPassive2, IrqlIoPassive4, IrqlIoPassive5 and
// IrqlMmDispatch name beyond those verifier_ddi_test.cpp covers, through VerDdi: each at an IRQL its
// rule forbids is stopped with the rule's 0xC4 subcode, and the same call at a legal IRQL is not.
// Rule pages: https://learn.microsoft.com/windows-hardware/drivers/devtest/wdm-irqliopassive2 (0x2000B),
// wdm-irqliopassive4 (0x2000D), wdm-irqliopassive5 (0x2000E), wdm-irqlmmdispatch (0x2001A, from
// https://learn.microsoft.com/windows-hardware/drivers/debugger/bug-check-0xc4--driver-verifier-detected-violation).
#include "verifier_ddi_irql_rows.hpp"

namespace ntio::verifier::test {
namespace {

const IrqlRow kIoPassive2[] = {
    {kDdiCheckShareAccess, APC_LEVEL, PASSIVE_LEVEL, 0x2000B, "IoCheckShareAccess"},
    {kDdiCreateController, APC_LEVEL, PASSIVE_LEVEL, 0x2000B, "IoCreateController"},
};
const IrqlRow kIoPassive4[] = {
    {kDdiDeleteController, APC_LEVEL, PASSIVE_LEVEL, 0x2000D, "IoDeleteController"},
    {kDdiDisconnectInterrupt, APC_LEVEL, PASSIVE_LEVEL, 0x2000D, "IoDisconnectInterrupt"},
};
const IrqlRow kIoPassive5[] = {
    {kDdiConfigurationInformation, APC_LEVEL, PASSIVE_LEVEL, 0x2000E, "IoGetConfigurationInformation"},
    {kDdiGetDmaAdapter, APC_LEVEL, PASSIVE_LEVEL, 0x2000E, "IoGetDmaAdapter"},
    {kDdiFileGenericMapping, APC_LEVEL, PASSIVE_LEVEL, 0x2000E, "IoGetFileObjectGenericMapping"},
    {kDdiWdmVersion, APC_LEVEL, PASSIVE_LEVEL, 0x2000E, "IoIsWdmVersionAvailable"},
    {kDdiWmiRegistration, APC_LEVEL, PASSIVE_LEVEL, 0x2000E, "IoWMIRegistrationControl"},
};
// MmFreeContiguousMemory: <= DISPATCH_LEVEL.
const IrqlRow kMmDispatch[] = {
    {kDdiFreeContiguous, HIGH_LEVEL, DISPATCH_LEVEL, 0x2001A, "MmFreeContiguousMemory"},
};

class DdiIoRuleTest : public DdiRowTest {
protected:
    template <std::size_t N>
    void run(const IrqlRow (&rows)[N]) {
        load_ddi();
        for (const IrqlRow& row : rows) expect_trip(row);
        for (const IrqlRow& row : rows) expect_accepted(row);
    }
};

TEST_F(DdiIoRuleTest, irql_io_passive2_share_access_and_controllers) { run(kIoPassive2); }
TEST_F(DdiIoRuleTest, irql_io_passive4_controller_deletion_and_interrupt_disconnection) { run(kIoPassive4); }
TEST_F(DdiIoRuleTest, irql_io_passive5_configuration_dma_generic_mapping_wdm_version_wmi) { run(kIoPassive5); }
TEST_F(DdiIoRuleTest, irql_mm_dispatch_contiguous_memory_free) { run(kMmDispatch); }

}  // namespace
}  // namespace ntio::verifier::test
