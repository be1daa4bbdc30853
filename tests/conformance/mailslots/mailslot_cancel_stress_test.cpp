// Cancellation and read timeouts racing messages in msfs.sys, with the I/O verifier on the driver
// (VerifyDrivers, read when the driver is loaded again): a waiting read against the write that
// satisfies it and a cancel, and a waiting read against its own timer and a write.
// Invariant: every read completes exactly once, with a message, STATUS_CANCELLED or STATUS_IO_TIMEOUT,
// and no message is lost or delivered twice: every message written was read or is still queued.
// Nothing stays pending; no IRP, object or handle leaks (fixture).
#include "mailslot_test_support.hpp"

#include <ntio/ntio.h>

#include "support/inbox_verifier.hpp"

namespace ntio::test::mailslots {
namespace {

constexpr int kIterations = 2000;

class MailslotStressTest : public MailslotTest {
protected:
    void SetUp() override {
        MailslotTest::SetUp();
        reload_inbox_driver_verified(L"msfs.sys", L"Msfs");
    }

    // One read of the server racing `race` on another thread and a one-byte write on this one;
    // counts what the read got.
    void run(Slot& slot, bool cancel, long& received, long& ended, long& bad) {
        Handle event(make_event(NotificationEvent, FALSE));
        for (int i = 0; i < kIterations; ++i) {
            char byte = 0;
            IO_STATUS_BLOCK pending = kUntouched;
            NTSTATUS status = read_slot(slot.server.get(), &byte, 1, &pending, event.get());
            std::thread canceller([&] {
                if (cancel) {
                    IO_STATUS_BLOCK io{};
                    (void)NtCancelIoFileEx(slot.server.get(), &pending, &io);
                }
            });
            if (write_slot(slot.client.get(), "m", 1) != STATUS_SUCCESS) ++bad;
            canceller.join();
            if (status == STATUS_PENDING) {
                if (wait_for_slot(event.get()) != STATUS_SUCCESS) {
                    ++bad;
                    break;
                }
                status = pending.Status;
            }
            EXPECT_EQ(NtClearEvent(event.get()), STATUS_SUCCESS);
            if (status == STATUS_SUCCESS && byte == 'm') {
                ++received;
            } else if (status == STATUS_CANCELLED || status == STATUS_IO_TIMEOUT) {
                ++ended;
            } else {
                ++bad;
            }
        }
    }
};

TEST_F(MailslotStressTest, a_read_cancelled_while_a_message_arrives_completes_once_and_loses_nothing) {
    Slot slot;
    make_slot(slot, kForever);
    long received = 0, ended = 0, bad = 0;
    run(slot, true, received, ended, bad);
    EXPECT_EQ(bad, 0);
    EXPECT_EQ(received + ended, kIterations);
    EXPECT_EQ(static_cast<ULONG>(kIterations - received), mailslot_information(slot.server.get()).MessagesAvailable);
}

TEST_F(MailslotStressTest, a_read_timing_out_while_a_message_arrives_completes_once_and_loses_nothing) {
    Slot slot;
    make_slot(slot, 1);
    long received = 0, ended = 0, bad = 0;
    run(slot, false, received, ended, bad);
    EXPECT_EQ(bad, 0);
    EXPECT_EQ(received + ended, kIterations);
    EXPECT_EQ(static_cast<ULONG>(kIterations - received), mailslot_information(slot.server.get()).MessagesAvailable);
}

}  // namespace
}  // namespace ntio::test::mailslots
