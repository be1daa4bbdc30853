// Unicode normalization and IDNA over UTF-16 strings, by ICU (Debian libicu-dev): unorm2 for the four
// normalization forms (UAX #15), UTS #46 processing (IDNA2008 with its compatibility mapping, as
// Windows 8 and later use) for IdnToAscii / IdnToUnicode, and the RFC 3491 Nameprep profile for
// IdnToNameprepUnicode. Contracts are those of the Win32 twins, returned as NTSTATUS:
// https://learn.microsoft.com/windows/win32/api/winnls/nf-winnls-normalizestring
// https://learn.microsoft.com/windows/win32/api/winnls/nf-winnls-isnormalizedstring
// https://learn.microsoft.com/windows/win32/api/winnls/nf-winnls-idntoascii
// https://learn.microsoft.com/windows/win32/api/winnls/nf-winnls-idntounicode
// https://learn.microsoft.com/windows/win32/api/winnls/nf-winnls-idntonameprepunicode
// ICU's errors map to the statuses the Learn pages' errors stand for: ERROR_INVALID_PARAMETER ->
// STATUS_INVALID_PARAMETER, ERROR_NO_UNICODE_TRANSLATION -> STATUS_NO_UNICODE_TRANSLATION,
// ERROR_INVALID_NAME (a name IDNA rejects) -> STATUS_INVALID_IDN_NORMALIZATION,
// ERROR_INSUFFICIENT_BUFFER -> STATUS_BUFFER_TOO_SMALL; an ICU allocation failure is
// STATUS_NO_MEMORY.
#include <unicode/uidna.h>
#include <unicode/unorm2.h>
#include <unicode/usprep.h>

#include <cstring>
#include <string>

#include <ntifs.h>

