// NT fact C6: IRP_MJ_CLEANUP is where a driver completes the IRPs it still holds for the file
// object being cleaned up; the I/O manager does not cancel them itself for a plain device. The
// driver here is written the WDK way: a cancel-safe queue of parked IOCTLs, drained in CLEANUP
// for the one file object with IoCsqRemoveNextIrp and a peek context.
#include <gtest/gtest.h>

#include <atomic>

#include "support/system_fixture.hpp"

#undef __try
#include <ntio/ntapi.h>
#include <ntio/ntio.h>

namespace {

constexpr ULONG kIoctlPark = CTL_CODE(FILE_DEVICE_UNKNOWN, 0x820, METHOD_BUFFERED, FILE_ANY_ACCESS);

struct Extension {
    IO_CSQ csq;
    KSPIN_LOCK lock;
    LIST_ENTRY queue;
};

std::atomic<bool> g_drain_in_cleanup{true};
std::atomic<int> g_cleanups{0};
std::atomic<int> g_closes{0};
std::atomic<int> g_cancel_seen_at_cleanup{0};  // parked IRPs with Irp->Cancel set when CLEANUP came
std::atomic<int> g_parked_at_cleanup{0};       // parked IRPs of the file object when CLEANUP came
PDEVICE_OBJECT g_device = nullptr;

Extension* extension_of(PIO_CSQ csq) { return CONTAINING_RECORD(csq, Extension, csq); }

VOID NTAPI csq_insert(PIO_CSQ csq, PIRP irp) { InsertTailList(&extension_of(csq)->queue, &irp->Tail.Overlay.ListEntry); }
VOID NTAPI csq_remove(PIO_CSQ, PIRP irp) { RemoveEntryList(&irp->Tail.Overlay.ListEntry); }

PIRP NTAPI csq_peek_next(PIO_CSQ csq, PIRP irp, PVOID peek_context)
{
    PLIST_ENTRY head = &extension_of(csq)->queue;
    for (PLIST_ENTRY e = irp ? irp->Tail.Overlay.ListEntry.Flink : head->Flink; e != head; e = e->Flink) {
        PIRP next = CONTAINING_RECORD(e, IRP, Tail.Overlay.ListEntry);
        if (!peek_context || IoGetCurrentIrpStackLocation(next)->FileObject == peek_context) return next;
    }
    return nullptr;
}

_IRQL_raises_(DISPATCH_LEVEL) VOID NTAPI csq_acquire(PIO_CSQ csq, PKIRQL irql)
{
    KeAcquireSpinLock(&extension_of(csq)->lock, irql);
}

_IRQL_requires_(DISPATCH_LEVEL) VOID NTAPI csq_release(PIO_CSQ csq, KIRQL irql)
{
    KeReleaseSpinLock(&extension_of(csq)->lock, irql);
}

VOID NTAPI csq_complete_canceled(PIO_CSQ, PIRP irp)
{
    irp->IoStatus.Status = STATUS_CANCELLED;
    irp->IoStatus.Information = 0;
    IoCompleteRequest(irp, IO_NO_INCREMENT);
}

NTSTATUS complete(PIRP irp, NTSTATUS status)
{
    irp->IoStatus.Status = status;
    irp->IoStatus.Information = 0;
    IoCompleteRequest(irp, IO_NO_INCREMENT);
    return status;
}

NTSTATUS NTAPI on_create(PDEVICE_OBJECT, PIRP irp) { return complete(irp, STATUS_SUCCESS); }

NTSTATUS NTAPI on_close(PDEVICE_OBJECT, PIRP irp)
{
    ++g_closes;
    return complete(irp, STATUS_SUCCESS);
}

NTSTATUS NTAPI on_ioctl(PDEVICE_OBJECT device, PIRP irp)
{
    if (IoGetCurrentIrpStackLocation(irp)->Parameters.DeviceIoControl.IoControlCode != kIoctlPark)
        return complete(irp, STATUS_INVALID_DEVICE_REQUEST);
    // IoCsqInsertIrp marks the IRP pending (NT fact B9).
    IoCsqInsertIrp(&static_cast<Extension*>(device->DeviceExtension)->csq, irp, nullptr);
    return STATUS_PENDING;
}

NTSTATUS NTAPI on_cleanup(PDEVICE_OBJECT device, PIRP irp)
{
    ++g_cleanups;
    auto* ext = static_cast<Extension*>(device->DeviceExtension);
    PFILE_OBJECT file = IoGetCurrentIrpStackLocation(irp)->FileObject;
    {
        KIRQL irql;
        KeAcquireSpinLock(&ext->lock, &irql);
        for (PIRP parked = csq_peek_next(&ext->csq, nullptr, file); parked;
             parked = csq_peek_next(&ext->csq, parked, file)) {
            ++g_parked_at_cleanup;
            if (parked->Cancel) ++g_cancel_seen_at_cleanup;
        }
        KeReleaseSpinLock(&ext->lock, irql);
    }
    if (g_drain_in_cleanup.load()) {
        while (PIRP parked = IoCsqRemoveNextIrp(&ext->csq, file)) complete(parked, STATUS_CANCELLED);
    }
    return complete(irp, STATUS_SUCCESS);
}

VOID NTAPI on_unload(PDRIVER_OBJECT) { IoDeleteDevice(g_device); }

NTSTATUS NTAPI cleanup_driver_entry(PDRIVER_OBJECT driver, PUNICODE_STRING)
{
    driver->MajorFunction[IRP_MJ_CREATE] = on_create;
    driver->MajorFunction[IRP_MJ_CLOSE] = on_close;
    driver->MajorFunction[IRP_MJ_CLEANUP] = on_cleanup;
    driver->MajorFunction[IRP_MJ_DEVICE_CONTROL] = on_ioctl;
    driver->DriverUnload = on_unload;
    UNICODE_STRING name;
    RtlInitUnicodeString(&name, L"\\Device\\CleanupQueue");
    NTSTATUS status = IoCreateDevice(driver, sizeof(Extension), &name, FILE_DEVICE_UNKNOWN, 0, FALSE, &g_device);
    if (!NT_SUCCESS(status)) return status;
    auto* ext = static_cast<Extension*>(g_device->DeviceExtension);
    KeInitializeSpinLock(&ext->lock);
    InitializeListHead(&ext->queue);
    status = IoCsqInitialize(&ext->csq, csq_insert, csq_remove, csq_peek_next, csq_acquire, csq_release,
                             csq_complete_canceled);
    if (!NT_SUCCESS(status)) IoDeleteDevice(g_device);
    return status;
}

class CleanupTest : public ntio::test::SystemTest {
protected:
    void SetUp() override
    {
        SystemTest::SetUp();
        g_drain_in_cleanup = true;
        g_cleanups = 0;
        g_closes = 0;
        g_cancel_seen_at_cleanup = 0;
        g_parked_at_cleanup = 0;
        UNICODE_STRING service;
        RtlInitUnicodeString(&service, L"CleanupQueue");
        ASSERT_EQ(NtioCreateDriver(&service, cleanup_driver_entry, &m_driver), STATUS_SUCCESS);
    }

