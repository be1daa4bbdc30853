// FsRtlIsFatDbcsLegal and FsRtlIsHpfsDbcsLegal on the examples and rules of their Microsoft Learn
// pages, as a FAT or HPFS create path would ask them.
#include <gtest/gtest.h>

#include <cstring>

#include <ntifs.h>

namespace ntio::fsrtl::test {
namespace {

ANSI_STRING as(const char* s) {
    ANSI_STRING a;
    a.Buffer = const_cast<PCHAR>(s);
    a.Length = static_cast<USHORT>(std::strlen(s));
    a.MaximumLength = a.Length;
    return a;
}

bool fat(const char* s, bool wild = false, bool path = false, bool leading = false) {
    return FsRtlIsFatDbcsLegal(as(s), wild, path, leading) != FALSE;
}
bool hpfs(const char* s, bool wild = false, bool path = false, bool leading = false) {
    return FsRtlIsHpfsDbcsLegal(as(s), wild, path, leading) != FALSE;
}

// The page's examples: ".foo", "foo." and "foo .b" are illegal, "foo. b" and "bar" legal; N is 1 to
// 8 bytes and E 1 to 3.
TEST(FsRtlNameLegalTest, fat_names_follow_the_8_3_form)
{
    EXPECT_FALSE(fat(".foo"));
    EXPECT_FALSE(fat("foo."));
    EXPECT_FALSE(fat("foo .b"));
    EXPECT_TRUE(fat("foo. b"));
    EXPECT_TRUE(fat("bar"));
    EXPECT_TRUE(fat("ABCDEFGH.TXT"));
    EXPECT_FALSE(fat("ABCDEFGHI"));
    EXPECT_FALSE(fat("A.TEXT"));
    EXPECT_FALSE(fat("A.B.C"));
    EXPECT_FALSE(fat(""));
}

TEST(FsRtlNameLegalTest, fat_illegal_characters)
{
    for (const char* bad : {"A\"B", "A/B", "A:B", "A|B", "A+B", "A,B", "A;B", "A=B", "A[B", "A]B", "A\x1f"})
        EXPECT_FALSE(fat(bad)) << bad;
    EXPECT_TRUE(fat("A-B_C~1.$$$"));
    EXPECT_TRUE(fat("\xc3\xa9t\xc3\xa9.txt")) << "bytes above 0x7f are name bytes";
}

// Wildcards only when permitted; backslashes only in a path, and a leading one only when permitted.
TEST(FsRtlNameLegalTest, fat_wildcards_and_paths)
{
    EXPECT_FALSE(fat("*.TXT"));
    EXPECT_TRUE(fat("*.TXT", true));
    EXPECT_TRUE(fat("FILE?.<", true));
    EXPECT_FALSE(fat("DIR\\FILE.TXT"));
    EXPECT_TRUE(fat("DIR\\FILE.TXT", false, true));
    EXPECT_FALSE(fat("\\DIR\\FILE.TXT", false, true));
    EXPECT_TRUE(fat("\\DIR\\FILE.TXT", false, true, true));
    EXPECT_FALSE(fat("DIR\\\\FILE", false, true)) << "an empty component";
    EXPECT_FALSE(fat("DIR\\", false, true));
    EXPECT_FALSE(fat("DIR\\LONGFILENAME", false, true)) << "every component is checked";
}

// HPFS: the illegal characters, no '.' or space at the end, at most 255 bytes; leading dots and
// several dots are fine.
TEST(FsRtlNameLegalTest, hpfs_names)
{
    EXPECT_FALSE(hpfs("foo "));
    EXPECT_FALSE(hpfs("foo."));
    EXPECT_TRUE(hpfs(".foo"));
    EXPECT_TRUE(hpfs("foo"));
    EXPECT_TRUE(hpfs("foo.bar.foo"));
    EXPECT_TRUE(hpfs("a long name with spaces+plus,comma;semi=eq[brackets]"));
    for (const char* bad : {"A\"B", "A/B", "A:B", "A<B", "A>B", "A?B", "A|B", "A*B", "A\x01"})
        EXPECT_FALSE(hpfs(bad)) << bad;
    EXPECT_TRUE(hpfs("A*B?", true));
    char name[257];
    std::memset(name, 'x', 256);
    name[256] = 0;
    EXPECT_FALSE(hpfs(name));
    name[255] = 0;
    EXPECT_TRUE(hpfs(name));
    EXPECT_TRUE(hpfs("\\a dir\\a file.text", false, true, true));
    EXPECT_FALSE(hpfs("a dir.\\file", false, true));
}

}  // namespace
}  // namespace ntio::fsrtl::test
