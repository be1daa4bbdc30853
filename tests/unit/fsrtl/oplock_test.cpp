// FsRtl's oplock package behind the in-test file system (oplock_test_fs.hpp): legacy level 1, level 2,
// batch and filter oplocks and Windows 7 R / RH / RW / RWH oplocks granted, refused, broken by the
// operations MS-FSA 2.1.4.12 lists, acknowledged, cancelled and released at cleanup; the waiting
// operation held (posted or blocked) until the acknowledgement; the query routines.
#include "unit/fsrtl/oplock_test_fs.hpp"

#include <thread>

namespace ntio::fsrtl::oplock_test {
namespace {

using OplockTest = OplockFsTest;

// MS-FSA 2.1.5.17.1: a level 1 oplock needs the only open; granted, its FSCTL pends.
TEST_F(OplockTest, level1_is_granted_to_the_only_open_and_refused_with_two) {
    m_fs.open_count = 2;
    Request& refused = fsctl(&m_a, FSCTL_REQUEST_OPLOCK_LEVEL_1);
    EXPECT_EQ(refused.returned, STATUS_OPLOCK_NOT_GRANTED);
    EXPECT_EQ(refused.iosb.Status, STATUS_OPLOCK_NOT_GRANTED);
    m_fs.open_count = 1;
    Request& granted = fsctl(&m_a, FSCTL_REQUEST_OPLOCK_LEVEL_1);
    EXPECT_EQ(granted.returned, STATUS_PENDING);
    EXPECT_FALSE(granted.completed());
    EXPECT_TRUE(FsRtlCurrentOplock(&m_fs.oplock));
    EXPECT_FALSE(FsRtlCurrentBatchOplock(&m_fs.oplock));
    // MS-FSA 2.1.5.17.1: a second exclusive request (even the same handle's) is refused.
    Request& second = fsctl(&m_a, FSCTL_REQUEST_BATCH_OPLOCK);
    EXPECT_EQ(second.returned, STATUS_OPLOCK_NOT_GRANTED);
    Request& shared = fsctl(&m_b, FSCTL_REQUEST_OPLOCK_LEVEL_2);
    EXPECT_EQ(shared.returned, STATUS_OPLOCK_NOT_GRANTED);
    (void)send(&m_a, IRP_MJ_CLEANUP);
    EXPECT_TRUE(granted.completed());
}

// MS-FSA 2.1.4.12: another open's read breaks level 1 to level 2 and waits for the acknowledgement;
// the acknowledgement's FSCTL becomes the level 2 oplock (2.1.5.18), which a write breaks to none
// without waiting (level 2 breaks need no acknowledgement).
TEST_F(OplockTest, read_breaks_level1_to_level2_and_waits_for_the_acknowledgement) {
    Request& oplock = fsctl(&m_a, FSCTL_REQUEST_OPLOCK_LEVEL_1);
    ASSERT_EQ(oplock.returned, STATUS_PENDING);
    Request& read = send(&m_b, IRP_MJ_READ);
    EXPECT_EQ(read.returned, STATUS_PENDING);
    EXPECT_FALSE(read.completed());
    ASSERT_TRUE(oplock.completed());
    EXPECT_EQ(oplock.iosb.Status, STATUS_SUCCESS);
    EXPECT_EQ(oplock.iosb.Information, ULONG_PTR(FILE_OPLOCK_BROKEN_TO_LEVEL_2));
    EXPECT_FALSE(FsRtlOplockIsFastIoPossible(&m_fs.oplock));

    Request& ack = fsctl(&m_a, FSCTL_OPLOCK_BREAK_ACKNOWLEDGE);
    EXPECT_EQ(ack.returned, STATUS_PENDING);  // now the level 2 oplock
    EXPECT_TRUE(read.completed());
    EXPECT_EQ(read.iosb.Status, STATUS_SUCCESS);
    EXPECT_EQ(m_fs.posted_back.load(), 1);
    EXPECT_FALSE(FsRtlOplockIsFastIoPossible(&m_fs.oplock));  // level 2 held

    Request& write = send(&m_b, IRP_MJ_WRITE);
    EXPECT_EQ(write.returned, STATUS_SUCCESS);
    ASSERT_TRUE(ack.completed());
    EXPECT_EQ(ack.iosb.Information, ULONG_PTR(FILE_OPLOCK_BROKEN_TO_NONE));
    EXPECT_FALSE(FsRtlCurrentOplock(&m_fs.oplock));
    EXPECT_TRUE(FsRtlOplockIsFastIoPossible(&m_fs.oplock));
}

// The owner's own operations do not break its exclusive oplock; a write by the level 2 owner breaks
// its own level 2 oplock (MS-FSA 2.1.4.12: level 2 oplocks break on any write).
TEST_F(OplockTest, owner_operations_leave_level1_and_break_level2) {
    Request& oplock = fsctl(&m_a, FSCTL_REQUEST_OPLOCK_LEVEL_1);
    Request& write = send(&m_a, IRP_MJ_WRITE);
    EXPECT_EQ(write.returned, STATUS_SUCCESS);
    EXPECT_FALSE(oplock.completed());
    (void)send(&m_a, IRP_MJ_CLEANUP);
    ASSERT_TRUE(oplock.completed());
    EXPECT_EQ(oplock.iosb.Information, ULONG_PTR(FILE_OPLOCK_BROKEN_TO_NONE));

    m_fs.open_count = 0;
    Request& level2 = fsctl(&m_a, FSCTL_REQUEST_OPLOCK_LEVEL_2);
    EXPECT_EQ(level2.returned, STATUS_PENDING);
    Request& own = send(&m_a, IRP_MJ_WRITE);
    EXPECT_EQ(own.returned, STATUS_SUCCESS);
    ASSERT_TRUE(level2.completed());
    EXPECT_EQ(level2.iosb.Information, ULONG_PTR(FILE_OPLOCK_BROKEN_TO_NONE));
}

// MS-FSA 2.1.5.17.1: a nonzero OpenCount for a level 2 request says byte-range locks exist.
TEST_F(OplockTest, level2_is_refused_while_byte_range_locks_exist) {
    m_fs.open_count = 1;
    EXPECT_EQ(fsctl(&m_a, FSCTL_REQUEST_OPLOCK_LEVEL_2).returned, STATUS_OPLOCK_NOT_GRANTED);
    m_fs.open_count = 0;
    Request& a = fsctl(&m_a, FSCTL_REQUEST_OPLOCK_LEVEL_2);
    Request& b = fsctl(&m_b, FSCTL_REQUEST_OPLOCK_LEVEL_2);
    EXPECT_EQ(a.returned, STATUS_PENDING);
    EXPECT_EQ(b.returned, STATUS_PENDING);
    // A lock request breaks every level 2 oplock (MS-FSA 2.1.5.8).
    EXPECT_EQ(send(&m_c, IRP_MJ_LOCK_CONTROL).returned, STATUS_SUCCESS);
    EXPECT_TRUE(a.completed());
    EXPECT_TRUE(b.completed());
}

// A create with FILE_COMPLETE_IF_OPLOCKED that breaks a batch oplock goes on at once with
// STATUS_OPLOCK_BREAK_IN_PROGRESS (Learn: FsRtlCheckOplockEx); FSCTL_OPLOCK_BREAK_ACK_NO_2 ends the
// break with no oplock left.
TEST_F(OplockTest, complete_if_oplocked_create_returns_break_in_progress_at_once) {
    Request& batch = fsctl(&m_a, FSCTL_REQUEST_BATCH_OPLOCK);
    ASSERT_EQ(batch.returned, STATUS_PENDING);
    EXPECT_TRUE(FsRtlCurrentBatchOplock(&m_fs.oplock));
    EXPECT_TRUE(FsRtlCurrentOplockH(&m_fs.oplock));
    Request& create = send(&m_b, IRP_MJ_CREATE, FILE_READ_DATA, (FILE_OPEN << 24) | FILE_COMPLETE_IF_OPLOCKED);
    EXPECT_EQ(create.returned, STATUS_OPLOCK_BREAK_IN_PROGRESS);
    ASSERT_TRUE(batch.completed());
    EXPECT_EQ(batch.iosb.Information, ULONG_PTR(FILE_OPLOCK_BROKEN_TO_LEVEL_2));
    // While the break is under way a new request is refused.
    EXPECT_EQ(fsctl(&m_c, FSCTL_REQUEST_OPLOCK_LEVEL_2).returned, STATUS_OPLOCK_NOT_GRANTED);
    Request& ack = fsctl(&m_a, FSCTL_OPLOCK_BREAK_ACK_NO_2);
    EXPECT_EQ(ack.returned, STATUS_SUCCESS);
    EXPECT_FALSE(FsRtlCurrentOplock(&m_fs.oplock));
    // An acknowledgement with no break is a protocol error.
    EXPECT_EQ(fsctl(&m_a, FSCTL_OPLOCK_BREAK_ACKNOWLEDGE).returned, STATUS_INVALID_OPLOCK_PROTOCOL);
}

// An overwriting create breaks an exclusive oplock to none, not level 2.
TEST_F(OplockTest, overwrite_create_breaks_batch_to_none) {
    Request& batch = fsctl(&m_a, FSCTL_REQUEST_BATCH_OPLOCK);
    Request& create = send(&m_b, IRP_MJ_CREATE, FILE_WRITE_DATA, FILE_OVERWRITE << 24);
    EXPECT_EQ(create.returned, STATUS_PENDING);
    ASSERT_TRUE(batch.completed());
    EXPECT_EQ(batch.iosb.Information, ULONG_PTR(FILE_OPLOCK_BROKEN_TO_NONE));
    // The owner acknowledging with FSCTL_OPLOCK_BREAK_ACKNOWLEDGE gets no level 2 after a break to none.
    Request& ack = fsctl(&m_a, FSCTL_OPLOCK_BREAK_ACKNOWLEDGE);
    EXPECT_EQ(ack.returned, STATUS_SUCCESS);
    EXPECT_TRUE(create.completed());
    EXPECT_FALSE(FsRtlCurrentOplock(&m_fs.oplock));
}

// A filter oplock lets an open that reads and shares everything past, and breaks for one that writes.
TEST_F(OplockTest, filter_oplock_breaks_only_for_a_conflicting_open) {
    Request& filter = fsctl(&m_a, FSCTL_REQUEST_FILTER_OPLOCK);
    ASSERT_EQ(filter.returned, STATUS_PENDING);
    EXPECT_EQ(send(&m_b, IRP_MJ_CREATE, FILE_READ_DATA, FILE_OPEN << 24).returned, STATUS_SUCCESS);
    EXPECT_FALSE(filter.completed());
    Request& writer = send(&m_c, IRP_MJ_CREATE, FILE_WRITE_DATA, FILE_OPEN << 24);
    EXPECT_EQ(writer.returned, STATUS_PENDING);
    ASSERT_TRUE(filter.completed());
    EXPECT_EQ(filter.iosb.Information, ULONG_PTR(FILE_OPLOCK_BROKEN_TO_NONE));
    (void)fsctl(&m_a, FSCTL_OPLOCK_BREAK_ACKNOWLEDGE);
    EXPECT_TRUE(writer.completed());
}

// Cancelling the granted FSCTL releases the oplock (MS-FSA 2.1.5.17.1); nothing breaks afterwards.
TEST_F(OplockTest, cancelling_the_granted_request_releases_the_oplock) {
    Request& oplock = fsctl(&m_a, FSCTL_REQUEST_BATCH_OPLOCK);
    ASSERT_EQ(oplock.returned, STATUS_PENDING);
    EXPECT_TRUE(IoCancelIrp(oplock.irp));
    ASSERT_TRUE(oplock.completed());
    EXPECT_EQ(oplock.iosb.Status, STATUS_CANCELLED);
    EXPECT_FALSE(FsRtlCurrentOplock(&m_fs.oplock));
    EXPECT_EQ(send(&m_b, IRP_MJ_WRITE).returned, STATUS_SUCCESS);
}

// A waiting operation handed to the package can be cancelled; the break itself goes on.
TEST_F(OplockTest, a_waiting_operation_can_be_cancelled) {
    Request& oplock = fsctl(&m_a, FSCTL_REQUEST_BATCH_OPLOCK);
    Request& write = send(&m_b, IRP_MJ_WRITE);
    ASSERT_EQ(write.returned, STATUS_PENDING);
    EXPECT_TRUE(IoCancelIrp(write.irp));
    ASSERT_TRUE(write.completed());
    EXPECT_EQ(write.iosb.Status, STATUS_CANCELLED);
    EXPECT_EQ(m_fs.posted_back.load(), 0);
    EXPECT_TRUE(oplock.completed());
    EXPECT_EQ(fsctl(&m_a, FSCTL_OPLOCK_BREAK_ACK_NO_2).returned, STATUS_SUCCESS);
}

// MS-FSA 2.1.5.4: the owner's cleanup during a break ends it; the waiting operation goes on.
// FSCTL_OPBATCH_ACK_CLOSE_PENDING says that close is coming and keeps the operation waiting for it.
TEST_F(OplockTest, owner_cleanup_ends_a_close_pending_break) {
    Request& batch = fsctl(&m_a, FSCTL_REQUEST_BATCH_OPLOCK);
    Request& open = send(&m_b, IRP_MJ_CREATE, FILE_READ_DATA, FILE_OPEN << 24);
    ASSERT_EQ(open.returned, STATUS_PENDING);
    ASSERT_TRUE(batch.completed());
    Request& notify = fsctl(&m_c, FSCTL_OPLOCK_BREAK_NOTIFY);
    EXPECT_EQ(notify.returned, STATUS_PENDING);
    EXPECT_EQ(fsctl(&m_a, FSCTL_OPBATCH_ACK_CLOSE_PENDING).returned, STATUS_SUCCESS);
    EXPECT_FALSE(open.completed());
    EXPECT_FALSE(notify.completed());
    EXPECT_EQ(send(&m_a, IRP_MJ_CLEANUP).returned, STATUS_SUCCESS);
    EXPECT_TRUE(open.completed());
    ASSERT_TRUE(notify.completed());
    EXPECT_EQ(notify.iosb.Status, STATUS_SUCCESS);
    // With no break, FSCTL_OPLOCK_BREAK_NOTIFY completes at once.
    EXPECT_EQ(fsctl(&m_c, FSCTL_OPLOCK_BREAK_NOTIFY).returned, STATUS_SUCCESS);
}

// Without a CompletionRoutine the breaking thread itself waits in FsRtlCheckOplock until the
// acknowledgement (Learn: FsRtlCheckOplockEx, CompletionRoutine NULL).
TEST_F(OplockTest, without_a_completion_routine_the_breaker_blocks_until_the_acknowledgement) {
    m_fs.post = false;
    Request& oplock = fsctl(&m_a, FSCTL_REQUEST_OPLOCK_LEVEL_1);
    Request& write = prepare(&m_b, IRP_MJ_WRITE);
    std::atomic<bool> returned{false};
    std::thread breaker([&] {
        dispatch(write);
        returned = true;
    });
    while (!oplock.completed()) std::this_thread::yield();
    EXPECT_FALSE(returned.load());  // it cannot return before the acknowledgement below
    EXPECT_FALSE(write.completed());
    Request& ack = fsctl(&m_a, FSCTL_OPLOCK_BREAK_ACKNOWLEDGE);
    EXPECT_EQ(ack.returned, STATUS_SUCCESS);  // broken to none by the write: no level 2 to keep
    breaker.join();
    EXPECT_EQ(write.returned, STATUS_SUCCESS);
    EXPECT_TRUE(write.completed());
}

// MS-FSA 2.1.5.17.2 and 2.1.4.12: a Windows 7 RH oplock; a rename through another open breaks it to
// R with an acknowledgement required, reported in REQUEST_OPLOCK_OUTPUT_BUFFER; the rename waits
// until the owner acknowledges with R, whose FSCTL holds the new R oplock; a write then breaks R to
// none with no acknowledgement.
TEST_F(OplockTest, win7_rh_breaks_to_r_on_rename_and_r_to_none_on_write) {
    m_fs.open_count = 0;
    Request& rh = win7(&m_a, R | H, REQUEST_OPLOCK_INPUT_FLAG_REQUEST);
    ASSERT_EQ(rh.returned, STATUS_PENDING);
    EXPECT_TRUE(FsRtlCurrentOplockH(&m_fs.oplock));
    EXPECT_FALSE(FsRtlCurrentBatchOplock(&m_fs.oplock));
    // A create does not disturb RH.
    EXPECT_EQ(send(&m_b, IRP_MJ_CREATE, FILE_READ_DATA | DELETE, FILE_OPEN << 24).returned, STATUS_SUCCESS);
    Request& rename = send(&m_b, IRP_MJ_SET_INFORMATION, FileRenameInformation);
    EXPECT_EQ(rename.returned, STATUS_PENDING);
    ASSERT_TRUE(rh.completed());
    EXPECT_EQ(rh.iosb.Status, STATUS_SUCCESS);
    EXPECT_EQ(rh.iosb.Information, sizeof(REQUEST_OPLOCK_OUTPUT_BUFFER));
    EXPECT_EQ(rh.buffer.output.StructureVersion, REQUEST_OPLOCK_CURRENT_VERSION);
    EXPECT_EQ(rh.buffer.output.OriginalOplockLevel, R | H);
    EXPECT_EQ(rh.buffer.output.NewOplockLevel, R);
    EXPECT_EQ(rh.buffer.output.Flags, ULONG(REQUEST_OPLOCK_OUTPUT_FLAG_ACK_REQUIRED));
    // Acknowledging with more than the break left is refused.
    EXPECT_EQ(win7(&m_a, R | H, REQUEST_OPLOCK_INPUT_FLAG_ACK).returned, STATUS_INVALID_PARAMETER);
    Request& ack = win7(&m_a, R, REQUEST_OPLOCK_INPUT_FLAG_ACK);
    EXPECT_EQ(ack.returned, STATUS_PENDING);
    EXPECT_TRUE(rename.completed());
    Request& write = send(&m_b, IRP_MJ_WRITE);
    EXPECT_EQ(write.returned, STATUS_SUCCESS);
    ASSERT_TRUE(ack.completed());
    EXPECT_EQ(ack.buffer.output.OriginalOplockLevel, R);
    EXPECT_EQ(ack.buffer.output.NewOplockLevel, 0u);
    EXPECT_EQ(ack.buffer.output.Flags, 0u);
}

// MS-FSA 2.1.5.17.2: RW needs the only open (or all keys matching); a read by another key breaks it
// to R; R and RH share among keys; a key's new request replaces its older one, whose FSCTL completes
// naming the new level.
TEST_F(OplockTest, win7_grants_share_and_upgrade) {
    m_fs.open_count = 2;
    EXPECT_EQ(win7(&m_a, R | W, REQUEST_OPLOCK_INPUT_FLAG_REQUEST).returned, STATUS_OPLOCK_NOT_GRANTED);
    m_fs.open_count = 1;
    Request& rw = win7(&m_a, R | W, REQUEST_OPLOCK_INPUT_FLAG_REQUEST);
    ASSERT_EQ(rw.returned, STATUS_PENDING);
    EXPECT_TRUE(FsRtlOplockIsFastIoPossible(&m_fs.oplock));
    Request& read = send(&m_b, IRP_MJ_READ);
    EXPECT_EQ(read.returned, STATUS_PENDING);
    ASSERT_TRUE(rw.completed());
    EXPECT_EQ(rw.buffer.output.NewOplockLevel, R);
    EXPECT_EQ(rw.buffer.output.Flags, ULONG(REQUEST_OPLOCK_OUTPUT_FLAG_ACK_REQUIRED));
    Request& r = win7(&m_a, R, REQUEST_OPLOCK_INPUT_FLAG_ACK);
    EXPECT_EQ(r.returned, STATUS_PENDING);
    EXPECT_TRUE(read.completed());

    m_fs.open_count = 0;
    Request& other = win7(&m_b, R | H, REQUEST_OPLOCK_INPUT_FLAG_REQUEST);
    EXPECT_EQ(other.returned, STATUS_PENDING);
    Request& upgrade = win7(&m_a, R | H, REQUEST_OPLOCK_INPUT_FLAG_REQUEST);
    EXPECT_EQ(upgrade.returned, STATUS_PENDING);
    ASSERT_TRUE(r.completed());
    EXPECT_EQ(r.buffer.output.OriginalOplockLevel, R);
    EXPECT_EQ(r.buffer.output.NewOplockLevel, R | H);
    EXPECT_EQ(r.buffer.output.Flags, 0u);
    // A downgrade is refused; so is an exclusive level while another key holds one.
    EXPECT_EQ(win7(&m_a, R, REQUEST_OPLOCK_INPUT_FLAG_REQUEST).returned, STATUS_OPLOCK_NOT_GRANTED);
    EXPECT_EQ(win7(&m_c, R | W | H, REQUEST_OPLOCK_INPUT_FLAG_REQUEST).returned, STATUS_OPLOCK_NOT_GRANTED);
    // Cleanup of a Windows 7 owner completes its request with STATUS_OPLOCK_HANDLE_CLOSED.
    (void)send(&m_b, IRP_MJ_CLEANUP);
    ASSERT_TRUE(other.completed());
    EXPECT_EQ(other.iosb.Status, STATUS_OPLOCK_HANDLE_CLOSED);
    EXPECT_EQ(other.buffer.output.NewOplockLevel, 0u);
}

// Bad FSCTL_REQUEST_OPLOCK input: short buffers, a wrong version, a level that is not R, RH, RW or
// RWH, both or neither of the request and acknowledge flags; an acknowledgement with no break.
TEST_F(OplockTest, win7_bad_input_is_refused) {
    EXPECT_EQ(win7(&m_a, R, REQUEST_OPLOCK_INPUT_FLAG_REQUEST, REQUEST_OPLOCK_CURRENT_VERSION, 4).returned,
              STATUS_BUFFER_TOO_SMALL);
    EXPECT_EQ(win7(&m_a, R, REQUEST_OPLOCK_INPUT_FLAG_REQUEST, 2).returned, STATUS_INVALID_PARAMETER);
    EXPECT_EQ(win7(&m_a, W, REQUEST_OPLOCK_INPUT_FLAG_REQUEST).returned, STATUS_INVALID_PARAMETER);
    EXPECT_EQ(win7(&m_a, H, REQUEST_OPLOCK_INPUT_FLAG_REQUEST).returned, STATUS_INVALID_PARAMETER);
    EXPECT_EQ(win7(&m_a, R, 0).returned, STATUS_INVALID_PARAMETER);
    EXPECT_EQ(win7(&m_a, R, REQUEST_OPLOCK_INPUT_FLAG_REQUEST | REQUEST_OPLOCK_INPUT_FLAG_ACK).returned,
              STATUS_INVALID_PARAMETER);
    EXPECT_EQ(win7(&m_a, R, REQUEST_OPLOCK_INPUT_FLAG_ACK).returned, STATUS_INVALID_OPLOCK_PROTOCOL);
    EXPECT_EQ(fsctl(&m_a, CTL_CODE(FILE_DEVICE_FILE_SYSTEM, 999, METHOD_BUFFERED, FILE_ANY_ACCESS)).returned,
              STATUS_INVALID_PARAMETER);
    EXPECT_FALSE(FsRtlCurrentOplock(&m_fs.oplock));
}

// FsRtlOplockIsSharedRequest, FsRtlOplockKeysEqual and the routines on an OPLOCK never used.
TEST_F(OplockTest, shared_request_keys_and_empty_oplock_queries) {
    OPLOCK unused;
    FsRtlInitializeOplock(&unused);
    EXPECT_FALSE(FsRtlCurrentOplock(&unused));
    EXPECT_FALSE(FsRtlCurrentBatchOplock(&unused));
    EXPECT_FALSE(FsRtlCurrentOplockH(&unused));
    EXPECT_TRUE(FsRtlOplockIsFastIoPossible(&unused));
    FsRtlUninitializeOplock(&unused);
    EXPECT_TRUE(FsRtlOplockKeysEqual(&m_a, &m_a));
    EXPECT_FALSE(FsRtlOplockKeysEqual(&m_a, &m_b));
    EXPECT_FALSE(FsRtlOplockIsSharedRequest(nullptr));

    Request& level2 = prepare(&m_a, IRP_MJ_FILE_SYSTEM_CONTROL, FSCTL_REQUEST_OPLOCK_LEVEL_2);
    Request& batch = prepare(&m_a, IRP_MJ_FILE_SYSTEM_CONTROL, FSCTL_REQUEST_BATCH_OPLOCK);
    Request& rh = prepare(&m_a, IRP_MJ_FILE_SYSTEM_CONTROL, FSCTL_REQUEST_OPLOCK);
    Request& rw = prepare(&m_a, IRP_MJ_FILE_SYSTEM_CONTROL, FSCTL_REQUEST_OPLOCK);
    rh.buffer.input = {REQUEST_OPLOCK_CURRENT_VERSION, sizeof(REQUEST_OPLOCK_INPUT_BUFFER), R | H,
                       REQUEST_OPLOCK_INPUT_FLAG_REQUEST};
    rw.buffer.input = {REQUEST_OPLOCK_CURRENT_VERSION, sizeof(REQUEST_OPLOCK_INPUT_BUFFER), R | W,
                       REQUEST_OPLOCK_INPUT_FLAG_REQUEST};
    for (Request* r : {&level2, &batch, &rh, &rw}) {
        IoGetNextIrpStackLocation(r->irp)->Parameters.FileSystemControl.InputBufferLength =
            sizeof(REQUEST_OPLOCK_INPUT_BUFFER);
        IoSetNextIrpStackLocation(r->irp);
    }
    EXPECT_TRUE(FsRtlOplockIsSharedRequest(level2.irp));
    EXPECT_FALSE(FsRtlOplockIsSharedRequest(batch.irp));
    EXPECT_TRUE(FsRtlOplockIsSharedRequest(rh.irp));
    EXPECT_FALSE(FsRtlOplockIsSharedRequest(rw.irp));
    // Complete them so that teardown frees them.
    for (Request* r : {&level2, &batch, &rh, &rw}) {
        r->irp->IoStatus.Status = STATUS_SUCCESS;
        IoCompleteRequest(r->irp, IO_NO_INCREMENT);
    }
}

// FsRtlOplockBreakToNone breaks every oplock, the caller's own included; FsRtlOplockBreakH only
// handle caching; FsRtlUninitializeOplock completes what is left.
TEST_F(OplockTest, explicit_breaks_and_uninitialize) {
    m_fs.open_count = 0;
    Request& a = win7(&m_a, R | H, REQUEST_OPLOCK_INPUT_FLAG_REQUEST);
    Request& b = fsctl(&m_b, FSCTL_REQUEST_OPLOCK_LEVEL_2);
    Request& probe = prepare(&m_c, IRP_MJ_FILE_SYSTEM_CONTROL, FSCTL_IS_VOLUME_MOUNTED);
    IoSetNextIrpStackLocation(probe.irp);
    EXPECT_EQ(FsRtlOplockBreakH(&m_fs.oplock, probe.irp, OPLOCK_FLAG_COMPLETE_IF_OPLOCKED, nullptr, nullptr, nullptr),
              STATUS_OPLOCK_BREAK_IN_PROGRESS);
    ASSERT_TRUE(a.completed());
    EXPECT_EQ(a.buffer.output.NewOplockLevel, R);
    EXPECT_FALSE(b.completed());
    Request& ack = win7(&m_a, R, REQUEST_OPLOCK_INPUT_FLAG_ACK);
    EXPECT_EQ(ack.returned, STATUS_PENDING);
    EXPECT_EQ(FsRtlOplockBreakToNone(&m_fs.oplock, nullptr, probe.irp, nullptr, nullptr, nullptr), STATUS_SUCCESS);
    EXPECT_TRUE(ack.completed());
    EXPECT_TRUE(b.completed());
    Request& last = fsctl(&m_c, FSCTL_REQUEST_OPLOCK_LEVEL_2);
    EXPECT_EQ(last.returned, STATUS_PENDING);
    FsRtlUninitializeOplock(&m_fs.oplock);
    ASSERT_TRUE(last.completed());
    EXPECT_EQ(last.iosb.Information, ULONG_PTR(FILE_OPLOCK_BROKEN_TO_NONE));
    probe.irp->IoStatus.Status = STATUS_SUCCESS;
    IoCompleteRequest(probe.irp, IO_NO_INCREMENT);
}

// Learn (FsRtlOplockFsctrlEx on IRP_MJ_CREATE): the only open asking for attribute access and
// sharing everything gets a pending filter oplock, which keeps other oplocks out until
// OPLOCK_FLAG_BACK_OUT_ATOMIC_OPLOCK (the create failed after all) gives it up.
TEST_F(OplockTest, create_reserves_a_pending_filter_oplock_until_backed_out) {
    m_fs.open_count = 0;
    Request& create = prepare(&m_a, IRP_MJ_CREATE, FILE_READ_ATTRIBUTES | SYNCHRONIZE);
    IoSetNextIrpStackLocation(create.irp);
    EXPECT_EQ(FsRtlOplockFsctrlEx(&m_fs.oplock, create.irp, 2, 0), STATUS_OPLOCK_NOT_GRANTED);
    EXPECT_EQ(FsRtlOplockFsctrl(&m_fs.oplock, create.irp, 1), STATUS_SUCCESS);
    EXPECT_TRUE(FsRtlCurrentBatchOplock(&m_fs.oplock));
    EXPECT_EQ(fsctl(&m_b, FSCTL_REQUEST_OPLOCK_LEVEL_2).returned, STATUS_OPLOCK_NOT_GRANTED);
    EXPECT_EQ(FsRtlCheckOplockEx(&m_fs.oplock, create.irp, OPLOCK_FLAG_BACK_OUT_ATOMIC_OPLOCK, nullptr, nullptr,
                                 nullptr),
              STATUS_SUCCESS);
    EXPECT_FALSE(FsRtlCurrentOplock(&m_fs.oplock));
    EXPECT_EQ(fsctl(&m_b, FSCTL_REQUEST_OPLOCK_LEVEL_2).returned, STATUS_PENDING);
    create.irp->IoStatus.Status = STATUS_SUCCESS;
    IoCompleteRequest(create.irp, IO_NO_INCREMENT);
}

}  // namespace
}  // namespace ntio::fsrtl::oplock_test
