/* <ntifs.h> piece for the OEM and multibyte string conversions. ntio's OEM code page is 7-bit
 * ASCII (U+0000..U+007F; a character outside it becomes '?', a byte above 0x7F becomes U+FFFD);
 * its ANSI ("multibyte") code page is UTF-8, as for RtlAnsiStringToUnicodeString. PASSIVE_LEVEL
 * when allocating, else IRQL < DISPATCH_LEVEL. Exact WDK spellings; compiles alone in C11 and C++20.
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-rtloemtounicoden */
#ifndef NTIO_DDK_RTL_OEM_H
#define NTIO_DDK_RTL_OEM_H
#include "basetypes.h"
#include "sal.h"
#include "ntstatus.h"

NTIO_BEGIN_DECLS
/* Counted-string forms: with AllocateDestinationString the buffer comes from paged pool (free it
 * with RtlFreeUnicodeString / RtlFreeOemString); otherwise a destination too small gets
 * STATUS_BUFFER_OVERFLOW. A result longer than a counted string can hold is
 * STATUS_INVALID_PARAMETER_2. */
NTSYSAPI NTSTATUS NTAPI RtlOemStringToUnicodeString(_Inout_ PUNICODE_STRING DestinationString,
                                                    _In_ PCOEM_STRING SourceString,
                                                    _In_ BOOLEAN AllocateDestinationString);
NTSYSAPI NTSTATUS NTAPI RtlUnicodeStringToOemString(_Inout_ POEM_STRING DestinationString,
                                                    _In_ PCUNICODE_STRING SourceString,
                                                    _In_ BOOLEAN AllocateDestinationString);
NTSYSAPI NTSTATUS NTAPI RtlUpcaseUnicodeStringToOemString(_Inout_ POEM_STRING DestinationString,
                                                          _In_ PCUNICODE_STRING SourceString,
                                                          _In_ BOOLEAN AllocateDestinationString);
/* The upcasing twin of RtlUnicodeStringToAnsiString (UTF-8), with its contract. */
NTSYSAPI NTSTATUS NTAPI RtlUpcaseUnicodeStringToAnsiString(_Inout_ PANSI_STRING DestinationString,
                                                           _In_ PCUNICODE_STRING SourceString,
                                                           _In_ BOOLEAN AllocateDestinationString);
/* Counted forms: no terminating NUL. Unicode to OEM fails with STATUS_UNMAPPABLE_CHARACTER when a
 * character has no OEM form (the caller's buffer then holds '?' for it; an allocated buffer is
 * freed); a destination too small gets what fits and STATUS_BUFFER_OVERFLOW. OEM to Unicode leaves
 * a destination too small untouched (STATUS_BUFFER_OVERFLOW). An empty source allocates nothing. */
NTSYSAPI NTSTATUS NTAPI RtlUnicodeStringToCountedOemString(_Inout_ POEM_STRING DestinationString,
                                                           _In_ PCUNICODE_STRING SourceString,
                                                           _In_ BOOLEAN AllocateDestinationString);
NTSYSAPI NTSTATUS NTAPI RtlUpcaseUnicodeStringToCountedOemString(_Inout_ POEM_STRING DestinationString,
                                                                 _In_ PCUNICODE_STRING SourceString,
                                                                 _In_ BOOLEAN AllocateDestinationString);
NTSYSAPI NTSTATUS NTAPI RtlOemStringToCountedUnicodeString(_Inout_ PUNICODE_STRING DestinationString,
                                                           _In_ PCOEM_STRING SourceString,
                                                           _In_ BOOLEAN AllocateDestinationString);
NTSYSAPI VOID NTAPI RtlFreeOemString(_Inout_ POEM_STRING OemString);
/* Sizes, in bytes, including the terminating NUL the counted-string conversions append; the
 * Counted sizes leave it out. */
