// Altitude order of callback registrations (ob/altitude_list.hpp).
#include "ob/altitude_list.hpp"

#include <ntio_ddk/rtl_ntifs.h>

namespace ntio::ob {

namespace {

// "00370030.50" -> integer "370030", fraction "5"; false when the string is no decimal number.
bool split_decimal(std::u16string_view text, std::u16string_view& integer, std::u16string_view& fraction) noexcept
{
    const std::size_t dot = text.find(u'.');
    integer = text.substr(0, dot);
    fraction = dot == std::u16string_view::npos ? std::u16string_view{} : text.substr(dot + 1);
    if (integer.empty() && fraction.empty()) return false;
    auto digits = [](std::u16string_view s) {
        return std::all_of(s.begin(), s.end(), [](char16_t c) { return c >= u'0' && c <= u'9'; });
    };
    if (!digits(integer) || !digits(fraction)) return false;
    while (!integer.empty() && integer.front() == u'0') integer.remove_prefix(1);
    while (!fraction.empty() && fraction.back() == u'0') fraction.remove_suffix(1);
    return true;
}

int sign(int value) noexcept { return (value > 0) - (value < 0); }

}  // namespace

int compare_altitudes(std::u16string_view a, std::u16string_view b) noexcept
{
    std::u16string_view a_int, a_frac, b_int, b_frac;
    const bool a_number = split_decimal(a, a_int, a_frac);
    const bool b_number = split_decimal(b, b_int, b_frac);
    if (a_number != b_number) return a_number ? -1 : 1;
    if (!a_number) return sign(a.compare(b));
    if (a_int.size() != b_int.size()) return a_int.size() < b_int.size() ? -1 : 1;
    if (const int order = a_int.compare(b_int)) return sign(order);
    return sign(a_frac.compare(b_frac));
}

}  // namespace ntio::ob

// RtlCompareAltitudes (<ntifs.h>; Learn has no page for it): the order the callbacks above use, and
// that FltCompareInstanceAltitudes documents for altitude strings: decimal numbers with at most one
// decimal point, leading and trailing zeros ignored ("03333" is above "100.123456"). <0, 0 or >0 as
// Altitude1 is lower than, equal to or higher than Altitude2.
extern "C" NTSYSAPI LONG NTAPI RtlCompareAltitudes(PCUNICODE_STRING Altitude1, PCUNICODE_STRING Altitude2)
{
    auto view = [](PCUNICODE_STRING s) {
        return std::u16string_view(reinterpret_cast<const char16_t*>(s->Buffer), s->Length / sizeof(WCHAR));
    };
    return ntio::ob::compare_altitudes(view(Altitude1), view(Altitude2));
}
