// Name lookup through directories, symbolic links and parse procedures (with the NT reparse limit),
// opens by name, object names and directory listings.
//
// Status rules (ZwCreateDirectoryObject / ZwOpenSymbolicLinkObject / InitializeObjectAttributes on
// Microsoft Learn, and NT's ObpLookupObjectName): an absolute name without RootDirectory must start
// with '\' and a relative one with RootDirectory must not (STATUS_OBJECT_PATH_SYNTAX_BAD); empty
// components and a trailing '\' after an object that does not parse names are
// STATUS_OBJECT_NAME_INVALID; a missing intermediate directory (or a missing name with a trailing '\') is
// STATUS_OBJECT_PATH_NOT_FOUND, a missing leaf STATUS_OBJECT_NAME_NOT_FOUND; walking through an
// object that is neither a directory nor parseable is STATUS_OBJECT_TYPE_MISMATCH; more than
// OBJ_MAX_REPARSE_ATTEMPTS (32) reparses end in STATUS_OBJECT_NAME_NOT_FOUND.
#include "ob/object_manager.hpp"

#include <algorithm>
#include <cstring>

namespace ntio::ob {

NTSTATUS capture_attributes(const OBJECT_ATTRIBUTES& attributes, KPROCESSOR_MODE mode, std::u16string& name,
                            ULONG& attrs);

namespace {

constexpr int kMaxReparse = 32;  // OBJ_MAX_REPARSE_ATTEMPTS (ntobapi.h)

ObjectHeader* find_locked(DirectoryBody* dir, std::u16string_view component, bool case_insensitive)
{
    auto range = dir->entries.equal_range(upcase_name(component));
    for (auto it = range.first; it != range.second; ++it) {
        if (case_insensitive || it->second->name == component) return it->second;
    }
    return nullptr;
}

}  // namespace

std::u16string upcase_name(std::u16string_view name)
{
    std::u16string out(name);
    for (auto& c : out) {
        if (c < 0x80) {
            if (c >= u'a' && c <= u'z') c = static_cast<char16_t>(c - 32);
        } else {
            c = static_cast<char16_t>(RtlUpcaseUnicodeChar(static_cast<WCHAR>(c)));
        }
    }
    return out;
}

NTSTATUS ObjectManager::lookup(std::u16string_view name, HANDLE root_directory, ULONG attributes,
                               _OBJECT_TYPE* type, KPROCESSOR_MODE mode, ACCESS_MASK desired, void* parse_context,
                               ObjectHeader* insert, ObjectHeader** found)
{
    *found = nullptr;
    const bool case_insensitive = (attributes & OBJ_CASE_INSENSITIVE) || (type && type->case_insensitive);
    std::u16string complete(name);
    ObRef<void> current;
    if (root_directory) {
        if (!complete.empty() && complete[0] == OBJ_NAME_PATH_SEPARATOR) return STATUS_OBJECT_PATH_SYNTAX_BAD;
        void* root = nullptr;
        NTSTATUS status = reference_object_by_handle(root_directory, 0, nullptr, mode, &root, nullptr);
        if (!NT_SUCCESS(status)) return status;
        current = ObRef<void>::adopt(root);
    } else if (complete.empty() || complete[0] != OBJ_NAME_PATH_SEPARATOR) {
        return STATUS_OBJECT_PATH_SYNTAX_BAD;
    }

    int reparse_left = kMaxReparse;
    std::u16string remaining;
    bool trailing_separator = false;  // the name ended in '\' after an object that parses (NT fact K4)
    bool restart = true;
    for (;;) {
        if (restart) {
            restart = false;
            if (!current) {
                if (complete.empty() || complete[0] != OBJ_NAME_PATH_SEPARATOR) return STATUS_OBJECT_NAME_NOT_FOUND;
                std::shared_lock lock(m_namespace_lock);
                if (!m_root) return STATUS_OBJECT_PATH_NOT_FOUND;
                current = ObRef<void>::share(m_root);
                remaining = complete.substr(1);
            } else {
                remaining = complete;
            }
        }
        ObjectHeader* h = header_of(current.get());
        if (h->type != &g_directory_type) {
            if (h->type->parse && !(insert && h->type != &g_symbolic_link_type)) {
                ParseRequest request;
                request.object_type = type;
                request.desired_access = desired;
                request.access_mode = mode;
                request.attributes = attributes;
                request.complete_name = complete;
                if (!remaining.empty() || trailing_separator) request.remaining_name = u"\\" + remaining;
                request.parse_context = parse_context;
                request.process = current_process();
                request.inserting = insert != nullptr;
                void* object = nullptr;
                NTSTATUS status = h->type->parse(current.get(), request, &object);
                if (status == STATUS_REPARSE) {
                    if (--reparse_left == 0) return STATUS_OBJECT_NAME_NOT_FOUND;
                    complete = std::move(request.complete_name);
                    current.reset();
                    trailing_separator = false;
                    restart = true;
                    continue;
                }
                if (!NT_SUCCESS(status)) return status;
                if (!object) return STATUS_OBJECT_NAME_NOT_FOUND;
                *found = header_of(object);
                return status;
            }
            if (remaining.empty()) {
                *found = header_of(current.release());
                return STATUS_SUCCESS;
            }
            return STATUS_OBJECT_TYPE_MISMATCH;
        }
        if (remaining.empty()) {
            *found = header_of(current.release());
            return STATUS_SUCCESS;
        }

        std::size_t sep = remaining.find(OBJ_NAME_PATH_SEPARATOR);
        std::u16string component = remaining.substr(0, sep);
        bool more = sep != std::u16string::npos;
        std::u16string rest = more ? remaining.substr(sep + 1) : std::u16string();
        if (component.empty()) return STATUS_OBJECT_NAME_INVALID;
        // A trailing '\' is only meaningful to an object that parses the rest of the name: `\Device\Dev\`
        // reaches the device's parse procedure with the remaining name `\` (NT fact K4). After a
        // directory or any other object it is an invalid name; after a missing one, a missing path.
        bool trailing = more && rest.empty();
        if (trailing && insert) return STATUS_OBJECT_NAME_INVALID;

        auto* dir = static_cast<DirectoryBody*>(current.get());
        ObjectHeader* next = nullptr;
        {
            std::shared_lock lock(m_namespace_lock);
            next = find_locked(dir, component, case_insensitive);
            if (!next && current.get() == m_dos_devices && m_global_dos_devices)
                next = find_locked(static_cast<DirectoryBody*>(m_global_dos_devices), component, case_insensitive);
            if (next) reference(next);
        }
        if (!next) {
            // A missing name with anything after it, a lone trailing '\' included, is a missing
            // path: CreateFile("R:\\") for a drive letter nothing is linked at fails with
            // ERROR_PATH_NOT_FOUND on Windows.
            if (more) return STATUS_OBJECT_PATH_NOT_FOUND;
            if (!insert) return STATUS_OBJECT_NAME_NOT_FOUND;
            std::unique_lock lock(m_namespace_lock);
            next = find_locked(dir, component, case_insensitive);
            if (!next) {
                insert->name = component;
                insert->directory = dir;
                dir->entries.emplace(upcase_name(component), insert);
                insert->flags.fetch_or(kObjectNamed, std::memory_order_release);
                reference(insert);               // the name's own reference
                reference(header_of(dir));       // the name holds its directory
                reference(insert);               // the reference returned to the caller
                *found = insert;
                return STATUS_SUCCESS;
            }
            reference(next);
        }
        ObRef<void> next_ref = ObRef<void>::adopt(next->body());
        if (trailing && (next->type == &g_directory_type || !next->type->parse)) return STATUS_OBJECT_NAME_INVALID;
        trailing_separator = trailing;
        if (!more) {
            bool is_link = next->type == &g_symbolic_link_type;
            bool open_link = (attributes & OBJ_OPENLINK) || type == &g_symbolic_link_type;
            bool follow = is_link ? !open_link : (next->type->parse != nullptr && !insert);
            if (!follow) {
                *found = header_of(next_ref.release());
                return STATUS_SUCCESS;
            }
        }
        current = std::move(next_ref);
        remaining = std::move(rest);
    }
}

NTSTATUS ObjectManager::open_object_by_name(const OBJECT_ATTRIBUTES& attributes, _OBJECT_TYPE* type,
                                            KPROCESSOR_MODE mode, ACCESS_MASK desired, void* parse_context,
                                            HANDLE* handle)
{
    if (!handle) return STATUS_INVALID_PARAMETER;
    *handle = nullptr;
    std::u16string name;
    ULONG attrs = 0;
    NTSTATUS status = capture_attributes(attributes, mode, name, attrs);
    if (!NT_SUCCESS(status)) return status;
    ObjectHeader* found = nullptr;
    status = lookup(name, attributes.RootDirectory, attrs, type, mode, desired, parse_context, nullptr, &found);
    if (!NT_SUCCESS(status)) return status;
    ObRef<void> object = ObRef<void>::adopt(found->body());
    if (type && found->type != type) return STATUS_OBJECT_TYPE_MISMATCH;
    PEPROCESS process = (attrs & OBJ_KERNEL_HANDLE) ? m_system_process : current_process();
    ACCESS_MASK granted = 0;
    status = access_check(found, process, desired, (attrs & OBJ_FORCE_ACCESS_CHECK) ? KPROCESSOR_MODE{UserMode} : mode, &granted);
    if (!NT_SUCCESS(status)) return status;
    return create_handle(process, found, granted, attrs & (OBJ_INHERIT | OBJ_EXCLUSIVE), OpenReason::Open, mode,
                         handle);
}

NTSTATUS ObjectManager::reference_object_by_name(std::u16string_view name, HANDLE root_directory, ULONG attributes,
                                                 _OBJECT_TYPE* type, KPROCESSOR_MODE mode, ACCESS_MASK desired,
                                                 void* parse_context, void** object)
{
    if (!object) return STATUS_INVALID_PARAMETER;
    *object = nullptr;
    if (attributes & ~OBJ_VALID_ATTRIBUTES) return STATUS_INVALID_PARAMETER;
    ObjectHeader* found = nullptr;
    NTSTATUS status = lookup(name, root_directory, attributes, type, mode, desired, parse_context, nullptr, &found);
    if (!NT_SUCCESS(status)) return status;
    ObRef<void> ref = ObRef<void>::adopt(found->body());
    if (type && found->type != type) return STATUS_OBJECT_TYPE_MISMATCH;
    if (mode != KernelMode || (attributes & OBJ_FORCE_ACCESS_CHECK)) {
        ACCESS_MASK granted = 0;
        status = access_check(found, current_process(), desired, UserMode, &granted);
        if (!NT_SUCCESS(status)) return status;
    }
    *object = ref.release();
    return STATUS_SUCCESS;
}

void ObjectManager::delete_name_check(ObjectHeader* header)
{
    std::vector<ObjectHeader*> release;
    {
        std::unique_lock lock(m_namespace_lock);
        if (header->has_flag(kObjectNamed) && !header->has_flag(kObjectPermanent) &&
            header->handle_count.load(std::memory_order_acquire) == 0)
            remove_name_locked(header, release);
    }
    for (ObjectHeader* h : release) dereference(h);
}

void ObjectManager::make_temporary(void* body)
{
    ObjectHeader* header = header_of(body);
    {
        std::unique_lock lock(m_namespace_lock);
        header->flags.fetch_and(~ULONG{kObjectPermanent}, std::memory_order_release);
    }
    delete_name_check(header);
}

std::u16string ObjectManager::full_name(void* body)
{
    std::shared_lock lock(m_namespace_lock);
    ObjectHeader* h = header_of(body);
    if (body == m_root) return u"\\";
    if (!h->has_flag(kObjectNamed)) return {};
    std::u16string path;
    for (ObjectHeader* cur = h; cur && cur->body() != m_root;) {
        path.insert(0, cur->name);
        path.insert(0, 1, OBJ_NAME_PATH_SEPARATOR);
        if (!cur->directory) break;
        cur = header_of(cur->directory);
    }
    return path;
}

NTSTATUS ObjectManager::query_name(void* body, POBJECT_NAME_INFORMATION info, ULONG length, PULONG return_length,
                                   KPROCESSOR_MODE mode)
{
    if (!body) return STATUS_INVALID_PARAMETER;
    ObjectHeader* h = header_of(body);
    std::u16string name = full_name(body);
    if (h->type->query_name) return h->type->query_name(body, !name.empty(), info, length, return_length, mode);
    ULONG name_bytes = static_cast<ULONG>(name.size() * sizeof(WCHAR));
    ULONG required = sizeof(OBJECT_NAME_INFORMATION) + (name.empty() ? 0 : name_bytes + sizeof(WCHAR));
    if (return_length) *return_length = required;
    if (name_bytes + sizeof(WCHAR) > MAXUSHORT) return STATUS_NAME_TOO_LONG;
    if (length < required || !info) return STATUS_INFO_LENGTH_MISMATCH;
    if (name.empty()) {
        info->Name.Length = 0;
        info->Name.MaximumLength = 0;
        info->Name.Buffer = nullptr;
        return STATUS_SUCCESS;
    }
    auto* buffer = reinterpret_cast<WCHAR*>(info + 1);
    std::memcpy(buffer, name.data(), name_bytes);
    buffer[name.size()] = 0;
    info->Name.Length = static_cast<USHORT>(name_bytes);
    info->Name.MaximumLength = static_cast<USHORT>(name_bytes + sizeof(WCHAR));
    info->Name.Buffer = buffer;
    return STATUS_SUCCESS;
}

NTSTATUS ObjectManager::enumerate_directory(void* directory, std::vector<DirectoryEntryInfo>& out)
{
    if (!directory || header_of(directory)->type != &g_directory_type) return STATUS_OBJECT_TYPE_MISMATCH;
    out.clear();
    {
        std::shared_lock lock(m_namespace_lock);
        for (auto& [key, h] : static_cast<DirectoryBody*>(directory)->entries)
            out.push_back({h->name, std::u16string(type_name(h->type))});
    }
    std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
    return STATUS_SUCCESS;
}

NTSTATUS ObjectManager::query_symbolic_link(void* link, std::u16string& target)
{
    if (!link || header_of(link)->type != &g_symbolic_link_type) return STATUS_OBJECT_TYPE_MISMATCH;
    target = static_cast<SymbolicLinkBody*>(link)->target;
    return STATUS_SUCCESS;
}

TypeInformation ObjectManager::query_type(const _OBJECT_TYPE* type) const
{
    TypeInformation info;
    info.name = type_name(type);
    info.object_count = static_cast<ULONG>(object_count(type));
    info.handle_count = static_cast<ULONG>(handle_count(type));
    info.generic_mapping = type->generic_mapping;
    info.valid_access_mask = type->valid_access_mask;
    info.pool_type = type->pool_type;
    info.invalid_attributes = type->invalid_attributes;
    return info;
}

}  // namespace ntio::ob
