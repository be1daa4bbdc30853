// The splay generic table (https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nf-ntddk-rtlinitializegenerictable
// and the routines it lists). Each element is one allocation: RTL_SPLAY_LINKS, the LIST_ENTRY of the
// insertion-order list, then the caller's data. Lookups and RtlEnumerateGenericTable splay the tree,
// as on Windows; the *Full routines and RtlEnumerateGenericTableWithoutSplaying do not.
#include <cstring>

#include <ntddk.h>

#include "rtl/tree_links.hpp"

namespace {

struct Node {
    RTL_SPLAY_LINKS links;
    LIST_ENTRY order;
};
constexpr CLONG kHeader = sizeof(Node);  // sizeof(RTL_SPLAY_LINKS) + sizeof(LIST_ENTRY)

Node* node_of(PRTL_SPLAY_LINKS links) noexcept { return reinterpret_cast<Node*>(links); }
Node* node_of_order(PLIST_ENTRY entry) noexcept { return CONTAINING_RECORD(entry, Node, order); }
PVOID data_of(Node* node) noexcept { return reinterpret_cast<char*>(node) + kHeader; }
PVOID data_of(PRTL_SPLAY_LINKS links) noexcept { return links ? data_of(node_of(links)) : nullptr; }

// Where Buffer is or would go: the node holding it (TableFoundNode) or the parent to hang it from.
TABLE_SEARCH_RESULT search(PRTL_GENERIC_TABLE table, PVOID buffer, PRTL_SPLAY_LINKS* node_or_parent) noexcept {
    PRTL_SPLAY_LINKS node = table->TableRoot;
    *node_or_parent = nullptr;
    if (!node) return TableEmptyTree;
    for (;;) {
        const RTL_GENERIC_COMPARE_RESULTS order = table->CompareRoutine(table, buffer, data_of(node));
        *node_or_parent = node;
        if (order == GenericEqual) return TableFoundNode;
        PRTL_SPLAY_LINKS next = order == GenericLessThan ? node->LeftChild : node->RightChild;
        if (!next) return order == GenericLessThan ? TableInsertAsLeft : TableInsertAsRight;
        node = next;
    }
}

// The element cache of RtlGetElementGenericTable (OrderedPointer, the 1-based WhichOrderedElement; 0
// is the list head) forgets its place when an element leaves.
void reset_order_cache(PRTL_GENERIC_TABLE table) noexcept {
    table->OrderedPointer = &table->InsertOrderList;
    table->WhichOrderedElement = 0;
}

}  // namespace

