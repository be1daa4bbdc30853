// Prefix tables through the DDK surface, the way a file system finds the open directory that leads a
// path: longest whole-component match, the case rule of CaseInsensitiveIndex, duplicates refused,
// enumeration across a removal, the ANSI Pfx* form, and bad input.
// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-rtlfindunicodeprefix
#include <gtest/gtest.h>

#include <set>

#include <ntifs.h>

namespace prefix_table_test {

UNICODE_STRING name(const wchar_t* text) {
    UNICODE_STRING s;
    RtlInitUnicodeString(&s, text);
    return s;
}

STRING ansi(const char* text) {
    STRING s;
    RtlInitString(&s, text);
    return s;
}

}  // namespace prefix_table_test

using namespace prefix_table_test;

TEST(RtlUnicodePrefix, FindsTheLongestWholeComponentPrefix) {
    UNICODE_PREFIX_TABLE table;
    RtlInitializeUnicodePrefix(&table);
    UNICODE_STRING root = name(L"\\"), a = name(L"\\a"), ab = name(L"\\a\\b"), abc = name(L"\\a\\bc\\d");
    UNICODE_PREFIX_TABLE_ENTRY e_root, e_a, e_ab, e_abc;
    ASSERT_TRUE(RtlInsertUnicodePrefix(&table, &a, &e_a));
    ASSERT_TRUE(RtlInsertUnicodePrefix(&table, &abc, &e_abc));
    ASSERT_TRUE(RtlInsertUnicodePrefix(&table, &root, &e_root));
    ASSERT_TRUE(RtlInsertUnicodePrefix(&table, &ab, &e_ab));
    UNICODE_STRING q1 = name(L"\\a\\b\\file.txt"), q2 = name(L"\\a\\bx"), q3 = name(L"\\a\\b"),
                   q4 = name(L"\\z"), q5 = name(L"\\a\\bc\\d\\e"), q6 = name(L"relative");
    EXPECT_EQ(RtlFindUnicodePrefix(&table, &q1, 0), &e_ab);
    EXPECT_EQ(RtlFindUnicodePrefix(&table, &q2, 0), &e_a);  // "\a\b" is not a whole component of it
    EXPECT_EQ(RtlFindUnicodePrefix(&table, &q3, 0), &e_ab);
    EXPECT_EQ(RtlFindUnicodePrefix(&table, &q4, 0), &e_root);
    EXPECT_EQ(RtlFindUnicodePrefix(&table, &q5, 0), &e_abc);
    EXPECT_EQ(RtlFindUnicodePrefix(&table, &q6, 0), nullptr);
    EXPECT_EQ(e_ab.Prefix, &ab);
    RtlRemoveUnicodePrefix(&table, &e_ab);
    EXPECT_EQ(RtlFindUnicodePrefix(&table, &q1, 0), &e_a);
    RtlRemoveUnicodePrefix(&table, &e_root);
    EXPECT_EQ(RtlFindUnicodePrefix(&table, &q4, 0), nullptr);
}

TEST(RtlUnicodePrefix, CaseInsensitiveIndexSplitsTheComparison) {
    UNICODE_PREFIX_TABLE table;
    RtlInitializeUnicodePrefix(&table);
    UNICODE_STRING dir = name(L"\\Dir\\Sub");
    UNICODE_PREFIX_TABLE_ENTRY entry;
    ASSERT_TRUE(RtlInsertUnicodePrefix(&table, &dir, &entry));
    UNICODE_STRING upper = name(L"\\DIR\\SUB\\x"), tail = name(L"\\Dir\\SUB\\x");
    EXPECT_EQ(RtlFindUnicodePrefix(&table, &upper, 0), &entry);
    EXPECT_EQ(RtlFindUnicodePrefix(&table, &upper, upper.Length), nullptr);
    EXPECT_EQ(RtlFindUnicodePrefix(&table, &upper, 3), nullptr);  // 'I' vs 'i' is inside the exact part
    EXPECT_EQ(RtlFindUnicodePrefix(&table, &tail, 5), &entry);   // "\Dir\" exact, "SUB" folded
    EXPECT_EQ(RtlFindUnicodePrefix(&table, &tail, tail.Length), nullptr);
    RtlRemoveUnicodePrefix(&table, &entry);
}

TEST(RtlUnicodePrefix, InsertRefusesTheSameNameButNotACaseVariant) {
    UNICODE_PREFIX_TABLE table;
    RtlInitializeUnicodePrefix(&table);
    UNICODE_STRING one = name(L"\\x\\y"), same = name(L"\\x\\y"), variant = name(L"\\X\\Y");
    UNICODE_PREFIX_TABLE_ENTRY e1, e2, e3;
    ASSERT_TRUE(RtlInsertUnicodePrefix(&table, &one, &e1));
    EXPECT_FALSE(RtlInsertUnicodePrefix(&table, &same, &e2));
    EXPECT_FALSE(RtlInsertUnicodePrefix(&table, &one, &e1));
    ASSERT_TRUE(RtlInsertUnicodePrefix(&table, &variant, &e3));
    UNICODE_STRING exact = name(L"\\X\\Y\\z");
    EXPECT_EQ(RtlFindUnicodePrefix(&table, &exact, exact.Length), &e3);
    RtlRemoveUnicodePrefix(&table, &e1);
    RtlRemoveUnicodePrefix(&table, &e3);
    EXPECT_EQ(RtlNextUnicodePrefix(&table, TRUE), nullptr);
}

