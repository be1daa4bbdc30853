// Share access with write permission and with links: IoSetShareAccessEx (an open without write
// permission cannot keep others from reading) and IoCheckLinkShareAccess (a file's reads and
// writes shared across its links, deletes per link), called as a file system calls them from its
// create path, under its own lock for the file.
// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-iosetshareaccessex
// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-iochecklinkshareaccess
#include "support/system_fixture.hpp"

#include <wdm.h>

namespace link_share_access_test {

class LinkShareAccessTest : public ntio::test::SystemTest {};

constexpr ULONG kUpdate = IO_CHECK_SHARE_ACCESS_UPDATE_SHARE_ACCESS;
constexpr ULONG kShareAll = FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE;

// Without write permission an exclusive reader shares reads: a second reader gets in.
TEST_F(LinkShareAccessTest, set_ex_without_write_permission_shares_reads)
{
    for (const BOOLEAN permission : {FALSE, TRUE}) {
        SHARE_ACCESS share{};
        FILE_OBJECT first{};
        FILE_OBJECT second{};
        BOOLEAN write_permission = permission;
        IoSetShareAccessEx(FILE_GENERIC_READ, 0, &first, &share, &write_permission);
        EXPECT_EQ(share.OpenCount, 1u);
        EXPECT_EQ(share.SharedRead, permission ? 0u : 1u);
        EXPECT_EQ(first.SharedRead, !permission);
        EXPECT_EQ(IoCheckShareAccess(FILE_GENERIC_READ, FILE_SHARE_READ, &second, &share, FALSE),
                  permission ? STATUS_SHARING_VIOLATION : STATUS_SUCCESS);
    }
}

// A writer keeps its share mode whatever the permission says, and no WritePermission is
// IoSetShareAccess.
TEST_F(LinkShareAccessTest, set_ex_leaves_writers_and_a_null_permission_alone)
{
    SHARE_ACCESS share{};
    FILE_OBJECT writer{};
    BOOLEAN no_permission = FALSE;
    IoSetShareAccessEx(FILE_GENERIC_READ | FILE_GENERIC_WRITE, 0, &writer, &share, &no_permission);
    EXPECT_EQ(share.SharedRead, 0u);
    FILE_OBJECT reader{};
    EXPECT_EQ(IoCheckShareAccess(FILE_GENERIC_READ, kShareAll, &reader, &share, FALSE), STATUS_SHARING_VIOLATION);

    SHARE_ACCESS plain{};
    SHARE_ACCESS ex{};
    FILE_OBJECT a{};
    FILE_OBJECT b{};
    IoSetShareAccess(FILE_READ_DATA | DELETE, FILE_SHARE_WRITE, &a, &plain);
    IoSetShareAccessEx(FILE_READ_DATA | DELETE, FILE_SHARE_WRITE, &b, &ex, nullptr);
    EXPECT_EQ(std::memcmp(&plain, &ex, sizeof plain), 0);
}

// Deletes are per link: an open of link A that does not share deletes blocks a delete through A,
// not through B. Reads and writes are the file's, whatever link names it.
TEST_F(LinkShareAccessTest, deletes_are_checked_per_link)
{
    SHARE_ACCESS file{};
    LINK_SHARE_ACCESS link_a{};
    LINK_SHARE_ACCESS link_b{};
    FILE_OBJECT holder{};
    ASSERT_EQ(IoCheckLinkShareAccess(FILE_READ_DATA, FILE_SHARE_READ, &holder, &file, &link_a, kUpdate), STATUS_SUCCESS);
    EXPECT_EQ(link_a.OpenCount, 1u);
    EXPECT_EQ(link_a.SharedDelete, 0u);
    EXPECT_EQ(file.OpenCount, 1u);

    FILE_OBJECT deleter{};
    EXPECT_EQ(IoCheckLinkShareAccess(DELETE, kShareAll, &deleter, &file, &link_a, kUpdate), STATUS_SHARING_VIOLATION);
    EXPECT_EQ(IoCheckLinkShareAccess(DELETE, kShareAll, &deleter, &file, &link_b, kUpdate), STATUS_SUCCESS);
    EXPECT_EQ(link_b.Deleters, 1u);
    EXPECT_EQ(file.Deleters, 1u) << "the file's counters count every class";

    // A writer conflicts through either link: the holder does not share writes.
    FILE_OBJECT writer{};
    EXPECT_EQ(IoCheckLinkShareAccess(FILE_WRITE_DATA, kShareAll, &writer, &file, &link_b, 0), STATUS_SHARING_VIOLATION);
    // An open of link B refusing to share deletes conflicts with B's deleter, not with link A.
    FILE_OBJECT reader{};
    EXPECT_EQ(IoCheckLinkShareAccess(FILE_READ_DATA, FILE_SHARE_READ, &reader, &file, &link_b, 0),
              STATUS_SHARING_VIOLATION);
    EXPECT_EQ(IoCheckLinkShareAccess(FILE_READ_DATA, FILE_SHARE_READ, &reader, &file, &link_a, 0), STATUS_SUCCESS);
}

// Without a LinkShareAccess the routine is IoCheckShareAccess: same answers, same counters.
TEST_F(LinkShareAccessTest, without_a_link_it_is_io_check_share_access)
{
    constexpr ACCESS_MASK kAccess[] = {0, FILE_READ_DATA, FILE_WRITE_DATA, DELETE, FILE_APPEND_DATA | DELETE,
                                       FILE_GENERIC_READ | FILE_GENERIC_WRITE, FILE_READ_ATTRIBUTES};
    int checked = 0;
    for (ACCESS_MASK first_access : kAccess) {
        for (ULONG first_share = 0; first_share < 8; ++first_share) {
            for (ACCESS_MASK access : kAccess) {
                for (ULONG share_mode = 0; share_mode < 8; ++share_mode) {
                    SHARE_ACCESS expected{};
                    SHARE_ACCESS actual{};
                    FILE_OBJECT a{}, b{}, c{}, d{};
                    ASSERT_EQ(IoCheckShareAccess(first_access, first_share, &a, &expected, TRUE), STATUS_SUCCESS);
                    ASSERT_EQ(IoCheckLinkShareAccess(first_access, first_share, &b, &actual, nullptr, kUpdate),
                              STATUS_SUCCESS);
                    EXPECT_EQ(IoCheckLinkShareAccess(access, share_mode, &d, &actual, nullptr, kUpdate),
                              IoCheckShareAccess(access, share_mode, &c, &expected, TRUE))
                        << std::hex << first_access << "/" << first_share << " then " << access << "/" << share_mode;
                    EXPECT_EQ(std::memcmp(&expected, &actual, sizeof expected), 0);
                    ++checked;
                }
            }
        }
    }
    EXPECT_EQ(checked, 7 * 8 * 7 * 8);
}

// Without IO_CHECK_SHARE_ACCESS_UPDATE_SHARE_ACCESS a permitted open is not counted; with
// IO_CHECK_SHARE_ACCESS_DONT_UPDATE_FILE_OBJECT (or no file object) the file object is left as it is
// and the open is counted from what it asked.
TEST_F(LinkShareAccessTest, update_flags_choose_what_is_written)
{
    SHARE_ACCESS file{};
    LINK_SHARE_ACCESS link{};
    FILE_OBJECT open{};
    ASSERT_EQ(IoCheckLinkShareAccess(FILE_READ_DATA | DELETE, FILE_SHARE_READ, &open, &file, &link, 0), STATUS_SUCCESS);
    EXPECT_EQ(file.OpenCount, 0u);
    EXPECT_EQ(link.OpenCount, 0u);
    EXPECT_TRUE(open.ReadAccess && open.DeleteAccess && open.SharedRead);

    FILE_OBJECT untouched{};
    ASSERT_EQ(IoCheckLinkShareAccess(FILE_READ_DATA | DELETE, FILE_SHARE_READ, &untouched, &file, &link,
                                     kUpdate | IO_CHECK_SHARE_ACCESS_DONT_UPDATE_FILE_OBJECT),
              STATUS_SUCCESS);
    EXPECT_FALSE(untouched.ReadAccess || untouched.DeleteAccess || untouched.SharedRead);
    EXPECT_EQ(file.OpenCount, 1u);
    EXPECT_EQ(file.Readers, 1u);
    EXPECT_EQ(link.Deleters, 1u);
    EXPECT_EQ(link.SharedDelete, 0u);

    ASSERT_EQ(IoCheckLinkShareAccess(FILE_READ_DATA, kShareAll, nullptr, &file, &link, kUpdate), STATUS_SUCCESS);
    EXPECT_EQ(file.OpenCount, 2u);
    EXPECT_EQ(link.OpenCount, 2u);
    EXPECT_EQ(link.SharedDelete, 1u);
}

// IO_CHECK_SHARE_ACCESS_DONT_CHECK_* leave one class out of the check.
TEST_F(LinkShareAccessTest, dont_check_flags_skip_a_class)
{
    SHARE_ACCESS file{};
    LINK_SHARE_ACCESS link{};
    FILE_OBJECT holder{};
    ASSERT_EQ(IoCheckLinkShareAccess(FILE_READ_DATA | FILE_WRITE_DATA | DELETE, 0, &holder, &file, &link, kUpdate),
              STATUS_SUCCESS);
    const struct {
        ACCESS_MASK access;
        ULONG skip;
    } cases[] = {{FILE_READ_DATA, IO_CHECK_SHARE_ACCESS_DONT_CHECK_READ},
                 {FILE_WRITE_DATA, IO_CHECK_SHARE_ACCESS_DONT_CHECK_WRITE},
                 {DELETE, IO_CHECK_SHARE_ACCESS_DONT_CHECK_DELETE}};
    for (const auto& c : cases) {
        FILE_OBJECT open{};
        EXPECT_EQ(IoCheckLinkShareAccess(c.access, kShareAll, &open, &file, &link, 0), STATUS_SHARING_VIOLATION);
        // Sharing everything, the open's one conflict is its own class against the holder's refusal
        // to share it; leaving that class out lets it in.
        EXPECT_EQ(IoCheckLinkShareAccess(c.access, kShareAll, &open, &file, &link, c.skip), STATUS_SUCCESS)
            << std::hex << c.access;
    }
    // Refusing to share reads conflicts with the holder's reads unless reads are not checked.
    FILE_OBJECT open{};
    EXPECT_EQ(IoCheckLinkShareAccess(FILE_WRITE_DATA, 0, &open, &file, &link,
                                     IO_CHECK_SHARE_ACCESS_DONT_CHECK_WRITE | IO_CHECK_SHARE_ACCESS_DONT_CHECK_DELETE),
              STATUS_SHARING_VIOLATION);
    EXPECT_EQ(IoCheckLinkShareAccess(FILE_WRITE_DATA, 0, &open, &file, &link,
                                     IO_CHECK_SHARE_ACCESS_DONT_CHECK_READ | IO_CHECK_SHARE_ACCESS_DONT_CHECK_WRITE |
                                         IO_CHECK_SHARE_ACCESS_DONT_CHECK_DELETE),
              STATUS_SUCCESS);
}

// IO_SHARE_ACCESS_NO_WRITE_PERMISSION: an exclusive reader shares reads, as with IoSetShareAccessEx.
TEST_F(LinkShareAccessTest, no_write_permission_shares_reads)
{
    SHARE_ACCESS file{};
    LINK_SHARE_ACCESS link{};
    FILE_OBJECT reader{};
    ASSERT_EQ(IoCheckLinkShareAccess(FILE_READ_DATA, 0, &reader, &file, &link,
                                     kUpdate | IO_SHARE_ACCESS_NO_WRITE_PERMISSION),
              STATUS_SUCCESS);
    EXPECT_TRUE(reader.SharedRead);
    FILE_OBJECT second{};
    EXPECT_EQ(IoCheckLinkShareAccess(FILE_READ_DATA, FILE_SHARE_READ, &second, &file, &link, 0), STATUS_SUCCESS);
    EXPECT_EQ(IoCheckLinkShareAccess(FILE_WRITE_DATA, kShareAll, &second, &file, &link, 0), STATUS_SHARING_VIOLATION)
        << "writes are still not shared";
}

bool all_zero(const SHARE_ACCESS& s) {
    return (s.OpenCount | s.Readers | s.Writers | s.Deleters | s.SharedRead | s.SharedWrite | s.SharedDelete) == 0;
}
bool all_zero(const LINK_SHARE_ACCESS& l) { return (l.OpenCount | l.Deleters | l.SharedDelete) == 0; }

// IoCheckShareAccessEx: WritePermission FALSE makes an exclusive reader share reads; NULL or TRUE
// answer and count as IoCheckShareAccess does.
// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-iocheckshareaccessex
TEST_F(LinkShareAccessTest, check_ex_without_write_permission_shares_reads)
{
    SHARE_ACCESS share{};
    FILE_OBJECT first{};
    BOOLEAN no_permission = FALSE;
    ASSERT_EQ(IoCheckShareAccessEx(FILE_GENERIC_READ, 0, &first, &share, TRUE, &no_permission), STATUS_SUCCESS);
    EXPECT_TRUE(first.SharedRead);
    EXPECT_EQ(share.SharedRead, 1u);
    FILE_OBJECT second{};
    EXPECT_EQ(IoCheckShareAccess(FILE_GENERIC_READ, FILE_SHARE_READ, &second, &share, TRUE), STATUS_SUCCESS);

    // A writer without write permission keeps its share mode.
    FILE_OBJECT writer{};
    EXPECT_EQ(IoCheckShareAccessEx(FILE_GENERIC_WRITE, 0, &writer, &share, FALSE, &no_permission),
              STATUS_SHARING_VIOLATION);

    BOOLEAN permission = TRUE;
    for (PBOOLEAN write_permission : {static_cast<PBOOLEAN>(nullptr), &permission}) {
        SHARE_ACCESS expected{};
        SHARE_ACCESS actual{};
        FILE_OBJECT a{}, b{}, c{}, d{};
        ASSERT_EQ(IoCheckShareAccess(FILE_GENERIC_READ, 0, &a, &expected, TRUE), STATUS_SUCCESS);
        ASSERT_EQ(IoCheckShareAccessEx(FILE_GENERIC_READ, 0, &b, &actual, TRUE, write_permission), STATUS_SUCCESS);
        EXPECT_EQ(std::memcmp(&expected, &actual, sizeof expected), 0);
        EXPECT_EQ(IoCheckShareAccessEx(FILE_GENERIC_READ, FILE_SHARE_READ, &d, &actual, FALSE, write_permission),
                  IoCheckShareAccess(FILE_GENERIC_READ, FILE_SHARE_READ, &c, &expected, FALSE));
    }
}

// A file with two links, as a file system keeps it: the first open sets the counters
// (IoSetLinkShareAccess), a later open is checked then counted (IoCheckLinkShareAccess without the
// update flag, then IoUpdateLinkShareAccess), and each close takes its open out again
// (IoRemoveLinkShareAccess / IoRemoveLinkShareAccessEx), leaving every counter at zero.
// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-iosetlinkshareaccess
// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-ioupdatelinkshareaccess
// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-ioremovelinkshareaccess
TEST_F(LinkShareAccessTest, set_update_and_remove_keep_the_file_and_link_counters)
{
    SHARE_ACCESS file{};
    file.OpenCount = 7;  // set starts the counters afresh
    LINK_SHARE_ACCESS link_a{};
    link_a.Deleters = 3;
    LINK_SHARE_ACCESS link_b{};
    FILE_OBJECT first{};
    IoSetLinkShareAccess(FILE_READ_DATA | DELETE, FILE_SHARE_READ, &first, &file, &link_a, 0);
    EXPECT_EQ(file.OpenCount, 1u);
    EXPECT_EQ(file.Readers, 1u);
    EXPECT_EQ(file.Deleters, 1u);
    EXPECT_EQ(file.SharedRead, 1u);
    EXPECT_EQ(link_a.OpenCount, 1u);
    EXPECT_EQ(link_a.Deleters, 1u);
    EXPECT_EQ(link_a.SharedDelete, 0u);

    // Through link B: reads are shared, and B has no deleter, so an open that shares nothing but
    // reads gets in; through link A it would not (A's open deletes without sharing deletes).
    FILE_OBJECT second{};
    EXPECT_EQ(IoCheckLinkShareAccess(FILE_READ_DATA, FILE_SHARE_READ, &second, &file, &link_a, 0),
              STATUS_SHARING_VIOLATION);
    ASSERT_EQ(IoCheckLinkShareAccess(FILE_READ_DATA, FILE_SHARE_READ, &second, &file, &link_b, 0), STATUS_SUCCESS);
    EXPECT_EQ(file.OpenCount, 1u) << "checked, not yet counted";
    IoUpdateLinkShareAccess(&second, &file, &link_b);
    EXPECT_EQ(file.OpenCount, 2u);
    EXPECT_EQ(file.Readers, 2u);
    EXPECT_EQ(link_b.OpenCount, 1u);
    EXPECT_EQ(link_b.Deleters, 0u);

    // While the second open holds link B without sharing deletes, a delete through B fails.
    FILE_OBJECT deleter{};
    EXPECT_EQ(IoCheckLinkShareAccess(DELETE, FILE_SHARE_READ | FILE_SHARE_DELETE, &deleter, &file, &link_b, 0),
              STATUS_SHARING_VIOLATION);
    IoRemoveLinkShareAccess(&second, &file, &link_b);
    EXPECT_TRUE(all_zero(link_b));
    EXPECT_EQ(file.OpenCount, 1u);
    EXPECT_EQ(IoCheckLinkShareAccess(DELETE, FILE_SHARE_READ | FILE_SHARE_DELETE, &deleter, &file, &link_b, 0),
              STATUS_SUCCESS);

    IoRemoveLinkShareAccessEx(&first, &file, &link_a, IO_SHARE_ACCESS_NON_PRIMARY_STREAM);
    EXPECT_TRUE(all_zero(file));
    EXPECT_TRUE(all_zero(link_a));
}

// IoSetLinkShareAccess without write permission shares reads; without a link it sets the file's
// counters alone; an open with no data access counts nothing, and its removal takes nothing out.
TEST_F(LinkShareAccessTest, set_link_honours_write_permission_and_an_open_without_data_access)
{
    SHARE_ACCESS file{};
    LINK_SHARE_ACCESS link{};
    FILE_OBJECT reader{};
    IoSetLinkShareAccess(FILE_GENERIC_READ, 0, &reader, &file, &link, IO_SHARE_ACCESS_NO_WRITE_PERMISSION);
    EXPECT_TRUE(reader.SharedRead);
    EXPECT_EQ(file.SharedRead, 1u);
    EXPECT_EQ(link.OpenCount, 1u);

    SHARE_ACCESS alone{};
    FILE_OBJECT writer{};
    IoSetLinkShareAccess(FILE_GENERIC_WRITE, 0, &writer, &alone, nullptr, IO_SHARE_ACCESS_NO_WRITE_PERMISSION);
    EXPECT_EQ(alone.OpenCount, 1u);
    EXPECT_EQ(alone.Writers, 1u);
    EXPECT_EQ(alone.SharedRead, 0u);
    IoRemoveLinkShareAccess(&writer, &alone, nullptr);
    EXPECT_TRUE(all_zero(alone));

    SHARE_ACCESS attributes_only{};
    LINK_SHARE_ACCESS attributes_link{};
    FILE_OBJECT stat{};
    IoSetLinkShareAccess(FILE_READ_ATTRIBUTES, 0, &stat, &attributes_only, &attributes_link, 0);
    EXPECT_TRUE(all_zero(attributes_only));
    EXPECT_TRUE(all_zero(attributes_link));
    IoUpdateLinkShareAccess(&stat, &file, &link);
    IoRemoveLinkShareAccess(&stat, &file, &link);
    EXPECT_EQ(file.OpenCount, 1u);
    EXPECT_EQ(link.OpenCount, 1u);
}

}  // namespace link_share_access_test
