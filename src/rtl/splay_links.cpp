// Splay links (https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/ns-ntddk-_rtl_splay_links
// and the routines it lists): RtlSplay, RtlDelete, RtlDeleteNoSplay and the successor and
// predecessor walks. A root is its own parent.
#include <ntddk.h>

#include "rtl/tree_links.hpp"

namespace {

using ntio::rtl::replace_child;

// Moves `node` up one level, above its parent, keeping the in-order sequence.
void rotate_up(PRTL_SPLAY_LINKS node) noexcept {
    PRTL_SPLAY_LINKS parent = node->Parent;
    PRTL_SPLAY_LINKS grandparent = parent->Parent;
    const bool parent_is_root = grandparent == parent;
    if (parent->LeftChild == node) {
        parent->LeftChild = node->RightChild;
        if (node->RightChild) node->RightChild->Parent = parent;
        node->RightChild = parent;
    } else {
        parent->RightChild = node->LeftChild;
        if (node->LeftChild) node->LeftChild->Parent = parent;
        node->LeftChild = parent;
    }
    parent->Parent = node;
    if (parent_is_root) {
        node->Parent = node;
    } else {
        replace_child(grandparent, parent, node);
        node->Parent = grandparent;
    }
}

}  // namespace

extern "C" {

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nf-ntddk-rtlsplay
// Rebalances the tree with Links as its new root (zig, zig-zig and zig-zag steps), and returns it.
NTSYSAPI PRTL_SPLAY_LINKS NTAPI RtlSplay(PRTL_SPLAY_LINKS Links) {
    while (!RtlIsRoot(Links)) {
        PRTL_SPLAY_LINKS parent = Links->Parent;
        if (RtlIsRoot(parent)) {
            rotate_up(Links);
        } else if ((parent->Parent->LeftChild == parent) == (parent->LeftChild == Links)) {
            rotate_up(parent);  // zig-zig: the parent first
            rotate_up(Links);
        } else {
            rotate_up(Links);  // zig-zag
            rotate_up(Links);
        }
    }
    return Links;
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nf-ntddk-rtldelete
// Splays the node to the root, removes it and joins its subtrees under the largest node of the
// left one; returns the new root (NULL when the tree is now empty).
NTSYSAPI PRTL_SPLAY_LINKS NTAPI RtlDelete(PRTL_SPLAY_LINKS Links) {
    RtlSplay(Links);
    PRTL_SPLAY_LINKS left = Links->LeftChild;
    PRTL_SPLAY_LINKS right = Links->RightChild;
    if (!left) {
        if (right) right->Parent = right;
        return right;
    }
    left->Parent = left;
    PRTL_SPLAY_LINKS root = RtlSplay(ntio::rtl::rightmost(left));  // no right child now
    root->RightChild = right;
    if (right) right->Parent = root;
    return root;
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nf-ntddk-rtldeletenosplay
// Removes the node without rebalancing; *Root is updated when the root changes.
NTSYSAPI VOID NTAPI RtlDeleteNoSplay(PRTL_SPLAY_LINKS Links, PRTL_SPLAY_LINKS* Root) {
    if (Links->LeftChild && Links->RightChild) {
        PRTL_SPLAY_LINKS pred = ntio::rtl::rightmost(Links->LeftChild);
        const bool was_root = RtlIsRoot(Links);
        ntio::rtl::swap_with_predecessor(Links, pred);
        if (was_root) *Root = pred;
    }
    PRTL_SPLAY_LINKS child = Links->LeftChild ? Links->LeftChild : Links->RightChild;
    if (RtlIsRoot(Links)) {
        if (child) child->Parent = child;
        *Root = child;
        return;
    }
    replace_child(Links->Parent, Links, child);
    if (child) child->Parent = Links->Parent;
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nf-ntddk-rtlsubtreesuccessor
NTSYSAPI PRTL_SPLAY_LINKS NTAPI RtlSubtreeSuccessor(PRTL_SPLAY_LINKS Links) {
    return Links->RightChild ? ntio::rtl::leftmost(Links->RightChild) : nullptr;
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nf-ntddk-rtlsubtreepredecessor
NTSYSAPI PRTL_SPLAY_LINKS NTAPI RtlSubtreePredecessor(PRTL_SPLAY_LINKS Links) {
    return Links->LeftChild ? ntio::rtl::rightmost(Links->LeftChild) : nullptr;
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nf-ntddk-rtlrealsuccessor
NTSYSAPI PRTL_SPLAY_LINKS NTAPI RtlRealSuccessor(PRTL_SPLAY_LINKS Links) { return ntio::rtl::real_successor(Links); }

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nf-ntddk-rtlrealpredecessor
NTSYSAPI PRTL_SPLAY_LINKS NTAPI RtlRealPredecessor(PRTL_SPLAY_LINKS Links) {
    return ntio::rtl::real_predecessor(Links);
}

}  // extern "C"