TEST(RtlUnicodePrefix, NextVisitsEachEntryOnceAcrossARemoval) {
    UNICODE_PREFIX_TABLE table;
    RtlInitializeUnicodePrefix(&table);
    UNICODE_STRING names[4] = {name(L"\\a"), name(L"\\b\\c"), name(L"\\d"), name(L"\\e\\f\\g")};
    UNICODE_PREFIX_TABLE_ENTRY entries[4];
    for (int i = 0; i < 4; ++i) ASSERT_TRUE(RtlInsertUnicodePrefix(&table, &names[i], &entries[i]));
    std::set<PUNICODE_PREFIX_TABLE_ENTRY> seen;
    for (auto* e = RtlNextUnicodePrefix(&table, TRUE); e; e = RtlNextUnicodePrefix(&table, FALSE)) {
        EXPECT_TRUE(seen.insert(e).second);
        RtlRemoveUnicodePrefix(&table, e);  // removing what it just returned
    }
    EXPECT_EQ(seen.size(), 4u);
    EXPECT_EQ(RtlNextUnicodePrefix(&table, TRUE), nullptr);
}

TEST(RtlUnicodePrefix, BadInputIsRefused) {
    UNICODE_PREFIX_TABLE table;
    RtlInitializeUnicodePrefix(&table);
    UNICODE_STRING n = name(L"\\a");
    UNICODE_PREFIX_TABLE_ENTRY entry;
    EXPECT_FALSE(RtlInsertUnicodePrefix(nullptr, &n, &entry));
    EXPECT_FALSE(RtlInsertUnicodePrefix(&table, nullptr, &entry));
    EXPECT_FALSE(RtlInsertUnicodePrefix(&table, &n, nullptr));
    UNICODE_STRING broken{4, 4, nullptr};
    EXPECT_FALSE(RtlInsertUnicodePrefix(&table, &broken, &entry));
    EXPECT_EQ(RtlFindUnicodePrefix(&table, nullptr, 0), nullptr);
    EXPECT_EQ(RtlFindUnicodePrefix(nullptr, &n, 0), nullptr);
    EXPECT_EQ(RtlFindUnicodePrefix(&table, &broken, 0), nullptr);
    EXPECT_EQ(RtlNextUnicodePrefix(nullptr, TRUE), nullptr);
    UNICODE_PREFIX_TABLE_ENTRY stranger{};
    RtlRemoveUnicodePrefix(&table, &stranger);  // not in the table: nothing happens
    RtlRemoveUnicodePrefix(&table, nullptr);
    RtlInitializeUnicodePrefix(nullptr);
    EXPECT_EQ(RtlNextUnicodePrefix(&table, TRUE), nullptr);
}

TEST(PfxPrefix, AnsiTableMatchesWholeComponentsExactly) {
    PREFIX_TABLE table;
    PfxInitialize(&table);
    STRING a = ansi("\\share"), ab = ansi("\\share\\dir"), dup = ansi("\\share");
    PREFIX_TABLE_ENTRY e_a, e_ab, e_dup;
    ASSERT_TRUE(PfxInsertPrefix(&table, &a, &e_a));
    ASSERT_TRUE(PfxInsertPrefix(&table, &ab, &e_ab));
    EXPECT_FALSE(PfxInsertPrefix(&table, &dup, &e_dup));
    STRING q1 = ansi("\\share\\dir\\f"), q2 = ansi("\\share\\other"), q3 = ansi("\\SHARE\\dir"),
           q4 = ansi("\\sharex");
    EXPECT_EQ(PfxFindPrefix(&table, &q1), &e_ab);
    EXPECT_EQ(PfxFindPrefix(&table, &q2), &e_a);
    EXPECT_EQ(PfxFindPrefix(&table, &q3), nullptr);
    EXPECT_EQ(PfxFindPrefix(&table, &q4), nullptr);
    PfxRemovePrefix(&table, &e_ab);
    EXPECT_EQ(PfxFindPrefix(&table, &q1), &e_a);
    PfxRemovePrefix(&table, &e_a);
    EXPECT_EQ(PfxFindPrefix(&table, &q1), nullptr);
}

TEST(PfxPrefix, BadInputIsRefused) {
    PREFIX_TABLE table;
    PfxInitialize(&table);
    STRING a = ansi("\\a");
    PREFIX_TABLE_ENTRY entry;
    EXPECT_FALSE(PfxInsertPrefix(nullptr, &a, &entry));
    EXPECT_FALSE(PfxInsertPrefix(&table, nullptr, &entry));
    EXPECT_FALSE(PfxInsertPrefix(&table, &a, nullptr));
    EXPECT_EQ(PfxFindPrefix(&table, nullptr), nullptr);
    EXPECT_EQ(PfxFindPrefix(nullptr, &a), nullptr);
    PfxRemovePrefix(&table, nullptr);
    PfxRemovePrefix(nullptr, &entry);
    PfxInitialize(nullptr);
}
