// <ntstrsafe.h> routines. Status rules follow the WDK documentation of RtlStringCchCopyW and
// friends: size validation first, then copy with truncation and termination.
#include <cstdarg>

#include <ntstrsafe.h>

#include "rtl/formatter.hpp"

using ntio::rtl::vformat;

namespace {

constexpr std::size_t kMaxCch = NTSTRSAFE_MAX_CCH;
constexpr std::size_t kMaxUnicodeCch = NTSTRSAFE_UNICODE_STRING_MAX_CCH;

template <typename C>
NTSTATUS validate_dest(const C* dest, std::size_t cch) {
    if (cch == 0 || cch > kMaxCch || dest == nullptr) return STATUS_INVALID_PARAMETER;
    return STATUS_SUCCESS;
}

template <typename C>
NTSTATUS length_worker(const C* s, std::size_t cch_max, std::size_t* length) {
    std::size_t n = 0;
    while (n < cch_max && s[n] != 0) ++n;
    if (n == cch_max) {
        if (length) *length = 0;
        return STATUS_INVALID_PARAMETER;
    }
    if (length) *length = n;
    return STATUS_SUCCESS;
}

// Copies at most to_copy characters of src into dest (cch characters including the terminator).
template <typename C>
NTSTATUS copy_worker(C* dest, std::size_t cch, const C* src, std::size_t to_copy) {
    std::size_t i = 0;
    while (cch > 1 && to_copy > 0 && src[i] != 0) {
        dest[i] = src[i];
        ++i;
        --cch;
        --to_copy;
    }
    dest[i] = 0;
    if (to_copy > 0 && src[i] != 0) return STATUS_BUFFER_OVERFLOW;
    return STATUS_SUCCESS;
}

template <typename C>
NTSTATUS copy_n(C* dest, std::size_t cch, const C* src, std::size_t to_copy) {
    NTSTATUS status = validate_dest(dest, cch);
    if (!NT_SUCCESS(status)) return status;
    if (to_copy > NTSTRSAFE_MAX_LENGTH || src == nullptr) {
        *dest = 0;
        return STATUS_INVALID_PARAMETER;
    }
    return copy_worker(dest, cch, src, to_copy);
}

template <typename C>
NTSTATUS cat(C* dest, std::size_t cch, const C* src) {
    NTSTATUS status = validate_dest(dest, cch);
    if (!NT_SUCCESS(status)) return status;
    std::size_t used;
    status = length_worker(dest, cch, &used);
    if (!NT_SUCCESS(status)) return status;
    if (src == nullptr) return STATUS_INVALID_PARAMETER;
    return copy_worker(dest + used, cch - used, src, NTSTRSAFE_MAX_LENGTH);
}

template <typename C>
NTSTATUS length(const C* s, std::size_t cch_max, std::size_t* out) {
    if (s == nullptr || cch_max > kMaxCch) {
        if (out) *out = 0;
        return STATUS_INVALID_PARAMETER;
    }
    return length_worker(s, cch_max, out);
}

NTSTATUS vprintf_a(char* dest, std::size_t cch, const char* format, va_list args) {
    NTSTATUS status = validate_dest(dest, cch);
    if (!NT_SUCCESS(status)) return status;
    if (format == nullptr) {
        *dest = 0;
        return STATUS_INVALID_PARAMETER;
    }
    const auto result = vformat(dest, cch - 1, format, args);
    dest[result.written] = 0;
    return result.truncated ? STATUS_BUFFER_OVERFLOW : STATUS_SUCCESS;
}

NTSTATUS vprintf_w(wchar_t* dest, std::size_t cch, const wchar_t* format, va_list args) {
    NTSTATUS status = validate_dest(dest, cch);
    if (!NT_SUCCESS(status)) return status;
    if (format == nullptr) {
        *dest = 0;
        return STATUS_INVALID_PARAMETER;
    }
    auto* out = reinterpret_cast<char16_t*>(dest);
    const auto result = vformat(out, cch - 1, reinterpret_cast<const char16_t*>(format), args);
    out[result.written] = 0;
    return result.truncated ? STATUS_BUFFER_OVERFLOW : STATUS_SUCCESS;
}

// Validation shared by the UNICODE_STRING forms (RtlUnicodeStringValidate rules).
NTSTATUS validate_unicode(PCUNICODE_STRING s) {
    if (s == nullptr) return STATUS_INVALID_PARAMETER;
    if ((s->Length & 1) || (s->MaximumLength & 1) || s->Length > s->MaximumLength ||
        (s->Buffer == nullptr && s->MaximumLength != 0) || s->MaximumLength / sizeof(WCHAR) > kMaxUnicodeCch) {
        return STATUS_INVALID_PARAMETER;
    }
    return STATUS_SUCCESS;
}

// Appends src (count characters) at dest's Length, truncating at MaximumLength.
NTSTATUS unicode_append(PUNICODE_STRING dest, const wchar_t* src, std::size_t count) {
    const std::size_t used = dest->Length / sizeof(WCHAR);
    const std::size_t room = dest->MaximumLength / sizeof(WCHAR) - used;
    const std::size_t take = count < room ? count : room;
    for (std::size_t i = 0; i < take; ++i) dest->Buffer[used + i] = src[i];
    dest->Length = static_cast<USHORT>((used + take) * sizeof(WCHAR));
    return take < count ? STATUS_BUFFER_OVERFLOW : STATUS_SUCCESS;
}

NTSTATUS source_length(const wchar_t* src, std::size_t* count) {
    if (src == nullptr) return STATUS_INVALID_PARAMETER;
    std::size_t n = 0;
    while (src[n] != 0) {
        if (++n > kMaxUnicodeCch) return STATUS_INVALID_PARAMETER;
    }
    *count = n;
    return STATUS_SUCCESS;
}

}  // namespace

