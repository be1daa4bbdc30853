// The AVL generic table (https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nf-ntddk-rtlinitializegenerictableavl
// and the routines it lists). Each element is one allocation: RTL_BALANCED_LINKS, then the caller's
// data. The tree hangs from BalancedRoot.RightChild; BalancedRoot is its own parent. Balance is the
// right subtree's height minus the left's.
#include <cstring>
#include <utility>

#include <ntddk.h>

#include "rtl/tree_links.hpp"

namespace {

using Links = RTL_BALANCED_LINKS;
using ntio::rtl::replace_child;

constexpr CLONG kHeader = sizeof(RTL_BALANCED_LINKS);

PVOID data_of(Links* node) noexcept { return node ? reinterpret_cast<char*>(node) + kHeader : nullptr; }
Links* sentinel(PRTL_AVL_TABLE table) noexcept { return &table->BalancedRoot; }
Links* root(PRTL_AVL_TABLE table) noexcept { return table->BalancedRoot.RightChild; }

TABLE_SEARCH_RESULT search(PRTL_AVL_TABLE table, PVOID buffer, Links** node_or_parent) noexcept {
    Links* node = root(table);
    *node_or_parent = nullptr;
    if (!node) return TableEmptyTree;
    for (;;) {
        const RTL_GENERIC_COMPARE_RESULTS order = table->CompareRoutine(table, buffer, data_of(node));
        *node_or_parent = node;
        if (order == GenericEqual) return TableFoundNode;
        Links* next = order == GenericLessThan ? node->LeftChild : node->RightChild;
        if (!next) return order == GenericLessThan ? TableInsertAsLeft : TableInsertAsRight;
        node = next;
    }
}

void rotate_left(Links* node) noexcept {
    Links* right = node->RightChild;
    node->RightChild = right->LeftChild;
    if (right->LeftChild) right->LeftChild->Parent = node;
    right->Parent = node->Parent;
    replace_child(node->Parent, node, right);
    right->LeftChild = node;
    node->Parent = right;
}

void rotate_right(Links* node) noexcept {
    Links* left = node->LeftChild;
    node->LeftChild = left->RightChild;
    if (left->RightChild) left->RightChild->Parent = node;
    left->Parent = node->Parent;
    replace_child(node->Parent, node, left);
    left->RightChild = node;
    node->Parent = left;
}

struct Rebalanced {
    Links* top;    // the subtree's new top
    bool shorter;  // its height is one less than before the change that unbalanced it
};

// A node with balance +2 or -2: one or two rotations make the subtree balanced again.
Rebalanced rebalance(Links* node) noexcept {
    const CHAR side = node->Balance > 0 ? 1 : -1;
    Links* child = side > 0 ? node->RightChild : node->LeftChild;
    if (child->Balance != -side) {  // single rotation
        if (side > 0) rotate_left(node);
        else rotate_right(node);
        if (child->Balance == 0) {  // only after a deletion
            node->Balance = side;
            child->Balance = static_cast<CHAR>(-side);
            return {child, false};
        }
        node->Balance = child->Balance = 0;
        return {child, true};
    }
    Links* grandchild = side > 0 ? child->LeftChild : child->RightChild;  // double rotation
    if (side > 0) {
        rotate_right(child);
        rotate_left(node);
    } else {
        rotate_left(child);
        rotate_right(node);
    }
    node->Balance = grandchild->Balance == side ? static_cast<CHAR>(-side) : static_cast<CHAR>(0);
    child->Balance = grandchild->Balance == -side ? side : static_cast<CHAR>(0);
    grandchild->Balance = 0;
    return {grandchild, true};
}

// After `node` was hung under its parent: the heights up the path grow until a node absorbs it.
void retrace_insert(Links* top, Links* node) noexcept {
    for (Links* parent = node->Parent; parent != top; node = parent, parent = parent->Parent) {
        parent->Balance = static_cast<CHAR>(parent->Balance + (parent->LeftChild == node ? -1 : 1));
        if (parent->Balance == 0) return;
        if (parent->Balance == 2 || parent->Balance == -2) {
            rebalance(parent);
            return;
        }
    }
}

// After the subtree on the `left` (or right) of `parent` became one shorter.
void retrace_delete(Links* top, Links* parent, bool left) noexcept {
    while (parent != top) {
        parent->Balance = static_cast<CHAR>(parent->Balance + (left ? 1 : -1));
        if (parent->Balance == 1 || parent->Balance == -1) return;
        Links* subtree = parent;
        if (parent->Balance != 0) {
            const Rebalanced result = rebalance(parent);
            if (!result.shorter) return;
            subtree = result.top;
        }
        Links* up = subtree->Parent;
        left = up->LeftChild == subtree;
        parent = up;
    }
}

// What RtlGetElementGenericTableAvl remembers (OrderedPointer, the 1-based WhichOrderedElement)
// is forgotten when an element comes or goes, since indexes follow the collation order.
void reset_order_cache(PRTL_AVL_TABLE table) noexcept {
    table->OrderedPointer = nullptr;
    table->WhichOrderedElement = 0;
}

void delete_node(PRTL_AVL_TABLE table, Links* node) noexcept {
    Links* const top = sentinel(table);
    // RtlEnumerateGenericTableAvl resumes after the element before the one deleted.
    if (table->RestartKey == node) table->RestartKey = ntio::rtl::real_predecessor(node, top);
    if (node->LeftChild && node->RightChild) {
        Links* pred = ntio::rtl::rightmost(node->LeftChild);
        ntio::rtl::swap_with_predecessor(node, pred);
        std::swap(node->Balance, pred->Balance);
    }
    Links* parent = node->Parent;
    Links* child = node->LeftChild ? node->LeftChild : node->RightChild;
    const bool left = parent->LeftChild == node;
    replace_child(parent, node, child);
    if (child) child->Parent = parent;
    retrace_delete(top, parent, left);
    reset_order_cache(table);
    --table->NumberGenericTableElements;
    ++table->DeleteCount;
    table->FreeRoutine(table, node);
}

Links* first_node(PRTL_AVL_TABLE table) noexcept { return root(table) ? ntio::rtl::leftmost(root(table)) : nullptr; }

}  // namespace

