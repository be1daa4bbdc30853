/* <ntifs.h> piece: Unicode normalization (UAX #15) and internationalized domain names (IDNA) over
 * counted or NUL-terminated UTF-16 strings, as the Win32 NormalizeString / IdnToAscii /
 * IdnToUnicode / IdnToNameprepUnicode do:
 * https://learn.microsoft.com/windows/win32/api/winnls/nf-winnls-normalizestring
 * https://learn.microsoft.com/windows/win32/api/winnls/nf-winnls-idntoascii
 * SourceStringLength -1: the source is NUL-terminated and the result includes the NUL. On entry
 * *DestinationStringLength is the room in characters (0: just report the length needed); on return
 * it is the length written or needed. STATUS_BUFFER_TOO_SMALL when the room is short,
 * STATUS_NO_UNICODE_TRANSLATION for an unpaired surrogate, STATUS_INVALID_IDN_NORMALIZATION for a
 * name the IDNA rules reject, STATUS_INVALID_PARAMETER for a bad form, flag or length.
 * PASSIVE_LEVEL. Exact WDK spellings; compiles alone in C11 and C++20. */
#ifndef NTIO_DDK_RTL_NORMALIZATION_H
#define NTIO_DDK_RTL_NORMALIZATION_H
#include "basetypes.h"
#include "sal.h"
#include "ntstatus.h"

/* The NormForm values (winnls.h spellings), for drivers that do not include it. */
#ifndef NTIO_NORM_FORM_DEFINED
#define NTIO_NORM_FORM_DEFINED
typedef enum _NORM_FORM {
    NormalizationOther = 0,
    NormalizationC = 0x1,
    NormalizationD = 0x2,
    NormalizationKC = 0x5,
    NormalizationKD = 0x6
} NORM_FORM;
#endif
#ifndef IDN_ALLOW_UNASSIGNED
#define IDN_ALLOW_UNASSIGNED 0x01
#define IDN_USE_STD3_ASCII_RULES 0x02
#endif

NTIO_BEGIN_DECLS
NTSYSAPI NTSTATUS NTAPI RtlNormalizeString(_In_ ULONG NormForm, _In_ PCWSTR SourceString, _In_ LONG SourceStringLength,
                                           _Out_writes_opt_(*DestinationStringLength) PWSTR DestinationString,
                                           _Inout_ PLONG DestinationStringLength);
/* *Normalized: whether the string is already in the form. */
NTSYSAPI NTSTATUS NTAPI RtlIsNormalizedString(_In_ ULONG NormForm, _In_ PCWSTR SourceString,
                                              _In_ LONG SourceStringLength, _Out_ PBOOLEAN Normalized);
/* Flags: IDN_ALLOW_UNASSIGNED, IDN_USE_STD3_ASCII_RULES. */
NTSYSAPI NTSTATUS NTAPI RtlIdnToAscii(_In_ ULONG Flags, _In_ PCWSTR SourceString, _In_ LONG SourceStringLength,
                                      _Out_writes_opt_(*DestinationStringLength) PWSTR DestinationString,
                                      _Inout_ PLONG DestinationStringLength);
NTSYSAPI NTSTATUS NTAPI RtlIdnToUnicode(_In_ ULONG Flags, _In_ PCWSTR SourceString, _In_ LONG SourceStringLength,
                                        _Out_writes_opt_(*DestinationStringLength) PWSTR DestinationString,
                                        _Inout_ PLONG DestinationStringLength);
NTSYSAPI NTSTATUS NTAPI RtlIdnToNameprepUnicode(_In_ ULONG Flags, _In_ PCWSTR SourceString,
                                                _In_ LONG SourceStringLength,
                                                _Out_writes_opt_(*DestinationStringLength) PWSTR DestinationString,
                                                _Inout_ PLONG DestinationStringLength);
NTIO_END_DECLS

#endif /* NTIO_DDK_RTL_NORMALIZATION_H */
