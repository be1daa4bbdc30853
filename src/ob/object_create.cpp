// ObCreateObject / ObInsertObject: allocation of header + body, capture of the creation attributes,
// entry into the namespace (collision, OBJ_OPENIF), default security and the first handle. Also
// the creation of directory and symbolic link objects.
#include "ob/object_manager.hpp"

#include <cstring>
#include <new>

#include "se/token.hpp"

namespace ntio::ob {

namespace {

NTSTATUS capture_name(const UNICODE_STRING& name, std::u16string& out)
{
    if ((name.Length & 1) || name.Length > name.MaximumLength || (name.Length && !name.Buffer))
        return STATUS_OBJECT_NAME_INVALID;
    out.assign(reinterpret_cast<const char16_t*>(name.Buffer), name.Length / sizeof(WCHAR));
    return STATUS_SUCCESS;
}

}  // namespace

// Shared with name lookup: validates and captures OBJECT_ATTRIBUTES for an open.
NTSTATUS capture_attributes(const OBJECT_ATTRIBUTES& attributes, KPROCESSOR_MODE mode, std::u16string& name,
                            ULONG& attrs)
{
    if (attributes.Length != sizeof(OBJECT_ATTRIBUTES)) return STATUS_INVALID_PARAMETER;
    if (attributes.Attributes & ~OBJ_VALID_ATTRIBUTES) return STATUS_INVALID_PARAMETER;
    attrs = attributes.Attributes;
    if (mode != KernelMode) attrs &= ~OBJ_KERNEL_HANDLE;
    name.clear();
    if (attributes.ObjectName) return capture_name(*attributes.ObjectName, name);
    return STATUS_SUCCESS;
}

NTSTATUS ObjectManager::create_object(KPROCESSOR_MODE probe_mode, _OBJECT_TYPE* type,
                                      const OBJECT_ATTRIBUTES* attributes, ULONG body_size, void** body)
{
    if (!type || !body) return STATUS_INVALID_PARAMETER;
    *body = nullptr;
    // A type's first objects may be created on several threads at once: the index is published with
    // release order by register_object_type, which rechecks it under its lock.
    if (__atomic_load_n(&type->index, __ATOMIC_ACQUIRE) == 0) register_object_type(*type);
    std::unique_ptr<CreateInfo> info(new (std::nothrow) CreateInfo());
    if (!info) return STATUS_INSUFFICIENT_RESOURCES;
    info->probe_mode = probe_mode;
    if (attributes) {
        NTSTATUS status = capture_attributes(*attributes, probe_mode, info->name, info->attributes);
        if (!NT_SUCCESS(status)) return status;
        if (info->attributes & type->invalid_attributes) return STATUS_INVALID_PARAMETER;
        info->root_directory = attributes->RootDirectory;
        info->has_name = !info->name.empty();
        if (!info->has_name && info->root_directory) return STATUS_OBJECT_NAME_INVALID;
        if (attributes->SecurityDescriptor) {
            status = se::SecurityDescriptor::capture(attributes->SecurityDescriptor, info->security);
            if (!NT_SUCCESS(status)) return status;
        }
    }
    void* memory = ::operator new(kHeaderOffset + sizeof(ObjectHeader) + body_size, std::align_val_t{kBodyAlignment},
                                  std::nothrow);
    if (!memory) return STATUS_INSUFFICIENT_RESOURCES;
    auto* header = new (static_cast<char*>(memory) + kHeaderOffset) ObjectHeader();
    std::memset(header->body(), 0, body_size);
    header->type = type;
    header->manager = this;
    header->body_size = body_size;
    ULONG flags = 0;
    if (info->attributes & OBJ_PERMANENT) flags |= kObjectPermanent;
    if (info->attributes & OBJ_KERNEL_HANDLE) flags |= kObjectKernelOnly;
    header->flags.store(flags, std::memory_order_relaxed);
    header->create_info = std::move(info);
    object_created(type);
    *body = header->body();
    return STATUS_SUCCESS;
}

NTSTATUS ObjectManager::insert_object(void* body, ACCESS_MASK desired, KPROCESSOR_MODE mode, HANDLE* handle,
                                      void** object_out)
{
    if (!body) return STATUS_INVALID_PARAMETER;
    ObjectHeader* header = header_of(body);
    if (header->has_flag(kObjectInserted) || (!handle && !object_out)) {
        dereference(header);
        return STATUS_INVALID_PARAMETER;
    }
    std::unique_ptr<CreateInfo> info = std::move(header->create_info);
    header->flags.fetch_or(kObjectInserted, std::memory_order_relaxed);
    const ULONG attributes = info ? info->attributes : 0;
    const KPROCESSOR_MODE access_mode = info ? info->probe_mode : mode;

    // Security: the creator's descriptor, else the creator token's default for named objects.
    if (info && !info->security.empty()) {
        header->security = std::move(info->security);
    } else if ((info && info->has_name) || header->type->security_required) {
        if (auto token = creator_token()) header->security = se::SecurityDescriptor::default_for(*token);
    }

    ObjectHeader* target = header;  // carries exactly one reference that belongs to us
    NTSTATUS result = STATUS_SUCCESS;
    if (info && info->has_name) {
        ObjectHeader* found = nullptr;
        NTSTATUS status = lookup(info->name, info->root_directory, attributes, header->type, access_mode, desired,
                                 nullptr, header, &found);
        if (!NT_SUCCESS(status)) {
            dereference(header);
            return status;
        }
        if (found == header) {
            dereference(found);  // the lookup's reference; the creation reference remains
        } else {
            _OBJECT_TYPE* type = header->type;
            dereference(header);  // the new object never became visible
            if (!(attributes & OBJ_OPENIF)) {
                dereference(found);
                return STATUS_OBJECT_NAME_COLLISION;
            }
            if (found->type != type) {
                dereference(found);
                return STATUS_OBJECT_TYPE_MISMATCH;
            }
            target = found;
            result = STATUS_OBJECT_NAME_EXISTS;
        }
    }

    if (handle) {
        *handle = nullptr;
        PEPROCESS process = (attributes & OBJ_KERNEL_HANDLE) && access_mode == KernelMode ? m_system_process
                                                                                          : current_process();
        ACCESS_MASK granted = 0;
        NTSTATUS status;
        if (target == header) {
            // The creator gets what it asked for (its own descriptor cannot lock it out at creation).
            status = access_check(target, process, desired, KernelMode, &granted);
        } else {
            status = access_check(target, process, desired,
                                  (attributes & OBJ_FORCE_ACCESS_CHECK) ? KPROCESSOR_MODE{UserMode} : access_mode, &granted);
        }
        if (NT_SUCCESS(status)) {
            status = create_handle(process, target, granted, attributes & (OBJ_INHERIT | OBJ_EXCLUSIVE),
                                   target == header ? OpenReason::Create : OpenReason::Open, access_mode, handle);
        }
        if (!NT_SUCCESS(status)) {
            delete_name_check(target);
            dereference(target);
            return status;
        }
        if (object_out) *object_out = target->body();
        else dereference(target);
    } else {
        *object_out = target->body();
    }
    return result;
}

NTSTATUS ObjectManager::create_directory(const OBJECT_ATTRIBUTES& attributes, ACCESS_MASK desired,
                                         KPROCESSOR_MODE mode, HANDLE* handle)
{
    void* body = nullptr;
    NTSTATUS status = create_object(mode, &g_directory_type, &attributes, sizeof(DirectoryBody), &body);
    if (!NT_SUCCESS(status)) return status;
    new (body) DirectoryBody();
    directory_created(body);
    return insert_object(body, desired, mode, handle, nullptr);
}

NTSTATUS ObjectManager::create_symbolic_link(const OBJECT_ATTRIBUTES& attributes, ACCESS_MASK desired,
                                             std::u16string_view target, KPROCESSOR_MODE mode, HANDLE* handle)
{
    void* body = nullptr;
    NTSTATUS status = create_object(mode, &g_symbolic_link_type, &attributes, sizeof(SymbolicLinkBody), &body);
    if (!NT_SUCCESS(status)) return status;
    auto* link = new (body) SymbolicLinkBody();
    link->target.assign(target);
    KeQuerySystemTime(&link->creation_time);
    return insert_object(body, desired, mode, handle, nullptr);
}

}  // namespace ntio::ob
