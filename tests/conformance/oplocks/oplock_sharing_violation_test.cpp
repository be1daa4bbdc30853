// A create that meets a sharing violation on a FAT volume: fastfat first breaks the handle caching of
// other opens' oplocks (FsRtlCheckOplockEx with OPLOCK_FLAG_BREAKING_FOR_SHARING_VIOLATION), the
// create waits for the owner, and the share check runs again once the break ends: the owner's close
// lets the create through, an acknowledgement that keeps the handle does not.
// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-fsrtlcheckoplockex
// https://learn.microsoft.com/windows-hardware/drivers/ifs/irp-mj-create2
#include "oplocks/oplock_fat_support.hpp"

#include <atomic>
#include <thread>

namespace ntio::test::oplocks {
namespace {

class OplockSharingTest : public OplockFatTest {
protected:
    // An open from another thread, which may wait for an oplock break; `finished` is set when it returns.
    struct PendingOpen {
        HANDLE handle = nullptr;
        NTSTATUS status = STATUS_UNSUCCESSFUL;
        HANDLE finished = nullptr;
        std::atomic<bool> done{false};
        std::thread thread;
        PendingOpen() {
            EXPECT_EQ(NtCreateEvent(&finished, EVENT_ALL_ACCESS, nullptr, NotificationEvent, FALSE), STATUS_SUCCESS);
        }
        ~PendingOpen() {
            if (thread.joinable()) thread.join();
            (void)NtClose(finished);
        }
        NTSTATUS join() {
            thread.join();
            return status;
        }
    };
    void start_open(PendingOpen& p, ACCESS_MASK access, ULONG share) {
        p.thread = std::thread([this, &p, access, share] {
            p.status = open(&p.handle, access, 0, FILE_OPEN, "\\file.bin", share);
            p.done = true;
            (void)NtSetEvent(p.finished, nullptr);
        });
    }
    // Starts the conflicting open (`access`, sharing read and write) and waits until the oplock
    // request completes with its break or the open returns, whichever comes first: an open that
    // fails at once, breaking nothing, fails the test instead of leaving it waiting forever; the
    // owner's handle is then closed so that the request completes.
    ::testing::AssertionResult open_breaks_first(PendingOpen& p, ACCESS_MASK access, const Fsctl& oplock, HANDLE owner) {
        start_open(p, access, FILE_SHARE_READ | FILE_SHARE_WRITE);
        HANDLE both[2] = {oplock.event, p.finished};
        if (NtWaitForMultipleObjects(2, both, WaitAny, FALSE, nullptr) == STATUS_WAIT_0) {
            if (oplock.iosb.Status == STATUS_SUCCESS) return ::testing::AssertionSuccess();
            return ::testing::AssertionFailure() << "the oplock request ended with 0x" << std::hex
                                                 << static_cast<ULONG>(oplock.iosb.Status);
        }
        (void)NtClose(owner);
        (void)oplock.wait();
        return ::testing::AssertionFailure() << "the open returned 0x" << std::hex << static_cast<ULONG>(p.status) << " before any break";
    }
    // An RH oplock on a handle that shares reading only, so that a writer's open meets a violation.
    std::unique_ptr<Fsctl> rh_denying_writers(HANDLE* a) {
        EXPECT_EQ(open(a, GENERIC_READ, 0, FILE_OPEN, "\\file.bin", FILE_SHARE_READ), STATUS_SUCCESS);
        return win7(*a, R | H, REQUEST_OPLOCK_INPUT_FLAG_REQUEST);
    }
    // The open still waits for the owner; the owner closes its handle and the open goes through.
    static void close_owner_and_expect_the_open(HANDLE owner, PendingOpen& p) {
        EXPECT_FALSE(p.done.load());
        EXPECT_EQ(NtClose(owner), STATUS_SUCCESS);
        ASSERT_EQ(p.join(), STATUS_SUCCESS);
        EXPECT_EQ(NtClose(p.handle), STATUS_SUCCESS);
    }
};

// An RH oplock's owner denies write sharing; a writer's open breaks RH to R (acknowledgement
// required) instead of failing at once, waits, and opens once the owner closes its handle.
TEST_F(OplockSharingTest, violation_breaks_rh_and_the_owners_close_lets_the_open_through) {
    HANDLE a = nullptr;
    auto rh = rh_denying_writers(&a);
    ASSERT_EQ(rh->returned, STATUS_PENDING);

    PendingOpen writer;
    ASSERT_TRUE(open_breaks_first(writer, GENERIC_READ | GENERIC_WRITE, *rh, a));
    EXPECT_EQ(rh->output.OriginalOplockLevel, R | H);
    EXPECT_EQ(rh->output.NewOplockLevel, R);
    EXPECT_EQ(rh->output.Flags, ULONG(REQUEST_OPLOCK_OUTPUT_FLAG_ACK_REQUIRED));
    close_owner_and_expect_the_open(a, writer);
}

// The owner acknowledges to R and keeps its handle: the share check runs again and fails; the R
// oplock left is not broken by that second attempt (it caches no handle).
TEST_F(OplockSharingTest, acknowledgement_that_keeps_the_handle_leaves_the_violation) {
    HANDLE a = nullptr;
    auto rh = rh_denying_writers(&a);
    ASSERT_EQ(rh->returned, STATUS_PENDING);

    PendingOpen writer;
    ASSERT_TRUE(open_breaks_first(writer, GENERIC_WRITE, *rh, a));
    EXPECT_EQ(rh->output.NewOplockLevel, R);
    EXPECT_FALSE(writer.done.load());
    auto ack = win7(a, R, REQUEST_OPLOCK_INPUT_FLAG_ACK);
    EXPECT_EQ(ack->returned, STATUS_PENDING);  // the R oplock now
    EXPECT_EQ(writer.join(), STATUS_SHARING_VIOLATION);
    EXPECT_EQ(writer.handle, nullptr);
    EXPECT_FALSE(ack->done());
    EXPECT_EQ(NtClose(a), STATUS_SUCCESS);
    EXPECT_EQ(ack->wait(), STATUS_OPLOCK_HANDLE_CLOSED);
}

// A batch oplock caches its handle too: the violating open breaks it (to none, as rename and
// delete do) and opens once the owner closes.
TEST_F(OplockSharingTest, violation_breaks_a_batch_oplock_and_waits_for_the_owner) {
    HANDLE a = nullptr;
    ASSERT_EQ(open(&a, GENERIC_READ | GENERIC_WRITE, 0, FILE_OPEN, "\\file.bin", 0), STATUS_SUCCESS);
    auto batch = legacy(a, FSCTL_REQUEST_BATCH_OPLOCK);
    ASSERT_EQ(batch->returned, STATUS_PENDING);

    PendingOpen reader;
    ASSERT_TRUE(open_breaks_first(reader, GENERIC_READ, *batch, a));
    EXPECT_EQ(batch->iosb.Information, ULONG_PTR(FILE_OPLOCK_BROKEN_TO_NONE));
    close_owner_and_expect_the_open(a, reader);
}

// An oplock that caches no handle (R) is left alone and the violation comes at once; so it does for
// an open with FILE_COMPLETE_IF_OPLOCKED, which asks not to wait for breaks (an RWH oplock stays).
TEST_F(OplockSharingTest, violation_without_handle_caching_fails_at_once) {
    HANDLE a = nullptr;
    ASSERT_EQ(open(&a, GENERIC_READ, 0, FILE_OPEN, "\\file.bin", FILE_SHARE_READ), STATUS_SUCCESS);
    auto r = win7(a, R, REQUEST_OPLOCK_INPUT_FLAG_REQUEST);
    ASSERT_EQ(r->returned, STATUS_PENDING);
    HANDLE b = nullptr;
    EXPECT_EQ(open(&b, GENERIC_WRITE, 0, FILE_OPEN, "\\file.bin", FILE_SHARE_READ | FILE_SHARE_WRITE),
              STATUS_SHARING_VIOLATION);
    EXPECT_FALSE(r->done());
    EXPECT_EQ(NtClose(a), STATUS_SUCCESS);
    EXPECT_EQ(r->wait(), STATUS_OPLOCK_HANDLE_CLOSED);

    ASSERT_EQ(open(&a, GENERIC_READ | GENERIC_WRITE, 0, FILE_OPEN, "\\file.bin", 0), STATUS_SUCCESS);
    auto rwh = win7(a, R | W | H, REQUEST_OPLOCK_INPUT_FLAG_REQUEST);
    ASSERT_EQ(rwh->returned, STATUS_PENDING);
    EXPECT_EQ(open(&b, GENERIC_READ, FILE_COMPLETE_IF_OPLOCKED, FILE_OPEN, "\\file.bin",
                   FILE_SHARE_READ | FILE_SHARE_WRITE),
              STATUS_SHARING_VIOLATION);
    EXPECT_FALSE(rwh->done());
    EXPECT_EQ(NtClose(a), STATUS_SUCCESS);
    EXPECT_EQ(rwh->wait(), STATUS_OPLOCK_HANDLE_CLOSED);
}

}  // namespace
}  // namespace ntio::test::oplocks
