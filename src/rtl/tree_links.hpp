// Walks and the one structural change shared by the splay links (RTL_SPLAY_LINKS, whose root is
// its own parent) and the AVL table's balanced links (RTL_BALANCED_LINKS, whose tree hangs from the
// right of a sentinel that is its own parent): in both, climbing stops at a node that is its own
// parent.
#pragma once

namespace ntio::rtl {

template <typename L>
L* leftmost(L* node) noexcept {
    while (node->LeftChild) node = node->LeftChild;
    return node;
}

template <typename L>
L* rightmost(L* node) noexcept {
    while (node->RightChild) node = node->RightChild;
    return node;
}

// The next node in key order, or nullptr.
template <typename L>
L* real_successor(L* node) noexcept {
    if (node->RightChild) return leftmost(node->RightChild);
    for (;;) {
        L* parent = node->Parent;
        if (parent == node) return nullptr;
        if (parent->LeftChild == node) return parent;
        node = parent;
    }
}

// The previous node in key order, or nullptr; `sentinel` (the AVL table's, or nullptr) is never one.
template <typename L>
L* real_predecessor(L* node, const L* sentinel = nullptr) noexcept {
    if (node->LeftChild) return rightmost(node->LeftChild);
    for (;;) {
        L* parent = node->Parent;
        if (parent == node) return nullptr;
        if (parent->RightChild == node) return parent == sentinel ? nullptr : parent;
        node = parent;
    }
}

template <typename L>
void replace_child(L* parent, L* old_child, L* new_child) noexcept {
    if (parent->LeftChild == old_child) parent->LeftChild = new_child;
    else parent->RightChild = new_child;
}

// Swaps the places of `node`, which has two children, and `pred`, its in-order predecessor (the
// rightmost node of its left subtree, so without a right child): afterwards `node` has no right
// child and can be unlinked. The nodes move, not their contents, since callers hold pointers to the
// data after the links. A root (its own parent) passes that on to `pred`.
template <typename L>
void swap_with_predecessor(L* node, L* pred) noexcept {
    L* const parent = node->Parent;
    const bool root = parent == node;
    L* const left = node->LeftChild;
    L* const right = node->RightChild;
    L* const pred_parent = pred->Parent;
    L* const pred_left = pred->LeftChild;
    // pred into node's place.
    pred->Parent = root ? pred : parent;
    if (!root) replace_child(parent, node, pred);
    pred->RightChild = right;
    right->Parent = pred;
    // node into pred's place.
    if (pred == left) {
        pred->LeftChild = node;
        node->Parent = pred;
    } else {
        pred->LeftChild = left;
        left->Parent = pred;
        pred_parent->RightChild = node;
        node->Parent = pred_parent;
    }
    node->LeftChild = pred_left;
    node->RightChild = nullptr;
    if (pred_left) pred_left->Parent = node;
}

}  // namespace ntio::rtl
