// "CleanupQueue": a WDK-style driver that parks every IOCTL in a cancel-safe queue and, in
// IRP_MJ_CLEANUP, completes the parked IRPs of the file being cleaned up with STATUS_CANCELLED
// (NT fact C6). Its "hardware" side, cleanup_queue_complete_next, finishes the oldest parked IRP
// with STATUS_SUCCESS. It counts what it sees so tests can check the order of events. The fixture
// loads it and opens asynchronous handles through NtCreateFile.
#pragma once

#include <gtest/gtest.h>

#include <atomic>

#include "support/driver_fixture.hpp"

#undef __try
#include <ntio/ntapi.h>
#include <ntio/ntio.h>

namespace ntio::io::test {

constexpr ULONG kIoctlPark = CTL_CODE(FILE_DEVICE_UNKNOWN, 0x820, METHOD_BUFFERED, FILE_ANY_ACCESS);

struct CleanupQueueState {
    std::atomic<bool> drain_in_cleanup{true};
    std::atomic<int> cleanups{0};
    std::atomic<int> closes{0};
    std::atomic<int> cancel_seen_at_cleanup{0};  // parked IRPs with Irp->Cancel set when CLEANUP came
    std::atomic<int> parked_at_cleanup{0};       // parked IRPs of the file object when CLEANUP came
    std::atomic<int> closes_with_irps_left{0};   // CLOSE while an IRP of the file was still parked
    std::atomic<int> refused_after_cleanup{0};   // IOCTLs that arrived after their file's CLEANUP
    PDEVICE_OBJECT device = nullptr;

    void reset();
};
extern CleanupQueueState g_cleanup_queue;

NTSTATUS NTAPI cleanup_queue_driver_entry(PDRIVER_OBJECT driver, PUNICODE_STRING registry_path);

// Completes the oldest parked IRP (of any file) with STATUS_SUCCESS; false when none was parked.
bool cleanup_queue_complete_next();

// The oldest parked IRP, still parked (for a test that cancels it), or NULL.
PIRP cleanup_queue_peek();

class CleanupQueueTest : public ntio::test::DriverTest {
protected:
    void SetUp() override
    {
        SystemTest::SetUp();
        g_cleanup_queue.reset();
        ASSERT_EQ(create_driver(L"CleanupQueue", cleanup_queue_driver_entry), STATUS_SUCCESS);
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

    static bool signalled(HANDLE event, LONGLONG timeout_100ns = 0)
    {
        LARGE_INTEGER timeout;
        timeout.QuadPart = -timeout_100ns;
        return NtWaitForSingleObject(event, FALSE, &timeout) == STATUS_SUCCESS;
    }
};

}  // namespace ntio::io::test
