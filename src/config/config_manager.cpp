// The key tree's operations: boot from the embedded default hive or a hive file, name resolution
// with symbolic-link keys, creation and deletion of keys, values, and the write-through to the hive
// store (store first, then the tree, so a failed commit changes nothing visible).
#include "config/config_manager.hpp"

#include "config/hive_store.hpp"
#include "config/key_information.hpp"
#include "config/key_object.hpp"
#include "config/reg_file.hpp"
#include "host/clock.hpp"
#include "ke/kernel.hpp"
#include "ob/object_manager.hpp"
#include "se/access_check.hpp"
#include "se/sid.hpp"
#include "se/token.hpp"
#include <ntio/system.hpp>

namespace ntio::config {
namespace {

constexpr int kMaxLinkHops = 32;  // as the object manager bounds reparses

// Hive roots as Windows secures HKLM: SYSTEM and Administrators have full control, users read.
constexpr std::string_view kMachineSecurity = "O:BAG:SYD:(A;CI;KA;;;SY)(A;CI;KA;;;BA)(A;CI;KR;;;BU)(A;CI;KR;;;RC)";

NTSTATUS split_components(std::u16string_view remaining, std::vector<std::u16string_view>& parts)
{
    parts.clear();
    if (remaining.empty()) return STATUS_SUCCESS;
    if (remaining[0] != u'\\') return STATUS_OBJECT_NAME_INVALID;
    remaining.remove_prefix(1);
    for (;;) {
        const std::size_t sep = remaining.find(u'\\');
        std::u16string_view part = remaining.substr(0, sep);
        if (part.empty() || part.size() > kMaxKeyNameChars) return STATUS_OBJECT_NAME_INVALID;
        parts.push_back(part);
        if (sep == std::u16string_view::npos) return STATUS_SUCCESS;
        remaining.remove_prefix(sep + 1);
    }
}

std::int64_t now() noexcept { return host::system_time(); }

}  // namespace

NTSTATUS ConfigManager::create(const std::string& hive_path, std::unique_ptr<ConfigManager>& out, std::string& message)
{
    std::unique_ptr<ConfigManager> manager(new ConfigManager());
    NTSTATUS status = manager->boot(hive_path, message);
    if (!NT_SUCCESS(status)) return status;
    out = std::move(manager);
    return STATUS_SUCCESS;
}

ConfigManager::~ConfigManager() = default;

NTSTATUS ConfigManager::boot(const std::string& hive_path, std::string& message)
{
    m_hive_path = hive_path;
    bool fresh = true;
    if (!hive_path.empty()) {
        bool created = false;
        NTSTATUS status = HiveStore::open(hive_path, m_store, created, message);
        if (!NT_SUCCESS(status)) return status;
        status = m_store->load(m_root, message);
        if (!NT_SUCCESS(status)) {
            m_store.reset();
            return status;
        }
        fresh = m_root == nullptr;
        if (!fresh && !names_equal(m_root->name, u"REGISTRY")) {
            message = "ntio: hive file '" + hive_path + "' is a damaged registry hive (its root is not REGISTRY); it was left unchanged";
            m_store.reset();
            return STATUS_REGISTRY_CORRUPT;
        }
        // Values keep their order across the tree: continue after the largest stored sequence.
        std::vector<KeyNode*> stack{m_root.get()};
        while (!stack.empty()) {
            KeyNode* node = stack.back();
            stack.pop_back();
            if (!node) continue;
            for (const KeyValue& value : node->values) m_next_sequence = std::max(m_next_sequence, value.sequence + 1);
            for (auto& [name, child] : node->children) stack.push_back(child.get());
        }
    }

    NTSTATUS status = STATUS_SUCCESS;
    if (fresh) {
        m_root = std::make_shared<KeyNode>();
        m_root->name = u"REGISTRY";
        m_root->last_write = now();
        m_root->security = se::SecurityDescriptor::from_sddl(kMachineSecurity);
        if (m_store) status = m_store->insert_key(*m_root, 0);
    }
    m_root->flags |= kKeyNoDelete;
    if (NT_SUCCESS(status)) {
        status = batch([&]() -> NTSTATUS {
            NodeRef machine, user;
            NTSTATUS s = create_path(u"\\REGISTRY\\MACHINE", 0, machine);
            if (NT_SUCCESS(s)) s = create_path(u"\\REGISTRY\\USER", 0, user);
            if (!NT_SUCCESS(s)) return s;
            machine->flags |= kKeyNoDelete;
            user->flags |= kKeyNoDelete;
            if (fresh) {
                s = import_reg(*this, default_hive_text(), message);
                if (!NT_SUCCESS(s)) return s;
            }
            WriteLock lock(*this);
            return make_user_key_locked();
        });
    }
    if (NT_SUCCESS(status)) {
        // NT builds CurrentControlSet at every boot: a volatile link to the set Select\Current names.
        ULONG current = 1;
        NodeRef select;
        if (NT_SUCCESS(open_path(u"\\REGISTRY\\MACHINE\\SYSTEM\\Select", select))) {
            std::shared_lock lock(m_lock);
            if (KeyValue* value = select->find_value(u"Current");
                value && value->type == REG_DWORD && value->data.size() == sizeof(ULONG))
                std::memcpy(&current, value->data.data(), sizeof(ULONG));
        }
        if (current == 0 || current > 999) current = 1;
        char16_t set[] = u"\\REGISTRY\\MACHINE\\SYSTEM\\ControlSet000";
        const std::size_t digits = std::char_traits<char16_t>::length(set) - 3;
        set[digits] = static_cast<char16_t>(u'0' + current / 100);
        set[digits + 1] = static_cast<char16_t>(u'0' + current / 10 % 10);
        set[digits + 2] = static_cast<char16_t>(u'0' + current % 10);
        WriteLock lock(*this);
        status = make_link_locked(u"\\REGISTRY\\MACHINE\\SYSTEM\\CurrentControlSet", set);
    }
    if (!NT_SUCCESS(status) && message.empty())
        message = "ntio: cannot build the registry" + (hive_path.empty() ? std::string() : " in hive file '" + hive_path + "'");
    return status;
}

// \REGISTRY\USER\<sid> of the interactive user that applications run as (HKEY_CURRENT_USER), owned
// and fully controlled by that user.
NTSTATUS ConfigManager::make_user_key_locked()
{
    const std::string sid = se::sid_to_string(se::Token::create_user(false)->user());
    KeyNode* users = m_root->find_child(u"USER");
    if (!users) return STATUS_OBJECT_NAME_NOT_FOUND;
    std::u16string name(sid.begin(), sid.end());
    if (users->find_child(name)) return STATUS_SUCCESS;
    const std::string sddl = "O:" + sid + "G:" + sid + "D:(A;CI;KA;;;SY)(A;CI;KA;;;BA)(A;CI;KA;;;" + sid + ")";
    se::SecurityDescriptor security;
    NTSTATUS status = se::SecurityDescriptor::from_sddl(sddl, security);
    if (!NT_SUCCESS(status)) return status;
    CreateKeyRequest request;
    request.security = &security;
    NodeRef created;
    return create_child_locked(*users, name, request, created);
}

NTSTATUS ConfigManager::make_link_locked(std::u16string_view link_path, std::u16string_view target)
{
    const std::size_t sep = link_path.rfind(u'\\');
    NodeRef parent, existing;
    std::u16string reparse;
    NTSTATUS status = resolve_locked(m_root, link_path.substr(9, sep - 9), nullptr, false, false, nullptr, parent,
                                     nullptr, &reparse);
    if (!NT_SUCCESS(status)) return status == STATUS_OBJECT_NAME_NOT_FOUND ? STATUS_SUCCESS : status;
    if (parent->find_child(link_path.substr(sep + 1))) return STATUS_SUCCESS;
    CreateKeyRequest request;
    request.options = REG_OPTION_VOLATILE | REG_OPTION_CREATE_LINK;
    NodeRef link;
    status = create_child_locked(*parent, link_path.substr(sep + 1), request, link);
    if (!NT_SUCCESS(status)) return status;
    KeyValue value;
    value.name = std::u16string(kSymbolicLinkValue);
    value.type = REG_LINK;
    value.data.resize(target.size() * sizeof(char16_t));
    std::memcpy(value.data.data(), target.data(), value.data.size());
    value.sequence = m_next_sequence++;
    link->values.push_back(std::move(value));
    return STATUS_SUCCESS;
}

NTSTATUS ConfigManager::start(ob::ObjectManager& objects)
{
    // The kernel goes before the configuration manager at shutdown, so the hook never outlives it.
    objects.system().kernel().add_thread_rundown_hook(thread_rundown_notify, this);
    return create_registry_object(*this, objects, m_root, &m_registry_object);
}

NTSTATUS ConfigManager::batch(const std::function<NTSTATUS()>& fn)
{
    {
        WriteLock lock(*this);
        if (m_store) {
            NTSTATUS status = m_store->begin();
            if (!NT_SUCCESS(status)) return status;
        }
    }
    NTSTATUS status = fn();
    // Whatever fn applied is in the tree: commit it even when fn failed later on.
    WriteLock lock(*this);
    if (m_store) {
        NTSTATUS commit = m_store->commit();
        if (NT_SUCCESS(status)) status = commit;
    }
    return status;
}

std::size_t ConfigManager::key_count() const
{
    std::shared_lock lock(m_lock);
    std::size_t count = 0;
    std::vector<const KeyNode*> stack{m_root.get()};
    while (!stack.empty()) {
        const KeyNode* node = stack.back();
        stack.pop_back();
        ++count;
        for (auto& [name, child] : node->children) stack.push_back(child.get());
    }
    return count;
}

// ---- Names --------------------------------------------------------------------------------------

NTSTATUS ConfigManager::resolve(const NodeRef& start, std::u16string_view remaining, const CreateKeyRequest* create,
                                bool open_link, const se::Token* token, NodeRef& out, ULONG* disposition,
                                std::u16string* reparse, TxContext* tx)
{
    if (create) {
        for (;;) {
            PKTRANSACTION blocked = nullptr;
            NTSTATUS status;
            {
                WriteLock lock(*this);
                status = resolve_locked(start, remaining, create, open_link, false, token, out, disposition, reparse,
                                        tx, &blocked);
            }
            if (status != STATUS_RETRY || !blocked) return status;
            // RegOpenKeyTransacted: "If a non-transacted operation is performed on the key before the
            // transaction is committed, the transaction is rolled back."
            roll_back(blocked);
        }
    }
    std::shared_lock lock(m_lock);
    return resolve_locked(start, remaining, nullptr, open_link, false, token, out, disposition, reparse, tx);
}

NTSTATUS ConfigManager::resolve_locked(const NodeRef& start, std::u16string_view remaining,
                                       const CreateKeyRequest* create, bool open_link, bool create_all,
                                       const se::Token* token, NodeRef& out, ULONG* disposition,
                                       std::u16string* reparse, TxContext* tx, PKTRANSACTION* blocked)
{
    if (start->deleted) return STATUS_KEY_DELETED;
    if (tx) {
        NTSTATUS usable = tx_usable_locked(*start, *tx);
        if (!NT_SUCCESS(usable)) return usable;
    }
    std::vector<std::u16string_view> parts;
    NTSTATUS status = split_components(remaining, parts);
    if (!NT_SUCCESS(status)) return status;

    // A link met with components left after it (or at the end, unless the link itself is opened)
    // sends the lookup to its target with the rest of the name.
    auto follow_link = [&](const KeyNode& link, std::size_t next) -> NTSTATUS {
        const KeyValue* target = const_cast<KeyNode&>(link).find_value(kSymbolicLinkValue);
        if (!target || target->type != REG_LINK || target->data.size() < 2 || (target->data.size() & 1))
            return STATUS_OBJECT_NAME_NOT_FOUND;
        std::u16string name(target->data.size() / 2, u'\0');
        std::memcpy(name.data(), target->data.data(), target->data.size());
        if (name[0] != u'\\') return STATUS_OBJECT_NAME_NOT_FOUND;
        for (std::size_t i = next; i < parts.size(); ++i) {
            name.push_back(u'\\');
            name.append(parts[i]);
        }
        if (!reparse) return STATUS_OBJECT_NAME_NOT_FOUND;
        *reparse = std::move(name);
        return STATUS_REPARSE;
    };

    NodeRef current = start;
    bool created = false;
    for (std::size_t i = 0; i < parts.size(); ++i) {
        if (current->is_link()) return follow_link(*current, i);
        if (KeyNode* found = child_locked(*current, parts[i], tx)) {
            // A link is always a new key: REG_OPTION_CREATE_LINK over an existing key (link or
            // not) is STATUS_OBJECT_NAME_COLLISION, as Windows answers NtCreateKey.
            if (create && (create->options & REG_OPTION_CREATE_LINK) && i + 1 == parts.size())
                return STATUS_OBJECT_NAME_COLLISION;
            current = found->shared_from_this();
            continue;
        }
        const bool last = i + 1 == parts.size();
        if (!create || (!last && !create_all)) return STATUS_OBJECT_NAME_NOT_FOUND;
        if (token && current->security.get()) {
            // Creating a subkey needs KEY_CREATE_SUB_KEY on the parent.
            // https://learn.microsoft.com/windows/win32/sysinfo/registry-key-security-and-access-rights
            ACCESS_MASK granted = 0;
            status = se::access_check(current->security.get(), *token, KEY_CREATE_SUB_KEY, kKeyGenericMapping, &granted);
            if (!NT_SUCCESS(status)) return status;
        }
        CreateKeyRequest request = *create;
        if (!last) request.options &= ~ULONG{REG_OPTION_CREATE_LINK};
        NodeRef child;
        if (!tx) {
            if (TxContext* holder = name_holder_locked(*current, upcase(parts[i]))) {
                if (!blocked) return STATUS_TRANSACTIONAL_CONFLICT;
                *blocked = holder->transaction;
                ObReferenceObject(*blocked);
                return STATUS_RETRY;
            }
        }
        status = tx ? tx_create_child_locked(*current, parts[i], request, *tx, child)
                    : create_child_locked(*current, parts[i], request, child);
        if (!NT_SUCCESS(status)) return status;
        current = std::move(child);
        created = true;
    }
    if (current->is_link() && !open_link && !parts.empty()) return follow_link(*current, parts.size());
    if (disposition) *disposition = created ? REG_CREATED_NEW_KEY : REG_OPENED_EXISTING_KEY;
    out = std::move(current);
    return STATUS_SUCCESS;
}

NTSTATUS ConfigManager::path_operation(std::u16string_view path, const CreateKeyRequest* create, bool create_all,
                                       NodeRef& out, ULONG* disposition)
{
    std::u16string name(path);
    for (int hop = 0; hop <= kMaxLinkHops; ++hop) {
        constexpr std::u16string_view kRoot = u"\\REGISTRY";
        if (name.size() < kRoot.size() || !names_equal(std::u16string_view(name).substr(0, kRoot.size()), kRoot) ||
            (name.size() > kRoot.size() && name[kRoot.size()] != u'\\'))
            return STATUS_OBJECT_PATH_SYNTAX_BAD;
        std::u16string reparse;
        NTSTATUS status;
        if (create) {
            PKTRANSACTION blocked = nullptr;
            {
                WriteLock lock(*this);
                status = resolve_locked(m_root, std::u16string_view(name).substr(kRoot.size()), create, false,
                                        create_all, nullptr, out, disposition, &reparse, nullptr, &blocked);
            }
            if (status == STATUS_RETRY && blocked) {
                roll_back(blocked);  // a transaction held the name: it is rolled back
                --hop;
                continue;
            }
        } else {
            std::shared_lock lock(m_lock);
            status = resolve_locked(m_root, std::u16string_view(name).substr(kRoot.size()), nullptr, false, false,
                                    nullptr, out, disposition, &reparse);
        }
        if (status != STATUS_REPARSE) return status;
        name = std::move(reparse);
    }
    return STATUS_OBJECT_NAME_NOT_FOUND;
}

NTSTATUS ConfigManager::open_path(std::u16string_view path, NodeRef& out)
{
    return path_operation(path, nullptr, false, out, nullptr);
}

NTSTATUS ConfigManager::create_path(std::u16string_view path, ULONG options, NodeRef& out, ULONG* disposition)
{
    CreateKeyRequest request;
    request.options = options;
    return path_operation(path, &request, true, out, disposition);
}

NTSTATUS ConfigManager::full_path(const KeyNode& node, std::u16string& out) const
{
    std::shared_lock lock(m_lock);
    return full_path_locked(node, out);
}

NTSTATUS ConfigManager::full_path_locked(const KeyNode& node, std::u16string& out) const
{
    if (node.deleted) return STATUS_KEY_DELETED;
    std::vector<const KeyNode*> chain;
    for (const KeyNode* cur = &node; cur; cur = cur->parent) chain.push_back(cur);
    out.clear();
    for (auto it = chain.rbegin(); it != chain.rend(); ++it) {
        out.push_back(u'\\');
        out.append((*it)->name);
    }
    return STATUS_SUCCESS;
}

// ---- Keys ---------------------------------------------------------------------------------------

NTSTATUS ConfigManager::create_child_locked(KeyNode& parent, std::u16string_view name, const CreateKeyRequest& request,
                                            NodeRef& out)
{
    if (parent.deleted) return STATUS_KEY_DELETED;
    const bool is_volatile = (request.options & REG_OPTION_VOLATILE) != 0;
    const ULONG loaded = parent.flags & kKeyLoaded;
    // NT: a stable key cannot live under a volatile one.
    if (parent.is_volatile() && !is_volatile) return STATUS_CHILD_MUST_BE_VOLATILE;
    auto node = std::make_shared<KeyNode>();
    node->name = std::u16string(name);
    node->class_name = request.class_name;
    node->last_write = now();
    node->flags = (is_volatile ? ULONG{kKeyVolatile} : 0) |
                  ((request.options & REG_OPTION_CREATE_LINK) ? ULONG{kKeyLink} : 0) | loaded;
    // NT deviation: a key created without a descriptor gets a copy of its parent's (NT builds one
    // from the parent's inheritable ACEs with the creator as owner; ours are all inheritable).
    node->security = request.security ? *request.security : parent.security;
    if (m_store && !is_volatile && !loaded) {
        NTSTATUS status = m_store->begin();
        if (NT_SUCCESS(status)) status = m_store->insert_key(*node, parent.id);
        if (NT_SUCCESS(status)) status = m_store->touch_key(parent.id, node->last_write);
        if (!NT_SUCCESS(status)) {
            m_store->rollback();
            return status;
        }
        status = m_store->commit();
        if (!NT_SUCCESS(status)) return status;
    }
    node->parent = &parent;
    parent.children.emplace(upcase(name), node);
    parent.last_write = node->last_write;
    report_locked(parent, REG_NOTIFY_CHANGE_NAME);
    out = std::move(node);
    return STATUS_SUCCESS;
}

void ConfigManager::unlink_locked(KeyNode& node)
{
    if (m_notify_armed.load(std::memory_order_relaxed) != 0) [[unlikely]] {
        report_deleted_locked(node);
        if (node.parent) report_armed_locked(*node.parent, REG_NOTIFY_CHANGE_NAME);
    }
    if (node.parent) {
        node.parent->last_write = now();
        NodeRef keep = node.parent->children[upcase(node.name)];
        node.parent->children.erase(upcase(node.name));
    }
    node.parent = nullptr;
    node.deleted = true;
    node.values.clear();
}

bool ConfigManager::keys_open_below(const KeyNode& top) const
{
    std::shared_lock lock(m_lock);
    std::vector<const KeyNode*> pending{&top};
    while (!pending.empty()) {
        const KeyNode* node = pending.back();
        pending.pop_back();
        for (const auto& [name, child] : node->children) {
            if (child.use_count() > 1) return true;
            pending.push_back(child.get());
        }
    }
    return false;
}

NTSTATUS ConfigManager::delete_key(KeyNode& node, TxContext* tx)
{
    if (tx) return tx_delete_key(node, *tx);
    return untransacted(node, true, [&]() -> NTSTATUS {
        if (node.deleted) return STATUS_KEY_DELETED;
        if ((node.flags & kKeyNoDelete) || !node.children.empty()) return STATUS_CANNOT_DELETE;
        return delete_tree_locked(node);
    });
}

NTSTATUS ConfigManager::delete_tree(KeyNode& node)
{
    // NT deviation: only the transactions holding the key itself are rolled back, not those holding
    // keys deeper in the deleted subtree.
    return untransacted(node, true, [&]() -> NTSTATUS {
        if (node.deleted) return STATUS_KEY_DELETED;
        if (node.flags & kKeyNoDelete) return STATUS_CANNOT_DELETE;
        NTSTATUS status = m_store ? m_store->begin() : STATUS_SUCCESS;
        if (!NT_SUCCESS(status)) return status;
        status = delete_tree_locked(node);
        if (m_store) {
            NTSTATUS commit = m_store->commit();
            if (NT_SUCCESS(status)) status = commit;
        }
        return status;
    });
}

NTSTATUS ConfigManager::delete_tree_locked(KeyNode& node)
{
    while (!node.children.empty()) {
        NodeRef child = node.children.begin()->second;
        NTSTATUS status = delete_tree_locked(*child);
        if (!NT_SUCCESS(status)) return status;
    }
    if (m_store && node.id != 0) {
        NTSTATUS status = m_store->begin();
        if (NT_SUCCESS(status)) status = m_store->delete_key(node.id);
        if (NT_SUCCESS(status) && node.parent && node.parent->id != 0) status = m_store->touch_key(node.parent->id, now());
        if (!NT_SUCCESS(status)) {
            m_store->rollback();
            return status;
        }
        status = m_store->commit();
        if (!NT_SUCCESS(status)) return status;
    }
    unlink_locked(node);
    return STATUS_SUCCESS;
}

// The hives of Windows are mounted right below MACHINE and USER (SOFTWARE, SYSTEM, a user's key);
// \REGISTRY, MACHINE and USER themselves belong to the master hive. ntio keeps one store but
// answers as if each of those keys were its own hive.
bool ConfigManager::is_hive_root_locked(const KeyNode& node) const noexcept
{
    if (!node.parent || (node.flags & kKeyNoDelete)) return true;
    return (node.parent->flags & kKeyNoDelete) && node.parent->parent;
}

const KeyNode* ConfigManager::hive_of(const KeyNode& node) const
{
    std::shared_lock lock(m_lock);
    if (node.deleted) return nullptr;
    for (const KeyNode* cur = &node; cur; cur = cur->parent)
        if (cur->parent && cur->parent->parent && (cur->parent->flags & kKeyNoDelete)) return cur;
    return m_root.get();
}

NTSTATUS ConfigManager::rename_key(KeyNode& node, std::u16string_view new_name, const se::Token* token)
{
    // NT deviation: Learn does not say how a NewName that is not one name component is refused
    // (empty, longer than 255 characters, holding a backslash); ntio answers
    // STATUS_INVALID_PARAMETER. REG_RENAME_KEY_INFORMATION: "only the last component of the path can
    // be changed".
    if (new_name.empty() || new_name.size() > kMaxKeyNameChars || new_name.find(u'\\') != std::u16string_view::npos)
        return STATUS_INVALID_PARAMETER;
    return untransacted(node, true, [&] { return rename_key_locked(node, new_name, token); });
}

NTSTATUS ConfigManager::rename_key_locked(KeyNode& node, std::u16string_view new_name, const se::Token* token)
{
    if (node.deleted) return STATUS_KEY_DELETED;
    // The root of a hive cannot be renamed (its name is where the hive is mounted).
    if (is_hive_root_locked(node)) return STATUS_ACCESS_DENIED;
    KeyNode& parent = *node.parent;
    // NtRenameKey (winternl.h): "The caller must have KEY_CREATE_SUB_KEY access to the parent of the
    // specified key and DELETE access to the entire subtree being renamed."
    // https://learn.microsoft.com/windows/win32/api/winternl/nf-winternl-ntrenamekey
    if (token) {
        ACCESS_MASK granted = 0;
        if (parent.security.get()) {
            NTSTATUS status = se::access_check(parent.security.get(), *token, KEY_CREATE_SUB_KEY, kKeyGenericMapping, &granted);
            if (!NT_SUCCESS(status)) return status;
        }
        std::vector<const KeyNode*> stack{&node};
        while (!stack.empty()) {
            const KeyNode* cur = stack.back();
            stack.pop_back();
            if (cur->security.get()) {
                NTSTATUS status = se::access_check(cur->security.get(), *token, DELETE, kKeyGenericMapping, &granted);
                if (!NT_SUCCESS(status)) return status;
            }
            for (auto& [key, child] : cur->children) stack.push_back(child.get());
        }
    }
    const std::u16string old_key = upcase(node.name);
    const std::u16string new_key = upcase(new_name);
    // A sibling of that name: Windows refuses with STATUS_CANNOT_DELETE (RegRenameKey's
    // ERROR_ACCESS_DENIED). The key's own name in another case is a rename to that spelling.
    if (new_key != old_key && parent.children.count(new_key)) return STATUS_CANNOT_DELETE;
    const std::int64_t time = now();
    if (m_store && node.id != 0) {
        NTSTATUS status = m_store->begin();
        if (NT_SUCCESS(status)) status = m_store->rename_key(node.id, new_name);
        if (NT_SUCCESS(status) && parent.id != 0) status = m_store->touch_key(parent.id, time);
        if (!NT_SUCCESS(status)) {
            m_store->rollback();
            return status;
        }
        status = m_store->commit();
        if (!NT_SUCCESS(status)) return status;
    }
    NodeRef keep = parent.children[old_key];
    parent.children.erase(old_key);
    node.name = std::u16string(new_name);
    parent.children.emplace(new_key, std::move(keep));
    parent.last_write = time;
    // A rename changes the parent's list of subkey names.
    report_locked(parent, REG_NOTIFY_CHANGE_NAME);
    return STATUS_SUCCESS;
}

NTSTATUS ConfigManager::set_last_write(KeyNode& node, std::int64_t time)
{
    return untransacted(node, false, [&] { return set_last_write_locked(node, time); });
}

NTSTATUS ConfigManager::set_last_write_locked(KeyNode& node, std::int64_t time)
{
    if (node.deleted) return STATUS_KEY_DELETED;
    if (m_store && node.id != 0) {
        NTSTATUS status = m_store->touch_key(node.id, time);
        if (!NT_SUCCESS(status)) return status;
    }
    node.last_write = time;
    // NT deviation: Learn does not say whether setting the write time is reported to
    // NtNotifyChangeKey; ntio reports it as REG_NOTIFY_CHANGE_LAST_SET, the filter named after it.
    report_locked(node, REG_NOTIFY_CHANGE_LAST_SET);
    return STATUS_SUCCESS;
}

NTSTATUS ConfigManager::flush()
{
    WriteLock lock(*this);
    return m_store ? m_store->flush() : STATUS_SUCCESS;
}

// ---- Values -------------------------------------------------------------------------------------

NTSTATUS ConfigManager::set_value(KeyNode& node, std::u16string_view name, ULONG type, const void* data, ULONG size,
                                  TxContext* tx)
{
    if (name.size() > kMaxValueNameChars) return STATUS_INVALID_PARAMETER;
    if (tx) {
        KeyValue value;
        value.name = std::u16string(name);
        value.type = type;
        if (size) value.data.assign(static_cast<const unsigned char*>(data), static_cast<const unsigned char*>(data) + size);
        return tx_set_value(node, std::move(value), *tx);
    }
    return untransacted(node, false, [&] { return set_value_locked(node, name, type, data, size); });
}

NTSTATUS ConfigManager::set_value_locked(KeyNode& node, std::u16string_view name, ULONG type, const void* data,
                                         ULONG size)
{
    if (node.deleted) return STATUS_KEY_DELETED;
    KeyValue* existing = node.find_value(name);
    // ZwNotifyChangeKey (REG_NOTIFY_CHANGE_LAST_SET): "The caller receives no notification if the new
    // value written to the key matches the previous value of the key."
    // https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-zwnotifychangekey
    const bool same = existing && existing->type == type && existing->data.size() == size &&
                      (size == 0 || std::memcmp(existing->data.data(), data, size) == 0);
    KeyValue value;
    value.name = existing ? existing->name : std::u16string(name);
    value.type = type;
    if (size) value.data.assign(static_cast<const unsigned char*>(data), static_cast<const unsigned char*>(data) + size);
    value.sequence = existing ? existing->sequence : m_next_sequence;
    const std::int64_t time = now();
    if (m_store && node.id != 0) {
        NTSTATUS status = m_store->set_value(node.id, value, time);
        if (!NT_SUCCESS(status)) return status;
    }
    if (!existing) ++m_next_sequence;
    if (existing)
        *existing = std::move(value);
    else
        node.values.push_back(std::move(value));
    node.last_write = time;
    if (!same) report_locked(node, REG_NOTIFY_CHANGE_LAST_SET);
    return STATUS_SUCCESS;
}

NTSTATUS ConfigManager::delete_value(KeyNode& node, std::u16string_view name, TxContext* tx)
{
    if (tx) return tx_delete_value(node, name, *tx);
    return untransacted(node, false, [&] { return delete_value_locked(node, name); });
}

NTSTATUS ConfigManager::delete_value_locked(KeyNode& node, std::u16string_view name)
{
    if (node.deleted) return STATUS_KEY_DELETED;
    auto it = std::find_if(node.values.begin(), node.values.end(),
                           [&](const KeyValue& v) { return names_equal(v.name, name); });
    if (it == node.values.end()) return STATUS_OBJECT_NAME_NOT_FOUND;
    const std::int64_t time = now();
    if (m_store && node.id != 0) {
        NTSTATUS status = m_store->delete_value(node.id, name, time);
        if (!NT_SUCCESS(status)) return status;
    }
    node.values.erase(it);
    node.last_write = time;
    report_locked(node, REG_NOTIFY_CHANGE_LAST_SET);
    return STATUS_SUCCESS;
}

// ---- Information --------------------------------------------------------------------------------

// A transaction's reads go through a copy of the key as it sees it (view_locked); everyone else
// reads the tree.
#define NTIO_TX_VIEW(node, tx)                                                     \
    std::optional<KeyNode> tx_view;                                                \
    if (tx) {                                                                      \
        NTSTATUS usable = tx_usable_locked(node, *tx);                             \
        if (!NT_SUCCESS(usable)) return usable;                                    \
        tx_view.emplace(view_locked(node, tx));                                    \
    }                                                                              \
    KeyNode& view = tx_view ? *tx_view : node;

NTSTATUS ConfigManager::query_key(KeyNode& node, KEY_INFORMATION_CLASS info_class, ULONG length,
                                  std::vector<unsigned char>& out, ULONG& result_length, TxContext* tx)
{
    std::shared_lock lock(m_lock);
    if (node.deleted) return STATUS_KEY_DELETED;
    NTIO_TX_VIEW(node, tx)
    std::u16string path;
    if (info_class == KeyNameInformation) (void)full_path_locked(node, path);
    return build_key_information(view, path, info_class, length, out, result_length);
}

NTSTATUS ConfigManager::enumerate_key(KeyNode& node, ULONG index, KEY_INFORMATION_CLASS info_class, ULONG length,
                                      std::vector<unsigned char>& out, ULONG& result_length, TxContext* tx)
{
    std::shared_lock lock(m_lock);
    if (node.deleted) return STATUS_KEY_DELETED;
    NTIO_TX_VIEW(node, tx)
    // https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-zwenumeratekey: Basic, Full
    // and Node only; "if any value not in this list is specified, the routine returns
    // STATUS_INVALID_PARAMETER" (NtQueryKey takes the other classes).
    if (info_class != KeyBasicInformation && info_class != KeyFullInformation && info_class != KeyNodeInformation)
        return STATUS_INVALID_PARAMETER;
    if (index >= view.children.size()) return STATUS_NO_MORE_ENTRIES;
    auto it = view.children.begin();
    std::advance(it, index);
    std::u16string path;
    if (info_class == KeyNameInformation) (void)full_path_locked(*it->second, path);
    if (tx) return build_key_information(view_locked(*it->second, tx), path, info_class, length, out, result_length);
    return build_key_information(*it->second, path, info_class, length, out, result_length);
}

NTSTATUS ConfigManager::query_value(KeyNode& node, std::u16string_view name, KEY_VALUE_INFORMATION_CLASS info_class,
                                    ULONG length, std::vector<unsigned char>& out, ULONG& result_length,
                                    TxContext* tx)
{
    std::shared_lock lock(m_lock);
    if (node.deleted) return STATUS_KEY_DELETED;
    NTIO_TX_VIEW(node, tx)
    if (!value_information_class_valid(info_class)) return STATUS_INVALID_PARAMETER;
    const KeyValue* value = view.find_value(name);
    if (!value) return STATUS_OBJECT_NAME_NOT_FOUND;
    return build_value_information(*value, info_class, length, out, result_length);
}

NTSTATUS ConfigManager::query_values(KeyNode& node, const std::vector<std::u16string>& names,
                                     std::vector<KeyValue>& out, TxContext* tx)
{
    std::shared_lock lock(m_lock);
    if (node.deleted) return STATUS_KEY_DELETED;
    NTIO_TX_VIEW(node, tx)
    out.clear();
    out.reserve(names.size());
    for (const std::u16string& name : names) {
        const KeyValue* value = view.find_value(name);
        if (!value) return STATUS_OBJECT_NAME_NOT_FOUND;
        out.push_back(*value);
    }
    return STATUS_SUCCESS;
}

NTSTATUS ConfigManager::enumerate_value(KeyNode& node, ULONG index, KEY_VALUE_INFORMATION_CLASS info_class,
                                        ULONG length, std::vector<unsigned char>& out, ULONG& result_length,
                                        TxContext* tx)
{
    std::shared_lock lock(m_lock);
    if (node.deleted) return STATUS_KEY_DELETED;
    NTIO_TX_VIEW(node, tx)
    if (!value_information_class_valid(info_class)) return STATUS_INVALID_PARAMETER;
    if (index >= view.values.size()) return STATUS_NO_MORE_ENTRIES;
    return build_value_information(view.values[index], info_class, length, out, result_length);
}

#undef NTIO_TX_VIEW

}  // namespace ntio::config