extern "C" {

NTSTATUS NTAPI RtlStringCchCopyW(NTSTRSAFE_PWSTR pszDest, size_t cchDest, NTSTRSAFE_PCWSTR pszSrc) {
    return copy_n(pszDest, cchDest, pszSrc, NTSTRSAFE_MAX_LENGTH);
}
NTSTATUS NTAPI RtlStringCchCopyA(NTSTRSAFE_PSTR pszDest, size_t cchDest, NTSTRSAFE_PCSTR pszSrc) {
    return copy_n(pszDest, cchDest, pszSrc, NTSTRSAFE_MAX_LENGTH);
}
NTSTATUS NTAPI RtlStringCbCopyW(NTSTRSAFE_PWSTR pszDest, size_t cbDest, NTSTRSAFE_PCWSTR pszSrc) {
    return copy_n(pszDest, cbDest / sizeof(wchar_t), pszSrc, NTSTRSAFE_MAX_LENGTH);
}
NTSTATUS NTAPI RtlStringCbCopyA(NTSTRSAFE_PSTR pszDest, size_t cbDest, NTSTRSAFE_PCSTR pszSrc) {
    return copy_n(pszDest, cbDest, pszSrc, NTSTRSAFE_MAX_LENGTH);
}
NTSTATUS NTAPI RtlStringCchCopyNW(NTSTRSAFE_PWSTR pszDest, size_t cchDest, NTSTRSAFE_PCWSTR pszSrc, size_t cchToCopy) {
    return copy_n(pszDest, cchDest, pszSrc, cchToCopy);
}
NTSTATUS NTAPI RtlStringCchCopyNA(NTSTRSAFE_PSTR pszDest, size_t cchDest, NTSTRSAFE_PCSTR pszSrc, size_t cchToCopy) {
    return copy_n(pszDest, cchDest, pszSrc, cchToCopy);
}
NTSTATUS NTAPI RtlStringCbCopyNW(NTSTRSAFE_PWSTR pszDest, size_t cbDest, NTSTRSAFE_PCWSTR pszSrc, size_t cbToCopy) {
    return copy_n(pszDest, cbDest / sizeof(wchar_t), pszSrc, cbToCopy / sizeof(wchar_t));
}
NTSTATUS NTAPI RtlStringCbCopyNA(NTSTRSAFE_PSTR pszDest, size_t cbDest, NTSTRSAFE_PCSTR pszSrc, size_t cbToCopy) {
    return copy_n(pszDest, cbDest, pszSrc, cbToCopy);
}

NTSTATUS NTAPI RtlStringCchCatW(NTSTRSAFE_PWSTR pszDest, size_t cchDest, NTSTRSAFE_PCWSTR pszSrc) {
    return cat(pszDest, cchDest, pszSrc);
}
NTSTATUS NTAPI RtlStringCchCatA(NTSTRSAFE_PSTR pszDest, size_t cchDest, NTSTRSAFE_PCSTR pszSrc) {
    return cat(pszDest, cchDest, pszSrc);
}
NTSTATUS NTAPI RtlStringCbCatW(NTSTRSAFE_PWSTR pszDest, size_t cbDest, NTSTRSAFE_PCWSTR pszSrc) {
    return cat(pszDest, cbDest / sizeof(wchar_t), pszSrc);
}
NTSTATUS NTAPI RtlStringCbCatA(NTSTRSAFE_PSTR pszDest, size_t cbDest, NTSTRSAFE_PCSTR pszSrc) {
    return cat(pszDest, cbDest, pszSrc);
}

NTSTATUS NTAPI RtlStringCchLengthW(NTSTRSAFE_PCWSTR psz, size_t cchMax, size_t* pcchLength) {
    return length(psz, cchMax, pcchLength);
}
NTSTATUS NTAPI RtlStringCchLengthA(NTSTRSAFE_PCSTR psz, size_t cchMax, size_t* pcchLength) {
    return length(psz, cchMax, pcchLength);
}
NTSTATUS NTAPI RtlStringCbLengthW(NTSTRSAFE_PCWSTR psz, size_t cbMax, size_t* pcbLength) {
    std::size_t cch = 0;
    const NTSTATUS status = length(psz, cbMax / sizeof(wchar_t), &cch);
    if (pcbLength) *pcbLength = cch * sizeof(wchar_t);
    return status;
}
NTSTATUS NTAPI RtlStringCbLengthA(NTSTRSAFE_PCSTR psz, size_t cbMax, size_t* pcbLength) {
    return length(psz, cbMax, pcbLength);
}

NTSTATUS NTAPI RtlStringCchVPrintfW(NTSTRSAFE_PWSTR pszDest, size_t cchDest, NTSTRSAFE_PCWSTR pszFormat, va_list argList) {
    return vprintf_w(pszDest, cchDest, pszFormat, argList);
}
NTSTATUS NTAPI RtlStringCchVPrintfA(NTSTRSAFE_PSTR pszDest, size_t cchDest, NTSTRSAFE_PCSTR pszFormat, va_list argList) {
    return vprintf_a(pszDest, cchDest, pszFormat, argList);
}
NTSTATUS NTAPI RtlStringCbVPrintfW(NTSTRSAFE_PWSTR pszDest, size_t cbDest, NTSTRSAFE_PCWSTR pszFormat, va_list argList) {
    return vprintf_w(pszDest, cbDest / sizeof(wchar_t), pszFormat, argList);
}
NTSTATUS NTAPI RtlStringCbVPrintfA(NTSTRSAFE_PSTR pszDest, size_t cbDest, NTSTRSAFE_PCSTR pszFormat, va_list argList) {
    return vprintf_a(pszDest, cbDest, pszFormat, argList);
}

NTSTATUS __cdecl RtlStringCchPrintfW(NTSTRSAFE_PWSTR pszDest, size_t cchDest, NTSTRSAFE_PCWSTR pszFormat, ...) {
    va_list args;
    va_start(args, pszFormat);
    const NTSTATUS status = vprintf_w(pszDest, cchDest, pszFormat, args);
    va_end(args);
    return status;
}
NTSTATUS __cdecl RtlStringCchPrintfA(NTSTRSAFE_PSTR pszDest, size_t cchDest, NTSTRSAFE_PCSTR pszFormat, ...) {
    va_list args;
    va_start(args, pszFormat);
    const NTSTATUS status = vprintf_a(pszDest, cchDest, pszFormat, args);
    va_end(args);
    return status;
}
NTSTATUS __cdecl RtlStringCbPrintfW(NTSTRSAFE_PWSTR pszDest, size_t cbDest, NTSTRSAFE_PCWSTR pszFormat, ...) {
    va_list args;
    va_start(args, pszFormat);
    const NTSTATUS status = vprintf_w(pszDest, cbDest / sizeof(wchar_t), pszFormat, args);
    va_end(args);
    return status;
}
NTSTATUS __cdecl RtlStringCbPrintfA(NTSTRSAFE_PSTR pszDest, size_t cbDest, NTSTRSAFE_PCSTR pszFormat, ...) {
    va_list args;
    va_start(args, pszFormat);
    const NTSTATUS status = vprintf_a(pszDest, cbDest, pszFormat, args);
    va_end(args);
    return status;
}

NTSTATUS NTAPI RtlUnicodeStringValidate(PCUNICODE_STRING SourceString) { return validate_unicode(SourceString); }

NTSTATUS NTAPI RtlUnicodeStringCopy(PUNICODE_STRING DestinationString, PCUNICODE_STRING SourceString) {
    NTSTATUS status = validate_unicode(DestinationString);
    if (NT_SUCCESS(status)) status = validate_unicode(SourceString);
    if (!NT_SUCCESS(status)) return status;
    DestinationString->Length = 0;
    return unicode_append(DestinationString, SourceString->Buffer, SourceString->Length / sizeof(WCHAR));
}

NTSTATUS NTAPI RtlUnicodeStringCat(PUNICODE_STRING DestinationString, PCUNICODE_STRING SourceString) {
    NTSTATUS status = validate_unicode(DestinationString);
    if (NT_SUCCESS(status)) status = validate_unicode(SourceString);
    if (!NT_SUCCESS(status)) return status;
    return unicode_append(DestinationString, SourceString->Buffer, SourceString->Length / sizeof(WCHAR));
}

NTSTATUS NTAPI RtlUnicodeStringCopyString(PUNICODE_STRING DestinationString, NTSTRSAFE_PCWSTR pszSrc) {
    NTSTATUS status = validate_unicode(DestinationString);
    std::size_t count = 0;
    if (NT_SUCCESS(status)) status = source_length(pszSrc, &count);
    if (!NT_SUCCESS(status)) return status;
    DestinationString->Length = 0;
    return unicode_append(DestinationString, pszSrc, count);
}

NTSTATUS NTAPI RtlUnicodeStringCatString(PUNICODE_STRING DestinationString, NTSTRSAFE_PCWSTR pszSrc) {
    NTSTATUS status = validate_unicode(DestinationString);
    std::size_t count = 0;
    if (NT_SUCCESS(status)) status = source_length(pszSrc, &count);
    if (!NT_SUCCESS(status)) return status;
    return unicode_append(DestinationString, pszSrc, count);
}

NTSTATUS NTAPI RtlUnicodeStringVPrintf(PUNICODE_STRING DestinationString, NTSTRSAFE_PCWSTR pszFormat, va_list argList) {
    NTSTATUS status = validate_unicode(DestinationString);
    if (!NT_SUCCESS(status)) return status;
    if (pszFormat == nullptr) return STATUS_INVALID_PARAMETER;
    auto* out = reinterpret_cast<char16_t*>(DestinationString->Buffer);
    const auto result = vformat(out, DestinationString->MaximumLength / sizeof(WCHAR),
                                reinterpret_cast<const char16_t*>(pszFormat), argList);
    DestinationString->Length = static_cast<USHORT>(result.written * sizeof(WCHAR));
    return result.truncated ? STATUS_BUFFER_OVERFLOW : STATUS_SUCCESS;
}

NTSTATUS __cdecl RtlUnicodeStringPrintf(PUNICODE_STRING DestinationString, NTSTRSAFE_PCWSTR pszFormat, ...) {
    va_list args;
    va_start(args, pszFormat);
    const NTSTATUS status = RtlUnicodeStringVPrintf(DestinationString, pszFormat, args);
    va_end(args);
    return status;
}

}  // extern "C"
