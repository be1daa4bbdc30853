// The NT-surface twins of facts first tested only through <windows.h>, on the IoSignal WDM test
// driver: the IOSB of an IOCTL completed STATUS_DELETE_PENDING by surprise removal (NT fact D11), an
// asynchronous read that pends at end of file (I6), and the current-process pseudo handle given to
// NtReadFile / NtWriteFile (I7).
#include "conformance/nt/nt_test_support.hpp"
// After nt_test_support.hpp: its standard headers must come before <wdm.h>'s SEH macros.
#include "conformance/io_signalling/io_signalling_driver.hpp"

namespace ntio::test::io_signalling {
namespace {

constexpr NTSTATUS kFill = static_cast<NTSTATUS>(0xdeadbeef);
constexpr ULONG_PTR kFillInformation = 0x5555;

IO_STATUS_BLOCK filled() {
    IO_STATUS_BLOCK iosb{};
    iosb.Status = kFill;
    iosb.Information = kFillInformation;
    return iosb;
}
bool untouched(const IO_STATUS_BLOCK& iosb) { return iosb.Status == kFill && iosb.Information == kFillInformation; }

// NT fact D11 (NT form): the pending IOCTL that surprise removal completes with
// STATUS_DELETE_PENDING has IOSB {STATUS_DELETE_PENDING, 0} (a pended error is written, E5) and its
// event set; later requests fail at once with STATUS_DELETE_PENDING, their IOSB untouched.
TEST_F(IoSignalTest, ioctl_completed_delete_pending_by_surprise_removal_writes_the_iosb) {
    Handle h(open_device());
    Handle event(make_event(NotificationEvent, FALSE));
    IO_STATUS_BLOCK iosb = filled();
    ASSERT_EQ(NtDeviceIoControlFile(h, event, nullptr, nullptr, &iosb, kIoctlPark, nullptr, 0, nullptr, 0),
              STATUS_PENDING);
    ASSERT_TRUE(wait_parked(1));
    Handle control(open_device(FILE_SYNCHRONOUS_IO_NONALERT));
    IO_STATUS_BLOCK sync{};
    ASSERT_EQ(NtDeviceIoControlFile(control, nullptr, nullptr, nullptr, &sync, kIoctlSurpriseRemove, nullptr, 0,
                                    nullptr, 0),
              STATUS_SUCCESS);
    EXPECT_EQ(iosb.Status, STATUS_DELETE_PENDING);
    EXPECT_EQ(iosb.Information, 0u);
    EXPECT_EQ(event_state(event), 1);

    IO_STATUS_BLOCK later = filled();
    EXPECT_EQ(NtDeviceIoControlFile(control, nullptr, nullptr, nullptr, &later, kIoctlPark, nullptr, 0, nullptr, 0),
              STATUS_DELETE_PENDING);
    EXPECT_TRUE(untouched(later)) << "NT fact E2: a non-pending error leaves the IOSB alone";
}

// NT fact I6 (NT form): an asynchronous read at end of file that the device pends returns
// STATUS_PENDING and completes with IOSB {STATUS_END_OF_FILE, 0}; with no event, the file object is
// what gets signalled.
TEST_F(IoSignalTest, asynchronous_read_pending_at_end_of_file_completes_end_of_file_and_signals_the_file) {
    g_state.park_reads = true;
    Handle h(open_device());
    IO_STATUS_BLOCK iosb = filled();
    char buffer[4];
    LARGE_INTEGER offset;
    offset.QuadPart = kFileSize;
    ASSERT_EQ(NtReadFile(h, nullptr, nullptr, nullptr, &iosb, buffer, sizeof(buffer), &offset, nullptr),
              STATUS_PENDING);
    ASSERT_TRUE(wait_parked(1));
    LARGE_INTEGER zero = zero_timeout();
    EXPECT_EQ(NtWaitForSingleObject(h, FALSE, &zero), STATUS_TIMEOUT) << "submission reset the file";
    EXPECT_TRUE(untouched(iosb));
    ASSERT_TRUE(complete_one(STATUS_END_OF_FILE, 0));
    EXPECT_EQ(NtWaitForSingleObject(h, FALSE, &zero), STATUS_SUCCESS);
    EXPECT_EQ(iosb.Status, STATUS_END_OF_FILE);
    EXPECT_EQ(iosb.Information, 0u);
}

// NT fact I7 (NT form): INVALID_HANDLE_VALUE is NtCurrentProcess(); as a file handle it is
// STATUS_OBJECT_TYPE_MISMATCH for NtReadFile and NtWriteFile, the IOSB untouched and the event not
// reset.
TEST_F(IoSignalTest, read_and_write_on_the_process_pseudo_handle_are_type_mismatch) {
    Handle event(make_event(NotificationEvent, TRUE));
    IO_STATUS_BLOCK iosb = filled();
    char buffer[4] = {};
    LARGE_INTEGER offset{};
    EXPECT_EQ(NtReadFile(INVALID_HANDLE_VALUE, event, nullptr, nullptr, &iosb, buffer, sizeof(buffer), &offset,
                         nullptr),
              STATUS_OBJECT_TYPE_MISMATCH);
    EXPECT_EQ(NtWriteFile(INVALID_HANDLE_VALUE, event, nullptr, nullptr, &iosb, buffer, sizeof(buffer), &offset,
                          nullptr),
              STATUS_OBJECT_TYPE_MISMATCH);
    EXPECT_EQ(NtReadFile(NtCurrentThread(), event, nullptr, nullptr, &iosb, buffer, sizeof(buffer), &offset, nullptr),
              STATUS_OBJECT_TYPE_MISMATCH);
    EXPECT_TRUE(untouched(iosb));
    EXPECT_EQ(event_state(event), 1);
}

}  // namespace
}  // namespace ntio::test::io_signalling
