// PAGED_CODE() under Force IRQL checking: a verified driver's pageable routine run above APC_LEVEL
// stops with DRIVER_IRQL_NOT_LESS_OR_EQUAL (0xD1: the code address, the IRQL, 8 for an execute
// access, the address), as Windows' trimming of pageable sections makes it fault; the same routine
// at PASSIVE_LEVEL, or in a driver without Force IRQL checking, runs.
// https://learn.microsoft.com/windows-hardware/drivers/devtest/force-irql-checking
#include <gtest/gtest.h>

#include <utility>

#include "support/bugcheck_catcher.hpp"
#include "support/system_fixture.hpp"

#include <wdm.h>
#include <ntio/ntio.h>
#include <ntio/ntio_verifier.h>

namespace ntio::verifier::test {
namespace paged_code {

constexpr ULONG kRunRaised = CTL_CODE(FILE_DEVICE_UNKNOWN, 0xB00, METHOD_NEITHER, FILE_ANY_ACCESS);
constexpr ULONG kRunPassive = CTL_CODE(FILE_DEVICE_UNKNOWN, 0xB01, METHOD_NEITHER, FILE_ANY_ACCESS);

int g_paged_runs = 0;

// A routine the driver would place in its PAGE section.
[[gnu::noinline]] VOID PagedRoutine(VOID) {
    PAGED_CODE();
    ++g_paged_runs;
}

NTSTATUS NTAPI PagedControl(PDEVICE_OBJECT, PIRP Irp) {
    const ULONG code = IoGetCurrentIrpStackLocation(Irp)->Parameters.DeviceIoControl.IoControlCode;
    if (code == kRunRaised) {
        KIRQL old;
        KeRaiseIrql(DISPATCH_LEVEL, &old);
        PagedRoutine();  // the driver bug: pageable code under a spin lock's IRQL
        KeLowerIrql(old);
    } else {
        PagedRoutine();
    }
    Irp->IoStatus.Status = STATUS_SUCCESS;
    Irp->IoStatus.Information = 0;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return STATUS_SUCCESS;
}

VOID NTAPI PagedUnload(PDRIVER_OBJECT DriverObject) {
    while (DriverObject->DeviceObject) IoDeleteDevice(DriverObject->DeviceObject);
}

NTSTATUS NTAPI PagedEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING) {
    DriverObject->DriverUnload = PagedUnload;
    DriverObject->MajorFunction[IRP_MJ_DEVICE_CONTROL] = PagedControl;
    PDEVICE_OBJECT device = nullptr;
    NTSTATUS status = IoCreateDevice(DriverObject, 0, nullptr, FILE_DEVICE_UNKNOWN, 0, FALSE, &device);
    if (NT_SUCCESS(status)) device->Flags &= ~DO_DEVICE_INITIALIZING;
    return status;
}

class PagedCodeTest : public ntio::test::SystemTest {
protected:
    void SetUp() override {
        SystemTest::SetUp();
        g_paged_runs = 0;
        UNICODE_STRING name = RTL_CONSTANT_STRING(L"VerPaged");
        ASSERT_EQ(NtioCreateDriver(&name, PagedEntry, &m_driver), STATUS_SUCCESS);
    }
    void TearDown() override {
        (void)NtioVerifierSetFlags(m_driver, 0);
        if (KeGetCurrentIrql() != PASSIVE_LEVEL) KeLowerIrql(PASSIVE_LEVEL);
        EXPECT_EQ(NtioUnloadDriver(m_driver), STATUS_SUCCESS);
        ObDereferenceObject(m_driver);
        SystemTest::TearDown();
    }
    // Sends the control code to the driver's device; the IRP is the test's (freed when it came back).
    void send(ULONG code) {
        PDEVICE_OBJECT device = m_driver->DeviceObject;
        PIRP irp = IoAllocateIrp(device->StackSize, FALSE);
        ASSERT_NE(irp, nullptr);
        m_irp = irp;
        PIO_STACK_LOCATION sp = IoGetNextIrpStackLocation(irp);
        sp->MajorFunction = IRP_MJ_DEVICE_CONTROL;
        sp->Parameters.DeviceIoControl.IoControlCode = code;
        (void)IoCallDriver(device, irp);
        m_irp = nullptr;
        IoFreeIrp(irp);
    }
    PDRIVER_OBJECT m_driver = nullptr;
    PIRP m_irp = nullptr;
};

TEST_F(PagedCodeTest, pageable_code_above_apc_level_in_a_force_irql_checked_driver_is_0xd1) {
    ASSERT_EQ(NtioVerifierSetFlags(m_driver, NTIO_VERIFIER_FORCE_IRQL_CHECKING), STATUS_SUCCESS);
    const auto bc = ntio::test::catch_bugcheck([&] { send(kRunRaised); });
    if (KeGetCurrentIrql() != PASSIVE_LEVEL) KeLowerIrql(PASSIVE_LEVEL);
    // The IRP the bugcheck cut short in the dispatch routine goes back to the allocator.
    (void)NtioVerifierSetFlags(m_driver, 0);
    if (m_irp) IoFreeIrp(std::exchange(m_irp, nullptr));
    ASSERT_TRUE(bc.has_value());
    EXPECT_EQ(bc->code, static_cast<ULONG>(DRIVER_IRQL_NOT_LESS_OR_EQUAL));
    EXPECT_NE(bc->p1, 0u);  // the code address, inside PagedRoutine
    EXPECT_GT(bc->p1, reinterpret_cast<ULONG_PTR>(&PagedRoutine));
    EXPECT_LT(bc->p1, reinterpret_cast<ULONG_PTR>(&PagedRoutine) + 256);
    EXPECT_EQ(bc->p2, ULONG_PTR{DISPATCH_LEVEL});
    EXPECT_EQ(bc->p3, 8u);
    EXPECT_EQ(bc->p4, bc->p1);
    EXPECT_EQ(g_paged_runs, 0);
}

TEST_F(PagedCodeTest, pageable_code_at_passive_level_is_legal) {
    ASSERT_EQ(NtioVerifierSetFlags(m_driver, NTIO_VERIFIER_FORCE_IRQL_CHECKING), STATUS_SUCCESS);
    ntio::test::expect_no_bugcheck([&] { send(kRunPassive); });
    EXPECT_EQ(g_paged_runs, 1);
}

TEST_F(PagedCodeTest, without_force_irql_checking_nothing_is_paged_out) {
    ASSERT_EQ(NtioVerifierSetFlags(m_driver, NTIO_VERIFIER_IO_CHECKING), STATUS_SUCCESS);
    ntio::test::expect_no_bugcheck([&] { send(kRunRaised); });
    EXPECT_EQ(g_paged_runs, 1);
}

}  // namespace paged_code
}  // namespace ntio::verifier::test