    void TearDown() override
    {
        if (m_driver) {
            EXPECT_EQ(NtioUnloadDriver(m_driver), STATUS_SUCCESS);
            ObDereferenceObject(m_driver);
        }
        SystemTest::TearDown();
    }

    // An asynchronous handle (no FILE_SYNCHRONOUS_IO_*): requests can stay pending.
    static HANDLE open()
    {
        UNICODE_STRING name;
        RtlInitUnicodeString(&name, L"\\Device\\CleanupQueue");
        OBJECT_ATTRIBUTES oa;
        InitializeObjectAttributes(&oa, &name, OBJ_CASE_INSENSITIVE, nullptr, nullptr);
        IO_STATUS_BLOCK iosb{};
        HANDLE h = nullptr;
        EXPECT_EQ(NtCreateFile(&h, FILE_READ_DATA | FILE_WRITE_DATA, &oa, &iosb, nullptr, 0, 0, FILE_OPEN, 0, nullptr, 0),
                  STATUS_SUCCESS);
        return h;
    }

    static HANDLE event()
    {
        HANDLE e = nullptr;
        EXPECT_EQ(NtCreateEvent(&e, EVENT_ALL_ACCESS, nullptr, NotificationEvent, FALSE), STATUS_SUCCESS);
        return e;
    }

    static NTSTATUS park(HANDLE file, HANDLE event, IO_STATUS_BLOCK* iosb)
    {
        return NtDeviceIoControlFile(file, event, nullptr, nullptr, iosb, kIoctlPark, nullptr, 0, nullptr, 0);
    }

