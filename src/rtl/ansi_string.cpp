// ANSI_STRING / STRING routines and the conversions between UNICODE_STRING and ANSI_STRING.
// NT deviation: the ANSI code page is UTF-8 (Windows uses the system's code page, often 1252).
#include <cstring>

#include <wdm.h>

#include "rtl/string_pool.hpp"
#include "rtl/utf.hpp"

using namespace ntio::rtl;

namespace {

char upper_ascii(char c) { return (c >= 'a' && c <= 'z') ? static_cast<char>(c - 0x20) : c; }

const char16_t* units(PCUNICODE_STRING s) { return reinterpret_cast<const char16_t*>(s->Buffer); }

// RtlUnicodeStringToAnsiString and its upcasing twin. NT deviation: a null string is
// STATUS_INVALID_PARAMETER (Windows faults on it).
NTSTATUS unicode_to_ansi(PANSI_STRING destination, PCUNICODE_STRING source, BOOLEAN allocate, bool upcase) {
    if (!destination || !source) return STATUS_INVALID_PARAMETER;
    const std::size_t count = source->Length / sizeof(WCHAR);
    const ULONG size = static_cast<ULONG>((upcase ? upcase_utf8_size(units(source), count) : utf8_size(units(source), count)) + 1);
    if (size > MAXUSHORT) return STATUS_INVALID_PARAMETER_2;
    NTSTATUS status = STATUS_SUCCESS;
    std::size_t capacity = size - 1;
    if (allocate) {
        auto* buffer = static_cast<PCHAR>(string_alloc(size));
        if (!buffer) return STATUS_NO_MEMORY;
        destination->Buffer = buffer;
        destination->MaximumLength = static_cast<USHORT>(size);
    } else if (size - 1 >= destination->MaximumLength) {
        if (destination->MaximumLength == 0) return STATUS_BUFFER_OVERFLOW;
        status = STATUS_BUFFER_OVERFLOW;
        capacity = destination->MaximumLength - 1u;
    }
    const std::size_t written = upcase ? upcase_utf16_to_utf8(units(source), count, destination->Buffer, capacity)
                                       : utf16_to_utf8(units(source), count, destination->Buffer, capacity);
    destination->Buffer[written] = ANSI_NULL;
    destination->Length = static_cast<USHORT>(written);
    return status;
}

}  // namespace

