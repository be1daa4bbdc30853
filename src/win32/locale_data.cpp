// The two locales ntio knows, en-US and the invariant locale, with the LCTYPE values GetLocaleInfo
// returns for them (Windows 10/11 locale data), and how LCIDs and locale names find them.
// https://learn.microsoft.com/windows/win32/intl/locale-information-constants
// https://learn.microsoft.com/windows/win32/intl/locale-names
#include "win32/nls.hpp"

namespace ntio::win32::nls {

struct LocaleItem {
    LCTYPE type;
    const char16_t* value;
};

struct LocaleData {
    LCID lcid;
    std::u16string_view name;
    const LocaleItem* items;
    std::size_t count;
};

namespace {

// Items both locales share: the Gregorian calendar's English names and the Western digits.
// https://learn.microsoft.com/windows/win32/intl/locale-sday-constants
// https://learn.microsoft.com/windows/win32/intl/locale-smonth-constants
constexpr LocaleItem kCommon[] = {
    {LOCALE_SDAYNAME1, u"Monday"}, {LOCALE_SDAYNAME2, u"Tuesday"}, {LOCALE_SDAYNAME3, u"Wednesday"},
    {LOCALE_SDAYNAME4, u"Thursday"}, {LOCALE_SDAYNAME5, u"Friday"}, {LOCALE_SDAYNAME6, u"Saturday"},
    {LOCALE_SDAYNAME7, u"Sunday"},
    {LOCALE_SABBREVDAYNAME1, u"Mon"}, {LOCALE_SABBREVDAYNAME2, u"Tue"}, {LOCALE_SABBREVDAYNAME3, u"Wed"},
    {LOCALE_SABBREVDAYNAME4, u"Thu"}, {LOCALE_SABBREVDAYNAME5, u"Fri"}, {LOCALE_SABBREVDAYNAME6, u"Sat"},
    {LOCALE_SABBREVDAYNAME7, u"Sun"},
    {LOCALE_SMONTHNAME1, u"January"}, {LOCALE_SMONTHNAME2, u"February"}, {LOCALE_SMONTHNAME3, u"March"},
    {LOCALE_SMONTHNAME4, u"April"}, {LOCALE_SMONTHNAME5, u"May"}, {LOCALE_SMONTHNAME6, u"June"},
    {LOCALE_SMONTHNAME7, u"July"}, {LOCALE_SMONTHNAME8, u"August"}, {LOCALE_SMONTHNAME9, u"September"},
    {LOCALE_SMONTHNAME10, u"October"}, {LOCALE_SMONTHNAME11, u"November"}, {LOCALE_SMONTHNAME12, u"December"},
    {LOCALE_SABBREVMONTHNAME1, u"Jan"}, {LOCALE_SABBREVMONTHNAME2, u"Feb"}, {LOCALE_SABBREVMONTHNAME3, u"Mar"},
    {LOCALE_SABBREVMONTHNAME4, u"Apr"}, {LOCALE_SABBREVMONTHNAME5, u"May"}, {LOCALE_SABBREVMONTHNAME6, u"Jun"},
    {LOCALE_SABBREVMONTHNAME7, u"Jul"}, {LOCALE_SABBREVMONTHNAME8, u"Aug"}, {LOCALE_SABBREVMONTHNAME9, u"Sep"},
    {LOCALE_SABBREVMONTHNAME10, u"Oct"}, {LOCALE_SABBREVMONTHNAME11, u"Nov"}, {LOCALE_SABBREVMONTHNAME12, u"Dec"},
    {LOCALE_SDECIMAL, u"."}, {LOCALE_STHOUSAND, u","}, {LOCALE_SLIST, u","}, {LOCALE_SGROUPING, u"3;0"},
    {LOCALE_IDIGITS, u"2"}, {LOCALE_ILZERO, u"1"}, {LOCALE_SNATIVEDIGITS, u"0123456789"},
    {LOCALE_SMONDECIMALSEP, u"."}, {LOCALE_SMONTHOUSANDSEP, u","}, {LOCALE_SMONGROUPING, u"3;0"},
    {LOCALE_ICURRDIGITS, u"2"}, {LOCALE_SPOSITIVESIGN, u""}, {LOCALE_SNEGATIVESIGN, u"-"},
    {LOCALE_SDATE, u"/"}, {LOCALE_STIME, u":"}, {LOCALE_S1159, u"AM"}, {LOCALE_S2359, u"PM"},
    // NT deviation: Windows gives 1252 for both locales; ntio's ANSI code page is UTF-8.
    {LOCALE_IDEFAULTANSICODEPAGE, u"65001"}, {LOCALE_IDEFAULTCODEPAGE, u"437"},
    {LOCALE_IDEFAULTMACCODEPAGE, u"10000"},
    // 6: Sunday (0 is Monday). https://learn.microsoft.com/windows/win32/intl/locale-ifirstdayofweek
    {LOCALE_IFIRSTDAYOFWEEK, u"6"}, {LOCALE_IFIRSTWEEKOFYEAR, u"0"},
};

constexpr LocaleItem kEnUs[] = {
    {LOCALE_SNAME, u"en-US"}, {LOCALE_ILANGUAGE, u"0409"}, {LOCALE_IDEFAULTLANGUAGE, u"0409"},
    {LOCALE_SENGLISHLANGUAGENAME, u"English"}, {LOCALE_SENGLISHCOUNTRYNAME, u"United States"},
    {LOCALE_SENGLISHDISPLAYNAME, u"English (United States)"},
    {LOCALE_SLOCALIZEDDISPLAYNAME, u"English (United States)"}, {LOCALE_SNATIVEDISPLAYNAME, u"English (United States)"},
    {LOCALE_SNATIVELANGUAGENAME, u"English"}, {LOCALE_SNATIVECOUNTRYNAME, u"United States"},
    {LOCALE_SLOCALIZEDCOUNTRYNAME, u"United States"},
    {LOCALE_SABBREVLANGNAME, u"ENU"}, {LOCALE_SABBREVCTRYNAME, u"USA"},
    {LOCALE_SISO639LANGNAME, u"en"}, {LOCALE_SISO639LANGNAME2, u"eng"},
    {LOCALE_SISO3166CTRYNAME, u"US"}, {LOCALE_SISO3166CTRYNAME2, u"USA"},
    {LOCALE_ICOUNTRY, u"1"}, {LOCALE_IDEFAULTCOUNTRY, u"1"}, {LOCALE_IMEASURE, u"1"}, {LOCALE_IPAPERSIZE, u"1"},
    {LOCALE_SCURRENCY, u"$"}, {LOCALE_SINTLSYMBOL, u"USD"}, {LOCALE_ICURRENCY, u"0"}, {LOCALE_INEGCURR, u"0"},
    {LOCALE_SSHORTDATE, u"M/d/yyyy"}, {LOCALE_SLONGDATE, u"dddd, MMMM d, yyyy"}, {LOCALE_SYEARMONTH, u"MMMM yyyy"},
    {LOCALE_STIMEFORMAT, u"h:mm:ss tt"}, {LOCALE_SSHORTTIME, u"h:mm tt"}, {LOCALE_IDATE, u"0"}, {LOCALE_ITIME, u"0"},
};

constexpr LocaleItem kInvariant[] = {
    {LOCALE_SNAME, u""}, {LOCALE_ILANGUAGE, u"007f"}, {LOCALE_IDEFAULTLANGUAGE, u"007f"},
    {LOCALE_SENGLISHLANGUAGENAME, u"Invariant Language"}, {LOCALE_SENGLISHCOUNTRYNAME, u"Invariant Country"},
    {LOCALE_SENGLISHDISPLAYNAME, u"Invariant Language (Invariant Country)"},
    {LOCALE_SLOCALIZEDDISPLAYNAME, u"Invariant Language (Invariant Country)"},
    {LOCALE_SNATIVEDISPLAYNAME, u"Invariant Language (Invariant Country)"},
    {LOCALE_SNATIVELANGUAGENAME, u"Invariant Language"}, {LOCALE_SNATIVECOUNTRYNAME, u"Invariant Country"},
    {LOCALE_SLOCALIZEDCOUNTRYNAME, u"Invariant Country"},
    {LOCALE_SABBREVLANGNAME, u"IVL"}, {LOCALE_SABBREVCTRYNAME, u"IVC"},
    {LOCALE_SISO639LANGNAME, u"iv"}, {LOCALE_SISO639LANGNAME2, u"ivl"},
    {LOCALE_SISO3166CTRYNAME, u"IV"}, {LOCALE_SISO3166CTRYNAME2, u"IVC"},
    {LOCALE_ICOUNTRY, u"1"}, {LOCALE_IDEFAULTCOUNTRY, u"1"}, {LOCALE_IMEASURE, u"0"}, {LOCALE_IPAPERSIZE, u"9"},
    {LOCALE_SCURRENCY, u"\u00A4"}, {LOCALE_SINTLSYMBOL, u"XDR"}, {LOCALE_ICURRENCY, u"0"}, {LOCALE_INEGCURR, u"0"},
    {LOCALE_SSHORTDATE, u"MM/dd/yyyy"}, {LOCALE_SLONGDATE, u"dddd, dd MMMM yyyy"}, {LOCALE_SYEARMONTH, u"yyyy MMMM"},
    {LOCALE_STIMEFORMAT, u"HH:mm:ss"}, {LOCALE_SSHORTTIME, u"HH:mm"}, {LOCALE_IDATE, u"0"}, {LOCALE_ITIME, u"1"},
};

constexpr LocaleData kLocales[] = {
    {0x0409, u"en-US", kEnUs, std::size(kEnUs)},
    {LOCALE_INVARIANT, u"", kInvariant, std::size(kInvariant)},
};
constexpr const LocaleData& kEnglishUs = kLocales[0];
constexpr const LocaleData& kInvariantLocale = kLocales[1];

bool ascii_equal_ignoring_case(std::u16string_view a, std::u16string_view b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        char16_t x = a[i], y = b[i];
        if (x >= u'a' && x <= u'z') x = static_cast<char16_t>(x - 0x20);
        if (y >= u'a' && y <= u'z') y = static_cast<char16_t>(y - 0x20);
        if (x != y) return false;
    }
    return true;
}

}  // namespace

