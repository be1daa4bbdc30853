// Prefix tables (https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-rtlinitializeunicodeprefix
// and the Pfx* routines): the table is the head of a singly linked list of the caller's entries through
// NextPrefixTree, kept longest name (most path components, in NameLength) first, so the first entry that
// matches a full name is its longest prefix. The table's leading fields have the entry's layout, which
// lets the table stand in as the entry before the first.
// NT deviation: the search is a list walk, not the splay tree Windows keeps; the results are the same.
#include <type_traits>

#include <ntifs.h>

namespace {

// Node type codes Windows file-system structures use for these tables (opaque to callers).
constexpr CSHORT kUnicodeTableCode = 0x0800;
constexpr CSHORT kUnicodeEntryCode = 0x0801;
constexpr CSHORT kAnsiTableCode = 0x0200;
constexpr CSHORT kAnsiEntryCode = 0x0201;

template <typename Str>
using CharOf = std::remove_pointer_t<decltype(Str::Buffer)>;

// Path components of a name: "\" has none, "\a" one, "\a\b" two; a name not starting with a
// backslash counts its first component too.
template <typename Str>
CSHORT components(const Str* name) noexcept {
    const USHORT chars = name->Length / sizeof(CharOf<Str>);
    LONG count = 0;
    bool in_component = false;
    for (USHORT i = 0; i < chars; ++i) {
        if (name->Buffer[i] == '\\') {
            in_component = false;
        } else if (!in_component) {
            in_component = true;
            ++count;
        }
    }
    return static_cast<CSHORT>(count > 0x7fff ? 0x7fff : count);
}

inline WCHAR fold(WCHAR c) noexcept { return RtlUpcaseUnicodeChar(c); }
inline CHAR fold(CHAR c) noexcept { return c; }

// Whether `prefix` is `name` or leads it up to a component boundary. Characters at positions below
// `case_sensitive_chars` compare exactly, the rest after upcasing.
template <typename Str>
bool leads(const Str* prefix, const Str* name, ULONG case_sensitive_chars) noexcept {
    using Char = CharOf<Str>;
    const USHORT plen = prefix->Length / sizeof(Char);
    const USHORT nlen = name->Length / sizeof(Char);
    if (plen > nlen) return false;
    for (USHORT i = 0; i < plen; ++i) {
        const Char a = prefix->Buffer[i];
        const Char b = name->Buffer[i];
        if (a == b) continue;
        if (i < case_sensitive_chars || fold(a) != fold(b)) return false;
    }
    if (plen == nlen) return true;
    return name->Buffer[plen] == '\\' || (plen > 0 && prefix->Buffer[plen - 1] == '\\');
}

template <typename Str>
bool same_exactly(const Str* a, const Str* b) noexcept {
    if (a->Length != b->Length) return false;
    const USHORT chars = a->Length / sizeof(CharOf<Str>);
    for (USHORT i = 0; i < chars; ++i)
        if (a->Buffer[i] != b->Buffer[i]) return false;
    return true;
}

template <typename Table, typename Entry>
Entry* as_entry(Table* table) noexcept {
    return reinterpret_cast<Entry*>(table);
}

template <typename Table, typename Entry>
void initialize(Table* table, CSHORT code) noexcept {
    table->NodeTypeCode = code;
    table->NameLength = 0;
    table->NextPrefixTree = nullptr;
}

template <typename Table, typename Entry, typename Str>
BOOLEAN insert(Table* table, Str* prefix, Entry* entry, CSHORT code) noexcept {
    if (!table || !prefix || !entry || (prefix->Length && !prefix->Buffer)) return FALSE;
    const CSHORT length = components(prefix);
    // Walk to the last entry with at least as many components, refusing a duplicate on the way.
    Entry* before = as_entry<Table, Entry>(table);
    for (Entry* e = table->NextPrefixTree; e; e = e->NextPrefixTree) {
        if (e == entry || (e->NameLength == length && same_exactly(e->Prefix, prefix))) return FALSE;
        if (e->NameLength >= length) before = e;
    }
    entry->NodeTypeCode = code;
    entry->NameLength = length;
    entry->Prefix = prefix;
    entry->Links.Parent = &entry->Links;
    entry->Links.LeftChild = nullptr;
    entry->Links.RightChild = nullptr;
    entry->NextPrefixTree = before->NextPrefixTree;
    before->NextPrefixTree = entry;
    return TRUE;
}

// Unlinks `entry`; returns the entry before it (the table's stand-in when it was first), or nullptr
// when the entry is not in the table.
template <typename Table, typename Entry>
Entry* unlink(Table* table, Entry* entry) noexcept {
    if (!table || !entry) return nullptr;
    for (Entry* before = as_entry<Table, Entry>(table); before->NextPrefixTree; before = before->NextPrefixTree) {
        if (before->NextPrefixTree == entry) {
            before->NextPrefixTree = entry->NextPrefixTree;
            entry->NextPrefixTree = nullptr;
            return before;
        }
    }
    return nullptr;
}

template <typename Table, typename Entry, typename Str>
Entry* find(Table* table, const Str* name, ULONG case_sensitive_chars) noexcept {
    if (!table || !name || (name->Length && !name->Buffer)) return nullptr;
    const CSHORT length = components(name);
    for (Entry* e = table->NextPrefixTree; e; e = e->NextPrefixTree)
        if (e->NameLength <= length && leads(e->Prefix, name, case_sensitive_chars)) return e;
    return nullptr;
}

}  // namespace

