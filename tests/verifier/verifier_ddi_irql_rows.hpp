// The runner of the IRQL-bound tests one row per DDI: VerDdi calls the routine at an IRQL its rule
// (or its own Learn page) forbids, and the verifier stops with the subcode; at the legal IRQL next
// to it nothing is reported. Rows whose routine releases an object the test prepares get it here.
#pragma once

#include <string>

#include "verifier_ddi_fixture.hpp"

namespace ntio::verifier::test {

struct IrqlRow {
    ULONG mode;
    KIRQL bad;
    KIRQL good;
    ULONG_PTR subcode;      // 0xC4 parameter 1
    const char* condition;  // a DDI compliance rule: a phrase of the condition string P2 points to
    ULONG legal_stop = 0;   // the routine's own stop at the legal IRQL (its argument is no PDO), or 0
};

inline BOOLEAN NTAPI spare_isr(PKINTERRUPT, PVOID) { return FALSE; }
inline NTSTATUS NTAPI spare_arrival(PVOID, PVOID) { return STATUS_SUCCESS; }

class DdiRowTest : public DdiTest {
protected:
    // Before a row's read: the object its mode releases, made at PASSIVE_LEVEL outside the driver.
    void prepare(ULONG mode) {
        DdiExtension* e = ext(lower());
        switch (mode) {
        case kDdiDeleteController: e->SpareController = IoCreateController(0); break;
        case kDdiDisconnectInterrupt: {
            PKINTERRUPT interrupt = nullptr;
            ASSERT_EQ(IoConnectInterrupt(&interrupt, spare_isr, nullptr, nullptr, 0x52, 5, 5, LevelSensitive, FALSE,
                                         KeQueryActiveProcessors(), FALSE),
                      STATUS_SUCCESS);
            e->SpareInterrupt = interrupt;
            break;
        }
        case kDdiFreeContiguous: {
            PHYSICAL_ADDRESS highest;
            highest.QuadPart = -1;
            e->SpareContiguous = MmAllocateContiguousMemory(64, highest);
            break;
        }
        case kDdiUnregisterPlugPlay:
        case kDdiUnregisterPlugPlayEx: {
            static const GUID kClass = {0x1c0ffee5, 0x7a31, 0x4d2e, {0x8b, 0x44, 0x60, 0x1e, 0x33, 0xa9, 0x5f, 0x02}};
            ASSERT_EQ(IoRegisterPlugPlayNotification(EventCategoryDeviceInterfaceChange, 0, const_cast<GUID*>(&kClass),
                                                     m_ddi, spare_arrival, nullptr, &e->SpareNotification),
                      STATUS_SUCCESS);
            break;
        }
        case kDdiPoCallDriver:
        case kDdiStartNextPowerIrp: {
            PIRP irp = IoAllocateIrp(lower()->StackSize, FALSE);
            PIO_STACK_LOCATION sp = IoGetNextIrpStackLocation(irp);
            sp->MajorFunction = IRP_MJ_POWER;
            sp->MinorFunction = IRP_MN_QUERY_POWER;
            irp->IoStatus.Status = STATUS_NOT_SUPPORTED;
            e->SparePowerIrp = irp;
            break;
        }
        case kDdiUnregisterSystemState: e->SpareSystemState = PoRegisterSystemState(nullptr, ES_CONTINUOUS); break;
        case kDdiSetPowerRequest: ASSERT_EQ(PoCreatePowerRequest(&e->SparePowerRequest, lower(), nullptr), STATUS_SUCCESS); break;
        case kDdiRequestPowerIrp: KeClearEvent(&e->PowerDone); break;
        default: break;
        }
        m_spare = {e->SpareController, e->SpareInterrupt, e->SpareContiguous, e->SpareNotification,
                   e->SparePowerIrp, e->SpareSystemState, e->SparePowerRequest};
    }
    // After the row's read (stopped or not), back at PASSIVE_LEVEL: what is left of the prepared
    // object released.
    void release(ULONG mode, bool stopped) {
        DdiExtension* e = ext(lower());
        if (stopped) {
            if (m_spare.controller) IoDeleteController(m_spare.controller);
            if (m_spare.interrupt) IoDisconnectInterrupt(m_spare.interrupt);
            if (m_spare.contiguous) MmFreeContiguousMemory(m_spare.contiguous);
            if (m_spare.notification) (void)IoUnregisterPlugPlayNotificationEx(m_spare.notification);
            if (m_spare.system_state) PoUnregisterSystemState(m_spare.system_state);
        } else if (mode == kDdiRequestPowerIrp) {
            (void)KeWaitForSingleObject(&e->PowerDone, Executive, KernelMode, FALSE, nullptr);
        }
        if (m_spare.power_irp) IoFreeIrp(m_spare.power_irp);  // completed by VerDdi, or never sent
        if (m_spare.power_request) PoDeletePowerRequest(m_spare.power_request);  // the mode never deletes it
        e->SpareController = nullptr;
        e->SpareInterrupt = nullptr;
        e->SpareContiguous = nullptr;
        e->SpareNotification = nullptr;
        e->SparePowerIrp = nullptr;
        e->SpareSystemState = nullptr;
        e->SparePowerRequest = nullptr;
        m_spare = {};
    }
    // The driver verified with `flags`, the row's object prepared, its read at `irql` built.
    PIRP begin(const IrqlRow& row, KIRQL irql, ULONG flags, Outcome& outcome) {
        EXPECT_EQ(NtioVerifierSetFlags(m_ddi, flags), STATUS_SUCCESS);
        prepare(row.mode);
        return ddi_read(lower(), row.mode, irql, outcome);
    }
    // The routine at row.bad: stopped with row.subcode. A rule's P2 is its condition string (P3, P4
    // zero); 0xE5's P2 is the current IRQL (P3, P4 reserved: zero).
    void expect_trip(const IrqlRow& row, ULONG flags = kDdiFlags) {
        SCOPED_TRACE(testing::Message() << "mode " << row.mode);
        Outcome outcome;
        PIRP irp = begin(row, row.bad, flags, outcome);
        auto bc = expect_bugcheck([&] { (void)IoCallDriver(lower(), irp); }, DRIVER_VERIFIER_DETECTED_VIOLATION,
                                  row.subcode);
        if (bc.code == DRIVER_VERIFIER_DETECTED_VIOLATION && bc.p1 == row.subcode) {
            if (row.condition) {
                ASSERT_NE(bc.p2, 0u);
                EXPECT_NE(std::string(reinterpret_cast<const char*>(bc.p2)).find(row.condition), std::string::npos)
                    << reinterpret_cast<const char*>(bc.p2);
            } else {
                EXPECT_EQ(bc.p2, static_cast<ULONG_PTR>(row.bad));
            }
            EXPECT_EQ(bc.p3, 0u);
            EXPECT_EQ(bc.p4, 0u);
        }
        EXPECT_NE(last_report().find("VerDdi"), std::string::npos);
        recover();
        release(row.mode, true);
        IoFreeIrp(irp);
    }
    // The routine at row.good: nothing reported (or only the routine's own stop, row.legal_stop).
    void expect_accepted(const IrqlRow& row, ULONG flags = kDdiFlags) {
        SCOPED_TRACE(testing::Message() << "mode " << row.mode);
        Outcome outcome;
        PIRP irp = begin(row, row.good, flags, outcome);
        if (row.legal_stop) {
            (void)expect_bugcheck([&] { (void)IoCallDriver(lower(), irp); }, row.legal_stop, 0x2);
            recover();
            release(row.mode, true);
        } else {
            expect_no_bugcheck([&] { EXPECT_EQ(IoCallDriver(lower(), irp), STATUS_SUCCESS); });
            EXPECT_EQ(outcome.completions.load(), 1);
            EXPECT_EQ(outcome.status.load(), STATUS_SUCCESS);
            release(row.mode, false);
        }
        IoFreeIrp(irp);
    }

    struct Spare {
        PCONTROLLER_OBJECT controller = nullptr;
        PKINTERRUPT interrupt = nullptr;
        PVOID contiguous = nullptr;
        PVOID notification = nullptr;
        PIRP power_irp = nullptr;
        PVOID system_state = nullptr;
        PVOID power_request = nullptr;
    } m_spare;
};

}  // namespace ntio::verifier::test
