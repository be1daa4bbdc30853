// The FsRtl name helpers a file system's directory enumeration and create path call:
// FsRtlIsNameInExpression with '*', '?' and the DOS wildcards, FsRtlDoesNameContainWildCards, and
// FsRtlDissectName on the sample table of its Microsoft Learn page.
#include <gtest/gtest.h>

#include <string>

#include <ntifs.h>

namespace ntio::fsrtl::test {
namespace {

UNICODE_STRING us(const wchar_t* s) {
    UNICODE_STRING u;
    RtlInitUnicodeString(&u, s);
    return u;
}

// std::u16string, not std::wstring: the library's wstring is built for a 4-byte wchar_t.
std::u16string text(const UNICODE_STRING& u) {
    return std::u16string(reinterpret_cast<const char16_t*>(u.Buffer ? u.Buffer : L""), u.Length / sizeof(WCHAR));
}
std::u16string text(const wchar_t* s) {
    UNICODE_STRING u;
    RtlInitUnicodeString(&u, s);
    return text(u);
}
const wchar_t* wide(const std::u16string& s) { return reinterpret_cast<const wchar_t*>(s.c_str()); }

bool matches(const wchar_t* expression, const wchar_t* name, bool ignore_case = false, PWCH table = nullptr) {
    UNICODE_STRING e = us(expression), n = us(name);
    return FsRtlIsNameInExpression(&e, &n, ignore_case ? TRUE : FALSE, table) != FALSE;
}

// '*' is zero or more characters, '?' exactly one; both may cross a '.'.
TEST(FsRtlNameTest, star_and_question_mark)
{
    EXPECT_TRUE(matches(L"*", L"a"));
    EXPECT_TRUE(matches(L"*", L"file.txt"));
    EXPECT_TRUE(matches(L"*.TXT", L"A.B.TXT"));
    EXPECT_FALSE(matches(L"*.TXT", L"A.TXTX"));
    EXPECT_TRUE(matches(L"A*B*C", L"AXXBYYC"));
    EXPECT_TRUE(matches(L"A*B*C", L"ABC"));
    EXPECT_FALSE(matches(L"A*B*C", L"ACB"));
    EXPECT_TRUE(matches(L"???", L"A.B"));
    EXPECT_FALSE(matches(L"???", L"AB"));
    EXPECT_FALSE(matches(L"???", L"ABCD"));
    EXPECT_TRUE(matches(L"ABC", L"ABC"));
    EXPECT_FALSE(matches(L"ABC", L"abc")) << "case matters without IgnoreCase";
}

// Microsoft Learn: a zero-length string on one side matches nothing ("*" does not match the empty
// name); two empty strings match.
TEST(FsRtlNameTest, empty_strings)
{
    EXPECT_FALSE(matches(L"*", L""));
    EXPECT_FALSE(matches(L"", L"A"));
    EXPECT_TRUE(matches(L"", L""));
}

// IgnoreCase upcases the name (the expression must already be uppercase): with the system table,
// or with the caller's.
TEST(FsRtlNameTest, ignore_case_upcases_the_name)
{
    EXPECT_TRUE(matches(L"FILE*.TXT", L"file1.txt", true));
    EXPECT_FALSE(matches(L"file*.txt", L"file1.txt", true)) << "a lowercase expression never matches";
    static WCHAR table[65536];
    for (unsigned c = 0; c < 65536; ++c) table[c] = static_cast<WCHAR>(c);
    table[L'q'] = L'K';  // a table of the caller's own making is the one used
    EXPECT_TRUE(matches(L"K?", L"qz", true, table));
    EXPECT_FALSE(matches(L"Q?", L"qz", true, table));
}

// DOS_STAR matches zero or more characters up to the name's final '.', never that '.' itself.
TEST(FsRtlNameTest, dos_star)
{
    EXPECT_TRUE(matches(L"<.TXT", L"A.TXT"));
    EXPECT_TRUE(matches(L"<.TXT", L"A.B.TXT"));
    EXPECT_TRUE(matches(L"<", L"README"));
    EXPECT_FALSE(matches(L"<", L"README.MD"));
    EXPECT_TRUE(matches(L"<.<", L"README.MD"));
    EXPECT_FALSE(matches(L"<X", L"A.X")) << "the final '.' is for the expression to match";
    EXPECT_TRUE(matches(L"<.X", L".X"));
}

// DOS_QM matches one character, or nothing at a '.' or the end of the name (so "A>>>" is "A" plus
// up to three characters before any extension).
TEST(FsRtlNameTest, dos_qm)
{
    EXPECT_TRUE(matches(L"A>>>", L"ABCD"));
    EXPECT_TRUE(matches(L"A>>>", L"AB"));
    EXPECT_TRUE(matches(L"A>>>", L"A"));
    EXPECT_FALSE(matches(L"A>>>", L"ABCDE"));
    EXPECT_TRUE(matches(L">>.TXT", L"A.TXT"));
    EXPECT_FALSE(matches(L">", L".")) << "it never takes a '.'";
}

// DOS_DOT matches a '.', or nothing at the end of the name ("A\"*" is how "A.*" reaches a file system).
TEST(FsRtlNameTest, dos_dot)
{
    EXPECT_TRUE(matches(L"A\"*", L"A.TXT"));
    EXPECT_TRUE(matches(L"A\"*", L"A"));
    EXPECT_TRUE(matches(L"A\"", L"A"));
    EXPECT_FALSE(matches(L"A\"", L"AB"));
    EXPECT_TRUE(matches(L"<\"<", L"A.B"));
}

// A long name against a pattern full of stars still answers (no exponential backtracking).
TEST(FsRtlNameTest, many_stars_do_not_backtrack)
{
    std::u16string name(4000, u'A');
    std::u16string expr;
    for (int i = 0; i < 200; ++i) expr += u"*A";
    expr += u"B";
    EXPECT_FALSE(matches(wide(expr), wide(name)));
    name += u'B';
    EXPECT_TRUE(matches(wide(expr), wide(name)));
}

// The wildcards are '*', '?', DOS_STAR, DOS_QM and DOS_DOT; anywhere in the string.
TEST(FsRtlNameTest, does_name_contain_wildcards)
{
    for (const wchar_t* wild : {L"*", L"A?", L"\\DIR\\<.TXT", L"A>", L"A\"B", L"X*\\Y"}) {
        UNICODE_STRING u = us(wild);
        EXPECT_TRUE(FsRtlDoesNameContainWildCards(&u)) << u.Length;
    }
    for (const wchar_t* plain : {L"", L"A.TXT", L"\\DIR\\FILE", L"[a];+"}) {
        UNICODE_STRING u = us(plain);
        EXPECT_FALSE(FsRtlDoesNameContainWildCards(&u));
    }
}

// The table of the FsRtlDissectName page: the first name, and the rest after the backslash that
// ends it; one leading backslash is skipped; the outputs point into the input buffer.
// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-_fsrtl_advanced_fcb_header-fsrtlarenamesequal
TEST(FsRtlNameTest, names_are_equal_exactly_or_ignoring_case)
{
    UNICODE_STRING a = us(L"Readme.TXT");
    UNICODE_STRING b = us(L"README.txt");
    UNICODE_STRING c = us(L"Readme.TXT");
    UNICODE_STRING d = us(L"Readme.TX");
    EXPECT_TRUE(FsRtlAreNamesEqual(&a, &c, FALSE, nullptr));
    EXPECT_FALSE(FsRtlAreNamesEqual(&a, &b, FALSE, nullptr));
    EXPECT_TRUE(FsRtlAreNamesEqual(&a, &b, TRUE, nullptr));
    EXPECT_FALSE(FsRtlAreNamesEqual(&a, &d, TRUE, nullptr));  // lengths differ
    UNICODE_STRING accented = us(L"\u00e9t\u00e9");          // "été": the system upcase knows more than ASCII
    UNICODE_STRING upper = us(L"\u00c9T\u00c9");
    EXPECT_TRUE(FsRtlAreNamesEqual(&accented, &upper, TRUE, nullptr));
    UNICODE_STRING empty1{}, empty2{};
    EXPECT_TRUE(FsRtlAreNamesEqual(&empty1, &empty2, FALSE, nullptr));
}

TEST(FsRtlNameTest, names_equal_under_the_callers_upcase_table_only_when_ignoring_case)
{
    // A table that upcases nothing but maps 'x' to 'Y': the caller's table, not the system's, decides.
    static WCHAR table[0x10000];
    for (unsigned i = 0; i < 0x10000; ++i) table[i] = static_cast<WCHAR>(i);
    table[L'x'] = L'Y';
    UNICODE_STRING lower = us(L"ax");
    UNICODE_STRING mapped = us(L"aY");
    UNICODE_STRING upper = us(L"AX");
    EXPECT_TRUE(FsRtlAreNamesEqual(&lower, &mapped, TRUE, table));
    EXPECT_FALSE(FsRtlAreNamesEqual(&lower, &upper, TRUE, table));
    EXPECT_FALSE(FsRtlAreNamesEqual(&lower, &mapped, FALSE, table));  // the table is ignored
}

TEST(FsRtlNameTest, a_missing_name_equals_nothing)
{
    UNICODE_STRING a = us(L"name");
    EXPECT_FALSE(FsRtlAreNamesEqual(nullptr, &a, TRUE, nullptr));
    EXPECT_FALSE(FsRtlAreNamesEqual(&a, nullptr, FALSE, nullptr));
    UNICODE_STRING no_buffer{8, 8, nullptr};
    EXPECT_FALSE(FsRtlAreNamesEqual(&a, &no_buffer, FALSE, nullptr));
}

TEST(FsRtlNameTest, dissect_name_sample_table)
{
    struct Row {
        const wchar_t* path;
        const wchar_t* first;
        const wchar_t* rest;
    };
    const Row rows[] = {
        {L"", L"", L""},
        {L"A", L"A", L""},
        {L"A\\B\\C\\D\\E", L"A", L"B\\C\\D\\E"},
        {L"*A?", L"*A?", L""},
        {L"\\A", L"A", L""},
        {L"A[,]", L"A[,]", L""},
        {L"A\\\\B+;\\C", L"A", L"\\B+;\\C"},
    };
    for (const Row& row : rows) {
        UNICODE_STRING path = us(row.path), first{}, rest{};
        FsRtlDissectName(path, &first, &rest);
        EXPECT_TRUE(text(first) == text(row.first)) << path.Length;
        EXPECT_TRUE(text(rest) == text(row.rest)) << path.Length;
        if (first.Length) {
            EXPECT_GE(first.Buffer, path.Buffer);
            EXPECT_LE(first.Buffer + first.Length / sizeof(WCHAR), path.Buffer + path.Length / sizeof(WCHAR));
        }
    }
}

}  // namespace
}  // namespace ntio::fsrtl::test
