/* <ntifs.h> piece for prefix tables: a file system's table of path names it can look a full path up
 * in, finding the entry for the longest leading run of whole path components. The Unicode form
 * (RtlInitializeUnicodePrefix and friends) and the older ANSI form (Pfx*). Exact WDK spellings and
 * layouts; the tables and entries are opaque to callers. Compiles alone in C11 and C++20.
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-rtlinitializeunicodeprefix */
#ifndef NTIO_DDK_RTL_PREFIX_H
#define NTIO_DDK_RTL_PREFIX_H
#include "basetypes.h"
#include "sal.h"
#include "rtl_generic_table.h"

typedef struct _UNICODE_PREFIX_TABLE_ENTRY {
    CSHORT NodeTypeCode;
    CSHORT NameLength;
    struct _UNICODE_PREFIX_TABLE_ENTRY *NextPrefixTree;
    struct _UNICODE_PREFIX_TABLE_ENTRY *CaseMatch;
    RTL_SPLAY_LINKS Links;
    PUNICODE_STRING Prefix;
} UNICODE_PREFIX_TABLE_ENTRY, *PUNICODE_PREFIX_TABLE_ENTRY;

typedef struct _UNICODE_PREFIX_TABLE {
    CSHORT NodeTypeCode;
    CSHORT NameLength;
    PUNICODE_PREFIX_TABLE_ENTRY NextPrefixTree;
    PUNICODE_PREFIX_TABLE_ENTRY LastNextEntry;
} UNICODE_PREFIX_TABLE, *PUNICODE_PREFIX_TABLE;

typedef struct _PREFIX_TABLE_ENTRY {
    CSHORT NodeTypeCode;
    CSHORT NameLength;
    struct _PREFIX_TABLE_ENTRY *NextPrefixTree;
    RTL_SPLAY_LINKS Links;
    PSTRING Prefix;
} PREFIX_TABLE_ENTRY, *PPREFIX_TABLE_ENTRY;

typedef struct _PREFIX_TABLE {
    CSHORT NodeTypeCode;
    CSHORT NameLength;
    PPREFIX_TABLE_ENTRY NextPrefixTree;
} PREFIX_TABLE, *PPREFIX_TABLE;

C_ASSERT(sizeof(UNICODE_PREFIX_TABLE_ENTRY) == 56);
C_ASSERT(sizeof(UNICODE_PREFIX_TABLE) == 24);
C_ASSERT(sizeof(PREFIX_TABLE_ENTRY) == 48);
C_ASSERT(sizeof(PREFIX_TABLE) == 16);

NTIO_BEGIN_DECLS
/* Any IRQL the memory of the table, entries and names allows; the caller serializes access (a fast
 * mutex, Learn suggests). The table keeps pointers to the caller's entries and prefix strings, which
 * must stay valid until removed. Insert returns FALSE when the same name (case included) is already
 * there. */
NTSYSAPI VOID NTAPI RtlInitializeUnicodePrefix(_Out_ PUNICODE_PREFIX_TABLE PrefixTable);
NTSYSAPI BOOLEAN NTAPI RtlInsertUnicodePrefix(_In_ PUNICODE_PREFIX_TABLE PrefixTable,
                                              _In_ __drv_aliasesMem PUNICODE_STRING Prefix,
                                              _Out_ PUNICODE_PREFIX_TABLE_ENTRY PrefixTableEntry);
NTSYSAPI VOID NTAPI RtlRemoveUnicodePrefix(_In_ PUNICODE_PREFIX_TABLE PrefixTable,
                                           _In_ PUNICODE_PREFIX_TABLE_ENTRY PrefixTableEntry);
NTSYSAPI PUNICODE_PREFIX_TABLE_ENTRY NTAPI RtlFindUnicodePrefix(_In_ PUNICODE_PREFIX_TABLE PrefixTable,
                                                                _In_ PCUNICODE_STRING FullName,
                                                                _In_ ULONG CaseInsensitiveIndex);
NTSYSAPI PUNICODE_PREFIX_TABLE_ENTRY NTAPI RtlNextUnicodePrefix(_In_ PUNICODE_PREFIX_TABLE PrefixTable,
                                                                _In_ BOOLEAN Restart);

NTSYSAPI VOID NTAPI PfxInitialize(_Out_ PPREFIX_TABLE PrefixTable);
NTSYSAPI BOOLEAN NTAPI PfxInsertPrefix(_In_ PPREFIX_TABLE PrefixTable, _In_ __drv_aliasesMem PSTRING Prefix,
                                       _Out_ PPREFIX_TABLE_ENTRY PrefixTableEntry);
NTSYSAPI VOID NTAPI PfxRemovePrefix(_In_ PPREFIX_TABLE PrefixTable, _In_ PPREFIX_TABLE_ENTRY PrefixTableEntry);
NTSYSAPI PPREFIX_TABLE_ENTRY NTAPI PfxFindPrefix(_In_ PPREFIX_TABLE PrefixTable, _In_ PSTRING FullName);
NTIO_END_DECLS

#endif /* NTIO_DDK_RTL_PREFIX_H */