namespace {

constexpr ULONG kIdnFlags = IDN_ALLOW_UNASSIGNED | IDN_USE_STD3_ASCII_RULES;

NTSTATUS from_icu(UErrorCode error) {
    switch (error) {
    case U_MEMORY_ALLOCATION_ERROR: return STATUS_NO_MEMORY;
    case U_INVALID_CHAR_FOUND:
    case U_ILLEGAL_CHAR_FOUND:
    case U_TRUNCATED_CHAR_FOUND: return STATUS_NO_UNICODE_TRANSLATION;
    case U_STRINGPREP_PROHIBITED_ERROR:
    case U_STRINGPREP_UNASSIGNED_ERROR:
    case U_STRINGPREP_CHECK_BIDI_ERROR:
    // (U_IDNA_PROHIBITED_ERROR, _UNASSIGNED_ and _CHECK_BIDI_ are the three above.)
    case U_IDNA_STD3_ASCII_RULES_ERROR:
    case U_IDNA_ACE_PREFIX_ERROR:
    case U_IDNA_VERIFICATION_ERROR:
    case U_IDNA_LABEL_TOO_LONG_ERROR:
    case U_IDNA_ZERO_LENGTH_LABEL_ERROR:
    case U_IDNA_DOMAIN_NAME_TOO_LONG_ERROR: return STATUS_INVALID_IDN_NORMALIZATION;
    default: return STATUS_INVALID_PARAMETER;
    }
}

// The caller's source: SourceStringLength characters, or up to the NUL for -1 (then the result
// carries a NUL too).
struct Source {
    std::u16string text;
    bool terminated = false;
};

NTSTATUS read_source(PCWSTR source, LONG length, Source* out) {
    if (source == nullptr || length < -1) return STATUS_INVALID_PARAMETER;
    const auto* chars = reinterpret_cast<const char16_t*>(source);
    if (length == -1) {
        size_t n = 0;
        while (chars[n] != 0) ++n;
        out->text.assign(chars, n);
        out->terminated = true;
    } else {
        out->text.assign(chars, static_cast<size_t>(length));
    }
    // An unpaired surrogate is invalid UTF-16 (ICU would carry it through).
    const std::u16string& s = out->text;
    for (size_t i = 0; i < s.size(); ++i) {
        const char16_t c = s[i];
        if (c >= 0xD800 && c <= 0xDBFF) {
            if (i + 1 == s.size() || s[i + 1] < 0xDC00 || s[i + 1] > 0xDFFF) return STATUS_NO_UNICODE_TRANSLATION;
            ++i;
        } else if (c >= 0xDC00 && c <= 0xDFFF) {
            return STATUS_NO_UNICODE_TRANSLATION;
        }
    }
    return STATUS_SUCCESS;
}

// Hands the result to the caller: *DestinationStringLength is the room on entry and the length
// written (or needed, with STATUS_BUFFER_TOO_SMALL) on return.
NTSTATUS deliver(std::u16string result, bool terminated, PWSTR destination, PLONG destination_length) {
    if (terminated) result.push_back(u'\0');
    if (result.size() > 0x7FFFFFFF) return STATUS_INVALID_PARAMETER;
    const LONG needed = static_cast<LONG>(result.size());
    if (*destination_length < needed) {
        *destination_length = needed;
        return STATUS_BUFFER_TOO_SMALL;
    }
    if (needed != 0) std::memcpy(destination, result.data(), result.size() * sizeof(char16_t));
    *destination_length = needed;
    return STATUS_SUCCESS;
}

NTSTATUS check_destination(PWSTR destination, PLONG destination_length) {
    if (destination_length == nullptr || *destination_length < 0) return STATUS_INVALID_PARAMETER;
    if (destination == nullptr && *destination_length != 0) return STATUS_INVALID_PARAMETER;
    return STATUS_SUCCESS;
}

const UNormalizer2* normalizer(ULONG form, UErrorCode* error) {
    switch (form) {
    case NormalizationC: return unorm2_getNFCInstance(error);
    case NormalizationD: return unorm2_getNFDInstance(error);
    case NormalizationKC: return unorm2_getNFKCInstance(error);
    case NormalizationKD: return unorm2_getNFKDInstance(error);
    default: return nullptr;
    }
}

// Runs an ICU "preflight, then fill" call: call(buffer, capacity, &error) returns the length.
template <typename Call>
NTSTATUS icu_string(Call call, std::u16string* out) {
    UErrorCode error = U_ZERO_ERROR;
    const int32_t length = call(nullptr, 0, &error);
    if (error != U_BUFFER_OVERFLOW_ERROR && U_FAILURE(error)) return from_icu(error);
    out->assign(static_cast<size_t>(length), u'\0');
    if (length == 0) return STATUS_SUCCESS;
    error = U_ZERO_ERROR;
    call(out->data(), length, &error);
    return U_FAILURE(error) && error != U_STRING_NOT_TERMINATED_WARNING ? from_icu(error) : STATUS_SUCCESS;
}

enum class IdnDirection { ToAscii, ToUnicode };

NTSTATUS idn_convert(IdnDirection direction, ULONG flags, PCWSTR source, LONG source_length, PWSTR destination,
                     PLONG destination_length) {
    if ((flags & ~kIdnFlags) != 0) return STATUS_INVALID_PARAMETER;
    NTSTATUS status = check_destination(destination, destination_length);
    if (!NT_SUCCESS(status)) return status;
    Source in;
    status = read_source(source, source_length, &in);
    if (!NT_SUCCESS(status)) return status;
    if (in.text.empty()) return STATUS_INVALID_PARAMETER;  // Learn: the name may not be empty
    uint32_t options = UIDNA_NONTRANSITIONAL_TO_ASCII | UIDNA_NONTRANSITIONAL_TO_UNICODE | UIDNA_CHECK_BIDI |
                       UIDNA_CHECK_CONTEXTJ;
    if ((flags & IDN_USE_STD3_ASCII_RULES) != 0) options |= UIDNA_USE_STD3_RULES;
    UErrorCode error = U_ZERO_ERROR;
    UIDNA* idna = uidna_openUTS46(options, &error);
    if (U_FAILURE(error)) return from_icu(error);
    std::u16string result;
    UIDNAInfo info = UIDNA_INFO_INITIALIZER;
    status = icu_string(
        [&](char16_t* buffer, int32_t capacity, UErrorCode* e) {
            info = UIDNA_INFO_INITIALIZER;
            const auto length = static_cast<int32_t>(in.text.size());
            return direction == IdnDirection::ToAscii
                       ? uidna_nameToASCII(idna, in.text.data(), length, buffer, capacity, &info, e)
                       : uidna_nameToUnicode(idna, in.text.data(), length, buffer, capacity, &info, e);
        },
        &result);
    uidna_close(idna);
    if (!NT_SUCCESS(status)) return status;
    if (info.errors != 0) return STATUS_INVALID_IDN_NORMALIZATION;
    return deliver(std::move(result), in.terminated, destination, destination_length);
}

// STD3 ASCII rules after Nameprep: ASCII only as letters, digits and hyphens (not at a label's ends),
// labels separated by dots.
bool std3_ascii_ok(const std::u16string& name) {
    size_t label_start = 0;
    for (size_t i = 0; i <= name.size(); ++i) {
        if (i == name.size() || name[i] == u'.') {
            if (i > label_start && (name[label_start] == u'-' || name[i - 1] == u'-')) return false;
            label_start = i + 1;
            continue;
        }
        const char16_t c = name[i];
        if (c >= 0x80) continue;
        const bool ldh = (c >= u'a' && c <= u'z') || (c >= u'A' && c <= u'Z') || (c >= u'0' && c <= u'9') || c == u'-';
        if (!ldh) return false;
    }
    return true;
}

}  // namespace

