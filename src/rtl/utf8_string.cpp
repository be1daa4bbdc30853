// RtlUnicodeToUTF8N and RtlUTF8ToUnicodeN: the explicit UTF-16 <-> UTF-8 conversions, counted in
// bytes on both sides, with the transcoder of utf.hpp.
#include <wdm.h>

#include "rtl/utf.hpp"

namespace {

// The status of a conversion that wrote everything it had to.
NTSTATUS complete(bool replaced) { return replaced ? STATUS_SOME_NOT_MAPPED : STATUS_SUCCESS; }

}  // namespace

extern "C" {

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-rtlunicodetoutf8n
// Converts UnicodeStringByteCount bytes of UTF-16 to UTF-8. A NULL destination asks for the size;
// otherwise only whole characters are written, STATUS_BUFFER_TOO_SMALL when not all of them fit.
// Unpaired surrogates become U+FFFD (STATUS_SOME_NOT_MAPPED).
NTSTATUS NTAPI RtlUnicodeToUTF8N(PCHAR UTF8StringDestination, ULONG UTF8StringMaxByteCount,
                                 PULONG UTF8StringActualByteCount, PCWCH UnicodeStringSource,
                                 ULONG UnicodeStringByteCount) {
    if (!UTF8StringDestination && !UTF8StringActualByteCount) return STATUS_INVALID_PARAMETER;
    if (!UnicodeStringSource) return STATUS_INVALID_PARAMETER_4;
    if (UnicodeStringByteCount % sizeof(WCHAR) != 0) return STATUS_INVALID_PARAMETER_5;
    const auto* units = reinterpret_cast<const char16_t*>(UnicodeStringSource);
    const std::size_t count = UnicodeStringByteCount / sizeof(WCHAR);
    bool replaced = false;
    if (!UTF8StringDestination) {
        *UTF8StringActualByteCount = static_cast<ULONG>(ntio::rtl::utf8_size(units, count, &replaced));
        return complete(replaced);
    }
    std::size_t consumed = 0;
    const std::size_t written = ntio::rtl::utf16_to_utf8(units, count, UTF8StringDestination, UTF8StringMaxByteCount,
                                                         &consumed, &replaced);
    if (UTF8StringActualByteCount) *UTF8StringActualByteCount = static_cast<ULONG>(written);
    return consumed < count ? STATUS_BUFFER_TOO_SMALL : complete(replaced);
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-rtlutf8tounicoden
// Converts UTF8StringByteCount bytes of UTF-8 to UTF-16, sizes in bytes. A NULL destination asks for
// the size; otherwise only whole characters (a surrogate pair is one) are written,
// STATUS_BUFFER_TOO_SMALL when not all of them fit. Ill-formed sequences become U+FFFD
// (STATUS_SOME_NOT_MAPPED).
NTSTATUS NTAPI RtlUTF8ToUnicodeN(PWSTR UnicodeStringDestination, ULONG UnicodeStringMaxByteCount,
                                 PULONG UnicodeStringActualByteCount, PCCH UTF8StringSource,
                                 ULONG UTF8StringByteCount) {
    if (!UnicodeStringDestination && !UnicodeStringActualByteCount) return STATUS_INVALID_PARAMETER;
    if (!UTF8StringSource) return STATUS_INVALID_PARAMETER_4;
    bool replaced = false;
    if (!UnicodeStringDestination) {
        const std::size_t units = ntio::rtl::utf16_size(UTF8StringSource, UTF8StringByteCount, &replaced);
        *UnicodeStringActualByteCount = static_cast<ULONG>(units * sizeof(WCHAR));
        return complete(replaced);
    }
    std::size_t consumed = 0;
    const std::size_t written =
        ntio::rtl::utf8_to_utf16(UTF8StringSource, UTF8StringByteCount,
                                 reinterpret_cast<char16_t*>(UnicodeStringDestination),
                                 UnicodeStringMaxByteCount / sizeof(WCHAR), &consumed, &replaced);
    if (UnicodeStringActualByteCount) *UnicodeStringActualByteCount = static_cast<ULONG>(written * sizeof(WCHAR));
    return consumed < UTF8StringByteCount ? STATUS_BUFFER_TOO_SMALL : complete(replaced);
}

}  // extern "C"
