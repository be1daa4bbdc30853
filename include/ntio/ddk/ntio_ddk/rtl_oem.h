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
NTSYSAPI VOID NTAPI RtlFreeOemString(_Inout_ POEM_STRING OemString);
/* Sizes, in bytes, including the terminating NUL the counted-string conversions append. */
NTSYSAPI ULONG NTAPI RtlxOemStringToUnicodeSize(_In_ PCOEM_STRING OemString);
NTSYSAPI ULONG NTAPI RtlxUnicodeStringToOemSize(_In_ PCUNICODE_STRING UnicodeString);
#define RtlOemStringToUnicodeSize(STRING) RtlxOemStringToUnicodeSize(STRING)
#define RtlUnicodeStringToOemSize(STRING) RtlxUnicodeStringToOemSize(STRING)

/* Buffer forms. The OEM ones return STATUS_BUFFER_OVERFLOW when the output had to be cut to
 * fit; the multibyte ones return STATUS_SUCCESS either way (Learn), so the byte count tells. A
 * multibyte output never splits a character. */
NTSYSAPI NTSTATUS NTAPI RtlOemToUnicodeN(_Out_ PWCH UnicodeString, _In_ ULONG MaxBytesInUnicodeString,
                                         _Out_opt_ PULONG BytesInUnicodeString, _In_ PCCH OemString,
                                         _In_ ULONG BytesInOemString);
NTSYSAPI NTSTATUS NTAPI RtlUnicodeToOemN(_Out_ PCHAR OemString, _In_ ULONG MaxBytesInOemString,
                                         _Out_opt_ PULONG BytesInOemString, _In_ PCWCH UnicodeString,
                                         _In_ ULONG BytesInUnicodeString);
NTSYSAPI NTSTATUS NTAPI RtlMultiByteToUnicodeN(_Out_ PWCH UnicodeString, _In_ ULONG MaxBytesInUnicodeString,
                                               _Out_opt_ PULONG BytesInUnicodeString,
                                               _In_ const CHAR *MultiByteString, _In_ ULONG BytesInMultiByteString);
NTSYSAPI NTSTATUS NTAPI RtlUnicodeToMultiByteN(_Out_ PCHAR MultiByteString, _In_ ULONG MaxBytesInMultiByteString,
                                               _Out_opt_ PULONG BytesInMultiByteString, _In_ PCWCH UnicodeString,
                                               _In_ ULONG BytesInUnicodeString);
NTSYSAPI NTSTATUS NTAPI RtlMultiByteToUnicodeSize(_Out_ PULONG BytesInUnicodeString,
                                                  _In_ const CHAR *MultiByteString, _In_ ULONG BytesInMultiByteString);
NTSYSAPI NTSTATUS NTAPI RtlUnicodeToMultiByteSize(_Out_ PULONG BytesInMultiByteString, _In_ PCWCH UnicodeString,
                                                  _In_ ULONG BytesInUnicodeString);
NTIO_END_DECLS

#endif /* NTIO_DDK_RTL_OEM_H */
