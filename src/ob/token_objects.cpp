// Token objects: what a token handle refers to. Each open of a process's or thread's token makes a
// small object whose body (se::TokenObjectBody) references the token, so the handle keeps the token
// alive and the Se routines accept the body as a PACCESS_TOKEN.
#include "ob/token_objects.hpp"

#include "ob/object_manager.hpp"

#include <new>

namespace ntio::ob {
namespace {

void delete_token_object(void* body)
{
    static_cast<se::TokenObjectBody*>(body)->~TokenObjectBody();
}

}  // namespace

_OBJECT_TYPE g_token_type{
    u"Token",
    {TOKEN_READ, TOKEN_WRITE, TOKEN_EXECUTE, TOKEN_ALL_ACCESS},
    TOKEN_ALL_ACCESS, PagedPool, false, true, 0,
    nullptr, nullptr, delete_token_object};

NTSTATUS create_token_object(ObjectManager& manager, std::shared_ptr<se::Token> token, void** body)
{
    *body = nullptr;
    void* made = nullptr;
    NTSTATUS status = manager.create_object(KernelMode, &g_token_type, nullptr, sizeof(se::TokenObjectBody), &made);
    if (!NT_SUCCESS(status)) return status;
    auto* object = new (made) se::TokenObjectBody();
    object->token = std::move(token);
    ObjectHeader* header = header_of(made);
    header->create_info.reset();
    header->flags.fetch_or(kObjectInserted, std::memory_order_relaxed);
    // A token's own descriptor is its default one: its user and SYSTEM may open it.
    header->security = se::SecurityDescriptor::default_for(*object->token);
    *body = made;
    return STATUS_SUCCESS;
}

NTSTATUS open_token(ObjectManager& manager, std::shared_ptr<se::Token> token, ACCESS_MASK desired,
                    ULONG handle_attributes, KPROCESSOR_MODE mode, HANDLE* handle)
{
    void* body = nullptr;
    NTSTATUS status = create_token_object(manager, std::move(token), &body);
    if (!NT_SUCCESS(status)) return status;
    status = manager.open_object_by_pointer(body, handle_attributes, desired, &g_token_type, mode, handle);
    dereference(header_of(body));  // the handle holds the object now (or nothing does)
    return status;
}

}  // namespace ntio::ob
