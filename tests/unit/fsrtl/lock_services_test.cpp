// Byte-range locks end to end: a WDK-style test file system whose IRP_MJ_LOCK_CONTROL goes to
// FsRtlProcessFileLock, whose reads check FsRtlCheckLockForReadAccess and whose cleanup calls
// FsRtlFastUnlockAll, driven through NtLockFile, NtUnlockFile, NtReadFile, NtCancelIoFile and
// NtClose on two handles of one file (two file objects: two owners, LockFileEx remarks).
#include <gtest/gtest.h>

#include "support/driver_fixture.hpp"

#include <ntifs.h>
#include <ntio/ntapi.h>
#include <ntio/ntio.h>

namespace ntio::fsrtl::test {
namespace {

// The test file system: one file, one FILE_LOCK (a real one keeps it in the FCB).
FILE_LOCK g_file_lock;

NTSTATUS complete(PIRP irp, NTSTATUS status, ULONG_PTR information = 0) {
    irp->IoStatus.Status = status;
    irp->IoStatus.Information = information;
    IoCompleteRequest(irp, IO_NO_INCREMENT);
    return status;
}

NTSTATUS NTAPI lockfs_dispatch(PDEVICE_OBJECT, PIRP irp) {
    PIO_STACK_LOCATION sp = IoGetCurrentIrpStackLocation(irp);
    switch (sp->MajorFunction) {
    case IRP_MJ_LOCK_CONTROL: return FsRtlProcessFileLock(&g_file_lock, irp, nullptr);
    case IRP_MJ_READ:
        if (!FsRtlCheckLockForReadAccess(&g_file_lock, irp)) return complete(irp, STATUS_FILE_LOCK_CONFLICT);
        return complete(irp, STATUS_SUCCESS, sp->Parameters.Read.Length);
    case IRP_MJ_WRITE:
        if (!FsRtlCheckLockForWriteAccess(&g_file_lock, irp)) return complete(irp, STATUS_FILE_LOCK_CONFLICT);
        return complete(irp, STATUS_SUCCESS, sp->Parameters.Write.Length);
    case IRP_MJ_CLEANUP:
        // The handle's locks go with it (IRP_MJ_CLEANUP on Microsoft Learn).
        if (sp->FileObject->LockOperation)
            (void)FsRtlFastUnlockAll(&g_file_lock, sp->FileObject, IoGetRequestorProcess(irp), nullptr);
        return complete(irp, STATUS_SUCCESS);
    default: return complete(irp, STATUS_SUCCESS);
    }
}

VOID NTAPI lockfs_unload(PDRIVER_OBJECT driver) {
    UNICODE_STRING link;
    RtlInitUnicodeString(&link, L"\\DosDevices\\FsRtlLockTest");
    (void)IoDeleteSymbolicLink(&link);
    FsRtlUninitializeFileLock(&g_file_lock);
    if (driver->DeviceObject) IoDeleteDevice(driver->DeviceObject);
}

NTSTATUS NTAPI lockfs_entry(PDRIVER_OBJECT driver, PUNICODE_STRING) {
    UNICODE_STRING name, link;
    RtlInitUnicodeString(&name, L"\\Device\\FsRtlLockTest");
    RtlInitUnicodeString(&link, L"\\DosDevices\\FsRtlLockTest");
    PDEVICE_OBJECT device = nullptr;
    NTSTATUS status = IoCreateDevice(driver, 0, &name, FILE_DEVICE_DISK_FILE_SYSTEM, 0, FALSE, &device);
    if (!NT_SUCCESS(status)) return status;
    FsRtlInitializeFileLock(&g_file_lock, nullptr, nullptr);
    for (auto& f : driver->MajorFunction) f = lockfs_dispatch;
    driver->DriverUnload = lockfs_unload;
    status = IoCreateSymbolicLink(&link, &name);
    if (!NT_SUCCESS(status)) lockfs_unload(driver);
    return status;
}

class LockServicesTest : public ntio::test::DriverTest {
protected:
    void SetUp() override {
        DriverTest::SetUp();
        ASSERT_EQ(create_driver(L"FsRtlLockTest", lockfs_entry), STATUS_SUCCESS);
    }

