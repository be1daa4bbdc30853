// FsRtlRemoveDotsFromPath: Learn's example, "." and ".." anywhere, the paths Learn says fail
// (STATUS_IO_REPARSE_DATA_INVALID), paths without dots left alone, NULL arguments refused.
// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-fsrtlremovedotsfrompath
#include <gtest/gtest.h>

#include <cstring>

#include <ntifs.h>

namespace path_dots_test {

constexpr size_t kMax = 64;

// Runs the routine on a copy of `path`; on success `out` holds the result (NUL-terminated here).
NTSTATUS remove_dots(const WCHAR* path, WCHAR (&out)[kMax]) {
    size_t n = 0;
    while (path[n]) ++n;
    std::memset(out, 0, sizeof(out));
    std::memcpy(out, path, n * sizeof(WCHAR));
    USHORT length = 0xFFFF;
    const NTSTATUS status = FsRtlRemoveDotsFromPath(out, static_cast<USHORT>(n * sizeof(WCHAR)), &length);
    if (NT_SUCCESS(status)) {
        EXPECT_EQ(length % sizeof(WCHAR), 0u);
        EXPECT_LE(length, n * sizeof(WCHAR));
        out[length / sizeof(WCHAR)] = 0;
    }
    return status;
}

bool same(const WCHAR* a, const WCHAR* b) {
    while (*a && *a == *b) ++a, ++b;
    return *a == *b;
}

TEST(PathDotsTest, learns_example) {
    WCHAR out[kMax];
    ASSERT_EQ(remove_dots(L"\\dir1\\dir2\\..\\dir3\\.\\file.txt", out), STATUS_SUCCESS);
    EXPECT_TRUE(same(out, L"\\dir1\\dir3\\file.txt"));
}

TEST(PathDotsTest, dots_anywhere) {
    struct Case {
        const WCHAR* in;
        const WCHAR* out;
    } cases[] = {
        {L"\\a\\b\\c", L"\\a\\b\\c"},        // nothing to do
        {L"a\\.\\b", L"a\\b"},               // relative path
        {L".\\a", L"a"},
        {L"\\a\\.", L"\\a"},
        {L"\\a\\b\\..\\..\\c", L"\\c"},
        {L"\\a\\..", L"\\"},
        {L"a\\..", L""},
        {L"\\a\\.\\", L"\\a\\"},            // a trailing backslash stays
        {L"\\..a\\.b\\...", L"\\..a\\.b\\..."},  // names that only start with dots are names
        {L"\\", L"\\"},
        {L"", L""},
    };
    for (const Case& c : cases) {
        WCHAR out[kMax];
        ASSERT_EQ(remove_dots(c.in, out), STATUS_SUCCESS);
        EXPECT_TRUE(same(out, c.out));
    }
}

TEST(PathDotsTest, a_dot_dot_with_nothing_to_take_fails) {
    const WCHAR* bad[] = {L"\\..", L"..", L"..\\anyOtherContent", L"\\a\\..\\..\\b", L"a\\..\\.."};
    for (const WCHAR* path : bad) {
        WCHAR out[kMax];
        EXPECT_EQ(remove_dots(path, out), STATUS_IO_REPARSE_DATA_INVALID);
    }
}

TEST(PathDotsTest, bad_arguments) {
    WCHAR path[] = L"\\a";
    USHORT length = 0;
    EXPECT_EQ(FsRtlRemoveDotsFromPath(path, 4, nullptr), STATUS_INVALID_PARAMETER);
    EXPECT_EQ(FsRtlRemoveDotsFromPath(nullptr, 4, &length), STATUS_INVALID_PARAMETER);
    // An odd last byte is not part of the path.
    ASSERT_EQ(FsRtlRemoveDotsFromPath(path, 5, &length), STATUS_SUCCESS);
    EXPECT_EQ(length, 4);
}

}  // namespace path_dots_test
