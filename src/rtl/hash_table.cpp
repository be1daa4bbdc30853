// The generic dynamic hash tables (https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nf-ntddk-rtlcreatehashtable
// and the routines it lists): linear hashing over a directory of fixed-size segments of bucket heads,
// so a bucket head never moves when the table grows. Records with the same signature stay adjacent in
// their chain, which is what lets RtlGetNextEntryHashTable walk them from a lookup's context. A strong
// enumerator is a place holder entry (signature RTL_HASH_RESERVED_SIGNATURE) linked into the chain it
// has reached; a weak one only remembers the last entry it returned.
#include <new>

#include <ntddk.h>

namespace {

constexpr ULONG kSegmentBuckets = 128;
constexpr ULONG kMinBuckets = 128;
// A guess (Learn gives no limit): 2^24 buckets, 128 Mi of list heads' worth of directory at most.
constexpr ULONG kMaxBuckets = 1u << 24;
constexpr ULONG kMaxSegments = kMaxBuckets / kSegmentBuckets;

struct Directory {
    ULONG min_buckets;
    ULONG segment_count;  // segments allocated
    LIST_ENTRY** segments;  // kMaxSegments slots
};

Directory* directory_of(PRTL_DYNAMIC_HASH_TABLE table) noexcept {
    return static_cast<Directory*>(table->Directory);
}

PLIST_ENTRY bucket_head(PRTL_DYNAMIC_HASH_TABLE table, ULONG index) noexcept {
    Directory* dir = directory_of(table);
    return &dir->segments[index / kSegmentBuckets][index % kSegmentBuckets];
}

ULONG bucket_index(PRTL_DYNAMIC_HASH_TABLE table, ULONG_PTR signature) noexcept {
    ULONG index = static_cast<ULONG>(signature & table->DivisorMask);
    if (index < table->Pivot) index = static_cast<ULONG>(signature & ((static_cast<ULONG_PTR>(table->DivisorMask) << 1) | 1));
    return index;
}

PRTL_DYNAMIC_HASH_TABLE_ENTRY entry_of(PLIST_ENTRY link) noexcept {
    return CONTAINING_RECORD(link, RTL_DYNAMIC_HASH_TABLE_ENTRY, Linkage);
}

bool is_placeholder(PLIST_ENTRY link) noexcept {
    return entry_of(link)->Signature == RTL_HASH_RESERVED_SIGNATURE;
}

// The next record after `link` in the chain `head`, skipping enumerators' place holders; nullptr at the end.
PLIST_ENTRY next_record(PLIST_ENTRY head, PLIST_ENTRY link) noexcept {
    for (PLIST_ENTRY next = link->Flink; next != head; next = next->Flink)
        if (!is_placeholder(next)) return next;
    return nullptr;
}

bool has_records(PLIST_ENTRY head) noexcept { return next_record(head, head) != nullptr; }

bool add_segment(Directory* dir) noexcept {
    if (dir->segment_count == kMaxSegments) return false;
    auto* segment = new (std::nothrow) LIST_ENTRY[kSegmentBuckets];
    if (!segment) return false;
    for (ULONG i = 0; i < kSegmentBuckets; ++i) InitializeListHead(&segment[i]);
    dir->segments[dir->segment_count++] = segment;
    return true;
}

void free_directory(Directory* dir) noexcept {
    if (!dir) return;
    for (ULONG i = 0; i < dir->segment_count; ++i) delete[] dir->segments[i];
    delete[] dir->segments;
    delete dir;
}

ULONG round_up_buckets(ULONG requested) noexcept {
    ULONG size = kMinBuckets;
    while (size < requested && size < kMaxBuckets) size <<= 1;
    return size;
}

// Fills `context` for `signature`: PrevLinkage is the link before the first record with that signature,
// or the chain head when there is none (a new record goes first). Returns that first record's link.
PLIST_ENTRY locate(PRTL_DYNAMIC_HASH_TABLE table, ULONG_PTR signature,
                   PRTL_DYNAMIC_HASH_TABLE_CONTEXT context) noexcept {
    PLIST_ENTRY head = bucket_head(table, bucket_index(table, signature));
    context->ChainHead = head;
    context->PrevLinkage = head;
    context->Signature = signature;
    for (PLIST_ENTRY link = head->Flink; link != head; link = link->Flink) {
        if (entry_of(link)->Signature == signature) {
            context->PrevLinkage = link->Blink;
            return link;
        }
    }
    return nullptr;
}

BOOLEAN create(PRTL_DYNAMIC_HASH_TABLE* table_out, ULONG initial_size, ULONG shift, ULONG flags) noexcept {
    // A guess: Learn says Shift and Flags must be zero; anything else is refused rather than ignored.
    if (!table_out || shift != 0 || flags != 0) return FALSE;
    const ULONG buckets = round_up_buckets(initial_size);
    auto* dir = new (std::nothrow) Directory{buckets, 0, nullptr};
    if (!dir) return FALSE;
    dir->segments = new (std::nothrow) LIST_ENTRY*[kMaxSegments];
    if (!dir->segments) {
        delete dir;
        return FALSE;
    }
    while (dir->segment_count * kSegmentBuckets < buckets) {
        if (!add_segment(dir)) {
            free_directory(dir);
            return FALSE;
        }
    }
    PRTL_DYNAMIC_HASH_TABLE table = *table_out;
    ULONG own_flags = 0;
    if (!table) {
        table = new (std::nothrow) RTL_DYNAMIC_HASH_TABLE;
        if (!table) {
            free_directory(dir);
            return FALSE;
        }
        own_flags = RTL_HASH_ALLOCATED_HEADER;
    }
    table->Flags = own_flags;
    table->Shift = shift;
    table->TableSize = buckets;
    table->Pivot = 0;
    table->DivisorMask = buckets - 1;
    table->NumEntries = 0;
    table->NonEmptyBuckets = 0;
    table->NumEnumerators = 0;
    table->Directory = dir;
    *table_out = table;
    return TRUE;
}

bool usable(PRTL_DYNAMIC_HASH_TABLE table) noexcept { return table && table->Directory; }

}  // namespace

