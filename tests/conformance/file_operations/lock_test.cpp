// NtLockFile / NtUnlockFile through the test driver: the IRP_MJ_LOCK_CONTROL the driver receives,
// the access check, and what the caller is told on asynchronous and synchronous handles.
#include "conformance/file_operations/file_operations_test_driver.hpp"
#include "support/io_status.hpp"

namespace ntio::file_operations_test {
namespace {
using ntio::test::kUntouched;
using ntio::test::untouched;

// https://learn.microsoft.com/windows-hardware/drivers/ifs/irp-mj-lock-control: minor IRP_MN_LOCK,
// SL_FAIL_IMMEDIATELY / SL_EXCLUSIVE_LOCK in Flags, Length as a pointer, Key and ByteOffset. An
// asynchronous request the driver pends returns STATUS_PENDING with the IOSB untouched and the
// event reset; completion writes the IOSB and sets the event (NT facts B1, E5, E6).
TEST_F(FileOperationsTest, lock_file_sends_lock_control_with_length_key_offset_and_flags)
{
    HANDLE h = nullptr;
    ASSERT_EQ(open(L"\\??\\FoNeither", &h, FILE_READ_DATA | SYNCHRONIZE, 0), STATUS_SUCCESS);
    HANDLE event = create_event();
    g_state.pend = true;
    LARGE_INTEGER offset, length;
    offset.QuadPart = 0x123456789;
    length.QuadPart = 0x10;
    IO_STATUS_BLOCK iosb = kUntouched;
    EXPECT_EQ(NtLockFile(h, event, nullptr, nullptr, &iosb, &offset, &length, 77, TRUE, TRUE), STATUS_PENDING);
    EXPECT_TRUE(untouched(iosb));
    EXPECT_FALSE(signalled(event));
    std::vector<Record> records = g_state.take();
    ASSERT_EQ(records.size(), 1u);
    EXPECT_EQ(records[0].major, IRP_MJ_LOCK_CONTROL);
    EXPECT_EQ(records[0].minor, IRP_MN_LOCK);
    EXPECT_EQ(records[0].flags, SL_FAIL_IMMEDIATELY | SL_EXCLUSIVE_LOCK);
    EXPECT_EQ(records[0].lock_length, 0x10);
    EXPECT_EQ(records[0].key, 77u);
    EXPECT_EQ(records[0].offset, 0x123456789);
    EXPECT_EQ(records[0].requestor, UserMode);
    EXPECT_TRUE(records[0].lock_operation);
    g_state.complete_parked(STATUS_SUCCESS, 0);
    EXPECT_EQ(iosb.Status, STATUS_SUCCESS);
    EXPECT_EQ(iosb.Information, 0u);
    EXPECT_TRUE(signalled(event));

    // A shared, waiting lock carries no flags.
    g_state.pend = false;
    EXPECT_EQ(NtLockFile(h, nullptr, nullptr, nullptr, &iosb, &offset, &length, 0, FALSE, FALSE), STATUS_SUCCESS);
    records = g_state.take();
    ASSERT_EQ(records.size(), 1u);
    EXPECT_EQ(records[0].flags, 0);
    EXPECT_EQ(NtClose(event), STATUS_SUCCESS);
    EXPECT_EQ(NtClose(h), STATUS_SUCCESS);
}

// NtLockFile needs FILE_READ_DATA or FILE_WRITE_DATA on the handle; without, STATUS_ACCESS_DENIED
// before any IRP, IOSB untouched (NtLockFile on Microsoft Learn; NT fact E2).
TEST_F(FileOperationsTest, lock_file_without_data_access_is_denied_and_leaves_the_iosb)
{
    HANDLE h = nullptr;
    ASSERT_EQ(open(L"\\??\\FoNeither", &h, FILE_READ_ATTRIBUTES | SYNCHRONIZE, 0), STATUS_SUCCESS);
    LARGE_INTEGER offset{}, length;
    length.QuadPart = 1;
    IO_STATUS_BLOCK iosb = kUntouched;
    EXPECT_EQ(NtLockFile(h, nullptr, nullptr, nullptr, &iosb, &offset, &length, 0, TRUE, TRUE), STATUS_ACCESS_DENIED);
    EXPECT_EQ(NtUnlockFile(h, &iosb, &offset, &length, 0), STATUS_ACCESS_DENIED);
    EXPECT_TRUE(untouched(iosb));
    EXPECT_TRUE(g_state.take().empty());
    EXPECT_EQ(NtLockFile(nullptr, nullptr, nullptr, nullptr, &iosb, &offset, &length, 0, TRUE, TRUE), STATUS_INVALID_HANDLE);
    EXPECT_EQ(NtLockFile(h, nullptr, nullptr, nullptr, &iosb, nullptr, &length, 0, TRUE, TRUE), STATUS_ACCESS_VIOLATION);
    EXPECT_TRUE(untouched(iosb));
    EXPECT_EQ(NtClose(h), STATUS_SUCCESS);
}

// A lock refused synchronously (STATUS_LOCK_NOT_GRANTED, not pended) on an asynchronous handle:
// the call returns it, the IOSB stays untouched and the event stays reset (NT facts E5, E6).
TEST_F(FileOperationsTest, lock_not_granted_synchronously_leaves_iosb_and_resets_event)
{
    HANDLE h = nullptr;
    ASSERT_EQ(open(L"\\??\\FoNeither", &h, FILE_WRITE_DATA | SYNCHRONIZE, 0), STATUS_SUCCESS);
    HANDLE event = create_event();
    g_state.status = STATUS_LOCK_NOT_GRANTED;
    LARGE_INTEGER offset{}, length;
    length.QuadPart = 4;
    IO_STATUS_BLOCK iosb = kUntouched;
    EXPECT_EQ(NtLockFile(h, event, nullptr, nullptr, &iosb, &offset, &length, 0, TRUE, TRUE), STATUS_LOCK_NOT_GRANTED);
    EXPECT_TRUE(untouched(iosb));
    EXPECT_FALSE(signalled(event));
    EXPECT_EQ(NtClose(event), STATUS_SUCCESS);
    EXPECT_EQ(NtClose(h), STATUS_SUCCESS);
}

std::atomic<int> g_apc_calls{0};
PVOID g_apc_context = nullptr;
VOID NTAPI count_apc(PVOID context, PIO_STATUS_BLOCK, ULONG) {
    g_apc_context = context;
    ++g_apc_calls;
}

// A synchronous handle waits for a pended lock and returns the final status; an APC given with it
// runs only in an alertable wait (NT facts G1, E1).
TEST_F(FileOperationsTest, lock_on_sync_handle_waits_and_apc_runs_in_alertable_wait)
{
    HANDLE h = nullptr;
    ASSERT_EQ(open(L"\\??\\FoNeither", &h, FILE_READ_DATA | SYNCHRONIZE, FILE_SYNCHRONOUS_IO_NONALERT), STATUS_SUCCESS);
    g_apc_calls = 0;
    LARGE_INTEGER offset{}, length;
    length.QuadPart = 4;
    IO_STATUS_BLOCK iosb = kUntouched;
    EXPECT_EQ(NtLockFile(h, nullptr, count_apc, &iosb, &iosb, &offset, &length, 0, FALSE, TRUE), STATUS_SUCCESS);
    EXPECT_EQ(iosb.Status, STATUS_SUCCESS);
    EXPECT_EQ(g_apc_calls.load(), 0);
    LARGE_INTEGER zero{};
    EXPECT_EQ(NtDelayExecution(TRUE, &zero), STATUS_USER_APC);
    EXPECT_EQ(g_apc_calls.load(), 1);
    EXPECT_EQ(g_apc_context, &iosb);
    EXPECT_EQ(NtClose(h), STATUS_SUCCESS);
}

// NtUnlockFile has no event or APC: IRP_MN_UNLOCK_SINGLE, and an asynchronous handle waits for a
// pended unlock too (as NT fact E13 states for the other event-less services); the IOSB gets the
// final status.
TEST_F(FileOperationsTest, unlock_file_sends_unlock_single_and_blocks_on_async_handle)
{
    HANDLE h = nullptr;
    ASSERT_EQ(open(L"\\??\\FoNeither", &h, FILE_READ_DATA | SYNCHRONIZE, 0), STATUS_SUCCESS);
    LARGE_INTEGER offset, length;
    offset.QuadPart = 8;
    length.QuadPart = 24;
    g_state.pend = true;
    IO_STATUS_BLOCK iosb = kUntouched;
    std::thread completer([] {
        for (;;) {
            {
                std::lock_guard<std::mutex> guard(g_state.lock);
                if (!g_state.parked.empty()) break;
            }
            std::this_thread::yield();
        }
        g_state.complete_parked(STATUS_RANGE_NOT_LOCKED, 0);
    });
    EXPECT_EQ(NtUnlockFile(h, &iosb, &offset, &length, 5), STATUS_RANGE_NOT_LOCKED);
    completer.join();
    EXPECT_EQ(iosb.Status, STATUS_RANGE_NOT_LOCKED);
    std::vector<Record> records = g_state.take();
    ASSERT_EQ(records.size(), 1u);
    EXPECT_EQ(records[0].major, IRP_MJ_LOCK_CONTROL);
    EXPECT_EQ(records[0].minor, IRP_MN_UNLOCK_SINGLE);
    EXPECT_EQ(records[0].lock_length, 24);
    EXPECT_EQ(records[0].offset, 8);
    EXPECT_EQ(records[0].key, 5u);
    EXPECT_EQ(NtClose(h), STATUS_SUCCESS);
}

}  // namespace
}  // namespace ntio::file_operations_test
