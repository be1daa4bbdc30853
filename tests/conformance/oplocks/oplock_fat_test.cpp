// Oplocks on a FAT volume through the NT services: NtFsControlFile requests legacy and Windows 7
// oplocks from fastfat.sys (which keeps them with FsRtl's package), NtCreateFile, NtReadFile,
// NtWriteFile and NtSetInformationFile from other handles break them, and the breaking request waits
// for the owner's acknowledgement. Each test names the MS-FSA section it follows.
#include "oplocks/oplock_fat_support.hpp"

#include <atomic>
#include <thread>

namespace ntio::test::oplocks {
namespace {

// MS-FSA 2.1.5.17.1 and 2.1.4.12: a batch oplock is granted on the only open and its request pends;
// a second open breaks it to level 2 and waits until the owner acknowledges; the acknowledgement
// becomes the level 2 oplock, which the second handle's write breaks to none without waiting.
TEST_F(OplockFatTest, batch_broken_to_level2_by_a_second_open_which_waits_for_the_acknowledgement) {
    HANDLE a = nullptr;
    ASSERT_EQ(open(&a), STATUS_SUCCESS);
    auto batch = legacy(a, FSCTL_REQUEST_BATCH_OPLOCK);
    ASSERT_EQ(batch->returned, STATUS_PENDING);
    EXPECT_FALSE(batch->done());

    HANDLE b = nullptr;
    std::atomic<bool> opened{false};
    NTSTATUS open_status = STATUS_UNSUCCESSFUL;
    std::thread opener([&] {
        open_status = open(&b, GENERIC_READ | GENERIC_WRITE);
        opened = true;
    });
    EXPECT_EQ(batch->wait(), STATUS_SUCCESS);
    EXPECT_EQ(batch->iosb.Information, ULONG_PTR(FILE_OPLOCK_BROKEN_TO_LEVEL_2));
    EXPECT_FALSE(opened.load());  // held until the acknowledgement below
    auto ack = legacy(a, FSCTL_OPLOCK_BREAK_ACKNOWLEDGE);
    EXPECT_EQ(ack->returned, STATUS_PENDING);  // the level 2 oplock now
    opener.join();
    ASSERT_EQ(open_status, STATUS_SUCCESS);

    EXPECT_EQ(write_one(b, 0), STATUS_SUCCESS);
    EXPECT_EQ(ack->wait(), STATUS_SUCCESS);
    EXPECT_EQ(ack->iosb.Information, ULONG_PTR(FILE_OPLOCK_BROKEN_TO_NONE));
    EXPECT_EQ(NtClose(b), STATUS_SUCCESS);
    EXPECT_EQ(NtClose(a), STATUS_SUCCESS);
}

// Learn (FsRtlCheckOplockEx) and MS-FSA 2.1.5.1: an open with FILE_COMPLETE_IF_OPLOCKED that breaks
// an oplock succeeds at once with STATUS_OPLOCK_BREAK_IN_PROGRESS; the owner then acknowledges.
TEST_F(OplockFatTest, complete_if_oplocked_open_returns_break_in_progress_at_once) {
    HANDLE a = nullptr;
    ASSERT_EQ(open(&a), STATUS_SUCCESS);
    auto level1 = legacy(a, FSCTL_REQUEST_OPLOCK_LEVEL_1);
    ASSERT_EQ(level1->returned, STATUS_PENDING);
    HANDLE b = nullptr;
    EXPECT_EQ(open(&b, GENERIC_READ, FILE_COMPLETE_IF_OPLOCKED), STATUS_OPLOCK_BREAK_IN_PROGRESS);
    EXPECT_NE(b, nullptr);
    EXPECT_EQ(level1->wait(), STATUS_SUCCESS);
    EXPECT_EQ(level1->iosb.Information, ULONG_PTR(FILE_OPLOCK_BROKEN_TO_LEVEL_2));
    auto ack = legacy(a, FSCTL_OPLOCK_BREAK_ACK_NO_2);
    EXPECT_EQ(ack->returned, STATUS_SUCCESS);
    // Nothing is left to break: the read goes through at once.
    EXPECT_EQ(read_one(b, 0), STATUS_SUCCESS);
    EXPECT_EQ(NtClose(b), STATUS_SUCCESS);
    EXPECT_EQ(NtClose(a), STATUS_SUCCESS);
}

// MS-FSA 2.1.5.17.1: an exclusive oplock needs the only open, and one at a time.
TEST_F(OplockFatTest, exclusive_requests_are_refused_with_two_opens_or_a_granted_oplock) {
    HANDLE a = nullptr;
    HANDLE b = nullptr;
    ASSERT_EQ(open(&a), STATUS_SUCCESS);
    ASSERT_EQ(open(&b), STATUS_SUCCESS);
    auto refused = legacy(a, FSCTL_REQUEST_OPLOCK_LEVEL_1);
    EXPECT_EQ(refused->returned, STATUS_OPLOCK_NOT_GRANTED);
    EXPECT_EQ(NtClose(b), STATUS_SUCCESS);
    auto granted = legacy(a, FSCTL_REQUEST_BATCH_OPLOCK);
    EXPECT_EQ(granted->returned, STATUS_PENDING);
    auto second = legacy(a, FSCTL_REQUEST_OPLOCK_LEVEL_1);
    EXPECT_EQ(second->returned, STATUS_OPLOCK_NOT_GRANTED);
    EXPECT_EQ(NtClose(a), STATUS_SUCCESS);
    EXPECT_EQ(granted->wait(), STATUS_SUCCESS);
}

// MS-FSA 2.1.5.17.1 (a granted request is cancelable) and 2.1.5.4 (the owner's close releases its
// oplock): after either, another open goes through at once.
TEST_F(OplockFatTest, cancel_or_close_of_the_owner_releases_the_oplock) {
    HANDLE a = nullptr;
    ASSERT_EQ(open(&a), STATUS_SUCCESS);
    auto batch = legacy(a, FSCTL_REQUEST_BATCH_OPLOCK);
    ASSERT_EQ(batch->returned, STATUS_PENDING);
    IO_STATUS_BLOCK cancel{};
    EXPECT_EQ(NtCancelIoFile(a, &cancel), STATUS_SUCCESS);
    EXPECT_EQ(batch->wait(), STATUS_CANCELLED);
    HANDLE b = nullptr;
    ASSERT_EQ(open(&b), STATUS_SUCCESS);  // nothing to break: no wait
    EXPECT_EQ(NtClose(b), STATUS_SUCCESS);

    auto again = legacy(a, FSCTL_REQUEST_OPLOCK_LEVEL_1);
    ASSERT_EQ(again->returned, STATUS_PENDING);
    EXPECT_EQ(NtClose(a), STATUS_SUCCESS);
    EXPECT_EQ(again->wait(), STATUS_SUCCESS);
    EXPECT_EQ(again->iosb.Information, ULONG_PTR(FILE_OPLOCK_BROKEN_TO_NONE));
    ASSERT_EQ(open(&b), STATUS_SUCCESS);
    EXPECT_EQ(NtClose(b), STATUS_SUCCESS);
}

// MS-FSA 2.1.4.12: level 2 oplocks break to none on a write, and the writer does not wait.
TEST_F(OplockFatTest, level2_is_broken_to_none_by_a_write) {
    HANDLE a = nullptr;
    HANDLE b = nullptr;
    ASSERT_EQ(open(&a), STATUS_SUCCESS);
    ASSERT_EQ(open(&b), STATUS_SUCCESS);
    auto level2 = legacy(a, FSCTL_REQUEST_OPLOCK_LEVEL_2);
    ASSERT_EQ(level2->returned, STATUS_PENDING);
    EXPECT_EQ(read_one(b, 0), STATUS_SUCCESS);
    EXPECT_FALSE(level2->done());
    EXPECT_EQ(write_one(b, 10), STATUS_SUCCESS);
    EXPECT_EQ(level2->wait(), STATUS_SUCCESS);
    EXPECT_EQ(level2->iosb.Information, ULONG_PTR(FILE_OPLOCK_BROKEN_TO_NONE));
    EXPECT_EQ(NtClose(b), STATUS_SUCCESS);
    EXPECT_EQ(NtClose(a), STATUS_SUCCESS);
}

// MS-FSA 2.1.5.17.2 and 2.1.4.12: a Windows 7 RH oplock survives another open but a delete through
// that open breaks it to R, acknowledgement required; the delete waits for the acknowledgement (with
// R, which holds the new R oplock); the owner's close completes that request with
// STATUS_OPLOCK_HANDLE_CLOSED.
TEST_F(OplockFatTest, win7_rh_is_broken_to_r_by_a_delete_which_waits_for_the_acknowledgement) {
    HANDLE a = nullptr;
    ASSERT_EQ(open(&a, GENERIC_READ), STATUS_SUCCESS);
    auto rh = win7(a, R | H, REQUEST_OPLOCK_INPUT_FLAG_REQUEST);
    ASSERT_EQ(rh->returned, STATUS_PENDING);
    HANDLE b = nullptr;
    ASSERT_EQ(open(&b, GENERIC_READ | DELETE), STATUS_SUCCESS);
    EXPECT_FALSE(rh->done());

    std::atomic<bool> deleted{false};
    NTSTATUS delete_status = STATUS_UNSUCCESSFUL;
    std::thread deleter([&] {
        auto f = std::make_unique<Fsctl>();
        FILE_DISPOSITION_INFORMATION disposition{TRUE};
        delete_status = NtSetInformationFile(b, &f->iosb, &disposition, sizeof(disposition), FileDispositionInformation);
        if (delete_status == STATUS_PENDING) {
            (void)NtWaitForSingleObject(b, FALSE, nullptr);
            delete_status = f->iosb.Status;
        }
        deleted = true;
    });
    EXPECT_EQ(rh->wait(), STATUS_SUCCESS);
    EXPECT_EQ(rh->iosb.Information, sizeof(REQUEST_OPLOCK_OUTPUT_BUFFER));
    EXPECT_EQ(rh->output.OriginalOplockLevel, R | H);
    EXPECT_EQ(rh->output.NewOplockLevel, R);
    EXPECT_EQ(rh->output.Flags, ULONG(REQUEST_OPLOCK_OUTPUT_FLAG_ACK_REQUIRED));
    EXPECT_FALSE(deleted.load());  // held until the acknowledgement below
    auto ack = win7(a, R, REQUEST_OPLOCK_INPUT_FLAG_ACK);
    EXPECT_EQ(ack->returned, STATUS_PENDING);
    deleter.join();
    EXPECT_EQ(delete_status, STATUS_SUCCESS);
    EXPECT_EQ(NtClose(b), STATUS_SUCCESS);
    EXPECT_FALSE(ack->done());
    EXPECT_EQ(NtClose(a), STATUS_SUCCESS);
    EXPECT_EQ(ack->wait(), STATUS_OPLOCK_HANDLE_CLOSED);
    EXPECT_EQ(ack->output.OriginalOplockLevel, R);
    EXPECT_EQ(ack->output.NewOplockLevel, 0u);
}

// MS-FSA 2.1.5.17.2: the request's buffers are checked (too short, wrong version, bad level).
TEST_F(OplockFatTest, win7_bad_requests_are_refused) {
    HANDLE a = nullptr;
    ASSERT_EQ(open(&a), STATUS_SUCCESS);
    auto f = std::make_unique<Fsctl>();
    EXPECT_EQ(NtFsControlFile(a, f->event, nullptr, nullptr, &f->iosb, FSCTL_REQUEST_OPLOCK, &f->input, 4, &f->output,
                              sizeof(f->output)),
              STATUS_BUFFER_TOO_SMALL);
    auto w = win7(a, OPLOCK_LEVEL_CACHE_WRITE, REQUEST_OPLOCK_INPUT_FLAG_REQUEST);
    EXPECT_EQ(w->returned, STATUS_INVALID_PARAMETER);
    auto ack = win7(a, R, REQUEST_OPLOCK_INPUT_FLAG_ACK);
    EXPECT_EQ(ack->returned, STATUS_INVALID_OPLOCK_PROTOCOL);
    EXPECT_EQ(NtClose(a), STATUS_SUCCESS);
}

}  // namespace
}  // namespace ntio::test::oplocks
