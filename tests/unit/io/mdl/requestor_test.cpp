// Requestor context of an IRP: the issuing thread's process (IoGetRequestorProcess and its id) and
// IoIsOperationSynchronous's documented rules, on hand-filled IRPs.
#include "support/system_fixture.hpp"

#include <wdm.h>
#include <ntifs.h>

namespace {

class RequestorTest : public ntio::test::SystemTest {
protected:
    // An IRP whose current stack location is m_stack.
    PIRP irp(UCHAR major, ULONG flags, PFILE_OBJECT file = nullptr) {
        m_irp = IRP{};
        m_stack = IO_STACK_LOCATION{};
        m_irp.Flags = flags;
        m_stack.MajorFunction = major;
        m_stack.FileObject = file;
        m_irp.Tail.Overlay.CurrentStackLocation = &m_stack;
        return &m_irp;
    }
    IRP m_irp{};
    IO_STACK_LOCATION m_stack{};
};

TEST_F(RequestorTest, RequestorIsTheIssuingThreadsProcess) {
    PIRP threaded = irp(IRP_MJ_READ, 0);
    EXPECT_EQ(IoGetRequestorProcess(threaded), nullptr);
    EXPECT_EQ(IoGetRequestorProcessId(threaded), 0u);
    threaded->Tail.Overlay.Thread = PsGetCurrentThread();
    EXPECT_EQ(IoGetRequestorProcess(threaded), IoGetCurrentProcess());
    EXPECT_EQ(IoGetRequestorProcessId(threaded),
              static_cast<ULONG>(reinterpret_cast<ULONG_PTR>(PsGetCurrentProcessId())));
    EXPECT_NE(IoGetRequestorProcessId(threaded), 0u);
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-iogetrequestorsessionid
TEST_F(RequestorTest, RequestorSessionIsTheIssuingProcessesSession) {
    PIRP threaded = irp(IRP_MJ_READ, 0);
    threaded->Tail.Overlay.Thread = PsGetCurrentThread();
    PACCESS_TOKEN token = PsReferencePrimaryToken(IoGetCurrentProcess());
    ASSERT_NE(token, nullptr);
    ULONG expected = 0xDEADBEEFu;
    ASSERT_EQ(SeQuerySessionIdToken(token, &expected), STATUS_SUCCESS);
    PsDereferencePrimaryToken(token);
    ULONG session = 0xDEADBEEFu;
    EXPECT_EQ(IoGetRequestorSessionId(threaded, &session), STATUS_SUCCESS);
    EXPECT_EQ(session, expected);
}

TEST_F(RequestorTest, RequestorSessionOfAnIrpWithoutThreadIsUnsuccessful) {
    ULONG session = 0;
    EXPECT_EQ(IoGetRequestorSessionId(irp(IRP_MJ_READ, 0), &session), STATUS_UNSUCCESSFUL);
    EXPECT_EQ(session, static_cast<ULONG>(-1));  // Learn: -1 when the call fails
    session = 0;
    EXPECT_EQ(IoGetRequestorSessionId(nullptr, &session), STATUS_UNSUCCESSFUL);
    EXPECT_EQ(session, static_cast<ULONG>(-1));
    EXPECT_EQ(IoGetRequestorSessionId(irp(IRP_MJ_READ, 0), nullptr), STATUS_INVALID_PARAMETER);
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-iothreadtoprocess
TEST_F(RequestorTest, ThreadToProcessIsTheThreadsProcess) {
    EXPECT_EQ(IoThreadToProcess(PsGetCurrentThread()), IoGetCurrentProcess());
    EXPECT_EQ(IoThreadToProcess(nullptr), nullptr);
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-iois32bitprocess
TEST_F(RequestorTest, NoProcessIsThirtyTwoBit) {
    EXPECT_FALSE(IoIs32bitProcess(nullptr));
    PIRP threaded = irp(IRP_MJ_DEVICE_CONTROL, 0);
    threaded->Tail.Overlay.Thread = PsGetCurrentThread();
    EXPECT_FALSE(IoIs32bitProcess(threaded));
    EXPECT_FALSE(IoIs32bitProcess(irp(IRP_MJ_DEVICE_CONTROL, 0)));  // no thread: still no 32-bit originator
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nf-ntddk-ioissystemthread
TEST_F(RequestorTest, SystemThreadsAreTheSystemsOwn) {
    EXPECT_FALSE(IoIsSystemThread(PsGetCurrentThread()));
    HANDLE handle = nullptr;
    struct Seen {
        KEVENT done;
        BOOLEAN system = FALSE;
    } seen;
    KeInitializeEvent(&seen.done, NotificationEvent, FALSE);
    ASSERT_EQ(PsCreateSystemThread(&handle, THREAD_ALL_ACCESS, nullptr, nullptr, nullptr,
                                   [](PVOID context) {
                                       auto* s = static_cast<Seen*>(context);
                                       s->system = IoIsSystemThread(PsGetCurrentThread());
                                       KeSetEvent(&s->done, IO_NO_INCREMENT, FALSE);
                                       PsTerminateSystemThread(STATUS_SUCCESS);
                                   },
                                   &seen),
              STATUS_SUCCESS);
    ASSERT_EQ(KeWaitForSingleObject(&seen.done, Executive, KernelMode, FALSE, nullptr), STATUS_SUCCESS);
    EXPECT_TRUE(seen.system);
    EXPECT_EQ(ZwWaitForSingleObject(handle, FALSE, nullptr), STATUS_SUCCESS);
    EXPECT_EQ(ZwClose(handle), STATUS_SUCCESS);
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-ioisoperationsynchronous
TEST_F(RequestorTest, OperationSynchronousFollowsTheDocumentedRules) {
    FILE_OBJECT sync_file{};
    sync_file.Flags = FO_SYNCHRONOUS_IO;
    FILE_OBJECT async_file{};

    EXPECT_FALSE(IoIsOperationSynchronous(irp(IRP_MJ_READ, 0, &async_file)));
    EXPECT_TRUE(IoIsOperationSynchronous(irp(IRP_MJ_READ, 0, &sync_file)));
    EXPECT_TRUE(IoIsOperationSynchronous(irp(IRP_MJ_QUERY_INFORMATION, IRP_SYNCHRONOUS_API, &async_file)));
    // Asynchronous paging I/O is asynchronous whatever else holds.
    EXPECT_FALSE(IoIsOperationSynchronous(irp(IRP_MJ_READ, IRP_PAGING_IO | IRP_SYNCHRONOUS_API, &sync_file)));
    EXPECT_TRUE(IoIsOperationSynchronous(irp(IRP_MJ_READ, IRP_PAGING_IO | IRP_SYNCHRONOUS_PAGING_IO, &async_file)));
    // No file object (an IRP a driver built): only the flags count.
    EXPECT_FALSE(IoIsOperationSynchronous(irp(IRP_MJ_WRITE, 0)));

    // METHOD_BUFFERED IOCTLs and FSCTLs count as synchronous even on an asynchronous file.
    PIRP ioctl = irp(IRP_MJ_DEVICE_CONTROL, 0, &async_file);
    m_stack.Parameters.DeviceIoControl.IoControlCode = CTL_CODE(FILE_DEVICE_UNKNOWN, 0x800, METHOD_BUFFERED, FILE_ANY_ACCESS);
    EXPECT_TRUE(IoIsOperationSynchronous(ioctl));
    m_stack.Parameters.DeviceIoControl.IoControlCode = CTL_CODE(FILE_DEVICE_UNKNOWN, 0x800, METHOD_NEITHER, FILE_ANY_ACCESS);
    EXPECT_FALSE(IoIsOperationSynchronous(ioctl));
    PIRP fsctl = irp(IRP_MJ_FILE_SYSTEM_CONTROL, 0, &async_file);
    m_stack.MinorFunction = IRP_MN_USER_FS_REQUEST;
    m_stack.Parameters.FileSystemControl.FsControlCode = CTL_CODE(FILE_DEVICE_FILE_SYSTEM, 1, METHOD_BUFFERED, FILE_ANY_ACCESS);
    EXPECT_TRUE(IoIsOperationSynchronous(fsctl));
    m_stack.Parameters.FileSystemControl.FsControlCode = CTL_CODE(FILE_DEVICE_FILE_SYSTEM, 1, METHOD_OUT_DIRECT, FILE_ANY_ACCESS);
    EXPECT_FALSE(IoIsOperationSynchronous(fsctl));
}

}  // namespace
