// UNICODE_STRING routines: initialisation, copy, append, comparison, case mapping, allocation.
// Statuses and truncation rules follow the Microsoft Learn pages of each routine.
#include <cstring>

#include <wdm.h>

#include "rtl/case_map.hpp"
#include "rtl/string_pool.hpp"
#include "rtl/wide.hpp"

using namespace ntio::rtl;

namespace {

// Largest byte length a counted string can describe while leaving room for a terminator.
constexpr USHORT kMaxUnicodeLength = 0xFFFC;

inline char16_t unit(const WCHAR* buffer, std::size_t i) { return static_cast<char16_t>(buffer[i]); }

LONG compare_units(const WCHAR* a, std::size_t na, const WCHAR* b, std::size_t nb, bool case_insensitive) {
    const std::size_t n = na < nb ? na : nb;
    for (std::size_t i = 0; i < n; ++i) {
        char16_t ca = unit(a, i);
        char16_t cb = unit(b, i);
        if (ca != cb && case_insensitive) {
            ca = upcase(ca);
            cb = upcase(cb);
        }
        if (ca != cb) return static_cast<LONG>(ca) - static_cast<LONG>(cb);
    }
    return static_cast<LONG>(na) - static_cast<LONG>(nb);
}

NTSTATUS map_case(PUNICODE_STRING dest, PCUNICODE_STRING source, BOOLEAN allocate, char16_t (*map)(char16_t)) {
    const USHORT length = source->Length;
    if (allocate) {
        auto* buffer = static_cast<PWCH>(string_alloc(length ? length : sizeof(WCHAR)));
        if (!buffer) return STATUS_NO_MEMORY;
        dest->Buffer = buffer;
        dest->MaximumLength = length;
    } else if (length > dest->MaximumLength) {
        return STATUS_BUFFER_OVERFLOW;
    }
    const std::size_t count = length / sizeof(WCHAR);
    for (std::size_t i = 0; i < count; ++i) {
        dest->Buffer[i] = static_cast<WCHAR>(map(unit(source->Buffer, i)));
    }
    dest->Length = length;
    return STATUS_SUCCESS;
}

}  // namespace

