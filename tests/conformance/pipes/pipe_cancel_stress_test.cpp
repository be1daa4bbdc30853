// Cancellation racing data and closes in npfs.sys, with the I/O verifier on the driver (VerifyDrivers,
// read when the driver is loaded again): a waiting read against the write that satisfies it, a write
// waiting for room against the read that takes its data, and a waiting read against the other end
// closing.
// Invariant: every request completes exactly once, with one of the two statuses its race allows, and
// no byte is lost or delivered twice: a cancelled read leaves the byte in the pipe, a cancelled write
// delivered nothing, a write that succeeded was read. Nothing stays pending; no IRP, object or handle
// leaks (fixture).
#include "pipe_test_support.hpp"

#include <ntio/ntio.h>

#include "support/inbox_verifier.hpp"

namespace ntio::test::pipes {
namespace {

constexpr int kIterations = 2000;

class PipeStressTest : public PipeTest {
protected:
    void SetUp() override {
        PipeTest::SetUp();
        reload_inbox_driver_verified(L"npfs.sys", L"Npfs");
    }
};

TEST_F(PipeStressTest, a_read_cancelled_while_data_arrives_completes_once_and_loses_nothing) {
    Connected pipe;
    connect(pipe);
    Handle event(make_event(NotificationEvent, FALSE));
    long received = 0, cancelled = 0, bad = 0;
    for (int i = 0; i < kIterations; ++i) {
        char byte = 0;
        IO_STATUS_BLOCK pending = kUntouched;
        if (read(pipe.client, &byte, 1, &pending, event) != STATUS_PENDING) {
            ++bad;
            break;
        }
        std::thread canceller([&] {
            IO_STATUS_BLOCK io{};
            (void)NtCancelIoFileEx(pipe.client, &pending, &io);
        });
        IO_STATUS_BLOCK written{};
        if (write(pipe.server, "b", 1, &written) != STATUS_SUCCESS) ++bad;
        canceller.join();
        if (wait_for(event) != STATUS_SUCCESS) {
            ++bad;
            break;
        }
        if (pending.Status == STATUS_SUCCESS && pending.Information == 1 && byte == 'b') {
            ++received;
        } else if (pending.Status == STATUS_CANCELLED && pending.Information == 0) {
            ++cancelled;
            IO_STATUS_BLOCK again{};
            if (read(pipe.client, &byte, 1, &again) != STATUS_SUCCESS || again.Information != 1) ++bad;
            ++received;
        } else {
            ++bad;
        }
    }
    EXPECT_EQ(bad, 0);
    EXPECT_EQ(received, kIterations);
    EXPECT_EQ(local_information(pipe.client).ReadDataAvailable, 0u);
    RecordProperty("cancelled", static_cast<int>(cancelled));
}

TEST_F(PipeStressTest, a_waiting_write_cancelled_while_it_is_read_completes_once_and_delivers_all_or_nothing) {
    ServerOptions options;
    options.outbound_quota = 0;  // every write waits for a reader
    Connected pipe;
    connect(pipe, options);
    Handle write_event(make_event(NotificationEvent, FALSE)), read_event(make_event(NotificationEvent, FALSE));
    long delivered = 0, cancelled = 0, bad = 0;
    for (int i = 0; i < kIterations; ++i) {
        IO_STATUS_BLOCK w = kUntouched;
        if (write(pipe.server, "data", 4, &w, write_event) != STATUS_PENDING) {
            ++bad;
            break;
        }
        std::thread canceller([&] {
            IO_STATUS_BLOCK io{};
            (void)NtCancelIoFileEx(pipe.server, &w, &io);
        });
        char buffer[4] = {};
        IO_STATUS_BLOCK r = kUntouched;
        const NTSTATUS read_status = read(pipe.client, buffer, 4, &r, read_event);
        canceller.join();
        if (wait_for(write_event) != STATUS_SUCCESS) {
            ++bad;
            break;
        }
        if (w.Status == STATUS_SUCCESS && w.Information == 4) {
            // The data was read: by the read above, at once or when it came.
            if (wait_for(read_event) != STATUS_SUCCESS || r.Status != STATUS_SUCCESS || r.Information != 4 ||
                std::memcmp(buffer, "data", 4) != 0)
                ++bad;
            ++delivered;
        } else if (w.Status == STATUS_CANCELLED) {
            // Nothing was delivered: the read still waits.
            if (read_status != STATUS_PENDING || event_state(read_event) != 0) ++bad;
            IO_STATUS_BLOCK io{};
            (void)NtCancelIoFileEx(pipe.client, &r, &io);
            if (wait_for(read_event) != STATUS_SUCCESS || r.Status != STATUS_CANCELLED) ++bad;
            ++cancelled;
        } else {
            ++bad;
        }
    }
    EXPECT_EQ(bad, 0);
    EXPECT_EQ(delivered + cancelled, kIterations);
    EXPECT_EQ(local_information(pipe.client).ReadDataAvailable, 0u);
}

TEST_F(PipeStressTest, a_read_cancelled_while_the_other_end_closes_completes_once) {
    Handle event(make_event(NotificationEvent, FALSE));
    long bad = 0;
    for (int i = 0; i < kIterations / 4; ++i) {
        Connected pipe;
        connect(pipe);
        char byte;
        IO_STATUS_BLOCK pending = kUntouched;
        if (read(pipe.client, &byte, 1, &pending, event) != STATUS_PENDING) {
            ++bad;
            break;
        }
        std::thread closer([&] { pipe.server.reset(); });
        IO_STATUS_BLOCK io{};
        (void)NtCancelIoFileEx(pipe.client, &pending, &io);
        closer.join();
        if (wait_for(event) != STATUS_SUCCESS ||
            (pending.Status != STATUS_PIPE_BROKEN && pending.Status != STATUS_CANCELLED) || pending.Information != 0)
            ++bad;
    }
    EXPECT_EQ(bad, 0);
}

}  // namespace
}  // namespace ntio::test::pipes
