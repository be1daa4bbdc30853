// Stress of the sleep in the ring: two threads take turns (strict ping-pong over two
// synchronization events), each issuing O_DIRECT reads before it hands over (unless kMaxInFlight
// of its reads are still in flight: the turns are faster than the device), so that nearly every
// wait starts with reads in flight and ends either by the other thread's KeSetEvent (the futex SQE
// on the waiter's wait word) or by a completion (then the thread leaves the wait, completes its
// reads and waits again).
// Invariant: no wake is lost (every KeSetEvent ends exactly the wait it is meant for: with strict
// turns a lost one leaves both threads waiting, and the 30 s bound reports it instead of a hang),
// and every read completes exactly once, successfully, on the thread that issued it.
#include <atomic>
#include <climits>
#include <thread>
#include <vector>

#include "uring_disk_test_support.hpp"

namespace ntio::test::drivers::uring {
namespace {

constexpr int kRounds = 20000;
constexpr int kReadsPerTurn = 2;
constexpr int kReadsPerThread = kRounds * kReadsPerTurn;
constexpr int kMaxInFlight = 32;

using UringWakeStressTest = SystemTest;

struct Player {
    std::atomic<int> completed{0};
    std::atomic<int> failed{0};
    std::atomic<int> on_other_thread{0};
    std::atomic<int> issued{0};
    std::atomic<int> target{INT_MAX};  // set once the player issues no more
    std::thread::id id;
    KEVENT turn{};     // set by the other player: this one's turn
    KEVENT drained{};  // set when all of this player's reads have completed
    std::vector<std::atomic<int>> counts = std::vector<std::atomic<int>>(kReadsPerThread);
};

struct Game {
    Player players[2];
};

// RequestContext: player index in bit 31, read number below.
VOID count_read(PVOID request, NTSTATUS status, ULONG_PTR information, PVOID ring_context) {
    auto* game = static_cast<Game*>(ring_context);
    const auto value = reinterpret_cast<ULONG_PTR>(request);
    Player& p = game->players[(value >> 31) & 1];
    const auto read = static_cast<int>(value & 0x7FFFFFFF) - 1;
    if (status != STATUS_SUCCESS || information != kLength) p.failed.fetch_add(1);
    if (std::this_thread::get_id() != p.id) p.on_other_thread.fetch_add(1);
    if (read >= 0 && read < kReadsPerThread) p.counts[static_cast<std::size_t>(read)].fetch_add(1);
    if (p.completed.fetch_add(1) + 1 == p.target.load()) KeSetEvent(&p.drained, IO_NO_INCREMENT, FALSE);
}

TEST_F(UringWakeStressTest, StressTwoThreadsTakingTurnsWithReadsInFlightLoseNoWakeAndCompleteEveryReadOnce)
{
    SKIP_WITHOUT_IO_URING();
    ScratchFile file;
    file.write_host(0, pattern(kDiskSize, 11));
    std::u16string path = u16(file.path());
    UNICODE_STRING name = unicode(path);
    Game game;
    NTIO_URING_PARAMETERS p{};
    p.HostPath = &name;
    p.Flags = NTIO_URING_DIRECT;
    p.QueueDepth = 256;
    p.SubmitBatch = 64;
    p.CompletionRoutine = count_read;
    p.RingContext = &game;
    PNTIO_URING ring = nullptr;
    const NTSTATUS opened = NtioUringOpen(&p, &ring, nullptr);
    if (opened == STATUS_NOT_SUPPORTED) GTEST_SKIP() << "O_DIRECT unsupported on the build's file system";
    ASSERT_EQ(opened, STATUS_SUCCESS);
    for (Player& player : game.players) {
        KeInitializeEvent(&player.turn, SynchronizationEvent, FALSE);
        KeInitializeEvent(&player.drained, NotificationEvent, FALSE);
    }
    AlignedBuffer buffers(2 * kReadsPerTurn * kLength);
    std::atomic<int> failures{0};
    auto play = [&](int me) {
        Player& self = game.players[me];
        Player& other = game.players[1 - me];
        self.id = std::this_thread::get_id();
        LARGE_INTEGER bound;
        bound.QuadPart = -10LL * 1000 * 1000 * 30;
        for (int round = 0; round < kRounds; ++round) {
            // Player 1 starts by waiting, so turns strictly alternate and no set meets a set event.
            if (me == 1 && KeWaitForSingleObject(&self.turn, Executive, KernelMode, FALSE, &bound) != STATUS_SUCCESS) {
                ++failures;
                return;
            }
            for (int i = 0; i < kReadsPerTurn && self.issued.load() - self.completed.load() < kMaxInFlight; ++i) {
                const int read = self.issued.load();
                const ULONG_PTR context = (static_cast<ULONG_PTR>(me) << 31) | static_cast<ULONG_PTR>(read + 1);
                const ULONGLONG offset = static_cast<ULONGLONG>((read * 37 + me * 101) % (kDiskSize / kLength)) * kLength;
                // The buffer is shared by the reads of one player: the data is not checked here.
                const NTSTATUS status = NtioUringRead(ring, buffers.data + (me * kReadsPerTurn + i) * kLength, kLength,
                                                      offset, reinterpret_cast<PVOID>(context));
                if (status != STATUS_PENDING) {
                    ADD_FAILURE() << "player " << me << " round " << round << ": read " << read << " status 0x"
                                  << std::hex << status;
                    ++failures;
                    return;
                }
                self.issued.fetch_add(1);
            }
            KeSetEvent(&other.turn, IO_NO_INCREMENT, FALSE);
            if (me == 0 && KeWaitForSingleObject(&self.turn, Executive, KernelMode, FALSE, &bound) != STATUS_SUCCESS) {
                ++failures;
                return;
            }
        }
        self.target = self.issued.load();
        if (self.completed.load() != self.target.load() &&
            KeWaitForSingleObject(&self.drained, Executive, KernelMode, FALSE, &bound) != STATUS_SUCCESS)
            ++failures;
    };
    std::thread a(play, 0);
    std::thread b(play, 1);
    a.join();
    b.join();
    NtioUringShutdown(ring);
    EXPECT_EQ(failures.load(), 0);
    for (const Player& player : game.players) {
        EXPECT_GE(player.issued.load(), kMaxInFlight);
        EXPECT_EQ(player.completed.load(), player.issued.load());
        EXPECT_EQ(player.failed.load(), 0);
        EXPECT_EQ(player.on_other_thread.load(), 0);
        for (int i = 0; i < kReadsPerThread; ++i)
            ASSERT_EQ(player.counts[static_cast<std::size_t>(i)].load(), i < player.issued.load() ? 1 : 0) << i;
    }
    NtioUringClose(ring);
}

}  // namespace
}  // namespace ntio::test::drivers::uring
