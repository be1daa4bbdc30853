// Integer <-> string routines (RtlIntegerToUnicodeString, RtlUnicodeStringToInteger and the char
// forms). Bases 2, 8, 10 and 16; base 0 means decimal when formatting and "from the prefix" (0x, 0o,
// 0b) when parsing. Hex digits are upper case, as on Windows.
#include <wdm.h>

namespace {

bool valid_base(ULONG base) { return base == 2 || base == 8 || base == 10 || base == 16; }

// Writes the digits of value into a 64-character scratch buffer, returns the count; digits end at
// scratch + 64.
std::size_t format_digits(ULONGLONG value, ULONG base, char (&scratch)[64]) {
    std::size_t n = 0;
    do {
        const unsigned digit = static_cast<unsigned>(value % base);
        scratch[63 - n] = static_cast<char>(digit < 10 ? '0' + digit : 'A' + digit - 10);
        value /= base;
        ++n;
    } while (value != 0);
    return n;
}

NTSTATUS to_unicode(ULONGLONG value, ULONG base, PUNICODE_STRING string) {
    if (base == 0) base = 10;
    if (!valid_base(base)) return STATUS_INVALID_PARAMETER;
    char scratch[64];
    const std::size_t n = format_digits(value, base, scratch);
    if ((n + 1) * sizeof(WCHAR) > string->MaximumLength) return STATUS_BUFFER_OVERFLOW;
    for (std::size_t i = 0; i < n; ++i) string->Buffer[i] = static_cast<WCHAR>(scratch[64 - n + i]);
    string->Buffer[n] = UNICODE_NULL;
    string->Length = static_cast<USHORT>(n * sizeof(WCHAR));
    return STATUS_SUCCESS;
}

int digit_value(unsigned c) {
    if (c >= '0' && c <= '9') return static_cast<int>(c - '0');
    if (c >= 'a' && c <= 'z') return static_cast<int>(c - 'a' + 10);
    if (c >= 'A' && c <= 'Z') return static_cast<int>(c - 'A' + 10);
    return 99;
}

// Parses units[0..count) the way RtlCharToInteger does: leading white space, an optional sign, an
// optional base prefix when base is 0, then digits up to the first character that is not one.
template <typename Unit>
NTSTATUS parse(const Unit* s, std::size_t count, ULONG base, PULONG value) {
    std::size_t i = 0;
    while (i < count && static_cast<unsigned>(s[i]) <= ' ') ++i;
    bool negative = false;
    if (i < count && (s[i] == '+' || s[i] == '-')) {
        negative = s[i] == '-';
        ++i;
    }
    if (base == 0) {
        base = 10;
        if (i + 1 < count && s[i] == '0') {
            const unsigned p = static_cast<unsigned>(s[i + 1]);
            if (p == 'x' || p == 'X') base = 16;
            else if (p == 'o' || p == 'O') base = 8;
            else if (p == 'b' || p == 'B') base = 2;
            if (base != 10) i += 2;
        }
    } else if (!valid_base(base)) {
        return STATUS_INVALID_PARAMETER;
    }
    ULONG result = 0;
    for (; i < count; ++i) {
        const int digit = digit_value(static_cast<unsigned>(s[i]));
        if (digit >= static_cast<int>(base)) break;
        result = result * base + static_cast<ULONG>(digit);
    }
    *value = negative ? 0u - result : result;
    return STATUS_SUCCESS;
}

}  // namespace

extern "C" {

NTSTATUS NTAPI RtlIntegerToChar(ULONG Value, ULONG Base, LONG OutputLength, PSZ String) {
    if (Base == 0) Base = 10;
    if (!valid_base(Base)) return STATUS_INVALID_PARAMETER;
    char scratch[64];
    const std::size_t n = format_digits(Value, Base, scratch);
    const std::size_t capacity = OutputLength < 0 ? static_cast<std::size_t>(-static_cast<LONGLONG>(OutputLength))
                                                  : static_cast<std::size_t>(OutputLength);
    if (n > capacity) return STATUS_BUFFER_OVERFLOW;
    for (std::size_t i = 0; i < n; ++i) String[i] = scratch[64 - n + i];
    if (n < capacity) String[n] = ANSI_NULL;
    return STATUS_SUCCESS;
}

NTSTATUS NTAPI RtlIntegerToUnicodeString(ULONG Value, ULONG Base, PUNICODE_STRING String) {
    return to_unicode(Value, Base, String);
}

NTSTATUS NTAPI RtlInt64ToUnicodeString(ULONGLONG Value, ULONG Base, PUNICODE_STRING String) {
    return to_unicode(Value, Base, String);
}

NTSTATUS NTAPI RtlUnicodeStringToInteger(PCUNICODE_STRING String, ULONG Base, PULONG Value) {
    return parse(String->Buffer, String->Length / sizeof(WCHAR), Base, Value);
}

NTSTATUS NTAPI RtlCharToInteger(PCSZ String, ULONG Base, PULONG Value) {
    std::size_t n = 0;
    while (String[n] != 0) ++n;
    return parse(String, n, Base, Value);
}

}  // extern "C"
