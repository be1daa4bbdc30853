// RtlInitCodePageTable, RtlCustomCPToUnicodeN, RtlUnicodeToCustomCPN and RtlUpcaseUnicodeToCustomCPN
// through <ntifs.h>, over code page tables built here in the NLS file layout a driver would read
// from c_<codepage>.nls: a single-byte one (with the euro sign at 0x80, as in 1252) and a
// double-byte one with a lead byte.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include <ntifs.h>

namespace rtlse_code_page {
namespace {

using Words = std::vector<USHORT>;

// The bytes of an NLS code page file. mb[b] is the Unicode character of byte b; dbcs maps
// lead byte -> (trail byte -> character); wc maps a character to its bytes (a value above 0xFF
// is lead << 8 | trail); everything else goes to '?'.
Words build_nls(USHORT code_page, const std::vector<std::pair<UCHAR, USHORT>>& mb,
                const std::vector<std::pair<UCHAR, std::vector<std::pair<UCHAR, USHORT>>>>& dbcs) {
    const bool double_byte = !dbcs.empty();
    Words w;
    w.push_back(13);
    w.push_back(code_page);
    w.push_back(double_byte ? 2 : 1);
    w.push_back('?');     // DefaultChar
    w.push_back(0x003F);  // UniDefaultChar
    w.push_back('?');     // TransDefaultChar
    w.push_back(0x003F);  // TransUniDefaultChar
    UCHAR lead[12] = {};
    if (double_byte) {
        lead[0] = dbcs.front().first;
        lead[1] = dbcs.back().first;
    }
    for (int i = 0; i < 12; i += 2) w.push_back(static_cast<USHORT>(lead[i] | (lead[i + 1] << 8)));
    const size_t offset_at = w.size();
    w.push_back(0);  // filled below
    Words table(256);
    for (int b = 0; b < 256; ++b) table[b] = static_cast<USHORT>(b < 0x80 ? b : 0x3F);
    for (auto [b, c] : mb) table[b] = c;
    w.insert(w.end(), table.begin(), table.end());
    w.push_back(0);  // no OEM glyph table
    w.push_back(double_byte ? 1 : 0);
    std::vector<USHORT> wc(65536, '?');
    for (int b = 0; b < 256; ++b)
        if (table[b] != 0x3F || b == '?') wc[table[b]] = static_cast<USHORT>(b);
    if (double_byte) {
        Words offsets(256, 0);
        Words subtables;
        for (auto& [lead_byte, trails] : dbcs) {
            offsets[lead_byte] = static_cast<USHORT>(256 + subtables.size());
            Words sub(256, 0x003F);
            for (auto [t, c] : trails) {
                sub[t] = c;
                wc[c] = static_cast<USHORT>(lead_byte << 8 | t);
            }
            subtables.insert(subtables.end(), sub.begin(), sub.end());
        }
        w.insert(w.end(), offsets.begin(), offsets.end());
        w.insert(w.end(), subtables.begin(), subtables.end());
    }
    w[offset_at] = static_cast<USHORT>(w.size() - offset_at);
    w.push_back(double_byte ? 4 : 0);
    if (double_byte) {
        w.insert(w.end(), wc.begin(), wc.end());
    } else {
        for (size_t c = 0; c < 65536; c += 2) w.push_back(static_cast<USHORT>((wc[c] & 0xFF) | ((wc[c + 1] & 0xFF) << 8)));
    }
    return w;
}

Words single_byte() {
    std::vector<std::pair<UCHAR, USHORT>> mb{{0x80, 0x20AC}};
    for (int b = 0xA0; b < 0x100; ++b) mb.push_back({static_cast<UCHAR>(b), static_cast<USHORT>(b)});
    return build_nls(1252, mb, {});
}

Words double_byte() { return build_nls(932, {}, {{0x81, {{0x40, 0x3000}, {0x41, 0x3042}}}}); }

std::u16string to_unicode(CPTABLEINFO& cp, const std::string& bytes, ULONG room_bytes = 256) {
    std::vector<WCHAR> out(room_bytes / 2 + 1);
    ULONG written = 0xFFFF;
    EXPECT_EQ(RtlCustomCPToUnicodeN(&cp, out.data(), room_bytes, &written, const_cast<PCH>(bytes.data()),
                                    static_cast<ULONG>(bytes.size())),
              STATUS_SUCCESS);
    return std::u16string(reinterpret_cast<const char16_t*>(out.data()), written / 2);
}

std::string from_unicode(CPTABLEINFO& cp, const std::u16string& text, bool upcase, ULONG room = 256) {
    std::string out(room, '\0');
    ULONG written = 0xFFFF;
    PWCH in = reinterpret_cast<PWCH>(const_cast<char16_t*>(text.data()));
    const ULONG in_bytes = static_cast<ULONG>(text.size() * 2);
    const NTSTATUS status = upcase ? RtlUpcaseUnicodeToCustomCPN(&cp, out.data(), room, &written, in, in_bytes)
                                   : RtlUnicodeToCustomCPN(&cp, out.data(), room, &written, in, in_bytes);
    EXPECT_EQ(status, STATUS_SUCCESS);
    out.resize(written);
    return out;
}

TEST(RtlseCodePage, init_reads_the_header_and_points_into_the_file) {
    Words file = single_byte();
    CPTABLEINFO cp{};
    RtlInitCodePageTable(file.data(), &cp);
    EXPECT_EQ(cp.CodePage, 1252);
    EXPECT_EQ(cp.MaximumCharacterSize, 1);
    EXPECT_EQ(cp.DefaultChar, '?');
    EXPECT_EQ(cp.UniDefaultChar, 0x003F);
    EXPECT_EQ(cp.DBCSCodePage, 0);
    EXPECT_EQ(cp.DBCSOffsets, nullptr);
    EXPECT_EQ(cp.MultiByteTable, file.data() + 14);
    EXPECT_EQ(cp.MultiByteTable[0x80], 0x20AC);

    Words dbcs = double_byte();
    CPTABLEINFO dcp{};
    RtlInitCodePageTable(dbcs.data(), &dcp);
    EXPECT_EQ(dcp.CodePage, 932);
    EXPECT_EQ(dcp.MaximumCharacterSize, 2);
    EXPECT_EQ(dcp.DBCSCodePage, 1);
    EXPECT_EQ(dcp.LeadByte[0], 0x81);
    ASSERT_NE(dcp.DBCSOffsets, nullptr);
    EXPECT_NE(dcp.DBCSOffsets[0x81], 0);
    EXPECT_EQ(dcp.DBCSOffsets[0x41], 0);
}

TEST(RtlseCodePage, single_byte_conversions_both_ways) {
    Words file = single_byte();
    CPTABLEINFO cp{};
    RtlInitCodePageTable(file.data(), &cp);
    EXPECT_EQ(to_unicode(cp, "A\x80\xE9z"), u"A\u20AC\u00E9z");
    EXPECT_EQ(from_unicode(cp, u"A\u20AC\u00E9\u4E00", false), "A\x80\xE9?");
    EXPECT_EQ(from_unicode(cp, u"a\u00E9", true), "A\xC9");
    // Output is cut to the room given.
    EXPECT_EQ(to_unicode(cp, "abcdef", 6), u"abc");
    EXPECT_EQ(from_unicode(cp, u"abcdef", false, 2), "ab");
}

TEST(RtlseCodePage, double_byte_conversions_keep_characters_whole) {
    Words file = double_byte();
    CPTABLEINFO cp{};
    RtlInitCodePageTable(file.data(), &cp);
    EXPECT_EQ(to_unicode(cp, "a\x81\x41" "b\x81\x40"), u"a\u3042b\u3000");
    // A lead byte with no trail byte becomes UniDefaultChar.
    EXPECT_EQ(to_unicode(cp, "a\x81"), u"a?");
    EXPECT_EQ(from_unicode(cp, u"a\u3042b", false), "a\x81\x41" "b");
    // Two bytes of room after 'a' would split the double-byte character: it is left out.
    EXPECT_EQ(from_unicode(cp, u"a\u3042", false, 2), "a");
    EXPECT_EQ(from_unicode(cp, u"\u4E00", false), "?");
}

TEST(RtlseCodePage, bad_arguments_get_invalid_parameter) {
    Words file = single_byte();
    CPTABLEINFO cp{};
    RtlInitCodePageTable(file.data(), &cp);
    WCHAR out[4];
    CHAR bytes[4] = {'a', 'b', 'c', 'd'};
    EXPECT_EQ(RtlCustomCPToUnicodeN(nullptr, out, sizeof out, nullptr, bytes, 4), STATUS_INVALID_PARAMETER);
    EXPECT_EQ(RtlCustomCPToUnicodeN(&cp, nullptr, sizeof out, nullptr, bytes, 4), STATUS_INVALID_PARAMETER);
    EXPECT_EQ(RtlCustomCPToUnicodeN(&cp, out, sizeof out, nullptr, nullptr, 4), STATUS_INVALID_PARAMETER);
    EXPECT_EQ(RtlUnicodeToCustomCPN(&cp, nullptr, 4, nullptr, out, 2), STATUS_INVALID_PARAMETER);
    CPTABLEINFO empty{};
    EXPECT_EQ(RtlUnicodeToCustomCPN(&empty, bytes, 4, nullptr, out, 2), STATUS_INVALID_PARAMETER);
    RtlInitCodePageTable(nullptr, &empty);  // ignored, no fault
    EXPECT_EQ(empty.MultiByteTable, nullptr);
}

}  // namespace
}  // namespace rtlse_code_page
