/* <ntifs.h> contents: the Rtl routines a file system uses for short (8.3) names. WDK names,
 * signatures and Windows x64 layout:
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-rtlgenerate8dot3name
 * ntio's OEM code page holds the characters U+0000..U+007F (see docs/nt-deviations.md). */
#ifndef NTIO_DDK_RTL_SHORT_NAMES_H
#define NTIO_DDK_RTL_SHORT_NAMES_H

#include "basetypes.h"
#include "ntstatus.h"

NTIO_BEGIN_DECLS

/* RtlGenerate8dot3Name's state between calls for one long name; zeroed by the caller before the
 * first call. */
typedef struct _GENERATE_NAME_CONTEXT {
    USHORT Checksum;
    BOOLEAN ChecksumInserted;
    UCHAR NameLength;        /* characters in NameBuffer */
    WCHAR NameBuffer[8];     /* the basis name, upper case */
    ULONG ExtensionLength;   /* characters in ExtensionBuffer, the dot included */
    WCHAR ExtensionBuffer[4];
    ULONG LastIndexValue;
} GENERATE_NAME_CONTEXT, *PGENERATE_NAME_CONTEXT;

/* The next short name for Name: BASIS~1.EXT to BASIS~4.EXT, then a checksum of the long name in
 * the basis with ~1, ~2, ... Name8dot3's buffer holds at least 12 characters. STATUS_FILE_SYSTEM_LIMITATION
 * once the tails run out. IRQL < DISPATCH_LEVEL. */
NTSYSAPI NTSTATUS NTAPI RtlGenerate8dot3Name(PCUNICODE_STRING Name, BOOLEAN AllowExtendedCharacters,
                                             PGENERATE_NAME_CONTEXT Context, PUNICODE_STRING Name8dot3);
/* Whether Name is a legal 8.3 name once converted to upper-case OEM (which OemName receives when
 * given); NameContainsSpaces says whether it holds a space. "." and ".." are legal. */
NTSYSAPI BOOLEAN NTAPI RtlIsNameLegalDOS8Dot3(PCUNICODE_STRING Name, POEM_STRING OemName,
                                              PBOOLEAN NameContainsSpaces);
/* Whether *Char, upper-cased, has an OEM form that converts back to it; *Char receives that
 * upper-case character when it does. PASSIVE_LEVEL. */
NTSYSAPI BOOLEAN NTAPI RtlIsValidOemCharacter(PWCHAR Char);

NTIO_END_DECLS

#endif /* NTIO_DDK_RTL_SHORT_NAMES_H */
