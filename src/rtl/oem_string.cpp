// OEM strings (NUL-terminated and counted, plain and upcased) and the buffer forms of the OEM and
// multibyte (ANSI code page) conversions.
// NT deviation: the OEM code page is 7-bit ASCII (as for RtlIsValidOemCharacter): a UTF-16 unit
// above U+007F becomes '?' (the default character of the OEM code pages), a byte above 0x7F becomes
// U+FFFD. Each UTF-16 unit maps to one byte, as through Windows' single-byte tables. The multibyte
// code page is UTF-8, as for the ANSI_STRING conversions.
// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-rtlunicodestringtooemstring
// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-rtloemtounicoden
// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-rtlmultibytetounicoden
#include <cstring>

#include <ntifs.h>

#include "rtl/string_pool.hpp"
#include "rtl/utf.hpp"

namespace ntio::rtl {
namespace oem {

constexpr CHAR kDefaultChar = '?';
constexpr WCHAR kReplacement = 0xFFFD;

inline CHAR to_oem(WCHAR c, bool upcase) noexcept {
    if (upcase) c = RtlUpcaseUnicodeChar(c);
    return c <= 0x7F ? static_cast<CHAR>(c) : kDefaultChar;
}

inline WCHAR from_oem(CHAR c) noexcept {
    const auto byte = static_cast<UCHAR>(c);
    return byte <= 0x7F ? static_cast<WCHAR>(byte) : kReplacement;
}

// The counted-string conversion to OEM: a destination too small is filled as far as it goes,
// terminated, with STATUS_BUFFER_OVERFLOW, as RtlUnicodeStringToAnsiString does (Learn is silent
// for OEM; the same contract keeps the two alike).
inline NTSTATUS unicode_to_oem_string(POEM_STRING destination, PCUNICODE_STRING source, BOOLEAN allocate,
                                      bool upcase) noexcept {
    if (!destination || !source) return STATUS_INVALID_PARAMETER;
    const ULONG size = RtlxUnicodeStringToOemSize(source);
    if (size > MAXUSHORT) return STATUS_INVALID_PARAMETER_2;
    NTSTATUS status = STATUS_SUCCESS;
    ULONG count = size - 1;
    if (allocate) {
        auto* buffer = static_cast<PCHAR>(string_alloc(size));
        if (!buffer) return STATUS_NO_MEMORY;
        destination->Buffer = buffer;
        destination->MaximumLength = static_cast<USHORT>(size);
    } else if (count >= destination->MaximumLength) {
        if (destination->MaximumLength == 0) return STATUS_BUFFER_OVERFLOW;
        status = STATUS_BUFFER_OVERFLOW;
        count = destination->MaximumLength - 1u;
    }
    for (ULONG i = 0; i < count; ++i) destination->Buffer[i] = to_oem(source->Buffer[i], upcase);
    destination->Buffer[count] = ANSI_NULL;
    destination->Length = static_cast<USHORT>(count);
    return status;
}

// The counted forms carry no terminating NUL, and a character the OEM code page lacks fails the
// conversion with STATUS_UNMAPPABLE_CHARACTER (Learn, RtlUnicodeStringToCountedOemString).
// Guesses (Learn says only that on failure "no storage was allocated, nor was any conversion
// performed"): the caller's buffer holds the text with '?' for the unmappable characters; an
// allocated buffer is freed again; a destination too small is filled as far as it goes with
// STATUS_BUFFER_OVERFLOW, as the NUL-terminated form does; an empty source allocates nothing.
inline NTSTATUS unicode_to_counted_oem(POEM_STRING destination, PCUNICODE_STRING source, BOOLEAN allocate,
                                       bool upcase) noexcept {
    if (!destination || !source) return STATUS_INVALID_PARAMETER;
    // A UNICODE_STRING holds at most MAXUSHORT / 2 units, so the OEM form always fits a counted string.
    const ULONG count = source->Length / sizeof(WCHAR);
    NTSTATUS status = STATUS_SUCCESS;
    ULONG written = count;
    if (allocate) {
        destination->Length = destination->MaximumLength = 0;
        destination->Buffer = nullptr;
        if (count == 0) return STATUS_SUCCESS;
        auto* buffer = static_cast<PCHAR>(string_alloc(count));
        if (!buffer) return STATUS_NO_MEMORY;
        destination->Buffer = buffer;
        destination->MaximumLength = static_cast<USHORT>(count);
    } else if (count > destination->MaximumLength) {
        status = STATUS_BUFFER_OVERFLOW;
        written = destination->MaximumLength;
    }
    bool unmappable = false;
    for (ULONG i = 0; i < written; ++i) {
        const CHAR c = to_oem(source->Buffer[i], upcase);
        unmappable = unmappable || (c == kDefaultChar && source->Buffer[i] != static_cast<WCHAR>(kDefaultChar));
        destination->Buffer[i] = c;
    }
    destination->Length = static_cast<USHORT>(written);
    if (status == STATUS_SUCCESS && unmappable) {
        if (allocate) RtlFreeOemString(destination);
        return STATUS_UNMAPPABLE_CHARACTER;
    }
    return status;
}

// The buffer forms to OEM: STATUS_BUFFER_OVERFLOW when the output was cut (Learn, RtlUnicodeToOemN
// and RtlUpcaseUnicodeToOemN). NT deviation: a null buffer that would be read or written is
// STATUS_INVALID_PARAMETER here (Windows faults on it).
inline NTSTATUS unicode_to_oem_n(PCHAR out, ULONG capacity, PULONG written, PCWCH in, ULONG in_bytes,
                                 bool upcase) noexcept {
    const ULONG units = in_bytes / sizeof(WCHAR);
    const ULONG count = units < capacity ? units : capacity;
    if (count && (!out || !in)) return STATUS_INVALID_PARAMETER;
    for (ULONG i = 0; i < count; ++i) out[i] = to_oem(in[i], upcase);
    if (written) *written = count;
    return count < units ? STATUS_BUFFER_OVERFLOW : STATUS_SUCCESS;
}

// The buffer forms to the multibyte (UTF-8) code page: STATUS_SUCCESS even when the output was cut
// (Learn: "does not return an error status"); a cut never splits a character.
inline NTSTATUS unicode_to_multibyte_n(PCHAR out, ULONG capacity, PULONG written, PCWCH in, ULONG in_bytes,
                                       bool upcase) noexcept {
    const auto* units = reinterpret_cast<const char16_t*>(in);
    const ULONG count = in_bytes / sizeof(WCHAR);
    if ((count && !in) || (capacity && count && !out)) return STATUS_INVALID_PARAMETER;
    const std::size_t bytes = upcase ? upcase_utf16_to_utf8(units, count, out, capacity)
                                     : utf16_to_utf8(units, count, out, capacity);
    if (written) *written = static_cast<ULONG>(bytes);
    return STATUS_SUCCESS;
}

}  // namespace oem
}  // namespace ntio::rtl

