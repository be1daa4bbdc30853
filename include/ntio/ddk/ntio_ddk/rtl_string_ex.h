/* <wdm.h>/<ntifs.h> pieces for the counted-string routines beyond the basic set: empty-string
 * initializers (FORCEINLINE in the WDK), RtlInitAnsiStringEx, RtlCompareUnicodeStrings over raw
 * buffers, RtlValidateUnicodeString and RtlDuplicateUnicodeString. Exact WDK spellings; compiles
 * alone in C11 and C++20.
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-rtlduplicateunicodestring */
#ifndef NTIO_DDK_RTL_STRING_EX_H
#define NTIO_DDK_RTL_STRING_EX_H
#include "basetypes.h"
#include "sal.h"
#include "ntstatus.h"

#define RTL_DUPLICATE_UNICODE_STRING_NULL_TERMINATE 1
#define RTL_DUPLICATE_UNICODE_STRING_ALLOCATE_NULL_STRING 2

/* https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-rtlinitemptyunicodestring
 * Any IRQL. The buffer is the caller's; BufferSize is in bytes. */
FORCEINLINE VOID RtlInitEmptyUnicodeString(_Out_ PUNICODE_STRING UnicodeString,
                                           _Out_writes_bytes_(BufferSize) __drv_aliasesMem PWCHAR Buffer,
                                           _In_ USHORT BufferSize)
{
    UnicodeString->Length = 0;
    UnicodeString->MaximumLength = BufferSize;
    UnicodeString->Buffer = Buffer;
}

/* https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-rtlinitemptyansistring */
FORCEINLINE VOID RtlInitEmptyAnsiString(_Out_ PANSI_STRING AnsiString,
                                        _In_reads_bytes_opt_(BufferSize) __drv_aliasesMem PCHAR Buffer,
                                        _In_ USHORT BufferSize)
{
    AnsiString->Length = 0;
    AnsiString->MaximumLength = BufferSize;
    AnsiString->Buffer = Buffer;
}

NTIO_BEGIN_DECLS
/* Any IRQL for a nonpaged source. STATUS_NAME_TOO_LONG when the string (with its NUL) does not fit a
 * USHORT count; the destination then describes an empty string at SourceString. */
NTSYSAPI NTSTATUS NTAPI RtlInitAnsiStringEx(_Out_ PANSI_STRING DestinationString,
                                            _In_opt_z_ __drv_aliasesMem PCSZ SourceString);
/* Lengths in characters. Negative, zero or positive as String1 sorts before, equal to or after String2. */
NTSYSAPI LONG NTAPI RtlCompareUnicodeStrings(_In_reads_(String1Length) PCWCH String1, _In_ SIZE_T String1Length,
                                             _In_reads_(String2Length) PCWCH String2, _In_ SIZE_T String2Length,
                                             _In_ BOOLEAN CaseInSensitive);
/* STATUS_INVALID_PARAMETER for nonzero Flags or a malformed string (odd counts, Length above
 * MaximumLength, no buffer behind a nonzero MaximumLength). */
NTSYSAPI NTSTATUS NTAPI RtlValidateUnicodeString(_In_ ULONG Flags, _In_ PCUNICODE_STRING String);
/* PASSIVE_LEVEL or APC_LEVEL (paged pool). The copy is freed with RtlFreeUnicodeString. */
NTSYSAPI NTSTATUS NTAPI RtlDuplicateUnicodeString(_In_ ULONG Flags, _In_ PCUNICODE_STRING StringIn,
                                                  _Out_ PUNICODE_STRING StringOut);
NTIO_END_DECLS

#endif /* NTIO_DDK_RTL_STRING_EX_H */
