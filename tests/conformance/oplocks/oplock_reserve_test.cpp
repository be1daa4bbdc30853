// Filter oplocks reserved by the create on a FAT volume (FILE_RESERVE_OPFILTER): fastfat hands the
// create to FsRtlOplockFsctrlEx, which grants a pending filter oplock to the only open that asks
// for attribute access and shares everything; the owner's FSCTL_REQUEST_FILTER_OPLOCK takes it up
// even after a reader opened meanwhile (Learn's three-step filter oplock procedure), and an open
// that would break a filter oplock ends the reservation without waiting for anyone.
// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-_fsrtl_advanced_fcb_header-fsrtloplockfsctrlex
// https://learn.microsoft.com/windows-hardware/drivers/ifs/granting-oplocks
#include "oplocks/oplock_fat_support.hpp"

namespace ntio::test::oplocks {
namespace {

constexpr ULONG kShareAll = FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE;

using OplockReserveTest = OplockFatTest;

// Step 1 reserves, a reader opens (step 3 of another client), step 2 is granted with two handles
// open; a writer then breaks the filter oplock as any filter oplock.
TEST_F(OplockReserveTest, reserved_filter_oplock_survives_a_reader_and_goes_to_its_owner) {
    HANDLE a = nullptr;
    ASSERT_EQ(open(&a, FILE_READ_ATTRIBUTES, FILE_RESERVE_OPFILTER, FILE_OPEN, "\\file.bin", kShareAll),
              STATUS_SUCCESS);
    HANDLE reader = nullptr;
    ASSERT_EQ(open(&reader, GENERIC_READ, FILE_COMPLETE_IF_OPLOCKED), STATUS_SUCCESS);  // breaks nothing
    auto filter = legacy(a, FSCTL_REQUEST_FILTER_OPLOCK);
    ASSERT_EQ(filter->returned, STATUS_PENDING);
    EXPECT_EQ(read_one(reader, 0), STATUS_SUCCESS);
    EXPECT_FALSE(filter->done());

    HANDLE writer = nullptr;
    EXPECT_EQ(open(&writer, GENERIC_READ | GENERIC_WRITE, FILE_COMPLETE_IF_OPLOCKED), STATUS_OPLOCK_BREAK_IN_PROGRESS);
    EXPECT_TRUE(filter->done());  // broken by the open itself (checked before the closes end it anyway)
    for (HANDLE h : {writer, reader, a}) EXPECT_EQ(NtClose(h), STATUS_SUCCESS);
    EXPECT_EQ(filter->wait(), STATUS_SUCCESS);
    EXPECT_EQ(filter->iosb.Information, ULONG_PTR(FILE_OPLOCK_BROKEN_TO_NONE));
}

// The reservation needs the only open, attribute access alone and full sharing: otherwise the create
// fails with STATUS_OPLOCK_NOT_GRANTED.
TEST_F(OplockReserveTest, reservation_needs_the_only_open_attribute_access_and_full_sharing) {
    HANDLE other = nullptr;
    HANDLE a = nullptr;
    ASSERT_EQ(open(&other, GENERIC_READ), STATUS_SUCCESS);
    EXPECT_EQ(open(&a, FILE_READ_ATTRIBUTES, FILE_RESERVE_OPFILTER, FILE_OPEN, "\\file.bin", kShareAll),
              STATUS_OPLOCK_NOT_GRANTED);
    EXPECT_EQ(a, nullptr);
    EXPECT_EQ(NtClose(other), STATUS_SUCCESS);
    EXPECT_EQ(open(&a, GENERIC_READ, FILE_RESERVE_OPFILTER, FILE_OPEN, "\\file.bin", kShareAll),
              STATUS_OPLOCK_NOT_GRANTED);
    EXPECT_EQ(open(&a, FILE_READ_ATTRIBUTES, FILE_RESERVE_OPFILTER, FILE_OPEN, "\\file.bin", FILE_SHARE_READ),
              STATUS_OPLOCK_NOT_GRANTED);
    ASSERT_EQ(open(&a, FILE_READ_ATTRIBUTES, FILE_RESERVE_OPFILTER, FILE_OPEN, "\\file.bin", kShareAll),
              STATUS_SUCCESS);
    EXPECT_EQ(NtClose(a), STATUS_SUCCESS);
}

// An open that would break a filter oplock (write access) ends the reservation at once, with no
// acknowledgement to wait for; the owner's filter request then finds two handles and is refused.
TEST_F(OplockReserveTest, a_conflicting_open_ends_the_reservation) {
    HANDLE a = nullptr;
    ASSERT_EQ(open(&a, FILE_READ_ATTRIBUTES, FILE_RESERVE_OPFILTER, FILE_OPEN, "\\file.bin", kShareAll),
              STATUS_SUCCESS);
    HANDLE writer = nullptr;
    ASSERT_EQ(open(&writer, GENERIC_WRITE, FILE_COMPLETE_IF_OPLOCKED), STATUS_SUCCESS);
    auto filter = legacy(a, FSCTL_REQUEST_FILTER_OPLOCK);
    EXPECT_EQ(filter->returned, STATUS_OPLOCK_NOT_GRANTED);
    EXPECT_EQ(NtClose(writer), STATUS_SUCCESS);
    EXPECT_EQ(NtClose(a), STATUS_SUCCESS);
}

}  // namespace
}  // namespace ntio::test::oplocks
