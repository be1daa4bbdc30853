// What one KTM transaction changed in the key tree through the key handles bound to it: an ordered
// log of its changes (replayed at commit, first into one store transaction, then into the tree) and,
// per key it touched, the overlay its own handles read through. Everything here is guarded by the
// ConfigManager's tree lock; a key a transaction changed is locked by it (KeyNode::tx_owner) until
// the outcome.
#pragma once

#include <map>
#include <optional>

#include "config/key_node.hpp"

namespace ntio::config {

struct TxOp {
    enum class Kind { SetValue, DeleteValue, CreateKey, DeleteKey };
    Kind kind;
    NodeRef node;     // the key set or deleted in, or the key created or deleted
    KeyValue value;   // SetValue: the value; DeleteValue: value.name names it
    std::int64_t time = 0;
};

// A key as the transaction sees it.
struct TxKeyView {
    std::map<std::u16string, std::optional<KeyValue>> values;  // by upcased name; nullopt: deleted
    std::map<std::u16string, NodeRef> created;                 // subkeys created, by upcased name
    bool deleted = false;
    std::int64_t last_write = 0;
};

struct TxContext {
    PKTRANSACTION transaction = nullptr;  // referenced while the context is listed
    PKENLISTMENT enlistment = nullptr;    // the registry's enlistment, referenced until the outcome
    bool finished = false;                // committed or rolled back: handles bound to it are done
    std::vector<TxOp> ops;
    std::map<const KeyNode*, TxKeyView> keys;
    std::vector<NodeRef> locked;          // every key whose tx_owner is this context
    std::vector<std::pair<NodeRef, std::u16string>> locked_names;  // (parent, upcased name) it holds
};
using TxRef = std::shared_ptr<TxContext>;

}  // namespace ntio::config
