// Nonthreaded IRPs the way a driver uses them: IoBuildAsynchronousFsdRequest sent down a two-layer
// stack, the creator's completion routine taking the result, releasing the MDL and freeing the IRP
// (STATUS_MORE_PROCESSING_REQUIRED, so the I/O manager never touches it again), whether the lower
// driver completes at once or later from another thread. Such an IRP is on no thread's list: its
// sender's exit does not cancel it.
// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-iobuildasynchronousfsdrequest
// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-iofreeirp ("IoFreeIrp does not
// free any MDLs that might be attached to the IRP. The driver that frees the IRP must explicitly free
// these MDLs.")
#include "unit/io/irp/irp_test_support.hpp"

#include <atomic>
#include <thread>

#include <ntio/ntio.h>

namespace ntio::io::test {
namespace nonthreaded {

constexpr ULONG kLength = 1024;

// The lower (disk-like, DO_DIRECT_IO) driver: fills the MDL's buffer with the offset's low byte, at
// once or later (`g_pend`: parked for the test's "hardware" thread).
std::atomic<bool> g_pend{false};
std::atomic<PIRP> g_parked{nullptr};

void fill_and_complete(PIRP irp) {
    PIO_STACK_LOCATION sp = IoGetCurrentIrpStackLocation(irp);
    auto* data = static_cast<UCHAR*>(MmGetSystemAddressForMdlSafe(irp->MdlAddress, NormalPagePriority));
    std::memset(data, static_cast<int>(sp->Parameters.Read.ByteOffset.LowPart & 0xFF), sp->Parameters.Read.Length);
    irp->IoStatus.Status = STATUS_SUCCESS;
    irp->IoStatus.Information = sp->Parameters.Read.Length;
    IoCompleteRequest(irp, IO_NO_INCREMENT);
}

NTSTATUS NTAPI lower_read(PDEVICE_OBJECT, PIRP irp) {
    if (!irp->MdlAddress) {
        irp->IoStatus.Status = STATUS_INVALID_PARAMETER;
        IoCompleteRequest(irp, IO_NO_INCREMENT);
        return STATUS_INVALID_PARAMETER;
    }
    if (g_pend.load()) {
        IoMarkIrpPending(irp);
        g_parked.store(irp);
        return STATUS_PENDING;
    }
    fill_and_complete(irp);
    return STATUS_SUCCESS;
}

// The filter: copies its location down with a completion routine that propagates the pending bit.
PDEVICE_OBJECT g_lower = nullptr;
std::atomic<int> g_filter_completions{0};

NTSTATUS NTAPI filter_completion(PDEVICE_OBJECT, PIRP irp, PVOID) {
    if (irp->PendingReturned) IoMarkIrpPending(irp);
    g_filter_completions.fetch_add(1);
    return STATUS_CONTINUE_COMPLETION;
}

NTSTATUS NTAPI filter_read(PDEVICE_OBJECT, PIRP irp) {
    IoCopyCurrentIrpStackLocationToNext(irp);
    IoSetCompletionRoutine(irp, filter_completion, nullptr, TRUE, TRUE, TRUE);
    return IoCallDriver(g_lower, irp);
}

// The creator: the completion routine of the IRP it built.
struct Creator {
    IO_STATUS_BLOCK result{};
    KEVENT done;
    std::atomic<int> calls{0};
};

NTSTATUS NTAPI creator_completion(PDEVICE_OBJECT device, PIRP irp, PVOID context) {
    auto* creator = static_cast<Creator*>(context);
    EXPECT_EQ(device, nullptr);  // the creator has no stack location of its own
    creator->result = irp->IoStatus;
    if (PMDL mdl = irp->MdlAddress) {
        irp->MdlAddress = nullptr;
        MmUnlockPages(mdl);
        IoFreeMdl(mdl);
    }
    IoFreeIrp(irp);
    creator->calls.fetch_add(1);
    KeSetEvent(&creator->done, IO_NO_INCREMENT, FALSE);
    return STATUS_MORE_PROCESSING_REQUIRED;
}

class NonthreadedIrpTest : public ntio::test::SystemTest {
protected:
    void SetUp() override {
        SystemTest::SetUp();
        g_pend = false;
        g_parked = nullptr;
        g_filter_completions = 0;
        g_lower = &m_lower.device;
        m_filter.device.StackSize = 2;
        KeInitializeEvent(&m_creator.done, NotificationEvent, FALSE);
        m_buffer.assign(kLength, 0xEE);
    }
    // Builds the read at `offset` and sends it to the filter; returns IoCallDriver's status.
    NTSTATUS send(ULONG offset, IO_STATUS_BLOCK* iosb) {
        LARGE_INTEGER start;
        start.QuadPart = offset;
        PIRP irp = IoBuildAsynchronousFsdRequest(IRP_MJ_READ, &m_filter.device, m_buffer.data(), kLength, &start, iosb);
        EXPECT_NE(irp, nullptr);
        if (!irp) return STATUS_INSUFFICIENT_RESOURCES;
        EXPECT_NE(irp->MdlAddress, nullptr);  // the filter's device is DO_DIRECT_IO
        IoSetCompletionRoutine(irp, creator_completion, &m_creator, TRUE, TRUE, TRUE);
        return IoCallDriver(&m_filter.device, irp);
    }
    FakeDevice m_lower{lower_read, 1, DO_DIRECT_IO};
    FakeDevice m_filter{filter_read, 2, DO_DIRECT_IO};
    Creator m_creator;
    std::vector<UCHAR> m_buffer;
};

TEST_F(NonthreadedIrpTest, the_creator_frees_the_irp_and_its_mdl_in_its_completion_routine) {
    IO_STATUS_BLOCK iosb{};
    iosb.Status = 0x1234;
    EXPECT_EQ(send(0x4A, &iosb), STATUS_SUCCESS);
    EXPECT_EQ(m_creator.calls.load(), 1);
    EXPECT_EQ(g_filter_completions.load(), 1);
    EXPECT_EQ(m_creator.result.Status, STATUS_SUCCESS);
    EXPECT_EQ(m_creator.result.Information, kLength);
    for (UCHAR byte : m_buffer) ASSERT_EQ(byte, 0x4A);
    // The routine kept the IRP from the final stage: the IOSB the build was given stays untouched.
    EXPECT_EQ(iosb.Status, 0x1234);
    EXPECT_EQ(NtioIrpCount(), 0u);
    EXPECT_EQ(NtioMdlCount(), 0u);
}

TEST_F(NonthreadedIrpTest, a_pended_request_completed_from_another_thread_reaches_the_creator_once) {
    g_pend = true;
    IO_STATUS_BLOCK iosb{};
    EXPECT_EQ(send(0x21, &iosb), STATUS_PENDING);  // the filter returns the lower driver's status
    EXPECT_EQ(m_creator.calls.load(), 0);
    PIRP irp = g_parked.load();
    ASSERT_NE(irp, nullptr);
    std::thread hardware([irp] { fill_and_complete(irp); });
    hardware.join();
    LARGE_INTEGER bound;
    bound.QuadPart = -60LL * 10 * 1000 * 1000;  // a hang guard only
    ASSERT_EQ(KeWaitForSingleObject(&m_creator.done, Executive, KernelMode, FALSE, &bound), STATUS_SUCCESS);
    EXPECT_EQ(m_creator.calls.load(), 1);
    EXPECT_EQ(m_creator.result.Status, STATUS_SUCCESS);
    for (UCHAR byte : m_buffer) ASSERT_EQ(byte, 0x21);
    EXPECT_EQ(NtioIrpCount(), 0u);
    EXPECT_EQ(NtioMdlCount(), 0u);
}

// The sender: a system thread that builds and sends one pended read, then exits.
struct Sender {
    NonthreadedIrpTest* test;
    PDEVICE_OBJECT filter;
    PVOID buffer;
    Creator* creator;
    NTSTATUS status = STATUS_UNSUCCESSFUL;
};

VOID NTAPI send_and_exit(PVOID context) {
    auto* s = static_cast<Sender*>(context);
    LARGE_INTEGER start;
    start.QuadPart = 0x33;
    PIRP irp = IoBuildAsynchronousFsdRequest(IRP_MJ_READ, s->filter, s->buffer, kLength, &start, nullptr);
    if (!irp) return;
    IoSetCompletionRoutine(irp, creator_completion, s->creator, TRUE, TRUE, TRUE);
    s->status = IoCallDriver(s->filter, irp);
}

TEST_F(NonthreadedIrpTest, the_senders_exit_does_not_cancel_it) {
    g_pend = true;
    Sender sender{this, &m_filter.device, m_buffer.data(), &m_creator};
    HANDLE thread = nullptr;
    ASSERT_EQ(PsCreateSystemThread(&thread, THREAD_ALL_ACCESS, nullptr, nullptr, nullptr, send_and_exit, &sender),
              STATUS_SUCCESS);
    ASSERT_EQ(ZwWaitForSingleObject(thread, FALSE, nullptr), STATUS_SUCCESS);
    ZwClose(thread);
    EXPECT_EQ(sender.status, STATUS_PENDING);
    PIRP irp = g_parked.load();
    ASSERT_NE(irp, nullptr);
    EXPECT_FALSE(irp->Cancel);  // not on the thread's list: its exit left it alone
    EXPECT_EQ(m_creator.calls.load(), 0);
    fill_and_complete(irp);
    EXPECT_EQ(m_creator.calls.load(), 1);
    EXPECT_EQ(m_creator.result.Status, STATUS_SUCCESS);
    for (UCHAR byte : m_buffer) ASSERT_EQ(byte, 0x33);
    EXPECT_EQ(NtioIrpCount(), 0u);
}

}  // namespace nonthreaded
}  // namespace ntio::io::test
