#include "verifier_driver_fixture.hpp"

namespace ntio::verifier::test {

void VerifiedDriverTest::SetUp() {
    SystemTest::SetUp();
    (void)NtioVerifierSetMode(NtioVerifierStrict);
}

void VerifiedDriverTest::TearDown() {
    if (KeGetCurrentIrql() != PASSIVE_LEVEL) KeLowerIrql(PASSIVE_LEVEL);
    if (m_driver) {
        (void)NtioVerifierSetFlags(m_driver, 0);
        (void)NtioUnloadDriver(m_driver);
        ObDereferenceObject(m_driver);
        m_driver = nullptr;
    }
    (void)NtioVerifierSetMode(NtioVerifierStrict);
    SystemTest::TearDown();
}

void VerifiedDriverTest::load_driver(const wchar_t* name, PDRIVER_INITIALIZE entry, ULONG flags) {
    UNICODE_STRING service;
    RtlInitUnicodeString(&service, name);
    ASSERT_EQ(NtioCreateDriver(&service, entry, &m_driver), STATUS_SUCCESS);
    if (flags) {
        ASSERT_EQ(NtioVerifierSetFlags(m_driver, flags), STATUS_SUCCESS);
    }
}

NTSTATUS NTAPI VerifiedDriverTest::keep_status(PDEVICE_OBJECT, PIRP irp, PVOID context) {
    *static_cast<NTSTATUS*>(context) = irp->IoStatus.Status;
    return STATUS_MORE_PROCESSING_REQUIRED;
}

NTSTATUS VerifiedDriverTest::send_ioctl(PDEVICE_OBJECT device, ULONG code, PVOID input) {
    PIRP irp = IoAllocateIrp(device->StackSize, FALSE);
    if (!irp) {
        ADD_FAILURE() << "IoAllocateIrp failed";
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    PIO_STACK_LOCATION sp = IoGetNextIrpStackLocation(irp);
    sp->MajorFunction = IRP_MJ_DEVICE_CONTROL;
    sp->Parameters.DeviceIoControl.IoControlCode = code;
    sp->Parameters.DeviceIoControl.Type3InputBuffer = input;
    NTSTATUS final_status = STATUS_PENDING;
    IoSetCompletionRoutine(irp, keep_status, &final_status, TRUE, TRUE, TRUE);
    m_ioctl_irp = irp;
    (void)IoCallDriver(device, irp);
    m_ioctl_irp = nullptr;
    IoFreeIrp(irp);
    return final_status;
}

ntio::test::BugCheck VerifiedDriverTest::expect_stop(const std::function<void()>& body, ULONG code) {
    auto bc = ntio::test::catch_bugcheck(body);
    if (KeGetCurrentIrql() != PASSIVE_LEVEL) KeLowerIrql(PASSIVE_LEVEL);
    if (PIRP irp = m_ioctl_irp) {
        m_ioctl_irp = nullptr;
        IoFreeIrp(irp);
    }
    EXPECT_TRUE(bc.has_value()) << "no bugcheck";
    if (!bc) return {};
    EXPECT_EQ(bc->code, code) << std::hex << bc->code << " p1 " << bc->p1;
    m_check_leaks = false;
    return *bc;
}

void VerifiedDriverTest::unload() {
    (void)NtioUnloadDriver(m_driver);
    ObDereferenceObject(m_driver);
    m_driver = nullptr;
}

}  // namespace ntio::verifier::test