extern "C" {

VOID NTAPI RtlInitUnicodeString(PUNICODE_STRING DestinationString, PCWSTR SourceString) {
    DestinationString->Buffer = const_cast<PWCH>(SourceString);
    if (SourceString) {
        std::size_t bytes = wide_length(SourceString) * sizeof(WCHAR);
        if (bytes > kMaxUnicodeLength) bytes = kMaxUnicodeLength;
        DestinationString->Length = static_cast<USHORT>(bytes);
        DestinationString->MaximumLength = static_cast<USHORT>(bytes + sizeof(WCHAR));
    } else {
        DestinationString->Length = DestinationString->MaximumLength = 0;
    }
}

NTSTATUS NTAPI RtlInitUnicodeStringEx(PUNICODE_STRING DestinationString, PCWSTR SourceString) {
    DestinationString->Length = 0;
    DestinationString->MaximumLength = 0;
    DestinationString->Buffer = const_cast<PWCH>(SourceString);
    if (SourceString) {
        const std::size_t bytes = wide_length(SourceString) * sizeof(WCHAR);
        if (bytes > kMaxUnicodeLength) return STATUS_NAME_TOO_LONG;
        DestinationString->Length = static_cast<USHORT>(bytes);
        DestinationString->MaximumLength = static_cast<USHORT>(bytes + sizeof(WCHAR));
    }
    return STATUS_SUCCESS;
}

VOID NTAPI RtlCopyUnicodeString(PUNICODE_STRING DestinationString, PCUNICODE_STRING SourceString) {
    if (!SourceString) {
        DestinationString->Length = 0;
        return;
    }
    USHORT bytes = SourceString->Length;
    if (bytes > DestinationString->MaximumLength) bytes = DestinationString->MaximumLength;
    bytes &= static_cast<USHORT>(~1u);
    std::memmove(DestinationString->Buffer, SourceString->Buffer, bytes);
    DestinationString->Length = bytes;
    if (bytes + sizeof(WCHAR) <= DestinationString->MaximumLength) {
        DestinationString->Buffer[bytes / sizeof(WCHAR)] = UNICODE_NULL;
    }
}

NTSTATUS NTAPI RtlAppendUnicodeStringToString(PUNICODE_STRING Destination, PCUNICODE_STRING Source) {
    const USHORT add = Source->Length;
    if (add == 0) return STATUS_SUCCESS;
    const ULONG total = static_cast<ULONG>(Destination->Length) + add;
    if (total > Destination->MaximumLength) return STATUS_BUFFER_TOO_SMALL;
    std::memmove(reinterpret_cast<PCHAR>(Destination->Buffer) + Destination->Length, Source->Buffer, add);
    Destination->Length = static_cast<USHORT>(total);
    if (total + sizeof(WCHAR) <= Destination->MaximumLength) {
        Destination->Buffer[total / sizeof(WCHAR)] = UNICODE_NULL;
    }
    return STATUS_SUCCESS;
}

NTSTATUS NTAPI RtlAppendUnicodeToString(PUNICODE_STRING Destination, PCWSTR Source) {
    if (!Source) return STATUS_SUCCESS;
    const std::size_t add = wide_length(Source) * sizeof(WCHAR);
    const std::size_t total = Destination->Length + add;
    if (total > Destination->MaximumLength) return STATUS_BUFFER_TOO_SMALL;
    std::memmove(reinterpret_cast<PCHAR>(Destination->Buffer) + Destination->Length, Source, add);
    Destination->Length = static_cast<USHORT>(total);
    if (total + sizeof(WCHAR) <= Destination->MaximumLength) {
        Destination->Buffer[total / sizeof(WCHAR)] = UNICODE_NULL;
    }
    return STATUS_SUCCESS;
}

LONG NTAPI RtlCompareUnicodeString(PCUNICODE_STRING String1, PCUNICODE_STRING String2, BOOLEAN CaseInSensitive) {
    return compare_units(String1->Buffer, String1->Length / sizeof(WCHAR), String2->Buffer,
                         String2->Length / sizeof(WCHAR), CaseInSensitive != FALSE);
}

BOOLEAN NTAPI RtlEqualUnicodeString(PCUNICODE_STRING String1, PCUNICODE_STRING String2, BOOLEAN CaseInSensitive) {
    if (String1->Length != String2->Length) return FALSE;
    return compare_units(String1->Buffer, String1->Length / sizeof(WCHAR), String2->Buffer,
                         String2->Length / sizeof(WCHAR), CaseInSensitive != FALSE) == 0;
}

BOOLEAN NTAPI RtlPrefixUnicodeString(PCUNICODE_STRING String1, PCUNICODE_STRING String2, BOOLEAN CaseInSensitive) {
    if (String1->Length > String2->Length) return FALSE;
    const std::size_t n = String1->Length / sizeof(WCHAR);
    return compare_units(String1->Buffer, n, String2->Buffer, n, CaseInSensitive != FALSE) == 0;
}

WCHAR NTAPI RtlUpcaseUnicodeChar(WCHAR SourceCharacter) {
    return static_cast<WCHAR>(upcase(static_cast<char16_t>(SourceCharacter)));
}

WCHAR NTAPI RtlDowncaseUnicodeChar(WCHAR SourceCharacter) {
    return static_cast<WCHAR>(downcase(static_cast<char16_t>(SourceCharacter)));
}

NTSTATUS NTAPI RtlUpcaseUnicodeString(PUNICODE_STRING DestinationString, PCUNICODE_STRING SourceString,
                                      BOOLEAN AllocateDestinationString) {
    return map_case(DestinationString, SourceString, AllocateDestinationString, upcase);
}

NTSTATUS NTAPI RtlDowncaseUnicodeString(PUNICODE_STRING DestinationString, PCUNICODE_STRING SourceString,
                                        BOOLEAN AllocateDestinationString) {
    return map_case(DestinationString, SourceString, AllocateDestinationString, downcase);
}

BOOLEAN NTAPI RtlCreateUnicodeString(PUNICODE_STRING DestinationString, PCWSTR SourceString) {
    const std::size_t bytes = (wide_length(SourceString) + 1) * sizeof(WCHAR);
    if (bytes > 0xFFFE) return FALSE;
    auto* buffer = static_cast<PWCH>(string_alloc(bytes));
    if (!buffer) return FALSE;
    std::memcpy(buffer, SourceString, bytes);
    DestinationString->Buffer = buffer;
    DestinationString->Length = static_cast<USHORT>(bytes - sizeof(WCHAR));
    DestinationString->MaximumLength = static_cast<USHORT>(bytes);
    return TRUE;
}

VOID NTAPI RtlFreeUnicodeString(PUNICODE_STRING UnicodeString) {
    if (UnicodeString->Buffer) {
        string_free(UnicodeString->Buffer);
    }
    UnicodeString->Buffer = nullptr;
    UnicodeString->Length = UnicodeString->MaximumLength = 0;
}

}  // extern "C"
