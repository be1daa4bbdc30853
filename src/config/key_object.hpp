// The Key object type: one Key object per open (NtCreateKey/NtOpenKey), naming a node of the key
// tree. \REGISTRY is a permanent Key object in the root directory whose parse procedure walks the
// tree, so absolute names and names relative to a key handle both resolve through ob.
#pragma once

#include "config/key_node.hpp"
#include "config/key_notify.hpp"
#include "config/key_transaction.hpp"

#include "ob/object_type.hpp"

namespace ntio::ob { class ObjectManager; }

namespace ntio::config {

class ConfigManager;

extern _OBJECT_TYPE g_key_type;

struct KeyBody {
    ConfigManager* manager = nullptr;
    NodeRef node;
    // The full name CmCallbackGetKeyObjectID hands out, made on its first call and kept while the
    // object lives.
    std::mutex callback_name_lock;
    std::u16string callback_name;
    UNICODE_STRING callback_name_string{};
    // NtNotifyChangeKey's block (made by the first request) and whether the last handle closed;
    // both under the manager's notify lock.
    std::unique_ptr<NotifyBlock> notify;
    bool notify_closed = false;
    // The transaction the handle was opened in (NtCreateKeyTransacted / NtOpenKeyTransacted(Ex)):
    // every operation through it runs there. `transaction` is referenced.
    TxRef tx;
    PKTRANSACTION transaction = nullptr;
};

// What NtCreateKey / NtOpenKeyEx hand the parse procedure (ObOpenObjectByName's ParseContext). The
// parse procedure trusts it only for lookups of the Key type and with the right tag.
struct KeyParseContext {
    static constexpr ULONG kTag = 0x4B657950;  // 'KeyP'
    ULONG tag = kTag;
    bool create = false;
    ULONG options = 0;                            // REG_OPTION_* (create) or open options
    std::u16string class_name;
    const se::SecurityDescriptor* security = nullptr;
    ULONG disposition = 0;                        // out: REG_CREATED_NEW_KEY / REG_OPENED_EXISTING_KEY
    TxRef tx;                                     // the transacted services' context, else null
    PKTRANSACTION transaction = nullptr;          // its transaction (the caller holds a reference)
};

void register_key_type();
// CmCallbackGetKeyObjectID's name of the key: owned by the Key object. STATUS_KEY_DELETED when the
// key was deleted before any such call.
NTSTATUS callback_name(KeyBody& key, PCUNICODE_STRING* name);
// Enters \REGISTRY (a Key object for `root`) in the namespace; *object receives nothing the
// caller must release (the name keeps it alive until the namespace is torn down).
NTSTATUS create_registry_object(ConfigManager& config, ob::ObjectManager& objects, const NodeRef& root, void** object);

}  // namespace ntio::config
