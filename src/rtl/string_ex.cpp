// The counted-string routines beyond the basic set: RtlInitAnsiStringEx, RtlCompareUnicodeStrings over
// raw buffers, RtlValidateUnicodeString and RtlDuplicateUnicodeString (whose copy comes from the same
// string pool as every Rtl-allocated string, so RtlFreeUnicodeString frees it).
#include <cstring>

#include <ntifs.h>

#include "rtl/string_pool.hpp"

namespace {

bool well_formed(PCUNICODE_STRING s) noexcept {
    if ((s->Length & 1) || (s->MaximumLength & 1)) return false;
    if (s->Length > s->MaximumLength) return false;
    if (s->MaximumLength && !s->Buffer) return false;
    return true;
}

}  // namespace

extern "C" {

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-rtlinitansistringex
// On STATUS_NAME_TOO_LONG the destination describes an empty string, as RtlInitUnicodeStringEx does.
NTSTATUS NTAPI RtlInitAnsiStringEx(PANSI_STRING DestinationString, PCSZ SourceString) {
    if (!DestinationString) return STATUS_INVALID_PARAMETER;
    DestinationString->Length = 0;
    DestinationString->MaximumLength = 0;
    DestinationString->Buffer = const_cast<PCHAR>(SourceString);
    if (SourceString) {
        const std::size_t bytes = std::strlen(SourceString);
        if (bytes > MAXUSHORT - 1) return STATUS_NAME_TOO_LONG;
        DestinationString->Length = static_cast<USHORT>(bytes);
        DestinationString->MaximumLength = static_cast<USHORT>(bytes + 1);
    }
    return STATUS_SUCCESS;
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-rtlcompareunicodestrings
// The first differing character decides (after upcasing when CaseInSensitive); otherwise the shorter
// string sorts first.
LONG NTAPI RtlCompareUnicodeStrings(PCWCH String1, SIZE_T String1Length, PCWCH String2, SIZE_T String2Length,
                                    BOOLEAN CaseInSensitive) {
    const SIZE_T common = String1Length < String2Length ? String1Length : String2Length;
    for (SIZE_T i = 0; i < common; ++i) {
        WCHAR a = String1[i];
        WCHAR b = String2[i];
        if (a == b) continue;
        if (CaseInSensitive) {
            a = RtlUpcaseUnicodeChar(a);
            b = RtlUpcaseUnicodeChar(b);
            if (a == b) continue;
        }
        return static_cast<LONG>(a) - static_cast<LONG>(b);
    }
    if (String1Length == String2Length) return 0;
    return String1Length < String2Length ? -1 : 1;
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-rtlvalidateunicodestring
// A guess: a NULL String is valid (the empty string), as the Rtl string routines treat it.
NTSTATUS NTAPI RtlValidateUnicodeString(ULONG Flags, PCUNICODE_STRING String) {
    if (Flags != 0) return STATUS_INVALID_PARAMETER;
    if (!String) return STATUS_SUCCESS;
    return well_formed(String) ? STATUS_SUCCESS : STATUS_INVALID_PARAMETER;
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-rtlduplicateunicodestring
// An empty source gives an empty destination with no buffer unless ALLOCATE_NULL_STRING asks for a
// buffer holding just the terminator. Guesses: ALLOCATE_NULL_STRING without NULL_TERMINATE (a buffer
// with nothing to hold), unknown flags, a NULL or malformed string are STATUS_INVALID_PARAMETER; a
// string whose terminator would not fit a USHORT count is STATUS_NAME_TOO_LONG.
NTSTATUS NTAPI RtlDuplicateUnicodeString(ULONG Flags, PCUNICODE_STRING StringIn, PUNICODE_STRING StringOut) {
    constexpr ULONG kKnown = RTL_DUPLICATE_UNICODE_STRING_NULL_TERMINATE |
                             RTL_DUPLICATE_UNICODE_STRING_ALLOCATE_NULL_STRING;
    if (!StringIn || !StringOut || (Flags & ~kKnown) ||
        Flags == RTL_DUPLICATE_UNICODE_STRING_ALLOCATE_NULL_STRING || !well_formed(StringIn))
        return STATUS_INVALID_PARAMETER;
    const bool terminate = (Flags & RTL_DUPLICATE_UNICODE_STRING_NULL_TERMINATE) != 0;
    const USHORT length = StringIn->Length;
    if (length == 0 && !(Flags & RTL_DUPLICATE_UNICODE_STRING_ALLOCATE_NULL_STRING)) {
        StringOut->Length = 0;
        StringOut->MaximumLength = 0;
        StringOut->Buffer = nullptr;
        return STATUS_SUCCESS;
    }
    const ULONG bytes = length + (terminate ? sizeof(WCHAR) : 0u);
    if (bytes > MAXUSHORT) return STATUS_NAME_TOO_LONG;
    auto* buffer = static_cast<PWCH>(ntio::rtl::string_alloc(bytes));
    if (!buffer) return STATUS_NO_MEMORY;
    if (length) std::memcpy(buffer, StringIn->Buffer, length);
    if (terminate) buffer[length / sizeof(WCHAR)] = UNICODE_NULL;
    StringOut->Length = length;
    StringOut->MaximumLength = static_cast<USHORT>(bytes);
    StringOut->Buffer = buffer;
    return STATUS_SUCCESS;
}

}  // extern "C"
