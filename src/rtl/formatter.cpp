// Implementation of the kernel printf dialect (see formatter.hpp). One template serves the narrow
// (DbgPrint, RtlStringCbPrintfA) and wide (RtlStringCbPrintfW, RtlUnicodeStringPrintf) forms.
#include "rtl/formatter.hpp"

#include <wdm.h>

#include <cstdio>
#include <cstring>
#include <type_traits>

#include "rtl/utf.hpp"

namespace ntio::rtl {
namespace {

template <typename Out>
class Sink {
public:
    Sink(Out* buf, std::size_t capacity) : m_buf(buf), m_capacity(capacity) {}

    void put(Out c) {
        if (m_written < m_capacity) {
            m_buf[m_written++] = c;
        } else {
            m_truncated = true;
        }
    }
    void repeat(Out c, std::size_t n) {
        for (std::size_t i = 0; i < n; ++i) put(c);
    }
    void narrow(const char* s, std::size_t n) {
        if constexpr (std::is_same_v<Out, char>) {
            for (std::size_t i = 0; i < n; ++i) put(s[i]);
        } else {
            char16_t tmp[64];
            // Decode in slices; a slice boundary inside a UTF-8 sequence is avoided by cutting at a
            // lead byte.
            std::size_t i = 0;
            while (i < n) {
                std::size_t chunk = n - i < 32 ? n - i : 32;
                while (chunk < n - i && chunk > 1 && (static_cast<unsigned char>(s[i + chunk]) & 0xC0) == 0x80) --chunk;
                const std::size_t units = utf8_to_utf16(s + i, chunk, tmp, 64);
                for (std::size_t k = 0; k < units; ++k) put(tmp[k]);
                i += chunk;
            }
        }
    }
    void wide(const char16_t* s, std::size_t n) {
        if constexpr (std::is_same_v<Out, char16_t>) {
            for (std::size_t i = 0; i < n; ++i) put(s[i]);
        } else {
            char tmp[8];
            for (std::size_t i = 0; i < n;) {
                const std::size_t take = (i + 1 < n && s[i] >= 0xD800 && s[i] <= 0xDBFF) ? 2 : 1;
                const std::size_t bytes = utf16_to_utf8(s + i, take, tmp, sizeof tmp);
                for (std::size_t k = 0; k < bytes; ++k) put(tmp[k]);
                i += take;
            }
        }
    }
    std::size_t written() const { return m_written; }
    bool truncated() const { return m_truncated; }

private:
    Out* m_buf;
    std::size_t m_capacity;
    std::size_t m_written = 0;
    bool m_truncated = false;
};

struct Spec {
    bool left = false, plus = false, space = false, alt = false, zero = false;
    int width = 0;
    int precision = -1;
    enum Size { kDefault, kShort, kChar, kLong64, kWide, kNarrow, kLongDouble } size = kDefault;
};

// Output width of a string argument: wide->narrow output may grow in bytes, so pad by units written.
template <typename Out>
void emit_padded(Sink<Out>& sink, const Spec& spec, std::size_t length, auto&& body) {
    const std::size_t width = spec.width > 0 ? static_cast<std::size_t>(spec.width) : 0;
    const std::size_t pad = width > length ? width - length : 0;
    if (!spec.left) sink.repeat(static_cast<Out>(' '), pad);
    body();
    if (spec.left) sink.repeat(static_cast<Out>(' '), pad);
}

template <typename Out>
void emit_narrow_string(Sink<Out>& sink, const Spec& spec, const char* s, std::size_t n) {
    if (spec.precision >= 0 && static_cast<std::size_t>(spec.precision) < n) n = static_cast<std::size_t>(spec.precision);
    emit_padded(sink, spec, n, [&] { sink.narrow(s, n); });
}

template <typename Out>
void emit_wide_string(Sink<Out>& sink, const Spec& spec, const char16_t* s, std::size_t n) {
    if (spec.precision >= 0 && static_cast<std::size_t>(spec.precision) < n) n = static_cast<std::size_t>(spec.precision);
    std::size_t length = n;
    if constexpr (std::is_same_v<Out, char>) length = utf8_size(s, n);
    emit_padded(sink, spec, length, [&] { sink.wide(s, n); });
}

template <typename Out>
void emit_integer(Sink<Out>& sink, const Spec& spec, unsigned long long magnitude, bool negative, unsigned base,
                  bool upper, bool is_pointer) {
    char digits[72];
    std::size_t n = 0;
    const char* set = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    if (!(magnitude == 0 && spec.precision == 0)) {
        do {
            digits[n++] = set[magnitude % base];
            magnitude /= base;
        } while (magnitude != 0);
    }
    std::size_t min_digits = spec.precision >= 0 ? static_cast<std::size_t>(spec.precision) : 0;
    if (is_pointer) min_digits = 16;
    const std::size_t zeros_for_precision = min_digits > n ? min_digits - n : 0;
    char prefix[3];
    std::size_t prefix_length = 0;
    if (negative) prefix[prefix_length++] = '-';
    else if (spec.plus) prefix[prefix_length++] = '+';
    else if (spec.space) prefix[prefix_length++] = ' ';
    if (spec.alt && base == 16 && (n > 0 || is_pointer)) {
        prefix[prefix_length++] = '0';
        prefix[prefix_length++] = upper ? 'X' : 'x';
    } else if (spec.alt && base == 8 && zeros_for_precision == 0 && (n == 0 || digits[n - 1] != '0')) {
        prefix[prefix_length++] = '0';
    }
    std::size_t body = prefix_length + zeros_for_precision + n;
    const std::size_t width = spec.width > 0 ? static_cast<std::size_t>(spec.width) : 0;
    std::size_t pad = width > body ? width - body : 0;
    const bool zero_pad = spec.zero && !spec.left && spec.precision < 0;
    if (!spec.left && !zero_pad) sink.repeat(static_cast<Out>(' '), pad);
    for (std::size_t i = 0; i < prefix_length; ++i) sink.put(static_cast<Out>(prefix[i]));
    if (zero_pad) sink.repeat(static_cast<Out>('0'), pad);
    sink.repeat(static_cast<Out>('0'), zeros_for_precision);
    while (n > 0) sink.put(static_cast<Out>(digits[--n]));
    if (spec.left) sink.repeat(static_cast<Out>(' '), pad);
}

template <typename Out>
void emit_float(Sink<Out>& sink, const Spec& spec, char conversion, double value) {
    char fmt[32];
    std::size_t f = 0;
    fmt[f++] = '%';
    if (spec.left) fmt[f++] = '-';
    if (spec.plus) fmt[f++] = '+';
    if (spec.space) fmt[f++] = ' ';
    if (spec.alt) fmt[f++] = '#';
    if (spec.zero) fmt[f++] = '0';
    fmt[f++] = '*';
    fmt[f++] = '.';
    fmt[f++] = '*';
    fmt[f++] = conversion;
    fmt[f] = 0;
    char text[512];
    const int n = std::snprintf(text, sizeof text, fmt, spec.width, spec.precision < 0 ? 6 : spec.precision, value);
    if (n > 0) sink.narrow(text, static_cast<std::size_t>(n) < sizeof text ? static_cast<std::size_t>(n) : sizeof text - 1);
}

template <typename Out, typename Fmt>
FormatResult vformat_impl(Out* buf, std::size_t capacity, const Fmt* format, va_list args) {
    constexpr bool kWideFormat = std::is_same_v<Fmt, char16_t>;
    Sink<Out> sink(buf, capacity);
    va_list ap;
    va_copy(ap, args);
    const Fmt* p = format;
    while (*p) {
        if (*p != '%') {
            if constexpr (kWideFormat) {
                sink.wide(p, 1);
            } else {
                sink.put(static_cast<Out>(*p));
            }
            ++p;
            continue;
        }
        const Fmt* start = p++;
        if (*p == '%') {
            sink.put(static_cast<Out>('%'));
            ++p;
            continue;
        }
        Spec spec;
        for (;; ++p) {
            if (*p == '-') spec.left = true;
            else if (*p == '+') spec.plus = true;
            else if (*p == ' ') spec.space = true;
            else if (*p == '#') spec.alt = true;
            else if (*p == '0') spec.zero = true;
            else break;
        }
        if (*p == '*') {
            spec.width = va_arg(ap, int);
            if (spec.width < 0) {
                spec.left = true;
                spec.width = -spec.width;
            }
            ++p;
        } else {
            while (*p >= '0' && *p <= '9') spec.width = spec.width * 10 + (*p++ - '0');
        }
        if (*p == '.') {
            ++p;
            spec.precision = 0;
            if (*p == '*') {
                spec.precision = va_arg(ap, int);
                ++p;
            } else {
                while (*p >= '0' && *p <= '9') spec.precision = spec.precision * 10 + (*p++ - '0');
            }
        }
        // Size prefix.
        if (*p == 'h') {
            ++p;
            spec.size = Spec::kShort;
            if (*p == 'h') {
                ++p;
                spec.size = Spec::kChar;
            }
        } else if (*p == 'l') {
            ++p;
            spec.size = Spec::kWide;  // %ls, %lc; for integers LONG is 32-bit (LLP64)
            if (*p == 'l') {
                ++p;
                spec.size = Spec::kLong64;
            }
        } else if (*p == 'w') {
            ++p;
            spec.size = Spec::kWide;
        } else if (*p == 'L') {
            ++p;
            spec.size = Spec::kLongDouble;
        } else if (*p == 'I') {
            if (p[1] == '6' && p[2] == '4') {
                p += 3;
                spec.size = Spec::kLong64;
            } else if (p[1] == '3' && p[2] == '2') {
                p += 3;
            } else {
                ++p;
                spec.size = Spec::kLong64;
            }
        } else if (*p == 'z' || *p == 'j' || *p == 't') {
            ++p;
            spec.size = Spec::kLong64;
        }
        const auto conversion = static_cast<char>(*p);
        if (*p) ++p;
        switch (conversion) {
        case 'd':
        case 'i': {
            long long v;
            if (spec.size == Spec::kLong64) v = va_arg(ap, long long);
            else v = va_arg(ap, int);
            if (spec.size == Spec::kShort) v = static_cast<short>(v);
            if (spec.size == Spec::kChar) v = static_cast<signed char>(v);
            const bool negative = v < 0;
            const unsigned long long magnitude = negative ? 0ull - static_cast<unsigned long long>(v) : static_cast<unsigned long long>(v);
            emit_integer(sink, spec, magnitude, negative, 10, false, false);
            break;
        }
        case 'u':
        case 'x':
        case 'X':
        case 'o': {
            unsigned long long v;
            if (spec.size == Spec::kLong64) v = va_arg(ap, unsigned long long);
            else v = va_arg(ap, unsigned int);
            if (spec.size == Spec::kShort) v = static_cast<unsigned short>(v);
            if (spec.size == Spec::kChar) v = static_cast<unsigned char>(v);
            const unsigned base = conversion == 'u' ? 10 : conversion == 'o' ? 8 : 16;
            emit_integer(sink, spec, v, false, base, conversion == 'X', false);
            break;
        }
        case 'p': {
            const auto v = reinterpret_cast<unsigned long long>(va_arg(ap, void*));
            Spec pointer_spec = spec;
            pointer_spec.precision = -1;
            emit_integer(sink, pointer_spec, v, false, 16, true, true);
            break;
        }
        case 'c':
        case 'C': {
            const int v = va_arg(ap, int);
            // Which width the character has: %c follows the format's width, %C the other one,
            // h forces narrow, l/w force wide.
            bool wide_arg = (conversion == 'c') == kWideFormat;
            if (spec.size == Spec::kShort) wide_arg = false;
            if (spec.size == Spec::kWide) wide_arg = true;
            if (wide_arg) {
                const auto c = static_cast<char16_t>(v);
                emit_wide_string(sink, Spec{spec.left, false, false, false, false, spec.width, -1}, &c, 1);
            } else {
                const auto c = static_cast<char>(v);
                emit_narrow_string(sink, Spec{spec.left, false, false, false, false, spec.width, -1}, &c, 1);
            }
            break;
        }
        case 's':
        case 'S': {
            const void* arg = va_arg(ap, const void*);
            bool wide_arg = (conversion == 's') == kWideFormat;
            if (spec.size == Spec::kShort) wide_arg = false;
            if (spec.size == Spec::kWide) wide_arg = true;
            if (!arg) {
                emit_narrow_string(sink, spec, "(null)", 6);
            } else if (wide_arg) {
                const auto* s = static_cast<const char16_t*>(arg);
                std::size_t n = 0;
                const std::size_t limit = spec.precision >= 0 ? static_cast<std::size_t>(spec.precision) : SIZE_MAX;
                while (n < limit && s[n]) ++n;
                emit_wide_string(sink, spec, s, n);
            } else {
                const auto* s = static_cast<const char*>(arg);
                std::size_t n = 0;
                const std::size_t limit = spec.precision >= 0 ? static_cast<std::size_t>(spec.precision) : SIZE_MAX;
                while (n < limit && s[n]) ++n;
                emit_narrow_string(sink, spec, s, n);
            }
            break;
        }
        case 'Z': {
            const void* arg = va_arg(ap, const void*);
            if (spec.size == Spec::kWide) {
                const auto* u = static_cast<const UNICODE_STRING*>(arg);
                if (!u || !u->Buffer) emit_narrow_string(sink, spec, "(null)", 6);
                else emit_wide_string(sink, spec, reinterpret_cast<const char16_t*>(u->Buffer), u->Length / sizeof(WCHAR));
            } else {
                const auto* a = static_cast<const ANSI_STRING*>(arg);
                if (!a || !a->Buffer) emit_narrow_string(sink, spec, "(null)", 6);
                else emit_narrow_string(sink, spec, a->Buffer, a->Length);
            }
            break;
        }
        case 'e':
        case 'E':
        case 'f':
        case 'F':
        case 'g':
        case 'G':
        case 'a':
        case 'A': {
            const double v = spec.size == Spec::kLongDouble ? static_cast<double>(va_arg(ap, long double))
                                                            : va_arg(ap, double);
            emit_float(sink, spec, conversion, v);
            break;
        }
        case 'n':
            // Writing through %n is a classic exploit vector; the kernel ignores it too.
            (void)va_arg(ap, void*);
            break;
        default:
            // Unknown conversion: copy the directive through unchanged.
            for (const Fmt* q = start; q < p; ++q) {
                if constexpr (kWideFormat) sink.wide(q, 1);
                else sink.put(static_cast<Out>(*q));
            }
            break;
        }
    }
    va_end(ap);
    return {sink.written(), sink.truncated()};
}

}  // namespace

FormatResult vformat(char* buf, std::size_t capacity, const char* format, va_list args) noexcept {
    return vformat_impl(buf, capacity, format, args);
}

FormatResult vformat(char16_t* buf, std::size_t capacity, const char16_t* format, va_list args) noexcept {
    return vformat_impl(buf, capacity, format, args);
}

}  // namespace ntio::rtl
