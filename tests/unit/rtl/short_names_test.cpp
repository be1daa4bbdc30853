// Short (8.3) names: RtlIsValidOemCharacter, RtlIsNameLegalDOS8Dot3 and the successive names
// RtlGenerate8dot3Name gives one long name (the ~1..~4 basis names, then checksummed ones).
#include <gtest/gtest.h>

#include <set>
#include <string>

#include <ntifs.h>

namespace {

struct Name {
    std::u16string text;
    UNICODE_STRING us;
    explicit Name(const std::u16string& s) : text(s) {
        us.Buffer = reinterpret_cast<PWCH>(text.data());
        us.Length = static_cast<USHORT>(text.size() * sizeof(WCHAR));
        us.MaximumLength = us.Length;
    }
};

bool legal(const std::u16string& s, std::string* oem = nullptr, BOOLEAN* spaces = nullptr) {
    Name name(s);
    CHAR buffer[16] = {};
    OEM_STRING o{0, sizeof(buffer), buffer};
    const bool result = RtlIsNameLegalDOS8Dot3(&name.us, &o, spaces) != FALSE;
    if (oem && result) *oem = std::string(o.Buffer, o.Length);
    return result;
}

std::u16string generate(const Name& name, GENERATE_NAME_CONTEXT* context, NTSTATUS* status,
                      BOOLEAN extended = FALSE) {
    WCHAR buffer[12];
    UNICODE_STRING out{0, sizeof(buffer), buffer};
    *status = RtlGenerate8dot3Name(&name.us, extended, context, &out);
    return std::u16string(reinterpret_cast<const char16_t*>(buffer), out.Length / sizeof(WCHAR));
}

TEST(ShortNames, ValidOemCharactersComeBackUpperCase) {
    WCHAR c = L'a';
    EXPECT_TRUE(RtlIsValidOemCharacter(&c));
    EXPECT_EQ(c, L'A');
    c = L'7';
    EXPECT_TRUE(RtlIsValidOemCharacter(&c));
    EXPECT_EQ(c, L'7');
    c = 0x20AC;  // the euro sign has no OEM form here
    EXPECT_FALSE(RtlIsValidOemCharacter(&c));
    EXPECT_EQ(c, 0x20AC);
}

TEST(ShortNames, LegalNamesFollowTheFatRules) {
    std::string oem;
    EXPECT_TRUE(legal(u"FOO.TXT", &oem));
    EXPECT_EQ(oem, "FOO.TXT");
    EXPECT_TRUE(legal(u"readme.md", &oem));
    EXPECT_EQ(oem, "README.MD");  // upper-cased OEM
    EXPECT_TRUE(legal(u"ABCDEFGH.IJK"));
    EXPECT_TRUE(legal(u"NOEXT"));
    EXPECT_TRUE(legal(u"."));
    EXPECT_TRUE(legal(u".."));
    EXPECT_FALSE(legal(u"..."));
    EXPECT_FALSE(legal(u""));
    EXPECT_FALSE(legal(u"ABCDEFGHI"));     // 9 characters of name
    EXPECT_FALSE(legal(u"A.TXTX"));        // 4 of extension
    EXPECT_FALSE(legal(u"A.B.C"));         // two periods
    EXPECT_FALSE(legal(u"ABC."));          // an empty extension
    EXPECT_FALSE(legal(u".ABC"));          // an empty name
    EXPECT_FALSE(legal(u"A+B"));
    EXPECT_FALSE(legal(u"A*B"));           // no wildcards
    EXPECT_FALSE(legal(u"A\\B"));          // no paths
    EXPECT_FALSE(legal(u"\u20ACURO"));  // no OEM form
    BOOLEAN spaces = FALSE;
    EXPECT_TRUE(legal(u"A B.TXT", nullptr, &spaces));
    EXPECT_TRUE(spaces);
    EXPECT_TRUE(legal(u"AB.TXT", nullptr, &spaces));
    EXPECT_FALSE(spaces);
    // Without an OEM buffer the check is the same.
    Name name(u"x.y");
    EXPECT_TRUE(RtlIsNameLegalDOS8Dot3(&name.us, nullptr, nullptr));
}

TEST(ShortNames, TheFirstFourNamesAreTheBasisWithATail) {
    Name name(u"Long File Name.text");
    GENERATE_NAME_CONTEXT context = {};
    NTSTATUS status;
    EXPECT_EQ(generate(name, &context, &status), u"LONGFI~1.TEX");
    EXPECT_EQ(status, STATUS_SUCCESS);
    EXPECT_EQ(generate(name, &context, &status), u"LONGFI~2.TEX");
    EXPECT_EQ(generate(name, &context, &status), u"LONGFI~3.TEX");
    EXPECT_EQ(generate(name, &context, &status), u"LONGFI~4.TEX");
    // Then two characters of the basis and a checksum.
    const std::u16string fifth = generate(name, &context, &status);
    ASSERT_EQ(status, STATUS_SUCCESS);
    ASSERT_EQ(fifth.size(), 12u);
    EXPECT_EQ(fifth.substr(0, 2), u"LO");
    EXPECT_EQ(fifth.substr(6), u"~1.TEX");
    for (char16_t c : fifth.substr(2, 4)) {
        EXPECT_TRUE((c >= u'0' && c <= u'9') || (c >= u'A' && c <= u'F'));
    }
}

TEST(ShortNames, GeneratedNamesAreLegalAndDistinct) {
    Name name(u"a much longer name, with [odd] characters+more.tar.gz");
    GENERATE_NAME_CONTEXT context = {};
    std::set<std::u16string> seen;
    for (int i = 0; i < 300; ++i) {
        NTSTATUS status;
        const std::u16string s = generate(name, &context, &status);
        ASSERT_EQ(status, STATUS_SUCCESS);
        ASSERT_TRUE(legal(s)) << i;
        ASSERT_TRUE(seen.insert(s).second) << i;
        ASSERT_EQ(s.substr(s.size() - 3), u".GZ");
    }
}

TEST(ShortNames, IllegalCharactersBecomeUnderscoresAndSpacesAndPeriodsGo) {
    NTSTATUS status;
    GENERATE_NAME_CONTEXT context = {};
    EXPECT_EQ(generate(Name(u"a+b;c=d.txt"), &context, &status), u"A_B_C_~1.TXT");
    context = {};
    EXPECT_EQ(generate(Name(u"x y.z w.doc"), &context, &status), u"XYZW~1.DOC");
    context = {};
    EXPECT_EQ(generate(Name(u".bashrc"), &context, &status), u"BASHRC~1");  // leading periods skipped
    context = {};
    EXPECT_EQ(generate(Name(u"\u20ACuro.txt"), &context, &status), u"_URO~1.TXT");
    context = {};
    EXPECT_EQ(generate(Name(u"\u20ACuro.txt"), &context, &status, TRUE), u"_URO~1.TXT");
}

TEST(ShortNames, LongerTailsShortenTheBasis) {
    Name name(u"abcdefghijkl.txt");
    GENERATE_NAME_CONTEXT context = {};
    NTSTATUS status;
    std::u16string s;
    for (int i = 0; i < 4 + 10; ++i) s = generate(name, &context, &status);  // the checksummed ~10
    ASSERT_EQ(status, STATUS_SUCCESS);
    ASSERT_EQ(s.size(), 12u);
    EXPECT_EQ(s.substr(0, 2), u"AB");
    EXPECT_EQ(s.substr(5), u"~10.TXT");
}

TEST(ShortNames, TheTailsRunOutAfterAboutAMillionNames) {
    Name name(u"exhausted name.dat");
    GENERATE_NAME_CONTEXT context = {};
    NTSTATUS status = STATUS_SUCCESS;
    ULONG calls = 0;
    while (calls < 1100000) {
        generate(name, &context, &status);
        if (status != STATUS_SUCCESS) break;
        ++calls;
    }
    EXPECT_EQ(status, STATUS_FILE_SYSTEM_LIMITATION);
    EXPECT_GE(calls, 999999u);
}

}  // namespace