extern "C" {

// NormForm is NormalizationC, D, KC or KD (NormalizationOther and anything else:
// STATUS_INVALID_PARAMETER).
NTSYSAPI NTSTATUS NTAPI RtlNormalizeString(ULONG NormForm, PCWSTR SourceString, LONG SourceStringLength,
                                           PWSTR DestinationString, PLONG DestinationStringLength) {
    UErrorCode error = U_ZERO_ERROR;
    const UNormalizer2* form = normalizer(NormForm, &error);
    if (form == nullptr) return U_FAILURE(error) ? from_icu(error) : STATUS_INVALID_PARAMETER;
    NTSTATUS status = check_destination(DestinationString, DestinationStringLength);
    if (!NT_SUCCESS(status)) return status;
    Source in;
    status = read_source(SourceString, SourceStringLength, &in);
    if (!NT_SUCCESS(status)) return status;
    std::u16string result;
    status = icu_string(
        [&](char16_t* buffer, int32_t capacity, UErrorCode* e) {
            return unorm2_normalize(form, in.text.data(), static_cast<int32_t>(in.text.size()), buffer, capacity, e);
        },
        &result);
    if (!NT_SUCCESS(status)) return status;
    return deliver(std::move(result), in.terminated, DestinationString, DestinationStringLength);
}

NTSYSAPI NTSTATUS NTAPI RtlIsNormalizedString(ULONG NormForm, PCWSTR SourceString, LONG SourceStringLength,
                                              PBOOLEAN Normalized) {
    UErrorCode error = U_ZERO_ERROR;
    const UNormalizer2* form = normalizer(NormForm, &error);
    if (form == nullptr) return U_FAILURE(error) ? from_icu(error) : STATUS_INVALID_PARAMETER;
    if (Normalized == nullptr) return STATUS_INVALID_PARAMETER;
    Source in;
    const NTSTATUS status = read_source(SourceString, SourceStringLength, &in);
    if (!NT_SUCCESS(status)) return status;
    const UBool normalized =
        unorm2_isNormalized(form, in.text.data(), static_cast<int32_t>(in.text.size()), &error);
    if (U_FAILURE(error)) return from_icu(error);
    *Normalized = normalized ? TRUE : FALSE;
    return STATUS_SUCCESS;
}

NTSYSAPI NTSTATUS NTAPI RtlIdnToAscii(ULONG Flags, PCWSTR SourceString, LONG SourceStringLength,
                                      PWSTR DestinationString, PLONG DestinationStringLength) {
    return idn_convert(IdnDirection::ToAscii, Flags, SourceString, SourceStringLength, DestinationString,
                       DestinationStringLength);
}

NTSYSAPI NTSTATUS NTAPI RtlIdnToUnicode(ULONG Flags, PCWSTR SourceString, LONG SourceStringLength,
                                        PWSTR DestinationString, PLONG DestinationStringLength) {
    return idn_convert(IdnDirection::ToUnicode, Flags, SourceString, SourceStringLength, DestinationString,
                       DestinationStringLength);
}

// Nameprep (RFC 3491) alone: case folding and normalization, no Punycode. IDN_ALLOW_UNASSIGNED lets
// unassigned code points through; IDN_USE_STD3_ASCII_RULES limits ASCII to letters, digits, hyphens
// and dots.
NTSYSAPI NTSTATUS NTAPI RtlIdnToNameprepUnicode(ULONG Flags, PCWSTR SourceString, LONG SourceStringLength,
                                                PWSTR DestinationString, PLONG DestinationStringLength) {
    if ((Flags & ~kIdnFlags) != 0) return STATUS_INVALID_PARAMETER;
    NTSTATUS status = check_destination(DestinationString, DestinationStringLength);
    if (!NT_SUCCESS(status)) return status;
    Source in;
    status = read_source(SourceString, SourceStringLength, &in);
    if (!NT_SUCCESS(status)) return status;
    if (in.text.empty()) return STATUS_INVALID_PARAMETER;
    UErrorCode error = U_ZERO_ERROR;
    UStringPrepProfile* profile = usprep_openByType(USPREP_RFC3491_NAMEPREP, &error);
    if (U_FAILURE(error)) return from_icu(error);
    const int32_t options = (Flags & IDN_ALLOW_UNASSIGNED) != 0 ? USPREP_ALLOW_UNASSIGNED : USPREP_DEFAULT;
    std::u16string result;
    status = icu_string(
        [&](char16_t* buffer, int32_t capacity, UErrorCode* e) {
            return usprep_prepare(profile, in.text.data(), static_cast<int32_t>(in.text.size()), buffer, capacity,
                                  options, nullptr, e);
        },
        &result);
    usprep_close(profile);
    if (!NT_SUCCESS(status)) return status;
    if ((Flags & IDN_USE_STD3_ASCII_RULES) != 0 && !std3_ascii_ok(result)) return STATUS_INVALID_IDN_NORMALIZATION;
    return deliver(std::move(result), in.terminated, DestinationString, DestinationStringLength);
}

}  // extern "C"