extern "C" {

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-rtlinitializeunicodeprefix
VOID NTAPI RtlInitializeUnicodePrefix(PUNICODE_PREFIX_TABLE PrefixTable) {
    if (!PrefixTable) return;
    initialize<UNICODE_PREFIX_TABLE, UNICODE_PREFIX_TABLE_ENTRY>(PrefixTable, kUnicodeTableCode);
    PrefixTable->LastNextEntry = nullptr;
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-rtlinsertunicodeprefix
// FALSE when the same name, case included, is already in the table; names differing only in case are
// separate entries (RtlFindUnicodePrefix picks between them by its CaseInsensitiveIndex). A guess: the
// entry already being in the table, or a NULL argument, is FALSE as well.
BOOLEAN NTAPI RtlInsertUnicodePrefix(PUNICODE_PREFIX_TABLE PrefixTable, PUNICODE_STRING Prefix,
                                     PUNICODE_PREFIX_TABLE_ENTRY PrefixTableEntry) {
    const BOOLEAN done = insert(PrefixTable, Prefix, PrefixTableEntry, kUnicodeEntryCode);
    if (done) PrefixTableEntry->CaseMatch = PrefixTableEntry;
    return done;
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-rtlremoveunicodeprefix
// An RtlNextUnicodePrefix enumeration that last returned the entry carries on with the one after it.
VOID NTAPI RtlRemoveUnicodePrefix(PUNICODE_PREFIX_TABLE PrefixTable, PUNICODE_PREFIX_TABLE_ENTRY PrefixTableEntry) {
    PUNICODE_PREFIX_TABLE_ENTRY before = unlink(PrefixTable, PrefixTableEntry);
    if (before && PrefixTable->LastNextEntry == PrefixTableEntry) PrefixTable->LastNextEntry = before;
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-rtlfindunicodeprefix
// The entry whose name is FullName or its longest leading run of whole components. A guess: an entry
// equal to FullName counts as its prefix (Learn says "longest proper prefix"), and "\" leads every
// name that starts with a backslash.
PUNICODE_PREFIX_TABLE_ENTRY NTAPI RtlFindUnicodePrefix(PUNICODE_PREFIX_TABLE PrefixTable, PCUNICODE_STRING FullName,
                                                       ULONG CaseInsensitiveIndex) {
    return find<UNICODE_PREFIX_TABLE, UNICODE_PREFIX_TABLE_ENTRY>(PrefixTable, FullName, CaseInsensitiveIndex);
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-rtlnextunicodeprefix
// A guess at the order, which Learn leaves open: names with more components first.
PUNICODE_PREFIX_TABLE_ENTRY NTAPI RtlNextUnicodePrefix(PUNICODE_PREFIX_TABLE PrefixTable, BOOLEAN Restart) {
    if (!PrefixTable) return nullptr;
    PUNICODE_PREFIX_TABLE_ENTRY last = PrefixTable->LastNextEntry;
    if (Restart || !last) last = as_entry<UNICODE_PREFIX_TABLE, UNICODE_PREFIX_TABLE_ENTRY>(PrefixTable);
    PUNICODE_PREFIX_TABLE_ENTRY next = last->NextPrefixTree;
    PrefixTable->LastNextEntry = next;  // NULL at the end: the next call starts over
    return next;
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-pfxinitialize
VOID NTAPI PfxInitialize(PPREFIX_TABLE PrefixTable) {
    if (!PrefixTable) return;
    initialize<PREFIX_TABLE, PREFIX_TABLE_ENTRY>(PrefixTable, kAnsiTableCode);
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-pfxinsertprefix
BOOLEAN NTAPI PfxInsertPrefix(PPREFIX_TABLE PrefixTable, PSTRING Prefix, PPREFIX_TABLE_ENTRY PrefixTableEntry) {
    return insert(PrefixTable, Prefix, PrefixTableEntry, kAnsiEntryCode);
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-pfxremoveprefix
VOID NTAPI PfxRemovePrefix(PPREFIX_TABLE PrefixTable, PPREFIX_TABLE_ENTRY PrefixTableEntry) {
    (void)unlink(PrefixTable, PrefixTableEntry);
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-pfxfindprefix
// A guess: the ANSI table has no case parameter and compares exactly.
PPREFIX_TABLE_ENTRY NTAPI PfxFindPrefix(PPREFIX_TABLE PrefixTable, PSTRING FullName) {
    return find<PREFIX_TABLE, PREFIX_TABLE_ENTRY>(PrefixTable, FullName, MAXULONG);
}

}  // extern "C"
