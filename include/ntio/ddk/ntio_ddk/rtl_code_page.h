/* <ntifs.h> piece (the WDK has it from ntnls.h): conversions through a code page the caller holds
 * as the bytes of a Windows NLS code page file (c_<codepage>.nls: a 13-word header, the
 * multibyte-to-Unicode table with its optional OEM glyph table and DBCS lead-byte tables, then the
 * Unicode-to-multibyte table). RtlInitCodePageTable points a CPTABLEINFO into those bytes, which
 * must stay mapped while it is used. ntio ships no NLS files: a driver passes the bytes of one it
 * has. Buffer forms as RtlMultiByteToUnicodeN: STATUS_SUCCESS, output cut to fit (never inside a
 * double-byte character), the byte counts tell. Exact WDK spellings.
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-rtlinitcodepagetable
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-rtlcustomcptounicoden */
#ifndef NTIO_DDK_RTL_CODE_PAGE_H
#define NTIO_DDK_RTL_CODE_PAGE_H
#include "basetypes.h"
#include "sal.h"
#include "ntstatus.h"

#define MAXIMUM_LEADBYTES 12

typedef struct _CPTABLEINFO {
    USHORT CodePage;
    USHORT MaximumCharacterSize; /* 1: single-byte, 2: double-byte */
    USHORT DefaultChar;
    USHORT UniDefaultChar;
    USHORT TransDefaultChar;
    USHORT TransUniDefaultChar;
    USHORT DBCSCodePage;
    UCHAR LeadByte[MAXIMUM_LEADBYTES];
    PUSHORT MultiByteTable;
    PVOID WideCharTable;
    PUSHORT DBCSRanges;
    PUSHORT DBCSOffsets;
} CPTABLEINFO, *PCPTABLEINFO;

typedef struct _NLSTABLEINFO {
    CPTABLEINFO OemTableInfo;
    CPTABLEINFO AnsiTableInfo;
    PUSHORT UpperCaseTable;
    PUSHORT LowerCaseTable;
} NLSTABLEINFO, *PNLSTABLEINFO;

NTIO_BEGIN_DECLS
NTSYSAPI VOID NTAPI RtlInitCodePageTable(_In_ PUSHORT TableBase, _Inout_ PCPTABLEINFO CodePageTable);
NTSYSAPI NTSTATUS NTAPI RtlCustomCPToUnicodeN(_In_ PCPTABLEINFO CustomCP, _Out_ PWCH UnicodeString,
                                              _In_ ULONG MaxBytesInUnicodeString,
                                              _Out_opt_ PULONG BytesInUnicodeString, _In_ PCH CustomCPString,
                                              _In_ ULONG BytesInCustomCPString);
NTSYSAPI NTSTATUS NTAPI RtlUnicodeToCustomCPN(_In_ PCPTABLEINFO CustomCP, _Out_ PCH CustomCPString,
                                              _In_ ULONG MaxBytesInCustomCPString,
                                              _Out_opt_ PULONG BytesInCustomCPString, _In_ PWCH UnicodeString,
                                              _In_ ULONG BytesInUnicodeString);
NTSYSAPI NTSTATUS NTAPI RtlUpcaseUnicodeToCustomCPN(_In_ PCPTABLEINFO CustomCP, _Out_ PCH CustomCPString,
                                                    _In_ ULONG MaxBytesInCustomCPString,
                                                    _Out_opt_ PULONG BytesInCustomCPString,
                                                    _In_ PWCH UnicodeString, _In_ ULONG BytesInUnicodeString);
NTIO_END_DECLS

#endif /* NTIO_DDK_RTL_CODE_PAGE_H */
