// The oplocks of a layered file system (Windows 8): FsRtlUpperOplockFsctrl grants an oplock above only
// within the state of the layered file system's own oplock in the file system below, and
// FsRtlCheckUpperOplock brings the oplocks granted above down to a new lower state, holding the
// caller (blocked, or through its routines) while breaks wait for their acknowledgement.
// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-_fsrtl_advanced_fcb_header-fsrtlupperoplockfsctrl
// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-_fsrtl_advanced_fcb_header-fsrtlcheckupperoplock
#include "unit/fsrtl/oplock_test_fs.hpp"

#include <atomic>
#include <thread>

namespace ntio::fsrtl::oplock_test {
namespace {

using OplockUpperTest = OplockFsTest;

// What FsRtlCheckUpperOplock's routines were told.
struct UpperProbe {
    std::atomic<int> prepended{0};
    std::atomic<int> completed{0};
    std::atomic<bool> irp_was_null{true};
};

VOID NTAPI upper_prepend(PVOID context, PIRP irp) {
    auto* probe = static_cast<UpperProbe*>(context);
    if (irp) probe->irp_was_null = false;
    probe->prepended.fetch_add(1);
}

VOID NTAPI upper_complete(PVOID context, PIRP irp) {
    auto* probe = static_cast<UpperProbe*>(context);
    if (irp) probe->irp_was_null = false;
    probe->completed.fetch_add(1);
}

// Requests for more than the lower state are not granted; within it they are, Windows 7 and legacy.
TEST_F(OplockUpperTest, upper_fsctrl_grants_only_within_the_lower_state) {
    m_fs.lower_state = R | H;
    Request& rwh = win7(&m_a, R | W | H, REQUEST_OPLOCK_INPUT_FLAG_REQUEST);
    EXPECT_EQ(rwh.returned, STATUS_OPLOCK_NOT_GRANTED);
    EXPECT_EQ(fsctl(&m_a, FSCTL_REQUEST_OPLOCK_LEVEL_1).returned, STATUS_OPLOCK_NOT_GRANTED);
    EXPECT_EQ(fsctl(&m_a, FSCTL_REQUEST_BATCH_OPLOCK).returned, STATUS_OPLOCK_NOT_GRANTED);
    EXPECT_FALSE(FsRtlCurrentOplock(&m_fs.oplock));
    m_fs.open_count = 0;
    Request& rh = win7(&m_a, R | H, REQUEST_OPLOCK_INPUT_FLAG_REQUEST);
    EXPECT_EQ(rh.returned, STATUS_PENDING);
    EXPECT_TRUE(FsRtlCurrentOplockH(&m_fs.oplock));
    m_fs.lower_state = R;
    EXPECT_EQ(fsctl(&m_b, FSCTL_REQUEST_OPLOCK_LEVEL_2).returned, STATUS_PENDING);
    m_fs.lower_state = 0;
    EXPECT_EQ(win7(&m_c, R, REQUEST_OPLOCK_INPUT_FLAG_REQUEST).returned, STATUS_OPLOCK_NOT_GRANTED);
    (void)send(&m_a, IRP_MJ_CLEANUP);
    (void)send(&m_b, IRP_MJ_CLEANUP);
}

// Bad input: flags other than OPLOCK_FSCTRL_FLAG_ALL_KEYS_MATCH, state bits other than R, W and H,
// no OPLOCK or IRP.
TEST_F(OplockUpperTest, upper_fsctrl_bad_input) {
    Request& r = prepare(&m_a, IRP_MJ_FILE_SYSTEM_CONTROL, FSCTL_REQUEST_OPLOCK_LEVEL_1);
    IoSetNextIrpStackLocation(r.irp);  // as the file system's dispatch routine sees it
    EXPECT_EQ(FsRtlUpperOplockFsctrl(&m_fs.oplock, r.irp, 1, R | W | H, 2), STATUS_INVALID_PARAMETER);
    EXPECT_EQ(FsRtlUpperOplockFsctrl(&m_fs.oplock, r.irp, 1, 0x100, 0), STATUS_INVALID_PARAMETER);
    EXPECT_EQ(FsRtlUpperOplockFsctrl(nullptr, r.irp, 1, R | W | H, 0), STATUS_INVALID_PARAMETER);
    EXPECT_EQ(FsRtlUpperOplockFsctrl(&m_fs.oplock, nullptr, 1, R | W | H, 0), STATUS_INVALID_PARAMETER);
    EXPECT_FALSE(FsRtlCurrentOplock(&m_fs.oplock));
    r.irp->IoStatus.Status = STATUS_SUCCESS;
    IoCompleteRequest(r.irp, IO_NO_INCREMENT);
    EXPECT_EQ(FsRtlCheckUpperOplock(nullptr, R, nullptr, nullptr, nullptr, 0), STATUS_INVALID_PARAMETER);
    EXPECT_EQ(FsRtlCheckUpperOplock(&m_fs.oplock, R, nullptr, nullptr, nullptr, 1), STATUS_INVALID_PARAMETER);
    EXPECT_EQ(FsRtlCheckUpperOplock(&m_fs.oplock, 0x100, nullptr, nullptr, nullptr, 0), STATUS_INVALID_PARAMETER);
}

// The lower oplock loses W: the upper RWH breaks to RH with an acknowledgement required. With a
// CompletionRoutine the call returns STATUS_PENDING after PrePendRoutine; the routine runs when the
// owner acknowledges, both with a NULL IRP. A state that keeps everything breaks nothing.
TEST_F(OplockUpperTest, check_upper_breaks_to_the_new_lower_state_and_calls_back) {
    m_fs.lower_state = R | W | H;
    Request& rwh = win7(&m_a, R | W | H, REQUEST_OPLOCK_INPUT_FLAG_REQUEST);
    ASSERT_EQ(rwh.returned, STATUS_PENDING);
    UpperProbe probe;
    EXPECT_EQ(FsRtlCheckUpperOplock(&m_fs.oplock, R | W | H, &probe, upper_complete, upper_prepend, 0), STATUS_SUCCESS);
    EXPECT_FALSE(rwh.completed());
    EXPECT_EQ(probe.prepended.load(), 0);

    EXPECT_EQ(FsRtlCheckUpperOplock(&m_fs.oplock, R | H, &probe, upper_complete, upper_prepend, 0), STATUS_PENDING);
    EXPECT_EQ(probe.prepended.load(), 1);
    EXPECT_EQ(probe.completed.load(), 0);
    ASSERT_TRUE(rwh.completed());
    EXPECT_EQ(rwh.buffer.output.OriginalOplockLevel, R | W | H);
    EXPECT_EQ(rwh.buffer.output.NewOplockLevel, R | H);
    EXPECT_EQ(rwh.buffer.output.Flags, ULONG(REQUEST_OPLOCK_OUTPUT_FLAG_ACK_REQUIRED));
    // The owner acknowledges keeping RH, which the new lower state allows.
    m_fs.lower_state = R | H;
    Request& ack = win7(&m_a, R | H, REQUEST_OPLOCK_INPUT_FLAG_ACK);
    EXPECT_EQ(ack.returned, STATUS_PENDING);
    EXPECT_EQ(probe.completed.load(), 1);
    EXPECT_TRUE(probe.irp_was_null.load());
    EXPECT_TRUE(FsRtlCurrentOplockH(&m_fs.oplock));
    (void)send(&m_a, IRP_MJ_CLEANUP);
}

// Without a CompletionRoutine the caller blocks until the acknowledgement; an acknowledgement that
// would keep more than the lower state holds is not granted, and the break still ends.
TEST_F(OplockUpperTest, check_upper_without_a_routine_blocks_until_the_acknowledgement) {
    m_fs.lower_state = R | W | H;
    Request& batch = fsctl(&m_a, FSCTL_REQUEST_BATCH_OPLOCK);
    ASSERT_EQ(batch.returned, STATUS_PENDING);
    std::atomic<bool> returned{false};
    NTSTATUS status = STATUS_UNSUCCESSFUL;
    std::thread checker([&] {
        status = FsRtlCheckUpperOplock(&m_fs.oplock, R | W, nullptr, nullptr, nullptr, 0);
        returned = true;
    });
    while (!batch.completed()) std::this_thread::yield();
    EXPECT_EQ(batch.iosb.Information, ULONG_PTR(FILE_OPLOCK_BROKEN_TO_NONE));  // batch loses H: to none
    EXPECT_FALSE(returned.load());  // it cannot return before the acknowledgement below
    m_fs.lower_state = R | W;
    EXPECT_EQ(fsctl(&m_a, FSCTL_OPLOCK_BREAK_ACKNOWLEDGE).returned, STATUS_SUCCESS);
    checker.join();
    EXPECT_EQ(status, STATUS_SUCCESS);
    EXPECT_FALSE(FsRtlCurrentOplock(&m_fs.oplock));

    // Level 1 losing W goes to level 2; acknowledged where the lower state no longer holds R, the
    // level 2 it would keep is not granted.
    m_fs.lower_state = R | W | H;
    Request& level1 = fsctl(&m_b, FSCTL_REQUEST_OPLOCK_LEVEL_1);
    ASSERT_EQ(level1.returned, STATUS_PENDING);
    UpperProbe probe;
    EXPECT_EQ(FsRtlCheckUpperOplock(&m_fs.oplock, R, &probe, upper_complete, nullptr, 0), STATUS_PENDING);
    ASSERT_TRUE(level1.completed());
    EXPECT_EQ(level1.iosb.Information, ULONG_PTR(FILE_OPLOCK_BROKEN_TO_LEVEL_2));
    m_fs.lower_state = 0;
    EXPECT_EQ(fsctl(&m_b, FSCTL_OPLOCK_BREAK_ACKNOWLEDGE).returned, STATUS_OPLOCK_NOT_GRANTED);
    EXPECT_EQ(probe.completed.load(), 1);
    EXPECT_FALSE(FsRtlCurrentOplock(&m_fs.oplock));
}

// OPLOCK_UPPER_FLAG_CHECK_NO_BREAK: STATUS_CANNOT_BREAK_OPLOCK, nothing broken, when the new state
// would break an oplock; STATUS_SUCCESS when it would not.
TEST_F(OplockUpperTest, check_no_break_refuses_a_state_that_would_break) {
    m_fs.lower_state = R | H;
    m_fs.open_count = 0;
    Request& rh = win7(&m_a, R | H, REQUEST_OPLOCK_INPUT_FLAG_REQUEST);
    ASSERT_EQ(rh.returned, STATUS_PENDING);
    EXPECT_EQ(FsRtlCheckUpperOplock(&m_fs.oplock, R, nullptr, nullptr, nullptr, OPLOCK_UPPER_FLAG_CHECK_NO_BREAK),
              STATUS_CANNOT_BREAK_OPLOCK);
    EXPECT_FALSE(rh.completed());
    EXPECT_EQ(FsRtlCheckUpperOplock(&m_fs.oplock, R | H, nullptr, nullptr, nullptr, OPLOCK_UPPER_FLAG_CHECK_NO_BREAK),
              STATUS_SUCCESS);
    EXPECT_FALSE(rh.completed());
    (void)send(&m_a, IRP_MJ_CLEANUP);
}

// OPLOCK_UPPER_FLAG_NOTIFY_REFRESH_READ: read-only oplocks break to none with no acknowledgement (the
// holders may ask for R again); with an oplock caching more than R granted, nothing breaks and the
// call is STATUS_CANNOT_BREAK_OPLOCK.
TEST_F(OplockUpperTest, notify_refresh_read_breaks_only_read_oplocks) {
    m_fs.lower_state = R | W | H;
    m_fs.open_count = 0;
    Request& r1 = win7(&m_a, R, REQUEST_OPLOCK_INPUT_FLAG_REQUEST);
    Request& r2 = fsctl(&m_b, FSCTL_REQUEST_OPLOCK_LEVEL_2);
    ASSERT_EQ(r1.returned, STATUS_PENDING);
    ASSERT_EQ(r2.returned, STATUS_PENDING);
    EXPECT_EQ(FsRtlCheckUpperOplock(&m_fs.oplock, R | W | H, nullptr, nullptr, nullptr,
                                    OPLOCK_UPPER_FLAG_NOTIFY_REFRESH_READ),
              STATUS_SUCCESS);
    ASSERT_TRUE(r1.completed());
    EXPECT_EQ(r1.buffer.output.NewOplockLevel, 0u);
    EXPECT_EQ(r1.buffer.output.Flags, 0u);
    ASSERT_TRUE(r2.completed());
    EXPECT_EQ(r2.iosb.Information, ULONG_PTR(FILE_OPLOCK_BROKEN_TO_NONE));
    EXPECT_FALSE(FsRtlCurrentOplock(&m_fs.oplock));
    // R may be asked for again; an RH beside it stops the refresh.
    Request& again = win7(&m_a, R, REQUEST_OPLOCK_INPUT_FLAG_REQUEST);
    EXPECT_EQ(again.returned, STATUS_PENDING);
    Request& rh = win7(&m_c, R | H, REQUEST_OPLOCK_INPUT_FLAG_REQUEST);
    ASSERT_EQ(rh.returned, STATUS_PENDING);
    EXPECT_EQ(FsRtlCheckUpperOplock(&m_fs.oplock, R | W | H, nullptr, nullptr, nullptr,
                                    OPLOCK_UPPER_FLAG_NOTIFY_REFRESH_READ),
              STATUS_CANNOT_BREAK_OPLOCK);
    EXPECT_FALSE(again.completed());
    EXPECT_FALSE(rh.completed());
    (void)send(&m_a, IRP_MJ_CLEANUP);
    (void)send(&m_c, IRP_MJ_CLEANUP);
}

}  // namespace
}  // namespace ntio::fsrtl::oplock_test
