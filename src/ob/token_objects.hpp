// Token handles: NtOpenProcessTokenEx / NtOpenThreadTokenEx make them over ob's Token type.
#pragma once

#include "ob/ddk.hpp"
#include "se/token.hpp"

namespace ntio::ob {

class ObjectManager;

// A handle in the current process (the System process for OBJ_KERNEL_HANDLE) to a new token object
// on `token`, after the access check of `desired` against the token's default descriptor in
// UserMode. Statuses of ObOpenObjectByPointer.
NTSTATUS open_token(ObjectManager& manager, std::shared_ptr<se::Token> token, ACCESS_MASK desired,
                    ULONG handle_attributes, KPROCESSOR_MODE mode, HANDLE* handle);

// A new token object on `token` without a handle: *body gets the referenced object (the caller's
// reference, dropped with ObDereferenceObject), which Se routines accept as a PACCESS_TOKEN.
NTSTATUS create_token_object(ObjectManager& manager, std::shared_ptr<se::Token> token, void** body);

}  // namespace ntio::ob
