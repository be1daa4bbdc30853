// The byte-range lock rules through the routines a file system's fast I/O path calls (FsRtlFastLock,
// FsRtlFastCheckLockFor*, FsRtlFastUnlock*, FsRtlGetNextFileLock): exclusive against shared, the
// owner (file object, process, key), zero-length ranges and the 64-bit end of the file. The rules
// are MS-FSA 2.1.4.10 and 2.1.5.8/9 and the LockFileEx remarks on Microsoft Learn.
#include "unit/fsrtl/file_lock_test_support.hpp"

#include <vector>

namespace ntio::fsrtl::test {
namespace {

// LockFileEx: an exclusive lock denies every other owner both reading and writing; the owner keeps
// both. A different file object, process or key is another owner.
TEST_F(FileLockTest, exclusive_lock_keeps_reads_and_writes_to_its_owner)
{
    ASSERT_EQ(lock(a, 100, 10, true), STATUS_SUCCESS);
    EXPECT_TRUE(can_read(a, 100, 10));
    EXPECT_TRUE(can_write(a, 105, 1));
    for (const Owner& other : {b, a_key7, a_other_process}) {
        EXPECT_FALSE(can_read(other, 109, 1));
        EXPECT_FALSE(can_write(other, 95, 6));
        EXPECT_TRUE(can_read(other, 90, 10)) << "ends just before the lock";
        EXPECT_TRUE(can_write(other, 110, 5)) << "starts just after the lock";
    }
}

// LockFileEx: a shared lock denies all writers, the process that took it included; all may read.
TEST_F(FileLockTest, shared_lock_denies_every_writer_and_no_reader)
{
    ASSERT_EQ(lock(a, 0, 4096, false), STATUS_SUCCESS);
    EXPECT_TRUE(can_read(a, 0, 4096));
    EXPECT_TRUE(can_read(b, 100, 1));
    EXPECT_FALSE(can_write(a, 100, 1));
    EXPECT_FALSE(can_write(b, 4095, 10));
    EXPECT_TRUE(can_write(b, 4096, 10));
}

// LockFileEx: exclusive locks cannot overlap an existing locked region, not even the owner's own;
// shared locks may overlap shared ones. MS-FSA 2.1.4.10: a shared request inside the owner's own
// exclusive lock is granted, anyone else's is not.
TEST_F(FileLockTest, overlap_rules_for_lock_requests)
{
    ASSERT_EQ(lock(a, 0, 10, true), STATUS_SUCCESS);
    EXPECT_EQ(lock(a, 5, 10, true), STATUS_LOCK_NOT_GRANTED);
    EXPECT_EQ(lock(a, 5, 2, false), STATUS_SUCCESS);
    EXPECT_EQ(lock(b, 5, 2, false), STATUS_LOCK_NOT_GRANTED);
    EXPECT_EQ(lock(a_key7, 5, 2, false), STATUS_LOCK_NOT_GRANTED);
    EXPECT_EQ(lock(b, 10, 10, false), STATUS_SUCCESS);
    EXPECT_EQ(lock(a, 15, 1, false), STATUS_SUCCESS) << "shared over shared";
    EXPECT_EQ(lock(a, 15, 1, true), STATUS_LOCK_NOT_GRANTED) << "exclusive over the owner's shared";
}

// MS-FSA 2.1.4.10: a zero-length range at offset X is the empty range ending at X - 1, so it
// overlaps a range that holds both X - 1 and X; the {0, 0} range overlaps nothing.
TEST_F(FileLockTest, zero_length_locks_and_checks)
{
    ASSERT_EQ(lock(a, 100, 0, true), STATUS_SUCCESS);
    EXPECT_EQ(lock(b, 98, 4, true), STATUS_LOCK_NOT_GRANTED);
    EXPECT_EQ(lock(b, 90, 10, true), STATUS_SUCCESS);
    EXPECT_EQ(lock(b, 100, 10, true), STATUS_SUCCESS);
    EXPECT_FALSE(can_write(b, 99, 2)) << "a's empty range at 100";
    EXPECT_EQ(unlock(a, 100, 0), STATUS_SUCCESS);
    EXPECT_FALSE(can_write(a_key7, 99, 2)) << "b's locks still cover 99 and 100";
}

TEST_F(FileLockTest, null_range_never_conflicts)
{
    ASSERT_EQ(lock(a, 0, 0, true), STATUS_SUCCESS);
    EXPECT_EQ(lock(b, 0, 1, true), STATUS_SUCCESS);
    EXPECT_TRUE(can_write(a, 0, 0)) << "{0, 0} against b's exclusive lock";
    EXPECT_FALSE(can_write(a, 0, 1));
    EXPECT_TRUE(can_read(a, 1, 0)) << "the empty range at 1 overlaps only a lock holding bytes 0 and 1";
    EXPECT_FALSE(can_read(a, 0, 1));
}

// MS-FSA 2.1.5.8: a range running past the largest 64-bit offset is STATUS_INVALID_LOCK_RANGE; a
// range ending exactly at it is fine, and so is any zero-length range.
TEST_F(FileLockTest, ranges_at_the_end_of_64_bit_offsets)
{
    EXPECT_EQ(lock(a, -1, 1, true), STATUS_SUCCESS) << "the byte 0xFFFFFFFFFFFFFFFF";
    EXPECT_EQ(lock(a, -1, 2, true), STATUS_INVALID_LOCK_RANGE);
    EXPECT_EQ(lock(a, 2, -1, true), STATUS_INVALID_LOCK_RANGE);
    EXPECT_EQ(lock(a, -1, 0, true), STATUS_SUCCESS);
    EXPECT_EQ(lock(b, 0x7fffffffffffffffLL, 0x10, true), STATUS_SUCCESS) << "past the largest signed offset";
    EXPECT_FALSE(can_read(a, static_cast<LONGLONG>(0x8000000000000000ULL), 1)) << "offsets are unsigned";
    EXPECT_EQ(lock(b, -2, 1, true), STATUS_SUCCESS);
    EXPECT_EQ(lock(b, -2, 2, true), STATUS_LOCK_NOT_GRANTED);
    EXPECT_FALSE(can_read(a, -4, 10)) << "a check running past the end is checked up to it";
    EXPECT_TRUE(can_read(a, -6, 2));
    EXPECT_EQ(unlock(a, -1, 2), STATUS_INVALID_LOCK_RANGE);
    EXPECT_EQ(unlock(a, -1, 1), STATUS_SUCCESS);
}

// MS-FSA 2.1.5.9: an unlock names exactly one lock by range and owner; nothing else matches, and
// of an exclusive and a shared lock with the same range the exclusive one goes first.
TEST_F(FileLockTest, unlock_single_needs_the_exact_range_and_owner)
{
    ASSERT_EQ(lock(a, 0, 10, true), STATUS_SUCCESS);
    ASSERT_EQ(lock(a, 0, 10, false), STATUS_SUCCESS);
    EXPECT_EQ(unlock(a, 0, 5), STATUS_RANGE_NOT_LOCKED);
    EXPECT_EQ(unlock(a, 1, 9), STATUS_RANGE_NOT_LOCKED);
    EXPECT_EQ(unlock(a_key7, 0, 10), STATUS_RANGE_NOT_LOCKED);
    EXPECT_EQ(unlock(b, 0, 10), STATUS_RANGE_NOT_LOCKED);
    EXPECT_EQ(unlock(a_other_process, 0, 10), STATUS_RANGE_NOT_LOCKED);
    EXPECT_FALSE(can_read(b, 0, 1));
    EXPECT_EQ(unlock(a, 0, 10), STATUS_SUCCESS);
    EXPECT_TRUE(can_read(b, 0, 1)) << "the exclusive lock went first";
    EXPECT_FALSE(can_write(b, 0, 1)) << "the shared one is still there";
    EXPECT_EQ(unlock(a, 0, 10), STATUS_SUCCESS);
    EXPECT_EQ(unlock(a, 0, 10), STATUS_RANGE_NOT_LOCKED);
    EXPECT_TRUE(can_write(b, 0, 10));
}

// FsRtlFastUnlockAll releases the locks of one file object and process; FsRtlFastUnlockAllByKey
// only those with the key as well.
TEST_F(FileLockTest, unlock_all_and_by_key_release_only_their_owner)
{
    ASSERT_EQ(lock(a, 0, 10, true), STATUS_SUCCESS);
    ASSERT_EQ(lock(a_key7, 20, 10, true), STATUS_SUCCESS);
    ASSERT_EQ(lock(a_other_process, 40, 10, true), STATUS_SUCCESS);
    ASSERT_EQ(lock(b, 60, 10, true), STATUS_SUCCESS);
    EXPECT_EQ(FsRtlFastUnlockAllByKey(&m_lock, a.file, a.process, 7, nullptr), STATUS_SUCCESS);
    EXPECT_TRUE(can_write(b, 20, 10));
    EXPECT_FALSE(can_write(b, 0, 10));
    EXPECT_EQ(FsRtlFastUnlockAll(&m_lock, a.file, a.process, nullptr), STATUS_SUCCESS);
    EXPECT_TRUE(can_write(b, 0, 10));
    EXPECT_FALSE(can_write(b, 40, 10)) << "another process's lock on the same file object stays";
    EXPECT_FALSE(can_write(a, 60, 10));
}

struct Released {
    PVOID context;
    FILE_LOCK_INFO info;
};
std::vector<Released> g_released;

VOID NTAPI record_unlock(PVOID context, PFILE_LOCK_INFO info) { g_released.push_back({context, *info}); }

// The UnlockRoutine hears of every lock the unlock routines release, with their Context.
TEST_F(FileLockTest, unlock_routine_sees_each_released_lock)
{
    g_released.clear();
    PFILE_LOCK lock = FsRtlAllocateFileLock(nullptr, record_unlock);
    ASSERT_NE(lock, nullptr);
    LARGE_INTEGER off, len;
    IO_STATUS_BLOCK iosb{};
    off.QuadPart = 8;
    len.QuadPart = 4;
    ASSERT_TRUE(FsRtlFastLock(lock, a.file, &off, &len, a.process, 3, TRUE, TRUE, &iosb, nullptr, FALSE));
    ASSERT_EQ(iosb.Status, STATUS_SUCCESS);
    off.QuadPart = 100;
    ASSERT_TRUE(FsRtlFastLock(lock, a.file, &off, &len, a.process, 3, TRUE, FALSE, &iosb, nullptr, FALSE));
    EXPECT_EQ(FsRtlFastUnlockSingle(lock, a.file, &off, &len, a.process, 3, reinterpret_cast<PVOID>(0x55), FALSE),
              STATUS_SUCCESS);
    ASSERT_EQ(g_released.size(), 1u);
    EXPECT_EQ(g_released[0].context, reinterpret_cast<PVOID>(0x55));
    EXPECT_EQ(g_released[0].info.StartingByte.QuadPart, 100);
    EXPECT_EQ(g_released[0].info.Length.QuadPart, 4);
    EXPECT_EQ(g_released[0].info.EndingByte.QuadPart, 103);
    EXPECT_FALSE(g_released[0].info.ExclusiveLock);
    EXPECT_EQ(g_released[0].info.Key, 3u);
    EXPECT_EQ(g_released[0].info.FileObject, a.file);
    EXPECT_EQ(g_released[0].info.ProcessId, static_cast<PVOID>(a.process));
    EXPECT_EQ(FsRtlFastUnlockAll(lock, a.file, a.process, reinterpret_cast<PVOID>(0x66)), STATUS_SUCCESS);
    ASSERT_EQ(g_released.size(), 2u);
    EXPECT_EQ(g_released[1].context, reinterpret_cast<PVOID>(0x66));
    EXPECT_TRUE(g_released[1].info.ExclusiveLock);
    FsRtlFreeFileLock(lock);
}

// FsRtlGetNextFileLock walks every granted lock once, in no promised order, and restarts on request.
TEST_F(FileLockTest, get_next_file_lock_enumerates_granted_locks)
{
    EXPECT_EQ(FsRtlGetNextFileLock(&m_lock, TRUE), nullptr);
    ASSERT_EQ(lock(a, 0, 1, true), STATUS_SUCCESS);
    ASSERT_EQ(lock(b, 10, 5, false), STATUS_SUCCESS);
    ASSERT_EQ(lock(a_key7, 20, 0, true), STATUS_SUCCESS);
    LONGLONG seen = 0;
    int count = 0;
    for (PFILE_LOCK_INFO p = FsRtlGetNextFileLock(&m_lock, TRUE); p; p = FsRtlGetNextFileLock(&m_lock, FALSE)) {
        seen += p->StartingByte.QuadPart;
        ++count;
    }
    EXPECT_EQ(count, 3);
    EXPECT_EQ(seen, 30);
    EXPECT_NE(FsRtlGetNextFileLock(&m_lock, TRUE), nullptr);
}

// FsRtlAreThereCurrentFileLocks stays TRUE once the file has had a lock; the "or in progress" form
// follows the locks held and the requests the file system counts.
TEST_F(FileLockTest, current_and_in_progress_locks)
{
    EXPECT_FALSE(FsRtlAreThereCurrentFileLocks(&m_lock));
    EXPECT_FALSE(FsRtlAreThereCurrentOrInProgressFileLocks(&m_lock));
    FsRtlIncrementLockRequestsInProgress(&m_lock);
    EXPECT_TRUE(FsRtlAreThereCurrentOrInProgressFileLocks(&m_lock));
    FsRtlDecrementLockRequestsInProgress(&m_lock);
    ASSERT_EQ(lock(a, 0, 1, false), STATUS_SUCCESS);
    EXPECT_TRUE(FsRtlAreThereCurrentFileLocks(&m_lock));
    EXPECT_TRUE(FsRtlAreThereCurrentOrInProgressFileLocks(&m_lock));
    EXPECT_EQ(unlock(a, 0, 1), STATUS_SUCCESS);
    EXPECT_TRUE(FsRtlAreThereCurrentFileLocks(&m_lock));
    EXPECT_FALSE(FsRtlAreThereCurrentOrInProgressFileLocks(&m_lock));
}

// Without an IRP a request that would have to wait is not taken: FALSE, and the caller sends the
// IRP instead (the fast I/O contract).
TEST_F(FileLockTest, fast_lock_without_irp_does_not_wait)
{
    ASSERT_EQ(lock(a, 0, 10, true), STATUS_SUCCESS);
    LARGE_INTEGER off, len;
    off.QuadPart = 5;
    len.QuadPart = 1;
    IO_STATUS_BLOCK iosb{};
    iosb.Status = STATUS_UNSUCCESSFUL;
    EXPECT_FALSE(FsRtlFastLock(&m_lock, b.file, &off, &len, b.process, 0, FALSE, TRUE, &iosb, nullptr, FALSE));
    EXPECT_EQ(iosb.Status, STATUS_UNSUCCESSFUL);
    EXPECT_EQ(FsRtlFastUnlockAll(&m_lock, b.file, b.process, nullptr), STATUS_SUCCESS) << "nothing held, file has locks";
}

}  // namespace
}  // namespace ntio::fsrtl::test