NTSYSAPI ULONG NTAPI RtlxOemStringToUnicodeSize(_In_ PCOEM_STRING OemString);
NTSYSAPI ULONG NTAPI RtlxUnicodeStringToOemSize(_In_ PCUNICODE_STRING UnicodeString);
#define RtlOemStringToUnicodeSize(STRING) RtlxOemStringToUnicodeSize(STRING)
#define RtlUnicodeStringToOemSize(STRING) RtlxUnicodeStringToOemSize(STRING)
/* https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-rtloemstringtocountedunicodesize */
#define RtlOemStringToCountedUnicodeSize(STRING) ((ULONG)(RtlOemStringToUnicodeSize(STRING) - sizeof(UNICODE_NULL)))
#define RtlUnicodeStringToCountedOemSize(STRING) ((ULONG)(RtlUnicodeStringToOemSize(STRING) - sizeof(ANSI_NULL)))

/* Buffer forms. The OEM ones return STATUS_BUFFER_OVERFLOW when the output had to be cut to
 * fit; the multibyte ones return STATUS_SUCCESS either way (Learn), so the byte count tells. A
 * multibyte output never splits a character. The Upcase forms upcase each UTF-16 unit first. A null
 * buffer that would be read or written is STATUS_INVALID_PARAMETER. */
NTSYSAPI NTSTATUS NTAPI RtlOemToUnicodeN(_Out_ PWCH UnicodeString, _In_ ULONG MaxBytesInUnicodeString,
                                         _Out_opt_ PULONG BytesInUnicodeString, _In_ PCCH OemString,
                                         _In_ ULONG BytesInOemString);
NTSYSAPI NTSTATUS NTAPI RtlUnicodeToOemN(_Out_ PCHAR OemString, _In_ ULONG MaxBytesInOemString,
                                         _Out_opt_ PULONG BytesInOemString, _In_ PCWCH UnicodeString,
                                         _In_ ULONG BytesInUnicodeString);
NTSYSAPI NTSTATUS NTAPI RtlUpcaseUnicodeToOemN(_Out_ PCHAR OemString, _In_ ULONG MaxBytesInOemString,
                                               _Out_opt_ PULONG BytesInOemString, _In_ PCWCH UnicodeString,
                                               _In_ ULONG BytesInUnicodeString);
NTSYSAPI NTSTATUS NTAPI RtlMultiByteToUnicodeN(_Out_ PWCH UnicodeString, _In_ ULONG MaxBytesInUnicodeString,
                                               _Out_opt_ PULONG BytesInUnicodeString,
                                               _In_ const CHAR *MultiByteString, _In_ ULONG BytesInMultiByteString);
NTSYSAPI NTSTATUS NTAPI RtlUnicodeToMultiByteN(_Out_ PCHAR MultiByteString, _In_ ULONG MaxBytesInMultiByteString,
                                               _Out_opt_ PULONG BytesInMultiByteString, _In_ PCWCH UnicodeString,
                                               _In_ ULONG BytesInUnicodeString);
NTSYSAPI NTSTATUS NTAPI RtlUpcaseUnicodeToMultiByteN(_Out_ PCHAR MultiByteString, _In_ ULONG MaxBytesInMultiByteString,
                                                     _Out_opt_ PULONG BytesInMultiByteString,
                                                     _In_ PCWCH UnicodeString, _In_ ULONG BytesInUnicodeString);
NTSYSAPI NTSTATUS NTAPI RtlMultiByteToUnicodeSize(_Out_ PULONG BytesInUnicodeString,
                                                  _In_ const CHAR *MultiByteString, _In_ ULONG BytesInMultiByteString);
NTSYSAPI NTSTATUS NTAPI RtlUnicodeToMultiByteSize(_Out_ PULONG BytesInMultiByteString, _In_ PCWCH UnicodeString,
                                                  _In_ ULONG BytesInUnicodeString);
NTIO_END_DECLS

#endif /* NTIO_DDK_RTL_OEM_H */