extern "C" {

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nf-ntddk-rtlcreatehashtable
// 128 buckets to start with, a guess Learn leaves open.
BOOLEAN NTAPI RtlCreateHashTable(PRTL_DYNAMIC_HASH_TABLE* HashTable, ULONG Shift, ULONG Flags) {
    return create(HashTable, kMinBuckets, Shift, Flags);
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nf-ntddk-rtlcreatehashtableex
// A guess: InitialSize is rounded up to a power of two of at least 128 (linear hashing doubles the
// divisor), and RtlContractHashTable never shrinks below it.
BOOLEAN NTAPI RtlCreateHashTableEx(PRTL_DYNAMIC_HASH_TABLE* HashTable, ULONG InitialSize, ULONG Shift,
                                   ULONG Flags) {
    return create(HashTable, InitialSize, Shift, Flags);
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nf-ntddk-rtldeletehashtable
// Frees the directory, and the header when RtlCreateHashTable allocated it; the entries stay the caller's.
VOID NTAPI RtlDeleteHashTable(PRTL_DYNAMIC_HASH_TABLE HashTable) {
    if (!HashTable) return;
    free_directory(directory_of(HashTable));
    HashTable->Directory = nullptr;
    if (HashTable->Flags & RTL_HASH_ALLOCATED_HEADER) delete HashTable;
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nf-ntddk-rtlinsertentryhashtable
// With a context a lookup of the same signature filled, the entry goes where the context points (before
// the records of that signature); without one the routine finds that place itself. A guess: the
// reserved signature 0 (the enumerators' place holders) is refused with FALSE.
BOOLEAN NTAPI RtlInsertEntryHashTable(PRTL_DYNAMIC_HASH_TABLE HashTable, PRTL_DYNAMIC_HASH_TABLE_ENTRY Entry,
                                      ULONG_PTR Signature, PRTL_DYNAMIC_HASH_TABLE_CONTEXT Context) {
    if (!usable(HashTable) || !Entry || Signature == RTL_HASH_RESERVED_SIGNATURE) return FALSE;
    RTL_DYNAMIC_HASH_TABLE_CONTEXT local;
    PRTL_DYNAMIC_HASH_TABLE_CONTEXT where = Context;
    if (!where || !where->ChainHead || !where->PrevLinkage || where->Signature != Signature) {
        where = &local;
        locate(HashTable, Signature, where);
    }
    const bool was_empty = !has_records(where->ChainHead);
    Entry->Signature = Signature;
    PLIST_ENTRY prev = where->PrevLinkage;
    Entry->Linkage.Flink = prev->Flink;
    Entry->Linkage.Blink = prev;
    prev->Flink->Blink = &Entry->Linkage;
    prev->Flink = &Entry->Linkage;
    ++HashTable->NumEntries;
    if (was_empty) ++HashTable->NonEmptyBuckets;
    if (Context && Context != where) *Context = *where;
    return TRUE;
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nf-ntddk-rtlremoveentryhashtable
BOOLEAN NTAPI RtlRemoveEntryHashTable(PRTL_DYNAMIC_HASH_TABLE HashTable, PRTL_DYNAMIC_HASH_TABLE_ENTRY Entry,
                                      PRTL_DYNAMIC_HASH_TABLE_CONTEXT Context) {
    if (!usable(HashTable) || !Entry || Entry->Signature == RTL_HASH_RESERVED_SIGNATURE ||
        HashTable->NumEntries == 0)
        return FALSE;
    PLIST_ENTRY head = bucket_head(HashTable, bucket_index(HashTable, Entry->Signature));
    RemoveEntryList(&Entry->Linkage);
    --HashTable->NumEntries;
    if (!has_records(head)) --HashTable->NonEmptyBuckets;
    if (Context) {
        // The context now points where the removed entry was, as a fresh lookup would.
        locate(HashTable, Entry->Signature, Context);
    }
    return TRUE;
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nf-ntddk-rtllookupentryhashtable
PRTL_DYNAMIC_HASH_TABLE_ENTRY NTAPI RtlLookupEntryHashTable(PRTL_DYNAMIC_HASH_TABLE HashTable,
                                                            ULONG_PTR Signature,
                                                            PRTL_DYNAMIC_HASH_TABLE_CONTEXT Context) {
    if (!usable(HashTable) || Signature == RTL_HASH_RESERVED_SIGNATURE) {
        if (Context) RtlInitHashTableContext(Context);
        return nullptr;
    }
    RTL_DYNAMIC_HASH_TABLE_CONTEXT local;
    PLIST_ENTRY found = locate(HashTable, Signature, Context ? Context : &local);
    return found ? entry_of(found) : nullptr;
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nf-ntddk-rtlgetnextentryhashtable
// The next record with the context's signature after the one the context points at; the context
// moves on to it.
PRTL_DYNAMIC_HASH_TABLE_ENTRY NTAPI RtlGetNextEntryHashTable(PRTL_DYNAMIC_HASH_TABLE HashTable,
                                                             PRTL_DYNAMIC_HASH_TABLE_CONTEXT Context) {
    if (!usable(HashTable) || !Context || !Context->ChainHead || !Context->PrevLinkage) return nullptr;
    PLIST_ENTRY head = Context->ChainHead;
    PLIST_ENTRY current = Context->PrevLinkage->Flink;
    if (current == head) return nullptr;
    PLIST_ENTRY next = next_record(head, current);
    if (!next || entry_of(next)->Signature != Context->Signature) return nullptr;
    Context->PrevLinkage = next->Blink;
    return entry_of(next);
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nf-ntddk-rtlinitenumerationhashtable
BOOLEAN NTAPI RtlInitEnumerationHashTable(PRTL_DYNAMIC_HASH_TABLE HashTable,
                                          PRTL_DYNAMIC_HASH_TABLE_ENUMERATOR Enumerator) {
    if (!usable(HashTable) || !Enumerator) return FALSE;
    Enumerator->BucketIndex = 0;
    Enumerator->ChainHead = bucket_head(HashTable, 0);
    Enumerator->HashEntry.Signature = RTL_HASH_RESERVED_SIGNATURE;
    InsertHeadList(Enumerator->ChainHead, &Enumerator->HashEntry.Linkage);
    ++HashTable->NumEnumerators;
    return TRUE;
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nf-ntddk-rtlenumerateentryhashtable
// The place holder moves past each record it returns, so records inserted or removed elsewhere during
// the enumeration do not disturb it.
PRTL_DYNAMIC_HASH_TABLE_ENTRY NTAPI RtlEnumerateEntryHashTable(PRTL_DYNAMIC_HASH_TABLE HashTable,
                                                               PRTL_DYNAMIC_HASH_TABLE_ENUMERATOR Enumerator) {
    if (!usable(HashTable) || !Enumerator || !Enumerator->ChainHead) return nullptr;
    PLIST_ENTRY marker = &Enumerator->HashEntry.Linkage;
    for (;;) {
        PLIST_ENTRY next = next_record(Enumerator->ChainHead, marker);
        if (next) {
            RemoveEntryList(marker);
            marker->Flink = next->Flink;
            marker->Blink = next;
            next->Flink->Blink = marker;
            next->Flink = marker;
            return entry_of(next);
        }
        if (Enumerator->BucketIndex + 1 >= HashTable->TableSize) return nullptr;
        RemoveEntryList(marker);
        ++Enumerator->BucketIndex;
        Enumerator->ChainHead = bucket_head(HashTable, Enumerator->BucketIndex);
        InsertHeadList(Enumerator->ChainHead, marker);
    }
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nf-ntddk-rtlendenumerationhashtable
VOID NTAPI RtlEndEnumerationHashTable(PRTL_DYNAMIC_HASH_TABLE HashTable,
                                      PRTL_DYNAMIC_HASH_TABLE_ENUMERATOR Enumerator) {
    if (!usable(HashTable) || !Enumerator || !Enumerator->ChainHead) return;
    RemoveEntryList(&Enumerator->HashEntry.Linkage);
    Enumerator->ChainHead = nullptr;
    if (HashTable->NumEnumerators) --HashTable->NumEnumerators;
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nf-ntddk-rtlinitweakenumerationhashtable
// A guess: a weak enumerator links nothing into the table and is not counted in NumEnumerators, so it
// does not hold off RtlExpandHashTable; the caller must not change the table while it enumerates.
BOOLEAN NTAPI RtlInitWeakEnumerationHashTable(PRTL_DYNAMIC_HASH_TABLE HashTable,
                                              PRTL_DYNAMIC_HASH_TABLE_ENUMERATOR Enumerator) {
    if (!usable(HashTable) || !Enumerator) return FALSE;
    Enumerator->BucketIndex = 0;
    Enumerator->ChainHead = bucket_head(HashTable, 0);
    Enumerator->CurEntry = Enumerator->ChainHead;
    return TRUE;
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nf-ntddk-rtlweaklyenumerateentryhashtable
PRTL_DYNAMIC_HASH_TABLE_ENTRY NTAPI RtlWeaklyEnumerateEntryHashTable(
    PRTL_DYNAMIC_HASH_TABLE HashTable, PRTL_DYNAMIC_HASH_TABLE_ENUMERATOR Enumerator) {
    if (!usable(HashTable) || !Enumerator || !Enumerator->ChainHead || !Enumerator->CurEntry) return nullptr;
    for (;;) {
        PLIST_ENTRY next = next_record(Enumerator->ChainHead, Enumerator->CurEntry);
        if (next) {
            Enumerator->CurEntry = next;
            return entry_of(next);
        }
        if (Enumerator->BucketIndex + 1 >= HashTable->TableSize) return nullptr;
        ++Enumerator->BucketIndex;
        Enumerator->ChainHead = bucket_head(HashTable, Enumerator->BucketIndex);
        Enumerator->CurEntry = Enumerator->ChainHead;
    }
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nf-ntddk-rtlendweakenumerationhashtable
VOID NTAPI RtlEndWeakEnumerationHashTable(PRTL_DYNAMIC_HASH_TABLE HashTable,
                                          PRTL_DYNAMIC_HASH_TABLE_ENUMERATOR Enumerator) {
    if (!HashTable || !Enumerator) return;
    Enumerator->ChainHead = nullptr;
    Enumerator->CurEntry = nullptr;
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nf-ntddk-rtlexpandhashtable
// Splits the bucket at the pivot in two. A guess: FALSE while a strong enumerator is active (its
// place holder could be moved past records it has not returned), at 2^24 buckets, or out of memory.
BOOLEAN NTAPI RtlExpandHashTable(PRTL_DYNAMIC_HASH_TABLE HashTable) {
    if (!usable(HashTable) || HashTable->NumEnumerators != 0 || HashTable->TableSize >= kMaxBuckets)
        return FALSE;
    Directory* dir = directory_of(HashTable);
    const ULONG new_index = HashTable->TableSize;
    if (new_index / kSegmentBuckets >= dir->segment_count && !add_segment(dir)) return FALSE;
    const ULONG split = HashTable->Pivot;
    const ULONG_PTR wide_mask = (static_cast<ULONG_PTR>(HashTable->DivisorMask) << 1) | 1;
    PLIST_ENTRY from = bucket_head(HashTable, split);
    PLIST_ENTRY to = bucket_head(HashTable, new_index);
    for (PLIST_ENTRY link = from->Flink; link != from;) {
        PLIST_ENTRY next = link->Flink;
        if ((entry_of(link)->Signature & wide_mask) != split) {
            RemoveEntryList(link);
            InsertTailList(to, link);
        }
        link = next;
    }
    ++HashTable->TableSize;
    if (++HashTable->Pivot == HashTable->DivisorMask + 1) {
        HashTable->DivisorMask = static_cast<ULONG>(wide_mask);
        HashTable->Pivot = 0;
    }
    if (!IsListEmpty(to) && !IsListEmpty(from)) ++HashTable->NonEmptyBuckets;
    return TRUE;
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nf-ntddk-rtlcontracthashtable
// Merges the last bucket into its partner. A guess: FALSE while a strong enumerator is active or at
// the initial size.
BOOLEAN NTAPI RtlContractHashTable(PRTL_DYNAMIC_HASH_TABLE HashTable) {
    if (!usable(HashTable) || HashTable->NumEnumerators != 0) return FALSE;
    Directory* dir = directory_of(HashTable);
    if (HashTable->TableSize <= dir->min_buckets) return FALSE;
    if (HashTable->Pivot == 0) {
        HashTable->DivisorMask >>= 1;
        HashTable->Pivot = HashTable->DivisorMask + 1;
    }
    --HashTable->Pivot;
    --HashTable->TableSize;
    PLIST_ENTRY into = bucket_head(HashTable, HashTable->Pivot);
    PLIST_ENTRY last = bucket_head(HashTable, HashTable->TableSize);
    if (!IsListEmpty(last) && !IsListEmpty(into)) --HashTable->NonEmptyBuckets;
    while (!IsListEmpty(last)) InsertTailList(into, RemoveHeadList(last));
    if ((HashTable->TableSize % kSegmentBuckets) == 0 && dir->segment_count > HashTable->TableSize / kSegmentBuckets) {
        delete[] dir->segments[--dir->segment_count];
    }
    return TRUE;
}

}  // extern "C"