extern "C" {

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nf-ntddk-rtlinitializegenerictable
NTSYSAPI VOID NTAPI RtlInitializeGenericTable(PRTL_GENERIC_TABLE Table, PRTL_GENERIC_COMPARE_ROUTINE CompareRoutine,
                                              PRTL_GENERIC_ALLOCATE_ROUTINE AllocateRoutine,
                                              PRTL_GENERIC_FREE_ROUTINE FreeRoutine, PVOID TableContext) {
    Table->TableRoot = nullptr;
    InitializeListHead(&Table->InsertOrderList);
    reset_order_cache(Table);
    Table->NumberGenericTableElements = 0;
    Table->CompareRoutine = CompareRoutine;
    Table->AllocateRoutine = AllocateRoutine;
    Table->FreeRoutine = FreeRoutine;
    Table->TableContext = TableContext;
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nf-ntddk-rtlinsertelementgenerictablefull
// NodeOrParent and SearchResult come from RtlLookupElementGenericTableFull with no change between.
// The allocation is BufferSize plus the links; NULL when the AllocateRoutine fails.
NTSYSAPI PVOID NTAPI RtlInsertElementGenericTableFull(PRTL_GENERIC_TABLE Table, PVOID Buffer, CLONG BufferSize,
                                                      PBOOLEAN NewElement, PVOID NodeOrParent,
                                                      TABLE_SEARCH_RESULT SearchResult) {
    auto* parent = static_cast<PRTL_SPLAY_LINKS>(NodeOrParent);
    if (SearchResult == TableFoundNode) {
        if (NewElement) *NewElement = FALSE;
        Table->TableRoot = RtlSplay(parent);
        return data_of(parent);
    }
    auto* node = static_cast<Node*>(Table->AllocateRoutine(Table, BufferSize + kHeader));
    if (!node) {
        if (NewElement) *NewElement = FALSE;
        return nullptr;
    }
    RtlInitializeSplayLinks(&node->links);
    InsertTailList(&Table->InsertOrderList, &node->order);
    std::memcpy(data_of(node), Buffer, BufferSize);
    ++Table->NumberGenericTableElements;
    if (SearchResult == TableEmptyTree) {
        Table->TableRoot = &node->links;
    } else {
        if (SearchResult == TableInsertAsLeft) RtlInsertAsLeftChild(parent, &node->links)
        else RtlInsertAsRightChild(parent, &node->links)
        Table->TableRoot = RtlSplay(&node->links);
    }
    if (NewElement) *NewElement = TRUE;
    return data_of(node);
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nf-ntddk-rtlinsertelementgenerictable
// An element that compares equal is returned as it is (NewElement FALSE), not replaced.
NTSYSAPI PVOID NTAPI RtlInsertElementGenericTable(PRTL_GENERIC_TABLE Table, PVOID Buffer, CLONG BufferSize,
                                                  PBOOLEAN NewElement) {
    PRTL_SPLAY_LINKS node_or_parent;
    const TABLE_SEARCH_RESULT result = search(Table, Buffer, &node_or_parent);
    return RtlInsertElementGenericTableFull(Table, Buffer, BufferSize, NewElement, node_or_parent, result);
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nf-ntddk-rtldeleteelementgenerictable
// The element's memory goes back through the FreeRoutine.
NTSYSAPI BOOLEAN NTAPI RtlDeleteElementGenericTable(PRTL_GENERIC_TABLE Table, PVOID Buffer) {
    PRTL_SPLAY_LINKS node;
    if (search(Table, Buffer, &node) != TableFoundNode) return FALSE;
    RemoveEntryList(&node_of(node)->order);
    reset_order_cache(Table);
    Table->TableRoot = RtlDelete(node);
    --Table->NumberGenericTableElements;
    Table->FreeRoutine(Table, node);
    return TRUE;
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nf-ntddk-rtllookupelementgenerictablefull
NTSYSAPI PVOID NTAPI RtlLookupElementGenericTableFull(PRTL_GENERIC_TABLE Table, PVOID Buffer, PVOID* NodeOrParent,
                                                      TABLE_SEARCH_RESULT* SearchResult) {
    PRTL_SPLAY_LINKS node_or_parent;
    *SearchResult = search(Table, Buffer, &node_or_parent);
    *NodeOrParent = node_or_parent;
    return *SearchResult == TableFoundNode ? data_of(node_or_parent) : nullptr;
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nf-ntddk-rtllookupelementgenerictable
NTSYSAPI PVOID NTAPI RtlLookupElementGenericTable(PRTL_GENERIC_TABLE Table, PVOID Buffer) {
    PRTL_SPLAY_LINKS node;
    if (search(Table, Buffer, &node) != TableFoundNode) return nullptr;
    Table->TableRoot = RtlSplay(node);
    return data_of(node);
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nf-ntddk-rtlenumerategenerictable
// The next element is the successor of the root, splayed to the root; Restart starts from the
// smallest. A lookup or insertion between calls therefore moves the enumeration, as Learn warns.
NTSYSAPI PVOID NTAPI RtlEnumerateGenericTable(PRTL_GENERIC_TABLE Table, BOOLEAN Restart) {
    if (!Table->TableRoot) return nullptr;
    PRTL_SPLAY_LINKS next =
        Restart ? ntio::rtl::leftmost(Table->TableRoot) : ntio::rtl::real_successor(Table->TableRoot);
    if (!next) return nullptr;
    Table->TableRoot = RtlSplay(next);
    return data_of(next);
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nf-ntddk-rtlenumerategenerictablewithoutsplaying
// *RestartKey: NULL to start, then the last element's node, kept by the caller.
NTSYSAPI PVOID NTAPI RtlEnumerateGenericTableWithoutSplaying(PRTL_GENERIC_TABLE Table, PVOID* RestartKey) {
    if (!Table->TableRoot) return nullptr;
    auto* last = static_cast<PRTL_SPLAY_LINKS>(*RestartKey);
    PRTL_SPLAY_LINKS next = last ? ntio::rtl::real_successor(last) : ntio::rtl::leftmost(Table->TableRoot);
    *RestartKey = next;
    return data_of(next);
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nf-ntddk-rtlgetelementgenerictable
// The I'th element inserted (0-based), walking the insertion-order list from whichever of its head,
// its tail and the last element asked for is nearest.
NTSYSAPI PVOID NTAPI RtlGetElementGenericTable(PRTL_GENERIC_TABLE Table, ULONG I) {
    const ULONG count = Table->NumberGenericTableElements;
    if (I >= count) return nullptr;
    const ULONG want = I + 1;  // 1-based, as WhichOrderedElement
    PLIST_ENTRY entry = Table->OrderedPointer;
    ULONG at = Table->WhichOrderedElement;
    ULONG steps = at > want ? at - want : want - at;
    if (want < steps) entry = &Table->InsertOrderList, at = 0, steps = want;
    if (count - want < steps) entry = Table->InsertOrderList.Blink, at = count;
    for (; at < want; ++at) entry = entry->Flink;
    for (; at > want; --at) entry = entry->Blink;
    Table->OrderedPointer = entry;
    Table->WhichOrderedElement = want;
    return data_of(node_of_order(entry));
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nf-ntddk-rtlnumbergenerictableelements
NTSYSAPI ULONG NTAPI RtlNumberGenericTableElements(PRTL_GENERIC_TABLE Table) { return Table->NumberGenericTableElements; }

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nf-ntddk-rtlisgenerictableempty
NTSYSAPI BOOLEAN NTAPI RtlIsGenericTableEmpty(PRTL_GENERIC_TABLE Table) { return Table->TableRoot ? FALSE : TRUE; }

}  // extern "C"
