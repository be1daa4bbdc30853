// FsRtlProcessFileLock as a file system's IRP_MJ_LOCK_CONTROL dispatch uses it, through a small
// hand-made "file system" device whose one file keeps its FILE_LOCK in a global FCB: lock IRPs
// granted, refused, parked pending until an unlock lets them in, cancelled, released at cleanup;
// reads and writes checked with FsRtlCheckLockFor*Access; the CompleteLockIrpRoutine contract.
#include "unit/fsrtl/file_lock_test_support.hpp"

#include <memory>
#include <vector>

namespace ntio::fsrtl::test {
namespace {

struct Fcb {
    FILE_LOCK lock;
};
Fcb g_fcb;

// The test file system's dispatch: lock control goes to FsRtl, reads and writes are refused on a
// lock conflict (STATUS_FILE_LOCK_CONFLICT) and otherwise "transfer" their length.
NTSTATUS NTAPI fs_dispatch(PDEVICE_OBJECT, PIRP irp) {
    PIO_STACK_LOCATION sp = IoGetCurrentIrpStackLocation(irp);
    NTSTATUS status = STATUS_SUCCESS;
    ULONG_PTR information = 0;
    switch (sp->MajorFunction) {
    case IRP_MJ_LOCK_CONTROL: return FsRtlProcessFileLock(&g_fcb.lock, irp, nullptr);
    case IRP_MJ_READ:
        if (!FsRtlCheckLockForReadAccess(&g_fcb.lock, irp)) status = STATUS_FILE_LOCK_CONFLICT;
        else information = sp->Parameters.Read.Length;
        break;
    case IRP_MJ_WRITE:
        if (!FsRtlCheckLockForWriteAccess(&g_fcb.lock, irp)) status = STATUS_FILE_LOCK_CONFLICT;
        else information = sp->Parameters.Write.Length;
        break;
    default: status = STATUS_INVALID_DEVICE_REQUEST; break;
    }
    irp->IoStatus.Status = status;
    irp->IoStatus.Information = information;
    IoCompleteRequest(irp, IO_NO_INCREMENT);
    return status;
}

// One request sent to the file system; its completion routine keeps the IRP for the test to free.
struct Request {
    PIRP irp = nullptr;
    bool completed = false;
    IO_STATUS_BLOCK iosb{};
    NTSTATUS returned = STATUS_UNSUCCESSFUL;
    LARGE_INTEGER length{};
};

NTSTATUS NTAPI keep_irp(PDEVICE_OBJECT, PIRP irp, PVOID context) {
    auto* r = static_cast<Request*>(context);
    r->iosb = irp->IoStatus;
    r->completed = true;
    return STATUS_MORE_PROCESSING_REQUIRED;
}

class LockIrpTest : public ntio::test::SystemTest {
protected:
    void SetUp() override {
        SystemTest::SetUp();
        for (auto& f : m_driver.MajorFunction) f = fs_dispatch;
        m_device.Type = IO_TYPE_DEVICE;
        m_device.DriverObject = &m_driver;
        m_device.StackSize = 1;
        FsRtlInitializeFileLock(&g_fcb.lock, nullptr, nullptr);
    }
    void TearDown() override {
        FsRtlUninitializeFileLock(&g_fcb.lock);
        for (auto& r : m_requests) {
            EXPECT_TRUE(r->completed) << "a request never completed";
            if (r->completed) IoFreeIrp(r->irp);
        }
        SystemTest::TearDown();
    }

    Request& send(PFILE_OBJECT file, UCHAR major, UCHAR minor, LONGLONG offset, LONGLONG length, ULONG key = 0,
                  UCHAR flags = 0) {
        m_requests.push_back(std::make_unique<Request>());
        Request& r = *m_requests.back();
        r.irp = IoAllocateIrp(1, FALSE);
        PIO_STACK_LOCATION sp = IoGetNextIrpStackLocation(r.irp);
        sp->MajorFunction = major;
        sp->MinorFunction = minor;
        sp->Flags = flags;
        sp->FileObject = file;
        r.length.QuadPart = length;
        if (major == IRP_MJ_LOCK_CONTROL) {
            sp->Parameters.LockControl.ByteOffset.QuadPart = offset;
            sp->Parameters.LockControl.Length = &r.length;
            sp->Parameters.LockControl.Key = key;
        } else {
            sp->Parameters.Read.ByteOffset.QuadPart = offset;
            sp->Parameters.Read.Length = static_cast<ULONG>(length);
            sp->Parameters.Read.Key = key;
        }
        IoSetCompletionRoutine(r.irp, keep_irp, &r, TRUE, TRUE, TRUE);
        r.returned = IoCallDriver(&m_device, r.irp);
        return r;
    }
    Request& lock(PFILE_OBJECT file, LONGLONG offset, LONGLONG length, bool exclusive, bool fail_immediately) {
        return send(file, IRP_MJ_LOCK_CONTROL, IRP_MN_LOCK, offset, length, 0,
                    static_cast<UCHAR>((exclusive ? SL_EXCLUSIVE_LOCK : 0) | (fail_immediately ? SL_FAIL_IMMEDIATELY : 0)));
    }