// The pseudo LCIDs and their LANGID forms name the defaults (all en-US); LOCALE_NEUTRAL is the user
// default too ("language neutral, default sublanguage" is LOCALE_USER_DEFAULT, and LANG_NEUTRAL with
// SUBLANG_NEUTRAL is taken the same way). A sort ID other than SORT_DEFAULT is unknown.
// https://learn.microsoft.com/windows/win32/intl/locale-user-default
const LocaleData* locale_from_lcid(LCID lcid) noexcept {
    switch (lcid) {
    case LOCALE_NEUTRAL:
    case LOCALE_USER_DEFAULT:
    case LOCALE_SYSTEM_DEFAULT:
    case LOCALE_CUSTOM_DEFAULT:
    case LOCALE_CUSTOM_UNSPECIFIED:
    case LOCALE_CUSTOM_UI_DEFAULT:
    case 0x0409:
        return &kEnglishUs;
    case LOCALE_INVARIANT:
        return &kInvariantLocale;
    default:
        return nullptr;
    }
}

const LocaleData* locale_from_name(LPCWSTR name) noexcept {
    if (!name) return &kEnglishUs;
    const std::u16string_view text(reinterpret_cast<const char16_t*>(name));
    if (text.empty()) return &kInvariantLocale;
    if (text == u"!x-sys-default-locale" || ascii_equal_ignoring_case(text, kEnglishUs.name)) return &kEnglishUs;
    return nullptr;
}

LCID locale_lcid(const LocaleData& locale) noexcept { return locale.lcid; }
std::u16string_view locale_name(const LocaleData& locale) noexcept { return locale.name; }

const char16_t* locale_item(const LocaleData& locale, LCTYPE type) noexcept {
    for (std::size_t i = 0; i < locale.count; ++i)
        if (locale.items[i].type == type) return locale.items[i].value;
    for (const LocaleItem& item : kCommon)
        if (item.type == type) return item.value;
    return nullptr;
}

}  // namespace ntio::win32::nls