    HANDLE open(ULONG options) {
        UNICODE_STRING text;
        RtlInitUnicodeString(&text, L"\\??\\FsRtlLockTest");
        OBJECT_ATTRIBUTES oa;
        InitializeObjectAttributes(&oa, &text, OBJ_CASE_INSENSITIVE, nullptr, nullptr);
        IO_STATUS_BLOCK iosb{};
        HANDLE h = nullptr;
        EXPECT_EQ(NtCreateFile(&h, FILE_READ_DATA | FILE_WRITE_DATA | SYNCHRONIZE, &oa, &iosb, nullptr, 0,
                               FILE_SHARE_READ | FILE_SHARE_WRITE, FILE_OPEN, options, nullptr, 0),
                  STATUS_SUCCESS);
        return h;
    }
    HANDLE open_sync() { return open(FILE_SYNCHRONOUS_IO_NONALERT); }
    HANDLE open_async() { return open(0); }

    NTSTATUS lock(HANDLE h, LONGLONG offset, LONGLONG length, bool exclusive, IO_STATUS_BLOCK* iosb = nullptr,
                  HANDLE event = nullptr, bool fail_immediately = true) {
        LARGE_INTEGER off, len;
        off.QuadPart = offset;
        len.QuadPart = length;
        IO_STATUS_BLOCK local{};
        return NtLockFile(h, event, nullptr, nullptr, iosb ? iosb : &local, &off, &len, 0,
                          fail_immediately ? TRUE : FALSE, exclusive ? TRUE : FALSE);
    }
    NTSTATUS unlock(HANDLE h, LONGLONG offset, LONGLONG length) {
        LARGE_INTEGER off, len;
        off.QuadPart = offset;
        len.QuadPart = length;
        IO_STATUS_BLOCK iosb{};
        return NtUnlockFile(h, &iosb, &off, &len, 0);
    }
    NTSTATUS read(HANDLE h, LONGLONG offset, ULONG length) {
        char buffer[64];
        LARGE_INTEGER off;
        off.QuadPart = offset;
        IO_STATUS_BLOCK iosb{};
        return NtReadFile(h, nullptr, nullptr, nullptr, &iosb, buffer, length, &off, nullptr);
    }
    HANDLE create_event() {
        HANDLE event = nullptr;
        EXPECT_EQ(NtCreateEvent(&event, EVENT_ALL_ACCESS, nullptr, NotificationEvent, FALSE), STATUS_SUCCESS);
        return event;
    }
    bool signalled(HANDLE event) {
        LARGE_INTEGER zero{};
        return NtWaitForSingleObject(event, FALSE, &zero) == STATUS_SUCCESS;
    }
};

// LockFile / UnlockFile semantics on two handles: the lock holder reads, the other handle's read
// conflicts and its fail-immediately lock is refused; its unlock of a lock it does not hold is
// STATUS_RANGE_NOT_LOCKED; after the holder unlocks, everyone reads.
TEST_F(LockServicesTest, lock_read_and_unlock_through_the_services)
{
    HANDLE h1 = open_sync(), h2 = open_sync();
    EXPECT_EQ(lock(h1, 0, 32, true), STATUS_SUCCESS);
    EXPECT_EQ(read(h1, 0, 16), STATUS_SUCCESS);
    EXPECT_EQ(read(h2, 16, 16), STATUS_FILE_LOCK_CONFLICT);
    EXPECT_EQ(read(h2, 32, 16), STATUS_SUCCESS);
    EXPECT_EQ(lock(h2, 8, 1, false), STATUS_LOCK_NOT_GRANTED);
    EXPECT_EQ(unlock(h2, 0, 32), STATUS_RANGE_NOT_LOCKED);
    EXPECT_EQ(unlock(h1, 0, 16), STATUS_RANGE_NOT_LOCKED);
    EXPECT_EQ(unlock(h1, 0, 32), STATUS_SUCCESS);
    EXPECT_EQ(read(h2, 16, 16), STATUS_SUCCESS);
    EXPECT_EQ(NtClose(h1), STATUS_SUCCESS);
    EXPECT_EQ(NtClose(h2), STATUS_SUCCESS);
}

// LockFileEx without LOCKFILE_FAIL_IMMEDIATELY on an asynchronous handle: STATUS_PENDING, and the
// event is set with STATUS_SUCCESS in the IOSB when the holder unlocks.
TEST_F(LockServicesTest, waiting_lock_is_granted_on_unlock)
{
    HANDLE h1 = open_sync(), h2 = open_async();
    ASSERT_EQ(lock(h1, 0, 32, true), STATUS_SUCCESS);
    HANDLE event = create_event();
    IO_STATUS_BLOCK iosb{};
    iosb.Status = STATUS_UNSUCCESSFUL;
    ASSERT_EQ(lock(h2, 4, 4, true, &iosb, event, false), STATUS_PENDING);
    EXPECT_FALSE(signalled(event));
    EXPECT_EQ(unlock(h1, 0, 32), STATUS_SUCCESS);
    EXPECT_TRUE(signalled(event));
    EXPECT_EQ(iosb.Status, STATUS_SUCCESS);
    EXPECT_EQ(read(h1, 4, 1), STATUS_FILE_LOCK_CONFLICT) << "h2 holds it now";
    EXPECT_EQ(NtClose(event), STATUS_SUCCESS);
    EXPECT_EQ(NtClose(h1), STATUS_SUCCESS);
    EXPECT_EQ(NtClose(h2), STATUS_SUCCESS);
}

// Closing the holder's handle releases its locks at cleanup, which lets the waiter in.
TEST_F(LockServicesTest, closing_the_holder_grants_the_waiter)
{
    HANDLE h1 = open_sync(), h2 = open_async();
    ASSERT_EQ(lock(h1, 100, 1, false), STATUS_SUCCESS);
    HANDLE event = create_event();
    IO_STATUS_BLOCK iosb{};
    ASSERT_EQ(lock(h2, 0, 200, true, &iosb, event, false), STATUS_PENDING);
    EXPECT_EQ(NtClose(h1), STATUS_SUCCESS);
    EXPECT_TRUE(signalled(event));
    EXPECT_EQ(iosb.Status, STATUS_SUCCESS);
    EXPECT_EQ(NtClose(event), STATUS_SUCCESS);
    EXPECT_EQ(NtClose(h2), STATUS_SUCCESS);
}

// NtCancelIoFile ends a waiting lock with STATUS_CANCELLED; it never gets the range.
TEST_F(LockServicesTest, waiting_lock_is_cancelled_by_cancel_io)
{
    HANDLE h1 = open_sync(), h2 = open_async();
    ASSERT_EQ(lock(h1, 0, 1, true), STATUS_SUCCESS);
    HANDLE event = create_event();
    IO_STATUS_BLOCK iosb{};
    ASSERT_EQ(lock(h2, 0, 1, true, &iosb, event, false), STATUS_PENDING);
    IO_STATUS_BLOCK cancel{};
    EXPECT_EQ(NtCancelIoFile(h2, &cancel), STATUS_SUCCESS);
    EXPECT_TRUE(signalled(event));
    EXPECT_EQ(iosb.Status, STATUS_CANCELLED);
    EXPECT_EQ(unlock(h1, 0, 1), STATUS_SUCCESS);
    EXPECT_EQ(read(h1, 0, 1), STATUS_SUCCESS);
    EXPECT_EQ(unlock(h2, 0, 1), STATUS_RANGE_NOT_LOCKED);
    EXPECT_EQ(NtClose(event), STATUS_SUCCESS);
    EXPECT_EQ(NtClose(h1), STATUS_SUCCESS);
    EXPECT_EQ(NtClose(h2), STATUS_SUCCESS);
}

}  // namespace
}  // namespace ntio::fsrtl::test