    static bool signalled(HANDLE event)
    {
        LARGE_INTEGER zero{};
        return NtWaitForSingleObject(event, FALSE, &zero) == STATUS_SUCCESS;
    }

    PDRIVER_OBJECT m_driver = nullptr;
};

// NT fact C6: the last close sends CLEANUP with the file's parked IRPs neither cancelled nor
// completed; the driver completes them there with STATUS_CANCELLED. Another file object's IRP is
// untouched; CLOSE follows once the drained IRPs released the file object.
TEST_F(CleanupTest, cleanup_finds_parked_irps_uncancelled_and_the_driver_completes_them)
{
    HANDLE a = open(), b = open();
    HANDLE ea = event(), ea2 = event(), eb = event();
    IO_STATUS_BLOCK ia{}, ia2{}, ib{};
    ia.Status = ia2.Status = ib.Status = 0x1234;
    ASSERT_EQ(park(a, ea, &ia), STATUS_PENDING);
    ASSERT_EQ(park(a, ea2, &ia2), STATUS_PENDING);
    ASSERT_EQ(park(b, eb, &ib), STATUS_PENDING);

    EXPECT_EQ(NtClose(a), STATUS_SUCCESS);
    EXPECT_EQ(g_cleanups.load(), 1);
    EXPECT_EQ(g_parked_at_cleanup.load(), 2);
    EXPECT_EQ(g_cancel_seen_at_cleanup.load(), 0);  // the I/O manager cancelled nothing
    EXPECT_TRUE(signalled(ea));
    EXPECT_TRUE(signalled(ea2));
    EXPECT_EQ(ia.Status, STATUS_CANCELLED);
    EXPECT_EQ(ia2.Status, STATUS_CANCELLED);
    EXPECT_EQ(g_closes.load(), 1);                  // the drained IRPs no longer hold file a

    EXPECT_FALSE(signalled(eb));                    // file b's IRP stays parked
    EXPECT_EQ(ib.Status, 0x1234);
    EXPECT_EQ(NtClose(b), STATUS_SUCCESS);
    EXPECT_TRUE(signalled(eb));
    EXPECT_EQ(ib.Status, STATUS_CANCELLED);
    EXPECT_EQ(g_closes.load(), 2);
    for (HANDLE e : {ea, ea2, eb}) EXPECT_EQ(NtClose(e), STATUS_SUCCESS);
}

// NT fact C6, the other half: a driver that does not drain in CLEANUP keeps its IRP pending after
// the last handle closed (nothing cancels it), and the IRP's reference holds the file object, so
// CLOSE waits for its completion. IoCancelIrp still works on it afterwards.
TEST_F(CleanupTest, without_a_drain_the_irp_outlives_the_handle_and_close_waits_for_it)
{
    g_drain_in_cleanup = false;
    HANDLE a = open();
    HANDLE ea = event();
    IO_STATUS_BLOCK ia{};
    ia.Status = 0x1234;
    ASSERT_EQ(park(a, ea, &ia), STATUS_PENDING);
    EXPECT_EQ(NtClose(a), STATUS_SUCCESS);
    EXPECT_EQ(g_cleanups.load(), 1);
    EXPECT_EQ(g_cancel_seen_at_cleanup.load(), 0);
    EXPECT_FALSE(signalled(ea));
    EXPECT_EQ(ia.Status, 0x1234);
    EXPECT_EQ(g_closes.load(), 0);

    // The driver (or anyone holding the IRP) may still cancel it; the queue's cancel routine
    // completes it with STATUS_CANCELLED, and the file object's CLOSE follows.
    auto* ext = static_cast<Extension*>(g_device->DeviceExtension);
    PIRP parked = nullptr;
    {
        KIRQL irql;
        KeAcquireSpinLock(&ext->lock, &irql);
        parked = csq_peek_next(&ext->csq, nullptr, nullptr);
        KeReleaseSpinLock(&ext->lock, irql);
    }
    ASSERT_NE(parked, nullptr);
    EXPECT_TRUE(IoCancelIrp(parked));
    EXPECT_TRUE(signalled(ea));
    EXPECT_EQ(ia.Status, STATUS_CANCELLED);
    EXPECT_EQ(g_closes.load(), 1);
    EXPECT_EQ(NtClose(ea), STATUS_SUCCESS);
}

}  // namespace
