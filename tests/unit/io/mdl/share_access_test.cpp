// Share access: IoCheckShareAccess over the full matrix of NT fact N1 (24 access masks x 8 share
// modes for each of two opens), with the expectation computed from the rule the fact states, and
// the SHARE_ACCESS bookkeeping of IoSetShareAccess, IoUpdateShareAccess and IoRemoveShareAccess.
// NT fact N3 (plain devices are not share-checked by the I/O manager) is the file helper's to test
// end to end; here it is the reason these DDIs are only ever called by file systems.
#include <cstring>

#include "support/system_fixture.hpp"

#include <wdm.h>

namespace {

class ShareAccessTest : public ntio::test::SystemTest {};

// Access masks as the I/O manager passes them to a file system (generic rights already mapped).
constexpr ACCESS_MASK kAccess[24] = {
    0,
    FILE_GENERIC_READ,
    FILE_GENERIC_WRITE,
    FILE_GENERIC_READ | FILE_GENERIC_WRITE,
    DELETE,
    FILE_GENERIC_READ | DELETE,
    FILE_GENERIC_WRITE | DELETE,
    FILE_GENERIC_READ | FILE_GENERIC_WRITE | DELETE,
    FILE_READ_DATA,
    FILE_WRITE_DATA,
    FILE_APPEND_DATA,
    FILE_READ_EA,
    FILE_WRITE_EA,
    FILE_READ_DATA | FILE_WRITE_DATA,
    FILE_READ_DATA | FILE_APPEND_DATA,
    FILE_WRITE_DATA | FILE_APPEND_DATA,
    FILE_EXECUTE,
    FILE_DELETE_CHILD,
    FILE_READ_ATTRIBUTES,
    FILE_WRITE_ATTRIBUTES,
    SYNCHRONIZE,
    READ_CONTROL,
    WRITE_DAC | WRITE_OWNER,
    FILE_GENERIC_EXECUTE,
};

// The rule of NT fact N1, written from the fact's text.
struct Wants {
    bool read, write, del;
    bool any() const { return read || write || del; }
};
Wants wants(ACCESS_MASK a) {
    return {(a & (FILE_READ_DATA | FILE_EXECUTE)) != 0, (a & (FILE_WRITE_DATA | FILE_APPEND_DATA)) != 0, (a & DELETE) != 0};
}
bool denies(Wants holder, ULONG other_share) {
    return (holder.read && !(other_share & FILE_SHARE_READ)) || (holder.write && !(other_share & FILE_SHARE_WRITE)) ||
           (holder.del && !(other_share & FILE_SHARE_DELETE));
}
bool expect_conflict(ACCESS_MASK access_a, ULONG share_a, ACCESS_MASK access_b, ULONG share_b) {
    const Wants a = wants(access_a);
    const Wants b = wants(access_b);
    if (!a.any() || !b.any()) return false;  // an open with no data access neither conflicts nor is conflicted with
    return denies(a, share_b) || denies(b, share_a);
}

bool counters_zero(const SHARE_ACCESS& s) {
    return s.OpenCount == 0 && s.Readers == 0 && s.Writers == 0 && s.Deleters == 0 && s.SharedRead == 0 &&
           s.SharedWrite == 0 && s.SharedDelete == 0;
}

// NT fact N1
TEST_F(ShareAccessTest, FullMatrixOfTwoOpensFollowsTheRule) {
    int checked = 0;
    for (ACCESS_MASK access_a : kAccess) {
        for (ULONG share_a = 0; share_a < 8; ++share_a) {
            for (ACCESS_MASK access_b : kAccess) {
                for (ULONG share_b = 0; share_b < 8; ++share_b) {
                    SHARE_ACCESS share{};
                    FILE_OBJECT a{};
                    FILE_OBJECT b{};
                    ASSERT_EQ(IoCheckShareAccess(access_a, share_a, &a, &share, TRUE), STATUS_SUCCESS);
                    const NTSTATUS status = IoCheckShareAccess(access_b, share_b, &b, &share, TRUE);
                    const NTSTATUS expected =
                        expect_conflict(access_a, share_a, access_b, share_b) ? STATUS_SHARING_VIOLATION : STATUS_SUCCESS;
                    ASSERT_EQ(status, expected) << std::hex << "A " << access_a << "/" << share_a << " B " << access_b
                                                << "/" << share_b;
                    if (NT_SUCCESS(status)) IoRemoveShareAccess(&b, &share);
                    IoRemoveShareAccess(&a, &share);
                    ASSERT_TRUE(counters_zero(share));
                    ++checked;
                }
            }
        }
    }
    EXPECT_EQ(checked, 24 * 8 * 24 * 8);
}

TEST_F(ShareAccessTest, CheckRecordsTheOpenInTheFileObject) {
    SHARE_ACCESS share{};
    FILE_OBJECT file{};
    ASSERT_EQ(IoCheckShareAccess(FILE_GENERIC_READ | DELETE, FILE_SHARE_WRITE, &file, &share, TRUE), STATUS_SUCCESS);
    EXPECT_TRUE(file.ReadAccess);
    EXPECT_FALSE(file.WriteAccess);
    EXPECT_TRUE(file.DeleteAccess);
    EXPECT_FALSE(file.SharedRead);
    EXPECT_TRUE(file.SharedWrite);
    EXPECT_FALSE(file.SharedDelete);
    EXPECT_EQ(share.OpenCount, 1u);
    EXPECT_EQ(share.Readers, 1u);
    EXPECT_EQ(share.Writers, 0u);
    EXPECT_EQ(share.Deleters, 1u);
    EXPECT_EQ(share.SharedRead, 0u);
    EXPECT_EQ(share.SharedWrite, 1u);
    EXPECT_EQ(share.SharedDelete, 0u);
    IoRemoveShareAccess(&file, &share);
    EXPECT_TRUE(counters_zero(share));
}

TEST_F(ShareAccessTest, CheckWithoutUpdateThenUpdateCountsOnce) {
    SHARE_ACCESS share{};
    FILE_OBJECT first{};
    FILE_OBJECT second{};
    IoSetShareAccess(FILE_READ_DATA, FILE_SHARE_READ, &first, &share);
    EXPECT_EQ(share.OpenCount, 1u);
    EXPECT_EQ(share.Readers, 1u);
    EXPECT_EQ(share.SharedRead, 1u);
    ASSERT_EQ(IoCheckShareAccess(FILE_READ_DATA, FILE_SHARE_READ | FILE_SHARE_WRITE, &second, &share, FALSE),
              STATUS_SUCCESS);
    EXPECT_EQ(share.OpenCount, 1u);  // not counted yet
    IoUpdateShareAccess(&second, &share);
    EXPECT_EQ(share.OpenCount, 2u);
    EXPECT_EQ(share.Readers, 2u);
    EXPECT_EQ(share.SharedRead, 2u);
    EXPECT_EQ(share.SharedWrite, 1u);
    // A writer is now refused: the first open does not share write.
    FILE_OBJECT writer{};
    EXPECT_EQ(IoCheckShareAccess(FILE_WRITE_DATA, FILE_SHARE_READ | FILE_SHARE_WRITE, &writer, &share, TRUE),
              STATUS_SHARING_VIOLATION);
    IoRemoveShareAccess(&first, &share);
    EXPECT_EQ(IoCheckShareAccess(FILE_WRITE_DATA, FILE_SHARE_READ | FILE_SHARE_WRITE, &writer, &share, TRUE),
              STATUS_SUCCESS);
    IoRemoveShareAccess(&writer, &share);
    IoRemoveShareAccess(&second, &share);
    EXPECT_TRUE(counters_zero(share));
}

TEST_F(ShareAccessTest, OpensWithoutDataAccessAreNotCounted) {
    SHARE_ACCESS share{};
    FILE_OBJECT attributes{};
    IoSetShareAccess(FILE_READ_ATTRIBUTES | SYNCHRONIZE, 0, &attributes, &share);
    EXPECT_TRUE(counters_zero(share));
    FILE_OBJECT exclusive{};
    ASSERT_EQ(IoCheckShareAccess(FILE_GENERIC_READ | FILE_GENERIC_WRITE | DELETE, 0, &exclusive, &share, TRUE),
              STATUS_SUCCESS);
    FILE_OBJECT more_attributes{};
    EXPECT_EQ(IoCheckShareAccess(FILE_WRITE_ATTRIBUTES, 0, &more_attributes, &share, TRUE), STATUS_SUCCESS);
    EXPECT_EQ(share.OpenCount, 1u);
    IoRemoveShareAccess(&more_attributes, &share);
    IoRemoveShareAccess(&attributes, &share);
    EXPECT_EQ(share.OpenCount, 1u);
    IoRemoveShareAccess(&exclusive, &share);
    EXPECT_TRUE(counters_zero(share));
}

}  // namespace