extern "C" {

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nf-ntddk-rtlinitializegenerictableavl
NTSYSAPI VOID NTAPI RtlInitializeGenericTableAvl(PRTL_AVL_TABLE Table, PRTL_AVL_COMPARE_ROUTINE CompareRoutine,
                                                 PRTL_AVL_ALLOCATE_ROUTINE AllocateRoutine,
                                                 PRTL_AVL_FREE_ROUTINE FreeRoutine, PVOID TableContext) {
    std::memset(Table, 0, sizeof(*Table));
    Table->BalancedRoot.Parent = &Table->BalancedRoot;
    Table->CompareRoutine = CompareRoutine;
    Table->AllocateRoutine = AllocateRoutine;
    Table->FreeRoutine = FreeRoutine;
    Table->TableContext = TableContext;
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nf-ntddk-rtlinsertelementgenerictablefullavl
// The allocation is BufferSize plus RTL_BALANCED_LINKS; NULL when the AllocateRoutine fails.
NTSYSAPI PVOID NTAPI RtlInsertElementGenericTableFullAvl(PRTL_AVL_TABLE Table, PVOID Buffer, CLONG BufferSize,
                                                         PBOOLEAN NewElement, PVOID NodeOrParent,
                                                         TABLE_SEARCH_RESULT SearchResult) {
    auto* parent = static_cast<Links*>(NodeOrParent);
    if (SearchResult == TableFoundNode) {
        if (NewElement) *NewElement = FALSE;
        return data_of(parent);
    }
    auto* node = static_cast<Links*>(Table->AllocateRoutine(Table, BufferSize + kHeader));
    if (!node) {
        if (NewElement) *NewElement = FALSE;
        return nullptr;
    }
    std::memset(node, 0, kHeader);
    std::memcpy(data_of(node), Buffer, BufferSize);
    if (SearchResult == TableEmptyTree) parent = sentinel(Table);
    if (SearchResult == TableInsertAsLeft) parent->LeftChild = node;
    else parent->RightChild = node;
    node->Parent = parent;
    retrace_insert(sentinel(Table), node);
    ++Table->NumberGenericTableElements;
    reset_order_cache(Table);
    if (NewElement) *NewElement = TRUE;
    return data_of(node);
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nf-ntddk-rtlinsertelementgenerictableavl
NTSYSAPI PVOID NTAPI RtlInsertElementGenericTableAvl(PRTL_AVL_TABLE Table, PVOID Buffer, CLONG BufferSize,
                                                     PBOOLEAN NewElement) {
    Links* node_or_parent;
    const TABLE_SEARCH_RESULT result = search(Table, Buffer, &node_or_parent);
    return RtlInsertElementGenericTableFullAvl(Table, Buffer, BufferSize, NewElement, node_or_parent, result);
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nf-ntddk-rtldeleteelementgenerictableavl
NTSYSAPI BOOLEAN NTAPI RtlDeleteElementGenericTableAvl(PRTL_AVL_TABLE Table, PVOID Buffer) {
    Links* node;
    if (search(Table, Buffer, &node) != TableFoundNode) return FALSE;
    delete_node(Table, node);
    return TRUE;
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nf-ntddk-rtldeleteelementgenerictableavlex
// NodeOrParent: the node RtlLookupElementGenericTableFullAvl found (TableFoundNode).
NTSYSAPI VOID NTAPI RtlDeleteElementGenericTableAvlEx(PRTL_AVL_TABLE Table, PVOID NodeOrParent) {
    if (NodeOrParent) delete_node(Table, static_cast<Links*>(NodeOrParent));
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nf-ntddk-rtllookupelementgenerictablefullavl
NTSYSAPI PVOID NTAPI RtlLookupElementGenericTableFullAvl(PRTL_AVL_TABLE Table, PVOID Buffer, PVOID* NodeOrParent,
                                                         TABLE_SEARCH_RESULT* SearchResult) {
    Links* node_or_parent;
    *SearchResult = search(Table, Buffer, &node_or_parent);
    *NodeOrParent = node_or_parent;
    return *SearchResult == TableFoundNode ? data_of(node_or_parent) : nullptr;
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nf-ntddk-rtllookupelementgenerictableavl
NTSYSAPI PVOID NTAPI RtlLookupElementGenericTableAvl(PRTL_AVL_TABLE Table, PVOID Buffer) {
    Links* node;
    return search(Table, Buffer, &node) == TableFoundNode ? data_of(node) : nullptr;
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nf-ntddk-rtllookupfirstmatchingelementgenerictableavl
// The first element in collation order that compares equal to Buffer (a CompareRoutine may call
// several equal); *RestartKey receives its node, for RtlEnumerateGenericTableWithoutSplayingAvl.
NTSYSAPI PVOID NTAPI RtlLookupFirstMatchingElementGenericTableAvl(PRTL_AVL_TABLE Table, PVOID Buffer,
                                                                  PVOID* RestartKey) {
    Links* match = nullptr;
    for (Links* node = root(Table); node;) {
        const RTL_GENERIC_COMPARE_RESULTS order = Table->CompareRoutine(Table, Buffer, data_of(node));
        if (order == GenericEqual) match = node;
        node = order == GenericGreaterThan ? node->RightChild : node->LeftChild;
    }
    *RestartKey = match;
    return data_of(match);
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nf-ntddk-rtlenumerategenerictableavl
// Table->RestartKey holds the last element returned; Restart (or no last element) starts from the
// smallest.
NTSYSAPI PVOID NTAPI RtlEnumerateGenericTableAvl(PRTL_AVL_TABLE Table, BOOLEAN Restart) {
    Links* next = Restart || !Table->RestartKey ? first_node(Table) : ntio::rtl::real_successor(Table->RestartKey);
    if (next == sentinel(Table)) next = nullptr;
    Table->RestartKey = next;
    return data_of(next);
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nf-ntddk-rtlenumerategenerictablewithoutsplayingavl
NTSYSAPI PVOID NTAPI RtlEnumerateGenericTableWithoutSplayingAvl(PRTL_AVL_TABLE Table, PVOID* RestartKey) {
    auto* last = static_cast<Links*>(*RestartKey);
    Links* next = last ? ntio::rtl::real_successor(last) : first_node(Table);
    *RestartKey = next;
    return data_of(next);
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nf-ntddk-rtlenumerategenerictablelikeadirectory
// Resumes after *RestartKey when it is set and nothing was deleted since (*DeleteCount matches);
// otherwise from Buffer: the element equal to it (after it with NextFlag) or the next greater one.
// MatchFunction: STATUS_SUCCESS returns the element, STATUS_NO_MORE_MATCHES ends the enumeration,
// anything else (STATUS_NO_MATCH) skips it.
NTSYSAPI PVOID NTAPI RtlEnumerateGenericTableLikeADirectory(PRTL_AVL_TABLE Table,
                                                            PRTL_AVL_MATCH_FUNCTION MatchFunction, PVOID MatchData,
                                                            ULONG NextFlag, PVOID* RestartKey, PULONG DeleteCount,
                                                            PVOID Buffer) {
    Links* node = nullptr;
    if (*RestartKey && *DeleteCount == Table->DeleteCount) {
        node = static_cast<Links*>(*RestartKey);
        if (NextFlag) node = ntio::rtl::real_successor(node);
    } else {
        bool exact = false;
        for (Links* at = root(Table); at;) {
            const RTL_GENERIC_COMPARE_RESULTS order = Table->CompareRoutine(Table, Buffer, data_of(at));
            if (order == GenericGreaterThan) {
                at = at->RightChild;
                continue;
            }
            node = at;  // at or after Buffer
            if (order == GenericEqual) {
                exact = true;
                break;
            }
            at = at->LeftChild;
        }
        if (node && exact && NextFlag) node = ntio::rtl::real_successor(node);
    }
    for (; node; node = ntio::rtl::real_successor(node)) {
        const NTSTATUS status = MatchFunction ? MatchFunction(Table, data_of(node), MatchData) : STATUS_SUCCESS;
        if (status == STATUS_SUCCESS) break;
        if (status == STATUS_NO_MORE_MATCHES) {
            node = nullptr;
            break;
        }
    }
    *RestartKey = node;
    *DeleteCount = Table->DeleteCount;
    return data_of(node);
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nf-ntddk-rtlgetelementgenerictableavl
// NT deviation: the I'th element in collation order. Learn's page repeats the splay table's "I'th
// inserted", but RTL_AVL_TABLE keeps no insertion order (it has no list, and an element's
// allocation holds only its links and data), so the order an AVL table has is its collation order.
NTSYSAPI PVOID NTAPI RtlGetElementGenericTableAvl(PRTL_AVL_TABLE Table, ULONG I) {
    if (I >= Table->NumberGenericTableElements) return nullptr;
    const ULONG want = I + 1;
    auto* node = static_cast<Links*>(Table->OrderedPointer);
    ULONG at = Table->WhichOrderedElement;
    if (!node || at > want) node = first_node(Table), at = 1;
    for (; at < want; ++at) node = ntio::rtl::real_successor(node);
    Table->OrderedPointer = node;
    Table->WhichOrderedElement = want;
    return data_of(node);
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nf-ntddk-rtlnumbergenerictableelementsavl
NTSYSAPI ULONG NTAPI RtlNumberGenericTableElementsAvl(PRTL_AVL_TABLE Table) {
    return Table->NumberGenericTableElements;
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nf-ntddk-rtlisgenerictableemptyavl
NTSYSAPI BOOLEAN NTAPI RtlIsGenericTableEmptyAvl(PRTL_AVL_TABLE Table) { return root(Table) ? FALSE : TRUE; }

}  // extern "C"
