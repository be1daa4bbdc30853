// Remove locks: repeated acquisition, IoReleaseRemoveLockAndWait blocking until the other holders
// release, STATUS_DELETE_PENDING from then on (NT fact M4), the per-file CLEANUP pattern (M5) and
// the RemlockSize rules.
#include <atomic>
#include <cstring>
#include <thread>

#include "support/system_fixture.hpp"

#include <wdm.h>

namespace {

class RemoveLockTest : public ntio::test::SystemTest {};

constexpr ULONG kTag = 0x6B6C6D52;  // "Rmlk"

// Spins (hang guard only, never a timing assertion) until pred() holds.
template <class Pred>
bool eventually(Pred pred) {
    for (int i = 0; i < 10'000'000; ++i) {
        if (pred()) return true;
        std::this_thread::yield();
    }
    return pred();
}

// NT fact M4
TEST_F(RemoveLockTest, AcquireSucceedsRepeatedly) {
    IO_REMOVE_LOCK lock;
    IoInitializeRemoveLock(&lock, kTag, 0, 0);
    for (int i = 0; i < 100; ++i) ASSERT_EQ(IoAcquireRemoveLock(&lock, nullptr), STATUS_SUCCESS);
    for (int i = 0; i < 100; ++i) IoReleaseRemoveLock(&lock, nullptr);
    ASSERT_EQ(IoAcquireRemoveLock(&lock, nullptr), STATUS_SUCCESS);
    IoReleaseRemoveLockAndWait(&lock, nullptr);  // nothing else outstanding: returns at once
    EXPECT_EQ(lock.Common.IoCount, 0);
    EXPECT_EQ(IoAcquireRemoveLock(&lock, nullptr), STATUS_DELETE_PENDING);
}

// NT fact M4
TEST_F(RemoveLockTest, ReleaseAndWaitBlocksUntilOtherHoldersReleaseThenAcquireFailsForever) {
    IO_REMOVE_LOCK lock;
    IoInitializeRemoveLock(&lock, kTag, 0, 0);
    ASSERT_EQ(IoAcquireRemoveLock(&lock, nullptr), STATUS_SUCCESS);  // held by "another IRP"
    ASSERT_EQ(IoAcquireRemoveLock(&lock, nullptr), STATUS_SUCCESS);  // held by the waiter
    std::atomic<bool> done{false};
    std::thread remover([&] {
        IoReleaseRemoveLockAndWait(&lock, nullptr);
        done = true;
    });
    // Once removal has started, acquisition fails; the remover cannot finish while we hold ours.
    ASSERT_TRUE(eventually([&] { return __atomic_load_n(&lock.Common.Removed, __ATOMIC_SEQ_CST) != FALSE; }));
    EXPECT_EQ(IoAcquireRemoveLock(&lock, nullptr), STATUS_DELETE_PENDING);
    EXPECT_FALSE(done.load());
    EXPECT_EQ(IoAcquireRemoveLock(&lock, nullptr), STATUS_DELETE_PENDING);
    EXPECT_FALSE(done.load());
    IoReleaseRemoveLock(&lock, nullptr);
    remover.join();
    EXPECT_TRUE(done.load());
    for (int i = 0; i < 3; ++i) EXPECT_EQ(IoAcquireRemoveLock(&lock, nullptr), STATUS_DELETE_PENDING);
}

// NT fact M5: CLEANUP acquires and then waits while a dispatch for the same file still holds the
// lock; the dispatch's release lets CLEANUP continue.
TEST_F(RemoveLockTest, PerFileCleanupWaitsForTheDispatchInProgress) {
    IO_REMOVE_LOCK per_file;
    IoInitializeRemoveLock(&per_file, kTag, 0, 0);
    std::atomic<bool> in_dispatch{false};
    std::atomic<bool> finish_dispatch{false};
    std::atomic<bool> cleanup_done{false};
    std::thread dispatch([&] {
        ASSERT_EQ(IoAcquireRemoveLock(&per_file, nullptr), STATUS_SUCCESS);
        in_dispatch = true;
        ASSERT_TRUE(eventually([&] { return finish_dispatch.load(); }));
        EXPECT_FALSE(cleanup_done.load());
        IoReleaseRemoveLock(&per_file, nullptr);
    });
    ASSERT_TRUE(eventually([&] { return in_dispatch.load(); }));
    std::thread cleanup([&] {
        ASSERT_EQ(IoAcquireRemoveLock(&per_file, nullptr), STATUS_SUCCESS);
        IoReleaseRemoveLockAndWait(&per_file, nullptr);
        cleanup_done = true;
    });
    ASSERT_TRUE(eventually([&] { return __atomic_load_n(&per_file.Common.Removed, __ATOMIC_SEQ_CST) != FALSE; }));
    finish_dispatch = true;
    dispatch.join();
    cleanup.join();
    EXPECT_TRUE(cleanup_done.load());
}

TEST_F(RemoveLockTest, CheckedBuildSizeWorksAndUnknownSizeLeavesTheLockUntouched) {
    struct {
        IO_REMOVE_LOCK lock;
        UCHAR debug_block[0x58];
    } checked;
    static_assert(sizeof(checked) == 0x78);
    IoInitializeRemoveLockEx(&checked.lock, kTag, 0, 0, sizeof(checked));
    EXPECT_EQ(checked.lock.Common.IoCount, 1);
    EXPECT_EQ(IoAcquireRemoveLockEx(&checked.lock, nullptr, __FILE__, __LINE__, sizeof(checked)), STATUS_SUCCESS);
    IoReleaseRemoveLockAndWaitEx(&checked.lock, nullptr, sizeof(checked));
    EXPECT_EQ(checked.lock.Common.Removed, TRUE);

    IO_REMOVE_LOCK odd;
    std::memset(&odd, 0xA5, sizeof odd);
    IoInitializeRemoveLockEx(&odd, kTag, 0, 0, sizeof(odd) - 8);
    const UCHAR* bytes = reinterpret_cast<const UCHAR*>(&odd);
    for (std::size_t i = 0; i < sizeof odd; ++i) ASSERT_EQ(bytes[i], 0xA5) << i;
}

}  // namespace