    DRIVER_OBJECT m_driver{};
    DEVICE_OBJECT m_device{};
    FILE_OBJECT m_a{};
    FILE_OBJECT m_b{};
    std::vector<std::unique_ptr<Request>> m_requests;
};

// IRP_MN_LOCK: granted (STATUS_SUCCESS) or, with SL_FAIL_IMMEDIATELY, refused with
// STATUS_LOCK_NOT_GRANTED; either way the IRP is completed and the status returned.
TEST_F(LockIrpTest, lock_is_granted_or_refused_at_once)
{
    Request& first = lock(&m_a, 0, 100, true, true);
    EXPECT_EQ(first.returned, STATUS_SUCCESS);
    EXPECT_TRUE(first.completed);
    EXPECT_EQ(first.iosb.Status, STATUS_SUCCESS);
    EXPECT_EQ(first.iosb.Information, 0u);
    Request& second = lock(&m_b, 50, 1, false, true);
    EXPECT_EQ(second.returned, STATUS_LOCK_NOT_GRANTED);
    EXPECT_TRUE(second.completed);
    EXPECT_EQ(second.iosb.Status, STATUS_LOCK_NOT_GRANTED);
    Request& past_end = lock(&m_b, -1, 2, false, true);
    EXPECT_EQ(past_end.iosb.Status, STATUS_INVALID_LOCK_RANGE);
}

// Reads and writes of the file system check the IRP's range for the IRP's file object.
TEST_F(LockIrpTest, reads_and_writes_are_checked_against_the_locks)
{
    ASSERT_EQ(lock(&m_a, 0, 100, true, true).returned, STATUS_SUCCESS);
    EXPECT_EQ(send(&m_a, IRP_MJ_READ, 0, 10, 10).iosb.Status, STATUS_SUCCESS);
    EXPECT_EQ(send(&m_b, IRP_MJ_READ, 0, 90, 20).iosb.Status, STATUS_FILE_LOCK_CONFLICT);
    EXPECT_EQ(send(&m_b, IRP_MJ_WRITE, 0, 100, 20).iosb.Information, 20u);
    ASSERT_EQ(lock(&m_b, 200, 10, false, true).returned, STATUS_SUCCESS);
    EXPECT_EQ(send(&m_b, IRP_MJ_WRITE, 0, 205, 1).iosb.Status, STATUS_FILE_LOCK_CONFLICT);
    EXPECT_EQ(send(&m_a, IRP_MJ_READ, 0, 205, 1).iosb.Status, STATUS_SUCCESS);
}

// A lock that may wait is parked: STATUS_PENDING, the IRP marked pending and not completed; the
// unlock that removes the conflict grants it and completes it.
TEST_F(LockIrpTest, waiting_lock_is_granted_when_the_conflict_goes)
{
    ASSERT_EQ(lock(&m_a, 0, 100, true, true).returned, STATUS_SUCCESS);
    Request& waiting = lock(&m_b, 10, 10, true, false);
    EXPECT_EQ(waiting.returned, STATUS_PENDING);
    EXPECT_FALSE(waiting.completed);
    EXPECT_TRUE(IoGetCurrentIrpStackLocation(waiting.irp)->Control & SL_PENDING_RETURNED);
    EXPECT_TRUE(FsRtlAreThereCurrentOrInProgressFileLocks(&g_fcb.lock));
    Request& wrong = send(&m_a, IRP_MJ_LOCK_CONTROL, IRP_MN_UNLOCK_SINGLE, 0, 99);
    EXPECT_EQ(wrong.returned, STATUS_RANGE_NOT_LOCKED);
    EXPECT_FALSE(waiting.completed);
    Request& unlock = send(&m_a, IRP_MJ_LOCK_CONTROL, IRP_MN_UNLOCK_SINGLE, 0, 100);
    EXPECT_EQ(unlock.returned, STATUS_SUCCESS);
    EXPECT_EQ(unlock.iosb.Status, STATUS_SUCCESS);
    ASSERT_TRUE(waiting.completed);
    EXPECT_EQ(waiting.iosb.Status, STATUS_SUCCESS);
    EXPECT_EQ(send(&m_a, IRP_MJ_READ, 0, 15, 1).iosb.Status, STATUS_FILE_LOCK_CONFLICT) << "b holds it now";
}

// Waiters are granted oldest first, and a waiter granted counts against the ones behind it.
TEST_F(LockIrpTest, waiters_are_granted_in_order)
{
    ASSERT_EQ(lock(&m_a, 0, 10, true, true).returned, STATUS_SUCCESS);
    Request& first = lock(&m_b, 0, 10, true, false);
    Request& second = lock(&m_b, 5, 1, true, false);
    Request& shared = lock(&m_b, 20, 1, false, true);
    EXPECT_EQ(shared.returned, STATUS_SUCCESS);
    EXPECT_EQ(send(&m_a, IRP_MJ_LOCK_CONTROL, IRP_MN_UNLOCK_ALL, 0, 0).returned, STATUS_SUCCESS);
    EXPECT_TRUE(first.completed);
    EXPECT_FALSE(second.completed) << "overlaps the lock just granted to the first";
    EXPECT_EQ(send(&m_b, IRP_MJ_LOCK_CONTROL, IRP_MN_UNLOCK_SINGLE, 0, 10).returned, STATUS_SUCCESS);
    EXPECT_TRUE(second.completed);
    EXPECT_EQ(second.iosb.Status, STATUS_SUCCESS);
}

// A waiting lock IRP is cancellable: IoCancelIrp completes it with STATUS_CANCELLED and it never
// gets the lock.
TEST_F(LockIrpTest, waiting_lock_can_be_cancelled)
{
    ASSERT_EQ(lock(&m_a, 0, 100, true, true).returned, STATUS_SUCCESS);
    Request& waiting = lock(&m_b, 0, 1, false, false);
    ASSERT_EQ(waiting.returned, STATUS_PENDING);
    EXPECT_TRUE(IoCancelIrp(waiting.irp));
    ASSERT_TRUE(waiting.completed);
    EXPECT_EQ(waiting.iosb.Status, STATUS_CANCELLED);
    EXPECT_EQ(send(&m_a, IRP_MJ_LOCK_CONTROL, IRP_MN_UNLOCK_ALL, 0, 0).returned, STATUS_SUCCESS);
    EXPECT_FALSE(FsRtlAreThereCurrentOrInProgressFileLocks(&g_fcb.lock));
}

// A lock IRP cancelled before it reaches FsRtl is not left waiting.
TEST_F(LockIrpTest, lock_irp_cancelled_before_it_waits_completes_cancelled)
{
    ASSERT_EQ(lock(&m_a, 0, 100, true, true).returned, STATUS_SUCCESS);
    m_requests.push_back(std::make_unique<Request>());
    Request& r = *m_requests.back();
    r.irp = IoAllocateIrp(1, FALSE);
    PIO_STACK_LOCATION sp = IoGetNextIrpStackLocation(r.irp);
    sp->MajorFunction = IRP_MJ_LOCK_CONTROL;
    sp->MinorFunction = IRP_MN_LOCK;
    sp->FileObject = &m_b;
    r.length.QuadPart = 1;
    sp->Parameters.LockControl.Length = &r.length;
    IoSetCompletionRoutine(r.irp, keep_irp, &r, TRUE, TRUE, TRUE);
    EXPECT_FALSE(IoCancelIrp(r.irp));
    EXPECT_EQ(IoCallDriver(&m_device, r.irp), STATUS_PENDING);
    ASSERT_TRUE(r.completed);
    EXPECT_EQ(r.iosb.Status, STATUS_CANCELLED);
}

// IRP_MN_UNLOCK_ALL (sent at cleanup) also ends the file object's own waiting lock IRPs, with
// STATUS_RANGE_NOT_LOCKED, so the handle's last IRPs do not outlive it.
TEST_F(LockIrpTest, unlock_all_ends_the_file_objects_waiting_locks)
{
    ASSERT_EQ(lock(&m_a, 0, 100, true, true).returned, STATUS_SUCCESS);
    Request& waiting = lock(&m_b, 0, 1, true, false);
    ASSERT_EQ(waiting.returned, STATUS_PENDING);
    EXPECT_EQ(send(&m_b, IRP_MJ_LOCK_CONTROL, IRP_MN_UNLOCK_ALL, 0, 0).returned, STATUS_SUCCESS);
    ASSERT_TRUE(waiting.completed);
    EXPECT_EQ(waiting.iosb.Status, STATUS_RANGE_NOT_LOCKED);
}

// IRP_MN_UNLOCK_ALL_BY_KEY releases the owner's locks with that key only.
TEST_F(LockIrpTest, unlock_all_by_key)
{
    ASSERT_EQ(send(&m_a, IRP_MJ_LOCK_CONTROL, IRP_MN_LOCK, 0, 10, 1, SL_EXCLUSIVE_LOCK | SL_FAIL_IMMEDIATELY).returned,
              STATUS_SUCCESS);
    ASSERT_EQ(send(&m_a, IRP_MJ_LOCK_CONTROL, IRP_MN_LOCK, 10, 10, 2, SL_EXCLUSIVE_LOCK | SL_FAIL_IMMEDIATELY).returned,
              STATUS_SUCCESS);
    EXPECT_EQ(send(&m_a, IRP_MJ_LOCK_CONTROL, IRP_MN_UNLOCK_ALL_BY_KEY, 0, 0, 2).returned, STATUS_SUCCESS);
    EXPECT_EQ(send(&m_b, IRP_MJ_READ, 0, 10, 10).iosb.Status, STATUS_SUCCESS);
    EXPECT_EQ(send(&m_b, IRP_MJ_READ, 0, 0, 10).iosb.Status, STATUS_FILE_LOCK_CONFLICT);
}

// An unknown minor function is completed with STATUS_INVALID_DEVICE_REQUEST.
TEST_F(LockIrpTest, unknown_minor_function_is_invalid)
{
    Request& r = send(&m_a, IRP_MJ_LOCK_CONTROL, 0x7f, 0, 1);
    EXPECT_EQ(r.returned, STATUS_INVALID_DEVICE_REQUEST);
    EXPECT_EQ(r.iosb.Status, STATUS_INVALID_DEVICE_REQUEST);
}

// FsRtlUninitializeFileLock ends the lock IRPs still waiting with STATUS_RANGE_NOT_LOCKED.
TEST_F(LockIrpTest, uninitialize_ends_waiting_locks)
{
    ASSERT_EQ(lock(&m_a, 0, 100, true, true).returned, STATUS_SUCCESS);
    Request& waiting = lock(&m_b, 0, 1, true, false);
    ASSERT_EQ(waiting.returned, STATUS_PENDING);
    FsRtlUninitializeFileLock(&g_fcb.lock);
    ASSERT_TRUE(waiting.completed);
    EXPECT_EQ(waiting.iosb.Status, STATUS_RANGE_NOT_LOCKED);
    FsRtlInitializeFileLock(&g_fcb.lock, nullptr, nullptr);
}

// The CompleteLockIrpRoutine completes every lock IRP in FsRtl's place, with the Context given to
// FsRtlProcessFileLock; a failure it returns takes back the lock the IRP was granted.
struct Completer {
    int calls = 0;
    PVOID context = nullptr;
    NTSTATUS seen = STATUS_UNSUCCESSFUL;
    NTSTATUS result = STATUS_SUCCESS;
};
Completer g_completer;

NTSTATUS NTAPI complete_lock(PVOID context, PIRP irp) {
    ++g_completer.calls;
    g_completer.context = context;
    g_completer.seen = irp->IoStatus.Status;
    IoCompleteRequest(irp, IO_NO_INCREMENT);
    return g_completer.result;
}

NTSTATUS NTAPI fs_dispatch_with_context(PDEVICE_OBJECT device, PIRP irp) {
    if (IoGetCurrentIrpStackLocation(irp)->MajorFunction == IRP_MJ_LOCK_CONTROL)
        return FsRtlProcessFileLock(&g_fcb.lock, irp, reinterpret_cast<PVOID>(0x77));
    return fs_dispatch(device, irp);
}

TEST_F(LockIrpTest, complete_lock_irp_routine_completes_and_can_refuse)
{
    g_completer = {};
    FsRtlUninitializeFileLock(&g_fcb.lock);
    FsRtlInitializeFileLock(&g_fcb.lock, complete_lock, nullptr);
    for (auto& f : m_driver.MajorFunction) f = fs_dispatch_with_context;
    Request& granted = lock(&m_a, 0, 10, true, true);
    EXPECT_TRUE(granted.completed);
    EXPECT_EQ(g_completer.calls, 1);
    EXPECT_EQ(g_completer.context, reinterpret_cast<PVOID>(0x77));
    EXPECT_EQ(g_completer.seen, STATUS_SUCCESS);

    g_completer.result = STATUS_UNSUCCESSFUL;
    Request& refused = lock(&m_a, 20, 10, true, true);
    EXPECT_TRUE(refused.completed);
    EXPECT_EQ(g_completer.calls, 2);
    EXPECT_EQ(send(&m_b, IRP_MJ_WRITE, 0, 20, 10).iosb.Status, STATUS_SUCCESS) << "the refused lock was taken back";
    EXPECT_EQ(send(&m_b, IRP_MJ_WRITE, 0, 0, 10).iosb.Status, STATUS_FILE_LOCK_CONFLICT);
    g_completer.result = STATUS_SUCCESS;
    Request& unlock = send(&m_a, IRP_MJ_LOCK_CONTROL, IRP_MN_UNLOCK_SINGLE, 0, 10);
    EXPECT_EQ(unlock.returned, STATUS_SUCCESS);
    EXPECT_EQ(g_completer.calls, 3);
}

}  // namespace
}  // namespace ntio::fsrtl::test