extern "C" {

VOID NTAPI RtlInitString(PSTRING DestinationString, PCSZ SourceString) {
    DestinationString->Buffer = const_cast<PCHAR>(SourceString);
    if (SourceString) {
        std::size_t length = std::strlen(SourceString);
        if (length > 0xFFFE) length = 0xFFFE;
        DestinationString->Length = static_cast<USHORT>(length);
        DestinationString->MaximumLength = static_cast<USHORT>(length + 1);
    } else {
        DestinationString->Length = DestinationString->MaximumLength = 0;
    }
}

VOID NTAPI RtlInitAnsiString(PANSI_STRING DestinationString, PCSZ SourceString) {
    RtlInitString(DestinationString, SourceString);
}

VOID NTAPI RtlCopyString(PSTRING DestinationString, const STRING* SourceString) {
    if (!SourceString) {
        DestinationString->Length = 0;
        return;
    }
    USHORT length = SourceString->Length;
    if (length > DestinationString->MaximumLength) length = DestinationString->MaximumLength;
    std::memmove(DestinationString->Buffer, SourceString->Buffer, length);
    DestinationString->Length = length;
    if (length < DestinationString->MaximumLength) DestinationString->Buffer[length] = ANSI_NULL;
}

NTSTATUS NTAPI RtlAppendStringToString(PSTRING Destination, const STRING* Source) {
    const USHORT add = Source->Length;
    if (add == 0) return STATUS_SUCCESS;
    const ULONG total = static_cast<ULONG>(Destination->Length) + add;
    if (total > Destination->MaximumLength) return STATUS_BUFFER_TOO_SMALL;
    std::memmove(Destination->Buffer + Destination->Length, Source->Buffer, add);
    Destination->Length = static_cast<USHORT>(total);
    return STATUS_SUCCESS;
}

CHAR NTAPI RtlUpperChar(CHAR Character) { return upper_ascii(Character); }

VOID NTAPI RtlUpperString(PSTRING DestinationString, const STRING* SourceString) {
    USHORT length = SourceString->Length;
    if (length > DestinationString->MaximumLength) length = DestinationString->MaximumLength;
    for (USHORT i = 0; i < length; ++i) DestinationString->Buffer[i] = upper_ascii(SourceString->Buffer[i]);
    DestinationString->Length = length;
}

LONG NTAPI RtlCompareString(const STRING* String1, const STRING* String2, BOOLEAN CaseInSensitive) {
    const USHORT n = String1->Length < String2->Length ? String1->Length : String2->Length;
    for (USHORT i = 0; i < n; ++i) {
        char a = String1->Buffer[i];
        char b = String2->Buffer[i];
        if (CaseInSensitive) {
            a = upper_ascii(a);
            b = upper_ascii(b);
        }
        if (a != b) return static_cast<LONG>(static_cast<unsigned char>(a)) - static_cast<unsigned char>(b);
    }
    return static_cast<LONG>(String1->Length) - String2->Length;
}

BOOLEAN NTAPI RtlEqualString(const STRING* String1, const STRING* String2, BOOLEAN CaseInSensitive) {
    if (String1->Length != String2->Length) return FALSE;
    return RtlCompareString(String1, String2, CaseInSensitive) == 0;
}

ULONG NTAPI RtlxUnicodeStringToAnsiSize(PCUNICODE_STRING UnicodeString) {
    return static_cast<ULONG>(utf8_size(units(UnicodeString), UnicodeString->Length / sizeof(WCHAR)) + 1);
}

ULONG NTAPI RtlxAnsiStringToUnicodeSize(PCANSI_STRING AnsiString) {
    return static_cast<ULONG>((utf16_size(AnsiString->Buffer, AnsiString->Length) + 1) * sizeof(WCHAR));
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-rtlunicodestringtoansistring:
// a destination that is too small is filled as far as it goes, terminated, and STATUS_BUFFER_OVERFLOW
// is returned.
NTSTATUS NTAPI RtlUnicodeStringToAnsiString(PANSI_STRING DestinationString, PCUNICODE_STRING SourceString,
                                            BOOLEAN AllocateDestinationString) {
    return unicode_to_ansi(DestinationString, SourceString, AllocateDestinationString, false);
}

// Learn has no page for it; the upper-case twin of RtlUnicodeStringToAnsiString, as
// RtlUpcaseUnicodeStringToOemString is of RtlUnicodeStringToOemString. Upcasing can change a
// character's UTF-8 length (dotless i becomes 'I'), so the size is that of the upcased text.
NTSTATUS NTAPI RtlUpcaseUnicodeStringToAnsiString(PANSI_STRING DestinationString, PCUNICODE_STRING SourceString,
                                                  BOOLEAN AllocateDestinationString) {
    return unicode_to_ansi(DestinationString, SourceString, AllocateDestinationString, true);
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-rtlansistringtounicodestring:
// unlike the reverse conversion, a destination that is too small is left untouched.
NTSTATUS NTAPI RtlAnsiStringToUnicodeString(PUNICODE_STRING DestinationString, PCANSI_STRING SourceString,
                                            BOOLEAN AllocateDestinationString) {
    const ULONG size = RtlxAnsiStringToUnicodeSize(SourceString);
    if (size > MAXUSHORT) return STATUS_INVALID_PARAMETER_2;
    const std::size_t count = size / sizeof(WCHAR) - 1;
    if (AllocateDestinationString) {
        auto* buffer = static_cast<PWCH>(string_alloc(size));
        if (!buffer) return STATUS_NO_MEMORY;
        DestinationString->Buffer = buffer;
        DestinationString->MaximumLength = static_cast<USHORT>(size);
    } else if (size - sizeof(WCHAR) >= DestinationString->MaximumLength) {
        return STATUS_BUFFER_OVERFLOW;
    }
    auto* out = reinterpret_cast<char16_t*>(DestinationString->Buffer);
    const std::size_t written = utf8_to_utf16(SourceString->Buffer, SourceString->Length, out, count);
    out[written] = 0;
    DestinationString->Length = static_cast<USHORT>(written * sizeof(WCHAR));
    return STATUS_SUCCESS;
}

VOID NTAPI RtlFreeAnsiString(PANSI_STRING AnsiString) {
    if (AnsiString->Buffer) string_free(AnsiString->Buffer);
    AnsiString->Buffer = nullptr;
    AnsiString->Length = AnsiString->MaximumLength = 0;
}

}  // extern "C"
