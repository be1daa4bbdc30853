// IoBuild*Request: the IRPs they build (NT facts A7, A8, A10, J2), the final stage they get (IOSB,
// event, buffered copy-back, MDL release; B2, E4) and the thread-exit cancellation of a pended
// threaded IRP.
#include "unit/io/irp/irp_test_support.hpp"

#include <ntio/ntio.h>

#include "io/irp.hpp"
#include "ke/kernel.hpp"
#include "ntio/system.hpp"

namespace ntio::io::test {
namespace {

struct Parked {
    PIRP irp = nullptr;
    ULONG control = 0;
    PVOID system_buffer = nullptr;
    PMDL mdl = nullptr;
    PVOID user_buffer = nullptr;
    PVOID type3 = nullptr;
};
Parked g_parked;

NTSTATUS NTAPI park_dispatch(PDEVICE_OBJECT, PIRP irp) {
    g_parked.irp = irp;
    g_parked.system_buffer = irp->AssociatedIrp.SystemBuffer;
    g_parked.mdl = irp->MdlAddress;
    g_parked.user_buffer = irp->UserBuffer;
    g_parked.type3 = IoGetCurrentIrpStackLocation(irp)->Parameters.DeviceIoControl.Type3InputBuffer;
    IoMarkIrpPending(irp);
    return STATUS_PENDING;
}

class IrpBuildTest : public ntio::test::SystemTest {
protected:
    void SetUp() override {
        SystemTest::SetUp();
        g_parked = Parked{};
        KeInitializeEvent(&m_event, NotificationEvent, FALSE);
    }
    FakeDevice m_dev{park_dispatch, 1};
    KEVENT m_event;
    IO_STATUS_BLOCK m_iosb{};
};

TEST_F(IrpBuildTest, AsynchronousFsdRequestHeader) {
    // NT fact A7
    m_iosb.Status = 0x77;
    m_iosb.Information = 0x88;
    PIRP irp = IoBuildAsynchronousFsdRequest(IRP_MJ_FLUSH_BUFFERS, &m_dev.device, nullptr, 0, nullptr, &m_iosb);
    ASSERT_NE(irp, nullptr);
    EXPECT_EQ(irp->UserIosb, &m_iosb);
    EXPECT_FALSE(irp->Cancel);
    EXPECT_EQ(irp->CancelRoutine, nullptr);
    EXPECT_EQ(irp->UserEvent, nullptr);
    EXPECT_EQ(irp->CurrentLocation, m_dev.device.StackSize + 1);
    EXPECT_EQ(irp->Tail.Overlay.Thread, PsGetCurrentThread());
    EXPECT_EQ(irp->IoStatus.Status, 0);
    EXPECT_EQ(irp->IoStatus.Information, 0u);
    EXPECT_EQ(m_iosb.Status, 0x77);
    PIO_STACK_LOCATION next = IoGetNextIrpStackLocation(irp);
    EXPECT_EQ(next->MajorFunction, IRP_MJ_FLUSH_BUFFERS);
    EXPECT_EQ(next->DeviceObject, nullptr);
    EXPECT_EQ(next->FileObject, nullptr);
    EXPECT_EQ(next->CompletionRoutine, nullptr);
    IoFreeIrp(irp);
}

TEST_F(IrpBuildTest, SynchronousFsdRequestSignalsItsEventOnlyAtCompletion) {
    // NT facts A8, B1, B2
    PIRP irp = IoBuildSynchronousFsdRequest(IRP_MJ_FLUSH_BUFFERS, &m_dev.device, nullptr, 0, nullptr, &m_event, &m_iosb);
    ASSERT_NE(irp, nullptr);
    EXPECT_EQ(irp->UserEvent, &m_event);
    EXPECT_EQ(thread_irp_count(PsGetCurrentThread()), 1u);
    EXPECT_EQ(IoCallDriver(&m_dev.device, irp), STATUS_PENDING);
    EXPECT_EQ(KeReadStateEvent(&m_event), 0);
    EXPECT_EQ(m_iosb.Information, 0u);
    irp->IoStatus.Status = STATUS_SUCCESS;
    irp->IoStatus.Information = 123;
    IoCompleteRequest(irp, IO_NO_INCREMENT);
    EXPECT_NE(KeReadStateEvent(&m_event), 0);
    EXPECT_EQ(m_iosb.Status, STATUS_SUCCESS);
    EXPECT_EQ(m_iosb.Information, 123u);
    EXPECT_EQ(thread_irp_count(PsGetCurrentThread()), 0u);
    EXPECT_EQ(NtioIrpCount(), 0u);
}

TEST_F(IrpBuildTest, SynchronousErrorWithoutPendingLeavesIosbAndEvent) {
    // NT fact E5 without a file object: a non-pended error tells nobody.
    m_dev.driver.MajorFunction[IRP_MJ_FLUSH_BUFFERS] = [](PDEVICE_OBJECT, PIRP irp) -> NTSTATUS {
        irp->IoStatus.Status = STATUS_INVALID_DEVICE_REQUEST;
        IoCompleteRequest(irp, IO_NO_INCREMENT);
        return STATUS_INVALID_DEVICE_REQUEST;
    };
    m_iosb.Status = 0x55;
    PIRP irp = IoBuildSynchronousFsdRequest(IRP_MJ_FLUSH_BUFFERS, &m_dev.device, nullptr, 0, nullptr, &m_event, &m_iosb);
    ASSERT_NE(irp, nullptr);
    EXPECT_EQ(IoCallDriver(&m_dev.device, irp), STATUS_INVALID_DEVICE_REQUEST);
    EXPECT_EQ(m_iosb.Status, 0x55);
    EXPECT_EQ(KeReadStateEvent(&m_event), 0);
    EXPECT_EQ(NtioIrpCount(), 0u);
}

TEST_F(IrpBuildTest, BufferedReadCopiesBackExactlyInformationBytes) {
    // NT facts E4, E10 through a DO_BUFFERED_IO device.
    m_dev.device.Flags |= DO_BUFFERED_IO;
    char user[6];
    std::memcpy(user, "abcdef", 6);
    LARGE_INTEGER offset{};
    PIRP irp = IoBuildSynchronousFsdRequest(IRP_MJ_READ, &m_dev.device, user, 6, &offset, &m_event, &m_iosb);
    ASSERT_NE(irp, nullptr);
    EXPECT_EQ(IoCallDriver(&m_dev.device, irp), STATUS_PENDING);
    ASSERT_NE(g_parked.system_buffer, nullptr);
    EXPECT_NE(g_parked.system_buffer, static_cast<PVOID>(user));
    std::memcpy(g_parked.system_buffer, "ghijkl", 6);
    irp->IoStatus.Status = STATUS_SUCCESS;
    irp->IoStatus.Information = 3;
    IoCompleteRequest(irp, IO_NO_INCREMENT);
    EXPECT_EQ(std::memcmp(user, "ghidef", 6), 0);
    EXPECT_EQ(m_iosb.Information, 3u);
}

TEST_F(IrpBuildTest, VerifyRequiredWritesIosbButSkipsCopyBack) {
    // NT fact E10
    m_dev.device.Flags |= DO_BUFFERED_IO;
    char user[6];
    std::memcpy(user, "abcdef", 6);
    PIRP irp = IoBuildSynchronousFsdRequest(IRP_MJ_READ, &m_dev.device, user, 6, nullptr, &m_event, &m_iosb);
    ASSERT_NE(irp, nullptr);
    EXPECT_EQ(IoCallDriver(&m_dev.device, irp), STATUS_PENDING);
    std::memcpy(g_parked.system_buffer, "ghijkl", 6);
    irp->IoStatus.Status = STATUS_VERIFY_REQUIRED;
    irp->IoStatus.Information = 3;
    IoCompleteRequest(irp, IO_NO_INCREMENT);
    EXPECT_EQ(std::memcmp(user, "abcdef", 6), 0);
    EXPECT_EQ(m_iosb.Status, STATUS_VERIFY_REQUIRED);
    EXPECT_NE(KeReadStateEvent(&m_event), 0);
}

TEST_F(IrpBuildTest, BufferedIoctlUsesOneSystemBufferOfTheLargerSize) {
    // NT fact J2, METHOD_BUFFERED
    const ULONG code = CTL_CODE(FILE_DEVICE_UNKNOWN, 0x800, METHOD_BUFFERED, FILE_ANY_ACCESS);
    char in[4] = {'w', 'x', 'y', 'z'};
    char out[100];
    std::memset(out, '.', sizeof(out));
    PIRP irp = IoBuildDeviceIoControlRequest(code, &m_dev.device, in, 4, out, 100, FALSE, &m_event, &m_iosb);
    ASSERT_NE(irp, nullptr);
    EXPECT_EQ(IoGetNextIrpStackLocation(irp)->MajorFunction, IRP_MJ_DEVICE_CONTROL);
    EXPECT_EQ(IoCallDriver(&m_dev.device, irp), STATUS_PENDING);
    ASSERT_NE(g_parked.system_buffer, nullptr);
    EXPECT_EQ(std::memcmp(g_parked.system_buffer, "wxyz", 4), 0);
    std::memset(g_parked.system_buffer, 'Q', 100);
    irp->IoStatus.Status = STATUS_SUCCESS;
    irp->IoStatus.Information = 38;
    IoCompleteRequest(irp, IO_NO_INCREMENT);
    EXPECT_EQ(out[37], 'Q');
    EXPECT_EQ(out[38], '.');
}

TEST_F(IrpBuildTest, BufferedIoctlErrorCopiesNothing) {
    // NT fact E4
    const ULONG code = CTL_CODE(FILE_DEVICE_UNKNOWN, 0x801, METHOD_BUFFERED, FILE_ANY_ACCESS);
    char out[6];
    std::memcpy(out, "abcdef", 6);
    PIRP irp = IoBuildDeviceIoControlRequest(code, &m_dev.device, nullptr, 0, out, 6, TRUE, &m_event, &m_iosb);
    ASSERT_NE(irp, nullptr);
    EXPECT_EQ(IoGetNextIrpStackLocation(irp)->MajorFunction, IRP_MJ_INTERNAL_DEVICE_CONTROL);
    EXPECT_EQ(IoCallDriver(&m_dev.device, irp), STATUS_PENDING);
    std::memcpy(g_parked.system_buffer, "ghijkl", 6);
    irp->IoStatus.Status = STATUS_UNSUCCESSFUL;
    irp->IoStatus.Information = 3;
    IoCompleteRequest(irp, IO_NO_INCREMENT);
    EXPECT_EQ(std::memcmp(out, "abcdef", 6), 0);
    // Pended error without a file object: the IOSB and the event report it.
    EXPECT_EQ(m_iosb.Status, STATUS_UNSUCCESSFUL);
}

TEST_F(IrpBuildTest, DirectIoctlDescribesTheOutputWithALockedMdl) {
    // NT fact J2, METHOD_OUT_DIRECT; the final stage unlocks and frees the MDL.
    const ULONG code = CTL_CODE(FILE_DEVICE_UNKNOWN, 0x802, METHOD_OUT_DIRECT, FILE_ANY_ACCESS);
    char in[3] = {'a', 'b', 'c'};
    static char out[64];
    PIRP irp = IoBuildDeviceIoControlRequest(code, &m_dev.device, in, 3, out, 64, FALSE, &m_event, &m_iosb);
    ASSERT_NE(irp, nullptr);
    EXPECT_EQ(IoCallDriver(&m_dev.device, irp), STATUS_PENDING);
    ASSERT_NE(g_parked.mdl, nullptr);
    EXPECT_EQ(MmGetMdlByteCount(g_parked.mdl), 64u);
    EXPECT_TRUE(g_parked.mdl->MdlFlags & MDL_PAGES_LOCKED);
    EXPECT_EQ(NtioMdlCount(), 1u);
    ASSERT_NE(g_parked.system_buffer, nullptr);
    EXPECT_EQ(std::memcmp(g_parked.system_buffer, "abc", 3), 0);
    irp->IoStatus.Status = STATUS_SUCCESS;
    IoCompleteRequest(irp, IO_NO_INCREMENT);
    EXPECT_EQ(NtioMdlCount(), 0u);
}

TEST_F(IrpBuildTest, NeitherIoctlPassesRawPointers) {
    // NT fact J2, METHOD_NEITHER
    const ULONG code = CTL_CODE(FILE_DEVICE_UNKNOWN, 0x803, METHOD_NEITHER, FILE_ANY_ACCESS);
    char in[3];
    char out[3];
    PIRP irp = IoBuildDeviceIoControlRequest(code, &m_dev.device, in, 3, out, 3, FALSE, &m_event, &m_iosb);
    ASSERT_NE(irp, nullptr);
    EXPECT_EQ(IoCallDriver(&m_dev.device, irp), STATUS_PENDING);
    EXPECT_EQ(g_parked.type3, static_cast<PVOID>(in));
    EXPECT_EQ(g_parked.user_buffer, static_cast<PVOID>(out));
    EXPECT_EQ(g_parked.system_buffer, nullptr);
    irp->IoStatus.Status = STATUS_SUCCESS;
    IoCompleteRequest(irp, IO_NO_INCREMENT);
}

// ---- Thread exit cancels the thread's IRPs ----

struct ExitCase {
    PDEVICE_OBJECT device;
    KEVENT done;
    IO_STATUS_BLOCK iosb;
    NTSTATUS call_status;
    int cancel_calls;
};

VOID NTAPI exit_cancel_routine(PDEVICE_OBJECT, PIRP irp) {
    IoReleaseCancelSpinLock(irp->CancelIrql);
    auto* c = static_cast<ExitCase*>(irp->Tail.Overlay.DriverContext[0]);
    ++c->cancel_calls;
    irp->IoStatus.Status = STATUS_CANCELLED;
    irp->IoStatus.Information = 0;
    IoCompleteRequest(irp, IO_NO_INCREMENT);
}

NTSTATUS NTAPI pend_cancellable(PDEVICE_OBJECT, PIRP irp) {
    IoMarkIrpPending(irp);
    (void)IoSetCancelRoutine(irp, exit_cancel_routine);
    return STATUS_PENDING;
}

VOID NTAPI issue_and_exit(PVOID context) {
    auto* c = static_cast<ExitCase*>(context);
    const ULONG code = CTL_CODE(FILE_DEVICE_UNKNOWN, 0x900, METHOD_NEITHER, FILE_ANY_ACCESS);
    PIRP irp = IoBuildDeviceIoControlRequest(code, c->device, nullptr, 0, nullptr, 0, FALSE, &c->done, &c->iosb);
    irp->Tail.Overlay.DriverContext[0] = c;
    c->call_status = IoCallDriver(c->device, irp);
    // Returning terminates the thread with the IRP still pending.
}

TEST_F(IrpBuildTest, ThreadExitCancelsItsPendedIrps) {
    // Until the I/O manager installs the rundown at boot, make sure this System's kernel has it.
    register_thread_irp_rundown(system().kernel());
    FakeDevice dev{pend_cancellable, 1};
    ExitCase c{};
    c.device = &dev.device;
    KeInitializeEvent(&c.done, NotificationEvent, FALSE);
    c.iosb.Status = 0x1111;
    HANDLE thread = nullptr;
    ASSERT_EQ(PsCreateSystemThread(&thread, THREAD_ALL_ACCESS, nullptr, nullptr, nullptr, issue_and_exit, &c),
              STATUS_SUCCESS);
    ASSERT_EQ(ZwWaitForSingleObject(thread, FALSE, nullptr), STATUS_SUCCESS);
    EXPECT_EQ(ZwClose(thread), STATUS_SUCCESS);
    EXPECT_EQ(c.call_status, STATUS_PENDING);
    EXPECT_EQ(c.cancel_calls, 1);
    EXPECT_NE(KeReadStateEvent(&c.done), 0);
    EXPECT_EQ(c.iosb.Status, STATUS_CANCELLED);
    EXPECT_EQ(NtioIrpCount(), 0u);
}

}  // namespace
}  // namespace ntio::io::test