namespace oem = ntio::rtl::oem;

extern "C" {

// Bytes the OEM form needs, with its terminating NUL: one per UTF-16 unit.
NTSYSAPI ULONG NTAPI RtlxUnicodeStringToOemSize(PCUNICODE_STRING UnicodeString) {
    return UnicodeString->Length / sizeof(WCHAR) + 1;
}

NTSYSAPI ULONG NTAPI RtlxOemStringToUnicodeSize(PCOEM_STRING OemString) {
    return (ULONG{OemString->Length} + 1) * sizeof(WCHAR);
}

NTSYSAPI NTSTATUS NTAPI RtlUnicodeStringToOemString(POEM_STRING DestinationString, PCUNICODE_STRING SourceString,
                                                    BOOLEAN AllocateDestinationString) {
    return oem::unicode_to_oem_string(DestinationString, SourceString, AllocateDestinationString, false);
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-rtlupcaseunicodestringtooemstring
NTSYSAPI NTSTATUS NTAPI RtlUpcaseUnicodeStringToOemString(POEM_STRING DestinationString, PCUNICODE_STRING SourceString,
                                                          BOOLEAN AllocateDestinationString) {
    return oem::unicode_to_oem_string(DestinationString, SourceString, AllocateDestinationString, true);
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-rtlunicodestringtocountedoemstring
NTSYSAPI NTSTATUS NTAPI RtlUnicodeStringToCountedOemString(POEM_STRING DestinationString,
                                                           PCUNICODE_STRING SourceString,
                                                           BOOLEAN AllocateDestinationString) {
    return oem::unicode_to_counted_oem(DestinationString, SourceString, AllocateDestinationString, false);
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-rtlupcaseunicodestringtocountedoemstring
// Windows looks for a best-fit OEM character before upcasing; a 7-bit code page has none to offer.
NTSYSAPI NTSTATUS NTAPI RtlUpcaseUnicodeStringToCountedOemString(POEM_STRING DestinationString,
                                                                 PCUNICODE_STRING SourceString,
                                                                 BOOLEAN AllocateDestinationString) {
    return oem::unicode_to_counted_oem(DestinationString, SourceString, AllocateDestinationString, true);
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-rtloemstringtocountedunicodestring
// No terminating NUL is written. As RtlOemStringToUnicodeString: a result longer than a counted
// string can hold is STATUS_INVALID_PARAMETER_2, a destination too small is left untouched with
// STATUS_BUFFER_OVERFLOW (guess: Learn says only that nothing was converted); an empty source
// allocates nothing.
NTSYSAPI NTSTATUS NTAPI RtlOemStringToCountedUnicodeString(PUNICODE_STRING DestinationString,
                                                           PCOEM_STRING SourceString,
                                                           BOOLEAN AllocateDestinationString) {
    if (!DestinationString || !SourceString) return STATUS_INVALID_PARAMETER;
    const ULONG size = ULONG{SourceString->Length} * sizeof(WCHAR);
    if (size > MAXUSHORT) return STATUS_INVALID_PARAMETER_2;
    if (AllocateDestinationString) {
        DestinationString->Length = DestinationString->MaximumLength = 0;
        DestinationString->Buffer = nullptr;
        if (size == 0) return STATUS_SUCCESS;
        auto* buffer = static_cast<PWCH>(ntio::rtl::string_alloc(size));
        if (!buffer) return STATUS_NO_MEMORY;
        DestinationString->Buffer = buffer;
        DestinationString->MaximumLength = static_cast<USHORT>(size);
    } else if (size > DestinationString->MaximumLength) {
        return STATUS_BUFFER_OVERFLOW;
    }
    for (USHORT i = 0; i < SourceString->Length; ++i)
        DestinationString->Buffer[i] = oem::from_oem(SourceString->Buffer[i]);
    DestinationString->Length = static_cast<USHORT>(size);
    return STATUS_SUCCESS;
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-rtloemstringtounicodestring
// A destination too small is left untouched with STATUS_BUFFER_OVERFLOW, as
// RtlAnsiStringToUnicodeString does.
NTSYSAPI NTSTATUS NTAPI RtlOemStringToUnicodeString(PUNICODE_STRING DestinationString, PCOEM_STRING SourceString,
                                                    BOOLEAN AllocateDestinationString) {
    if (!DestinationString || !SourceString) return STATUS_INVALID_PARAMETER;
    const ULONG size = RtlxOemStringToUnicodeSize(SourceString);
    if (size > MAXUSHORT) return STATUS_INVALID_PARAMETER_2;
    if (AllocateDestinationString) {
        auto* buffer = static_cast<PWCH>(ntio::rtl::string_alloc(size));
        if (!buffer) return STATUS_NO_MEMORY;
        DestinationString->Buffer = buffer;
        DestinationString->MaximumLength = static_cast<USHORT>(size);
    } else if (size - sizeof(WCHAR) > DestinationString->MaximumLength) {
        return STATUS_BUFFER_OVERFLOW;
    }
    const USHORT count = SourceString->Length;
    for (USHORT i = 0; i < count; ++i) DestinationString->Buffer[i] = oem::from_oem(SourceString->Buffer[i]);
    if ((count + 1u) * sizeof(WCHAR) <= DestinationString->MaximumLength) DestinationString->Buffer[count] = UNICODE_NULL;
    DestinationString->Length = static_cast<USHORT>(count * sizeof(WCHAR));
    return STATUS_SUCCESS;
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-rtlfreeoemstring
NTSYSAPI VOID NTAPI RtlFreeOemString(POEM_STRING OemString) {
    if (OemString->Buffer) ntio::rtl::string_free(OemString->Buffer);
    OemString->Buffer = nullptr;
    OemString->Length = OemString->MaximumLength = 0;
}

// STATUS_BUFFER_OVERFLOW (a warning) when the output was cut to MaxBytesInUnicodeString.
NTSYSAPI NTSTATUS NTAPI RtlOemToUnicodeN(PWCH UnicodeString, ULONG MaxBytesInUnicodeString, PULONG BytesInUnicodeString,
                                         PCCH OemString, ULONG BytesInOemString) {
    const ULONG room = MaxBytesInUnicodeString / sizeof(WCHAR);
    const ULONG count = BytesInOemString < room ? BytesInOemString : room;
    if (count && (!UnicodeString || !OemString)) return STATUS_INVALID_PARAMETER;
    for (ULONG i = 0; i < count; ++i) UnicodeString[i] = oem::from_oem(OemString[i]);
    if (BytesInUnicodeString) *BytesInUnicodeString = count * sizeof(WCHAR);
    return count < BytesInOemString ? STATUS_BUFFER_OVERFLOW : STATUS_SUCCESS;
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-rtlunicodetooemn
NTSYSAPI NTSTATUS NTAPI RtlUnicodeToOemN(PCHAR OemString, ULONG MaxBytesInOemString, PULONG BytesInOemString,
                                         PCWCH UnicodeString, ULONG BytesInUnicodeString) {
    return oem::unicode_to_oem_n(OemString, MaxBytesInOemString, BytesInOemString, UnicodeString,
                                 BytesInUnicodeString, false);
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-rtlupcaseunicodetooemn
NTSYSAPI NTSTATUS NTAPI RtlUpcaseUnicodeToOemN(PCHAR OemString, ULONG MaxBytesInOemString, PULONG BytesInOemString,
                                               PCWCH UnicodeString, ULONG BytesInUnicodeString) {
    return oem::unicode_to_oem_n(OemString, MaxBytesInOemString, BytesInOemString, UnicodeString,
                                 BytesInUnicodeString, true);
}

// The multibyte forms return STATUS_SUCCESS even when the output was cut (Learn: "does not return
// an error status"); a cut never splits a character.
NTSYSAPI NTSTATUS NTAPI RtlMultiByteToUnicodeN(PWCH UnicodeString, ULONG MaxBytesInUnicodeString,
                                               PULONG BytesInUnicodeString, const CHAR* MultiByteString,
                                               ULONG BytesInMultiByteString) {
    const ULONG room = MaxBytesInUnicodeString / sizeof(WCHAR);
    if ((BytesInMultiByteString && !MultiByteString) || (room && BytesInMultiByteString && !UnicodeString))
        return STATUS_INVALID_PARAMETER;
    const std::size_t written = ntio::rtl::utf8_to_utf16(MultiByteString, BytesInMultiByteString,
                                                         reinterpret_cast<char16_t*>(UnicodeString), room);
    if (BytesInUnicodeString) *BytesInUnicodeString = static_cast<ULONG>(written * sizeof(WCHAR));
    return STATUS_SUCCESS;
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-rtlunicodetomultibyten
NTSYSAPI NTSTATUS NTAPI RtlUnicodeToMultiByteN(PCHAR MultiByteString, ULONG MaxBytesInMultiByteString,
                                               PULONG BytesInMultiByteString, PCWCH UnicodeString,
                                               ULONG BytesInUnicodeString) {
    return oem::unicode_to_multibyte_n(MultiByteString, MaxBytesInMultiByteString, BytesInMultiByteString,
                                       UnicodeString, BytesInUnicodeString, false);
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-rtlupcaseunicodetomultibyten
NTSYSAPI NTSTATUS NTAPI RtlUpcaseUnicodeToMultiByteN(PCHAR MultiByteString, ULONG MaxBytesInMultiByteString,
                                                     PULONG BytesInMultiByteString, PCWCH UnicodeString,
                                                     ULONG BytesInUnicodeString) {
    return oem::unicode_to_multibyte_n(MultiByteString, MaxBytesInMultiByteString, BytesInMultiByteString,
                                       UnicodeString, BytesInUnicodeString, true);
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-rtlmultibytetounicodesize
NTSYSAPI NTSTATUS NTAPI RtlMultiByteToUnicodeSize(PULONG BytesInUnicodeString, const CHAR* MultiByteString,
                                                  ULONG BytesInMultiByteString) {
    *BytesInUnicodeString =
        static_cast<ULONG>(ntio::rtl::utf16_size(MultiByteString, BytesInMultiByteString) * sizeof(WCHAR));
    return STATUS_SUCCESS;
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-rtlunicodetomultibytesize
NTSYSAPI NTSTATUS NTAPI RtlUnicodeToMultiByteSize(PULONG BytesInMultiByteString, PCWCH UnicodeString,
                                                  ULONG BytesInUnicodeString) {
    *BytesInMultiByteString = static_cast<ULONG>(
        ntio::rtl::utf8_size(reinterpret_cast<const char16_t*>(UnicodeString), BytesInUnicodeString / sizeof(WCHAR)));
    return STATUS_SUCCESS;
}

}  // extern "C"
