// The Key object type's procedures: parse (walks the key tree from \REGISTRY or from the key a
// RootDirectory handle names, creating the last component for NtCreateKey and reparsing through
// link keys), delete, query name (\REGISTRY\...) and the namespace dump line.
#include "config/key_object.hpp"

#include "config/config_manager.hpp"
#include "ob/object_manager.hpp"
#include "ob/process.hpp"
#include "se/token.hpp"

namespace ntio::config {
namespace {

void delete_key_object(void* object)
{
    auto* key = static_cast<KeyBody*>(object);
    if (key->manager) key->manager->close_notify(*key);  // a request armed after the last close
    if (key->transaction) ObDereferenceObject(key->transaction);
    key->~KeyBody();
}

// A new Key object for `node`, carrying the key's descriptor so ob's access check at handle creation
// judges the caller against the key.
NTSTATUS new_key_object(ConfigManager& config, ob::ObjectManager& objects, NodeRef node, const KeyParseContext* context,
                        void** found)
{
    void* body = nullptr;
    NTSTATUS status = objects.create_object(KernelMode, &g_key_type, nullptr, sizeof(KeyBody), &body);
    if (!NT_SUCCESS(status)) return status;
    auto* key = new (body) KeyBody();
    key->manager = &config;
    config.read_locked([&] { ob::header_of(body)->security = node->security; });
    key->node = std::move(node);
    if (context && context->tx) {
        key->tx = context->tx;
        key->transaction = context->transaction;
        ObReferenceObject(key->transaction);
    }
    *found = body;
    return STATUS_SUCCESS;
}

// The key tree walk of a parse: resolves the name below the start key and makes the Key object.
NTSTATUS parse_in_tree(KeyBody& start, ob::ParseRequest& request, KeyParseContext* context, void** found)
{
    ConfigManager& config = *start.manager;
    CreateKeyRequest create;
    if (context && context->create) {
        create.options = context->options;
        create.class_name = context->class_name;
        create.security = context->security;
    }
    // Creating a link (REG_OPTION_CREATE_LINK) opens the link itself, as REG_OPTION_OPEN_LINK does.
    const bool open_link = (request.attributes & OBJ_OPENLINK) ||
                           (context && (context->options & (REG_OPTION_OPEN_LINK | REG_OPTION_CREATE_LINK)));
    std::shared_ptr<se::Token> token;
    if (request.access_mode != KernelMode && request.process) token = request.process->m_token;
    NodeRef node;
    std::u16string reparse;
    ULONG disposition = 0;
    NTSTATUS status = config.resolve(start.node, request.remaining_name, context && context->create ? &create : nullptr,
                                     open_link, token.get(), node, &disposition, &reparse,
                                     context ? context->tx.get() : nullptr);
    if (status == STATUS_REPARSE) {
        request.complete_name = std::move(reparse);
        return STATUS_REPARSE;
    }
    if (!NT_SUCCESS(status)) return status;
    if (context) context->disposition = disposition;
    return new_key_object(config, ob::manager_of(&start), std::move(node), context, found);
}

UNICODE_STRING counted(std::u16string_view text) noexcept
{
    UNICODE_STRING string;
    string.Buffer = const_cast<PWCH>(reinterpret_cast<const WCHAR*>(text.data()));
    string.Length = string.MaximumLength = static_cast<USHORT>(text.size() * sizeof(WCHAR));
    return string;
}

// The parse between RegNtPreCreateKeyEx / RegNtPreOpenKeyEx and their post-notifications. A routine
// that takes the operation over (STATUS_CALLBACK_BYPASS) supplies the Key object in *ResultObject
// (with a reference the handle takes over) and the disposition.
// NT deviation: always the V1 structure, with no RootObjectContext, and sent again for
// the name a link key reparses to; a bypassing routine's GrantedAccess is not used (ob's access check
// on the object it returned decides the handle's access).
NTSTATUS parse_with_callbacks(KeyBody& start, ob::ParseRequest& request, KeyParseContext* context, void** found)
{
    const bool create = context && context->create;
    // An absolute name is reported whole, with \REGISTRY as the root object; a name relative to a
    // key handle as what is left below that key.
    std::u16string_view remaining = request.remaining_name;
    if (!remaining.empty() && remaining.front() == u'\\') remaining.remove_prefix(1);
    const bool absolute = start.node == start.manager->root();
    UNICODE_STRING complete_name = counted(absolute ? std::u16string_view(request.complete_name) : remaining);
    UNICODE_STRING remaining_name = counted(remaining);
    UNICODE_STRING class_name = counted(context ? std::u16string_view(context->class_name) : std::u16string_view());

    ULONG disposition = 0;
    void* result = nullptr;
    REG_CREATE_KEY_INFORMATION_V1 info{};
    info.CompleteName = &complete_name;
    info.RootObject = &start;
    info.ObjectType = &g_key_type;
    info.Options = context ? context->options : 0;
    info.Class = create && !context->class_name.empty() ? &class_name : nullptr;
    info.SecurityDescriptor = create && context->security ? context->security->get() : nullptr;
    info.DesiredAccess = request.desired_access;
    info.Disposition = &disposition;
    info.ResultObject = &result;
    info.Version = 1;
    info.RemainingName = &remaining_name;
    info.Attributes = request.attributes;
    info.CheckAccessMode = request.access_mode;
    info.Transaction = context ? context->transaction : nullptr;
    bool bypassed = false;
    NTSTATUS status = start.manager->callbacks().around(
        create ? RegNtPreCreateKeyEx : RegNtPreOpenKeyEx, info, &result,
        [&] {
            NTSTATUS parsed = parse_in_tree(start, request, context, &result);
            if (context) disposition = context->disposition;
            return parsed;
        },
        &bypassed);
    if (status == STATUS_REPARSE || !NT_SUCCESS(status)) {
        if (result && status != STATUS_REPARSE) ObDereferenceObject(result);  // made, then failed by a post routine
        return status;
    }
    // NT deviation: success without a Key object (a routine that bypassed, or turned a failure into
    // success, without supplying one in *ResultObject as Learn requires) fails the open.
    if (!result || ob::header_of(result)->type != &g_key_type) {
        if (result) ObDereferenceObject(result);
        return STATUS_INVALID_PARAMETER;
    }
    if (bypassed && context) context->disposition = disposition;
    *found = result;
    return status;
}

NTSTATUS parse_key(void* object, ob::ParseRequest& request, void** found)
{
    *found = nullptr;
    if (request.object_type && request.object_type != &g_key_type) return STATUS_OBJECT_TYPE_MISMATCH;
    auto* start = static_cast<KeyBody*>(object);
    KeyParseContext* context = nullptr;
    if (request.object_type == &g_key_type && request.parse_context &&
        static_cast<KeyParseContext*>(request.parse_context)->tag == KeyParseContext::kTag)
        context = static_cast<KeyParseContext*>(request.parse_context);
    if (start->manager->callbacks().active()) [[unlikely]]
        return parse_with_callbacks(*start, request, context, found);
    return parse_in_tree(*start, request, context, found);
}

// RegNtPreKeyHandleClose and RegNtPostKeyHandleClose, for every key handle closed.
// NT deviation: both come after the handle left the table (the Key type's close procedure); a close
// cannot fail, so what the routines answer changes nothing.
void close_key_handle(PEPROCESS, void* object, ACCESS_MASK, ULONG_PTR, ULONG_PTR system_handle_count)
{
    auto* key = static_cast<KeyBody*>(object);
    // RegNotifyChangeKeyValue: "If the specified key is closed, the event is signaled." The key's
    // requests complete with STATUS_NOTIFY_CLEANUP when its last handle goes.
    if (key->manager && system_handle_count == 1) key->manager->close_notify(*key);
    if (!key->manager || !key->manager->callbacks().active()) [[likely]]
        return;
    REG_KEY_HANDLE_CLOSE_INFORMATION info{};
    info.Object = object;
    (void)key->manager->callbacks().around(RegNtPreKeyHandleClose, info, &info.Object, [] { return STATUS_SUCCESS; });
}

// ObQueryNameString on a key: its full registry path (NT fact K10's layout and length rule).
NTSTATUS query_key_name(void* object, bool, POBJECT_NAME_INFORMATION info, ULONG length, PULONG return_length,
                        KPROCESSOR_MODE)
{
    auto* key = static_cast<KeyBody*>(object);
    std::u16string name;
    NTSTATUS status = key->manager->full_path(*key->node, name);
    if (!NT_SUCCESS(status)) return status;
    const ULONG name_bytes = static_cast<ULONG>(name.size() * sizeof(WCHAR));
    const ULONG required = sizeof(OBJECT_NAME_INFORMATION) + name_bytes + sizeof(WCHAR);
    if (return_length) *return_length = required;
    if (name_bytes + sizeof(WCHAR) > MAXUSHORT) return STATUS_NAME_TOO_LONG;
    if (length < required || !info) return STATUS_INFO_LENGTH_MISMATCH;
    auto* buffer = reinterpret_cast<WCHAR*>(info + 1);
    std::memcpy(buffer, name.data(), name_bytes);
    buffer[name.size()] = 0;
    info->Name.Length = static_cast<USHORT>(name_bytes);
    info->Name.MaximumLength = static_cast<USHORT>(name_bytes + sizeof(WCHAR));
    info->Name.Buffer = buffer;
    return STATUS_SUCCESS;
}

void dump_key(void* object, std::string& out)
{
    auto* key = static_cast<KeyBody*>(object);
    std::u16string name;
    if (!NT_SUCCESS(key->manager->full_path(*key->node, name))) {
        out += " (deleted key)";
        return;
    }
    out += " key ";
    for (char16_t c : name) out.push_back(c < 0x80 ? static_cast<char>(c) : '?');
}

}  // namespace

// Windows' Key type: KEY_* generic mapping; SYNCHRONIZE is no key right.
_OBJECT_TYPE g_key_type = {
    .name = u"Key",
    .generic_mapping = kKeyGenericMapping,
    .valid_access_mask = KEY_ALL_ACCESS,
    .pool_type = PagedPool,
    .case_insensitive = true,
    .security_required = true,
    .close = close_key_handle,
    .del = delete_key_object,
    .parse = parse_key,
    .query_name = query_key_name,
    .dump = dump_key,
};

void register_key_type() { ob::register_object_type(g_key_type); }

// NT deviation: STATUS_KEY_DELETED for a key deleted before the first call for its object.
NTSTATUS callback_name(KeyBody& key, PCUNICODE_STRING* name)
{
    std::lock_guard guard(key.callback_name_lock);
    if (!key.callback_name_string.Buffer) {
        std::u16string path;
        NTSTATUS status = key.manager->full_path(*key.node, path);
        if (!NT_SUCCESS(status)) return status;
        if (path.size() * sizeof(WCHAR) > MAXUSHORT) return STATUS_NAME_TOO_LONG;
        key.callback_name = std::move(path);
        key.callback_name_string = counted(key.callback_name);
    }
    *name = &key.callback_name_string;
    return STATUS_SUCCESS;
}

NTSTATUS create_registry_object(ConfigManager& config, ob::ObjectManager& objects, const NodeRef& root, void** object)
{
    UNICODE_STRING name;
    RtlInitUnicodeString(&name, L"\\REGISTRY");
    OBJECT_ATTRIBUTES attributes;
    InitializeObjectAttributes(&attributes, &name, OBJ_CASE_INSENSITIVE, nullptr, nullptr);
    void* body = nullptr;
    NTSTATUS status = objects.create_object(KernelMode, &g_key_type, &attributes, sizeof(KeyBody), &body);
    if (!NT_SUCCESS(status)) return status;
    // Permanent: the name outlives every handle, as NT's \REGISTRY does.
    ob::header_of(body)->flags.fetch_or(ob::kObjectPermanent, std::memory_order_release);
    auto* key = new (body) KeyBody();
    key->manager = &config;
    key->node = root;
    void* inserted = nullptr;
    status = objects.insert_object(body, 0, KernelMode, nullptr, &inserted);
    if (!NT_SUCCESS(status)) return status;
    ObDereferenceObject(inserted);
    *object = inserted;
    return STATUS_SUCCESS;
}

}  // namespace ntio::config

namespace {
POBJECT_TYPE g_key_type_ptr = &ntio::config::g_key_type;
}

extern "C" {
POBJECT_TYPE* CmKeyObjectType = &g_key_type_ptr;
}
