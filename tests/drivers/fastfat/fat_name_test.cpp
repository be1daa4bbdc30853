// Names through the engine: which names are refused, which fit one short entry, the short names
// generated for long ones (fatgen103 basis name and numeric tail), names beyond ASCII, and the
// 255-character limit; fsck.fat then checks every long-name checksum and ordinal on the image.
#include <algorithm>

#include "fat_image.hpp"

namespace ntio::fastfat::test {
namespace {

class FatNameTest : public FatTest {
protected:
    void SetUp() override {
        FatTest::SetUp();
        if (IsSkipped()) return;
        format_and_mount({16, 16384, 4, 512, ""});
    }
    NTSTATUS create(const std::u16string& name, FAT_DIRENT* d) {
        UNICODE_STRING u = ustr(name);
        return FatCreateEntry(&m_volume, root(), &u, 0, d);
    }
    std::string short_name_of(const std::string& name) {
        FAT_DIRENT d{};
        EXPECT_EQ(create(u16(name), &d), STATUS_SUCCESS) << name;
        return narrow(d.ShortName, d.ShortNameLength);
    }
};

TEST_F(FatNameTest, GeneratedShortNames) {
    EXPECT_EQ(short_name_of("This is a long name.txt"), "THISIS~1.TXT");
    EXPECT_EQ(short_name_of(".bashrc"), "BASHRC~1");
    EXPECT_EQ(short_name_of("archive.tar.gz"), "ARCHIV~1.GZ");
    EXPECT_EQ(short_name_of("ABCDEFGHIJ"), "ABCDEF~1");
    EXPECT_EQ(short_name_of("x.html"), "X~1.HTM");
    EXPECT_EQ(short_name_of("a b"), "AB~1");
    EXPECT_EQ(short_name_of("[x]"), "_X_~1");
    // Names that only differ past the basis share it and count up; at ~10 the basis gives up a character.
    for (int i = 1; i <= 11; ++i) {
        std::string expected = i < 10 ? "LONGNA~" + std::to_string(i) : "LONGN~" + std::to_string(i);
        EXPECT_EQ(short_name_of("Long name number " + std::to_string(i)), expected);
    }
    expect_clean();
}

// The short name a caller asks for (the one file name tunneling kept) is used when it is a free,
// upper-case 8.3 name; otherwise one is generated.
TEST_F(FatNameTest, AGivenShortNameIsUsedWhenFree) {
    auto create_with = [&](const std::u16string& name, const std::u16string& wanted) {
        UNICODE_STRING u = ustr(name);
        UNICODE_STRING s = ustr(wanted);
        FAT_DIRENT d{};
        EXPECT_EQ(FatCreateEntryEx(&m_volume, root(), &u, &s, 0, &d), STATUS_SUCCESS);
        return narrow(d.ShortName, d.ShortNameLength);
    };
    EXPECT_EQ(create_with(u"Long File One.txt", u"LONGFI~7.TXT"), "LONGFI~7.TXT");
    EXPECT_EQ(create_with(u"Long File Two.txt", u"LONGFI~7.TXT"), "LONGFI~1.TXT") << "taken";
    EXPECT_EQ(create_with(u"Long File Six.txt", u"longfi~6.txt"), "LONGFI~2.TXT") << "lower case";
    EXPECT_EQ(create_with(u"Long File Ten.txt", u"NOT A SHORT NAME"), "LONGFI~3.TXT");
    // A name that fits 8.3 is its own short name.
    EXPECT_EQ(create_with(u"PLAIN.TXT", u"OTHER.TXT"), "PLAIN.TXT");
    // Rename takes one too.
    const std::u16string one = u"Long File One.txt", renamed16 = u"Renamed Long File.txt", wanted16 = u"RENAME~5.TXT";
    UNICODE_STRING name = ustr(one);
    FAT_DIRENT d{};
    ASSERT_EQ(FatLookupName(&m_volume, root(), &name, &d), STATUS_SUCCESS);
    UNICODE_STRING renamed = ustr(renamed16);
    UNICODE_STRING wanted = ustr(wanted16);
    ASSERT_EQ(FatRenameEntryEx(&m_volume, &d, root(), &renamed, &wanted), STATUS_SUCCESS);
    EXPECT_EQ(narrow(d.ShortName, d.ShortNameLength), "RENAME~5.TXT");
    expect_clean();
}

TEST_F(FatNameTest, ShortOnlyNamesCarryTheCaseBits) {
    FAT_DIRENT d;
    ASSERT_EQ(create(u"ab.c", &d), STATUS_SUCCESS);
    EXPECT_EQ(d.LongNameLength, 0);
    EXPECT_EQ(d.NtCaseBits, FAT_NT_LOWER_BASE | FAT_NT_LOWER_EXTENSION);
    ASSERT_EQ(create(u"UP.low", &d), STATUS_SUCCESS);
    EXPECT_EQ(d.NtCaseBits, FAT_NT_LOWER_EXTENSION);
    EXPECT_EQ(narrow(d.ShortName, d.ShortNameLength), "UP.low");
    ASSERT_EQ(create(u"NOEXT", &d), STATUS_SUCCESS);
    EXPECT_EQ(d.NtCaseBits, 0);
    EXPECT_EQ(d.LongNameLength, 0);
    // A mixed-case part cannot be said with the bits: it gets a long name.
    ASSERT_EQ(create(u"MiXed.txt", &d), STATUS_SUCCESS);
    EXPECT_EQ(narrow(d.LongName, d.LongNameLength), "MiXed.txt");
    EXPECT_EQ(narrow(d.ShortName, d.ShortNameLength), "MIXED.TXT");
    remount();
    ASSERT_EQ(lookup_path(&m_volume, "up.LOW", &d), STATUS_SUCCESS);
    EXPECT_EQ(narrow(d.ShortName, d.ShortNameLength), "UP.low");
    expect_clean();
    CommandResult r = run(quote(find_tool("mdir")) + " -i " + quote(m_image->path()) + " ::/");
    EXPECT_NE(r.output.find("ab       c"), std::string::npos) << r.output;
}

TEST_F(FatNameTest, NamesBeyondAscii) {
    const std::u16string name = u"r\u00e9sum\u00e9 \u65e5\u672c.txt";
    FAT_DIRENT d;
    ASSERT_EQ(create(name, &d), STATUS_SUCCESS);
    EXPECT_EQ(narrow(d.ShortName, d.ShortNameLength), "R_SUM_~1.TXT");
    remount();
    // Found again by the upper-case form of the long name (Unicode case mapping, not ASCII only).
    std::u16string upper = u"R\u00c9SUM\u00c9 \u65e5\u672c.TXT";
    UNICODE_STRING u = ustr(upper);
    ASSERT_EQ(FatLookupName(&m_volume, root(), &u, &d), STATUS_SUCCESS);
    EXPECT_EQ(std::u16string(reinterpret_cast<const char16_t*>(d.LongName), d.LongNameLength), name);
    expect_clean();
}

TEST_F(FatNameTest, LongestNameAndInvalidNames) {
    std::u16string longest(255, u'n');
    longest[100] = u'.';
    FAT_DIRENT d;
    ASSERT_EQ(create(longest, &d), STATUS_SUCCESS);
    EXPECT_EQ(d.LongNameLength, 255);
    EXPECT_EQ(d.DirentIndex - d.LfnIndex, 20u);  // 255 characters take 20 long entries
    EXPECT_EQ(create(std::u16string(256, u'n'), &d), STATUS_OBJECT_NAME_INVALID);
    for (const char16_t* bad : {u"", u".", u"..", u"a*b", u"a?b", u"c:d", u"a/b", u"a\\b", u"a|b", u"a<b", u"a\"b",
                                u"trail.", u"trail ", u"tab\there"}) {
        EXPECT_EQ(create(bad, &d), STATUS_OBJECT_NAME_INVALID) << narrow(reinterpret_cast<const WCHAR*>(bad),
                                                                         std::char_traits<char16_t>::length(bad));
    }
    remount();
    UNICODE_STRING u = ustr(longest);
    ASSERT_EQ(FatLookupName(&m_volume, root(), &u, &d), STATUS_SUCCESS);
    EXPECT_EQ(d.LongNameLength, 255);
    expect_clean();
}

TEST_F(FatNameTest, BrokenLongNameFallsBackToTheShortName) {
    FAT_DIRENT d;
    ASSERT_EQ(create(u"A long name that breaks", &d), STATUS_SUCCESS);
    // Change the short name under its long-name entries: the checksum no longer matches.
    ULONGLONG offset = static_cast<ULONGLONG>(m_volume.FirstRootDirSector) * m_volume.BytesPerSector +
                       static_cast<ULONGLONG>(d.DirentIndex) * 32;
    m_image->bytes()[offset] = 'Z';
    ULONG resume = 0;
    ASSERT_EQ(FatEnumerateDirectory(&m_volume, root(), &resume, &d), STATUS_SUCCESS);
    EXPECT_EQ(d.LongNameLength, 0);
    EXPECT_EQ(narrow(d.ShortName, d.ShortNameLength), "ZLONGN~1");
    EXPECT_EQ(d.LfnIndex, d.DirentIndex);
}

}  // namespace
}  // namespace ntio::fastfat::test
