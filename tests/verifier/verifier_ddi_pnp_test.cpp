// PnP and power manager routines no DDI compliance rule names, through VerDdi: called above the IRQL
// their own Learn pages allow, 0xC4 0xE5 ("a call was made to a Kernel API at the incorrect IRQL",
// P2 the current IRQL); at the highest IRQL the page allows, nothing is reported. Routines that need
// a PDO get VerDdi's legacy device: at the legal IRQL they reach their own check, and stop with
// PNP_DETECTED_FATAL_ERROR 0x2 instead. Subcode:
// https://learn.microsoft.com/windows-hardware/drivers/debugger/bug-check-0xc4--driver-verifier-detected-violation
// IRQL bounds: each routine's page, https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-<name>.
#include "verifier_ddi_irql_rows.hpp"

namespace ntio::verifier::test {
namespace {

// PASSIVE_LEVEL only.
const IrqlRow kPassive[] = {
    {kDdiRegisterPlugPlay, APC_LEVEL, PASSIVE_LEVEL, 0xE5, nullptr},
    {kDdiUnregisterPlugPlay, APC_LEVEL, PASSIVE_LEVEL, 0xE5, nullptr},
    {kDdiUnregisterPlugPlayEx, APC_LEVEL, PASSIVE_LEVEL, 0xE5, nullptr},
    {kDdiReportTargetChange, APC_LEVEL, PASSIVE_LEVEL, 0xE5, nullptr},
    {kDdiGetDeviceProperty, APC_LEVEL, PASSIVE_LEVEL, 0xE5, nullptr, PNP_DETECTED_FATAL_ERROR},
    {kDdiGetPropertyData, APC_LEVEL, PASSIVE_LEVEL, 0xE5, nullptr, PNP_DETECTED_FATAL_ERROR},
    {kDdiSetPropertyData, APC_LEVEL, PASSIVE_LEVEL, 0xE5, nullptr, PNP_DETECTED_FATAL_ERROR},
    {kDdiGetInterfacePropertyData, APC_LEVEL, PASSIVE_LEVEL, 0xE5, nullptr},
    {kDdiSetInterfacePropertyData, APC_LEVEL, PASSIVE_LEVEL, 0xE5, nullptr},
    {kDdiOpenInterfaceKey, APC_LEVEL, PASSIVE_LEVEL, 0xE5, nullptr},
    {kDdiGetDeviceInterfaces, APC_LEVEL, PASSIVE_LEVEL, 0xE5, nullptr},
    {kDdiReportDetected, APC_LEVEL, PASSIVE_LEVEL, 0xE5, nullptr},
    {kDdiReportResourceForDetection, APC_LEVEL, PASSIVE_LEVEL, 0xE5, nullptr},
    {kDdiGetRelatedTargetDevice, APC_LEVEL, PASSIVE_LEVEL, 0xE5, nullptr},
    {kDdiPoFxRegister, APC_LEVEL, PASSIVE_LEVEL, 0xE5, nullptr},
    {kDdiPoFxStart, APC_LEVEL, PASSIVE_LEVEL, 0xE5, nullptr},
    {kDdiPoFxUnregister, APC_LEVEL, PASSIVE_LEVEL, 0xE5, nullptr},
};
// <= APC_LEVEL (PoSetPowerState: unless the state is D0).
const IrqlRow kApcLte[] = {
    {kDdiSetPowerStateD3, DISPATCH_LEVEL, APC_LEVEL, 0xE5, nullptr},
    {kDdiIdleDetection, DISPATCH_LEVEL, APC_LEVEL, 0xE5, nullptr},
    {kDdiRegisterSystemState, DISPATCH_LEVEL, APC_LEVEL, 0xE5, nullptr},
    {kDdiUnregisterSystemState, DISPATCH_LEVEL, APC_LEVEL, 0xE5, nullptr},
    {kDdiPowerRequest, DISPATCH_LEVEL, APC_LEVEL, 0xE5, nullptr},
};
// <= DISPATCH_LEVEL.
const IrqlRow kDispatchLte[] = {
    {kDdiReportTargetChangeAsync, HIGH_LEVEL, DISPATCH_LEVEL, 0xE5, nullptr},
    {kDdiInvalidateRelations, HIGH_LEVEL, DISPATCH_LEVEL, 0xE5, nullptr, PNP_DETECTED_FATAL_ERROR},
    {kDdiInvalidateState, HIGH_LEVEL, DISPATCH_LEVEL, 0xE5, nullptr, PNP_DETECTED_FATAL_ERROR},
    {kDdiRequestEject, HIGH_LEVEL, DISPATCH_LEVEL, 0xE5, nullptr, PNP_DETECTED_FATAL_ERROR},
    {kDdiStartNextPowerIrp, HIGH_LEVEL, DISPATCH_LEVEL, 0xE5, nullptr},
    {kDdiSetPowerStateD0, HIGH_LEVEL, DISPATCH_LEVEL, 0xE5, nullptr},
    {kDdiRequestPowerIrp, HIGH_LEVEL, DISPATCH_LEVEL, 0xE5, nullptr},
    {kDdiSetSystemState, HIGH_LEVEL, DISPATCH_LEVEL, 0xE5, nullptr},
    {kDdiSetPowerRequest, HIGH_LEVEL, DISPATCH_LEVEL, 0xE5, nullptr},
    {kDdiPoFxActivate, HIGH_LEVEL, DISPATCH_LEVEL, 0xE5, nullptr},
    {kDdiPoFxIdle, HIGH_LEVEL, DISPATCH_LEVEL, 0xE5, nullptr},
    {kDdiPoFxCompleteIdleCondition, HIGH_LEVEL, DISPATCH_LEVEL, 0xE5, nullptr},
    {kDdiPoFxCompleteIdleState, HIGH_LEVEL, DISPATCH_LEVEL, 0xE5, nullptr},
    {kDdiPoFxCompleteNotRequired, HIGH_LEVEL, DISPATCH_LEVEL, 0xE5, nullptr},
    {kDdiPoFxReportPoweredOn, HIGH_LEVEL, DISPATCH_LEVEL, 0xE5, nullptr},
    {kDdiPoFxSetIdleTimeout, HIGH_LEVEL, DISPATCH_LEVEL, 0xE5, nullptr},
    {kDdiPoFxSetLatency, HIGH_LEVEL, DISPATCH_LEVEL, 0xE5, nullptr},
    {kDdiPoFxSetResidency, HIGH_LEVEL, DISPATCH_LEVEL, 0xE5, nullptr},
    {kDdiPoFxSetWake, HIGH_LEVEL, DISPATCH_LEVEL, 0xE5, nullptr},
    {kDdiPoFxPowerControl, HIGH_LEVEL, DISPATCH_LEVEL, 0xE5, nullptr},
    {kDdiPoFxSurprisePowerOn, HIGH_LEVEL, DISPATCH_LEVEL, 0xE5, nullptr},
};

// Kernel and memory manager routines no DDI compliance rule names, with the bound of their own pages:
// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nf-ntddk-keinvalidateallcaches
// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nf-ntddk-keinvalidaterangeallcaches
// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-mmmapiospace (<= DISPATCH_LEVEL)
// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nf-ntddk-kequeryhardwarecounterconfiguration
// (<= APC_LEVEL).
const IrqlRow kKernelDispatchLte[] = {
    {kDdiInvalidateAllCaches, HIGH_LEVEL, DISPATCH_LEVEL, 0xE5, nullptr},
    {kDdiInvalidateRangeAllCaches, HIGH_LEVEL, DISPATCH_LEVEL, 0xE5, nullptr},
    {kDdiMapIoSpace, HIGH_LEVEL, DISPATCH_LEVEL, 0xE5, nullptr},
};
const IrqlRow kKernelApcLte[] = {
    {kDdiHardwareCounters, DISPATCH_LEVEL, APC_LEVEL, 0xE5, nullptr},
};

class DdiPnpIrqlTest : public DdiRowTest {
protected:
    template <std::size_t N>
    void run(const IrqlRow (&rows)[N], ULONG flags = kDdiFlags) {
        load_ddi();
        for (const IrqlRow& row : rows) expect_trip(row, flags);
        for (const IrqlRow& row : rows) expect_accepted(row, flags);
    }
};

TEST_F(DdiPnpIrqlTest, passive_level_pnp_routines_report_0xe5_above_it) { run(kPassive); }
TEST_F(DdiPnpIrqlTest, apc_level_power_routines_report_0xe5_above_it) { run(kApcLte); }
TEST_F(DdiPnpIrqlTest, dispatch_level_pnp_and_power_routines_report_0xe5_above_it) { run(kDispatchLte); }
TEST_F(DdiPnpIrqlTest, dispatch_level_kernel_routines_report_0xe5_above_it) { run(kKernelDispatchLte); }
TEST_F(DdiPnpIrqlTest, apc_level_hardware_counter_routine_reports_0xe5_above_it) { run(kKernelApcLte); }

// PoCallDriver is IoCallDriver's: under I/O verification its 0xC9 0x10 reports the IRQL, so 0xE5
// (as for IoCompleteRequest) is for drivers verified without it.
TEST_F(DdiPnpIrqlTest, po_call_driver_above_dispatch_level_is_0xe5_without_io_verification) {
    const IrqlRow row{kDdiPoCallDriver, HIGH_LEVEL, DISPATCH_LEVEL, 0xE5, nullptr};
    load_ddi();
    expect_trip(row, NTIO_VERIFIER_DDI_COMPLIANCE);
    expect_accepted(row, NTIO_VERIFIER_DDI_COMPLIANCE);
}

// The bound is the routine's page's, not DISPATCH_LEVEL for all: PoSetPowerState to D3 at
// DISPATCH_LEVEL is reported, to D0 it is not (kDispatchLte).
TEST_F(DdiPnpIrqlTest, po_set_power_state_allows_dispatch_level_for_d0_only) {
    load_ddi();
    expect_trip({kDdiSetPowerStateD3, DISPATCH_LEVEL, APC_LEVEL, 0xE5, nullptr});
    expect_accepted({kDdiSetPowerStateD0, HIGH_LEVEL, DISPATCH_LEVEL, 0xE5, nullptr});
}

// Unverified, the same calls go through: the checks are the verifier's.
TEST_F(DdiPnpIrqlTest, an_unverified_driver_is_not_checked) {
    load_ddi(0);
    Outcome outcome;
    PIRP irp = ddi_read(lower(), kDdiSetSystemState, HIGH_LEVEL, outcome);
    expect_no_bugcheck([&] { EXPECT_EQ(IoCallDriver(lower(), irp), STATUS_SUCCESS); });
    IoFreeIrp(irp);
}

}  // namespace
}  // namespace ntio::verifier::test
