// The in-memory key tree of the configuration manager: one KeyNode per key (NT's key control block
// and key cell in one), with its values, subkeys, class, security and persistence identity. Nodes
// are shared by the Key objects opened on them; the ConfigManager's lock guards every field.
#pragma once

#include "ob/ddk.hpp"

#include <map>

#include "se/security_descriptor.hpp"

namespace ntio::config {

struct KeyValue {
    std::u16string name;          // as set; "" is the key's default value
    ULONG type = REG_NONE;
    std::vector<unsigned char> data;
    std::int64_t sequence = 0;    // position among the key's values (persisted order)
};

struct KeyNode;
using NodeRef = std::shared_ptr<KeyNode>;
struct TxContext;

enum KeyNodeFlag : ULONG {
    kKeyVolatile = 0x1,   // REG_OPTION_VOLATILE: never persisted
    kKeyLink = 0x2,       // REG_OPTION_CREATE_LINK: SymbolicLinkValue names the target
    kKeyNoDelete = 0x4,   // \REGISTRY, MACHINE, USER: NtDeleteKey -> STATUS_CANNOT_DELETE
    kKeyLoaded = 0x8,     // in a hive NtLoadKey loaded: kept in its file, never in the system store
};

struct KeyNode : std::enable_shared_from_this<KeyNode> {
    std::u16string name;                    // last path component as created ("REGISTRY" for the root)
    KeyNode* parent = nullptr;              // null for the root and once deleted
    std::map<std::u16string, NodeRef> children;  // by upcased name: enumeration order
    std::vector<KeyValue> values;           // in sequence order
    std::u16string class_name;
    std::int64_t last_write = 0;            // 100 ns since 1601
    ULONG flags = 0;
    bool deleted = false;
    std::int64_t id = 0;                    // hive store row; 0 when not persisted
    se::SecurityDescriptor security;
    // The transaction whose uncommitted changes hold this key (its values, or the key itself when it
    // deletes it); null when none does.
    TxContext* tx_owner = nullptr;
    // Subkey names (upcased) a transaction holds because it creates or deletes that subkey.
    std::map<std::u16string, TxContext*> tx_names;
    // Created in a transaction that has not committed: in no parent's `children` yet.
    bool tx_created = false;

    bool is_volatile() const noexcept { return (flags & kKeyVolatile) != 0; }
    bool is_link() const noexcept { return (flags & kKeyLink) != 0; }
    KeyValue* find_value(std::u16string_view value_name) noexcept;
    KeyNode* find_child(std::u16string_view child_name) const noexcept;
};

// Registry names compare without case (RtlUpcaseUnicodeChar).
std::u16string upcase(std::u16string_view name);
bool names_equal(std::u16string_view a, std::u16string_view b) noexcept;

// The Key object type's GENERIC_MAPPING (Windows' KEY_READ/KEY_WRITE/KEY_EXECUTE/KEY_ALL_ACCESS).
inline constexpr GENERIC_MAPPING kKeyGenericMapping{KEY_READ, KEY_WRITE, KEY_EXECUTE, KEY_ALL_ACCESS};
// The value holding a link key's target (REG_LINK, an absolute \REGISTRY path without NUL).
inline constexpr std::u16string_view kSymbolicLinkValue = u"SymbolicLinkValue";
// Longest key name component and value name, in characters (NT's limits).
inline constexpr std::size_t kMaxKeyNameChars = 255;
inline constexpr std::size_t kMaxValueNameChars = 16383;

}  // namespace ntio::config
